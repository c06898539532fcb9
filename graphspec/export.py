"""Serving artefacts of a spec: SavedModel, TFLite and ONNX, named as the spec names things.

:func:`export` builds the model of a spec (or loads a trained ``.keras`` file of
one), writes it in a serving format with one signature, ``serving_default``, whose
input and output keys are the spec's input and output names (Keras' own export
names outputs ``output_0``, ``output_1``, ... and TFLite reorders them), and checks
the artefact before it is kept: the same random inputs (the generator of
``--synthetic``) go through the Keras model and through the artefact loaded by the
runtime that serves it (``tf.saved_model.load``, the TFLite interpreter,
onnxruntime); an output that differs beyond the format's tolerance fails the
export, naming the output. A manifest beside the artefact records names, shapes,
dtypes, the spec's hash and the parity measured.

Everything is written under a temporary name beside the target and renamed into
place only after the parity check passed, so a failed or interrupted export
leaves nothing at the target. TensorFlow (and the ONNX converter and runtime,
the optional extra ``graphspec[onnx]``) are imported only inside functions.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import logging
import math
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from graphspec._util.files import write_text_atomically
from graphspec.budget import Budget
from graphspec.errors import Code, SpecError
from graphspec.pipeline import Params, Report, SpecSource, build_report, validate
from graphspec.source import Limits, locate
from graphspec.spec import node_name

__all__ = ["FORMATS", "ExportResult", "TensorInfo", "Tolerance", "export", "format_for"]

FORMATS = ("saved_model", "tflite", "onnx")
_SUFFIXES = {".tflite": "tflite", ".onnx": "onnx"}
SIGNATURE = "serving_default"
ONNX_OPSET = 17
T = TypeVar("T")
MANIFEST_NAME = "graphspec.manifest.json"  # inside a SavedModel folder; beside a file as <file>.manifest.json


@dataclass(frozen=True)
class Tolerance:
    """How close an artefact's outputs must be to Keras': ``|a - k| <= atol + rtol * |k|`` elementwise."""

    atol: float
    rtol: float


# The same TensorFlow graph (SavedModel) reproduces Keras to float32 rounding; TFLite
# (XNNPACK kernels) and onnxruntime reorder sums and fuse ops, so they get more room.
TOLERANCES: dict[str, Tolerance] = {
    "saved_model": Tolerance(atol=1e-6, rtol=1e-5),
    "tflite": Tolerance(atol=1e-4, rtol=1e-3),
    "onnx": Tolerance(atol=1e-4, rtol=1e-3),
}


@dataclass(frozen=True)
class TensorInfo:
    """One input or output of the serving signature."""

    name: str
    shape: list[int | None]
    dtype: str


@dataclass
class ExportResult:
    """What :func:`export` wrote and measured.

    ``parity`` holds, per output, the largest absolute difference between the
    artefact and Keras on the check's inputs; ``seconds`` the time of the
    conversion and the check together.
    """

    path: Path
    format: str
    manifest: Path
    inputs: list[TensorInfo]
    outputs: list[TensorInfo]
    parity: dict[str, float]
    tolerance: Tolerance
    spec_hash: str
    seconds: float
    samples: int
    runtime: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["path"], data["manifest"] = str(self.path), str(self.manifest)
        return data


def format_for(path: str | os.PathLike[str], format: str | None = None) -> str:
    """The export format for a target: ``format`` if given, else from the suffix (``.tflite``, ``.onnx``;
    a folder otherwise).

    Raises:
        SpecError: ``bad-value`` for an unknown format or one that contradicts the suffix.
    """
    suffix = Path(path).suffix.lower()
    implied = _SUFFIXES.get(suffix)
    if format is None:
        return implied or "saved_model"
    if format not in FORMATS:
        raise SpecError.single(Code.BAD_VALUE, f"unknown export format {format!r}", (), "use " + ", ".join(FORMATS))
    if (implied and implied != format) or (format != "saved_model" and suffix != f".{format}"):
        want = "a folder (no .tflite/.onnx suffix)" if format == "saved_model" else f"a file ending in .{format}"
        raise SpecError.single(
            Code.BAD_VALUE,
            f"--format {format} writes {want}; got {os.fspath(path)!r}",
            (),
            "make the suffix match the format, or leave --format out",
        )
    return format


def export(
    source: SpecSource | Any,
    path: str | os.PathLike[str],
    *,
    format: str | None = None,
    batch_size: int | None = None,
    samples: int = 4,
    seed: int = 0,
    tolerance: Tolerance | None = None,
    limits: Limits = Limits(),
    budget: Budget = Budget(),
    params: Params = None,
) -> ExportResult:
    """Write a serving artefact of a spec's model, named as the spec names its inputs and outputs, after a parity check.

    Args:
        source: a spec (a path object, text, mapping or :class:`Spec`; a ``str``
            is spec text, never a file name), a ``.keras`` file (as ``os.PathLike``;
            loaded in Keras' safe mode, within ``limits`` and ``budget``) or a ``keras.Model``.
        path: the target: a folder for ``saved_model``, a ``.tflite`` or ``.onnx`` file.
        format: ``saved_model``, ``tflite`` or ``onnx``; default from the suffix of ``path``.
        batch_size: fix the batch dimension (default: dynamic).
        samples: how many random samples the parity check runs (``batch_size`` if fixed).
        seed: seed of the parity check's inputs.
        tolerance: override the format's tolerance (:data:`TOLERANCES`).
        limits, budget, params: as for :func:`graphspec.build`.

    Raises:
        SpecError: for an invalid spec or model (as :func:`graphspec.build`),
            ``missing-extra`` when the format's converter is not installed,
            ``export-failed`` when the converter or runtime fails or the artefact's
            signature does not carry the spec's names, ``export-mismatch`` naming the
            output whose values differ beyond the tolerance, ``io-error`` when the
            target cannot be written.
    """
    target = Path(path)
    fmt = format_for(target, format)
    if batch_size is not None and batch_size < 1:
        raise SpecError.single(
            Code.BAD_VALUE,
            f"batch_size must be 1 or more; got {batch_size}",
            (),
            "leave it out for a dynamic batch dimension",
        )
    tol = tolerance or TOLERANCES[fmt]
    if not all(math.isfinite(v) and v >= 0 for v in (tol.atol, tol.rtol)):
        raise SpecError.single(
            Code.BAD_VALUE,
            f"tolerances must be finite numbers >= 0; got atol {tol.atol}, rtol {tol.rtol}",
            (),
            f"the {fmt} default is {TOLERANCES[fmt]}",
        )
    _check_target(target, fmt)
    _require_extra(fmt)
    model, report = _model_and_report(source, limits, budget, params)
    job = _Job(target, fmt, batch_size, batch_size or samples, seed, tol, time.perf_counter(), limits.max_data_bytes)
    try:
        return _export(model, report, job)
    except SpecError as exc:
        raise SpecError(locate(exc.diagnostics, report.spec.source)) from None


@dataclass(frozen=True)
class _Job:
    target: Path
    fmt: str
    batch_size: int | None
    samples: int
    seed: int
    tolerance: Tolerance
    started: float
    max_data_bytes: int = Limits().max_data_bytes  # the parity check's random inputs


def _export(model: Any, report: Report, job: _Job) -> ExportResult:
    fmt, target, tol, n = job.fmt, job.target, job.tolerance, job.samples
    writer = _WRITERS[fmt]
    interface = _Interface.of(model, job.batch_size)
    inputs = _parity_inputs(report, interface, n, job.seed, job.max_data_bytes)
    expected = interface.predict(model, inputs)
    with _staging(target) as staged:
        try:
            runtime = writer.write(model, interface, staged)
        except SpecError as exc:
            raise _tensor_list_refusal(fmt, exc, interface, set(report.spec.nodes)) or exc from None
        got = writer.run(staged, interface, inputs)
        parity = _compare(fmt, interface, expected, got, tol)
        result = ExportResult(
            path=target,
            format=fmt,
            manifest=_manifest_path(target, fmt),
            inputs=interface.inputs,
            outputs=interface.outputs,
            parity=parity,
            tolerance=tol,
            spec_hash=spec_hash(report),
            seconds=round(time.perf_counter() - job.started, 3),
            samples=n,
            runtime=runtime,
        )
        _write_manifest(staged, result, report)
    return result


def spec_hash(report: Report) -> str:
    """SHA-256 of the flat spec (blocks, parameters and includes expanded) as canonical JSON."""
    text = json.dumps(report.spec.to_data(), sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return "sha256:" + hashlib.sha256(text.encode("ascii")).hexdigest()


# ---------------------------------------------------------------------------
# the model and its interface


def _model_and_report(source: Any, limits: Limits, budget: Budget, params: Params) -> tuple[Any, Report]:
    """The Keras model to export and the validated spec it is (imported back for a ``.keras`` file or a model)."""
    from graphspec.importer import from_keras

    if isinstance(source, os.PathLike) and os.fspath(source).endswith(".keras"):
        from graphspec.train import load_model

        source = load_model(source, limits=limits, budget=budget)
    if hasattr(source, "predict") and hasattr(source, "inputs"):
        # A trained model of a spec imports to that spec: its names and the id ranges the parity data needs.
        return source, validate(from_keras(source), limits=limits, budget=budget)
    report = validate(source, limits=limits, budget=budget, params=params)
    return build_report(report, compile=False, budget=budget), report


@dataclass
class _Interface:
    """The serving signature: inputs in the model's order, outputs keyed by the spec's names.

    ``structure`` is the model's output structure (a dict, a list or one tensor);
    nested structures flatten to ``a/b`` keys, as a signature's outputs are flat.
    """

    inputs: list[TensorInfo]
    outputs: list[TensorInfo]
    input_structure: Any
    output_keys: list[str]

    @classmethod
    def of(cls, model: Any, batch_size: int | None) -> _Interface:
        import keras

        flat_inputs = keras.tree.flatten(model.input)
        inputs = [TensorInfo(_tensor_name(t), [batch_size, *_dims(t.shape[1:])], _dtype(t.dtype)) for t in flat_inputs]
        keys = _output_keys(model)
        flat_outputs = keras.tree.flatten(model.output)
        outputs = [
            TensorInfo(k, [batch_size, *_dims(t.shape[1:])], _dtype(t.dtype))
            for k, t in zip(keys, flat_outputs, strict=True)
        ]
        return cls(inputs, outputs, model.input, keys)

    def call(self, model: Any, flat: list[Any]) -> dict[str, Any]:
        """Call the model on inputs in signature order; its outputs keyed by name."""
        import keras

        structured = keras.tree.pack_sequence_as(self.input_structure, flat)
        out = model(structured, training=False)
        return dict(zip(self.output_keys, keras.tree.flatten(out), strict=True))

    def predict(self, model: Any, inputs: Mapping[str, Any]) -> dict[str, Any]:
        import numpy as np

        out = self.call(model, [inputs[i.name] for i in self.inputs])
        return {k: np.asarray(v) for k, v in out.items()}

    def tensor_specs(self) -> list[Any]:
        import tensorflow as tf

        return [tf.TensorSpec(i.shape, i.dtype, name=i.name) for i in self.inputs]

    def serving_function(self, model: Any) -> Any:
        """A ``tf.function`` taking the inputs by name and returning a dict keyed by output name."""
        import tensorflow as tf

        def serve(*flat: Any) -> dict[str, Any]:
            return self.call(model, list(flat))

        return tf.function(serve, input_signature=self.tensor_specs())


def _tensor_name(tensor: Any) -> str:
    # A KerasTensor is named after its InputLayer (the spec's input name); TF may append ":0".
    return str(tensor.name).split(":")[0]


def _dims(shape: Any) -> list[int | None]:
    return [None if d is None else int(d) for d in shape]


def _dtype(dtype: Any) -> str:
    return str(getattr(dtype, "name", dtype))


def _output_keys(model: Any) -> list[str]:
    """Output names in the order ``keras.tree.flatten(model.output)`` gives the tensors."""
    import keras

    structure = model.output
    if not isinstance(structure, dict | list | tuple) or (
        isinstance(structure, list | tuple) and not any(isinstance(s, dict | list | tuple) for s in structure)
    ):
        return list(model.output_names)
    return ["/".join(str(p) for p in path) for path, _ in keras.tree.flatten_with_path(structure)]


def _parity_inputs(report: Report, interface: _Interface, n: int, seed: int, max_bytes: int) -> dict[str, Any]:
    """Random inputs as ``--synthetic`` makes them (ids within each Embedding's range,
    unknown lengths chosen to fit)."""
    import numpy as np

    from graphspec.data import synthetic_inputs

    arrays = synthetic_inputs(report, n, seed=seed, max_bytes=max_bytes)
    by_name = {k: np.asarray(v) for k, v in arrays.items()}
    missing = [i.name for i in interface.inputs if i.name not in by_name]
    if missing:
        raise SpecError.single(
            Code.EXPORT_FAILED,
            f"the model's inputs {missing} are not the spec's inputs {sorted(by_name)}",
            ("inputs",),
            "export the model of a spec, or its .keras file",
        )
    return {i.name: by_name[i.name] for i in interface.inputs}


def _compare(
    fmt: str, interface: _Interface, expected: Mapping[str, Any], got: Mapping[str, Any], tol: Tolerance
) -> dict[str, float]:
    """The largest absolute difference per output; raises naming the first output beyond the tolerance."""
    import numpy as np

    keys = [o.name for o in interface.outputs]
    if sorted(got) != sorted(keys):
        raise SpecError.single(
            Code.EXPORT_FAILED,
            f"the {fmt} artefact's signature has outputs {sorted(got)}; the spec's outputs are {sorted(keys)}",
            ("outputs",),
            "this is a converter problem: report it with the spec",
        )
    parity: dict[str, float] = {}
    for key in keys:
        want, have = np.asarray(expected[key]), np.asarray(got[key])
        if want.shape != have.shape:
            raise SpecError.single(
                Code.EXPORT_MISMATCH,
                f"output {key!r} of the {fmt} artefact has shape {have.shape}; Keras gives {want.shape}",
                ("outputs", key),
            )
        if want.dtype.kind not in "fc":
            parity[key] = float(np.max(np.abs(want.astype("float64") - have.astype("float64")), initial=0.0))
            if parity[key] != 0.0:
                raise SpecError.single(
                    Code.EXPORT_MISMATCH,
                    f"output {key!r} of the {fmt} artefact differs from Keras' (integer values)",
                    ("outputs", key),
                )
            continue
        # In the outputs' own precision and in place: an image model's outputs run to 10^8 values.
        diff = np.subtract(want, have, dtype=np.result_type(want, have, np.float32))
        np.abs(diff, out=diff)
        parity[key] = float(
            np.max(diff, where=np.isfinite(diff), initial=0.0)
        )  # non-finite values must match in place (below)
        bound = np.abs(want).astype(diff.dtype)
        bound *= tol.rtol
        bound += tol.atol
        if not np.array_equal(np.isfinite(have), np.isfinite(want)) or bool(np.any(diff > bound)):
            raise SpecError.single(
                Code.EXPORT_MISMATCH,
                f"output {key!r} of the {fmt} artefact differs from Keras' by up to {parity[key]:.3g}, "
                f"over the tolerance (atol {tol.atol:g}, rtol {tol.rtol:g})",
                ("outputs", key),
                "a converter changed the computation; try another format, "
                "or a looser Tolerance if the difference is acceptable",
            )
    return parity


# ---------------------------------------------------------------------------
# formats: each writes its artefact into a staging path and runs it with its serving runtime


class _SavedModel:
    extra: tuple[str, ...] = ()

    def write(self, model: Any, interface: _Interface, staged: Path) -> dict[str, str]:
        import keras
        import tensorflow as tf

        archive = keras.export.ExportArchive()
        archive.track(model)
        archive.add_endpoint(SIGNATURE, interface.serving_function(model))
        _converting("saved_model", lambda: archive.write_out(str(staged), verbose=False))
        return {"tensorflow": tf.__version__}

    def run(self, staged: Path, interface: _Interface, inputs: Mapping[str, Any]) -> dict[str, Any]:
        import tensorflow as tf

        def serve() -> dict[str, Any]:
            signature = tf.saved_model.load(str(staged)).signatures[SIGNATURE]
            _check_names("saved_model", sorted(signature.structured_input_signature[1]), interface)
            out = signature(**{k: tf.constant(v) for k, v in inputs.items()})
            return {k: v.numpy() for k, v in out.items()}

        return _running("saved_model", serve)


class _TFLite:
    extra: tuple[str, ...] = ()

    def write(self, model: Any, interface: _Interface, staged: Path) -> dict[str, str]:
        import tensorflow as tf

        with tempfile.TemporaryDirectory(prefix=".graphspec-export-", dir=staged.parent) as tmp:
            saved = Path(tmp) / "saved_model"
            _SavedModel().write(model, interface, saved)

            def convert() -> bytes:
                converter = tf.lite.TFLiteConverter.from_saved_model(str(saved), signature_keys=[SIGNATURE])
                return bytes(converter.convert())

            staged.write_bytes(_converting("tflite", convert))
        return {"tensorflow": tf.__version__, "interpreter": _tflite_interpreter()[1]}

    def run(self, staged: Path, interface: _Interface, inputs: Mapping[str, Any]) -> dict[str, Any]:
        interpreter_class, _ = _tflite_interpreter()

        def serve() -> dict[str, Any]:
            interpreter = interpreter_class(model_path=str(staged))
            signature = interpreter.get_signature_list()[SIGNATURE]
            _check_names("tflite", sorted(signature["inputs"]), interface)
            runner = interpreter.get_signature_runner(SIGNATURE)
            return dict(runner(**inputs))

        return _running("tflite", serve)


class _ONNX:
    extra = ("tf2onnx", "onnxruntime")

    def write(self, model: Any, interface: _Interface, staged: Path) -> dict[str, str]:
        import onnxruntime
        import tf2onnx

        logging.getLogger("tf2onnx").setLevel(logging.ERROR)

        def convert() -> None:
            tf2onnx.convert.from_function(
                interface.serving_function(model),
                input_signature=interface.tensor_specs(),
                opset=ONNX_OPSET,
                output_path=str(staged),
            )

        _converting("onnx", convert)
        return {"tf2onnx": tf2onnx.__version__, "onnxruntime": onnxruntime.__version__, "opset": str(ONNX_OPSET)}

    def run(self, staged: Path, interface: _Interface, inputs: Mapping[str, Any]) -> dict[str, Any]:
        import onnxruntime

        def serve() -> dict[str, Any]:
            session = onnxruntime.InferenceSession(str(staged), providers=["CPUExecutionProvider"])
            _check_names("onnx", sorted(i.name for i in session.get_inputs()), interface)
            names = [o.name for o in session.get_outputs()]
            return dict(zip(names, session.run(names, dict(inputs)), strict=True))

        return _running("onnx", serve)


_WRITERS: dict[str, Any] = {"saved_model": _SavedModel(), "tflite": _TFLite(), "onnx": _ONNX()}


_TENSOR_LIST = re.compile(r"([A-Za-z0-9_.\-]+)/TensorArray")


def _tensor_list_refusal(fmt: str, exc: SpecError, interface: _Interface, nodes: set[str]) -> SpecError | None:
    """TFLite's refusal of a recurrent loop over a dynamic batch,
    said plainly (the converter speaks in MLIR locations)."""
    message = exc.errors[0].message if exc.errors else ""
    if fmt != "tflite" or "TensorList" not in message or interface.inputs[0].shape[0] is not None:
        return None
    layer = None
    for scope in _TENSOR_LIST.findall(message):
        # TensorFlow's name scope is the layer's name, made unique with a `_1` suffix.
        candidates = [node_name(scope), node_name(re.sub(r"_\d+$", "", scope))]
        layer = next((c for c in candidates if c in nodes), None)
        if layer:
            break
    where = f"the recurrent layer {layer!r}" if layer else "a recurrent layer"
    return SpecError.single(
        Code.EXPORT_FAILED,
        f"TFLite cannot carry {where} with a dynamic batch dimension: "
        "its converter lowers the loop only for a fixed batch size",
        ("nodes", layer) if layer else (),
        "give --batch-size N (batch_size=N in Python; TFLite models usually serve batch 1), "
        "or export to saved_model or onnx",
    )


def _tflite_interpreter() -> tuple[Any, str]:
    """LiteRT's interpreter where installed (TensorFlow's own is deprecated since 2.20), else TensorFlow's."""
    with contextlib.suppress(ImportError):
        from ai_edge_litert import interpreter as litert

        return litert.Interpreter, "ai_edge_litert"
    import tensorflow as tf

    return tf.lite.Interpreter, "tensorflow.lite"


