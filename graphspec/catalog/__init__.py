"""Stage 4a, the layer catalogue: does each node name a real layer, with arguments it takes?

The catalogue (``catalog.json``, generated from the installed Keras by
:mod:`graphspec.catalog._build`) lists every class in ``keras.layers`` with its
constructor parameters, and the allow-lists of activations, initializers,
regularizers, constraints, losses, metrics, optimizers and callbacks. Checking a
spec against it needs no TensorFlow.

Safety rule enforced here: a mapping-valued argument reaches Keras only where
graphspec itself turns it into an object: a nested layer (``Bidirectional``'s
``wraps``) or an allow-listed ``{class_name, config}``. Everywhere else a mapping
is refused, because Keras would hand it to its generic deserializer.
"""

from __future__ import annotations

import functools
import inspect
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphspec._util.files import looks_absolute
from graphspec._util.suggest import did_you_mean
from graphspec.catalog.objects import registered_object, registered_objects
from graphspec.errors import Code, Diagnostic, Path
from graphspec.source import bool_hint, number_hint
from graphspec.spec import MAX_MODEL_DEPTH, NODE_KINDS
from graphspec.spec.op_values import check_value as check_op_value

__all__ = [
    "CALLBACK_FILE_ARGS",
    "REFUSED_CALLBACKS",
    "LayerInfo",
    "ObjectInfo",
    "OpInfo",
    "check_fit",
    "check_layer_args",
    "check_nodes",
    "check_object",
    "check_op_args",
    "layer_info",
    "layer_names",
    "object_names",
    "op_for_class",
    "op_info",
    "op_names",
    "register_callback",
    "register_layer",
    "registered_callbacks",
    "registered_layers",
    "unregister_callback",
    "unregister_layer",
]

_STRUCTURAL_HINTS = {
    "name": "a node's name is its key under `nodes:`",
    "input_shape": "declare shapes in the `inputs:` section",
    "input_dim": "declare shapes in the `inputs:` section",
    "batch_input_shape": "declare shapes in the `inputs:` section",
    "batch_size": "declare the batch size in the `inputs:` section",
    "input_length": "declare the sequence length in the input's `shape`",
    "from": "`from` belongs to an output, not a node",
}

# Metric names Keras resolves specially (they depend on the loss), not via its registry.
_SPECIAL_METRICS = ("acc", "accuracy", "ce", "crossentropy")

DTYPE_POLICIES = ("mixed_float16", "mixed_bfloat16")


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


_registry: dict[str, type] = {}


def register_layer(cls: type, name: str | None = None) -> type:
    """Allow specs to use a custom Keras layer class as ``layer: <name>``.

    This is the only way code enters a spec: the class is yours, registered in
    Python. Usable as a decorator. Raises ``ValueError`` if the name is taken by a
    built-in layer or by another registered class.
    """
    key = name or cls.__name__
    if key in _data()["layers"]:
        raise ValueError(f"{key!r} is a built-in Keras layer; register the class under another name")
    if key in _registry and _registry[key] is not cls:
        raise ValueError(f"{key!r} is already registered to {_registry[key]!r}")
    _registry[key] = cls
    layer_info.cache_clear()
    return cls


_callbacks: dict[str, type] = {}


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


def unregister_layer(name: str) -> None:
    _registry.pop(name, None)
    layer_info.cache_clear()


def registered_layers() -> dict[str, type]:
    return dict(_registry)


def layer_names() -> list[str]:
    return sorted([*_data()["layers"], *_registry])


