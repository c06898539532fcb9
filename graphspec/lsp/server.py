"""``graphspec lsp``: the language server over stdio, on pygls.

Diagnostics are ``graphspec validate``'s, published when a spec is opened and
after every change. Changes are coalesced rather than delayed: each change
replaces the pending check, which reads the newest text and runs in a worker
thread, so changes that arrive while a check runs (typing faster than a check
takes) are read meanwhile and cost one more check, not one each. A fixed delay
can be added with ``initializationOptions: {"debounce_ms": N}`` (default 0). Hover, completion,
definitions and symbols read the analysis of the current text (made on demand
if a check is pending). TensorFlow is never imported.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path
from pygls.workspace import ServerTextPosition, ServerTextRange, TextDocument

from graphspec._version import __version__
from graphspec.lsp import features
from graphspec.lsp.analysis import Analysis, analyse, loadable

__all__ = ["GraphspecServer", "main", "server"]

log = logging.getLogger(__name__)

DEBOUNCE_SECONDS = 0.0


@dataclass
class _State:
    version: int | None
    analysis: Analysis | None = None
    last_good: Analysis | None = None  # the newest version that validated: shapes for hover while typing
    pending: asyncio.TimerHandle | None = None
    running: bool = False  # a check of this buffer runs in a worker thread
    again: bool = False  # a change arrived while it ran: one more check when it ends


class GraphspecServer(LanguageServer):
    """The server: per open buffer, its latest analysis and the newest one that validated."""

    def __init__(self) -> None:
        super().__init__("graphspec", __version__, text_document_sync_kind=lsp.TextDocumentSyncKind.Incremental)
        self.states: dict[str, _State] = {}
        self.debounce = DEBOUNCE_SECONDS

    def path_of(self, uri: str) -> str:
        return to_fs_path(uri) or uri

    def analysis(self, uri: str) -> Analysis:
        """The analysis of the buffer's current text (checked now if the last check is older)."""
        doc = self.workspace.get_text_document(uri)
        state = self.states.setdefault(uri, _State(None))
        if state.analysis is None or state.version != doc.version or state.analysis.text != doc.source:
            state.analysis = analyse(doc.source, self.path_of(uri))
            state.version = doc.version
            if state.analysis.report is not None:
                state.last_good = state.analysis
        return state.analysis

    def positions(self, uri: str, analysis: Analysis) -> features.Positions:
        codec = self.workspace.position_codec

        def encode(lines: list[str], line: int, character: int) -> lsp.Position:
            return codec.position_to_client_units(lines, ServerTextPosition(line, character))

        return features.Positions(encode, analysis.lines, analysis.path)

    def publish(self, uri: str) -> None:
        state = self.states.get(uri)
        if state is not None:
            state.pending = None
        if uri not in self.workspace.text_documents:
            return
        analysis = self.analysis(uri)
        self._send(uri, analysis, self.states[uri].version)

    def schedule(self, uri: str) -> None:
        """Check the buffer after the changes already received (and ``debounce`` seconds of quiet).

        The check runs in a worker thread, so the changes that arrive meanwhile are read
        (pygls reads one line at a time between event-loop turns; a check on the loop
        would run once per change) and cost one more check with the newest text.
        """
        state = self.states.setdefault(uri, _State(None))
        if state.running:
            state.again = True
            return
        if state.pending is not None:
            state.pending.cancel()
        state.pending = asyncio.get_running_loop().call_later(self.debounce, self._start_check, uri)

    def _start_check(self, uri: str) -> None:
        state = self.states.get(uri)
        if state is None or uri not in self.workspace.text_documents:
            return
        state.pending = None
        doc = self.workspace.get_text_document(uri)
        text, version = doc.source, doc.version
        state.running = True
        task = asyncio.ensure_future(asyncio.to_thread(analyse, text, self.path_of(uri)))
        task.add_done_callback(lambda done: self._checked(uri, state, version, done))

    def _checked(self, uri: str, state: _State, version: int | None, done: asyncio.Future[Analysis]) -> None:
        state.running = False
        if self.states.get(uri) is not state:
            return  # closed (or closed and reopened) while it ran
        if done.cancelled() or done.exception() is not None:
            log.error("check of %s failed: %r", uri, None if done.cancelled() else done.exception())
        else:
            analysis = done.result()
            if state.analysis is None or state.version is None or (version is not None and version > state.version):
                state.analysis, state.version = analysis, version  # unless a request analysed a newer text meanwhile
                if analysis.report is not None:
                    state.last_good = analysis
            self._send(uri, analysis, version)
        if state.again:
            state.again = False
            self.schedule(uri)

    def _send(self, uri: str, analysis: Analysis, version: int | None) -> None:
        diagnostics = features.diagnostics(analysis, self.positions(uri, analysis))
        self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri, diagnostics, version=version))
        log.debug("checked %s in %.1f ms", uri, analysis.seconds * 1000)

    def client_position(self, doc: TextDocument, position: lsp.Position) -> tuple[int, int]:
        """An LSP position as graphspec counts: 0-based line, column in characters."""
        server = doc.position_from_client_units(position)
        return server.line, server.character


