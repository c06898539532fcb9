"""lint: every rule fires on its buggy spec (golden diagnostics), stays silent on its near-twin and on known-good
models, is silenced by ``lint: {ignore: [...]}`` where the finding is about, and runs without TensorFlow.

The corpus is ``tests/lint/``: ``<code>.bad.yaml`` (the bug) and ``<code>.good.yaml`` (its fixed twin) for graph
rules; ``<code>.yaml`` for data rules, with the buggy and fixed arrays made in :data:`DATA` below. Each buggy file
names, in its first line, the entries whose ``lint:`` silences the finding. Regenerate goldens after an intended
wording change with ``GRAPHSPEC_UPDATE_GOLDENS=1 pytest tests/test_lint.py`` and review the diff.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

import graphspec
from graphspec import data as gdata
from graphspec.errors import Code, Diagnostic, Severity, SpecError
from graphspec.lint import RULES, rule
from graphspec.lint._facts import Facts

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).parent / "lint"
UPDATE = os.environ.get("GRAPHSPEC_UPDATE_GOLDENS") == "1"
GRAPH_CODES = [r.code.value for r in RULES if r.stage == "graph"]
DATA_CODES = [r.code.value for r in RULES if r.stage == "data"]
N = 64


@contextmanager
def _in_corpus() -> Iterator[None]:
    """Run in the corpus folder, so positions read ``one-class-loss.bad.yaml:10:17``."""
    cwd = os.getcwd()
    os.chdir(CORPUS)
    try:
        yield
    finally:
        os.chdir(cwd)


def _diagnostics(source: Any) -> list[Diagnostic]:
    """Every diagnostic validate gives: the error's, or the report's warnings."""
    try:
        return graphspec.validate(source).warnings
    except SpecError as exc:
        return exc.diagnostics


def _golden(path: Path, got: str) -> None:
    if UPDATE:
        path.write_text(got, encoding="utf-8")
    assert path.exists(), f"no golden file {path.name}; run with GRAPHSPEC_UPDATE_GOLDENS=1 and review it"
    assert got == path.read_text(encoding="utf-8")


def _owners(path: Path) -> list[tuple[str, ...]]:
    """The entries named by the corpus file's first line, ``# silenced by: outputs.y nodes.y`` (``()`` for the spec)."""
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# silenced by:"), f"{path.name} must say what silences it"
    words = first.removeprefix("# silenced by:").split()
    return [()] if words == ["(the", "spec)"] else [tuple(w.split(".")) for w in words]


def _with_ignore(data: dict[str, Any], owner: tuple[str, ...], code: str) -> dict[str, Any]:
    out = copy.deepcopy(data)
    entry = out
    for key in owner:
        entry = entry[key]
    entry["lint"] = {"ignore": [code]}
    return out


def _load(path: Path) -> dict[str, Any]:
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


# ---------------------------------------------------------------------------
# graph rules: the corpus


def test_every_rule_has_its_corpus() -> None:
    assert sorted(p.name.removesuffix(".bad.yaml") for p in CORPUS.glob("*.bad.yaml")) == sorted(GRAPH_CODES)
    assert sorted(p.name.removesuffix(".good.yaml") for p in CORPUS.glob("*.good.yaml")) == sorted(GRAPH_CODES)
    assert sorted(DATA) == sorted(DATA_CODES)
    assert all((CORPUS / f"{c}.yaml").exists() for c in DATA_CODES)


@pytest.mark.parametrize("code", GRAPH_CODES)
def test_rule_fires_on_its_bug_with_the_golden_diagnostic(code: str) -> None:
    with _in_corpus():
        diags = _diagnostics(Path(f"{code}.bad.yaml"))
    assert [d.code.value for d in diags] == [code], "the buggy spec shows this rule's bug and no other"
    d = diags[0]
    assert d.severity is rule(code).severity
    assert d.file == f"{code}.bad.yaml" and d.line is not None and d.column is not None and d.source_line is not None
    assert d.hint
    _golden(CORPUS / f"{code}.expected", "\n".join(x.render() for x in diags) + "\n")


