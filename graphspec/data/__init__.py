"""Training data for a spec: ``.npz`` files checked against its inputs and outputs, and synthetic data.

NumPy only, no TensorFlow: a wrong array is reported (named, with its shape and
dtype and what was expected) before training imports Keras, and ``--synthetic N``
makes every spec trainable on the spot. Arrays are keyed by the spec's input and
output names, as Keras' ``fit`` takes them.

``.npz`` files may come from strangers: they are read with ``allow_pickle=False``,
so an object array (which would unpickle code) is refused, not loaded.
"""

from __future__ import annotations

import math
import os
import zipfile
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from graphspec.errors import Code, Diagnostic, Path, SpecError
from graphspec.lint import values as lint_values
from graphspec.source.limits import Limits, check_archive, open_archive

__all__ = [
    "ArraySpec",
    "check_arrays",
    "checked_data",
    "expected_arrays",
    "load_npz",
    "model_arrays",
    "save_npz",
    "split_arrays",
    "synthetic_arrays",
    "synthetic_inputs",
    "target_kind",
]

Shape = tuple[int | None, ...]

# What each loss wants as targets, by normalised name (lower case, no '_'):
# one-hot rows, integer class ids, 0/1 values; any other loss takes real numbers.
_LOSS_TARGETS = {
    "categoricalcrossentropy": "onehot",
    "categoricalfocalcrossentropy": "onehot",
    "categoricalhinge": "onehot",
    "kldivergence": "onehot",
    "kld": "onehot",
    "sparsecategoricalcrossentropy": "sparse",
    "binarycrossentropy": "binary",
    "binaryfocalcrossentropy": "binary",
    "hinge": "binary",
    "squaredhinge": "binary",
}

# dtype kinds (numpy's one-letter codes) an array may have for each declared dtype family.
_KINDS = {"float": "fiub", "int": "iu", "uint": "iu", "bool": "b", "string": "US", "complex": "cfiu"}
_TARGET_KINDS = "fiub"

# Unknown (None) dims of synthetic inputs: the first length at which every output's shape is known and valid.
_LENGTHS = (16, 64, 256, 1024)
_SMALL_IDS = 10  # id range of integer inputs that feed no Embedding


@dataclass(frozen=True)
class ArraySpec:
    """An array the model takes: its name, role and expected per-sample shape and dtype.

    ``shape`` leaves out the batch dimension (``None`` where unknown; the whole
    shape ``None`` if even the rank is unknown). ``labels`` says how a target is
    written: ``"sparse"`` (integer class ids, one dim less), ``"dense"``, or
    ``"any"`` (either) when the loss is not known.
    """

    name: str
    role: str
    shape: Shape | None
    dtype: str | None
    path: Path
    labels: str = "dense"
    lint: Any = field(
        default=None, compare=False
    )  # what graphspec.lint expects of the values (label range, ...), checked by check_arrays


def target_kind(loss: Any) -> str:
    """``onehot``, ``sparse``, ``binary`` or ``float``: what targets the loss wants.

    ``loss`` is a name, ``{class_name: ...}``, or (from a Keras model) a loss object or function.
    """
    if isinstance(loss, Mapping):
        name = loss.get("class_name")
    elif isinstance(loss, str):
        name = loss
    else:
        name = getattr(loss, "__name__", None) or type(loss).__name__
    key = str(name).lower().replace("_", "")
    return _LOSS_TARGETS.get(key, "float")


def _labels(loss: Any) -> str:
    return "sparse" if target_kind(loss) == "sparse" else "dense"


def expected_arrays(report: Any) -> list[ArraySpec]:
    """The inputs, and the outputs that have a loss, of a validated spec (``graphspec.Report``)."""
    spec = report.spec
    out = [ArraySpec(name, "input", tuple(inp.shape), inp.dtype, ("inputs", name)) for name, inp in spec.inputs.items()]
    for name, output in spec.outputs.items():
        if output.loss is None:
            continue
        info = report.inference.outputs.get(name)
        shape = None if info is None or info.shape is None else tuple(info.shape[1:])
        out.append(ArraySpec(name, "output", shape, None, ("outputs", name), _labels(output.loss)))
    return lint_values.expect(report, out)


