"""Draw time and edge crossings of ``graphspec draw``, against Graphviz's ``dot`` where installed.

    python benchmarks/draw_speed.py          # the zoo and seed models, and generated 1,250 to 5,000-node specs
    python benchmarks/draw_speed.py [--only SUBSTRING] [--sizes 1250,2500,5000] [--json PATH | --no-json]

For each model: the time to draw SVG in a fresh process without TensorFlow (median
of 3; import time excluded, validation included), and the edge crossings per edge of
the built-in layout and of ``dot``'s layout of the same DOT text, counted the same
way on the drawn curves (sampled Béziers; edges that share an end are not counted).
Targets: ResNet-50 to SVG under 0.5 s; time growing linearly with nodes.

The models' table is also written to benchmarks/results/draw_speed.json (see
benchmarks/results/README.md); the generated specs' times go in its note.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import _results

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MODELS = [
    *sorted((ROOT / "specs" / "zoo").glob("*.yaml")),
    ROOT / "specs" / "seed" / "inception_module.yaml",
    ROOT / "specs" / "seed" / "ensemble.yaml",
]


def generated(n: int, folder: Path) -> Path:
    """A flat spec of ``n`` Dense nodes: a chain with a skip connection (Add) every 4 nodes."""
    lines = ["graphspec: 1", f"name: gen{n}", "inputs:", "  x: {shape: [16]}", "nodes:"]
    prev = "x"
    for i in range(n):
        if i % 4 == 3 and i >= 4:
            lines.append(f"  n{i}: {{layer: Add, inputs: [n{i - 1}, n{i - 4}]}}")
        else:
            lines.append(f"  n{i}: {{layer: Dense, inputs: {prev}, units: 16}}")
        prev = f"n{i}"
    lines += ["outputs:", f"  n{n - 1}: {{}}"]
    path = folder / f"gen{n}.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


TIMER = """
import sys, time, json
from pathlib import Path
from graphspec.render import draw
path, expand = Path(sys.argv[1]), tuple(a for a in sys.argv[2:])
t = time.perf_counter()
draw(path, format="svg", expand=expand)
first = time.perf_counter() - t
t = time.perf_counter()
draw(path, format="svg", expand=expand)
print(json.dumps({"first": first, "again": time.perf_counter() - t, "tf": any(m.split('.')[0] in ('tensorflow', 'keras') for m in sys.modules)}))
"""  # noqa: E501


def draw_time(path: Path, expand: tuple[str, ...] = ()) -> tuple[float, float]:
    """Median over 3 fresh processes of the first draw (imports excluded) and of a second one."""
    firsts, agains = [], []
    for _ in range(3):
        out = subprocess.run(
            [sys.executable, "-c", TIMER, str(path), *expand], capture_output=True, text=True, check=True, timeout=600
        ).stdout
        got = json.loads(out)
        assert not got["tf"], "drawing imported TensorFlow"
        firsts.append(got["first"])
        agains.append(got["again"])
    return statistics.median(firsts), statistics.median(agains)


# ---------------------------------------------------------------------------
# crossings, counted on drawn curves


def _bezier(points: list[tuple[float, float]], steps: int = 8) -> list[tuple[float, float]]:
    out = [points[0]]
    for k in range(0, len(points) - 3, 3):
        p0, p1, p2, p3 = points[k : k + 4]
        for s in range(1, steps + 1):
            t = s / steps
            a, b, c, d = (1 - t) ** 3, 3 * t * (1 - t) ** 2, 3 * t * t * (1 - t), t**3
            out.append((a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0], a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1]))
    return out


def _svg_path(d: str) -> list[tuple[float, float]]:
    """Points along an SVG path of M, L and C commands (what both drawings use)."""
    pts: list[tuple[float, float]] = []
    for cmd, args in re.findall(r"([MLC])([^MLC]*)", d):
        nums = [float(v) for v in re.findall(r"-?[0-9.]+(?:e-?[0-9]+)?", args)]
        coords = list(zip(nums[::2], nums[1::2], strict=True))
        if cmd in "ML":
            pts += coords
        else:
            pts += _bezier([pts[-1], *coords])[1:]
    return pts


def _cross(a: tuple[float, float], b: tuple[float, float], c: tuple[float, float], d: tuple[float, float]) -> bool:
    def orient(p: tuple[float, float], q: tuple[float, float], r: tuple[float, float]) -> float:
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])

    return orient(a, b, c) * orient(a, b, d) < 0 and orient(c, d, a) * orient(c, d, b) < 0


def crossings(edges: list[tuple[str, str, list[tuple[float, float]]]], cell: float = 40.0) -> int:
    """Pairs of edges whose curves cross (at least once), among pairs with no end in common.

    Segments are bucketed in a grid of ``cell``-pixel squares, so only segments that
    share a square are compared.
    """
    grid: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for e, (_, _, pts) in enumerate(edges):
        for k in range(len(pts) - 1):
            (x0, y0), (x1, y1) = pts[k], pts[k + 1]
            for gx in range(int(min(x0, x1) // cell), int(max(x0, x1) // cell) + 1):
                for gy in range(int(min(y0, y1) // cell), int(max(y0, y1) // cell) + 1):
                    grid.setdefault((gx, gy), []).append((e, k))
    crossed: set[tuple[int, int]] = set()
    for members in grid.values():
        for i in range(len(members)):
            ei, ki = members[i]
            for j in range(i + 1, len(members)):
                ej, kj = members[j]
                if ei == ej:
                    continue
                pair = (min(ei, ej), max(ei, ej))
                if pair in crossed or {edges[ei][0], edges[ei][1]} & {edges[ej][0], edges[ej][1]}:
                    continue
                pi, pj = edges[ei][2], edges[ej][2]
                if _cross(pi[ki], pi[ki + 1], pj[kj], pj[kj + 1]):
                    crossed.add(pair)
    return len(crossed)


def builtin_edges(path: Path, expand: tuple[str, ...]) -> list[tuple[str, str, list[tuple[float, float]]]]:
    import xml.etree.ElementTree as ET

    from graphspec.render import draw

    root = ET.fromstring(draw(path, format="svg", expand=expand))
    ns = "{http://www.w3.org/2000/svg}"
    out = []
    seen = set()
    for g in root.iter(f"{ns}g"):
        if "edge" not in g.get("class", "").split() or "display:none" in g.get("style", ""):
            continue
        d = g.find(f"{ns}path").get("d", "")  # type: ignore[union-attr]
        if d in seen:  # edges folded into one collapsed box are drawn once
            continue
        seen.add(d)
        out.append((g.get("data-source", ""), g.get("data-target", ""), _svg_path(d)))
    return out


def dot_edges(path: Path, expand: tuple[str, ...]) -> list[tuple[str, str, list[tuple[float, float]]]] | None:
    dot = shutil.which("dot")
    if dot is None:
        return None
    from graphspec.render import draw

    laid = subprocess.run(
        [dot, "-Tjson"],
        input=draw(path, format="dot", expand=expand),
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    ).stdout
    data = json.loads(laid)
    names = {o["_gvid"]: o["name"] for o in data.get("objects", []) if "_gvid" in o}
    out = []
    for e in data.get("edges", []):
        for op in e.get("_draw_", []):
            if op.get("op") == "b":
                out.append((names[e["tail"]], names[e["head"]], _bezier([tuple(p) for p in op["points"]])))
    return out


COLUMNS = [
    {"key": "model", "label": "model"},
    {"key": "edges", "label": "edges drawn", "align": "right"},
    {"key": "svg_fresh", "label": "SVG, in a fresh process (median of 3)", "align": "right"},
    {"key": "svg_again", "label": "again, same process", "align": "right"},
    {"key": "crossings", "label": "crossings per edge: built-in / `dot`"},
]


def _seconds(x: float) -> str:
    """ "0.22 s", "0.040 s": two significant figures down to a millisecond."""
    return f"{x:.2f} s" if x >= 0.1 else f"{x:.3f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", metavar="SUBSTRING", help="only the models whose file name contains this")
    parser.add_argument("--sizes", default="1250,2500,5000", help="nodes of the generated specs (comma-separated)")
    _results.add_arguments(parser, "draw_speed")
    args = parser.parse_args()
    rows = []
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for path in [p for p in MODELS if args.only in p.name]:
            for expand in ((), ("all",)):
                first, again = draw_time(path, expand)
                mine = builtin_edges(path, expand)
                theirs = dot_edges(path, expand)
                c_mine = crossings(mine)
                c_dot = None if theirs is None else crossings(theirs)
                rows.append(
                    (
                        path.name + (" --expand all" if expand else ""),
                        len(mine),
                        first,
                        again,
                        c_mine / max(1, len(mine)),
                        None if c_dot is None else c_dot / max(1, len(theirs or [1])),
                    )
                )
                print(
                    f"{rows[-1][0]:<38} {len(mine):>5} edges  {first:6.3f} s (again {again:.3f} s)  "
                    f"crossings/edge builtin {rows[-1][4]:.3f} ({c_mine})"
                    + ("" if c_dot is None else f"  dot {rows[-1][5]:.3f} ({c_dot})"),
                    flush=True,
                )
                dot = "no `dot`" if rows[-1][5] is None else f"{rows[-1][5]:.3f}"
                results.append(
                    {
                        "model": f"`{path.name}` ({'`--expand all`' if expand else 'repeats collapsed'})",
                        "edges": len(mine),
                        "svg_fresh": _seconds(first),
                        "svg_again": _seconds(again),
                        "crossings": f"{rows[-1][4]:.3f} / {dot}",
                    }
                )
        sizes = []
        for n in [int(n) for n in args.sizes.split(",") if n]:
            first, again = draw_time(generated(n, Path(tmp)))
            sizes.append((n, first))
            print(f"generated {n:>5} nodes: {first:6.3f} s  ({first / n * 1e6:.0f} µs per node)", flush=True)
    if len(sizes) > 1:
        (n0, t0), (n1, t1) = sizes[0], sizes[-1]
        print(f"growth {n0:,} → {n1:,} nodes: ×{t1 / t0:.2f} time for ×{n1 / n0:.0f} nodes (linear: ×{n1 / n0:.0f})")
    resnet = next((r for r in rows if r[0] == "resnet50.yaml"), None)
    if resnet is not None:
        print(f"ResNet-50 to SVG: {resnet[2]:.3f} s (target < 0.5 s): {'met' if resnet[2] < 0.5 else 'MISSED'}")
    if args.json:
        note = "fresh processes; imports excluded, validation included"
        if sizes:
            generated_times = " / ".join(f"{t:.2f}" for _, t in sizes)
            note += f"; generated specs of {' / '.join(f'{n:,}' for n, _ in sizes)} nodes: {generated_times} s"
        _results.write_results("draw_speed", results, columns=COLUMNS, note=note, path=args.json)


if __name__ == "__main__":
    main()
