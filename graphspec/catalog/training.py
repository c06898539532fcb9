"""Training settings: the outputs' losses and metrics, ``compile``'s optimizer, and ``fit:``.

Losses, metrics, the optimizer and callbacks are objects
(:func:`graphspec.catalog.objects.check_object`), each counted first so that a
spec cannot ask Keras to build more than it should. A callback that writes files
writes them inside the run folder: its path is checked here (relative, no
``..``, not one of the run folder's own files, a ``ModelCheckpoint`` template
that can only be filled with numbers), and ``BackupAndRestore`` gets a folder of
its own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from graphspec._util.files import looks_absolute
from graphspec.catalog._builtin import REFUSED_CALLBACKS
from graphspec.catalog.objects import check_object
from graphspec.errors import Code, Diagnostic, Path

__all__ = [
    "CALLBACK_DEFAULT_FILES",
    "CALLBACK_FILE_ARGS",
    "MAX_CALLBACKS",
    "MAX_LOSSES",
    "MAX_METRICS",
    "REFUSED_CALLBACKS",
    "check_fit",
    "check_training",
]


# Keras builds an object per loss, metric and callback, and compile/fit walk them every step:
# a spec may not ask for more than these (150,000 metrics on one output ran past 60 s).
MAX_METRICS = 1_000
MAX_LOSSES = 1_000
MAX_CALLBACKS = 100


def check_training(outputs: Mapping[str, Any], compile: Any) -> list[Diagnostic]:
    """Check losses and metrics of every output, and the optimizer, against the allow-lists and their counts."""
    counted = _count_objects(outputs)
    if counted:
        return counted
    diags: list[Diagnostic] = []
    for name, out in outputs.items():
        if out.loss is not None:
            diags.extend(check_object("loss", out.loss, ("outputs", name, "loss")))
        for what in ("metrics", "weighted_metrics"):
            for i, metric in enumerate(getattr(out, what)):
                diags.extend(check_object("metric", metric, ("outputs", name, what, i)))
    if compile is not None:
        diags.extend(check_object("optimizer", compile.optimizer, ("compile", "optimizer")))
    return diags


def _count_objects(outputs: Mapping[str, Any]) -> list[Diagnostic]:
    """Refuse more losses or metrics than Keras should build, before checking each (which would take as long)."""
    metrics = {name: len(out.metrics) for name, out in outputs.items() if out.metrics}
    losses = sum(out.loss is not None for out in outputs.values())
    diags = []
    if sum(metrics.values()) > MAX_METRICS:
        most = max(metrics, key=lambda n: metrics[n])
        message = (
            f"the outputs ask for {sum(metrics.values()):,} metrics ({metrics[most]:,} on {most!r}); "
            f"at most {MAX_METRICS:,} are allowed"
        )
        diags.append(
            Diagnostic(
                Code.BAD_VALUE,
                message,
                ("outputs", most, "metrics"),
                "keep the metrics you read; each is an object Keras updates every step",
            )
        )
    if losses > MAX_LOSSES:
        diags.append(
            Diagnostic(
                Code.BAD_VALUE,
                f"{losses:,} outputs have a loss; at most {MAX_LOSSES:,} are allowed",
                ("outputs",),
                "train fewer outputs at once",
            )
        )
    return diags


# The argument of each file-writing callback that names where it writes; relative to the run folder.
CALLBACK_FILE_ARGS: dict[str, str] = {
    "ModelCheckpoint": "filepath",
    "CSVLogger": "filename",
    "TensorBoard": "log_dir",
    "BackupAndRestore": "backup_dir",
}
# Where each writes when the spec names it without that argument.
CALLBACK_DEFAULT_FILES: dict[str, str] = {
    "ModelCheckpoint": "checkpoint.keras",
    "CSVLogger": "log.csv",
    "TensorBoard": "logs",
    "BackupAndRestore": "backup",
}


def check_fit(fit: Any, n_outputs: int) -> list[Diagnostic]:
    """Check the ``fit:`` section: callbacks against the allow-list, their file paths, class weights."""
    if fit is None:
        return []
    if len(fit.callbacks) > MAX_CALLBACKS:
        return [
            Diagnostic(
                Code.BAD_VALUE,
                f"fit asks for {len(fit.callbacks):,} callbacks; at most {MAX_CALLBACKS} are allowed",
                ("fit", "callbacks"),
                "Keras calls every callback at every batch",
            )
        ]
    diags: list[Diagnostic] = []
    clean: list[Any] = []  # the callbacks without a problem of their own (None in place of the others)
    for i, callback in enumerate(fit.callbacks):
        path: Path = ("fit", "callbacks", i)
        clean.append(None)
        name = callback if isinstance(callback, str) else callback.get("class_name")
        if isinstance(name, str) and name in REFUSED_CALLBACKS:
            diags.append(
                Diagnostic(
                    Code.UNKNOWN_OBJECT,
                    f"callback {name!r} is refused: {REFUSED_CALLBACKS[name]}",
                    path if isinstance(callback, str) else (*path, "class_name"),
                )
            )
            continue
        found = list(check_object("callback", callback, path))
        if not found and isinstance(callback, Mapping):
            found = _check_callback_path(str(name), callback.get("config") or {}, (*path, "config"))
        diags += found
        clean[-1] = None if found else callback
    diags += _check_backup(clean)
    if fit.class_weight is not None and n_outputs > 1:
        hint = (
            "Keras takes class_weight for single-output models only; "
            "weight the outputs with loss_weight, or pass sample weights"
        )
        diags.append(
            Diagnostic(
                Code.BAD_VALUE,
                f"class_weight needs a model with one output; this one has {n_outputs}",
                ("fit", "class_weight"),
                hint,
            )
        )
    return diags


# What `graphspec fit` writes in a run folder itself; a callback writing there would be overwritten
# (graphspec.train.ARTEFACTS and the run's manifest; a test keeps them in step).
_RUN_FOLDER_FILES = ("spec.yaml", "model.keras", "history.json", "history.csv", "history.png", "model.svg", "run.json")


def _callback_folder(callback: Any) -> tuple[str, str, Any] | None:
    """A file-writing callback's name, its path in the run folder (normalised) and that path as written."""
    import posixpath

    name = callback if isinstance(callback, str) or callback is None else callback.get("class_name")
    if name not in CALLBACK_FILE_ARGS:
        return None
    config = {} if isinstance(callback, str) else (callback.get("config") or {})
    value = config.get(CALLBACK_FILE_ARGS[name]) if isinstance(config, Mapping) else None
    value = CALLBACK_DEFAULT_FILES[name] if value is None else value
    return (
        (name, posixpath.normpath(value.replace("\\", "/")), value)
        if isinstance(value, str) and value.strip()
        else None
    )


