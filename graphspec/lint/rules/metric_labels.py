"""metric-label-mismatch: a metric that reads labels in another form than the loss trains on."""

from __future__ import annotations

from collections.abc import Iterator

from graphspec.errors import Code, Severity
from graphspec.lint._facts import Facts, OutputView
from graphspec.lint._keras import LossInfo, MetricInfo, normal_name
from graphspec.lint._rule import Finding, Rule

_FORMS = {"onehot": "one-hot rows", "sparse": "integer class ids", "binary": "yes/no values per unit"}


def _why(loss: LossInfo, metric: MetricInfo, out: OutputView) -> str | None:
    """What the metric computes instead, or ``None`` when it fits the loss's labels."""
    form = metric.label_form
    if loss.labels == "onehot" and form == "sparse":
        return "it compares the predicted class id with a one-hot row, so the accuracy it reports is wrong"
    if loss.labels == "sparse" and form == "onehot":
        return (
            "the largest value of a one-column label is always at index 0, "
            "so it reports how often the model predicts class 0"
        )
    classes = out.classes
    if (
        loss.labels in ("onehot", "sparse")
        and normal_name(metric.name) == "binaryaccuracy"
        and classes is not None
        and classes > 1
    ):
        return (
            f"it scores each of the {classes} units as its own yes/no, "
            f"so a model that predicts 'no class' everywhere scores {1 - 1 / classes:.0%}"
        )
    if loss.labels == "binary" and form in ("onehot", "sparse"):
        return (
            "it takes the largest of the outputs as a class, "
            "which yes/no outputs do not have, so it reports a meaningless number"
        )
    return None


def check(facts: Facts) -> Iterator[Finding]:
    for out in facts.outputs:
        loss = out.loss
        if loss is None:
            continue
        for metric in out.metrics:
            why = _why(loss, metric, out)
            if why is None:
                continue
            yield Finding(
                f"{metric.name} on output {out.name!r} expects {_FORMS[metric.label_form or 'binary']}, "
                f"but {loss.name} trains it on {_FORMS.get(loss.labels, 'real values')}: {why}",
                metric.path,
                "use accuracy (Keras picks the form from the labels' shape), or the metric that matches the loss: "
                + {
                    "onehot": "categorical_accuracy",
                    "sparse": "sparse_categorical_accuracy",
                    "binary": "binary_accuracy",
                }.get(loss.labels, "accuracy"),
                out.owners(),
            )


RULE = Rule(
    code=Code.METRIC_LABEL_MISMATCH,
    severity=Severity.WARNING,
    stage="graph",
    check=check,
    title="A metric that expects labels in another form than the loss",
    explanation=(
        "`categorical_accuracy` takes one-hot labels, `sparse_categorical_accuracy` integer class ids, "
        "`binary_accuracy` a yes/no per unit; the loss fixes which form the data has. With the wrong one the "
        "metric runs without error and reports a wrong number: `categorical_accuracy` on class ids reports "
        'how often class 0 is predicted ("accuracy stuck"), `binary_accuracy` on ten one-hot classes reports '
        "about 90% for any model. `accuracy` picks the right form itself."
    ),
    example=(
        "head: {layer: Dense, inputs: h, units: 10, activation: softmax}\n# outputs:\n"
        "head: {loss: sparse_categorical_crossentropy, metrics: [categorical_accuracy]}"
    ),
    fix=(
        "head: {layer: Dense, inputs: h, units: 10, activation: softmax}\n# outputs:\n"
        "head: {loss: sparse_categorical_crossentropy, metrics: [sparse_categorical_accuracy]}"
    ),
    reports=(
        "https://devpeace.com/python/44477489/keras-difference-between-categorical-accuracy-and-sparse-categorical-accuracy",
        "https://stackoverflow.com/questions/42081257/why-binary-crossentropy-and-categorical-crossentropy-give-different-performances",
    ),
)
