"""The dispatch table: every family's rules by layer (or op) name, and the call arguments they model."""

from __future__ import annotations

from graphspec.shapes import (
    activations,
    applications,
    attention,
    convolutional,
    core,
    merging,
    normalization,
    ops,
    pooling,
    preprocessing,
    recurrent,
    regularization,
    reshaping,
)
from graphspec.shapes._base import Rule

RULES: dict[str, Rule] = {
    **core.RULES,
    **convolutional.RULES,
    **pooling.RULES,
    **reshaping.RULES,
    **regularization.RULES,
    **normalization.RULES,
    **activations.RULES,
    **recurrent.RULES,
    **attention.RULES,
    **merging.RULES,
    **preprocessing.RULES,
    **ops.RULES,
    **applications.RULES,
}

CALL_ARGS: dict[str, frozenset[str]] = {
    **recurrent.CALL_ARGS,
    **attention.CALL_ARGS,
}
"""Per layer, the call arguments (besides ``training`` and ``mask``) its rule models; \
with any other, the outputs are unknown."""
