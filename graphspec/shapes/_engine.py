"""The walk over a graph: feed each node's rule its inputs, attribute weights to layer owners, collect diagnostics."""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from graphspec.errors import Code, Diagnostic, Path, Severity
from graphspec.graph import Graph
from graphspec.shapes._base import (
    Call,
    Result,
    Rule,
    ShapeError,
    Tensor,
    Unsupported,
    Weight,
    fmt,
    op_label,
    with_defaults,
)
from graphspec.shapes._rules import CALL_ARGS, RULES
from graphspec.shapes._types import UNKNOWN, Inference, NodeInfo, TensorInfo
from graphspec.spec import parse_ref

__all__ = ["SHAPE_MISMATCH", "check_shapes", "infer"]

SHAPE_MISMATCH = "shape-mismatch"

# Call arguments that never change a layer's output shapes (a mask, the training switch).
UNIVERSAL_CALL_ARGS = frozenset({"training", "mask"})


class _PendingCode(str, enum.Enum):
    """Stands in for ``Code.SHAPE_MISMATCH`` until graphspec.errors defines it."""

    SHAPE_MISMATCH = SHAPE_MISMATCH


def shape_code() -> Code:
    """``Code.SHAPE_MISMATCH``, looked up when needed (a str-enum with the same value until it exists)."""
    try:
        return Code(SHAPE_MISMATCH)
    except ValueError:
        return cast(Code, _PendingCode.SHAPE_MISMATCH)


# Rules are pure functions of their arguments; a rule tripping over an argument
# value the catalogue let through (a string where a number goes, ...) must not
# crash validation: the node's outputs become unknown instead.
_RULE_FAILURES = (Unsupported, TypeError, ValueError, KeyError, IndexError, ZeroDivisionError, AttributeError)


@dataclass
class _Built:
    node: str
    call: Call
    result: Result


