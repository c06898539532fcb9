"""tuning: graphspec tune on Keras Tuner: trials checked before they cost anything,
the tuning folder, resume, tuners."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import graphspec
from graphspec.tune.journal import TuningFolder
from graphspec.tune.run import TuneResult, plan_search

pytest.importorskip("keras_tuner")

TINY = """\
graphspec: 1
name: tiny
params: {width: 4, rate: 0.0, optimizer: Adam, learning_rate: 0.01, momentum: 0.0}
inputs: {x: {shape: [4]}}
nodes:
  h: {layer: Dense, inputs: x, units: $width, activation: relu}
  d: {layer: Dropout, inputs: h, rate: $rate}
  y: {layer: Dense, inputs: d, units: 1}
outputs: {y: {loss: mse}}
compile: {optimizer: {class_name: $optimizer, config: {learning_rate: $learning_rate, momentum: $momentum}}}
fit: {epochs: 2, batch_size: 8, validation_split: 0.25}
search:
  constraints: {max_params: 60}
  params:
    width: {int: [2, 16], step: 2}
    rate: {float: [0.0, 0.5], step: 0.25}
    learning_rate: {float: [1.0e-3, 1.0e-1], scale: log}
    optimizer:
      choice:
        SGD: {momentum: {float: [0.0, 0.9]}}
        Adam: {}
