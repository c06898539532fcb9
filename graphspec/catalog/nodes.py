"""Nodes against the catalogue: each node's kind, its layer and arguments, its op, its sub-model.

This is the top of the catalogue: it dispatches each node to the parts below it
(:mod:`~graphspec.catalog.arguments`, :mod:`~graphspec.catalog.objects`,
:mod:`~graphspec.catalog.ops`, :mod:`~graphspec.catalog.calls`). A layer's
arguments are checked here rather than in ``arguments`` because they recurse
into nodes: a layer-valued argument is a nested layer (``Bidirectional``'s
``wraps``), and a wrapper's layer may be a whole model, whose nodes are checked
like a spec's.

Safety rule enforced here: a mapping-valued argument reaches Keras only where
graphspec itself turns it into an object: a nested layer (``Bidirectional``'s
``wraps``) or an allow-listed ``{class_name, config}``. Everywhere else a mapping
is refused, because Keras would hand it to its generic deserializer.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from graphspec._util.suggest import did_you_mean
from graphspec.catalog._builtin import LayerInfo
from graphspec.catalog.arguments import (
    _FILE_PARAMS,
    _STRUCTURAL_HINTS,
    _VOCAB_LAYERS,
    _check_dtype,
    _check_plain_value,
    _unknown,
)
from graphspec.catalog.calls import check_calls
from graphspec.catalog.objects import _mapping_inside, check_object, object_kind
from graphspec.catalog.ops import check_op_args
from graphspec.catalog.registry import layer_info, layer_names
from graphspec.errors import Code, Diagnostic, Path
from graphspec.source import bool_hint
from graphspec.spec import MAX_MODEL_DEPTH, NODE_KINDS, parse_model

__all__ = ["MODEL_WRAPPERS", "check_layer_args", "check_nodes", "check_submodel"]


def check_layer_args(
    layer: Any, args: Mapping[str, Any], path: Path, args_path: Path | None = None
) -> Iterator[Diagnostic]:
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
        by_path = (
            "layers are named by class (`Dense`), never by import path; custom layers need graphspec.register_layer"
        )
        yield _unknown(
            Code.UNKNOWN_LAYER,
            "layer",
            layer,
            layer_names(),
            path,
            by_path,
            "see `keras.layers` for the catalogue, or register a custom layer",
        )
        return
    if info.refused:
        yield Diagnostic(Code.REFUSED_LAYER, f"layer {layer!r} is refused: {info.refused}", path)
        return
    for key, value in args.items():
        kpath = (*args_path, key)
        if not info.accepts(key):
            accepted = info.accepted()
            hint = (
                _STRUCTURAL_HINTS.get(key)
                or did_you_mean(key, accepted)
                or ("it takes: " + ", ".join(accepted) if accepted else f"{layer} takes no arguments")
            )
            yield Diagnostic(Code.UNKNOWN_ARGUMENT, f"{layer} takes no argument {key!r}", kpath, hint, at_key=True)
            continue
        yield from _check_value(info, key, value, kpath)
    for name in info.required:
        if name not in args:
            yield Diagnostic(
                Code.MISSING_ARGUMENT, f"{layer} needs argument {name!r}", args_path, f"add `{name}: ...` to the node"
            )


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
        yield Diagnostic(
            Code.BAD_ARGUMENT,
            f"{key!r} as a string is a file path, which a spec may not read",
            path,
            f"write the {key} inline as a list",
        )
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
                "mappings are only accepted for activations, initializers, "
                "regularizers and constraints ({class_name, config}) and nested layers",
            )


# Wrappers that take a whole model as their layer (`wraps: {model: {...}}`): Keras applies it per timestep.
MODEL_WRAPPERS = frozenset({"TimeDistributed"})


def _check_wrapped_model(value: Mapping[str, Any], path: Path, wrapper: str | None) -> Iterator[Diagnostic]:
    """``wraps: {model: {inputs, nodes, outputs}, trainable: false}``: a nested model as a wrapper's layer."""
    if wrapper not in MODEL_WRAPPERS:
        yield Diagnostic(
            Code.BAD_SUBMODEL,
            f"{wrapper} cannot wrap a model",
            (*path, "model"),
            f"models can be wrapped by {', '.join(sorted(MODEL_WRAPPERS))}; use a `model:` node",
            at_key=True,
        )
        return
    for key in sorted(set(value) - {"model", "trainable"}):
        yield Diagnostic(
            Code.UNKNOWN_KEY,
            f"a wrapped model takes only `trainable` beside it; got {key!r}",
            (*path, key),
            at_key=True,
        )
    if "trainable" in value and not isinstance(value["trainable"], bool):
        yield Diagnostic(
            Code.WRONG_TYPE,
            f"trainable must be true or false; got {value['trainable']!r}",
            (*path, "trainable"),
            bool_hint(value["trainable"]) or "write true or false",
        )
    model, problems = parse_model(value["model"])
    yield from (d.prefixed((*path, "model")) for d in problems)
    if model is not None and len(path) // 3 <= MAX_MODEL_DEPTH:
        yield from check_submodel(model, path)
        yield from check_calls(model.nodes, (*path, "model"))


