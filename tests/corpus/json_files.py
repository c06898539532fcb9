"""The shapes of ``model.to_json()`` files people commit, written by hand here in each Keras version's format.

Public repositories hold many ``model.json`` files written by Keras 1, Keras 2
(``keras`` 2.0-2.3 and ``tf.keras`` 2.x) and Keras 3. Each entry below is a
small model in one of those formats, written for this corpus (not copied): the
field names, nesting and defaults of the version named in its ``keras_version``.
Each is imported as the JSON text a user would hand to ``graphspec import``.
"""

from __future__ import annotations

import json
from typing import Any

from tests.corpus import entry

_WHERE = "model.to_json() files committed to public repositories ({}; hand-written in that format)"


def _glorot(tf_keras: bool) -> dict[str, Any]:
    if tf_keras:
        return {"class_name": "GlorotUniform", "config": {"seed": None}}
    return {
        "class_name": "VarianceScaling",
        "config": {"scale": 1.0, "mode": "fan_avg", "distribution": "uniform", "seed": None},
    }


def _dense2(name: str, units: int, activation: str, tf_keras: bool = False, **extra: Any) -> dict[str, Any]:
    """A Keras 2 Dense config with every default written out, as Keras 2 wrote them."""
    config = {
        "name": name,
        "trainable": True,
        **extra,
        "units": units,
        "activation": activation,
        "use_bias": True,
        "kernel_initializer": _glorot(tf_keras),
        "bias_initializer": {"class_name": "Zeros", "config": {}},
        "kernel_regularizer": None,
        "bias_regularizer": None,
        "activity_regularizer": None,
        "kernel_constraint": None,
        "bias_constraint": None,
    }
    return {"class_name": "Dense", "config": config}


@entry(
    "keras_2_0_sequential_bidirectional_lstm",
    _WHERE.format("Keras 2.0.8: a Sequential whose config is a bare list of layers"),
    "Keras 2.0 JSON: Embedding with input_length and batch_input_shape, Bidirectional(LSTM) with implementation/unroll, config as a list",
    json=True,
)
def keras_2_0_sequential_bidirectional_lstm() -> str:
    lstm = {
        "class_name": "LSTM",
        "config": {
            "name": "lstm_1", "trainable": True, "return_sequences": False, "return_state": False, "go_backwards": False, "stateful": False, "unroll": False,
            "implementation": 0, "units": 8, "activation": "tanh", "recurrent_activation": "hard_sigmoid", "use_bias": True,
            "kernel_initializer": _glorot(False), "recurrent_initializer": {"class_name": "Orthogonal", "config": {"gain": 1.0, "seed": None}},
            "bias_initializer": {"class_name": "Zeros", "config": {}}, "unit_forget_bias": True, "kernel_regularizer": None, "recurrent_regularizer": None,
            "bias_regularizer": None, "activity_regularizer": None, "kernel_constraint": None, "recurrent_constraint": None, "bias_constraint": None,
            "dropout": 0.0, "recurrent_dropout": 0.0,
        },
    }  # fmt: skip
    layers = [
        {
            "class_name": "Embedding",
            "config": {
                "name": "embedding_1", "trainable": True, "batch_input_shape": [None, 12], "dtype": "float32", "input_dim": 100, "output_dim": 8,
                "embeddings_initializer": {"class_name": "RandomUniform", "config": {"minval": -0.05, "maxval": 0.05, "seed": None}},
                "embeddings_regularizer": None, "activity_regularizer": None, "embeddings_constraint": None, "mask_zero": False, "input_length": 12,
            },
        },
        {"class_name": "Bidirectional", "config": {"name": "bidirectional_1", "trainable": True, "layer": lstm, "merge_mode": "concat"}},
        {"class_name": "Dropout", "config": {"name": "dropout_1", "trainable": True, "rate": 0.5}},
        _dense2("dense_1", 6, "softmax"),
    ]  # fmt: skip
    return json.dumps({"class_name": "Sequential", "config": layers, "keras_version": "2.0.8", "backend": "tensorflow"})


