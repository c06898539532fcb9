"""Per-layer argument minimisation: a layer's config as the fewest spec arguments that rebuild it.

An argument is written when the layer's config differs from the config of the same class built
without it, and every kept set of arguments is checked by building the layer again and comparing
configs (:func:`comparable_config`), so what is dropped is provably a default. A search is cached
by class and config: a model's repeated layers are searched once.

Below both the front end (:mod:`graphspec.importer`) and the graph walker
(:mod:`graphspec.importer._graph`), importing neither: a layer that wraps a model
(``TimeDistributed`` of a functional model) is written by the walker, which hands
:func:`minimal_args` the function that writes it (``wrapped``).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Mapping
from typing import Any

from graphspec import catalog
from graphspec._util.keras import import_keras
from graphspec.catalog.objects import OBJECT_KINDS, registered_objects
from graphspec.errors import Code, Diagnostic, Path, SpecError
from graphspec.importer._objects import object_value as _object_value
from graphspec.importer._objects import plain as _plain
from graphspec.spec import parse_model
from graphspec.spec.sizes import uniform_int

__all__ = ["WrappedModel", "comparable_config", "custom_objects", "layer_class_name", "minimal_args"]

# Keras-internal application layers (module prefix) registered on first use; see graphspec.importer's docstring.
_KERAS_APPLICATIONS = "keras.src.applications."

# Writes a model a layer wraps as that argument's spec data (``{model: {...}}``): the graph walker's job.
WrappedModel = Callable[[Any], dict[str, Any]]


def _fail(code: Code, message: str, hint: str | None = None, path: Path = ()) -> SpecError:
    return SpecError([Diagnostic(code, message, path, hint)])


def custom_objects() -> dict[str, Any]:
    """Registered layers and objects for Keras' loader, under the name Keras saved them by (the class name) too."""
    registered: dict[str, Any] = dict(catalog.registered_layers())
    for kind in OBJECT_KINDS:
        registered.update(registered_objects(kind))
    return {**{obj.__name__: obj for obj in registered.values()}, **registered}


# ---------------------------------------------------------------------------
# values: Keras config → spec argument


def comparable_config(config: Mapping[str, Any]) -> Any:
    """A layer config to compare: plain data without layer names (nested layers get automatic ones),
    without the build state of nested layers (a fresh wrapper has not built them yet), and with the
    calls a nested model records by argument name: ``op(x, c)`` and ``op(x, x2=c)`` are one call,
    as are a constant held as a tensor or as an array."""

    def strip(value: Any) -> Any:
        if isinstance(value, Mapping):
            layer_like = "trainable" in value
            found = {k: strip(v) for k, v in value.items() if not (layer_like and k == "name") and k != "build_config"}
            if isinstance(found.get("inbound_nodes"), list) and isinstance(found.get("class_name"), str):
                found["inbound_nodes"] = [_named_call(found, node) for node in found["inbound_nodes"]]
            return found
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return strip(_plain(config))


def _named_call(layer: Mapping[str, Any], node: Any) -> Any:
    """A recorded call (``{args, kwargs}``) as one mapping of argument names, defaults left out."""
    import inspect

    if not (isinstance(node, Mapping) and set(node) <= {"args", "kwargs"}):
        return node
    fn = _call_of(str(layer["class_name"]), layer.get("module"))
    try:
        signature = inspect.signature(fn)
        first = next(iter(signature.parameters), None)
        receiver = [None] if first == "self" else []  # the class's function, not bound to an instance
        bound = signature.bind_partial(*receiver, *node.get("args", []), **node.get("kwargs", {}))
    except (TypeError, ValueError):
        return node
    params = signature.parameters
    named = {k: v for k, v in bound.arguments.items() if k != "self" and v is not None}
    return {k: v for k, v in named.items() if not (params[k].default is not params[k].empty and v == params[k].default)}