"""


def write(folder: Path, text: str = TINY, name: str = "tiny.yaml") -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text))
    return path


def run(spec: Path, folder: Path, **kwargs: Any) -> TuneResult:
    settings: dict[str, Any] = {
        "synthetic": 16,
        "max_trials": 3,
        "directory": folder,
        "verbose": False,
        "isolate": False,
    }
    return graphspec.tune(spec, **{**settings, **kwargs})


@pytest.fixture(scope="module")
def searched(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, TuneResult]:
    root = tmp_path_factory.mktemp("tune")
    spec = write(root)
    folder = root / "tuning"
    return (
        spec,
        folder,
        run(spec, folder, max_trials=4, keep=2, isolate=True),
    )  # as the command does: trials in a child process


# -- before TensorFlow -------------------------------------------------------------


def test_a_space_refused_everywhere_stops_before_tensorflow(tmp_path: Path) -> None:
    spec = write(tmp_path, TINY.replace("max_params: 60", "max_params: 5"))
    code = textwrap.dedent(f"""\
        import sys
        from pathlib import Path
        import graphspec
        try:
            graphspec.tune(Path({str(spec)!r}), synthetic=16, max_trials=3, directory=Path({str(tmp_path / "t")!r}), verbose=False)
        except graphspec.SpecError as exc:
            assert exc.codes == ["infeasible-search"], exc.codes
            print(exc.diagnostics[0].message)
        else:
            raise SystemExit("no error")
        assert "tensorflow" not in sys.modules and "keras" not in sys.modules and "keras_tuner" not in sys.modules
        """)  # noqa: E501
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, timeout=120).stdout
    assert out.startswith("every one of the ") and "over max_params 5" in out
    assert not (tmp_path / "t").exists()  # nothing written for a search that cannot run


def test_missing_keras_tuner_is_a_clear_error(tmp_path: Path) -> None:
    spec = write(tmp_path)
    code = textwrap.dedent(f"""\
        import sys
        sys.modules["keras_tuner"] = None  # as if not installed
        from pathlib import Path
        import graphspec
        try:
            graphspec.tune(Path({str(spec)!r}), synthetic=16, max_trials=1, directory=Path({str(tmp_path / "t")!r}), verbose=False)
        except graphspec.SpecError as exc:
            print(exc.codes[0], "|", exc.diagnostics[0].hint)
        """)  # noqa: E501
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, timeout=120).stdout
    assert out.strip() == (
        "missing-extra | pip install 'graphspec[tune]' (keras-tuner, with scipy and scikit-learn for --tuner bayesian)"
    )
    assert not (tmp_path / "t").exists(), "nothing written for a search that cannot run"


@pytest.mark.parametrize(
    ("change", "kwargs", "code", "fragment"),
    [
        (("search:\n", "notes:\n"), {}, "missing-key", "the spec has no `search:` section"),
        (
            ("", ""),
            {"tuner": "grid"},
            "bad-value",
            "grid search needs a finite grid; 'learning_rate' (float 0.001..0.1 log) has no step",
        ),
        (("epochs: 2", "epochs: 1"), {"tuner": "hyperband"}, "bad-value", "Hyperband needs fit.epochs of at least 2"),
        (("", ""), {"params": {"width": 8}}, "bad-value", "--set/params gives width, which the search sets"),
        (("", ""), {"synthetic": None, "data": {"x": np.zeros((8, 4), "float32")}}, "missing-array", "'y'"),
        (("", ""), {"tuner": "annealing"}, "bad-value", "unknown tuner 'annealing'"),
        (("", ""), {"seed": -1}, "bad-value", "the seed must be a whole number from 0 to 2147483647; got -1"),
    ],
)
def test_plan_refuses_before_any_trial(
    tmp_path: Path, change: tuple[str, str], kwargs: dict[str, Any], code: str, fragment: str
) -> None:
    spec = write(tmp_path, TINY.replace(*change))
    settings: dict[str, Any] = {
        "synthetic": 16,
        "max_trials": 2,
        "tuner": "random",
        "directory": tmp_path / "t",
        "seed": None,
        "executions": 1,
        "keep": 3,
        "params": None,
    }
    settings.update(kwargs)
    data = settings.pop("data", None)
    with pytest.raises(graphspec.SpecError) as info:
        plan_search(spec, data, limits=graphspec.Limits(), budget=graphspec.Budget(), **settings)
    assert info.value.codes[0] == code and fragment in str(info.value)


def test_a_folder_holding_something_else_is_refused(tmp_path: Path) -> None:
    spec = write(tmp_path)
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "notes.txt").write_text("mine")
    with pytest.raises(graphspec.SpecError) as info:
        plan_search(
            spec,
            None,
            synthetic=8,
            max_trials=1,
            tuner="random",
            directory=tmp_path / "t",
            seed=None,
            executions=1,
            keep=1,
            params=None,
            limits=graphspec.Limits(),
            budget=graphspec.Budget(),
        )
    assert info.value.codes == ["bad-tuning-folder"]


# -- a search and its folder ---------------------------------------------------------


def test_trials_are_refused_statically_and_not_counted(searched: tuple[Path, Path, TuneResult]) -> None:
    _, folder, result = searched
    trials = result.trials
    trained = [r for r in trials if r["status"] != "refused"]
    refused = [r for r in trials if r["status"] == "refused"]
    assert len(trained) == 4  # --max-trials counts trials that train; refusals come on top
    assert refused, "the seeded search draws some widths over max_params"
    for r in refused:
        assert r["params"]["width"] >= 10 and r["model_params"] == 6 * r["params"]["width"] + 1 > 60
        assert r["reason"] == f"{r['model_params']:,} parameters, over max_params 60" and r["worker"] == "chief"
        assert not (folder / "trials" / r["trial"]).exists(), "a refused trial is never built or trained"
        assert (folder / "trials" / f"{r['trial']}.yaml").is_file(), "its concrete spec is kept"
    for r in trained:
        assert r["status"] == "ok" and r["params"]["width"] <= 8
        (execution,) = r["executions"]
        assert set(execution["history"]) == {"loss", "val_loss"} and len(execution["history"]["val_loss"]) == 2
        assert r["score"] == min(execution["history"]["val_loss"])
        assert r["model_params"] == 6 * r["params"]["width"] + 1
        assert r["rss_bytes"] > 0


def test_inactive_parameters_get_no_value_and_leave_the_optimizer_config(
    searched: tuple[Path, Path, TuneResult],
) -> None:
    _, folder, result = searched
    for r in result.trials:
        spec = graphspec.load(folder / r["spec"])
        assert spec.compile is not None
        config = spec.compile.optimizer["config"]  # type: ignore[index]
        if r["params"]["optimizer"] == "SGD":
            assert "momentum" in r["params"] and config["momentum"] == r["params"]["momentum"]
        else:
            assert "momentum" not in r["params"] and "momentum" in r["inactive"] and "momentum" not in config


def test_journal_table_and_plot(searched: tuple[Path, Path, TuneResult]) -> None:
    _, folder, result = searched
    lines = (folder / "journal.jsonl").read_text().splitlines()
    records = [json.loads(line) for line in lines]
    assert records[0]["kind"] == "start" and records[0]["resume"] == "new"
    assert [r["trial"] for r in records if r["kind"] == "trial"] == [r["trial"] for r in result.trials]
    table = (folder / "trials.csv").read_text().splitlines()
    assert table[0] == (
        "trial,status,val_loss,best_epoch,width,rate,learning_rate,optimizer,momentum,"
        "params,flops,seconds,worker,counts,reason"
    )
    assert len(table) == 1 + len(result.trials)
    assert (folder / "trials.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_best_spec_is_flat_valid_and_builds_the_best_model(searched: tuple[Path, Path, TuneResult]) -> None:
    spec, folder, result = searched
    assert result.best is not None
    best_score = min(r["score"] for r in result.trials if r["status"] == "ok")
    assert result.best["score"] == best_score
    text = (folder / "best.yaml").read_text()
    assert text.startswith(f"# best trial {result.best['trial']} of ")
    report = graphspec.validate(folder / "best.yaml")
    assert "search" not in report.spec.to_data() and "params" not in report.spec.to_data()
    assert report.spec.to_data() == graphspec.load(folder / result.best["spec"]).to_data()
    assert result.best_spec is not None and result.best_spec.to_data() == report.spec.to_data()
    model = graphspec.build(folder / "best.yaml")
    from graphspec.train import load_model

    saved = load_model(folder / "best.keras")
    assert saved.count_params() == model.count_params() == result.best["model_params"]
    changes = graphspec.diff_specs(graphspec.load(spec), report.spec).changes
    assert any(c.path == "nodes.h.units" for c in changes) or result.best["params"]["width"] == 4


def test_only_the_best_trained_models_are_kept(searched: tuple[Path, Path, TuneResult]) -> None:
    _, folder, result = searched
    kept = sorted(p.parent.name for p in (folder / "trials").glob("*/model.keras"))
    ranked = sorted((r for r in result.trials if r["status"] == "ok"), key=lambda r: r["score"])
    assert kept == sorted(r["trial"] for r in ranked[:2])  # keep=2


def test_each_trial_logs_its_parameters_for_tensorboard_hparams(searched: tuple[Path, Path, TuneResult]) -> None:
    """Each trial's run: its values and fit settings as HParams,
    its flat spec as text (as graphspec fit logs a run), its scalars."""
    import tensorflow as tf
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    from tensorboard.plugins.hparams import plugin_data_pb2

    _, folder, result = searched
    trial = next(r for r in result.trials if r["status"] == "ok")
    hparams: dict[str, Any] = {}
    texts: dict[str, str] = {}
    for event_file in (folder / "logs" / trial["trial"]).glob("events.out.tfevents.*"):
        for event in tf.compat.v1.train.summary_iterator(str(event_file)):
            for value in event.summary.value:
                plugin = value.metadata.plugin_data
                if plugin.plugin_name == "hparams":
                    info = plugin_data_pb2.HParamsPluginData.FromString(plugin.content).session_start_info
                    hparams.update({k: getattr(v, str(v.WhichOneof("kind"))) for k, v in info.hparams.items()})
                if plugin.plugin_name == "text":
                    texts[value.tag] = tf.make_ndarray(value.tensor).item().decode()
    for name, expected in trial["params"].items():
        assert hparams[name] == pytest.approx(expected) if isinstance(expected, float) else hparams[name] == expected, (
            name
        )
    assert {hparams["fit.epochs"], hparams["fit.batch_size"], hparams["seed"]} == {2, 8, 0}
    assert texts["spec"] == f"```yaml\n{(folder / trial['spec']).read_text().rstrip()}\n```"
    config = EventAccumulator(str(folder / "logs" / "hparams-config"))
    config.Reload()
    assert config.PluginTagToContent("hparams")
    validation = EventAccumulator(str(folder / "logs" / trial["trial"] / "validation"))
    validation.Reload()
    assert "epoch_loss" in validation.Tags()["tensors"] or "epoch_loss" in validation.Tags()["scalars"]


# -- resume ---------------------------------------------------------------------------


def test_the_same_command_continues(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = write(tmp_path)
    folder = tmp_path / "t"
    first = run(spec, folder, max_trials=2)
    again = run(spec, folder, max_trials=2)
    assert [r["trial"] for r in again.trials] == [r["trial"] for r in first.trials]  # nothing more to do
    capsys.readouterr()
    more = run(spec, folder, max_trials=3, verbose=True)
    out = capsys.readouterr().out
    assert (
        "continuing: 2 of 3 trials already ran" in out and "Reloading Tuner" not in out
    )  # graphspec's line, not Keras Tuner's print
    trained = [r for r in more.trials if r["status"] != "refused"]
    assert len(trained) == 3 and len({r["trial"] for r in more.trials}) == len(more.trials)
    starts = [
        json.loads(line) for line in (folder / "journal.jsonl").read_text().splitlines() if '"kind":"start"' in line
    ]
    assert [s["resume"] for s in starts] == ["new", "continue", "continue"]
    with pytest.raises(graphspec.SpecError) as info:
        run(spec, folder, max_trials=3, seed=7)
    assert info.value.codes == ["bad-tuning-folder"] and "--seed 0" in str(info.value)


# several searches of a few trials each (7-13 s); the default run keeps test_the_same_command_continues
@pytest.mark.slow
def test_a_changed_space_says_what_changed_and_which_trials_still_count(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = write(tmp_path)
    folder = tmp_path / "t"
    first = run(spec, folder, max_trials=3)
    ok = [r for r in first.trials if r["status"] == "ok"]
    widest = max(r["params"]["width"] for r in ok)
    assert widest >= 4, "the first search trains some width above the lowest, for the narrower range to drop"
    high = widest - 2  # the narrower range drops the widest trained trial (and any as wide), whatever the seed drew
    narrower = TINY.replace("width: {int: [2, 16], step: 2}", f"width: {{int: [2, {high}], step: 2}}").replace(
        "max_params: 60", "max_params: 50"
    )
    write(tmp_path, narrower)
    second = run(spec, folder, max_trials=1, verbose=True)
    out = capsys.readouterr().out
    assert "continuing after a change (search version 2):" in out
    assert f"~ search.params.width: int 2..16 step 2 → int 2..{high} step 2" in out
    assert '~ constraints: {"max_params": 60} → {"max_params": 50}' in out
    changed = next(
        json.loads(line)
        for line in (folder / "journal.jsonl").read_text().splitlines()
        if '"kind":"space-changed"' in line
    )
    counting = {r["trial"] for r in ok if r["params"]["width"] <= high}
    assert set(changed["carried"]) == counting
    assert set(changed["not_counting"]) == {r["trial"] for r in ok} - counting
    assert changed["not_counting"], "the widest trained trial no longer counts"
    for trial, reason in changed["not_counting"].items():
        assert reason.startswith("width=") and f"is not a value of int 2..{high} step 2" in reason, (trial, reason)
    new = [r for r in second.trials if r["version"] == 2]
    assert len([r for r in new if r["status"] != "refused"]) == 1
    assert {r["trial"] for r in new}.isdisjoint({r["trial"] for r in first.trials}), (
        "trial ids stay unique across versions"
    )
    if second.best is not None:
        assert second.best["trial"] in counting | {r["trial"] for r in new}


def test_a_torn_journal_line_is_dropped(tmp_path: Path) -> None:
    folder = TuningFolder(tmp_path)
    folder.append({"kind": "trial", "trial": "0", "status": "ok"})
    with open(folder.journal, "ab") as f:
        f.write(b'{"kind":"trial","tri')  # a crash in the middle of a write
    assert [r["trial"] for r in folder.records()] == ["0"]
    folder.append({"kind": "trial", "trial": "1", "status": "ok"})
    assert [r["trial"] for r in folder.records()] == ["0", "1"]
    assert folder.journal.read_text().count("\n") == 2


# -- other tuners ---------------------------------------------------------------------


def test_bayesian(tmp_path: Path) -> None:
    result = run(write(tmp_path), tmp_path / "t", tuner="bayesian", max_trials=2)
    assert len([r for r in result.trials if r["status"] == "ok"]) == 2


def test_grid_walks_the_grid_from_the_spec_as_written(tmp_path: Path) -> None:
    text = TINY.replace("learning_rate: {float: [1.0e-3, 1.0e-1], scale: log}", "learning_rate: [0.01, 0.1]").replace(
        "{float: [0.0, 0.9]}", "{float: [0.0, 0.9], step: 0.45}"
    )
    result = run(write(tmp_path, text), tmp_path / "t", tuner="grid", max_trials=2)
    first = result.trials[0]
    assert (
        first["status"] == "ok" and first["params"]["width"] == 4 and first["params"]["optimizer"] == "Adam"
    )  # the defaults
    values = [json.dumps(r["values"], sort_keys=True) for r in result.trials]
    assert len(values) == len(set(values))


def test_the_default_seed_repeats_the_search(tmp_path: Path) -> None:
    """--seed 0 (the default) draws the same trials twice: Keras Tuner takes a seed of 0 for none and draws its own."""
    import keras_tuner as kt

    from graphspec.tune import _tuner

    spec = write(tmp_path)
    settings: dict[str, Any] = {
        "synthetic": 16,
        "max_trials": 8,
        "tuner": "random",
        "seed": None,
        "executions": 1,
        "keep": 3,
        "params": None,
    }
    drawn = []
    for folder in ("a", "b"):
        plan = plan_search(
            spec, None, directory=tmp_path / folder, limits=graphspec.Limits(), budget=graphspec.Budget(), **settings
        )
        oracle = _tuner.make_oracle(kt, plan, None)
        oracle._set_project_dir(str(tmp_path / folder), "kt")
        drawn.append([oracle.create_trial(f"tuner{i}").hyperparameters.values for i in range(8)])
    assert drawn[0] == drawn[1]
    assert len({json.dumps(v, sort_keys=True) for v in drawn[0]}) == 8


# several searches of a few trials each (7-13 s); the default run keeps test_the_same_command_continues
@pytest.mark.slow
def test_hyperband_draws_again_for_a_refused_trial_so_its_rounds_still_promote(tmp_path: Path) -> None:
    """A refused trial leaves its bracket's first round: the round fills with trials that train,
    and the best goes on."""
    result = run(
        write(tmp_path, TINY.replace("epochs: 2", "epochs: 3")), tmp_path / "t", tuner="hyperband", max_trials=6, seed=0
    )
    refused = [r for r in result.trials if r["status"] == "refused"]
    assert refused, "the seeded search draws some width over max_params"
    first_rounds: dict[Any, list[dict[str, Any]]] = {}
    for r in result.trials:
        extra = r.get("tuner") or {}
        if r["status"] == "ok" and extra.get("round") == 0:
            first_rounds.setdefault(extra.get("bracket"), []).append(r)
    promoted = [r for r in result.trials if r["status"] == "ok" and (r.get("tuner") or {}).get("round") == 1]
    assert promoted, "a first round with refusals still promotes its best"
    for r in promoted:
        members = first_rounds[r["tuner"]["bracket"]]
        best = min(members, key=lambda m: m["score"])
        assert r["tuner"]["trial_id"] == best["trial"]


# several searches of a few trials each (7-13 s); the default run keeps test_the_same_command_continues
@pytest.mark.slow
def test_hyperband_continues_promoted_trials_from_their_weights(tmp_path: Path) -> None:
    text = TINY.replace("epochs: 2", "epochs: 3")
    result = run(write(tmp_path, text), tmp_path / "t", tuner="hyperband", max_trials=6)
    trained = [r for r in result.trials if r["status"] == "ok"]
    continued = [r for r in trained if (r.get("tuner") or {}).get("trial_id") is not None]
    assert continued, "Hyperband's second round continues the best of the first"
    for r in continued:
        (execution,) = r["executions"]
        parent = r["tuner"]["trial_id"]
        assert execution["warm_start"] and execution["epochs"] == r["tuner"]["epochs"] - r["tuner"]["initial_epoch"]
        assert next(p for p in result.trials if p["trial"] == parent)["params"] == r["params"]


def test_executions_are_kept_apart_and_averaged(tmp_path: Path) -> None:
    result = run(write(tmp_path), tmp_path / "t", max_trials=1, executions=2)
    r = next(r for r in result.trials if r["status"] == "ok")
    assert [e["execution"] for e in r["executions"]] == [1, 2]
    assert [e["run_dir"] for e in r["executions"]] == [
        f"trials/{r['trial']}/execution1",
        f"trials/{r['trial']}/execution2",
    ]
    assert math.isclose(r["score"], sum(e["objective"] for e in r["executions"]) / 2)


def test_cli_tune(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from graphspec.cli import main

    spec = write(tmp_path)
    assert main(["tune", str(spec), "--synthetic", "16", "--max-trials", "1", "--dir", str(tmp_path / "t")]) == 0
    out = capsys.readouterr().out
    assert "search: 5 parameters (1 conditional), continuous; objective val_loss (min); max_params 60" in out
    assert "trial 0 [1/1] val_loss " in out or "refused" in out
    assert f"see what the search changed: graphspec diff {spec} {tmp_path / 't' / 'best.yaml'}" in out
    assert (
        main(
            [
                "tune",
                str(write(tmp_path, TINY.replace("search:", "notes:"), "plain.yaml")),
                "--synthetic",
                "8",
                "--max-trials",
                "1",
            ]
        )
        == 1
    )
    assert "the spec has no `search:` section" in capsys.readouterr().err


# several searches of a few trials each (7-13 s); the default run keeps test_the_same_command_continues
@pytest.mark.slow
def test_a_stop_between_keras_tuners_state_and_the_journal_is_repaired(tmp_path: Path) -> None:
    """Refusals write Keras Tuner's state once, after: a hard stop in between leaves journaled trials it lacks."""
    spec = write(tmp_path, TINY.replace("max_params: 60", "max_params: 30"))  # widths 2 and 4 only
    folder = tmp_path / "t"
    first = run(spec, folder, max_trials=2)
    refused = [r["trial"] for r in first.trials if r["status"] == "refused"]
    assert refused
    lost = refused[-1]
    state_file = folder / "keras_tuner" / "oracle.json"
    state = json.loads(state_file.read_text())
    for key in ("start_order", "end_order"):
        state[key] = [t for t in state[key] if t != lost]
    state_file.write_text(json.dumps(state))
    import shutil

    shutil.rmtree(folder / "keras_tuner" / f"trial_{lost}")
    more = run(spec, folder, max_trials=3)
    journaled = [
        json.loads(line)["trial"]
        for line in (folder / "journal.jsonl").read_text().splitlines()
        if '"kind":"trial"' in line
    ]
    assert len(journaled) == len(set(journaled)), "no trial id is used twice"
    assert next(r for r in more.trials if r["trial"] == lost)["status"] == "refused"
    assert len([r for r in more.trials if r["status"] != "refused"]) == 3


