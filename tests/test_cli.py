"""cli: exit codes, output formats, atomic saves, and no TensorFlow in validate."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from graphspec.cli import main

SEEDS = sorted(str(p) for p in Path("specs/seed").glob("*.yaml"))
INVALID = Path("tests/cases/invalid")


def test_validate_valid_specs_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", *SEEDS]) == 0
    out = capsys.readouterr().out
    assert out.count(": ok (") == len(SEEDS)


def test_validate_invalid_spec_exits_1_with_compiler_style_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(INVALID / "typo_layer.yaml")]) == 1
    out = capsys.readouterr().out
    assert "typo_layer.yaml:5:19: error[unknown-layer]: nodes.hidden.layer: unknown layer 'Dence'" in out
    assert "   5 |   hidden: {layer: Dence, inputs: x, units: 4}" in out
    assert "hint: did you mean 'Dense'?" in out


def test_validate_missing_file_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "no/such/spec.yaml"]) == 2
    assert "io-error" in capsys.readouterr().out


def test_validate_mixed_reports_worst(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", SEEDS[0], str(INVALID / "cycle.yaml")]) == 1


def test_validate_json_format_is_machine_readable(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "--format", "json", str(INVALID / "typo_argument.yaml"), SEEDS[0]]) == 1
    records = json.loads(capsys.readouterr().out)
    assert [r["valid"] for r in records] == [False, True]
    first = records[0]["diagnostics"][0]
    assert set(first) == {"code", "message", "path", "hint", "severity", "file", "line", "column"}
    assert first["code"] == "missing-argument" and first["line"] == 5


def test_strict_turns_warnings_into_failures(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "dead.yaml"
    spec.write_text(
        "graphspec: 1\ninputs: {x: {shape: [2]}}\nnodes:\n  y: {layer: Dense, inputs: x, units: 1}\n"
        "  spare: {layer: Dense, inputs: x, units: 1}\noutputs: {y: {}}\n"
    )
    assert main(["validate", str(spec)]) == 0
    assert main(["validate", "--strict", str(spec)]) == 1
    assert "warning[dead-node]" in capsys.readouterr().out


def test_no_command_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "validate" in capsys.readouterr().out


def test_version() -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0


def test_build_saves_atomically_and_reloads(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import keras

    target = tmp_path / "qa.keras"
    assert main(["build", "specs/seed/multi_input_qa.yaml", "-o", str(target), "--summary"]) == 0
    out = capsys.readouterr().out
    assert "1,337,332" in out and "question_answering" in out
    assert [p.name for p in tmp_path.iterdir()] == ["qa.keras"], "no temporary files are left behind"
    model = keras.models.load_model(target)
    assert model.count_params() == 1_337_332


def test_build_failure_leaves_no_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "bad.keras"
    assert main(["build", str(INVALID / "keras_error.build.yaml"), "-o", str(target)]) == 1
    assert "error[keras-error]" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_build_rejects_non_keras_output_name(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", SEEDS[0], "-o", "model.h5"]) == 2


def test_validate_never_imports_tensorflow() -> None:
    code = (
        "import sys\n"
        "from graphspec.cli import main\n"
        f"rc = main(['validate', {SEEDS[0]!r}, {str(INVALID / 'cycle.yaml')!r}])\n"
        "heavy = [m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras', 'numpy', "
        "'matplotlib', 'igraph', 'pygls')]\n"
        "assert not heavy, f'validate imported {heavy[:3]}'\n"
        "print('rc', rc)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "rc 1" in result.stdout


def test_python_dash_m_entry_point() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "graphspec", "validate", SEEDS[0]], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and ": ok (" in result.stdout


def test_summary_without_tensorflow() -> None:
    code = (
        "import sys\n"
        "from graphspec.cli import main\n"
        "rc = main(['summary', 'specs/seed/multi_input_qa.yaml'])\n"
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules\n"
        "sys.exit(rc)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Model: question_answering"
    assert any(
        line.split()[:4] == ["text_enc", "LSTM", "(None,", "32)"] and line.split()[4] == "12,416" for line in lines
    ), result.stdout
    assert "Total params: 1,337,332  (trainable 1,337,332, non-trainable 0)" in result.stdout


def test_schema_command_prints_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == "graphspec model spec"


def test_a_mistyped_command_gets_a_suggestion(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["valdiate", SEEDS[0]])
    assert exc.value.code == 2
    assert "did you mean 'validate'?" in capsys.readouterr().err


def test_a_bad_flag_gets_the_commands_own_usage_and_a_suggestion(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["build", SEEDS[0], "--sumary"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: graphspec build ")
    assert "unrecognized arguments: --sumary (did you mean '--summary'?)" in err
    with pytest.raises(SystemExit):
        main(["validate", SEEDS[0], "--format", "jsno"])
    assert "did you mean 'json'?" in capsys.readouterr().err


def test_specs_from_pipes_are_read_once_within_the_size_limit(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import os

    monkeypatch.chdir("specs/seed")  # a piped spec's includes are relative to the current folder
    text = Path("ensemble.yaml").read_bytes()

    def pipe(data: bytes) -> str:
        read, write = os.pipe()
        os.write(write, data)
        os.close(write)
        return f"/dev/fd/{read}"

    assert main(["diff", "ensemble.yaml", pipe(text)]) == 0  # `graphspec diff a.yaml <(...)`
    assert "no semantic differences" in capsys.readouterr().out.lower()
    assert main(["validate", "--max-bytes", "100", pipe(text)]) == 1
    assert "more than 100 bytes" in capsys.readouterr().out
    env = {**os.environ, "PYTHONPATH": os.path.abspath("../..")}
    result = subprocess.run(
        [sys.executable, "-m", "graphspec", "validate", "-"], input=text, capture_output=True, timeout=60, env=env
    )
    assert result.returncode == 0 and b"-: ok (" in result.stdout, result.stderr


def test_interrupts_exit_130_and_terminations_143_saying_what_was_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import os
    import signal
    import time

    import graphspec.train
    from graphspec.train import TrainingInterrupted

    def interrupted(*args: object, **kwargs: object) -> None:
        raise TrainingInterrupted(tmp_path, 3, 10, ["history.json, .csv, .png (3 epochs)"], True)

    monkeypatch.setattr(graphspec.train, "fit", interrupted)
    assert main(["fit", SEEDS[0], "--synthetic", "4"]) == 130
    err = capsys.readouterr().err
    assert (
        f"interrupted after epoch 3 of 10; {tmp_path} keeps history.json, .csv, .png (3 epochs); "
        "the same command resumes it"
    ) in err

    def terminated(*args: object, **kwargs: object) -> None:
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)  # the handler interrupts this

    monkeypatch.setattr(graphspec.train, "fit", terminated)
    assert main(["fit", SEEDS[0], "--synthetic", "4"]) == 143
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # put back


def test_readme_documents_every_exit_code() -> None:
    from graphspec import cli

    readme = Path("README.md").read_text(encoding="utf-8")
    section = readme[readme.index("**Exit codes.**") :][:1500]
    for code in (cli.EXIT_OK, cli.EXIT_INVALID, cli.EXIT_USAGE, cli.EXIT_INTERRUPTED, cli.EXIT_TERMINATED):
        assert f"`{code}`" in section, code
