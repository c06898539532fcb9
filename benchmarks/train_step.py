"""Training step time: a graphspec-built model vs the same model written by hand in Keras.

Same data, same compile settings, same process; the two are trained in alternation
(interleaved epochs, alternating which goes first, so drift in machine load hits both).
Each training step (batch) is timed by a callback, from ``on_train_batch_begin`` to
``on_train_batch_end``, so per-epoch overhead (data adapter, callbacks) stays out;
the median step of each model is printed with their ratio (target: graphspec/Keras ≤ 1.03).

    python benchmarks/train_step.py [--repeats 15] [--only SUBSTRING] [--json PATH | --no-json]

The table is also written to benchmarks/results/train_step.json (see benchmarks/results/README.md).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import _results
import numpy as np

import graphspec
from graphspec.data import expected_arrays, split_arrays, synthetic_arrays


def qa_by_hand(keras: Any) -> Any:
    text = keras.Input(shape=(None,), dtype="int32", name="text")
    question = keras.Input(shape=(None,), dtype="int32", name="question")
    text_enc = keras.layers.LSTM(32)(keras.layers.Embedding(10000, 64)(text))
    q_enc = keras.layers.LSTM(32)(keras.layers.Embedding(10000, 64)(question))
    merged = keras.layers.Concatenate()([text_enc, q_enc])
    answer = keras.layers.Dense(500, activation="softmax", name="answer")(merged)
    model = keras.Model([text, question], answer)
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["acc"])
    return model


def multi_output_by_hand(keras: Any) -> Any:
    posts = keras.Input(shape=(None,), dtype="int32", name="posts")
    x = keras.layers.Embedding(50000, 256)(posts)
    x = keras.layers.Conv1D(128, 5, activation="relu")(x)
    x = keras.layers.MaxPooling1D(5)(x)
    x = keras.layers.Conv1D(256, 5, activation="relu")(x)
    x = keras.layers.Conv1D(256, 5, activation="relu")(x)
    x = keras.layers.MaxPooling1D(5)(x)
    x = keras.layers.Conv1D(256, 5, activation="relu")(x)
    x = keras.layers.Conv1D(256, 5, activation="relu")(x)
    x = keras.layers.GlobalMaxPooling1D()(x)
    x = keras.layers.Dense(128, activation="relu")(x)
    age = keras.layers.Dense(1, name="age")(x)
    income = keras.layers.Dense(10, activation="softmax", name="income")(x)
    gender = keras.layers.Dense(1, activation="sigmoid", name="gender")(x)
    model = keras.Model(posts, [age, income, gender])
    model.compile(
        optimizer="rmsprop",
        loss={"age": "mse", "income": "categorical_crossentropy", "gender": "binary_crossentropy"},
        loss_weights={"age": 0.25, "income": 1.0, "gender": 10.0},
    )
    return model


CASES: list[tuple[Path, Callable[[Any], Any], int, int]] = [
    # spec, hand-written model, samples, batch size
    (Path("specs/seed/multi_input_qa.yaml"), qa_by_hand, 2048, 128),
    (Path("specs/seed/multi_output.yaml"), multi_output_by_hand, 256, 16),
]


COLUMNS = [
    {"key": "model", "label": "model"},
    {"key": "graphspec_ms", "label": "graphspec ms/step", "format": "{:,.1f}"},
    {"key": "keras_ms", "label": "Keras ms/step", "format": "{:,.1f}"},
    {"key": "ratio", "label": "ratio (target ≤ 1.03)", "format": "{:.3f}"},
]


def _one_or_dict(arrays: dict[str, np.ndarray]) -> Any:
    return next(iter(arrays.values())) if len(arrays) == 1 else arrays


def step_times(keras: Any, model: Any, x: Any, y: Any, batch: int) -> list[float]:
    """The wall time of every training step of one epoch."""
    times: list[float] = []

    class StepTimer(keras.callbacks.Callback):  # type: ignore[misc,name-defined]
        def on_train_batch_begin(self, batch: int, logs: Any = None) -> None:
            self.start = time.perf_counter()

        def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
            times.append(time.perf_counter() - self.start)

    model.fit(x, y, batch_size=batch, epochs=1, shuffle=False, verbose=0, callbacks=[StepTimer()])
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--only", default="", metavar="SUBSTRING", help="only the specs whose file name has this in it")
    _results.add_arguments(parser, "train_step")
    args = parser.parse_args()
    import keras

    print(f"{'model':<26} {'graphspec ms/step':>18} {'Keras ms/step':>14} {'ratio':>7}")
    rows = []
    for path, by_hand, samples, batch in CASES:
        if args.only not in path.name:
            continue
        report = graphspec.validate(path)
        x, y = split_arrays(synthetic_arrays(report, samples, seed=0), expected_arrays(report))
        x, y = _one_or_dict(x), _one_or_dict(y)
        keras.utils.set_random_seed(0)
        models = {"graphspec": graphspec.build(path), "keras": by_hand(keras)}
        assert models["graphspec"].count_params() == models["keras"].count_params()
        for model in models.values():  # trace the train function once, outside the timing
            step_times(keras, model, x, y, batch)
        times: dict[str, list[float]] = {name: [] for name in models}
        for repeat in range(args.repeats):
            # Alternate which model goes first, so neither always runs right after the other.
            for name in sorted(models, reverse=repeat % 2 == 1):
                times[name] += step_times(keras, models[name], x, y, batch)
        ours, theirs = (statistics.median(times[n]) for n in ("graphspec", "keras"))
        print(f"{report.spec.name:<26} {ours * 1e3:>18.1f} {theirs * 1e3:>14.1f} {ours / theirs:>7.3f}")
        model = f"{report.spec.name} (`{path.name}`)"
        row = {"model": model, "graphspec_ms": round(ours * 1e3, 4), "keras_ms": round(theirs * 1e3, 4)}
        rows.append({**row, "ratio": round(ours / theirs, 6)})
    if args.json:
        batches = "; ".join(f"{p.name}: {n:,} samples, batches of {b}" for p, _, n, b in CASES if args.only in p.name)
        note = f"the two models trained in turn, median step; {args.repeats} timed epoch(s) each after one untimed"
        _results.write_results("train_step", rows, columns=COLUMNS, note=f"{note} ({batches})", path=args.json)


if __name__ == "__main__":
    main()
