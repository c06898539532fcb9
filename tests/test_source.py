"""source: safe loading, YAML 1.2 scalars, positions, bounds."""

from __future__ import annotations

import json
import math
import resource
import tempfile
import time
from pathlib import Path

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
    doc = parse_text("a: \"10\"\nb: 'true'\nc: !!str 5\n")
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
    with pytest.raises(SpecError) as exc:
        parse_file(tmp_path)  # a folder  # type: ignore[arg-type]
    assert codes(exc) == ["io-error"]
    assert "not a regular file" in str(exc.value)


def test_text_that_is_not_utf8_is_a_malformed_spec_at_its_byte() -> None:
    # Issue 19: was io-error (exit 2, "cannot read"), though the file was read: the spec is invalid (exit 1).
    with tempfile.TemporaryDirectory() as folder:
        bad = Path(folder) / "latin1.yaml"
        bad.write_bytes(b"graphspec: 1\nname: caf\xe9\n")
        with pytest.raises(SpecError) as exc:
            parse_file(bad)
    assert codes(exc) == ["syntax"]
    d = exc.value.diagnostics[0]
    assert (d.line, d.column) == (2, 10)
    assert "not UTF-8: byte 0xe9" in d.message
    assert d.hint == "save the spec as UTF-8"


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


# --- aliases: depth and expansion ------------------------------------------------


def nested(opening: str, inner: str, levels: int) -> str:
    closing = {"[": "]", "{a: ": "}"}[opening]
    return opening * levels + inner + closing * levels


def test_an_alias_counts_at_full_depth_where_it_is_used() -> None:
    # `a` is 55 levels tall; used inside 57 open containers it would nest 112 levels.
    text = f"mean: &a {nested('[', '1', 55)}\nvariance: [&b {nested('[', '*a', 55)}]\n"
    with pytest.raises(SpecError) as exc:
        parse_text(text)
    assert codes(exc) == ["too-deep"]
    d = exc.value.diagnostics[0]
    assert (d.line, d.column) == (2, len("variance: [&b ") + 55 + 1), "at the alias"
    assert "*a" in d.message


def test_an_alias_fits_exactly_at_the_limit() -> None:
    # The root (1), the list under `x` (2) and 40 lists more, then the 22-level anchor: 64 levels.
    fits = f"a: &a {nested('[', '1', 22)}\nx: [{nested('[', '*a', 40)}]\n"
    assert parse_text(fits).data["x"][0] is not None
    with pytest.raises(SpecError) as exc:
        parse_text(f"a: &a {nested('[', '1', 22)}\nx: [{nested('[', '*a', 41)}]\n")
    assert codes(exc) == ["too-deep"]


def test_a_merge_key_spreads_its_mapping_one_level_up() -> None:
    # The merged mapping is 2 levels tall; its entries land at level 63 + 1 = 64.
    text = f"d: &d {{k: [1]}}\nx: {nested('{a: ', '{<<: *d}', 61)}\n"
    assert parse_text(text).data["x"]["a"]["a"]["a"]
    with pytest.raises(SpecError) as exc:
        parse_text(f"d: &d {{k: [1]}}\nx: {nested('{a: ', '{m: *d}', 61)}\n")
    assert codes(exc) == ["too-deep"]


def test_chained_deep_anchors_are_refused_before_anything_recurses() -> None:
    lines = [f"- &a0 {nested('[', '1', 60)}"] + [f"- &a{i} {nested('[', f'*a{i - 1}', 60)}" for i in range(1, 18)]
    with pytest.raises(SpecError) as exc:
        parse_text("x:\n" + "\n".join(lines) + "\n")
    assert codes(exc) == ["too-deep"]
    assert exc.value.diagnostics[0].line == 3, "the first alias that would nest too deep"


def test_nesting_without_aliases_is_never_an_alias_bomb() -> None:
    zeros = ", ".join(["0"] * 1000)
    doc = parse_text(f"mean: {nested('[', zeros, 12)}\n")
    inner = doc.data["mean"]
    for _ in range(11):
        inner = inner[0]
    assert len(inner) == 1000
    # Deep and wide, still no alias: never refused as one, whatever the limits.
    parse_text(f"mean: {nested('[', zeros, 60)}\n", limits=Limits(max_expansion=1))


