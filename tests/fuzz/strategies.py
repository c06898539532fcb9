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
    None,
    True,
    False,
    0,
    -1,
    1,
    2**31,
    10**12,
    2**63,
    -(2**63),
    10**30,
    1e308,
    -0.0,
    0.5,
    1e-300,
    "",
    " ",
    "x" * 1000,
    "ñ",
    "名前",
    "\u202e",
    "a\nb",
    "a b",
    "lambda x: x",
    "keras.config.set_epsilon",
    "../../etc/passwd",
    "__lambda__",
    [],
    [None],
    {},
    {"class_name": "function", "module": "keras.config", "config": "set_epsilon"},
    {"class_name": "Lambda", "config": {"function": "x"}},
    {"__class__": "x"},
    [[[[[]]]]],
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
        kind = draw(
            st.sampled_from(["drop", "replace", "duplicate", "dangle", "cycle", "swap", "deepen", "rename", "share"])
        )
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
                target[draw(st.sampled_from(["units", "inputs", "layer", "share", "from", "x", "graphspec"]))] = (
                    copy.deepcopy(_get(data, other))
                )
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
    lines = ["graphspec: 1", 'a0: &a0 ["x"]']
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
        nested = self.defs["NestedLayer"]
        # NestedLayer is a layer ({layer: ...}) or a model a wrapper applies ({model: ...})
        layer = next(b for b in nested.get("anyOf", [nested]) if "layer" in b.get("properties", {}))["properties"][
            "layer"
        ]
        self.layers = next(a["enum"] for a in layer.get("anyOf", [layer]) if "enum" in a)
        self.branches = {
            _unpattern(b["if"]["properties"]["layer"]["pattern"]): b["then"]
            for b in self.defs["LayerArguments"]["allOf"]
        }

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
    props = {
        k: v for k, v in then["properties"].items() if k not in ("layer", "inputs", "share", "model", "op", "block")
    }
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
    spec: dict[str, Any] = {
        "graphspec": 1,
        "inputs": {"x": {"shape": shape}},
        "nodes": nodes,
        "outputs": {last: output},
    }
    if draw(st.booleans()):
        spec["compile"] = draw(s.of(s.defs["CompileSpec"]))
    return spec


def _unpattern(pattern: str) -> str:
    """``^Conv1D$`` → ``Conv1D`` (the schema escapes names with ``re.escape``)."""
    return re.sub(r"\\(.)", r"\1", pattern[1:-1])


def schema_specs() -> st.SearchStrategy[dict[str, Any]]:
    from graphspec.schema import json_schema

    return SchemaStrategies(json.loads(json.dumps(json_schema()))).spec()


# ---------------------------------------------------------------------------
# Issue 19: one strategy per class of untrusted input. Each returns a worker case
# (see worker.py): text, data, files on disk, or an archive.

SMALL = {
    "graphspec": 1,
    "inputs": {"x": {"shape": [4]}},
    "nodes": {"d": {"layer": "Dense", "inputs": "x", "units": 2}},
    "outputs": {"d": {}},
}
_SURROGATES = ["\\ud800", "\\udfff", "\\udc80", "\\ud83d", "\\ude00", "\\ud83d\\ude00", "\\uDBFF", "\\u0000", "\\u202e"]


@st.composite
def surrogate_cases(draw: st.DrawFn) -> dict[str, Any]:
    """Lone surrogates (and their neighbours) as JSON escapes, YAML escapes, in keys, values and Python data."""
    escape = draw(st.sampled_from(_SURROGATES))
    data = copy.deepcopy(draw(st.sampled_from(SEED_DATA)))
    paths = [p for p in _paths(data) if p]
    path = draw(st.sampled_from(paths))
    how = draw(st.sampled_from(["json-value", "json-key", "yaml", "data-value", "data-key", "params", "file"]))
    if how in ("data-value", "data-key", "params"):
        char = json.loads(f'"{escape}"')
        if how == "params":
            return {
                "text": (
                    "graphspec: 1\nparams: {s: abc}\ninputs: {x: {shape: [4]}}\n"
                    "nodes: {d: {layer: Dense, inputs: x, units: 2, name: $s}}\noutputs: {d: {}}\n"
                ),
                "params": {"s": "a" + char},
            }
        parent = _get(data, path[:-1])
        if how == "data-key" and isinstance(parent, dict):
            parent[str(path[-1]) + char] = parent.pop(path[-1])
        else:
            data = _set(data, path, "v" + char)
        return {"data": data}
    marker = "@@SURROGATE@@"
    parent = _get(data, path[:-1])
    if how == "json-key" and isinstance(parent, dict):
        parent[str(path[-1]) + marker] = parent.pop(path[-1])
    else:
        data = _set(data, path, "v" + marker)
    text = json.dumps(data) if how != "yaml" else yaml.safe_dump(data, default_style='"')
    text = text.replace(marker, escape)
    if how == "file":
        return {"files": {"spec.json": text}, "root": "spec.json"}
    return {"text": text}


