"""The pipeline as three calls: :func:`load`, :func:`validate`, :func:`build`."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from graphspec import catalog, lint
from graphspec.budget import Budget
from graphspec.catalog.calls import check_calls
from graphspec.errors import Code, Diagnostic, SpecError
from graphspec.expand import expand_document, merge_copies
from graphspec.graph import Graph, resolve
from graphspec.shapes import Inference, infer
from graphspec.source import Document, Limits, locate, parse_data, parse_file, parse_text
from graphspec.spec import Spec, parse_nodes_leniently, parse_spec, repair

T = TypeVar("T")

__all__ = ["Report", "build", "build_models", "expand", "load", "load_document", "validate", "validate_loaded"]

SpecSource = Spec | Mapping[str, Any] | str | os.PathLike[str]


Params = Mapping[str, Any] | None


def load(source: SpecSource, *, limits: Limits = Limits(), params: Params = None) -> Spec:
    """Load, expand (blocks, repeat, parameters, includes) and structurally validate a spec.

    Args:
        source: a path (an ``os.PathLike`` such as ``pathlib.Path``) to a
            ``.yaml``/``.yml``/``.json`` file, YAML or JSON text (a ``str`` is
            always text, never a file name), a mapping, or a :class:`Spec`
            (returned as is).
        limits: size, depth and alias-expansion bounds for untrusted text.
        params: values for the spec's ``params:`` (``{"width": 0.5}``), as ``--set`` on the CLI.

    Raises:
        SpecError: for unreadable files, malformed text, expansion and structural errors.
    """
    if isinstance(source, Spec):
        return _no_params(source, params)
    return parse_spec(_document(source, limits, params))


def expand(source: SpecSource, *, limits: Limits = Limits(), budget: Budget = Budget(), params: Params = None) -> Spec:
    """The flat spec of an authoring spec: blocks, repeats, parameters and includes expanded.

    :func:`load` with the node budget applied to expansion; what ``graphspec
    expand`` prints (``expand(path).to_yaml()``).

    Raises:
        SpecError: as :func:`load`, and ``too-many-nodes`` when expansion makes
            more nodes and block copies than ``budget.max_nodes``.
    """
    if isinstance(source, Spec):
        return _no_params(source, params)
    return parse_spec(_document(source, limits, params, budget.max_nodes))


def _no_params(spec: Spec, params: Params) -> Spec:
    if params:
        raise SpecError.single(
            Code.UNKNOWN_PARAM, "params apply to specs given as files, text or data; a Spec object is already expanded"
        )
    return spec


def _document(
    source: SpecSource, limits: Limits, params: Params = None, max_nodes: int = Budget().max_nodes
) -> Document:
    return _expanded(load_document(source, limits), params, limits, max_nodes)


def _expanded(doc: Document, params: Params, limits: Limits, max_nodes: int) -> Document:
    """The flat document: a ``search:`` section's conditions applied to the parameters first, then expansion."""
    if isinstance(doc.data, dict) and "search" in doc.data:
        from graphspec.expand.search import condition  # only specs with a search section pay for it

        doc = condition(doc, params)
    return expand_document(doc, params, limits=limits, max_nodes=max_nodes)


def load_document(source: SpecSource, limits: Limits) -> Document:
    """Load a spec source. A ``str`` is always spec text, never a path: a path is an ``os.PathLike``.

    Guessing would let a stranger's text that names a file (``/proc/self/environ``)
    read that file and echo its lines in the diagnostics.
    """
    if isinstance(source, Mapping):
        return parse_data(source, limits)
    if isinstance(source, os.PathLike):
        return parse_file(source, limits, pipes=True)  # the caller's own file: `<(...)` and standard input too
    if isinstance(source, str):
        doc = parse_text(source, limits=limits)
        if isinstance(doc.data, str):
            raise SpecError(locate([text_not_path(source, "spec text")], doc))
        return doc
    # Any other value is data from Python: checked as such (a list is reported, not raised on).
    return parse_data(source, limits)


def text_not_path(text: str, what: str, found: str = "a single string, not a spec mapping") -> Diagnostic:
    """The error for a ``str`` that is not ``what`` but may have been meant as a file name.

    Its wording never depends on whether such a file exists, so it tells a
    stranger nothing about the files of the machine.
    """
    shown = text if len(text) <= 240 else f"{text[:200]}…{text[-30:]}"
    return Diagnostic(
        Code.WRONG_TYPE,
        f"a str given here is {what}, never a file name, and this one is {found}: {shown!r}",
        (),
        f"to read a file, pass a path object: pathlib.Path({shown!r})",
    )


