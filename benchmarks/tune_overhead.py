"""graphspec tune's costs: per-trial overhead against plain Keras, the cost of a refused trial, memory and disk
over 30 trials.

One process, one run; everything the figures compare is measured in it (the machine's
load varies), and printed with its ratio:

1. **Per-trial overhead.** The same N trials (the space's points, drawn by Keras
   Tuner) three ways: ``graphspec.tune``; a plain Keras loop that builds each model by
   hand, compiles and fits it with the same data, epochs and batch size (clearing the
   session between models, as a tuner must); and Keras Tuner's own ``RandomSearch``
   over a hand-written ``build(hp)`` of the same space. Wall time per trial, medians.
2. **Refusal cost.** A space where almost every point is over ``max_params``: the chief
   (in this process) creates trials until it has one that may train, refusing the rest.
   The full cost per refused trial: Keras Tuner's trial bookkeeping and state files,
   graphspec's static check (expand, validate, count), the journal line and the table.
   The static check alone is also timed in a fresh process that must not import TensorFlow.
3. **Memory and disk over 30 trials.** Resident memory of the process training the
   trials and of the tuner's process, and the tuning folder's size, after trial 3 and
   after trial 30 of one search (``--keep 3``); then the same search training in the
   tuner's process (``--in-process``), and a plain Keras loop of 30 models, for comparison.

    python benchmarks/tune_overhead.py [--trials 10] [--long 30] [--parts overhead,refusal,memory]
                                       [--json PATH | --no-json]

The figures measured are also summarised as the rows of benchmarks/results/tune_overhead.json
(see benchmarks/results/README.md).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import _results
import numpy as np

import graphspec

SPEC = """\
graphspec: 1
name: mlp
params: {width: 32, depth: 2, learning_rate: 0.001}
inputs: {x: {shape: [32]}}
blocks:
  dense:
    params: {units: int}
    nodes:
      d: {layer: Dense, inputs: x, units: $units, activation: relu}
    outputs: d
nodes:
  body: {block: dense, inputs: x, units: $width, repeat: $depth}
  y: {layer: Dense, inputs: body, units: 4, activation: softmax}
outputs: {y: {loss: categorical_crossentropy, metrics: [acc]}}
compile: {optimizer: {class_name: Adam, config: {learning_rate: $learning_rate}}}
fit: {epochs: 2, batch_size: 32, validation_split: 0.2}
search:
  constraints: {max_params: MAX}
  params:
    width: {int: [8, WIDTH], step: 8}
    depth: {int: [1, 3]}
    learning_rate: {float: [1.0e-4, 1.0e-2], scale: log}
"""
SAMPLES = 512


def spec_text(max_params: int = 10**9, width: int = 64) -> str:
    return SPEC.replace("MAX", str(max_params)).replace("WIDTH", str(width))


def data() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((SAMPLES, 32)).astype("float32")
    y = np.eye(4, dtype="float32")[rng.integers(0, 4, SAMPLES)]
    return {"x": x, "y": y}


def du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# -- 1. per-trial overhead ----------------------------------------------------------


def graphspec_trials(root: Path, n: int) -> tuple[list[float], list[float], list[dict[str, Any]]]:
    """Wall and CPU seconds of each trial, from one trial's end to the next (CPU: this process's and the trial
    process's)."""
    root.mkdir(parents=True, exist_ok=True)
    spec = root / "mlp.yaml"
    spec.write_text(spec_text())
    times: list[float] = []
    cpus: list[float] = []
    from graphspec.tune import _tuner

    ended = _tuner.Chief.ended
    last = [time.perf_counter(), time.process_time()]

    def timed(self: Any, oracle: Any, trial: Any) -> None:
        ended(self, oracle, trial)
        now, cpu = time.perf_counter(), time.process_time()
        times.append(now - last[0])
        cpus.append(cpu - last[1] + float(self.records[-1].get("trial_cpu_seconds") or 0))
        last[:] = [now, cpu]

    _tuner.Chief.ended = timed  # type: ignore[method-assign]
    try:
        last[:] = [time.perf_counter(), time.process_time()]
        result = graphspec.tune(spec, data(), max_trials=n, directory=root / "tuning", verbose=False)
    finally:
        _tuner.Chief.ended = ended  # type: ignore[method-assign]
    return times, cpus, result.trials


