"""_files: the one atomic-write helper behind models, run folders, predictions and imported specs."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import numpy as np
import pytest

from graphspec._util.files import replace_atomically, write_bytes_atomically
from graphspec.data import save_npz


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "history.json"
    write_bytes_atomically(target, b"old")

    def broken(tmp: str) -> None:
        Path(tmp).write_bytes(b"half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        replace_atomically(target, broken)
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["history.json"]


def test_written_files_get_the_umask_mode_not_a_private_one(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        write_bytes_atomically(tmp_path / "spec.yaml", b"x")
        save_npz({"a": np.arange(3)}, tmp_path / "preds.npz")
    finally:
        os.umask(umask)
    for name in ("spec.yaml", "preds.npz"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o644, name
    assert sorted(os.listdir(tmp_path)) == ["preds.npz", "spec.yaml"]
    assert np.load(tmp_path / "preds.npz")["a"].tolist() == [0, 1, 2]


def test_a_write_through_a_symlink_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    from graphspec._util.files import confined
    from graphspec.errors import SpecError

    run, outside = tmp_path / "run", tmp_path / "outside"
    run.mkdir()
    outside.mkdir()
    (run / "logs").symlink_to(outside)
    (run / "inner").mkdir()
    (run / "alias").symlink_to(run / "inner")
    with pytest.raises(SpecError) as exc:
        write_bytes_atomically(run / "logs" / "history.json", b"x", inside=run)
    assert exc.value.codes == ["unsafe-path"] and "leads outside" in str(exc.value)
    assert os.listdir(outside) == []
    for bad in ("logs/x.keras", "../outside/x", "logs"):
        with pytest.raises(SpecError):
            confined(run, bad)
    # Inside the folder, symlinks are fine, and so is a path not made yet.
    write_bytes_atomically(run / "alias" / "ok.json", b"ok", inside=run)
    assert (run / "inner" / "ok.json").read_bytes() == b"ok"
    assert confined(run, "new/sub/file.keras") == run / "new" / "sub" / "file.keras"


def test_a_symlink_at_the_target_is_replaced_not_followed(tmp_path: Path) -> None:
    run, kept = tmp_path / "run", tmp_path / "kept.txt"
    run.mkdir()
    kept.write_text("the user's file")
    (run / "model.keras").symlink_to(kept)
    write_bytes_atomically(run / "model.keras", b"new", inside=run)
    assert kept.read_text() == "the user's file"
    assert not (run / "model.keras").is_symlink() and (run / "model.keras").read_bytes() == b"new"


def test_regenerate_leaves_a_current_file_checks_without_writing_and_writes_a_stale_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from graphspec._util.files import regenerate

    page = tmp_path / "page.md"
    page.write_text("old\n", encoding="utf-8")
    assert regenerate(page, "new\n", check=True, command="make page") is False
    assert page.read_text(encoding="utf-8") == "old\n"
    assert "stale (run make page)" in capsys.readouterr().err
    assert regenerate(page, "new\n", check=False, command="make page") is True
    assert page.read_text(encoding="utf-8") == "new\n"
    before = page.stat().st_mtime_ns
    assert regenerate(page, "new\n", check=True, command="make page") is True
    assert page.stat().st_mtime_ns == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["page.md"]
