"""A corpus of real Keras models from public code, to measure what graphspec imports exactly.

Each entry rebuilds one model definition found in public code — keras-io
examples and guides, Keras' own functional-model and saving tests, the shapes
people commit as ``model.to_json()`` — written anew here (small sizes, no
weights downloaded) and following the original's architecture, call pattern and
compile settings. Every builder names its source (repository and path, or URL).

``tests/test_corpus.py`` imports each model with :func:`graphspec.from_keras`,
builds the spec back and compares them (``tests/corpus/check.py``);
``tests/corpus/expected.py`` holds what is known not to round-trip yet, and how
it fails. ``benchmarks/corpus.py`` prints the count.

The modules that define entries are imported by :func:`entries`, in the order
of ``_MODULES``; an entry's name is unique across them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

_MODULES = ("keras_io_guides", "keras_io_examples", "keras_tests", "json_files")


@dataclass(frozen=True)
class Entry:
    """One real model definition.

    ``build`` returns a ``keras.Model``, or the text of a JSON file (``json=True``):
    what ``model.to_json()`` wrote, which is imported as a file would be.
    ``custom`` are the classes a user registers with graphspec before importing
    (``graphspec.register_layer``), ``objects`` the custom losses, metrics, activations...
    with their kind (``graphspec.register_object``). ``data`` makes the inputs for the prediction
    check when random ones do not fit (strings, ids below a small vocabulary),
    keyed by input name. ``slow`` entries (large applications) run only with
    ``-m slow``.
    """

    name: str
    source: str
    feature: str
    build: Callable[[], Any]
    custom: tuple[type, ...] = ()
    objects: tuple[tuple[Any, str], ...] = ()
    data: Callable[[], Mapping[str, Any]] | None = None
    json: bool = False
    slow: bool = False


_ENTRIES: dict[str, Entry] = {}


def entry(name: str, source: str, feature: str, **options: Any) -> Callable[[Callable[[], Any]], Callable[[], Any]]:
    """Register the decorated builder as the corpus entry ``name``."""

    def register(build: Callable[[], Any]) -> Callable[[], Any]:
        if name in _ENTRIES:
            raise ValueError(f"corpus entry {name!r} is defined twice")
        _ENTRIES[name] = Entry(name, source, feature, build, **options)
        return build

    return register


def entries() -> dict[str, Entry]:
    """Every corpus entry by name, in definition order."""
    for module in _MODULES:
        importlib.import_module(f"{__name__}.{module}")
    return dict(_ENTRIES)
