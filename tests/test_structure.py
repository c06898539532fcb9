"""Structured interfaces: ``structure:`` (dicts, nesting, order, references as outputs),
inputs passed straight through, and ``models:`` (several models over one graph)."""

from __future__ import annotations

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
from graphspec.diff import diff_specs, normalise
from tests.fidelity import check_round_trip


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    yield
    keras.backend.clear_session()
    gc.collect()


TWO_HEADS = """
graphspec: 1
inputs:
  image: {shape: [4]}
  meta: {shape: [3]}
nodes:
  h: {layer: Concatenate, inputs: [image, meta]}
  label_dense: {layer: Dense, inputs: h, units: 2}
  box: {layer: Dense, inputs: h, units: 4}
outputs:
  label: {from: label_dense, loss: mse}
  box: {loss: mae}
structure:
  inputs: {meta, image}
  outputs: {label, box}
"""


def errors(data: Any) -> list[tuple[str, str, str]]:
    with pytest.raises(SpecError) as err:
        graphspec.validate(data)
    return [(d.code.value, ".".join(map(str, d.path)), d.message) for d in err.value.errors]


def test_dict_inputs_and_outputs_build_and_predict_dicts() -> None:
    spec = graphspec.load(TWO_HEADS)
    assert spec.structure is not None and spec.structure.inputs == {"meta": "meta", "image": "image"}  # YAML's {a, b}
    model = graphspec.build(spec)
    assert list(model._inputs_struct) == ["meta", "image"] and list(model._outputs_struct) == ["label", "box"]
    assert [
        layer.name for layer in model.layers if type(layer).__name__ == "Identity"
    ] == []  # a dict key names an output
    got = model.predict({"image": np.ones((2, 4), "float32"), "meta": np.ones((2, 3), "float32")}, verbose=0)
    assert isinstance(got, dict) and sorted(got) == ["box", "label"] and got["label"].shape == (2, 2)
    assert model.get_compile_config()["loss"] == {"label": "mse", "box": "mae"}
    model.fit(
        {"image": np.ones((2, 4)), "meta": np.ones((2, 3))},
        {"label": np.ones((2, 2)), "box": np.ones((2, 4))},
        verbose=0,
    )


def test_dict_and_nested_interfaces_import_exactly() -> None:
    """Was: flattened to lists (dicts reordered); predict returned a list where the original returned a dict."""
    a, b = keras.Input((4,), name="a"), keras.Input((3,), name="b")
    model = keras.Model({"b": b, "a": a}, {"q": layers.Dense(2, name="dq")(a), "p": layers.Dense(1, name="dp")(b)})
    spec = check_round_trip(model)  # same structure of predictions, same values
    assert spec.structure is not None and spec.structure.inputs == {"b": "b", "a": "a"}
    assert spec.structure.outputs == {"q": "q", "p": "p"} and spec.outputs["q"].from_ == "dq"
    nested = keras.Model(
        [a, b], [layers.Dense(2, name="h1")(a), [layers.Dense(2, name="h2")(b), layers.Dense(1, name="h3")(b)]]
    )
    spec = check_round_trip(nested)
    assert spec.structure is not None and spec.structure.outputs == ["h1", ["h2", "h3"]]


def test_a_dict_key_that_is_not_the_input_name_keeps_the_keras_name() -> None:
    a = keras.Input((4,), name="a_in")
    spec = check_round_trip(keras.Model({"a": a}, layers.Dense(2, name="d")(a)))
    assert list(spec.inputs) == ["a"] and spec.inputs["a"].keras_name == "a_in"


def test_lists_of_one_are_kept_as_lists() -> None:
    x = keras.Input((4,), name="x")
    spec = check_round_trip(keras.Model([x], [layers.Dense(2, name="d")(x)]))
    assert spec.structure is not None and spec.structure.inputs == ["x"] and spec.structure.outputs == ["d"]


def test_outputs_returned_by_reference_get_no_layer() -> None:
    x = keras.Input((None, 4), name="x")
    _, h, c = layers.LSTM(3, return_state=True, name="enc")(x)
    spec = check_round_trip(keras.Model(x, [h, c]))  # no Identity layers: the same layers as the original
    assert spec.outputs == {} and spec.structure is not None and spec.structure.outputs == ["enc:1", "enc:2"]


