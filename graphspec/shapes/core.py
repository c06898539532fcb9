"""Rules for keras.layers core: Dense, EinsumDense, Embedding, Activation, Identity, Masking."""

from __future__ import annotations

import re
from typing import Any

from graphspec.shapes._base import Call, RankError, Result, Rule, ShapeError, Unsupported, Weight, mul, plain
from graphspec.shapes._types import Dim

__all__ = ["RULES"]


def dense(call: Call) -> Result:
    """``(..., d) → (..., units)``; kernel ``(d, units)`` and bias; FLOPs ``d·units`` per position."""
    shape = call.shape()
    if len(shape) < 2:
        raise RankError(f"Dense needs input of rank 2 or more (batch, ..., features); got {call.got()}")
    if call.arg("quantization_config") is not None:
        raise Unsupported("quantized Dense")
    units = call.arg("units")
    d = shape[-1]
    lora = call.arg("lora_rank")
    weights = [Weight("kernel", (d, units), trainable=not lora)]
    if call.arg("use_bias"):
        weights.append(Weight("bias", (units,)))
    if lora:
        weights += [Weight("lora_kernel_a", (d, lora)), Weight("lora_kernel_b", (lora, units))]
    return Result([call.out((*shape[:-1], units))], weights, mul(*shape[1:-1], d, units))


_EINSUM_FORMS = (
    (re.compile(r"([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)"), False),
    (re.compile(r"0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)"), True),
    (re.compile(r"([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0"), False),
)


def einsum_dense(call: Call) -> Result:
    """Keras' ``_analyze_einsum_string``: the kernel takes its dims from the output (``output_shape``) or the input."""
    shape = call.shape()
    if call.arg("quantization_config") is not None or call.arg("lora_rank"):
        raise Unsupported("quantized or LoRA EinsumDense")
    equation = call.arg("equation")
    if not isinstance(equation, str):
        raise Unsupported("equation")
    text = equation.replace("...", "0")
    found = next(((m, left) for pattern, left in _EINSUM_FORMS if (m := pattern.match(text))), None)
    if found is None:
        raise ShapeError(f"EinsumDense equation {equation!r} is not of the form X,Y->Z, ...X,Y->...Z or X...,Y->Z...")
    match, left_elided = found
    input_spec, weight_spec, output_spec = match.groups()
    raw: Any = call.arg("output_shape")
    out: list[Dim] = [raw] if isinstance(raw, int) else list(raw)
    elided = len(shape) - len(input_spec)
    out.insert(0, shape[0])
    if elided > 0 and left_elided:
        for i in range(1, elided):
            out.insert(1, shape[i])
    elif elided > 0:
        out.extend(shape[len(shape) - elided :])
    if left_elided:
        in_map = {d: (i + elided) - len(shape) for i, d in enumerate(input_spec)}
        out_map = {d: i + elided for i, d in enumerate(output_spec)}
    else:
        in_map = {d: i for i, d in enumerate(input_spec)}
        out_map = {d: i for i, d in enumerate(output_spec)}
    try:
        for d in input_spec:
            if d in out_map and out[out_map[d]] is not None and out[out_map[d]] != shape[in_map[d]]:
                raise ShapeError(
                    f"EinsumDense {equation!r} with output_shape {plain(raw)} needs "
                    f"dim {d!r} to be {out[out_map[d]]} in the input; got {call.got()}"
                )
        for d in output_spec:
            if d not in input_spec and d not in weight_spec:
                raise ShapeError(
                    f"EinsumDense {equation!r}: output dim {d!r} is in neither the input nor the weight spec"
                )
        kernel: list[Dim] = []
        for d in weight_spec:
            if d in out_map:
                kernel.append(out[out_map[d]])
            elif d in in_map:
                kernel.append(shape[in_map[d]])
            else:
                raise ShapeError(
                    f"EinsumDense {equation!r}: weight dim {d!r} is in neither the input nor the output spec"
                )
        weights = [Weight("kernel", tuple(kernel))]
        bias_axes = call.arg("bias_axes")
        if bias_axes is not None:
            left = elided if left_elided else 0
            sizes = {d: out[i + left] for i, d in enumerate(output_spec)}
            if any(d not in output_spec for d in bias_axes):
                raise ShapeError(f"EinsumDense bias_axes {bias_axes!r} must be dims of the output spec {output_spec!r}")
            tail = output_spec[min(output_spec.find(d) for d in bias_axes) :]
            bias: list[Dim] = [sizes[d] if d in bias_axes else 1 for d in tail]
            if not left_elided:
                bias += [1] * max(elided, 0)
            weights.append(Weight("bias", tuple(bias)))
    except IndexError:
        raise ShapeError(f"EinsumDense {equation!r} does not fit input {call.got()}") from None
    extra = [size for d, size in zip(weight_spec, kernel, strict=True) if d not in input_spec]
    return Result([call.out(out)], weights, mul(*shape[1:], *extra))


def embedding(call: Call) -> Result:
    """``(...) → (..., output_dim)`` in the compute dtype (Keras casts integer-valued floats); no FLOPs."""
    shape = call.shape()
    if call.arg("quantization_config") is not None:
        raise Unsupported("quantized Embedding")
    input_dim, output_dim = call.arg("input_dim"), call.arg("output_dim")
    lora = call.arg("lora_rank")
    weights = [Weight("embeddings", (input_dim, output_dim), trainable=not lora)]
    if lora:
        weights += [Weight("lora_kernel_a", (input_dim, lora)), Weight("lora_kernel_b", (lora, output_dim))]
    return Result([call.out((*shape, output_dim))], weights, 0)


def same_shape(call: Call) -> Result:
    """Element-wise layers with no weights: the shape is unchanged, the dtype is the compute dtype."""
    return Result([call.out(call.shape(strict=False))])


def identity(call: Call) -> Result:
    """Identity passes its input (or list of inputs) through, dtypes included."""
    if call.listed:
        return Result([call.keep(shape, i) for i, shape in enumerate(call.shapes())])
    return Result([call.keep(call.shape())])


RULES: dict[str, Rule] = {
    "Dense": dense,
    "EinsumDense": einsum_dense,
    "Embedding": embedding,
    "Activation": same_shape,
    "Identity": identity,
    "Masking": same_shape,
}
