"""Objects with state and custom objects: learning-rate schedules, Constant initializers holding
arrays, and registration of custom activations, initializers, regularizers, constraints, losses,
metrics (graphspec.register_object), with refusals that name the object."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import keras
import numpy as np
import pytest
from keras import layers, ops

import graphspec
from graphspec import SpecError
from graphspec.importer import from_keras
from tests.fidelity import check_round_trip


class ScaledL1(keras.regularizers.Regularizer):
    def __init__(self, scale: float = 0.1) -> None:
        self.scale = scale

    def __call__(self, w: Any) -> Any:
        return self.scale * ops.sum(ops.abs(w))

    def get_config(self) -> dict[str, Any]:
        return {"scale": self.scale}


class MaxNormOne(keras.constraints.Constraint):
    def __call__(self, w: Any) -> Any:
        return w / ops.maximum(1.0, ops.max(ops.abs(w)))


def log_cosh_sum(y_true: Any, y_pred: Any) -> Any:
    return ops.sum(ops.log(ops.cosh(y_pred - y_true)), axis=-1)


@pytest.fixture(autouse=True)
def _isolated() -> Iterator[None]:
    yield
    for name, kind in (
        ("ScaledL1", "regularizer"),
        ("MaxNormOne", "constraint"),
        ("log_cosh_sum", "loss"),
        ("log_cosh_sum", "metric"),
        ("L1x", "regularizer"),
    ):
        graphspec.unregister_object(name, kind)
    keras.backend.clear_session()
    gc.collect()


def dense_spec(**args: Any) -> dict[str, Any]:
    return {
        "graphspec": 1,
        "inputs": {"x": {"shape": [4]}},
        "nodes": {"y": {"layer": "Dense", "inputs": "x", "units": 3, **args}},
        "outputs": {"y": {}},
    }


SCHEDULES = {
    "ExponentialDecay": {"initial_learning_rate": 0.1, "decay_steps": 100, "decay_rate": 0.9},
    "CosineDecay": {"initial_learning_rate": 0.05, "decay_steps": 1000, "alpha": 0.1},
    "PiecewiseConstantDecay": {"boundaries": [100, 200], "values": [0.1, 0.01, 0.001]},
    "PolynomialDecay": {"initial_learning_rate": 0.1, "decay_steps": 50, "end_learning_rate": 0.001, "power": 2.0},
}


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_learning_rate_schedules_validate_build_and_import(name: str) -> None:
    """Was: "must be plain data, not a mapping", although the user wrote no mapping."""
    data = {
        **dense_spec(),
        "outputs": {"y": {"loss": "mse"}},
        "compile": {
            "optimizer": {
                "class_name": "SGD",
                "config": {"learning_rate": {"class_name": name, "config": SCHEDULES[name]}},
            }
        },
    }
    model = graphspec.build(data)
    schedule = (
        model.optimizer.learning_rate
        if not hasattr(model.optimizer, "_learning_rate")
        else model.optimizer._learning_rate
    )
    assert type(schedule).__name__ == name
    spec = from_keras(model)
    assert spec.compile is not None and spec.compile.optimizer == {
        "class_name": "SGD",
        "config": {"learning_rate": {"class_name": name, "config": SCHEDULES[name]}},
    }


def test_a_schedule_with_a_typo_is_named() -> None:
    schedule = {
        "class_name": "ExponentialDecay",
        "config": {"initial_learning_rate": 0.1, "decay_step": 10, "decay_rate": 0.5},
    }
    data = {**dense_spec(), "compile": {"optimizer": {"class_name": "Adam", "config": {"learning_rate": schedule}}}}
    with pytest.raises(SpecError) as err:
        graphspec.validate(data)
    assert [(d.code.value, d.hint) for d in err.value.errors if d.code.value == "unknown-argument"] == [
        ("unknown-argument", "did you mean 'decay_steps'?")
    ]


def test_constant_initializers_holding_arrays() -> None:
    value = np.arange(12, dtype="float32").reshape(4, 3) / 10
    x = keras.Input((4,), name="x")
    spec = check_round_trip(
        keras.Model(x, layers.Dense(3, kernel_initializer=keras.initializers.Constant(value), name="y")(x))
    )
    assert spec.nodes["y"].args["kernel_initializer"] == {"class_name": "Constant", "config": {"value": value.tolist()}}
    np.testing.assert_array_equal(graphspec.build(spec, compile=False).get_layer("y").kernel.numpy(), value)


def test_an_unregistered_custom_object_is_refused_by_name() -> None:
    """Was: "layer 'dense_2' (Dense) cannot be rebuilt from its config"."""
    x = keras.Input((4,), name="x")
    model = keras.Model(x, layers.Dense(2, kernel_regularizer=ScaledL1(0.2), name="dense_2")(x))
    with pytest.raises(SpecError) as err:
        from_keras(model)
    (diag,) = err.value.diagnostics
    assert diag.code.value == "unregistered-object"
    assert diag.message == (
        "dense_2.kernel_regularizer: regularizer tests.test_objects.ScaledL1 is a custom "
        "regularizer graphspec does not know"
    )
    assert diag.hint == "register it before importing: graphspec.register_object(ScaledL1)"


def test_registered_custom_objects_validate_build_and_import() -> None:
    graphspec.register_object(ScaledL1)
    graphspec.register_object(MaxNormOne)
    graphspec.register_object(log_cosh_sum, kind="loss")
    graphspec.register_object(log_cosh_sum, kind="metric")
    x = keras.Input((4,), name="x")
    model = keras.Model(
        x, layers.Dense(2, kernel_regularizer=ScaledL1(0.2), kernel_constraint=MaxNormOne(), name="d")(x)
    )
    model.compile(loss=log_cosh_sum, metrics=[log_cosh_sum])
    spec = check_round_trip(model)
    assert spec.nodes["d"].args == {
        "units": 2,
        "kernel_regularizer": {"class_name": "ScaledL1", "config": {"scale": 0.2}},
        "kernel_constraint": "MaxNormOne",
    }
    assert spec.outputs["d"].loss == "log_cosh_sum" and spec.outputs["d"].metrics == ["log_cosh_sum"]
    rebuilt = graphspec.build(spec)
    assert rebuilt.get_layer("d").kernel_regularizer.scale == 0.2
    data = np.ones((4, 4), "float32"), np.zeros((4, 2), "float32")
    for m in (model, rebuilt):
        m.get_layer("d").set_weights([np.full((4, 2), 0.5, "float32"), np.zeros(2, "float32")])
    assert rebuilt.evaluate(*data, verbose=0) == pytest.approx(model.evaluate(*data, verbose=0))


def test_registered_objects_are_checked_without_tensorflow() -> None:
    graphspec.register_object(ScaledL1, name="L1x")
    with pytest.raises(SpecError) as err:
        graphspec.validate(dense_spec(kernel_regularizer={"class_name": "L1x", "config": {"scal": 0.1}}))
    (diag,) = err.value.errors
    assert diag.code.value == "unknown-argument" and diag.hint == "did you mean 'scale'?"
    graphspec.validate(dense_spec(kernel_regularizer="L1x"))


def test_registration_mistakes_are_value_errors() -> None:
    with pytest.raises(ValueError, match="built-in Keras regularizer"):
        graphspec.register_object(ScaledL1, name="L2")
    with pytest.raises(ValueError, match="pass kind="):
        graphspec.register_object(log_cosh_sum)
    with pytest.raises(ValueError, match="unknown object kind"):
        graphspec.register_object(log_cosh_sum, kind="lossy")
    graphspec.register_object(ScaledL1)
    with pytest.raises(ValueError, match="already registered"):
        graphspec.register_object(MaxNormOne, kind="regularizer", name="ScaledL1")
