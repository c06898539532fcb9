"""The data the shape inference produces: tensors, per-node results and the whole-graph summary."""

from __future__ import annotations

from dataclasses import dataclass, field

from graphspec.errors import Diagnostic

__all__ = ["UNKNOWN", "Inference", "NodeInfo", "TensorInfo"]

Dim = int | None
Shape = tuple[Dim, ...]


@dataclass(frozen=True)
class TensorInfo:
    """A symbolic tensor: its full shape (batch dim first, ``None`` where unknown) and dtype.

    ``shape`` is ``None`` when even the rank is unknown (downstream of a layer
    graphspec has no rule for); ``dtype`` is ``None`` when unknown.
    """

    shape: tuple[int | None, ...] | None
    dtype: str | None

    @property
    def rank(self) -> int | None:
        return None if self.shape is None else len(self.shape)

    @property
    def known(self) -> bool:
        """Whether the rank is known (dims may still be ``None``)."""
        return self.shape is not None

    def __str__(self) -> str:
        return "<unknown>" if self.shape is None else repr(self.shape)


UNKNOWN = TensorInfo(None, None)


@dataclass
class NodeInfo:
    """What inference found for one node.

    Attributes:
        layer: the Keras class name (the owner's, for a ``share`` node).
        outputs: one entry per output tensor (an LSTM with ``return_state`` has 3);
            a single unknown tensor when the node's outputs cannot be inferred.
        params: parameters owned by this node's layer; 0 for ``share`` nodes (they
            are counted at the owner); ``None`` when unknown.
        trainable_params: the trainable part of ``params``.
        flops: multiply-adds for one example (batch 1); ``None`` when unknown or
            unknowable (a dim it depends on is ``None``).
        known: ``False`` when graphspec has no rule for this layer.
    """

    layer: str
    outputs: list[TensorInfo]
    params: int | None
    trainable_params: int | None
    flops: int | None
    known: bool

    @property
    def non_trainable_params(self) -> int | None:
        if self.params is None or self.trainable_params is None:
            return None
        return self.params - self.trainable_params


@dataclass
class Inference:
    """Shapes, dtypes, parameter counts and FLOPs of a whole graph, found without Keras.

    Attributes:
        nodes: per-node results, in ``graph.order``.
        inputs: the model inputs (batch dim included).
        outputs: spec output name → tensor.
        total_params: ``None`` if any live layer's count is unknown.
        trainable_params: the trainable part of ``total_params``.
        total_flops: multiply-adds for one example; ``None`` if any node's is unknown.
        unknown: nodes whose layer has no rule.
        diagnostics: shape errors (code ``shape-mismatch``) and warnings.
        submodels: what each ``model:`` node's nested graph infers (keyed by the
            node that declares the sub-model), for views such as lint.
    """

    nodes: dict[str, NodeInfo]
    inputs: dict[str, TensorInfo]
    outputs: dict[str, TensorInfo]
    total_params: int | None
    trainable_params: int | None
    total_flops: int | None
    unknown: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    submodels: dict[str, Inference] = field(default_factory=dict)

    @property
    def non_trainable_params(self) -> int | None:
        if self.total_params is None or self.trainable_params is None:
            return None
        return self.total_params - self.trainable_params

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]
