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
Keras name that is not a valid graphspec name (``mobilenet_1.00_224``, ``dense 1``)
gets a sanitised node name (every other character becomes ``_``, a leading digit
gets a ``_`` prefix, clashes get ``_2``, ``_3``...) and keeps its Keras name in
``keras_name``, so weights still load by name. Later calls of a shared layer have
no Keras name; they are named ``<layer>_call<k>`` (k = 1, 2, ... in call order).
The walk over the graph is :mod:`graphspec.importer._graph`.

Keras' own application layers that are not in ``keras.layers`` (``LayerScale``
of ConvNeXt, ``CustomScaleLayer`` of InceptionResNetV2) are registered with
graphspec automatically when met, by class name: they are Keras' code, not the
user's. Any other class outside ``keras.layers`` must be registered by the user
(:func:`graphspec.register_layer`) before importing.
"""

from __future__ import annotations

import copy
import json
import os
import sys
import warnings
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path as FsPath
from typing import Any

from graphspec import catalog
from graphspec._util.keras import import_keras
from graphspec._util.suggest import did_you_mean
from graphspec.budget import Budget
from graphspec.errors import Code, Diagnostic, Path, SpecError
from graphspec.importer._objects import object_value as _object_value
from graphspec.importer._objects import plain as _plain
from graphspec.source.limits import Limits, check_model_text, read_model_text, shown_path
from graphspec.spec import Spec
from graphspec.spec.sizes import uniform_int
from graphspec.spec.structure import leaves

__all__ = ["application", "from_keras", "keras2_config", "load_any"]

# Keras-internal application layers (module prefix) registered on first use; see the module docstring.
_KERAS_APPLICATIONS = "keras.src.applications."


def _fail(code: Code, message: str, hint: str | None = None, path: Path = ()) -> SpecError:
    return SpecError([Diagnostic(code, message, path, hint)])


def from_keras(source: Any, *, models: Mapping[str, Any] | None = None, limits: Limits = Limits(), budget: Budget = Budget()) -> Spec:
    """Import a Keras model as a minimal, readable, valid :class:`Spec`.

    Args:
        source: a ``keras.Model`` (functional or ``Sequential``), a path (an
            ``os.PathLike`` such as ``pathlib.Path``) to a ``.keras`` file (loaded
            with ``safe_mode=True``) or to a ``.json`` file holding
            ``model.to_json()`` (Keras 3, or Keras 2 where Keras' legacy loader
            reads it), that JSON as text (a ``str`` is always JSON text, never a
            file name), or its config as a mapping.
        models: more models over the same layers, by name (a seq2seq model's
            inference encoder and decoder): they become the spec's ``models:``,
            their new calls of its layers ``share:`` nodes.
        limits: read limits for files and JSON (``max_model_bytes``,
            ``max_model_depth``, ``max_data_bytes``, ``max_ratio``).
        budget: parameters a model from a file, text or config may have; it is
            counted without allocating before Keras builds it (a live
            ``keras.Model`` exists already and is not counted).

    What the spec validates with as warnings (an input that feeds nothing) is
    issued as Python warnings.

    Raises:
        SpecError: ``io-error`` for a missing file; ``bad-model`` for a file or
            config Keras cannot load (or refuses in safe mode), or past a read
            limit; ``too-many-params``; ``unregistered-layer`` / ``unregistered-object`` for a custom layer
            class or object graphspec does not know; ``unsupported-model`` for
            what a spec cannot express, naming the layer or object.
    """
    from graphspec.importer._graph import ModelImporter
    from graphspec.pipeline import load, validate

    model = _load_model(source, limits, budget)
    walker = ModelImporter(model)
    data = walker.data()
    if models:
        data["models"] = {name: walker.add_model(_load_model(other, limits, budget)) for name, other in models.items()}
        if list(data["inputs"]) != [leaf for leaf, _ in leaves(walker.inputs_tree)]:
            data["structure"] = {**data.get("structure", {}), "inputs": walker.inputs_tree}
    # The model exists already: its size is not the importer's business.
    spec = load(data, limits=Limits(max_values=sys.maxsize))
    try:
        found = validate(spec, budget=Budget(max_params=sys.maxsize, max_nodes=sys.maxsize)).warnings
    except SpecError as exc:
        from graphspec.lint import CODES

        # A model with a training bug lint finds is still the model: importing it is how to see and fix it.
        if any(d.is_error and d.code not in CODES for d in exc.diagnostics):
            raise
        found = [d for d in exc.diagnostics if not d.is_error]
    for warning in found:
        warnings.warn(f"imported spec: {warning.render()}", stacklevel=2)
    return spec


def load_any(path: os.PathLike[str], *, limits: Limits = Limits(), budget: Budget = Budget()) -> Spec:
    """A spec file as a spec, or a model file (``.keras``, Keras JSON) imported as one: what ``graphspec diff`` compares.

    A ``.json`` file is a spec when it has a ``graphspec`` key, else a Keras
    config. Every file is read through the read limits before it is parsed
    (a spec within ``limits.max_bytes``, a model within ``limits.max_model_bytes``).

    Raises:
        SpecError: as :func:`graphspec.load` and :func:`from_keras`.
    """
    from graphspec.pipeline import load

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
    keras = import_keras()
    names = sorted(n for n in dir(keras.applications) if n[:1].isupper() and callable(getattr(keras.applications, n)))
    if name not in names:
        hint = did_you_mean(name, names, otherwise="known: " + ", ".join(names))
        raise _fail(Code.BAD_MODEL, f"{name!r} is not a keras.applications model", hint)
    return getattr(keras.applications, name)(weights=None)


# ---------------------------------------------------------------------------
# sources


def _custom_objects() -> dict[str, Any]:
    """Registered layers and objects for Keras' loader, under the name Keras saved them by (the class name) too."""
    from graphspec.catalog.objects import OBJECT_KINDS, registered_objects

    registered: dict[str, Any] = dict(catalog.registered_layers())
    for kind in OBJECT_KINDS:
        registered.update(registered_objects(kind))
    return {**{obj.__name__: obj for obj in registered.values()}, **registered}


