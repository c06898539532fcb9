"""schema: the JSON Schema accepts every spec validate accepts, rejects what it can judge, and is committed fresh."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from graphspec.schema import json_schema, render_schema
from graphspec.source import parse_file
from tests import schema_coverage

ROOT = Path(__file__).resolve().parent.parent
VALID = sorted([*ROOT.glob("specs/**/*.yaml"), *(ROOT / "tests/cases/valid").iterdir()])


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return json_schema()


@pytest.fixture(scope="module")
def validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _messages(errors: Iterator[jsonschema.ValidationError]) -> list[str]:
    """Every message, those of the alternatives of a oneOf/anyOf included (what an editor picks from)."""
    out: list[str] = []
    stack = list(errors)
    while stack:
        e = stack.pop()
        out.append(e.message)
        stack.extend(e.context or [])
    return out


def _branch(schema: dict[str, Any], layer: str) -> dict[str, Any]:
    for b in schema["$defs"]["LayerArguments"]["allOf"]:
        if b["if"]["properties"]["layer"]["pattern"] == f"^{re.escape(layer)}$":
            return b["then"]  # type: ignore[no-any-return]
    raise KeyError(layer)


def _spec(**node: Any) -> dict[str, Any]:
    return {
        "graphspec": 1,
        "inputs": {"x": {"shape": [8, 8, 3]}},
        "nodes": {"h": {"inputs": "x", **node}},
        "outputs": {"h": {}},
    }


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_valid_specs_satisfy_the_schema(validator: jsonschema.Draft202012Validator, path: Path) -> None:
    data = parse_file(path).data  # read as validate reads it (YAML 1.2)
    assert _messages(validator.iter_errors(data)) == []


def test_every_valid_conformance_case_satisfies_the_schema_and_the_invalid_ones_it_misses_are_beyond_a_schema() -> None:
    coverage = schema_coverage.measure()
    assert coverage.valid > 200
    assert coverage.valid_rejected == []
    # Every invalid case the schema lets through needs the graph, shapes, the text's reading or tells 4.0 from 4.
    assert coverage.unexplained == []
    assert coverage.caught >= 321, coverage.caught


@pytest.mark.parametrize(
    ("case", "fragment"),
    [
        ("typo_argument.yaml", "Additional properties are not allowed ('activaton', 'unit' were unexpected)"),
        ("typo_layer.yaml", "'Dence' is not one of"),
        ("structure.yaml", "'inputz' was unexpected"),
    ],
)
def test_schema_catches_typos(validator: jsonschema.Draft202012Validator, case: str, fragment: str) -> None:
    data = yaml.safe_load((ROOT / "tests/cases/invalid" / case).read_text())
    messages = _messages(validator.iter_errors(data))
    assert any(fragment in m for m in messages), messages


def test_each_layer_lists_exactly_its_own_arguments(schema: dict[str, Any]) -> None:
    # Selected by a whole-name pattern: editors complete `const` and `enum` by prefix, so
    # `Conv1D` would also have offered Conv1DTranspose's arguments.
    conditions = [b["if"]["properties"]["layer"] for b in schema["$defs"]["LayerArguments"]["allOf"]]
    assert all(set(c) == {"type", "pattern"} for c in conditions)
    assert "output_padding" not in _branch(schema, "Conv1D")["properties"]
    assert "output_padding" in _branch(schema, "Conv1DTranspose")["properties"]
    assert not {"dropout", "use_scale"} & set(_branch(schema, "Add")["properties"])
    assert not {"pool_size", "strides", "padding"} & set(_branch(schema, "Average")["properties"])
    # A node's name is its key: layers whose constructor lists `name` do not offer it.
    for layer in ("MaxPooling1D", "StringLookup", "Average"):
        assert "name" not in _branch(schema, layer)["properties"], layer
    dense = _branch(schema, "Dense")
    assert {"units", "activation", "kernel_initializer", "use_bias", "trainable", "dtype"} <= set(dense["properties"])
    assert dense["required"] == ["units"]


@pytest.mark.parametrize(
    ("node", "fragment"),
    [
        ({"layer": "Dense", "units": -5}, "-5 is less than the minimum of 1"),
        ({"layer": "Dense", "units": "abc"}, "'abc' is not of type 'integer'"),
        (
            {"layer": "Conv2D", "filters": 4, "kernel_size": 3, "padding": "samee"},
            "'samee' is not one of ['valid', 'same', 'causal']",
        ),
        ({"layer": "Dropout", "rate": 1.5}, "1.5 is greater than or equal to the maximum of 1"),
        ({"layer": "Dense", "units": 4, "use_bias": "yes"}, "'yes' is not of type 'boolean'"),
        ({"layer": "Dense", "units": 4, "activation": "rleu"}, "'rleu' is not one of"),
        (
            {"layer": "Dense", "units": 4, "kernel_initializer": {"class_name": "HeNormal", "config": {"sed": 1}}},
            "'sed' was unexpected",
        ),
        (
            {
                "layer": "Dense",
                "units": 4,
                "kernel_initializer": {"class_name": "Constant", "config": {"value": {"a": 1}}},
            },
            "is not valid under any of the given schemas",
        ),
        ({"layer": "Bidirectional", "wraps": {"layer": "LSTM", "unit": 4}}, "'unit' was unexpected"),
        (
            {"layer": "Bidirectional", "wraps": {"layer": "LSTM", "units": 4, "inputs": "x"}},
            "False schema does not allow 'x'",
        ),
        ({"layer": "Dense", "units": 4, "share": "g"}, "should not be valid under"),
        ({"layer": "Dense"}, "'units' is a required property"),
        ({"layer": "Dense", "units": 4, "inputs": []}, "should be non-empty"),
        ({"op": "reshape"}, "'newshape' is a required property"),
        ({"op": "add", "axis": 1}, "'axis' was unexpected"),
    ],
)
def test_value_rules_the_catalogue_knows(
    validator: jsonschema.Draft202012Validator, node: dict[str, Any], fragment: str
) -> None:
    messages = _messages(validator.iter_errors(_spec(**node)))
    assert any(fragment in m for m in messages), messages


@pytest.mark.parametrize(
    "node",
    [
        {"layer": "Dense", "units": 4, "use_bias": None, "share": None, "op": None},
        {"layer": "Dense", "units": "$width", "activation": "${act}"},
        {"layer": "Conv2D", "filters": 4, "kernel_size": ["$k", 3], "padding": "same"},
        {"layer": "RNN", "cell": [{"layer": "LSTMCell", "units": 4}, {"layer": "GRUCell", "units": 4}]},
        {"layer": "Bidirectional", "wraps": {"layer": "LSTM", "units": 4}, "backward_layer": None},
        {"layer": "Dense", "units": 4, "kernel_initializer": {"class_name": "Constant", "config": {"value": 0.5}}},
        {"share": "g", "layer": None},
        {"block": "stage", "filters": 64, "repeat": 3},
    ],
)
def test_what_validate_accepts_is_accepted(validator: jsonschema.Draft202012Validator, node: dict[str, Any]) -> None:
    assert _messages(validator.iter_errors(_spec(**node))) == []


def test_names_follow_the_format(validator: jsonschema.Draft202012Validator) -> None:
    too_long = _spec(layer="Dense", units=4)
    too_long["outputs"] = {"a" * 129: {}}
    trailing = _spec(layer="Dense", units=4)
    trailing["outputs"] = {"h\n": {}}
    for data in (too_long, trailing):
        assert not validator.is_valid(data)


def test_the_schema_stays_small() -> None:
    # 1.03 MB before per-argument rules were shared as definitions.
    assert len(render_schema()) < 700_000


def test_committed_schema_is_fresh() -> None:
    """Fix: ``graphspec schema > schema/graphspec.schema.json``."""
    assert (ROOT / "schema/graphspec.schema.json").read_text(encoding="utf-8") == render_schema()


def test_the_committed_schema_is_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(
        json.loads((ROOT / "schema/graphspec.schema.json").read_text(encoding="utf-8"))
    )
