"""Write a benchmark's results as ``benchmarks/results/<name>.json``, in the schema the docs render.

The schema is described in ``benchmarks/results/README.md``: ``benchmark``, ``command``,
``machine``, ``date``, an optional ``note`` and ``columns``, and the ``rows``. A script
calls :func:`add_arguments` on its parser (``--json PATH``, ``--no-json``) and, once it has
printed its figures as before, :func:`write_results` with the same figures as rows::

    if args.json:
        write_results("build_speed", rows, columns=COLUMNS, note="...", path=args.json)

The load average at the start of the run is read when this module is imported, which the
scripts do before they measure anything; the one at the end when the file is written.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import math
import os
import platform
import shlex
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"


def _load() -> float | None:
    """The 1-minute load average, or None where the system has none."""
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return None


_START_LOAD = _load()


def add_arguments(parser: argparse.ArgumentParser, name: str) -> None:
    """Add ``--json PATH`` and ``--no-json``: ``args.json`` is then the file to write, or None for none."""
    group = parser.add_mutually_exclusive_group()
    default = RESULTS / f"{name}.json"
    shown = default.relative_to(ROOT).as_posix()
    group.add_argument("--json", metavar="PATH", type=Path, default=default, help=f"results file (default {shown})")
    group.add_argument("--no-json", dest="json", action="store_const", const=None, help="write no results file")


def command() -> str:
    """The command line that is running, as ``python benchmarks/<script>.py ARGS``."""
    script = Path(sys.argv[0])
    try:
        shown = script.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        shown = sys.argv[0]
    return shlex.join(["python", shown, *sys.argv[1:]])


def machine() -> str:
    """The platform, its cores, Python, the process's niceness, and the load average at the run's start and end."""
    parts = [f"{platform.system()} {platform.release()} {platform.machine()}", f"{os.cpu_count()} cores"]
    parts.append(f"Python {platform.python_version()}")
    with contextlib.suppress(AttributeError, OSError):
        if (niceness := os.getpriority(os.PRIO_PROCESS, 0)) > 0:
            parts.append(f"under nice {niceness}")
    start, end = _START_LOAD, _load()
    if start is not None and end is not None:
        parts.append(f"load average {start:.1f} at the start, {end:.1f} at the end")
    return ", ".join(parts)


def _plain(value: Any) -> Any:
    """A JSON value: numpy scalars as Python numbers, NaN and infinities as null (an empty cell)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if not isinstance(value, (str, bytes, bool, int, float)) and hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def write_results(
    name: str,
    rows: Sequence[Mapping[str, Any]],
    *,
    columns: Sequence[Mapping[str, Any]] | None = None,
    note: str | None = None,
    path: Path | str | None = None,
) -> Path | None:
    """Write the results file of benchmark ``name`` atomically, at ``path`` (default benchmarks/results/NAME.json).

    Without rows nothing is written (the docs build refuses a table without rows): the
    file already there stays, and None is returned. Says on stderr what it wrote, so the
    script's printed output stays as it was.
    """
    target = Path(path) if path is not None else RESULTS / f"{name}.json"
    if not rows:
        print(f"{name}: no rows measured; {target} not written", file=sys.stderr)
        return None
    data: dict[str, Any] = {
        "benchmark": name,
        "command": command(),
        "machine": machine(),
        "date": datetime.date.today().isoformat(),
    }
    if note:
        data["note"] = note
    if columns:
        data["columns"] = [dict(c) for c in columns]
    data["rows"] = [dict(r) for r in rows]
    text = json.dumps(_plain(data), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # mkstemp's 0600, as any other new file instead
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    print(f"{name}: results written to {target}", file=sys.stderr)
    return target
