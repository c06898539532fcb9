"""catalog: layer names, arguments, object allow-lists, registration, freshness."""

from __future__ import annotations

import json
from typing import Any

import pytest

import graphspec
from graphspec import SpecError, catalog
from graphspec.catalog._build import CATALOG_PATH


def one_node(**node: Any) -> dict[str, Any]:
    node.setdefault("inputs", "x")
    return {"graphspec": 1, "inputs": {"x": {"shape": [8]}}, "nodes": {"n": node}, "outputs": {"n": {}}}


def errors(data: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(SpecError) as exc:
        graphspec.validate(data)
    return [(d.code.value, d.message) for d in exc.value.diagnostics]


def test_catalogue_covers_the_whole_keras_layer_namespace() -> None:
    names = catalog.layer_names()
    assert len(names) >= 150
    for name in (
        "Dense",
        "Conv2D",
        "LSTM",
        "MultiHeadAttention",
        "Bidirectional",
        "Concatenate",
        "RandomFlip",
        "GroupNormalization",
    ):
        assert catalog.layer_info(name) is not None, name


def test_catalogue_is_fresh_for_the_installed_keras() -> None:
    """Regenerate from the installed Keras; a stale committed catalogue fails here.

    Fix: ``python -m graphspec.catalog._build`` and commit ``graphspec/catalog.json``.
    """
    from graphspec.catalog._build import build_catalog, render

    assert render(build_catalog()) == CATALOG_PATH.read_text(encoding="utf-8")
    assert json.loads(CATALOG_PATH.read_text())["keras_version"] == catalog.keras_version()


def test_argument_docs_are_fresh_and_carry_keras_docstrings() -> None:
    """Fix: ``python -m graphspec.catalog._build`` and commit ``graphspec/catalog_docs.json``."""
    from graphspec.catalog._build import DOCS_PATH, build_docs, render
    from graphspec.catalog.docs import argument_doc, layer_summary

    assert render(build_docs()) == DOCS_PATH.read_text(encoding="utf-8")
    assert layer_summary("Dense") == "Just your regular densely-connected NN layer."
    assert argument_doc("Dense", "units") == "Positive integer, dimensionality of the output space."
    assert argument_doc("Dense", "trainable") is not None  # a base-class argument
    assert argument_doc("Bidirectional", "wraps") is not None  # Keras' `layer`, under the spec's name
    assert argument_doc("Dense", "no_such") is None and layer_summary("NoSuch") is None


def test_argument_docs_of_a_registered_layer_come_from_its_docstring() -> None:
    from graphspec.catalog.docs import argument_doc, layer_summary

    class Scale:
        """Multiply by a constant.

        Args:
            factor: the constant,
                any number.
        """

        def __init__(self, factor: float = 2.0) -> None:
            self.factor = factor

    catalog.register_layer(Scale)
    try:
        assert layer_summary("Scale") == "Multiply by a constant."
        assert argument_doc("Scale", "factor") == "the constant, any number."
    finally:
        catalog.unregister_layer("Scale")


@pytest.mark.parametrize(
    ("node", "code", "fragment"),
    [
        ({"layer": "Dense"}, "missing-argument", "needs argument 'units'"),
        ({"layer": "Dense", "units": 3, "name": "x"}, "unknown-argument", "takes no argument 'name'"),
        ({"layer": "Dense", "units": 3, "input_shape": [8]}, "unknown-argument", "input_shape"),
        ({"layer": "keras.layers.Dense", "units": 3}, "unknown-layer", "unknown layer"),
        ({"layer": "InputLayer"}, "refused-layer", "inputs:"),
        ({"layer": "TorchModuleWrapper", "module": "x"}, "refused-layer", "code"),
        (
            {"layer": "Dense", "units": 3, "activation": "keras.config.set_epsilon"},
            "unknown-object",
            "unknown activation",
        ),
        (
            {"layer": "Dense", "units": 3, "activation": {"class_name": "relu", "config": {"max_value": 6}}},
            "bad-argument",
            "function",
        ),
        (
            {
                "layer": "Dense",
                "units": 3,
                "kernel_initializer": {"class_name": "Orthogonal", "config": {"gain": {"class_name": "x"}}},
            },
            "bad-argument",
            "plain data",
        ),
        (
            {"layer": "Dense", "units": 3, "quantization_config": {"class_name": "Int8QuantizationConfig"}},
            "bad-argument",
            "not a mapping",
        ),
        ({"layer": "Dense", "units": 3, "dtype": "float33"}, "bad-argument", "dtype"),
        ({"layer": "StringLookup", "vocabulary": "/etc/passwd"}, "bad-argument", "file path"),
        ({"layer": "Dense", "units": 0}, "bad-value", "positive integer"),
        ({"layer": "Dense", "units": True}, "wrong-type", "positive integer"),
        ({"layer": "Conv1D", "filters": 4, "kernel_size": [3, 0]}, "bad-value", "positive integer"),
        ({"layer": "Dropout", "rate": 1.0}, "bad-value", "[0, 1)"),
        ({"layer": "Dense", "units": 3, "use_bias": "yes"}, "wrong-type", "true or false"),
        ({"layer": "BatchNormalization", "momentum": "0.9"}, "wrong-type", "must be a number"),
        ({"layer": "Conv1D", "filters": 4, "kernel_size": 3, "padding": 1}, "wrong-type", "must be a string"),
        ({"layer": "Bidirectional", "wraps": "LSTM"}, "wrong-type", "nested layer"),
        (
            {"layer": "Bidirectional", "wraps": {"layer": "LSTM", "units": 4, "inputs": "x"}},
            "unknown-key",
            "nested layer",
        ),
        ({"layer": "Bidirectional", "wraps": {"layer": "LTSM", "units": 4}}, "unknown-layer", "LTSM"),
        ({"layer": "Bidirectional", "wraps": {"layer": "Lambda", "function": "x"}}, "refused-layer", "Lambda"),
    ],
)
def test_layer_argument_checks(node: dict[str, Any], code: str, fragment: str) -> None:
    found = errors(one_node(**node))
    assert any(c == code and fragment in m for c, m in found), found


def test_objects_accept_names_and_class_config() -> None:
    node = {
        "layer": "Dense",
        "units": 3,
        "activation": {"class_name": "gelu"},
        "kernel_initializer": {"class_name": "VarianceScaling", "config": {"scale": 2.0, "mode": "fan_in"}},
        "kernel_regularizer": "l2",
        "bias_constraint": {"class_name": "MaxNorm", "config": {"max_value": 2}},
    }
    graphspec.validate(one_node(**node))


def test_losses_metrics_and_optimizers_are_allow_listed() -> None:
    data = one_node(layer="Dense", units=3)
    data["outputs"] = {
        "n": {"loss": "mse", "metrics": ["acc", "mae", {"class_name": "TopKCategoricalAccuracy", "config": {"k": 2}}]}
    }
    data["compile"] = {"optimizer": {"class_name": "AdamW", "config": {"learning_rate": 0.01, "weight_decay": 0.001}}}
    graphspec.validate(data)
    data["outputs"]["n"]["loss"] = "msee"
    data["outputs"]["n"]["metrics"] = ["acuracy"]
    data["compile"]["optimizer"] = {"class_name": "AdamW", "config": {"lr": 0.01}}
    found = errors(data)
    assert [c for c, _ in found] == ["unknown-object", "unknown-object", "unknown-argument"]


class Scale:
    """Stands in for a user's Layer subclass; catalogue checks only need its signature."""

    def __init__(self, factor: float, bias: float = 0.0, **kwargs: Any) -> None:
        self.factor = factor


def test_registered_layers_are_checked_against_their_own_signature() -> None:
    graphspec.register_layer(Scale)
    try:
        graphspec.validate(one_node(layer="Scale", factor=2.0))
        found = errors(one_node(layer="Scale", bias=1.0))
        assert found == [("missing-argument", "Scale needs argument 'factor'")]
        with pytest.raises(ValueError, match="built-in"):
            graphspec.register_layer(Scale, name="Dense")
    finally:
        graphspec.unregister_layer("Scale")
    assert ("unknown-layer", "unknown layer 'Scale'") in errors(one_node(layer="Scale", factor=2.0))


def test_number_hints_fit_what_was_expected() -> None:
    """A rate of 1.0 once got 'write 1 (an integer ...)'; hints now follow the expected type
    and what YAML 1.2 would read without the quotes."""
    rate = {d.path[-1]: d for d in graphspec_errors(one_node(layer="Dropout", rate=1.0))}["rate"]
    assert rate.hint is None
    units = {d.path[-1]: d for d in graphspec_errors(one_node(layer="Dense", units=10.0))}["units"]
    assert units.hint == "write 10 (an integer, without a decimal point or exponent)"
    quoted = {d.path[-1]: d for d in graphspec_errors(one_node(layer="Dense", units="16"))}["units"]
    assert quoted.hint == "remove the quotes to write the number 16"


def graphspec_errors(data: dict[str, Any]) -> list[Any]:
    with pytest.raises(SpecError) as exc:
        graphspec.validate(data)
    return exc.value.diagnostics
