"""_limits: one bounded reader for every file graphspec opens (specs, model files, archives)."""

from __future__ import annotations

import io
import os
import struct
import threading
import zipfile
from pathlib import Path

import pytest

from graphspec.errors import Code, SpecError
from graphspec.source.limits import (
    Limits,
    check_archive,
    decode_text,
    json_too_deep,
    open_archive,
    read_file,
    read_keras_config,
    read_model_text,
)


def codes(exc: pytest.ExceptionInfo[SpecError]) -> list[str]:
    return exc.value.codes


# -- plain files -------------------------------------------------------------


def test_read_file_reads_at_most_the_limit(tmp_path: Path) -> None:
    (tmp_path / "a").write_bytes(b"x" * 100)
    assert read_file(tmp_path / "a", 100) == b"x" * 100
    with pytest.raises(SpecError) as exc:
        read_file(tmp_path / "a", 99)
    assert codes(exc) == ["file-too-large"]
    assert "100 bytes; the limit is 99" in exc.value.diagnostics[0].message


def test_a_file_whose_size_lies_is_still_read_only_to_the_limit() -> None:
    # /proc files report size 0: the old reader trusted stat() and read them whole.
    proc = Path("/proc/self/environ")
    if not proc.exists():
        pytest.skip("no /proc on this system")
    data = read_file(proc, 1 << 20)
    assert len(data) <= 1 << 20
    with pytest.raises(SpecError) as exc:
        read_file(Path("/proc/self/maps"), 8)
    assert codes(exc) == ["file-too-large"]
    assert "more than 8 bytes" in exc.value.diagnostics[0].message


def test_fifos_devices_and_folders_are_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    result: list[SpecError] = []

    def read() -> None:
        try:
            read_file(fifo, 100)
        except SpecError as exc:
            result.append(exc)

    reader = threading.Thread(target=read)
    reader.start()
    reader.join(5)
    assert not reader.is_alive(), "reading a FIFO blocked"
    assert "not a regular file" in str(result[0])
    for path in (Path("/dev/zero"), tmp_path):
        with pytest.raises(SpecError) as exc:
            read_file(path, 100)
        assert codes(exc) == ["io-error"] and "not a regular file" in str(exc.value)


def test_a_pipe_the_caller_names_is_read_once_but_one_a_spec_names_is_refused(tmp_path: Path) -> None:
    import graphspec

    read, write = os.pipe()
    os.write(write, b"x" * 50)
    os.close(write)
    assert read_file(f"/dev/fd/{read}", 100, pipes=True) == b"x" * 50  # `<(...)`: bounded, read once
    read, write = os.pipe()
    os.write(write, b"x" * 200)
    os.close(write)
    with pytest.raises(SpecError) as exc:
        read_file(f"/dev/fd/{read}", 100, pipes=True)
    assert codes(exc) == ["file-too-large"] and "more than 100 bytes" in str(exc.value)
    fifo = tmp_path / "blocks.yaml"
    os.mkfifo(fifo)  # no writer: read as empty, never waited on
    done: list[object] = []
    reader = threading.Thread(target=lambda: done.append(read_file(fifo, 100, pipes=True)), daemon=True)
    reader.start()
    reader.join(5)
    assert done == [b""], "a FIFO without a writer blocked"
    (tmp_path / "spec.yaml").write_text(
        "graphspec: 1\ninclude: blocks.yaml\ninputs: {x: {shape: [4]}}\nnodes: {}\noutputs: {x: {}}\n"
    )
    with pytest.raises(SpecError) as exc:
        graphspec.validate(tmp_path / "spec.yaml")  # an include is never a pipe: a spec names it, not the caller
    assert codes(exc) == ["bad-include"]


