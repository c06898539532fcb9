"""Fuzz worker: runs cases read from stdin under a memory cap, one JSON line each.

Run as a subprocess by the fuzz tests, so that an abort, a segfault or runaway
memory shows up as a dead worker instead of taking the test run down (and a hang
as a worker that does not answer in time: the parent kills it). Each input line
is a case:

* ``{"text": ...}`` or ``{"data": ...}``: ``graphspec.validate`` of spec text or data,
  with ``"params"``, ``"limits"`` and ``"budget"`` when given;
* ``{"files": {name: text}, "root": name}``: the files written to a fresh folder
  (``{"b64": ...}`` for bytes), then ``validate(Path(root))``;
* ``{"archive": b64, "call": "npz" | "keras"}``: an archive read by
  ``graphspec.data.load_npz`` or checked by ``graphspec.source.limits.read_keras_config``
  (what runs before Keras ever sees a ``.keras`` file).

Each output line is ``{"valid": bool, "codes": [...], "seconds": s, "rss_kib": n}``
or ``{"escaped": "ExceptionType: message"}``. Every diagnostic must render as UTF-8.
"""

from __future__ import annotations

import base64
import json
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

MEMORY_CAP = 2 << 30  # 2 GiB of address space: validate needs a small fraction of it


def _write(folder: Path, files: dict[str, Any]) -> None:
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, dict):
            path.write_bytes(base64.b64decode(content["b64"]))
        else:
            path.write_text(content, encoding="utf-8", errors="surrogatepass")


def _run(case: dict[str, Any], folder: Path) -> Any:
    import graphspec

    limits = graphspec.Limits(**case.get("limits", {}))
    budget = graphspec.Budget(**case.get("budget", {}))
    if "archive" in case:
        path = folder / ("data.npz" if case["call"] == "npz" else "model.keras")
        path.write_bytes(base64.b64decode(case["archive"]))
        if case["call"] == "npz":
            from graphspec.data import load_npz

            return load_npz(path, limits)
        from graphspec.source.limits import read_keras_config

        return read_keras_config(path, limits)
    if "files" in case:
        _write(folder, case["files"])
        source: Any = folder / case["root"]
    else:
        source = case["text"] if "text" in case else case["data"]
    params = dict(case.get("params", {}))
    for text in case.get("set", []):  # --set NAME=VALUE, as the command line reads it
        from graphspec.expand import parse_override

        name, value = parse_override(text)
        params[name] = value
    if "big_params" in case:
        params.update(_big_ints(case["big_params"]))
    return graphspec.validate(source, limits=limits, budget=budget, params=params or None)


def _big_ints(texts: dict[str, str]) -> dict[str, int]:
    """Integers of thousands of digits, as a caller in Python could pass them (the int-string limit
    lifted only to make them)."""
    old = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)
    try:
        return {name: int(text) for name, text in texts.items()}
    finally:
        sys.set_int_max_str_digits(old)


def _peak_kib() -> int:
    """This process's own memory high-water mark (VmHWM; ru_maxrss includes the parent's,
    inherited across fork and exec)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _message(exc: BaseException) -> str:
    try:
        return str(exc)[:500]
    except Exception:  # str() of some exceptions raises (an int of 5,000 digits in the message)
        return "<message cannot be printed>"


def main() -> int:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))
    import graphspec
    from graphspec import SpecError

    for line in sys.stdin:
        case = json.loads(line)
        folder = Path(tempfile.mkdtemp(prefix="graphspec-fuzz-"))
        start = time.perf_counter()
        try:
            result = _run(case, folder)
            out: dict[str, Any] = {"valid": True, "codes": [d.code.value for d in getattr(result, "warnings", [])]}
        except SpecError as exc:
            bad = [d for d in exc.diagnostics if not d.message or d.code not in graphspec.Code]
            try:
                exc.render().encode("utf-8")
                json.dumps([d.to_dict() for d in exc.diagnostics], ensure_ascii=False).encode("utf-8")
            except Exception as render_exc:  # a diagnostic that cannot be printed is a crash for whoever prints it
                bad = bad or [f"unprintable: {type(render_exc).__name__}: {render_exc}"]  # type: ignore[list-item]
            out = (
                {"valid": False, "codes": exc.codes}
                if not bad
                else {"escaped": f"malformed diagnostic {bad[0]!r}"[:500]}
            )
        except BaseException as exc:  # the invariant under test: nothing but SpecError escapes
            out = {"escaped": f"{type(exc).__name__}: {_message(exc)}"}
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        out["seconds"] = round(time.perf_counter() - start, 4)
        out["rss_kib"] = _peak_kib()
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
