"""What the concerns of one expansion share: the definitions read, the nodes made, the problems found.

:class:`_State` holds that state, reports problems and counts what expansion
makes against the budget; it also names the steps one concern asks of another,
each implemented by one mixin (``_substitute``, ``_params``, ``_overrides``,
``_blocks``, ``_submodels``), which :class:`graphspec.expand._expander._Expander`
combines.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, NoReturn

from graphspec.errors import Code, Diagnostic, Path
from graphspec.expand._accounting import Exhausted, SpecFiles, Tally
from graphspec.expand._definitions import _Block, _Param, _Scope
from graphspec.expand._document import ExpandedDocument
from graphspec.expand.expr import Value
from graphspec.source import Document, Limits, locate


class _Abort(Exception):
    """Stop expanding at once (a budget exceeded); the diagnostics say why."""


class _State(ABC):
    """One expansion's state: the root document and budget, what has been defined and made, and the problems found.

    ``problems`` holds located diagnostics, ``late`` those at flat paths (located
    through ``out``'s origins at the end); ``blocks`` the definitions loaded,
    ``nodes`` the flat nodes made, ``instances`` the flat output references of
    each block instance and copy, ``spec_env`` the spec's parameters as bound.
    """

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
        self.out = ExpandedDocument(
            None, root.file, root.text, root.values, root.keys, list(root.problems), root.is_json
        )
        self.spec_env: dict[str, Value] = {}
        # `chain` holds the files being expanded, outermost first, to catch cycles;
        # `included` the files whose blocks are loaded (a file included twice, however spelled, counts once).
        self.chain = (*chain, os.path.realpath(root.file)) if root.file is not None else chain
        self.included: set[str] = set()

    # -- diagnostics ---------------------------------------------------------

    def error(
        self, code: Code, message: str, doc: Document, path: Path, hint: str | None = None, *, at_key: bool = False
    ) -> None:
        """A problem in definitions written in ``doc`` (block definitions, params, includes)."""
        self.problems.extend(locate([Diagnostic(code, message, path, hint, at_key=at_key)], doc))

    def flat_error(
        self, code: Code, message: str, path: Path, hint: str | None = None, *, at_key: bool = False
    ) -> None:
        """A problem at a flat path: located through the origins recorded so far."""
        self.late.append(Diagnostic(code, message, path, hint, at_key=at_key))

    def spend(self, units: int, path: Path, *, values: int = 0, doc: Document | None = None) -> None:
        """Count ``units`` nodes (and ``values`` values) made at ``path`` (flat, or in ``doc``);
        stop at once past a bound."""
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

    # -- what one concern asks of another -------------------------------------

    @abstractmethod
    def run(self, overrides: dict[str, Any]) -> Document:
        """The flat document (``_expander``); a ``model:`` file's expansion runs another expander."""

    @abstractmethod
    def substitute(self, value: Any, env: Mapping[str, Value], doc: Document, path: Path, flat: bool = False) -> Any:
        """``value`` with every ``${...}`` evaluated (``_substitute``)."""

    @abstractmethod
    def declare(self, raw: Any, doc: Document, path: Path) -> dict[str, _Param]:
        """The parameters a ``params:`` mapping declares (``_params``)."""

    @abstractmethod
    def bind(
        self, decl: _Param, raw: Any, env: Mapping[str, Value], doc: Document, path: Path, flat: bool = False
    ) -> Value | None:
        """A parameter's value, evaluated and type-checked (``_params``)."""

    @abstractmethod
    def override_value(self, decl: _Param, given: Any) -> Value | None:
        """A ``--set``/``params=`` value for ``decl``, checked (``_overrides``)."""

    @abstractmethod
    def open_file(self, rel: Any, doc: Document, where: Path, chain: tuple[str, ...]) -> Document | None:
        """The spec file ``rel`` names, loaded if confined (``_blocks``)."""

    @abstractmethod
    def find_block(self, name: Any, scope: _Scope, path: Path) -> _Block | None:
        """The block ``name``, unless unknown or already being expanded (``_blocks``)."""

    @abstractmethod
    def submodel(self, scope: _Scope, flat_name: str, raw: dict[str, Any]) -> None:
        """A ``model: other.yaml`` node, inlined (``_submodels``)."""
