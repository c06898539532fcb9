"""output-not-probability: a probability loss on an output that is not squashed into [0, 1]."""

from __future__ import annotations

from collections.abc import Iterator

from graphspec.errors import Code, Severity
from graphspec.lint._facts import Facts
from graphspec.lint._rule import Finding, Rule

_WHAT_KERAS_DOES = {
    "binary": "Keras clips them to [1e-7, 1 - 1e-7], "
    "so every prediction outside that range gets no gradient and training stalls",
    "sparse": "Keras clips them to [1e-7, 1 - 1e-7] before the log, so every prediction outside that range gets no "
    "gradient and training stalls",
    "categorical": "Keras divides them by their sum, which for values that can be negative or zero is unstable and "
    "turns the loss into NaN",
    "distribution": "Keras clips them to [1e-7, 1], "
    "so every prediction outside that range gets no gradient and training stalls",
}


def check(facts: Facts) -> Iterator[Finding]:
    for out in facts.outputs:
        loss, squash = out.loss, out.squash
        if loss is None or not loss.wants_probabilities or squash is None or squash.activation.probability:
            continue
        if loss.family == "distribution":
            hint = "end the output in a softmax (activation: softmax)"
        else:
            squashing = "softmax" if loss.family in ("categorical", "sparse") else "sigmoid"
            hint = f"give the loss from_logits: true (numerically the safest), or end the output in a {squashing}"
        yield Finding(
            f"{loss.name} reads output {out.name!r} as probabilities, but it ends in {squash.ends()}, so "
            f"{squash.activation.values_text()}: {_WHAT_KERAS_DOES[loss.family]}",
            loss.path,
            hint,
            out.owners(squash),
        )


RULE = Rule(
    code=Code.OUTPUT_NOT_PROBABILITY,
    severity=Severity.WARNING,
    stage="graph",
    check=check,
    title="A probability loss on an output that is not a probability",
    explanation=(
        "Crossentropy losses (and KL divergence) take probabilities unless `from_logits: true`. An output that "
        "ends in a linear layer (no `activation`), `relu`, `tanh` and the like produces values outside [0, 1]. "
        "Keras clips binary and sparse predictions to [1e-7, 1 - 1e-7] — outside that range the gradient is "
        "zero and the model stops learning — and divides categorical predictions by their sum, which with "
        "negative or zero values gives huge or NaN losses. The fix is `from_logits: true` on the loss (the "
        "numerically stable form) or a sigmoid/softmax at the end of the output."
    ),
    example="head: {layer: Dense, inputs: h, units: 1}\n# outputs:\nhead: {loss: binary_crossentropy}",
    fix="head: {layer: Dense, inputs: h, units: 1}\n# outputs:\n"
    "head: {loss: {class_name: BinaryCrossentropy, config: {from_logits: true}}}",
    reports=(
        "https://github.com/keras-team/keras/issues/15271",
        "https://github.com/exelban/tensorflow-cifar-10/issues/6",
    ),
)
