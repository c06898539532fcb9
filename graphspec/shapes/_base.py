"""The toolkit rules are written with: the call a rule sees, what it returns, and Keras' argument arithmetic."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from graphspec import catalog
from graphspec.shapes._types import Dim, Shape, TensorInfo

__all__ = [
    "Call",
    "RankError",
    "Result",
    "Rule",
    "ShapeError",
    "Tensor",
    "Unsupported",
    "Weight",
    "compute_dtype",
    "fmt",
    "mul",
    "op_label",
    "with_defaults",
]

FLOAT_DTYPES = frozenset({"float16", "bfloat16", "float32", "float64"})
_POLICIES = {"mixed_float16": "float16", "mixed_bfloat16": "bfloat16"}


class ShapeError(Exception):
    """Keras would certainly reject this call; the message says why, naming the inputs."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint


class RankError(ShapeError):
    """The input has the wrong rank for the layer (Keras' InputSpec check, which wrappers bypass)."""


class Unsupported(Exception):
    """The rule cannot say what Keras does here: the outputs become unknown, with no error."""


class Weight(NamedTuple):
    """One variable a layer creates: its shape decides the parameter count.

    ``own`` is False for the variables of sublayers (MultiHeadAttention's projections,
    a wrapper's nested layer): as in Keras, a layer's ``trainable: false`` freezes
    only its own variables; sublayers keep their own setting. (A named tuple: rules
    make several for every node validated, and a frozen dataclass costs three times
    as much to make.)
    """

    name: str
    shape: Shape
    trainable: bool = True
    own: bool = True

    @property
    def size(self) -> int | None:
        return mul(*self.shape)


@dataclass
class Result:
    """What a rule returns: the output tensors, the weights the layer creates, and the FLOPs."""

    outputs: list[TensorInfo]
    weights: list[Weight] = field(default_factory=list)
    flops: int | None = 0
    warnings: list[str] = field(default_factory=list)


def mul(*values: int | None) -> int | None:
    """The product of some dims, or ``None`` if any is unknown."""
    out = 1
    for v in values:
        if v is None:
            return None
        out *= v
    return out


def add(*values: int | None) -> int | None:
    """The sum of some counts, or ``None`` if any is unknown."""
    if any(v is None for v in values):
        return None
    return sum(v for v in values if v is not None)


def fmt(shape: Shape | None) -> str:
    """A shape as Keras prints it: ``(None, 32)``."""
    return "<unknown>" if shape is None else repr(tuple(shape))


