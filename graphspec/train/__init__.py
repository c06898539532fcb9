"""Training from the spec: :func:`fit`, :func:`evaluate`, :func:`predict`, run folders, strategies.

A spec's ``fit:`` section says how the model is trained and ``distribute:`` where;
:func:`fit` checks the spec, the data and the run folder first (no TensorFlow
yet), then builds and compiles the model inside the ``tf.distribute`` strategy's
scope and trains it with Keras' own ``model.fit``. Everything it keeps goes in
one run folder::

    runs/<name>-<timestamp>/
        run.json        the run: what trains (fingerprints), the files it writes, finished or not
        history.json    every loss and metric per epoch (training and val_), rewritten after each epoch
        history.csv     the same as a table
        history.png     one panel per loss/metric; the best and the saved epoch marked
        model.svg       the drawing of the model (graphspec draw)
        model.keras     the trained model, written when training finishes
        spec.yaml       the spec as trained (fit settings after overrides), written last
        backup/         BackupAndRestore's backup, while the run is unfinished
        logs/           TensorBoard event files, HParams and the spec text, when asked for

Every file is written to a temporary name and renamed into place, so a process
killed at any moment leaves no half-written file. When and how a folder is
reused (resume, refuse, overwrite) is :mod:`graphspec.train.run_folder`'s; what is saved
each epoch, :mod:`graphspec.train._callbacks`'. Keras and TensorFlow are imported
only inside functions.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from graphspec import catalog, data
from graphspec._util.console import is_interactive
from graphspec._util.files import confined, replace_atomically, write_bytes_atomically, write_text_atomically
from graphspec._util.keras import quiet_native_logs
from graphspec.budget import Budget
from graphspec.data import checked_data
from graphspec.errors import Code, Diagnostic, SpecError
from graphspec.pipeline import Params, Report, SpecSource, build_report, check_build, validate
from graphspec.source import Limits, locate
from graphspec.spec import DistributeSpec, FitSpec, Spec
from graphspec.train import run_folder
from graphspec.train.history import History, Marks, best_epoch, plot_history, to_csv, to_json

__all__ = ["FitResult", "TrainingInterrupted", "evaluate", "fit", "load_model", "plot_history", "predict"]

Data = Mapping[str, Any] | os.PathLike[str]


@dataclass
class FitResult:
    """What :func:`fit` returns: the run folder, the trained model, and what the run did.

    ``history`` is Keras' ``History`` of this call (its ``epoch`` list holds the
    true 0-based epoch indices, continuing after a resume); ``run_history`` every
    epoch of the run, across resumes (index ``i`` is epoch ``i + 1``), as
    ``history.json`` holds it. ``saved_epoch`` is the (1-based) epoch whose weights
    ``model`` and ``model.keras`` hold: the last, or the best epoch when
    ``EarlyStopping(restore_best_weights=True)`` put those back (``restored_by``).
    ``wrote_run_dir`` is false for a non-chief multi-worker task, which trains but
    leaves the run folder to the chief.
    """

    history: Any
    run_dir: Path
    model: Any
    wrote_run_dir: bool = True
    run_history: dict[str, list[float | None]] = field(default_factory=dict)
    epochs: int = 0
    resumed_from: int = 0
    saved_epoch: int = 0
    restored_by: str | None = None
    stopped_early: bool = False

    @property
    def saved_metrics(self) -> dict[str, float]:
        """The losses and metrics of :attr:`saved_epoch` (``{}`` if no epoch finished)."""
        i = self.saved_epoch - 1
        return {k: v[i] for k, v in self.run_history.items() if 0 <= i < len(v) and v[i] is not None}  # type: ignore[misc]


class TrainingInterrupted(KeyboardInterrupt):
    """:func:`fit` was interrupted (Ctrl-C; SIGTERM in the CLI): what the run folder kept, and whether it resumes.

    A ``KeyboardInterrupt``, so code that stops on Ctrl-C still does.
    """

    def __init__(
        self, run_dir: Path, epochs_done: int, epochs: int, kept: list[str], resumable: bool, finished: bool = False
    ):
        self.run_dir = run_dir
        self.epochs_done = epochs_done
        self.epochs = epochs
        self.kept = kept
        self.resumable = resumable
        self.finished = finished
        super().__init__(self.describe())

    def describe(self) -> str:
        """``interrupted after epoch 12 of 40; runs/x keeps ...; the same command resumes it``."""
        if self.finished:
            return f"interrupted after the run finished ({self.epochs_done} epochs); {self.run_dir} holds it whole"
        when = (
            f"after epoch {self.epochs_done} of {self.epochs}"
            if self.epochs_done
            else "before the first epoch finished"
        )
        kept = f"; {self.run_dir} keeps {', '.join(self.kept)}" if self.kept else ""
        if self.resumable:
            then = "the same command resumes it" if self.epochs_done else "the same command starts it again"
        else:
            then = "it has no BackupAndRestore backup to resume from: --overwrite starts it again"
        return f"interrupted {when}{kept}; {then}"


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
    resume: bool = False,
    overwrite: bool = False,
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
        run_dir: the run folder (default ``runs/<name>-<timestamp>``). A folder
            holding an interrupted run of the same spec, data and settings with a
            ``BackupAndRestore`` backup is resumed; one holding a finished run (or
            any run that cannot be continued) is refused: see :mod:`graphspec.train.run_folder`.
        strategy: ``"mirrored"`` or ``"multi-worker"``, overriding ``distribute:``.
        seed: seeds Python, NumPy and TensorFlow (and the synthetic data). A seeded
            run resumed from its backup trains exactly as it would have uninterrupted.
        tensorboard: add a TensorBoard callback (histograms every epoch) writing
            to ``logs/`` when the spec has none.
        callbacks: more Keras callback objects, from Python (their state is not backed up).
        verbose: ``"auto"``: Keras' progress bar on a terminal or in a notebook, one
            line per epoch otherwise (a pipe, a log file); ``0`` silent; ``1``, ``2``: Keras'.
        resume: insist on continuing an interrupted run: ``cannot-resume`` if the
            folder holds none, or the spec has no ``BackupAndRestore``.
        overwrite: remove the run the folder holds (the files its ``run.json``
            lists; other files stay) and start a new one.
        limits, budget, params: as for :func:`graphspec.validate`; ``limits``
            also bounds the data file and the synthetic data (``max_data_bytes``),
            and ``budget`` the build (checked before TensorFlow is imported).

    Raises:
        SpecError: for an invalid spec or data, a model past the build budget,
            a callback path leading out of the run folder (``unsafe-path``), or a run folder that may not be used
            (``run-exists``, ``run-in-use``, ``cannot-resume``), all before TensorFlow
            is imported; ``training-failed`` with Keras' reason if training stops on an error.
        TrainingInterrupted: on Ctrl-C, saying what the run folder kept.
        ValueError: for ``resume`` and ``overwrite`` together.
    """
    if resume and overwrite:
        raise ValueError("resume and overwrite exclude each other: give one, not both")
    report = validate(spec, limits=limits, budget=budget, params=params)
    check_build(report, budget)  # before TensorFlow loads and the run folder exists
    settings = _settings(report.spec, epochs, batch_size)
    x, y = _training_data(report, data, synthetic, seed, limits)
    distribute = DistributeSpec(strategy=strategy) if strategy is not None else report.spec.distribute  # type: ignore[arg-type]
    folder = (
        Path(run_dir) if run_dir is not None else Path("runs") / f"{report.spec.name}-{time.strftime('%Y%m%d-%H%M%S')}"
    )
    request = _request(
        report.spec, settings, distribute, seed, {**x, **y}, tensorboard, resume=resume, overwrite=overwrite
    )
    run_folder.plan_run(folder, request)  # a folder that may not be used is refused before TensorFlow starts
    _confine_callback_paths(folder, settings, tensorboard)  # as is a callback path that leads out of it
    keras, made_strategy = _start(distribute, seed)
    chief = _is_chief(made_strategy)
    with _claimed(folder, request, chief) as (out, claim):
        run = _Run(report, settings, distribute, seed, folder, out, claim, request, tensorboard, _progress(verbose))
        return run.train(keras, made_strategy, x, y, callbacks, budget)


