"""Models from the keras.io developer guides (keras-team/keras-io, guides/*.py), written anew at small sizes."""

from __future__ import annotations

from typing import Any

import keras
from keras import layers, ops

from tests.corpus import entry

GUIDES = "keras-team/keras-io guides/"


# ---------------------------------------------------------------------------
# guides/functional_api.py


@entry(
    "functional_api_mnist_mlp",
    GUIDES + "functional_api.py (first model, 'mnist_model')",
    "named model; compiled with a loss object (from_logits=True) and an optimizer object",
)
def functional_api_mnist_mlp() -> Any:
    inputs = keras.Input(shape=(784,))
    x = layers.Dense(64, activation="relu")(inputs)
    x = layers.Dense(64, activation="relu")(x)
    outputs = layers.Dense(10)(x)
    model = keras.Model(inputs=inputs, outputs=outputs, name="mnist_model")
    model.compile(
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        optimizer=keras.optimizers.RMSprop(),
        metrics=["accuracy"],
    )
    return model


@entry(
    "functional_api_autoencoder",
    GUIDES + "functional_api.py ('Use the same graph of layers to define multiple models')",
    "one graph of layers for an encoder and a whole autoencoder; Conv2DTranspose, UpSampling2D",
)
def functional_api_autoencoder() -> Any:
    image = keras.Input(shape=(28, 28, 1), name="img")
    x = layers.Conv2D(16, 3, activation="relu")(image)
    x = layers.Conv2D(32, 3, activation="relu")(x)
    x = layers.MaxPooling2D(3)(x)
    x = layers.Conv2D(32, 3, activation="relu")(x)
    x = layers.Conv2D(16, 3, activation="relu")(x)
    code = layers.GlobalMaxPooling2D()(x)
    keras.Model(image, code, name="encoder")  # the guide's encoder: the same layers, a second model
    x = layers.Reshape((4, 4, 1))(code)
    x = layers.Conv2DTranspose(16, 3, activation="relu")(x)
    x = layers.Conv2DTranspose(32, 3, activation="relu")(x)
    x = layers.UpSampling2D(3)(x)
    x = layers.Conv2DTranspose(16, 3, activation="relu")(x)
    decoded = layers.Conv2DTranspose(1, 3, activation="relu")(x)
    return keras.Model(image, decoded, name="autoencoder")


def _conv_encoder(input_name: str) -> Any:
    image = keras.Input(shape=(28, 28, 1), name=input_name)
    x = layers.Conv2D(16, 3, activation="relu")(image)
    x = layers.Conv2D(32, 3, activation="relu")(x)
    x = layers.MaxPooling2D(3)(x)
    x = layers.Conv2D(32, 3, activation="relu")(x)
    x = layers.Conv2D(16, 3, activation="relu")(x)
    return keras.Model(image, layers.GlobalMaxPooling2D()(x), name="encoder")


@entry(
    "functional_api_nested_autoencoder",
    GUIDES + "functional_api.py ('All models are callable, just like layers')",
    "an encoder model and a decoder model called as layers inside a third model",
)
def functional_api_nested_autoencoder() -> Any:
    encoder = _conv_encoder("original_img")
    code = keras.Input(shape=(16,), name="encoded_img")
    x = layers.Reshape((4, 4, 1))(code)
    x = layers.Conv2DTranspose(16, 3, activation="relu")(x)
    x = layers.Conv2DTranspose(32, 3, activation="relu")(x)
    x = layers.UpSampling2D(3)(x)
    x = layers.Conv2DTranspose(16, 3, activation="relu")(x)
    decoder = keras.Model(code, layers.Conv2DTranspose(1, 3, activation="relu")(x), name="decoder")
    image = keras.Input(shape=(28, 28, 1), name="img")
    return keras.Model(image, decoder(encoder(image)), name="autoencoder")


