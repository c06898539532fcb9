"""_files: the one atomic-write helper behind models, run folders, predictions and imported specs."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import numpy as np
import pytest

from graphspec._files import replace_atomically, write_bytes_atomically
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
