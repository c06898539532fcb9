"""history: the run's history files and plot (no TensorFlow)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graphspec.train.history import History, Marks, best_epoch, history_figure, to_csv, to_json


def _axes(fig: object) -> dict[str, object]:
    return {ax.get_title(): ax for ax in fig.axes if ax.get_title()}  # type: ignore[attr-defined]


def test_losses_spanning_a_decade_are_drawn_on_a_log_axis() -> None:
    fig = history_figure(
        {
            "loss": [3.0, 0.5, 0.05, 0.01],
            "val_loss": [3.1, 0.6, 0.2, 0.2],
            "acc": [0.05, 0.5, 0.9, 0.99],
            "aux_loss": [1.0, 0.9, 0.8, 0.7],
        }
    )
    axes = _axes(fig)
    assert axes["loss"].get_yscale() == "log"  # type: ignore[attr-defined]
    assert axes["aux loss"].get_yscale() == "linear"  # type: ignore[attr-defined]
    assert axes["acc"].get_yscale() == "linear"  # type: ignore[attr-defined]  (spans a decade, but is no loss)


def test_best_and_restored_epochs_are_marked_and_one_legend_says_what_the_lines_are() -> None:
    history = {"loss": [1.0, 0.5, 0.4, 0.3], "val_loss": [1.1, 0.6, 0.7, 0.8], "learning_rate": [0.1, 0.1, 0.05, 0.05]}
    fig = history_figure(history, Marks("val_loss", best_epoch(history, "val_loss"), 2, "EarlyStopping"))
    for ax in _axes(fig).values():
        assert ax.get_legend() is None  # type: ignore[attr-defined]
        assert [line.get_xdata()[0] for line in ax.get_lines() if line.get_linestyle() == "--"] == [2]  # type: ignore[attr-defined]
    [legend] = fig.legends
    assert [t.get_text() for t in legend.get_texts()] == [
        "training",
        "validation",
        "best val_loss, weights saved (epoch 2)",
    ]
    restored = history_figure(history, Marks("val_loss", 2, 4, "EarlyStopping"))
    assert [t.get_text() for t in restored.legends[0].get_texts()][-2:] == [
        "best val_loss (epoch 2)",
        "weights restored by EarlyStopping (epoch 4)",
    ]
    assert best_epoch({"val_acc": [0.2, 0.9, 0.5]}, "val_acc") == 2  # higher is better for accuracy


def test_history_files_number_epochs_from_one_and_hold_no_invalid_json(tmp_path: Path) -> None:
    history = History(tmp_path)
    history.append({"loss": 1.5})
    history.append({"loss": float("nan"), "learning_rate": 0.1})  # a metric appearing late, a diverged loss
    assert history.epochs == 2 and history.series["learning_rate"] == [None, 0.1]
    history.save(final=True)
    assert json.loads((tmp_path / "history.json").read_text()) == {"loss": [1.5, None], "learning_rate": [None, 0.1]}
    assert (tmp_path / "history.csv").read_text().splitlines() == [
        "epoch,loss,learning_rate",
        "1,1.5,",
        "2,nan,0.1",
    ]  # missing is empty
    assert to_json({"a": [float("inf")]}) == '{\n  "a": [\n    null\n  ]\n}\n'
    assert to_csv({}) == "epoch\n"


def test_the_plot_is_redrawn_no_more_often_than_its_cost_allows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import graphspec.train.history as module

    drawn: list[int] = []
    monkeypatch.setattr(module, "plot_history", lambda series, marks=None: drawn.append(len(series["loss"])) or b"png")
    clock = iter([0.0, 0.0, 1.0, 2.0, 6.0, 6.0, 7.0, 7.5, 7.5, 8.0])
    monkeypatch.setattr(module.time, "monotonic", lambda: next(clock))
    history = History(tmp_path, plot_every=4.0)
    for epoch in range(4):
        history.append({"loss": 1.0 / (epoch + 1)})
        history.save(final=epoch == 3)
    # Drawing takes 1 s: epoch 2 (1 s after) is not drawn, epoch 3 (5 s after) is, the final epoch always.
    assert drawn == [1, 3, 4]
