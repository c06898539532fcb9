"""What the language server knows of one editor buffer: validate's diagnostics, the checked report, positions.

Pure graphspec (no pygls, no TensorFlow): the buffer's text is read with
:func:`graphspec.source.parse_text` under the buffer's file name (so includes
and ``model:`` files resolve as ``graphspec validate FILE`` resolves them) and
checked by :func:`graphspec.pipeline.validate_loaded`, the same pipeline ``validate``
runs. Positions are graphspec's (1-based line and column, in characters); the
server converts them to the client's units.
"""

from __future__ import annotations

import bisect
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from graphspec.budget import Budget
from graphspec.errors import Diagnostic, Path, SpecError
from graphspec.pipeline import Report, validate_loaded
from graphspec.source import Document, Limits, Mark, parse_text

__all__ = ["Analysis", "Token", "analyse", "token_at"]

# A YAML plain scalar or key as written in a spec: names, references (`enc:1`, `a/b`), numbers, `$x`.
# A ':' belongs to it only when no space or bracket follows (`enc:1`, not `units: 4`).
_TOKEN = re.compile(r"(?:[^\s,\[\]{}#:'\"]|:(?=[^\s,\[\]{}]))+")


@dataclass(frozen=True)
class Token:
    """A word of the text: 0-based line, columns [start, end) in characters."""

    line: int
    start: int
    end: int
    text: str


def token_at(lines: list[str], line: int, column: int) -> Token | None:
    """The word (a quoted string, or a plain scalar or key) that starts at or spans a 0-based position."""
    if not 0 <= line < len(lines):
        return None
    text = lines[line]
    for start, end, closed in _quoted_spans(text):
        # Anywhere inside the quotes is the quoted scalar (the cursor rests on the name, not on its quote).
        if start <= column < end:
            return Token(line, start, end, text[start + 1 : end - 1 if closed else end])
    for match in _TOKEN.finditer(text):
        if match.start() <= column <= match.end() and (
            match.start() == column or column < match.end() or match.end() == column
        ):
            return Token(line, match.start(), match.end(), match.group())
    return None


def _quoted_spans(text: str) -> Iterator[tuple[int, int, bool]]:
    """[start, end) of each quoted scalar of a line, its quotes included, and whether it is closed
    (an unclosed one, being typed, runs to the line's end).

    A quote opens a scalar only where one may start (after a space, ``[``, ``{``, ``,``, ``:``, ``-``,
    or at the line's start), so an apostrophe inside a plain word does not; a ``#`` after a space
    ends the line (a comment).
    """
    k = 0
    while k < len(text):
        ch = text[k]
        if ch == "#" and (k == 0 or text[k - 1].isspace()):
            return
        if ch in "'\"" and (k == 0 or text[k - 1].isspace() or text[k - 1] in "[{,:-?"):
            end = _closing_quote(text, k)
            yield k, (end if end is not None else len(text)), end is not None
            k = end if end is not None else len(text)
            continue
        k += 1


def _closing_quote(text: str, start: int) -> int | None:
    """The index just past the quote closing the scalar opened at ``start`` (``\\"`` escapes in double, ``''`` in single
    quotes), if any."""
    quote, k = text[start], start + 1
    while k < len(text):
        if quote == '"' and text[k] == "\\":
            k += 2
            continue
        if text[k] == quote:
            if quote == "'" and text[k + 1 : k + 2] == "'":
                k += 2
                continue
            return k + 1
        k += 1
    return None


