"""One self-contained HTML page: the SVG, the scene and layout data, and a small script (no network)."""

from __future__ import annotations

import json
from importlib import resources
from xml.sax.saxutils import escape

from graphspec.render._layout import SPACING
from graphspec.render._scene import Scene
from graphspec.render._svg import Picture, render_svg

__all__ = ["render_html"]


def _asset(name: str) -> str:
    return resources.files("graphspec.render").joinpath(name).read_text(encoding="utf-8")


def _script_json(value: object) -> str:
    # Inside <script>, "</script" ends the element and "<!--" followed by "<script" keeps the parser
    # from ever ending it (the page's own script is swallowed): no "<" or ">" from a spec's strings may
    # reach the page as such. JSON spells them (and "&") as \u escapes, which read back the same.
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_html(scene: Scene) -> str:
    """The page: toolbar (search, fit, expand/collapse all), the drawing, and a side panel for the clicked node."""
    pic = Picture(scene)
    data = {
        "scene": scene.to_data(),
        "plan": pic.plan.to_data(),
        "sizes": pic.sizes,
        "labels": pic.label_widths,
        "spacing": SPACING,
    }
    notes = "".join(f"<div>{escape(n)}</div>" for n in scene.notes)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>{escape(scene.name)} — graphspec</title>
<style>{_asset("page.css")}</style></head>
<body>
<div id="gs-bar"><h1>{escape(scene.name)}</h1>
<input id="gs-search" type="search" placeholder="search nodes (Enter opens)" aria-label="search nodes"><span id="gs-hits"></span>
<button id="gs-fit">fit</button><button id="gs-expand">expand all</button><button id="gs-collapse">collapse repeats</button></div>
<div id="gs-notes">{notes}</div>
<div id="gs-main"><div id="gs-canvas">{render_svg(pic, standalone=False)}</div><aside id="gs-panel"></aside></div>
<script type="application/json" id="gs-data">{_script_json(data)}</script>
<script>{_asset("page.js")}</script>
</body></html>
"""  # noqa: E501
