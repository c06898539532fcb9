"""graph: references, cycles, order, reachability, sharing."""

from __future__ import annotations

from typing import Any

import pytest

import graphspec
from graphspec import SpecError


def spec(nodes: dict[str, Any], outputs: dict[str, Any], inputs: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"graphspec": 1, "inputs": inputs or {"x": {"shape": [4]}}, "nodes": nodes, "outputs": outputs}


def dense(src: str | list[str], units: int = 4) -> dict[str, Any]:
    return {"layer": "Dense", "inputs": src, "units": units}


def test_order_is_topological_and_follows_spec_order_where_free() -> None:
    nodes = {"c": {"layer": "Add", "inputs": ["a", "b"]}, "b": dense("x"), "a": dense("x")}
    report = graphspec.validate(spec(nodes, {"c": {}}))
    assert report.graph.order == ["b", "a", "c"]


def test_every_cycle_is_printed_whole() -> None:
    nodes = {
        "a": {"layer": "Add", "inputs": ["x", "c"]},
        "b": dense("a"),
        "c": dense("b"),
        "p": {"layer": "Add", "inputs": ["x", "q"]},
        "q": dense("p"),
        "out": {"layer": "Add", "inputs": ["c", "q"]},
    }
    with pytest.raises(SpecError) as exc:
        graphspec.validate(spec(nodes, {"out": {}}))
    messages = sorted(d.message for d in exc.value.diagnostics if d.code.value == "cycle")
    assert messages == ["the nodes form a cycle: a → b → c → a", "the nodes form a cycle: p → q → p"]


def test_self_loop_is_a_cycle() -> None:
    with pytest.raises(SpecError) as exc:
        graphspec.validate(spec({"a": {"layer": "Add", "inputs": ["x", "a"]}}, {"a": {}}))
    assert exc.value.codes == ["cycle"]


def test_dangling_references_suggest_close_names() -> None:
    with pytest.raises(SpecError) as exc:
        graphspec.validate(spec({"encoder": dense("x"), "head": dense("encodr")}, {"head": {}, "o2": {"from": "haed"}}))
    hints = {d.path: d.hint for d in exc.value.diagnostics}
    assert hints[("nodes", "head", "inputs")] == "did you mean 'encoder'?"
    assert hints[("outputs", "o2", "from")] == "did you mean 'head'?"


def test_unused_input_is_a_warning_that_names_it() -> None:
    """Keras builds a model with an input that feeds nothing (the input stays part of its interface),
    so the spec validates and builds; the warning says so instead of predicting a Keras error."""
    report = graphspec.validate(spec({"y": dense("x")}, {"y": {}}, inputs={"x": {"shape": [4]}, "aux": {"shape": [2]}}))
    (d,) = report.warnings
    assert d.code.value == "unused-input" and d.path == ("inputs", "aux") and not d.is_error
    assert d.message == "input 'aux' feeds no output"
    assert "Graph disconnected" not in str(d.hint) and "callers must feed it" in str(d.hint)
    model = graphspec.build(report.spec, compile=False)
    assert [t.name for t in model.inputs] == ["x", "aux"]


def test_dead_nodes_are_warnings_not_errors() -> None:
    report = graphspec.validate(spec({"y": dense("x"), "spare": dense("x")}, {"y": {}}))
    (w,) = report.warnings
    assert w.code.value == "dead-node" and not w.is_error
    assert report.graph.order == ["y"]


def test_share_resolves_to_the_owning_layer_and_chains() -> None:
    nodes = {"a": dense("x"), "b": {"share": "a", "inputs": "a"}, "c": {"share": "b", "inputs": "b"}}
    report = graphspec.validate(spec(nodes, {"c": {}}))
    assert report.graph.layer_owner == {"a": "a", "b": "a", "c": "a"}


@pytest.mark.parametrize(
    ("nodes", "code"),
    [
        ({"a": {"share": "a", "inputs": "x"}}, "cycle"),
        ({"a": {"share": "x", "inputs": "x"}}, "bad-share"),
        ({"a": {"share": "nope", "inputs": "x"}}, "unknown-reference"),
        ({"a": {"layer": "Dense", "share": "a", "inputs": "x", "units": 2}}, "bad-share"),
        ({"a": {"inputs": "x"}}, "missing-key"),
    ],
)
def test_share_misuse(nodes: dict[str, Any], code: str) -> None:
    with pytest.raises(SpecError) as exc:
        graphspec.validate(spec(nodes, {"a": {}}))
    assert code in exc.value.codes


def test_index_on_an_input_is_refused() -> None:
    with pytest.raises(SpecError) as exc:
        graphspec.validate(spec({"y": dense("x:1")}, {"y": {}}))
    assert exc.value.codes == ["bad-output-index"]


def test_depth_is_the_longest_chain() -> None:
    nodes = {f"d{i}": dense("x" if i == 0 else f"d{i - 1}") for i in range(50)}
    nodes["skip"] = {"layer": "Add", "inputs": ["d0", "d49"]}
    report = graphspec.validate(spec(nodes, {"skip": {}}))
    assert report.graph.depth == 52  # input, d0..d49, skip


def test_large_graph_validates_quickly_enough_to_be_linear() -> None:
    nodes = {f"d{i}": dense("x" if i == 0 else f"d{i - 1}") for i in range(5000)}
    report = graphspec.validate(spec(nodes, {"d4999": {}}))
    assert len(report.graph.order) == 5000


def test_long_share_chains_with_every_node_an_output() -> None:
    """Each node's share chain was walked again from scratch (cubic), and each output
    computed its own ancestors (quadratic); 4,000-node specs took minutes. The scaling
    itself is measured in benchmarks/validate_speed.py; this checks the result."""
    n = 3000
    nodes: dict[str, Any] = {"s0": dense("x")}
    nodes.update({f"s{i}": {"share": f"s{i - 1}", "inputs": f"s{i - 1}"} for i in range(1, n)})
    report = graphspec.validate(spec(nodes, {f"s{i}": {} for i in range(0, n, 1)}))
    assert set(report.graph.layer_owner.values()) == {"s0"}


def test_many_dangling_references_each_reported() -> None:
    nodes = {f"n{i}": dense(f"q{i}") for i in range(300)}
    with pytest.raises(SpecError) as exc:
        graphspec.validate(spec(nodes, {"n0": {}}))
    assert exc.value.codes.count("unknown-reference") == 300