def plain(value: Any) -> str:
    """An argument value as written in a spec, lists shown as tuples: ``(3, 5)``."""
    if isinstance(value, list | tuple):
        return "(" + ", ".join(plain(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    return repr(value)


def and_list(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def compute_dtype(dtype_arg: Any) -> str:
    """The dtype a layer computes in, from its ``dtype`` argument (a dtype or a policy name)."""
    if isinstance(dtype_arg, str):
        return _POLICIES.get(dtype_arg, dtype_arg)
    return "float32"


def with_defaults(layer: str, args: Mapping[str, Any]) -> dict[str, Any]:
    """A layer's arguments with the catalogue's defaults filled in for those not given."""
    return {**_defaults(layer), **args}


# layer or op label → (its catalogue entry, its defaults); an entry is replaced
# when the catalogue's is (registering a layer makes new entries).
_DEFAULTS: dict[str, tuple[object, dict[str, Any]]] = {}


def _defaults(layer: str) -> dict[str, Any]:
    info: object = (
        catalog.op_info(layer.removeprefix(_OP_PREFIX)) if layer.startswith(_OP_PREFIX) else catalog.layer_info(layer)
    )
    known = _DEFAULTS.get(layer)
    if known is not None and known[0] is info:
        return known[1]
    out: dict[str, Any] = {"dtype": None, "trainable": True, "autocast": True}
    if isinstance(info, catalog.OpInfo):
        out.update({p.name: p.default for p in (*info.params, *info.call) if not p.required})
    elif isinstance(info, catalog.LayerInfo):
        out.update({p.name: p.default for p in info.params if not p.required})
    _DEFAULTS[layer] = (info, out)
    return out


_OP_PREFIX = "ops."


def op_label(op: str) -> str:
    """How an ``op:`` node is named in rules, messages and summaries: ``ops.add``.

    Layer class names never hold a dot, so op rules share the dispatch table with layer rules.
    """
    return _OP_PREFIX + op


Rule = Callable[["Call"], Result]


@dataclass(frozen=True)
class Tensor:
    """A tensor a call argument passes: what is known of it, and the reference it came from."""

    info: TensorInfo
    source: str


@dataclass(slots=True)  # made for every node of every validate: slots, and no frozen __setattr__ to pay
class Call:
    """One call of a layer, as a rule sees it (rules read it, never change it).

    Attributes:
        layer: the class name.
        args: its arguments, with catalogue defaults filled in.
        inputs: the input tensors, flattened; every shape is known (rank known).
        sources: for each input, the reference it came from (``enc``, ``enc:1``).
        listed: whether Keras receives a list (several references, or one plain
            reference to a multi-output node) rather than one tensor.
        refs: how many references the node writes.
        rules: the dispatch table, for wrappers applying a nested layer.
    """

    layer: str
    args: Mapping[str, Any]
    inputs: tuple[TensorInfo, ...]
    sources: tuple[str, ...]
    listed: bool = False
    refs: int = 1
    rules: Mapping[str, Rule] = field(default_factory=dict)
    kwargs: Mapping[str, Any] = field(default_factory=dict)

    def arg(self, name: str) -> Any:
        return self.args.get(name)

    def kwarg(self, name: str) -> Any:
        """A call argument (``call:``): tensors as :class:`TensorInfo` (lists as lists), plain values as given."""
        return self.kwargs.get(name)

    def kwarg_tensors(self, name: str) -> list[tuple[TensorInfo, str]] | None:
        """The tensors a call argument passes, flattened, with where each came from; ``None`` if not given."""
        value = self.kwargs.get(name)
        if value is None:
            return None
        found: list[tuple[TensorInfo, str]] = []
        stack: list[Any] = [value]
        while stack:
            item = stack.pop(0)
            if isinstance(item, list):
                stack[:0] = item
            elif isinstance(item, Tensor):
                found.append((item.info, item.source))
        return found

    @property
    def dtype(self) -> str:
        return compute_dtype(self.args.get("dtype"))

    def got(self, *indexes: int) -> str:
        """``(None, 32) from text_enc and (None, 16, 8) from q_emb`` for the given inputs (all by default)."""
        which = indexes or tuple(range(len(self.inputs)))
        return and_list([f"{fmt(self.inputs[i].shape)} from {self.sources[i]}" for i in which])

    def shape(self, strict: bool = True) -> Shape:
        """The shape of the single input tensor this layer takes.

        Given a list instead, Keras refuses layers with an input spec or a single-shape
        ``build`` (``strict``); element-wise layers without one map over the list, which
        graphspec does not model (the outputs become unknown).
        """
        if self.listed or len(self.inputs) != 1:
            if not strict:
                raise Unsupported(f"{self.layer} over a list of tensors")
            raise ShapeError(f"{self.layer} takes one tensor; got {len(self.inputs)}: {self.got()}")
        shape = self.inputs[0].shape
        assert shape is not None, "rules run on known ranks only"
        return shape

    def shapes(self) -> list[Shape]:
        shapes = [t.shape for t in self.inputs]
        assert all(s is not None for s in shapes), "rules run on known ranks only"
        return [s for s in shapes if s is not None]

    def out(self, shape: Iterable[Dim]) -> TensorInfo:
        """An output tensor in the layer's compute dtype."""
        dtype = self.args.get("dtype")
        return TensorInfo(
            tuple(shape), "float32" if dtype is None else compute_dtype(dtype)
        )  # (None, the default, first)

    def keep(self, shape: Iterable[Dim], index: int = 0) -> TensorInfo:
        """An output tensor that keeps the input's dtype, as Flatten/Reshape/Permute/Identity do.

        Keras casts floating inputs to the compute dtype first (when autocast is on).
        """
        dtype = self.inputs[index].dtype
        if dtype in FLOAT_DTYPES and self.args.get("autocast", True):
            dtype = self.dtype
        return TensorInfo(tuple(shape), dtype)

    def need_rank(self, shape: Shape, rank: int, layout: str) -> None:
        if len(shape) != rank:
            raise RankError(f"{self.layer} needs rank-{rank} input {layout}; got {self.got()}")

    def tuple_arg(self, name: str, n: int, allow_zero: bool = False) -> tuple[int, ...]:
        """Keras' ``standardize_tuple``: an int or a list of ``n`` ints.

        A value that is not made of integers is the catalogue's to report (Unsupported
        here); a list of the wrong length or a negative value is an error.
        """
        value: Any = self.args.get(name)
        if type(value) is int:  # the common cases first, without isinstance checks
            items: tuple[Any, ...] = (value,) * n
        elif type(value) in (list, tuple) and all(type(v) is int for v in value):
            items = tuple(value)
        elif isinstance(value, int) and not isinstance(value, bool):
            items = (value,) * n
        elif isinstance(value, list | tuple) and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            items = tuple(value)
        else:
            raise Unsupported(f"{name} {value!r}")
        if len(items) != n:
            raise ShapeError(f"{self.layer} {name} must be an integer or a list of {n} integers; got {plain(value)}")
        low = 0 if allow_zero else 1
        if min(items, default=low) < low:
            raise ShapeError(f"{self.layer} {name} must hold integers ≥ {low}; got {plain(value)}")
        return items

    def data_format(self) -> str:
        value = self.args.get("data_format")
        if value is None:
            return "channels_last"  # keras.config.image_data_format()'s default
        value = str(value).lower()
        if value not in ("channels_last", "channels_first"):
            raise ShapeError(f"{self.layer} data_format must be 'channels_last' or 'channels_first'; got {value!r}")
        return value

    def axis(self, axis: Any, rank: int, what: str = "axis") -> int:
        """An axis canonicalised to ``[0, rank)``, or a shape error naming the input."""
        if not isinstance(axis, int) or isinstance(axis, bool):
            raise Unsupported(f"{what} {axis!r}")
        if not -rank <= axis < rank:
            raise ShapeError(f"{self.layer} {what} {axis} is out of range for rank-{rank} input; got {self.got()}")
        return axis % rank

    def nested(
        self, spec: Any, inputs: Sequence[TensorInfo], path: str, sources: tuple[str, ...] | None = None
    ) -> tuple[str, dict[str, Any], Result]:
        """Apply a nested layer (``wraps``/``backward_layer``) to ``inputs``; raise Unsupported if it has no rule."""
        if not isinstance(spec, Mapping) or not isinstance(spec.get("layer"), str):
            raise Unsupported(f"{path} is not a nested layer")
        layer = str(spec["layer"])
        rule = self.rules.get(layer)
        if rule is None:
            raise Unsupported(f"no rule for {layer}")
        args = with_defaults(layer, {k: v for k, v in spec.items() if k != "layer"})
        sub = Call(layer, args, tuple(inputs), sources or self.sources[: len(inputs)], refs=1, rules=self.rules)
        result = rule(sub)
        frozen = not args.get("trainable", True)
        result.weights = [
            Weight(w.name, w.shape, w.trainable and not (frozen and w.own), own=False) for w in result.weights
        ]
        return layer, args, result


def spatial(shape: Shape, data_format: str) -> tuple[list[Dim], Dim]:
    """The spatial dims and the channel dim of a batched image-like shape."""
    if data_format == "channels_last":
        return list(shape[1:-1]), shape[-1]
    return list(shape[2:]), shape[1]


def assemble(batch: Dim, spatial_dims: Sequence[Dim], channels: Dim, data_format: str) -> Shape:
    if data_format == "channels_last":
        return (batch, *spatial_dims, channels)
    return (batch, channels, *spatial_dims)


_LAYOUTS = {
    1: ("steps",),
    2: ("rows", "cols"),
    3: ("dim1", "dim2", "dim3"),
}


@functools.cache
def layout(rank: int, data_format: str) -> str:
    """``(batch, rows, cols, channels)`` for a 2-D layer in channels_last."""
    names = list(_LAYOUTS[rank])
    parts = ["batch", *names, "channels"] if data_format == "channels_last" else ["batch", "channels", *names]
    return "(" + ", ".join(parts) + ")"


def size_text(values: tuple[int, ...]) -> str:
    """``5`` when all equal, else ``(3, 5)``: how a kernel or pool size reads in a message."""
    return str(values[0]) if len(set(values)) == 1 else plain(values)


def floor_div(a: int, b: int) -> int:
    return math.floor(a / b)
