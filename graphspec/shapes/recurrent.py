"""Rules for keras.layers rnn: SimpleRNN, LSTM, GRU, Bidirectional and TimeDistributed (with a nested ``wraps`` layer).

Weights: kernel ``(features, gates·units)``, recurrent kernel ``(units, gates·units)``
and a bias of ``gates·units`` (GRU with ``reset_after``: ``(2, 3·units)``), with 1, 4
and 3 gates for SimpleRNN, LSTM and GRU. FLOPs: ``gates·units·(features + units)``
per timestep, times the timesteps (unknown for variable-length sequences).
"""

from __future__ import annotations

from graphspec.shapes._base import Call, RankError, Result, Rule, ShapeError, Unsupported, Weight, fmt, mul
from graphspec.shapes._types import TensorInfo

__all__ = ["CALL_ARGS", "RULES"]

_GATES = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}
_STATES = {"SimpleRNN": 1, "LSTM": 2, "GRU": 1}
_STATE_NAMES = {"SimpleRNN": ["h"], "LSTM": ["h", "c"], "GRU": ["h"]}


def _check_states(call: Call, widths: list[int], names: list[str]) -> None:
    """``initial_state``: one ``(batch, units)`` tensor per state, in the layer's order (LSTM: h, then c)."""
    states = call.kwarg_tensors("initial_state")
    if states is None:
        return
    if len(states) != len(widths):
        got = ", ".join(f"{fmt(t.shape)} from {src}" for t, src in states) or "none"
        raise ShapeError(
            f"{call.layer} takes {len(widths)} initial state{'s' if len(widths) != 1 else ''} ({', '.join(names)}); "
            f"got {len(states)}: {got}",
            f"give `initial_state` a list of {len(widths)} tensors",
        )
    for i, ((tensor, source), width) in enumerate(zip(states, widths, strict=True)):
        shape = tensor.shape
        if shape is None:
            continue
        if len(shape) != 2 or (shape[-1] is not None and shape[-1] != width):
            raise ShapeError(
                f"{call.layer} initial_state[{i}] ({names[i]}) must have shape (batch, {width}); "
                f"got {fmt(shape)} from {source}",
                f"the state of a {call.layer} with units={width} is {width} wide",
            )


def recurrent(call: Call) -> Result:
    """``(batch, timesteps, features) → (batch, units)`` or, with ``return_sequences``, ``(batch, timesteps, units)``;
    ``return_state`` adds one ``(batch, units)`` tensor per state (LSTM: h and c)."""
    shape = call.shape()
    call.need_rank(shape, 3, "(batch, timesteps, features)")
    batch, steps, features = shape
    units = call.arg("units")
    gates = _GATES[call.layer]
    if call.arg("stateful") and batch is None:
        raise ShapeError(
            f"{call.layer} with stateful=True needs a fixed batch size (declare `batch_size` on the input); "
            f"got {call.got()}"
        )
    weights = [Weight("kernel", (features, gates * units)), Weight("recurrent_kernel", (units, gates * units))]
    if call.arg("use_bias"):
        reset_after = call.layer == "GRU" and call.arg("reset_after")
        weights.append(Weight("bias", (2, gates * units) if reset_after else (gates * units,)))
    _check_states(call, [units] * _STATES[call.layer], _STATE_NAMES[call.layer])
    out = (batch, steps, units) if call.arg("return_sequences") else (batch, units)
    outputs = [call.out(out)]
    if call.arg("return_state"):
        outputs += [call.out((batch, units)) for _ in range(_STATES[call.layer])]
    per_step = None if features is None else gates * units * (features + units)
    return Result(outputs, weights, mul(steps, per_step))


