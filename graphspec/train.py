"""Training from the spec: :func:`fit`, :func:`evaluate`, :func:`predict`, run folders, strategies.

A spec's ``fit:`` section says how the model is trained and ``distribute:`` where;
:func:`fit` checks the spec and the data first (no TensorFlow yet), then builds and
compiles the model inside the ``tf.distribute`` strategy's scope and trains it with
Keras' own ``model.fit``. Everything it keeps goes in one run folder::

    runs/<name>-<timestamp>/
        spec.yaml       the spec as trained (fit settings after overrides)
        model.keras     the trained model, written only when training finishes
        history.json    every loss and metric per epoch (training and val_)
        history.csv     the same as a table
        history.png     one plot per loss/metric, training and validation lines
        logs/           TensorBoard event files, when asked for

Files are written to a temporary name in the folder and renamed into place, so an
interrupted run leaves no half-written file, and no ``model.keras`` (or the one of
an earlier complete run). Keras and TensorFlow are imported only inside functions.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import io
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from graphspec import catalog, data
from graphspec._api import Params, Report, SpecSource, build_report, check_build, validate
from graphspec._files import confined, replace_atomically, write_bytes_atomically, write_text_atomically
from graphspec.budget import Budget
from graphspec.errors import Code, Diagnostic, SpecError
from graphspec.source import Limits, locate
from graphspec.spec import DistributeSpec, FitSpec, Spec

__all__ = ["FitResult", "evaluate", "fit", "load_model", "predict"]

Data = Mapping[str, Any] | os.PathLike[str]


@dataclass
class FitResult:
    """What :func:`fit` returns: Keras' ``History``, the run folder, and the trained model.

    ``wrote_run_dir`` is false for a non-chief multi-worker task, which trains but
    leaves the run folder to the chief.
    """

    history: Any
    run_dir: Path
    model: Any
    wrote_run_dir: bool = True


def fit(
    spec: SpecSource,
    data: Data | None = None,
    *,
    synthetic: int | None = None,
    epochs: int | None = None,
    batch_size: int | None = None,
    run_dir: str | os.PathLike[str] | None = None,
    strategy: str | None = None,
    seed: int | None = None,
    tensorboard: bool = False,
    callbacks: Sequence[Any] = (),
    verbose: str | int = "auto",
    limits: Limits = Limits(),
    budget: Budget = Budget(),
    params: Params = None,
) -> FitResult:
    """Train a spec's model as its ``fit:`` section says, and keep the run in a folder.

    Args:
        spec: a spec (a path object, text, mapping or :class:`Spec`; a ``str``
            is spec text, never a file name).
        data: a path object (``pathlib.Path``) to an ``.npz`` file, or a mapping
            of arrays, keyed by the spec's input names and the names of its
            outputs that have a loss.
        synthetic: instead of ``data``, train on this many random samples shaped
            like the inputs and outputs (see :func:`graphspec.data.synthetic_arrays`).
        epochs, batch_size: override the spec's ``fit:`` settings.
        run_dir: the run folder (default ``runs/<name>-<timestamp>``); running
            again in the same folder resumes if the spec has ``BackupAndRestore``.
        strategy: ``"mirrored"`` or ``"multi-worker"``, overriding ``distribute:``.
        seed: seeds Python, NumPy and TensorFlow (and the synthetic data).
        tensorboard: add a TensorBoard callback (histograms every epoch) writing
            to ``logs/`` when the spec has none.
        callbacks: more Keras callback objects, from Python.
        verbose: Keras' ``verbose`` (``"auto"`` shows the progress bar).
        limits, budget, params: as for :func:`graphspec.validate`; ``limits``
            also bounds the data file and the synthetic data (``max_data_bytes``).

    Raises:
        SpecError: for an invalid spec or data (before TensorFlow is imported),
            and ``training-failed`` with Keras' reason if training stops on an error.
    """
    report = validate(spec, limits=limits, budget=budget, params=params)
    check_build(report, budget)  # before TensorFlow loads and the run folder exists
    settings = _settings(report.spec, epochs, batch_size)
    x, y = _training_data(report, data, synthetic, seed, limits)
    distribute = DistributeSpec(strategy=strategy) if strategy is not None else report.spec.distribute  # type: ignore[arg-type]
    folder = Path(run_dir) if run_dir is not None else Path("runs") / f"{report.spec.name}-{time.strftime('%Y%m%d-%H%M%S')}"
    keras, made_strategy = _start(distribute, seed)
    chief = _is_chief(made_strategy)
    with _writable_folder(folder, chief) as out:
        with made_strategy.scope() if made_strategy is not None else contextlib.nullcontext():
            model = _guard(lambda: build_report(report, budget=budget))
        if _spans_workers(made_strategy):
            _multi_worker_keras_fixes(keras, model, made_strategy)
        made = _callbacks(keras, settings, out, tensorboard)
        kwargs = _fit_kwargs(settings)
        history = _guard(lambda: model.fit(_one_or_dict(x), _one_or_dict(y), callbacks=[*made, *callbacks], verbose=verbose, **kwargs))
        _save_model(model, out)
        _write_history(history.history, out)
        # Last, so the spec beside a model is always the one that trained it (an
        # interrupted run in a reused folder leaves the earlier run's files as they were).
        trained = report.spec.model_copy(update={"fit": settings, "distribute": distribute})
        write_text_atomically(out / "spec.yaml", trained.to_yaml(), inside=out)
    return FitResult(history, folder, model, wrote_run_dir=chief)


def _settings(spec: Spec, epochs: int | None, batch_size: int | None) -> FitSpec:
    settings = spec.fit or FitSpec()
    overrides = {k: v for k, v in (("epochs", epochs), ("batch_size", batch_size)) if v is not None}
    return settings.model_copy(update=overrides) if overrides else settings


def _training_data(report: Report, source: Data | None, synthetic: int | None, seed: int | None, limits: Limits) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    _need_loss(report, "training")
    if (source is None) == (synthetic is None):
        raise SpecError.single(Code.MISSING_KEY, "give training data: a .npz file or arrays, or a number of synthetic samples (not both)", (), "--data FILE.npz or --synthetic N")
    if synthetic is not None:
        arrays = data.synthetic_arrays(report, synthetic, seed or 0, max_bytes=limits.max_data_bytes)
        return data.split_arrays(arrays, data.expected_arrays(report), source="synthetic data")
    return _checked(report, source, data.expected_arrays(report), targets=True, limits=limits)  # type: ignore[arg-type]


def _need_loss(report: Report, doing: str) -> None:
    """Refuse a spec none of whose outputs has a loss: its model is not compiled, Keras' message would be about ``compile()``."""
    if not any(o.loss is not None for o in report.spec.outputs.values()):
        raise SpecError(locate([Diagnostic(Code.MISSING_KEY, f"{doing} needs a loss on at least one output", ("outputs",), "add `loss: ...` to an output")], report.spec.source))


