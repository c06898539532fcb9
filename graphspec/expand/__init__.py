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
"""

from __future__ import annotations

import functools
import json
import math
import os
import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, NoReturn

from graphspec._util.names import IDENTIFIER, IDENTIFIER_RE, NAME_RE
from graphspec._util.suggest import did_you_mean
from graphspec.errors import Code, Diagnostic, Path, Related, SpecError, format_path
from graphspec.expand._accounting import Exhausted, SpecFiles, Tally, inline_nodes, value_count
from graphspec.expand.expr import ExprError, Value, evaluate
from graphspec.expand.expr import as_type as _typed
from graphspec.expand.expr import type_of as _type_of
from graphspec.source import INT_BOUND, SURROGATE, Document, Limits, locate, resolve_plain, shown_value

__all__ = ["BlockScope", "CommandLineValue", "ExpandedDocument", "expand_document", "merge_copies", "needs_expansion", "parse_override"]

AUTHORING_KEYS = ("params", "blocks", "include", "search")  # `search:` is graphspec.expand.search's; never part of the flat spec
_BLOCK_KEYS = ("description", "params", "inputs", "nodes", "outputs")
_INSTANCE_KEYS = ("block", "inputs", "repeat", "override")
_PARAM_TYPES: dict[str, tuple[type, ...]] = {"int": (int,), "float": (int, float), "bool": (bool,), "str": (str,)}
_MAX_BLOCK_DEPTH = 32
_MAX_INCLUDE_DEPTH = 16
# What a whole spec keeps when it becomes a `model:` node (no format version, compile or training).
_MODEL_KEYS = ("name", "description", "inputs", "nodes", "outputs", "structure")

_WHOLE = re.compile(rf"\$\{{([^{{}}]*)\}}|\$({IDENTIFIER})")
_EMBEDDED = re.compile(r"\$\$|\$\{([^{}]*)\}")
_INDEX = re.compile(r"[0-9]+")  # ASCII only: str.isdigit() also takes "²", which int() refuses
_MAX_INDEX_DIGITS = 18  # more digits than any copy or output count; never given to int() (Python refuses 4,300)


# ---------------------------------------------------------------------------
# The expanded document: where each flat value was written


@dataclass(frozen=True)
class _Via:
    """An enclosing block instance: what to call it and where it is written."""

    label: str
    doc: Document
    path: Path


@dataclass(frozen=True)
class _Origin:
    doc: Document
    path: Path
    via: tuple[_Via, ...] = ()


@dataclass(frozen=True)
class BlockScope:
    """A block instance, a ``repeat``, or one copy of a repeat: where the nodes named ``name/...`` came from.

    Attributes:
        name: the flat scope (``stage2`` for an instance or a repeat, ``stage2/block1`` for a copy).
        block: the block the scope instantiates (for a repeat, the block its instance names;
            an ``override`` may give single copies another one).
        copy: the 1-based copy number, for a copy of a repeat.
        repeat: the number of copies, for a repeat.
    """

    name: str
    block: str
    copy: int | None = None
    repeat: int | None = None


@dataclass
class ExpandedDocument(Document):
    """A flat spec's data, with the origin of every expanded node.

    ``origins`` maps a flat path (``("nodes", "stage2/block1/conv1")``) to the
    document and path where it was written; a diagnostic's path is located by its
    longest recorded prefix, else in the root document as usual. ``scopes`` holds
    the block instances and repeats the flat names were scoped by (what drawings
    show as clusters), in expansion order.
    """

    origins: dict[Path, _Origin] = field(default_factory=dict)
    scopes: dict[str, BlockScope] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)  # the spec's parameters as resolved (defaults, --set)

    def origin(self, path: Path) -> _Origin:
        for k in range(len(path), 0, -1):
            found = self.origins.get(path[:k])
            if found is not None:
                return _Origin(found.doc, (*found.path, *path[k:]), found.via)
        return _Origin(self, path)

    def place(self, d: Diagnostic) -> Diagnostic:
        origin = self.origin(d.path)
        if origin.doc is self:
            return super().place(d)
        placed = origin.doc.place(Diagnostic(d.code, d.message, origin.path, at_key=d.at_key))
        return replace(d.located(placed.file, placed.line, placed.column, placed.source_line), related=(*_related(origin), *placed.related))


def _related(origin: _Origin) -> tuple[Related, ...]:
    if not origin.via:
        return ()
    out = [_related_at(v.label, v.doc, v.path) for v in origin.via]
    definition = origin.path[:4] if origin.path[:1] == ("blocks",) else origin.path[:2]
    out.append(_related_at(f"defined in {format_path(definition)}", origin.doc, definition))
    return tuple(out)


def merge_copies(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """One diagnostic for a problem that recurs in every copy of a block (``repeat: 4``), naming the copies.

    Copies share their definition's text, so a problem written there is found once
    per copy of the instance, at the same position with the same message; the
    first stays, and a note lists the nodes of the others. (Other instances of
    the same block keep their own diagnostic: they are written elsewhere.)
    """
    groups: dict[tuple[object, ...], list[Diagnostic]] = {}
    out: list[Diagnostic | tuple[object, ...]] = []
    for d in diagnostics:
        if len(d.related) < 2 or d.line is None:  # not from a block instance, or not placed
            out.append(d)
            continue
        instance = d.related[0]  # the copies of one `repeat:` share its position
        key = (d.code, d.severity, d.message, d.hint, d.file, d.line, d.column, d.related[-1], instance.file, instance.line, instance.column)
        if key not in groups:
            out.append(key)
        groups.setdefault(key, []).append(d)
    return [item if isinstance(item, Diagnostic) else _merged(groups[item]) for item in out]


def _merged(copies: list[Diagnostic]) -> Diagnostic:
    first = copies[0]
    if len(copies) == 1:
        return first
    names = [str(d.path[1]) if len(d.path) > 1 and d.path[0] == "nodes" else format_path(d.path) for d in copies[1:]]
    instance = first.related[0]
    note = Related(f"the same in {len(names)} more cop{'y' if len(names) == 1 else 'ies'}: {', '.join(names)}", instance.file, instance.line, instance.column)
    return replace(first, related=(*first.related[:-1], note, first.related[-1]))


def _related_at(label: str, doc: Document, path: Path) -> Related:
    mark = doc.position(path, at_key=True)
    return Related(label, doc.file, mark.line if mark else None, mark.column if mark else None)


# ---------------------------------------------------------------------------
# Entry points


def needs_expansion(doc: Document) -> bool:
    """Whether a loaded spec uses blocks, params, includes, ``model:`` files or ``${...}``.

    A plain spec expands to itself; this check keeps that case cheap.
    """
    data = doc.data
    if not isinstance(data, dict):
        return False
    if any(k in data for k in AUTHORING_KEYS):
        return True
    nodes = data.get("nodes")
    if isinstance(nodes, dict) and any(isinstance(n, dict) and ("block" in n or isinstance(n.get("model"), str)) for n in nodes.values()):
        return True
    if doc.text is not None:
        return "$" in doc.text
    return _has_dollar(data)


def _has_dollar(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str) and "$" in item:
            return True
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


@dataclass(frozen=True)
class CommandLineValue:
    """A ``--set`` value: its text, and that text read as a YAML 1.2 plain scalar.

    A ``str`` parameter takes the text as written (``--set tag=1`` is ``"1"``);
    other types take the scalar (``0.5`` a float, ``true`` a boolean).
    """

    text: str
    value: Any

    def for_type(self, kind: str) -> Any:
        return self.text if kind == "str" else self.value

    def __repr__(self) -> str:
        return repr(self.value)


def parse_override(text: str) -> tuple[str, CommandLineValue]:
    """``"width=0.5"`` (the CLI's ``--set``) → ``("width", CommandLineValue("0.5", 0.5))``.

    The value's type is checked against the parameter's declaration when the spec
    is expanded.

    Raises:
        ValueError: for text without ``=`` or without a name.
    """
    name, sep, value = text.partition("=")
    if not sep or not IDENTIFIER_RE.fullmatch(name.strip()):
        raise ValueError(f"expected NAME=VALUE, got {text!r}")
    return name.strip(), CommandLineValue(value.strip(), resolve_plain(value.strip()))


def expand_document(doc: Document, params: Mapping[str, Any] | None = None, *, limits: Limits = Limits(), max_nodes: int = 100_000) -> Document:
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


# ---------------------------------------------------------------------------
# Definitions


@dataclass(frozen=True)
class _Param:
    name: str
    type: str
    default: Any
    required: bool
    path: Path
    value_path: Path  # where the default is written


@dataclass(frozen=True)
class _Block:
    name: str
    doc: Document
    path: Path
    params: dict[str, _Param]
    inputs: list[str]
    nodes: dict[str, Any]
    outputs: list[str]


@dataclass(frozen=True)
class _Scope:
    """Where node definitions are being expanded: names, parameters and inputs in view."""

    prefix: str
    env: Mapping[str, Value]
    inputs: Mapping[str, str]
    doc: Document
    path: Path
    via: tuple[_Via, ...] = ()
    blocks: tuple[str, ...] = ()


class _Abort(Exception):
    """Stop expanding at once (a budget exceeded); the diagnostics say why."""


class _Expander:
    def __init__(self, root: Document, limits: Limits, tally: Tally, files: SpecFiles, chain: tuple[str, ...] = ()):
        self.root = root
        self.limits = limits
        # What the whole run has made and read, `model:` files' own expansions included.
        self.tally = tally
        self.files = files
        self.problems: list[Diagnostic] = []
        self.late: list[Diagnostic] = []  # located once the flat document exists
        self.blocks: dict[str, _Block] = {}
        self.nodes: dict[str, Any] = {}
        self.instances: dict[str, list[str]] = {}
        self.out = ExpandedDocument(None, root.file, root.text, root.values, root.keys, list(root.problems), root.is_json)
        self.spec_env: dict[str, Value] = {}
        # `chain` holds the files being expanded, outermost first, to catch cycles;
        # `included` the files whose blocks are loaded (a file included twice, however spelled, counts once).
        self.chain = (*chain, os.path.realpath(root.file)) if root.file is not None else chain
        self.included: set[str] = set()

    # -- diagnostics ---------------------------------------------------------

    def error(self, code: Code, message: str, doc: Document, path: Path, hint: str | None = None, *, at_key: bool = False) -> None:
        """A problem in definitions written in ``doc`` (block definitions, params, includes)."""
        self.problems.extend(locate([Diagnostic(code, message, path, hint, at_key=at_key)], doc))

    def flat_error(self, code: Code, message: str, path: Path, hint: str | None = None, *, at_key: bool = False) -> None:
        """A problem at a flat path: located through the origins recorded so far."""
        self.late.append(Diagnostic(code, message, path, hint, at_key=at_key))

    def spend(self, units: int, path: Path, *, values: int = 0, doc: Document | None = None) -> None:
        """Count ``units`` nodes (and ``values`` values) made at ``path`` (flat, or in ``doc``); stop at once past a bound."""
        try:
            self.tally.add_nodes(units)
            self.tally.add_values(values)
        except Exhausted as exc:
            self.exhausted(exc, path, doc)

    def exhausted(self, exc: Exhausted, path: Path, doc: Document | None) -> NoReturn:
        if doc is None:
            self.flat_error(exc.code, exc.message, path, exc.hint)
        else:
            self.error(exc.code, exc.message, doc, path, exc.hint)
        raise _Abort

    # -- the whole run -------------------------------------------------------

    def run(self, overrides: dict[str, Any]) -> Document:
        data: dict[str, Any] = self.root.data
        self.load_blocks(self.root, self.chain)
        try:
            env = self.spec_params(data.get("params"), overrides)
        except _Abort:
            raise SpecError([*self.root.problems, *self.problems]) from None
        self.spec_env = env
        self.out.params = dict(env)
        if self.problems:  # every value may depend on the parameters: stop before echoing their errors
            raise SpecError([*self.root.problems, *self.problems])
        flat: dict[str, Any] = {}
        try:
            for key, value in data.items():
                if key in AUTHORING_KEYS:
                    continue
                if key == "nodes" and isinstance(value, dict):
                    scope = _Scope("", env, {}, self.root, ("nodes",))
                    for name, node in value.items():
                        self.node(scope, str(name), node)
                    flat["nodes"] = self.nodes
                else:
                    flat[key] = self.substitute(value, env, self.root, (key,))
            self.resolve_references(flat)
        except _Abort:
            pass
        self.out.data = flat
        # A problem with an instance's arguments recurs in every copy: report it once.
        problems = list(dict.fromkeys([*self.problems, *locate(self.late, self.out)]))
        if problems:
            raise SpecError([*self.root.problems, *problems])
        return self.out

    # -- parameters ----------------------------------------------------------

    def declare(self, raw: Any, doc: Document, path: Path) -> dict[str, _Param]:
        """Parse a ``params:`` mapping: ``name: default`` or ``name: {type: ..., default: ...}``."""
        if raw is None:
            return {}
        if not isinstance(raw, dict):
            self.error(Code.WRONG_TYPE, "`params` is a mapping of parameter names to defaults or {type, default}", doc, path)
            return {}
        out: dict[str, _Param] = {}
        for name, decl in raw.items():
            where = (*path, name)
            if not IDENTIFIER_RE.fullmatch(name):
                self.error(Code.BAD_NAME, f"{name!r} is not a valid parameter name: letters, digits and '_'", doc, where, at_key=True)
                continue
            param = self.param(name, decl, doc, where)
            if param is not None:
                out[name] = param
        return out

    def param(self, name: str, decl: Any, doc: Document, where: Path) -> _Param | None:
        if isinstance(decl, str) and decl in _PARAM_TYPES:
            return _Param(name, decl, None, True, where, where)  # `filters: int`: a required parameter
        if not isinstance(decl, dict):
            kind = _type_of(decl)
            if kind is None:
                self.error(Code.WRONG_TYPE, f"parameter {name!r}: a default must be a number, boolean or string; got {decl!r}", doc, where)
                return None
            return _Param(name, kind, decl, False, where, where)
        unknown = [k for k in decl if k not in ("type", "default", "description")]
        for k in unknown:
            self.error(Code.UNKNOWN_KEY, f"unknown key {k!r} in parameter {name!r}", doc, (*where, k), "allowed here: type, default, description", at_key=True)
        kind = decl.get("type", _type_of(decl.get("default")))
        if not isinstance(kind, str) or kind not in _PARAM_TYPES:
            self.error(Code.BAD_VALUE, f"parameter {name!r}: type must be one of int, float, bool, str; got {kind!r}", doc, (*where, "type"))
            return None
        return _Param(name, kind, decl.get("default"), "default" not in decl, where, (*where, "default"))

    def spec_params(self, raw: Any, overrides: dict[str, Any]) -> dict[str, Value]:
        decls = self.declare(raw, self.root, ("params",))
        for name in overrides:
            if name not in decls:
                hint = did_you_mean(name, list(decls), otherwise=("declared: " + ", ".join(decls) if decls else "the spec declares no `params:`"))
                self.error(Code.UNKNOWN_PARAM, f"--set/params names {shown_value(name)}, which the spec does not declare", self.root, ("params",), hint, at_key=True)
        env: dict[str, Value] = {}
        for name, decl in decls.items():
            if name in overrides:
                value = self.override_value(decl, overrides[name])
                if value is not None:
                    env[name] = value
            elif decl.required:
                self.error(Code.MISSING_PARAM, f"parameter {name!r} has no default and was not set", self.root, decl.path, f"give it a default, or pass --set {name}=...", at_key=True)
            else:
                value = self.bind(decl, decl.default, env, self.root, decl.value_path)
                if value is not None:
                    env[name] = value
        return env

    def override_value(self, decl: _Param, given: Any) -> Value | None:
        """A ``--set``/``params=`` value, held to the rules of the spec's own text; ``None`` (reported) if it breaks one.

        From Python it can be anything: an int past the float range (no float
        parameter can take it, and 5,000 digits cannot even be printed), a
        non-finite float, a string too long for a spec or holding a lone surrogate.
        """
        raw = given.for_type(decl.type) if isinstance(given, CommandLineValue) else given
        problem = _override_problem(raw, self.limits)
        if problem is not None:
            self.error(Code.BAD_VALUE, f"--set/params gives {decl.name}={shown_value(raw)}; {problem}", self.root, decl.path, at_key=True)
            return None
        value = _typed(raw, decl.type)
        if value is None:
            self.error(Code.WRONG_TYPE, f"--set/params gives {decl.name}={shown_value(given)}; the parameter is {decl.type}", self.root, decl.path, at_key=True)
        return value

    def bind(self, decl: _Param, raw: Any, env: Mapping[str, Value], doc: Document, path: Path, flat: bool = False) -> Value | None:
        """Evaluate a parameter's value (a default or an instance's argument) and check its type."""
        before = len(self.problems)
        value = self.substitute(raw, env, doc, path, flat)
        if len(self.problems) > before:
            return None
        typed = _typed(value, decl.type)
        if typed is None:
            message = f"parameter {decl.name!r} is {decl.type}; got {_show(value)}"
            if flat:
                self.flat_error(Code.WRONG_TYPE, message, path)
            else:
                self.error(Code.WRONG_TYPE, message, doc, path)
        return typed

    # -- substitution --------------------------------------------------------

    def substitute(self, value: Any, env: Mapping[str, Value], doc: Document, path: Path, flat: bool = False) -> Any:
        """``value`` with every ``${...}`` evaluated; errors located at ``path`` (flat or in ``doc``).

        The result is a copy: every value in it is counted against the values
        bound as it is made, so a repeated block's large list costs its size per copy.
        """
        tally = self.tally
        tally.values += 1
        if tally.values > tally.max_values:  # reported at the node being copied, not deep inside one of its values
            self.exhausted(tally.too_many_values(), path[:2] if flat and path[:1] == ("nodes",) else path, None if flat else doc)
        if isinstance(value, str):
            return self.expression(value, env, doc, path, flat) if "$" in value else value
        if isinstance(value, dict):
            return {k: self.substitute(v, env, doc, (*path, k), flat) for k, v in value.items()}
        if isinstance(value, list):
            return [self.substitute(v, env, doc, (*path, i), flat) for i, v in enumerate(value)]
        return value

    def expression(self, text: str, env: Mapping[str, Value], doc: Document, path: Path, flat: bool) -> Any:
        try:
            whole = _WHOLE.fullmatch(text)
            if whole is not None:
                inner = whole.group(1) if whole.group(1) is not None else whole.group(2)
                start = 2 if whole.group(1) is not None else 1
                return _evaluate_at(inner, env, start)
            return self.embedded(text, env)
        except ExprError as exc:
            self.expression_error(text, exc, doc, path, flat)
            return text
        except Exhausted as exc:
            self.exhausted(exc, path, None if flat else doc)

    def embedded(self, text: str, env: Mapping[str, Value]) -> str:
        """Text with its ``${...}`` formatted in; the new string's length is counted before it is joined."""
        pieces: list[str] = []
        last = 0
        for match in _EMBEDDED.finditer(text):
            pieces.append(text[last : match.start()])
            pieces.append("$" if match.group(0) == "$$" else _format(_evaluate_at(match.group(1), env, match.start(1))))
            last = match.end()
        pieces.append(text[last:])
        self.tally.add_string(sum(map(len, pieces)))
        return "".join(pieces)

    def expression_error(self, text: str, exc: ExprError, doc: Document, path: Path, flat: bool) -> None:
        hint = "write ${name} or ${expression}; operators + - * / // % **, functions min, max, round, floor, ceil, int, float, abs, make_divisible"
        diag = Diagnostic(Code.BAD_EXPRESSION, f"in {text!r}: {exc.message}", path, hint)
        placed = self.out.place(diag) if flat else locate([diag], doc)[0]
        self.problems.append(_shift(placed, exc.offset))

    # -- nodes ---------------------------------------------------------------

    def node(self, scope: _Scope, name: str, raw: Any) -> None:
        flat_name = scope.prefix + name
        path: Path = ("nodes", flat_name)
        if flat_name in self.nodes or flat_name in self.instances:
            self.flat_error(Code.DUPLICATE_NAME, f"two nodes expand to the name {flat_name!r}", path, "rename one of them", at_key=True)
        self.out.origins[path] = _Origin(scope.doc, (*scope.path, name), scope.via)
        self.spend(1, path)
        if isinstance(raw, dict) and "block" in raw:
            self.instance(scope, flat_name, raw)
            return
        if isinstance(raw, dict) and isinstance(raw.get("model"), str):
            self.submodel(scope, flat_name, raw)
            return
        node = self.substitute(raw, scope.env, scope.doc, path, flat=True)
        made = len(flat_name)  # scoped names are new strings too: a long instance name costs per copy
        if isinstance(node, dict):
            for key in ("inputs", "share"):
                if key in node:
                    node[key] = _map_refs(node[key], lambda ref: _candidate(scope, ref))
                    made += _text_size(node[key])
            _map_call_refs(node, lambda ref: _candidate(scope, ref))
            if "call" in node:
                made += _text_size(node["call"])
        try:
            self.tally.add_string(made)
        except Exhausted as exc:
            self.exhausted(exc, path, None)
        # An inline model's nodes are nodes too, in every copy of a block that holds one.
        self.spend(inline_nodes(node), path)
        self.nodes[flat_name] = node

    def instance(self, scope: _Scope, flat_name: str, raw: dict[str, Any]) -> None:
        path: Path = ("nodes", flat_name)
        block = self.find_block(raw["block"], scope, (*path, "block"))
        if block is None:
            return
        if len(scope.blocks) >= _MAX_BLOCK_DEPTH:
            self.flat_error(Code.RECURSIVE_BLOCK, f"blocks nest deeper than {_MAX_BLOCK_DEPTH} levels here", (*path, "block"))
            return
        times = self.repeat(raw, scope, path)
        if times is None:
            return
        inputs = self.instance_inputs(raw, scope, block, path, times)
        if inputs is None:
            return
        args = {k: v for k, v in raw.items() if k not in _INSTANCE_KEYS}
        overrides = self.overrides(raw.get("override"), times, path)
        if "repeat" in raw:
            self.out.scopes[flat_name] = BlockScope(flat_name, block.name, repeat=times)
        for copy in range(1, times + 1):
            given = {**args, **overrides.get(copy, {})}
            chosen = given.pop("block", None)  # an override may swap the block (a projection shortcut)
            copy_block = block if chosen is None else self.find_block(chosen.value, scope, chosen.path)
            if copy_block is None:
                return
            if len(copy_block.inputs) != len(inputs):
                self.flat_error(Code.BAD_VALUE, f"block {copy_block.name!r} takes {len(copy_block.inputs)} input(s); this copy gets {len(inputs)}", chosen.path if chosen else path)
                return
            self.check_args(copy_block, given, path)
            copy_name = f"{flat_name}/block{copy}" if "repeat" in raw else flat_name
            inputs = self.expand_copy(scope, copy_block, given, inputs, path, copy_name, f", copy {copy} of {times}" if "repeat" in raw else "")
            self.out.scopes[copy_name] = BlockScope(copy_name, copy_block.name, copy if "repeat" in raw else None)
        self.instances[flat_name] = inputs  # a repeat reads as its last copy

    def expand_copy(self, scope: _Scope, block: _Block, args: dict[str, Any], inputs: list[str], path: Path, copy_name: str, which: str) -> list[str]:
        """Expand one copy of a block; return the flat references of its outputs."""
        if copy_name != path[1]:
            if copy_name in self.nodes or copy_name in self.instances:
                self.flat_error(Code.DUPLICATE_NAME, f"two nodes expand to the name {copy_name!r}", ("nodes", copy_name), "rename one of them", at_key=True)
            self.out.origins[("nodes", copy_name)] = self.out.origins[path]
            self.spend(1, path)
        env = self.instance_env(block, args, scope, path)
        outputs_only = env is None
        label = f"in block instance {copy_name!r} (block {block.name!r}{which})"
        inner = _Scope(
            copy_name + "/",
            env or {},
            dict(zip(block.inputs, inputs, strict=True)),
            block.doc,
            (*block.path, "nodes"),
            (*scope.via, _Via(label, scope.doc, (*scope.path, str(path[1])[len(scope.prefix) :]))),
            (*scope.blocks, block.name),
        )
        for name, node in () if outputs_only else block.nodes.items():
            self.node(inner, name, node)
        outputs = [_candidate(inner, ref) for ref in block.outputs]
        self.instances[copy_name] = outputs
        return outputs

    def find_block(self, name: Any, scope: _Scope, path: Path) -> _Block | None:
        """The block ``name`` (written at ``path``), unless unknown or already being expanded."""
        if not isinstance(name, str) or name not in self.blocks:
            hint = did_you_mean(str(name), list(self.blocks), otherwise=("defined blocks: " + ", ".join(self.blocks) if self.blocks else "define it under `blocks:` or include a file that does"))
            self.flat_error(Code.UNKNOWN_BLOCK, f"unknown block {name!r}", path, hint)
            return None
        if name in scope.blocks:
            chain = " → ".join((*scope.blocks[scope.blocks.index(name) :], name))
            self.flat_error(Code.RECURSIVE_BLOCK, f"block {name!r} instantiates itself: {chain}", path, "a block may use other blocks, never itself")
            return None
        return self.blocks[name]

    def repeat(self, raw: dict[str, Any], scope: _Scope, path: Path) -> int | None:
        if "repeat" not in raw:
            return 1
        before = len(self.problems)
        times = self.substitute(raw["repeat"], scope.env, scope.doc, (*path, "repeat"), flat=True)
        if len(self.problems) > before:
            return None
        if isinstance(times, bool) or not isinstance(times, int) or times < 1:
            self.flat_error(Code.BAD_VALUE, f"repeat must be an integer ≥ 1; got {_show(times)}", (*path, "repeat"))
            return None
        if times > self.tally.max_nodes:
            self.spend(times, (*path, "repeat"))
        return times

    def instance_inputs(self, raw: dict[str, Any], scope: _Scope, block: _Block, path: Path, times: int) -> list[str] | None:
        given = raw.get("inputs", [])
        refs = [given] if isinstance(given, str) else given
        if not isinstance(refs, list) or not all(isinstance(r, str) for r in refs):
            self.flat_error(Code.WRONG_TYPE, "inputs must be a name or a list of names", (*path, "inputs"))
            return None
        if len(refs) != len(block.inputs):
            self.flat_error(
                Code.BAD_VALUE,
                f"block {block.name!r} takes {len(block.inputs)} input(s) ({', '.join(block.inputs)}); got {len(refs)}",
                (*path, "inputs"),
            )
            return None
        if times > 1 and len(block.outputs) != len(block.inputs):
            self.flat_error(
                Code.BAD_VALUE,
                f"repeat chains each copy's outputs into the next copy's inputs, but block {block.name!r} has {len(block.inputs)} input(s) and {len(block.outputs)} output(s)",
                (*path, "repeat"),
            )
            return None
        return [_candidate(scope, r) for r in refs]

    def overrides(self, raw: Any, times: int, path: Path) -> dict[int, dict[str, Any]]:
        if raw is None:
            return {}
        where: Path = (*path, "override")
        if not isinstance(raw, dict):
            self.flat_error(Code.WRONG_TYPE, "override maps copy numbers (1-based) to parameter values: {1: {strides: 2}}", where)
            return {}
        out: dict[int, dict[str, Any]] = {}
        for key, values in raw.items():
            copy = _index(key) if _INDEX.fullmatch(str(key)) else 0
            if not 1 <= copy <= times:
                self.flat_error(Code.BAD_VALUE, f"override {shown_value(key)} names no copy; copies are numbered 1 to {times}", (*where, key), at_key=True)
            elif not isinstance(values, dict):
                self.flat_error(Code.WRONG_TYPE, "an override is a mapping of parameter values", (*where, key))
            else:
                out[copy] = {k: _At(v, (*where, key, k)) for k, v in values.items()}
        return out

    def check_args(self, block: _Block, args: dict[str, Any], path: Path) -> None:
        for name in args:
            if name not in block.params:
                hint = did_you_mean(name, [*block.params, *_INSTANCE_KEYS], otherwise=f"block {block.name!r} takes: {', '.join(block.params) or 'no parameters'}")
                self.flat_error(Code.UNKNOWN_PARAM, f"block {block.name!r} has no parameter {name!r}", (*path, name), hint, at_key=True)

    def instance_env(self, block: _Block, args: dict[str, Any], scope: _Scope, path: Path) -> dict[str, Value] | None:
        """The parameters a copy's body sees: the spec's, then the block's own (arguments, else defaults).

        A block body does not see its caller's parameters: what it needs is passed in.
        ``None`` if some parameter could not be bound (the body would only echo that error).
        """
        found = len(self.problems) + len(self.late)
        env: dict[str, Value] = dict(self.spec_env)
        for name, decl in block.params.items():
            if name in args:
                given = args[name]
                value, where = (given.value, given.path) if isinstance(given, _At) else (given, (*path, name))
                bound = self.bind(decl, value, scope.env, scope.doc, where, flat=True)
            elif decl.required:
                self.flat_error(Code.MISSING_PARAM, f"block {block.name!r} needs parameter {name!r}", path, f"add `{name}: ...` to the instance")
                continue
            elif len(self.problems) + len(self.late) == found:  # a default may use the parameters before it
                bound = self.bind(decl, decl.default, env, block.doc, decl.value_path)
            else:
                continue
            if bound is not None:
                env[name] = bound
        return env if len(self.problems) + len(self.late) == found else None

    def submodel(self, scope: _Scope, flat_name: str, raw: dict[str, Any]) -> None:
        """``model: other.yaml``: that spec, expanded with the node's ``params``, inlined as a ``model:`` mapping."""
        path: Path = ("nodes", flat_name)
        where: Path = (*scope.path, flat_name[len(scope.prefix) :], "model")
        doc = self.open_file(raw["model"], scope.doc, where, self.chain)
        params = self.substitute(raw.get("params") or {}, scope.env, scope.doc, (*path, "params"), flat=True)
        if doc is not None and not isinstance(doc.data, dict):
            self.flat_error(Code.WRONG_TYPE, f"model file {raw['model']!r} is not a spec: its top level is not a mapping", (*path, "model"))
        if doc is None or not isinstance(doc.data, dict) or not isinstance(params, dict):
            if not isinstance(params, dict):
                self.flat_error(Code.WRONG_TYPE, "`params` of a `model:` node is a mapping of the sub-model's parameter values", (*path, "params"))
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
        sub = _Expander(doc, self.limits, self.tally, self.files, self.chain).run(params)
        self.files.expanded[key] = (sub, self.tally.nodes - before[0], self.tally.values - before[1])
        return sub

    # -- references ----------------------------------------------------------

    def resolve_references(self, flat: dict[str, Any]) -> None:
        """Turn references to block instances into the scoped nodes that produce their outputs."""
        if not self.instances:
            return
        for name, node in self.nodes.items():
            if isinstance(node, dict):
                for key in ("inputs", "share"):
                    if key in node:
                        node[key] = _map_refs(node[key], functools.partial(self.resolve, path=("nodes", name, key)))
                _map_call_refs(node, functools.partial(self.resolve, path=("nodes", name, "call")))
        outputs = flat.get("outputs")
        if isinstance(outputs, dict):
            for out_name, out in list(outputs.items()):
                if isinstance(out, dict) and isinstance(out.get("from"), str):
                    out["from"] = self.resolve(out["from"], ("outputs", out_name, "from"))
                elif (out is None or isinstance(out, dict)) and out_name in self.instances:
                    outputs[out_name] = {**(out or {}), "from": self.resolve(out_name, ("outputs", out_name))}
        # References in `models:` and in `structure.outputs` (its leaves that are not outputs) name instances too.
        models = flat.get("models")
        for model_name, model in (models.items() if isinstance(models, dict) else ()):
            if isinstance(model, dict) and "outputs" in model:
                model["outputs"] = _map_leaves(model["outputs"], functools.partial(self.resolve, path=("models", model_name, "outputs")))
        structure = flat.get("structure")
        if isinstance(structure, dict) and "outputs" in structure:
            named = set(outputs) if isinstance(outputs, dict) else set()
            structure["outputs"] = _map_leaves(structure["outputs"], lambda ref: ref if ref in named else self.resolve(ref, ("structure", "outputs")))

    def resolve(self, ref: str, path: Path) -> str:
        current = ref
        for _ in range(_MAX_BLOCK_DEPTH * 2):
            name, sep, index = current.partition(":")
            outputs = self.instances.get(name)
            if outputs is None:
                return current
            if not sep and len(outputs) != 1:
                self.flat_error(Code.BAD_OUTPUT_INDEX, f"block instance {name!r} has {len(outputs)} outputs; say which", path, f"write '{name}:0' to '{name}:{len(outputs) - 1}'")
                return ref
            if sep and not _INDEX.fullmatch(index):
                return current  # not a reference: the structural check reports it
            choice = _index(index) if sep else 0
            if choice >= len(outputs):
                self.flat_error(Code.BAD_OUTPUT_INDEX, f"block instance {name!r} has {len(outputs)} output(s); '{current}' is out of range", path)
                return ref
            current = outputs[choice]
        self.flat_error(Code.CYCLE, f"reference {ref!r} leads back to itself through block outputs", path)
        return ref

    # -- blocks and includes -------------------------------------------------

    def load_blocks(self, doc: Document, chain: tuple[str, ...]) -> None:
        data = doc.data if isinstance(doc.data, dict) else {}
        for included in self.includes(doc, data.get("include"), chain):
            self.load_blocks(included, (*chain, os.path.realpath(str(included.file))))
        raw = data.get("blocks")
        if raw is None:
            return
        if not isinstance(raw, dict):
            self.error(Code.WRONG_TYPE, "`blocks` is a mapping of block names to {params, inputs, nodes, outputs}", doc, ("blocks",))
            return
        for name, definition in raw.items():
            block = self.block(name, definition, doc, ("blocks", name))
            if block is None:
                continue
            if name in self.blocks:
                first = self.blocks[name]
                mark = first.doc.position(first.path, at_key=True)
                where = f"{first.doc.file or '<spec>'}:{mark.line}:{mark.column}" if mark else first.doc.file
                self.error(Code.DUPLICATE_NAME, f"block {name!r} is defined twice (first at {where})", doc, ("blocks", name), "rename one of them", at_key=True)
                continue
            self.blocks[name] = block

    def block(self, name: str, raw: Any, doc: Document, path: Path) -> _Block | None:
        """A block definition, checked; ``None`` (with its problems reported) if it cannot be used."""
        if not NAME_RE.fullmatch(name):
            self.error(Code.BAD_NAME, f"{name!r} is not a valid block name", doc, path, at_key=True)
            return None
        if not isinstance(raw, dict):
            self.error(Code.WRONG_TYPE, "a block is a mapping {params, inputs, nodes, outputs}", doc, path)
            return None
        found = len(self.problems)
        for key in raw:
            if key not in _BLOCK_KEYS:
                hint = did_you_mean(key, _BLOCK_KEYS, otherwise="allowed here: " + ", ".join(_BLOCK_KEYS))
                self.error(Code.UNKNOWN_KEY, f"unknown key {key!r} in block {name!r}", doc, (*path, key), hint, at_key=True)
        inputs = _names(raw.get("inputs", ["x"]))
        if inputs is None:
            self.error(Code.WRONG_TYPE, "a block's inputs are a name or a list of names", doc, (*path, "inputs"))
        outputs = self.part(raw, "outputs", _names(raw.get("outputs")), "a node name or a list of them", doc, path)
        nodes = self.part(raw, "nodes", raw.get("nodes") if isinstance(raw.get("nodes"), dict) else None, "a mapping of nodes", doc, path)
        for clash in set(inputs or ()) & set(nodes or ()):
            self.error(Code.DUPLICATE_NAME, f"{clash!r} is both an input and a node of block {name!r}", doc, (*path, "nodes", clash), "rename one of them", at_key=True)
        params = self.declare(raw.get("params"), doc, (*path, "params"))
        if len(self.problems) > found or inputs is None or not outputs or not nodes:
            return None
        return _Block(name, doc, path, params, inputs, nodes, outputs)

    def part(self, raw: dict[str, Any], key: str, value: Any, what: str, doc: Document, path: Path) -> Any:
        """A required, non-empty part of a block definition (``nodes``, ``outputs``), or ``None``, reported."""
        if not value:
            missing = key not in raw
            self.error(Code.MISSING_KEY if missing else Code.WRONG_TYPE, f"block {path[-1]!r} needs `{key}`: {what}", doc, path if missing else (*path, key))
            return None
        return value

    def includes(self, doc: Document, raw: Any, chain: tuple[str, ...]) -> Iterator[Document]:
        if raw is None:
            return
        paths = [raw] if isinstance(raw, str) else raw
        if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
            self.error(Code.WRONG_TYPE, "`include` is a path or a list of paths to spec files", doc, ("include",))
            return
        for i, rel in enumerate(paths):
            where: Path = ("include", i) if isinstance(raw, list) else ("include",)
            included = self.open_file(rel, doc, where, chain)
            if included is None:
                continue
            real = os.path.realpath(str(included.file))
            if real in self.included:
                continue  # included already (twice in a diamond, or under another spelling): its blocks are loaded
            self.included.add(real)
            data = included.data
            if not isinstance(data, dict) or not ({"blocks", "include"} & set(data)):
                # Otherwise a typo (`block:`) would drop the file's blocks without a word.
                what = "its top level is not a mapping" if not isinstance(data, dict) else "it has no `blocks:` (or `include:`)"
                self.error(Code.BAD_INCLUDE, f"include {rel!r} brings no blocks: {what}", doc, where, "define the shared blocks under `blocks:` in that file")
                continue
            yield included

    def open_file(self, rel: Any, doc: Document, where: Path, chain: tuple[str, ...]) -> Document | None:
        """Load the spec file ``rel`` names (relative to ``doc``'s file), if confined and not in ``chain``.

        Files are known by real path: one named again, however spelled, is the
        document already parsed.
        """
        if not isinstance(rel, str):
            self.error(Code.WRONG_TYPE, f"expected a path to a spec file; got {_show(rel)}", doc, where)
            return None
        found = self.files.confine(rel, doc)
        if isinstance(found, Diagnostic):
            self.problems.extend(locate([replace(found, path=where)], doc))
            return None
        target, real = found
        if real in chain:
            names = [os.path.relpath(p, self.files.base or ".") for p in (*chain[chain.index(real) :], real)]
            self.error(Code.INCLUDE_CYCLE, "spec files include each other: " + " → ".join(names), doc, where, "remove one of the includes")
            return None
        if len(chain) > _MAX_INCLUDE_DEPTH:
            self.error(Code.BAD_INCLUDE, f"includes nest deeper than {_MAX_INCLUDE_DEPTH} levels", doc, where)
            return None
        try:
            return self.files.load(target, real, rel)
        except SpecError as exc:
            if exc.diagnostics[0].file is None:  # a bound of the whole spec: at the include that passed it
                self.problems.extend(locate([replace(d, path=where) for d in exc.diagnostics], doc))
            else:
                self.problems.extend(exc.diagnostics)
            return None


