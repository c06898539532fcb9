"""Importing objects: a Keras object's serialization (activation, initializer, ..., loss,
metric, optimizer, schedule) as spec syntax, and config values as plain data.

Keras serialises an object as ``{module, class_name, config, registered_name}``, a
function as ``{module: builtins, class_name: function, config: <name>}``, and a NumPy
array as ``{class_name: __numpy__, config: {value, dtype}}``. Each becomes what a spec
writes: a name, ``{class_name, config}`` with the non-default config only, or a list.
A class or function that is neither Keras' own nor registered with
:func:`graphspec.register_object` is refused by name (``unregistered-object``), never
dropped.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

from graphspec import catalog
from graphspec.catalog.objects import registered_objects
from graphspec.errors import Code, Diagnostic, SpecError

__all__ = ["object_value", "plain", "short_float32"]


def _fail(code: Code, message: str, hint: str | None = None) -> SpecError:
    return SpecError([Diagnostic(code, message, (), hint)])


def plain(value: Any) -> Any:
    """Config data as JSON-like plain data: tuples → lists, NumPy scalars and arrays (and their
    serialized ``__numpy__`` and ``__tensor__`` forms) → Python numbers and lists."""
    if isinstance(value, Mapping):
        if (
            value.get("class_name") in ("__numpy__", "__tensor__")
            and isinstance(value.get("config"), Mapping)
            and "value" in value["config"]
        ):
            return plain(value["config"]["value"])
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if hasattr(value, "tolist"):
        return plain(value.tolist())
    return value


def short_float32(value: Any) -> Any:
    """The shortest decimal of a float32 value (1e-4, not 9.999999747378752e-05)."""
    import numpy as np

    if isinstance(value, float) and float(np.float32(value)) == value:
        return float(repr(np.float32(value)).removeprefix("np.float32(").removesuffix(")"))
    return value


@functools.cache
def _alias(kind: str, class_name: str) -> str:
    """The snake_case allow-list name of an object class (``HeNormal`` → ``he_normal``), else the class name."""
    for name in catalog.builtin_object_names(kind):
        info = catalog.object_info(kind, name)
        if info is not None and name[:1].islower() and info.target == class_name:
            return name
    return class_name


def _default_config(kind: str, name: str) -> dict[str, Any]:
    """The config of the class built without arguments; for a class that needs some, its signature's defaults."""
    from graphspec.emit import object_classes

    target = object_classes(kind).get(name)
    try:
        if not isinstance(target, type):
            return {}
        instance = target()
        # A loss or metric wrapping a function keeps the function's arguments out of its config (Huber's delta).
        return {**plain(getattr(instance, "_fn_kwargs", {})), **plain(instance.get_config())}
    except Exception:
        info = catalog.object_info(kind, name)
        defaults = {p.name: p.default for p in info.params if not p.required} if info is not None else {}
        if "name" in defaults and defaults["name"] is None and isinstance(target, type):
            defaults["name"] = target.__name__  # schedules name themselves after their class
        return defaults


def _unnumbered(name: Any) -> Any:
    return re.sub(r"_\d+$", "", name) if isinstance(name, str) else name


def _registered_name(kind: str, module: Any, name: str, function: bool) -> str | None:
    """The graphspec name of a registered object serialised as ``module.name`` (module may be unknown)."""
    found = [
        (key, obj)
        for key, obj in registered_objects(kind).items()
        if obj.__name__ == name and isinstance(obj, type) != function
    ]
    exact = [key for key, obj in found if obj.__module__ == module]
    candidates = exact or [key for key, _ in found]
    return candidates[0] if candidates else None


def _custom_refusal(kind: str, module: Any, name: str, where: str, function: bool) -> SpecError:
    short = name.rsplit(">", 1)[-1]
    qualified = f"{module}.{short}" if isinstance(module, str) and module not in ("builtins", "__main__") else short
    registered = f" (registered with Keras as {name!r})" if ">" in name else ""
    return _fail(
        Code.UNREGISTERED_OBJECT,
        f"{where}: {kind} {qualified}{registered} is a custom {kind} graphspec does not know",
        f"register it before importing: graphspec.register_object({short}" + (f", kind={kind!r})" if function else ")"),
    )


def _function_value(kind: str, value: Mapping[str, Any], where: str) -> str:
    """A serialized function (``{class_name: function, config: name}``): its allow-list or registered name."""
    name = value.get("config")
    if not isinstance(name, str):
        raise _fail(Code.UNSUPPORTED_MODEL, f"{where}: cannot read the {kind} function {value!r}")
    # Keras writes a function it has registered as "package>name".
    custom = ">" in name or value.get("registered_name") not in (None, "function")
    if not custom and name in catalog.builtin_object_names(kind):
        return name
    registered = _registered_name(kind, value.get("module"), name.rsplit(">", 1)[-1], function=True)
    if registered is not None:
        return registered
    raise _custom_refusal(kind, value.get("module"), name, where, function=True)


