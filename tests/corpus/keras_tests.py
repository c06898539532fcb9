"""Models from Keras' own tests of functional models and saving (keras-team/keras), written anew."""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
from keras import layers, ops

from tests.corpus import entry

FUNCTIONAL_TEST = "keras-team/keras keras/src/models/functional_test.py"
SAVING_TEST = "keras-team/keras keras/src/saving/saving_lib_test.py"


# ---------------------------------------------------------------------------
# keras/src/models/functional_test.py


@entry(
    "functional_basic_flow_multi_input",
    FUNCTIONAL_TEST + " (test_basic_flow_multi_input)",
    "inputs with a fixed batch size added by a Python `+`, in a named model",
)
def functional_basic_flow_multi_input() -> Any:
    input_a = keras.Input(shape=(3,), batch_size=2, name="input_a")
    input_b = keras.Input(shape=(3,), batch_size=2, name="input_b")
    x = layers.Dense(5)(input_a + input_b)
    return keras.Model([input_a, input_b], layers.Dense(4)(x), name="basic")


@entry(
    "functional_scalar_input",
    FUNCTIONAL_TEST + " (test_scalar_input)",
    "a scalar input (shape ()) indexed with `[:, None]` and added to a vector input",
    data=lambda: {"input_a": np.zeros((2, 3), dtype="float32"), "input_b": np.ones((2,), dtype="float32")},
)
def functional_scalar_input() -> Any:
    input_a = keras.Input(shape=(3,), batch_size=2, name="input_a")
    input_b = keras.Input(shape=(), batch_size=2, name="input_b")
    return keras.Model([input_a, input_b], input_a + input_b[:, None])


@entry(
    "functional_multi_output",
    FUNCTIONAL_TEST + " (test_basic_flow_multi_output)",
    "one input, two Dense outputs from a shared hidden layer",
)
def functional_multi_output() -> Any:
    inputs = keras.Input(shape=(3,), batch_size=2, name="input")
    x = layers.Dense(5)(inputs)
    return keras.Model(inputs, [layers.Dense(4)(x), layers.Dense(5)(x)])


@entry(
    "functional_dict_inputs",
    FUNCTIONAL_TEST + " (test_basic_flow_dict_io)",
    "inputs given as a dict keyed by input name",
)
def functional_dict_inputs() -> Any:
    input_a = keras.Input(shape=(3,), batch_size=2, name="a")
    input_b = keras.Input(shape=(3,), batch_size=2, name="b")
    x = layers.Dense(5)(input_a + input_b)
    return keras.Model({"a": input_a, "b": input_b}, layers.Dense(4)(x))


@entry(
    "functional_dict_inputs_other_keys",
    FUNCTIONAL_TEST + " (test_named_input_dict_io, 'input is dict with incorrect names')",
    "a dict of inputs whose keys ('c', 'd') are not the input names ('a', 'b')",
)
def functional_dict_inputs_other_keys() -> Any:
    input_a = keras.Input(shape=(3,), batch_size=2, name="a")
    input_b = keras.Input(shape=(4,), batch_size=2, name="b")
    x = layers.Concatenate()([layers.Dense(5)(input_a), layers.Dense(5)(input_b)])
    return keras.Model({"c": input_a, "d": input_b}, layers.Dense(4)(x))


@entry(
    "functional_time_distributed_submodel",
    FUNCTIONAL_TEST + " (test_basic_flow_as_a_submodel)",
    "TimeDistributed wrapping a functional model",
)
def functional_time_distributed_submodel() -> Any:
    submodel_inputs = keras.Input([4])
    submodel = keras.Model(submodel_inputs, layers.Flatten()(submodel_inputs))
    inputs = keras.Input((None, 4))
    return keras.Model(inputs=inputs, outputs=layers.TimeDistributed(submodel)(inputs))


@entry(
    "functional_dict_outputs",
    FUNCTIONAL_TEST + " (test_restored_multi_output_type, dict)",
    "outputs given as a dict {'a': ..., 'b': ...}: predict returns a dict",
)
def functional_dict_outputs() -> Any:
    inputs = keras.Input(shape=(3,), batch_size=2, name="input")
    x = layers.Dense(5)(inputs)
    return keras.Model(inputs, {"a": layers.Dense(4)(x), "b": layers.Dense(5)(x)})


