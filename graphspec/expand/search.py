"""Search spaces: the ``search:`` section of a spec, parsed, checked, sampled and applied. No TensorFlow.

A spec that declares parameters (``params:``) may say which of them a search
varies, and over what::

    params:                          # the spec as written: it builds at these values
      width: 64
      optimizer: Adam
      learning_rate: 0.001
      momentum: 0.0
      beta_1: 0.9
      head: {type: int, default: 32}
    search:
      objective: val_loss            # or {name: val_income_acc, direction: max}
      constraints: {max_params: 2000000, max_flops: 5.0e8}
      params:
        width: {int: [32, 256], step: 32}
        learning_rate: {float: [1.0e-4, 1.0e-2], scale: log}
        dropout: {float: [0.0, 0.5], step: 0.1}
        activation: [relu, gelu]                 # a choice
        batch_norm: boolean
        epochs: {fixed: 3}
        optimizer:                               # a choice whose branches carry their own parameters
          choice:
            SGD: {momentum: {float: [0.0, 0.95]}}
            Adam: {beta_1: {float: [0.8, 0.99]}}
            RMSprop: {}
        head: "${width // 2}"                    # derived from other parameters

Every searched name must be declared under ``params:`` (its type and the value
the spec builds with); the search only chooses values, which flow through the
ordinary ``$name`` mechanism of :mod:`graphspec.expand`.

A parameter in a branch that is not chosen is *inactive*: it gets no value, and
every mapping entry of the spec whose value is exactly ``$name`` (or
``${name}``) of an inactive parameter is left out, so ``config: {learning_rate:
$learning_rate, momentum: $momentum, beta_1: $beta_1}`` gives SGD its momentum and
Adam its ``beta_1``. This holds for the spec as written too (at its defaults, or
with ``--set``), so the spec itself always builds. Elsewhere (inside a longer
expression, in a list) an inactive parameter has its ``params:`` default.

This module parses and checks the section (every problem at its line, with
did-you-mean), describes points of the space, enumerates its corners and draws
random points for :mod:`graphspec.tune.survey`, and applies a point to a spec
document. The search itself is Keras Tuner's (:mod:`graphspec.tune.run`).
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from graphspec._util.names import IDENTIFIER, IDENTIFIER_RE
from graphspec._util.suggest import did_you_mean, did_you_mean_or_list
from graphspec.errors import Code, Diagnostic, Path, SpecError
from graphspec.expand.expr import ExprError, Value, evaluate
from graphspec.expand.expr import as_type as _as_type
from graphspec.expand.expr import type_of as _type_of
from graphspec.source import Document, locate

__all__ = ["KINDS", "Objective", "Param", "Point", "Space", "condition", "parse_space"]

KINDS = ("int", "float", "choice", "boolean", "fixed", "derived")
SCALES = ("linear", "log", "reverse_log")
_SECTION_KEYS = ("params", "objective", "constraints")
_CONSTRAINTS = ("max_params", "max_flops")
_RANGE_KEYS = ("step", "scale")
_MAX_PARAMS = 256
_MAX_DEPTH = 8
_MAX_CHOICES = 1000

_NAME = IDENTIFIER_RE
_REFERENCE = re.compile(rf"\$\{{\s*({IDENTIFIER})\s*\}}|\$({IDENTIFIER})")
_EXPRESSION = re.compile(rf"\$\{{([^{{}}]*)\}}|\$({IDENTIFIER})")
_PARAM_TYPES = ("int", "float", "bool", "str")

# Metrics whose smaller values are better; any other objective name must say its direction.
_MINIMISED = (
    "loss",
    "error",
    "mse",
    "mae",
    "mape",
    "msle",
    "hinge",
    "crossentropy",
    "poisson",
    "divergence",
    "kld",
    "logcosh",
    "huber",
)
_MAXIMISED = ("acc", "auc", "precision", "recall", "f1", "iou", "r2", "correlation", "similarity")


# ---------------------------------------------------------------------------
# The parsed space


@dataclass(frozen=True)
class Condition:
    """A parameter is active only when ``parent`` takes one of ``values``."""

    parent: str
    values: tuple[Value, ...]


@dataclass(frozen=True)
class Param:
    """One searched parameter.

    Attributes:
        name: the parameter (declared under the spec's ``params:``).
        kind: one of :data:`KINDS`.
        type: its declared type: ``int``, ``float``, ``bool`` or ``str``.
        path: where it is written (``search.params.optimizer.choice.SGD.momentum``).
        low, high, step, scale: a range's bounds (both included), its step (with
            ``log`` scales a factor: 32, 64, 128 for step 2) and its scale.
        values: a choice's values in order; ``(value,)`` for ``fixed``.
        expression: a derived parameter's expression (the text inside ``${...}``).
        branches: for a conditional choice, the names declared in each value's branch.
        conditions: when it is active (every condition holds), outermost first.
        default: the value the spec is written with, when it lies in the domain.
    """

    name: str
    kind: str
    type: str
    path: Path
    low: int | float | None = None
    high: int | float | None = None
    step: int | float | None = None
    scale: str = "linear"
    values: tuple[Value, ...] = ()
    expression: str | None = None
    branches: dict[Value, tuple[str, ...]] = field(default_factory=dict)
    conditions: tuple[Condition, ...] = ()
    default: Value | None = None

    @property
    def searched(self) -> bool:
        """Whether a tuner chooses its value (not ``fixed``, not derived)."""
        return self.kind not in ("fixed", "derived")

    @property
    def stepped(self) -> bool:
        return self.kind in ("int", "float") and self.step is not None

    def size(self) -> int | None:
        """How many values it has; ``None`` for a continuous range."""
        if self.kind in ("choice", "fixed"):
            return len(self.values)
        if self.kind == "boolean":
            return 2
        if self.stepped:
            assert self.low is not None and self.high is not None and self.step is not None
            if self.scale == "linear":  # with a little slack: 0.5 // 0.1 is 4.0 in floats
                return math.floor((self.high - self.low) / self.step + 1e-9) + 1
            return int(math.log(self.high / self.low, self.step) + 1e-8) + 1
        if self.kind == "int":  # a log-scaled int range without a step: every integer in it
            assert self.low is not None and self.high is not None
            return int(self.high - self.low + 1)
        return None

    def grid(self) -> tuple[Value, ...] | None:
        """Every value of a discrete parameter with at most 1,000 of them, in order; else ``None``."""
        size = self.size()
        if size is None or size > _MAX_CHOICES or self.kind == "derived":
            return None
        if self.kind in ("choice", "fixed"):
            return self.values
        if self.kind == "boolean":
            return (False, True)
        if self.stepped:
            return tuple(self._on_grid(i) for i in range(size))
        assert self.low is not None
        return tuple(range(int(self.low), int(self.low) + size))

    def _on_grid(self, index: int) -> Value:
        """Keras Tuner's ``index``-th value of a stepped range (``Numerical._get_value_by_index``)."""
        assert self.low is not None and self.high is not None and self.step is not None
        if self.scale == "linear":
            value = self.low + index * self.step
        elif self.scale == "log":
            value = self.low * self.step**index
        else:
            value = self.high + self.low - self.low * self.step**index
        # 0.1 * 3 is 0.30000000000000004: a value on a decimal grid is written as the decimal it stands for.
        return int(value) if self.kind == "int" else float(f"{value:.12g}")

    def extremes(self) -> tuple[Value, ...]:
        """The values a corner of the space takes: a range's ends, every choice, both booleans."""
        if self.kind in ("int", "float"):
            assert self.low is not None and self.high is not None
            if self.stepped:
                last = self.size() or 1
                return tuple(dict.fromkeys((self._on_grid(0), self._on_grid(last - 1))))
            return (self.low, self.high)
        return self.grid() or ()

    def sample(self, rng: random.Random) -> Value:
        """A random value, drawn as Keras Tuner draws it (uniform on the scale, on the step grid)."""
        if self.kind in ("choice", "fixed"):
            return self.values[rng.randrange(len(self.values))]
        if self.kind == "boolean":
            return rng.random() < 0.5
        if self.stepped:
            return self._on_grid(rng.randrange(self.size() or 1))
        assert self.low is not None and self.high is not None
        u = rng.random()
        if self.scale == "linear":
            value = self.low + u * (self.high - self.low)
        elif self.scale == "log":
            value = self.low * (self.high / self.low) ** u
        else:
            value = self.high + self.low - self.low * (self.high / self.low) ** (1 - u)
        return min(int(value), int(self.high)) if self.kind == "int" else float(value)

    def admits(self, value: Any) -> bool:
        """Whether ``value`` is one of this parameter's values (for trials kept across space changes)."""
        if self.kind == "derived":
            return True
        if isinstance(value, bool) != (self.type == "bool"):
            return False
        if self.kind in ("choice", "fixed", "boolean"):
            return any(_same(value, v) for v in (self.grid() or ()))
        if not isinstance(value, int | float) or (self.kind == "int" and not isinstance(value, int)):
            return False
        assert self.low is not None and self.high is not None
        slack = 1e-9 * max(abs(self.low), abs(self.high), 1.0)
        if not self.low - slack <= value <= self.high + slack:
            return False
        if not self.stepped:
            return True
        assert self.step is not None
        if self.scale == "linear":
            index = (value - self.low) / self.step
        elif self.scale == "log":
            index = math.log(value / self.low, self.step)
        else:
            index = math.log((self.high + self.low - value) / self.low, self.step)
        nearest = round(index)
        return 0 <= nearest < (self.size() or 0) and _same(self._on_grid(nearest), value)

    def describe(self) -> dict[str, Any]:
        """The parameter as plain data (what a resumed search compares)."""
        out: dict[str, Any] = {"kind": self.kind, "type": self.type}
        if self.kind in ("int", "float"):
            out.update(low=self.low, high=self.high, step=self.step, scale=self.scale)
        elif self.kind in ("choice", "fixed"):
            out["values"] = list(self.values)
        elif self.kind == "derived":
            out["expression"] = self.expression
        if self.conditions:
            out["when"] = {c.parent: list(c.values) for c in self.conditions}
        return out

    def render(self) -> str:
        """``int 32..256 step 32``, ``float 0.0001..0.01 log``, ``choice SGD|Adam``."""
        if self.kind in ("int", "float"):
            step = f" step {self.step:g}" if self.step is not None else ""
            scale = "" if self.scale == "linear" else f" {self.scale}"
            return f"{self.kind} {self.low:g}..{self.high:g}{step}{scale}"
        if self.kind == "choice":
            return "choice " + "|".join(_text(v) for v in self.values)
        if self.kind == "fixed":
            return f"fixed {_text(self.values[0])}"
        if self.kind == "derived":
            return f"derived ${{{self.expression}}}"
        return "boolean"


