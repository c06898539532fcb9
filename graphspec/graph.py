"""Stage 3, Spec → Graph: references, cycles, order and reachability, with networkx.

Keras finds a disconnected or cyclic graph only while building, and says
"Graph disconnected: cannot obtain value for tensor ...". Here every such problem
is named before any layer exists: the dangling reference and its closest valid
names, the whole cycle path, the input that feeds nothing, the output that no
input reaches, and (as warnings) the nodes that feed no output.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from graphspec._util import digraph as dg
from graphspec._util.names import REFERENCE_RE as _REF
from graphspec._util.suggest import did_you_mean
from graphspec.errors import Code, Diagnostic, Path, Severity, SpecError, format_path
from graphspec.spec import (
    MAX_MODEL_DEPTH,
    SpecBody,
    call_references,
    layer_name,
    parse_model,
    parse_ref,
    wrapped_models,
)
from graphspec.spec.structure import check_tree, default_tree, leaves

__all__ = ["Graph", "Interface", "interfaces", "keyed_outputs", "output_layer", "resolve"]


@dataclass
class Graph:
    """A checked spec graph.

    Attributes:
        dag: one vertex per input and node; an edge ``a → b`` for each reference
            of ``b`` to ``a`` (networkx's ``DiGraph`` interface without importing
            networkx; ``dag.to_networkx()`` for its algorithms).
        order: the nodes that feed some output, in an order where every node comes
            after the nodes it reads (spec order where the graph allows it).
        layer_owner: for each node, the node that declares the layer it calls
            (itself, or the end of its ``share`` chain).
        depth: the number of nodes on the longest path from an input to an output
            (of the deepest graph, where models are nested).
        warnings: diagnostics that do not stop the build.
        subgraphs: the checked graph of each ``model:`` node's nested spec.
        wrapped: the checked graph of each model a wrapper wraps (``wraps: {model: ...}``),
            by its path: ``(node, "wraps")``.
    """

    spec: SpecBody
    dag: dg.DiGraph
    order: list[str]
    layer_owner: dict[str, str]
    depth: int
    warnings: list[Diagnostic] = field(default_factory=list)
    subgraphs: dict[str, Graph] = field(default_factory=dict)
    wrapped: dict[Path, Graph] = field(default_factory=dict)


_SUGGESTIONS = 20


def _references(spec: SpecBody) -> Iterator[tuple[str, str, int | None, Path]]:
    """Every (consumer, producer, output index, path) a spec writes: inputs, call arguments, outputs, models."""
    for name, node in spec.nodes.items():
        for i, ref in enumerate(node.inputs):
            src, index = parse_ref(ref)
            path: Path = ("nodes", name, "inputs", i) if len(node.inputs) > 1 else ("nodes", name, "inputs")
            yield name, src, index, path
        for key, value in node.call.items():
            for ref, where in call_references(value, ("nodes", name, "call", key)):
                if _REF.fullmatch(ref):
                    src, index = parse_ref(ref)
                    yield name, src, index, where
    for name, out in spec.outputs.items():
        src, index = parse_ref(spec.output_source(name))
        yield f"output:{name}", src, index, ("outputs", name, "from") if out.from_ is not None else ("outputs", name)
    for model in interfaces(spec):
        for ref, where in model.output_refs(spec):
            if where[0] != "outputs":  # a reference in `structure.outputs` or `models:`
                src, index = parse_ref(ref)
                yield f"output:{model.name}", src, index, where


def _bad_call_references(spec: SpecBody) -> Iterator[Diagnostic]:
    for name, node in spec.nodes.items():
        for key, value in node.call.items():
            for ref, where in call_references(value, ("nodes", name, "call", key)):
                if not _REF.fullmatch(ref):
                    yield Diagnostic(
                        Code.BAD_NAME,
                        f"{ref!r} is not a valid reference: write a name, or 'name:i' for a layer's i-th output",
                        where,
                    )


def _check_names(spec: SpecBody) -> Iterator[Diagnostic]:
    for name in spec.inputs:
        if name in spec.nodes:
            yield Diagnostic(
                Code.DUPLICATE_NAME,
                f"{name!r} is both an input and a node",
                ("nodes", name),
                "rename one of them",
                at_key=True,
            )
    keyed = keyed_outputs(spec)
    for name in spec.outputs:
        ref = spec.output_source(name)
        src, index = parse_ref(ref)
        if name not in keyed and (src != name or index is not None) and (name in spec.nodes or name in spec.inputs):
            # The output becomes a layer of its own name, which would clash.
            what = "a node" if name in spec.nodes else "an input"
            yield Diagnostic(
                Code.DUPLICATE_NAME,
                f"output {name!r} takes its value from {ref!r}, but {what} is already named {name!r}",
                ("outputs", name),
                "rename the output" if src == name else "rename the output, or drop `from` to output that node",
                at_key=True,
            )
    yield from _keras_name_clashes(spec, keyed)


def keyed_outputs(spec: SpecBody) -> set[str]:
    """The outputs that a mapping in ``structure.outputs`` holds: their key names them, so Keras needs no layer of that
    name."""
    tree = spec.structure.outputs if spec.structure is not None else None
    return (
        {leaf for leaf, where in leaves(tree) if where and isinstance(where[-1], str) and isinstance(leaf, str)}
        if tree is not None
        else set()
    )


def output_layer(spec: SpecBody, name: str, owners: dict[str, str] | None = None) -> bool:
    """Whether an output needs an ``Identity`` layer of its own name (read through `from`, an index or a share)."""
    src, index = parse_ref(spec.output_source(name))
    if name in keyed_outputs(spec) or (index is None and src == name and src in spec.inputs and src not in spec.nodes):
        return False
    owner = (owners or {}).get(src, src)
    return not (src == name and index is None and owner == src)


def _keras_name_clashes(spec: SpecBody, keyed: set[str]) -> Iterator[Diagnostic]:
    """Keras needs every layer name once: inputs, layer-owning nodes (their `keras_name`) and output layers."""
    seen: dict[str, Path] = {}
    named: list[tuple[str, Path]] = [(layer_name(n, i), ("inputs", n)) for n, i in spec.inputs.items()]
    named += [
        (layer_name(n, node), ("nodes", n))
        for n, node in spec.nodes.items()
        if node.share is None and n not in spec.inputs
    ]
    for name in spec.outputs:
        src, index = parse_ref(spec.output_source(name))
        if (
            name not in keyed
            and (src != name or index is not None)
            and name not in spec.nodes
            and name not in spec.inputs
        ):
            named.append((name, ("outputs", name)))
    for keras, path in named:
        if keras in seen and seen[keras] != path:
            first = format_path(seen[keras])
            yield Diagnostic(
                Code.DUPLICATE_NAME,
                f"Keras name {keras!r} is already the name of {first}",
                path,
                "give one of them another `keras_name`",
                at_key=True,
            )
        seen.setdefault(keras, path)


def share_owners(spec: SpecBody) -> tuple[dict[str, str], list[Diagnostic]]:
    """Resolve every ``share`` chain to the node that declares the layer, each node once."""
    owners: dict[str, str] = {}
    broken: set[str] = set()
    diags: list[Diagnostic] = []
    position = {name: i for i, name in enumerate(spec.nodes)}
    for start, declared in spec.nodes.items():
        if declared.share is None:  # most nodes declare their own layer
            owners.setdefault(start, start)
            continue
        if start in owners or start in broken:
            continue
        chain = [start]
        on_chain = {start}
        owner: str | None = None
        cur = start
        while True:
            target = spec.nodes[cur].share
            if target is None:
                owner = cur
                break
            if target in owners:
                owner = owners[target]
                break
            if target in broken:
                break
            path: Path = ("nodes", cur, "share")
            if target not in spec.nodes:
                if target in spec.inputs:
                    diags.append(
                        Diagnostic(Code.BAD_SHARE, f"{target!r} is an input, which has no layer to share", path)
                    )
                else:
                    diags.append(
                        Diagnostic(
                            Code.UNKNOWN_REFERENCE,
                            f"node {cur!r} shares unknown node {target!r}",
                            path,
                            did_you_mean(target, list(spec.nodes)),
                        )
                    )
                break
            if target in on_chain:
                loop = chain[chain.index(target) :]
                # Report each circle once, from its first node in spec order.
                first = min(loop, key=position.__getitem__)
                turn = loop.index(first)
                ordered = loop[turn:] + loop[:turn]
                text = " → ".join([*ordered, first])
                diags.append(
                    Diagnostic(
                        Code.CYCLE,
                        f"`share` goes round in a circle: {text}",
                        ("nodes", first, "share"),
                        "one node of the circle must declare `layer:`",
                    )
                )
                break
            chain.append(target)
            on_chain.add(target)
            cur = target
        for name in chain:
            if owner is None:
                broken.add(name)
            else:
                owners[name] = owner
    return owners, diags


def resolve(spec: SpecBody, *, level: int = 1) -> Graph:
    """Check the graph of a parsed spec and order it; nested models too (``level`` is their nesting depth).

    Returns:
        the :class:`Graph`; warnings (dead nodes) are in ``graph.warnings``.

    Raises:
        SpecError: listing every dangling reference, cycle, name clash, unused
            input and unreachable output.
    """
    from graphspec.errors import raise_if_errors

    diags: list[Diagnostic] = [
        *_check_names(spec),
        *_bad_call_references(spec),
        *_check_interfaces(spec, nested=level > 1),
    ]
    known = set(spec.inputs) | set(spec.nodes)
    dag = dg.DiGraph()
    dag.add_nodes_from(spec.inputs, kind="input")
    dag.add_nodes_from(spec.nodes, kind="node")

    options = sorted(known)
    unknown = 0
    for consumer, src, index, path in _references(spec):
        if src not in known:
            unknown += 1
            what = "output" if consumer.startswith("output:") else f"node {consumer!r}"
            # did-you-mean costs a scan of every name: enough for the first few dozen typos.
            hint = (did_you_mean(src, options) if unknown <= _SUGGESTIONS else None) or _known_hint(spec)
            diags.append(Diagnostic(Code.UNKNOWN_REFERENCE, f"{what} reads from unknown {src!r}", path, hint))
            continue
        if index is not None and src in spec.inputs:
            diags.append(
                Diagnostic(
                    Code.BAD_OUTPUT_INDEX,
                    f"input {src!r} is a single tensor; '{src}:{index}' selects nothing",
                    path,
                    f"write {src!r}",
                )
            )
        if src in spec.inputs and src in spec.nodes:
            continue  # ambiguous: reported as duplicate-name; an edge would only invent cycles
        if not consumer.startswith("output:"):
            dag.add_edge(src, consumer)

    for name, node in spec.nodes.items():
        # An op may take all its tensors by keyword (`ops.subtract(1.0, x)`: `call: {x2: x}`).
        if not node.inputs and not (
            node.op is not None and any(True for v in node.call.values() for _ in call_references(v, ()))
        ):
            diags.append(
                Diagnostic(
                    Code.NO_INPUTS,
                    f"node {name!r} has no `inputs`, so nothing flows into it",
                    ("nodes", name),
                    "add `inputs: <input or node name>`",
                    at_key=True,
                )
            )

    owners, share_diags = share_owners(spec)
    diags += share_diags
    subgraphs, sub_diags = _submodels(spec, owners, level)
    diags += sub_diags

    cycles = _cycles(dag)
    diags += cycles
    if cycles:
        raise_if_errors(diags)

    # With a dangling or ambiguous reference, reachability would only echo it (an
    # input "feeds nothing" because the node reading it names a typo): report the cause alone.
    models = interfaces(spec)
    live = _live(spec, dag, models)
    if not any(d.code in (Code.UNKNOWN_REFERENCE, Code.DUPLICATE_NAME, Code.BAD_NAME) for d in diags):
        diags += _reachability(spec, dag, live, models)
        diags += _dead_nodes(spec, live, owners)
    wrapped, wrapped_diags = _wrapped(spec, level)
    warnings = raise_if_errors([*diags, *wrapped_diags])

    position = {name: i for i, name in enumerate(spec.nodes)}
    # A subgraph view costs on every access; most specs have no dead nodes to leave out.
    alive = dag if len(live) == dag.number_of_nodes() else dag.subgraph(live)
    topo = dg.lexicographical_topological_sort(alive, key=lambda n: position.get(n, -1))
    order = [n for n in topo if n in spec.nodes]
    depth = max([_longest_path_nodes(alive, topo), *(g.depth for g in [*subgraphs.values(), *wrapped.values()])])
    return Graph(spec, dag, order, owners, depth, warnings, subgraphs, wrapped)


def _wrapped(spec: SpecBody, level: int) -> tuple[dict[Path, Graph], list[Diagnostic]]:
    """Resolve the models wrappers wrap; a model that does not parse is the catalogue's to report."""
    found: dict[Path, Graph] = {}
    diags: list[Diagnostic] = []
    for name, node in spec.nodes.items():
        for path, value in wrapped_models(node.args):
            model, _ = parse_model(value["model"])
            prefix: Path = ("nodes", name, *path, "model")
            if model is None or level >= MAX_MODEL_DEPTH:
                continue
            try:
                found[(name, *path)] = sub = resolve(model, level=level + 1)
            except SpecError as exc:
                diags += [d.prefixed(prefix) for d in exc.diagnostics]
                continue
            diags += [d.prefixed(prefix) for d in sub.warnings]
    return found, diags


