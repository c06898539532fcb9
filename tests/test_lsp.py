"""lsp: ``graphspec lsp`` driven end to end by a real LSP client (pytest-lsp, on pygls) over stdio."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

import graphspec
from graphspec.errors import SpecError

pytestmark = pytest.mark.asyncio(loop_scope="module")

TYPOS = textwrap.dedent(
    """\
    graphspec: 1
    name: question_answering
    inputs:
      text:     {shape: [null], dtype: int32}
      question: {shape: [null], dtype: int32}
    nodes:
      text_emb: {layer: Embeding, inputs: text, input_dim: 10000, output_dim: 64}
      text_enc: {layer: LSTM, inputs: text_emb, units: 32, activaton: tanh}
      q_emb:    {layer: Embedding, inputs: question, input_dim: 10000, output_dim: 64}
      q_enc:    {layer: LSTM, inputs: q_emb, units: 32}
      merged:   {layer: Concatenate, inputs: [text_enc, q_encc]}
      answer:   {layer: Dense, inputs: merged, units: 500, activation: softmax}
    outputs:
      answer: {loss: categorical_crossentropy}
    """
)
FIXED = TYPOS.replace("Embeding", "Embedding").replace("activaton", "activation").replace("q_encc", "q_enc")

BLOCKS = textwrap.dedent(
    """\
    graphspec: 1
    blocks:
      dense:
        params: {width: int}
        nodes:
          d: {layer: Dense, inputs: x, units: $width, unit: 3}
        outputs: d
    """
)
USES_BLOCKS = textwrap.dedent(
    """\
    graphspec: 1
    include: [common.yaml]
    inputs: {x: {shape: [8]}}
    nodes:
      stem: {block: dense, inputs: x, width: 4}
    outputs: {stem: {}}
    """
)


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[sys.executable, "-m", "graphspec", "lsp", "--stdio"]), scope="module"
)
async def client(lsp_client: LanguageClient):  # type: ignore[no-untyped-def]
    params = lsp.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"), initialization_options={"debounce_ms": 5}
    )
    await lsp_client.initialize_session(params)
    yield
    await lsp_client.shutdown_session()


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("lsp")


async def _open(client: LanguageClient, path: Path, text: str) -> list[lsp.Diagnostic]:
    uri = path.resolve().as_uri()
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, "yaml", 1, text)))
    await _published(client, uri)
    return list(client.diagnostics[uri])


async def _published(client: LanguageClient, uri: str) -> None:
    while True:
        params = await asyncio.wait_for(client.wait_for_notification(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS), 30)
        if params.uri == uri:
            return


async def _change(client: LanguageClient, path: Path, version: int, text: str) -> list[lsp.Diagnostic]:
    uri = path.resolve().as_uri()
    change = lsp.TextDocumentContentChangeWholeDocument(text=text)
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(lsp.VersionedTextDocumentIdentifier(uri=uri, version=version), [change])
    )
    await _published(client, uri)
    return list(client.diagnostics[uri])


def _validate(path: Path, text: str) -> list[graphspec.Diagnostic]:
    path.write_text(text, encoding="utf-8")
    try:
        return graphspec.validate(path).warnings
    except SpecError as exc:
        return exc.diagnostics


def _at(text: str, needle: str) -> lsp.Position:
    """The position of the first character of ``needle`` in ``text``."""
    before = text[: text.index(needle)]
    return lsp.Position(before.count("\n"), len(before) - (before.rfind("\n") + 1))


async def test_typos_give_validates_three_diagnostics_at_their_positions(client: LanguageClient, folder: Path) -> None:
    path = folder / "typos.yaml"
    got = await _open(client, path, TYPOS)
    expected = _validate(folder / "typos_on_disk.yaml", TYPOS)
    assert (
        [d.code for d in got]
        == [d.code.value for d in expected]
        == ["unknown-layer", "unknown-argument", "unknown-reference"]
    )
    assert [(d.range.start.line, d.range.start.character) for d in got] == [
        (d.line - 1, d.column - 1) for d in expected
    ]
    assert [(d.range.start, d.range.end) for d in got] == [
        (_at(TYPOS, "Embeding"), lsp.Position(6, _at(TYPOS, "Embeding").character + len("Embeding"))),
        (_at(TYPOS, "activaton"), lsp.Position(7, _at(TYPOS, "activaton").character + len("activaton"))),
        (_at(TYPOS, "q_encc"), lsp.Position(10, _at(TYPOS, "q_encc").character + len("q_encc"))),
    ]
    assert all(d.source == "graphspec" and d.severity == lsp.DiagnosticSeverity.Error for d in got)
    assert got[0].message.endswith("hint: did you mean 'Embedding'?")


async def test_hover_on_a_node_shows_its_shape_and_on_an_argument_its_documentation(
    client: LanguageClient, folder: Path
) -> None:
    path = folder / "qa.yaml"
    assert await _open(client, path, FIXED) == []
    uri = path.resolve().as_uri()
    hover = await client.text_document_hover_async(
        lsp.HoverParams(lsp.TextDocumentIdentifier(uri), _at(FIXED, "text_enc:"))
    )
    assert hover is not None
    text = hover.contents.value  # type: ignore[union-attr]
    assert (
        "layer `LSTM`" in text
        and "output shape: `(None, 32)`" in text
        and "params: 12,416" in text
        and "dtype: `float32`" in text
    )
    hover = await client.text_document_hover_async(
        lsp.HoverParams(lsp.TextDocumentIdentifier(uri), _at(FIXED, "units: 500"))
    )
    text = hover.contents.value  # type: ignore[union-attr]
    assert text.startswith("**Dense.units** (required)") and "dimensionality of the output space" in text
    hover = await client.text_document_hover_async(
        lsp.HoverParams(lsp.TextDocumentIdentifier(uri), _at(FIXED, "activation: softmax"))
    )
    assert "default: `null`" in hover.contents.value  # type: ignore[union-attr]


async def test_completion_in_inputs_offers_the_node_names(client: LanguageClient, folder: Path) -> None:
    path = folder / "complete.yaml"
    await _open(client, path, FIXED)
    uri = path.resolve().as_uri()
    where = _at(FIXED, "merged]") if "merged]" in FIXED else _at(FIXED, "merged, units")
    result = await client.text_document_completion_async(lsp.CompletionParams(lsp.TextDocumentIdentifier(uri), where))
    labels = [i.label for i in result.items]  # type: ignore[union-attr]
    assert {"text", "question", "text_emb", "text_enc", "q_emb", "q_enc", "merged"} <= set(labels)
    assert "answer" not in labels  # a node does not read itself
    # While an argument is being typed the line does not parse yet: the node's layer still gives its arguments.
    typing = FIXED.replace(
        "  q_enc:    {layer: LSTM, inputs: q_emb, units: 32}\n",
        "  q_enc:\n    layer: LSTM\n    inputs: q_emb\n    retu\n",
    )
    assert "retu" in typing
    await _change(client, path, 2, typing)
    result = await client.text_document_completion_async(
        lsp.CompletionParams(
            lsp.TextDocumentIdentifier(uri), lsp.Position(_at(typing, "retu").line, _at(typing, "retu").character + 4)
        )
    )
    labels = [i.label for i in result.items]  # type: ignore[union-attr]
    assert (
        {"return_sequences", "return_state", "units"} <= set(labels)
        and "inputs" not in labels
        and "filters" not in labels
    )


async def test_a_code_action_fixes_a_typo(client: LanguageClient, folder: Path) -> None:
    path = folder / "fix.yaml"
    diags = await _open(client, path, TYPOS)
    uri = path.resolve().as_uri()
    layer = diags[0]
    actions = await client.text_document_code_action_async(
        lsp.CodeActionParams(lsp.TextDocumentIdentifier(uri), layer.range, lsp.CodeActionContext([layer]))
    )
    assert actions is not None and [a.title for a in actions] == ["Change to 'Embedding'"]  # type: ignore[union-attr]
    (edit,) = actions[0].edit.changes[uri]  # type: ignore[union-attr]
    lines = TYPOS.splitlines(keepends=True)
    line = lines[edit.range.start.line]
    lines[edit.range.start.line] = line[: edit.range.start.character] + edit.new_text + line[edit.range.end.character :]
    fixed = "".join(lines)
    assert "layer: Embedding, inputs: text" in fixed
    after = await _change(client, path, 2, fixed)
    assert [d.code for d in after] == ["unknown-argument", "unknown-reference"]


async def test_an_edit_that_makes_a_cycle_gets_the_cycle_diagnostic(client: LanguageClient, folder: Path) -> None:
    path = folder / "cycle.yaml"
    assert await _open(client, path, FIXED) == []
    cyclic = FIXED.replace("inputs: text, input_dim", "inputs: answer, input_dim")
    after = await _change(client, path, 2, cyclic)
    expected = _validate(folder / "cycle_on_disk.yaml", cyclic)
    assert "cycle" in [d.code for d in after]
    assert [(d.code, d.range.start.line, d.range.start.character) for d in after] == [
        (d.code.value, d.line - 1, d.column - 1) for d in expected
    ]  # type: ignore[operator]
    assert "text_emb → text_enc" in next(d.message for d in after if d.code == "cycle")


async def test_a_problem_inside_an_included_block_points_into_both_files(client: LanguageClient, folder: Path) -> None:
    (folder / "common.yaml").write_text(BLOCKS, encoding="utf-8")
    path = folder / "uses.yaml"
    (diag,) = await _open(client, path, USES_BLOCKS)
    assert diag.code == "unknown-argument" and "did you mean 'units'?" in diag.message
    assert (diag.range.start.line, diag.range.start.character) == (4, 2)  # the instance `stem`, in this buffer
    related = [(r.location.uri, r.location.range.start.line, r.message) for r in diag.related_information or []]
    common = (folder / "common.yaml").resolve().as_uri()
    assert related[0] == (common, 5, "written in common.yaml")
    assert (path.resolve().as_uri(), 4, "in block instance 'stem' (block 'dense')") in related
    uri = path.resolve().as_uri()
    found = await client.text_document_definition_async(
        lsp.DefinitionParams(lsp.TextDocumentIdentifier(uri), _at(USES_BLOCKS, "dense,"))
    )
    assert [(loc.uri, loc.range.start.line) for loc in found] == [(common, 2)]  # type: ignore[union-attr]
    found = await client.text_document_definition_async(
        lsp.DefinitionParams(lsp.TextDocumentIdentifier(uri), _at(USES_BLOCKS, "common.yaml"))
    )
    assert [loc.uri for loc in found] == [common]  # type: ignore[union-attr]


async def test_definition_of_a_reference_and_the_outline(client: LanguageClient, folder: Path) -> None:
    path = folder / "outline.yaml"
    await _open(client, path, FIXED)
    uri = path.resolve().as_uri()
    found = await client.text_document_definition_async(
        lsp.DefinitionParams(lsp.TextDocumentIdentifier(uri), _at(FIXED, "text_emb, units"))
    )
    assert [(loc.range.start.line, loc.range.start.character) for loc in found] == [(6, 2)]  # type: ignore[union-attr]
    symbols = await client.text_document_document_symbol_async(
        lsp.DocumentSymbolParams(lsp.TextDocumentIdentifier(uri))
    )
    outline = {s.name: [c.name for c in s.children or []] for s in symbols}  # type: ignore[union-attr]
    assert outline == {
        "inputs": ["text", "question"],
        "nodes": ["text_emb", "text_enc", "q_emb", "q_enc", "merged", "answer"],
        "outputs": ["answer"],
    }


async def test_the_language_server_never_imports_tensorflow() -> None:
    code = (
        "import sys, pathlib\n"
        "from graphspec.lsp import server, features\n"
        "from graphspec.lsp.analysis import analyse\n"
        "a = analyse(pathlib.Path('specs/zoo/resnet50.yaml').read_text(), "
        "str(pathlib.Path('specs/zoo/resnet50.yaml').resolve()))\n"
        "assert a.report is not None and a.diagnostics == []\n"
        "features.hover(a, 0, 0)\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parent.parent, timeout=120)


async def test_changes_that_arrive_while_a_check_runs_cost_one_more_check_not_one_each(tmp_path: Path) -> None:
    from pygls.lsp.client import LanguageClient as Client

    # A spec whose check takes a good part of a second; six keystrokes sent at once, as fast typing does.
    body = "".join(
        f"  d{i}: {{layer: Dense, inputs: {'x' if i == 0 else f'd{i - 1}'}, units: 4}}\n" for i in range(2000)
    )
    text = f"graphspec: 1\ninputs:\n  x: {{shape: [4]}}\nnodes:\n{body}outputs:\n  d1999: {{}}\n"
    path = tmp_path / "large.yaml"
    uri = path.resolve().as_uri()
    client = Client("burst", "1")
    published: asyncio.Queue[lsp.PublishDiagnosticsParams] = asyncio.Queue()

    @client.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def _published(params: lsp.PublishDiagnosticsParams) -> None:
        published.put_nowait(params)

    await client.start_io(sys.executable, "-m", "graphspec", "lsp")
    try:
        await client.initialize_async(lsp.InitializeParams(capabilities=lsp.ClientCapabilities()))
        client.initialized(lsp.InitializedParams())
        client.text_document_did_open(lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, "yaml", 1, text)))
        assert not (await asyncio.wait_for(published.get(), 120)).diagnostics
        line = 4 + 1999  # d1999's line: its units become 41, 411, ..., 4111111, one keystroke each
        column = len("  d1999: {layer: Dense, inputs: d1998, units: 4")
        for k in range(6):
            start = lsp.Position(line, column + k)
            change = lsp.TextDocumentContentChangePartial(range=lsp.Range(start, start), text="1")
            client.text_document_did_change(
                lsp.DidChangeTextDocumentParams(lsp.VersionedTextDocumentIdentifier(uri=uri, version=2 + k), [change])
            )
        seen = []
        while not seen or seen[-1].version != 7:
            seen.append(await asyncio.wait_for(published.get(), 120))
        assert len(seen) <= 3, [
            p.version for p in seen
        ]  # the first change's check, then one for all that came meanwhile
        assert not seen[-1].diagnostics
        hover = await client.text_document_hover_async(
            lsp.HoverParams(lsp.TextDocumentIdentifier(uri), lsp.Position(line, 2))
        )
        assert hover is not None and "`(None, 4111111)`" in hover.contents.value  # type: ignore[union-attr]
    finally:
        await client.shutdown_async(None)
        client.exit(None)
        await asyncio.wait_for(client.stop(), 30)