@pytest.mark.parametrize("code", GRAPH_CODES)
def test_rule_is_silent_on_its_twin(code: str) -> None:
    report = graphspec.validate(CORPUS / f"{code}.good.yaml")
    assert report.warnings == []


@pytest.mark.parametrize("code", GRAPH_CODES)
def test_ignore_on_the_entry_silences_exactly_that_rule(code: str) -> None:
    path = CORPUS / f"{code}.bad.yaml"
    raw = _load(path)
    for owner in _owners(path):
        assert _diagnostics(_with_ignore(raw, owner, code)) == [], (
            f"lint: {{ignore: [{code}]}} on {owner or 'the spec'}"
        )
    assert _diagnostics(_with_ignore(raw, (), code)) == []
    other = next(c for c in GRAPH_CODES if c != code)
    assert [d.code.value for d in _diagnostics(_with_ignore(raw, (), other))] == [code], (
        "ignoring another rule changes nothing"
    )


def test_ignore_on_an_unrelated_entry_does_not_silence() -> None:
    raw = _load(CORPUS / "one-class-loss.bad.yaml")
    assert [d.code.value for d in _diagnostics(_with_ignore(raw, ("nodes", "hidden"), "one-class-loss"))] == [
        "one-class-loss"
    ]


def test_errors_fail_validation_and_warnings_do_not() -> None:
    with pytest.raises(SpecError) as info:
        graphspec.validate(CORPUS / "one-class-loss.bad.yaml")
    assert info.value.codes == ["one-class-loss"]
    report = graphspec.validate(CORPUS / "squashed-twice.bad.yaml")
    assert [(d.code, d.severity) for d in report.warnings] == [(Code.SQUASHED_TWICE, Severity.WARNING)]


def test_build_refuses_a_model_that_cannot_learn_unless_told() -> None:
    with pytest.raises(SpecError):
        graphspec.build(CORPUS / "one-class-loss.bad.yaml", compile=False)


# ---------------------------------------------------------------------------
# data rules: the spec of each, with buggy and fixed arrays


def _rng() -> np.random.Generator:
    return np.random.default_rng(7)


def _x(n: int, d: int) -> np.ndarray:
    return _rng().standard_normal((n, d)).astype("float32")


DATA: dict[str, tuple[Callable[[], dict[str, np.ndarray]], Callable[[], dict[str, np.ndarray]]]] = {
    "label-out-of-range": (
        lambda: {"pixels": _x(N, 16), "digit": _rng().integers(1, 11, N)},  # counted from 1
        lambda: {"pixels": _x(N, 16), "digit": _rng().integers(0, 10, N)},
    ),
    "label-encoding": (
        lambda: {"signal": _x(N, 24), "activity": _rng().integers(0, 7, N)},  # class ids for categorical_crossentropy
        lambda: {"signal": _x(N, 24), "activity": np.eye(7, dtype="float32")[_rng().integers(0, 7, N)]},
    ),
    "binary-target-range": (
        lambda: {"pair": _x(N, 10), "match": _rng().choice([-1.0, 1.0], (N, 1)).astype("float32")},
        lambda: {"pair": _x(N, 10), "match": _rng().choice([0.0, 1.0], (N, 1)).astype("float32")},
    ),
    "unreachable-target": (
        lambda: {"features": _x(N, 13), "price": _rng().uniform(50, 950, (N, 1)).astype("float32")},
        lambda: {"features": _x(N, 13), "price": (_rng().uniform(50, 950, (N, 1)) / 1000).astype("float32")},
    ),
    "non-finite-data": (
        lambda: {
            "readings": np.where(np.arange(N * 6).reshape(N, 6) % 37 == 5, np.nan, _x(N, 6)).astype("float32"),
            "level": _x(N, 1),
        },
        lambda: {"readings": _x(N, 6), "level": _x(N, 1)},
    ),
    "embedding-index-range": (
        lambda: {
            "tokens": _rng().integers(1, 1001, (N, 12)).astype("int32"),
            "positive": _rng().integers(0, 2, (N, 1)).astype("float32"),
        },
        lambda: {
            "tokens": _rng().integers(0, 1000, (N, 12)).astype("int32"),
            "positive": _rng().integers(0, 2, (N, 1)).astype("float32"),
        },
    ),
}