def _longest_path_nodes(dag: dg.DiGraph, topo: list[str]) -> int:
    """The number of nodes on the longest path, by one pass in topological order."""
    longest: dict[str, int] = {}
    for n in topo:
        best = 0
        for p in dag.predecessors(n):
            if longest[p] > best:
                best = longest[p]
        longest[n] = best + 1
    return max(longest.values(), default=1)


def _known_hint(spec: SpecBody) -> str:
    names = [*spec.inputs, *spec.nodes]
    return "known names: " + ", ".join(names[:10]) + (", ..." if len(names) > 10 else "")


def _cycles(graph: dg.DiGraph) -> list[Diagnostic]:
    if dg.is_directed_acyclic_graph(graph):
        return []
    import networkx as nx  # naming the cycles is networkx's job; only a cyclic spec pays for importing it

    dag = graph.to_networkx()
    diags = []
    for component in nx.strongly_connected_components(dag):
        if len(component) == 1 and not any(dag.has_edge(n, n) for n in component):
            continue
        sub = dag.subgraph(component)
        start = min(component)
        edges = nx.find_cycle(sub, source=start)
        path_names = [edges[0][0], *(v for _, v in edges)]
        diags.append(
            Diagnostic(
                Code.CYCLE,
                "the nodes form a cycle: " + " → ".join(path_names),
                ("nodes", path_names[0], "inputs"),
                "a model is an acyclic graph: remove one of these references, "
                f"for example {edges[-1][1]!r} reading {edges[-1][0]!r}",
            )
        )
    return diags