def _check_backup(callbacks: list[Any]) -> list[Diagnostic]:
    """``BackupAndRestore``'s folder is graphspec's alone: not the run folder,
    nor holding or inside another callback's files.

    Keras removes the backup folder when training ends, and a folder given to it may
    hold nothing else (its docs). graphspec removes only what it wrote there, but a
    spec's meaning must not depend on that: the backup's folder is its own.
    """
    found = [(i, _callback_folder(c)) for i, c in enumerate(callbacks)]
    paths = [(i, f) for i, f in found if f is not None]
    diags: list[Diagnostic] = []
    for i, (name, folder, written) in paths:
        if name != "BackupAndRestore":
            continue
        where: Path = ("fit", "callbacks", i, "config", "backup_dir")
        if folder == ".":
            message = (
                f"BackupAndRestore.backup_dir {written!r} is the run folder itself; "
                "the backup needs a folder of its own (Keras removes it when training ends)"
            )
            diags.append(Diagnostic(Code.BAD_VALUE, message, where, "write a subfolder name, such as 'backup'"))
            continue
        for j, (other, path, _) in paths:
            if j != i and (path == folder or path.startswith(folder + "/") or folder.startswith(path + "/")):
                message = (
                    f"BackupAndRestore.backup_dir {written!r} shares {path!r} with {other} (fit.callbacks[{j}]); "
                    "the backup folder holds the backup alone"
                )
                diags.append(
                    Diagnostic(Code.BAD_VALUE, message, where, f"write another folder, such as {folder + '-backup'!r}")
                )
                break
        config = callbacks[i].get("config") or {} if isinstance(callbacks[i], Mapping) else {}
        if config.get("save_freq", "epoch") != "epoch":
            message = (
                f"BackupAndRestore.save_freq {config['save_freq']!r}: graphspec backs up at the end of each epoch, "
                "where a resumed run continues exactly"
            )
            diags.append(
                Diagnostic(
                    Code.BAD_VALUE,
                    message,
                    ("fit", "callbacks", i, "config", "save_freq"),
                    "leave save_freq out (it is 'epoch')",
                )
            )
    return diags


