"""threshold-on-logits: a metric that cuts at 0.5 an output the loss reads as logits."""

from __future__ import annotations

from collections.abc import Iterator

from graphspec.errors import Code, Severity
from graphspec.lint._facts import Facts
from graphspec.lint._keras import normal_name
from graphspec.lint._rule import Finding, Rule


def check(facts: Facts) -> Iterator[Finding]:
    for out in facts.outputs:
        loss = out.loss
        if loss is None or loss.family != "binary" or not loss.from_logits:
            continue
        for metric in out.metrics:
            if not metric.thresholds_at_half(out.classes):
                continue
            hint = (
                "give the metric from_logits: true ({class_name: AUC, config: {from_logits: true}})"
                if normal_name(metric.name) == "auc"
                else "cut at logit 0 instead: {class_name: BinaryAccuracy, config: {threshold: 0.0}}"
                if metric.family in ("auto",) or normal_name(metric.name) == "binaryaccuracy"
                else (
                    f"set the metric's threshold to 0.0, the logit of probability 0.5 ({{class_name: {metric.name}, "
                    f"config: {{thresholds: 0.0}}}})"
                )
            )
            yield Finding(
                f"{loss.name} has from_logits: true, so output {out.name!r} gives logits (any real number, 0 meaning "
                f"even odds), but {metric.name} thresholds them at 0.5 as if they were probabilities: a logit of 0.3 "
                "(57% yes) counts as no, so the reported metric is wrong",
                metric.path,
                hint,
                out.owners(),
            )


RULE = Rule(
    code=Code.THRESHOLD_ON_LOGITS,
    severity=Severity.WARNING,
    stage="graph",
    check=check,
    title="A 0.5 threshold on logits",
    explanation=(
        "With `from_logits: true` the output holds logits, where 0 is even odds. `accuracy` on one unit (Keras "
        "makes it `BinaryAccuracy`), `binary_accuracy`, `Precision` and `Recall` cut at 0.5 by default and `AUC` "
        "assumes probabilities: on logits every prediction between 0 and 0.5 (up to 62% yes) is counted as no. "
        "Training itself is right, but the metric people watch (and early stopping, checkpoints on it) is wrong. "
        "Set `threshold: 0.0` (Keras 3 accepts it) or `from_logits: true` on AUC."
    ),
    example=(
        "logit: {layer: Dense, inputs: h, units: 1}\n# outputs:\n"
        "logit: {loss: {class_name: BinaryCrossentropy, config: {from_logits: true}}, metrics: [accuracy]}"
    ),
    fix=(
        "logit: {layer: Dense, inputs: h, units: 1}\n# outputs:\nlogit:\n"
        "  loss: {class_name: BinaryCrossentropy, config: {from_logits: true}}\n"
        "  metrics: [{class_name: BinaryAccuracy, config: {threshold: 0.0}}]"
    ),
    reports=(
        "https://github.com/tensorflow/tensorflow/issues/41413",
        "https://github.com/tensorflow/docs/pull/1623",
        "https://github.com/keras-team/keras/pull/20101",
    ),
)
