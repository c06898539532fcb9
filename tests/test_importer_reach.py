"""What real models carry that the importer used to refuse or lose: wrappers around models,
names Keras generates, optional and unused inputs, custom layers without ``**kwargs``, Keras 2 JSON."""

from __future__ import annotations

import copy
import gc
import json
from collections.abc import Iterator
from typing import Any

import keras
import numpy as np
import pytest
from keras import layers

import graphspec
from graphspec import SpecError
from graphspec.importer import from_keras
from tests.fidelity import check_round_trip


@pytest.fixture(autouse=True)
def _isolated() -> Iterator[None]:
    before = set(graphspec.catalog.registered_layers())
    yield
    for name in set(graphspec.catalog.registered_layers()) - before:
        graphspec.unregister_layer(name)
    keras.backend.clear_session()
    gc.collect()


# ---------------------------------------------------------------------------
# wrappers around models


def test_time_distributed_over_a_functional_model() -> None:
    """Was: refused as "Functional, a custom class graphspec does not know"."""
    frame = keras.Input((8,))
    per_frame = keras.Model(
        frame,
        layers.Dense(3, activation="relu", name="frame_dense")(layers.Dense(5, name="frame_in")(frame)),
        name="per_frame",
    )
    clip = keras.Input((6, 8), name="clip")
    spec = check_round_trip(
        keras.Model(
            clip, layers.GlobalAveragePooling1D(name="pool")(layers.TimeDistributed(per_frame, name="td")(clip))
        )
    )
    wrapped = spec.nodes["td"].args["wraps"]
    assert set(wrapped) == {"model"} and list(wrapped["model"]["nodes"]) == ["frame_in", "frame_dense"]
    assert graphspec.build(spec, compile=False).get_layer("td").layer.count_params() == per_frame.count_params()


def test_a_wrapped_model_in_a_spec_is_checked_like_one() -> None:
    data = {
        "graphspec": 1,
        "inputs": {"clip": {"shape": [6, 8]}},
        "nodes": {
            "td": {
                "layer": "TimeDistributed",
                "inputs": "clip",
                "wraps": {
                    "model": {
                        "inputs": {"f": {"shape": [8]}},
                        "nodes": {"d": {"layer": "Dense", "inputs": "f", "unit": 3}},
                        "outputs": {"d": {}},
                    }
                },
            }
        },
        "outputs": {"td": {}},
    }
    with pytest.raises(SpecError) as err:
        graphspec.validate(data)
    assert [(d.code.value, d.path) for d in err.value.errors] == [
        ("unknown-argument", ("nodes", "td", "wraps", "model", "nodes", "d", "unit")),
        ("missing-argument", ("nodes", "td", "wraps", "model", "nodes", "d")),
    ]
    data["nodes"]["td"]["wraps"]["model"]["nodes"]["d"]["units"] = data["nodes"]["td"]["wraps"]["model"]["nodes"][
        "d"
    ].pop("unit")
    assert graphspec.build(data, compile=False).outputs[0].shape == (None, 6, 3)
    data["nodes"]["td"] = {"layer": "Bidirectional", "inputs": "clip", "wraps": data["nodes"]["td"]["wraps"]}
    with pytest.raises(SpecError) as err:
        graphspec.validate(data)
    assert err.value.codes == ["bad-submodel"] and "Bidirectional cannot wrap a model" in str(err.value)


# ---------------------------------------------------------------------------
# names Keras generates


def test_a_nested_application_keeps_its_generated_name_and_weights() -> None:
    """Was: `mobilenet_0.25_32` was sanitised and its weights no longer loaded by name."""
    base = keras.applications.MobileNet(input_shape=(32, 32, 3), include_top=False, weights=None, alpha=0.25)
    model = keras.Sequential([keras.Input((32, 32, 3)), base, layers.GlobalAveragePooling2D(), layers.Dense(2)])
    spec = check_round_trip(model)  # loads every layer's weights by name, the application's included
    (node,) = [n for n in spec.nodes.values() if n.model is not None]
    assert node.keras_name == "mobilenet_0.25_32"
    rebuilt = graphspec.build(spec, compile=False)
    assert rebuilt.get_layer("mobilenet_0.25_32").count_params() == base.count_params()


