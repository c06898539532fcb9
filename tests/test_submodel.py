"""`model:` nodes: nested models used as layers, checked at every stage and compared with the same models hand-written
in Keras.

1. Functional inside functional, Sequential inside functional, a sub-model called
   twice through `share` (one set of weights), a multi-output sub-model read with
   `node:i`, two levels of nesting: the built model has the hand-written model's
   layer classes, nested layer configs and parameter counts, and, with its weights
   copied, the same predictions; it saves to `.keras` and loads back in safe mode.
2. Static inference counts the parameters inside sub-models (as Keras does) and
   checks the tensors fed to them; budgets count nested nodes and parameters.
3. Bad input: errors inside an inline sub-spec carry nested paths and real file
   positions; wrong input counts, nesting past the limit, a `sequential: true`
   model that is no chain, arguments on a model node, losses on sub-model outputs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import graphspec
from graphspec import Budget, Code, InputSpec, ModelSpec, NodeSpec, OutputSpec, Spec, SpecError
from graphspec.spec import MAX_MODEL_DEPTH

ENCODER = """\
graphspec: 1
name: outer
inputs:
  x: {shape: [8]}
nodes:
  encoder:
    model:
      inputs:
        a: {shape: [8]}
      nodes:
        dense1: {layer: Dense, inputs: a, units: 4, activation: relu}
        dense2: {layer: Dense, inputs: dense1, units: 3}
      outputs:
        dense2: {}
    inputs: x
  head: {layer: Dense, inputs: encoder, units: 2}
outputs:
  head: {}
"""


def _keras() -> Any:
    import keras

    return keras


def _same_predictions(built: Any, reference: Any, inputs: list[np.ndarray]) -> None:
    """Copy the reference's weights into the built model by layer name, then compare predictions."""
    for layer in reference.layers:
        built.get_layer(layer.name).set_weights(layer.get_weights())
    feed = inputs[0] if len(inputs) == 1 else inputs
    got, want = built.predict(feed, verbose=0), reference.predict(feed, verbose=0)
    for g, w in zip(_as_list(got), _as_list(want), strict=True):
        assert np.abs(np.asarray(g) - np.asarray(w)).max() <= 1e-5


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def _layer_configs(model: Any) -> list[tuple[str, str, dict[str, Any]]]:
    """Each layer's name, class and config, nested models' layers included, recursively."""
    out = []
    for layer in model.layers:
        config = layer.get_config()
        if hasattr(layer, "layers"):
            out += [(f"{layer.name}/{n}", c, cfg) for n, c, cfg in _layer_configs(layer)]
            config = {
                k: v
                for k, v in config.items()
                if k not in ("layers", "input_layers", "output_layers", "build_input_shape")
            }
        out.append((layer.name, type(layer).__name__, config))
    return out


def _same_model(built: Any, reference: Any, inputs: list[np.ndarray]) -> None:
    assert _layer_configs(built) == _layer_configs(reference)
    assert built.count_params() == reference.count_params()
    assert [tuple(t.shape) for t in built.outputs] == [tuple(t.shape) for t in reference.outputs]
    _same_predictions(built, reference, inputs)


def _saves_and_loads(model: Any, tmp_path: Path, inputs: list[np.ndarray]) -> Any:
    path = tmp_path / "m.keras"
    model.save(path)
    loaded = _keras().models.load_model(path, safe_mode=True)
    feed = inputs[0] if len(inputs) == 1 else inputs
    for got, want in zip(
        _as_list(loaded.predict(feed, verbose=0)), _as_list(model.predict(feed, verbose=0)), strict=True
    ):
        assert np.array_equal(got, want)
    return loaded


def _rand(*shape: int) -> np.ndarray:
    return np.random.default_rng(0).random(shape, dtype=np.float32)


# ---------------------------------------------------------------------------
# 1. Built models equal hand-written ones


