"""Rules for keras.layers activations: ReLU, LeakyReLU, ELU, Softmax (no weights) and PReLU (an alpha per element)."""

from __future__ import annotations

from typing import Any

from graphspec.shapes._base import Call, Result, Rule, ShapeError, Weight, mul, plain
from graphspec.shapes._types import Dim

__all__ = ["RULES"]


def activation(call: Call) -> Result:
    """Shape unchanged, compute dtype, no FLOPs counted."""
    return Result([call.out(call.shape(strict=False))])


def prelu(call: Call) -> Result:
    """alpha has the input's non-batch shape, with 1 on each of ``shared_axes``."""
    shape = call.shape(strict=False)
    raw: Any = call.arg("shared_axes")
    shared = [] if raw is None else list(raw) if isinstance(raw, list | tuple) else [raw]
    alpha: list[Dim] = list(shape[1:])
    for axis in shared:
        if not isinstance(axis, int) or not -len(alpha) <= axis - 1 < len(alpha):
            raise ShapeError(f"PReLU shared_axes {plain(raw)} do not fit input {call.got()}")
        alpha[axis - 1] = 1
    return Result([call.out(shape)], [Weight("alpha", tuple(alpha))], mul(*shape[1:]))


RULES: dict[str, Rule] = {
    "ReLU": activation,
    "LeakyReLU": activation,
    "ELU": activation,
    "Softmax": activation,
    "PReLU": prelu,
}
