"""`op:` nodes: Keras operations on symbolic tensors (`x + y`, `keras.ops.concatenate`, `ops.reshape`).

1. A spec with ops builds the model a hand-written functional model with the same
   ops is: the same operation entries in ``get_config()`` (module, class, config),
   the same predictions; it saves to `.keras` and loads back in safe mode.
2. Every op shape rule agrees with Keras on shapes and dtypes; an op without a
   rule makes what follows unknown, never wrong.
3. The allow-list: every op resolves to a Keras Operation class; ops that take
   Python functions are refused; names and arguments are checked with did-you-mean.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import graphspec
from graphspec import Code, SpecError, catalog
from graphspec.errors import format_path
from graphspec.shapes import RULES
from graphspec.shapes.ops import RULES as OP_RULES

OPS = """\
graphspec: 1
name: with_ops
inputs:
  x: {shape: [4]}
  y: {shape: [4]}
nodes:
  add: {op: add, inputs: [x, y]}
  scaled: {op: multiply, inputs: add, x2: 2.0}
  concatenate: {op: concatenate, inputs: [scaled, y], axis: -1}
  reshape: {op: reshape, inputs: concatenate, newshape: [-1, 2, 4]}
  dense: {layer: Dense, inputs: reshape, units: 3}
  mean: {op: mean, inputs: dense, axis: 1}
outputs:
  mean: {}
