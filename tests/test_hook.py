"""The pre-commit hook: validate-only, without TensorFlow, with a dependency list that stays complete.

pre-commit installs a ``language: python`` hook with ``pip install .
<additional_dependencies>`` in the hook repository (pre_commit/languages/python.py,
``install_environment``). The manifest passes ``--no-deps`` and lists by hand
what validate imports; these tests keep that list exact, and the slow test runs
pre-commit 4 for real.
"""

from __future__ import annotations

import importlib.metadata as md
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
# What graphspec requires that validate never imports (tests check validate loads none of them).
NOT_FOR_VALIDATE = {"tensorflow", "keras", "numpy", "matplotlib", "tensorboard", "pygls", "igraph"}


def _hook(hook_id: str = "graphspec-validate") -> dict[str, object]:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    return next(h for h in hooks if h["id"] == hook_id)


def _listed() -> dict[str, Requirement]:
    deps = _hook()["additional_dependencies"]
    assert isinstance(deps, list) and deps[0] == "--no-deps"
    return {canonicalize_name(Requirement(d).name): Requirement(d) for d in deps[1:]}


def _requirements(dist: str) -> list[Requirement]:
    out = []
    for text in md.requires(dist) or []:
        req = Requirement(text)
        if req.marker is None or req.marker.evaluate({"extra": ""}):
            out.append(req)
    return out


def _closure() -> dict[str, list[tuple[str, Requirement]]]:
    """Every distribution validate needs (from the installed metadata), with who requires it and how."""
    found: dict[str, list[tuple[str, Requirement]]] = {}
    todo = [("graphspec", r) for r in _requirements("graphspec") if canonicalize_name(r.name) not in NOT_FOR_VALIDATE]
    while todo:
        parent, req = todo.pop()
        name = canonicalize_name(req.name)
        first = name not in found
        found.setdefault(name, []).append((parent, req))
        if first:
            todo += [(name, r) for r in _requirements(name)]
    return found


def test_the_hook_installs_exactly_what_validate_needs_and_no_tensorflow() -> None:
    listed = _listed()
    closure = _closure()
    assert set(listed) == set(closure), "update additional_dependencies of graphspec-validate in .pre-commit-hooks.yaml"
    assert not set(listed) & {"tensorflow", "keras", "tensorboard", "numpy"}
    assert _hook()["entry"] == "graphspec validate" and _hook()["language"] == "python"


def test_validate_imports_none_of_what_the_hook_leaves_out() -> None:
    # Import names of NOT_FOR_VALIDATE's distributions (and what they pull in: lsprotocol under pygls).
    left_out = ["tensorflow", "keras", "numpy", "matplotlib", "tensorboard", "pygls", "lsprotocol", "igraph"]
    code = (
        "import sys\nfrom graphspec.cli import main\n"
        "assert main(['validate', 'specs/seed/siamese_lstm.yaml', 'specs/seed/ensemble.yaml', "
        "'specs/zoo/resnet50.yaml']) == 0\n"
        f"loaded = sorted({{m.split('.')[0] for m in sys.modules}} & {set(left_out)!r})\n"
        "assert not loaded, loaded\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr


def test_the_listed_versions_satisfy_every_requirement_on_them() -> None:
    """Without resolution pip takes what is listed: each listed floor (or pin) must be one its dependents accept."""
    listed = _listed()
    for name, edges in _closure().items():
        spec = listed[name].specifier
        pins = [s.version for s in spec if s.operator == "=="]
        floors = [s.version for s in spec if s.operator == ">="]
        assert pins or floors, f"{name}: give a floor or a pin"
        lowest = Version(pins[0] if pins else floors[0])
        for parent, req in edges:
            assert req.specifier.contains(lowest, prereleases=True), f"{name} {spec} does not satisfy {parent}'s {req}"
    # pydantic imports only the pydantic-core it was released with: the pair is pinned, and it is the tested pair.
    pair = {n: str(listed[n].specifier) for n in ("pydantic", "pydantic-core")}
    assert all(v.startswith("==") for v in pair.values()), pair
    if md.version("pydantic") == pair["pydantic"][2:]:
        assert pair["pydantic-core"][2:] == md.version("pydantic-core")


@pytest.mark.slow
def test_pre_commit_runs_the_hook_without_tensorflow(tmp_path: Path) -> None:
    """pre-commit 4 with this repository as the hook repository (rev = HEAD): a bad spec blocks the commit.

    Needs network access to the package index (pre-commit and the hook's dependencies are installed).
    """
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin/pip"), "install", "-q", "pre-commit>=4,<5"], check=True, timeout=600)
    repo = tmp_path / "models"
    repo.mkdir()
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "cache"),
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@t",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@t",
    }
    config = {"repos": [{"repo": str(ROOT), "rev": head, "hooks": [{"id": "graphspec-validate"}]}]}
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    shutil.copy(ROOT / "specs/seed/multi_input_qa.yaml", repo / "good.yaml")
    (repo / "bad.yaml").write_text(
        (ROOT / "tests/cases/invalid/typo_layer.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run(["git", "add", "."], cwd=repo, check=True)
    started = time.perf_counter()
    run = subprocess.run(
        [str(venv / "bin/pre-commit"), "run", "--all-files"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    first_run = time.perf_counter() - started
    assert run.returncode == 1, run.stdout + run.stderr
    assert "bad.yaml:" in run.stdout and "error[unknown-layer]" in run.stdout and "good.yaml: ok (" in run.stdout
    envs = list((tmp_path / "cache").glob("repo*/py_env-*"))
    assert envs, list((tmp_path / "cache").iterdir())
    site = next(envs[0].glob("lib/python*/site-packages"))
    assert not (site / "tensorflow").exists() and not (site / "keras").exists()
    size = sum(f.stat().st_size for f in envs[0].rglob("*") if f.is_file())
    print(f"hook environment: {size / 1e6:.1f} MB; first run (install + validate): {first_run:.1f} s")
    assert size < 200e6