@entry(
    "functional_tuple_outputs",
    FUNCTIONAL_TEST + " (test_restored_multi_output_type, tuple)",
    "outputs given as a tuple: predict returns a tuple",
)
def functional_tuple_outputs() -> Any:
    inputs = keras.Input(shape=(3,), batch_size=2, name="input")
    x = layers.Dense(5)(inputs)
    return keras.Model(inputs, (layers.Dense(4)(x), layers.Dense(5)(x)))


@entry(
    "functional_nested_list_input",
    FUNCTIONAL_TEST + " (test_restored_nested_input)",
    "inputs as a nested list [[input_a]]",
)
def functional_nested_list_input() -> Any:
    input_a = keras.Input(shape=(3,), batch_size=2, name="input_a")
    x = layers.Dense(5)(input_a)
    return keras.Model([[input_a]], layers.Dense(4)(x))


class TrainingFlagLayer(layers.Layer):
    """test_training_arg's layer: zeroes its input when training."""

    def call(self, inputs: Any, training: bool = False) -> Any:
        return inputs * 0.0 if training else inputs


@entry(
    "functional_training_arg",
    FUNCTIONAL_TEST + " (test_training_arg, the layer called with training=True)",
    "a layer called with training=True in the graph, which holds whatever the model is called with",
    custom=(TrainingFlagLayer,),
)
def functional_training_arg() -> Any:
    inputs = layers.Input((20,))
    return keras.Model(inputs=inputs, outputs=TrainingFlagLayer()(inputs, training=True))


@entry(
    "functional_trainable_false",
    FUNCTIONAL_TEST + " (test_serialization, Functional(inputs, outputs, trainable=False))",
    "a model made with trainable=False",
)
def functional_trainable_false() -> Any:
    inputs = keras.Input(shape=(3,), batch_size=2)
    return keras.Model(inputs, layers.Dense(3)(inputs), trainable=False)


@entry(
    "functional_unmodified_inputs",
    FUNCTIONAL_TEST + " (test_unmodified_inputs)",
    "dict inputs and dict outputs, one output being an input passed straight through",
)
def functional_unmodified_inputs() -> Any:
    i1 = keras.Input((2,), name="input1")
    i2 = keras.Input((2,), name="input2")
    return keras.Model({"input1": i1, "input2": i2}, {"output1": i1 * 2, "output2": i2})


@entry(
    "functional_unused_input",
    FUNCTIONAL_TEST + " (test_unused_inputs)",
    "a dict input that feeds nothing",
)
def functional_unused_input() -> Any:
    i1 = keras.Input((2,), name="input1")
    i2 = keras.Input((2,), name="input2")
    return keras.Model({"input1": i1, "input2": i2}, i1 * 2)


@entry(
    "functional_deeply_nested_io",
    FUNCTIONAL_TEST + " (test_deeply_nested_model)",
    "inputs and outputs as nested dicts {'1': ..., 'others': {'2': ..., '3': ...}}",
)
def functional_deeply_nested_io() -> Any:
    i1, i2, i3 = keras.Input((1,)), keras.Input((2,)), keras.Input((3,))
    o1, o2, o3 = layers.Dense(1)(i1), layers.Dense(2)(i2), layers.Dense(3)(i3)
    return keras.Model({"1": i1, "others": {"2": i2, "3": i3}}, {"1": o1, "others": {"2": o2, "3": o3}})


class OptionalInputLayer(layers.Layer):
    """test_optional_inputs' layer: adds its second argument when one is given."""

    def call(self, x: Any, y: Any = None) -> Any:
        return x + y if y is not None else x

    def compute_output_shape(self, x_shape: Any, y_shape: Any = None) -> Any:
        return x_shape


@entry(
    "functional_optional_input",
    FUNCTIONAL_TEST + " (test_optional_inputs)",
    "an Input(optional=True) passed to a custom layer's second argument",
    custom=(OptionalInputLayer,),
)
def functional_optional_input() -> Any:
    i1 = keras.Input((2,))
    i2 = keras.Input((2,), optional=True)
    return keras.Model([i1, i2], OptionalInputLayer()(i1, i2))


