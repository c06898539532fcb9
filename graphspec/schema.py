"""A JSON Schema of the spec format, for editors (yaml-language-server) and other tools.

The structure comes from the pydantic models of :mod:`graphspec.spec` (a key added
there appears here); what a node may hold comes from the layer catalogue, and the
value rules from the same tables :mod:`graphspec.catalog` checks with. The schema
is built to one promise: **every spec ``validate`` accepts, the schema accepts**
(tested over every valid spec and conformance case). Within that promise it
rejects as much as JSON Schema can say: unknown keys and arguments (per layer,
matched by exact name), argument types, enums and bounds, objects and their
``config`` keys, nested layers. What needs the graph (references, cycles,
shapes) is beyond any schema; ``graphspec validate`` and ``graphspec lsp`` check it.

Layout (draft 2020-12), kept small by sharing definitions:

* ``$defs/NodeSpec``: ``oneOf`` the node kinds (layer, share, inline model, op,
  block instance, model file); a kind counts when its key is present and not null;
* ``$defs/LayerArguments``: one ``if``/``then`` per layer class, selected by a
  ``pattern`` anchored on the whole name (``^Conv1D$``), never by ``const`` or
  ``enum``, which editors match by prefix while completing (``Conv1D`` would
  pick up ``Conv1DTranspose``'s arguments);
* ``$defs/NestedLayer``: a layer written inside another (``wraps:``, ``cell:``);
* one definition per kind of object (``Activation``, ``Initializer``, ...,
  ``Callback``), each with its classes' ``config`` keys;
* ``$defs/Expression``: ``$name`` or ``${...}``, accepted wherever a typed value
  goes, since parameters may stand for any value.

Like ``validate``, this never imports TensorFlow.
"""

from __future__ import annotations

import json
import re
from typing import Any

from graphspec import catalog
from graphspec._util.names import BOUNDED_NAME, IDENTIFIER
from graphspec.spec import DTYPES, NodeSpec, Spec

__all__ = ["json_schema", "render_schema"]

Schema = dict[str, Any]

# The format's name rules (graphspec.spec) as ECMA-262 patterns: segments of at most 128
# characters, and an end that is the end of the text. `$` alone would let Python's `re`
# (which jsonschema uses) accept a trailing newline that validate refuses.
_END = r"(?![\s\S])"
_SEGMENT = BOUNDED_NAME
_NAME = f"^{_SEGMENT}{_END}"
_NODE_NAME = f"^{_SEGMENT}(?:/{_SEGMENT})*{_END}"
_REF_PATTERN = f"^{_SEGMENT}(?:/{_SEGMENT})*(?::[0-9]+)?{_END}"
_EXPRESSION = {
    "type": "string",
    "pattern": rf"^\$(\{{.*\}}|{IDENTIFIER})$",
    "description": "a parameter expression: $name or ${expression}",
}
_EXPR_REF = {"$ref": "#/$defs/Expression"}
_NULL = {"type": "null"}
# Keys of the objects pydantic describes that hold a Keras object, and its kind.
_OBJECT_FIELDS = {
    ("OutputSpec", "loss"): "loss",
    ("OutputSpec", "metrics"): "metric",
    ("OutputSpec", "weighted_metrics"): "metric",
    ("CompileSpec", "optimizer"): "optimizer",
    ("FitSpec", "callbacks"): "callback",
}
_OBJECT_DEFS = {
    "activation": "Activation",
    "initializer": "Initializer",
    "regularizer": "Regularizer",
    "constraint": "Constraint",
    "loss": "Loss",
    "metric": "Metric",
    "optimizer": "Optimizer",
    "callback": "Callback",
    "schedule": "Schedule",
}
# The node kinds: a node is exactly one of them (catalog.check_nodes), counted when present and not
# null. Every kind but a block instance needs `inputs` (graph: no-inputs).
_KINDS = ("layer", "share", "model", "op", "block")


def _ref(name: str) -> Schema:
    return {"$ref": f"#/$defs/{name}"}