@dataclass(frozen=True)
class Interface:
    """One model a spec builds over its graph.

    Attributes:
        name: ``None`` for the spec's own model, else its key under ``models:``.
        inputs: a tree of input names (``structure.inputs``; by default every input).
        outputs: a tree of output names (the spec's own model) or of references (``models:``).
        path: where it is written: ``("structure",)`` or ``("models", name)``.
    """

    name: str | None
    inputs: Any
    outputs: Any
    path: Path

    def output_refs(self, spec: SpecBody) -> list[tuple[str, Path]]:
        """Each output's reference and where it is written (a named output: at its entry in `outputs:`)."""
        found: list[tuple[str, Path]] = []
        for leaf, where in leaves(self.outputs, (*self.path, "outputs")):
            if self.name is None and leaf in spec.outputs:
                found.append(
                    (
                        spec.output_source(leaf),
                        ("outputs", leaf, "from") if spec.outputs[leaf].from_ is not None else ("outputs", leaf),
                    )
                )
            elif isinstance(leaf, str) and _REF.fullmatch(leaf):
                found.append((leaf, where))
        return found

    def input_names(self) -> list[str]:
        return [leaf for leaf, _ in leaves(self.inputs) if isinstance(leaf, str)]

    def label(self) -> str:
        return "the model" if self.name is None else f"model {self.name!r}"


