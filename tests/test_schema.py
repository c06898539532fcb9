"""schema: the JSON Schema accepts every valid spec, rejects typos, and is committed fresh."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
import yaml

from graphspec.schema import json_schema, render_schema

ROOT = Path(__file__).resolve().parent.parent
VALID = sorted([*ROOT.glob("specs/**/*.yaml"), *(ROOT / "tests/cases/valid").iterdir()])


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_valid_specs_satisfy_the_schema(validator: jsonschema.Draft202012Validator, path: Path) -> None:
    errors = [e.message for e in validator.iter_errors(yaml.safe_load(path.read_text()))]
    assert errors == []


@pytest.mark.parametrize(
    ("case", "fragment"),
    [
        ("typo_argument.yaml", "'activaton', 'unit' were unexpected"),
        ("typo_layer.yaml", "is not valid under any of the given schemas"),
        ("structure.yaml", "'inputz' was unexpected"),
    ],
)
def test_schema_catches_typos(validator: jsonschema.Draft202012Validator, case: str, fragment: str) -> None:
    data = yaml.safe_load((ROOT / "tests/cases/invalid" / case).read_text())
    messages = [e.message for e in validator.iter_errors(data)]
    assert any(fragment in m for m in messages), messages


def test_layer_arguments_are_listed_for_completion() -> None:
    node = json_schema()["$defs"]["NodeSpec"]
    dense = next(b["then"] for b in node["allOf"] if b["if"]["properties"]["layer"]["const"] == "Dense")
    assert {"units", "activation", "kernel_initializer", "use_bias", "trainable", "dtype"} <= set(dense["properties"])
    assert dense["required"] == ["layer", "units"]
    layers = node["oneOf"][0]["properties"]["layer"]["enum"]
    assert "Lambda" not in layers and "Dense" in layers


def test_committed_schema_is_fresh() -> None:
    """Fix: ``graphspec schema > schema/graphspec.schema.json``."""
    assert (ROOT / "schema/graphspec.schema.json").read_text(encoding="utf-8") == render_schema()