def model_arrays(model: Any) -> list[ArraySpec]:
    """The inputs, and the outputs that have a loss, of a Keras model (one built, or loaded from a ``.keras`` file).

    The counterpart of :func:`expected_arrays` for a model without its spec: the
    compiled losses (which a ``.keras`` file keeps) say which outputs take targets and
    in which form; a model compiled without losses takes targets of either form.
    """
    out = [ArraySpec(t.name, "input", tuple(t.shape[1:]), str(t.dtype), ("inputs", t.name)) for t in model.inputs]
    losses = _output_losses(model)
    for name, t in zip(model.output_names, model.outputs, strict=True):
        if losses and losses.get(name) is None:
            continue  # compiled without a loss for this output: no targets for it
        labels = _labels(losses[name]) if losses else "any"
        out.append(ArraySpec(name, "output", tuple(t.shape[1:]), None, ("outputs", name), labels))
    return out


def _output_losses(model: Any) -> dict[str, Any]:
    """A compiled model's loss per output name (``{}`` when it has none), from ``model.loss`` in any of Keras' forms."""
    loss = getattr(model, "loss", None)
    names = list(model.output_names)
    if loss is None:
        return {}
    if isinstance(loss, Mapping):
        return dict(loss)
    if isinstance(loss, list | tuple):
        return dict(zip(names, loss, strict=False))
    return dict.fromkeys(names, loss)


def load_npz(path: str | os.PathLike[str], limits: Limits = Limits()) -> dict[str, np.ndarray]:
    """Read every array of an ``.npz`` file within the read limits, refusing pickled objects.

    Nothing is allocated on the archive's word: the zip directory is bounded,
    every member's declared size, their sum (``limits.max_data_bytes``) and
    compression ratio (``limits.max_ratio``) are checked, and each ``.npy``
    header's shape × dtype must be exactly the bytes its member holds (a
    450-byte file whose header declares 10**10 floats is refused, not allocated).

    Raises:
        SpecError: ``bad-data-file`` if the file is missing, not an ``.npz``
            archive, past a read limit, lies about an array's size, or holds an
            object array.
    """
    where = os.fspath(path)
    hint = "save it with numpy.savez"
    try:
        with open_archive(path, limits.max_data_bytes, what="data file", code=Code.BAD_DATA_FILE, hint=hint) as archive:
            members = check_archive(archive, limits, what="data file", code=Code.BAD_DATA_FILE)
            return {info.filename.removesuffix(".npy"): _read_member(archive, info, where) for info in members}
    except SpecError as exc:
        first = exc.diagnostics[0]
        if first.code is Code.IO_ERROR:
            raise _bad_file(where, first.message, "give an existing .npz file") from None
        if "no end record" in first.message and _is_npy(where):
            raise _bad_file(
                where,
                "it holds a single array, not named arrays",
                "save with numpy.savez(path, text=..., question=..., answer=...)",
            ) from None
        raise


def _is_npy(where: str) -> bool:
    with open(where, "rb") as handle:
        return handle.read(6) == b"\x93NUMPY"


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, where: str) -> np.ndarray:
    """One ``.npy`` member: its header checked against the member's size before its array is allocated."""
    member = info.filename
    if not member.endswith(".npy"):
        raise _bad_file(where, f"member {member!r} is not a .npy array", "save it with numpy.savez")
    fmt = np.lib.format
    try:
        with archive.open(info) as fp:
            version = fmt.read_magic(fp)
            read_header = fmt.read_array_header_1_0 if version == (1, 0) else fmt.read_array_header_2_0
            shape, _, dtype = read_header(fp)
            header = fp.tell()
        if dtype.hasobject:
            raise _bad_file(
                where,
                f"array {member!r} is an object array, which would need unpickling (code)",
                "save plain numeric or string arrays",
            )
        declared = math.prod(shape) * dtype.itemsize
        if declared != info.file_size - header:
            reason = (
                f"array {member!r} declares shape {tuple(shape)} of {dtype} ({declared:,} bytes), "
                f"but its member holds {info.file_size - header:,}"
            )
            raise _bad_file(where, reason, "save it with numpy.savez; the file is corrupt or forged")
        with archive.open(info) as fp:
            return fmt.read_array(fp, allow_pickle=False)
    except SpecError:
        raise
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error, NotImplementedError) as exc:
        raise _bad_file(where, f"array {member!r}: {exc}", "save it with numpy.savez") from None