@entry(
    "functional_api_ensemble",
    GUIDES + "functional_api.py (ensembling: get_model() three times, layers.average)",
    "three nested models with automatic names on one input, merged by layers.average",
)
def functional_api_ensemble() -> Any:
    def get_model() -> Any:
        inputs = keras.Input(shape=(128,))
        return keras.Model(inputs, layers.Dense(1)(inputs))

    members = [get_model() for _ in range(3)]
    inputs = keras.Input(shape=(128,))
    outputs = layers.average([m(inputs) for m in members])
    return keras.Model(inputs=inputs, outputs=outputs)


def _ticket_model() -> Any:
    num_tags, num_words, num_departments = 12, 1000, 4
    title = keras.Input(shape=(None,), name="title")
    body = keras.Input(shape=(None,), name="body")
    tags = keras.Input(shape=(num_tags,), name="tags")
    title_features = layers.LSTM(16)(layers.Embedding(num_words, 8)(title))
    body_features = layers.LSTM(4)(layers.Embedding(num_words, 8)(body))
    x = layers.concatenate([title_features, body_features, tags])
    priority = layers.Dense(1, name="priority")(x)
    department = layers.Dense(num_departments, name="department")(x)
    return keras.Model(inputs=[title, body, tags], outputs=[priority, department])


@entry(
    "functional_api_ticket_router",
    GUIDES + "functional_api.py ('Models with multiple inputs and outputs', compile with lists)",
    "three inputs, two outputs; losses as a list of objects, loss_weights as a list",
)
def functional_api_ticket_router() -> Any:
    model = _ticket_model()
    model.compile(
        optimizer=keras.optimizers.RMSprop(1e-3),
        loss=[
            keras.losses.BinaryCrossentropy(from_logits=True),
            keras.losses.CategoricalCrossentropy(from_logits=True),
        ],
        loss_weights=[1.0, 0.2],
    )
    return model


@entry(
    "functional_api_ticket_router_dict_compile",
    GUIDES + "functional_api.py ('Models with multiple inputs and outputs', compile with dicts)",
    "the same model compiled with losses and loss_weights keyed by output name",
)
def functional_api_ticket_router_dict_compile() -> Any:
    model = _ticket_model()
    model.compile(
        optimizer=keras.optimizers.RMSprop(1e-3),
        loss={
            "priority": keras.losses.BinaryCrossentropy(from_logits=True),
            "department": keras.losses.CategoricalCrossentropy(from_logits=True),
        },
        loss_weights={"priority": 1.0, "department": 0.2},
    )
    return model


@entry(
    "functional_api_toy_resnet",
    GUIDES + "functional_api.py ('A toy ResNet model')",
    "residual layers.add, Dropout; compiled with a loss object and metrics=['acc']",
)
def functional_api_toy_resnet() -> Any:
    inputs = keras.Input(shape=(32, 32, 3), name="img")
    x = layers.Conv2D(8, 3, activation="relu")(inputs)
    x = layers.Conv2D(16, 3, activation="relu")(x)
    block_1 = layers.MaxPooling2D(3)(x)
    x = layers.Conv2D(16, 3, activation="relu", padding="same")(block_1)
    x = layers.Conv2D(16, 3, activation="relu", padding="same")(x)
    block_2 = layers.add([x, block_1])
    x = layers.Conv2D(16, 3, activation="relu", padding="same")(block_2)
    x = layers.Conv2D(16, 3, activation="relu", padding="same")(x)
    block_3 = layers.add([x, block_2])
    x = layers.Conv2D(16, 3, activation="relu")(block_3)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dense(32, activation="relu")(x)
    x = layers.Dropout(0.5)(x)
    model = keras.Model(inputs, layers.Dense(10)(x), name="toy_resnet")
    model.compile(
        optimizer=keras.optimizers.RMSprop(1e-3),
        loss=keras.losses.CategoricalCrossentropy(from_logits=True),
        metrics=["acc"],
    )
    return model


@entry(
    "functional_api_feature_extraction_vgg19",
    GUIDES + "functional_api.py ('Extract and reuse nodes': every layer's output of VGG19)",
    "an application's every layer output as a model's outputs, the input layer's among them",
    slow=True,
)
def functional_api_feature_extraction_vgg19() -> Any:
    vgg19 = keras.applications.VGG19(weights=None, include_top=False, input_shape=(32, 32, 3))
    return keras.Model(inputs=vgg19.input, outputs=[layer.output for layer in vgg19.layers])


