"""Fuzz: for hostile specs, the only exception that escapes is SpecError — in a memory-capped
worker process, so an abort, a crash or runaway memory fails the test instead of the run.

The default run covers 2,400 cases; ``pytest tests/fuzz --long`` covers 100,000.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz.strategies import hostile_text, mutated_data, schema_specs

WORKER = Path(__file__).with_name("worker.py")
ROOT = Path(__file__).resolve().parents[2]


class Worker:
    """A validate subprocess under RLIMIT_AS, fed one case per line; restarted if it dies."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen[str] | None = None
        self.outcomes: Counter[str] = Counter()

    def _start(self) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, str(WORKER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, bufsize=1
        )

    def run(self, case: dict[str, Any]) -> dict[str, Any]:
        if self.proc is None or self.proc.poll() is not None:
            self.proc = self._start()
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(case) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            code = self.proc.wait()
            err = self.proc.stderr.read()[-2000:] if self.proc.stderr else ""
            self.proc = None
            pytest.fail(f"the worker died (exit {code}) on case {json.dumps(case)[:2000]}\n{err}")
        out: dict[str, Any] = json.loads(line)
        self.outcomes["escaped" if "escaped" in out else "valid" if out["valid"] else "invalid"] += 1
        return out

    def close(self) -> None:
        if self.proc is not None:
            self.proc.stdin.close()  # type: ignore[union-attr]
            self.proc.wait(timeout=30)


@pytest.fixture(scope="module")
def worker() -> Iterator[Worker]:
    w = Worker()
    yield w
    print(f"\nfuzz outcomes: {dict(w.outcomes)}")
    w.close()


def examples(request: pytest.FixtureRequest, default: int, long: int) -> Any:
    n = long if request.config.getoption("--long") else default
    return settings(max_examples=n, deadline=None, derandomize=False, database=None, suppress_health_check=list(HealthCheck))


def _check(worker: Worker, case: dict[str, Any]) -> None:
    out = worker.run(case)
    assert "escaped" not in out, f"{out['escaped']}\non case: {json.dumps(case)[:3000]}"


def test_mutated_specs(request: pytest.FixtureRequest, worker: Worker) -> None:
    @examples(request, default=1000, long=40_000)
    @given(mutated_data())
    def run(data: Any) -> None:
        _check(worker, {"data": data})

    run()


def test_hostile_text(request: pytest.FixtureRequest, worker: Worker) -> None:
    @examples(request, default=800, long=30_000)
    @given(hostile_text())
    def run(text: str) -> None:
        _check(worker, {"text": text})

    run()


def test_specs_from_the_json_schema(request: pytest.FixtureRequest, worker: Worker) -> None:
    valid = Counter[bool]()

    @examples(request, default=600, long=30_000)
    @given(schema_specs(), st.booleans())
    def run(spec: dict[str, Any], as_text: bool) -> None:
        out = worker.run({"text": json.dumps(spec)} if as_text else {"data": spec})
        assert "escaped" not in out, f"{out['escaped']}\non case: {json.dumps(spec)[:3000]}"
        valid[out["valid"]] += 1

    run()
    # The generator must reach past the first checks: some generated specs are valid.
    assert valid[True] > 0, dict(valid)
