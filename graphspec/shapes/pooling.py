"""Rules for keras.layers pooling: Max/Average pooling 1D/2D/3D, Global*, Adaptive*, with their aliases.

FLOPs: max pooling does no multiply-adds (0); average pooling counts one add per
window element (``output elements × pool window``); global average pooling one per
input element.
"""

from __future__ import annotations

from graphspec.shapes._base import Call, Result, Rule, Unsupported, assemble, mul, spatial
from graphspec.shapes.convolutional import image_input, padding_arg, window_output

__all__ = ["RULES"]


def pooling(rank: int, average: bool) -> Rule:
    """MaxPooling/AveragePooling: ``strides`` default to ``pool_size``; padding is 'valid' or 'same' (lower case)."""

    def rule(call: Call) -> Result:
        shape, data_format, dims, channels = image_input(call, rank)
        pool = call.tuple_arg("pool_size", rank)
        strides = pool if call.arg("strides") is None else call.tuple_arg("strides", rank)
        padding = padding_arg(call, ("valid", "same"), lower=False)
        out_dims = window_output(
            call, dims, data_format, pool, strides, (1,) * rank, padding, "pool_size", implied_strides=pool
        )
        flops = mul(*out_dims, channels, *pool) if average else 0
        return Result([call.out(assemble(shape[0], out_dims, channels, data_format))], flops=flops)

    return rule


def global_pooling(rank: int, average: bool) -> Rule:
    """GlobalMax/GlobalAveragePooling: ``(batch, channels)``, or ones in the spatial dims with ``keepdims``."""

    def rule(call: Call) -> Result:
        shape, data_format, _, channels = image_input(call, rank)
        out = assemble(shape[0], [1] * rank, channels, data_format) if call.arg("keepdims") else (shape[0], channels)
        return Result([call.out(out)], flops=mul(*shape[1:]) if average else 0)

    return rule


def adaptive_pooling(rank: int, average: bool) -> Rule:
    """AdaptiveMax/AdaptiveAveragePooling: spatial dims become ``output_size``."""

    def rule(call: Call) -> Result:
        shape = call.shape()
        if len(shape) != rank + 2:
            raise Unsupported("adaptive pooling of another rank")
        data_format = call.data_format()
        _, channels = spatial(shape, data_format)
        size = call.tuple_arg("output_size", rank)
        out = assemble(shape[0], list(size), channels, data_format)
        return Result([call.out(out)], flops=mul(*shape[1:]) if average else 0)

    return rule


MAX1D, MAX2D, MAX3D = (pooling(r, False) for r in (1, 2, 3))
AVG1D, AVG2D, AVG3D = (pooling(r, True) for r in (1, 2, 3))
GMAX1D, GMAX2D, GMAX3D = (global_pooling(r, False) for r in (1, 2, 3))
GAVG1D, GAVG2D, GAVG3D = (global_pooling(r, True) for r in (1, 2, 3))

RULES: dict[str, Rule] = {
    "MaxPooling1D": MAX1D,
    "MaxPooling2D": MAX2D,
    "MaxPooling3D": MAX3D,
    "MaxPool1D": MAX1D,
    "MaxPool2D": MAX2D,
    "MaxPool3D": MAX3D,
    "AveragePooling1D": AVG1D,
    "AveragePooling2D": AVG2D,
    "AveragePooling3D": AVG3D,
    "AvgPool1D": AVG1D,
    "AvgPool2D": AVG2D,
    "AvgPool3D": AVG3D,
    "GlobalMaxPooling1D": GMAX1D,
    "GlobalMaxPooling2D": GMAX2D,
    "GlobalMaxPooling3D": GMAX3D,
    "GlobalMaxPool1D": GMAX1D,
    "GlobalMaxPool2D": GMAX2D,
    "GlobalMaxPool3D": GMAX3D,
    "GlobalAveragePooling1D": GAVG1D,
    "GlobalAveragePooling2D": GAVG2D,
    "GlobalAveragePooling3D": GAVG3D,
    "GlobalAvgPool1D": GAVG1D,
    "GlobalAvgPool2D": GAVG2D,
    "GlobalAvgPool3D": GAVG3D,
    "AdaptiveMaxPooling1D": adaptive_pooling(1, False),
    "AdaptiveMaxPooling2D": adaptive_pooling(2, False),
    "AdaptiveMaxPooling3D": adaptive_pooling(3, False),
    "AdaptiveAveragePooling1D": adaptive_pooling(1, True),
    "AdaptiveAveragePooling2D": adaptive_pooling(2, True),
    "AdaptiveAveragePooling3D": adaptive_pooling(3, True),
}
