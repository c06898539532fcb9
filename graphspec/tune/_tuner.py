"""Keras Tuner underneath ``graphspec tune``: the space as its HyperParameters, its oracles, its chief/worker mode.

The search is Keras Tuner's own (its oracles choose every value); graphspec adds
what it knows about every candidate before building it:

* The oracle runs in the chief (the one process of a search on one machine, or
  the ``KERASTUNER_TUNER_ID=chief`` process of a distributed one). Each trial it
  creates is checked there, statically (:func:`graphspec.tune.survey.check_point`):
  a point over the constraints is *refused* and one whose spec is invalid
  *fails*, both ended at once, so no worker ever receives them; a refused trial
  does not use up ``max_trials`` (up to ten times ``max_trials`` refusals).
* Workers train the trials that pass as ``graphspec fit`` trains (the spec's
  ``fit:`` settings and callbacks), in a trial process
  (:mod:`graphspec.tune._trial_process`), one run folder per execution, and report the
  objective; the chief writes the journal, the
  table, the plot and the best spec and model, and keeps only the best few
  trained models (plus, under Hyperband, those a later round may continue).

Keras Tuner's own files (oracle and trial states) are written atomically here,
and every process reads one fixed tuner file, whatever its ``KERASTUNER_TUNER_ID``.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import shutil
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graphspec._util.files import write_text_atomically
from graphspec._util.keras import quiet_native_logs
from graphspec.errors import Code, Diagnostic, SpecError
from graphspec.expand.search import Param, Space
from graphspec.tune._trial_process import Job, TrialRunner, _rss
from graphspec.tune.journal import TuningFolder, best_records, objective_value
from graphspec.tune.survey import Verdict, check_point

if TYPE_CHECKING:
    from graphspec.tune.run import Plan

__all__ = ["Chief", "make_tuner", "tuner_values"]

TUNER_KEYS = ("tuner/epochs", "tuner/initial_epoch", "tuner/trial_id", "tuner/bracket", "tuner/round")
REFUSALS_PER_TRIAL = 10
HYPERBAND_FACTOR = 3
PLOT_EVERY_S = 60.0


def tuner_values(values: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A trial's values split into the searched ones and Hyperband's own (``tuner/epochs``, ...)."""
    searched = {k: v for k, v in values.items() if not k.startswith("tuner/")}
    extra = {k.removeprefix("tuner/"): v for k, v in values.items() if k.startswith("tuner/")}
    return searched, extra


# ---------------------------------------------------------------------------
# the space as Keras Tuner hyperparameters


def hyperparameters(kt: Any, space: Space) -> Any:
    """``keras_tuner.HyperParameters`` for the searched parameters, conditions as nested ``conditional_scope``s.

    Nested scopes, not ``parent_name``: a condition given by keyword does not carry
    its parent's own conditions (keras-team/keras-tuner#284), and each name is
    declared once, in one scope covering all the branches that use it (the same
    name in two scopes collides, #738).
    """
    hp = kt.HyperParameters()
    for p in space.searched:
        with contextlib.ExitStack() as scopes:
            for c in p.conditions:
                scopes.enter_context(hp.conditional_scope(c.parent, list(c.values)))
            _declare(hp, p)
    return hp


def _declare(hp: Any, p: Param) -> None:
    if p.kind == "int":
        hp.Int(p.name, int(p.low), int(p.high), step=p.step, sampling=p.scale, default=p.default)  # type: ignore[arg-type]
    elif p.kind == "float":
        high = float(p.high)  # type: ignore[arg-type]
        if p.step is not None and p.scale == "linear":
            # Keras Tuner counts a stepped range's values as (high - low) // step + 1, in floats:
            # 0.5 // 0.1 is 4.0, so [0.0, 0.5] step 0.1 would never reach 0.5. A hair above high, it does.
            high += 1e-9 * p.step
        hp.Float(p.name, float(p.low), high, step=p.step, sampling=p.scale, default=p.default)  # type: ignore[arg-type]
    elif p.type == "bool" and len(p.values) == 1:
        hp.Fixed(p.name, p.values[0])
    elif p.kind == "boolean" or p.type == "bool":
        hp.Boolean(p.name, default=bool(p.default))  # Choice([True, False]) gives back 1 and 0
    else:
        hp.Choice(p.name, list(p.values), default=p.default)


# ---------------------------------------------------------------------------
# the oracle, in the chief