@pytest.mark.parametrize(("uses", "refused"), [(9, False), (10, True)])
def test_each_alias_use_counts_the_full_anchored_value(uses: int, refused: bool) -> None:
    # written: root, 2 keys, 2 lists, 1,000 zeros and the aliases = 1,005 + uses;
    # expanded adds 1,000 values per use (the list and its zeros, less the alias).
    # The budget is max(10,000, 10 x written): 9 uses fit, 10 do not.
    text = "a: &a [" + ", ".join(["0"] * 1000) + "]\nb: [" + ", ".join(["*a"] * uses) + "]\n"
    if not refused:
        assert len(parse_text(text).data["b"]) == uses
        return
    with pytest.raises(SpecError) as exc:
        parse_text(text)
    assert codes(exc) == ["yaml-alias"]
    d = exc.value.diagnostics[0]
    assert (d.line, d.column) == (2, 5), "an alias bomb is reported at its biggest alias"
    assert "11,015 values from 1,015 written" in d.message


def test_merge_keys_cannot_copy_without_bound() -> None:
    keys = ", ".join(f"k{i}: 1" for i in range(20_000))
    text = f"m: &m {{{keys}}}\nl: [" + ", ".join(["{<<: *m}"] * 20_000) + "]\n"
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(SpecError) as exc:
        parse_text(text)
    assert codes(exc) == ["yaml-alias"]
    assert exc.value.diagnostics[0].line == 2
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 1_000, "refused before copying 400 million entries"


# --- data from Python ---------------------------------------------------------------


def test_shared_python_lists_count_once_per_reference() -> None:
    shared: list[object] = [1] * 10
    for _ in range(7):
        shared = [shared] * 10  # 10**8 leaves, 80 list objects
    with pytest.raises(SpecError) as exc:
        parse_data({"graphspec": 1, "mean": shared})
    assert codes(exc) == ["yaml-alias"]
    assert "1,000,000" in exc.value.diagnostics[0].message
    # A little sharing is fine, and so is a large value under a raised limit.
    row = [0.5] * 100
    assert parse_data({"graphspec": 1, "mean": [row] * 100}).data["mean"][99][99] == 0.5
    with pytest.raises(SpecError) as exc:
        parse_data({"graphspec": 1, "mean": list(range(200))}, limits=Limits(max_values=100))
    assert codes(exc) == ["file-too-large"]


def deep_list(containers: int, innermost: object) -> object:
    value = innermost
    for _ in range(containers):
        value = [value]
    return value


@pytest.mark.parametrize("innermost", [[], [1], 1])
def test_data_and_text_share_one_depth_rule(innermost: object) -> None:
    limits = Limits(max_depth=8)
    for containers in range(5, 10):
        data = {"x": deep_list(containers, innermost)}
        text = "x: " + json.dumps(data["x"]) + "\n"
        levels = 1 + containers + (1 if isinstance(innermost, list) else 0)
        expect_ok = levels <= limits.max_depth
        if expect_ok:
            assert parse_data(data, limits).data == parse_text(text, limits=limits).data
            continue
        for source in (data, text):
            with pytest.raises(SpecError) as exc:
                parse_data(source, limits) if source is data else parse_text(text, limits=limits)
            assert codes(exc) == ["too-deep"]


# --- numbers --------------------------------------------------------------------------

BIGGEST = 2**1024 - 2**971  # int(sys.float_info.max)


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ("loss_weight: 1" + "0" * 400, 14),
        ("mean: " + "9" * 5000, 7),
        ("mean: -" + "9" * 5000, 7),
        (f"mean: {BIGGEST + 2**970}", 7),
        ("mean: 0x1" + "0" * 256, 7),
        ("mean: !!int " + "9" * 400, 7),
        ("mean: !!float " + "9" * 400, 7),
    ],
)
def test_integers_past_the_float_range_are_refused_in_yaml(text: str, column: int) -> None:
    # Like any bad scalar in YAML, reported with the next stage's findings.
    (d,) = parse_text(f"graphspec: 1\n{text}\n").problems
    assert d.code is Code.BAD_VALUE
    assert (d.path, d.line, d.column) == ((text.split(":")[0],), 2, column)
    assert len(d.message) < 200, "the number is shortened in the message"


def test_integers_inside_the_float_range_stay_exact() -> None:
    doc = parse_text(f"a: {BIGGEST}\nb: -{BIGGEST}\nc: 123456789012345678901234567890\nd: !!float {BIGGEST}\n")
    assert doc.data == {"a": BIGGEST, "b": -BIGGEST, "c": 123456789012345678901234567890, "d": float(BIGGEST)}
    assert parse_data({"a": BIGGEST}).data == {"a": BIGGEST}
    assert parse_text(json.dumps({"a": BIGGEST, "b": 2**64})).data == {"a": BIGGEST, "b": 2**64}
    assert resolve_plain("9" * 5000) == math.inf and resolve_plain("-" + "9" * 5000) == -math.inf