# ---------------------------------------------------------------------------
# optional and unused inputs


def test_optional_inputs_import_and_take_none() -> None:
    """Was: refused as "ragged or optional"."""
    x, extra = keras.Input((4,), name="x"), keras.Input((4,), name="extra", optional=True)
    spec = from_keras(keras.Model([x, extra], layers.Dense(2, name="d")(x)))
    assert spec.inputs["extra"].optional is True
    rebuilt = graphspec.build(spec, compile=False)
    assert rebuilt.get_layer("extra").get_config()["optional"] is True
    assert rebuilt.predict([np.ones((1, 4), "float32"), None], verbose=0).shape == (1, 2)


def test_an_unused_input_imports_with_a_warning_that_claims_no_keras_error() -> None:
    x, unused = keras.Input((4,), name="x"), keras.Input((3,), name="unused")
    with pytest.warns(UserWarning) as caught:
        spec = from_keras(keras.Model([x, unused], layers.Dense(2, name="d")(x)))
    (warning,) = [w for w in caught if "unused-input" in str(w.message)]
    assert "input 'unused' feeds no output" in str(warning.message) and "Graph disconnected" not in str(warning.message)
    assert [t.name for t in graphspec.build(spec, compile=False).inputs] == ["x", "unused"]


# ---------------------------------------------------------------------------
# custom layers whose constructor takes no `name`


class Doubler(layers.Layer):
    def __init__(self, factor: float = 2.0) -> None:
        super().__init__()
        self.factor = factor

    def call(self, x: Any) -> Any:
        return x * self.factor

    def get_config(self) -> dict[str, Any]:
        return {"factor": self.factor}


def test_a_registered_layer_without_name_or_kwargs_builds_under_the_node_name() -> None:
    """Was: accepted by from_keras, then `build` failed with "unexpected keyword argument 'name'"."""
    graphspec.register_layer(Doubler)
    x = keras.Input((4,), name="x")
    spec = check_round_trip(keras.Model(x, layers.Dense(2, name="d")(Doubler(3.0)(x))))
    (name,) = [n for n, node in spec.nodes.items() if node.layer == "Doubler"]
    rebuilt = graphspec.build(spec, compile=False)
    assert rebuilt.get_layer(name).factor == 3.0


# ---------------------------------------------------------------------------
# Keras 2 JSON (hand-written in the format Keras 2.x's model.to_json() writes)


def _dense_k2(name: str, units: int, activation: str, inbound: list[Any] | None, **extra: Any) -> dict[str, Any]:
    config = {
        "name": name, "trainable": True, "dtype": "float32", "units": units, "activation": activation, "use_bias": True,
        "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}},
        "bias_initializer": {"class_name": "Zeros", "config": {}},
        "kernel_regularizer": None, "bias_regularizer": None, "activity_regularizer": None,
        "kernel_constraint": None, "bias_constraint": None, **extra,
    }  # fmt: skip
    layer: dict[str, Any] = {"class_name": "Dense", "config": config}
    if inbound is not None:
        layer |= {"name": name, "inbound_nodes": inbound}
    return layer