def keras_trials(trials: list[dict[str, Any]]) -> tuple[list[float], list[float]]:
    import keras

    arrays = data()
    times, cpus = [], []
    for r in trials:
        start, cpu = time.perf_counter(), time.process_time()
        keras.backend.clear_session()
        x = inputs = keras.Input(shape=(32,), name="x")
        for _ in range(r["params"]["depth"]):
            x = keras.layers.Dense(r["params"]["width"], activation="relu")(x)
        model = keras.Model(inputs, keras.layers.Dense(4, activation="softmax", name="y")(x))
        model.compile(
            optimizer=keras.optimizers.Adam(learning_rate=r["params"]["learning_rate"]),
            loss="categorical_crossentropy",
            metrics=["acc"],
        )
        model.fit(arrays["x"], arrays["y"], epochs=2, batch_size=32, validation_split=0.2, verbose=0)
        times.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return times, cpus


def keras_tuner_trials(root: Path, n: int) -> tuple[list[float], list[float]]:
    import keras
    import keras_tuner as kt

    def build(hp: Any) -> Any:
        x = inputs = keras.Input(shape=(32,), name="x")
        for _ in range(hp.Int("depth", 1, 3)):
            x = keras.layers.Dense(hp.Int("width", 8, 64, step=8), activation="relu")(x)
        model = keras.Model(inputs, keras.layers.Dense(4, activation="softmax", name="y")(x))
        model.compile(
            optimizer=keras.optimizers.Adam(learning_rate=hp.Float("learning_rate", 1e-4, 1e-2, sampling="log")),
            loss="categorical_crossentropy",
            metrics=["acc"],
        )
        return model

    times: list[float] = []
    cpus: list[float] = []
    last = [0.0, 0.0]

    class Timer(kt.RandomSearch):  # type: ignore[misc,name-defined]
        def on_trial_end(self, trial: Any) -> None:
            super().on_trial_end(trial)
            now, cpu = time.perf_counter(), time.process_time()
            times.append(now - last[0])
            cpus.append(cpu - last[1])
            last[:] = [now, cpu]

    tuner = Timer(
        build, objective="val_loss", max_trials=n, seed=0, directory=str(root), project_name="kt", overwrite=True
    )
    arrays = data()
    last[:] = [time.perf_counter(), time.process_time()]
    tuner.search(arrays["x"], arrays["y"], epochs=2, batch_size=32, validation_split=0.2, verbose=0)
    return times, cpus


# -- 2. refusal cost -------------------------------------------------------------------


def refusal_cost(root: Path, refusals: int) -> tuple[float, int, float]:
    """Per refused trial in the chief, full cost; how many were refused; the static check's share."""
    import keras_tuner as kt

    from graphspec.tune import _tuner
    from graphspec.tune.run import plan_search

    spec = root / "narrow.yaml"
    # widths 8..1024: only width 8 and depth 1 fit under 700 parameters (32*8+8 + 8*4+4 = 300)
    spec.write_text(spec_text(max_params=700, width=1024))
    plan = plan_search(
        spec,
        data(),
        synthetic=None,
        max_trials=refusals,
        tuner="random",
        directory=root / "refusals",
        seed=1,
        executions=1,
        keep=3,
        params=None,
        limits=graphspec.Limits(),
        budget=graphspec.Budget(),
    )
    chief = _tuner.Chief(plan, plan.folder, lambda line: None)
    oracle = _tuner.make_oracle(kt, plan, chief)
    oracle._set_project_dir(str(plan.folder.root), "keras_tuner")
    oracle.max_trials = 10 * refusals
    start = time.perf_counter()
    created = 0
    while chief.refusals < refusals:
        trial = oracle.create_trial(f"tuner{created}")  # one tuner id per call: each returns a new runnable trial
        created += 1
        if trial.status != "RUNNING":
            break
    elapsed = time.perf_counter() - start
    checks = sum(float(r.get("seconds") or 0) for r in chief.records if r["status"] == "refused")
    return elapsed / max(chief.refusals, 1), chief.refusals, checks / max(chief.refusals, 1)


