"""Property tests for graphspec (hypothesis).

1. Random valid DAG specs build into Keras models whose topology (input and
   output names, layer names and classes, producer → consumer edges, parameter
   count) is exactly what the spec says, computed independently of graphspec.
2. Mutation fuzz of the seed specs, as data and as text, through ``validate``:
   only ``SpecError`` ever escapes, and every diagnostic is well formed.
3. Mutation fuzz of plausible specs through ``build``: only ``SpecError``
   escapes, and Keras' own errors name the node that caused them.
4. Round trip: ``load(spec.to_yaml())`` and ``load(spec.to_json())`` give the spec back,
   and any valid JSON layout of a spec (whitespace, escapes) loads as that spec.

What the properties found is kept as ``@example``s and as small plain tests
beside them (huge integers, names with a trailing newline, outputs of ``share``
nodes), so each bug fails deterministically until it is fixed.

Every test here uses only the public API (``graphspec.load/validate/build``,
``Spec.to_data/to_yaml/to_json``, ``SpecError.diagnostics``).
"""

from __future__ import annotations

import copy
import json
import math
import os
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

# graphspec raises Python's recursion limit for every build (by design: Keras walks graphs
# recursively); hypothesis notices the change between examples and warns each time.
pytestmark = pytest.mark.filterwarnings(
    "ignore:The recursion limit will not be reset:hypothesis.errors.HypothesisWarning"
)

import graphspec  # noqa: E402
from graphspec import Code, SpecError  # noqa: E402
from graphspec.emit import emit  # noqa: E402  (stage functions, to build without the static checks)
from graphspec.graph import resolve  # noqa: E402

SEED_DIR = Path(__file__).resolve().parent.parent / "specs" / "seed"
SEED_FILES = sorted(SEED_DIR.glob("*.yaml"))
SEED_TEXTS = [p.read_text(encoding="utf-8") for p in SEED_FILES]
SEED_DATA = [yaml.safe_load(t) for t in SEED_TEXTS]

# The documented name rule, held to the whole string (re.fullmatch, so "x\n" is not a name).
NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")
CODES = set(Code)

# No example database: nothing is written into the working tree, and runs stay independent.
# One failure per fuzz test is enough (the plain tests below pin each bug); shrinking many is slow.
FAST = settings(
    max_examples=500, deadline=None, database=None, report_multiple_bugs=False, suppress_health_check=list(HealthCheck)
)
BUILD = settings(max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck))
BUILD_FUZZ = settings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck))
ROUND_TRIP = settings(max_examples=200, deadline=None, database=None, suppress_health_check=list(HealthCheck))


# ---------------------------------------------------------------------------
# Helpers shared by the properties


def check_diagnostics(diags: list[Any]) -> None:
    for d in diags:
        assert d.code in CODES, d
        assert isinstance(d.message, str) and d.message.strip(), d
        d.render()
        d.to_dict()


def check_spec_error(exc: SpecError) -> None:
    assert exc.diagnostics, "a SpecError must hold at least one diagnostic"
    check_diagnostics(exc.diagnostics)
    assert exc.errors, "a SpecError must hold at least one error"
    str(exc)
    json.loads(exc.to_json())


def non_finite(value: Any) -> list[Any]:
    """Every NaN or infinity anywhere inside plain data."""
    found = []
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, float) and not math.isfinite(v):
            found.append(v)
        elif isinstance(v, dict):
            stack.extend(v.values())
        elif isinstance(v, list | tuple):
            stack.extend(v)
    return found


def check_accepted(report: Any) -> None:
    """What validate promises about a spec it accepts."""
    check_diagnostics(report.warnings)
    spec = report.spec
    for section in (spec.inputs, spec.nodes, spec.outputs):
        for name in section:
            assert NAME_RE.fullmatch(name), f"validate accepted the name {name!r}"
    assert not non_finite(spec.to_data()), "validate accepted a non-finite number"


def run_validate(source: Any) -> None:
    """validate() either returns a sound Report or raises a sound SpecError; nothing else."""
    try:
        report = graphspec.validate(source)
    except SpecError as exc:
        check_spec_error(exc)
    else:
        check_accepted(report)


# ---------------------------------------------------------------------------
# Strategy: random valid DAG specs, with an independent model of what they mean

name_strategy = st.one_of(
    st.from_regex(r"[A-Za-z_][A-Za-z0-9_\-]{0,10}", fullmatch=True),
    # valid names that YAML 1.1 (and so PyYAML's dumper) reads as something else
    st.sampled_from(
        ["no", "yes", "on", "off", "null", "true", "True", "NO", "y", "n", "e3", "inf", "nan", "_1", "x-1", "A" * 128]
    ),
)

ACTIVATIONS = ["relu", "tanh", "sigmoid", "softmax", "linear", "elu", "gelu", "selu"]