def _checked(report: Report | None, source: Data, expected: list[data.ArraySpec], *, targets: bool, limits: Limits) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Arrays from a file or mapping, checked; diagnostics point into the spec when there is one."""
    if isinstance(source, str):  # a path is an os.PathLike, as everywhere in the API
        raise SpecError.single(Code.BAD_DATA_FILE, f"data is a mapping of arrays or a path object, not the str {source[:60]!r}", (), "pass pathlib.Path(...) for an .npz file")
    name = "the data" if isinstance(source, Mapping) else os.fspath(source)
    arrays = source if isinstance(source, Mapping) else data.load_npz(source, limits)
    try:
        return data.split_arrays(arrays, expected, source=name, targets=targets)
    except SpecError as exc:
        raise SpecError(locate(exc.diagnostics, report.spec.source if report is not None else None)) from None


def _one_or_dict(arrays: dict[str, np.ndarray]) -> Any:
    # A one-input (one-output) Keras model takes a bare array; a dict makes it warn.
    return next(iter(arrays.values())) if len(arrays) == 1 else arrays


def _fit_kwargs(settings: FitSpec) -> dict[str, Any]:
    weights = settings.class_weight
    return {
        "epochs": settings.epochs,
        "batch_size": settings.batch_size,
        "validation_split": settings.validation_split,
        "shuffle": settings.shuffle,
        "class_weight": dict(enumerate(weights)) if weights is not None else None,
        "steps_per_epoch": settings.steps_per_epoch,
    }


def _guard(fn: Callable[[], Any]) -> Any:
    """Run a Keras call; an error it raises becomes ``training-failed`` with Keras' reason."""
    from graphspec.emit import _reason

    try:
        return fn()
    except SpecError:
        raise
    except Exception as exc:
        raise SpecError.single(Code.TRAINING_FAILED, f"Keras stopped: {_reason(exc)}", (), "check the data against the model's inputs and outputs, and the callbacks' arguments") from None


# ---------------------------------------------------------------------------
# strategies


