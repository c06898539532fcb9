"""expansion: blocks, repeat, parameters, includes and `model:` files, expanded to a flat spec."""

from __future__ import annotations

import copy
import json
import textwrap
from pathlib import Path

import pytest

import graphspec
from graphspec.cli import main
from graphspec.expand import expand_document, parse_override
from graphspec.source import parse_file

# The seed ensemble uses `model:` files; every other seed spec is flat.
FLAT_SEEDS = sorted(p for p in Path("specs/seed").glob("*.yaml") if p.name != "ensemble.yaml")

BLOCKS = """\
graphspec: 1
name: family
params:
  width: 1.0
  depth: {type: int, default: 2}
blocks:
  dense:
    params:
      units: int
      act: relu
      wide: {type: int, default: "${units * 2}"}
    nodes:
      d: {layer: Dense, inputs: x, units: $wide, activation: $act}
      n: {layer: LayerNormalization, inputs: d}
    outputs: n
inputs:
  x: {shape: [16]}
nodes:
  stem: {block: dense, inputs: x, units: "${int(8 * width)}"}
  body: {block: dense, inputs: stem, units: 4, repeat: $depth, override: {1: {act: tanh}}}
  y: {layer: Dense, inputs: body, units: 1}
outputs:
  y: {loss: mse}
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def errors_of(source: object, **kwargs: object) -> graphspec.SpecError:
    with pytest.raises(graphspec.SpecError) as info:
        graphspec.validate(source, **kwargs)  # type: ignore[arg-type]
    return info.value


# -- identity ----------------------------------------------------------------


@pytest.mark.parametrize("path", FLAT_SEEDS, ids=lambda p: p.name)
def test_a_flat_spec_expands_to_itself(path: Path) -> None:
    doc = parse_file(path)
    assert expand_document(doc) is doc
    assert graphspec.expand(path).to_data() == graphspec.load(path).to_data()


# -- substitution, arithmetic, repeat, overrides -----------------------------


def test_blocks_repeat_and_overrides_expand_to_scoped_nodes(tmp_path: Path) -> None:
    spec = graphspec.expand(write(tmp_path, "family.yaml", BLOCKS))
    assert spec.to_data()["nodes"] == {
        "stem/d": {"layer": "Dense", "inputs": "x", "units": 16, "activation": "relu"},
        "stem/n": {"layer": "LayerNormalization", "inputs": "stem/d"},
        "body/block1/d": {"layer": "Dense", "inputs": "stem/n", "units": 8, "activation": "tanh"},
        "body/block1/n": {"layer": "LayerNormalization", "inputs": "body/block1/d"},
        "body/block2/d": {"layer": "Dense", "inputs": "body/block1/n", "units": 8, "activation": "relu"},
        "body/block2/n": {"layer": "LayerNormalization", "inputs": "body/block2/d"},
        "y": {"layer": "Dense", "inputs": "body/block2/n", "units": 1},
    }


def test_params_from_python_and_cli_change_the_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "family.yaml", BLOCKS)
    base = graphspec.validate(path).inference.total_params
    wide = graphspec.validate(path, params={"width": 2}).inference.total_params
    deep = graphspec.validate(path, params={"depth": 3}).inference.total_params
    assert base is not None and wide is not None and deep is not None
    # stem Dense 16→16 becomes 16→32, and its LayerNorm and the next Dense widen with it
    assert wide - base == (16 * 32 + 32 - (16 * 16 + 16)) + (2 * 32 - 2 * 16) + (32 * 8 - 16 * 8)
    # one more copy: Dense 8→8 and a LayerNormalization of 8
    assert deep - base == 8 * 8 + 8 + 2 * 8
    assert main(["expand", str(path), "--set", "depth=1", "--set", "width=0.5", "--format", "json"]) == 0
    nodes = json.loads(capsys.readouterr().out)["nodes"]
    assert list(nodes) == ["stem/d", "stem/n", "body/block1/d", "body/block1/n", "y"]
    assert nodes["stem/d"]["units"] == 8


def test_set_is_checked_against_the_declared_params(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "family.yaml", BLOCKS)
    error = errors_of(path, params={"widht": 2})
    assert error.codes == ["unknown-param"]
    assert error.diagnostics[0].hint == "did you mean 'width'?"
    assert errors_of(path, params={"depth": 1.5}).codes == ["wrong-type"]
    assert errors_of(path, params={"depth": True}).codes == ["wrong-type"]
    assert main(["expand", str(path), "--set", "widht=2"]) == 1
    assert main(["validate", str(path), "--set", "depth=x"]) == 1
    assert "--set/params gives depth='x'; the parameter is int" in capsys.readouterr().out
    with pytest.raises(SystemExit) as info:
        main(["validate", str(path), "--set", "depth"])
    assert info.value.code == 2
    assert [(n, v.value) for n, v in map(parse_override, ["width=0.5", "act=relu", "flag=true"])] == [
        ("width", 0.5),
        ("act", "relu"),
        ("flag", True),
    ]
    with pytest.raises(graphspec.SpecError, match="a Spec object is already expanded"):
        graphspec.load(graphspec.load(path), params={"width": 2})


def test_set_gives_a_str_parameter_its_text_as_written() -> None:
    spec = {
        "graphspec": 1,
        "params": {"tag": {"type": "str", "default": "a"}, "n": 2},
        "inputs": {"x": {"shape": [4]}},
        "nodes": {"y": {"layer": "Dense", "inputs": "x", "units": "$n", "name_hint": "$tag"}},
        "outputs": {"y": {}},
    }
    for text, expected in (("tag=1", "1"), ("tag=true", "true"), ("tag=1e3", "1e3"), ("tag=relu", "relu")):
        name, value = parse_override(text)
        assert graphspec.expand(spec, params={name: value}).nodes["y"].args["name_hint"] == expected
    for given in (".inf", "-.Inf", ".nan"):
        name, value = parse_override(f"n={given}")
        with pytest.raises(graphspec.SpecError) as error:
            graphspec.expand({**spec, "params": {"tag": "a", "n": 2.0}}, params={name: value})
        assert error.value.codes == ["bad-value"]
    name, value = parse_override("n=true")  # a non-str parameter still takes the scalar, and checks it
    with pytest.raises(graphspec.SpecError) as error:
        graphspec.expand(spec, params={name: value})
    assert error.value.codes == ["wrong-type"]


def test_substitution_keeps_types_and_formats_embedded_expressions() -> None:
    spec = graphspec.expand(
        {
            "graphspec": 1,
            "params": {"n": 3, "rate": 0.25, "tag": "v", "flag": False},
            "inputs": {"x": {"shape": ["${n * 2}"]}},
            "nodes": {
                "y": {
                    "layer": "Dense",
                    "inputs": "x",
                    "units": "$n",
                    "use_bias": "$flag",
                    "name_hint": "${tag}-${n}-$$5",
                    "rate": "${rate * 2}",
                }
            },
            "outputs": {"y": {}},
            "description": "width ${n}",
        }
    )
    assert spec.inputs["x"].shape == [6]
    assert spec.nodes["y"].args == {"units": 3, "use_bias": False, "name_hint": "v-3-$5", "rate": 0.5}
    assert spec.description == "width 3"


def test_multi_output_blocks_and_inner_references(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "two.yaml",
        """\
        graphspec: 1
        blocks:
          split:
            inputs: [a, b]
            nodes:
              da: {layer: Dense, inputs: a, units: 2}
              db: {layer: Dense, inputs: b, units: 3}
            outputs: [da, db]
          pair:
            inputs: [a, b]
            nodes:
              inner: {block: split, inputs: [a, b]}
              both: {layer: Concatenate, inputs: ["inner:0", "inner:1"]}
            outputs: [both, "inner:1"]
        inputs:
          p: {shape: [4]}
          q: {shape: [4]}
        nodes:
          outer: {block: pair, inputs: [p, q]}
          y: {layer: Concatenate, inputs: ["outer:0", "outer:1", outer/inner/da]}
        outputs:
          y: {}
          side: {from: "outer:1"}
        """,
    )
    spec = graphspec.expand(path)
    assert list(spec.nodes) == ["outer/inner/da", "outer/inner/db", "outer/both", "y"]
    assert spec.nodes["outer/both"].inputs == ["outer/inner/da", "outer/inner/db"]
    assert spec.nodes["y"].inputs == ["outer/both", "outer/inner/db", "outer/inner/da"]
    assert spec.outputs["side"].from_ == "outer/inner/db"
    assert graphspec.validate(path).inference.total_params == 4 * 2 + 2 + 4 * 3 + 3
    text = path.read_text().replace('"outer:0", "outer:1"', "outer")
    error = errors_of(write(tmp_path, "ambiguous.yaml", text))
    assert error.codes == ["bad-output-index"]
    assert error.diagnostics[0].message == "block instance 'outer' has 2 outputs; say which"
    assert error.diagnostics[0].line == 20


def test_an_instance_used_as_an_output_reads_its_output() -> None:
    spec = graphspec.expand(
        {
            "graphspec": 1,
            "blocks": {"b": {"nodes": {"d": {"layer": "Dense", "inputs": "x", "units": 1}}, "outputs": "d"}},
            "inputs": {"x": {"shape": [2]}},
            "nodes": {"head": {"block": "b", "inputs": "x"}},
            "outputs": {"head": {"loss": "mse"}},
        }
    )
    assert spec.outputs["head"].from_ == "head/d" and spec.outputs["head"].loss == "mse"


def test_the_callers_data_is_not_changed() -> None:
    data = {
        "graphspec": 1,
        "params": {"n": 2},
        "blocks": {"b": {"nodes": {"d": {"layer": "Dense", "inputs": "x", "units": "$n"}}, "outputs": "d"}},
        "inputs": {"x": {"shape": [2]}},
        "nodes": {"h": {"block": "b", "inputs": "x", "repeat": 2}},
        "outputs": {"y": {"from": "h"}},
    }
    before = copy.deepcopy(data)
    graphspec.validate(data)
    assert data == before


# -- diagnostics with positions ------------------------------------------------


def test_an_error_inside_a_block_names_the_instance_and_the_definition(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(
        tmp_path,
        "family.yaml",
        BLOCKS.replace("units: $wide, activation: $act", "units: $wide, activation: $act, unit: 3"),
    )
    monkeypatch.chdir(tmp_path)
    error = errors_of(Path("family.yaml"))
    first = error.diagnostics[0]
    assert first.render().splitlines() == [
        "family.yaml:13:68: error[unknown-argument]: nodes.stem/d.unit: Dense takes no argument 'unit'",
        "  13 |       d: {layer: Dense, inputs: x, units: $wide, activation: $act, unit: 3}",
        "     |                                                                    ^",
        "  in block instance 'stem' (block 'dense') at family.yaml:19:3",
        "  defined in blocks.dense.nodes.d at family.yaml:13:7",
        "  hint: did you mean 'units'?",
    ]
    # The two copies of `body` (repeat: 2) share one diagnostic that names both.
    assert [d.path for d in error.diagnostics] == [("nodes", n, "unit") for n in ("stem/d", "body/block1/d")]
    copies = error.diagnostics[1].to_dict()
    assert copies["related"] == [
        {
            "label": "in block instance 'body/block1' (block 'dense', copy 1 of 2)",
            "file": "family.yaml",
            "line": 20,
            "column": 3,
        },
        {"label": "the same in 1 more copy: body/block2/d", "file": "family.yaml", "line": 20, "column": 3},
        {"label": "defined in blocks.dense.nodes.d", "file": "family.yaml", "line": 13, "column": 7},
    ]


@pytest.mark.parametrize(
    ("replace", "by", "code", "where", "message"),
    [
        (
            'units: "${int(8 * width)}"',
            'units: "${int(8 * widht)}"',
            "bad-expression",
            (19, 53),
            "in '${int(8 * widht)}': unknown name 'widht'; did you mean 'width'?",
        ),
        (
            'units: "${int(8 * width)}"',
            'units: "${8 *}"',
            "bad-expression",
            (19, 48),
            "in '${8 *}': expected a number, a name or '(', found the end of the expression",
        ),
        (
            'units: "${int(8 * width)}"',
            'units: "${2 ** 2 ** 2 ** 99}"',
            "bad-expression",
            (19, 57),
            "the exponent 99 is too large (at most 64)",
        ),
        ("block: dense, inputs: x", "block: dence, inputs: x", "unknown-block", (19, 17), "unknown block 'dence'"),
        (
            "units: 4, repeat",
            "units: 4, unitz: 4, repeat",
            "unknown-param",
            (20, 48),
            "block 'dense' has no parameter 'unitz'",
        ),
        ('units: "${int(8 * width)}"', "act: tanh", "missing-param", (19, 9), "block 'dense' needs parameter 'units'"),
        ("units: 4, repeat", "units: 4.5, repeat", "wrong-type", (20, 45), "parameter 'units' is int; got float 4.5"),
        ("repeat: $depth", "repeat: 0", "bad-value", (20, 56), "repeat must be an integer ≥ 1; got int 0"),
        (
            "{1: {act: tanh}}",
            "{3: {act: tanh}}",
            "bad-value",
            (20, 75),
            "override '3' names no copy; copies are numbered 1 to 2",
        ),
    ],
)
def test_expansion_errors_have_exact_positions(
    tmp_path: Path, replace: str, by: str, code: str, where: tuple[int, int], message: str
) -> None:
    assert replace in BLOCKS
    error = errors_of(write(tmp_path, "family.yaml", BLOCKS.replace(replace, by)))
    assert error.codes == [code]
    d = error.diagnostics[0]
    assert (d.line, d.column) == where
    assert message in d.message
    assert d.source_line is not None


def test_bad_expression_inside_a_block_points_into_the_definition(tmp_path: Path) -> None:
    error = errors_of(write(tmp_path, "family.yaml", BLOCKS.replace('"${units * 2}"', '"${units * }"')))
    assert {d.code.value for d in error.diagnostics} == {"bad-expression"}
    d = error.diagnostics[0]
    assert (d.line, d.column) == (11, 45)
    assert d.path == ("blocks", "dense", "params", "wide", "default")
    assert len(error.diagnostics) == 1  # reported once, not once per instance


def test_recursive_blocks_are_refused() -> None:
    data = {
        "graphspec": 1,
        "blocks": {
            "a": {"nodes": {"inner": {"block": "b", "inputs": "x"}}, "outputs": "inner"},
            "b": {"nodes": {"inner": {"block": "a", "inputs": "x"}}, "outputs": "inner"},
        },
        "inputs": {"x": {"shape": [2]}},
        "nodes": {"top": {"block": "a", "inputs": "x"}},
        "outputs": {"top": {}},
    }
    error = errors_of(data)
    assert error.codes == ["recursive-block"]
    assert error.diagnostics[0].message == "block 'a' instantiates itself: a → b → a"
    assert error.diagnostics[0].path == ("nodes", "top/inner/inner", "block")


@pytest.mark.parametrize("times", ["1000000000", "10 ** 9", "250001"])
def test_huge_repeats_hit_the_node_budget_at_once(times: str) -> None:
    data = {
        "graphspec": 1,
        "blocks": {"b": {"nodes": {"d": {"layer": "Dense", "inputs": "x", "units": 1}}, "outputs": "d"}},
        "inputs": {"x": {"shape": [1]}},
        "nodes": {"h": {"block": "b", "inputs": "x", "repeat": f"${{{times}}}"}},
        "outputs": {"h": {}},
    }
    error = errors_of(data)
    assert error.codes == ["too-many-nodes"]
    assert error.diagnostics[0].path == ("nodes", "h", "repeat")


def test_nested_repeats_of_empty_blocks_are_bounded_too() -> None:
    # Each level passes its input through: no nodes at all, but 1000**3 copies.
    data = {
        "graphspec": 1,
        "blocks": {
            "pass": {"nodes": {"d": {"layer": "Identity", "inputs": "x"}}, "outputs": "x"},
            "l2": {"nodes": {"p": {"block": "pass", "inputs": "x", "repeat": 1000}}, "outputs": "p"},
            "l3": {"nodes": {"p": {"block": "l2", "inputs": "x", "repeat": 1000}}, "outputs": "p"},
        },
        "inputs": {"x": {"shape": [1]}},
        "nodes": {
            "h": {"block": "l3", "inputs": "x", "repeat": 1000},
            "y": {"layer": "Dense", "inputs": "h", "units": 1},
        },
        "outputs": {"y": {}},
    }
    assert errors_of(data, budget=graphspec.Budget(max_nodes=10_000)).codes == ["too-many-nodes"]


# -- includes ------------------------------------------------------------------

MAIN = """\
graphspec: 1
include: [lib/blocks.yaml]
inputs:
  x: {shape: [8]}
