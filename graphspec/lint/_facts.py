"""The facts graph rules read: every live node with its tensors, every output with its loss, and activation tracing.

An output's activation is the activation of the node that produces it, traced
back through layers that keep values as they are (Identity, Dropout, Reshape,
Flatten, Permute, ...) and into nested models. The activation of a node is its
``activation:`` argument, an ``Activation``/``Softmax``/``ReLU``-style layer,
or an activation op (``op: softmax``). Anything else (a merge, a normalization,
a layer without a rule) ends the trace with "unknown", and rules stay silent.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from graphspec import catalog
from graphspec.errors import Path
from graphspec.graph import Graph
from graphspec.lint._keras import (
    INF,
    ActivationInfo,
    LossInfo,
    MetricInfo,
    activation_info,
    activation_name,
    loss_info,
    metric_info,
)
from graphspec.shapes import Inference, TensorInfo, op_label, with_defaults
from graphspec.spec import NodeSpec, OutputSpec, Spec, SpecBody, parse_ref

__all__ = ["Body", "Facts", "NodeView", "OutputView", "Squash"]

# Layers (and ops) whose output holds the input's values, only moved or repeated:
# an activation before them is still the activation after them.
_KEEP_LAYOUT = frozenset(
    {
        "Identity",
        "Dropout",
        "SpatialDropout1D",
        "SpatialDropout2D",
        "SpatialDropout3D",
        "ActivityRegularization",
        "Masking",
    }
)
_MOVE_VALUES = frozenset(
    {
        "Reshape",
        "Flatten",
        "Permute",
        "RepeatVector",
        "Cropping1D",
        "Cropping2D",
        "Cropping3D",
        "UpSampling1D",
        "UpSampling2D",
        "UpSampling3D",
    }
    | {op_label(o) for o in ("reshape", "expand_dims", "squeeze", "transpose", "flatten")}
)
PASS_THROUGH = _KEEP_LAYOUT | _MOVE_VALUES
_ACTIVATION_LAYERS = {"ReLU": "relu", "LeakyReLU": "leaky_relu", "PReLU": "prelu", "ELU": "elu", "Softmax": "softmax"}


@dataclass(frozen=True)
class Squash:
    """The activation a tensor ends in.

    Attributes:
        activation: which, with its range of values.
        node: the node that applies it (a name in ``path``'s graph).
        path: the spec path of that node.
        axis: for a softmax, the axis it normalises, counted in the traced
            tensor (batch is 0); ``None`` where unknown or not a softmax.
        through: the pass-through nodes between that node and the traced tensor.
    """

    activation: ActivationInfo
    node: str
    path: Path
    axis: int | None = None
    through: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.activation.name

    def where(self) -> str:
        """``node 'head'`` or ``node 'head', through 'drop', 'flat'``."""
        text = f"node {self.node!r}"
        return text + (", through " + ", ".join(repr(n) for n in self.through) if self.through else "")

    def ends(self) -> str:
        """What the tensor ends in, for messages: ``softmax (node 'head')``,
        ``no activation (node 'head' is linear)``."""
        if self.name == "linear":
            return f"no activation ({self.where().replace(repr(self.node), repr(self.node) + ' is linear', 1)})"
        return f"{self.name} ({self.where()})"


@dataclass
class Body:
    """A graph: the spec's own, or a ``model:`` node's, with what inference found for it."""

    prefix: Path
    graph: Graph
    inference: Inference | None

    @property
    def spec(self) -> SpecBody:
        return self.graph.spec

    def path(self, name: str) -> Path:
        return (*self.prefix, "nodes", name)

    def tensors(self, ref: str) -> list[TensorInfo] | None:
        """The tensors a reference passes, or ``None`` where unknown."""
        if self.inference is None:
            return None
        src, index = parse_ref(ref)
        if src in self.inference.inputs:
            return [self.inference.inputs[src]]
        info = self.inference.nodes.get(src)
        if info is None:
            return None
        if index is None:
            return list(info.outputs)
        return [info.outputs[index]] if index < len(info.outputs) else None

    def tensor(self, ref: str) -> TensorInfo | None:
        got = self.tensors(ref)
        return got[0] if got is not None and len(got) == 1 else None


@dataclass
class NodeView:
    """A live node as rules see it: what it is, its arguments (defaults filled in), its tensors."""

    body: Body
    name: str
    node: NodeSpec
    decl: NodeSpec
    kind: str

    @property
    def path(self) -> Path:
        return self.body.path(self.name)

    @functools.cached_property
    def applied(self) -> tuple[ActivationInfo, Any] | None:
        """The activation this node applies last, and its axis argument (see :func:`applied_activation`)."""
        return None if self.kind == "model" else applied_activation(self.kind, self.decl.args)

    def arg(self, name: str) -> Any:
        """An argument of the node's layer or op, its default where not written."""
        return self.decl.args[name] if name in self.decl.args else default(self.kind, name)

    def input_tensors(self) -> list[tuple[str, TensorInfo]]:
        """Each reference with the tensor it passes (unknown ones left out)."""
        out = []
        for ref in self.node.inputs:
            for t in self.body.tensors(ref) or []:
                out.append((ref, t))
        return out

    def output(self) -> TensorInfo | None:
        return self.body.tensor(self.name)


@dataclass
class OutputView:
    """An output of the whole model, with its loss and metrics as lint reads them."""

    name: str
    spec: OutputSpec
    ref: str
    tensor: TensorInfo | None
    loss: LossInfo | None
    metrics: list[MetricInfo]
    squash: Squash | None

    @property
    def path(self) -> Path:
        return ("outputs", self.name)

    def owners(self, *more: Squash | None) -> tuple[Path, ...]:
        return (self.path, *(s.path for s in more if s is not None))

    @property
    def classes(self) -> int | None:
        """The size of the axis the loss reads classes along (the last by default)."""
        shape = self.tensor.shape if self.tensor is not None else None
        if not shape:
            return None
        axis = self.loss.axis if self.loss is not None else -1
        return shape[axis] if -len(shape) <= axis < len(shape) else None

    def loss_axis(self) -> int | None:
        """The loss's class axis counted from the batch dim (0), where the rank is known."""
        shape = self.tensor.shape if self.tensor is not None else None
        axis = self.loss.axis if self.loss is not None else -1
        if not shape or not -len(shape) <= axis < len(shape):
            return None
        return axis % len(shape)


class Facts:
    """Everything graph rules read about one checked spec, computed once and shared."""

    def __init__(self, spec: Spec, graph: Graph, inference: Inference):
        self.spec = spec
        self.graph = graph
        self.inference = inference
        self.root = Body((), graph, inference)
        self._traced: dict[tuple[int, str], Squash | None] = {}

    @functools.cached_property
    def bodies(self) -> list[Body]:
        """The spec's graph and each live nested model's, outermost first."""
        out = [self.root]
        for body in out:  # grows while walking: nested models of nested models
            for name in body.graph.order:
                decl = body.spec.nodes[name]
                if decl.model is not None and name in body.graph.subgraphs:
                    inner = body.inference.submodels.get(name) if body.inference is not None else None
                    out.append(Body((*body.path(name), "model"), body.graph.subgraphs[name], inner))
        return out

    @functools.cached_property
    def nodes(self) -> list[NodeView]:
        views = []
        for body in self.bodies:
            for name in body.graph.order:
                node = body.spec.nodes[name]
                decl = body.spec.nodes[body.graph.layer_owner.get(name, name)]
                kind = (
                    "model" if decl.model is not None else op_label(decl.op) if decl.op is not None else str(decl.layer)
                )
                views.append(NodeView(body, name, node, decl, kind))
        return views

    @functools.cached_property
    def integer_tensors(self) -> bool:
        """Whether any input or node of any graph holds integers (most models hold none: rules about them can stop
        early)."""
        for body in self.bodies:
            if body.inference is None:
                return True
            tensors = [
                *body.inference.inputs.values(),
                *(t for info in body.inference.nodes.values() for t in info.outputs),
            ]
            if any(t.dtype is not None and t.dtype.startswith(("int", "uint")) for t in tensors):
                return True
        return False

    @functools.cached_property
    def outputs(self) -> list[OutputView]:
        views = []
        for name, out in self.spec.outputs.items():
            ref = self.spec.output_source(name)
            loss = loss_info(out.loss, ("outputs", name, "loss")) if out.loss is not None else None
            metrics = [
                m
                for i, v in enumerate(out.metrics)
                if (m := metric_info(v, ("outputs", name, "metrics", i))) is not None
            ]
            views.append(
                OutputView(name, out, ref, self.inference.outputs.get(name), loss, metrics, self.trace(self.root, ref))
            )
        return views

    def trace(self, body: Body, ref: str) -> Squash | None:
        """The activation the tensor ``ref`` of ``body`` ends in, or ``None`` where unknown."""
        key = (id(body), ref)
        if key not in self._traced:
            self._traced[key] = self._trace(body, ref)
        return self._traced[key]

    def _trace(self, body: Body, ref: str) -> Squash | None:
        src, index = parse_ref(ref)
        if src not in body.spec.nodes:
            return None  # a model input: raw values
        decl = body.spec.nodes[body.graph.layer_owner.get(src, src)]
        if decl.model is not None:
            return self._trace_model(body, body.graph.layer_owner.get(src, src), index or 0)
        if index not in (None, 0):
            return None  # a layer's further outputs (LSTM states, ...)
        kind = op_label(decl.op) if decl.op is not None else str(decl.layer)
        applied = applied_activation(kind, decl.args)
        if applied is not None:
            activation, axis = applied
            return Squash(
                activation,
                src,
                body.path(src),
                self._axis(body, src, axis) if activation.name in ("softmax", "log_softmax") else None,
            )
        if kind in PASS_THROUGH and len(body.spec.nodes[src].inputs) == 1:
            inner = body.spec.nodes[src].inputs[0]
            before = self.trace(body, inner)
            if before is None:
                return None
            axis = _moved_axis(kind, decl.args, before.axis, body.tensor(inner), body.tensor(src))
            return replace(before, axis=axis, through=(*before.through, src))
        return None

    def _trace_model(self, body: Body, owner: str, index: int) -> Squash | None:
        inner = next((b for b in self.bodies if b.prefix == (*body.path(owner), "model")), None)
        if inner is None or index >= len(inner.spec.outputs):
            return None
        out_name = list(inner.spec.outputs)[index]
        return self.trace(inner, inner.spec.output_source(out_name))

    def _axis(self, body: Body, name: str, axis: Any) -> int | None:
        out = body.tensor(name)
        if out is None or out.shape is None or not isinstance(axis, int) or isinstance(axis, bool):
            return None
        rank = len(out.shape)
        return axis % rank if -rank <= axis < rank else None


def applied_activation(kind: str, args: Mapping[str, Any]) -> tuple[ActivationInfo, Any] | None:
    """The activation a node applies last, and its axis argument (softmax), or ``None``.

    A layer with an ``activation`` argument applies it after its own computation;
    activation layers and ops are activations themselves. ``args`` are the node's
    arguments as written; defaults come from the catalogue.
    """
    name: str | None
    if kind == "Activation":
        name = activation_name(_get(kind, args, "activation"))
    elif kind in _ACTIVATION_LAYERS:
        name = _ACTIVATION_LAYERS[kind]
    elif kind.startswith("ops."):
        name = activation_name(kind.removeprefix("ops."))
        if name == "linear":
            name = None  # there is no `op: linear`; `none` is no op either
    elif kind == "TimeDistributed" and isinstance(args.get("wraps"), dict):
        wrapped = args["wraps"]
        got = applied_activation(str(wrapped.get("layer")), {k: v for k, v in wrapped.items() if k != "layer"})
        return None if got is None else (got[0], _shifted(got[1]))
    elif _takes_activation(kind):
        name = activation_name(_get(kind, args, "activation"))
    else:
        return None
    if name is None:
        return None
    info = activation_info(name)
    if kind == "ReLU":
        info = _relu(kind, args)
    elif kind == "ELU" and isinstance(alpha := _get(kind, args, "alpha"), int | float):
        info = ActivationInfo("elu", -abs(float(alpha)), INF)
    return info, _get(kind, args, "axis") if name in ("softmax", "log_softmax") else -1


def _get(kind: str, args: Mapping[str, Any], name: str) -> Any:
    return args[name] if name in args else default(kind, name)


@functools.cache
def default(kind: str, name: str) -> Any:
    """The catalogue's default of a layer's (or op's) argument; ``-1`` for a softmax axis nobody declares."""
    found = with_defaults(kind, {}).get(name)
    return -1 if found is None and name == "axis" else found


def _relu(kind: str, args: Mapping[str, Any]) -> ActivationInfo:
    slope = _get(kind, args, "negative_slope")
    if isinstance(slope, int | float) and slope > 0:
        return activation_info("leaky_relu")
    top = _get(kind, args, "max_value")
    return ActivationInfo("relu", 0.0, float(top) if isinstance(top, int | float) else INF)


def _shifted(axis: Any) -> Any:
    """An axis of the wrapped layer, counted in TimeDistributed's output (one more leading dim)."""
    return axis + 1 if isinstance(axis, int) and axis >= 0 else axis


@functools.cache
def _takes_activation(kind: str) -> bool:
    info = catalog.layer_info(kind)
    return info is not None and info.param("activation") is not None


def _moved_axis(
    kind: str, args: Mapping[str, Any], axis: int | None, before: TensorInfo | None, after: TensorInfo | None
) -> int | None:
    """Where a pass-through layer puts an axis of its input (``None`` where it is not kept whole)."""
    if axis is None or before is None or after is None or before.shape is None or after.shape is None:
        return None
    rank_in, rank_out = len(before.shape), len(after.shape)
    if kind in _KEEP_LAYOUT or (
        kind.startswith(("Cropping", "UpSampling")) and rank_in == rank_out and axis == rank_in - 1
    ):
        return axis
    if kind == "Permute" and isinstance(args.get("dims"), list | tuple):
        order = [0, *args["dims"]]
        return order.index(axis) if axis in order else None
    if axis == rank_in - 1 and before.shape[-1] is not None and before.shape[-1] == after.shape[-1]:
        return rank_out - 1  # the last axis stays whole when the trailing dim is kept
    return None