@dataclass(frozen=True)
class Objective:
    """What the search optimises: a metric Keras logs (``val_loss``, ``val_income_acc``) and a direction."""

    name: str
    direction: str
    path: Path = ("search", "objective")


@dataclass(frozen=True)
class Declared:
    """A parameter of the spec's ``params:`` as far as the search needs it: type and default."""

    name: str
    type: str | None
    default: Any
    required: bool
    path: Path


@dataclass(frozen=True)
class Point:
    """Values for every active parameter of a space (derived ones included), and the inactive names."""

    values: dict[str, Value]
    inactive: frozenset[str] = frozenset()

    def label(self, names: tuple[str, ...] | None = None) -> str:
        """``width=64, optimizer=SGD, momentum=0.9``: what a diagnostic about this point says."""
        shown = names if names is not None else tuple(self.values)
        return ", ".join(f"{k}={_text(self.values[k])}" for k in shown if k in self.values)


@dataclass
class Space:
    """A parsed ``search:`` section, with the spec document it belongs to."""

    params: tuple[Param, ...]
    objective: Objective
    max_params: int | None
    max_flops: int | None
    declared: dict[str, Declared]
    doc: Document
    objective_given: bool = True
    by_name: dict[str, Param] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.by_name = {p.name: p for p in self.params}

    @property
    def searched(self) -> tuple[Param, ...]:
        return tuple(p for p in self.params if p.searched)

    def describe(self) -> dict[str, Any]:
        """The space as plain data: parameters, objective, constraints (stored in a tuning folder)."""
        return {
            "params": {p.name: p.describe() for p in self.params},
            "objective": {"name": self.objective.name, "direction": self.objective.direction},
            "constraints": {
                k: v for k, v in (("max_params", self.max_params), ("max_flops", self.max_flops)) if v is not None
            },
        }

    def configurations(self) -> int | None:
        """How many distinct points the space has; ``None`` if some range is continuous."""
        return _count(self, self.params, Param.size)

    def corners(self) -> int:
        """How many corners the space has (each range at either end, each choice at each value)."""
        return _count(self, self.params, lambda p: len(p.extremes())) or 1

    def active(self, param: Param, values: Mapping[str, Value]) -> bool:
        return all(c.parent in values and any(_same(values[c.parent], v) for v in c.values) for c in param.conditions)

    def point(self, chosen: Mapping[str, Any], base: Mapping[str, Any] | None = None) -> Point:
        """The point that gives each active searched parameter its value in ``chosen``.

        Fixed values are filled in and derived ones evaluated, in declaration order,
        over the spec's parameter values (``base``: their defaults or ``--set``
        values) and the values chosen so far.

        Raises:
            SpecError: when an active parameter has no value or one outside its
                domain, or a derived expression fails (located at its text).
        """
        env = dict(base if base is not None else self.defaults())
        values: dict[str, Value] = {}
        inactive: set[str] = set()
        problems: list[Diagnostic] = []
        for p in self.params:
            if not self.active(p, values):
                inactive.add(p.name)
                continue
            value = self._value(p, chosen, {**env, **values}, problems)
            if value is not None:
                values[p.name] = value
        if problems:
            raise SpecError(locate(problems, self.doc))
        return Point(values, frozenset(inactive))

    def _value(
        self, p: Param, chosen: Mapping[str, Any], env: Mapping[str, Value], problems: list[Diagnostic]
    ) -> Value | None:
        if p.kind == "fixed":
            return p.values[0]
        if p.kind == "derived":
            return _derive(p, env, problems)
        if p.name not in chosen:
            problems.append(Diagnostic(Code.MISSING_PARAM, f"no value for searched parameter {p.name!r}", p.path))
            return None
        value = chosen[p.name]
        if p.type == "float" and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not p.admits(value):
            problems.append(
                Diagnostic(Code.BAD_VALUE, f"{p.name}={_text(value)} is not a value of {p.render()}", p.path)
            )
            return None
        if p.kind == "float" and p.stepped:
            value = float(f"{value:.12g}")  # Keras Tuner's 0.30000000000000004 is the grid's 0.3
        return value  # type: ignore[no-any-return]

    def defaults(self, overrides: Mapping[str, Any] | None = None) -> dict[str, Value]:
        """The spec's parameter values as written (``--set``/``params`` values over the defaults)."""
        return _values_in_effect(self.declared, overrides or {})

    # -- points for the survey ---------------------------------------------------

    def walk(self, choose: Callable[[Param], Value]) -> dict[str, Value]:
        """The searched values of the point where ``choose`` picks each active parameter's value."""
        values: dict[str, Value] = {}
        for p in self.params:
            if p.searched and self.active(p, values):
                values[p.name] = choose(p)
            elif p.kind == "fixed" and self.active(p, values):
                values[p.name] = p.values[0]
        return {k: v for k, v in values.items() if self.by_name[k].searched}

    def every_corner(self) -> Iterator[dict[str, Value]]:
        """All corners, depth first (callers bound how many they take)."""
        yield from _corners(self, 0, {})

    def random_corner(self, rng: random.Random) -> dict[str, Value]:
        return self.walk(lambda p: rng.choice(p.extremes()))

    def random_point(self, rng: random.Random) -> dict[str, Value]:
        return self.walk(lambda p: p.sample(rng))


