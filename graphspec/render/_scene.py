"""The canonical drawing of a spec: nodes, edges and clusters with their attributes.

Every format is drawn from a :class:`Scene`; its JSON form (:meth:`Scene.to_data`)
is what tests compare. Ids are stable and come from spec names: an input or node
is its name (``stage2/block1/conv1``), an output ``output:NAME``, a node inside a
``model:`` node ``MODEL.NAME`` (``.`` never occurs in a spec name), a cluster its
scope or model name. Lists are sorted by id.

Clusters come from the names themselves: every ``/`` scope that holds nodes is a
cluster, so a spec written with blocks and the flat spec imported from its Keras
model draw alike. Expansion adds what names cannot say (the block of each
instance, the size of a repeat); a scope made only of ``block1`` … ``blockN``
copies is a repeat either way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphspec.diff import SIZE_KEYS
from graphspec.errors import Diagnostic
from graphspec.expand import BlockScope, ExpandedDocument
from graphspec.graph import Graph
from graphspec.shapes import Inference, NodeInfo, TensorInfo
from graphspec.source import Document
from graphspec.spec import ModelSpec, SpecBody, parse_ref
from graphspec.spec.sizes import uniform_int

__all__ = ["Cluster", "Edge", "Node", "Scene", "format_count", "format_shape"]

_COPY = re.compile(r"block([1-9][0-9]*)")

# What a node's box may show beyond its name and class (``--show``).
SHOW_FIELDS = ("shapes", "params", "flops", "activation", "dtype")
DEFAULT_SHOW = ("shapes", "params")


@dataclass
class Node:
    """One box: an input, a layer/op/model call, an output, or a port of a sub-model.

    ``kind`` is ``input``, ``layer``, ``op``, ``model`` (a call of a shared
    sub-model), ``output``, ``in-port``/``out-port`` (a sub-model's inputs and
    outputs) or ``missing`` (a reference to nothing, in an invalid spec).
    """

    id: str
    kind: str
    name: str
    label: str
    cluster: str | None = None
    shapes: list[str] = field(default_factory=list)
    dtype: str | None = None
    params: int | None = None
    flops: int | None = None
    activation: str | None = None
    args: dict[str, Any] = field(default_factory=dict)
    source: str | None = None
    shared: str | None = None
    training: dict[str, Any] = field(default_factory=dict)
    status: str | None = None
    diagnostics: list[str] = field(default_factory=list)
    diff: str | None = None

    def to_data(self) -> dict[str, Any]:
        return _compact(self.__dict__)


@dataclass
class Edge:
    """A tensor from ``source`` to ``target``: ``slot`` is its place in the target's inputs,
    ``label`` says which tensor (``:1``) or which call argument (``initial_state``)."""

    source: str
    target: str
    slot: int = 0
    label: str | None = None
    status: str | None = None
    diagnostics: list[str] = field(default_factory=list)
    diff: str | None = None

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.source, self.target, self.slot)

    def to_data(self) -> dict[str, Any]:
        return _compact(self.__dict__)


@dataclass
class Cluster:
    """A block instance, a repeat, a copy of a repeat, or a sub-model (``kind``).

    A collapsed cluster is drawn as one box standing for everything in it.
    """

    id: str
    kind: str
    name: str
    label: str
    parent: str | None = None
    collapsed: bool = False
    block: str | None = None
    repeat: int | None = None
    params: int | None = None
    flops: int | None = None
    shapes: list[str] = field(default_factory=list)
    source: str | None = None
    status: str | None = None
    diagnostics: list[str] = field(default_factory=list)
    diff: str | None = None

    def to_data(self) -> dict[str, Any]:
        return _compact(self.__dict__)


@dataclass
class Scene:
    """Everything a drawing shows, before layout."""

    name: str
    nodes: dict[str, Node]
    edges: list[Edge]
    clusters: dict[str, Cluster]
    show: tuple[str, ...] = DEFAULT_SHOW
    rankdir: str = "TB"
    notes: list[str] = field(default_factory=list)
    shared: dict[str, list[str]] = field(default_factory=dict)
    problems: list[Diagnostic] = field(
        default_factory=list
    )  # the spec's errors and warnings (not in the JSON: marks are)

    def to_data(self) -> dict[str, Any]:
        """The JSON form: sorted, stable, the same for the same spec."""
        return {
            "name": self.name,
            "rankdir": self.rankdir,
            "show": list(self.show),
            "notes": list(self.notes),
            "nodes": [self.nodes[k].to_data() for k in sorted(self.nodes)],
            "edges": [e.to_data() for e in sorted(self.edges, key=lambda e: e.key)],
            "clusters": [self.clusters[k].to_data() for k in sorted(self.clusters)],
            "shared": {k: sorted(v) for k, v in sorted(self.shared.items())},
        }

    def children(self) -> dict[str | None, list[str]]:
        """Cluster id (``None`` for the top) → the ids of the nodes and clusters directly in it."""
        out: dict[str | None, list[str]] = {None: []}
        for c in self.clusters.values():
            out.setdefault(c.parent, []).append(c.id)
            out.setdefault(c.id, [])
        for n in self.nodes.values():
            out.setdefault(n.cluster, []).append(n.id)
        return out

    def chain(self, cluster: str | None) -> list[str]:
        """The cluster and its ancestors, innermost first."""
        out = []
        while cluster is not None:
            out.append(cluster)
            cluster = self.clusters[cluster].parent
        return out

    def visible(self, node_id: str) -> str:
        """What stands for a node when clusters are collapsed: itself, or its outermost collapsed cluster."""
        node = self.nodes.get(node_id)
        chain = self.chain(node.cluster if node is not None else None)
        collapsed = [c for c in chain if self.clusters[c].collapsed]
        return collapsed[-1] if collapsed else node_id


def _compact(values: Mapping[str, Any]) -> dict[str, Any]:
    """A dataclass's fields without the empty ones, so the JSON says only what is there."""
    return {k: v for k, v in values.items() if v is not None and v != [] and v != {} and v is not False}


