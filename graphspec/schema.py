"""A JSON Schema of the spec format, for editors (yaml-language-server) and other tools.

The structure comes from the pydantic models; what a node may hold comes from the
layer catalogue: for each layer class, the names of its constructor arguments, so
an editor completes ``units`` after ``layer: Dense``. Like ``validate``, this never
imports TensorFlow.
"""

from __future__ import annotations

import json
from typing import Any

from graphspec import catalog
from graphspec.spec import NAME_PATTERN, Spec

__all__ = ["json_schema", "render_schema"]

_REF_PATTERN = NAME_PATTERN[:-1] + r"(:[0-9]+)?$"


def _object_schema(kind: str) -> dict[str, Any]:
    names = catalog.object_names(kind)
    return {
        "anyOf": [
            {"type": "string", "enum": names},
            {
                "type": "object",
                "properties": {"class_name": {"type": "string", "enum": names}, "config": {"type": "object"}},
                "required": ["class_name"],
                "additionalProperties": False,
            },
        ]
    }


def _argument_schema(name: str, default: Any) -> dict[str, Any]:
    kind = catalog.object_kind(name)
    if kind is not None:
        schema = _object_schema(kind)
        schema["anyOf"].append({"type": "null"})
    elif isinstance(default, bool):
        schema = {"type": "boolean"}
    elif isinstance(default, int):
        schema = {"anyOf": [{"type": "integer"}, {"type": "array", "items": {"type": "integer"}}]}
    elif isinstance(default, float):
        schema = {"type": "number"}
    elif isinstance(default, str):
        schema = {"type": ["string", "null"]}
    else:
        schema = {}
    if default is not None and not isinstance(default, dict):
        schema["default"] = default
    return schema


def _layer_branch(name: str, info: catalog.LayerInfo) -> dict[str, Any]:
    props: dict[str, Any] = {
        "layer": {"const": name},
        "inputs": {"$ref": "#/$defs/References"},
    }
    params = [p for p in info.params]
    if info.forwards_base_kwargs:
        params += [catalog.Param(p.name, False, p.default) for p in catalog._base_params()]
    for p in params:
        props[p.name] = {"$ref": "#/$defs/NestedLayer"} if p.layer_valued else _argument_schema(p.name, p.default)
    required = ["layer", *(p.name for p in info.params if p.required)]
    return {
        "if": {"properties": {"layer": {"const": name}}, "required": ["layer"]},
        "then": {"properties": props, "required": required, "additionalProperties": False},
    }


def json_schema() -> dict[str, Any]:
    """The format as a JSON Schema (draft 2020-12)."""
    schema = Spec.model_json_schema(by_alias=True)
    defs = schema.setdefault("$defs", {})
    usable = {n: catalog.layer_info(n) for n in catalog.layer_names()}
    layers = sorted(n for n, info in usable.items() if info is not None and not info.refused)
    defs["References"] = {
        "anyOf": [
            {"type": "string", "pattern": _REF_PATTERN},
            {"type": "array", "items": {"type": "string", "pattern": _REF_PATTERN}},
        ]
    }
    defs["NestedLayer"] = {
        "type": "object",
        "properties": {"layer": {"type": "string", "enum": layers}},
        "required": ["layer"],
    }
    branches = [_layer_branch(n, usable[n]) for n in layers if usable[n] is not None]  # type: ignore[arg-type]
    defs["NodeSpec"] = {
        "title": "Node",
        "description": "A layer applied to `inputs` (its constructor arguments beside `layer`), or `share: <node>` to reuse a layer.",
        "type": "object",
        "oneOf": [
            {
                "properties": {"layer": {"type": "string", "enum": layers, "description": "a class of keras.layers"}},
                "required": ["layer"],
                "not": {"required": ["share"]},
            },
            {
                "properties": {"share": {"type": "string", "pattern": NAME_PATTERN}, "inputs": {"$ref": "#/$defs/References"}},
                "required": ["share"],
                "additionalProperties": False,
            },
        ],
        "allOf": branches,
    }
    for section, kind in (("OutputSpec", "loss"), ("CompileSpec", "optimizer")):
        props = defs.get(section, {}).get("properties", {})
        if kind in props:
            props[kind] = {**_object_schema(kind), "description": props[kind].get("description", "")}
    out_props = defs.get("OutputSpec", {}).get("properties", {})
    if "metrics" in out_props:
        out_props["metrics"] = {"type": "array", "items": _object_schema("metric")}
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "graphspec model spec"
    schema["required"] = sorted({*schema.get("required", []), "graphspec"})
    return schema


def render_schema() -> str:
    return json.dumps(json_schema(), indent=1, sort_keys=True) + "\n"