def check_without_tensorflow(root: Path) -> str:
    spec = root / "narrow.yaml"
    code = textwrap.dedent(f"""\
        import sys, time, random
        from pathlib import Path
        from graphspec.tune.survey import check_point, load_space
        doc, space = load_space(Path({str(spec)!r}))
        rng = random.Random(0)
        points = [space.random_point(rng) for _ in range(200)]
        check_point(space, points[0])
        start = time.perf_counter()
        refused = sum(check_point(space, p).status == "refused" for p in points)
        per = (time.perf_counter() - start) / len(points)
        assert "tensorflow" not in sys.modules and "keras" not in sys.modules
        print(f"{{refused}} of {{len(points)}} refused; {{1000 * per:.2f}} ms per point; TensorFlow imported: no")
        """)
    return subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, timeout=600
    ).stdout.strip()


# -- 3. memory and disk -----------------------------------------------------------------


def memory_and_disk(
    root: Path, n: int, isolate: bool, growth: int | None = None
) -> dict[int, tuple[int, int, int, int]]:
    """After each trained trial: the trial process's RSS, this (the tuner's) process's RSS, the folder's size, trial
    processes started.

    ``growth``: replace the trial process at this growth instead of the default (to show the replacement at work in
    30 trials).
    """
    import dataclasses

    from graphspec.tune import _trial_process, _tuner

    spec = root / "mlp.yaml"
    spec.write_text(spec_text())
    folder = root / f"long-{isolate}-{growth}"
    runner = _trial_process.TrialRunner
    if growth is not None:
        _trial_process.TrialRunner = dataclasses.make_dataclass(
            "Runner", [("growth", int, dataclasses.field(default=growth))], bases=(runner,)
        )  # type: ignore[misc]
    seen: dict[int, tuple[int, int, int, int]] = {}
    ended = _tuner.Chief.ended

    def measured(self: Any, oracle: Any, trial: Any) -> None:
        ended(self, oracle, trial)
        ok = [r for r in self.records if r["status"] == "ok"]
        last = ok[-1] if ok else {}
        seen[len(ok)] = (
            int(last.get("rss_bytes") or 0),
            int(_tuner._rss() or 0),
            du(folder),
            int(last.get("trial_processes") or 0),
        )

    _tuner.Chief.ended = measured  # type: ignore[method-assign]
    try:
        graphspec.tune(spec, data(), max_trials=n, directory=folder, keep=3, isolate=isolate, verbose=False)
    finally:
        _tuner.Chief.ended = ended  # type: ignore[method-assign]
        _trial_process.TrialRunner = runner  # type: ignore[misc]
    return seen