@pytest.mark.slow
def test_ctrl_c_then_the_same_command_finishes_the_search(tmp_path: Path) -> None:
    import signal
    import time

    spec = write(tmp_path)
    folder = tmp_path / "t"
    cmd = [
        sys.executable,
        "-m",
        "graphspec",
        "tune",
        str(spec),
        "--synthetic",
        "16",
        "--max-trials",
        "4",
        "--dir",
        str(folder),
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    journal = folder / "journal.jsonl"
    deadline = time.monotonic() + 300
    while not (journal.exists() and '"status":"ok"' in journal.read_text()):
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.2)
    time.sleep(1.0)  # into the next trial's training
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err[-2000:]
    assert "stopped: the same command continues the search" in out and "graphspec: interrupted" in err
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "continuing: " in done.stdout
    trials = [json.loads(line) for line in journal.read_text().splitlines() if '"kind":"trial"' in line]
    assert len([r for r in trials if r["status"] == "ok"]) == 4
    assert len({r["trial"] for r in trials}) == len(trials), "the interrupted trial ran once more, journaled once"
    assert graphspec.validate(folder / "best.yaml")


class Explode:
    """A Keras callback (registered below) that kills the process training the trial."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        import keras

        class _Explode(keras.callbacks.Callback):  # type: ignore[misc,name-defined]
            def on_train_begin(self, logs: Any = None) -> None:
                import os

                os._exit(3)

        return _Explode()


@pytest.mark.slow
def test_a_trial_whose_process_dies_fails_alone(tmp_path: Path) -> None:
    graphspec.register_callback(Explode)
    try:
        text = TINY.replace("fit: {epochs: 2,", "fit: {callbacks: [Explode], epochs: 2,")
        result = run(write(tmp_path, text), tmp_path / "t", max_trials=2, isolate=True)
    finally:
        graphspec.unregister_callback("Explode")
    failed = [r for r in result.trials if r["status"] == "failed"]
    assert len(failed) == 2 and all(r["reason"] == "the process training the trial died, exit code 3" for r in failed)
    assert [r["trial_processes"] for r in failed] == [1, 2], "each trial got a fresh process after the last one died"


@pytest.mark.slow
def test_the_trial_process_is_replaced_once_it_has_grown(tmp_path: Path) -> None:
    from graphspec.tune._trial_process import Job, TrialRunner

    spec = graphspec.validate(write(tmp_path, TINY)).spec.to_yaml()
    runner = TrialRunner(None, graphspec.Budget(), growth=1)  # any growth at all: a new process for the next trial
    try:
        outcomes = []
        for k in range(3):
            job = Job(
                spec,
                str(tmp_path / f"run{k}"),
                0,
                1,
                None,
                str(tmp_path / f"logs{k}"),
                {"width": 4},
                str(k),
                None,
                16,
                0,
            )
            (tmp_path / f"run{k}").mkdir()
            outcomes.append((runner.train(job), runner.started))
    finally:
        runner.close()
    assert all(o.history is not None and o.rss for o, _ in outcomes)
    assert [started for _, started in outcomes] == [1, 1, 2]
