"""``graphspec tune``: search a spec's ``search:`` space with Keras Tuner, and keep the best model as a spec.

::

    result = graphspec.tune(Path("model.yaml"), synthetic=512, max_trials=20, tuner="bayesian")
    result.best_spec        # the best trial's flat spec (also tuning/<name>/best.yaml)

Everything up to the first trial runs without TensorFlow: the search section and
the spec are checked, the space surveyed (:func:`graphspec.tune.survey.check_search`:
a space whose every checked point the constraints refuse stops here), the data
checked against the spec, and the tuning folder compared with the search it
holds. Then Keras Tuner runs the search (:mod:`graphspec.tune._tuner`): each trial is
checked statically by the chief, refused or failed there if it must be, else
trained by a worker as ``graphspec fit`` trains (in a child process,
:mod:`graphspec.tune._trial_process`) and recorded in the folder (:mod:`graphspec.tune.journal`).

Running the same command on the same folder continues the search. If the space,
the spec, the tuner or the objective changed since, the changes are listed and
each earlier trial is checked again: it still counts if its values are a point
of the new space whose spec is exactly the one it trained, within the new
constraints, and its history holds the objective; those that count compete for
``best.yaml``, and the random and Bayesian tuners learn from them.

Distributed tuning is Keras Tuner's: set ``KERASTUNER_TUNER_ID`` (``chief`` for
the oracle's process, ``tuner0``, ``tuner1``, ... for workers),
``KERASTUNER_ORACLE_IP`` and ``KERASTUNER_ORACLE_PORT``, and run the same command
with the same ``--dir`` on storage every process shares.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphspec import data as data_module
from graphspec.budget import Budget
from graphspec.diff import diff_specs, normalise
from graphspec.errors import Code, Diagnostic, SpecError
from graphspec.expand.search import Objective, Space
from graphspec.pipeline import load, validate_loaded
from graphspec.source import Document, Limits, locate, parse_text
from graphspec.spec import Spec
from graphspec.tune.journal import TuningFolder, best_records, objective_value
from graphspec.tune.survey import SearchReport, check_point, check_search, load_space, searched_overrides_refused

__all__ = ["TUNERS", "Plan", "TuneResult", "tune"]

TUNERS = ("random", "bayesian", "hyperband", "grid")
SEED_LIMIT = 2**31


@dataclass
class TuneResult:
    """What :func:`tune` returns.

    Attributes:
        directory: the tuning folder.
        best: the best trial's journal record (``None`` if no trial trained).
        best_spec: its flat spec, as in ``best.yaml``.
        trials: every trial's journal record, in the order they ended.
        wrote_folder: false for a worker of a distributed search (the chief writes the folder).
    """

    directory: Path
    best: dict[str, Any] | None
    best_spec: Spec | None
    trials: list[dict[str, Any]]
    wrote_folder: bool = True

    def counts(self) -> dict[str, int]:
        out = {"ok": 0, "refused": 0, "failed": 0}
        for r in self.trials:
            out[str(r.get("status"))] = out.get(str(r.get("status")), 0) + 1
        return out


@dataclass
class Plan:
    """Everything decided before the first trial (without TensorFlow)."""

    spec_label: str
    space: Space
    survey: SearchReport
    objective: Objective
    overrides: dict[str, Any]
    tuner: str
    seed: int
    executions: int
    keep: int
    budget_trials: int
    epochs: int
    folder: TuningFolder
    limits: Limits
    budget: Budget
    arrays: Mapping[str, Any] | None
    synthetic: int | None
    role: str
    tuner_id: str
    version: int = 1
    base_trials: int = 0
    resume: str = "new"
    data_source: Mapping[str, Any] | str | None = None
    isolate: bool = True
    carried: set[str] = field(default_factory=set)
    inject: dict[str, dict[str, Any]] = field(default_factory=dict)
    # search.json and the journal line to write once the search can run (after Keras Tuner is imported)
    pending: tuple[dict[str, Any], dict[str, Any] | None] | None = None
    changes: list[str] = field(default_factory=list)
    records: list[dict[str, Any]] = field(default_factory=list)

    @property
    def max_trials(self) -> int:
        """Keras Tuner's ``max_trials``: earlier trials, this version's budget, and the refusals so far (bounded)."""
        from graphspec.tune._tuner import REFUSALS_PER_TRIAL

        refused = sum(1 for r in self.records if r.get("status") == "refused" and r.get("version") == self.version)
        return self.base_trials + self.budget_trials + min(refused, REFUSALS_PER_TRIAL * self.budget_trials)


def tune(
    spec: Any,
    data: Mapping[str, Any] | str | os.PathLike[str] | None = None,
    *,
    synthetic: int | None = None,
    max_trials: int,
    tuner: str = "random",
    directory: str | os.PathLike[str] | None = None,
    seed: int | None = None,
    executions: int = 1,
    keep: int = 3,
    params: Mapping[str, Any] | None = None,
    isolate: bool = True,
    verbose: bool = True,
    limits: Limits = Limits(),
    budget: Budget = Budget(),
) -> TuneResult:
    """Search the spec's ``search:`` space with Keras Tuner and write the tuning folder.

    Args:
        spec: a spec with a ``search:`` section (a ``pathlib.Path``, text or mapping).
        data: an ``.npz`` path or a mapping of arrays keyed by input and output names.
        synthetic: instead of ``data``, this many random samples shaped for each trial's spec.
        max_trials: trials to train (or fail); refused ones do not count, up to ten times as many.
        tuner: ``random``, ``bayesian`` (needs scipy and scikit-learn), ``hyperband`` or ``grid``.
        directory: the tuning folder (default ``tuning/<spec name>``); the same folder again continues.
        seed: seeds the tuner, the synthetic data and each trial's training (default 0).
        executions: trainings per trial from fresh weights (the objective is their mean).
        keep: how many of the best trials keep their trained models.
        params: values of parameters the search does not set (``--set``).
        isolate: train trials in a child process, replaced once its memory has grown
            (Keras keeps memory from every model a process builds); ``False``: in this process.
        verbose: print a line per trial.
        limits, budget: as for :func:`graphspec.validate`.

    Raises:
        SpecError: before any TensorFlow work for an invalid spec, search section,
            data or tuning folder, or a space whose every checked point is refused;
            ``missing-extra`` without keras-tuner; ``unknown-objective`` if the
            first trial logs no such metric.
    """
    log: Callable[[str], None] = print if verbose else (lambda line: None)
    plan = plan_search(
        spec,
        data,
        synthetic=synthetic,
        max_trials=max_trials,
        tuner=tuner,
        directory=directory,
        seed=seed,
        executions=executions,
        keep=keep,
        params=params,
        limits=limits,
        budget=budget,
    )
    plan.isolate = isolate
    for line in intro(plan):
        log(line)
    from graphspec.tune import _tuner

    kt = _tuner.keras_tuner()
    if plan.pending is not None:  # nothing is written for a search that cannot run
        state, event = plan.pending
        plan.folder.create()
        plan.folder.write_state(state)
        if event is not None:
            plan.folder.append(event)
    return _search(kt, plan, log)


# ---------------------------------------------------------------------------
# before TensorFlow: the plan


def plan_search(
    spec: Any,
    data: Any,
    *,
    synthetic: int | None,
    max_trials: int,
    tuner: str,
    directory: Any,
    seed: int | None,
    executions: int,
    keep: int,
    params: Mapping[str, Any] | None,
    limits: Limits,
    budget: Budget,
) -> Plan:
    """Check everything a search needs and decide how it starts or continues; no TensorFlow.

    Raises:
        SpecError: as :func:`tune` does before its first trial.
    """
    _check_settings(tuner, max_trials, executions, keep, data, synthetic, seed)
    doc, space = load_space(spec, limits)
    if space is None:
        raise SpecError(
            locate(
                [
                    Diagnostic(
                        Code.MISSING_KEY,
                        "the spec has no `search:` section: nothing to tune",
                        (),
                        "add search: {params: {...}} (see docs/tuning.md)",
                    )
                ],
                doc,
            )
        )
    overrides = searched_overrides_refused(space, params)
    survey = check_search(doc, params=overrides, limits=limits, budget=budget, seed=seed or 0)
    assert survey is not None
    if survey.errors:
        raise SpecError(survey.errors)
    default = survey.spec
    _check_for_tuner(space, survey, tuner)
    arrays = _checked_data(default, data, synthetic, limits)
    role, tuner_id = _role()
    name = default.spec.name
    folder = TuningFolder(Path(directory) if directory is not None else Path("tuning") / name)
    epochs = default.spec.fit.epochs if default.spec.fit is not None else 1
    label = str(doc.file) if doc.file else name
    plan = Plan(
        label,
        space,
        survey,
        survey.objective,
        overrides,
        tuner,
        seed or 0,
        executions,
        keep,
        max_trials,
        epochs,
        folder,
        limits,
        budget,
        arrays,
        synthetic,
        role,
        tuner_id,
    )
    plan.data_source = None if synthetic is not None else (data if isinstance(data, Mapping) else os.fspath(data))
    if role != "worker":
        _compare_with_folder(plan, doc, default.spec, seed)
    return plan


def _check_settings(
    tuner: str, max_trials: int, executions: int, keep: int, data: Any, synthetic: int | None, seed: int | None
) -> None:
    problems = []
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < SEED_LIMIT):
        # The tuners' random states (NumPy's, scikit-learn's for bayesian) take 0 <= seed < 2**32;
        # Keras Tuner is given seed + 1.
        problems.append(
            Diagnostic(
                Code.BAD_VALUE,
                f"the seed must be a whole number from 0 to {SEED_LIMIT - 1}; got {seed!r}",
                (),
                "--seed S with 0 <= S < 2**31",
            )
        )
    if tuner not in TUNERS:
        problems.append(Diagnostic(Code.BAD_VALUE, f"unknown tuner {tuner!r}", (), "one of " + ", ".join(TUNERS)))
    for name, value in (("max_trials", max_trials), ("executions", executions), ("keep", keep)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            problems.append(Diagnostic(Code.BAD_VALUE, f"{name} must be a whole number of at least 1; got {value!r}"))
    if (data is None) == (synthetic is None):
        problems.append(
            Diagnostic(
                Code.MISSING_KEY,
                "give training data: a .npz file or arrays, or a number of synthetic samples (not both)",
                (),
                "--data FILE.npz or --synthetic N",
            )
        )
    if problems:
        raise SpecError(problems)


def _check_for_tuner(space: Space, survey: SearchReport, tuner: str) -> None:
    problems = []
    spec = survey.spec.spec
    if spec.distribute is not None and spec.distribute.strategy == "multi-worker":
        problems.append(
            Diagnostic(
                Code.BAD_VALUE,
                "tune trains each trial in one process: multi-worker training does not apply",
                ("distribute",),
                "run trials on many machines with KERASTUNER_* instead",
            )
        )
    if tuner == "grid":
        for p in space.searched:
            if p.grid() is None:
                problems.append(
                    Diagnostic(
                        Code.BAD_VALUE,
                        f"grid search needs a finite grid; {p.name!r} ({p.render()}) has no step",
                        p.path,
                        "give it a `step`, or use --tuner random or bayesian",
                    )
                )
    if tuner == "hyperband":
        epochs = {
            v.report.spec.fit.epochs if v.report.spec.fit is not None else 1
            for v in survey.verdicts
            if v.report is not None
        }
        if len(epochs) > 1:
            problems.append(
                Diagnostic(
                    Code.BAD_VALUE,
                    "Hyperband sets each trial's epochs itself; this search varies fit.epochs",
                    ("search", "params"),
                    "search other parameters, or use another tuner",
                )
            )
        elif (spec.fit.epochs if spec.fit is not None else 1) < 2:
            problems.append(
                Diagnostic(
                    Code.BAD_VALUE,
                    "Hyperband needs fit.epochs of at least 2: it trains candidates for fewer epochs first",
                    ("fit",),
                    "set fit.epochs to the full training length",
                )
            )
    if problems:
        raise SpecError(locate(problems, space.doc))


def _checked_data(report: Any, data: Any, synthetic: int | None, limits: Limits) -> Mapping[str, Any] | None:
    """Arrays from a file or mapping, checked against the spec as written; ``None`` for synthetic data."""
    if synthetic is not None:
        if synthetic < 1:
            raise SpecError.single(
                Code.BAD_VALUE,
                f"the number of synthetic samples must be 1 or more; got {synthetic}",
                (),
                "--synthetic N with N >= 1",
            )
        return None
    arrays = data if isinstance(data, Mapping) else data_module.load_npz(data, limits)
    try:
        data_module.split_arrays(
            arrays,
            data_module.expected_arrays(report),
            source="the data" if isinstance(data, Mapping) else os.fspath(data),
        )
    except SpecError as exc:
        raise SpecError(locate(exc.diagnostics, report.spec.source)) from None
    return arrays


def _role() -> tuple[str, str]:
    """``single``, ``chief`` or ``worker``, from Keras Tuner's environment variables, and the tuner id."""
    tuner_id = os.environ.get("KERASTUNER_TUNER_ID", "tuner0")
    if "KERASTUNER_ORACLE_IP" not in os.environ:
        return "single", tuner_id
    missing = [v for v in ("KERASTUNER_ORACLE_PORT", "KERASTUNER_TUNER_ID") if v not in os.environ]
    if missing:
        raise SpecError.single(
            Code.BAD_VALUE,
            f"KERASTUNER_ORACLE_IP is set but {' and '.join(missing)} is not",
            (),
            "set all three: KERASTUNER_TUNER_ID, KERASTUNER_ORACLE_IP, KERASTUNER_ORACLE_PORT",
        )
    return ("chief" if "chief" in tuner_id else "worker"), tuner_id


