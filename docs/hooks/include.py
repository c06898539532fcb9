"""Include a file of the repository root into a page: `<!-- include: CHANGELOG.md -->`.

CHANGELOG.md and CONTRIBUTING.md live at the root, where GitHub shows them; the
site shows the same text. Their links into the site (`docs/lint.md`) are rewritten
relative to the including page, so the build checks them like any other link.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError

ROOT = Path(__file__).resolve().parents[2]
MARKER = re.compile(r"^<!-- include: ([A-Za-z0-9_.-]+\.md) -->$", re.MULTILINE)
DOCS_LINK = re.compile(r"\]\(docs/([^)#\s]*)")


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    here = posixpath.dirname(page.file.src_uri)

    def include(match: re.Match[str]) -> str:
        path = ROOT / match.group(1)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise PluginError(f"{page.file.src_uri}: cannot include {path}: {exc}") from exc
        return DOCS_LINK.sub(lambda m: "](" + posixpath.relpath(m.group(1) or ".", here or "."), text)

    return MARKER.sub(include, markdown)
