"""The expanded document: a flat spec's data, and where each of its expanded values was written.

A diagnostic on an expanded node is placed at the text of its block definition
(possibly in an included file), with related positions naming the instances it
sits in; :func:`merge_copies` folds the same problem, found once per copy of a
``repeat``, into one.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from graphspec.errors import Diagnostic, Path, Related, format_path
from graphspec.source import Document

__all__ = ["BlockScope", "ExpandedDocument", "merge_copies"]


@dataclass(frozen=True)
class _Via:
    """An enclosing block instance: what to call it and where it is written."""

    label: str
    doc: Document
    path: Path


@dataclass(frozen=True)
class _Origin:
    doc: Document
    path: Path
    via: tuple[_Via, ...] = ()


@dataclass(frozen=True)
class BlockScope:
    """A block instance, a ``repeat``, or one copy of a repeat: where the nodes named ``name/...`` came from.

    Attributes:
        name: the flat scope (``stage2`` for an instance or a repeat, ``stage2/block1`` for a copy).
        block: the block the scope instantiates (for a repeat, the block its instance names;
            an ``override`` may give single copies another one).
        copy: the 1-based copy number, for a copy of a repeat.
        repeat: the number of copies, for a repeat.
    """

    name: str
    block: str
    copy: int | None = None
    repeat: int | None = None


@dataclass
class ExpandedDocument(Document):
    """A flat spec's data, with the origin of every expanded node.

    ``origins`` maps a flat path (``("nodes", "stage2/block1/conv1")``) to the
    document and path where it was written; a diagnostic's path is located by its
    longest recorded prefix, else in the root document as usual. ``scopes`` holds
    the block instances and repeats the flat names were scoped by (what drawings
    show as clusters), in expansion order.
    """

    origins: dict[Path, _Origin] = field(default_factory=dict)
    scopes: dict[str, BlockScope] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)  # the spec's parameters as resolved (defaults, --set)

    def origin(self, path: Path) -> _Origin:
        for k in range(len(path), 0, -1):
            found = self.origins.get(path[:k])
            if found is not None:
                return _Origin(found.doc, (*found.path, *path[k:]), found.via)
        return _Origin(self, path)

    def place(self, d: Diagnostic) -> Diagnostic:
        origin = self.origin(d.path)
        if origin.doc is self:
            return super().place(d)
        placed = origin.doc.place(Diagnostic(d.code, d.message, origin.path, at_key=d.at_key))
        return replace(
            d.located(placed.file, placed.line, placed.column, placed.source_line),
            related=(*_related(origin), *placed.related),
        )


def _related(origin: _Origin) -> tuple[Related, ...]:
    if not origin.via:
        return ()
    out = [_related_at(v.label, v.doc, v.path) for v in origin.via]
    definition = origin.path[:4] if origin.path[:1] == ("blocks",) else origin.path[:2]
    out.append(_related_at(f"defined in {format_path(definition)}", origin.doc, definition))
    return tuple(out)


def merge_copies(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """One diagnostic for a problem that recurs in every copy of a block (``repeat: 4``), naming the copies.

    Copies share their definition's text, so a problem written there is found once
    per copy of the instance, at the same position with the same message; the
    first stays, and a note lists the nodes of the others. (Other instances of
    the same block keep their own diagnostic: they are written elsewhere.)
    """
    groups: dict[tuple[object, ...], list[Diagnostic]] = {}
    out: list[Diagnostic | tuple[object, ...]] = []
    for d in diagnostics:
        if len(d.related) < 2 or d.line is None:  # not from a block instance, or not placed
            out.append(d)
            continue
        instance = d.related[0]  # the copies of one `repeat:` share its position
        key = (
            d.code,
            d.severity,
            d.message,
            d.hint,
            d.file,
            d.line,
            d.column,
            d.related[-1],
            instance.file,
            instance.line,
            instance.column,
        )
        if key not in groups:
            out.append(key)
        groups.setdefault(key, []).append(d)
    return [item if isinstance(item, Diagnostic) else _merged(groups[item]) for item in out]


def _merged(copies: list[Diagnostic]) -> Diagnostic:
    first = copies[0]
    if len(copies) == 1:
        return first
    names = [str(d.path[1]) if len(d.path) > 1 and d.path[0] == "nodes" else format_path(d.path) for d in copies[1:]]
    instance = first.related[0]
    note = Related(
        f"the same in {len(names)} more cop{'y' if len(names) == 1 else 'ies'}: {', '.join(names)}",
        instance.file,
        instance.line,
        instance.column,
    )
    return replace(first, related=(*first.related[:-1], note, first.related[-1]))


def _related_at(label: str, doc: Document, path: Path) -> Related:
    mark = doc.position(path, at_key=True)
    return Related(label, doc.file, mark.line if mark else None, mark.column if mark else None)
