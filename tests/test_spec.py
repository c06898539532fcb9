"""spec: the pydantic models, strictness, programmatic construction, dumping."""

from __future__ import annotations

import pytest

import graphspec
from graphspec import InputSpec, NodeSpec, OutputSpec, Spec, SpecError

QA = "specs/seed/multi_input_qa.yaml"


def test_node_args_sit_beside_structure() -> None:
    node = NodeSpec.model_validate({"layer": "Dense", "inputs": "x", "units": 4, "activation": "relu"})
    assert node.inputs == ["x"]
    assert node.args == {"units": 4, "activation": "relu"}
    assert node.to_data() == {"layer": "Dense", "inputs": "x", "units": 4, "activation": "relu"}
    assert NodeSpec(layer="Dense", inputs=["x"], units=4) == NodeSpec(layer="Dense", inputs="x", args={"units": 4})


def test_programmatic_spec_builds_like_yaml() -> None:
    spec = Spec(
        name="mlp",
        inputs={"x": InputSpec(shape=[64])},
        nodes={
            "h": NodeSpec(layer="Dense", inputs="x", units=32, activation="relu"),
            "y": NodeSpec(layer="Dense", inputs="h", units=10, activation="softmax"),
        },
        outputs={"y": OutputSpec(loss="categorical_crossentropy")},
    )
    report = graphspec.validate(spec)
    assert report.graph.order == ["h", "y"]
    assert graphspec.load(spec.to_yaml()).to_data() == spec.to_data()


def test_yaml_and_json_round_trip_every_seed() -> None:
    from pathlib import Path

    for path in sorted(Path("specs/seed").glob("*.yaml")):
        spec = graphspec.load(path)
        assert graphspec.load(spec.to_yaml()).to_data() == spec.to_data(), path
        assert graphspec.load(spec.to_json()).to_data() == spec.to_data(), path


def test_yaml_writes_shared_python_objects_out_in_full() -> None:
    size = [3, 3]  # one list object in two nodes: PyYAML would write an anchor and an alias
    spec = graphspec.Spec(
        inputs={"x": graphspec.InputSpec(shape=[8, 8, 1])},
        nodes={
            "a": graphspec.NodeSpec(layer="Conv2D", inputs="x", filters=2, kernel_size=size),
            "b": graphspec.NodeSpec(layer="Conv2D", inputs="a", filters=2, kernel_size=size),
        },
        outputs={"b": graphspec.OutputSpec()},
    )
    text = spec.to_yaml()
    assert "&" not in text and "*" not in text
    assert graphspec.load(text).to_data() == spec.to_data()


def test_output_entries_default_to_the_node_of_the_same_name() -> None:
    spec = graphspec.load(
        {
            "graphspec": 1,
            "inputs": {"x": {"shape": [2]}},
            "nodes": {"y": {"layer": "Dense", "inputs": "x", "units": 1}},
            "outputs": {"y": None, "z": {"from": "y"}},
        }
    )
    assert spec.output_source("y") == "y"
    assert spec.output_source("z") == "y"


@pytest.mark.parametrize(
    ("patch", "code"),
    [
        ({"inputs": {"x": {"shape": ["4"]}}}, "wrong-type"),
        ({"inputs": {"x": {"shape": [0]}}}, "bad-value"),
        ({"inputs": {"x": {"shape": [True]}}}, "wrong-type"),
        ({"inputs": {"x": {"shape": [4], "batch_size": 1.5}}}, "wrong-type"),
        ({"inputs": {"x": {"shape": [4], "dtype": "float33"}}}, "bad-value"),
        ({"inputs": {"x": {"shape": [4], "dtyp": "float32"}}}, "unknown-key"),
        ({"inputs": {}}, "bad-value"),
        ({"graphspec": "1"}, "bad-version"),
        ({"name": "my model"}, "bad-name"),
        ({"outputs": {"y": {"loss_weight": "1"}}}, "wrong-type"),
        ({"outputs": {"y": {"loss_weight": float("inf")}}}, "bad-value"),
        ({"outputs": {"y": {"metrics": "acc"}}}, "wrong-type"),
        ({"outputs": {"y": {"loss": 3}}}, "wrong-type"),
        ({"compile": {"optimizer": "adam", "jit_compile": "yes"}}, "wrong-type"),
        ({"training": {}}, "unknown-key"),
    ],
)
def test_structural_errors_have_stable_codes(patch: dict[str, object], code: str) -> None:
    data: dict[str, object] = {
        "graphspec": 1,
        "inputs": {"x": {"shape": [4]}},
        "nodes": {"y": {"layer": "Dense", "inputs": "x", "units": 1}},
        "outputs": {"y": {}},
    }
    data.update(patch)
    with pytest.raises(SpecError) as exc:
        graphspec.validate(data)
    assert code in exc.value.codes, exc.value.render()


def test_missing_version_says_how_to_fix_it() -> None:
    with pytest.raises(SpecError) as exc:
        graphspec.load({"inputs": {"x": {"shape": [4]}}, "outputs": {"x2": {"from": "x"}}})
    (d,) = exc.value.diagnostics
    assert d.code.value == "missing-key" and "graphspec: 1" in (d.hint or "")


def test_top_level_must_be_a_mapping() -> None:
    with pytest.raises(SpecError) as exc:
        graphspec.load("- a\n- b\n")
    assert exc.value.codes == ["wrong-type"]


def test_the_allowed_keys_hint_lists_the_authoring_keys_too() -> None:
    text = (
        "graphspec: 1\ninputs: {x: {shape: [4]}}\nnodes: {y: {layer: Dense, inputs: x, units: 2}}\noutputs: {y: {}}\n"
        "qqq: 1\n"
    )
    with pytest.raises(SpecError) as info:
        graphspec.validate(text)
    (diag,) = info.value.diagnostics
    assert diag.code.value == "unknown-key"
    assert diag.hint is not None and diag.hint.startswith("allowed here: ")
    allowed = diag.hint.removeprefix("allowed here: ").split(", ")
    assert {"params", "blocks", "include", "inputs", "nodes", "outputs", "compile", "fit"} <= set(allowed)


@pytest.mark.parametrize(
    ("key", "hint"),
    [
        ("loss_weights", "a loss weight belongs to its output: `outputs.out.loss_weight: 2.0`"),
        (
            "learning_rate",
            "the learning rate is the optimizer's: `optimizer: {class_name: Adam, config: {learning_rate: 0.001}}`",
        ),
        ("metrics", "metrics belong to their output: `outputs.out.metrics: [acc]`"),
    ],
)
def test_keras_compile_arguments_point_where_the_format_keeps_them(key: str, hint: str) -> None:
    spec = {
        "graphspec": 1,
        "inputs": {"x": {"shape": [2]}},
        "nodes": {"out": {"layer": "Dense", "inputs": "x", "units": 1}},
        "outputs": {"out": {"loss": "mse"}},
        "compile": {key: 1},
    }
    with pytest.raises(SpecError) as exc:
        graphspec.validate(spec)
    [d] = exc.value.diagnostics
    assert (d.code.value, d.hint) == ("unknown-key", hint)
