"""How fast is `graphspec validate` next to `import keras`, and does it grow linearly?

Prints, in one run on this machine:
  1. `graphspec validate` of one seed spec, and of the whole seed gallery, vs
     `python -c "import keras"`, all as fresh processes (median of several runs,
     interleaved so they share the machine's load), and their ratios (targets:
     one spec ≤ 0.25 s wall and ≤ 7% of `import keras`);
  2. in-process load + validate time for generated specs of 1k, 10k and 100k nodes,
     with the time per node (targets: linear growth, 100k nodes ≤ 2 s);
  3. throughput: in-process validate of the ResNet-50 spec (176 nodes, the zoo's
     spec expanded), as a Spec object, as the mapping a search loop generates, and
     as YAML text, in specs per second (target: ≥ 200 per second);
  4. graphspec's own overhead (load + validate) as a fraction of the Keras build
     time of each seed model (target: ≤ 5%; --skip-build leaves it out).

Run: python benchmarks/validate_speed.py [--repeat N] [--sizes 1000,10000,100000] [--skip-build]
                                          [--json PATH | --no-json]

The figures of sections 1 to 3 (and of 4 when it runs) are also written as the rows of
benchmarks/results/validate_speed.json (see benchmarks/results/README.md).
"""

from __future__ import annotations

import argparse
import compileall
import glob
import math
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import _results

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def timed_processes(commands: dict[str, list[str]], repeat: int) -> tuple[dict[str, float], dict[str, float]]:
    """Median wall time and CPU time (user + system) of each command as a fresh process, the commands taking turns
    in each round.

    On a loaded machine the wall time of a process grows with the load; its CPU
    time is what it would take on an idle core (all of these are single-threaded
    until they import TensorFlow).
    """
    wall: dict[str, list[float]] = {name: [] for name in commands}
    cpu: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, argv in commands.items():
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(argv, check=False, capture_output=True, cwd=ROOT)
            wall[name].append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu[name].append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return {name: statistics.median(t) for name, t in wall.items()}, {
        name: statistics.median(t) for name, t in cpu.items()
    }


def throughput(source: object, seconds: float = 2.0) -> tuple[float, float]:
    """Validations per second of one spec, in process, by wall time and by CPU time (median of 5 rounds of about
    seconds/5 each)."""
    import graphspec

    graphspec.validate(source)  # type: ignore[arg-type]
    rates, cpu_rates = [], []
    for _ in range(5):
        count, start, start_cpu = 0, time.perf_counter(), time.process_time()
        while (elapsed := time.perf_counter() - start) < seconds / 5:
            graphspec.validate(source)  # type: ignore[arg-type]
            count += 1
        rates.append(count / elapsed)
        cpu_rates.append(count / max(time.process_time() - start_cpu, 1e-9))
    return statistics.median(rates), statistics.median(cpu_rates)


def _short(x: float) -> str:
    """Two significant figures, no exponent: 0.089, 0.57, 8.1, 15."""
    if x <= 0 or not math.isfinite(x):
        return f"{x:g}"
    return f"{x:.{max(0, 1 - math.floor(math.log10(x)))}f}"


def _wall_cpu(wall: float, cpu: float) -> str:
    return f"{wall:.3f} s wall, {cpu:.3f} s CPU"


def _row(what: str, figure: str, target: str = "") -> dict[str, str]:
    return {"what": what, "figure": figure, "target": target}


COLUMNS = [{"key": "what", "label": "what"}, {"key": "figure", "label": "figure"}, {"key": "target", "label": "target"}]


