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
The walk over the graph is :mod:`graphspec.importer._graph`, the argument search
:mod:`graphspec.importer._arguments`.

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
from graphspec._util.suggest import did_you_mean_or_list
from graphspec.budget import Budget
from graphspec.errors import Code, Diagnostic, Path, SpecError
from graphspec.importer._arguments import (
    comparable_config as comparable_config,
)  # re-exported: fidelity tests compare layers by it
from graphspec.importer._arguments import custom_objects as _custom_objects
from graphspec.importer._graph import ModelImporter
from graphspec.importer.model_files import keras_file_model, keras_text_model
from graphspec.source import parse_data
from graphspec.source.limits import Limits, check_model_text, read_model_text, shown_path
from graphspec.spec import Spec
from graphspec.spec.structure import leaves

__all__ = ["application", "from_keras", "keras2_config", "load_any"]


def _fail(code: Code, message: str, hint: str | None = None, path: Path = ()) -> SpecError:
    return SpecError([Diagnostic(code, message, path, hint)])


def from_keras(
    source: Any, *, models: Mapping[str, Any] | None = None, limits: Limits = Limits(), budget: Budget = Budget()
) -> Spec:
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
    """A spec file as a spec, or a model file (``.keras``, Keras JSON) imported as one: what ``graphspec diff``
    compares.

    A ``.json`` file is a spec when it has a ``graphspec`` key, else a Keras
    config. Every file is read through the read limits before it is parsed
    (a spec within ``limits.max_bytes``, a model within ``limits.max_model_bytes``).

    Raises:
        SpecError: as :func:`graphspec.load` and :func:`from_keras`.
    """
    from graphspec.pipeline import load

    if not isinstance(path, os.PathLike):
        raise SpecError.single(
            Code.WRONG_TYPE,
            f"load_any takes a path object, not {type(path).__name__} {str(path)[:60]!r}",
            (),
            "pass pathlib.Path(...)",
        )
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
        hint = did_you_mean_or_list(name, names, label="known")
        raise _fail(Code.BAD_MODEL, f"{name!r} is not a keras.applications model", hint)
    return getattr(keras.applications, name)(weights=None)


# ---------------------------------------------------------------------------
# sources


def _load_model(source: Any, limits: Limits, budget: Budget) -> Any:
    """The live model of a source; files and text are checked against the read limits before TensorFlow loads."""
    from graphspec.pipeline import text_not_path

    hint = (
        "custom layers must be registered with graphspec.register_layer first; Lambda layers are refused in safe mode"
    )
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
            return keras_file_model(path, limits=limits, **bounds)
        if path.suffix == ".json":
            return _json_model(read_model_text(path, limits), shown_path(path), bounds)
        raise _fail(
            Code.IO_ERROR, f"{path}: not a .keras or .json file", "import a .keras file or the JSON of model.to_json()"
        )
    if isinstance(source, import_keras().Model):
        return source
    raise TypeError(
        f"from_keras takes a keras.Model, a path, JSON text or a config mapping; got {type(source).__name__}"
    )


def _json_model(text: str, where: str, bounds: dict[str, Any]) -> Any:
    """A model from Keras JSON text already held to the read limits (so ``json.loads`` cannot
    recurse or balloon), counted by :mod:`graphspec.importer.model_files`: a Keras 3 config through
    ``model_from_json``, a Keras 1 or 2 one through Keras' legacy loader."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise _fail(
            Code.BAD_MODEL, f"{where}: not valid JSON: {exc}", "give the JSON that model.to_json() writes"
        ) from None
    _refuse_layers(data, where)
    version = _keras2_version(data)
    if version is None:
        return keras_text_model(text, where, **bounds)
    return keras_text_model(
        json.dumps(keras2_config(data)),
        where,
        **{
            **bounds,
            "hint": (
                "load it with Keras 2 and save it again with Keras 3 (model.save('model.keras')), "
                "or rebuild the model in Keras 3"
            ),
        },
        loader=_from_legacy,
        failed=f"a Keras {version} model config; Keras 3 cannot read it, and Keras' legacy loader failed",
    )


def _keras2_version(data: Any) -> str | None:
    """``"2.x"`` (or the version it records) for a model config written by Keras 1 or 2, which Keras 3's
    ``model_from_json`` cannot read (no ``module`` keys); ``None`` for anything else."""
    if (
        not isinstance(data, Mapping)
        or "module" in data
        or data.get("class_name") not in ("Model", "Functional", "Sequential")
    ):
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
    if (
        not isinstance(layers, list)
        or not layers
        or not isinstance(layers[0], dict)
        or not isinstance(layers[0].get("config"), dict)
    ):
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
                raise _fail(
                    Code.UNSUPPORTED_MODEL,
                    f"{where}: the model holds a {value['class_name']} layer, which a spec refuses: {reason}",
                    "rewrite it as a registered Layer subclass",
                )
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
