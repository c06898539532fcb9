"""Stage 1, text → data: load YAML or JSON safely and remember where every value came from.

Nothing in a spec ever executes: the text is read by PyYAML's safe event parser
(libyaml when present) and turned into plain Python values here, by our own small
constructor, never by PyYAML's. That lets this module

* refuse every explicit tag except the plain-data ones (``!!python/object`` is
  refused before anything is built),
* bound nesting depth and alias expansion *before* the composed tree is walked
  (a nine-level "billion laughs" bomb is a few hundred bytes of text),
* report duplicate keys with both positions instead of keeping the last,
* resolve plain scalars with the YAML 1.2 core schema (``no`` and ``off`` stay
  strings, ``1e3`` is a number, dates stay strings), and
* record the ``file:line:col`` of every key and value, keyed by spec path.
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import Any

import yaml

from graphspec.errors import Code, Diagnostic, Path, SpecError

__all__ = ["Document", "Limits", "Mark", "locate", "parse_data", "parse_file", "parse_text"]

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_STD = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {_STD + t for t in ("str", "int", "float", "bool", "null", "map", "seq")}


@dataclass(frozen=True)
class Limits:
    """Bounds applied while loading untrusted text.

    Attributes:
        max_bytes: largest accepted text, in bytes of UTF-8.
        max_depth: deepest nesting of mappings and lists.
        max_expansion: alias expansion allowed, as a multiple of the number of
            values written in the text (aliases make a document larger than its text).
    """

    max_bytes: int = 1 << 20
    max_depth: int = 64
    max_expansion: int = 10


@dataclass(frozen=True)
class Mark:
    line: int
    column: int


@dataclass
class Document:
    """Loaded spec data plus where each part of it was written.

    ``values`` and ``keys`` map a spec path to the 1-based position of the value
    at that path and of the key that introduces it.
    """

    data: Any
    file: str | None = None
    text: str | None = None
    values: dict[Path, Mark] = field(default_factory=dict)
    keys: dict[Path, Mark] = field(default_factory=dict)
    problems: list[Diagnostic] = field(default_factory=list)

    def position(self, path: Path, at_key: bool = False) -> Mark | None:
        """The closest recorded position for ``path``: its own, else its nearest ancestor's."""
        probe = tuple(path)
        while True:
            table = self.keys if at_key and probe in self.keys else self.values
            if probe in table:
                return table[probe]
            if not probe:
                return None
            probe = probe[:-1]

    def line_text(self, line: int) -> str | None:
        if self.text is None:
            return None
        lines = self.text.splitlines()
        return lines[line - 1] if 0 < line <= len(lines) else None


def locate(diagnostics: Iterable[Diagnostic], doc: Document | None) -> list[Diagnostic]:
    """Fill in file, line, column and source line of diagnostics that lack them."""
    out = []
    for d in diagnostics:
        if doc is None or d.line is not None:
            out.append(d if d.file or doc is None else d.located(doc.file, d.line, d.column, d.source_line))
            continue
        mark = doc.position(d.path, d.at_key)
        if mark is None:
            out.append(d.located(doc.file, None, None, None))
        else:
            out.append(d.located(doc.file, mark.line, mark.column, doc.line_text(mark.line)))
    return out