def _merge(first: list[Diagnostic], more: list[Diagnostic]) -> list[Diagnostic]:
    seen = {(d.code, d.path) for d in first}
    return first + [d for d in more if (d.code, d.path) not in seen]


@dataclass
class Report:
    """A valid spec, its checked graph, its inferred shapes and sizes, and the warnings found on the way."""

    spec: Spec
    graph: Graph
    inference: Inference
    warnings: list[Diagnostic] = field(default_factory=list)


def validate(
    source: SpecSource, *, limits: Limits = Limits(), budget: Budget = Budget(), params: Params = None
) -> Report:
    """Run every check short of building: structure, graph, layer catalogue, shapes, budget, lint.

    Never imports TensorFlow or Keras. Lint warnings (training bugs that are very
    likely, see :mod:`graphspec.lint`) are in ``Report.warnings``; lint errors
    (models that cannot learn) fail validation like any other error. Catalogue and graph problems are reported
    together, so one run lists everything wrong with a spec. ``params`` set the
    spec's parameters, as for :func:`load`.

    Raises:
        SpecError: with every error found.
    """
    if isinstance(source, Spec):
        return _validate_spec(_no_params(source, params), budget)
    return validate_loaded(load_document(source, limits), limits=limits, budget=budget, params=params)


def validate_loaded(
    loaded: Document, *, limits: Limits = Limits(), budget: Budget = Budget(), params: Params = None
) -> Report:
    """:func:`validate` of a spec already read (``source.parse_text(text, file=...)``): the language server's entry.

    An editor's buffer is text with a file name, which includes and ``model:``
    files are relative to; the checks are those of :func:`validate`, one for one.

    Raises:
        SpecError: with every error found.
    """
    doc = _expanded(loaded, params, limits, budget.max_nodes)
    try:
        spec = parse_spec(doc)
    except SpecError as exc:
        # Keep going where the structure allows, to report everything at once.
        raise SpecError(merge_copies(locate(_merge(exc.diagnostics, _lenient_checks(doc, exc)), doc))) from None
    return _validate_spec(spec, budget)


def _validate_spec(spec: Spec, budget: Budget) -> Report:
    diags = budget.check_nodes(spec)
    if diags:
        raise SpecError(_placed(diags, spec))
    diags = _checks(spec)
    graph: Graph | None = None
    try:
        graph = resolve(spec)
    except SpecError as exc:
        diags += _echoes(diags, exc.diagnostics)
    if graph is None or any(d.is_error for d in diags):
        raise SpecError(_placed(diags, spec))
    inference = infer(graph)
    diags = [*inference.diagnostics, *budget.check_params(inference)]
    if any(d.is_error for d in diags):
        raise SpecError(_placed(diags, spec))
    # Lint runs last, on a spec known to build: its errors are models that cannot learn.
    found = _placed([*graph.warnings, *diags, *lint.lint(spec, graph, inference)], spec)
    if any(d.is_error for d in found):
        raise SpecError(found)
    return Report(spec, graph, inference, found)


def _placed(diags: list[Diagnostic], spec: Spec) -> list[Diagnostic]:
    """Located in the files they were written in; a problem of a block's definition once, not once per copy."""
    return merge_copies(locate(diags, spec.source))


def _checks(spec: Spec) -> list[Diagnostic]:
    return (
        catalog.check_nodes(spec.nodes)
        + check_calls(spec.nodes)
        + catalog.check_training(spec.outputs, spec.compile)
        + catalog.check_fit(spec.fit, len(spec.outputs))
        + lint.check_ignores(spec)
    )


def _echoes(checks: list[Diagnostic], graph: list[Diagnostic]) -> list[Diagnostic]:
    """Graph findings at a value the catalogue already refused (``training: no`` read as a reference) only echo it."""
    refused = {d.path for d in checks if d.is_error}
    return [d for d in graph if not (d.code is Code.UNKNOWN_REFERENCE and any(d.path[: len(p)] == p for p in refused))]