def _bad_file(where: str, reason: str, hint: str) -> SpecError:
    return SpecError(
        [Diagnostic(Code.BAD_DATA_FILE, f"cannot read data file {where!r}: {reason}", (), hint, file=where)]
    )


def save_npz(arrays: Mapping[str, np.ndarray], path: str | os.PathLike[str]) -> None:
    """Write arrays to ``path`` atomically (a temporary file beside it, then renamed)."""
    from graphspec._util.files import replace_atomically

    replace_atomically(path, lambda tmp: np.savez(tmp, **dict(arrays)), suffix=".npz")  # type: ignore[arg-type]


def _describe(shape: Shape | None, dtype: str | None) -> str:
    dims = "?" if shape is None else ", ".join(["N", *("None" if d is None else str(d) for d in shape)])
    return f"({dims})" + (f" of {dtype}" if dtype else "")


def _family(dtype: str) -> str:
    for family in ("uint", "int", "float", "bool", "string", "complex"):
        if dtype.startswith(family) or (family == "float" and dtype == "bfloat16"):
            return family
    return "float"


def _shape_fits(actual: tuple[int, ...], expected: Shape) -> bool:
    return len(actual) == len(expected) and all(e is None or a == e for a, e in zip(actual, expected, strict=True))


def _fits(array: np.ndarray, want: ArraySpec) -> bool:
    kinds = _KINDS[_family(want.dtype)] if want.dtype else _TARGET_KINDS
    if array.dtype.kind not in kinds or array.ndim == 0:
        return False
    if want.shape is None:
        return True
    sample = tuple(array.shape[1:])
    shapes: list[Shape] = []
    if want.labels in ("dense", "any"):
        shapes.append(want.shape)
    if want.labels in ("sparse", "any") and want.shape:
        shapes += [want.shape[:-1], (*want.shape[:-1], 1)]
    return any(_shape_fits(sample, s) for s in shapes)


def _expects(want: ArraySpec) -> str:
    text = _describe(want.shape, want.dtype)
    if want.labels == "sparse" and want.shape:
        text = f"integer class ids {_describe(want.shape[:-1], None)}"
    return text


def check_arrays(
    arrays: Mapping[str, Any], expected: Iterable[ArraySpec], *, source: str = "data", targets: bool = True
) -> list[Diagnostic]:
    """Every problem with ``arrays`` as data for the ``expected`` inputs and outputs.

    Missing and unexpected names, dtype kinds and shapes that cannot feed their
    input or output, and unequal or zero sample counts. With ``targets=False`` (predict)
    outputs are not needed, and arrays named after them are ignored.
    """
    wanted = [w for w in expected if targets or w.role == "input"]
    names = {w.name for w in expected}
    diags: list[Diagnostic] = []
    for want in wanted:
        if want.name not in arrays:
            what = "input" if want.role == "input" else "output (it has a loss)"
            diags.append(
                Diagnostic(
                    Code.MISSING_ARRAY,
                    f"{source} has no array {want.name!r} for the {what}; expected {_expects(want)}",
                    want.path,
                    f"add `{want.name}` to the data",
                )
            )
            continue
        array = np.asarray(arrays[want.name])
        if not _fits(array, want):
            message = (
                f"array {want.name!r} in {source} has shape {tuple(array.shape)} and dtype {array.dtype}; "
                f"the {want.role} expects {_expects(want)}"
            )
            diags.append(
                Diagnostic(
                    Code.ARRAY_MISMATCH, message, want.path, "N, the number of samples, comes first; None is any size"
                )
            )
    for key in arrays:
        if key not in names:
            options = ", ".join(sorted(w.name for w in wanted))
            diags.append(
                Diagnostic(
                    Code.UNEXPECTED_ARRAY,
                    f"{source} has an array {key!r}, which is no input or output with a loss",
                    (),
                    f"arrays are keyed by name: {options}",
                )
            )
    counts = {k: len(np.asarray(arrays[k])) for k in (w.name for w in wanted) if k in arrays and np.ndim(arrays[k]) > 0}
    if len(set(counts.values())) > 1:
        listed = ", ".join(f"{k}: {n}" for k, n in counts.items())
        diags.append(
            Diagnostic(
                Code.ARRAY_MISMATCH,
                f"arrays in {source} hold different numbers of samples ({listed})",
                (),
                "every array's first dimension counts the same samples",
            )
        )
    elif 0 in counts.values():  # Keras would "train" on nothing, evaluate to no results, and fail inside predict
        diags.append(
            Diagnostic(
                Code.ARRAY_MISMATCH,
                f"arrays in {source} hold no samples",
                (),
                "give at least one sample: N, the first dimension, must be 1 or more",
            )
        )
    return lint_values.refine(diags, arrays, wanted)  # the lint data rules: label ranges, encodings, NaN, ...


