"""Sub-models: a node's ``model: other.yaml``, that spec expanded with the node's ``params`` and inlined as a ``model:``
mapping."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from typing import Any

from graphspec.errors import Code, Path, SpecError
from graphspec.expand._accounting import inline_nodes, value_count
from graphspec.expand._authoring import needs_expansion
from graphspec.expand._definitions import _Scope
from graphspec.expand._document import _Origin, _related_at, _Via
from graphspec.expand._references import _candidate, _map_call_refs, _map_refs
from graphspec.expand._state import _Abort, _State
from graphspec.source import Document

# What a whole spec keeps when it becomes a `model:` node (no format version, compile or training).
_MODEL_KEYS = ("name", "description", "inputs", "nodes", "outputs", "structure")


class _Submodels(_State):
    """``model:`` nodes: the file opened, expanded by another expander sharing this one's budget and files, and inlined.

    Reads ``chain``, ``limits`` and ``tally``; writes ``files.expanded``, ``nodes``
    and ``out.origins``; appends to ``problems``; opens files through ``open_file``
    and evaluates ``params`` through ``substitute``.
    """

    def submodel(self, scope: _Scope, flat_name: str, raw: dict[str, Any]) -> None:
        """``model: other.yaml``: that spec, expanded with the node's ``params``, inlined as a ``model:`` mapping."""
        path: Path = ("nodes", flat_name)
        where: Path = (*scope.path, flat_name[len(scope.prefix) :], "model")
        doc = self.open_file(raw["model"], scope.doc, where, self.chain)
        params = self.substitute(raw.get("params") or {}, scope.env, scope.doc, (*path, "params"), flat=True)
        if doc is not None and not isinstance(doc.data, dict):
            self.flat_error(
                Code.WRONG_TYPE,
                f"model file {raw['model']!r} is not a spec: its top level is not a mapping",
                (*path, "model"),
            )
        if doc is None or not isinstance(doc.data, dict) or not isinstance(params, dict):
            if not isinstance(params, dict):
                self.flat_error(
                    Code.WRONG_TYPE,
                    "`params` of a `model:` node is a mapping of the sub-model's parameter values",
                    (*path, "params"),
                )
            return
        via = (*scope.via, _Via(f"in model file {raw['model']!r} of node {flat_name!r}", scope.doc, where[:-1]))
        # Nodes, values and files count across nested `model:` files, else each level would get a fresh budget.
        sub: Document | None = doc
        try:
            if params or needs_expansion(doc):
                sub = self.expanded_model(doc, params, path)
            else:  # inlined as written, once per node that names it: counted per use
                self.spend(_model_nodes(doc.data), path, values=value_count(doc.data.get("nodes")))
        except SpecError as exc:  # name the node whose file (and `params`) it is, as for errors found later
            callers = tuple(_related_at(v.label, v.doc, v.path) for v in via)
            self.problems.extend(replace(d, related=(*callers, *d.related)) for d in exc.diagnostics)
            if self.tally.spent:
                raise _Abort from None  # the budget is spent: reported once, where it ran out
            sub = None
        if sub is None:
            return
        self.out.origins[(*path, "model")] = _Origin(sub, (), via)
        node = {k: v for k, v in raw.items() if k not in ("model", "params")}
        for key in ("inputs", "share"):
            if key in node:
                node[key] = _map_refs(node[key], lambda ref: _candidate(scope, ref))
        _map_call_refs(node, lambda ref: _candidate(scope, ref))
        node["model"] = {k: _untrained(v) if k == "outputs" else v for k, v in sub.data.items() if k in _MODEL_KEYS}
        self.nodes[flat_name] = node

    def expanded_model(self, doc: Document, params: dict[str, Any], path: Path) -> Document:
        """A ``model:`` file expanded with ``params``: once per file and params, its nodes and values counted per use.

        Raises:
            SpecError: the sub-model's expansion problems.
        """
        key = (os.path.realpath(str(doc.file)), json.dumps(params, sort_keys=True, default=repr))
        known = self.files.expanded.get(key)
        if known is not None:
            sub, nodes, values = known
            self.spend(nodes, path, values=values)
            return sub
        before = (self.tally.nodes, self.tally.values)
        sub = type(self)(doc, self.limits, self.tally, self.files, self.chain).run(params)
        self.files.expanded[key] = (sub, self.tally.nodes - before[0], self.tally.values - before[1])
        return sub


def _model_nodes(data: dict[str, Any]) -> int:
    nodes = data.get("nodes")
    return inline_nodes({"model": data}) if isinstance(nodes, dict) else 0


def _untrained(outputs: Any) -> Any:
    """A whole spec's outputs as a sub-model's: losses and metrics belong to the top-level model only."""
    if not isinstance(outputs, dict):
        return outputs
    return {
        k: {"from": v["from"]} if isinstance(v, dict) and "from" in v else {} if isinstance(v, dict) or v is None else v
        for k, v in outputs.items()
    }
