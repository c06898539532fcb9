"""A run's history: every loss and metric per epoch, as ``history.json``, ``history.csv`` and ``history.png``.

The history of a run folder spans every epoch the run finished, across
interruptions and resumes: index ``i`` of each list is epoch ``i + 1``. The
three files are rewritten (atomically) after every epoch, so an interrupted run
keeps each epoch it finished. NumPy and matplotlib only; no TensorFlow.
"""

from __future__ import annotations

import csv
import io
import json
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphspec._util.files import write_bytes_atomically, write_text_atomically
from graphspec.source.limits import read_json_record

__all__ = ["HISTORY_FILES", "History", "Marks", "history_figure", "plot_history"]

HISTORY_FILES = ("history.json", "history.csv", "history.png")

Series = dict[str, list[float | None]]


@dataclass(frozen=True)
class Marks:
    """Epochs (1-based) to mark on the plot: the best by ``monitor``, and the one whose weights were saved."""

    monitor: str | None = None
    best: int | None = None
    saved: int | None = None
    saved_by: str | None = None  # "EarlyStopping" when it restored an earlier epoch's weights


def best_epoch(history: Mapping[str, Sequence[float | None]], monitor: str) -> int | None:
    """The 1-based epoch with the lowest ``monitor`` (highest for accuracy-like names); ``None`` without values."""
    values = [(v, i + 1) for i, v in enumerate(history.get(monitor, ())) if v is not None and math.isfinite(v)]
    if not values:
        return None
    higher = any(word in monitor for word in ("acc", "auc", "precision", "recall", "f1"))
    return (max if higher else min)(values)[1]


class History:
    """The history of one run folder, kept in memory and in its three files.

    ``plot_every`` bounds the time spent drawing ``history.png`` when epochs are
    faster than the plot: it is redrawn once at least that many times its own
    drawing time has passed since the last drawing (and always by :meth:`save`
    with ``final=True``); the JSON and CSV files are written after every epoch.
    """

    def __init__(
        self, folder: Path, series: Mapping[str, Sequence[float | None]] | None = None, plot_every: float = 4.0
    ):
        self.folder = folder
        self.series: Series = {k: list(v) for k, v in (series or {}).items()}
        self.plot_every = plot_every
        self._plotted_at = 0.0
        self._plot_cost = 0.0
        self._plot_stale = False

    @property
    def epochs(self) -> int:
        return max((len(v) for v in self.series.values()), default=0)

    def append(self, logs: Mapping[str, Any]) -> None:
        """Add one epoch's logs (Keras' ``on_epoch_end`` values); names new this epoch get ``None`` before."""
        n = self.epochs
        for key, value in logs.items():
            column = self.series.setdefault(str(key), [None] * n)
            column.extend([None] * (n - len(column)))
            column.append(_number(value))
        for column in self.series.values():
            column.extend([None] * (n + 1 - len(column)))

    def truncate(self, epochs: int) -> None:
        for key in list(self.series):
            self.series[key] = self.series[key][:epochs]

    def save(self, marks: Marks = Marks(), *, final: bool = False) -> None:
        """Rewrite ``history.json`` and ``history.csv``; ``history.png`` too, unless drawn too recently (see above)."""
        write_text_atomically(self.folder / "history.json", to_json(self.series), inside=self.folder)
        write_text_atomically(self.folder / "history.csv", to_csv(self.series), inside=self.folder)
        now = time.monotonic()
        self._plot_stale = True
        if final or now - self._plotted_at >= self.plot_every * self._plot_cost:
            self.save_plot(marks)

    def save_plot(self, marks: Marks = Marks()) -> None:
        """Draw ``history.png`` now (if anything changed since the last drawing)."""
        if not self._plot_stale:
            return
        start = time.monotonic()
        write_bytes_atomically(self.folder / "history.png", plot_history(self.series, marks), inside=self.folder)
        self._plotted_at = time.monotonic()
        self._plot_cost = self._plotted_at - start
        self._plot_stale = False


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def to_json(series: Mapping[str, Sequence[float | None]]) -> str:
    # NaN and infinities (a diverged loss) become null: strict JSON has no such numbers.
    clean = {k: [v if v is not None and math.isfinite(v) else None for v in values] for k, values in series.items()}
    return json.dumps(clean, indent=2) + "\n"


def to_csv(series: Mapping[str, Sequence[float | None]]) -> str:
    table = io.StringIO()
    writer = csv.writer(table, lineterminator="\n")
    writer.writerow(["epoch", *series])
    epochs = max((len(v) for v in series.values()), default=0)
    for i in range(epochs):
        writer.writerow([i + 1, *("" if i >= len(v) or v[i] is None else repr(v[i]) for v in series.values())])
    return table.getvalue()