def _data_diagnostics(spec: Any, arrays: dict[str, np.ndarray]) -> list[Diagnostic]:
    """What fit says about the arrays, before it imports TensorFlow (the data check runs first)."""
    try:
        graphspec.fit(spec, arrays, run_dir=CORPUS / "never-created")
    except SpecError as exc:
        return exc.diagnostics
    raise AssertionError("fit accepted the data")


@pytest.mark.parametrize("code", DATA_CODES)
def test_data_rule_fires_on_its_bug_with_the_golden_diagnostic(code: str) -> None:
    bad, _ = DATA[code]
    with _in_corpus():
        diags = _data_diagnostics(Path(f"{code}.yaml"), bad())
    assert [d.code.value for d in diags] == [code]
    assert diags[0].line is not None and diags[0].hint
    assert not (CORPUS / "never-created").exists()
    _golden(CORPUS / f"{code}.expected", "\n".join(d.render() for d in diags) + "\n")


@pytest.mark.parametrize("code", DATA_CODES)
def test_data_rule_is_silent_on_good_data(code: str) -> None:
    _, good = DATA[code]
    report = graphspec.validate(CORPUS / f"{code}.yaml")
    assert report.warnings == []
    assert gdata.check_arrays(good(), gdata.expected_arrays(report)) == []


@pytest.mark.parametrize("code", DATA_CODES)
def test_data_rule_is_silenced_where_the_finding_is_about(code: str) -> None:
    path = CORPUS / f"{code}.yaml"
    bad, _ = DATA[code]
    for owner in _owners(path):
        report = graphspec.validate(_with_ignore(_load(path), owner, code))
        left = [d.code.value for d in gdata.check_arrays(bad(), gdata.expected_arrays(report))]
        assert left == (["array-mismatch"] if code == "label-encoding" else []), (
            f"lint: {{ignore: [{code}]}} on {owner or 'the spec'}"
        )


def test_label_encoding_replaces_the_plain_shape_mismatch() -> None:
    report = graphspec.validate(CORPUS / "label-encoding.yaml")
    expected = gdata.expected_arrays(report)
    bad, _ = DATA["label-encoding"]
    assert [d.code for d in gdata.check_arrays(bad(), expected)] == [Code.LABEL_ENCODING]
    ignored = graphspec.validate(_with_ignore(_load(CORPUS / "label-encoding.yaml"), (), "label-encoding"))
    assert [d.code for d in gdata.check_arrays(bad(), gdata.expected_arrays(ignored))] == [Code.ARRAY_MISMATCH]


def test_sparse_labels_may_use_ignore_class() -> None:
    raw = _load(CORPUS / "label-out-of-range.yaml")
    raw["outputs"]["digit"]["loss"] = {"class_name": "SparseCategoricalCrossentropy", "config": {"ignore_class": -1}}
    report = graphspec.validate(raw)
    labels = np.where(np.arange(N) % 5 == 0, -1, np.arange(N) % 10)
    arrays = {"pixels": _x(N, 16), "digit": labels}
    assert gdata.check_arrays(arrays, gdata.expected_arrays(report)) == []
    arrays["digit"] = labels + 1
    assert [d.code for d in gdata.check_arrays(arrays, gdata.expected_arrays(report))] == [Code.LABEL_OUT_OF_RANGE]


