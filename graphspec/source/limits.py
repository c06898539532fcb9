"""Read limits: every file graphspec opens is read here, bounded before anything parses it.

Specs, their includes and ``model:`` files, Keras JSON, ``.keras`` archives,
``.npz`` data and the files given to ``diff`` may all come from strangers. One
:class:`Limits` value bounds them all, and the readers below apply it the same way
everywhere:

* a file is opened once, without following it into a FIFO or device (opening
  never blocks), checked to be a regular file, and read up to its limit plus one
  byte, so a file that grows, lies about its size (``/proc``) or is huge costs
  no more than the limit;
* a path with a NUL byte is refused by name instead of raising ``ValueError``;
* text must be UTF-8; where it is not, the error is the spec's (``syntax``, with
  the line and column of the first bad byte), not an I/O error;
* JSON nesting is measured in one flat pass before any recursive parser runs;
* a zip archive (``.npz``, ``.keras``) is bounded before ``zipfile`` builds its
  directory (the end record's entry count and directory size), then member by
  member: declared sizes, their sum, and the compression ratio. ``zipfile``
  itself never inflates a member past its declared size (it stops there and the
  CRC check fails), so the declared sizes are what memory is bounded by.

Pure standard library: ``validate`` imports this module and must stay light.
"""

from __future__ import annotations

import json
import os
import re
import stat
import struct
from dataclasses import dataclass
from itertools import accumulate
from typing import TYPE_CHECKING, Any

from graphspec.errors import Code, Diagnostic, SpecError

if TYPE_CHECKING:
    import zipfile

__all__ = [
    "MAX_ARCHIVE_MEMBERS",
    "Limits",
    "check_archive",
    "decode_text",
    "json_depth",
    "json_too_deep",
    "open_archive",
    "read_file",
    "read_json_record",
    "read_record",
    "shown_path",
]


@dataclass(frozen=True)
class Limits:
    """Bounds applied to everything graphspec reads: spec text and data, model files, training data.

    Attributes:
        max_bytes: largest spec text, in bytes of UTF-8. For a spec read from a
            file this bounds the file and every distinct file it includes or names
            in ``model:``, together (each counted once, however often it is
            named); a spec given to ``diff`` is bounded the same way.
        max_depth: deepest nesting of mappings and lists, the top-level mapping
            being level 1. The same rule holds for text and for data from Python,
            and an alias counts at the depth where it is used, with the full
            nesting of the value it names.
        max_expansion: for text, alias expansion allowed, as a multiple of the
            number of values written (at least 10,000 values are always allowed).
            A document without aliases never exceeds it. Expansion (blocks,
            repeat, parameters) may create at most this multiple of
            ``max_bytes`` in new string characters.
        max_values: for data from Python, which has no written size, the most
            values it may hold, counting a list or mapping referenced from
            several places once per reference (Python's counterpart of an alias
            bomb); and the most values expansion may produce, every copy of a
            repeated block counted.
        max_model_bytes: largest Keras model config: JSON text (``model.to_json()``,
            a ``.json`` file) and a ``.keras`` archive's ``config.json``, inflated.
        max_model_depth: deepest nesting in a Keras model config (Keras nests
            each layer's config a dozen levels deep).
        max_data_bytes: most bytes of arrays one data file may hold, as its
            headers declare them and inflated (``.npz``), and the most synthetic
            data ``--synthetic`` may generate; also the largest inflated weights
            of a ``.keras`` file.
        max_ratio: most inflated bytes per stored byte of any archive member
            larger than 1 MiB (a 4.6 MB file inflating to 4.5 GiB is refused,
            whatever its total).

    Integers beyond 64 bits are accepted, but not beyond the float range
    (±1.8e308): such a number is refused as ``bad-value``, like ``1e400``.
    """

    max_bytes: int = 1 << 20
    max_depth: int = 64
    max_expansion: int = 10
    max_values: int = 1_000_000
    max_model_bytes: int = 16 << 20
    max_model_depth: int = 256
    max_data_bytes: int = 4 << 30
    max_ratio: int = 100