def test_functional_inside_functional_matches_keras(tmp_path: Path) -> None:
    keras = _keras()
    a = keras.Input((8,), name="a")
    h = keras.layers.Dense(4, activation="relu", name="dense1")(a)
    inner = keras.Model(a, keras.layers.Dense(3, name="dense2")(h), name="encoder")
    x = keras.Input((8,), name="x")
    reference = keras.Model(x, keras.layers.Dense(2, name="head")(inner(x)), name="outer")

    built = graphspec.build(ENCODER)
    assert type(built.get_layer("encoder")).__name__ == "Functional"
    _same_model(built, reference, [_rand(5, 8)])
    loaded = _saves_and_loads(built, tmp_path, [_rand(5, 8)])
    assert [layer.name for layer in loaded.get_layer("encoder").layers] == ["a", "dense1", "dense2"]


def test_sequential_inside_functional_keeps_its_class(tmp_path: Path) -> None:
    keras = _keras()
    inner = keras.Sequential(
        [
            keras.layers.InputLayer(shape=(8,), name="a"),
            keras.layers.Dense(4, name="d1"),
            keras.layers.Dense(3, name="d2"),
        ],
        name="stack",
    )
    x = keras.Input((8,), name="x")
    reference = keras.Model(x, inner(x), name="outer")
    text = """\
graphspec: 1
name: outer
inputs: {x: {shape: [8]}}
nodes:
  stack:
    model:
      sequential: true
      inputs: {a: {shape: [8]}}
      nodes:
        d1: {layer: Dense, inputs: a, units: 4}
        d2: {layer: Dense, inputs: d1, units: 3}
      outputs: {d2: {}}
    inputs: x
outputs: {stack: {}}
"""
    built = graphspec.build(text)
    assert type(built.get_layer("stack")).__name__ == "Sequential"
    _same_model(built, reference, [_rand(4, 8)])
    loaded = _saves_and_loads(built, tmp_path, [_rand(4, 8)])
    assert type(loaded.get_layer("stack")).__name__ == "Sequential"


def test_shared_sub_model_has_one_set_of_weights() -> None:
    keras = _keras()
    a = keras.Input((8,), name="a")
    inner = keras.Model(a, keras.layers.Dense(4, name="d")(a), name="tower")
    left, right = keras.Input((8,), name="left"), keras.Input((8,), name="right")
    merged = keras.layers.Concatenate(name="both")([inner(left), inner(right)])
    reference = keras.Model([left, right], merged, name="siamese")
    text = """\
graphspec: 1
name: siamese
inputs: {left: {shape: [8]}, right: {shape: [8]}}
nodes:
  tower:
    model:
      inputs: {a: {shape: [8]}}
      nodes: {d: {layer: Dense, inputs: a, units: 4}}
      outputs: {d: {}}
    inputs: left
  tower_right: {share: tower, inputs: right}
  both: {layer: Concatenate, inputs: [tower, tower_right]}
outputs: {both: {}}
"""
    built = graphspec.build(text)
    assert built.count_params() == 8 * 4 + 4
    assert len(built.weights) == 2
    assert graphspec.validate(text).inference.total_params == 36
    inputs = [_rand(3, 8), _rand(3, 8) + 1]
    _same_model(built, reference, inputs)
    out = built.predict(inputs, verbose=0)
    assert not np.allclose(out[:, :4], out[:, 4:])  # two calls on different inputs, one layer


def test_multi_output_sub_model_is_read_with_indexes(tmp_path: Path) -> None:
    keras = _keras()
    a = keras.Input((6,), name="a")
    inner = keras.Model(a, [keras.layers.Dense(2, name="p")(a), keras.layers.Dense(3, name="q")(a)], name="split")
    x = keras.Input((6,), name="x")
    p, q = inner(x)
    reference = keras.Model(
        x, [keras.layers.Dense(1, name="from_p")(p), keras.layers.Dense(1, name="from_q")(q)], name="two"
    )
    text = """\
graphspec: 1
name: two
inputs: {x: {shape: [6]}}
nodes:
  split:
    model:
      inputs: {a: {shape: [6]}}
      nodes:
        p: {layer: Dense, inputs: a, units: 2}
        q: {layer: Dense, inputs: a, units: 3}
      outputs: {p: {}, q: {}}
    inputs: x
  from_p: {layer: Dense, inputs: "split:0", units: 1}
  from_q: {layer: Dense, inputs: "split:1", units: 1}
outputs: {from_p: {}, from_q: {}}
"""
    report = graphspec.validate(text)
    assert [t.shape for t in report.inference.nodes["split"].outputs] == [(None, 2), (None, 3)]
    built = graphspec.build(text)
    _same_model(built, reference, [_rand(4, 6)])
    _saves_and_loads(built, tmp_path, [_rand(4, 6)])