def _whole(name: str) -> Schema:
    """Matches exactly ``name``: a ``pattern``, which editors do not complete by prefix as they do ``const``."""
    return {"type": "string", "pattern": f"^{re.escape(name)}$"}


def _nullable(schema: Schema) -> Schema:
    return {"anyOf": [schema, _NULL]}


# ---------------------------------------------------------------------------
# objects: activations, initializers, ..., callbacks, by name or {class_name, config}


def _object_def(kind: str) -> Schema:
    names = catalog.object_names(kind)
    infos = {n: catalog.object_info(kind, n) for n in names}
    # A class that needs arguments cannot be named bare (validate: missing-argument).
    bare = [
        n for n, info in infos.items() if info is None or not info.is_class or not any(p.required for p in info.params)
    ]
    rules = [_config_rule(n, info) for n, info in infos.items() if info is not None]
    config: Schema = {"type": "object", "additionalProperties": _ref("PlainData")}
    nested = catalog.NESTED_OBJECTS.get(kind, {})
    if nested:  # an optimizer's learning_rate may be a schedule object
        config["properties"] = {
            key: {"anyOf": [_ref("PlainData"), _ref(_OBJECT_DEFS[inner])]} for key, inner in nested.items()
        }
    mapping: Schema = {
        "type": "object",
        "properties": {"class_name": {"type": "string", "enum": names}, "config": config},
        "required": ["class_name"],
        "additionalProperties": False,
    }
    rules = [r for r in rules if r]
    if rules:
        mapping["allOf"] = rules
    return {
        "description": f"{_article(kind)} {kind}: a name, or {{class_name, config}}",
        "anyOf": [{"type": "string", "enum": bare}, mapping, _EXPR_REF],
    }


def _config_rule(name: str, info: catalog.ObjectInfo) -> Schema:
    """What ``config`` of one class may hold: its constructor's keywords, plain data only."""
    if not info.is_class:
        then: Schema = {"properties": {"config": {"type": "object", "maxProperties": 0}}}
    else:
        # Values are held to plain data once, by the mapping's own `config`; here only the names.
        config: Schema = {"properties": dict.fromkeys((p.name for p in info.params), True)}
        if not info.var_kwargs:
            config["additionalProperties"] = False
        required = [p.name for p in info.params if p.required]
        if required:
            config["required"] = required
        then = {"properties": {"config": config}, **({"required": ["config"]} if required else {})}
    return {"if": {"properties": {"class_name": _whole(name)}, "required": ["class_name"]}, "then": then}


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


# ---------------------------------------------------------------------------
# layer arguments: one branch per layer class, values held to the catalogue's rules


def _plain_rule(info: catalog.LayerInfo, param: catalog.Param | None, key: str) -> Schema:
    """The value rule of ``catalog._check_plain_value`` for one argument, as a schema."""
    default = param.default if param is not None else None
    rules: list[Schema] = []
    if key in catalog._CHOICES and (param is None or default is None or isinstance(default, str)):
        rules.append({"type": "string", "enum": list(catalog._CHOICES[key])})
        rest = _typed_rule(key, default)
        if rest is not None and rest.get("type") != "string":
            rules.append({"allOf": [{"not": {"type": "string"}}, rest]})
    else:
        rest = _typed_rule(key, default)
        rules.append(rest if rest is not None else _ref("PlainData"))
    if param is None or not param.required:
        rules.append(_NULL)
    return rules[0] if len(rules) == 1 else {"anyOf": rules}


def _typed_rule(key: str, default: Any) -> Schema | None:
    positive = {"type": "integer", "minimum": 1}
    if key in catalog._POSITIVE_INT:
        return positive
    if key in catalog._SIZE:
        return {"anyOf": [positive, {"type": "array", "items": positive, "minItems": 1}]}
    if key in catalog._RATE:
        return {"type": "number", "minimum": 0, "exclusiveMaximum": 1}
    if isinstance(default, bool):
        return {"type": "boolean"}
    if isinstance(default, float):
        return {"type": "number"}
    if isinstance(default, int):
        return {"anyOf": [{"type": "integer"}, {"type": "array", "items": {"type": "integer"}}]}
    if isinstance(default, str):
        return {"type": "string"}
    return None


