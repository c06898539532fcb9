"""What a lint rule is: a code, a severity, a check, and the documentation that goes with it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from graphspec.errors import CODE_DOCS, Code, Path, Severity

__all__ = ["Finding", "Rule", "Stage"]

Stage = Literal["graph", "data"]


@dataclass(frozen=True)
class Finding:
    """One thing a rule found: what will happen in training, where, and how to fix it.

    Attributes:
        message: what the spec does and what training will do with it.
        path: the spec path the diagnostic points at.
        hint: the fix.
        owners: the entries (``("nodes", name)``, ``("outputs", name)``, inside a
            sub-model prefixed with ``("nodes", m, "model")``) whose
            ``lint: {ignore: [...]}`` silences this finding; the spec's own
            ``lint:`` always does.
    """

    message: str
    path: Path
    hint: str
    owners: tuple[Path, ...] = ()


@dataclass(frozen=True)
class Rule:
    """A lint rule.

    ``check`` takes what the stage provides (the checked graph's facts for
    ``graph`` rules, one array's facts for ``data`` rules) and yields findings.
    The rest documents the rule: ``docs/errors.md`` is generated from it.

    Attributes:
        code: the stable diagnostic code; its one-line summary is ``CODE_DOCS[code]``.
        severity: error where the model cannot learn, warning where it is very likely wrong.
        stage: ``graph`` (at validate time) or ``data`` (the arrays of fit, evaluate, predict).
        check: the rule itself.
        title: a heading for the documentation.
        explanation: why it goes wrong in training, for the documentation (Markdown).
        example: a spec fragment that triggers it.
        fix: the same fragment fixed.
        reports: public reports of the bug (issue threads, questions) that motivated the rule.
    """

    code: Code
    severity: Severity
    stage: Stage
    check: Callable[[Any], Iterator[Finding]]
    title: str
    explanation: str
    example: str
    fix: str
    reports: tuple[str, ...] = field(default_factory=tuple)

    @property
    def summary(self) -> str:
        return CODE_DOCS[self.code]