def _corners(space: Space, start: int, values: dict[str, Value]) -> Iterator[dict[str, Value]]:
    for i in range(start, len(space.params)):
        p = space.params[i]
        if p.searched and space.active(p, values):
            for v in p.extremes():
                yield from _corners(space, i + 1, {**values, p.name: v})
            return
    yield {k: v for k, v in values.items() if space.by_name[k].searched}


def _count(space: Space, params: tuple[Param, ...], size: Callable[[Param], int | None]) -> int | None:
    """Product over top-level parameters of their sizes; a conditional choice sums its branches."""
    total = 1
    for p in params:
        if p.conditions or not p.searched:
            continue
        n = _param_count(space, p, size)
        if n is None:
            return None
        total *= n
    return total


def _param_count(space: Space, p: Param, size: Callable[[Param], int | None]) -> int | None:
    if not p.branches:
        return size(p)
    total = 0
    for value in p.values:
        children = tuple(space.by_name[n] for n in p.branches.get(value, ()))
        sub = 1
        for child in children:
            if not child.searched or len(child.conditions) != len(p.conditions) + 1:
                continue
            n = _param_count(space, child, size)
            if n is None:
                return None
            sub *= n
        total += sub
    return total


def _derive(p: Param, env: Mapping[str, Value], problems: list[Diagnostic]) -> Value | None:
    assert p.expression is not None
    try:
        value = evaluate(p.expression, env)
    except ExprError as exc:
        problems.append(
            Diagnostic(Code.BAD_EXPRESSION, f"derived parameter {p.name!r}: in {p.expression!r}: {exc.message}", p.path)
        )
        return None
    typed = _as_type(value, p.type)
    if typed is None:
        problems.append(
            Diagnostic(
                Code.WRONG_TYPE,
                f"derived parameter {p.name!r} is {p.type}; ${{{p.expression}}} gives {type(value).__name__} {value!r}",
                p.path,
            )
        )
    return typed


