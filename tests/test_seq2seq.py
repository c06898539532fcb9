"""``specs/zoo/lstm_seq2seq.yaml`` is keras-io's ``lstm_seq2seq`` (latent 256): the training model
and the inference encoder/decoder pair that shares its layers, against the same three models
written by hand in Keras, as the example writes them."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keras
import numpy as np
import pytest

import graphspec
from graphspec.diff import normalise
from graphspec.importer import from_keras

SPEC = Path(__file__).resolve().parents[1] / "specs" / "zoo" / "lstm_seq2seq.yaml"
ENCODER_TOKENS, DECODER_TOKENS, LATENT = 71, 93, 256


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    yield
    keras.backend.clear_session()
    gc.collect()


def keras_io_models() -> dict[str, Any]:
    """The example's models, line for line (Keras 3 version of keras-io/examples/nlp/lstm_seq2seq.py)."""
    encoder_inputs = keras.Input(shape=(None, ENCODER_TOKENS))
    encoder = keras.layers.LSTM(LATENT, return_state=True)
    _, state_h, state_c = encoder(encoder_inputs)
    encoder_states = [state_h, state_c]
    decoder_inputs = keras.Input(shape=(None, DECODER_TOKENS))
    decoder_lstm = keras.layers.LSTM(LATENT, return_sequences=True, return_state=True)
    decoder_outputs, _, _ = decoder_lstm(decoder_inputs, initial_state=encoder_states)
    decoder_dense = keras.layers.Dense(DECODER_TOKENS, activation="softmax")
    model = keras.Model([encoder_inputs, decoder_inputs], decoder_dense(decoder_outputs))
    encoder_model = keras.Model(encoder_inputs, encoder_states)
    states_in = [keras.Input(shape=(LATENT,)), keras.Input(shape=(LATENT,))]
    step, step_h, step_c = decoder_lstm(decoder_inputs, initial_state=states_in)
    decoder_model = keras.Model([decoder_inputs, *states_in], [decoder_dense(step), step_h, step_c])
    return {"training": model, "encoder": encoder_model, "decoder": decoder_model}


def spec_models() -> dict[str, Any]:
    models = graphspec.build_models(SPEC)
    return {"training": models["lstm_seq2seq"], "encoder": models["encoder_model"], "decoder": models["decoder_model"]}


def test_parameter_counts_equal_the_example() -> None:
    mine, theirs = spec_models(), keras_io_models()
    assert {k: m.count_params() for k, m in mine.items()} == {k: m.count_params() for k, m in theirs.items()}
    assert mine["training"].count_params() == 718_173  # 4·256·(71+256+1) + 4·256·(93+256+1) + (256+1)·93
    assert graphspec.validate(SPEC).inference.total_params == 718_173


def test_the_three_models_share_one_set_of_layers() -> None:
    mine = spec_models()
    training = mine["training"]
    assert mine["encoder"].get_layer("encoder") is training.get_layer("encoder")
    assert mine["decoder"].get_layer("decoder_lstm") is training.get_layer("decoder_lstm")
    assert mine["decoder"].get_layer("decoder_dense") is training.get_layer("decoder_dense")
    assert [t.name for t in training.inputs] == ["encoder_inputs", "decoder_inputs"]
    assert training.get_compile_config()["loss"] == "categorical_crossentropy"
    assert not mine["encoder"].compiled and not mine["decoder"].compiled


def test_same_translations_step_by_step_as_the_hand_written_models() -> None:
    mine, theirs = spec_models(), keras_io_models()
    for ours, layer in zip(
        (m for m in mine["training"].layers if m.weights),
        (m for m in theirs["training"].layers if m.weights),
        strict=True,
    ):
        ours.set_weights(layer.get_weights())
    rng = np.random.default_rng(0)
    source = np.eye(ENCODER_TOKENS, dtype="float32")[rng.integers(0, ENCODER_TOKENS, (2, 7))]
    target = np.eye(DECODER_TOKENS, dtype="float32")[rng.integers(0, DECODER_TOKENS, (2, 5))]
    np.testing.assert_allclose(
        mine["training"].predict([source, target], verbose=0),
        theirs["training"].predict([source, target], verbose=0),
        atol=1e-6,
    )
    states = [mine["encoder"].predict(source, verbose=0), theirs["encoder"].predict(source, verbose=0)]
    for a, b in zip(*states, strict=True):
        np.testing.assert_allclose(a, b, atol=1e-6)
    step = target[:, :1]
    for a, b in zip(
        mine["decoder"].predict([step, *states[0]], verbose=0),
        theirs["decoder"].predict([step, *states[1]], verbose=0),
        strict=True,
    ):
        np.testing.assert_allclose(a, b, atol=1e-6)


def test_the_hand_written_trio_imports_as_one_spec_that_builds_it_again() -> None:
    theirs = keras_io_models()
    spec = from_keras(
        theirs["training"], models={"encoder_model": theirs["encoder"], "decoder_model": theirs["decoder"]}
    )
    assert set(spec.models) == {"encoder_model", "decoder_model"}
    assert sum(1 for n in spec.nodes.values() if n.share is not None) == 2  # the decoder's second call, and its dense
    rebuilt = graphspec.build_models(spec, compile=False)
    counts = sorted(m.count_params() for m in rebuilt.values())
    assert counts == sorted(m.count_params() for m in theirs.values())


def test_the_spec_is_a_fixed_point_of_import() -> None:
    spec = graphspec.load(SPEC)
    built = graphspec.build_models(spec)
    main = built.pop(spec.name)
    assert normalise(from_keras(main, models=built)) == normalise(spec)


def test_a_decoder_state_of_the_wrong_width_is_a_shape_error_before_keras() -> None:
    text = SPEC.read_text(encoding="utf-8").replace(
        "decoder_state_input_h: {shape: [$latent_dim]}", "decoder_state_input_h: {shape: [128]}"
    )
    with pytest.raises(graphspec.SpecError) as err:
        graphspec.validate(text)
    (diag,) = err.value.errors
    assert diag.code.value == "shape-mismatch" and diag.path == ("nodes", "decoder_step")
    assert (
        "LSTM initial_state[0] (h) must have shape (batch, 256); got (None, 128) from decoder_state_input_h"
        in diag.message
    )
