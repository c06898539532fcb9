"""Values of ``op:`` nodes that are not plain numbers: tensor constants and indices.

* A constant tensor is a (nested) list of numbers, rectangular, as ``x + [1.0, 2.0, 3.0]``
  or ``preprocess_input``'s mean is written: ``{op: add, inputs: x, x2: [-103.9, -116.8, -123.7]}``.
  Keras makes float lists float32 and integer lists int32.
* The ``key`` of ``get_item`` (``x[...]``) is an index written as data: an integer, ``null``
  (a new axis, Python's ``None``), ``"..."`` (``Ellipsis``), a slice ``"start:stop:step"``
  (any part may be empty: ``":"``, ``"1:3"``, ``"::-1"``), or a list of these for several
  axes. ``x[:, None]`` is ``key: [":", null]``; ``x[..., 0]`` is ``key: ["...", 0]``.

Pure data both ways: :func:`check_value` (validate, no TensorFlow), :func:`to_python`
(emit; it needs NumPy) and :func:`from_python` (import).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from graphspec.errors import Code, Diagnostic, Path

__all__ = ["MAX_CONSTANT_VALUES", "check_value", "from_python", "to_python"]

# Arguments whose value is an index (`x[key]`), not a tensor constant.
_INDEX_ARGS = {("get_item", "key")}
_SLICE = re.compile(r"(-?[0-9]+)?:(-?[0-9]+)?(?::(-?[0-9]+)?)?")
# The most values one constant written inline may hold (larger ones belong in a layer's weights).
MAX_CONSTANT_VALUES = 65_536
_INDEX_HINT = (
    'an index is an integer, null (new axis), "..." or a slice "start:stop:step"; '
    'a list of them indexes several axes: [":", null]'
)


def _is_index(op: str, name: str) -> bool:
    return (op, name) in _INDEX_ARGS


def check_value(op: str, name: str, value: Any, path: Path) -> Iterator[Diagnostic]:
    """Problems with an op's constant argument: a malformed index,
    or a list that is not a rectangular array of numbers."""
    if _is_index(op, name):
        items = value if isinstance(value, list) else [value]
        for i, item in enumerate(items):
            where = (*path, i) if isinstance(value, list) else path
            problem = _index_problem(item)
            if problem is not None:
                yield Diagnostic(Code.BAD_ARGUMENT, f"op {op!r} {name}: {problem}", where, _INDEX_HINT)
        return
    if isinstance(value, list):
        problem = _array_problem(value)
        if problem is not None:
            yield Diagnostic(
                Code.BAD_ARGUMENT,
                f"op {op!r} {name}: {problem}",
                path,
                "write a constant as a rectangular (nested) list of numbers",
            )


def _index_problem(item: Any) -> str | None:
    if item is None or item == "..." or (isinstance(item, int) and not isinstance(item, bool)):
        return None
    if isinstance(item, str):
        m = _SLICE.fullmatch(item)
        if m is None:
            return f"{item!r} is not an index or a slice"
        if m.group(3) is not None and int(m.group(3)) == 0:
            return f"slice {item!r} has step 0"
        return None
    return f"{item!r} is not an index"


def _array_problem(value: list[Any]) -> str | None:
    """Whether nested lists form an array of numbers (or booleans) of one shape, within the size bound."""
    level: list[Any] = [value]
    count = 0
    while level:
        if all(isinstance(v, list) for v in level):
            lengths = {len(v) for v in level}
            if len(lengths) > 1:
                return "a constant's lists at one depth must all have the same length"
            level = [x for v in level for x in v]
            continue
        if any(isinstance(v, list) for v in level):
            return "a constant mixes numbers and lists at one depth"
        if not all(isinstance(v, int | float) for v in level):
            return "a constant holds only numbers"
        count = len(level)
        break
    if count > MAX_CONSTANT_VALUES:
        return f"a constant of {count:,} values is more than a spec writes inline ({MAX_CONSTANT_VALUES:,})"
    return None


def to_python(op: str, name: str, value: Any) -> Any:
    """The Python value an op is called with: an index as slices, ``None`` and ``Ellipsis``; a list
    as a NumPy array of the dtype Keras gives such a list (float32, int32, bool), as an op's call
    needs a tensor, not a list. Numbers stay Python numbers."""
    if _is_index(op, name):
        return tuple(_index(v) for v in value) if isinstance(value, list) else _index(value)
    if isinstance(value, list):
        import numpy as np

        array = np.asarray(value)
        kind = {"f": "float32", "i": "int32", "u": "int32", "b": "bool"}.get(array.dtype.kind)
        return array.astype(kind) if kind is not None else array
    return value


def _index(item: Any) -> Any:
    if item == "...":
        return Ellipsis
    if isinstance(item, str):
        m = _SLICE.fullmatch(item)
        assert m is not None, "check_value ran first"
        return slice(*(None if g is None else int(g) for g in m.groups()))
    return item


def from_python(op: str, name: str, value: Any) -> Any:
    """An index or constant as spec data; ``ValueError`` saying why when a spec cannot write it."""
    if _is_index(op, name):
        if isinstance(value, tuple | list):
            return [_index_data(v) for v in value]
        return _index_data(value)
    return value


def _index_data(item: Any) -> Any:
    if item is Ellipsis:
        return "..."
    if item is None or (isinstance(item, int) and not isinstance(item, bool)):
        return item
    if isinstance(item, slice):
        parts = [item.start, item.stop, item.step]
        if not all(p is None or (isinstance(p, int) and not isinstance(p, bool)) for p in parts):
            raise ValueError(f"slice {item!r} has bounds that are not integers")
        text = ":".join("" if p is None else str(p) for p in parts[:2])
        return text + (f":{item.step}" if item.step is not None else "")
    raise ValueError(f"index {item!r} is not an integer, None, Ellipsis or a slice")
