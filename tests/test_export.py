"""export: SavedModel, TFLite and ONNX artefacts keyed by the spec's names, parity-checked,
written whole or not at all."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import graphspec
from graphspec import SpecError
from graphspec.cli import main
from graphspec.export import TOLERANCES, Tolerance, export, format_for, spec_hash

SEED = Path("specs/seed")
GALLERY = sorted(p.stem for p in SEED.glob("*.yaml"))
SUFFIX = {"saved_model": "", "tflite": ".tflite", "onnx": ".onnx"}
# TFLite lowers a recurrent layer's loop only for a fixed batch size (checked below): these export at batch 1.
RECURRENT = {"multi_input_qa", "siamese_lstm"}
# Its 12.8-million-weight Embedding makes the ONNX conversion take half a minute: in the slow run.
SLOW_ONNX = {"multi_output"}


def _target(tmp_path: Path, name: str, fmt: str) -> Path:
    return tmp_path / f"{name}{SUFFIX[fmt]}"


def _cases() -> list[Any]:
    cases = []
    for name in GALLERY:
        for fmt in ("saved_model", "tflite", "onnx"):
            marks = [pytest.mark.slow] if fmt == "onnx" and name in SLOW_ONNX else []
            cases.append(pytest.param(name, fmt, id=f"{name}-{fmt}", marks=marks))
    return cases


@pytest.mark.parametrize(("name", "fmt"), _cases())
def test_every_seed_model_exports_to_every_format_with_its_names_and_parity(
    tmp_path: Path, name: str, fmt: str
) -> None:
    spec_path = SEED / f"{name}.yaml"
    batch = 1 if fmt == "tflite" and name in RECURRENT else None
    result = export(spec_path, _target(tmp_path, name, fmt), format=fmt, batch_size=batch, samples=2)
    spec = graphspec.load(spec_path)
    assert [i.name for i in result.inputs] == list(spec.inputs)
    assert [o.name for o in result.outputs] == list(spec.outputs)
    assert set(result.parity) == set(spec.outputs)
    tol = TOLERANCES[fmt]
    assert all(0.0 <= d <= tol.atol + 1.0 * tol.rtol for d in result.parity.values())
    assert result.path.exists()
    manifest = json.loads(result.manifest.read_text())
    assert manifest["format"] == fmt
    assert manifest["spec_hash"] == spec_hash(graphspec.validate(spec_path))
    assert [i["name"] for i in manifest["inputs"]] == list(spec.inputs)
    assert [o["name"] for o in manifest["outputs"]] == list(spec.outputs)
    assert manifest["parity"]["max_abs_diff"] == result.parity
    assert manifest["parity"]["tolerance"] == {"atol": tol.atol, "rtol": tol.rtol}
    assert all(inp["shape"][0] == batch for inp in manifest["inputs"])
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no staging left behind


def test_tflite_refuses_a_recurrent_layer_with_a_dynamic_batch_naming_it(tmp_path: Path) -> None:
    target = tmp_path / "siamese.tflite"
    with pytest.raises(SpecError) as info:
        export(SEED / "siamese_lstm.yaml", target)
    (error,) = info.value.errors
    assert error.code.value == "export-failed"
    assert error.path == ("nodes", "left_enc")
    assert "dynamic batch dimension" in error.message
    assert "--batch-size" in (error.hint or "")
    assert error.line is not None  # located at the node in the spec file
    assert list(tmp_path.iterdir()) == []


def _multi_output_keras_model() -> Any:
    """Three named outputs whose Keras order differs from the alphabetical one TFLite and SavedModel sort into."""
    import keras

    x = keras.Input((6,), name="features")
    h = keras.layers.Dense(8, activation="relu", name="hidden")(x)
    outputs = [
        keras.layers.Dense(1, name="zeta")(h),
        keras.layers.Dense(3, activation="softmax", name="alpha")(h),
        keras.layers.Dense(2, name="mid")(h),
    ]
    return keras.Model(x, outputs, name="three_heads")


@pytest.mark.parametrize("fmt", ["saved_model", "tflite", "onnx"])
def test_a_models_outputs_keep_their_names_and_values_in_every_format(tmp_path: Path, fmt: str) -> None:
    model = _multi_output_keras_model()
    result = export(model, _target(tmp_path, "three", fmt), format=fmt)
    assert [o.name for o in result.outputs] == ["zeta", "alpha", "mid"]
    assert [o.shape for o in result.outputs] == [[None, 1], [None, 3], [None, 2]]


def test_dict_outputs_keep_their_keys_in_the_signature(tmp_path: Path) -> None:
    import keras
    import tensorflow as tf

    x = keras.Input((4,), name="x")
    model = keras.Model(
        x, {"score": keras.layers.Dense(1, name="score")(x), "label": keras.layers.Dense(2, name="label")(x)}
    )
    result = export(model, tmp_path / "sm")
    assert sorted(o.name for o in result.outputs) == ["label", "score"]
    signature = tf.saved_model.load(str(tmp_path / "sm")).signatures["serving_default"]
    assert sorted(signature.structured_outputs) == ["label", "score"]


STRUCTURED_SPEC = """
graphspec: 1
name: structured
inputs:
  image: {shape: [8]}
  meta: {shape: [3]}