def _settings(spec: Spec, epochs: int | None, batch_size: int | None) -> FitSpec:
    settings = spec.fit or FitSpec()
    overrides = {k: v for k, v in (("epochs", epochs), ("batch_size", batch_size)) if v is not None}
    return settings.model_copy(update=overrides) if overrides else settings


def _training_data(
    report: Report, source: Data | None, synthetic: int | None, seed: int | None, limits: Limits
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    _need_loss(report, "training")
    if (source is None) == (synthetic is None):
        raise SpecError.single(
            Code.MISSING_KEY,
            "give training data: a .npz file or arrays, or a number of synthetic samples (not both)",
            (),
            "--data FILE.npz or --synthetic N",
        )
    if synthetic is not None:
        arrays = data.synthetic_arrays(report, synthetic, seed or 0, max_bytes=limits.max_data_bytes)
        return data.split_arrays(arrays, data.expected_arrays(report), source="synthetic data")
    return checked_data(source, data.expected_arrays(report), targets=True, where=report.spec.source, limits=limits)  # type: ignore[arg-type]


def _need_loss(report: Report, doing: str) -> None:
    """Refuse a spec none of whose outputs has a loss: its model is not compiled,
    Keras' message would be about ``compile()``."""
    if not any(o.loss is not None for o in report.spec.outputs.values()):
        raise SpecError(
            locate(
                [
                    Diagnostic(
                        Code.MISSING_KEY,
                        f"{doing} needs a loss on at least one output",
                        ("outputs",),
                        "add `loss: ...` to an output",
                    )
                ],
                report.spec.source,
            )
        )


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
    from graphspec._util.keras import reason

    try:
        return fn()
    except SpecError:
        raise
    except Exception as exc:
        raise SpecError.single(
            Code.TRAINING_FAILED,
            f"Keras stopped: {reason(exc)}",
            (),
            "check the data against the model's inputs and outputs, and the callbacks' arguments",
        ) from None


def _progress(verbose: str | int) -> tuple[int | str, TextIO | None]:
    """Keras' ``verbose`` and where graphspec writes one line per epoch (``None``: nowhere)."""
    if verbose == "auto":
        return (1, None) if is_interactive() else (0, sys.stdout)
    return verbose, None


# ---------------------------------------------------------------------------
# what this run is and writes


def _request(
    spec: Spec,
    settings: FitSpec,
    distribute: DistributeSpec | None,
    seed: int | None,
    arrays: Mapping[str, np.ndarray],
    tensorboard: bool,
    **flags: bool,
) -> run_folder.RunRequest:
    model_text = spec.model_copy(update={"fit": None, "distribute": None}).to_json()
    training = {
        "fit": settings.model_copy(update={"epochs": 1}).model_dump(mode="json"),
        "distribute": distribute.model_dump(mode="json") if distribute else None,
        "seed": seed,
    }
    fingerprint = run_folder.Fingerprint.of(model_text, json.dumps(training, sort_keys=True), arrays)
    files = _callback_files(settings, tensorboard)
    writes = (*run_folder.own_files(tuple(ARTEFACTS)), *(p for paths in files.values() for p in paths))
    backup = next((d for name, d in _file_args(settings) if name == "BackupAndRestore"), None)
    return run_folder.RunRequest(fingerprint, tuple(dict.fromkeys(writes)), backup, settings.epochs, **flags)


_DEFAULT_FILES = catalog.CALLBACK_DEFAULT_FILES


def _file_args(settings: FitSpec) -> Iterator[tuple[str, str]]:
    """Each file-writing callback of the spec and its path in the run folder (normalised, relative)."""
    for ref in settings.callbacks:
        name, config = _ref(ref)
        arg = catalog.CALLBACK_FILE_ARGS.get(name)
        if arg is not None:
            yield name, os.path.normpath(str(config.get(arg) or _DEFAULT_FILES[name])).replace(os.sep, "/")


def _ref(ref: Any) -> tuple[str, dict[str, Any]]:
    return (ref, {}) if isinstance(ref, str) else (str(ref["class_name"]), dict(ref.get("config") or {}))


def _under(folder: str, name: str) -> str:
    return name if folder == "." else f"{folder}/{name}"


# What each file-writing callback leaves in the run folder, as patterns (a `{epoch}` field matches anything).
_CALLBACK_WRITES: dict[str, Callable[[str], tuple[str, ...]]] = {
    "ModelCheckpoint": lambda path: (re.sub(r"\{[^{}]*\}", "*", path),),
    "CSVLogger": lambda path: (path,),
    "TensorBoard": lambda folder: (
        _under(folder, "train"),
        _under(folder, "validation"),
        _under(folder, "events.out.tfevents.*"),
    ),
    "BackupAndRestore": lambda folder: (_under(folder, run_folder.BACKUP_STATE), _under(folder, "epoch-*")),
}


def _callback_files(settings: FitSpec, tensorboard: bool) -> dict[str, tuple[str, ...]]:
    files = {f"{i}:{name}": _CALLBACK_WRITES[name](path) for i, (name, path) in enumerate(_file_args(settings))}
    if tensorboard and not any(k.endswith(":TensorBoard") for k in files):
        files["tensorboard"] = _CALLBACK_WRITES["TensorBoard"](_DEFAULT_FILES["TensorBoard"])
    return files


# ---------------------------------------------------------------------------
# strategies


def _start(distribute: DistributeSpec | None, seed: int | None) -> tuple[Any, Any]:
    """Import Keras and create the strategy (before any other TensorFlow op, as multi-worker needs); seed.

    Returns Keras and the strategy, or ``None`` without ``distribute``. Every worker of a
    multi-worker cluster must shuffle the same way (see :func:`_spans_workers`), so
    there the seed defaults to 0.
    """
    quiet_native_logs()
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


def _build_from_local_batch(
    keras: Any, strategy: Any, symbolic_build: Callable[..., Any], iterator: Any = None, data_batch: Any = None
) -> Any:
    """Keras' ``_maybe_symbolic_build``, given this worker's first local batch rather than the iterator."""
    if iterator is not None:
        for _, _, batches in iterator:
            data_batch = keras.tree.map_structure(lambda v: strategy.experimental_local_results(v)[0], next(batches))
            break
    return symbolic_build(data_batch=data_batch)


# ---------------------------------------------------------------------------
# training in the run folder


@contextlib.contextmanager
def _claimed(
    folder: Path, request: run_folder.RunRequest, chief: bool
) -> Iterator[tuple[Path, run_folder.Claim | None]]:
    """The run folder, claimed for this run; a non-chief worker writes to a temporary one,
    removed after (Keras' multi-worker advice)."""
    if chief:
        with run_folder.claim_run(folder, request) as claim:
            yield folder, claim
        return
    temp = Path(tempfile.mkdtemp(prefix="graphspec-worker-"))
    try:
        yield temp, None
    finally:
        shutil.rmtree(temp, ignore_errors=True)


@dataclass
class Finished:
    """A run that finished training, for the writers of :data:`ARTEFACTS`."""

    model: Any
    history: Mapping[str, Sequence[float | None]]
    marks: Marks
    spec: Spec
    report: Report  # the validated spec, for its drawing


def _draw_model(run: Finished, path: Path) -> None:
    from graphspec.render import write_model_svg

    write_model_svg(run.report, path.parent, path.name)


def _save_model(run: Finished, path: Path) -> None:
    replace_atomically(path, run.model.save, suffix=".keras", inside=path.parent)


# What a finished run leaves in its folder, written in this order once training ends
# (spec.yaml last, so the spec beside a model is always the one that trained it; then
# run.json says the run finished). Another artefact of the run folder is one more entry.
ARTEFACTS: dict[str, Callable[[Finished, Path], None]] = {
    "model.keras": _save_model,
    "history.json": lambda run, path: write_text_atomically(path, to_json(run.history), inside=path.parent),
    "history.csv": lambda run, path: write_text_atomically(path, to_csv(run.history), inside=path.parent),
    "history.png": lambda run, path: write_bytes_atomically(
        path, plot_history(run.history, run.marks), inside=path.parent
    ),
    "model.svg": _draw_model,
    "spec.yaml": lambda run, path: write_text_atomically(path, run.spec.to_yaml(), inside=path.parent),
}


@dataclass
class _Run:
    """One call of :func:`fit` in its claimed folder."""

    report: Report
    settings: FitSpec
    distribute: DistributeSpec | None
    seed: int | None
    folder: Path  # as the user named it
    out: Path  # where files go (a temporary folder for a non-chief worker)
    claim: run_folder.Claim | None
    request: run_folder.RunRequest
    tensorboard: bool
    progress: tuple[int | str, TextIO | None]
    finished: bool = False  # run.json says so: an interrupt now loses nothing

    @property
    def backup(self) -> run_folder.BackupState | None:
        return self.claim.plan.backup if self.claim is not None else None

    def train(
        self,
        keras: Any,
        strategy: Any,
        x: dict[str, np.ndarray],
        y: dict[str, np.ndarray],
        extra: Sequence[Any],
        budget: Budget,
    ) -> FitResult:
        backup = self.backup
        history = History(self.out, backup.history if backup is not None else None)
        try:
            with strategy.scope() if strategy is not None else contextlib.nullcontext():
                model = _guard(lambda: build_report(self.report, budget=budget))
            if _spans_workers(strategy):
                _multi_worker_keras_fixes(keras, model, strategy)
            if backup is not None:
                _restore(model, backup.generation)
            made, keeper = self._callbacks(keras, history)
            self._notice()
            kwargs = _fit_kwargs(self.settings)
            first = backup.epoch if backup is not None else 0
            if backup is not None and backup.stopped:
                kwargs["epochs"] = first  # it had stopped early: nothing more to train
            verbose = self.progress[0]
            keras_history = _guard(
                lambda: model.fit(
                    _one_or_dict(x),
                    _one_or_dict(y),
                    callbacks=[*made, *extra, keeper],
                    verbose=verbose,
                    initial_epoch=first,
                    **kwargs,
                )
            )
            return self._finish(
                model, made, history, keras_history, stopped=keeper.stopped or bool(backup and backup.stopped)
            )
        except KeyboardInterrupt:
            raise self._interrupted(history) from None

    def _notice(self) -> None:
        notice = self.claim.plan.notice if self.claim is not None else None
        if notice and (self.progress[0] != 0 or self.progress[1] is not None):  # silent only when fit is
            print(f"graphspec: {notice}", file=sys.stderr)

    def _callbacks(self, keras: Any, history: History) -> tuple[list[Any], Any]:
        from graphspec.train import _callbacks as _fit_callbacks

        backup = self.backup
        resume_from = backup.epoch if backup is not None else 0
        made, backup_to = _spec_callbacks(keras, self.settings, self.out, self.tensorboard, resume_from)
        saving = (
            _fit_callbacks.Backup(backup_to[0], self.request.fingerprint.to_dict(), backup_to[1], inside=self.out)
            if backup_to is not None
            else None
        )
        boards = [Path(c.log_dir) for c in made if isinstance(c, keras.callbacks.TensorBoard)]
        settings = _fit_callbacks.KeeperSettings(
            history=history,
            epochs=self.settings.epochs,
            backup=saving,
            tracked=made,
            restore=backup.callbacks if backup is not None else None,
            restore_arrays=backup.generation / "callbacks.npz" if backup is not None else None,
            lines=self.progress[1],
            monitor=_monitor(self.settings),
            hparams=functools.partial(_write_hparams, boards, self.report, self.settings, self.seed, self.folder.name)
            if boards and resume_from == 0
            else None,
        )
        return made, _fit_callbacks.classes().RunKeeper(settings)

    def _finish(self, model: Any, made: list[Any], history: History, keras_history: Any, *, stopped: bool) -> FitResult:
        from graphspec.train._callbacks import saved_epoch

        epochs = history.epochs
        saved, by = saved_epoch(made, epochs)
        monitor = _monitor(self.settings)
        finished = Finished(
            model,
            history.series,
            Marks(monitor, best_epoch(history.series, monitor), saved, by),
            self.trained_spec,
            self.report,
        )
        for name, write in ARTEFACTS.items():
            write(finished, self.out / name)
        if self.claim is not None:
            self.claim.write_manifest(
                "finished",
                epochs_done=epochs,
                saved_epoch=saved,
                restored_by=by,
                stopped_early=stopped,
                finished=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            )
            self.finished = True
            if self.request.backup_dir is not None and _deletes_backup(self.settings):
                run_folder.remove_backup(self.out / self.request.backup_dir, inside=self.out)
        first = self.backup.epoch if self.backup is not None else 0
        return FitResult(
            keras_history, self.folder, model, self.claim is not None, history.series, epochs, first, saved, by, stopped
        )

    @property
    def trained_spec(self) -> Spec:
        return self.report.spec.model_copy(update={"fit": self.settings, "distribute": self.distribute})

    def _interrupted(self, history: History) -> TrainingInterrupted:
        with contextlib.suppress(Exception):
            history.save_plot()  # the PNG may lag the JSON by an epoch or two when epochs are fast
        if self.claim is None or self.finished:
            return TrainingInterrupted(
                self.folder, history.epochs, self.settings.epochs, [], False, finished=self.finished
            )
        state = run_folder.read_backup(self.out / self.request.backup_dir) if self.request.backup_dir else None
        kept = [f"history.json, .csv, .png ({history.epochs} epochs)"] if history.epochs else []
        if state is not None:
            kept.append(f"the backup of epoch {state.epoch} in {self.request.backup_dir}/")
        own = {run_folder.MANIFEST, *ARTEFACTS}
        kept += [
            p
            for p in run_folder.existing(self.out, self.request.writes)
            if p not in own and not p.startswith(f"{self.request.backup_dir}/")
        ]
        return TrainingInterrupted(
            self.folder, history.epochs, self.settings.epochs, kept, state is not None or history.epochs == 0
        )


def _restore(model: Any, generation: Path) -> None:
    """Load a backup into the built model; one that does not fit (damaged by hand,
    or a disk fault) says how to go on."""
    from graphspec._util.keras import reason
    from graphspec.train._callbacks import restore_model_state

    try:
        restore_model_state(model, generation)
    except Exception as exc:
        message = f"cannot restore the backup in {generation}: {reason(exc)}"
        raise SpecError(
            [Diagnostic(Code.CANNOT_RESUME, message, (), "--overwrite starts the run again", file=str(generation))]
        ) from None


def _monitor(settings: FitSpec) -> str:
    """What "best" means for this run: EarlyStopping's monitor if the spec has one,
    else the validation loss, else the loss."""
    for ref in settings.callbacks:
        name, config = _ref(ref)
        if name == "EarlyStopping":
            return str(config.get("monitor", "val_loss"))
    return "val_loss" if settings.validation_split else "loss"


def _deletes_backup(settings: FitSpec) -> bool:
    return all(
        _ref(ref)[1].get("delete_checkpoint", True) is not False
        for ref in settings.callbacks
        if _ref(ref)[0] == "BackupAndRestore"
    )


def _write_hparams(
    log_dirs: Sequence[Path], report: Report, settings: FitSpec, seed: int | None, run_name: str
) -> None:
    """TensorBoard's HParams (the spec's parameters and the training settings) and the spec's
    text, in each log folder."""
    from graphspec.train.hparams import hparams_of, write_run_summary

    values = hparams_of(getattr(report.spec.source, "params", None) or {}, settings, seed)
    text = (
        report.spec.source.text if report.spec.source is not None and report.spec.source.text else report.spec.to_yaml()
    )
    for log_dir in log_dirs:
        write_run_summary(log_dir, values, text, run_name)


# ---------------------------------------------------------------------------
# callbacks


def _spec_callbacks(
    keras: Any, settings: FitSpec, folder: Path, tensorboard: bool, resume_from: int
) -> tuple[list[Any], tuple[Path, int] | None]:
    """The spec's callbacks as objects, their file arguments placed in the run folder, and where the backup goes.

    ``BackupAndRestore`` is not Keras' (which writes in place): the run's keeper makes
    the backup (see :mod:`graphspec.train._callbacks`); ``ModelCheckpoint`` and
    ``CSVLogger`` are Keras' own with atomic writes.
    """
    from graphspec.train._callbacks import classes

    atomic = classes()
    made: list[Any] = []
    backup: tuple[Path, int] | None = None
    for ref in settings.callbacks:
        name, config = _ref(ref)
        arg = catalog.CALLBACK_FILE_ARGS.get(name)
        if arg is not None:
            config[arg] = _callback_path(folder, name, config.get(arg) or _DEFAULT_FILES[name])
        if name == "BackupAndRestore":
            # double_checkpoint keeps the previous generation too; save_freq is "epoch" (checked at validate time).
            backup = (Path(config[arg]), 2 if config.get("double_checkpoint") else 1)  # type: ignore[index]
            continue
        cls = getattr(atomic, name, None) if name in ("ModelCheckpoint", "CSVLogger") else None
        cls = cls or catalog.registered_callbacks().get(name) or getattr(keras.callbacks, name)
        made.append(_guard(functools.partial(cls, **config)))
        if name == "CSVLogger":
            made[-1].resume_from = resume_from
        if name in ("ModelCheckpoint", "CSVLogger"):
            made[-1].inside = folder  # each save confined again: the folder may change while training
    if tensorboard and not any(isinstance(c, keras.callbacks.TensorBoard) for c in made):
        made.append(
            keras.callbacks.TensorBoard(
                log_dir=_callback_path(folder, "TensorBoard", _DEFAULT_FILES["TensorBoard"]), histogram_freq=1
            )
        )
    return made, backup


def _confine_callback_paths(folder: Path, settings: FitSpec, tensorboard: bool) -> None:
    """Refuse, before the folder is claimed, a callback path that leads out of it through a
    symlink (``unsafe-path``)."""
    for name, path in _file_args(settings):
        _callback_path(folder, name, path)
    if tensorboard:
        _callback_path(folder, "TensorBoard", _DEFAULT_FILES["TensorBoard"])


def _callback_path(folder: Path, name: str, relative: str) -> str:
    """Where a callback writes: ``relative`` in the run folder, whose real path (symlinks followed) must stay inside.

    Keras writes TensorBoard's files itself, so the check is made here, before
    training (graphspec's own ModelCheckpoint, CSVLogger and backup check again at
    each write): the literal part of the path (before any ``{epoch}`` field, which
    the spec check allows to hold only numbers) may not lead out through a
    symlink in a reused folder. ModelCheckpoint formats its whole path with
    ``str.format``, so braces in the folder's own name are escaped.
    """
    confined(folder, _literal_part(relative) if name == "ModelCheckpoint" else relative)
    prefix = str(folder).replace("{", "{{").replace("}", "}}") if name == "ModelCheckpoint" else str(folder)
    return os.path.join(prefix, relative)


def _literal_part(template: str) -> str:
    """A ``str.format`` template's text before its first field, braces unescaped (``{{x}}/{epoch}`` → ``{x}/``)."""
    import string

    literal = ""
    for text, field_name, _, _ in string.Formatter().parse(template):
        literal += text
        if field_name is not None:
            break
    return literal or "."


# ---------------------------------------------------------------------------
# evaluate and predict


def load_model(path: os.PathLike[str], *, limits: Limits = Limits(), budget: Budget = Budget()) -> Any:
    """Load a ``.keras`` file in Keras' safe mode (no code from the file runs), within the read limits and budget.

    The archive and its config are checked before Keras opens it, and its
    parameters counted without allocating (:mod:`graphspec.importer.model_files`).

    Raises:
        SpecError: ``io-error`` if it cannot be read, ``bad-model`` if it breaks a
            read limit or Keras refuses it, ``too-many-params`` over the budget;
            each located at the file.
    """
    from graphspec.catalog import registered_layers
    from graphspec.importer.model_files import keras_file_model

    return keras_file_model(path, limits=limits, budget=budget, custom_objects=registered_layers())


@dataclass
class _Target:
    """What evaluate and predict run on: a model (``None`` for a spec, built once its data has passed),
    what it takes, where errors point."""

    model: Any
    report: Report | None
    expected: list[data.ArraySpec]
    where: Any  # the spec's document, or the name of the model file

    def built(self, budget: Budget) -> Any:
        return self.model if self.report is None else build_report(self.report, budget=budget)


def _target(model_or_spec: Any, limits: Limits, budget: Budget, params: Params) -> _Target:
    """A ``.keras`` path, a Keras model or a spec, with the arrays it takes: the same check for each."""
    # A path is an os.PathLike: a str is spec text, never a file name (see graphspec.load).
    if isinstance(model_or_spec, os.PathLike) and os.fspath(model_or_spec).endswith(".keras"):
        model = load_model(model_or_spec, limits=limits, budget=budget)
        return _Target(model, None, data.model_arrays(model), os.fspath(model_or_spec))
    if hasattr(model_or_spec, "predict"):
        return _Target(model_or_spec, None, data.model_arrays(model_or_spec), "<model>")
    report = validate(model_or_spec, limits=limits, budget=budget, params=params)
    return _Target(None, report, data.expected_arrays(report), report.spec.source)


def _need_targets(target: _Target) -> None:
    if target.report is not None:
        _need_loss(target.report, "evaluating")
    elif not any(w.role == "output" for w in target.expected):
        message = f"evaluating needs a loss; the model in {target.where} was saved without one (not compiled)"
        raise SpecError(
            [
                Diagnostic(
                    Code.MISSING_KEY,
                    message,
                    (),
                    "build it with a loss on an output (graphspec build -o, without --no-compile)",
                    file=str(target.where),
                )
            ]
        )


def evaluate(
    model_or_spec: Any,
    data: Data,
    *,
    batch_size: int | None = None,
    limits: Limits = Limits(),
    budget: Budget = Budget(),
    params: Params = None,
) -> dict[str, float]:
    """Evaluate a model (a ``keras.Model``, a ``.keras`` path object, or a spec, built fresh) on data keyed by names.

    A ``str`` is spec text, never a file name; ``data`` is a mapping of arrays
    or a path object to an ``.npz`` file. The data is checked as for :func:`fit` whatever the model is given as: a
    ``.keras`` file's compiled losses say what its targets are (class ids for a
    sparse loss, one-hot rows for a categorical one), and errors name that file.
    Returns Keras' results by name (``loss``, ``<output>_loss``, metrics).

    Raises:
        SpecError: for an invalid spec or model, unreadable or mismatched data, or an error Keras raises.
    """
    target = _target(model_or_spec, limits, budget, params)
    _need_targets(target)
    x, y = checked_data(data, target.expected, targets=True, where=target.where, limits=limits)
    model = target.built(budget)
    results = _guard(
        lambda: model.evaluate(_one_or_dict(x), _one_or_dict(y), batch_size=batch_size, return_dict=True, verbose=0)
    )
    return {k: float(v) for k, v in results.items()}


def predict(
    model_or_spec: Any,
    data: Data,
    *,
    batch_size: int | None = None,
    limits: Limits = Limits(),
    budget: Budget = Budget(),
    params: Params = None,
) -> dict[str, np.ndarray]:
    """Predictions keyed by output name (Keras itself returns a bare array or a list).

    Arrays in ``data`` named after the model's outputs are ignored, so one file
    serves ``evaluate`` and ``predict``; any other array that is no input is an error.
    Paths are path objects, as for :func:`evaluate`.

    Raises:
        SpecError: for an invalid spec or model, unreadable or mismatched data, or an error Keras raises.
    """
    target = _target(model_or_spec, limits, budget, params)
    x, _ = checked_data(data, target.expected, targets=False, where=target.where, limits=limits)
    model = target.built(budget)
    result = _guard(lambda: model.predict(_one_or_dict(x), batch_size=batch_size, verbose=0))
    if isinstance(result, Mapping):  # a model whose outputs are a dict returns them by key
        return {str(k): np.asarray(v) for k, v in result.items()}
    names = _output_names(model, target.report)
    values = [result] if len(names) == 1 else _flat(result)
    return {name: np.asarray(v) for name, v in zip(names, values, strict=True)}


def _output_names(model: Any, report: Report | None) -> list[str]:
    """The outputs' names: a spec's own (an output returned by reference is named by it, ``enc:1``), else Keras'."""
    if report is None:
        return list(model.output_names)
    from graphspec.graph import interfaces
    from graphspec.spec.structure import leaves

    return [str(leaf) for leaf, _ in leaves(interfaces(report.spec)[0].outputs)]


def _flat(value: Any) -> list[Any]:
    """Nested lists of outputs (a model with a nested output structure), flattened in order."""
    return [v for item in value for v in _flat(item)] if isinstance(value, list | tuple) else [value]
