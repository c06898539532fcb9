"""Rules for keras.layers regularization: Dropout and its kin keep the shape, have no weights and no FLOPs at
inference."""

from __future__ import annotations

from graphspec.shapes._base import Call, Result, Rule, layout

__all__ = ["RULES"]


def keep_shape(call: Call) -> Result:
    """Dropout, GaussianDropout, GaussianNoise, AlphaDropout, ActivityRegularization."""
    return Result([call.out(call.shape(strict=False))])


def spatial_dropout(rank: int) -> Rule:
    """SpatialDropout1D/2D/3D take exactly rank ``rank + 2`` (their InputSpec's ``ndim``)."""

    def rule(call: Call) -> Result:
        shape = call.shape()
        call.need_rank(shape, rank + 2, layout(rank, call.data_format()))
        return Result([call.out(shape)])

    return rule


RULES: dict[str, Rule] = {
    "Dropout": keep_shape,
    "GaussianDropout": keep_shape,
    "GaussianNoise": keep_shape,
    "AlphaDropout": keep_shape,
    "ActivityRegularization": keep_shape,
    "SpatialDropout1D": spatial_dropout(1),
    "SpatialDropout2D": spatial_dropout(2),
    "SpatialDropout3D": spatial_dropout(3),
}