def _nested_rule(how: str, required: bool) -> Schema:
    many = {"type": "array", "items": _ref("NestedLayer"), "minItems": 1}
    if how == "many":
        return many
    if how == "one_or_many":
        return {"anyOf": [_ref("NestedLayer"), many]}
    return _ref("NestedLayer") if required else _nullable(_ref("NestedLayer"))


def _argument(info: catalog.LayerInfo, key: str) -> Schema:
    """One argument's schema, following ``catalog._check_value`` branch for branch."""
    param = info.param_or_base(key)
    if param is not None and param.layer_valued:
        return _nested_rule(param.layer_valued, param.required)
    kind = catalog.object_kind(key)
    if kind is not None:
        return _nullable(_ref(_OBJECT_DEFS[kind]))
    if key == "dtype":
        return _ref("DType")
    if info.custom is not None:
        return {}
    if info.name in catalog._VOCAB_LAYERS and key in catalog._FILE_PARAMS:
        return {"anyOf": [{"type": "array", "items": _ref("PlainData")}, {"type": ["number", "boolean", "null"]}]}
    return _plain_rule(info, param, key)


def _passing_keys() -> tuple[str, ...]:
    """Node keys of every kind beyond the kinds and ``inputs`` (``lint``): checked by the node's branch,
    allowed beside arguments."""
    return tuple(k for k in NodeSpec.model_fields if k not in (*_KINDS, "inputs", "args"))


def _layer_branch(name: str, info: catalog.LayerInfo) -> Schema:
    # The node's own keys are checked by its kind's branch; here they are only allowed.
    props: Schema = dict.fromkeys(("inputs", *_KINDS, *_passing_keys()), True)
    for key in info.accepted():
        props[key] = _argument(info, key)
    then: Schema = {"properties": props, "additionalProperties": False}
    required = [p.name for p in info.params if p.required and p.name != "name"]
    if required:
        then["required"] = required
    return {"if": {"properties": {"layer": _whole(name)}, "required": ["layer"]}, "then": then}


def _usable_layers() -> dict[str, catalog.LayerInfo]:
    infos = {n: catalog.layer_info(n) for n in catalog.layer_names()}
    return {n: i for n, i in infos.items() if i is not None and not i.refused}


# ---------------------------------------------------------------------------
# nodes: the kinds, each with its keys


def _present(*keys: str) -> Schema:
    """True when any of ``keys`` is present with a value other than null."""
    return {"anyOf": [{"required": [k], "properties": {k: {"not": _NULL}}} for k in keys]}


def _others(kind: str) -> Schema:
    return {"not": _present(*(k for k in _KINDS if k != kind))}


def _structural_keys(pydantic_node: Schema) -> dict[str, Schema]:
    """Node keys the pydantic model has beyond the kinds, ``inputs`` and ``args`` (they pass through every kind)."""
    fields = pydantic_node.get("properties", {})
    return {k: v for k, v in fields.items() if k not in (*_KINDS, "inputs", "args") and k in NodeSpec.model_fields}