@dataclass(frozen=True)
class _At:
    """A value given in an ``override``, with its own path (for error positions)."""

    value: Any
    path: Path


# ---------------------------------------------------------------------------
# helpers


def _candidate(scope: _Scope, ref: str) -> str:
    """A reference written in ``scope``, as a flat reference (instances resolved later)."""
    if not isinstance(ref, str):
        return ref
    name, sep, index = ref.partition(":")
    if name in scope.inputs:
        target = scope.inputs[name]
        return f"{target}:{index}" if sep and ":" not in target else target
    return scope.prefix + ref


def _model_nodes(data: dict[str, Any]) -> int:
    nodes = data.get("nodes")
    return inline_nodes({"model": data}) if isinstance(nodes, dict) else 0


def _override_problem(value: Any, limits: Limits) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and abs(value) >= INT_BOUND:
        return "numbers must lie within ±1.8e308, the range of a float"
    if isinstance(value, float) and not math.isfinite(value):
        # A spec's own text cannot hold these (the loader refuses them); neither can --set.
        return "parameters are finite numbers"
    if isinstance(value, str):
        if len(value) > limits.max_bytes:
            return f"a string parameter holds at most {limits.max_bytes:,} characters"
        if SURROGATE.search(value):
            return "it holds a lone surrogate, which is not a Unicode character"
    return None


