"""Models from the keras.io code examples (keras-team/keras-io, examples/**/*.py), written anew at small sizes."""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
from keras import layers, ops

from tests.corpus import entry

EXAMPLES = "keras-team/keras-io examples/"


# ---------------------------------------------------------------------------
# examples/nlp


def _seq2seq_training() -> Any:
    num_encoder_tokens, num_decoder_tokens, latent_dim = 12, 14, 16
    encoder_inputs = keras.Input(shape=(None, num_encoder_tokens))
    _, state_h, state_c = layers.LSTM(latent_dim, return_state=True)(encoder_inputs)
    decoder_inputs = keras.Input(shape=(None, num_decoder_tokens))
    decoder_lstm = layers.LSTM(latent_dim, return_sequences=True, return_state=True)
    decoder_outputs, _, _ = decoder_lstm(decoder_inputs, initial_state=[state_h, state_c])
    decoder_outputs = layers.Dense(num_decoder_tokens, activation="softmax")(decoder_outputs)
    model = keras.Model([encoder_inputs, decoder_inputs], decoder_outputs)
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
    return model


@entry(
    "lstm_seq2seq_training",
    EXAMPLES + "nlp/lstm_seq2seq.py ('Build the model')",
    "the encoder's LSTM states passed to the decoder LSTM as initial_state=[h, c]",
)
def lstm_seq2seq_training() -> Any:
    return _seq2seq_training()


@entry(
    "lstm_seq2seq_inference_encoder",
    EXAMPLES + "nlp/lstm_seq2seq.py ('Run inference': encoder_model from the training model's layers)",
    "a model cut out of another: its first input to the encoder LSTM's two states",
)
def lstm_seq2seq_inference_encoder() -> Any:
    model = _seq2seq_training()
    _, state_h, state_c = model.layers[2].output
    return keras.Model(model.input[0], [state_h, state_c])


@entry(
    "lstm_seq2seq_inference_decoder",
    EXAMPLES + "nlp/lstm_seq2seq.py ('Run inference': decoder_model reusing the trained decoder LSTM and Dense)",
    "the trained decoder LSTM called again with initial_state from two new state inputs; states as outputs",
)
def lstm_seq2seq_inference_decoder() -> Any:
    model = _seq2seq_training()
    latent_dim = 16
    decoder_inputs = model.input[1]
    state_h_in, state_c_in = keras.Input(shape=(latent_dim,)), keras.Input(shape=(latent_dim,))
    decoder_outputs, state_h, state_c = model.layers[3](decoder_inputs, initial_state=[state_h_in, state_c_in])
    decoder_outputs = model.layers[4](decoder_outputs)
    return keras.Model([decoder_inputs, state_h_in, state_c_in], [decoder_outputs, state_h, state_c])


class TransformerBlock(layers.Layer):
    """text_classification_with_transformer's block: constructor takes the sizes only (no ``**kwargs``), no get_config."""

    def __init__(self, embed_dim: int, num_heads: int, ff_dim: int, rate: float = 0.1) -> None:
        super().__init__()
        self.att = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)
        self.ffn = keras.Sequential([layers.Dense(ff_dim, activation="relu"), layers.Dense(embed_dim)])
        self.layernorm1 = layers.LayerNormalization(epsilon=1e-6)
        self.layernorm2 = layers.LayerNormalization(epsilon=1e-6)
        self.dropout1 = layers.Dropout(rate)
        self.dropout2 = layers.Dropout(rate)

    def call(self, inputs: Any) -> Any:
        attn_output = self.dropout1(self.att(inputs, inputs))
        out1 = self.layernorm1(inputs + attn_output)
        return self.layernorm2(out1 + self.dropout2(self.ffn(out1)))


class TokenAndPositionEmbedding(layers.Layer):
    """Token embedding plus a learnt position embedding over ``ops.arange`` of the sequence length."""

    def __init__(self, maxlen: int, vocab_size: int, embed_dim: int) -> None:
        super().__init__()
        self.token_emb = layers.Embedding(input_dim=vocab_size, output_dim=embed_dim)
        self.pos_emb = layers.Embedding(input_dim=maxlen, output_dim=embed_dim)

    def call(self, x: Any) -> Any:
        positions = self.pos_emb(ops.arange(start=0, stop=ops.shape(x)[-1], step=1))
        return self.token_emb(x) + positions


@entry(
    "text_classification_with_transformer",
    EXAMPLES + "nlp/text_classification_with_transformer.py",
    "two registered custom layers whose __init__ takes no **kwargs and that define no get_config",
    custom=(TransformerBlock, TokenAndPositionEmbedding),
)
def text_classification_with_transformer() -> Any:
    maxlen, vocab_size, embed_dim = 20, 200, 8
    inputs = layers.Input(shape=(maxlen,))
    x = TokenAndPositionEmbedding(maxlen, vocab_size, embed_dim)(inputs)
    x = TransformerBlock(embed_dim, 2, 16)(x)
    x = layers.GlobalAveragePooling1D()(x)
    x = layers.Dropout(0.1)(x)
    x = layers.Dense(20, activation="relu")(x)
    x = layers.Dropout(0.1)(x)
    model = keras.Model(inputs=inputs, outputs=layers.Dense(2, activation="softmax")(x))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


class TransformerEncoder(layers.Layer):
    """neural_machine_translation_with_transformer's encoder: mask-aware self-attention, with get_config and **kwargs."""

    def __init__(self, embed_dim: int, dense_dim: int, num_heads: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.embed_dim, self.dense_dim, self.num_heads = embed_dim, dense_dim, num_heads
        self.attention = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)
        self.dense_proj = keras.Sequential([layers.Dense(dense_dim, activation="relu"), layers.Dense(embed_dim)])
        self.layernorm_1 = layers.LayerNormalization()
        self.layernorm_2 = layers.LayerNormalization()
        self.supports_masking = True

    def call(self, inputs: Any, mask: Any = None) -> Any:
        padding_mask = ops.cast(mask[:, None, :], dtype="int32") if mask is not None else None
        attention_output = self.attention(query=inputs, value=inputs, key=inputs, attention_mask=padding_mask)
        proj_input = self.layernorm_1(inputs + attention_output)
        return self.layernorm_2(proj_input + self.dense_proj(proj_input))

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "embed_dim": self.embed_dim,
            "dense_dim": self.dense_dim,
            "num_heads": self.num_heads,
        }


class PositionalEmbedding(layers.Layer):
    """Token plus position embeddings; its mask marks the non-zero tokens."""

    def __init__(self, sequence_length: int, vocab_size: int, embed_dim: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.token_embeddings = layers.Embedding(input_dim=vocab_size, output_dim=embed_dim)
        self.position_embeddings = layers.Embedding(input_dim=sequence_length, output_dim=embed_dim)
        self.sequence_length, self.vocab_size, self.embed_dim = sequence_length, vocab_size, embed_dim

    def call(self, inputs: Any) -> Any:
        positions = ops.arange(0, ops.shape(inputs)[-1], 1)
        return self.token_embeddings(inputs) + self.position_embeddings(positions)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        return ops.not_equal(inputs, 0)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "sequence_length": self.sequence_length,
            "vocab_size": self.vocab_size,
            "embed_dim": self.embed_dim,
        }


