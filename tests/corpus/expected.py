"""What the corpus models that do not round-trip do instead: the explicit expectation table.

A model that is not in ``EXPECTED`` must round-trip exactly. A model that is
must fail exactly as its entry says, so that a model that starts passing, a
refusal that changes, or a refusal that stops naming what it refuses, fails
``tests/test_corpus.py``: then update this table (delete the line of a model
that now round-trips). Each entry names the issue-11 item it belongs to; the
refusals graphspec keeps on purpose (Lambda layers, subclassed models, files
Keras itself cannot read) say ``by design``.

- ``Refused``: a ``SpecError`` with ``code`` at ``stage`` (``import``: from_keras
  refused the model; ``build``: from_keras accepted it and the spec it wrote did
  not build, which is a bug; ``reimport``: the rebuilt model did not import),
  whose message contains ``names`` (the layer, input or object refused, which the
  test also checks is really in the model) and ``says`` (what is not
  expressible). ``false`` is a part of the message known to be untrue, kept here
  so that the test notices when it is corrected.
- ``Differs``: imported and built, but not the same model (meaning lost without
  a word); ``aspects`` are exactly the ways it differs (see
  ``tests/corpus/check.py``: ``ASPECTS``).
"""

from __future__ import annotations

from dataclasses import dataclass

BUG = "bug: compile config"
CALL_ARGS = "1 call arguments"
STRUCTURE = "2 structured inputs/outputs"
CONSTANTS = "3 constants and slices"
OBJECTS = "4 objects with state, custom objects"
WRAPPERS = "5 wrappers around models"
NAMES = "6 generated names"
OPTIONAL = "7 optional and unused inputs"
NO_KWARGS = "8 custom layers without **kwargs"
KERAS2 = "9 Keras 2 JSON"
BY_DESIGN = "by design"


@dataclass(frozen=True)
class Refused:
    code: str
    names: str
    says: str
    items: tuple[str, ...]
    stage: str = "import"
    false: str | None = None


@dataclass(frozen=True)
class Differs:
    aspects: frozenset[str]
    items: tuple[str, ...]


def refused(code: str, names: str, says: str, *items: str, stage: str = "import", false: str | None = None) -> Refused:
    return Refused(code, names, says, items, stage, false)


def differs(*aspects: str, items: tuple[str, ...]) -> Differs:
    return Differs(frozenset(aspects), items)


# fmt: off
EXPECTED: dict[str, Refused | Differs] = {
    # keras-io examples
    "masked_language_modeling_bert": refused("unsupported-model", "MaskedLanguageModel", "is a subclassed", BY_DESIGN),
    # PatchEncoder's get_config() leaves out projection_dim, which its constructor requires: Keras' own
    # from_config fails too.
    "vision_transformer": refused(
        "unsupported-model", "patch_encoder", "its config lacks 'projection_dim', which the constructor requires",
        NO_KWARGS,
    ),
    "vae_trainer": refused("unsupported-model", "VAE", "is a subclassed", BY_DESIGN),
    "collaborative_filtering_movielens": refused("unsupported-model", "RecommenderNet", "is a subclassed", BY_DESIGN),
    "deep_q_network_breakout": refused("unsupported-model", "lambda", "it runs arbitrary Python code", BY_DESIGN),
    "siamese_contrastive": refused("unsupported-model", "lambda", "it runs arbitrary Python code", BY_DESIGN),
    # Keras' own tests
    # A spec writes a tuple as a list (YAML has none) and the importer warns so; predict then returns a list.
    "functional_tuple_outputs": differs("structure", items=(STRUCTURE,)),
    # Dict keys '1', '2' cannot be input names, and Keras matches a dict's keys to its inputs' names.
    "functional_deeply_nested_io": refused(
        "unsupported-model", "input_layer", "which cannot be an input's name in a spec", STRUCTURE
    ),
    # model.to_json() files
    # Keras' legacy loader cannot read a Keras 2.0 Bidirectional (its nested LSTM has no module), nor Keras 1's
    # Merge layer.
    "keras_2_0_sequential_bidirectional_lstm": refused(
        "bad-model", "LSTM", "Keras 3 cannot read it, and Keras' legacy loader failed", KERAS2
    ),
    "keras_1_merge_model": refused(
        "bad-model", "Merge", "Keras 3 cannot read it, and Keras' legacy loader failed", KERAS2
    ),
}
# fmt: on
