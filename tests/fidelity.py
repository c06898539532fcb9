"""Fidelity of an imported model: what `build(from_keras(M))` must share with M.

Shared by tests/test_importer.py and benchmarks/roundtrip_applications.py.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import graphspec
from graphspec.importer import comparable_config, from_keras


def _layers(model: Any) -> dict[str, Any]:
    return {layer.name: layer for layer in model.layers if type(layer).__name__ != "InputLayer"}


def _io(tensors: list[Any]) -> list[tuple[str, tuple[Any, ...]]]:
    return [(t._keras_history.operation.name, tuple(t.shape)) for t in tensors]


def random_inputs(model: Any, seed: int = 0) -> list[Any]:
    """One random batch of 2 for every input; unknown sizes are 224 in images (rank 3 and up), else 7."""
    rng = np.random.default_rng(seed)
    out = []
    for t in model.inputs:
        unknown = 224 if len(t.shape) >= 4 else 7
        shape = (2, *[unknown if d is None else d for d in t.shape[1:]])
        if "int" in str(t.dtype):
            out.append(rng.integers(0, 10, size=shape).astype(str(t.dtype)))
        else:
            out.append(rng.standard_normal(shape).astype(str(t.dtype)))
    return out


def check_round_trip(model: Any, atol: float = 1e-5) -> graphspec.Spec:
    """Import ``model``, build the spec back, and assert they are the same model.

    Same layer names, classes and configs (nested layers' automatic names aside),
    parameter count, input and output names and shapes, and — after copying
    weights by layer name — the same predictions on random inputs.
    """
    spec = from_keras(model)
    rebuilt = graphspec.build(spec, compile=False)
    old, new = _layers(model), _layers(rebuilt)
    assert sorted(old) == sorted(new)
    for name, layer in old.items():
        assert type(new[name]) is type(layer), name
        assert comparable_config(new[name].get_config()) == comparable_config(layer.get_config()), name
    assert rebuilt.count_params() == model.count_params()
    if type(model).__name__ != "Sequential":  # a Sequential's input and output are its first and last layers
        assert _io(rebuilt.inputs) == _io(model.inputs)
        assert list(rebuilt.output_names) == list(model.output_names)
    assert [tuple(t.shape) for t in rebuilt.outputs] == [tuple(t.shape) for t in model.outputs]
    for name, layer in old.items():
        new[name].set_weights(layer.get_weights())
    assert_same_predictions(model, rebuilt, atol)
    return spec


def assert_same_predictions(model: Any, rebuilt: Any, atol: float = 1e-5) -> None:
    """Both models take the same structure of inputs, return the same structure, and the same values."""
    from keras import tree

    x = random_inputs(model)
    struct = getattr(model, "_inputs_struct", None)
    x = (
        tree.pack_sequence_as(struct, x)
        if struct is not None and type(model).__name__ != "Sequential"
        else (x[0] if len(x) == 1 else x)
    )
    want, got = model.predict(x, verbose=0), rebuilt.predict(x, verbose=0)
    assert tree.map_structure(lambda _: 0, want) == tree.map_structure(lambda _: 0, got), (
        "the outputs differ in structure"
    )
    for a, b in zip(tree.flatten(want), tree.flatten(got), strict=True):
        assert np.max(np.abs(np.asarray(a) - np.asarray(b))) <= atol
