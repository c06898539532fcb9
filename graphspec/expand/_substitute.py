"""Substitution: ``${expr}`` and ``$name`` in any value, evaluated by :mod:`graphspec.expand.expr`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from graphspec._util.names import IDENTIFIER
from graphspec.errors import Code, Diagnostic, Path
from graphspec.expand._accounting import Exhausted
from graphspec.expand._state import _State
from graphspec.expand.expr import ExprError, Value, evaluate
from graphspec.source import Document, locate

_WHOLE = re.compile(rf"\$\{{([^{{}}]*)\}}|\$({IDENTIFIER})")
_EMBEDDED = re.compile(r"\$\$|\$\{([^{}]*)\}")


class _Substitution(_State):
    """Values with their ``${...}`` evaluated, copied and counted against the bounds as they are made.

    Reads and counts into ``tally``; places errors at flat paths through ``out``;
    appends to ``problems``.
    """

    def substitute(self, value: Any, env: Mapping[str, Value], doc: Document, path: Path, flat: bool = False) -> Any:
        """``value`` with every ``${...}`` evaluated; errors located at ``path`` (flat or in ``doc``).

        The result is a copy: every value in it is counted against the values
        bound as it is made, so a repeated block's large list costs its size per copy.
        """
        tally = self.tally
        tally.values += 1
        if tally.values > tally.max_values:  # reported at the node being copied, not deep inside one of its values
            self.exhausted(
                tally.too_many_values(), path[:2] if flat and path[:1] == ("nodes",) else path, None if flat else doc
            )
        if isinstance(value, str):
            return self.expression(value, env, doc, path, flat) if "$" in value else value
        if isinstance(value, dict):
            return {k: self.substitute(v, env, doc, (*path, k), flat) for k, v in value.items()}
        if isinstance(value, list):
            return [self.substitute(v, env, doc, (*path, i), flat) for i, v in enumerate(value)]
        return value

    def expression(self, text: str, env: Mapping[str, Value], doc: Document, path: Path, flat: bool) -> Any:
        try:
            whole = _WHOLE.fullmatch(text)
            if whole is not None:
                inner = whole.group(1) if whole.group(1) is not None else whole.group(2)
                start = 2 if whole.group(1) is not None else 1
                return _evaluate_at(inner, env, start)
            return self.embedded(text, env)
        except ExprError as exc:
            self.expression_error(text, exc, doc, path, flat)
            return text
        except Exhausted as exc:
            self.exhausted(exc, path, None if flat else doc)

    def embedded(self, text: str, env: Mapping[str, Value]) -> str:
        """Text with its ``${...}`` formatted in; the new string's length is counted before it is joined."""
        pieces: list[str] = []
        last = 0
        for match in _EMBEDDED.finditer(text):
            pieces.append(text[last : match.start()])
            pieces.append("$" if match.group(0) == "$$" else _format(_evaluate_at(match.group(1), env, match.start(1))))
            last = match.end()
        pieces.append(text[last:])
        self.tally.add_string(sum(map(len, pieces)))
        return "".join(pieces)

    def expression_error(self, text: str, exc: ExprError, doc: Document, path: Path, flat: bool) -> None:
        hint = (
            "write ${name} or ${expression}; operators + - * / // % **, functions min, max, round, floor, ceil, int, "
            "float, abs, make_divisible"
        )
        diag = Diagnostic(Code.BAD_EXPRESSION, f"in {text!r}: {exc.message}", path, hint)
        placed = self.out.place(diag) if flat else locate([diag], doc)[0]
        self.problems.append(_shift(placed, exc.offset))


def _format(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _evaluate_at(text: str, env: Mapping[str, Value], start: int) -> Value:
    try:
        return evaluate(text, env)
    except ExprError as exc:
        raise ExprError(exc.message, exc.offset + start) from None


def _shift(d: Diagnostic, offset: int) -> Diagnostic:
    """Move a located diagnostic's column to the culprit inside the expression string."""
    if d.line is None or d.column is None:
        return d
    line = d.source_line or ""
    quoted = 1 if line[d.column - 1 : d.column] in ("'", '"') else 0
    return d.located(d.file, d.line, d.column + quoted + offset, d.source_line)
