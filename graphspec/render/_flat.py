"""The scene as the text formats see it: visible boxes (collapsed clusters as one box) and the edges between them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from graphspec.render._scene import Edge, Scene, descendants_of
from graphspec.render._text import cluster_lines, node_lines

__all__ = ["Box", "boxes", "visible_edges"]


@dataclass(frozen=True)
class Box:
    """A visible box: a node, or a collapsed cluster (``cluster`` true); ``parent`` is its open cluster."""

    id: str
    lines: tuple[str, ...]
    kind: str
    status: str | None
    diff: str | None
    parent: str | None
    cluster: bool = False


def boxes(scene: Scene) -> Iterator[Box]:
    """Visible boxes in id order: nodes outside collapsed clusters, and the outermost collapsed clusters."""
    for nid in sorted(scene.nodes):
        if scene.visible(nid) != nid:
            continue
        node = scene.nodes[nid]
        yield Box(nid, tuple(t for t, _ in node_lines(scene, node)), node.kind, node.status, node.diff, node.cluster)
    for cid in sorted(scene.clusters):
        cluster = scene.clusters[cid]
        if not cluster.collapsed or any(scene.clusters[c].collapsed for c in scene.chain(cluster.parent)):
            continue
        members = sum(1 for _ in descendants_of(scene, cid))
        yield Box(
            cid,
            tuple(t for t, _ in cluster_lines(scene, cluster, members)),
            "box",
            cluster.status,
            cluster.diff,
            cluster.parent,
            cluster=True,
        )


def open_clusters(scene: Scene) -> list[str]:
    """Clusters drawn as frames (open, inside no collapsed one), outermost first."""
    out = [c for c, cl in scene.clusters.items() if not any(scene.clusters[k].collapsed for k in scene.chain(c))]
    return sorted(out, key=lambda c: (len(scene.chain(c)), c))


def visible_edges(scene: Scene) -> list[tuple[str, str, Edge]]:
    """Edges between visible boxes (each once per source, target and label), in a stable order."""
    seen: set[tuple[str, str, str | None]] = set()
    out = []
    for edge in sorted(scene.edges, key=lambda e: e.key):
        source, target = scene.visible(edge.source), scene.visible(edge.target)
        if source == target:
            continue
        key = (source, target, edge.label if source == edge.source else None)
        if key in seen:
            continue
        seen.add(key)
        out.append((source, target, edge))
    return out