@entry(
    "functional_in_sequential_mobilenet",
    FUNCTIONAL_TEST
    + " (test_for_functional_in_sequential: MobileNet inside a Sequential; alpha 0.25 and 32x32 inputs instead of 1.0 and 100x100, for size)",
    "a Sequential holding a whole application whose Keras name is generated with a dot (mobilenet_0.25_None)",
)
def functional_in_sequential_mobilenet() -> Any:
    base_model = keras.applications.mobilenet.MobileNet(include_top=False, weights=None, alpha=0.25)
    model = keras.Sequential()
    model.add(layers.Input(shape=(32, 32, 3)))
    model.add(base_model)
    model.add(layers.GlobalAveragePooling2D())
    model.add(layers.Dense(7, activation="softmax"))
    return model


def _title_body_tags() -> Any:
    title = layers.Input(shape=(20,), name="title")
    text_body = layers.Input(shape=(20,), name="text_body")
    tags = layers.Input(shape=(10,), name="tags")
    features = layers.Dense(8, activation="relu")(layers.Concatenate()([title, text_body, tags]))
    priority = layers.Dense(1, activation="sigmoid", name="priority")(features)
    department = layers.Dense(3, activation="softmax", name="department")(features)
    return keras.Model(inputs=[title, text_body, tags], outputs=[priority, department])


@entry(
    "functional_dict_input_to_list_model_list_compile",
    FUNCTIONAL_TEST + " (test_dict_input_to_list_model, 'List style fit')",
    "losses as a list of strings, metrics as a list of lists",
)
def functional_dict_input_to_list_model_list_compile() -> Any:
    model = _title_body_tags()
    model.compile(
        optimizer="adam",
        loss=["mean_squared_error", "categorical_crossentropy"],
        metrics=[["mean_absolute_error"], ["accuracy"]],
    )
    return model


@entry(
    "functional_dict_input_to_list_model_dict_compile",
    FUNCTIONAL_TEST + " (test_dict_input_to_list_model, 'Dict style fit')",
    "losses and metrics as dicts keyed by output name",
)
def functional_dict_input_to_list_model_dict_compile() -> Any:
    model = _title_body_tags()
    model.compile(
        optimizer="adam",
        loss={"priority": "mean_squared_error", "department": "categorical_crossentropy"},
        metrics={"priority": ["mean_absolute_error"], "department": ["accuracy"]},
    )
    return model


@entry(
    "functional_list_input_with_dict_build",
    FUNCTIONAL_TEST + " (test_list_input_with_dict_build)",
    "dict inputs in an order other than the names' (IT, IS) merged by layers.subtract",
)
def functional_list_input_with_dict_build() -> Any:
    x1 = keras.Input((10,), name="IT")
    x2 = keras.Input((10,), name="IS")
    return keras.Model(inputs={"IT": x1, "IS": x2}, outputs=layers.subtract([x1, x2]))


@entry(
    "functional_mixed_float16_policy",
    FUNCTIONAL_TEST + " (test_functional_with_dtype_policy)",
    "layers built under the global mixed_float16 dtype policy",
)
def functional_mixed_float16_policy() -> Any:
    original = keras.config.dtype_policy()
    try:
        keras.config.set_dtype_policy("mixed_float16")
        inputs = keras.Input((10,), name="input")
        return keras.Model(inputs=inputs, outputs=layers.Dense(5)(inputs))
    finally:
        keras.config.set_dtype_policy(original)


@entry(
    "functional_partial_model",
    FUNCTIONAL_TEST + " (test_functional_slicing, partial_model_3)",
    "a model whose input is an inner layer's input tensor of another model",
)
def functional_partial_model() -> Any:
    inputs = keras.Input(shape=(None, 2), name="input")
    x1 = layers.Dense(3, name="dense1")(inputs)
    x2 = layers.Dense(4, name="dense2")(x1)
    outputs = layers.Dense(5, name="dense3")(x2)
    full_model = keras.Model(inputs, outputs, name="full_model")
    return keras.Model(full_model.get_layer("dense2").input, outputs, name="partial3")


# ---------------------------------------------------------------------------
# keras/src/layers/attention and keras/src/layers/rnn tests, as functional models

ATTENTION_TESTS = "keras-team/keras keras/src/layers/attention/"
RNN_TESTS = "keras-team/keras keras/src/layers/rnn/"