def _call_of(class_name: str, module: Any) -> Any:
    """The ``call`` of a layer or op class named in a nested model's config (``None`` if unknown)."""
    keras = import_keras()
    registered = catalog.registered_layers()
    cls = (
        registered.get(class_name)
        or getattr(keras.layers, class_name, None)
        or {"Functional": keras.Model, "Sequential": keras.Sequential}.get(class_name)
    )
    if cls is None and isinstance(module, str) and module.startswith("keras.src.ops."):
        from graphspec.emit import op_class

        op = catalog.op_for_class(module, class_name)
        info = catalog.op_info(op) if op is not None else None
        cls = op_class(info.module, info.class_name) if info is not None else None
    return getattr(cls, "call", None)


# ---------------------------------------------------------------------------
# layers: class → catalogue name, config → minimal arguments


def layer_class_name(layer: Any, where: str) -> str:
    """The catalogue name of a layer's class: built-in, registered, or Keras-internal application layer."""
    cls = type(layer)
    for name, registered in catalog.registered_layers().items():
        if registered is cls:
            return name
    keras = import_keras()
    name = cls.__name__
    info = catalog.layer_info(name)
    if getattr(keras.layers, name, None) is cls and info is not None:
        if info.refused:
            raise _fail(
                Code.UNSUPPORTED_MODEL,
                f"layer {where!r} is a {name}, which a spec refuses: {info.refused}",
                "rewrite it as a registered Layer subclass",
            )
        return name
    if cls.__module__.startswith(_KERAS_APPLICATIONS) and info is None:
        catalog.register_layer(cls)
        return name
    raise _fail(
        Code.UNREGISTERED_LAYER,
        f"layer {where!r} is an instance of {cls.__module__}.{cls.__qualname__}, "
        "a custom class graphspec does not know",
        f"register it before importing: graphspec.register_layer({cls.__name__})",
    )


def _layer_class(name: str) -> Any:
    info = catalog.layer_info(name)
    assert info is not None
    return info.custom or getattr(import_keras().layers, name)


def _construct(name: str, args: Mapping[str, Any]) -> Any:
    """The Keras layer of a spec node's class and arguments (nested layers and objects built too)."""
    from graphspec.emit import make_object

    info = catalog.layer_info(name)
    assert info is not None
    kwargs: dict[str, Any] = {}
    for key, value in args.items():
        param = info.param(key)
        if param is not None and param.layer_valued:
            nested = value if isinstance(value, list) else [value]
            built = [None if v is None else _construct_nested(v) for v in nested]
            kwargs["layer" if key == "wraps" else key] = built if isinstance(value, list) else built[0]
        elif (kind := catalog.object_kind(key)) is not None:
            kwargs[key] = make_object(kind, value)
        elif info.custom is not None and isinstance(value, Mapping) and "layer" in value:
            kwargs[key] = _construct_nested(value)
        else:
            kwargs[key] = value
    return _layer_class(name)(**kwargs)


def _construct_nested(value: Mapping[str, Any]) -> Any:
    """A nested layer, or a wrapped model (built through the spec pipeline, like a spec's)."""
    if "model" in value and "layer" not in value:
        from graphspec.emit import build_submodel

        model, problems = parse_model(value["model"])
        if model is None:
            raise SpecError(problems)
        built = build_submodel(model)
        if value.get("trainable") is False:
            built.trainable = False
        return built
    return _construct(value["layer"], {k: x for k, x in value.items() if k != "layer"})


def _config_of(name: str, args: Mapping[str, Any], build: Mapping[str, Any] | None = None) -> Any:
    """The comparable config of the layer these arguments make (built for ``build``'s input shape, without
    allocating)."""
    keras = import_keras()
    try:
        layer = _construct(name, args)
        if build:
            with keras.StatelessScope(initialize_variables=False):
                layer.build_from_config(build)
        return comparable_config(layer.get_config())
    except Exception:  # these arguments do not rebuild the layer: the caller keeps more
        return None


