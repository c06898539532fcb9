"""A layer's call as a node writes it: the tensors filling ``inputs``, the other arguments as ``call:``."""

from __future__ import annotations

from typing import Any

from graphspec._util.keras import import_keras
from graphspec.importer._graph_state import _fail, _GraphState
from graphspec.importer._tensors import (
    _call_signature,
    _implicit_masks,
    _is_default,
    _is_tensor,
    _structure_paths,
    _written,
)
from graphspec.spec.structure import leaves


class _Calls(_GraphState):
    """Call arguments: a call's tensors as references, the rest as ``call:`` values."""

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
