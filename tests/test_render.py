"""graphspec.render: the drawing's JSON/DOT/Mermaid text (goldens), SVG geometry, invalid specs, diffs, the CLI."""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import graphspec
from graphspec.cli import main
from graphspec.render import DrawOptions, draw, render_scene, scene_of
from graphspec.render._scene import Scene

ROOT = Path(__file__).resolve().parent.parent
SPECS = sorted((ROOT / "specs").rglob("*.yaml"))
SEED = ROOT / "specs" / "seed"
ZOO = ROOT / "specs" / "zoo"
GOLDEN = Path(__file__).parent / "goldens" / "render"
UPDATE = os.environ.get("GRAPHSPEC_UPDATE_GOLDENS") == "1"
NS = "{http://www.w3.org/2000/svg}"
# Specs that are sub-model files of another (drawn through it) are drawable on their own too.
REL = {p: p.relative_to(ROOT).as_posix() for p in SPECS}


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no golden {name}; run with GRAPHSPEC_UPDATE_GOLDENS=1 and review it"
    assert text == path.read_text(encoding="utf-8")


GOLDEN_CASES = [
    ("siamese_lstm", SEED / "siamese_lstm.yaml", {}),
    ("multi_input_qa", SEED / "multi_input_qa.yaml", {}),
    ("ensemble", SEED / "ensemble.yaml", {}),
    ("resnet50", ZOO / "resnet50.yaml", {}),
    ("resnet50_conv2", ZOO / "resnet50.yaml", {"expand": ("conv2",)}),
    ("lstm_states", ROOT / "tests" / "cases" / "valid" / "lstm_states.yaml", {}),
]


@pytest.mark.parametrize(("name", "path", "options"), GOLDEN_CASES, ids=[c[0] for c in GOLDEN_CASES])
def test_text_formats_match_goldens(
    name: str, path: Path, options: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)  # source positions are written as the path was given
    rel = path.relative_to(ROOT)
    _golden(f"{name}.json", draw(rel, format="json", **options))
    _golden(f"{name}.dot", draw(rel, format="dot", **options))
    _golden(f"{name}.mmd", draw(rel, format="mermaid", **options))


def test_json_is_sorted_with_ids_from_spec_names() -> None:
    data = json.loads(draw(SEED / "ensemble.yaml", format="json"))
    ids = [n["id"] for n in data["nodes"]]
    assert ids == sorted(ids)
    assert {
        "x",
        "final_preds",
        "output:final_preds",
        "model_a.features",
        "model_a.hidden",
        "model_a.output:probabilities",
    } <= set(ids)
    assert [c["id"] for c in data["clusters"]] == ["model_a", "model_b", "model_c", "model_d"]
    assert all(c["kind"] == "model" for c in data["clusters"])
    edges = {(e["source"], e["target"]) for e in data["edges"]}
    assert ("x", "model_a.features") in edges and ("model_a.output:probabilities", "weighted_a") in edges


# ---------------------------------------------------------------------------
# SVG: parsed, every node present, no two boxes overlapping, a finite viewBox


def _translate(el: ET.Element) -> tuple[float, float]:
    m = re.fullmatch(r"translate\(([-0-9.e]+),([-0-9.e]+)\)", el.get("transform", ""))
    assert m, el.get("transform")
    return float(m.group(1)), float(m.group(2))


def _rect(g: ET.Element) -> tuple[float, float, float, float]:
    x, y = _translate(g)
    rect = g.find(f"{NS}rect")
    assert rect is not None
    return x, y, float(rect.get("width", "nan")), float(rect.get("height", "nan"))


def _shown(g: ET.Element) -> bool:
    return "display:none" not in g.get("style", "")


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return (
        a[0] < b[0] + b[2] - 0.5 and b[0] < a[0] + a[2] - 0.5 and a[1] < b[1] + b[3] - 0.5 and b[1] < a[1] + a[3] - 0.5
    )


