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
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

from graphspec import catalog
from graphspec._util.keras import import_keras, reason
from graphspec.errors import Code, Diagnostic, Path, SpecError
from graphspec.graph import Graph, Interface, interfaces, output_layer
from graphspec.source import locate
from graphspec.spec import CompileSpec, ModelSpec, Spec, SpecBody, layer_name, node_name, parse_ref
from graphspec.spec.op_values import to_python as op_value
from graphspec.spec.structure import leaves, pack

__all__ = ["emit", "emit_models"]

T = TypeVar("T")

# Depth (layers on the longest path) above which the build runs in a big-stack thread.
_DEEP = 250
_FRAMES_PER_LAYER = 40


def emit(
    graph: Graph,
    compile: bool = True,
    max_params: int | None = None,
    *,
    max_build_bytes: int | None = None,
    bytes_per_param: int = 4,
) -> Any:
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
    return _emitted(graph, max_params, lambda: _Emitter(graph).run(compile), max_build_bytes, bytes_per_param)


def emit_models(
    graph: Graph,
    compile: bool = True,
    max_params: int | None = None,
    *,
    max_build_bytes: int | None = None,
    bytes_per_param: int = 4,
) -> dict[str, Any]:
    """The spec's own model (first, under the spec's name) and each model of its ``models:``, by name.

    They share one set of layers (so one set of weights); only the spec's own model is
    compiled. Raises as :func:`emit`.
    """
    return _emitted(graph, max_params, lambda: _Emitter(graph).run_all(compile), max_build_bytes, bytes_per_param)


def build_submodel(model: ModelSpec) -> Any:
    """The Keras model of a nested model spec (what the importer rebuilds to compare configs).

    Raises:
        SpecError: for a sub-model that does not check or build.
    """
    from graphspec.graph import resolve

    graph = resolve(model, level=2)
    return _with_depth(graph.depth, lambda: _Emitter(graph).run(compile=False, model_name=model.name))


def _emitted(
    graph: Graph, max_params: int | None, build: Callable[[], T], max_build_bytes: int | None, bytes_per_param: int
) -> T:
    try:
        if max_params is not None:
            _with_depth(graph.depth, lambda: _dry_run(graph, max_params, max_build_bytes, bytes_per_param))
        return _with_depth(graph.depth, build)
    except SpecError as exc:
        raise SpecError(locate(exc.diagnostics, graph.spec.source if isinstance(graph.spec, Spec) else None)) from None


@contextlib.contextmanager
def _forgetting_deferred_variables() -> Iterator[None]:
    """Take the dry run's variables back out of Keras' list of variables to initialise later.

    Keras records every variable made under a stateless scope in one global list and initialises
    the whole list when the next stateless scope without ``initialize_variables=False`` closes.
    The dry run's model is thrown away, and its weights must never be allocated (that is what the
    dry run avoids, for a model the budget refuses too); left in the list they would be, and a
    later scope would fail on any that was initialised meanwhile. What was pending before stays.
    """
    from keras.src.backend.common import global_state

    pending = list(global_state.get_global_attribute("uninitialized_variables") or [])
    try:
        yield
    finally:
        global_state.set_global_attribute("uninitialized_variables", pending)