@st.composite
def dag_specs(draw: Any, max_nodes: int = 25) -> dict[str, Any]:
    """A valid spec as plain data: Dense / Add / Concatenate / Activation / Dropout / share nodes on rank-2 tensors.

    Widths are tracked so every Add sums equal widths and every shared Dense is
    applied to the width its kernel was built for. Some nodes may feed no output
    (graphspec must warn about exactly those); every input feeds some output.
    The specs are lint-clean: no softmax over one unit, no activation on top of a softmax.
    """
    n_inputs = draw(st.integers(1, 3))
    n_nodes = draw(st.integers(1, max_nodes))
    names = draw(st.lists(name_strategy, min_size=n_inputs + n_nodes + 8, max_size=n_inputs + n_nodes + 8, unique=True))
    pool = iter(names)

    inputs: dict[str, Any] = {}
    width: dict[str, int] = {}
    for _ in range(n_inputs):
        name = next(pool)
        w = draw(st.sampled_from([4, 8]))
        inputs[name] = {"shape": [w]}
        width[name] = w

    nodes: dict[str, Any] = {}
    dense_in: dict[str, int] = {}  # Dense owner → the input width its kernel is built for
    dense_units: dict[str, int] = {}
    owner: dict[str, str] = {}  # node → node that declares its layer
    softmaxed: set[str] = set()  # tensors that end in a softmax (through Dropout)
    tensors = list(inputs)

    def activation(width: int) -> str:
        return draw(st.sampled_from([a for a in ACTIVATIONS if a != "softmax" or width > 1]))

    def one_or_list(ref: str) -> Any:
        return draw(st.sampled_from([ref, [ref]]))

    for _ in range(n_nodes):
        name = next(pool)
        kind = draw(
            st.sampled_from(["dense", "dense", "dense", "add", "concat", "activation", "dropout", "share", "share"])
        )
        shareable = [n for n in nodes if owner[n] in dense_units]
        if kind == "share" and not shareable:
            kind = "dense"
        if kind == "dense":
            src = draw(st.sampled_from(tensors))
            units = draw(st.integers(1, 8))
            node: dict[str, Any] = {"layer": "Dense", "inputs": one_or_list(src), "units": units}
            if draw(st.booleans()):
                node["activation"] = activation(units)
            dense_in[name], dense_units[name] = width[src], units
            owner[name] = name
            width[name] = units
        elif kind == "add":
            w = draw(st.sampled_from(sorted({width[t] for t in tensors})))
            same = [t for t in tensors if width[t] == w]
            srcs = draw(st.lists(st.sampled_from(same), min_size=2, max_size=3))
            node = {"layer": "Add", "inputs": srcs}
            owner[name] = name
            width[name] = w
        elif kind == "concat":
            narrow = [t for t in tensors if width[t] <= 16]
            srcs = draw(st.lists(st.sampled_from(narrow), min_size=2, max_size=3))
            node = {"layer": "Concatenate", "inputs": srcs}
            if draw(st.booleans()):
                node["axis"] = draw(st.sampled_from([-1, 1]))
            owner[name] = name
            width[name] = sum(width[t] for t in srcs)
        elif kind == "activation":
            src = draw(st.sampled_from(tensors))
            node = {
                "layer": "Activation",
                "inputs": one_or_list(src),
                "activation": "linear" if src in softmaxed else activation(width[src]),
            }
            owner[name] = name
            width[name] = width[src]
        elif kind == "dropout":
            src = draw(st.sampled_from(tensors))
            rate = draw(st.one_of(st.sampled_from([0, 0.0, 0.1, 0.5]), st.floats(0, 0.9)))
            node = {"layer": "Dropout", "inputs": one_or_list(src), "rate": rate}
            owner[name] = name
            width[name] = width[src]
            if src in softmaxed:
                softmaxed.add(name)
        else:  # share: reuse an earlier Dense's layer (possibly through a chain of shares)
            target = draw(st.sampled_from(shareable))
            o = owner[target]
            fitting = [t for t in tensors if width[t] == dense_in[o]]
            src = draw(st.sampled_from(fitting))
            node = {"share": target, "inputs": one_or_list(src)}
            owner[name] = o
            width[name] = dense_units[o]
        nodes[name] = node
        tensors.append(name)
        if nodes[owner[name]].get("activation") == "softmax" or node.get("activation") == "softmax":
            softmaxed.add(name)

    outputs: dict[str, Any] = {}
    node_names = list(nodes)
    for _ in range(draw(st.integers(1, 3))):
        ref = draw(st.one_of(st.sampled_from(node_names), st.sampled_from(tensors)))
        style = draw(st.sampled_from(["same", "from", "self-from"]))
        if ref in nodes and ref not in outputs and style != "from":
            outputs[ref] = {"from": ref} if style == "self-from" else {}
        else:
            outputs[next(pool)] = {"from": ref}

    # Every input must feed some output: join the unused ones into one more output.
    used = set()
    for r in _live_roots(outputs):
        used |= _ancestors(r, nodes) | {r}
    unused = [i for i in inputs if i not in used]
    if unused:
        name = next(pool)
        srcs = [*unused, draw(st.sampled_from(tensors))]
        nodes[name] = {"layer": "Concatenate", "inputs": srcs}
        outputs[name] = {}

    return {"graphspec": 1, "name": draw(name_strategy), "inputs": inputs, "nodes": nodes, "outputs": outputs}


def _refs(node: dict[str, Any]) -> list[str]:
    inputs = node.get("inputs", [])
    return [inputs] if isinstance(inputs, str) else list(inputs)


def _live_roots(outputs: dict[str, Any]) -> list[str]:
    return [o.get("from", name) for name, o in outputs.items()]


def _ancestors(name: str, nodes: dict[str, Any]) -> set[str]:
    seen: set[str] = set()
    stack = [name]
    while stack:
        n = stack.pop()
        for r in _refs(nodes.get(n, {})):
            if r not in seen:
                seen.add(r)
                stack.append(r)
    return seen


class Expected:
    """What a valid DAG spec means, worked out here without graphspec."""

    def __init__(self, data: dict[str, Any]):
        inputs, nodes, outputs = data["inputs"], data["nodes"], data["outputs"]
        self.owner: dict[str, str] = {}
        for n in nodes:
            cur = n
            while "share" in nodes[cur]:
                cur = nodes[cur]["share"]
            self.owner[n] = cur

        self.live: set[str] = set()
        for root in _live_roots(outputs):
            self.live |= ({root} | _ancestors(root, nodes)) & set(nodes)
        self.dead = set(nodes) - self.live

        def layer_of(ref: str) -> str:
            return ref if ref in inputs else self.owner[ref]

        # Layers the model holds: inputs, each live node's layer owner, an Identity per renamed output.
        self.layers: dict[str, str] = dict.fromkeys(inputs, "InputLayer")
        for n in nodes:
            if n in self.live:
                o = self.owner[n]
                self.layers[o] = nodes[o]["layer"]  # the Keras class has the layer's name
        self.edges: Counter[tuple[str, str]] = Counter()
        for n, node in nodes.items():
            if n in self.live:
                for r in _refs(node):
                    self.edges[(layer_of(r), self.owner[n])] += 1
        for name, out in outputs.items():
            src = out.get("from", name)
            # An output gets a layer of its own name when it reads another node,
            # or a `share` node (whose tensor carries the shared layer's name).
            if src != name or (src in nodes and self.owner[src] != src):
                self.layers[name] = "Identity"
                self.edges[(layer_of(src), name)] += 1

        # Input width of each layer that has weights (only Dense here): in*units + units.
        width = {i: inputs[i]["shape"][-1] for i in inputs}
        dense_in: dict[str, int] = {}
        for n, node in nodes.items():
            ws = [width[r] for r in _refs(node)]
            o = self.owner[n]
            layer = nodes[o]["layer"]
            if layer == "Dense":
                dense_in.setdefault(o, ws[0])
                width[n] = nodes[o]["units"]
            elif layer == "Concatenate":
                width[n] = sum(ws)
            else:
                width[n] = ws[0]
        self.params = sum(dense_in[o] * nodes[o]["units"] + nodes[o]["units"] for o in dense_in if o in self.layers)


def model_edges(model: Any) -> Counter[tuple[str, str]]:
    """(producer layer, consumer layer) for every tensor every layer call of the model reads."""
    edges: Counter[tuple[str, str]] = Counter()
    for layer in model.layers:
        for node in layer._inbound_nodes:
            for tensor in node.input_tensors:
                edges[(tensor._keras_history.operation.name, layer.name)] += 1
    return edges


# ---------------------------------------------------------------------------
# 1. Random valid DAG specs build into exactly the model they describe