def _check_nested_layers(
    how: str, value: Any, path: Path, required: bool = False, wrapper: str | None = None
) -> Iterator[Diagnostic]:
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
        yield Diagnostic(
            Code.WRONG_TYPE,
            "expected a nested layer {layer: Name, ...arguments}",
            path,
            "for example `wraps: {layer: LSTM, units: 32}`",
        )
        return
    for key in ("inputs", "share"):
        if key in value:
            yield Diagnostic(
                Code.UNKNOWN_KEY,
                f"a nested layer takes no {key!r}; it receives its wrapper's input",
                (*path, key),
                at_key=True,
            )
    args = {k: v for k, v in value.items() if k not in ("layer", "inputs", "share")}
    yield from check_layer_args(value["layer"], args, (*path, "layer"), path)


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
            diags.append(
                Diagnostic(
                    Code.MISSING_KEY,
                    f"node {name!r} needs `layer: <class name>` (or `share: <node>`, `model:`, `op:`)",
                    npath,
                    "for example `layer: Dense`",
                )
            )
            continue
        if kinds == ["layer", "share"]:
            diags.append(
                Diagnostic(
                    Code.BAD_SHARE,
                    f"node {name!r} has both `layer` and `share`",
                    (*npath, "share"),
                    "keep `share` to reuse a layer, or `layer` to make a new one",
                    at_key=True,
                )
            )
            continue
        if len(kinds) > 1:
            diags.append(_two_kinds(name, kinds, npath))
            continue
        if node.share is not None:
            if getattr(node, "keras_name", None) is not None:
                message = f"node {name!r} calls {node.share!r}'s layer, whose Keras name is that node's"
                diags.append(
                    Diagnostic(
                        Code.BAD_SHARE,
                        message,
                        (*npath, "keras_name"),
                        "set `keras_name` on the node that declares the layer",
                        at_key=True,
                    )
                )
            if node.args:
                key = next(iter(node.args))
                message = f"node {name!r} shares {node.share!r}'s layer and cannot set its arguments (got {key!r})"
                diags.append(
                    Diagnostic(
                        Code.BAD_SHARE,
                        message,
                        (*npath, key),
                        "set arguments on the node that declares the layer",
                        at_key=True,
                    )
                )
            continue
        if node.model is not None:
            diags.extend(_check_model_node(node, npath))
        elif node.op is not None:
            diags.extend(check_op_args(node.op, node.args, len(node.inputs), (*npath, "op"), npath, node.call))
        else:
            diags.extend(check_layer_args(node.layer, node.args, (*npath, "layer"), npath))
    return diags


def _two_kinds(name: str, kinds: list[str], path: Path) -> Diagnostic:
    message = f"node {name!r} has both `{kinds[0]}` and `{kinds[1]}`"
    if "share" in kinds:
        message += "; only layers and models can be shared (an op has no weights: write the op again)"
    return Diagnostic(
        Code.NODE_KIND,
        message,
        (*path, kinds[1]),
        "a node is one of: `layer:`, `share:`, `model:` or `op:`; split it into two nodes",
        at_key=True,
    )


def _check_model_node(node: Any, path: Path) -> list[Diagnostic]:
    """A nested model: only ``trainable`` beside it, no training settings on its outputs, its own nodes checked."""
    diags: list[Diagnostic] = []
    for key, value in node.args.items():
        if key != "trainable":
            hint = "a model node takes only `trainable`; arguments belong on the sub-model's nodes"
            diags.append(
                Diagnostic(
                    Code.UNKNOWN_ARGUMENT, f"a model node takes no argument {key!r}", (*path, key), hint, at_key=True
                )
            )
        elif not isinstance(value, bool):
            diags.append(
                Diagnostic(
                    Code.WRONG_TYPE,
                    f"trainable must be true or false; got {value!r}",
                    (*path, key),
                    bool_hint(value) or "write true or false",
                )
            )
    return diags + check_submodel(node.model, path)


def check_submodel(model: Any, path: Path) -> list[Diagnostic]:
    """A nested model's outputs carry no training settings; its nodes are checked like a spec's."""
    diags: list[Diagnostic] = []
    for name, out in model.outputs.items():
        if out.loss is not None or out.metrics or out.weighted_metrics or out.loss_weight is not None:
            message = (
                f"sub-model output {name!r} sets a loss, loss weight or metrics, which only the top-level outputs take"
            )
            diags.append(
                Diagnostic(
                    Code.BAD_SUBMODEL,
                    message,
                    (*path, "model", "outputs", name),
                    "set them on an output of the whole model",
                    at_key=True,
                )
            )
    if len(path) // 3 > MAX_MODEL_DEPTH:
        return diags  # graph.resolve reports the nesting; checking deeper would only recurse
    return diags + check_nodes(model.nodes, (*path, "model"))
