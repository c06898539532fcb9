"""The HTML page in a real headless Chromium (Debian's ``chromium``, driven by Playwright;
never a downloaded browser)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graphspec.render import draw

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Chromium as root in CI: no sandbox, no GPU, nothing reaching the network, a fresh profile.
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - the dev extra installs it
    sync_playwright = None  # type: ignore[assignment]

pytestmark = [
    pytest.mark.skipif(
        CHROMIUM is None, reason="Chromium is not installed (apt install chromium; .ci/run installs it)"
    ),
    pytest.mark.skipif(sync_playwright is None, reason="playwright is not installed (pip install -e '.[dev]')"),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, args=ARGS, headless=True, viewport={"width": 1280, "height": 900}
        )
        yield context
        context.close()


def _open(browser: Any, html: Path) -> tuple[Any, list[str]]:
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if not r.url.startswith("file://") else None)
    page.goto(html.as_uri())
    page.wait_for_selector("body[data-ready='1']", timeout=15000)
    assert not requests, f"the page asked the network for {requests}"
    return page, errors


TEXT_FITS = """id => {
  const g = document.getElementById('n:' + id), r = g.querySelector('rect').getBBox();
  const t = [...g.querySelectorAll('text')].map(t => t.getBBox());
  return [r.width, Math.max(...t.map(b => b.x + b.width))];
}"""


def _positions(page: Any) -> dict[str, tuple[float, float]]:
    """Where each visible box is (rounded as written: Python and the page round halves apart by 0.1)."""
    raw = page.evaluate(
        "() => Object.fromEntries([...document.querySelectorAll('g[data-node],g.box')]"
        ".filter(g => g.style.display !== 'none')"
        ".map(g => [g.id, g.transform.baseVal.consolidate().matrix]).map(([k, m]) => [k, [m.e, m.f]]))"
    )
    return {k: (round(v[0], 1), round(v[1], 1)) for k, v in raw.items()}


def _same(a: dict[str, tuple[float, float]], b: dict[str, tuple[float, float]]) -> bool:
    return a.keys() == b.keys() and all(abs(a[k][0] - b[k][0]) <= 0.11 and abs(a[k][1] - b[k][1]) <= 0.11 for k in a)


def test_page_renders_every_node_clicks_collapses(browser: Any, tmp_path: Path) -> None:
    spec = ROOT / "specs" / "zoo" / "resnet50.yaml"
    html = tmp_path / "resnet50.html"
    html.write_text(draw(spec, format="html", expand=("conv2",)), encoding="utf-8")
    page, errors = _open(browser, html)
    shown = page.evaluate(
        "() => [...document.querySelectorAll('g[data-node]')].filter(g => g.style.display !== 'none')"
        ".map(g => g.dataset.node)"
    )
    data = page.evaluate("() => JSON.parse(document.getElementById('gs-data').textContent).scene")
    inside_collapsed = {n["id"] for n in data["nodes"] if n["id"].split("/")[0] in ("conv3", "conv4", "conv5")}
    assert set(shown) == {n["id"] for n in data["nodes"]} - inside_collapsed
    for nid in shown:  # rendered, with its text inside its box
        size = page.evaluate(TEXT_FITS, nid)
        assert size[1] <= size[0] + 0.5, (nid, size)
    before = _positions(page)

    page.click("[id='n:conv1_conv'] rect", force=True)
    assert page.locator("#gs-panel.open h2").inner_text() == "conv1_conv"
    panel = page.locator("#gs-panel").inner_text()
    assert "9,472" in panel and "(None, 112, 112, 64)" in panel and "kernel_size" in panel and "resnet50.yaml:" in panel

    page.screenshot(path=str(tmp_path / "resnet50-open.png"))
    page.click("[id='c:conv2'] > text", force=True)  # collapse the open repeat by its label
    assert page.locator("[id='n:conv2/block1/conv0']").is_hidden()
    assert page.locator("[id='b:conv2']").is_visible()
    after = _positions(page)
    assert after["n:predictions"] != before["n:predictions"]  # what follows moved up
    page.screenshot(path=str(tmp_path / "resnet50-collapsed.png"))

    page.click("[id='b:conv2'] rect", force=True)  # and open it again: the same picture as the page was written
    assert _same(_positions(page), before)
    page.click("[id='b:conv4'] rect", force=True)
    assert page.locator("[id='n:conv4/block6/out']").is_visible()
    boxes = page.evaluate(
        "() => [...document.querySelectorAll('g[data-node],g.box')].filter(g => g.style.display !== 'none')"
        ".map(g => { const b = g.getBoundingClientRect(); return [g.id, b.left, b.top, b.right, b.bottom]; })"
    )
    for i, a in enumerate(boxes):  # no two boxes overlap after re-placing
        for b in boxes[i + 1 :]:
            assert not (a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5 and a[2] < b[4] - 0.5 and b[2] < a[4] - 0.5), (
                a[0],
                b[0],
            )

    page.fill("#gs-search", "avg_pool")
    assert page.locator("[id='n:avg_pool'].hit").count() == 1
    page.screenshot(path=str(tmp_path / "resnet50-search.png"))
    assert not errors
    print(f"screenshots in {tmp_path}")


def test_page_of_an_invalid_spec_shows_the_diagnostic(browser: Any, tmp_path: Path) -> None:
    html = tmp_path / "bad.html"
    html.write_text(
        draw(ROOT / "tests" / "cases" / "invalid" / "dangling_reference.yaml", format="html"), encoding="utf-8"
    )
    page, errors = _open(browser, html)
    missing = page.evaluate("() => [...document.querySelectorAll('g.node.missing')].map(g => g.dataset.node)")
    assert missing
    page.click(f"[id='n:{missing[0]}'] rect", force=True)
    assert (
        "unknown-reference" in page.locator("#gs-panel").inner_text()
        or page.locator("#gs-panel h2").inner_text() == missing[0]
    )
    page.screenshot(path=str(tmp_path / "invalid.png"))
    assert not errors


HOSTILE = """\
graphspec: 1
name: hostile
description: "</script><script>document.title='run'</script>"
inputs:
  x: {shape: [4]}
nodes:
  d: {layer: Dense, inputs: x, units: 2, activation: "<!--<script>", kernel_initializer: "</script><img src=x onerror=alert(1)>"}
outputs:
  d: {}
"""  # noqa: E501


def test_page_of_a_spec_with_markup_in_its_strings_still_works(browser: Any, tmp_path: Path) -> None:
    # "<!--" then "<script" inside a script element's text keep the HTML parser from ever closing it,
    # which swallowed the page's own script: strings from a spec must not reach the page as markup.
    html = tmp_path / "hostile.html"
    html.write_text(draw(HOSTILE, format="html"), encoding="utf-8")
    page, errors = _open(browser, html)
    assert page.title() == "hostile — graphspec"
    assert page.locator("img").count() == 0
    page.click("[id='n:d'] rect", force=True)
    panel = page.locator("#gs-panel").inner_text()
    assert "<!--<script>" in panel and "</script><img src=x onerror=alert(1)>" in panel
    assert not errors
