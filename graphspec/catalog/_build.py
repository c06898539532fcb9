"""Generate ``graphspec/catalog/catalog.json`` and ``catalog_docs.json`` from the installed Keras.

Run ``python -m graphspec.catalog._build`` after upgrading Keras (``--check`` only says whether
the committed files are current). The test suite regenerates the catalogue in memory and fails
if the committed file is stale.

This generator reads Keras; the rest of the catalogue reads the JSON files, so ``validate``
stays free of TensorFlow.
"""

from __future__ import annotations

import argparse
import inspect
import json
import math
import os
import re
from pathlib import Path
from typing import Any

from graphspec._util.console import quiet_tensorflow_start
from graphspec._util.files import regenerate

CATALOG_PATH = Path(__file__).with_name("catalog.json")
# Documentation of each layer and argument, for hover in the language server: a file of
# its own, so that `validate`, which never shows it, does not read or parse it.
DOCS_PATH = Path(__file__).with_name("catalog_docs.json")

# Layers graphspec never builds from a spec, and why. The reason is shown to the user.
REFUSED: dict[str, str] = {
    "Lambda": "it runs arbitrary Python code; write a Layer subclass and register it with graphspec.register_layer",
    "TFSMLayer": "it loads a TensorFlow SavedModel from disk, which can carry code",
    "TorchModuleWrapper": "it wraps a Python (PyTorch) module, which is code",
    "JaxLayer": "it wraps Python functions, which are code",
    "FlaxLayer": "it wraps a Python (Flax) module, which is code",
    "Layer": "it is the abstract base class; name a concrete layer",
    "Wrapper": "it is an abstract base class; use Bidirectional or TimeDistributed",
    "InputLayer": "model inputs are declared in the `inputs:` section, not as nodes",
}

# Constructor parameters whose value is itself a layer, written as a nested
# mapping `{layer: LSTM, units: 32}`; "many" takes a list of such mappings.
# A parameter named `layer` clashes with the node's own `layer:` key, so specs
# write it as `wraps`.
LAYER_VALUED: dict[str, dict[str, str]] = {
    "Bidirectional": {"layer": "one", "backward_layer": "one"},
    "TimeDistributed": {"layer": "one"},
    "SpectralNormalization": {"layer": "one"},
    "RNN": {"cell": "one_or_many"},
    "StackedRNNCells": {"cells": "many"},
    "Pipeline": {"layers": "many"},
}
RENAMED_PARAMS = {"layer": "wraps"}

# Base-class keyword arguments a node may pass; the rest of Layer's **kwargs
# (name, input_shape, batch_input_shape, weights, ...) come from the spec's structure.
BASE_PARAMS = ("trainable", "dtype", "autocast", "activity_regularizer")

# Objects that wrap other objects or are abstract bases: refused by name.
REFUSED_OBJECTS = {
    "Initializer",
    "initializer",
    "Regularizer",
    "regularizer",
    "Constraint",
    "constraint",
    "Loss",
    "LossFunctionWrapper",
    "Metric",
    "metric",
    "MeanMetricWrapper",
    "mean_metric_wrapper",
    "optimizer",
    "Optimizer",
    "lossscaleoptimizer",
    "LossScaleOptimizer",
    "MultiOptimizer",
    "OptimizerMap",
    "multioptimizer",
    "optimizermap",
    "Callback",
    "CallbackList",
    "LambdaCallback",
    "LearningRateScheduler",
    "RemoteMonitor",
    "History",
    "ProgbarLogger",
    "OrbaxCheckpoint",
    "LearningRateSchedule",
}


def _jsonable(value: Any) -> Any:
    if value is inspect.Parameter.empty:
        return None
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"repr": repr(value)}
    if isinstance(value, list | tuple):
        items = [_jsonable(v) for v in value]
        return items
    return {"repr": repr(value) if not inspect.isfunction(value) else value.__name__}