def test_integers_past_the_float_range_are_refused_in_json_and_data() -> None:
    with pytest.raises(SpecError) as exc:
        parse_text('{"graphspec": 1,\n "description": ' + "9" * 5000 + "}\n")
    assert codes(exc) == ["bad-value"]
    d = exc.value.diagnostics[0]
    assert (d.path, d.line, d.column) == (("description",), 2, 17)
    with pytest.raises(SpecError) as exc:
        parse_data({"graphspec": 1, "outputs": {"y": {"loss_weight": 10**400}}, "n": -(10**5000)})
    assert sorted((d.code.value, d.path) for d in exc.value.diagnostics) == [
        ("bad-value", ("n",)),
        ("bad-value", ("outputs", "y", "loss_weight")),
    ]


@pytest.mark.parametrize(
    ("value", "column"),
    [
        ("!!float .nan", 4),
        ("!!float .inf", 4),
        ("!!float -.Inf", 4),
        ("!!float 1e400", 4),
        ('!!float ".nan"', 4),
        ("[1, !!float .nan]", 8),
    ],
)
def test_explicit_float_tags_are_held_to_finiteness(value: str, column: int) -> None:
    (d,) = parse_text(f"graphspec: 1\na: {value}\n").problems
    assert d.code is Code.BAD_VALUE
    assert (d.line, d.column) == (2, column)


# --- tags -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "column"),
    [
        ("!!str {class_name: relu}", 4),
        ("!!seq {a: 1}", 4),
        ("!!int [8]", 4),
        ("!!map [1]", 4),
        ("!!float []", 4),
        ("!!null {}", 4),
        ("!!map x", 4),
    ],
)
def test_a_tag_must_fit_the_kind_of_node(value: str, column: int) -> None:
    doc = parse_text(f"graphspec: 1\na: {value}\n")
    (problem,) = doc.problems
    assert problem.code is Code.WRONG_TYPE
    assert (problem.path, problem.line, problem.column) == (("a",), 2, column)


def test_collection_tags_on_their_own_kind_are_fine() -> None:
    doc = parse_text("a: !!map {b: !!seq [1], c: ! [2]}\nd: ! {e: 1}\n")
    assert doc.data == {"a": {"b": [1], "c": [2]}, "d": {"e": 1}}
    assert doc.problems == []


# --- JSON -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        '{"d": "\\ud83d\\ude00"}',
        '{"d": "a\x7fb"}',
        '{"d": "a\x80b"}',
        '{"d": "a\x85 b"}',
        '{"d": "a\u2028 b", "e": "c\u2029 d"}',
        '{"d": "a\\u0085 b", "e": "\\u00e9\\/"}',
        '{"d"\n: 1, "e":\t[\r\n2]}',
        '{"d": -0, "e": 1E2, "f": 0.5, "g": [true, false, null], "h": {}}',
    ],
)
def test_json_text_loads_exactly_what_json_loads_gives(text: str) -> None:
    doc = parse_text(text)
    assert doc.data == json.loads(text)
    assert [type(v) for v in doc.data.values()] == [type(v) for v in json.loads(text).values()]
    assert doc.values[("d",)].line >= 1


def test_json_positions_count_lines_as_json_does() -> None:
    # A raw line separator is one character of a string to JSON, a line break to YAML.
    text = '{\n  "a": "x\u2028y",\n  "b": [1,\r\n    2]\n}\n'
    doc = parse_text(text)
    assert doc.values[("a",)] == Mark(2, 8)
    assert doc.keys[("b",)] == Mark(3, 3)
    assert doc.values[("b", 1)] == Mark(4, 5)
    assert doc.line_text(4) == "    2]"


def test_duplicate_json_keys_keep_the_first_and_name_both_positions() -> None:
    doc = parse_text('{\n  "a": {"u": 1, "\\u0075": [2]},\n  "b": 3,\n  "b": 4\n}\n')
    assert doc.data == {"a": {"u": 1}, "b": 3}
    found = sorted((d.path, d.line, d.column, d.message.split("(")[1].split(")")[0]) for d in doc.problems)
    assert found == [(("a", "u"), 2, 17, "first at line 2, column 9"), (("b",), 4, 3, "first at line 3, column 3")]
    assert all(d.code is Code.DUPLICATE_KEY and d.source_line for d in doc.problems)


@pytest.mark.parametrize(
    ("value", "path"),
    [("NaN", ("d",)), ("Infinity", ("d",)), ("-Infinity", ("d",)), ("1e400", ("d",)), ("[1, -1E999]", ("d", 1))],
)
def test_json_non_finite_numbers_have_path_and_position(value: str, path: tuple[object, ...]) -> None:
    with pytest.raises(SpecError) as exc:
        parse_text('{"graphspec": 1,\n "d": ' + value + "}\n")
    assert codes(exc) == ["bad-value"]
    d = exc.value.diagnostics[0]
    assert (d.path, d.line) == (path, 2)
    assert d.column == (7 if len(path) == 1 else 11)


