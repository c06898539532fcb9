"""Ops: ``op:`` nodes, a function of ``keras.ops`` applied to the node's inputs.

The catalogue records each op's Operation class, its constructor arguments and
its call arguments (which the node's ``inputs`` fill in order; any left over may
be given as constants). An op is named as a function (``add``, ``concatenate``),
never by import path.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphspec.catalog._builtin import Param, _data, _param
from graphspec.catalog.arguments import _unknown
from graphspec.catalog.objects import _check_kwargs
from graphspec.errors import Code, Diagnostic, Path
from graphspec.spec.op_values import check_value as check_op_value

__all__ = ["OpInfo", "check_op_args", "op_for_class", "op_info", "op_names"]


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


def check_op_args(
    op: Any, args: Mapping[str, Any], n_inputs: int, path: Path, args_path: Path, call: Mapping[str, Any] | None = None
) -> Iterator[Diagnostic]:
    """Check an op name against the allow-list and its arguments against the Operation's signature
    (call arguments given as tensors under ``call:`` count as given)."""
    if not isinstance(op, str):
        yield Diagnostic(
            Code.WRONG_TYPE, f"`op` must be the name of a keras.ops function; got {type(op).__name__}", path
        )
        return
    info = op_info(op)
    if info is None:
        by_path = "ops are named as functions of keras.ops (`add`, `concatenate`), never by import path"
        yield _unknown(
            Code.UNKNOWN_OP,
            "op",
            op,
            op_names(),
            path,
            by_path,
            "ops are the functions of keras.ops, such as add, concatenate, reshape",
        )
        return
    if info.refused:
        yield Diagnostic(
            Code.REFUSED_OP,
            f"op {op!r} is refused: {info.refused}",
            path,
            "write a Layer subclass and register it with graphspec.register_layer",
        )
        return
    bound = info.bound(n_inputs)
    if bound is None:
        names = ", ".join(p.name for p in info.call)
        yield Diagnostic(
            Code.BAD_ARGUMENT,
            f"op {op!r} takes {len(info.call)} tensor{'s' if len(info.call) != 1 else ''} "
            f"({names}); got {n_inputs} inputs",
            (*args_path, "inputs"),
        )
        return
    by_call = set(call or ())
    params = (*info.params, *(p for p in info.constants(n_inputs) if p.name not in by_call))
    yield from _check_kwargs(args, params, False, f"op {op!r}", args_path)
    constants = {p.name for p in info.constants(n_inputs)}
    for key, value in args.items():
        if key in constants:
            yield from check_op_value(op, key, value, (*args_path, key))