# ---------------------------------------------------------------------------
# Applying a point to the spec


def inactive_entries_dropped(data: Any, inactive: frozenset[str]) -> Any:
    """``data`` without the mapping entries whose value is exactly ``$name`` of an inactive parameter.

    The ``search`` and ``params`` sections are left as they are. Lists keep
    their items (removing one would shift what every later index means).
    """
    if not inactive or not isinstance(data, dict):
        return data
    return {k: v if k in ("search", "params") else _dropped(v, inactive) for k, v in data.items()}


def _dropped(value: Any, inactive: frozenset[str]) -> Any:
    if isinstance(value, dict):
        return {k: _dropped(v, inactive) for k, v in value.items() if not _names_inactive(v, inactive)}
    if isinstance(value, list):
        return [_dropped(v, inactive) for v in value]
    return value


def _names_inactive(value: Any, inactive: frozenset[str]) -> bool:
    if not isinstance(value, str):
        return False
    match = _REFERENCE.fullmatch(value.strip())
    return match is not None and (match.group(1) or match.group(2)) in inactive


def conditioned(space: Space, point: Point) -> Document:
    """The spec document of ``space`` with ``point``'s inactive parameters' entries left out."""
    return replace(space.doc, data=inactive_entries_dropped(space.doc.data, point.inactive))


def condition(doc: Document, params: Mapping[str, Any] | None) -> Document:
    """The spec as written, for ``load``/``validate``/``build``: its search section checked, inactive entries left out.

    Which parameters are inactive follows from the values in effect (the defaults,
    or ``params``/``--set``). Setting an inactive parameter is an error: its value
    would be ignored.

    Raises:
        SpecError: every problem of the ``search:`` section, or a set parameter that is inactive.
    """
    space = parse_space(doc)
    if space is None:
        return doc
    given = dict(params or {})
    effect = space.defaults(given)
    values: dict[str, Value] = {}
    inactive: set[str] = set()
    problems: list[Diagnostic] = []
    for p in space.params:
        if not space.active(p, values):
            inactive.add(p.name)
            if p.name in given:
                parents = ", ".join(f"{c.parent} is {' or '.join(_text(v) for v in c.values)}" for c in p.conditions)
                now = ", ".join(f"{c.parent}={_text(values.get(c.parent, effect.get(c.parent)))}" for c in p.conditions)
                problems.append(
                    Diagnostic(
                        Code.BAD_VALUE,
                        f"--set/params gives {p.name}, which applies only when {parents} (here {now})",
                        p.path,
                        "set the parameter it depends on too",
                    )
                )
        elif p.name in effect:
            values[p.name] = effect[p.name]
    if problems:
        raise SpecError(locate(problems, doc))
    return replace(doc, data=inactive_entries_dropped(doc.data, frozenset(inactive)))


# ---------------------------------------------------------------------------
# Parsing


def parse_space(doc: Document) -> Space | None:
    """The ``search:`` section of a loaded spec, checked; ``None`` when the spec has none.

    Raises:
        SpecError: with every problem of the section, located at its text.
    """
    data = doc.data
    if not isinstance(data, dict) or "search" not in data:
        return None
    parser = _Parser(doc, _declared(data.get("params")))
    space = parser.run(data["search"])
    if parser.problems or space is None:
        raise SpecError(
            locate(parser.problems or [Diagnostic(Code.WRONG_TYPE, "`search` is a mapping", ("search",))], doc)
        )
    return space