def _load_model(source: Any, limits: Limits, budget: Budget) -> Any:
    """The live model of a source; files and text are checked against the read limits before TensorFlow loads."""
    from graphspec.importer import model_files as _model_files
    from graphspec.pipeline import text_not_path
    from graphspec.source import parse_data

    hint = "custom layers must be registered with graphspec.register_layer first; Lambda layers are refused in safe mode"
    bounds: dict[str, Any] = {"budget": budget, "custom_objects": _custom_objects(), "hint": hint}
    if isinstance(source, str):
        if not source.lstrip().startswith("{"):
            raise SpecError([replace(text_not_path(source, "Keras JSON text", "not JSON"), code=Code.BAD_MODEL)])
        check_model_text(source, limits, "<json>")
        return _json_model(source, "<json>", bounds)
    if isinstance(source, Mapping):
        # Checked as plain data first: json.dumps would recurse once per level of a deep mapping.
        data = parse_data(source, Limits(max_depth=limits.max_model_depth, max_values=sys.maxsize)).data
        text = json.dumps(data)
        check_model_text(text, limits, "<config>")
        return _json_model(text, "<config>", bounds)
    if isinstance(source, os.PathLike):
        path = FsPath(source)
        if path.suffix == ".keras":
            return _model_files.keras_file_model(path, limits=limits, **bounds)
        if path.suffix == ".json":
            return _json_model(read_model_text(path, limits), shown_path(path), bounds)
        raise _fail(Code.IO_ERROR, f"{path}: not a .keras or .json file", "import a .keras file or the JSON of model.to_json()")
    if isinstance(source, import_keras().Model):
        return source
    raise TypeError(f"from_keras takes a keras.Model, a path, JSON text or a config mapping; got {type(source).__name__}")


