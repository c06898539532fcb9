"""Reverse stage, keras.Model → Spec: import a Keras model as a minimal spec.

A model is read from its live objects (a ``.keras`` file or a Keras JSON config
is loaded first, with Keras' safe mode on). Each layer becomes a node named
after the Keras layer, so weights load back by layer name; a layer called again
becomes a ``share:`` node. Only the arguments that change the layer are kept:
an argument is written when the layer's config differs from the config of the
same class built without it, and every kept set of arguments is checked by
building the layer again and comparing configs, so what is dropped is provably
a default.

Names: a Keras name with dots whose parts are valid names (``stage2.block1.conv``,
what graphspec gives a scoped node) becomes the scoped node name
``stage2/block1/conv``, which builds back to the same Keras name. Any other
Keras name that is not a valid graphspec name (``dense 1``) is sanitised (every
other character becomes ``_``, a leading digit gets a ``_`` prefix, clashes get
``_2``, ``_3``...) and a warning says so; such layers no longer load weights by
name. Later calls of a shared layer have no Keras name; they are named
``<layer>_call<k>`` (k = 1, 2, ... in call order).

Keras' own application layers that are not in ``keras.layers`` (``LayerScale``
of ConvNeXt, ``CustomScaleLayer`` of InceptionResNetV2) are registered with
graphspec automatically when met, by class name: they are Keras' code, not the
user's. Any other class outside ``keras.layers`` must be registered by the user
(:func:`graphspec.register_layer`) before importing.
"""

from __future__ import annotations

import copy
import functools
import json
import os
import re
import sys
import warnings
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path as FsPath
from typing import Any

from graphspec import catalog
from graphspec._limits import Limits, read_model_text
from graphspec.budget import Budget
from graphspec.diff import uniform_int
from graphspec.errors import Code, Diagnostic, Path, SpecError
from graphspec.spec import Spec, node_name

__all__ = ["application", "from_keras", "load_any"]

_VALID_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]{0,127}")
# A node name may be scoped (`stage2/block1`); its Keras name joins the scopes with `.`.
_VALID_NODE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*(?:/[A-Za-z_][A-Za-z0-9_\-]*)*")
# Keras-internal application layers (module prefix) registered on first use; see the module docstring.
_KERAS_APPLICATIONS = "keras.src.applications."


def _keras() -> Any:
    from graphspec.emit import _keras as keras_module

    return keras_module()


def _fail(code: Code, message: str, hint: str | None = None, path: Path = ()) -> SpecError:
    return SpecError([Diagnostic(code, message, path, hint)])


def from_keras(source: Any, *, limits: Limits = Limits(), budget: Budget = Budget()) -> Spec:
    """Import a Keras model as a minimal, readable, valid :class:`Spec`.

    Args:
        source: a ``keras.Model`` (functional or ``Sequential``), a path (an
            ``os.PathLike`` such as ``pathlib.Path``) to a ``.keras`` file (loaded
            with ``safe_mode=True``) or to a ``.json`` file holding
            ``model.to_json()``, that JSON as text (a ``str`` is always JSON
            text, never a file name), or its config as a mapping.
        limits: read limits for files and JSON (``max_model_bytes``,
            ``max_model_depth``, ``max_data_bytes``, ``max_ratio``).
        budget: parameters a model from a file, text or config may have; it is
            counted without allocating before Keras builds it (a live
            ``keras.Model`` exists already and is not counted).

    Raises:
        SpecError: ``io-error`` for a missing file; ``bad-model`` for a file or
            config Keras cannot load (or refuses in safe mode), or past a read
            limit; ``too-many-params``; ``unregistered-layer`` for a custom
            layer class graphspec does not know; ``unsupported-model`` for what
            a spec cannot express.
    """
    from graphspec._api import load, validate

    model = _load_model(source, limits, budget)
    # The model exists already: its size is not the importer's business.
    spec = load(_ModelImporter(model).data(), limits=Limits(max_values=sys.maxsize))
    try:
        validate(spec, budget=Budget(max_params=sys.maxsize, max_nodes=sys.maxsize))
    except SpecError as exc:
        from graphspec.lint import CODES

        # A model with a training bug lint finds is still the model: importing it is how to see and fix it.
        if any(d.is_error and d.code not in CODES for d in exc.diagnostics):
            raise
    return spec