# ---------------------------------------------------------------------------
# the folder: new, continued, or continued after a change


def _identity(plan: Plan, doc: Document, default: Spec) -> dict[str, Any]:
    return {
        "name": default.name,
        "spec_file": str(doc.file) if doc.file else None,
        "spec_text": doc.text,
        "params": {k: getattr(v, "value", v) for k, v in plan.overrides.items()},
        "tuner": plan.tuner,
        "seed": plan.seed,
        "executions": plan.executions,
        "space": plan.space.describe()["params"],
        "objective": {"name": plan.objective.name, "direction": plan.objective.direction},
        "constraints": plan.space.describe()["constraints"],
        "default_spec": normalise(default, canonical_shares=False),
    }


_COMPARED = ("params", "tuner", "executions", "space", "objective", "constraints", "default_spec")


def _compare_with_folder(plan: Plan, doc: Document, default: Spec, seed: int | None) -> None:
    """Decide whether the search is new, continues as it was, or continues after a change (and what still counts)."""
    folder = plan.folder
    state = folder.read_state()
    identity = _identity(plan, doc, default)
    if state is None:
        if folder.root.exists() and any(folder.root.iterdir()):
            raise SpecError.single(
                Code.BAD_TUNING_FOLDER,
                f"{folder.root} exists and holds no graphspec search (no search.json)",
                (),
                "give an empty or new --dir",
            )
        plan.resume = "new"
        plan.pending = (
            {**identity, "version": 1, "versions": [{"version": 1, "base_trials": 0, "started": _now()}]},
            None,
        )
        return
    if state.get("name") != identity["name"]:
        raise SpecError.single(
            Code.BAD_TUNING_FOLDER,
            f"{folder.root} holds the search of spec {state.get('name')!r}, not {identity['name']!r}",
            (),
            "give another --dir",
        )
    if state.get("seed") != (seed if seed is not None else 0):
        raise SpecError.single(
            Code.BAD_TUNING_FOLDER,
            f"{folder.root} was started with --seed {state.get('seed')}; the seed sets the whole search",
            (),
            f"give --seed {state.get('seed')} to continue it, or another --dir",
        )
    plan.seed = int(state["seed"])
    plan.records = folder.trial_records()
    versions = state.get("versions") or [{"version": 1, "base_trials": 0}]
    plan.version, plan.base_trials = int(state.get("version", 1)), int(versions[-1].get("base_trials", 0))
    plan.carried = set(versions[-1].get("carried") or [])
    changes = _changes(state, identity)
    if not changes:
        plan.resume = "continue"
        return
    _changed(plan, state, identity, changes, versions)


