"""Parameters: the ``params:`` of the spec and of each block, declared, and values bound to them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphspec._util.names import IDENTIFIER_RE
from graphspec._util.suggest import did_you_mean
from graphspec.errors import Code, Path
from graphspec.expand._definitions import _Param, _show
from graphspec.expand._state import _State
from graphspec.expand.expr import Value
from graphspec.expand.expr import as_type as _typed
from graphspec.expand.expr import type_of as _type_of
from graphspec.source import Document, shown_value

_PARAM_TYPES: dict[str, tuple[type, ...]] = {"int": (int,), "float": (int, float), "bool": (bool,), "str": (str,)}


class _Params(_State):
    """Parameter declarations read, and values (defaults, overrides, instance arguments) bound to them.

    Reads ``root``; reports through ``error`` and ``flat_error``, and counts
    ``problems`` to tell whether a value bound; evaluates values through
    ``substitute`` and overrides through ``override_value``.
    """

    def declare(self, raw: Any, doc: Document, path: Path) -> dict[str, _Param]:
        """Parse a ``params:`` mapping: ``name: default`` or ``name: {type: ..., default: ...}``."""
        if raw is None:
            return {}
        if not isinstance(raw, dict):
            self.error(
                Code.WRONG_TYPE, "`params` is a mapping of parameter names to defaults or {type, default}", doc, path
            )
            return {}
        out: dict[str, _Param] = {}
        for name, decl in raw.items():
            where = (*path, name)
            if not IDENTIFIER_RE.fullmatch(name):
                self.error(
                    Code.BAD_NAME,
                    f"{name!r} is not a valid parameter name: letters, digits and '_'",
                    doc,
                    where,
                    at_key=True,
                )
                continue
            param = self.param(name, decl, doc, where)
            if param is not None:
                out[name] = param
        return out

    def param(self, name: str, decl: Any, doc: Document, where: Path) -> _Param | None:
        if isinstance(decl, str) and decl in _PARAM_TYPES:
            return _Param(name, decl, None, True, where, where)  # `filters: int`: a required parameter
        if not isinstance(decl, dict):
            kind = _type_of(decl)
            if kind is None:
                self.error(
                    Code.WRONG_TYPE,
                    f"parameter {name!r}: a default must be a number, boolean or string; got {decl!r}",
                    doc,
                    where,
                )
                return None
            return _Param(name, kind, decl, False, where, where)
        unknown = [k for k in decl if k not in ("type", "default", "description")]
        for k in unknown:
            self.error(
                Code.UNKNOWN_KEY,
                f"unknown key {k!r} in parameter {name!r}",
                doc,
                (*where, k),
                "allowed here: type, default, description",
                at_key=True,
            )
        kind = decl.get("type", _type_of(decl.get("default")))
        if not isinstance(kind, str) or kind not in _PARAM_TYPES:
            self.error(
                Code.BAD_VALUE,
                f"parameter {name!r}: type must be one of int, float, bool, str; got {kind!r}",
                doc,
                (*where, "type"),
            )
            return None
        return _Param(name, kind, decl.get("default"), "default" not in decl, where, (*where, "default"))

    def spec_params(self, raw: Any, overrides: dict[str, Any]) -> dict[str, Value]:
        decls = self.declare(raw, self.root, ("params",))
        for name in overrides:
            if name not in decls:
                hint = did_you_mean(
                    name,
                    list(decls),
                    otherwise=("declared: " + ", ".join(decls) if decls else "the spec declares no `params:`"),
                )
                self.error(
                    Code.UNKNOWN_PARAM,
                    f"--set/params names {shown_value(name)}, which the spec does not declare",
                    self.root,
                    ("params",),
                    hint,
                    at_key=True,
                )
        env: dict[str, Value] = {}
        for name, decl in decls.items():
            if name in overrides:
                value = self.override_value(decl, overrides[name])
                if value is not None:
                    env[name] = value
            elif decl.required:
                self.error(
                    Code.MISSING_PARAM,
                    f"parameter {name!r} has no default and was not set",
                    self.root,
                    decl.path,
                    f"give it a default, or pass --set {name}=...",
                    at_key=True,
                )
            else:
                value = self.bind(decl, decl.default, env, self.root, decl.value_path)
                if value is not None:
                    env[name] = value
        return env

    def bind(
        self, decl: _Param, raw: Any, env: Mapping[str, Value], doc: Document, path: Path, flat: bool = False
    ) -> Value | None:
        """Evaluate a parameter's value (a default or an instance's argument) and check its type."""
        before = len(self.problems)
        value = self.substitute(raw, env, doc, path, flat)
        if len(self.problems) > before:
            return None
        typed = _typed(value, decl.type)
        if typed is None:
            message = f"parameter {decl.name!r} is {decl.type}; got {_show(value)}"
            if flat:
                self.flat_error(Code.WRONG_TYPE, message, path)
            else:
                self.error(Code.WRONG_TYPE, message, doc, path)
        return typed
