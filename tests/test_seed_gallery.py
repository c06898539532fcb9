"""The seed gallery: each spec in ``specs/seed/`` against the same model written by hand.

Every spec reproduces a model of a Keras functional-API walkthrough. For each one
this file writes that model by hand with ``keras.layers`` (functional API, as the
walkthrough does) and checks that ``graphspec.build`` gives the same model:

1. the same parameter count, equal to a literal figure from the gallery table;
2. the same layers (classes, in order and as a multiset) with the same configs
   once names are dropped, wired the same way;
3. the same outputs for the same weights and inputs;
4. input and output names taken from the spec, in the spec's order;
5. (siamese) one LSTM layer, applied twice, its weights counted once;
6. (multi-output) per-output losses and loss weights, and a one-batch ``fit``
   that reports one loss per output;

and that each compiled model's compile config equals the walkthrough's own
``compile`` call on the hand-written model. A last test guards multi-output
specs where some output has no loss.

Each model pair is built once per module (``models`` fixture).
"""

from __future__ import annotations

import copy
import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
from keras import Input, layers

import graphspec

SEED_DIR = Path(__file__).resolve().parents[1] / "specs" / "seed"


# ---------------------------------------------------------------------------
# The models, written by hand as the walkthrough writes them.
# Layer names are left to Keras (the walkthrough names only inputs and the
# multi-output heads); graphspec names every layer after its node, which is why
# configs are compared without their `name`.


def hand_sequential_mlp() -> keras.Model:
    features = Input(shape=(10000,))
    x = layers.Dense(16, activation="relu")(features)
    x = layers.Dense(16, activation="relu")(x)
    prediction = layers.Dense(1, activation="sigmoid")(x)
    return keras.Model(features, prediction)


def hand_functional_mlp() -> keras.Model:
    input_tensor = Input(shape=(64,))
    x = layers.Dense(32, activation="relu")(input_tensor)
    x = layers.Dense(32, activation="relu")(x)
    output_tensor = layers.Dense(10, activation="softmax")(x)
    return keras.Model(input_tensor, output_tensor)


def hand_multi_input_qa() -> keras.Model:
    text_vocabulary_size = 10000
    question_vocabulary_size = 10000
    answer_vocabulary_size = 500
    text_input = Input(shape=(None,), dtype="int32", name="text")
    embedded_text = layers.Embedding(text_vocabulary_size, 64)(text_input)
    encoded_text = layers.LSTM(32)(embedded_text)
    question_input = Input(shape=(None,), dtype="int32", name="question")
    embedded_question = layers.Embedding(question_vocabulary_size, 64)(question_input)
    encoded_question = layers.LSTM(32)(embedded_question)
    concatenated = layers.concatenate([encoded_text, encoded_question], axis=-1)
    answer = layers.Dense(answer_vocabulary_size, activation="softmax")(concatenated)
    return keras.Model([text_input, question_input], answer)


def hand_multi_output() -> keras.Model:
    vocabulary_size = 50000
    num_income_groups = 10
    posts_input = Input(shape=(None,), dtype="int32", name="posts")
    embedded_posts = layers.Embedding(vocabulary_size, 256)(posts_input)
    x = layers.Conv1D(128, 5, activation="relu")(embedded_posts)
    x = layers.MaxPooling1D(5)(x)
    x = layers.Conv1D(256, 5, activation="relu")(x)
    x = layers.Conv1D(256, 5, activation="relu")(x)
    x = layers.MaxPooling1D(5)(x)
    x = layers.Conv1D(256, 5, activation="relu")(x)
    x = layers.Conv1D(256, 5, activation="relu")(x)
    x = layers.GlobalMaxPooling1D()(x)
    x = layers.Dense(128, activation="relu")(x)
    age_prediction = layers.Dense(1, name="age")(x)
    income_prediction = layers.Dense(num_income_groups, activation="softmax", name="income")(x)
    gender_prediction = layers.Dense(1, activation="sigmoid", name="gender")(x)
    return keras.Model(posts_input, [age_prediction, income_prediction, gender_prediction])


