"""Instances and repeats: nodes expanded in a scope, and a node with ``block:`` expanded into scoped copies of the
block's nodes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphspec._util.suggest import did_you_mean
from graphspec.errors import Code, Path
from graphspec.expand._accounting import Exhausted, inline_nodes
from graphspec.expand._definitions import _MAX_BLOCK_DEPTH, _Block, _Scope, _show
from graphspec.expand._document import BlockScope, _Origin, _Via
from graphspec.expand._references import _INDEX, _candidate, _index, _map_call_refs, _map_refs
from graphspec.expand._state import _State
from graphspec.expand.expr import Value
from graphspec.source import shown_value

_INSTANCE_KEYS = ("block", "inputs", "repeat", "override")


class _Instances(_State):
    """Node definitions expanded in a scope: plain nodes copied, block instances and repeats expanded copy by copy.

    Reads ``spec_env`` and ``tally``; writes ``nodes``, ``instances``, ``out.origins``
    and ``out.scopes``; counts ``problems`` and ``late``; reports through
    ``flat_error``; uses ``find_block``, ``bind``, ``substitute`` and ``submodel``.
    """

    def node(self, scope: _Scope, name: str, raw: Any) -> None:
        flat_name = scope.prefix + name
        path: Path = ("nodes", flat_name)
        if flat_name in self.nodes or flat_name in self.instances:
            self.flat_error(
                Code.DUPLICATE_NAME,
                f"two nodes expand to the name {flat_name!r}",
                path,
                "rename one of them",
                at_key=True,
            )
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
            self.flat_error(
                Code.RECURSIVE_BLOCK, f"blocks nest deeper than {_MAX_BLOCK_DEPTH} levels here", (*path, "block")
            )
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
                self.flat_error(
                    Code.BAD_VALUE,
                    f"block {copy_block.name!r} takes {len(copy_block.inputs)} input(s); this copy gets {len(inputs)}",
                    chosen.path if chosen else path,
                )
                return
            self.check_args(copy_block, given, path)
            copy_name = f"{flat_name}/block{copy}" if "repeat" in raw else flat_name
            inputs = self.expand_copy(
                scope,
                copy_block,
                given,
                inputs,
                path,
                copy_name,
                f", copy {copy} of {times}" if "repeat" in raw else "",
            )
            self.out.scopes[copy_name] = BlockScope(copy_name, copy_block.name, copy if "repeat" in raw else None)
        self.instances[flat_name] = inputs  # a repeat reads as its last copy

    def expand_copy(
        self,
        scope: _Scope,
        block: _Block,
        args: dict[str, Any],
        inputs: list[str],
        path: Path,
        copy_name: str,
        which: str,
    ) -> list[str]:
        """Expand one copy of a block; return the flat references of its outputs."""
        if copy_name != path[1]:
            if copy_name in self.nodes or copy_name in self.instances:
                self.flat_error(
                    Code.DUPLICATE_NAME,
                    f"two nodes expand to the name {copy_name!r}",
                    ("nodes", copy_name),
                    "rename one of them",
                    at_key=True,
                )
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

    def instance_inputs(
        self, raw: dict[str, Any], scope: _Scope, block: _Block, path: Path, times: int
    ) -> list[str] | None:
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
                "repeat chains each copy's outputs into the next copy's inputs, "
                f"but block {block.name!r} has {len(block.inputs)} input(s) and {len(block.outputs)} output(s)",
                (*path, "repeat"),
            )
            return None
        return [_candidate(scope, r) for r in refs]

    def overrides(self, raw: Any, times: int, path: Path) -> dict[int, dict[str, Any]]:
        if raw is None:
            return {}
        where: Path = (*path, "override")
        if not isinstance(raw, dict):
            self.flat_error(
                Code.WRONG_TYPE, "override maps copy numbers (1-based) to parameter values: {1: {strides: 2}}", where
            )
            return {}
        out: dict[int, dict[str, Any]] = {}
        for key, values in raw.items():
            copy = _index(key) if _INDEX.fullmatch(str(key)) else 0
            if not 1 <= copy <= times:
                self.flat_error(
                    Code.BAD_VALUE,
                    f"override {shown_value(key)} names no copy; copies are numbered 1 to {times}",
                    (*where, key),
                    at_key=True,
                )
            elif not isinstance(values, dict):
                self.flat_error(Code.WRONG_TYPE, "an override is a mapping of parameter values", (*where, key))
            else:
                out[copy] = {k: _At(v, (*where, key, k)) for k, v in values.items()}
        return out

    def check_args(self, block: _Block, args: dict[str, Any], path: Path) -> None:
        for name in args:
            if name not in block.params:
                hint = did_you_mean(
                    name,
                    [*block.params, *_INSTANCE_KEYS],
                    otherwise=f"block {block.name!r} takes: {', '.join(block.params) or 'no parameters'}",
                )
                self.flat_error(
                    Code.UNKNOWN_PARAM,
                    f"block {block.name!r} has no parameter {name!r}",
                    (*path, name),
                    hint,
                    at_key=True,
                )

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
                self.flat_error(
                    Code.MISSING_PARAM,
                    f"block {block.name!r} needs parameter {name!r}",
                    path,
                    f"add `{name}: ...` to the instance",
                )
                continue
            elif len(self.problems) + len(self.late) == found:  # a default may use the parameters before it
                bound = self.bind(decl, decl.default, env, block.doc, decl.value_path)
            else:
                continue
            if bound is not None:
                env[name] = bound
        return env if len(self.problems) + len(self.late) == found else None


@dataclass(frozen=True)
class _At:
    """A value given in an ``override``, with its own path (for error positions)."""

    value: Any
    path: Path


def _text_size(value: Any) -> int:
    if isinstance(value, str):
        return len(value)
    return sum(len(v) for v in value if isinstance(v, str)) if isinstance(value, list) else 0
