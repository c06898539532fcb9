"""How much time does lint add to `graphspec validate`?

Prints, in one run on this machine:
  1. for each zoo model (and the seed gallery), the median in-process time of
     `graphspec.validate` (which runs lint) and of the lint stage alone on the same
     checked graph, and their ratio (target: lint under 5% of validate);
  2. the same for generated 1,000- and 10,000-node specs, to show lint grows linearly;
  3. the data rules on MNIST-sized arrays (60,000 × 784 floats and their labels):
     the plain data check against the same check with the lint data rules.

Run: python benchmarks/lint_speed.py [--repeat N] [--json PATH | --no-json]

The figures are also summarised as the rows of benchmarks/results/lint_speed.json (see
benchmarks/results/README.md).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import _results

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def median_time(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def generated(n: int) -> dict[str, Any]:
    """A chain of Dense layers with a residual Add every 10 nodes, ending in a softmax classifier with a loss."""
    nodes: dict[str, Any] = {}
    for i in range(n):
        src = "x" if i == 0 else f"n{i - 1}"
        nodes[f"n{i}"] = (
            {"layer": "Add", "inputs": [src, f"n{i - 9}"]}
            if i % 10 == 9 and i >= 10
            else {"layer": "Dense", "inputs": src, "units": 8, "activation": "relu"}
        )
    nodes["y"] = {"layer": "Dense", "inputs": f"n{n - 1}", "units": 10, "activation": "softmax"}
    return {
        "graphspec": 1,
        "inputs": {"x": {"shape": [8]}},
        "nodes": nodes,
        "outputs": {"y": {"loss": "categorical_crossentropy", "metrics": ["accuracy"]}},
    }


def row(name: str, source: Any, repeat: int) -> tuple[float, float, int]:
    import graphspec
    from graphspec.lint import lint

    report = graphspec.validate(source)
    t_validate = median_time(lambda: graphspec.validate(source), repeat)
    t_lint = median_time(lambda: lint(report.spec, report.graph, report.inference), repeat)
    nodes = len(report.graph.order)
    print(
        f"   {name:<28} {nodes:>6} nodes  validate {t_validate * 1000:8.2f} ms  lint {t_lint * 1000:7.3f} ms  "
        f"{t_lint / t_validate:6.2%}"
    )
    return t_validate, t_lint, nodes


COLUMNS = [{"key": "what", "label": "what"}, {"key": "figure", "label": "figure"}]


def _spread(values: list[float], fmt: str) -> str:
    """The least and the greatest of the values: "1.0% – 2.3%"."""
    return f"{min(values):{fmt}} – {max(values):{fmt}}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=15)
    _results.add_arguments(parser, "lint_speed")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, median of {args.repeat}")

    print("\n1. zoo and seed models: validate (lint included) vs the lint stage alone")
    totals = [0.0, 0.0]
    measured: dict[str, list[tuple[float, float, int]]] = {"zoo": [], "seed": [], "chains": []}
    zoo = sorted((ROOT / "specs/zoo").glob("*.yaml"))
    for path in zoo + sorted((ROOT / "specs/seed").glob("*.yaml")):
        v, lint_time, nodes = row(str(path.relative_to(ROOT / "specs")), path, args.repeat)
        measured[path.parent.name].append((v, lint_time, nodes))
        if path.parent.name == "zoo":
            totals[0] += v
            totals[1] += lint_time
    print(f"   zoo total: lint is {totals[1] / totals[0]:.2%} of validate (target < 5%)")

    print("\n2. generated specs")
    sizes = (1000, 10000)
    for n in sizes:
        measured["chains"].append(row(f"chain of {n}", generated(n), max(3, args.repeat // 5)))

    print("\n3. data rules on MNIST-sized arrays (60,000 × 784 float32, sparse labels)")
    import numpy as np

    import graphspec
    from graphspec import data
    from graphspec.lint import values

    spec = {
        "graphspec": 1,
        "inputs": {"pixels": {"shape": [784]}},
        "nodes": {
            "h": {"layer": "Dense", "inputs": "pixels", "units": 64, "activation": "relu"},
            "digit": {"layer": "Dense", "inputs": "h", "units": 10, "activation": "softmax"},
        },
        "outputs": {"digit": {"loss": "sparse_categorical_crossentropy"}},
    }
    report = graphspec.validate(spec)
    rng = np.random.default_rng(0)
    arrays = {"pixels": rng.standard_normal((60000, 784)).astype("float32"), "digit": rng.integers(0, 10, 60000)}
    expected = data.expected_arrays(report)
    plain = [s.__class__(**{**s.__dict__, "lint": None}) for s in expected]
    repeat = max(3, args.repeat // 3)
    t_plain = median_time(lambda: data.check_arrays(arrays, plain), repeat)
    t_all = median_time(lambda: data.check_arrays(arrays, expected), repeat)
    assert values.refine([], arrays, expected) == []
    print(
        f"   plain data check {t_plain * 1000:7.1f} ms, with the lint data rules {t_all * 1000:7.1f} ms "
        f"(+{(t_all - t_plain) * 1000:.1f} ms)"
    )
    if args.json:
        rows = summary(measured, [p.stem for p in zoo], sizes, totals[1] / totals[0], t_plain, t_all)
        note = f"in process, median of {args.repeat}; the lint stage timed alone on the same checked graph"
        _results.write_results("lint_speed", rows, columns=COLUMNS, note=note, path=args.json)
    return 0


def summary(
    measured: dict[str, list[tuple[float, float, int]]],
    zoo: list[str],
    sizes: tuple[int, ...],
    zoo_share: float,
    t_plain: float,
    t_all: float,
) -> list[dict[str, str]]:
    """The results file's rows: each group's figures as one line, as the docs show them."""
    rows = []
    share = {group: [lint / v for v, lint, _ in runs] for group, runs in measured.items()}
    lint_ms = {group: [lint * 1000 for _, lint, _ in runs] for group, runs in measured.items()}
    per_model = f"{_spread(share['zoo'], '.1%')} per model, {_spread(lint_ms['zoo'], '.2f')} ms of lint"
    rows.append(
        {
            "what": f"lint as a share of validate, zoo models ({', '.join(zoo)})",
            "figure": f"{zoo_share:.1%} in total (target 5%); {per_model}",
        }
    )
    validate_ms = [v * 1000 for v, _, _ in measured["seed"]]
    on = f"{_spread(lint_ms['seed'], '.2f')} ms, on validations of {_spread(validate_ms, '.1f')} ms"
    rows.append({"what": "the same, seed models", "figure": f"{_spread(share['seed'], '.1%')} ({on})"})
    chains = measured["chains"]
    validate_us = " / ".join(f"{v / n * 1e6:.1f}" for v, _, n in chains)
    lint_us = " / ".join(f"{lint / n * 1e6:.2f}" for _, lint, n in chains)
    rows.append(
        {
            "what": f"the same, generated {' / '.join(f'{n:,}' for n in sizes)}-node chains",
            "figure": f"{' / '.join(f'{s:.1%}' for s in share['chains'])} "
            f"(validate {validate_us} µs per node, lint {lint_us} µs per node)",
        }
    )
    rules = f"{t_plain * 1000:.0f} ms without them, {t_all * 1000:.0f} ms with"
    rows.append(
        {
            "what": "data rules on MNIST-sized arrays (60,000 × 784 floats, sparse labels)",
            "figure": f"+{(t_all - t_plain) * 1000:.0f} ms ({rules}), once per fit/evaluate/predict",
        }
    )
    return rows


if __name__ == "__main__":
    raise SystemExit(main())
