"""graphspec.diff: semantic differences between specs (pure Python, no TensorFlow)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

import graphspec
from graphspec.cli import main
from graphspec.diff import Change, diff_specs, normalise

BASE = """
graphspec: 1
name: qa
inputs:
  text: {shape: [null], dtype: int32}
  question: {shape: [null], dtype: int32}
nodes:
  text_emb: {layer: Embedding, inputs: text, input_dim: 1000, output_dim: 16}
  text_enc: {layer: LSTM, inputs: text_emb, units: 8}
  q_emb:    {layer: Embedding, inputs: question, input_dim: 1000, output_dim: 16}
  q_enc:    {share: text_enc, inputs: q_emb}
  merged:   {layer: Concatenate, inputs: [text_enc, q_enc]}
  answer:   {layer: Dense, inputs: merged, units: 10, activation: softmax}
outputs:
  answer: {loss: categorical_crossentropy}
compile: {optimizer: adam}
"""


def _spec(text: str = BASE, edit: Any = None) -> graphspec.Spec:
    data = graphspec.load(text).to_data()
    if edit is not None:
        edit(data)
    return graphspec.load(data)


def _kinds(a: graphspec.Spec, b: graphspec.Spec) -> list[tuple[str, str]]:
    return [(c.kind, c.path) for c in diff_specs(a, b).changes]


def test_formatting_key_order_and_defaults_are_not_differences() -> None:
    reordered = """
graphspec: 1
name: qa
compile:
  optimizer: adam
outputs:
  answer:
    loss: categorical_crossentropy
    loss_weight: 1.0
inputs:
  question: {dtype: int32, shape: [null]}
  text: {shape: [null], dtype: int32}
nodes:
  answer: {units: 10, activation: softmax, inputs: [merged], layer: Dense, use_bias: true}
  merged: {layer: Concatenate, inputs: [text_enc, q_enc], axis: -1}
  q_enc: {inputs: q_emb, share: text_enc}
  q_emb: {layer: Embedding, inputs: question, input_dim: 1000, output_dim: 16}
  text_enc: {layer: LSTM, inputs: text_emb, units: 8, return_sequences: false}
  text_emb: {layer: Embedding, inputs: text, input_dim: 1000, output_dim: 16}
