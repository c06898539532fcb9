"""Generate ``docs/errors.md`` from :mod:`graphspec.errors` (``python -m graphspec._docs``)."""

from __future__ import annotations

from pathlib import Path

from graphspec.errors import CODE_DOCS, Code

ERRORS_MD = Path(__file__).resolve().parent.parent / "docs" / "errors.md"


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
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    ERRORS_MD.write_text(render_errors_md(), encoding="utf-8")
