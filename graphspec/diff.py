"""A semantic diff of two specs: what changed in the model, not in the text.

Both specs are first normalised (:func:`normalise`), so key order, formatting,
arguments written at their default value, ``kernel_size: [3, 3]`` against
``kernel_size: 3`` and comments make no difference. Then nodes are matched by
name (a removed and an added node with the same layer, arguments and inputs
count as a rename), and every difference is a :class:`Change`: nodes added,
removed or renamed, a layer class changed, arguments changed (old → new),
inputs rewired, shares changed, and changes to inputs, outputs and compile
settings. Pure Python: no TensorFlow.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graphspec import catalog
from graphspec.spec import Spec, SpecBody, keras_name, parse_ref
from graphspec.spec.sizes import uniform_int
from graphspec.spec.structure import is_default, pack

__all__ = ["Change", "SpecDiff", "diff_specs", "normalise"]

# Arguments Keras widens from an int to a tuple; `3` and `[3, 3]` build the same layer.
SIZE_KEYS = frozenset(
    {"kernel_size", "pool_size", "strides", "dilation_rate", "size", "padding", "cropping", "output_size"}
)
_NODE_STRUCTURE = ("layer", "share", "model", "op", "inputs", "lint")


@dataclass(frozen=True)
class Change:
    """One semantic difference.

    Attributes:
        kind: ``node-added``, ``node-removed``, ``node-renamed``, ``layer-changed``,
            ``argument-added``, ``argument-removed``, ``argument-changed``,
            ``inputs-rewired``, ``share-changed``, ``input-added``,
            ``input-removed``, ``input-changed``, ``output-added``,
            ``output-removed``, ``output-changed``, ``structure-changed``,
            ``trainable-changed``, ``compile-changed``, ``model-added``,
            ``model-removed``, ``model-changed``, ``lint-changed`` (a node's or
            the spec's ``lint:`` settings) or ``name-changed``.
        path: where, as the spec path in the second spec (``nodes.conv1.filters``).
        old, new: the values before and after (``None`` where there is none).
    """

    kind: str
    path: str
    old: Any = None
    new: Any = None

    def render(self) -> str:
        mark = {"added": "+", "removed": "-"}.get(self.kind.rsplit("-", 1)[-1], "~")
        if self.kind.endswith("-added"):
            return f"{mark} {self.path}: {_show(self.new)}"
        if self.kind.endswith("-removed"):
            return f"{mark} {self.path}: {_show(self.old)}"
        return f"{mark} {self.path}: {_show(self.old)} → {_show(self.new)}  ({self.kind})"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "path": self.path, "old": self.old, "new": self.new}


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


@dataclass
class SpecDiff:
    """The changes from spec ``a`` to spec ``b``; empty when they describe the same model."""

    changes: list[Change] = field(default_factory=list)

    @property
    def equal(self) -> bool:
        return not self.changes

    def to_dict(self) -> dict[str, Any]:
        return {"equal": self.equal, "changes": [c.to_dict() for c in self.changes]}

    def render(self) -> str:
        if self.equal:
            return "no semantic differences\n"
        counts: dict[str, int] = defaultdict(int)
        for c in self.changes:
            counts[c.kind] += 1
        summary = ", ".join(f"{n} {kind}" for kind, n in counts.items())
        return "\n".join([*(c.render() for c in self.changes), f"{len(self.changes)} change(s): {summary}"]) + "\n"


# ---------------------------------------------------------------------------
# normalisation


def normalise(spec: Spec, *, canonical_shares: bool = True) -> dict[str, Any]:
    """The spec as plain data in a canonical form, equal for specs that build the same model.

    - layer arguments equal to the constructor's default are dropped (``axis: -1``
      on ``Concatenate``), and a uniform size list is written as one int
      (``kernel_size: [3, 3]`` → ``3``);
    - ``loss_weight: 1.0`` (the default) is dropped, and so are ``description``
      (documentation, not part of the model) and a sub-model's ``name`` (its
      Keras model is named after its node);
    - a spec with losses and no ``compile:`` section has ``compile: {}`` (the
      defaults emit compiles it with);
    - with ``canonical_shares``, ``share:`` nodes are renamed ``<owner>_call<k>``
      (k = 1, 2, ... in call order), the names an imported model gets: Keras
      records a layer's calls, not names for them;
    - key order is irrelevant because the result is compared as data.

    The spec is taken as it is: expand an authoring spec (blocks) first.
    """
    data = spec.to_data()
    data.pop("description", None)
    _normalise_body(data, spec, canonical_shares, spec.trainable)
    for name, out in data["outputs"].items():
        if out.get("loss_weight") == 1.0:
            del out["loss_weight"]
        if out.get("from") == name:  # `y: {from: y}` is `y: {}`
            del out["from"]
    if "compile" not in data and any("loss" in out for out in data["outputs"].values()):
        data["compile"] = {}  # emit compiles a spec with losses using the default settings
    return data


def _normalise_body(data: dict[str, Any], body: SpecBody, canonical_shares: bool, trainable: bool) -> None:
    roots = {name: _share_root(data["nodes"], node["share"]) for name, node in data["nodes"].items() if "share" in node}
    for name, node in data["nodes"].items():
        if name in roots:
            node["share"] = roots[name]
        if node.get("keras_name") == keras_name(name):
            del node["keras_name"]
        if isinstance(node.get("layer"), str):
            _drop_defaults(node, trainable)
        layer = _owner_layer(data["nodes"], name)
        if layer is not None:
            _canonical_call(node, layer)
        sub = body.nodes[name].model
        if sub is not None:
            node["model"].pop("description", None)
            node["model"].pop("name", None)  # where the sub-model came from; Keras names it after its node
            inner = node.get("trainable", trainable)
            if node.get("trainable") == trainable:
                del node["trainable"]
            _normalise_body(node["model"], sub, canonical_shares, bool(inner))
    for name, inp in data["inputs"].items():
        if inp.get("keras_name") == name:
            del inp["keras_name"]
    _default_structure(data, body)
    if canonical_shares:
        _apply_renames(data, _share_names(body))


def _default_structure(data: dict[str, Any], body: SpecBody) -> None:
    """Leave out a ``structure`` side that says what a model gets without it."""
    structure = data.get("structure")
    if structure is None:
        return
    for side, names in (("inputs", list(body.inputs)), ("outputs", list(body.outputs))):
        tree = structure.get(side)
        if isinstance(tree, list) and len(tree) > 1 and sorted(map(str, tree)) == sorted(names):
            # a flat list is the order of the section: `inputs: {a, b}` with `[b, a]` is `inputs: {b, a}`
            data[side] = {n: data[side][n] for n in tree}
            tree = list(tree)
        if side in structure and is_default(tree, list(data[side])):
            del structure[side]
    if not structure:
        del data["structure"]


def _share_root(nodes: Mapping[str, Any], name: str) -> str:
    """The node that holds the layer a ``share:`` chain calls: ``c: {share: b}, b: {share: a}`` share ``a``."""
    seen: set[str] = set()
    while name in nodes and name not in seen and "share" in nodes[name]:
        seen.add(name)
        name = nodes[name]["share"]
    return name


def _owner_layer(nodes: Mapping[str, Any], name: str) -> str | None:
    """The layer class a node calls (following ``share``), or ``None``."""
    seen: set[str] = set()
    while name in nodes and name not in seen:
        seen.add(name)
        node = nodes[name]
        if isinstance(node.get("layer"), str):
            return str(node["layer"])
        name = node.get("share")
    return None


def _canonical_call(node: dict[str, Any], layer: str) -> None:
    """``inputs: [q, v, k]`` of MultiHeadAttention is ``inputs: [q, v], call: {key: k}``: references beyond
    the call's required arguments fill its optional ones, which the importer writes under ``call:``."""
    info = catalog.layer_info(layer)
    refs = _refs(node)
    if info is None:
        return
    required = [p for p in info.call if p.required and p.positional]
    extra = info.bound_by_inputs(len(refs))[len(required) :] if info.positional_tensors else []
    if extra and len(refs) > len(required):
        node["inputs"] = refs[: len(required)]
        node["call"] = {
            **{p.name: r for p, r in zip(extra, refs[len(required) :], strict=False)},
            **node.get("call", {}),
        }
    # a call argument equal to its default is the call without it: Keras records `training=False` either way
    defaults = {p.name: p.default for p in info.call if not p.required}
    call = {
        k: v
        for k, v in node.get("call", {}).items()
        if not (k in defaults and type(v) is type(defaults[k]) and v == defaults[k])
    }
    if call:
        node["call"] = call
    else:
        node.pop("call", None)