def _node_def(layers: list[str], pydantic_node: Schema) -> Schema:
    extra = _structural_keys(pydantic_node)
    others = {k: _ref("Null") for k in _KINDS}
    layer_branch: Schema = {
        "description": "a layer of keras.layers: its constructor arguments beside `layer`",
        "properties": {
            "layer": {"type": "string", "enum": layers, "description": "a class of keras.layers"},
            "inputs": _ref("References"),
        },
        "required": ["inputs", "layer"],
        **_others("layer"),
        "$ref": "#/$defs/LayerArguments",
    }
    share: Schema = {
        "description": "the layer (and weights) of another node, called again on `inputs`",
        "properties": {
            **others,
            **extra,
            "share": {"type": "string", "pattern": _NODE_NAME},
            "inputs": _ref("References"),
        },
        "required": ["inputs", "share"],
        "additionalProperties": False,
    }
    inline: Schema = {
        "description": "a nested model: inputs, nodes and outputs, like a spec",
        "properties": {
            **others,
            **extra,
            "model": _ref("ModelSpec"),
            "inputs": _ref("References"),
            "trainable": {"type": "boolean"},
        },
        "required": ["inputs", "model"],
        "additionalProperties": False,
    }
    op: Schema = {
        "description": "a function of keras.ops applied to `inputs`, its other arguments beside `op`",
        "properties": {
            **others,
            "op": {"type": "string", "enum": _usable_ops(), "description": "a function of keras.ops"},
            "inputs": _ref("References"),
        },
        "additionalProperties": _ref("PlainData"),
        "required": ["inputs", "op"],
        **_others("op"),
        "$ref": "#/$defs/OpArguments",
    }
    instance: Schema = {
        "description": "a block instance: the block's parameters beside `block`",
        "properties": {
            "block": {"type": "string", "pattern": _NAME},
            "inputs": _ref("References"),
            "repeat": {"type": "integer", "minimum": 1},
            "override": {
                "type": "object",
                "additionalProperties": {"type": "object"},
                "description": "parameters of single copies, by copy number (1-based)",
            },
        },
        "required": ["block"],
        **_others("block"),
    }
    model_file: Schema = {
        "description": "another spec file as a sub-model",
        "properties": {
            **others,
            **extra,
            "model": {"type": "string"},
            "inputs": _ref("References"),
            "params": {"type": "object"},
            "trainable": {"type": "boolean"},
        },
        "required": ["inputs", "model"],
        "additionalProperties": False,
    }
    for branch in (layer_branch, op):
        branch["properties"].update(extra)
    return {
        "title": "Node",
        "description": (
            "A layer applied to `inputs` (its constructor arguments beside `layer`), `share: <node>` to reuse a layer, "
            "`model:` a nested model, `op:` a keras.ops function, or `block:` an instance of a block."
        ),
        "type": "object",
        "oneOf": [layer_branch, share, inline, op, instance, model_file],
    }


def _usable_ops() -> list[str]:
    return [n for n in catalog.op_names() if not (info := catalog.op_info(n)) or not info.refused]


def _op_branch(name: str) -> Schema:
    info = catalog.op_info(name)
    assert info is not None
    # Only the names: the node's op branch holds every argument to plain data. Which call
    # arguments are constants depends on how many inputs the node has: all are allowed here.
    props: Schema = dict.fromkeys(
        ("inputs", *_KINDS, *_passing_keys(), *(p.name for p in (*info.params, *info.call))), True
    )
    then: Schema = {"properties": props, "additionalProperties": False}
    required = [p.name for p in info.params if p.required]
    if required:
        then["required"] = required
    return {"if": {"properties": {"op": _whole(name)}, "required": ["op"]}, "then": then}


# ---------------------------------------------------------------------------
# the whole schema