def _check_names(fmt: str, names: list[str], interface: _Interface) -> None:
    want = sorted(i.name for i in interface.inputs)
    if names != want:
        message = f"the {fmt} artefact's signature takes inputs {names}; the spec's inputs are {want}"
        raise SpecError.single(
            Code.EXPORT_FAILED, message, ("inputs",), "this is a converter problem: report it with the spec"
        )


def _converting(fmt: str, fn: Callable[[], T]) -> T:
    with _native_stderr_captured():
        return _guarded(fmt, "convert the model", fn)


@contextlib.contextmanager
def _native_stderr_captured() -> Iterator[None]:
    """Keep the converters' native logging (MLIR locations, absl lines) off the terminal.

    Their failures reach the user as a SpecError with the converter's own message;
    what they print to file descriptor 2 on the way is diagnostics for their developers.
    """
    import sys

    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with tempfile.TemporaryFile() as sink:
            os.dup2(sink.fileno(), 2)
            try:
                yield
            finally:
                sys.stderr.flush()
                os.dup2(saved, 2)
    finally:
        os.close(saved)


def _running(fmt: str, fn: Callable[[], T]) -> T:
    with _native_stderr_captured():  # LiteRT announces its XNNPACK delegate on every load
        return _guarded(fmt, "run the exported model", fn)