# Archive directories are bounded before zipfile parses them (it keeps an object
# per member): most members, and most bytes of directory (names included).
MAX_ARCHIVE_MEMBERS = 10_000
_MAX_DIRECTORY_BYTES = 16 << 20
# Stored and deflated: what numpy.savez(_compressed) and Keras write (zipfile raises NotImplementedError on others).
_METHODS = (0, 8)
# Members up to this size may have any compression ratio (small files of zeros are normal).
_RATIO_FLOOR = 1 << 20


def shown_path(path: str | os.PathLike[str]) -> str:
    """A path as text that can always be printed (undecodable bytes and lone surrogates escaped)."""
    text = os.fsdecode(path) if isinstance(path, bytes) else os.fspath(path)
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _io_error(message: str, file: str, hint: str | None = None) -> SpecError:
    return SpecError([Diagnostic(Code.IO_ERROR, message, (), hint, file=file)])


def read_file(
    path: str | os.PathLike[str],
    max_bytes: int,
    *,
    what: str = "the spec",
    hint: str | None = None,
    pipes: bool = False,
) -> bytes:
    """The bytes of the regular file at ``path``, at most ``max_bytes`` of them.

    Never blocks on opening a FIFO, never reads a device, and never reads more
    than ``max_bytes + 1`` bytes, whatever the file's reported size. With
    ``pipes``, for a file the caller named itself (``graphspec diff a.yaml <(...)``,
    ``-`` for standard input), a pipe is read too, waiting for its writer; a
    FIFO no process writes to reads as empty.

    Raises:
        SpecError: ``io-error`` for a missing or unreadable file, a path with a
            NUL byte, or something that is not a regular file; ``file-too-large``
            past ``max_bytes``.
    """
    name = shown_path(path)
    if "\0" in os.fspath(path):
        raise _io_error("the path holds a NUL byte, which no file name can", name)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise _io_error(f"no such file: {name}", name) from None
    except OSError as exc:
        raise _io_error(f"cannot read {name}: {exc.strerror or exc}", name) from None
    try:
        info = os.fstat(fd)
        if pipes and stat.S_ISFIFO(info.st_mode):
            os.set_blocking(fd, True)  # opened without blocking; now wait for what the writer sends
        elif not stat.S_ISREG(info.st_mode):
            raise _io_error(f"not a regular file: {name}", name)
        if info.st_size > max_bytes:
            raise SpecError([_too_large(info.st_size, max_bytes, name, what, hint)])
        chunks = []
        left = max_bytes + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    except OSError as exc:
        raise _io_error(f"cannot read {name}: {exc.strerror or exc}", name) from None
    finally:
        os.close(fd)
    raw = b"".join(chunks)
    if len(raw) > max_bytes:
        raise SpecError([_too_large(None, max_bytes, name, what, hint)])
    return raw


# graphspec's own records in a folder it owns (a run folder's run.json, the backup's
# state.json, history.json, log.csv): far larger than any run writes, far below memory.
RECORD_BYTES = 64 << 20
_RECORD_DEPTH = 64


def read_record(path: str | os.PathLike[str], max_bytes: int = RECORD_BYTES) -> str | None:
    """The text of a file graphspec wrote for itself, or ``None`` if there is no such file.

    A reused folder may hold anything under that name (a FIFO, a huge file, bytes
    that are not UTF-8): it is read as :func:`read_file` reads, and anything that
    is not a regular UTF-8 file within ``max_bytes`` counts as no record.
    """
    try:
        return read_file(path, max_bytes, what="the record").decode("utf-8")
    except (SpecError, UnicodeDecodeError):
        return None


def read_json_record(path: str | os.PathLike[str], max_bytes: int = RECORD_BYTES) -> Any:
    """A JSON record graphspec wrote (see :func:`read_record`), or ``None``: missing, unreadable, too deep or not
    JSON."""
    text = read_record(path, max_bytes)
    if text is None or json_too_deep(text, _RECORD_DEPTH) is not None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _too_large(size: int | None, limit: int, file: str | None, what: str, hint: str | None) -> Diagnostic:
    told = f"{size:,} bytes" if size is not None else f"more than {limit:,} bytes"
    return Diagnostic(
        Code.FILE_TOO_LARGE,
        f"{what} is {told}; the limit is {limit:,}",
        file=file,
        hint=hint or "raise the limit with Limits(max_bytes=...) or --max-bytes if this spec is trusted",
    )


