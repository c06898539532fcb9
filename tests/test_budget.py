"""budget: oversized specs are refused with the computed figure, before any weight exists."""

from __future__ import annotations

import resource
from typing import Any

import pytest

import graphspec
from graphspec import Budget, SpecError


def one_layer(node: dict[str, Any], shape: list[int | None]) -> dict[str, Any]:
    return {
        "graphspec": 1,
        "inputs": {"x": {"shape": shape}},
        "nodes": {"big": {"inputs": "x", **node}},
        "outputs": {"big": {}},
    }


def test_huge_dense_is_refused_before_allocation_with_the_figure() -> None:
    spec = one_layer({"layer": "Dense", "units": 1_000_000_000}, [1000])
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(SpecError) as exc:
        graphspec.validate(spec)  # static: no Keras layer is ever created
    (d,) = exc.value.diagnostics
    assert d.code.value == "too-many-params" and d.path == ("nodes", "big")
    assert "1,001,000,000,000 parameters (4.0 TB of weights)" in d.message
    with pytest.raises(SpecError) as exc:
        graphspec.build(spec)
    assert exc.value.codes == ["too-many-params"]
    assert (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024 < 2_000, (
        "4 TB of weights were never allocated"
    )


def test_huge_embedding_is_refused() -> None:
    with pytest.raises(SpecError) as exc:
        graphspec.validate(one_layer({"layer": "Embedding", "input_dim": 1_000_000_000, "output_dim": 10_000}, [5]))
    assert "10,000,000,000,000 parameters" in exc.value.diagnostics[0].message


def test_budget_is_settable() -> None:
    spec = one_layer({"layer": "Dense", "units": 100}, [100])
    graphspec.validate(spec)
    with pytest.raises(SpecError) as exc:
        graphspec.validate(spec, budget=Budget(max_params=10_000))
    assert exc.value.codes == ["too-many-params"]
    with pytest.raises(SpecError) as exc:
        graphspec.validate(spec, budget=Budget(max_nodes=0))
    assert exc.value.codes == ["too-many-nodes"]


def test_layers_without_a_shape_rule_are_counted_in_a_dry_run() -> None:
    """ConvLSTM1D has no static rule: build counts it without allocating, then refuses."""
    spec = one_layer({"layer": "ConvLSTM1D", "filters": 20_000, "kernel_size": 3}, [4, 8, 8])
    report = graphspec.validate(spec, budget=Budget(max_params=1_000))
    assert report.inference.total_params is None, "the static count is unknown here"
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(SpecError) as exc:
        graphspec.build(spec, budget=Budget(max_params=1_000))
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    (d,) = exc.value.diagnostics
    assert d.code.value == "too-many-params" and d.path == ("nodes", "big")
    # kernel 3·8·4·20000 + recurrent kernel 3·20000·4·20000 + bias 4·20000
    assert f"{3 * 8 * 4 * 20_000 + 3 * 20_000 * 4 * 20_000 + 4 * 20_000:,} parameters" == "4,802,000,000 parameters"
    assert "4,802,000,000 parameters" in d.message
    assert grown_mb < 2_000, "19 GB of weights were never allocated"


def test_cli_flags(capsys: pytest.CaptureFixture[str]) -> None:
    from graphspec.cli import main

    assert main(["validate", "--max-params", "1000", "specs/seed/functional_mlp.yaml"]) == 1
    assert "too-many-params" in capsys.readouterr().out
    assert main(["validate", "--max-params", "5000", "specs/seed/functional_mlp.yaml"]) == 0