def json_schema() -> Schema:
    """The format as a JSON Schema (draft 2020-12).

    Accepts every spec :func:`graphspec.validate` accepts (for the layers and
    callbacks registered when it is called), and rejects what can be judged
    without the graph.
    """
    schema = Spec.model_json_schema(by_alias=True)
    defs = schema.setdefault("$defs", {})
    usable = _usable_layers()
    layers = sorted(usable)
    defs["Expression"] = dict(_EXPRESSION)
    defs["Null"] = dict(_NULL)
    defs["PlainData"] = {
        "description": "plain data: numbers, strings, booleans, null and lists of them (no mappings)",
        "anyOf": [{"type": ["number", "string", "boolean", "null"]}, {"type": "array", "items": _ref("PlainData")}],
    }
    defs["DType"] = {"anyOf": [{"type": "string", "enum": [*DTYPES, *catalog.DTYPE_POLICIES]}, _NULL, _EXPR_REF]}
    defs["Reference"] = {
        "description": "a node or input name, or `name:i` for its i-th output",
        "anyOf": [{"type": "string", "pattern": _REF_PATTERN}, _EXPR_REF],
    }
    defs["References"] = {"anyOf": [_ref("Reference"), {"type": "array", "items": _ref("Reference"), "minItems": 1}]}
    for kind, def_name in _OBJECT_DEFS.items():
        defs[def_name] = _object_def(kind)
    defs["LayerArguments"] = {"allOf": [_layer_branch(n, usable[n]) for n in layers]}
    defs["OpArguments"] = {"allOf": [_op_branch(n) for n in _usable_ops()]}
    defs["NestedLayer"] = {
        "description": (
            "a layer inside another (`wraps:`, `cell:`): {layer: Name, ...arguments}, "
            "or {model: ...} for a model a wrapper applies; it receives its wrapper's input"
        ),
        "anyOf": [
            {
                "type": "object",
                "properties": {
                    "layer": {"type": "string", "enum": layers},
                    "inputs": False,
                    **dict.fromkeys((*_KINDS[1:], *_passing_keys()), False),
                },
                "required": ["layer"],
                "$ref": "#/$defs/LayerArguments",
            },
            {
                "type": "object",
                "description": "a model a wrapper (TimeDistributed) applies to each step",
                "properties": {"model": _ref("ModelSpec"), "trainable": {"type": "boolean"}},
                "required": ["model"],
                "additionalProperties": False,
            },
        ],
    }
    defs["NodeSpec"] = _node_def(layers, defs.get("NodeSpec", {}))
    _lint_codes(defs)
    _structure(schema, defs)
    _authoring(schema, defs)
    _allow_expressions(schema)
    _share_argument_rules(defs)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "graphspec model spec"
    schema["required"] = sorted({*schema.get("required", []), "graphspec"})
    return schema


def _lint_codes(defs: Schema) -> None:
    """Complete the codes of lint rules in ``ignore`` lists (lint settings: ``lint: {ignore: [code, ...]}`` on nodes,
    outputs and the spec)."""
    from graphspec.lint import RULES

    props = defs.get("LintSpec", {}).get("properties", {})
    if "ignore" in props:
        codes = [r.code.value for r in RULES]
        props["ignore"] = {
            "type": "array",
            "items": {"enum": codes},
            "description": "lint rules silenced here (see docs/errors.md)",
        }


def _names(section: Schema, pattern: str) -> None:
    section["propertyNames"] = {"pattern": pattern, "maxLength": 512 if pattern == _NODE_NAME else 128}


def _structure(schema: Schema, defs: Schema) -> None:
    """What the pydantic models cannot say in their schema: names, objects, value rules of BeforeValidators."""
    for body in (schema, defs["ModelSpec"]):
        props = body["properties"]
        _names(props["inputs"], _NAME)
        _names(props["nodes"], _NODE_NAME)
        _names(props["outputs"], _NAME)
        # `answer:` with nothing after it is an output with every default.
        props["outputs"]["additionalProperties"] = _nullable(_ref("OutputSpec"))
        # A model returns something: an output, or a reference its `structure.outputs` returns as it is.
        returns = [
            {"properties": {"outputs": {"minProperties": 1}}},
            {
                "required": ["structure"],
                "properties": {"structure": {"required": ["outputs"], "properties": {"outputs": {"not": _NULL}}}},
            },
        ]
        body["allOf"] = [*body.get("allOf", []), {"anyOf": returns}]
        props["name"] = {
            **props["name"],
            "anyOf": [{"type": "string", "pattern": _NAME, "maxLength": 128}, *([_NULL] if body is not schema else [])],
        }
        props["name"].pop("type", None)
    for (section, key), kind in _OBJECT_FIELDS.items():
        prop = defs[section]["properties"][key]
        target = _ref(_OBJECT_DEFS[kind])
        if prop.get("type") == "array":
            prop["items"] = target
        else:
            prop.pop("anyOf", None)
            prop["anyOf"] = [target, _NULL] if section == "OutputSpec" else [target]
    out = defs["OutputSpec"]["properties"]
    out["from"] = {**out["from"], "anyOf": [{"type": "string", "pattern": _REF_PATTERN}, _NULL]}
    out["loss_weight"]["anyOf"][0]["minimum"] = 0
    fit = defs["FitSpec"]["properties"]
    fit["validation_split"].update({"minimum": 0, "exclusiveMaximum": 1})
    fit["class_weight"]["anyOf"][0]["items"]["minimum"] = 0
    compile_ = defs["CompileSpec"]["properties"]
    compile_["jit_compile"]["anyOf"] = [{"type": "boolean"}, {"const": "auto"}]


