"""Conditional choices: a choice whose values carry their own parameters, each active only under its value."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from graphspec.errors import Code, Path
from graphspec.expand._search_space import Condition, Param, _same, _text
from graphspec.expand._search_state import _kind_hint, _ParseState, _show
from graphspec.expand.expr import Value
from graphspec.expand.expr import as_type as _as_type
from graphspec.source import resolve_plain


class _Branches(_ParseState):
    """``{choice: {SGD: {momentum: ...}, Adam: {...}}}``: the choice registered, then each branch's parameters.

    Registers through ``register`` and reads each branch through ``entries``; reports through ``error``.
    """

    def branches(self, base: Param, raw: dict[Any, Any], path: Path) -> Param | None:
        if not raw:
            self.error(Code.WRONG_TYPE, "a choice needs at least one value", path)
            return None
        keys = [_branch_key(k, base.type) for k in raw]
        for key, typed in zip(raw, keys, strict=True):
            if typed is None:
                self.error(
                    Code.WRONG_TYPE,
                    f"search parameter {base.name!r} is {base.type}; choice value {_show(key)} is not",
                    (*path, key),
                    _kind_hint(base.type),
                    at_key=True,
                )
        if any(k is None for k in keys):
            return None
        values = tuple(k for k in keys if k is not None)
        if len(set(map(_text, values))) != len(values):
            self.error(Code.DUPLICATE_NAME, f"choice {base.name!r} gives a value twice", path)
            return None
        self.register(
            replace(base, kind="choice", values=values, branches={v: () for v in values})
        )  # before its branches: parents come first
        for key, value in zip(raw, values, strict=True):
            sub = raw[key]
            if isinstance(sub, dict) and sub:
                self.entries(sub, (*path, key), (*base.conditions, Condition(base.name, (value,))))
            elif sub is not None and sub != {}:
                self.error(
                    Code.WRONG_TYPE,
                    f"the branch {key!r} of {base.name!r} maps its own parameters to their ranges (or is empty: {{}})",
                    (*path, key),
                )
        return None  # registered above


def _with_branches(params: list[Param]) -> tuple[Param, ...]:
    """Each conditional choice with the names its branches activate directly, in order."""
    out = []
    for p in params:
        if p.branches:
            children = [
                c for c in params if len(c.conditions) == len(p.conditions) + 1 and c.conditions[-1].parent == p.name
            ]
            p = replace(
                p,
                branches={
                    v: tuple(c.name for c in children if any(_same(v, w) for w in c.conditions[-1].values))
                    for v in p.values
                },
            )
        out.append(p)
    return tuple(out)


def _branch_key(key: Any, kind: str) -> Value | None:
    """A conditional choice's mapping key as a value of the parameter's type (JSON keys are strings)."""
    typed = _as_type(key, kind)
    if typed is not None or not isinstance(key, str):
        return typed
    return _as_type(resolve_plain(key), kind) if kind != "str" else None
