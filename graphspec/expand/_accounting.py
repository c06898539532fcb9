"""What expansion produces, counted against its bounds, and the files it reads.

Expansion multiplies: ``repeat: 100000`` copies a block's nodes with every value
in them, a ``${a}${a}`` default doubles a string, eight ``model:`` nodes inline one
file eight times. Counting what was *written* says nothing about that, so
:class:`Tally` counts what expansion *makes*, as it makes it:

* nodes, every copy of every block and every node of an inline model inside one
  (against ``Budget.max_nodes``);
* values, every scalar, list and mapping of every copy (against
  ``Limits.max_values``, the bound data from Python is held to);
* characters of the strings expressions create (against ``Limits.max_expansion
  × Limits.max_bytes`` in all, and ``Limits.max_bytes`` for any one string),
  counted *before* a string is joined, so a doubling default fails before it
  allocates.

:class:`SpecFiles` is the one place expansion opens files: confined to the root
spec's folder tree by real path, read through :mod:`graphspec.source.limits`, each
distinct file (by real path, however it is spelled: ``blk``, ``./blk``,
``././blk``) parsed once, and all of them together bounded by
``Limits.max_bytes``. A ``model:`` file is expanded once per set of ``params``,
and what it makes is counted again at every node that names it.

Both are shared by the nested expansions of ``model:`` files, so no level gets a
fresh budget.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from graphspec._util.files import looks_absolute
from graphspec.errors import Code, Diagnostic, SpecError
from graphspec.source import Document, parse_file
from graphspec.source.limits import Limits

__all__ = ["MAX_FILES", "Exhausted", "SpecFiles", "Tally", "inline_nodes"]

MAX_FILES = 64


class Exhausted(Exception):
    """A bound of :class:`Tally` is passed; ``code``, ``message`` and ``hint`` say which."""

    def __init__(self, code: Code, message: str, hint: str):
        super().__init__(message)
        self.code = code
        self.message = message
        self.hint = hint


_RAISE_NODES = (
    "lower `repeat` or the parameters that set it, or raise the budget with --max-nodes if the spec is trusted"
)
_RAISE_VALUES = (
    "lower `repeat`, or move large lists out of repeated blocks; raise Limits(max_values=...) if the spec is trusted"
)
_RAISE_CHARS = (
    "expressions that repeat a string grow it exponentially; raise Limits(max_bytes=..., "
    "max_expansion=...) if the spec is trusted"
)


@dataclass
class Tally:
    """Nodes, values and created characters of one expansion so far, and their bounds."""

    max_nodes: int
    max_values: int
    max_chars: int
    max_string: int
    nodes: int = 0
    values: int = 0
    chars: int = 0
    spent: bool = False  # a bound was passed: the whole expansion stops, reported once

    @classmethod
    def of(cls, limits: Limits, max_nodes: int) -> Tally:
        return cls(max_nodes, limits.max_values, limits.max_expansion * limits.max_bytes, limits.max_bytes)

    def add_nodes(self, n: int) -> None:
        self.nodes += n
        if self.nodes > self.max_nodes:
            self.spent = True
            raise Exhausted(
                Code.TOO_MANY_NODES,
                f"expanding this spec makes more than {self.max_nodes:,} nodes and block copies, over the budget",
                _RAISE_NODES,
            )

    def add_values(self, n: int) -> None:
        self.values += n
        if self.values > self.max_values:
            raise self.too_many_values()

    def too_many_values(self) -> Exhausted:
        self.spent = True
        message = (
            f"expanding this spec makes more than {self.max_values:,} values (every copy of a repeated "
            "block counted), over the limit"
        )
        return Exhausted(Code.TOO_MANY_NODES, message, _RAISE_VALUES)

    def add_string(self, length: int) -> None:
        """Count a string about to be created (checked before it is joined)."""
        if length > self.max_string:
            self.spent = True
            raise Exhausted(
                Code.BAD_EXPRESSION,
                f"this expression would make a string of {length:,} characters; the limit is {self.max_string:,}",
                _RAISE_CHARS,
            )
        self.chars += length
        if self.chars > self.max_chars:
            self.spent = True
            message = (
                f"expressions in this spec make more than {self.max_chars:,} characters of strings, over the limit"
            )
            raise Exhausted(Code.BAD_EXPRESSION, message, _RAISE_CHARS)


def inline_nodes(node: object) -> int:
    """Nodes of the inline models inside a node (``model: {nodes: ...}``), at every depth."""
    count = 0
    stack = [node]
    while stack:
        item = stack.pop()
        model = item.get("model") if isinstance(item, dict) else None
        nodes = model.get("nodes") if isinstance(model, dict) else None
        if isinstance(nodes, dict):
            count += len(nodes)
            stack.extend(nodes.values())
    return count


def value_count(value: object) -> int:
    """Values in plain data, itself included (every list, mapping and scalar)."""
    count = 0
    stack = [value]
    while stack:
        item = stack.pop()
        count += 1
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return count


def is_stream(file: str) -> bool:
    """Whether a spec's file name is a pipe or standard input (``-``, ``/dev/stdin``,
    ``<(...)``), not a file in a folder.

    A name that is not on disk (an editor's unsaved buffer) still names a folder.
    """
    return file == "-" or (os.path.exists(file) and not os.path.isfile(file))


def folder_of(file: str) -> str:
    """The folder a spec's files are relative to: its own, or the current one for a pipe
    (``<(...)``, standard input)."""
    return os.getcwd() if is_stream(file) else os.path.dirname(os.path.realpath(file))


@dataclass
class SpecFiles:
    """The files one spec names (includes, ``model:`` files): confined, parsed once each, bounded together.

    ``base`` is the root spec's real folder: every file must lie under it, by
    real path (so ``..``, absolute paths and symlinks leading out are refused).
    ``read`` counts the bytes of every distinct file, the root's own included.
    """

    limits: Limits
    base: str | None
    read: int = 0
    documents: dict[str, Document] = field(default_factory=dict)
    # A `model:` file expanded with given params, by (real path, params): the result and the nodes and values it made.
    expanded: dict[tuple[str, str], tuple[Document, int, int]] = field(default_factory=dict)

    @classmethod
    def of(cls, root: Document, limits: Limits) -> SpecFiles:
        if root.file is None:
            return cls(limits, None)
        real = os.path.realpath(root.file)
        files = cls(
            limits,
            os.path.realpath(folder_of(root.file)),
            len(root.text.encode("utf-8")) if root.text is not None else 0,
        )
        files.documents[real] = root
        return files

    def confine(self, rel: str, doc: Document) -> tuple[str, str] | Diagnostic:
        """The path ``rel`` names from ``doc`` and its real path, or why it may not be read."""
        if doc.file is None or self.base is None:
            return Diagnostic(
                Code.BAD_INCLUDE,
                "a spec given as text or data cannot include files",
                hint="load the spec from a file, or define the blocks inline",
            )
        shown = _shown(rel)
        if "\0" in rel:
            return Diagnostic(Code.BAD_INCLUDE, f"include path {shown} holds a NUL byte, which no file name can")
        if looks_absolute(rel):
            return Diagnostic(
                Code.BAD_INCLUDE, f"include path {shown} is absolute; paths are relative to the including file"
            )
        target = os.path.join(
            folder_of(doc.file) if is_stream(doc.file) else os.path.dirname(doc.file), rel
        )  # a pipe's: the current folder's
        real = os.path.realpath(target)
        if os.path.commonpath([self.base, real]) != self.base:
            return Diagnostic(
                Code.BAD_INCLUDE,
                f"include path {shown} leaves the spec's folder tree",
                hint="keep included files beside the spec or below its folder",
            )
        if not os.path.isfile(real):
            return Diagnostic(Code.BAD_INCLUDE, f"include path {shown}: no such file")
        return target, real

    def load(self, target: str, real: str, rel: str) -> Document:
        """The parsed file at ``real`` (``target`` as the spec spelled it), parsed once however often it is named.

        Raises:
            SpecError: reading or parsing problems, and ``file-too-large`` when
                the spec's files together pass ``limits.max_bytes``.
        """
        known = self.documents.get(real)
        if known is not None:
            return known
        if len(self.documents) >= MAX_FILES:
            raise SpecError([Diagnostic(Code.BAD_INCLUDE, f"the spec names more than {MAX_FILES} files")])
        left = self.limits.max_bytes - self.read
        try:
            doc = parse_file(target, self.limits, max_bytes=max(left, 0))
        except SpecError as exc:
            if any(d.code is Code.FILE_TOO_LARGE for d in exc.diagnostics):
                message = (
                    f"{_shown(rel)} does not fit: the spec and the files it names hold more than "
                    f"{self.limits.max_bytes:,} bytes together ({self.read:,} read before it)"
                )
                raise SpecError(
                    [
                        Diagnostic(
                            Code.FILE_TOO_LARGE,
                            message,
                            hint="raise the limit with Limits(max_bytes=...) or --max-bytes if this spec is trusted",
                        )
                    ]
                ) from None
            raise
        self.read += len(doc.text.encode("utf-8")) if doc.text is not None else 0
        self.documents[real] = doc
        return doc


def _shown(rel: str) -> str:
    return ascii(rel) if len(rel) <= 200 else ascii(rel[:120] + "…" + rel[-40:])
