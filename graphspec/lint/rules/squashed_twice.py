"""squashed-twice: from_logits on an output that already ends in a softmax or sigmoid."""

from __future__ import annotations

from collections.abc import Iterator

from graphspec.errors import Code, Severity
from graphspec.lint._facts import Facts
from graphspec.lint._rule import Finding, Rule

_SQUASHES = ("softmax", "sigmoid", "hard_sigmoid")


def check(facts: Facts) -> Iterator[Finding]:
    for out in facts.outputs:
        loss, squash = out.loss, out.squash
        if loss is None or not loss.from_logits or squash is None or squash.name not in _SQUASHES:
            continue
        again = "softmax" if loss.family in ("categorical", "sparse") else "sigmoid"
        yield Finding(
            f"{loss.name} has from_logits: true, so it applies a {again} itself, "
            f"but output {out.name!r} already ends in {squash.ends()}: "
            "the loss squashes probabilities a second time, so its gradients are weak "
            "and the loss it reports is wrong (Keras' TensorFlow backend undoes a last softmax or sigmoid it can see, "
            "with a warning, but not behind other layers, in eager mode or on other backends)",
            (*loss.path, "config", "from_logits") if isinstance(out.spec.loss, dict) else loss.path,
            "drop from_logits (probabilities are the default), "
            f"or make the output linear and keep from_logits: true (remove the {squash.name})",
            out.owners(squash),
        )


RULE = Rule(
    code=Code.SQUASHED_TWICE,
    severity=Severity.WARNING,
    stage="graph",
    check=check,
    title="`from_logits: true` on an output that ends in softmax or sigmoid",
    explanation=(
        "With `from_logits: true` the loss applies the softmax (or sigmoid) itself, so the output must be raw "
        "scores. If the output already ends in one, the loss squashes probabilities again: a softmax of values "
        "in [0, 1] is close to uniform, a sigmoid maps them into [0.5, 0.73]. The gradients are small and the "
        "reported loss does not reach its minimum. Keras' TensorFlow backend catches the simplest case (the "
        "softmax is the model's very last op, in graph mode) and warns \"received `from_logits=True`, but the "
        '`output` argument was produced by a Softmax activation"; behind an Identity, Reshape or Dropout, in '
        "eager mode and on JAX or PyTorch it does not."
    ),
    example="head: {layer: Dense, inputs: h, units: 10, activation: softmax}\n# outputs:\n"
    "head: {loss: {class_name: CategoricalCrossentropy, config: {from_logits: true}}}",
    fix="head: {layer: Dense, inputs: h, units: 10}\n# outputs:\n"
    "head: {loss: {class_name: CategoricalCrossentropy, config: {from_logits: true}}}",
    reports=(
        "https://github.com/tensorflow/tensorflow/issues/50190",
        "https://github.com/keras-team/keras-io/pull/494",
        "https://github.com/mmalekzadeh/dana/issues/1",
        "https://github.com/lovedlim/tensorflow/issues/2",
    ),
)