KERAS2_FUNCTIONAL = {
    "class_name": "Functional",
    "config": {
        "name": "tagger",
        "layers": [
            {
                "class_name": "InputLayer",
                "config": {
                    "batch_input_shape": [None, 6],
                    "dtype": "float32",
                    "sparse": False,
                    "ragged": False,
                    "name": "features",
                },
                "name": "features",
                "inbound_nodes": [],
            },
            _dense_k2(
                "hidden",
                8,
                "relu",
                [[["features", 0, 0, {}]]],
                kernel_regularizer={"class_name": "L2", "config": {"l2": 0.02}},
            ),
            {
                "class_name": "Dropout",
                "config": {
                    "name": "drop",
                    "trainable": True,
                    "dtype": "float32",
                    "rate": 0.25,
                    "noise_shape": None,
                    "seed": None,
                },
                "name": "drop",
                "inbound_nodes": [[["hidden", 0, 0, {}]]],
            },
            _dense_k2("tag", 3, "softmax", [[["drop", 0, 0, {}]]]),
        ],
        "input_layers": [["features", 0, 0]],
        "output_layers": [["tag", 0, 0]],
    },
    "keras_version": "2.4.0",
    "backend": "tensorflow",
}

KERAS2_SEQUENTIAL = {
    "class_name": "Sequential",
    "config": {
        "name": "sequential",
        "layers": [
            _dense_k2("dense", 4, "relu", None, batch_input_shape=[None, 8]),
            _dense_k2("dense_1", 1, "sigmoid", None),
        ],
    },
    "keras_version": "2.2.4",
    "backend": "tensorflow",
}


@pytest.mark.parametrize(
    ("config", "params"),
    [(KERAS2_FUNCTIONAL, 6 * 8 + 8 + 8 * 3 + 3), (KERAS2_SEQUENTIAL, 8 * 4 + 4 + 4 + 1)],
    ids=["functional 2.4", "sequential 2.2"],
)
def test_keras2_json_imports_through_the_legacy_loader(config: dict[str, Any], params: int, tmp_path: Any) -> None:
    path = tmp_path / "model.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    with pytest.raises(TypeError, match="Could not locate class"):  # Keras 3 itself cannot read it
        keras.models.model_from_json(json.dumps(config))
    spec = from_keras(path)
    model = graphspec.build(spec, compile=False)
    assert model.count_params() == params
    first = spec.inputs[next(iter(spec.inputs))]
    assert first.shape == [
        config["config"]["layers"][0]["config"]["batch_input_shape"][1]
    ]  # not one dimension too many


def test_keras2_json_keeps_layer_settings() -> None:
    spec = from_keras(json.dumps(KERAS2_FUNCTIONAL))
    assert spec.nodes["hidden"].args == {
        "units": 8,
        "activation": "relu",
        "kernel_regularizer": {"class_name": "L2", "config": {"l2": 0.02}},
    }
    assert spec.nodes["drop"].args == {"rate": 0.25}


def test_keras2_json_keras_cannot_read_is_named_as_such() -> None:
    """Was: a truncated config dump and a hint about Lambda layers."""
    broken = copy.deepcopy(KERAS2_FUNCTIONAL)
    broken["config"]["layers"][2]["class_name"] = "SpatialDropout9D"
    with pytest.raises(SpecError) as err:
        from_keras(json.dumps(broken))
    (diag,) = err.value.diagnostics
    assert diag.code.value == "bad-model"
    assert diag.message.startswith(
        "<json>: a Keras 2.4.0 model config; Keras 3 cannot read it, and Keras' legacy loader failed: "
        "Unknown layer: 'SpatialDropout9D'"
    )


def test_keras2_lambda_layers_stay_refused_in_safe_mode() -> None:
    unsafe = copy.deepcopy(KERAS2_FUNCTIONAL)
    unsafe["config"]["layers"][2] = {
        "class_name": "Lambda",
        "config": {
            "name": "drop", "trainable": True, "dtype": "float32", "function_type": "lambda", "module": "__main__",
            # a marshalled `lambda x: x * 2`, as Keras 2 wrote Lambda layers
            "function": [
                "4wEAAAAAAAAAAQAAAAIAAABDAAAAcwgAAAB8AGQBFABTACkCTukCAAAAqQApAdoBeHIBAAAAcgEAAAD6HjxpcHl0aG9uLWlucHV0"
                "LTItYmFhZjQzZGFkYjQ0PtoIPGxhbWJkYT4BAAAAcwAAAAA=",
                None, None,
            ],
            "output_shape": None, "output_shape_type": "raw", "output_shape_module": None, "arguments": {},
        },
        "name": "drop",
        "inbound_nodes": [[["hidden", 0, 0, {}]]],
    }  # fmt: skip
    with pytest.raises(SpecError) as err:
        from_keras(json.dumps(unsafe))
    assert err.value.codes == ["bad-model"] and "safe_mode" in str(err.value)