def _oracle_classes(kt: Any) -> dict[str, Any]:
    return {
        "random": kt.oracles.RandomSearchOracle,
        "bayesian": kt.oracles.BayesianOptimizationOracle,
        "hyperband": kt.oracles.HyperbandOracle,
        "grid": kt.oracles.GridSearchOracle,
    }


def make_oracle(kt: Any, plan: Plan, chief: Chief | None) -> Any:
    """The oracle of ``plan.tuner``, with graphspec's checks where trials are created and ended."""
    base = _oracle_classes(kt)[plan.tuner]

    class GraphspecOracle(base):  # type: ignore[misc,valid-type]
        deferred: set[str] | None = None  # while screening: trials whose state files are written once, after

        @kt.synchronized  # type: ignore[untyped-decorator]
        def create_trial(self, tuner_id: str) -> Any:
            # Keras Tuner writes its state twice per trial (created, ended): a run of refusals
            # writes it once, when a trial that may train is found (a stop in between is
            # repaired from the journal on resume: tuning._reconcile).
            self.deferred = set()
            try:
                while True:
                    trial = super().create_trial(tuner_id)
                    if trial.status != "RUNNING" or chief is None or chief.screen(self, trial):
                        return trial
                    self.end_trial(trial)  # refused or invalid: ended here, no worker sees it
                    self.forget_in_bracket(trial)
            finally:
                written, self.deferred = self.deferred, None
                for trial_id in written:
                    self._save_trial(self.trials[trial_id])
                self.save()

        def forget_in_bracket(self, trial: Any) -> None:
            """Under Hyperband, take a trial that never trained out of its bracket's first round.

            Hyperband promotes the best of a round only once enough of it completed; a
            refused trial left in the round would never complete, so its bracket would
            stall and be abandoned. Out of it, the round draws another in its place.
            """
            for bracket in getattr(self, "_brackets", ()):
                first = bracket["rounds"][0] if bracket["rounds"] else []
                first[:] = [info for info in first if info["id"] != trial.trial_id]

        @kt.synchronized  # type: ignore[untyped-decorator]
        def end_trial(self, trial: Any) -> None:
            super().end_trial(trial)
            if chief is not None:  # the oracle's own copy: a worker's comes over gRPC, unscored
                chief.ended(self, self.trials[trial.trial_id])

        def save(self) -> None:
            if self.deferred is None:
                write_text_atomically(self._get_oracle_fname(), json.dumps(self.get_state()))

        def _save_trial(self, trial: Any) -> None:
            if self.deferred is not None:
                self.deferred.add(trial.trial_id)
                return
            write_text_atomically(
                os.path.join(self._get_trial_dir(trial.trial_id), "trial.json"), json.dumps(trial.get_state())
            )

    kwargs: dict[str, Any] = {
        "objective": kt.Objective(plan.objective.name, plan.objective.direction),
        "hyperparameters": hyperparameters(kt, plan.space),
        "allow_new_entries": True,  # trials coming back over gRPC carry Hyperband's own values
        "tune_new_entries": False,
        # Keras Tuner reads a seed of 0 as "none" and draws a random one: shifted by one, --seed 0 repeats too.
        "seed": plan.seed + 1,
        "max_retries_per_trial": 0,
        "max_consecutive_failed_trials": None,  # refused trials end FAILED; the worker stops on real failures
    }
    if plan.tuner == "hyperband":
        kwargs.update(max_epochs=plan.epochs, factor=HYPERBAND_FACTOR)
    else:
        kwargs["max_trials"] = plan.max_trials
    oracle = GraphspecOracle(**kwargs)
    oracle.max_trials = plan.max_trials
    oracle.verbose = 0  # graphspec prints one line per trial
    return oracle


# ---------------------------------------------------------------------------
# the chief's part: screening, the journal, best files, pruning


