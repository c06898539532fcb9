"""What graphspec's commands print, and what TensorFlow prints behind their backs.

Three concerns of the terminal, a log file and a CI log alike:

* TensorFlow's start-up noise. Importing TensorFlow prints absl's ``WARNING: All
  log messages before absl::InitializeLog()`` line, ``I0000``/``E0000`` lines from
  the CUDA stubs (``cudart_stub.cc``, ``failed call to cuInit``), oneDNN and CPU
  feature notices. Most are written by native code before TensorFlow reads
  ``TF_CPP_MIN_LOG_LEVEL``, so no setting made from Python silences them; the only
  way is to point file descriptor 2 elsewhere while TensorFlow starts.
  :func:`quiet_tensorflow_start` (which the command line calls) does that when
  TensorFlow is first imported, then writes back whatever it caught that is not
  one of those lines (a real error is never swallowed). ``GRAPHSPEC_TF_LOGS=1``
  turns this off.
* Whether output goes to a person (a terminal, a notebook) or to a file, where
  progress bars' carriage returns and colour codes are noise (:func:`is_interactive`).
* Keras' model summary, which ``rich`` crops to 80 columns when it does not write
  to a terminal (:func:`print_keras_summary`).

No TensorFlow here.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.machinery
import importlib.util
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from typing import Any, TextIO

from graphspec._util.keras import quiet_native_logs

__all__ = ["TF_LOGS_VARIABLE", "is_interactive", "is_noise", "print_keras_summary", "quiet_tensorflow_start"]

TF_LOGS_VARIABLE = "GRAPHSPEC_TF_LOGS"

# Lines TensorFlow, XLA and absl print while starting, in their two formats:
#   absl:  "I0000 00:00:1712345678.123456   12345 cudart_stub.cc:31] Could not find cuda drivers ..."
#          (before absl::InitializeLog() its clock field is seconds since the epoch)
#   tsl:   "2024-05-01 12:00:00.123456: I tensorflow/core/util/port.cc:113] oneDNN custom operations are on ..."
# F (fatal) lines are never noise.
_NOISE = (
    re.compile(r"^WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR$"),
    re.compile(r"^[IWE]\d{4} [\d:.]+\s+\d+ [\w./-]+:\d+\] "),
    re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: [IWE] [\w./-]+:\d+\] "),
    # The continuation line of cpu_feature_guard's notice.
    re.compile(r"^To enable the following instructions: .*rebuild TensorFlow with the appropriate compiler flags\.$"),
)


def is_noise(line: str) -> bool:
    """Whether a line of stderr is one of TensorFlow's start-up notices (not an error of graphspec's or the user's)."""
    return any(p.match(line) for p in _NOISE)


def quiet_tensorflow_start() -> None:
    """From now on, import TensorFlow with its start-up lines kept off stderr (for the command line).

    Installs an import hook: whenever TensorFlow is first imported (by Keras, by
    graphspec's build or training), the import and the device discovery that
    follows (``cuInit``, the GPU probe) run with file descriptor 2 pointed at a
    temporary file, and whatever else was written there meanwhile (a traceback
    from native code, a Python warning) is written back. A command that never
    needs TensorFlow never imports it. Does nothing if TensorFlow is already
    imported or ``GRAPHSPEC_TF_LOGS`` is set (to anything but ``0``); sets
    ``TF_CPP_MIN_LOG_LEVEL=2`` (warnings off, errors on) unless it is set already.
    """
    quiet_native_logs()
    if "tensorflow" in sys.modules or os.environ.get(TF_LOGS_VARIABLE, "0") not in ("", "0"):
        return
    if not any(isinstance(f, _QuietStart) for f in sys.meta_path):
        sys.meta_path.insert(0, _QuietStart())


class _QuietStart(importlib.abc.MetaPathFinder):
    """Finds ``tensorflow`` as the other finders do, with a loader that runs it quietly (see above)."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        if fullname != "tensorflow":
            return None
        sys.meta_path.remove(self)  # once: the real finders do the finding
        spec = importlib.util.find_spec(fullname)
        if spec is not None and spec.loader is not None:
            spec.loader = _QuietLoader(spec.loader)
        return spec


class _QuietLoader(importlib.abc.Loader):
    def __init__(self, inner: Any):
        self.inner = inner

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> Any:
        return self.inner.create_module(spec)

    def exec_module(self, module: Any) -> None:
        with _stderr_filtered():
            self.inner.exec_module(module)
            # Device discovery (cuInit, the GPU probe) happens on first use, not at import.
            module.config.list_physical_devices()

    def __getattr__(self, name: str) -> Any:  # resource readers and the like: the real loader's
        return getattr(self.inner, name)


@contextlib.contextmanager
def _stderr_filtered() -> Iterator[None]:
    """Point file descriptor 2 at a temporary file; write back its lines that are not noise."""
    with contextlib.suppress(Exception):
        sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as caught:
        os.dup2(caught.fileno(), 2)
        try:
            yield
        finally:
            with contextlib.suppress(Exception):
                sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            caught.seek(0)
            kept = [line for line in caught.read().decode("utf-8", "replace").splitlines() if not is_noise(line)]
            if kept:
                sys.stderr.write("\n".join(kept) + "\n")


def is_interactive(stream: TextIO | None = None) -> bool:
    """Whether ``stream`` (default stdout) reaches a person who sees a progress bar redrawn in place.

    A terminal or a Jupyter kernel; not a pipe, a file or a CI log. (Keras' own
    test also counts every POSIX system as interactive, which is why its bar fills
    log files with carriage returns and colour codes.)
    """
    stream = stream if stream is not None else sys.stdout
    isatty = getattr(stream, "isatty", None)
    try:
        if isatty is not None and isatty():
            return True
    except ValueError:  # a closed stream
        return False
    return "ipykernel" in sys.modules


# Wide enough for Keras' widest summary table (120 columns) and long layer names.
_LOG_COLUMNS = 200


def print_keras_summary(model: Any, stream: TextIO | None = None) -> None:
    """Print ``model.summary()`` whole: the terminal's width on a terminal, else the full table without colour codes."""
    stream = stream if stream is not None else sys.stdout
    if is_interactive(stream):
        model.summary()
        return
    # rich (which Keras draws the table with) crops to $COLUMNS, or 80, when not writing to a terminal.
    saved = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(_LOG_COLUMNS)
    try:
        model.summary(print_fn=lambda text, **_: stream.write(text if text.endswith("\n") else text + "\n"))
    finally:
        if saved is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = saved