def _drop_defaults(node: dict[str, Any], trainable: bool = True) -> None:
    info = catalog.layer_info(node["layer"])
    if info is None:
        return
    for key in [k for k in node if k not in _NODE_STRUCTURE]:
        value = node[key]
        if key in SIZE_KEYS:
            value = node[key] = _uniform(value)
        param = info.param_or_base(key)
        default = trainable if key == "trainable" else param.default if param is not None else None
        if param is not None and not param.required and value == (_uniform(default) if key in SIZE_KEYS else default):
            del node[key]
        elif param is not None and default is None and value == "linear" and key.endswith("activation"):
            del node[key]  # Keras makes activation None the identity, "linear"


def _uniform(value: Any) -> Any:
    single = uniform_int(value)
    return value if single is None else single


def _refs(node: Mapping[str, Any]) -> list[str]:
    refs = node.get("inputs", [])
    return [refs] if isinstance(refs, str) else list(refs)


def _share_names(body: SpecBody) -> dict[str, str]:
    """``<owner>_call<k>`` for each share node, k counted in the order emit calls the nodes."""
    from graphspec.errors import SpecError
    from graphspec.graph import resolve

    try:
        order = resolve(body).order
    except SpecError:  # an invalid graph has no call order: names stay as written
        return {}
    owners: dict[str, str] = {}
    calls: dict[str, int] = defaultdict(int)
    renames: dict[str, str] = {}
    for name in order:
        share = body.nodes[name].share
        if share is None:
            continue
        owner = owners.get(share, share)
        owners[name] = owner
        calls[owner] += 1
        renames[name] = f"{owner}_call{calls[owner]}"
    return renames


