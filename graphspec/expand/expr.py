"""Parameter expressions: ``${filters * 4}``, ``${max(1, round(depth * 3))}``, evaluated safely.

Specs describe families of models with arithmetic on parameters, and nothing in a
spec may execute code, so this is a small language of its own, never ``eval``:
a tokenizer and a precedence-climbing parser over a closed set of

* numbers (``3``, ``0.25``, ``1e-3``), ``true``/``false``, and parameter names,
* ``+ - * / // % **`` and unary ``-``/``+``, with Python's precedence (``**``
  binds tighter than unary minus and groups to the right), and parentheses,
* the functions of :data:`FUNCTIONS` (``min``, ``max``, ``round``, ``floor``,
  ``ceil``, ``int``, ``float``, ``abs``, ``make_divisible``).

There is no attribute access, no indexing, no strings as code. Every input is
bounded: the text's length, the nesting of parentheses, exponents, ``round``'s
digits, and the size of every intermediate result and argument (integers below
2**53 in magnitude, finite floats), so the work inside any one C call is bounded
and an expression bomb like ``2 ** 2 ** 2 ** 99`` or ``round(x, -10**8)`` fails at
once instead of running (where Ctrl-C could not stop it).

Errors are :class:`ExprError` with the 0-based offset of the culprit in the text,
which the expansion stage turns into a file position.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from graphspec._util.names import IDENTIFIER
from graphspec._util.suggest import did_you_mean

__all__ = ["FUNCTIONS", "MAX_LENGTH", "ExprError", "Value", "as_type", "evaluate", "make_divisible", "type_of"]

Value = int | float | bool | str


def type_of(value: Any) -> str | None:
    """A parameter type's name for a value (``bool``, ``int``, ``float``, ``str``), or ``None`` for any other value."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "str"
    return None


def as_type(value: Any, kind: str) -> Value | None:
    """``value`` as a parameter of type ``kind`` (an int is a float), or ``None`` if it is not one."""
    if isinstance(value, bool) != (kind == "bool"):
        return None
    if kind == "float" and isinstance(value, int | float):
        return float(value)
    expected: type = {"int": int, "float": float, "bool": bool, "str": str}[kind]
    return value if isinstance(value, expected) and isinstance(value, int | float | str) else None


MAX_LENGTH = 200
_MAX_DEPTH = 32
_MAX_INT = 2**53  # every integer a float holds exactly: widths, counts, strides
_MAX_EXPONENT = 64


class ExprError(Exception):
    """An expression that cannot be evaluated; ``offset`` is where in its text (0-based)."""

    def __init__(self, message: str, offset: int):
        super().__init__(message)
        self.message = message
        self.offset = offset