def plain_keras_memory(n: int) -> tuple[int, int]:
    """RSS after the 3rd and the n-th model of a plain Keras loop (clear_session between), in a fresh process."""
    code = textwrap.dedent(f"""\
        import gc, os
        os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
        import numpy as np, keras
        rss = lambda: int(open("/proc/self/statm").read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        rng = np.random.default_rng(0)
        x = rng.standard_normal(({SAMPLES}, 32)).astype("float32"); y = np.eye(4, dtype="float32")[rng.integers(0, 4, {SAMPLES})]
        seen = {{}}
        for i in range(1, {n} + 1):
            keras.backend.clear_session(); gc.collect()
            h = inputs = keras.Input(shape=(32,))
            for _ in range(1 + i % 3):
                h = keras.layers.Dense(8 * (1 + i % 8), activation="relu")(h)
            model = keras.Model(inputs, keras.layers.Dense(4, activation="softmax")(h))
            model.compile(optimizer="adam", loss="categorical_crossentropy")
            model.fit(x, y, epochs=2, batch_size=32, validation_split=0.2, verbose=0)
            seen[i] = rss()
        print(seen[3], seen[{n}])
        """)  # noqa: E501
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, timeout=3600
    ).stdout.split()
    return int(out[0]), int(out[1])


def _mib(n: int) -> str:
    return f"{n / 2**20:.0f} MiB"


def report_memory(seen: dict[int, tuple[int, int, int, int]], isolate: bool, growth: int | None = None) -> None:
    first, last, n = seen[3], seen[max(seen)], max(seen)
    if isolate:
        bound = "the default 256 MiB" if growth is None else f"{growth >> 20} MiB, set for this run"
        print(
            f"memory, trials in a child process, replaced once it grows by {bound} ({last[3]} started over {n} trials):"
        )
        peak = max(v[0] for k, v in seen.items() if k >= 3)
        print(f"  trial process RSS, highest from trial 3 on: {_mib(peak)}")
        print(
            f"  trial process RSS after trial 3: {_mib(first[0])}; after trial {n}: {_mib(last[0])} "
            f"({(last[0] - first[0]) / 2**20:+.0f} MiB)"
        )
        print(
            f"  tuner process RSS after trial 3: {_mib(first[1])}; after trial {n}: {_mib(last[1])} "
            f"({(last[1] - first[1]) / 2**20:+.0f} MiB)"
        )
        per_trial = (last[2] - first[2]) / (n - 3)
        print(
            f"  folder after trial 3: {first[2] / 1e6:.2f} MB; after trial {n}: {last[2] / 1e6:.2f} MB "
            f"({per_trial / 1e3:.1f} kB per further trial; trained models bounded by --keep 3)"
        )
    else:
        print(
            f"memory, trials in the tuner's process (--in-process): RSS after trial 3: {_mib(first[0])}; "
            f"after trial {n}: {_mib(last[0])} ({(last[0] - first[0]) / 2**20:+.0f} MiB)"
        )


def overhead(root: Path, n: int) -> dict[str, list[tuple[float, ...]]]:
    """Two rounds, the second in the reverse order, so a change in the machine's load hits all three alike.

    Wall time is what a user waits; CPU time (every thread, both processes for
    graphspec) is what the work costs, and moves much less with the load of a
    shared machine.

    Returns, per round, the medians (plain Keras, Keras Tuner, graphspec tune) by wall
    and by CPU time, and graphspec's first trial (wall, CPU).
    """
    medians: dict[str, list[tuple[float, ...]]] = {"wall": [], "CPU": [], "first": []}
    print(
        f"per trial (median of {n}; {SAMPLES} samples, 2 epochs, an MLP of 1-3 Dense layers), "
        "two rounds in opposite orders:"
    )
    trials: list[dict[str, Any]] = []
    for round_ in (1, 2):
        where = root / f"round{round_}"
        if round_ == 1:
            ours, ours_cpu, trials = graphspec_trials(where / "g", n)
            plain, plain_cpu = keras_trials(trials)
            tuner, tuner_cpu = keras_tuner_trials(where / "kt", n)
        else:
            tuner, tuner_cpu = keras_tuner_trials(where / "kt", n)
            plain, plain_cpu = keras_trials(trials)
            ours, ours_cpu, trials = graphspec_trials(where / "g", n)
        for what, (g, k, t) in (("wall", (ours, plain, tuner)), ("CPU", (ours_cpu, plain_cpu, tuner_cpu))):
            g, k, t = statistics.median(g), statistics.median(k), statistics.median(t)
            medians[what].append((k, t, g))
            print(
                f"  round {round_}, {what:4}: plain Keras (build, compile, fit) {k:.3f} s; "
                f"Keras Tuner RandomSearch, build(hp) {t:.3f} s ({t / k:.2f}x, {t - k:+.3f} s); "
                f"graphspec tune {g:.3f} s ({g / k:.2f}x, {g - k:+.3f} s; {g / t:.2f}x Keras Tuner)"
            )
        print(
            f"  round {round_}: graphspec's first trial, which also starts the trial process (a TensorFlow import): "
            f"{ours[0]:.1f} s wall, {ours_cpu[0]:.1f} s CPU"
        )
        medians["first"].append((ours[0], ours_cpu[0]))
    return medians