def _changed(
    plan: Plan, state: dict[str, Any], identity: dict[str, Any], changes: list[str], versions: list[dict[str, Any]]
) -> None:
    plan.resume = "changed"
    plan.changes = changes
    plan.version += 1
    plan.base_trials = len(plan.records)
    counted, dropped = _still_counting(plan)
    plan.carried = set(counted)
    plan.inject = counted
    entry = {
        "version": plan.version,
        "base_trials": plan.base_trials,
        "started": _now(),
        "changes": changes,
        "carried": sorted(counted),
        "not_counting": dropped,
    }
    plan.pending = (
        {**identity, "version": plan.version, "versions": [*versions, entry]},
        {"kind": "space-changed", **entry},
    )


def _changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """What differs between the search a folder holds and this one, one line each."""
    out: list[str] = []
    old_space, new_space = old.get("space") or {}, new.get("space") or {}
    for name in new_space:
        if name not in old_space:
            out.append(f"+ search.params.{name}: {_render(new_space[name])}")
        elif old_space[name] != new_space[name]:
            out.append(f"~ search.params.{name}: {_render(old_space[name])} → {_render(new_space[name])}")
    out += [f"- search.params.{name}: {_render(old_space[name])}" for name in old_space if name not in new_space]
    for key in ("objective", "constraints", "tuner", "executions", "params"):
        if old.get(key) != new.get(key):
            out.append(f"~ {key}: {_brief(old.get(key))} → {_brief(new.get(key))}")
    if old.get("default_spec") != new.get("default_spec"):
        out += [f"  spec {line}" for line in _spec_diff(old, new)]
    return out


