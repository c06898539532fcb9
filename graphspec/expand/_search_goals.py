"""The objective and the constraints of a search: the metric it optimises, and bounds on a model's size."""

from __future__ import annotations

from typing import Any

from graphspec._util.suggest import did_you_mean_or_list
from graphspec.errors import Code, Path
from graphspec.expand._search_space import Objective
from graphspec.expand._search_state import _ParseState, _show

_CONSTRAINTS = ("max_params", "max_flops")

# Metrics whose smaller values are better; any other objective name must say its direction.
_MINIMISED = (
    "loss",
    "error",
    "mse",
    "mae",
    "mape",
    "msle",
    "hinge",
    "crossentropy",
    "poisson",
    "divergence",
    "kld",
    "logcosh",
    "huber",
)
_MAXIMISED = ("acc", "auc", "precision", "recall", "f1", "iou", "r2", "correlation", "similarity")


class _Goals(_ParseState):
    """``search.objective`` (a metric name, or ``{name, direction}``) and ``search.constraints``, checked.

    Reports through ``error``.
    """

    def objective(self, raw: Any) -> Objective | None:
        path: Path = ("search", "objective")
        if raw is None:
            return Objective("val_loss", "min", path)  # made `loss` by the survey when the spec holds out no data
        if isinstance(raw, str):
            direction = infer_direction(raw)
            if direction is None:
                self.error(
                    Code.BAD_VALUE,
                    f"cannot tell whether {raw!r} is to be minimised or maximised",
                    path,
                    f"write {{name: {raw}, direction: max}} (or min)",
                )
                return None
            return Objective(raw, direction, path)
        if not isinstance(raw, dict):
            self.error(
                Code.WRONG_TYPE, f"the objective is a metric name or {{name, direction}}; got {_show(raw)}", path
            )
            return None
        for key in raw:
            if key not in ("name", "direction"):
                self.error(
                    Code.UNKNOWN_KEY,
                    f"unknown key {key!r} in the objective",
                    (*path, key),
                    did_you_mean_or_list(key, ("name", "direction")),
                    at_key=True,
                )
        name, direction = raw.get("name"), raw.get("direction")
        if not isinstance(name, str) or not name:
            self.error(
                Code.MISSING_KEY if name is None else Code.WRONG_TYPE,
                "the objective needs `name`: a metric Keras logs (val_loss, val_<output>_<metric>)",
                path,
            )
            return None
        if direction is None:
            direction = infer_direction(name)
        if direction not in ("min", "max"):
            self.error(
                Code.BAD_VALUE,
                f"the objective's direction is min or max; got {_show(direction)}",
                (*path, "direction") if "direction" in raw else path,
            )
            return None
        return Objective(name, direction, path)

    def constraints(self, raw: Any) -> dict[str, int]:
        path: Path = ("search", "constraints")
        if raw is None:
            return {}
        if not isinstance(raw, dict):
            self.error(Code.WRONG_TYPE, "`constraints` is a mapping: {max_params: N, max_flops: N}", path)
            return {}
        out: dict[str, int] = {}
        for key, value in raw.items():
            if key not in _CONSTRAINTS:
                self.error(
                    Code.UNKNOWN_KEY,
                    f"unknown constraint {key!r}",
                    (*path, key),
                    did_you_mean_or_list(key, _CONSTRAINTS),
                    at_key=True,
                )
            elif (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or value < 1
                or (isinstance(value, float) and value != int(value))
            ):
                self.error(Code.BAD_VALUE, f"{key} is a whole number of at least 1; got {_show(value)}", (*path, key))
            else:
                out[key] = int(value)
        return out


def infer_direction(metric: str) -> str | None:
    """``min`` for losses and errors, ``max`` for accuracies and the like, ``None`` when unclear."""
    name = metric.lower().removeprefix("val_")
    if any(word in name for word in _MINIMISED):
        return "min"
    if any(word in name for word in _MAXIMISED):
        return "max"
    return None
