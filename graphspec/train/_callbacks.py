"""The Keras callbacks behind a run folder: atomic checkpoints and backups, per-epoch history, log lines, HParams.

Keras writes its checkpoint and backup files in place: a process killed while
``ModelCheckpoint`` or ``BackupAndRestore`` saves leaves a truncated file where
the last good one was (and ``BackupAndRestore`` writes the weights and the epoch
number as two files, so a kill between them pairs one epoch's weights with
another's number). Here:

* ``ModelCheckpoint`` saves to a temporary file that is renamed into place;
  ``CSVLogger`` rewrites its file atomically each epoch (and keeps the rows of the
  epochs before a resume).
* ``BackupAndRestore`` of a spec becomes the :class:`RunKeeper`'s backup: one
  whole generation per epoch (see :mod:`graphspec.train.run_folder`), holding the model
  and optimizer weights, the random generators' state (dropout masks continue as
  they would have), the state of the spec's ``EarlyStopping``,
  ``ReduceLROnPlateau`` and ``ModelCheckpoint`` (patience counters, best values,
  best weights), and the history. A resumed run trains the same epochs an
  uninterrupted one would.
* :class:`RunKeeper`, the last callback, makes each finished epoch durable in this
  order: TensorBoard's writers flushed, the backup, then ``history.json``/``.csv``/``.png``,
  then the epoch's log line.

The classes are made by :func:`classes` on first use, once Keras is imported.
"""

from __future__ import annotations

import contextlib
import functools
import io
import math
import os
import shutil
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any, TextIO

import numpy as np

from graphspec._util.files import confined, replace_atomically, write_text_atomically
from graphspec.data import load_npz
from graphspec.source.limits import read_record
from graphspec.train import run_folder
from graphspec.train.history import History, Marks, best_epoch

__all__ = ["Backup", "KeeperSettings", "classes", "restore_model_state", "saved_epoch"]

# The state of Keras callbacks that a resumed run needs (reset by their on_train_begin,
# or set only once), by class; EarlyStopping's best weights are saved as arrays.
_CALLBACK_STATE: dict[str, tuple[str, ...]] = {
    "EarlyStopping": ("wait", "stopped_epoch", "best", "best_epoch"),
    "ReduceLROnPlateau": ("wait", "best", "cooldown_counter"),
    "ModelCheckpoint": ("best",),
}

_WEIGHTS = "model.weights.h5"
_VARIABLES = "variables.npz"
_CALLBACK_ARRAYS = "callbacks.npz"


@functools.cache
def classes() -> SimpleNamespace:
    """The Keras callback classes of this module, built on Keras' own (imported here)."""
    import keras

    return SimpleNamespace(
        ModelCheckpoint=type("ModelCheckpoint", (_AtomicCheckpoint, keras.callbacks.ModelCheckpoint), {}),
        CSVLogger=type("CSVLogger", (_AtomicCSVLogger, keras.callbacks.CSVLogger), {}),
        RunKeeper=type("RunKeeper", (_Keeper, keras.callbacks.Callback), {}),
    )


# ---------------------------------------------------------------------------
# atomic versions of Keras' file-writing callbacks


class _AtomicCheckpoint:
    """``ModelCheckpoint`` whose files appear whole: each save goes to a temporary file, renamed into place.

    ``inside`` (set by ``fit``: the run folder) confines every save by real path.
    """

    model: Any
    inside: Path | None = None

    def _save_model(self, epoch: int, batch: int | None, logs: Any) -> None:
        with _atomic_saves(self.model, self.inside):
            super()._save_model(epoch, batch, logs)  # type: ignore[misc]


@contextlib.contextmanager
def _atomic_saves(model: Any, inside: Path | None = None) -> Iterator[None]:
    """Route ``model.save`` and ``model.save_weights`` (what ModelCheckpoint calls) through a temporary
    file, inside ``inside``."""
    originals = {"save": model.save, "save_weights": model.save_weights}

    def atomic(name: str) -> Callable[..., None]:
        def save(filepath: Any, *args: Any, **kwargs: Any) -> None:
            path = str(filepath)
            suffix = next((s for s in (".weights.h5", ".keras", ".h5") if path.endswith(s)), "")
            replace_atomically(path, lambda tmp: originals[name](tmp, *args, **kwargs), suffix=suffix, inside=inside)

        return save

    for name in originals:
        object.__setattr__(model, name, atomic(name))
    try:
        yield
    finally:
        for name in originals:
            object.__delattr__(model, name)


