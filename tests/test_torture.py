"""Torture: ``graphspec fit`` killed at random moments (SIGINT, SIGTERM, SIGKILL), resumed each time, ends as if never
interrupted.

A real ``graphspec fit`` process with ``BackupAndRestore``, ``ModelCheckpoint``,
``ReduceLROnPlateau``, ``EarlyStopping(restore_best_weights)`` and dropout is
killed at 20 or more random moments: while building, inside epochs, while it
writes its backup, checkpoint, history or final model. After each kill every file
in the run folder is whole (temporary files may remain after SIGKILL only), the
history is consistent with the backup, and the same command resumes. The run
finally equals an uninterrupted run with the same seed: weights (final and best
checkpoint) and every epoch's losses, numbered 1..E.

Slow (several minutes: each resume starts TensorFlow); run with
``pytest -m slow tests/test_torture.py -s`` to see the figures.
"""

from __future__ import annotations

import csv
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import graphspec

EPOCHS = 44
KILLS = 24  # kills aimed for; the test needs 20 or more before the run finishes
SPEC = {
    "graphspec": 1,
    "name": "torture",
    "inputs": {"x": {"shape": [32]}},
    "nodes": {
        "h1": {"layer": "Dense", "inputs": "x", "units": 192, "activation": "relu"},
        "drop": {"layer": "Dropout", "inputs": "h1", "rate": 0.2},
        "h2": {"layer": "Dense", "inputs": "drop", "units": 192, "activation": "relu"},
        "y": {"layer": "Dense", "inputs": "h2", "units": 10, "activation": "softmax"},
    },
    "outputs": {"y": {"loss": "categorical_crossentropy", "metrics": ["acc"]}},
    "compile": {"optimizer": {"class_name": "Adam", "config": {"learning_rate": 0.003}}},
    "fit": {
        "epochs": EPOCHS,
        "batch_size": 32,
        "validation_split": 0.2,
        "callbacks": [
            {"class_name": "ReduceLROnPlateau", "config": {"monitor": "val_loss", "factor": 0.5, "patience": 2}},
            {
                "class_name": "EarlyStopping",
                "config": {"monitor": "val_loss", "patience": 100, "restore_best_weights": True},
            },
            {
                "class_name": "ModelCheckpoint",
                "config": {"filepath": "checkpoints/best.keras", "monitor": "val_loss", "save_best_only": True},
            },
            {"class_name": "BackupAndRestore", "config": {"backup_dir": "backup"}},
        ],
    },
}


