"""graphspec.importer: Keras models → minimal specs that build back to the same model."""

from __future__ import annotations

import gc
import glob
import json
import os
import warnings
from collections.abc import Iterator
from pathlib import Path

import keras
import numpy as np
import pytest
from keras import layers, ops

import graphspec
from graphspec import SpecError
from graphspec.diff import diff_specs, normalise
from graphspec.importer import application, from_keras, load_any
from tests.fidelity import check_round_trip


@pytest.fixture(autouse=True)
def _isolated() -> Iterator[None]:
    """Take out what a test (or the importer, for Keras' application layers) registered, since the
    registry is global, and free the test's Keras models, which would otherwise pile up in the run."""
    before = set(graphspec.catalog.registered_layers())
    yield
    for name in set(graphspec.catalog.registered_layers()) - before:
        graphspec.unregister_layer(name)
    keras.backend.clear_session()
    gc.collect()


SPECS = sorted(
    Path(p) for p in glob.glob(os.path.join(os.path.dirname(__file__), "..", "specs", "**", "*.yaml"), recursive=True)
)


# ---------------------------------------------------------------------------
# spec → model → spec is a fixed point


@pytest.mark.parametrize(
    "path", SPECS, ids=lambda p: os.path.relpath(p, os.path.join(os.path.dirname(__file__), "..", "specs"))
)
def test_every_gallery_spec_is_a_fixed_point(path: Path) -> None:
    spec = graphspec.load(path)
    built = graphspec.build_models(spec)  # the spec's own model, and those of its `models:`
    again = from_keras(built.pop(spec.name), models=built or None)
    got, expected = normalise(again), normalise(spec)
    if path.parent.name == "tuned":
        # Search templates spell out every argument a search may set (`beta_1: 0.9`, Keras' default, as
        # written) and carry `fit:`; a Keras model keeps neither, so for them the model itself is compared.
        for data in (got, expected):
            data.pop("compile", None)
            data.pop("fit", None)
    assert got == expected, diff_specs(spec, again).render()


def test_normalisation_renames_shares_as_the_importer_names_them() -> None:
    spec = graphspec.load(Path(__file__).parent.parent / "specs" / "seed" / "siamese_lstm.yaml")
    again = from_keras(graphspec.build(spec))
    assert again.nodes["left_enc_call1"].share == "left_enc"
    assert "right_enc" not in again.nodes


# ---------------------------------------------------------------------------
# model → spec → model keeps the model (tests/fidelity.py says what "same" means)


def test_multi_input_multi_output_with_shared_layer() -> None:
    a, b = keras.Input((8,), name="a"), keras.Input((8,), name="b")
    shared = layers.Dense(4, activation="tanh", name="shared")
    merged = layers.Concatenate(name="merged")([shared(a), shared(b)])
    score = layers.Dense(1, activation="sigmoid", name="score")(merged)
    klass = layers.Dense(
        3,
        activation="softmax",
        name="klass",
        kernel_initializer=keras.initializers.HeNormal(seed=3),
        kernel_regularizer=keras.regularizers.L2(0.02),
    )(merged)
    spec = check_round_trip(keras.Model([a, b], [score, klass], name="two_heads"))
    assert list(spec.inputs) == ["a", "b"] and list(spec.outputs) == ["score", "klass"]
    assert spec.nodes["shared_call1"].share == "shared" and spec.nodes["shared_call1"].inputs == ["b"]
    assert spec.nodes["klass"].args == {
        "units": 3,
        "activation": "softmax",
        "kernel_initializer": {"class_name": "HeNormal", "config": {"seed": 3}},
        "kernel_regularizer": {"class_name": "L2", "config": {"l2": 0.02}},
    }
    assert spec.nodes["merged"].args == {}  # axis -1 is Concatenate's default