def test_layers_that_load_files_are_refused_before_keras_builds_them() -> None:
    config = copy.deepcopy(KERAS2_FUNCTIONAL)
    layer = {"name": "drop", "filepath": "/nonexistent/savedmodel", "call_endpoint": "serve"}
    config["config"]["layers"][2] = {
        "class_name": "TFSMLayer",
        "config": layer,
        "name": "drop",
        "inbound_nodes": [[["hidden", 0, 0, {}]]],
    }
    with pytest.raises(SpecError) as err:
        from_keras(json.dumps(config))
    assert err.value.codes == ["unsupported-model"] and "TFSMLayer" in str(err.value)


# ---------------------------------------------------------------------------
# found by the corpus


class Stack(layers.Layer):
    """A registered layer whose constructor takes layers (it deserializes them itself, as Keras' saving tests do)."""

    def __init__(self, first: Any, second: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.first = first if isinstance(first, layers.Layer) else keras.saving.deserialize_keras_object(first)
        self.second = (
            layers.Dense(3)
            if second is None
            else second
            if isinstance(second, layers.Layer)
            else keras.saving.deserialize_keras_object(second)
        )

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "first": keras.saving.serialize_keras_object(self.first),
            "second": keras.saving.serialize_keras_object(self.second),
        }

    def call(self, x: Any) -> Any:
        return self.first(self.second(x))


def test_a_registered_layer_taking_layers_gets_them_as_nested_layers() -> None:
    graphspec.register_layer(Stack)
    x = keras.Input((4,), name="x")
    spec = check_round_trip(keras.Model(x, Stack(layers.Dense(2, activation="relu"), layers.Dense(5), name="stack")(x)))
    assert spec.nodes["stack"].args == {
        "first": {"layer": "Dense", "units": 2, "activation": "relu"},
        "second": {"layer": "Dense", "units": 5},
    }
    with pytest.raises(SpecError) as err:
        graphspec.validate(
            {
                **spec.to_data(),
                "nodes": {"stack": {**spec.nodes["stack"].to_data(), "first": {"layer": "Dense", "unit": 2}}},
            }
        )
    assert "Dense takes no argument 'unit'" in str(err.value)


def test_a_tuple_of_outputs_is_written_as_a_list_and_said_so() -> None:
    x = keras.Input((3,), name="x")
    model = keras.Model(x, (layers.Dense(2, name="a")(x), layers.Dense(1, name="b")(x)))
    with pytest.warns(UserWarning, match="returns its outputs in a tuple; a spec writes it as a list"):
        spec = from_keras(model)
    assert isinstance(graphspec.build(spec, compile=False).predict(np.ones((1, 3)), verbose=0), list)


def test_keras_2_0_sequential_list_configs_and_time_major_are_read() -> None:
    lstm = {
        "class_name": "LSTM",
        "config": {
            "name": "lstm",
            "units": 4,
            "time_major": False,
            "batch_input_shape": [None, 5, 3],
            "dtype": "float32",
        },
    }
    config = {
        "class_name": "Sequential",
        "config": [lstm, _dense_k2("out", 1, "sigmoid", None)],
        "keras_version": "2.0.8",
        "backend": "tensorflow",
    }
    spec = from_keras(json.dumps(config))
    assert list(spec.nodes) == ["lstm", "out"] and spec.nodes["lstm"].args == {"units": 4}
    assert graphspec.build(spec, compile=False).count_params() == 4 * 4 * (3 + 4 + 1) + 4 + 1