server = GraphspecServer()


@server.feature(lsp.INITIALIZE)
def _initialize(ls: GraphspecServer, params: lsp.InitializeParams) -> None:
    options = params.initialization_options
    if (
        isinstance(options, dict)
        and isinstance(options.get("debounce_ms"), int | float)
        and options["debounce_ms"] >= 0
    ):
        ls.debounce = options["debounce_ms"] / 1000


@server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
def _did_open(ls: GraphspecServer, params: lsp.DidOpenTextDocumentParams) -> None:
    ls.publish(params.text_document.uri)


@server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
def _did_change(ls: GraphspecServer, params: lsp.DidChangeTextDocumentParams) -> None:
    ls.schedule(params.text_document.uri)


@server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
def _did_save(ls: GraphspecServer, params: lsp.DidSaveTextDocumentParams) -> None:
    ls.schedule(params.text_document.uri)  # an included file may have changed on disk


@server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
def _did_close(ls: GraphspecServer, params: lsp.DidCloseTextDocumentParams) -> None:
    state = ls.states.pop(params.text_document.uri, None)
    if state is not None and state.pending is not None:
        state.pending.cancel()
    ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(params.text_document.uri, []))


@server.feature(lsp.TEXT_DOCUMENT_HOVER)
def _hover(ls: GraphspecServer, params: lsp.HoverParams) -> lsp.Hover | None:
    uri = params.text_document.uri
    doc = ls.workspace.get_text_document(uri)
    line, column = ls.client_position(doc, params.position)
    analysis = ls.analysis(uri)
    found = features.hover(analysis, line, column, ls.states[uri].last_good)
    if found is not None and found.range is not None:
        start, end = found.range.start, found.range.end
        found.range = doc.range_to_client_units(
            ServerTextRange(
                ServerTextPosition(start.line, start.character), ServerTextPosition(end.line, end.character)
            )
        )
    return found


@server.feature(lsp.TEXT_DOCUMENT_COMPLETION, lsp.CompletionOptions(trigger_characters=[":", " ", "[", ",", "$"]))
def _completion(ls: GraphspecServer, params: lsp.CompletionParams) -> lsp.CompletionList:
    uri = params.text_document.uri
    doc = ls.workspace.get_text_document(uri)
    line, column = ls.client_position(doc, params.position)
    analysis = ls.analysis(uri)
    last_good = ls.states[uri].last_good
    loaded = (
        analysis.doc
        or loadable(analysis.text, analysis.path, line)
        or (last_good.doc if last_good is not None else None)
    )
    return lsp.CompletionList(is_incomplete=False, items=features.completion(analysis, loaded, line, column))


@server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
def _definition(ls: GraphspecServer, params: lsp.DefinitionParams) -> list[lsp.Location]:
    uri = params.text_document.uri
    doc = ls.workspace.get_text_document(uri)
    line, column = ls.client_position(doc, params.position)
    analysis = ls.analysis(uri)
    return features.definition(analysis, line, column, ls.positions(uri, analysis))


@server.feature(lsp.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
def _symbols(ls: GraphspecServer, params: lsp.DocumentSymbolParams) -> list[lsp.DocumentSymbol]:
    uri = params.text_document.uri
    analysis = ls.analysis(uri)
    return features.document_symbols(analysis, ls.positions(uri, analysis))


@server.feature(lsp.TEXT_DOCUMENT_CODE_ACTION, lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix]))
def _code_actions(ls: GraphspecServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
    uri = params.text_document.uri
    return features.code_actions(uri, ls.analysis(uri), list(params.context.diagnostics))


def main() -> int:
    """Serve over stdin/stdout until the client exits."""
    server.start_io()
    return 0