def _start(distribute: DistributeSpec | None, seed: int | None) -> tuple[Any, Any]:
    """Import Keras and create the strategy (before any other TensorFlow op, as multi-worker needs); seed.

    Returns Keras and the strategy, or ``None`` without ``distribute``. Every worker of a
    multi-worker cluster must shuffle the same way (see :func:`_spans_workers`), so
    there the seed defaults to 0.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    made = None
    if distribute is not None:
        import tensorflow as tf

        made = _STRATEGIES[distribute.strategy](tf, distribute)
    import keras

    if seed is None and _spans_workers(made):
        seed = 0
    if seed is not None:
        keras.utils.set_random_seed(seed)
    return keras, made


def _mirrored(tf: Any, distribute: DistributeSpec) -> Any:
    return tf.distribute.MirroredStrategy(devices=distribute.devices)


def _multi_worker(tf: Any, distribute: DistributeSpec) -> Any:
    # The cluster and this process's task come from the TF_CONFIG environment variable.
    return tf.distribute.MultiWorkerMirroredStrategy()


_STRATEGIES: dict[str, Callable[[Any, DistributeSpec], Any]] = {"mirrored": _mirrored, "multi-worker": _multi_worker}


def _is_chief(strategy: Any) -> bool:
    """Whether this process writes the run folder: always, except a non-chief multi-worker task.

    The chief is TensorFlow's (``should_checkpoint``): the ``chief`` task of ``TF_CONFIG``, or
    worker 0 of a cluster without one.
    """
    return strategy is None or bool(strategy.extended.should_checkpoint)


def _spans_workers(strategy: Any) -> bool:
    """Whether the strategy's replicas are spread over several processes (a multi-worker cluster).

    Keras' array input then gives each worker its share of every global batch
    (``AutoShardPolicy.DATA``) after each worker has shuffled the whole data itself.
    """
    return strategy is not None and strategy.num_replicas_in_sync > len(strategy.extended.worker_devices)


def _multi_worker_keras_fixes(keras: Any, model: Any, strategy: Any) -> None:
    """Let Keras' own ``fit`` and ``evaluate`` run under a ``MultiWorkerMirroredStrategy`` of 2+ workers.

    Keras 3's TensorFlow trainer (``keras/src/backend/tensorflow/trainer.py``) fails there in
    two places: keras-team/keras#20585 and tensorflow/tensorflow#72388, reported since Keras
    3.0 (TensorFlow 2.16), still so in 3.15.1, the newest checked. Remove this once a Keras
    release fixes them (``test_multi_worker_two_local_processes`` checks it):

    1. ``TensorFlowTrainer._maybe_symbolic_build`` averages the first batch over all
       replicas, ``strategy.reduce("MEAN", batch, axis=None)``, only to learn its shapes.
       ``Strategy.reduce`` takes one tensor, not the nested ``(x, y)`` batch; across
       workers ``CollectiveAllReduce.reduce`` tries to convert the tuple of ``PerReplica``
       values to a tensor ("unsupported type"). Here Keras' method gets this worker's
       first local batch instead: the same shapes, no collective.
    2. ``reduce_per_replica`` reduces each per-step log across workers with
       ``strategy.reduce("MEAN", v, axis=0)``, which fails on scalar metric results
       ("Invalid reduction dimension 0 for input with 0 dimensions"). The train and test
       steps here return every log with a leading axis of length 1, so that reduction
       averages over the replicas only: the value ``MirroredStrategy`` logs.

    Epoch results (``History``) come from the metrics' variables, summed over all workers.
    The instance keeps these attributes; the saved ``model.keras`` does not.
    """
    import tensorflow as tf

    symbolic_build = getattr(model, "_maybe_symbolic_build", None)
    if symbolic_build is not None:  # a Keras without it builds another way
        model._maybe_symbolic_build = functools.partial(_build_from_local_batch, keras, strategy, symbolic_build)

    def with_replica_axis(step: Callable[[Any], Any]) -> Callable[[Any], Any]:
        return lambda batch: keras.tree.map_structure(lambda v: tf.expand_dims(v, 0), step(batch))

    model.train_step = with_replica_axis(model.train_step)
    model.test_step = with_replica_axis(model.test_step)


def _build_from_local_batch(keras: Any, strategy: Any, symbolic_build: Callable[..., Any], iterator: Any = None, data_batch: Any = None) -> Any:
    """Keras' ``_maybe_symbolic_build``, given this worker's first local batch rather than the iterator."""
    if iterator is not None:
        for _, _, batches in iterator:
            data_batch = keras.tree.map_structure(lambda v: strategy.experimental_local_results(v)[0], next(batches))
            break
    return symbolic_build(data_batch=data_batch)


@contextlib.contextmanager
def _writable_folder(folder: Path, chief: bool) -> Iterator[Path]:
    """The run folder; a non-chief worker writes to a temporary one, removed after (Keras' multi-worker advice)."""
    if chief:
        folder.mkdir(parents=True, exist_ok=True)
        yield folder
        return
    temp = Path(tempfile.mkdtemp(prefix="graphspec-worker-"))
    try:
        yield temp
    finally:
        shutil.rmtree(temp, ignore_errors=True)


# ---------------------------------------------------------------------------
# callbacks


def _callbacks(keras: Any, settings: FitSpec, folder: Path, tensorboard: bool) -> list[Any]:
    """The spec's callbacks as objects, their file arguments placed in the run folder."""
    made = []
    for ref in settings.callbacks:
        name = ref if isinstance(ref, str) else str(ref["class_name"])
        config = {} if isinstance(ref, str) else dict(ref.get("config") or {})
        arg = catalog.CALLBACK_FILE_ARGS.get(name)
        if arg is not None:
            config[arg] = _callback_path(folder, name, config.get(arg) or _DEFAULT_FILES[name])
        cls = catalog.registered_callbacks().get(name) or getattr(keras.callbacks, name)
        made.append(_guard(functools.partial(cls, **config)))
    if tensorboard and not any(isinstance(c, keras.callbacks.TensorBoard) for c in made):
        made.append(keras.callbacks.TensorBoard(log_dir=str(folder / "logs"), histogram_freq=1))
    return made


def _callback_path(folder: Path, name: str, relative: str) -> str:
    """Where a callback writes: ``relative`` in the run folder, whose real path (symlinks followed) must stay inside.

    Keras writes these files itself, so the check is made here, before training:
    the literal part of the path (before any ``{epoch}`` field, which the spec
    check allows to hold only numbers) may not lead out through a symlink in a
    reused folder. ModelCheckpoint formats its whole path with ``str.format``,
    so braces in the folder's own name are escaped.
    """
    confined(folder, _literal_part(relative) if name == "ModelCheckpoint" else relative)
    prefix = str(folder).replace("{", "{{").replace("}", "}}") if name == "ModelCheckpoint" else str(folder)
    return os.path.join(prefix, relative)


def _literal_part(template: str) -> str:
    """A ``str.format`` template's text before its first field, braces unescaped (``{{x}}/{epoch}`` → ``{x}/``)."""
    import string

    literal = ""
    for text, field, _, _ in string.Formatter().parse(template):
        literal += text
        if field is not None:
            break
    return literal or "."


# Where a file-writing callback written by name only (no config) writes, in the run folder.
_DEFAULT_FILES = {"ModelCheckpoint": "checkpoint.keras", "CSVLogger": "log.csv", "TensorBoard": "logs", "BackupAndRestore": "backup"}


# ---------------------------------------------------------------------------
# the run folder


def _save_model(model: Any, folder: Path) -> None:
    replace_atomically(folder / "model.keras", model.save, suffix=".keras", inside=folder)


def _write_history(history: Mapping[str, Sequence[float]], folder: Path) -> None:
    clean = {k: [float(v) for v in values] for k, values in history.items()}
    write_text_atomically(folder / "history.json", json.dumps(clean, indent=2) + "\n", inside=folder)
    table = io.StringIO()
    writer = csv.writer(table, lineterminator="\n")
    writer.writerow(["epoch", *clean])
    epochs = max((len(v) for v in clean.values()), default=0)
    for i in range(epochs):
        writer.writerow([i + 1, *(values[i] if i < len(values) else "" for values in clean.values())])
    write_text_atomically(folder / "history.csv", table.getvalue(), inside=folder)
    write_bytes_atomically(folder / "history.png", plot_history(clean), inside=folder)


def plot_history(history: Mapping[str, Sequence[float]]) -> bytes:
    """A PNG with one panel per loss or metric, training and validation lines per epoch.

    Drawn on a bare ``Figure`` (matplotlib's way for servers), not through pyplot, so
    the caller's pyplot backend and figures are left alone.
    """
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    groups = list(dict.fromkeys(k.removeprefix("val_") for k in history))
    cols = min(3, max(1, len(groups)))
    rows = max(1, -(-len(groups) // cols))
    fig = Figure(figsize=(4.5 * cols, 3.2 * rows))
    axes = fig.subplots(rows, cols, squeeze=False)
    for ax, group in zip(axes.flat, groups, strict=False):
        for key, label in ((group, "training"), (f"val_{group}", "validation")):
            if key in history:
                ax.plot(range(1, len(history[key]) + 1), history[key], marker="o", label=label)
        ax.set_title(group)
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend()
    for ax in axes.flat[len(groups) :]:
        ax.axis("off")
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=80)
    return buffer.getvalue()


# ---------------------------------------------------------------------------
# evaluate and predict


def load_model(path: os.PathLike[str], *, limits: Limits = Limits(), budget: Budget = Budget()) -> Any:
    """Load a ``.keras`` file in Keras' safe mode (no code from the file runs), within the read limits and budget.

    The archive and its config are checked before Keras opens it, and its
    parameters counted without allocating (:mod:`graphspec._model_files`).

    Raises:
        SpecError: ``io-error`` if it cannot be read, ``bad-model`` if it breaks a
            read limit or Keras refuses it, ``too-many-params`` over the budget.
    """
    from graphspec._model_files import keras_file_model
    from graphspec.catalog import registered_layers

    return keras_file_model(path, limits=limits, budget=budget, custom_objects=registered_layers())


def _model_and_expected(model_or_spec: Any, limits: Limits, budget: Budget, params: Params) -> tuple[Any, Report | None, list[data.ArraySpec]]:
    """The model (``None`` for a spec: built by :func:`_built` once its data has passed) and what it takes."""
    # A path is an os.PathLike: a str is spec text, never a file name (see graphspec.load).
    if isinstance(model_or_spec, os.PathLike) and os.fspath(model_or_spec).endswith(".keras"):
        model_or_spec = load_model(model_or_spec, limits=limits, budget=budget)
    if hasattr(model_or_spec, "predict"):
        return model_or_spec, None, _model_arrays(model_or_spec)
    report = validate(model_or_spec, limits=limits, budget=budget, params=params)
    return None, report, data.expected_arrays(report)


def _built(model: Any, report: Report | None, budget: Budget) -> Any:
    return model if report is None else build_report(report, budget=budget)


def _model_arrays(model: Any) -> list[data.ArraySpec]:
    """What a Keras model takes, from its inputs and outputs (the loss is unknown: targets may be either form)."""
    out = [data.ArraySpec(t.name, "input", tuple(t.shape[1:]), str(t.dtype), ("inputs", t.name)) for t in model.inputs]
    for name, t in zip(model.output_names, model.outputs, strict=True):
        out.append(data.ArraySpec(name, "output", tuple(t.shape[1:]), None, ("outputs", name), "any"))
    return out


def evaluate(
    model_or_spec: Any, data: Data, *, batch_size: int | None = None, limits: Limits = Limits(), budget: Budget = Budget(), params: Params = None
) -> dict[str, float]:
    """Evaluate a model (a ``keras.Model``, a ``.keras`` path object, or a spec, built fresh) on data keyed by names.

    A ``str`` is spec text, never a file name; ``data`` is a mapping of arrays
    or a path object to an ``.npz`` file. Returns Keras' results by name (``loss``, ``<output>_loss``, metrics).

    Raises:
        SpecError: for an invalid spec, unreadable or mismatched data, or an error Keras raises.
    """
    model, report, expected = _model_and_expected(model_or_spec, limits, budget, params)
    if report is not None:
        _need_loss(report, "evaluating")
    x, y = _checked(report, data, expected, targets=True, limits=limits)
    model = _built(model, report, budget)
    results = _guard(lambda: model.evaluate(_one_or_dict(x), _one_or_dict(y), batch_size=batch_size, return_dict=True, verbose=0))
    return {k: float(v) for k, v in results.items()}


def predict(
    model_or_spec: Any, data: Data, *, batch_size: int | None = None, limits: Limits = Limits(), budget: Budget = Budget(), params: Params = None
) -> dict[str, np.ndarray]:
    """Predictions keyed by output name (Keras itself returns a bare array or a list).

    Arrays in ``data`` named after outputs are ignored, so one file serves
    ``evaluate`` and ``predict``. Paths are path objects, as for :func:`evaluate`.

    Raises:
        SpecError: for an invalid spec, unreadable or mismatched data, or an error Keras raises.
    """
    model, report, expected = _model_and_expected(model_or_spec, limits, budget, params)
    x, _ = _checked(report, data, expected, targets=False, limits=limits)
    model = _built(model, report, budget)
    result = _guard(lambda: model.predict(_one_or_dict(x), batch_size=batch_size, verbose=0))
    names = list(model.output_names)
    values = [result] if len(names) == 1 else list(result)
    return {name: np.asarray(v) for name, v in zip(names, values, strict=True)}