def _check_callback_path(name: str, config: Mapping[str, Any], path: Path) -> list[Diagnostic]:
    arg = CALLBACK_FILE_ARGS.get(name)
    value = config.get(arg) if arg is not None else None
    if arg is None or value is None:
        return []
    import posixpath

    if not isinstance(value, str) or not value.strip():
        return [
            Diagnostic(
                Code.WRONG_TYPE, f"{name}.{arg} must be a path inside the run folder; got {value!r}", (*path, arg)
            )
        ]
    parts = value.replace("\\", "/").split("/")
    if looks_absolute(value) or ".." in parts or "~" in parts[:1]:
        hint = (
            f"write a relative path such as {posixpath.basename(value.rstrip('/')) or 'out'!r}; "
            "it is placed in the run folder"
        )
        return [
            Diagnostic(
                Code.UNSAFE_PATH,
                f"{name}.{arg} {value!r} leaves the run folder: paths in a spec are relative "
                "to it and may not use '..'",
                (*path, arg),
                hint,
            )
        ]
    norm = posixpath.normpath(value.replace("\\", "/"))
    if norm.split("/")[0] in _RUN_FOLDER_FILES:
        message = f"{name}.{arg} {value!r} is one of the run folder's own files, which training writes itself"
        return [Diagnostic(Code.BAD_VALUE, message, (*path, arg), f"use another name, such as {'callbacks/' + norm!r}")]
    if name == "ModelCheckpoint":
        return _check_checkpoint_template(value, (*path, arg)) or _check_checkpoint_suffix(
            value, config.get("save_weights_only") is True, (*path, arg)
        )
    return []


# ModelCheckpoint fills its path with `filepath.format(epoch=..., batch=..., **logs)`. str.format
# reaches attributes and items (`{epoch.__class__.__doc__[5]}` picks characters such as '/' and
# '.' out of docstrings), so only the fields Keras documents pass: a name Keras fills with a
# number, with a plain format spec (no fill character, which could be '/', and a bounded width).
_TEMPLATE_FIELD = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")
_TEMPLATE_SPEC = re.compile(r"[+\- ]?0?[0-9]{0,2}[,_]?(?:\.[0-9]{1,2})?[bdeEfFgGnoxX%]?")
_INTEGER_FIELDS = ("epoch", "batch")


class _Numbers(dict[str, float | int]):
    """Sample values for every field: epochs and batches are integers, logged metrics floats."""

    def __missing__(self, key: str) -> float | int:
        return 1 if key in _INTEGER_FIELDS else -0.125


def _check_checkpoint_template(value: str, path: Path) -> list[Diagnostic]:
    """Refuse ModelCheckpoint path fields other than numbers by name,
    and a formatted name that would leave the folder."""
    import string

    hint = (
        "use only fields Keras fills with numbers: {epoch}, {epoch:02d}, {batch}, metric names such as {val_loss:.2f}"
    )
    try:
        fields = [(f, spec, conv) for _, f, spec, conv in string.Formatter().parse(value) if f is not None]
    except ValueError as exc:  # unbalanced braces
        return [
            Diagnostic(
                Code.BAD_VALUE,
                f"ModelCheckpoint.filepath {value!r} is not a valid template: {exc}",
                path,
                hint + "; write a literal brace as {{ or }}",
            )
        ]
    for field, spec, conversion in fields:
        if not _TEMPLATE_FIELD.fullmatch(field) or conversion is not None or not _TEMPLATE_SPEC.fullmatch(spec or ""):
            shown = "{" + field + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            message = (
                f"ModelCheckpoint.filepath field {shown} is not allowed: no attribute or index access, conversions, "
                "fill characters or nested fields"
            )
            return [Diagnostic(Code.UNSAFE_PATH, message, path, hint)]
    try:
        formatted = value.format_map(_Numbers())
    except (ValueError, TypeError) as exc:  # `{val_loss:d}`: Keras would fail only after the first epoch
        return [
            Diagnostic(Code.BAD_VALUE, f"ModelCheckpoint.filepath {value!r} cannot be filled in: {exc}", path, hint)
        ]
    parts = formatted.replace("\\", "/").split("/")
    if looks_absolute(formatted) or ".." in parts:
        return [
            Diagnostic(
                Code.UNSAFE_PATH,
                f"ModelCheckpoint.filepath {value!r} formats to {formatted!r}, which leaves the run folder",
                path,
                hint,
            )
        ]
    return []


def _check_checkpoint_suffix(value: str, weights_only: bool, path: Path) -> list[Diagnostic]:
    """ModelCheckpoint's file extension, which Keras checks only when ``fit`` starts (after the run folder is made)."""
    ends = (".weights.h5",) if weights_only else (".keras", ".h5")
    if value.endswith(ends):
        return []
    what = "with save_weights_only, " if weights_only else ""
    hint = f"name it {value.removesuffix('.keras') + ends[0]!r}"
    return [
        Diagnostic(
            Code.BAD_VALUE,
            f"ModelCheckpoint.filepath {value!r}: {what}Keras needs a name ending in {' or '.join(ends)}",
            path,
            hint,
        )
    ]