def _spec_diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """The semantic diff (``graphspec diff``) of the spec as written then and now, outside the search."""
    try:
        before = validate_loaded(
            parse_text(str(old.get("spec_text") or ""), file=old.get("spec_file")), params=old.get("params") or None
        ).spec
        after = validate_loaded(
            parse_text(str(new.get("spec_text") or ""), file=new.get("spec_file")), params=new.get("params") or None
        ).spec
    except SpecError:
        return ["changed (its earlier text no longer loads, so the changes cannot be listed)"]
    lines = diff_specs(before, after).render().splitlines()
    return lines[:-1] if len(lines) > 1 else lines


def _still_counting(plan: Plan) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """Which trained trials of earlier versions still count in this search, with their values here;
    why the others do not."""
    counted: dict[str, dict[str, Any]] = {}
    dropped: dict[str, str] = {}
    for r in plan.records:
        if r.get("status") != "ok":
            continue
        trial = str(r["trial"])
        reason, values = _counts(plan, r)
        if reason is None and values is not None:
            counted[trial] = values
        else:
            dropped[trial] = reason or "no longer a point of the space"
    return counted, dropped


def _counts(plan: Plan, r: Mapping[str, Any]) -> tuple[str | None, dict[str, Any] | None]:
    space = plan.space
    old_values = dict(r.get("values") or {})
    chosen = {p.name: old_values.get(p.name, p.default) for p in space.searched}
    verdict = check_point(
        space,
        {k: v for k, v in chosen.items() if v is not None},
        params=plan.overrides,
        limits=plan.limits,
        budget=plan.budget,
    )
    if verdict.status != "ok" or verdict.report is None:
        said = verdict.reason or next((d.message for d in verdict.diagnostics if d.is_error), None)
        return (said or "its values are not a point of the new space"), None
    spec_file = plan.folder.root / str(r.get("spec") or "")
    if not r.get("spec") or not spec_file.is_file():
        return "its spec file is gone", None
    try:
        trained = load(Path(spec_file))
    except SpecError:
        return "its spec file no longer loads", None
    if diff_specs(trained, verdict.report.spec).changes:
        return "the spec at its values is no longer the one it trained", None
    score = _rescore(r, plan.objective)
    if score is None:
        return f"its history has no {plan.objective.name}", None
    active = {k: v for k, v in verdict.values.items() if k in space.by_name and space.by_name[k].searched}
    return None, {"values": active, "score": score}