def decode_text(raw: bytes, file: str | None) -> str:
    """UTF-8 text (a leading BOM dropped).

    Raises:
        SpecError: ``syntax`` at the line and column of the first byte that is
            not UTF-8: such a file is a malformed spec, not an unreadable one.
    """
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        head = raw[: exc.start].decode("utf-8", "replace").removeprefix("\ufeff")
        line = head.count("\n") + 1
        column = len(head) - (head.rfind("\n") + 1) + 1
        shown = head.rsplit("\n", 1)[-1]
        raise SpecError(
            [
                Diagnostic(
                    Code.SYNTAX,
                    f"the text is not UTF-8: byte 0x{raw[exc.start]:02x} at offset {exc.start:,} ({exc.reason})",
                    file=file,
                    line=line,
                    column=column,
                    source_line=shown,
                    hint="save the spec as UTF-8",
                )
            ]
        ) from None


# ---------------------------------------------------------------------------
# JSON nesting, measured flat (json's C scanner recurses once per level)

# A string, or an unterminated one running to the end: never fails, so never rescans.
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_DEPTH_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
_STRING_OR_BRACKET = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[\]{}]', re.DOTALL)


def json_depth(text: str) -> int:
    """Deepest bracket nesting of JSON text (brackets inside strings, escaped quotes included, do not count)."""
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text))
    return max(accumulate(map(_DEPTH_STEP.__getitem__, brackets)), default=0)


def json_too_deep(text: str, max_depth: int) -> int | None:
    """The offset of the first bracket nesting deeper than ``max_depth``, or ``None``.

    The fast :func:`json_depth` decides; only text that is too deep is scanned
    again, token by token, for the position to report.
    """
    if json_depth(text) <= max_depth:
        return None
    depth = 0
    for match in _STRING_OR_BRACKET.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > max_depth:
                return match.start()
        elif token in "]}":
            depth -= 1
    return None  # not reached: json_depth found the same brackets


def offset_position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset``, lines broken at ``\\n`` (as JSON counts them)."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


# ---------------------------------------------------------------------------
# zip archives (.npz, .keras)

_END_RECORD = struct.Struct("<4s4H2LH")
_ZIP64_LOCATOR = struct.Struct("<4sLQL")
_ZIP64_END = struct.Struct("<4sQ2H2L4Q")


def _directory_size(fp: Any, size: int) -> tuple[int, int] | None:
    """Entries and directory bytes from a zip's end record (zip64 too), or ``None`` if there is none."""
    tail_size = min(size, _END_RECORD.size + 0xFFFF)
    fp.seek(size - tail_size)
    tail = fp.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + _END_RECORD.size > len(tail):
        return None
    fields = _END_RECORD.unpack(tail[at : at + _END_RECORD.size])
    entries, directory = fields[4], fields[5]
    if entries == 0xFFFF or directory == 0xFFFFFFFF:
        start = at - _ZIP64_LOCATOR.size
        if start < 0 or tail[start : start + 4] != b"PK\x06\x07":
            return entries, directory
        end_offset = _ZIP64_LOCATOR.unpack(tail[start : start + _ZIP64_LOCATOR.size])[2]
        fp.seek(end_offset)
        record = fp.read(_ZIP64_END.size)
        if len(record) < _ZIP64_END.size or record[:4] != b"PK\x06\x06":
            return entries, directory
        values = _ZIP64_END.unpack(record)
        entries, directory = values[6], values[7]
    return entries, directory