def hand_inception_module() -> keras.Model:
    # The walkthrough's module, with the `padding="same"` that makes the four
    # branches agree on 112×112 so they can be concatenated.
    x = Input(shape=(224, 224, 3))
    branch_a = layers.Conv2D(128, 1, activation="relu", strides=2)(x)

    branch_b = layers.Conv2D(128, 1, activation="relu")(x)
    branch_b = layers.Conv2D(128, 3, activation="relu", strides=2, padding="same")(branch_b)

    branch_c = layers.AveragePooling2D(3, strides=2, padding="same")(x)
    branch_c = layers.Conv2D(128, 3, activation="relu", padding="same")(branch_c)

    branch_d = layers.Conv2D(128, 1, activation="relu")(x)
    branch_d = layers.Conv2D(128, 3, activation="relu", padding="same")(branch_d)
    branch_d = layers.Conv2D(128, 3, activation="relu", strides=2, padding="same")(branch_d)

    output = layers.concatenate([branch_a, branch_b, branch_c, branch_d], axis=-1)
    return keras.Model(x, output)


def hand_siamese_lstm() -> keras.Model:
    lstm = layers.LSTM(32)
    left_input = Input(shape=(None, 128))
    left_output = lstm(left_input)
    right_input = Input(shape=(None, 128))
    right_output = lstm(right_input)
    merged = layers.concatenate([left_output, right_output], axis=-1)
    predictions = layers.Dense(1, activation="sigmoid")(merged)
    return keras.Model([left_input, right_input], predictions)


def hand_separable_convnet() -> keras.Model:
    height, width, channels, num_classes = 64, 64, 3, 10
    inputs = Input(shape=(height, width, channels))
    x = layers.SeparableConv2D(32, 3, activation="relu")(inputs)
    x = layers.SeparableConv2D(64, 3, activation="relu")(x)
    x = layers.MaxPooling2D(2)(x)
    x = layers.SeparableConv2D(64, 3, activation="relu")(x)
    x = layers.SeparableConv2D(128, 3, activation="relu")(x)
    x = layers.MaxPooling2D(2)(x)
    x = layers.SeparableConv2D(64, 3, activation="relu")(x)
    x = layers.SeparableConv2D(128, 3, activation="relu")(x)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dense(32, activation="relu")(x)
    outputs = layers.Dense(num_classes, activation="softmax")(x)
    return keras.Model(inputs, outputs)


def hand_imdb_embedding() -> keras.Model:
    max_features, maxlen = 10000, 20
    review = Input(shape=(maxlen,), dtype="int32")
    x = layers.Embedding(max_features, 8)(review)
    x = layers.Flatten()(x)
    sentiment = layers.Dense(1, activation="sigmoid")(x)
    return keras.Model(review, sentiment)


def hand_ensemble() -> keras.Model:
    # The walkthrough weights four classifiers' predictions by hand
    # (0.5*preds_a + 0.25*preds_b + 0.1*preds_c + 0.15*preds_d); as one model each
    # member is a nested Model and each weight a Rescaling. Names as the spec gives
    # them, since a nested model's config holds its layers' names.
    def member(name: str, units: int, activation: str = "relu") -> keras.Model:
        features = Input(shape=(64,), name="features")
        hidden = layers.Dense(units, activation=activation, name="hidden")(features)
        return keras.Model(features, layers.Dense(10, activation="softmax", name="probabilities")(hidden), name=name)

    x = Input(shape=(64,))
    members = [member("model_a", 64), member("model_b", 32), member("model_c", 32, "tanh"), member("model_d", 16)]
    weighted = [layers.Rescaling(w)(m(x)) for m, w in zip(members, (0.5, 0.25, 0.1, 0.15), strict=True)]
    return keras.Model(x, layers.Add()(weighted))


# ---------------------------------------------------------------------------
# The gallery table.


@dataclass(frozen=True)
class Case:
    file: str
    params: int  # the required figure, as a literal
    hand: Callable[[], keras.Model]
    compile: dict[str, Any] | None  # how the walkthrough compiles the hand model (None: not compiled)
    vocab: dict[str, int]  # int input name → input_dim of the Embedding that reads it
    seq_len: int = 12  # length used for `None` (variable-length) dimensions
    batch: int = 2


def _c(loss: Any, **extra: Any) -> dict[str, Any]:
    return {"optimizer": "rmsprop", "loss": loss, **extra}


