"""A Keras-like model summary computed statically, without TensorFlow.

One row per node in graph order: name, layer, output shape, parameters, FLOPs
(multiply-adds for one example) and inputs; then totals. ``?`` marks what cannot
be known before building (a layer without a shape rule, an unknown dimension).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from graphspec.pipeline import Report
    from graphspec.shapes import TensorInfo

__all__ = ["render_summary"]


def _shape(t: TensorInfo) -> str:
    if t.shape is None:
        return "?"
    return "(" + ", ".join("None" if d is None else str(d) for d in t.shape) + ("," if len(t.shape) == 1 else "") + ")"


def _count(n: int | None) -> str:
    return "?" if n is None else f"{n:,}"


def _table(rows: Sequence[Sequence[str]], right: set[int]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for k, row in enumerate(rows):
        cells = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))]
        lines.append("  ".join(cells).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines


def _inputs(node: Any) -> str:
    """A node's inputs, then its call arguments: ``dec_emb; initial_state=[enc:1, enc:2]``."""
    text = ", ".join(node.inputs)
    for key, value in node.call.items():
        shown = (
            "[" + ", ".join(map(str, value)) + "]"
            if isinstance(value, list)
            else str(value).lower()
            if isinstance(value, bool)
            else str(value)
        )
        text += f"; {key}={shown}"
    return text


def _models(report: Report) -> list[str]:
    """One line per model of ``models:``: what it takes and returns."""
    from graphspec.spec.structure import leaves

    models = getattr(report.spec, "models", {})
    return [
        f"Model {name}: {', '.join(str(leaf) for leaf, _ in leaves(m.inputs))} "
        f"-> {', '.join(str(leaf) for leaf, _ in leaves(m.outputs))}"
        for name, m in models.items()
    ]


def render_summary(report: Report) -> str:
    """The summary table of a validated spec, as text."""
    spec, graph, inf = report.spec, report.graph, report.inference
    rows: list[list[str]] = [["node", "layer", "output shape", "params", "FLOPs", "inputs"]]
    for name, tensor in inf.inputs.items():
        rows.append([name, "Input", _shape(tensor), "0", "0", ""])
    for name in graph.order:
        node = spec.nodes[name]
        info = inf.nodes[name]
        owner = graph.layer_owner[name]
        layer = info.layer + (f" (shares {owner})" if owner != name else "")
        shapes = " ".join(_shape(t) for t in info.outputs) if info.outputs else "?"
        rows.append([name, layer, shapes, _count(info.params), _count(info.flops), _inputs(node)])
    lines = [f"Model: {spec.name}", *_table(rows, right={3, 4})]
    non_trainable = (
        None if inf.total_params is None or inf.trainable_params is None else inf.total_params - inf.trainable_params
    )
    lines += [
        "",
        "Outputs: " + ", ".join(f"{n} {_shape(t)}" for n, t in inf.outputs.items()),
        *_models(report),
        f"Total params: {_count(inf.total_params)}  (trainable {_count(inf.trainable_params)}, "
        f"non-trainable {_count(non_trainable)})",
        f"FLOPs per example (multiply-adds): {_count(inf.total_flops)}",
    ]
    if inf.unknown:
        lines.append(f"No shape rule for: {', '.join(inf.unknown)} (their outputs and what follows are marked ?)")
    return "\n".join(lines) + "\n"
