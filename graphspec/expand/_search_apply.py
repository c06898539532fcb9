"""Applying a point to the spec: the mapping entries that name an inactive parameter left out.

An entry whose value is exactly ``$name`` (or ``${name}``) of a parameter in a
branch not chosen is dropped, so a spec's ``config:`` can list every optimizer's
arguments and each optimizer gets its own.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from graphspec._util.names import IDENTIFIER
from graphspec.expand._search_space import Point, Space
from graphspec.source import Document

_REFERENCE = re.compile(rf"\$\{{\s*({IDENTIFIER})\s*\}}|\$({IDENTIFIER})")


def inactive_entries_dropped(data: Any, inactive: frozenset[str]) -> Any:
    """``data`` without the mapping entries whose value is exactly ``$name`` of an inactive parameter.

    The ``search`` and ``params`` sections are left as they are. Lists keep
    their items (removing one would shift what every later index means).
    """
    if not inactive or not isinstance(data, dict):
        return data
    return {k: v if k in ("search", "params") else _dropped(v, inactive) for k, v in data.items()}


def _dropped(value: Any, inactive: frozenset[str]) -> Any:
    if isinstance(value, dict):
        return {k: _dropped(v, inactive) for k, v in value.items() if not _names_inactive(v, inactive)}
    if isinstance(value, list):
        return [_dropped(v, inactive) for v in value]
    return value


def _names_inactive(value: Any, inactive: frozenset[str]) -> bool:
    if not isinstance(value, str):
        return False
    match = _REFERENCE.fullmatch(value.strip())
    return match is not None and (match.group(1) or match.group(2)) in inactive


def conditioned(space: Space, point: Point) -> Document:
    """The spec document of ``space`` with ``point``'s inactive parameters' entries left out."""
    return replace(space.doc, data=inactive_entries_dropped(space.doc.data, point.inactive))