def _spec_value(name: str, key: str, value: Any, where: str, wrapped: WrappedModel) -> Any:
    """One config entry in spec syntax: objects by name or ``{class_name, config}``, nested layers as mappings."""
    info = catalog.layer_info(name)
    param = info.param(key) if info is not None else None
    if param is not None and param.layer_valued:
        if isinstance(value, list):
            return [_nested_layer(v, f"{where}.{key}", wrapped) for v in value]
        return None if value is None else _nested_layer(value, f"{where}.{key}", wrapped)
    kind = catalog.object_kind(key)
    if kind is not None:
        return _object_value(kind, value, f"{where}.{key}")
    if key == "dtype" and isinstance(value, Mapping):
        if value.get("class_name") != "DTypePolicy":
            raise _fail(
                Code.UNSUPPORTED_MODEL, f"{where}: dtype policy {value.get('class_name')!r} cannot be written in a spec"
            )
        return value["config"]["name"]
    if info is not None and info.custom is not None and _is_serialized_layer(value):
        return _nested_layer(value, f"{where}.{key}", wrapped)  # a registered layer may take layers as arguments
    plain = _plain(value)
    if _contains_mapping(plain):
        raise _fail(
            Code.UNSUPPORTED_MODEL,
            f"{where}: argument {key!r} holds a mapping, which a spec cannot pass to a layer",
            "only plain data (numbers, strings, lists) can be imported",
        )
    return plain


def _is_serialized_layer(value: Any) -> bool:
    """A serialized layer (``{module, class_name, config}``) of a class in the catalogue or registered."""
    if not (
        isinstance(value, Mapping)
        and isinstance(value.get("class_name"), str)
        and isinstance(value.get("config"), Mapping)
    ):
        return False
    name = str(value["class_name"])
    return (catalog.layer_info(name) is not None and str(value.get("module", "")).startswith("keras")) or any(
        cls.__name__ == name for cls in catalog.registered_layers().values()
    )


def _contains_mapping(value: Any) -> bool:
    if isinstance(value, Mapping):
        return True
    return isinstance(value, list) and any(_contains_mapping(v) for v in value)


def _nested_layer(value: Any, where: str, wrapped: WrappedModel) -> dict[str, Any]:
    """A serialized nested layer (``Bidirectional``'s ``layer``, an RNN ``cell``) as ``{layer: Name, ...}``,
    or a wrapped model (``TimeDistributed`` of a functional model) as ``{model: {...}}``."""
    if not (isinstance(value, Mapping) and isinstance(value.get("class_name"), str)):
        raise _fail(Code.UNSUPPORTED_MODEL, f"{where}: expected a serialized layer")
    keras = import_keras()
    layer = keras.layers.deserialize(dict(value), custom_objects=custom_objects())
    if isinstance(layer, keras.Model):
        return wrapped(layer)
    name = layer_class_name(layer, where)
    return {"layer": name, **minimal_args(name, layer.get_config(), where, nested=True, wrapped=wrapped)}


def minimal_args(
    name: str,
    config: Mapping[str, Any],
    where: str,
    build: Mapping[str, Any] | None = None,
    nested: bool = False,
    *,
    wrapped: WrappedModel,
) -> dict[str, Any]:
    """The fewest spec arguments that rebuild a layer with exactly this config.

    ``build`` is the layer's build config: a few layers rewrite their config
    when built (``LayerNormalization`` turns ``axis: -1`` into ``[-1]``), and
    for those the arguments are checked on a layer built the same way. A
    ``nested`` layer's config may hold keys its wrapper sets (``Bidirectional``
    sets its LSTMs' ``zero_output_for_mask``); those are the wrapper's to check.
    ``wrapped`` writes a model a layer wraps (the cache assumes it is always the
    same function, the graph walker's).

    Raises:
        SpecError: ``unsupported-model`` when no set of arguments rebuilds it.
    """
    # The build shape matters only for classes whose build rewrites their config; once a
    # class is known not to, layers of it that differ only in shape share one answer.
    shape = _plain(build) if _build_rewrites.get(name, True) else None
    key = (name, nested, json.dumps([comparable_config(config), shape], sort_keys=True, default=repr))
    if key not in _minimal_cache:
        _minimal_cache[key] = _Rebuild(name, config, build, nested, wrapped).minimal(where)
    # A copy all the way down: nodes sharing one list would be written as YAML anchors.
    return copy.deepcopy(_minimal_cache[key])


