"""expr: the safe parameter-expression evaluator (precedence, functions, bounds, error offsets)."""

from __future__ import annotations

import math

import pytest

from graphspec.expand.expr import MAX_LENGTH, ExprError, evaluate, make_divisible

ENV = {"filters": 64, "width": 0.5, "depth": 1.33, "act": "relu", "flag": True}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("filters", 64),
        ("filters * 4", 256),
        ("filters // 3", 21),
        ("filters / 4", 16.0),
        ("filters % 10", 4),
        ("2 + 3 * 4", 14),
        ("(2 + 3) * 4", 20),
        ("2 ** 3 ** 2", 512),  # right-associative, as in Python
        ("-2 ** 2", -4),  # ** binds tighter than unary minus
        ("2 ** -1", 0.5),
        ("10 - 4 - 3", 3),  # left-associative
        ("--3", 3),
        ("+width", 0.5),
        ("1e3", 1000.0),
        (".5 + 1.", 1.5),
        ("max(1, round(depth * 3))", 4),
        ("min(filters, 32, 48)", 32),
        ("int(filters * width)", 32),
        ("float(3)", 3.0),
        ("floor(2.7) + ceil(2.1)", 5),
        ("abs(-3)", 3),
        ("round(2.675, 2)", 2.67),
        ("make_divisible(32 * width, 8)", 16),
        ("make_divisible(int(24 * 0.35), 8)", 8),
        ("act", "relu"),
        ("flag", True),
        ("true", True),
        ("  filters  ", 64),
    ],
)
def test_evaluates(text: str, value: object) -> None:
    got = evaluate(text, ENV)
    assert got == value and type(got) is type(value)


def test_make_divisible_matches_keras_applications_rule() -> None:
    # keras.applications.mobilenet_v2._make_divisible, copied here as the reference.
    def keras_rule(v: float, divisor: int, min_value: int | None = None) -> int:
        if min_value is None:
            min_value = divisor
        new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
        if new_v < 0.9 * v:
            new_v += divisor
        return new_v

    for alpha in (0.35, 0.5, 0.75, 1.0, 1.3, 1.4):
        for filters in (16, 24, 32, 64, 96, 160, 320, 1280):
            assert make_divisible(filters * alpha, 8) == keras_rule(filters * alpha, 8)
            assert make_divisible(int(filters * alpha), 8) == keras_rule(int(filters * alpha), 8)


@pytest.mark.parametrize(
    ("text", "offset", "message"),
    [
        ("filters *", 9, "expected a number, a name or '(', found the end of the expression"),
        ("filters * * 2", 10, "expected a number, a name or '(', found '*'"),
        ("fliters * 4", 0, "unknown name 'fliters'; did you mean 'filters'?"),
        ("filters @ 2", 8, "unexpected character '@'"),
        ("(filters", 8, "expected ')', found the end"),
        ("filters)", 7, "unexpected ')'"),
        ("sqrt(4)", 0, "unknown function 'sqrt'"),
        ("max()", 0, "max() takes at least 1 argument(s), got 0"),
        ("abs(1, 2)", 0, "abs() takes 1 argument(s), got 2"),
        ("filters / 0", 8, "division by zero"),
        ("filters // (width - 0.5)", 8, "division by zero"),
        ("act * 2", 4, "arithmetic needs numbers; got str 'relu'"),
        ("-act", 0, "arithmetic needs numbers"),
        ("flag + 1", 5, "arithmetic needs numbers; got bool True"),
        ("filters.real", 7, "unexpected character '.'"),
        ("filters[0]", 7, "unexpected character '['"),
        ("'a'", 0, "unexpected character"),
        ("__import__('os')", 11, "unexpected character"),
        ("(-8) ** 0.5", 5, "a negative number to a fractional power"),
        ("0 ** -1", 2, "zero to a negative power"),
        ("", 0, "the expression is empty"),
    ],
)
def test_errors_name_the_culprit_and_its_offset(text: str, offset: int, message: str) -> None:
    with pytest.raises(ExprError) as info:
        evaluate(text, ENV)
    assert info.value.offset == offset
    assert message in info.value.message


@pytest.mark.parametrize(
    "text",
    [
        "2 ** 2 ** 2 ** 99",  # an exponent bomb: refused before anything is computed
        "9 ** 64 ** 64",
        "10 ** 17",
        "99999999 * 99999999 * 99999999",
        "1e300 * 1e300",
        "1e400",
        "int(1e300)",
        "make_divisible(1e300, 8)",
        "9007199254740993",
    ],
)
def test_results_are_bounded(text: str) -> None:
    with pytest.raises(ExprError, match=r"too large|not a finite number|exponent"):
        evaluate(text, {})


def test_length_and_nesting_are_bounded() -> None:
    with pytest.raises(ExprError, match=f"longer than {MAX_LENGTH}"):
        evaluate("1+" * 200 + "1", {})
    with pytest.raises(ExprError, match="nested deeper"):
        evaluate("(" * 40 + "1" + ")" * 40, {})
    with pytest.raises(ExprError, match="nested deeper"):
        evaluate("-" * 60 + "1", {})
    assert evaluate("(" * 10 + "1" + ")" * 10, {}) == 1


def test_largest_allowed_values_still_evaluate() -> None:
    assert evaluate("2 ** 52", {}) == 2**52
    assert math.isclose(float(evaluate("2.0 ** 64", {})), 2.0**64)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1e200 ** 2", "not a finite number"),  # float ** raises OverflowError instead of giving inf
        ("0.5 ** -2000", "not a finite number"),
        ("make_divisible(5, 0)", r"make_divisible\(\) failed: .*by zero"),
        ("make_divisible(5, 0.0)", r"make_divisible\(\) failed: .*by zero"),
    ],
)
def test_float_overflow_and_zero_divisors_are_expression_errors(text: str, message: str) -> None:
    with pytest.raises(ExprError, match=message):
        evaluate(text, {})
