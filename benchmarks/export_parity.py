"""Export of every seed model to every format: time, parity and names, against Keras' own export in the same run.

    python benchmarks/export_parity.py [--formats saved_model,tflite,onnx] [--samples 4] [--only SUBSTRING]
                                       [--json PATH | --no-json]

For each model and format it prints graphspec's export time (conversion, reload by
the serving runtime and parity check together), the largest absolute difference
between the artefact and Keras over all outputs on the same random inputs, and
whether the serving signature's output keys are the spec's names. For SavedModel
it also times Keras' own ``model.export()`` of the same model (no parity check,
outputs named ``output_0``...) and prints the ratio. Recurrent models export to
TFLite at batch 1 (TFLite lowers their loops only for a fixed batch size).

The largest differences are also written to benchmarks/results/export_parity.json, a
row per model and a column per format (see benchmarks/results/README.md).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import _results

import graphspec
from graphspec.errors import SpecError
from graphspec.export import export

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

SEED = Path(__file__).resolve().parent.parent / "specs" / "seed"
SUFFIX = {"saved_model": "", "tflite": ".tflite", "onnx": ".onnx"}
RECURRENT_LAYERS = {"LSTM", "GRU", "SimpleRNN", "Bidirectional", "RNN"}


def _recurrent(spec: graphspec.Spec) -> bool:
    return any(node.layer in RECURRENT_LAYERS for node in spec.nodes.values())


def _keras_export_seconds(spec_path: Path, folder: Path) -> float:
    model = graphspec.build(spec_path, compile=False)
    started = time.perf_counter()
    model.export(str(folder / "keras_export"), verbose=False)
    return time.perf_counter() - started


COLUMNS = [
    {"key": "model", "label": "model"},
    {"key": "saved_model", "label": "SavedModel"},
    {"key": "tflite", "label": "TFLite", "format": "{:.1e}"},
    {"key": "onnx", "label": "ONNX", "format": "{:.1e}"},
]


def _cell(worst: float, batch: int | None, names: bool) -> float | int | str:
    """The largest difference as the docs show it: 0 as 0, a float, or text where there is more to say."""
    notes = [f"batch {batch}"] * bool(batch) + ["output names differ"] * (not names)
    if not notes:
        return 0 if worst == 0 else float(f"{worst:.6g}")
    return f"{0 if worst == 0 else f'{worst:.1e}'} ({', '.join(notes)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--formats", default="saved_model,tflite,onnx")
    parser.add_argument("--samples", type=int, default=4)
    parser.add_argument("--only", default="", metavar="SUBSTRING", help="only seed models whose name contains this")
    _results.add_arguments(parser, "export_parity")
    args = parser.parse_args()
    formats = args.formats.split(",")
    rows: list[dict[str, object]] = []
    print(
        f"{'model':20} {'format':12} {'export s':>9} {'Keras s':>8} {'ratio':>6} {'max |diff|':>11} "
        f"{'tolerance':>16}  names"
    )
    for spec_path in sorted(SEED.glob("*.yaml")):
        if args.only not in spec_path.stem:
            continue
        spec = graphspec.load(spec_path)
        rows.append({"model": f"`{spec_path.stem}`"})
        for fmt in formats:
            with tempfile.TemporaryDirectory() as tmp:
                batch = 1 if fmt == "tflite" and _recurrent(spec) else None
                try:
                    result = export(
                        spec_path,
                        Path(tmp) / f"{spec_path.stem}{SUFFIX[fmt]}",
                        format=fmt,
                        batch_size=batch,
                        samples=args.samples,
                    )
                except SpecError as exc:
                    print(f"{spec_path.stem:20} {fmt:12} refused: {exc.errors[0].message[:90]}")
                    rows[-1][fmt] = f"refused: `{exc.errors[0].code.value}`"
                    continue
                keras_s = _keras_export_seconds(spec_path, Path(tmp)) if fmt == "saved_model" else None
            worst = max(result.parity.values())
            names = [o.name for o in result.outputs] == list(spec.outputs)
            tol = f"{result.tolerance.atol:g}+{result.tolerance.rtol:g}|k|"
            keras_col = f"{keras_s:8.2f} {result.seconds / keras_s:6.2f}" if keras_s else f"{'':8} {'':6}"
            note = " (batch 1)" if batch else ""
            print(
                f"{spec_path.stem:20} {fmt:12} {result.seconds:9.2f} {keras_col} {worst:11.2e} {tol:>16}  "
                f"{'spec names' if names else 'DIFFERENT'}{note}",
                flush=True,
            )
            rows[-1][fmt] = _cell(worst, batch, names)
    if args.json:
        columns = [c for c in COLUMNS if c["key"] == "model" or c["key"] in formats]
        note = f"the largest difference from Keras over all outputs, {args.samples} samples"
        _results.write_results("export_parity", rows, columns=columns, note=note, path=args.json)


if __name__ == "__main__":
    main()
