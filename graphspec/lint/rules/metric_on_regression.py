"""metric-on-regression: accuracy (or another classification metric) on a regression output."""

from __future__ import annotations

from collections.abc import Iterator

from graphspec.errors import Code, Severity
from graphspec.lint._facts import Facts
from graphspec.lint._rule import Finding, Rule

_CLASSIFYING = ("auto", "threshold", "onehot", "sparse", "probability")


def check(facts: Facts) -> Iterator[Finding]:
    for out in facts.outputs:
        loss = out.loss
        if loss is None or loss.classifies:
            continue
        if out.squash is not None and out.squash.activation.probability:
            continue  # a classifier trained with a regression loss (sigmoid + mse): its accuracy means something
        for metric in out.metrics:
            if metric.family not in _CLASSIFYING:
                continue
            if metric.family == "auto":
                how = (
                    "on one unit Keras computes it as binary accuracy (prediction above 0.5 equals the target)"
                    if out.classes == 1
                    else "Keras computes it by matching the largest predicted and target values"
                )
            else:
                how = f"{metric.name} compares classes, which a real-valued target does not have"
            yield Finding(
                f"{metric.name} on output {out.name!r}, a regression trained with {loss.name}: {how}, so the number it "
                "reports stays near 0 or moves at random and says nothing about the model",
                metric.path,
                "use regression metrics: mae, mse, root_mean_squared_error, r2_score",
                out.owners(),
            )


RULE = Rule(
    code=Code.METRIC_ON_REGRESSION,
    severity=Severity.WARNING,
    stage="graph",
    check=check,
    title="A classification metric on a regression output",
    explanation=(
        "`accuracy` counts exact matches of classes. On a regression output (`mean_squared_error`, `mae`, "
        "`huber`, ...) Keras still computes something — binary accuracy (is the prediction above 0.5 equal to "
        "the target?) for one unit — and prints it every epoch, where it stays near 0 or moves at random while "
        "the loss falls. People then tune a model by a number that measures nothing, or conclude that a working "
        "model does not learn. Keras gives no warning. A sigmoid output trained with `mse` on 0/1 targets is a "
        "classifier and is left alone."
    ),
    example="price: {layer: Dense, inputs: h, units: 1}\n# outputs:\nprice: {loss: mse, metrics: [accuracy]}",
    fix="price: {layer: Dense, inputs: h, units: 1}\n# outputs:\nprice: {loss: mse, metrics: [mae]}",
    reports=(
        "https://stackoverflow.com/questions/48775305/what-function-defines-accuracy-in-keras-when-the-loss-is-mean-squared-error-mse",
        "https://openillumi.com/?p=75188",
    ),
)
