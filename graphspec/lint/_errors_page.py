"""Generate ``docs/errors.md`` from :mod:`graphspec.errors` and the lint rules
(``python -m graphspec.lint._errors_page``; ``--check`` only says whether it is current)."""

from __future__ import annotations

import argparse
from pathlib import Path

from graphspec._util.files import regenerate
from graphspec.errors import CODE_DOCS, Code

ERRORS_MD = Path(__file__).resolve().parents[2] / "docs" / "errors.md"


def render_errors_md() -> str:
    lines = [
        "# Diagnostic codes",
        "",
        "Every diagnostic graphspec reports carries one of these stable codes. Tools may",
        "match on them; a code is never renamed or reused. `graphspec validate --format json`",
        "prints them in the `code` field; the text output shows them as `error[code]`.",
        "",
        "| code | meaning |",
        "| --- | --- |",
    ]
    lines += [f"| `{c.value}` | {CODE_DOCS[c]} |" for c in Code]
    return "\n".join([*lines, *_lint_sections()]) + "\n"


_LINT_INTRO = """\

## Lint rules

These rules look for training bugs that build without a word and then waste a
run: a loss that cannot fall, outputs squashed twice, a metric that measures
nothing, labels the loss cannot read. Graph rules run in `graphspec validate`
(and so in `build`, `summary`, `fit`), after the shapes are inferred, without
TensorFlow; data rules run on the arrays given to `fit`, `evaluate` and
`predict`, before TensorFlow loads. An **error** is a model that cannot learn and
fails validation; a **warning** is very likely wrong: it is printed, carried by
`--format json`, returned in `Report.warnings`, and fails `validate --strict`.

To say "I mean it", list the code under `lint: {ignore: [...]}` on the node or
output the finding names (either one, where it names both), or at the top of
the spec to silence it everywhere:

```yaml
nodes:
  scores: {layer: Dense, inputs: h, units: 1, activation: softmax, lint: {ignore: [softmax-size-one]}}
outputs:
  scores: {loss: mse, metrics: [accuracy], lint: {ignore: [metric-on-regression]}}
lint: {ignore: [high-learning-rate]}
```

An unknown code in such a list is an `unknown-rule` error, with the closest rule's name.
"""


def _lint_sections() -> list[str]:
    from graphspec.lint import RULES

    lines = [_LINT_INTRO]
    for rule in RULES:
        when = "validate time" if rule.stage == "graph" else "fit, evaluate and predict, on the data"
        lines += [
            f"### `{rule.code.value}`: {rule.title}",
            "",
            f"**{rule.severity.value}**, checked at {when}.",
            "",
            rule.explanation,
            "",
            "Found in:",
            "",
            "```yaml",
            rule.example,
            "```",
            "",
            "Fixed:",
            "",
            "```yaml",
            rule.fix,
            "```",
            "",
            "Reports of this bug:",
            "",
            *(f"- <{url}>" for url in rule.reports),
            "",
        ]
    return lines


def main(argv: list[str] | None = None) -> int:
    """Write ``docs/errors.md`` (or, with ``--check``, exit 1 if the committed page is stale)."""
    parser = argparse.ArgumentParser(
        prog="python -m graphspec.lint._errors_page",
        description="Regenerate docs/errors.md, the diagnostic codes page, from the codes and the lint rules.",
    )
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if docs/errors.md is stale")
    args = parser.parse_args(argv)
    current = regenerate(ERRORS_MD, render_errors_md(), check=args.check, command=parser.prog)
    return 0 if current else 1


if __name__ == "__main__":
    raise SystemExit(main())