def test_a_raw_del_in_yaml_is_a_syntax_error_at_its_position() -> None:
    for text, where in (('graphspec: 1\ndescription: "a\x7fb"\n', (2, 16)), ('é: 1\nd: "é\x80"\n', (2, 6))):
        with pytest.raises(SpecError) as exc:
            parse_text(text)
        assert codes(exc) == ["syntax"]
        d = exc.value.diagnostics[0]
        assert (d.line, d.column) == where
        assert d.hint and "\\x" in d.hint


# --- JSON or YAML ---------------------------------------------------------------------

FLOW = "{graphspec: 1, inputs: {x: {shape: [8]}}, nodes: {h: {layer: Dense, inputs: x, units: 4}}, outputs: {h: {}}}\n"


def test_yaml_flow_style_is_yaml(tmp_path: pytest.TempPathFactory) -> None:
    expected = {
        "graphspec": 1,
        "inputs": {"x": {"shape": [8]}},
        "nodes": {"h": {"layer": "Dense", "inputs": "x", "units": 4}},
        "outputs": {"h": {}},
    }
    assert parse_text(FLOW).data == expected
    assert parse_text(FLOW.replace("units: 4", "units: 4,"), file="m.yaml").data == expected
    assert parse_text("{a: no, 'b': [1,]}  # YAML\n").data == {"a": "no", "b": [1]}
    yml = tmp_path / "m.yml"  # type: ignore[operator]
    yml.write_text('{"graphspec": 1, "inputs": {},}\n')  # not JSON, but YAML
    assert parse_file(yml).data == {"graphspec": 1, "inputs": {}}


@pytest.mark.parametrize(
    ("text", "file", "where"),
    [
        (FLOW, "m.json", (1, 2)),
        ("{'graphspec': 1}\n", "m.json", (1, 2)),
        ('{"graphspec": 1, "inputs": {},}\n', None, (1, 31)),
        ('{"graphspec": 1, "name": \'m\'}\n', None, (1, 26)),
        ('{\n  // comment\n  "graphspec": 1\n}\n', None, (2, 3)),
    ],
)
def test_json_is_held_to_json_rules(text: str, file: str | None, where: tuple[int, int]) -> None:
    with pytest.raises(SpecError) as exc:
        parse_text(text, file=file)
    assert codes(exc) == ["syntax"]
    d = exc.value.diagnostics[0]
    assert (d.line, d.column) == where
    assert "JSON" in d.message


def test_json_prechecks_stay_linear_on_hostile_text() -> None:
    # Unterminated strings full of escaped quotes once made the depth check quadratic:
    # these inputs would take over ten minutes. The bound below is a hang guard, far
    # above the expected time; speed itself is measured in benchmarks/.
    started = time.perf_counter()
    for text in ('{"' + '\\"' * 200_000, '{"a": "' + "[" * 300_000, "{" + '"\\' * 200_000):
        with pytest.raises(SpecError) as exc:
            parse_text(text)
        assert codes(exc) == ["syntax"]
    assert time.perf_counter() - started < 120


def test_an_unquoted_expression_in_a_flow_mapping_gets_a_quoting_hint() -> None:
    text = (
        "graphspec: 1\nparams: {d: 64, h: 4}\ninputs: {x: {shape: [8]}}\nnodes:\n"
        "  y: {layer: Dense, inputs: x, units: ${d // h}}\noutputs: {y: {}}\n"
    )
    with pytest.raises(SpecError) as exc:
        parse_text(text)
    [d] = exc.value.diagnostics
    assert d.code.value == "syntax" and d.line == 5
    assert d.hint is not None and d.hint.startswith('quote the expression: "${d // h}"')


def test_data_from_python_is_copied_in_the_walk_that_checks_it() -> None:
    """What ``copy.deepcopy`` made, from the one walk: key order, tuples, other mappings,
    nothing shared with the caller."""
    import collections
    import copy

    shared = [1, 2]
    data = {"b": {"x": (3, [4, (5,)])}, "a": shared, "c": shared, "d": collections.OrderedDict(z=[1]), "e": None}
    doc = parse_data(data)
    assert doc.data == copy.deepcopy(data) and list(doc.data) == ["b", "a", "c", "d", "e"]
    assert type(doc.data["b"]["x"]) is tuple and type(doc.data["b"]["x"][1][1]) is tuple
    assert type(doc.data["d"]) is collections.OrderedDict and doc.data["d"]["z"] is not data["d"]["z"]
    assert doc.data["a"] is not shared and doc.data["c"] is not shared
    doc.data["b"]["x"][1].append(9)
    assert data["b"]["x"][1] == [4, (5,)]
    assert parse_data(7).data == 7