def format_shape(t: TensorInfo) -> str:
    """``(None, 32)``; ``?`` where even the rank is unknown."""
    if t.shape is None:
        return "?"
    return "(" + ", ".join("None" if d is None else str(d) for d in t.shape) + ("," if len(t.shape) == 1 else "") + ")"


def format_count(n: int | None) -> str:
    """``12,416``, or ``?``."""
    return "?" if n is None else f"{n:,}"


def format_flops(n: int | None) -> str:
    """Multiply-adds in engineering units: ``4.1G``."""
    if n is None:
        return "?"
    for unit, size in (("T", 10**12), ("G", 10**9), ("M", 10**6), ("k", 10**3)):
        if n >= size:
            return f"{n / size:.3g}{unit}"
    return str(n)


# ---------------------------------------------------------------------------
# building a scene from a (possibly repaired) spec, its graph and inference


@dataclass
class Facts:
    """What a drawing is made from: a spec's body, its graph, its inference (if any) and its diagnostics."""

    spec: SpecBody
    graph: Graph
    inference: Inference | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    document: Document | None = None


def build_scene(facts: Facts, name: str) -> Scene:
    """The scene of a spec: every node (dead ones too), every reference as an edge, every scope as a cluster."""
    scene = Scene(name, {}, [], {})
    _Builder(scene, facts.document).body(facts.spec, facts.graph, facts.inference, "", None)
    _mark_shared(scene)
    return scene


