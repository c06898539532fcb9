"""Where a search's trials train: a child process, replaced once its memory has grown, or this process.

Keras and TensorFlow keep memory from every model a process builds, whatever
``keras.backend.clear_session()`` frees: about 6 MiB a model for small ones here,
the same with or without graphspec (``benchmarks/tune_overhead.py``), so a long
search grows without bound. So a worker trains its trials in a child process
(``spawn``; it imports TensorFlow once, then trains trial after trial) and replaces
it when its resident memory has grown by more than :data:`GROWTH` since its first
trial. A child that dies (the kernel's out-of-memory killer, a crash in a
TensorFlow kernel) fails its trial, not the search: the next trial gets a new one.

A job crosses the pipe as plain data: the trial's flat spec as text, where to
write, the seed, epochs, the model to continue from. The child validates the spec
again (milliseconds), builds the trial's callbacks (TensorBoard with the trial's
HParams, Hyperband's warm start, the build-time parameter check) and trains with
:func:`train_trial`. ``inline=True`` does the same in this process.
"""

from __future__ import annotations

import contextlib
import gc
import os
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphspec._util.keras import quiet_native_logs
from graphspec.errors import Code, Diagnostic, SpecError

__all__ = ["GROWTH", "Job", "Outcome", "TrialRunner", "train_trial"]

GROWTH = 256 << 20


@dataclass(frozen=True)
class Job:
    """One execution of one trial, as plain data."""

    spec: str
    run_dir: str
    seed: int
    epochs: int | None
    warm: str | None
    logdir: str
    hparams: dict[str, Any]
    run_name: str
    max_params: int | None
    synthetic: int | None
    data_seed: int


@dataclass
class Outcome:
    """What training a job gave: the history and parameter count, or why it did not train."""

    history: dict[str, list[float]] | None = None
    params: int | None = None
    refused: str | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    rss: int | None = None
    cpu: float = 0.0  # CPU seconds the job took in the process that trained it (every thread)


@dataclass
class TrialRunner:
    """Trains jobs in a child process (replaced when it has grown by ``growth`` bytes), or in this one."""

    data: Mapping[str, Any] | str | None
    budget: Any
    inline: bool = False
    growth: int = GROWTH
    log: Any = None
    started: int = 0
    _child: Any = None
    _conn: Any = None
    _first: int | None = None
    _synthetic: dict[Any, Any] = field(default_factory=dict)

    def train(self, job: Job) -> Outcome:
        if not self.inline and self._child is None:
            self._start()
        if self.inline:
            return run_job(job, self.data, self.budget, self._synthetic)
        try:
            self._conn.send(job)
            outcome: Outcome = self._conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            self._child.join(timeout=10)  # reaped, so its exit code is known
            code = self._child.exitcode
            self.close()
            hint = " (killed: out of memory?)" if code == -9 else ""
            return Outcome(
                diagnostics=[
                    Diagnostic(Code.TRAINING_FAILED, f"the process training the trial died, exit code {code}{hint}")
                ]
            )
        if outcome.rss is not None:
            if self._first is None:
                self._first = outcome.rss
            elif outcome.rss - self._first > self.growth:
                self.close()  # the next trial gets a fresh process: memory stays bounded
        return outcome

    def _start(self) -> None:
        import multiprocessing
        import pickle

        from graphspec import catalog

        context = multiprocessing.get_context("spawn")  # a fork of a process with TensorFlow loaded is not safe
        parent, child = context.Pipe()
        # Classes registered here are registered there too (pickled by reference: importable classes).
        registered = (catalog.registered_layers(), catalog.registered_callbacks())
        self._child = context.Process(
            target=_serve, args=(child, self.data, self.budget, registered), daemon=True, name="graphspec-trials"
        )
        try:
            self._child.start()
        except (pickle.PicklingError, AttributeError, TypeError) as exc:
            self._child = None
            parent.close()
            self.inline = True
            if self.log is not None:
                self.log(f"note: trials train in this process: what they need cannot be sent to another ({exc})")
            return
        finally:
            child.close()
        self._conn, self._first = parent, None
        self.started += 1

    def close(self) -> None:
        if self._child is None:
            return
        with contextlib.suppress(OSError, BrokenPipeError):
            self._conn.send(None)
        self._child.join(timeout=30)
        if self._child.is_alive():
            self._child.kill()
            self._child.join()
        self._conn.close()
        self._child, self._conn = None, None


def _serve(conn: Any, data: Any, budget: Any, registered: tuple[dict[str, type], dict[str, type]]) -> None:
    """The child's loop: one job in, one outcome out, until told to stop (``None``) or the parent goes."""
    quiet_native_logs()
    import logging

    from graphspec import catalog

    logging.getLogger("tensorflow").setLevel(logging.ERROR)  # a search retraces functions by design
    for name, cls in registered[0].items():
        catalog.register_layer(cls, name)
    for name, cls in registered[1].items():
        catalog.register_callback(cls, name)
    synthetic: dict[Any, Any] = {}
    with contextlib.suppress(EOFError, KeyboardInterrupt, BrokenPipeError):
        while True:
            job = conn.recv()
            if job is None:
                return
            conn.send(run_job(job, data, budget, synthetic))