class CustomDense(layers.Layer):
    """The guide's CustomDense: ``__init__(self, units=32)`` takes no ``**kwargs``; get_config returns only ``units``."""

    def __init__(self, units: int = 32) -> None:
        super().__init__()
        self.units = units

    def build(self, input_shape: Any) -> None:
        self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="random_normal", trainable=True)
        self.b = self.add_weight(shape=(self.units,), initializer="random_normal", trainable=True)

    def call(self, inputs: Any) -> Any:
        return ops.matmul(inputs, self.w) + self.b

    def get_config(self) -> dict[str, Any]:
        return {"units": self.units}


@entry(
    "functional_api_custom_dense",
    GUIDES + "functional_api.py ('Extend the API using custom layers', CustomDense with get_config)",
    "a registered custom layer without **kwargs whose config is only its own argument",
    custom=(CustomDense,),
)
def functional_api_custom_dense() -> Any:
    inputs = keras.Input((4,))
    return keras.Model(inputs, CustomDense(10)(inputs))


class CustomRNN(layers.Layer):
    """The guide's from-scratch RNN: no constructor arguments at all, a Python loop over a static batch and time."""

    def __init__(self) -> None:
        super().__init__()
        self.units = 8
        self.projection_1 = layers.Dense(units=self.units, activation="tanh")
        self.projection_2 = layers.Dense(units=self.units, activation="tanh")
        self.classifier = layers.Dense(1)

    def call(self, inputs: Any) -> Any:
        outputs = []
        state = ops.zeros(shape=(inputs.shape[0], self.units))
        for t in range(inputs.shape[1]):
            h = self.projection_1(inputs[:, t, :])
            state = h + self.projection_2(state)
            outputs.append(state)
        return self.classifier(ops.stack(outputs, axis=1))


@entry(
    "functional_api_custom_rnn",
    GUIDES + "functional_api.py ('Mix-and-match API styles', CustomRNN after Conv1D)",
    "a static batch size (Input batch_shape) and a registered custom layer whose __init__ takes nothing",
    custom=(CustomRNN,),
)
def functional_api_custom_rnn() -> Any:
    inputs = keras.Input(batch_shape=(4, 10, 5))
    x = layers.Conv1D(8, 3)(inputs)
    return keras.Model(inputs, CustomRNN()(x))


# ---------------------------------------------------------------------------
# guides/training_with_built_in_methods.py


def _digits_model(softmax: bool = True) -> Any:
    inputs = keras.Input(shape=(784,), name="digits")
    x = layers.Dense(64, activation="relu", name="dense_1")(inputs)
    x = layers.Dense(64, activation="relu", name="dense_2")(x)
    outputs = layers.Dense(10, activation="softmax" if softmax else None, name="predictions")(x)
    return keras.Model(inputs=inputs, outputs=outputs)


@entry(
    "training_guide_digits",
    GUIDES + "training_with_built_in_methods.py (first end-to-end example)",
    "compiled with optimizer, loss and metric objects (RMSprop, SparseCategoricalCrossentropy, SparseCategoricalAccuracy)",
)
def training_guide_digits() -> Any:
    model = _digits_model()
    model.compile(
        optimizer=keras.optimizers.RMSprop(),
        loss=keras.losses.SparseCategoricalCrossentropy(),
        metrics=[keras.metrics.SparseCategoricalAccuracy()],
    )
    return model


def custom_mean_squared_error(y_true: Any, y_pred: Any) -> Any:
    return ops.mean(ops.square(y_true - y_pred))


@entry(
    "training_guide_custom_loss_function",
    GUIDES + "training_with_built_in_methods.py ('Custom losses': a plain function)",
    "a loss that is an unregistered Python function",
    objects=((custom_mean_squared_error, "loss"),),
)
def training_guide_custom_loss_function() -> Any:
    model = _digits_model()
    model.compile(optimizer=keras.optimizers.Adam(), loss=custom_mean_squared_error)
    return model


