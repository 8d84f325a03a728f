"""``lovregler lsp``: a language server for rule files, over stdio, built on pygls.

Every answer comes from :mod:`lovregler.editor` (the parser, the checker and the checker's
name resolution); this module only translates between the protocol and those functions:

* diagnostics as the author types — every syntax error and every checker error and warning,
  with its range and its hint — and a quick fix for each »mente du …?«;
* hover, completion, go to definition, document symbols and formatting (:mod:`lovregler.fmt`).

Positions: lovregler counts lines and columns from 1 in code points, the protocol from 0 in
the client's code units (UTF-16 unless it asks for another); pygls' position codec converts.
"""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from .editor import Completion, Document, Symbol, analyse, complete, definition, hover, symbols
from .errors import Diagnostic, Fix, LovreglerError, SourcePos
from .fmt import format_text

server = LanguageServer("lovregler", metadata.version("lovregler"))
_documents: dict[str, Document] = {}

_DID_YOU_MEAN = re.compile(r"mente du '([^']+)'\?")
_COMPLETION_KINDS = {
    "keyword": types.CompletionItemKind.Keyword,
    "event": types.CompletionItemKind.Class,
    "pattern": types.CompletionItemKind.Function,
    "set": types.CompletionItemKind.Enum,
    "attribute": types.CompletionItemKind.Field,
    "value": types.CompletionItemKind.EnumMember,
    "rule": types.CompletionItemKind.Method,
    "status": types.CompletionItemKind.Constant,
}
_SYMBOL_KINDS = {
    "ruleset": types.SymbolKind.Module,
    "vocabulary": types.SymbolKind.Module,
    "version": types.SymbolKind.Namespace,
    "rule": types.SymbolKind.Method,
    "definition": types.SymbolKind.Variable,
    "course": types.SymbolKind.Struct,
    "example": types.SymbolKind.Event,
}


# ───────────────────────────── positions ─────────────────────────────
def to_range(pos: SourcePos, source: str) -> types.Range:
    """The protocol's range of a span (a bare position becomes the word that starts there)."""
    line, column = max(pos.line - 1, 0), max(pos.column - 1, 0)
    end_line, end_column = pos.end_line - 1, pos.end_column - 1
    if (end_line, end_column) <= (line, column):
        lines = source.split("\n")
        text = lines[line] if line < len(lines) else ""
        word = re.match(r"\w*", text[column:])
        end_line, end_column = line, column + max(len(word.group()) if word else 0, 1)
    return types.Range(types.Position(line, column), types.Position(end_line, end_column))


def _to_client(r: types.Range, source: str) -> types.Range:
    """A range in code points as the client counts (UTF-16 unless it asked for another)."""
    lines = source.split("\n")
    codec = server.workspace.position_codec
    return types.Range(
        codec.position_to_client_units(lines, r.start), codec.position_to_client_units(lines, r.end)
    )


def _from_client(position: types.Position, source: str) -> tuple[int, int]:
    """A client's position as a 0-based line and code-point column."""
    codec = server.workspace.position_codec
    found = codec.position_from_client_units(source.split("\n"), position)
    return found.line, found.character


def _path(uri: str) -> Path | None:
    return Path(server.workspace.get_text_document(uri).path) if uri.startswith("file:") else None


def _uri(file: str) -> str:
    return Path(file).resolve().as_uri()


# ───────────────────────────── diagnostics ─────────────────────────────
def fixes_of(diagnostic: Diagnostic) -> list[Fix]:
    """The quick fixes of a diagnostic: its own, or the checker's »mente du 'x'?«."""
    if diagnostic.fixes:
        return list(diagnostic.fixes)
    match = _DID_YOU_MEAN.search(diagnostic.hint or "")
    if match is None:
        return []
    return [Fix(diagnostic.pos, match.group(1), f"skriv {match.group(1)}")]


def to_diagnostic(diagnostic: Diagnostic, source: str) -> types.Diagnostic:
    """A lovregler diagnostic in the protocol's form (the hint after the message)."""
    severity = (
        types.DiagnosticSeverity.Error
        if diagnostic.severity == "error"
        else types.DiagnosticSeverity.Warning
    )
    message = diagnostic.message + (f"\ntip: {diagnostic.hint}" if diagnostic.hint else "")
    fixes = [
        {
            "title": fix.title,
            "text": fix.text,
            "range": _range_data(_to_client(to_range(fix.pos, source), source)),
        }
        for fix in fixes_of(diagnostic)
    ]
    return types.Diagnostic(
        range=_to_client(to_range(diagnostic.pos, source), source),
        message=message,
        severity=severity,
        source="lovregler",
        data=fixes or None,
    )


def _range_data(r: types.Range) -> list[int]:
    return [r.start.line, r.start.character, r.end.line, r.end.character]


def _analyse(uri: str) -> Document:
    document = server.workspace.get_text_document(uri)
    try:
        doc = analyse(document.source, _path(uri), _documents.get(uri))
    except (LovreglerError, RecursionError, OSError) as err:  # never let the server die
        diag = Diagnostic(SourcePos(uri, 1, 1), f"filen kan ikke læses: {err}")
        doc = Document(document.source, uri, None, (diag,))
    _documents[uri] = doc
    own = [d for d in doc.diagnostics if d.pos.file in (doc.file, uri)]
    server.text_document_publish_diagnostics(
        types.PublishDiagnosticsParams(
            uri=uri,
            version=document.version,
            diagnostics=[to_diagnostic(d, document.source) for d in own],
        )
    )
    return doc