_minimal_cache: dict[tuple[str, bool, str], dict[str, Any]] = {}
# Per layer class: does building it rewrite its config? (Learnt from the first layer of the class met.)
_build_rewrites: dict[str, bool] = {}
_MISSING = object()


class _Rebuild:
    """Searches for the fewest arguments whose layer has a given config."""

    def __init__(
        self, name: str, config: Mapping[str, Any], build: Mapping[str, Any] | None, nested: bool, wrapped: WrappedModel
    ):
        info = catalog.layer_info(name)
        assert info is not None
        self.name = name
        accepted = set(info.accepted())
        spelled = {
            ("wraps" if k == "layer" and "wraps" in accepted else k): v for k, v in config.items() if k != "name"
        }
        self.unknown = sorted(k for k in spelled if k not in accepted)
        self.ignored = set(self.unknown) if nested else set()
        self.target = self._visible(comparable_config(config))
        self.spelled = {k: v for k, v in spelled.items() if k in accepted}
        self.required = {p.name for p in info.params if p.required}
        self.build = build
        self.wrapped = wrapped

    def _visible(self, config: Any) -> Any:
        return {k: v for k, v in config.items() if k not in self.ignored} if isinstance(config, Mapping) else config

    def config(self, args: Mapping[str, Any], built: bool = False) -> Any:
        return self._visible(_config_of(self.name, args, self.build if built else None))

    def minimal(self, where: str) -> dict[str, Any]:
        args = {k: _spec_value(self.name, k, v, where, self.wrapped) for k, v in self.spelled.items()}
        required = {k: v for k, v in args.items() if k in self.required}
        base = self.config(required)
        if isinstance(base, Mapping):
            # Usually enough; not when arguments interact (MaxPooling2D's strides follow pool_size).
            differing = {
                k: v
                for k, v in args.items()
                if k in self.required or base.get(_config_key(k), _MISSING) != self.target.get(_config_key(k), _MISSING)
            }
            args = differing if self.config(differing) == self.target else args
        args = self.drop_redundant(args, built=False)
        if self.config(args) != self.target:
            raise self.refusal(where, args)
        if self.build and self.name not in _build_rewrites:
            _build_rewrites[self.name] = self.config(required, built=True) != self.config(required)
        if self.build and _build_rewrites[self.name]:
            args = self.drop_redundant(args, built=True)
        return args

    def refusal(self, where: str, args: Mapping[str, Any]) -> SpecError:
        """Why no arguments rebuild the layer: a required argument its config lacks, keys the constructor
        does not take (where they change the rebuilt config), or a config that does not round-trip."""
        missing = sorted(p for p in self.required if p not in args)
        rebuilt = self.config(args) if not missing else None
        extra = [
            k
            for k in self.unknown
            if not isinstance(rebuilt, Mapping) or rebuilt.get(k, _MISSING) != self.target.get(k, _MISSING)
        ]
        if missing:
            detail = f": its config lacks {', '.join(map(repr, missing))}, which the constructor requires"
        elif extra:
            detail = f": its config has {', '.join(map(repr, extra))}, which the constructor does not take"
        else:
            detail = ": a layer built from its config has another config"
        hint = (
            "graphspec imports layers whose get_config() round-trips "
            "through the constructor (Keras' own from_config needs the same)"
        )
        return _fail(
            Code.UNSUPPORTED_MODEL, f"layer {where!r} ({self.name}) cannot be rebuilt from its config{detail}", hint
        )

    def drop_redundant(self, args: dict[str, Any], built: bool) -> dict[str, Any]:
        """Leave out each argument the layer derives anyway (``strides`` = ``pool_size``), and write a
        list of one repeated int as that int where the layer widens it back (``kernel_size: 3``, ``axis: 3``)."""
        for key in [k for k in args if k not in self.required]:
            trial = {k: v for k, v in args.items() if k != key}
            if self.config(trial, built) == self.target:
                args = trial
        for key in [k for k in args if isinstance(args[k], list)]:
            scalar = uniform_int(args[key])
            if scalar is not None and self.config({**args, key: scalar}, built) == self.target:
                args = {**args, key: scalar}
        return args


def _config_key(arg: str) -> str:
    return "layer" if arg == "wraps" else arg
