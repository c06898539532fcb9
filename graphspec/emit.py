"""Stage 5, Graph → keras.Model: the only stage that imports Keras.

Layers are created from the catalogue-checked arguments; objects given as
``{class_name, config}`` are instantiated here from allow-listed classes, never
through Keras' generic deserializer. Any exception Keras raises while a node is
created or called becomes a :class:`SpecError` naming that node and its source
position, with Keras' own reason.

Deep graphs: Keras maps a functional graph recursively (``_build_map``), which
overflows Python's default recursion limit near 1,000 chained layers. graphspec
raises the limit to what the graph's depth needs while it builds (and restores
it after) and, for deep graphs, builds in a worker thread with a large stack, so
3,000-layer chains build.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import os
import re
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

from graphspec import catalog
from graphspec.errors import Code, Diagnostic, Path, SpecError
from graphspec.graph import Graph
from graphspec.source import locate
from graphspec.spec import CompileSpec, ModelSpec, Spec, SpecBody, keras_name, node_name, parse_ref

__all__ = ["emit"]

T = TypeVar("T")

# Depth (layers on the longest path) above which the build runs in a big-stack thread.
_DEEP = 250
_FRAMES_PER_LAYER = 40


def _keras() -> Any:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras

    return keras


def emit(graph: Graph, compile: bool = True, max_params: int | None = None, *, max_build_bytes: int | None = None, bytes_per_param: int = 4) -> Any:
    """Build (and by default compile) the Keras model of a resolved, checked graph.

    With ``max_params`` (and ``max_build_bytes``, the estimated peak of the
    build: see :mod:`graphspec.budget`), the graph is first built without allocating any weight
    (under ``keras.StatelessScope(initialize_variables=False)``) to count its
    parameters exactly; a model over the limit is refused before allocation.
    ``validate`` already counts statically; this covers layers without a shape rule.

    Raises:
        SpecError: ``keras-error`` naming the node Keras rejected,
            ``bad-output-index`` for a ``node:i`` the layer does not produce, or
            ``too-many-params``.
    """
    try:
        if max_params is not None:
            _with_depth(graph.depth, lambda: _dry_run(graph, max_params, max_build_bytes, bytes_per_param))
        return _with_depth(graph.depth, lambda: _Emitter(graph).run(compile))
    except SpecError as exc:
        raise SpecError(locate(exc.diagnostics, graph.spec.source if isinstance(graph.spec, Spec) else None)) from None


def _dry_run(graph: Graph, max_params: int, max_build_bytes: int | None = None, bytes_per_param: int = 4) -> None:
    keras = _keras()
    with keras.StatelessScope(initialize_variables=False):
        model = _Emitter(graph).run(compile=False)
        counts = {layer.name: layer.count_params() for layer in model.layers}
    total = sum(counts.values())
    # The build's peak: the weights, and twice the largest layer's again (see graphspec.budget).
    need = bytes_per_param * (total + 2 * max(counts.values(), default=0))
    if max_build_bytes is not None and need > max_build_bytes and total <= max_params:
        biggest = max(counts, key=lambda n: counts[n])
        message = f"building would take about {need:,} bytes ({total:,} parameters, and the largest layer {biggest!r}'s initial values), over the build budget of {max_build_bytes:,}"
        raise SpecError([Diagnostic(Code.TOO_MANY_PARAMS, message, (), "raise --max-build-bytes or Budget(max_build_bytes=...) if this spec is trusted")])
    if total > max_params:
        biggest = max(counts, key=lambda n: counts[n])
        path: Path = ("nodes", node_name(biggest)) if node_name(biggest) in graph.spec.nodes else ()
        raise SpecError(
            [
                Diagnostic(
                    Code.TOO_MANY_PARAMS,
                    f"the model would have {total:,} parameters, over the budget of {max_params:,}; the largest layer, {biggest!r}, has {counts[biggest]:,}",
                    path,
                    "shrink the layer, or raise the budget with --max-params or Budget(max_params=...) if this spec is trusted",
                )
            ]
        )


@contextlib.contextmanager
def _recursion_limit(depth: int) -> Iterator[None]:
    """Raise Python's recursion limit for a graph this deep, and put it back after.

    Only Keras' construction of the functional graph recurses per layer; calling,
    predicting, summarising and saving a deep model work at the normal limit. The
    limit is restored because a raised limit turns a clean RecursionError in C
    code elsewhere in the process (``json.loads`` of deep input) into a crash.
    """
    old = sys.getrecursionlimit()
    needed = depth * _FRAMES_PER_LAYER + 2_000
    if needed > old:
        sys.setrecursionlimit(needed)
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


def _with_depth(depth: int, fn: Callable[[], T]) -> T:
    if depth <= _DEEP:
        with _recursion_limit(depth):
            return fn()
    result: list[T] = []
    error: list[BaseException] = []

    def target() -> None:
        try:
            with _recursion_limit(depth):
                result.append(fn())
        except BaseException as exc:  # re-raised in the caller's thread
            error.append(exc)

    old = threading.stack_size()
    threading.stack_size(min(1 << 30, max(64 << 20, depth * (128 << 10))))
    try:
        worker = threading.Thread(target=target, name="graphspec-build")
        worker.start()
        worker.join()
    finally:
        threading.stack_size(old)
    if error:
        raise error[0]
    return result[0]


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _reason(exc: BaseException) -> str:
    """Keras' own reason, without terminal colours and call-site boilerplate."""
    text = _ANSI.sub("", str(exc)).split("Arguments received by")[0].strip() or type(exc).__name__
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("Exception encountered when calling")]
    short = " ".join(lines[:4])
    return short if len(short) <= 500 else short[:497] + "..."