def _apply_renames(body: dict[str, Any], renames: Mapping[str, str]) -> None:
    def ref(r: str) -> str:
        src, index = parse_ref(r)
        new = renames.get(src, src)
        return new if index is None else f"{new}:{index}"

    nodes = {renames.get(k, k): v for k, v in body["nodes"].items()}
    for node in nodes.values():
        if "inputs" in node:
            node["inputs"] = [ref(r) for r in _refs(node)] if isinstance(node["inputs"], list) else ref(node["inputs"])
        if "share" in node:
            node["share"] = renames.get(node["share"], node["share"])
        if "call" in node:
            node["call"] = {k: _map_strings(v, ref) for k, v in node["call"].items()}
    body["nodes"] = nodes
    for name, out in body["outputs"].items():
        if "from" in out:
            out["from"] = ref(out["from"])
        elif name in renames:
            out["from"] = renames[name]
    outputs = body.get("structure", {}).get("outputs")
    if outputs is not None:  # leaves that are not outputs are references
        body["structure"]["outputs"] = pack(outputs, lambda leaf: leaf if leaf in body["outputs"] else ref(leaf))
    for model in body.get("models", {}).values():
        model["outputs"] = pack(model["outputs"], ref)


def _map_strings(value: Any, fn: Any) -> Any:
    if isinstance(value, str):
        return fn(value)
    if isinstance(value, list):
        return [_map_strings(v, fn) for v in value]
    return value


# ---------------------------------------------------------------------------
# the diff


def diff_specs(a: Spec, b: Spec) -> SpecDiff:
    """The semantic changes from ``a`` to ``b`` (both normalised first, shares keep their names)."""
    da, db = normalise(a, canonical_shares=False), normalise(b, canonical_shares=False)
    changes: list[Change] = []
    if da["name"] != db["name"]:
        changes.append(Change("name-changed", "name", da["name"], db["name"]))
    changes += _diff_section("input", "inputs", da["inputs"], db["inputs"])
    changes += _diff_nodes(da["nodes"], db["nodes"])
    changes += _diff_section("output", "outputs", da["outputs"], db["outputs"])
    for key in ("structure", "trainable", "compile", "lint"):
        if da.get(key) != db.get(key):
            changes.append(Change(f"{key}-changed", key, da.get(key), db.get(key)))
    changes += _diff_section("model", "models", da.get("models", {}), db.get("models", {}))
    return SpecDiff(changes)


