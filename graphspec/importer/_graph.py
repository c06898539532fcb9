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

The walk is :class:`ModelImporter` here; its concerns are mixins over a shared state
(:mod:`graphspec.importer._graph_state`): call arguments (``_calls``), ``op:`` nodes
(``_ops``), inputs and outputs (``_interface``); names are :mod:`graphspec.importer._names`.
"""

from __future__ import annotations

from typing import Any

from graphspec._util.keras import import_keras
from graphspec.importer._arguments import layer_class_name, minimal_args
from graphspec.importer._calls import _Calls
from graphspec.importer._compile import apply_compile, compile_config
from graphspec.importer._graph_state import _fail
from graphspec.importer._interface import _input_spec, _Interface
from graphspec.importer._names import _named_spec, _node_name, valid_name
from graphspec.importer._ops import _Ops
from graphspec.importer._tensors import _structure_paths, _tensor_arguments, _written
from graphspec.spec import MAX_MODEL_DEPTH, node_name
from graphspec.spec.structure import default_tree

__all__ = ["ModelImporter", "valid_name"]


class ModelImporter(_Interface, _Ops, _Calls):
    """Walks a functional model's operations, call by call, into spec data (nested models recursively).

    A layer's (or nested model's) ``trainable`` is written where it differs from the model's
    own: a frozen model freezes the layers in it that do not say otherwise.
    """

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


def _wrapped_model(model: Any) -> dict[str, Any]:
    """A model a layer wraps (``TimeDistributed`` of a functional model) as that argument's ``{model: ...}``:
    what the argument search (:func:`minimal_args`) is handed as ``wrapped``."""
    sub = ModelImporter(model, depth=1).body()
    if isinstance(model, import_keras().Sequential):
        sub = {"sequential": True, **sub}
    if valid_name(model.name, set()) == model.name:
        sub = {"name": model.name, **sub}
    return {"model": sub, **({} if model.trainable else {"trainable": False})}
