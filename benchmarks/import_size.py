"""How small and how fast is an imported spec next to Keras' own JSON?

For ResNet50, MobileNetV2, InceptionV3, DenseNet121 and EfficientNetB0 (built
with ``weights=None``), prints in one run on this machine:

  1. size: the imported spec as YAML (lines, bytes) vs ``model.to_json()`` as
     Keras writes it (one line, compact) and pretty-printed with ``indent=2``
     (what a person opening it sees), and the spec's size as a fraction of each;
  2. time (median of --repeat runs): ``graphspec.from_keras(model)`` (import,
     with the importer's caches cleared each run), ``graphspec.build``
     of the spec's YAML text (load, validate, emit; not compiled), and
     ``keras.models.model_from_json`` of the compact JSON, in the same process.

Run: python benchmarks/import_size.py [--repeat N] [NAME ...]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

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
    from graphspec import importer

    model = getattr(keras.applications, name)(weights=None)
    compact = model.to_json()
    indented = json.dumps(json.loads(compact), indent=2)
    spec_text = graphspec.from_keras(model).to_yaml()

    def do_import() -> None:
        importer._minimal_cache.clear()
        importer._build_rewrites.clear()
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("names", nargs="*", default=APPLICATIONS)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    rows = [measure(n, args.repeat) for n in args.names]
    print(f"{'model':<15} {'spec lines':>10} {'spec bytes':>11} {'JSON bytes':>11} {'JSON indent=2 lines':>20} {'bytes':>10}  {'spec/JSON':>9} {'spec/indented':>13}")
    for r in rows:
        print(
            f"{r['name']:<15} {r['spec'][0]:>10,} {r['spec'][1]:>11,} {r['compact'][1]:>11,} {r['indented'][0]:>20,} {r['indented'][1]:>10,}"
            f"  {r['spec'][1] / r['compact'][1]:>9.1%} {r['spec'][1] / r['indented'][1]:>13.1%}"
        )
    print()
    print(f"{'model':<15} {'from_keras':>10} {'build(spec)':>12} {'import+build':>13} {'model_from_json':>16} {'ratio':>7}   (seconds, median of {args.repeat})")
    for r in rows:
        both = r["import"] + r["build"]
        print(f"{r['name']:<15} {r['import']:>10.2f} {r['build']:>12.2f} {both:>13.2f} {r['keras']:>16.2f} {both / r['keras']:>7.2f}")


if __name__ == "__main__":
    main()
