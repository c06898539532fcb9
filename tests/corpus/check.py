"""Import one corpus model, build it back and compare: the outcome that tests/corpus/expected.py speaks of.

The comparison is the project's fidelity criteria (tests/fidelity.py), taken
aspect by aspect so that a model that differs says in which ways, plus what a
corpus of real models needs on top: the structure of inputs and outputs (a dict
stays a dict), the compile settings, model-level ``trainable``, and the fixed
point ``normalise(from_keras(build(S))) == normalise(S)``.
"""

from __future__ import annotations

import contextlib
import json
import re
import time
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import graphspec
from graphspec import SpecError
from graphspec.diff import diff_specs, normalise
from graphspec.importer import comparable_config
from tests.corpus import Entry
from tests.corpus.expected import Differs, Refused

# The ways a rebuilt model can differ from the original, in the order they are checked.
ASPECTS = (
    "layers",
    "classes",
    "configs",
    "params",
    "trainable",
    "inputs",
    "outputs",
    "structure",
    "predictions",
    "compile",
    "fixed-point",
)
ATOL = 1e-5


@dataclass
class Outcome:
    """What happened to one model.

    ``stage`` is ``pass``, ``differs`` (it imported and built, but not to the same
    model: ``differs`` says how), or where a ``SpecError`` stopped it: ``import``
    (``from_keras`` refused it), ``build`` (the imported spec did not build) or
    ``reimport`` (the rebuilt model did not import again).
    """

    stage: str
    code: str | None = None
    message: str = ""
    differs: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    facts: set[str] = field(default_factory=set)

    @property
    def passed(self) -> bool:
        return self.stage == "pass"

    def summary(self) -> str:
        if self.passed:
            return "round-trips"
        if self.stage == "differs":
            return "differs in " + "; ".join(f"{k}: {v}" for k, v in self.differs.items())
        first = self.message.strip().splitlines()[0] if self.message.strip() else ""
        return f"{self.stage}: [{self.code}] {first}"


def run(entry: Entry) -> Outcome:
    """Build the entry's model, import it, rebuild it and compare; never raises for what graphspec does."""
    import keras

    # Keras' automatic layer names (dense_1...) start afresh, so the table can name them. Without the
    # full garbage collection clear_session does by default: it takes most of a second with TensorFlow
    # loaded, longer than checking most models; Python's own collector frees the models.
    keras.backend.clear_session(free_memory=False)
    with _registered(entry.custom), _registered_objects(entry.objects), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        source = entry.build()
        reference = _reference(source) if entry.json else source
        outcome = _round_trip(source, reference, entry)
        outcome.facts = _facts(source)
    outcome.warnings = sorted({str(w.message).splitlines()[0] for w in caught if _is_graphspec_warning(w)})
    return outcome


def _round_trip(source: Any, reference: Any, entry: Entry) -> Outcome:
    seconds: dict[str, float] = {}
    start = time.perf_counter()
    try:
        spec = graphspec.from_keras(source)
    except SpecError as err:
        return Outcome("import", err.codes[0], str(err))
    seconds["from_keras"] = time.perf_counter() - start
    start = time.perf_counter()
    try:
        rebuilt = graphspec.build(spec)
    except SpecError as err:
        return Outcome("build", err.codes[0], str(err), seconds=seconds)
    seconds["build"] = time.perf_counter() - start
    if reference is None:
        return Outcome(
            "differs", differs={"reference": "Keras itself cannot load this model, yet it imported"}, seconds=seconds
        )
    differs = compare(reference, rebuilt, entry)
    try:
        again = graphspec.from_keras(rebuilt)
    except SpecError as err:
        return Outcome("reimport", err.codes[0], str(err), differs=differs, seconds=seconds)
    if normalise(again) != normalise(spec):
        differs["fixed-point"] = _first_line(diff_specs(spec, again).render())
    return Outcome("differs" if differs else "pass", differs=differs, seconds=seconds)


def _reference(text: str) -> Any:
    """The model Keras itself loads from a JSON file (its legacy Keras 2 loader where its own cannot), or None."""
    import keras

    try:
        return keras.models.model_from_json(text)
    except Exception:
        pass
    try:
        from keras.src.legacy.saving import saving_utils

        from graphspec.importer import keras2_config

        # Keras' legacy loader, on the config with the two fixes graphspec makes before it calls that loader
        # (a Keras 2 Sequential's batch_input_shape as an InputLayer, time_major: false left out).
        return saving_utils.model_from_config(keras2_config(json.loads(text)))
    except Exception:
        return None