def _current(uri: str) -> Document:
    document = server.workspace.get_text_document(uri)
    doc = _documents.get(uri)
    return doc if doc is not None and doc.source == document.source else _analyse(uri)


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: LanguageServer, params: types.DidOpenTextDocumentParams) -> None:
    """Check a file when it is opened."""
    _analyse(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: LanguageServer, params: types.DidChangeTextDocumentParams) -> None:
    """Check a file as it is typed."""
    _analyse(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: LanguageServer, params: types.DidSaveTextDocumentParams) -> None:
    """Check a file when it is saved (its neighbours may have changed)."""
    _analyse(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: LanguageServer, params: types.DidCloseTextDocumentParams) -> None:
    """Forget a closed file and clear its diagnostics."""
    _documents.pop(params.text_document.uri, None)
    ls.text_document_publish_diagnostics(
        types.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[])
    )


@server.feature(
    types.TEXT_DOCUMENT_CODE_ACTION,
    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
)
def code_action(ls: LanguageServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    """A quick fix for each did-you-mean among the diagnostics of the range."""
    actions = []
    for diag in params.context.diagnostics:
        fixes = diag.data or []
        for fix in fixes:
            start_line, start_char, end_line, end_char = fix["range"]
            edit = types.TextEdit(
                range=types.Range(
                    types.Position(start_line, start_char), types.Position(end_line, end_char)
                ),
                new_text=fix["text"],
            )
            actions.append(
                types.CodeAction(
                    title=fix["title"],
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diag],
                    is_preferred=len(fixes) == 1,
                    edit=types.WorkspaceEdit(changes={params.text_document.uri: [edit]}),
                )
            )
    return actions


# ───────────────────────────── questions ─────────────────────────────
@server.feature(types.TEXT_DOCUMENT_HOVER)
def on_hover(ls: LanguageServer, params: types.HoverParams) -> types.Hover | None:
    """A rule's Danish sentence, citation and law text; a name's declaration."""
    doc = _current(params.text_document.uri)
    text = hover(doc, *_from_client(params.position, doc.source))
    if text is None:
        return None
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text))


@server.feature(
    types.TEXT_DOCUMENT_COMPLETION,
    types.CompletionOptions(trigger_characters=[" ", "{", "="]),
)
def on_completion(ls: LanguageServer, params: types.CompletionParams) -> types.CompletionList:
    """Keywords, event types, patterns, sets, attributes, values, rule ids and statuses."""
    doc = _current(params.text_document.uri)
    found = complete(doc, *_from_client(params.position, doc.source))
    return types.CompletionList(is_incomplete=False, items=[_item(c) for c in found])


def _item(completion: Completion) -> types.CompletionItem:
    return types.CompletionItem(
        label=completion.label,
        kind=_COMPLETION_KINDS.get(completion.kind, types.CompletionItemKind.Text),
        detail=completion.detail or None,
    )


@server.feature(types.TEXT_DOCUMENT_DEFINITION)
def on_definition(ls: LanguageServer, params: types.DefinitionParams) -> types.Location | None:
    """Where a pattern, set, vocabulary name or replaced base rule is declared."""
    doc = _current(params.text_document.uri)
    pos = definition(doc, *_from_client(params.position, doc.source))
    if pos is None:
        return None
    own = pos.file == doc.file
    uri = params.text_document.uri if own else _uri(pos.file)
    source = doc.source if own else _read(pos.file)
    return types.Location(uri=uri, range=_to_client(to_range(pos, source), source))


def _read(file: str) -> str:
    try:
        return Path(file).read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


@server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
def on_symbols(
    ls: LanguageServer, params: types.DocumentSymbolParams
) -> list[types.DocumentSymbol]:
    """The outline: ordning, versions, rules, definitions and examples."""
    doc = _current(params.text_document.uri)
    return [_symbol(s, doc.source) for s in symbols(doc)]


def _symbol(symbol: Symbol, source: str) -> types.DocumentSymbol:
    whole = _to_client(to_range(symbol.pos, source), source)
    return types.DocumentSymbol(
        name=symbol.name,
        kind=_SYMBOL_KINDS.get(symbol.kind, types.SymbolKind.Object),
        detail=symbol.detail or None,
        range=whole,
        selection_range=types.Range(whole.start, whole.start),
        children=[_symbol(c, source) for c in symbol.children] or None,
    )


@server.feature(types.TEXT_DOCUMENT_FORMATTING)
def on_formatting(
    ls: LanguageServer, params: types.DocumentFormattingParams
) -> list[types.TextEdit] | None:
    """The file in the canonical layout of ``lovregler fmt`` (nothing while it does not parse)."""
    document = ls.workspace.get_text_document(params.text_document.uri)
    try:
        formatted = format_text(document.source, document.uri)
    except LovreglerError:
        return None
    if formatted == document.source:
        return []
    lines = document.source.split("\n")
    end = server.workspace.position_codec.position_to_client_units(
        lines, types.Position(len(lines) - 1, len(lines[-1]))
    )
    return [types.TextEdit(range=types.Range(types.Position(0, 0), end), new_text=formatted)]


def main() -> int:
    """Serve over stdin/stdout until the editor says exit."""
    server.start_io()
    return 0
