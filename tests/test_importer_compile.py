"""A compiled model's settings survive from_keras → build: every form Keras records.

Keras 3.15's ``get_compile_config()`` keeps each of ``loss``, ``loss_weights``,
``metrics`` and ``weighted_metrics`` in the form it was given: a name, an object or a
function (serialized as ``{module, class_name, config, registered_name}``), a list in
output order, or a mapping by output. The importer either reproduces the setting or
refuses by name; each case below is checked by behaviour: after copying weights, the
rebuilt model evaluates to the same losses and metrics, by the same names, on the same
data (a dropped ``from_logits`` or loss weight changes the numbers).
"""

from __future__ import annotations

import gc
import re
from collections.abc import Callable, Iterator
from typing import Any

import keras
import numpy as np
import pytest
from keras import layers, losses, metrics, optimizers

import graphspec
from graphspec import SpecError
from graphspec.importer import from_keras


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    yield
    keras.backend.clear_session()
    gc.collect()


def one_output() -> Any:
    x = keras.Input((4,), name="x")
    return keras.Model(x, layers.Dense(3, name="y")(layers.Dense(5, activation="relu", name="h")(x)))


def two_outputs() -> Any:
    x = keras.Input((4,), name="x")
    h = layers.Dense(5, activation="relu", name="h")(x)
    return keras.Model(x, [layers.Dense(3, name="a")(h), layers.Dense(2, name="b")(h)])


def dict_outputs() -> Any:
    x = keras.Input((4,), name="x")
    h = layers.Dense(5, activation="relu", name="h")(x)
    return keras.Model(x, {"p": layers.Dense(3, name="a")(h), "q": layers.Dense(2, name="b")(h)})


RNG = np.random.default_rng(0)
X = RNG.standard_normal((8, 4)).astype("float32")
ONEHOT3 = np.eye(3, dtype="float32")[RNG.integers(0, 3, 8)]
ONEHOT2 = np.eye(2, dtype="float32")[RNG.integers(0, 2, 8)]
SPARSE3 = RNG.integers(0, 3, (8, 1))

# (model, compile arguments, targets): the shapes Keras records, for one and several outputs.
CASES: dict[str, tuple[Callable[[], Any], dict[str, Any], Any]] = {
    "string": (one_output, {"loss": "mse"}, ONEHOT3),
    "object with config": (one_output, {"loss": losses.CategoricalCrossentropy(from_logits=True)}, ONEHOT3),
    "function": (one_output, {"loss": losses.binary_crossentropy}, ONEHOT3),
    "list of one object": (one_output, {"loss": [losses.SparseCategoricalCrossentropy(from_logits=True)]}, SPARSE3),
    "list of one name with a weight": (one_output, {"loss": ["mse"], "loss_weights": [0.5]}, ONEHOT3),
    "mapping by output, weight mapping": (
        one_output,
        {"loss": {"y": losses.Huber(delta=2.0)}, "loss_weights": {"y": 2.0}},
        ONEHOT3,
    ),
    "metrics: names, objects with config, functions": (
        one_output,
        {
            "loss": "mse",
            "metrics": [
                "mae",
                metrics.AUC(from_logits=True, num_thresholds=50),
                metrics.mean_squared_error,
                metrics.CategoricalAccuracy(),
            ],
        },
        ONEHOT3,
    ),
    "metrics by output, weighted metrics": (
        one_output,
        {"loss": "mse", "metrics": {"y": ["mae"]}, "weighted_metrics": ["mse"]},
        ONEHOT3,
    ),
    "one metric by output": (one_output, {"loss": "mse", "metrics": {"y": "mae"}}, ONEHOT3),
    "several: one loss for all": (two_outputs, {"loss": "mse"}, [ONEHOT3, ONEHOT2]),
    "several: list of losses, weights, metric lists": (
        two_outputs,
        {
            "loss": ["mse", losses.MeanAbsoluteError()],
            "loss_weights": [0.3, 0.7],
            "metrics": [["mae"], [metrics.AUC()]],
        },
        [ONEHOT3, ONEHOT2],
    ),
    "several: mapping with a function and no loss": (
        two_outputs,
        {"loss": {"a": losses.mean_squared_error, "b": None}, "metrics": {"a": "mae", "b": ["acc"]}},
        [ONEHOT3, ONEHOT2],
    ),
    "several: one metric per output": (two_outputs, {"loss": "mse", "metrics": ["mae", "mse"]}, [ONEHOT3, ONEHOT2]),
    "several: objects with config": (
        two_outputs,
        {
            "loss": [losses.CategoricalCrossentropy(from_logits=True), losses.BinaryCrossentropy(label_smoothing=0.1)],
            "loss_weights": {"a": 0.25, "b": 4.0},
        },
        [ONEHOT3, ONEHOT2],
    ),
    "dict outputs by key": (
        dict_outputs,
        {"loss": {"p": "mse", "q": losses.CategoricalCrossentropy(from_logits=True)}, "metrics": {"q": ["acc"]}},
        {"p": ONEHOT3, "q": ONEHOT2},
    ),
}


def _evaluate(model: Any, y: Any) -> dict[str, float]:
    """Losses and metrics by name; Keras numbers repeated default metric names per session (`auc_1`), which is no
    setting."""
    return {re.sub(r"_[0-9]+$", "", k): float(v) for k, v in model.evaluate(X, y, verbose=0, return_dict=True).items()}


def _round_trip(make: Callable[[], Any], kwargs: dict[str, Any]) -> tuple[Any, Any, graphspec.Spec]:
    model = make()
    model.compile(optimizer=optimizers.SGD(learning_rate=0.05), **kwargs)
    spec = from_keras(model)
    rebuilt = graphspec.build(spec)
    for layer in model.layers:
        rebuilt.get_layer(layer.name).set_weights(layer.get_weights())
    return model, rebuilt, spec


