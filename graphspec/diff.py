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
from graphspec.spec import Spec, SpecBody, parse_ref

__all__ = ["Change", "SpecDiff", "diff_specs", "normalise"]

# Arguments Keras widens from an int to a tuple; `3` and `[3, 3]` build the same layer.
SIZE_KEYS = frozenset({"kernel_size", "pool_size", "strides", "dilation_rate", "size", "padding", "cropping", "output_size"})
_NODE_STRUCTURE = ("layer", "share", "model", "op", "inputs", "lint")


@dataclass(frozen=True)
class Change:
    """One semantic difference.

    Attributes:
        kind: ``node-added``, ``node-removed``, ``node-renamed``, ``layer-changed``,
            ``argument-added``, ``argument-removed``, ``argument-changed``,
            ``inputs-rewired``, ``share-changed``, ``input-added``,
            ``input-removed``, ``input-changed``, ``output-added``,
            ``output-removed``, ``output-changed``, ``compile-changed``,
            ``lint-changed`` (a node's or the spec's ``lint:`` settings) or
            ``name-changed``.
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
    _normalise_body(data, spec, canonical_shares)
    for out in data["outputs"].values():
        if out.get("loss_weight") == 1.0:
            del out["loss_weight"]
    if "compile" not in data and any("loss" in out for out in data["outputs"].values()):
        data["compile"] = {}  # emit compiles a spec with losses using the default settings
    return data


def _normalise_body(data: dict[str, Any], body: SpecBody, canonical_shares: bool) -> None:
    for name, node in data["nodes"].items():
        if isinstance(node.get("layer"), str):
            _drop_defaults(node)
        sub = body.nodes[name].model
        if sub is not None:
            node["model"].pop("description", None)
            node["model"].pop("name", None)  # where the sub-model came from; Keras names it after its node
            _normalise_body(node["model"], sub, canonical_shares)
    if canonical_shares:
        _apply_renames(data, _share_names(body))


def _drop_defaults(node: dict[str, Any]) -> None:
    info = catalog.layer_info(node["layer"])
    if info is None:
        return
    for key in [k for k in node if k not in _NODE_STRUCTURE]:
        value = node[key]
        if key in SIZE_KEYS:
            value = node[key] = _uniform(value)
        param = info.param_or_base(key)
        if param is not None and not param.required and value == (_uniform(param.default) if key in SIZE_KEYS else param.default):
            del node[key]


def _uniform(value: Any) -> Any:
    single = uniform_int(value)
    return value if single is None else single


def uniform_int(value: Any) -> int | None:
    """``3`` for ``[3, 3]`` or ``[[3, 3], [3, 3]]``; ``None`` for anything else."""
    flat: list[Any] = []
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, list):
            stack.extend(v)
        else:
            flat.append(v)
    if isinstance(value, list) and flat and all(type(v) is int and v == flat[0] for v in flat):
        return int(flat[0])
    return None


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
    body["nodes"] = nodes
    for name, out in body["outputs"].items():
        if "from" in out:
            out["from"] = ref(out["from"])
        elif name in renames:
            out["from"] = renames[name]


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
    if da.get("compile") != db.get("compile"):
        changes.append(Change("compile-changed", "compile", da.get("compile"), db.get("compile")))
    if da.get("lint") != db.get("lint"):
        changes.append(Change("lint-changed", "lint", da.get("lint"), db.get("lint")))
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
    args_a = {k: v for k, v in a.items() if k not in _NODE_STRUCTURE}
    args_b = {k: v for k, v in b.items() if k not in _NODE_STRUCTURE}
    if "model" in a and "model" in b and a["model"] != b["model"]:
        args_a["model"], args_b["model"] = a["model"], b["model"]
    changes += [Change("argument-removed", f"{path}.{k}", args_a[k]) for k in args_a if k not in args_b]
    changes += [Change("argument-added", f"{path}.{k}", None, args_b[k]) for k in args_b if k not in args_a]
    changes += [Change("argument-changed", f"{path}.{k}", args_a[k], args_b[k]) for k in args_b if k in args_a and args_a[k] != args_b[k]]
    return changes


def _renamed_ref(ref: str, renames: Mapping[str, str]) -> str:
    src, index = parse_ref(ref)
    new = renames.get(src, src)
    return new if index is None else f"{new}:{index}"