class CustomMSE(keras.losses.Loss):
    """The guide's loss subclass with a parameter of its own."""

    def __init__(self, regularization_factor: float = 0.1, name: str = "custom_mse") -> None:
        super().__init__(name=name)
        self.regularization_factor = regularization_factor

    def call(self, y_true: Any, y_pred: Any) -> Any:
        mse = ops.mean(ops.square(y_true - y_pred))
        reg = ops.mean(ops.square(0.5 - y_pred))
        return mse + reg * self.regularization_factor

    def get_config(self) -> dict[str, Any]:
        return {"regularization_factor": self.regularization_factor, "name": self.name}


@entry(
    "training_guide_custom_loss_class",
    GUIDES + "training_with_built_in_methods.py ('Custom losses': a keras.losses.Loss subclass, CustomMSE)",
    "a custom Loss class with a parameter",
    objects=((CustomMSE, "loss"),),
)
def training_guide_custom_loss_class() -> Any:
    model = _digits_model()
    model.compile(optimizer=keras.optimizers.Adam(), loss=CustomMSE())
    return model


class CategoricalTruePositives(keras.metrics.Metric):
    """The guide's stateful metric: a variable counting correctly classified samples."""

    def __init__(self, name: str = "categorical_true_positives", **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)
        self.true_positives = self.add_variable(shape=(), name="ctp", initializer="zeros")

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        y_pred = ops.reshape(ops.argmax(y_pred, axis=1), (-1, 1))
        values = ops.cast(ops.cast(y_true, "int32") == ops.cast(y_pred, "int32"), "float32")
        if sample_weight is not None:
            values = values * ops.cast(sample_weight, "float32")
        self.true_positives.assign_add(ops.sum(values))

    def result(self) -> Any:
        return self.true_positives

    def reset_state(self) -> None:
        self.true_positives.assign(0.0)