def check_svg(svg: str, scene: Scene) -> dict[str, tuple[float, float, float, float]]:
    """The geometry of a drawing, after checking it: returns visible boxes by id."""
    root = ET.fromstring(svg)
    box = [float(v) for v in root.get("viewBox", "").split()]
    assert len(box) == 4 and all(math.isfinite(v) for v in box) and box[2] > 0 and box[3] > 0
    boxes: dict[str, tuple[float, float, float, float]] = {}
    frames: dict[str, tuple[float, float, float, float]] = {}
    for g in root.iter(f"{NS}g"):
        if not _shown(g):
            continue
        if g.get("data-node") is not None:
            boxes[g.get("data-node", "")] = _rect(g)
        elif "box" in g.get("class", "").split():
            boxes[g.get("data-cluster", "")] = _rect(g)
        elif "frame" in g.get("class", "").split():
            frames[g.get("data-cluster", "")] = _rect(g)
    for r in [*boxes.values(), *frames.values()]:
        assert all(math.isfinite(v) for v in r)
        assert r[0] >= -0.5 and r[1] >= -0.5 and r[0] + r[2] <= box[2] + 0.5 and r[1] + r[3] <= box[3] + 0.5
    for nid in scene.nodes:  # every node is drawn: as its box, or inside the collapsed cluster that holds it
        assert scene.visible(nid) in boxes, nid
    items = sorted(boxes.items())
    for i, (a, ra) in enumerate(items):
        for b, rb in items[i + 1 :]:
            assert not _overlap(ra, rb), (a, b, ra, rb)
    for cid, fr in frames.items():
        for bid, rb in boxes.items():
            inside = cid in scene.chain(scene.nodes[bid].cluster if bid in scene.nodes else scene.clusters[bid].parent)
            x, y, w, h = rb
            if inside:
                assert (
                    fr[0] - 0.5 <= x
                    and x + w <= fr[0] + fr[2] + 0.5
                    and fr[1] - 0.5 <= y
                    and y + h <= fr[1] + fr[3] + 0.5
                ), (cid, bid)
            else:
                assert not _overlap(fr, rb), (cid, bid)
    return boxes


@pytest.mark.parametrize("path", SPECS, ids=[REL[p] for p in SPECS])
@pytest.mark.parametrize("expand", [(), ("all",)], ids=["default", "expanded"])
def test_svg_of_every_spec_has_every_node_and_no_overlaps(path: Path, expand: tuple[str, ...]) -> None:
    options = DrawOptions(expand=expand)
    scene = scene_of(path, options)
    check_svg(render_scene(scene, "svg", options), scene)


@pytest.mark.parametrize("rankdir", ["TB", "LR"])
def test_svg_left_to_right(rankdir: str) -> None:
    options = DrawOptions(rankdir=rankdir, expand=("conv2",))
    scene = scene_of(ZOO / "resnet50.yaml", options)
    boxes = check_svg(render_scene(scene, "svg", options), scene)
    first, last = boxes["image"], boxes["predictions"]
    axis = 0 if rankdir == "LR" else 1
    assert first[axis] + first[axis + 2] < last[axis]  # the input comes before the prediction along the layers


def test_shared_layer_is_one_box_per_call_marked_as_one() -> None:
    scene = scene_of(SEED / "siamese_lstm.yaml")
    assert scene.shared == {"left_enc": ["left_enc", "right_enc"]}
    assert scene.nodes["right_enc"].shared == "left_enc" and scene.nodes["left_enc"].shared == "left_enc"
    svg = render_scene(scene, "svg")
    root = ET.fromstring(svg)
    titles = {
        g.get("data-node"): "".join(g.find(f"{NS}title").itertext()) for g in root.iter(f"{NS}g") if g.get("data-node")
    }  # type: ignore[union-attr]
    assert "called 2 times: left_enc, right_enc" in titles["right_enc"]
    assert "shared ×2" in svg
    bars = [r.get("fill") for r in root.iter(f"{NS}rect") if r.get("class") == "shared-bar"]
    assert len(bars) == 2 and bars[0] == bars[1]


SHARED_MODEL = """\
graphspec: 1
name: twin
inputs:
  left: {shape: [8]}
  right: {shape: [8]}
nodes:
  encoder:
    model:
      inputs: {a: {shape: [8]}}
      nodes:
        h: {layer: Dense, inputs: a, units: 4}
      outputs: {h: {}}
    inputs: left
  encoder_right: {share: encoder, inputs: right}
  seq:
    model:
      sequential: true
      inputs: {a: {shape: [8]}}
      nodes:
        s: {layer: Dense, inputs: a, units: 4}
      outputs: {s: {}}
    inputs: right
  seq_left: {share: seq, inputs: left}
  cat: {layer: Concatenate, inputs: [encoder, encoder_right, seq, seq_left]}
outputs:
  cat: {}
"""


