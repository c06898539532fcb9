"""Custom Keras objects registered in Python: the only way a spec reaches your own
activations, initializers, regularizers, constraints, losses, metrics, optimizers
and learning-rate schedules.

Like :func:`graphspec.register_layer`, registration is explicit and by name; a
spec then names the object like a built-in one (``kernel_regularizer: MyL1``, or
``{class_name: MyL1, config: {scale: 0.1}}``). Nothing here imports Keras: the kind
of a class is read from the names of its base classes, so ``validate`` stays
TensorFlow-free.
"""

from __future__ import annotations

import inspect
from typing import Any

__all__ = ["OBJECT_KINDS", "kind_of", "register_object", "registered_object", "registered_objects", "unregister_object"]

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

_registry: dict[str, dict[str, Any]] = {kind: {} for kind in OBJECT_KINDS}


def kind_of(obj: Any) -> str | None:
    """The kind of a Keras object class (``Regularizer`` subclass → ``regularizer``), from its bases; ``None`` if none."""
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
    from graphspec import catalog

    kind = kind or kind_of(obj)
    if kind is None:
        raise ValueError(f"cannot tell what kind of object {obj!r} is; pass kind= one of {', '.join(OBJECT_KINDS)}")
    if kind not in OBJECT_KINDS:
        raise ValueError(f"unknown object kind {kind!r}; use one of {', '.join(OBJECT_KINDS)}")
    if not (isinstance(obj, type) or inspect.isfunction(obj)):
        raise ValueError(f"register a class or a function, not {type(obj).__name__} {obj!r}")
    key = name or obj.__name__
    if key in catalog.builtin_object_names(kind):
        raise ValueError(f"{key!r} is a built-in Keras {kind}; register the object under another name")
    table = _registry[kind]
    if key in table and table[key] is not obj:
        raise ValueError(f"{key!r} is already registered to {table[key]!r}")
    table[key] = obj
    return obj


def unregister_object(name: str, kind: str) -> None:
    """Forget a registered object (no error if it is not registered)."""
    _registry.get(kind, {}).pop(name, None)


def registered_objects(kind: str) -> dict[str, Any]:
    """The registered objects of a kind, by name."""
    return dict(_registry.get(kind, {}))


def registered_object(kind: str, name: str) -> Any:
    """The registered object of this kind and name, or ``None``."""
    return _registry.get(kind, {}).get(name)
