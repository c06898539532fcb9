"""Fuzz worker: validates cases read from stdin under a memory cap, one JSON line each.

Run as a subprocess by the fuzz tests, so that an abort, a segfault or runaway
memory shows up as a dead worker instead of taking the test run down. Each input
line is ``{"text": ...}`` or ``{"data": ...}``; each output line is
``{"valid": bool, "codes": [...]}`` or ``{"escaped": "ExceptionType: message"}``.
"""

from __future__ import annotations

import json
import resource
import sys

MEMORY_CAP = 2 << 30  # 2 GiB of address space: validate needs a small fraction of it


def main() -> int:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))
    import graphspec
    from graphspec import SpecError

    for line in sys.stdin:
        case = json.loads(line)
        source = case["text"] if "text" in case else case["data"]
        try:
            report = graphspec.validate(source)
            out = {"valid": True, "codes": [d.code.value for d in report.warnings]}
        except SpecError as exc:
            bad = [d for d in exc.diagnostics if not d.message or d.code not in graphspec.Code]
            out = {"valid": False, "codes": exc.codes} if not bad else {"escaped": f"malformed diagnostic {bad[0]!r}"}
        except BaseException as exc:  # the invariant under test: nothing but SpecError escapes
            out = {"escaped": f"{type(exc).__name__}: {str(exc)[:500]}"}
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