nodes:
  h: {layer: Concatenate, inputs: [image, meta]}
  label: {layer: Dense, inputs: h, units: 2, activation: softmax}
  score: {layer: Dense, inputs: h, units: 1}
  aux: {layer: Dense, inputs: h, units: 4}
outputs:
  label: {}
  score: {}
  aux: {}
structure:
  inputs: {meta, image}
  outputs: {label: label, extras: [score, aux]}
"""


@pytest.mark.parametrize("fmt", ["saved_model", "tflite"])
def test_a_spec_with_structured_inputs_and_outputs_exports_by_their_names(tmp_path: Path, fmt: str) -> None:
    """A spec's `structure:` (a dict of inputs, nested outputs) reaches the artefact: inputs by name,
    nested outputs flattened to `extras/0`-style keys, and the parity check runs on every one."""
    result = export(graphspec.load(STRUCTURED_SPEC), _target(tmp_path, "structured", fmt), format=fmt)
    assert sorted(i.name for i in result.inputs) == ["image", "meta"]
    assert sorted(o.name for o in result.outputs) == ["extras/0", "extras/1", "label"]
    assert sorted(result.parity) == ["extras/0", "extras/1", "label"]
    assert all(diff <= TOLERANCES[fmt].atol for diff in result.parity.values())


def test_savedmodel_is_served_by_signature_name_in_a_process_without_graphspec(tmp_path: Path) -> None:
    model = graphspec.build(SEED / "multi_input_qa.yaml")
    export(model, tmp_path / "qa")
    rng = np.random.default_rng(3)
    inputs = {
        "text": rng.integers(0, 10000, (2, 7)).astype("int32"),
        "question": rng.integers(0, 10000, (2, 5)).astype("int32"),
    }
    np.savez(tmp_path / "inputs.npz", **inputs)
    code = textwrap.dedent(
        f"""
        import json, sys
        import numpy as np
        import tensorflow as tf
        inputs = dict(np.load({str(tmp_path / "inputs.npz")!r}))
        serve = tf.saved_model.load({str(tmp_path / "qa")!r}).signatures["serving_default"]
        out = serve(**{{k: tf.constant(v) for k, v in inputs.items()}})
        np.savez({str(tmp_path / "served.npz")!r}, **{{k: v.numpy() for k, v in out.items()}})
        print(json.dumps({{"graphspec_loaded": any(m.startswith("graphspec") for m in sys.modules), "outputs": sorted(out)}}))
        """  # noqa: E501
    )
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=tmp_path, env=env
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {"graphspec_loaded": False, "outputs": ["answer"]}
    served = np.load(tmp_path / "served.npz")["answer"]
    expected = model.predict(inputs, verbose=0)
    assert served.shape == expected.shape == (2, 500)
    assert np.max(np.abs(served - expected)) <= TOLERANCES["saved_model"].atol


def test_a_trained_keras_file_exports_with_the_spec_names(tmp_path: Path) -> None:
    spec = SEED / "multi_output.yaml"
    model = graphspec.build(spec)
    model.save(tmp_path / "model.keras")
    result = export(tmp_path / "model.keras", tmp_path / "served")
    assert [o.name for o in result.outputs] == ["age", "income", "gender"]
    assert result.spec_hash == spec_hash(graphspec.validate(graphspec.from_keras(model)))


def test_fixed_batch_size_is_in_the_signature(tmp_path: Path) -> None:
    import tensorflow as tf

    result = export(SEED / "functional_mlp.yaml", tmp_path / "sm", batch_size=3)
    assert result.samples == 3
    signature = tf.saved_model.load(str(tmp_path / "sm")).signatures["serving_default"]
    (spec,) = signature.structured_input_signature[1].values()
    assert spec.shape.as_list() == [3, 64]


def test_a_parity_failure_names_the_output_and_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A rounding difference as small as one can be: the served output one float32 step away from
    # Keras'. TFLite's kernels may or may not round differently on a given CPU, so the test makes
    # the difference itself; at zero tolerance the check must fail on it.
    export_module = importlib.import_module("graphspec.export")
    real_run = export_module._TFLite.run

    def one_step_off(self: Any, staged: Path, interface: Any, inputs: Any) -> dict[str, Any]:
        return {k: np.nextafter(v, np.inf) for k, v in real_run(self, staged, interface, inputs).items()}

    monkeypatch.setattr(export_module._TFLite, "run", one_step_off)
    with pytest.raises(SpecError) as info:
        export(
            SEED / "functional_mlp.yaml",
            tmp_path / "m.tflite",
            tolerance=Tolerance(atol=0.0, rtol=0.0),
            samples=8,
            seed=5,
        )
    (error,) = info.value.errors
    assert error.code.value == "export-mismatch"
    assert error.path == ("outputs", "probabilities")
    assert "over the tolerance (atol 0, rtol 0)" in error.message
    assert error.line is not None
    assert list(tmp_path.iterdir()) == []


def test_a_failed_export_keeps_the_previous_savedmodel_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    export_module = importlib.import_module("graphspec.export")

    target = tmp_path / "sm"
    export(SEED / "functional_mlp.yaml", target)
    before = {p.relative_to(target): p.read_bytes() for p in target.rglob("*") if p.is_file()}
    real_run = export_module._SavedModel.run

    def off_by_one(self: Any, staged: Path, interface: Any, inputs: Any) -> dict[str, Any]:
        return {k: v + 1.0 for k, v in real_run(self, staged, interface, inputs).items()}

    monkeypatch.setattr(export_module._SavedModel, "run", off_by_one)
    with pytest.raises(SpecError) as info:
        export(SEED / "sequential_mlp.yaml", target)
    (error,) = info.value.errors
    assert error.code.value == "export-mismatch" and error.path == ("outputs", "prediction")
    after = {p.relative_to(target): p.read_bytes() for p in target.rglob("*") if p.is_file()}
    assert after == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sm"]


def test_tolerances_must_be_finite_and_non_negative(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as info:
        export(SEED / "sequential_mlp.yaml", tmp_path / "sm", tolerance=Tolerance(atol=-1.0, rtol=0.0))
    assert info.value.errors[0].code.value == "bad-value"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("value", ["-1", "nan", "inf", "abc"])
def test_cli_tolerance_that_is_not_a_finite_number_at_least_0_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    for option in ("--atol", "--rtol"):
        with pytest.raises(SystemExit) as info:
            main(["export", str(SEED / "functional_mlp.yaml"), "-o", str(tmp_path / "m.onnx"), option, value])
        assert (
            info.value.code == 2
        )  # a usage error, as the README's exit codes say; 1 is an invalid spec or a failed check
        err = capsys.readouterr().err
        assert f"argument {option}: must be a finite number >= 0, got {value}" in err
    assert list(tmp_path.iterdir()) == []


def test_an_interrupted_export_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    export_module = importlib.import_module("graphspec.export")

    def interrupted(*args: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(export_module._TFLite, "run", interrupted)
    with pytest.raises(KeyboardInterrupt):
        export(SEED / "functional_mlp.yaml", tmp_path / "m.tflite")
    assert list(tmp_path.iterdir()) == []


def test_onnx_without_its_extra_says_which_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "tf2onnx" else real(name, *a))
    with pytest.raises(SpecError) as info:
        export(SEED / "functional_mlp.yaml", tmp_path / "m.onnx")
    (error,) = info.value.errors
    assert error.code.value == "missing-extra"
    assert "tf2onnx" in error.message and "graphspec[onnx]" in (error.hint or "")
    assert main(["export", str(SEED / "functional_mlp.yaml"), "-o", str(tmp_path / "m.onnx")]) == 2
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("path", "fmt", "want"),
    [
        ("m.onnx", None, "onnx"),
        ("m.TFLITE", None, "tflite"),
        ("served", None, "saved_model"),
        ("served/1", "saved_model", "saved_model"),
        ("m.onnx", "onnx", "onnx"),
    ],
)
def test_format_follows_the_suffix(path: str, fmt: str | None, want: str) -> None:
    assert format_for(path, fmt) == want


@pytest.mark.parametrize(
    ("path", "fmt"), [("m.onnx", "tflite"), ("m.tflite", "saved_model"), ("served", "onnx"), ("m.onnx", "pb")]
)
def test_a_format_that_contradicts_the_suffix_is_refused(path: str, fmt: str) -> None:
    with pytest.raises(SpecError) as info:
        format_for(path, fmt)
    assert info.value.errors[0].code.value == "bad-value"


def test_targets_that_cannot_take_the_artefact_are_refused_before_building(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("keep me")
    (tmp_path / "folder.onnx").mkdir()
    cases = [
        (tmp_path / "notes.txt", "saved_model"),
        (tmp_path / "folder.onnx", "onnx"),
        (tmp_path / "missing" / "m.tflite", "tflite"),
    ]
    for target, fmt in cases:
        with pytest.raises(SpecError) as info:
            export(SEED / "functional_mlp.yaml", target, format=fmt)
        assert info.value.errors[0].code.value == "io-error"
    assert (tmp_path / "notes.txt").read_text() == "keep me"


def test_cli_export_prints_names_and_parity_and_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "mlp.onnx"
    assert main(["export", str(SEED / "functional_mlp.yaml"), "-o", str(target), "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["format"] == "onnx" and record["path"] == str(target)
    assert [o["name"] for o in record["outputs"]] == ["probabilities"]
    assert record["manifest"] == str(tmp_path / "mlp.onnx.manifest.json")
    assert (
        main(["export", str(SEED / "functional_mlp.yaml"), "-o", str(tmp_path / "m.onnx"), "--format", "tflite"]) == 2
    )
    assert main(["export", str(SEED / "functional_mlp.yaml"), "-o", str(tmp_path / "sm"), "--batch-size", "2"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"exported {SEED / 'functional_mlp.yaml'} to {tmp_path / 'sm'} (saved_model, ")
    assert out[1] == "  inputs:   x (2, 64) float32"
    assert out[2] == "  outputs:  probabilities (2, 10) float32"
    assert out[3].startswith("  parity:   2 samples, max |diff| probabilities ")
    assert out[4] == f"  manifest: {tmp_path / 'sm' / 'graphspec.manifest.json'}"
    assert main(["export", str(tmp_path / "missing.yaml"), "-o", str(tmp_path / "x")]) == 2


def test_build_points_at_export_for_serving_formats(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", str(SEED / "functional_mlp.yaml"), "-o", "m.onnx"]) == 2
    assert "graphspec export" in capsys.readouterr().err


def test_importing_export_loads_no_tensorflow() -> None:
    code = "import sys, graphspec.export; print('tensorflow' in sys.modules or 'keras' in sys.modules)"
    assert (
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60).stdout.strip()
        == "False"
    )


def test_tflite_falls_back_to_tensorflows_interpreter_without_litert(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "ai_edge_litert", None)  # import fails as if not installed
    result = export(SEED / "functional_mlp.yaml", tmp_path / "m.tflite")
    assert result.runtime["interpreter"] == "tensorflow.lite"
    assert max(result.parity.values()) <= TOLERANCES["tflite"].atol


def test_graphspec_export_is_the_function_even_after_its_module_is_imported() -> None:
    export_module = importlib.import_module("graphspec.export")

    assert graphspec.export is export_module.export
    assert "export" in dir(graphspec) and "ExportResult" in graphspec.__all__