def interfaces(spec: SpecBody) -> list[Interface]:
    """The spec's own model (its ``structure``, or every input and output) and each of its ``models:``."""
    structure = spec.structure
    given_in = structure.inputs if structure is not None else None
    given_out = structure.outputs if structure is not None else None
    inputs = given_in if given_in is not None else default_tree(list(spec.inputs))
    outputs = given_out if given_out is not None else default_tree(list(spec.outputs))
    found = [Interface(None, inputs, outputs, ("structure",))]
    found += [Interface(name, m.inputs, m.outputs, ("models", name)) for name, m in getattr(spec, "models", {}).items()]
    return found


def _check_interfaces(spec: SpecBody, nested: bool) -> Iterator[Diagnostic]:
    """The form of ``structure`` and ``models``: known names, each once, every output of the spec's own model listed."""
    structure = spec.structure
    if structure is not None and structure.inputs is not None:
        yield from _check_names_tree(
            structure.inputs, ("structure", "inputs"), list(spec.inputs), "input", complete=nested
        )
    if structure is not None and structure.outputs is not None:
        yield from _check_output_tree(spec, structure.outputs)
    elif not spec.outputs:
        yield Diagnostic(
            Code.BAD_VALUE,
            "a model returns at least one output",
            ("outputs",),
            "declare one: `outputs: {y: {}}` takes node `y`",
        )
    for name, model in getattr(spec, "models", {}).items():
        yield from _check_names_tree(
            model.inputs, ("models", name, "inputs"), list(spec.inputs), "input", complete=False
        )
        yield from check_tree(model.outputs, ("models", name, "outputs"), keyed_by_name=False)
        for ref, where in leaves(model.outputs, ("models", name, "outputs")):
            if isinstance(ref, str) and not _REF.fullmatch(ref):
                yield Diagnostic(
                    Code.BAD_NAME,
                    f"{ref!r} is not a valid reference: write a name, or 'name:i' for a layer's i-th output",
                    where,
                )


