"""label-encoding: one-hot labels for a sparse loss, class ids for a one-hot loss, or rows that are not one-hot."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from graphspec.errors import Code, Severity
from graphspec.lint._rule import Finding, Rule

if TYPE_CHECKING:
    from graphspec.lint.values import ArrayFacts


def check(data: ArrayFacts) -> Iterator[Finding]:
    expect, loss, classes = data.expect, data.expect.loss, data.expect.classes
    if loss is None or classes is None or classes < 2 or expect.sample_shape is None or not data.numeric:
        return
    shape, owners = expect.sample_shape, (expect.owner,)
    if loss.labels == "sparse" and _same(data.sample_shape, shape) and data.onehot_rows:
        yield Finding(
            f"labels of output {expect.name!r} are one-hot rows of {classes} values (shape {_n(data.sample_shape)}), "
            f"but {loss.name} takes one integer class id per example (shape {_n(shape[:-1])}): Keras would stop with a "
            "shape error once the model is built",
            expect.path,
            "use categorical_crossentropy for one-hot labels, or give class ids (numpy: y.argmax(-1))",
            owners,
        )
    elif loss.labels == "onehot" and _sparse_shaped(data.sample_shape, shape) and data.integral:
        yield Finding(
            f"labels of output {expect.name!r} are integer class ids (shape {_n(data.sample_shape)}), but {loss.name} "
            f"takes one-hot rows of {classes} values (shape {_n(shape)}): Keras would stop with a shape error once the "
            "model is built",
            expect.path,
            f"use sparse_categorical_crossentropy for class ids, or one-hot encode them (numpy: np.eye({classes})[y])",
            owners,
        )
    elif loss.labels == "onehot" and loss.family != "distribution" and data.fits and _same(data.sample_shape, shape):
        bad, rows = data.bad_rows
        if bad:
            yield Finding(
                f"labels of output {expect.name!r} are not one-hot: {bad} of {rows} rows do not hold values in [0, 1] "
                f"summing to 1 (several 1s: multi-label?), and {loss.name} assumes exactly one class per example, so "
                "it pushes the softmax towards a split it cannot represent",
                expect.path,
                "for several classes per example use sigmoid outputs with binary_crossentropy; "
                "else fix the labels to one 1 per row",
                owners,
            )


def _same(got: tuple[int, ...], want: tuple[int | None, ...]) -> bool:
    return len(got) == len(want) and all(w is None or g == w for g, w in zip(got, want, strict=True))


def _sparse_shaped(got: tuple[int, ...], want: tuple[int | None, ...]) -> bool:
    return _same(got, want[:-1]) or _same(got, (*want[:-1], 1))


def _n(shape: tuple[int | None, ...]) -> str:
    return "(" + ", ".join(["N", *("None" if d is None else str(d) for d in shape)]) + ("," if not shape else "") + ")"


RULE = Rule(
    code=Code.LABEL_ENCODING,
    severity=Severity.ERROR,
    stage="data",
    check=check,
    title="Data: labels encoded for another loss",
    explanation=(
        "`categorical_crossentropy` takes one-hot rows, `sparse_categorical_crossentropy` integer class ids: "
        "the most frequent mix-up in Keras classifiers. Keras reports it as a shape error after TensorFlow "
        "loads (`expected dense to have shape (7,) but got array with shape (1,)`), which does not say what "
        "to change. Rows with several 1s (multi-label targets) are also refused for a categorical loss: a "
        "softmax puts all its mass on one class, so such targets cannot be learned."
    ),
    example=(
        "head: {layer: Dense, inputs: h, units: 7, activation: softmax}\n# outputs:\n"
        "head: {loss: categorical_crossentropy}\n# data: head = class ids, shape (N,)"
    ),
    fix="# outputs:\nhead: {loss: sparse_categorical_crossentropy}",
    reports=(
        "https://github.com/keras-team/keras/issues/11786",
        "https://www.linuxtut.com/en/2f1d2651fec3b19770e0",
        "https://codehunter.cc/a/python/how-does-keras-handle-multilabel-classification",
    ),
)
