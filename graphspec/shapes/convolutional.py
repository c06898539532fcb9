"""Rules for keras.layers convolutional: Conv1D/2D/3D, Conv*Transpose, SeparableConv1D/2D, DepthwiseConv1D/2D.

Output sizes follow ``compute_conv_output_shape`` and ``compute_conv_transpose_output_shape``
of Keras 3; FLOPs are the multiply-adds of the kernel over every output position
(biases and activations not counted).
"""

from __future__ import annotations

from typing import Any

from graphspec.shapes._base import (
    Call,
    Result,
    Rule,
    ShapeError,
    Weight,
    and_list,
    assemble,
    floor_div,
    layout,
    mul,
    plain,
    size_text,
    spatial,
)
from graphspec.shapes._types import Dim, Shape

__all__ = ["RULES", "window_output"]


def image_input(call: Call, rank: int) -> tuple[Shape, str, list[Dim], Dim]:
    """The input shape, data format, spatial dims and channels of a ``rank``-D layer, rank checked."""
    shape = call.shape()
    data_format = call.data_format()
    call.need_rank(shape, rank + 2, layout(rank, data_format))
    dims, channels = spatial(shape, data_format)
    return shape, data_format, dims, channels


def padding_arg(call: Call, allowed: tuple[str, ...], lower: bool = True) -> str:
    value = call.arg("padding")
    padding = value.lower() if isinstance(value, str) and lower else value
    if padding not in allowed:
        raise ShapeError(f"{call.layer} padding must be {' or '.join(repr(a) for a in allowed)}; got {plain(value)}")
    return str(padding)


def window_output(
    call: Call,
    dims: list[Dim],
    data_format: str,
    size: tuple[int, ...],
    strides: tuple[int, ...],
    dilation: tuple[int, ...],
    padding: str,
    size_name: str = "kernel_size",
    implied_strides: tuple[int, ...] | None = None,
) -> list[Dim]:
    """Spatial output sizes of a sliding window (conv or pooling), as Keras computes them.

    A message mentions the strides unless they are 1 or ``implied_strides`` (pooling's default).
    """
    out: list[Dim] = []
    offset = 1 if data_format == "channels_last" else 2
    for i, (n, k, s, d) in enumerate(zip(dims, size, strides, dilation, strict=True)):
        if n is None:
            out.append(None)
            continue
        if padding == "valid":
            o = floor_div(n - d * (k - 1) - 1, s) + 1
            if o <= 0:
                parts = [f"{size_name} {size_text(size)}"]
                if max(strides) > 1 and strides != implied_strides:
                    parts.append(f"strides {size_text(strides)}")
                if max(dilation) > 1:
                    parts.append(f"dilation_rate {size_text(dilation)}")
                parts.append("padding 'valid'")
                raise ShapeError(
                    f"{call.layer} with {and_list(parts)} shrinks dim {i + offset} to {o}; got {call.got()}"
                )
        else:
            o = floor_div(n - 1, s) + 1
        out.append(o)
    return out


def _no_strided_dilation(call: Call, strides: tuple[int, ...], dilation: tuple[int, ...]) -> None:
    if max(strides) > 1 and max(dilation) > 1:
        raise ShapeError(
            f"{call.layer} cannot combine strides > 1 with dilation_rate > 1; "
            f"got strides {size_text(strides)} and dilation_rate {size_text(dilation)}"
        )


def _bias(call: Call, size: Dim) -> list[Weight]:
    return [Weight("bias", (size,))] if call.arg("use_bias") else []


def conv(rank: int) -> Rule:
    """Conv1D/2D/3D: kernel ``(*kernel_size, channels // groups, filters)``."""

    def rule(call: Call) -> Result:
        shape, data_format, dims, channels = image_input(call, rank)
        filters = call.arg("filters")
        groups = call.arg("groups") or 1
        kernel = call.tuple_arg("kernel_size", rank)
        strides = call.tuple_arg("strides", rank)
        dilation = call.tuple_arg("dilation_rate", rank)
        padding = padding_arg(call, ("valid", "same", "causal") if rank == 1 else ("valid", "same"))
        _no_strided_dilation(call, strides, dilation)
        if filters % groups:
            raise ShapeError(f"{call.layer} filters ({filters}) must be a multiple of groups ({groups})")
        if channels is not None and channels % groups:
            raise ShapeError(
                f"{call.layer} with groups {groups} needs input channels divisible by {groups}; got {call.got()}"
            )
        out_dims = window_output(call, dims, data_format, kernel, strides, dilation, padding)
        per_group = None if channels is None else channels // groups
        weights = [Weight("kernel", (*kernel, per_group, filters)), *_bias(call, filters)]
        flops = mul(*out_dims, *kernel, per_group, filters)
        return Result([call.out(assemble(shape[0], out_dims, filters, data_format))], weights, flops)

    return rule


def _transposed_size(n: Dim, k: int, s: int, d: int, padding: str, output_padding: int | None) -> Dim:
    if n is None:
        return None
    k = (k - 1) * d + 1
    if padding == "valid":
        extra = max(k, s) - k if output_padding is None else output_padding
        return (n - 1) * s + k + extra
    if output_padding is None:
        return n * s
    return (n - 1) * s + k % 2 + output_padding


