"""The directed graph of a spec's names that validate checks on every run:
the part of networkx's ``DiGraph`` graphspec uses.

Why not networkx itself on this path: importing networkx costs a third of what
``graphspec validate`` spends importing (its package imports every algorithm
and scans the installed distributions for backends), and its topological sort
alone costs about 8 µs per node, four times the per-node budget of validating
100,000 nodes in 2 seconds (``benchmarks/validate_speed.py``). Validation needs
adjacency, an order, reachability and a yes/no for cycles, all a few lines over
dicts. Everything else stays networkx's: a graph with a cycle is handed to
networkx to name the cycle (:meth:`DiGraph.to_networkx`, the error path only),
and so can any caller that wants its algorithms.

The methods keep networkx's names and meaning (``G.successors(n)``,
``G.nodes``, ``G.edges(data=True)``, ``lexicographical_topological_sort``), so
code written against a networkx ``DiGraph`` reads the same.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import Any

__all__ = ["DiGraph", "ancestors", "is_directed_acyclic_graph", "lexicographical_topological_sort", "topological_sort"]


_NO_ATTRIBUTES: Mapping[str, Any] = MappingProxyType({})


class DiGraph:
    """Named nodes with attributes and directed edges with attributes, in insertion order.

    Attributes are read-only mappings (set them with ``add_node``/``add_edge``):
    nodes added together share one, and edges without attributes share an empty
    one, so a 100,000-node spec does not make 200,000 small dicts for the
    garbage collector to walk.
    """

    __slots__ = ("_node", "_pred", "_succ")

    def __init__(self) -> None:
        self._node: dict[str, Mapping[str, Any]] = {}
        self._succ: dict[str, dict[str, Mapping[str, Any]]] = {}
        self._pred: dict[str, dict[str, Mapping[str, Any]]] = {}

    def add_node(self, node: str, **attr: Any) -> None:
        self.add_nodes_from((node,), **attr)

    def add_nodes_from(self, nodes: Iterable[str], **attr: Any) -> None:
        shared = MappingProxyType(attr) if attr else _NO_ATTRIBUTES
        for node in nodes:
            if node not in self._node:
                self._node[node] = shared
                self._succ[node] = {}
                self._pred[node] = {}
            elif attr:
                self._node[node] = MappingProxyType({**self._node[node], **attr})

    def add_edge(self, u: str, v: str, **attr: Any) -> None:
        """Add ``u → v`` (and either node if new); the attributes of an existing edge are updated."""
        if u not in self._node:
            self.add_node(u)
        if v not in self._node:
            self.add_node(v)
        data = self._succ[u].get(v)
        if data is None:
            data = MappingProxyType(attr) if attr else _NO_ATTRIBUTES
        elif attr:
            data = MappingProxyType({**data, **attr})
        else:
            return
        self._succ[u][v] = self._pred[v][u] = data

    def has_edge(self, u: str, v: str) -> bool:
        return u in self._succ and v in self._succ[u]

    def predecessors(self, node: str) -> Iterator[str]:
        return iter(self._pred[node])

    def successors(self, node: str) -> Iterator[str]:
        return iter(self._succ[node])

    def in_degree(self, node: str) -> int:
        return len(self._pred[node])

    def out_degree(self, node: str) -> int:
        return len(self._succ[node])

    def number_of_nodes(self) -> int:
        return len(self._node)

    def number_of_edges(self) -> int:
        return sum(len(targets) for targets in self._succ.values())

    def __len__(self) -> int:
        return len(self._node)

    def __contains__(self, node: object) -> bool:
        return node in self._node

    def __iter__(self) -> Iterator[str]:
        return iter(self._node)

    @property
    def nodes(self) -> Mapping[str, Mapping[str, Any]]:
        """Each node's attributes, by node (iterating gives the nodes, in insertion order)."""
        return MappingProxyType(self._node)

    def edges(self, data: bool = False) -> list[Any]:
        """Every edge as ``(u, v)``, or ``(u, v, attributes)`` with ``data=True``."""
        if data:
            return [(u, v, d) for u, targets in self._succ.items() for v, d in targets.items()]
        return [(u, v) for u, targets in self._succ.items() for v in targets]

    def subgraph(self, nodes: Iterable[str]) -> DiGraph:
        """A copy holding ``nodes`` (in this graph's order) and the edges between them."""
        keep = set(nodes)
        sub = DiGraph()
        for node, attr in self._node.items():
            if node in keep:
                sub.add_node(node, **attr)
        for u in sub._node:
            for v, d in self._succ[u].items():
                if v in keep:
                    sub.add_edge(u, v, **d)
        return sub

    def to_networkx(self) -> Any:
        """The same graph as a ``networkx.DiGraph`` (imports networkx)."""
        import networkx as nx

        graph = nx.DiGraph()
        graph.add_nodes_from(self._node.items())
        graph.add_edges_from((u, v, d) for u, targets in self._succ.items() for v, d in targets.items())
        return graph


def _kahn(graph: DiGraph, ranked: list[str]) -> list[str]:
    """Kahn's algorithm, always taking the ready node that comes first in ``ranked``; stops short on a cycle."""
    rank = {node: i for i, node in enumerate(ranked)}
    waiting = {node: len(graph._pred[node]) for node in ranked}
    ready = [(rank[node], node) for node in ranked if waiting[node] == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        _, node = heapq.heappop(ready)
        order.append(node)
        for succ in graph._succ[node]:
            waiting[succ] -= 1
            if waiting[succ] == 0:
                heapq.heappush(ready, (rank[succ], succ))
    return order


def _ordered_already(graph: DiGraph, ranked: list[str]) -> bool:
    """Whether every edge points forward in ``ranked`` (then ``ranked`` is the lexicographic topological order)."""
    rank = {node: i for i, node in enumerate(ranked)}
    pred = graph._pred
    for node in ranked:
        here = rank[node]
        for p in pred[node]:
            if rank[p] >= here:
                return False
    return True


def lexicographical_topological_sort(graph: DiGraph, key: Callable[[Any], Any] | None = None) -> list[str]:
    """The topological order that takes, at each step, the ready node of least ``key`` (the node itself without one;
    ties: insertion order).

    As ``networkx.lexicographical_topological_sort``. A spec's order is usually
    topological already; that is checked in one pass over the edges before any
    heap is built.

    Raises:
        ValueError: if the graph has a cycle.
    """
    return _sorted(graph, sorted(graph._node, key=key))


def topological_sort(graph: DiGraph) -> list[str]:
    """A topological order of the nodes (insertion order where the edges allow).

    Raises:
        ValueError: if the graph has a cycle.
    """
    return _sorted(graph, list(graph._node))


def _sorted(graph: DiGraph, ranked: list[str]) -> list[str]:
    if _ordered_already(graph, ranked):
        return ranked
    order = _kahn(graph, ranked)
    if len(order) < len(ranked):
        raise ValueError("the graph has a cycle")
    return order


def is_directed_acyclic_graph(graph: DiGraph) -> bool:
    ranked = list(graph._node)
    return _ordered_already(graph, ranked) or len(_kahn(graph, ranked)) == len(ranked)


def ancestors(graph: DiGraph, node: str) -> set[str]:
    """Every node with a path to ``node`` (``node`` itself excluded)."""
    seen: set[str] = set()
    stack = [node]
    while stack:
        for pred in graph._pred[stack.pop()]:
            if pred not in seen:
                seen.add(pred)
                stack.append(pred)
    seen.discard(node)
    return seen
