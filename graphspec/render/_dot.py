"""Graphviz DOT text of a scene (open clusters as ``subgraph cluster_…``), and SVG through Graphviz's ``dot``."""

from __future__ import annotations

import shutil
import subprocess

from graphspec.render._flat import Box, boxes, open_clusters, visible_edges
from graphspec.render._scene import Scene

__all__ = ["dot_svg", "render_dot"]

FILL = {
    "input": ("#e8f5e9", "#43a047"),
    "in-port": ("#e8f5e9", "#43a047"),
    "output": ("#fff3e0", "#fb8c00"),
    "out-port": ("#fff3e0", "#fb8c00"),
    "op": ("#f3e5f5", "#8e24aa"),
    "model": ("#ede7f6", "#5e35b1"),
    "missing": ("#ffebee", "#e53935"),
    "box": ("#eceff1", "#546e7a"),
}
DIFF_FILL = {
    "added": ("#c8e6c9", "#2e7d32"),
    "removed": ("#ffcdd2", "#c62828"),
    "changed": ("#ffe082", "#ef6c00"),
    "rewired": ("#bbdefb", "#1565c0"),
}


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _node(box: Box, indent: str) -> str:
    fill, colour = DIFF_FILL.get(box.diff or "", FILL.get(box.kind, ("#e3f2fd", "#1e88e5")))
    attrs = [f"label={quote(chr(10).join(box.lines))}", f'fillcolor="{fill}"', f'color="{colour}"']
    if box.status == "error":
        attrs.append('penwidth=3 color="#d50000"')
    elif box.status == "warning" or box.diff == "removed":
        attrs.append('style="rounded,filled,dashed"')
    if box.cluster:
        attrs.append("peripheries=2")
    return f"{indent}{quote(('cluster:' if box.cluster else '') + box.id)} [{', '.join(attrs)}];"


def render_dot(scene: Scene) -> str:
    """DOT text: sorted, one line per box and edge, clusters nested as the scene nests them."""
    lines = [
        f"digraph {quote(scene.name)} {{",
        f'  graph [rankdir={scene.rankdir}, fontname="monospace", fontsize=10, nodesep=0.3, ranksep=0.35];',
        '  node [shape=box, style="rounded,filled", fontname="monospace", fontsize=10, '
        'fillcolor="#e3f2fd", color="#1e88e5"];',
        '  edge [color="#78909c", fontname="monospace", fontsize=9];',
    ]
    lines += [f"  // {note}" for note in scene.notes]
    by_parent: dict[str | None, list[Box]] = {}
    for box in boxes(scene):
        by_parent.setdefault(box.parent, []).append(box)
    frames = open_clusters(scene)
    children: dict[str | None, list[str]] = {}
    for c in frames:
        children.setdefault(scene.clusters[c].parent, []).append(c)

    def emit(parent: str | None, indent: str) -> None:
        for c in children.get(parent, []):
            cluster = scene.clusters[c]
            lines.append(f"{indent}subgraph {quote('cluster_' + c)} {{")
            label = f"{cluster.name}: {cluster.label}" if cluster.kind in ("model", "repeat") else cluster.label
            lines.append(f'{indent}  label={quote(label)}; style="rounded"; color="#90a4ae";')
            emit(c, indent + "  ")
            lines.append(f"{indent}}}")
        lines.extend(_node(box, indent) for box in by_parent.get(parent, []))

    emit(None, "  ")
    for source, target, edge in visible_edges(scene):
        attrs = []
        if edge.label and source == edge.source:
            attrs.append(f"label={quote(edge.label)}")
        if edge.status == "error":
            attrs.append('color="#d50000", penwidth=2.5, style=dashed')
        if edge.diff == "removed":
            attrs.append('color="#c62828", style=dashed')
        src = ("cluster:" + source) if source in scene.clusters else source
        dst = ("cluster:" + target) if target in scene.clusters else target
        lines.append(f"  {quote(src)} -> {quote(dst)}" + (f" [{', '.join(attrs)}]" if attrs else "") + ";")
    lines.append("}")
    return "\n".join(lines) + "\n"


def dot_program() -> str | None:
    """The path of Graphviz's ``dot``, if installed."""
    return shutil.which("dot")


def dot_svg(scene: Scene, timeout: float = 120.0) -> str:
    """SVG laid out by Graphviz's ``dot``.

    Raises:
        OSError: when ``dot`` is not installed, fails, or runs longer than ``timeout`` seconds.
    """
    program = dot_program()
    if program is None:
        raise OSError(
            "--engine dot needs Graphviz's `dot` program on PATH (apt install graphviz); "
            "the built-in layout needs nothing"
        )
    try:
        done = subprocess.run(
            [program, "-Tsvg"], input=render_dot(scene), capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        raise OSError(f"dot ran longer than {timeout:.0f} s") from None
    if done.returncode != 0:
        raise OSError(f"dot failed: {done.stderr.strip()[:500]}")
    return done.stdout
