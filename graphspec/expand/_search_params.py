"""Parameters: each entry of ``search.params`` checked against its declaration, read by kind, registered once.

:class:`_Kinds` reads the kinds written as mappings or lists (ranges, choices,
fixed values); :class:`_Entries` reads an entry, dispatches it by kind through
``_KIND_PARSERS`` (or reads ``boolean`` and ``"${expression}"``), and registers
the parameter.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from graphspec._util.suggest import did_you_mean, did_you_mean_or_list
from graphspec.errors import Code, Path
from graphspec.expand._search_declared import _EXPRESSION
from graphspec.expand._search_space import _MAX_CHOICES, KINDS, SCALES, Condition, Param, _same, _text
from graphspec.expand._search_state import _kind_hint, _ParseState, _show
from graphspec.expand.expr import Value
from graphspec.expand.expr import as_type as _as_type
from graphspec.source import Document

_RANGE_KEYS = ("step", "scale")
_MAX_PARAMS = 256
_MAX_DEPTH = 8


class _Kinds(_ParseState):
    """The kinds of a searched parameter written as a mapping or a list: ranges, choices and fixed values.

    Reports through ``error``; hands a choice whose values carry parameters to ``branches``.
    """

    def ranged(self, base: Param, raw: dict[str, Any], path: Path) -> Param | None:
        kind = base.kind
        bounds = raw[kind]
        where = (*path, kind)
        if base.type != kind and not (kind == "int" and base.type == "float"):
            want = {"int": "an int", "float": "a float", "bool": "a bool", "str": "a str"}[base.type]
            self.error(
                Code.WRONG_TYPE,
                f"search parameter {base.name!r} is {want} parameter; a {kind} range does not fit it",
                where,
                _kind_hint(base.type),
            )
            return None
        numbers = (
            isinstance(bounds, list) and len(bounds) == 2 and all(_is_number(b, integral=kind == "int") for b in bounds)
        )
        if not numbers:
            self.error(
                Code.WRONG_TYPE,
                f"a {kind} range is [low, high] of two {'integers' if kind == 'int' else 'numbers'}; "
                f"got {_show(bounds)}",
                where,
            )
            return None
        low, high = bounds
        if kind == "int" and base.type == "float":
            kind, low, high = "float", float(low), float(high)
        step, scale = raw.get("step"), raw.get("scale", "linear")
        if scale not in SCALES:
            self.error(
                Code.BAD_VALUE,
                f"scale is one of {', '.join(SCALES)}; got {_show(scale)}",
                (*path, "scale"),
                did_you_mean_or_list(str(scale), SCALES),
            )
            return None
        problem = _range_problem(kind, low, high, step, scale)
        if problem is not None:
            at, message = problem
            self.error(Code.BAD_VALUE, f"search parameter {base.name!r}: {message}", (*path, at) if at else where)
            return None
        if kind == "float" and step is not None:
            step = float(step)
        if kind == "int" and step is None and scale == "linear":
            step = 1  # as Keras Tuner's Int: every integer, drawn uniformly
        return replace(
            base,
            kind=kind,
            low=low if kind == "int" else float(low),
            high=high if kind == "int" else float(high),
            step=step,
            scale=scale,
        )

    def choice(self, base: Param, raw: Any, path: Path) -> Param | None:
        if (
            isinstance(raw, dict)
            and "choice" in raw
            and base.kind == "choice"
            and not isinstance(raw.get("choice"), list | dict)
        ):
            self.error(
                Code.WRONG_TYPE,
                "a choice is a list of values or a mapping of values to their own parameters; "
                f"got {_show(raw['choice'])}",
                (*path, "choice"),
            )
            return None
        if isinstance(raw, dict) and isinstance(raw.get("choice"), dict):
            return self.branches(base, raw["choice"], (*path, "choice"))
        values = raw.get("choice") if isinstance(raw, dict) else raw
        where = (*path, "choice") if isinstance(raw, dict) else path
        if not isinstance(values, list) or not values:
            self.error(Code.WRONG_TYPE, f"a choice needs at least one value; got {_show(values)}", where)
            return None
        typed = self.typed_values(base, values, where)
        return None if typed is None else replace(base, kind="choice", values=typed)

    def typed_values(self, base: Param, values: list[Any], where: Path) -> tuple[Value, ...] | None:
        out: list[Value] = []
        for i, v in enumerate(values):
            typed = _as_type(v, base.type)
            if typed is None or isinstance(v, dict | list):
                self.error(
                    Code.WRONG_TYPE,
                    f"search parameter {base.name!r} is {base.type}; choice value {_show(v)} is not",
                    (*where, i),
                    _kind_hint(base.type),
                )
                return None
            if any(_same(typed, o) for o in out):
                self.error(Code.DUPLICATE_NAME, f"choice value {_text(typed)} is given twice", (*where, i))
                return None
            out.append(typed)
        if len(out) > _MAX_CHOICES:
            self.error(Code.BAD_VALUE, f"a choice has at most {_MAX_CHOICES} values", where)
            return None
        return tuple(out)

    def fixed(self, base: Param, raw: dict[str, Any], path: Path) -> Param | None:
        value = _as_type(raw["fixed"], base.type)
        if value is None or isinstance(raw["fixed"], dict | list):
            self.error(
                Code.WRONG_TYPE,
                f"search parameter {base.name!r} is {base.type}; fixed value {_show(raw['fixed'])} is not",
                (*path, "fixed"),
                _kind_hint(base.type),
            )
            return None
        return replace(base, kind="fixed", values=(value,))


_KIND_PARSERS: dict[str, Callable[[_Kinds, Param, dict[str, Any], Path], Param | None]] = {
    "int": _Kinds.ranged,
    "float": _Kinds.ranged,
    "choice": _Kinds.choice,
    "fixed": _Kinds.fixed,
}


class _Entries(_Kinds):
    """The entries of a ``params`` mapping: each checked against the spec's declarations, read, and registered once.

    Reads ``declared``; writes ``params`` and ``seen``; reports through ``error``.
    """

    def entries(self, raw: Any, path: Path, conditions: tuple[Condition, ...]) -> None:
        if not isinstance(raw, dict) or (not raw and not conditions):
            self.error(
                Code.WRONG_TYPE, "`params` maps parameter names to what to search: {width: {int: [32, 256]}}", path
            )
            return
        if len(conditions) > _MAX_DEPTH:
            self.error(Code.TOO_DEEP, f"conditional parameters nest deeper than {_MAX_DEPTH} levels", path)
            return
        for name, entry in raw.items():
            param = self.entry(str(name), entry, (*path, name), conditions)
            if param is not None:
                self.register(param)

    def register(self, param: Param) -> bool:
        first = self.seen.get(param.name)
        if first is None:
            if len(self.seen) >= _MAX_PARAMS:
                self.error(Code.BAD_VALUE, f"a search has at most {_MAX_PARAMS} parameters", param.path, at_key=True)
                return False
            self.seen[param.name] = param
            self.params.append(param)
            return True
        # The same parameter in several branches of one choice (momentum for SGD and RMSprop):
        # one parameter, active in each.
        same_parent = (
            first.conditions[:-1] == param.conditions[:-1]
            and first.conditions
            and param.conditions
            and first.conditions[-1].parent == param.conditions[-1].parent
        )
        if same_parent and replace(first, path=param.path, conditions=param.conditions, branches={}) == replace(
            param, branches={}
        ):
            last = first.conditions[-1]
            merged = replace(
                first,
                conditions=(
                    *first.conditions[:-1],
                    Condition(last.parent, (*last.values, *param.conditions[-1].values)),
                ),
            )
            self.params[self.params.index(first)] = merged
            self.seen[param.name] = merged
            return False
        where = _position(self.doc, first.path)
        self.error(
            Code.DUPLICATE_NAME,
            f"parameter {param.name!r} is searched twice (first at {where})",
            param.path,
            "one parameter has one range; give the other a name of its own",
            at_key=True,
        )
        return False

    def entry(self, name: str, raw: Any, path: Path, conditions: tuple[Condition, ...]) -> Param | None:
        decl = self.declared.get(name)
        if decl is None:
            hint = did_you_mean(
                name,
                list(self.declared),
                otherwise=f"declare it under `params:` with the value the spec builds with: `params: {{{name}: ...}}`",
            )
            self.error(
                Code.UNKNOWN_PARAM,
                f"search parameter {name!r} is not declared under the spec's `params:`",
                path,
                hint,
                at_key=True,
            )
            return None
        if decl.type is None:
            return None  # a malformed declaration: the expansion stage reports it
        base = Param(name, "choice", decl.type, path, conditions=conditions)
        if isinstance(raw, list):
            return self.choice(base, raw, path)
        if isinstance(raw, str):
            return self.word(base, raw, path)
        if not isinstance(raw, dict):
            expected = 'a range, a choice, `boolean`, {fixed: v} or "${expression}"'
            self.error(
                Code.WRONG_TYPE,
                f"search parameter {name!r}: expected {expected}; got {_show(raw)}",
                path,
                f"to keep it at one value write {{fixed: {_text(raw)}}}",
            )
            return None
        kinds = [k for k in raw if k in ("int", "float", "choice", "fixed")]
        if len(kinds) != 1:
            unknown = [k for k in raw if k not in (*KINDS, *_RANGE_KEYS)]
            for key in unknown:
                self.error(
                    Code.UNKNOWN_KEY,
                    f"unknown key {key!r} in search parameter {name!r}",
                    (*path, key),
                    did_you_mean_or_list(key, ("int", "float", "choice", "fixed", *_RANGE_KEYS)),
                    at_key=True,
                )
            if not unknown:
                what = "gives no kind" if not kinds else f"gives {len(kinds)} kinds ({', '.join(kinds)})"
                self.error(
                    Code.BAD_VALUE,
                    f"search parameter {name!r} {what}; give exactly one of int, float, choice, fixed",
                    path,
                )
            return None
        kind = kinds[0]
        allowed = (kind, *_RANGE_KEYS) if kind in ("int", "float") else (kind,)
        for key in raw:
            if key not in allowed:
                self.error(
                    Code.UNKNOWN_KEY,
                    f"unknown key {key!r} in {kind} parameter {name!r}",
                    (*path, key),
                    did_you_mean_or_list(key, allowed),
                    at_key=True,
                )
        return _KIND_PARSERS[kind](self, replace(base, kind=kind), raw, path)

    def word(self, base: Param, raw: str, path: Path) -> Param | None:
        if raw == "boolean":
            if base.type != "bool":
                self.error(
                    Code.WRONG_TYPE,
                    f"search parameter {base.name!r} is {base.type}; `boolean` searches a bool parameter",
                    path,
                )
                return None
            return replace(base, kind="boolean")
        match = _EXPRESSION.fullmatch(raw.strip())
        if match is not None:
            text = match.group(1) if match.group(1) is not None else match.group(2)
            return replace(base, kind="derived", expression=text)
        hint = (
            did_you_mean(raw, ["boolean"])
            or f'a choice is a list ([{raw}, ...]); one value is {{fixed: {raw}}}; a derived value is "${{expression}}"'
        )
        self.error(
            Code.BAD_VALUE,
            f'search parameter {base.name!r}: {raw!r} is neither `boolean` nor a "${{...}}" expression',
            path,
            hint,
        )
        return None


def _range_problem(kind: str, low: float, high: float, step: Any, scale: str) -> tuple[str | None, str] | None:
    """What is wrong with a range, and under which key; ``None`` if it is fine."""
    if low >= high:
        return None, f"low {low:g} must be below high {high:g} (for one value write {{fixed: {low:g}}})"
    if scale != "linear" and low <= 0:
        return None, f"a {scale} scale needs low > 0; got {low:g}"
    if step is None:
        return None
    if not _is_number(step, integral=kind == "int"):
        return (
            "step",
            f"the step of a {kind} range is {'an integer' if kind == 'int' else 'a number'}; got {_show(step)}",
        )
    if scale == "linear" and step <= 0:
        return "step", f"the step must be above 0; got {step:g}"
    if scale != "linear" and step <= 1:
        return "step", f"with a {scale} scale the step is a factor above 1 (2 gives 32, 64, 128); got {step:g}"
    if scale == "linear" and step > high - low:
        return "step", f"step {step:g} is larger than the range {low:g}..{high:g}"
    return None


def _is_number(value: Any, *, integral: bool) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) if integral else isinstance(value, int | float) and math.isfinite(value)


def _position(doc: Document, path: Path) -> str:
    mark = doc.position(path, at_key=True)
    return f"{doc.file or '<spec>'}:{mark.line}:{mark.column}" if mark else (doc.file or "<spec>")
