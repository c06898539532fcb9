"""Lint: the training bugs a spec builds fine with, found at validate time, before TensorFlow loads.

``validate`` proves a spec builds; lint looks for what then trains to nothing
or to something wrong: a categorical loss on one unit, ``from_logits`` on a
softmax, accuracy on a regression, token ids fed to a ``Dense``... Rules run on
the checked graph after shape inference (``graph`` rules, in :func:`lint`) and
on the arrays given to fit, evaluate and predict (``data`` rules, called from
:mod:`graphspec.data` through :mod:`graphspec.lint.values`). Errors are bugs
where the model cannot learn; warnings are very likely wrong. Each has a stable
code and a section in ``docs/errors.md``; ``lint: {ignore: [code]}`` on a node,
an output or the whole spec says "I mean it".

Like ``validate``, lint never imports TensorFlow, Keras or NumPy (the data
rules read statistics computed in :mod:`graphspec.lint.values`).
"""

from __future__ import annotations

from graphspec.errors import Code
from graphspec.lint._engine import check_ignores, lint
from graphspec.lint._rule import Finding, Rule
from graphspec.lint.rules import RULES

__all__ = ["CODES", "RULES", "Finding", "Rule", "check_ignores", "lint", "rule"]

CODES: frozenset[Code] = frozenset(r.code for r in RULES)
"""The codes of the lint rules (``unknown-rule``, a settings error, is not one)."""


def rule(code: str) -> Rule:
    """The rule with this code (``"squashed-twice"``).

    Raises:
        KeyError: if no rule has it.
    """
    for r in RULES:
        if r.code.value == code:
            return r
    raise KeyError(code)
