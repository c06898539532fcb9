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
    return features.Positions(lambda lines, line, character: lsp.Position(line, character), analysis.lines, analysis.path)


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