CASES: dict[str, Case] = {
    "sequential_mlp": Case(
        "sequential_mlp.yaml", 160_305, hand_sequential_mlp, _c("binary_crossentropy", metrics=["acc"]), {}
    ),
    "functional_mlp": Case(
        "functional_mlp.yaml", 3_466, hand_functional_mlp, _c("categorical_crossentropy", metrics=["acc"]), {}
    ),
    "multi_input_qa": Case(
        "multi_input_qa.yaml",
        1_337_332,
        hand_multi_input_qa,
        _c("categorical_crossentropy", metrics=["acc"]),
        {"text": 10000, "question": 10000},
    ),
    "multi_output": Case(
        "multi_output.yaml",
        14_146_316,
        hand_multi_output,
        _c(
            {"age": "mse", "income": "categorical_crossentropy", "gender": "binary_crossentropy"},
            loss_weights={"age": 0.25, "income": 1.0, "gender": 10.0},
        ),
        {"posts": 50000},
        # Three valid Conv1D(5) pairs and two MaxPooling1D(5) need at least 269 steps.
        seq_len=300,
    ),
    "inception_module": Case("inception_module.yaml", 447_872, hand_inception_module, None, {}, batch=1),
    "siamese_lstm": Case(
        "siamese_lstm.yaml", 20_673, hand_siamese_lstm, _c("binary_crossentropy", metrics=["acc"]), {}
    ),
    "separable_convnet": Case(
        "separable_convnet.yaml", 38_949, hand_separable_convnet, _c("categorical_crossentropy"), {}
    ),
    "imdb_embedding": Case(
        "imdb_embedding.yaml",
        80_161,
        hand_imdb_embedding,
        _c("binary_crossentropy", metrics=["acc"]),
        {"review": 10000},
    ),
    "ensemble": Case("ensemble.yaml", 10_840, hand_ensemble, _c("categorical_crossentropy", metrics=["acc"]), {}),
}
NAMES = list(CASES)


@dataclass
class Pair:
    case: Case
    spec_data: dict[str, Any]  # the YAML file read with PyYAML, independently of graphspec
    built: keras.Model  # graphspec.build(path)
    hand: keras.Model  # written by hand, compiled as the walkthrough compiles it


@pytest.fixture(scope="module")
def models() -> Callable[[str], Pair]:
    """Build each (graphspec, hand-written) pair once for the whole module, on first use."""
    cache: dict[str, Pair] = {}

    def get(name: str) -> Pair:
        if name not in cache:
            case = CASES[name]
            path = SEED_DIR / case.file
            spec_data = yaml.safe_load(path.read_text(encoding="utf-8"))
            hand = case.hand()
            if case.compile is not None:
                hand.compile(**case.compile)
            cache[name] = Pair(case, spec_data, graphspec.build(path), hand)
        return cache[name]

    return get


def test_gallery_table_covers_every_seed_spec() -> None:
    assert sorted(c.file for c in CASES.values()) == sorted(p.name for p in SEED_DIR.glob("*.yaml"))


# ---------------------------------------------------------------------------
# Helpers: layer configs and graph matching.


def _config(layer: keras.layers.Layer) -> dict[str, Any]:
    """A layer's config without its name.

    Only the top-level `name` is a naming key in these layers' configs (checked:
    Dense, Conv*, SeparableConv2D, pooling, Embedding, LSTM, Concatenate, Flatten,
    InputLayer). The nested `{"class_name": "DTypePolicy", "config": {"name": "float32"}}`
    is NOT a name but the dtype, so it is kept.
    """
    config = copy.deepcopy(layer.get_config())
    config.pop("name", None)
    return config