def _rescore(r: Mapping[str, Any], objective: Objective) -> float | None:
    scores = []
    for execution in r.get("executions") or []:
        value, _ = objective_value(execution.get("history") or {}, objective.name, objective.direction)
        if value is None:
            return None
        scores.append(value)
    return sum(scores) / len(scores) if scores else None


def _render(described: Mapping[str, Any]) -> str:
    kind = described.get("kind")
    if kind in ("int", "float"):
        step = f" step {described['step']:g}" if described.get("step") is not None else ""
        scale = f" {described['scale']}" if described.get("scale", "linear") != "linear" else ""
        text = f"{kind} {described['low']:g}..{described['high']:g}{step}{scale}"
    elif kind in ("choice", "fixed"):
        text = f"{kind} " + "|".join(str(v) for v in described.get("values") or [])
    elif kind == "derived":
        text = f"derived ${{{described.get('expression')}}}"
    else:
        text = str(kind)
    when = described.get("when")
    return text + (f" when {', '.join(f'{k} in {v}' for k, v in when.items())}" if when else "")


def _brief(value: Any) -> str:
    import json

    return json.dumps(value, sort_keys=True, default=str) if not isinstance(value, str) else value


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S")


def intro(plan: Plan) -> list[str]:
    """What the search is about to do, before its first trial."""
    lines = [f"{plan.spec_label}: {line}" for line in plan.survey.lines()]
    where = {
        "single": "",
        "chief": f" (the chief: workers train, as {plan.tuner_id})",
        "worker": f" (worker {plan.tuner_id})",
    }[plan.role]
    lines.append(
        f"tuning into {plan.folder.root}{where}: {plan.tuner} search, {plan.budget_trials} trials, seed {plan.seed}"
    )
    if plan.resume == "continue":
        done = sum(1 for r in plan.records if r.get("version") == plan.version and r.get("status") != "refused")
        lines.append(f"continuing: {done} of {plan.budget_trials} trials already ran")
    elif plan.resume == "changed":
        lines.append(f"continuing after a change (search version {plan.version}):")
        lines += [f"  {c}" for c in plan.changes]
        ok = [str(r["trial"]) for r in plan.records if r.get("status") == "ok"]
        lines.append(
            f"earlier trials that still count: {', '.join(sorted(plan.carried)) or 'none'} "
            f"({len(plan.carried)} of {len(ok)} trained)"
        )
    return lines


