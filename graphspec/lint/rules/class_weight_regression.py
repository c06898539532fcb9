"""class-weight-on-regression: fit.class_weight for an output whose targets are not class ids."""

from __future__ import annotations

from collections.abc import Iterator

from graphspec.errors import Code, Severity
from graphspec.lint._facts import Facts
from graphspec.lint._rule import Finding, Rule


def check(facts: Facts) -> Iterator[Finding]:
    fit = facts.spec.fit
    if fit is None or fit.class_weight is None or len(facts.outputs) != 1:
        return
    out = facts.outputs[0]
    if out.loss is None or out.loss.classifies or (out.squash is not None and out.squash.activation.probability):
        return
    yield Finding(
        f"class_weight is given, but output {out.name!r} is a regression trained with {out.loss.name}: Keras rounds "
        "each target to an integer and uses it as a class id, so examples are weighted by their rounded target value "
        "(and targets beyond the list get 1.0)",
        ("fit", "class_weight"),
        "drop class_weight; weight examples with sample weights in Python (model.fit(sample_weight=...))",
        out.owners(),
    )


RULE = Rule(
    code=Code.CLASS_WEIGHT_ON_REGRESSION,
    severity=Severity.WARNING,
    stage="graph",
    check=check,
    title="class_weight on a regression output",
    explanation=(
        "`class_weight` maps class ids to weights. For a regression output Keras 3 rounds each target to an "
        'integer and looks that up, so a target of 2.4 gets the weight of "class 2" and a target of 950 the '
        "default 1.0: the examples are weighted by their value, which is rarely what was meant. A sigmoid "
        "output trained with `mse` on 0/1 targets is a classifier and is left alone."
    ),
    example=(
        "price: {layer: Dense, inputs: h, units: 1}\n# outputs:\nprice: {loss: mse}\n# fit:\nclass_weight: [1.0, 3.0]"
    ),
    fix="price: {layer: Dense, inputs: h, units: 1}\n# outputs:\nprice: {loss: mse}\n# fit: (no class_weight)",
    reports=(
        "https://github.com/keras-team/keras/issues/23220",
        "https://github.com/tensorflow/tensorflow/issues/98283",
    ),
)