def _class_name(kind: str, value: Mapping[str, Any], where: str) -> str:
    """The spec name of a serialized object's class: Keras' own or a registered one.

    Keras writes its own classes with a ``keras...`` module and no registered name; a class
    registered with Keras gets ``registered_name: "package>Class"`` (and no module).
    """
    class_name = str(value["class_name"])
    module = value.get("module")
    registered_as = value.get("registered_name")
    custom = (registered_as is not None and registered_as != class_name) or (
        isinstance(module, str) and not module.startswith("keras")
    )
    if not custom and class_name in catalog.builtin_object_names(kind):
        return class_name
    registered = _registered_name(kind, module, class_name, function=False)
    if registered is not None:
        return registered
    if not custom:
        raise _fail(
            Code.UNSUPPORTED_MODEL,
            f"{where}: {kind} class {class_name!r} is not in graphspec's allow-list",
            "use a built-in Keras " + kind,
        )
    raise _custom_refusal(
        kind, module, registered_as if isinstance(registered_as, str) else class_name, where, function=False
    )


def _config(kind: str, config: Any, where: str) -> dict[str, Any]:
    """An object's config as spec data: nested objects (an optimizer's schedule) in spec syntax, arrays as lists."""
    nested = catalog.NESTED_OBJECTS.get(kind, {})
    out: dict[str, Any] = {}
    for key, item in (config or {}).items():
        if key in nested and isinstance(item, Mapping) and "class_name" in item:
            out[key] = object_value(nested[key], item, f"{where}.{key}")
        else:
            out[key] = plain(item)
    return out


def object_value(kind: str, value: Any, where: str) -> Any:
    """An activation/initializer/.../optimizer/schedule from its Keras serialization to spec syntax.

    Returns the allow-list (or registered) name when the object has its class's
    default config, else ``{class_name, config}`` with only the non-default keys.

    Raises:
        SpecError: ``unregistered-object`` for a custom class or function that is
            not registered, ``unsupported-model`` for anything else a spec cannot name.
    """
    if value is None or isinstance(value, str):
        return value
    if not (isinstance(value, Mapping) and isinstance(value.get("class_name"), str)):
        raise _fail(Code.UNSUPPORTED_MODEL, f"{where}: cannot express {kind} {value!r} in a spec")
    if value["class_name"] == "function":
        return _function_value(kind, value, where)
    name = _class_name(kind, value, where)
    config = _config(kind, value.get("config"), where)
    defaults = _default_config(kind, name)
    if kind == "optimizer":  # hyperparameters live in float32 variables
        config = {k: short_float32(v) for k, v in config.items()}
        defaults = {k: short_float32(v) for k, v in defaults.items()}
    kept = {k: v for k, v in config.items() if k not in defaults or plain(defaults[k]) != v}
    if kind == "optimizer" or _unnumbered(kept.get("name")) == _unnumbered(defaults.get("name")):
        kept.pop("name", None)  # Keras numbers default names per session (`auc_1`): not a setting
    if not kept:
        # A metric given by a name is named after that name ('mape' logs as mape), so a metric object
        # keeps its class (MeanAbsolutePercentageError() logs as mean_absolute_percentage_error).
        if kind == "metric":
            return {"class_name": name}
        alias = _alias(kind, name) if name in catalog.builtin_object_names(kind) else name
        return alias if _name_resolves(kind, alias) else {"class_name": name}
    return {"class_name": name, "config": kept}


def _name_resolves(kind: str, name: str) -> bool:
    """Whether an object builds from its name alone (``'constant'`` does not: Constant's config needs its value)."""
    if name in registered_objects(kind):
        info = catalog.object_info(kind, name)
        return info is not None and not any(p.required for p in info.params)
    return _builtin_name_resolves(kind, name)


@functools.cache
def _builtin_name_resolves(kind: str, name: str) -> bool:
    from keras.src import activations, constraints, initializers, losses, metrics, regularizers

    module = {
        "activation": activations,
        "initializer": initializers,
        "regularizer": regularizers,
        "constraint": constraints,
        "loss": losses,
        "metric": metrics,
    }.get(kind)
    try:
        return (
            module is None or module.get(name) is not None
        )  # optimizers and schedules are built by emit from the class
    except Exception:
        return False
