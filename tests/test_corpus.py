"""The corpus of real Keras models (tests/corpus/): each round-trips exactly, or fails exactly as
tests/corpus/expected.py says.

A model that starts to round-trip, a refusal whose code or wording changes, a
refusal that names something the model does not hold, and a model that differs
in other ways than listed, all fail here: update the table with the change.
"""

from __future__ import annotations

import keras
import pytest

from tests.corpus import Entry, entries
from tests.corpus.check import ASPECTS, Outcome, compare, compile_settings, mismatch, run
from tests.corpus.expected import EXPECTED, Differs, Refused

CORPUS = entries()


def _params(slow: bool) -> list[object]:
    return [
        pytest.param(e, id=name, marks=[pytest.mark.slow] if e.slow else [])
        for name, e in CORPUS.items()
        if e.slow == slow
    ]


@pytest.mark.parametrize("entry", _params(slow=False) + _params(slow=True))
def test_corpus_model_round_trips_or_fails_as_the_table_says(entry: Entry) -> None:
    outcome = run(entry)
    problem = mismatch(outcome, EXPECTED.get(entry.name))
    assert problem is None, f"{entry.name} ({entry.source}): {problem}"


def test_the_corpus_is_real_and_large_enough() -> None:
    assert len(CORPUS) >= 54
    for name, e in CORPUS.items():
        assert e.source.startswith(("keras-team/keras-io ", "keras-team/keras ", "model.to_json() files")), name
        assert e.feature, name


def test_the_expectation_table_speaks_only_of_corpus_models_and_known_aspects() -> None:
    assert set(EXPECTED) <= set(CORPUS), set(EXPECTED) - set(CORPUS)
    for name, expected in EXPECTED.items():
        assert expected.items, name
        if isinstance(expected, Differs):
            assert expected.aspects and expected.aspects <= set(ASPECTS), name
        else:
            assert (
                isinstance(expected, Refused)
                and expected.stage in ("import", "build", "reimport")
                and expected.names
                and expected.says
            ), name


# ---------------------------------------------------------------------------
# the check itself: it must see each kind of difference, or the corpus proves nothing


def _mlp(activation: str = "relu", *, dict_inputs: bool = False, trainable: bool = True) -> keras.Model:
    x = keras.Input((4,), name="x")
    y = keras.layers.Dense(3, activation=activation, name="y")(keras.layers.Dense(5, name="h")(x))
    return keras.Model({"x": x} if dict_inputs else x, y, trainable=trainable)


def _same_weights(a: keras.Model, b: keras.Model) -> None:
    for layer in a.layers:
        b.get_layer(layer.name).set_weights(layer.get_weights())


@pytest.mark.parametrize(
    ("changed", "aspects"),
    [
        (lambda: _mlp(), set()),
        (lambda: _mlp("tanh"), {"configs", "predictions"}),
        (lambda: _mlp(dict_inputs=True), {"structure"}),
        (lambda: _mlp(trainable=False), {"params", "trainable"}),
    ],
    ids=["same", "activation", "dict-inputs", "frozen"],
)
def test_the_comparison_sees_what_differs(changed: object, aspects: set[str]) -> None:
    keras.backend.clear_session(free_memory=False)
    original, other = _mlp(), changed()  # type: ignore[operator]
    entry = Entry("probe", "keras-team/keras-io (test)", "probe", lambda: original)
    assert set(compare(original, other, entry)) == aspects


def test_the_comparison_sees_compile_settings_and_treats_equal_spellings_alike() -> None:
    a, b, c = _mlp(), _mlp(), _mlp()
    a.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["sparse_categorical_accuracy"])
    b.compile(
        optimizer=keras.optimizers.Adam(),
        loss=keras.losses.SparseCategoricalCrossentropy(),
        metrics=[keras.metrics.SparseCategoricalAccuracy()],
    )
    c.compile(
        optimizer="adam",
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["sparse_categorical_accuracy"],
    )
    assert compile_settings(a) == compile_settings(b)
    assert compile_settings(a) != compile_settings(c)
    assert compile_settings(_mlp()) != compile_settings(a)


def test_a_refusal_must_name_something_the_model_has() -> None:
    outcome = Outcome("import", "unsupported-model", "layer 'dense_9' is refused", facts={"dense", "Dense"})
    assert mismatch(outcome, Refused("unsupported-model", "dense_9", "is refused", ("x",))) is not None
    assert (
        mismatch(
            Outcome("import", "unsupported-model", "layer 'dense' is refused", facts={"dense"}),
            Refused("unsupported-model", "dense", "is refused", ("x",)),
        )
        is None
    )
    assert mismatch(Outcome("pass"), Refused("unsupported-model", "dense", "is refused", ("x",))) is not None
    assert (
        mismatch(Outcome("differs", differs={"compile": "..."}), Differs(frozenset({"compile", "structure"}), ("x",)))
        is not None
    )


def test_a_metric_string_and_its_object_log_different_names_so_they_differ() -> None:
    a, b = _mlp(), _mlp()
    a.compile(optimizer="adam", loss="mse", metrics=["mape"])
    b.compile(optimizer="adam", loss="mse", metrics=[keras.metrics.MeanAbsolutePercentageError()])
    assert compile_settings(a) != compile_settings(b)  # Keras logs 'mape' and 'mean_absolute_percentage_error'