@entry(
    "keras_2_2_sequential_cnn",
    _WHERE.format("Keras 2.2.4: a Sequential with {name, layers}"),
    "Keras 2.2 JSON: Conv2D with batch_input_shape on the first layer, VarianceScaling initializers, MaxPooling2D, Flatten",
    json=True,
)
def keras_2_2_sequential_cnn() -> str:
    conv = {
        "class_name": "Conv2D",
        "config": {
            "name": "conv2d_1", "trainable": True, "batch_input_shape": [None, 28, 28, 1], "dtype": "float32", "filters": 8, "kernel_size": [3, 3],
            "strides": [1, 1], "padding": "valid", "data_format": "channels_last", "dilation_rate": [1, 1], "activation": "relu", "use_bias": True,
            "kernel_initializer": _glorot(False), "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": None,
            "bias_regularizer": None, "activity_regularizer": None, "kernel_constraint": None, "bias_constraint": None,
        },
    }  # fmt: skip
    pool = {
        "class_name": "MaxPooling2D",
        "config": {
            "name": "max_pooling2d_1",
            "trainable": True,
            "pool_size": [2, 2],
            "padding": "valid",
            "strides": [2, 2],
            "data_format": "channels_last",
        },
    }
    flatten = {
        "class_name": "Flatten",
        "config": {"name": "flatten_1", "trainable": True, "data_format": "channels_last"},
    }
    config = {
        "name": "sequential_1",
        "layers": [conv, pool, flatten, _dense2("dense_1", 16, "relu"), _dense2("dense_2", 10, "softmax")],
    }
    return json.dumps({"class_name": "Sequential", "config": config, "keras_version": "2.2.4", "backend": "tensorflow"})


def _node2(*names: str) -> list[list[list[Any]]]:
    """Keras 2 inbound_nodes: one call whose inputs are (layer name, node index, tensor index, kwargs)."""
    return [[[name, 0, 0, {}] for name in names]]


@entry(
    "keras_2_2_functional_model",
    _WHERE.format("Keras 2.2.4: a functional 'Model' with input_layers/output_layers"),
    "Keras 2.2 functional JSON: class 'Model', InputLayer with batch_input_shape and sparse, inbound_nodes as nested lists, two inputs merged by Concatenate",
    json=True,
)
def keras_2_2_functional_model() -> str:
    def input_layer(name: str, width: int) -> dict[str, Any]:
        return {
            "name": name,
            "class_name": "InputLayer",
            "config": {"batch_input_shape": [None, width], "dtype": "float32", "sparse": False, "name": name},
            "inbound_nodes": [],
        }

    def called(layer: dict[str, Any], *inputs: str) -> dict[str, Any]:
        return {"name": layer["config"]["name"], **layer, "inbound_nodes": _node2(*inputs)}

    merge = {"class_name": "Concatenate", "config": {"name": "concatenate_1", "trainable": True, "axis": -1}}
    model_layers = [
        input_layer("input_1", 6),
        input_layer("input_2", 4),
        called(_dense2("dense_1", 8, "relu"), "input_1"),
        called(merge, "dense_1", "input_2"),
        called(_dense2("dense_2", 1, "sigmoid"), "concatenate_1"),
    ]
    config = {
        "name": "model_1",
        "layers": model_layers,
        "input_layers": [["input_1", 0, 0], ["input_2", 0, 0]],
        "output_layers": [["dense_2", 0, 0]],
    }
    return json.dumps({"class_name": "Model", "config": config, "keras_version": "2.2.4", "backend": "tensorflow"})


