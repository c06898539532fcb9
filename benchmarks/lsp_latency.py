"""How long after a change does `graphspec lsp` publish diagnostics, on a ResNet-50-sized spec?

Prints, in one run on this machine:
  1. in the server's own code (graphspec.lsp.analysis.analyse, the work each change
     costs): median and 90th percentile over edits of the zoo's ResNet-50 (blocks,
     176 nodes after expansion) and of its flat form (`graphspec expand`);
  2. end to end over stdio with a real client (pygls): from sending didChange to
     receiving publishDiagnostics, at the default (no delay: changes are coalesced) and with a 30 ms debounce.
Target: diagnostics well under 100 ms after a change, in the server process.

Run: python benchmarks/lsp_latency.py [--edits N]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types as lsp
from pygls.lsp.client import LanguageClient

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graphspec import expand  # noqa: E402
from graphspec.lsp.analysis import analyse  # noqa: E402
from graphspec.lsp.server import DEBOUNCE_SECONDS  # noqa: E402

RESNET = ROOT / "specs/zoo/resnet50.yaml"


def _edits(text: str, n: int) -> list[str]:
    """``n`` versions of the text, each with one number changed, as typing does."""
    key = "classes: 1000" if "classes: 1000" in text else "units: 1000"
    assert key in text, "no edit point"
    return [text.replace(key, key.split(":")[0] + f": {1000 + i + 1}") for i in range(n)]


def _stats(seconds: list[float]) -> str:
    ms = sorted(s * 1000 for s in seconds)
    return f"median {statistics.median(ms):6.1f} ms   p90 {ms[int(len(ms) * 0.9) - 1]:6.1f} ms   max {ms[-1]:6.1f} ms"


def in_process(name: str, path: Path, text: str, n: int) -> None:
    analyse(text, str(path))  # warm caches, as a server that has opened the file has
    times = []
    for version in _edits(text, n):
        a = analyse(version, str(path))
        assert a.report is not None and not a.diagnostics, [d.render() for d in a.diagnostics]
        times.append(a.seconds)
    print(f"  {name:<34} {_stats(times)}")


async def over_stdio(path: Path, text: str, n: int, debounce_ms: float | None) -> list[float]:
    client = LanguageClient("lsp-latency", "1")
    arrived: asyncio.Queue[float] = asyncio.Queue()

    @client.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def _published(params: lsp.PublishDiagnosticsParams) -> None:
        arrived.put_nowait(time.perf_counter())

    await client.start_io(sys.executable, "-m", "graphspec", "lsp")
    options = {} if debounce_ms is None else {"debounce_ms": debounce_ms}
    await client.initialize_async(
        lsp.InitializeParams(capabilities=lsp.ClientCapabilities(), initialization_options=options)
    )
    client.initialized(lsp.InitializedParams())
    uri = path.resolve().as_uri()
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, "yaml", 1, text)))
    await asyncio.wait_for(arrived.get(), 60)
    times = []
    for version, edited in enumerate(_edits(text, n), start=2):
        sent = time.perf_counter()
        change = lsp.TextDocumentContentChangeWholeDocument(text=edited)
        client.text_document_did_change(
            lsp.DidChangeTextDocumentParams(lsp.VersionedTextDocumentIdentifier(uri=uri, version=version), [change])
        )
        times.append(await asyncio.wait_for(arrived.get(), 60) - sent)
        await asyncio.sleep(0.05)  # a pause between keystrokes, so each change is checked on its own
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--edits", type=int, default=40)
    args = parser.parse_args()
    text = RESNET.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        flat_path = Path(tmp) / "resnet50_flat.yaml"
        flat = expand(RESNET).to_yaml()
        flat_path.write_text(flat, encoding="utf-8")
        print(
            f"ResNet-50: {RESNET.name} ({len(text.splitlines())} lines, blocks) "
            f"and its expansion ({len(flat.splitlines())} lines, {flat.count('layer:')} nodes)"
        )
        print("1. the server's check after each change (in process):")
        in_process("resnet50.yaml (blocks)", RESNET, text, args.edits)
        in_process("resnet50 expanded (flat)", flat_path, flat, args.edits)
        print("2. didChange sent → publishDiagnostics received, over stdio:")
        for debounce in (None, 30.0):
            label = (
                f"debounce {DEBOUNCE_SECONDS * 1000:.0f} ms (default)"
                if debounce is None
                else f"debounce {debounce:.0f} ms"
            )
            times = asyncio.run(over_stdio(RESNET, text, args.edits, debounce))
            print(f"  {label:<34} {_stats(times)}")


if __name__ == "__main__":
    main()
