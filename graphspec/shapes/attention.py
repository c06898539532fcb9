"""Rules for keras.layers attention: MultiHeadAttention (query, value[, key] as separate inputs),
Attention and AdditiveAttention (a list).

MultiHeadAttention's weights are those of its four EinsumDense sublayers (query, key and
value to ``(num_heads, key_dim|value_dim)``, output back to ``output_shape`` or the
query's last dim), plus a gate projection with ``use_gate``. FLOPs count the
projections, the scores and the weighted sum.
"""

from __future__ import annotations

from typing import Any

from graphspec.shapes._base import Call, Result, Rule, ShapeError, Unsupported, Weight, add, fmt, mul, plain
from graphspec.shapes._types import Dim, TensorInfo

__all__ = ["CALL_ARGS", "RULES"]


def _projection(name: str, dim: Dim, heads: int, size: int, bias: bool) -> list[Weight]:
    weights = [Weight(f"{name}/kernel", (dim, heads, size), own=False)]
    if bias:
        weights.append(Weight(f"{name}/bias", (heads, size), own=False))
    return weights


def _qkv(call: Call) -> tuple[tuple[Dim, ...], tuple[Dim, ...], tuple[Dim, ...]]:
    """Query, value and key shapes, from the node's inputs in order or from ``call: {value, key}``."""
    shapes: list[Any] = list(call.shapes())
    if len(call.inputs) != call.refs or call.refs > 3:
        raise ShapeError(
            f"MultiHeadAttention takes query and value (and optionally key) as 2 or 3 inputs; got {call.got()}"
        )
    for name in ("value", "key")[len(shapes) - 1 :]:
        given = call.kwarg_tensors(name)
        if given is not None and len(given) == 1:
            if given[0][0].shape is None:
                raise Unsupported(f"{name} of unknown shape")
            shapes.append(given[0][0].shape)
        elif given is not None:
            raise ShapeError(f"MultiHeadAttention's {name} is one tensor; got {len(given)}")
        elif name == "value":
            raise ShapeError(
                f"MultiHeadAttention takes query and value (and optionally key) as 2 or 3 inputs; got {call.got()}"
            )
    return shapes[0], shapes[1], (shapes[2] if len(shapes) == 3 else shapes[1])


def _scores(call: Call, query: tuple[Dim, ...], key: tuple[Dim, ...], heads: int | None) -> list[Any]:
    """The attention scores output (``return_attention_scores``) and a check of
    ``attention_mask``: ``(batch, T, S)``."""
    if len(query) != 3 or len(key) != 3:
        if call.kwarg("return_attention_scores") or call.kwarg("attention_mask") is not None:
            raise Unsupported("attention scores and masks over rank-4+ tensors")
        return []
    mask = call.kwarg_tensors("attention_mask")
    if mask and mask[0][0].shape is not None:
        shape, source = mask[0][0].shape, mask[0][1]
        want = (query[1], key[1])
        if len(shape) != 3 or any(
            a is not None and b is not None and a != b for a, b in zip(shape[1:], want, strict=True)
        ):
            raise ShapeError(
                f"{call.layer}'s attention_mask must have shape (batch, {want[0]}, "
                f"{want[1]}) for this query and key; got {fmt(shape)} from {source}"
            )
    if not call.kwarg("return_attention_scores"):
        return []
    scores = (query[0], heads, query[1], key[1]) if heads is not None else (query[0], query[1], key[1])
    return [TensorInfo(scores, call.dtype)]


def multi_head_attention(call: Call) -> Result:
    """Output: the query's shape, its last dim replaced by ``output_shape`` when given; with
    ``return_attention_scores`` also the scores ``(batch, heads, T, S)``."""
    query, value, key = _qkv(call)
    if min(len(query), len(value), len(key)) < 2:
        raise Unsupported("MultiHeadAttention on rank-1 tensors")
    middle = (value[1:-1], key[1:-1])
    if len(middle[0]) != len(middle[1]) or any(
        a is not None and b is not None and a != b for a, b in zip(*middle, strict=False)
    ):
        raise ShapeError(
            f"MultiHeadAttention needs value and key to agree on all dims but the last; got {call.got(1, 2)}"
        )
    heads, key_dim = call.arg("num_heads"), call.arg("key_dim")
    value_dim = call.arg("value_dim") or key_dim
    bias = bool(call.arg("use_bias"))
    raw: Any = call.arg("output_shape")
    out_dims: tuple[Dim, ...] | None = None
    if raw:
        out_dims = (raw,) if isinstance(raw, int) else tuple(raw)
    out = (*query[:-1], *out_dims) if out_dims else query
    final = out_dims or (query[-1],)
    weights = _projection("query", query[-1], heads, key_dim, bias) + _projection("key", key[-1], heads, key_dim, bias)
    if call.arg("use_gate"):
        weights += _projection("gate", query[-1], heads, value_dim, bias)
    weights += _projection("value", value[-1], heads, value_dim, bias)
    weights.append(Weight("attention_output/kernel", (heads, value_dim, *final), own=False))
    if bias:
        weights.append(Weight("attention_output/bias", final, own=False))
    if call.arg("attention_axes") is not None and (
        call.kwarg("return_attention_scores") or call.kwarg("attention_mask") is not None
    ):
        raise Unsupported("attention scores and masks with attention_axes")
    scores = _scores(call, query, key, heads)
    return Result(
        [call.out(out), *scores], weights, _mha_flops(call, query, key, value, heads, key_dim, value_dim, final)
    )