# authoring: params, blocks, includes (graphspec.expand turns them into the flat format above)


def _authoring(schema: Schema, defs: Schema) -> None:
    from graphspec.expand import AUTHORING_KEYS

    defs["Param"] = {
        "description": (
            "a parameter: its default (`width: 1.0`), its type alone (`filters: int`, required), or {type, default}"
        ),
        "anyOf": [
            {"type": ["number", "boolean", "string"]},
            {
                "type": "object",
                "properties": {
                    "type": {"enum": ["int", "float", "bool", "str"]},
                    "default": {"type": ["number", "boolean", "string"]},
                    "description": {"type": "string"},
                },
                "additionalProperties": False,
            },
        ],
    }
    params = {"type": "object", "propertyNames": {"pattern": rf"^{IDENTIFIER}$"}, "additionalProperties": _ref("Param")}
    defs["Block"] = {
        "description": "a named, parameterised subgraph; a node instantiates it with `block: name`",
        "type": "object",
        "properties": {
            "description": {"type": "string"},
            "params": params,
            "inputs": {
                "anyOf": [
                    {"type": "string", "pattern": _NAME},
                    {"type": "array", "items": {"type": "string", "pattern": _NAME}},
                ],
                "default": "x",
            },
            "nodes": {
                "type": "object",
                "propertyNames": {"pattern": _NODE_NAME},
                "additionalProperties": _ref("NodeSpec"),
            },
            "outputs": _ref("References"),
        },
        "required": ["nodes", "outputs"],
        "additionalProperties": False,
    }
    described = {
        "params": {**params, "description": "the spec's parameters, set with --set NAME=VALUE or params={...}"},
        "blocks": {"type": "object", "propertyNames": {"pattern": _NAME}, "additionalProperties": _ref("Block")},
        "include": {
            "description": "spec files whose blocks this spec uses, relative to it",
            "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
        },
        "search": _search(defs),
    }
    props = schema.setdefault("properties", {})
    for key in AUTHORING_KEYS:
        # A key expansion knows and this module does not describe yet is accepted as it is.
        props[key] = described.get(key, {"description": "read by graphspec's expansion stage"})


# expressions: `$name` / `${...}` may stand for any value (parameters are numbers, booleans or strings)

_SCALAR_TYPES = {"integer", "number", "boolean", "null"}
_SKIP = {"if", "propertyNames", "not", "$defs"}


def _allow_expressions(node: Any, inside: str | None = None) -> Any:
    """Accept an expression wherever a value is constrained: scalar types, enums, patterns, consts."""
    if isinstance(node, list):
        for item in node:
            _allow_expressions(item)
        return node
    if not isinstance(node, dict):
        return node
    for key, value in node.items():
        if key in _SKIP:
            if key == "$defs":
                for name, sub in value.items():
                    if name not in ("Expression", "Null"):
                        _allow_expressions(sub)
            continue
        if key in ("properties", "patternProperties"):
            for prop_name, sub in value.items():
                value[prop_name] = _wrap(sub)
        elif key in ("items", "additionalProperties") and isinstance(value, dict):
            node[key] = _wrap(value)
        elif key in ("anyOf", "oneOf", "allOf") or key == "then":
            _allow_expressions(value)
    return node


_TAKE_EXPRESSIONS = {"#/$defs/" + n for n in ("PlainData", "DType", "Reference", "References", *_OBJECT_DEFS.values())}