def _params(fn: Any, skip: int = 0) -> tuple[list[dict[str, Any]], bool]:
    """Parameters of a callable as data, skipping ``self`` and the first ``skip`` positional ones."""
    sig = inspect.signature(fn)
    params: list[dict[str, Any]] = []
    var_kwargs = False
    positional_seen = 0
    for p in sig.parameters.values():
        if p.name == "self":
            continue
        if p.kind is p.VAR_KEYWORD:
            var_kwargs = True
            continue
        if p.kind is p.VAR_POSITIONAL:
            continue
        if positional_seen < skip and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            positional_seen += 1
            continue
        entry: dict[str, Any] = {"name": p.name, "required": p.default is p.empty}
        if p.default is not p.empty:
            entry["default"] = _jsonable(p.default)
        params.append(entry)
    return params, var_kwargs


def _class_params(cls: type) -> tuple[list[dict[str, Any]], bool]:
    """Constructor parameters, following ``**kwargs`` up the class hierarchy.

    An optimizer's ``__init__`` forwards ``**kwargs`` to its base, which accepts
    ``clipnorm`` and refuses ``lr``: the catalogue records what is accepted in the end.
    """
    params: list[dict[str, Any]] = []
    for klass in cls.__mro__:
        if klass is object:
            return params, False
        if "__init__" not in klass.__dict__:
            continue
        own, var_kwargs = _params(klass.__dict__["__init__"])
        names = {p["name"] for p in params}
        params += [p for p in own if p["name"] not in names]
        if not var_kwargs:
            return params, False
    return params, True