def _guarded(fmt: str, doing: str, fn: Callable[[], T]) -> T:
    from graphspec._util.keras import reason

    try:
        return fn()
    except SpecError:
        raise
    except Exception as exc:
        hint = {
            "tflite": "TFLite has no kernel for some operation of this model; SavedModel or ONNX may carry it",
            "onnx": "the ONNX converter has no mapping for some operation of this model; SavedModel may carry it",
        }.get(fmt, "this is a converter problem: report it with the spec")
        raise SpecError.single(Code.EXPORT_FAILED, f"cannot {doing} as {fmt}: {reason(exc)}", (), hint) from None


def _require_extra(fmt: str) -> None:
    missing = [name for name in _WRITERS[fmt].extra if importlib.util.find_spec(name) is None]
    if missing:
        raise SpecError.single(
            Code.MISSING_EXTRA,
            f"exporting to {fmt} needs {', '.join(missing)}, "
            f"which {'is' if len(missing) == 1 else 'are'} not installed",
            (),
            "pip install 'graphspec[onnx]'",
        )


# ---------------------------------------------------------------------------
# the target: staged beside it, renamed into place whole


def _manifest_path(target: Path, fmt: str) -> Path:
    return target / MANIFEST_NAME if fmt == "saved_model" else target.with_name(target.name + ".manifest.json")