def parse_file(path: str | FsPath, limits: Limits = Limits()) -> Document:
    """Read and parse a spec file (``.json`` as JSON, anything else as YAML).

    Raises:
        SpecError: ``io-error`` if it cannot be read, or any loading problem.
    """
    p = FsPath(path)
    name = str(path)
    try:
        if not p.is_file():
            raise SpecError([Diagnostic(Code.IO_ERROR, f"no such file: {name}", file=name)])
        size = p.stat().st_size
        if size > limits.max_bytes:
            raise SpecError([_too_large(size, limits, name)])
        raw = p.read_bytes()
    except OSError as exc:
        raise SpecError([Diagnostic(Code.IO_ERROR, f"cannot read {name}: {exc.strerror or exc}", file=name)]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SpecError([Diagnostic(Code.IO_ERROR, f"{name} is not UTF-8 text (byte {exc.start})", file=name, hint="save the spec as UTF-8")]) from None
    return parse_text(text, file=name, limits=limits)


def parse_text(text: str, file: str | None = None, limits: Limits = Limits()) -> Document:
    """Parse YAML (or JSON, which is read as YAML 1.2 flow style) into a :class:`Document`.

    Raises:
        SpecError: on malformed text, refused tags, alias bombs, excessive depth,
            duplicate keys, or text over ``limits.max_bytes``.
    """
    size = len(text.encode("utf-8"))
    if size > limits.max_bytes:
        raise SpecError([_too_large(size, limits, file)])
    if _looks_like_json(text, file):
        text = _check_json(text, file, limits)
    builder = _Builder(file, text, limits)
    data = builder.load()
    if data is _EMPTY or data is None:
        raise SpecError([Diagnostic(Code.SYNTAX, "the spec is empty", file=file, hint="start from an example in specs/seed/")])
    doc = Document(data, file, text, builder.values, builder.keys)
    # Duplicate keys and bad scalars do not stop loading: the next stage reports
    # them together with its own findings.
    doc.problems = locate(builder.problems, doc)
    return doc


def parse_data(data: Any, limits: Limits = Limits()) -> Document:
    """Wrap already-parsed data (a dict from Python code) as a :class:`Document`.

    The data is deep-copied, so later stages never touch the caller's objects, and
    checked to be plain JSON-like data no deeper than ``limits.max_depth``.
    """
    problems: list[Diagnostic] = []
    _check_plain(data, (), 0, limits, problems)
    if problems:
        raise SpecError(problems)
    return Document(copy.deepcopy(data))


def _looks_like_json(text: str, file: str | None) -> bool:
    if file is not None and file.lower().endswith(".json"):
        return True
    return text.lstrip("\ufeff \t\r\n")[:1] in ("{", "[")


_JSON_STRING = re.compile(r'"(?:\\.|[^"\\])*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]")


def _json_depth(text: str) -> int:
    """Deepest bracket nesting of JSON text, found in one flat pass (never by recursion)."""
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text))
    depth = deepest = 0
    for ch in brackets:
        depth += 1 if ch in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _check_json(text: str, file: str | None, limits: Limits) -> str:
    """Hold JSON text to JSON's own rules, then make it readable by the YAML parser.

    The YAML parser gives us positions; JSON allows tabs as whitespace where YAML
    does not. Tabs inside JSON strings must be escaped, so outside strings a tab
    can become a space without moving any column.
    """

    def refuse_constant(name: str) -> Any:
        raise ValueError(f"{name} is not valid JSON")

    # json's C scanner recurses per level: bound the depth before it runs.
    if _json_depth(text) > limits.max_depth:
        raise SpecError([Diagnostic(Code.TOO_DEEP, f"nesting deeper than {limits.max_depth} levels", file=file, hint="flatten the structure")])
    try:
        json.loads(text, parse_constant=refuse_constant)
    except json.JSONDecodeError as exc:
        line = text.splitlines()[exc.lineno - 1] if exc.lineno <= len(text.splitlines()) else None
        raise SpecError([Diagnostic(Code.SYNTAX, f"malformed JSON: {exc.msg}", file=file, line=exc.lineno, column=exc.colno, source_line=line)]) from None
    except ValueError as exc:
        raise SpecError([Diagnostic(Code.BAD_VALUE, str(exc), file=file, hint="JSON numbers must be finite")]) from None
    return text.replace("\t", " ")