def conv_transpose(rank: int) -> Rule:
    """Conv1D/2D/3DTranspose: kernel ``(*kernel_size, filters, channels)``."""

    def rule(call: Call) -> Result:
        shape, data_format, dims, channels = image_input(call, rank)
        filters = call.arg("filters")
        kernel = call.tuple_arg("kernel_size", rank)
        strides = call.tuple_arg("strides", rank)
        dilation = call.tuple_arg("dilation_rate", rank)
        padding = padding_arg(call, ("valid", "same"))
        output_padding = (
            None if call.arg("output_padding") is None else call.tuple_arg("output_padding", rank, allow_zero=True)
        )
        if output_padding is not None and any(p >= s for p, s in zip(output_padding, strides, strict=True)):
            raise ShapeError(
                f"{call.layer} output_padding must be smaller than strides; "
                f"got output_padding {size_text(output_padding)} and strides {size_text(strides)}"
            )
        _no_strided_dilation(call, strides, dilation)
        out_dims = [
            _transposed_size(n, k, s, d, padding, None if output_padding is None else output_padding[i])
            for i, (n, k, s, d) in enumerate(zip(dims, kernel, strides, dilation, strict=True))
        ]
        weights = [Weight("kernel", (*kernel, filters, channels)), *_bias(call, filters)]
        flops = mul(*dims, *kernel, channels, filters)
        return Result([call.out(assemble(shape[0], out_dims, filters, data_format))], weights, flops)

    return rule


def _depthwise_geometry(call: Call, rank: int) -> tuple[Any, str, Dim, Any, tuple[int, ...], list[Dim]]:
    """What depthwise and separable convolutions share: input layout, depth multiplier, kernel, output dims."""
    shape, data_format, dims, channels = image_input(call, rank)
    multiplier = call.arg("depth_multiplier")
    kernel = call.tuple_arg("kernel_size", rank)
    strides = call.tuple_arg("strides", rank)
    dilation = call.tuple_arg("dilation_rate", rank)
    padding = padding_arg(call, ("valid", "same"))
    out_dims = window_output(call, dims, data_format, kernel, strides, dilation, padding)
    return shape, data_format, channels, multiplier, kernel, out_dims


def depthwise(rank: int) -> Rule:
    """DepthwiseConv1D/2D: kernel ``(*kernel_size, channels, depth_multiplier)``,
    ``channels·depth_multiplier`` outputs."""

    def rule(call: Call) -> Result:
        shape, data_format, channels, multiplier, kernel, out_dims = _depthwise_geometry(call, rank)
        out_channels = mul(channels, multiplier)
        weights = [Weight("kernel", (*kernel, channels, multiplier)), *_bias(call, out_channels)]
        flops = mul(*out_dims, *kernel, channels, multiplier)
        return Result([call.out(assemble(shape[0], out_dims, out_channels, data_format))], weights, flops)

    return rule


def separable(rank: int) -> Rule:
    """SeparableConv1D/2D: a depthwise kernel, a 1×1 pointwise kernel, and a bias of ``filters``."""

    def rule(call: Call) -> Result:
        shape, data_format, channels, multiplier, kernel, out_dims = _depthwise_geometry(call, rank)
        filters = call.arg("filters")
        mid = mul(channels, multiplier)
        weights = [
            Weight("depthwise_kernel", (*kernel, channels, multiplier)),
            Weight("pointwise_kernel", ((1,) * rank) + (mid, filters)),
            *_bias(call, filters),
        ]
        depth_flops = mul(*out_dims, *kernel, channels, multiplier)
        point_flops = mul(*out_dims, mid, filters)
        flops = None if depth_flops is None or point_flops is None else depth_flops + point_flops
        return Result([call.out(assemble(shape[0], out_dims, filters, data_format))], weights, flops)

    return rule


CONV1D, CONV2D, CONV3D = conv(1), conv(2), conv(3)
CONV1D_T, CONV2D_T, CONV3D_T = conv_transpose(1), conv_transpose(2), conv_transpose(3)
SEPARABLE1D, SEPARABLE2D = separable(1), separable(2)
DEPTHWISE1D, DEPTHWISE2D = depthwise(1), depthwise(2)

RULES: dict[str, Rule] = {
    "Conv1D": CONV1D,
    "Conv2D": CONV2D,
    "Conv3D": CONV3D,
    "Convolution1D": CONV1D,
    "Convolution2D": CONV2D,
    "Convolution3D": CONV3D,
    "Conv1DTranspose": CONV1D_T,
    "Conv2DTranspose": CONV2D_T,
    "Conv3DTranspose": CONV3D_T,
    "Convolution1DTranspose": CONV1D_T,
    "Convolution2DTranspose": CONV2D_T,
    "Convolution3DTranspose": CONV3D_T,
    "SeparableConv1D": SEPARABLE1D,
    "SeparableConv2D": SEPARABLE2D,
    "SeparableConvolution1D": SEPARABLE1D,
    "SeparableConvolution2D": SEPARABLE2D,
    "DepthwiseConv1D": DEPTHWISE1D,
    "DepthwiseConv2D": DEPTHWISE2D,
}
