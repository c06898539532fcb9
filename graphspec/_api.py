"""The pipeline as three calls: :func:`load`, :func:`validate`, :func:`build`."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graphspec import catalog
from graphspec.errors import Diagnostic, SpecError
from graphspec.graph import Graph, resolve
from graphspec.source import Limits, locate, parse_data, parse_file, parse_text
from graphspec.spec import Spec, parse_spec

__all__ = ["Report", "build", "load", "validate"]

SpecSource = Spec | Mapping[str, Any] | str | os.PathLike[str]


def load(source: SpecSource, *, limits: Limits = Limits()) -> Spec:
    """Load and structurally validate a spec.

    Args:
        source: a path (``str`` or ``os.PathLike``) to a ``.yaml``/``.yml``/``.json``
            file, YAML or JSON text, a mapping, or a :class:`Spec` (returned as is).
            A ``str`` is read as a path when it is one line naming an existing file
            or ending in ``.yaml``, ``.yml`` or ``.json``; otherwise as text.
        limits: size, depth and alias-expansion bounds for untrusted text.

    Raises:
        SpecError: for unreadable files, malformed text and structural errors.
    """
    if isinstance(source, Spec):
        return source
    if isinstance(source, Mapping):
        doc = parse_data(source, limits)
    elif isinstance(source, os.PathLike) or _is_path(source):
        doc = parse_file(os.fspath(source), limits)
    elif isinstance(source, str):
        doc = parse_text(source, limits=limits)
    else:
        raise TypeError(f"load() takes a path, text, mapping or Spec; got {type(source).__name__}")
    return parse_spec(doc)


def _is_path(text: str) -> bool:
    if "\n" in text or len(text) > 4096:
        return False
    return text.lower().endswith((".yaml", ".yml", ".json")) or os.path.isfile(text)


@dataclass
class Report:
    """A valid spec, its checked graph and the warnings found on the way."""

    spec: Spec
    graph: Graph
    warnings: list[Diagnostic] = field(default_factory=list)


def validate(source: SpecSource, *, limits: Limits = Limits()) -> Report:
    """Run every check short of building: structure, graph, layer catalogue.

    Never imports TensorFlow or Keras. Catalogue and graph problems are reported
    together, so one run lists everything wrong with a spec.

    Raises:
        SpecError: with every error found.
    """
    spec = load(source, limits=limits)
    diags: list[Diagnostic] = catalog.check_nodes(spec.nodes)
    graph: Graph | None = None
    try:
        graph = resolve(spec)
    except SpecError as exc:
        diags += exc.diagnostics
    if graph is None or any(d.is_error for d in diags):
        raise SpecError(locate(diags, spec.source))
    return Report(spec, graph, locate(graph.warnings, spec.source))


def build(source: SpecSource, *, compile: bool = True, limits: Limits = Limits()) -> Any:
    """Validate a spec and build its ``keras.Model`` (compiled, unless ``compile=False``).

    Input and output names of the model are the spec's names, so ``fit`` and
    ``predict`` take and give dicts keyed by them.

    Raises:
        SpecError: for any invalid spec, including errors Keras raises while
            building, which name the node that caused them.
    """
    from graphspec.emit import emit

    report = validate(source, limits=limits)
    return emit(report.graph, compile=compile)