def _rounds(values: list[float], fmt: str = ".2f", unit: str = "") -> str:
    """One figure per round: "1.88 s / 2.37 s"."""
    return " / ".join(f"{v:{fmt}}{unit}" for v in values)


def _growth(first: int, last: int, more: str = "") -> str:
    """ "707 → 871 MiB (+164 MiB)", with ``more`` inside the brackets."""
    return f"{first / 2**20:,.0f} → {last / 2**20:,.0f} MiB ({(last - first) / 2**20:+,.0f} MiB{more})"


def overhead_rows(medians: dict[str, list[tuple[float, ...]]], n: int) -> list[dict[str, str]]:
    """The results file's rows for the per-trial comparison: round 1 / round 2 in each figure."""
    rows = []
    for what, unit in (("wall", " s"), ("CPU", "")):
        plain, tuner, ours = ([r[i] for r in medians[what]] for i in range(3))
        tuner_x = " / ".join(f"{t / k:.2f}x" for k, t in zip(plain, tuner, strict=True))
        ours_x = " / ".join(f"{g / k:.2f}x" for k, g in zip(plain, ours, strict=True))
        keras_tuner = "Keras Tuner `RandomSearch`" if what == "wall" else "Keras Tuner"
        figure = f"plain Keras {_rounds(plain, unit=unit)}; {keras_tuner} {_rounds(tuner, unit=unit)} ({tuner_x}); "
        figure += f"`graphspec tune` {_rounds(ours, unit=unit)} ({ours_x})"
        if what == "wall":
            label = f"per trial, median of {n} ({SAMPLES} samples, 2 epochs, MLP of 1–3 Dense layers), wall"
            figure += " — round 1 / round 2, in opposite orders"
        else:
            label = "the same, CPU seconds (both processes for `tune`)"
        rows.append({"what": label, "figure": figure})
    walls, cpus = [w for w, _ in medians["first"]], [c for _, c in medians["first"]]
    what = "the first trial, which also starts the trial process (a TensorFlow import)"
    rows.append({"what": what, "figure": f"{_rounds(walls, '.1f', ' s')} wall, {_rounds(cpus, '.1f', ' s')} CPU"})
    return rows


def refusal_rows(per: float, count: int, check: float, alone: str) -> list[dict[str, str]]:
    """The results file's rows for a refused trial, and for the static check in a fresh process (its printed line)."""
    what = "a refused trial, all in (Keras Tuner's bookkeeping, expand + validate + count, journal line, table row)"
    figure = f"{1000 * per:.1f} ms ({count} refused by `max_params`; the static check {1000 * check:.1f} ms of it)"
    rows = [{"what": what, "figure": f"{figure}; target < 50 ms"}]
    found = re.search(r"([0-9.]+) ms per point; TensorFlow imported: (\w+)", alone)
    if found:
        alone = f"{found[1]} ms per point, TensorFlow {'not imported' if found[2] == 'no' else 'imported'}"
    rows.append({"what": "the static check alone, fresh process", "figure": alone})
    return rows


Seen = dict[int, tuple[int, int, int, int]]