@entry(
    "training_guide_custom_metric",
    GUIDES + "training_with_built_in_methods.py ('Custom metrics': CategoricalTruePositives)",
    "a custom stateful Metric subclass among the compile metrics",
    objects=((CategoricalTruePositives, "metric"),),
)
def training_guide_custom_metric() -> Any:
    model = _digits_model()
    model.compile(
        optimizer=keras.optimizers.RMSprop(learning_rate=1e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(),
        metrics=[CategoricalTruePositives()],
    )
    return model


class ActivityRegularizationLayer(layers.Layer):
    """The guide's pass-through layer that adds a loss of its activations."""

    def call(self, inputs: Any) -> Any:
        self.add_loss(ops.sum(inputs) * 0.1)
        return inputs


@entry(
    "training_guide_activity_regularization_layer",
    GUIDES + "training_with_built_in_methods.py ('Handling losses and metrics that don't fit the standard signature')",
    "a registered custom layer that calls add_loss; from_logits loss object",
    custom=(ActivityRegularizationLayer,),
)
def training_guide_activity_regularization_layer() -> Any:
    inputs = keras.Input(shape=(784,), name="digits")
    x = layers.Dense(64, activation="relu", name="dense_1")(inputs)
    x = ActivityRegularizationLayer()(x)
    x = layers.Dense(64, activation="relu", name="dense_2")(x)
    model = keras.Model(inputs=inputs, outputs=layers.Dense(10, name="predictions")(x))
    model.compile(
        optimizer=keras.optimizers.RMSprop(learning_rate=1e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    return model


class LogisticEndpoint(layers.Layer):
    """The guide's endpoint layer: ``__init__(self, name=None)``, called on (targets, logits), adds its own loss."""

    def __init__(self, name: str | None = None) -> None:
        super().__init__(name=name)
        self.loss_fn = keras.losses.BinaryCrossentropy(from_logits=True)

    def call(self, targets: Any, logits: Any, sample_weights: Any = None) -> Any:
        self.add_loss(self.loss_fn(targets, logits, sample_weights))
        return ops.softmax(logits)


@entry(
    "training_guide_logistic_endpoint",
    GUIDES + "training_with_built_in_methods.py (LogisticEndpoint: targets as a model input, compile without a loss)",
    "a custom layer taking two tensors positionally, whose __init__ takes only name; compiled with an optimizer alone",
    custom=(LogisticEndpoint,),
)
def training_guide_logistic_endpoint() -> Any:
    inputs = keras.Input(shape=(3,), name="inputs")
    targets = keras.Input(shape=(10,), name="targets")
    logits = layers.Dense(10)(inputs)
    predictions = LogisticEndpoint(name="predictions")(logits, targets)
    model = keras.Model(inputs=[inputs, targets], outputs=predictions)
    model.compile(optimizer="adam")
    return model


@entry(
    "training_guide_multi_io",
    GUIDES + "training_with_built_in_methods.py ('Passing data to multi-input, multi-output models')",
    "image and time-series inputs; per-output metric lists as a list of lists; loss_weights as a dict",
)
def training_guide_multi_io() -> Any:
    image_input = keras.Input(shape=(32, 32, 3), name="img_input")
    timeseries_input = keras.Input(shape=(None, 10), name="ts_input")
    x1 = layers.GlobalMaxPooling2D()(layers.Conv2D(3, 3)(image_input))
    x2 = layers.GlobalMaxPooling1D()(layers.Conv1D(3, 3)(timeseries_input))
    x = layers.concatenate([x1, x2])
    score_output = layers.Dense(1, name="score_output")(x)
    class_output = layers.Dense(5, name="class_output")(x)
    model = keras.Model(inputs=[image_input, timeseries_input], outputs=[score_output, class_output])
    model.compile(
        optimizer=keras.optimizers.RMSprop(1e-3),
        loss=[keras.losses.MeanSquaredError(), keras.losses.CategoricalCrossentropy()],
        metrics=[
            [keras.metrics.MeanAbsolutePercentageError(), keras.metrics.MeanAbsoluteError()],
            [keras.metrics.CategoricalAccuracy()],
        ],
        loss_weights={"score_output": 2.0, "class_output": 1.0},
    )
    return model


@entry(
    "training_guide_lr_schedule",
    GUIDES + "training_with_built_in_methods.py ('Using learning rate schedules': ExponentialDecay)",
    "an optimizer whose learning_rate is a LearningRateSchedule object",
)
def training_guide_lr_schedule() -> Any:
    model = _digits_model()
    schedule = keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=100000, decay_rate=0.96, staircase=True)
    model.compile(
        optimizer=keras.optimizers.RMSprop(learning_rate=schedule),
        loss="sparse_categorical_crossentropy",
        metrics=["sparse_categorical_accuracy"],
    )
    return model


# ---------------------------------------------------------------------------
# guides/serialization_and_saving.py


@keras.saving.register_keras_serializable(package="corpus_MyLayers")
class CustomLayer(layers.Layer):
    """The guide's registered layer: ``__init__(self, factor)``, no ``**kwargs``."""

    def __init__(self, factor: float) -> None:
        super().__init__()
        self.factor = factor

    def call(self, x: Any) -> Any:
        return x * self.factor

    def get_config(self) -> dict[str, Any]:
        return {"factor": self.factor}


@keras.saving.register_keras_serializable(package="corpus_my_package", name="custom_fn")
def custom_fn(x: Any) -> Any:
    return x**2


@entry(
    "serialization_guide_registered_objects",
    GUIDES + "serialization_and_saving.py ('Registering custom objects': CustomLayer and custom_fn)",
    "a Keras-registered custom layer without **kwargs and a Keras-registered activation function",
    custom=(CustomLayer,),
    objects=((custom_fn, "activation"),),
)
def serialization_guide_registered_objects() -> Any:
    inputs = keras.Input(shape=(4,))
    mid = CustomLayer(0.5)(inputs)
    model = keras.Model(inputs, layers.Dense(1, activation=custom_fn)(mid))
    model.compile(optimizer="rmsprop", loss="mean_squared_error")
    return model


@entry(
    "serialization_guide_transfer_extract_layers",
    GUIDES + "serialization_and_saving.py ('Transfer learning example': a Sequential of an MLP's extracted layers)",
    "a Sequential made of layers taken out of another model, with a new head",
)
def serialization_guide_transfer_extract_layers() -> Any:
    inputs = keras.Input(shape=(784,), name="digits")
    x = layers.Dense(64, activation="relu", name="dense_1")(inputs)
    x = layers.Dense(64, activation="relu", name="dense_2")(x)
    pretrained = keras.Model(inputs=inputs, outputs=layers.Dense(10, name="predictions")(x), name="3_layer_mlp")
    extracted = pretrained.layers[:-1]
    extracted.append(layers.Dense(5, name="dense_3"))
    return keras.Sequential(extracted)


# ---------------------------------------------------------------------------
# guides/transfer_learning.py and guides/sequential_model.py


@entry(
    "transfer_learning_xception",
    GUIDES + "transfer_learning.py ('The typical transfer-learning workflow': frozen Xception, training=False)",
    "a frozen nested application called with training=False after Rescaling; BinaryCrossentropy(from_logits) and BinaryAccuracy objects",
    slow=True,
)
def transfer_learning_xception() -> Any:
    base_model = keras.applications.Xception(weights=None, input_shape=(150, 150, 3), include_top=False)
    base_model.trainable = False
    inputs = keras.Input(shape=(150, 150, 3))
    x = layers.Rescaling(scale=1 / 127.5, offset=-1)(inputs)
    x = base_model(x, training=False)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dropout(0.2)(x)
    model = keras.Model(inputs, layers.Dense(1)(x))
    model.compile(
        optimizer=keras.optimizers.Adam(),
        loss=keras.losses.BinaryCrossentropy(from_logits=True),
        metrics=[keras.metrics.BinaryAccuracy()],
    )
    return model


@entry(
    "transfer_learning_mobilenet_training_false",
    GUIDES + "transfer_learning.py (the same workflow; base model MobileNet alpha 0.25 instead of Xception, for size)",
    "a frozen nested application with a generated dotted name, called with training=False",
)
def transfer_learning_mobilenet_training_false() -> Any:
    base_model = keras.applications.MobileNet(weights=None, input_shape=(96, 96, 3), include_top=False, alpha=0.25)
    base_model.trainable = False
    inputs = keras.Input(shape=(96, 96, 3))
    x = layers.Rescaling(scale=1 / 127.5, offset=-1)(inputs)
    x = base_model(x, training=False)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dropout(0.2)(x)
    model = keras.Model(inputs, layers.Dense(1)(x))
    model.compile(
        optimizer=keras.optimizers.Adam(),
        loss=keras.losses.BinaryCrossentropy(from_logits=True),
        metrics=[keras.metrics.BinaryAccuracy()],
    )
    return model


@entry(
    "sequential_guide_feature_extractor",
    GUIDES + "sequential_model.py ('Feature extraction with a Sequential model')",
    "a functional model over a Sequential's input whose outputs are every layer's output",
)
def sequential_guide_feature_extractor() -> Any:
    initial_model = keras.Sequential(
        [
            keras.Input(shape=(50, 50, 3)),
            layers.Conv2D(8, 5, strides=2, activation="relu"),
            layers.Conv2D(8, 3, activation="relu"),
            layers.Conv2D(8, 3, activation="relu"),
        ]
    )
    return keras.Model(inputs=initial_model.inputs, outputs=[layer.output for layer in initial_model.layers])


@entry(
    "sequential_guide_frozen_layers",
    GUIDES + "sequential_model.py ('Transfer learning with a Sequential model': all layers but the last frozen)",
    "per-layer trainable=False in a Sequential",
)
def sequential_guide_frozen_layers() -> Any:
    model = keras.Sequential(
        [
            keras.Input(shape=(784,)),
            layers.Dense(32, activation="relu"),
            layers.Dense(32, activation="relu"),
            layers.Dense(32, activation="relu"),
            layers.Dense(10),
        ]
    )
    for layer in model.layers[:-1]:
        layer.trainable = False
    return model


@entry(
    "sequential_guide_application_without_input",
    GUIDES
    + "sequential_model.py ('Transfer learning': Sequential([base_model, Dense]); MobileNet alpha 0.25 for Xception)",
    "a Sequential that starts with a frozen application and has no Input of its own",
)
def sequential_guide_application_without_input() -> Any:
    base_model = keras.applications.MobileNet(
        weights=None, include_top=False, pooling="avg", input_shape=(96, 96, 3), alpha=0.25
    )
    base_model.trainable = False
    return keras.Sequential([base_model, layers.Dense(10)])


# ---------------------------------------------------------------------------
# guides/understanding_masking_and_padding.py and guides/working_with_rnns.py


@entry(
    "masking_guide_mask_zero_lstm",
    GUIDES + "understanding_masking_and_padding.py ('Mask-generating layers: Embedding and Masking')",
    "Embedding(mask_zero=True) whose mask Keras passes to the LSTM by itself",
)
def masking_guide_mask_zero_lstm() -> Any:
    inputs = keras.Input(shape=(None,), dtype="int32")
    x = layers.Embedding(input_dim=500, output_dim=16, mask_zero=True)(inputs)
    return keras.Model(inputs, layers.LSTM(8)(x))


class TemporalSoftmax(layers.Layer):
    """The guide's mask-consuming layer: a softmax over time that ignores masked steps."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs: Any, mask: Any = None) -> Any:
        weights = ops.expand_dims(ops.cast(mask, "float32"), -1)
        exp = ops.exp(inputs) * weights
        return exp / ops.sum(exp * weights, axis=-1, keepdims=True)


@entry(
    "masking_guide_temporal_softmax",
    GUIDES + "understanding_masking_and_padding.py ('Writing layers that need mask information': TemporalSoftmax)",
    "a registered custom layer that receives the Embedding's mask implicitly",
    custom=(TemporalSoftmax,),
)
def masking_guide_temporal_softmax() -> Any:
    inputs = keras.Input(shape=(None,), dtype="int32")
    x = layers.Embedding(input_dim=10, output_dim=32, mask_zero=True)(inputs)
    x = layers.Dense(1)(x)
    return keras.Model(inputs, TemporalSoftmax()(x))


@entry(
    "rnn_guide_encoder_decoder_initial_state",
    GUIDES + "working_with_rnns.py ('RNN state reuse': the encoder's states as the decoder's initial_state)",
    "LSTM called with initial_state=[state_h, state_c] by keyword",
)
def rnn_guide_encoder_decoder_initial_state() -> Any:
    encoder_input = keras.Input(shape=(None,))
    encoded = layers.Embedding(input_dim=100, output_dim=16)(encoder_input)
    _, state_h, state_c = layers.LSTM(16, return_state=True, name="encoder")(encoded)
    decoder_input = keras.Input(shape=(None,))
    decoded = layers.Embedding(input_dim=200, output_dim=16)(decoder_input)
    decoder_output = layers.LSTM(16, name="decoder")(decoded, initial_state=[state_h, state_c])
    return keras.Model([encoder_input, decoder_input], layers.Dense(10)(decoder_output))


@entry(
    "rnn_guide_rnn_of_cells",
    GUIDES + "working_with_rnns.py ('RNN layers and RNN cells': keras.layers.RNN(LSTMCell) and a stacked cell list)",
    "an RNN layer wrapping a cell, and one wrapping a list of cells",
)
def rnn_guide_rnn_of_cells() -> Any:
    inputs = keras.Input(shape=(None, 8))
    x = layers.RNN(layers.LSTMCell(16), return_sequences=True)(inputs)
    x = layers.RNN([layers.GRUCell(8), layers.SimpleRNNCell(4)])(x)
    return keras.Model(inputs, layers.Dense(3)(x))
