"""Rules for keras.layers preprocessing: Rescaling and Normalization (shape unchanged, compute dtype,
one multiply-add per element)."""

from __future__ import annotations

from typing import Any

from graphspec.shapes._base import Call, Result, Rule, ShapeError, Unsupported, Weight, mul

__all__ = ["RULES"]


def rescaling(call: Call) -> Result:
    shape = call.shape(strict=False)
    return Result([call.out(shape)], [], mul(*shape[1:]))


def normalization(call: Call) -> Result:
    """Keras' ``Normalization.build``: the kept axes (``axis``) need known dims.

    Without ``mean`` and ``variance`` the layer holds what ``adapt`` learns: a mean
    and a variance of the kept dims and a scalar count, none trainable; given them,
    it holds no weights.
    """
    shape = call.shape(strict=False)
    raw: Any = call.arg("axis")
    axes = (
        () if raw is None else (raw,) if isinstance(raw, int) else tuple(raw) if isinstance(raw, list | tuple) else None
    )
    if axes is None:
        raise Unsupported(f"axis {raw!r}")
    keep = sorted(call.axis(a, len(shape)) for a in axes)
    if len(set(keep)) < len(keep):
        raise Unsupported("an axis named twice")
    unknown = [d for d in keep if shape[d] is None]
    if unknown:
        raise ShapeError(
            f"Normalization needs known dims at the axes it keeps ({', '.join(map(str, unknown))}); got {call.got()}",
            "give the input's shape those dims",
        )
    mean, variance = call.arg("mean"), call.arg("variance")
    if (mean is None) != (variance is None):
        raise Unsupported("mean without variance")  # Keras refuses it when the layer is made
    kept = tuple(shape[d] for d in keep)
    weights = (
        []
        if mean is not None
        else [Weight("mean", kept, False), Weight("variance", kept, False), Weight("count", (), False)]
    )
    return Result([call.out(shape)], weights, mul(*shape[1:]))


RULES: dict[str, Rule] = {
    "Rescaling": rescaling,
    "Normalization": normalization,
}