@dataclass
class Chief:
    """What the chief does around each trial: checks before, records after."""

    plan: Plan
    folder: TuningFolder
    log: Callable[[str], None]
    records: list[dict[str, Any]] = field(default_factory=list)
    pending: dict[str, Verdict] = field(default_factory=dict)
    checked: dict[str, Verdict] = field(default_factory=dict)
    refusals: int = 0
    specs: set[str] = field(default_factory=set)
    best: str | None = None
    plotted: float = field(default_factory=time.monotonic)  # the first plot a minute in (or at the end)
    capped: bool = False

    def screen(self, oracle: Any, trial: Any) -> bool:
        """Check a new trial statically; ``False`` (with its verdict kept for :meth:`ended`) if it may not train."""
        values, _ = tuner_values(trial.hyperparameters.values)
        plan = self.plan
        verdict = check_point(plan.space, values, params=plan.overrides, limits=plan.limits, budget=plan.budget)
        if verdict.report is not None:  # the trial's concrete spec, refused ones too
            self.folder.trials.mkdir(parents=True, exist_ok=True)
            # JSON (which is YAML) for a trial that will not train: dumping YAML costs a refusal a third of its time.
            text = verdict.report.spec.to_yaml() if verdict.status == "ok" else verdict.report.spec.to_json() + "\n"
            write_text_atomically(self.folder.spec_file(trial.trial_id), text)
            self.specs.add(trial.trial_id)
        if verdict.status == "ok":
            self.checked[trial.trial_id] = verdict  # a worker in this process need not check it again
            return True
        self.pending[trial.trial_id] = verdict
        trial.status = "FAILED"
        trial.message = verdict.reason or _first(verdict.diagnostics)
        return False

    def ended(self, oracle: Any, trial: Any) -> None:
        verdict = self.pending.pop(trial.trial_id, None)
        record = self.record(trial, verdict)
        self.folder.append(record, durable=record["status"] != "refused")  # a refusal is cheap to redo: no fsync for it
        self.records = [r for r in self.records if r.get("trial") != record["trial"]] + [record]
        if record["status"] == "refused":
            self.refusals += 1
            if self.refusals <= REFUSALS_PER_TRIAL * self.plan.budget_trials:
                oracle.max_trials += 1  # refusals cost no training: they do not use up the budget
            elif not self.capped:
                self.capped = True
                self.log(
                    f"note: over {REFUSALS_PER_TRIAL * self.plan.budget_trials} trials refused; "
                    "refused trials now count toward --max-trials"
                )
        self.log(self.line(record))
        self.update_files(oracle, final=False, ended=record)

    def record(self, trial: Any, verdict: Verdict | None) -> dict[str, Any]:
        """The journal line of an ended trial: the chief's verdict, or what its worker wrote."""
        values, extra = tuner_values(trial.hyperparameters.values)
        plan = self.plan
        record: dict[str, Any] = {
            "kind": "trial",
            "trial": trial.trial_id,
            "version": plan.version,
            "values": values,
            "tuner": extra or None,
            "direction": plan.objective.direction,
            "time": time.strftime("%Y-%m-%dT%H:%M:%S"),
        }
        if trial.trial_id in self.specs or self.folder.spec_file(trial.trial_id).exists():
            record["spec"] = str(self.folder.spec_file(trial.trial_id).relative_to(self.folder.root))
        if verdict is not None:
            record.update(_verdict_fields(verdict), worker="chief", seconds=round(verdict.seconds, 6))
            return record
        worker = self.folder.read_worker_record(trial.trial_id) or {}
        record.update(worker)
        record["kind"], record["trial"], record["version"] = "trial", trial.trial_id, plan.version
        if trial.status == "COMPLETED" and record.get("status", "ok") == "ok":
            record.update(status="ok", score=_float(trial.score))
        elif record.get("status") in (None, "ok"):
            record.update(
                status="failed",
                reason=record.get("reason")
                or (trial.message or "the trial stopped without a result").strip().splitlines()[-1],
            )
        return record

    def line(self, r: Mapping[str, Any]) -> str:
        trained = sum(1 for x in self.records if x.get("status") != "refused" and x.get("version") == self.plan.version)
        values = ", ".join(f"{k}={_short(v)}" for k, v in (r.get("params") or r.get("values") or {}).items())
        head = f"trial {r['trial']}"
        if r["status"] == "refused":
            return (
                f"{head} refused ({r.get('reason')}; {1000 * float(r.get('seconds') or 0):.0f} ms, not built): {values}"
            )
        count = f" [{trained}/{self.plan.budget_trials}]"
        if r["status"] == "failed":
            return f"{head}{count} failed: {r.get('reason')}: {values}"
        best = best_records(self.counting(), self.plan.objective.direction)
        best_note = f" (best {float(best[0]['score']):.4g}, trial {best[0]['trial']})" if best else ""
        size = f", {r['model_params']:,} params" if isinstance(r.get("model_params"), int) else ""
        return (
            f"{head}{count} {self.plan.objective.name} {_short(r.get('score'))}{best_note} "
            f"in {float(r.get('seconds') or 0):.1f} s{size}: {values}"
        )

    def counting(self) -> list[dict[str, Any]]:
        carried = self.plan.carried
        return [r for r in self.records if r.get("version") == self.plan.version or r.get("trial") in carried]

    def update_files(self, oracle: Any, *, final: bool, ended: Mapping[str, Any] | None = None) -> None:
        """Best spec and model, pruned models, the table; the plot at most once a minute, and at the end.

        After a refused or failed trial (``ended``) only its table row is appended:
        nothing else can have changed, and a refusal has to stay cheap.
        """
        plan = self.plan
        counting = self.counting()
        ids = {id(r) for r in counting}
        for r in self.records:
            r["counts"] = id(r) in ids
        names = [p.name for p in plan.space.params]
        if ended is not None and not final:
            self.folder.append_row(ended, names, plan.objective.name)
        else:
            self.folder.write_table(self.records, names, plan.objective.name)
        if ended is None or final or ended.get("status") == "ok":
            ranked = best_records(counting, plan.objective.direction, plan.keep)
            if ranked and (ranked[0]["trial"] != self.best or final):
                top = ranked[0]
                header = (
                    f"best trial {top['trial']} of {plan.folder.root}: "
                    f"{plan.objective.name} {_short(top['score'])} ({plan.objective.direction})"
                )
                self.folder.write_best(top, header + f"\nfound by graphspec tune of {plan.spec_label}")
                self.best = str(top["trial"])
            self.folder.prune(self.records, {str(r["trial"]) for r in ranked} | self.still_needed(oracle))
        if final or time.monotonic() - self.plotted >= PLOT_EVERY_S:
            log_scaled = {p.name for p in plan.space.params if p.scale != "linear"}
            self.folder.write_plot(
                self.records,
                [p.name for p in plan.space.searched],
                plan.objective.name,
                plan.objective.direction,
                log_scaled,
            )
            self.plotted = time.monotonic()

    def still_needed(self, oracle: Any) -> set[str]:
        """Trained models a running trial, or a later Hyperband round, may continue from."""
        needed = {
            str(tuner_values(t.hyperparameters.values)[1].get("trial_id")) for t in oracle.ongoing_trials.values()
        }
        if self.plan.tuner != "hyperband":
            return needed
        continued = {str((r.get("tuner") or {}).get("trial_id")) for r in self.records}
        groups: dict[tuple[Any, Any], list[dict[str, Any]]] = {}
        for r in self.records:
            extra = r.get("tuner") or {}
            if r.get("status") == "ok" and r.get("version") == self.plan.version:
                groups.setdefault((extra.get("bracket"), extra.get("round")), []).append(r)
        for members in groups.values():
            promoted = best_records(members, self.plan.objective.direction, math.ceil(len(members) / HYPERBAND_FACTOR))
            needed |= {str(r["trial"]) for r in promoted if str(r["trial"]) not in continued}
        return needed