_DIGITS = ["9" * 4301, "9" * 5000, "1" + "0" * 4400, "0" * 5000, "9" * 310, "1" + "0" * 19, "18446744073709551616"]


@st.composite
def huge_digit_cases(draw: st.DrawFn) -> dict[str, Any]:
    """Integers past Python's int-string limit, and past every count, where a spec turns text into numbers."""
    digits = draw(st.sampled_from(_DIGITS))
    dense = {"layer": "Dense", "inputs": "x", "units": 4}
    block = {
        "b": {"nodes": {"d": dense}, "outputs": "d"},
        "two": {"nodes": {"a": dense, "c": dense}, "outputs": ["a", "c"]},
    }
    where = draw(st.sampled_from(["override", "ref", "block-ref", "repeat", "units", "shape", "params", "set", "expr"]))
    spec: dict[str, Any] = {"graphspec": 1, "inputs": {"x": {"shape": [4]}}, "blocks": block}
    if where == "override":
        spec["nodes"] = {"r": {"block": "b", "inputs": "x", "repeat": 2, "override": {digits: {}}}}
    elif where in ("ref", "block-ref"):
        target = "x" if where == "ref" else "t"
        spec["nodes"] = {
            "t": {"block": "two", "inputs": "x"},
            "r": {"layer": "Dense", "inputs": f"{target}:{digits}", "units": 2},
        }
    elif where == "repeat":
        spec["nodes"] = {"r": {"block": "b", "inputs": "x", "repeat": f"${{{digits[:150]}}}"}}
    elif where == "units":
        spec["nodes"] = {"r": {"layer": "Dense", "inputs": "x", "units": digits}}
    elif where == "shape":
        spec["inputs"] = {"x": {"shape": [digits]}}
        spec["nodes"] = {"r": {"layer": "Dense", "inputs": "x", "units": 2}}
    elif where == "expr":
        spec["nodes"] = {"r": {"layer": "Dense", "inputs": "x", "units": f"${{{digits[:190]} // 7}}"}}
    else:
        spec["params"] = {"w": 1.0, "n": 2}
        spec["nodes"] = {"r": {"layer": "Dense", "inputs": "x", "units": "$n"}}
    spec["outputs"] = {"r": {}}
    # Digits written as bare numbers in JSON/YAML text, not as strings.
    text = json.dumps(spec).replace(f'"{digits}"', digits) if where in ("units", "shape") else json.dumps(spec)
    if where == "params":  # ints past the JSON line's own digit limit travel as text (see worker.py)
        return {
            "text": text,
            "big_params": {draw(st.sampled_from(["w", "n"])): draw(st.sampled_from(["", "-"])) + digits},
        }
    if where == "set":
        return {
            "text": text.replace('"units": 2', '"units": "$n"'),
            "set": [f"{draw(st.sampled_from(['n', 'w', 'x']))}={draw(st.sampled_from(['', '-', '0x', '1e']))}{digits}"],
        }
    return (
        {"text": text}
        if draw(st.booleans())
        else {"data": json.loads(text) if where not in ("units", "shape") else spec}
    )