def _facts(source: Any) -> set[str]:
    """Every name in the model: of its layers (nested ones too), their classes, and each name and class name in
    its config and compile config. A refusal may name only what is there."""
    found: set[str] = set()
    if isinstance(source, str):
        configs: list[Any] = [json.loads(source)]
    else:
        found |= {source.name, type(source).__name__}
        found |= {n for layer in source._flatten_layers() for n in (layer.name, type(layer).__name__)}
        configs = []
        for get in (source.get_config, source.get_compile_config):
            with contextlib.suppress(Exception):  # a subclassed model without a config has its names above
                configs.append(get())

    def walk(value: Any) -> None:
        if isinstance(value, Mapping):
            found.update(
                v
                for k, v in value.items()
                if k in ("name", "class_name", "registered_name", "config") and isinstance(v, str)
            )
            for v in value.values():
                walk(v)
        elif isinstance(value, list | tuple):
            for v in value:
                walk(v)

    walk(configs)
    return found


def mismatch(outcome: Outcome, expected: Refused | Differs | None) -> str | None:
    """How an outcome departs from its expectation (None when it is exactly what the table says)."""
    if expected is None:
        return None if outcome.passed else f"expected to round-trip, but {outcome.summary()}"
    if isinstance(expected, Differs):
        if outcome.stage != "differs" or set(outcome.differs) != expected.aspects:
            return f"expected to differ in exactly {sorted(expected.aspects)}, but {outcome.summary()}"
        return None
    if (outcome.stage, outcome.code) != (expected.stage, expected.code):
        return f"expected {expected.stage}: [{expected.code}], but {outcome.summary()}"
    problems = [
        f"the message does not contain {text!r}"
        for text in (expected.names, expected.says, expected.false)
        if text and text not in outcome.message
    ]
    if expected.names not in outcome.facts:
        problems.append(f"{expected.names!r} is not a layer, input or object of this model")
    return "; ".join(problems) + f"\n{outcome.message}" if problems else None


def _is_graphspec_warning(w: warnings.WarningMessage) -> bool:
    return "graphspec" in (w.filename or "") or "graphspec" in str(w.message)


@contextlib.contextmanager
def _registered_objects(objects: tuple[tuple[Any, str], ...]) -> Iterator[None]:
    """The entry's custom objects registered with graphspec (graphspec.register_object), and taken out after."""
    for obj, kind in objects:
        graphspec.register_object(obj, kind=kind)
    try:
        yield
    finally:
        for obj, kind in objects:
            graphspec.unregister_object(obj.__name__, kind)


@contextlib.contextmanager
def _registered(classes: tuple[type, ...]) -> Iterator[None]:
    """The entry's custom classes registered with graphspec, as a user does before importing; the registry is global, so
    what the run registered (the importer registers Keras' application layers too) is taken out after."""
    before = set(graphspec.catalog.registered_layers())
    for cls in classes:
        if cls.__name__ not in before:
            graphspec.register_layer(cls)
    try:
        yield
    finally:
        for name in set(graphspec.catalog.registered_layers()) - before:
            graphspec.unregister_layer(name)


# ---------------------------------------------------------------------------
# the comparison


def compare(old: Any, new: Any, entry: Entry) -> dict[str, str]:
    """Every aspect in which ``new`` (built from the imported spec) is not ``old``, with what differs."""
    differs: dict[str, str] = {}
    sequential = type(old).__name__ == "Sequential"  # imported as a flat spec: its input is named anew
    checks = {
        "layers": _layer_names,
        "classes": _layer_classes,
        "configs": _layer_configs,
        "params": lambda m: (m.count_params(), _count(m.trainable_weights), _count(m.non_trainable_weights)),
        "trainable": lambda m: m.trainable,
        "inputs": lambda m: [(None if sequential else _name(t), tuple(t.shape), str(t.dtype)) for t in m.inputs],
        "outputs": lambda m: (
            [tuple(t.shape) for t in m.outputs]
            if sequential
            else list(zip(_output_names(m), [tuple(t.shape) for t in m.outputs], strict=True))
        ),
        "structure": lambda m: _structure(m, sequential),
        "compile": compile_settings,
    }
    for aspect, probe in checks.items():
        a, b = probe(old), probe(new)
        if a != b:
            differs[aspect] = _difference(a, b)
    prediction = _prediction_difference(old, new, entry)
    if prediction:
        differs["predictions"] = prediction
    return {k: differs[k] for k in ASPECTS if k in differs}