def _verdict_fields(v: Verdict) -> dict[str, Any]:
    out: dict[str, Any] = {
        "status": v.status,
        "params": v.point.values if v.point is not None else None,
        "inactive": sorted(v.point.inactive) if v.point is not None else [],
        "model_params": v.params,
        "flops": v.flops,
        "exact": v.params_exact and v.flops_exact,
    }
    if v.constraint is not None:
        out.update(constraint=v.constraint, reason=v.reason)
    if v.diagnostics and v.status == "failed":
        out.update(reason=_first(v.diagnostics), diagnostics=[d.to_dict() for d in v.diagnostics])
    return out


def _first(diagnostics: list[Diagnostic]) -> str:
    d = next((d for d in diagnostics if d.is_error), diagnostics[0]) if diagnostics else None
    if d is None:
        return "invalid"
    where = f"{d.where()}: " if d.line is not None else ""
    from graphspec.errors import format_path

    return f"{where}{format_path(d.path)}: {d.message}" if d.path else f"{where}{d.message}"


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _short(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# ---------------------------------------------------------------------------
# the worker's part: training one trial


@dataclass
class Worker:
    """Trains the trials a tuner receives, in this process."""

    plan: Plan
    folder: TuningFolder
    chief: Chief | None
    log: Callable[[str], None]
    runner: TrialRunner
    failures: int = 0

    def run(self, kt: Any, trial: Any) -> dict[str, float]:
        plan = self.plan
        values, extra = tuner_values(trial.hyperparameters.values)
        verdict = self.chief.checked.pop(trial.trial_id, None) if self.chief is not None else None
        if verdict is None or verdict.chosen != values:
            verdict = check_point(plan.space, values, params=plan.overrides, limits=plan.limits, budget=plan.budget)
        if verdict.status != "ok" or verdict.report is None:
            self.folder.write_worker_record(trial.trial_id, {**_verdict_fields(verdict), "worker": plan.tuner_id})
            raise kt.errors.FailedTrialError(verdict.reason or _first(verdict.diagnostics))
        start = time.perf_counter()
        record: dict[str, Any] = {
            **_verdict_fields(verdict),
            "worker": plan.tuner_id,
            "check_seconds": round(verdict.seconds, 6),
            "executions": [],
        }
        try:
            for k in range(1, plan.executions + 1):
                record["executions"].append(self.execution(kt, trial.trial_id, verdict, extra, k, record))
        except _Failed as exc:
            record.update(status=exc.status, reason=exc.reason, seconds=round(time.perf_counter() - start, 3))
            if exc.diagnostics:
                record["diagnostics"] = [d.to_dict() for d in exc.diagnostics]
            self.folder.write_worker_record(trial.trial_id, record)
            self.failures = self.failures + 1 if exc.status == "failed" else 0
            if self.failures >= 3:
                raise kt.errors.FatalError(f"three trials in a row failed; the last: {exc.reason}") from None
            raise kt.errors.FailedTrialError(exc.reason) from None
        self.failures = 0
        scores = [e["objective"] for e in record["executions"]]
        score = math.fsum(scores) / len(scores)
        best = min(
            record["executions"], key=lambda e: e["objective"] if plan.objective.direction == "min" else -e["objective"]
        )
        record.update(score=score, best_epoch=best["best_epoch"], seconds=round(time.perf_counter() - start, 3))
        self.folder.write_worker_record(trial.trial_id, record)
        if self.chief is None:
            self.log(
                f"{plan.tuner_id}: trial {trial.trial_id} trained: "
                f"{plan.objective.name} {score:.4g} in {record['seconds']:.1f} s"
            )
        return {plan.objective.name: score}

    def execution(
        self, kt: Any, trial_id: str, verdict: Verdict, extra: Mapping[str, Any], k: int, record: dict[str, Any]
    ) -> dict[str, Any]:
        """Train one execution (in the trial process); its history and objective."""
        plan = self.plan
        assert verdict.report is not None and verdict.point is not None
        run_dir = self.folder.run_dir(trial_id, k, plan.executions)
        shutil.rmtree(run_dir, ignore_errors=True)  # a retried trial starts clean
        run_dir.mkdir(parents=True)
        epochs, warm = self.hyperband_epochs(extra, k)
        job = Job(
            spec=verdict.report.spec.to_yaml(),
            run_dir=str(run_dir),
            seed=plan.seed + k - 1,
            epochs=epochs,
            warm=str(warm) if warm is not None else None,
            logdir=str(self.folder.log_dir(trial_id, k, plan.executions)),
            hparams=dict(verdict.point.values),
            run_name=trial_id + (f"/execution{k}" if plan.executions > 1 else ""),
            max_params=plan.space.max_params if not verdict.params_exact else None,
            synthetic=plan.synthetic,
            data_seed=plan.seed,
        )
        begun = time.perf_counter()
        outcome = self.runner.train(job)
        record.update(rss_bytes=outcome.rss, tuner_rss_bytes=_rss(), trial_processes=self.runner.started)
        if not self.runner.inline:  # in-process, the tuner's own CPU time already holds it
            record["trial_cpu_seconds"] = round(record.get("trial_cpu_seconds", 0.0) + outcome.cpu, 3)
        if outcome.refused is not None:
            raise _Failed("refused", outcome.refused)
        if outcome.history is None:
            raise _Failed("failed", _first(outcome.diagnostics), outcome.diagnostics)
        history = outcome.history
        record["model_params"] = outcome.params
        value, best_epoch = objective_value(history, plan.objective.name, plan.objective.direction)
        if value is None:
            logged = ", ".join(sorted(history))
            raise kt.errors.FatalError(
                f"the objective {plan.objective.name!r} is not among the metrics Keras logged ({logged})"
            )
        return {
            "execution": k,
            "run_dir": str(run_dir.relative_to(self.folder.root)),
            "history": history,
            "objective": value,
            "best_epoch": best_epoch,
            "epochs": len(next(iter(history.values()), [])),
            "warm_start": warm is not None,
            "seconds": round(time.perf_counter() - begun, 3),
        }

    def hyperband_epochs(self, extra: Mapping[str, Any], k: int) -> tuple[int | None, Path | None]:
        """Hyperband's epochs for this trial and the model it continues (``None``: from scratch)."""
        if "epochs" not in extra:
            return None, None
        parent = extra.get("trial_id")
        if parent is not None:
            record = self.folder.read_worker_record(str(parent)) or {}
            model = self.folder.model_file({**record, "direction": self.plan.objective.direction})
            if model is not None:
                return max(1, int(extra["epochs"]) - int(extra.get("initial_epoch") or 0)), model
        return int(extra["epochs"]), None


class _Failed(Exception):
    def __init__(self, status: str, reason: str, diagnostics: list[Diagnostic] | None = None):
        super().__init__(reason)
        self.status, self.reason, self.diagnostics = status, reason, diagnostics or []


def write_hparams_config(logdir: Path, space: Space, objective: str) -> None:
    """The experiment's parameters and their domains, at the top of the TensorBoard logs."""
    import tensorflow as tf
    from tensorboard.plugins.hparams import api as hp_api

    params = []
    for p in space.params:
        grid = p.grid()
        if grid is not None and p.kind != "derived":
            domain = hp_api.Discrete(list(grid))
        elif p.kind == "int":
            domain = hp_api.IntInterval(int(p.low), int(p.high))  # type: ignore[arg-type]
        elif p.kind == "float":
            domain = hp_api.RealInterval(float(p.low), float(p.high))  # type: ignore[arg-type]
        else:
            domain = None
        params.append(hp_api.HParam(p.name, domain))
    group, tag = (
        ("validation", objective.removeprefix("val_")) if objective.startswith("val_") else ("train", objective)
    )
    metrics = [hp_api.Metric(f"epoch_{tag}", group=group, display_name=objective)]
    if objective != "val_loss":
        metrics.append(hp_api.Metric("epoch_loss", group="validation", display_name="val_loss"))
    logdir.mkdir(parents=True, exist_ok=True)
    writer = tf.summary.create_file_writer(str(logdir))
    with writer.as_default():
        hp_api.hparams_config(hparams=params, metrics=metrics)
    writer.close()


# ---------------------------------------------------------------------------
# the tuner


def make_tuner(kt: Any, plan: Plan, oracle: Any, worker: Worker, *, overwrite: bool) -> Any:
    """A Keras Tuner ``BaseTuner`` whose trials ``worker`` trains, its state in ``plan.folder``."""

    class GraphspecTuner(kt.engine.base_tuner.BaseTuner):  # type: ignore[misc,name-defined]
        def run_trial(self, trial: Any, *args: Any, **kwargs: Any) -> Any:
            return worker.run(kt, trial)

        def _get_tuner_fname(self) -> str:
            # One file for every process: Keras Tuner names it after the tuner id, so a
            # search begun on one machine would not resume under `chief`.
            return os.path.join(str(self.project_dir), "tuner.json")

        def save(self) -> None:
            if self._is_worker():
                return  # the chief keeps the state
            self.oracle.save()
            write_text_atomically(self._get_tuner_fname(), "{}\n")

        def reload(self) -> None:
            if (
                not self._is_worker()
            ):  # a worker has no state of its own (and must not read the chief's as it rewrites it)
                super().reload()

    with contextlib.redirect_stdout(
        io.StringIO()
    ):  # Keras Tuner prints "Reloading Tuner from ..."; graphspec's own line says it continues
        tuner = GraphspecTuner(
            oracle=oracle, directory=str(plan.folder.root), project_name="keras_tuner", overwrite=overwrite
        )
    if tuner._is_worker():
        create = tuner.oracle.create_trial

        def create_trial(tuner_id: str) -> Any:
            trial = create(tuner_id)
            if trial.status == "IDLE":  # the chief is waiting for other workers: ask again shortly, not at once
                time.sleep(0.5)
            return trial

        tuner.oracle.create_trial = create_trial
    return tuner


def keras_tuner() -> Any:
    """``keras_tuner``, or a ``missing-extra`` error naming the extra that brings it.

    Raises:
        SpecError: ``missing-extra`` when keras-tuner is not installed.
    """
    quiet_native_logs()
    try:
        import keras_tuner as kt
    except ImportError as exc:
        raise SpecError.single(
            Code.MISSING_EXTRA,
            f"graphspec tune needs keras-tuner, which is not installed ({exc})",
            (),
            "pip install 'graphspec[tune]' (keras-tuner, with scipy and scikit-learn for --tuner bayesian)",
        ) from None
    return kt
