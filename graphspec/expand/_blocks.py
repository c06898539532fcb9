"""Blocks and includes: ``blocks:`` definitions, the spec files ``include:`` and ``model:`` name,
and blocks found by name."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from graphspec._util.names import NAME_RE
from graphspec._util.suggest import did_you_mean, did_you_mean_or_list
from graphspec.errors import Code, Diagnostic, Path, SpecError
from graphspec.expand._definitions import _Block, _Scope, _show
from graphspec.expand._state import _State
from graphspec.source import Document, locate

_BLOCK_KEYS = ("description", "params", "inputs", "nodes", "outputs")
_MAX_INCLUDE_DEPTH = 16


class _Blocks(_State):
    """Block definitions loaded from the root spec and the files it includes; spec files opened, confined.

    Reads ``files``; writes ``blocks`` and ``included``; appends to ``problems``;
    reads a block's parameters through ``declare``.
    """

    def load_blocks(self, doc: Document, chain: tuple[str, ...]) -> None:
        data = doc.data if isinstance(doc.data, dict) else {}
        for included in self.includes(doc, data.get("include"), chain):
            self.load_blocks(included, (*chain, os.path.realpath(str(included.file))))
        raw = data.get("blocks")
        if raw is None:
            return
        if not isinstance(raw, dict):
            self.error(
                Code.WRONG_TYPE,
                "`blocks` is a mapping of block names to {params, inputs, nodes, outputs}",
                doc,
                ("blocks",),
            )
            return
        for name, definition in raw.items():
            block = self.block(name, definition, doc, ("blocks", name))
            if block is None:
                continue
            if name in self.blocks:
                first = self.blocks[name]
                mark = first.doc.position(first.path, at_key=True)
                where = f"{first.doc.file or '<spec>'}:{mark.line}:{mark.column}" if mark else first.doc.file
                self.error(
                    Code.DUPLICATE_NAME,
                    f"block {name!r} is defined twice (first at {where})",
                    doc,
                    ("blocks", name),
                    "rename one of them",
                    at_key=True,
                )
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
                hint = did_you_mean_or_list(key, _BLOCK_KEYS)
                self.error(
                    Code.UNKNOWN_KEY, f"unknown key {key!r} in block {name!r}", doc, (*path, key), hint, at_key=True
                )
        inputs = _names(raw.get("inputs", ["x"]))
        if inputs is None:
            self.error(Code.WRONG_TYPE, "a block's inputs are a name or a list of names", doc, (*path, "inputs"))
        outputs = self.part(raw, "outputs", _names(raw.get("outputs")), "a node name or a list of them", doc, path)
        nodes = self.part(
            raw,
            "nodes",
            raw.get("nodes") if isinstance(raw.get("nodes"), dict) else None,
            "a mapping of nodes",
            doc,
            path,
        )
        for clash in set(inputs or ()) & set(nodes or ()):
            self.error(
                Code.DUPLICATE_NAME,
                f"{clash!r} is both an input and a node of block {name!r}",
                doc,
                (*path, "nodes", clash),
                "rename one of them",
                at_key=True,
            )
        params = self.declare(raw.get("params"), doc, (*path, "params"))
        if len(self.problems) > found or inputs is None or not outputs or not nodes:
            return None
        return _Block(name, doc, path, params, inputs, nodes, outputs)

    def part(self, raw: dict[str, Any], key: str, value: Any, what: str, doc: Document, path: Path) -> Any:
        """A required, non-empty part of a block definition (``nodes``, ``outputs``), or ``None``, reported."""
        if not value:
            missing = key not in raw
            self.error(
                Code.MISSING_KEY if missing else Code.WRONG_TYPE,
                f"block {path[-1]!r} needs `{key}`: {what}",
                doc,
                path if missing else (*path, key),
            )
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
                what = (
                    "its top level is not a mapping"
                    if not isinstance(data, dict)
                    else "it has no `blocks:` (or `include:`)"
                )
                self.error(
                    Code.BAD_INCLUDE,
                    f"include {rel!r} brings no blocks: {what}",
                    doc,
                    where,
                    "define the shared blocks under `blocks:` in that file",
                )
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
            self.error(
                Code.INCLUDE_CYCLE,
                "spec files include each other: " + " → ".join(names),
                doc,
                where,
                "remove one of the includes",
            )
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

    def find_block(self, name: Any, scope: _Scope, path: Path) -> _Block | None:
        """The block ``name`` (written at ``path``), unless unknown or already being expanded."""
        if not isinstance(name, str) or name not in self.blocks:
            hint = did_you_mean(
                str(name),
                list(self.blocks),
                otherwise=(
                    "defined blocks: " + ", ".join(self.blocks)
                    if self.blocks
                    else "define it under `blocks:` or include a file that does"
                ),
            )
            self.flat_error(Code.UNKNOWN_BLOCK, f"unknown block {name!r}", path, hint)
            return None
        if name in scope.blocks:
            chain = " → ".join((*scope.blocks[scope.blocks.index(name) :], name))
            self.flat_error(
                Code.RECURSIVE_BLOCK,
                f"block {name!r} instantiates itself: {chain}",
                path,
                "a block may use other blocks, never itself",
            )
            return None
        return self.blocks[name]


def _names(value: Any) -> list[str] | None:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    return None
