"""How small and how fast is an imported spec next to Keras' own JSON?

For ResNet50, MobileNetV2, InceptionV3, DenseNet121 and EfficientNetB0 (built
with ``weights=None``), prints in one run on this machine:

  1. size: the imported spec as YAML (lines, bytes) vs ``model.to_json()`` as
     Keras writes it (one line, compact) and pretty-printed with ``indent=2``
     (what a person opening it sees), and the spec's size as a fraction of each;
  2. time (median of --repeat runs): ``graphspec.from_keras(model)`` (import,
     with the importer's caches cleared each run), ``graphspec.build``
     of the spec's YAML text (load, validate, emit; not compiled), and
     ``keras.models.model_from_json`` of the compact JSON, in the same process;
  3. the same times on small real models: every model of the corpus in
     tests/corpus/ (keras-io examples and guides, Keras' functional tests) that
     imports and builds, with the ratio ``(from_keras + build) / model_from_json``
     per model and its median, range and quartiles over the corpus;
  4. with ``--profile N``, where ``from_keras`` spends its time on those small
     models (cold caches, cProfile): the importer's stages with their share of
     the total and call counts, then the N functions with the most own time.

Run: python benchmarks/import_size.py [--repeat N] [--small-only | --applications-only] [--profile N]
                                      [--json PATH | --no-json] [NAME ...]

The applications' table (sections 1 and 2) is also written to
benchmarks/results/import_size.json (see benchmarks/results/README.md); with
--small-only or --profile there is no such table, and no file is written.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import time
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import _results

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

APPLICATIONS = ["ResNet50", "MobileNetV2", "InceptionV3", "DenseNet121", "EfficientNetB0"]


def median_time(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def lines(text: str) -> int:
    return text.count("\n") + (not text.endswith("\n"))


def measure(name: str, repeat: int) -> dict[str, Any]:
    import keras

    import graphspec

    model = getattr(keras.applications, name)(weights=None)
    compact = model.to_json()
    indented = json.dumps(json.loads(compact), indent=2)
    spec_text = graphspec.from_keras(model).to_yaml()

    def do_import() -> None:
        clear_importer_caches()
        graphspec.from_keras(model)

    return {
        "name": name,
        "spec": (lines(spec_text), len(spec_text.encode())),
        "compact": (lines(compact), len(compact.encode())),
        "indented": (lines(indented), len(indented.encode())),
        "import": median_time(do_import, repeat),
        "build": median_time(lambda: graphspec.build(spec_text, compile=False), repeat),
        "keras": median_time(lambda: keras.models.model_from_json(compact), repeat),
    }


def clear_importer_caches() -> None:
    """What a fresh process starts with: the importer's per-class argument searches not yet done."""
    from graphspec.importer import _arguments as importer

    importer._minimal_cache.clear()
    importer._build_rewrites.clear()


def small_models() -> list[tuple[str, Any, dict[str, type], Any]]:
    """The corpus models that import and build: (name, model, custom objects, the entry's registration context)."""
    import keras

    import graphspec
    from tests.corpus import entries
    from tests.corpus.check import _registered

    out = []
    for entry in entries().values():
        if entry.json or entry.slow:
            continue
        keras.backend.clear_session(free_memory=False)
        with _registered(entry.custom):
            model = entry.build()
            try:
                graphspec.build(graphspec.from_keras(model).to_yaml(), compile=False)
            except graphspec.SpecError:
                continue
        out.append((entry.name, model, {c.__name__: c for c in entry.custom}, entry.custom))
    return out


def measure_small(repeat: int) -> list[dict[str, Any]]:
    import keras

    import graphspec
    from tests.corpus.check import _registered

    rows = []
    for name, model, custom, classes in small_models():
        with _registered(classes):
            spec_text = graphspec.from_keras(model).to_yaml()
            compact = model.to_json()

            def do_import(model: Any = model) -> None:
                clear_importer_caches()
                graphspec.from_keras(model)

            try:
                keras.models.model_from_json(compact, custom_objects=custom)
            except Exception:  # a custom layer Keras itself cannot rebuild from its JSON: no baseline
                continue
            rows.append(
                {
                    "name": name,
                    "layers": len(model.layers),
                    "import": median_time(do_import, repeat),
                    "build": median_time(lambda spec_text=spec_text: graphspec.build(spec_text, compile=False), repeat),
                    "keras": median_time(
                        lambda compact=compact, custom=custom: keras.models.model_from_json(
                            compact, custom_objects=custom
                        ),
                        repeat,
                    ),
                }
            )
    return rows


