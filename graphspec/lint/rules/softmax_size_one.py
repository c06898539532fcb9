"""softmax-size-one: a softmax over an axis of size 1 always outputs 1.0."""

from __future__ import annotations

from collections.abc import Iterator

from graphspec.errors import Code, Path, Severity
from graphspec.lint._facts import Facts, NodeView
from graphspec.lint._rule import Finding, Rule
from graphspec.shapes import fmt


def check(facts: Facts) -> Iterator[Finding]:
    for view in facts.nodes:
        applied = view.applied
        if applied is None or applied[0].name not in ("softmax", "log_softmax"):
            continue
        out = view.output()
        axis = applied[1]
        if (
            out is None
            or out.shape is None
            or not isinstance(axis, int)
            or not -len(out.shape) <= axis < len(out.shape)
        ):
            continue
        if out.shape[axis] != 1:
            continue
        value = "1.0" if applied[0].name == "softmax" else "0.0 (log 1)"
        yield Finding(
            f"{applied[0].name} over axis {axis} of {view.kind} {view.name!r}, which has size 1 (output "
            f"shape {fmt(out.shape)}): it always outputs {value}, so the model predicts the same for every "
            "example and its accuracy stays at the share of one class; no gradient flows back through it (a "
            "crossentropy Keras reads from the logits below it may still fall, while the predictions never change)",
            _where(view),
            "for one yes/no output use activation: sigmoid; for C classes give the layer C units (units: C)",
            (view.path,),
        )


def _where(view: NodeView) -> Path:
    if view.node is view.decl:
        for key in ("activation", "axis"):
            if key in view.decl.args:
                return (*view.path, key)
    return view.path


RULE = Rule(
    code=Code.SOFTMAX_SIZE_ONE,
    severity=Severity.ERROR,
    stage="graph",
    check=check,
    title="A softmax over an axis of size 1",
    explanation=(
        "A softmax divides each value by the sum over its axis; over an axis of size 1 every value is divided by "
        "itself, so the output is `1.0` whatever the input, and the gradient through it is zero. A one-unit "
        "`Dense` with `activation: softmax` is the usual case: the model predicts the same for every example, "
        'and accuracy stays at the share of the positive class ("accuracy stuck at 0.5"). Keras\' TensorFlow '
        "backend computes a crossentropy on the model's last softmax from the logits below it, so with "
        "`binary_crossentropy` the loss even falls — while every prediction stays 1.0. Keras 3 prints a warning "
        "when the layer runs, after TensorFlow has loaded and the model is built."
    ),
    example="head: {layer: Dense, inputs: h, units: 1, activation: softmax}",
    fix="head: {layer: Dense, inputs: h, units: 1, activation: sigmoid}",
    reports=(
        "https://github.com/keras-team/keras/issues/18909",
        "https://github.com/keras-team/keras/pull/18105",
        "https://stats.stackexchange.com/questions/481881/convolutional-neural-network-fails-even-when-given-answer",
        "https://github.com/tensorflow/tensorflow/issues/48647",
    ),
)
