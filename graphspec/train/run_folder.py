"""The run folder of ``graphspec fit``: when a folder may be used, what a run leaves there, how it resumes.

A run folder holds one run. Its manifest, ``run.json``, says which: the
fingerprint of what trains (the model, the training settings, the data), the
files the run writes, and whether it finished. :func:`plan_run` reads a folder
and decides, before TensorFlow is imported:

=============================================  ==============  ===============  ===============
the folder holds                               ``fit``         ``--resume``     ``--overwrite``
=============================================  ==============  ===============  ===============
nothing (new, empty, or only other files)      start           cannot-resume    start
an interrupted run with a backup, same run     resume          resume           start clean
an interrupted run that finished no epoch      start clean     resume (epoch 0) start clean
an interrupted run without a backup            run-exists      cannot-resume    start clean
an interrupted run of another spec or data     run-exists      run-exists       start clean
a finished run, or files this run would write  run-exists      run-exists       start clean
=============================================  ==============  ===============  ===============

"start clean" removes the files the earlier run wrote (its manifest lists them,
so files of the user's own in the folder stay). A backup exists only with
``BackupAndRestore`` in the spec; ``--resume`` without it is ``cannot-resume``.
While a run trains it holds a lock on the folder, so a second ``fit`` there is
``run-in-use``, not a mixed run.

The backup (``BackupAndRestore``'s folder, a dedicated subfolder) holds one
*generation* per backed-up epoch, ``epoch-000012/``, written in full under a
temporary name and renamed into place, and ``state.json``, replaced atomically
to point at the newest complete generation. A process killed at any moment
leaves ``state.json`` naming a whole generation; leftovers of an unfinished
write are removed when the next run claims the folder.

No TensorFlow here: this module reads and writes files only.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from graphspec._util.files import confined, looks_absolute, write_text_atomically
from graphspec.errors import Code, Diagnostic, SpecError
from graphspec.source.limits import read_json_record
from graphspec.train.history import HISTORY_FILES, read_json

__all__ = [
    "MANIFEST",
    "BackupState",
    "Claim",
    "Fingerprint",
    "Plan",
    "claim_run",
    "plan_run",
    "read_backup",
    "remove_paths",
]

MANIFEST = "run.json"
BACKUP_STATE = "state.json"
_FORMAT = 1
_GENERATION = re.compile(r"^epoch-\d{6,}$")


# ---------------------------------------------------------------------------
# what makes two runs the same run


@dataclass(frozen=True)
class Fingerprint:
    """Digests of what trains: the model (spec without ``fit``/``distribute``), the training settings, the data.

    The training settings leave out ``fit.epochs``: a run resumed with more (or
    fewer) epochs is the same run, continued.
    """

    model: str
    training: str
    data: str

    @classmethod
    def of(cls, model: str, training: str, arrays: Mapping[str, np.ndarray]) -> Fingerprint:
        return cls(_digest(model.encode()), _digest(training.encode()), data_digest(arrays))

    def differences(self, other: Mapping[str, Any]) -> list[str]:
        names = {
            "model": "the model",
            "training": "the training settings (fit:, distribute:, --seed)",
            "data": "the data",
        }
        return [label for key, label in names.items() if other.get(key) != getattr(self, key)]

    def to_dict(self) -> dict[str, str]:
        return {"model": self.model, "training": self.training, "data": self.data}


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def data_digest(arrays: Mapping[str, np.ndarray]) -> str:
    """A digest of named arrays: names, shapes, dtypes and contents."""
    h = hashlib.blake2b(digest_size=16)
    for name in sorted(arrays):
        array = np.ascontiguousarray(arrays[name])
        h.update(f"{name}\0{array.shape}\0{array.dtype.str}\0".encode())
        h.update(array.reshape(-1).view(np.uint8).data)  # no copy: the data may be large
    return h.hexdigest()


# ---------------------------------------------------------------------------
# manifest and backup state


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """``run.json`` as data; ``None`` if there is none.

    Raises:
        SpecError: ``run-exists`` if it is not a manifest graphspec wrote.
    """
    path = folder / MANIFEST
    if not path.is_file():
        return None
    data = read_json_record(path)  # bounded: a reused folder's run.json may be anything
    if not isinstance(data, dict) or data.get("graphspec_run") != _FORMAT:
        raise _refused(
            Code.RUN_EXISTS,
            f"{folder} has a {MANIFEST} that graphspec cannot read",
            folder,
            "give a new --run-dir, or --overwrite to start a run there",
        )
    return data


@dataclass(frozen=True)
class BackupState:
    """The newest complete backup: the epochs finished, the generation folder with the weights,
    and the rest of the state."""

    epoch: int
    stopped: bool
    generation: Path
    fingerprint: dict[str, Any]
    history: dict[str, list[float | None]]
    callbacks: list[dict[str, Any]]


def read_backup(backup: Path) -> BackupState | None:
    """The backup in folder ``backup``, or ``None`` if it holds no complete one."""
    data = read_json_record(backup / BACKUP_STATE)
    if (
        not isinstance(data, dict)
        or data.get("format") != _FORMAT
        or not _GENERATION.match(str(data.get("generation")))
    ):
        return None
    generation = backup / str(data["generation"])
    if not generation.is_dir():
        return None
    history = {
        str(k): [None if v is None else float(v) for v in vals] for k, vals in (data.get("history") or {}).items()
    }
    return BackupState(
        int(data["epoch"]),
        bool(data.get("stopped")),
        generation,
        dict(data.get("fingerprint") or {}),
        history,
        list(data.get("callbacks") or []),
    )


def new_generation(backup: Path, epoch: int, inside: Path | None = None) -> tuple[Path, Path]:
    """A temporary folder to write epoch ``epoch``'s generation in, and the name it gets once whole.

    With ``inside`` (the run folder), the backup folder must really lie in it.

    Raises:
        SpecError: ``unsafe-path`` for a backup folder that leads out of ``inside``.
    """
    if inside is not None:
        confined(inside, os.path.relpath(backup, inside))
    backup.mkdir(parents=True, exist_ok=True)
    name = f"epoch-{epoch:06d}"
    temp = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=backup))
    umask = os.umask(0)
    os.umask(umask)
    temp.chmod(0o777 & ~umask)  # the usual mode of a folder, not mkdtemp's private 0700
    return temp, backup / name


def commit_generation(
    temp: Path, final: Path, state: Mapping[str, Any], keep: int = 1, inside: Path | None = None
) -> None:
    """Rename a written generation into place, point ``state.json`` at it, then drop older generations.

    ``state`` is the rest of the backup (epoch, history, callbacks' state); until
    ``state.json`` is replaced, the previous generation stays the backup.
    """
    if final.exists():  # renamed by a run killed before state.json named it: not the backup
        shutil.rmtree(final)
    os.replace(temp, final)
    record = {"format": _FORMAT, "generation": final.name, **state}
    write_text_atomically(final.parent / BACKUP_STATE, json.dumps(record, indent=1) + "\n", inside=inside)
    generations = sorted(p for p in final.parent.iterdir() if _GENERATION.match(p.name) and p.is_dir())
    for old in generations[: max(0, len(generations) - keep)]:
        if old != final:
            shutil.rmtree(old, ignore_errors=True)


def remove_backup(backup: Path, inside: Path | None = None) -> None:
    """Remove what graphspec wrote in a backup folder, and the folder if nothing else is left in it.

    With ``inside`` (the run folder), nothing is removed from a backup folder
    whose real path leaves it (a symlink put there while the run trained).
    """
    if not backup.is_dir() or (inside is not None and not _within(inside, backup / BACKUP_STATE)):
        return  # its real path, every symlink followed, leaves the run folder
    (backup / BACKUP_STATE).unlink(missing_ok=True)
    for entry in backup.iterdir():
        if _GENERATION.match(entry.name) or _is_temporary_generation(entry.name):
            shutil.rmtree(entry, ignore_errors=True)
    with contextlib.suppress(OSError):
        backup.rmdir()


def _is_temporary_generation(name: str) -> bool:
    return re.match(r"^\.epoch-\d{6,}\.[a-z0-9_]+$", name) is not None


# ---------------------------------------------------------------------------
# deciding what to do with a folder


@dataclass
class Plan:
    """What :func:`claim_run` will do: resume from ``backup`` (``None``: start at epoch 0) after removing ``clear``."""

    folder: Path
    backup: BackupState | None = None
    clear: list[str] = field(default_factory=list)
    notice: str | None = None


@dataclass(frozen=True)
class RunRequest:
    """What this run is and writes: its fingerprint, its files (patterns relative to the folder), its backup folder."""

    fingerprint: Fingerprint
    writes: tuple[str, ...]
    backup_dir: str | None
    epochs: int
    resume: bool = False
    overwrite: bool = False


def plan_run(folder: Path, request: RunRequest) -> Plan:
    """Decide whether the folder is started, resumed or refused (see the module's table).

    Raises:
        SpecError: ``run-exists`` or ``cannot-resume``, with a hint naming the way out.
    """
    if request.resume and request.backup_dir is None:
        raise _refused(
            Code.CANNOT_RESUME,
            "--resume needs BackupAndRestore in fit.callbacks: without it a run keeps no "
            "training state to continue from",
            folder,
            "add `- {class_name: BackupAndRestore, config: {backup_dir: backup}}` to fit.callbacks (it takes "
            "effect from the next run)",
        )
    manifest = read_manifest(folder) if folder.is_dir() else None
    if request.overwrite:
        earlier = [str(p) for p in (manifest or {}).get("writes", [])]
        return Plan(folder, clear=sorted({*earlier, *request.writes}))
    if manifest is None:
        return _plan_unmanaged(folder, request)
    if manifest.get("status") == "finished":
        epochs = manifest.get("epochs_done")
        raise _refused(
            Code.RUN_EXISTS,
            f"{folder} holds a finished run ({epochs} epochs); fit does not train over it",
            folder,
            _WAYS_OUT,
        )
    return _plan_interrupted(folder, request, manifest)


_WAYS_OUT = "give a new --run-dir, or --overwrite to remove that run and start again"


def _plan_unmanaged(folder: Path, request: RunRequest) -> Plan:
    """A folder without a manifest: new, empty, someone else's files, or a run of a graphspec before manifests."""
    present = [p for p in existing(folder, request.writes)]
    if {"model.keras", "spec.yaml"} <= set(present):
        raise _refused(
            Code.RUN_EXISTS,
            f"{folder} holds a finished run (model.keras, spec.yaml); fit does not train over it",
            folder,
            _WAYS_OUT,
        )
    if present:
        listed = ", ".join(present[:5]) + (", ..." if len(present) > 5 else "")
        raise _refused(Code.RUN_EXISTS, f"{folder} already holds files this run writes: {listed}", folder, _WAYS_OUT)
    if request.resume:
        raise _refused(
            Code.CANNOT_RESUME, f"there is no run to resume in {folder}", folder, "run without --resume to start it"
        )
    return Plan(folder)


def _plan_interrupted(folder: Path, request: RunRequest, manifest: Mapping[str, Any]) -> Plan:
    earlier = [str(p) for p in manifest.get("writes", [])]
    backup_dir = manifest.get("backup_dir")
    state = (
        read_backup(folder / backup_dir) if isinstance(backup_dir, str) and backup_dir == request.backup_dir else None
    )
    done = state.epoch if state is not None else len(next(iter(read_json(folder / "history.json").values()), []))
    if done == 0:  # nothing finished, nothing to lose: a fresh start
        notice = "an interrupted run that finished no epoch: starting it again"
        return Plan(folder, clear=sorted({*earlier, *request.writes}), notice=notice if not request.resume else None)
    changed = request.fingerprint.differences(manifest.get("fingerprint") or {})
    if changed:
        raise _refused(
            Code.RUN_EXISTS,
            f"{folder} holds an interrupted run ({done} epochs) of another run: {' and '.join(changed)} differ",
            folder,
            _WAYS_OUT,
        )
    if state is None:
        code = Code.CANNOT_RESUME if request.resume else Code.RUN_EXISTS
        why = (
            "it has no BackupAndRestore backup"
            if request.backup_dir is None or backup_dir != request.backup_dir
            else "its backup is missing"
        )
        raise _refused(
            code,
            f"{folder} holds an interrupted run ({done} epochs in history.json) that cannot be resumed: {why}",
            folder,
            _WAYS_OUT,
        )
    stopped = " (it had stopped early: finishing it)" if state.stopped else ""
    return Plan(
        folder,
        backup=state,
        notice=f"resuming the run in {folder} after epoch {state.epoch} of {request.epochs}{stopped}",
    )


def _refused(code: Code, message: str, folder: Path, hint: str) -> SpecError:
    return SpecError([Diagnostic(code, message, (), hint, file=str(folder))])


def _within(folder: Path, path: Path) -> bool:
    """Whether ``path`` itself (not what it may link to) lies in ``folder`` by real path: its own folder,
    every symlink followed, does."""
    base = os.path.realpath(folder)
    return os.path.commonpath([base, os.path.realpath(path.parent)]) == base and path.name not in ("", ".", "..")


def _in_folder(patterns: Iterable[str]) -> Iterator[str]:
    """The patterns that name paths in the folder: a run.json edited by hand may name ``/etc/*`` or ``../*``."""
    for pattern in patterns:
        if (
            isinstance(pattern, str)
            and pattern
            and "\0" not in pattern
            and not looks_absolute(pattern)
            and ".." not in re.split(r"[\\/]", pattern)
        ):
            yield pattern


def existing(folder: Path, patterns: Iterable[str]) -> list[str]:
    """The paths (relative) in ``folder`` that match any of ``patterns``."""
    if not folder.is_dir():
        return []
    found: list[str] = []
    for pattern in _in_folder(patterns):
        found += sorted(str(p.relative_to(folder)) for p in folder.glob(pattern))
    return list(dict.fromkeys(found))


def remove_paths(folder: Path, patterns: Iterable[str]) -> None:
    """Remove what matches ``patterns`` in ``folder`` (files and folders), then the folders they leave empty.

    Only what really lies in the folder is removed: a match reached through a
    symlink that leads out (``logs -> /home/me``, then ``logs/*``) is left alone, a
    symlink matched itself is removed as a link (never what it points to), and a
    pattern that names paths outside (absolute, ``..``) matches nothing.
    """
    parents: set[Path] = set()
    for pattern in _in_folder(patterns):
        for path in folder.glob(pattern):
            if not _within(folder, path):
                continue
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink(missing_ok=True)
            parents.update(p for p in path.parents if folder in p.parents)
    for parent in sorted(parents, key=lambda p: len(p.parts), reverse=True):
        with contextlib.suppress(OSError):
            parent.rmdir()  # only if empty


def remove_temporaries(folder: Path, patterns: Iterable[str]) -> list[Path]:
    """Remove the temporary files a killed run left beside the files it writes
    (``.name.XXXXXXXX``) and in its backup."""
    removed: list[Path] = []
    for pattern in _in_folder(patterns):
        target = folder / pattern
        parent = target.parent
        if not parent.is_dir() or not _within(folder, target):
            continue
        name = re.escape(target.name).replace(r"\*", ".*")
        temp = re.compile(rf"^\.{name}\.[a-z0-9_]{{8}}(\.[\w.]+)?$")
        for entry in parent.iterdir():
            if temp.match(entry.name) or (
                entry.is_dir() and _is_temporary_generation(entry.name) and pattern.endswith("epoch-*")
            ):
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink(missing_ok=True)
                removed.append(entry)
    return removed


# ---------------------------------------------------------------------------
# claiming a folder for a run


class Claim:
    """A run folder held by this process: locked, cleared, with its manifest written."""

    def __init__(self, folder: Path, request: RunRequest, plan: Plan):
        self.folder = folder
        self.request = request
        self.plan = plan
        self.started = time.strftime("%Y-%m-%dT%H:%M:%S%z")

    def write_manifest(self, status: str, **extra: Any) -> None:
        record = {
            "graphspec_run": _FORMAT,
            "status": status,
            "started": self.started,
            "fingerprint": self.request.fingerprint.to_dict(),
            "backup_dir": self.request.backup_dir,
            "epochs": self.request.epochs,
            "writes": list(self.request.writes),
            **extra,
        }
        write_text_atomically(self.folder / MANIFEST, json.dumps(record, indent=2) + "\n")


@contextlib.contextmanager
def claim_run(folder: Path, request: RunRequest) -> Iterator[Claim]:
    """Lock the folder for this run, plan again under the lock, clear what the plan says, and write the manifest.

    Raises:
        SpecError: ``run-in-use`` if another process holds the folder, or what :func:`plan_run` raises.
    """
    folder.mkdir(parents=True, exist_ok=True)
    with _locked(folder):
        plan = plan_run(folder, request)  # again: the folder may have changed since the first look
        remove_paths(folder, plan.clear)
        remove_temporaries(folder, request.writes)
        claim = Claim(folder, request, plan)
        claim.write_manifest("running")
        yield claim


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """An exclusive lock on the folder itself (released by the system however the process ends)."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks on folders; the plan still refuses finished runs
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise _refused(
                Code.RUN_IN_USE,
                f"another process is training in {folder}",
                folder,
                "wait for it to finish, or give another --run-dir",
            ) from None
        yield
    finally:
        os.close(fd)


def own_files(extra: Sequence[str] = ()) -> tuple[str, ...]:
    """The files every run writes in its folder (the manifest, the history), and ``extra``."""
    return (MANIFEST, *HISTORY_FILES, *extra)