def test_a_second_call_of_a_sub_model_says_what_it_calls() -> None:
    scene = scene_of(SHARED_MODEL)
    assert scene.clusters["encoder"].label == "Functional" and scene.clusters["seq"].label == "Sequential"
    assert scene.nodes["encoder_right"].label == "Functional" and scene.nodes["encoder_right"].shared == "encoder"
    assert scene.nodes["seq_left"].label == "Sequential"
    assert "Functional · shared ×2" in render_scene(scene, "svg")


def test_repeats_collapse_by_default_and_expand() -> None:
    folded = scene_of(ZOO / "resnet50.yaml")
    assert {c for c, cl in folded.clusters.items() if cl.collapsed} == {"conv2", "conv3", "conv4", "conv5"}
    assert folded.clusters["conv2"].repeat == 3 and folded.clusters["conv2"].label == "identity ×3 (with projection)"
    assert folded.clusters["conv2/block1"].block == "projection"
    assert folded.clusters["conv2"].params == sum(
        n.params or 0 for n in folded.nodes.values() if n.id.startswith("conv2/")
    )
    opened = scene_of(ZOO / "resnet50.yaml", DrawOptions(expand=("conv3/block2/conv1",)))
    assert {c for c, cl in opened.clusters.items() if cl.collapsed} == {"conv2", "conv4", "conv5"}
    shallow = scene_of(ZOO / "inception_v3.yaml", DrawOptions(expand=("all",), depth=1))
    assert all(cl.collapsed == (len(shallow.chain(c)) > 1) for c, cl in shallow.clusters.items())


def test_from_to_draws_the_part_between() -> None:
    scene = scene_of(SEED / "multi_input_qa.yaml", DrawOptions(start="q_emb", end="answer"))
    assert set(scene.nodes) == {"q_emb", "q_enc", "merged", "answer"}
    with pytest.raises(graphspec.SpecError, match="did you mean 'q_emb'"):
        scene_of(SEED / "multi_input_qa.yaml", DrawOptions(start="q_embb"))


def test_from_to_take_a_block_instance_for_all_of_its_nodes() -> None:
    after = scene_of(ZOO / "resnet50.yaml", DrawOptions(start="conv5"))
    assert {n for n in after.nodes if not n.startswith("conv5/")} == {"avg_pool", "predictions", "output:predictions"}
    assert "conv5/block1/out" in after.nodes and "conv4/block6/out" not in after.nodes
    before = scene_of(ZOO / "resnet50.yaml", DrawOptions(end="conv2"))
    assert (
        "pool1_pool" in before.nodes and "conv2/block3/out" in before.nodes and "conv3/block1/out" not in before.nodes
    )
    between = scene_of(ZOO / "resnet50.yaml", DrawOptions(start="conv3", end="conv4"))
    assert {n.split("/")[0] for n in between.nodes} == {"conv3", "conv4"}
    check_svg(render_scene(between, "svg"), between)


def test_from_to_with_nothing_between_says_so() -> None:
    with pytest.raises(graphspec.SpecError) as info:
        scene_of(SEED / "multi_input_qa.yaml", DrawOptions(start="answer", end="text_emb"))
    (error,) = info.value.errors
    assert "nothing lies on a path from 'answer' to 'text_emb'" in error.message and "swap" in (error.hint or "")
    with pytest.raises(graphspec.SpecError, match="nothing lies on a path from 'q_emb' to 'text_enc'"):
        scene_of(SEED / "multi_input_qa.yaml", DrawOptions(start="q_emb", end="text_enc"))


# ---------------------------------------------------------------------------
# invalid specs draw, marked


def test_invalid_spec_draws_with_the_failing_edge_and_node_marked(tmp_path: Path) -> None:
    spec = tmp_path / "typos.yaml"
    spec.write_text(
        "graphspec: 1\nname: t\ninputs:\n  x: {shape: [8]}\nnodes:\n"
        "  h: {layer: Dense, inputs: x, unit: 4}\n  m: {layer: Concatenate, inputs: [h, hh]}\noutputs:\n  m: {}\n",
        encoding="utf-8",
    )
    scene = scene_of(spec)
    assert scene.nodes["hh"].kind == "missing"
    bad = [e for e in scene.edges if e.source == "hh"]
    assert len(bad) == 1 and bad[0].status == "error" and "unknown 'hh'" in bad[0].diagnostics[0]
    assert scene.nodes["h"].status == "error" and any(
        "did you mean 'units'?" in d for d in scene.nodes["h"].diagnostics
    )
    assert any(d.is_error for d in scene.problems)
    svg = render_scene(scene, "svg")
    check_svg(svg, scene)
    assert "error[unknown-argument]" in svg and 'class="node layer error"' in svg


