"""Mermaid ``flowchart`` text that renders in GitHub and GitLab Markdown."""

from __future__ import annotations

from graphspec.render._flat import boxes, open_clusters, visible_edges
from graphspec.render._scene import Scene

__all__ = ["render_mermaid"]

CLASSES = {
    "input": "fill:#e8f5e9,stroke:#43a047",
    "output": "fill:#fff3e0,stroke:#fb8c00",
    "op": "fill:#f3e5f5,stroke:#8e24aa",
    "model": "fill:#ede7f6,stroke:#5e35b1",
    "missing": "fill:#ffebee,stroke:#e53935,stroke-dasharray:4 3",
    "box": "fill:#eceff1,stroke:#546e7a,stroke-width:2px",
    "error": "stroke:#d50000,stroke-width:3px",
    "warning": "stroke-dasharray:5 3",
    "added": "fill:#c8e6c9,stroke:#2e7d32",
    "removed": "fill:#ffcdd2,stroke:#c62828,stroke-dasharray:5 3",
    "changed": "fill:#ffe082,stroke:#ef6c00",
    "rewired": "fill:#bbdefb,stroke:#1565c0",
}
_KIND_CLASS = {"in-port": "input", "out-port": "output"}


def _text(text: str) -> str:
    return text.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def _fold(scene: Scene, max_edges: int) -> None:
    """Collapse repeats, then deeper and deeper clusters, until the edges fit Mermaid's limit; say so."""
    count = len(visible_edges(scene))
    if count <= max_edges:
        return
    for cluster in scene.clusters.values():
        if cluster.kind == "repeat":
            cluster.collapsed = True
    depth = max((len(scene.chain(c)) for c in scene.clusters), default=0)
    while len(visible_edges(scene)) > max_edges and depth > 0:
        depth -= 1
        for cid, cluster in scene.clusters.items():
            if len(scene.chain(cid)) > depth:
                cluster.collapsed = True
    left = len(visible_edges(scene))
    if left > max_edges:
        # Nothing (more) to collapse: say plainly that Mermaid will refuse it, and what to do.
        scene.notes.append(
            f"{count:,} edges are over Mermaid's default limit of {max_edges}; "
            f"with every cluster collapsed this is still over it ({left:,} edges): "
            "Mermaid renders it only with a higher maxEdges setting; draw a part (--from/--to) or use SVG or HTML"
        )
        return
    scene.notes.append(
        f"{count:,} edges are over Mermaid's default limit of {max_edges}: "
        f"repeats and nested clusters are drawn collapsed ({left:,} edges)"
    )


def render_mermaid(scene: Scene, max_edges: int = 500) -> str:
    """``flowchart`` text: one line per box, subgraph and edge; ids ``n0``, ``n1``, … in sorted id order."""
    _fold(scene, max_edges)
    shown = list(boxes(scene))
    frames = open_clusters(scene)
    ids = {box.id: f"n{k}" for k, box in enumerate(sorted(shown, key=lambda b: (b.cluster, b.id)))}
    frame_ids = {c: f"c{k}" for k, c in enumerate(sorted(frames))}
    lines = [f"flowchart {scene.rankdir}"]
    lines += [f"  %% {note}" for note in scene.notes]
    by_parent: dict[str | None, list[str]] = {}
    for box in shown:
        label = "<b>" + _text(box.lines[0]) + "</b><br/>" + "<br/>".join(_text(t) for t in box.lines[1:])
        by_parent.setdefault(box.parent, []).append(f'{ids[box.id]}["{label}"]')
    children: dict[str | None, list[str]] = {}
    for c in frames:
        children.setdefault(scene.clusters[c].parent, []).append(c)

    def emit(parent: str | None, indent: str) -> None:
        for c in children.get(parent, []):
            cluster = scene.clusters[c]
            label = f"{cluster.name}: {cluster.label}" if cluster.kind in ("model", "repeat") else cluster.label
            lines.append(f'{indent}subgraph {frame_ids[c]}["{_text(label)}"]')
            lines.append(f"{indent}  direction {scene.rankdir}")
            emit(c, indent + "  ")
            lines.append(f"{indent}end")
        lines.extend(indent + line for line in by_parent.get(parent, []))

    emit(None, "  ")
    for source, target, edge in visible_edges(scene):
        label = f'|"{_text(edge.label)}"|' if edge.label and source == edge.source else ""
        arrow = "-.->" if edge.status == "error" or edge.diff == "removed" else "-->"
        lines.append(f"  {ids[source]} {arrow}{label} {ids[target]}")
    classes: dict[str, list[str]] = {}
    for box in shown:
        for cls in (_KIND_CLASS.get(box.kind, box.kind), box.status, box.diff):
            if cls in CLASSES:
                classes.setdefault(cls, []).append(ids[box.id])
    for cls in sorted(classes):
        lines.append(f"  classDef {cls} {CLASSES[cls]}")
        lines.append(f"  class {','.join(classes[cls])} {cls}")
    return "\n".join(lines) + "\n"