@functools.cache
def layer_info(name: str) -> LayerInfo | None:
    """Catalogue entry for a layer name, or ``None`` if no such layer exists."""
    if name in _registry:
        return _custom_info(name, _registry[name])
    entry = _data()["layers"].get(name)
    if entry is None:
        return None
    return LayerInfo(
        name,
        tuple(_param(p) for p in entry["params"]),
        entry["forwards_base_kwargs"],
        entry["family"],
        entry.get("refused"),
        call=tuple(Param(p["name"], p["required"], p.get("default"), positional=p["positional"]) for p in entry.get("call", ())),
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
        params.append(Param(p.name, p.default is p.empty, None if p.default is p.empty else p.default, positional=p.kind is not p.KEYWORD_ONLY))
    return tuple(params), any(p.kind is p.VAR_KEYWORD for p in found)


@functools.cache
def _objects(kind: str) -> dict[str, ObjectInfo]:
    table = _data()["objects"].get(kind, {})
    return {n: ObjectInfo(kind, n, e["kind"] == "class", e["target"], tuple(_param(p) for p in e["params"]), e["var_kwargs"]) for n, e in table.items()}


def builtin_object_names(kind: str) -> list[str]:
    """The names of Keras' own objects of a kind (without registered ones)."""
    names = list(_objects(kind))
    if kind == "metric":
        names += list(_SPECIAL_METRICS)
    return sorted(names)


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
            yield Diagnostic(Code.UNKNOWN_OBJECT, f"unknown {kind} {value!r}", path, did_you_mean(value, names) or _list_hint(kind, names))
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
        yield Diagnostic(Code.WRONG_TYPE, f"{_a(kind)} is a name or a mapping with class_name and config; got {type(value).__name__}", path)
        return
    for extra in sorted(set(value) - {"class_name", "config"}):
        yield Diagnostic(Code.UNKNOWN_KEY, f"unknown key {extra!r} in {_a(kind)} mapping", (*path, extra), "write {class_name: ..., config: {...}}", at_key=True)
    class_name = value.get("class_name")
    config = value.get("config", {})
    config_ok = isinstance(config, Mapping)
    if not config_ok:
        yield Diagnostic(Code.WRONG_TYPE, f"`config` must be a mapping of keyword arguments; got {type(config).__name__}", (*path, "config"))
    if "class_name" not in value:
        yield Diagnostic(Code.MISSING_KEY, f"{_a(kind)} mapping needs `class_name`", path, "write {class_name: ..., config: {...}}")
        return
    if not isinstance(class_name, str):
        yield Diagnostic(Code.WRONG_TYPE, f"`class_name` must be the name of {_a(kind)}; got {type(class_name).__name__}", (*path, "class_name"))
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
            "use a layer node (LeakyReLU, ReLU, ELU, ...) for a parameterised activation" if kind == "activation" else None,
        )
        return
    config_path = (*path, "config") if "config" in value else path
    yield from _check_kwargs(config, info.params, info.var_kwargs, f"{kind} {class_name!r}", config_path, NESTED_OBJECTS.get(kind, {}))


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
    config: Mapping[str, Any], params: tuple[Param, ...], var_kwargs: bool, owner: str, path: Path, nested: Mapping[str, str] | None = None
) -> Iterator[Diagnostic]:
    known = [p.name for p in params]
    for key, val in config.items():
        if key not in known and not var_kwargs:
            yield Diagnostic(Code.UNKNOWN_ARGUMENT, f"{owner} takes no argument {key!r}", (*path, key), did_you_mean(key, known), at_key=True)
        if nested and key in nested and isinstance(val, Mapping):
            yield from check_object(nested[key], val, (*path, key))
            continue
        inner = _mapping_inside(val, (*path, key))
        if inner is not None:
            yield Diagnostic(Code.BAD_ARGUMENT, f"argument {key!r} of {owner} must be plain data, not a mapping", inner)
    for p in params:
        if p.required and p.name not in config:
            yield Diagnostic(Code.MISSING_ARGUMENT, f"{owner} needs argument {p.name!r}", path)


_VOCAB_LAYERS = {"StringLookup", "IntegerLookup", "TextVectorization"}
_FILE_PARAMS = {"vocabulary", "idf_weights"}


def check_layer_args(layer: Any, args: Mapping[str, Any], path: Path, args_path: Path | None = None) -> Iterator[Diagnostic]:
    """Check one layer name and its constructor arguments.

    ``path`` locates the ``layer:`` value; ``args_path`` the mapping holding the
    arguments (they sit beside ``layer`` in a spec, so by default the same node).
    """
    args_path = path[:-1] if args_path is None else args_path
    if not isinstance(layer, str):
        yield Diagnostic(Code.WRONG_TYPE, f"`layer` must be a layer class name; got {type(layer).__name__}", path)
        return
    info = layer_info(layer)
    if info is None:
        by_path = "layers are named by class (`Dense`), never by import path; custom layers need graphspec.register_layer"
        yield _unknown(Code.UNKNOWN_LAYER, "layer", layer, layer_names(), path, by_path, "see `keras.layers` for the catalogue, or register a custom layer")
        return
    if info.refused:
        yield Diagnostic(Code.REFUSED_LAYER, f"layer {layer!r} is refused: {info.refused}", path)
        return
    for key, value in args.items():
        kpath = (*args_path, key)
        if not info.accepts(key):
            accepted = info.accepted()
            hint = _STRUCTURAL_HINTS.get(key) or did_you_mean(key, accepted) or ("it takes: " + ", ".join(accepted) if accepted else f"{layer} takes no arguments")
            yield Diagnostic(Code.UNKNOWN_ARGUMENT, f"{layer} takes no argument {key!r}", kpath, hint, at_key=True)
            continue
        yield from _check_value(info, key, value, kpath)
    for name in info.required:
        if name not in args:
            yield Diagnostic(Code.MISSING_ARGUMENT, f"{layer} needs argument {name!r}", args_path, f"add `{name}: ...` to the node")


def _unknown(code: Code, what: str, name: str, names: list[str], path: Path, by_path: str, otherwise: str) -> Diagnostic:
    """An unknown layer or op name: the closest names, or why an import path is no name."""
    hint = by_path if re.search(r"[.:/]", name) else did_you_mean(name, names)
    return Diagnostic(code, f"unknown {what} {name!r}", path, hint or otherwise)