def _check_output_tree(spec: SpecBody, tree: Any) -> Iterator[Diagnostic]:
    """``structure.outputs``: every output of `outputs:` once; other leaves are references (checked as references)."""
    path: Path = ("structure", "outputs")
    yield from check_tree(tree, path, keyed_by_name=True)
    seen: set[str] = set()
    for leaf, where in leaves(tree, path):
        if not isinstance(leaf, str):
            continue
        if leaf in spec.outputs and leaf in seen:
            yield Diagnostic(
                Code.DUPLICATE_NAME, f"output {leaf!r} is in the structure twice", where, "list each output once"
            )
        elif leaf not in spec.outputs and not _REF.fullmatch(leaf):
            yield Diagnostic(
                Code.BAD_NAME,
                f"{leaf!r} is neither an output nor a valid reference",
                where,
                did_you_mean(leaf, list(spec.outputs)),
            )
        seen.add(leaf)
    missing = [n for n in spec.outputs if n not in seen]
    if missing:
        yield Diagnostic(
            Code.BAD_VALUE,
            f"the structure leaves out output{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))}",
            path,
            "every output appears once",
        )


def _check_names_tree(tree: Any, path: Path, known: list[str], what: str, complete: bool) -> Iterator[Diagnostic]:
    yield from check_tree(tree, path, keyed_by_name=True)
    seen: set[str] = set()
    for leaf, where in leaves(tree, path):
        if not isinstance(leaf, str):
            continue
        if leaf not in known:
            yield Diagnostic(
                Code.UNKNOWN_REFERENCE,
                f"the structure names unknown {what} {leaf!r}",
                where,
                did_you_mean(leaf, known) or f"{what}s: {', '.join(known)}",
            )
        elif leaf in seen:
            yield Diagnostic(
                Code.DUPLICATE_NAME, f"{what} {leaf!r} is in the structure twice", where, f"list each {what} once"
            )
        seen.add(leaf)
    missing = [n for n in known if n not in seen]
    if complete and missing:
        yield Diagnostic(
            Code.BAD_VALUE,
            f"the structure leaves out {what}{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))}",
            path,
            f"every {what} appears once",
        )


def _walk_back(dag: dg.DiGraph, roots: Iterable[str]) -> set[str]:
    """Everything the roots depend on (themselves included): one backward walk."""
    live = {r for r in roots if r in dag}
    stack = list(live)
    while stack:
        for pred in dag.predecessors(stack.pop()):
            if pred not in live:
                live.add(pred)
                stack.append(pred)
    return live


def _live(spec: SpecBody, dag: dg.DiGraph, models: list[Interface]) -> set[str]:
    """Everything some output of some model depends on."""
    return _walk_back(dag, (parse_ref(ref)[0] for m in models for ref, _ in m.output_refs(spec)))


