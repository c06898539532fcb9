"""Run folders a stranger may have prepared: removals, records and writes stay inside by real path (issue 19).

A reused run folder may hold symlinks pointing out, a forged ``run.json`` naming
``../*`` or ``/etc/*``, records that are huge, deep or FIFOs. None of it may make
graphspec remove, write or hang outside the folder. No TensorFlow here: these are
the run folder's own functions; ``tests/test_train.py`` and
``tests/test_run_folder.py`` cover the same through ``fit``.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from graphspec import SpecError
from graphspec.source.limits import RECORD_BYTES, read_json_record, read_record
from graphspec.train import run_folder as rf
from graphspec.train.history import read_json

REQUEST = rf.RunRequest(
    rf.Fingerprint("m", "t", "d"), ("run.json", "history.json", "logs/*", "ck/*.keras"), "backup", 3
)


def _outside(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "kept.keras").write_text("the user's")
    (outside / "events.out").write_text("the user's")
    return outside


def test_remove_paths_never_removes_through_a_symlink_out(tmp_path: Path) -> None:
    outside = _outside(tmp_path)
    run = tmp_path / "run"
    (run / "logs").mkdir(parents=True)
    (run / "logs" / "mine").write_text("the run's")
    (run / "ck").symlink_to(outside)  # ck/*.keras would glob /outside/*.keras
    rf.remove_paths(run, ["ck/*.keras", "logs/*"])
    assert (outside / "kept.keras").read_text() == "the user's"
    assert not (run / "logs").exists()  # the run's own files go, and the folder they leave empty
    assert (run / "ck").is_symlink()


def test_a_symlink_that_is_matched_is_removed_as_a_link(tmp_path: Path) -> None:
    outside = _outside(tmp_path)
    run = tmp_path / "run"
    run.mkdir()
    (run / "logs").symlink_to(outside)  # the pattern `logs` names the link itself
    rf.remove_paths(run, ["logs"])
    assert not (run / "logs").exists() and not (run / "logs").is_symlink()
    assert sorted(p.name for p in outside.iterdir()) == ["events.out", "kept.keras"]


@pytest.mark.parametrize(
    "pattern", ["../outside/*", "ck/../../outside/*", "/tmp/*", "\\\\server\\share\\*", "C:\\x", "a\0b", ""]
)
def test_patterns_naming_paths_outside_match_nothing(tmp_path: Path, pattern: str) -> None:
    outside = _outside(tmp_path)
    run = tmp_path / "run"
    run.mkdir()
    rf.remove_paths(run, [pattern])  # no NotImplementedError for an absolute pattern, no ValueError for NUL
    assert rf.existing(run, [pattern]) == []
    assert rf.remove_temporaries(run, [pattern]) == []
    assert sorted(p.name for p in outside.iterdir()) == ["events.out", "kept.keras"]


def test_a_forged_manifest_cannot_make_overwrite_remove_outside(tmp_path: Path) -> None:
    outside = _outside(tmp_path)
    run = tmp_path / "run"
    run.mkdir()
    forged = {
        "graphspec_run": 1,
        "status": "finished",
        "writes": ["../outside/*", str(outside / "*"), "history.json"],
        "fingerprint": {},
    }
    (run / "run.json").write_text(json.dumps(forged))
    (run / "history.json").write_text("{}")
    overwrite = rf.RunRequest(REQUEST.fingerprint, REQUEST.writes, None, 1, overwrite=True)
    with rf.claim_run(run, overwrite):
        pass
    assert sorted(p.name for p in outside.iterdir()) == ["events.out", "kept.keras"]
    assert not (run / "history.json").exists()  # what the run itself writes is cleared


def test_a_symlinked_run_folder_is_confined_to_its_real_folder(tmp_path: Path) -> None:
    real = tmp_path / "disk" / "run"
    (real / "logs").mkdir(parents=True)
    (real / "logs" / "events.out.tfevents.1").write_text("old run")
    (real / "run.json").write_text(
        json.dumps(
            {"graphspec_run": 1, "status": "running", "writes": ["logs/events.out.tfevents.*"], "fingerprint": {}}
        )
    )
    link = tmp_path / "runs" / "latest"
    link.parent.mkdir()
    link.symlink_to(real)  # `--run-dir runs/latest`, a link the user keeps to the current run
    overwrite = rf.RunRequest(REQUEST.fingerprint, ("run.json",), None, 1, overwrite=True)
    with rf.claim_run(link, overwrite) as claim:
        claim.write_manifest("running")
    assert not (real / "logs").exists()  # removed in the real folder, through the user's own link
    assert json.loads((real / "run.json").read_text())["status"] == "running"
    assert link.is_symlink()


def test_a_backup_folder_leading_out_is_refused_and_never_emptied(tmp_path: Path) -> None:
    outside = _outside(tmp_path)
    (outside / "epoch-000001").mkdir()
    (outside / "state.json").write_text("{}")
    run = tmp_path / "run"
    run.mkdir()
    (run / "backup").symlink_to(outside)
    with pytest.raises(SpecError) as exc:
        rf.new_generation(run / "backup", 2, inside=run)
    assert exc.value.codes == ["unsafe-path"]
    rf.remove_backup(run / "backup", inside=run)
    assert sorted(p.name for p in outside.iterdir()) == ["epoch-000001", "events.out", "kept.keras", "state.json"]


def test_records_are_read_bounded_and_never_block(tmp_path: Path) -> None:
    run = tmp_path / "run"
    run.mkdir()
    os.mkfifo(run / "history.json")  # no writer: opening it to read would block forever
    (run / "backup").mkdir()
    (run / "backup" / "state.json").write_text("[" * 200_000 + "]" * 200_000)  # json.loads: RecursionError
    result: list[object] = []

    def read() -> None:
        result.extend(
            [read_json(run / "history.json"), rf.read_backup(run / "backup"), read_record(run / "history.json")]
        )

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(10)
    assert not reader.is_alive(), "reading a FIFO record blocked"
    assert result == [{}, None, None]


def test_an_oversized_or_forged_run_json_is_a_run_graphspec_cannot_read(tmp_path: Path) -> None:
    run = tmp_path / "run"
    run.mkdir()
    with (run / "run.json").open("wb") as f:
        f.truncate(RECORD_BYTES + 1)  # sparse: no disk used
    assert read_json_record(run / "run.json") is None
    with pytest.raises(SpecError) as exc:
        rf.plan_run(run, REQUEST)
    assert exc.value.codes == ["run-exists"] and "cannot read" in exc.value.diagnostics[0].message
