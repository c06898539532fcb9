"""A recorded call's tensors and arguments, and the paths of a model's input and output structures."""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

_MISSING = object()


def _is_tensor(value: Any) -> bool:
    return hasattr(value, "_keras_history")


def _implicit_masks(node: Any) -> set[str]:
    """The mask keywords (``mask``, ``query_mask``...) Keras filled in itself with the masks that the
    call's tensor arguments carry: a built spec gets them the same way, so they are not written."""
    from keras.src import backend, tree

    carried = {
        id(m)
        for t in tree.flatten(node.arguments.args)
        if _is_tensor(t) and (m := backend.get_keras_mask(t)) is not None
    }
    implicit = set()
    for key, value in node.arguments.kwargs.items():
        masks = [m for m in tree.flatten(value) if m is not None]
        if (key == "mask" or key.endswith("_mask")) and masks and all(id(m) in carried for m in masks):
            implicit.add(key)
    return implicit


def _tensor_arguments(node: Any) -> list[Any]:
    """A call's tensors, in Keras' order, without the masks Keras passed on by itself."""
    from keras.src import tree

    implicit = _implicit_masks(node)
    kwargs = {k: v for k, v in node.arguments.kwargs.items() if k not in implicit}
    return [t for t in tree.flatten((node.arguments.args, kwargs)) if _is_tensor(t)]


def _call_signature(op: Any) -> tuple[list[inspect.Parameter], bool]:
    """A layer's ``call`` parameters (without ``self`` and ``*args``), and whether it takes ``**kwargs``."""
    try:
        params = list(inspect.signature(op.call).parameters.values())
    except (TypeError, ValueError):
        return [], True
    kept = [p for p in params if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    return kept, any(p.kind is p.VAR_KEYWORD for p in params)


def _is_default(param: inspect.Parameter | None, value: Any) -> bool:
    """Whether a recorded call argument changes nothing: ``None``, or its default (a tensor never is);
    Keras records ``training=False`` on every call of a layer whose call says so."""
    from keras.src import tree

    flat = tree.flatten(value)
    if value is None or (flat and all(v is None for v in flat)):
        return True  # Keras records `mask=(None, None)` for calls without masks
    if any(_is_tensor(v) for v in flat):
        return False
    default = _MISSING if param is None or param.default is param.empty else param.default
    return default is not _MISSING and type(value) is type(default) and bool(value == default)


def _structure_paths(struct: Any) -> list[tuple[Any, ...]]:
    """The paths of a structure's leaves in the order Keras flattens it (dict keys sorted)."""
    from keras.src import tree

    return [tuple(path) for path, _ in tree.flatten_with_path(struct)]


def _written(struct: Any, leaf: Any, path: tuple[Any, ...] = ()) -> Any:
    """A Keras structure (dicts in insertion order) with each leaf replaced by ``leaf(path)``."""
    if isinstance(struct, Mapping):
        return {k: _written(v, leaf, (*path, k)) for k, v in struct.items()}
    if isinstance(struct, list | tuple):
        return [_written(v, leaf, (*path, i)) for i, v in enumerate(struct)]
    return leaf(path)
