"""What to draw: the checked graph of a valid spec, or the best graph an invalid one allows.

People look at a picture to find what is wrong, so an invalid spec still draws:
its broken parts are left out as ``validate`` does for its lenient checks
(:func:`graphspec.spec.repair`), references to nothing become ``missing`` boxes,
cycles stay (the layout turns one edge of each round), and every diagnostic is
kept to mark the node or edge it names.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from graphspec.budget import Budget
from graphspec.errors import SpecError
from graphspec.expand import expand_document
from graphspec.graph import Graph, resolve, share_owners
from graphspec.pipeline import Report, validate
from graphspec.render._scene import Facts, safe_infer
from graphspec.source import Document, Limits, parse_data, parse_file, parse_text
from graphspec.spec import Spec, parse_ref, parse_spec, repair

__all__ = ["facts_of", "is_model_file"]


def is_model_file(source: Any, limits: Limits = Limits()) -> bool:
    """A ``.keras`` file or Keras JSON (a ``.json`` without a ``graphspec`` key): drawn through the importer.

    A ``.json`` file is read within the read limits (``max_model_bytes``, nesting
    measured before parsing); one past them is left to the spec loader to report.
    """
    if not isinstance(source, os.PathLike):
        return False
    path = Path(source)
    if path.suffix == ".keras":
        return True
    if path.suffix != ".json":
        return False
    import json

    from graphspec.source.limits import read_model_text

    try:
        data = json.loads(read_model_text(path, limits))
    except (SpecError, ValueError):
        return False
    return isinstance(data, dict) and "graphspec" not in data


def facts_of(source: Any, *, params: Mapping[str, Any] | None, limits: Limits, budget: Budget) -> Facts:
    """The facts of a report, a spec, a spec file or text, or a Keras model file.

    Raises:
        SpecError: when not even a partial graph can be had (unreadable file, not a mapping, no inputs).
    """
    if isinstance(source, Report):
        return Facts(source.spec, source.graph, source.inference, source.warnings, source.spec.source)
    if is_model_file(source, limits):
        from graphspec.importer import from_keras

        source = from_keras(Path(source), limits=limits, budget=budget)
    try:
        report = validate(source, limits=limits, budget=budget, params=params)
    except SpecError as exc:
        return _lenient(source, exc, params, limits, budget)
    return Facts(report.spec, report.graph, report.inference, report.warnings, report.spec.source)


def _document(source: Any, params: Mapping[str, Any] | None, limits: Limits, budget: Budget) -> Document:
    if isinstance(source, Mapping):
        doc = parse_data(source, limits)
    elif isinstance(source, os.PathLike):
        doc = parse_file(os.fspath(source), limits)
    elif isinstance(source, str):
        doc = parse_text(source, limits=limits)
    else:
        doc = parse_data(source, limits)
    try:
        return expand_document(doc, params, limits=limits, max_nodes=budget.max_nodes)
    except SpecError:
        return doc  # blocks that cannot expand are drawn as the nodes that name them


def _lenient(source: Any, exc: SpecError, params: Mapping[str, Any] | None, limits: Limits, budget: Budget) -> Facts:
    if isinstance(source, Spec):
        spec: Spec | None = source
        doc = source.source
    else:
        try:
            doc = _document(source, params, limits, budget)
        except SpecError:
            raise exc from None
        try:
            spec = parse_spec(doc)
        except SpecError as parse_exc:
            spec, _ = repair(doc.data, [d.path for d in parse_exc.diagnostics if d.path])
    if spec is None:
        raise exc
    if doc is not None:
        spec._source = doc
    graph = _graph(spec)
    return Facts(spec, graph, safe_infer(graph), list(exc.diagnostics), doc)


def _graph(spec: Spec) -> Graph:
    try:
        return resolve(spec)
    except SpecError:
        return lenient_graph(spec)


def lenient_graph(spec: Any) -> Graph:
    """A graph of whatever a spec's references name, cycles and dangling references included."""
    import networkx as nx  # here, not at import: `graphspec --help` and validate load graphspec.render's options

    dag = nx.DiGraph()
    dag.add_nodes_from(spec.inputs)
    dag.add_nodes_from(spec.nodes)
    for name, node in spec.nodes.items():
        for ref in node.inputs:
            src, _ = parse_ref(ref)
            if src in dag and src != name:
                dag.add_edge(src, name)
    owners, _ = share_owners(spec)
    owners = {n: owners.get(n, n) for n in spec.nodes}
    acyclic = dag.copy()
    while True:
        try:
            cycle = nx.find_cycle(acyclic)
        except nx.NetworkXNoCycle:
            break
        acyclic.remove_edge(*cycle[-1][:2])
    order = [n for n in nx.topological_sort(acyclic) if n in spec.nodes]
    subgraphs = {}
    for name, node in spec.nodes.items():
        if node.model is not None:
            try:
                subgraphs[name] = resolve(node.model, level=2)
            except SpecError:
                subgraphs[name] = lenient_graph(node.model)
    return Graph(spec, dag, order, owners, 0, [], subgraphs)
