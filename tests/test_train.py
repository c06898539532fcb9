"""train: fit/evaluate/predict from the spec, run folders, callbacks, strategies (the issue's acceptance list)."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import graphspec
from graphspec import SpecError
from graphspec.cli import main
from graphspec.data import synthetic_arrays
from graphspec.errors import format_path

SEED = Path("specs/seed")


def tiny(**sections: Any) -> dict[str, Any]:
    """A small one-output classifier, fast to train."""
    return {
        "graphspec": 1,
        "name": "tiny",
        "inputs": {"x": {"shape": [4]}},
        "nodes": {
            "h": {"layer": "Dense", "inputs": "x", "units": 8, "activation": "relu"},
            "y": {"layer": "Dense", "inputs": "h", "units": 3, "activation": "softmax"},
        },
        "outputs": {"y": {"loss": "categorical_crossentropy", "metrics": ["acc"]}},
        **sections,
    }


def callbacks(*refs: Any, epochs: int = 5) -> dict[str, Any]:
    return {"fit": {"epochs": epochs, "batch_size": 8, "callbacks": list(refs)}}


def test_qa_model_loss_falls_over_ten_epochs_on_synthetic_data(tmp_path: Path) -> None:
    result = graphspec.fit(
        SEED / "multi_input_qa.yaml", synthetic=64, epochs=10, batch_size=32, run_dir=tmp_path, seed=1, verbose=0
    )
    losses = result.history.history["loss"]
    assert len(losses) == 10
    assert losses[0] > losses[-1]
    assert {"spec.yaml", "model.keras", "history.json", "history.csv", "history.png"} <= set(os.listdir(tmp_path))
    assert json.loads((tmp_path / "history.json").read_text())["loss"] == pytest.approx(losses)
    assert (tmp_path / "history.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert graphspec.load(tmp_path / "spec.yaml").fit.epochs == 10  # type: ignore[union-attr]


def test_multi_output_losses_are_reported_and_total_is_the_weighted_sum(tmp_path: Path) -> None:
    spec = {
        **tiny(),
        "nodes": {
            "h": {"layer": "Dense", "inputs": "x", "units": 8, "activation": "relu"},
            "age": {"layer": "Dense", "inputs": "h", "units": 1},
            "income": {"layer": "Dense", "inputs": "h", "units": 3, "activation": "softmax"},
        },
        "outputs": {
            "age": {"loss": "mse", "loss_weight": 0.25},
            "income": {"loss": "categorical_crossentropy", "loss_weight": 2.0},
        },
    }
    result = graphspec.fit(spec, synthetic=32, epochs=2, run_dir=tmp_path, seed=0, verbose=0)
    assert {"loss", "age_loss", "income_loss"} <= set(result.history.history)
    data = synthetic_arrays(graphspec.validate(spec), 32, seed=5)
    scores = graphspec.evaluate(result.model, data, batch_size=32)
    assert scores["loss"] == pytest.approx(0.25 * scores["age_loss"] + 2.0 * scores["income_loss"], rel=1e-5)


def test_reduce_lr_on_plateau_from_the_spec_lowers_the_learning_rate(tmp_path: Path) -> None:
    # A min_delta no epoch can reach: every epoch after the first is a plateau.
    plateau = {
        "class_name": "ReduceLROnPlateau",
        "config": {"monitor": "loss", "factor": 0.5, "patience": 0, "min_delta": 1e9},
    }
    spec = tiny(
        compile={"optimizer": {"class_name": "SGD", "config": {"learning_rate": 0.1}}}, **callbacks(plateau, epochs=3)
    )
    rates = graphspec.fit(spec, synthetic=16, run_dir=tmp_path, verbose=0).history.history["learning_rate"]
    assert rates[0] == pytest.approx(0.1)
    assert rates[-1] == pytest.approx(0.05)  # halved once the first epoch set the baseline


def test_early_stopping_stops_before_the_last_epoch(tmp_path: Path) -> None:
    stop = {"class_name": "EarlyStopping", "config": {"monitor": "loss", "patience": 1, "min_delta": 1e9}}
    result = graphspec.fit(tiny(**callbacks(stop, epochs=10)), synthetic=16, run_dir=tmp_path, verbose=0)
    assert len(result.history.epoch) == 2


def test_checkpoint_and_tensorboard_write_their_files_with_histograms(tmp_path: Path) -> None:
    checkpoint = {"class_name": "ModelCheckpoint", "config": {"filepath": "ckpt/best.keras", "monitor": "loss"}}
    board = {"class_name": "TensorBoard", "config": {"log_dir": "tb", "histogram_freq": 1}}
    graphspec.fit(tiny(**callbacks(checkpoint, board, epochs=2)), synthetic=16, run_dir=tmp_path, verbose=0)
    assert (tmp_path / "ckpt" / "best.keras").is_file()
    events = list((tmp_path / "tb" / "train").glob("events.out.tfevents.*"))
    assert events
    assert _histogram_tags(events[0]) >= {"h/kernel/histogram", "y/bias/histogram"}


def _histogram_tags(path: Path) -> set[str]:
    import tensorflow as tf

    tags = set()
    for event in tf.compat.v1.train.summary_iterator(str(path)):
        for value in event.summary.value:
            if value.metadata.plugin_data.plugin_name == "histograms" or value.HasField("histo"):
                tags.add(value.tag)
    return tags


def test_reloading_model_keras_gives_identical_predictions(tmp_path: Path) -> None:
    result = graphspec.fit(SEED / "functional_mlp.yaml", synthetic=16, epochs=1, run_dir=tmp_path, verbose=0)
    data = synthetic_arrays(graphspec.validate(SEED / "functional_mlp.yaml"), 8, seed=3)
    reloaded = graphspec.predict(tmp_path / "model.keras", data)
    direct = graphspec.predict(result.model, data)
    assert list(reloaded) == ["probabilities"]
    np.testing.assert_array_equal(reloaded["probabilities"], direct["probabilities"])


class _Interrupt(Exception):
    pass


def _stop_at(epoch: int) -> Any:
    import keras

    class StopAt(keras.callbacks.Callback):
        def on_epoch_begin(self, index: int, logs: Any = None) -> None:
            if index == epoch:
                raise _Interrupt(f"stopped at epoch {index}")

    return StopAt()


def test_interrupted_run_leaves_no_model_and_backup_and_restore_resumes(tmp_path: Path) -> None:
    spec = tiny(**callbacks({"class_name": "BackupAndRestore", "config": {"backup_dir": "backup"}}, epochs=5))
    with pytest.raises(SpecError) as exc:
        graphspec.fit(spec, synthetic=16, run_dir=tmp_path, verbose=0, callbacks=[_stop_at(3)])
    assert exc.value.codes == ["training-failed"]
    assert not (tmp_path / "model.keras").exists() and not (tmp_path / "spec.yaml").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary files left
    resumed = graphspec.fit(spec, synthetic=16, run_dir=tmp_path, verbose=0)
    assert resumed.history.epoch == [3, 4]
    assert (tmp_path / "model.keras").is_file()


def test_registered_callback_is_usable_by_name(tmp_path: Path) -> None:
    import keras

    seen: list[int] = []

    class CountEpochs(keras.callbacks.Callback):
        def __init__(self, label: str = "") -> None:
            super().__init__()
            self.label = label

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            seen.append(epoch)

    with pytest.raises(SpecError) as exc:
        graphspec.validate(tiny(**callbacks("CountEpochs")))
    assert exc.value.codes == ["unknown-object"]
    graphspec.register_callback(CountEpochs)
    try:
        graphspec.fit(
            tiny(**callbacks({"class_name": "CountEpochs", "config": {"label": "x"}}, epochs=2)),
            synthetic=8,
            run_dir=tmp_path,
            verbose=0,
        )
    finally:
        graphspec.unregister_callback("CountEpochs")
    assert seen == [0, 1]


@pytest.mark.parametrize(
    ("ref", "code", "path", "hint"),
    [
        ("ReduceLROnPlatau", "unknown-object", "fit.callbacks[0]", "did you mean 'ReduceLROnPlateau'?"),
        (
            {"class_name": "EarlyStopping", "config": {"patiense": 2}},
            "unknown-argument",
            "fit.callbacks[0].config.patiense",
            "did you mean 'patience'?",
        ),
        ("LambdaCallback", "unknown-object", "fit.callbacks[0]", None),
        (
            {"class_name": "CSVLogger", "config": {"filename": "../../etc/cron.d/x"}},
            "unsafe-path",
            "fit.callbacks[0].config.filename",
            "write a relative path such as 'x'",
        ),
        (
            {"class_name": "ModelCheckpoint", "config": {"filepath": "/tmp/m.keras"}},
            "unsafe-path",
            "fit.callbacks[0].config.filepath",
            "write a relative path such as 'm.keras'",
        ),
        (
            {"class_name": "ModelCheckpoint", "config": {"filepath": "ckpt"}},
            "bad-value",
            "fit.callbacks[0].config.filepath",
            "name it 'ckpt.keras'",
        ),
        (
            {"class_name": "ModelCheckpoint", "config": {"filepath": "model.keras"}},
            "bad-value",
            "fit.callbacks[0].config.filepath",
            "use another name, such as 'callbacks/model.keras'",
        ),
        (
            {"class_name": "CSVLogger", "config": {"filename": "./history.csv"}},
            "bad-value",
            "fit.callbacks[0].config.filename",
            "use another name, such as 'callbacks/history.csv'",
        ),
        (
            {"class_name": "ModelCheckpoint", "config": {"filepath": "w.keras", "save_weights_only": True}},
            "bad-value",
            "fit.callbacks[0].config.filepath",
            "name it 'w.weights.h5'",
        ),
        # Issue 19: str.format reaches attributes and items;
        # `{epoch.__class__...}` picked '/' and '.' out of a docstring.
        *(
            (
                {"class_name": "ModelCheckpoint", "config": {"filepath": template}},
                "unsafe-path",
                "fit.callbacks[0].config.filepath",
                "use only fields Keras fills with numbers",
            )
            for template in (
                "{epoch.__class__.__doc__[5]}{epoch.__class__.__doc__[5]}.keras",
                "ck/{epoch[0]}.keras",
                "{epoch!r}.keras",
                "{epoch:/>9}.keras",
                "{epoch:.>3}.keras",
                "{epoch:999999999}.keras",
                "{0}.keras",
                "{}.keras",
                "{epoch:{val_loss}}.keras",
            )
        ),
        (
            {"class_name": "ModelCheckpoint", "config": {"filepath": "{val_loss:d}.keras"}},
            "bad-value",
            "fit.callbacks[0].config.filepath",
            "use only fields",
        ),
        (
            {"class_name": "ModelCheckpoint", "config": {"filepath": "ck/{epoch.keras"}},
            "bad-value",
            "fit.callbacks[0].config.filepath",
            "use only fields",
        ),
    ],
)
def test_bad_callbacks_are_found_at_validate_time(ref: Any, code: str, path: str, hint: str | None) -> None:
    with pytest.raises(SpecError) as exc:
        graphspec.validate(tiny(**callbacks(ref)))
    [d] = exc.value.diagnostics
    assert (d.code.value, format_path(d.path)) == (code, path)
    if hint is None:
        assert d.hint is None
    else:
        assert d.hint is not None and d.hint.startswith(hint)


@pytest.mark.parametrize(
    "template",
    [
        "ck/{epoch:02d}-{val_loss:.2f}.keras",
        "{epoch}/m.keras",
        "m-{batch}.keras",
        "{{x}}/{epoch:+03d}.keras",
        "m_{loss:.1e}.keras",
    ],
)
def test_documented_checkpoint_templates_pass(template: str) -> None:
    graphspec.validate(tiny(**callbacks({"class_name": "ModelCheckpoint", "config": {"filepath": template}})))


def test_a_reused_run_folder_with_a_symlink_out_is_not_written_through(tmp_path: Path) -> None:
    run, outside = tmp_path / "run", tmp_path / "outside"
    run.mkdir()
    outside.mkdir()
    (run / "ck").symlink_to(outside)
    spec = tiny(**callbacks({"class_name": "ModelCheckpoint", "config": {"filepath": "ck/best.keras"}}, epochs=1))
    with pytest.raises(SpecError) as exc:
        graphspec.fit(spec, synthetic=8, run_dir=run, verbose=0)
    assert exc.value.codes == ["unsafe-path"] and "leads outside" in str(exc.value)
    assert os.listdir(outside) == [] and sorted(os.listdir(run)) == ["ck"]  # refused before training: nothing written


def test_a_symlink_put_in_the_run_folder_while_training_is_not_written_through(tmp_path: Path) -> None:
    import shutil

    import keras

    run, outside = tmp_path / "run", tmp_path / "outside"
    outside.mkdir()

    class Swap(keras.callbacks.Callback):  # another process replacing ck/ and logs/ with links out, after epoch 1
        def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
            if epoch == 1:
                for name in ("ck", "logs"):
                    shutil.rmtree(run / name)
                    (run / name).symlink_to(outside)

    checkpoint = {"class_name": "ModelCheckpoint", "config": {"filepath": "ck/{epoch}.keras"}}
    logger = {"class_name": "CSVLogger", "config": {"filename": "logs/log.csv"}}
    spec = tiny(**callbacks(checkpoint, logger, epochs=2))
    with pytest.raises(SpecError) as exc:
        graphspec.fit(spec, synthetic=8, run_dir=run, verbose=0, callbacks=[Swap()])
    assert exc.value.codes == ["unsafe-path"] and "leads outside" in str(exc.value)
    assert os.listdir(outside) == []


def test_checkpoint_templates_in_a_run_folder_whose_name_has_braces(tmp_path: Path) -> None:
    run = tmp_path / "run-{epoch.__class__}"
    spec = tiny(
        **callbacks({"class_name": "ModelCheckpoint", "config": {"filepath": "ck/{epoch:02d}.keras"}}, epochs=2)
    )
    graphspec.fit(spec, synthetic=8, run_dir=run, verbose=0)
    assert sorted(os.listdir(run / "ck")) == ["01.keras", "02.keras"]


def test_fit_section_checks_and_class_weight_needs_one_output() -> None:
    spec = {
        **tiny(),
        "outputs": {"y": {"loss": "categorical_crossentropy"}, "h": {"loss": "mse"}},
        "fit": {"class_weight": [1.0, 2.0, 1.0], "epochz": 3},
    }
    with pytest.raises(SpecError) as exc:
        graphspec.validate(spec)
    assert [(d.code.value, format_path(d.path)) for d in exc.value.diagnostics] == [
        ("unknown-key", "fit.epochz"),
        ("bad-value", "fit.class_weight"),
    ]
    assert exc.value.diagnostics[0].hint == "did you mean 'epochs'?"
    assert "needs a model with one output; this one has 2" in exc.value.diagnostics[1].message


def test_data_errors_come_before_training_with_positions(tmp_path: Path) -> None:
    spec_file = tmp_path / "tiny.yaml"
    spec_file.write_text(graphspec.load(tiny()).to_yaml())
    np.savez(tmp_path / "d.npz", x=np.zeros((4, 5), "float32"), y=np.zeros((4, 3), "float32"))
    with pytest.raises(SpecError) as exc:
        graphspec.fit(spec_file, tmp_path / "d.npz", run_dir=tmp_path / "run")
    [d] = exc.value.diagnostics
    assert (d.code.value, d.file, d.line) == ("array-mismatch", str(spec_file), 5)
    assert "shape (4, 5)" in d.message and "(N, 4) of float32" in d.message
    assert not (tmp_path / "run").exists()


def test_cli_fit_evaluate_predict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec_file = tmp_path / "tiny.yaml"
    spec_file.write_text(graphspec.load(tiny(fit={"class_weight": [1, 2.5, 1]})).to_yaml())
    run = tmp_path / "run"
    assert (
        main(["fit", str(spec_file), "--synthetic", "16", "--epochs", "2", "--run-dir", str(run), "--seed", "1"]) == 0
    )
    assert "trained 2 epoch(s)" in capsys.readouterr().out
    data = synthetic_arrays(graphspec.validate(tiny()), 8, seed=2)
    np.savez(tmp_path / "d.npz", **data)
    assert main(["evaluate", str(run / "model.keras"), "--data", str(tmp_path / "d.npz"), "--format", "json"]) == 0
    assert set(json.loads(capsys.readouterr().out)) == {"loss", "acc"}
    assert (
        main(["predict", str(run / "model.keras"), "--data", str(tmp_path / "d.npz"), "-o", str(tmp_path / "p.npz")])
        == 0
    )
    with np.load(tmp_path / "p.npz") as preds:
        assert preds.files == ["y"] and preds["y"].shape == (8, 3)
    assert (
        main(
            [
                "predict",
                str(run / "model.keras"),
                "--data",
                str(tmp_path / "missing.npz"),
                "-o",
                str(tmp_path / "q.npz"),
            ]
        )
        == 1
    )
    assert "bad-data-file" in capsys.readouterr().err
    assert not (tmp_path / "q.npz").exists()


_MIRRORED = """
import json, sys, tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
import graphspec
spec = json.loads(sys.argv[1])
result = graphspec.fit(spec, synthetic=32, epochs=2, run_dir=sys.argv[2], verbose=0)
print(json.dumps({"replicas": result.model.distribute_strategy.num_replicas_in_sync, "loss": result.history.history["loss"]}))
"""  # noqa: E501


def test_mirrored_strategy_over_two_logical_cpus(tmp_path: Path) -> None:
    # Logical devices must be configured before TensorFlow starts: a fresh process.
    spec = tiny(distribute={"strategy": "mirrored", "devices": ["/cpu:0", "/cpu:1"]}, fit={"batch_size": 8})
    proc = subprocess.run(
        [sys.executable, "-c", _MIRRORED, json.dumps(spec), str(tmp_path)], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["replicas"] == 2 and len(out["loss"]) == 2
    assert (tmp_path / "model.keras").is_file()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_multi_worker_two_local_processes(tmp_path: Path) -> None:
    # Two "machines": the same command in two folders, one TF_CONFIG task each.
    ports = [_free_port(), _free_port()]
    spec = tiny(fit={"validation_split": 0.25})
    spec_file = tmp_path / "tiny.yaml"
    spec_file.write_text(graphspec.load(spec).to_yaml())
    cmd = [
        sys.executable,
        "-m",
        "graphspec",
        "fit",
        str(spec_file),
        "--synthetic",
        "32",
        "--epochs",
        "2",
        "--batch-size",
        "8",
        "--strategy",
        "multi-worker",
        "--run-dir",
        "run",
    ]
    procs = []
    for index in range(2):
        machine, temp = tmp_path / f"machine{index}", tmp_path / f"tmp{index}"
        machine.mkdir()
        temp.mkdir()
        config = {"cluster": {"worker": [f"127.0.0.1:{p}" for p in ports]}, "task": {"type": "worker", "index": index}}
        env = {**os.environ, "TF_CONFIG": json.dumps(config), "TMPDIR": str(temp)}
        procs.append(
            subprocess.Popen(cmd, cwd=machine, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        )
    try:
        outs = [p.communicate(timeout=300) for p in procs]
    finally:
        for p in procs:
            p.kill()  # a worker left waiting for the other one; no-op once exited
    assert [p.returncode for p in procs] == [0, 0], textwrap.shorten(outs[0][1] + outs[1][1], 3000)
    assert set(os.listdir(tmp_path / "machine0" / "run")) == {
        "run.json",
        "spec.yaml",
        "model.keras",
        "history.json",
        "history.csv",
        "history.png",
    }
    assert (
        os.listdir(tmp_path / "machine1") == [] and os.listdir(tmp_path / "tmp1") == []
    )  # the other worker's files were temporary
    assert "run folder: run" in outs[0][0] and "left to the chief" in outs[1][0]
    history = json.loads((tmp_path / "machine0" / "run" / "history.json").read_text())
    # Both workers log the same synchronised losses, per epoch (Keras' progress lines, 4 decimals).
    chief, worker = (_epoch_losses(out) for out, _ in outs)
    assert chief == worker
    assert chief == pytest.approx(history["loss"], abs=1e-4)
    # Each global batch of 8 is split over the workers, shuffled alike (multi-worker seeds 0 by default):
    # the same numbers as one process training on the same batches.
    single = graphspec.fit(
        spec, synthetic=32, epochs=2, batch_size=8, seed=0, run_dir=tmp_path / "single", verbose=0
    ).history.history
    assert set(history) == {"loss", "acc", "val_loss", "val_acc"}
    for key, values in history.items():
        assert values == pytest.approx(single[key], rel=1e-4), key


def _epoch_losses(out: str) -> list[float]:
    """The training loss of each epoch's line (`epoch 1/2: loss 0.6931, ...`: fit's output is not a terminal)."""
    return [float(m) for m in re.findall(r"^epoch \d+/\d+: (?:.*, )?loss ([0-9.e+-]+)", out, re.M)]


def test_history_plot_leaves_pyplot_alone() -> None:
    code = (
        "import sys\n"
        "from graphspec.train import plot_history\n"
        "png = plot_history({'loss': [3.0, 2.0], 'val_loss': [3.5, 2.5], 'acc': [0.1, 0.4]})\n"
        "assert png[:8] == b'\\x89PNG\\r\\n\\x1a\\n', png[:8]\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'plotting switched the caller pyplot backend'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_evaluate_needs_a_loss_and_a_keras_file_that_is_a_model(tmp_path: Path) -> None:
    no_loss = {**tiny(), "outputs": {"y": {}}}
    with pytest.raises(SpecError) as exc:
        graphspec.evaluate(no_loss, {"x": np.zeros((2, 4), "float32")})
    assert [(d.code.value, format_path(d.path)) for d in exc.value.diagnostics] == [("missing-key", "outputs")]
    assert "evaluating needs a loss" in exc.value.diagnostics[0].message
    (tmp_path / "junk.keras").write_text("not a zip")
    for call in (graphspec.evaluate, graphspec.predict):
        with pytest.raises(SpecError) as exc:
            call(tmp_path / "junk.keras", {"x": np.zeros((2, 4), "float32")})
        [d] = exc.value.diagnostics
        assert d.code.value == "bad-model" and "junk.keras" in d.message
        assert d.hint == "give a .keras file written by graphspec build or fit"


def test_cli_predict_into_a_missing_folder_names_it_and_keeps_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec_file = tmp_path / "tiny.yaml"
    spec_file.write_text(graphspec.load(tiny()).to_yaml())
    np.savez(tmp_path / "d.npz", x=np.zeros((2, 4), "float32"))
    for target in (tmp_path / "nowhere" / "p.npz", tmp_path):
        assert main(["predict", str(spec_file), "--data", str(tmp_path / "d.npz"), "-o", str(target)]) == 2
        err = capsys.readouterr().err
        assert f"cannot write {target}" in err and ".npz." not in err  # the user's path, not the temporary file's
    assert sorted(os.listdir(tmp_path)) == ["d.npz", "tiny.yaml"]


def _sparse_spec() -> dict[str, Any]:
    return {**tiny(), "outputs": {"y": {"loss": "sparse_categorical_crossentropy", "metrics": ["acc"]}}}


def test_evaluate_checks_a_keras_file_as_it_checks_its_spec(tmp_path: Path) -> None:
    # The .keras file keeps its losses: a sparse one wants class ids (N), as the spec says, not one-hot rows.
    spec_file = tmp_path / "sparse.yaml"
    spec_file.write_text(graphspec.load(_sparse_spec()).to_yaml())
    model_file = tmp_path / "sparse.keras"
    assert main(["build", str(spec_file), "-o", str(model_file)]) == 0
    one_hot = {"x": np.zeros((4, 4), "float32"), "y": np.eye(3, dtype="float32")[[0, 1, 2, 0]]}
    found = {}
    for given in (spec_file, model_file):
        with pytest.raises(SpecError) as exc:
            graphspec.evaluate(given, one_hot)
        [d] = exc.value.diagnostics
        found[given.suffix] = d
        # For a spec, the lint data rule names the encoding (in place of the generic array-mismatch).
        if given.suffix == ".yaml":
            assert d.code.value == "label-encoding" and "one integer class id per example (shape (N,))" in d.message, (
                d.message
            )
        else:
            assert d.code.value == "array-mismatch" and "integer class ids (N)" in d.message, d.message
    assert (found[".yaml"].file, found[".yaml"].line) == (str(spec_file), 11)  # outputs.y, where its loss is
    assert found[".keras"].file == str(model_file) and found[".keras"].render().startswith(
        f"{model_file}: error[array-mismatch]"
    )
    ids = {"x": np.zeros((4, 4), "float32"), "y": np.array([0, 1, 2, 0])}
    assert set(graphspec.evaluate(model_file, ids)) == {"loss", "acc"}


def test_data_file_problems_name_the_data_file_and_predict_says_what_it_ignores(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = graphspec.build(tiny())
    np.savez(tmp_path / "d.npz", x=np.zeros((2, 4), "float32"), y=np.zeros((2, 3), "float32"), extra=np.zeros(2))
    with pytest.raises(SpecError) as exc:
        graphspec.predict(model, tmp_path / "d.npz")
    [d] = exc.value.diagnostics  # `y` names an output: ignored; `extra` names nothing
    assert d.code.value == "unexpected-array" and d.file == str(tmp_path / "d.npz")
    with pytest.raises(SystemExit):
        main(["predict", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "arrays named after outputs are ignored" in help_text and "any other is an error" in help_text
    (tmp_path / "junk.keras").write_text("not a zip")
    with pytest.raises(SpecError) as exc:
        graphspec.predict(tmp_path / "junk.keras", {"x": np.zeros((2, 4), "float32")})
    assert exc.value.diagnostics[0].render().startswith(f"{tmp_path / 'junk.keras'}: error[bad-model]")


def test_run_folder_files_are_known_to_validate() -> None:
    # validate refuses callbacks that write to the run folder's own files: it must know all of them.
    from graphspec.catalog import _RUN_FOLDER_FILES
    from graphspec.train import ARTEFACTS
    from graphspec.train.run_folder import MANIFEST

    assert {*ARTEFACTS, MANIFEST} == set(_RUN_FOLDER_FILES)


def test_tensorboard_gets_the_specs_params_as_hparams_and_its_text(tmp_path: Path) -> None:
    from tensorboard.plugins.hparams import plugin_data_pb2

    text = (
        "graphspec: 1\nparams: {width: 8, act: relu}\ninputs: {x: {shape: [4]}}\n"
        "nodes:\n  h: {layer: Dense, inputs: x, units: $width, activation: $act}\n"
        "  y: {layer: Dense, inputs: h, units: 3, activation: softmax}\n"
        "outputs: {y: {loss: categorical_crossentropy}}\nfit: {epochs: 2, batch_size: 4}\n"
    )
    (tmp_path / "p.yaml").write_text(text)
    graphspec.fit(
        tmp_path / "p.yaml",
        synthetic=8,
        run_dir=tmp_path / "run",
        tensorboard=True,
        verbose=0,
        params={"width": 6},
        seed=2,
    )
    import tensorflow as tf

    hparams, texts = {}, {}
    for event_file in (tmp_path / "run" / "logs").glob("events.out.tfevents.*"):
        for event in tf.compat.v1.train.summary_iterator(str(event_file)):
            for value in event.summary.value:
                plugin = value.metadata.plugin_data
                if plugin.plugin_name == "hparams":
                    info = plugin_data_pb2.HParamsPluginData.FromString(plugin.content).session_start_info
                    hparams.update(
                        {k: v.WhichOneof("kind") and getattr(v, v.WhichOneof("kind")) for k, v in info.hparams.items()}
                    )
                if plugin.plugin_name == "text":
                    texts[value.tag] = tf.make_ndarray(value.tensor).item().decode()
    assert hparams == {
        "width": 6,
        "act": "relu",
        "fit.epochs": 2,
        "fit.batch_size": 4,
        "fit.validation_split": 0.0,
        "fit.shuffle": True,
        "seed": 2,
    }
    assert texts["spec"] == f"```yaml\n{text.rstrip()}\n```"
