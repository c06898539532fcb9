"""activation-after-softmax: an activation applied to a softmax's probabilities."""

from __future__ import annotations

from collections.abc import Iterator

from graphspec.errors import Code, Severity
from graphspec.lint._facts import Facts
from graphspec.lint._rule import Finding, Rule

# What each activation does to probabilities in [0, 1].
_EFFECT = {
    "sigmoid": "a sigmoid maps the probabilities into [0.5, 0.73], so no output can be near 0 or 1",
    "hard_sigmoid": "a hard sigmoid maps the probabilities into [0.5, 0.67], so no output can be near 0 or 1",
    "tanh": "tanh maps the probabilities into [0, 0.76], so no output can reach 1",
    "softmax": "a second softmax of values in [0, 1] is close to uniform, whatever the model predicts",
    "log_softmax": "a log-softmax of values in [0, 1] is close to log(1/C), whatever the model predicts",
    "relu": (
        "a relu changes nothing (probabilities are already ≥ 0) but hides the softmax from Keras' loss, "
        "which would read its logits"
    ),
}


def _pure(kind: str) -> bool:
    """An activation and nothing else: no weights, no other computation."""
    return kind in ("Activation", "ReLU", "LeakyReLU", "PReLU", "ELU", "Softmax") or kind.startswith("ops.")


def check(facts: Facts) -> Iterator[Finding]:
    for view in facts.nodes:
        if not _pure(view.kind) or len(view.node.inputs) != 1:
            continue
        applied = view.applied
        if applied is None or applied[0].name == "linear":
            continue
        before = facts.trace(view.body, view.node.inputs[0])
        if before is None or before.name != "softmax":
            continue
        name = applied[0].name
        effect = _EFFECT.get(name, f"{name} turns the probabilities into values that are no longer a distribution")
        yield Finding(
            f"{view.kind} {view.name!r} applies {name} on top of the softmax in {before.where()}: {effect}; "
            "a loss on the result trains against a distorted output with weak gradients",
            view.path,
            "keep one of them: the softmax for class probabilities (or a linear output with "
            "from_logits: true on the loss)",
            (view.path, before.path),
        )


RULE = Rule(
    code=Code.ACTIVATION_AFTER_SOFTMAX,
    severity=Severity.WARNING,
    stage="graph",
    check=check,
    title="An activation applied after a softmax",
    explanation=(
        "A softmax already gives the final class probabilities. Another activation on top distorts them: a "
        "sigmoid maps [0, 1] into [0.5, 0.73], a second softmax flattens them towards uniform, a `relu` does "
        "nothing but hides the softmax from Keras (whose TensorFlow backend reads the logits of a final softmax "
        "for a stable loss). A loss on the result cannot reach its minimum and the gradients through two "
        "saturating functions are small: training is slow or stalls."
    ),
    example=(
        "probs: {layer: Dense, inputs: h, units: 10, activation: softmax}\n"
        "out: {layer: Activation, inputs: probs, activation: sigmoid}"
    ),
    fix="probs: {layer: Dense, inputs: h, units: 10, activation: softmax}   # the output itself",
    reports=(
        "https://github.com/keras-team/keras/issues/18909",
        "https://github.com/keras-team/keras/issues/15271",
    ),
)
