"""Objects a spec names: activations, initializers, regularizers, constraints, losses,
metrics, optimizers, schedules and callbacks, by name or as ``{class_name, config}``.

Each is looked up in the catalogue's allow-lists (:mod:`graphspec.catalog._builtin`)
and among the registered objects (:mod:`graphspec.catalog.registry`), and a
``config`` is checked against the object's signature. :func:`_check_kwargs`, the
check of a mapping of keyword arguments against a signature, lives here because
an object's config may itself hold an object (an optimizer's schedule); layer and
op arguments use it too.

The object registry's functions are importable from here as well, where they
used to live (``from graphspec.catalog.objects import register_object``).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Iterator, Mapping
from typing import Any

from graphspec._util.suggest import did_you_mean
from graphspec.catalog._builtin import _SPECIAL_METRICS, ObjectInfo, Param, _objects, builtin_object_names
from graphspec.catalog.registry import (
    OBJECT_KINDS,
    _callbacks,
    _custom_info,
    kind_of,
    register_object,
    registered_object,
    registered_objects,
    unregister_object,
)
from graphspec.errors import Code, Diagnostic, Path

__all__ = [
    "NESTED_OBJECTS",
    "OBJECT_KINDS",
    "check_object",
    "kind_of",
    "object_info",
    "object_kind",
    "object_names",
    "register_object",
    "registered_object",
    "registered_objects",
    "unregister_object",
]


def object_names(kind: str) -> list[str]:
    """The names a spec may give an object of this kind: Keras' own and the registered ones."""
    names = builtin_object_names(kind)
    names += list(_callbacks) if kind == "callback" else list(registered_objects(kind))
    return sorted(names)


# Positional arguments a registered function takes before its keyword arguments (y_true, y_pred; x).
_FUNCTION_POSITIONALS = {"loss": 2, "metric": 2, "activation": 1}


def object_info(kind: str, name: str) -> ObjectInfo | None:
    if kind == "callback" and name in _callbacks:
        info = _custom_info(name, _callbacks[name])
        return ObjectInfo(kind, name, True, name, info.params, info.forwards_base_kwargs)
    custom = registered_object(kind, name)
    if custom is not None:
        if isinstance(custom, type):
            info = _custom_info(name, custom)
            return ObjectInfo(kind, name, True, custom.__name__, info.params, info.forwards_base_kwargs)
        params = _function_params(custom, _FUNCTION_POSITIONALS.get(kind, 0))
        return ObjectInfo(kind, name, False, custom.__name__, params, False)
    return _objects(kind).get(name)


def _function_params(fn: Any, skip: int) -> tuple[Param, ...]:
    found = []
    for p in list(inspect.signature(fn).parameters.values())[skip:]:
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        found.append(Param(p.name, p.default is p.empty, None if p.default is p.empty else p.default))
    return tuple(found)


@functools.lru_cache(maxsize=4096)
def object_kind(param: str) -> str | None:
    """Which allow-list a layer argument's value comes from, judged by Keras' naming."""
    if param in ("activation", "recurrent_activation", "inner_activation"):
        return "activation"
    for suffix in ("initializer", "regularizer", "constraint"):
        if param == suffix or param.endswith("_" + suffix):
            return suffix
    return None


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _mapping_inside(value: Any, path: Path) -> Path | None:
    """Path of the first mapping anywhere inside ``value`` (lists are searched), else None."""
    if type(value) in _SCALARS:
        return None  # most arguments: no walk
    stack: list[tuple[Any, Path]] = [(value, path)]
    while stack:
        v, p = stack.pop()
        if isinstance(v, Mapping):
            return p
        if isinstance(v, list | tuple):
            stack.extend((item, (*p, i)) for i, item in enumerate(v))
    return None


