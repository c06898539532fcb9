"""What lint knows of Keras' losses, metrics and activations: what each expects and produces.

Names are matched as Keras matches them, case and ``_`` aside
(``categorical_crossentropy``, ``CategoricalCrossentropy``), written as a
string or as ``{class_name, config}``. What is not listed here is unknown to
lint, and no rule fires on it.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphspec.errors import Path

__all__ = [
    "ActivationInfo",
    "LossInfo",
    "MetricInfo",
    "activation_info",
    "activation_name",
    "loss_info",
    "metric_info",
    "normal_name",
]

INF = math.inf


def normal_name(name: str) -> str:
    return name.lower().replace("_", "")


# ---------------------------------------------------------------------------
# activations: the range of values each produces, and whether they are probabilities


@dataclass(frozen=True)
class ActivationInfo:
    name: str
    low: float
    high: float

    @property
    def probability(self) -> bool:
        """Values in [0, 1], as the probability losses want them (sigmoid, softmax, ...)."""
        return self.low >= 0 and self.high <= 1

    @property
    def bounded(self) -> bool:
        return self.low > -INF or self.high < INF

    def range_text(self) -> str:
        def show(v: float) -> str:
            return "∞" if v == INF else "-∞" if v == -INF else f"{v:g}"

        return f"[{show(self.low)}, {show(self.high)}]"

    def values_text(self) -> str:
        """``its values lie in [0, 1]``, or ``its values can be any number``."""
        return "its values can be any number" if not self.bounded else f"its values lie in {self.range_text()}"


_RANGES: dict[str, tuple[float, float]] = {
    "linear": (-INF, INF),
    "sigmoid": (0.0, 1.0),
    "softmax": (0.0, 1.0),
    "hard_sigmoid": (0.0, 1.0),
    "sparse_sigmoid": (0.0, 1.0),
    "sparsemax": (0.0, 1.0),
    "tanh": (-1.0, 1.0),
    "hard_tanh": (-1.0, 1.0),
    "softsign": (-1.0, 1.0),
    "relu": (0.0, INF),
    "relu6": (0.0, 6.0),
    "softplus": (0.0, INF),
    "squareplus": (0.0, INF),
    "exponential": (0.0, INF),
    "elu": (-1.0, INF),
    "selu": (-1.7581, INF),
    "celu": (-1.0, INF),
    "gelu": (-0.17, INF),
    "silu": (-0.28, INF),
    "hard_silu": (-0.375, INF),
    "mish": (-0.31, INF),
    "sparse_plus": (0.0, INF),
    "leaky_relu": (-INF, INF),
    "log_softmax": (-INF, 0.0),
    "log_sigmoid": (-INF, 0.0),
    "prelu": (-INF, INF),
    "tanh_shrink": (-INF, INF),
    "hard_shrink": (-INF, INF),
    "soft_shrink": (-INF, INF),
    "glu": (-INF, INF),
}
_ALIASES = {"swish": "silu", "hard_swish": "hard_silu", "none": "linear"}


def activation_name(value: Any) -> str | None:
    """The canonical name of an ``activation`` argument (``None`` for one lint does not know)."""
    if type(value) is str:  # the common case first: an ABC isinstance check costs microseconds
        return _canonical(value)
    if value is None:
        return "linear"
    if isinstance(value, Mapping):
        value = value.get("class_name")
    return _canonical(value) if isinstance(value, str) else None


@functools.cache
def _canonical(value: str) -> str | None:
    name = value.lower()
    name = _ALIASES.get(name, name)
    return name if name in _RANGES else None


@functools.cache
def activation_info(name: str) -> ActivationInfo:
    low, high = _RANGES[name]
    return ActivationInfo(name, low, high)


# ---------------------------------------------------------------------------
# losses

# family: what the loss compares, and so which targets and predictions it wants.
#   binary       yes/no targets in [0, 1] per unit, probabilities (sigmoid) unless from_logits
#   categorical  one-hot rows over the class axis, a distribution (softmax) unless from_logits
#   sparse       integer class ids, a distribution over the last axis unless from_logits
#   distribution a target distribution (rows summing to 1), probabilities
#   onehot-margin one-hot rows, any real predictions (categorical_hinge)
#   regression   real targets, real predictions
#   poisson      counts, positive predictions (it takes their logarithm)
_LOSSES: dict[str, str] = {
    "binarycrossentropy": "binary",
    "bce": "binary",
    "binaryfocalcrossentropy": "binary",
    "categoricalcrossentropy": "categorical",
    "categoricalfocalcrossentropy": "categorical",
    "sparsecategoricalcrossentropy": "sparse",
    "kld": "distribution",
    "kldivergence": "distribution",
    "categoricalhinge": "onehot-margin",
    "poisson": "poisson",
    **dict.fromkeys(
        (
            "mse", "meansquarederror", "mae", "meanabsoluteerror", "mape", "meanabsolutepercentageerror",
            "msle", "meansquaredlogarithmicerror", "huber", "logcosh", "cosinesimilarity",
        ),
        "regression",
    ),
}  # fmt: skip

_PROBABILITY_FAMILIES = ("binary", "categorical", "sparse", "distribution")


@dataclass(frozen=True)
class LossInfo:
    """An output's loss as lint reads it.

    Attributes:
        name: as written (``categorical_crossentropy``, ``CategoricalCrossentropy``).
        family: see ``_LOSSES``.
        from_logits: the loss applies the sigmoid/softmax itself.
        axis: the class axis of categorical losses (``-1`` by default).
        ignore_class: a label value a sparse loss skips (Keras' ``ignore_class``).
        path: where the loss is written (``outputs.y.loss``).
    """

    name: str
    family: str
    from_logits: bool
    axis: int
    ignore_class: int | None
    path: Path

    @property
    def wants_probabilities(self) -> bool:
        return self.family in _PROBABILITY_FAMILIES and not self.from_logits

    @property
    def classifies(self) -> bool:
        return self.family not in ("regression", "poisson")

    @property
    def labels(self) -> str:
        """How targets are written: ``onehot``, ``sparse``, ``binary`` or ``real``."""
        return {
            "categorical": "onehot",
            "onehot-margin": "onehot",
            "distribution": "onehot",
            "sparse": "sparse",
            "binary": "binary",
        }.get(self.family, "real")


def _config(value: Any) -> tuple[str | None, Mapping[str, Any]]:
    if isinstance(value, str):
        return value, {}
    if isinstance(value, Mapping) and isinstance(value.get("class_name"), str):
        config = value.get("config")
        return value["class_name"], config if isinstance(config, Mapping) else {}
    return None, {}


def loss_info(value: Any, path: Path) -> LossInfo | None:
    """What lint knows of a loss (``None`` for one it does not)."""
    name, config = _config(value)
    family = _LOSSES.get(normal_name(name)) if name is not None else None
    if name is None or family is None:
        return None
    axis = config.get("axis", -1)
    ignore = config.get("ignore_class")
    return LossInfo(
        name=name,
        family=family,
        from_logits=config.get("from_logits") is True,
        axis=axis if isinstance(axis, int) and not isinstance(axis, bool) else -1,
        ignore_class=ignore if isinstance(ignore, int) and not isinstance(ignore, bool) else None,
        path=path,
    )


# ---------------------------------------------------------------------------
# metrics

# family: what the metric compares.
#   auto       accuracy / acc: Keras picks binary (one unit), sparse or categorical accuracy by shapes
#   threshold  a yes/no per unit, thresholded (0.5 by default): binary accuracy, precision, AUC, ...
#   onehot     one-hot labels: categorical accuracy, top-k, one-hot IoU
#   sparse     class-id labels: sparse categorical accuracy, sparse top-k, IoU
#   probability crossentropies as metrics (classification, no threshold)
_METRICS: dict[str, str] = {
    "accuracy": "auto",
    "acc": "auto",
    "ce": "probability",
    "crossentropy": "probability",
    **dict.fromkeys(
        (
            "binaryaccuracy", "precision", "recall", "auc", "f1score", "fbetascore", "truepositives", "truenegatives",
            "falsepositives", "falsenegatives", "precisionatrecall", "recallatprecision", "sensitivityatspecificity",
            "specificityatsensitivity", "binaryiou",
        ),
        "threshold",
    ),
    **dict.fromkeys(("categoricalaccuracy", "topkcategoricalaccuracy", "onehotiou", "onehotmeaniou"), "onehot"),
    **dict.fromkeys(("sparsecategoricalaccuracy", "sparsetopkcategoricalaccuracy", "iou", "meaniou"), "sparse"),
    **dict.fromkeys(
        ("binarycrossentropy", "bce", "categoricalcrossentropy", "sparsecategoricalcrossentropy"), "probability"
    ),
}  # fmt: skip

# Each thresholding metric's argument that moves the threshold off 0.5 (AUC reads logits with from_logits).
_THRESHOLD_ARGS = {
    "binaryaccuracy": "threshold",
    "precision": "thresholds",
    "recall": "thresholds",
    "binaryiou": "threshold",
    "auc": "from_logits",
}


@dataclass(frozen=True)
class MetricInfo:
    name: str
    family: str
    config: Mapping[str, Any]
    path: Path

    @property
    def label_form(self) -> str | None:
        """The label form the metric itself insists on: ``onehot``, ``sparse``,
        ``binary`` or ``None`` (follows the data)."""
        if normal_name(self.name) in ("categoricalcrossentropy",):
            return "onehot"
        if normal_name(self.name) in ("sparsecategoricalcrossentropy",):
            return "sparse"
        return {"onehot": "onehot", "sparse": "sparse", "threshold": "binary"}.get(self.family)

    def thresholds_at_half(self, classes: int | None) -> bool:
        """Whether it cuts predictions at 0.5 (as probabilities), as configured."""
        key = normal_name(self.name)
        if self.family == "auto":
            return classes == 1  # Keras makes it BinaryAccuracy(threshold=0.5)
        arg = _THRESHOLD_ARGS.get(key)
        if arg is None:
            return False
        if key == "auc":
            return self.config.get("from_logits") is not True
        return self.config.get(arg) is None


def metric_info(value: Any, path: Path) -> MetricInfo | None:
    name, config = _config(value)
    family = _METRICS.get(normal_name(name)) if name is not None else None
    if name is None or family is None:
        return None
    return MetricInfo(name, family, config, path)
