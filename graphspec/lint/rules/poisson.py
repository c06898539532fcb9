"""negative-poisson-rate: the poisson loss on an output that can be negative."""

from __future__ import annotations

from collections.abc import Iterator

from graphspec.errors import Code, Severity
from graphspec.lint._facts import Facts
from graphspec.lint._rule import Finding, Rule


def check(facts: Facts) -> Iterator[Finding]:
    for out in facts.outputs:
        loss, squash = out.loss, out.squash
        if loss is None or loss.family != "poisson" or squash is None or squash.activation.low >= 0:
            continue
        yield Finding(
            f"{loss.name} computes prediction - target·log(prediction), but output {out.name!r} ends in "
            f"{squash.ends()}, so {squash.activation.values_text()}: the log of a negative prediction is NaN, and with "
            "random initial weights about half of them are negative, so the loss is NaN from the first steps",
            loss.path,
            "end the output in a positive activation: activation: softplus (or exponential)",
            out.owners(squash),
        )


RULE = Rule(
    code=Code.NEGATIVE_POISSON_RATE,
    severity=Severity.ERROR,
    stage="graph",
    check=check,
    title="The poisson loss on an output that can be negative",
    explanation=(
        "The poisson loss is `prediction - target * log(prediction + 1e-7)`: it needs predictions above 0, the "
        "rate of a count. A linear output (or `tanh`, `elu`, `leaky_relu`, ...) starts out negative for about half "
        "of the examples, and the log of a negative number is NaN: the first batch's loss is NaN, and so are the "
        "weights after the first update. The model never learns. `softplus` or `exponential` keep the rate "
        "positive."
    ),
    example="rate: {layer: Dense, inputs: h, units: 1}\n# outputs:\nrate: {loss: poisson}",
    fix="rate: {layer: Dense, inputs: h, units: 1, activation: softplus}\n# outputs:\nrate: {loss: poisson}",
    reports=(
        "https://github.com/keras-team/keras/issues/590",
        "https://github.com/keras-team/keras/issues/18886",
        "https://github.com/keras-team/keras/pull/479",
    ),
)
