"""Rules for keras.layers merging: Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot.

Element-wise merges broadcast as Keras' ``Merge._compute_elemwise_op_output_shape``
does: shapes (without the batch dim) aligned from the right, a dim of 1 stretches,
an unknown dim makes the result unknown. FLOPs: one operation per output element
and extra input for element-wise merges; Dot counts its multiply-adds.
"""

from __future__ import annotations

from graphspec.shapes._base import Call, Result, Rule, ShapeError, Unsupported, mul, plain
from graphspec.shapes._types import Dim, Shape

__all__ = ["RULES"]


def _listed(call: Call) -> list[Shape]:
    if not call.listed:
        raise ShapeError(f"{call.layer} takes a list of tensors (write several `inputs`); got one: {call.got()}")
    return call.shapes()


def _broadcast(call: Call, a: Shape, b: Shape) -> Shape:
    if len(a) < len(b):
        a, b = b, a
    if not b:
        return a
    out: list[Dim] = list(a[: -len(b)])
    for i, j in zip(a[-len(b) :], b, strict=True):
        if i is None or j is None:
            out.append(None)
        elif i == 1:
            out.append(j)
        elif j == 1 or i == j:
            out.append(i)
        else:
            raise ShapeError(
                f"{call.layer} needs shapes that are equal or broadcast (dims equal or 1, "
                f"aligned from the right); got {call.got()}"
            )
    return tuple(out)


def elementwise(call: Call) -> Result:
    """Add, Subtract (exactly 2), Multiply, Average, Maximum, Minimum."""
    shapes = _listed(call)
    if call.layer == "Subtract" and len(shapes) != 2:
        raise ShapeError(f"Subtract takes exactly 2 tensors; got {len(shapes)}: {call.got()}")
    batches = {s[0] for s in shapes} - {None}
    if len(batches) > 1:
        raise ShapeError(f"{call.layer} needs inputs with the same batch size; got {call.got()}")
    out = shapes[0][1:]
    for s in shapes[1:]:
        out = _broadcast(call, out, s[1:])
    batch = next(iter(batches)) if batches else None
    return Result([call.out((batch, *out))], [], mul(len(shapes) - 1, *out))


def concatenate(call: Call) -> Result:
    """All dims but ``axis`` equal (where known); the output sums the axis (None if any is)."""
    shapes = _listed(call)
    axis = call.arg("axis")
    if not isinstance(axis, int) or isinstance(axis, bool):
        raise Unsupported("Concatenate axis")
    ranks = {len(s) for s in shapes}
    if len(ranks) > 1:
        raise ShapeError(f"Concatenate on axis {axis} needs equal dims elsewhere; got {call.got()}")
    rank = ranks.pop()
    if not -rank <= axis < rank:
        raise ShapeError(f"Concatenate axis {axis} is out of range for rank-{rank} inputs; got {call.got()}")
    at = axis % rank
    for i in range(rank):
        known = {s[i] for s in shapes if s[i] is not None}
        if i != at and len(known) > 1:
            raise ShapeError(f"Concatenate on axis {axis} needs equal dims elsewhere; got {call.got()}")
    out = list(shapes[0])
    for s in shapes[1:]:
        if out[at] is None or s[at] is None:
            out[at] = None
            break
        out[at] = out[at] + s[at]  # type: ignore[operator]
    return Result([call.out(out)], [], 0)


def dot(call: Call) -> Result:
    """``batch_dot`` over ``axes`` (an int, or one axis per input); a rank-1 result gets a trailing 1."""
    shapes = _listed(call)
    if len(shapes) != 2:
        raise ShapeError(f"Dot takes exactly 2 tensors; got {len(shapes)}: {call.got()}")
    first, second = list(shapes[0]), list(shapes[1])
    raw = call.arg("axes")
    if isinstance(raw, int) and not isinstance(raw, bool):
        axes = [raw % len(first), raw % len(second)] if raw < 0 else [raw, raw]
    elif isinstance(raw, list | tuple) and len(raw) == 2 and all(isinstance(a, int) for a in raw):
        axes = list(raw)
    else:
        raise ShapeError(f"Dot axes must be an integer or a list of 2 integers; got {plain(raw)}")
    if not (-len(first) <= axes[0] < len(first) and -len(second) <= axes[1] < len(second)):
        raise ShapeError(f"Dot on axes {plain(raw)} is out of range for {call.got()}")
    a, b = first[axes[0]], second[axes[1]]
    if a is not None and b is not None and a != b:
        raise ShapeError(f"Dot on axes {plain(raw)} needs equal dims there; got {call.got()}")
    first.pop(axes[0])
    second.pop(axes[1])
    second.pop(0)
    out = first + second
    if len(out) == 1:
        out.append(1)
    return Result([call.out(out)], [], mul(*out[1:], a if a is not None else b))


RULES: dict[str, Rule] = {
    "Add": elementwise,
    "Subtract": elementwise,
    "Multiply": elementwise,
    "Average": elementwise,
    "Maximum": elementwise,
    "Minimum": elementwise,
    "Concatenate": concatenate,
    "Dot": dot,
}
