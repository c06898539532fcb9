"""Data rules: the arrays given to fit, evaluate and predict,
checked against what the spec expects (NumPy, no TensorFlow).

``graphspec.data`` calls in here: :func:`expect` attaches lint's expectations
to the arrays a spec takes, :func:`refine` runs the data rules on the arrays
given, :func:`within_reach` keeps synthetic targets inside what the output can
produce. Each statistic a rule reads (finite values, minimum, one-hot rows, ...)
is computed once per array, when a rule first asks for it.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from graphspec.errors import Code, Diagnostic
from graphspec.lint._engine import diagnose
from graphspec.lint._expect import Expectation, expectations

__all__ = ["ArrayFacts", "expect", "refine", "within_reach"]


class ArrayFacts:
    """One array with lint's expectation of it, and the statistics data rules read.

    ``fits`` is whether the array's shape and dtype passed the plain data check;
    rules about values run only on arrays that fit, rules about their encoding on all.
    """

    def __init__(self, array: np.ndarray, expect: Expectation, fits: bool):
        self.array = array
        self.expect = expect
        self.fits = fits

    @property
    def sample_shape(self) -> tuple[int, ...]:
        return tuple(self.array.shape[1:])

    @functools.cached_property
    def numeric(self) -> bool:
        return self.array.dtype.kind in "biuf" and self.array.size > 0

    @functools.cached_property
    def _extremes(self) -> tuple[float, float]:
        """The smallest and largest value: NaN if any value is NaN (NumPy's min and max propagate it)."""
        return float(self.array.min()), float(self.array.max())

    @functools.cached_property
    def _finite(self) -> np.ndarray | None:
        """The finite values, flattened (``None`` when every value is)."""
        if self.array.dtype.kind != "f" or all(np.isfinite(self._extremes)):
            return None  # two reductions instead of a mask the size of the data
        finite: np.ndarray = self.array[np.isfinite(self.array)]
        return finite

    @functools.cached_property
    def nonfinite(self) -> tuple[int, int, int]:
        """NaN count, infinity count, first sample holding one (all 0 when there is none)."""
        if self._finite is None:
            return 0, 0, 0
        nan = np.isnan(self.array)
        inf = np.isinf(self.array)
        bad = (nan | inf).reshape(len(self.array), -1).any(axis=1)
        return int(nan.sum()), int(inf.sum()), int(np.argmax(bad))

    @functools.cached_property
    def values(self) -> np.ndarray:
        """The finite values, flattened."""
        return self.array.reshape(-1) if self._finite is None else self._finite

    @functools.cached_property
    def minimum(self) -> float:
        """The smallest finite value (0 when there is none)."""
        if self._finite is None:
            return self._extremes[0]
        return float(self._finite.min()) if self._finite.size else 0.0

    @functools.cached_property
    def maximum(self) -> float:
        """The largest finite value (0 when there is none)."""
        if self._finite is None:
            return self._extremes[1]
        return float(self._finite.max()) if self._finite.size else 0.0

    @functools.cached_property
    def integral(self) -> bool:
        """Every finite value is a whole number."""
        if self.array.dtype.kind in "biu":
            return True
        return bool(np.all(np.mod(self.values, 1) == 0))

    def count_outside(self, low: float, high: float, skip: float | None = None) -> int:
        """How many finite values lie below ``low`` or above ``high`` (``skip`` aside)."""
        if low <= self.minimum and self.maximum <= high:
            return 0
        v = self.values
        outside = (v < low) | (v > high)
        if skip is not None:
            outside &= v != skip
        return int(outside.sum())

    def first_outside(self, low: float, high: float, skip: float | None = None) -> float:
        v = self.values
        outside = (v < low) | (v > high)
        if skip is not None:
            outside &= v != skip
        return float(v[np.argmax(outside)])

    @functools.cached_property
    def onehot_rows(self) -> bool:
        """Rows along the last axis are one-hot: values 0 or 1, exactly one 1."""
        if self.array.ndim < 2 or self.array.shape[-1] < 2 or not self.numeric or self._finite is not None:
            return False
        a = self.array
        return bool(np.all((a == 0) | (a == 1)) and np.all(a.sum(axis=-1) == 1))

    @functools.cached_property
    def bad_rows(self) -> tuple[int, int]:
        """Rows along the last axis that are no distribution (values in [0, 1] summing to 1), of all rows.

        Rows of zeros are not counted as bad: sequence models pad their targets with them.
        """
        if self.array.ndim < 2 or not self.numeric or self._finite is not None:
            return 0, 0
        rows = self.array.reshape(-1, self.array.shape[-1]).astype("float64")
        sums = rows.sum(axis=1)
        bad = ((rows < 0) | (rows > 1)).any(axis=1) | ~(np.isclose(sums, 1.0, atol=1e-3) | (sums == 0))
        return int(bad.sum()), len(rows)


def expect(report: Any, specs: Sequence[Any]) -> list[Any]:
    """The array specs of a validated spec (``graphspec.data.ArraySpec``), each with lint's expectation attached."""
    found = expectations(report)
    return [dataclasses.replace(s, lint=found.get(s.name)) for s in specs]


def refine(diags: list[Diagnostic], arrays: Mapping[str, Any], wanted: Iterable[Any]) -> list[Diagnostic]:
    """``diags`` (the plain data check's findings) with the data rules' findings added.

    A label-encoding finding replaces the plain check's ``array-mismatch`` for the
    same array: it says the same thing, and why.
    """
    from graphspec.lint.rules import RULES

    rules = [r for r in RULES if r.stage == "data"]
    out = list(diags)
    explained = set()
    for want in wanted:
        expect = getattr(want, "lint", None)
        if not isinstance(expect, Expectation) or want.name not in arrays:
            continue
        array = np.asarray(arrays[want.name])
        if array.ndim == 0 or array.size == 0:
            continue
        fits = not any(d.code is Code.ARRAY_MISMATCH and d.path == want.path for d in diags)
        facts = ArrayFacts(array, expect, fits)
        for rule in rules:
            found = diagnose(rule, rule.check(facts), expect.ignores)
            if found and rule.code is Code.LABEL_ENCODING:
                explained.add(want.path)
            out += found
    return [d for d in out if not (d.code is Code.ARRAY_MISMATCH and d.path in explained)]


def within_reach(want: Any, targets: np.ndarray) -> np.ndarray:
    """Synthetic regression targets moved inside the range of the output's activation (a sigmoid output gets (0, 1))."""
    expect = getattr(want, "lint", None)
    if not isinstance(expect, Expectation) or expect.squash is None or expect.loss is None or expect.loss.classifies:
        return targets
    low, high = expect.squash.activation.low, expect.squash.activation.high
    if low > -np.inf and high < np.inf:
        moved = low + (high - low) / (1 + np.exp(-targets))
    elif low > -np.inf:
        moved = low + np.abs(targets)
    elif high < np.inf:
        moved = high - np.abs(targets)
    else:
        return targets
    return np.asarray(moved, dtype=targets.dtype)