class _Builder:
    def __init__(self, scene: Scene, document: Document | None):
        self.scene = scene
        self.document = document
        self.scopes: dict[str, BlockScope] = document.scopes if isinstance(document, ExpandedDocument) else {}

    def where(self, path: tuple[str | int, ...]) -> str | None:
        doc = self.document
        if doc is None:
            return None
        if isinstance(doc, ExpandedDocument):
            origin = doc.origin(path)
            doc, path = origin.doc, origin.path
        mark = doc.position(path, at_key=True)
        if mark is None:
            return None
        return f"{doc.file or '<spec>'}:{mark.line}"

    def body(
        self,
        spec: SpecBody,
        graph: Graph,
        inf: Inference | None,
        prefix: str,
        parent: str | None,
        spec_path: tuple[str | int, ...] = (),
    ) -> None:
        """Add one graph's inputs, nodes, outputs and scopes (``prefix`` names a sub-model's)."""
        top = parent is None
        models = {n for n, node in spec.nodes.items() if node.model is not None}
        for name, inp in spec.inputs.items():
            tensor = inf.inputs.get(name) if inf is not None else None
            shape = (
                format_shape(tensor)
                if tensor is not None
                else format_shape(TensorInfo((inp.batch_size, *inp.shape), inp.dtype))
            )
            self.add(
                Node(
                    prefix + name,
                    "input" if top else "in-port",
                    name,
                    "Input",
                    parent,
                    [shape],
                    inp.dtype,
                    source=self.where((*spec_path, "inputs", name)),
                )
            )
        clusters = self.clusters(spec, graph, prefix, parent, models)
        for name in graph.dag.nodes:
            if name in spec.inputs or name not in spec.nodes:
                continue
            cluster = clusters.get(name.rsplit("/", 1)[0]) if "/" in name else parent
            if name in models:
                self.submodel(spec, graph, inf, name, prefix, cluster, spec_path)
            else:
                self.node(spec, graph, inf, name, prefix, cluster, spec_path)
        for name, out in spec.outputs.items():
            src, index = parse_ref(spec.output_source(name))
            tensor = inf.outputs.get(name) if inf is not None else None
            training = (
                {
                    k: v
                    for k, v in (("loss", out.loss), ("loss_weight", out.loss_weight), ("metrics", out.metrics))
                    if v not in (None, [])
                }
                if top
                else {}
            )
            path = (*spec_path, "outputs", name)
            self.add(
                Node(
                    f"{prefix}output:{name}",
                    "output" if top else "out-port",
                    name,
                    "Output",
                    parent,
                    [format_shape(tensor)] if tensor else [],
                    training=training,
                    source=self.where(path),
                )
            )
            self.edge(spec, prefix, src, index, f"{prefix}output:{name}", 0)
        for target, node in spec.nodes.items():
            for slot, ref in enumerate(node.inputs):
                src, index = parse_ref(ref)
                self.edge(spec, prefix, src, index, self.entry(spec, prefix, target, slot), slot)
        self.argument_edges(spec, graph, prefix)

    def add(self, node: Node) -> None:
        self.scene.nodes[node.id] = node

    def entry(self, spec: SpecBody, prefix: str, target: str, slot: int) -> str:
        """Where an edge into ``target`` ends: the node, or the matching input port of a sub-model."""
        model = spec.nodes[target].model
        if model is None:
            return prefix + target
        names = list(model.inputs)
        return f"{prefix}{target}.{names[slot]}" if slot < len(names) else prefix + target

    def exit(self, spec: SpecBody, prefix: str, src: str, index: int | None) -> tuple[str, str | None]:
        """Where an edge from ``src`` (its tensor ``index``) starts, and its label."""
        node = spec.nodes.get(src)
        if node is not None and node.model is not None:
            outs = list(node.model.outputs)
            pick = index or 0
            if pick < len(outs):
                return f"{prefix}{src}.output:{outs[pick]}", None
        if src not in spec.nodes and src not in spec.inputs:
            missing = prefix + src
            if missing not in self.scene.nodes:
                self.add(Node(missing, "missing", src, "?", None, status="error"))
            return missing, None
        return prefix + src, None if index is None else f":{index}"

    def edge(self, spec: SpecBody, prefix: str, src: str, index: int | None, target: str, slot: int) -> None:
        source, label = self.exit(spec, prefix, src, index)
        self.scene.edges.append(Edge(source, target, slot, label))

    def argument_edges(self, spec: SpecBody, graph: Graph, prefix: str) -> None:
        """Edges the graph holds beyond ``inputs`` (a call argument such as ``initial_state``), with their label."""
        drawn = {(e.source, e.target) for e in self.scene.edges}
        for src, dst, data in graph.dag.edges(data=True):
            if dst not in spec.nodes or (prefix + src, prefix + dst) in drawn or not data:
                continue
            label = next((str(data[k]) for k in ("argument", "arg", "key", "label", "name") if k in data), None)
            if label is None:
                continue
            source, _ = self.exit(spec, prefix, src, data.get("index"))
            self.scene.edges.append(Edge(source, self.entry(spec, prefix, dst, 0), 1000 + len(self.scene.edges), label))

    def node(
        self,
        spec: SpecBody,
        graph: Graph,
        inf: Inference | None,
        name: str,
        prefix: str,
        cluster: str | None,
        spec_path: tuple[str | int, ...],
    ) -> None:
        node = spec.nodes[name]
        owner = graph.layer_owner.get(name, name)
        decl = spec.nodes.get(owner, node)
        info = inf.nodes.get(name) if inf is not None else None
        kind = "op" if decl.op is not None else "model" if decl.model is not None else "layer"
        label = _label(decl.layer, decl.op, decl.args, decl.model)
        shown = Node(prefix + name, kind, name, label, cluster, source=self.where((*spec_path, "nodes", name)))
        shown.args = _arguments(decl.args)
        activation = decl.args.get("activation")
        shown.activation = activation if isinstance(activation, str) else None
        shown.dtype = decl.args.get("dtype") if isinstance(decl.args.get("dtype"), str) else None
        if owner != name:
            shown.shared = prefix + owner
        _infer_into(shown, info, graph, name)
        self.add(shown)

    def submodel(
        self,
        spec: SpecBody,
        graph: Graph,
        inf: Inference | None,
        name: str,
        prefix: str,
        cluster: str | None,
        spec_path: tuple[str | int, ...],
    ) -> None:
        model = spec.nodes[name].model
        assert model is not None, "called for model nodes"
        cid = prefix + name
        info = inf.nodes.get(name) if inf is not None else None
        label = ("Sequential" if model.sequential else "Functional") + (f" {model.name}" if model.name else "")
        sub = Cluster(cid, "model", name, label, cluster, source=self.where((*spec_path, "nodes", name)))
        if info is not None:
            sub.params, sub.flops, sub.shapes = info.params, info.flops, [format_shape(t) for t in info.outputs]
        self.scene.clusters[cid] = sub
        inner = graph.subgraphs.get(name)
        if inner is None:
            return
        self.body(
            model,
            inner,
            safe_infer(inner) if inf is not None else None,
            cid + ".",
            cid,
            (*spec_path, "nodes", name, "model"),
        )

    def clusters(
        self, spec: SpecBody, graph: Graph, prefix: str, parent: str | None, models: set[str]
    ) -> dict[str, str]:
        """Scope name → cluster id, for every ``/`` scope that holds nodes; the clusters added to the scene."""
        scopes: set[str] = set()
        for name in spec.nodes:
            parts = name.split("/")
            scopes.update("/".join(parts[:k]) for k in range(1, len(parts)))
        out: dict[str, str] = {}
        for scope in sorted(scopes, key=lambda s: s.count("/")):
            outer = scope.rsplit("/", 1)[0] if "/" in scope else None
            cluster = Cluster(
                prefix + scope, "block", scope.rsplit("/", 1)[-1], scope, out[outer] if outer is not None else parent
            )
            known = self.scopes.get(scope) if prefix == "" else None
            if known is not None:
                cluster.block = known.block
                cluster.repeat = known.repeat
            cluster.source = self.where(("nodes", scope)) if prefix == "" else None
            self.scene.clusters[cluster.id] = cluster
            out[scope] = cluster.id
        for scope, cid in out.items():
            cluster = self.scene.clusters[cid]
            copies = [s for s in out if s.rsplit("/", 1)[0] == scope and "/" in s]
            direct = [n for n in spec.nodes if n.rsplit("/", 1)[0] == scope and "/" in n]
            numbers = sorted(int(m.group(1)) for s in copies if (m := _COPY.fullmatch(s.rsplit("/", 1)[1])))
            if cluster.repeat is None and not direct and len(copies) > 1 and numbers == list(range(1, len(copies) + 1)):
                cluster.repeat = len(copies)
            if cluster.repeat is not None:
                cluster.kind = "repeat"
                blocks = [self.scene.clusters[out[s]].block for s in copies]
                cluster.label = _repeat_label(cluster.block, cluster.repeat, blocks)
            elif (
                _COPY.fullmatch(cluster.name)
                and cluster.parent is not None
                and self.scene.clusters[cluster.parent].repeat is not None
            ):
                cluster.kind = "copy"
            if cluster.kind != "repeat" and cluster.block is not None:
                cluster.label = f"{cluster.name}: {cluster.block}"
        return out


