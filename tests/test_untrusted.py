"""Untrusted input (issue 19): each class of attack on the Security promises, as a stranger's input meets it.

Classes: text read as a path; tracebacks instead of SpecError; expansion that
multiplies what it was given; expression bombs; counts of training objects;
training data; model files and diff. (Callback paths and writes are in
test_files.py and test_train.py, read limits in test_limits.py.)
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import resource
import subprocess
import sys
import textwrap
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import graphspec
from graphspec.cli import main

ROOT = Path(__file__).resolve().parents[1]
BASE = "graphspec: 1\ninputs: {x: {shape: [4]}}\n"


def errors_of(fn: Callable[[], object]) -> graphspec.SpecError:
    with pytest.raises(graphspec.SpecError) as info:
        fn()
    return info.value


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def spec_json(**nodes: Any) -> dict[str, Any]:
    return {"graphspec": 1, "inputs": {"x": {"shape": [4]}}, "nodes": nodes, "outputs": {list(nodes)[-1]: {}}}


def bounded(fn: Callable[[], object], seconds: float) -> float:
    start = time.perf_counter()
    with contextlib.suppress(graphspec.SpecError):
        fn()
    took = time.perf_counter() - start
    assert took < seconds, f"took {took:.1f} s"
    return took


# ---------------------------------------------------------------------------
# A str is text, never a path: no file is read on a stranger's word


@pytest.mark.parametrize("call", [graphspec.load, graphspec.validate, graphspec.expand, graphspec.build])
@pytest.mark.parametrize("text", ["/proc/self/environ", "specs/seed/multi_input_qa.yaml", "/no/such/file.yaml"])
def test_a_str_naming_a_file_is_not_read(call: Callable[..., object], text: str) -> None:
    error = errors_of(lambda: call(text))
    [d] = error.diagnostics
    assert d.code.value == "wrong-type"
    assert d.hint == f"to read a file, pass a path object: pathlib.Path({text!r})"
    # Nothing of any file is echoed, and the wording does not say whether the file exists.
    assert (
        d.message
        == "a str given here is spec text, never a file name, and this one is a single string, not a spec mapping: "
        f"{text!r}"
    )
    assert d.source_line == text


def test_the_same_file_as_a_path_object_is_read() -> None:
    assert graphspec.validate(ROOT / "specs/seed/multi_input_qa.yaml").spec.name == "question_answering"


def test_training_and_import_functions_take_paths_only_as_path_objects(tmp_path: Path) -> None:
    np.savez(tmp_path / "d.npz", x=np.zeros((2, 4), "float32"))
    spec = {**spec_json(y={"layer": "Dense", "inputs": "x", "units": 1}), "outputs": {"y": {"loss": "mse"}}}
    for call in (graphspec.fit, graphspec.evaluate, graphspec.predict):
        error = errors_of(lambda call=call: call(spec, str(tmp_path / "d.npz")))  # type: ignore[misc]
        assert error.codes == ["bad-data-file"] and "pathlib.Path" in (error.diagnostics[0].hint or "")
    error = errors_of(lambda: graphspec.evaluate("/etc/passwd", {"x": np.zeros((2, 4))}))
    assert error.codes == ["wrong-type"]  # spec text: no .keras file is opened for a str
    error = errors_of(lambda: graphspec.from_keras("/etc/passwd"))
    assert error.codes == ["bad-model"] and "pathlib.Path('/etc/passwd')" in (error.diagnostics[0].hint or "")


# ---------------------------------------------------------------------------
# The 18 tracebacks: every string and number is checked where it enters


@pytest.mark.parametrize(
    "text",
    [
        '{"graphspec": 1, "inputs": {"x": {"shape": [4]}}, "nodes": {"d": {"layer": "Dense", "inputs": "x", '
        '"units": 2, "name": "\\ud800"}}, "outputs": {"d": {}}}',
        '{"graphspec": 1, "description": "\\udfff", "inputs": {"x": {"shape": [4]}}, "nodes": {}, "outputs": {}}',
        '{"graphspec": 1, "inputs": {"x\\udc80": {"shape": [4]}}, "nodes": {}, "outputs": {}}',
    ],
)
def test_lone_surrogates_are_refused_where_they_enter(text: str) -> None:
    error = errors_of(lambda: graphspec.expand(text))
    assert error.codes == ["bad-value"]
    assert "lone surrogate" in error.diagnostics[0].message
    error.render().encode("utf-8")  # the report itself is printable
    json.dumps([d.to_dict() for d in error.diagnostics], ensure_ascii=False).encode("utf-8")


def test_lone_surrogates_from_python_are_refused_too() -> None:
    for source in (
        "graphspec: 1\nname: \udcff\n",
        {"graphspec": 1, "inputs": {"\ud800": {"shape": [1]}}},
        {"graphspec": 1, "description": "\ud800"},
    ):
        error = errors_of(lambda source=source: graphspec.validate(source))
        assert {"syntax", "bad-value"} >= set(error.codes)
        error.render().encode("utf-8")


def test_expand_json_and_diff_print_no_surrogate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(
        '{"graphspec": 1, "inputs": {"x": {"shape": [4]}}, "nodes": {"d": {"layer": "Dense", "inputs": "x", '
        '"units": 2, "name": "\\ud800"}}, "outputs": {"d": {}}}'
    )
    assert main(["expand", str(bad), "--format", "json"]) == 1
    assert main(["diff", str(bad), str(ROOT / "specs/seed/functional_mlp.yaml")]) == 2
    captured = capsys.readouterr()
    (captured.out + captured.err).encode("utf-8")
    assert "lone surrogate" in captured.err


def test_file_names_with_undecodable_bytes_print(tmp_path: Path) -> None:
    name = os.fsdecode(b"bad\xff.yaml")  # a lone surrogate in Python
    code = f"import sys; from graphspec.cli import main; sys.exit(main(['validate', {str(tmp_path / name)!r}]))"
    run = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
        timeout=120,
    )
    assert run.returncode == 2, run.stderr
    assert b"Traceback" not in run.stderr and b"\\udcff" in run.stdout + run.stderr


def test_integers_of_thousands_of_digits_as_override_keys_and_references() -> None:
    digits = "9" * 5000
    blocks = {"b": {"nodes": {"d": {"layer": "Dense", "inputs": "x", "units": 4}}, "outputs": "d"}}
    spec = {**spec_json(r={"block": "b", "inputs": "x", "repeat": 2, "override": {digits: {}}}), "blocks": blocks}
    for source in (spec, json.dumps(spec)):
        error = errors_of(lambda source=source: graphspec.validate(source))
        assert error.codes == ["bad-value"] and "names no copy" in error.diagnostics[0].message
    for ref in (f"x:{digits}", f"r:{digits}"):
        source = {
            **spec_json(r={"block": "b", "inputs": "x"}, d={"layer": "Dense", "inputs": ref, "units": 2}),
            "blocks": blocks,
        }
        error = errors_of(lambda source=source: graphspec.validate(source))
        assert [d.code.value for d in error.errors] == ["bad-output-index"]


def test_nul_bytes_in_include_and_model_paths(tmp_path: Path) -> None:
    for text in (
        BASE + 'include: ["a\\0b.yaml"]\nnodes: {d: {layer: Dense, inputs: x, units: 2}}\noutputs: {d: {}}\n',
        BASE + 'nodes: {d: {model: "a\\0b.yaml", inputs: x}}\noutputs: {d: {}}\n',
    ):
        error = errors_of(lambda text=text: graphspec.validate(write(tmp_path, "s.yaml", text)))
        assert error.codes == ["bad-include"] and "NUL byte" in error.diagnostics[0].message
        assert error.diagnostics[0].line == 3


@pytest.mark.parametrize(
    "value",
    [10**400, -(10**5000), float("inf"), "\ud800", "x" * (2 << 20)],
    ids=["1e400", "-1e5000", "inf", "surrogate", "2MiB"],
)
def test_params_from_python_are_held_to_the_rules_of_spec_text(value: object) -> None:
    text = BASE + "params: {w: 1.0, s: abc}\nnodes:\n  d: {layer: Dense, inputs: x, units: 2}\noutputs: {d: {}}\n"
    name = "s" if isinstance(value, str) else "w"
    error = errors_of(lambda: graphspec.validate(text, params={name: value}))
    assert error.codes == ["bad-value"], error.render()
    assert error.diagnostics[0].line == 3
    error.render().encode("utf-8")


def test_params_with_unprintable_names_are_reported() -> None:
    error = errors_of(
        lambda: graphspec.validate(
            BASE + "params: {w: 1}\nnodes: {d: {layer: Dense, inputs: x, units: 2}}\noutputs: {d: {}}\n",
            params={10**5000: 1},
        )
    )
    assert error.codes == ["unknown-param"] and "5,001 digits" in error.diagnostics[0].message


def test_deep_json_with_escaped_brackets_is_located() -> None:
    text = '{"graphspec": 1, "a": "\\"[[[[", "b": ' + "[" * 100 + "]" * 100 + "}"
    [d] = errors_of(lambda: graphspec.validate(text)).diagnostics
    assert (d.code.value, d.line, d.column) == ("too-deep", 1, text.index("[" * 63) + 64)


def test_a_spec_that_is_not_utf8_is_invalid_not_unreadable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"graphspec: 1\nname: caf\xe9\n")
    assert main(["validate", str(bad)]) == 1
    assert f"{bad}:2:10: error[syntax]" in capsys.readouterr().out


# ---------------------------------------------------------------------------
# Expansion counts what it makes: every copy, every file once by real path


def test_a_repeated_block_counts_its_values_per_copy() -> None:
    # 100,000 copies of a node with a 200,000-element list: counted once before (60 s, 2 GB).
    blocks = {
        "b": {"nodes": {"d": {"layer": "Normalization", "inputs": "x", "mean": list(range(200_000))}}, "outputs": "d"}
    }
    spec = {**spec_json(r={"block": "b", "inputs": "x", "repeat": 100_000}), "blocks": blocks}
    took = bounded(lambda: graphspec.validate(spec), 20)
    error = errors_of(lambda: graphspec.validate(spec))
    assert error.codes == ["too-many-nodes"], took
    assert "more than 1,000,000 values (every copy of a repeated block counted)" in error.diagnostics[0].message


def test_inline_models_in_repeated_blocks_count_their_nodes() -> None:
    # 5,000 copies of a 2,000-node inline model were counted as 5,000 nodes (6 GiB, MemoryError).
    inner = {f"n{i}": {"layer": "Dense", "inputs": f"n{i - 1}" if i else "a", "units": 2} for i in range(2000)}
    model = {"inputs": {"a": {"shape": [4]}}, "nodes": inner, "outputs": {"n1999": {}}}
    blocks = {"b": {"nodes": {"m": {"model": model, "inputs": "x"}}, "outputs": "m"}}
    spec = {**spec_json(r={"block": "b", "inputs": "x", "repeat": 5000}), "blocks": blocks}
    error = errors_of(lambda: graphspec.validate(spec, limits=graphspec.Limits(max_values=10**9)))
    assert error.codes == ["too-many-nodes"] and "nodes and block copies" in error.diagnostics[0].message
    bounded(lambda: graphspec.validate(spec, limits=graphspec.Limits(max_values=10**9)), 30)


def test_an_included_file_counts_once_however_it_is_spelled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from graphspec.expand import _accounting

    write(
        tmp_path,
        "blk.yaml",
        "graphspec: 1\nblocks:\n  b: {nodes: {d: {layer: Dense, inputs: x, units: 2}}, outputs: d}\n",
    )
    spellings = ["blk.yaml"] + ["./" * k + "blk.yaml" for k in range(1, 63)]
    top = write(
        tmp_path,
        "top.yaml",
        BASE + f"include: {json.dumps(spellings)}\nnodes:\n  r: {{block: b, inputs: x}}\noutputs: {{r: {{}}}}\n",
    )
    parsed: list[str] = []
    real_parse = _accounting.parse_file
    monkeypatch.setattr(
        _accounting, "parse_file", lambda path, *a, **k: parsed.append(str(path)) or real_parse(path, *a, **k)
    )
    assert (
        graphspec.validate(top).spec.node_count() == 1
    )  # 63 spellings, one file, its blocks once (no duplicate-name errors)
    assert len(parsed) == 1


def test_the_files_of_a_spec_are_bounded_together(tmp_path: Path) -> None:
    # Eight `model:` nodes on one file are parsed once; distinct files share one byte limit.
    write(
        tmp_path,
        "m.yaml",
        BASE + "nodes:\n  d: {layer: Dense, inputs: x, units: 2}\noutputs: {d: {}}\n" + "# pad\n" * 3000,
    )
    write(
        tmp_path,
        "n.yaml",
        BASE + "nodes:\n  d: {layer: Dense, inputs: x, units: 2}\noutputs: {d: {}}\n" + "# pad\n" * 3000,
    )
    nodes = "".join(f"  m{i}: {{model: m.yaml, inputs: x}}\n" for i in range(8))
    top = write(
        tmp_path,
        "top.yaml",
        BASE
        + (
            f"nodes:\n{nodes}  k: {{model: n.yaml, inputs: x}}\n"
            "  y: {layer: Add, inputs: [m0, m1, m2, m3, m4, m5, m6, m7, k]}\noutputs: {y: {}}\n"
        ),
    )
    assert graphspec.validate(top).spec.node_count() == 10 + 9
    error = errors_of(lambda: graphspec.validate(top, limits=graphspec.Limits(max_bytes=30_000)))
    assert error.codes == ["file-too-large"]
    assert "the spec and the files it names hold more than 30,000 bytes together" in error.diagnostics[0].message
    assert error.diagnostics[0].file == str(top) and error.diagnostics[0].line is not None


def test_model_files_count_their_nodes_per_use(tmp_path: Path) -> None:
    inner = "".join(f"  n{i}: {{layer: Dense, inputs: {f'n{i - 1}' if i else 'x'}, units: 2}}\n" for i in range(100))
    write(tmp_path, "big.yaml", BASE + f"nodes:\n{inner}outputs: {{n99: {{}}}}\n")
    nodes = "".join(f"  m{i}: {{model: big.yaml, inputs: x}}\n" for i in range(8))
    top = write(
        tmp_path,
        "top.yaml",
        BASE + f"nodes:\n{nodes}  y: {{layer: Add, inputs: [m0, m1, m2, m3, m4, m5, m6, m7]}}\noutputs: {{y: {{}}}}\n",
    )
    assert graphspec.validate(top).spec.node_count() == 9 + 800
    error = errors_of(lambda: graphspec.validate(top, budget=graphspec.Budget(max_nodes=500)))
    assert error.codes == ["too-many-nodes"]


@pytest.mark.parametrize("nested", [False, True])
def test_strings_that_double_are_bounded_before_they_are_made(nested: bool) -> None:
    # Defaults repeating the previous one grew 100 characters to 10**11 (MemoryError).
    if nested:
        blocks = {
            f"b{i}": {
                "params": {"s": "str"},
                "nodes": {"d": {"block": f"b{i + 1}", "inputs": "x", "s": "${s}${s}"}},
                "outputs": "d",
            }
            for i in range(30)
        }
        blocks["b30"] = {
            "params": {"s": "str"},
            "nodes": {"d": {"layer": "Dense", "inputs": "x", "units": 2, "name": "$s"}},
            "outputs": "d",
        }
        spec = {**spec_json(r={"block": "b0", "inputs": "x", "s": "a" * 100}), "blocks": blocks}
    else:
        params = {"p0": "a" * 100, **{f"p{i}": f"${{p{i - 1}}}${{p{i - 1}}}" for i in range(1, 31)}}
        spec = {**spec_json(d={"layer": "Dense", "inputs": "x", "units": 2}), "params": params}
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    error = errors_of(lambda: graphspec.validate(spec))
    assert error.codes == ["bad-expression"]
    assert "characters" in error.diagnostics[0].message
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200_000  # KiB: no 10**11-character string


@pytest.mark.parametrize("expression", ["round(2, -10**8)", "round(2, 10**8)", "round(3.5, -100)", "round(10, -65)"])
def test_round_digits_are_bounded(expression: str) -> None:
    # round(2, -10**8) computes 10**(10**8) inside one C call: no answer in 60 s, and Ctrl-C cannot stop it.
    text = BASE + f"nodes:\n  d: {{layer: Dense, inputs: x, units: '${{{expression} + 2}}'}}\noutputs: {{d: {{}}}}\n"
    error = errors_of(lambda: graphspec.validate(text))
    assert error.codes == ["bad-expression"] and "±64" in error.diagnostics[0].message
    bounded(lambda: graphspec.validate(text), 2)


def test_a_build_has_its_own_bound() -> None:
    # A 200-byte spec expanding to a 124,000-node chain passed the node budget, then built for minutes.
    text = BASE + (
        "blocks:\n  b: {nodes: {d: {layer: Dense, inputs: x, units: 4}}, outputs: d}\nnodes:\n"
        "  r: {block: b, inputs: x, repeat: 3000}\noutputs: {r: {}}\n"
    )
    report = graphspec.validate(text)
    assert report.spec.node_count() == 3000
    budget = graphspec.Budget(max_build_nodes=2000)
    error = errors_of(lambda: graphspec.build(text, budget=budget))
    assert error.codes == ["too-many-nodes"]
    assert (
        error.diagnostics[0].message
        == "building would make 3,000 Keras layers; the build budget is 2,000 (Keras takes milliseconds a layer)"
    )
    assert graphspec.Budget().max_build_nodes == 10_000


def test_the_build_bound_is_checked_before_tensorflow_loads() -> None:
    code = (
        "import sys, graphspec\n"
        "text = 'graphspec: 1\\ninputs: {x: {shape: [4]}}\\nnodes:\\n"
        "  d: {layer: Embedding, inputs: x, input_dim: 249999999, output_dim: 4}\\noutputs: {d: {}}\\n'\n"
        "r = graphspec.validate(text)\n"
        "assert r.inference.total_params == 999_999_996\n"
        "try:\n"
        "    graphspec.build(text, budget=graphspec.Budget(max_build_bytes=8 * 10**9))\n"
        "except graphspec.SpecError as e:\n"
        "    assert e.codes == ['too-many-params'], e.codes\n"
        "    assert 'about 11.9 GB' in e.diagnostics[0].message, e.diagnostics[0].message\n"
        "else:\n"
        "    raise AssertionError('built')\n"
        "assert not [m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras')]\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, timeout=120)


# ---------------------------------------------------------------------------
# Counts of the objects Keras builds per spec entry


def test_metrics_losses_and_callbacks_are_counted_before_they_are_checked() -> None:
    spec = {
        **spec_json(d={"layer": "Dense", "inputs": "x", "units": 2}),
        "outputs": {"d": {"loss": "mse", "metrics": ["mae"] * 140_000}},
    }
    took = bounded(lambda: graphspec.validate(spec), 20)
    error = errors_of(lambda: graphspec.validate(spec))
    assert error.codes == ["bad-value"], took
    assert (
        error.diagnostics[0].message
        == "the outputs ask for 140,000 metrics (140,000 on 'd'); at most 1,000 are allowed"
    )
    spec = {
        **spec_json(d={"layer": "Dense", "inputs": "x", "units": 2}),
        "outputs": {"d": {"loss": "mse"}},
        "fit": {"callbacks": ["TerminateOnNaN"] * 101},
    }
    assert (
        errors_of(lambda: graphspec.validate(spec)).diagnostics[0].message
        == "fit asks for 101 callbacks; at most 100 are allowed"
    )


# ---------------------------------------------------------------------------
# Training data: sizes known before anything is allocated


def _npz_member(name: str, shape: tuple[int, ...], payload: bytes = b"") -> bytes:
    header = np.lib.format.header_data_from_array_1_0(np.zeros((1,), "float32"))
    header["shape"] = shape
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, header)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, buffer.getvalue() + payload)
    return out.getvalue()


def test_an_npz_header_declaring_more_than_it_holds_is_refused(tmp_path: Path) -> None:
    from graphspec.data import load_npz

    path = tmp_path / "lie.npz"
    path.write_bytes(_npz_member("x.npy", (10**10,)))  # 10**10 float32 declared, none stored
    assert path.stat().st_size < 500
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    error = errors_of(lambda: load_npz(path))
    assert error.codes == ["bad-data-file"]
    assert (
        "declares shape (10000000000,) of float32 (40,000,000,000 bytes), but its member holds 0"
        in error.diagnostics[0].message
    )
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50_000


def test_npz_data_within_the_limits_still_loads(tmp_path: Path) -> None:
    from graphspec.data import load_npz

    np.savez_compressed(
        tmp_path / "ok.npz", x=np.arange(12, dtype="int32").reshape(3, 4), y=np.zeros((300, 100), "float64")
    )
    arrays = load_npz(tmp_path / "ok.npz")
    assert arrays["x"].tolist() == np.arange(12).reshape(3, 4).tolist() and arrays["y"].dtype == np.float64
    assert (tmp_path / "ok.npz").stat().st_size < 10_000
    error = errors_of(lambda: load_npz(tmp_path / "ok.npz", graphspec.Limits(max_data_bytes=100_000)))
    assert "it inflates to 240," in error.diagnostics[0].message


def test_synthetic_data_is_bounded_before_it_is_allocated() -> None:
    from graphspec.data import synthetic_arrays

    # A 10**6-class softmax: one-hot targets went through a 10**6 × 10**6 identity (3.6 TiB).
    wide = {
        **spec_json(y={"layer": "Dense", "inputs": "x", "units": 1_000_000, "activation": "softmax"}),
        "outputs": {"y": {"loss": "categorical_crossentropy"}},
    }
    report = graphspec.validate(wide)
    arrays = synthetic_arrays(report, 2, seed=1)
    assert arrays["y"].shape == (2, 1_000_000) and arrays["y"].sum(axis=1).tolist() == [1.0, 1.0]
    error = errors_of(lambda: synthetic_arrays(report, 1000, seed=1, max_bytes=1 << 30))
    assert error.codes == ["bad-value"] and "over the limit of 1,073,741,824" in error.diagnostics[0].message
    # 10**10 floats a sample: refused for one sample, at the input's line.
    huge = (
        BASE.replace("[4]", "[100000, 100000]")
        + "nodes:\n  p: {layer: GlobalAveragePooling1D, inputs: x}\noutputs: {p: {loss: mse}}\n"
    )
    error = errors_of(lambda: synthetic_arrays(graphspec.validate(huge), 1))
    assert "takes 40,000,000,000 bytes a sample" in error.diagnostics[0].message


# ---------------------------------------------------------------------------
# Model files and diff: the same limits, and the parameter budget before Keras allocates


def test_diff_reads_within_the_limits(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 200_000 + "]" * 200_000)  # raised RecursionError
    big = tmp_path / "big.json"
    big.write_bytes(b'{"pad": "' + b"x" * (17 << 20) + b'"}')  # was parsed whole before any limit
    mlp = str(ROOT / "specs/seed/functional_mlp.yaml")
    assert main(["diff", str(deep), mlp]) == 2
    assert "nests deeper than 256 levels" in capsys.readouterr().err
    assert main(["diff", str(big), mlp]) == 2
    assert "the limit is 16,777,216" in capsys.readouterr().err


def test_keras_json_over_the_parameter_budget_is_refused_before_allocation() -> None:
    keras = pytest.importorskip("keras")
    x = keras.Input((3,), name="x")
    text = keras.Model(x, keras.layers.Dense(2, name="d")(x)).to_json()
    assert '"units": 2' in text and "[null, 3]" in text
    hostile = text.replace('"units": 2', '"units": 1000000').replace(
        "[null, 3]", "[null, 1000000]"
    )  # 4 TB of weights, in 1 KB
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    error = errors_of(lambda: graphspec.from_keras(hostile))
    assert error.codes == ["too-many-params"], error.render()
    assert "1,000,001,000,000 parameters, over the budget of 1,000,000,000" in error.diagnostics[0].message
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 1_000_000  # KiB: not 4 TB
    assert graphspec.from_keras(text).nodes["d"].args == {"units": 2}


def test_reports_of_many_errors_on_a_long_line_stay_small() -> None:
    # A one-line JSON spec of 3,000 nodes, each with a typo: one error per node, each showing the line.
    # (Copies of one repeated block share their definition, so its typo is reported once: see merge_copies.)
    pad = "x" * 200_000
    nodes = {f"d{i}": {"layer": "Dense", "inputs": "x", "units": 4, "unit": 4} for i in range(3000)}
    text = json.dumps({**spec_json(**nodes), "description": pad})
    error = errors_of(lambda: graphspec.validate(text))
    assert len(error.errors) == 3000  # every problem stays in the data
    rendered = error.render()
    assert len(rendered) < 1_500_000, len(rendered)  # not 3,000 copies of a 200 KB line
    assert rendered.endswith("... and 2,000 more diagnostics (all are in SpecError.diagnostics and --format json)")
    first = rendered.split("\n")
    source, caret = first[1], first[2]
    assert (
        len(source) < 420
        and source[caret.index("^")] == '"'
        and source[caret.index("^") + 1 : caret.index("^") + 5] == "unit"
    )


def test_model_files_past_the_read_limits_are_refused_before_tensorflow_loads(tmp_path: Path) -> None:
    from tests.test_limits import _lie_about_size, _zip

    (tmp_path / "bomb.keras").write_bytes(_lie_about_size(_zip({"config.json": b"{}"}), "config.json", 3_500_000_000))
    (tmp_path / "deep.json").write_text("[" * 200_000 + "]" * 200_000)
    code = (
        "import pathlib, sys, graphspec\n"
        f"for name in ('bomb.keras', 'deep.json'):\n"
        "    try:\n"
        f"        graphspec.from_keras(pathlib.Path({str(tmp_path)!r}) / name)\n"
        "    except graphspec.SpecError as e:\n"
        "        assert e.codes == ['bad-model'], e.codes\n"
        "    else:\n"
        "        raise AssertionError(name)\n"
        "assert not [m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras')]\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, timeout=120)


def test_a_tree_of_model_files_is_expanded_once_per_file_and_counted_per_use(tmp_path: Path) -> None:
    # 7 files of 8 lines, each naming the next six times: 6**6 uses took 40 s, then 19 s when only parsed once.
    from tests.test_expand import _model_tree

    top = _model_tree(tmp_path, 6, 6)
    took = bounded(lambda: graphspec.validate(top), 5)
    error = errors_of(lambda: graphspec.validate(top))
    assert error.codes == ["too-many-nodes"], took
    small = _model_tree(tmp_path / "small", 3, 5)
    assert graphspec.validate(small).spec.node_count() == 311  # every use still counted
    error = errors_of(lambda: graphspec.validate(small, budget=graphspec.Budget(max_nodes=200)))
    assert error.codes == ["too-many-nodes"]


def test_export_parity_inputs_are_bounded_like_synthetic_data() -> None:
    from graphspec.data import synthetic_inputs

    report = graphspec.validate(BASE + "nodes: {d: {layer: Dense, inputs: x, units: 2}}\noutputs: {d: {}}\n")
    assert synthetic_inputs(report, 4)["x"].shape == (4, 4)
    error = errors_of(lambda: synthetic_inputs(report, 10**9, max_bytes=1 << 20))  # `export --samples 1000000000`
    assert error.codes == ["bad-value"] and "over the limit of 1,048,576" in str(error)


def test_draw_reads_a_json_file_within_the_model_limits(tmp_path: Path) -> None:
    from graphspec.render._facts import is_model_file

    deep = tmp_path / "deep.json"
    deep.write_text("[" * 200_000 + "]" * 200_000)  # json.loads would raise RecursionError
    assert is_model_file(deep) is False
    error = errors_of(lambda: graphspec.draw(deep))
    assert error.codes == ["too-deep"]
    big = tmp_path / "big.json"
    big.write_text(json.dumps({"class_name": "Functional", "config": {"pad": "x" * 2000}}))
    assert is_model_file(big) is True
    assert is_model_file(big, graphspec.Limits(max_model_bytes=1000)) is False  # never parsed past the limit
