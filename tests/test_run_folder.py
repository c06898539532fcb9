"""The run folder's lifecycle: interruptions keep every finished epoch, resumes continue exactly, runs never mix."""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import graphspec
from graphspec import SpecError
from graphspec.cli import main
from graphspec.errors import format_path
from tests.test_train import callbacks, tiny

BACKUP = {"class_name": "BackupAndRestore", "config": {"backup_dir": "backup"}}
CHECKPOINT = {
    "class_name": "ModelCheckpoint",
    "config": {"filepath": "checkpoints/best.keras", "monitor": "loss", "save_best_only": True},
}


def _keras_callback(**methods: Any) -> Any:
    import keras

    return type("Probe", (keras.callbacks.Callback,), methods)()


def interrupt_at(epoch: int) -> Any:
    """A Ctrl-C as epoch ``epoch`` (0-based) begins: every earlier epoch finished."""

    def on_epoch_begin(self: Any, index: int, logs: Any = None) -> None:
        if index == epoch:
            raise KeyboardInterrupt

    return _keras_callback(on_epoch_begin=on_epoch_begin)


def interrupt_at_end() -> Any:
    """A Ctrl-C after the last epoch, before fit saves the finished run."""

    def on_train_end(self: Any, logs: Any = None) -> None:
        raise KeyboardInterrupt

    return _keras_callback(on_train_end=on_train_end)


def history_csv_epochs(folder: Path) -> list[int]:
    with (folder / "history.csv").open() as f:
        return [int(row["epoch"]) for row in csv.DictReader(f)]


def test_an_interrupted_run_keeps_every_finished_epoch_and_the_resume_numbers_on(tmp_path: Path) -> None:
    spec = tiny(**callbacks(BACKUP, epochs=5))
    with pytest.raises(KeyboardInterrupt) as exc:
        graphspec.fit(spec, synthetic=16, run_dir=tmp_path, verbose=0, seed=1, callbacks=[interrupt_at(3)])
    assert exc.value.epochs_done == 3 and exc.value.resumable  # type: ignore[attr-defined]
    assert len(json.loads((tmp_path / "history.json").read_text())["loss"]) == 3
    assert history_csv_epochs(tmp_path) == [1, 2, 3]
    assert (tmp_path / "history.png").read_bytes()[:4] == b"\x89PNG"
    resumed = graphspec.fit(spec, synthetic=16, run_dir=tmp_path, verbose=0, seed=1)
    assert (resumed.resumed_from, resumed.epochs, resumed.history.epoch) == (3, 5, [3, 4])
    assert history_csv_epochs(tmp_path) == [1, 2, 3, 4, 5]
    assert json.loads((tmp_path / "history.json").read_text())["loss"] == pytest.approx(resumed.run_history["loss"])
    assert not (tmp_path / "backup").exists()  # removed once the run finished


def _weights(model: Any) -> list[np.ndarray]:
    return [np.asarray(w) for w in model.get_weights()]