def test_two_levels_of_nesting_and_a_frozen_sub_model() -> None:
    text = """\
graphspec: 1
inputs: {x: {shape: [5]}}
nodes:
  outer_block:
    trainable: false
    model:
      inputs: {u: {shape: [5]}}
      nodes:
        inner_block:
          model:
            inputs: {v: {shape: [5]}}
            nodes: {d: {layer: Dense, inputs: v, units: 4}}
            outputs: {d: {}}
          inputs: u
        e: {layer: Dense, inputs: inner_block, units: 2}
      outputs: {e: {}}
    inputs: x
  y: {layer: Dense, inputs: outer_block, units: 1}
outputs: {y: {}}
"""
    report = graphspec.validate(text)
    inf = report.inference
    assert (inf.total_params, inf.trainable_params) == (24 + 10 + 3, 3)
    built = graphspec.build(text)
    assert built.count_params() == inf.total_params
    assert sum(int(np.prod(w.shape)) for w in built.trainable_weights) == inf.trainable_params
    assert type(built.get_layer("outer_block").get_layer("inner_block")).__name__ == "Functional"


def test_a_spec_built_in_python_round_trips_through_yaml() -> None:
    inner = ModelSpec(
        inputs={"a": InputSpec(shape=[8])},
        nodes={"d": NodeSpec(layer="Dense", inputs="a", units=3)},
        outputs={"d": OutputSpec()},
        sequential=True,
    )
    spec = Spec(
        name="py",
        inputs={"x": InputSpec(shape=[8])},
        nodes={"block": NodeSpec(model=inner, inputs="x"), "y": NodeSpec(layer="Dense", inputs="block", units=1)},
        outputs={"y": OutputSpec()},
    )
    text = spec.to_yaml()
    assert "sequential: true" in text and "graphspec" not in text.split("model:")[1]
    assert graphspec.load(text).to_data() == spec.to_data()
    assert graphspec.load(spec.to_json()).to_data() == spec.to_data()
    assert graphspec.load(text).nodes["block"].model == inner
    assert graphspec.build(spec).count_params() == 27 + 4


# ---------------------------------------------------------------------------
# 2. Static inference and budgets see inside sub-models


def test_static_counts_and_summary_see_inside_sub_models() -> None:
    from graphspec.summary import render_summary

    report = graphspec.validate(ENCODER)
    assert (
        report.inference.total_params
        == (8 * 4 + 4) + (4 * 3 + 3) + (3 * 2 + 2)
        == graphspec.build(ENCODER).count_params()
    )
    assert report.inference.nodes["encoder"].outputs[0].shape == (None, 3)
    row = next(line for line in render_summary(report).splitlines() if line.startswith("encoder"))
    assert row.split()[:4] == ["encoder", "Functional", "(None,", "3)"]


def test_feeding_a_sub_model_the_wrong_shape_is_a_shape_error() -> None:
    text = ENCODER.replace("x: {shape: [8]}", "x: {shape: [6]}")
    with pytest.raises(SpecError) as exc:
        graphspec.validate(text)
    (d,) = exc.value.errors
    assert d.code is Code.SHAPE_MISMATCH and d.path == ("nodes", "encoder", "inputs")
    assert d.message == "the model of 'encoder' takes input 'a' of shape (None, 8); got (None, 6) from x"


def test_budgets_count_nested_nodes_and_parameters() -> None:
    with pytest.raises(SpecError) as exc:
        graphspec.validate(ENCODER, budget=Budget(max_nodes=2))
    assert exc.value.codes == ["too-many-nodes"] and "has 4 nodes" in exc.value.errors[0].message
    with pytest.raises(SpecError) as exc:
        graphspec.validate(ENCODER, budget=Budget(max_params=40))
    assert exc.value.codes == ["too-many-params"] and exc.value.errors[0].path == ("nodes", "encoder")