"""


def _keras() -> Any:
    import keras

    return keras


def _hand_written() -> Any:
    keras = _keras()
    from keras import ops

    x, y = keras.Input((4,), name="x"), keras.Input((4,), name="y")
    added = x + y
    scaled = ops.multiply(added, 2.0)
    joined = ops.concatenate([scaled, y], axis=-1)
    shaped = ops.reshape(joined, (-1, 2, 4))
    dense = keras.layers.Dense(3, name="dense")(shaped)
    return keras.Model([x, y], ops.mean(dense, axis=1), name="with_ops")


def _entries(model: Any) -> list[tuple[str, str, dict[str, Any]]]:
    """What Keras records for each layer and op, as in its JSON, names aside (Keras numbers its own op names)."""
    layers = json.loads(json.dumps(model.get_config()["layers"]))
    return [(e["module"], e["class_name"], {k: v for k, v in e["config"].items() if k != "name"}) for e in layers]


def test_ops_build_what_hand_written_keras_builds(tmp_path: Path) -> None:
    built, reference = graphspec.build(OPS), _hand_written()
    assert _entries(built) == _entries(reference)
    assert [e["class_name"] for e in built.get_config()["layers"]] == [
        "InputLayer",
        "InputLayer",
        "Add",
        "Multiply",
        "Concatenate",
        "Reshape",
        "Dense",
        "Mean",
    ]
    assert [e["name"] for e in built.get_config()["layers"]][2:] == [
        "add",
        "scaled",
        "concatenate",
        "reshape",
        "dense",
        "mean",
    ]
    built.get_layer("dense").set_weights(reference.get_layer("dense").get_weights())
    rng = np.random.default_rng(0)
    feed = [rng.random((5, 4), dtype=np.float32), rng.random((5, 4), dtype=np.float32)]
    got = built.predict(feed, verbose=0)
    assert got.shape == (5, 3)
    assert np.abs(got - reference.predict(feed, verbose=0)).max() <= 1e-5
    path = tmp_path / "ops.keras"
    built.save(path)
    loaded = _keras().models.load_model(path, safe_mode=True)
    assert np.array_equal(loaded.predict(feed, verbose=0), got)


def test_static_inference_follows_the_ops() -> None:
    report = graphspec.validate(OPS)
    nodes = report.inference.nodes
    assert [nodes[n].outputs[0].shape for n in ("add", "scaled", "concatenate", "reshape", "dense", "mean")] == [
        (None, 4), (None, 4), (None, 8), (None, 2, 4), (None, 2, 3), (None, 3),
    ]  # fmt: skip
    assert nodes["add"].layer == "ops.add" and report.inference.total_params == 15
    assert graphspec.load(graphspec.load(OPS).to_yaml()).to_data() == graphspec.load(OPS).to_data()


# ---------------------------------------------------------------------------
# 2. Shape rules against Keras


def _spec(op: str, shapes: list[list[int | None]], in_dtype: str = "float32", **args: Any) -> dict[str, Any]:
    names = [f"t{i}" for i in range(len(shapes))]
    inputs = {n: {"shape": s, "dtype": in_dtype} for n, s in zip(names, shapes, strict=True)}
    return {"graphspec": 1, "inputs": inputs, "nodes": {"y": {"op": op, "inputs": names, **args}}, "outputs": {"y": {}}}


_UNARY = sorted(n.removeprefix("ops.") for n, rule in OP_RULES.items() if rule.__name__ == "unary")
CASES = [
    *(pytest.param(_spec(op, [[3, 4]]), id=op) for op in _UNARY),
    pytest.param(_spec("add", [[3, 4], [4]]), id="add-broadcast"),
    pytest.param(_spec("subtract", [[3, 1], [1, 5]]), id="subtract-broadcast"),
    pytest.param(_spec("multiply", [[3, 4]], x2=2.0), id="multiply-constant"),
    pytest.param(_spec("divide", [[3], [3]]), id="divide"),
    pytest.param(_spec("true_divide", [[3], [3]]), id="true_divide"),
    pytest.param(_spec("floor_divide", [[3], [3]]), id="floor_divide"),
    pytest.param(_spec("maximum", [[3], [3]]), id="maximum"),
    pytest.param(_spec("minimum", [[3], [3]]), id="minimum"),
    pytest.param(_spec("power", [[3]], x2=2), id="power-constant"),
    pytest.param(_spec("mod", [[3], [3]]), id="mod"),
    pytest.param(_spec("add", [[3]], "int32", x2=1), id="add-int"),
    pytest.param(_spec("mean", [[3, 4]], axis=1), id="mean"),
    pytest.param(_spec("mean", [[3, 4]], "int32", axis=-1, keepdims=True), id="mean-int-keepdims"),
    pytest.param(_spec("sum", [[3, 4, 5]], axis=[1, 2]), id="sum-axes"),
    pytest.param(_spec("max", [[3, 4]]), id="max-all"),
    pytest.param(_spec("min", [[3, 4]], axis=0, keepdims=True), id="min-batch-axis"),
    pytest.param(_spec("concatenate", [[3, 4], [3, 2]], axis=-1), id="concatenate"),
    pytest.param(_spec("concatenate", [[None, 4], [3, 4]], axis=1), id="concatenate-unknown"),
    pytest.param(_spec("reshape", [[3, 4]], newshape=[-1, 12]), id="reshape"),
    pytest.param(_spec("reshape", [[None, 4]], newshape=[-1, 2, 2]), id="reshape-unknown"),
    pytest.param(_spec("transpose", [[3, 4]], axes=[0, 2, 1]), id="transpose"),
    pytest.param(_spec("transpose", [[3, 4]]), id="transpose-reverse"),
    pytest.param(_spec("expand_dims", [[3, 4]], axis=-1), id="expand_dims"),
    pytest.param(_spec("cast", [[3]], dtype="int32"), id="cast"),
]


def _keras_outputs(report: Any) -> list[tuple[tuple[int | None, ...], str]]:
    from graphspec.emit import _Emitter

    emitter = _Emitter(report.graph)
    emitter.run(False)
    return [(tuple(t.shape), str(t.dtype)) for t in [emitter.tensors["y"]]]


@pytest.mark.parametrize("data", CASES)
def test_op_rule_matches_keras(data: dict[str, Any]) -> None:
    report = graphspec.validate(data)
    assert not report.inference.unknown
    inferred = [(t.shape, t.dtype) for t in report.inference.nodes["y"].outputs]
    assert inferred == _keras_outputs(report)


def test_every_op_rule_is_checked_against_keras() -> None:
    covered = {"ops." + p.values[0]["nodes"]["y"]["op"] for p in CASES}
    assert {n for n in RULES if n.startswith("ops.")} == covered


def test_an_op_without_a_rule_makes_what_follows_unknown() -> None:
    report = graphspec.validate(_spec("cumsum", [[3, 4]], axis=1))
    assert report.inference.unknown == ["y"] and report.inference.outputs["y"].shape is None
    assert report.inference.total_params == 0  # known all the same: ops have no weights
    assert graphspec.build(_spec("cumsum", [[3, 4]], axis=1)).output_shape == (None, 3, 4)


def test_shape_errors_in_ops_are_found_before_keras() -> None:
    with pytest.raises(SpecError) as exc:
        graphspec.validate(_spec("add", [[3], [4]]))
    (d,) = exc.value.errors
    assert d.code is Code.SHAPE_MISMATCH and d.message.startswith("ops.add needs shapes that are equal or broadcast")
    data = _spec("reshape", [[3, 4]], newshape=[-1, 5])
    data["inputs"]["t0"]["batch_size"] = 2
    with pytest.raises(SpecError) as exc:
        graphspec.validate(data)
    assert [d.message for d in exc.value.errors] == [
        "ops.reshape to newshape (-1, 5) cannot hold (2, 3, 4) from t0, which has 24 elements"
    ]


# ---------------------------------------------------------------------------
# 3. The allow-list and argument checks


def test_every_allowed_op_is_a_keras_operation() -> None:
    from keras.src.ops.operation import Operation

    from graphspec.emit import op_class

    names = catalog.op_names()
    assert len(names) > 250
    for name in names:
        info = catalog.op_info(name)
        assert info is not None and issubclass(op_class(info.module, info.class_name), Operation), name
    refused = {n for n in names if (i := catalog.op_info(n)) is not None and i.refused}
    assert {"map", "scan", "cond", "while_loop", "fori_loop", "switch", "vectorized_map"} <= refused
    assert catalog.op_for_class("keras.src.ops.numpy", "Add") == "add"
    assert catalog.op_for_class("keras.src.ops.nn", "Relu") == "relu"
    assert catalog.op_for_class("keras.src.ops.numpy", "NoSuchOp") is None


def _errors(data: dict[str, Any]) -> list[tuple[str, str, str, str | None]]:
    with pytest.raises(SpecError) as exc:
        graphspec.validate(data)
    return [(d.code.value, format_path(d.path), d.message, d.hint) for d in exc.value.errors]


def test_unknown_and_refused_ops() -> None:
    assert _errors(_spec("concatinate", [[3], [3]], axis=-1)) == [
        ("unknown-op", "nodes.y.op", "unknown op 'concatinate'", "did you mean 'concatenate'?")
    ]
    assert (
        _errors(_spec("keras.ops.add", [[3], [3]]))[0][3]
        == "ops are named as functions of keras.ops (`add`, `concatenate`), never by import path"
    )
    assert _errors(_spec("map", [[3]]))[0][:3] == (
        "refused-op",
        "nodes.y.op",
        "op 'map' is refused: it takes a Python function, which is code",
    )


def test_op_arguments_are_checked_against_the_operation() -> None:
    assert _errors(_spec("concatenate", [[3], [3]], axsi=-1)) == [
        ("unknown-argument", "nodes.y.axsi", "op 'concatenate' takes no argument 'axsi'", "did you mean 'axis'?")
    ]
    assert _errors(_spec("reshape", [[3]])) == [
        ("missing-argument", "nodes.y", "op 'reshape' needs argument 'newshape'", None)
    ]
    assert _errors(_spec("multiply", [[3]])) == [
        ("missing-argument", "nodes.y", "op 'multiply' needs argument 'x2'", None)
    ]
    assert _errors(_spec("relu", [[3], [3]])) == [
        ("bad-argument", "nodes.y.inputs", "op 'relu' takes 1 tensor (x); got 2 inputs", None)
    ]
    assert _errors(_spec("add", [[3], [3]], x2=1.0)) == [
        ("unknown-argument", "nodes.y.x2", "op 'add' takes no argument 'x2'", None)
    ]
    bad = _errors(
        _spec("reshape", [[3]], newshape={"class_name": "function", "module": "keras.config", "config": "set_epsilon"})
    )
    assert bad[0][:3] == (
        "bad-argument",
        "nodes.y.newshape",
        "argument 'newshape' of op 'reshape' must be plain data, not a mapping",
    )


def test_ops_are_not_shared_and_a_node_is_one_kind() -> None:
    data = _spec("relu", [[3]])
    data["nodes"]["z"] = {"share": "y", "inputs": "y"}
    data["outputs"] = {"z": {}}
    assert _errors(data) == [
        (
            "bad-share",
            "nodes.z.share",
            "node 'z' shares op node 'y'; an op has no weights to share",
            "write `op: relu` again",
        )
    ]
    data = _spec("relu", [[3]], layer="ReLU")
    assert _errors(data)[0][:3] == ("node-kind", "nodes.y.op", "node 'y' has both `layer` and `op`")


def test_the_schema_lists_ops_and_model_nodes() -> None:
    import jsonschema

    from graphspec.schema import json_schema

    validator = jsonschema.Draft202012Validator(json_schema())
    data = graphspec.load(OPS).to_data()
    data["nodes"]["sub"] = {
        "model": {"inputs": {"a": {"shape": [4]}}, "nodes": {"r": {"op": "relu", "inputs": "a"}}, "outputs": {"r": {}}},
        "inputs": "x",
    }
    assert not list(validator.iter_errors(data))
    data["nodes"]["add"]["op"] = "ad"
    assert list(validator.iter_errors(data))
