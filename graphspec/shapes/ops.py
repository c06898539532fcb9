"""Rules for ``op:`` nodes (functions of ``keras.ops``): arithmetic, activations, concatenate, reshape, transpose,
reductions, cast.

Unlike a layer, an op sees whole tensors: the batch dim is an ordinary axis
(``ops.reshape`` takes the full new shape; ``ops.concatenate``'s default axis 0
is the batch). Arithmetic broadcasts as NumPy does. A constant argument
(``multiply`` with ``x2: 2.0``) is a scalar; anything else makes the outputs
unknown, as does every op without a rule here.
"""

from __future__ import annotations

from graphspec.shapes._base import Call, Result, Rule, ShapeError, Unsupported, mul, op_label, plain
from graphspec.shapes._types import Dim, Shape, TensorInfo
from graphspec.shapes.merging import concatenate

__all__ = ["RULES"]


def _dtype(call: Call, constants: list[object]) -> str | None:
    """The common dtype of the tensors, unless mixing leaves it to Keras' type promotion."""
    dtypes = {t.dtype for t in call.inputs}
    dtype = dtypes.pop() if len(dtypes) == 1 else None
    if dtype is not None and any(isinstance(c, float) for c in constants) and not dtype.startswith(("float", "bfloat")):
        return None
    return dtype


def _is_scalar(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _broadcast(call: Call, a: Shape, b: Shape) -> Shape:
    """Keras' ``broadcast_shapes``: aligned from the right, 1 stretches, an unknown dim takes the other's size."""
    width = max(len(a), len(b))
    a, b = (1,) * (width - len(a)) + a, (1,) * (width - len(b)) + b
    out: list[Dim] = []
    for i, j in zip(a, b, strict=True):
        if i == 1 or (i is None and j != 1):
            out.append(j)
        elif i is None or j in (1, None, i):
            out.append(i)
        else:
            raise ShapeError(
                f"{call.layer} needs shapes that are equal or broadcast (dims equal or 1, "
                f"aligned from the right); got {call.got()}"
            )
    return tuple(out)


def binary(call: Call) -> Result:
    """``add``, ``multiply``, ...: two tensors, or one and a scalar constant, broadcast together."""
    shapes = call.shapes()
    constants = [call.args[n] for n in ("x1", "x2") if n in call.args]
    if len(shapes) + len(constants) != 2 or not all(_is_scalar(c) for c in constants):
        raise Unsupported(f"{call.layer} of {len(shapes)} tensors and {plain(constants)}")
    out = shapes[0] if len(shapes) == 1 else _broadcast(call, shapes[0], shapes[1])
    return Result([TensorInfo(out, _dtype(call, constants))], [], mul(*out[1:]))


def unary(call: Call) -> Result:
    """Element-wise functions of one tensor: the shape and dtype stay."""
    shape = call.shape(strict=False)
    return Result([TensorInfo(shape, call.inputs[0].dtype)], [], mul(*shape[1:]))


def reshape(call: Call) -> Result:
    """``newshape`` is the whole shape, batch included; one ``-1`` stands for the rest."""
    shape = call.shape()
    raw = call.arg("newshape")
    if isinstance(raw, int) and not isinstance(raw, bool):
        raw = [raw]
    if not isinstance(raw, list | tuple) or not all(isinstance(d, int) and not isinstance(d, bool) for d in raw):
        raise Unsupported(f"newshape {raw!r}")
    if any(d < -1 for d in raw) or raw.count(-1) > 1:
        raise ShapeError(f"{call.layer} newshape takes dims ≥ 0 and at most one -1; got {plain(raw)}")
    size, known = mul(*shape), mul(*(d for d in raw if d != -1))
    if size is None or known is None:
        return Result([TensorInfo(tuple(None if d == -1 else d for d in raw), call.inputs[0].dtype)])
    if (-1 not in raw and known != size) or (-1 in raw and (known == 0 or size % known)):
        raise ShapeError(f"{call.layer} to newshape {plain(raw)} cannot hold {call.got()}, which has {size} elements")
    out: Shape = tuple(size // known if d == -1 else d for d in raw)
    return Result([TensorInfo(out, call.inputs[0].dtype)])


def transpose(call: Call) -> Result:
    """``axes`` permutes the whole shape (reversed without it)."""
    shape = call.shape()
    axes = call.arg("axes")
    order = list(range(len(shape)))[::-1] if axes is None else axes
    if not isinstance(order, list | tuple) or sorted(
        a % len(shape) if isinstance(a, int) else a for a in order
    ) != list(range(len(shape))):
        raise ShapeError(
            f"{call.layer} axes must be a permutation of the {len(shape)} axes; got {plain(axes)} for {call.got()}"
        )
    return Result([TensorInfo(tuple(shape[a] for a in order), call.inputs[0].dtype)])


def expand_dims(call: Call) -> Result:
    shape = call.shape()
    at = call.axis(call.arg("axis"), len(shape) + 1)
    return Result([TensorInfo((*shape[:at], 1, *shape[at:]), call.inputs[0].dtype)])


def reduction(call: Call) -> Result:
    """``mean``, ``sum``, ``max``, ``min`` over ``axis`` (all axes without it), ``keepdims`` or not."""
    shape = call.shape()
    raw = call.arg("axis")
    axes = (
        set(range(len(shape)))
        if raw is None
        else {call.axis(a, len(shape)) for a in (raw if isinstance(raw, list | tuple) else [raw])}
    )
    keep = bool(call.arg("keepdims"))
    out: list[Dim] = [1 if i in axes else d for i, d in enumerate(shape) if keep or i not in axes]
    dtype = call.inputs[0].dtype
    if call.layer == op_label("mean") and dtype is not None and not dtype.startswith(("float", "bfloat")):
        dtype = "float32"
    return Result([TensorInfo(tuple(out), dtype)], [], mul(*shape[1:]))


def cast(call: Call) -> Result:
    dtype = call.arg("dtype")
    if not isinstance(dtype, str):
        raise Unsupported(f"dtype {dtype!r}")
    return Result([TensorInfo(call.shape(), dtype)])


_BINARY = ("add", "subtract", "multiply", "divide", "true_divide", "floor_divide", "maximum", "minimum", "power", "mod")
_UNARY = (
    "abs", "absolute", "negative", "exp", "log", "sqrt", "square", "sin", "cos", "tanh", "sigmoid", "relu", "relu6",
    "gelu", "silu", "softplus", "softsign", "elu", "selu", "leaky_relu", "hard_sigmoid", "hard_silu",
    "log_sigmoid", "softmax", "log_softmax", "floor", "ceil", "round", "sign", "erf", "stop_gradient", "reciprocal",
)  # fmt: skip

RULES: dict[str, Rule] = {
    **{op_label(n): binary for n in _BINARY},
    **{op_label(n): unary for n in _UNARY},
    **{op_label(n): reduction for n in ("mean", "sum", "max", "min")},
    op_label("concatenate"): concatenate,
    op_label("reshape"): reshape,
    op_label("transpose"): transpose,
    op_label("expand_dims"): expand_dims,
    op_label("cast"): cast,
}