def test_shared_layer_keeps_one_set_of_weights() -> None:
    x, y = keras.Input((5,), name="x"), keras.Input((5,), name="y")
    dense = layers.Dense(2, name="dense")
    model = keras.Model([x, y], layers.Add(name="sum")([dense(x), dense(y)]))
    rebuilt = graphspec.build(check_round_trip(model), compile=False)
    assert rebuilt.count_params() == 12
    assert sum(1 for layer in rebuilt.layers if isinstance(layer, layers.Dense)) == 1


def test_minimal_arguments_drop_derived_and_widened_values() -> None:
    x = keras.Input((32, 32, 3), name="image")
    h = layers.Conv2D(8, (3, 3), strides=(2, 2), padding="same", name="conv")(x)
    h = layers.MaxPooling2D((3, 3), name="pool")(h)  # strides default to pool_size: not written
    h = layers.ZeroPadding2D(((0, 1), (0, 1)), name="pad")(h)
    spec = check_round_trip(keras.Model(x, layers.GlobalAveragePooling2D(name="gap")(h)))
    assert spec.nodes["conv"].args == {"filters": 8, "kernel_size": 3, "strides": 2, "padding": "same"}
    assert spec.nodes["pool"].args == {"pool_size": 3}
    assert spec.nodes["pad"].args == {"padding": [[0, 1], [0, 1]]}


def test_arrays_in_configs_are_plain_lists() -> None:
    x = keras.Input((3,), name="x")
    h = layers.Normalization(mean=[1.0, 2.0, 3.0], variance=[1.0, 4.0, 9.0], name="norm")(x)
    h = layers.Rescaling([0.5, 0.25, 2.0], offset=1.0, name="scale")(h)
    spec = check_round_trip(keras.Model(x, layers.Dense(2, name="y")(h)))
    assert spec.nodes["norm"].args == {"mean": [1.0, 2.0, 3.0], "variance": [1.0, 4.0, 9.0]}
    assert spec.nodes["scale"].args == {"scale": [0.5, 0.25, 2.0], "offset": 1.0}


def test_wrappers_states_and_attention() -> None:
    x = keras.Input((None, 6), name="seq")
    h = layers.Bidirectional(layers.LSTM(4, return_sequences=True), name="bi")(x)
    h = layers.TimeDistributed(layers.Dense(5), name="td")(h)
    seq, state_h, state_c = layers.LSTM(3, return_sequences=True, return_state=True, name="enc")(h)
    att = layers.MultiHeadAttention(num_heads=2, key_dim=4, name="mha")(seq, seq)
    pooled = layers.GlobalAveragePooling1D(name="pool")(att)
    out = layers.Concatenate(name="cat")([pooled, state_h, state_c])
    rnn = layers.RNN(layers.GRUCell(2), name="rnn")(h)
    spec = check_round_trip(keras.Model(x, [out, rnn]))
    assert spec.nodes["bi"].args == {"wraps": {"layer": "LSTM", "units": 4, "return_sequences": True}}
    assert spec.nodes["cat"].inputs == ["pool", "enc:1", "enc:2"]
    assert spec.nodes["mha"].inputs == ["enc:0", "enc:0"]
    assert spec.nodes["rnn"].args == {"cell": {"layer": "GRUCell", "units": 2}}


def test_keras_ops_on_symbolic_tensors_become_op_nodes() -> None:
    x = keras.Input((4, 6), name="x")
    doubled = ops.multiply(x, 2.0)
    joined = ops.concatenate([doubled, x], axis=1)
    spec = check_round_trip(keras.Model(x, [ops.sum(joined, axis=-1), x + 1.0]))
    by_op = {node.op: (name, node) for name, node in spec.nodes.items()}  # ops get automatic names
    assert sorted(by_op) == ["add", "concatenate", "multiply", "sum"]
    assert by_op["multiply"][1].args == {"x2": 2.0} and by_op["add"][1].args == {"x2": 1.0}
    assert by_op["concatenate"][1].inputs == [by_op["multiply"][0], "x"] and by_op["concatenate"][1].args == {"axis": 1}