def _check_value(info: LayerInfo, key: str, value: Any, path: Path) -> Iterator[Diagnostic]:
    param = info.param(key)
    if param is not None and param.layer_valued:
        yield from _check_nested_layers(param.layer_valued, value, path, param.required, info.name)
        return
    kind = object_kind(key)
    if kind is not None:
        yield from check_object(kind, value, path)
        return
    if key == "dtype":
        yield from _check_dtype(value, path)
        return
    if info.name in _VOCAB_LAYERS and key in _FILE_PARAMS and isinstance(value, str):
        yield Diagnostic(Code.BAD_ARGUMENT, f"{key!r} as a string is a file path, which a spec may not read", path, f"write the {key} inline as a list")
        return
    if info.custom is not None and isinstance(value, Mapping) and "layer" in value:
        yield from _check_nested_layers("one", value, path)  # graphspec builds it, as a wrapper's layer
        return
    if info.custom is None:
        yield from _check_plain_value(info, key, info.param_or_base(key), value, path)
        inner = _mapping_inside(value, path)
        if inner is not None:
            yield Diagnostic(
                Code.BAD_ARGUMENT,
                f"argument {key!r} of {info.name} takes plain data (numbers, strings, lists), not a mapping",
                inner,
                "mappings are only accepted for activations, initializers, regularizers and constraints ({class_name, config}) and nested layers",
            )


# Value rules for the arguments people write most; other arguments are held to
# the type of their default (a bool default takes a bool, a float one a number).
_POSITIVE_INT = ("units", "filters", "input_dim", "output_dim", "num_heads", "key_dim", "depth_multiplier", "n", "num_bins")
_SIZE = ("kernel_size", "pool_size", "strides", "dilation_rate", "size")
_RATE = ("rate", "dropout", "recurrent_dropout")
_CHOICES = {
    "padding": ("valid", "same", "causal"),
    "data_format": ("channels_last", "channels_first"),
    "merge_mode": ("concat", "sum", "ave", "mul"),
}


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _check_plain_value(info: LayerInfo, key: str, param: Param | None, value: Any, path: Path) -> Iterator[Diagnostic]:
    owner = f"{info.name}.{key}"
    if value is None:
        if param is not None and param.required:
            yield Diagnostic(Code.WRONG_TYPE, f"{owner} is required and cannot be null", path, f"give {key} a value")
        return
    if key in _CHOICES and isinstance(value, str) and (param is None or param.default is None or isinstance(param.default, str)):
        choices = _CHOICES[key]
        if value not in choices:
            hint = did_you_mean(value, choices, otherwise="choose one of " + ", ".join(repr(c) for c in choices))
            yield Diagnostic(Code.BAD_VALUE, f"{owner} must be one of {', '.join(repr(c) for c in choices)}; got {value!r}", path, hint)
        return
    if key in _POSITIVE_INT:
        if not _is_int(value) or value < 1:
            yield Diagnostic(_type_or_value(value, _is_int), f"{owner} must be a positive integer; got {value!r}", path, number_hint(value, integer=True))
        return
    if key in _SIZE:
        items = value if isinstance(value, list) else [value]
        if not items or not all(_is_int(v) and v >= 1 for v in items):
            yield Diagnostic(
                _type_or_value(value, lambda v: _is_int(v) or (isinstance(v, list) and all(_is_int(i) for i in v))),
                f"{owner} must be a positive integer or a list of them; got {value!r}",
                path,
                number_hint(value, integer=True),
            )
        return
    if key in _RATE:
        if not _is_number(value) or not 0 <= value < 1:
            yield Diagnostic(_type_or_value(value, _is_number), f"{owner} must be a number in [0, 1); got {value!r}", path, number_hint(value, integer=False))
        return
    default = param.default if param is not None else None
    if isinstance(default, bool):
        if not isinstance(value, bool):
            yield Diagnostic(Code.WRONG_TYPE, f"{owner} must be true or false; got {value!r}", path, bool_hint(value) or "write true or false")
    elif isinstance(default, float):
        if not _is_number(value):
            yield Diagnostic(Code.WRONG_TYPE, f"{owner} must be a number; got {value!r}", path, number_hint(value, integer=False))
    elif _is_int(default):
        if not (_is_int(value) or (isinstance(value, list) and all(_is_int(v) for v in value))):
            yield Diagnostic(Code.WRONG_TYPE, f"{owner} must be an integer; got {value!r}", path, number_hint(value, integer=True))
    elif isinstance(default, str) and not isinstance(value, str):
        yield Diagnostic(Code.WRONG_TYPE, f"{owner} must be a string such as {default!r}; got {value!r}", path)


def _type_or_value(value: Any, right_type: Any) -> Code:
    return Code.BAD_VALUE if right_type(value) else Code.WRONG_TYPE


# Wrappers that take a whole model as their layer (`wraps: {model: {...}}`): Keras applies it per timestep.
MODEL_WRAPPERS = frozenset({"TimeDistributed"})


