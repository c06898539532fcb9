"""Importing a model's graph: a functional (or Sequential) model's calls, one by one, as spec data.

Each layer call becomes a node named after the Keras layer (``keras_name`` keeps a
Keras name that is not a valid node name, so weights still load by name); a layer
called again becomes a ``share:`` node; a nested model a ``model:`` node; a recorded
``keras.ops`` call an ``op:`` node. A call's tensors fill the node's ``inputs`` (the
arguments its layer takes by position without a default: MultiHeadAttention's query
and value, everyone else's first) and everything else it was called with goes to
``call:``: tensors as references, switches and numbers as they are. The model's input
and output structure (dicts, nesting, order) becomes ``structure:`` where it is not the
default. What cannot be written is refused by name.
"""

from __future__ import annotations

import inspect
import re
import warnings
from collections.abc import Mapping
from typing import Any

from graphspec import catalog
from graphspec._util.keras import import_keras
from graphspec._util.names import MAX_NAME, NAME, NODE_NAME_RE
from graphspec.errors import Code, Diagnostic, SpecError
from graphspec.importer._arguments import layer_class_name, minimal_args
from graphspec.importer._compile import apply_compile, compile_config
from graphspec.importer._objects import plain, short_float32
from graphspec.spec import MAX_MODEL_DEPTH, call_references, node_name
from graphspec.spec.op_values import MAX_CONSTANT_VALUES
from graphspec.spec.op_values import from_python as op_data
from graphspec.spec.structure import default_tree, leaves

__all__ = ["ModelImporter", "valid_name"]

_VALID_NAME = re.compile(NAME[:-1] + f"{{0,{MAX_NAME - 1}}}")  # NAME, at most MAX_NAME characters
# A node name may be scoped (`stage2/block1`); its Keras name joins the scopes with `.`.
_VALID_NODE_NAME = NODE_NAME_RE
_MISSING = object()
# The dtypes Keras gives a list of floats, integers and booleans: a constant of another dtype would change.
_LIST_DTYPES = {"float": "float32", "int": "int32", "bool": "bool"}


def _fail(message: str, hint: str | None = None, code: Code = Code.UNSUPPORTED_MODEL) -> SpecError:
    return SpecError([Diagnostic(code, message, (), hint)])


# ---------------------------------------------------------------------------
# names


def valid_name(name: str, taken: set[str], reserved: set[str] | frozenset[str] = frozenset()) -> str:
    """``name`` itself when valid and free, else a sanitised, unique variant that avoids ``reserved`` too."""
    if _VALID_NAME.fullmatch(name) and name not in taken:
        return name
    taken = taken | reserved
    base = re.sub(r"[^A-Za-z0-9_\-]", "_", name)[:120] or "_"
    if not re.match(r"[A-Za-z_]", base):
        base = "_" + base
    out, k = base, 2
    while out in taken:
        out, k = f"{base}_{k}", k + 1
    return out


def _node_name(keras_name: str, taken: set[str], reserved: set[str]) -> tuple[str, str | None]:
    """A node name for a Keras layer name, and the ``keras_name`` to write when the two differ.

    Dots become scopes (``stage2.block1.conv`` → ``stage2/block1/conv``, which builds back to
    the same name). Any other name graphspec cannot use as a node name (``mobilenet_1.00_224``,
    ``dense 1``) is sanitised and keeps its Keras name in ``keras_name``; a sanitised name also
    avoids ``reserved`` (the model's layer names), so it does not take a later layer's name.
    """
    scoped = node_name(keras_name)
    if (
        _VALID_NODE_NAME.fullmatch(scoped)
        and len(scoped) <= 256
        and all(len(s) <= 128 for s in scoped.split("/"))
        and scoped not in taken
    ):
        return scoped, None
    return valid_name(keras_name, taken, reserved=reserved), keras_name


def _named_spec(name: str, keras_name: str | None, data: dict[str, Any]) -> dict[str, Any]:
    return data if keras_name is None or keras_name == name else {**data, "keras_name": keras_name}


# ---------------------------------------------------------------------------
# tensors and calls


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