def test_nested_sequential_and_functional_models() -> None:
    encoder = keras.Sequential(
        [keras.Input((8,)), layers.Dense(4, name="d1"), layers.Dense(2, name="d2")], name="encoder"
    )
    i = keras.Input((8,), name="i")
    heads = keras.Model(i, [layers.Dense(3, name="p")(i), layers.Dense(1, name="q")(i)], name="heads")
    a, b = keras.Input((8,), name="a"), keras.Input((8,), name="b")
    p, q = heads(a)
    out = layers.Concatenate(name="cat")([encoder(a), encoder(b), p, q])
    spec = check_round_trip(keras.Model([a, b], out))
    enc = spec.nodes["encoder"].model
    assert enc is not None and enc.sequential and list(enc.nodes) == ["d1", "d2"]
    assert spec.nodes["encoder_call1"].share == "encoder"
    assert spec.nodes["cat"].inputs == ["encoder", "encoder_call1", "heads:0", "heads:1"]
    rebuilt = graphspec.build(spec, compile=False)
    assert type(rebuilt.get_layer("encoder")) is keras.Sequential


def test_top_level_sequential_becomes_a_flat_spec() -> None:
    model = keras.Sequential(
        [
            keras.Input((5,), name="features"),
            layers.Dense(3, activation="relu", name="h"),
            layers.Dropout(0.2, name="drop"),
            layers.Dense(1, name="y"),
        ],
        name="seq",
    )
    spec = check_round_trip(model)
    assert list(spec.nodes) == ["h", "drop", "y"] and list(spec.outputs) == ["y"]
    assert all(node.model is None for node in spec.nodes.values())


@keras.saving.register_keras_serializable(package="graphspec_tests")
class Scale(layers.Layer):
    def __init__(self, factor: float = 2.0, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, x: object) -> object:
        return x * self.factor

    def get_config(self) -> dict[str, object]:
        return {**super().get_config(), "factor": self.factor}


def _scaled_model() -> object:
    x = keras.Input((4,), name="x")
    return keras.Model(x, layers.Dense(2, name="y")(Scale(3.0, name="scale")(x)))


def test_registered_custom_layer_is_imported_by_its_registered_name() -> None:
    graphspec.register_layer(Scale, "TimesFactor")
    spec = check_round_trip(_scaled_model())
    assert spec.nodes["scale"].layer == "TimesFactor" and spec.nodes["scale"].args == {"factor": 3.0}


def test_unregistered_custom_layer_names_the_class_and_the_fix() -> None:
    with pytest.raises(SpecError) as err:
        from_keras(_scaled_model())
    (diag,) = err.value.diagnostics
    assert diag.code.value == "unregistered-layer"
    assert "'scale'" in diag.message and "test_importer.Scale" in diag.message
    assert diag.hint == "register it before importing: graphspec.register_layer(Scale)"


def test_lambda_and_subclassed_models_are_refused() -> None:
    x = keras.Input((2,), name="x")
    with pytest.raises(SpecError) as err:
        from_keras(keras.Model(x, layers.Lambda(lambda t: t * 2, name="lam")(x)))
    assert err.value.codes == ["unsupported-model"] and "Lambda" in str(err.value)

    class Sub(keras.Model):
        def call(self, t: object) -> object:
            return t

    with pytest.raises(SpecError) as err:
        from_keras(Sub())
    assert err.value.codes == ["unsupported-model"] and "subclassed" in str(err.value)


def test_keras_application_layers_are_allow_listed() -> None:
    from keras.src.applications.convnext import LayerScale

    x = keras.Input((4, 4, 8), name="x")
    spec = check_round_trip(keras.Model(x, LayerScale(1e-6, 8, name="scale")(x)))
    assert spec.nodes["scale"].layer == "LayerScale"
    assert graphspec.catalog.registered_layers()["LayerScale"] is LayerScale