def _check_wrapped_model(value: Mapping[str, Any], path: Path, wrapper: str | None) -> Iterator[Diagnostic]:
    """``wraps: {model: {inputs, nodes, outputs}, trainable: false}``: a nested model as a wrapper's layer."""
    from graphspec.catalog.calls import check_calls
    from graphspec.spec import parse_model

    if wrapper not in MODEL_WRAPPERS:
        yield Diagnostic(Code.BAD_SUBMODEL, f"{wrapper} cannot wrap a model", (*path, "model"), f"models can be wrapped by {', '.join(sorted(MODEL_WRAPPERS))}; use a `model:` node", at_key=True)
        return
    for key in sorted(set(value) - {"model", "trainable"}):
        yield Diagnostic(Code.UNKNOWN_KEY, f"a wrapped model takes only `trainable` beside it; got {key!r}", (*path, key), at_key=True)
    if "trainable" in value and not isinstance(value["trainable"], bool):
        yield Diagnostic(Code.WRONG_TYPE, f"trainable must be true or false; got {value['trainable']!r}", (*path, "trainable"), bool_hint(value["trainable"]) or "write true or false")
    model, problems = parse_model(value["model"])
    yield from (d.prefixed((*path, "model")) for d in problems)
    if model is not None and len(path) // 3 <= MAX_MODEL_DEPTH:
        yield from check_submodel(model, path)
        yield from check_calls(model.nodes, (*path, "model"))


def _check_nested_layers(how: str, value: Any, path: Path, required: bool = False, wrapper: str | None = None) -> Iterator[Diagnostic]:
    if how == "many" or (how == "one_or_many" and isinstance(value, list)):
        if not isinstance(value, list) or not value:
            yield Diagnostic(Code.WRONG_TYPE, "expected a non-empty list of layers, each {layer: Name, ...}", path)
            return
        for i, item in enumerate(value):
            yield from _check_nested_layers("one", item, (*path, i))
        return
    if value is None and how == "one" and not required:
        return
    if isinstance(value, Mapping) and "model" in value and "layer" not in value:
        yield from _check_wrapped_model(value, path, wrapper)
        return
    if not isinstance(value, Mapping) or "layer" not in value:
        yield Diagnostic(Code.WRONG_TYPE, "expected a nested layer {layer: Name, ...arguments}", path, "for example `wraps: {layer: LSTM, units: 32}`")
        return
    for key in ("inputs", "share"):
        if key in value:
            yield Diagnostic(Code.UNKNOWN_KEY, f"a nested layer takes no {key!r}; it receives its wrapper's input", (*path, key), at_key=True)
    args = {k: v for k, v in value.items() if k not in ("layer", "inputs", "share")}
    yield from check_layer_args(value["layer"], args, (*path, "layer"), path)


def _check_dtype(value: Any, path: Path) -> Iterator[Diagnostic]:
    from graphspec.spec import DTYPES

    allowed = [*DTYPES, *DTYPE_POLICIES]
    if value is not None and value not in allowed:
        hint = did_you_mean(str(value), allowed) or "write a dtype name such as float32 or mixed_float16"
        yield Diagnostic(Code.BAD_ARGUMENT, f"dtype must be a dtype or policy name; got {value!r}", path, hint)


def check_nodes(nodes: Mapping[str, Any], prefix: Path = ()) -> list[Diagnostic]:
    """Check every layer, op and nested model node against the catalogue (``share`` nodes are the graph's job).

    ``prefix`` locates the nodes of a nested model (``nodes.enc.model``).
    """
    diags: list[Diagnostic] = []
    for name, node in nodes.items():
        npath: Path = (*prefix, "nodes", name)
        # The common case first: a layer node and no other kind (NODE_KINDS spelled out; this runs for every node).
        if node.layer is not None and node.share is None and node.model is None and node.op is None:
            diags.extend(check_layer_args(node.layer, node.args, (*npath, "layer"), npath))
            continue
        kinds = [k for k in NODE_KINDS if getattr(node, k, None) is not None]
        if not kinds:
            diags.append(Diagnostic(Code.MISSING_KEY, f"node {name!r} needs `layer: <class name>` (or `share: <node>`, `model:`, `op:`)", npath, "for example `layer: Dense`"))
            continue
        if kinds == ["layer", "share"]:
            diags.append(Diagnostic(Code.BAD_SHARE, f"node {name!r} has both `layer` and `share`", (*npath, "share"), "keep `share` to reuse a layer, or `layer` to make a new one", at_key=True))
            continue
        if len(kinds) > 1:
            diags.append(_two_kinds(name, kinds, npath))
            continue
        if node.share is not None:
            if getattr(node, "keras_name", None) is not None:
                message = f"node {name!r} calls {node.share!r}'s layer, whose Keras name is that node's"
                diags.append(Diagnostic(Code.BAD_SHARE, message, (*npath, "keras_name"), "set `keras_name` on the node that declares the layer", at_key=True))
            if node.args:
                key = next(iter(node.args))
                message = f"node {name!r} shares {node.share!r}'s layer and cannot set its arguments (got {key!r})"
                diags.append(Diagnostic(Code.BAD_SHARE, message, (*npath, key), "set arguments on the node that declares the layer", at_key=True))
            continue
        if node.model is not None:
            diags.extend(_check_model_node(node, npath))
        elif node.op is not None:
            diags.extend(check_op_args(node.op, node.args, len(node.inputs), (*npath, "op"), npath, node.call))
        else:
            diags.extend(check_layer_args(node.layer, node.args, (*npath, "layer"), npath))
    return diags