def _layers(model: Any) -> dict[str, Any]:
    return {layer.name: layer for layer in model.layers if type(layer).__name__ != "InputLayer"}


def _layer_names(model: Any) -> list[str]:
    return sorted(_layers(model))


def _layer_classes(model: Any) -> dict[str, str]:
    return {name: type(layer).__qualname__ for name, layer in _layers(model).items()}


def _layer_configs(model: Any) -> dict[str, Any]:
    out = {}
    for name, layer in _layers(model).items():
        try:
            out[name] = comparable_config(layer.get_config())
        except Exception as exc:  # a custom layer whose get_config fails says so on both sides
            out[name] = f"get_config() raised {type(exc).__name__}"
    return out


def _output_names(model: Any) -> list[str]:
    """A model's output names (a Sequential's single output is named after its last layer, as Keras does)."""
    names = getattr(model, "output_names", None)
    return list(names) if names is not None else [model.layers[-1].name]


def _count(weights: list[Any]) -> int:
    return int(sum(np.prod(w.shape) for w in weights))


def _name(tensor: Any) -> str:
    return str(tensor._keras_history.operation.name)


def _structs(model: Any) -> tuple[Any, Any]:
    """A model's input and output structures (a Sequential keeps them in the functional model it builds)."""
    graph = getattr(model, "_functional", None) if type(model).__name__ == "Sequential" else model
    if graph is None:
        return model.inputs[0], model.outputs[0]
    return graph._inputs_struct, graph._outputs_struct


def _structure(model: Any, sequential: bool) -> Any:
    """The nesting of the model's inputs and outputs (dict keys, list or tuple), with input names at the leaves."""

    def shape(struct: Any, leaf: Any) -> Any:
        if isinstance(struct, Mapping):
            return {"dict": {str(k): shape(v, leaf) for k, v in struct.items()}}
        if isinstance(struct, list | tuple):
            return {type(struct).__name__: [shape(v, leaf) for v in struct]}
        return leaf(struct)

    inputs_struct, outputs_struct = _structs(model)
    inputs = shape(inputs_struct, lambda t: "*" if sequential else _name(t))
    outputs = shape(outputs_struct, lambda t: "*")
    return {"inputs": inputs, "outputs": outputs}


def _difference(a: Any, b: Any) -> str:
    """A short account of how two probe values differ (the first differing keys or items)."""
    if isinstance(a, dict) and isinstance(b, dict):
        keys = [k for k in sorted(set(a) | set(b), key=str) if a.get(k, "<absent>") != b.get(k, "<absent>")]
        return "; ".join(f"{k}: {_show(a.get(k, '<absent>'))} != {_show(b.get(k, '<absent>'))}" for k in keys[:3]) + (
            " ..." if len(keys) > 3 else ""
        )
    if isinstance(a, list) and isinstance(b, list):
        gone, extra = [x for x in a if x not in b], [x for x in b if x not in a]
        if not gone and not extra:
            return f"the same, in another order: {_show(a)} != {_show(b)}"
        return f"original only {_show(gone)}; rebuilt only {_show(extra)}"
    return f"{_show(a)} != {_show(b)}"


def _show(value: Any, limit: int = 160) -> str:
    text = json.dumps(value, default=repr, sort_keys=True) if not isinstance(value, str) else value
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _first_line(text: str) -> str:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return (lines[0] if lines else "") + (f" (+{len(lines) - 1} more)" if len(lines) > 1 else "")


# ---------------------------------------------------------------------------
# predictions


def sample_inputs(model: Any, entry: Entry, seed: int = 0) -> dict[str, Any]:
    """A batch of 2 for every input, by input name: the entry's own data, else random values that fit.

    Unknown sizes are 7; integers are ids below 5
    (every vocabulary in the corpus is larger), strings come from the entry's data.
    """
    rng = np.random.default_rng(seed)
    given = dict(entry.data()) if entry.data else {}
    out = {}
    for t in model.inputs:
        name = _name(t)
        if name in given:
            out[name] = given[name]
            continue
        unknown = 7
        batch = t.shape[0] or 2
        shape = (batch, *[unknown if d is None else d for d in t.shape[1:]])
        dtype = str(t.dtype)
        if "int" in dtype:
            out[name] = rng.integers(0, 5, size=shape).astype(dtype)
        elif dtype == "bool":
            out[name] = rng.integers(0, 2, size=shape).astype(bool)
        else:
            out[name] = rng.standard_normal(shape).astype(dtype)
    return out