def split_arrays(
    arrays: Mapping[str, Any], expected: Iterable[ArraySpec], *, source: str = "data", targets: bool = True
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Check ``arrays`` (see :func:`check_arrays`) and split them into inputs and targets.

    Raises:
        SpecError: with every problem found.
    """
    expected = list(expected)
    diags = check_arrays(arrays, expected, source=source, targets=targets)
    if diags:
        raise SpecError(diags)
    x = {w.name: np.asarray(arrays[w.name]) for w in expected if w.role == "input"}
    y = {w.name: np.asarray(arrays[w.name]) for w in expected if w.role == "output" and targets}
    return x, y


def checked_data(
    source: Mapping[str, Any] | os.PathLike[str],
    expected: Iterable[ArraySpec],
    *,
    targets: bool,
    where: Any = None,
    limits: Limits = Limits(),
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Arrays from an ``.npz`` file or a mapping, checked against ``expected`` and split into inputs and targets.

    The one check of ``fit``, ``evaluate`` and ``predict``, for a spec and a Keras
    model alike. A problem with an array is placed where its input or output is
    declared: in the spec (``where`` its :class:`~graphspec.source.Document`), or in
    the model file ``where`` names; a problem with the data as a whole (an extra
    array, unequal sample counts) names the data file.

    An ``.npz`` file is read within ``limits`` (see :func:`load_npz`).

    Raises:
        SpecError: ``bad-data-file`` for an unreadable file, one past the read
            limits, or a ``str`` (a path is a path object), or every problem with the arrays.
    """
    if isinstance(source, str | bytes):  # a path is an os.PathLike, as everywhere in the API
        shown = repr(source[:60])
        raise SpecError.single(
            Code.BAD_DATA_FILE,
            f"data is a mapping of arrays or a path object, not the {type(source).__name__} {shown}",
            (),
            "pass pathlib.Path(...) for an .npz file",
        )
    name = "the data" if isinstance(source, Mapping) else os.fspath(source)
    arrays = source if isinstance(source, Mapping) else load_npz(source, limits)
    try:
        return split_arrays(arrays, expected, source=name, targets=targets)
    except SpecError as exc:
        data_file = None if isinstance(source, Mapping) else name
        raise SpecError([_placed(d, where, data_file) for d in exc.diagnostics]) from None


def _placed(d: Diagnostic, where: Any, data_file: str | None) -> Diagnostic:
    from graphspec.source import Document, locate

    if not d.path:
        return d.located(data_file, None, None, None) if data_file else d
    if isinstance(where, Document):
        return locate([d], where)[0]
    return d.located(where, None, None, None) if isinstance(where, str) else d


def synthetic_arrays(
    report: Any, n: int, seed: int = 0, *, max_bytes: int = Limits().max_data_bytes
) -> dict[str, np.ndarray]:
    """Random data shaped like a validated spec's inputs and its outputs with a loss.

    Integer inputs that feed an ``Embedding`` get ids in ``[0, input_dim)``; other
    integer inputs small ids; float inputs standard normal values. Unknown
    (``None``) dims get the first of 16, 64, 256, 1024 at which every output's
    shape is known and valid. Targets follow each output's loss: one-hot rows,
    integer class ids, 0/1 values or real numbers.

    The memory it takes (every array, and the largest temporary one generating
    needs) is computed before anything is allocated and must stay within
    ``max_bytes`` (``Limits.max_data_bytes``, 4 GiB by default).

    Raises:
        SpecError: ``bad-value`` if ``n`` is under 1, an input is a string, an
            output's shape cannot be known without building the model, or the
            data would take more than ``max_bytes``.
    """
    if n < 1:
        raise SpecError.single(
            Code.BAD_VALUE,
            f"the number of synthetic samples must be 1 or more; got {n}",
            (),
            "--synthetic N with N >= 1",
        )
    report = _concrete(report)
    plan = _synthetic_plan(report, n)
    _check_synthetic_size(plan, n, max_bytes)
    rng = np.random.default_rng(seed)
    out: dict[str, np.ndarray] = {}
    for item in plan:
        if item.role == "input":
            out[item.name] = _random_input(rng, report, item.name, item.shape, item.dtype)
        else:
            out[item.name] = lint_values.within_reach(item.want, _random_target(rng, item.shape, item.kind))
    return out


@dataclass(frozen=True)
class _Planned:
    """One synthetic array to make: its full shape (samples first), dtype, and target kind."""

    name: str
    role: str
    shape: tuple[int, ...]
    dtype: str
    kind: str
    path: Path
    want: Any = field(default=None, compare=False)  # an output's ArraySpec: its lint expectation keeps targets in reach

    def nbytes(self) -> int:
        # Class ids drop the class axis: (N, ..., classes) is written (N, ...).
        shape = self.shape[:-1] if self.kind == "sparse" else self.shape
        return math.prod(shape) * np.dtype(self.dtype).itemsize

    def scratch(self) -> int:
        """Bytes of the temporary NumPy makes first: int64 ids or float64 values,
        one per element (one per row for one-hot)."""
        return math.prod(self.shape[:-1] if self.kind == "onehot" else self.shape) * 8


def _input_plan(report: Any, n: int) -> list[_Planned]:
    plan: list[_Planned] = []
    for name, inp in report.spec.inputs.items():
        if _family(inp.dtype) == "string":
            raise SpecError.single(
                Code.BAD_VALUE,
                f"cannot make synthetic data for string input {name!r}",
                ("inputs", name, "dtype"),
                "give --data",
            )
        plan.append(
            _Planned(
                name,
                "input",
                (n, *inp.shape),
                "float32" if inp.dtype == "bfloat16" else inp.dtype,
                "input",
                ("inputs", name),
            )
        )
    return plan


def _synthetic_plan(report: Any, n: int) -> list[_Planned]:
    plan = _input_plan(report, n)
    for want in expected_arrays(report):
        if want.role == "output":
            if want.shape is None or None in want.shape:
                raise SpecError.single(
                    Code.BAD_VALUE,
                    f"cannot make synthetic targets for output {want.name!r}: its shape is not known before building",
                    want.path,
                    "give --data",
                )
            kind = target_kind(report.spec.outputs[want.name].loss)
            plan.append(
                _Planned(
                    want.name,
                    "output",
                    (n, *want.shape),  # type: ignore[arg-type]
                    "int32" if kind == "sparse" else "float32",
                    kind,
                    want.path,
                    want,
                )
            )
    return plan


def _check_synthetic_size(plan: list[_Planned], n: int, max_bytes: int) -> None:
    """Refuse, before allocating, synthetic data past the memory budget (a 10**6-class one-hot target,
    10**10 floats a sample)."""
    total = sum(item.nbytes() for item in plan) + max((item.scratch() for item in plan), default=0)
    if total <= max_bytes:
        return
    biggest = max(plan, key=lambda item: item.nbytes())
    per_sample = biggest.nbytes() // n
    message = (
        f"{n:,} synthetic samples would take {total:,} bytes, over the limit of {max_bytes:,}; "
        f"the largest array, {biggest.name!r} of shape {biggest.shape}, takes {per_sample:,} bytes a sample"
    )
    raise SpecError.single(
        Code.BAD_VALUE,
        message,
        biggest.path,
        "use fewer samples (--synthetic N), give --data, or raise Limits(max_data_bytes=...)",
    )


def _concrete(report: Any) -> Any:
    """The report of the spec with every unknown input dim fixed, the first length that works."""
    from graphspec.pipeline import validate

    spec = report.spec
    if all(d is not None for inp in spec.inputs.values() for d in inp.shape):
        return report
    for length in _LENGTHS:
        inputs = {
            k: v.model_copy(update={"shape": [length if d is None else d for d in v.shape]})
            for k, v in spec.inputs.items()
        }
        try:
            fixed = validate(spec.model_copy(update={"inputs": inputs}))
        except SpecError:
            continue
        shapes = [fixed.inference.outputs[w.name].shape for w in expected_arrays(fixed) if w.role == "output"]
        if all(s is not None and all(d is None or d > 0 for d in s[1:]) for s in shapes):
            return fixed
    raise SpecError.single(
        Code.BAD_VALUE,
        f"no sequence length in {_LENGTHS} gives this model valid output shapes",
        ("inputs",),
        "fix the input shapes in the spec, or give --data",
    )


def _random_input(rng: np.random.Generator, report: Any, name: str, shape: tuple[int, ...], dtype: str) -> np.ndarray:
    family = _family(dtype)
    if family == "bool":
        return rng.integers(0, 2, size=shape).astype(bool)
    if family in ("int", "uint"):
        return rng.integers(0, _id_range(report, name), size=shape).astype(dtype)
    return rng.standard_normal(size=shape).astype(dtype)


def _id_range(report: Any, name: str) -> int:
    """Ids valid for every Embedding the input feeds directly (its ``input_dim``), else a small range."""
    spec, graph = report.spec, report.graph
    dims = []
    for node in graph.dag.successors(name):
        owner = spec.nodes[graph.layer_owner.get(node, node)]
        if owner.layer == "Embedding" and isinstance(owner.args.get("input_dim"), int):
            dims.append(owner.args["input_dim"])
    return min(dims) if dims else _SMALL_IDS


def _random_target(rng: np.random.Generator, shape: tuple[int, ...], kind: str) -> np.ndarray:
    classes = shape[-1] if len(shape) > 1 else 1
    if kind == "onehot":
        # Rows set in place: indexing an identity matrix would take classes² floats (3.6 TiB for 10**6 classes).
        targets = np.zeros(shape, dtype="float32")
        np.put_along_axis(targets, rng.integers(0, classes, size=shape[:-1])[..., None], 1.0, axis=-1)
        return targets
    if kind == "sparse":
        return rng.integers(0, classes, size=shape[:-1]).astype("int32")
    if kind == "binary":
        return rng.integers(0, 2, size=shape).astype("float32")
    return rng.standard_normal(size=shape).astype("float32")


def synthetic_inputs(
    report: Any, n: int, seed: int = 0, *, max_bytes: int = Limits().max_data_bytes
) -> dict[str, np.ndarray]:
    """Random inputs for a validated spec, as :func:`synthetic_arrays` makes them, without targets.

    For feeding a model rather than training it (the parity check of ``graphspec export``):
    outputs without a loss or with a shape known only after building are no obstacle.
    Bounded by ``max_bytes`` as :func:`synthetic_arrays` is, before anything is allocated.

    Raises:
        SpecError: ``bad-value`` if ``n`` is under 1, an input is a string, no
            sequence length fits the model, or the inputs would take more than ``max_bytes``.
    """
    if n < 1:
        raise SpecError.single(
            Code.BAD_VALUE,
            f"the number of synthetic samples must be 1 or more; got {n}",
            (),
            "ask for 1 sample or more",
        )
    report = _concrete(report)
    plan = _input_plan(report, n)
    _check_synthetic_size(plan, n, max_bytes)
    rng = np.random.default_rng(seed)
    return {item.name: _random_input(rng, report, item.name, item.shape, item.dtype) for item in plan}