# Keras builds an object per loss, metric and callback, and compile/fit walk them every step:
# a spec may not ask for more than these (150,000 metrics on one output ran past 60 s).
MAX_METRICS = 1_000
MAX_LOSSES = 1_000
MAX_CALLBACKS = 100


def check_training(outputs: Mapping[str, Any], compile: Any) -> list[Diagnostic]:
    """Check losses and metrics of every output, and the optimizer, against the allow-lists and their counts."""
    counted = _count_objects(outputs)
    if counted:
        return counted
    diags: list[Diagnostic] = []
    for name, out in outputs.items():
        if out.loss is not None:
            diags.extend(check_object("loss", out.loss, ("outputs", name, "loss")))
        for what in ("metrics", "weighted_metrics"):
            for i, metric in enumerate(getattr(out, what)):
                diags.extend(check_object("metric", metric, ("outputs", name, what, i)))
    if compile is not None:
        diags.extend(check_object("optimizer", compile.optimizer, ("compile", "optimizer")))
    return diags


def _count_objects(outputs: Mapping[str, Any]) -> list[Diagnostic]:
    """Refuse more losses or metrics than Keras should build, before checking each (which would take as long)."""
    metrics = {name: len(out.metrics) for name, out in outputs.items() if out.metrics}
    losses = sum(out.loss is not None for out in outputs.values())
    diags = []
    if sum(metrics.values()) > MAX_METRICS:
        most = max(metrics, key=lambda n: metrics[n])
        message = f"the outputs ask for {sum(metrics.values()):,} metrics ({metrics[most]:,} on {most!r}); at most {MAX_METRICS:,} are allowed"
        diags.append(Diagnostic(Code.BAD_VALUE, message, ("outputs", most, "metrics"), "keep the metrics you read; each is an object Keras updates every step"))
    if losses > MAX_LOSSES:
        diags.append(Diagnostic(Code.BAD_VALUE, f"{losses:,} outputs have a loss; at most {MAX_LOSSES:,} are allowed", ("outputs",), "train fewer outputs at once"))
    return diags


# training and data: the `fit:` section's callbacks and settings

# Callbacks of keras.callbacks a spec may not name, and why (left out of the catalogue).
REFUSED_CALLBACKS: dict[str, str] = {
    "LambdaCallback": "it runs Python functions; write a Callback subclass and register it with graphspec.register_callback",
    "LearningRateScheduler": "its schedule is a Python function; use ReduceLROnPlateau, or a registered callback",
    "RemoteMonitor": "it sends training logs over the network",
    "Callback": "it is the abstract base class; register a subclass with graphspec.register_callback",
    "CallbackList": "Keras builds it from the list itself",
    "History": "Keras adds it to every fit; the run folder's history.json holds it",
    "ProgbarLogger": "Keras adds it to every fit (the progress bar)",
    "OrbaxCheckpoint": "it needs the optional orbax package; use ModelCheckpoint or BackupAndRestore",
}

# The argument of each file-writing callback that names where it writes; relative to the run folder.
CALLBACK_FILE_ARGS: dict[str, str] = {"ModelCheckpoint": "filepath", "CSVLogger": "filename", "TensorBoard": "log_dir", "BackupAndRestore": "backup_dir"}
# Where each writes when the spec names it without that argument.
CALLBACK_DEFAULT_FILES: dict[str, str] = {"ModelCheckpoint": "checkpoint.keras", "CSVLogger": "log.csv", "TensorBoard": "logs", "BackupAndRestore": "backup"}