def check_object(kind: str, value: Any, path: Path) -> Iterator[Diagnostic]:
    """Check an activation/initializer/.../optimizer given by name or ``{class_name, config}``."""
    if value is None:
        return
    if isinstance(value, str):
        if not _known_object(kind, value):
            names = object_names(kind)
            yield Diagnostic(
                Code.UNKNOWN_OBJECT,
                f"unknown {kind} {value!r}",
                path,
                did_you_mean(value, names) or _list_hint(kind, names),
            )
            return
        info = object_info(kind, value)
        needed = [p.name for p in info.params if p.required] if info is not None and info.is_class else []
        if needed:
            example = ", ".join(f"{n}: ..." for n in needed)
            yield Diagnostic(
                Code.MISSING_ARGUMENT,
                f"{kind} {value!r} needs argument{'s' if len(needed) > 1 else ''} {', '.join(repr(n) for n in needed)}",
                path,
                f"write {{class_name: {value}, config: {{{example}}}}}",
            )
        return
    if not isinstance(value, Mapping):
        yield Diagnostic(
            Code.WRONG_TYPE,
            f"{_a(kind)} is a name or a mapping with class_name and config; got {type(value).__name__}",
            path,
        )
        return
    for extra in sorted(set(value) - {"class_name", "config"}):
        yield Diagnostic(
            Code.UNKNOWN_KEY,
            f"unknown key {extra!r} in {_a(kind)} mapping",
            (*path, extra),
            "write {class_name: ..., config: {...}}",
            at_key=True,
        )
    class_name = value.get("class_name")
    config = value.get("config", {})
    config_ok = isinstance(config, Mapping)
    if not config_ok:
        yield Diagnostic(
            Code.WRONG_TYPE,
            f"`config` must be a mapping of keyword arguments; got {type(config).__name__}",
            (*path, "config"),
        )
    if "class_name" not in value:
        yield Diagnostic(
            Code.MISSING_KEY, f"{_a(kind)} mapping needs `class_name`", path, "write {class_name: ..., config: {...}}"
        )
        return
    if not isinstance(class_name, str):
        yield Diagnostic(
            Code.WRONG_TYPE,
            f"`class_name` must be the name of {_a(kind)}; got {type(class_name).__name__}",
            (*path, "class_name"),
        )
        return
    info = object_info(kind, class_name)
    if info is None:
        names = object_names(kind)
        hint = did_you_mean(class_name, names) or _list_hint(kind, names)
        yield Diagnostic(Code.UNKNOWN_OBJECT, f"unknown {kind} class {class_name!r}", (*path, "class_name"), hint)
        return
    if not config_ok:
        return
    if not info.is_class and config:
        yield Diagnostic(
            Code.BAD_ARGUMENT,
            f"{kind} {class_name!r} is a function and takes no config here",
            (*path, "config"),
            "use a layer node (LeakyReLU, ReLU, ELU, ...) for a parameterised activation"
            if kind == "activation"
            else None,
        )
        return
    config_path = (*path, "config") if "config" in value else path
    yield from _check_kwargs(
        config, info.params, info.var_kwargs, f"{kind} {class_name!r}", config_path, NESTED_OBJECTS.get(kind, {})
    )


# Object arguments whose value may itself be an object of another kind: an optimizer's
# learning rate may be a schedule, ``{class_name: ExponentialDecay, config: {...}}``.
NESTED_OBJECTS: dict[str, dict[str, str]] = {"optimizer": {"learning_rate": "schedule"}}


def _known_object(kind: str, name: str) -> bool:
    """``name in object_names(kind)``, without building and sorting the list."""
    return (
        name in _objects(kind)
        or (kind == "metric" and name in _SPECIAL_METRICS)
        or (name in _callbacks if kind == "callback" else registered_object(kind, name) is not None)
    )


def _a(word: str) -> str:
    return ("an " if word[:1] in "aeiou" else "a ") + word


def _list_hint(kind: str, names: list[str]) -> str:
    shown = [n for n in names if n[:1].islower()] or names
    return f"known {kind}s include: " + ", ".join(shown[:12]) + (", ..." if len(shown) > 12 else "")


def _check_kwargs(
    config: Mapping[str, Any],
    params: tuple[Param, ...],
    var_kwargs: bool,
    owner: str,
    path: Path,
    nested: Mapping[str, str] | None = None,
) -> Iterator[Diagnostic]:
    known = [p.name for p in params]
    for key, val in config.items():
        if key not in known and not var_kwargs:
            yield Diagnostic(
                Code.UNKNOWN_ARGUMENT,
                f"{owner} takes no argument {key!r}",
                (*path, key),
                did_you_mean(key, known),
                at_key=True,
            )
        if nested and key in nested and isinstance(val, Mapping):
            yield from check_object(nested[key], val, (*path, key))
            continue
        inner = _mapping_inside(val, (*path, key))
        if inner is not None:
            yield Diagnostic(Code.BAD_ARGUMENT, f"argument {key!r} of {owner} must be plain data, not a mapping", inner)
    for p in params:
        if p.required and p.name not in config:
            yield Diagnostic(Code.MISSING_ARGUMENT, f"{owner} needs argument {p.name!r}", path)