# ---------------------------------------------------------------------------
# the search


def _search(kt: Any, plan: Plan, log: Callable[[str], None]) -> TuneResult:
    from graphspec.tune import _tuner

    chief = _tuner.Chief(plan, plan.folder, log, records=list(plan.records)) if plan.role != "worker" else None
    if chief is not None:
        chief.refusals = sum(
            1 for r in plan.records if r.get("status") == "refused" and r.get("version") == plan.version
        )
        chief.best = None
        if not (plan.folder.logs / "hparams-config").exists():
            _tuner.write_hparams_config(plan.folder.logs / "hparams-config", plan.space, plan.objective.name)
    from graphspec.tune._trial_process import TrialRunner

    runner = TrialRunner(plan.data_source, plan.budget, inline=not plan.isolate, log=log)
    worker = _tuner.Worker(plan, plan.folder, chief if plan.role == "single" else None, log, runner)
    tuner = _made_tuner(kt, plan, chief, worker, log)
    if chief is not None:
        if chief.records:
            chief.update_files(tuner.oracle, final=False)  # the table as this search counts its trials
        start = {
            "kind": "start",
            "version": plan.version,
            "resume": plan.resume,
            "tuner": plan.tuner,
            "max_trials": plan.budget_trials,
            "seed": plan.seed,
            "role": plan.role,
        }
        plan.folder.append({**start, "time": _now()})
    oracle = tuner.oracle
    try:
        with _quiet_retracing():
            tuner.search()
    except KeyboardInterrupt:
        log(f"stopped: the same command continues the search in {plan.folder.root} (the trial under way runs again)")
        raise
    except kt.errors.FatalError as exc:
        raise SpecError.single(
            Code.UNKNOWN_OBJECTIVE if "objective" in str(exc) else Code.TRAINING_FAILED,
            f"the search stopped: {exc}",
            ("search", "objective"),
        ) from None
    finally:
        runner.close()
        if chief is not None and chief.records:
            chief.update_files(oracle, final=True)
    return _result(plan, chief, log)


