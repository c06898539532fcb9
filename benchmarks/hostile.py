# ruff: noqa: E501  (cases are one-line programs run in a child process)
"""The worst case of each class of untrusted input (issue 19), measured: time and peak memory.

Each case runs in a fresh process at the default limits (graphspec.Limits(),
graphspec.Budget()) unless its name says otherwise, and reports what it ended in
(the diagnostic code, or "valid"), the time of the call itself, and the process's
peak resident memory (ru_maxrss: the interpreter and graphspec's imports
included; the process's own high-water mark, VmHWM). The same run times `python -c "import keras"` and a fresh
`graphspec validate` of one seed spec, so the figures compare with work of a
known size on a machine whose load varies (the ratio column).

Run: python benchmarks/hostile.py [--only SUBSTRING]    (about 10 minutes; the 99,000-node cases and TensorFlow's import dominate)
                                  [--json PATH | --no-json]

The table is also written to benchmarks/results/hostile.json (see benchmarks/results/README.md).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import _results

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

# Each case: (class, name, code run in the child; it defines `run()` returning a result, in a
# folder holding the files the setup wrote). The child prints {"outcome", "seconds", "rss_mib"}.
PRELUDE = """
import json, os, resource, sys, time
from pathlib import Path
import graphspec
from graphspec import Budget, Limits, SpecError
X = {"x": {"shape": [4]}}
def spec(nodes, **more):
    return {"graphspec": 1, "inputs": X, "nodes": nodes, "outputs": {list(nodes)[-1]: {}}, **more}
"""
EPILOGUE = """
start = time.perf_counter()
try:
    result = run()
    outcome = "valid" if result is not None else "done"
except SpecError as exc:
    outcome = ",".join(sorted(set(exc.codes)))
    exc.render()
seconds = time.perf_counter() - start
def peak_mib():
    # VmHWM: this process's own high-water mark (ru_maxrss would include the parent's, inherited across fork and exec).
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"outcome": outcome, "seconds": seconds, "rss_mib": peak_mib(),
                  "keras": any(m.split(".")[0] in ("tensorflow", "keras") for m in sys.modules)}))
"""


def _repeated_chain(error: bool) -> str:
    """999 copies of a 99-node block: 98,901 nodes + 999 copies + 1, just under the default max_nodes (100,000)."""
    extra = ', "unit": 4' if error else ""
    return f"""
def run():
    chain = {{f"n{{i}}": {{"layer": "Dense", "inputs": f"n{{i - 1}}" if i else "x", "units": 4{extra}}} for i in range(99)}}
    blocks = {{"b": {{"nodes": chain, "outputs": "n98"}}}}
    return graphspec.validate(spec({{"r": {{"block": "b", "inputs": "x", "repeat": 999}}}}, blocks=blocks))
