"""The corpus of real Keras models (tests/corpus/): each round-trips exactly, or fails exactly as tests/corpus/expected.py says.

A model that starts to round-trip, a refusal whose code or wording changes, a
refusal that names something the model does not hold, and a model that differs
in other ways than listed, all fail here: update the table with the change.
"""

from __future__ import annotations

import pytest

from tests.corpus import Entry, entries
from tests.corpus.check import ASPECTS, mismatch, run
from tests.corpus.expected import EXPECTED, Differs, Refused

CORPUS = entries()


def _params(slow: bool) -> list[object]:
    return [pytest.param(e, id=name, marks=[pytest.mark.slow] if e.slow else []) for name, e in CORPUS.items() if e.slow == slow]


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
            assert isinstance(expected, Refused) and expected.stage in ("import", "build", "reimport") and expected.names and expected.says, name