def _predict(model: Any, data: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """The model called on ``data`` (fed in the model's own input structure): (output name, array) in output order."""
    from keras import tree

    feed = tree.map_structure(lambda t: data[_name(t)], _structs(model)[0])
    result = tree.flatten(model(feed, training=False))
    return list(zip(_output_names(model), (np.asarray(r) for r in result), strict=True))


def _max_abs_diff(a: Any, b: Any) -> float:
    """The largest difference of two outputs; NaN where both are NaN counts as equal (a softmax over a fully masked
    step)."""
    if not (a.size and a.dtype.kind in "fiub"):
        return float(not np.array_equal(a, b))
    a, b = a.astype(np.float64), b.astype(np.float64)
    both_nan = np.isnan(a) & np.isnan(b)
    return float(np.max(np.where(both_nan, 0.0, np.abs(a - b))))


def _prediction_difference(old: Any, new: Any, entry: Entry) -> str:
    """Copy the weights by layer name, predict on the same inputs, and say how far apart the outputs are ('' if within
    ATOL)."""
    new_layers = _layers(new)
    for name, layer in _layers(old).items():
        if name in new_layers:
            try:
                new_layers[name].set_weights(layer.get_weights())
            except ValueError as exc:
                return f"weights of {name!r} do not fit: {_first_line(str(exc))}"
    for layer in new._flatten_layers():
        # What loading weights does after it sets them (set_weights does not): an adapted
        # Normalization computes its mean and variance from the variables it was given.
        if hasattr(layer, "finalize_state") and layer.built:
            layer.finalize_state()
    data = sample_inputs(old, entry)
    new_names = [_name(t) for t in new.inputs]
    # Inputs are fed by name; where the rebuilt model renamed them (an imported Sequential), by position.
    new_data = data if set(new_names) <= set(data) else dict(zip(new_names, data.values(), strict=False))
    try:
        want = _predict(old, data)
        got = _predict(new, new_data)
    except Exception as exc:
        return f"cannot predict on the same inputs: {type(exc).__name__}: {_first_line(str(exc))}"
    if len(want) != len(got):
        return f"{len(want)} outputs, rebuilt has {len(got)}"
    by_name = dict(got)
    # Outputs are matched by name where both models name them alike (and uniquely), else by position.
    named = len(by_name) == len(got) and {k for k, _ in want} == set(by_name)
    pairs = (
        [(k, a, by_name[k]) for k, a in want]
        if named
        else [(k, a, b) for (k, a), (_, b) in zip(want, got, strict=True)]
    )
    worst = []
    for name, a, b in pairs:
        if a.shape != b.shape:
            return f"output {name!r} has shape {a.shape}, rebuilt {b.shape}"
        diff = _max_abs_diff(a, b)
        if not diff <= ATOL:
            worst.append(f"{name}: max abs diff {diff:.3g}")
    return "; ".join(worst)


# ---------------------------------------------------------------------------
# compile settings


def compile_settings(model: Any) -> Any:
    """The compile settings of a model in a canonical form: per output name its loss, loss weight and metrics,
    and the optimizer with its config; equal when Keras trains the two models the same way and logs the same names."""
    if not getattr(model, "compiled", False):
        return None
    config = model.get_compile_config() or {}
    names = _output_names(model)
    return {
        "loss": _by_output(config.get("loss"), names, _loss),
        "loss_weights": {
            n: float(w)
            for n, w in _by_output(config.get("loss_weights"), names, lambda w: w).items()
            if w is not None and float(w) != 1.0
        },
        "metrics": _metrics(config.get("metrics"), names),
        "weighted_metrics": _metrics(config.get("weighted_metrics"), names),
        "optimizer": _serialized(config.get("optimizer")),
        **{k: config.get(k) for k in ("run_eagerly", "steps_per_execution", "jit_compile")},
    }


def _is_object(value: Any) -> bool:
    return isinstance(value, Mapping) and "class_name" in value and ("config" in value or "module" in value)


def _by_output(value: Any, names: list[str], canon: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if isinstance(value, Mapping) and not _is_object(value):
        return {str(k): canon(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        if len(value) == len(names):
            return {n: canon(v) for n, v in zip(names, value, strict=True) if v is not None}
        return {"<list>": [canon(v) for v in value]}  # a length Keras would refuse: kept as it is, to be compared
    return {n: canon(value) for n in names}


def _metrics(value: Any, names: list[str]) -> dict[str, Any]:
    if value is None:
        return {}
    if isinstance(value, list | tuple) and (len(names) == 1 or not any(isinstance(v, list | tuple) for v in value)):
        value = [value] * len(names) if len(names) > 1 else [value]
    per = _by_output(
        value, names, lambda ms: [_metric(m) for m in (ms if isinstance(ms, list | tuple) else [ms]) if m is not None]
    )
    return {n: ms for n, ms in per.items() if ms}


def _loss(value: Any) -> Any:
    """A loss by what Keras computes with it: the function it wraps and that function's arguments (a string,
    a function and a default loss object of the same function are one setting), else its class and config."""
    import keras

    obj = _deserialized(value, keras.losses.get)
    if isinstance(obj, tuple):
        return obj
    if isinstance(obj, keras.losses.Loss):
        fn = getattr(obj, "fn", None)
        if fn is not None:
            return ("loss", getattr(fn, "__name__", repr(fn)), _plain_kwargs(obj, fn), str(obj.reduction))
        return ("loss-object", type(obj).__name__, _config_without_name(obj))
    return ("loss", getattr(obj, "__name__", repr(obj)), "{}", "sum_over_batch_size")


# Metric strings Keras resolves by the output's shape and loss ("accuracy" becomes binary, categorical or
# sparse accuracy): keras/src/trainers/compile_utils.py get_metric.
_BY_OUTPUT = {"accuracy", "acc"}


def _metric(value: Any) -> Any:
    """A metric by what Keras computes and the name it logs. Keras names a metric given as a string after
    the string and any other after the object (``'mape'`` logs as ``mape``, ``MeanAbsolutePercentageError()``
    as ``mean_absolute_percentage_error``, though both average the same function)."""
    import keras

    if isinstance(value, str) and value.lower() in _BY_OUTPUT:
        return ("by-output", value)
    obj = _deserialized(value, keras.metrics.get)
    if isinstance(obj, tuple):
        return obj
    if isinstance(obj, keras.metrics.Metric):
        name = value if isinstance(value, str) else re.sub(r"_\d+$", "", obj.name)
        fn = getattr(obj, "_fn", None)
        if fn is not None:
            return ("mean", getattr(fn, "__name__", repr(fn)), name, _plain_kwargs(obj, fn))
        return ("metric-object", type(obj).__name__, name, _config_without_name(obj))
    name = value if isinstance(value, str) else getattr(obj, "__name__", "")
    return ("mean", getattr(obj, "__name__", repr(obj)), name, "{}")


def _deserialized(value: Any, get: Any) -> Any:
    """The live loss or metric of a compile-config entry; what Keras cannot rebuild is compared as its serialization."""
    import keras

    try:
        obj = get(value) if isinstance(value, str) else keras.saving.deserialize_keras_object(value)
    except Exception:
        return ("unloadable", json.dumps(value, sort_keys=True, default=repr))
    return obj() if isinstance(obj, type) else obj


def _plain_kwargs(obj: Any, fn: Any) -> str:
    """The arguments a loss or metric object passes to its function, without those equal to the function's defaults."""
    import inspect

    kwargs = dict(getattr(obj, "_fn_kwargs", {}) or {})
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        params = {}  # type: ignore[assignment]
    kept = {
        k: v
        for k, v in kwargs.items()
        if k not in params or params[k].default is inspect.Parameter.empty or params[k].default != v
    }
    return json.dumps(kept, sort_keys=True, default=repr)


def _config_without_name(obj: Any) -> str:
    try:
        config = dict(obj.get_config())
    except Exception as exc:
        return f"get_config() raised {type(exc).__name__}"
    config.pop("name", None)
    return json.dumps(config, sort_keys=True, default=repr)


def _serialized(value: Any) -> Any:
    """A serialized Keras object as (kind, class or function name, config), automatic numbered names unnumbered."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, Mapping) and value.get("class_name") == "function":
        return ("function", value.get("config"), value.get("registered_name"))
    if _is_object(value):
        config = {k: _serialized(v) for k, v in (value.get("config") or {}).items()}
        if isinstance(config.get("name"), str):
            config["name"] = re.sub(r"_\d+$", "", config["name"])
        return ("object", value["class_name"], json.dumps(config, sort_keys=True, default=repr))
    if isinstance(value, Mapping):
        return {k: _serialized(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_serialized(v) for v in value]
    return repr(value)