def _match_by_graph(hand: keras.Model, built: keras.Model) -> list[tuple[keras.layers.Layer, keras.layers.Layer]]:
    """Pair each hand-written layer with a graphspec layer by walking both graphs together.

    Matching by position in `model.layers` would work too here (Keras orders the
    layers from the graph, not from creation order), but walking the graphs from
    the outputs back to the inputs is what is robust: output i ↔ output i, and at
    each matched layer call, argument j ↔ argument j. It also checks what a list
    comparison cannot: that the layers are wired the same way, and that a layer
    reused in one model is reused in the other (the pairing must be one-to-one).
    Each paired layer must have the same class and the same config without names.
    """
    assert len(hand.inputs) == len(built.inputs)
    assert len(hand.outputs) == len(built.outputs)
    to_built: dict[int, keras.layers.Layer] = {}
    to_hand: dict[int, keras.layers.Layer] = {}
    order: list[tuple[keras.layers.Layer, keras.layers.Layer]] = []
    visited: set[tuple[int, int]] = set()
    stack = list(zip(hand.outputs, built.outputs, strict=True))
    while stack:
        t_hand, t_built = stack.pop()
        op_h, node_h, index_h = t_hand._keras_history
        op_b, node_b, index_b = t_built._keras_history
        assert type(op_h) is type(op_b), f"{op_h.name} is a {type(op_h).__name__}, {op_b.name} a {type(op_b).__name__}"
        assert index_h == index_b, f"{op_b.name}: output {index_b} where the hand model uses output {index_h}"
        if id(op_h) in to_built or id(op_b) in to_hand:
            assert to_built.get(id(op_h)) is op_b and to_hand.get(id(op_b)) is op_h, (
                f"layer reuse differs: hand {op_h.name} ↔ {to_built.get(id(op_h))}, "
                f"graphspec {op_b.name} ↔ {to_hand.get(id(op_b))}"
            )
        else:
            assert _config(op_h) == _config(op_b), f"config of {op_b.name} differs from the hand-written {op_h.name}"
            to_built[id(op_h)], to_hand[id(op_b)] = op_b, op_h
            order.append((op_h, op_b))
        if (id(op_h), node_h) in visited:
            continue
        visited.add((id(op_h), node_h))
        args_h = op_h._inbound_nodes[node_h].input_tensors
        args_b = op_b._inbound_nodes[node_b].input_tensors
        assert len(args_h) == len(args_b), (
            f"{op_b.name} takes {len(args_b)} tensors, the hand-written {op_h.name} {len(args_h)}"
        )
        stack.extend(zip(args_h, args_b, strict=True))
    # Inputs correspond in order, and the walk reached every layer of both models.
    for t_hand, t_built in zip(hand.inputs, built.inputs, strict=True):
        paired = to_built[id(t_hand._keras_history.operation)]
        assert paired is t_built._keras_history.operation, (
            f"input {t_built.name} sits where the hand-written model has {paired.name}"
        )
    assert {id(layer) for layer in hand.layers} == set(to_built)
    assert {id(layer) for layer in built.layers} == set(to_hand)
    return order


def _random_inputs(pair: Pair, rng: np.random.Generator) -> list[np.ndarray]:
    """One array per model input, in input order: token ids below the vocabulary size
    for int inputs, uniform floats otherwise; `None` dims become `case.seq_len`."""
    out = []
    for tensor in pair.built.inputs:
        name = tensor._keras_history.operation.name
        shape = (pair.case.batch, *(pair.case.seq_len if d is None else d for d in tensor.shape[1:]))
        if "int" in str(tensor.dtype):
            out.append(rng.integers(0, pair.case.vocab[name], size=shape).astype(str(tensor.dtype)))
        else:
            out.append(rng.uniform(-1.0, 1.0, size=shape).astype("float32"))
    return out


def _run(model: keras.Model, inputs: list[np.ndarray]) -> list[np.ndarray]:
    result = model(inputs[0] if len(inputs) == 1 else inputs, training=False)
    return [np.asarray(r) for r in (result if isinstance(result, list | tuple) else [result])]


# ---------------------------------------------------------------------------
# 1. Parameter counts.


@pytest.mark.parametrize("name", NAMES)
def test_param_count_matches_table_and_hand_written_model(models: Callable[[str], Pair], name: str) -> None:
    pair = models(name)
    assert pair.built.count_params() == pair.case.params
    assert pair.hand.count_params() == pair.case.params


# ---------------------------------------------------------------------------
# 2. Layers and their configs.


@pytest.mark.parametrize("name", NAMES)
def test_layer_classes_match_hand_written_model(models: Callable[[str], Pair], name: str) -> None:
    pair = models(name)
    built = [type(layer).__name__ for layer in pair.built.layers]
    hand = [type(layer).__name__ for layer in pair.hand.layers]
    assert Counter(built) == Counter(hand)
    # Keras lists a functional model's layers in an order it derives from the graph
    # (depth, then traversal from the outputs), so the same graph gives the same order.
    assert built == hand