def _reachability(spec: SpecBody, dag: dg.DiGraph, live: set[str], models: list[Interface]) -> list[Diagnostic]:
    """Unreachable outputs, outputs that need an input their model does not take, and inputs that feed nothing."""
    diags = _orphans(spec, dag, models)
    fed: set[str] = set()
    for model in models:
        takes = model.input_names()
        if len(models) == 1 and set(takes) == set(spec.inputs):
            used = live  # the common case: one model taking every input, walked already
        else:
            used = _walk_back(dag, (parse_ref(ref)[0] for ref, _ in model.output_refs(spec)))
            diags += _disconnected(spec, dag, model, set(takes))
        fed |= set(takes)
        for name in takes:
            if name in spec.inputs and name not in used:
                diags.append(_unused(name, model if len(models) > 1 or model.name is not None else None))
    diags += [_unused(name, None) for name in spec.inputs if name not in fed and name not in live]
    return diags


def _unused(name: str, model: Interface | None) -> Diagnostic:
    where = "" if model is None else f" of {model.label()}"
    return Diagnostic(
        Code.UNUSED_INPUT,
        f"input {name!r}{where} feeds no output",
        ("inputs", name),
        "the model still takes it (callers must feed it); remove it, or read it from a node's `inputs:`",
        Severity.WARNING,
        at_key=True,
    )


def _disconnected(spec: SpecBody, dag: dg.DiGraph, model: Interface, takes: set[str]) -> list[Diagnostic]:
    diags = []
    for ref, where in model.output_refs(spec):
        src, _ = parse_ref(ref)
        if src not in dag:
            continue
        needs = sorted(n for n in _walk_back(dag, [src]) if n in spec.inputs and n not in takes)
        if needs:
            message = (
                f"{model.label()} returns {ref!r}, which depends on input{'s' if len(needs) > 1 else ''} "
                f"{', '.join(map(repr, needs))} that {model.label()} does not take"
            )
            hint = "add it to the model's inputs" if model.name is not None else "add it to `structure.inputs`"
            diags.append(Diagnostic(Code.UNREACHABLE_OUTPUT, message, where, hint))
    return diags


def _orphans(spec: SpecBody, dag: dg.DiGraph, models: list[Interface]) -> list[Diagnostic]:
    """Outputs no declared input reaches, or behind a node without inputs (one topological pass)."""
    reaches: dict[str, bool] = {}  # some declared input flows into it
    orphaned: dict[str, bool] = {}  # some node upstream (or itself) has no inputs
    for n in dg.topological_sort(dag):
        preds = list(dag.predecessors(n))
        if n in spec.inputs:
            reaches[n], orphaned[n] = True, False
        else:
            reaches[n] = any(reaches[p] for p in preds)
            orphaned[n] = not preds or any(orphaned[p] for p in preds)
    diags: list[Diagnostic] = []
    for model in models:
        for ref, where in model.output_refs(spec):
            src, _ = parse_ref(ref)
            if src not in dag or (reaches[src] and not orphaned[src]):
                continue
            if orphaned[src]:
                sources = sorted(n for n in dg.ancestors(dag, src) | {src} if n in spec.nodes and dag.in_degree(n) == 0)
                why = f"it depends on {', '.join(repr(s) for s in sources)}, which has no inputs"
            else:
                why = "no declared input flows into it"
            label = f"output {where[1]!r}" if model.name is None else f"{model.label()}'s output {ref!r}"
            at = where[:2] if model.name is None else where
            message = f"{label} is not reachable from the inputs: {why}"
            diags.append(
                Diagnostic(
                    Code.UNREACHABLE_OUTPUT,
                    message,
                    at,
                    "connect the chain to an input with `inputs:`",
                    at_key=model.name is None,
                )
            )
    return diags


def _dead_nodes(spec: SpecBody, live: set[str], owners: dict[str, str]) -> list[Diagnostic]:
    sharers: dict[str, list[str]] = {}
    for name, owner in owners.items():
        if owner != name and name in live:
            sharers.setdefault(owner, []).append(name)
    diags = []
    for name in spec.nodes:
        if name in live:
            continue
        message = f"node {name!r} feeds no output and will not be part of the model"
        if name in sharers:
            message = (
                f"node {name!r} feeds no output; only its layer is used, "
                f"through `share` by {', '.join(repr(s) for s in sharers[name])}"
            )
        diags.append(
            Diagnostic(
                Code.DEAD_NODE,
                message,
                ("nodes", name),
                "remove it, or add an output that reads it",
                Severity.WARNING,
                at_key=True,
            )
        )
    return diags