def test_multi_hot_rows_for_a_categorical_loss_are_refused_but_soft_labels_and_padding_pass() -> None:
    report = graphspec.validate(CORPUS / "label-encoding.yaml")
    expected = gdata.expected_arrays(report)
    rows = np.eye(7, dtype="float32")[np.arange(N) % 7]
    soft = rows * 0.9 + 0.1 / 7
    padded = rows.copy()
    padded[::4] = 0.0
    for fine in (soft, padded):
        assert gdata.check_arrays({"signal": _x(N, 24), "activity": fine}, expected) == []
    multi = rows.copy()
    multi[:, 0] = 1.0
    diags = gdata.check_arrays({"signal": _x(N, 24), "activity": multi}, expected)
    assert [d.code for d in diags] == [Code.LABEL_ENCODING] and "multi-label" in diags[0].message


def test_embedding_ids_are_followed_through_reshaping_and_into_submodels() -> None:
    spec = {
        "graphspec": 1,
        "inputs": {"ids": {"shape": [4, 3], "dtype": "int32"}},
        "nodes": {
            "flat": {"layer": "Flatten", "inputs": "ids"},
            "enc": {
                "model": {
                    "inputs": {"t": {"shape": [12], "dtype": "int32"}},
                    "nodes": {
                        "emb": {"layer": "Embedding", "inputs": "t", "input_dim": 50, "output_dim": 4},
                        "pool": {"layer": "GlobalAveragePooling1D", "inputs": "emb"},
                    },
                    "outputs": {"pool": {}},
                },
                "inputs": "flat",
            },
            "y": {"layer": "Dense", "inputs": "enc", "units": 1},
        },
        "outputs": {"y": {"loss": "mse"}},
    }
    report = graphspec.validate(spec)
    arrays = {"ids": np.full((8, 4, 3), 50, "int32"), "y": np.zeros((8, 1), "float32")}
    diags = gdata.check_arrays(arrays, gdata.expected_arrays(report))
    assert [d.code for d in diags] == [Code.EMBEDDING_INDEX_RANGE] and "'emb'" in diags[0].message


def test_synthetic_targets_stay_inside_the_output_range() -> None:
    report = graphspec.validate(CORPUS / "unreachable-target.yaml")
    arrays = gdata.synthetic_arrays(report, 32)
    assert arrays["price"].min() > 0 and arrays["price"].max() < 1
    assert gdata.check_arrays(arrays, gdata.expected_arrays(report)) == []


def test_predict_checks_the_inputs_only() -> None:
    report = graphspec.validate(CORPUS / "non-finite-data.yaml")
    bad, _ = DATA["non-finite-data"]
    arrays = bad()
    del arrays["level"]
    assert [d.code for d in gdata.check_arrays(arrays, gdata.expected_arrays(report), targets=False)] == [
        Code.NON_FINITE_DATA
    ]


# ---------------------------------------------------------------------------
# lint settings: checked like the rest of the format, carried by expand, diff and the schema


def test_unknown_codes_get_did_you_mean() -> None:
    raw = _load(CORPUS / "squashed-twice.good.yaml")
    raw["nodes"]["digit"]["lint"] = {"ignore": ["squashed-twise"]}
    raw["lint"] = {"ignore": ["dead-node"]}
    with pytest.raises(SpecError) as info:
        graphspec.validate(raw)
    by_path = {d.path: d for d in info.value.diagnostics}
    typo = by_path[("nodes", "digit", "lint", "ignore", 0)]
    assert typo.code is Code.UNKNOWN_RULE and typo.hint == "did you mean 'squashed-twice'?"
    assert "only lint findings can be ignored" in by_path[("lint", "ignore", 0)].message


def test_a_misspelt_lint_key_is_an_unknown_key() -> None:
    raw = _load(CORPUS / "squashed-twice.good.yaml")
    raw["outputs"]["digit"]["lint"] = {"ignor": ["squashed-twice"]}
    with pytest.raises(SpecError) as info:
        graphspec.validate(raw)
    assert [(d.code, d.hint) for d in info.value.diagnostics] == [(Code.UNKNOWN_KEY, "did you mean 'ignore'?")]