def memory_rows(seen: dict[tuple[bool, int | None], Seen], plain: tuple[int, int], n: int) -> list[dict[str, str]]:
    """The results file's rows for memory and disk, after trial 3 and after the last trial of each search."""
    default, small, inside = seen[True, None], seen[True, 64 << 20], seen[False, None]
    last, last_small, last_inside = max(default), max(small), max(inside)
    processes = default[last][3]
    replaced = f"default: replaced after 256 MiB of growth; {processes} process{'es' if processes != 1 else ''}"
    peak = max(v[0] for k, v in small.items() if k >= 3)
    first_size, last_size = default[3][2], default[last][2]
    per_trial = (last_size - first_size) / (last - 3) if last > 3 else 0.0
    return [
        {
            "what": f"trial process RSS after trial 3 → {last} ({replaced})",
            "figure": _growth(default[3][0], default[last][0]),
        },
        {
            "what": f"the same, replaced after 64 MiB ({small[last_small][3]} processes over {last_small} trials)",
            "figure": _growth(small[3][0], small[last_small][0], f"; highest {peak / 2**20:,.0f} MiB"),
        },
        {
            "what": f"the tuner's own process, after trial 3 → {last}",
            "figure": _growth(default[3][1], default[last][1]),
        },
        {
            "what": f"`--in-process` (trials in the tuner's process), after trial 3 → {last_inside}",
            "figure": _growth(inside[3][0], inside[last_inside][0]),
        },
        {
            "what": f"plain Keras fitting {n} such models in one process, `clear_session()` between",
            "figure": _growth(*plain),
        },
        {
            "what": f"tuning folder after trial 3 → {last}, `--keep 3`",
            "figure": f"{first_size / 1e6:.2f} → {last_size / 1e6:.2f} MB ({per_trial / 1e3:.1f} kB per further trial)",
        },
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=10, help="trials for the per-trial comparison")
    parser.add_argument("--long", type=int, default=30, help="trials for the memory and disk figures")
    parser.add_argument("--refusals", type=int, default=200)
    parser.add_argument("--parts", default="overhead,refusal,memory", help="which figures to measure (comma-separated)")
    _results.add_arguments(parser, "tune_overhead")
    args = parser.parse_args()
    rows: list[dict[str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        if "overhead" in args.parts:
            rows += overhead_rows(overhead(root, args.trials), args.trials)
        if "refusal" in args.parts:
            per, count, check = refusal_cost(root, args.refusals)
            print(
                f"refused trials: {count} refused by max_params, {1000 * per:.1f} ms each in all "
                f"(the static check {1000 * check:.1f} ms of it); target < 50 ms"
            )
            alone = check_without_tensorflow(root)
            print(f"  static check alone, fresh process: {alone}")
            rows += refusal_rows(per, count, check, alone)
        if "memory" in args.parts:
            seen = {}
            for isolate, growth in ((True, None), (True, 64 << 20), (False, None)):
                seen[isolate, growth] = memory_and_disk(root, args.long, isolate, growth)
                report_memory(seen[isolate, growth], isolate, growth)
            plain = plain_keras_memory(args.long)
            growth = (plain[1] - plain[0]) / 2**20
            print(
                f"memory, plain Keras fitting {args.long} such models in one process (clear_session between): "
                f"{_mib(plain[0])} after 3, {_mib(plain[1])} after {args.long} ({growth:+.0f} MiB)"
            )
            rows += memory_rows(seen, plain, args.long)
    if args.json:
        what = {"key": "what", "label": f"what (`{_results.command()}`, one run)"}
        columns = [what, {"key": "figure", "label": "figure"}]
        note = "per-trial cost against plain Keras and Keras Tuner, refusal cost, memory and disk over a long search"
        _results.write_results("tune_overhead", rows, columns=columns, note=note, path=args.json)


if __name__ == "__main__":
    main()
