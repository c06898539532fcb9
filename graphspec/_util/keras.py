"""The one quiet Keras import, and Keras' own reason for an error it raised."""

from __future__ import annotations

import os
import re
from typing import Any

__all__ = ["import_keras", "quiet_native_logs", "reason"]

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def quiet_native_logs() -> None:
    """Keep TensorFlow's native INFO and WARNING lines off stderr (errors still show), unless the user set the level."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def import_keras() -> Any:
    """The ``keras`` module, imported with TensorFlow's native start-up notices kept quiet."""
    quiet_native_logs()
    import keras as keras_module

    return keras_module


def reason(exc: BaseException) -> str:
    """Keras' own reason, without terminal colours and call-site boilerplate."""
    text = _ANSI.sub("", str(exc)).split("Arguments received by")[0].strip() or type(exc).__name__
    lines = [
        ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("Exception encountered when calling")
    ]
    short = " ".join(lines[:4])
    return short if len(short) <= 500 else short[:497] + "..."