description: the same model, written differently
"""
    result = diff_specs(_spec(), _spec(reordered))
    assert result.equal
    assert result.to_dict() == {"equal": True, "changes": []}
    assert result.render() == "no semantic differences\n"


def test_uniform_sizes_equal_their_int() -> None:
    def conv(size: Any) -> graphspec.Spec:
        return graphspec.load(
            {
                "graphspec": 1,
                "inputs": {"x": {"shape": [8, 8, 3]}},
                "nodes": {
                    "c": {"layer": "Conv2D", "inputs": "x", "filters": 4, "kernel_size": size, "strides": [1, 1]}
                },
                "outputs": {"c": {}},
            }
        )

    assert diff_specs(conv(3), conv([3, 3])).equal
    assert _kinds(conv(3), conv([3, 5])) == [("argument-changed", "nodes.c.kernel_size")]


def test_argument_changes_with_old_and_new_values() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["nodes"]["answer"]["units"] = 20
        d["nodes"]["answer"]["use_bias"] = False
        del d["nodes"]["answer"]["activation"]

    changes = diff_specs(_spec(), _spec(edit=edit)).changes
    assert changes == [
        Change("argument-removed", "nodes.answer.activation", "softmax"),
        Change("argument-added", "nodes.answer.use_bias", None, False),
        Change("argument-changed", "nodes.answer.units", 10, 20),
    ]


def test_nodes_added_removed_and_rewired() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["nodes"]["drop"] = {"layer": "Dropout", "inputs": "merged", "rate": 0.5}
        d["nodes"]["answer"]["inputs"] = "drop"
        d["nodes"]["merged"]["inputs"] = ["q_enc", "text_enc"]

    assert _kinds(_spec(), _spec(edit=edit)) == [
        ("node-added", "nodes.drop"),
        ("inputs-rewired", "nodes.merged.inputs"),
        ("inputs-rewired", "nodes.answer.inputs"),
    ]
    assert _kinds(_spec(edit=edit), _spec())[0] == ("node-removed", "nodes.drop")


def test_a_renamed_node_is_one_change_and_its_readers_are_not_rewired() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["nodes"]["combined"] = d["nodes"].pop("merged")
        d["nodes"]["answer"]["inputs"] = "combined"

    assert diff_specs(_spec(), _spec(edit=edit)).changes == [
        Change("node-renamed", "nodes.combined", "merged", "combined")
    ]


def test_layer_class_and_share_changes() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["nodes"]["text_enc"]["layer"] = "GRU"
        d["nodes"]["q_enc"] = {"share": "q_other", "inputs": "q_emb"}
        d["nodes"]["q_other"] = {"layer": "LSTM", "inputs": "q_emb", "units": 8}

    kinds = _kinds(_spec(), _spec(edit=edit))
    assert ("layer-changed", "nodes.text_enc") in kinds
    assert ("share-changed", "nodes.q_enc.share") in kinds


def test_inputs_outputs_compile_and_name() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["name"] = "qa2"
        d["inputs"]["text"]["shape"] = [100]
        d["outputs"]["answer"]["loss_weight"] = 0.5
        d["compile"] = {"optimizer": "sgd"}

    assert diff_specs(_spec(), _spec(edit=edit)).changes == [
        Change("name-changed", "name", "qa", "qa2"),
        Change("input-changed", "inputs.text", {"shape": [None], "dtype": "int32"}, {"shape": [100], "dtype": "int32"}),
        Change(
            "output-changed",
            "outputs.answer",
            {"loss": "categorical_crossentropy"},
            {"loss": "categorical_crossentropy", "loss_weight": 0.5},
        ),
        Change("compile-changed", "compile", {"optimizer": "adam"}, {"optimizer": "sgd"}),
    ]


def test_rendered_text_and_dict() -> None:
    def edit(d: dict[str, Any]) -> None:
        d["nodes"]["answer"]["units"] = 20
        d["nodes"]["drop"] = {"layer": "Dropout", "inputs": "merged", "rate": 0.5}
        d["nodes"]["answer"]["inputs"] = "drop"

    result = diff_specs(_spec(), _spec(edit=edit))
    assert result.render() == (
        '+ nodes.drop: "Dropout"\n'
        '~ nodes.answer.inputs: ["merged"] → ["drop"]  (inputs-rewired)\n'
        "~ nodes.answer.units: 10 → 20  (argument-changed)\n"
        "3 change(s): 1 node-added, 1 inputs-rewired, 1 argument-changed\n"
    )
    assert result.to_dict()["changes"][0] == {"kind": "node-added", "path": "nodes.drop", "old": None, "new": "Dropout"}
    json.dumps(result.to_dict())  # plain data


def test_normalise_names_shares_by_owner_and_call_order() -> None:
    data = normalise(_spec())
    assert "q_enc" not in data["nodes"]
    assert data["nodes"]["text_enc_call1"] == {"share": "text_enc", "inputs": "q_emb"}
    assert data["nodes"]["merged"]["inputs"] == ["text_enc", "text_enc_call1"]
    assert "q_enc" in normalise(_spec(), canonical_shares=False)["nodes"]


def test_diff_never_imports_tensorflow() -> None:
    code = "import sys, graphspec.diff; sys.exit('tensorflow' in sys.modules or 'keras' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


# ---------------------------------------------------------------------------
# the command


@pytest.fixture
def two_specs(tmp_path: Any) -> tuple[str, str, str]:
    a = os.path.join(str(tmp_path), "a.yaml")
    b = os.path.join(str(tmp_path), "b.json")
    c = os.path.join(str(tmp_path), "c.yaml")
    with open(a, "w", encoding="utf-8") as handle:
        handle.write(BASE)
    with open(b, "w", encoding="utf-8") as handle:
        handle.write(_spec().to_json())
    with open(c, "w", encoding="utf-8") as handle:
        handle.write(BASE.replace("units: 10", "units: 12"))
    return a, b, c


def test_cli_exit_codes(two_specs: tuple[str, str, str], capsys: pytest.CaptureFixture[str]) -> None:
    a, b, c = two_specs
    assert main(["diff", a, b]) == 0
    assert capsys.readouterr().out == "no semantic differences\n"
    assert main(["diff", a, c]) == 1
    assert "~ nodes.answer.units: 10 → 12  (argument-changed)" in capsys.readouterr().out
    assert main(["diff", a, c, "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out)["changes"] == [
        {"kind": "argument-changed", "path": "nodes.answer.units", "old": 10, "new": 12}
    ]
    assert main(["diff", a, a + ".missing.yaml"]) == 2
    assert "io-error" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stop:
        main(["diff", a])
    assert stop.value.code == 2
