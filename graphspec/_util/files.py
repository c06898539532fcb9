"""Atomic, confined file writes: every file graphspec writes appears whole or not at all, where it was meant to.

A write into a folder graphspec owns (a run folder) names that folder as
``inside``: the real path of the file's folder, every symlink followed, must lie
in the real path of ``inside``. A reused run folder may hold symlinks (``logs ->
/etc``); a write through one is refused (``unsafe-path``) instead of followed.
The final rename never follows a symlink at the target itself: it replaces the
link, not what it points to.
"""

from __future__ import annotations

import os
import posixpath
import re
import sys
from collections.abc import Callable
from pathlib import Path

__all__ = [
    "confined",
    "looks_absolute",
    "regenerate",
    "replace_atomically",
    "write_bytes_atomically",
    "write_text_atomically",
]

Where = str | os.PathLike[str]


def confined(root: Where, relative: Where) -> Path:
    """``root / relative``, if its real path stays inside ``root``'s real path.

    Symlinks are followed as far as the path exists (``os.path.realpath``), so
    a link inside ``root`` that points out is caught, and so is ``..``.

    Raises:
        SpecError: ``unsafe-path`` naming the path and where it leads.
    """
    target = Path(root) / relative
    base = os.path.realpath(root)
    real = os.path.realpath(target)
    if os.path.commonpath([base, real]) != base:
        from graphspec.errors import Code, Diagnostic, SpecError

        message = f"{target} leads outside {root} (to {real}): graphspec writes only inside the folder it owns"
        raise SpecError([Diagnostic(Code.UNSAFE_PATH, message, (), "remove the symlink, or use a fresh folder")])
    return target


def replace_atomically(
    path: Where, write: Callable[[str], object], suffix: str = "", *, inside: Where | None = None
) -> None:
    """Let ``write`` fill a temporary file beside ``path``, then rename it into place.

    The temporary file is removed on any failure or interruption, so ``path`` holds
    either its previous content or the new one. ``suffix`` keeps writers that add
    an extension (``np.savez``) or check one (Keras' ``model.save``) content.
    The file gets the usual umask-based mode, not ``mkstemp``'s private 0600.
    With ``inside``, the file's folder must really lie inside that folder (see :func:`confined`).

    Raises:
        SpecError: ``unsafe-path`` for a write that would leave ``inside``.
        OSError: when the file cannot be written.
    """
    import tempfile  # writers only: `validate` imports this module for looks_absolute

    target = Path(path)
    if inside is not None:
        confined(inside, os.path.relpath(target.parent, inside))
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix, dir=target.parent)
    os.close(fd)
    try:
        write(tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_bytes_atomically(path: Where, content: bytes, *, inside: Where | None = None) -> None:
    replace_atomically(path, lambda tmp: Path(tmp).write_bytes(content), inside=inside)


def write_text_atomically(path: Where, text: str, *, inside: Where | None = None) -> None:
    write_bytes_atomically(path, text.encode("utf-8"), inside=inside)


def looks_absolute(path: str) -> bool:
    """Whether a path from a spec is absolute on any system (``/x``, ``\\server``, ``C:x``).

    Spec files travel between machines, so a Windows path is refused on Linux too.
    """
    return posixpath.isabs(path) or path.startswith("\\") or re.match(r"^[A-Za-z]:", path) is not None


def regenerate(path: Path, text: str, *, check: bool, command: str) -> bool:
    """Bring a generated file up to date: leave it when it already holds ``text``, else write it
    atomically (or, with ``check``, write nothing). Says which on stderr; ``False`` means stale.
    ``command`` is the one that regenerates the file, named in the stale message."""
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        print(f"{path}: current", file=sys.stderr)
        return True
    if check:
        print(f"{path}: stale (run {command})", file=sys.stderr)
        return False
    write_text_atomically(path, text)
    print(f"wrote {path} ({len(text):,} bytes)", file=sys.stderr)
    return True