def test_shape_errors_inside_a_sub_model_carry_its_path() -> None:
    text = ENCODER.replace(
        "dense2: {layer: Dense, inputs: dense1, units: 3}", "dense2: {layer: LSTM, inputs: dense1, units: 3}"
    )
    with pytest.raises(SpecError) as exc:
        graphspec.validate(text)
    (d,) = exc.value.errors
    assert d.code is Code.SHAPE_MISMATCH and d.path == ("nodes", "encoder", "model", "nodes", "dense2")
    assert (d.line, d.column) == (12, 17)


# ---------------------------------------------------------------------------
# 3. Bad input


def _errors(text: str) -> list[tuple[str, str, int | None, int | None]]:
    with pytest.raises(SpecError) as exc:
        graphspec.validate(text)
    from graphspec.errors import format_path

    return [(d.code.value, format_path(d.path), d.line, d.column) for d in exc.value.errors]


def test_errors_inside_a_sub_spec_have_nested_paths_and_positions() -> None:
    text = ENCODER.replace("units: 4, activation: relu", "unit: 4, activation: relu").replace(
        "a: {shape: [8]}", "a: {shape: [8], dtyp: float32}"
    )
    assert _errors(text) == [
        ("unknown-key", "nodes.encoder.model.inputs.a.dtyp", 9, 25),
        ("missing-argument", "nodes.encoder.model.nodes.dense1", 11, 17),
        ("unknown-argument", "nodes.encoder.model.nodes.dense1.unit", 11, 43),
    ]
    text = ENCODER.replace("inputs: dense1, units: 3", "inputs: dense9, units: 3")
    with pytest.raises(SpecError) as exc:
        graphspec.validate(text)
    (d,) = exc.value.errors
    assert (d.code, d.path, d.line, d.column) == (
        Code.UNKNOWN_REFERENCE,
        ("nodes", "encoder", "model", "nodes", "dense2", "inputs"),
        12,
        40,
    )
    assert d.hint == "did you mean 'dense2' or 'dense1'?"


def test_unknown_key_in_a_sub_spec_suggests_the_sub_spec_keys() -> None:
    with pytest.raises(SpecError) as exc:
        graphspec.validate(ENCODER.replace("      outputs:\n        dense2", "      outptus:\n        dense2"))
    d = next(d for d in exc.value.errors if d.code is Code.UNKNOWN_KEY)
    assert d.path == ("nodes", "encoder", "model", "outptus") and d.hint == "did you mean 'outputs'?"
    with pytest.raises(SpecError) as exc:
        graphspec.validate(
            ENCODER.replace("      outputs:\n        dense2", "      compile: {}\n      outputs:\n        dense2")
        )
    d = next(d for d in exc.value.errors if d.code is Code.UNKNOWN_KEY)
    assert d.path == ("nodes", "encoder", "model", "compile") and "sequential" in str(d.hint)


def test_input_count_mismatch_is_reported_at_the_node() -> None:
    text = ENCODER.replace("        a: {shape: [8]}\n", "        a: {shape: [8]}\n        b: {shape: [8]}\n").replace(
        "inputs: a, units: 4", "inputs: [a, b], units: 4"
    )
    text = text.replace(
        "dense1: {layer: Dense, inputs: [a, b], units: 4, activation: relu}", "dense1: {layer: Add, inputs: [a, b]}"
    )
    with pytest.raises(SpecError) as exc:
        graphspec.validate(text)
    (d,) = exc.value.errors
    assert (d.code, d.path, d.line) == (Code.BAD_SUBMODEL, ("nodes", "encoder", "inputs"), 16)
    assert d.message == "node 'encoder' feeds 1 tensor to a model with 2 inputs (a, b)"