def test_compiled_multi_output_model_keeps_its_compile_config() -> None:
    x = keras.Input((6,), name="x")
    h = layers.Dense(8, activation="relu", name="h")(x)
    model = keras.Model(x, [layers.Dense(1, name="age")(h), layers.Dense(3, activation="softmax", name="kind")(h)])
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=1e-4),
        loss={"age": "mse", "kind": keras.losses.CategoricalCrossentropy(label_smoothing=0.1)},
        loss_weights={"age": 0.25, "kind": 1.0},
        metrics={"age": ["mae"], "kind": ["accuracy", keras.metrics.AUC(num_thresholds=50)]},
    )
    spec = from_keras(model)
    assert spec.outputs["age"].to_data() == {"loss": "mse", "loss_weight": 0.25, "metrics": ["mae"]}
    assert spec.outputs["kind"].to_data() == {
        "loss": {"class_name": "CategoricalCrossentropy", "config": {"label_smoothing": 0.1}},
        "metrics": ["accuracy", {"class_name": "AUC", "config": {"num_thresholds": 50}}],
    }
    assert spec.compile is not None and spec.compile.optimizer == {
        "class_name": "Adam",
        "config": {"learning_rate": 0.0001},
    }
    rebuilt = graphspec.build(spec)
    assert rebuilt.optimizer.learning_rate.numpy() == pytest.approx(1e-4)
    assert rebuilt.get_compile_config()["loss_weights"] == {"age": 0.25, "kind": 1.0}


def test_dotted_keras_names_come_back_as_scoped_node_names() -> None:
    x = keras.Input((4,), name="x")
    model = keras.Model(x, layers.Dense(2, name="y")(layers.Dense(3, name="stage1.block1.fc")(x)))
    spec = check_round_trip(model)
    assert "stage1/block1/fc" in spec.nodes


def test_keras_names_that_are_no_node_names_are_kept_as_keras_name() -> None:
    """Was: sanitised with a warning, and the layer no longer loaded its weights by name."""
    x = keras.Input((4,), name="1st_input")
    h = layers.Dense(3, name="block.0.dense")(layers.Dense(3, name="7>8")(x))
    model = keras.Model(x, layers.Dense(2, name="y")(h), name="my-model.v2")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        spec = check_round_trip(model)  # same layer names, so weights load by name
    assert spec.name == "my-model_v2" and spec.nodes["y"].inputs == ["block_0_dense"]
    assert spec.nodes["block_0_dense"].keras_name == "block.0.dense" and spec.nodes["_7_8"].keras_name == "7>8"
    assert spec.inputs["_1st_input"].keras_name == "1st_input"


def test_any_name_keras_accepts_still_loads_weights_by_name() -> None:
    x = keras.Input((4,), name="x")
    model = keras.Model(x, layers.Dense(2, name="y")(layers.Dense(3, name="dense 1")(x)))
    spec = from_keras(model)
    assert spec.nodes["dense_1"].keras_name == "dense 1"
    rebuilt = graphspec.build(spec, compile=False)
    assert sorted(layer.name for layer in rebuilt.layers) == sorted(layer.name for layer in model.layers)
    rebuilt.get_layer("dense 1").set_weights(model.get_layer("dense 1").get_weights())


# ---------------------------------------------------------------------------
# sources: .keras files (safe mode), Keras JSON


def test_keras_file_and_json_sources(tmp_path: object) -> None:
    x = keras.Input((4,), name="x")
    model = keras.Model(x, layers.Dense(2, activation="relu", name="y")(x), name="small")
    path = Path(str(tmp_path), "small.keras")
    model.save(path)
    expected = normalise(from_keras(model))
    assert normalise(from_keras(path)) == expected
    assert normalise(from_keras(model.to_json())) == expected
    json_path = Path(str(tmp_path), "small.json")
    with open(json_path, "w", encoding="utf-8") as handle:
        handle.write(model.to_json())
    assert normalise(load_any(json_path)) == expected
    assert normalise(from_keras(json.loads(model.to_json()))) == expected


def test_json_with_a_lambda_is_refused_by_safe_mode() -> None:
    x = keras.Input((2,), name="x")
    text = keras.Model(x, layers.Lambda(lambda t: t + 1, name="lam")(x)).to_json()
    with pytest.raises(SpecError) as err:
        from_keras(text)
    assert err.value.codes == ["bad-model"] and "safe" in str(err.value).lower()