def _diff_section(what: str, section: str, a: Mapping[str, Any], b: Mapping[str, Any]) -> list[Change]:
    changes = [Change(f"{what}-removed", f"{section}.{k}", a[k]) for k in a if k not in b]
    changes += [Change(f"{what}-added", f"{section}.{k}", None, b[k]) for k in b if k not in a]
    changes += [Change(f"{what}-changed", f"{section}.{k}", a[k], b[k]) for k in b if k in a and a[k] != b[k]]
    return changes


def _content(node: Mapping[str, Any]) -> str:
    return json.dumps({k: v for k, v in node.items() if k != "inputs"}, sort_keys=True)


def _renames(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, str]:
    """Removed → added node pairs with the same layer and arguments, matched one to one."""
    removed = defaultdict(list)
    for k in a:
        if k not in b:
            removed[_content(a[k])].append(k)
    added = defaultdict(list)
    for k in b:
        if k not in a:
            added[_content(b[k])].append(k)
    return {removed[c][0]: added[c][0] for c in removed if len(removed[c]) == 1 and len(added.get(c, [])) == 1}


def _diff_nodes(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[Change]:
    renames = _renames(a, b)
    back = {new: old for old, new in renames.items()}
    changes = [Change("node-renamed", f"nodes.{new}", old, new) for old, new in renames.items()]
    changes += [Change("node-removed", f"nodes.{k}", _kind(a[k])) for k in a if k not in b and k not in renames]
    changes += [Change("node-added", f"nodes.{k}", None, _kind(b[k])) for k in b if k not in a and k not in back]
    for name, new in b.items():
        old_name = back.get(name, name)
        if old_name in a:
            changes += _diff_node(f"nodes.{name}", a[old_name], new, renames)
    return changes


def _kind(node: Mapping[str, Any]) -> str:
    for key in ("layer", "op"):
        if key in node:
            return str(node[key])
    if "share" in node:
        return f"share {node['share']}"
    return "model" if "model" in node else "?"


def _diff_node(path: str, a: Mapping[str, Any], b: Mapping[str, Any], renames: Mapping[str, str]) -> list[Change]:
    changes: list[Change] = []
    if _kind(a) != _kind(b) and not ("share" in a and "share" in b):
        changes.append(Change("layer-changed", path, _kind(a), _kind(b)))
    if "share" in a and "share" in b and renames.get(a["share"], a["share"]) != b["share"]:
        changes.append(Change("share-changed", f"{path}.share", a["share"], b["share"]))
    if a.get("lint") != b.get("lint"):
        changes.append(Change("lint-changed", f"{path}.lint", a.get("lint"), b.get("lint")))
    old_inputs = [_renamed_ref(r, renames) for r in _refs(a)]
    if old_inputs != _refs(b):
        changes.append(Change("inputs-rewired", f"{path}.inputs", _refs(a), _refs(b)))
    args_a, args_b = _arguments(a), _arguments(b)
    if "model" in a and "model" in b and a["model"] != b["model"]:
        args_a["model"], args_b["model"] = a["model"], b["model"]
    changes += [Change("argument-removed", f"{path}.{k}", args_a[k]) for k in args_a if k not in args_b]
    changes += [Change("argument-added", f"{path}.{k}", None, args_b[k]) for k in args_b if k not in args_a]
    changes += [
        Change("argument-changed", f"{path}.{k}", args_a[k], args_b[k])
        for k in args_b
        if k in args_a and args_a[k] != args_b[k]
    ]
    return changes


def _arguments(node: Mapping[str, Any]) -> dict[str, Any]:
    """A node's constructor arguments, its Keras name and its call arguments (as ``call.<key>``)."""
    args = {k: v for k, v in node.items() if k not in _NODE_STRUCTURE and k != "call"}
    args.update({f"call.{k}": v for k, v in node.get("call", {}).items()})
    return args


def _renamed_ref(ref: str, renames: Mapping[str, str]) -> str:
    src, index = parse_ref(ref)
    new = renames.get(src, src)
    return new if index is None else f"{new}:{index}"