class _Walk:
    def __init__(self, graph: Graph, rules: Mapping[str, Rule], call_args: Mapping[str, frozenset[str]]):
        self.graph = graph
        self.spec = graph.spec
        self.rules = rules
        self.call_args = call_args
        self.values: dict[str, list[TensorInfo]] = {}
        self.opaque: set[str] = set()  # nodes whose outputs (even their number) are unknown
        self.built: dict[str, _Built] = {}  # layer owner → the first call that built its weights
        self.diags: list[Diagnostic] = []
        self.nodes: dict[str, NodeInfo] = {}
        self.unknown: list[str] = []
        live = set(graph.order)
        self.holder: dict[str, str] = {}  # layer owner → the node its parameters are counted at
        self.inner: dict[str, Inference] = {}  # model node → what its nested graph infers
        for name in graph.order:
            owner = graph.layer_owner.get(name, name)
            self.holder.setdefault(owner, owner if owner in live else name)

    def error(self, message: str, path: Path, hint: str | None = None, code: Code | None = None) -> None:
        self.diags.append(Diagnostic(code or shape_code(), message, path, hint))

    def warn(self, message: str, path: Path) -> None:
        if not any(d.message == message and d.path == path for d in self.diags):
            self.diags.append(Diagnostic(shape_code(), message, path, severity=Severity.WARNING))

    def resolve(self, ref: str, path: Path | Callable[[], Path]) -> list[TensorInfo] | None:
        """The tensors a reference passes: one, all of a multi-output node's, or None if unknown.

        ``path`` (or a function making it, as only an error needs it) locates the reference.
        """
        src, index = (ref, None) if ":" not in ref else parse_ref(ref)
        values = self.values.get(src)
        if values is None or src in self.opaque:
            return None
        if index is None:
            return values
        if callable(path):
            path = path()
        if src in self.spec.inputs:
            return None  # graph.resolve reports 'input:i'
        if index >= len(values):
            if len(values) == 1:
                self.error(
                    f"{src!r} produces a single tensor; '{ref}' selects nothing",
                    path,
                    f"write {src!r}",
                    Code.BAD_OUTPUT_INDEX,
                )
            else:
                self.error(
                    f"{src!r} produces {len(values)} tensors; '{ref}' is out of range",
                    path,
                    f"use an index from 0 to {len(values) - 1}",
                    Code.BAD_OUTPUT_INDEX,
                )
            return None
        return [values[index]]

    def run(self) -> Inference:
        for name, inp in self.spec.inputs.items():
            self.values[name] = [TensorInfo((inp.batch_size, *inp.shape), inp.dtype)]
        for name in self.graph.order:
            self.node(name)
        outputs: dict[str, TensorInfo] = {}
        for name, out in self.spec.outputs.items():
            path: Path = ("outputs", name, "from") if out.from_ is not None else ("outputs", name)
            got = self.resolve(self.spec.output_source(name), path)
            outputs[name] = got[0] if got is not None and len(got) == 1 else UNKNOWN
        infos = list(self.nodes.values())
        return Inference(
            nodes=self.nodes,
            inputs={n: self.values[n][0] for n in self.spec.inputs},
            outputs=outputs,
            total_params=_total(i.params for i in infos),
            # A frozen model (`trainable: false`) has no trainable weights, whatever its layers say.
            trainable_params=_total(i.trainable_params for i in infos) if getattr(self.spec, "trainable", True) else 0,
            total_flops=_total(i.flops for i in infos),
            unknown=self.unknown,
            diagnostics=self.diags,
            submodels=self.inner,
        )

    def gather(self, name: str, refs: list[str]) -> tuple[list[TensorInfo], list[str], bool]:
        """The tensors a node's references pass, where each came from, and whether all are known."""
        tensors: list[TensorInfo] = []
        sources: list[str] = []
        complete = True
        many = len(refs) > 1
        for i, ref in enumerate(refs):
            got = self.resolve(ref, functools.partial(_input_path, name, i if many else None))
            if got is None:
                complete = False
                continue
            if len(got) > 1 and many:
                complete = False  # a nested list of tensors: not a form graphspec models
            tensors += got
            sources += [ref] if len(got) == 1 else [f"{ref}:{j}" for j in range(len(got))]
        return tensors, sources, complete

    def node(self, name: str) -> None:
        node = self.spec.nodes[name]
        owner = self.graph.layer_owner.get(name, name)
        decl = self.spec.nodes[owner]
        if decl.model is not None:
            self.model_node(name, owner)
            return
        layer = str(decl.layer) if decl.op is None else op_label(decl.op)
        counts_here = self.holder[owner] == name
        rule = self.rules.get(layer)
        if rule is None:
            self.unknown.append(name)
            self.opaque.add(name)
            self.values[name] = [UNKNOWN]
            unknown_params = None if counts_here and decl.op is None else 0  # an op has no weights
            self.nodes[name] = NodeInfo(layer, [UNKNOWN], unknown_params, unknown_params, None, known=False)
            return

        tensors, sources, complete = self.gather(name, node.inputs)
        listed = len(node.inputs) > 1 or len(tensors) > 1
        kwargs = {key: self.call_value(value, ("nodes", name, "call", key)) for key, value in node.call.items()}
        # A call argument the rule does not model could change the outputs: then they are unknown, never wrong.
        modelled = not (set(node.call) - UNIVERSAL_CALL_ARGS - self.call_args.get(layer, frozenset()))

        result: Result | None = None
        if complete and modelled and all(t.shape is not None for t in tensors):
            call = Call(
                layer,
                with_defaults(layer, decl.args),
                tuple(tensors),
                tuple(sources),
                listed,
                len(node.inputs),
                self.rules,
                kwargs,
            )
            try:
                result = rule(call)
            except ShapeError as exc:
                self.error(exc.message, ("nodes", name), exc.hint)
            except _RULE_FAILURES:
                result = None
            if result is not None and not _sane(result):
                result = None
            if result is not None:
                self.check_result(name, owner, call, result)

        if result is None:
            self.opaque.add(name)
            self.values[name] = [UNKNOWN]
        else:
            self.values[name] = result.outputs
        params: int | None = 0
        trainable: int | None = 0
        if counts_here:
            built = self.built.get(owner)
            params, trainable = (
                (None, None) if built is None else _count(built.result.weights, bool(decl.args.get("trainable", True)))
            )
        self.nodes[name] = NodeInfo(
            layer, list(self.values[name]), params, trainable, None if result is None else result.flops, known=True
        )

    def call_value(self, value: Any, path: Path) -> Any:
        """A call argument for rules: each reference as the tensor(s) it passes (unknown ones as UNKNOWN)."""
        if isinstance(value, list):
            return [self.call_value(v, (*path, i)) for i, v in enumerate(value)]
        if not isinstance(value, str):
            return value
        got = self.resolve(value, path)
        if got is None:
            return Tensor(UNKNOWN, value)
        return Tensor(got[0], value) if len(got) == 1 else [Tensor(t, f"{value}:{i}") for i, t in enumerate(got)]

    def check_result(self, name: str, owner: str, call: Call, result: Result) -> None:
        """The warnings a rule's result carries, weights that need unknown dims, and the fit of a shared layer."""
        for message in result.warnings:
            self.warn(message, ("nodes", name))
        for w in result.weights:
            if None in w.shape:
                self.warn(
                    f"{call.layer} needs known dims to create its weights: "
                    f"{w.name} would have shape {fmt(w.shape)} from {call.got()}",
                    ("nodes", name),
                )
                break
        self.check_shared(name, owner, call, result)

    # sub-models: a `model:` node infers through its nested graph, once per model

    def model_node(self, name: str, owner: str) -> None:
        model = self.spec.nodes[owner].model
        assert model is not None, "called for model nodes"
        inner = self.inner.get(owner)
        if inner is None:
            inner = self.inner[owner] = _Walk(self.graph.subgraphs[owner], self.rules, self.call_args).run()
            self.diags += [d.prefixed(("nodes", owner, "model")) for d in inner.diagnostics]
            self.unknown += [f"{owner}.model.{n}" for n in inner.unknown]
        tensors, sources, complete = self.gather(name, self.spec.nodes[name].inputs)
        if complete:
            self.check_model_inputs(name, list(inner.inputs.items()), tensors, sources)
        batch = tensors[0].shape[0] if tensors and tensors[0].shape else None
        outputs = [t if t.shape is None else TensorInfo((batch, *t.shape[1:]), t.dtype) for t in inner.outputs.values()]
        self.values[name] = outputs
        counts_here = self.holder[owner] == name
        frozen = self.spec.nodes[owner].args.get("trainable") is False
        params, trainable = (inner.total_params, 0 if frozen else inner.trainable_params) if counts_here else (0, 0)
        self.nodes[name] = NodeInfo(
            "Sequential" if model.sequential else "Functional",
            outputs,
            params,
            trainable,
            inner.total_flops,
            known=True,
        )

    def check_model_inputs(
        self, name: str, declared: list[tuple[str, TensorInfo]], given: list[TensorInfo], sources: list[str]
    ) -> None:
        """Each tensor fed to a sub-model fits the input it is fed to: same rank, known dims equal (batch aside)."""
        for (input_name, want), got, source in zip(declared, given, sources, strict=False):
            if want.shape is None or got.shape is None:
                continue
            fits = len(want.shape) == len(got.shape) and all(
                a is None or b is None or a == b for a, b in zip(want.shape[1:], got.shape[1:], strict=True)
            )
            if not fits:
                self.error(
                    f"the model of {name!r} takes input {input_name!r} of shape {fmt(want.shape)}; "
                    f"got {fmt(got.shape)} from {source}",
                    ("nodes", name, "inputs"),
                    "feed it a tensor of the shape its `inputs:` declares",
                )

    def check_shared(self, name: str, owner: str, call: Call, result: Result) -> None:
        """Record the first call of a layer; check a later call would fit the weights it built."""
        first = self.built.get(owner)
        if first is None:
            self.built[owner] = _Built(name, call, result)
            return
        mismatch = _mismatch(first.result.weights, result.weights)
        if mismatch is not None:
            built_for, needs = mismatch
            self.error(
                f"{name!r} shares the {call.layer} layer of {first.node!r}, "
                f"whose weights were built for {first.call.got()}; "
                f"got {call.got()}, which needs {needs.name} of shape {fmt(needs.shape)}, not {fmt(built_for.shape)}",
                ("nodes", name),
                "a shared layer has one set of weights: give both calls inputs of the same feature size",
            )