def safe_infer(graph: Graph) -> Inference | None:
    """Inference, or ``None`` where a graph that failed its checks trips it (its boxes then show no shapes)."""
    from graphspec.errors import SpecError
    from graphspec.shapes import infer

    try:
        return infer(graph)
    except (SpecError, KeyError, ValueError, TypeError, IndexError, AttributeError):
        return None


def _repeat_label(block: str | None, times: int, blocks: list[str | None]) -> str:
    if block is None:
        return f"block ×{times}"
    others = sorted({b for b in blocks if b is not None and b != block})
    return f"{block} ×{times}" + (f" (with {', '.join(others)})" if others else "")


def _label(layer: str | None, op: str | None, args: Mapping[str, Any], model: ModelSpec | None) -> str:
    if op is not None:
        return f"op {op}"
    if model is not None:  # another call of a sub-model: named as its cluster is
        return "Sequential" if model.sequential else "Functional"
    if layer is None:
        return "?"
    inner = args.get("wraps")
    if isinstance(inner, dict) and isinstance(inner.get("layer"), str):
        return f"{layer}({inner['layer']})"
    return layer


def _arguments(args: Mapping[str, Any]) -> dict[str, Any]:
    """A node's arguments as written, sizes folded (``[3, 3]`` → ``3``) as ``diff`` compares them."""
    out: dict[str, Any] = {}
    for key in sorted(args):
        value = args[key]
        if key in SIZE_KEYS:
            single = uniform_int(value)
            value = value if single is None else single
        out[key] = value
    return out