def check_fit(fit: Any, n_outputs: int) -> list[Diagnostic]:
    """Check the ``fit:`` section: callbacks against the allow-list, their file paths, class weights."""
    if fit is None:
        return []
    if len(fit.callbacks) > MAX_CALLBACKS:
        return [Diagnostic(Code.BAD_VALUE, f"fit asks for {len(fit.callbacks):,} callbacks; at most {MAX_CALLBACKS} are allowed", ("fit", "callbacks"), "Keras calls every callback at every batch")]
    diags: list[Diagnostic] = []
    clean: list[Any] = []  # the callbacks without a problem of their own (None in place of the others)
    for i, callback in enumerate(fit.callbacks):
        path: Path = ("fit", "callbacks", i)
        clean.append(None)
        name = callback if isinstance(callback, str) else callback.get("class_name")
        if isinstance(name, str) and name in REFUSED_CALLBACKS:
            diags.append(Diagnostic(Code.UNKNOWN_OBJECT, f"callback {name!r} is refused: {REFUSED_CALLBACKS[name]}", path if isinstance(callback, str) else (*path, "class_name")))
            continue
        found = list(check_object("callback", callback, path))
        if not found and isinstance(callback, Mapping):
            found = _check_callback_path(str(name), callback.get("config") or {}, (*path, "config"))
        diags += found
        clean[-1] = None if found else callback
    diags += _check_backup(clean)
    if fit.class_weight is not None and n_outputs > 1:
        hint = "Keras takes class_weight for single-output models only; weight the outputs with loss_weight, or pass sample weights"
        diags.append(Diagnostic(Code.BAD_VALUE, f"class_weight needs a model with one output; this one has {n_outputs}", ("fit", "class_weight"), hint))
    return diags


# What `graphspec fit` writes in a run folder itself; a callback writing there would be overwritten
# (graphspec.train.ARTEFACTS and the run's manifest; a test keeps them in step).
_RUN_FOLDER_FILES = ("spec.yaml", "model.keras", "history.json", "history.csv", "history.png", "model.svg", "run.json")


def _callback_folder(callback: Any) -> tuple[str, str, Any] | None:
    """A file-writing callback's name, its path in the run folder (normalised) and that path as written."""
    import posixpath

    name = callback if isinstance(callback, str) or callback is None else callback.get("class_name")
    if name not in CALLBACK_FILE_ARGS:
        return None
    config = {} if isinstance(callback, str) else (callback.get("config") or {})
    value = config.get(CALLBACK_FILE_ARGS[name]) if isinstance(config, Mapping) else None
    value = CALLBACK_DEFAULT_FILES[name] if value is None else value
    return (name, posixpath.normpath(value.replace("\\", "/")), value) if isinstance(value, str) and value.strip() else None


def _check_backup(callbacks: list[Any]) -> list[Diagnostic]:
    """``BackupAndRestore``'s folder is graphspec's alone: not the run folder, nor holding or inside another callback's files.

    Keras removes the backup folder when training ends, and a folder given to it may
    hold nothing else (its docs). graphspec removes only what it wrote there, but a
    spec's meaning must not depend on that: the backup's folder is its own.
    """
    found = [(i, _callback_folder(c)) for i, c in enumerate(callbacks)]
    paths = [(i, f) for i, f in found if f is not None]
    diags: list[Diagnostic] = []
    for i, (name, folder, written) in paths:
        if name != "BackupAndRestore":
            continue
        where: Path = ("fit", "callbacks", i, "config", "backup_dir")
        if folder == ".":
            message = f"BackupAndRestore.backup_dir {written!r} is the run folder itself; the backup needs a folder of its own (Keras removes it when training ends)"
            diags.append(Diagnostic(Code.BAD_VALUE, message, where, "write a subfolder name, such as 'backup'"))
            continue
        for j, (other, path, _) in paths:
            if j != i and (path == folder or path.startswith(folder + "/") or folder.startswith(path + "/")):
                message = f"BackupAndRestore.backup_dir {written!r} shares {path!r} with {other} (fit.callbacks[{j}]); the backup folder holds the backup alone"
                diags.append(Diagnostic(Code.BAD_VALUE, message, where, f"write another folder, such as {folder + '-backup'!r}"))
                break
        config = callbacks[i].get("config") or {} if isinstance(callbacks[i], Mapping) else {}
        if config.get("save_freq", "epoch") != "epoch":
            message = f"BackupAndRestore.save_freq {config['save_freq']!r}: graphspec backs up at the end of each epoch, where a resumed run continues exactly"
            diags.append(Diagnostic(Code.BAD_VALUE, message, ("fit", "callbacks", i, "config", "save_freq"), "leave save_freq out (it is 'epoch')"))
    return diags


def _check_callback_path(name: str, config: Mapping[str, Any], path: Path) -> list[Diagnostic]:
    arg = CALLBACK_FILE_ARGS.get(name)
    value = config.get(arg) if arg is not None else None
    if arg is None or value is None:
        return []
    import posixpath

    if not isinstance(value, str) or not value.strip():
        return [Diagnostic(Code.WRONG_TYPE, f"{name}.{arg} must be a path inside the run folder; got {value!r}", (*path, arg))]
    parts = value.replace("\\", "/").split("/")
    if looks_absolute(value) or ".." in parts or "~" in parts[:1]:
        hint = f"write a relative path such as {posixpath.basename(value.rstrip('/')) or 'out'!r}; it is placed in the run folder"
        return [Diagnostic(Code.UNSAFE_PATH, f"{name}.{arg} {value!r} leaves the run folder: paths in a spec are relative to it and may not use '..'", (*path, arg), hint)]
    norm = posixpath.normpath(value.replace("\\", "/"))
    if norm.split("/")[0] in _RUN_FOLDER_FILES:
        message = f"{name}.{arg} {value!r} is one of the run folder's own files, which training writes itself"
        return [Diagnostic(Code.BAD_VALUE, message, (*path, arg), f"use another name, such as {'callbacks/' + norm!r}")]
    if name == "ModelCheckpoint":
        return _check_checkpoint_template(value, (*path, arg)) or _check_checkpoint_suffix(value, config.get("save_weights_only") is True, (*path, arg))
    return []


