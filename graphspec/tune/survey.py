"""Points of a search space checked without TensorFlow, and the whole space surveyed.

Every trial of a search is a concrete spec. :func:`check_point` expands and
validates it (structure, graph, catalogue, shapes, budget) and holds its static
parameter and FLOP counts to the space's constraints, all in pure Python, so a
point the constraints refuse costs milliseconds and no TensorFlow work.

:func:`check_search` (what ``graphspec validate`` runs for a spec with a
``search:`` section) surveys the space before any trial: the spec as written, the
objective against the metrics the model logs, and a set of points: every corner
when there are at most ``max_corners`` of them, else the all-low and all-high
corners, each parameter flipped alone from both, random corners up to the bound,
then random interior points. It reports the range of parameter counts and FLOPs
over those points (exact over all corners when the corners were enumerated, a
sample otherwise: counts grow with widths and depths, so corners usually bracket
them, but a sample proves nothing about points it did not see), how many the
constraints refuse, and every point whose spec is invalid, as errors.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from graphspec._util.suggest import did_you_mean_or_list
from graphspec.budget import Budget
from graphspec.errors import Code, Diagnostic, SpecError
from graphspec.expand.expr import Value
from graphspec.expand.search import Objective, Point, Space, parse_space
from graphspec.pipeline import Report, validate_loaded
from graphspec.source import Document, Limits, locate

__all__ = ["SearchReport", "Verdict", "check_point", "check_search", "logged_metrics", "objective_of"]

MAX_CORNERS = 128
RANDOM_POINTS = 16
_SHOWN_FAILURES = 5
_BUDGET_CODES = (Code.TOO_MANY_PARAMS, Code.TOO_MANY_NODES)


@dataclass
class Verdict:
    """What the static checks say about one point of a space.

    Attributes:
        chosen: the searched values given.
        point: every active value (derived ones included), once they resolved.
        status: ``ok`` (it may be built and trained), ``refused`` (over a
            constraint or the budget) or ``failed`` (its spec is invalid).
        report: the validated spec, for ``ok`` and constraint refusals.
        params, flops: the static counts (a lower bound when ``*_exact`` is false:
            some layer has no rule; the rest is counted at build time).
        constraint: which bound refused it (``max_params``, ``max_flops``, ``budget``).
        reason: why it was refused, in words.
        diagnostics: why it failed.
        seconds: how long the checks took.
    """

    chosen: dict[str, Value]
    point: Point | None
    status: str
    report: Report | None = None
    params: int | None = None
    params_exact: bool = True
    flops: int | None = None
    flops_exact: bool = True
    constraint: str | None = None
    reason: str | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def values(self) -> dict[str, Value]:
        return self.point.values if self.point is not None else dict(self.chosen)


def check_point(
    space: Space,
    chosen: Mapping[str, Any],
    *,
    params: Mapping[str, Any] | None = None,
    limits: Limits = Limits(),
    budget: Budget = Budget(),
) -> Verdict:
    """Expand, validate and constrain the spec at one point of ``space``, without TensorFlow.

    ``params`` sets other (not searched) parameters, as ``--set`` does. Never
    raises for a bad point: an invalid one is ``failed`` with its diagnostics.
    """
    start = time.perf_counter()
    verdict = _check(space, dict(chosen), dict(params or {}), limits, budget)
    verdict.seconds = time.perf_counter() - start
    return verdict


def _check(space: Space, chosen: dict[str, Value], params: dict[str, Any], limits: Limits, budget: Budget) -> Verdict:
    try:
        point = space.point(chosen, space.defaults(params))
    except SpecError as exc:
        return Verdict(chosen, None, "failed", diagnostics=exc.diagnostics)
    try:
        report = validate_loaded(space.doc, limits=limits, budget=budget, params={**params, **point.values})
    except SpecError as exc:
        over = [d for d in exc.errors if d.code in _BUDGET_CODES]
        if over:
            return Verdict(
                chosen, point, "refused", constraint="budget", reason=over[0].message, diagnostics=exc.diagnostics
            )
        return Verdict(chosen, point, "failed", diagnostics=exc.diagnostics)
    inf = report.inference
    weights = inf.total_params if inf.total_params is not None else sum(n.params or 0 for n in inf.nodes.values())
    flops = inf.total_flops if inf.total_flops is not None else sum(n.flops or 0 for n in inf.nodes.values())
    verdict = Verdict(
        chosen, point, "ok", report, weights, inf.total_params is not None, flops, inf.total_flops is not None
    )
    for name, limit, count, exact, what in (
        ("max_params", space.max_params, weights, verdict.params_exact, "parameters"),
        ("max_flops", space.max_flops, flops, verdict.flops_exact, "FLOPs per example"),
    ):
        if limit is not None and count > limit:
            bound = "" if exact else "at least "
            return replace(
                verdict, status="refused", constraint=name, reason=f"{bound}{count:,} {what}, over {name} {limit:,}"
            )
    return verdict


# ---------------------------------------------------------------------------
# metrics and the objective


def logged_metrics(report: Report) -> tuple[set[str], bool]:
    """The names Keras logs when it trains this spec's model, and whether the list is certain.

    ``loss``; with several outputs ``<output>_loss`` for each output with a loss and
    ``<output>_<metric>`` for its metrics, else the bare metric names; ``val_`` of
    each when ``fit.validation_split`` holds data out. A metric object without a
    ``name`` in its config gets Keras' default name, which this does not know for
    sure: then the list is not certain.
    """
    spec = report.spec
    several = len(spec.outputs) > 1
    names = {"loss"}
    certain = True
    for out_name, out in spec.outputs.items():
        if several and out.loss is not None:
            names.add(f"{out_name}_loss")
        for metric in out.metrics:
            name = metric if isinstance(metric, str) else (metric.get("config") or {}).get("name")
            if not isinstance(name, str):
                certain = False
                name = _snake(str(metric.get("class_name", "")) if isinstance(metric, dict) else "")
            names.add(f"{out_name}_{name}" if several else name)
    if spec.fit is not None and spec.fit.validation_split > 0:
        names |= {f"val_{n}" for n in names}
    return names, certain


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z][a-z])", "_", name).lower()


def objective_of(space: Space, report: Report) -> tuple[Objective, list[Diagnostic]]:
    """The objective the search optimises, checked against what the spec's model logs.

    Without an ``objective:``, it is ``val_loss`` when ``fit.validation_split``
    holds data out, else ``loss``.
    """
    names, certain = logged_metrics(report)
    held_out = report.spec.fit is not None and report.spec.fit.validation_split > 0
    objective = space.objective
    if not space.objective_given:
        return (objective if held_out else replace(objective, name="loss")), []
    if objective.name in names or not certain:
        return objective, []
    if objective.name.startswith("val_") and not held_out:
        hint = "set fit.validation_split (0.2 holds out a fifth of the data), or tune on a training metric"
        return objective, [
            Diagnostic(
                Code.UNKNOWN_OBJECTIVE,
                f"objective {objective.name!r} needs validation data, and the spec holds none out",
                objective.path,
                hint,
            )
        ]

    hint = did_you_mean_or_list(objective.name, sorted(names), label="logged")
    return objective, [
        Diagnostic(
            Code.UNKNOWN_OBJECTIVE,
            f"objective {objective.name!r} is not a metric this model logs ({', '.join(sorted(names))})",
            objective.path,
            hint,
        )
    ]


# ---------------------------------------------------------------------------
# the survey


@dataclass
class SearchReport:
    """What :func:`check_search` found: the space, the objective, every point checked.

    Attributes:
        space: the parsed space.
        objective: the objective the search optimises (``loss`` when none is given and nothing is held out).
        spec: the spec as written (at its defaults), validated.
        verdicts: the points checked, corners first.
        corners: how many corners the space has; ``corners_checked`` of them were checked.
        exhaustive: whether every corner was checked.
        random_points: how many random interior points were checked.
        configurations: distinct points of the space (``None``: some range is continuous).
        diagnostics: errors (invalid points, an unknown objective, a space the constraints refuse everywhere).
        notes: what the figures do not cover (layers without a FLOP rule, ...).
        seconds: how long the survey took.
    """

    space: Space
    objective: Objective
    spec: Report
    verdicts: list[Verdict]
    corners: int
    corners_checked: int
    exhaustive: bool
    random_points: int
    configurations: int | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    def counted(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.params is not None]

    def span(self, attr: str) -> tuple[Verdict, Verdict] | None:
        """The checked points with the fewest and the most ``params`` (or ``flops``)."""
        points = [v for v in self.counted() if getattr(v, attr) is not None]
        if not points:
            return None
        return min(points, key=lambda v: getattr(v, attr)), max(points, key=lambda v: getattr(v, attr))

    def refused(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for v in self.verdicts:
            if v.status == "refused" and v.constraint is not None:
                out[v.constraint] = out.get(v.constraint, 0) + 1
        return out

    def lines(self) -> list[str]:
        """What ``graphspec validate`` prints about the search."""
        sp = self.space
        conditional = sum(1 for p in sp.params if p.conditions)
        derived = sum(1 for p in sp.params if p.kind == "derived")
        size = f"{self.configurations:,} configurations" if self.configurations is not None else "continuous"
        extra = ", ".join(
            x
            for x in (f"{conditional} conditional" if conditional else "", f"{derived} derived" if derived else "")
            if x
        )
        limits = ", ".join(
            f"{k} {v:,}" for k, v in (("max_params", sp.max_params), ("max_flops", sp.max_flops)) if v is not None
        )
        head = (
            f"search: {len(sp.params)} parameters{f' ({extra})' if extra else ''}, {size}; "
            f"objective {self.objective.name} ({self.objective.direction})"
        )
        lines = [head + (f"; {limits}" if limits else "")]
        which = (
            f"all {self.corners:,} corners"
            if self.exhaustive
            else f"{self.corners_checked} of {self.corners:,} corners"
        )
        checked = (
            f"checked {len(self.verdicts)} points "
            f"({which}{f', {self.random_points} random' if self.random_points else ''}) in {self.seconds:.2f} s"
        )
        for attr, what in (("params", "parameters"), ("flops", "FLOPs per example")):
            span = self.span(attr)
            if span is not None:
                low, high = span
                lower = "" if all(getattr(v, f"{attr}_exact") for v in (low, high)) else "at least "
                checked += f"; {what} {lower}{getattr(low, attr):,} – {getattr(high, attr):,}"
        lines.append(
            checked + ("" if self.exhaustive else " (over the points checked: a sample, the space may reach further)")
        )
        refused = self.refused()
        if refused:
            lines.append(
                "refused by constraints: "
                + ", ".join(f"{n} of {len(self.verdicts)} points over {k}" for k, n in refused.items())
                + " (refused without building when sampled)"
            )
        lines.extend(f"note: {n}" for n in self.notes)
        return lines

    def to_dict(self) -> dict[str, Any]:
        def span(attr: str) -> dict[str, Any] | None:
            found = self.span(attr)
            return (
                None
                if found is None
                else {
                    "min": getattr(found[0], attr),
                    "max": getattr(found[1], attr),
                    "at_min": found[0].values,
                    "at_max": found[1].values,
                }
            )

        return {
            "parameters": {p.name: p.describe() for p in self.space.params},
            "objective": {"name": self.objective.name, "direction": self.objective.direction},
            "constraints": self.space.describe()["constraints"],
            "configurations": self.configurations,
            "corners": self.corners,
            "corners_checked": self.corners_checked,
            "exhaustive": self.exhaustive,
            "random_points": self.random_points,
            "points": len(self.verdicts),
            "params": span("params"),
            "flops": span("flops"),
            "refused": self.refused(),
            "failed": sum(1 for v in self.verdicts if v.status == "failed"),
            "notes": self.notes,
            "seconds": round(self.seconds, 4),
        }


def load_space(source: Any, limits: Limits = Limits()) -> tuple[Document, Space | None]:
    """Load a spec (path, text, mapping or document) and parse its search section (``None``: it has none).

    Raises:
        SpecError: for unreadable text or a malformed ``search:`` section.
    """
    from graphspec.pipeline import load_document

    doc = source if isinstance(source, Document) else load_document(source, limits)
    return doc, parse_space(doc)


def check_search(
    source: Any,
    *,
    params: Mapping[str, Any] | None = None,
    limits: Limits = Limits(),
    budget: Budget = Budget(),
    seed: int = 0,
    max_corners: int = MAX_CORNERS,
    random_points: int = RANDOM_POINTS,
) -> SearchReport | None:
    """Survey a spec's search space without TensorFlow; ``None`` for a spec without ``search:``.

    Args:
        source: the spec (a path, text, mapping or loaded document).
        params: values of parameters the search does not set (``--set``); values
            for searched ones are ignored (the survey covers their range).
        limits, budget: as for :func:`graphspec.validate`; a point over the budget counts as refused.
        seed: seeds the random corners and points, so a survey repeats exactly.
        max_corners: check every corner up to this many, else a selection of this many.
        random_points: random interior points checked besides the corners.

    Raises:
        SpecError: if the spec as written is invalid, or its search section is.
            Problems found at points of the space are in the report's ``diagnostics``.
    """
    start = time.perf_counter()
    doc, space = load_space(source, limits)
    if space is None:
        return None
    # Values given for searched parameters are left out: the survey covers their whole range.
    overrides = {k: v for k, v in (params or {}).items() if k not in space.by_name}
    spec = validate_loaded(doc, limits=limits, budget=budget, params=overrides)
    objective, diagnostics = objective_of(space, spec)
    rng = random.Random(seed)
    corners = space.corners()
    chosen = list(_selected_corners(space, rng, corners, max_corners))
    corner_count = len(chosen)
    seen = {_key(c) for c in chosen}
    for _ in range(random_points * 4):
        if len(chosen) - corner_count >= random_points:
            break
        candidate = space.random_point(rng)
        if _key(candidate) not in seen:
            seen.add(_key(candidate))
            chosen.append(candidate)
    verdicts = [check_point(space, c, params=overrides, limits=limits, budget=budget) for c in chosen]
    report = SearchReport(
        space,
        objective,
        spec,
        verdicts,
        corners,
        corner_count,
        corner_count >= corners,
        len(chosen) - corner_count,
        space.configurations(),
    )
    report.diagnostics = [*locate(diagnostics, doc), *_point_problems(space, verdicts, doc)]
    report.notes = _notes(space, verdicts)
    report.seconds = time.perf_counter() - start
    return report


def searched_overrides_refused(space: Space, params: Mapping[str, Any] | None) -> dict[str, Any]:
    """``params`` for a search: values of parameters it does not set; setting one it searches is an error.

    Raises:
        SpecError: ``bad-value`` naming a searched parameter that was set.
    """
    given = dict(params or {})
    clash = [p for p in space.params if p.name in given]
    if clash:
        names = ", ".join(p.name for p in clash)
        raise SpecError(
            locate(
                [
                    Diagnostic(
                        Code.BAD_VALUE,
                        f"--set/params gives {names}, which the search sets",
                        clash[0].path,
                        "to hold a parameter at one value while searching, write {fixed: value} under search.params",
                    )
                ],
                space.doc,
            )
        )
    return given


def _selected_corners(space: Space, rng: random.Random, total: int, cap: int) -> Iterator[dict[str, Value]]:
    """Every corner when there are at most ``cap``; else extremes, single flips, then random corners."""
    if total <= cap:
        yield from space.every_corner()
        return
    seen: set[tuple[Any, ...]] = set()

    def fresh(values: dict[str, Value]) -> bool:
        key = _key(values)
        if key in seen or len(seen) >= cap:
            return False
        seen.add(key)
        return True

    for side in (0, -1):
        base = space.walk(lambda p, side=side: p.extremes()[side])  # type: ignore[misc]
        if fresh(base):
            yield base
        for flipped in space.searched:
            point = space.walk(lambda p, f=flipped.name, b=base, side=side: _flip(p, f, b, side))  # type: ignore[misc]
            if fresh(point):
                yield point
    for _ in range(cap * 4):
        if len(seen) >= cap:
            return
        point = space.random_corner(rng)
        if fresh(point):
            yield point


def _flip(p: Any, flipped: str, base: Mapping[str, Value], side: int) -> Value:
    """``p``'s value at the corner that is ``base`` (all at one ``side``) with ``flipped`` at the other end."""
    if p.name == flipped:
        return p.extremes()[-1 - side]  # type: ignore[no-any-return]
    return base[p.name] if p.name in base else p.extremes()[side]  # type: ignore[no-any-return]