def test_a_nul_byte_in_a_path_is_an_io_error_not_a_value_error(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as exc:
        read_file(tmp_path / "a\0b.yaml", 100)
    assert codes(exc) == ["io-error"] and "NUL byte" in str(exc.value)
    with pytest.raises(SpecError) as exc:
        open_archive(tmp_path / "a\0b.npz", 100, what="data file", code=Code.BAD_DATA_FILE, hint="")
    assert codes(exc) == ["io-error"]


def test_text_that_is_not_utf8_is_a_syntax_error_at_its_byte() -> None:
    with pytest.raises(SpecError) as exc:
        decode_text(b"a: 1\nb: \xc3\x28\n", "x.yaml")
    d = exc.value.diagnostics[0]
    assert (d.code, d.line, d.column, d.file) == (Code.SYNTAX, 2, 4, "x.yaml")
    assert decode_text(b"\xef\xbb\xbfa: 1", None) == "a: 1"


def test_json_nesting_is_measured_flat_and_located_past_escaped_brackets() -> None:
    text = '{"a": "\\"[[[{", "b": ' + "[" * 70 + "]" * 70 + "}"
    offset = json_too_deep(text, 64)
    assert offset is not None and text[offset] == "["
    assert text[:offset].count("[") - 3 == 63  # the three brackets inside the string do not count
    assert json_too_deep(text, 71) is None
    assert json_too_deep("[" * 200_000 + "]" * 200_000, 64) == 64


# -- zip archives: lying, bombed and huge directories ------------------------


def _zip(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _lie_about_size(raw: bytes, name: str, size: int) -> bytes:
    """Rewrite the declared (uncompressed) size of ``name`` in both headers: a forged archive."""
    data = bytearray(raw)
    for signature, offset, name_at in ((b"PK\x01\x02", 24, 46), (b"PK\x03\x04", 22, 30)):
        at = data.find(signature)
        while at >= 0:
            length = struct.unpack_from("<H", data, at + name_at - (18 if signature == b"PK\x01\x02" else 4))[0]
            if data[at + name_at : at + name_at + length] == name.encode():
                struct.pack_into("<L", data, at + offset, size)
            at = data.find(signature, at + 4)
    return bytes(data)


def test_declared_sizes_bound_the_archive(tmp_path: Path) -> None:
    path = tmp_path / "bomb.npz"
    path.write_bytes(_lie_about_size(_zip({"x.npy": b"\0" * 1000, "y.npy": b"\0" * 1000}), "x.npy", 3_000_000_000))
    with open_archive(path, 1 << 30, what="data file", code=Code.BAD_DATA_FILE, hint="") as archive:
        with pytest.raises(SpecError) as exc:
            check_archive(
                archive, Limits(max_data_bytes=1 << 30, max_ratio=1 << 40), what="data file", code=Code.BAD_DATA_FILE
            )
        assert codes(exc) == ["bad-data-file"]
        assert "it inflates to 3,000,001,000 bytes; the limit is 1,073,741,824" in str(exc.value)
        with pytest.raises(SpecError) as exc:  # the same lie, caught by its ratio at the default limits
            check_archive(archive, Limits(), what="data file", code=Code.BAD_DATA_FILE)
        assert "member 'x.npy' inflates" in str(exc.value)


def test_the_compression_ratio_is_bounded_above_one_mebibyte(tmp_path: Path) -> None:
    path = tmp_path / "zeros.npz"
    path.write_bytes(_zip({"x.npy": b"\0" * (3 << 20)}))  # 3 MiB of zeros deflate about 1,000-fold
    with open_archive(path, 1 << 30, what="data file", code=Code.BAD_DATA_FILE, hint="") as archive:
        with pytest.raises(SpecError) as exc:
            check_archive(archive, Limits(), what="data file", code=Code.BAD_DATA_FILE)
        assert "the limit is 100×" in str(exc.value)
        assert check_archive(archive, Limits(max_ratio=10_000), what="data file", code=Code.BAD_DATA_FILE)
    small = tmp_path / "small.npz"
    small.write_bytes(_zip({"x.npy": b"\0" * (1 << 19)}))  # any ratio below the floor
    with open_archive(small, 1 << 30, what="data file", code=Code.BAD_DATA_FILE, hint="") as archive:
        assert len(check_archive(archive, Limits(), what="data file", code=Code.BAD_DATA_FILE)) == 1


def test_a_huge_directory_is_refused_before_zipfile_parses_it(tmp_path: Path) -> None:
    path = tmp_path / "many.npz"
    raw = bytearray(_zip({"a.npy": b"1"}, zipfile.ZIP_STORED))
    end = raw.rfind(b"PK\x05\x06")
    struct.pack_into("<HH", raw, end + 8, 60_000, 60_000)  # the end record claims 60,000 members
    path.write_bytes(bytes(raw))
    with pytest.raises(SpecError) as exc:
        open_archive(path, 1 << 30, what="data file", code=Code.BAD_DATA_FILE, hint="")
    assert "60,000 members" in str(exc.value)
    (tmp_path / "junk.npz").write_bytes(b"not a zip at all")
    with pytest.raises(SpecError) as exc:
        open_archive(tmp_path / "junk.npz", 1 << 30, what="data file", code=Code.BAD_DATA_FILE, hint="")
    assert codes(exc) == ["bad-data-file"] and "no end record" in str(exc.value)


# -- Keras model files -------------------------------------------------------


def test_keras_config_inflating_past_the_model_limit_is_refused_before_keras(tmp_path: Path) -> None:
    # The 3.5 MB .keras whose config.json inflates to 3.5 GiB, forged in a few bytes.
    path = tmp_path / "bomb.keras"
    path.write_bytes(
        _lie_about_size(_zip({"config.json": b"{}", "model.weights.h5": b"h5"}), "config.json", 3_500_000_000)
    )
    with pytest.raises(SpecError) as exc:
        read_keras_config(path, Limits())
    assert codes(exc) == ["bad-model"]
    assert "'config.json' inflates to 3,500,000,000 bytes; the limit is 16,777,216" in str(exc.value)


def test_keras_config_depth_and_missing_config(tmp_path: Path) -> None:
    deep = tmp_path / "deep.keras"
    deep.write_bytes(_zip({"config.json": b"[" * 200_000 + b"]" * 200_000}))
    with pytest.raises(SpecError) as exc:
        read_keras_config(deep, Limits())
    assert codes(exc) == ["bad-model"] and "deeper than 256 levels" in str(exc.value)
    empty = tmp_path / "empty.keras"
    empty.write_bytes(_zip({"other.txt": b"x"}))
    with pytest.raises(SpecError) as exc:
        read_keras_config(empty, Limits())
    assert "no config.json" in str(exc.value)
    ok = tmp_path / "ok.keras"
    ok.write_bytes(_zip({"config.json": b'{"class_name": "Functional"}'}))
    assert read_keras_config(ok, Limits()) == '{"class_name": "Functional"}'


def test_keras_json_files_are_bounded_in_size_and_depth(tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    big.write_bytes(b"[" + b"0," * 100 + b"0]")
    with pytest.raises(SpecError) as exc:
        read_model_text(big, Limits(max_model_bytes=64))
    assert codes(exc) == ["file-too-large"]
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 200_000 + "]" * 200_000)
    with pytest.raises(SpecError) as exc:
        read_model_text(deep, Limits())
    assert codes(exc) == ["bad-model"]
    assert exc.value.diagnostics[0].column == 257


@pytest.mark.parametrize(
    ("offset", "value", "fragment"), [(10, 99, "compression method 99"), (6, 0xFF, "zip file version 25.5")]
)
def test_forged_methods_and_versions_are_refused_not_raised(
    tmp_path: Path, offset: int, value: int, fragment: str
) -> None:
    # zipfile raises NotImplementedError for both (found by the fuzz suite's lying archives).
    raw = bytearray(_zip({"x.npy": b"\0" * 10}, zipfile.ZIP_STORED))
    central = raw.find(b"PK\x01\x02")
    struct.pack_into("<H", raw, central + offset, value)
    path = tmp_path / "forged.npz"
    path.write_bytes(bytes(raw))
    with (
        pytest.raises(SpecError) as exc,
        open_archive(path, 1 << 30, what="data file", code=Code.BAD_DATA_FILE, hint="") as archive,
    ):
        check_archive(archive, Limits(), what="data file", code=Code.BAD_DATA_FILE)
    assert codes(exc) == ["bad-data-file"] and fragment in str(exc.value)
