"""Layer arguments: the value rules a plain argument is held to, and the hints for misplaced ones.

A node's arguments sit beside its ``layer:`` (:func:`graphspec.catalog.nodes.check_layer_args`
walks them). An argument naming an object (``activation``, ``*_initializer``) is
:mod:`graphspec.catalog.objects`' job, a layer-valued one (``wraps``) the nodes'.
What is left is plain data, checked here: the arguments people write most by
rule (``units`` a positive integer, ``padding`` one of its choices, ``rate`` in
[0, 1)), the others by the type of their default, and ``dtype`` by name; and
the hint for an unknown layer or op name, shared by nodes and ops.
:mod:`graphspec.schema` and the language server read the same tables.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from graphspec._util.suggest import did_you_mean
from graphspec.catalog._builtin import LayerInfo, Param
from graphspec.errors import Code, Diagnostic, Path
from graphspec.source import bool_hint, number_hint
from graphspec.spec import DTYPES

__all__ = ["DTYPE_POLICIES"]

# Arguments Keras layers take that a spec writes elsewhere, and where (the hint for a node that gives one).
_STRUCTURAL_HINTS = {
    "name": "a node's name is its key under `nodes:`",
    "input_shape": "declare shapes in the `inputs:` section",
    "input_dim": "declare shapes in the `inputs:` section",
    "batch_input_shape": "declare shapes in the `inputs:` section",
    "batch_size": "declare the batch size in the `inputs:` section",
    "input_length": "declare the sequence length in the input's `shape`",
    "from": "`from` belongs to an output, not a node",
}

# Mixed-precision policies a `dtype` may name besides the dtypes themselves.
DTYPE_POLICIES = ("mixed_float16", "mixed_bfloat16")


# Lookup layers whose vocabulary, given as a string, Keras reads from a file.
_VOCAB_LAYERS = {"StringLookup", "IntegerLookup", "TextVectorization"}
_FILE_PARAMS = {"vocabulary", "idf_weights"}


def _unknown(
    code: Code, what: str, name: str, names: list[str], path: Path, by_path: str, otherwise: str
) -> Diagnostic:
    """An unknown layer or op name: the closest names, or why an import path is no name."""
    hint = by_path if re.search(r"[.:/]", name) else did_you_mean(name, names)
    return Diagnostic(code, f"unknown {what} {name!r}", path, hint or otherwise)


# Value rules for the arguments people write most; other arguments are held to
# the type of their default (a bool default takes a bool, a float one a number).
_POSITIVE_INT = (
    "units",
    "filters",
    "input_dim",
    "output_dim",
    "num_heads",
    "key_dim",
    "depth_multiplier",
    "n",
    "num_bins",
)
_SIZE = ("kernel_size", "pool_size", "strides", "dilation_rate", "size")
_RATE = ("rate", "dropout", "recurrent_dropout")
_CHOICES = {
    "padding": ("valid", "same", "causal"),
    "data_format": ("channels_last", "channels_first"),
    "merge_mode": ("concat", "sum", "ave", "mul"),
}


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _check_plain_value(info: LayerInfo, key: str, param: Param | None, value: Any, path: Path) -> Iterator[Diagnostic]:
    owner = f"{info.name}.{key}"
    if value is None:
        if param is not None and param.required:
            yield Diagnostic(Code.WRONG_TYPE, f"{owner} is required and cannot be null", path, f"give {key} a value")
        return
    if (
        key in _CHOICES
        and isinstance(value, str)
        and (param is None or param.default is None or isinstance(param.default, str))
    ):
        choices = _CHOICES[key]
        if value not in choices:
            hint = did_you_mean(value, choices, otherwise="choose one of " + ", ".join(repr(c) for c in choices))
            yield Diagnostic(
                Code.BAD_VALUE,
                f"{owner} must be one of {', '.join(repr(c) for c in choices)}; got {value!r}",
                path,
                hint,
            )
        return
    if key in _POSITIVE_INT:
        if not _is_int(value) or value < 1:
            yield Diagnostic(
                _type_or_value(value, _is_int),
                f"{owner} must be a positive integer; got {value!r}",
                path,
                number_hint(value, integer=True),
            )
        return
    if key in _SIZE:
        items = value if isinstance(value, list) else [value]
        if not items or not all(_is_int(v) and v >= 1 for v in items):
            yield Diagnostic(
                _type_or_value(value, lambda v: _is_int(v) or (isinstance(v, list) and all(_is_int(i) for i in v))),
                f"{owner} must be a positive integer or a list of them; got {value!r}",
                path,
                number_hint(value, integer=True),
            )
        return
    if key in _RATE:
        if not _is_number(value) or not 0 <= value < 1:
            yield Diagnostic(
                _type_or_value(value, _is_number),
                f"{owner} must be a number in [0, 1); got {value!r}",
                path,
                number_hint(value, integer=False),
            )
        return
    default = param.default if param is not None else None
    if isinstance(default, bool):
        if not isinstance(value, bool):
            yield Diagnostic(
                Code.WRONG_TYPE,
                f"{owner} must be true or false; got {value!r}",
                path,
                bool_hint(value) or "write true or false",
            )
    elif isinstance(default, float):
        if not _is_number(value):
            yield Diagnostic(
                Code.WRONG_TYPE, f"{owner} must be a number; got {value!r}", path, number_hint(value, integer=False)
            )
    elif _is_int(default):
        if not (_is_int(value) or (isinstance(value, list) and all(_is_int(v) for v in value))):
            yield Diagnostic(
                Code.WRONG_TYPE, f"{owner} must be an integer; got {value!r}", path, number_hint(value, integer=True)
            )
    elif isinstance(default, str) and not isinstance(value, str):
        yield Diagnostic(Code.WRONG_TYPE, f"{owner} must be a string such as {default!r}; got {value!r}", path)


def _type_or_value(value: Any, right_type: Any) -> Code:
    return Code.BAD_VALUE if right_type(value) else Code.WRONG_TYPE


def _check_dtype(value: Any, path: Path) -> Iterator[Diagnostic]:
    allowed = [*DTYPES, *DTYPE_POLICIES]
    if value is not None and value not in allowed:
        hint = did_you_mean(str(value), allowed) or "write a dtype name such as float32 or mixed_float16"
        yield Diagnostic(Code.BAD_ARGUMENT, f"dtype must be a dtype or policy name; got {value!r}", path, hint)