def _json_model(text: str, where: str, bounds: dict[str, Any]) -> Any:
    """A model from Keras JSON text already held to the read limits (so ``json.loads`` cannot
    recurse or balloon), counted by :mod:`graphspec.importer.model_files`: a Keras 3 config through
    ``model_from_json``, a Keras 1 or 2 one through Keras' legacy loader."""
    from graphspec.importer import model_files as _model_files

    try:
        data = json.loads(text)
    except ValueError as exc:
        raise _fail(Code.BAD_MODEL, f"{where}: not valid JSON: {exc}", "give the JSON that model.to_json() writes") from None
    _refuse_layers(data, where)
    version = _keras2_version(data)
    if version is None:
        return _model_files.keras_text_model(text, where, **bounds)
    return _model_files.keras_text_model(
        json.dumps(keras2_config(data)),
        where,
        **{**bounds, "hint": "load it with Keras 2 and save it again with Keras 3 (model.save('model.keras')), or rebuild the model in Keras 3"},
        loader=_from_legacy,
        failed=f"a Keras {version} model config; Keras 3 cannot read it, and Keras' legacy loader failed",
    )


def _keras2_version(data: Any) -> str | None:
    """``"2.x"`` (or the version it records) for a model config written by Keras 1 or 2, which Keras 3's
    ``model_from_json`` cannot read (no ``module`` keys); ``None`` for anything else."""
    if not isinstance(data, Mapping) or "module" in data or data.get("class_name") not in ("Model", "Functional", "Sequential"):
        return None
    version = data.get("keras_version")
    if isinstance(version, str) and version.startswith("3"):
        return None
    return f"{version}" if isinstance(version, str) else "2.x"


def _from_legacy(text: str, custom_objects: Mapping[str, Any]) -> Any:
    """A Keras 2 model config (made readable by :func:`keras2_config`) through Keras' own legacy loader,
    the one it reads legacy .h5 files with."""
    from keras.src.legacy.saving import saving_utils

    return saving_utils.model_from_config(json.loads(text), custom_objects=dict(custom_objects))


def keras2_config(data: Mapping[str, Any]) -> dict[str, Any]:
    """A Keras 2 model config as Keras 3's legacy loader reads it right: a copy with the Keras 2
    arguments Keras 3 removed left out where they change nothing (``time_major: false``), and a
    Sequential's input declared by an ``InputLayer`` (see :func:`_sequential_input`)."""
    return _sequential_input(copy.deepcopy(dict(data)))


# Arguments Keras 2 wrote that Keras 3 no longer takes, at the value that changes nothing (left out before loading).
_KERAS2_NO_OPS = {"time_major": False}


def _keras2_no_ops(value: Any) -> None:
    """Leave out the Keras 2 arguments Keras 3 removed where they are at the value that changes nothing."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            config = item.get("config")
            if isinstance(config, dict) and "class_name" in item:
                for key, neutral in _KERAS2_NO_OPS.items():
                    if key in config and config[key] == neutral and type(config[key]) is type(neutral):
                        del config[key]
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _sequential_input(data: dict[str, Any]) -> dict[str, Any]:
    """A Keras 2 Sequential declares its input as ``batch_input_shape`` on its first layer; Keras 3's
    legacy loader passes that as ``input_shape`` (batch included), which adds a dimension. An
    explicit ``InputLayer`` with that batch shape keeps the model's shape. Keras 2.0 and 2.1 wrote a
    Sequential's config as the bare list of its layers, which the legacy loader cannot read."""
    _keras2_no_ops(data)
    if data.get("class_name") != "Sequential":
        return data
    if isinstance(data.get("config"), list):
        data["config"] = {"name": "sequential", "layers": data["config"]}
    config = data.get("config")
    layers = config.get("layers") if isinstance(config, dict) else config
    if not isinstance(layers, list) or not layers or not isinstance(layers[0], dict) or not isinstance(layers[0].get("config"), dict):
        return data
    first = layers[0]["config"]
    shape = first.pop("batch_input_shape", None)
    if shape is not None and layers[0].get("class_name") != "InputLayer":
        dtype = first.get("dtype") if isinstance(first.get("dtype"), str) else "float32"
        layers.insert(0, {"class_name": "InputLayer", "config": {"batch_shape": shape, "dtype": dtype}})
    return data