def open_archive(
    path: str | os.PathLike[str], max_file_bytes: int, *, what: str, code: Code, hint: str
) -> zipfile.ZipFile:
    """A zip archive opened for reading, its directory bounded before ``zipfile`` parses it.

    The caller closes it (``with open_archive(...) as archive``); members are
    checked with :func:`check_archive`.

    Raises:
        SpecError: ``code`` (``bad-data-file`` or ``bad-model``) for a file that is
            not a zip archive or whose directory is too large; ``io-error`` for a
            missing file, a NUL byte in its path, or one that is not a regular file.
    """
    import zipfile

    name = shown_path(path)
    if "\0" in os.fspath(path):
        raise _io_error("the path holds a NUL byte, which no file name can", name)
    try:
        fp = open(path, "rb", opener=_nonblocking)  # noqa: SIM115 (closed with the archive, or below)
    except OSError as exc:
        raise _io_error(
            f"no such file: {name}"
            if isinstance(exc, FileNotFoundError)
            else f"cannot read {name}: {exc.strerror or exc}",
            name,
            hint,
        ) from None
    try:
        info = os.fstat(fp.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise _io_error(f"not a regular file: {name}", name, hint)
        if info.st_size > max_file_bytes:
            raise SpecError(
                [
                    Diagnostic(
                        code,
                        f"cannot read {what} {name!r}: it is {info.st_size:,} bytes; the limit is {max_file_bytes:,}",
                        (),
                        _raise_hint(),
                        file=name,
                    )
                ]
            )
        found = _directory_size(fp, info.st_size)
        if found is None:
            raise SpecError(
                [
                    Diagnostic(
                        code, f"cannot read {what} {name!r}: not a zip archive (no end record)", (), hint, file=name
                    )
                ]
            )
        entries, directory = found
        if entries > MAX_ARCHIVE_MEMBERS or directory > _MAX_DIRECTORY_BYTES:
            message = (
                f"cannot read {what} {name!r}: it lists {entries:,} members in {directory:,} bytes of directory; "
                f"at most {MAX_ARCHIVE_MEMBERS:,} members are read"
            )
            raise SpecError([Diagnostic(code, message, (), hint, file=name)])
        fp.seek(0)
        return zipfile.ZipFile(fp)
    except SpecError:
        fp.close()
        raise
    except (
        zipfile.BadZipFile,
        EOFError,
        OSError,
        ValueError,
        struct.error,
        NotImplementedError,
    ) as exc:  # NotImplementedError: a forged version field
        fp.close()
        raise SpecError(
            [Diagnostic(code, f"cannot read {what} {name!r}: not a valid zip archive ({exc})", (), hint, file=name)]
        ) from None


def _nonblocking(path: str, flags: int) -> int:
    return os.open(path, flags | getattr(os, "O_NONBLOCK", 0))


def _raise_hint() -> str:
    return (
        "raise the limits with Limits(max_data_bytes=..., max_model_bytes=..., max_ratio=...) if this file is trusted"
    )


def check_archive(
    archive: zipfile.ZipFile, limits: Limits, *, what: str, code: Code, budgets: dict[str, int] | None = None
) -> list[zipfile.ZipInfo]:
    """Check every member's declared size, the sum of them, and each one's compression ratio.

    ``budgets`` maps a member name to its own size limit (``config.json`` of a
    ``.keras`` file: ``max_model_bytes``); the other members share
    ``limits.max_data_bytes``. Encrypted members are refused.

    Raises:
        SpecError: ``code``, naming the member and its declared and stored sizes.
    """
    name = shown_path(archive.filename or "archive") if archive.filename else what
    budgets = budgets or {}
    total = 0
    members = archive.infolist()
    for info in members:
        member = shown_path(info.filename)
        if info.flag_bits & 0x1:
            raise _archive_error(code, f"cannot read {what} {name!r}: member {member!r} is encrypted", name)
        if info.compress_type not in _METHODS:  # numpy and Keras write stored or deflated members only
            raise _archive_error(
                code,
                f"cannot read {what} {name!r}: "
                f"member {member!r} uses compression method {info.compress_type}, not stored or deflated",
                name,
            )
        limit = budgets.get(info.filename)
        if limit is not None and info.file_size > limit:
            raise _archive_error(
                code,
                f"cannot read {what} {name!r}: "
                f"member {member!r} inflates to {info.file_size:,} bytes; the limit is {limit:,}",
                name,
            )
        if limit is None:
            total += info.file_size
        if info.file_size > _RATIO_FLOOR and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            ratio = info.file_size // max(info.compress_size, 1)
            message = (
                f"cannot read {what} {name!r}: member {member!r} inflates {info.compress_size:,} "
                f"stored bytes to {info.file_size:,} ({ratio:,}×; the limit is {limits.max_ratio}×)"
            )
            raise _archive_error(code, message, name)
    if total > limits.max_data_bytes:
        raise _archive_error(
            code,
            f"cannot read {what} {name!r}: it inflates to {total:,} bytes; the limit is {limits.max_data_bytes:,}",
            name,
        )
    return members


def _archive_error(code: Code, message: str, file: str) -> SpecError:
    return SpecError([Diagnostic(code, message, (), _raise_hint(), file=file)])


# ---------------------------------------------------------------------------
# Keras model files: JSON configs and .keras archives

_MODEL_HINT = "give a .keras file written by Keras or graphspec, or the JSON of model.to_json()"
_KERAS_CONFIG = "config.json"


def check_model_text(text: str, limits: Limits, where: str) -> None:
    """Bound Keras JSON text (``model.to_json()``) before Keras parses it: size and nesting.

    Raises:
        SpecError: ``bad-model`` for text past ``limits.max_model_bytes`` or
            nested deeper than ``limits.max_model_depth`` (a 200,000-deep array
            would otherwise end in ``RecursionError``).
    """
    size = len(text) if len(text) > limits.max_model_bytes else len(text.encode("utf-8", "surrogatepass"))
    if size > limits.max_model_bytes:
        raise SpecError(
            [
                Diagnostic(
                    Code.BAD_MODEL,
                    f"{where}: the model config is {size:,} bytes; the limit is {limits.max_model_bytes:,}",
                    (),
                    _raise_hint(),
                    file=where,
                )
            ]
        )
    deep = json_too_deep(text, limits.max_model_depth)
    if deep is not None:
        line, column = offset_position(text, deep)
        message = f"{where}: the model config nests deeper than {limits.max_model_depth} levels"
        raise SpecError([Diagnostic(Code.BAD_MODEL, message, (), _raise_hint(), file=where, line=line, column=column)])


def read_model_text(path: str | os.PathLike[str], limits: Limits) -> str:
    """The text of a Keras JSON file, bounded and checked as :func:`check_model_text` does.

    Raises:
        SpecError: ``io-error`` for an unreadable file, ``bad-model`` for text
            that is too large, too deep or not UTF-8.
    """
    name = shown_path(path)
    raw = read_file(path, limits.max_model_bytes, what="the model file", hint=_raise_hint())
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SpecError(
            [Diagnostic(Code.BAD_MODEL, f"{name}: not UTF-8 text (byte {exc.start:,})", (), _MODEL_HINT, file=name)]
        ) from None
    check_model_text(text, limits, name)
    return text


def read_keras_config(path: str | os.PathLike[str], limits: Limits, hint: str = _MODEL_HINT) -> str:
    """Check a ``.keras`` archive and return its ``config.json`` text, before Keras opens it.

    The archive's directory, every member's declared size and ratio
    (``config.json`` within ``limits.max_model_bytes``, the weights within
    ``limits.max_data_bytes``) and the config's size and nesting are checked;
    Keras then reads at most what was checked (``zipfile`` stops at a member's
    declared size).

    Raises:
        SpecError: ``io-error`` for a missing or unreadable file, ``bad-model``
            for anything else wrong with it.
    """
    name = shown_path(path)
    with open_archive(
        path, limits.max_data_bytes + limits.max_model_bytes, what="model file", code=Code.BAD_MODEL, hint=hint
    ) as archive:
        check_archive(
            archive, limits, what="model file", code=Code.BAD_MODEL, budgets={_KERAS_CONFIG: limits.max_model_bytes}
        )
        try:
            with archive.open(_KERAS_CONFIG) as member:
                raw = member.read(limits.max_model_bytes + 1)
        except KeyError:
            raise SpecError(
                [
                    Diagnostic(
                        Code.BAD_MODEL,
                        f"{name}: no {_KERAS_CONFIG} in the archive: not a .keras model file",
                        (),
                        hint,
                        file=name,
                    )
                ]
            ) from None
        except Exception as exc:  # zipfile's errors for a corrupt member: BadZipFile, zlib.error, EOFError
            raise SpecError(
                [
                    Diagnostic(
                        Code.BAD_MODEL,
                        f"{name}: cannot read {_KERAS_CONFIG} ({type(exc).__name__}: {exc})",
                        (),
                        hint,
                        file=name,
                    )
                ]
            ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SpecError(
            [
                Diagnostic(
                    Code.BAD_MODEL,
                    f"{name}: {_KERAS_CONFIG} is not UTF-8 text (byte {exc.start:,})",
                    (),
                    hint,
                    file=name,
                )
            ]
        ) from None
    check_model_text(text, limits, name)
    return text