def test_lint_settings_survive_expand_blocks_and_diff() -> None:
    text = """\
graphspec: 1
blocks:
  head:
    inputs: x
    nodes:
      out: {layer: Dense, inputs: x, units: 1, activation: softmax, lint: {ignore: [softmax-size-one]}}
    outputs: out
inputs: {f: {shape: [4]}}
nodes:
  h: {block: head, inputs: f}
outputs:
  h: {loss: binary_crossentropy}
"""
    flat = graphspec.expand(text)
    node = flat.nodes["h/out"]
    assert node.lint is not None and node.lint.ignore == ["softmax-size-one"]
    assert graphspec.validate(text).warnings == []
    assert graphspec.load(flat.to_yaml()).nodes["h/out"].lint == node.lint
    plain = flat.model_copy(update={"nodes": {"h/out": node.model_copy(update={"lint": None})}})
    change = graphspec.diff_specs(plain, flat).changes
    assert [(c.kind, c.path) for c in change] == [("lint-changed", "nodes.h/out.lint")]


def test_corpus_specs_with_lint_settings_satisfy_the_schema() -> None:
    import jsonschema

    from graphspec.schema import json_schema

    validator = jsonschema.Draft202012Validator(json_schema())
    for path in sorted(CORPUS.glob("*.bad.yaml")):
        raw = _load(path)
        for owner in _owners(path):
            assert list(validator.iter_errors(_with_ignore(raw, owner, path.name.removesuffix(".bad.yaml")))) == [], (
                path.name
            )
    wrong = _with_ignore(_load(CORPUS / "one-class-loss.bad.yaml"), ("outputs", "churn"), "one-class-los")
    assert list(validator.iter_errors(wrong)), "the schema completes (and checks) rule codes"


# ---------------------------------------------------------------------------
# activation tracing


def _facts(spec: dict[str, Any]) -> Facts:
    report = graphspec.validate(spec)
    return Facts(report.spec, report.graph, report.inference)


def _head(nodes: dict[str, Any], out: str = "y", shape: list[int] | None = None) -> dict[str, Any]:
    return {"graphspec": 1, "inputs": {"x": {"shape": shape or [6, 8]}}, "nodes": nodes, "outputs": {out: {}}}


def test_activation_is_traced_through_layers_that_keep_values() -> None:
    facts = _facts(
        _head(
            {
                "d": {"layer": "Dense", "inputs": "x", "units": 4, "activation": "softmax"},
                "drop": {"layer": "Dropout", "inputs": "d", "rate": 0.2},
                "same": {"layer": "Identity", "inputs": "drop"},
                "flat": {"layer": "Reshape", "inputs": "same", "target_shape": [3, 2, 4]},
                "y": {"layer": "Flatten", "inputs": "flat"},
            }
        )
    )
    squash = facts.outputs[0].squash
    assert squash is not None and squash.name == "softmax" and squash.node == "d"
    assert squash.through == ("drop", "same", "flat", "y")
    assert squash.axis is None, "flattening merges the class axis with others"


def test_softmax_axis_follows_permute_and_reshape_that_keep_the_last_axis() -> None:
    facts = _facts(
        _head(
            {
                "s": {"layer": "Softmax", "inputs": "x", "axis": 1},
                "p": {"layer": "Permute", "inputs": "s", "dims": [2, 1]},
                "y": {"layer": "Reshape", "inputs": "p", "target_shape": [4, 2, 6]},
            }
        )
    )
    squash = facts.outputs[0].squash
    assert squash is not None and squash.axis == 3, "axis 1 of (N, 6, 8) is the last of (N, 8, 6) and stays last"


