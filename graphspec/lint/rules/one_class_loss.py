"""one-class-loss: a categorical loss over a single class is constant."""

from __future__ import annotations

from collections.abc import Iterator

from graphspec.errors import Code, Severity
from graphspec.lint._facts import Facts
from graphspec.lint._rule import Finding, Rule
from graphspec.shapes import fmt


def check(facts: Facts) -> Iterator[Finding]:
    for out in facts.outputs:
        loss = out.loss
        if loss is None or loss.family not in ("categorical", "sparse") or out.classes != 1 or out.tensor is None:
            continue
        if loss.family == "categorical":
            what = "a softmax over one class is always 1.0, so the loss is 0 for every example"
        else:
            what = "label 0 gives loss 0 for every example and any other label is out of range"
        yield Finding(
            f"{loss.name} on output {out.name!r}, which has one unit (shape {fmt(out.tensor.shape)}): {what}; "
            "the gradient is zero and the model learns nothing",
            loss.path,
            "for two classes use one sigmoid unit with binary_crossentropy, "
            "or give the output one unit per class (units: 2 or more)",
            out.owners(),
        )


RULE = Rule(
    code=Code.ONE_CLASS_LOSS,
    severity=Severity.ERROR,
    stage="graph",
    check=check,
    title="A categorical loss on an output of one unit",
    explanation=(
        "`categorical_crossentropy` compares a distribution over the classes with the labels; over one class that "
        "distribution is always `[1.0]` (Keras normalises the output by its sum, or applies a softmax with "
        "`from_logits: true`), so the loss is `-log(1) = 0` for every example. `sparse_categorical_crossentropy` "
        "with one unit gives 0 for label 0 and an out-of-range error (or NaN on a GPU) for every other label. "
        "Training reports a loss of 0 (or a constant) from the first step and no weight ever changes; Keras 3 "
        "only warns once the first batch runs, after TensorFlow has loaded and the model is built."
    ),
    example="head: {layer: Dense, inputs: h, units: 1, activation: sigmoid}\n# outputs:\n"
    "head: {loss: categorical_crossentropy}",
    fix="head: {layer: Dense, inputs: h, units: 1, activation: sigmoid}\n# outputs:\nhead: {loss: binary_crossentropy}",
    reports=(
        "https://stats.stackexchange.com/questions/481881/convolutional-neural-network-fails-even-when-given-answer",
        "https://github.com/keras-team/keras/issues/11786",
        "https://github.com/keras-team/keras/issues/18909",
    ),
)
