"""Layered (Sugiyama) layout of a scene, cluster by cluster, with python-igraph.

Each container (the whole drawing, and every cluster) is laid out on its own:
its items are its direct nodes, its direct child clusters (one box each) and its
ports (where edges cross its border, one per tensor). An edge between two nodes
becomes pieces, one per container it passes through, joined at ports; so
clusters never overlap other boxes, and a cluster can be collapsed or expanded
without laying anything else out again.

igraph (:meth:`igraph.Graph.layout_sugiyama`) does the hard part in compiled
code: crossing reduction by layer sweeps, horizontal placement and dummy
vertices for edges that span layers. This module gives it the layers (ports
pinned to the border, sources placed just above their first reader) and turns
its positions into pixels for boxes of different sizes (:func:`place`): each
layer keeps igraph's order and moves boxes as little as possible from igraph's
positions so that none overlap (an isotonic regression, solved by pooling
adjacent violators). The HTML page runs the same placement in JavaScript when a
cluster is collapsed or expanded (``page.js``), from the :class:`Plan` data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphspec.render._scene import Scene

__all__ = ["Geometry", "Plan", "place", "plan"]

# Pixel constants shared with page.js (LAYOUT in the page's data).
SPACING = {"hgap": 28.0, "vgap": 40.0, "pad": 14.0, "header": 22.0, "port": 8.0, "dummy": 8.0, "unit": 90.0}


@dataclass
class Level:
    """One container's layout: layers of item ids (top to bottom) and igraph's position of each."""

    layers: list[list[str]] = field(default_factory=list)
    target: dict[str, float] = field(default_factory=dict)
    kind: dict[str, str] = field(default_factory=dict)  # item → node | cluster | port-in | port-out | dummy

    def to_data(self) -> dict[str, Any]:
        return {"layers": self.layers, "target": self.target, "kind": self.kind}


@dataclass
class Piece:
    """A stretch of an edge inside one container: from one item to another through dummies.

    ``start``/``end`` name the exact point when the item is a cluster: the port
    (an item of that cluster's own level) the edge leaves or enters by.
    """

    level: str
    source: str
    target: str
    start: str | None
    end: str | None
    dummies: list[str] = field(default_factory=list)

    def to_data(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "source": self.source,
            "target": self.target,
            "start": self.start,
            "end": self.end,
            "dummies": self.dummies,
        }


@dataclass
class Plan:
    """Layers and orders of every container, and each edge's pieces: what :func:`place` turns into pixels."""

    levels: dict[str, Level]
    pieces: list[Piece]
    routes: list[list[int]]  # per scene edge (in scene.edges order): piece indices, source to target
    slots: list[tuple[int, int]]  # per scene edge: its slot at the target and how many edges enter the target

    def to_data(self) -> dict[str, Any]:
        return {
            "levels": {k: v.to_data() for k, v in self.levels.items()},
            "pieces": [p.to_data() for p in self.pieces],
            "routes": self.routes,
            "slots": self.slots,
        }


TOP = ""


def plan(scene: Scene) -> Plan:
    """Decompose every edge into pieces and lay out every container's layers (clusters collapsed or not)."""
    builder = _Planner(scene)
    routes = [builder.route(i, e.source, e.target, e.label) for i, e in enumerate(scene.edges)]
    levels = {c: builder.layout(c) for c in builder.items}
    fan: dict[str, int] = {}
    for e in scene.edges:
        fan[e.target] = fan.get(e.target, 0) + 1
    order: dict[str, list[int]] = {}
    for i, e in enumerate(scene.edges):
        order.setdefault(e.target, []).append(i)
    slots = [(0, 1)] * len(scene.edges)
    for ids in order.values():
        for rank, i in enumerate(sorted(ids, key=lambda i: (scene.edges[i].slot, scene.edges[i].source))):
            slots[i] = (rank, len(ids))
    return Plan(levels, builder.pieces, routes, slots)


class _Planner:
    def __init__(self, scene: Scene):
        self.scene = scene
        # Items in spec order (a cluster where its first node is), which igraph keeps where crossings allow.
        self.items: dict[str, dict[str, str]] = {TOP: {}}  # container → item → kind
        for cid in scene.clusters:
            self.items.setdefault(cid, {})
        for nid, node in scene.nodes.items():
            inner = nid
            for cid in scene.chain(node.cluster):
                self.items[cid].setdefault(inner, "cluster" if inner in scene.clusters else _kind(node))
                inner = cid
            self.items[TOP].setdefault(inner, "cluster" if inner in scene.clusters else _kind(node))
        for cid, cluster in scene.clusters.items():  # clusters with no nodes (a sub-model that failed its checks)
            self.items[cluster.parent or TOP].setdefault(cid, "cluster")
        self.pieces: list[Piece] = []
        self.piece_ids: dict[tuple[str, str, str, str | None, str | None], int] = {}

    def containers(self, node_id: str) -> list[str]:
        """The containers around a node, outermost (the top) first."""
        node = self.scene.nodes[node_id]
        return [TOP, *reversed(self.scene.chain(node.cluster))]

    def port(self, cluster: str, way: str, key: str) -> str:
        pid = f"p:{cluster}:{way}:{key}"
        self.items[cluster].setdefault(pid, f"port-{way}")
        return pid

    def piece(self, level: str, source: str, target: str, start: str | None, end: str | None) -> int:
        key = (level, source, target, start, end)
        found = self.piece_ids.get(key)
        if found is None:
            found = self.piece_ids[key] = len(self.pieces)
            self.pieces.append(Piece(level, source, target, start, end))
        return found

    def route(self, index: int, source: str, target: str, label: str | None) -> list[int]:
        up, down = self.containers(source), self.containers(target)
        common = 0
        while common < min(len(up), len(down)) and up[common] == down[common]:
            common += 1
        lca = up[common - 1]
        key = source + (label or "")
        out: list[int] = []
        below = source
        start: str | None = None
        for c in reversed(up[common:]):  # climb out of the source's clusters
            port = self.port(c, "out", key)
            out.append(self.piece(c, below, port, start, None))
            below, start = c, port
        downs = down[common:]  # the target's clusters below the common one, outermost first
        end = self.port(downs[0], "in", key) if downs else None
        out.append(self.piece(lca, below, downs[0] if downs else target, start, end))
        for k, c in enumerate(downs):
            deeper = k + 1 < len(downs)
            inner = downs[k + 1] if deeper else target
            out.append(
                self.piece(c, self.port(c, "in", key), inner, None, self.port(inner, "in", key) if deeper else None)
            )
        return out

    def layout(self, container: str) -> Level:
        items = self.items[container]
        ids = list(items)
        index = {item: k for k, item in enumerate(ids)}
        edges = [(index[p.source], index[p.target]) for p in self.pieces if p.level == container]
        if not ids:
            return Level()
        layer = _layers(ids, items, edges)
        level = Level(kind=dict(items))
        g = _igraph().Graph(n=len(ids), edges=edges, directed=True)
        drawn = g.layout_sugiyama(layers=[layer[i] for i in range(len(ids))], hgap=1, vgap=1, maxiter=60)
        depth = max(layer.values()) + 1
        rows: list[list[tuple[float, str]]] = [[] for _ in range(depth)]
        coords = drawn.coords  # a property that copies every row: once, not per vertex
        for k, item in enumerate(ids):
            x = float(coords[k][0])
            level.target[item] = x
            rows[layer[k]].append((x, item))
        mine = [(k, p) for k, p in enumerate(self.pieces) if p.level == container]
        for (number, piece), points in zip(mine, drawn.edge_routing, strict=True):
            for n, (x, y) in enumerate(points):
                did = f"d:{number}:{n}"
                piece.dummies.append(did)
                level.target[did] = float(x)
                level.kind[did] = "dummy"
                rows[round(y)].append((float(x), did))
        level.layers = [[item for _, item in sorted(row)] for row in rows]
        return level


def _igraph() -> Any:
    """igraph, imported without its plotting back-ends.

    ``import igraph`` imports matplotlib.pyplot when it is installed (2.5 s of a
    3 s import on this project's machine), for plotting graphspec never does. Its
    back-ends are optional imports, so they are hidden while igraph loads (unless
    already loaded): igraph's own plotting is then unavailable in this process.
    """
    import sys

    if "igraph" in sys.modules:
        return sys.modules["igraph"]
    hidden = [m for m in ("matplotlib", "cairo", "cairocffi", "plotly") if m not in sys.modules]
    for m in hidden:
        sys.modules[m] = None  # type: ignore[assignment]
    try:
        import igraph
    finally:
        for m in hidden:
            if sys.modules.get(m, 0) is None:
                del sys.modules[m]
    return igraph


def _kind(node: Any) -> str:
    return str(node.kind) if node.kind in ("in-port", "out-port") else "node"


def _layers(ids: list[str], kinds: dict[str, str], edges: list[tuple[int, int]]) -> dict[int, int]:
    """Longest-path layers, cycles broken; in-ports first, out-ports last, sources just above their first reader."""
    n = len(ids)
    succ: list[list[int]] = [[] for _ in range(n)]
    pred: list[list[int]] = [[] for _ in range(n)]
    for u, v in _acyclic(n, edges):
        succ[u].append(v)
        pred[v].append(u)
    ins = {k for k, item in enumerate(ids) if kinds[item] == "port-in"}
    outs = {k for k, item in enumerate(ids) if kinds[item] == "port-out"}
    last_nodes = {k for k, item in enumerate(ids) if kinds[item] == "out-port"}  # a sub-model's outputs, in one row
    order = _topological(n, succ, pred)
    layer = dict.fromkeys(range(n), 0)
    first = 1 if ins else 0
    for v in order:
        if v in ins:
            continue
        layer[v] = max([layer[u] + 1 for u in pred[v]] + [first])
    for v in reversed(order):  # a source with readers sits just above the first of them
        if not pred[v] and succ[v] and v not in ins:
            layer[v] = max(layer[v], min(layer[w] for w in succ[v]) - 1)
    body = [layer[v] for v in range(n) if v not in ins and v not in outs]
    bottom = max(body, default=first - 1)
    for v in last_nodes:
        layer[v] = bottom
    for v in outs:
        layer[v] = bottom + 1
    return layer


def _acyclic(n: int, edges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The edges with those closing a cycle (found by depth-first search) turned round."""
    adj: list[list[int]] = [[] for _ in range(n)]
    for u, v in edges:
        adj[u].append(v)
    state = [0] * n  # 0 new, 1 on the stack, 2 done
    back: set[tuple[int, int]] = set()
    for root in range(n):
        if state[root]:
            continue
        stack = [(root, iter(adj[root]))]
        state[root] = 1
        while stack:
            v, it = stack[-1]
            w = next(it, None)
            if w is None:
                state[v] = 2
                stack.pop()
            elif state[w] == 1:
                back.add((v, w))
            elif state[w] == 0:
                state[w] = 1
                stack.append((w, iter(adj[w])))
    return [(v, u) if (u, v) in back else (u, v) for u, v in edges if u != v]


def _topological(n: int, succ: list[list[int]], pred: list[list[int]]) -> list[int]:
    indeg = [len(p) for p in pred]
    ready = [v for v in range(n) if indeg[v] == 0]
    out = []
    while ready:
        v = ready.pop()
        out.append(v)
        for w in succ[v]:
            indeg[w] -= 1
            if indeg[w] == 0:
                ready.append(w)
    return out


# ---------------------------------------------------------------------------
# pixels: the same computation as page.js's `place`


@dataclass
class Geometry:
    """Positions in pixels: boxes (x, y, w, h; top-left) of visible nodes, clusters and ports; edge paths."""

    boxes: dict[str, tuple[float, float, float, float]]
    frames: dict[str, tuple[float, float, float, float]]  # expanded clusters
    ports: dict[str, tuple[float, float]]
    spans: dict[str, tuple[float, float]]  # dummy → the band it crosses (top, bottom)
    paths: list[list[tuple[float, float]] | None]
    width: float
    height: float


def place(
    p: Plan,
    sizes: dict[str, tuple[float, float]],
    collapsed: set[str],
    rankdir: str = "TB",
    labels: dict[str, float] | None = None,
) -> Geometry:
    """Pixels for a plan, given each node's and each collapsed cluster's box size.

    ``sizes`` are (width, height) as drawn; ``labels`` the width each open
    cluster's label needs. For ``LR`` the layers run left to right, so the layout
    works on (height, width) and swaps back at the end.
    """
    lr = rankdir == "LR"
    dims = {k: ((h, w) if lr else (w, h)) for k, (w, h) in sizes.items()}
    local: dict[str, dict[str, tuple[float, float, float]]] = {}  # container → item → centre (cross, main)
    extent: dict[str, tuple[float, float]] = {}
    # An open cluster's label is written across its top: in TB it takes room along the main axis and needs
    # its width across; in LR it takes room across and needs its width along.
    hh = SPACING["header"]
    heads = {k: ((hh, 0.0, 0.0, w) if lr else (0.0, hh, w, 0.0)) for k, w in (labels or {}).items()}
    _size(p, TOP, dims, collapsed, local, extent, heads)
    geo = Geometry({}, {}, {}, {}, [], 0.0, 0.0)
    _absolute(p, TOP, 0.0, 0.0, dims, collapsed, local, extent, geo)
    w, h = extent[TOP]
    geo.width, geo.height = w, h
    geo.paths = [_path(p, route, slot, geo) for route, slot in zip(p.routes, p.slots, strict=True)]
    if lr:
        geo.boxes = {k: (y, x, bh, bw) for k, (x, y, bw, bh) in geo.boxes.items()}
        geo.frames = {k: (y, x, bh, bw) for k, (x, y, bw, bh) in geo.frames.items()}
        geo.ports = {k: (y, x) for k, (x, y) in geo.ports.items()}
        geo.spans = {}
        geo.paths = [None if path is None else [(y, x) for x, y in path] for path in geo.paths]
        geo.width, geo.height = h, w
    return geo


def _item_size(
    p: Plan,
    container: str,
    item: str,
    dims: dict[str, tuple[float, float]],
    collapsed: set[str],
    extent: dict[str, tuple[float, float]],
) -> tuple[float, float]:
    kind = p.levels[container].kind[item]
    if kind == "dummy":
        return (SPACING["dummy"], 0.0)
    if kind in ("port-in", "port-out"):
        return (SPACING["port"], 0.0)
    if kind == "cluster" and item not in collapsed:
        return extent[item]
    return dims[item]


def _size(
    p: Plan,
    container: str,
    dims: dict[str, tuple[float, float]],
    collapsed: set[str],
    local: dict[str, dict[str, tuple[float, float, float]]],
    extent: dict[str, tuple[float, float]],
    heads: dict[str, tuple[float, float, float, float]],
) -> None:
    """Lay out one container (its open clusters first): centres of its items, and its own size."""
    level = p.levels[container]
    for item, kind in level.kind.items():
        if kind == "cluster" and item not in collapsed:
            _size(p, item, dims, collapsed, local, extent, heads)
    # The label sits across the top in TB and down the left side in LR:
    # it needs room along the cross axis or the main one.
    cross_start, main_start, cross_min, main_min = heads.get(container, (0.0, 0.0, 0.0, 0.0))
    pad, header = SPACING["pad"], main_start
    centres: dict[str, tuple[float, float, float]] = {}
    main = header + pad
    lo, hi = float("inf"), float("-inf")
    for row in level.layers:
        sizes = [_item_size(p, container, item, dims, collapsed, extent) for item in row]
        band = max((s[1] for s in sizes), default=0.0)
        xs = _pack([level.target[i] * SPACING["unit"] for i in row], [s[0] for s in sizes])
        for item, x, (w, _) in zip(row, xs, sizes, strict=True):
            centres[item] = (x, main + band / 2, band)
            lo, hi = min(lo, x - w / 2), max(hi, x + w / 2)
        main += band + SPACING["vgap"]
    if lo > hi:
        lo, hi = 0.0, 0.0
    height = max(main - SPACING["vgap"] + pad, main_min + 2 * pad)
    width = max(hi - lo + 2 * pad + cross_start, cross_min + 2 * pad)
    shift = pad - lo + cross_start + (width - (hi - lo + 2 * pad + cross_start)) / 2
    for item, (x, y, band) in centres.items():
        kind = level.kind[item]
        if kind == "port-in":
            y = 0.0
        elif kind == "port-out":
            y = height
        centres[item] = (x + shift, y, band)
    local[container] = centres
    extent[container] = (width, height)


def _pack(targets: list[float], widths: list[float]) -> list[float]:
    """Centres closest to ``targets`` (least squares) keeping order and a gap between neighbours:
    pool adjacent violators."""
    offsets = [0.0]
    for k in range(1, len(widths)):
        offsets.append(offsets[-1] + (widths[k - 1] + widths[k]) / 2 + SPACING["hgap"])
    wanted = [t - o for t, o in zip(targets, offsets, strict=True)]
    blocks: list[list[float]] = []  # [mean, count]
    for w in wanted:
        blocks.append([w, 1.0])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            m2, c2 = blocks.pop()
            m1, c1 = blocks.pop()
            blocks.append([(m1 * c1 + m2 * c2) / (c1 + c2), c1 + c2])
    out: list[float] = []
    for mean, count in blocks:
        out += [mean] * int(count)
    return [v + o for v, o in zip(out, offsets, strict=True)]


def _absolute(
    p: Plan,
    container: str,
    ox: float,
    oy: float,
    dims: dict[str, tuple[float, float]],
    collapsed: set[str],
    local: dict[str, dict[str, tuple[float, float, float]]],
    extent: dict[str, tuple[float, float]],
    geo: Geometry,
) -> None:
    level = p.levels[container]
    for item, (cx, cy, band) in local[container].items():
        kind = level.kind[item]
        x, y = ox + cx, oy + cy
        if kind in ("dummy", "port-in", "port-out"):
            geo.ports[item] = (x, y)
            if kind == "dummy":
                geo.spans[item] = (y - band / 2, y + band / 2)
            continue
        w, h = _item_size(p, container, item, dims, collapsed, extent)
        if kind == "cluster" and item not in collapsed:
            geo.frames[item] = (x - w / 2, y - h / 2, w, h)
            _absolute(p, item, x - w / 2, y - h / 2, dims, collapsed, local, extent, geo)
        else:
            geo.boxes[item] = (x - w / 2, y - h / 2, w, h)


def _path(p: Plan, route: list[int], slot: tuple[int, int], geo: Geometry) -> list[tuple[float, float]] | None:
    """The polyline of one edge: anchor, then down through each dummy's band, to the next anchor."""
    out: list[tuple[float, float]] = []
    for k, index in enumerate(route):
        piece = p.pieces[index]
        if piece.level != TOP and (piece.level not in geo.frames):
            continue  # inside a collapsed cluster
        start = _anchor(piece.source, piece.start, geo, bottom=True)
        end = _anchor(piece.target, piece.end, geo, bottom=False, slot=slot if k == len(route) - 1 else None)
        if start is None or end is None:
            return None
        if out and out[-1] == start:
            out.pop()
        out.append(start)
        for d in piece.dummies:
            x, _ = geo.ports[d]
            top, bottom = geo.spans[d]
            out += [(x, top), (x, bottom)]
        out.append(end)
    return out or None


def _anchor(
    item: str, port: str | None, geo: Geometry, bottom: bool, slot: tuple[int, int] | None = None
) -> tuple[float, float] | None:
    if port is not None and port in geo.ports and item in geo.frames:
        return geo.ports[port]
    if item in geo.ports:
        return geo.ports[item]
    box = geo.boxes.get(item)
    if box is None:
        return None
    x, y, w, h = box
    dx = 0.0
    if slot is not None and slot[1] > 1:
        step = min(14.0, w / (slot[1] + 1))
        dx = (slot[0] - (slot[1] - 1) / 2) * step
    return (x + w / 2 + dx, y + h if bottom else y)