def _input_spec(layer: Any, name: str) -> dict[str, Any]:
    config = layer.get_config()
    if config.get("ragged"):
        raise _fail(f"input {layer.name!r} is ragged, which a spec cannot declare", "give the model a dense input")
    batch_shape = plain(config["batch_shape"])
    out: dict[str, Any] = {"shape": batch_shape[1:]}
    dtype = config.get("dtype")
    dtype = dtype["config"]["name"] if isinstance(dtype, Mapping) else dtype
    if dtype not in (None, "float32"):
        out["dtype"] = dtype
    if batch_shape[0] is not None:
        out["batch_size"] = batch_shape[0]
    if config.get("sparse"):
        out["sparse"] = True
    if config.get("optional"):
        out["optional"] = True
    return _named_spec(name, layer.name, out)


def _constant(value: Any, where: str) -> Any:
    """A tensor or array constant as a plain list, if Keras makes that list the same tensor again."""
    import numpy as np

    array = np.asarray(import_keras().ops.convert_to_numpy(value))
    kind = next((k for k in _LIST_DTYPES if array.dtype.kind == {"float": "f", "int": "i", "bool": "b"}[k]), None)
    if kind is None or str(array.dtype) != _LIST_DTYPES[kind]:
        raise _fail(
            f"{where} is a constant of dtype {array.dtype}; a spec writes constants as lists, "
            "which Keras makes float32, int32 or bool",
            "cast the constant in the model",
        )
    if array.size > MAX_CONSTANT_VALUES:
        raise _fail(
            f"{where} is a constant of {array.size:,} values, more than a spec writes inline ({MAX_CONSTANT_VALUES:,})",
            "make it a layer's weights instead",
        )
    values = array.tolist()
    # float32 values in their shortest decimals (-103.939, not -103.93900299072266): emit makes them float32 again
    return _map_numbers(values, short_float32) if kind == "float" else values


def _map_numbers(value: Any, fn: Any) -> Any:
    return [_map_numbers(v, fn) for v in value] if isinstance(value, list) else fn(value)


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


# ---------------------------------------------------------------------------
# the walk


