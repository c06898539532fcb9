"""Stage 1½, authoring data → flat data: blocks, repeat, parameters, includes.

Runs on the loaded :class:`~graphspec.source.Document` and returns a document
whose data is a flat spec (only inputs, nodes, outputs, ...), which
:func:`graphspec.spec.parse_spec` then validates like any other; the graph,
catalogue, shape and emit stages never see a block. Pure Python, no TensorFlow.

The authoring format adds four things to a spec:

* ``params:`` — spec-level hyperparameters with types and defaults
  (``width: {type: float, default: 1.0}``, or just ``width: 1.0``), overridable
  from the CLI (``--set width=0.5``) and from Python (``params={"width": 0.5}``);
* ``blocks:`` — named subgraphs with ``params``, ``inputs`` (names), ``nodes``
  and ``outputs`` (one reference or a list). A node instantiates one with
  ``block: name``, its ``inputs`` and parameter values beside them; ``repeat: N``
  chains N copies (copy i's outputs feed copy i+1), and ``override: {1: {...}}``
  gives single copies (1-based) other parameter values;
* ``${expr}`` (or ``$name``) in any value: arithmetic on parameters by the
  safe evaluator of :mod:`graphspec.expand.expr`; a string that is one expression
  takes its value's type, an expression inside other text is formatted into it;
* ``include: [path, ...]`` — blocks from other spec files, relative to the
  including file and confined to the root spec's folder tree; and
  ``model: path.yaml`` on a node — a whole spec as a sub-model, inlined here.

Names are scoped: instance ``stage2`` of a block with node ``conv1`` gives node
``stage2/conv1``; with ``repeat``, copies are ``stage2/block1``,
``stage2/block2``, ... Another node reads an instance as ``stage2`` (its only
output) or ``stage2:i`` (its i-th output), and may read any node inside it by its
scoped name (``stage2/block1/conv1``).

Every expanded value keeps its origin: a diagnostic on an expanded node points at
the text in the block definition (possibly in an included file), and names the
instances it sits in and the definition, so positions stay real ``file:line:col``.

The code is one private module per concern, over the state they share
(``_state``): parameters (``_params``), ``--set`` overrides (``_overrides``),
substitution (``_substitute``), blocks and includes (``_blocks``), instances and
repeats (``_instances``), sub-models (``_submodels``) and references
(``_references``), combined by the expander (``_expander``); the expanded document
and its origins are ``_document``, the bounds and the files read ``_accounting``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphspec.expand._accounting import SpecFiles, Tally
from graphspec.expand._authoring import AUTHORING_KEYS as AUTHORING_KEYS  # read by graphspec.spec and graphspec.schema
from graphspec.expand._authoring import needs_expansion
from graphspec.expand._document import BlockScope, ExpandedDocument, merge_copies
from graphspec.expand._expander import _Expander
from graphspec.expand._overrides import CommandLineValue, parse_override
from graphspec.source import Document, Limits

__all__ = [
    "BlockScope",
    "CommandLineValue",
    "ExpandedDocument",
    "expand_document",
    "merge_copies",
    "needs_expansion",
    "parse_override",
]


def expand_document(
    doc: Document, params: Mapping[str, Any] | None = None, *, limits: Limits = Limits(), max_nodes: int = 100_000
) -> Document:
    """Expand blocks, repeats, parameters and includes into a flat spec document.

    A document that uses none of them is returned as is (unless ``params`` are
    given, which then name parameters it does not declare).

    Raises:
        SpecError: every expansion problem found, located in the file (and
            block definition) where it was written.
    """
    if not params and not needs_expansion(doc):
        return doc
    if not isinstance(doc.data, dict):
        return doc  # parse_spec reports it
    return _Expander(doc, limits, Tally.of(limits, max_nodes), SpecFiles.of(doc, limits)).run(dict(params or {}))
