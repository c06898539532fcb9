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
from graphspec.spec import NAME_PATTERN, NODE_NAME_PATTERN, Spec

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


def _call_schema(params: Any = (), var_kwargs: bool = True) -> dict[str, Any]:
    """``call:``: call-time arguments by name, each a reference, a list of them, or a plain value."""
    schema: dict[str, Any] = {"type": "object", "additionalProperties": {"$ref": "#/$defs/CallValue"}}
    if params:
        schema["properties"] = {p.name: {"$ref": "#/$defs/CallValue"} for p in params}
        schema["additionalProperties"] = {"$ref": "#/$defs/CallValue"} if var_kwargs else False
    return schema


_KERAS_NAME = {"type": "string", "minLength": 1, "pattern": "^[^/]*$", "description": "the Keras layer name, where it is not a valid node name"}


def _layer_branch(name: str, info: catalog.LayerInfo) -> dict[str, Any]:
    props: dict[str, Any] = {
        "layer": {"const": name},
        "inputs": {"$ref": "#/$defs/References"},
        "call": _call_schema(info.call[1:], info.call_var_kwargs),
        "keras_name": _KERAS_NAME,
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
        "anyOf": [
            {"type": "object", "properties": {"layer": {"type": "string", "enum": layers}}, "required": ["layer"]},
            {
                "type": "object",
                "description": "a model a wrapper (TimeDistributed) applies",
                "properties": {"model": {"$ref": "#/$defs/ModelSpec"}, "trainable": {"type": "boolean"}},
                "required": ["model"],
                "additionalProperties": False,
            },
        ]
    }
    defs["Tree"] = {
        "description": "a name (or, for outputs, a reference), a list of trees, or a mapping of keys to trees (null: the leaf its key names)",
        "anyOf": [
            {"type": "string"},
            {"type": "array", "items": {"$ref": "#/$defs/Tree"}},
            {"type": "object", "additionalProperties": {"anyOf": [{"$ref": "#/$defs/Tree"}, {"type": "null"}]}},
        ],
    }
    for section in ("StructureSpec", "InterfaceSpec"):
        for side, prop in defs.get(section, {}).get("properties", {}).items():
            defs[section]["properties"][side] = {"$ref": "#/$defs/Tree", "title": prop.get("title", side)}
    defs["CallValue"] = {
        "description": "a reference to a tensor (`enc:1`), a list of them, or a plain value (true/false, a number, null)",
        "anyOf": [{"type": "string", "pattern": NODE_NAME_PATTERN[:-1] + r"(:[0-9]+)?$"}, {"type": "array"}, {"type": ["boolean", "number", "null"]}],
    }
    branches = [_layer_branch(n, usable[n]) for n in layers if usable[n] is not None]  # type: ignore[arg-type]
    defs["NodeSpec"] = {
        "title": "Node",
        "description": "A layer applied to `inputs` (its constructor arguments beside `layer`), `share: <node>` to reuse a layer, "
        "`model:` a nested model, or `op:` a keras.ops function.",
        "type": "object",
        "oneOf": [
            {
                "properties": {"layer": {"type": "string", "enum": layers, "description": "a class of keras.layers"}},
                "required": ["layer"],
                "not": _any_of_keys("share", "model", "op"),
            },
            {
                "properties": {"share": {"type": "string", "pattern": NAME_PATTERN}, "inputs": {"$ref": "#/$defs/References"}, "call": _call_schema()},
                "required": ["share"],
                "additionalProperties": False,
            },
            *_submodel_and_op_branches(),
        ],
        "allOf": branches,
    }
    for section, kind in (("OutputSpec", "loss"), ("CompileSpec", "optimizer")):
        props = defs.get(section, {}).get("properties", {})
        if kind in props:
            props[kind] = {**_object_schema(kind), "description": props[kind].get("description", "")}
    out_props = defs.get("OutputSpec", {}).get("properties", {})
    for key in ("metrics", "weighted_metrics"):
        if key in out_props:
            out_props[key] = {"type": "array", "items": _object_schema("metric")}
    fit_props = defs.get("FitSpec", {}).get("properties", {})
    if "callbacks" in fit_props:
        fit_props["callbacks"] = {"type": "array", "items": _object_schema("callback")}
    _authoring(schema, defs)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "graphspec model spec"
    schema["required"] = sorted({*schema.get("required", []), "graphspec"})
    return schema


# sub-models and ops: `model:` nodes hold a nested spec, `op:` nodes name a keras.ops function


