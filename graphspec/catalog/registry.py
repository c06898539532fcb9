"""The registry: the custom layers, callbacks and objects a spec may name, registered in Python.

Registration is the only way a spec reaches your code: a class (or, for an
activation, loss or metric, a function) is yours, registered explicitly and by
name, and a spec then names it like a built-in one (``layer: MyLayer``,
``kernel_regularizer: MyL1`` or ``{class_name: MyL1, config: {scale: 0.1}}``).
A registered name may not shadow a built-in one, which is why this module sits
directly above :mod:`graphspec.catalog._builtin` and below every check.

What a registered class takes is read from its signature (:func:`layer_info`
serves built-in and registered layers alike). Nothing here imports Keras: the
kind of an object class is read from the names of its base classes, so
``validate`` stays TensorFlow-free.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any

from graphspec.catalog._builtin import REFUSED_CALLBACKS, LayerInfo, Param, _data, _param, builtin_object_names

__all__ = [
    "OBJECT_KINDS",
    "kind_of",
    "layer_info",
    "layer_names",
    "register_callback",
    "register_layer",
    "register_object",
    "registered_callbacks",
    "registered_layers",
    "registered_object",
    "registered_objects",
    "unregister_callback",
    "unregister_layer",
    "unregister_object",
]

# The kinds of object a spec names, as the catalogue's allow-lists are keyed (callbacks have register_callback).
OBJECT_KINDS = ("activation", "initializer", "regularizer", "constraint", "loss", "metric", "optimizer", "schedule")

# The Keras base class each kind of class derives from (matched by name and module, without importing Keras).
_BASES = {
    "Initializer": "initializer",
    "Regularizer": "regularizer",
    "Constraint": "constraint",
    "Loss": "loss",
    "Metric": "metric",
    "Optimizer": "optimizer",
    "BaseOptimizer": "optimizer",
    "LearningRateSchedule": "schedule",
}


# The registries, one per kind of name: layer classes, callback classes, and objects by kind then name.
_layers: dict[str, type] = {}
_callbacks: dict[str, type] = {}
_objects_by_kind: dict[str, dict[str, Any]] = {kind: {} for kind in OBJECT_KINDS}


# layers


def register_layer(cls: type, name: str | None = None) -> type:
    """Allow specs to use a custom Keras layer class as ``layer: <name>``.

    This is the only way code enters a spec: the class is yours, registered in
    Python. Usable as a decorator. Raises ``ValueError`` if the name is taken by a
    built-in layer or by another registered class.
    """
    key = name or cls.__name__
    if key in _data()["layers"]:
        raise ValueError(f"{key!r} is a built-in Keras layer; register the class under another name")
    if key in _layers and _layers[key] is not cls:
        raise ValueError(f"{key!r} is already registered to {_layers[key]!r}")
    _layers[key] = cls
    layer_info.cache_clear()
    return cls


def unregister_layer(name: str) -> None:
    _layers.pop(name, None)
    layer_info.cache_clear()


def registered_layers() -> dict[str, type]:
    return dict(_layers)


def layer_names() -> list[str]:
    return sorted([*_data()["layers"], *_layers])


@functools.cache
def layer_info(name: str) -> LayerInfo | None:
    """Catalogue entry for a layer name, or ``None`` if no such layer exists."""
    if name in _layers:
        return _custom_info(name, _layers[name])
    entry = _data()["layers"].get(name)
    if entry is None:
        return None
    return LayerInfo(
        name,
        tuple(_param(p) for p in entry["params"]),
        entry["forwards_base_kwargs"],
        entry["family"],
        entry.get("refused"),
        call=tuple(
            Param(p["name"], p["required"], p.get("default"), positional=p["positional"]) for p in entry.get("call", ())
        ),
        call_var_kwargs=entry.get("call_var_kwargs", False),
    )


def _custom_info(name: str, cls: type) -> LayerInfo:
    params = []
    var_kwargs = False
    for p in inspect.signature(cls.__init__).parameters.values():  # type: ignore[misc]
        if p.name == "self" or p.kind is p.VAR_POSITIONAL:
            continue
        if p.kind is p.VAR_KEYWORD:
            var_kwargs = True
            continue
        params.append(Param(p.name, p.default is p.empty, None if p.default is p.empty else p.default))
    call, call_var_kwargs = _call_signature(getattr(cls, "call", None))
    return LayerInfo(name, tuple(params), var_kwargs, custom=cls, call=call, call_var_kwargs=call_var_kwargs)


def _call_signature(fn: Any) -> tuple[tuple[Param, ...], bool]:
    """A registered layer's ``call`` arguments, as the catalogue records Keras' own."""
    try:
        found = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return (), True
    params = []
    for p in found:
        if p.name == "self" or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        params.append(
            Param(
                p.name,
                p.default is p.empty,
                None if p.default is p.empty else p.default,
                positional=p.kind is not p.KEYWORD_ONLY,
            )
        )
    return tuple(params), any(p.kind is p.VAR_KEYWORD for p in found)


# callbacks


def register_callback(cls: type, name: str | None = None) -> type:
    """Allow specs to use a custom ``keras.callbacks.Callback`` subclass in ``fit.callbacks``.

    Like :func:`register_layer`, the only way a spec reaches your code. Usable as
    a decorator. Raises ``ValueError`` if the name is a Keras callback or taken.
    """
    key = name or cls.__name__
    if key in _data()["objects"]["callback"] or key in REFUSED_CALLBACKS:
        raise ValueError(f"{key!r} is a Keras callback name; register the class under another name")
    if key in _callbacks and _callbacks[key] is not cls:
        raise ValueError(f"{key!r} is already registered to {_callbacks[key]!r}")
    _callbacks[key] = cls
    return cls


def unregister_callback(name: str) -> None:
    _callbacks.pop(name, None)


def registered_callbacks() -> dict[str, type]:
    return dict(_callbacks)


# objects: activations, initializers, regularizers, constraints, losses, metrics, optimizers, schedules


def kind_of(obj: Any) -> str | None:
    """The kind of a Keras object class (``Regularizer`` subclass → ``regularizer``), from its bases;
    ``None`` if none."""
    if not isinstance(obj, type):
        return None
    for klass in obj.__mro__:
        kind = _BASES.get(klass.__name__)
        if kind is not None and klass.__module__.startswith("keras"):
            return kind
    return None


def register_object(obj: Any, kind: str | None = None, name: str | None = None) -> Any:
    """Allow specs to use a custom object class or function by ``name`` (default: its ``__name__``).

    ``kind`` is one of :data:`OBJECT_KINDS`; for a class it is read from its Keras
    base class (``keras.regularizers.Regularizer`` → ``regularizer``), for a
    function (an activation, loss or metric) it must be given. Usable as a
    decorator on classes. Returns ``obj``.

    Raises:
        ValueError: for an unknown or missing kind, or a name that is a built-in
            Keras object of that kind or registered to another object.
    """
    kind = kind or kind_of(obj)
    if kind is None:
        raise ValueError(f"cannot tell what kind of object {obj!r} is; pass kind= one of {', '.join(OBJECT_KINDS)}")
    if kind not in OBJECT_KINDS:
        raise ValueError(f"unknown object kind {kind!r}; use one of {', '.join(OBJECT_KINDS)}")
    if not (isinstance(obj, type) or inspect.isfunction(obj)):
        raise ValueError(f"register a class or a function, not {type(obj).__name__} {obj!r}")
    key = name or obj.__name__
    if key in builtin_object_names(kind):
        raise ValueError(f"{key!r} is a built-in Keras {kind}; register the object under another name")
    table = _objects_by_kind[kind]
    if key in table and table[key] is not obj:
        raise ValueError(f"{key!r} is already registered to {table[key]!r}")
    table[key] = obj
    return obj


def unregister_object(name: str, kind: str) -> None:
    """Forget a registered object (no error if it is not registered)."""
    _objects_by_kind.get(kind, {}).pop(name, None)


def registered_objects(kind: str) -> dict[str, Any]:
    """The registered objects of a kind, by name."""
    return dict(_objects_by_kind.get(kind, {}))


def registered_object(kind: str, name: str) -> Any:
    """The registered object of this kind and name, or ``None``."""
    return _objects_by_kind.get(kind, {}).get(name)
