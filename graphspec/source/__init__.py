"""Stage 1, text → data: load YAML or JSON safely and remember where every value came from.

Nothing in a spec ever executes: the text is read by PyYAML's safe event parser
(libyaml when present) and turned into plain Python values here, by our own small
constructor, never by PyYAML's. That lets this module

* refuse every explicit tag except the plain-data ones (``!!python/object`` is
  refused before anything is built), and a plain-data tag on the wrong kind of
  node (``!!str {a: 1}``, ``!!int [8]``),
* bound nesting depth and alias expansion *before* the composed tree is walked
  (a nine-level "billion laughs" bomb is a few hundred bytes of text); an alias
  counts at the depth where it is used, with the full size and height of what
  it names,
* report duplicate keys with both positions instead of keeping the last,
* resolve plain scalars with the YAML 1.2 core schema (``no`` and ``off`` stay
  strings, ``1e3`` is a number, dates stay strings),
* refuse numbers no float can hold, however written: NaN, infinities, ``1e400``
  and integers beyond ±1.8e308 (``10**400`` written out in digits), and
* record the ``file:line:col`` of every key and value, keyed by spec path.

JSON is read by JSON's own rules: text counts as JSON when its file name ends in
``.json``, when it parses as JSON, or (text with no file name) when it opens like
JSON, with ``{"``. Its values are exactly what :func:`json.loads` gives; positions
come from a flat token scan. Any other text, YAML flow style (``{graphspec: 1}``)
included, is YAML.
"""

from __future__ import annotations

import copy
import json
import math
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from graphspec.errors import Code, Diagnostic, Path, SpecError
from graphspec.source.limits import Limits, decode_text, json_too_deep, offset_position, read_file

__all__ = ["Document", "Limits", "Mark", "locate", "parse_data", "parse_file", "parse_text"]

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_STD = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {_STD + t for t in ("str", "int", "float", "bool", "null", "map", "seq")}

# The smallest integer float() cannot hold (it rounds up to 2**1024), and the most
# decimal digits an integer below it can have. Every number in a spec ends up a
# Keras argument, an int or a float: an integer past this bound is refused like
# 1e400, instead of crashing a later float conversion.
INT_BOUND = 2**1024 - 2**970
_MAX_INT_DIGITS = len(str(INT_BOUND))


@dataclass(frozen=True)
class Mark:
    line: int
    column: int


@dataclass
class Document:
    """Loaded spec data plus where each part of it was written.

    ``values`` and ``keys`` map a spec path to the 1-based position of the value
    at that path and of the key that introduces it. ``is_json`` tells how lines
    are counted: JSON breaks lines at ``\\n`` only, YAML also at ``\\r``, NEL,
    and the Unicode line and paragraph separators.
    """

    data: Any
    file: str | None = None
    text: str | None = None
    values: dict[Path, Mark] = field(default_factory=dict)
    keys: dict[Path, Mark] = field(default_factory=dict)
    problems: list[Diagnostic] = field(default_factory=list)
    is_json: bool = False
    _lines: list[str] | None = field(default=None, init=False, repr=False, compare=False)

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

    def place(self, d: Diagnostic) -> Diagnostic:
        """``d`` with the file position of its path (an expanded document maps paths to other files)."""
        mark = self.position(d.path, d.at_key)
        if mark is None:
            return d.located(self.file, None, None, None)
        return d.located(self.file, mark.line, mark.column, self.line_text(mark.line))

    def line_text(self, line: int) -> str | None:
        if self.text is None:
            return None
        if self._lines is None:
            self._lines = _split_lines(self.text, self.is_json)
        return self._lines[line - 1] if 0 < line <= len(self._lines) else None


def _split_lines(text: str, is_json: bool) -> list[str]:
    if is_json:
        # A tab in valid JSON is whitespace (one column): shown as a space, the caret stays aligned.
        return [line.removesuffix("\r").replace("\t", " ") for line in text.split("\n")]
    return text.splitlines()


def locate(diagnostics: Iterable[Diagnostic], doc: Document | None) -> list[Diagnostic]:
    """Fill in file, line, column and source line of diagnostics that lack them."""
    out = []
    for d in diagnostics:
        if doc is None:
            out.append(d)
        elif d.line is not None:
            source = d.source_line if d.source_line is not None else doc.line_text(d.line)
            out.append(d.located(d.file or doc.file, d.line, d.column, source))
        else:
            out.append(doc.place(d))
    return out


