"""lsp features as plain functions of an analysis (the end-to-end tests over stdio are in test_lsp.py)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from lsprotocol import types as lsp

from graphspec.lsp import features
from graphspec.lsp.analysis import Analysis, analyse


def _at(text: str, needle: str) -> tuple[int, int]:
    """The 0-based line and column of the first character of ``needle`` in ``text``."""
    before = text[: text.index(needle)]
    return before.count("\n"), len(before) - (before.rfind("\n") + 1)


def _positions(analysis: Analysis) -> features.Positions:
    return features.Positions(
        lambda lines, line, character: lsp.Position(line, character), analysis.lines, analysis.path
    )


QUOTED = textwrap.dedent(
    """\
    graphspec: 1
    inputs: {x: {shape: [null, 8]}}
    nodes:
      enc: {layer: LSTM, inputs: x, units: 4, return_state: true}
      cat: {layer: Concatenate, inputs: ["enc:0", 'enc:1']}
    outputs:
      cat: {}
      state: {from: "enc:2"}
    """
)


@pytest.mark.parametrize("needle", ['"enc:0"', "'enc:1'", '"enc:2"'])
def test_hover_and_definition_anywhere_inside_a_quoted_reference(tmp_path: Path, needle: str) -> None:
    analysis = analyse(QUOTED, str(tmp_path / "quoted.yaml"))
    assert analysis.report is not None
    line, column = _at(QUOTED, needle)
    for offset in range(len(needle)):  # the opening quote, the name, the ':', the index, the closing quote
        hover = features.hover(analysis, line, column + offset)
        assert hover is not None and "layer `LSTM`" in hover.contents.value, (needle, offset)  # type: ignore[union-attr]
        found = features.definition(analysis, line, column + offset, _positions(analysis))
        assert [(loc.range.start.line, loc.range.start.character) for loc in found] == [(3, 2)], (needle, offset)


OUTLINE = textwrap.dedent(
    """\
    graphspec: 1
    blocks:
      res:
        nodes:
          d: {layer: Dense, inputs: x, units: 4}

          s: {layer: Add, inputs: [x, d]}
        outputs: s
    inputs:
      x: {shape: [4]}
    nodes:
      a:
        block: res
        inputs: x
      b: {layer: Dense, inputs: a, units: 4}

    outputs:
      b: {}
    """
)


def test_outline_ranges_end_before_the_next_entry(tmp_path: Path) -> None:
    analysis = analyse(OUTLINE, str(tmp_path / "outline.yaml"))
    symbols = {s.name: s for s in features.document_symbols(analysis, _positions(analysis))}
    spans = {s.name: (s.range.start.line, s.range.end.line) for s in symbols.values()}
    assert spans == {"blocks": (1, 7), "inputs": (8, 9), "nodes": (10, 14), "outputs": (16, 17)}
    (res,) = symbols["blocks"].children or []
    assert [(c.name, c.range.start.line, c.range.end.line) for c in res.children or []] == [("d", 4, 4), ("s", 6, 6)]
    assert [(c.name, c.range.start.line, c.range.end.line) for c in symbols["nodes"].children or []] == [
        ("a", 11, 13),
        ("b", 14, 14),
    ]


class _CountingKeys(dict):  # type: ignore[type-arg]
    walks = 0

    def items(self):  # type: ignore[no-untyped-def]
        self.walks += 1
        return super().items()


def test_outline_of_a_large_spec_walks_the_positions_a_few_times_not_once_per_entry(tmp_path: Path) -> None:
    # Once per entry made the outline quadratic: 15 s for a generated 3,000-node spec, asked for after every edit.
    body = "".join(
        f"  d{i}: {{layer: Dense, inputs: {'x' if i == 0 else f'd{i - 1}'}, units: 4}}\n" for i in range(2000)
    )
    text = f"graphspec: 1\ninputs:\n  x: {{shape: [4]}}\nnodes:\n{body}outputs:\n  d1999: {{}}\n"
    analysis = analyse(text, str(tmp_path / "large.yaml"))
    assert analysis.doc is not None
    keys = analysis.doc.keys = _CountingKeys(analysis.doc.keys)
    symbols = features.document_symbols(analysis, _positions(analysis))
    nodes = next(s for s in symbols if s.name == "nodes").children or []
    assert len(nodes) == 2000 and (nodes[-1].range.start.line, nodes[-1].range.end.line) == (2003, 2003)
    assert keys.walks <= 10


NESTED = textwrap.dedent(
    """\
    graphspec: 1
    inputs: {left: {shape: [8]}}
    nodes:
      encoder:
        model:
          inputs: {a: {shape: [8]}}
          nodes:
            h: {layer: Dense, inputs: a, units: 4}
            g: {layer: Dense, inputs: h, units: 2}
          outputs: {g: {}}
        inputs: left
    outputs:
      encoder: {}
    """
)


def test_hover_on_a_reference_inside_a_sub_model_names_the_sub_models_node(tmp_path: Path) -> None:
    analysis = analyse(NESTED, str(tmp_path / "nested.yaml"))
    assert analysis.report is not None
    line, column = _at(NESTED, "h, units: 2")
    hover = features.hover(analysis, line, column)
    assert hover is not None and hover.contents.value.startswith("**h**: layer `Dense`")  # type: ignore[union-attr]
    found = features.definition(analysis, line, column, _positions(analysis))
    assert [(loc.range.start.line, loc.range.start.character) for loc in found] == [(7, 8)]


JSON_TYPOS = (
    '{"graphspec": 1, "inputs": {"x": {"shape": [4]}},\n'
    ' "nodes": '
    '{"d": {"layer": "Densse", "inputs": "x", "units": 2}, "e": {"layer": "Dense", "inputs": "dd", "units": 2}},\n'
    ' "outputs": {"e": {}}}\n'
)


def _apply(text: str, edit: lsp.TextEdit) -> str:
    lines = text.splitlines(keepends=True)
    start, end = edit.range.start, edit.range.end
    assert start.line == end.line
    line = lines[start.line]
    lines[start.line] = line[: start.character] + edit.new_text + line[end.character :]
    return "".join(lines)


YAML_QUOTED_TYPOS = (
    'graphspec: 1\ninputs: {x: {shape: [4]}}\nnodes:\n  d: {layer: "Densse", inputs: x, units: 2}\n'
    "  e: {layer: Dense, inputs: 'dd', units: 2}\noutputs: {e: {}}\n"
)


@pytest.mark.parametrize(("name", "text"), [("typos.json", JSON_TYPOS), ("typos.yaml", YAML_QUOTED_TYPOS)])
def test_quick_fixes_of_quoted_names_keep_the_quotes(tmp_path: Path, name: str, text: str) -> None:
    uri = (tmp_path / name).as_uri()
    analysis = analyse(text, str(tmp_path / name))
    given = features.diagnostics(analysis, _positions(analysis))
    assert [d.code for d in given] == ["unknown-layer", "unknown-reference"]
    fixed = text
    for diag in reversed(given):  # the later fix first, so the earlier range still holds
        (action,) = features.code_actions(uri, analysis, [diag])
        (edit,) = action.edit.changes[uri]  # type: ignore[union-attr, index]
        fixed = _apply(fixed, edit)
    after = analyse(fixed, str(tmp_path / name))
    assert after.diagnostics == [] and after.report is not None, fixed
