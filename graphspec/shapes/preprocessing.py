"""Rules for keras.layers preprocessing: Rescaling (shape unchanged, compute dtype, one multiply-add per element)."""

from __future__ import annotations

from graphspec.shapes._base import Call, Result, Rule, mul

__all__ = ["RULES"]


def rescaling(call: Call) -> Result:
    shape = call.shape(strict=False)
    return Result([call.out(shape)], [], mul(*shape[1:]))


RULES: dict[str, Rule] = {
    "Rescaling": rescaling,
}