class _Parser:
    def __init__(self, doc: Document, declared: dict[str, Declared]):
        self.doc = doc
        self.declared = declared
        self.problems: list[Diagnostic] = []
        self.params: list[Param] = []
        self.seen: dict[str, Param] = {}

    def error(self, code: Code, message: str, path: Path, hint: str | None = None, *, at_key: bool = False) -> None:
        self.problems.append(Diagnostic(code, message, path, hint, at_key=at_key))

    def run(self, raw: Any) -> Space | None:
        where: Path = ("search",)
        if not isinstance(raw, dict):
            self.error(
                Code.WRONG_TYPE,
                "`search` is a mapping with `params`, and optionally `objective` and `constraints`",
                where,
            )
            return None
        for key in raw:
            if key not in _SECTION_KEYS:
                self.error(
                    Code.UNKNOWN_KEY,
                    f"unknown key {key!r} in `search`",
                    (*where, key),
                    did_you_mean_or_list(key, _SECTION_KEYS),
                    at_key=True,
                )
        if "params" not in raw:
            self.error(
                Code.MISSING_KEY,
                "`search` needs `params`: the parameters to search and their ranges",
                where,
                "params: {width: {int: [32, 256], step: 32}}",
            )
        else:
            self.entries(raw["params"], (*where, "params"), ())
        objective = self.objective(raw.get("objective"))
        limits = self.constraints(raw.get("constraints"))
        if objective is None:
            return None
        space = Space(
            _with_branches(self.params),
            objective,
            limits.get("max_params"),
            limits.get("max_flops"),
            self.declared,
            self.doc,
            "objective" in raw,
        )
        self.check_defaults(space)
        return space

    # -- objective and constraints -------------------------------------------

    def objective(self, raw: Any) -> Objective | None:
        path: Path = ("search", "objective")
        if raw is None:
            return Objective("val_loss", "min", path)  # made `loss` by the survey when the spec holds out no data
        if isinstance(raw, str):
            direction = infer_direction(raw)
            if direction is None:
                self.error(
                    Code.BAD_VALUE,
                    f"cannot tell whether {raw!r} is to be minimised or maximised",
                    path,
                    f"write {{name: {raw}, direction: max}} (or min)",
                )
                return None
            return Objective(raw, direction, path)
        if not isinstance(raw, dict):
            self.error(
                Code.WRONG_TYPE, f"the objective is a metric name or {{name, direction}}; got {_show(raw)}", path
            )
            return None
        for key in raw:
            if key not in ("name", "direction"):
                self.error(
                    Code.UNKNOWN_KEY,
                    f"unknown key {key!r} in the objective",
                    (*path, key),
                    did_you_mean_or_list(key, ("name", "direction")),
                    at_key=True,
                )
        name, direction = raw.get("name"), raw.get("direction")
        if not isinstance(name, str) or not name:
            self.error(
                Code.MISSING_KEY if name is None else Code.WRONG_TYPE,
                "the objective needs `name`: a metric Keras logs (val_loss, val_<output>_<metric>)",
                path,
            )
            return None
        if direction is None:
            direction = infer_direction(name)
        if direction not in ("min", "max"):
            self.error(
                Code.BAD_VALUE,
                f"the objective's direction is min or max; got {_show(direction)}",
                (*path, "direction") if "direction" in raw else path,
            )
            return None
        return Objective(name, direction, path)

    def constraints(self, raw: Any) -> dict[str, int]:
        path: Path = ("search", "constraints")
        if raw is None:
            return {}
        if not isinstance(raw, dict):
            self.error(Code.WRONG_TYPE, "`constraints` is a mapping: {max_params: N, max_flops: N}", path)
            return {}
        out: dict[str, int] = {}
        for key, value in raw.items():
            if key not in _CONSTRAINTS:
                self.error(
                    Code.UNKNOWN_KEY,
                    f"unknown constraint {key!r}",
                    (*path, key),
                    did_you_mean_or_list(key, _CONSTRAINTS),
                    at_key=True,
                )
            elif (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or value < 1
                or (isinstance(value, float) and value != int(value))
            ):
                self.error(Code.BAD_VALUE, f"{key} is a whole number of at least 1; got {_show(value)}", (*path, key))
            else:
                out[key] = int(value)
        return out

    # -- parameters ------------------------------------------------------------

    def entries(self, raw: Any, path: Path, conditions: tuple[Condition, ...]) -> None:
        if not isinstance(raw, dict) or (not raw and not conditions):
            self.error(
                Code.WRONG_TYPE, "`params` maps parameter names to what to search: {width: {int: [32, 256]}}", path
            )
            return
        if len(conditions) > _MAX_DEPTH:
            self.error(Code.TOO_DEEP, f"conditional parameters nest deeper than {_MAX_DEPTH} levels", path)
            return
        for name, entry in raw.items():
            param = self.entry(str(name), entry, (*path, name), conditions)
            if param is not None:
                self.register(param)

    def register(self, param: Param) -> bool:
        first = self.seen.get(param.name)
        if first is None:
            if len(self.seen) >= _MAX_PARAMS:
                self.error(Code.BAD_VALUE, f"a search has at most {_MAX_PARAMS} parameters", param.path, at_key=True)
                return False
            self.seen[param.name] = param
            self.params.append(param)
            return True
        # The same parameter in several branches of one choice (momentum for SGD and RMSprop):
        # one parameter, active in each.
        same_parent = (
            first.conditions[:-1] == param.conditions[:-1]
            and first.conditions
            and param.conditions
            and first.conditions[-1].parent == param.conditions[-1].parent
        )
        if same_parent and replace(first, path=param.path, conditions=param.conditions, branches={}) == replace(
            param, branches={}
        ):
            last = first.conditions[-1]
            merged = replace(
                first,
                conditions=(
                    *first.conditions[:-1],
                    Condition(last.parent, (*last.values, *param.conditions[-1].values)),
                ),
            )
            self.params[self.params.index(first)] = merged
            self.seen[param.name] = merged
            return False
        where = _position(self.doc, first.path)
        self.error(
            Code.DUPLICATE_NAME,
            f"parameter {param.name!r} is searched twice (first at {where})",
            param.path,
            "one parameter has one range; give the other a name of its own",
            at_key=True,
        )
        return False

    def entry(self, name: str, raw: Any, path: Path, conditions: tuple[Condition, ...]) -> Param | None:
        decl = self.declared.get(name)
        if decl is None:
            hint = did_you_mean(
                name,
                list(self.declared),
                otherwise=f"declare it under `params:` with the value the spec builds with: `params: {{{name}: ...}}`",
            )
            self.error(
                Code.UNKNOWN_PARAM,
                f"search parameter {name!r} is not declared under the spec's `params:`",
                path,
                hint,
                at_key=True,
            )
            return None
        if decl.type is None:
            return None  # a malformed declaration: the expansion stage reports it
        base = Param(name, "choice", decl.type, path, conditions=conditions)
        if isinstance(raw, list):
            return self.choice(base, raw, path)
        if isinstance(raw, str):
            return self.word(base, raw, path)
        if not isinstance(raw, dict):
            expected = 'a range, a choice, `boolean`, {fixed: v} or "${expression}"'
            self.error(
                Code.WRONG_TYPE,
                f"search parameter {name!r}: expected {expected}; got {_show(raw)}",
                path,
                f"to keep it at one value write {{fixed: {_text(raw)}}}",
            )
            return None
        kinds = [k for k in raw if k in ("int", "float", "choice", "fixed")]
        if len(kinds) != 1:
            unknown = [k for k in raw if k not in (*KINDS, *_RANGE_KEYS)]
            for key in unknown:
                self.error(
                    Code.UNKNOWN_KEY,
                    f"unknown key {key!r} in search parameter {name!r}",
                    (*path, key),
                    did_you_mean_or_list(key, ("int", "float", "choice", "fixed", *_RANGE_KEYS)),
                    at_key=True,
                )
            if not unknown:
                what = "gives no kind" if not kinds else f"gives {len(kinds)} kinds ({', '.join(kinds)})"
                self.error(
                    Code.BAD_VALUE,
                    f"search parameter {name!r} {what}; give exactly one of int, float, choice, fixed",
                    path,
                )
            return None
        kind = kinds[0]
        allowed = (kind, *_RANGE_KEYS) if kind in ("int", "float") else (kind,)
        for key in raw:
            if key not in allowed:
                self.error(
                    Code.UNKNOWN_KEY,
                    f"unknown key {key!r} in {kind} parameter {name!r}",
                    (*path, key),
                    did_you_mean_or_list(key, allowed),
                    at_key=True,
                )
        return _KIND_PARSERS[kind](self, replace(base, kind=kind), raw, path)

    def word(self, base: Param, raw: str, path: Path) -> Param | None:
        if raw == "boolean":
            if base.type != "bool":
                self.error(
                    Code.WRONG_TYPE,
                    f"search parameter {base.name!r} is {base.type}; `boolean` searches a bool parameter",
                    path,
                )
                return None
            return replace(base, kind="boolean")
        match = _EXPRESSION.fullmatch(raw.strip())
        if match is not None:
            text = match.group(1) if match.group(1) is not None else match.group(2)
            return replace(base, kind="derived", expression=text)
        hint = (
            did_you_mean(raw, ["boolean"])
            or f'a choice is a list ([{raw}, ...]); one value is {{fixed: {raw}}}; a derived value is "${{expression}}"'
        )
        self.error(
            Code.BAD_VALUE,
            f'search parameter {base.name!r}: {raw!r} is neither `boolean` nor a "${{...}}" expression',
            path,
            hint,
        )
        return None

    def ranged(self, base: Param, raw: dict[str, Any], path: Path) -> Param | None:
        kind = base.kind
        bounds = raw[kind]
        where = (*path, kind)
        if base.type != kind and not (kind == "int" and base.type == "float"):
            want = {"int": "an int", "float": "a float", "bool": "a bool", "str": "a str"}[base.type]
            self.error(
                Code.WRONG_TYPE,
                f"search parameter {base.name!r} is {want} parameter; a {kind} range does not fit it",
                where,
                _kind_hint(base.type),
            )
            return None
        numbers = (
            isinstance(bounds, list) and len(bounds) == 2 and all(_is_number(b, integral=kind == "int") for b in bounds)
        )
        if not numbers:
            self.error(
                Code.WRONG_TYPE,
                f"a {kind} range is [low, high] of two {'integers' if kind == 'int' else 'numbers'}; "
                f"got {_show(bounds)}",
                where,
            )
            return None
        low, high = bounds
        if kind == "int" and base.type == "float":
            kind, low, high = "float", float(low), float(high)
        step, scale = raw.get("step"), raw.get("scale", "linear")
        if scale not in SCALES:
            self.error(
                Code.BAD_VALUE,
                f"scale is one of {', '.join(SCALES)}; got {_show(scale)}",
                (*path, "scale"),
                did_you_mean_or_list(str(scale), SCALES),
            )
            return None
        problem = _range_problem(kind, low, high, step, scale)
        if problem is not None:
            at, message = problem
            self.error(Code.BAD_VALUE, f"search parameter {base.name!r}: {message}", (*path, at) if at else where)
            return None
        if kind == "float" and step is not None:
            step = float(step)
        if kind == "int" and step is None and scale == "linear":
            step = 1  # as Keras Tuner's Int: every integer, drawn uniformly
        return replace(
            base,
            kind=kind,
            low=low if kind == "int" else float(low),
            high=high if kind == "int" else float(high),
            step=step,
            scale=scale,
        )

    def choice(self, base: Param, raw: Any, path: Path) -> Param | None:
        if (
            isinstance(raw, dict)
            and "choice" in raw
            and base.kind == "choice"
            and not isinstance(raw.get("choice"), list | dict)
        ):
            self.error(
                Code.WRONG_TYPE,
                "a choice is a list of values or a mapping of values to their own parameters; "
                f"got {_show(raw['choice'])}",
                (*path, "choice"),
            )
            return None
        if isinstance(raw, dict) and isinstance(raw.get("choice"), dict):
            return self.branches(base, raw["choice"], (*path, "choice"))
        values = raw.get("choice") if isinstance(raw, dict) else raw
        where = (*path, "choice") if isinstance(raw, dict) else path
        if not isinstance(values, list) or not values:
            self.error(Code.WRONG_TYPE, f"a choice needs at least one value; got {_show(values)}", where)
            return None
        typed = self.typed_values(base, values, where)
        return None if typed is None else replace(base, kind="choice", values=typed)

    def typed_values(self, base: Param, values: list[Any], where: Path) -> tuple[Value, ...] | None:
        out: list[Value] = []
        for i, v in enumerate(values):
            typed = _as_type(v, base.type)
            if typed is None or isinstance(v, dict | list):
                self.error(
                    Code.WRONG_TYPE,
                    f"search parameter {base.name!r} is {base.type}; choice value {_show(v)} is not",
                    (*where, i),
                    _kind_hint(base.type),
                )
                return None
            if any(_same(typed, o) for o in out):
                self.error(Code.DUPLICATE_NAME, f"choice value {_text(typed)} is given twice", (*where, i))
                return None
            out.append(typed)
        if len(out) > _MAX_CHOICES:
            self.error(Code.BAD_VALUE, f"a choice has at most {_MAX_CHOICES} values", where)
            return None
        return tuple(out)

    def branches(self, base: Param, raw: dict[Any, Any], path: Path) -> Param | None:
        if not raw:
            self.error(Code.WRONG_TYPE, "a choice needs at least one value", path)
            return None
        keys = [_branch_key(k, base.type) for k in raw]
        for key, typed in zip(raw, keys, strict=True):
            if typed is None:
                self.error(
                    Code.WRONG_TYPE,
                    f"search parameter {base.name!r} is {base.type}; choice value {_show(key)} is not",
                    (*path, key),
                    _kind_hint(base.type),
                    at_key=True,
                )
        if any(k is None for k in keys):
            return None
        values = tuple(k for k in keys if k is not None)
        if len(set(map(_text, values))) != len(values):
            self.error(Code.DUPLICATE_NAME, f"choice {base.name!r} gives a value twice", path)
            return None
        self.register(
            replace(base, kind="choice", values=values, branches={v: () for v in values})
        )  # before its branches: parents come first
        for key, value in zip(raw, values, strict=True):
            sub = raw[key]
            if isinstance(sub, dict) and sub:
                self.entries(sub, (*path, key), (*base.conditions, Condition(base.name, (value,))))
            elif sub is not None and sub != {}:
                self.error(
                    Code.WRONG_TYPE,
                    f"the branch {key!r} of {base.name!r} maps its own parameters to their ranges (or is empty: {{}})",
                    (*path, key),
                )
        return None  # registered above

    def fixed(self, base: Param, raw: dict[str, Any], path: Path) -> Param | None:
        value = _as_type(raw["fixed"], base.type)
        if value is None or isinstance(raw["fixed"], dict | list):
            self.error(
                Code.WRONG_TYPE,
                f"search parameter {base.name!r} is {base.type}; fixed value {_show(raw['fixed'])} is not",
                (*path, "fixed"),
                _kind_hint(base.type),
            )
            return None
        return replace(base, kind="fixed", values=(value,))

    def check_defaults(self, space: Space) -> None:
        """Record each parameter's written value as its default, where it lies in the domain."""
        effect = space.defaults()
        for i, p in enumerate(space.params):
            value = effect.get(p.name)
            if p.searched and value is not None and p.admits(value):
                space.params = (*space.params[:i], replace(p, default=value), *space.params[i + 1 :])
        space.by_name = {p.name: p for p in space.params}