class TransformerDecoder(layers.Layer):
    """The decoder: ``call(inputs, encoder_outputs, mask=None)``, causal self-attention, then attention over the encoder."""

    def __init__(self, embed_dim: int, latent_dim: int, num_heads: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.embed_dim, self.latent_dim, self.num_heads = embed_dim, latent_dim, num_heads
        self.attention_1 = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)
        self.attention_2 = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)
        self.dense_proj = keras.Sequential([layers.Dense(latent_dim, activation="relu"), layers.Dense(embed_dim)])
        self.layernorm_1 = layers.LayerNormalization()
        self.layernorm_2 = layers.LayerNormalization()
        self.layernorm_3 = layers.LayerNormalization()
        self.supports_masking = True

    def call(self, inputs: Any, encoder_outputs: Any, mask: Any = None) -> Any:
        length = ops.shape(inputs)[1]
        causal_mask = ops.cast(ops.arange(length)[:, None] >= ops.arange(length), "int32")[None, :, :]
        padding_mask = ops.minimum(ops.cast(mask[:, None, :], "int32"), causal_mask) if mask is not None else None
        out_1 = self.layernorm_1(
            inputs + self.attention_1(query=inputs, value=inputs, key=inputs, attention_mask=causal_mask)
        )
        out_2 = self.layernorm_2(
            out_1
            + self.attention_2(query=out_1, value=encoder_outputs, key=encoder_outputs, attention_mask=padding_mask)
        )
        return self.layernorm_3(out_2 + self.dense_proj(out_2))

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "embed_dim": self.embed_dim,
            "latent_dim": self.latent_dim,
            "num_heads": self.num_heads,
        }


