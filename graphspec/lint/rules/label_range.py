"""label-out-of-range: class ids of a sparse loss outside [0, classes)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from graphspec.errors import Code, Severity
from graphspec.lint._rule import Finding, Rule

if TYPE_CHECKING:
    from graphspec.lint.values import ArrayFacts


def check(data: ArrayFacts) -> Iterator[Finding]:
    expect, loss, classes = data.expect, data.expect.loss, data.expect.classes
    if loss is None or loss.family != "sparse" or classes is None or not data.fits or not data.numeric:
        return
    skip = loss.ignore_class
    if not data.integral:
        yield Finding(
            f"labels of output {expect.name!r} hold values that are not whole numbers (such as {_fraction(data):g}), "
            f"but {loss.name} takes integer class ids: Keras casts them to int, so 0.9 becomes class 0",
            expect.path,
            "give class ids 0 to C-1 (numpy: y.astype('int64')); for soft labels use categorical_crossentropy",
            (expect.owner,),
        )
        return
    wrong = data.count_outside(0, classes - 1, skip)
    if not wrong:
        return
    low, high = data.minimum, data.maximum
    seen = f"{low:.4g} to {high:.4g}" if low != high else f"{low:.4g}"
    shifted = low >= 1 and high == classes
    yield Finding(
        f"labels of output {expect.name!r} range over {seen} ({wrong} out of range, such as "
        f"{data.first_outside(0, classes - 1, skip):g}), but its {classes} units take class ids 0 to {classes - 1}: on "
        f"a CPU Keras stops mid-epoch with 'Received a label value of {high:g} which is outside the valid range', on a "
        "GPU the loss silently becomes NaN",
        expect.path,
        "labels count from 1: subtract 1 (y - 1)"
        if shifted
        else (
            f"give the output one unit per class ({int(high) + 1} units for labels up to {high:g}), "
            f"or map the labels to 0 to {classes - 1}"
        ),
        (expect.owner,),
    )


def _fraction(data: ArrayFacts) -> float:
    v = data.values
    return float(v[(v % 1) != 0][0])


RULE = Rule(
    code=Code.LABEL_OUT_OF_RANGE,
    severity=Severity.ERROR,
    stage="data",
    check=check,
    title="Data: class ids outside [0, classes)",
    explanation=(
        "`sparse_categorical_crossentropy` takes one integer class id per example, from 0 to the number of units "
        "minus 1. Labels counted from 1, or an output with fewer units than there are classes, give an id "
        "outside that range. TensorFlow checks this on a CPU — after the model is built and training has "
        "started, `Received a label value of 10 which is outside the valid range of [0, 10)` — but not on a "
        "GPU, where the loss of those examples is NaN and the whole model turns NaN within steps. Fractional "
        "ids are truncated. `ignore_class` (Keras 3) is allowed."
    ),
    example=(
        "head: {layer: Dense, inputs: h, units: 10, activation: softmax}\n# outputs:\n"
        "head: {loss: sparse_categorical_crossentropy}\n# data: head = labels 1 to 10"
    ),
    fix="# data: head = labels 0 to 9 (y - 1)",
    reports=(
        "https://github.com/tensorflow/tensorflow/issues/8484",
        "https://github.com/tensorflow/tensorflow/issues/10268",
        "https://github.com/tensorflow/tensorflow/issues/56979",
        "https://github.com/keras-team/keras/issues/11786",
        "https://github.com/keras-team/keras/pull/2450",
    ),
)