@contextlib.contextmanager
def _quiet_retracing() -> Any:
    """No traceback per failed trial, no warning per retrace, while the search runs.

    Keras Tuner prints the traceback of every trial that fails (``config.DEBUG``,
    on by default), refused ones included; graphspec's line for the trial says
    why. TensorFlow warns when functions are traced again and again, which a
    search of new models does by design.
    """
    import logging

    from keras_tuner.src import config

    logger = logging.getLogger("tensorflow")
    level, debug = logger.level, config.DEBUG
    logger.setLevel(logging.ERROR)
    config.DEBUG = False
    try:
        yield
    finally:
        logger.setLevel(level)
        config.DEBUG = debug


def _made_tuner(kt: Any, plan: Plan, chief: Any, worker: Any, log: Callable[[str], None]) -> Any:
    """The tuner, its oracle resumed from Keras Tuner's files, or rebuilt from the journal when those cannot serve."""
    from graphspec.tune import _tuner

    oracle = _tuner.make_oracle(kt, plan, chief)
    if plan.role == "worker":
        return _tuner.make_tuner(kt, plan, oracle, worker, overwrite=False)
    if plan.resume == "continue":
        try:
            tuner = _tuner.make_tuner(kt, plan, oracle, worker, overwrite=False)
            _reconcile(kt, tuner.oracle, plan, chief)
            tuner.oracle.max_trials = plan.max_trials
            return tuner
        except (OSError, ValueError, KeyError, RuntimeError) as exc:
            log(
                f"note: Keras Tuner's state in {plan.folder.keras_tuner} cannot be read "
                f"({exc}); rebuilt from the journal"
            )
            plan.resume = "rebuilt"
            oracle = _tuner.make_oracle(kt, plan, chief)
    tuner = _tuner.make_tuner(kt, plan, oracle, worker, overwrite=True)
    _rebuild(kt, tuner.oracle, plan)
    tuner.oracle.max_trials = plan.max_trials
    tuner.save()
    return tuner


def _reconcile(kt: Any, oracle: Any, plan: Plan, chief: Any) -> None:
    """Make Keras Tuner's state and the journal agree after a stop between their writes.

    A trial the oracle saw end but the journal missed is journaled (from its
    worker's record); one the journal has but the oracle's saved state lacks (a
    stop during a run of refusals, whose state is written once, after) is given to
    the oracle, so trial ids stay unique.
    """
    journaled = {str(r.get("trial")) for r in chief.records}
    for trial_id in oracle.end_order:
        if trial_id not in journaled:
            record = chief.record(oracle.trials[trial_id], None)
            chief.folder.append(record)
            chief.records.append(record)
    missing = [r for r in chief.records if str(r.get("trial")) not in oracle.trials]
    for r in missing:
        _give(oracle, plan, r, None)
    if missing:
        oracle.save()


