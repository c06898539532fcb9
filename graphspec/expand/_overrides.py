"""Command-line overrides: ``--set name=value`` (and ``params=`` from Python),
parsed and held to the rules of the spec's own text."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from graphspec._util.names import IDENTIFIER_RE
from graphspec.errors import Code
from graphspec.expand._definitions import _Param
from graphspec.expand._state import _State
from graphspec.expand.expr import Value
from graphspec.expand.expr import as_type as _typed
from graphspec.source import INT_BOUND, SURROGATE, Limits, resolve_plain, shown_value

__all__ = ["CommandLineValue", "parse_override"]


@dataclass(frozen=True)
class CommandLineValue:
    """A ``--set`` value: its text, and that text read as a YAML 1.2 plain scalar.

    A ``str`` parameter takes the text as written (``--set tag=1`` is ``"1"``);
    other types take the scalar (``0.5`` a float, ``true`` a boolean).
    """

    text: str
    value: Any

    def for_type(self, kind: str) -> Any:
        return self.text if kind == "str" else self.value

    def __repr__(self) -> str:
        return repr(self.value)


def parse_override(text: str) -> tuple[str, CommandLineValue]:
    """``"width=0.5"`` (the CLI's ``--set``) → ``("width", CommandLineValue("0.5", 0.5))``.

    The value's type is checked against the parameter's declaration when the spec
    is expanded.

    Raises:
        ValueError: for text without ``=`` or without a name.
    """
    name, sep, value = text.partition("=")
    if not sep or not IDENTIFIER_RE.fullmatch(name.strip()):
        raise ValueError(f"expected NAME=VALUE, got {text!r}")
    return name.strip(), CommandLineValue(value.strip(), resolve_plain(value.strip()))


class _Overrides(_State):
    """The value an override gives a spec parameter, checked against its declaration.

    Reads ``root`` and ``limits``; reports through ``error``.
    """

    def override_value(self, decl: _Param, given: Any) -> Value | None:
        """A ``--set``/``params=`` value, held to the rules of the spec's own text;
        ``None`` (reported) if it breaks one.

        From Python it can be anything: an int past the float range (no float
        parameter can take it, and 5,000 digits cannot even be printed), a
        non-finite float, a string too long for a spec or holding a lone surrogate.
        """
        raw = given.for_type(decl.type) if isinstance(given, CommandLineValue) else given
        problem = _override_problem(raw, self.limits)
        if problem is not None:
            self.error(
                Code.BAD_VALUE,
                f"--set/params gives {decl.name}={shown_value(raw)}; {problem}",
                self.root,
                decl.path,
                at_key=True,
            )
            return None
        value = _typed(raw, decl.type)
        if value is None:
            self.error(
                Code.WRONG_TYPE,
                f"--set/params gives {decl.name}={shown_value(given)}; the parameter is {decl.type}",
                self.root,
                decl.path,
                at_key=True,
            )
        return value


def _override_problem(value: Any, limits: Limits) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and abs(value) >= INT_BOUND:
        return "numbers must lie within ±1.8e308, the range of a float"
    if isinstance(value, float) and not math.isfinite(value):
        # A spec's own text cannot hold these (the loader refuses them); neither can --set.
        return "parameters are finite numbers"
    if isinstance(value, str):
        if len(value) > limits.max_bytes:
            return f"a string parameter holds at most {limits.max_bytes:,} characters"
        if SURROGATE.search(value):
            return "it holds a lone surrogate, which is not a Unicode character"
    return None
