"""The model zoo: each spec in ``specs/zoo/`` equals its keras.applications model.

"Equal" is checked three ways: the same parameter count (a literal figure), the
same multiset of layer classes, and the same predictions once the application's
weights are copied into the spec's model layer by layer, in layer order (which
also proves the two graphs are wired alike). Each application is built once per
module. Also: line budgets, ``--set`` families, and scoped names in Keras.
"""

from __future__ import annotations

import io
import os
import re
from collections import Counter
from collections.abc import Callable
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras

import graphspec
from graphspec.cli import main
from graphspec.spec import keras_name, node_name

ZOO = Path(__file__).resolve().parents[1] / "specs" / "zoo"

# file → (application, parameter count, most lines that are not blank or comments)
APPLICATIONS: dict[str, tuple[Callable[..., Any], int, int]] = {
    "resnet50.yaml": (keras.applications.ResNet50, 25_636_712, 120),
    "inception_v3.yaml": (keras.applications.InceptionV3, 23_851_784, 200),
    "mobilenet_v2.yaml": (keras.applications.MobileNetV2, 3_538_984, 120),
}


def spec_lines(path: Path) -> int:
    return sum(
        1 for line in path.read_text(encoding="utf-8").splitlines() if line.strip() and not line.strip().startswith("#")
    )


@pytest.fixture(scope="module", params=sorted(APPLICATIONS))
def pair(request: pytest.FixtureRequest) -> tuple[str, Any, Any]:
    """(file, the spec's model, the application), each built once per module."""
    file = request.param
    keras.utils.set_random_seed(0)
    ours = graphspec.build(ZOO / file, compile=False)
    theirs = APPLICATIONS[file][0](weights=None)
    return file, ours, theirs


def test_same_parameter_count_and_layer_classes(pair: tuple[str, Any, Any]) -> None:
    file, ours, theirs = pair
    assert ours.count_params() == theirs.count_params() == APPLICATIONS[file][1]
    assert Counter(type(layer).__name__ for layer in ours.layers) == Counter(
        type(layer).__name__ for layer in theirs.layers
    )
    static = graphspec.validate(ZOO / file).inference.total_params
    assert static == APPLICATIONS[file][1]


def test_same_predictions_with_the_applications_weights(pair: tuple[str, Any, Any]) -> None:
    _, ours, theirs = pair
    mine = [layer for layer in ours.layers if layer.weights]
    reference = [layer for layer in theirs.layers if layer.weights]
    assert len(mine) == len(reference)
    for a, b in zip(mine, reference, strict=True):
        assert type(a) is type(b), (a.name, b.name)
        assert [w.shape for w in a.weights] == [w.shape for w in b.weights], (a.name, b.name)
        a.set_weights(b.get_weights())
    x = np.random.default_rng(0).random((2, *theirs.input_shape[1:]), dtype=np.float32)
    expected = theirs(x, training=False)
    got = ours(x, training=False)
    assert np.abs(np.asarray(got) - np.asarray(expected)).max() <= 1e-4


@pytest.mark.parametrize("file", sorted(APPLICATIONS))
def test_specs_fit_their_line_budget(file: str) -> None:
    assert spec_lines(ZOO / file) <= APPLICATIONS[file][2]


def test_transformer_fits_its_line_budget_and_repeats_one_encoder_block() -> None:
    path = ZOO / "transformer_classifier.yaml"
    assert spec_lines(path) <= 80
    spec = graphspec.expand(path)
    layers = {n.split("/")[1] for n in spec.nodes if n.startswith("encoder/")}
    assert layers == {"block1", "block2"}
    assert {spec.nodes[f"encoder/block1/{n}"].layer for n in ("attention", "norm1", "residual1", "ff1")} == {
        "MultiHeadAttention",
        "LayerNormalization",
        "Add",
        "Dense",
    }


def test_set_overrides_change_the_parameter_count_as_expected() -> None:
    path = ZOO / "mobilenet_v2.yaml"
    for alpha in (0.5, 1.4):
        ours = graphspec.validate(path, params={"alpha": alpha}).inference.total_params
        assert ours == keras.applications.MobileNetV2(weights=None, alpha=alpha).count_params()
    transformer = ZOO / "transformer_classifier.yaml"
    counts = [graphspec.validate(transformer, params={"layers": n}).inference.total_params for n in (1, 2, 3)]
    d, ff = 64, 128
    per_layer = (4 * d * d + 4 * d) + 2 * (2 * d) + (d * ff + ff) + (ff * d + d)  # attention, two norms, feed-forward
    assert counts[1] - counts[0] == counts[2] - counts[1] == per_layer  # type: ignore[operator]
    resnet = graphspec.validate(ZOO / "resnet50.yaml", params={"classes": 10}).inference.total_params
    assert resnet == 25_636_712 - 990 * 2049


def test_cli_set_reaches_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["summary", str(ZOO / "mobilenet_v2.yaml"), "--set", "alpha=0.5"]) == 0
    assert "Total params: 1,987,224 " in capsys.readouterr().out


def test_scoped_names_in_keras_summary_and_saved_models(tmp_path: Path) -> None:
    model = graphspec.build(ZOO / "transformer_classifier.yaml", compile=False, params={"layers": 1, "vocab": 100})
    names = [layer.name for layer in model.layers]
    assert "encoder.block1.attention" in names and "encoder.block1.norm2" in names
    assert all(node_name(n) in graphspec.expand(ZOO / "transformer_classifier.yaml").nodes for n in names if "." in n)
    out = io.StringIO()
    with redirect_stdout(out):
        model.summary(line_length=150)
    assert re.search(r"encoder\.block1\.ff1 \(Dense\)", out.getvalue())
    path = tmp_path / "t.keras"
    model.save(path)
    again = keras.saving.load_model(path)
    assert [layer.name for layer in again.layers] == names
    tokens = np.random.default_rng(1).integers(0, 100, size=(3, 200))
    np.testing.assert_allclose(again.predict(tokens, verbose=0), model.predict(tokens, verbose=0), atol=1e-6)


def test_keras_name_mapping_is_reversible() -> None:
    for name in ("x", "stage2/block1/conv1", "a-b/_c/d0"):
        assert node_name(keras_name(name)) == name
        assert "/" not in keras_name(name)
