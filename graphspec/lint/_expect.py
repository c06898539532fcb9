"""What lint expects of the arrays a spec trains on, derived from the checked graph (no NumPy here).

For each output with a loss: the loss, the number of classes, the activation the
output ends in; for each input: the Embeddings its ids index (through layers
that only move values). The data rules (``graphspec.lint.values``) check the
arrays against these expectations.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphspec.errors import Path
from graphspec.lint._engine import ignores
from graphspec.lint._facts import Body, Facts, Squash
from graphspec.lint._keras import LossInfo
from graphspec.shapes import op_label
from graphspec.spec import parse_ref

__all__ = ["Embedded", "Expectation", "expectations"]

# Layers that hand their integer input on unchanged (only moved), so ids still index the Embedding after them.
_KEEP_IDS = frozenset(
    {"Identity", "Reshape", "Flatten", "Permute", "RepeatVector", "Masking", "Cropping1D"}
    | {op_label(o) for o in ("reshape", "expand_dims", "squeeze", "transpose", "flatten")}
)


@dataclass(frozen=True)
class Embedded:
    """An Embedding an input's ids index: its node, spec path and ``input_dim``."""

    node: str
    path: Path
    input_dim: int


@dataclass(frozen=True)
class Expectation:
    """What lint knows of one array's values before seeing them.

    Attributes:
        name: the input or output name (the array's key).
        role: ``input`` or ``output``.
        path: where data findings point (the output's loss, or the input).
        owner: the entry whose ``lint: {ignore: [...]}`` silences findings about it.
        loss: an output's loss, as lint reads it.
        classes: the size of the loss's class axis.
        sample_shape: an output's shape without the batch dim.
        squash: the activation an output ends in.
        embeddings: the Embeddings an input feeds.
        ignores: every entry's ignored codes (the spec's own under ``()``).
    """

    name: str
    role: str
    path: Path
    owner: Path
    loss: LossInfo | None = None
    classes: int | None = None
    sample_shape: tuple[int | None, ...] | None = None
    squash: Squash | None = None
    embeddings: tuple[Embedded, ...] = ()
    ignores: Mapping[Path, frozenset[str]] = field(default_factory=dict)


def expectations(report: Any) -> dict[str, Expectation]:
    """An :class:`Expectation` per input and per output with a loss of a validated spec (``graphspec.Report``)."""
    facts = Facts(report.spec, report.graph, report.inference)
    silenced = ignores(report.spec)
    out: dict[str, Expectation] = {}
    for name in report.spec.inputs:
        found = tuple(_embeddings(facts, facts.root, name))
        out[name] = Expectation(name, "input", ("inputs", name), ("inputs", name), embeddings=found, ignores=silenced)
    for view in facts.outputs:
        if view.loss is None:
            continue
        shape = tuple(view.tensor.shape[1:]) if view.tensor is not None and view.tensor.shape is not None else None
        out[view.name] = Expectation(
            view.name,
            "output",
            view.loss.path,
            view.path,
            view.loss,
            view.classes,
            shape,
            view.squash,
            ignores=silenced,
        )
    return out


def _embeddings(facts: Facts, body: Body, source: str) -> Iterator[Embedded]:
    """The Embeddings that ``source``'s values reach, through layers that keep ids as they are."""
    for consumer in body.graph.dag.successors(source):
        if consumer not in body.spec.nodes:
            continue
        node = body.spec.nodes[consumer]
        owner = body.graph.layer_owner.get(consumer, consumer)
        decl = body.spec.nodes[owner]
        if decl.model is not None:
            yield from _into_model(
                facts, body, owner, [i for i, ref in enumerate(node.inputs) if parse_ref(ref)[0] == source]
            )
            continue
        kind = op_label(decl.op) if decl.op is not None else str(decl.layer)
        if kind == "Embedding" and isinstance(decl.args.get("input_dim"), int):
            yield Embedded(consumer, body.path(consumer), decl.args["input_dim"])
        elif kind in _KEEP_IDS and len(node.inputs) == 1:
            yield from _embeddings(facts, body, consumer)


def _into_model(facts: Facts, body: Body, owner: str, positions: list[int]) -> Iterator[Embedded]:
    inner = next((b for b in facts.bodies if b.prefix == (*body.path(owner), "model")), None)
    if inner is None:
        return
    names = list(inner.spec.inputs)
    for i in positions:
        if i < len(names):
            yield from _embeddings(facts, inner, names[i])
