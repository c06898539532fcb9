"""What expansion works from: parameter and block definitions, and the scope node definitions are expanded in."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphspec.errors import Path
from graphspec.expand._document import _Via
from graphspec.expand.expr import Value
from graphspec.expand.expr import type_of as _type_of
from graphspec.source import Document

_MAX_BLOCK_DEPTH = 32


@dataclass(frozen=True)
class _Param:
    name: str
    type: str
    default: Any
    required: bool
    path: Path
    value_path: Path  # where the default is written


@dataclass(frozen=True)
class _Block:
    name: str
    doc: Document
    path: Path
    params: dict[str, _Param]
    inputs: list[str]
    nodes: dict[str, Any]
    outputs: list[str]


@dataclass(frozen=True)
class _Scope:
    """Where node definitions are being expanded: names, parameters and inputs in view."""

    prefix: str
    env: Mapping[str, Value]
    inputs: Mapping[str, str]
    doc: Document
    path: Path
    via: tuple[_Via, ...] = ()
    blocks: tuple[str, ...] = ()


def _show(value: Any) -> str:
    kind = _type_of(value) or type(value).__name__
    return f"{kind} {value!r}"
