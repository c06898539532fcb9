"""Atomic file writes: every file graphspec writes appears whole or not at all."""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Callable
from pathlib import Path

__all__ = ["looks_absolute", "replace_atomically", "write_bytes_atomically", "write_text_atomically"]


def replace_atomically(path: str | os.PathLike[str], write: Callable[[str], object], suffix: str = "") -> None:
    """Let ``write`` fill a temporary file beside ``path``, then rename it into place.

    The temporary file is removed on any failure or interruption, so ``path`` holds
    either its previous content or the new one. ``suffix`` keeps writers that add
    an extension (``np.savez``) or check one (Keras' ``model.save``) content.
    The file gets the usual umask-based mode, not ``mkstemp``'s private 0600.
    """
    import tempfile  # writers only: `validate` imports this module for looks_absolute

    target = Path(path)
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


def write_bytes_atomically(path: str | os.PathLike[str], content: bytes) -> None:
    replace_atomically(path, lambda tmp: Path(tmp).write_bytes(content))


def write_text_atomically(path: str | os.PathLike[str], text: str) -> None:
    write_bytes_atomically(path, text.encode("utf-8"))


def looks_absolute(path: str) -> bool:
    """Whether a path from a spec is absolute on any system (``/x``, ``\\server``, ``C:x``).

    Spec files travel between machines, so a Windows path is refused on Linux too.
    """
    return posixpath.isabs(path) or path.startswith("\\") or re.match(r"^[A-Za-z]:", path) is not None
