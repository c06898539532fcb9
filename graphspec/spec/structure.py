"""The structure of a model's inputs and outputs: trees of names, as Keras nests tensors.

A tree is a name (a leaf), a list of trees, or a mapping of keys to trees. In a
``structure:`` section the leaves name the spec's inputs and outputs, and a key whose
value is a leaf is that leaf's name (``{image: image}``), as Keras wants dict keys to
be the names of the tensors they hold; a key over a nested tree is free. In
``models:`` the output leaves are references (``enc:1``). Pure Python: no Keras.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from graphspec.errors import Code, Diagnostic, Path

__all__ = ["check_tree", "default_tree", "is_default", "leaves", "pack"]

# A tree nests no deeper than this (the loader bounds nesting in general; this keeps messages short).
MAX_TREE_DEPTH = 8


def default_tree(names: list[str]) -> Any:
    """The structure Keras gives a model built from a plain tensor or list: one name alone, several as a list."""
    return names[0] if len(names) == 1 else list(names)


def is_default(tree: Any, names: list[str]) -> bool:
    """Whether ``tree`` is what a model without a ``structure`` gets (so it need not be written)."""
    return bool(tree == default_tree(names))


def leaves(tree: Any, path: Path = ()) -> Iterator[tuple[Any, Path]]:
    """Every leaf of a tree with its path inside it, in the order written."""
    if isinstance(tree, Mapping):
        for key, value in tree.items():
            yield from leaves(value, (*path, key))
    elif isinstance(tree, list):
        for i, value in enumerate(tree):
            yield from leaves(value, (*path, i))
    else:
        yield tree, path


def pack(tree: Any, leaf: Callable[[Any], Any]) -> Any:
    """The tree with each leaf replaced by ``leaf(name)``: dicts stay dicts, lists lists."""
    if isinstance(tree, Mapping):
        return {key: pack(value, leaf) for key, value in tree.items()}
    if isinstance(tree, list):
        return [pack(value, leaf) for value in tree]
    return leaf(tree)


def check_tree(tree: Any, path: Path, *, keyed_by_name: bool) -> Iterator[Diagnostic]:
    """The form of a tree: leaves are strings, mappings have string keys, nesting is bounded, nothing is empty.

    With ``keyed_by_name``, a mapping key over a leaf must be that leaf (Keras matches
    dict keys to tensor names).
    """
    stack: list[tuple[Any, Path, int]] = [(tree, path, 0)]
    while stack:
        value, where, depth = stack.pop()
        if depth > MAX_TREE_DEPTH:
            yield Diagnostic(Code.BAD_VALUE, f"the structure nests deeper than {MAX_TREE_DEPTH} levels", where)
        elif isinstance(value, (Mapping, list)):
            if not value:
                yield Diagnostic(
                    Code.BAD_VALUE,
                    "an empty list or mapping holds no tensor",
                    where,
                    "leave it out, or list the names it holds",
                )
            items = value.items() if isinstance(value, Mapping) else enumerate(value)
            for key, item in items:
                if keyed_by_name and isinstance(key, str) and isinstance(item, str) and key != item:
                    hint = (
                        f"write `{item}: {item}` (a key is the name of the tensor under it), "
                        f"or rename the output to {key!r}"
                    )
                    yield Diagnostic(
                        Code.BAD_VALUE,
                        f"key {key!r} holds {item!r}: a mapping's keys are the names of the tensors it holds",
                        (*where, key),
                        hint,
                        at_key=True,
                    )
                stack.append((item, (*where, key), depth + 1))
        elif not isinstance(value, str):
            yield Diagnostic(
                Code.WRONG_TYPE, f"a structure leaf is a name; got {type(value).__name__} {value!r}", where
            )
