"""The built-in catalogue: what ``catalog.json`` says of Keras, read once and held as data.

``catalog.json`` is generated from the installed Keras by :mod:`graphspec.catalog._build`:
every class in ``keras.layers`` with its constructor and call parameters, every
``keras.ops`` function, and the allow-lists of activations, initializers,
regularizers, constraints, losses, metrics, optimizers, schedules and callbacks.
This module reads it and defines the records the rest of the catalogue hands
around (:class:`Param`, :class:`LayerInfo`, :class:`ObjectInfo`). It knows
nothing of registered classes (:mod:`graphspec.catalog.registry` sits above it)
and imports neither Keras nor the rest of the catalogue.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["REFUSED_CALLBACKS", "LayerInfo", "ObjectInfo", "Param", "builtin_object_names", "keras_version"]

# Metric names Keras resolves specially (they depend on the loss), not via its registry.
_SPECIAL_METRICS = ("acc", "accuracy", "ce", "crossentropy")


@dataclass(frozen=True)
class Param:
    name: str
    required: bool
    default: Any = None
    layer_valued: str | None = None
    positional: bool = True  # a call argument that can be passed by position


@dataclass(frozen=True)
class LayerInfo:
    """What graphspec knows about a layer class without importing it."""

    name: str
    params: tuple[Param, ...]
    forwards_base_kwargs: bool
    family: str = "custom"
    refused: str | None = None
    custom: type | None = None
    call: tuple[Param, ...] = ()
    call_var_kwargs: bool = False

    @property
    def positional_tensors(self) -> bool:
        """Whether ``call`` takes several tensors as separate arguments (MultiHeadAttention's query,
        value) rather than one tensor or one list (Dense, Concatenate): then a node's ``inputs``
        fill the call's arguments in order."""
        return sum(1 for p in self.call if p.required and p.positional) >= 2

    def bound_by_inputs(self, n_inputs: int) -> tuple[Param, ...]:
        """The call arguments a node's ``inputs`` fill: the first one (a tensor or a list), or with
        :attr:`positional_tensors` one per reference."""
        if not self.call:
            return ()
        return self.call[: max(1, n_inputs)] if self.positional_tensors else self.call[:1]

    def param(self, name: str) -> Param | None:
        return self._by_name.get(name)

    # Looked up for every argument of every node: computed once per entry (a
    # cached_property writes the instance dict directly, which a frozen dataclass allows).
    @functools.cached_property
    def _by_name(self) -> dict[str, Param]:
        by_name: dict[str, Param] = {}
        for p in self.params:
            by_name.setdefault(p.name, p)
        return by_name

    @functools.cached_property
    def _accepted(self) -> tuple[str, ...]:
        names = [p.name for p in self.params]
        if self.forwards_base_kwargs:
            names += [p.name for p in _base_params()]
        # Some constructors (pooling, lookup layers) list `name` explicitly; a node's name is its key.
        return tuple(dict.fromkeys(n for n in names if n != "name"))

    @functools.cached_property
    def _accepted_set(self) -> frozenset[str]:
        return frozenset(self._accepted)

    def accepted(self) -> list[str]:
        return list(self._accepted)

    def accepts(self, name: str) -> bool:
        return name in self._accepted_set

    @functools.cached_property
    def required(self) -> tuple[str, ...]:
        """The arguments a node must give, in signature order."""
        return tuple(p.name for p in self.params if p.required)

    def param_or_base(self, name: str) -> Param | None:
        found = self.param(name)
        if found is None and self.forwards_base_kwargs:
            found = next((p for p in _base_params() if p.name == name), None)
        return found


@dataclass(frozen=True)
class ObjectInfo:
    kind: str
    name: str
    is_class: bool
    target: str
    params: tuple[Param, ...]
    var_kwargs: bool


@functools.cache
def _data() -> dict[str, Any]:
    from importlib.resources import files

    text = files("graphspec.catalog").joinpath("catalog.json").read_text(encoding="utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


def keras_version() -> str:
    """The Keras version the committed catalogue was generated from."""
    return str(_data()["keras_version"])


def _param(p: Mapping[str, Any]) -> Param:
    return Param(p["name"], p["required"], p.get("default"), p.get("layer_valued"))


@functools.cache
def _base_params() -> tuple[Param, ...]:
    return tuple(_param(p) for p in _data()["layer_base_params"])


@functools.cache
def _objects(kind: str) -> dict[str, ObjectInfo]:
    table = _data()["objects"].get(kind, {})
    return {
        n: ObjectInfo(
            kind, n, e["kind"] == "class", e["target"], tuple(_param(p) for p in e["params"]), e["var_kwargs"]
        )
        for n, e in table.items()
    }


def builtin_object_names(kind: str) -> list[str]:
    """The names of Keras' own objects of a kind (without registered ones)."""
    names = list(_objects(kind))
    if kind == "metric":
        names += list(_SPECIAL_METRICS)
    return sorted(names)


# Callbacks of keras.callbacks a spec may not name, and why (left out of the catalogue).
REFUSED_CALLBACKS: dict[str, str] = {
    "LambdaCallback": "it runs Python functions; write a Callback subclass and register it with "
    "graphspec.register_callback",
    "LearningRateScheduler": "its schedule is a Python function; use ReduceLROnPlateau, or a registered callback",
    "RemoteMonitor": "it sends training logs over the network",
    "Callback": "it is the abstract base class; register a subclass with graphspec.register_callback",
    "CallbackList": "Keras builds it from the list itself",
    "History": "Keras adds it to every fit; the run folder's history.json holds it",
    "ProgbarLogger": "Keras adds it to every fit (the progress bar)",
    "OrbaxCheckpoint": "it needs the optional orbax package; use ModelCheckpoint or BackupAndRestore",
}