def load_any(path: os.PathLike[str], *, limits: Limits = Limits(), budget: Budget = Budget()) -> Spec:
    """A spec file as a spec, or a model file (``.keras``, Keras JSON) imported as one: what ``graphspec diff`` compares.

    A ``.json`` file is a spec when it has a ``graphspec`` key, else a Keras
    config. Every file is read through the read limits before it is parsed
    (a spec within ``limits.max_bytes``, a model within ``limits.max_model_bytes``).

    Raises:
        SpecError: as :func:`graphspec.load` and :func:`from_keras`.
    """
    from graphspec._api import load

    if not isinstance(path, os.PathLike):
        raise SpecError.single(Code.WRONG_TYPE, f"load_any takes a path object, not {type(path).__name__} {str(path)[:60]!r}", (), "pass pathlib.Path(...)")
    file = FsPath(path)
    if file.suffix == ".keras":
        return from_keras(file, limits=limits, budget=budget)
    if file.suffix == ".json":
        text = read_model_text(file, limits)  # bounded and depth-checked: json.loads below cannot recurse or balloon
        if not _is_spec_json(text):
            return from_keras(text, limits=limits, budget=budget)
    return load(file, limits=limits)


def _is_spec_json(text: str) -> bool:
    try:
        data = json.loads(text)
    except ValueError:
        return True  # let the spec loader report it, with its position
    return isinstance(data, dict) and "graphspec" in data


def application(name: str) -> Any:
    """``keras.applications.<name>(weights=None)``: an application's architecture without downloading weights.

    Raises:
        SpecError: ``bad-model`` for a name that is not a ``keras.applications`` model.
    """
    import difflib

    keras = _keras()
    names = sorted(n for n in dir(keras.applications) if n[:1].isupper() and callable(getattr(keras.applications, n)))
    if name not in names:
        close = difflib.get_close_matches(name, names, n=3)
        hint = "did you mean " + " or ".join(map(repr, close)) + "?" if close else "known: " + ", ".join(names)
        raise _fail(Code.BAD_MODEL, f"{name!r} is not a keras.applications model", hint)
    return getattr(keras.applications, name)(weights=None)


# ---------------------------------------------------------------------------
# sources


def _custom_objects() -> dict[str, type]:
    """Registered layers for Keras' loader, under the name Keras saved them by (the class name) too."""
    registered = catalog.registered_layers()
    return {**{cls.__name__: cls for cls in registered.values()}, **registered}


def _load_model(source: Any, limits: Limits, budget: Budget) -> Any:
    """The live model of a source; files and text are checked against the read limits before TensorFlow loads."""
    from graphspec import _model_files
    from graphspec._api import text_not_path
    from graphspec.source import parse_data

    hint = "custom layers must be registered with graphspec.register_layer first; Lambda layers are refused in safe mode"
    bounds: dict[str, Any] = {"limits": limits, "budget": budget, "custom_objects": _custom_objects(), "hint": hint}
    if isinstance(source, str):
        if not source.lstrip().startswith("{"):
            raise SpecError([replace(text_not_path(source, "Keras JSON text", "not JSON"), code=Code.BAD_MODEL)])
        return _model_files.keras_text_model(source, "<json>", **bounds)
    if isinstance(source, Mapping):
        # Checked as plain data first: json.dumps would recurse once per level of a deep mapping.
        data = parse_data(source, Limits(max_depth=limits.max_model_depth, max_values=sys.maxsize)).data
        return _model_files.keras_text_model(json.dumps(data), "<config>", **bounds)
    if isinstance(source, os.PathLike):
        path = FsPath(source)
        if path.suffix == ".keras":
            return _model_files.keras_file_model(path, **bounds)
        if path.suffix == ".json":
            return _model_files.keras_json_model(path, **bounds)
        raise _fail(Code.IO_ERROR, f"{path}: not a .keras or .json file", "import a .keras file or the JSON of model.to_json()")
    if isinstance(source, _keras().Model):
        return source
    raise TypeError(f"from_keras takes a keras.Model, a path, JSON text or a config mapping; got {type(source).__name__}")


# ---------------------------------------------------------------------------
# values: Keras config → spec argument


