"""_console: TensorFlow's start-up noise kept off stderr, whole Keras summaries and one line per epoch in logs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from graphspec._util.console import is_noise

NOISE = [
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
    "I0000 00:00:1796123471.792080   13935 cudart_stub.cc:31] Could not find cuda drivers on your machine, "
    "GPU will not be used.",
    "E0000 00:00:1796123487.057785   14038 cuda_platform.cc:52] failed call to cuInit: INTERNAL: CUDA error: "
    "Failed call to cuInit: UNKNOWN ERROR (303)",
    "2024-05-01 12:00:00.123456: I tensorflow/core/util/port.cc:113] oneDNN custom operations are on. You may see "
    "slightly different numerical results.",
    "I0000 00:00:1796123482.556568   14038 cpu_feature_guard.cc:227] This TensorFlow binary is optimized to use "
    "available CPU instructions.",
    "To enable the following instructions: AVX2 FMA, in other operations, "
    "rebuild TensorFlow with the appropriate compiler flags.",
]


def test_start_up_lines_are_noise_and_nothing_else_is() -> None:
    assert all(is_noise(line) for line in NOISE)
    kept = [
        "F0000 00:00:1.0  1 x.cc:1] Check failed: fatal",
        "Traceback (most recent call last):",
        "graphspec: interrupted",
        "E: not a log line",
    ]
    assert not any(is_noise(line) for line in kept)


# A stand-in TensorFlow that writes like the real one from native code (file descriptor 2),
# at import and at device discovery.
_FAKE_TF = """
import os
os.write(2, b"WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\\n")
os.write(2, b"I0000 00:00:1796123471.792080   13935 cudart_stub.cc:31] Could not find cuda drivers on your machine\\n")
os.write(2, b"a real problem\\n")
_found = []
class config:
    @staticmethod
    def list_physical_devices():  # the first call looks for devices, as TensorFlow's does
        if not _found:
            os.write(2, b"E0000 00:00:1796123487.057785   14038 cuda_platform.cc:52] failed call to cuInit: UNKNOWN ERROR (303)\\n")
            _found.append(True)
        return []
"""  # noqa: E501


@pytest.mark.parametrize(
    ("setting", "shown"),
    [(None, ["a real problem"]), ("1", ["WARNING: All log", "I0000 00:00", "a real problem", "E0000 00:00"])],
)
def test_tensorflow_starts_quietly_unless_graphspec_tf_logs_is_set(
    tmp_path: Path, setting: str | None, shown: list[str]
) -> None:
    (tmp_path / "tensorflow").mkdir()
    (tmp_path / "tensorflow" / "__init__.py").write_text(_FAKE_TF)
    code = (
        "from graphspec._util.console import quiet_tensorflow_start\nquiet_tensorflow_start()\n"
        "import tensorflow as tf\ntf.config.list_physical_devices()\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "GRAPHSPEC_TF_LOGS"}
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), os.getcwd()])
    if setting is not None:
        env["GRAPHSPEC_TF_LOGS"] = setting
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == len(shown) and all(line.startswith(start) for line, start in zip(lines, shown, strict=True)), (
        lines
    )


def test_build_in_a_pipe_prints_the_whole_summary_and_no_tensorflow_noise() -> None:
    # The real TensorFlow, as a user's shell or CI log meets it.
    env = {k: v for k, v in os.environ.items() if k not in ("TF_CPP_MIN_LOG_LEVEL", "GRAPHSPEC_TF_LOGS", "COLUMNS")}
    result = subprocess.run(
        [sys.executable, "-m", "graphspec", "build", "specs/seed/multi_input_qa.yaml", "--summary"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert [
        line for line in result.stderr.splitlines() if is_noise(line) or "cuda" in line.lower() or "absl" in line
    ] == []
    header = next(line for line in result.stdout.splitlines() if "Layer (type)" in line)
    assert "Output Shape" in header and "Param #" in header and "Connected to" in header
    assert "\x1b[" not in result.stdout  # no colour codes in a log
    assert "│ merged (Concatenate)" in result.stdout and "text_enc[0][0]," in result.stdout


def test_fit_in_a_log_file_writes_one_line_per_epoch(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "GRAPHSPEC_TF_LOGS"}
    cmd = [
        sys.executable,
        "-m",
        "graphspec",
        "fit",
        "specs/seed/functional_mlp.yaml",
        "--synthetic",
        "32",
        "--epochs",
        "3",
        "--run-dir",
        str(tmp_path / "run"),
        "--seed",
        "1",
    ]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 0, result.stderr
    assert "\r" not in result.stdout and "\x1b" not in result.stdout and "\b" not in result.stdout
    lines = result.stdout.splitlines()
    assert [line.split(":")[0] for line in lines[:3]] == ["epoch 1/3", "epoch 2/3", "epoch 3/3"]
    assert lines[3:] == [
        "specs/seed/functional_mlp.yaml: trained 3 epoch(s)",
        lines[4],
        f"run folder: {tmp_path / 'run'}",
    ]
    assert lines[4].startswith("model.keras: weights of epoch 3 (the last): ") and " loss " in lines[4]
    assert result.stderr == ""
