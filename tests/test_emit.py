"""emit: naming, sharing, compile settings, Keras errors as SpecErrors, deep graphs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import graphspec
from graphspec import SpecError


def chain(n: int, units: int = 2) -> dict[str, Any]:
    nodes = {f"d{i}": {"layer": "Dense", "inputs": "x" if i == 0 else f"d{i - 1}", "units": units} for i in range(n)}
    return {
        "graphspec": 1,
        "inputs": {"x": {"shape": [units]}},
        "nodes": nodes,
        "outputs": {"y": {"from": f"d{n - 1}"}},
    }


def test_output_names_and_from() -> None:
    model = graphspec.build(chain(3))
    assert model.output_names == ["y"]
    assert model.get_layer("y").__class__.__name__ == "Identity"
    assert model.count_params() == 3 * (2 * 2 + 2)


def test_compile_settings_reach_keras() -> None:
    data = chain(2)
    data["outputs"] = {
        "y": {"from": "d1", "loss": {"class_name": "Huber", "config": {"delta": 0.5}}, "metrics": ["mae"]}
    }
    data["compile"] = {"optimizer": {"class_name": "SGD", "config": {"learning_rate": 0.05, "momentum": 0.9}}}
    model = graphspec.build(data)
    assert type(model.optimizer).__name__ == "SGD"
    assert float(model.optimizer.learning_rate) == pytest.approx(0.05)
    assert type(model.loss).__name__ == "Huber"
    # delta=0.5 on an error of 2: 0.5 * 0.5**2 + 0.5 * (2 - 0.5) = 0.875 (the default delta=1 gives 1.5)
    assert float(model.loss(np.zeros((1, 1)), np.full((1, 1), 2.0))) == pytest.approx(0.875)


def test_uncompiled_when_nothing_to_compile() -> None:
    model = graphspec.build(chain(2))
    assert not model.compiled
    model = graphspec.build(
        graphspec.load({**chain(2), "outputs": {"y": {"from": "d1", "loss": "mse"}}}), compile=False
    )
    assert not model.compiled
    assert graphspec.build({**chain(2), "outputs": {"y": {"from": "d1", "loss": "mse"}}}).compiled


def test_keras_error_names_the_node_and_position() -> None:
    # CenterCrop has no static shape rule, so the mistake surfaces only in Keras.
    text = (
        "graphspec: 1\ninputs: {x: {shape: [4]}}\nnodes:\n"
        "  crop: {layer: CenterCrop, inputs: x, height: 2, width: 2}\noutputs: {crop: {}}\n"
    )
    with pytest.raises(SpecError) as exc:
        graphspec.build(text)
    (d,) = exc.value.diagnostics
    assert d.code.value == "keras-error" and d.path == ("nodes", "crop")
    assert (d.line, d.column) == (4, 9)
    assert d.message.startswith("Keras rejected this CenterCrop: `input_shape` must be")
    assert "\x1b[" not in d.message and "Arguments received" not in d.message


def test_rank_errors_are_found_before_keras() -> None:
    text = (
        "graphspec: 1\ninputs: {x: {shape: [4]}}\nnodes:\n  seq: {layer: LSTM, inputs: x, units: 3}\n"
        "outputs: {seq: {}}\n"
    )
    with pytest.raises(SpecError) as exc:
        graphspec.validate(text)
    (d,) = exc.value.diagnostics
    assert d.code.value == "shape-mismatch" and d.path == ("nodes", "seq")


def test_shared_layer_has_one_set_of_weights() -> None:
    model = graphspec.build(Path("specs/seed/siamese_lstm.yaml"))
    lstm = model.get_layer("left_enc")
    assert len(lstm._inbound_nodes) == 2
    assert len([layer for layer in model.layers if type(layer).__name__ == "LSTM"]) == 1


def test_dataset_fit_with_dicts_keyed_by_spec_names() -> None:
    model = graphspec.build(Path("specs/seed/multi_input_qa.yaml"))
    rng = np.random.default_rng(0)
    x = {"text": rng.integers(1, 10000, (8, 5)), "question": rng.integers(1, 10000, (8, 5))}
    y = np.eye(500)[rng.integers(0, 500, 8)]
    history = model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    assert np.isfinite(history.history["loss"][0])


def test_keras_state_is_untouched_by_injection_attempts() -> None:
    import keras

    before = keras.config.epsilon()
    data = chain(1)
    data["nodes"]["d0"]["activation"] = {"class_name": "function", "module": "keras.config", "config": "set_epsilon"}
    with pytest.raises(SpecError):
        graphspec.build(data)
    assert keras.config.epsilon() == before


def test_callers_data_is_never_mutated() -> None:
    import copy

    data = chain(3)
    snapshot = copy.deepcopy(data)
    graphspec.build(data)
    assert data == snapshot


def test_3000_chained_layers_build() -> None:
    """Keras alone raises RecursionError near 1,000 chained layers; graphspec builds 3,000."""
    model = graphspec.build(chain(3000))
    assert len(model.layers) == 3000 + 2  # input, 3000 Dense, the `y` Identity
    out = model(np.ones((1, 2), dtype="float32"))
    assert out.shape == (1, 2)


@pytest.mark.parametrize(
    ("output", "path"),
    [
        (
            {"loss": "mse", "metrics": [{"class_name": "AUC", "config": {"num_thresholds": 1}}]},
            ("outputs", "y", "metrics", 0),
        ),
        ({"loss": {"class_name": "MeanSquaredError", "config": {"reduction": "bogus"}}}, ("outputs", "y", "loss")),
    ],
)
def test_bad_loss_and_metric_configs_are_spec_errors(output: dict[str, Any], path: tuple[Any, ...]) -> None:
    """Config values only Keras can judge used to escape as a raw ValueError."""
    data = {**chain(1), "outputs": {"y": {"from": "d0", **output}}}
    with pytest.raises(SpecError) as exc:
        graphspec.build(data)
    (d,) = exc.value.diagnostics
    assert d.code.value == "keras-error" and d.path == path


def test_the_counting_dry_run_leaves_no_variable_for_keras_to_initialise_later() -> None:
    """The dry run builds under a stateless scope so that no weight is allocated; Keras keeps every
    variable made there in a global list and initialises the whole list when the next stateless scope
    closes. Left there, the dry run's variables would be allocated after all (a model refused as too
    big included), and a later scope fails on one that was initialised meanwhile (seen as
    'Variable seed_generator/seed_generator_state is already initialized', depending on test order)."""
    import keras
    from keras.src.backend.common import global_state

    from graphspec.emit import emit

    spec = {
        "graphspec": 1,
        "inputs": {"x": {"shape": [4]}},
        "nodes": {
            "d": {"layer": "Dropout", "inputs": "x", "rate": 0.5},
            "y": {"layer": "Dense", "inputs": "d", "units": 3},
        },
        "outputs": {"y": {"loss": "mse"}},
    }
    graph = graphspec.validate(spec).graph

    def pending() -> list[str]:
        return [v.path for v in global_state.get_global_attribute("uninitialized_variables") or []]

    with keras.StatelessScope():  # start from an empty list, whatever ran before in this process
        pass
    model = emit(graph, compile=False, max_params=1_000)
    assert pending() == []
    with pytest.raises(SpecError) as info:
        emit(graph, compile=False, max_params=10)  # 15 parameters: refused after the dry run
    assert info.value.errors[0].code.value == "too-many-params"
    assert pending() == []
    with keras.StatelessScope():
        pass
    assert model.count_params() == 15