SHARED_OUTPUT = {
    "graphspec": 1,
    "name": "m",
    "inputs": {"x": {"shape": [4]}},
    "nodes": {"d": {"layer": "Dense", "inputs": "x", "units": 1}, "e": {"share": "d", "inputs": "x"}},
    "outputs": {"e": {}},
}


@BUILD
@given(dag_specs())
@example(SHARED_OUTPUT)
def test_random_dag_builds_the_described_model(data: dict[str, Any]) -> None:
    expected = Expected(data)

    report = graphspec.validate(data)
    warned = {d.path[1] for d in report.warnings if d.code is Code.DEAD_NODE}
    assert all(d.code is Code.DEAD_NODE for d in report.warnings), report.warnings
    assert warned == expected.dead

    model = graphspec.build(data)

    assert [t._keras_history.operation.name for t in model.inputs] == list(data["inputs"])
    assert list(model.output_names) == list(data["outputs"])
    assert [t._keras_history.operation.name for t in model.outputs] == list(data["outputs"])

    classes = {layer.name: type(layer).__name__ for layer in model.layers}
    assert classes == expected.layers
    for n in data["nodes"]:
        if n in expected.live and "share" not in data["nodes"][n]:
            assert type(model.get_layer(n)).__name__ == data["nodes"][n]["layer"]

    assert model_edges(model) == expected.edges
    assert model.count_params() == expected.params

    # graphspec's own static inference (no Keras) must agree too, where it exists.
    inference = getattr(report, "inference", None)
    if inference is not None:
        assert inference.total_params in (None, expected.params)
        for name, tensor in zip(data["outputs"], model.outputs, strict=True):
            assert inference.outputs[name].shape in (None, tuple(tensor.shape))


def test_output_of_a_share_node_is_named_after_the_output() -> None:
    """Shrunk from the property above: an output on a `share` node takes the shared layer's name."""
    model = graphspec.build(SHARED_OUTPUT)
    assert list(model.output_names) == ["e"]
    both = {**SHARED_OUTPUT, "outputs": {"d": {}, "e": {}}}
    model = graphspec.build(both)
    assert list(model.output_names) == ["d", "e"]


# ---------------------------------------------------------------------------
# 2. Mutation fuzz through validate (no TensorFlow)

WEIRD_VALUES = [
    None,
    True,
    False,
    -1,
    0,
    1,
    2.5,
    -0.0,
    10**12,
    2**64,
    10**5000,  # more digits than Python will turn into a string by default
    1e308,
    float("nan"),
    float("inf"),
    "",
    " ",
    "x" * 1000,
    "ñ",
    "名前",
    "😀",
    "x\n",
    "x:0",
    "x:-1",
    "Dense",
    "relu",
    "!!python/object/apply:os.system",
    [],
    {},
    [None],
    [[[]]],
    {"": None},
    {"class_name": "Adam"},
    {"class_name": "Adam", "config": {"learning_rate": {"a": 1}}},
    {"layer": "Dense", "units": 3},
    (1, 2),
    b"bytes",
    object(),
]

weird_values = st.one_of(
    # A copy each time: a mutation that adds a key inside a drawn {} would otherwise change the constant,
    # so the same draws made different data later in the run (hypothesis' FlakyStrategyDefinition).
    st.sampled_from(WEIRD_VALUES).map(copy.deepcopy),
    st.sampled_from([10**5000, -(10**4400), 2**20000, 10**400, 1e300]),
    st.integers(),
    st.floats(),
    st.text(max_size=6),
    st.booleans(),
)
weird_names = st.one_of(
    st.sampled_from(
        ["", "ñ", "x\n", "x y", "1abc", "a" * 129, "x:0", "x:9", "missing", "zz_dangling", "名前", "_", "-"]
    ),
    st.text(max_size=8),
)


def all_paths(doc: Any, limit: int = 2000) -> list[tuple[Any, ...]]:
    """Paths to the values in ``doc`` (the data may contain itself after an "alias" mutation)."""
    out: list[tuple[Any, ...]] = []
    stack: list[tuple[Any, tuple[Any, ...], frozenset[int]]] = [(doc, (), frozenset())]
    while stack and len(out) < limit:
        v, p, active = stack.pop()
        out.append(p)
        if isinstance(v, dict | list) and id(v) not in active:
            inner = active | {id(v)}
            items = v.items() if isinstance(v, dict) else enumerate(v)
            stack.extend((c, (*p, k), inner) for k, c in items)
    out.sort(key=repr)
    return out


