"""class-weight-length: fit.class_weight gives another number of weights than the output has classes."""

from __future__ import annotations

from collections.abc import Iterator

from graphspec.errors import Code, Severity
from graphspec.lint._facts import Facts, OutputView
from graphspec.lint._rule import Finding, Rule


def classes_of(out: OutputView) -> int | None:
    """How many class ids the output's labels take: 2 for one yes/no unit, else the class axis."""
    if out.loss is None or not out.loss.classifies:
        return None
    if out.loss.family == "binary":
        return 2 if out.classes == 1 else None
    return out.classes


def check(facts: Facts) -> Iterator[Finding]:
    fit = facts.spec.fit
    if fit is None or fit.class_weight is None or len(facts.outputs) != 1:
        return
    out = facts.outputs[0]
    classes, given = classes_of(out), len(fit.class_weight)
    if classes is None or given == classes:
        return
    if given < classes:
        what = (
            f"Keras gives classes {given} to {classes - 1} weight 1.0 as if they had none (and its tf.data path "
            "fails with 'indices out of range'), so the weighting is not the one intended"
        )
    else:
        what = f"weights {classes} to {given - 1} never apply, so the list is probably for another set of labels"
    yield Finding(
        f"class_weight gives {given} weight{'s' if given != 1 else ''} (classes 0 to {given - 1}), "
        f"but output {out.name!r} ({out.loss.name if out.loss else ''}) has {classes} classes: {what}",
        ("fit", "class_weight"),
        f"give one weight per class: {classes} values, the weight of class 0 first",
        out.owners(),
    )


RULE = Rule(
    code=Code.CLASS_WEIGHT_LENGTH,
    severity=Severity.WARNING,
    stage="graph",
    check=check,
    title="class_weight does not match the number of classes",
    explanation=(
        "`fit.class_weight` gives the weight of class 0, 1, ... in order; the output's classes are its units "
        "(two for a single yes/no unit). Keras 3 looks each label up and silently uses 1.0 for a class without "
        "a weight (its tf.data path stops with `indices[...] = 16 is not in [0, 10)` instead); extra weights "
        "never apply. Either way the loss is not weighted as intended, and an imbalanced dataset trains as if "
        "it were not weighted at all."
    ),
    example="head: {layer: Dense, inputs: h, units: 10, activation: softmax}\n# fit:\nclass_weight: [1.0, 5.0]",
    fix=(
        "head: {layer: Dense, inputs: h, units: 10, activation: softmax}\n"
        "# fit:\nclass_weight: [1.0, 5.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]"
    ),
    reports=(
        "https://github.com/keras-team/keras/issues/16311",
        "https://github.com/keras-team/keras/pull/7238",
        "https://github.com/keras-team/keras/issues/23220",
    ),
)
