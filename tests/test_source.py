"""source: safe loading, YAML 1.2 scalars, positions, bounds."""

from __future__ import annotations

import pytest

from graphspec.errors import Code, SpecError
from graphspec.source import Limits, Mark, parse_data, parse_file, parse_text, resolve_plain


def codes(exc: pytest.ExceptionInfo[SpecError]) -> list[str]:
    return exc.value.codes


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("no", "no"),
        ("off", "off"),
        ("yes", "yes"),
        ("true", True),
        ("False", False),
        ("1e3", 1000.0),
        ("0755", "0755"),
        ("0o17", 15),
        ("0x1F", 31),
        ("2024-01-01", "2024-01-01"),
        ("~", None),
        ("", None),
        ("-3", -3),
        ("1.5", 1.5),
        (".5", 0.5),
    ],
)
def test_plain_scalars_follow_yaml_1_2(text: str, value: object) -> None:
    assert resolve_plain(text) == value
    assert type(resolve_plain(text)) is type(value)


def test_quoted_scalars_stay_strings() -> None:
    doc = parse_text('a: "10"\nb: \'true\'\nc: !!str 5\n')
    assert doc.data == {"a": "10", "b": "true", "c": "5"}


def test_positions_of_keys_and_values_are_recorded() -> None:
    doc = parse_text("graphspec: 1\nnodes:\n  dense: {layer: Dense, units: 4}\n", file="m.yaml")
    assert doc.values[("nodes", "dense", "units")] == Mark(3, 32)
    assert doc.keys[("nodes", "dense")] == Mark(3, 3)
    # Unknown paths fall back to the nearest ancestor's position.
    assert doc.position(("nodes", "dense", "missing")) == Mark(3, 10)


def test_duplicate_keys_are_reported_with_both_positions() -> None:
    doc = parse_text("a: 1\nb:\n  units: 10\n  units: 99999\n")
    assert doc.data["b"] == {"units": 10}, "the first value is kept, never silently the last"
    (problem,) = doc.problems
    assert problem.code is Code.DUPLICATE_KEY
    assert (problem.line, problem.column) == (4, 3)
    assert "first at line 3" in problem.message


@pytest.mark.parametrize(
    "text",
    [
        "a: !!python/object/apply:os.system ['echo hi']\n",
        "a: !!python/name:os.system\n",
        "a: !custom 3\n",
        "--- !!set {a, b}\n",
    ],
)
def test_object_tags_are_refused(text: str) -> None:
    with pytest.raises(SpecError) as exc:
        parse_text(text)
    assert codes(exc) == ["yaml-tag"]


def test_alias_bomb_is_refused_before_anything_walks_it() -> None:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    with pytest.raises(SpecError) as exc:
        parse_text("\n".join(lines) + "\n")
    assert codes(exc) == ["yaml-alias"]
    assert "values from" in str(exc.value)


def test_moderate_alias_use_is_fine() -> None:
    doc = parse_text("base: &b {units: 4, activation: relu}\nnode: {<<: *b, units: 8}\n")
    assert doc.data["node"] == {"units": 8, "activation": "relu"}


def test_recursive_alias_is_refused() -> None:
    with pytest.raises(SpecError) as exc:
        parse_text("a: &a [1, *a]\n")
    assert codes(exc) == ["yaml-alias"]


def test_deep_nesting_is_refused_without_recursion_error() -> None:
    depth = 100_000
    with pytest.raises(SpecError) as exc:
        parse_text("[" * depth + "]" * depth)
    assert codes(exc) == ["too-deep"]
    with pytest.raises(SpecError) as exc:
        parse_text("a: " + "{b: " * 200 + "1" + "}" * 200)
    assert codes(exc) == ["too-deep"]


def test_deep_python_data_is_refused_without_recursion_error() -> None:
    data: dict[str, object] = {}
    cur = data
    for _ in range(50_000):
        nxt: dict[str, object] = {}
        cur["a"] = nxt
        cur = nxt
    with pytest.raises(SpecError) as exc:
        parse_data(data)
    assert "too-deep" in codes(exc)


def test_self_referencing_python_data_is_refused() -> None:
    data: dict[str, object] = {"graphspec": 1}
    data["loop"] = data
    with pytest.raises(SpecError) as exc:
        parse_data(data)
    assert "yaml-alias" in codes(exc)


def test_parse_data_copies_and_never_mutates() -> None:
    data = {"graphspec": 1, "nodes": {"a": {"units": [1, 2]}}}
    doc = parse_data(data)
    doc.data["nodes"]["a"]["units"].append(3)
    assert data == {"graphspec": 1, "nodes": {"a": {"units": [1, 2]}}}


def test_non_plain_python_values_are_refused() -> None:
    with pytest.raises(SpecError) as exc:
        parse_data({"graphspec": 1, "x": object(), 3: "k", "n": float("nan")})
    assert sorted(codes(exc)) == ["bad-value", "wrong-type", "wrong-type"]


def test_size_limit() -> None:
    with pytest.raises(SpecError) as exc:
        parse_text("a: " + "x" * 2000, limits=Limits(max_bytes=1000))
    assert codes(exc) == ["file-too-large"]


def test_json_rules_apply_to_json(tmp_path: pytest.TempPathFactory) -> None:
    path = tmp_path / "m.json"  # type: ignore[operator]
    path.write_text('{\n\t"a": NaN\n}')
    with pytest.raises(SpecError) as exc:
        parse_file(path)
    assert codes(exc) == ["bad-value"]
    path.write_text('{\n\t"a": [1, 2,]\n}')
    with pytest.raises(SpecError) as exc:
        parse_file(path)
    assert codes(exc) == ["syntax"]
    assert (exc.value.diagnostics[0].line, exc.value.diagnostics[0].column) == (2, 13)
    path.write_text('{\n\t"a": {"b":\t1}\n}')
    assert parse_file(path).data == {"a": {"b": 1}}, "tabs are JSON whitespace"


def test_io_errors(tmp_path: pytest.TempPathFactory) -> None:
    with pytest.raises(SpecError) as exc:
        parse_file(tmp_path / "missing.yaml")  # type: ignore[operator]
    assert codes(exc) == ["io-error"]
    bad = tmp_path / "latin1.yaml"  # type: ignore[operator]
    bad.write_bytes(b"a: \xff\xfe\n")
    with pytest.raises(SpecError) as exc:
        parse_file(bad)
    assert codes(exc) == ["io-error"]


@pytest.mark.parametrize("text", ["", "# only a comment\n", "---\n"])
def test_empty_documents(text: str) -> None:
    with pytest.raises(SpecError) as exc:
        parse_text(text)
    assert codes(exc) == ["syntax"]


def test_several_documents_are_refused() -> None:
    with pytest.raises(SpecError) as exc:
        parse_text("a: 1\n---\nb: 2\n")
    assert codes(exc) == ["syntax"]
    assert "several YAML documents" in str(exc.value)


def test_non_string_keys_are_refused() -> None:
    with pytest.raises(SpecError) as exc:
        parse_text("? [a, b]\n: 1\n")
    assert codes(exc) == ["wrong-type"]