@entry(
    "mha_symbolic_return_attention_scores",
    ATTENTION_TESTS + "multi_head_attention_test.py (test_symbolic_return_attention_scores)",
    "MultiHeadAttention(x, y, return_attention_scores=True) on inputs with a batch_shape; output and scores both outputs",
)
def mha_symbolic_return_attention_scores() -> Any:
    x = layers.Input(batch_shape=(2, 3, 5))
    y = layers.Input(batch_shape=(2, 3, 5))
    output, scores = layers.MultiHeadAttention(num_heads=4, key_dim=2)(x, y, return_attention_scores=True)
    return keras.Model([x, y], [output, scores])


def _masked_sequences() -> tuple[Any, Any, Any, Any]:
    query_ids = keras.Input((5,), dtype="int32", name="query_ids")
    value_ids = keras.Input((3,), dtype="int32", name="value_ids")
    return (
        query_ids,
        value_ids,
        layers.Embedding(4, 8, mask_zero=True)(query_ids),
        layers.Embedding(6, 8, mask_zero=True)(value_ids),
    )


@entry(
    "mha_causal_masking",
    ATTENTION_TESTS + "multi_head_attention_test.py (test_masking, causal: Embedding masks and use_causal_mask=True)",
    "MultiHeadAttention called with query= and value= by keyword and use_causal_mask=True, on mask_zero embeddings",
    # ids below each Embedding's input_dim (4 and 6), zeros included, so the masks do something
    data=lambda: {
        "query_ids": np.array([[1, 2, 3, 0, 0], [3, 1, 0, 0, 0]], "int32"),
        "value_ids": np.array([[5, 4, 0], [1, 0, 0]], "int32"),
    },
)
def mha_causal_masking() -> Any:
    query_ids, value_ids, query, value = _masked_sequences()
    output = layers.MultiHeadAttention(num_heads=2, key_dim=2)(query=query, value=value, use_causal_mask=True)
    return keras.Model([query_ids, value_ids], output)


@entry(
    "mha_explicit_attention_mask",
    ATTENTION_TESTS + "multi_head_attention_test.py (test_masking, 'output_with_manual_mask': attention_mask=)",
    "MultiHeadAttention called with an attention_mask tensor that is a model input",
)
def mha_explicit_attention_mask() -> Any:
    query = keras.Input((5, 8), name="query")
    value = keras.Input((3, 8), name="value")
    mask = keras.Input((5, 3), dtype="bool", name="mask")
    output = layers.MultiHeadAttention(num_heads=2, key_dim=2)(query=query, value=value, attention_mask=mask)
    return keras.Model([query, value, mask], output)


@entry(
    "mha_dict_inputs_positional_key",
    ATTENTION_TESTS + "multi_head_attention_test.py (test_lora, the fresh non-LoRA model: dict inputs, use_gate=True)",
    "dict inputs {query, key, value} passed positionally as MultiHeadAttention(query, value, key) takes them; compiled sgd/mse",
)
def mha_dict_inputs_positional_key() -> Any:
    inputs = {"query": layers.Input((2, 2)), "key": layers.Input((2, 2)), "value": layers.Input((2, 2))}
    outputs = layers.MultiHeadAttention(num_heads=3, key_dim=8, use_bias=False, use_gate=True)(
        inputs["query"], inputs["key"], inputs["value"]
    )
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="sgd", loss="mse")
    return model


@entry(
    "attention_return_scores",
    ATTENTION_TESTS + "attention_test.py (test_return_attention_scores_with_symbolic_tensors)",
    "Attention()([x, y], return_attention_scores=True): output and scores",
)
def attention_return_scores() -> Any:
    x = layers.Input(shape=(3, 5))
    y = layers.Input(shape=(4, 5))
    output, scores = layers.Attention()([x, y], return_attention_scores=True)
    return keras.Model([x, y], [output, scores])


def _constant_lstm(**kwargs: Any) -> Any:
    constant = keras.initializers.Constant
    return layers.LSTM(
        2,
        kernel_initializer=constant(0.01),
        recurrent_initializer=constant(0.02),
        bias_initializer=constant(0.03),
        **kwargs,
    )