def make_divisible(value: float, divisor: int, min_value: int | None = None) -> int:
    """Round ``value`` to a multiple of ``divisor``, never below 90% of it.

    The rule of ``_make_divisible`` in keras.applications (MobileNetV2 channel
    widths), so a width multiplier gives exactly the application's widths.
    """
    floor_value = divisor if min_value is None else min_value
    new = max(floor_value, int(value + divisor / 2) // divisor * divisor)
    if new < 0.9 * value:
        new += divisor
    return new


def _round(value: float, digits: int | None = None) -> int | float:
    return round(value) if digits is None else round(value, digits)


# name → (function, fewest arguments, most arguments; None: any number)
FUNCTIONS: dict[str, tuple[Callable[..., Value], int, int | None]] = {
    "min": (min, 1, None),
    "max": (max, 1, None),
    "abs": (abs, 1, 1),
    "round": (_round, 1, 2),
    "floor": (math.floor, 1, 1),
    "ceil": (math.ceil, 1, 1),
    "int": (int, 1, 1),
    "float": (float, 1, 1),
    "make_divisible": (make_divisible, 2, 3),
}

_CONSTANTS: dict[str, Value] = {"true": True, "false": False}

_TOKEN = re.compile(
    r"\s*(?:(?P<number>(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)"
    rf"|(?P<name>{IDENTIFIER})"
    r"|(?P<op>\*\*|//|[-+*/%(),]))"
)

# Binary operators: precedence, right-associative.
_BINARY: dict[str, tuple[int, bool]] = {
    "+": (1, False),
    "-": (1, False),
    "*": (2, False),
    "/": (2, False),
    "//": (2, False),
    "%": (2, False),
    "**": (4, True),
}
_UNARY_PRECEDENCE = 3


@dataclass(frozen=True)
class _Token:
    kind: str  # number, name, op, end
    text: str
    offset: int


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.lastgroup is None:
            if text[pos:].strip() == "":
                break
            at = len(text) - len(text[pos:].lstrip())
            raise ExprError(f"unexpected character {text[at]!r}", at)
        kind = match.lastgroup
        tokens.append(_Token(kind, match.group(kind), match.start(kind)))
        pos = match.end()
    tokens.append(_Token("end", "", len(text)))
    return tokens


class _Parser:
    """Precedence climbing over the token list, evaluating as it goes (no tree is kept)."""

    def __init__(self, text: str, env: Mapping[str, Value]):
        self.tokens = _tokenize(text)
        self.pos = 0
        self.env = env
        self.depth = 0

    @property
    def token(self) -> _Token:
        return self.tokens[self.pos]

    def take(self) -> _Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def expect(self, text: str) -> None:
        if self.token.text != text or self.token.kind != "op":
            found = "the end" if self.token.kind == "end" else repr(self.token.text)
            raise ExprError(f"expected {text!r}, found {found}", self.token.offset)
        self.pos += 1

    def parse(self) -> Value:
        value = self.expression(0)
        if self.token.kind != "end":
            raise ExprError(f"unexpected {self.token.text!r}", self.token.offset)
        return value

    def expression(self, min_precedence: int) -> Value:
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise ExprError(f"expression nested deeper than {_MAX_DEPTH} levels", self.token.offset)
        left = self.unary()
        while self.token.kind == "op" and self.token.text in _BINARY:
            precedence, right_assoc = _BINARY[self.token.text]
            if precedence < min_precedence:
                break
            op = self.take()
            right = self.expression(precedence if right_assoc else precedence + 1)
            left = _apply(op, left, right)
        self.depth -= 1
        return left

    def unary(self) -> Value:
        token = self.token
        if token.kind == "op" and token.text in ("-", "+"):
            self.pos += 1
            value = _number(self.expression(_UNARY_PRECEDENCE), token)
            return _checked(-value if token.text == "-" else value, token)
        return self.atom()

    def atom(self) -> Value:
        token = self.take()
        if token.kind == "number":
            return _checked(_literal(token.text), token)
        if token.kind == "name":
            if self.token.text == "(" and self.token.kind == "op":
                return self.call(token)
            if token.text in self.env:
                return self.env[token.text]
            if token.text in _CONSTANTS:
                return _CONSTANTS[token.text]
            raise ExprError(_unknown_name(token.text, self.env), token.offset)
        if token.text == "(" and token.kind == "op":
            value = self.expression(0)
            self.expect(")")
            return value
        found = "the end of the expression" if token.kind == "end" else repr(token.text)
        raise ExprError(f"expected a number, a name or '(', found {found}", token.offset)

    def call(self, name: _Token) -> Value:
        if name.text not in FUNCTIONS:
            raise ExprError(f"unknown function {name.text!r}; known: {', '.join(sorted(FUNCTIONS))}", name.offset)
        fn, fewest, most = FUNCTIONS[name.text]
        self.expect("(")
        args: list[Value] = []
        if not (self.token.kind == "op" and self.token.text == ")"):
            args.append(self.expression(0))
            while self.token.kind == "op" and self.token.text == ",":
                self.pos += 1
                args.append(self.expression(0))
        self.expect(")")
        if len(args) < fewest or (most is not None and len(args) > most):
            count = (
                str(fewest) if most == fewest else f"{fewest} to {most}" if most is not None else f"at least {fewest}"
            )
            raise ExprError(f"{name.text}() takes {count} argument(s), got {len(args)}", name.offset)
        numbers = [_number(a, name) for a in args]
        if name.text == "round" and len(numbers) == 2:
            # round(x, -n) computes 10**n inside one C call, which nothing can interrupt.
            if not isinstance(numbers[1], int):
                raise ExprError("round()'s second argument must be an integer", name.offset)
            if abs(numbers[1]) > _MAX_EXPONENT:
                raise ExprError(f"round()'s digits {numbers[1]} lie beyond ±{_MAX_EXPONENT}", name.offset)
        try:
            return _checked(fn(*numbers), name)
        except (ValueError, OverflowError, TypeError, ZeroDivisionError) as exc:
            raise ExprError(f"{name.text}() failed: {exc}", name.offset) from None


def _unknown_name(name: str, env: Mapping[str, Value]) -> str:

    known = did_you_mean(
        name, list(env), otherwise=("known: " + ", ".join(sorted(env)) if env else "no parameters are declared here")
    )
    return f"unknown name {name!r}; {known}"


def _literal(text: str) -> int | float:
    return int(text) if text.isdigit() else float(text)


def _number(value: Value, token: _Token) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ExprError(f"arithmetic needs numbers; got {type(value).__name__} {value!r}", token.offset)
    return value


def _checked(value: Value, token: _Token) -> Value:
    """Bound every intermediate result, so no expression can allocate or run long."""
    if isinstance(value, bool | str):
        return value
    if isinstance(value, int) and abs(value) >= _MAX_INT:
        raise ExprError(f"the result is too large (over 2**53 in magnitude) at {token.text!r}", token.offset)
    if isinstance(value, float) and (not math.isfinite(value) or abs(value) >= 1e300):
        raise ExprError(f"the result is not a finite number at {token.text!r}", token.offset)
    return value


def _apply(op: _Token, left: Value, right: Value) -> Value:
    a, b = _number(left, op), _number(right, op)
    name = op.text
    if name in ("/", "//", "%") and b == 0:
        raise ExprError("division by zero", op.offset)
    if name == "**":
        if abs(b) > _MAX_EXPONENT and abs(a) > 1:
            raise ExprError(f"the exponent {b} is too large (at most {_MAX_EXPONENT})", op.offset)
        if a == 0 and b < 0:
            raise ExprError("zero to a negative power", op.offset)
        try:
            result: Value = a**b
        except OverflowError:  # float ** float raises instead of giving inf
            raise ExprError(f"the result is not a finite number at {op.text!r}", op.offset) from None
        if isinstance(result, complex):
            raise ExprError("a negative number to a fractional power", op.offset)
        return _checked(result, op)
    table: dict[str, Callable[[int | float, int | float], int | float]] = {
        "+": lambda x, y: x + y,
        "-": lambda x, y: x - y,
        "*": lambda x, y: x * y,
        "/": lambda x, y: x / y,
        "//": lambda x, y: x // y,
        "%": lambda x, y: x % y,
    }
    return _checked(table[name](a, b), op)


def evaluate(text: str, env: Mapping[str, Value]) -> Value:
    """Evaluate one expression (the text between ``${`` and ``}``) over the parameters ``env``.

    Raises:
        ExprError: for a syntax error, an unknown name or function, a type
            error, division by zero, or a result over the bounds; ``offset``
            locates the culprit in ``text``.
    """
    if len(text) > MAX_LENGTH:
        raise ExprError(f"the expression is longer than {MAX_LENGTH} characters", MAX_LENGTH)
    if not text.strip():
        raise ExprError("the expression is empty", 0)
    return _Parser(text, env).parse()
