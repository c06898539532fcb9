"""binary-target-range: binary_crossentropy targets outside [0, 1]."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from graphspec.errors import Code, Severity
from graphspec.lint._rule import Finding, Rule

if TYPE_CHECKING:
    from graphspec.lint.values import ArrayFacts


def check(data: ArrayFacts) -> Iterator[Finding]:
    expect, loss = data.expect, data.expect.loss
    if loss is None or loss.family != "binary" or not data.fits or not data.numeric:
        return
    wrong = data.count_outside(0.0, 1.0)
    if not wrong:
        return
    low, high = data.minimum, data.maximum
    signed = low == -1 and high == 1
    yield Finding(
        f"targets of output {expect.name!r} range from {low:.4g} to {high:.4g} ({wrong} outside [0, 1]), "
        f"but {loss.name} takes targets in [0, 1]: for a target outside it the loss has no minimum, "
        "so it runs to large negative values and the model learns nothing useful",
        expect.path,
        "map -1/1 labels to 0/1 ((y + 1) / 2)"
        if signed
        else "scale the targets into [0, 1], or use a regression loss (mse) for real-valued targets",
        (expect.owner,),
    )


RULE = Rule(
    code=Code.BINARY_TARGET_RANGE,
    severity=Severity.ERROR,
    stage="data",
    check=check,
    title="Data: binary_crossentropy targets outside [0, 1]",
    explanation=(
        "`binary_crossentropy` is `-(t·log(p) + (1 - t)·log(1 - p))`, a proper loss only for targets t in "
        "[0, 1]. With -1/1 labels, class ids 0..9 or real-valued targets it has no minimum in p: the loss "
        'falls without bound ("loss: -117944.75") while accuracy stays near zero.'
    ),
    example="head: {layer: Dense, inputs: h, units: 1, activation: sigmoid}\n# outputs:\n"
    "head: {loss: binary_crossentropy}\n# data: head = prices, 10 to 950",
    fix="# outputs:\nhead: {loss: mse}        # with a linear output, for real-valued targets",
    reports=(
        "https://openillumi.com/en/en-keras-tf-fix-huge-negative-loss-regression",
        "https://github.com/crazydemo/facial-attribute-classification-with-graph/issues/1",
    ),
)