# ModelCheckpoint fills its path with `filepath.format(epoch=..., batch=..., **logs)`. str.format
# reaches attributes and items (`{epoch.__class__.__doc__[5]}` picks characters such as '/' and
# '.' out of docstrings), so only the fields Keras documents pass: a name Keras fills with a
# number, with a plain format spec (no fill character, which could be '/', and a bounded width).
_TEMPLATE_FIELD = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")
_TEMPLATE_SPEC = re.compile(r"[+\- ]?0?[0-9]{0,2}[,_]?(?:\.[0-9]{1,2})?[bdeEfFgGnoxX%]?")
_INTEGER_FIELDS = ("epoch", "batch")


class _Numbers(dict[str, float | int]):
    """Sample values for every field: epochs and batches are integers, logged metrics floats."""

    def __missing__(self, key: str) -> float | int:
        return 1 if key in _INTEGER_FIELDS else -0.125


def _check_checkpoint_template(value: str, path: Path) -> list[Diagnostic]:
    """Refuse ModelCheckpoint path fields other than numbers by name, and a formatted name that would leave the folder."""
    import string

    hint = "use only fields Keras fills with numbers: {epoch}, {epoch:02d}, {batch}, metric names such as {val_loss:.2f}"
    try:
        fields = [(f, spec, conv) for _, f, spec, conv in string.Formatter().parse(value) if f is not None]
    except ValueError as exc:  # unbalanced braces
        return [Diagnostic(Code.BAD_VALUE, f"ModelCheckpoint.filepath {value!r} is not a valid template: {exc}", path, hint + "; write a literal brace as {{ or }}")]
    for field, spec, conversion in fields:
        if not _TEMPLATE_FIELD.fullmatch(field) or conversion is not None or not _TEMPLATE_SPEC.fullmatch(spec or ""):
            shown = "{" + field + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            message = f"ModelCheckpoint.filepath field {shown} is not allowed: no attribute or index access, conversions, fill characters or nested fields"
            return [Diagnostic(Code.UNSAFE_PATH, message, path, hint)]
    try:
        formatted = value.format_map(_Numbers())
    except (ValueError, TypeError) as exc:  # `{val_loss:d}`: Keras would fail only after the first epoch
        return [Diagnostic(Code.BAD_VALUE, f"ModelCheckpoint.filepath {value!r} cannot be filled in: {exc}", path, hint)]
    parts = formatted.replace("\\", "/").split("/")
    if looks_absolute(formatted) or ".." in parts:
        return [Diagnostic(Code.UNSAFE_PATH, f"ModelCheckpoint.filepath {value!r} formats to {formatted!r}, which leaves the run folder", path, hint)]
    return []


def _check_checkpoint_suffix(value: str, weights_only: bool, path: Path) -> list[Diagnostic]:
    """ModelCheckpoint's file extension, which Keras checks only when ``fit`` starts (after the run folder is made)."""
    ends = (".weights.h5",) if weights_only else (".keras", ".h5")
    if value.endswith(ends):
        return []
    what = "with save_weights_only, " if weights_only else ""
    hint = f"name it {value.removesuffix('.keras') + ends[0]!r}"
    return [Diagnostic(Code.BAD_VALUE, f"ModelCheckpoint.filepath {value!r}: {what}Keras needs a name ending in {' or '.join(ends)}", path, hint)]


# sub-models and ops: `model:` nodes (a nested spec) and `op:` nodes (a function of keras.ops)


@dataclass(frozen=True)
class OpInfo:
    """What graphspec knows about a ``keras.ops`` function: its Operation class and arguments.

    ``params`` are the Operation constructor's arguments (``axis`` of
    ``concatenate``); ``call`` the arguments of its call, which a node's
    ``inputs`` fill in order, and any left over may be given as constants.
    """

    name: str
    module: str
    class_name: str
    params: tuple[Param, ...]
    call: tuple[Param, ...]
    var_positional: bool
    takes_list: bool
    refused: str | None

    def bound(self, n_inputs: int) -> tuple[Param, ...] | None:
        """The call arguments ``n_inputs`` tensors fill (``None`` if the op takes fewer)."""
        if self.takes_list:
            return self.call[:1]
        if self.var_positional:
            return ()
        if n_inputs > len(self.call):
            return None
        return self.call[:n_inputs]

    def constants(self, n_inputs: int) -> tuple[Param, ...]:
        """The call arguments a node may give as plain values (``x2: 2.0`` for ``multiply``)."""
        bound = self.bound(n_inputs) or ()
        return tuple(p for p in self.call if p not in bound)