def _key(values: Mapping[str, Value]) -> tuple[Any, ...]:
    return tuple(sorted((k, repr(v)) for k, v in values.items()))


def _point_problems(space: Space, verdicts: list[Verdict], doc: Document) -> list[Diagnostic]:
    """Errors for points whose spec is invalid (each problem once), and for a space refused everywhere."""
    out: list[Diagnostic] = []
    seen: set[tuple[Code, Any]] = set()
    failed = [v for v in verdicts if v.status == "failed"]
    for v in failed:
        for d in v.diagnostics:
            if not d.is_error or (d.code, d.path) in seen or len(seen) >= _SHOWN_FAILURES:
                continue
            seen.add((d.code, d.path))
            out.append(replace(d, message=f"at the search point {_label(space, v)}: {d.message}"))
    if out:
        share = f"{len(failed)} of {len(verdicts)} points checked fail: narrow the ranges that lead there"
        out[-1] = replace(out[-1], hint=f"{out[-1].hint}; {share}" if out[-1].hint else share)
    if verdicts and all(v.status == "refused" for v in verdicts):
        smallest = min((v.params for v in verdicts if v.params is not None), default=None)
        limits = (
            ", ".join(
                f"{k} {v:,}"
                for k, v in (("max_params", space.max_params), ("max_flops", space.max_flops))
                if v is not None
            )
            or "the budget"
        )
        detail = f"; the smallest has {smallest:,} parameters" if smallest is not None else ""
        out.append(
            Diagnostic(
                Code.INFEASIBLE_SEARCH,
                f"every one of the {len(verdicts)} points checked is over {limits}{detail}: "
                "the search would refuse every trial",
                ("search", "constraints") if space.max_params or space.max_flops else ("search",),
                "raise the constraint, or narrow the ranges toward smaller models",
            )
        )
    return locate(out, doc)


def _label(space: Space, v: Verdict) -> str:
    return v.point.label() if v.point is not None else ", ".join(f"{k}={val}" for k, val in v.chosen.items())


def _notes(space: Space, verdicts: list[Verdict]) -> list[str]:
    notes = []
    for flag, limit, what in (
        ("params_exact", space.max_params, "parameter"),
        ("flops_exact", space.max_flops, "FLOP"),
    ):
        inexact = [v for v in verdicts if v.report is not None and not getattr(v, flag)]
        if inexact:
            report = inexact[0].report
            assert report is not None
            attr = "params" if what == "parameter" else "flops"
            layers = sorted({info.layer for info in report.inference.nodes.values() if getattr(info, attr) is None})
            effect = (
                "; max_params is checked again at build time"
                if what == "parameter" and limit is not None
                else (" and max_flops does not count them" if limit is not None else "")
            )
            notes.append(
                f"{what} counts of {', '.join(layers) or 'some layers'} are not known statically: "
                f"the figures are lower bounds{effect}"
            )
    return notes
