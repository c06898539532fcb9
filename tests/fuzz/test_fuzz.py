"""Fuzz: for hostile specs, the only exception that escapes is SpecError — in a memory-capped
worker process, so an abort, a crash or runaway memory fails the test instead of the run, and
a case that does not answer within CASE_TIMEOUT seconds (a hang inside one C call) fails too.

The default run covers 3,060 cases; ``pytest tests/fuzz --long`` covers 122,000. Each class of
issue 19 has its own strategy (surrogates, huge digits, NUL bytes in paths, lying archives,
expansion amplifiers); the run prints every test's outcomes, its slowest case and the
worker's peak memory.
"""

from __future__ import annotations

import json
import select
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz.strategies import (
    amplifier_cases,
    archive_cases,
    hostile_text,
    huge_digit_cases,
    mutated_data,
    nul_path_cases,
    schema_specs,
    surrogate_cases,
)

WORKER = Path(__file__).with_name("worker.py")
ROOT = Path(__file__).resolve().parents[2]
CASE_TIMEOUT = 60.0  # seconds: generous on a loaded 2-core machine; the slowest case is printed


class Worker:
    """A validate subprocess under RLIMIT_AS, fed one case per line; restarted if it dies."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen[str] | None = None
        self.outcomes: Counter[str] = Counter()
        self.slowest = 0.0
        self.peak_kib = 0

    def _start(self) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, str(WORKER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            bufsize=1,
        )

    def run(self, case: dict[str, Any]) -> dict[str, Any]:
        if self.proc is None or self.proc.poll() is not None:
            self.proc = self._start()
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(case) + "\n")
        self.proc.stdin.flush()
        ready, _, _ = select.select([self.proc.stdout], [], [], CASE_TIMEOUT)
        if not ready:
            self.proc.kill()
            self.proc.wait()
            self.proc = None
            pytest.fail(f"no answer in {CASE_TIMEOUT:.0f} s on case {json.dumps(case)[:2000]}")
        line = self.proc.stdout.readline()
        if not line:
            code = self.proc.wait()
            err = self.proc.stderr.read()[-2000:] if self.proc.stderr else ""
            self.proc = None
            pytest.fail(f"the worker died (exit {code}) on case {json.dumps(case)[:2000]}\n{err}")
        out: dict[str, Any] = json.loads(line)
        self.outcomes["escaped" if "escaped" in out else "valid" if out["valid"] else "invalid"] += 1
        self.slowest = max(self.slowest, out.get("seconds", 0.0))
        self.peak_kib = max(self.peak_kib, out.get("rss_kib", 0))
        return out

    def close(self) -> None:
        if self.proc is not None:
            self.proc.stdin.close()  # type: ignore[union-attr]
            self.proc.wait(timeout=30)


@pytest.fixture
def worker(request: pytest.FixtureRequest) -> Iterator[Worker]:
    """One worker per test (restarted after a death), so each test's figures are its own."""
    w = Worker()
    yield w
    print(
        f"\n{request.node.name}: {dict(w.outcomes)}, slowest case {w.slowest:.2f} s, "
        f"worker peak {w.peak_kib / 1024:.0f} MiB"
    )
    w.close()


def examples(request: pytest.FixtureRequest, default: int, long: int) -> Any:
    n = long if request.config.getoption("--long") else default
    return settings(
        max_examples=n, deadline=None, derandomize=False, database=None, suppress_health_check=list(HealthCheck)
    )


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


@pytest.mark.parametrize(
    ("strategy", "default", "long"),
    [
        (surrogate_cases, 150, 5_000),
        (huge_digit_cases, 150, 5_000),
        (nul_path_cases, 60, 2_000),
        (archive_cases, 150, 5_000),
        (amplifier_cases, 150, 5_000),
    ],
    ids=["surrogates", "huge-digits", "nul-paths", "lying-archives", "expansion-amplifiers"],
)
def test_untrusted_input_classes(
    request: pytest.FixtureRequest, worker: Worker, strategy: Any, default: int, long: int
) -> None:
    @examples(request, default=default, long=long)
    @given(strategy())
    def run(case: dict[str, Any]) -> None:
        _check(worker, case)

    run()