def _lenient_checks(doc: Document, exc: SpecError) -> list[Diagnostic]:
    """Checks that can still run on a spec with structural errors.

    The broken parts are left out and the rest is checked in full; the graph is
    checked too unless a removed part could change it (an input, a reference), in
    which case its findings would only echo the structural error.
    """
    problems = set(doc.problems)
    broken = [d.path for d in exc.diagnostics if d.path and d not in problems]
    spec, removed = repair(doc.data, broken)
    if spec is None:
        return catalog.check_nodes(parse_nodes_leniently(doc.data))
    diags = _checks(spec)
    if not any(_shapes_graph(path) for path in removed):
        try:
            resolve(spec)
        except SpecError as graph_exc:
            diags += graph_exc.diagnostics
    # A finding at or above a removed part (a node "needs layer" once its broken
    # `layer` is removed), or where the loader already reported (`units: .inf`),
    # only echoes an error already in the report.
    loaded = {d.path for d in problems if d.code is not Code.DUPLICATE_KEY}
    return [d for d in diags if d.path not in loaded and not any(path[: len(d.path)] == d.path for path in removed)]


def _shapes_graph(path: tuple[str | int, ...]) -> bool:
    if len(path) > 3 and path[0] == "nodes" and path[2] == "model":
        return _shapes_graph(path[3:])  # inside a nested model, as at the top
    section = path[0]
    if section == "inputs":
        return True
    if section in ("nodes", "outputs"):
        return len(path) < 3 or path[2] in ("inputs", "share", "from")
    return False


def build(
    source: SpecSource,
    *,
    compile: bool = True,
    limits: Limits = Limits(),
    budget: Budget = Budget(),
    params: Params = None,
) -> Any:
    """Validate a spec and build its ``keras.Model`` (compiled, unless ``compile=False``).

    Input and output names of the model are the spec's names, so ``fit`` and
    ``evaluate`` take dicts keyed by them. ``predict`` returns one array for a
    single output and a list in the spec's output order for several, as a
    hand-written functional model does.

    Raises:
        SpecError: for any invalid spec, including errors Keras raises while
            building, which name the node that caused them.
    """
    return build_report(validate(source, limits=limits, budget=budget, params=params), compile=compile, budget=budget)


def build_models(
    source: SpecSource,
    *,
    compile: bool = True,
    limits: Limits = Limits(),
    budget: Budget = Budget(),
    params: Params = None,
) -> dict[str, Any]:
    """Validate a spec and build all its models, by name: the spec's own (first, compiled unless
    ``compile=False``) and each one of its ``models:`` section, sharing their layers and weights
    (a seq2seq training model and its inference encoder and decoder).

    Raises:
        SpecError: as :func:`build`.
    """
    from graphspec.emit import emit_models

    report = validate(source, limits=limits, budget=budget, params=params)
    return _within_budget(emit_models, report, compile, budget)


def check_build(report: Report, budget: Budget = Budget()) -> None:
    """Refuse building a validated spec over the build budget (layers to build, estimated peak bytes); no TensorFlow.

    Raises:
        SpecError: ``too-many-nodes`` past ``budget.max_build_nodes``,
            ``too-many-params`` past ``budget.max_build_bytes``.
    """
    diags = budget.check_build(report.spec, report.inference)
    if diags:
        raise SpecError(locate(diags, report.spec.source))


def build_report(report: Report, *, compile: bool = True, budget: Budget = Budget()) -> Any:
    """Build the model of an already validated spec (what :func:`build` does after validating).

    The build budget is checked first (:func:`check_build`), before Keras is imported.

    Raises:
        SpecError: over the build budget, or for an error Keras raises while building.
    """
    from graphspec.emit import emit

    return _within_budget(emit, report, compile, budget)


def _within_budget(emitter: Callable[..., T], report: Report, compile: bool, budget: Budget) -> T:
    """``emitter`` (:func:`~graphspec.emit.emit` or ``emit_models``) on a validated spec, after :func:`check_build`."""
    check_build(report, budget)
    # Static counting covers the layers with a shape rule; when some layer has
    # none, emit counts exactly in a dry run before allocating anything.
    if report.inference.total_params is not None:
        return emitter(report.graph, compile=compile)
    return emitter(
        report.graph,
        compile=compile,
        max_params=budget.max_params,
        max_build_bytes=budget.max_build_bytes,
        bytes_per_param=budget.bytes_per_param,
    )