def _check_plain(value: Any, path: Path, depth: int, limits: Limits, problems: list[Diagnostic]) -> None:
    # Iterative: data handed in from Python may be arbitrarily deep or even self-referencing.
    stack = [(value, path, depth, frozenset[int]())]
    while stack and len(problems) < 20:
        value, path, depth, active = stack.pop()
        if depth > limits.max_depth:
            problems.append(Diagnostic(Code.TOO_DEEP, f"data is nested deeper than {limits.max_depth} levels", path))
            continue
        if isinstance(value, Mapping | list | tuple):
            if id(value) in active:
                problems.append(Diagnostic(Code.YAML_ALIAS, "data contains itself (a reference cycle)", path))
                continue
            inner = active | {id(value)}
            if isinstance(value, Mapping):
                for k, v in value.items():
                    if not isinstance(k, str):
                        problems.append(Diagnostic(Code.WRONG_TYPE, f"mapping keys must be strings; got {type(k).__name__} {k!r}", path))
                        continue
                    stack.append((v, (*path, k), depth + 1, inner))
            else:
                for i, v in enumerate(value):
                    stack.append((v, (*path, i), depth + 1, inner))
        elif isinstance(value, float) and not math.isfinite(value):
            problems.append(Diagnostic(Code.BAD_VALUE, f"{value} is not a finite number", path))
        elif value is not None and not isinstance(value, str | int | float | bool):
            problems.append(Diagnostic(Code.WRONG_TYPE, f"only plain data (strings, numbers, booleans, null, lists, mappings) is accepted; got {type(value).__name__}", path))


def _too_large(size: int, limits: Limits, file: str | None) -> Diagnostic:
    return Diagnostic(
        Code.FILE_TOO_LARGE,
        f"the spec is {size:,} bytes; the limit is {limits.max_bytes:,}",
        file=file,
        hint="raise the limit with Limits(max_bytes=...) or --max-bytes if this spec is trusted",
    )


