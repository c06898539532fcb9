"""The parsed space: its parameters (domains, grids, draws), objective and points. No parsing here.

A :class:`Space` is what :func:`graphspec.expand.search.parse_space` returns:
its :class:`Param` objects in declaration order (parents before the parameters
their branches activate), the :class:`Objective`, the constraints, and the spec
document and declarations it belongs to. Values are drawn and enumerated as
Keras Tuner draws them, so the survey sees the points a tuner would try.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphspec.errors import Code, Diagnostic, Path, SpecError
from graphspec.expand._search_declared import Declared, _values_in_effect
from graphspec.expand.expr import ExprError, Value, evaluate
from graphspec.expand.expr import as_type as _as_type
from graphspec.source import Document, locate

KINDS = ("int", "float", "choice", "boolean", "fixed", "derived")
SCALES = ("linear", "log", "reverse_log")
_MAX_CHOICES = 1000


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