@pytest.mark.parametrize("name", NAMES)
def test_layer_configs_and_wiring_match_hand_written_model(models: Callable[[str], Pair], name: str) -> None:
    pair = models(name)
    matched = _match_by_graph(pair.hand, pair.built)
    assert len(matched) == len(pair.hand.layers) == len(pair.built.layers)


# ---------------------------------------------------------------------------
# 3. Same weights, same inputs → same outputs.


@pytest.mark.parametrize("name", NAMES)
def test_same_weights_give_same_outputs(models: Callable[[str], Pair], name: str) -> None:
    pair = models(name)
    rng = np.random.default_rng(sum(map(ord, name)))
    inputs = _random_inputs(pair, rng)
    expected = _run(pair.hand, inputs)

    matched = [(h, b) for h, b in _match_by_graph(pair.hand, pair.built) if h.weights]
    assert matched, "every gallery model has weights"
    # The two models were initialised independently, so the comparison below is
    # not vacuous. (Compared on weights: a 10-way softmax of random weights is
    # close to 0.1 everywhere, so outputs alone can agree to 1e-5 by chance.)
    assert any(
        not np.array_equal(wh, wb) for h, b in matched for wh, wb in zip(h.get_weights(), b.get_weights(), strict=True)
    )

    for hand_layer, built_layer in matched:
        built_layer.set_weights(hand_layer.get_weights())
    for weight_h, weight_b in zip(pair.hand.get_weights(), pair.built.get_weights(), strict=True):
        np.testing.assert_array_equal(weight_h, weight_b)
    actual = _run(pair.built, inputs)

    assert len(actual) == len(expected) == len(pair.spec_data["outputs"])
    for a, e in zip(actual, expected, strict=True):
        assert a.shape == e.shape
        assert np.all(np.isfinite(a))
        assert float(np.max(np.abs(a - e))) <= 1e-5


# ---------------------------------------------------------------------------
# 4. Input and output names.


@pytest.mark.parametrize("name", NAMES)
def test_input_and_output_names_are_the_specs_in_order(models: Callable[[str], Pair], name: str) -> None:
    pair = models(name)
    spec_inputs = list(pair.spec_data["inputs"])
    spec_outputs = list(pair.spec_data["outputs"])
    assert [t._keras_history.operation.name for t in pair.built.inputs] == spec_inputs
    assert [t.name for t in pair.built.inputs] == spec_inputs
    assert list(pair.built.output_names) == spec_outputs
    assert [t._keras_history.operation.name for t in pair.built.outputs] == spec_outputs


# ---------------------------------------------------------------------------
# Compile settings, against the walkthrough's own compile call.


@pytest.mark.parametrize("name", NAMES)
def test_compile_config_matches_hand_compiled_model(models: Callable[[str], Pair], name: str) -> None:
    pair = models(name)
    assert pair.built.compiled == (pair.case.compile is not None)
    if pair.case.compile is None:
        # No `compile:` section and no output with a loss: left uncompiled, as the
        # walkthrough leaves it (Keras 3.15 then reports an empty compile config).
        assert not pair.built.get_compile_config()
        assert getattr(pair.built, "optimizer", None) is None
        return
    built_config = pair.built.get_compile_config()
    hand_config = pair.hand.get_compile_config()
    for config in (built_config, hand_config):
        config["optimizer"]["config"].pop("name")  # rm_sprop, rm_sprop_1, ...
    assert built_config == hand_config


# ---------------------------------------------------------------------------
# 5. The siamese LSTM is one layer used twice.