@dataclass
class Analysis:
    """One version of a buffer, analysed.

    Attributes:
        path: the buffer's file path (absolute), as diagnostics name it.
        text: the text analysed.
        doc: the text as loaded (authoring form: blocks and params unexpanded), or
            ``None`` if it does not load.
        diagnostics: exactly what ``graphspec validate`` reports for this text.
        report: the checked spec, graph and shapes, when the text is valid.
        seconds: how long the check took, for the latency benchmark.
    """

    path: str
    text: str
    doc: Document | None
    diagnostics: list[Diagnostic]
    report: Report | None
    seconds: float = 0.0
    lines: list[str] = field(default_factory=list)
    _key_starts: dict[int, list[tuple[int, int]]] = field(default_factory=dict, repr=False, compare=False)

    def key_mark(self, path: Path) -> Mark | None:
        return None if self.doc is None else self.doc.keys.get(path)

    def next_key_line(self, depth: int, mark: Mark) -> int | None:
        """The 1-based line of the first key written after ``mark`` whose path has at most ``depth`` parts.

        The positions are sorted once per depth, so an outline of every entry stays linear in the text.
        """
        if self.doc is None:
            return None
        starts = self._key_starts.get(depth)
        if starts is None:
            starts = self._key_starts[depth] = sorted(
                (m.line, m.column) for p, m in self.doc.keys.items() if len(p) <= depth
            )
        k = bisect.bisect_right(starts, (mark.line, mark.column))
        return starts[k][0] if k < len(starts) else None

    def value_at(self, path: Path) -> Any:
        data: Any = None if self.doc is None else self.doc.data
        for part in path:
            if isinstance(data, dict) and isinstance(part, str):
                data = data.get(part)
            elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
                data = data[part]
            else:
                return None
        return data

    def path_at(self, line: int, column: int) -> tuple[Path, bool] | None:
        """The spec path whose key (``True``) or scalar value (``False``) is written at a 0-based position."""
        if self.doc is None:
            return None
        token = token_at(self.lines, line, column)
        if token is None:
            return None
        start = Mark(line + 1, token.start + 1)
        for path, mark in self.doc.keys.items():
            if mark == start:
                return path, True
        for path, mark in self.doc.values.items():
            if mark == start and not isinstance(self.value_at(path), dict | list):
                return path, False
        return None

    def node_at(self, line: int, column: int) -> Path | None:
        """The node (``nodes.x``, ``blocks.b.nodes.x``, ``nodes.m.model.nodes.x``) whose mapping holds a 0-based
        position."""
        if self.doc is None:
            return None
        best: tuple[Mark, Path] | None = None
        here = (line + 1, column + 1)
        indent = len(self.lines[line]) - len(self.lines[line].lstrip()) if line < len(self.lines) else 0
        for path, mark in self.doc.keys.items():
            if len(path) < 2 or path[-2] != "nodes" or (mark.line, mark.column) >= here:
                continue
            inside = column + 1 > mark.column if mark.line == line + 1 else indent + 1 > mark.column
            if inside and (best is None or (mark.line, mark.column) > (best[0].line, best[0].column)):
                best = (mark, path)
        if best is None:
            return None
        # A later top-level key (`outputs:`) between the node and the position ends the node.
        for path, mark in self.doc.keys.items():
            if len(path) == 1 and (best[0].line, best[0].column) < (mark.line, mark.column) <= here:
                return None
        return best[1]


def analyse(text: str, path: str, *, limits: Limits = Limits(), budget: Budget = Budget()) -> Analysis:
    """Check a buffer as ``graphspec validate`` checks the file ``path`` holding ``text``."""
    started = time.perf_counter()
    doc: Document | None = None
    report: Report | None = None
    try:
        doc = parse_text(text, file=path, limits=limits)
        report = validate_loaded(doc, limits=limits, budget=budget)
        diagnostics = report.warnings
    except SpecError as exc:
        diagnostics = exc.diagnostics
    return Analysis(path, text, doc, diagnostics, report, time.perf_counter() - started, text.splitlines())


def loadable(text: str, path: str, line: int, limits: Limits = Limits()) -> Document | None:
    """The text as loaded, for positions while it is being typed: as is, else with the line at the cursor blanked."""
    lines = text.splitlines(keepends=True)
    for attempt in (text, "".join("\n" if i == line else t for i, t in enumerate(lines))):
        try:
            return parse_text(attempt, file=path, limits=limits)
        except SpecError:
            continue
    return None
