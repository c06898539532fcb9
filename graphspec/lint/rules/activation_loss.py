"""activation-loss-mismatch: binary_crossentropy on a softmax, or a categorical loss on sigmoids."""

from __future__ import annotations

from collections.abc import Iterator

from graphspec.errors import Code, Severity
from graphspec.lint._facts import Facts, OutputView
from graphspec.lint._rule import Finding, Rule


def check(facts: Facts) -> Iterator[Finding]:
    for out in facts.outputs:
        loss, squash, classes = out.loss, out.squash, out.classes
        if loss is None or squash is None or loss.from_logits or classes is None or classes < 2:
            continue
        if loss.family == "binary" and squash.name == "softmax":
            yield _finding(
                out,
                f"{loss.name} scores each of the {classes} units of output {out.name!r} as its own yes/no, but they "
                f"end in {squash.ends()}, which makes them compete and sum to 1: with one class per example the loss "
                "is the wrong one (and a reported binary accuracy is inflated); with several classes per example "
                "(multi-label) a softmax cannot output them",
                "one class per example: categorical_crossentropy (one-hot labels) or sparse_categorical_crossentropy "
                "(class ids); several per example: activation: sigmoid",
            )
        elif loss.family in ("categorical", "sparse") and squash.name in ("sigmoid", "hard_sigmoid"):
            yield _finding(
                out,
                f"{loss.name} expects one distribution over the {classes} classes of output {out.name!r}, but they end "
                f"in {squash.ends()}, independent values that do not sum to 1: Keras divides them by their sum, so the "
                "loss only ranks the classes against each other and the outputs are not probabilities",
                "one class per example: activation: softmax; several per example (multi-label): binary_crossentropy",
            )


def _finding(out: OutputView, message: str, hint: str) -> Finding:
    assert out.loss is not None, "checked by the caller"
    return Finding(message, out.loss.path, hint, out.owners(out.squash))


RULE = Rule(
    code=Code.ACTIVATION_LOSS_MISMATCH,
    severity=Severity.WARNING,
    stage="graph",
    check=check,
    title="binary_crossentropy on a softmax, or a categorical loss on sigmoids",
    explanation=(
        "A softmax output and a categorical loss describe one class per example; sigmoid outputs and "
        "`binary_crossentropy` describe independent yes/no answers (one, or several for multi-label). Mixing "
        "them trains something else than intended: `binary_crossentropy` on a softmax over C classes treats the "
        "C competing probabilities as independent labels (and Keras 2's `accuracy` then reported binary accuracy, "
        "close to (C-1)/C for any model); `categorical_crossentropy` on sigmoids only sees the outputs relative "
        "to their sum, so they are no longer probabilities and multi-label targets are not learned."
    ),
    example=(
        "head: {layer: Dense, inputs: h, units: 10, activation: softmax}\n# outputs:\nhead: {loss: binary_crossentropy}"
    ),
    fix=(
        "head: {layer: Dense, inputs: h, units: 10, activation: softmax}\n# outputs:\n"
        "head: {loss: categorical_crossentropy}"
    ),
    reports=(
        "https://stackoverflow.com/questions/42081257/why-binary-crossentropy-and-categorical-crossentropy-give-different-performances",
        "https://stats.stackexchange.com/questions/272862/which-deep-learning-model-can-classify-categories-which-are-not-mutually-exclusi",
        "https://datascience.stackexchange.com/questions/77834/evaluating-a-multi-label-classification-model",
    ),
)