def op_names() -> list[str]:
    return sorted(_data()["ops"])


@functools.cache
def op_info(name: str) -> OpInfo | None:
    """Catalogue entry for an op name (a ``keras.ops`` function, ``add``), or ``None``."""
    entry = _data()["ops"].get(name)
    if entry is None:
        return None
    return OpInfo(
        name,
        entry["module"],
        entry["class_name"],
        tuple(_param(p) for p in entry["params"]),
        tuple(_param(p) for p in entry["call"]),
        entry["var_positional"],
        entry.get("takes_list", False),
        entry.get("refused"),
    )


@functools.cache
def op_for_class(module: str, class_name: str) -> str | None:
    """The op name of an Operation class as Keras records it (``keras.src.ops.numpy``, ``Add`` → ``add``)."""
    short = module.removeprefix("keras.src.ops.")
    return next((n for n, e in _data()["ops"].items() if e["module"] == short and e["class_name"] == class_name), None)


def check_op_args(op: Any, args: Mapping[str, Any], n_inputs: int, path: Path, args_path: Path, call: Mapping[str, Any] | None = None) -> Iterator[Diagnostic]:
    """Check an op name against the allow-list and its arguments against the Operation's signature
    (call arguments given as tensors under ``call:`` count as given)."""
    if not isinstance(op, str):
        yield Diagnostic(Code.WRONG_TYPE, f"`op` must be the name of a keras.ops function; got {type(op).__name__}", path)
        return
    info = op_info(op)
    if info is None:
        by_path = "ops are named as functions of keras.ops (`add`, `concatenate`), never by import path"
        yield _unknown(Code.UNKNOWN_OP, "op", op, op_names(), path, by_path, "ops are the functions of keras.ops, such as add, concatenate, reshape")
        return
    if info.refused:
        yield Diagnostic(Code.REFUSED_OP, f"op {op!r} is refused: {info.refused}", path, "write a Layer subclass and register it with graphspec.register_layer")
        return
    bound = info.bound(n_inputs)
    if bound is None:
        names = ", ".join(p.name for p in info.call)
        yield Diagnostic(Code.BAD_ARGUMENT, f"op {op!r} takes {len(info.call)} tensor{'s' if len(info.call) != 1 else ''} ({names}); got {n_inputs} inputs", (*args_path, "inputs"))
        return
    by_call = set(call or ())
    params = (*info.params, *(p for p in info.constants(n_inputs) if p.name not in by_call))
    yield from _check_kwargs(args, params, False, f"op {op!r}", args_path)
    constants = {p.name for p in info.constants(n_inputs)}
    for key, value in args.items():
        if key in constants:
            yield from check_op_value(op, key, value, (*args_path, key))


def _two_kinds(name: str, kinds: list[str], path: Path) -> Diagnostic:
    message = f"node {name!r} has both `{kinds[0]}` and `{kinds[1]}`"
    if "share" in kinds:
        message += "; only layers and models can be shared (an op has no weights: write the op again)"
    return Diagnostic(Code.NODE_KIND, message, (*path, kinds[1]), "a node is one of: `layer:`, `share:`, `model:` or `op:`; split it into two nodes", at_key=True)


def _check_model_node(node: Any, path: Path) -> list[Diagnostic]:
    """A nested model: only ``trainable`` beside it, no training settings on its outputs, its own nodes checked."""
    diags: list[Diagnostic] = []
    for key, value in node.args.items():
        if key != "trainable":
            hint = "a model node takes only `trainable`; arguments belong on the sub-model's nodes"
            diags.append(Diagnostic(Code.UNKNOWN_ARGUMENT, f"a model node takes no argument {key!r}", (*path, key), hint, at_key=True))
        elif not isinstance(value, bool):
            diags.append(Diagnostic(Code.WRONG_TYPE, f"trainable must be true or false; got {value!r}", (*path, key), bool_hint(value) or "write true or false"))
    return diags + check_submodel(node.model, path)


def check_submodel(model: Any, path: Path) -> list[Diagnostic]:
    """A nested model's outputs carry no training settings; its nodes are checked like a spec's."""
    diags: list[Diagnostic] = []
    for name, out in model.outputs.items():
        if out.loss is not None or out.metrics or out.weighted_metrics or out.loss_weight is not None:
            message = f"sub-model output {name!r} sets a loss, loss weight or metrics, which only the top-level outputs take"
            diags.append(Diagnostic(Code.BAD_SUBMODEL, message, (*path, "model", "outputs", name), "set them on an output of the whole model", at_key=True))
    if len(path) // 3 > MAX_MODEL_DEPTH:
        return diags  # graph.resolve reports the nesting; checking deeper would only recurse
    return diags + check_nodes(model.nodes, (*path, "model"))