@entry(
    "tf_keras_2_4_functional_lstm",
    _WHERE.format("tf.keras 2.4: class 'Functional', InputLayer with ragged"),
    "tf.keras 2.x functional JSON: Embedding and LSTM with TF-era arguments (time_major, implementation 2), GlorotUniform",
    json=True,
)
def tf_keras_2_4_functional_lstm() -> str:
    inp = {
        "class_name": "InputLayer",
        "config": {
            "batch_input_shape": [None, None],
            "dtype": "int32",
            "sparse": False,
            "ragged": False,
            "name": "tokens",
        },
        "name": "tokens",
        "inbound_nodes": [],
    }
    embedding = {
        "class_name": "Embedding",
        "config": {
            "name": "embedding", "trainable": True, "batch_input_shape": [None, None], "dtype": "float32", "input_dim": 50, "output_dim": 8,
            "embeddings_initializer": {"class_name": "RandomUniform", "config": {"minval": -0.05, "maxval": 0.05, "seed": None}},
            "embeddings_regularizer": None, "activity_regularizer": None, "embeddings_constraint": None, "mask_zero": False, "input_length": None,
        },
        "name": "embedding",
        "inbound_nodes": _node2("tokens"),
    }  # fmt: skip
    lstm = {
        "class_name": "LSTM",
        "config": {
            "name": "lstm", "trainable": True, "dtype": "float32", "return_sequences": False, "return_state": False, "go_backwards": False,
            "stateful": False, "unroll": False, "time_major": False, "units": 8, "activation": "tanh", "recurrent_activation": "sigmoid",
            "use_bias": True, "kernel_initializer": _glorot(True), "recurrent_initializer": {"class_name": "Orthogonal", "config": {"gain": 1.0, "seed": None}},
            "bias_initializer": {"class_name": "Zeros", "config": {}}, "unit_forget_bias": True, "kernel_regularizer": None, "recurrent_regularizer": None,
            "bias_regularizer": None, "activity_regularizer": None, "kernel_constraint": None, "recurrent_constraint": None, "bias_constraint": None,
            "dropout": 0.0, "recurrent_dropout": 0.0, "implementation": 2,
        },
        "name": "lstm",
        "inbound_nodes": _node2("embedding"),
    }  # fmt: skip
    dense = {
        "name": "dense",
        **_dense2("dense", 1, "sigmoid", tf_keras=True, dtype="float32"),
        "inbound_nodes": _node2("lstm"),
    }
    config = {
        "name": "model",
        "layers": [inp, embedding, lstm, dense],
        "input_layers": [["tokens", 0, 0]],
        "output_layers": [["dense", 0, 0]],
    }
    return json.dumps({"class_name": "Functional", "config": config, "keras_version": "2.4.0", "backend": "tensorflow"})


def _module_object(module: str, class_name: str, config: dict[str, Any]) -> dict[str, Any]:
    return {"module": module, "class_name": class_name, "config": config, "registered_name": None}


@entry(
    "tf_keras_2_15_sequential",
    _WHERE.format("tf.keras 2.15: module/registered_name on every object, build_config"),
    "tf.keras 2.13+ JSON: serialized objects with module and registered_name, an InputLayer first, build_config on layers",
    json=True,
)
def tf_keras_2_15_sequential() -> str:
    def dense(name: str, units: int, activation: str, width: int) -> dict[str, Any]:
        config = {
            "name": name, "trainable": True, "dtype": "float32", "units": units, "activation": activation, "use_bias": True,
            "kernel_initializer": _module_object("keras.initializers", "GlorotUniform", {"seed": None}),
            "bias_initializer": _module_object("keras.initializers", "Zeros", {}),
            "kernel_regularizer": None, "bias_regularizer": None, "activity_regularizer": None, "kernel_constraint": None, "bias_constraint": None,
        }  # fmt: skip
        return {**_module_object("keras.layers", "Dense", config), "build_config": {"input_shape": [None, width]}}

    inp = _module_object(
        "keras.layers",
        "InputLayer",
        {"batch_input_shape": [None, 20], "dtype": "float32", "sparse": False, "ragged": False, "name": "dense_input"},
    )
    config = {"name": "sequential", "layers": [inp, dense("dense", 16, "relu", 20), dense("dense_1", 3, "softmax", 16)]}
    return json.dumps(
        {
            "module": "keras",
            "class_name": "Sequential",
            "config": config,
            "registered_name": None,
            "keras_version": "2.15.0",
            "backend": "tensorflow",
        }
    )


