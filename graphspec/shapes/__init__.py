"""Static shape, dtype, parameter and FLOP inference for spec graphs, without importing TensorFlow or Keras.

Each Keras layer class has a rule (grouped by module as Keras groups its layers)
in the dispatch table :data:`RULES`; :func:`infer` walks the graph in order,
feeding every node's rule the tensors its references select. A layer without a
rule makes its outputs unknown, and everything depending on them; unknown dims
(``None``) propagate and never cause an error.
"""

from __future__ import annotations

from graphspec.shapes._base import (
    Call,
    Result,
    Rule,
    ShapeError,
    Tensor,
    Unsupported,
    Weight,
    fmt,
    op_label,
    with_defaults,
)
from graphspec.shapes._engine import SHAPE_MISMATCH, check_shapes, infer
from graphspec.shapes._rules import CALL_ARGS, RULES
from graphspec.shapes._types import UNKNOWN, Inference, NodeInfo, TensorInfo

__all__ = [
    "CALL_ARGS",
    "RULES",
    "SHAPE_MISMATCH",
    "UNKNOWN",
    "Call",
    "Inference",
    "NodeInfo",
    "Result",
    "Rule",
    "ShapeError",
    "Tensor",
    "TensorInfo",
    "Unsupported",
    "Weight",
    "check_shapes",
    "fmt",
    "infer",
    "op_label",
    "with_defaults",
]