def print_small(rows: list[dict[str, Any]], repeat: int) -> None:
    print(
        f"{'small model (tests/corpus)':<45} {'layers':>6} {'from_keras':>10} {'build(spec)':>12} "
        f"{'import+build':>13} {'model_from_json':>16} {'ratio':>7}   (seconds, median of {repeat})"
    )
    for r in rows:
        both = r["import"] + r["build"]
        print(
            f"{r['name']:<45} {r['layers']:>6} {r['import']:>10.3f} {r['build']:>12.3f} {both:>13.3f} "
            f"{r['keras']:>16.3f} {both / r['keras']:>7.2f}"
        )
    ratios = sorted((r["import"] + r["build"]) / r["keras"] for r in rows)
    imports = sorted(r["import"] for r in rows)
    quartiles = statistics.quantiles(ratios, n=4)
    print(
        f"{len(rows)} small models: from_keras {imports[0]:.3f}-{imports[-1]:.3f} s "
        f"(median {statistics.median(imports):.3f} s); "
        f"(from_keras + build) / model_from_json median {statistics.median(ratios):.2f}x, "
        f"quartiles {quartiles[0]:.2f}x-{quartiles[2]:.2f}x, range {ratios[0]:.2f}x-{ratios[-1]:.2f}x"
    )


# The importer's stages, by the function that does each (graphspec/importer.py, graphspec/_api.py).
_STAGES = [
    ("from_keras, in all", "importer.py", "from_keras"),
    ("  walk the graph into spec data (_ModelImporter.data)", "importer.py", "data"),
    ("    minimal arguments per layer (_minimal_args, cached by config)", "importer.py", "_minimal_args"),
    ("      argument search of a new config (_Rebuild.minimal)", "importer.py", "minimal"),
    ("        trial layers built and their configs read (_config_of)", "importer.py", "_config_of"),
    ("          Keras layer constructors (_construct)", "importer.py", "_construct"),
    ("          comparable_config of trial layers", "importer.py", "comparable_config"),
    ("        objects to spec syntax (_object_value)", "importer.py", "_object_value"),
    ("      cache key: json.dumps of the config", "__init__.py", "dumps"),
    ("      copy.deepcopy of the cached arguments", "copy.py", "deepcopy"),
    ("  load: the spec data parsed into a Spec (pydantic)", "_api.py", "load"),
    ("  validate: graph, catalogue and shape checks", "_api.py", "validate"),
]


@contextlib.contextmanager
def _trial_layers_by_class() -> Iterator[dict[str, list[float]]]:
    """Count and time the layers importer._construct builds, per class (the outermost call only)."""
    from graphspec.importer import _arguments as importer

    original, trials, depth = importer._construct, defaultdict(lambda: [0, 0.0]), [0]

    def timed(name: str, args: Any) -> Any:
        depth[0] += 1
        start = time.perf_counter()
        try:
            return original(name, args)
        finally:
            depth[0] -= 1
            if depth[0] == 0:
                trials[name][0] += 1
                trials[name][1] += time.perf_counter() - start

    importer._construct = timed
    try:
        yield trials
    finally:
        importer._construct = original


