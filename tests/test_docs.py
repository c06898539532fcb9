"""The documentation: its specs validate, its pages are all in the navigation, the README stays a front page.

A ```yaml block whose top-level mapping has a ``graphspec:`` or ``nodes:`` key is a
spec, and must pass ``graphspec.validate`` (which never imports TensorFlow). A block
that is deliberately not a whole valid spec says so on the line before its fence:
``<!-- fragment: why -->`` (not checked) or ``<!-- invalid-example: why -->`` (must
fail validation). ``docs/errors.md`` is generated from the lint rules, whose examples
are fragments by design; ``tests/test_lint.py`` keeps it fresh.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

import graphspec

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
README = ROOT / "README.md"
GENERATED = {DOCS / "errors.md"}
RESULTS = ROOT / "benchmarks" / "results"

FENCE = re.compile(r"^\s*```(\w*)\s*$")
MARKER = re.compile(r"^<!-- (fragment|invalid-example): (\S.*?) -->$")
SPEC_KEY = re.compile(r"^(graphspec|nodes)\s*:", re.MULTILINE)
QUICK_START = (
    "python3 -m venv .venv && .venv/bin/pip install -e . && "
    ".venv/bin/graphspec build specs/seed/multi_input_qa.yaml --summary",
    "python3 -m venv .venv && .venv/bin/pip install -e '.[dev]' && .venv/bin/python -m pytest",
)


@dataclass(frozen=True)
class Block:
    path: Path
    line: int  # of the opening fence, 1-based
    lang: str
    text: str
    marker: tuple[str, str] | None  # (kind, reason) from the line before the fence

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def blocks(path: Path) -> Iterator[Block]:
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        start, body = i, []
        i += 1
        while i < len(lines) and not FENCE.match(lines[i]):
            body.append(lines[i])
            i += 1
        before = next((ln.strip() for ln in reversed(lines[:start]) if ln.strip()), "")
        found = MARKER.match(before)
        yield Block(
            path,
            start + 1,
            opening.group(1),
            "\n".join(body) + "\n",
            (found.group(1), found.group(2)) if found else None,
        )
        i += 1


def pages() -> list[Path]:
    return sorted(DOCS.rglob("*.md"))


def spec_blocks() -> list[Block]:
    return [
        b
        for p in [README, *pages()]
        if p not in GENERATED
        for b in blocks(p)
        if b.lang == "yaml" and SPEC_KEY.search(b.text)
    ]


def _case(block: Block) -> object:
    return pytest.param(block, id=block.where)


@pytest.mark.parametrize("block", [_case(b) for b in spec_blocks()])
def test_spec_in_the_docs_validates(block: Block) -> None:
    if block.marker and block.marker[0] == "invalid-example":
        with pytest.raises(graphspec.SpecError):
            graphspec.validate(block.text)
    elif block.marker and block.marker[0] == "fragment":
        # Part of a spec (the marker says what is left out): it is still YAML a spec could hold.
        assert isinstance(yaml.safe_load(block.text), dict)
    else:
        graphspec.validate(block.text)


def test_the_generated_errors_page_is_current() -> None:
    """docs/errors.md is written by the generator (its examples are fragments, so its blocks are not
    validated above); the committed page must be what the generator writes today."""
    from graphspec.lint._errors_page import ERRORS_MD, render_errors_md

    assert ERRORS_MD == DOCS / "errors.md"
    assert ERRORS_MD.read_text(encoding="utf-8") == render_errors_md()


def test_the_docs_hold_specs_and_few_markers() -> None:
    found = spec_blocks()
    assert len(found) >= 5, "the block finder is broken"
    marked = [b for b in found if b.marker]
    assert len(marked) <= 3, f"keep markers few, prefer complete specs: {[b.where for b in marked]}"


def test_markers_precede_spec_blocks() -> None:
    for path in [README, *pages()]:
        text = path.read_text(encoding="utf-8")
        markers = len(re.findall(r"^<!-- (?:fragment|invalid-example)\b", text, re.MULTILINE))
        used = sum(1 for b in blocks(path) if b.marker and b.lang == "yaml" and SPEC_KEY.search(b.text))
        assert markers == used, (
            f"{path.relative_to(ROOT)}: a fragment/invalid-example marker must say why "
            "and stand right before a spec's ```yaml fence"
        )


def nav_files(entries: object) -> Iterator[str]:
    if isinstance(entries, str):
        yield entries
    elif isinstance(entries, list):
        for entry in entries:
            yield from nav_files(entry)
    elif isinstance(entries, dict):
        for value in entries.values():
            yield from nav_files(value)


def mkdocs_config() -> dict[str, object]:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    assert isinstance(config, dict)
    return config


def test_every_page_is_in_the_nav_and_every_nav_entry_exists() -> None:
    nav = list(nav_files(mkdocs_config()["nav"]))
    assert len(nav) == len(set(nav)), "a page is in the nav twice"
    missing = [entry for entry in nav if not (DOCS / entry).is_file()]
    assert not missing, f"nav entries without a page: {missing}"
    unlisted = [str(p.relative_to(DOCS)) for p in pages() if str(p.relative_to(DOCS)) not in nav]
    assert not unlisted, f"pages not in mkdocs.yml's nav: {unlisted}"


def test_hooks_exist() -> None:
    hooks = mkdocs_config()["hooks"]
    assert isinstance(hooks, list)
    for hook in hooks:
        assert (ROOT / hook).is_file(), hook


def test_every_results_table_has_its_file_and_every_file_its_page() -> None:
    shown = {
        m
        for p in pages()
        for m in re.findall(r"^<!-- results: (\S+) -->$", p.read_text(encoding="utf-8"), re.MULTILINE)
    }
    files = {p.stem for p in RESULTS.glob("*.json")}
    assert shown == files, (
        f"shown without a file: {sorted(shown - files)}; files no page shows: {sorted(files - shown)}"
    )
    for name in files:
        data = json.loads((RESULTS / f"{name}.json").read_text(encoding="utf-8"))
        assert {"benchmark", "command", "machine", "date", "rows"} <= set(data), name
        assert (ROOT / "benchmarks" / f"{data['benchmark']}.py").is_file(), (
            f"{name}: no benchmarks/{data['benchmark']}.py"
        )
        assert data["command"].startswith(f"python benchmarks/{data['benchmark']}.py"), name
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", data["date"]), name
        keys = [c["key"] for c in data.get("columns") or [{"key": k} for k in data["rows"][0]]]
        for row in data["rows"]:
            assert set(row) <= set(keys), f"{name}: a row has keys no column shows: {sorted(set(row) - set(keys))}"


def test_readme_is_a_front_page_that_keeps_the_quick_start() -> None:
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 200
    for command in QUICK_START:
        assert f"```sh\n{command}\n```" in text, command
    assert ".venv/bin/python -m pytest" in text


def test_readme_links_point_at_files() -> None:
    text = README.read_text(encoding="utf-8")
    links = [link.split("#")[0] for link in re.findall(r"\]\(([^)\s]+)\)", text) if "://" not in link]
    assert links, "the README links to its docs"
    missing = [link for link in links if not (ROOT / link).exists()]
    assert not missing, missing


def _api_entries() -> list[tuple[str, str]]:
    """(target, shown name) of each ``::: target`` on the API page; a ``heading:`` option renames it."""
    text = (DOCS / "api.md").read_text(encoding="utf-8")
    found = re.finditer(r"^::: (\S+)\n((?:    .*\n)*)", text, re.M)
    return [(m[1], (re.search(r"^\s+heading: (\S+)$", m[2], re.M) or m)[1]) for m in found]


def test_the_api_page_documents_every_public_name_as_the_object_users_get() -> None:
    """`graphspec.expand`, `export` and `tune` are functions named like packages: the page must
    document the functions (reached at their modules), not the packages mkdocstrings would read."""
    import pkgutil

    entries = _api_entries()
    shown = [name for _, name in entries]
    assert sorted(shown) == sorted(f"graphspec.{n}" for n in graphspec.__all__ if n != "__version__")
    wrong = [
        (target, name)
        for target, name in entries
        if pkgutil.resolve_name(target) is not getattr(graphspec, name.removeprefix("graphspec."))
    ]
    assert wrong == []


def test_sphinx_roles_become_code_on_the_api_pages() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("sphinx_roles", DOCS / "hooks" / "sphinx_roles.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    text = "See :class:`~graphspec.source.Document`, :func:`graphspec.spec.parse_spec` and :meth:`Spec.x`."
    assert module.plain(text) == "See `Document`, `graphspec.spec.parse_spec` and `Spec.x`."