def parse_file(
    path: str | os.PathLike[str], limits: Limits = Limits(), *, max_bytes: int | None = None, pipes: bool = False
) -> Document:
    """Read and parse a spec file (``.json`` as JSON, anything else as YAML unless it parses as JSON).

    The file is read through :func:`graphspec.source.limits.read_file`: at most
    ``max_bytes`` (default ``limits.max_bytes``) bytes of a regular file. With
    ``pipes`` (a file the caller named itself, never one a spec names) a pipe is
    read too (``/dev/fd/63`` of ``<(...)``, ``/dev/stdin``), once, no further
    than the size limit.

    Raises:
        SpecError: ``io-error`` if it cannot be read (missing, not a regular
            file, a NUL byte in its path), ``file-too-large``, ``syntax`` for
            text that is not UTF-8, or any loading problem.
    """
    name = os.fspath(path)
    raw = read_file(path, limits.max_bytes if max_bytes is None else max_bytes, pipes=pipes)
    return parse_text(decode_text(raw, name), file=name, limits=limits)


def parse_text(text: str, file: str | None = None, limits: Limits = Limits()) -> Document:
    """Parse YAML or JSON text into a :class:`Document`.

    Text is JSON when ``file`` ends in ``.json``, when it parses as JSON, or, for
    text with no file name, when it opens like JSON (``{"``); then it means
    exactly what :func:`json.loads` makes of it. Anything else is YAML.

    Raises:
        SpecError: on malformed text, refused tags, alias bombs, excessive depth,
            text over ``limits.max_bytes``, or, in JSON, a number that is not
            finite or beyond the float range. Duplicate keys, tags that do not
            fit their node and (in YAML) such numbers are collected in
            ``Document.problems``, for the next stage to report with its own.
    """
    surrogate = SURROGATE.search(text)
    if surrogate is not None:
        raise SpecError([_surrogate_in_text(text, surrogate.start(), file)])
    size = len(text.encode("utf-8")) if len(text) <= limits.max_bytes else len(text)
    if size > limits.max_bytes:
        raise SpecError([_too_large(size, limits, file)])
    text = text.removeprefix("\ufeff")
    doc = _parse_json(text, file, limits)
    if doc is not None:
        _refuse_surrogates(doc, text)
        return doc
    builder = _Builder(file, text, limits)
    data = builder.load()
    if _SURROGATE_ESCAPE.search(text):
        _refuse_surrogates(Document(data, file, text, builder.values, builder.keys), text)
    if data is _EMPTY or data is None:
        raise SpecError(
            [Diagnostic(Code.SYNTAX, "the spec is empty", file=file, hint="start from an example in specs/seed/")]
        )
    doc = Document(data, file, text, builder.values, builder.keys)
    # Duplicate keys and bad scalars do not stop loading: the next stage reports
    # them together with its own findings.
    doc.problems = locate(builder.problems, doc)
    return doc


# A lone surrogate is no Unicode character: it cannot be written as UTF-8, so it
# would crash whatever prints it. Text holding one (from Python), or escapes that
# make one (JSON's "\ud800", YAML's "\ud800" in the pure-Python parser), is refused.
SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_ESCAPE = re.compile(r"\\[uU]0{0,4}[dD][89a-fA-F]")


def _surrogate_in_text(text: str, offset: int, file: str | None) -> Diagnostic:
    line, column = offset_position(text, offset)
    return Diagnostic(
        Code.SYNTAX,
        f"the text holds a lone surrogate (U+{ord(text[offset]):04X}), which is not a Unicode character",
        file=file,
        line=line,
        column=column,
        hint="remove it; text must be valid Unicode",
    )


def _surrogate_value(value: str, path: Path, is_key: bool) -> Diagnostic:
    where = SURROGATE.search(value)
    code = ord(value[where.start()]) if where is not None else 0
    what = f"the key {value!a}" if is_key else f"the string {_shorten(ascii(value))}"
    hint = "escape only real characters: a surrogate pair, or the character itself"
    return Diagnostic(
        Code.BAD_VALUE,
        f"{what} holds a lone surrogate (U+{code:04X}), which is not a Unicode character",
        path,
        hint,
        at_key=is_key,
    )


def _surrogate_problems(data: Any, path: Path = ()) -> list[Diagnostic]:
    """Every key and string in ``data`` that holds a lone surrogate.

    A key's problem is reported at the mapping that holds it (at its key), so no
    path holds the surrogate; nothing below such a key is looked at.
    """
    problems: list[Diagnostic] = []
    stack = [(data, path)]
    while stack and len(problems) < 20:
        value, at = stack.pop()
        if isinstance(value, str):
            if SURROGATE.search(value):
                problems.append(_surrogate_value(value, at, False))
        elif isinstance(value, dict):
            for k, v in value.items():
                if isinstance(k, str) and SURROGATE.search(k):
                    problems.append(_surrogate_value(k, at, True))
                else:
                    stack.append((v, (*at, k)))
        elif isinstance(value, list):
            stack.extend((v, (*at, i)) for i, v in enumerate(value))
    return problems


