"""Data-driven cases: every spec in cases/valid builds; every spec in cases/invalid fails
with exactly the diagnostics in its golden ``.expected`` file.

Regenerate goldens after an intended wording change with
``GRAPHSPEC_UPDATE_GOLDENS=1 pytest tests/test_cases.py`` and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import graphspec

CASES = Path(__file__).parent / "cases"
INVALID = sorted(p for p in (CASES / "invalid").iterdir() if p.suffix in (".yaml", ".json"))
VALID = sorted(p for p in (CASES / "valid").iterdir() if p.suffix in (".yaml", ".json"))
UPDATE = os.environ.get("GRAPHSPEC_UPDATE_GOLDENS") == "1"


def _diagnose(path: Path) -> graphspec.SpecError:
    """Fail the case the way the CLI would: validate, and build for ``*.build.*`` cases."""
    rel = path.relative_to(CASES / "invalid")
    cwd = os.getcwd()
    os.chdir(CASES / "invalid")  # so positions read `case.yaml:3:5`, not absolute paths
    try:
        with pytest.raises(graphspec.SpecError) as info:
            if ".build." in path.name:
                graphspec.build(Path(str(rel)))
            else:
                graphspec.validate(Path(str(rel)))
    finally:
        os.chdir(cwd)
    return info.value


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.name)
def test_invalid_case_matches_golden(path: Path) -> None:
    error = _diagnose(path)
    got = error.render() + "\n"
    golden = path.with_name(path.name.rsplit(".", 1)[0] + ".expected")
    if UPDATE:
        golden.write_text(got, encoding="utf-8")
    assert golden.exists(), f"no golden file {golden.name}; run with GRAPHSPEC_UPDATE_GOLDENS=1 and review it"
    assert got == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.name)
def test_invalid_case_diagnostics_are_complete(path: Path) -> None:
    error = _diagnose(path)
    assert error.errors, "a failing spec reports at least one error"
    for d in error.diagnostics:
        assert d.message and d.code in graphspec.Code
        assert d.file is not None and d.line is not None and d.column is not None, f"{d.code} has no position"
        assert d.source_line is not None


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_valid_case_builds(path: Path) -> None:
    report = graphspec.validate(path)
    model = graphspec.build(report.spec)
    assert [t.name for t in model.inputs] == list(report.spec.inputs)
    assert model.output_names == list(report.spec.outputs)