_KIND_PARSERS: dict[str, Callable[[_Parser, Param, dict[str, Any], Path], Param | None]] = {
    "int": _Parser.ranged,
    "float": _Parser.ranged,
    "choice": _Parser.choice,
    "fixed": _Parser.fixed,
}


def _with_branches(params: list[Param]) -> tuple[Param, ...]:
    """Each conditional choice with the names its branches activate directly, in order."""
    out = []
    for p in params:
        if p.branches:
            children = [
                c for c in params if len(c.conditions) == len(p.conditions) + 1 and c.conditions[-1].parent == p.name
            ]
            p = replace(
                p,
                branches={
                    v: tuple(c.name for c in children if any(_same(v, w) for w in c.conditions[-1].values))
                    for v in p.values
                },
            )
        out.append(p)
    return tuple(out)


def _range_problem(kind: str, low: float, high: float, step: Any, scale: str) -> tuple[str | None, str] | None:
    """What is wrong with a range, and under which key; ``None`` if it is fine."""
    if low >= high:
        return None, f"low {low:g} must be below high {high:g} (for one value write {{fixed: {low:g}}})"
    if scale != "linear" and low <= 0:
        return None, f"a {scale} scale needs low > 0; got {low:g}"
    if step is None:
        return None
    if not _is_number(step, integral=kind == "int"):
        return (
            "step",
            f"the step of a {kind} range is {'an integer' if kind == 'int' else 'a number'}; got {_show(step)}",
        )
    if scale == "linear" and step <= 0:
        return "step", f"the step must be above 0; got {step:g}"
    if scale != "linear" and step <= 1:
        return "step", f"with a {scale} scale the step is a factor above 1 (2 gives 32, 64, 128); got {step:g}"
    if scale == "linear" and step > high - low:
        return "step", f"step {step:g} is larger than the range {low:g}..{high:g}"
    return None