def _infer_into(shown: Node, info: NodeInfo | None, graph: Graph, name: str) -> None:
    if info is None:
        if name not in graph.order:
            shown.status = shown.status or "warning"
        return
    shown.shapes = [format_shape(t) for t in info.outputs]
    shown.params = info.params
    shown.flops = info.flops
    dtypes = {t.dtype for t in info.outputs if t.dtype is not None}
    if shown.dtype is None and len(dtypes) == 1:
        shown.dtype = dtypes.pop()


def _mark_shared(scene: Scene) -> None:
    """Group the calls of one layer: the owner and every node that shares it."""
    groups: dict[str, list[str]] = {}
    for node in scene.nodes.values():
        if node.shared is not None:
            groups.setdefault(node.shared, [node.shared]).append(node.id)
    for owner, calls in groups.items():
        if owner in scene.nodes:
            scene.nodes[owner].shared = owner
        elif owner in scene.clusters:
            pass  # a shared sub-model: its calls are model boxes, the owner its cluster
        scene.shared[owner] = sorted(set(calls))


def restrict(scene: Scene, start: str | None, end: str | None) -> None:
    """Keep only what lies on a path from ``start`` to ``end`` (either may be open; a cluster stands for its nodes).

    Raises:
        SpecError: ``bad-value`` when nothing lies between them.
    """
    import networkx as nx  # here, not at import: `graphspec --help` and validate load graphspec.render's options

    from graphspec.errors import Code, SpecError

    g = nx.DiGraph()
    g.add_nodes_from(scene.nodes)
    g.add_edges_from((e.source, e.target) for e in scene.edges)
    keep = set(scene.nodes)
    firsts, lasts = _members(scene, start), _members(scene, end)
    if firsts is not None:
        keep &= set().union(*(nx.descendants(g, n) for n in firsts)) | firsts
    if lasts is not None:
        keep &= set().union(*(nx.ancestors(g, n) for n in lasts)) | lasts
    if not keep and firsts is not None and lasts is not None:
        backwards = any(nx.has_path(g, b, a) for a in firsts for b in lasts)
        hint = (
            "it comes the other way round: swap --from and --to"
            if backwards
            else "they are on separate branches; give one of them alone"
        )
        raise SpecError.single(Code.BAD_VALUE, f"nothing lies on a path from {start!r} to {end!r}", (), hint)
    scene.nodes = {k: v for k, v in scene.nodes.items() if k in keep}
    scene.edges = [e for e in scene.edges if e.source in keep and e.target in keep]
    used = {c for n in scene.nodes.values() for c in scene.chain(n.cluster)}
    scene.clusters = {k: v for k, v in scene.clusters.items() if k in used}
    scene.shared = {k: [c for c in v if c in keep] for k, v in scene.shared.items()}
    scene.shared = {k: v for k, v in scene.shared.items() if len(v) > 1}


def _members(scene: Scene, name: str | None) -> set[str] | None:
    """The node ids a --from/--to name stands for: the node, or every node inside the cluster."""
    if name is None:
        return None
    return {name} if name in scene.nodes else set(descendants_of(scene, name))


def descendants_of(scene: Scene, cluster: str) -> Iterator[str]:
    """Every node id inside a cluster, at any depth."""
    for node in scene.nodes.values():
        if cluster in scene.chain(node.cluster):
            yield node.id


def totals(scene: Scene) -> None:
    """Give block clusters the summed parameters and FLOPs of their nodes, and the shapes they output."""
    inside: dict[str, list[Node]] = {}
    for node in scene.nodes.values():
        for c in scene.chain(node.cluster):
            inside.setdefault(c, []).append(node)
    for cid, cluster in scene.clusters.items():
        if cluster.kind == "model":
            continue
        members = inside.get(cid, [])
        cluster.params = _sum(n.params for n in members)
        cluster.flops = _sum(n.flops for n in members)
        ids = {n.id for n in members}
        leaving = sorted({e.source for e in scene.edges if e.source in ids and e.target not in ids})
        cluster.shapes = [s for src in leaving for s in scene.nodes[src].shapes[:1]]


def _sum(values: Iterable[int | None]) -> int | None:
    total = 0
    for v in values:
        if v is None:
            return None
        total += v
    return total
