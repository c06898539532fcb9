"""Is `graphspec.build` as fast as Keras' own `model_from_json`, and `from_keras` a small part of it?

For every keras.applications model (``weights=None``) and every zoo spec, in one
fresh process each (so one model's memory never weighs on the next), prints:

- the spec's node count and whether its parameter count is exact without Keras
  (``exact``: every layer has a shape rule, so ``build`` builds the model once; a
  spec with a layer graphspec cannot count is built a second time, weightless,
  to check the parameter budget);
- ``build``: ``graphspec.build`` of the spec's YAML text (load, validate, emit,
  compile where the spec says so) and ``model_from_json``: Keras building the
  same architecture from ``model.to_json()``; their ratio (target ≤ 1.05);
- ``from_keras``: importing the model (the importer's caches cleared each time)
  and its ratio to ``model_from_json`` (target ≤ 0.25, and under 10 ms for small
  models).

Times are medians of ``--repeat`` rounds, the three taking turns in each round
after one untimed warm-up of each, so they share the machine's load; each is
measured as wall time and as the process's CPU time (``cpu`` ratios), which a
loaded machine disturbs far less.

Run: python benchmarks/build_speed.py [--quick] [--repeat N] [--json PATH | --no-json] [NAME ...]
     (all 40 applications take a long while on 2 cores: run them under `nice`;
     --quick is a subset for repeated checks)

The table is also written to benchmarks/results/build_speed.json (see
benchmarks/results/README.md); a model that failed is a row of its name and the error.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import _results

ROOT = Path(__file__).resolve().parent.parent
QUICK = [
    "ResNet50",
    "MobileNetV2",
    "InceptionV3",
    "DenseNet121",
    "EfficientNetB0",
    "ConvNeXtTiny",
    "NASNetMobile",
    "zoo/transformer_classifier",
]

_ONE = r"""
import gc, json, os, statistics, sys, time, warnings
warnings.simplefilter("ignore")
sys.path.insert(0, {root!r})
import keras
import graphspec
from pathlib import Path
from graphspec.importer import _arguments as importer

name, repeat = {name!r}, {repeat}
if name.startswith("zoo/"):
    spec = graphspec.expand(Path({root!r}) / "specs" / (name + ".yaml"))
    model = graphspec.build(spec, compile=False)
else:
    model = getattr(keras.applications, name)(weights=None)
    spec = graphspec.from_keras(model)
text = spec.to_yaml()
compact = model.to_json()
report = graphspec.validate(text)

def from_keras():
    for cache in ("_minimal_cache", "_build_rewrites"):
        getattr(importer, cache, {{}}).clear()
    graphspec.from_keras(model)

jobs = {{"model_from_json": lambda: keras.models.model_from_json(compact), "build": lambda: graphspec.build(text), "from_keras": from_keras}}
times = {{k: [] for k in jobs}}
cpu = {{k: [] for k in jobs}}
for round in range(repeat + 1):
    for key, job in jobs.items():
        gc.collect()
        start, start_cpu = time.perf_counter(), time.process_time()
        job()
        elapsed, elapsed_cpu = time.perf_counter() - start, time.process_time() - start_cpu
        if round:
            times[key].append(elapsed)
            cpu[key].append(elapsed_cpu)
print("RESULT " + json.dumps({{
    "nodes": len(report.spec.nodes),
    "exact": report.inference.total_params is not None,
    "params": model.count_params(),
    **{{k: statistics.median(v) for k, v in times.items()}},
    **{{k + "_cpu": statistics.median(v) for k, v in cpu.items()}},
}}))
"""  # noqa: E501


COLUMNS = [
    {"key": "name", "label": "model"},
    {"key": "nodes", "label": "nodes", "align": "right"},
    {"key": "params", "label": "params", "align": "right"},
    {"key": "exact", "label": "exact"},
    {"key": "build", "label": "build s", "align": "right", "format": "{:.3f}"},
    {"key": "model_from_json", "label": "model_from_json s", "align": "right", "format": "{:.3f}"},
    {"key": "build_ratio", "label": "ratio", "align": "right", "format": "{:.2f}"},
    {"key": "build_cpu_ratio", "label": "CPU ratio", "align": "right", "format": "{:.2f}"},
    {"key": "from_keras", "label": "from_keras s", "align": "right", "format": "{:.3f}"},
    {"key": "from_keras_ratio", "label": "ratio", "align": "right", "format": "{:.2f}"},
    {"key": "from_keras_cpu_ratio", "label": "CPU ratio", "align": "right", "format": "{:.2f}"},
]


def result_row(r: dict[str, object]) -> dict[str, object]:
    """One model's row of the results file: the columns above (a failed model: its name and the error)."""
    if "error" in r:
        return {"name": f"{r['name']} (failed: {str(r['error']).replace('|', '/')})"}
    jobs = ("build", "model_from_json", "from_keras")
    t = {k: float(r[k]) for job in jobs for k in (job, job + "_cpu")}  # type: ignore[arg-type]
    mfj, mfj_cpu = t["model_from_json"], t["model_from_json_cpu"]
    return {
        "name": r["name"],
        "nodes": r["nodes"],
        "params": r["params"],
        "exact": bool(r["exact"]),
        "build": round(t["build"], 6),
        "model_from_json": round(mfj, 6),
        "build_ratio": round(t["build"] / mfj, 6),
        "build_cpu_ratio": round(t["build_cpu"] / mfj_cpu, 6),
        "from_keras": round(t["from_keras"], 6),
        "from_keras_ratio": round(t["from_keras"] / mfj, 6),
        "from_keras_cpu_ratio": round(t["from_keras_cpu"] / mfj_cpu, 6),
    }


