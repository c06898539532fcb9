"""What the concerns of parsing one ``search:`` section share: the declarations, the parameters read, the problems.

:class:`_ParseState` holds that state and reports problems; it also names the
steps one concern asks of another, each implemented by one mixin
(``_search_params``, ``_search_branches``), which
:class:`graphspec.expand._search_parse._Parser` combines with the objective and
constraints (``_search_goals``). The message helpers here are shared by all of them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from graphspec.errors import Code, Diagnostic, Path
from graphspec.expand._search_declared import Declared
from graphspec.expand._search_space import Condition, Param
from graphspec.expand.expr import type_of as _type_of
from graphspec.source import Document


class _ParseState(ABC):
    """One parse: the spec document and its declarations, the parameters read so far, the problems found.

    ``params`` holds the parameters in the order read (parents first), ``seen``
    the same by name, ``problems`` the diagnostics (located by the caller).
    """

    def __init__(self, doc: Document, declared: dict[str, Declared]):
        self.doc = doc
        self.declared = declared
        self.problems: list[Diagnostic] = []
        self.params: list[Param] = []
        self.seen: dict[str, Param] = {}

    def error(self, code: Code, message: str, path: Path, hint: str | None = None, *, at_key: bool = False) -> None:
        self.problems.append(Diagnostic(code, message, path, hint, at_key=at_key))

    # -- what one concern asks of another -------------------------------------

    @abstractmethod
    def entries(self, raw: Any, path: Path, conditions: tuple[Condition, ...]) -> None:
        """Read a mapping of parameter names to what to search, each registered (``_search_params``)."""

    @abstractmethod
    def register(self, param: Param) -> bool:
        """Add a parameter read, merging one repeated across branches of a choice (``_search_params``)."""

    @abstractmethod
    def branches(self, base: Param, raw: dict[Any, Any], path: Path) -> Param | None:
        """A choice whose values carry their own parameters, registered with them (``_search_branches``)."""


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