def _rebuild(kt: Any, oracle: Any, plan: Plan) -> None:
    """Give a fresh oracle every journaled trial: those that count as completed (the tuner learns from
    them), the rest as failed.

    Trial ids stay unique (Keras Tuner numbers new trials after the ones it holds).
    """
    if plan.resume == "changed":
        counting = plan.inject
    else:
        counting = {
            str(r["trial"]): {"values": r.get("values") or {}, "score": r.get("score")}
            for r in plan.records
            if r.get("status") == "ok" and (r.get("version") == plan.version or str(r["trial"]) in plan.carried)
        }
    for r in plan.records:
        _give(oracle, plan, r, counting.get(str(r["trial"])))
    for r in plan.records:
        if str(r["trial"]) in plan.inject:
            r["score"] = plan.inject[str(r["trial"])]["score"]
    oracle.save()


def _give(oracle: Any, plan: Plan, r: Mapping[str, Any], kept: Mapping[str, Any] | None) -> None:
    """Hand a journaled trial to the oracle: completed with its score if it counts (``kept``), else failed."""
    from keras_tuner.src.engine import trial as trial_module

    names = {p.name for p in plan.space.searched}
    trial_id = str(r["trial"])
    hps = oracle.get_space()
    hps.values = {k: v for k, v in ((kept or {}).get("values") or r.get("values") or {}).items() if k in names}
    score = (kept or {}).get("score")
    status = "COMPLETED" if isinstance(score, int | float) else "FAILED"
    trial = trial_module.Trial(hyperparameters=hps, trial_id=trial_id, status=status)
    if isinstance(score, int | float):
        trial.metrics.register(plan.objective.name, direction=plan.objective.direction)
        trial.metrics.update(plan.objective.name, float(score))
        trial.score, trial.best_step = float(score), 0
    oracle.trials[trial_id] = trial
    if plan.tuner != "grid":  # the grid walks on from its first trial's values: it starts over
        oracle.start_order.append(trial_id)
    oracle.end_order.append(trial_id)
    with contextlib.suppress(
        KeyError, ValueError
    ):  # values of an earlier space this one cannot place: only the count matters
        oracle._record_values(trial)
    oracle._save_trial(trial)


def _result(plan: Plan, chief: Any, log: Callable[[str], None]) -> TuneResult:
    if chief is None:
        log(f"{plan.tuner_id}: the search is over; the chief writes {plan.folder.root}")
        return TuneResult(plan.folder.root, None, None, [], wrote_folder=False)
    records = chief.records
    counting = chief.counting()
    best = best_records(counting, plan.objective.direction)
    result = TuneResult(plan.folder.root, dict(best[0]) if best else None, None, records)
    counts = result.counts()
    version = [r for r in records if r.get("version") == plan.version]
    log(
        f"search done: {len(version)} trials this run of the search "
        f"({sum(1 for r in version if r['status'] == 'ok')} trained, "
        f"{sum(1 for r in version if r['status'] == 'refused')} refused, "
        f"{sum(1 for r in version if r['status'] == 'failed')} failed); "
        f"{counts['ok']} trained in all"
    )
    if best:
        top = best[0]
        result.best_spec = load(plan.folder.root / "best.yaml")
        model = " and best.keras" if (plan.folder.root / "best.keras").exists() else ""
        log(
            f"best: trial {top['trial']}, {plan.objective.name} {float(top['score']):.4g}: "
            f"{plan.folder.root / 'best.yaml'}{model}"
        )
        log(f"see what the search changed: graphspec diff {plan.spec_label} {plan.folder.root / 'best.yaml'}")
    else:
        log("no trial trained: no best.yaml")
    return result
