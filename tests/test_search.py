"""search: the `search:` section parsed, its points described and sampled, its conditions applied to the spec."""

from __future__ import annotations

import random
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import graphspec
from graphspec.expand.search import Space, parse_space
from graphspec.source import parse_text

SPEC = """\
graphspec: 1
name: family
params:
  width: 64
  depth: 2
  rate: 0.1
  act: relu
  optimizer: Adam
  learning_rate: 0.001
  momentum: 0.0
  nesterov: false
  beta_1: 0.9
  head: {type: int, default: 32}
inputs:
  x: {shape: [16]}
blocks:
  dense:
    params: {units: int}
    nodes:
      d: {layer: Dense, inputs: x, units: $units, activation: $act}
    outputs: d
nodes:
  body: {block: dense, inputs: x, units: $width, repeat: $depth}
  drop: {layer: Dropout, inputs: body, rate: $rate}
  y: {layer: Dense, inputs: drop, units: $head}
outputs:
  y: {loss: mse}
compile:
  optimizer: {class_name: $optimizer, config: {learning_rate: $learning_rate, momentum: $momentum, nesterov: $nesterov, beta_1: $beta_1}}
fit: {validation_split: 0.25}
search:
  constraints: {max_params: 20000}
  params:
    width: {int: [16, 128], step: 16}
    depth: {int: [1, 3]}
    rate: {float: [0.0, 0.5], step: 0.1}
    act: [relu, gelu]
    learning_rate: {float: [1.0e-4, 1.0e-2], scale: log}
    optimizer:
      choice:
        SGD: {momentum: {float: [0.0, 0.9]}, nesterov: boolean}
        Adam: {beta_1: {float: [0.8, 0.99]}}
        RMSprop: {momentum: {float: [0.0, 0.9]}}
    head: "${width // 2}"
"""  # noqa: E501


def space_of(text: str = SPEC) -> Space:
    space = parse_space(parse_text(text, file="family.yaml"))
    assert space is not None
    return space


# -- parsing -------------------------------------------------------------------


def test_kinds_conditions_and_defaults_are_parsed() -> None:
    space = space_of()
    by = space.by_name
    assert [p.name for p in space.params] == [
        "width",
        "depth",
        "rate",
        "act",
        "learning_rate",
        "optimizer",
        "momentum",
        "nesterov",
        "beta_1",
        "head",
    ]
    assert (by["width"].kind, by["width"].low, by["width"].high, by["width"].step) == ("int", 16, 128, 16)
    assert by["depth"].step == 1  # an int range without a step: every integer, as Keras Tuner's Int
    assert (by["learning_rate"].scale, by["learning_rate"].step) == ("log", None)
    assert by["act"].values == ("relu", "gelu")
    assert by["optimizer"].branches == {"SGD": ("momentum", "nesterov"), "Adam": ("beta_1",), "RMSprop": ("momentum",)}
    # one parameter in two branches of the same choice is one parameter, active in both
    assert [(c.parent, c.values) for c in by["momentum"].conditions] == [("optimizer", ("SGD", "RMSprop"))]
    assert by["head"].kind == "derived" and by["head"].expression == "width // 2"
    # each searched parameter's default is the value the spec is written with
    assert (by["width"].default, by["optimizer"].default, by["beta_1"].default) == (64, "Adam", 0.9)
    assert space.objective.name == "val_loss" and space.objective.direction == "min" and not space.objective_given
    assert space.max_params == 20000 and space.max_flops is None


def test_grid_values_are_keras_tuners() -> None:
    kt = pytest.importorskip("keras_tuner")
    text = SPEC.replace(
        "learning_rate: {float: [1.0e-4, 1.0e-2], scale: log}",
        "learning_rate: {float: [1.0e-4, 1.0e-1], step: 10, scale: log}",
    )
    space = space_of(text)
    hp = kt.HyperParameters()
    hp.Int("w", 16, 128, step=16)
    hp.Float("r", 0.0, 0.5, step=0.1)
    hp.Float("l", 1e-4, 1e-1, step=10, sampling="log")
    ints, floats, logs = hp.space
    by = space.by_name
    assert by["width"].grid() == tuple(ints.values)
    assert by["learning_rate"].grid() == pytest.approx(tuple(logs.values))
    # Keras Tuner's own Float(0.0, 0.5, step=0.1) stops at 0.4 (0.5 // 0.1 is 4.0 in floats): the
    # space says 0.5 is in, so graphspec hands Keras Tuner a bound a hair above 0.5.
    assert tuple(floats.values) == pytest.approx((0.0, 0.1, 0.2, 0.3, 0.4))
    assert by["rate"].grid() == (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)  # written as the decimals they stand for
    from graphspec.tune._tuner import hyperparameters

    mapped = {h.name: h for h in hyperparameters(kt, space).space}
    assert tuple(float(f"{v:.12g}") for v in mapped["rate"].values) == by["rate"].grid()