@entry(
    "lstm_explicit_mask",
    RNN_TESTS + "lstm_test.py (test_masking: an unrolled LSTM with Constant initializers, called with mask=)",
    "an LSTM called with an explicit boolean mask tensor that is a model input",
)
def lstm_explicit_mask() -> Any:
    sequence = keras.Input((4, 3), name="sequence")
    mask = keras.Input((4,), dtype="bool", name="mask")
    return keras.Model([sequence, mask], _constant_lstm(unroll=True)(sequence, mask=mask))


@entry(
    "bidirectional_initial_state",
    RNN_TESTS + "bidirectional_test.py (test_pass_initial_state)",
    "Bidirectional(LSTM) called with initial_state of four state tensors, two per direction",
)
def bidirectional_initial_state() -> Any:
    sequence = keras.Input((4, 3), name="sequence")
    states = [keras.Input((2,), name=f"state_{i}") for i in range(4)]
    output = layers.Bidirectional(layer=_constant_lstm())(sequence, initial_state=states)
    return keras.Model([sequence, *states], output)


# ---------------------------------------------------------------------------
# keras/src/saving/saving_lib_test.py


@keras.saving.register_keras_serializable(package="corpus_my_custom_package")
class MyDense(layers.Layer):
    """saving_lib_test's MyDense: a nested Dense and extra scalar weights, one of them kept in a dict."""

    def __init__(self, units: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.units = units
        self.nested_layer = layers.Dense(self.units, name="dense")

    def build(self, input_shape: Any) -> None:
        self.additional_weights = [
            self.add_weight(shape=(), name="my_additional_weight", initializer="ones", trainable=True),
            self.add_weight(shape=(), name="my_additional_weight_2", initializer="ones", trainable=True),
        ]
        self.weights_in_dict = {
            "my_weight": self.add_weight(shape=(), name="my_dict_weight", initializer="ones", trainable=True)
        }
        self.nested_layer.build(input_shape)

    def call(self, inputs: Any) -> Any:
        return self.nested_layer(inputs)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "units": self.units}


@keras.saving.register_keras_serializable(package="corpus_my_custom_package")
def my_mean_squared_error(y_true: Any, y_pred: Any) -> Any:
    return ops.mean(ops.square(y_pred - y_true), axis=-1)


def _compile_saving_test(model: Any) -> Any:
    model.compile(optimizer="adam", loss=my_mean_squared_error, metrics=[keras.metrics.Hinge(), "mse"])
    return model


@entry(
    "saving_basic_functional",
    SAVING_TEST + " (_get_basic_functional_model)",
    "a fixed batch size; a Keras-registered custom loss function, a metric object and 'mse'",
    objects=((my_mean_squared_error, "loss"),),
)
def saving_basic_functional() -> Any:
    inputs = keras.Input(shape=(4,), batch_size=2)
    x = layers.Dense(1, name="first_dense")(inputs)
    return _compile_saving_test(keras.Model(inputs, layers.Dense(1, name="second_dense")(x)))


@entry(
    "saving_custom_functional",
    SAVING_TEST + " (_get_custom_functional_model)",
    "registered custom layers holding a nested layer and extra weights; the same compile",
    custom=(MyDense,),
    objects=((my_mean_squared_error, "loss"),),
)
def saving_custom_functional() -> Any:
    inputs = keras.Input(shape=(4,), batch_size=2)
    x = MyDense(1, name="first_dense")(inputs)
    return _compile_saving_test(keras.Model(inputs, MyDense(1, name="second_dense")(x)))


def _small_func(out_size: int, name: str) -> Any:
    inputs = keras.layers.Input(shape=(4,))
    return keras.Model(inputs, outputs=keras.layers.Dense(out_size)(inputs), name=name)


@entry(
    "saving_nested_functional",
    SAVING_TEST + " (test_nested_functional_model_saving)",
    "two named nested models on two inputs",
)
def saving_nested_functional() -> Any:
    input_a, input_b = keras.Input((4,)), keras.Input((4,))
    return keras.Model(
        [input_a, input_b], outputs=[_small_func(2, "func_a")(input_a), _small_func(3, "func_b")(input_b)]
    )


@entry(
    "saving_nested_shared_functional",
    SAVING_TEST + " (test_nested_shared_functional_model_saving)",
    "one nested model called on two inputs (shared weights)",
)
def saving_nested_shared_functional() -> Any:
    inputs = [keras.Input((4,)), keras.Input((4,))]
    func_shared = _small_func(4, "func_shared")
    out_a = keras.layers.Dense(2)(func_shared(inputs[0]))
    out_b = keras.layers.Dense(2)(func_shared(inputs[1]))
    return keras.Model(inputs, outputs=[out_a, out_b])


