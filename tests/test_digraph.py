"""graphspec._util.digraph answers as networkx does, on random graphs with and without cycles."""

from __future__ import annotations

import random
import subprocess
import sys

import networkx as nx
import pytest

from graphspec._util import digraph as dg


def _random_graph(seed: int, n: int, cyclic: bool) -> tuple[dg.DiGraph, nx.DiGraph]:
    rng = random.Random(seed)
    names = [f"v{i}" for i in rng.sample(range(n), n)]  # insertion order unrelated to the names' order
    ours, theirs = dg.DiGraph(), nx.DiGraph()
    for name in names:
        ours.add_node(name, kind="node")
        theirs.add_node(name, kind="node")
    for _ in range(2 * n):
        a, b = rng.randrange(n), rng.randrange(n)
        if a == b and not cyclic:
            continue
        if not cyclic and a > b:
            a, b = b, a
        ours.add_edge(names[a], names[b], slot=a)
        theirs.add_edge(names[a], names[b], slot=a)
    return ours, theirs


@pytest.mark.parametrize("seed", range(40))
def test_lexicographical_order_matches_networkx(seed: int) -> None:
    ours, theirs = _random_graph(seed, 30, cyclic=False)
    position = {name: i for i, name in enumerate(sorted(ours))}
    key = position.__getitem__
    assert dg.lexicographical_topological_sort(ours, key=key) == list(
        nx.lexicographical_topological_sort(theirs, key=key)
    )
    assert dg.lexicographical_topological_sort(ours) == list(nx.lexicographical_topological_sort(theirs))


@pytest.mark.parametrize("seed", range(40))
def test_cycles_ancestors_and_views_match_networkx(seed: int) -> None:
    ours, theirs = _random_graph(seed, 25, cyclic=seed % 2 == 1)
    assert dg.is_directed_acyclic_graph(ours) == nx.is_directed_acyclic_graph(theirs)
    if nx.is_directed_acyclic_graph(theirs):
        order = dg.topological_sort(ours)
        at = {name: i for i, name in enumerate(order)}
        assert sorted(order) == sorted(theirs) and all(at[u] < at[v] for u, v in theirs.edges)
    else:
        with pytest.raises(ValueError, match="cycle"):
            dg.topological_sort(ours)
    for name in theirs:
        assert dg.ancestors(ours, name) == nx.ancestors(theirs, name)
        assert list(ours.predecessors(name)) == list(theirs.predecessors(name))
        assert list(ours.successors(name)) == list(theirs.successors(name))
        assert ours.in_degree(name) == theirs.in_degree(name) and ours.out_degree(name) == theirs.out_degree(name)
    assert ours.edges(data=True) == list(theirs.edges(data=True))
    assert list(ours.nodes) == list(theirs.nodes) and dict(ours.nodes) == dict(theirs.nodes)
    assert ours.number_of_edges() == theirs.number_of_edges() and len(ours) == len(theirs)
    keep = sorted(theirs)[::2]
    assert ours.subgraph(keep).edges(data=True) == list(theirs.subgraph(keep).edges(data=True))
    back = ours.to_networkx()
    assert nx.utils.graphs_equal(back, theirs)


def test_edges_are_shared_between_both_directions_and_updated() -> None:
    g = dg.DiGraph()
    g.add_edge("a", "b", slot=0)
    g.add_edge("a", "b", label="x")
    assert g.edges(data=True) == [("a", "b", {"slot": 0, "label": "x"})]
    assert g.has_edge("a", "b") and not g.has_edge("b", "a") and "c" not in g
    g.add_nodes_from(["a", "c"], kind="input")
    assert g.nodes["a"] == {"kind": "input"} and list(g) == ["a", "b", "c"]


def test_validate_imports_no_networkx() -> None:
    """networkx is imported only where a cycle has to be named, not on every validate."""
    code = (
        "import sys\n"
        "from graphspec.cli import main\n"
        "rc = main(['validate', 'specs/seed/multi_input_qa.yaml', 'specs/zoo/resnet50.yaml'])\n"
        "assert rc == 0, rc\n"
        "assert 'networkx' not in sys.modules, 'validate imported networkx'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
