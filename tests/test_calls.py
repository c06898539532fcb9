"""Call arguments (``call:``): checked against the layer's call signature without TensorFlow,
references are graph edges like ``inputs``, shape rules check them, emit passes them, and the
importer writes what a Keras model was called with."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import keras
import numpy as np
import pytest
from keras import layers

import graphspec
from graphspec import SpecError
from graphspec.diff import diff_specs
from graphspec.importer import from_keras
from tests.fidelity import check_round_trip


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    yield
    keras.backend.clear_session()
    gc.collect()


def seq2seq(call: Any, *, state_width: int = 8, **extra: Any) -> dict[str, Any]:
    """An encoder LSTM whose states start a decoder LSTM."""
    decoder = {"layer": "LSTM", "inputs": "target", "units": 8, "return_sequences": True, "call": call, **extra}
    return {
        "graphspec": 1,
        "inputs": {"source": {"shape": [None, 5]}, "target": {"shape": [None, 6]}, "h0": {"shape": [state_width]}},
        "nodes": {"enc": {"layer": "LSTM", "inputs": "source", "units": 8, "return_state": True}, "dec": decoder},
        "outputs": {"dec": {}},
    }


def errors(data: Any) -> list[tuple[str, str, str]]:
    with pytest.raises(SpecError) as err:
        graphspec.validate(data)
    return [(d.code.value, ".".join(map(str, d.path)), d.message) for d in err.value.errors]


# ---------------------------------------------------------------------------
# validate (no TensorFlow)


def test_call_references_are_edges_of_the_graph() -> None:
    report = graphspec.validate(seq2seq({"initial_state": ["enc:1", "enc:2"]}))
    assert report.graph.dag.has_edge("enc", "dec") and report.graph.order == ["enc", "dec"]
    assert [d.message for d in report.warnings] == ["input 'h0' feeds no output"]
    assert report.inference.nodes["dec"].outputs[0].shape == (None, None, 8)


def test_a_node_read_only_through_call_is_not_dead() -> None:
    data = seq2seq({"initial_state": ["enc:1", "enc:2"]})
    report = graphspec.validate(data)
    assert "enc" in report.graph.order and not any(d.code.value == "dead-node" for d in report.warnings)


def test_unknown_call_arguments_and_references_are_named_with_suggestions() -> None:
    found = errors(seq2seq({"initial_states": ["enc:1", "enc:2"], "mask": "sorce"}))
    assert (
        "unknown-argument",
        "nodes.dec.call.initial_states",
        "LSTM's call takes no argument 'initial_states'",
    ) in found
    assert ("unknown-reference", "nodes.dec.call.mask", "node 'dec' reads from unknown 'sorce'") in found
    with pytest.raises(SpecError) as err:
        graphspec.validate(seq2seq({"initial_states": ["enc:1", "enc:2"]}))
    assert err.value.errors[0].hint == "did you mean 'initial_state'?"


def test_a_call_reference_can_close_a_cycle() -> None:
    data = seq2seq({"initial_state": ["dec", "enc:2"]})
    (found,) = errors(data)
    assert found[0] == "cycle" and "dec → dec" in found[2]


def test_an_argument_the_inputs_fill_cannot_be_given_again() -> None:
    (found,) = errors(seq2seq({"sequences": "source"}))
    assert found == (
        "bad-argument",
        "nodes.dec.call.sequences",
        "LSTM's 'sequences' is already given by the node's `inputs`",
    )


def test_switches_take_booleans_and_tensor_arguments_take_references() -> None:
    found = errors(seq2seq({"training": "no", "initial_state": 3}))
    assert ("wrong-type", "nodes.dec.call.training", "LSTM's 'training' is a switch: true or false; got 'no'") in found
    assert (
        "wrong-type",
        "nodes.dec.call.initial_state",
        "LSTM's 'initial_state' takes tensors (references to inputs or nodes); got 3",
    ) in found
    assert not any(
        code == "unknown-reference" for code, _, _ in found
    )  # `training: no` is not also a dangling reference
    assert len(found) == 2


def test_a_malformed_reference_is_named() -> None:
    (found,) = errors(seq2seq({"initial_state": ["enc:1", "enc::2"]}))
    assert found[0] == "bad-name" and found[1] == "nodes.dec.call.initial_state.1"


@pytest.mark.parametrize(
    ("call", "width", "message"),
    [
        (
            {"initial_state": ["h0", "h0"]},
            4,
            "LSTM initial_state[0] (h) must have shape (batch, 8); got (None, 4) from h0",
        ),
        ({"initial_state": ["enc:1"]}, 8, "LSTM takes 2 initial states (h, c); got 1: (None, 8) from enc:1"),
    ],
    ids=["width", "count"],
)
def test_initial_states_are_checked_statically(call: dict[str, Any], width: int, message: str) -> None:
    (found,) = errors(seq2seq(call, state_width=width))
    assert found == ("shape-mismatch", "nodes.dec", message)


def test_validating_call_arguments_loads_no_tensorflow() -> None:
    data = json.dumps(seq2seq({"initial_state": ["enc:1", "enc:2"], "training": False}))
    code = (
        "import json, sys, graphspec\n"
        f"graphspec.validate(json.loads({data!r}))\n"
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules, "
        "sorted(m for m in sys.modules if m.startswith(('tensorflow', 'keras')))\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_attention_call_arguments_and_scores() -> None:
    data = {
        "graphspec": 1,
        "inputs": {"q": {"shape": [4, 8]}, "v": {"shape": [6, 8]}, "m": {"shape": [4, 6], "dtype": "bool"}},
        "nodes": {
            "mha": {
                "layer": "MultiHeadAttention",
                "inputs": "q",
                "num_heads": 2,
                "key_dim": 4,
                "call": {"value": "v", "key": "v", "attention_mask": "m", "return_attention_scores": True},
            },
            "out": {"layer": "Dense", "inputs": "mha:0", "units": 3},
        },
        "outputs": {"out": {}, "scores": {"from": "mha:1"}},
    }
    report = graphspec.validate(data)
    assert report.inference.outputs["scores"].shape == (None, 2, 4, 6)  # (batch, heads, query length, key length)
    model = graphspec.build(data, compile=False)
    # Keras 3.15's symbolic shape of the scores says (None, 2, 4, 4) (it uses the query length twice); the tensor is:
    _, scores = model.predict(
        [np.ones((1, 4, 8), "float32"), np.ones((1, 6, 8), "float32"), np.ones((1, 4, 6), bool)], verbose=0
    )
    assert scores.shape == (1, 2, 4, 6)
    bad = json.loads(json.dumps(data))
    bad["inputs"]["m"]["shape"] = [4, 5]
    (found,) = errors(bad)
    assert found[0] == "shape-mismatch" and "attention_mask must have shape (batch, 4, 6)" in found[2]


def test_a_rule_that_does_not_model_a_call_argument_leaves_the_outputs_unknown() -> None:
    data = {
        "graphspec": 1,
        "inputs": {"x": {"shape": [4, 3]}},
        "nodes": {
            "norm": {"layer": "BatchNormalization", "inputs": "x", "call": {"training": False}},
            "gru": {"layer": "Dense", "inputs": "norm", "units": 2},
        },
        "outputs": {"gru": {}},
    }
    assert graphspec.validate(data).inference.outputs["gru"].shape == (None, 4, 2)  # `training` never changes shapes


# ---------------------------------------------------------------------------
# emit, import, diff


def test_the_decoder_starts_from_the_encoder_states() -> None:
    model = graphspec.build(seq2seq({"initial_state": ["enc:1", "enc:2"]}), compile=False)
    decoder = model.get_layer("dec")
    (node,) = [n for n in decoder._inbound_nodes if n.arguments.kwargs.get("initial_state") is not None]
    states = node.arguments.kwargs["initial_state"]
    assert [s._keras_history.operation.name for s in states] == ["enc", "enc"] and [
        s._keras_history.tensor_index for s in states
    ] == [1, 2]


@pytest.mark.parametrize("positional", [False, True], ids=["by keyword", "by position"])
def test_states_passed_by_keyword_or_position_import(positional: bool) -> None:
    """Was: refused ('called with keyword arguments'), or by position a spec that failed validation."""
    x, h, c = keras.Input((None, 5), name="x"), keras.Input((3,), name="h"), keras.Input((3,), name="c")
    lstm = layers.LSTM(3, name="lstm")
    out = lstm(x, [h, c]) if positional else lstm(x, initial_state=[h, c])
    spec = check_round_trip(keras.Model([x, h, c], out))
    assert spec.nodes["lstm"].inputs == ["x"] and spec.nodes["lstm"].call == {"initial_state": ["h", "c"]}


def test_training_switch_and_attention_keywords_import() -> None:
    q, v, k = keras.Input((4, 8), name="q"), keras.Input((6, 8), name="v"), keras.Input((6, 8), name="k")
    mask = keras.Input((4, 6), name="m", dtype="bool")
    out, scores = layers.MultiHeadAttention(2, 4, name="mha")(
        q, v, key=k, attention_mask=mask, return_attention_scores=True
    )
    dropped = layers.Dropout(0.5, name="drop")(out, training=True)
    spec = check_round_trip(keras.Model([q, v, k, mask], [dropped, scores]))
    assert spec.nodes["mha"].inputs == ["q", "v"]
    assert spec.nodes["mha"].call == {"key": "k", "attention_mask": "m", "return_attention_scores": True}
    assert spec.nodes["drop"].call == {"training": True}
    assert spec.structure is not None and spec.structure.outputs == [
        "drop",
        "mha:1",
    ]  # the scores are returned as they are


def test_a_frozen_base_called_in_inference_mode_keeps_training_false() -> None:
    """The transfer-learning pattern: ``base(x, training=False)``."""
    i = keras.Input((4,), name="i")
    base = keras.Model(i, layers.BatchNormalization(name="bn")(layers.Dense(3, name="d")(i)), name="base")
    base.trainable = False
    x = keras.Input((4,), name="x")
    spec = check_round_trip(keras.Model(x, layers.Dense(2, name="head")(base(x, training=False))))
    assert spec.nodes["base"].call == {"training": False} and spec.nodes["base"].args == {"trainable": False}


def test_a_call_that_cannot_be_written_is_refused_by_name() -> None:
    class Tagged(layers.Layer):
        def call(self, x: Any, tag: str = "none") -> Any:
            return x

    graphspec.register_layer(Tagged)
    try:
        x = keras.Input((4,), name="x")
        with pytest.raises(SpecError) as err:
            from_keras(keras.Model(x, Tagged(name="tagged")(x, tag="loud")))
        assert err.value.codes == ["unsupported-model"]
        assert "'tagged' is called with tag='loud'" in str(err.value)
    finally:
        graphspec.unregister_layer("Tagged")


def test_diff_reports_a_changed_call_argument() -> None:
    a = graphspec.load(seq2seq({"initial_state": ["enc:1", "enc:2"]}))
    b = graphspec.load(seq2seq({"initial_state": ["enc:2", "enc:1"]}))
    (change,) = diff_specs(a, b).changes
    assert (change.kind, change.path) == ("argument-changed", "nodes.dec.call.initial_state")


def test_multi_head_attention_key_by_position_or_name_is_one_spec() -> None:
    base = {
        "graphspec": 1,
        "inputs": {"q": {"shape": [4, 8]}, "v": {"shape": [6, 8]}},
        "nodes": {"mha": {"layer": "MultiHeadAttention", "inputs": ["q", "v", "v"], "num_heads": 2, "key_dim": 4}},
        "outputs": {"mha": {}},
    }
    by_name = json.loads(json.dumps(base))
    by_name["nodes"]["mha"]["inputs"] = ["q", "v"]
    by_name["nodes"]["mha"]["call"] = {"key": "v"}
    assert diff_specs(graphspec.load(base), graphspec.load(by_name)).equal
    x = np.ones((1, 4, 8), "float32"), np.ones((1, 6, 8), "float32")
    assert graphspec.build(base, compile=False).predict(list(x), verbose=0).shape == (1, 4, 8)