def _mha_flops(
    call: Call,
    query: tuple[Dim, ...],
    key: tuple[Dim, ...],
    value: tuple[Dim, ...],
    heads: int,
    key_dim: int,
    value_dim: int,
    final: tuple[Dim, ...],
) -> int | None:
    """Projections, then ``heads·key_dim`` per score and ``heads·value_dim`` per weighted value."""
    q_len, k_len, v_len = mul(*query[1:-1]), mul(*key[1:-1]), mul(*value[1:-1])
    inner = range(1, len(query) - 1)
    raw: Any = call.arg("attention_axes")
    if raw is None:
        axes = list(inner)
    else:
        rank = len(query) + 1  # the projected (batch, ..., heads, dim) tensor
        axes = [a if a >= 0 else (rank - 1) + a for a in ((raw,) if isinstance(raw, int) else raw)]
    if len(key) != len(query) or not all(a in inner for a in axes):
        return None
    shared = mul(*(query[i] for i in inner if i not in axes))
    scores = mul(heads, shared, *(query[i] for i in axes), *(key[i] for i in axes))
    projections = add(
        mul(q_len, query[-1], heads, key_dim),
        mul(k_len, key[-1], heads, key_dim),
        mul(v_len, value[-1], heads, value_dim),
        mul(q_len, heads, value_dim, *final),
        mul(q_len, query[-1], heads, value_dim) if call.arg("use_gate") else 0,
    )
    return add(projections, mul(scores, key_dim), mul(scores, value_dim))


def attention(call: Call) -> Result:
    """``[query, value(, key)] → (*query[:-1], value[-1])``; Attention has scalar weights,
    AdditiveAttention a scale vector."""
    if not call.listed or len(call.inputs) not in (2, 3):
        raise ShapeError(f"{call.layer} takes a list [query, value] or [query, value, key]; got {call.got()}")
    shapes = call.shapes()
    query, value = shapes[0], shapes[1]
    key = shapes[2] if len(shapes) == 3 else value
    weights: list[Weight] = []
    if call.layer == "AdditiveAttention":
        if call.arg("use_scale"):
            weights.append(Weight("scale", (query[-1],)))
    else:
        if call.arg("score_mode") not in ("dot", "concat"):
            raise ShapeError(f"Attention score_mode must be 'dot' or 'concat'; got {plain(call.arg('score_mode'))}")
        if call.arg("use_scale"):
            weights.append(Weight("scale", ()))
        if call.arg("score_mode") == "concat":
            weights.append(Weight("concat_score_weight", ()))
    out = (*query[:-1], value[-1])
    k_len = key[-2] if len(key) >= 3 else 1
    flops = add(mul(*query[1:-1], k_len, query[-1]), mul(*query[1:-1], k_len, value[-1]))
    return Result([call.out(out), *_scores(call, query, key, None)], weights, flops)


RULES: dict[str, Rule] = {
    "MultiHeadAttention": multi_head_attention,
    "Attention": attention,
    "AdditiveAttention": attention,
}

_MHA_CALL = frozenset(
    {
        "value",
        "key",
        "query_mask",
        "value_mask",
        "key_mask",
        "attention_mask",
        "return_attention_scores",
        "use_causal_mask",
    }
)
CALL_ARGS: dict[str, frozenset[str]] = {
    "MultiHeadAttention": _MHA_CALL,
    "Attention": frozenset({"return_attention_scores", "use_causal_mask"}),
    "AdditiveAttention": frozenset({"return_attention_scores", "use_causal_mask"}),
}