class ModelImporter:
    """Walks a functional model's operations, call by call, into spec data (nested models recursively).

    A layer's (or nested model's) ``trainable`` is written where it differs from the model's
    own: a frozen model freezes the layers in it that do not say otherwise.
    """

    def __init__(self, model: Any, depth: int = 0):
        keras = import_keras()
        self.model = model
        self.depth = depth
        if isinstance(model, keras.Sequential):
            functional = getattr(model, "_functional", None)
            if functional is None:
                raise _fail(
                    f"Sequential model {model.name!r} has no input shape yet",
                    "start it with keras.Input(shape=...) or build it before importing",
                )
            self.graph = functional
        elif type(model).__name__ == "Functional":
            self.graph = model
        else:
            raise _fail(
                f"model {model.name!r} is a subclassed {type(model).__name__}; "
                "only functional and Sequential models have a graph to import"
            )
        self.taken: set[str] = set()
        self.refs: dict[tuple[int, int], str] = {}
        self.inputs: dict[str, Any] = {}
        self.nodes: dict[str, dict[str, Any]] = {}
        self.keys: list[tuple[str, str | None]] = []  # each output's compile key and spec output name (None: unnamed)
        self.calls: dict[int, int] = {}  # per layer (by id), how many of its calls are imported
        self.owners: dict[int, str] = {}  # per layer (by id), the node that declares it
        self.keyed_inputs: dict[int, str] = {}
        self.inputs_tree: Any = None

    def data(self) -> dict[str, Any]:
        """The whole spec: name, the graph, and the compile config of a compiled model."""
        data: dict[str, Any] = {"graphspec": 1, "name": valid_name(self.model.name, set()), **self.body()}
        if not self.model.trainable:
            data["trainable"] = False
        config = compile_config(self.model) if getattr(self.model, "compiled", False) else None
        if config:
            apply_compile(data, config, self.keys, auto_jit=self.model._resolve_auto_jit_compile())
        return data

    def body(self) -> dict[str, Any]:
        """Inputs, nodes, outputs and structure: what a spec and a ``model:`` node's sub-spec share."""
        self._walk(self.graph)
        structure: dict[str, Any] = {}
        self.inputs_tree = self._inputs()
        if self.inputs_tree != default_tree(list(self.inputs)):
            structure["inputs"] = self.inputs_tree
        outputs, outputs_tree = self._outputs()
        if outputs_tree is not None:
            structure["outputs"] = outputs_tree
        body: dict[str, Any] = {"inputs": self.inputs, "nodes": self.nodes, "outputs": outputs}
        return {**body, "structure": structure} if structure else body

    def add_model(self, model: Any) -> dict[str, Any]:
        """Import one more model over the same layers (after :meth:`data`): its new inputs and calls join
        the spec (a layer it calls again becomes a ``share:`` node); returns its ``models:`` entry."""
        graph = ModelImporter(model, self.depth).graph
        self._walk(graph)
        inputs = _written(
            graph._inputs_struct,
            dict(
                zip(_structure_paths(graph._inputs_struct), (self._input_name(t) for t in graph.inputs), strict=True)
            ).__getitem__,
        )
        outputs = _written(
            graph._outputs_struct,
            dict(
                zip(_structure_paths(graph._outputs_struct), (self._ref(t) for t in graph.outputs), strict=True)
            ).__getitem__,
        )
        return {"inputs": inputs, "outputs": outputs}

    def _input_name(self, tensor: Any) -> str:
        return self.refs[(id(tensor._keras_history.operation), tensor._keras_history.node_index)]

    def _walk(self, graph: Any) -> None:
        """Every call of ``graph`` that its outputs need, in order (calls imported already are skipped)."""
        from keras.src.ops.function import make_node_key

        self.taken |= {node_name(op.name) for op in graph.operations}
        self.keyed_inputs = self._keyed_inputs(graph)
        used = self._used_calls(graph)
        pending: dict[int, tuple[Any, int, str, str | None, bool]] = {}
        # Names in call order: a layer's first call is named after it and holds its arguments, its
        # later calls are `<layer>_call<k>` in the order Keras records them.
        for op in graph.operations:
            for index, node in enumerate(op._inbound_nodes):
                if (
                    make_node_key(op, index) in graph._nodes
                    and (node.is_input or id(node) in used)
                    and (id(op), index) not in self.refs
                ):
                    named = self._name_call(op, index)
                    if named is not None:
                        pending[id(node)] = (op, index, *named)
        # Bodies in the order Keras runs the calls (deepest first):
        # a layer's later call may read what a later layer makes.
        for depth in sorted(graph._nodes_by_depth, reverse=True):
            for node in graph._nodes_by_depth[depth]:
                if id(node) in pending:
                    self._add_call(node, *pending.pop(id(node)))

    def _name_call(self, op: Any, index: int) -> tuple[str, str | None, bool] | None:
        """Names call ``index`` of ``op`` (an input is added whole: ``None``); returns the node's name,
        its Keras name where that differs, and whether it is a later call of a layer (a ``share:`` node)."""
        keras = import_keras()
        assigned = set(self.nodes) | set(self.inputs)
        if isinstance(op, keras.layers.InputLayer):
            name = self.keyed_inputs.get(id(op)) or valid_name(op.name, assigned, reserved=self.taken)
            self.inputs[name] = _input_spec(op, name)
            self.refs[(id(op), index)] = name
            return None
        k = self.calls.get(id(op), 0)
        self.calls[id(op)] = k + 1
        owner = self.owners.setdefault(id(op), "")
        # A share node's made-up name must not take the name of a layer still to come.
        name, keras_name = (
            _node_name(op.name, assigned, self.taken)
            if k == 0
            else (valid_name(f"{owner}_call{k}", assigned | self.taken, self.taken), None)
        )
        if k == 0:
            self.owners[id(op)] = name
        self.refs[(id(op), index)] = name
        self.nodes[name] = {}  # its place in the spec: filled once the calls it reads are named
        return name, keras_name, k > 0

    def _add_call(self, node: Any, op: Any, index: int, name: str, keras_name: str | None, share: bool) -> None:
        keras = import_keras()
        if share:
            inputs, call = self._call_parts(op, node, name)
            self.nodes[name] = {"share": self.owners[id(op)], "inputs": inputs, **({"call": call} if call else {})}
        elif isinstance(op, keras.Model):
            self.nodes[name] = _named_spec(name, keras_name, self._model_node(op, node, name))
        elif isinstance(op, keras.layers.Layer):
            self.nodes[name] = _named_spec(name, keras_name, self._layer_node(op, node, name))
        else:
            self.nodes[name] = _named_spec(name, keras_name, self._op_node(op, node, name))

    def _layer_node(self, op: Any, node: Any, name: str) -> dict[str, Any]:
        class_name = layer_class_name(op, name)
        args = minimal_args(
            class_name, op.get_config(), name, op.get_build_config() if op.built else None, wrapped=_wrapped_model
        )
        args.pop("trainable", None)
        if op.trainable != self.model.trainable:
            args["trainable"] = op.trainable
        inputs, call = self._call_parts(op, node, name)
        return {"layer": class_name, "inputs": inputs, **({"call": call} if call else {}), **args}

    def _used_calls(self, graph: Any) -> set[int]:
        """The ids of the call nodes the outputs are computed from: not those that only compute a
        mask Keras passes on by itself (``Embedding(mask_zero=True)``'s ``not_equal``), which a
        built spec computes again."""
        used: set[int] = set()
        stack = list(graph.outputs)
        while stack:
            op, index, _ = stack.pop()._keras_history
            node = op._inbound_nodes[index]
            if id(node) not in used:
                used.add(id(node))
                stack += _tensor_arguments(node)
        return used

    def _model_node(self, model: Any, node: Any, name: str) -> dict[str, Any]:
        if self.depth + 1 >= MAX_MODEL_DEPTH:
            raise _fail(f"model {model.name!r} nests models deeper than {MAX_MODEL_DEPTH} levels")
        sub = ModelImporter(model, self.depth + 1).body()
        if isinstance(model, import_keras().Sequential):
            sub = {"sequential": True, **sub}
        inputs, call = self._call_parts(model, node, name)
        out: dict[str, Any] = {"model": sub, "inputs": inputs, **({"call": call} if call else {})}
        if model.trainable != self.model.trainable:
            out["trainable"] = model.trainable
        return out

    # -- calls -------------------------------------------------------------------

    def _call_parts(self, op: Any, node: Any, where: str) -> tuple[list[str], dict[str, Any]]:
        """A call as a node writes it: the tensors its ``inputs`` fill, and the rest as ``call:``."""
        from keras.src import tree

        params, var_kwargs = _call_signature(op)
        positional = [p for p in params if p.kind is not p.KEYWORD_ONLY]
        args = list(node.arguments.args)
        if len(args) > len(positional):
            raise _fail(f"{where!r} is called with {len(args)} positional arguments; its call takes {len(positional)}")
        named: dict[str, Any] = dict(zip((p.name for p in positional), args, strict=False))
        implicit = _implicit_masks(node)
        named.update({k: v for k, v in node.arguments.kwargs.items() if k not in implicit})
        several = [p.name for p in positional if p.default is p.empty]
        fill = several if len(several) >= 2 else [p.name for p in positional[:1]]
        inputs: list[str] = []
        for key in fill:
            value = named.pop(key, None)
            tensors = tree.flatten(value) if value is not None else []
            if not tensors or not all(_is_tensor(t) for t in tensors) or (len(fill) > 1 and len(tensors) != 1):
                raise _fail(
                    f"{where!r} is called with {key}={value!r}, which is not a tensor (or a list of tensors) "
                    "a node's `inputs` can give"
                )
            inputs += [self._ref(t) for t in tensors]
        by_name = {p.name: p for p in params}
        call = {}
        for key, value in named.items():
            if key not in by_name and not var_kwargs:
                raise _fail(f"{where!r} is called with {key}=..., which its call does not declare")
            if not _is_default(by_name.get(key), value):
                call[key] = self._call_value(value, where, key)
        return inputs, call

    def _call_value(self, value: Any, where: str, key: str) -> Any:
        """A call argument in spec syntax: tensors as references, lists as lists, switches and numbers as they are."""
        if _is_tensor(value):
            return self._ref(value)
        if isinstance(value, list | tuple):
            return [self._call_value(v, where, key) for v in value]
        if value is None or isinstance(value, bool | int | float):
            return value
        raise _fail(
            f"{where!r} is called with {key}={value!r}; a spec's call arguments are tensors, true/false, "
            "numbers or null"
        )

    def _ref(self, tensor: Any) -> str:
        op, index, tensor_index = tensor._keras_history
        base = self.refs[(id(op), index)]
        outputs = op._inbound_nodes[index].outputs
        if len(outputs) <= 1:
            return base
        if isinstance(
            op, import_keras().Model
        ):  # `node:i` counts a nested model's outputs in its structure's written order
            paths = _structure_paths(op._outputs_struct)
            order = [p for p, _ in leaves(_written(op._outputs_struct, lambda p: p))]
            tensor_index = order.index(paths[tensor_index])
        return f"{base}:{tensor_index}"

    def _op_node(self, op: Any, node: Any, name: str) -> dict[str, Any]:
        """A ``keras.ops`` Operation Keras recorded: its constructor arguments, constants and tensors."""
        op_name = catalog.op_for_class(type(op).__module__, type(op).__name__)
        info = catalog.op_info(op_name) if op_name is not None else None
        if op_name is None or info is None or info.refused:
            raise _fail(
                f"{name!r} applies the Keras operation {type(op).__name__}, which graphspec's op allow-list lacks",
                "wrap it in a registered layer",
            )
        defaults = {p.name: p.default for p in info.params if not p.required}
        config = {k: plain(v) for k, v in op.get_config().items() if k != "name"}
        args = {k: v for k, v in config.items() if k not in defaults or defaults[k] != v}
        named = dict(zip((p.name for p in info.call), node.arguments.args, strict=False))
        named.update(node.arguments.kwargs)
        if len(node.arguments.args) > len(info.call):
            raise _fail(
                f"{name!r} calls op {op_name!r} with {len(node.arguments.args)} arguments; it takes {len(info.call)}"
            )
        inputs: list[str] = []
        if info.takes_list:
            inputs = [self._ref(t) for t in named.pop(info.call[0].name)]
        else:
            for p in info.call:  # the leading tensors fill `inputs`; later ones go to `call:`
                if not _is_tensor(named.get(p.name)):
                    break
                inputs.append(self._ref(named.pop(p.name)))
        call: dict[str, Any] = {}
        for key, value in named.items():
            if _is_tensor(value):
                call[key] = self._ref(value)
            elif value is not None:
                args[key] = self._op_constant(op_name, key, value, name)
        return {"op": op_name, "inputs": inputs, **({"call": call} if call else {}), **args}

    def _op_constant(self, op_name: str, key: str, value: Any, name: str) -> Any:
        from keras.src import tree

        where = f"op node {name!r} ({op_name}) argument {key!r}"
        if hasattr(value, "shape") and hasattr(value, "dtype") and not _is_tensor(value):
            return _constant(value, where)
        if any(_is_tensor(v) for v in tree.flatten(value)):
            raise _fail(f"{where} mixes tensors with constants, which an `op:` node cannot write")
        try:
            data = op_data(op_name, key, value)
        except ValueError as exc:
            raise _fail(f"{where}: {exc}") from None
        found = plain(data)
        if isinstance(found, Mapping) or (
            isinstance(found, list) and any(isinstance(v, Mapping) for v in tree.flatten(found))
        ):
            raise _fail(f"{where} holds a mapping, which a spec cannot pass to an op")
        return found

    # -- the interface -----------------------------------------------------------

    def _input_struct(self, graph: Any) -> Any:
        """A Functional's input structure; a Sequential's (seen through its inner functional) is its one input."""
        functional = getattr(self.model, "_functional", None)
        return graph.inputs[0] if functional is not None and graph is functional else graph._inputs_struct

    def _keyed_inputs(self, graph: Any) -> dict[int, str]:
        """Inputs passed under a dict key: the spec names them by their key (Keras matches dict keys to
        input names); one whose Keras name differs keeps it in ``keras_name``."""
        found: dict[int, str] = dict(self.keyed_inputs)
        for path, tensor in zip(_structure_paths(self._input_struct(graph)), graph.inputs, strict=True):
            key = path[-1] if path and isinstance(path[-1], str) else None
            if key is None:
                continue
            if not _VALID_NAME.fullmatch(key) or key in found.values():
                raise _fail(
                    f"input {tensor._keras_history.operation.name!r} is passed under the dict key {key!r}, "
                    "which cannot be an input's name in a spec",
                    "key the dict by valid names",
                )
            found[id(tensor._keras_history.operation)] = key
        others = {node_name(op.name) for op in graph.operations if id(op) not in found}
        clash = sorted(set(found.values()) & others)
        if clash:
            raise _fail(
                f"the dict key {clash[0]!r} of an input is also the name of a layer",
                "key the dict by the inputs' own names",
            )
        return found

    def _inputs(self) -> Any:
        """Order the spec's inputs as Keras does and return their structure."""
        struct = self._input_struct(self.graph)
        names = [self._input_name(t) for t in self.graph.inputs]
        by_path = dict(zip(_structure_paths(struct), names, strict=True))
        self.inputs = {name: self.inputs[name] for name in names}
        _warn_tuples(self.model.name, struct, "takes its inputs")
        return _written(struct, by_path.__getitem__)

    def _outputs(self) -> tuple[dict[str, dict[str, Any]], Any]:
        """The named outputs, and the output structure unless it is the default.

        An output keyed in a dict is named by its key; one that is a layer's own output (or an input
        passed through) by that name; one an ``Identity`` layer names (what emit adds for ``from:``) by
        that layer. Any other (``lstm:1``, a shared layer's call) is returned by reference, as Keras
        names it after the layer that makes it.
        """
        struct = self.graph._outputs_struct if self.graph is self.model else self.graph.outputs[0]
        keras_names = list(self.graph.output_names) if self.graph is self.model else [self.model.layers[-1].name]
        outputs: dict[str, dict[str, Any]] = {}
        leaf_of: dict[tuple[Any, ...], str] = {}
        for path, tensor, keras_name in zip(_structure_paths(struct), self.graph.outputs, keras_names, strict=True):
            key = path[-1] if path and isinstance(path[-1], str) else None
            name = self._output_name(self._ref(tensor), keras_name, key, outputs)
            leaf_of[path] = name
            self.keys.append((key or keras_name, name if name in outputs else None))
        tree = _written(struct, leaf_of.__getitem__)
        _warn_tuples(self.model.name, struct, "returns its outputs")
        return outputs, None if tree == default_tree(list(outputs)) else tree

    def _output_name(self, ref: str, keras_name: str, key: str | None, outputs: dict[str, dict[str, Any]]) -> str:
        """Add the output (if it gets a name) and return its leaf: its name, or its reference."""
        if key is not None:
            if not _VALID_NAME.fullmatch(key) or key in outputs:
                raise _fail(
                    f"output dict key {key!r} cannot be an output's name in a spec",
                    "key the dict by valid names (letters, digits, '_', '-')",
                )
            outputs[key] = {} if ref == key else {"from": ref}
            return key
        folded = self._fold_identity(keras_name, ref)
        if folded is not None and keras_name not in outputs:
            outputs[keras_name] = {"from": folded}
            return keras_name
        src = ref.split(":")[0]
        own = src == ref and (src in self.inputs or (src in self.nodes and "share" not in self.nodes[src]))
        if own and src not in outputs:
            outputs[src] = {}
            return src
        if ref in outputs or (own and src in outputs):
            raise _fail(
                f"model {self.model.name!r} returns {ref!r} twice, which a spec cannot write", "return each tensor once"
            )
        return ref

    def _fold_identity(self, name: str, ref: str) -> str | None:
        """The source of an output-only ``Identity`` node (what emit adds for ``from:``), which is then removed."""
        node = self.nodes.get(name)
        if (
            ref != name
            or node is None
            or node.get("layer") != "Identity"
            or set(node) != {"layer", "inputs"}
            or len(node["inputs"]) != 1
        ):
            return None
        if any(
            name in n["inputs"] or n.get("share") == name or _calls(n, name)
            for other, n in self.nodes.items()
            if other != name
        ):
            return None
        del self.nodes[name]
        return str(node["inputs"][0])