def _refuse_layers(data: Any, where: str) -> None:
    """Refuse a config naming a layer that loads code or files (``TFSMLayer``) before Keras builds it:
    importing it would run that loading, and a spec refuses the layer anyway."""
    refused = {"TFSMLayer", "TorchModuleWrapper", "JaxLayer", "FlaxLayer"}
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, Mapping):
            if value.get("class_name") in refused:
                info = catalog.layer_info(str(value["class_name"]))
                reason = info.refused if info is not None else "it carries or loads code"
                raise _fail(Code.UNSUPPORTED_MODEL, f"{where}: the model holds a {value['class_name']} layer, which a spec refuses: {reason}", "rewrite it as a registered Layer subclass")
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)


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
    cls = registered.get(class_name) or getattr(keras.layers, class_name, None) or {"Functional": keras.Model, "Sequential": keras.Sequential}.get(class_name)
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
        from graphspec.spec import parse_model

        model, problems = parse_model(value["model"])
        if model is None:
            raise SpecError(problems)
        built = build_submodel(model)
        if value.get("trainable") is False:
            built.trainable = False
        return built
    return _construct(value["layer"], {k: x for k, x in value.items() if k != "layer"})


def _config_of(name: str, args: Mapping[str, Any], build: Mapping[str, Any] | None = None) -> Any:
    """The comparable config of the layer these arguments make (built for ``build``'s input shape, without allocating)."""
    keras = import_keras()
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
    if info is not None and info.custom is not None and _is_serialized_layer(value):
        return _nested_layer(value, f"{where}.{key}")  # a registered layer may take layers as arguments
    plain = _plain(value)
    if _contains_mapping(plain):
        raise _fail(Code.UNSUPPORTED_MODEL, f"{where}: argument {key!r} holds a mapping, which a spec cannot pass to a layer", "only plain data (numbers, strings, lists) can be imported")
    return plain


def _is_serialized_layer(value: Any) -> bool:
    """A serialized layer (``{module, class_name, config}``) of a class in the catalogue or registered."""
    if not (isinstance(value, Mapping) and isinstance(value.get("class_name"), str) and isinstance(value.get("config"), Mapping)):
        return False
    name = str(value["class_name"])
    return (catalog.layer_info(name) is not None and str(value.get("module", "")).startswith("keras")) or any(
        cls.__name__ == name for cls in catalog.registered_layers().values()
    )


def _contains_mapping(value: Any) -> bool:
    if isinstance(value, Mapping):
        return True
    return isinstance(value, list) and any(_contains_mapping(v) for v in value)


def _nested_layer(value: Any, where: str) -> dict[str, Any]:
    """A serialized nested layer (``Bidirectional``'s ``layer``, an RNN ``cell``) as ``{layer: Name, ...}``,
    or a wrapped model (``TimeDistributed`` of a functional model) as ``{model: {...}}``."""
    if not (isinstance(value, Mapping) and isinstance(value.get("class_name"), str)):
        raise _fail(Code.UNSUPPORTED_MODEL, f"{where}: expected a serialized layer")
    keras = import_keras()
    layer = keras.layers.deserialize(dict(value), custom_objects=_custom_objects())
    if isinstance(layer, keras.Model):
        return _wrapped_model(layer)
    name = layer_class_name(layer, where)
    return {"layer": name, **minimal_args(name, layer.get_config(), where, nested=True)}


def _wrapped_model(model: Any) -> dict[str, Any]:
    from graphspec.importer._graph import ModelImporter, valid_name

    sub = ModelImporter(model, depth=1).body()
    if isinstance(model, import_keras().Sequential):
        sub = {"sequential": True, **sub}
    if valid_name(model.name, set()) == model.name:
        sub = {"name": model.name, **sub}
    return {"model": sub, **({} if model.trainable else {"trainable": False})}


def minimal_args(name: str, config: Mapping[str, Any], where: str, build: Mapping[str, Any] | None = None, nested: bool = False) -> dict[str, Any]:
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
        extra = [k for k in self.unknown if not isinstance(rebuilt, Mapping) or rebuilt.get(k, _MISSING) != self.target.get(k, _MISSING)]
        if missing:
            detail = f": its config lacks {', '.join(map(repr, missing))}, which the constructor requires"
        elif extra:
            detail = f": its config has {', '.join(map(repr, extra))}, which the constructor does not take"
        else:
            detail = ": a layer built from its config has another config"
        hint = "graphspec imports layers whose get_config() round-trips through the constructor (Keras' own from_config needs the same)"
        return _fail(Code.UNSUPPORTED_MODEL, f"layer {where!r} ({self.name}) cannot be rebuilt from its config{detail}", hint)

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