class _AtomicCSVLogger:
    """``CSVLogger`` rewriting its whole file atomically each epoch; a resumed run keeps the rows before it."""

    filename: str
    sep: str
    append: bool
    resume_from: int = 0
    inside: Path | None = None  # set by fit: the run folder, which every write must really stay in

    def on_train_begin(self, logs: Any = None) -> None:
        self.rows: list[dict[str, Any]] = (
            _read_rows(Path(self.filename), self.sep, self.resume_from) if self.resume_from or self.append else []
        )

    def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
        self.rows.append({"epoch": epoch, **{k: _plain(v) for k, v in (logs or {}).items()}})
        keys = list(dict.fromkeys(k for row in self.rows for k in row))
        keys = ["epoch", *sorted(k for k in keys if k != "epoch")]  # Keras' own column order
        lines = [self.sep.join(keys)] + [self.sep.join(_cell(row.get(k)) for k in keys) for row in self.rows]
        parent = Path(self.filename).parent
        if self.inside is not None:
            confined(
                self.inside, os.path.relpath(parent, self.inside)
            )  # before mkdir: no folder made through a symlink
        parent.mkdir(parents=True, exist_ok=True)
        write_text_atomically(self.filename, "\n".join(lines) + "\n", inside=self.inside)

    def on_train_end(self, logs: Any = None) -> None:
        pass  # every row is on disk already


def _read_rows(path: Path, sep: str, before: int) -> list[dict[str, Any]]:
    import csv

    text = read_record(path)  # bounded: the log of a reused folder may be anything
    if text is None:
        return []
    rows = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=sep))
    kept = [row for row in rows if row.get("epoch", "").isdigit() and (not before or int(row["epoch"]) < before)]
    return [{k: (int(v) if k == "epoch" else v) for k, v in row.items()} for row in kept]


def _plain(value: Any) -> Any:
    with contextlib.suppress(TypeError, ValueError):
        return float(value)
    return value


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


# ---------------------------------------------------------------------------
# the keeper: history, backup, lines


@dataclass
class Backup:
    """Where the run's backup goes, and what identifies the run in it."""

    folder: Path
    fingerprint: dict[str, str]
    keep: int = 1
    inside: Path | None = None  # the run folder: the backup must really lie in it


@dataclass
class KeeperSettings:
    """What :class:`RunKeeper` does each epoch, and the run it continues."""

    history: History
    epochs: int
    backup: Backup | None = None
    tracked: Sequence[Any] = ()  # the spec's callbacks, whose state goes in the backup
    restore: list[dict[str, Any]] | None = None  # their state, to restore on a resume
    restore_arrays: Path | None = None
    lines: TextIO | None = None  # one line per epoch here (not a terminal)
    monitor: str = "loss"
    hparams: Callable[[], None] | None = None


class _Keeper:
    """The last callback of a run: makes each finished epoch durable, in order (see the module)."""

    model: Any

    def __init__(self, settings: KeeperSettings) -> None:
        super().__init__()
        self.settings = settings
        self.stopped = False
        self._started = time.monotonic()

    def on_train_begin(self, logs: Any = None) -> None:
        s = self.settings
        if s.restore is not None:
            _restore_callbacks(s.tracked, s.restore, s.restore_arrays)
        if s.hparams is not None:
            s.hparams()

    def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
        self._started = time.monotonic()

    def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
        s = self.settings
        logs = dict(logs or {})
        s.history.truncate(epoch)  # the history holds exactly the epochs before this one
        s.history.append(logs)
        self.stopped = bool(getattr(self.model, "stop_training", False))
        _flush_tensorboard(s.tracked)
        if s.backup is not None:
            save_backup(self.model, s.backup, epoch + 1, self.stopped, s.history.series, s.tracked)
        s.history.save(Marks(s.monitor, best_epoch(s.history.series, s.monitor)))
        if s.lines is not None:
            s.lines.write(epoch_line(epoch + 1, s.epochs, logs, time.monotonic() - self._started) + "\n")
            s.lines.flush()


def epoch_line(epoch: int, epochs: int, logs: Mapping[str, Any], seconds: float) -> str:
    """``epoch 3/10: loss 0.5123, acc 0.8100, val_loss 0.6012 (1.2 s)``: a log file's line for one epoch."""
    values = ", ".join(f"{k} {_short(v)}" for k, v in logs.items())
    return f"epoch {epoch}/{epochs}: {values} ({seconds:.1f} s)"


def _short(value: Any) -> str:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(number):
        return str(number)
    return (
        f"{number:.4f}" if abs(number) > 1e-3 or number == 0 else f"{number:.4e}"
    )  # as Keras' progress bar writes them


def _flush_tensorboard(callbacks: Sequence[Any]) -> None:
    """Put TensorBoard's finished epochs on disk before the backup says they are done (its writers
    buffer for 2 minutes)."""
    for callback in callbacks:
        writers = getattr(callback, "_writers", None)  # Keras' TensorBoard: {"train": ..., "val": ...}
        for writer in writers.values() if isinstance(writers, dict) else ():
            with contextlib.suppress(Exception):
                writer.flush()