def test_siamese_lstm_is_one_shared_layer(models: Callable[[str], Pair]) -> None:
    model = models("siamese_lstm").built
    lstms = [layer for layer in model.layers if isinstance(layer, layers.LSTM)]
    assert len(lstms) == 1
    (lstm,) = lstms
    assert lstm.name == "left_enc"

    # Two calls: one on `left`, one on `right`.
    assert len(lstm._inbound_nodes) == 2
    called_on = [node.input_tensors[0]._keras_history.operation.name for node in lstm._inbound_nodes]
    assert called_on == ["left", "right"]

    # Its weights exist once and are counted once: LSTM(32) on 128 features + Dense(1) on 64.
    lstm_params = 4 * (32 * (128 + 32) + 32)
    assert lstm.count_params() == lstm_params == 20_608
    assert model.count_params() == lstm_params + (64 + 1) == 20_673
    assert len(lstm.weights) == 3
    assert len(model.weights) == len({id(w) for w in model.weights}) == 3 + 2

    # Behaviourally shared: the same sentence on both sides encodes to the same vector.
    merged = keras.Model(model.inputs, model.get_layer("merged").output)
    sentence = np.random.default_rng(5).uniform(-1, 1, size=(2, 12, 128)).astype("float32")
    encoded = np.asarray(merged([sentence, sentence], training=False))
    assert encoded.shape == (2, 64)
    np.testing.assert_array_equal(encoded[:, :32], encoded[:, 32:])


# ---------------------------------------------------------------------------
# 6. The multi-output model's losses, loss weights and training step.

MULTI_OUTPUT_LOSSES = {"age": "mse", "income": "categorical_crossentropy", "gender": "binary_crossentropy"}
MULTI_OUTPUT_WEIGHTS = {"age": 0.25, "income": 1.0, "gender": 10.0}


def test_multi_output_compile_config_has_loss_and_weight_per_output(models: Callable[[str], Pair]) -> None:
    model = models("multi_output").built
    # Keras 3.15: `model.loss` is the `loss` argument given to compile (here a dict
    # keyed by output name); `get_compile_config()` returns compile's arguments,
    # `loss_weights` included.
    assert dict(model.loss) == MULTI_OUTPUT_LOSSES
    config = model.get_compile_config()
    assert config["loss"] == MULTI_OUTPUT_LOSSES
    assert config["loss_weights"] == MULTI_OUTPUT_WEIGHTS
    assert list(config["loss_weights"]) == list(model.output_names) == ["age", "income", "gender"]
    assert config["optimizer"]["class_name"] == "RMSprop"


def test_multi_output_fit_reports_a_weighted_loss_per_output(models: Callable[[str], Pair]) -> None:
    import tensorflow as tf

    model = models("multi_output").built
    rng = np.random.default_rng(7)
    batch = 2
    x = {"posts": rng.integers(0, 50000, size=(batch, 300)).astype("int32")}
    y = {
        "age": rng.normal(size=(batch, 1)).astype("float32"),
        "income": np.eye(10, dtype="float32")[rng.integers(0, 10, size=batch)],
        "gender": rng.integers(0, 2, size=(batch, 1)).astype("float32"),
    }
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(batch)

    history = model.fit(dataset, epochs=1, verbose=0).history

    assert set(history) == {"loss", "age_loss", "income_loss", "gender_loss"}
    assert all(len(values) == 1 and np.isfinite(values[0]) for values in history.values())
    # One batch, one forward pass: the total is the weighted sum of the per-output losses.
    weighted = sum(MULTI_OUTPUT_WEIGHTS[k] * history[f"{k}_loss"][0] for k in MULTI_OUTPUT_WEIGHTS)
    assert history["loss"][0] == pytest.approx(weighted, rel=1e-4)


# ---------------------------------------------------------------------------
# Regression: a multi-output spec where only some outputs carry a loss must fit
# (Keras needs every output in the loss dict, with None for "no loss").

TWO_HEADS_ONE_LOSS = {
    "graphspec": 1,
    "name": "two_heads_one_loss",
    "inputs": {"x": {"shape": [4]}},
    "nodes": {
        "a": {"layer": "Dense", "inputs": "x", "units": 1},
        "b": {"layer": "Dense", "inputs": "x", "units": 2},
    },
    "outputs": {"a": {"loss": "mse"}, "b": {}},
}


def test_multi_output_spec_with_a_loss_free_output_can_be_fit() -> None:
    model = graphspec.build(TWO_HEADS_ONE_LOSS)
    x = {"x": np.ones((2, 4), dtype="float32")}
    y = {"a": np.ones((2, 1), dtype="float32"), "b": np.ones((2, 2), dtype="float32")}
    history = model.fit(x, y, batch_size=2, epochs=1, verbose=0).history
    assert np.isfinite(history["loss"][0])
