"""References: names written in a scope made flat,
and references to block instances resolved to the nodes that produce their outputs."""

from __future__ import annotations

import functools
import re
import sys
from typing import Any

from graphspec.errors import Code, Path
from graphspec.expand._definitions import _MAX_BLOCK_DEPTH, _Scope
from graphspec.expand._state import _State

_INDEX = re.compile(r"[0-9]+")  # ASCII only: str.isdigit() also takes "²", which int() refuses
_MAX_INDEX_DIGITS = 18  # more digits than any copy or output count; never given to int() (Python refuses 4,300)


class _References(_State):
    """References to block instances (``stage2``, ``stage2:1``), in the flat spec, turned into scoped node names.

    Reads ``instances``; rewrites references in ``nodes`` (and in the flat
    document's outputs, models and structure) in place; reports through ``flat_error``.
    """

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
        for model_name, model in models.items() if isinstance(models, dict) else ():
            if isinstance(model, dict) and "outputs" in model:
                model["outputs"] = _map_leaves(
                    model["outputs"], functools.partial(self.resolve, path=("models", model_name, "outputs"))
                )
        structure = flat.get("structure")
        if isinstance(structure, dict) and "outputs" in structure:
            named = set(outputs) if isinstance(outputs, dict) else set()
            structure["outputs"] = _map_leaves(
                structure["outputs"], lambda ref: ref if ref in named else self.resolve(ref, ("structure", "outputs"))
            )

    def resolve(self, ref: str, path: Path) -> str:
        current = ref
        for _ in range(_MAX_BLOCK_DEPTH * 2):
            name, sep, index = current.partition(":")
            outputs = self.instances.get(name)
            if outputs is None:
                return current
            if not sep and len(outputs) != 1:
                self.flat_error(
                    Code.BAD_OUTPUT_INDEX,
                    f"block instance {name!r} has {len(outputs)} outputs; say which",
                    path,
                    f"write '{name}:0' to '{name}:{len(outputs) - 1}'",
                )
                return ref
            if sep and not _INDEX.fullmatch(index):
                return current  # not a reference: the structural check reports it
            choice = _index(index) if sep else 0
            if choice >= len(outputs):
                self.flat_error(
                    Code.BAD_OUTPUT_INDEX,
                    f"block instance {name!r} has {len(outputs)} output(s); '{current}' is out of range",
                    path,
                )
                return ref
            current = outputs[choice]
        self.flat_error(Code.CYCLE, f"reference {ref!r} leads back to itself through block outputs", path)
        return ref


def _candidate(scope: _Scope, ref: str) -> str:
    """A reference written in ``scope``, as a flat reference (instances resolved later)."""
    if not isinstance(ref, str):
        return ref
    name, sep, index = ref.partition(":")
    if name in scope.inputs:
        target = scope.inputs[name]
        return f"{target}:{index}" if sep and ":" not in target else target
    return scope.prefix + ref


def _index(digits: str) -> int:
    """A copy or output number written in ASCII digits;
    past any count (never ``int()`` of thousands of digits) if long."""
    return int(digits) if len(digits) <= _MAX_INDEX_DIGITS else sys.maxsize


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