def test_activation_is_traced_into_submodels_shares_and_time_distributed() -> None:
    sub = {
        "inputs": {"a": {"shape": [8]}},
        "nodes": {"p": {"layer": "Dense", "inputs": "a", "units": 3, "activation": "sigmoid"}},
        "outputs": {"p": {}},
    }
    facts = _facts(
        _head(
            {
                "td": {
                    "layer": "TimeDistributed",
                    "inputs": "x",
                    "wraps": {"layer": "Dense", "units": 5, "activation": "softmax"},
                },
                "flat": {"layer": "GlobalAveragePooling1D", "inputs": "x"},
                "m": {"model": sub, "inputs": "flat"},
                "m2": {"share": "m", "inputs": "flat"},
                "y": {"layer": "Add", "inputs": ["m", "m2"]},
            },
            out="m2",
        )
        | {"outputs": {"m2": {}, "td": {}, "y": {}}}
    )
    by_name = {o.name: o.squash for o in facts.outputs}
    assert (
        by_name["m2"] is not None
        and by_name["m2"].name == "sigmoid"
        and by_name["m2"].path == ("nodes", "m", "model", "nodes", "p")
    )
    assert by_name["td"] is not None and by_name["td"].name == "softmax" and by_name["td"].axis == 2
    assert by_name["y"] is None, "a merge ends the trace: unknown, and rules stay silent"


def test_rules_run_inside_submodels_and_point_there() -> None:
    spec = {
        "graphspec": 1,
        "inputs": {"x": {"shape": [8]}},
        "nodes": {
            "enc": {
                "model": {
                    "inputs": {"a": {"shape": [8]}},
                    "nodes": {"s": {"layer": "Dense", "inputs": "a", "units": 1, "activation": "softmax"}},
                    "outputs": {"s": {}},
                },
                "inputs": "x",
            },
        },
        "outputs": {"enc": {}},
    }
    with pytest.raises(SpecError) as info:
        graphspec.validate(spec)
    assert [(d.code, d.path) for d in info.value.diagnostics] == [
        (Code.SOFTMAX_SIZE_ONE, ("nodes", "enc", "model", "nodes", "s", "activation"))
    ]
    spec["nodes"]["enc"]["model"]["nodes"]["s"]["lint"] = {"ignore": ["softmax-size-one"]}
    assert graphspec.validate(spec).warnings == []


# ---------------------------------------------------------------------------
# no false alarms on known-good models

SPECS = sorted(p for p in (ROOT / "specs").rglob("*.yaml"))
LINT_CODES = {r.code for r in RULES}


@pytest.mark.parametrize("path", SPECS, ids=lambda p: str(p.relative_to(ROOT / "specs")))
def test_every_spec_in_specs_is_silent(path: Path) -> None:
    assert [d for d in graphspec.validate(path).warnings if d.code in LINT_CODES] == []


def _as_trained(spec: graphspec.Spec) -> dict[str, Any]:
    """The imported application compiled as people fine-tune it: crossentropy, accuracy, Adam, class weights."""
    data = spec.to_data()
    (out,) = data["outputs"].values()
    out.update(
        {
            "loss": "categorical_crossentropy",
            "metrics": ["accuracy", {"class_name": "TopKCategoricalAccuracy", "config": {"k": 5}}],
        }
    )
    data["compile"] = {"optimizer": {"class_name": "Adam", "config": {"learning_rate": 0.001}}}
    data["fit"] = {"class_weight": [1.0] * 1000}
    return data


def _application_is_silent(name: str) -> None:
    import keras

    from graphspec.importer import application, from_keras

    spec = from_keras(application(name))
    keras.backend.clear_session()
    assert [d for d in graphspec.validate(spec).warnings if d.code in LINT_CODES] == [], name
    assert [d for d in _diagnostics(_as_trained(spec)) if d.code in LINT_CODES] == [], f"{name}, compiled for training"


@pytest.mark.parametrize("name", ["MobileNetV3Small", "EfficientNetB0", "MobileNetV2"])
def test_imported_applications_are_silent(name: str) -> None:
    _application_is_silent(name)


