"""Rules for keras.layers normalization: BatchNormalization, LayerNormalization, GroupNormalization, UnitNormalization,
RMSNormalization.

BatchNormalization's moving mean and variance (and renorm's statistics) are
non-trainable weights. FLOPs: one multiply-add per element.
"""

from __future__ import annotations

from typing import Any

from graphspec.shapes._base import Call, Result, Rule, ShapeError, Unsupported, Weight, mul
from graphspec.shapes._types import Dim, Shape

__all__ = ["RULES"]


def _axes(call: Call, shape: Shape) -> list[int]:
    """The ``axis`` argument (an int or a list), each checked against the rank as Keras does."""
    raw: Any = call.arg("axis")
    axes = list(raw) if isinstance(raw, list | tuple) else [raw]
    for a in axes:
        call.axis(a, len(shape))
    return axes


def _stat_shape(call: Call, shape: Shape) -> tuple[Dim, ...]:
    """The weight shape of LayerNormalization/RMSNormalization: the dims at the (sorted) axes."""
    raw: Any = call.arg("axis")
    axes = sorted(raw) if isinstance(raw, list | tuple) else [raw]
    return tuple(shape[a] for a in axes)


def batch_normalization(call: Call) -> Result:
    """gamma and beta (trainable), moving_mean and moving_variance (not), each of the axis' size."""
    shape = call.shape(strict=False)
    axis = call.arg("axis")
    if isinstance(axis, list | tuple):
        raise Unsupported("BatchNormalization takes one axis")
    call.axis(axis, len(shape))
    dim = (shape[axis],)
    weights = []
    if call.arg("scale"):
        weights.append(Weight("gamma", dim))
    if call.arg("center"):
        weights.append(Weight("beta", dim))
    weights += [Weight("moving_mean", dim, False), Weight("moving_variance", dim, False)]
    if call.arg("renorm"):
        weights += [
            Weight("moving_stddev", dim, False),
            Weight("renorm_mean", dim, False),
            Weight("renorm_stddev", dim, False),
        ]
    return Result([call.out(shape)], weights, mul(*shape[1:]))


def layer_normalization(call: Call) -> Result:
    """gamma (``scale``) and beta (``center``) shaped like the normalized axes."""
    shape = call.shape(strict=False)
    _axes(call, shape)
    dims = _stat_shape(call, shape)
    weights = []
    if call.arg("scale"):
        weights.append(Weight("gamma", dims))
    if call.arg("center"):
        weights.append(Weight("beta", dims))
    return Result([call.out(shape)], weights, mul(*shape[1:]))


def group_normalization(call: Call) -> Result:
    """gamma and beta of the channel count, which ``groups`` (-1: one per channel) must divide."""
    shape = call.shape(strict=False)
    axis = call.arg("axis")
    if not isinstance(axis, int):
        raise Unsupported("GroupNormalization takes one axis")
    call.axis(axis, len(shape))
    dim = shape[axis]
    groups = call.arg("groups")
    if dim is not None:
        groups = dim if groups == -1 else groups
        if dim < groups or dim % groups:
            raise ShapeError(
                f"GroupNormalization with groups {groups} needs a channel count (axis {axis}) "
                f"that is a multiple of {groups}; got {call.got()}"
            )
    weights = []
    if call.arg("scale"):
        weights.append(Weight("gamma", (dim,)))
    if call.arg("center"):
        weights.append(Weight("beta", (dim,)))
    return Result([call.out(shape)], weights, mul(*shape[1:]))


def unit_normalization(call: Call) -> Result:
    shape = call.shape(strict=False)
    _axes(call, shape)
    return Result([call.out(shape)], [], mul(*shape[1:]))


def rms_normalization(call: Call) -> Result:
    """One ``scale`` weight shaped like the normalized axes."""
    shape = call.shape(strict=False)
    _axes(call, shape)
    dims = _stat_shape(call, shape)
    return Result([call.out(shape)], [Weight("scale", dims)], mul(*shape[1:]))


RULES: dict[str, Rule] = {
    "BatchNormalization": batch_normalization,
    "LayerNormalization": layer_normalization,
    "GroupNormalization": group_normalization,
    "UnitNormalization": unit_normalization,
    "RMSNormalization": rms_normalization,
}