def _check_target(target: Path, fmt: str) -> None:
    if not target.parent.is_dir():
        raise SpecError.single(
            Code.IO_ERROR,
            f"cannot write {os.fspath(target)!r}: its folder does not exist",
            (),
            "create the folder first",
        )
    if fmt == "saved_model" and target.exists() and not (target.is_dir() and (target / "saved_model.pb").exists()):
        raise SpecError.single(
            Code.IO_ERROR,
            f"{os.fspath(target)!r} exists and is not a SavedModel folder; it is left alone",
            (),
            "choose a new folder",
        )
    if fmt != "saved_model" and target.is_dir():
        raise SpecError.single(
            Code.IO_ERROR, f"{os.fspath(target)!r} is a folder", (), f"give a file name ending in .{fmt}"
        )


@contextlib.contextmanager
def _staging(target: Path) -> Iterator[Path]:
    """A path beside ``target`` to write into; on success it replaces ``target`` (and its manifest),
    on failure it is removed."""
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    staged = tmp / target.name
    try:
        yield staged
        _put_in_place(staged, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _put_in_place(staged: Path, target: Path) -> None:
    if staged.is_dir():
        old = None
        if target.exists():
            old = target.with_name(f".{target.name}.old-{os.getpid()}")
            os.replace(target, old)
        try:
            os.replace(staged, target)
        except BaseException:
            if old is not None:
                os.replace(old, target)
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        return
    manifest = staged.with_name(staged.name + ".manifest.json")
    final_manifest = target.with_name(target.name + ".manifest.json")
    final_manifest.unlink(missing_ok=True)  # never a manifest describing another artefact
    os.replace(staged, target)
    os.replace(manifest, final_manifest)


def _write_manifest(staged: Path, result: ExportResult, report: Report) -> None:
    from graphspec._version import __version__

    data = {
        "graphspec": __version__,
        "format": result.format,
        "signature": SIGNATURE,
        "model": report.spec.name,
        "spec_hash": result.spec_hash,
        "inputs": [asdict(i) for i in result.inputs],
        "outputs": [asdict(o) for o in result.outputs],
        "parity": {
            "samples": result.samples,
            "tolerance": asdict(result.tolerance),
            "max_abs_diff": result.parity,
        },
        "runtime": result.runtime,
    }
    text = json.dumps(data, indent=2) + "\n"
    where = (
        staged / MANIFEST_NAME if result.format == "saved_model" else staged.with_name(staged.name + ".manifest.json")
    )
    write_text_atomically(where, text)
