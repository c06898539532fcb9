"""What each box says, line by line, and what its tooltip says: shared by every format."""

from __future__ import annotations

import json
from typing import Any

from graphspec.render._scene import Cluster, Node, Scene, format_count, format_flops

__all__ = ["box_size", "cluster_lines", "cluster_title", "edge_title", "node_lines", "node_title"]

# Monospace metrics (the drawings use a monospace font, so text widths are known without a browser).
CHAR = {"name": 7.3, "line": 6.7}
LINE = 15.0
PAD_X, PAD_Y = 9.0, 6.0


def node_lines(scene: Scene, node: Node) -> list[tuple[str, str]]:
    """(text, style) per line: the name, the class, then what ``--show`` asks for."""
    label = node.label
    group = scene.shared.get(node.shared or "")
    if group and len(group) > 1:
        label += f" · shared ×{len(group)}"
    # Inside a block's frame the scope is written once, on the frame: the box says the last part.
    short = (
        node.name.rsplit("/", 1)[-1]
        if node.cluster is not None and scene.clusters[node.cluster].kind != "model"
        else node.name
    )
    lines = [(short, "name"), (label, "kind")]
    if node.kind == "missing":
        return [(node.name, "name"), ("unknown reference", "kind")]
    if node.kind in ("input", "in-port"):
        lines += [(" ".join(node.shapes), "line"), (node.dtype or "float32", "line")]
        return lines
    if node.kind in ("output", "out-port"):
        if node.shapes:
            lines.append((" ".join(node.shapes), "line"))
        lines += _training_lines(node.training)
        return lines
    show = scene.show
    if "shapes" in show and node.shapes:
        lines.append((" ".join(node.shapes), "line"))
    if "params" in show and node.params != 0 and node.shared in (None, node.id):
        lines.append((f"{format_count(node.params)} params", "line"))
    if "flops" in show:
        lines.append((f"{format_flops(node.flops)} FLOPs", "line"))
    if "activation" in show and node.activation:
        lines.append((f"activation {node.activation}", "line"))
    if "dtype" in show and node.dtype:
        lines.append((node.dtype, "line"))
    return lines


def _training_lines(training: dict[str, Any]) -> list[tuple[str, str]]:
    out = []
    if "loss" in training:
        out.append((f"loss {_short(training['loss'])}", "line"))
    if "loss_weight" in training:
        out.append((f"weight {training['loss_weight']:g}", "line"))
    if training.get("metrics"):
        out.append(("metrics " + ", ".join(_short(m) for m in training["metrics"]), "line"))
    return out


def _short(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("class_name", "?"))
    return str(value)


def cluster_lines(scene: Scene, cluster: Cluster, members: int) -> list[tuple[str, str]]:
    """The lines of a collapsed cluster's box."""
    what = cluster.label if cluster.kind in ("repeat", "model") or cluster.block is None else f"block {cluster.block}"
    lines = [(cluster.name, "name"), (what, "kind")]
    if "shapes" in scene.show and cluster.shapes:
        lines.append((" ".join(cluster.shapes), "line"))
    if "params" in scene.show:
        lines.append((f"{format_count(cluster.params)} params", "line"))
    if "flops" in scene.show:
        lines.append((f"{format_flops(cluster.flops)} FLOPs", "line"))
    lines.append((f"{members} nodes", "line"))
    return lines


def box_size(lines: list[tuple[str, str]]) -> tuple[float, float]:
    width = max(len(text) * CHAR.get(style, CHAR["line"]) for text, style in lines)
    return (round(width + 2 * PAD_X, 1), round(len(lines) * LINE + 2 * PAD_Y, 1))


def _args_text(args: dict[str, Any]) -> list[str]:
    return [f"  {k}: {json.dumps(v, ensure_ascii=False)}" for k, v in args.items()]


def node_title(scene: Scene, node: Node) -> str:
    """The tooltip: everything known about the node, diagnostics first."""
    lines = [*node.diagnostics, f"{node.name} — {node.label}"]
    if node.shapes:
        lines.append("output " + " ".join(node.shapes) + (f" {node.dtype}" if node.dtype else ""))
    if node.kind not in ("input", "output", "in-port", "out-port", "missing"):
        lines.append(f"params {format_count(node.params)}, FLOPs {format_count(node.flops)}")
    if node.args:
        lines += ["arguments:", *_args_text(node.args)]
    if node.training:
        lines += [f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in node.training.items()]
    group = scene.shared.get(node.shared or "")
    if group and len(group) > 1:
        lines.append(f"one layer ({node.shared}), called {len(group)} times: " + ", ".join(group))
    if node.diff:
        lines.append(f"diff: {node.diff}")
    if node.source:
        lines.append(f"at {node.source}")
    return "\n".join(lines)


def cluster_title(cluster: Cluster) -> str:
    lines = [*cluster.diagnostics, f"{cluster.id} — {cluster.label}"]
    if cluster.params is not None or cluster.flops is not None:
        lines.append(f"params {format_count(cluster.params)}, FLOPs {format_count(cluster.flops)}")
    if cluster.diff:
        lines.append(f"diff: {cluster.diff}")
    if cluster.source:
        lines.append(f"at {cluster.source}")
    return "\n".join(lines)


def edge_title(scene: Scene, source: str, target: str, label: str | None, diagnostics: list[str]) -> str:
    head = f"{source} → {target}" + (f" ({label})" if label else "")
    return "\n".join([*diagnostics, head])
