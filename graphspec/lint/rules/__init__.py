"""The lint rules, one concern per module, dispatched from :data:`RULES`.

Adding a rule: a module here with a ``RULE`` (its code, severity, check and
documentation), one line in :data:`RULES`, and its code in
``graphspec.errors.Code`` with a one-line ``CODE_DOCS`` entry;
``docs/errors.md`` is regenerated from them (``python -m graphspec.lint._errors_page``).
"""

from __future__ import annotations

from graphspec.lint._rule import Rule
from graphspec.lint.rules import (
    activation_loss,
    after_softmax,
    binary_targets,
    class_weight_length,
    class_weight_regression,
    embedding_ids,
    float_embedding,
    integer_features,
    label_encoding,
    label_range,
    learning_rate,
    metric_labels,
    metric_on_regression,
    non_finite,
    one_class_loss,
    output_not_probability,
    poisson,
    softmax_axis,
    softmax_size_one,
    squashed_twice,
    threshold_on_logits,
    unreachable_target,
)

__all__ = ["RULES"]

RULES: tuple[Rule, ...] = (
    # the graph, at validate time: losses, activations and metrics of the outputs
    one_class_loss.RULE,
    softmax_size_one.RULE,
    softmax_axis.RULE,
    squashed_twice.RULE,
    output_not_probability.RULE,
    activation_loss.RULE,
    after_softmax.RULE,
    poisson.RULE,
    metric_on_regression.RULE,
    metric_labels.RULE,
    threshold_on_logits.RULE,
    # the graph: training settings and inputs
    class_weight_length.RULE,
    class_weight_regression.RULE,
    integer_features.RULE,
    float_embedding.RULE,
    learning_rate.RULE,
    # the data given to fit, evaluate and predict
    label_range.RULE,
    label_encoding.RULE,
    binary_targets.RULE,
    unreachable_target.RULE,
    non_finite.RULE,
    embedding_ids.RULE,
)