@entry(
    "saving_bidirectional_lstm",
    SAVING_TEST + " (test_bidirectional_lstm_saving)",
    "Bidirectional(LSTM) in a functional model",
)
def saving_bidirectional_lstm() -> Any:
    inputs = keras.Input((3, 2))
    return keras.Model(inputs, keras.layers.Bidirectional(keras.layers.LSTM(16))(inputs))


@keras.saving.register_keras_serializable(package="corpus_Complex")
class FactorLayer(layers.Layer):
    """saving_lib_test's FactorLayer: scales its input; get_config holds only ``factor``."""

    def __init__(self, factor: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, x: Any) -> Any:
        return x * self.factor

    def get_config(self) -> dict[str, Any]:
        return {"factor": self.factor}


@keras.saving.register_keras_serializable(package="corpus_Complex")
class ComplexModel(layers.Layer):
    """A layer whose arguments are layers; it deserializes them itself (the test's fixed version)."""

    def __init__(self, first_layer: Any, second_layer: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.first_layer = (
            first_layer if isinstance(first_layer, layers.Layer) else keras.saving.deserialize_keras_object(first_layer)
        )
        if second_layer is None:
            self.second_layer = layers.Dense(8)
        else:
            self.second_layer = (
                second_layer
                if isinstance(second_layer, layers.Layer)
                else keras.saving.deserialize_keras_object(second_layer)
            )

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "first_layer": keras.saving.serialize_keras_object(self.first_layer),
            "second_layer": keras.saving.serialize_keras_object(self.second_layer),
        }

    def call(self, inputs: Any) -> Any:
        return self.first_layer(self.second_layer(inputs))


@entry(
    "saving_layer_with_layer_arguments",
    SAVING_TEST + " (test_complex_model_without_explicit_deserialization, ComplexModel(first_layer=FactorLayer(0.5)))",
    "a registered custom layer whose constructor arguments are layers",
    custom=(ComplexModel, FactorLayer),
)
def saving_layer_with_layer_arguments() -> Any:
    inputs = keras.Input((32,))
    return keras.Model(inputs, ComplexModel(first_layer=FactorLayer(0.5))(inputs))


@keras.saving.register_keras_serializable(package="corpus")
class GrowthFactor:
    """saving_lib_test's GrowthFactor: a registered callable (not a layer) used as an activation."""

    def __init__(self, factor: float) -> None:
        self.factor = factor

    def __call__(self, inputs: Any) -> Any:
        return inputs * self.factor

    def get_config(self) -> dict[str, Any]:
        return {"factor": self.factor}


@entry(
    "saving_callable_object_activation",
    SAVING_TEST + " (test_custom_object_without_from_config: Dense(activation=GrowthFactor(0.5)))",
    "a Keras-registered callable object as a layer's activation",
    objects=((GrowthFactor, "activation"),),
)
def saving_callable_object_activation() -> Any:
    inputs = keras.Input(shape=(4, 4))
    return keras.Model(inputs, keras.layers.Dense(1, activation=GrowthFactor(0.5))(inputs))


@entry(
    "saving_normalization_adapted",
    SAVING_TEST + " (test_normalization_legacy_h5_format: an adapted Normalization)",
    "a Normalization layer whose mean and variance were learnt by adapt()",
)
def saving_normalization_adapted() -> Any:
    inputs = keras.Input((32,))
    normalization = keras.layers.Normalization()
    normalization.adapt(np.random.default_rng(0).random((4, 32)).astype("float32"))
    return keras.Model(inputs, normalization(inputs))


@entry(
    "saving_normalization_given_mean",
    SAVING_TEST + " (SavingAPITest.test_normalization_kpl, 'Without adapt': Normalization(mean=array, variance=array))",
    "a Sequential whose Normalization is constructed with NumPy arrays for mean and variance",
)
def saving_normalization_given_mean() -> Any:
    rng = np.random.default_rng(0)
    return keras.Sequential(
        [keras.Input(shape=(3,)), keras.layers.Normalization(mean=rng.random((3,)), variance=rng.random((3,)))]
    )