def _input_path(name: str, index: int | None) -> Path:
    return ("nodes", name, "inputs") if index is None else ("nodes", name, "inputs", index)


def _dims(shape: Iterable[object] | None) -> bool:
    """Whether a shape is made of dims: ``None`` or integers ≥ 0 (``bool`` is no dim)."""
    if shape is None:
        return False
    for d in shape:
        if d is None:
            continue
        if type(d) is int:  # the common case, without the isinstance checks below
            if d < 0:
                return False
        elif not isinstance(d, int) or isinstance(d, bool) or d < 0:
            return False
    return True


def _sane(result: Result) -> bool:
    """Whether a rule's answer is made of dims (an argument of the wrong type can slip through arithmetic)."""
    flops = result.flops
    if flops is not None and (not isinstance(flops, int) or flops < 0):
        return False
    if not result.outputs:
        return False
    for t in result.outputs:
        if not _dims(t.shape):
            return False
    for w in result.weights:  # noqa: SIM110 (a plain loop: all() of a generator costs more here, on every node)
        if not _dims(w.shape):
            return False
    return True


def _mismatch(first: list[Weight], later: list[Weight]) -> tuple[Weight, Weight] | None:
    for a, b in zip(first, later, strict=False):
        if len(a.shape) != len(b.shape) or any(
            x is not None and y is not None and x != y for x, y in zip(a.shape, b.shape, strict=True)
        ):
            return a, b
    return None


def _count(weights: list[Weight], trainable_layer: bool) -> tuple[int | None, int | None]:
    total = trainable = 0
    for w in weights:
        size = 1
        for d in w.shape:  # Weight.size, without two calls per weight
            if d is None:
                return None, None
            size *= d
        total += size
        if w.trainable and (trainable_layer or not w.own):
            trainable += size
    return total, trainable


def _total(values: Iterable[int | None]) -> int | None:
    """The sum, or None if any part is unknown."""
    total = 0
    for v in values:
        if v is None:
            return None
        total += v
    return total


def infer(graph: Graph, rules: Mapping[str, Rule] | None = None) -> Inference:
    """Infer every live node's output shapes and dtypes, parameter counts and FLOPs, without Keras.

    ``rules`` replaces the dispatch table (default: :data:`graphspec.shapes.RULES`).
    """
    return _Walk(graph, RULES if rules is None else rules, CALL_ARGS).run()


def check_shapes(graph: Graph) -> list[Diagnostic]:
    """The shape errors (``shape-mismatch``) and warnings of a graph, paths unlocated."""
    return infer(graph).diagnostics