@st.composite
def nul_path_cases(draw: st.DrawFn) -> dict[str, Any]:
    """NUL bytes, control characters and escapes in include and model: paths (files on disk)."""
    bad = draw(
        st.sampled_from(
            [
                "a\x00b.yaml",
                "\x00",
                "blk.yaml\x00",
                "./\x00/blk.yaml",
                "blk\n.yaml",
                "blk.yaml/",
                "..\x00/x",
                "\\\\server\\x",
                "C:blk.yaml",
                "~/blk.yaml",
                "b" * 5000,
            ]
        )
    )
    blk = "graphspec: 1\nblocks:\n  b: {nodes: {d: {layer: Dense, inputs: x, units: 2}}, outputs: d}\n"
    member = (
        "graphspec: 1\ninputs: {x: {shape: [4]}}\nnodes: {d: {layer: Dense, inputs: x, units: 2}}\noutputs: {d: {}}\n"
    )
    if draw(st.booleans()):
        top = {
            **SMALL,
            "include": [bad, "blk.yaml"],
            "nodes": {"r": {"block": "b", "inputs": "x"}},
            "outputs": {"r": {}},
        }
    else:
        top = {
            **SMALL,
            "nodes": {
                "m": {"model": bad, "inputs": "x"},
                "n": {"model": "member.yaml", "inputs": "x"},
                "y": {"layer": "Add", "inputs": ["m", "n"]},
            },
            "outputs": {"y": {}},
        }
    text = json.dumps(top) if draw(st.booleans()) else yaml.safe_dump(top)
    return {
        "files": {"top.json" if text.startswith("{") else "top.yaml": text, "blk.yaml": blk, "member.yaml": member},
        "root": "top.json" if text.startswith("{") else "top.yaml",
    }


def _npy(
    shape: tuple[int, ...], dtype: str = "<f4", payload: bytes | None = None, version: tuple[int, int] = (1, 0)
) -> bytes:
    import io

    import numpy as np

    header = {"descr": dtype, "fortran_order": False, "shape": shape}
    buffer = io.BytesIO()
    writer = np.lib.format.write_array_header_1_0 if version == (1, 0) else np.lib.format.write_array_header_2_0
    writer(buffer, header)
    if payload is None:
        payload = b"\0" * min(
            4096, int(np.prod(shape, dtype=object)) * np.dtype(dtype).itemsize if dtype != "|O" else 8
        )
    return buffer.getvalue() + payload


def _forge(raw: bytes, draw: st.DrawFn) -> bytes:
    """Lie in a zip's headers: sizes, entry counts, flags, offsets; or flip bytes anywhere."""
    import struct

    data = bytearray(raw)
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["size", "csize", "entries", "flag", "offset", "flip", "truncate", "method"]))
        central = data.find(b"PK\x01\x02")
        end = data.rfind(b"PK\x05\x06")
        if kind in ("size", "csize", "flag", "offset", "method") and 0 <= central <= len(data) - 46:
            offset = {"size": 24, "csize": 20, "flag": 8, "offset": 42, "method": 10}[kind]
            fmt = "<L" if kind in ("size", "csize", "offset") else "<H"
            value = draw(
                st.sampled_from([0, 1, 0xFFFFFFFF, 3_500_000_000, 10**9])
                if fmt == "<L"
                else st.sampled_from([0, 1, 8, 12, 14, 99, 0xFFFF])
            )
            struct.pack_into(fmt, data, central + offset, value)
        elif kind == "entries" and 0 <= end <= len(data) - 22:
            struct.pack_into("<HH", data, end + 8, *([draw(st.sampled_from([0, 2, 9999, 10001, 0xFFFF]))] * 2))
        elif kind == "flip" and data:
            at = draw(st.integers(0, len(data) - 1))
            data[at] ^= draw(st.integers(1, 255))
        elif kind == "truncate" and data:
            del data[draw(st.integers(0, len(data) - 1)) :]
    return bytes(data)


@st.composite
def archive_cases(draw: st.DrawFn) -> dict[str, Any]:
    """Lying .npz and .keras archives: headers that declare more than they hold, bombs, forged directories."""
    import base64
    import io
    import zipfile

    keras = draw(st.booleans())
    members: dict[str, bytes] = {}
    if keras:
        config = draw(
            st.sampled_from(
                [
                    b'{"class_name": "Functional", "config": {}}',
                    b"[" * 300 + b"]" * 300,
                    b"\xff\xfe",
                    b"{}" * 10,
                    b"\0" * 5000,
                ]
            )
        )
        members["config.json"] = config
        if draw(st.booleans()):
            members["model.weights.h5"] = b"\x89HDF\r\n\x1a\n" + b"\0" * draw(st.integers(0, 5000))
    else:
        for i in range(draw(st.integers(1, 4))):
            shape = draw(st.sampled_from([(3,), (2, 2), (10**10,), (2**62, 4), (0,), (), (-1,), (5, 10**6)]))
            dtype = draw(st.sampled_from(["<f4", "<i8", "|b1", "<U4", "|O", "<c16", "|V8"]))
            payload = draw(st.sampled_from([None, b"", b"\0" * 7, b"\0" * 48]))
            members[draw(st.sampled_from([f"a{i}.npy", f"b{i}", f"../c{i}.npy", f"d{i}.npy"]))] = _npy(
                shape, dtype, payload, draw(st.sampled_from([(1, 0), (2, 0)]))
            )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", draw(st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]))) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    raw = buffer.getvalue()
    if draw(st.integers(0, 3)):
        raw = _forge(raw, draw)
    return {"archive": base64.b64encode(raw).decode(), "call": "keras" if keras else "npz"}