def chain_spec(n: int) -> dict[str, object]:
    nodes: dict[str, object] = {}
    for i in range(n):
        src = "x" if i == 0 else f"n{i - 1}"
        # A residual Add every 10 nodes keeps it a DAG with merges, not just a chain.
        if i % 10 == 9 and i >= 10:
            nodes[f"n{i}"] = {"layer": "Add", "inputs": [src, f"n{i - 9}"]}
        else:
            nodes[f"n{i}"] = {"layer": "Dense", "inputs": src, "units": 8}
    return {"graphspec": 1, "inputs": {"x": {"shape": [8]}}, "nodes": nodes, "outputs": {f"n{n - 1}": {}}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument(
        "--skip-build",
        action="store_true",
        help="leave out section 3 (it imports Keras and builds every seed and zoo model)",
    )
    _results.add_arguments(parser, "validate_speed")
    args = parser.parse_args()

    import graphspec
    from graphspec.budget import Budget

    seeds = sorted(glob.glob(str(ROOT / "specs/seed/*.yaml")))
    py = sys.executable
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores")
    # Keras' bytecode was compiled when pip installed it; an editable install of
    # graphspec under PYTHONDONTWRITEBYTECODE=1 would recompile on every run.
    # Compile it too, as a regular install does, so both sides start alike.
    compileall.compile_dir(str(ROOT / "graphspec"), quiet=1)

    print("\n1. validate (fresh process) vs import keras (fresh process), median of", args.repeat)
    one = str(ROOT / "specs/seed/functional_mlp.yaml")
    t, c = timed_processes(
        {
            "python": [py, "-c", "pass"],
            "one": [py, "-m", "graphspec", "validate", one],
            "seeds": [py, "-m", "graphspec", "validate", *seeds],
            "keras": [py, "-c", "import keras"],
        },
        args.repeat,
    )
    print(f"   load average {os.getloadavg()[0]:.1f}                                      wall      CPU")
    print(f"   python -c pass (the interpreter alone):             {t['python']:7.3f} s {c['python']:7.3f} s")
    print(
        f"   graphspec validate specs/seed/functional_mlp.yaml:  {t['one']:7.3f} s {c['one']:7.3f} s  (target ≤ 0.25 s)"
    )
    print(f"   graphspec validate specs/seed/*.yaml ({len(seeds)} specs):    {t['seeds']:7.3f} s {c['seeds']:7.3f} s")
    print(f"   python -c 'import keras':                           {t['keras']:7.3f} s {c['keras']:7.3f} s")
    print(
        f"   one spec / import keras: {t['one'] / t['keras']:.1%} wall, {c['one'] / c['keras']:.1%} CPU (target ≤ 7%); "
        f"all seeds: {t['seeds'] / t['keras']:.1%} wall"
    )
    keras_time = f"{t['keras']:.3g} s wall, {c['keras']:.3g} s CPU"
    shares = f"{t['one'] / t['keras']:.1%} of its wall time, {c['one'] / c['keras']:.1%} of its CPU time"
    rows = [
        _row(
            f"`graphspec validate specs/seed/{Path(one).name}`, fresh process",
            f"{_wall_cpu(t['one'], c['one'])} (the bare interpreter: {_wall_cpu(t['python'], c['python'])})",
            "≤ 0.25 s",
        ),
        _row(f'the same, as a share of `python -c "import keras"` ({keras_time})', shares, "≤ 7%"),
        _row(
            f"`graphspec validate specs/seed/*.yaml` ({len(seeds)} specs)",
            f"{_wall_cpu(t['seeds'], c['seeds'])}, {t['seeds'] / t['keras']:.1%} of `import keras`",
        ),
    ]

    print("\n2. load + validate of generated specs (in process)")
    budget = Budget(max_nodes=10**7)
    per_node = []
    sizes, walls, cpus = [int(s) for s in args.sizes.split(",")], [], []
    for n in sizes:
        data = chain_spec(n)
        start, start_cpu = time.perf_counter(), time.process_time()
        graphspec.validate(data, budget=budget)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - start_cpu
        per_node.append(elapsed / n)
        walls.append(elapsed)
        cpus.append(cpu)
        print(
            f"   {n:>7,} nodes: {elapsed:7.3f} s  ({elapsed / n * 1e6:6.1f} µs/node); "
            f"CPU {cpu:7.3f} s ({cpu / n * 1e6:6.1f} µs/node)"
        )
    print(
        f"   µs/node, largest over smallest size: {per_node[-1] / per_node[0]:.2f} "
        "(1.0 = linear; target: 100,000 nodes ≤ 2 s)"
    )
    micros = " / ".join(f"{w / n * 1e6:.0f}" for w, n in zip(walls, sizes, strict=True))
    figure = f"{' / '.join(map(_short, walls))} s wall, {' / '.join(map(_short, cpus))} s CPU ({micros} µs per node)"
    what = f"load + validate of generated specs of {' / '.join(f'{n:,}' for n in sizes)} nodes"
    rows.append(_row(what, figure, "100,000 nodes ≤ 2 s"))
    print("   share chains with every node an output (once cubic):")
    for n in (1000, 4000):
        shared: dict[str, object] = {"s0": {"layer": "Dense", "inputs": "x", "units": 8}}
        shared.update({f"s{i}": {"share": f"s{i - 1}", "inputs": f"s{i - 1}"} for i in range(1, n)})
        data = {
            "graphspec": 1,
            "inputs": {"x": {"shape": [8]}},
            "nodes": shared,
            "outputs": {f"s{i}": {} for i in range(n)},
        }
        start = time.perf_counter()
        graphspec.validate(data, budget=budget)
        elapsed = time.perf_counter() - start
        print(f"   {n:>7,} nodes: {elapsed:7.3f} s  ({elapsed / n * 1e6:6.1f} µs/node)")

    print("\n3. throughput: in-process validate of the ResNet-50 spec (target ≥ 200 specs/s)")
    resnet = graphspec.expand(ROOT / "specs/zoo/resnet50.yaml")
    forms = {"Spec object": resnet, "mapping (to_data)": resnet.to_data(), "YAML text": resnet.to_yaml()}
    rates: list[tuple[float, float]] = []
    for label, source in forms.items():
        rate, cpu_rate = throughput(source)
        rates.append((rate, cpu_rate))
        print(
            f"   {label:<18} {len(resnet.nodes)} nodes: {rate:7.1f} specs/s  ({1e3 / rate:6.2f} ms each); "
            f"by CPU time {cpu_rate:7.1f} specs/s ({1e3 / cpu_rate:6.2f} ms)"
        )
    (spec_rate, spec_cpu), (mapping_rate, mapping_cpu), (yaml_rate, yaml_cpu) = rates
    figure = f"{spec_rate:.0f} per second as a `Spec`, {mapping_rate:.0f} as a mapping, {yaml_rate:.0f} as YAML text"
    figure += f" (by CPU time {spec_cpu:.0f} / {mapping_cpu:.0f} / {yaml_cpu:.0f})"
    what = f"in-process validate of the ResNet-50 spec ({len(resnet.nodes)} nodes)"
    rows.append(_row(what, figure, "≥ 200 per second"))
    if not args.skip_build:
        rows.append(build_overhead(seeds))
    if args.json:
        note = f"fresh processes for the command-line figures (median of {args.repeat}), in process for the others"
        _results.write_results("validate_speed", rows, columns=COLUMNS, note=note, path=args.json)
    return 0


def build_overhead(seeds: list[str]) -> dict[str, str]:
    """Section 4, printed; returns its row for the results file."""
    import graphspec

    print("\n4. graphspec overhead vs Keras build, per seed and zoo model (target ≤ 5%)")
    import keras  # noqa: F401  (imported once, outside the timings)

    from graphspec.emit import emit

    zoo = sorted(glob.glob(str(ROOT / "specs/zoo/*.yaml")))
    shares = []
    for path in [*seeds, *zoo]:
        start = time.perf_counter()
        report = graphspec.validate(Path(path))
        t_ours = time.perf_counter() - start
        start = time.perf_counter()
        emit(report.graph)
        t_build = time.perf_counter() - start
        shares.append(t_ours / t_build)
        print(
            f"   {Path(path).name:<24} validate {t_ours * 1e3:7.1f} ms  build {t_build * 1e3:8.1f} ms  "
            f"overhead {t_ours / t_build:6.1%}"
        )
    what = f"load + validate as a share of the Keras build, {len(seeds)} seed and {len(zoo)} zoo models"
    return _row(what, f"{min(shares):.1%} – {max(shares):.1%} (median {statistics.median(shares):.1%})", "≤ 5%")


if __name__ == "__main__":
    raise SystemExit(main())