def read_json(path: Path) -> Series:
    """The series of a ``history.json`` graphspec wrote (``{}`` if it is missing or unreadable)."""
    data = read_json_record(path)  # bounded: a reused folder's history.json may be anything
    if not isinstance(data, dict):
        return {}
    return {str(k): [_number(v) for v in values] for k, values in data.items() if isinstance(values, list)}


# ---------------------------------------------------------------------------
# the plot


def _panels(history: Mapping[str, Sequence[float | None]]) -> list[str]:
    """One panel per quantity: ``loss`` and ``val_loss`` share ``loss``; outputs' losses and metrics their own."""
    return list(dict.fromkeys(k.removeprefix("val_") for k in history))


def _log_scale(name: str, values: Sequence[float | None]) -> bool:
    """Losses and learning rates spanning more than a decade (all positive) read better on a log axis."""
    if "loss" not in name and name != "learning_rate":
        return False
    finite = [v for v in values if v is not None and math.isfinite(v)]
    return bool(finite) and min(finite) > 0 and max(finite) / min(finite) > 10


def history_figure(history: Mapping[str, Sequence[float | None]], marks: Marks = Marks()) -> Any:
    """A matplotlib ``Figure``: one panel per loss or metric, training and validation lines per epoch.

    Losses (and the learning rate) spanning more than a decade are drawn on a log
    axis; the best epoch by ``marks.monitor`` and the epoch whose weights were
    saved are marked on every panel; one legend above the panels says what the
    lines are. Drawn on a bare ``Figure`` (matplotlib's way for servers), not
    through pyplot, so the caller's pyplot backend and figures are left alone.
    """
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    groups = _panels(history)
    cols = min(3, max(1, len(groups)))
    rows = max(1, -(-len(groups) // cols))
    height = 3.1 * rows + 0.5
    fig = Figure(figsize=(4.6 * cols, height))
    axes = fig.subplots(rows, cols, squeeze=False)
    legend: dict[str, Any] = {}
    for ax, group in zip(axes.flat, groups, strict=False):
        _draw_panel(ax, history, group, marks)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            legend.setdefault(label, handle)
    for ax in axes.flat[len(groups) :]:
        ax.axis("off")
    top = 1 - 0.45 / height
    if legend:
        fig.legend(
            list(legend.values()),
            list(legend),
            loc="upper center",
            ncol=len(legend),
            fontsize="small",
            frameon=False,
            bbox_to_anchor=(0.5, 1),
        )
    fig.tight_layout(rect=(0, 0, 1, top))
    return fig


def _draw_panel(ax: Any, history: Mapping[str, Sequence[float | None]], group: str, marks: Marks) -> None:
    values: list[float | None] = []
    for key, label, color in ((group, "training", "tab:blue"), (f"val_{group}", "validation", "tab:orange")):
        if key not in history:
            continue
        series = [math.nan if v is None else v for v in history[key]]
        values += history[key]
        ax.plot(
            range(1, len(series) + 1),
            series,
            color=color,
            marker="o" if len(series) <= 30 else None,
            markersize=3,
            label=label,
        )
    ax.set_title(group.replace("_", " "))
    ax.set_xlabel("epoch")
    if _log_scale(group, values):
        ax.set_yscale("log")
    _draw_marks(ax, marks)
    ax.grid(alpha=0.25)


def _draw_marks(ax: Any, marks: Marks) -> None:
    if marks.best is not None and marks.best == marks.saved:
        ax.axvline(
            marks.best,
            color="tab:green",
            linestyle="--",
            linewidth=1,
            label=f"best {marks.monitor}, weights saved (epoch {marks.best})",
        )
        return
    if marks.best is not None:
        ax.axvline(
            marks.best,
            color="tab:green",
            linestyle="--",
            linewidth=1,
            label=f"best {marks.monitor} (epoch {marks.best})",
        )
    if marks.saved is not None and marks.saved_by is not None:
        ax.axvline(
            marks.saved,
            color="tab:red",
            linestyle=":",
            linewidth=1.2,
            label=f"weights restored by {marks.saved_by} (epoch {marks.saved})",
        )


def plot_history(history: Mapping[str, Sequence[float | None]], marks: Marks = Marks()) -> bytes:
    """:func:`history_figure` as PNG bytes."""
    buffer = io.BytesIO()
    history_figure(history, marks).savefig(buffer, format="png", dpi=80)
    return buffer.getvalue()