def test_sizes_and_corners_are_counted_without_enumerating() -> None:
    space = space_of(
        SPEC.replace("learning_rate: {float: [1.0e-4, 1.0e-2], scale: log}", "learning_rate: [0.001, 0.01]")
    )
    assert space.configurations() is None  # momentum and beta_1 are continuous
    fixed = space_of(
        SPEC.replace("learning_rate: {float: [1.0e-4, 1.0e-2], scale: log}", "learning_rate: [0.001, 0.01]")
        .replace("momentum: {float: [0.0, 0.9]}, nesterov", "momentum: [0.0, 0.9], nesterov")
        .replace("RMSprop: {momentum: {float: [0.0, 0.9]}}", "RMSprop: {momentum: [0.0, 0.9]}")
        .replace("beta_1: {float: [0.8, 0.99]}", "beta_1: [0.8, 0.9, 0.99]")
    )
    # optimizer: SGD 2 momentum x 2 nesterov + Adam 3 + RMSprop 2 = 9
    assert fixed.configurations() == 8 * 3 * 6 * 2 * 2 * 9
    # corners: width 2 x depth 2 x rate 2 x act 2 x lr 2 x (SGD 4 + Adam 3 + RMSprop 2)
    assert fixed.corners() == 2**5 * 9
    assert len(list(fixed.every_corner())) == fixed.corners()


def test_random_points_stay_in_bounds_and_honour_conditions() -> None:
    space = space_of()
    rng = random.Random(1)
    seen_optimizers = set()
    for _ in range(300):
        point = space.point(space.random_point(rng))
        v = point.values
        assert 16 <= v["width"] <= 128 and v["width"] % 16 == 0
        assert v["depth"] in (1, 2, 3) and v["act"] in ("relu", "gelu")
        assert 1e-4 <= v["learning_rate"] <= 1e-2
        assert v["rate"] in (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)
        assert v["head"] == v["width"] // 2  # derived
        active = {"SGD": {"momentum", "nesterov"}, "Adam": {"beta_1"}, "RMSprop": {"momentum"}}[v["optimizer"]]
        assert active <= set(v) and not (({"momentum", "nesterov", "beta_1"} - active) & set(v))
        assert point.inactive == {"momentum", "nesterov", "beta_1"} - active
        seen_optimizers.add(v["optimizer"])
    assert seen_optimizers == {"SGD", "Adam", "RMSprop"}


def test_keras_tuner_samples_are_points_of_the_space() -> None:
    """The space as Keras Tuner hyperparameters: what its oracle draws is exactly a point (conditions included)."""
    kt = pytest.importorskip("keras_tuner")
    from graphspec.tune._tuner import hyperparameters

    space = space_of()
    hp = hyperparameters(kt, space)
    oracle = kt.oracles.RandomSearchOracle(
        objective=kt.Objective("val_loss", "min"), max_trials=100, hyperparameters=hp, seed=3
    )
    optimizers = set()
    for _ in range(60):
        values = oracle._random_values()
        point = space.point(values)  # raises for a missing or out-of-domain value
        assert set(values) == {p.name for p in space.searched if p.name not in point.inactive}
        optimizers.add(values["optimizer"])
    assert optimizers == {"SGD", "Adam", "RMSprop"}