# YAML 1.2 core schema, for plain (unquoted) scalars.
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$")
_OCT = re.compile(r"^0o[0-7]+$")
_HEX = re.compile(r"^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_LEADING_ZERO = re.compile(r"^[-+]?0[0-9]+$")
_INF = re.compile(r"^[-+]?\.(?:inf|Inf|INF)$")
_NAN = re.compile(r"^\.(?:nan|NaN|NAN)$")


def resolve_plain(text: str) -> Any:
    """Type a plain scalar by the YAML 1.2 core schema (YAML 1.1 surprises stay strings).

    Integers with leading zeros stay strings too: a typed field then reports them.
    """
    if _NULL.match(text):
        return None
    if _LEADING_ZERO.match(text):
        return text  # YAML 1.1 reads 0755 as octal 493, YAML 1.2 as 755: refuse to guess
    if text in _BOOL:
        return _BOOL[text]
    if _INT.match(text):
        return int(text)
    if _OCT.match(text):
        return int(text[2:], 8)
    if _HEX.match(text):
        return int(text[2:], 16)
    if _FLOAT.match(text):
        return float(text)
    if _INF.match(text):
        return float("-inf") if text.startswith("-") else float("inf")
    if _NAN.match(text):
        return float("nan")
    return text


def _mark(yaml_mark: Any) -> Mark:
    return Mark(yaml_mark.line + 1, yaml_mark.column + 1)


@dataclass
class _Frame:
    """A mapping or list under construction."""

    value: Any
    path: Path
    event: Any
    size: int = 1
    key: str | None = None
    key_mark: Any = None
    seen: dict[str, Any] = field(default_factory=dict)
    merges: list[Any] = field(default_factory=list)


class _Builder:
    """Builds plain data from the parser's event stream, in one flat loop.

    No recursion anywhere: nesting is an explicit stack, bounded by
    ``limits.max_depth``. Aliases share the anchored Python object, so a bomb
    costs nothing to build; its *expanded* size is counted and refused before
    anything walks the data.
    """

    def __init__(self, file: str | None, text: str, limits: Limits):
        self.file = file
        self.text = text
        self.lines = text.splitlines()
        self.limits = limits
        self.values: dict[Path, Mark] = {}
        self.keys: dict[Path, Mark] = {}
        self.problems: list[Diagnostic] = []
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.open_anchors: set[str] = set()
        self.written = 0
        self.expanded = 0
        self.biggest_alias: tuple[int, Any] = (0, None)

    def fail(self, code: Code, message: str, mark: Any, hint: str | None = None) -> SpecError:
        line = mark.line + 1 if mark is not None else None
        col = mark.column + 1 if mark is not None else None
        src = self.lines[line - 1] if line and line <= len(self.lines) else None
        return SpecError([Diagnostic(code, message, (), hint, file=self.file, line=line, column=col, source_line=src)])

    def load(self) -> Any:
        """Parse the text; return the document's data (``_EMPTY`` for an empty document)."""
        root: Any = _EMPTY
        documents = 0
        try:
            for event in yaml.parse(self.text, Loader=_Loader):
                if isinstance(event, yaml.DocumentStartEvent):
                    documents += 1
                    if documents > 1:
                        raise self.fail(Code.SYNTAX, "the text holds several YAML documents; a spec is exactly one", event.start_mark)
                    continue
                if isinstance(event, yaml.StreamStartEvent | yaml.StreamEndEvent | yaml.DocumentEndEvent):
                    continue
                done = self._event(event)
                if done is not _EMPTY:
                    root = done
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            problem = exc.problem or str(exc)
            if exc.context and exc.context_mark is not None and exc.problem_mark is not None:
                problem += f" {exc.context} that starts at line {exc.context_mark.line + 1}, column {exc.context_mark.column + 1}"
            raise self.fail(Code.SYNTAX, f"malformed YAML/JSON: {problem}", mark, _syntax_hint(problem)) from None
        except yaml.YAMLError as exc:
            raise self.fail(Code.SYNTAX, f"malformed YAML/JSON: {exc}", None) from None
        budget = max(10_000, self.written * self.limits.max_expansion)
        if self.expanded > budget:
            raise self.fail(
                Code.YAML_ALIAS,
                f"aliases expand this document to {self.expanded:,} values from {self.written:,} written (an alias bomb?)",
                self.biggest_alias[1],
                "write the values out, or use fewer nested aliases",
            )
        return root

    def _next_path(self) -> tuple[Path, bool]:
        """Path of the value the next event starts, and whether that event is a mapping key."""
        if not self.stack:
            return (), False
        top = self.stack[-1]
        if isinstance(top.value, list):
            return (*top.path, len(top.value)), False
        if top.key is None:
            return top.path, True
        return (*top.path, top.key), False

    def _event(self, event: Any) -> Any:
        tag = getattr(event, "tag", None)
        if tag is not None and tag not in _ALLOWED_TAGS and tag != "!":
            raise self.fail(
                Code.YAML_TAG,
                f"the tag {tag!r} is not allowed: a spec holds plain data only",
                event.start_mark,
                "remove the tag; graphspec never builds Python objects from a spec",
            )
        path, is_key = self._next_path()
        if isinstance(event, yaml.ScalarEvent):
            self.written += 1
            if is_key:
                return self._key(event)
            value = self._scalar(event, path)
            self.values.setdefault(path, _mark(event.start_mark))
            if event.anchor:
                self.anchors[event.anchor] = (value, 1)
            return self._add(value, 1, event)
        if isinstance(event, yaml.AliasEvent):
            self.written += 1
            if is_key:
                raise self.fail(Code.WRONG_TYPE, "mapping keys must be plain strings, not aliases", event.start_mark)
            if event.anchor in self.open_anchors:
                raise self.fail(Code.YAML_ALIAS, f"alias *{event.anchor} refers to a node that contains it (a recursive structure)", event.start_mark)
            if event.anchor not in self.anchors:
                raise self.fail(Code.YAML_ALIAS, f"alias *{event.anchor} names no anchor defined before it", event.start_mark)
            value, size = self.anchors[event.anchor]
            if size > self.biggest_alias[0]:
                self.biggest_alias = (size, event.start_mark)
            self.values.setdefault(path, _mark(event.start_mark))
            return self._add(value, size, event)
        if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            self.written += 1
            if is_key:
                raise self.fail(Code.WRONG_TYPE, "mapping keys must be plain strings, not lists or mappings", event.start_mark)
            if len(self.stack) >= self.limits.max_depth:
                raise self.fail(Code.TOO_DEEP, f"nesting deeper than {self.limits.max_depth} levels", event.start_mark, "flatten the structure")
            if event.anchor:
                self.open_anchors.add(event.anchor)
            self.values.setdefault(path, _mark(event.start_mark))
            container: Any = {} if isinstance(event, yaml.MappingStartEvent) else []
            self.stack.append(_Frame(container, path, event))
            return _EMPTY
        if isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            frame = self.stack.pop()
            value = frame.value
            for merged in frame.merges:
                for k, v in merged.items():
                    value.setdefault(k, v)
            anchor = frame.event.anchor
            if anchor:
                self.open_anchors.discard(anchor)
                self.anchors[anchor] = (value, frame.size)
            return self._add(value, frame.size, frame.event)
        return _EMPTY

    def _key(self, event: Any) -> Any:
        top = self.stack[-1]
        key = event.value
        top.key = key
        top.key_mark = event.start_mark
        if not (key == "<<" and _is_plain(event)):
            self.keys.setdefault((*top.path, key), _mark(event.start_mark))
        return _EMPTY

    def _add(self, value: Any, size: int, event: Any) -> Any:
        self.expanded += size
        if not self.stack:
            return value
        top = self.stack[-1]
        top.size += size
        if isinstance(top.value, list):
            top.value.append(value)
            return _EMPTY
        key, key_mark = top.key, top.key_mark
        top.key = None
        assert key is not None
        if key == "<<" and key_mark is not None and self.text[key_mark.index : key_mark.index + 2] == "<<":
            self._merge_key(top, value, event)
            return _EMPTY
        if key in top.seen:
            first = _mark(top.seen[key])
            self.problems.append(
                Diagnostic(
                    Code.DUPLICATE_KEY,
                    f"key {key!r} appears twice (first at line {first.line}, column {first.column}); YAML would silently keep the last",
                    (*top.path, key),
                    "remove one of the two",
                    file=self.file,
                    line=key_mark.line + 1,
                    column=key_mark.column + 1,
                    source_line=self.lines[key_mark.line] if key_mark.line < len(self.lines) else None,
                )
            )
            return _EMPTY
        top.seen[key] = key_mark
        top.value[key] = value
        return _EMPTY

    def _merge_key(self, top: _Frame, value: Any, event: Any) -> None:
        """YAML's ``<<: *defaults`` merge key: explicit keys win over merged ones."""
        sources = value if isinstance(value, list) else [value]
        for src in sources:
            if not isinstance(src, dict):
                raise self.fail(Code.WRONG_TYPE, "'<<' merges mappings only", event.start_mark)
            top.merges.append(src)

    def _scalar(self, event: Any, path: Path) -> Any:
        text = event.value
        tag = event.tag
        if tag is None or tag == "!":
            return resolve_plain_checked(text, path, self.problems) if _is_plain(event) and tag is None else text
        if tag == _STD + "str":
            return text
        typed = resolve_plain(text)
        kind = tag[len(_STD) :]
        expected = {"int": int, "float": float, "bool": bool, "null": type(None)}.get(kind)
        if expected is float and isinstance(typed, int) and not isinstance(typed, bool):
            typed = float(typed)
        if expected is None or not isinstance(typed, expected) or (expected is int and isinstance(typed, bool)):
            self.problems.append(Diagnostic(Code.WRONG_TYPE, f"{text!r} is not a valid {kind}", path))
            return text
        return typed


_EMPTY: Any = object()


def _is_plain(event: Any) -> bool:
    return event.style in (None, "")


def resolve_plain_checked(text: str, path: Path, problems: list[Diagnostic]) -> Any:
    value = resolve_plain(text)
    if isinstance(value, float) and not math.isfinite(value):
        problems.append(Diagnostic(Code.BAD_VALUE, f"{text} is not a finite number", path, "write a finite number"))
    return value


def _syntax_hint(problem: str) -> str | None:
    if "tab" in problem or "\\t" in problem:
        return "indent with spaces; YAML does not allow tabs for indentation"
    if "mapping values are not allowed" in problem:
        return "quote values that contain ': ', or check the indentation of this line"
    return None


def dump_json(data: Any) -> str:
    return json.dumps(data, indent=2)
