"""SVG of a laid-out scene: boxes, cluster frames, ports and edges, with tooltips and ids for scripts."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from xml.sax.saxutils import escape, quoteattr

from graphspec.render._layout import Geometry, Plan, place, plan
from graphspec.render._scene import Cluster, Scene, descendants_of
from graphspec.render._text import (
    CHAR,
    LINE,
    PAD_X,
    PAD_Y,
    box_size,
    cluster_lines,
    cluster_title,
    edge_title,
    node_lines,
    node_title,
)

__all__ = ["Picture", "layout_scene", "render_svg"]

STYLE = """
.gs text{font-family:'DejaVu Sans Mono',Menlo,Consolas,monospace;font-size:11px;fill:#263238}
.gs .name{font-size:12px;font-weight:bold}
.gs .kind{fill:#37474f}
.gs .line{fill:#546e7a}
.gs .node rect{fill:#e3f2fd;stroke:#1e88e5;stroke-width:1.2}
.gs .node.input rect,.gs .node.in-port rect{fill:#e8f5e9;stroke:#43a047}
.gs .node.output rect,.gs .node.out-port rect{fill:#fff3e0;stroke:#fb8c00}
.gs .node.op rect{fill:#f3e5f5;stroke:#8e24aa}
.gs .node.model rect{fill:#ede7f6;stroke:#5e35b1}
.gs .node.missing rect{fill:#ffebee;stroke:#e53935;stroke-dasharray:4 3}
.gs .node.box rect{fill:#eceff1;stroke:#546e7a;stroke-width:1.6}
.gs .node.warning rect{stroke-dasharray:5 3;opacity:.75}
.gs .node.error rect{stroke:#d50000;stroke-width:3}
.gs .frame>rect{fill:#fafafa;stroke:#90a4ae;stroke-width:1}
.gs .frame.depth1>rect{fill:#f5f7f8}
.gs .frame.model>rect{fill:#f6f3fb;stroke:#7e57c2}
.gs .frame.error>rect{stroke:#d50000;stroke-width:3}
.gs .frame>text{font-size:11px;fill:#455a64}
.gs .edge path{fill:none;stroke:#78909c;stroke-width:1.3}
.gs .edge.error path{stroke:#d50000;stroke-width:2.5;stroke-dasharray:6 3}
.gs .edge text{font-size:10px;fill:#455a64}
.gs .port{fill:#fff;stroke:#78909c;stroke-width:1.2}
.gs .shared-bar{stroke:none}
.gs .diff-added rect{fill:#c8e6c9 !important;stroke:#2e7d32 !important}
.gs .diff-removed rect{fill:#ffcdd2 !important;stroke:#c62828 !important;stroke-dasharray:5 3}
.gs .diff-changed rect{fill:#ffe082 !important;stroke:#ef6c00 !important}
.gs .diff-rewired rect{fill:#bbdefb !important;stroke:#1565c0 !important}
.gs .edge.diff-removed path{stroke:#c62828;stroke-dasharray:5 3}
.gs .edge.diff-added path{stroke:#2e7d32}
"""

# Colours of shared-layer groups (a bar on every call of one layer).
PALETTE = ("#d81b60", "#00897b", "#f4511e", "#3949ab", "#7cb342", "#8e24aa", "#00acc1", "#c0ca33")


class Picture:
    """A scene with its plan, the sizes of its boxes and its geometry for the current collapse state."""

    def __init__(self, scene: Scene):
        self.scene = scene
        self.plan: Plan = plan(scene)
        members: dict[str, int] = {}
        for cid in scene.clusters:
            members[cid] = sum(1 for _ in descendants_of(scene, cid))
        self.members = members
        self.lines = {nid: node_lines(scene, n) for nid, n in scene.nodes.items()}
        self.lines.update({cid: cluster_lines(scene, c, members[cid]) for cid, c in scene.clusters.items()})
        self.sizes = {k: box_size(v) for k, v in self.lines.items()}
        self.collapsed = {cid for cid, c in scene.clusters.items() if c.collapsed}
        self.labels = {cid: frame_label(c) for cid, c in scene.clusters.items()}
        self.label_widths = {cid: len(text) * CHAR["line"] + 16 for cid, text in self.labels.items()}
        self.geometry: Geometry = place(self.plan, self.sizes, self.collapsed, scene.rankdir, self.label_widths)

    def visible_clusters(self) -> Iterator[str]:
        for cid in self.scene.clusters:
            if cid in self.geometry.frames or cid in self.geometry.boxes:
                yield cid


def layout_scene(scene: Scene) -> Picture:
    return Picture(scene)


def _fmt(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def path_data(points: list[tuple[float, float]], lr: bool) -> str:
    """Curves between layers (vertical tangents, horizontal for LR), straight through each dummy's band."""
    out = [f"M{_fmt(points[0][0])},{_fmt(points[0][1])}"]
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        if (abs(x0 - x1) < 6 and not lr) or (abs(y0 - y1) < 6 and lr):
            out.append(f"L{_fmt(x1)},{_fmt(y1)}")
        elif lr:
            m = (x0 + x1) / 2
            out.append(f"C{_fmt(m)},{_fmt(y0)} {_fmt(m)},{_fmt(y1)} {_fmt(x1)},{_fmt(y1)}")
        else:
            m = (y0 + y1) / 2
            out.append(f"C{_fmt(x0)},{_fmt(m)} {_fmt(x1)},{_fmt(m)} {_fmt(x1)},{_fmt(y1)}")
    return "".join(out)


def _text_block(lines: list[tuple[str, str]]) -> Iterator[str]:
    for k, (text, style) in enumerate(lines):
        y = PAD_Y + LINE * (k + 1) - 3.5
        yield f'<text x="{_fmt(PAD_X)}" y="{_fmt(y)}" class="{style}">{escape(text)}</text>'


def _classes(*parts: str | None) -> str:
    return " ".join(p for p in parts if p)


def render_svg(pic: Picture, *, standalone: bool = True) -> str:
    """The picture as SVG text (``standalone`` adds the XML declaration)."""
    scene, geo = pic.scene, pic.geometry
    margin = 16.0
    width, height = geo.width + 2 * margin, geo.height + 2 * margin
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>' if standalone else "",
        f'<svg xmlns="http://www.w3.org/2000/svg" class="gs" viewBox="0 0 {_fmt(width)} '
        f'{_fmt(height)}" width="{_fmt(width)}" height="{_fmt(height)}" data-rankdir="{scene.rankdir}">',
        f"<title>{escape(scene.name)}</title>",
        f"<style>{STYLE}</style>",
        '<defs><marker id="gs-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#78909c"/></marker></defs>',
        f'<g id="gs-viewport" transform="translate({_fmt(margin)},{_fmt(margin)})">',
    ]
    out += list(_frames(pic))
    out += list(_edges(pic))
    out += list(_boxes(pic))
    out += list(_ports(pic))
    out += ["</g>", "</svg>"]
    return "\n".join(line for line in out if line) + "\n"


def frame_label(cluster: Cluster) -> str:
    """What an open cluster's frame says: its scope and what it is (``conv2/block1: projection``), and its size."""
    head = f"{cluster.name}: {cluster.label}" if cluster.kind in ("model", "repeat") else cluster.label
    return head + (f" · {cluster.params:,} params" if cluster.params else "")


def _depth(scene: Scene, cid: str) -> int:
    return len(scene.chain(cid))


def _frames(pic: Picture) -> Iterator[str]:
    scene, geo = pic.scene, pic.geometry
    for cid in sorted(scene.clusters, key=lambda c: (_depth(scene, c), c)):
        cluster = scene.clusters[cid]
        frame = geo.frames.get(cid)
        hidden = frame is None
        x, y, w, h = frame if frame is not None else (0.0, 0.0, 0.0, 0.0)
        cls = _classes(
            "frame",
            cluster.kind,
            f"depth{_depth(scene, cid) % 2}",
            cluster.status,
            f"diff-{cluster.diff}" if cluster.diff else None,
        )
        style = ' style="display:none"' if hidden else ""
        yield (
            f'<g class="{cls}" id={quoteattr("c:" + cid)} data-cluster={quoteattr(cid)} '
            f'transform="translate({_fmt(x)},{_fmt(y)})"{style}>'
            f"<title>{escape(cluster_title(cluster))}</title>"
            f'<rect width="{_fmt(w)}" height="{_fmt(h)}" rx="6"/>'
            f'<text x="8" y="15" class="label">{escape(pic.labels[cid])}</text></g>'
        )


def _edges(pic: Picture) -> Iterator[str]:
    scene, geo = pic.scene, pic.geometry
    lr = scene.rankdir == "LR"
    for k, (edge, points) in enumerate(zip(scene.edges, geo.paths, strict=True)):
        cls = _classes("edge", edge.status, f"diff-{edge.diff}" if edge.diff else None)
        style = ' style="display:none"' if points is None or len(points) < 2 else ""
        d = path_data(points, lr) if points and len(points) > 1 else ""
        label = ""
        if edge.label and points and len(points) > 1:
            (x0, y0), (x1, y1) = points[-2], points[-1]
            label = f'<text x="{_fmt((x0 + x1) / 2 + 4)}" y="{_fmt((y0 + y1) / 2)}">{escape(edge.label)}</text>'
        title = escape(edge_title(scene, edge.source, edge.target, edge.label, edge.diagnostics))
        yield (
            f'<g class="{cls}" id="e:{k}" data-source={quoteattr(edge.source)} '
            f"data-target={quoteattr(edge.target)}{style}><title>{title}</title><path "
            f'd="{d}" marker-end="url(#gs-arrow)"/>{label}</g>'
        )


def _boxes(pic: Picture) -> Iterator[str]:
    scene, geo = pic.scene, pic.geometry
    groups = {owner: PALETTE[k % len(PALETTE)] for k, owner in enumerate(sorted(scene.shared))}
    for nid in sorted(scene.nodes):
        node = scene.nodes[nid]
        box = geo.boxes.get(nid)
        yield _box(
            "n:" + nid,
            nid,
            _classes("node", node.kind, node.status, f"diff-{node.diff}" if node.diff else None),
            box,
            pic.sizes[nid],
            pic.lines[nid],
            node_title(scene, node),
            groups.get(node.shared or ""),
        )
    for cid in sorted(scene.clusters):
        cluster = scene.clusters[cid]
        yield _box(
            "b:" + cid,
            cid,
            _classes("node", "box", cluster.kind, cluster.status, f"diff-{cluster.diff}" if cluster.diff else None),
            geo.boxes.get(cid),
            pic.sizes[cid],
            pic.lines[cid],
            cluster_title(cluster),
            None,
            cluster=True,
        )


def _box(
    element: str,
    ident: str,
    cls: str,
    box: tuple[float, float, float, float] | None,
    size: tuple[float, float],
    lines: list[tuple[str, str]],
    title: str,
    bar: str | None,
    cluster: bool = False,
) -> str:
    x, y = (box[0], box[1]) if box is not None else (0.0, 0.0)
    w, h = size
    style = ' style="display:none"' if box is None else ""
    data = f"data-cluster={quoteattr(ident)}" if cluster else f"data-node={quoteattr(ident)}"
    parts = [
        f'<g class="{cls}" id={quoteattr(element)} {data} transform="translate({_fmt(x)},{_fmt(y)})"{style}>',
        f"<title>{escape(title)}</title>",
        f'<rect width="{_fmt(w)}" height="{_fmt(h)}" rx="{3 if not cluster else 8}"/>',
    ]
    if cluster:
        parts.append(
            f'<rect class="stack" x="3" y="3" width="{_fmt(w - 6)}" height="{_fmt(h - 6)}" rx="6" fill="none"/>'
        )
    if bar is not None:
        parts.append(f'<rect class="shared-bar" width="5" height="{_fmt(h)}" fill="{bar}"/>')
    parts += list(_text_block(lines))
    parts.append("</g>")
    return "".join(parts)


def _ports(pic: Picture) -> Iterator[str]:
    geo = pic.geometry
    for level in pic.plan.levels.values():
        for item, kind in sorted(level.kind.items()):
            if kind not in ("port-in", "port-out"):
                continue
            pos = geo.ports.get(item)
            if pos is None:
                continue
            yield f'<circle class="port" id={quoteattr(item)} cx="{_fmt(pos[0])}" cy="{_fmt(pos[1])}" r="3.5"/>'
