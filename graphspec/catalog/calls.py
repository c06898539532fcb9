"""Call arguments: what a node passes its layer when it calls it (``call:``).

Keras layers take keyword arguments at call time as well as tensors: an LSTM's
``initial_state``, attention's ``key``, ``attention_mask`` and
``return_attention_scores``, a mask, ``training``. A node gives them under
``call:``: a string is a reference to a tensor (``enc:1``), a list holds several
(``[enc:1, enc:2]``), and booleans, numbers and ``null`` are plain values::

    decoder: {layer: LSTM, inputs: dec_emb, units: 256, call: {initial_state: [enc:1, enc:2]}}

Each key is checked against the layer's ``call`` signature from the catalogue
(without TensorFlow): an unknown argument, an argument the node's ``inputs``
already fill, a switch given something other than true/false, a tensor argument
given a plain value, and a required argument nobody gives are all errors here.
References are the graph's (``graph.resolve`` checks they exist and makes them
edges); static shapes are the shape rules'.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from graphspec._util.suggest import did_you_mean
from graphspec.catalog._builtin import Param
from graphspec.catalog.ops import OpInfo, op_info
from graphspec.catalog.registry import layer_info
from graphspec.errors import Code, Diagnostic, Path
from graphspec.source import bool_hint

__all__ = ["MODEL_CALL", "call_params", "check_calls", "is_flag"]

# What a nested model's call takes besides its inputs (``keras.Model.call``).
MODEL_CALL = (Param("inputs", True), Param("training", False, None), Param("mask", False, None))


# Call arguments that are switches, not tensors (Keras' `training` defaults to None, meaning "as the caller").
_FLAGS = frozenset({"training"})


def is_flag(param: Param) -> bool:
    """Whether a call argument is a switch (true/false) rather than tensors."""
    return isinstance(param.default, bool) or param.name in _FLAGS


def call_params(node: Any, nodes: Mapping[str, Any]) -> tuple[tuple[Param, ...], tuple[Param, ...], bool, str] | None:
    """For a node: the call arguments of the layer it calls, those its ``inputs`` fill, whether
    ``**kwargs`` are taken, and the layer's label; ``None`` when its layer is unknown."""
    decl = _declaring(node, nodes)
    if decl is None:
        return None
    n_inputs = len(node.inputs)
    if decl.model is not None:
        return MODEL_CALL, MODEL_CALL[:1], False, "a nested model"
    if decl.op is not None:
        op = op_info(decl.op) if isinstance(decl.op, str) else None
        if op is None or op.refused:
            return None
        return _op_call(op, decl.args, n_inputs)
    info = layer_info(decl.layer) if isinstance(decl.layer, str) else None
    if info is None or info.refused:
        return None
    return info.call, info.bound_by_inputs(n_inputs), info.call_var_kwargs, str(decl.layer)


def _op_call(
    info: OpInfo, args: Mapping[str, Any], n_inputs: int
) -> tuple[tuple[Param, ...], tuple[Param, ...], bool, str]:
    """An op's call arguments: those its ``inputs`` fill, and (beside them) those given as constants count as filled."""
    bound = info.bound(n_inputs) or ()
    constants = tuple(p for p in info.call if p.name in args and p not in bound)
    return info.call, (*bound, *constants), False, f"op {info.name!r}"


def _declaring(node: Any, nodes: Mapping[str, Any]) -> Any:
    """The node that declares the layer this node calls (following ``share``; ``None`` if the chain is broken)."""
    seen: set[int] = set()
    while node is not None and node.share is not None:
        if id(node) in seen:
            return None
        seen.add(id(node))
        node = nodes.get(node.share)
    return node


def check_calls(nodes: Mapping[str, Any], prefix: Path = ()) -> list[Diagnostic]:
    """Check every node's ``call:`` against its layer's call signature (nested models' nodes too)."""
    diags: list[Diagnostic] = []
    for name, node in nodes.items():
        npath: Path = (*prefix, "nodes", name)
        if node.call:
            found = call_params(node, nodes)
            if found is not None:
                diags += _check_call(node.call, *found, (*npath, "call"))
        if node.model is not None and len(prefix) // 3 < 8:
            diags += check_calls(node.model.nodes, (*npath, "model"))
    return diags


def _check_call(
    call: Mapping[str, Any],
    params: tuple[Param, ...],
    bound: tuple[Param, ...],
    var_kwargs: bool,
    label: str,
    path: Path,
) -> Iterator[Diagnostic]:
    by_name = {p.name: p for p in params}
    for key, value in call.items():
        where = (*path, key)
        param = by_name.get(key)
        if param is None:
            if not var_kwargs:
                names = [p.name for p in params if p not in bound]
                hint = did_you_mean(key, names) or (
                    f"it takes: {', '.join(names)}" if names else "it takes no call arguments"
                )
                yield Diagnostic(
                    Code.UNKNOWN_ARGUMENT, f"{label}'s call takes no argument {key!r}", where, hint, at_key=True
                )
            continue
        if param in bound:
            yield Diagnostic(
                Code.BAD_ARGUMENT,
                f"{label}'s {key!r} is already given by the node's `inputs`",
                where,
                "give it once: in `inputs` or under `call:`",
                at_key=True,
            )
            continue
        yield from _check_value(param, value, label, where)
    missing = [p.name for p in params if p.required and p not in bound and p.name not in call]
    if missing:
        yield Diagnostic(
            Code.MISSING_ARGUMENT,
            f"{label}'s call needs {', '.join(map(repr, missing))}",
            path,
            "give it under `call:` or as one more of `inputs`",
        )


def _check_value(param: Param, value: Any, label: str, path: Path) -> Iterator[Diagnostic]:
    if is_flag(param):
        if not (isinstance(value, bool) or (value is None and not isinstance(param.default, bool))):
            yield Diagnostic(
                Code.WRONG_TYPE,
                f"{label}'s {param.name!r} is a switch: true or false; got {value!r}",
                path,
                bool_hint(value) or "write true or false",
            )
        return
    bad = _not_references(value, path)
    if bad is not None:
        item, where = bad
        hint = "write a reference such as `enc:1`, or a list of them; plain values go to switches such as `training`"
        yield Diagnostic(
            Code.WRONG_TYPE,
            f"{label}'s {param.name!r} takes tensors (references to inputs or nodes); got {item!r}",
            where,
            hint,
        )


def _not_references(value: Any, path: Path) -> tuple[Any, Path] | None:
    """The first item that is neither a reference (a string) nor a list of them; ``null`` is Keras' default."""
    if value is None or isinstance(value, str):
        return None
    if isinstance(value, list) and value:
        for i, item in enumerate(value):
            if not isinstance(item, str | list):
                return item, (*path, i)
            found = _not_references(item, (*path, i))
            if found is not None:
                return found
        return None
    return value, path