# ---------------------------------------------------------------------------
# The spec's `params:` as the search sees them


def _declared(raw: Any) -> dict[str, Declared]:
    """Names, types and defaults of the spec's parameters (malformed ones are the expansion stage's to report)."""
    if not isinstance(raw, dict):
        return {}
    out: dict[str, Declared] = {}
    for name, decl in raw.items():
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            continue
        path: Path = ("params", name)
        if isinstance(decl, str) and decl in _PARAM_TYPES:
            out[name] = Declared(name, decl, None, True, path)
        elif isinstance(decl, dict):
            kind = decl.get("type", _type_of(decl.get("default")))
            out[name] = Declared(
                name, kind if kind in _PARAM_TYPES else None, decl.get("default"), "default" not in decl, path
            )
        else:
            out[name] = Declared(name, _type_of(decl), decl, False, path)
    return out


def _values_in_effect(declared: Mapping[str, Declared], overrides: Mapping[str, Any]) -> dict[str, Value]:
    """Each parameter's value as expansion would give it: the override, else its default (evaluated)."""
    env: dict[str, Value] = {}
    for name, decl in declared.items():
        if decl.type is None:
            continue
        if name in overrides:
            given = overrides[name]
            value = given.for_type(decl.type) if hasattr(given, "for_type") else given
        elif decl.required:
            continue
        else:
            value = decl.default
            match = _EXPRESSION.fullmatch(value.strip()) if isinstance(value, str) else None
            if match is not None:
                try:
                    value = evaluate(match.group(1) if match.group(1) is not None else match.group(2), env)
                except ExprError:
                    continue  # the expansion stage reports it
        typed = _as_type(value, decl.type)
        if typed is not None:
            env[name] = typed
    return env