@entry(
    "neural_machine_translation_with_transformer",
    EXAMPLES + "nlp/neural_machine_translation_with_transformer.py ('Next, we assemble the end-to-end model')",
    "encoder and decoder as nested models; a custom decoder layer called on two tensors; int64 inputs; masks from a custom layer",
    custom=(TransformerEncoder, PositionalEmbedding, TransformerDecoder),
)
def neural_machine_translation_with_transformer() -> Any:
    sequence_length, vocab_size, embed_dim, latent_dim, num_heads = 10, 50, 8, 16, 2
    encoder_inputs = keras.Input(shape=(None,), dtype="int64", name="encoder_inputs")
    x = PositionalEmbedding(sequence_length, vocab_size, embed_dim)(encoder_inputs)
    encoder_outputs = TransformerEncoder(embed_dim, latent_dim, num_heads)(x)
    keras.Model(encoder_inputs, encoder_outputs)  # the example's `encoder`, defined but used through the graph
    decoder_inputs = keras.Input(shape=(None,), dtype="int64", name="decoder_inputs")
    encoded_seq_inputs = keras.Input(shape=(None, embed_dim), name="decoder_state_inputs")
    x = PositionalEmbedding(sequence_length, vocab_size, embed_dim)(decoder_inputs)
    x = TransformerDecoder(embed_dim, latent_dim, num_heads)(x, encoded_seq_inputs)
    x = layers.Dropout(0.5)(x)
    decoder = keras.Model([decoder_inputs, encoded_seq_inputs], layers.Dense(vocab_size, activation="softmax")(x))
    transformer = keras.Model(
        [encoder_inputs, decoder_inputs], decoder([decoder_inputs, encoder_outputs]), name="transformer"
    )
    transformer.compile("rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return transformer


@entry(
    "bidirectional_lstm_imdb",
    EXAMPLES + "nlp/bidirectional_lstm_imdb.py",
    "int32 variable-length input, stacked Bidirectional LSTMs",
)
def bidirectional_lstm_imdb() -> Any:
    inputs = keras.Input(shape=(None,), dtype="int32")
    x = layers.Embedding(200, 16)(inputs)
    x = layers.Bidirectional(layers.LSTM(8, return_sequences=True))(x)
    x = layers.Bidirectional(layers.LSTM(8))(x)
    model = keras.Model(inputs, layers.Dense(1, activation="sigmoid")(x))
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def _text_cnn() -> Any:
    inputs = keras.Input(shape=(None,), dtype="int64")
    x = layers.Embedding(200, 16)(inputs)
    x = layers.Dropout(0.5)(x)
    x = layers.Conv1D(16, 7, padding="valid", activation="relu", strides=3)(x)
    x = layers.Conv1D(16, 7, padding="valid", activation="relu", strides=3)(x)
    x = layers.GlobalMaxPooling1D()(x)
    x = layers.Dense(16, activation="relu")(x)
    x = layers.Dropout(0.5)(x)
    model = keras.Model(inputs, layers.Dense(1, activation="sigmoid", name="predictions")(x))
    model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model


@entry(
    "text_classification_from_scratch",
    EXAMPLES + "nlp/text_classification_from_scratch.py ('Build a model')",
    "int64 sequence input, strided Conv1D, GlobalMaxPooling1D",
    data=lambda: {"input_layer": np.random.default_rng(0).integers(1, 200, size=(2, 40)).astype("int64")},
)
def text_classification_from_scratch() -> Any:
    return _text_cnn()


@entry(
    "text_classification_end_to_end",
    EXAMPLES
    + "nlp/text_classification_from_scratch.py ('Make an end-to-end model': TextVectorization + the trained model)",
    "a string input, a TextVectorization layer holding a vocabulary, the trained model nested",
    data=lambda: {"input_layer_1": np.array([["the movie was great"], ["a film with a bad plot"]])},
)
def text_classification_end_to_end() -> Any:
    model = _text_cnn()
    vocabulary = ["the", "movie", "film", "was", "great", "bad", "plot", "a", "with"]
    vectorize_layer = layers.TextVectorization(
        max_tokens=200, output_mode="int", output_sequence_length=40, vocabulary=vocabulary
    )
    inputs = keras.Input(shape=(1,), dtype="string")
    end_to_end_model = keras.Model(inputs, model(vectorize_layer(inputs)))
    end_to_end_model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
    return end_to_end_model


@entry(
    "pretrained_word_embeddings",
    EXAMPLES + "nlp/pretrained_word_embeddings.py (an Embedding initialised from a GloVe matrix, frozen)",
    "Embedding with a Constant initializer holding the embedding matrix, trainable=False",
    # token ids below num_tokens (30), long enough for two Conv1D(5) and a MaxPooling1D(5)
    data=lambda: {"input_layer": np.random.default_rng(0).integers(0, 30, size=(2, 60)).astype("int64")},
)
def pretrained_word_embeddings() -> Any:
    num_tokens, embedding_dim = 30, 6
    embedding_matrix = np.random.default_rng(1).standard_normal((num_tokens, embedding_dim)).astype("float32")
    int_sequences_input = keras.Input(shape=(None,), dtype="int64")
    embedding_layer = layers.Embedding(
        num_tokens, embedding_dim, embeddings_initializer=keras.initializers.Constant(embedding_matrix), trainable=False
    )
    x = embedding_layer(int_sequences_input)
    x = layers.Conv1D(8, 5, activation="relu")(x)
    x = layers.MaxPooling1D(5)(x)
    x = layers.Conv1D(8, 5, activation="relu")(x)
    x = layers.GlobalMaxPooling1D()(x)
    x = layers.Dense(8, activation="relu")(x)
    x = layers.Dropout(0.5)(x)
    model = keras.Model(int_sequences_input, layers.Dense(20, activation="softmax")(x))
    model.compile(loss="sparse_categorical_crossentropy", optimizer="rmsprop", metrics=["acc"])
    return model


@entry(
    "addition_rnn",
    EXAMPLES + "nlp/addition_rnn.py ('Build the model')",
    "a Sequential with RepeatVector between an encoder LSTM and a stacked decoder LSTM",
)
def addition_rnn() -> Any:
    maxlen, digits, chars = 7, 3, 12
    model = keras.Sequential()
    model.add(layers.Input((maxlen, chars)))
    model.add(layers.LSTM(16))
    model.add(layers.RepeatVector(digits + 1))
    for _ in range(1):
        model.add(layers.LSTM(16, return_sequences=True))
    model.add(layers.Dense(chars, activation="softmax"))
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model


def _bert_module(query: Any, key: Any, value: Any, i: int, embed_dim: int, num_head: int, ff_dim: int) -> Any:
    attention_output = layers.MultiHeadAttention(
        num_heads=num_head, key_dim=embed_dim // num_head, name=f"encoder_{i}_multiheadattention"
    )(query, key, value)
    attention_output = layers.Dropout(0.1, name=f"encoder_{i}_att_dropout")(attention_output)
    attention_output = layers.LayerNormalization(epsilon=1e-6, name=f"encoder_{i}_att_layernormalization")(
        query + attention_output
    )
    ffn = keras.Sequential([layers.Dense(ff_dim, activation="relu"), layers.Dense(embed_dim)], name=f"encoder_{i}_ffn")
    ffn_output = layers.Dropout(0.1, name=f"encoder_{i}_ffn_dropout")(ffn(attention_output))
    return layers.LayerNormalization(epsilon=1e-6, name=f"encoder_{i}_ffn_layernormalization")(
        attention_output + ffn_output
    )


def _sinusoid_positions(max_len: int, d_emb: int) -> Any:
    pos = np.arange(max_len)[:, None] / np.power(10000, 2 * (np.arange(d_emb)[None, :] // 2) / d_emb)
    pos[:, 0::2], pos[:, 1::2] = np.sin(pos[:, 0::2]), np.cos(pos[:, 1::2])
    return pos.astype("float32")


class MaskedLanguageModel(keras.Model):
    """masked_language_modeling's functional-API subclass, whose own train_step uses sample weights."""

    def train_step(self, data: Any) -> Any:
        return super().train_step(data)


def _mlm_bert(max_len: int = 16, vocab: int = 100, embed_dim: int = 16, num_head: int = 2, ff_dim: int = 16) -> Any:
    inputs = layers.Input((max_len,), dtype="int64")
    word_embeddings = layers.Embedding(vocab, embed_dim, name="word_embedding")(inputs)
    # The example's position embedding before keras_hub: an Embedding holding sinusoids, called on the constant positions 0..max_len-1.
    position_embeddings = layers.Embedding(
        input_dim=max_len,
        output_dim=embed_dim,
        weights=[_sinusoid_positions(max_len, embed_dim)],
        name="position_embedding",
    )(ops.arange(start=0, stop=max_len, step=1))
    encoder_output = word_embeddings + position_embeddings
    encoder_output = _bert_module(encoder_output, encoder_output, encoder_output, 0, embed_dim, num_head, ff_dim)
    mlm_output = layers.Dense(vocab, name="mlm_cls", activation="softmax")(encoder_output)
    mlm_model = MaskedLanguageModel(inputs, mlm_output, name="masked_bert_model")
    mlm_model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.001))
    return mlm_model


@entry(
    "masked_language_modeling_bert",
    EXAMPLES
    + "nlp/masked_language_modeling.py ('Create BERT model (Pretraining Model)', as written before it used keras_hub's PositionEmbedding)",
    "a keras.Model subclass built functionally (custom train_step); a layer called on a constant; MHA on (query, key, value)",
)
def masked_language_modeling_bert() -> Any:
    return _mlm_bert()


@entry(
    "masked_language_modeling_classifier",
    EXAMPLES
    + "nlp/masked_language_modeling.py ('Fine-tune a sentiment classification model': frozen pretrained encoder)",
    "a frozen sub-model cut from the pretrained BERT (its graph adds a constant tensor), nested in a classifier",
)
def masked_language_modeling_classifier() -> Any:
    mlm_model = _mlm_bert()
    pretrained_bert_model = keras.Model(mlm_model.input, mlm_model.get_layer("encoder_0_ffn_layernormalization").output)
    pretrained_bert_model.trainable = False
    inputs = layers.Input((16,), dtype="int64")
    pooled_output = layers.GlobalMaxPooling1D()(pretrained_bert_model(inputs))
    hidden_layer = layers.Dense(64, activation="relu")(pooled_output)
    classifier = keras.Model(inputs, layers.Dense(1, activation="sigmoid")(hidden_layer), name="classification")
    classifier.compile(optimizer=keras.optimizers.Adam(), loss="binary_crossentropy", metrics=["accuracy"])
    return classifier


# ---------------------------------------------------------------------------
# examples/vision


@entry(
    "mnist_convnet",
    EXAMPLES + "vision/mnist_convnet.py",
    "a Sequential convnet from keras.Input, compiled with strings",
)
def mnist_convnet() -> Any:
    model = keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            layers.Conv2D(8, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Conv2D(16, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Flatten(),
            layers.Dropout(0.5),
            layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model


@entry(
    "image_classification_from_scratch",
    EXAMPLES + "vision/image_classification_from_scratch.py (make_model: a small Xception)",
    "Rescaling, SeparableConv2D residual blocks with 1x1 strided shortcuts; BinaryAccuracy(name='acc')",
)
def image_classification_from_scratch() -> Any:
    inputs = keras.Input(shape=(64, 64, 3))
    x = layers.Rescaling(1.0 / 255)(inputs)
    x = layers.Conv2D(16, 3, strides=2, padding="same")(x)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)
    previous_block_activation = x
    for size in [32, 64, 91]:
        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(size, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)
        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(size, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)
        x = layers.MaxPooling2D(3, strides=2, padding="same")(x)
        residual = layers.Conv2D(size, 1, strides=2, padding="same")(previous_block_activation)
        x = layers.add([x, residual])
        previous_block_activation = x
    x = layers.SeparableConv2D(128, 3, padding="same")(x)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dropout(0.25)(x)
    model = keras.Model(inputs, layers.Dense(1, activation=None)(x))
    model.compile(
        optimizer=keras.optimizers.Adam(3e-4),
        loss=keras.losses.BinaryCrossentropy(from_logits=True),
        metrics=[keras.metrics.BinaryAccuracy(name="acc")],
    )
    return model


@entry(
    "oxford_pets_image_segmentation",
    EXAMPLES + "vision/oxford_pets_image_segmentation.py (get_model: a U-Net-like Xception)",
    "downsampling and upsampling halves with residual adds, Conv2DTranspose, UpSampling2D; per-pixel softmax",
)
def oxford_pets_image_segmentation() -> Any:
    inputs = keras.Input(shape=(32, 32, 3))
    x = layers.Conv2D(8, 3, strides=2, padding="same")(inputs)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)
    previous_block_activation = x
    for filters in [16, 32]:
        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(filters, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)
        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(filters, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)
        x = layers.MaxPooling2D(3, strides=2, padding="same")(x)
        residual = layers.Conv2D(filters, 1, strides=2, padding="same")(previous_block_activation)
        x = layers.add([x, residual])
        previous_block_activation = x
    for filters in [32, 16, 8]:
        x = layers.Activation("relu")(x)
        x = layers.Conv2DTranspose(filters, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)
        x = layers.Activation("relu")(x)
        x = layers.Conv2DTranspose(filters, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)
        x = layers.UpSampling2D(2)(x)
        residual = layers.UpSampling2D(2)(previous_block_activation)
        residual = layers.Conv2D(filters, 1, padding="same")(residual)
        x = layers.add([x, residual])
        previous_block_activation = x
    model = keras.Model(inputs, layers.Conv2D(3, 3, activation="softmax", padding="same")(x))
    model.compile(optimizer=keras.optimizers.Adam(1e-4), loss="sparse_categorical_crossentropy")
    return model


class CTCLayer(layers.Layer):
    """captcha_ocr's loss endpoint: ``__init__(self, name=None)``, called on (labels, predictions), adds the CTC loss."""

    def __init__(self, name: str | None = None) -> None:
        super().__init__(name=name)

    def call(self, y_true: Any, y_pred: Any) -> Any:
        batch = ops.shape(y_true)[0]
        input_length = ops.full((batch,), ops.shape(y_pred)[1], dtype="int32")
        label_length = ops.full((batch,), ops.shape(y_true)[1], dtype="int32")
        self.add_loss(ops.mean(ops.ctc_loss(ops.cast(y_true, "int32"), y_pred, label_length, input_length)))
        return y_pred


def _captcha_ocr() -> Any:
    img_width, img_height = 40, 16
    input_img = layers.Input(shape=(img_width, img_height, 1), name="image", dtype="float32")
    labels = layers.Input(name="label", shape=(None,), dtype="float32")
    x = layers.Conv2D(8, (3, 3), activation="relu", kernel_initializer="he_normal", padding="same", name="Conv1")(
        input_img
    )
    x = layers.MaxPooling2D((2, 2), name="pool1")(x)
    x = layers.Conv2D(16, (3, 3), activation="relu", kernel_initializer="he_normal", padding="same", name="Conv2")(x)
    x = layers.MaxPooling2D((2, 2), name="pool2")(x)
    x = layers.Reshape(target_shape=(img_width // 4, (img_height // 4) * 16), name="reshape")(x)
    x = layers.Dense(16, activation="relu", name="dense1")(x)
    x = layers.Dropout(0.2)(x)
    x = layers.Bidirectional(layers.LSTM(16, return_sequences=True, dropout=0.25))(x)
    x = layers.Bidirectional(layers.LSTM(8, return_sequences=True, dropout=0.25))(x)
    x = layers.Dense(20, activation="softmax", name="dense2")(x)
    output = CTCLayer(name="ctc_loss")(labels, x)
    model = keras.Model(inputs=[input_img, labels], outputs=output, name="ocr_model_v1")
    model.compile(optimizer=keras.optimizers.Adam())
    return model


@entry(
    "captcha_ocr_training",
    EXAMPLES + "vision/captcha_ocr.py (build_model: CNN + BiLSTM + CTCLayer)",
    "labels as a model input into a custom loss layer (name-only __init__); compiled with an optimizer alone",
    custom=(CTCLayer,),
    data=lambda: {
        "image": np.random.default_rng(0).random((2, 40, 16, 1)).astype("float32"),
        "label": np.array([[1, 2, 3], [4, 5, 6]], dtype="float32"),
    },
)
def captcha_ocr_training() -> Any:
    return _captcha_ocr()


@entry(
    "captcha_ocr_prediction",
    EXAMPLES + "vision/captcha_ocr.py (prediction_model: model.input[0] to the 'dense2' layer's output)",
    "a model cut out of the training model between its first input and an inner layer",
    custom=(CTCLayer,),
)
def captcha_ocr_prediction() -> Any:
    model = _captcha_ocr()
    return keras.Model(model.input[0], model.get_layer(name="dense2").output)


@entry(
    "conv_lstm_next_frame",
    EXAMPLES + "vision/conv_lstm.py ('Model Construction')",
    "ConvLSTM2D over frames of unknown count, Conv3D; compiled with the loss *function* keras.losses.binary_crossentropy",
)
def conv_lstm_next_frame() -> Any:
    inp = layers.Input(shape=(None, 16, 16, 1))
    x = layers.ConvLSTM2D(filters=8, kernel_size=(5, 5), padding="same", return_sequences=True, activation="relu")(inp)
    x = layers.BatchNormalization()(x)
    x = layers.ConvLSTM2D(filters=8, kernel_size=(3, 3), padding="same", return_sequences=True, activation="relu")(x)
    x = layers.BatchNormalization()(x)
    x = layers.ConvLSTM2D(filters=8, kernel_size=(1, 1), padding="same", return_sequences=True, activation="relu")(x)
    x = layers.Conv3D(filters=1, kernel_size=(3, 3, 3), activation="sigmoid", padding="same")(x)
    model = keras.models.Model(inp, x)
    model.compile(loss=keras.losses.binary_crossentropy, optimizer=keras.optimizers.Adam())
    return model


@entry(
    "3d_image_classification",
    EXAMPLES + "vision/3D_image_classification.py (get_model and its ExponentialDecay schedule)",
    "Conv3D / MaxPool3D / GlobalAveragePooling3D; the optimizer's learning rate is an ExponentialDecay schedule",
)
def ct_3d_image_classification() -> Any:
    inputs = keras.Input((16, 16, 8, 1))
    x = inputs
    for filters in (8, 8):
        x = layers.Conv3D(filters=filters, kernel_size=3, activation="relu", padding="same")(x)
        x = layers.MaxPool3D(pool_size=2)(x)
        x = layers.BatchNormalization()(x)
    x = layers.GlobalAveragePooling3D()(x)
    x = layers.Dense(units=16, activation="relu")(x)
    x = layers.Dropout(0.3)(x)
    model = keras.Model(inputs, layers.Dense(units=1, activation="sigmoid")(x), name="3dcnn")
    lr_schedule = keras.optimizers.schedules.ExponentialDecay(
        0.0001, decay_steps=100000, decay_rate=0.96, staircase=True
    )
    model.compile(
        loss="binary_crossentropy", optimizer=keras.optimizers.Adam(learning_rate=lr_schedule), metrics=["acc"]
    )
    return model


@entry(
    "convmixer",
    EXAMPLES + "vision/convmixer.py (get_conv_mixer_256_8 at width 16, depth 2)",
    "DepthwiseConv2D residual mixer blocks, gelu activations, GlobalAvgPool2D alias; AdamW with weight decay",
)
def convmixer() -> Any:
    def activation_block(x: Any) -> Any:
        return layers.BatchNormalization()(layers.Activation("gelu")(x))

    filters, depth, kernel_size, patch_size = 16, 2, 5, 2
    inputs = keras.Input((32, 32, 3))
    x = layers.Rescaling(scale=1.0 / 255)(inputs)
    x = activation_block(layers.Conv2D(filters, kernel_size=patch_size, strides=patch_size)(x))
    for _ in range(depth):
        x0 = x
        x = layers.DepthwiseConv2D(kernel_size=kernel_size, padding="same")(x)
        x = layers.Add()([activation_block(x), x0])
        x = activation_block(layers.Conv2D(filters, kernel_size=1)(x))
    x = layers.GlobalAvgPool2D()(x)
    model = keras.Model(inputs, layers.Dense(10, activation="softmax")(x))
    model.compile(
        optimizer=keras.optimizers.AdamW(learning_rate=0.001, weight_decay=0.0001),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


class Patches(layers.Layer):
    """image_classification_with_vision_transformer's patch extractor: ``__init__(self, patch_size)``, no ``**kwargs``."""

    def __init__(self, patch_size: int) -> None:
        super().__init__()
        self.patch_size = patch_size

    def call(self, images: Any) -> Any:
        shape = ops.shape(images)
        patches = ops.image.extract_patches(images, size=self.patch_size)
        n = (shape[1] // self.patch_size) * (shape[2] // self.patch_size)
        return ops.reshape(patches, (shape[0], n, self.patch_size * self.patch_size * shape[-1]))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "patch_size": self.patch_size}


class PatchEncoder(layers.Layer):
    """Projects the patches and adds a learnt position embedding."""

    def __init__(self, num_patches: int, projection_dim: int) -> None:
        super().__init__()
        self.num_patches = num_patches
        self.projection = layers.Dense(units=projection_dim)
        self.position_embedding = layers.Embedding(input_dim=num_patches, output_dim=projection_dim)

    def call(self, patch: Any) -> Any:
        positions = ops.expand_dims(ops.arange(start=0, stop=self.num_patches, step=1), axis=0)
        return self.projection(patch) + self.position_embedding(positions)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "num_patches": self.num_patches}


@entry(
    "vision_transformer",
    EXAMPLES + "vision/image_classification_with_vision_transformer.py (create_vit_classifier)",
    "adapted Normalization and augmentation in a nested Sequential, custom patch layers without **kwargs, MHA(x, x); AdamW; named metric objects",
    custom=(Patches, PatchEncoder),
)
def vision_transformer() -> Any:
    image_size, patch_size, projection_dim, num_heads = 16, 4, 8, 2
    num_patches = (image_size // patch_size) ** 2
    normalization = layers.Normalization()
    normalization.adapt(np.random.default_rng(0).random((8, 20, 20, 3)).astype("float32"))
    data_augmentation = keras.Sequential(
        [
            normalization,
            layers.Resizing(image_size, image_size),
            layers.RandomFlip("horizontal"),
            layers.RandomRotation(factor=0.02),
            layers.RandomZoom(height_factor=0.2, width_factor=0.2),
        ],
        name="data_augmentation",
    )
    inputs = keras.Input(shape=(20, 20, 3))
    encoded_patches = PatchEncoder(num_patches, projection_dim)(Patches(patch_size)(data_augmentation(inputs)))
    for _ in range(2):
        x1 = layers.LayerNormalization(epsilon=1e-6)(encoded_patches)
        attention_output = layers.MultiHeadAttention(num_heads=num_heads, key_dim=projection_dim, dropout=0.1)(x1, x1)
        x2 = layers.Add()([attention_output, encoded_patches])
        x3 = layers.LayerNormalization(epsilon=1e-6)(x2)
        for units in (projection_dim * 2, projection_dim):
            x3 = layers.Dropout(0.1)(layers.Dense(units, activation=keras.activations.gelu)(x3))
        encoded_patches = layers.Add()([x3, x2])
    representation = layers.Dropout(0.5)(layers.Flatten()(layers.LayerNormalization(epsilon=1e-6)(encoded_patches)))
    features = representation
    for units in (32, 16):
        features = layers.Dropout(0.5)(layers.Dense(units, activation=keras.activations.gelu)(features))
    model = keras.Model(inputs=inputs, outputs=layers.Dense(10)(features))
    model.compile(
        optimizer=keras.optimizers.AdamW(learning_rate=0.001, weight_decay=0.0001),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=[
            keras.metrics.SparseCategoricalAccuracy(name="accuracy"),
            keras.metrics.SparseTopKCategoricalAccuracy(5, name="top-5-accuracy"),
        ],
    )
    return model


# ---------------------------------------------------------------------------
# examples/generative


class Sampling(layers.Layer):
    """The VAE's reparameterisation layer: draws z from (z_mean, z_log_var) with its own seed generator."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.seed_generator = keras.random.SeedGenerator(1337)

    def call(self, inputs: Any) -> Any:
        z_mean, z_log_var = inputs
        epsilon = keras.random.normal(shape=ops.shape(z_mean), seed=self.seed_generator)
        return z_mean + ops.exp(0.5 * z_log_var) * epsilon


def _vae_encoder(latent_dim: int = 2) -> Any:
    encoder_inputs = keras.Input(shape=(28, 28, 1))
    x = layers.Conv2D(8, 3, activation="relu", strides=2, padding="same")(encoder_inputs)
    x = layers.Conv2D(16, 3, activation="relu", strides=2, padding="same")(x)
    x = layers.Dense(16, activation="relu")(layers.Flatten()(x))
    z_mean = layers.Dense(latent_dim, name="z_mean")(x)
    z_log_var = layers.Dense(latent_dim, name="z_log_var")(x)
    z = Sampling()([z_mean, z_log_var])
    return keras.Model(encoder_inputs, [z_mean, z_log_var, z], name="encoder")


def _vae_decoder(latent_dim: int = 2) -> Any:
    latent_inputs = keras.Input(shape=(latent_dim,))
    x = layers.Dense(7 * 7 * 16, activation="relu")(latent_inputs)
    x = layers.Reshape((7, 7, 16))(x)
    x = layers.Conv2DTranspose(16, 3, activation="relu", strides=2, padding="same")(x)
    x = layers.Conv2DTranspose(8, 3, activation="relu", strides=2, padding="same")(x)
    return keras.Model(
        latent_inputs, layers.Conv2DTranspose(1, 3, activation="sigmoid", padding="same")(x), name="decoder"
    )


@entry(
    "vae_encoder",
    EXAMPLES + "generative/vae.py ('Build the encoder')",
    "three outputs (z_mean, z_log_var, z); a registered custom layer taking a list and drawing random numbers",
    custom=(Sampling,),
)
def vae_encoder() -> Any:
    return _vae_encoder()


@entry(
    "vae_decoder",
    EXAMPLES + "generative/vae.py ('Build the decoder')",
    "Dense to Reshape to strided Conv2DTranspose",
)
def vae_decoder() -> Any:
    return _vae_decoder()


class VAE(keras.Model):
    """vae.py's trainer: a subclassed model holding the encoder and decoder, with its own train_step."""

    def __init__(self, encoder: Any, decoder: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.encoder, self.decoder = encoder, decoder

    def call(self, inputs: Any) -> Any:
        return self.decoder(self.encoder(inputs)[2])


@entry(
    "vae_trainer",
    EXAMPLES + "generative/vae.py ('Define the VAE as a Model with a custom train_step')",
    "a subclassed keras.Model (no graph to import), compiled with Adam()",
    custom=(Sampling,),
)
def vae_trainer() -> Any:
    vae = VAE(_vae_encoder(), _vae_decoder())
    vae.compile(optimizer=keras.optimizers.Adam())
    return vae


@entry(
    "dcgan_discriminator",
    EXAMPLES + "generative/dcgan_overriding_train_step.py (discriminator)",
    "a named Sequential with LeakyReLU(negative_slope=0.2) and GlobalMaxPooling2D",
)
def dcgan_discriminator() -> Any:
    return keras.Sequential(
        [
            keras.Input(shape=(32, 32, 3)),
            layers.Conv2D(8, kernel_size=4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2D(16, kernel_size=4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2D(16, kernel_size=4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Flatten(),
            layers.Dropout(0.2),
            layers.Dense(1, activation="sigmoid"),
        ],
        name="discriminator",
    )


@entry(
    "dcgan_generator",
    EXAMPLES + "generative/dcgan_overriding_train_step.py (generator)",
    "a named Sequential from a latent vector: Dense, Reshape, strided Conv2DTranspose",
)
def dcgan_generator() -> Any:
    latent_dim = 16
    return keras.Sequential(
        [
            keras.Input(shape=(latent_dim,)),
            layers.Dense(4 * 4 * 16),
            layers.Reshape((4, 4, 16)),
            layers.Conv2DTranspose(16, kernel_size=4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2DTranspose(16, kernel_size=4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2DTranspose(16, kernel_size=4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2D(3, kernel_size=5, padding="same", activation="sigmoid"),
        ],
        name="generator",
    )


# ---------------------------------------------------------------------------
# examples/timeseries


@entry(
    "timeseries_classification_from_scratch",
    EXAMPLES + "timeseries/timeseries_classification_from_scratch.py (make_model: a fully convolutional network)",
    "Conv1D / BatchNormalization / ReLU blocks and GlobalAveragePooling1D",
)
def timeseries_classification_from_scratch() -> Any:
    input_layer = keras.layers.Input((50, 1))
    x = input_layer
    for _ in range(3):
        x = keras.layers.Conv1D(filters=8, kernel_size=3, padding="same")(x)
        x = keras.layers.BatchNormalization()(x)
        x = keras.layers.ReLU()(x)
    gap = keras.layers.GlobalAveragePooling1D()(x)
    model = keras.models.Model(inputs=input_layer, outputs=keras.layers.Dense(2, activation="softmax")(gap))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["sparse_categorical_accuracy"])
    return model


@entry(
    "timeseries_classification_transformer",
    EXAMPLES + "timeseries/timeseries_classification_transformer.py (build_model with transformer_encoder)",
    "MultiHeadAttention(x, x) with dropout, residual `x + inputs` written as Python operators, 1x1 Conv1D",
)
def timeseries_classification_transformer() -> Any:
    def transformer_encoder(inputs: Any, head_size: int, num_heads: int, ff_dim: int, dropout: float) -> Any:
        x = layers.MultiHeadAttention(key_dim=head_size, num_heads=num_heads, dropout=dropout)(inputs, inputs)
        x = layers.Dropout(dropout)(x)
        x = layers.LayerNormalization(epsilon=1e-6)(x)
        res = x + inputs
        x = layers.Conv1D(filters=ff_dim, kernel_size=1, activation="relu")(res)
        x = layers.Dropout(dropout)(x)
        x = layers.Conv1D(filters=inputs.shape[-1], kernel_size=1)(x)
        x = layers.LayerNormalization(epsilon=1e-6)(x)
        return x + res

    inputs = keras.Input(shape=(50, 1))
    x = inputs
    for _ in range(2):
        x = transformer_encoder(x, head_size=8, num_heads=2, ff_dim=4, dropout=0.25)
    x = layers.GlobalAveragePooling1D(data_format="channels_last")(x)
    x = layers.Dropout(0.4)(layers.Dense(16, activation="relu")(x))
    model = keras.Model(inputs, layers.Dense(2, activation="softmax")(x))
    model.compile(
        loss="sparse_categorical_crossentropy",
        optimizer=keras.optimizers.Adam(learning_rate=1e-4),
        metrics=["sparse_categorical_accuracy"],
    )
    return model


@entry(
    "timeseries_weather_forecasting",
    EXAMPLES + "timeseries/timeseries_weather_forecasting.py ('Training')",
    "LSTM regression; Adam(learning_rate) and loss='mse'",
)
def timeseries_weather_forecasting() -> Any:
    inputs = keras.layers.Input(shape=(12, 7))
    lstm_out = keras.layers.LSTM(8)(inputs)
    model = keras.Model(inputs=inputs, outputs=keras.layers.Dense(1)(lstm_out))
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.001), loss="mse")
    return model


@entry(
    "timeseries_anomaly_detection",
    EXAMPLES + "timeseries/timeseries_anomaly_detection.py ('Build a model': a convolutional autoencoder)",
    "a Sequential of strided Conv1D and Conv1DTranspose",
)
def timeseries_anomaly_detection() -> Any:
    model = keras.Sequential(
        [
            layers.Input(shape=(288, 1)),
            layers.Conv1D(filters=8, kernel_size=7, padding="same", strides=2, activation="relu"),
            layers.Dropout(rate=0.2),
            layers.Conv1D(filters=4, kernel_size=7, padding="same", strides=2, activation="relu"),
            layers.Conv1DTranspose(filters=4, kernel_size=7, padding="same", strides=2, activation="relu"),
            layers.Dropout(rate=0.2),
            layers.Conv1DTranspose(filters=8, kernel_size=7, padding="same", strides=2, activation="relu"),
            layers.Conv1DTranspose(filters=1, kernel_size=7, padding="same"),
        ]
    )
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.001), loss="mse")
    return model


# ---------------------------------------------------------------------------
# examples/structured_data


_VOCABULARIES = {
    "workclass": ["Private", "Self-emp", "Gov"],
    "education": ["HS-grad", "Bachelors", "Masters", "Doctorate"],
}
_NUMERIC = ["age", "hours_per_week"]


def _census_inputs() -> dict[str, Any]:
    inputs = {}
    for name in ["age", "workclass", "education", "hours_per_week"]:
        inputs[name] = layers.Input(name=name, shape=(), dtype="float32" if name in _NUMERIC else "string")
    return inputs


def _embedded(ids: Any, vocabulary_size: int) -> Any:
    return layers.Embedding(input_dim=vocabulary_size, output_dim=int(np.sqrt(vocabulary_size)))(ids)


def _encode_inputs(inputs: dict[str, Any], use_embedding: bool = False) -> Any:
    encoded = []
    for name, tensor in inputs.items():
        if name in _VOCABULARIES:
            vocabulary = _VOCABULARIES[name]
            lookup = layers.StringLookup(
                vocabulary=vocabulary,
                mask_token=None,
                num_oov_indices=0,
                output_mode="int" if use_embedding else "binary",
            )
            feature = (
                _embedded(lookup(tensor), len(vocabulary))
                if use_embedding
                else lookup(keras.ops.expand_dims(tensor, -1))
            )
        else:
            feature = keras.ops.expand_dims(tensor, -1)
        encoded.append(feature)
    return layers.concatenate(encoded)


def _census_data() -> dict[str, Any]:
    return {
        "age": np.array([39.0, 50.0], dtype="float32"),
        "workclass": np.array(["Private", "Gov"]),
        "education": np.array(["Masters", "HS-grad"]),
        "hours_per_week": np.array([40.0, 13.0], dtype="float32"),
    }


def _compile_census(model: Any) -> Any:
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=0.001),
        loss=keras.losses.SparseCategoricalCrossentropy(),
        metrics=[keras.metrics.SparseCategoricalAccuracy()],
    )
    return model


@entry(
    "wide_and_deep",
    EXAMPLES + "structured_data/wide_deep_cross_networks.py (create_wide_and_deep_model)",
    "a dict of scalar inputs (float and string), StringLookup with vocabularies, ops.expand_dims, embeddings; compiled with objects",
    data=_census_data,
)
def wide_and_deep() -> Any:
    inputs = _census_inputs()
    wide = layers.BatchNormalization()(_encode_inputs(inputs))
    deep = _encode_inputs(inputs, use_embedding=True)
    for units in (8, 8):
        deep = layers.Dropout(0.1)(layers.ReLU()(layers.BatchNormalization()(layers.Dense(units)(deep))))
    merged = layers.concatenate([wide, deep])
    return _compile_census(keras.Model(inputs=inputs, outputs=layers.Dense(units=2, activation="softmax")(merged)))


@entry(
    "deep_and_cross",
    EXAMPLES + "structured_data/wide_deep_cross_networks.py (create_deep_and_cross_model)",
    "cross layers written as `x0 * x + cross` with Python operators on dict-input features",
    data=_census_data,
)
def deep_and_cross() -> Any:
    inputs = _census_inputs()
    x0 = _encode_inputs(inputs, use_embedding=True)
    cross = x0
    for _ in range(2):
        x = layers.Dense(cross.shape[-1])(cross)
        cross = x0 * x + cross
    cross = layers.BatchNormalization()(cross)
    deep = x0
    for units in (8, 8):
        deep = layers.Dropout(0.1)(layers.ReLU()(layers.BatchNormalization()(layers.Dense(units)(deep))))
    merged = layers.concatenate([cross, deep])
    return _compile_census(keras.Model(inputs=inputs, outputs=layers.Dense(units=2, activation="softmax")(merged)))


class RecommenderNet(keras.Model):
    """collaborative_filtering_movielens's model: a subclassed keras.Model."""

    def __init__(self, num_users: int, num_movies: int, embedding_size: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.user_embedding = layers.Embedding(
            num_users,
            embedding_size,
            embeddings_initializer="he_normal",
            embeddings_regularizer=keras.regularizers.l2(1e-6),
        )
        self.user_bias = layers.Embedding(num_users, 1)
        self.movie_embedding = layers.Embedding(
            num_movies,
            embedding_size,
            embeddings_initializer="he_normal",
            embeddings_regularizer=keras.regularizers.l2(1e-6),
        )
        self.movie_bias = layers.Embedding(num_movies, 1)

    def call(self, inputs: Any) -> Any:
        user_vector = self.user_embedding(inputs[:, 0])
        movie_vector = self.movie_embedding(inputs[:, 1])
        x = (
            ops.sum(user_vector * movie_vector, axis=1, keepdims=True)
            + self.user_bias(inputs[:, 0])
            + self.movie_bias(inputs[:, 1])
        )
        return ops.sigmoid(x)


@entry(
    "collaborative_filtering_movielens",
    EXAMPLES + "structured_data/collaborative_filtering_movielens.py (RecommenderNet)",
    "a subclassed keras.Model: no functional graph to import",
)
def collaborative_filtering_movielens() -> Any:
    model = RecommenderNet(20, 30, 8)
    model(np.zeros((1, 2), dtype="int32"))
    model.compile(loss=keras.losses.BinaryCrossentropy(), optimizer=keras.optimizers.Adam(learning_rate=0.001))
    return model


# ---------------------------------------------------------------------------
# examples/rl


@entry(
    "actor_critic_cartpole",
    EXAMPLES + "rl/actor_critic_cartpole.py ('Implement Actor Critic network')",
    "one hidden layer feeding two outputs (actor softmax, critic value); not compiled",
)
def actor_critic_cartpole() -> Any:
    inputs = layers.Input(shape=(4,))
    common = layers.Dense(32, activation="relu")(inputs)
    action = layers.Dense(2, activation="softmax")(common)
    critic = layers.Dense(1)(common)
    return keras.Model(inputs=inputs, outputs=[action, critic])


@entry(
    "ddpg_actor",
    EXAMPLES + "rl/ddpg_pendulum.py (get_actor)",
    "a RandomUniform initializer object; the output scaled by a NumPy float32 constant (`outputs * upper_bound`)",
)
def ddpg_actor() -> Any:
    upper_bound = np.float32(2.0)  # env.action_space.high[0] in the example
    last_init = keras.initializers.RandomUniform(minval=-0.003, maxval=0.003)
    inputs = layers.Input(shape=(3,))
    out = layers.Dense(32, activation="relu")(inputs)
    out = layers.Dense(32, activation="relu")(out)
    outputs = layers.Dense(1, activation="tanh", kernel_initializer=last_init)(out)
    return keras.Model(inputs, outputs * upper_bound)


@entry(
    "ddpg_critic",
    EXAMPLES + "rl/ddpg_pendulum.py (get_critic)",
    "state and action inputs through separate Dense stacks, joined by Concatenate",
)
def ddpg_critic() -> Any:
    state_input = layers.Input(shape=(3,))
    state_out = layers.Dense(32, activation="relu")(layers.Dense(16, activation="relu")(state_input))
    action_input = layers.Input(shape=(1,))
    action_out = layers.Dense(32, activation="relu")(action_input)
    concat = layers.Concatenate()([state_out, action_out])
    out = layers.Dense(32, activation="relu")(layers.Dense(32, activation="relu")(concat))
    return keras.Model([state_input, action_input], layers.Dense(1)(out))


@entry(
    "deep_q_network_breakout",
    EXAMPLES + "rl/deep_q_network_breakout.py (create_q_model)",
    "a Sequential that starts with a Lambda layer (transpose to channels-last) and input_shape= on it",
)
def deep_q_network_breakout() -> Any:
    return keras.Sequential(
        [
            layers.Lambda(
                lambda tensor: keras.ops.transpose(tensor, [0, 2, 3, 1]),
                output_shape=(84, 84, 4),
                input_shape=(4, 84, 84),
            ),
            layers.Conv2D(8, 8, strides=4, activation="relu"),
            layers.Conv2D(16, 4, strides=2, activation="relu"),
            layers.Conv2D(16, 3, strides=1, activation="relu"),
            layers.Flatten(),
            layers.Dense(32, activation="relu"),
            layers.Dense(4, activation="linear"),
        ]
    )


# ---------------------------------------------------------------------------
# examples/vision: siamese networks


def _contrastive_loss(margin: float = 1.0) -> Any:
    def contrastive_loss(y_true: Any, y_pred: Any) -> Any:
        square_pred = ops.square(y_pred)
        margin_square = ops.square(ops.maximum(margin - y_pred, 0))
        return ops.mean((1 - y_true) * square_pred + y_true * margin_square)

    return contrastive_loss


def _euclidean_distance(vects: Any) -> Any:
    x, y = vects
    return ops.sqrt(ops.maximum(ops.sum(ops.square(x - y), axis=1, keepdims=True), keras.backend.epsilon()))


@entry(
    "siamese_contrastive",
    EXAMPLES + "vision/siamese_contrastive.py (embedding network shared by two towers, Lambda distance)",
    "a shared nested model on two inputs merged by a Lambda layer; a closure as the loss",
)
def siamese_contrastive() -> Any:
    inp = keras.layers.Input((28, 28, 1))
    x = keras.layers.BatchNormalization()(inp)
    x = keras.layers.AveragePooling2D(pool_size=(2, 2))(keras.layers.Conv2D(4, (5, 5), activation="tanh")(x))
    x = keras.layers.AveragePooling2D(pool_size=(2, 2))(keras.layers.Conv2D(8, (5, 5), activation="tanh")(x))
    x = keras.layers.BatchNormalization()(keras.layers.Flatten()(x))
    embedding_network = keras.Model(inp, keras.layers.Dense(10, activation="tanh")(x))
    input_1, input_2 = keras.layers.Input((28, 28, 1)), keras.layers.Input((28, 28, 1))
    merge_layer = keras.layers.Lambda(_euclidean_distance, output_shape=(1,))(
        [embedding_network(input_1), embedding_network(input_2)]
    )
    output_layer = keras.layers.Dense(1, activation="sigmoid")(keras.layers.BatchNormalization()(merge_layer))
    siamese = keras.Model(inputs=[input_1, input_2], outputs=output_layer)
    siamese.compile(loss=_contrastive_loss(margin=1), optimizer="RMSprop", metrics=["accuracy"])
    return siamese


class DistanceLayer(layers.Layer):
    """siamese_network's layer: squared distances anchor-positive and anchor-negative, returned as a tuple."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)

    def call(self, anchor: Any, positive: Any, negative: Any) -> Any:
        return ops.sum(ops.square(anchor - positive), -1), ops.sum(ops.square(anchor - negative), -1)


@entry(
    "siamese_triplet_resnet50",
    EXAMPLES + "vision/siamese_network.py (embedding on ResNet50, DistanceLayer on three preprocessed inputs)",
    "resnet.preprocess_input (a constant mean) on three inputs, one embedding model called three times, per-layer trainable in an application, a custom layer returning a tuple",
    custom=(DistanceLayer,),
    slow=True,
)
def siamese_triplet_resnet50() -> Any:
    from keras.applications import resnet

    target_shape = (32, 32)
    base_cnn = resnet.ResNet50(weights=None, input_shape=(*target_shape, 3), include_top=False)
    dense1 = layers.BatchNormalization()(layers.Dense(64, activation="relu")(layers.Flatten()(base_cnn.output)))
    dense2 = layers.BatchNormalization()(layers.Dense(32, activation="relu")(dense1))
    embedding = keras.Model(base_cnn.input, layers.Dense(16)(dense2), name="Embedding")
    trainable = False
    for layer in base_cnn.layers:
        trainable = trainable or layer.name == "conv5_block1_out"
        layer.trainable = trainable
    anchor_input = layers.Input(name="anchor", shape=(*target_shape, 3))
    positive_input = layers.Input(name="positive", shape=(*target_shape, 3))
    negative_input = layers.Input(name="negative", shape=(*target_shape, 3))
    distances = DistanceLayer()(
        embedding(resnet.preprocess_input(anchor_input)),
        embedding(resnet.preprocess_input(positive_input)),
        embedding(resnet.preprocess_input(negative_input)),
    )
    return keras.Model(inputs=[anchor_input, positive_input, negative_input], outputs=distances)


# ---------------------------------------------------------------------------
# examples/keras_recipes


@keras.saving.register_keras_serializable(package="corpus_recipes")
class Antirectifier(layers.Layer):
    """keras_recipes/antirectifier.py: concatenates the positive and negative parts of centred inputs, with an initializer argument."""

    def __init__(self, initializer: Any = "he_normal", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.initializer = keras.initializers.get(initializer)

    def build(self, input_shape: Any) -> None:
        output_dim = input_shape[-1]
        self.kernel = self.add_weight(
            shape=(output_dim * 2, output_dim), initializer=self.initializer, name="kernel", trainable=True
        )

    def call(self, inputs: Any) -> Any:
        inputs -= ops.mean(inputs, axis=-1, keepdims=True)
        concatenated = ops.concatenate([ops.relu(inputs), ops.relu(-inputs)], axis=-1)
        return ops.matmul(concatenated, self.kernel)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "initializer": keras.initializers.serialize(self.initializer)}


@entry(
    "antirectifier",
    EXAMPLES + "keras_recipes/antirectifier.py",
    "a registered custom layer whose argument is an initializer object, in a Sequential; loss and metric objects",
    custom=(Antirectifier,),
)
def antirectifier() -> Any:
    model = keras.Sequential(
        [
            keras.Input(shape=(784,)),
            layers.Dense(32),
            Antirectifier(),
            layers.Dense(32),
            Antirectifier(),
            layers.Dropout(0.5),
            layers.Dense(10),
        ]
    )
    model.compile(
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        optimizer=keras.optimizers.RMSprop(),
        metrics=[keras.metrics.SparseCategoricalAccuracy()],
    )
    return model


class EndpointLogistic(layers.Layer):
    """keras_recipes/endpoint_layer_pattern.py's LogisticEndpoint: ``call(logits, targets=None, sample_weight=None)``."""

    def __init__(self, name: str | None = None) -> None:
        super().__init__(name=name)
        self.loss_fn = keras.losses.BinaryCrossentropy(from_logits=True)

    def call(self, logits: Any, targets: Any = None, sample_weight: Any = None) -> Any:
        if targets is not None:
            self.add_loss(self.loss_fn(targets, logits, sample_weight))
        return ops.softmax(logits)


@entry(
    "endpoint_layer_pattern",
    EXAMPLES + "keras_recipes/endpoint_layer_pattern.py ('Model' with inputs, targets and sample_weight)",
    "a custom layer called on three tensors (logits, targets, sample_weight); compiled with an optimizer alone",
    custom=(EndpointLogistic,),
)
def endpoint_layer_pattern() -> Any:
    inputs = keras.Input((16,), name="inputs")
    logits = keras.layers.Dense(1)(inputs)
    targets = keras.Input((1,), name="targets")
    sample_weight = keras.Input((1,), name="sample_weight")
    preds = EndpointLogistic()(logits, targets, sample_weight)
    model = keras.Model([inputs, targets, sample_weight], preds)
    model.compile(optimizer="adam")
    return model