def get_at(doc: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        doc = doc[part]
    return doc


def set_at(doc: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    get_at(doc, path[:-1])[path[-1]] = value
    return doc


def ref_sites(doc: Any) -> list[tuple[Any, ...]]:
    """Paths of every reference (node inputs, share, output from) in spec-shaped data."""
    sites: list[tuple[Any, ...]] = []
    if not isinstance(doc, dict):
        return sites
    nodes = doc.get("nodes")
    if isinstance(nodes, dict):
        for n, node in nodes.items():
            if not isinstance(node, dict):
                continue
            inputs = node.get("inputs")
            if isinstance(inputs, str):
                sites.append(("nodes", n, "inputs"))
            elif isinstance(inputs, list):
                sites.extend(("nodes", n, "inputs", i) for i in range(len(inputs)))
            if "share" in node:
                sites.append(("nodes", n, "share"))
    outputs = doc.get("outputs")
    if isinstance(outputs, dict):
        for o, out in outputs.items():
            if isinstance(out, dict) and "from" in out:
                sites.append(("outputs", o, "from"))
    return sites


def mutate_data(draw: Any, doc: Any) -> Any:
    """Apply one random structural mutation to spec data (in place where possible); return the data.

    The top level stays a mapping: ``validate`` documents a ``TypeError`` for a
    source that is not a path, text, mapping or Spec, so only what is inside is mutated.
    """
    paths = all_paths(doc)
    inner = [p for p in paths if p]
    containers = [p for p in paths if isinstance(get_at(doc, p), dict | list)]
    dicts = [p for p in paths if isinstance(get_at(doc, p), dict)]
    sites = ref_sites(doc)
    op = draw(
        st.sampled_from(
            [
                "drop",
                "duplicate",
                "replace",
                "replace",
                "dangling",
                "cycle",
                "swap",
                "nest",
                "rename_key",
                "add_key",
                "alias",
            ]
        )
    )

    if op == "drop" and inner:
        p = draw(st.sampled_from(inner))
        parent = get_at(doc, p[:-1])
        del parent[p[-1]]
    elif op == "duplicate" and dicts:
        src = draw(st.sampled_from(paths))
        dst = draw(st.sampled_from(dicts))
        keys = list(get_at(doc, dst))
        key = draw(
            st.one_of(
                st.sampled_from(keys or ["extra"]),
                weird_names,
                st.sampled_from(["nodes", "inputs", "outputs", "layer", "share", "from"]),
            )
        )
        get_at(doc, dst)[key] = copy.deepcopy(get_at(doc, src))
    elif op == "replace" and inner:
        p = draw(st.sampled_from(inner))
        doc = set_at(doc, p, draw(weird_values))
    elif op == "dangling" and sites:
        p = draw(st.sampled_from(sites))
        doc = set_at(doc, p, draw(weird_names))
    elif op == "cycle" and isinstance(doc, dict) and isinstance(doc.get("nodes"), dict) and doc["nodes"]:
        names = list(doc["nodes"])
        i = draw(st.integers(0, len(names) - 1))
        j = draw(st.integers(i, len(names) - 1))  # a later node, or the node itself
        node = doc["nodes"][names[i]]
        if isinstance(node, dict):
            if draw(st.booleans()) or not isinstance(node.get("inputs"), list):
                node["inputs"] = names[j]
            else:
                node["inputs"].append(names[j])
    elif op == "swap" and len(sites) >= 2:
        a, b = draw(st.lists(st.sampled_from(sites), min_size=2, max_size=2, unique=True))
        va, vb = get_at(doc, a), get_at(doc, b)
        set_at(doc, a, vb)
        set_at(doc, b, va)
    elif op == "nest" and inner:
        p = draw(st.sampled_from(inner))
        value = get_at(doc, p)
        for _ in range(draw(st.integers(1, 80))):
            value = [value] if draw(st.booleans()) else {"a": value}
        doc = set_at(doc, p, value)
    elif op == "rename_key" and dicts:
        p = draw(st.sampled_from(dicts))
        d = get_at(doc, p)
        if d:
            old = draw(st.sampled_from(list(d)))
            new = draw(weird_names)
            items = [(new if k == old else k, v) for k, v in d.items()]
            d.clear()
            d.update(items)
    elif op == "add_key" and dicts:
        p = draw(st.sampled_from(dicts))
        key = draw(
            st.one_of(
                weird_names,
                st.sampled_from(
                    ["args", "layer", "share", "inputs", "from", "loss", "compile", "units", "activation", "name"]
                ),
            )
        )
        get_at(doc, p)[key] = draw(weird_values)
    elif op == "alias" and containers and inner:
        # The same object in two places, or an object inside itself (a reference cycle).
        p = draw(st.sampled_from(inner))
        target = get_at(doc, draw(st.sampled_from(containers)))
        doc = set_at(doc, p, target)
    return doc


@FAST
@given(st.sampled_from(range(len(SEED_DATA))), st.data())
def test_mutated_seed_data_validates_or_raises_spec_error(seed: int, data: Any) -> None:
    doc = copy.deepcopy(SEED_DATA[seed])
    for _ in range(data.draw(st.integers(1, 4), label="mutations")):
        doc = mutate_data(data.draw, doc)
    run_validate(doc)


def test_seed_specs_validate() -> None:
    for path, text in zip(SEED_FILES, SEED_TEXTS, strict=True):
        graphspec.validate(path)
        if path.name == "ensemble.yaml":  # its members are spec files; text has no folder to read them from
            with pytest.raises(SpecError, match="cannot include files"):
                graphspec.validate(text)
        else:
            graphspec.validate(text)


# Scalars to put where a value was: numbers YAML 1.1 and 1.2 read differently, non-finite and
# oversized numbers, and tags on a value.
SCALAR_TOKENS = [
    "9" * 5000,
    "-" + "1" * 4400,
    "!!int " + "9" * 5000,
    "!!float 1e999",
    "!!float .nan",
    "!!float .inf",
    "!!int 0x1F",
    "!!int 1.5",
    "!!bool yes",
    "!!null x",
    "!!str 12",
    "1e999",
    "-.inf",
    ".nan",
    "0o17",
    "0x1F",
    "0b101",
    "1_000",
    "12:30",
    "yes",
    "~",
    "''",
    '"\\ud800"',
    "-0",
    "1e-400",
]
scalar_tokens = st.one_of(st.sampled_from(SCALAR_TOKENS), st.text(max_size=4))

TEXT_TOKENS = [
    '!!python/object/apply:os.system ["echo"] ',
    "!!python/name:os.system ",
    "!!binary aGk= ",
    "!!timestamp 2001-12-14 ",
    "!!set ",
    "!!str ",
    "!!int ",
    "!!float ",
    "!!bool ",
    "!!null ",
    "!custom ",
    "! ",
    "&a ",
    "*a",
    "*undefined",
    "<<: *a\n",
    "? ",
    "- ",
    ": ",
    "{",
    "}",
    "[",
    "]",
    ",",
    "'",
    '"',
    "#",
    "|\n",
    ">-\n",
    "\t",
    "\n",
    "\r\n",
    "  ",
    "---\n",
    "...\n",
    "%YAML 1.1\n",
    "%TAG ! tag:example.com,2000:\n",
    "\ufeff",
    "\x00",
    "\x85",
    "\u2028",
    "\\ud800",
    "😀",
    "null",
    "~",
    "yes",
    "0o17",
    "0x1F",
    "1e999",
    ".nan",
    "-.inf",
    "9" * 5000,
    "1" * 4301,
]
text_tokens = st.one_of(st.sampled_from(TEXT_TOKENS), st.text(max_size=5))
VALUE_TOKEN = re.compile(r"(?<=: )[^\s,{}\[\]#]+|(?<=\[)[^\s,{}\[\]#]+")


def mutate_text(draw: Any, text: str) -> str:
    op = draw(
        st.sampled_from(
            [
                "insert",
                "insert",
                "delete",
                "dup_line",
                "replace_value",
                "replace_value",
                "tab",
                "anchor_alias",
                "tag_value",
                "bomb",
            ]
        )
    )
    if op == "insert":
        i = draw(st.integers(0, len(text)))
        return text[:i] + draw(text_tokens) + text[i:]
    if op == "delete" and text:
        i = draw(st.integers(0, len(text) - 1))
        j = draw(st.integers(i, min(len(text), i + 20)))
        return text[:i] + text[j:]
    lines = text.splitlines(keepends=True)
    if op == "dup_line" and lines:
        i = draw(st.integers(0, len(lines) - 1))
        return "".join([*lines[: i + 1], lines[i], *lines[i + 1 :]])
    if op == "tab" and lines:
        i = draw(st.integers(0, len(lines) - 1))
        lines[i] = "\t" + lines[i]
        return "".join(lines)
    values = list(VALUE_TOKEN.finditer(text))
    if op == "replace_value" and values:
        m = draw(st.sampled_from(values))
        return text[: m.start()] + draw(scalar_tokens) + text[m.end() :]
    if op == "anchor_alias" and len(values) >= 2:
        a, b = draw(st.lists(st.sampled_from(values), min_size=2, max_size=2, unique_by=lambda m: m.start()))
        first, second = sorted([a, b], key=lambda m: m.start())
        if draw(st.booleans()):
            first, second = second, first  # alias before its anchor
        out = text
        for m, new in sorted([(first, "&a " + first.group()), (second, "*a")], key=lambda t: -t[0].start()):
            out = out[: m.start()] + new + out[m.end() :]
        return out
    if op == "tag_value" and values:
        m = draw(st.sampled_from(values))
        tag = draw(st.sampled_from([t for t in TEXT_TOKENS if t.startswith("!")]))
        return text[: m.start()] + tag + m.group() + text[m.end() :]
    if op == "bomb":
        levels = draw(st.integers(1, 9))
        bomb = ["b0: &b0 [x, x, x, x, x, x, x, x, x, x]"]
        bomb += [f"b{i}: &b{i} [{', '.join([f'*b{i - 1}'] * 10)}]" for i in range(1, levels)]
        return "\n".join(bomb) + "\n" + text
    return text


def seed_texts() -> list[str]:
    """The seed specs as YAML text and as JSON text."""
    return SEED_TEXTS + [json.dumps(d, indent=2) for d in SEED_DATA]


ALL_SEED_TEXTS = seed_texts()


@FAST
@given(st.sampled_from(range(len(ALL_SEED_TEXTS))), st.data())
def test_mutated_seed_text_validates_or_raises_spec_error(seed: int, data: Any) -> None:
    text = ALL_SEED_TEXTS[seed]
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        text = mutate_text(data.draw, text)
    run_validate(text)


# Minimal reproductions of what the fuzzers above found, kept as plain tests.

SMALL = {
    "graphspec": 1,
    "inputs": {"x": {"shape": [4]}},
    "nodes": {"d": {"layer": "Dense", "inputs": "x", "units": 2}},
    "outputs": {"d": {}},
}
SMALL_YAML = (
    "graphspec: 1\ninputs: {x: {shape: [4]}}\nnodes: {d: {layer: Dense, inputs: x, units: UNITS}}\noutputs: {d: {}}\n"
)


@pytest.mark.parametrize("units", ["9" * 5000, "!!int " + "9" * 5000], ids=["plain", "tagged"])
def test_huge_integer_in_text_is_a_spec_error(units: str) -> None:
    with pytest.raises(SpecError) as info:
        graphspec.validate(SMALL_YAML.replace("UNITS", units))
    check_spec_error(info.value)


@pytest.mark.parametrize(
    "path",
    [("name",), ("graphspec",), ("outputs", "d", "loss_weight"), ("nodes", "d", "units"), ("inputs", "x", "shape", 0)],
    ids=lambda p: ".".join(map(str, p)),
)
def test_huge_integer_in_data_is_handled(path: tuple[Any, ...]) -> None:
    doc = set_at(copy.deepcopy(SMALL), path, 10**5000)
    run_validate(doc)


@pytest.mark.parametrize(
    "source",
    [
        set_at(copy.deepcopy(SMALL), ("nodes", "d", "units"), 10**400),
        set_at(copy.deepcopy(SMALL), ("inputs", "x", "shape", 0), 10**400),
        SMALL_YAML.replace("UNITS", "1" + "0" * 400),
    ],
    ids=["units-data", "shape-data", "units-text"],
)
def test_parameter_count_beyond_float_range_is_a_spec_error(source: Any) -> None:
    """Found by the data fuzz: a 401-digit `units` passes the catalogue, then the budget check overflows."""
    with pytest.raises(SpecError) as info:
        graphspec.validate(source)
    check_spec_error(info.value)


def test_output_name_with_trailing_newline_is_refused() -> None:
    doc = copy.deepcopy(SMALL)
    doc["outputs"] = {"y\n": {"from": "d"}}
    run_validate(doc)


# ---------------------------------------------------------------------------
# 3. Mutation fuzz through build: only SpecError escapes; Keras errors name their node

BUILD_BASE: dict[str, Any] = {
    "graphspec": 1,
    "name": "fuzz_base",
    "inputs": {
        "x": {"shape": [6]},
        "seq": {"shape": [6, 4]},
        "img": {"shape": [8, 8, 3]},
    },
    "nodes": {
        "d1": {"layer": "Dense", "inputs": "x", "units": 8},
        "d2": {"layer": "Dense", "inputs": "d1", "units": 8},
        "s1": {"share": "d2", "inputs": "d2"},
        "sum": {"layer": "Add", "inputs": ["d2", "s1"]},
        "cat": {"layer": "Concatenate", "inputs": ["d1", "sum"], "axis": -1},
        "c1": {"layer": "Conv1D", "inputs": "seq", "filters": 4, "kernel_size": 3},
        "p1": {"layer": "GlobalMaxPooling1D", "inputs": "c1"},
        "l1": {"layer": "LSTM", "inputs": "seq", "units": 4},
        "c2": {"layer": "Conv2D", "inputs": "img", "filters": 4, "kernel_size": 3},
        "g2": {"layer": "GlobalAveragePooling2D", "inputs": "c2"},
        "all": {"layer": "Concatenate", "inputs": ["cat", "p1", "l1", "g2"]},
        "head": {"layer": "Dense", "inputs": "all", "units": 1, "activation": "sigmoid"},
    },
    "outputs": {"head": {"loss": "binary_crossentropy"}},
}

# (node or input, key, candidate values): plausible edits, many of which only Keras can reject.
BUILD_MUTATIONS: list[tuple[str, str, list[Any]]] = [
    ("d1", "units", [0, -1, -5, 2.5, "8", True, None]),
    ("head", "units", [0, -3]),
    ("cat", "axis", [5, -5, 0, 2, 1, "x", 1.5]),
    ("all", "axis", [5, 0, -2]),
    ("c1", "inputs", ["x", "img", "d1"]),  # Conv1D on rank-2 / rank-4 tensors
    ("l1", "inputs", ["x", "d2", "img"]),  # LSTM on rank-2 / rank-4 tensors
    ("s1", "inputs", ["x", "cat", "seq"]),  # the shared Dense (built for width 8) on other widths
    ("sum", "inputs", [["d2", "x"], ["d2", "cat"], ["d2", "seq"], ["d2"]]),  # Add of mismatched shapes
    ("cat", "inputs", [["d1", "seq"], ["img", "d1"]]),  # Concatenate of different ranks
    ("c1", "kernel_size", [10, 7, [3, 3]]),  # kernel wider than the sequence
    ("c2", "kernel_size", [9, 20]),
    ("c2", "strides", [0, 100]),
    ("l1", "units", [0, 10**6 + 0.5]),
    ("head", "activation", ["nope", "softmax"]),
    ("x", "dtype", ["string", "bool", "int8", "complex64", "float16"]),
    ("x", "sparse", [True]),
    ("x", "shape", [[None], [6, 1], [1]]),
    ("img", "shape", [[8, 8], [2, 2, 3], [None, None, 3]]),
    ("seq", "shape", [[2, 4], [None, 4], [6]]),
    ("x", "batch_size", [1, 0]),
    # edits Keras accepts, so static inference and Keras must agree on the result
    ("c1", "padding", ["same", "causal", "valid"]),
    ("c1", "strides", [2, 3]),
    ("c1", "dilation_rate", [2]),
    ("c2", "padding", ["same"]),
    ("c2", "strides", [2, [1, 2]]),
    ("c2", "dilation_rate", [2]),
    ("l1", "return_sequences", [True]),
    ("l1", "go_backwards", [True]),
    ("cat", "axis", [1, -1]),
]

EXTRA_NODES: list[dict[str, Any]] = [
    {"layer": "Conv2D", "inputs": "x", "filters": 2, "kernel_size": 3},  # Conv2D on a rank-2 tensor
    {"layer": "Conv2D", "inputs": "seq", "filters": 2, "kernel_size": 3},  # ... and on a rank-3 one
    {"layer": "LSTM", "inputs": "d1", "units": 2},  # LSTM on a rank-2 tensor
    {"layer": "Dense", "inputs": "x", "units": None},
    {"layer": "Reshape", "inputs": "d1", "target_shape": [5]},
    {"layer": "Reshape", "inputs": "d1", "target_shape": [3, 3]},
    {"layer": "Permute", "inputs": "seq", "dims": [3, 1]},
    {"layer": "RepeatVector", "inputs": "seq", "n": 3},
    {"layer": "Dot", "inputs": ["d1", "x"], "axes": 1},
    {"layer": "Multiply", "inputs": ["d1", "x"]},
    {"layer": "Embedding", "inputs": "x", "input_dim": 10, "output_dim": 4},
    {"layer": "Cropping1D", "inputs": "seq", "cropping": [5, 5]},
    {"layer": "MaxPooling2D", "inputs": "img", "pool_size": 16},
    {"layer": "BatchNormalization", "inputs": "x", "axis": 4},
    {"layer": "Bidirectional", "inputs": "x", "wraps": {"layer": "LSTM", "units": 2}},
    # layers Keras accepts here: static inference must give Keras' shapes and parameter counts
    {"layer": "Flatten", "inputs": "img"},
    {"layer": "Reshape", "inputs": "d1", "target_shape": [4, 2]},
    {"layer": "Reshape", "inputs": "d1", "target_shape": [-1, 2]},
    {"layer": "Permute", "inputs": "seq", "dims": [2, 1]},
    {"layer": "RepeatVector", "inputs": "d1", "n": 3},
    {"layer": "Conv1D", "inputs": "seq", "filters": 3, "kernel_size": 2, "padding": "causal", "dilation_rate": 2},
    {"layer": "Conv2DTranspose", "inputs": "img", "filters": 2, "kernel_size": 3, "strides": 2},
    {"layer": "SeparableConv2D", "inputs": "img", "filters": 5, "kernel_size": 3, "depth_multiplier": 2},
    {"layer": "DepthwiseConv2D", "inputs": "img", "kernel_size": 3, "padding": "same"},
    {"layer": "MaxPooling1D", "inputs": "seq", "pool_size": 4, "padding": "same"},
    {"layer": "AveragePooling2D", "inputs": "img", "pool_size": 3, "strides": 2},
    {"layer": "UpSampling1D", "inputs": "seq", "size": 2},
    {"layer": "ZeroPadding2D", "inputs": "img", "padding": [1, 2]},
    {"layer": "Cropping2D", "inputs": "img", "cropping": [[1, 0], [2, 1]]},
    {"layer": "GRU", "inputs": "seq", "units": 3, "return_sequences": True},
    {"layer": "SimpleRNN", "inputs": "seq", "units": 3},
    {"layer": "Bidirectional", "inputs": "seq", "wraps": {"layer": "LSTM", "units": 2}, "merge_mode": "sum"},
    {"layer": "Bidirectional", "inputs": "seq", "wraps": {"layer": "GRU", "units": 2, "return_sequences": True}},
    {"layer": "LayerNormalization", "inputs": "seq"},
    {"layer": "BatchNormalization", "inputs": "img"},
    {"layer": "Attention", "inputs": ["seq", "seq"]},
    {"layer": "MultiHeadAttention", "inputs": ["seq", "seq"], "num_heads": 2, "key_dim": 3},
    {"layer": "Dot", "inputs": ["d1", "d2"], "axes": 1},
    {"layer": "Average", "inputs": ["d1", "d2"]},
    {"layer": "Maximum", "inputs": ["d1", "s1", "d2"]},
    {"layer": "Subtract", "inputs": ["d1", "d2"]},
    {"layer": "Embedding", "inputs": "seq", "input_dim": 10, "output_dim": 2},
    {"layer": "TimeDistributed", "inputs": "seq", "wraps": {"layer": "Dense", "units": 5}},
    {"layer": "GlobalMaxPooling2D", "inputs": "img", "keepdims": True},
    {"share": "l1", "inputs": "x"},
    {"share": "c2", "inputs": "seq"},
]


# Codes for errors that belong to one node: Keras' own, and static shape inference's (when present).
SHAPE_MISMATCH = getattr(Code, "SHAPE_MISMATCH", Code.KERAS_ERROR)
NODE_CODES = {Code.KERAS_ERROR, SHAPE_MISMATCH}


def _descendants(name: str, nodes: dict[str, Any]) -> set[str]:
    out = {name}
    changed = True
    while changed:
        changed = False
        for n, node in nodes.items():
            if n not in out and (set(_refs(node)) & out or node.get("share") in out):
                out.add(n)
                changed = True
    return out


@BUILD_FUZZ
@given(st.data())
def test_mutated_spec_builds_or_raises_spec_error_naming_the_node(data: Any) -> None:
    doc = copy.deepcopy(BUILD_BASE)
    touched: set[str] = set()
    for _ in range(data.draw(st.integers(1, 2), label="mutations")):
        if data.draw(st.integers(0, 3), label="extra node?") == 0:
            extra = copy.deepcopy(data.draw(st.sampled_from(EXTRA_NODES), label="extra node"))
            name = f"extra{len(touched)}"
            doc["nodes"][name] = extra
            doc["outputs"][name] = {}
            touched.add(name)
        else:
            target, key, values = data.draw(st.sampled_from(BUILD_MUTATIONS), label="mutation")
            value = data.draw(st.sampled_from(values), label="value")
            section = "inputs" if target in doc["inputs"] else "nodes"
            doc[section][target][key] = copy.deepcopy(value)
            touched.add(target)
    compile = data.draw(st.booleans(), label="compile")
    try:
        model = graphspec.build(doc, compile=compile)
    except SpecError as exc:
        check_spec_error(exc)
        nodes = doc["nodes"]
        # Nodes a Keras or shape error may name: the edited ones and everything downstream
        # of them (an edited input's effect shows up at the nodes that read it).
        blame: set[str] = set()
        for t in touched:
            blame |= _descendants(t, nodes)
        for d in exc.errors:
            if d.code in NODE_CODES:
                assert d.path[:1] == ("nodes",) and len(d.path) >= 2 and d.path[1] in nodes, (
                    f"{d.code.value} not naming a node: {d.render()}"
                )
                assert d.path[1] in blame, (
                    f"{d.code.value} blames {d.path[1]!r}, not an edited node or a descendant {sorted(blame)}: "
                    f"{d.render()}"
                )
        if exc.errors and all(d.code is SHAPE_MISMATCH for d in exc.errors):
            # Static shape inference refused the spec: Keras must refuse it too (no false alarms).
            with pytest.raises(SpecError) as keras_says:
                emit(resolve(graphspec.load(doc)), compile=False)
            assert any(d.code is Code.KERAS_ERROR for d in keras_says.value.errors), keras_says.value.render()
    else:
        # Static inference and Keras agree on what was built.
        inference = getattr(graphspec.validate(doc), "inference", None)
        if inference is not None:
            for name, tensor in zip(doc["outputs"], model.outputs, strict=True):
                inferred = inference.outputs[name].shape
                if inferred is not None:
                    assert tuple(inferred) == tuple(tensor.shape), (name, inferred, tensor.shape)
            if inference.total_params is not None:
                assert inference.total_params == model.count_params()


# ---------------------------------------------------------------------------
# 4. Round trip through to_yaml and to_json

TRICKY_STRINGS = [
    "",
    " ",
    "plain words",
    "1e3",
    "1E5",
    "-1e-3",
    "0o17",
    "0x1F",
    "1_000",
    "yes",
    "No",
    "null",
    "~",
    ".inf",
    ".NaN",
    "12:30",
    "2001-12-14",
    "a: b",
    "#hash",
    "- dash",
    "!bang",
    "&anchor",
    "*alias",
    "'quoted'",
    '"double"',
    "tab\there",
    "line\nbreak",
    "trailing space ",
    "\u2028",
    "\ufeff",
    "\x85",
    "ñ",
    "😀",
    "emoji 😀 inside",
    "x" * 300,
]
descriptions = st.one_of(st.none(), st.sampled_from(TRICKY_STRINGS), st.text(max_size=30))


@st.composite
def decorated_specs(draw: Any) -> dict[str, Any]:
    """Valid DAG specs with the optional sections filled in: description, dtypes, losses, metrics, compile."""
    data = draw(dag_specs(max_nodes=8))
    description = draw(descriptions)
    if description is not None:
        data["description"] = description
    for inp in data["inputs"].values():
        if draw(st.booleans()):
            inp["dtype"] = draw(st.sampled_from(["float32", "float64", "float16"]))
        if draw(st.booleans()):
            inp["shape"] = [None, *inp["shape"]] if draw(st.booleans()) else inp["shape"]
        if draw(st.integers(0, 3)) == 0:
            inp["batch_size"] = draw(st.integers(1, 64))
    for out in data["outputs"].values():
        if draw(st.booleans()):
            out["loss"] = draw(
                st.one_of(
                    st.sampled_from(["mse", "mae", "binary_crossentropy", "categorical_crossentropy", "huber"]),
                    st.just({"class_name": "Huber", "config": {"delta": 2.0}}),
                )
            )
            if draw(st.booleans()):
                out["loss_weight"] = draw(st.one_of(st.integers(0, 10), st.floats(0, 100)))
        if draw(st.booleans()):
            out["metrics"] = draw(st.lists(st.sampled_from(["acc", "mae", "mse", "AUC"]), max_size=2))
    if draw(st.booleans()):
        data["compile"] = {
            "optimizer": draw(
                st.one_of(
                    st.sampled_from(["rmsprop", "adam", "sgd"]),
                    st.builds(lambda lr: {"class_name": "Adam", "config": {"learning_rate": lr}}, st.floats(1e-6, 1.0)),
                )
            )
        }
        if draw(st.booleans()):
            data["compile"]["jit_compile"] = draw(st.sampled_from([True, False, "auto"]))
        if draw(st.booleans()):
            data["compile"]["steps_per_execution"] = draw(st.integers(1, 100))
    return data


def assert_same_spec(back: Any, spec: Any) -> None:
    assert back.to_data() == spec.to_data()
    # dict equality ignores order; model input and output order is the spec's order
    for section in ("inputs", "nodes", "outputs"):
        assert list(getattr(back, section)) == list(getattr(spec, section))


MINIMAL_ROUND_TRIP = {**SMALL, "name": "m"}


@ROUND_TRIP
@given(decorated_specs())
@example({**MINIMAL_ROUND_TRIP, "description": "1e3"})
@example({**MINIMAL_ROUND_TRIP, "description": "0o17"})
def test_yaml_round_trip(data: dict[str, Any]) -> None:
    spec = graphspec.load(data)
    back = graphspec.load(spec.to_yaml())
    assert_same_spec(back, spec)


@ROUND_TRIP
@given(decorated_specs())
@example({**MINIMAL_ROUND_TRIP, "description": "😀"})
def test_json_round_trip(data: dict[str, Any]) -> None:
    spec = graphspec.load(data)
    back = graphspec.load(spec.to_json())
    assert_same_spec(back, spec)


@ROUND_TRIP
@given(dag_specs(max_nodes=12))
def test_round_trip_of_graph_only_specs(data: dict[str, Any]) -> None:
    """The graph sections alone (no free text) survive both round trips and still validate."""
    spec = graphspec.validate(data).spec
    for text in (spec.to_yaml(), spec.to_json()):
        back = graphspec.validate(text).spec
        assert_same_spec(back, spec)


# JSON is read by the YAML parser (for positions), so any valid JSON layout must load the same.
JSON_SPACE = st.sampled_from(["", " ", "\n", "\t", "\r\n", "\n    ", " \t "])


def _json_string(draw: Any, text: str) -> str:
    out = ['"']
    for ch in text:
        style = draw(st.sampled_from(["raw", "raw", "escape"]))
        if ch in '"\\' or ord(ch) < 0x20 or (style == "escape" and ch != "/"):
            code = ord(ch)
            if code > 0xFFFF:  # JSON escapes astral characters as a UTF-16 surrogate pair
                code -= 0x10000
                out.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
            else:
                out.append(f"\\u{code:04x}")
        elif ch == "/" and style == "escape":
            out.append("\\/")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _json_text(draw: Any, value: Any) -> str:
    if isinstance(value, dict):
        items = [
            draw(JSON_SPACE)
            + _json_string(draw, k)
            + draw(JSON_SPACE)
            + ":"
            + draw(JSON_SPACE)
            + _json_text(draw, v)
            + draw(JSON_SPACE)
            for k, v in value.items()
        ]
        return "{" + (",".join(items) if items else draw(JSON_SPACE)) + "}"
    if isinstance(value, list):
        items = [draw(JSON_SPACE) + _json_text(draw, v) + draw(JSON_SPACE) for v in value]
        return "[" + (",".join(items) if items else draw(JSON_SPACE)) + "]"
    if isinstance(value, str):
        return _json_string(draw, value)
    return json.dumps(value)


@st.composite
def json_layouts(draw: Any) -> tuple[dict[str, Any], str]:
    """A valid spec and one valid JSON text of it, with random whitespace and escapes."""
    data = draw(decorated_specs())
    return data, draw(JSON_SPACE) + _json_text(draw, data) + draw(JSON_SPACE)


@ROUND_TRIP
@given(json_layouts())
@example(
    (
        SMALL,
        '{"graphspec"\n: 1, "inputs": {"x": {"shape": [4]}}, "nodes": {"d": {"layer": "Dense", "inputs": "x", '
        '"units": 2}}, "outputs": {"d": {}}}',
    )
)
@example(
    ({**SMALL, "description": "\x85"}, json.dumps({**SMALL, "description": "\x85"}, ensure_ascii=False))
)  # read back as " "
@example(
    ({**SMALL, "description": "\x7f"}, json.dumps({**SMALL, "description": "\x7f"}, ensure_ascii=False))
)  # refused as syntax
@example(
    ({**SMALL, "description": "a\u2028 b"}, json.dumps({**SMALL, "description": "a\u2028 b"}, ensure_ascii=False))
)  # read back as "a\u2028b"
def test_any_json_layout_loads_the_same_spec(case: tuple[dict[str, Any], str]) -> None:
    data, text = case
    assert json.loads(text) == data
    assert_same_spec(graphspec.load(text), graphspec.load(data))


_WEIRD_CONTAINERS = copy.deepcopy([v for v in WEIRD_VALUES if isinstance(v, list | dict)])


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(range(len(SEED_DATA))), st.data())
def test_mutations_leave_the_weird_values_as_they_are(seed: int, data: Any) -> None:
    doc = copy.deepcopy(SEED_DATA[seed])
    for _ in range(data.draw(st.integers(1, 6), label="mutations")):
        doc = mutate_data(data.draw, doc)
    assert [v for v in WEIRD_VALUES if isinstance(v, list | dict)] == _WEIRD_CONTAINERS


# ---------------------------------------------------------------------------
# 5. Import: build(spec) → from_keras is the same spec again, with call arguments and structures


IMPORT = settings(max_examples=15, deadline=None, database=None, suppress_health_check=list(HealthCheck))


def _without_dead_nodes(data: dict[str, Any]) -> dict[str, Any] | None:
    """Only the nodes some output needs: the model holds no others (``None`` when a needed node
    shares the layer of a node no output needs: the model then calls that layer once, under its name)."""
    nodes = data["nodes"]
    live: set[str] = set()
    for root in _live_roots(data["outputs"]):
        live |= ({root} | _ancestors(root, nodes)) & set(nodes)
    if any("share" in nodes[n] and nodes[n]["share"] not in live for n in live):
        return None
    return {**data, "nodes": {k: v for k, v in nodes.items() if k in live}}


def _tree(draw: Any, names: list[str]) -> Any:
    """A structure over ``names``: a reordered list, a dict keyed by name, or a nested list."""
    order = draw(st.permutations(names))
    style = draw(st.sampled_from(["list", "dict", "nested"] if len(order) > 1 else ["list", "dict"]))
    if style == "dict":
        return {n: n for n in order}
    if style == "nested":
        return [order[0], list(order[1:])]
    return list(order)


@st.composite
def importable_specs(draw: Any) -> dict[str, Any]:
    """Valid DAG specs (no dead nodes), some Dropout calls with `training`, an LSTM decoder started
    from an encoder's states (`initial_state`), and structured inputs and outputs."""
    live = _without_dead_nodes(draw(dag_specs(max_nodes=8)))
    assume(live is not None)
    assert live is not None
    # TensorFlow refuses to run a model whose name starts with '_' ("not a valid root scope name")
    data = {**live, "name": "imported"}
    for node in data["nodes"].values():
        if node.get("layer") == "Dropout" and draw(st.booleans()):
            node["call"] = {"training": draw(st.booleans())}
    taken = set(data["inputs"]) | set(data["nodes"]) | set(data["outputs"])
    if draw(st.booleans()) and not taken & {"rnn_seq", "rnn_enc", "rnn_dec"}:
        data["inputs"]["rnn_seq"] = {"shape": [None, 3]}
        data["nodes"]["rnn_enc"] = {"layer": "LSTM", "inputs": "rnn_seq", "units": 3, "return_state": True}
        data["nodes"]["rnn_dec"] = {
            "layer": "LSTM",
            "inputs": "rnn_seq",
            "units": 3,
            "call": {"initial_state": ["rnn_enc:1", "rnn_enc:2"]},
        }
        data["outputs"]["rnn_dec"] = {}
    structure: dict[str, Any] = {}
    if draw(st.booleans()):
        structure["inputs"] = _tree(draw, list(data["inputs"]))
    if draw(st.booleans()):
        structure["outputs"] = _tree(draw, list(data["outputs"]))
    if structure:
        data["structure"] = structure
    return data


@IMPORT
@given(importable_specs())
def test_import_of_a_built_spec_is_the_spec(data: dict[str, Any]) -> None:
    from graphspec.diff import normalise
    from tests.fidelity import assert_same_predictions

    spec = graphspec.load(data)
    model = graphspec.build(spec, compile=False)
    again = graphspec.from_keras(model)
    assert normalise(again) == normalise(spec), graphspec.diff_specs(spec, again).render()
    rebuilt = graphspec.build(again, compile=False)

    # the interface: inputs and outputs in the same order and structure (a dict stays a dict)
    def made_by(tensors: list[Any]) -> list[str]:
        return [t._keras_history.operation.name for t in tensors]

    assert made_by(rebuilt.inputs) == made_by(model.inputs)
    assert made_by(rebuilt.outputs) == made_by(model.outputs)
    assert type(rebuilt._inputs_struct) is type(model._inputs_struct)
    assert type(rebuilt._outputs_struct) is type(model._outputs_struct)
    for layer in model.layers:
        rebuilt.get_layer(layer.name).set_weights(layer.get_weights())
    if not any(n.get("call", {}).get("training") for n in data["nodes"].values()):  # dropout in training mode is random
        assert_same_predictions(model, rebuilt)