def _any_of_keys(*keys: str) -> dict[str, Any]:
    return {"anyOf": [{"required": [k]} for k in keys]}


def _submodel_and_op_branches() -> list[dict[str, Any]]:
    ops = [n for n in catalog.op_names() if not (info := catalog.op_info(n)) or not info.refused]
    return [
        {
            "properties": {
                "model": {"$ref": "#/$defs/ModelSpec", "description": "a nested model: inputs, nodes and outputs, like a spec"},
                "inputs": {"$ref": "#/$defs/References"},
                "trainable": {"type": "boolean"},
                "call": _call_schema(),
                "keras_name": _KERAS_NAME,
            },
            "required": ["model"],
            "additionalProperties": False,
        },
        {
            "properties": {"op": {"type": "string", "enum": ops, "description": "a function of keras.ops"}},
            "required": ["op"],
            "not": _any_of_keys("layer", "share", "model"),
        },
    ]


# authoring: params, blocks, includes, block instances, `model: file.yaml`, `${...}` expressions
# (graphspec.expansion turns them into the flat format above before anything else runs)

_EXPRESSION = {"type": "string", "pattern": r"^\$(\{.*\}|[A-Za-z_][A-Za-z0-9_]*)$", "description": "a parameter expression: $name or ${expression}"}
_SCOPED_REF = NODE_NAME_PATTERN[:-1] + r"(:[0-9]+)?$"


def _or_expression(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"$ref": "#/$defs/Expression"}]}


def _authoring(schema: dict[str, Any], defs: dict[str, Any]) -> None:
    """Describe the authoring format: expressions wherever a value goes, scoped names, params, blocks, includes."""
    defs["Expression"] = _EXPRESSION
    for branch in defs["NodeSpec"]["allOf"]:
        props = branch["then"]["properties"]
        for name in [n for n in props if n not in ("layer", "inputs")]:
            props[name] = _or_expression(props[name])
    shape = defs.get("InputSpec", {}).get("properties", {}).get("shape", {})
    if "items" in shape:
        shape["items"] = _or_expression(shape["items"])
    scoped = {"type": "string", "pattern": _SCOPED_REF}
    defs["References"] = {"anyOf": [scoped, {"type": "array", "items": scoped}]}
    defs["Param"] = {
        "description": "a parameter: its default (`width: 1.0`), its type alone (`filters: int`, required), or {type, default}",
        "anyOf": [
            {"type": ["number", "boolean", "string"]},
            {
                "type": "object",
                "properties": {"type": {"enum": ["int", "float", "bool", "str"]}, "default": {}, "description": {"type": "string"}},
                "additionalProperties": False,
            },
        ],
    }
    params = {"type": "object", "additionalProperties": {"$ref": "#/$defs/Param"}}
    defs["Block"] = {
        "description": "a named, parameterised subgraph; a node instantiates it with `block: name`",
        "type": "object",
        "properties": {
            "description": {"type": "string"},
            "params": params,
            "inputs": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}], "default": "x"},
            "nodes": {"type": "object", "additionalProperties": {"$ref": "#/$defs/NodeSpec"}},
            "outputs": {"$ref": "#/$defs/References"},
        },
        "required": ["nodes", "outputs"],
        "additionalProperties": False,
    }
    props = schema.setdefault("properties", {})
    props["params"] = {**params, "description": "the spec's parameters, set with --set NAME=VALUE or params={...}"}
    props["blocks"] = {"type": "object", "additionalProperties": {"$ref": "#/$defs/Block"}}
    props["include"] = {"description": "spec files whose blocks this spec uses, relative to it", "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}
    defs["NodeSpec"]["oneOf"] += [
        {
            "description": "a block instance: the block's parameters beside `block`",
            "properties": {
                "block": {"type": "string"},
                "inputs": {"$ref": "#/$defs/References"},
                "repeat": _or_expression({"type": "integer", "minimum": 1}),
                "override": {"type": "object", "additionalProperties": {"type": "object"}, "description": "parameters of single copies, by copy number (1-based)"},
            },
            "required": ["block"],
        },
        {
            "description": "another spec file as a sub-model",
            "properties": {"model": {"type": "string"}, "inputs": {"$ref": "#/$defs/References"}, "params": {"type": "object"}},
            "required": ["model"],
            "additionalProperties": False,
        },
    ]


def render_schema() -> str:
    return json.dumps(json_schema(), indent=1, sort_keys=True) + "\n"
