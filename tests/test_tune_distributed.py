"""tuning, on several machines: Keras Tuner's chief and two workers on 127.0.0.1, one tuning folder."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import graphspec

from .test_tune import TINY

pytest.importorskip("keras_tuner")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_a_chief_and_two_workers_split_the_trials(tmp_path: Path) -> None:
    spec = tmp_path / "tiny.yaml"
    spec.write_text(TINY)
    folder = tmp_path / "shared"  # the same --dir for every process, as on shared storage
    cmd = [
        sys.executable,
        "-m",
        "graphspec",
        "tune",
        str(spec),
        "--synthetic",
        "16",
        "--max-trials",
        "6",
        "--dir",
        str(folder),
    ]
    port = str(_free_port())
    base = {**os.environ, "KERASTUNER_ORACLE_IP": "127.0.0.1", "KERASTUNER_ORACLE_PORT": port, "PYTHONUNBUFFERED": "1"}
    procs = {
        name: subprocess.Popen(
            cmd, env={**base, "KERASTUNER_TUNER_ID": name}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for name in ("chief",)
    }
    deadline = time.monotonic() + 120
    while not (
        folder / "keras_tuner" / "tuner.json"
    ).exists():  # the chief is up (its state written) before workers ask it
        assert procs["chief"].poll() is None and time.monotonic() < deadline, procs["chief"].communicate()[1][-3000:]
        time.sleep(0.5)
    for name in ("tuner0", "tuner1"):
        procs[name] = subprocess.Popen(
            cmd, env={**base, "KERASTUNER_TUNER_ID": name}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
    try:
        outs = {name: p.communicate(timeout=600) for name, p in procs.items()}
    finally:
        for p in procs.values():
            p.kill()
    assert {name: p.returncode for name, p in procs.items()} == {"chief": 0, "tuner0": 0, "tuner1": 0}, (
        textwrap.shorten(" | ".join(o[1][-1500:] for o in outs.values()), 4000)
    )
    records = [json.loads(line) for line in (folder / "journal.jsonl").read_text().splitlines()]
    trials = [r for r in records if r["kind"] == "trial"]
    ids = [r["trial"] for r in trials]
    assert len(ids) == len(set(ids)), "no trial ran twice"
    trained = [r for r in trials if r["status"] == "ok"]
    assert len(trained) == 6
    assert {r["worker"] for r in trained} == {"tuner0", "tuner1"}, "the trials were split across the workers"
    assert {r["worker"] for r in trials if r["status"] == "refused"} <= {"chief"}, "refused trials never reach a worker"
    for name in ("tuner0", "tuner1"):
        mine = [r["trial"] for r in trained if r["worker"] == name]
        assert sorted(f"trial {t} trained" for t in mine) == sorted(
            line.split(": ", 1)[1].split(":")[0] for line in outs[name][0].splitlines() if " trained: " in line
        )
    assert [p.name for p in sorted(tmp_path.rglob("journal.jsonl"))] == ["journal.jsonl"] and len(
        list(tmp_path.rglob("best.yaml"))
    ) == 1
    best = graphspec.validate(folder / "best.yaml")
    assert (
        best.spec.to_data()
        == graphspec.load(folder / f"trials/{min(trained, key=lambda r: r['score'])['trial']}.yaml").to_data()
    )
    assert "search done: " in outs["chief"][0] and "the chief writes" in outs["tuner0"][0]
