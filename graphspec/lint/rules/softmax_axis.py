"""softmax-axis-mismatch: the output's softmax and its categorical loss disagree on the class axis."""

from __future__ import annotations

from collections.abc import Iterator

from graphspec.errors import Code, Severity
from graphspec.lint._facts import Facts
from graphspec.lint._rule import Finding, Rule
from graphspec.shapes import fmt


def check(facts: Facts) -> Iterator[Finding]:
    for out in facts.outputs:
        loss, squash = out.loss, out.squash
        if loss is None or loss.family not in ("categorical", "sparse") or squash is None or squash.name != "softmax":
            continue
        want = out.loss_axis()
        if squash.axis is None or want is None or squash.axis == want or out.tensor is None or out.tensor.shape is None:
            continue
        shape = out.tensor.shape
        yield Finding(
            f"the softmax of output {out.name!r} ({squash.where()}) normalises over axis {squash.axis} of "
            f"{fmt(shape)}, but {loss.name} reads the classes along axis {want} (size {shape[want]}): the values it "
            "scores are not a distribution over the classes, so the loss and its gradients are wrong",
            loss.path,
            f"apply the softmax over the class axis (axis: {want - len(shape)}), "
            "or set the loss's axis to the class axis",
            out.owners(squash),
        )


RULE = Rule(
    code=Code.SOFTMAX_AXIS_MISMATCH,
    severity=Severity.WARNING,
    stage="graph",
    check=check,
    title="The softmax and the loss disagree on the class axis",
    explanation=(
        "Categorical losses read the classes along one axis (`axis: -1` by default); the output's softmax must "
        "normalise over that same axis. A `Softmax(axis: 1)` on a sequence or image output, or a `channels_first` "
        "model whose softmax is left on the last axis, produces values that sum to 1 along the wrong axis: the "
        "loss then compares the labels with numbers that are not class probabilities. Training runs, but learns "
        "a distorted objective."
    ),
    example=(
        "probs: {layer: Softmax, inputs: logits, axis: 1}   # logits: (None, 20, 5), 5 classes\n# outputs:\n"
        "probs: {loss: categorical_crossentropy}"
    ),
    fix=(
        "probs: {layer: Softmax, inputs: logits}            # axis: -1, the classes\n# outputs:\n"
        "probs: {loss: categorical_crossentropy}"
    ),
    reports=(
        "https://github.com/tensorflow/tensorflow/issues/48647",
        "https://github.com/keras-team/keras/pull/8841",
    ),
)