def _all_applications() -> list[str]:
    return [
        "ConvNeXtBase", "ConvNeXtLarge", "ConvNeXtSmall", "ConvNeXtTiny", "ConvNeXtXLarge", "DenseNet121",
        "DenseNet169", "DenseNet201", "EfficientNetB0", "EfficientNetB1", "EfficientNetB2", "EfficientNetB3",
        "EfficientNetB4", "EfficientNetB5", "EfficientNetB6", "EfficientNetB7", "EfficientNetV2B0", "EfficientNetV2B1",
        "EfficientNetV2B2", "EfficientNetV2B3", "EfficientNetV2L", "EfficientNetV2M", "EfficientNetV2S",
        "InceptionResNetV2", "InceptionV3", "MobileNet", "MobileNetV2", "MobileNetV3Large", "MobileNetV3Small",
        "NASNetLarge", "NASNetMobile", "ResNet101", "ResNet101V2", "ResNet152", "ResNet152V2", "ResNet50", "ResNet50V2",
        "VGG16", "VGG19", "Xception",
    ]  # fmt: skip


@pytest.mark.slow
def test_all_40_imported_applications_are_silent() -> None:
    import keras

    names = sorted(n for n in dir(keras.applications) if n[:1].isupper() and callable(getattr(keras.applications, n)))
    assert names == _all_applications(), "keras.applications changed: update the list"
    for name in names:
        _application_is_silent(name)


# ---------------------------------------------------------------------------
# the command line, and the TensorFlow boundary


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "graphspec", *args], capture_output=True, text=True, cwd=CORPUS, timeout=120
    )


def test_cli_shows_warnings_strict_fails_and_json_carries_them() -> None:
    plain = _cli("validate", "squashed-twice.bad.yaml")
    assert (
        plain.returncode == 0
        and "warning[squashed-twice]" in plain.stdout
        and "squashed-twice.bad.yaml: ok" in plain.stdout
    )
    assert _cli("validate", "--strict", "squashed-twice.bad.yaml").returncode == 1
    records = json.loads(
        _cli("validate", "--format", "json", "squashed-twice.bad.yaml", "one-class-loss.bad.yaml").stdout
    )
    assert [(r["valid"], [(d["code"], d["severity"], d["line"]) for d in r["diagnostics"]]) for r in records] == [
        (True, [("squashed-twice", "warning", 11)]),
        (False, [("one-class-loss", "error", 10)]),
    ]


def test_lint_and_the_data_rules_never_load_tensorflow() -> None:
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "import graphspec\n"
        "r = graphspec.validate(Path('squashed-twice.bad.yaml'))\n"
        "assert [d.code.value for d in r.warnings] == ['squashed-twice']\n"
        "heavy = [m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras', 'numpy')]\n"
        "assert not heavy, heavy\n"
        "import numpy as np\n"
        "try:\n"
        "    graphspec.fit(Path('label-out-of-range.yaml'), {'pixels': "
        "np.zeros((4, 16), 'float32'), 'digit': np.full(4, 10)})\n"
        "except graphspec.SpecError as e:\n"
        "    assert e.codes == ['label-out-of-range'], e.codes\n"
        "assert not [m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras')]\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=CORPUS, timeout=120)
    assert done.returncode == 0, done.stderr


# ---------------------------------------------------------------------------
# documentation


def test_docs_errors_md_is_generated_from_the_codes_and_rules() -> None:
    """Fix: ``python -m graphspec.lint._errors_page``."""
    from graphspec.lint._errors_page import render_errors_md

    assert (ROOT / "docs/errors.md").read_text(encoding="utf-8") == render_errors_md()


@pytest.mark.parametrize("code", [r.code.value for r in RULES])
def test_every_rule_is_documented_with_the_reports_behind_it(code: str) -> None:
    r = rule(code)
    assert r.summary and r.title and r.explanation and r.example and r.fix
    assert r.reports and all(u.startswith("https://") for u in r.reports)
    text = (ROOT / "docs/errors.md").read_text(encoding="utf-8")
    assert f"### `{code}`:" in text


