"""Colour a scene by the semantic diff from an older spec: nodes added, removed (drawn as ghosts), changed, rewired."""

from __future__ import annotations

from typing import Any

from graphspec.diff import diff_specs
from graphspec.render._scene import Edge, Node, Scene
from graphspec.source import Limits
from graphspec.spec import Spec, parse_ref

__all__ = ["apply_diff"]

# What each kind of change makes of the node it names (the strongest wins).
_NODE_MARK = {
    "node-added": "added",
    "node-removed": "removed",
    "node-renamed": "changed",
    "layer-changed": "changed",
    "argument-added": "changed",
    "argument-removed": "changed",
    "argument-changed": "changed",
    "share-changed": "changed",
    "inputs-rewired": "rewired",
    "input-added": "added",
    "input-removed": "removed",
    "input-changed": "changed",
    "output-added": "added",
    "output-removed": "removed",
    "output-changed": "changed",
}
_RANK = {"rewired": 1, "changed": 2, "removed": 3, "added": 3}


def _old_spec(old: Any, limits: Limits) -> Spec:
    if isinstance(old, Spec):
        return old
    from graphspec.importer import load_any
    from graphspec.pipeline import load

    return load_any(old) if hasattr(old, "__fspath__") else load(old, limits=limits)


def apply_diff(scene: Scene, old: Any, new: Any, *, limits: Limits = Limits()) -> None:
    """Mark ``scene`` (the drawing of ``new``) with the changes since ``old``.

    Raises:
        SpecError: when ``old`` cannot be loaded.
    """
    before = _old_spec(old, limits)
    result = (
        diff_specs(before, new) if isinstance(new, Spec) else diff_specs(before, Spec.model_validate(new.to_data()))
    )
    for change in result.changes:
        mark = _NODE_MARK.get(change.kind)
        parts = change.path.split(".")
        if mark is None or len(parts) < 2:
            scene.notes.append(f"diff: {change.render()}")
            continue
        section, name = parts[0], parts[1]
        ident = "output:" + name if section == "outputs" else name
        text = change.render()
        if change.kind in ("node-removed", "input-removed", "output-removed"):
            _ghost(scene, before, section, name, ident, text)
            continue
        item: Node | Any = scene.nodes.get(ident) or scene.clusters.get(ident)
        if item is None:
            scene.notes.append(f"diff: {text}")
            continue
        if item.diff is None or _RANK[mark] > _RANK[item.diff]:
            item.diff = mark
        item.diagnostics.append(f"diff: {text}")
        if mark == "rewired":
            for edge in scene.edges:
                if edge.target == ident and edge.diff is None:
                    edge.diff = "added"


def _ghost(scene: Scene, before: Spec, section: str, name: str, ident: str, text: str) -> None:
    """A removed node, drawn where it was, with the edges it had to what still exists."""
    if ident in scene.nodes:
        return
    label = "Input" if section == "inputs" else "Output" if section == "outputs" else "removed"
    node = before.nodes.get(name) if section == "nodes" else None
    if node is not None:
        label = node.layer or (f"op {node.op}" if node.op else "share" if node.share else "model")
    scope = name.rsplit("/", 1)[0] if "/" in name else None
    cluster = scope if scope in scene.clusters else None
    scene.nodes[ident] = Node(ident, "layer", name, label, cluster, diff="removed", diagnostics=[f"diff: {text}"])
    refs = list(node.inputs) if node is not None else []
    if section == "outputs" and name in before.outputs:
        refs = [before.output_source(name)]
    for slot, ref in enumerate(refs):
        src, _ = parse_ref(ref)
        if src in scene.nodes:
            scene.edges.append(Edge(src, ident, slot, diff="removed"))
    for reader, other in before.nodes.items():
        if reader in scene.nodes and any(parse_ref(r)[0] == name for r in other.inputs):
            scene.edges.append(Edge(ident, reader, 999, diff="removed"))
