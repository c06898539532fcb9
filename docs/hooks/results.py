"""Render benchmark results into the docs: each `<!-- results: NAME -->` line becomes a table.

The table is read from ``benchmarks/results/NAME.json`` when the site is built, so
the pages show what the benchmarks measured, never a copy pasted by hand. The
schema is described in ``benchmarks/results/README.md``. A missing or malformed
file stops the build, naming the page and the file.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError

RESULTS = Path(__file__).resolve().parents[2] / "benchmarks" / "results"
MARKER = re.compile(r"^<!-- results: ([A-Za-z0-9_.-]+) -->$", re.MULTILINE)
REQUIRED = ("benchmark", "command", "machine", "date", "rows")


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    def table(match: re.Match[str]) -> str:
        name = match.group(1)
        try:
            return render(name, load(name))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise PluginError(
                f"{page.file.src_uri}: benchmark results {name!r} ({RESULTS / name}.json): {exc}"
            ) from exc

    return MARKER.sub(table, markdown)


def load(name: str) -> dict[str, Any]:
    data = json.loads((RESULTS / f"{name}.json").read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    missing = [key for key in REQUIRED if key not in data]
    if missing:
        raise KeyError(f"missing {', '.join(missing)}")
    if not data["rows"]:
        raise ValueError("no rows")
    return data


def columns(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The table's columns: as the file lists them, else the first row's keys."""
    return data.get("columns") or [{"key": key} for key in data["rows"][0]]


def cell(value: Any, column: dict[str, Any]) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return str(column["format"]).format(value) if "format" in column else repr(value)
    return str(value)


def render(name: str, data: dict[str, Any]) -> str:
    """The Markdown table, and a line naming the file, the command, the machine and the date."""
    cols = columns(data)
    lines = [
        "| " + " | ".join(str(c.get("label", c["key"])) for c in cols) + " |",
        "| " + " | ".join("---:" if c.get("align") == "right" else "---" for c in cols) + " |",
    ]
    lines += ["| " + " | ".join(cell(row.get(c["key"]), c) for c in cols) + " |" for row in data["rows"]]
    lines += [
        "",
        f"<small>`benchmarks/results/{name}.json`: `{data['command']}`, {data['machine']}, {data['date']}.</small>",
    ]
    return "\n".join(lines)
