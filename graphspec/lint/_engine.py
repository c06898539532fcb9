"""Running the rules: the graph stage over a checked spec, silencing by ``lint: {ignore: [...]}``,
and checking those lists."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from graphspec._util.suggest import did_you_mean_or_list
from graphspec.errors import Code, Diagnostic, Path
from graphspec.graph import Graph
from graphspec.lint._facts import Facts
from graphspec.lint._rule import Finding, Rule
from graphspec.shapes import Inference
from graphspec.spec import Spec, SpecBody

__all__ = ["Ignores", "check_ignores", "diagnose", "ignores", "lint"]

Ignores = Mapping[Path, frozenset[str]]


def lint(spec: Spec, graph: Graph, inference: Inference) -> list[Diagnostic]:
    """Every graph-stage lint finding of a checked spec, as diagnostics, unlocated.

    Errors are findings where the model cannot learn, warnings where it very likely
    trains to something wrong. Findings silenced by ``lint: {ignore: [...]}`` are left out.
    """
    from graphspec.lint.rules import RULES

    facts = Facts(spec, graph, inference)
    silenced = ignores(spec)
    out: list[Diagnostic] = []
    for rule in RULES:
        if rule.stage == "graph":
            out += diagnose(rule, rule.check(facts), silenced)
    return out


# As for shape rules: an argument value the catalogue let through that a rule cannot
# read (a list where a number usually goes) ends that rule's findings, never validation.
_RULE_FAILURES = (TypeError, ValueError, KeyError, IndexError, ZeroDivisionError, AttributeError, OverflowError)


def _guarded(findings: Iterable[Finding]) -> Iterator[Finding]:
    try:
        yield from findings
    except _RULE_FAILURES:
        return


def diagnose(rule: Rule, findings: Iterable[Finding], silenced: Ignores) -> list[Diagnostic]:
    """The rule's findings as diagnostics, without those its owners (or the spec) ignore."""
    code = rule.code.value
    out = []
    for f in _guarded(findings):
        if code in silenced.get((), ()) or any(code in silenced.get(owner, ()) for owner in f.owners):
            continue
        out.append(Diagnostic(rule.code, f.message, f.path, f.hint, rule.severity))
    return out


def ignores(spec: Spec) -> dict[Path, frozenset[str]]:
    """The codes each entry ignores: ``()`` for the spec, ``("nodes", n)``, ``("outputs", n)``,
    nested models prefixed."""
    out: dict[Path, frozenset[str]] = {}
    if spec.lint is not None and spec.lint.ignore:
        out[()] = frozenset(spec.lint.ignore)
    for path, codes in _entries(spec, ()):
        if codes:
            out[path] = frozenset(codes)
    return out


def _entries(body: SpecBody, prefix: Path) -> Iterator[tuple[Path, list[str]]]:
    for name, node in body.nodes.items():
        if node.lint is not None:
            yield (*prefix, "nodes", name), node.lint.ignore
        if node.model is not None:
            yield from _entries(node.model, (*prefix, "nodes", name, "model"))
    for name, out in body.outputs.items():
        if out.lint is not None:
            yield (*prefix, "outputs", name), out.lint.ignore


def rule_codes() -> list[str]:
    from graphspec.lint.rules import RULES

    return [r.code.value for r in RULES]


def check_ignores(spec: Spec) -> list[Diagnostic]:
    """``unknown-rule`` for each code in a ``lint: {ignore: [...]}`` list that names no lint rule."""
    lists: list[tuple[Path, list[str]]] = [(p, codes) for p, codes in _entries(spec, ())]
    if spec.lint is not None:
        lists.insert(0, ((), spec.lint.ignore))
    known = rule_codes()
    diags = []
    for where, codes in lists:
        for i, code in enumerate(codes):
            if code not in known:
                diags.append(
                    Diagnostic(
                        Code.UNKNOWN_RULE,
                        _unknown_message(code),
                        (*where, "lint", "ignore", i),
                        did_you_mean_or_list(code, known, label="lint rules"),
                    )
                )
    return diags


def _unknown_message(code: Any) -> str:
    if code in {c.value for c in Code}:
        return f"{code!r} is not a lint rule; only lint findings can be ignored"
    return f"unknown lint rule {code!r}"