@pytest.mark.parametrize("case", list(CASES))
def test_every_compile_config_form_round_trips(case: str) -> None:
    make, kwargs, y = CASES[case]
    model, rebuilt, _ = _round_trip(make, kwargs)
    want, got = _evaluate(model, y), _evaluate(rebuilt, y)
    assert sorted(got) == sorted(want)
    for key, value in want.items():
        assert got[key] == pytest.approx(value, rel=1e-5, abs=1e-6), key


def test_a_single_loss_object_keeps_its_config() -> None:
    """Was: the object's serialization was taken for a mapping by output name and dropped."""
    _, _, spec = _round_trip(one_output, {"loss": losses.CategoricalCrossentropy(from_logits=True)})
    assert spec.outputs["y"].loss == {"class_name": "CategoricalCrossentropy", "config": {"from_logits": True}}
    _, _, spec = _round_trip(one_output, {"loss": losses.binary_crossentropy})
    assert spec.outputs["y"].loss == "binary_crossentropy"
    _, _, spec = _round_trip(one_output, {"loss": [losses.SparseCategoricalCrossentropy()]})
    assert spec.outputs["y"].loss == "SparseCategoricalCrossentropy"


def test_what_keras_own_serialization_drops_is_kept() -> None:
    """Keras 3.15's ``Huber.get_config()`` leaves out ``delta``; the model compiled with it still has it."""
    _, _, spec = _round_trip(one_output, {"loss": losses.Huber(delta=2.0)})
    assert spec.outputs["y"].loss == {"class_name": "Huber", "config": {"delta": 2.0}}


def test_metric_config_and_weighted_metrics_are_kept() -> None:
    _, rebuilt, spec = _round_trip(
        one_output, {"loss": "mse", "metrics": [metrics.AUC(from_logits=True)], "weighted_metrics": ["mae"]}
    )
    assert spec.outputs["y"].metrics == [{"class_name": "AUC", "config": {"from_logits": True}}]
    assert spec.outputs["y"].weighted_metrics == ["mae"]
    assert rebuilt.get_compile_config()["weighted_metrics"] == ["mae"]


@pytest.mark.parametrize(
    "optimizer",
    [
        optimizers.Adam(learning_rate=3e-4, beta_1=0.8, clipnorm=1.0),
        optimizers.SGD(learning_rate=0.01, momentum=0.9, nesterov=True),
        optimizers.RMSprop(learning_rate=1e-3, rho=0.8, weight_decay=0.01),
    ],
    ids=["adam", "sgd", "rmsprop"],
)
def test_optimizer_settings_are_kept(optimizer: Any) -> None:
    model = one_output()
    model.compile(optimizer=optimizer, loss="mse", jit_compile=False, steps_per_execution=4)
    rebuilt = graphspec.build(from_keras(model))
    want, got = (dict(m.optimizer.get_config()) for m in (model, rebuilt))
    want.pop("name"), got.pop("name")
    assert got == pytest.approx(want)
    assert rebuilt.get_compile_config()["steps_per_execution"] == 4
    assert rebuilt.jit_compile is False


def test_a_form_that_matches_no_output_is_refused_by_name() -> None:
    model = two_outputs()
    model.compile(loss="mse", loss_weights=[0.5, 0.25])
    config = model.get_compile_config()
    config["loss_weights"] = [0.5, 0.25, 1.0]  # what no model of two outputs can be compiled with
    from graphspec.importer._compile import apply_compile

    data: dict[str, Any] = {"outputs": {"a": {}, "b": {}}}
    with pytest.raises(SpecError) as err:
        apply_compile(data, config, [("a", "a"), ("b", "b")], auto_jit=False)
    assert err.value.codes == ["unsupported-model"]
    assert "loss_weights holds 3 values for 2 outputs (a, b)" in str(err.value)


def test_a_model_frozen_at_construction_stays_frozen() -> None:
    """Was: `Model(..., trainable=False)` rebuilt with trainable weights (the flag was kept for nested models only)."""
    x = keras.Input((4,), name="x")
    model = keras.Model(x, layers.Dense(3, name="d")(x), trainable=False)
    spec = from_keras(model)
    assert spec.trainable is False and spec.nodes["d"].args == {"units": 3, "trainable": True}
    rebuilt = graphspec.build(spec, compile=False)
    assert not rebuilt.trainable and rebuilt.trainable_weights == [] and rebuilt.get_layer("d").trainable
    assert graphspec.validate(spec).inference.trainable_params == 0


def test_a_model_frozen_by_its_attribute_freezes_its_layers() -> None:
    model = two_outputs()
    model.trainable = False  # Keras sets every layer's flag too
    spec = from_keras(model)
    assert spec.trainable is False and all("trainable" not in node.args for node in spec.nodes.values())
    rebuilt = graphspec.build(spec, compile=False)
    assert not any(layer.trainable for layer in rebuilt.layers)


def test_a_metric_object_keeps_its_class_and_so_its_logged_name() -> None:
    """A metric given by name is named after that name; MeanAbsolutePercentageError() logs as
    mean_absolute_percentage_error."""
    _, rebuilt, spec = _round_trip(
        one_output, {"loss": "mse", "metrics": [metrics.MeanAbsolutePercentageError(), "mape"]}
    )
    assert spec.outputs["y"].metrics == [{"class_name": "MeanAbsolutePercentageError"}, "mape"]
    assert sorted(rebuilt.evaluate(X, ONEHOT3, verbose=0, return_dict=True)) == [
        "loss",
        "mape",
        "mean_absolute_percentage_error",
    ]
