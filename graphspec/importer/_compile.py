"""Importing a compiled model's settings: ``get_compile_config()`` → outputs' losses, loss
weights, metrics and weighted metrics, and the ``compile:`` section.

Keras records each of ``loss``, ``loss_weights``, ``metrics`` and ``weighted_metrics`` in
the form it was given: one value for every output, a list in output order (nested like
the outputs), or a mapping by output key. A single loss or metric is itself written as a
name or as a serialized object (``{module, class_name, config, registered_name}``), so a
mapping is an object when it has a ``class_name``, else a mapping by output. Each form is
read exactly; a form that matches no output is refused by name, never dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from graphspec import catalog
from graphspec.errors import Code, Diagnostic, SpecError
from graphspec.importer._objects import object_value, plain

__all__ = ["apply_compile", "compile_config"]

# The keys of a serialized Keras object (a mapping with these keys is one loss or metric, not a mapping by output).
_SERIALIZED = frozenset({"module", "class_name", "config", "registered_name", "build_config", "compile_config"})
# Compile settings the `compile:` section holds, each with its Keras default test.
_SETTINGS = ("jit_compile", "run_eagerly", "steps_per_execution")
# What the compile config holds that this module reads; anything else is refused by name.
_KNOWN = frozenset({"optimizer", "loss", "loss_weights", "metrics", "weighted_metrics", *_SETTINGS})


def _fail(message: str, hint: str | None = None) -> SpecError:
    return SpecError([Diagnostic(Code.UNSUPPORTED_MODEL, message, (), hint)])


def _is_object(value: Any) -> bool:
    """One loss or metric: a name, or a serialized object or function."""
    return isinstance(value, str) or (
        isinstance(value, Mapping) and isinstance(value.get("class_name"), str) and set(value) <= _SERIALIZED
    )


def _is_weight(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _flatten(value: Any, leaf: Callable[[Any], bool]) -> list[Any]:
    """A nested list in the outputs' order, leaves (and ``None``) kept whole."""
    if value is None or leaf(value) or not isinstance(value, list | tuple):
        return [value]
    return [item for part in value for item in _flatten(part, leaf)]