def _dry_run(graph: Graph, max_params: int, max_build_bytes: int | None = None, bytes_per_param: int = 4) -> None:
    keras = import_keras()
    with _forgetting_deferred_variables(), keras.StatelessScope(initialize_variables=False):
        models = _Emitter(graph).run_all(compile=False)
        counts = {layer.name: layer.count_params() for model in models.values() for layer in model.layers}
    total = sum(counts.values())
    # The build's peak: the weights, and twice the largest layer's again (see graphspec.budget).
    need = bytes_per_param * (total + 2 * max(counts.values(), default=0))
    if max_build_bytes is not None and need > max_build_bytes and total <= max_params:
        biggest = max(counts, key=lambda n: counts[n])
        message = (
            f"building would take about {need:,} bytes ({total:,} parameters, "
            f"and the largest layer {biggest!r}'s initial values), over the build budget of {max_build_bytes:,}"
        )
        raise SpecError(
            [
                Diagnostic(
                    Code.TOO_MANY_PARAMS,
                    message,
                    (),
                    "raise --max-build-bytes or Budget(max_build_bytes=...) if this spec is trusted",
                )
            ]
        )
    if total > max_params:
        biggest = max(counts, key=lambda n: counts[n])
        path: Path = ("nodes", node_name(biggest)) if node_name(biggest) in graph.spec.nodes else ()
        raise SpecError(
            [
                Diagnostic(
                    Code.TOO_MANY_PARAMS,
                    f"the model would have {total:,} parameters, over the budget of {max_params:,}; "
                    f"the largest layer, {biggest!r}, has {counts[biggest]:,}",
                    path,
                    "shrink the layer, or raise the budget with --max-params or Budget(max_params=...) "
                    "if this spec is trusted",
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


@functools.cache
def _keras_objects(kind: str) -> Mapping[str, Any]:
    from keras.src import activations, constraints, initializers, losses, metrics, optimizers, regularizers

    if kind == "schedule":
        module = import_keras().optimizers.schedules
        base = module.LearningRateSchedule
        return {
            n: c
            for n in dir(module)
            if isinstance(c := getattr(module, n), type) and issubclass(c, base) and c is not base
        }
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


def object_classes(kind: str) -> Mapping[str, Any]:
    """The classes and functions a spec may name for a kind: Keras' own, then the registered ones."""
    from graphspec.catalog.objects import registered_objects

    return {**_keras_objects(kind), **registered_objects(kind)}


def make_object(kind: str, value: Any) -> Any:
    """A Keras object from an allow-listed name or ``{class_name, config}`` (already checked).

    Keras' own functions are passed by name (Keras resolves them); registered
    functions as themselves. Nested objects (an optimizer's schedule) are built first.
    """
    from graphspec.catalog import NESTED_OBJECTS
    from graphspec.catalog.objects import registered_object

    if value is None:
        return None
    if isinstance(value, str):
        custom = registered_object(kind, value)
        if custom is not None:
            return custom() if isinstance(custom, type) else custom
        if kind in ("optimizer", "schedule"):
            return object_classes(kind)[value]()
        return value
    target = object_classes(kind)[value["class_name"]]
    if not isinstance(target, type):
        return target if registered_object(kind, value["class_name"]) is not None else value["class_name"]
    config = dict(value.get("config") or {})
    for key, sub_kind in NESTED_OBJECTS.get(kind, {}).items():
        if isinstance(config.get(key), Mapping):
            config[key] = make_object(sub_kind, config[key])
    return target(**config)


class _Emitter:
    def __init__(self, graph: Graph):
        self.graph = graph
        self.spec: SpecBody = graph.spec
        self.keras = import_keras()
        self.layers: dict[str, Any] = {}
        self.tensors: dict[str, Any] = {}
        self.subemitters: dict[str, _Emitter] = {}

    def fail(self, code: Code, message: str, path: Path, hint: str | None = None) -> SpecError:
        return SpecError([Diagnostic(code, message, path, hint)])

    def run(self, compile: bool, model_name: str | None = None) -> Any:
        """The spec's own model (compiled if asked); nested specs get the name of their node (a
        wrapped model its own ``name``, else one Keras makes up)."""
        self.build_graph()
        model = self.assemble(interfaces(self.spec)[0], model_name or self.spec.name)
        if isinstance(self.spec, Spec):
            self.set_trainable(model, self.spec.trainable)
        if compile:
            self._compile(model)
        return model

    def run_all(self, compile: bool) -> dict[str, Any]:
        """The spec's own model and each of its ``models:``, sharing one set of layers."""
        main = self.run(compile)
        models = {main.name: main}
        for interface in interfaces(self.spec)[1:]:
            assert interface.name is not None
            models[interface.name] = self.assemble(interface, interface.name)
        return models

    def build_graph(self) -> None:
        keras = self.keras
        for name, inp in self.spec.inputs.items():
            extra = {"optional": True} if inp.optional else {}
            self.tensors[name] = keras.Input(
                shape=tuple(inp.shape),
                dtype=inp.dtype,
                name=layer_name(name, inp),
                batch_size=inp.batch_size,
                sparse=inp.sparse or None,
                **extra,
            )
        for name in self.graph.order:
            self._call_node(name)

    def assemble(self, interface: Interface, name: str | None) -> Any:
        """A keras.Model over the built tensors: inputs and outputs in the interface's structure."""
        path: Path = interface.path if interface.name is not None else ("outputs",)

        def leaf(ref: str) -> Any:
            if interface.name is None and ref in self.spec.outputs:
                return self._output(ref)
            return self._tensor(ref, (*interface.path, "outputs"))

        outputs = pack(interface.outputs, leaf)
        inputs = pack(interface.inputs, self.tensors.__getitem__)
        try:
            return self.keras.Model(inputs=inputs, outputs=outputs, name=name)
        except Exception as exc:
            raise self.fail(
                Code.KERAS_ERROR, f"Keras could not assemble {interface.label()}: {reason(exc)}", path
            ) from None

    def set_trainable(self, model: Any, trainable: bool) -> None:
        """Keras' freezing: a model's ``trainable: false`` freezes it and every layer in it, as
        ``model.trainable = False`` does, except layers (and models) that say ``trainable`` themselves."""
        if not trainable:
            model.trainable = False
        for owner, layer in self.layers.items():
            node = self.spec.nodes[owner]
            if node.op is not None:
                continue
            explicit = node.args.get("trainable")
            flag = trainable if explicit is None else bool(explicit)
            if layer.trainable != flag:
                layer.trainable = flag
            if owner in self.subemitters:
                self.subemitters[owner].set_trainable(layer, flag)

    def _layer(self, owner: str) -> Any:
        if owner not in self.layers:
            node = self.spec.nodes[owner]
            if node.model is not None:
                self.layers[owner] = self._submodel(owner, node.model)
            elif node.op is not None:
                self.layers[owner] = self._make_op(owner, node.op, node.args, len(node.inputs))
            else:
                self.layers[owner] = self._make_layer(node.layer, node.args, layer_name(owner, node), ("nodes", owner))
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
            elif info.custom is not None and isinstance(value, Mapping) and "layer" in value:
                kwargs[key] = self._nested("one", value, (*path, key))  # a registered layer taking a layer
            else:
                kwargs[key] = value
        if name is None:
            return self._guard(lambda: cls(**kwargs), path, layer)
        if info.forwards_base_kwargs or info.param("name") is not None:
            return self._guard(lambda: cls(**kwargs, name=name), path, layer)
        # A registered class whose constructor takes no `name`: Keras names it after its class;
        # renaming it before it is built keeps weights loading by the node's name.
        built = self._guard(lambda: cls(**kwargs), path, layer)
        built.name = name
        return built

    def _nested(self, how: str, value: Any, path: Path) -> Any:
        if value is None:
            return None
        if isinstance(value, list):
            return [self._nested("one", v, (*path, i)) for i, v in enumerate(value)]
        if "model" in value and "layer" not in value:
            return self._wrapped_model(value, path)
        args = {k: v for k, v in value.items() if k != "layer"}
        return self._make_layer(value["layer"], args, None, path)

    def _wrapped_model(self, value: Mapping[str, Any], path: Path) -> Any:
        """A model a wrapper wraps (``TimeDistributed``), built from its checked graph."""
        graph = self.graph.wrapped[tuple(path[1:])]
        try:
            model = _Emitter(graph).run(compile=False, model_name=graph.spec.name)
        except SpecError as exc:
            raise SpecError([d.prefixed((*path, "model")) for d in exc.diagnostics]) from None
        if value.get("trainable") is False:
            model.trainable = False
        return model

    def _guard(self, fn: Callable[[], T], path: Path, layer: str) -> T:
        try:
            return fn()
        except SpecError:
            raise
        except RecursionError:
            raise self.fail(Code.KERAS_ERROR, f"{layer}: the graph is too deep for Keras here", path) from None
        except Exception as exc:
            raise self.fail(Code.KERAS_ERROR, f"Keras rejected this {layer}: {reason(exc)}", path) from None

    def _tensor(self, ref: str, path: Path) -> Any:
        src, index = parse_ref(ref)
        value = self.tensors[src]
        if index is None:
            return value
        if not isinstance(value, list | tuple):
            raise self.fail(
                Code.BAD_OUTPUT_INDEX,
                f"{src!r} produces a single tensor; '{ref}' selects nothing",
                path,
                f"write {src!r}",
            )
        if index >= len(value):
            raise self.fail(
                Code.BAD_OUTPUT_INDEX,
                f"{src!r} produces {len(value)} tensors; '{ref}' is out of range",
                path,
                f"use an index from 0 to {len(value) - 1}",
            )
        return value[index]

    def _call_value(self, value: Any, path: Path) -> Any:
        """A call argument: references as the tensors they name, lists as lists, plain values as they are."""
        if isinstance(value, str):
            return self._tensor(value, path)
        if isinstance(value, list):
            return [self._call_value(v, (*path, i)) for i, v in enumerate(value)]
        return value

    def _call_node(self, name: str) -> None:
        node = self.spec.nodes[name]
        owner = self.graph.layer_owner[name]
        layer = self._layer(owner)
        many = len(node.inputs) > 1
        args = [
            self._tensor(ref, ("nodes", name, "inputs", i) if many else ("nodes", name, "inputs"))
            for i, ref in enumerate(node.inputs)
        ]
        kwargs = {key: self._call_value(value, ("nodes", name, "call", key)) for key, value in node.call.items()}
        decl = self.spec.nodes[owner]
        if decl.op is not None:
            result = self._call_op(name, decl.op, decl.args, layer, args, kwargs)
        elif decl.model is not None:
            result = self._call_model(name, owner, layer, args, kwargs)
        else:
            info = catalog.layer_info(str(decl.layer))
            assert info is not None, "the catalogue check runs before emit"
            if many and info.positional_tensors:
                result = self._guard(lambda: layer(*args, **kwargs), ("nodes", name), str(decl.layer))
            else:
                result = self._guard(
                    lambda: layer(args if many else args[0], **kwargs), ("nodes", name), str(decl.layer)
                )
        self.tensors[name] = list(result) if isinstance(result, tuple) else result

    # sub-models and ops: a `model:` node is a nested keras Model, an `op:` node a keras.ops Operation

    def _submodel(self, owner: str, model: ModelSpec) -> Any:
        emitter = self.subemitters[owner] = _Emitter(self.graph.subgraphs[owner])
        name = layer_name(owner, self.spec.nodes[owner])
        try:
            return emitter.sequential(name) if model.sequential else emitter.run(compile=False, model_name=name)
        except SpecError as exc:
            raise SpecError([d.prefixed(("nodes", owner, "model")) for d in exc.diagnostics]) from None

    def _call_model(self, name: str, owner: str, model: Any, args: list[Any], kwargs: Mapping[str, Any]) -> Any:
        """Call a nested model: the node's tensors packed as its inputs' structure, its outputs
        returned in the order of its ``outputs:`` (what ``node:i`` selects)."""
        sub = self.graph.subgraphs[owner].spec
        own = interfaces(sub)[0]
        given = dict(zip(sub.inputs, args, strict=False))
        packed = pack(own.inputs, given.__getitem__)
        result = self._guard(lambda: model(packed, **kwargs), ("nodes", name), "model")
        found = dict(zip((leaf for leaf, _ in leaves(own.outputs)), _flat_like(own.outputs, result), strict=False))
        values = [found[n] for n in sub.outputs]
        return values[0] if len(values) == 1 else values

    def sequential(self, name: str) -> Any:
        """The graph as a ``keras.Sequential`` (graph.resolve checked it is one input and a chain)."""
        input_name, inp = next(iter(self.spec.inputs.items()))
        first = self.keras.layers.InputLayer(
            shape=tuple(inp.shape),
            batch_size=inp.batch_size,
            dtype=inp.dtype,
            sparse=inp.sparse or None,
            name=layer_name(input_name, inp),
        )
        layers = [first, *(self._layer(n) for n in self.graph.order)]
        return self._guard(lambda: self.keras.Sequential(layers, name=name), (), "Sequential")

    def _make_op(self, owner: str, op: str, args: Mapping[str, Any], n_inputs: int) -> Any:
        info = catalog.op_info(op)
        assert info is not None, "the catalogue check runs before emit"
        constants = {p.name for p in info.constants(n_inputs)}
        kwargs = {k: v for k, v in args.items() if k not in constants}
        cls = op_class(info.module, info.class_name)
        name = layer_name(owner, self.spec.nodes[owner])
        return self._guard(lambda: cls(**kwargs, name=name), ("nodes", owner), f"op {op!r}")

    def _call_op(
        self, name: str, op: str, args: Mapping[str, Any], operation: Any, tensors: list[Any], call: Mapping[str, Any]
    ) -> Any:
        """Call an op on its tensors (one list for ``concatenate``) with its constant call arguments
        and ``call:`` tensors."""
        info = catalog.op_info(op)
        assert info is not None, "the catalogue check runs before emit"
        constants = {p.name: op_value(op, p.name, args[p.name]) for p in info.constants(len(tensors)) if p.name in args}
        constants.update(call)
        if info.takes_list:
            return self._guard(lambda: operation(tensors, **constants), ("nodes", name), f"op {op!r}")
        # By position as far as the call's order allows (`x + c` is add(x, c)), as Keras records most calls.
        positional = list(tensors)
        for param in info.call[len(tensors) :]:
            if param.name not in constants:
                break
            positional.append(constants.pop(param.name))
        return self._guard(lambda: operation(*positional, **constants), ("nodes", name), f"op {op!r}")

    def _output(self, name: str) -> Any:
        ref = self.spec.output_source(name)
        path: Path = ("outputs", name, "from") if self.spec.outputs[name].from_ is not None else ("outputs", name)
        tensor = self._tensor(ref, path)
        if not output_layer(self.spec, name, self.graph.layer_owner):
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
        losses = {
            n: self._guard(functools.partial(make_object, "loss", o.loss), ("outputs", n, "loss"), "loss")
            for n, o in spec.outputs.items()
            if o.loss is not None
        }
        weights = {
            n: (o.loss_weight if o.loss_weight is not None else 1.0)
            for n, o in spec.outputs.items()
            if o.loss is not None
        }
        explicit_weights = any(o.loss_weight is not None for o in spec.outputs.values())
        metrics, weighted = (
            {
                n: [
                    self._guard(functools.partial(make_object, "metric", m), ("outputs", n, what, i), "metric")
                    for i, m in enumerate(getattr(o, what))
                ]
                for n, o in spec.outputs.items()
                if getattr(o, what)
            }
            for what in ("metrics", "weighted_metrics")
        )
        kwargs: dict[str, Any] = {
            "optimizer": self._guard(
                lambda: make_object("optimizer", settings.optimizer), ("compile", "optimizer"), "optimizer"
            ),
            "jit_compile": settings.jit_compile,
            "run_eagerly": settings.run_eagerly,
            "steps_per_execution": settings.steps_per_execution,
        }
        by_output = _ByOutput(spec, model)
        if losses:
            # Keras wants every output in a loss dict; None means "no loss on this output".
            kwargs["loss"] = by_output(losses, every=True)
        if explicit_weights:
            kwargs["loss_weights"] = by_output(weights, every=False, one_as_list=True)
        for key, values in (("metrics", metrics), ("weighted_metrics", weighted)):
            if values:
                kwargs[key] = by_output(values, every=False)
        self._guard(lambda: model.compile(**kwargs), ("compile",), "compile")


class _ByOutput:
    """A per-output compile value in the form Keras matches to the model's outputs: the value itself
    for one output, a mapping by Keras output name for a list of outputs, and the outputs' own
    structure (dicts keyed as the outputs are) for any other structure."""

    def __init__(self, spec: Spec, model: Any):
        self.tree = interfaces(spec)[0].outputs
        self.names = set(spec.outputs)
        self.keras_names = dict(zip((leaf for leaf, _ in leaves(self.tree)), model.output_names, strict=True))

    def __call__(self, values: Mapping[str, Any], every: bool, one_as_list: bool = False) -> Any:
        """``every``: name each output (``None`` where it has no value), else only those with one."""
        if isinstance(self.tree, str):
            value = values.get(self.tree)
            return [value] if one_as_list else value
        if isinstance(self.tree, list) and all(t in self.names for t in self.tree):
            return {self.keras_names[n]: values.get(n) for n in self.tree if every or n in values}
        return pack(self.tree, values.get)


def _flat_like(tree: Any, value: Any) -> list[Any]:
    """``value``'s leaves in the order of ``tree``'s (a model's outputs come back in its structure)."""
    if isinstance(tree, Mapping):
        return [leaf for key, sub in tree.items() for leaf in _flat_like(sub, value[key])]
    if isinstance(tree, list):
        return [leaf for sub, item in zip(tree, value, strict=True) for leaf in _flat_like(sub, item)]
    return [value]


def op_class(module: str, class_name: str) -> Any:
    """The Operation class of an allow-listed op, from the modules the catalogue was built from."""
    from keras.src.ops import core, linalg, math, nn, numpy

    return getattr({"numpy": numpy, "nn": nn, "math": math, "core": core, "linalg": linalg}[module], class_name)
