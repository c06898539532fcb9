"""survey: points of a search space checked without TensorFlow; the whole space surveyed by `graphspec validate`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import graphspec
from graphspec.cli import main
from graphspec.expand.search import parse_space
from graphspec.source import parse_file
from graphspec.tune.survey import check_point, check_search, logged_metrics

WIDE = """\
graphspec: 1
name: wide
params: {width: 64, depth: 1, kernel: 3}
inputs:
  x: {shape: [32, 4]}
blocks:
  conv:
    params: {filters: int, k: int}
    nodes:
      c: {layer: Conv1D, inputs: x, filters: $filters, kernel_size: $k}
    outputs: c
nodes:
  convs: {block: conv, inputs: x, filters: $width, k: $kernel, repeat: $depth}
  pooled: {layer: GlobalMaxPooling1D, inputs: convs}
  y: {layer: Dense, inputs: pooled, units: 3, activation: softmax}
outputs:
  y: {loss: categorical_crossentropy, metrics: [acc]}
fit: {validation_split: 0.2}
search:
  constraints: {max_params: 20000}
  params:
    width: {int: [8, 128], step: 8}
    depth: {int: [1, 3]}
"""


def write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_check_point_statuses(tmp_path: Path) -> None:
    doc = parse_file(write(tmp_path, WIDE))
    space = parse_space(doc)
    assert space is not None
    ok = check_point(space, {"width": 16, "depth": 2})
    assert ok.status == "ok" and ok.params_exact
    # conv 4*16*3+16, conv 16*16*3+16, dense 16*3+3
    assert ok.params == (4 * 16 * 3 + 16) + (16 * 16 * 3 + 16) + (16 * 3 + 3)
    assert ok.report is not None and list(ok.report.spec.nodes) == ["convs/block1/c", "convs/block2/c", "pooled", "y"]
    refused = check_point(space, {"width": 128, "depth": 3})
    assert refused.status == "refused" and refused.constraint == "max_params"
    assert refused.reason == f"{refused.params:,} parameters, over max_params 20,000"
    assert refused.seconds < 1.0
    over_budget = check_point(space, {"width": 128, "depth": 3}, budget=graphspec.Budget(max_params=1000))
    assert (over_budget.status, over_budget.constraint) == ("refused", "budget")
    # a point whose spec is invalid fails with the diagnostic, at its line
    bad = check_point(space, {"width": 16, "depth": 2}, params={"kernel": 40})
    assert bad.status == "failed" and bad.diagnostics[0].code.value in ("shape-mismatch", "bad-argument")
    outside = check_point(space, {"width": 12, "depth": 1})
    assert (
        outside.status == "failed" and outside.diagnostics[0].message == "width=12 is not a value of int 8..128 step 8"
    )


def test_survey_enumerates_every_corner_when_few_and_reports_the_range(tmp_path: Path) -> None:
    report = check_search(write(tmp_path, WIDE), random_points=4)
    assert report is not None and report.exhaustive and report.corners == 4 and report.corners_checked == 4
    assert report.configurations == 16 * 3
    assert len(report.verdicts) == 8  # 4 corners + 4 random points
    low, high = report.span("params")  # type: ignore[misc]
    assert (low.values["width"], low.values["depth"]) == (8, 1)
    assert (high.values["width"], high.values["depth"]) == (128, 3)
    assert report.refused() == {"max_params": sum(1 for v in report.verdicts if v.status == "refused")}
    lines = report.lines()
    assert lines[0] == "search: 2 parameters, 48 configurations; objective val_loss (min); max_params 20,000"
    assert (
        lines[1].startswith("checked 8 points (all 4 corners, 4 random) in ")
        and f"parameters {low.params:,} – {high.params:,}" in lines[1]
    )
    assert not report.errors


def test_survey_of_a_large_space_samples_corners_and_says_so(tmp_path: Path) -> None:
    params = "\n".join(f"    p{i}: [1, 2, 3]" for i in range(8))
    text = WIDE.replace(
        "params: {width: 64, depth: 1, kernel: 3}",
        "params: {width: 64, depth: 1, kernel: 3, " + ", ".join(f"p{i}: 1" for i in range(8)) + "}",
    )
    report = check_search(write(tmp_path, text + params + "\n"), max_corners=20, random_points=5)
    assert report is not None and not report.exhaustive
    assert report.corners == 4 * 3**8 and report.corners_checked == 20 and report.random_points == 5
    values = [v.chosen for v in report.verdicts]
    assert values[0]["width"] == 8 and values[0]["depth"] == 1  # the all-low corner first
    assert (
        "(20 of 26,244 corners, 5 random)" in report.lines()[1]
        and "a sample, the space may reach further" in report.lines()[1]
    )


def test_corners_that_cannot_build_are_errors_naming_the_point(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = WIDE.replace("depth: {int: [1, 3]}", "depth: {int: [1, 3]}\n    kernel: [3, 17]")
    path = write(tmp_path, text)
    report = check_search(path, random_points=0)
    assert report is not None
    (error,) = report.errors
    assert error.code.value == "shape-mismatch" and error.file == str(path)
    assert error.message.startswith("at the search point width=8, depth=3, kernel=17: ")
    assert "of 8 points checked fail: narrow the ranges that lead there" in (error.hint or "")
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert "error[shape-mismatch]" in out and "1 error(s) in the search space" in out


def test_a_space_refused_everywhere_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, WIDE.replace("max_params: 20000", "max_params: 100"))
    report = check_search(path)
    assert report is not None
    (error,) = report.errors
    assert error.code.value == "infeasible-search" and error.line == 20
    assert error.message.startswith(
        f"every one of the {len(report.verdicts)} points checked is over max_params 100; the smallest has "
    )


def test_objective_is_checked_against_what_the_model_logs(tmp_path: Path) -> None:
    report = graphspec.validate(write(tmp_path, WIDE))
    names, certain = logged_metrics(report)
    assert names == {"loss", "acc", "val_loss", "val_acc"} and certain
    typo = check_search(write(tmp_path, WIDE.replace("  constraints:", "  objective: val_accc\n  constraints:")))
    assert typo is not None
    (d,) = typo.errors
    assert d.code.value == "unknown-objective" and d.hint == "did you mean 'val_acc'?" and d.line == 20
    held_out = check_search(
        write(
            tmp_path,
            WIDE.replace("fit: {validation_split: 0.2}", "fit: {epochs: 2}").replace(
                "  constraints:", "  objective: val_acc\n  constraints:"
            ),
        )
    )
    assert (
        held_out is not None
        and held_out.errors[0].message == "objective 'val_acc' needs validation data, and the spec holds none out"
    )
    default = check_search(write(tmp_path, WIDE.replace("fit: {validation_split: 0.2}", "fit: {epochs: 2}")))
    assert default is not None and default.objective.name == "loss" and not default.errors


def test_logged_metric_names_follow_keras(tmp_path: Path) -> None:
    """Checked against what Keras itself logs, for a model with two outputs and named metric objects."""
    pytest.importorskip("keras")
    text = """\