class _Process:
    """``graphspec fit`` in a subprocess, its stdout lines collected as they come."""

    def __init__(self, cmd: list[str], env: dict[str, str]):
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        self.lines: list[str] = []
        self.times: list[float] = []  # when each epoch line came
        self.err = ""
        self.changed = threading.Condition()
        threading.Thread(target=self._read_out, daemon=True).start()
        threading.Thread(target=self._read_err, daemon=True).start()

    def _read_out(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with self.changed:
                self.lines.append(line.rstrip("\n"))
                if line.startswith("epoch "):
                    self.times.append(time.monotonic())
                self.changed.notify_all()

    def _read_err(self) -> None:
        assert self.proc.stderr is not None
        self.err = self.proc.stderr.read()

    def epochs_seen(self) -> int:
        return sum(1 for line in self.lines if line.startswith("epoch "))

    def wait_for_epochs(self, n: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        with self.changed:
            while self.epochs_seen() < n and self.proc.poll() is None and time.monotonic() < deadline:
                self.changed.wait(0.05)
        return self.proc.poll() is None

    def finish(self, timeout: float = 1200) -> int:
        code = self.proc.wait(timeout=timeout)
        time.sleep(0.1)  # let the readers drain
        return code


def _env() -> dict[str, str]:
    # Deterministic kernels, one thread each: an interrupted and an uninterrupted run add up alike.
    env = {
        **os.environ,
        "TF_DETERMINISTIC_OPS": "1",
        "TF_NUM_INTRAOP_THREADS": "1",
        "TF_NUM_INTEROP_THREADS": "1",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("GRAPHSPEC_TF_LOGS", None)
    return env


def _command(spec: Path, data: Path, folder: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "graphspec",
        "fit",
        str(spec),
        "--data",
        str(data),
        "--run-dir",
        str(folder),
        "--seed",
        "7",
    ]


def _wait_for_the_moment(proc: _Process, plan: str, rng: random.Random, period: float, folder: Path) -> bool:
    """Wait until the moment to kill: soon after the start (building, restoring, tracing), anywhere in the
    next epoch, or inside its saves: once the checkpoint's or the backup's temporary file appears, a few
    milliseconds on (``period``: from one epoch's line to the next). Returns whether it still runs."""
    if plan == "early":
        time.sleep(rng.uniform(0, 3.0))
        return proc.proc.poll() is None
    if not proc.wait_for_epochs(proc.epochs_seen() + 1, timeout=600):
        return False
    if plan == "in an epoch":
        time.sleep(period * rng.uniform(0, 1))
    else:
        deadline = time.monotonic() + 10 * period + 30
        while not _writing(folder) and proc.proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)
        time.sleep(rng.uniform(0, 0.05))
    return proc.proc.poll() is None


def _writing(folder: Path) -> bool:
    """Whether a save is under way: a temporary file or generation beside the checkpoint or in the backup."""
    for sub in ("checkpoints", "backup"):
        try:
            if any(entry.name.startswith(".") for entry in os.scandir(folder / sub)):
                return True
        except OSError:
            pass
    return False


# ---------------------------------------------------------------------------
# "no file is ever partial"


def _whole(path: Path) -> bool:
    """Whether a file graphspec or a callback wrote is complete, by its format."""
    name = path.name
    try:
        if name.endswith((".keras", ".npz")):
            with zipfile.ZipFile(path) as z:
                return z.testzip() is None
        if name.endswith(".h5"):
            import h5py

            with h5py.File(path, "r") as f:
                f.visit(lambda _: None)
            return True
        if name.endswith(".json"):
            json.loads(path.read_text())
            return True
        if name.endswith(".png"):
            data = path.read_bytes()
            return data.startswith(b"\x89PNG\r\n\x1a\n") and data.endswith(b"IEND\xaeB`\x82")
        if name.endswith(".csv"):
            rows = list(csv.reader(path.open()))
            return bool(rows) and all(len(r) == len(rows[0]) for r in rows)
        if name.endswith(".yaml"):
            graphspec.load(path)
            return True
    except Exception:
        return False
    return True


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def _hidden(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if any(part.startswith(".") for part in p.relative_to(folder).parts)]


def _history_epochs(folder: Path) -> int:
    if not (folder / "history.json").exists():
        return 0
    history = json.loads((folder / "history.json").read_text())
    with (folder / "history.csv").open() as f:
        numbers = [int(row["epoch"]) for row in csv.DictReader(f)]
    n = len(history["loss"])
    assert numbers == list(range(1, n + 1)), numbers
    assert all(len(v) == n for v in history.values())
    return n


def _backup_epoch(folder: Path) -> int | None:
    state = folder / "backup" / "state.json"
    return json.loads(state.read_text())["epoch"] if state.exists() else None


def _weights(path: Path) -> list[np.ndarray]:
    from graphspec.train import load_model

    return [np.asarray(w) for w in load_model(path).get_weights()]


# ---------------------------------------------------------------------------


@pytest.mark.slow
def test_fit_killed_at_random_moments_resumes_to_the_uninterrupted_result(tmp_path: Path) -> None:
    rng = random.Random(15)
    spec = tmp_path / "torture.yaml"
    spec.write_text(graphspec.load(SPEC).to_yaml())
    data = np.random.default_rng(0)
    x = data.standard_normal((1600, 32)).astype("float32")
    labels = (x[:, :10] + 0.5 * data.standard_normal((1600, 10))).argmax(1)
    np.savez(tmp_path / "data.npz", x=x, y=np.eye(10, dtype="float32")[labels])
    env = _env()

    reference = _Process(_command(spec, tmp_path / "data.npz", tmp_path / "whole"), env)
    assert reference.finish() == 0, reference.err
    epoch_time = float(np.median(np.diff(reference.times)))  # from one epoch's line to the next

    folder = tmp_path / "parts"
    kills: Counter[str] = Counter()
    plans: Counter[str] = Counter()
    moments: list[str] = []
    mid_write = between = 0
    attempts = 0
    while kills.total() < KILLS and attempts < 3 * KILLS:
        attempts += 1
        before = (folder / "run.json").stat().st_mtime_ns if (folder / "run.json").exists() else None
        proc = _Process(_command(spec, tmp_path / "data.npz", folder), env)
        # Wait until this process has claimed the folder (run.json rewritten), then a random while.
        while (
            proc.proc.poll() is None
            and ((folder / "run.json").stat().st_mtime_ns if (folder / "run.json").exists() else None) == before
        ):
            time.sleep(0.02)
        plan = rng.choices(["early", "in an epoch", "in its saves"], weights=[20, 35, 45])[0]
        alive = _wait_for_the_moment(proc, plan, rng, epoch_time, folder)
        if not alive or proc.proc.poll() is not None:
            assert proc.finish() == 0, proc.err
            break
        how = rng.choices(["SIGINT", "SIGKILL", "SIGTERM"], weights=[5, 5, 2])[0]
        proc.proc.send_signal(getattr(signal, how))
        code = proc.finish()
        if code == 0:  # it finished just before the signal
            break
        kills[how] += 1
        assert code == {"SIGINT": 130, "SIGTERM": 143, "SIGKILL": -9}[how], (how, code, proc.err[-2000:])
        if how != "SIGKILL":
            assert "graphspec: interrupted" in proc.err, proc.err[-2000:]
            assert _hidden(folder) == [], _hidden(folder)  # an interrupt cleans up after itself
        hidden = _hidden(folder)
        partial = [p for p in _files(folder) if p not in hidden and not _whole(p)]
        assert partial == [], (how, partial)
        mid_write += bool(hidden)
        done, backed = _history_epochs(folder), _backup_epoch(folder)
        manifest = json.loads((folder / "run.json").read_text())
        if manifest["status"] == "finished":
            moments.append(f"{how} after the run finished")
            break
        if backed is None:
            assert done == 0, done
        else:
            assert done in (backed - 1, backed), (done, backed)  # the backup comes first, then the history
            between += done == backed - 1
        plans[plan] += 1
        print(
            f"kill {kills.total()}: {how} {plan}, "
            f"{proc.epochs_seen()} epoch lines in this run, history {done}, backup {backed}",
            flush=True,
        )
        moments.append(f"{how} {plan}, epoch {done + 1}" + (" (mid-write)" if hidden else ""))

    if json.loads((folder / "run.json").read_text())["status"] != "finished":
        last = _Process(_command(spec, tmp_path / "data.npz", folder), env)
        assert last.finish() == 0, last.err
    assert kills.total() >= 20, (kills, attempts, epoch_time, moments)

    assert _hidden(folder) == [] and not (folder / "backup").exists()
    assert _history_epochs(folder) == _history_epochs(tmp_path / "whole") == EPOCHS
    whole = json.loads((tmp_path / "whole" / "history.json").read_text())
    parts = json.loads((folder / "history.json").read_text())
    assert set(whole) == set(parts)
    for key in whole:
        np.testing.assert_allclose(parts[key], whole[key], rtol=1e-5, atol=1e-6, err_msg=key)
    for name in ("model.keras", "checkpoints/best.keras"):
        for a, b in zip(_weights(tmp_path / "whole" / name), _weights(folder / name), strict=True):
            np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6, err_msg=name)
    saved: dict[str, Any] = json.loads((folder / "run.json").read_text())
    assert saved["saved_epoch"] == json.loads((tmp_path / "whole" / "run.json").read_text())["saved_epoch"]
    print(
        f"\ntorture: {kills.total()} kills ({dict(kills)}; aimed {dict(plans)}) in {attempts} runs "
        f"over {EPOCHS} epochs (epoch ~{epoch_time:.2f} s); {mid_write} SIGKILLs left a temporary file "
        f"of an unfinished write, {between} landed between the backup and the history; every resume "
        f"succeeded; final and best weights equal the uninterrupted run's; moments: {'; '.join(moments)}"
    )