def _object_classes(kind: str) -> Mapping[str, Any]:
    from keras.src import activations, constraints, initializers, losses, metrics, optimizers, regularizers

    module = {
        "activation": activations,
        "initializer": initializers,
        "regularizer": regularizers,
        "constraint": constraints,
        "loss": losses,
        "metric": metrics,
        "optimizer": optimizers,
    }[kind]
    table: dict[str, Any] = dict(module.ALL_OBJECTS_DICT)
    table.update({v.__name__: v for v in module.ALL_OBJECTS_DICT.values() if isinstance(v, type)})
    return table


def make_object(kind: str, value: Any) -> Any:
    """A Keras object from an allow-listed name or ``{class_name, config}`` (already checked)."""
    if value is None:
        return None
    if isinstance(value, str):
        if kind == "optimizer":
            return _object_classes(kind)[value]()
        return value
    target = _object_classes(kind)[value["class_name"]]
    if not isinstance(target, type):
        return value["class_name"]
    return target(**dict(value.get("config") or {}))


class _Emitter:
    def __init__(self, graph: Graph):
        self.graph = graph
        self.spec: SpecBody = graph.spec
        self.keras = _keras()
        self.layers: dict[str, Any] = {}
        self.tensors: dict[str, Any] = {}

    def fail(self, code: Code, message: str, path: Path, hint: str | None = None) -> SpecError:
        return SpecError([Diagnostic(code, message, path, hint)])

    def run(self, compile: bool, model_name: str | None = None) -> Any:
        keras = self.keras
        for name, inp in self.spec.inputs.items():
            self.tensors[name] = keras.Input(shape=tuple(inp.shape), dtype=inp.dtype, name=name, batch_size=inp.batch_size, sparse=inp.sparse or None)
        for name in self.graph.order:
            self._call_node(name)
        outputs = [self._output(name) for name in self.spec.outputs]
        inputs = [self.tensors[n] for n in self.spec.inputs]
        try:
            model = keras.Model(
                inputs=inputs[0] if len(inputs) == 1 else inputs,
                outputs=outputs[0] if len(outputs) == 1 else outputs,
                name=model_name or self.spec.name,
            )
        except Exception as exc:
            raise self.fail(Code.KERAS_ERROR, f"Keras could not assemble the model: {_reason(exc)}", ("outputs",)) from None
        if compile:
            self._compile(model)
        return model

    def _layer(self, owner: str) -> Any:
        if owner not in self.layers:
            node = self.spec.nodes[owner]
            if node.model is not None:
                self.layers[owner] = self._submodel(owner, node.model, node.args)
            elif node.op is not None:
                self.layers[owner] = self._make_op(owner, node.op, node.args, len(node.inputs))
            else:
                self.layers[owner] = self._make_layer(node.layer, node.args, keras_name(owner), ("nodes", owner))
        return self.layers[owner]

    def _make_layer(self, layer: Any, args: Mapping[str, Any], name: str | None, path: Path) -> Any:
        info = catalog.layer_info(layer)
        assert info is not None, "the catalogue check runs before emit"
        cls = info.custom or getattr(self.keras.layers, layer)
        kwargs: dict[str, Any] = {}
        for key, value in args.items():
            param = info.param(key)
            if param is not None and param.layer_valued:
                kwargs["layer" if key == "wraps" else key] = self._nested(param.layer_valued, value, (*path, key))
            elif (kind := catalog.object_kind(key)) is not None:
                kwargs[key] = self._guard(functools.partial(make_object, kind, value), (*path, key), layer)
            else:
                kwargs[key] = value
        if name is not None:
            kwargs["name"] = name
        return self._guard(lambda: cls(**kwargs), path, layer)

    def _nested(self, how: str, value: Any, path: Path) -> Any:
        if value is None:
            return None
        if isinstance(value, list):
            return [self._nested("one", v, (*path, i)) for i, v in enumerate(value)]
        args = {k: v for k, v in value.items() if k != "layer"}
        return self._make_layer(value["layer"], args, None, path)

    def _guard(self, fn: Callable[[], T], path: Path, layer: str) -> T:
        try:
            return fn()
        except SpecError:
            raise
        except RecursionError:
            raise self.fail(Code.KERAS_ERROR, f"{layer}: the graph is too deep for Keras here", path) from None
        except Exception as exc:
            raise self.fail(Code.KERAS_ERROR, f"Keras rejected this {layer}: {_reason(exc)}", path) from None

    def _tensor(self, ref: str, path: Path) -> Any:
        src, index = parse_ref(ref)
        value = self.tensors[src]
        if index is None:
            return value
        if not isinstance(value, list | tuple):
            raise self.fail(Code.BAD_OUTPUT_INDEX, f"{src!r} produces a single tensor; '{ref}' selects nothing", path, f"write {src!r}")
        if index >= len(value):
            raise self.fail(Code.BAD_OUTPUT_INDEX, f"{src!r} produces {len(value)} tensors; '{ref}' is out of range", path, f"use an index from 0 to {len(value) - 1}")
        return value[index]

    def _call_node(self, name: str) -> None:
        node = self.spec.nodes[name]
        owner = self.graph.layer_owner[name]
        layer = self._layer(owner)
        many = len(node.inputs) > 1
        args = [self._tensor(ref, ("nodes", name, "inputs", i) if many else ("nodes", name, "inputs")) for i, ref in enumerate(node.inputs)]
        decl = self.spec.nodes[owner]
        layer_name = str(decl.layer)
        if decl.op is not None:
            self.tensors[name] = self._call_op(name, decl.op, decl.args, layer, args)
        elif decl.model is not None and not many:
            self.tensors[name] = self._guard(lambda: layer(args[0]), ("nodes", name), "model")
        elif decl.model is not None:
            self.tensors[name] = self._guard(lambda: layer(args), ("nodes", name), "model")
        elif not many:
            self.tensors[name] = self._guard(lambda: layer(args[0]), ("nodes", name), layer_name)
        elif _takes_positional_tensors(layer):
            self.tensors[name] = self._guard(lambda: layer(*args), ("nodes", name), layer_name)
        else:
            self.tensors[name] = self._guard(lambda: layer(args), ("nodes", name), layer_name)

    # sub-models and ops: a `model:` node is a nested keras Model, an `op:` node a keras.ops Operation

    def _submodel(self, owner: str, model: ModelSpec, args: Mapping[str, Any]) -> Any:
        emitter = _Emitter(self.graph.subgraphs[owner])
        try:
            built = emitter.sequential(keras_name(owner)) if model.sequential else emitter.run(compile=False, model_name=keras_name(owner))
        except SpecError as exc:
            raise SpecError([d.prefixed(("nodes", owner, "model")) for d in exc.diagnostics]) from None
        if args.get("trainable") is False:
            built.trainable = False
        return built

    def sequential(self, name: str) -> Any:
        """The graph as a ``keras.Sequential`` (graph.resolve checked it is one input and a chain)."""
        input_name, inp = next(iter(self.spec.inputs.items()))
        first = self.keras.layers.InputLayer(shape=tuple(inp.shape), batch_size=inp.batch_size, dtype=inp.dtype, sparse=inp.sparse or None, name=input_name)
        layers = [first, *(self._layer(n) for n in self.graph.order)]
        return self._guard(lambda: self.keras.Sequential(layers, name=name), (), "Sequential")

    def _make_op(self, owner: str, op: str, args: Mapping[str, Any], n_inputs: int) -> Any:
        info = catalog.op_info(op)
        assert info is not None, "the catalogue check runs before emit"
        constants = {p.name for p in info.constants(n_inputs)}
        kwargs = {k: v for k, v in args.items() if k not in constants}
        cls = _op_class(info.module, info.class_name)
        return self._guard(lambda: cls(**kwargs, name=keras_name(owner)), ("nodes", owner), f"op {op!r}")

    def _call_op(self, name: str, op: str, args: Mapping[str, Any], operation: Any, tensors: list[Any]) -> Any:
        """Call an op on its tensors (one list for ``concatenate``) with its constant call arguments."""
        info = catalog.op_info(op)
        assert info is not None, "the catalogue check runs before emit"
        constants = {p.name: args[p.name] for p in info.constants(len(tensors)) if p.name in args}
        if info.takes_list:
            return self._guard(lambda: operation(tensors, **constants), ("nodes", name), f"op {op!r}")
        return self._guard(lambda: operation(*tensors, **constants), ("nodes", name), f"op {op!r}")

    def _output(self, name: str) -> Any:
        ref = self.spec.output_source(name)
        path: Path = ("outputs", name, "from") if self.spec.outputs[name].from_ is not None else ("outputs", name)
        tensor = self._tensor(ref, path)
        src, index = parse_ref(ref)
        if src == name and index is None and self.graph.layer_owner.get(src) == src:
            return tensor
        # Keras names a model's outputs after the layers that produce them: an
        # output read through `from`, an index or a `share` node needs its own name.
        return self._guard(lambda: self.keras.layers.Identity(name=name)(tensor), path, "Identity")

    def _compile(self, model: Any) -> None:
        spec = self.spec
        assert isinstance(spec, Spec), "only a whole spec is compiled"
        has_loss = any(o.loss is not None for o in spec.outputs.values())
        if spec.compile is None and not has_loss:
            return
        settings = spec.compile or CompileSpec()
        names = list(spec.outputs)
        single = len(names) == 1
        losses = {n: self._guard(functools.partial(make_object, "loss", o.loss), ("outputs", n, "loss"), "loss") for n, o in spec.outputs.items() if o.loss is not None}
        weights = {n: (o.loss_weight if o.loss_weight is not None else 1.0) for n, o in spec.outputs.items() if o.loss is not None}
        explicit_weights = any(o.loss_weight is not None for o in spec.outputs.values())
        metrics = {
            n: [self._guard(functools.partial(make_object, "metric", m), ("outputs", n, "metrics", i), "metric") for i, m in enumerate(o.metrics)]
            for n, o in spec.outputs.items()
            if o.metrics
        }
        kwargs: dict[str, Any] = {
            "optimizer": self._guard(lambda: make_object("optimizer", settings.optimizer), ("compile", "optimizer"), "optimizer"),
            "jit_compile": settings.jit_compile,
            "run_eagerly": settings.run_eagerly,
            "steps_per_execution": settings.steps_per_execution,
        }
        if losses:
            # Keras wants every output in a loss dict; None means "no loss on this output".
            kwargs["loss"] = losses[names[0]] if single else {n: losses.get(n) for n in names}
        if explicit_weights:
            kwargs["loss_weights"] = [weights[names[0]]] if single else weights
        if metrics:
            kwargs["metrics"] = metrics[names[0]] if single else metrics
        self._guard(lambda: model.compile(**kwargs), ("compile",), "compile")


def _takes_positional_tensors(layer: Any) -> bool:
    """Whether ``layer.call`` takes several tensors as separate arguments (MultiHeadAttention)
    rather than one list (Concatenate, Add, Dot, Attention)."""
    try:
        params = list(inspect.signature(layer.call).parameters.values())
    except (TypeError, ValueError):
        return False
    required = [p for p in params if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(required) >= 2


def _op_class(module: str, class_name: str) -> Any:
    """The Operation class of an allow-listed op, from the modules the catalogue was built from."""
    from keras.src.ops import core, linalg, math, nn, numpy

    return getattr({"numpy": numpy, "nn": nn, "math": math, "core": core, "linalg": linalg}[module], class_name)