# ---------------------------------------------------------------------------
# proof by training: the failure each message predicts (slow: these build and train models)


def _trained(raw: dict[str, Any], x: np.ndarray, y: np.ndarray, epochs: int = 8) -> tuple[list[float], Any]:
    import keras

    keras.utils.set_random_seed(3)
    model = graphspec.build(raw)
    history = model.fit(x, y, epochs=epochs, batch_size=32, verbose=0)
    return history.history["loss"], model


def _separable(n: int, d: int) -> tuple[np.ndarray, np.ndarray]:
    x = _rng().standard_normal((n, d)).astype("float32")
    return x, (x[:, :1] + x[:, 1:2] > 0).astype("float32")


@pytest.mark.slow
def test_training_one_class_loss_is_constant_and_learns_nothing() -> None:
    x, y = _separable(512, 20)
    raw = _with_ignore(_load(CORPUS / "one-class-loss.bad.yaml"), ("outputs", "churn"), "one-class-loss")
    losses, _ = _trained(raw, x, y)
    good, _ = _trained(_load(CORPUS / "one-class-loss.good.yaml"), x, y)
    assert max(losses) - min(losses) < 1e-6 and max(losses) < 1e-3, f"the loss stays at 0: {losses}"
    assert good[-1] < 0.7 * good[0], f"the twin learns: {good}"


@pytest.mark.slow
def test_training_a_softmax_of_one_unit_predicts_the_same_for_everything() -> None:
    x, y = _separable(512, 30)
    raw = _with_ignore(_load(CORPUS / "softmax-size-one.bad.yaml"), ("nodes", "spam"), "softmax-size-one")
    _, model = _trained(raw, x, y)
    predictions = model.predict(x, verbose=0)
    assert np.ptp(predictions) == 0 and np.allclose(predictions, 1.0), "the output is the same 1.0 for every example"
    accuracy = model.history.history["accuracy"]
    assert np.allclose(accuracy, y.mean()), f"accuracy stays at the share of class 1 ({y.mean():.3f}): {accuracy}"
    _, twin = _trained(_load(CORPUS / "softmax-size-one.good.yaml"), x, y)
    learned = twin.history.history["accuracy"]
    assert learned[-1] > learned[0] + 0.15, f"the twin learns: {learned}"


@pytest.mark.slow
def test_training_poisson_on_a_linear_output_turns_nan() -> None:
    x = _rng().standard_normal((512, 12)).astype("float32")
    counts = _rng().poisson(np.exp(0.3 * x[:, :1])).astype("float32")
    raw = _with_ignore(_load(CORPUS / "negative-poisson-rate.bad.yaml"), ("outputs", "visits"), "negative-poisson-rate")
    losses, _ = _trained(raw, x, counts, epochs=3)
    assert np.isnan(losses[0]), f"NaN from the first epoch: {losses}"
    good, _ = _trained(_load(CORPUS / "negative-poisson-rate.good.yaml"), x, counts, epochs=3)
    assert np.all(np.isfinite(good)) and good[-1] < good[0], f"the twin trains: {good}"


def test_a_keras_model_with_a_training_bug_still_imports() -> None:
    """Importing is how such a model gets seen and fixed: lint findings do not stop it; validate then names them."""
    import keras

    from graphspec.importer import from_keras

    inputs = keras.Input((8,), name="x")
    model = keras.Model(inputs, keras.layers.Dense(1, activation="softmax", name="y")(inputs))
    model.compile(optimizer="adam", loss={"y": "categorical_crossentropy"})
    spec = from_keras(model)
    with pytest.raises(SpecError) as info:
        graphspec.validate(spec)
    assert sorted(info.value.codes) == ["one-class-loss", "softmax-size-one"]