def _takes_expressions(schema: Any) -> bool:
    return isinstance(schema, dict) and schema.get("$ref") in _TAKE_EXPRESSIONS and len(schema) == 1


def _constrains_scalar(schema: Schema) -> bool:
    kind = schema.get("type")
    kinds = set(kind) if isinstance(kind, list) else {kind} if kind else set()
    if kinds & _SCALAR_TYPES or "enum" in schema or "const" in schema:
        return True
    return "pattern" in schema or (kind == "string" and "maxLength" in schema)


def _wrap(schema: Any) -> Any:
    if not isinstance(schema, dict) or schema == _EXPR_REF:
        return schema
    if "$ref" in schema and len(schema) == 1:
        return schema  # the shared value definitions (DType, Reference, objects, PlainData) take expressions themselves
    alternatives = schema.get("anyOf")
    if isinstance(alternatives, list) and "$ref" not in schema:
        if not any(a == _EXPR_REF or _takes_expressions(a) for a in alternatives):
            alternatives.append(_EXPR_REF)
        for a in alternatives:
            if isinstance(a, dict) and a.get("type") in ("object", "array"):
                _allow_expressions(a)
        return schema
    if _constrains_scalar(schema):
        keep = {k: schema.pop(k) for k in ("title", "description", "default") if k in schema}
        return {**keep, "anyOf": [schema, _EXPR_REF]}
    return _allow_expressions(schema)


# sharing: the same argument rule (`use_bias`, `trainable`: a boolean or null) is written once


def _share_argument_rules(defs: Schema) -> None:
    """Move argument rules used by several layers into named definitions, referenced by ``$ref``."""
    branches = [b["then"]["properties"] for b in defs["LayerArguments"]["allOf"]]
    counts: dict[str, int] = {}
    for props in branches:
        for rule in props.values():
            if isinstance(rule, dict) and "$ref" not in rule:
                key = json.dumps(rule, sort_keys=True)
                counts[key] = counts.get(key, 0) + 1
    names: dict[str, str] = {}
    for key, n in sorted(counts.items()):
        if n > 1:
            name = base = "Argument" + _describe(json.loads(key))
            k = 2
            while name in defs:
                name, k = f"{base}{k}", k + 1
            defs[name] = json.loads(key)
            names[key] = name
    for props in branches:
        for arg, rule in props.items():
            found = names.get(json.dumps(rule, sort_keys=True)) if isinstance(rule, dict) else None
            if found is not None:
                props[arg] = _ref(found)


def _describe(schema: Schema) -> str:
    """A readable name for an argument rule: ``BooleanOrNull``, ``PositiveIntegerOrNull``, ``PaddingOrNull``."""
    if "$ref" in schema:
        return str(schema["$ref"].rsplit("/", 1)[-1])
    if "anyOf" in schema:
        parts = [_describe(a) for a in schema["anyOf"] if a != _EXPR_REF]
        return "Or".join(dict.fromkeys(p for p in parts if p)) or "Value"
    if "allOf" in schema:
        return "".join(_describe(a) for a in schema["allOf"] if "not" not in a)
    if "enum" in schema:
        return "".join(str(v).title().replace("_", "") for v in schema["enum"][:2])
    kind = schema.get("type")
    if kind == "integer" and schema.get("minimum") == 1:
        return "PositiveInteger"
    if kind == "number" and "exclusiveMaximum" in schema:
        return "Rate"
    if kind == "array":
        return "ListOf" + _describe(schema.get("items", {}))
    return str(kind).title() if isinstance(kind, str) else "Value"


def _search(defs: Schema) -> Schema:
    """The `search:` section (graphspec.expand.search): its definitions go to ``defs``;
    the section's schema is returned."""
    from graphspec.expand.search import json_schema as search_schema

    defs.update(search_schema())
    return _ref("Search")


def render_schema() -> str:
    return json.dumps(json_schema(), indent=1, sort_keys=True) + "\n"