graphspec: 1
inputs: {x: {shape: [4]}}
nodes:
  h: {layer: Dense, inputs: x, units: 3}
  a: {layer: Dense, inputs: h, units: 1}
  b: {layer: Dense, inputs: h, units: 2, activation: softmax}
outputs:
  a: {loss: mse, metrics: [mae]}
  b: {loss: categorical_crossentropy, metrics: [acc, {class_name: AUC, config: {name: area}}]}
fit: {validation_split: 0.25}
"""
    path = write(tmp_path, text, "two.yaml")
    names, certain = logged_metrics(graphspec.validate(path))
    result = graphspec.fit(path, synthetic=8, run_dir=tmp_path / "run", verbose=0)
    assert certain and names == set(result.history.history)


def test_validate_prints_the_survey_and_json_carries_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, WIDE)
    assert main(["validate", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{path}: search: 2 parameters, 48 configurations; objective val_loss (min); max_params 20,000"
    assert out[-1] == f"{path}: ok (1 inputs, 3 nodes, 1 outputs)"  # the spec as written: depth 1
    assert main(["validate", "--format", "json", str(path)]) == 0
    (record,) = json.loads(capsys.readouterr().out)
    search = record["search"]
    assert search["exhaustive"] and search["corners"] == 4 and search["params"]["at_max"] == {"width": 128, "depth": 3}
    assert set(search["refused"]) == {"max_params"}


def test_validate_of_a_search_spec_never_imports_tensorflow(tmp_path: Path) -> None:
    path = write(tmp_path, WIDE)
    code = (
        f"import sys; from graphspec.cli import main; rc = main(['validate', {str(path)!r}]); assert rc == 0; "
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120, capture_output=True)


def test_validate_surveys_a_search_spec_read_from_standard_input(tmp_path: Path) -> None:
    """`graphspec validate -` reads the pipe once: the survey uses the same text."""
    path = write(tmp_path, WIDE)
    done = subprocess.run(
        [sys.executable, "-m", "graphspec", "validate", "-"],
        input=path.read_text(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "-: search: 2 parameters, 48 configurations; objective val_loss (min); max_params 20,000"
    assert lines[-1] == "-: ok (1 inputs, 3 nodes, 1 outputs)"
