"""Constants and indices in ``op:`` nodes: tensor constants as plain lists, ``x[...]`` keys as
data, both checked without TensorFlow, built, and imported from the ops Keras records."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import keras
import numpy as np
import pytest
from keras import layers, ops

import graphspec
from graphspec import SpecError
from graphspec.importer import from_keras
from graphspec.spec.op_values import MAX_CONSTANT_VALUES
from tests.fidelity import check_round_trip


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    yield
    keras.backend.clear_session()
    gc.collect()


def op_spec(node: dict[str, Any], shape: list[Any] | None = None) -> dict[str, Any]:
    return {
        "graphspec": 1,
        "inputs": {"x": {"shape": shape or [4, 3]}},
        "nodes": {"o": {"inputs": "x", **node}},
        "outputs": {"o": {}},
    }


@pytest.mark.parametrize(
    ("key", "python"),
    [
        ([":", None], (slice(None), None)),
        (["...", 0], (Ellipsis, 0)),
        ([":", "1:3", "::-1"], (slice(None), slice(1, 3), slice(None, None, -1))),
        ([":", "-2:"], (slice(None), slice(-2, None))),
        ([":", 1], (slice(None), 1)),
    ],
    ids=["new axis", "ellipsis", "slices", "negative start", "index"],
)
def test_indices_build_what_python_indexing_does(key: Any, python: Any) -> None:
    model = graphspec.build(op_spec({"op": "get_item", "key": key}), compile=False)
    data = np.arange(2 * 4 * 3, dtype="float32").reshape(2, 4, 3)
    np.testing.assert_array_equal(
        model.predict(data, verbose=0), data[python]
    )  # the key indexes the batch axis too, as in Keras


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("1:x", "'1:x' is not an index or a slice"),
        ("::0", "slice '::0' has step 0"),
        ([0, [1, 2]], "[1, 2] is not an index"),
        (1.5, "1.5 is not an index"),
    ],
)
def test_malformed_indices_are_named(key: Any, message: str) -> None:
    with pytest.raises(SpecError) as err:
        graphspec.validate(op_spec({"op": "get_item", "key": key}))
    (diag,) = err.value.errors
    assert diag.code.value == "bad-argument" and diag.message == f"op 'get_item' key: {message}"


def test_list_constants_build_as_float32_tensors() -> None:
    model = graphspec.build(op_spec({"op": "add", "x2": [1.0, 2.0, 3.0]}), compile=False)
    assert model.outputs[0].dtype == "float32"
    np.testing.assert_allclose(model.predict(np.zeros((1, 4, 3), "float32"), verbose=0)[0, 0], [1.0, 2.0, 3.0])


@pytest.mark.parametrize(
    ("x2", "message"),
    [
        ([[1.0, 2.0], [3.0]], "a constant's lists at one depth must all have the same length"),
        ([1.0, [2.0]], "a constant mixes numbers and lists at one depth"),
        (["a", "b"], "a constant holds only numbers"),
        (
            [0.0] * (MAX_CONSTANT_VALUES + 1),
            f"a constant of {MAX_CONSTANT_VALUES + 1:,} values is more than a spec writes inline "
            f"({MAX_CONSTANT_VALUES:,})",
        ),
    ],
    ids=["ragged", "mixed", "strings", "too big"],
)
def test_malformed_constants_are_named(x2: Any, message: str) -> None:
    with pytest.raises(SpecError) as err:
        graphspec.validate(op_spec({"op": "add", "x2": x2}))
    (diag,) = err.value.errors
    assert diag.code.value == "bad-argument" and diag.message == f"op 'add' x2: {message}"


def test_slicing_symbolic_tensors_imports() -> None:
    """Was: wrong-type ... got slice / ellipsis."""
    x = keras.Input((4, 3), name="x")
    spec = check_round_trip(keras.Model(x, [x[:, None], x[..., 0], x[1:3, ::-1]]))
    assert sorted(str(n.args["key"]) for n in spec.nodes.values()) == ["['...', 0]", "['1:3', '::-1']", "[':', None]"]


def test_preprocess_input_constants_import() -> None:
    """Was: wrong-type ... got EagerTensor: ResNet50's preprocessing subtracts a mean tensor."""
    image = keras.Input((8, 8, 3), name="image")
    features = layers.Conv2D(2, 3, name="conv")(keras.applications.resnet50.preprocess_input(image))
    spec = check_round_trip(keras.Model(image, features))
    (add,) = [n for n in spec.nodes.values() if n.op == "add"]
    assert add.args == {"x2": [[[[-103.939, -116.779, -123.68]]]]}


def test_tensors_after_constants_go_under_call() -> None:
    x = keras.Input((3,), name="x")
    spec = check_round_trip(keras.Model(x, ops.subtract(1.0, x)))
    (node,) = spec.nodes.values()
    assert node.op == "subtract" and node.inputs == [] and node.call == {"x2": "x"} and node.args == {"x1": 1.0}


def test_a_constant_of_another_dtype_is_refused_by_name() -> None:
    x = keras.Input((3,), name="x", dtype="float64")
    model = keras.Model(x, ops.add(x, keras.ops.convert_to_tensor(np.array([1.0, 2.0, 3.0]), dtype="float64")))
    with pytest.raises(SpecError) as err:
        from_keras(model)
    assert err.value.codes == ["unsupported-model"]
    assert (
        "is a constant of dtype float64; a spec writes constants as lists, which Keras makes float32, int32 or bool"
        in str(err.value)
    )
