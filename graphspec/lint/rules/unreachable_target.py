"""unreachable-target: regression targets outside the range of the output's activation."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from graphspec.errors import Code, Severity
from graphspec.lint._rule import Finding, Rule

if TYPE_CHECKING:
    from graphspec.lint.values import ArrayFacts

_SLACK = 1e-6


def check(data: ArrayFacts) -> Iterator[Finding]:
    expect, loss, squash = data.expect, data.expect.loss, data.expect.squash
    if (
        loss is None
        or loss.classifies
        or squash is None
        or not squash.activation.bounded
        or not data.fits
        or not data.numeric
    ):
        return
    low, high = squash.activation.low, squash.activation.high
    wrong = data.count_outside(low - _SLACK, high + _SLACK)
    if not wrong:
        return
    share = wrong / max(data.values.size, 1)
    yield Finding(
        f"output {expect.name!r} ends in {squash.ends()}, so {squash.activation.values_text()}, "
        f"but {wrong} of its targets ({share:.0%}) lie outside, from {data.minimum:.4g} to {data.maximum:.4g}: "
        f"the model can never output them, so {loss.name} stays high "
        f"and the gradients vanish as the {squash.name} saturates",
        expect.path,
        f"scale the targets into {squash.activation.range_text()} (and back after predict), "
        "or make the output linear (activation: linear)",
        (expect.owner, squash.path),
    )


RULE = Rule(
    code=Code.UNREACHABLE_TARGET,
    severity=Severity.ERROR,
    stage="data",
    check=check,
    title="Data: regression targets the output cannot produce",
    explanation=(
        "A regression output that ends in a bounded activation can only produce values in its range: a sigmoid "
        "(0, 1), `tanh` (-1, 1), `relu` [0, ∞). Targets outside it (prices in the hundreds for a sigmoid copied "
        "from a classifier, standardised targets for a `relu`) can never be reached; the activation saturates, "
        "its gradient vanishes, and the predictions pile up at the bound. Either scale the targets into the "
        "range or end the output linearly. `fit --synthetic` makes its targets inside the range."
    ),
    example="price: {layer: Dense, inputs: h, units: 1, activation: sigmoid}\n# outputs:\nprice: {loss: mse}\n"
    "# data: price = 10 to 950",
    fix="price: {layer: Dense, inputs: h, units: 1}   # linear",
    reports=(
        "https://stats.stackexchange.com/questions/233499/neural-networks-bounded-output",
        "https://www.exchangetuts.com/index.php/neural-network-output-scaling-the-output-range-1756875274719477",
        "https://math.techqa.club/are-relu-a-very-bad-choice-as-last-layer-for-regression-4483706",
    ),
)