def _by_output(what: str, value: Any, keys: Sequence[str], leaf: Callable[[Any], bool], shared: bool) -> dict[int, Any]:
    """Keras' per-output form of a compile argument, as {output index: value}.

    ``shared``: one leaf applies to every output (a loss does; loss weights do not).
    """
    if value is None:
        return {}
    if leaf(value):
        if shared or len(keys) == 1:
            return dict.fromkeys(range(len(keys)), value)
        raise _fail(
            f"compile {what} {value!r} is one value for a model with {len(keys)} outputs ({', '.join(keys)})",
            "give one per output",
        )
    if isinstance(value, Mapping):
        unknown = [k for k in value if k not in keys]
        if unknown:
            raise _fail(
                f"compile {what} names {', '.join(map(repr, unknown))}, "
                f"which is not an output of the model (outputs: {', '.join(keys)})"
            )
        return {keys.index(k): v for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        flat = _flatten(value, leaf)
        if len(flat) != len(keys):
            raise _fail(f"compile {what} holds {len(flat)} values for {len(keys)} outputs ({', '.join(keys)})")
        return {i: v for i, v in enumerate(flat) if v is not None}
    raise _fail(f"cannot read compile {what} {value!r}")


def _metric_list(value: Any) -> bool:
    return isinstance(value, list | tuple) and all(_is_object(v) for v in value)


def _metrics(what: str, value: Any, keys: Sequence[str]) -> dict[int, list[Any]]:
    """Metrics per output: a list for one output; a list of one entry (or list) per output; a mapping by output."""
    if value is None:
        return {}
    if isinstance(value, list | tuple):
        if len(keys) == 1 and _metric_list(value):
            return {0: list(value)} if value else {}
        if len(value) != len(keys):
            raise _fail(
                f"compile {what} holds {len(value)} entries for {len(keys)} outputs ({', '.join(keys)})",
                "give one metric or list of metrics per output",
            )
        entries = dict(enumerate(value))
    elif isinstance(value, Mapping) and not _is_object(value):
        unknown = [k for k in value if k not in keys]
        if unknown:
            raise _fail(
                f"compile {what} names {', '.join(map(repr, unknown))}, "
                f"which is not an output of the model (outputs: {', '.join(keys)})"
            )
        entries = {keys.index(k): v for k, v in value.items()}
    elif _is_object(value) and len(keys) == 1:
        entries = {0: value}
    else:
        raise _fail(f"cannot read compile {what} {value!r}")
    found: dict[int, list[Any]] = {}
    for i, entry in entries.items():
        items = list(entry) if isinstance(entry, list | tuple) else [] if entry is None else [entry]
        if not all(_is_object(m) or m is None for m in items):
            raise _fail(f"cannot read compile {what} {entry!r} for output {keys[i]!r}")
        if items:
            found[i] = items
    return found


def _accepted(serialized: Mapping[str, Any], kind: str) -> set[str] | None:
    info = catalog.object_info(kind, str(serialized.get("class_name")))
    return None if info is None else {p.name for p in info.params}


def compile_config(model: Any) -> dict[str, Any]:
    """A compiled model's ``get_compile_config()``, with what Keras' own serialization drops put back.

    ``Huber.get_config()`` (and other loss and metric wrappers of a function) leave out the
    function's keyword arguments (``delta``); the live objects the model was compiled with keep them.
    """
    config = dict(model.get_compile_config())
    live = getattr(getattr(model, "_compile_config", None), "config", None) or {}
    for key, kind in (("loss", "loss"), ("metrics", "metric"), ("weighted_metrics", "metric")):
        if config.get(key) is not None and key in live:
            config[key] = _restore_kwargs(live[key], config[key], kind)
    return config


def _restore_kwargs(live: Any, serialized: Any, kind: str) -> Any:
    if isinstance(serialized, Mapping) and not _is_object(serialized) and isinstance(live, Mapping):
        return {k: _restore_kwargs(live.get(k), v, kind) for k, v in serialized.items()}
    if isinstance(serialized, list | tuple) and isinstance(live, list | tuple) and len(live) == len(serialized):
        return [_restore_kwargs(a, b, kind) for a, b in zip(live, serialized, strict=True)]
    kwargs = getattr(live, "_fn_kwargs", None)
    if (
        isinstance(kwargs, Mapping)
        and isinstance(serialized, Mapping)
        and isinstance(serialized.get("config"), Mapping)
    ):
        accepted = _accepted(serialized, kind) or set()
        missing = {k: plain(v) for k, v in kwargs.items() if k not in serialized["config"] and k in accepted}
        if missing:
            return {**serialized, "config": {**serialized["config"], **missing}}
    return serialized


def apply_compile(
    data: dict[str, Any], config: Mapping[str, Any], targets: Sequence[tuple[str, str | None]], auto_jit: bool
) -> None:
    """Write a compile config into spec data.

    ``targets`` holds, for each of the model's outputs in Keras' order, the key Keras
    uses for it in compile settings (its output name, or its key in a dict of outputs)
    and the name of its entry in ``data["outputs"]`` (``None`` for an output returned by
    reference, which has no entry and so can have no loss or metric); ``auto_jit`` is
    what ``jit_compile='auto'`` resolves to here (Keras records the resolved value).

    Raises:
        SpecError: ``unsupported-model`` for a form that matches no output or a
            setting a spec cannot hold; ``unregistered-object`` for a custom loss
            or metric that is not registered.
    """
    unknown = sorted(k for k, v in config.items() if k not in _KNOWN and v is not None)
    if unknown:
        raise _fail(
            f"compile setting{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(map(repr, unknown))} cannot be written in a spec"
        )
    keys = [key for key, _ in targets]

    def entry(i: int, what: str) -> dict[str, Any]:
        name = targets[i][1]
        if name is None:
            raise _fail(
                f"compile gives output {keys[i]!r} a {what}, "
                "but it is returned by reference (an unnamed layer output), which has none",
                "end that output in a layer of its own",
            )
        return data["outputs"][name]  # type: ignore[no-any-return]

    for i, loss in _by_output("loss", config.get("loss"), keys, _is_object, shared=True).items():
        entry(i, "loss")["loss"] = object_value("loss", loss, f"outputs.{keys[i]}.loss")
    for i, weight in _by_output("loss_weights", config.get("loss_weights"), keys, _is_weight, shared=False).items():
        if "loss" not in entry(i, "loss weight") and weight != 1.0:
            raise _fail(f"compile loss_weights gives output {keys[i]!r} a weight, but it has no loss")
        if weight != 1.0:
            entry(i, "loss weight")["loss_weight"] = float(weight)
    for what in ("metrics", "weighted_metrics"):
        for i, metrics in _metrics(what, config.get(what), keys).items():
            entry(i, what)[what] = [
                object_value("metric", m, f"outputs.{keys[i]}.{what}") for m in metrics if m is not None
            ]
    settings: dict[str, Any] = {
        "optimizer": object_value("optimizer", config.get("optimizer"), "compile.optimizer") or "rmsprop"
    }
    defaults: dict[str, Callable[[Any], bool]] = {
        "jit_compile": lambda v: v in ("auto", None, auto_jit),
        "run_eagerly": lambda v: not v,
        "steps_per_execution": lambda v: v in (1, None),
    }
    settings.update({k: config[k] for k, is_default in defaults.items() if k in config and not is_default(config[k])})
    data["compile"] = settings