def _nested(depth: int) -> dict[str, Any]:
    body: dict[str, Any] = {
        "inputs": {"a": {"shape": [2]}},
        "nodes": {"d": {"layer": "Dense", "inputs": "a", "units": 2}},
        "outputs": {"d": {}},
    }
    for _ in range(depth):
        body = {"inputs": {"a": {"shape": [2]}}, "nodes": {"m": {"model": body, "inputs": "a"}}, "outputs": {"m": {}}}
    return {"graphspec": 1, **body}


def test_nesting_is_bounded() -> None:
    assert graphspec.build(_nested(MAX_MODEL_DEPTH - 1)).count_params() == 6
    with pytest.raises(SpecError) as exc:
        graphspec.validate(_nested(MAX_MODEL_DEPTH))
    (d,) = exc.value.errors
    assert d.code is Code.BAD_SUBMODEL and d.message == f"models nest deeper than {MAX_MODEL_DEPTH} levels here"
    assert d.path == ("nodes", "m", "model") * MAX_MODEL_DEPTH


def test_sequential_must_be_a_chain() -> None:
    base = """\
graphspec: 1
inputs: {x: {shape: [4]}}
nodes:
  s:
    model:
      sequential: true
      inputs: {a: {shape: [4]}}
      nodes:
NODES
      outputs: {OUT: {}}
    inputs: x
outputs: {s: {}}
"""

    def check(nodes: str, out: str = "d2") -> list[tuple[str, str, int | None, int | None]]:
        return _errors(base.replace("NODES", nodes).replace("OUT", out))

    chain = "        d1: {layer: Dense, inputs: a, units: 2}\n        d2: {layer: Dense, inputs: d1, units: 2}"
    assert graphspec.validate(base.replace("NODES", chain).replace("OUT", "d2")).inference.total_params == 16
    assert check(
        chain.replace("inputs: d1", "inputs: [d1, a]")
        .replace("layer: Dense", "layer: Add", 2)
        .replace(", units: 2", "", 2)
    ) == [("bad-submodel", "nodes.s.model.nodes.d2", 10, 9)]
    assert check("        d1: {layer: Dense, inputs: a, units: 2}\n        d2: {op: relu, inputs: d1}") == [
        ("bad-submodel", "nodes.s.model.nodes.d2", 10, 9)
    ]
    assert check(chain + "\n        d3: {layer: Dense, inputs: a, units: 2}") == [
        ("bad-submodel", "nodes.s.model.nodes.d3", 11, 9)
    ]
    assert check(chain.replace("d2", "d9") + "\n        d2: {layer: Identity, inputs: d1}", "d2") == [
        ("bad-submodel", "nodes.s.model.nodes.d9", 10, 9)
    ]


def test_model_nodes_take_only_trainable_and_outputs_no_losses() -> None:
    text = ENCODER.replace("    inputs: x\n", "    inputs: x\n    units: 3\n").replace(
        "        dense2: {}", "        dense2: {loss: mse}"
    )
    assert _errors(text) == [
        ("bad-submodel", "nodes.encoder.model.outputs.dense2", 14, 9),
        ("unknown-argument", "nodes.encoder.units", 16, 5),
    ]
    assert _errors(ENCODER.replace("    inputs: x\n", "    inputs: x\n    trainable: no\n")) == [
        ("wrong-type", "nodes.encoder.trainable", 16, 16)
    ]


def test_a_node_is_exactly_one_kind() -> None:
    text = ENCODER.replace("    inputs: x\n", "    inputs: x\n    layer: Dense\n")
    with pytest.raises(SpecError) as exc:
        graphspec.validate(text)
    (d,) = exc.value.errors
    assert d.code is Code.NODE_KIND and d.message == "node 'encoder' has both `layer` and `model`"
    assert (d.path, d.line, d.column) == (("nodes", "encoder", "model"), 7, 5)


def test_a_broken_sub_spec_is_reported_without_echoes_beside_other_errors() -> None:
    text = ENCODER.replace("a: {shape: [8]}", "a: {shape: 8}").replace("units: 2}", "unit: 2}")
    assert _errors(text) == [
        ("wrong-type", "nodes.encoder.model.inputs.a.shape", 9, 20),
        ("missing-argument", "nodes.head", 16, 9),
        ("unknown-argument", "nodes.head.unit", 16, 41),
    ]