def applications() -> list[str]:
    import keras

    return sorted(n for n in dir(keras.applications) if n[:1].isupper() and callable(getattr(keras.applications, n)))


def measure(name: str, repeat: int) -> dict[str, object]:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    proc = subprocess.run(
        [sys.executable, "-c", _ONE.format(root=str(ROOT), name=name, repeat=repeat)],
        capture_output=True,
        text=True,
        env=env,
        timeout=7200,
    )
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")), None)
    if proc.returncode != 0 or line is None:
        last = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()][-1:] or ["(no output)"]
        return {"name": name, "error": last[0][:200]}
    return {"name": name, **json.loads(line.removeprefix("RESULT "))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help=f"only {', '.join(QUICK)}")
    parser.add_argument("names", nargs="*", help="applications (ResNet50) or zoo specs (zoo/resnet50)")
    _results.add_arguments(parser, "build_speed")
    args = parser.parse_args()
    zoo = [f"zoo/{p.stem}" for p in sorted((ROOT / "specs" / "zoo").glob("*.yaml"))]
    names = args.names or (QUICK if args.quick else [*applications(), *zoo])
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; "
        f"seconds, median of {args.repeat}"
    )
    header = (
        f"{'model':<28} {'nodes':>5} {'params':>12} {'exact':>5} {'build':>7} {'m_f_json':>8} {'ratio':>6} {'cpu':>5} "
        f"{'from_keras':>10} {'ratio':>6} {'cpu':>5}"
    )
    print(header)
    rows = []
    started = time.perf_counter()
    for name in names:
        r = measure(name, args.repeat)
        rows.append(r)
        if "error" in r:
            print(f"{name:<28} failed: {r['error']}")
            continue
        mfj, build, imp = float(r["model_from_json"]), float(r["build"]), float(r["from_keras"])  # type: ignore[arg-type]
        cpu_build, cpu_imp = (
            float(r["build_cpu"]) / float(r["model_from_json_cpu"]),
            float(r["from_keras_cpu"]) / float(r["model_from_json_cpu"]),
        )  # type: ignore[arg-type]
        exact = "yes" if r["exact"] else "NO"
        print(
            f"{name:<28} {r['nodes']:>5} {r['params']:>12,} {exact:>5} {build:>7.3f} {mfj:>8.3f} {build / mfj:>6.2f} "
            f"{cpu_build:>5.2f} {imp:>10.3f} {imp / mfj:>6.2f} {cpu_imp:>5.2f}",
            flush=True,
        )
    done = [r for r in rows if "error" not in r]
    if done:
        build_ratios = [float(r["build"]) / float(r["model_from_json"]) for r in done]  # type: ignore[arg-type]
        import_ratios = [float(r["from_keras"]) / float(r["model_from_json"]) for r in done]  # type: ignore[arg-type]
        cpu_ratios = [float(r["build_cpu"]) / float(r["model_from_json_cpu"]) for r in done]  # type: ignore[arg-type]
        print(
            f"\n{len(done)} models in {time.perf_counter() - started:.0f} s. "
            f"build / model_from_json: median {statistics.median(build_ratios):.2f}, "
            f"max {max(build_ratios):.2f}, {sum(b <= 1.05 for b in build_ratios)} of {len(done)} ≤ 1.05; "
            f"exact counts (built once): {sum(bool(r['exact']) for r in done)} of {len(done)}"
        )
        print(
            f"the same in CPU time: median {statistics.median(cpu_ratios):.2f}, max {max(cpu_ratios):.2f}, "
            f"{sum(b <= 1.05 for b in cpu_ratios)} of {len(done)} ≤ 1.05"
        )
        print(
            f"from_keras / model_from_json: median {statistics.median(import_ratios):.2f}, "
            f"max {max(import_ratios):.2f}, {sum(i <= 0.25 for i in import_ratios)} of {len(done)} ≤ 0.25"
        )
    if args.json:
        note = f"seconds, medians of {args.repeat} after a warm-up; ratios are to model_from_json, by wall and CPU time"
        _results.write_results("build_speed", [result_row(r) for r in rows], columns=COLUMNS, note=note, path=args.json)
    return 1 if len(done) < len(rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
