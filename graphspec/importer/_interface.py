"""A model's interface: its inputs (names, specs, structure) and its named outputs and output structure."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

from graphspec.importer._graph_state import _fail, _GraphState
from graphspec.importer._names import _VALID_NAME, _named_spec
from graphspec.importer._objects import plain
from graphspec.importer._tensors import _structure_paths, _written
from graphspec.spec import call_references, node_name
from graphspec.spec.structure import default_tree


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


class _Interface(_GraphState):
    """Inputs and outputs: inputs named by dict key or Keras name, outputs named, structures written unless default.

    Reads outputs' references through ``_ref``.
    """

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

    def _input_name(self, tensor: Any) -> str:
        return self.refs[(id(tensor._keras_history.operation), tensor._keras_history.node_index)]

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
