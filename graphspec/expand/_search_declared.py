"""The spec's ``params:`` as a search sees them: each parameter's type and default, and the values in effect.

The expansion stage (:mod:`graphspec.expand._params`) owns ``params:`` and reports
malformed declarations; a search reads only what it needs to check its
parameters against them and to tell which are active.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphspec._util.names import IDENTIFIER, IDENTIFIER_RE
from graphspec.errors import Path
from graphspec.expand.expr import ExprError, Value, evaluate
from graphspec.expand.expr import as_type as _as_type
from graphspec.expand.expr import type_of as _type_of

_NAME = IDENTIFIER_RE
_EXPRESSION = re.compile(rf"\$\{{([^{{}}]*)\}}|\$({IDENTIFIER})")
_PARAM_TYPES = ("int", "float", "bool", "str")


@dataclass(frozen=True)
class Declared:
    """A parameter of the spec's ``params:`` as far as the search needs it: type and default."""

    name: str
    type: str | None
    default: Any
    required: bool
    path: Path


def _declared(raw: Any) -> dict[str, Declared]:
    """Names, types and defaults of the spec's parameters (malformed ones are the expansion stage's to report)."""
    if not isinstance(raw, dict):
        return {}
    out: dict[str, Declared] = {}
    for name, decl in raw.items():
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            continue
        path: Path = ("params", name)
        if isinstance(decl, str) and decl in _PARAM_TYPES:
            out[name] = Declared(name, decl, None, True, path)
        elif isinstance(decl, dict):
            kind = decl.get("type", _type_of(decl.get("default")))
            out[name] = Declared(
                name, kind if kind in _PARAM_TYPES else None, decl.get("default"), "default" not in decl, path
            )
        else:
            out[name] = Declared(name, _type_of(decl), decl, False, path)
    return out


def _values_in_effect(declared: Mapping[str, Declared], overrides: Mapping[str, Any]) -> dict[str, Value]:
    """Each parameter's value as expansion would give it: the override, else its default (evaluated)."""
    env: dict[str, Value] = {}
    for name, decl in declared.items():
        if decl.type is None:
            continue
        if name in overrides:
            given = overrides[name]
            value = given.for_type(decl.type) if hasattr(given, "for_type") else given
        elif decl.required:
            continue
        else:
            value = decl.default
            match = _EXPRESSION.fullmatch(value.strip()) if isinstance(value, str) else None
            if match is not None:
                try:
                    value = evaluate(match.group(1) if match.group(1) is not None else match.group(2), env)
                except ExprError:
                    continue  # the expansion stage reports it
        typed = _as_type(value, decl.type)
        if typed is not None:
            env[name] = typed
    return env