# ---------------------------------------------------------------------------
# helpers


def infer_direction(metric: str) -> str | None:
    """``min`` for losses and errors, ``max`` for accuracies and the like, ``None`` when unclear."""
    name = metric.lower().removeprefix("val_")
    if any(word in name for word in _MINIMISED):
        return "min"
    if any(word in name for word in _MAXIMISED):
        return "max"
    return None


def _branch_key(key: Any, kind: str) -> Value | None:
    """A conditional choice's mapping key as a value of the parameter's type (JSON keys are strings)."""
    typed = _as_type(key, kind)
    if typed is not None or not isinstance(key, str):
        return typed
    from graphspec.source import resolve_plain

    return _as_type(resolve_plain(key), kind) if kind != "str" else None


def _is_number(value: Any, *, integral: bool) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) if integral else isinstance(value, int | float) and math.isfinite(value)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return bool(a == b)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def _show(value: Any) -> str:
    kind = _type_of(value) or ("null" if value is None else type(value).__name__)
    return f"{kind} {value!r}" if value is not None else "null"


def _kind_hint(kind: str) -> str:
    return {
        "int": "an int parameter takes {int: [low, high]} or a list of integers",
        "float": "a float parameter takes {float: [low, high]} or a list of numbers",
        "bool": "a bool parameter takes `boolean` or [true, false]",
        "str": "a str parameter takes a list of strings",
    }[kind]


def _position(doc: Document, path: Path) -> str:
    mark = doc.position(path, at_key=True)
    return f"{doc.file or '<spec>'}:{mark.line}:{mark.column}" if mark else (doc.file or "<spec>")


# ---------------------------------------------------------------------------
# JSON Schema of the section (for editors; graphspec.schema puts it in the spec's schema)


def json_schema() -> dict[str, Any]:
    """The ``search:`` section as JSON Schema: kinds, their keys, objective and constraints."""
    number = {"type": "number"}
    bounds = {"type": "array", "items": number, "minItems": 2, "maxItems": 2}
    scale = {"enum": list(SCALES), "description": "how values are drawn: linear, log (low > 0), reverse_log"}
    step = {
        "type": "number",
        "exclusiveMinimum": 0,
        "description": "the grid's step (a factor above 1 with a log scale)",
    }
    entry: dict[str, Any] = {
        "description": "a searched parameter: {int: [low, high]}, {float: [low, high]}, a list of choices, {choice: "
        '{value: {params}}}, boolean, {fixed: v}, or "${expression}"',
        "anyOf": [
            {
                "type": "object",
                "properties": {"int": {**bounds, "items": {"type": "integer"}}, "step": step, "scale": scale},
                "required": ["int"],
                "additionalProperties": False,
            },
            {
                "type": "object",
                "properties": {"float": bounds, "step": step, "scale": scale},
                "required": ["float"],
                "additionalProperties": False,
            },
            {"type": "array", "items": {"type": ["number", "boolean", "string"]}, "minItems": 1},
            {
                "type": "object",
                "properties": {
                    "choice": {
                        "anyOf": [
                            {"type": "array", "items": {"type": ["number", "boolean", "string"]}, "minItems": 1},
                            {
                                "type": "object",
                                "additionalProperties": {"anyOf": [{"type": "null"}, {"$ref": "#/$defs/SearchParams"}]},
                            },
                        ]
                    }
                },
                "required": ["choice"],
                "additionalProperties": False,
            },
            {"const": "boolean"},
            {
                "type": "object",
                "properties": {"fixed": {"type": ["number", "boolean", "string"]}},
                "required": ["fixed"],
                "additionalProperties": False,
            },
            {"type": "string", "pattern": rf"^\$(\{{[^{{}}]*\}}|{IDENTIFIER})$"},
        ],
    }
    return {
        "SearchParams": {"type": "object", "additionalProperties": entry},
        "Search": {
            "description": "what graphspec tune searches: parameters declared under `params:`, the objective, "
            "constraints",
            "type": "object",
            "properties": {
                "params": {"$ref": "#/$defs/SearchParams"},
                "objective": {
                    "anyOf": [
                        {"type": "string"},
                        {
                            "type": "object",
                            "properties": {"name": {"type": "string"}, "direction": {"enum": ["min", "max"]}},
                            "required": ["name"],
                            "additionalProperties": False,
                        },
                    ],
                    "description": "a metric Keras logs: val_loss (the default), val_<output>_<metric>, ...",
                },
                "constraints": {
                    "type": "object",
                    "properties": {
                        "max_params": {"type": "integer", "minimum": 1},
                        "max_flops": {"type": "number", "minimum": 1},
                    },
                    "additionalProperties": False,
                },
            },
            "required": ["params"],
            "additionalProperties": False,
        },
    }