def test_structure_mistakes_are_named() -> None:
    data = {
        "graphspec": 1,
        "inputs": {"x": {"shape": [4]}, "y": {"shape": [4]}},
        "nodes": {
            "a": {"layer": "Dense", "inputs": "x", "units": 2},
            "b": {"layer": "Dense", "inputs": "y", "units": 2},
        },
        "outputs": {"a": {}, "b": {}},
        "structure": {"inputs": ["x", "yy", "x"], "outputs": {"first": "a"}},
    }
    found = errors(data)
    assert ("unknown-reference", "structure.inputs.1", "the structure names unknown input 'yy'") in found
    assert ("duplicate-name", "structure.inputs.2", "input 'x' is in the structure twice") in found
    assert (
        "bad-value",
        "structure.outputs.first",
        "key 'first' holds 'a': a mapping's keys are the names of the tensors it holds",
    ) in found
    assert ("bad-value", "structure.outputs", "the structure leaves out output 'b'") in found


def test_an_output_that_needs_an_input_its_model_does_not_take_is_an_error() -> None:
    data = {
        "graphspec": 1,
        "inputs": {"x": {"shape": [4]}, "y": {"shape": [4]}},
        "nodes": {"s": {"layer": "Add", "inputs": ["x", "y"]}},
        "outputs": {"s": {}},
        "structure": {"inputs": ["x"]},
    }
    (found,) = errors(data)
    assert found == (
        "unreachable-output",
        "outputs.s",
        "the model returns 's', which depends on input 'y' that the model does not take",
    )


def test_an_input_passed_through_keeps_its_name_and_gains_no_layer() -> None:
    data = {
        "graphspec": 1,
        "inputs": {"x": {"shape": [4]}, "y": {"shape": [2]}},
        "nodes": {"d": {"layer": "Dense", "inputs": "x", "units": 3}},
        "outputs": {"d": {}, "y": {}},
    }
    model = graphspec.build(data, compile=False)
    assert sorted(layer.name for layer in model.layers) == ["d", "x", "y"] and model.output_names == ["d", "y"]


def test_models_share_layers_and_check_their_own_interfaces() -> None:
    data: dict[str, Any] = {
        "graphspec": 1,
        "name": "ae",
        "inputs": {"x": {"shape": [8]}, "code": {"shape": [2]}},
        "nodes": {
            "enc": {"layer": "Dense", "inputs": "x", "units": 2},
            "dec": {"layer": "Dense", "inputs": "enc", "units": 8},
            "dec_alone": {"share": "dec", "inputs": "code"},
        },
        "outputs": {"dec": {"loss": "mse"}},
        "structure": {"inputs": "x"},
        "models": {
            "encoder": {"inputs": "x", "outputs": "enc"},
            "decoder": {"inputs": {"code": None}, "outputs": {"image": "dec_alone"}},
        },
    }
    models = graphspec.build_models(data)
    assert list(models) == ["ae", "encoder", "decoder"]
    assert models["decoder"].get_layer("dec") is models["ae"].get_layer("dec")
    assert isinstance(models["decoder"].predict({"code": np.ones((1, 2))}, verbose=0), dict)
    assert graphspec.build(data).name == "ae"
    broken = json.loads(json.dumps(data))
    broken["models"]["decoder"]["inputs"] = "x"
    found = errors(broken)
    assert (
        "unreachable-output",
        "models.decoder.outputs.image",
        "model 'decoder' returns 'dec_alone', which depends on input 'code' that model 'decoder' does not take",
    ) in found


def test_an_input_only_another_model_takes_is_a_warning_of_the_spec_model() -> None:
    data = {
        "graphspec": 1,
        "inputs": {"x": {"shape": [4]}, "z": {"shape": [4]}},
        "nodes": {"a": {"layer": "Dense", "inputs": "x", "units": 2}, "b": {"share": "a", "inputs": "z"}},
        "outputs": {"a": {}},
        "models": {"other": {"inputs": "z", "outputs": "b"}},
    }
    report = graphspec.validate(data)
    assert [d.message for d in report.warnings] == ["input 'z' of the model feeds no output"]
    assert [t.name for t in graphspec.build(data, compile=False).inputs] == ["x", "z"]


def test_structure_and_models_survive_diff_and_normalise() -> None:
    spec = graphspec.load(TWO_HEADS)
    same = graphspec.load(TWO_HEADS.replace("inputs: {meta, image}", "inputs: {meta: meta, image: image}"))
    assert normalise(spec) == normalise(same)
    other = graphspec.load(TWO_HEADS.replace("inputs: {meta, image}", "inputs: [meta, image]"))
    (change,) = diff_specs(spec, other).changes
    assert change.kind == "structure-changed"
    default = graphspec.load(
        TWO_HEADS.replace("  inputs: {meta, image}\n", "").replace(
            "  outputs: {label, box}\n", "  outputs: [label, box]\n"
        )
    )
    assert "structure" not in normalise(default)  # a structure that says the default is no structure
