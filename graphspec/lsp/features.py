"""The language server's answers, as functions of an :class:`~graphspec.lsp.analysis.Analysis`.

Each feature takes the analysis of the buffer (and a position, 0-based, in
characters) and returns lsprotocol values; :class:`Positions` turns graphspec's
positions into the client's units. No pygls server state lives here, so each
answer is tested as a plain function and, end to end, over stdio.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path as FsPath
from typing import Any

from lsprotocol import types as lsp

from graphspec import catalog
from graphspec.errors import Diagnostic, Path, Severity, SpecError, format_path
from graphspec.lsp.analysis import Analysis, Token, token_at
from graphspec.source import Document, Limits, Mark, parse_file
from graphspec.source.limits import read_record
from graphspec.spec import parse_ref

__all__ = [
    "Positions",
    "code_actions",
    "completion",
    "definition",
    "diagnostics",
    "document_symbols",
    "hover",
]

SOURCE = "graphspec"
_SEVERITY = {Severity.ERROR: lsp.DiagnosticSeverity.Error, Severity.WARNING: lsp.DiagnosticSeverity.Warning}
_SUGGESTION = re.compile(r"'([^']+)'")


class Positions:
    """graphspec positions (1-based, characters) → LSP positions (0-based, the client's units).

    ``encode(lines, line, character)`` converts a 0-based position in code points
    to the client's units (pygls' position codec); other files' lines are read
    when a location points into them.
    """

    def __init__(self, encode: Callable[[list[str], int, int], lsp.Position], lines: list[str], path: str):
        self.encode = encode
        self.lines = {path: lines}

    def _lines(self, path: str) -> list[str]:
        if path not in self.lines:
            text = read_record(path, Limits().max_bytes)  # a file the spec names: bounded as validate reads it
            self.lines[path] = text.splitlines() if text is not None else []
        return self.lines[path]

    def range(self, path: str, line: int | None, column: int | None, word: bool = True) -> lsp.Range:
        """The range of the word at a graphspec position (an empty range at the line's start if none)."""
        lines = self._lines(path)
        if line is None:
            start = lsp.Position(0, 0)
            return lsp.Range(start, start)
        row, col = line - 1, (column or 1) - 1
        token = token_at(lines, row, col) if word else None
        end = token.end if token is not None and token.start == col else _line_end(lines, row, col)
        return lsp.Range(self.encode(lines, row, col), self.encode(lines, row, end))

    def location(self, path: str, line: int | None, column: int | None) -> lsp.Location:
        return lsp.Location(FsPath(path).resolve().as_uri(), self.range(path, line, column))


def _line_end(lines: list[str], row: int, col: int) -> int:
    text = lines[row] if 0 <= row < len(lines) else ""
    return max(col, len(text.rstrip()))


# ---------------------------------------------------------------------------
# diagnostics: validate's, one for one


def diagnostics(analysis: Analysis, positions: Positions) -> list[lsp.Diagnostic]:
    """Every diagnostic ``graphspec validate`` gives for the buffer, at its range in the buffer.

    A problem written in another file (an included block definition) is shown at
    the place in this buffer that brings it in (the block instance, the include),
    with the place it was written among the related locations.
    """
    return [_diagnostic(d, analysis, positions) for d in analysis.diagnostics]


def _diagnostic(d: Diagnostic, analysis: Analysis, positions: Positions) -> lsp.Diagnostic:
    related = [
        lsp.DiagnosticRelatedInformation(positions.location(r.file or analysis.path, r.line, r.column), r.label)
        for r in d.related
    ]
    here = d.file is None or _same_file(d.file, analysis.path)
    if here:
        where = positions.range(analysis.path, d.line, d.column)
    else:
        written = lsp.DiagnosticRelatedInformation(
            positions.location(str(d.file), d.line, d.column), f"written in {os.path.basename(str(d.file))}"
        )
        related.insert(0, written)
        local = next((r for r in d.related if r.file is not None and _same_file(r.file, analysis.path)), None)
        where = positions.range(analysis.path, local.line if local else None, local.column if local else None)
    path = format_path(d.path)
    message = (f"{path}: " if path else "") + d.message + (f"\nhint: {d.hint}" if d.hint else "")
    return lsp.Diagnostic(
        range=where,
        message=message,
        severity=_SEVERITY[d.severity],
        code=d.code.value,
        source=SOURCE,
        related_information=related or None,
        data={"hint": d.hint, "path": path, "quote": _quote_at(analysis, d) if here else ""} if d.hint else None,
    )


def _quote_at(analysis: Analysis, d: Diagnostic) -> str:
    """The quote a diagnostic's word is written in (``"`` in JSON), so a quick fix can write it back."""
    if d.line is None:
        return ""
    token = token_at(analysis.lines, d.line - 1, (d.column or 1) - 1)
    start = analysis.lines[d.line - 1][token.start] if token is not None else ""
    return start if token is not None and token.start == (d.column or 1) - 1 and start in "'\"" else ""


def _same_file(a: str, b: str) -> bool:
    return os.path.realpath(a) == os.path.realpath(b)


# ---------------------------------------------------------------------------
# code actions: did-you-mean hints as quick fixes


def code_actions(uri: str, analysis: Analysis, given: list[lsp.Diagnostic]) -> list[lsp.CodeAction]:
    """One quick fix per name a diagnostic's ``did you mean`` hint suggests, replacing the misspelt word."""
    actions: list[lsp.CodeAction] = []
    for diag in given:
        data = diag.data if isinstance(diag.data, dict) else {}
        hint = data.get("hint") or _hint_of(diag.message)
        quote = data.get("quote") if data.get("quote") in ("'", '"') else ""  # the range spans the quotes: keep them
        if diag.source != SOURCE or not hint or not hint.startswith("did you mean"):
            continue
        for name in _SUGGESTION.findall(hint):
            edit = lsp.WorkspaceEdit(changes={uri: [lsp.TextEdit(diag.range, quote + name + quote)]})
            actions.append(
                lsp.CodeAction(
                    title=f"Change to '{name}'",
                    kind=lsp.CodeActionKind.QuickFix,
                    diagnostics=[diag],
                    edit=edit,
                    is_preferred=len(actions) == 0,
                )
            )
    return actions


def _hint_of(message: str) -> str | None:
    _, sep, hint = message.partition("\nhint: ")
    return hint if sep else None


# ---------------------------------------------------------------------------
# hover: a node's layer, shapes, sizes; an argument's documentation and default


def hover(analysis: Analysis, line: int, column: int, last_good: Analysis | None = None) -> lsp.Hover | None:
    """What the word at a position is: a node (its layer, output shapes, dtype, params, FLOPs; a block
    instance's expansion), a layer name (its summary), or a layer argument (its text and default)."""
    found = analysis.path_at(line, column)
    if found is None:
        return None
    path, is_key = found
    text: str | None = None
    if is_key and len(path) >= 2 and path[-2] == "nodes":
        text = _node_hover(analysis, path, last_good)
    elif is_key and len(path) >= 3 and path[-3] == "nodes":
        text = _argument_hover(analysis, path)
    elif not is_key and path[-1:] == ("layer",):
        name = analysis.value_at(path)
        text = _layer_hover(name) if isinstance(name, str) else None
    elif not is_key and ("inputs" in path[-2:] or path[-1:] in (("share",), ("from",))):
        ref = analysis.value_at(path)
        text = _reference_hover(analysis, path, ref, last_good) if isinstance(ref, str) else None
    if text is None:
        return None
    token = token_at(analysis.lines, line, column)
    where = None if token is None else lsp.Range(lsp.Position(line, token.start), lsp.Position(line, token.end))
    return lsp.Hover(lsp.MarkupContent(lsp.MarkupKind.Markdown, text), where)


def _shape(t: Any) -> str:
    if t.shape is None:
        return "?"
    return "(" + ", ".join("None" if d is None else str(d) for d in t.shape) + ("," if len(t.shape) == 1 else "") + ")"


def _count(n: int | None) -> str:
    return "?" if n is None else f"{n:,}"


def _report_of(analysis: Analysis, last_good: Analysis | None) -> tuple[Any, str]:
    if analysis.report is not None:
        return analysis.report, ""
    if last_good is not None and last_good.report is not None:
        return last_good.report, "\n\n*as of the last version that validated*"
    return None, ""


def _node_hover(analysis: Analysis, path: Path, last_good: Analysis | None) -> str | None:
    name = str(path[-1])
    raw = analysis.value_at(path)
    kind = _kind_line(raw)
    report, stale = _report_of(analysis, last_good)
    if path[0] != "nodes" or len(path) != 2:
        return f"**{name}**: {kind}" if kind else None  # inside a block or sub-model: its flat names differ
    if report is None:
        return f"**{name}**: {kind}\n\nshapes are inferred once the spec validates" if kind else None
    info = report.inference.nodes.get(name)
    if info is not None:
        return _info_lines(name, kind, info, report.graph.layer_owner.get(name, name)) + stale
    expanded = [n for n in report.graph.order if n.startswith(name + "/")]
    if not expanded:
        return f"**{name}**: {kind}\n\nfeeds no output: not part of the model" + stale
    return _instance_lines(name, kind, expanded, report) + stale


def _kind_line(raw: Any) -> str:
    if not isinstance(raw, dict):
        return ""
    for key, what in (
        ("layer", "layer `{}`"),
        ("share", "shares the layer of `{}`"),
        ("op", "op `{}`"),
        ("block", "block `{}`"),
    ):
        if isinstance(raw.get(key), str):
            return what.format(raw[key]) + (f" × {raw['repeat']}" if key == "block" and "repeat" in raw else "")
    return "nested model" if raw.get("model") is not None else ""


def _info_lines(name: str, kind: str, info: Any, owner: str) -> str:
    shapes = ", ".join(_shape(t) for t in info.outputs) or "?"
    dtypes = ", ".join(sorted({t.dtype or "?" for t in info.outputs})) or "?"
    lines = [f"**{name}**: {kind or info.layer}", "", f"- output shape: `{shapes}`", f"- dtype: `{dtypes}`"]
    if owner != name:
        lines.append(f"- params: counted at `{owner}` (shared layer)")
    else:
        lines.append(
            f"- params: {_count(info.params)}"
            + (f" ({_count(info.non_trainable_params)} non-trainable)" if info.non_trainable_params else "")
        )
    lines.append(f"- FLOPs (multiply-adds per example): {_count(info.flops)}")
    return "\n".join(lines)


def _instance_lines(name: str, kind: str, expanded: list[str], report: Any) -> str:
    infos = [report.inference.nodes[n] for n in expanded]
    params = None if any(i.params is None for i in infos) else sum(i.params for i in infos)
    last = infos[-1]
    lines = [
        f"**{name}**: {kind}",
        "",
        f"- expands to {len(expanded)} nodes; output shape: `{', '.join(_shape(t) for t in last.outputs)}`",
        f"- params: {_count(params)}",
        "",
    ]
    shown = expanded[:24]
    lines += [
        f"  - `{n}`: {report.inference.nodes[n].layer} "
        f"`{', '.join(_shape(t) for t in report.inference.nodes[n].outputs)}`"
        for n in shown
    ]
    if len(expanded) > len(shown):
        lines.append(f"  - … {len(expanded) - len(shown)} more")
    return "\n".join(lines)


def _layer_hover(name: str) -> str | None:
    from graphspec.catalog.docs import layer_summary

    summary = layer_summary(name)
    if summary is None:
        return None
    info = catalog.layer_info(name)
    required = [p.name for p in info.params if p.required] if info is not None else []
    return f"**{name}** (keras.layers)\n\n{summary}" + (
        f"\n\nrequires: {', '.join(f'`{r}`' for r in required)}" if required else ""
    )


def _argument_hover(analysis: Analysis, path: Path) -> str | None:
    from graphspec.catalog.docs import argument_doc

    layer = analysis.value_at((*path[:-1], "layer"))
    arg = str(path[-1])
    if not isinstance(layer, str) or arg in ("layer", "inputs", "share"):
        return None
    info = catalog.layer_info(layer)
    param = info.param_or_base(arg) if info is not None else None
    if param is None:
        return None
    doc = argument_doc(layer, arg)
    default = "required" if param.required else f"default: `{_default(param.default)}`"
    return f"**{layer}.{arg}** ({default})" + (f"\n\n{doc}" if doc else "")


def _default(value: Any) -> str:
    if isinstance(value, dict) and "repr" in value:
        return str(value["repr"])
    return "null" if value is None else str(value).lower() if isinstance(value, bool) else str(value)


def _reference_hover(analysis: Analysis, path: Path, ref: str, last_good: Analysis | None) -> str | None:
    try:
        name, _ = parse_ref(ref)
    except ValueError:
        return None
    # The innermost `nodes` holds the reference's scope (a sub-model's nodes, not the spec's).
    nodes_path = path[: len(path) - list(reversed(path)).index("nodes")] if "nodes" in path else ("nodes",)
    if analysis.key_mark((*nodes_path, name)) is not None:
        return _node_hover(analysis, (*nodes_path, name), last_good)
    inputs = analysis.value_at(("inputs", name))
    if isinstance(inputs, dict):
        return f"**{name}**: input, shape `{inputs.get('shape')}`, dtype `{inputs.get('dtype', 'float32')}`"
    return None


# ---------------------------------------------------------------------------
# definition: references, block instances, includes and model files


def definition(analysis: Analysis, line: int, column: int, positions: Positions) -> list[lsp.Location]:
    """Where the name at a position is defined: a node or input, a block (here or in an included file), a file."""
    found = analysis.path_at(line, column)
    if found is None or found[1]:
        return []
    path = found[0]
    value = analysis.value_at(path)
    if not isinstance(value, str):
        return []
    base = os.path.dirname(analysis.path)
    if path[:1] == ("include",) or (path[-1:] == ("model",) and not isinstance(value, dict)):
        target = os.path.normpath(os.path.join(base, value))
        return (
            [lsp.Location(FsPath(target).resolve().as_uri(), lsp.Range(lsp.Position(0, 0), lsp.Position(0, 0)))]
            if os.path.isfile(target)
            else []
        )
    if path[-1:] == ("block",):
        return [positions.location(file, m.line, m.column) for file, m in _block_definitions(analysis, value)]
    if "inputs" in path[-2:] or path[-1:] in (("share",), ("from",)):
        return [positions.location(analysis.path, m.line, m.column) for m in _reference_targets(analysis, path, value)]
    return []


def _reference_targets(analysis: Analysis, path: Path, ref: str) -> Iterator[Mark]:
    try:
        name, _ = parse_ref(ref)
    except ValueError:
        return
    scope = path[: len(path) - list(reversed(path)).index("nodes") - 1] if "nodes" in path else ()
    # A scoped name (`stage2/block1/conv`) is defined by its instance, `stage2`.
    for candidate in dict.fromkeys((name, name.split("/")[0])):
        for where in ((*scope, "nodes", candidate), (*scope, "inputs", candidate)):
            mark = analysis.key_mark(where)
            if mark is not None:
                yield mark
                return


def _block_definitions(analysis: Analysis, block: str) -> Iterator[tuple[str, Mark]]:
    mark = analysis.key_mark(("blocks", block))
    if mark is not None:
        yield analysis.path, mark
        return
    for doc in _included(analysis):
        found = doc.keys.get(("blocks", block))
        if found is not None and doc.file is not None:
            yield doc.file, found
            return


def _included(analysis: Analysis) -> Iterator[Document]:
    """The files ``include:`` names (one level), read as validate reads them, inside the spec's folder."""
    include = analysis.value_at(("include",))
    names = [include] if isinstance(include, str) else include if isinstance(include, list) else []
    root = os.path.realpath(os.path.dirname(analysis.path))
    for name in names:
        if not isinstance(name, str):
            continue
        target = os.path.realpath(os.path.join(root, name))
        if not target.startswith(root + os.sep):
            continue
        try:
            yield parse_file(target)
        except SpecError:  # an unreadable include is validate's to report
            continue


# ---------------------------------------------------------------------------
# document symbols: inputs, nodes, blocks (with their nodes), outputs, params


_SECTIONS = {
    "inputs": lsp.SymbolKind.Variable,
    "params": lsp.SymbolKind.Constant,
    "blocks": lsp.SymbolKind.Class,
    "nodes": lsp.SymbolKind.Function,
    "outputs": lsp.SymbolKind.Event,
}


def document_symbols(analysis: Analysis, positions: Positions) -> list[lsp.DocumentSymbol]:
    """The outline: one symbol per section, its entries as children (a block's nodes under the block)."""
    out = []
    for section, kind in _SECTIONS.items():
        mark = analysis.key_mark((section,))
        entries = analysis.value_at((section,))
        if mark is None or not isinstance(entries, dict):
            continue
        children = [_symbol(analysis, positions, (section, name), kind) for name in entries]
        out.append(
            _make_symbol(
                analysis,
                positions,
                section,
                (section,),
                lsp.SymbolKind.Namespace,
                [c for c in children if c is not None],
            )
        )
    return out


def _symbol(analysis: Analysis, positions: Positions, path: Path, kind: lsp.SymbolKind) -> lsp.DocumentSymbol | None:
    if analysis.key_mark(path) is None:
        return None
    children: list[lsp.DocumentSymbol] = []
    if path[0] == "blocks":
        nodes = analysis.value_at((*path, "nodes"))
        if isinstance(nodes, dict):
            children = [
                s
                for n in nodes
                if (s := _symbol(analysis, positions, (*path, "nodes", n), lsp.SymbolKind.Function)) is not None
            ]
    return _make_symbol(
        analysis, positions, str(path[-1]), path, kind, children, _kind_line(analysis.value_at(path)) or None
    )


def _make_symbol(
    analysis: Analysis,
    positions: Positions,
    name: str,
    path: Path,
    kind: lsp.SymbolKind,
    children: list[lsp.DocumentSymbol],
    detail: str | None = None,
) -> lsp.DocumentSymbol:
    mark = analysis.key_mark(path)
    assert mark is not None
    selection = positions.range(analysis.path, mark.line, mark.column)
    end_line = _extent(analysis, path, mark)
    lines = analysis.lines
    whole = lsp.Range(
        selection.start, positions.encode(lines, end_line, len(lines[end_line]) if end_line < len(lines) else 0)
    )
    return lsp.DocumentSymbol(
        name=name, kind=kind, range=whole, selection_range=selection, detail=detail, children=children or None
    )


def _extent(analysis: Analysis, path: Path, mark: Mark) -> int:
    """The last 0-based line of an entry: the line before the next key at its level or above."""
    later = analysis.next_key_line(len(path), mark)
    end = (later - 2) if later is not None else len(analysis.lines) - 1
    while end > mark.line - 1 and (end >= len(analysis.lines) or not analysis.lines[end].strip()):
        end -= 1
    return max(end, mark.line - 1)


# ---------------------------------------------------------------------------
# completion: layer and op names, the node's arguments, references, blocks, parameters

_VALUE_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*:\s*(\[[^\]]*)?[^,{}\[\]]*$")


def completion(analysis: Analysis, doc: Document | None, line: int, column: int) -> list[lsp.CompletionItem]:
    """Items for the position: what the key before it takes as a value, or the keys the enclosing node takes.

    ``doc`` is the buffer as loaded for positions (the text, or the text with the
    line being typed blanked out when it does not load yet).
    """
    view = Analysis(analysis.path, analysis.text, doc, [], analysis.report, lines=analysis.lines)
    text = analysis.lines[line][:column] if line < len(analysis.lines) else ""
    word = re.search(r"[$A-Za-z0-9_/:{]*$", text)
    prefix = word.group() if word else ""
    if prefix.startswith("$"):
        return _items(_parameters(view), lsp.CompletionItemKind.Variable, "$")
    key = _value_key(analysis.lines, line, text)
    node = view.node_at(line, column)
    if key is not None:
        return _value_items(view, key, node)
    if node is not None:
        return _argument_items(view, node)
    return []


def _value_key(lines: list[str], line: int, text: str) -> str | None:
    """The key whose value is being typed: on this line (`layer: De`, `inputs: [a, `), or above a block list item."""
    match = _VALUE_KEY.search(text)
    if match:
        return match.group(1)
    if re.fullmatch(r"\s*-\s*[A-Za-z0-9_/:]*", text):
        indent = len(text) - len(text.lstrip())
        for row in range(line - 1, -1, -1):
            above = lines[row]
            if above.strip() and len(above) - len(above.lstrip()) < indent:
                found = re.match(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*:\s*$", above)
                return found.group(1) if found else None
    return None


def _value_items(view: Analysis, key: str, node: Path | None) -> list[lsp.CompletionItem]:
    if key == "layer":
        return _items(
            [n for n in catalog.layer_names() if not (i := catalog.layer_info(n)) or not i.refused],
            lsp.CompletionItemKind.Class,
        )
    if key == "op":
        return _items(
            [n for n in catalog.op_names() if not (op := catalog.op_info(n)) or not op.refused],
            lsp.CompletionItemKind.Function,
        )
    if key in ("inputs", "share", "from"):
        return _items(_references(view, node, outputs=key != "share"), lsp.CompletionItemKind.Reference)
    if key == "block":
        return _items(_blocks(view), lsp.CompletionItemKind.Class)
    kind = catalog.object_kind(key)
    if kind is not None:
        return _items(
            [n for n in catalog.object_names(kind) if n[:1].islower()] or catalog.object_names(kind),
            lsp.CompletionItemKind.EnumMember,
        )
    choices = catalog._CHOICES.get(key)
    return _items(list(choices), lsp.CompletionItemKind.EnumMember) if choices else []


def _references(view: Analysis, node: Path | None, outputs: bool) -> list[str]:
    """Names a reference may take in the node's scope: inputs, nodes (not itself), `name:i` of multi-output nodes."""
    scope = node[:-2] if node is not None else ()
    names: list[str] = []
    if scope[:1] == ("blocks",):
        block_inputs = view.value_at((*scope, "inputs"))
        names += (
            [block_inputs]
            if isinstance(block_inputs, str)
            else list(block_inputs or ["x"])
            if isinstance(block_inputs, list) or block_inputs is None
            else []
        )
    inputs = view.value_at((*scope, "inputs")) if scope[:1] != ("blocks",) else None
    names += list(inputs) if isinstance(inputs, dict) else []
    nodes = view.value_at((*scope, "nodes"))
    for name in nodes if isinstance(nodes, dict) else []:
        if node is None or name != node[-1]:
            names.append(name)
            names += [f"{name}:{i}" for i in range(_output_count(view, name) if outputs else 0)]
    return list(dict.fromkeys(names))


def _output_count(view: Analysis, name: str) -> int:
    report = view.report
    info = report.inference.nodes.get(name) if report is not None else None
    return len(info.outputs) if info is not None and len(info.outputs) > 1 else 0


def _blocks(view: Analysis) -> list[str]:
    names = list(view.value_at(("blocks",)) or {}) if isinstance(view.value_at(("blocks",)), dict) else []
    for doc in _included(view):
        if isinstance(doc.data, dict) and isinstance(doc.data.get("blocks"), dict):
            names += list(doc.data["blocks"])
    return names


def _parameters(view: Analysis) -> list[str]:
    params = view.value_at(("params",))
    names = list(params) if isinstance(params, dict) else []
    blocks = view.value_at(("blocks",))
    for block in blocks.values() if isinstance(blocks, dict) else []:
        if isinstance(block, dict) and isinstance(block.get("params"), dict):
            names += list(block["params"])
    return list(dict.fromkeys(names))


def _argument_items(view: Analysis, node: Path) -> list[lsp.CompletionItem]:
    from graphspec.catalog.docs import argument_doc

    raw = view.value_at(node)
    raw = raw if isinstance(raw, dict) else {}
    layer = raw.get("layer")
    if not isinstance(layer, str):
        return _items(
            [k for k in ("layer", "inputs", "share", "op", "model", "block") if k not in raw],
            lsp.CompletionItemKind.Keyword,
            suffix=": ",
        )
    info = catalog.layer_info(layer)
    if info is None:
        return []
    items = []
    for name in ["inputs", *info.accepted()]:
        if name in raw:
            continue
        param = info.param_or_base(name)
        detail = None if param is None else "required" if param.required else f"default: {_default(param.default)}"
        doc = argument_doc(layer, name) if param is not None else None
        rank = "0" if param is not None and param.required else "1"
        items.append(
            lsp.CompletionItem(
                name,
                kind=lsp.CompletionItemKind.Property,
                detail=detail,
                documentation=doc,
                insert_text=f"{name}: ",
                sort_text=rank + name,
            )
        )
    return items


def _items(
    names: list[str], kind: lsp.CompletionItemKind, prefix: str = "", suffix: str = ""
) -> list[lsp.CompletionItem]:
    return [
        lsp.CompletionItem(
            prefix + n, kind=kind, insert_text=prefix + n + suffix if suffix else None, filter_text=prefix + n
        )
        for n in names
    ]


def word_at(analysis: Analysis, line: int, column: int) -> Token | None:
    return token_at(analysis.lines, line, column)