# Bounds scaled down 20-fold for amplifier cases, so that a case that runs into one ends
# in a fraction of a second; benchmarks/hostile.py measures the same classes at the defaults.
_SCALED = {"limits": {"max_values": 50_000, "max_bytes": 1 << 16}, "budget": {"max_nodes": 5_000}}


@st.composite
def amplifier_cases(draw: st.DrawFn) -> dict[str, Any]:
    """Small specs that expansion would multiply: repeats of big lists and inline models, doubling strings, includes,
    model files."""
    kind = draw(
        st.sampled_from(
            [
                "list",
                "inline",
                "double-params",
                "double-blocks",
                "nested-repeat",
                "includes",
                "model-files",
                "expr",
                "objects",
            ]
        )
    )
    repeat = draw(st.sampled_from([1, 2, 10, 1000, 10**5, 10**9]))
    case: dict[str, Any] = dict(_SCALED)
    x = {"x": {"shape": [4]}}
    if kind == "list":
        size = draw(st.sampled_from([10, 1000, 20_000]))
        blocks = {
            "b": {"nodes": {"d": {"layer": "Normalization", "inputs": "x", "mean": [0.0] * size}}, "outputs": "d"}
        }
        case["data"] = {
            "graphspec": 1,
            "inputs": x,
            "blocks": blocks,
            "nodes": {"r": {"block": "b", "inputs": "x", "repeat": repeat}},
            "outputs": {"r": {}},
        }
    elif kind == "inline":
        n = draw(st.sampled_from([2, 50, 500]))
        inner = {f"n{i}": {"layer": "Dense", "inputs": f"n{i - 1}" if i else "a", "units": 2} for i in range(n)}
        model = {"inputs": {"a": {"shape": [4]}}, "nodes": inner, "outputs": {f"n{n - 1}": {}}}
        if draw(st.booleans()):  # a model inside a model inside the repeated block
            model = {
                "inputs": {"a": {"shape": [4]}},
                "nodes": {"m": {"model": model, "inputs": "a"}},
                "outputs": {"m": {}},
            }
        blocks = {"b": {"nodes": {"m": {"model": model, "inputs": "x"}}, "outputs": "m"}}
        case["data"] = {
            "graphspec": 1,
            "inputs": x,
            "blocks": blocks,
            "nodes": {"r": {"block": "b", "inputs": "x", "repeat": repeat}},
            "outputs": {"r": {}},
        }
    elif kind == "double-params":
        n = draw(st.integers(1, 40))
        params = {
            "p0": "a" * draw(st.sampled_from([1, 100, 10_000])),
            **{f"p{i}": f"${{p{i - 1}}}" * draw(st.integers(1, 4)) for i in range(1, n)},
        }
        case["text"] = json.dumps(
            {
                "graphspec": 1,
                "params": params,
                "inputs": x,
                "nodes": {"d": {"layer": "Dense", "inputs": "x", "units": 2, "name": f"${{p{n - 1}}}x"}},
                "outputs": {"d": {}},
            }
        )
    elif kind == "double-blocks":
        depth = draw(st.integers(1, 33))
        blocks = {
            f"b{i}": {
                "params": {"s": "str"},
                "nodes": {"d": {"block": f"b{i + 1}", "inputs": "x", "s": "${s}${s}"}},
                "outputs": "d",
            }
            for i in range(depth)
        }
        blocks[f"b{depth}"] = {
            "params": {"s": "str"},
            "nodes": {"d": {"layer": "Dense", "inputs": "x", "units": 2, "name": "$s"}},
            "outputs": "d",
        }
        case["data"] = {
            "graphspec": 1,
            "inputs": x,
            "blocks": blocks,
            "nodes": {"r": {"block": "b0", "inputs": "x", "s": "ab" * draw(st.integers(1, 500))}},
            "outputs": {"r": {}},
        }
    elif kind == "nested-repeat":
        depth = draw(st.integers(1, 8))
        blocks = {
            f"b{i}": {
                "nodes": {"d": {"block": f"b{i + 1}", "inputs": "x", "repeat": draw(st.sampled_from([2, 10, 100]))}},
                "outputs": "d",
            }
            for i in range(depth)
        }
        blocks[f"b{depth}"] = {
            "nodes": {"d": {"layer": "Dense", "inputs": "x", "units": 4, "name": "n"}},
            "outputs": "d",
        }
        case["data"] = {
            "graphspec": 1,
            "inputs": x,
            "blocks": blocks,
            "nodes": {"r": {"block": "b0", "inputs": "x"}},
            "outputs": {"r": {}},
        }
    elif kind == "includes":
        pad = "# " + "p" * 60 + "\n"
        blk = (
            "graphspec: 1\nblocks:\n  b: {nodes: {d: {layer: Dense, inputs: x, units: 2}}, outputs: d}\n"
            + pad * draw(st.sampled_from([0, 100, 3000]))
        )
        spellings = (
            ["blk.yaml"]
            + ["./" * k + "blk.yaml" for k in range(1, draw(st.integers(1, 70)))]
            + ["sub/../blk.yaml", "sub/link.yaml"]
        )
        top = {
            **SMALL,
            "include": spellings,
            "nodes": {"r": {"block": "b", "inputs": "x", "repeat": min(repeat, 1000)}},
            "outputs": {"r": {}},
        }
        case = {
            **case,
            "files": {"top.json": json.dumps(top), "blk.yaml": blk, "sub/link.yaml": blk},
            "root": "top.json",
        }
    elif kind == "model-files":
        n = draw(st.sampled_from([1, 100, 2000]))
        inner = "".join(f"  n{i}: {{layer: Dense, inputs: {f'n{i - 1}' if i else 'x'}, units: 2}}\n" for i in range(n))
        member = f"graphspec: 1\ninputs: {{x: {{shape: [4]}}}}\nnodes:\n{inner}outputs: {{n{n - 1}: {{}}}}\n"
        uses = draw(st.integers(1, 40))
        nodes = {
            f"m{i}": {"model": "member.yaml", "inputs": "x", **({"params": {}} if draw(st.booleans()) else {})}
            for i in range(uses)
        }
        nodes["y"] = (
            {"layer": "Add", "inputs": list(nodes)} if uses > 1 else {"layer": "Dense", "inputs": "m0", "units": 2}
        )
        case = {
            **case,
            "files": {"top.json": json.dumps({**SMALL, "nodes": nodes, "outputs": {"y": {}}}), "member.yaml": member},
            "root": "top.json",
        }
    elif kind == "expr":
        expr = draw(
            st.sampled_from(
                [
                    "round(2, -10**8)",
                    "round(2.5, 10**8)",
                    "round(7, -64)",
                    "2 ** 2 ** 2 ** 99",
                    "9 ** 64 ** 2",
                    "(-1) ** (2 ** 52)",
                    "0.5 ** 1e300",
                    "make_divisible(1e300, 1e-300)",
                    "floor(1e299)",
                    "int(1e299) // 3",
                    "max(" + ", ".join(["1"] * 90) + ")",
                    "min(1, 2) ** 64",
                    "ceil(-1e300) % 7",
                    "1e308 * 10",
                    "abs(-(2 ** 53))",
                ]
            )
        )
        case["text"] = json.dumps({**SMALL, "nodes": {"d": {"layer": "Dense", "inputs": "x", "units": f"${{{expr}}}"}}})
    else:
        count = draw(st.sampled_from([1, 999, 1001, 20_000]))
        which = draw(st.sampled_from(["metrics", "callbacks", "losses"]))
        spec = {**SMALL, "outputs": {"d": {"loss": "mse"}}}
        if which == "metrics":
            spec["outputs"]["d"]["metrics"] = ["mae"] * count
        elif which == "callbacks":
            spec["fit"] = {"callbacks": ["TerminateOnNaN"] * min(count, 150)}
        else:
            spec["nodes"] = {f"d{i}": {"layer": "Dense", "inputs": "x", "units": 1} for i in range(min(count, 1500))}
            spec["outputs"] = {f"d{i}": {"loss": "mse"} for i in range(min(count, 1500))}
        case = {"text": json.dumps(spec)}
    return case
