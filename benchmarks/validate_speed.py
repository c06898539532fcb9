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
"""

from __future__ import annotations

import argparse
import compileall
import glob
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def timed_processes(commands: dict[str, list[str]], repeat: int) -> tuple[dict[str, float], dict[str, float]]:
    """Median wall time and CPU time (user + system) of each command as a fresh process, the commands taking turns in each round.

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
    return {name: statistics.median(t) for name, t in wall.items()}, {name: statistics.median(t) for name, t in cpu.items()}


def throughput(source: object, seconds: float = 2.0) -> tuple[float, float]:
    """Validations per second of one spec, in process, by wall time and by CPU time (median of 5 rounds of about seconds/5 each)."""
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
    parser.add_argument("--skip-build", action="store_true", help="leave out section 3 (it imports Keras and builds every seed and zoo model)")
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
    print(f"   graphspec validate specs/seed/functional_mlp.yaml:  {t['one']:7.3f} s {c['one']:7.3f} s  (target ≤ 0.25 s)")
    print(f"   graphspec validate specs/seed/*.yaml ({len(seeds)} specs):    {t['seeds']:7.3f} s {c['seeds']:7.3f} s")
    print(f"   python -c 'import keras':                           {t['keras']:7.3f} s {c['keras']:7.3f} s")
    print(f"   one spec / import keras: {t['one'] / t['keras']:.1%} wall, {c['one'] / c['keras']:.1%} CPU (target ≤ 7%); all seeds: {t['seeds'] / t['keras']:.1%} wall")

    print("\n2. load + validate of generated specs (in process)")
    budget = Budget(max_nodes=10**7)
    per_node = []
    for n in [int(s) for s in args.sizes.split(",")]:
        data = chain_spec(n)
        start, start_cpu = time.perf_counter(), time.process_time()
        graphspec.validate(data, budget=budget)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - start_cpu
        per_node.append(elapsed / n)
        print(f"   {n:>7,} nodes: {elapsed:7.3f} s  ({elapsed / n * 1e6:6.1f} µs/node); CPU {cpu:7.3f} s ({cpu / n * 1e6:6.1f} µs/node)")
    print(f"   µs/node, largest over smallest size: {per_node[-1] / per_node[0]:.2f} (1.0 = linear; target: 100,000 nodes ≤ 2 s)")
    print("   share chains with every node an output (once cubic):")
    for n in (1000, 4000):
        shared: dict[str, object] = {"s0": {"layer": "Dense", "inputs": "x", "units": 8}}
        shared.update({f"s{i}": {"share": f"s{i - 1}", "inputs": f"s{i - 1}"} for i in range(1, n)})
        data = {"graphspec": 1, "inputs": {"x": {"shape": [8]}}, "nodes": shared, "outputs": {f"s{i}": {} for i in range(n)}}
        start = time.perf_counter()
        graphspec.validate(data, budget=budget)
        elapsed = time.perf_counter() - start
        print(f"   {n:>7,} nodes: {elapsed:7.3f} s  ({elapsed / n * 1e6:6.1f} µs/node)")

    print("\n3. throughput: in-process validate of the ResNet-50 spec (target ≥ 200 specs/s)")
    resnet = graphspec.expand(ROOT / "specs/zoo/resnet50.yaml")
    forms = {"Spec object": resnet, "mapping (to_data)": resnet.to_data(), "YAML text": resnet.to_yaml()}
    for label, source in forms.items():
        rate, cpu_rate = throughput(source)
        print(f"   {label:<18} {len(resnet.nodes)} nodes: {rate:7.1f} specs/s  ({1e3 / rate:6.2f} ms each); by CPU time {cpu_rate:7.1f} specs/s ({1e3 / cpu_rate:6.2f} ms)")
    if args.skip_build:
        return 0

    print("\n4. graphspec overhead vs Keras build, per seed and zoo model (target ≤ 5%)")
    import keras  # noqa: F401  (imported once, outside the timings)

    from graphspec.emit import emit

    for path in [*seeds, *sorted(glob.glob(str(ROOT / "specs/zoo/*.yaml")))]:
        start = time.perf_counter()
        report = graphspec.validate(Path(path))
        t_ours = time.perf_counter() - start
        start = time.perf_counter()
        emit(report.graph)
        t_build = time.perf_counter() - start
        print(f"   {Path(path).name:<24} validate {t_ours * 1e3:7.1f} ms  build {t_build * 1e3:8.1f} ms  overhead {t_ours / t_build:6.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