nodes:
  body: {block: mlp, inputs: x, units: 4}
outputs:
  body: {}
"""
LIB = """\
include: common.yaml
blocks:
  mlp:
    params: {units: int}
    nodes:
      d1: {block: dense, inputs: x, units: $units}
      d2: {layer: Dense, inputs: d1, units: $units}
    outputs: d2
"""
COMMON = """\
blocks:
  dense:
    params: {units: int}
    nodes:
      d: {layer: Dense, inputs: x, units: $units, activation: relu}
    outputs: d
"""


def test_includes_are_relative_to_the_including_file(tmp_path: Path) -> None:
    main_path = write(tmp_path, "main.yaml", MAIN)
    write(tmp_path, "lib/blocks.yaml", LIB)
    write(tmp_path, "lib/common.yaml", COMMON)
    spec = graphspec.expand(main_path)
    assert list(spec.nodes) == ["body/d1/d", "body/d2"]
    write(tmp_path, "lib/common.yaml", COMMON.replace("units: $units,", "units: $units, unit: 1,"))
    d = errors_of(main_path).diagnostics[0]
    assert (d.file, d.line, d.column) == (str(tmp_path / "lib" / "common.yaml"), 5, 51)
    assert [r.label for r in d.related] == [
        "in block instance 'body' (block 'mlp')",
        "in block instance 'body/d1' (block 'dense')",
        "defined in blocks.dense.nodes.d",
    ]
    assert [(r.file, r.line) for r in d.related] == [
        (str(main_path), 6),
        (str(tmp_path / "lib" / "blocks.yaml"), 6),
        (str(tmp_path / "lib" / "common.yaml"), 5),
    ]


@pytest.mark.parametrize(
    ("include", "message"),
    [
        ("/etc/passwd", "include path '/etc/passwd' is absolute"),
        ("../outside.yaml", "include path '../outside.yaml' leaves the spec's folder tree"),
        ("lib/../../outside.yaml", "leaves the spec's folder tree"),
        ("escape.yaml", "include path 'escape.yaml' leaves the spec's folder tree"),
        ("missing.yaml", "include path 'missing.yaml': no such file"),
        ("lib", "include path 'lib': no such file"),
    ],
)
def test_includes_are_confined_to_the_spec_folder(tmp_path: Path, include: str, message: str) -> None:
    write(tmp_path, "outside.yaml", COMMON)
    (tmp_path / "spec" / "lib").mkdir(parents=True)
    (tmp_path / "spec" / "escape.yaml").symlink_to(tmp_path / "outside.yaml")
    path = write(tmp_path, "spec/main.yaml", MAIN.replace("lib/blocks.yaml", include))
    error = errors_of(path)
    assert error.codes[0] == "bad-include"
    assert message in error.diagnostics[0].message
    assert (error.diagnostics[0].line, error.diagnostics[0].column) == (2, 11)


def test_include_cycles_are_reported_with_the_chain(tmp_path: Path) -> None:
    main_path = write(tmp_path, "main.yaml", MAIN)
    write(tmp_path, "lib/blocks.yaml", LIB)
    write(tmp_path, "lib/common.yaml", "include: [../lib/blocks.yaml]\n" + COMMON)
    error = errors_of(main_path)
    assert error.codes[0] == "include-cycle"
    assert (
        error.diagnostics[0].message
        == "spec files include each other: lib/blocks.yaml → lib/common.yaml → lib/blocks.yaml"
    )
    assert error.diagnostics[0].file == str(tmp_path / "lib" / "common.yaml")


@pytest.mark.parametrize(
    ("library", "what"),
    [
        (
            "block:\n  dense: {nodes: {d: {layer: Dense, inputs: x, units: 1}}, outputs: d}\n",
            "it has no `blocks:` (or `include:`)",
        ),
        ("- 1\n- 2\n", "its top level is not a mapping"),
    ],
)
def test_an_include_that_brings_no_blocks_is_an_error(tmp_path: Path, library: str, what: str) -> None:
    main_path = write(tmp_path, "main.yaml", MAIN)
    write(tmp_path, "lib/blocks.yaml", library)  # a typo for `blocks:`, or not a spec at all
    error = errors_of(main_path)
    assert error.codes[0] == "bad-include"
    assert error.diagnostics[0].message == f"include 'lib/blocks.yaml' brings no blocks: {what}"
    assert (error.diagnostics[0].file, error.diagnostics[0].line) == (str(main_path), 2)


def test_text_and_data_cannot_include() -> None:
    error = errors_of(MAIN)
    assert error.codes[0] == "bad-include"
    assert "a spec given as text or data cannot include files" in error.diagnostics[0].message


def test_duplicate_block_definitions_are_errors(tmp_path: Path) -> None:
    main_path = write(
        tmp_path,
        "main.yaml",
        MAIN.replace(
            "inputs:\n", "blocks:\n  mlp: {nodes: {d: {layer: Dense, inputs: x, units: 1}}, outputs: d}\ninputs:\n", 1
        ),
    )
    write(tmp_path, "lib/blocks.yaml", LIB)
    write(tmp_path, "lib/common.yaml", COMMON)
    error = errors_of(main_path)
    assert error.codes == ["duplicate-name"]
    assert error.diagnostics[0].message.startswith("block 'mlp' is defined twice (first at ")


# -- model: files ----------------------------------------------------------------

MEMBER = """\
graphspec: 1
name: member
params: {units: 4}
inputs:
  x: {shape: [8]}