def _plain(value: Any) -> Any:
    """Config data as JSON-like plain data (tuples → lists, numpy scalars and arrays → Python)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "tolist"):
        return _plain(value.tolist())
    return value


def comparable_config(config: Mapping[str, Any]) -> Any:
    """A layer config to compare: plain data without layer names (nested layers get automatic ones)
    and without the build state of nested layers (a fresh wrapper has not built them yet)."""
    def strip(value: Any) -> Any:
        if isinstance(value, Mapping):
            layer_like = "trainable" in value
            return {k: strip(v) for k, v in value.items() if not (layer_like and k == "name") and k != "build_config"}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return strip(_plain(config))


def _short_float32(value: Any) -> Any:
    """The shortest decimal of a float32 value (1e-4, not 9.999999747378752e-05)."""
    import numpy as np

    if isinstance(value, float) and float(np.float32(value)) == value:
        return float(repr(np.float32(value)).removeprefix("np.float32(").removesuffix(")"))
    return value


@functools.cache
def _alias(kind: str, class_name: str) -> str:
    """The snake_case allow-list name of an object class (``HeNormal`` → ``he_normal``), else the class name."""
    for name in catalog.object_names(kind):
        info = catalog.object_info(kind, name)
        if info is not None and name[:1].islower() and info.target == class_name:
            return name
    return class_name


def _default_object_config(kind: str, class_name: str) -> dict[str, Any]:
    from graphspec.emit import _object_classes

    target = _object_classes(kind).get(class_name)
    try:
        return dict(_plain(target().get_config())) if isinstance(target, type) else {}
    except Exception:  # a class with required arguments: every argument is kept
        return {}


def _unnumbered(name: Any) -> Any:
    return re.sub(r"_\d+$", "", name) if isinstance(name, str) else name


def _object_value(kind: str, value: Any, where: str) -> Any:
    """An activation/initializer/.../optimizer from its Keras serialization to spec syntax.

    Returns the allow-list name when the object has its class's default config,
    else ``{class_name, config}`` with only the non-default config keys.
    """
    if value is None or isinstance(value, str):
        return value
    if not (isinstance(value, Mapping) and isinstance(value.get("class_name"), str)):
        raise _fail(Code.UNSUPPORTED_MODEL, f"{where}: cannot express {kind} {value!r} in a spec")
    class_name = value["class_name"]
    if class_name not in catalog.object_names(kind):
        raise _fail(Code.UNSUPPORTED_MODEL, f"{where}: {kind} class {class_name!r} is not in graphspec's allow-list", "use a built-in Keras " + kind)
    config = _plain(value.get("config") or {})
    defaults = _default_object_config(kind, class_name)
    if kind == "optimizer":  # hyperparameters live in float32 variables
        config = {k: _short_float32(v) for k, v in config.items()}
        defaults = {k: _short_float32(v) for k, v in defaults.items()}
    kept = {k: v for k, v in config.items() if k not in defaults or _plain(defaults[k]) != v}
    if kind == "optimizer" or _unnumbered(kept.get("name")) == _unnumbered(defaults.get("name")):
        kept.pop("name", None)  # Keras numbers default names per session (`auc_1`): not a setting
    if not kept:
        alias = _alias(kind, class_name)
        return alias if _name_resolves(kind, alias) else {"class_name": class_name}
    return {"class_name": class_name, "config": kept}


@functools.cache
def _name_resolves(kind: str, name: str) -> bool:
    """Whether Keras builds this object from its name alone (``'constant'`` fails: Constant's config needs its value)."""
    from keras.src import activations, constraints, initializers, losses, metrics, regularizers

    module = {"activation": activations, "initializer": initializers, "regularizer": regularizers, "constraint": constraints, "loss": losses, "metric": metrics}.get(kind)
    try:
        return module is None or module.get(name) is not None  # optimizers are built by emit from the class
    except Exception:
        return False


# ---------------------------------------------------------------------------
# layers: class → catalogue name, config → minimal arguments


def _layer_class_name(layer: Any, where: str) -> str:
    """The catalogue name of a layer's class: built-in, registered, or Keras-internal application layer."""
    cls = type(layer)
    for name, registered in catalog.registered_layers().items():
        if registered is cls:
            return name
    keras = _keras()
    name = cls.__name__
    info = catalog.layer_info(name)
    if getattr(keras.layers, name, None) is cls and info is not None:
        if info.refused:
            raise _fail(Code.UNSUPPORTED_MODEL, f"layer {where!r} is a {name}, which a spec refuses: {info.refused}", "rewrite it as a registered Layer subclass")
        return name
    if cls.__module__.startswith(_KERAS_APPLICATIONS) and info is None:
        catalog.register_layer(cls)
        return name
    raise _fail(
        Code.UNREGISTERED_LAYER,
        f"layer {where!r} is an instance of {cls.__module__}.{cls.__qualname__}, a custom class graphspec does not know",
        f"register it before importing: graphspec.register_layer({cls.__name__})",
    )


def _layer_class(name: str) -> Any:
    info = catalog.layer_info(name)
    assert info is not None
    return info.custom or getattr(_keras().layers, name)


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
            built = [None if v is None else _construct(v["layer"], {k: x for k, x in v.items() if k != "layer"}) for v in nested]
            kwargs["layer" if key == "wraps" else key] = built if isinstance(value, list) else built[0]
        elif (kind := catalog.object_kind(key)) is not None:
            kwargs[key] = make_object(kind, value)
        else:
            kwargs[key] = value
    return _layer_class(name)(**kwargs)


def _config_of(name: str, args: Mapping[str, Any], build: Mapping[str, Any] | None = None) -> Any:
    """The comparable config of the layer these arguments make (built for ``build``'s input shape, without allocating)."""
    keras = _keras()
    try:
        layer = _construct(name, args)
        if build:
            with keras.StatelessScope(initialize_variables=False):
                layer.build_from_config(build)
        return comparable_config(layer.get_config())
    except Exception:  # these arguments do not rebuild the layer: the caller keeps more
        return None


def _spec_value(name: str, key: str, value: Any, where: str) -> Any:
    """One config entry in spec syntax: objects by name or ``{class_name, config}``, nested layers as mappings."""
    info = catalog.layer_info(name)
    param = info.param(key) if info is not None else None
    if param is not None and param.layer_valued:
        if isinstance(value, list):
            return [_nested_layer(v, f"{where}.{key}") for v in value]
        return None if value is None else _nested_layer(value, f"{where}.{key}")
    kind = catalog.object_kind(key)
    if kind is not None:
        return _object_value(kind, value, f"{where}.{key}")
    if key == "dtype" and isinstance(value, Mapping):
        if value.get("class_name") != "DTypePolicy":
            raise _fail(Code.UNSUPPORTED_MODEL, f"{where}: dtype policy {value.get('class_name')!r} cannot be written in a spec")
        return value["config"]["name"]
    plain = _plain(value)
    if _contains_mapping(plain):
        raise _fail(Code.UNSUPPORTED_MODEL, f"{where}: argument {key!r} holds a mapping, which a spec cannot pass to a layer", "only plain data (numbers, strings, lists) can be imported")
    return plain


def _contains_mapping(value: Any) -> bool:
    if isinstance(value, Mapping):
        return True
    return isinstance(value, list) and any(_contains_mapping(v) for v in value)


def _nested_layer(value: Any, where: str) -> dict[str, Any]:
    """A serialized nested layer (``Bidirectional``'s ``layer``, an RNN ``cell``) as ``{layer: Name, ...}``."""
    if not (isinstance(value, Mapping) and isinstance(value.get("class_name"), str)):
        raise _fail(Code.UNSUPPORTED_MODEL, f"{where}: expected a serialized layer")
    keras = _keras()
    layer = keras.layers.deserialize(dict(value), custom_objects=_custom_objects())
    name = _layer_class_name(layer, where)
    return {"layer": name, **_minimal_args(name, layer.get_config(), where, nested=True)}


def _minimal_args(name: str, config: Mapping[str, Any], where: str, build: Mapping[str, Any] | None = None, nested: bool = False) -> dict[str, Any]:
    """The fewest spec arguments that rebuild a layer with exactly this config.

    ``build`` is the layer's build config: a few layers rewrite their config
    when built (``LayerNormalization`` turns ``axis: -1`` into ``[-1]``), and
    for those the arguments are checked on a layer built the same way. A
    ``nested`` layer's config may hold keys its wrapper sets (``Bidirectional``
    sets its LSTMs' ``zero_output_for_mask``); those are the wrapper's to check.

    Raises:
        SpecError: ``unsupported-model`` when no set of arguments rebuilds it.
    """
    # The build shape matters only for classes whose build rewrites their config; once a
    # class is known not to, layers of it that differ only in shape share one answer.
    shape = _plain(build) if _build_rewrites.get(name, True) else None
    key = (name, nested, json.dumps([comparable_config(config), shape], sort_keys=True, default=repr))
    if key not in _minimal_cache:
        _minimal_cache[key] = _Rebuild(name, config, build, nested).minimal(where)
    # A copy all the way down: nodes sharing one list would be written as YAML anchors.
    return copy.deepcopy(_minimal_cache[key])


_minimal_cache: dict[tuple[str, bool, str], dict[str, Any]] = {}
# Per layer class: does building it rewrite its config? (Learnt from the first layer of the class met.)
_build_rewrites: dict[str, bool] = {}
_MISSING = object()


class _Rebuild:
    """Searches for the fewest arguments whose layer has a given config."""

    def __init__(self, name: str, config: Mapping[str, Any], build: Mapping[str, Any] | None, nested: bool):
        info = catalog.layer_info(name)
        assert info is not None
        self.name = name
        accepted = set(info.accepted())
        spelled = {("wraps" if k == "layer" and "wraps" in accepted else k): v for k, v in config.items() if k != "name"}
        self.unknown = sorted(k for k in spelled if k not in accepted)
        self.ignored = set(self.unknown) if nested else set()
        self.target = self._visible(comparable_config(config))
        self.spelled = {k: v for k, v in spelled.items() if k in accepted}
        self.required = {p.name for p in info.params if p.required}
        self.build = build

    def _visible(self, config: Any) -> Any:
        return {k: v for k, v in config.items() if k not in self.ignored} if isinstance(config, Mapping) else config

    def config(self, args: Mapping[str, Any], built: bool = False) -> Any:
        return self._visible(_config_of(self.name, args, self.build if built else None))

    def minimal(self, where: str) -> dict[str, Any]:
        args = {k: _spec_value(self.name, k, v, where) for k, v in self.spelled.items()}
        required = {k: v for k, v in args.items() if k in self.required}
        base = self.config(required)
        if isinstance(base, Mapping):
            # Usually enough; not when arguments interact (MaxPooling2D's strides follow pool_size).
            differing = {k: v for k, v in args.items() if k in self.required or base.get(_config_key(k), _MISSING) != self.target.get(_config_key(k), _MISSING)}
            args = differing if self.config(differing) == self.target else args
        args = self.drop_redundant(args, built=False)
        if self.config(args) != self.target:
            detail = f" (its config has {', '.join(map(repr, self.unknown))}, which the constructor does not take)" if self.unknown else ""
            hint = "graphspec imports layers whose get_config() round-trips through the constructor"
            raise _fail(Code.UNSUPPORTED_MODEL, f"layer {where!r} ({self.name}) cannot be rebuilt from its config{detail}", hint)
        if self.build and self.name not in _build_rewrites:
            _build_rewrites[self.name] = self.config(required, built=True) != self.config(required)
        if self.build and _build_rewrites[self.name]:
            args = self.drop_redundant(args, built=True)
        return args

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


# ---------------------------------------------------------------------------
# the graph


def _valid_node_name(keras_name: str, taken: set[str], reserved: set[str]) -> str:
    """The node name of a Keras layer name: scopes back from ``.`` to ``/`` where that makes a valid name.

    A sanitised name also avoids ``reserved`` (the names of the model's layers), so that it
    does not take the name of a layer still to come, which then would not load its weights.
    """
    scoped = node_name(keras_name)
    if _VALID_NODE_NAME.fullmatch(scoped) and len(scoped) <= 256 and scoped not in taken:
        return scoped
    return _valid_name(keras_name, taken, reserved=reserved)


def _valid_name(name: str, taken: set[str], warn: bool = True, reserved: set[str] | frozenset[str] = frozenset()) -> str:
    """``name`` itself when valid and free, else a sanitised, unique variant (with a warning) that avoids ``reserved`` too."""
    if _VALID_NAME.fullmatch(name) and name not in taken:
        return name
    taken = taken | reserved
    base = re.sub(r"[^A-Za-z0-9_\-]", "_", name)[:120] or "_"
    if not re.match(r"[A-Za-z_]", base):
        base = "_" + base
    out, k = base, 2
    while out in taken:
        out, k = f"{base}_{k}", k + 1
    if _VALID_NAME.fullmatch(name) or not warn:
        return out
    warnings.warn(f"Keras name {name!r} is not a valid graphspec name; imported as {out!r} (weights no longer load by name for it)", stacklevel=4)
    return out


class _ModelImporter:
    """Walks a functional model's operations, call by call, into spec data (nested models recursively)."""

    def __init__(self, model: Any, depth: int = 0):
        keras = _keras()
        self.model = model
        self.depth = depth
        if isinstance(model, keras.Sequential):
            functional = getattr(model, "_functional", None)
            if functional is None:
                raise _fail(Code.UNSUPPORTED_MODEL, f"Sequential model {model.name!r} has no input shape yet", "start it with keras.Input(shape=...) or build it before importing")
            self.graph = functional
        elif type(model).__name__ == "Functional":
            self.graph = model
        else:
            raise _fail(Code.UNSUPPORTED_MODEL, f"model {model.name!r} is a subclassed {type(model).__name__}; only functional and Sequential models have a graph to import")
        self.taken: set[str] = set()
        self.refs: dict[tuple[int, int], str] = {}
        self.inputs: dict[str, Any] = {}
        self.nodes: dict[str, dict[str, Any]] = {}

    def data(self) -> dict[str, Any]:
        """The whole spec: name, the graph, and the compile config of a compiled model."""
        data: dict[str, Any] = {"graphspec": 1, "name": _valid_name(self.model.name, set(), warn=False), **self.body()}
        compile_config = self.model.get_compile_config() if getattr(self.model, "compiled", False) else None
        if compile_config:
            _apply_compile(data, compile_config, auto_jit=self.model._resolve_auto_jit_compile())
        return data

    def body(self) -> dict[str, Any]:
        """Inputs, nodes and outputs: what a spec and a ``model:`` node's sub-spec share."""
        from keras.src.ops.function import make_node_key

        self.taken = {node_name(op.name) for op in self.graph.operations}
        used = self._used_calls()
        for op in self.graph.operations:
            calls = [(i, node) for i, node in enumerate(op._inbound_nodes) if make_node_key(op, i) in self.graph._nodes and (node.is_input or id(node) in used)]
            for k, (index, node) in enumerate(calls):
                self._add_call(op, k, index, node)
        return {"inputs": self.inputs, "nodes": self.nodes, "outputs": self._outputs()}

    def _add_call(self, op: Any, k: int, index: int, node: Any) -> None:
        keras = _keras()
        if isinstance(op, keras.layers.InputLayer):
            name = _valid_name(op.name, set(self.inputs) | set(self.nodes), reserved=self.taken)
            self.inputs[name] = _input_spec(op)
            self.refs[(id(op), index)] = name
            return
        owner = self.refs.get((id(op), self._first_index(op)))
        assigned = set(self.nodes) | set(self.inputs)
        # A share node's made-up name must not take the name of a layer still to come.
        name = _valid_node_name(op.name, assigned, self.taken) if k == 0 else _valid_node_name(f"{owner}_call{k}", assigned | self.taken, self.taken)
        self.refs[(id(op), index)] = name
        if k > 0:
            self.nodes[name] = {"share": owner, "inputs": self._call_inputs(op, node)}
        elif isinstance(op, keras.Model):
            self.nodes[name] = self._model_node(op, node)
        elif isinstance(op, keras.layers.Layer):
            class_name = _layer_class_name(op, name)
            args = _minimal_args(class_name, op.get_config(), name, op.get_build_config() if op.built else None)
            self.nodes[name] = {"layer": class_name, "inputs": self._call_inputs(op, node), **args}
        else:
            self.nodes[name] = self._op_node(op, node, name)

    def _used_calls(self) -> set[int]:
        """The ids of the call nodes the outputs are computed from: not those that only compute a
        mask Keras passes on by itself (``Embedding(mask_zero=True)``'s ``not_equal``), which a
        built spec computes again."""
        used: set[int] = set()
        stack = list(self.graph.outputs)
        while stack:
            op, index, _ = stack.pop()._keras_history
            node = op._inbound_nodes[index]
            if id(node) not in used:
                used.add(id(node))
                stack += _tensor_arguments(node)
        return used

    def _first_index(self, op: Any) -> int:
        from keras.src.ops.function import make_node_key

        return next(i for i in range(len(op._inbound_nodes)) if make_node_key(op, i) in self.graph._nodes)

    def _model_node(self, model: Any, node: Any) -> dict[str, Any]:
        from graphspec.spec import MAX_MODEL_DEPTH

        if self.depth + 1 >= MAX_MODEL_DEPTH:
            raise _fail(Code.UNSUPPORTED_MODEL, f"model {model.name!r} nests models deeper than {MAX_MODEL_DEPTH} levels")
        sub = _ModelImporter(model, self.depth + 1).body()
        if isinstance(model, _keras().Sequential):
            sub = {"sequential": True, **sub}
        out: dict[str, Any] = {"model": sub, "inputs": self._call_inputs(model, node)}
        if not model.trainable:
            out["trainable"] = False
        return out

    def _op_node(self, op: Any, node: Any, name: str) -> dict[str, Any]:
        """A ``keras.ops`` Operation Keras recorded: its constructor arguments and constant call arguments."""
        op_name = catalog.op_for_class(type(op).__module__, type(op).__name__)
        info = catalog.op_info(op_name) if op_name is not None else None
        if op_name is None or info is None or info.refused:
            raise _fail(Code.UNSUPPORTED_MODEL, f"{name!r} applies the Keras operation {type(op).__name__}, which graphspec's op allow-list lacks", "wrap it in a registered layer")
        defaults = {p.name: p.default for p in info.params if not p.required}
        config = {k: _plain(v) for k, v in op.get_config().items() if k != "name"}
        args = {k: v for k, v in config.items() if k not in defaults or defaults[k] != v}
        positional = list(node.arguments.args)
        tensors = positional.pop(0) if info.takes_list else positional[: len([a for a in positional if _is_tensor(a)])]
        if not info.takes_list:
            positional = positional[len(tensors) :]
        constants = dict(zip([p.name for p in info.constants(len(tensors))], positional, strict=False))
        constants.update({k: v for k, v in node.arguments.kwargs.items() if v is not None})
        if len(constants) < len(positional) or any(_is_tensor(v) or _contains_mapping(_plain(v)) for v in constants.values()) or not all(map(_is_tensor, tensors)):
            raise _fail(Code.UNSUPPORTED_MODEL, f"{name!r} calls op {op_name!r} with tensors after constants or in keywords, which an `op:` node cannot write", "pass the tensors first")
        return {"op": op_name, "inputs": [self._ref(t) for t in tensors], **args, **{k: _plain(v) for k, v in constants.items()}}

    def _call_inputs(self, op: Any, node: Any) -> list[str]:
        from keras.src import tree

        implicit = _implicit_masks(node)
        extra = [k for k, v in node.arguments.kwargs.items() if k not in implicit and not _is_call_default(op, k, v)]
        loose = [a for a in tree.flatten(node.arguments.args) if a is not None and not _is_tensor(a)]
        if extra or loose:
            what = f"keyword arguments {', '.join(map(repr, extra))}" if extra else f"non-tensor arguments {loose!r}"
            raise _fail(Code.UNSUPPORTED_MODEL, f"{op.name!r} is called with {what}; a spec node passes only its input tensors", "call the layer on tensors alone")
        return [self._ref(t) for t in _tensor_arguments(node)]

    def _ref(self, tensor: Any) -> str:
        op, index, tensor_index = tensor._keras_history
        base = self.refs[(id(op), index)]
        many = len(op._inbound_nodes[index].outputs) > 1
        return f"{base}:{tensor_index}" if many else base

    def _outputs(self) -> dict[str, dict[str, Any]]:
        outputs: dict[str, dict[str, Any]] = {}
        names = list(self.graph.output_names) if self.graph is self.model else [self.model.layers[-1].name]
        for tensor, keras_name in zip(self.graph.outputs, names, strict=True):
            ref = self._ref(tensor)
            folded = self._fold_identity(keras_name, ref)
            if folded is not None:
                outputs[keras_name] = {"from": folded}
            elif ref == keras_name and ref in self.nodes:  # an output that is an input needs a name of its own
                outputs[keras_name] = {}
            else:
                name = _valid_name(ref.replace(":", "_").replace("/", "_"), set(self.nodes) | set(outputs) | set(self.inputs))
                outputs[name] = {"from": ref}
        return outputs

    def _fold_identity(self, name: str, ref: str) -> str | None:
        """The source of an output-only ``Identity`` node (what emit adds for ``from:``), which is then removed."""
        node = self.nodes.get(name)
        if ref != name or node is None or node.get("layer") != "Identity" or set(node) != {"layer", "inputs"} or len(node["inputs"]) != 1:
            return None
        if any(name in n["inputs"] or n.get("share") == name for other, n in self.nodes.items() if other != name):
            return None
        del self.nodes[name]
        return str(node["inputs"][0])


def _is_tensor(value: Any) -> bool:
    return hasattr(value, "_keras_history")


def _implicit_masks(node: Any) -> set[str]:
    """The mask keywords (``mask``, ``query_mask``...) Keras filled in itself with the masks that the
    call's tensor arguments carry: a built spec gets them the same way, so they are not inputs."""
    from keras.src import backend, tree

    carried = {id(m) for t in tree.flatten(node.arguments.args) if _is_tensor(t) and (m := backend.get_keras_mask(t)) is not None}
    implicit = set()
    for key, value in node.arguments.kwargs.items():
        masks = [m for m in tree.flatten(value) if m is not None]
        if (key == "mask" or key.endswith("_mask")) and masks and all(id(m) in carried for m in masks):
            implicit.add(key)
    return implicit


def _tensor_arguments(node: Any) -> list[Any]:
    """A call's input tensors, in Keras' order, without the masks Keras passed on by itself."""
    from keras.src import tree

    implicit = _implicit_masks(node)
    kwargs = {k: v for k, v in node.arguments.kwargs.items() if k not in implicit}
    return [t for t in tree.flatten((node.arguments.args, kwargs)) if _is_tensor(t)]


def _is_call_default(op: Any, key: str, value: Any) -> bool:
    """Whether a recorded keyword argument is ``None`` or its default (a tensor never is)."""
    from keras.src import tree

    if value is None:
        return True
    if any(_is_tensor(v) for v in tree.flatten(value)):
        return False
    default = _call_default(op, key)
    return default is not _MISSING and bool(value == default)


def _call_default(op: Any, key: str) -> Any:
    """The default of ``op.call``'s argument ``key``: Keras records ``training=False`` on every call of a layer whose call says so."""
    import inspect

    try:
        param = inspect.signature(op.call).parameters.get(key)
    except (TypeError, ValueError):
        return _MISSING
    return _MISSING if param is None or param.default is param.empty else param.default


def _input_spec(layer: Any) -> dict[str, Any]:
    config = layer.get_config()
    if config.get("ragged") or config.get("optional"):
        raise _fail(Code.UNSUPPORTED_MODEL, f"input {layer.name!r} is ragged or optional, which a spec cannot declare")
    batch_shape = _plain(config["batch_shape"])
    out: dict[str, Any] = {"shape": batch_shape[1:]}
    dtype = config.get("dtype")
    dtype = dtype["config"]["name"] if isinstance(dtype, Mapping) else dtype
    if dtype not in (None, "float32"):
        out["dtype"] = dtype
    if batch_shape[0] is not None:
        out["batch_size"] = batch_shape[0]
    if config.get("sparse"):
        out["sparse"] = True
    return out


# ---------------------------------------------------------------------------
# compile config → outputs' losses and metrics, and `compile:`


def _per_output(value: Any, names: list[str]) -> dict[str, Any]:
    """Keras' per-output compile values (one value, a list in output order, or a dict) by output name."""
    if isinstance(value, Mapping):
        return {n: value[n] for n in names if n in value and value[n] is not None}
    if isinstance(value, list | tuple) and len(names) > 1 and len(value) == len(names):
        return {n: v for n, v in zip(names, value, strict=True) if v is not None}
    return {n: value for n in names} if value is not None else {}


def _metrics(value: Any, names: list[str]) -> dict[str, Any]:
    if isinstance(value, list | tuple) and len(names) == 1 and not any(isinstance(v, list | tuple) for v in value):
        return {names[0]: list(value)}
    return {n: (v if isinstance(v, list) else [v]) for n, v in _per_output(value, names).items()}


def _apply_compile(data: dict[str, Any], config: Mapping[str, Any], auto_jit: bool) -> None:
    """Write a compile config into spec data; ``auto_jit`` is what ``jit_compile='auto'`` resolves to here
    (Keras records the resolved value, so that value is the default)."""
    outputs: dict[str, dict[str, Any]] = data["outputs"]
    names = list(outputs)
    for n, loss in _per_output(config.get("loss"), names).items():
        outputs[n]["loss"] = _object_value("loss", loss, f"outputs.{n}.loss")
    for n, weight in _per_output(config.get("loss_weights"), names).items():
        if weight != 1.0:
            outputs[n]["loss_weight"] = float(weight)
    for n, metrics in _metrics(config.get("metrics"), names).items():
        outputs[n]["metrics"] = [_object_value("metric", m, f"outputs.{n}.metrics") for m in metrics if m is not None]
    if config.get("weighted_metrics"):
        warnings.warn("weighted_metrics cannot be written in a spec and are left out", stacklevel=3)
    settings: dict[str, Any] = {"optimizer": _object_value("optimizer", config.get("optimizer"), "compile.optimizer") or "rmsprop"}
    defaults: dict[str, Callable[[Any], bool]] = {
        "jit_compile": lambda v: v in ("auto", None, auto_jit),
        "run_eagerly": lambda v: not v,
        "steps_per_execution": lambda v: v in (1, None),
    }
    settings.update({k: config[k] for k, is_default in defaults.items() if k in config and not is_default(config[k])})
    data["compile"] = settings