def bidirectional(call: Call) -> Result:
    """A forward and a backward copy of the wrapped RNN (or ``backward_layer``), merged by ``merge_mode``.

    Keras takes the output shape from the forward layer alone: ``concat`` doubles its
    last dim, ``None`` returns both outputs; states follow, forward then backward.
    """
    tensor = TensorInfo(call.shape(), call.inputs[0].dtype)
    forward = call.arg("wraps")
    if not isinstance(forward, dict) or forward.get("layer") not in _GATES:
        raise Unsupported("Bidirectional over a layer other than SimpleRNN, LSTM or GRU")
    _, fargs, fres = call.nested(forward, [tensor], "wraps")
    backward = call.arg("backward_layer")
    if backward is None:
        backward = {**forward, "go_backwards": True}
    elif not isinstance(backward, dict) or backward.get("layer") not in _GATES:
        raise Unsupported("backward_layer other than SimpleRNN, LSTM or GRU")
    _, bargs, bres = call.nested(backward, [tensor], "backward_layer")
    forward_states = [fargs["units"]] * _STATES[str(forward["layer"])]
    backward_states = [bargs["units"]] * _STATES[str(backward["layer"])]
    names = [f"forward {n}" for n in _STATE_NAMES[str(forward["layer"])]] + [
        f"backward {n}" for n in _STATE_NAMES[str(backward["layer"])]
    ]
    _check_states(call, forward_states + backward_states, names)
    if bool(fargs.get("go_backwards")) == bool(bargs.get("go_backwards")):
        raise ShapeError("Bidirectional needs forward and backward layers with different go_backwards")
    for attr in ("stateful", "return_sequences", "return_state"):
        if bool(fargs.get(attr)) != bool(bargs.get(attr)):
            raise ShapeError(
                f"Bidirectional needs the same {attr} in the forward and backward layers; "
                f"got {fargs.get(attr)} and {bargs.get(attr)}"
            )
    merge_mode = call.arg("merge_mode")
    if merge_mode not in ("concat", "sum", "ave", "mul", None):
        raise ShapeError(f"Bidirectional merge_mode must be 'concat', 'sum', 'ave', 'mul' or null; got {merge_mode!r}")
    out_shape = fres.outputs[0].shape
    states = [call.out(t.shape or ()) for t in fres.outputs[1:]]
    assert out_shape is not None
    if merge_mode == "concat":
        last = out_shape[-1]
        out_shape = (*out_shape[:-1], None if last is None else last * 2)
    outputs = [call.out(out_shape)] * (2 if merge_mode is None else 1) + states + states
    weights = [Weight("forward_" + w.name, w.shape, w.trainable, own=False) for w in fres.weights]
    weights += [Weight("backward_" + w.name, w.shape, w.trainable, own=False) for w in bres.weights]
    flops = None if fres.flops is None or bres.flops is None else fres.flops + bres.flops
    return Result(outputs, weights, flops, fres.warnings + bres.warnings)


def time_distributed(call: Call) -> Result:
    """The wrapped layer applied to ``(batch, *dims[2:])``; the timestep dim is put back in second place.

    A wrapped layer of the wrong rank makes the output unknown, not an error: Keras
    builds it without checking (it would fail when run).
    """
    shape = call.shape()
    if len(shape) < 3:
        raise ShapeError(f"TimeDistributed needs input of rank 3 or more (batch, timesteps, ...); got {call.got()}")
    child = TensorInfo((shape[0], *shape[2:]), call.inputs[0].dtype)
    try:
        _, _, res = call.nested(call.arg("wraps"), [child], "wraps", (f"{call.sources[0]} (per timestep)",))
    except RankError as exc:
        # Keras checks a wrapped layer's input rank only when the layer is called, which
        # TimeDistributed never does while building: what it makes of the shape is not modelled.
        raise Unsupported(exc.message) from None
    if len(res.outputs) != 1 or res.outputs[0].shape is None:
        raise Unsupported("TimeDistributed over a multi-output layer")
    inner = res.outputs[0].shape
    out = (inner[0], shape[1], *inner[1:])
    return Result([call.out(out)], res.weights, mul(res.flops, shape[1]), res.warnings)


RULES: dict[str, Rule] = {
    "SimpleRNN": recurrent,
    "LSTM": recurrent,
    "GRU": recurrent,
    "Bidirectional": bidirectional,
    "TimeDistributed": time_distributed,
}

CALL_ARGS: dict[str, frozenset[str]] = {
    name: frozenset({"initial_state"}) for name in ("SimpleRNN", "LSTM", "GRU", "Bidirectional")
}