def run_job(job: Job, data: Any, budget: Any, synthetic: dict[Any, Any]) -> Outcome:
    """Validate the job's spec, build its callbacks and train it, in this process."""
    import time

    import keras

    from graphspec.pipeline import validate_loaded
    from graphspec.source import parse_text

    began = time.process_time()
    keras.backend.clear_session()
    gc.collect()
    refused: list[str] = []
    try:
        report = validate_loaded(parse_text(job.spec, file=None), budget=budget)
        arrays = _arrays(report, data, job, synthetic)
        history, count = train_trial(report, arrays, job, refused, budget)
    except SpecError as exc:
        return Outcome(
            refused=refused[0] if refused else None,
            diagnostics=exc.diagnostics,
            rss=_rss(),
            cpu=time.process_time() - began,
        )
    return Outcome(history, count, rss=_rss(), cpu=time.process_time() - began)


def _arrays(report: Any, data: Any, job: Job, cache: dict[Any, Any]) -> Any:
    """The arrays given (loaded once from a file), or synthetic ones shaped for this spec (one seed for every trial)."""
    from graphspec import data as data_module

    if job.synthetic is None:
        if isinstance(data, str):
            if data not in cache:
                cache[data] = data_module.load_npz(data)
            return cache[data]
        return data
    key = tuple((a.name, a.shape, a.dtype, a.labels) for a in data_module.expected_arrays(report))
    if key not in cache:
        cache[key] = data_module.synthetic_arrays(report, job.synthetic, job.data_seed)
    return cache[key]


class _RefusedAtBuild(Exception):
    """The built model is over ``max_params`` (its count was not known statically)."""


def _callbacks(keras: Any, job: Job, refused: list[str], settings: Any) -> list[Any]:
    class Trial(keras.callbacks.Callback):  # type: ignore[misc,name-defined]
        """The build-time parameter check, Hyperband's warm start, and the trial's HParams."""

        def on_train_begin(self, logs: Any = None) -> None:
            count = self.model.count_params()
            if job.max_params is not None and count > job.max_params:
                refused.append(f"{count:,} parameters (counted at build time), over max_params {job.max_params:,}")
                raise _RefusedAtBuild(refused[0])
            if job.warm is not None:
                # The weights continue, the optimizer starts afresh (as Keras Tuner's own Hyperband does):
                # Keras warns that it skips the saved optimizer's variables, which is the intent.
                with warnings.catch_warnings():
                    warnings.filterwarnings("ignore", message="Skipping variable loading for optimizer")
                    self.model.load_weights(job.warm)
            _write_hparams(job, settings)

    return [Trial(), keras.callbacks.TensorBoard(log_dir=job.logdir, write_graph=False, histogram_freq=0)]


def _write_hparams(job: Job, settings: Any) -> None:
    """The trial's parameters and fit settings (HParams dashboard) and its flat spec (Text tab),
    as ``graphspec fit`` logs a run's."""
    from graphspec.train.hparams import hparams_of, write_run_summary

    write_run_summary(Path(job.logdir), hparams_of(job.hparams, settings, job.seed), job.spec, job.run_name)


def train_trial(
    report: Any, arrays: Any, job: Job, refused: list[str], budget: Any
) -> tuple[dict[str, list[float]], int]:
    """Build and train one trial's model as ``graphspec fit`` does, into its run folder;
    its history and parameter count.

    The pieces are :mod:`graphspec.train`'s own (data check, strategy and seed,
    the spec's callbacks with their files in the run folder, ``fit``'s
    settings, errors as ``training-failed``), without what a tuning folder keeps
    elsewhere: the history goes to the journal, the spec to ``trials/<id>.yaml``,
    so no per-trial plot, drawing or spec copy is written. Only ``model.keras``
    is saved, for the best trials to keep. A ``BackupAndRestore`` of the spec is
    left out: a trial stopped part-way runs again from its start, in a clean folder.
    """
    from graphspec import train
    from graphspec._util.files import replace_atomically
    from graphspec.pipeline import build_report
    from graphspec.source import Limits

    run_dir = Path(job.run_dir)
    settings = train._settings(report.spec, job.epochs, None)
    # the arrays are in memory already, read within the search's limits by the chief
    x, y = train._training_data(report, arrays, None, job.seed, Limits())
    keras, strategy = train._start(report.spec.distribute, job.seed)
    with strategy.scope() if strategy is not None else contextlib.nullcontext():
        model = train._guard(lambda: build_report(report, budget=budget))
    made, _ = train._spec_callbacks(keras, settings, run_dir, False, 0)
    kwargs = train._fit_kwargs(settings)
    callbacks = [*made, *_callbacks(keras, job, refused, settings)]
    history = train._guard(
        lambda: model.fit(train._one_or_dict(x), train._one_or_dict(y), callbacks=callbacks, verbose=0, **kwargs)
    )
    replace_atomically(run_dir / "model.keras", model.save, suffix=".keras")
    return {name: [float(v) for v in values] for name, values in history.history.items()}, int(model.count_params())


def _rss() -> int | None:
    """This process's resident memory now (Linux), else its peak."""
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        try:
            import resource

            return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * 1024
        except (ImportError, OSError):
            return None
