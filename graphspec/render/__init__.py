"""Drawings of a spec's graph without TensorFlow or Graphviz: SVG, DOT, Mermaid, JSON and an HTML page.

:func:`draw` checks the spec as ``validate`` does and draws the checked graph
(the spec's, not Keras'): one box per node and per call of a shared layer,
block instances and sub-models as clusters, repeats collapsed, shapes,
parameters and FLOPs from the static inference. An invalid spec draws too, with
what is wrong marked. The JSON form (a :class:`~graphspec.render._scene.Scene`)
is what every other format is drawn from.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphspec._util.suggest import did_you_mean
from graphspec.budget import Budget
from graphspec.errors import Code, Diagnostic, SpecError
from graphspec.render._facts import facts_of
from graphspec.render._scene import DEFAULT_SHOW, SHOW_FIELDS, Edge, Node, Scene, build_scene, restrict, totals
from graphspec.source import Limits

__all__ = [
    "DEFAULT_SHOW",
    "FORMATS",
    "SHOW_FIELDS",
    "SUFFIXES",
    "DrawOptions",
    "Scene",
    "draw",
    "format_for",
    "render_scene",
    "scene_of",
    "write_model_svg",
]

SUFFIXES = {
    ".svg": "svg",
    ".dot": "dot",
    ".gv": "dot",
    ".mmd": "mermaid",
    ".mermaid": "mermaid",
    ".html": "html",
    ".htm": "html",
    ".json": "json",
}
ENGINES = ("builtin", "dot")
MERMAID_MAX_EDGES = 500  # Mermaid's default maxEdges


@dataclass(frozen=True)
class DrawOptions:
    """How to draw.

    Attributes:
        show: what boxes show beyond name and class: any of ``shapes``, ``params``,
            ``flops``, ``activation``, ``dtype``.
        expand: repeats (or any cluster) to draw open; ``"all"`` opens every one.
        depth: clusters nested deeper than this are drawn collapsed.
        rankdir: ``TB`` (top to bottom) or ``LR`` (left to right).
        start, end: draw only what lies on paths from ``start`` and/or to ``end``.
        engine: ``builtin`` (the layered layout here) or ``dot`` (Graphviz, for SVG).
    """

    show: Sequence[str] = DEFAULT_SHOW
    expand: Sequence[str] = ()
    depth: int | None = None
    rankdir: str = "TB"
    start: str | None = None
    end: str | None = None
    engine: str = "builtin"


def format_for(path: str | os.PathLike[str]) -> str | None:
    """The format a file name asks for (``model.svg`` → ``svg``), or ``None``."""
    return SUFFIXES.get(Path(path).suffix.lower())


def scene_of(
    source: Any,
    options: DrawOptions = DrawOptions(),
    *,
    diff: Any = None,
    params: Mapping[str, Any] | None = None,
    limits: Limits = Limits(),
    budget: Budget = Budget(),
) -> Scene:
    """The canonical drawing (nodes, edges, clusters) of a spec, before layout.

    Raises:
        SpecError: when the spec cannot be read at all, the options name nodes it lacks,
            or nothing lies between ``start`` and ``end`` (``bad-value``).
    """
    _check_options(options)
    facts = facts_of(source, params=params, limits=limits, budget=budget)
    name = getattr(facts.spec, "name", None) or "model"
    scene = build_scene(facts, name)
    scene.show = tuple(options.show)
    scene.rankdir = options.rankdir
    scene.problems = list(facts.diagnostics)
    _apply_marks(scene, facts.diagnostics)
    if diff is not None:
        from graphspec.render._diffmarks import apply_diff

        apply_diff(scene, diff, facts.spec, limits=limits)
    if options.start is not None or options.end is not None:
        for name_ in (options.start, options.end):
            if name_ is not None:
                _known_node(scene, name_, "--from/--to")
        restrict(scene, options.start, options.end)
    totals(scene)
    _collapse(scene, options)
    return scene


def draw(
    source: Any,
    *,
    format: str = "svg",
    options: DrawOptions | None = None,
    diff: Any = None,
    params: Mapping[str, Any] | None = None,
    limits: Limits = Limits(),
    budget: Budget = Budget(),
    **settings: Any,
) -> str:
    """Draw a spec (a ``Path``, spec text, a mapping, a :class:`~graphspec.Spec`, a validated
    :class:`~graphspec.Report`, or a ``.keras``/Keras JSON ``Path``) in one format.

    Never imports TensorFlow or Keras, except to read a Keras model file.

    Args:
        source: what to draw.
        format: ``svg``, ``dot``, ``mermaid``, ``html`` or ``json``.
        options: a :class:`DrawOptions`; or give its fields as keywords (``rankdir="LR"``).
        diff: an older version of the spec (same kinds as ``source``): nodes added,
            removed, changed and rewired since it are coloured.
        params, limits, budget: as for :func:`graphspec.validate`.

    Raises:
        SpecError: when the spec cannot be read at all (an invalid spec still draws,
            marked), ``unknown-reference`` for options naming nodes the spec lacks, or
            ``bad-value`` when nothing lies between ``start`` and ``end``.
        ValueError: for an unknown format, engine or ``show`` field.
        OSError: for ``engine="dot"`` without Graphviz's ``dot`` on ``PATH``.
    """
    chosen = options if options is not None else DrawOptions(**settings)
    if format not in FORMATS:
        raise ValueError(f"unknown drawing format {format!r}; use one of {', '.join(FORMATS)}")
    scene = scene_of(source, chosen, diff=diff, params=params, limits=limits, budget=budget)
    return render_scene(scene, format, chosen)


def render_scene(scene: Scene, format: str, options: DrawOptions = DrawOptions()) -> str:
    """A scene (from :func:`scene_of`) in one format.

    Raises:
        ValueError: for an unknown format.
        OSError: for ``engine="dot"`` without Graphviz's ``dot``.
    """
    if format not in FORMATS:
        raise ValueError(f"unknown drawing format {format!r}; use one of {', '.join(FORMATS)}")
    return FORMATS[format](scene, options)


def write_model_svg(report: Any, folder: str | os.PathLike[str], name: str = "model.svg") -> Path:
    """Write the drawing of a validated spec into a folder (what ``graphspec fit`` puts in its
    run folder), atomically."""
    from graphspec._util.files import write_text_atomically

    target = Path(folder) / name
    write_text_atomically(target, draw(report, format="svg"))
    return target


# ---------------------------------------------------------------------------
# options


def _check_options(options: DrawOptions) -> None:
    unknown = [s for s in options.show if s not in SHOW_FIELDS]
    if unknown:
        raise ValueError(f"unknown --show field {unknown[0]!r}; use any of {', '.join(SHOW_FIELDS)}")
    if options.rankdir not in ("TB", "LR"):
        raise ValueError(f"rankdir must be TB or LR, not {options.rankdir!r}")
    if options.engine not in ENGINES:
        raise ValueError(f"unknown layout engine {options.engine!r}; use builtin or dot")
    if options.depth is not None and options.depth < 0:
        raise ValueError(f"depth must be 0 or more, not {options.depth}")


def _known_node(scene: Scene, name: str, option: str) -> None:
    if name in scene.nodes or name in scene.clusters:
        return
    choices = [*scene.nodes, *scene.clusters]
    hint = did_you_mean(name, choices, otherwise="give a node, input, output (output:NAME) or block instance name")
    raise SpecError.single(Code.UNKNOWN_REFERENCE, f"{option} names {name!r}, which is not in the drawing", (), hint)


def _collapse(scene: Scene, options: DrawOptions) -> None:
    """Repeats are drawn collapsed unless expanded; clusters deeper than ``depth`` too; changed ones stay open."""
    opened: set[str] = set()
    every = "all" in options.expand
    for name in options.expand:
        if name == "all":
            continue
        _known_node(scene, name, "--expand")
        start = name if name in scene.clusters else scene.nodes[name].cluster
        opened.update(scene.chain(start))
    for node in scene.nodes.values():
        if node.diff or node.status == "error":
            opened.update(scene.chain(node.cluster))
    for cid, cluster in scene.clusters.items():
        too_deep = options.depth is not None and len(scene.chain(cid)) > options.depth
        folded = cluster.kind == "repeat" and not every
        cluster.collapsed = cid not in opened and (too_deep or folded)


# ---------------------------------------------------------------------------
# diagnostics: the node, edge or cluster each one names


def _apply_marks(scene: Scene, diagnostics: list[Diagnostic]) -> None:
    for d in diagnostics:
        text = _diag_text(d)
        status = "error" if d.is_error else "warning"
        target = _target(scene, d.path)
        if target is None:
            scene.notes.append(text)
            continue
        kind, ident, slot = target
        item: Node | Edge | Any
        if kind == "edge":
            edges = [e for e in scene.edges if e.target == ident and (slot is None or e.slot == slot)]
            for e in edges:
                e.status = _worse(e.status, status)
                e.diagnostics.append(text)
            item = scene.nodes.get(ident) or scene.clusters.get(ident)
        else:
            item = scene.nodes.get(ident) if kind == "node" else scene.clusters.get(ident)
        if item is None:
            scene.notes.append(text)
            continue
        item.status = _worse(item.status, status)
        item.diagnostics.append(text)


def _worse(old: str | None, new: str) -> str:
    return "error" if "error" in (old, new) else new


def _diag_text(d: Diagnostic) -> str:
    where = f" ({d.where()})" if d.line is not None else ""
    hint = f" — {d.hint}" if d.hint else ""
    return f"{d.severity.value}[{d.code.value}]: {d.message}{hint}{where}"


def _target(scene: Scene, path: tuple[str | int, ...]) -> tuple[str, str, int | None] | None:
    """What a diagnostic path names: ("node" | "cluster" | "edge", id, input slot)."""
    prefix = ""
    rest = tuple(path)
    while len(rest) >= 4 and rest[0] == "nodes" and rest[2] == "model":
        prefix += f"{rest[1]}."
        rest = rest[3:]
    if len(rest) < 2:
        return ("cluster", prefix[:-1], None) if prefix and prefix[:-1] in scene.clusters else None
    section, name = rest[0], str(rest[1])
    ident = prefix + ("output:" + name if section == "outputs" else name)
    if section == "nodes" and len(rest) >= 3 and rest[2] == "inputs":
        slot = rest[3] if len(rest) > 3 and isinstance(rest[3], int) else None
        return ("edge", ident, slot)
    if ident in scene.nodes:
        return ("node", ident, None)
    if ident in scene.clusters:
        return ("cluster", ident, None)
    if section in ("nodes", "inputs", "outputs"):
        scope = ident.rsplit("/", 1)[0] if "/" in ident else None
        if scope in scene.clusters:
            return ("cluster", scope, None)
    return None


# ---------------------------------------------------------------------------
# formats


def _svg(scene: Scene, options: DrawOptions) -> str:
    if options.engine == "dot":
        from graphspec.render._dot import dot_svg

        return dot_svg(scene)
    from graphspec.render._svg import Picture, render_svg

    return render_svg(Picture(scene))


def _dot(scene: Scene, options: DrawOptions) -> str:
    from graphspec.render._dot import render_dot

    return render_dot(scene)


def _mermaid(scene: Scene, options: DrawOptions) -> str:
    from graphspec.render._mermaid import render_mermaid

    return render_mermaid(scene, MERMAID_MAX_EDGES)


def _html(scene: Scene, options: DrawOptions) -> str:
    from graphspec.render._html import render_html

    return render_html(scene)


def _json(scene: Scene, options: DrawOptions) -> str:
    return json.dumps(scene.to_data(), indent=1, ensure_ascii=False, sort_keys=False) + "\n"


FORMATS: dict[str, Callable[[Scene, DrawOptions], str]] = {
    "svg": _svg,
    "dot": _dot,
    "mermaid": _mermaid,
    "html": _html,
    "json": _json,
}