# sub-models and ops: `model:` nodes are checked as graphs of their own, `op:` nodes have no layer to share


def _submodels(spec: SpecBody, owners: dict[str, str], level: int) -> tuple[dict[str, Graph], list[Diagnostic]]:
    """Resolve each nested model; check what is fed to it, and that ops are not shared."""
    subgraphs: dict[str, Graph] = {}
    diags: list[Diagnostic] = []
    for name, node in spec.nodes.items():
        if node.model is None:
            continue
        prefix: Path = ("nodes", name, "model")
        if level >= MAX_MODEL_DEPTH:
            diags.append(
                Diagnostic(
                    Code.BAD_SUBMODEL,
                    f"models nest deeper than {MAX_MODEL_DEPTH} levels here",
                    prefix,
                    "flatten the innermost models into their parents' nodes",
                    at_key=True,
                )
            )
            continue
        try:
            sub = resolve(node.model, level=level + 1)
        except SpecError as exc:
            diags += [d.prefixed(prefix) for d in exc.diagnostics]
            continue
        subgraphs[name] = sub
        diags += [d.prefixed(prefix) for d in [*sub.warnings, *(_sequential(sub) if node.model.sequential else [])]]
    for name, node in spec.nodes.items():
        if node.share is None:
            continue
        owner = spec.nodes.get(owners.get(name, name))
        if owner is None:
            continue
        if owner.op is not None:
            message = f"node {name!r} shares op node {node.share!r}; an op has no weights to share"
            diags.append(
                Diagnostic(
                    Code.BAD_SHARE, message, ("nodes", name, "share"), f"write `op: {owner.op}` again", at_key=True
                )
            )
    diags += _model_inputs(spec, owners)
    return subgraphs, diags


def _model_inputs(spec: SpecBody, owners: dict[str, str]) -> Iterator[Diagnostic]:
    """Each call of a nested model feeds it exactly one tensor per input it declares."""
    models = {name for name, node in spec.nodes.items() if node.model is not None}
    for name, node in spec.nodes.items():
        if owners.get(name, name) not in models:
            continue
        owner = spec.nodes.get(owners.get(name, name))
        model = owner.model if owner is not None else None
        if model is None or not node.inputs or len(node.inputs) == len(model.inputs):
            continue
        wanted = ", ".join(model.inputs)
        yield Diagnostic(
            Code.BAD_SUBMODEL,
            f"node {name!r} feeds {len(node.inputs)} tensor{'s' if len(node.inputs) != 1 else ''} to "
            f"a model with {len(model.inputs)} input{'s' if len(model.inputs) != 1 else ''} ({wanted})",
            ("nodes", name, "inputs"),
            "list one reference per sub-model input, in the order of its `inputs:`",
        )


def _sequential(graph: Graph) -> list[Diagnostic]:
    """A ``sequential: true`` model is one input, then a chain of layer or model nodes, each reading the one before."""
    spec = graph.spec
    if len(spec.inputs) != 1 or len(spec.outputs) != 1:
        return [_not_sequential("a sequential model has exactly one input and one output", ("sequential",))]
    previous = next(iter(spec.inputs))
    for name in graph.order:
        node = spec.nodes[name]
        if node.share is not None or node.op is not None or node.inputs != [previous]:
            why = (
                "shares a layer"
                if node.share is not None
                else "is an op"
                if node.op is not None
                else f"does not read only {previous!r}"
            )
            return [
                _not_sequential(f"a sequential model is a chain of layers, but node {name!r} {why}", ("nodes", name))
            ]
        previous = name
    off_chain = [n for n in spec.nodes if n not in graph.order]
    if off_chain:
        return [
            _not_sequential(
                f"a sequential model is a chain of layers, but node {off_chain[0]!r} is not on it",
                ("nodes", off_chain[0]),
            )
        ]
    output = next(iter(spec.outputs))
    if spec.output_source(output) != previous or output != previous:
        return [
            _not_sequential(
                f"a sequential model's output is its last node, {previous!r}, under the same name",
                ("outputs", output),
                f"write `outputs: {{{previous}: {{}}}}`",
            )
        ]
    return []


def _not_sequential(
    message: str, path: Path, hint: str = "drop `sequential: true` to build a functional model"
) -> Diagnostic:
    return Diagnostic(Code.BAD_SUBMODEL, message, path, hint, at_key=True)
