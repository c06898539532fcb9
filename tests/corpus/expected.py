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
    # keras-io guides
    "functional_api_mnist_mlp": differs("compile", items=(BUG,)),
    "functional_api_toy_resnet": differs("compile", items=(BUG,)),
    "functional_api_feature_extraction_vgg19": differs("layers", "classes", "configs", "outputs", items=(STRUCTURE,)),
    "functional_api_custom_dense": refused("keras-error", "custom_dense", "unexpected keyword argument 'name'", NO_KWARGS, stage="build"),
    "functional_api_custom_rnn": refused("keras-error", "custom_rnn", "unexpected keyword argument 'name'", NO_KWARGS, stage="build"),
    "training_guide_digits": differs("compile", items=(BUG,)),
    "training_guide_custom_loss_function": differs("compile", items=(BUG, OBJECTS)),
    "training_guide_custom_loss_class": differs("compile", items=(BUG, OBJECTS)),
    "training_guide_custom_metric": refused("unsupported-model", "CategoricalTruePositives", "is not in graphspec's allow-list", OBJECTS),
    "training_guide_activity_regularization_layer": differs("compile", items=(BUG,)),
    # MeanAbsolutePercentageError() and MeanAbsoluteError() come back as 'mape' and 'mae': the same
    # functions, but Keras logs them as score_output_mape instead of score_output_mean_absolute_percentage_error.
    "training_guide_multi_io": differs("compile", items=(BUG,)),
    "training_guide_lr_schedule": refused("bad-argument", "RMSprop", "must be plain data", OBJECTS, false="not a mapping"),
    "serialization_guide_registered_objects": refused("unsupported-model", "dense", "is not in graphspec's allow-list", OBJECTS, false="activation class 'function'"),
    "transfer_learning_xception": refused("unsupported-model", "xception", "keyword arguments 'training'", CALL_ARGS),
    "transfer_learning_mobilenet_training_false": refused("unsupported-model", "mobilenet_0.25_96", "keyword arguments 'training'", CALL_ARGS),
    "sequential_guide_feature_extractor": differs("structure", items=(STRUCTURE,)),
    "sequential_guide_application_without_input": differs("layers", "classes", "configs", items=(NAMES,)),
    "rnn_guide_encoder_decoder_initial_state": refused("unsupported-model", "decoder", "keyword arguments 'initial_state'", CALL_ARGS),
    # keras-io examples
    "lstm_seq2seq_training": refused("unsupported-model", "lstm_1", "keyword arguments 'initial_state'", CALL_ARGS),
    "lstm_seq2seq_inference_encoder": differs("layers", "classes", "configs", "outputs", items=(NAMES,)),
    "lstm_seq2seq_inference_decoder": refused("unsupported-model", "lstm_1", "keyword arguments 'initial_state'", CALL_ARGS),
    "text_classification_with_transformer": refused("keras-error", "token_and_position_embedding", "unexpected keyword argument 'name'", NO_KWARGS, stage="build"),
    "pretrained_word_embeddings": refused("bad-argument", "Constant", "must be plain data", OBJECTS, false="not a mapping"),
    "masked_language_modeling_bert": refused("unsupported-model", "MaskedLanguageModel", "is a subclassed", BY_DESIGN),
    "masked_language_modeling_classifier": refused("wrong-type", "add", "got EagerTensor", CONSTANTS),
    "image_classification_from_scratch": differs("compile", items=(BUG,)),
    "conv_lstm_next_frame": differs("compile", items=(BUG,)),
    "3d_image_classification": refused("bad-argument", "Adam", "must be plain data", OBJECTS, false="not a mapping"),
    "vision_transformer": refused("unsupported-model", "patch_encoder", "cannot be rebuilt from its config", NO_KWARGS),
    "vae_trainer": refused("unsupported-model", "VAE", "is a subclassed", BY_DESIGN),
    "wide_and_deep": differs("inputs", "structure", "compile", items=(STRUCTURE, BUG)),
    "deep_and_cross": differs("inputs", "structure", "compile", items=(STRUCTURE, BUG)),
    "collaborative_filtering_movielens": refused("unsupported-model", "RecommenderNet", "is a subclassed", BY_DESIGN),
    "deep_q_network_breakout": refused("unsupported-model", "lambda", "it runs arbitrary Python code", BY_DESIGN),
    "siamese_contrastive": refused("unsupported-model", "lambda", "it runs arbitrary Python code", BY_DESIGN),
    "siamese_triplet_resnet50": refused("wrong-type", "add", "got EagerTensor", CONSTANTS),
    "antirectifier": differs("compile", items=(BUG,)),
    "endpoint_layer_pattern": refused("keras-error", "endpoint_logistic", "Could not automatically infer the output shape", CALL_ARGS, stage="build"),
    # Keras' own tests
    "functional_scalar_input": refused("wrong-type", "get_item", "got slice", CONSTANTS),
    "functional_dict_inputs": differs("structure", items=(STRUCTURE,)),
    "functional_dict_inputs_other_keys": differs("structure", items=(STRUCTURE,)),
    "functional_time_distributed_submodel": refused("unregistered-layer", "time_distributed", "keras.src.models.functional.Functional", WRAPPERS, false="a custom class graphspec does not know"),
    "functional_dict_outputs": differs("structure", items=(STRUCTURE,)),
    "functional_tuple_outputs": differs("structure", items=(STRUCTURE,)),
    "functional_nested_list_input": differs("structure", items=(STRUCTURE,)),
    "functional_training_arg": refused("unsupported-model", "training_flag_layer", "keyword arguments 'training'", CALL_ARGS),
    "functional_trainable_false": differs("params", "trainable", items=(BUG,)),
    "functional_unmodified_inputs": differs("layers", "classes", "configs", "outputs", "structure", items=(STRUCTURE,)),
    "functional_unused_input": refused("unused-input", "input2", "feeds no output", OPTIONAL, false="Keras would report 'Graph disconnected'"),
    "functional_deeply_nested_io": differs("structure", items=(STRUCTURE,)),
    "functional_optional_input": refused("unsupported-model", "input_layer_1", "is ragged or optional, which a spec cannot declare", OPTIONAL),
    "functional_in_sequential_mobilenet": differs("layers", "classes", "configs", items=(NAMES,)),
    "functional_list_input_with_dict_build": differs("inputs", "structure", items=(STRUCTURE,)),
    "mha_symbolic_return_attention_scores": refused("unsupported-model", "multi_head_attention", "keyword arguments 'return_attention_scores'", CALL_ARGS),
    "mha_causal_masking": refused("unsupported-model", "multi_head_attention", "keyword arguments 'query', 'value', 'use_causal_mask'", CALL_ARGS),
    "mha_explicit_attention_mask": refused("unsupported-model", "multi_head_attention", "keyword arguments 'query', 'value', 'attention_mask'", CALL_ARGS),
    "mha_dict_inputs_positional_key": differs("inputs", "structure", items=(STRUCTURE,)),
    "attention_return_scores": refused("unsupported-model", "attention", "keyword arguments 'return_attention_scores'", CALL_ARGS),
    "lstm_explicit_mask": refused("unsupported-model", "lstm", "keyword arguments 'mask'", CALL_ARGS),
    "bidirectional_initial_state": refused("unsupported-model", "bidirectional", "keyword arguments 'initial_state'", CALL_ARGS),
    "saving_basic_functional": differs("compile", items=(BUG, OBJECTS)),
    "saving_custom_functional": differs("compile", items=(BUG, OBJECTS)),
    "saving_layer_with_layer_arguments": refused("unsupported-model", "complex_model", "argument 'first_layer' holds a mapping", WRAPPERS),
    "saving_callable_object_activation": refused("unsupported-model", "GrowthFactor", "is not in graphspec's allow-list", OBJECTS),
    # model.to_json() files
    "keras_2_0_sequential_bidirectional_lstm": refused("bad-model", "Sequential", "Keras could not load this model", KERAS2, false="custom layers must be registered"),
    "keras_2_2_sequential_cnn": refused("bad-model", "Sequential", "Keras could not load this model", KERAS2, false="custom layers must be registered"),
    "keras_2_2_functional_model": refused("bad-model", "Model", "Keras could not load this model", KERAS2, false="custom layers must be registered"),
    "tf_keras_2_4_functional_lstm": refused("bad-model", "Functional", "Keras could not load this model", KERAS2, false="custom layers must be registered"),
    "keras_1_merge_model": refused("bad-model", "Merge", "Keras could not load this model", KERAS2, false="custom layers must be registered"),
}
# fmt: on