def test_nested_conditions_three_levels() -> None:
    """A branch inside a branch: keras-tuner#284 breaks on this with `parent_name`; nested scopes hold."""
    kt = pytest.importorskip("keras_tuner")
    from graphspec.tune._tuner import hyperparameters

    text = SPEC.replace(
        "SGD: {momentum: {float: [0.0, 0.9]}, nesterov: boolean}",
        "SGD: {momentum: {float: [0.0, 0.9]}, nesterov: {choice: {true: {beta_1: {float: [0.8, 0.99]}}, false: {}}}}",
    ).replace("Adam: {beta_1: {float: [0.8, 0.99]}}", "Adam: {}")
    space = space_of(text)
    assert [(c.parent, c.values) for c in space.by_name["beta_1"].conditions] == [
        ("optimizer", ("SGD",)),
        ("nesterov", (True,)),
    ]
    oracle = kt.oracles.RandomSearchOracle(
        objective="val_loss", max_trials=100, hyperparameters=hyperparameters(kt, space), seed=5
    )
    deep = 0
    for _ in range(80):
        values = oracle._random_values()
        point = space.point(values)
        if values["optimizer"] == "SGD" and values["nesterov"]:
            assert "beta_1" in values
            deep += 1
        else:
            assert "beta_1" not in values and "beta_1" in point.inactive
    assert deep > 0


def test_point_refuses_values_outside_the_space() -> None:
    space = space_of()
    good = {
        "width": 32,
        "depth": 1,
        "rate": 0.2,
        "act": "gelu",
        "learning_rate": 0.001,
        "optimizer": "Adam",
        "beta_1": 0.85,
    }
    assert space.point(good).values["head"] == 16
    for bad in (
        {"width": 40},
        {"width": 256},
        {"rate": 0.25},
        {"act": "tanh"},
        {"learning_rate": 0.5},
        {"optimizer": "Nadam"},
    ):
        with pytest.raises(graphspec.SpecError) as info:
            space.point({**good, **bad})
        assert info.value.codes == ["bad-value"]
    with pytest.raises(graphspec.SpecError) as info:
        space.point({k: v for k, v in good.items() if k != "beta_1"})
    assert info.value.codes == ["missing-param"]


def test_derived_value_of_the_wrong_type_is_reported_at_its_text() -> None:
    space = space_of(SPEC.replace('head: "${width // 2}"', 'head: "${width / 3}"'))
    good = {
        "width": 32,
        "depth": 1,
        "rate": 0.2,
        "act": "gelu",
        "learning_rate": 0.001,
        "optimizer": "Adam",
        "beta_1": 0.85,
    }
    with pytest.raises(graphspec.SpecError) as info:
        space.point(good)
    (d,) = info.value.diagnostics
    assert d.code.value == "wrong-type" and d.line == SPEC.splitlines().index('    head: "${width // 2}"') + 1
    assert "derived parameter 'head' is int; ${width / 3} gives float 10.666666666666666" in d.message


# -- the spec as written: conditions applied ------------------------------------


def test_the_spec_builds_as_written_inactive_arguments_left_out(tmp_path: Path) -> None:
    path = tmp_path / "family.yaml"
    path.write_text(SPEC)
    report = graphspec.validate(path)
    assert report.spec.compile is not None
    assert report.spec.compile.optimizer == {"class_name": "Adam", "config": {"learning_rate": 0.001, "beta_1": 0.9}}
    sgd = graphspec.validate(path, params={"optimizer": "SGD"}).spec.compile
    assert sgd is not None and sgd.optimizer == {
        "class_name": "SGD",
        "config": {"learning_rate": 0.001, "momentum": 0.0, "nesterov": False},
    }
    assert "search" not in graphspec.expand(path).to_data()


def test_a_document_already_read_gets_the_same_conditions(tmp_path: Path) -> None:
    """validate_loaded (the language server's entry) applies the search's conditions as validate does."""
    from graphspec.pipeline import validate_loaded
    from graphspec.source import parse_text

    path = tmp_path / "family.yaml"
    path.write_text(SPEC)
    report = validate_loaded(parse_text(SPEC, file=str(path)))
    assert report.spec.compile is not None
    assert report.spec.compile.optimizer == graphspec.validate(path).spec.compile.optimizer  # type: ignore[union-attr]
    assert "momentum" not in report.spec.compile.optimizer["config"]  # type: ignore[index]


def test_setting_an_inactive_parameter_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "family.yaml"
    path.write_text(SPEC)
    with pytest.raises(graphspec.SpecError) as info:
        graphspec.validate(path, params={"momentum": 0.5})
    (d,) = info.value.diagnostics
    assert d.code.value == "bad-value"
    assert (
        d.message
        == "--set/params gives momentum, which applies only when optimizer is SGD or RMSprop (here optimizer=Adam)"
    )
    assert (
        graphspec.validate(path, params={"momentum": 0.5, "optimizer": "SGD"}).spec.compile.optimizer["config"][
            "momentum"
        ]
        == 0.5
    )  # type: ignore[union-attr]


