"""data: .npz loading and checks against a spec's inputs and outputs, synthetic data (no TensorFlow)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import graphspec
from graphspec import SpecError
from graphspec.data import (
    ArraySpec,
    check_arrays,
    expected_arrays,
    load_npz,
    save_npz,
    split_arrays,
    synthetic_arrays,
    target_kind,
)
from graphspec.errors import format_path

QA = Path("specs/seed/multi_input_qa.yaml")


def test_expected_arrays_of_the_qa_model() -> None:
    assert expected_arrays(graphspec.validate(QA)) == [
        ArraySpec("text", "input", (None,), "int32", ("inputs", "text")),
        ArraySpec("question", "input", (None,), "int32", ("inputs", "question")),
        ArraySpec("answer", "output", (500,), None, ("outputs", "answer")),
    ]


def test_every_problem_is_named_with_shape_and_dtype() -> None:
    report = graphspec.validate(QA)
    arrays = {"text": np.zeros((4, 7), "float32"), "question": np.zeros((5, 7), "int64"), "extra": np.zeros(4)}
    diags = check_arrays(arrays, expected_arrays(report), source="d.npz")
    assert [(d.code.value, format_path(d.path), d.message) for d in diags] == [
        (
            "array-mismatch",
            "inputs.text",
            "array 'text' in d.npz has shape (4, 7) and dtype float32; the input expects (N, None) of int32",
        ),
        (
            "missing-array",
            "outputs.answer",
            "d.npz has no array 'answer' for the output (it has a loss); expected (N, 500)",
        ),
        ("unexpected-array", "", "d.npz has an array 'extra', which is no input or output with a loss"),
        ("array-mismatch", "", "arrays in d.npz hold different numbers of samples (text: 4, question: 5)"),
    ]


def test_sparse_labels_take_class_ids_and_predict_needs_no_targets() -> None:
    want = ArraySpec("y", "output", (10,), None, ("outputs", "y"), "sparse")
    assert check_arrays({"y": np.zeros(3, "int32")}, [want]) == []
    assert check_arrays({"y": np.zeros((3, 1), "int32")}, [want]) == []
    [d] = check_arrays({"y": np.zeros((3, 10), "int32")}, [want])
    assert "integer class ids (N)" in d.message
    x, y = split_arrays(
        {"x": np.ones((2, 3)), "y": np.ones((2, 1))},
        [ArraySpec("x", "input", (3,), "float32", ()), want],
        targets=False,
    )
    assert list(x) == ["x"] and y == {}


def test_load_npz_refuses_object_arrays_and_reports_bad_files(tmp_path: Path) -> None:
    np.savez(tmp_path / "obj.npz", x=np.array([{"a": 1}], dtype=object))
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    for name, fragment in (("obj.npz", "object array"), ("junk.npz", "cannot read"), ("missing.npz", "cannot read")):
        with pytest.raises(SpecError) as exc:
            load_npz(tmp_path / name)
        assert exc.value.codes == ["bad-data-file"]
        assert fragment in exc.value.diagnostics[0].message


def test_save_npz_round_trips_atomically(tmp_path: Path) -> None:
    save_npz({"a": np.arange(3)}, tmp_path / "p.npz")
    assert list(load_npz(tmp_path / "p.npz")) == ["a"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.npz"]


def test_synthetic_data_fits_embeddings_losses_and_shapes() -> None:
    report = graphspec.validate(Path("specs/seed/multi_output.yaml"))
    arrays = synthetic_arrays(report, 6, seed=3)
    assert arrays["posts"].dtype == np.int32 and arrays["posts"].max() < 50_000
    assert (
        arrays["posts"].shape[1] == 1024
    )  # the first length at which the Conv1D/pooling stack leaves a positive length
    assert arrays["income"].sum(axis=1).tolist() == [1.0] * 6  # one-hot for categorical_crossentropy
    assert set(np.unique(arrays["gender"])) <= {0.0, 1.0}
    assert check_arrays(arrays, expected_arrays(report)) == []
    again = synthetic_arrays(report, 6, seed=3)
    assert all(np.array_equal(arrays[k], again[k]) for k in arrays)


def test_target_kind_by_loss_name_or_class() -> None:
    assert [
        target_kind(x)
        for x in (
            "categorical_crossentropy",
            {"class_name": "SparseCategoricalCrossentropy"},
            "binary_crossentropy",
            "mse",
        )
    ] == ["onehot", "sparse", "binary", "float"]


def test_data_checks_never_import_tensorflow(tmp_path: Path) -> None:
    code = (
        "import pathlib, sys, numpy as np\n"
        "import graphspec\n"
        "from graphspec import data\n"
        f"r = graphspec.validate(pathlib.Path({str(QA)!r}))\n"
        "data.split_arrays(data.synthetic_arrays(r, 4), data.expected_arrays(r))\n"
        "for call in (graphspec.evaluate, graphspec.predict):  # a spec's bad data is refused "
        "before its model is built\n"
        "    try:\n"
        f"        call(pathlib.Path({str(QA)!r}), {{'text': np.zeros((2, 5), 'int32')}})\n"
        "    except graphspec.SpecError as e:\n"
        "        assert set(e.codes) == {'missing-array'}, e.codes\n"
        "    else:\n"
        "        raise AssertionError('no error')\n"
        "assert not [m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras', 'matplotlib')]\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_load_npz_reports_a_single_array_file(tmp_path: Path) -> None:
    # numpy.save writes a bare .npy; np.load returns an array, not named arrays.
    with open(tmp_path / "single.npz", "wb") as handle:
        np.save(handle, np.zeros(3))
    with pytest.raises(SpecError) as exc:
        load_npz(tmp_path / "single.npz")
    assert exc.value.codes == ["bad-data-file"]
    assert "single array" in exc.value.diagnostics[0].message


def test_arrays_of_no_samples_are_refused() -> None:
    want = [
        ArraySpec("x", "input", (4,), "float32", ("inputs", "x")),
        ArraySpec("y", "output", (3,), None, ("outputs", "y")),
    ]
    diags = check_arrays({"x": np.zeros((0, 4), "float32"), "y": np.zeros((0, 3), "float32")}, want, source="d.npz")
    assert [(d.code.value, d.message) for d in diags] == [("array-mismatch", "arrays in d.npz hold no samples")]
    assert check_arrays({"x": np.zeros((0, 4), "float32")}, want, targets=False) != []


@pytest.mark.parametrize("n", [0, -3])
def test_synthetic_data_needs_a_positive_count(n: int) -> None:
    with pytest.raises(SpecError) as exc:
        synthetic_arrays(graphspec.validate(QA), n)
    assert exc.value.codes == ["bad-value"]
    assert f"got {n}" in exc.value.diagnostics[0].message
