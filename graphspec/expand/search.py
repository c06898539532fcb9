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

The code is one private module per concern: the space and its points
(``_search_space``), the spec's ``params:`` as the search sees them
(``_search_declared``), applying a point (``_search_apply``), and the parser
(``_search_parse``), whose concerns are the objective and constraints
(``_search_goals``), the parameters (``_search_params``) and conditional
choices (``_search_branches``), over the state they share (``_search_state``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from graphspec._util.names import IDENTIFIER
from graphspec.errors import Code, Diagnostic, SpecError
from graphspec.expand._search_apply import conditioned as conditioned
from graphspec.expand._search_apply import inactive_entries_dropped as inactive_entries_dropped
from graphspec.expand._search_declared import Declared as Declared
from graphspec.expand._search_declared import _declared
from graphspec.expand._search_goals import infer_direction as infer_direction
from graphspec.expand._search_parse import _Parser
from graphspec.expand._search_space import KINDS, Objective, Param, Point, Space, _text
from graphspec.expand._search_space import SCALES as SCALES
from graphspec.expand._search_space import Condition as Condition
from graphspec.expand.expr import Value
from graphspec.source import Document, locate

__all__ = ["KINDS", "Objective", "Param", "Point", "Space", "condition", "parse_space"]


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