def profile_small(top: int) -> None:
    """cProfile of cold from_keras over the small models, summarised by the importer's stages."""
    import cProfile
    import pstats

    import graphspec
    from tests.corpus.check import _registered

    models = small_models()
    profiler = cProfile.Profile()
    with _trial_layers_by_class() as trials:
        for _, model, _, classes in models:
            with _registered(classes):
                clear_importer_caches()
                profiler.enable()
                graphspec.from_keras(model)
                profiler.disable()
    stats = pstats.Stats(profiler)
    raw = stats.stats  # type: ignore[attr-defined]
    total = next(v[3] for k, v in raw.items() if k[0].endswith("importer.py") and k[2] == "from_keras")
    print(
        f"Where from_keras spends its time on {len(models)} small models "
        "(cold caches, cProfile, so slower than unprofiled):"
    )
    for label, file, function in _STAGES:
        # (cProfile counts a recursive function's cumulative time once, at its outermost call.)
        found = [(v[1], v[3]) for k, v in raw.items() if k[0].endswith(file) and k[2] == function]
        calls, cumulative = sum(c for c, _ in found), sum(t for _, t in found)
        print(f"  {label:<70} {cumulative:>7.2f} s {cumulative / total:>6.1%} {calls:>8,} calls")
    print(
        "\nTrial layers the argument search constructs, by class "
        "(profiled seconds; nested layers count with their wrapper):"
    )
    for name, (count, seconds) in sorted(trials.items(), key=lambda kv: -kv[1][1])[:12]:
        print(f"  {name:<28} {count:>6,} built {seconds:>7.2f} s {seconds / count * 1000:>7.1f} ms each")
    print(f"\nThe {top} functions with the most own time inside from_keras:")
    stats.sort_stats("tottime").print_stats(top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--small-only", action="store_true", help="only the small corpus models, not the applications")
    only.add_argument("--applications-only", action="store_true", help="only the applications, not the small models")
    parser.add_argument(
        "--profile",
        type=int,
        metavar="N",
        default=0,
        help="profile from_keras on the small models and print the top N functions",
    )
    parser.add_argument("names", nargs="*", default=APPLICATIONS)
    _results.add_arguments(parser, "import_size")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    if args.profile:
        profile_small(args.profile)
        return
    rows = []
    if not args.small_only:
        rows = print_applications(args.names, args.repeat)
        print()
    if not args.applications_only:
        print_small(measure_small(args.repeat), args.repeat)
    if args.json:
        note = f"times are medians of {args.repeat}"
        _results.write_results("import_size", result_rows(rows), columns=COLUMNS, note=note, path=args.json)


COLUMNS = [
    {"key": "model", "label": "model"},
    {"key": "spec_yaml", "label": "spec (YAML)"},
    {"key": "to_json", "label": "Keras `to_json()`"},
    {"key": "to_json_indented", "label": "same, `indent=2`"},
    {"key": "spec_share", "label": "spec / JSON"},
    {"key": "from_keras", "label": "`from_keras`"},
    {"key": "build", "label": "`build` of the spec"},
    {"key": "model_from_json", "label": "`model_from_json`"},
]


def result_rows(measured: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The applications' measurements as the results file's rows, sizes and times written out as the docs show them."""
    return [
        {
            "model": r["name"],
            "spec_yaml": f"{r['spec'][0]:,} lines, {r['spec'][1]:,} B",
            "to_json": f"{r['compact'][1]:,} B",
            "to_json_indented": f"{r['indented'][0]:,} lines, {r['indented'][1]:,} B",
            "spec_share": f"{r['spec'][1] / r['compact'][1]:.1%} ({r['spec'][1] / r['indented'][1]:.1%} of indented)",
            "from_keras": f"{r['import']:.2f} s",
            "build": f"{r['build']:.2f} s",
            "model_from_json": f"{r['keras']:.2f} s",
        }
        for r in measured
    ]


def print_applications(names: list[str], repeat: int) -> list[dict[str, Any]]:
    rows = [measure(n, repeat) for n in names]
    print(
        f"{'model':<15} {'spec lines':>10} {'spec bytes':>11} {'JSON bytes':>11} {'JSON indent=2 lines':>20} "
        f"{'bytes':>10}  {'spec/JSON':>9} {'spec/indented':>13}"
    )
    for r in rows:
        print(
            f"{r['name']:<15} {r['spec'][0]:>10,} {r['spec'][1]:>11,} {r['compact'][1]:>11,} "
            f"{r['indented'][0]:>20,} {r['indented'][1]:>10,}"
            f"  {r['spec'][1] / r['compact'][1]:>9.1%} {r['spec'][1] / r['indented'][1]:>13.1%}"
        )
    print()
    print(
        f"{'model':<15} {'from_keras':>10} {'build(spec)':>12} {'import+build':>13} {'model_from_json':>16} "
        f"{'ratio':>7}   (seconds, median of {repeat})"
    )
    for r in rows:
        both = r["import"] + r["build"]
        print(
            f"{r['name']:<15} {r['import']:>10.2f} {r['build']:>12.2f} {both:>13.2f} {r['keras']:>16.2f} "
            f"{both / r['keras']:>7.2f}"
        )
    return rows


if __name__ == "__main__":
    main()
