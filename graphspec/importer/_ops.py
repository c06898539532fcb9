"""``op:`` nodes: a recorded ``keras.ops`` call's constructor arguments, constants and tensors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphspec import catalog
from graphspec._util.keras import import_keras
from graphspec.importer._graph_state import _fail, _GraphState
from graphspec.importer._objects import plain, short_float32
from graphspec.importer._tensors import _is_tensor
from graphspec.spec.op_values import MAX_CONSTANT_VALUES
from graphspec.spec.op_values import from_python as op_data

# The dtypes Keras gives a list of floats, integers and booleans: a constant of another dtype would change.
_LIST_DTYPES = {"float": "float32", "int": "int32", "bool": "bool"}


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


class _Ops(_GraphState):
    """Operation calls: ``keras.ops`` Operations Keras recorded, as ``op:`` nodes; tensors through ``_ref``."""

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
