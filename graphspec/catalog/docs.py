"""The documentation the catalogue carries: each layer's summary and each argument's text.

Generated with the catalogue by :mod:`graphspec.catalog._build` from Keras' own
docstrings, into ``catalog_docs.json``: a file apart from ``catalog.json`` and
read only when asked (hover in the language server), so ``validate`` never pays
for it. Defaults are the catalogue's (:class:`graphspec.catalog.Param`).
"""

from __future__ import annotations

import functools
import inspect
import json
from typing import Any

from graphspec.catalog.registry import registered_layers

__all__ = ["argument_doc", "layer_summary"]


@functools.cache
def _data() -> dict[str, Any]:
    from importlib.resources import files

    return json.loads(files("graphspec.catalog").joinpath("catalog_docs.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _custom(name: str) -> tuple[str, dict[str, str]] | None:
    """A registered layer's own docstring, read the same way (it is the user's class, already imported)."""
    cls = registered_layers().get(name)
    if cls is None:
        return None
    from graphspec.catalog._build import _arg_docs, _summary

    doc = inspect.getdoc(cls) or ""
    return _summary(doc), _arg_docs(doc)


def layer_summary(layer: str) -> str | None:
    """The first paragraph of the layer class's docstring, or ``None`` for an unknown layer."""
    custom = _custom(layer)
    if custom is not None:
        return custom[0]
    entry = _data()["layers"].get(layer)
    return None if entry is None else str(entry["summary"])


def argument_doc(layer: str, argument: str) -> str | None:
    """What Keras' docstring says of one argument of a layer (base-class arguments included), if anything."""
    custom = _custom(layer)
    if custom is not None:
        return custom[1].get(argument)
    entry = _data()["layers"].get(layer)
    text = entry["args"].get(argument) if entry is not None else None
    if text is None:
        text = _data()["layer_base_args"].get(argument)
    return None if text is None else str(text)