def _wrapped_model(model: Any) -> dict[str, Any]:
    """A model a layer wraps (``TimeDistributed`` of a functional model) as that argument's ``{model: ...}``:
    what the argument search (:func:`minimal_args`) is handed as ``wrapped``."""
    sub = ModelImporter(model, depth=1).body()
    if isinstance(model, import_keras().Sequential):
        sub = {"sequential": True, **sub}
    if valid_name(model.name, set()) == model.name:
        sub = {"name": model.name, **sub}
    return {"model": sub, **({} if model.trainable else {"trainable": False})}


def _warn_tuples(model: str, struct: Any, what: str) -> None:
    """A structure holding tuples: a spec writes them as lists (YAML has no tuples), and says so."""
    if _has_tuple(struct):
        warnings.warn(
            f"model {model!r} {what} in a tuple; a spec writes it as a list, so the rebuilt model {what} in a list",
            stacklevel=4,
        )


def _has_tuple(struct: Any) -> bool:
    if isinstance(struct, tuple):
        return True
    items = struct.values() if isinstance(struct, Mapping) else struct if isinstance(struct, list) else ()
    return any(_has_tuple(item) for item in items)


def _calls(node: Mapping[str, Any], name: str) -> bool:
    """Whether a node's call arguments read ``name``."""
    return any(
        ref.split(":")[0] == name
        for key, value in node.get("call", {}).items()
        for ref, _ in call_references(value, (key,))
    )