def test_a_resumed_run_trains_as_the_uninterrupted_one(tmp_path: Path) -> None:
    # Dropout (random state), ReduceLROnPlateau and EarlyStopping (callback state) all continue as they were.
    spec = tiny(
        nodes={
            "h": {"layer": "Dense", "inputs": "x", "units": 8, "activation": "relu"},
            "d": {"layer": "Dropout", "inputs": "h", "rate": 0.3},
            "y": {"layer": "Dense", "inputs": "d", "units": 3, "activation": "softmax"},
        },
        compile={"optimizer": {"class_name": "SGD", "config": {"learning_rate": 0.1}}},
        fit={
            "epochs": 6,
            "batch_size": 4,
            "validation_split": 0.25,
            "callbacks": [
                {"class_name": "ReduceLROnPlateau", "config": {"monitor": "val_loss", "patience": 1, "factor": 0.5}},
                {
                    "class_name": "EarlyStopping",
                    "config": {"monitor": "val_loss", "patience": 50, "restore_best_weights": True},
                },
                CHECKPOINT,
                BACKUP,
            ],
        },
    )
    whole = graphspec.fit(spec, synthetic=32, run_dir=tmp_path / "whole", verbose=0, seed=3)
    for stop in (2, 4):
        with pytest.raises(KeyboardInterrupt):
            graphspec.fit(
                spec, synthetic=32, run_dir=tmp_path / "parts", verbose=0, seed=3, callbacks=[interrupt_at(stop)]
            )
    parts = graphspec.fit(spec, synthetic=32, run_dir=tmp_path / "parts", verbose=0, seed=3)
    assert parts.resumed_from == 4
    for a, b in zip(_weights(whole.model), _weights(parts.model), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    for key, values in whole.run_history.items():
        assert parts.run_history[key] == pytest.approx(values, rel=1e-5), key
    assert (parts.saved_epoch, parts.restored_by) == (whole.saved_epoch, whole.restored_by)


def _break_third_save(monkeypatch: pytest.MonkeyPatch, method: str) -> None:
    """The third ``keras.Model.<method>`` call writes half its file, then is interrupted (a Ctrl-C mid-save)."""
    import keras

    original = getattr(keras.Model, method)
    calls = {"n": 0}

    def broken(self: Any, filepath: Any, *args: Any, **kwargs: Any) -> None:
        calls["n"] += 1
        original(self, filepath, *args, **kwargs)
        if calls["n"] == 3:
            path = Path(filepath)
            path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
            raise KeyboardInterrupt

    monkeypatch.setattr(keras.Model, method, broken)


def test_an_interrupted_backup_write_never_replaces_the_last_good_backup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = tiny(**callbacks(BACKUP, epochs=5))
    with monkeypatch.context() as patch:
        _break_third_save(patch, "save_weights")
        with pytest.raises(KeyboardInterrupt):
            graphspec.fit(spec, synthetic=16, run_dir=tmp_path, verbose=0, seed=1)
    resumed = graphspec.fit(spec, synthetic=16, run_dir=tmp_path, verbose=0, seed=1)
    assert resumed.resumed_from == 2 and resumed.epochs == 5


def test_an_interrupted_checkpoint_write_keeps_the_last_good_checkpoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    every = {"class_name": "ModelCheckpoint", "config": {"filepath": "checkpoints/last.keras"}}
    with monkeypatch.context() as patch:
        _break_third_save(patch, "save")
        with pytest.raises(KeyboardInterrupt):
            graphspec.fit(tiny(**callbacks(every, epochs=5)), synthetic=16, run_dir=tmp_path, verbose=0)
    graphspec.predict(tmp_path / "checkpoints" / "last.keras", {"x": np.zeros((2, 4), "float32")})  # loads: whole
    assert [p.name for p in (tmp_path / "checkpoints").iterdir()] == ["last.keras"]


def test_a_finished_run_is_never_trained_over_and_overwrite_starts_clean(tmp_path: Path) -> None:
    board = {"class_name": "TensorBoard", "config": {"log_dir": "logs"}}
    graphspec.fit(tiny(**callbacks(CHECKPOINT, board, epochs=2)), synthetic=16, run_dir=tmp_path, verbose=0)
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(SpecError) as exc:
        graphspec.fit(tiny(**callbacks(CHECKPOINT, board, epochs=2)), synthetic=16, run_dir=tmp_path, verbose=0)
    [d] = exc.value.diagnostics
    assert d.code.value == "run-exists" and "finished run" in d.message and "--overwrite" in (d.hint or "")
    other = {"class_name": "ModelCheckpoint", "config": {"filepath": "ckpt/other.keras", "monitor": "loss"}}
    graphspec.fit(tiny(**callbacks(other, board, epochs=1)), synthetic=16, run_dir=tmp_path, verbose=0, overwrite=True)
    assert not (tmp_path / "checkpoints").exists()  # the earlier run's checkpoint is gone
    assert len(list((tmp_path / "logs" / "train").glob("events.out.tfevents.*"))) == 1  # one run's events, not two
    assert (tmp_path / "notes.txt").read_text() == "mine"
    assert json.loads((tmp_path / "run.json").read_text())["status"] == "finished"


def test_a_folder_with_files_this_run_writes_is_refused(tmp_path: Path) -> None:
    (tmp_path / "history.json").write_text("{}")
    with pytest.raises(SpecError) as exc:
        graphspec.fit(tiny(), synthetic=8, run_dir=tmp_path, verbose=0)
    assert exc.value.codes == ["run-exists"] and "history.json" in exc.value.diagnostics[0].message


def test_an_interrupted_run_resumes_only_as_the_same_run(tmp_path: Path) -> None:
    spec = tiny(**callbacks(BACKUP, epochs=4))
    with pytest.raises(KeyboardInterrupt):
        graphspec.fit(spec, synthetic=16, run_dir=tmp_path, verbose=0, seed=1, callbacks=[interrupt_at(2)])
    wider = {**spec, "nodes": {**spec["nodes"], "h": {**spec["nodes"]["h"], "units": 16}}}
    for changed, kwargs, what in (
        (wider, {"seed": 1}, "the model"),
        (spec, {"seed": 2}, "the training settings"),
        (spec, {"seed": 1, "synthetic": 24}, "the data"),
    ):
        with pytest.raises(SpecError) as exc:
            graphspec.fit(changed, run_dir=tmp_path, verbose=0, **{"synthetic": 16, **kwargs})
        [d] = exc.value.diagnostics
        assert d.code.value == "run-exists" and what in d.message, d.message
    # More epochs is the same run, continued.
    assert graphspec.fit(spec, synthetic=16, epochs=6, run_dir=tmp_path, verbose=0, seed=1).history.epoch == [
        2,
        3,
        4,
        5,
    ]


def test_resume_says_what_it_means(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as exc:
        graphspec.fit(tiny(), synthetic=8, run_dir=tmp_path / "a", verbose=0, resume=True)
    assert exc.value.codes == ["cannot-resume"] and "needs BackupAndRestore" in exc.value.diagnostics[0].message
    with pytest.raises(SpecError) as exc:
        graphspec.fit(tiny(**callbacks(BACKUP)), synthetic=8, run_dir=tmp_path / "b", verbose=0, resume=True)
    assert exc.value.codes == ["cannot-resume"] and "no run to resume" in exc.value.diagnostics[0].message
    with pytest.raises(ValueError, match="not both"):
        graphspec.fit(tiny(), synthetic=8, run_dir=tmp_path / "c", resume=True, overwrite=True)


def test_an_interrupted_run_without_backup_is_refused_unless_it_finished_no_epoch(tmp_path: Path) -> None:
    with pytest.raises(KeyboardInterrupt):
        graphspec.fit(
            tiny(**callbacks(epochs=4)), synthetic=16, run_dir=tmp_path / "a", verbose=0, callbacks=[interrupt_at(2)]
        )
    with pytest.raises(SpecError) as exc:
        graphspec.fit(tiny(**callbacks(epochs=4)), synthetic=16, run_dir=tmp_path / "a", verbose=0)
    assert exc.value.codes == ["run-exists"] and "cannot be resumed" in exc.value.diagnostics[0].message
    with pytest.raises(KeyboardInterrupt):
        graphspec.fit(
            tiny(**callbacks(epochs=4)), synthetic=16, run_dir=tmp_path / "b", verbose=0, callbacks=[interrupt_at(0)]
        )
    assert graphspec.fit(tiny(**callbacks(epochs=4)), synthetic=16, run_dir=tmp_path / "b", verbose=0).epochs == 4


def test_a_run_interrupted_after_its_last_epoch_finishes_without_training_more(tmp_path: Path) -> None:
    stop = {"class_name": "EarlyStopping", "config": {"monitor": "loss", "patience": 0, "min_delta": 1e9}}
    for extra, done in (((), 3), ((stop,), 2)):
        spec = tiny(**callbacks(*extra, BACKUP, epochs=3))
        folder = tmp_path / str(done)
        with pytest.raises(KeyboardInterrupt):
            graphspec.fit(spec, synthetic=16, run_dir=folder, verbose=0, callbacks=[interrupt_at_end()])
        assert not (folder / "model.keras").exists()
        result = graphspec.fit(spec, synthetic=16, run_dir=folder, verbose=0)
        assert (result.history.epoch, result.epochs, result.resumed_from) == ([], done, done)
        assert (folder / "model.keras").is_file() and history_csv_epochs(folder) == list(range(1, done + 1))
        assert result.stopped_early == bool(extra)


def test_the_result_names_the_epoch_whose_weights_were_saved(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The highest loss is the first epoch's: restore_best_weights puts those weights back.
    worst = {
        "class_name": "EarlyStopping",
        "config": {"monitor": "loss", "mode": "max", "patience": 10, "restore_best_weights": True},
    }
    spec = tiny(
        compile={"optimizer": {"class_name": "SGD", "config": {"learning_rate": 0.05}}}, **callbacks(worst, epochs=4)
    )
    spec_file = tmp_path / "tiny.yaml"
    spec_file.write_text(graphspec.load(spec).to_yaml())
    assert (
        main(["fit", str(spec_file), "--synthetic", "64", "--run-dir", str(tmp_path / "run"), "--seed", "0", "--quiet"])
        == 0
    )
    out = capsys.readouterr().out
    history = json.loads((tmp_path / "run" / "history.json").read_text())
    best = int(np.argmax(history["loss"])) + 1
    assert best == 1
    assert "weights of epoch 1 (restored by EarlyStopping)" in out
    assert f"loss {history['loss'][0]:.4g}" in out.split("weights of epoch 1")[1]
    manifest = json.loads((tmp_path / "run" / "run.json").read_text())
    assert (manifest["saved_epoch"], manifest["epochs_done"]) == (1, 4)


def test_a_second_fit_in_a_folder_in_use_is_refused(tmp_path: Path) -> None:
    from graphspec.train.run_folder import Fingerprint, RunRequest, claim_run

    request = RunRequest(Fingerprint("m", "t", "d"), ("run.json",), None, 1)
    with claim_run(tmp_path, request), pytest.raises(SpecError) as exc, claim_run(tmp_path, request):
        pass
    assert exc.value.codes == ["run-in-use"]


def test_leftovers_of_a_killed_write_are_removed_when_the_run_resumes(tmp_path: Path) -> None:
    spec = tiny(**callbacks(BACKUP, CHECKPOINT, epochs=4))
    with pytest.raises(KeyboardInterrupt):
        graphspec.fit(spec, synthetic=16, run_dir=tmp_path, verbose=0, callbacks=[interrupt_at(2)])
    leftovers = [
        tmp_path / ".history.json.abcd1234",
        tmp_path / "checkpoints" / ".best.keras.x1y2z3w4.keras",
        tmp_path / "backup" / ".epoch-000003.q1w2e3r4",
    ]
    for path in leftovers[:2]:
        path.write_bytes(b"partial")
    leftovers[2].mkdir()
    graphspec.fit(spec, synthetic=16, run_dir=tmp_path, verbose=0)
    assert not any(p.exists() for p in leftovers)
    assert not [p for p in _walk(tmp_path) if p.name.startswith(".")]


def _walk(folder: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(folder):
        for name in [*dirs, *files]:
            yield Path(root) / name


def test_csv_logger_is_written_whole_and_continues_on_resume(tmp_path: Path) -> None:
    spec = tiny(**callbacks({"class_name": "CSVLogger", "config": {"filename": "log.csv"}}, BACKUP, epochs=4))
    with pytest.raises(KeyboardInterrupt):
        graphspec.fit(spec, synthetic=16, run_dir=tmp_path, verbose=0, callbacks=[interrupt_at(2)])
    graphspec.fit(spec, synthetic=16, run_dir=tmp_path, verbose=0)
    with (tmp_path / "log.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert [int(r["epoch"]) for r in rows] == [0, 1, 2, 3]  # Keras' 0-based epochs, each once
    assert set(rows[0]) == {"epoch", "loss", "acc"}


def test_backup_and_restore_keeps_to_its_own_subfolder(tmp_path: Path) -> None:
    for folder in (".", "./", "history.json", "checkpoints"):
        spec = tiny(**callbacks({"class_name": "BackupAndRestore", "config": {"backup_dir": folder}}, CHECKPOINT))
        with pytest.raises(SpecError) as exc:
            graphspec.validate(spec)
        [d] = exc.value.diagnostics
        assert (d.code.value, format_path(d.path)) == ("bad-value", "fit.callbacks[0].config.backup_dir"), folder
    batches = tiny(**callbacks({"class_name": "BackupAndRestore", "config": {"backup_dir": "b", "save_freq": 2}}))
    with pytest.raises(SpecError) as exc:
        graphspec.validate(batches)
    assert format_path(exc.value.diagnostics[0].path) == "fit.callbacks[0].config.save_freq"
    (tmp_path / "backup").mkdir()
    (tmp_path / "backup" / "mine.txt").write_text("kept")
    graphspec.fit(tiny(**callbacks(BACKUP, epochs=2)), synthetic=8, run_dir=tmp_path, verbose=0)
    assert os.listdir(tmp_path / "backup") == ["mine.txt"]  # graphspec removes only what it wrote there


def test_a_damaged_backup_says_how_to_go_on(tmp_path: Path) -> None:
    spec = tiny(**callbacks(BACKUP, epochs=4))
    with pytest.raises(KeyboardInterrupt):
        graphspec.fit(spec, synthetic=16, run_dir=tmp_path, verbose=0, callbacks=[interrupt_at(2)])
    [generation] = (tmp_path / "backup").glob("epoch-*")
    (generation / "model.weights.h5").write_bytes(b"damaged by hand")
    with pytest.raises(SpecError) as exc:
        graphspec.fit(spec, synthetic=16, run_dir=tmp_path, verbose=0)
    [d] = exc.value.diagnostics
    assert (d.code.value, d.hint) == (
        "cannot-resume",
        "--overwrite starts the run again",
    ) and "epoch-000002" in d.message
