"""The tuning folder of ``graphspec tune``: one journal, a table, a plot, the best spec and model.

::

    tuning/<name>/
        search.json      what this search is: the spec, its space, tuner, seed, objective
        journal.jsonl    one JSON line per event: the search started or resumed, a trial ended
        trials.csv       one row per trial: status, objective, every parameter, size, time
        trials.png       the objective by trial, and against each searched parameter
        best.yaml        the best trial's spec, complete and flat (validates and builds as is)
        best.keras       the best trial's trained model
        trials/<id>.yaml the spec of each trial (every trial that expanded, refused ones too)
        trials/<id>.json what the worker that trained it recorded (histories, times, memory)
        trials/<id>/     its run folder (``graphspec fit``'s); ``model.keras`` only for the best few
        logs/            TensorBoard: each trial's scalars and its parameters (HParams)
        keras_tuner/     Keras Tuner's oracle state, for resuming

Only one process writes the journal and the files beside it: the search's chief
(the single process of a search on one machine). Lines are appended whole, one
``write`` each, then synced; a line torn by a crash is dropped when the journal is
next read or appended to. Every other file is written to a temporary name and
renamed into place (:mod:`graphspec._util.files`). No TensorFlow here.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import shutil
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphspec._util.files import replace_atomically, write_bytes_atomically, write_text_atomically
from graphspec.errors import Code, SpecError

__all__ = ["FORMAT", "TuningFolder", "best_records", "objective_value"]

FORMAT = 1
_PLOTTED_PARAMS = 8


@dataclass(frozen=True)
class TuningFolder:
    """The paths of a tuning folder, and its journal."""

    root: Path

    @property
    def state_file(self) -> Path:
        return self.root / "search.json"

    @property
    def journal(self) -> Path:
        return self.root / "journal.jsonl"

    @property
    def trials(self) -> Path:
        return self.root / "trials"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def keras_tuner(self) -> Path:
        return self.root / "keras_tuner"

    def spec_file(self, trial: str) -> Path:
        return self.trials / f"{trial}.yaml"

    def worker_file(self, trial: str) -> Path:
        return self.trials / f"{trial}.json"

    def run_dir(self, trial: str, execution: int = 1, executions: int = 1) -> Path:
        """Where ``graphspec fit`` trains one execution of a trial (1-based)."""
        return self.trials / trial if executions == 1 else self.trials / trial / f"execution{execution}"

    def log_dir(self, trial: str, execution: int = 1, executions: int = 1) -> Path:
        return self.logs / trial if executions == 1 else self.logs / trial / f"execution{execution}"

    def create(self) -> None:
        self.trials.mkdir(parents=True, exist_ok=True)

    # -- state ---------------------------------------------------------------

    def read_state(self) -> dict[str, Any] | None:
        """``search.json``, or ``None`` for a new folder.

        Raises:
            SpecError: ``bad-tuning-folder`` if it cannot be read as a search's state.
        """
        if not self.state_file.exists():
            return None
        try:
            state = json.loads(self.state_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SpecError.single(
                Code.BAD_TUNING_FOLDER,
                f"cannot read {self.state_file}: {exc}",
                (),
                "give another --dir, or remove the folder to start over",
            ) from None
        if not isinstance(state, dict) or state.get("format") != FORMAT:
            raise SpecError.single(
                Code.BAD_TUNING_FOLDER,
                f"{self.state_file} is not a graphspec search's state (format {FORMAT})",
                (),
                "give another --dir",
            )
        return state

    def write_state(self, state: Mapping[str, Any]) -> None:
        write_text_atomically(
            self.state_file, json.dumps({"format": FORMAT, **state}, indent=2, sort_keys=False) + "\n"
        )

    # -- the journal -----------------------------------------------------------

    def append(self, record: Mapping[str, Any], *, durable: bool = True) -> None:
        """Append one record as one line, written in one call; ``durable``: synced to disk before returning.

        A process that dies after the write loses nothing either way; syncing guards
        against losing the line to a power cut.
        """
        line = (json.dumps(record, separators=(",", ":"), allow_nan=True, default=_plain) + "\n").encode("utf-8")
        _append_line(self.journal, line, durable=durable)

    def records(self) -> list[dict[str, Any]]:
        """Every whole record of the journal, in order (a torn last line is left out)."""
        try:
            raw = self.journal.read_bytes()
        except FileNotFoundError:
            return []
        out = []
        for line in raw.split(b"\n"):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError:
                continue  # a line a crash cut short: only ever the last one
            if isinstance(record, dict):
                out.append(record)
        return out

    def trial_records(self) -> list[dict[str, Any]]:
        """The last record of each trial, in the order they ended (a retried trial's latest counts)."""
        latest: dict[str, dict[str, Any]] = {}
        for record in self.records():
            if record.get("kind") == "trial":
                latest.pop(str(record.get("trial")), None)
                latest[str(record.get("trial"))] = record
        return list(latest.values())

    # -- per-trial files ---------------------------------------------------------

    def write_worker_record(self, trial: str, record: Mapping[str, Any]) -> None:
        self.trials.mkdir(parents=True, exist_ok=True)
        write_text_atomically(self.worker_file(trial), json.dumps(record, default=_plain) + "\n")

    def read_worker_record(self, trial: str) -> dict[str, Any] | None:
        try:
            record = json.loads(self.worker_file(trial).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return record if isinstance(record, dict) else None

    def model_file(self, record: Mapping[str, Any]) -> Path | None:
        """The trained model of a trial's best execution, if it is kept."""
        runs = [e for e in record.get("executions") or [] if e.get("run_dir")]
        if not runs:
            return None
        best = _best_execution(runs, str(record.get("direction", "min")))
        path = self.root / str(best["run_dir"]) / "model.keras"
        return path if path.is_file() else None

    def prune(self, records: Iterable[Mapping[str, Any]], keep: set[str]) -> list[str]:
        """Remove the trained models of trials not in ``keep``; returns the trials pruned."""
        pruned = []
        for record in records:
            trial = str(record.get("trial"))
            if trial in keep:
                continue
            removed = False
            for execution in record.get("executions") or []:
                model = self.root / str(execution.get("run_dir", "")) / "model.keras"
                if execution.get("run_dir") and model.is_file():
                    model.unlink(missing_ok=True)
                    removed = True
            if removed:
                pruned.append(trial)
        return pruned

    # -- best, table, plot ---------------------------------------------------------

    def write_best(self, record: Mapping[str, Any], header: str) -> bool:
        """``best.yaml`` (and ``best.keras``, when its model is at hand) from a trial; whether the model was copied."""
        spec = self.spec_file(str(record["trial"])).read_text(encoding="utf-8")
        write_text_atomically(self.root / "best.yaml", "".join(f"# {line}\n" for line in header.splitlines()) + spec)
        model = self.model_file(record)
        if model is None:
            return False
        replace_atomically(self.root / "best.keras", lambda tmp: shutil.copyfile(model, tmp), suffix=".keras")
        return True

    def write_table(self, records: Sequence[Mapping[str, Any]], names: Sequence[str], objective: str) -> None:
        write_text_atomically(self.root / "trials.csv", trials_table(records, names, objective))

    def append_row(self, record: Mapping[str, Any], names: Sequence[str], objective: str) -> None:
        """One more row of ``trials.csv`` (the whole table when there is none yet)."""
        table = self.root / "trials.csv"
        if not table.exists():
            self.write_table([record], names, objective)
            return
        _append_line(table, trials_table([record], names, objective).split("\n", 1)[1].encode("utf-8"), durable=False)

    def write_plot(
        self,
        records: Sequence[Mapping[str, Any]],
        names: Sequence[str],
        objective: str,
        direction: str,
        log_scaled: set[str],
    ) -> None:
        write_bytes_atomically(self.root / "trials.png", plot_trials(records, names, objective, direction, log_scaled))


def _append_line(path: Path, line: bytes, *, durable: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o666)
    try:
        _drop_torn_tail(fd)
        os.write(fd, line)
        if durable:
            os.fsync(fd)
    finally:
        os.close(fd)


def _drop_torn_tail(fd: int) -> None:
    """Cut a last line without its newline (a write a crash interrupted), so the next line starts clean."""
    size = os.lseek(fd, 0, os.SEEK_END)
    if size == 0 or os.pread(fd, 1, size - 1) == b"\n":
        return
    start = max(0, size - (1 << 20))
    tail = os.pread(fd, size - start, start)
    cut = tail.rfind(b"\n")
    os.ftruncate(fd, start + cut + 1 if cut >= 0 else start)


def _plain(value: Any) -> Any:
    """JSON for NumPy scalars and paths in records."""
    if hasattr(value, "item"):
        return value.item()
    return str(value)


# ---------------------------------------------------------------------------
# scores


def objective_value(
    history: Mapping[str, Sequence[float]], name: str, direction: str
) -> tuple[float | None, int | None]:
    """The best value of ``name`` over the epochs of one execution, and its epoch (1-based)."""
    values = [float(v) for v in history.get(name) or []]
    finite = [(v, i) for i, v in enumerate(values) if math.isfinite(v)]
    if not finite:
        return (math.nan if values else None), None
    best = min(finite) if direction == "min" else max(finite, key=lambda t: (t[0], -t[1]))
    return best[0], best[1] + 1


def _best_execution(runs: Sequence[Mapping[str, Any]], direction: str) -> Mapping[str, Any]:
    def score(e: Mapping[str, Any]) -> float:
        v = e.get("objective")
        if not isinstance(v, int | float) or not math.isfinite(v):
            return math.inf
        return float(v) if direction == "min" else -float(v)

    return min(runs, key=score)


def best_records(records: Iterable[Mapping[str, Any]], direction: str, n: int = 1) -> list[Mapping[str, Any]]:
    """The ``n`` best trials that trained and count, best first (ties: the earlier trial)."""
    scored = [r for r in records if r.get("status") == "ok" and r.get("counts", True) and _finite(r.get("score"))]
    sign = 1.0 if direction == "min" else -1.0
    return sorted(scored, key=lambda r: sign * float(r["score"]))[:n]


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


# ---------------------------------------------------------------------------
# the table and the plot


def trials_table(records: Sequence[Mapping[str, Any]], names: Sequence[str], objective: str) -> str:
    """``trials.csv``: one row per trial, in the order they ended."""
    table = io.StringIO()
    writer = csv.writer(table, lineterminator="\n")
    writer.writerow(
        ["trial", "status", objective, "best_epoch", *names, "params", "flops", "seconds", "worker", "counts", "reason"]
    )
    for r in records:
        values = r.get("params") or {}
        writer.writerow(
            [
                r.get("trial"),
                r.get("status"),
                _cell(r.get("score")),
                _cell(r.get("best_epoch")),
                *(_cell(values.get(n)) for n in names),
                _cell(r.get("model_params")),
                _cell(r.get("flops")),
                _cell(r.get("seconds")),
                r.get("worker", ""),
                "yes" if r.get("counts", True) else "no",
                r.get("reason") or "",
            ]
        )
    return table.getvalue()


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.6g}"
    return value


def plot_trials(
    records: Sequence[Mapping[str, Any]], names: Sequence[str], objective: str, direction: str, log_scaled: set[str]
) -> bytes:
    """A PNG: the objective of each trained trial with the best so far, then one panel per searched parameter.

    Drawn on a bare ``Figure``, as ``graphspec fit``'s history plot, so no pyplot
    state is touched.
    """
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    trained = [(i, r) for i, r in enumerate(records, 1) if r.get("status") == "ok" and _finite(r.get("score"))]
    shown = list(names)[:_PLOTTED_PARAMS]
    panels = 1 + len(shown)
    cols = min(3, panels)
    rows = -(-panels // cols)
    fig = Figure(figsize=(4.5 * cols, 3.2 * rows))
    axes = fig.subplots(rows, cols, squeeze=False).flat
    ax = axes[0]
    if trained:
        xs, ys = [i for i, _ in trained], [float(r["score"]) for _, r in trained]
        ax.plot(xs, ys, "o", label="trial")
        pick = min if direction == "min" else max
        best = [pick(ys[: k + 1]) for k in range(len(ys))]
        ax.step(xs, best, where="post", label="best so far")
        ax.legend()
    refused = [i for i, r in enumerate(records, 1) if r.get("status") != "ok"]
    if refused and trained:
        low = min(float(r["score"]) for _, r in trained)
        ax.plot(refused, [low] * len(refused), "x", color="grey", label="refused or failed")
        ax.legend()
    ax.set_title(f"{objective} by trial ({direction})")
    ax.set_xlabel("trial (in order)")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    for ax, name in zip(axes[1:], shown, strict=False):
        _parameter_panel(ax, name, trained, objective, name in log_scaled)
    for ax in list(axes)[panels:]:
        ax.axis("off")
    fig.subplots_adjust(
        left=0.08, right=0.97, bottom=0.1, top=0.92, hspace=0.55, wspace=0.3
    )  # tight_layout would double the drawing time
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=80)
    return buffer.getvalue()


def _parameter_panel(
    ax: Any, name: str, trained: Sequence[tuple[int, Mapping[str, Any]]], objective: str, log: bool
) -> None:
    from matplotlib.ticker import MaxNLocator, NullFormatter

    pairs = [
        ((r.get("params") or {}).get(name), float(r["score"])) for _, r in trained if name in (r.get("params") or {})
    ]
    numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v, _ in pairs)
    if numeric:
        ax.plot([v for v, _ in pairs], [s for _, s in pairs], "o")
        if log:
            ax.set_xscale("log")
            ax.xaxis.set_minor_formatter(NullFormatter())  # the labels of minor ticks overlap on a short log axis
        elif all(isinstance(v, int) for v, _ in pairs):
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    else:
        labels = sorted({str(v) for v, _ in pairs})
        ax.plot([labels.index(str(v)) for v, _ in pairs], [s for _, s in pairs], "o")
        ax.set_xticks(range(len(labels)), labels)
    ax.set_title(name)
    ax.set_xlabel(name)
    ax.set_ylabel(objective)