def test_cyclic_spec_draws() -> None:
    scene = scene_of(ROOT / "tests" / "cases" / "invalid" / "cycle.yaml")
    check_svg(render_scene(scene, "svg"), scene)
    assert any(n.status == "error" and any("cycle" in d for d in n.diagnostics) for n in scene.nodes.values())


@pytest.mark.parametrize("path", sorted((ROOT / "tests" / "cases" / "invalid").glob("*.yaml")), ids=lambda p: p.name)
def test_every_invalid_case_draws_or_says_why(path: Path) -> None:
    try:
        scene = scene_of(path)
    except graphspec.SpecError as exc:
        assert exc.errors  # nothing to draw (not YAML, not a mapping, no inputs): the reason instead
        return
    check_svg(render_scene(scene, "svg"), scene)
    marked = [i for i in [*scene.nodes.values(), *scene.edges, *scene.clusters.values()] if i.status == "error"]
    assert marked or scene.notes or not any(d.is_error for d in scene.problems)


# ---------------------------------------------------------------------------
# diff


def test_diff_colours_added_removed_changed_rewired(tmp_path: Path) -> None:
    old = tmp_path / "old.yaml"
    new = tmp_path / "new.yaml"
    head = "graphspec: 1\nname: d\ninputs:\n  x: {shape: [8]}\nnodes:\n"
    old.write_text(
        head
        + (
            "  a: {layer: Dense, inputs: x, units: 4}\n  gone: {layer: Dense, inputs: a, units: 3}\n"
            "  y: {layer: Dense, inputs: gone, units: 2}\noutputs:\n  y: {}\n"
        ),
        encoding="utf-8",
    )
    body = (
        "  a: {layer: Dense, inputs: x, units: 5}\n  drop: {layer: Dropout, inputs: a, rate: 0.5}\n"
        "  y: {layer: Dense, inputs: drop, units: 2}\n"
    )
    new.write_text(head + body + "outputs:\n  y: {}\n", encoding="utf-8")
    scene = scene_of(new, diff=old)
    assert (
        scene.nodes["a"].diff == "changed"
        and scene.nodes["drop"].diff == "added"
        and scene.nodes["y"].diff == "rewired"
    )
    assert scene.nodes["gone"].diff == "removed"
    assert {(e.source, e.target) for e in scene.edges if e.diff == "removed"} == {("a", "gone"), ("gone", "y")}
    svg = render_scene(scene, "svg")
    check_svg(svg, scene)
    assert "diff-added" in svg and "diff-removed" in svg and "diff-changed" in svg and "diff-rewired" in svg


# ---------------------------------------------------------------------------
# Mermaid's edge limit, Graphviz


def test_mermaid_collapses_repeats_over_500_edges(tmp_path: Path) -> None:
    spec = tmp_path / "long.yaml"
    spec.write_text(
        "graphspec: 1\nname: long\nblocks:\n  res:\n    nodes:\n      d: {layer: Dense, inputs: x, units: 4}\n"
        "      s: {layer: Add, inputs: [x, d]}\n    outputs: s\n"
        "inputs:\n  x: {shape: [4]}\nnodes:\n  deep: {block: res, inputs: x, repeat: 200}\noutputs:\n  deep: {}\n",
        encoding="utf-8",
    )
    text = draw(spec, format="mermaid", expand=("all",))
    assert "over Mermaid's default limit of 500" in text
    assert sum(1 for line in text.splitlines() if "-->" in line) <= 500
    assert len(draw(spec, format="dot", expand=("all",)).splitlines()) > 600  # other formats keep every edge