@entry(
    "keras_1_merge_model",
    _WHERE.format("Keras 1.2: a Sequential of Sequentials joined by the Merge layer"),
    "Keras 1 JSON: the removed Merge layer (mode 'concat'), output_dim and init arguments",
    json=True,
)
def keras_1_merge_model() -> str:
    def branch(name: str, width: int) -> dict[str, Any]:
        dense = {
            "class_name": "Dense",
            "config": {
                "name": f"{name}_dense", "trainable": True, "batch_input_shape": [None, width], "input_dtype": "float32", "output_dim": 8, "input_dim": width,
                "init": "glorot_uniform", "activation": "relu", "bias": True, "W_regularizer": None, "b_regularizer": None, "activity_regularizer": None,
                "W_constraint": None, "b_constraint": None,
            },
        }  # fmt: skip
        return {"class_name": "Sequential", "config": [dense]}

    merge_config = {
        "name": "merge_1", "layers": [branch("left", 4), branch("right", 6)], "mode": "concat", "concat_axis": -1, "dot_axes": -1,
        "output_shape": None, "output_mask": None, "arguments": {}, "mode_type": "raw", "output_shape_type": "raw",
    }  # fmt: skip
    out_config = {
        "name": "dense_out", "trainable": True, "output_dim": 1, "init": "glorot_uniform", "activation": "sigmoid", "bias": True, "W_regularizer": None,
        "b_regularizer": None, "activity_regularizer": None, "W_constraint": None, "b_constraint": None, "input_dim": None,
    }  # fmt: skip
    merge = {"class_name": "Merge", "config": merge_config}
    out = {"class_name": "Dense", "config": out_config}
    return json.dumps(
        {"class_name": "Sequential", "config": [merge, out], "keras_version": "1.2.2", "backend": "tensorflow"}
    )


@entry(
    "keras_3_functional_json",
    _WHERE.format("Keras 3: functional config with module, registered_name, build_config and nested inbound node args"),
    "Keras 3 JSON: inbound_nodes as {args, kwargs} with __keras_tensor__ references, a DTypePolicy, a Dropout",
    json=True,
)
def keras_3_functional_json() -> str:
    policy = _module_object("keras", "DTypePolicy", {"name": "float32"})

    def tensor(layer: str) -> dict[str, Any]:
        return {
            "class_name": "__keras_tensor__",
            "config": {"shape": [None, 8], "dtype": "float32", "keras_history": [layer, 0, 0]},
        }

    def dense(name: str, units: int, activation: str, source: str) -> dict[str, Any]:
        config = {
            "name": name, "trainable": True, "dtype": policy, "units": units, "activation": activation, "use_bias": True,
            "kernel_initializer": _module_object("keras.initializers", "GlorotUniform", {"seed": None}), "bias_initializer": _module_object("keras.initializers", "Zeros", {}),
            "kernel_regularizer": None, "bias_regularizer": None, "kernel_constraint": None, "bias_constraint": None,
        }  # fmt: skip
        return {
            **_module_object("keras.layers", "Dense", config),
            "name": name,
            "build_config": {"input_shape": [None, 8]},
            "inbound_nodes": [{"args": [tensor(source)], "kwargs": {}}],
        }

    inp = {
        **_module_object(
            "keras.layers",
            "InputLayer",
            {"batch_shape": [None, 8], "dtype": "float32", "sparse": False, "name": "features"},
        ),
        "name": "features",
        "inbound_nodes": [],
    }
    dropout = {
        **_module_object(
            "keras.layers",
            "Dropout",
            {"name": "dropout", "trainable": True, "dtype": policy, "rate": 0.25, "seed": None, "noise_shape": None},
        ),
        "name": "dropout",
        "build_config": {"input_shape": [None, 8]},
        "inbound_nodes": [{"args": [tensor("hidden")], "kwargs": {"training": False}}],
    }
    config = {
        "name": "classifier", "trainable": True,
        "layers": [inp, dense("hidden", 8, "relu", "features"), dropout, dense("scores", 4, "softmax", "dropout")],
        "input_layers": ["features", 0, 0], "output_layers": ["scores", 0, 0],
    }  # fmt: skip
    return json.dumps(
        {
            "module": "keras.src.models.functional",
            "class_name": "Functional",
            "config": config,
            "registered_name": "Functional",
        }
    )