"""


CASES: list[tuple[str, str, str]] = [
    (
        "text as path",
        "validate('/proc/self/environ')",
        "def run():\n    return graphspec.validate('/proc/self/environ')",
    ),
    (
        "surrogates",
        "1 MiB of JSON '\\ud800' escapes",
        "def run():\n    return graphspec.validate(json.dumps({'graphspec': 1, 'description': 'x'})[:-2] + '\\\\ud800' * 170_000 + '\"}')",
    ),
    (
        "huge digits",
        "1 MiB of 5,000-digit integers",
        "def run():\n    return graphspec.validate('{\"graphspec\": 1, \"pad\": [' + ','.join(['9' * 5000] * 200) + ']}')",
    ),
    (
        "huge digits",
        "override key and name:i of 5,000 digits",
        "def run():\n    b = {'b': {'nodes': {'d': {'layer': 'Dense', 'inputs': 'x', 'units': 4}}, 'outputs': 'd'}}\n"
        "    return graphspec.validate(spec({'r': {'block': 'b', 'inputs': 'x', 'repeat': 2, 'override': {'9' * 5000: {}}}, 'd': {'layer': 'Dense', 'inputs': 'x:' + '9' * 5000, 'units': 2}}, blocks=b))",
    ),
    ("NUL bytes", "include and model: paths", "def run():\n    return graphspec.validate(Path('nul.yaml'))"),
    (
        "deep JSON",
        "1 MiB of '[' after escaped brackets in a string",
        "def run():\n    return graphspec.validate(Path('deep1m.json'))",
    ),
    (
        "not UTF-8",
        "1 MiB spec, bad byte at the end",
        "def run():\n    return graphspec.validate(Path('latin1.yaml'))",
    ),
    (
        "expansion",
        "repeat 100,000 x 200,000-element list",
        "def run():\n    b = {'b': {'nodes': {'d': {'layer': 'Normalization', 'inputs': 'x', 'mean': list(range(200_000))}}, 'outputs': 'd'}}\n    return graphspec.validate(spec({'r': {'block': 'b', 'inputs': 'x', 'repeat': 100_000}}, blocks=b))",
    ),
    (
        "expansion",
        "repeat 5,000 x inline model of 2,000 nodes",
        "def run():\n    inner = {f'n{i}': {'layer': 'Dense', 'inputs': f'n{i - 1}' if i else 'a', 'units': 2} for i in range(2000)}\n"
        "    m = {'inputs': {'a': {'shape': [4]}}, 'nodes': inner, 'outputs': {'n1999': {}}}\n"
        "    b = {'b': {'nodes': {'m': {'model': m, 'inputs': 'x'}}, 'outputs': 'm'}}\n"
        "    return graphspec.validate(spec({'r': {'block': 'b', 'inputs': 'x', 'repeat': 5000}}, blocks=b))",
    ),
    ("expansion", "63 spellings of one 1 MiB include", "def run():\n    return graphspec.validate(Path('top63.yaml'))"),
    (
        "expansion",
        "30 string defaults doubling 100 chars",
        "def run():\n    p = {'p0': 'a' * 100, **{f'p{i}': f'${{p{i - 1}}}${{p{i - 1}}}' for i in range(1, 31)}}\n    return graphspec.validate(spec({'d': {'layer': 'Dense', 'inputs': 'x', 'units': 2}}, params=p))",
    ),
    ("expansion", "8 model: nodes on one 1 MiB file", "def run():\n    return graphspec.validate(Path('top8.yaml'))"),
    (
        "expansion",
        "5 model: nodes on one 1 MiB file: 95,000 nodes, valid",
        "def run():\n    return graphspec.validate(Path('top5.yaml'))",
    ),
    (
        "expansion",
        "model: files 6 deep, 6 a level (7 files of 8 lines)",
        "def run():\n    return graphspec.validate(Path('tree/l0.yaml'))",
    ),
    ("expansion", "99,000 nodes from a 5 KB spec, valid", _repeated_chain(False)),
    ("expansion", "99,000 nodes, an error in each", _repeated_chain(True)),
    (
        "expressions",
        "round(2, -10**8)",
        "def run():\n    return graphspec.validate(spec({'d': {'layer': 'Dense', 'inputs': 'x', 'units': '${round(2, -10**8)}'}}))",
    ),
    (
        "objects",
        "140,000 metrics on one output",
        "def run():\n    return graphspec.validate(spec({'d': {'layer': 'Dense', 'inputs': 'x', 'units': 2}}, outputs={'d': {'loss': 'mse', 'metrics': ['mae'] * 140_000}}))",
    ),
    (
        "data",
        ".npz header declaring 10**10 float32",
        "def run():\n    from graphspec.data import load_npz\n    return load_npz(Path('lie.npz'))",
    ),
    (
        "data",
        ".npz of 300 bytes whose member claims 4 GiB",
        "def run():\n    from graphspec.data import load_npz\n    return load_npz(Path('bomb.npz'))",
    ),
    (
        "data",
        "--synthetic 10,000 for a 10**6-class softmax",
        "def run():\n    from graphspec.data import synthetic_arrays\n"
        "    r = graphspec.validate(spec({'y': {'layer': 'Dense', 'inputs': 'x', 'units': 1_000_000, 'activation': 'softmax'}}, outputs={'y': {'loss': 'categorical_crossentropy'}}))\n"
        "    return synthetic_arrays(r, 10_000)",
    ),
    (
        "data",
        "--synthetic 2 for a 10**6-class softmax (allowed)",
        "def run():\n    from graphspec.data import synthetic_arrays\n"
        "    r = graphspec.validate(spec({'y': {'layer': 'Dense', 'inputs': 'x', 'units': 1_000_000, 'activation': 'softmax'}}, outputs={'y': {'loss': 'categorical_crossentropy'}}))\n"
        "    return synthetic_arrays(r, 2)",
    ),
    (
        "model files",
        ".keras whose config.json claims 3.5 GiB",
        "def run():\n    return graphspec.from_keras(Path('bomb.keras'))",
    ),
    (
        "model files",
        "Keras JSON declaring 10**12 parameters",
        "def run():\n    import keras\n    x = keras.Input((3,), name='x')\n    text = keras.Model(x, keras.layers.Dense(2, name='d')(x)).to_json()\n"
        "    return graphspec.from_keras(text.replace('\"units\": 2', '\"units\": 1000000').replace('[null, 3]', '[null, 1000000]'))",
    ),
    (
        "diff",
        "200,000-deep JSON",
        "def run():\n    from graphspec.importer import load_any\n    return load_any(Path('deep.json'))",
    ),
    (
        "diff",
        "200 MB JSON file",
        "def run():\n    from graphspec.importer import load_any\n    return load_any(Path('big.json'))",
    ),
    (
        "build",
        "build 99,000 valid nodes (refused before TensorFlow)",
        _repeated_chain(False).replace("return graphspec.validate(", "return graphspec.build("),
    ),
    (
        "build",
        "build Embedding(249999999, 4), Budget(max_build_bytes=8e9)",
        "def run():\n    return graphspec.build(spec({'e': {'layer': 'Embedding', 'inputs': 'x', 'input_dim': 249_999_999, 'output_dim': 4}}), budget=Budget(max_build_bytes=8 * 10**9))",
    ),
    (
        "build",
        "build Embedding(25_000_000, 4): 381 MiB of weights (TensorFlow loads)",
        "def run():\n    return graphspec.build(spec({'e': {'layer': 'Embedding', 'inputs': 'x', 'input_dim': 25_000_000, 'output_dim': 4}}), compile=False)",
    ),
]


def _files(folder: Path) -> None:
    """The files the cases read: written once, most of them forged in a few bytes."""
    import io
    import struct
    import zipfile

    blk = "graphspec: 1\nblocks:\n  b: {nodes: {d: {layer: Dense, inputs: x, units: 2}}, outputs: d}\n"
    (folder / "blk.yaml").write_text(
        blk + "#" + "p" * ((1 << 20) - len(blk) - 8_000) + "\n"
    )  # with the spec including it: just under 1 MiB
    spellings = ["blk.yaml"] + ["./" * k + "blk.yaml" for k in range(1, 63)]
    (folder / "top63.yaml").write_text(
        "graphspec: 1\ninputs: {x: {shape: [4]}}\ninclude: "
        + json.dumps(spellings)
        + "\nnodes:\n  r: {block: b, inputs: x}\noutputs: {r: {}}\n"
    )
    member_nodes = "".join(
        f"  n{i}: {{layer: Dense, inputs: {f'n{i - 1}' if i else 'x'}, units: 2}}\n" for i in range(19_000)
    )
    member = f"graphspec: 1\ninputs: {{x: {{shape: [4]}}}}\nnodes:\n{member_nodes}outputs: {{n18999: {{}}}}\n"  # 19,000 nodes in 1 MiB
    assert len(member) < (1 << 20) - 2_000, len(member)
    (folder / "member.yaml").write_text(member)
    for count in (8, 5):
        uses = "".join(f"  m{i}: {{model: member.yaml, inputs: x}}\n" for i in range(count))
        refs = ", ".join(f"m{i}" for i in range(count))
        (folder / f"top{count}.yaml").write_text(
            f"graphspec: 1\ninputs: {{x: {{shape: [4]}}}}\nnodes:\n{uses}  y: {{layer: Add, inputs: [{refs}]}}\noutputs: {{y: {{}}}}\n"
        )
    (folder / "tree").mkdir()
    for level in range(7):  # l0 ... l6, each with 6 model: nodes on the next: 6**6 leaves
        refs = [f"m{i}" for i in range(6)] if level < 6 else []
        nodes = "".join(f"  m{i}: {{model: l{level + 1}.yaml, inputs: x}}\n" for i in range(len(refs)))
        last = (
            f"  y: {{layer: Add, inputs: [{', '.join(refs)}]}}\n"
            if refs
            else "  y: {layer: Dense, inputs: x, units: 2}\n"
        )
        (folder / "tree" / f"l{level}.yaml").write_text(
            f"graphspec: 1\ninputs: {{x: {{shape: [2]}}}}\nnodes:\n{nodes}{last}outputs: {{y: {{}}}}\n"
        )
    (folder / "nul.yaml").write_text(
        'graphspec: 1\ninputs: {x: {shape: [4]}}\ninclude: ["a\\0b.yaml"]\nnodes: {d: {model: "c\\0d.yaml", inputs: x}}\noutputs: {d: {}}\n'
    )
    (folder / "latin1.yaml").write_bytes(b"graphspec: 1\ndescription: '" + b"x" * ((1 << 20) - 100) + b"\xe9'\n")
    (folder / "deep.json").write_text("[" * 200_000 + "]" * 200_000)
    with open(folder / "big.json", "wb") as handle:  # sparse: 200 MB claimed, nothing stored
        handle.write(b'{"graphspec": 1, "pad": "')
        handle.truncate(200_000_000)

    def forged(members: dict[str, bytes], name: str, size: int) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for member_name, data in members.items():
                archive.writestr(member_name, data)
        raw = bytearray(buffer.getvalue())
        for signature, offset in ((b"PK\x01\x02", 24), (b"PK\x03\x04", 22)):
            at = raw.find(signature)
            while at >= 0:
                struct.pack_into("<L", raw, at + offset, size)
                at = raw.find(signature, at + 4)
        return bytes(raw)

    header = (
        b"\x93NUMPY\x01\x00v\x00{'descr': '<f4', 'fortran_order': False, 'shape': (10000000000,), }" + b" " * 42 + b"\n"
    )
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("x.npy", header)
    (folder / "lie.npz").write_bytes(zipped.getvalue())
    (folder / "bomb.npz").write_bytes(forged({"x.npy": header}, "x.npy", 0xFFFFFFF0))
    (folder / "bomb.keras").write_bytes(forged({"config.json": b"{}"}, "config.json", 3_500_000_000))
    (folder / "deep1m.json").write_text('{"graphspec": 1, "a": "\\"[[{", "b": ' + "[" * 1_048_000 + "}")


def _child(code: str, folder: Path, timeout: float) -> dict[str, object]:
    program = PRELUDE + textwrap.dedent(code) + EPILOGUE
    start = time.perf_counter()
    try:
        done = subprocess.run(
            [PYTHON, "-c", program],
            capture_output=True,
            text=True,
            cwd=folder,
            timeout=timeout,
            env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
        )
    except subprocess.TimeoutExpired:
        return {"outcome": f"TIMEOUT {timeout:.0f} s", "seconds": float("nan"), "rss_mib": float("nan"), "keras": False}
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("{")]
    if done.returncode != 0 or not lines:
        return {
            "outcome": f"CRASH rc={done.returncode}: {done.stderr.strip().splitlines()[-1:]}",
            "seconds": time.perf_counter() - start,
            "rss_mib": float("nan"),
            "keras": False,
        }
    return json.loads(lines[-1])


def _reference(argv: list[str], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(
            argv, capture_output=True, cwd=ROOT, check=False, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
        )
        times.append(time.perf_counter() - start)
    return statistics.median(times)


COLUMNS = [
    {"key": "class", "label": "class"},
    {"key": "name", "label": "worst case at the defaults"},
    {"key": "outcome", "label": "outcome"},
    {"key": "seconds", "label": "seconds", "format": "{:.2f}"},
    {"key": "rss_mib", "label": "peak MiB"},
    {"key": "keras_ratio", "label": "× `import keras`", "format": "{:.2f}"},
]


def _outcome(outcome: str, tensorflow: bool) -> str:
    """The outcome as the docs show it: diagnostic codes as code, "valid" and failures as text."""
    if outcome not in ("valid", "done") and not outcome.startswith(("TIMEOUT", "CRASH")):
        outcome = ", ".join(f"`{code}`" for code in outcome.split(","))
    return outcome.replace("|", "\\|") + (" (TensorFlow loaded)" if tensorflow else "")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="", help="run the cases whose class or name holds this text")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds a case may run (default 600)")
    _results.add_arguments(parser, "hostile")
    args = parser.parse_args()
    keras_import = _reference([PYTHON, "-c", "import keras"])
    seed_validate = _reference([PYTHON, "-m", "graphspec", "validate", "specs/seed/multi_input_qa.yaml"])
    print(
        f"reference, same run: python -c 'import keras' {keras_import:.2f} s; graphspec validate of one seed spec (fresh process) {seed_validate:.2f} s"
    )
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores\n")
    rows = []
    results: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="graphspec-hostile-") as tmp:
        folder = Path(tmp)
        _files(folder)
        for group, name, code in CASES:
            if args.only and args.only not in group and args.only not in name:
                continue
            result = _child(code, folder, args.timeout)
            seconds = float(result["seconds"])  # type: ignore[arg-type]
            ratio = seconds / keras_import if seconds == seconds else float("nan")
            tf = " (TensorFlow loaded)" if result.get("keras") else ""
            rows.append(
                (
                    group,
                    name,
                    f"{result['outcome']}{tf}",
                    f"{seconds:.2f}",
                    f"{float(result['rss_mib']):.0f}",
                    f"{ratio:.2f}",
                )
            )  # type: ignore[arg-type]
            print(" | ".join(rows[-1]), flush=True)
            rss = float(result["rss_mib"])  # type: ignore[arg-type]
            results.append(
                {
                    "class": group,
                    "name": name,
                    "outcome": _outcome(str(result["outcome"]), bool(result.get("keras"))),
                    "seconds": round(seconds, 6),
                    "rss_mib": round(rss) if rss == rss else None,
                    "keras_ratio": round(ratio, 6),
                }
            )
    print("\n| class | worst case | outcome | seconds | peak MiB | × import keras |")
    print("| --- | --- | --- | --- | --- | --- |")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    if args.json:
        note = "a fresh process per case; peak is the process's high-water mark, interpreter and imports included; "
        note += f"the same run: `import keras` {keras_import:.2f} s, a fresh `graphspec validate` {seed_validate:.2f} s"
        _results.write_results("hostile", results, columns=COLUMNS, note=note, path=args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