def _refuse_surrogates(doc: Document, text: str) -> None:
    if not _SURROGATE_ESCAPE.search(text):
        return
    problems = _surrogate_problems(doc.data)
    if problems:
        raise SpecError(locate(problems, doc))


def parse_data(data: Any, limits: Limits = Limits()) -> Document:
    """Wrap already-parsed data (a dict from Python code) as a :class:`Document`.

    The data is checked to be plain JSON-like data, nested no deeper than
    ``limits.max_depth`` (counted as for text), holding at most
    ``limits.max_values`` values (a shared list counts once per reference), with
    finite numbers inside the float range; and copied in the same walk, so later
    stages never touch the caller's objects.
    """
    problems: list[Diagnostic] = []
    copied = _check_plain(data, (), 0, limits, problems)
    if problems:
        raise SpecError(problems)
    return Document(copied)


# ---------------------------------------------------------------------------
# JSON

_WS = "[ \t\r\n]*"
_OPENS_COLLECTION = re.compile(_WS + r"[\[{]")
# Text with no file name that opens like this is meant as JSON, so JSON's own
# error is the helpful one; any other text that is not valid JSON is YAML.
_OPENS_LIKE_JSON = re.compile(_WS + r"\{" + _WS + r'["/]')
# The tokens of valid JSON that matter for positions (',' and ':' are skipped).
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[^\s,:\[\]{}"]+|[\[\]{}]', re.DOTALL)
_LONG_DIGITS = re.compile(f"[0-9]{{{_MAX_INT_DIGITS}}}")
_NON_FINITE = {"NaN", "Infinity", "-Infinity"}


def _parse_json(text: str, file: str | None, limits: Limits) -> Document | None:
    """Load ``text`` as JSON if it is JSON; ``None`` if it is to be read as YAML."""
    strict = file is not None and file.lower().endswith(".json")
    if not strict:
        if not _OPENS_COLLECTION.match(text):
            return None
        strict = file is None and _OPENS_LIKE_JSON.match(text) is not None
    # json's C scanner recurses per level: bound the depth before it runs.
    too_deep = json_too_deep(text, limits.max_depth)
    if too_deep is not None:
        if not strict:
            return None  # YAML reports it, with a position
        at_line, at_column = offset_position(text, too_deep)
        shown = _split_lines(text, True)[at_line - 1]
        message = f"nesting deeper than {limits.max_depth} levels"
        raise SpecError(
            [
                Diagnostic(
                    Code.TOO_DEEP,
                    message,
                    file=file,
                    hint="flatten the structure",
                    line=at_line,
                    column=at_column,
                    source_line=shown,
                )
            ]
        )
    # Integers past the float range become ±inf, reported below with their position.
    parse_int = _json_int if _LONG_DIGITS.search(text) else None
    try:
        data = json.loads(text, parse_int=parse_int)
    except json.JSONDecodeError as exc:
        if not strict:
            return None
        lines = _split_lines(text, True)
        line = lines[exc.lineno - 1] if exc.lineno <= len(lines) else None
        raise SpecError(
            [
                Diagnostic(
                    Code.SYNTAX,
                    f"malformed JSON: {exc.msg}",
                    file=file,
                    line=exc.lineno,
                    column=exc.colno,
                    source_line=line,
                )
            ]
        ) from None
    except RecursionError:  # not reached after the depth check; never a crash regardless
        if not strict:
            return None
        raise SpecError(
            [
                Diagnostic(
                    Code.TOO_DEEP,
                    f"nesting deeper than {limits.max_depth} levels",
                    file=file,
                    hint="flatten the structure",
                )
            ]
        ) from None
    values, keys, problems, duplicates = _scan_json(text)
    if duplicates:
        # json keeps the last of two equal keys; a spec keeps the first, and says so.
        data = json.loads(text, parse_int=parse_int, object_pairs_hook=_first_wins)
    doc = Document(data, file, text, values, keys, is_json=True)
    doc.problems = locate(problems, doc)
    # JSON must be finite-number JSON before anything else is checked, as json.loads
    # itself would have it (NaN is no JSON, and 5,000 digits are more than it reads).
    if any(d.code is Code.BAD_VALUE for d in doc.problems):
        raise SpecError(doc.problems)
    return doc


def _json_int(text: str) -> int | float:
    return _integer(text, 10)


def _first_wins(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key not in out:
            out[key] = value
    return out


def _scan_json(text: str) -> tuple[dict[Path, Mark], dict[Path, Mark], list[Diagnostic], bool]:
    """Positions of every key and value of valid JSON text, in one flat token scan.

    Also finds what ``json.loads`` accepts but a spec does not: duplicate keys
    (reported at the second, naming the first) and numbers no float can hold.
    Lines are counted at ``\\n``, as JSON does; columns in characters.
    """
    values: dict[Path, Mark] = {}
    keys: dict[Path, Mark] = {}
    problems: list[Diagnostic] = []
    duplicates = False
    # One frame per open container: [path, is_mapping, pending key (None: a key
    # comes next) or next list index, first position of each key].
    stack: list[list[Any]] = []
    line, line_start, last = 1, 0, 0
    count, rfind = text.count, text.rfind
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        first = token[0]
        if first == "}" or first == "]":
            stack.pop()
            continue
        start = match.start()
        breaks = count("\n", last, start)
        if breaks:
            line += breaks
            line_start = rfind("\n", last, start) + 1
        last = start
        mark = Mark(line, start - line_start + 1)
        path: Path
        if stack:
            top = stack[-1]
            if top[1]:
                key = top[2]
                if key is None:
                    key = token[1:-1] if "\\" not in token else json.loads(token)
                    top[2] = key
                    key_path = (*top[0], key)
                    seen = top[3].get(key)
                    if seen is None:
                        top[3][key] = mark
                        keys.setdefault(key_path, mark)
                    else:
                        duplicates = True
                        problems.append(_duplicate(key, key_path, seen, mark, None))
                    continue
                top[2] = None
                path = (*top[0], key)
            else:
                path = (*top[0], top[2])
                top[2] += 1
        else:
            path = ()
        values.setdefault(path, mark)
        if first == "{":
            stack.append([path, True, None, {}])
        elif first == "[":
            stack.append([path, False, 0, None])
        elif first in "-0123456789NI" and (len(token) > 300 or token in _NON_FINITE or "e" in token or "E" in token):
            if token in _NON_FINITE:
                problems.append(
                    Diagnostic(
                        Code.BAD_VALUE,
                        f"{token} is not valid JSON: numbers must be finite",
                        path,
                        "write a finite number",
                    )
                )
            else:
                number: int | float = float(token) if any(c in token for c in ".eE") else _integer(token, 10)
                problem = _number_problem(token, number, path)
                if problem is not None:
                    problems.append(problem)
    return values, keys, problems, duplicates


# ---------------------------------------------------------------------------
# Python data


def _check_plain(value: Any, path: Path, depth: int, limits: Limits, problems: list[Diagnostic]) -> Any:
    """Check data from Python: plain, acyclic, bounded in depth and in expanded size; return a copy.

    Iterative: data handed in from Python may be arbitrarily deep, self-referencing,
    or share one list from many places (each reference is walked, and counted, and
    copied on its own). A container at ``depth`` (the top one at 0) is level
    ``depth + 1``, as in text. Lists, tuples and dicts are copied as they are met
    (what ``copy.deepcopy`` would make, in one walk instead of two); any other
    mapping is deep-copied once checked. Scalars are immutable and kept.
    """
    root: list[Any] = [value]
    tuples: list[tuple[Any, Any, list[Any]]] = []  # (container, key, list standing in for a tuple until the walk ends)
    others: list[tuple[Any, Any, Any]] = []  # (container, key, mapping of another type): deep-copied at the end
    stack: list[tuple[Any, Path, int, frozenset[int], Any, Any]] = []
    if isinstance(value, Mapping | list | tuple):
        stack.append((value, path, depth, frozenset(), root, 0))
    else:
        _check_scalar(value, path, problems)
    counted = 1  # values met so far, each reference to a shared list or mapping walked and counted again
    containers: set[int] = set()
    shared = False
    while stack and len(problems) < 20:
        value, path, depth, active, parent, key = stack.pop()
        if depth >= limits.max_depth:
            problems.append(
                Diagnostic(
                    Code.TOO_DEEP,
                    f"data is nested deeper than {limits.max_depth} levels",
                    path,
                    "flatten the structure",
                )
            )
            continue
        ident = id(value)
        if ident in active:
            problems.append(Diagnostic(Code.YAML_ALIAS, "data contains itself (a reference cycle)", path))
            continue
        shared = shared or ident in containers
        containers.add(ident)
        counted += len(value)
        if counted > limits.max_values:
            problems.append(_too_many_values(limits, path, shared))
            break
        inner = active | {ident}
        if isinstance(value, Mapping):
            copy_: Any = {}
            if type(value) is not dict:
                others.append((parent, key, value))
            items: Iterable[tuple[Any, Any]] = value.items()
        else:
            copy_ = [None] * len(value)
            if type(value) is not list:
                tuples.append((parent, key, copy_))
            items = enumerate(value)
        parent[key] = copy_
        for k, v in items:
            if type(copy_) is list or (isinstance(k, str) and not SURROGATE.search(k)):
                _check_item(k, v, path, depth, inner, copy_, stack, problems)
            elif isinstance(k, str):
                problems.append(_surrogate_value(k, path, True))
            else:
                problems.append(
                    Diagnostic(
                        Code.WRONG_TYPE, f"mapping keys must be strings; got {type(k).__name__} {shown_value(k)}", path
                    )
                )
    for container, key, stand_in in reversed(tuples):
        container[key] = tuple(stand_in)
    for container, key, original in others:
        container[key] = copy.deepcopy(original)
    return root[0]


_PLAIN_SCALARS = (str, bool, type(None))


def _check_item(
    key: Any,
    value: Any,
    path: Path,
    depth: int,
    active: frozenset[int],
    copy_: Any,
    stack: list[Any],
    problems: list[Diagnostic],
) -> None:
    """One entry of a container being copied: a scalar is checked and kept, a container is walked next."""
    if type(value) in _PLAIN_SCALARS:
        copy_[key] = value
        if type(value) is str and SURROGATE.search(value):
            problems.append(_surrogate_value(value, (*path, key), False))
    elif isinstance(value, Mapping | list | tuple):
        copy_[key] = None  # holds the key's place: a mapping's copy keeps the order of its keys
        stack.append((value, (*path, key), depth + 1, active, copy_, key))
    else:
        copy_[key] = value
        _check_scalar(value, (*path, key), problems)


def _check_scalar(value: Any, path: Path, problems: list[Diagnostic]) -> None:
    if isinstance(value, str):
        if SURROGATE.search(value):
            problems.append(_surrogate_value(value, path, False))
        return
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, int | float):
        if isinstance(value, int) and abs(value) >= INT_BOUND:
            digits = int(abs(value).bit_length() * math.log10(2)) + 1
            problems.append(_too_large_integer(f"of about {digits:,} digits", path))
        elif isinstance(value, float) and not math.isfinite(value):
            problems.append(
                Diagnostic(Code.BAD_VALUE, f"{value} is not a finite number", path, "write a finite number")
            )
        return
    problems.append(
        Diagnostic(
            Code.WRONG_TYPE,
            "only plain data (strings, numbers, booleans, null, lists, mappings) is accepted; "
            f"got {type(value).__name__}",
            path,
        )
    )


def shown_value(value: Any) -> str:
    """A short, printable ``repr`` of any value from Python (a 5,000-digit int has no ``repr``: it raises)."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 256:
        return f"<an integer of about {int(value.bit_length() * math.log10(2)) + 1:,} digits>"
    try:
        text = ascii(value)
    except Exception:  # a repr that raises: the value is Python's, never a spec's
        return f"<{type(value).__name__}>"
    return _shorten(text)


def _too_many_values(limits: Limits, path: Path, shared: bool) -> Diagnostic:
    if shared:
        return Diagnostic(
            Code.YAML_ALIAS,
            f"the data expands to more than {limits.max_values:,} values, "
            "a list or mapping counted once per place that refers to it",
            path,
            "refer to shared lists from fewer places, or raise Limits(max_values=...) if this data is trusted",
        )
    return Diagnostic(
        Code.FILE_TOO_LARGE,
        f"the data holds more than {limits.max_values:,} values",
        path,
        "raise the limit with Limits(max_values=...) if this data is trusted",
    )


def _too_large(size: int, limits: Limits, file: str | None, at_least: bool = False) -> Diagnostic:
    return Diagnostic(
        Code.FILE_TOO_LARGE,
        f"the spec is {'more than ' if at_least else ''}{size - at_least:,} bytes; the limit is {limits.max_bytes:,}",
        file=file,
        hint="raise the limit with Limits(max_bytes=...) or --max-bytes if this spec is trusted",
    )


# ---------------------------------------------------------------------------
# Numbers

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
    An integer beyond the float range resolves to ±inf, as ``1e400`` does, so the
    finiteness check refuses both alike (and no 5,000-digit text is ever converted).
    """
    if _NULL.match(text):
        return None
    if _LEADING_ZERO.match(text):
        return text  # YAML 1.1 reads 0755 as octal 493, YAML 1.2 as 755: refuse to guess
    if text in _BOOL:
        return _BOOL[text]
    if _INT.match(text):
        return _integer(text, 10)
    if _OCT.match(text):
        return _integer(text[2:], 8)
    if _HEX.match(text):
        return _integer(text[2:], 16)
    if _FLOAT.match(text):
        return float(text)
    if _INF.match(text):
        return float("-inf") if text.startswith("-") else float("inf")
    if _NAN.match(text):
        return float("nan")
    return text


def _integer(text: str, base: int) -> int | float:
    """``int(text, base)``, or ±inf past the float range (decided before converting many digits)."""
    if len(text) < 250:  # below 2**1000 in any of the bases
        return int(text, base)
    negative = text.startswith("-")
    if base == 10 and len(text) - (text[:1] in "+-") > _MAX_INT_DIGITS:
        return -math.inf if negative else math.inf
    value = int(text, base)
    if abs(value) >= INT_BOUND:
        return -math.inf if negative else math.inf
    return value


def _is_int_literal(text: str) -> bool:
    return bool(_INT.match(text) or _OCT.match(text) or _HEX.match(text))


def _shorten(text: str) -> str:
    return text if len(text) <= 40 else f"{text[:12]}…{text[-6:]} ({len(text):,} characters)"


def _number_problem(text: str, value: Any, path: Path) -> Diagnostic | None:
    """A ``bad-value`` diagnostic if ``value``, written as ``text``, is not a finite number in the float range."""
    if not isinstance(value, float) or math.isfinite(value):
        return None
    if _is_int_literal(text):
        return _too_large_integer(_shorten(text), path)
    return Diagnostic(Code.BAD_VALUE, f"{_shorten(text)} is not a finite number", path, "write a finite number")


def _too_large_integer(shown: str, path: Path) -> Diagnostic:
    return Diagnostic(
        Code.BAD_VALUE,
        f"the integer {shown} is too large: numbers must lie within ±1.8e308, the range of a float",
        path,
        "write a smaller number",
    )


# What YAML 1.1 reads as booleans and YAML 1.2 (graphspec) reads as strings.
YAML11_BOOLS = {"yes": "true", "no": "false", "on": "true", "off": "false", "y": "true", "n": "false"}


def bool_hint(value: Any) -> str | None:
    """Why a string stands where a boolean was expected, if YAML 1.1 is the likely cause."""
    if isinstance(value, str) and value.lower() in YAML11_BOOLS:
        return f"YAML 1.1 reads {value!r} as a boolean, graphspec reads YAML 1.2: write {YAML11_BOOLS[value.lower()]}"
    return None


def number_hint(value: Any, integer: bool) -> str | None:
    """How to write a number that was given in another form (quoted, with leading zeros, as a float, as a boolean)."""
    if isinstance(value, bool):
        return "booleans are not numbers here"
    if isinstance(value, str):
        if _LEADING_ZERO.match(value):
            return f"leading zeros are ambiguous (YAML 1.1 reads {value} as octal): write the number without them"
        if isinstance(resolve_plain(value), int | float) and not isinstance(resolve_plain(value), bool):
            return f"remove the quotes to write the number {value}"
    if integer and isinstance(value, float) and value.is_integer():
        return f"write {int(value)} (an integer, without a decimal point or exponent)"
    return None


def resolve_plain_checked(text: str, path: Path, problems: list[Diagnostic]) -> Any:
    value = resolve_plain(text)
    if value.__class__ is float and not math.isfinite(value):
        problem = _number_problem(text, value, path)
        if problem is not None:
            problems.append(problem)
    return value


# ---------------------------------------------------------------------------
# YAML


def _mark(yaml_mark: Any) -> Mark:
    return Mark(yaml_mark.line + 1, yaml_mark.column + 1)


@dataclass
class _Frame:
    """A mapping or list under construction."""

    value: Any
    path: Path
    event: Any
    size: int = 1  # values in it, itself included, every alias counted at full size
    below: int = 0  # levels of containers inside it (0: scalars only)
    key: str | None = None
    key_mark: Any = None
    merge: bool = False  # the pending key is YAML's merge key, a plain <<
    seen: dict[str, Any] = field(default_factory=dict)
    merges: list[Any] = field(default_factory=list)


class _Builder:
    """Builds plain data from the parser's event stream, in one flat loop.

    No recursion anywhere: nesting is an explicit stack, bounded by
    ``limits.max_depth``. Aliases share the anchored Python object, so a bomb
    costs nothing to build; each anchored value's size (values, itself included,
    aliases at full size) and height (levels of nesting) are recorded, so an
    alias is refused where it would nest too deep, and the expanded size is
    counted and refused before anything walks the data.
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
        self.anchors: dict[str, tuple[Any, int, int]] = {}
        self.open_anchors: set[str] = set()
        self.written = 0  # nodes in the text, aliases as one
        self.expanded = 0  # nodes with every alias expanded
        self.merged = 0  # entries copied by merge keys
        self.biggest_alias: tuple[int, Any] = (0, None)

    def fail(self, code: Code, message: str, mark: Any, hint: str | None = None) -> SpecError:
        line = mark.line + 1 if mark is not None else None
        col = mark.column + 1 if mark is not None else None
        return self._error(code, message, line, col, hint)

    def _error(self, code: Code, message: str, line: int | None, col: int | None, hint: str | None = None) -> SpecError:
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
                        raise self.fail(
                            Code.SYNTAX,
                            "the text holds several YAML documents; a spec is exactly one",
                            event.start_mark,
                        )
                    continue
                if isinstance(event, yaml.StreamStartEvent | yaml.StreamEndEvent | yaml.DocumentEndEvent):
                    continue
                done = self._event(event)
                if done is not _EMPTY:
                    root = done
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            problem = exc.problem or str(exc)
            if "maximum nesting depth" in problem:  # libyaml's own bound (1,000), met ahead of ours
                raise self.fail(
                    Code.TOO_DEEP, f"nesting deeper than {self.limits.max_depth} levels", mark, "flatten the structure"
                ) from None
            around = ""
            if exc.context and exc.context_mark is not None and exc.problem_mark is not None:
                problem += (
                    f" {exc.context} that starts at line {exc.context_mark.line + 1}, "
                    f"column {exc.context_mark.column + 1}"
                )
                around = "\n".join(self.text.splitlines()[exc.context_mark.line : exc.problem_mark.line + 1])
            raise self.fail(
                Code.SYNTAX, f"malformed YAML/JSON: {problem}", mark, _syntax_hint(problem, around)
            ) from None
        except yaml.reader.ReaderError as exc:
            raise self._reader_error(exc) from None
        except yaml.YAMLError as exc:
            raise self.fail(Code.SYNTAX, f"malformed YAML/JSON: {exc}", None) from None
        if self.expanded > self._budget(self.written):
            raise self.fail(
                Code.YAML_ALIAS,
                f"aliases expand this document to {self.expanded:,} values from "
                f"{self.written:,} written (an alias bomb?)",
                self.biggest_alias[1],
                "write the values out, or use fewer nested aliases",
            )
        return root

    def _budget(self, written: int) -> int:
        return max(10_000, written * self.limits.max_expansion)

    def _reader_error(self, exc: Any) -> SpecError:
        """A character YAML does not allow (DEL, C1 controls, ...), at its position."""
        index = exc.position
        if _Loader is not yaml.SafeLoader:  # libyaml counts bytes of UTF-8
            index = len(self.text.encode("utf-8")[:index].decode("utf-8", "ignore"))
        head = (self.text[:index] + "x").splitlines()
        char = exc.character if isinstance(exc.character, int) else ord(exc.character)
        return self._error(
            Code.SYNTAX,
            f"malformed YAML: the character U+{char:04X} is not allowed in YAML text ({exc.reason})",
            len(head),
            len(head[-1]),
            f'write it as an escape in a double-quoted string: "{_escape(char)}"',
        )

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
            self.expanded += 1
            if is_key:
                return self._key(event)
            value = self._scalar(event, path)
            self.values.setdefault(path, _mark(event.start_mark))
            if event.anchor:
                self.anchors[event.anchor] = (value, 1, 0)
            return self._add(value, 1, 0, event)
        if isinstance(event, yaml.AliasEvent):
            self.written += 1
            if is_key:
                raise self.fail(Code.WRONG_TYPE, "mapping keys must be plain strings, not aliases", event.start_mark)
            if event.anchor in self.open_anchors:
                raise self.fail(
                    Code.YAML_ALIAS,
                    f"alias *{event.anchor} refers to a node that contains it (a recursive structure)",
                    event.start_mark,
                )
            if event.anchor not in self.anchors:
                raise self.fail(
                    Code.YAML_ALIAS, f"alias *{event.anchor} names no anchor defined before it", event.start_mark
                )
            value, size, height = self.anchors[event.anchor]
            # The aliased value nests `height` levels below its parent (the open
            # containers); a merge key spreads a mapping's entries one level up.
            depth = len(self.stack) - (1 if self.stack and self.stack[-1].merge else 0) + height
            if depth > self.limits.max_depth:
                raise self.fail(
                    Code.TOO_DEEP,
                    f"alias *{event.anchor} inserts {height} levels of nesting here, "
                    f"deeper than {self.limits.max_depth} levels in all",
                    event.start_mark,
                    "flatten the structure; an alias nests as deep as the value it names",
                )
            self.expanded += size
            if size > self.biggest_alias[0]:
                self.biggest_alias = (size, event.start_mark)
            self.values.setdefault(path, _mark(event.start_mark))
            return self._add(value, size, height, event)
        if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            self.written += 1
            self.expanded += 1
            if is_key:
                raise self.fail(
                    Code.WRONG_TYPE, "mapping keys must be plain strings, not lists or mappings", event.start_mark
                )
            if len(self.stack) >= self.limits.max_depth:
                raise self.fail(
                    Code.TOO_DEEP,
                    f"nesting deeper than {self.limits.max_depth} levels",
                    event.start_mark,
                    "flatten the structure",
                )
            is_map = isinstance(event, yaml.MappingStartEvent)
            if tag not in (None, "!", _STD + ("map" if is_map else "seq")):
                self.problems.append(
                    Diagnostic(
                        Code.WRONG_TYPE,
                        f"the tag !!{tag[len(_STD) :]} does not fit a {'mapping' if is_map else 'list'}: "
                        "a tag may only restate the kind of value it is on",
                        path,
                        "remove the tag",
                    )
                )
            if event.anchor:
                self.open_anchors.add(event.anchor)
            self.values.setdefault(path, _mark(event.start_mark))
            self.stack.append(_Frame({} if is_map else [], path, event))
            return _EMPTY
        if isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            frame = self.stack.pop()
            value = frame.value
            for merged in frame.merges:
                for k, v in merged.items():
                    value.setdefault(k, v)
            height = frame.below + 1
            anchor = frame.event.anchor
            if anchor:
                self.open_anchors.discard(anchor)
                self.anchors[anchor] = (value, frame.size, height)
            return self._add(value, frame.size, height, frame.event)
        return _EMPTY

    def _key(self, event: Any) -> Any:
        top = self.stack[-1]
        key = event.value
        top.key = key
        top.key_mark = event.start_mark
        top.merge = key == "<<" and _is_plain(event) and event.tag is None
        top.size += 1
        if not top.merge:
            self.keys.setdefault((*top.path, key), _mark(event.start_mark))
        return _EMPTY

    def _add(self, value: Any, size: int, height: int, event: Any) -> Any:
        """Put a finished value into the open container (or return it: the document's root)."""
        if not self.stack:
            return value
        top = self.stack[-1]
        top.size += size
        if isinstance(top.value, list):
            top.below = max(top.below, height)
            top.value.append(value)
            return _EMPTY
        key, key_mark = top.key, top.key_mark
        top.key = None
        assert key is not None
        if top.merge:
            top.merge = False
            top.below = max(top.below, height - 1)
            self._merge_key(top, value, event)
            return _EMPTY
        top.below = max(top.below, height)
        if key in top.seen:
            self.problems.append(
                _duplicate(key, (*top.path, key), _mark(top.seen[key]), _mark(key_mark), self.file, self.lines)
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
            self.merged += len(src)
            top.merges.append(src)
        # Merging copies entries: bound that work now, before the end-of-text
        # expansion check (a merged entry is at most one expanded value, and the
        # text left can add at most one written value per character).
        if self.merged > self._budget(self.written + len(self.text) - event.end_mark.index):
            raise self.fail(
                Code.YAML_ALIAS,
                f"merge keys copy {self.merged:,} entries, from {self.written:,} values "
                "written so far (an alias bomb?)",
                event.start_mark,
                "write the values out, or merge smaller mappings",
            )

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
            typed = float(typed)  # never overflows: resolve_plain bounds integers
        elif expected is int and isinstance(typed, float) and _is_int_literal(text):
            expected = float  # an integer too large for any number: reported below
        if expected is None or not isinstance(typed, expected) or (expected is int and isinstance(typed, bool)):
            self.problems.append(Diagnostic(Code.WRONG_TYPE, f"{_shorten(text)!r} is not a valid {kind}", path))
            return text
        problem = _number_problem(text, typed, path)
        if problem is not None:
            self.problems.append(problem)
        return typed


_EMPTY: Any = object()


def _is_plain(event: Any) -> bool:
    return event.style in (None, "")


def _duplicate(
    key: str, path: Path, first: Mark, second: Mark, file: str | None, lines: list[str] | None = None
) -> Diagnostic:
    return Diagnostic(
        Code.DUPLICATE_KEY,
        f"key {key!r} appears twice (first at line {first.line}, column {first.column}); "
        "YAML would silently keep the last",
        path,
        "remove one of the two",
        file=file,
        line=second.line,
        column=second.column,
        source_line=lines[second.line - 1] if lines is not None and second.line <= len(lines) else None,
    )


def _escape(char: int) -> str:
    if char <= 0xFF:
        return f"\\x{char:02x}"
    return f"\\u{char:04x}" if char <= 0xFFFF else f"\\U{char:08x}"


def _syntax_hint(problem: str, around: str = "") -> str | None:
    """A fix for a YAML syntax error; ``around`` is the text from the collection the error is in to the error."""
    expression = re.search(r"(?<![\"'])\$\{[^}\n]*\}?", around) if "flow" in problem else None
    if expression:
        # In `{units: ${a // b}}` YAML reads the expression's braces as the mapping's own.
        return (
            f'quote the expression: "{expression.group(0)}" (inside {{...}} or [...], '
            f"YAML takes the braces of an unquoted ${{...}} for its own)"
        )
    if "tab" in problem or "\\t" in problem:
        return "indent with spaces; YAML does not allow tabs for indentation"
    if "mapping values are not allowed" in problem:
        return "quote values that contain ': ', or check the indentation of this line"
    return None