def test_missing_and_unknown_sources() -> None:
    with pytest.raises(SpecError) as err:
        from_keras(Path("/nonexistent/model.keras"))
    assert err.value.codes == ["io-error"]
    with pytest.raises(SpecError) as err:  # a str is Keras JSON text, never a file name
        from_keras("/nonexistent/model.keras")
    assert err.value.codes == ["bad-model"] and "pathlib.Path" in err.value.diagnostics[0].hint
    with pytest.raises(SpecError) as err:
        application("ResNet49")
    assert err.value.codes == ["bad-model"] and "ResNet50" in str(err.value)


# ---------------------------------------------------------------------------
# keras.applications (weights=None); the big ones are slow


def _app(name: str, **kwargs: object) -> object:
    return getattr(keras.applications, name)(weights=None, **kwargs)


def test_mobilenet_v2_small_input() -> None:
    spec = check_round_trip(_app("MobileNetV2", input_shape=(96, 96, 3), alpha=0.35))
    assert spec.nodes["Conv1"].args == {
        "filters": 16,
        "kernel_size": 3,
        "strides": 2,
        "padding": "same",
        "use_bias": False,
    }


def test_efficientnet_b0_small_input() -> None:
    spec = check_round_trip(_app("EfficientNetB0", input_shape=(64, 64, 3)))
    normalization = next(n for n in spec.nodes.values() if n.layer == "Normalization")
    assert normalization.args == {"axis": 3}  # [3] once built; 3 builds the same layer


