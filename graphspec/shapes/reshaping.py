"""Rules for keras.layers reshaping: Flatten, Reshape, Permute, RepeatVector, ZeroPadding*, Cropping*, UpSampling*.

Flatten, Reshape and Permute keep their input's dtype (Keras builds their output
spec from the input tensor); the others output the compute dtype. None of them
has weights or multiply-adds.
"""

from __future__ import annotations

from typing import Any

from graphspec.shapes._base import Call, RankError, Result, Rule, ShapeError, layout, mul, plain
from graphspec.shapes._types import Dim

__all__ = ["RULES"]


def flatten(call: Call) -> Result:
    """``(batch, ...) → (batch, product)``; the product is None if any dim is."""
    shape = call.shape()
    rest = shape[1:]
    size = 1 if not rest else mul(*rest)
    return Result([call.keep((shape[0], size))])


def reshape(call: Call) -> Result:
    """``compute_reshape_output_shape``: one ``-1`` may stand for the remaining size."""
    shape = call.shape()
    raw = call.arg("target_shape")
    if not isinstance(raw, list | tuple):
        raise ShapeError(f"Reshape target_shape must be a list of dims; got {plain(raw)}")
    target: tuple[Dim, ...] = tuple(d if isinstance(d, int) and not isinstance(d, bool) else None for d in raw)
    if any(d is not None and d < -1 for d in target) or target.count(-1) > 1:
        raise ShapeError(f"Reshape target_shape takes dims ≥ 0 and at most one -1; got {plain(raw)}")
    rest = shape[1:]
    if None in rest or None in target:
        return Result([call.keep((shape[0], *(None if d == -1 else d for d in target)))])
    size = mul(*rest)
    assert size is not None
    if -1 not in target:
        wanted = mul(*target)
        if wanted != size:
            raise ShapeError(
                f"Reshape to target_shape {plain(raw)} needs {wanted} elements per example; "
                f"got {call.got()}, which has {size}"
            )
        return Result([call.keep((shape[0], *target))])
    known = mul(*(d for d in target if d != -1))
    assert known is not None
    if known == 0 or size % known:
        raise ShapeError(
            f"Reshape to target_shape {plain(raw)} needs a multiple of {known} elements per example; "
            f"got {call.got()}, which has {size}"
        )
    return Result([call.keep((shape[0], *(size // known if d == -1 else d for d in target)))])


def permute(call: Call) -> Result:
    """``dims`` (1-based, a permutation of the non-batch axes); the input rank must be ``len(dims) + 1``."""
    shape = call.shape()
    dims = call.arg("dims")
    if not isinstance(dims, list | tuple) or sorted(dims) != list(range(1, len(dims) + 1)):
        raise ShapeError(f"Permute dims must be a permutation of 1..n; got {plain(dims)}")
    if len(shape) != len(dims) + 1:
        raise RankError(f"Permute with dims {plain(dims)} needs rank-{len(dims) + 1} input; got {call.got()}")
    return Result([call.keep((shape[0], *(shape[d] for d in dims)))])


def repeat_vector(call: Call) -> Result:
    """``(batch, d) → (batch, n, d)``."""
    shape = call.shape()
    call.need_rank(shape, 2, "(batch, features)")
    return Result([call.out((shape[0], call.arg("n"), shape[1]))])


def _pairs(call: Call, name: str, n: int) -> tuple[tuple[int, int], ...]:
    """Keras' padding/cropping forms: an int, ``n`` ints (symmetric), or ``n`` pairs."""
    value: Any = call.arg(name)
    if isinstance(value, int) and not isinstance(value, bool):
        items: list[Any] = [value] * n
    elif isinstance(value, list | tuple) and len(value) == n:
        items = list(value)
    else:
        raise ShapeError(f"{call.layer} {name} must be an integer, {n} integers or {n} pairs; got {plain(value)}")
    pairs: list[tuple[int, int]] = []
    for item in items:
        pair = (item, item) if isinstance(item, int) else tuple(item) if isinstance(item, list | tuple) else ()
        if len(pair) != 2 or not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in pair):
            raise ShapeError(
                f"{call.layer} {name} must be an integer, {n} integers or {n} pairs of integers ≥ 0; got {plain(value)}"
            )
        pairs.append((int(pair[0]), int(pair[1])))
    return tuple(pairs)


def zero_padding(rank: int) -> Rule:
    def rule(call: Call) -> Result:
        shape = call.shape()
        fmt = call.data_format()
        call.need_rank(shape, rank + 2, layout(rank, fmt))
        pads = (call.tuple_arg("padding", 2, allow_zero=True),) if rank == 1 else _pairs(call, "padding", rank)
        out = list(shape)
        start = 2 if fmt == "channels_first" else 1
        for i, (a, b) in enumerate(pads):
            n = out[start + i]
            out[start + i] = None if n is None else n + a + b
        return Result([call.out(out)])

    return rule


def cropping(rank: int) -> Rule:
    def rule(call: Call) -> Result:
        shape = call.shape()
        fmt = "channels_last" if rank == 1 else call.data_format()
        call.need_rank(shape, rank + 2, layout(rank, fmt))
        crops = (call.tuple_arg("cropping", 2, allow_zero=True),) if rank == 1 else _pairs(call, "cropping", rank)
        out = list(shape)
        start = 2 if fmt == "channels_first" else 1
        for i, (a, b) in enumerate(crops):
            n = out[start + i]
            if n is None:
                continue
            if n - a - b <= 0:
                shown = plain(crops[0]) if rank == 1 else plain(crops)
                raise ShapeError(
                    f"{call.layer} with cropping {shown} shrinks dim {start + i} to {n - a - b}; got {call.got()}"
                )
            out[start + i] = n - a - b
        return Result([call.out(out)])

    return rule


def up_sampling(rank: int) -> Rule:
    def rule(call: Call) -> Result:
        shape = call.shape()
        fmt = "channels_last" if rank == 1 else call.data_format()
        call.need_rank(shape, rank + 2, layout(rank, fmt))
        if rank == 1:
            size = call.arg("size")
            if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
                raise ShapeError(f"UpSampling1D size must be a positive integer; got {plain(size)}")
            sizes: tuple[int, ...] = (size,)
        else:
            sizes = call.tuple_arg("size", rank)
        out = list(shape)
        start = 2 if fmt == "channels_first" else 1
        for i, s in enumerate(sizes):
            n = out[start + i]
            out[start + i] = None if n is None else n * s
        return Result([call.out(out)])

    return rule


RULES: dict[str, Rule] = {
    "Flatten": flatten,
    "Reshape": reshape,
    "Permute": permute,
    "RepeatVector": repeat_vector,
    "ZeroPadding1D": zero_padding(1),
    "ZeroPadding2D": zero_padding(2),
    "ZeroPadding3D": zero_padding(3),
    "Cropping1D": cropping(1),
    "Cropping2D": cropping(2),
    "Cropping3D": cropping(3),
    "UpSampling1D": up_sampling(1),
    "UpSampling2D": up_sampling(2),
    "UpSampling3D": up_sampling(3),
}
