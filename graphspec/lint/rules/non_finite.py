"""non-finite-data: NaN or infinite values in an input or target."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from graphspec.errors import Code, Severity
from graphspec.lint._rule import Finding, Rule

if TYPE_CHECKING:
    from graphspec.lint.values import ArrayFacts


def check(data: ArrayFacts) -> Iterator[Finding]:
    nan, inf, first = data.nonfinite
    if not nan and not inf:
        return
    expect = data.expect
    what = " and ".join(p for p in (f"{nan} NaN" if nan else "", f"{inf} infinite" if inf else "") if p)
    yield Finding(
        f"{expect.role} {expect.name!r} holds {what} value{'s' if nan + inf > 1 else ''} "
        f"(the first in sample {first}): one in a batch makes that batch's loss NaN, "
        "and the weights after its update, so training turns NaN and stays there",
        expect.path,
        "clean the data first: drop those samples, or fill the gaps (numpy.nan_to_num, the column mean)",
        (expect.owner,),
    )


RULE = Rule(
    code=Code.NON_FINITE_DATA,
    severity=Severity.ERROR,
    stage="data",
    check=check,
    title="Data: NaN or infinite values",
    explanation=(
        "A single NaN in an input or target makes the loss of its batch NaN; the gradient step then writes "
        "NaN into the weights, and every later loss is NaN. Missing values read from CSV files, divisions by "
        "zero in preprocessing and log(0) are the usual sources. The training log only shows `loss: nan`, far "
        "from the cause; here the array and the first sample are named before anything is built."
    ),
    example="# data: x with missing values read as NaN",
    fix="# data: x = numpy.nan_to_num(x) (or drop the samples)",
    reports=(
        "https://theneuralbase.com/tensorflow/learn/beginner/nan-loss-learning-rate-or-data/",
        "https://github.com/rstudio/keras3/issues/1280",
    ),
)