@pytest.mark.slow
@pytest.mark.parametrize(
    "name", ["ResNet50", "MobileNetV2", "InceptionV3", "DenseNet121", "EfficientNetB0", "ConvNeXtTiny", "NASNetMobile"]
)
def test_application_round_trips(name: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        spec = check_round_trip(_app(name))
    assert spec.to_yaml().count("\n") < 2500


@pytest.mark.slow
def test_resnet50_spec_is_a_small_fraction_of_keras_json() -> None:
    model = _app("ResNet50")
    spec = from_keras(model)
    assert len(spec.to_yaml()) < 0.2 * len(json.dumps(json.loads(model.to_json()), indent=2))
    assert np.isclose(graphspec.build(spec, compile=False).count_params(), model.count_params())


# ---------------------------------------------------------------------------
# the command


def test_cli_import_writes_a_spec_that_builds_the_same_model(
    tmp_path: object, capsys: pytest.CaptureFixture[str]
) -> None:
    from graphspec.cli import main

    x = keras.Input((4,), name="x")
    model = keras.Model(x, layers.Dense(2, activation="relu", name="y")(layers.Dense(3, name="h")(x)), name="small")
    model.compile(optimizer="adam", loss="mse")
    source = os.path.join(str(tmp_path), "small.keras")
    model.save(source)
    out = os.path.join(str(tmp_path), "small.yaml")
    assert main(["import", source, "-o", out]) == 0
    assert capsys.readouterr().out == f"wrote {out}: 2 nodes\n"
    assert sorted(os.listdir(str(tmp_path))) == ["small.keras", "small.yaml"]  # no temporary file left
    spec = graphspec.load(Path(out))
    assert spec.outputs["y"].loss == "mse" and spec.compile is not None and spec.compile.optimizer == "adam"
    assert main(["diff", source, out]) == 0
    assert capsys.readouterr().out == "no semantic differences\n"
    assert main(["import", source, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["nodes"]["h"] == {"layer": "Dense", "inputs": "x", "units": 3}


def test_cli_import_usage_and_refusals(tmp_path: object, capsys: pytest.CaptureFixture[str]) -> None:
    from graphspec.cli import main

    assert main(["import"]) == 2
    assert "either SOURCE or --application" in capsys.readouterr().err
    assert main(["import", "--application", "ResNet49"]) == 2
    assert "did you mean 'ResNet50'" in capsys.readouterr().err
    assert main(["import", "x.keras", "--application", "MobileNet"]) == 2
    app = os.path.join(str(tmp_path), "mobilenet.json")
    assert main(["import", "--application", "MobileNet", "-o", app]) == 0
    with open(app, encoding="utf-8") as handle:
        conv1 = json.load(handle)["nodes"]["conv1"]
    assert conv1["inputs"].startswith("input_layer")  # an automatic, session-numbered name
    assert {k: v for k, v in conv1.items() if k != "inputs"} == {
        "layer": "Conv2D",
        "filters": 32,
        "kernel_size": 3,
        "strides": 2,
        "padding": "same",
        "use_bias": False,
    }
    assert main(["import", os.path.join(str(tmp_path), "missing.keras")]) == 2
    source = os.path.join(str(tmp_path), "scaled.json")
    with open(source, "w", encoding="utf-8") as handle:
        handle.write(_scaled_model().to_json())
    out = os.path.join(str(tmp_path), "scaled.yaml")
    assert main(["import", source, "-o", out]) == 1
    assert "unregistered-layer" in capsys.readouterr().err
    assert not os.path.exists(out)


# ---------------------------------------------------------------------------
# review fixes


def test_a_sanitised_name_does_not_take_a_later_layers_own_name() -> None:
    x = keras.Input((4,), name="x")
    model = keras.Model(x, layers.Dense(4, name="a_b")(layers.Dense(4, name="a>b")(x)))
    spec = check_round_trip(model)
    assert spec.nodes["a_b"].inputs != ["x"]  # the node named a_b is Keras' a_b, so its weights load by name
    assert spec.nodes["a_b"].inputs == [next(n for n in spec.nodes if n != "a_b")]


def test_a_model_output_that_is_an_input_passes_straight_through() -> None:
    """Was: the output got an Identity layer and another name (`input2` became `input2_2`)."""
    x = keras.Input((4,), name="x")
    spec = check_round_trip(keras.Model(x, [layers.Dense(3, name="d")(x), x]))
    assert list(spec.outputs) == ["d", "x"] and spec.outputs["x"].from_ is None
    rebuilt = graphspec.build(spec, compile=False)
    assert [layer.name for layer in rebuilt.layers] == ["x", "d"] and rebuilt.output_names == ["d", "x"]
    data = np.ones((2, 4), "float32")
    assert np.array_equal(rebuilt.predict(data, verbose=0)[1], data)


@pytest.mark.parametrize("text", ['{"a": 1}', "[1, 2]"])
def test_json_that_is_not_a_model_is_a_bad_model(text: str, tmp_path: object) -> None:
    path = os.path.join(str(tmp_path), "config.json")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    for source in (path, text) if text.startswith("{") else (path,):
        with pytest.raises(SpecError) as err:
            from_keras(source)
        assert err.value.codes == ["bad-model"]


def test_masks_keras_passes_on_by_itself_are_not_inputs() -> None:
    x = keras.Input((5,), name="x", dtype="int32")
    h = layers.Embedding(10, 4, mask_zero=True, name="emb")(x)
    h = layers.LSTM(3, return_sequences=True, name="lstm")(h)
    pooled = layers.GlobalAveragePooling1D(name="pool")(h)
    spec = check_round_trip(keras.Model(x, layers.Dense(2, name="y")(pooled)))
    assert list(spec.nodes) == ["emb", "lstm", "pool", "y"] and spec.nodes["lstm"].inputs == ["emb"]


def test_an_explicit_mask_is_a_call_argument() -> None:
    """Was: refused as "called with keyword arguments 'mask'"."""
    x = keras.Input((5, 4), name="x")
    mask = keras.Input((5,), name="m", dtype="bool")
    spec = check_round_trip(keras.Model([x, mask], layers.LSTM(3, name="lstm")(x, mask=mask)))
    assert spec.nodes["lstm"].inputs == ["x"] and spec.nodes["lstm"].call == {"mask": "m"}