# ---------------------------------------------------------------------------
# the backup


def _extra_variables(model: Any) -> list[Any]:
    """The model's state that is not weights: the random generators' seeds (dropout, noise, augmentation)."""
    weights = {id(v) for v in model.weights}
    return [v for v in model.variables if id(v) not in weights]


def save_backup(
    model: Any, backup: Backup, epoch: int, stopped: bool, history: Mapping[str, Any], tracked: Sequence[Any]
) -> None:
    """Write epoch ``epoch``'s generation whole, then point the backup at it."""
    temp, final = run_folder.new_generation(backup.folder, epoch, backup.inside)
    try:
        model.save_weights(str(temp / _WEIGHTS))
        np.savez(
            temp / _VARIABLES, *[np.asarray(v.numpy() if hasattr(v, "numpy") else v) for v in _extra_variables(model)]
        )
        states, arrays = _callback_states(tracked)
        np.savez(temp / _CALLBACK_ARRAYS, **arrays)  # type: ignore[arg-type]
        state = {
            "epoch": epoch,
            "stopped": stopped,
            "fingerprint": backup.fingerprint,
            "history": history,
            "callbacks": states,
        }
        run_folder.commit_generation(temp, final, state, keep=backup.keep, inside=backup.inside)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise


def restore_model_state(model: Any, generation: Path) -> None:
    """Load a generation's weights (the optimizer's too) and random generators' state into a freshly built model."""
    optimizer = getattr(model, "optimizer", None)
    if optimizer is not None and not optimizer.built:
        optimizer.build(model.trainable_variables)  # its variables must exist to receive the saved ones
    model.load_weights(str(generation / _WEIGHTS))
    saved = load_npz(generation / _VARIABLES)  # bounded, as every .npz graphspec reads
    for variable, key in zip(_extra_variables(model), saved, strict=True):
        variable.assign(saved[key])


def _state_attrs(callback: Any) -> tuple[str, tuple[str, ...]] | None:
    for cls in type(callback).__mro__:
        if cls.__name__ in _CALLBACK_STATE and cls.__module__.startswith("keras"):
            return cls.__name__, _CALLBACK_STATE[cls.__name__]
    return None


def _callback_states(callbacks: Sequence[Any]) -> tuple[list[dict[str, Any]], dict[str, np.ndarray]]:
    states: list[dict[str, Any]] = []
    arrays: dict[str, np.ndarray] = {}
    for i, callback in enumerate(callbacks):
        found = _state_attrs(callback)
        if found is None:
            continue
        name, attrs = found
        states.append({"index": i, "class": name, "state": {a: _json_value(getattr(callback, a, None)) for a in attrs}})
        weights = getattr(callback, "best_weights", None)
        if weights is not None:
            arrays.update({f"{i}.best_weights.{j}": np.asarray(w) for j, w in enumerate(weights)})
    return states, arrays


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    with contextlib.suppress(TypeError, ValueError):
        number = float(value)
        return int(number) if isinstance(value, np.integer) else number
    return None


def _restore_callbacks(callbacks: Sequence[Any], states: list[dict[str, Any]], arrays: Path | None) -> None:
    saved: dict[str, np.ndarray] = {}
    if arrays is not None and arrays.is_file():
        saved = load_npz(arrays)
    for record in states:
        i = int(record["index"])
        if (
            i >= len(callbacks)
            or _state_attrs(callbacks[i]) is None
            or _state_attrs(callbacks[i])[0] != record["class"]  # type: ignore[index]
        ):
            continue
        for attr, value in record["state"].items():
            setattr(callbacks[i], attr, value)
        keys = sorted((k for k in saved if k.startswith(f"{i}.best_weights.")), key=lambda k: int(k.rsplit(".", 1)[1]))
        if keys:
            callbacks[i].best_weights = [saved[k] for k in keys]


def saved_epoch(callbacks: Sequence[Any], epochs: int) -> tuple[int, str | None]:
    """The epoch whose weights the model holds after ``fit``, and the callback that restored them (or ``None``).

    ``EarlyStopping(restore_best_weights=True)`` puts back its best epoch's weights at
    the end of training (the last such callback wins, as in Keras' order).
    """
    found: tuple[int, str | None] = (epochs, None)
    for callback in callbacks:
        name = _state_attrs(callback)
        if (
            name is not None
            and name[0] == "EarlyStopping"
            and callback.restore_best_weights
            and callback.best_weights is not None
        ):
            found = (int(callback.best_epoch) + 1, "EarlyStopping")
    return found