nodes:
  h: {layer: Dense, inputs: x, units: $units}
  y: {layer: Dense, inputs: h, units: 1}
outputs:
  y: {loss: mse}
compile: {optimizer: adam}
"""


def test_a_spec_file_becomes_an_inline_sub_model(tmp_path: Path) -> None:
    write(tmp_path, "members/member.yaml", MEMBER)
    path = write(
        tmp_path,
        "ensemble.yaml",
        """\
        graphspec: 1
        inputs:
          x: {shape: [8]}
        nodes:
          a: {model: members/member.yaml, inputs: x}
          b: {model: members/member.yaml, inputs: x, params: {units: 16}}
          avg: {layer: Average, inputs: [a, b]}
        outputs:
          avg: {}
        """,
    )
    data = graphspec.expand(path).to_data()
    assert data["nodes"]["a"]["model"]["nodes"]["h"]["units"] == 4
    assert data["nodes"]["b"]["model"]["nodes"]["h"]["units"] == 16
    assert set(data["nodes"]["b"]["model"]) == {"name", "inputs", "nodes", "outputs"}  # no graphspec, compile
    write(tmp_path, "members/member.yaml", MEMBER.replace("units: $units}", "units: $units, unit: 2}"))
    d = errors_of(path).diagnostics[0]
    assert (d.file, d.line, d.column) == (str(tmp_path / "members" / "member.yaml"), 7, 47)
    assert d.path == ("nodes", "a", "model", "nodes", "h", "unit")
    assert d.related[0].label == "in model file 'members/member.yaml' of node 'a'"


def test_model_files_that_use_each_other_are_a_cycle(tmp_path: Path) -> None:
    node = "nodes:\n  y: {model: b.yaml, inputs: x}\n"
    write(
        tmp_path,
        "a.yaml",
        MEMBER.replace(
            "nodes:\n  h: {layer: Dense, inputs: x, units: $units}\n  y: {layer: Dense, inputs: h, units: 1}\n", node
        ),
    )
    write(
        tmp_path,
        "b.yaml",
        MEMBER.replace(
            "nodes:\n  h: {layer: Dense, inputs: x, units: $units}\n  y: {layer: Dense, inputs: h, units: 1}\n",
            node.replace("b.yaml", "a.yaml"),
        ),
    )
    error = errors_of(tmp_path / "a.yaml")
    assert "include-cycle" in error.codes
    assert any(d.message == "spec files include each other: a.yaml → b.yaml → a.yaml" for d in error.diagnostics)


# -- the JSON Schema describes the authoring format ---------------------------


def test_schema_accepts_the_zoo_and_catches_typos_inside_blocks() -> None:
    import jsonschema
    import yaml

    from graphspec.schema import json_schema

    validator = jsonschema.Draft202012Validator(json_schema())
    for path in sorted(Path("specs/zoo").glob("*.yaml")):
        assert not list(validator.iter_errors(yaml.safe_load(path.read_text()))), path
    data = yaml.safe_load(BLOCKS.replace("activation: $act}", "activationn: $act}"))
    assert list(validator.iter_errors(data))
    assert not list(validator.iter_errors(yaml.safe_load(BLOCKS)))


def test_block_definitions_are_checked() -> None:
    def block_errors(block: object) -> list[tuple[str, str]]:
        data = {
            "graphspec": 1,
            "blocks": {"b": block},
            "inputs": {"x": {"shape": [1]}},
            "nodes": {"y": {"layer": "Dense", "inputs": "x", "units": 1}},
            "outputs": {"y": {}},
        }
        return [(d.code.value, d.message) for d in errors_of(data).diagnostics]

    assert block_errors({"nodes": {"x": {"layer": "Dense", "inputs": "x", "units": 1}}, "outputs": "x"}) == [
        ("duplicate-name", "'x' is both an input and a node of block 'b'")
    ]
    assert block_errors({"nodes": {"d": {"layer": "Dense", "inputs": "x", "units": 1}}}) == [
        ("missing-key", "block 'b' needs `outputs`: a node name or a list of them")
    ]
    assert block_errors(
        {"node": {}, "outputs": "d", "nodes": {"d": {"layer": "Dense", "inputs": "x", "units": 1}}}
    ) == [("unknown-key", "unknown key 'node' in block 'b'")]
    assert block_errors(
        {
            "params": {"n": {"type": "list"}},
            "outputs": "d",
            "nodes": {"d": {"layer": "Dense", "inputs": "x", "units": 1}},
        }
    ) == [("bad-value", "parameter 'n': type must be one of int, float, bool, str; got 'list'")]
    assert block_errors([1]) == [("wrong-type", "a block is a mapping {params, inputs, nodes, outputs}")]


# -- hostile authoring data: always a SpecError, never a crash -------------------

JUNK: list[object] = [
    None,
    0,
    -1,
    10**9,
    1.5,
    True,
    "",
    "$",
    "${",
    "${}",
    "$nope",
    "${1/0}",
    "${2**99}",
    [],
    {},
    ["x"],
    {"a": 1},
]
JUNK += ["x:5", "stem:1", "a/b", {"block": "dense"}, {"1": {"block": "nope"}}, "int", {"type": [1]}]


def _paths(value: object, path: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    out = [path]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*path, i))
    return out


@pytest.mark.parametrize("seed", range(4))
def test_mutated_authoring_specs_give_spec_errors(seed: int) -> None:
    import random

    import yaml

    rng = random.Random(seed)
    sources = [yaml.safe_load(BLOCKS), yaml.safe_load(Path("specs/zoo/transformer_classifier.yaml").read_text())]
    for _ in range(150):
        doc = copy.deepcopy(rng.choice(sources))
        for _ in range(rng.randint(1, 3)):
            path = rng.choice(_paths(doc)[1:])
            parent = doc
            for part in path[:-1]:
                parent = parent[part]
            parent[path[-1]] = copy.deepcopy(rng.choice(JUNK))
        try:
            graphspec.validate(doc)
        except graphspec.SpecError as exc:
            assert all(d.message and d.code in graphspec.Code for d in exc.diagnostics)


def test_several_expressions_in_one_string_are_each_formatted() -> None:
    data = {
        "graphspec": 1,
        "params": {"a": 2, "b": 3},
        "inputs": {"x": {"shape": [2]}},
        "nodes": {"y": {"layer": "Dense", "inputs": "x", "units": 1, "tag": "${a}_${b}", "both": "${a}${b}"}},
        "outputs": {"y": {}},
    }
    assert graphspec.expand(data).nodes["y"].args == {"units": 1, "tag": "2_3", "both": "23"}


def test_non_ascii_digits_in_overrides_and_output_indices_are_spec_errors() -> None:
    # "²".isdigit() is true, but int("²") raises: these must be SpecErrors, not a ValueError.
    data: dict[str, object] = {
        "graphspec": 1,
        "blocks": {"b": {"nodes": {"d": {"layer": "Dense", "inputs": "x", "units": 1}}, "outputs": "d"}},
        "inputs": {"x": {"shape": [2]}},
        "nodes": {
            "h": {"block": "b", "inputs": "x", "repeat": 2, "override": {"²": {}}},
            "y": {"layer": "Dense", "inputs": "h", "units": 1},
        },
        "outputs": {"y": {}},
    }
    assert errors_of(data).codes == ["bad-value"]
    data["nodes"] = {"h": {"block": "b", "inputs": "x"}, "y": {"layer": "Dense", "inputs": "h:²", "units": 1}}
    assert errors_of(data).codes == ["bad-name"]


def test_a_repeat_copy_cannot_take_the_name_of_a_written_node() -> None:
    data = {
        "graphspec": 1,
        "blocks": {"b": {"nodes": {"d": {"layer": "Dense", "inputs": "x", "units": 1}}, "outputs": "d"}},
        "inputs": {"x": {"shape": [2]}},
        "nodes": {
            "h/block1": {"layer": "Dense", "inputs": "x", "units": 3},
            "h": {"block": "b", "inputs": "x", "repeat": 2},
            "y": {"layer": "Add", "inputs": ["h/block1", "h"]},
        },
        "outputs": {"y": {}},
    }
    error = errors_of(data)
    assert error.codes == ["duplicate-name"]
    assert error.diagnostics[0].message == "two nodes expand to the name 'h/block1'"


def test_errors_in_a_model_files_parameters_name_the_node_that_sets_them(tmp_path: Path) -> None:
    write(tmp_path, "members/member.yaml", MEMBER)
    write(tmp_path, "members/list.yaml", "- 1\n- 2\n")
    nodes = (
        "a: {model: members/member.yaml, inputs: x}\n  b: {model: members/member.yaml, inputs: x, params: {units: 2.5}}"
    )
    text = (
        "graphspec: 1\ninputs:\n  x: {shape: [8]}\nnodes:\n  NODES\n  avg: {layer: Average, inputs: [a, b]}\n"
        "outputs:\n  avg: {}\n"
    )
    d = errors_of(write(tmp_path, "ensemble.yaml", text.replace("NODES", nodes))).diagnostics[0]
    assert d.code.value == "wrong-type" and d.file == str(tmp_path / "members" / "member.yaml")
    assert [(r.label, r.line, r.column) for r in d.related] == [
        ("in model file 'members/member.yaml' of node 'b'", 6, 3)
    ]
    error = errors_of(write(tmp_path, "lists.yaml", text.replace("NODES", nodes.replace("member.yaml", "list.yaml"))))
    assert error.codes == ["wrong-type", "wrong-type"]  # not "reads from unknown 'a'"
    assert (
        error.diagnostics[0].message == "model file 'members/list.yaml' is not a spec: its top level is not a mapping"
    )
    assert (error.diagnostics[0].line, error.diagnostics[0].column) == (5, 14)


def _model_tree(folder: Path, depth: int, fan_out: int) -> Path:
    """Files l0.yaml ... l{depth}.yaml, each with `fan_out` model nodes of the next: fan_out**depth leaves."""
    for level in range(depth + 1):
        refs = [f"m{i}" for i in range(fan_out)] if level < depth else []
        nodes = "".join(f"  m{i}: {{model: l{level + 1}.yaml, inputs: x}}\n" for i in range(len(refs)))
        last = (
            f"  y: {{layer: Add, inputs: [{', '.join(refs)}]}}\n"
            if refs
            else "  y: {layer: Dense, inputs: x, units: 2}\n"
        )
        write(
            folder,
            f"l{level}.yaml",
            f"graphspec: 1\ninputs: {{x: {{shape: [2]}}}}\nnodes:\n{nodes}{last}outputs: {{y: {{}}}}\n",
        )
    return folder / "l0.yaml"


def test_nested_model_files_are_bounded_across_the_whole_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # 5 + 25 + 125 uses of 4 files: each file is parsed once (by real path), each use's nodes are counted.
    from graphspec.expand import _accounting

    parsed: list[str] = []
    real_parse = _accounting.parse_file
    monkeypatch.setattr(
        _accounting, "parse_file", lambda path, *a, **k: parsed.append(str(path)) or real_parse(path, *a, **k)
    )
    report = graphspec.validate(_model_tree(tmp_path, 3, 5))
    assert report.spec.node_count() == 311
    assert len(parsed) == 3  # l1, l2, l3 (l0 is the root)
    # Distinct files count against the file bound, across nested model files.
    chain = "".join(f"  m{i}: {{model: f{i}.yaml, inputs: x}}\n" for i in range(70))
    for i in range(70):
        write(
            tmp_path / "many",
            f"f{i}.yaml",
            "graphspec: 1\ninputs: {x: {shape: [2]}}\nnodes:\n  y: {layer: Dense, inputs: x, units: 2}\n"
            "outputs: {y: {}}\n",
        )
    refs = ", ".join(f"m{i}" for i in range(70))
    top = write(
        tmp_path / "many",
        "top.yaml",
        f"graphspec: 1\ninputs: {{x: {{shape: [2]}}}}\nnodes:\n{chain}  y: {{layer: Add, inputs: [{refs}]}}\n"
        f"outputs: {{y: {{}}}}\n",
    )
    error = errors_of(top)
    assert "bad-include" in error.codes
    assert any("more than 64 files" in d.message for d in error.diagnostics)
    # The nodes of sub-models count against the caller's node budget too.
    assert graphspec.validate(_model_tree(tmp_path / "small", 2, 3)).graph is not None
    error = errors_of(
        _model_tree(tmp_path / "small", 2, 3), budget=graphspec.Budget(max_nodes=20)
    )  # 4 + 3 * (4 + 3 * 1) nodes
    assert error.codes == ["too-many-nodes"]


def test_a_model_file_with_malformed_nodes_is_a_spec_error(tmp_path: Path) -> None:
    write(tmp_path, "member.yaml", "graphspec: 1\ninputs: {x: {shape: [4]}}\nnodes: 5\noutputs: {y: {}}\n")
    error = errors_of(
        write(
            tmp_path,
            "top.yaml",
            "graphspec: 1\ninputs: {x: {shape: [4]}}\nnodes:\n  m: {model: member.yaml, inputs: x}\noutputs: {m: {}}\n",
        )
    )
    assert error.codes == ["wrong-type"]
    assert error.diagnostics[0].file == str(tmp_path / "member.yaml")


def test_a_bad_argument_in_a_repeated_block_is_reported_once_with_its_copies() -> None:
    text = (
        "graphspec: 1\ninputs: {x: {shape: [8]}}\nblocks:\n  mlp:\n    inputs: [a]\n    nodes:\n"
        "      d: {layer: Dense, inputs: a, units: 4, activaton: relu}\n    outputs: [d]\n"
        "nodes:\n  s: {block: mlp, inputs: x, repeat: 4}\noutputs: {s: {loss: mse}}\n"
    )
    error = errors_of(text)
    [d] = error.diagnostics
    assert d.code.value == "unknown-argument" and d.path == ("nodes", "s/block1/d", "activaton")
    assert [r.label for r in d.related][1] == "the same in 3 more copies: s/block2/d, s/block3/d, s/block4/d"
