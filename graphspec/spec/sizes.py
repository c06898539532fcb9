"""Size arguments as a spec may write them: ``kernel_size: 3`` for Keras' ``(3, 3)``."""

from __future__ import annotations

from typing import Any

__all__ = ["uniform_int"]


def uniform_int(value: Any) -> int | None:
    """``3`` for ``[3, 3]`` or ``[[3, 3], [3, 3]]``; ``None`` for anything else."""
    flat: list[Any] = []
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, list):
            stack.extend(v)
        else:
            flat.append(v)
    if isinstance(value, list) and flat and all(type(v) is int and v == flat[0] for v in flat):
        return int(flat[0])
    return None
