"""Hypothesis strategies for hostile specs: structural mutations of valid specs, hostile
YAML text, and specs generated from graphspec's own JSON Schema."""

from __future__ import annotations

import contextlib
import copy
import json
import re
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
SEEDS = sorted([*ROOT.glob("specs/**/*.yaml"), *(ROOT / "tests/cases/valid").glob("*.yaml")])
SEED_TEXTS = [p.read_text(encoding="utf-8") for p in SEEDS]
SEED_DATA = [yaml.safe_load(t) for t in SEED_TEXTS]

ODD_VALUES: list[Any] = [
    None, True, False, 0, -1, 1, 2**31, 10**12, 2**63, -(2**63), 10**30, 1e308, -0.0, 0.5, 1e-300,
    "", " ", "x" * 1000, "ñ", "名前", "\u202e", "a\nb", "a b", "lambda x: x", "keras.config.set_epsilon",
    "../../etc/passwd", "__lambda__", [], [None], {}, {"class_name": "function", "module": "keras.config", "config": "set_epsilon"},
    {"class_name": "Lambda", "config": {"function": "x"}}, {"__class__": "x"}, [[[[[]]]]],
]


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path in a JSON-like value (iterative: inputs may be deep)."""
    out: list[tuple[Any, ...]] = []
    stack = [(data, prefix)]
    while stack:
        value, path = stack.pop()
        out.append(path)
        if isinstance(value, dict):
            stack.extend((v, (*path, k)) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, (*path, i)) for i, v in enumerate(value))
    return out


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def _set(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    _get(data, path[:-1])[path[-1]] = value
    return data


def _names(data: Any) -> list[str]:
    names: list[str] = []
    if not isinstance(data, dict):
        return ["x"]
    for section in ("inputs", "nodes", "outputs"):
        if isinstance(data.get(section), dict):
            names += list(data[section])
    return names or ["x"]


@st.composite
def mutated_data(draw: st.DrawFn) -> Any:
    """A seed spec with 1 to 4 structural mutations."""
    data = copy.deepcopy(draw(st.sampled_from(SEED_DATA)))
    for _ in range(draw(st.integers(1, 4))):
        paths = _paths(data)
        path = draw(st.sampled_from(paths))
        kind = draw(st.sampled_from(["drop", "replace", "duplicate", "dangle", "cycle", "swap", "deepen", "rename", "share"]))
        try:
            target = _get(data, path)
        except (KeyError, IndexError, TypeError):
            continue
        parent = _get(data, path[:-1]) if path else None
        if kind == "drop" and path and isinstance(parent, dict | list):
            del parent[path[-1]]
        elif kind == "replace":
            data = _set(data, path, copy.deepcopy(draw(st.sampled_from(ODD_VALUES))))
        elif kind == "duplicate" and isinstance(target, dict) and path:
            other = draw(st.sampled_from(paths))
            with contextlib.suppress(KeyError, IndexError, TypeError):
                target[draw(st.sampled_from(["units", "inputs", "layer", "share", "from", "x", "graphspec"]))] = copy.deepcopy(_get(data, other))
        elif kind == "dangle" and isinstance(target, str):
            data = _set(data, path, target + draw(st.sampled_from(["_", "x", ":1", ":99", "\n"])))
        elif kind == "cycle" and isinstance(data, dict) and isinstance(data.get("nodes"), dict) and data["nodes"]:
            names = list(data["nodes"])
            a, b = draw(st.sampled_from(names)), draw(st.sampled_from(names))
            if isinstance(data["nodes"][a], dict):
                data["nodes"][a]["inputs"] = [b, a]
        elif kind == "swap" and isinstance(target, str):
            data = _set(data, path, draw(st.sampled_from(_names(data))))
        elif kind == "deepen":
            deep: Any = target
            for _ in range(draw(st.integers(1, 200))):
                deep = [deep]
            data = _set(data, path, deep)
        elif kind == "rename" and isinstance(parent, dict) and path:
            parent[draw(st.sampled_from(["", "ñ", "a b", "x" * 200, "name", "args", "<<", "1"]))] = parent.pop(path[-1])
        elif kind == "share" and isinstance(target, dict) and "layer" in target:
            target["share"] = draw(st.sampled_from(_names(data)))
    return data


def _alias_bomb(levels: int, width: int) -> str:
    lines = ['graphspec: 1', 'a0: &a0 ["x"]']
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


HOSTILE_SNIPPETS = [
    "!!python/object/apply:os.system ['true']",
    "!!python/name:os.system",
    "!!python/object/new:dict {}",
    "&a [*a]",
    "*undefined",
    "!!binary aGVsbG8=",
    "!!timestamp 2024-01-01",
    "!!set {a, b}",
    "!custom x",
    "<<: 3",
    "\t",
    "{",
    "]",
    "'",
    "\x00",
    "\ufeff",
    "1e400",
    "0x" + "f" * 40,
    "9" * 5000,
    ".nan",
    "- - - - - - - -",
    "? [a]\n: b",
    "---\n---",
    "%YAML 1.1\n---",
]


@st.composite
def hostile_text(draw: st.DrawFn) -> str:
    """Seed YAML text with hostile edits, or a generated alias bomb or deep nest."""
    choice = draw(st.integers(0, 9))
    if choice == 0:
        return _alias_bomb(draw(st.integers(2, 10)), draw(st.integers(2, 12)))
    if choice == 1:
        depth = draw(st.integers(50, 3000))
        open_, close = draw(st.sampled_from([("[", "]"), ("{a: ", "}"), ("- ", "")]))
        return "graphspec: 1\nx: " + open_ * depth + "1" + close * depth + "\n"
    text = draw(st.sampled_from(SEED_TEXTS))
    for _ in range(draw(st.integers(1, 4))):
        pos = draw(st.integers(0, len(text)))
        edit = draw(st.sampled_from(["insert", "delete", "duplicate_line"]))
        if edit == "insert":
            text = text[:pos] + draw(st.sampled_from(HOSTILE_SNIPPETS) | st.text(max_size=8)) + text[pos:]
        elif edit == "delete":
            text = text[:pos] + text[pos + draw(st.integers(1, 20)) :]
        else:
            lines = text.splitlines(keepends=True)
            i = draw(st.integers(0, max(0, len(lines) - 1)))
            text = "".join([*lines[: i + 1], *lines[i:]])
    return text


# ---------------------------------------------------------------------------
# Specs generated from the JSON Schema (`graphspec schema`)


class SchemaStrategies:
    """Hypothesis strategies derived from graphspec's JSON Schema.

    Generic JSON Schema keywords (type, enum, const, anyOf, oneOf, properties,
    items, $ref) are followed; a node is generated by choosing its layer from the
    schema's enum and then arguments from that layer's ``if/then`` branch in
    ``$defs/LayerArguments``, which is where the schema lists each layer's
    arguments (the branch is selected by a whole-name ``pattern``, ``^Dense$``).
    """

    def __init__(self, schema: dict[str, Any]):
        self.schema = schema
        self.defs = schema.get("$defs", {})
        layer = self.defs["NestedLayer"]["properties"]["layer"]
        self.layers = next(a["enum"] for a in layer.get("anyOf", [layer]) if "enum" in a)
        self.branches = {_unpattern(b["if"]["properties"]["layer"]["pattern"]): b["then"] for b in self.defs["LayerArguments"]["allOf"]}

    def _resolve(self, schema: Any) -> Any:
        while isinstance(schema, dict) and "$ref" in schema:
            schema = self.defs[schema["$ref"].split("/")[-1]]
        return schema

    def of(self, schema: Any, depth: int = 0) -> st.SearchStrategy[Any]:
        schema = self._resolve(schema)
        if depth > 6:  # recursive definitions (PlainData: lists of plain data) end here
            return st.none()
        if not isinstance(schema, dict) or schema.get("$ref") == "#/$defs/Expression":
            return st.none() | st.integers(0, 9)
        if schema is self.defs.get("NodeSpec"):
            return self.node()
        if "const" in schema:
            return st.just(schema["const"])
        if "enum" in schema:
            return st.sampled_from(schema["enum"])
        for key in ("anyOf", "oneOf"):
            if key in schema:
                return st.one_of([self.of(s, depth + 1) for s in schema[key]])
        kind = schema.get("type")
        if isinstance(kind, list):
            return st.one_of([self.of({**schema, "type": k}, depth + 1) for k in kind])
        if kind == "object" or "properties" in schema:
            return self._object(schema, depth)
        if kind == "array":
            items = schema.get("items", {})
            return st.lists(self.of(items, depth + 1), max_size=3 if depth < 4 else 0)
        return {
            "string": st.text(alphabet="abcdefghijklmnopqrstuvwxyz_0123456789", min_size=1, max_size=8),
            "integer": st.integers(-2, 70),
            "number": st.floats(-1e3, 1e3, allow_nan=False),
            "boolean": st.booleans(),
            "null": st.none(),
        }.get(kind or "", st.none() | st.integers(0, 9) | st.text(max_size=4))

    def _object(self, schema: dict[str, Any], depth: int) -> st.SearchStrategy[dict[str, Any]]:
        props = schema.get("properties", {})
        required = set(schema.get("required", []))
        extra = schema.get("additionalProperties")
        if not props and isinstance(extra, dict):
            keys = st.from_regex(r"\A[a-z][a-z0-9_]{0,5}\Z")
            return st.dictionaries(keys, self.of(extra, depth + 1), min_size=1, max_size=3)
        return st.fixed_dictionaries(
            {k: self.of(v, depth + 1) for k, v in props.items() if k in required},
            optional={k: self.of(v, depth + 1) for k, v in props.items() if k not in required},
        )

    def node(self) -> st.SearchStrategy[dict[str, Any]]:
        return _schema_node(self)

    def spec(self) -> st.SearchStrategy[dict[str, Any]]:
        return _schema_spec(self)


@st.composite
def _schema_node(draw: st.DrawFn, s: SchemaStrategies) -> dict[str, Any]:
    layer = draw(st.sampled_from(s.layers))
    then = s.branches[layer]
    props = {k: v for k, v in then["properties"].items() if k not in ("layer", "inputs", "share", "model", "op", "block")}
    node: dict[str, Any] = {"layer": layer, "inputs": "x"}
    for name in then.get("required", []):
        if name in props:
            node[name] = draw(s.of(props[name], 2))
    for name in draw(st.lists(st.sampled_from(sorted(props) or ["units"]), max_size=3, unique=True)):
        if name in props:
            node[name] = draw(s.of(props[name], 2))
    return node


@st.composite
def _schema_spec(draw: st.DrawFn, s: SchemaStrategies) -> dict[str, Any]:
    shape = draw(st.lists(st.integers(1, 8) | st.none(), min_size=1, max_size=4))
    nodes = {f"n{i}": draw(s.node()) for i in range(draw(st.integers(1, 4)))}
    for i, name in enumerate(nodes):
        if i:
            nodes[name]["inputs"] = f"n{i - 1}"
    last = f"n{len(nodes) - 1}"
    output = draw(s.of(s.defs["OutputSpec"]))
    output.pop("from", None)
    spec: dict[str, Any] = {"graphspec": 1, "inputs": {"x": {"shape": shape}}, "nodes": nodes, "outputs": {last: output}}
    if draw(st.booleans()):
        spec["compile"] = draw(s.of(s.defs["CompileSpec"]))
    return spec


def _unpattern(pattern: str) -> str:
    """``^Conv1D$`` → ``Conv1D`` (the schema escapes names with ``re.escape``)."""
    return re.sub(r"\\(.)", r"\1", pattern[1:-1])


def schema_specs() -> st.SearchStrategy[dict[str, Any]]:
    from graphspec.schema import json_schema

    return SchemaStrategies(json.loads(json.dumps(json_schema()))).spec()
