"""How fast is `graphspec validate` next to `import keras`, and does it grow linearly?

Prints, in one run on this machine:
  1. `graphspec validate` on the seed gallery vs `python -c "import keras"`, both as
     fresh processes (median of several runs), and their ratio (target: ≤ 10%);
  2. in-process load + validate time for generated specs of 1k, 10k and 100k nodes,
     with the time per node (target: linear growth, 10k nodes ≤ 1 s);
  3. graphspec's own overhead (load + validate) as a fraction of the Keras build
     time of each seed model (target: ≤ 5%).

Run: python benchmarks/validate_speed.py [--repeat N] [--sizes 1000,10000,100000]
"""

from __future__ import annotations

import argparse
import compileall
import glob
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def timed_process(argv: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(argv, check=False, capture_output=True, cwd=ROOT)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


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
    t_validate = timed_process([py, "-m", "graphspec", "validate", *seeds], args.repeat)
    t_keras = timed_process([py, "-c", "import keras"], args.repeat)
    print(f"   graphspec validate specs/seed/*.yaml ({len(seeds)} specs): {t_validate:7.3f} s")
    print(f"   python -c 'import keras':                           {t_keras:7.3f} s")
    print(f"   ratio: {t_validate / t_keras:.1%} (target ≤ 10%)")

    print("\n2. load + validate of generated specs (in process)")
    budget = Budget(max_nodes=10**7)
    per_node = []
    for n in [int(s) for s in args.sizes.split(",")]:
        data = chain_spec(n)
        start = time.perf_counter()
        graphspec.validate(data, budget=budget)
        elapsed = time.perf_counter() - start
        per_node.append(elapsed / n)
        print(f"   {n:>7,} nodes: {elapsed:7.3f} s  ({elapsed / n * 1e6:6.1f} µs/node)")
    print(f"   µs/node, largest over smallest size: {per_node[-1] / per_node[0]:.2f} (1.0 = linear)")
    print("   share chains with every node an output (once cubic):")
    for n in (1000, 4000):
        shared: dict[str, object] = {"s0": {"layer": "Dense", "inputs": "x", "units": 8}}
        shared.update({f"s{i}": {"share": f"s{i - 1}", "inputs": f"s{i - 1}"} for i in range(1, n)})
        data = {"graphspec": 1, "inputs": {"x": {"shape": [8]}}, "nodes": shared, "outputs": {f"s{i}": {} for i in range(n)}}
        start = time.perf_counter()
        graphspec.validate(data, budget=budget)
        elapsed = time.perf_counter() - start
        print(f"   {n:>7,} nodes: {elapsed:7.3f} s  ({elapsed / n * 1e6:6.1f} µs/node)")

    print("\n3. graphspec overhead vs Keras build, per seed and zoo model (target ≤ 5%)")
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