def _index(digits: str) -> int:
    """A copy or output number written in ASCII digits; past any count (never ``int()`` of thousands of digits) if long."""
    return int(digits) if len(digits) <= _MAX_INDEX_DIGITS else sys.maxsize


def _text_size(value: Any) -> int:
    if isinstance(value, str):
        return len(value)
    return sum(len(v) for v in value if isinstance(v, str)) if isinstance(value, list) else 0


def _map_refs(value: Any, fn: Any) -> Any:
    if isinstance(value, str):
        return fn(value)
    if isinstance(value, list):
        return [fn(v) if isinstance(v, str) else v for v in value]
    return value


def _map_leaves(tree: Any, fn: Any) -> Any:
    """A structure tree with its string leaves mapped (lists and mappings kept)."""
    if isinstance(tree, str):
        return fn(tree)
    if isinstance(tree, list):
        return [_map_leaves(v, fn) for v in tree]
    if isinstance(tree, dict):
        return {k: _map_leaves(v, fn) for k, v in tree.items()}
    return tree


def _map_call_refs(node: dict[str, Any], fn: Any) -> None:
    """The references in a node's ``call:`` arguments (strings, also inside lists), mapped like its ``inputs``."""
    call = node.get("call")
    if not isinstance(call, dict):
        return

    def mapped(value: Any) -> Any:
        if isinstance(value, str):
            return fn(value)
        return [mapped(v) for v in value] if isinstance(value, list) else value

    node["call"] = {k: mapped(v) for k, v in call.items()}


def _untrained(outputs: Any) -> Any:
    """A whole spec's outputs as a sub-model's: losses and metrics belong to the top-level model only."""
    if not isinstance(outputs, dict):
        return outputs
    return {k: {"from": v["from"]} if isinstance(v, dict) and "from" in v else {} if isinstance(v, dict) or v is None else v for k, v in outputs.items()}


def _names(value: Any) -> list[str] | None:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    return None


def _show(value: Any) -> str:
    kind = _type_of(value) or type(value).__name__
    return f"{kind} {value!r}"


def _format(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _evaluate_at(text: str, env: Mapping[str, Value], start: int) -> Value:
    try:
        return evaluate(text, env)
    except ExprError as exc:
        raise ExprError(exc.message, exc.offset + start) from None


def _shift(d: Diagnostic, offset: int) -> Diagnostic:
    """Move a located diagnostic's column to the culprit inside the expression string."""
    if d.line is None or d.column is None:
        return d
    line = d.source_line or ""
    quoted = 1 if line[d.column - 1 : d.column] in ("'", '"') else 0
    return d.located(d.file, d.line, d.column + quoted + offset, d.source_line)
