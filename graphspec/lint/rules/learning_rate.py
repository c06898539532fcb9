"""high-learning-rate: an adaptive optimizer with a learning rate that makes training diverge."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from graphspec.errors import Code, Severity
from graphspec.lint._facts import Facts
from graphspec.lint._keras import normal_name
from graphspec.lint._rule import Finding, Rule

# Optimizers that scale each step to about the learning rate, whatever the gradient's size
# (Keras' default learning rate for each is 0.001 or 0.002).
ADAPTIVE = ("adam", "adamw", "adamax", "nadam", "rmsprop", "lion", "adafactor")
LIMIT = 0.1


def check(facts: Facts) -> Iterator[Finding]:
    compile = facts.spec.compile
    optimizer = compile.optimizer if compile is not None else None
    if not isinstance(optimizer, Mapping) or not isinstance(optimizer.get("class_name"), str):
        return
    name = optimizer["class_name"]
    config = optimizer.get("config")
    rate = config.get("learning_rate") if isinstance(config, Mapping) else None
    if normal_name(name) not in ADAPTIVE or isinstance(rate, bool) or not isinstance(rate, int | float) or rate < LIMIT:
        return
    yield Finding(
        f"{name} with learning_rate {rate:g}: {name} moves every weight by about the learning rate at each step, "
        f"whatever the gradient's size, so steps of {rate:g} overshoot and the loss typically diverges to NaN within "
        "the first epoch (Keras' default is 0.001)",
        ("compile", "optimizer", "config", "learning_rate"),
        "use a learning rate of 1e-4 to 1e-2 (0.001 is the usual start); lower it further if the loss jumps",
        (),
    )


RULE = Rule(
    code=Code.HIGH_LEARNING_RATE,
    severity=Severity.WARNING,
    stage="graph",
    check=check,
    title="A learning rate of 0.1 or more for an adaptive optimizer",
    explanation=(
        "Adam, AdamW, Adamax, Nadam, RMSprop, Lion and Adafactor normalise each gradient by its running "
        "magnitude, so every weight moves by about the learning rate at each step, whatever the loss's scale. "
        "Their useful rates are 1e-4 to 1e-2 (Keras' defaults are 0.001 and 0.002). At 0.1 and above the "
        "weights jump by more than their own size: the loss climbs, then turns NaN, often within the first "
        "epoch. Rates like SGD's 0.1 do not transfer to these optimizers. (SGD and Adagrad-style optimizers are "
        "not checked: their good rates depend on the loss's scale.)"
    ),
    example="compile:\n  optimizer: {class_name: Adam, config: {learning_rate: 0.5}}",
    fix="compile:\n  optimizer: {class_name: Adam, config: {learning_rate: 0.001}}",
    reports=(
        "https://github.com/thtrieu/darkflow/issues/1059",
        "https://github.com/guillaumegenthial/sequence_tagging/issues/47",
        "https://github.com/tensorflow/tensorflow/issues/38796",
        "https://theneuralbase.com/tensorflow/learn/beginner/nan-loss-learning-rate-or-data/",
    ),
)
