"""What marks a spec as authored: the keys expansion consumes, and the check that lets a plain spec through
untouched."""

from __future__ import annotations

from typing import Any

from graphspec.source import Document

__all__ = ["AUTHORING_KEYS", "needs_expansion"]

AUTHORING_KEYS = (
    "params",
    "blocks",
    "include",
    "search",
)  # `search:` is graphspec.expand.search's; never part of the flat spec


def needs_expansion(doc: Document) -> bool:
    """Whether a loaded spec uses blocks, params, includes, ``model:`` files or ``${...}``.

    A plain spec expands to itself; this check keeps that case cheap.
    """
    data = doc.data
    if not isinstance(data, dict):
        return False
    if any(k in data for k in AUTHORING_KEYS):
        return True
    nodes = data.get("nodes")
    if isinstance(nodes, dict) and any(
        isinstance(n, dict) and ("block" in n or isinstance(n.get("model"), str)) for n in nodes.values()
    ):
        return True
    if doc.text is not None:
        return "$" in doc.text
    return _has_dollar(data)


def _has_dollar(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str) and "$" in item:
            return True
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False