def test_only_whole_references_to_inactive_parameters_are_left_out() -> None:
    from graphspec.expand.search import inactive_entries_dropped

    data = {
        "params": {"m": 0.0},
        "search": {"params": {"m": "$m"}},
        "a": {"x": "$m", "y": "${ m }", "z": "${m * 2}", "w": "$mm", "list": ["$m"], "deep": {"q": "$m"}},
    }
    out = inactive_entries_dropped(data, frozenset({"m"}))
    assert out["a"] == {"z": "${m * 2}", "w": "$mm", "list": ["$m"], "deep": {}}
    assert out["params"] == data["params"] and out["search"] == data["search"]
    assert data["a"]["x"] == "$m"  # the caller's data is not touched


def test_a_spec_without_search_is_untouched_and_never_imports_the_module() -> None:
    code = (
        "import sys, graphspec; from pathlib import Path\n"
        "graphspec.validate(Path('specs/seed/multi_output.yaml'))\n"
        "assert 'graphspec.expand.search' not in sys.modules, 'loaded for a spec without search'\n"
        "graphspec.validate(Path('specs/tuned/post_profile.yaml'))\n"
        "assert 'graphspec.expand.search' in sys.modules\n"
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("{int: [16, 64], step: 0}", "search parameter 'width': the step must be above 0; got 0"),
        ("{int: [16, 64], step: 100}", "search parameter 'width': step 100 is larger than the range 16..64"),
        (
            "{int: [16, 64], step: 1, scale: log}",
            "search parameter 'width': with a log scale the step is a factor above 1 (2 gives 32, 64, 128); got 1",
        ),
        ("{int: [0, 64], scale: log}", "search parameter 'width': a log scale needs low > 0; got 0"),
        ("{int: [16.5, 64]}", "a int range is [low, high] of two integers; got list [16.5, 64]"),
        (
            "{int: [16, 64], float: [1, 2]}",
            "search parameter 'width' gives 2 kinds (int, float); give exactly one of int, float, choice, fixed",
        ),
        ("{fixed: 1.5}", "search parameter 'width' is int; fixed value float 1.5 is not"),
        ("[16, 16]", "choice value 16 is given twice"),
        ("[]", "a choice needs at least one value; got list []"),
        (
            "64",
            "search parameter 'width': expected a range, a choice, "
            '`boolean`, {fixed: v} or "${expression}"; got int 64',
        ),
        ("boolean", "search parameter 'width' is int; `boolean` searches a bool parameter"),
        ("{choice: {16: {}, sixteen: {}}}", "search parameter 'width' is int; choice value str 'sixteen' is not"),
    ],
)
def test_malformed_entries(entry: str, message: str) -> None:
    text = textwrap.dedent(f"""\
        graphspec: 1
        params: {{width: 64}}
        inputs: {{x: {{shape: [4]}}}}
        nodes: {{y: {{layer: Dense, inputs: x, units: $width}}}}
        outputs: {{y: {{loss: mse}}}}
        search:
          params:
            width: {entry}
        """)
    with pytest.raises(graphspec.SpecError) as info:
        graphspec.validate(text)
    assert [d.message for d in info.value.diagnostics] == [message]
    assert all(d.line is not None and d.line >= 8 for d in info.value.diagnostics)


def test_a_parameter_searched_twice_is_named_with_its_first_place() -> None:
    text = SPEC.replace("RMSprop: {momentum: {float: [0.0, 0.9]}}", "RMSprop: {momentum: {float: [0.0, 0.5]}}")
    with pytest.raises(graphspec.SpecError) as info:
        graphspec.validate(text)
    (d,) = info.value.diagnostics
    assert d.code.value == "duplicate-name" and "parameter 'momentum' is searched twice (first at <spec>:" in d.message


def test_objective_forms() -> None:
    assert (
        space_of(SPEC.replace("  constraints:", "  objective: val_y_acc\n  constraints:")).objective.direction == "max"
    )
    named = space_of(SPEC.replace("  constraints:", "  objective: {name: val_loss, direction: max}\n  constraints:"))
    assert (named.objective.name, named.objective.direction, named.objective_given) == ("val_loss", "max", True)
    with pytest.raises(graphspec.SpecError) as info:
        space_of(SPEC.replace("  constraints:", "  objective: val_score\n  constraints:"))
    assert info.value.diagnostics[0].message == "cannot tell whether 'val_score' is to be minimised or maximised"