def _layers(keras: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    base = keras.layers.Layer
    for name in sorted(dir(keras.layers)):
        cls = getattr(keras.layers, name)
        if not (isinstance(cls, type) and issubclass(cls, base)):
            continue
        module = cls.__module__.split(".")
        family = module[3] if len(module) > 3 and module[:3] == ["keras", "src", "layers"] else "other"
        entry: dict[str, Any] = {"family": family}
        if cls.__name__ != name:
            entry["alias_of"] = cls.__name__
        if name in REFUSED:
            entry["refused"] = REFUSED[name]
        params, var_kwargs = _params(cls.__dict__.get("__init__", cls.__init__))  # type: ignore[misc]
        layer_valued = LAYER_VALUED.get(cls.__name__, {})
        for p in params:
            if p["name"] in layer_valued:
                p["layer_valued"] = layer_valued[p["name"]]
            p["name"] = RENAMED_PARAMS.get(p["name"], p["name"]) if p["name"] in layer_valued else p["name"]
        entry["params"] = params
        entry["forwards_base_kwargs"] = var_kwargs
        entry["call"], entry["call_var_kwargs"] = call_params(cls.call)  # type: ignore[attr-defined]
        out[name] = entry
    return out


def call_params(fn: Any) -> tuple[list[dict[str, Any]], bool]:
    """A layer's ``call`` arguments as data: name, whether required, default, and whether it can be
    passed by position (what a node's ``inputs`` fill); ``*args`` is left out, ``**kwargs`` flagged."""
    params: list[dict[str, Any]] = []
    var_kwargs = False
    for p in inspect.signature(fn).parameters.values():
        if p.name == "self" or p.kind is p.VAR_POSITIONAL:
            continue
        if p.kind is p.VAR_KEYWORD:
            var_kwargs = True
            continue
        entry: dict[str, Any] = {
            "name": p.name,
            "required": p.default is p.empty,
            "positional": p.kind is not p.KEYWORD_ONLY,
        }
        if p.default is not p.empty:
            entry["default"] = _jsonable(p.default)
        params.append(entry)
    return params, var_kwargs


def _objects(module_dict: dict[str, Any], skip: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    # Classes are also reachable by their own name (`Adam` beside Keras' `adam`).
    table = dict(module_dict)
    for obj in module_dict.values():
        if isinstance(obj, type):
            table.setdefault(obj.__name__, obj)
    module_dict = {k: v for k, v in table.items() if k not in REFUSED_OBJECTS}
    for name in sorted(module_dict):
        if name in REFUSED_OBJECTS:
            continue
        obj = module_dict[name]
        is_class = isinstance(obj, type)
        if is_class:
            params, var_kwargs = _class_params(obj)
        else:
            params, var_kwargs = _params(obj, skip)
        out[name] = {
            "kind": "class" if is_class else "function",
            "target": obj.__name__,
            "params": params,
            "var_kwargs": var_kwargs,
        }
    return out


# sub-models and ops: the `op:` node kind's allow-list, built from keras.src.ops.

# Modules whose Operation classes back the public `keras.ops` functions.
OP_MODULES = ("numpy", "nn", "math", "core", "linalg")
# Ops whose first call argument is one list of tensors (`ops.concatenate([a, b])`).
LIST_OPS = {"concatenate", "stack", "hstack", "vstack", "dstack"}
# Arguments that take Python functions: an op with one is refused.
FUNCTION_PARAMS = {"f", "fn", "fun", "function", "body", "body_fun", "cond", "true_fn", "false_fn", "branches"}


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _op_name(keras: Any, module: str, cls: type) -> str | None:
    """The public ``keras.ops`` function an Operation class backs (``Add`` → ``add``), if any."""
    for candidate in (_snake(cls.__name__), cls.__name__.lower()):
        fn = getattr(keras.ops, candidate, None)
        if fn is not None and getattr(fn, "__module__", None) == f"keras.src.ops.{module}":
            return candidate
    return None


def _op_entry(module: str, cls: Any) -> dict[str, Any]:
    params, _ = _params(cls.__dict__.get("__init__", cls.__init__))  # type: ignore[misc]
    call = inspect.signature(cls.call)
    call_params = [
        {"name": p.name, "required": p.default is p.empty}
        | ({} if p.default is p.empty else {"default": _jsonable(p.default)})
        for p in call.parameters.values()
        if p.name != "self" and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    ]
    entry: dict[str, Any] = {
        "module": module,
        "class_name": cls.__name__,
        "params": [p for p in params if p["name"] != "name"],
        "call": call_params,
        "var_positional": any(p.kind is p.VAR_POSITIONAL for p in call.parameters.values()),
    }
    if FUNCTION_PARAMS & ({p.name for p in call.parameters.values()} | {p["name"] for p in params}):
        entry["refused"] = "it takes a Python function, which is code"
    return entry


def _ops(keras: Any) -> dict[str, Any]:
    import importlib

    from keras.src.ops.operation import Operation

    out: dict[str, Any] = {}
    for module in OP_MODULES:
        mod = importlib.import_module(f"keras.src.ops.{module}")
        for cls in vars(mod).values():
            if not (isinstance(cls, type) and issubclass(cls, Operation) and cls.__module__ == mod.__name__):
                continue
            name = _op_name(keras, module, cls)
            if name is not None:
                out[name] = _op_entry(module, cls) | ({"takes_list": True} if name in LIST_OPS else {})
    return out


def _schedules(keras: Any) -> dict[str, Any]:
    """The learning-rate schedules of ``keras.optimizers.schedules`` (an optimizer's ``learning_rate`` may be one)."""
    module = keras.optimizers.schedules
    base = module.LearningRateSchedule
    return {n: c for n in dir(module) if isinstance(c := getattr(module, n), type) and issubclass(c, base)}


def build_catalog() -> dict[str, Any]:
    """Read the installed Keras and return the catalogue as plain data."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras
    from keras.src import activations, constraints, initializers, losses, metrics, optimizers, regularizers

    callbacks = {
        n: getattr(keras.callbacks, n) for n in dir(keras.callbacks) if isinstance(getattr(keras.callbacks, n), type)
    }
    base_params, _ = _params(keras.layers.Layer.__init__)
    return {
        "keras_version": keras.__version__,
        "layer_base_params": [p for p in base_params if p["name"] in BASE_PARAMS],
        "layers": _layers(keras),
        "ops": _ops(keras),
        "objects": {
            "activation": _objects(activations.ALL_OBJECTS_DICT, skip=1),
            "initializer": _objects(initializers.ALL_OBJECTS_DICT, skip=0),
            "regularizer": _objects(regularizers.ALL_OBJECTS_DICT, skip=0),
            "constraint": _objects(constraints.ALL_OBJECTS_DICT, skip=0),
            "loss": _objects(losses.ALL_OBJECTS_DICT, skip=2),
            "metric": _objects(metrics.ALL_OBJECTS_DICT, skip=2),
            "optimizer": _objects(optimizers.ALL_OBJECTS_DICT, skip=0),
            "schedule": _objects(_schedules(keras), skip=0),
            "callback": _objects(callbacks, skip=0),
        },
    }


def render(catalog: dict[str, Any]) -> str:
    return json.dumps(catalog, indent=1, sort_keys=True) + "\n"


# documentation: each layer's summary and each argument's text, from Keras' docstrings

_ARGS_HEADINGS = ("Args:", "Arguments:")
_ENTRY = re.compile(r"^(\*{0,2}[A-Za-z_][A-Za-z0-9_]*)(?:\s*\([^)]*\))?\s*:\s*(.*)$")


def _summary(doc: str) -> str:
    """The first paragraph of a docstring, on one line."""
    lines = []
    for line in inspect.cleandoc(doc).splitlines():
        if not line.strip():
            break
        lines.append(line.strip())
    return " ".join(lines)


def _arg_docs(doc: str) -> dict[str, str]:
    """The ``Args:`` section of a Google-style docstring: argument name → its text, on one line."""
    out: dict[str, str] = {}
    lines = inspect.cleandoc(doc).splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip() in _ARGS_HEADINGS), None)
    if start is None:
        return out
    heading_indent = len(lines[start]) - len(lines[start].lstrip())
    entry_indent: int | None = None
    current: str | None = None
    for line in lines[start + 1 :]:
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        if indent <= heading_indent:
            break
        entry_indent = indent if entry_indent is None else entry_indent
        match = _ENTRY.match(line.strip()) if indent == entry_indent else None
        if match is not None:
            current = match.group(1).lstrip("*")
            out[current] = match.group(2).strip()
        elif current is not None:
            out[current] = (out[current] + " " + line.strip()).strip()
    return out


def build_docs() -> dict[str, Any]:
    """Read the installed Keras' docstrings: a summary per layer and the text of each argument it takes."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras

    base = _arg_docs(keras.layers.Layer.__doc__ or "")
    layers: dict[str, Any] = {}
    for name, entry in _layers(keras).items():
        cls = getattr(keras.layers, name)
        doc = cls.__doc__ or ""
        # Arguments under the names specs write them (`wraps` for Keras' `layer`), documented ones only.
        renamed = LAYER_VALUED.get(cls.__name__, {})
        texts = {RENAMED_PARAMS.get(k, k) if k in renamed else k: v for k, v in _arg_docs(doc).items()}
        wanted = {p["name"] for p in entry["params"]} | set(BASE_PARAMS)
        layers[name] = {"summary": _summary(doc), "args": {k: v for k, v in texts.items() if k in wanted and v}}
    return {
        "keras_version": keras.__version__,
        "layer_base_args": {k: v for k, v in base.items() if k in BASE_PARAMS},
        "layers": layers,
    }


def main(argv: list[str] | None = None) -> int:
    """Regenerate the catalogue's files (or, with ``--check``, say which are stale); the exit code says."""
    parser = argparse.ArgumentParser(
        prog="python -m graphspec.catalog._build",
        description="Regenerate graphspec/catalog/catalog.json and catalog_docs.json from the installed Keras.",
    )
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a committed file is stale")
    args = parser.parse_args(argv)
    quiet_tensorflow_start()
    files = ((CATALOG_PATH, build_catalog()), (DOCS_PATH, build_docs()))
    current = [regenerate(path, render(data), check=args.check, command=parser.prog) for path, data in files]
    return 0 if all(current) else 1


if __name__ == "__main__":
    raise SystemExit(main())