def test_mermaid_over_the_limit_with_nothing_to_collapse_says_it_still_is(tmp_path: Path) -> None:
    spec = tmp_path / "flat.yaml"
    body = "".join(
        f"  d{i}: {{layer: Dense, inputs: {'x' if i == 0 else f'd{i - 1}'}, units: 4}}\n" for i in range(600)
    )
    spec.write_text(
        f"graphspec: 1\nname: flat\ninputs:\n  x: {{shape: [4]}}\nnodes:\n{body}outputs:\n  d599: {{}}\n",
        encoding="utf-8",
    )
    text = draw(spec, format="mermaid")
    edges = sum(1 for line in text.splitlines() if "-->" in line)
    assert edges == 601  # nothing to collapse: every edge is drawn, and the note must not claim otherwise
    (note,) = [line for line in text.splitlines() if line.lstrip().startswith("%%")]
    assert "601 edges" in note and "still over" in note and "maxEdges" in note
    assert "drawn collapsed" not in note


DOT = shutil.which("dot")


@pytest.mark.skipif(DOT is None, reason="Graphviz's dot is not installed (apt install graphviz)")
@pytest.mark.parametrize(
    "path",
    [SEED / "ensemble.yaml", SEED / "siamese_lstm.yaml", ZOO / "resnet50.yaml", ZOO / "inception_v3.yaml"],
    ids=lambda p: p.name,
)
def test_dot_accepts_the_dot_text(path: Path) -> None:
    text = draw(path, format="dot", expand=("all",))
    done = subprocess.run([str(DOT), "-Tsvg"], input=text, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    ET.fromstring(done.stdout)
    engine = draw(path, format="svg", engine="dot")
    assert "<svg" in engine


def test_engine_dot_without_graphviz_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(OSError, match="needs Graphviz's `dot`"):
        draw(SEED / "siamese_lstm.yaml", engine="dot")


# ---------------------------------------------------------------------------
# TensorFlow-free, every spec, every format


def test_every_spec_draws_in_every_format_without_tensorflow(tmp_path: Path) -> None:
    code = (
        "import sys\nfrom pathlib import Path\nfrom graphspec.render import draw, FORMATS\n"
        f"for spec in {[str(p) for p in SPECS]!r}:\n"
        "    for fmt in FORMATS:\n"
        "        for expand in ((), ('all',)):\n"
        "            assert draw(Path(spec), format=fmt, expand=expand)\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras')]\n"
        "assert not bad, bad\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr


# ---------------------------------------------------------------------------
# the command line


def test_cli_writes_the_format_of_the_suffix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for suffix, marker in (
        (".svg", "<svg"),
        (".dot", "digraph"),
        (".mmd", "flowchart TB"),
        (".html", "<!DOCTYPE html>"),
        (".json", '"nodes"'),
    ):
        out = tmp_path / f"m{suffix}"
        assert main(["draw", str(SEED / "multi_output.yaml"), "-o", str(out)]) == 0
        assert marker in out.read_text(encoding="utf-8")
    capsys.readouterr()
    assert (
        main(
            [
                "draw",
                str(SEED / "multi_output.yaml"),
                "--format",
                "mermaid",
                "--rankdir",
                "LR",
                "--show",
                "shapes,flops,activation",
            ]
        )
        == 0
    )
    text = capsys.readouterr().out
    assert text.startswith("flowchart LR") and "FLOPs" in text


def test_cli_invalid_spec_still_writes_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "bad.svg"
    assert main(["draw", str(ROOT / "tests" / "cases" / "invalid" / "dangling_reference.yaml"), "-o", str(out)]) == 1
    assert "error[unknown-reference]" in capsys.readouterr().err
    ET.fromstring(out.read_text(encoding="utf-8"))


def test_cli_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["draw", str(SEED / "siamese_lstm.yaml"), "-o", str(tmp_path / "x.png")]) == 2
    assert "cannot tell the format" in capsys.readouterr().err
    assert main(["draw", str(SEED / "siamese_lstm.yaml"), "--show", "colour"]) == 2
    assert "unknown --show field 'colour'" in capsys.readouterr().err
    assert main(["draw", str(SEED / "siamese_lstm.yaml"), "--expand", "left_encc"]) == 1
    assert "did you mean 'left_enc'" in capsys.readouterr().err
    assert main(["draw", str(tmp_path / "missing.yaml")]) == 2
    assert not list(tmp_path.iterdir())


def test_cli_never_writes_the_drawing_over_the_spec_it_draws(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "model.json"
    original = (ROOT / "tests" / "cases" / "valid" / "conv_multi_output.json").read_text(encoding="utf-8")
    spec.write_text(original, encoding="utf-8")
    (tmp_path / "old.json").write_text(original, encoding="utf-8")
    assert main(["draw", str(spec), "-o", str(spec)]) == 2
    assert main(["draw", str(spec), "-o", str(tmp_path / "." / "model.json")]) == 2
    assert main(["draw", str(spec), "--diff", str(tmp_path / "old.json"), "-o", str(tmp_path / "old.json")]) == 2
    err = capsys.readouterr().err
    assert f"graphspec draw: {spec} is the spec being drawn; give another -o" in err
    assert spec.read_text(encoding="utf-8") == original == (tmp_path / "old.json").read_text(encoding="utf-8")


def test_cli_diff(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    new = tmp_path / "qa.yaml"
    new.write_text(
        (SEED / "multi_input_qa.yaml").read_text(encoding="utf-8").replace("units: 500", "units: 400"), encoding="utf-8"
    )
    assert main(["draw", "--diff", str(SEED / "multi_input_qa.yaml"), str(new), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [n["id"] for n in data["nodes"] if n.get("diff")] == ["answer"]


def test_write_model_svg(tmp_path: Path) -> None:
    from graphspec.render import write_model_svg

    target = write_model_svg(graphspec.validate(SEED / "siamese_lstm.yaml"), tmp_path)
    assert target == tmp_path / "model.svg" and [p.name for p in tmp_path.iterdir()] == ["model.svg"]
    ET.fromstring(target.read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------
# round trip: an imported Keras model draws as the spec it came from


def _structure(data: dict[str, object]) -> dict[str, object]:
    """What the two drawings must share: boxes with shapes and sizes, edges,
    clusters (not positions in a file or block names)."""
    nodes = [{k: v for k, v in n.items() if k not in ("source",)} for n in data["nodes"]]  # type: ignore[attr-defined]
    clusters = [
        {
            k: v
            for k, v in c.items()
            if k in ("id", "kind", "parent", "repeat", "params", "flops", "shapes", "collapsed")
        }
        for c in data["clusters"]
    ]  # type: ignore[attr-defined]
    return {"nodes": nodes, "edges": data["edges"], "clusters": clusters, "shared": data["shared"]}


@pytest.mark.parametrize("path", [*sorted(SEED.glob("*.yaml")), ZOO / "resnet50.yaml"], ids=lambda p: p.name)
def test_imported_model_draws_like_its_spec(path: Path) -> None:
    from graphspec.diff import normalise

    spec = graphspec.load(path)
    imported = graphspec.from_keras(graphspec.build(spec))
    # The importer names a shared layer's calls `<owner>_call<k>` and writes no defaults: compare in that form.
    mine = json.loads(draw(graphspec.Spec.model_validate(normalise(spec)), format="json"))
    theirs = json.loads(draw(graphspec.Spec.model_validate(normalise(imported)), format="json"))
    assert _structure(theirs) == _structure(mine)
    # Without normalising, the spec's own drawing (block scopes from expansion) and the imported one
    # (scopes from names) agree too.
    direct = json.loads(draw(path, format="json"))
    back = json.loads(draw(imported, format="json"))
    assert [c["id"] for c in back["clusters"]] == [c["id"] for c in direct["clusters"]]
    assert [(c["kind"], c.get("repeat")) for c in back["clusters"]] == [
        (c["kind"], c.get("repeat")) for c in direct["clusters"]
    ]
    if not spec.nodes or not any(n.share for n in spec.nodes.values()):
        assert [(n["id"], n.get("shapes"), n.get("params")) for n in back["nodes"]] == [
            (n["id"], n.get("shapes"), n.get("params")) for n in direct["nodes"]
        ]


def test_html_data_block_holds_no_markup_from_the_spec() -> None:
    text = SHARED_MODEL.replace(
        "units: 4}\n      outputs: {h: {}}",
        'units: 4, activation: "<!--<script></script>&"}\n      outputs: {h: {}}',
        1,
    )
    assert "<!--<script>" in text
    page = draw(text, format="html")
    start = page.index('<script type="application/json" id="gs-data">') + len(
        '<script type="application/json" id="gs-data">'
    )
    block = page[start : page.index("</script>", start)]
    assert "<" not in block and ">" not in block  # so the HTML parser sees no tag, comment or end tag inside it
    assert json.loads(block)["scene"]["nodes"]  # and the data reads back whole
    assert any(n.get("activation") == "<!--<script></script>&" for n in json.loads(block)["scene"]["nodes"])
