"""The language server, end to end: a real LSP client (pytest-lsp) starts ``lovregler lsp``
as a subprocess and talks to it over stdio, as VS Code would."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from lovregler.syntax.parse import parse_file

ROOT = Path(__file__).resolve().parent.parent
RULESETS = ROOT / "rulesets"
KONTANTHJÆLP = RULESETS / "kontanthjælp_aktivitetsparat.lov"

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_lsp.fixture(
    scope="module",
    config=ClientServerConfig(server_command=[sys.executable, "-m", "lovregler.cli", "lsp"]),
)
async def client(lsp_client: LanguageClient):  # type: ignore[no-untyped-def]
    params = types.InitializeParams(capabilities=client_capabilities("visual-studio-code"))
    await lsp_client.initialize_session(params)
    yield
    await lsp_client.shutdown_session()


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of rule files of one's own: the vocabulary and a base ruleset beside it."""
    path = tmp_path_factory.mktemp("regler")
    shutil.copy(RULESETS / "ordforråd.lov", path)
    shutil.copy(KONTANTHJÆLP, path)
    return path


async def _open(client: LanguageClient, path: Path, text: str, version: int = 1) -> str:
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id="lovregler", version=version, text=text
            )
        )
    )
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return uri


async def _change(client: LanguageClient, uri: str, text: str, version: int) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)


def _position(text: str, needle: str, offset: int = 0) -> types.Position:
    """The position ``offset`` characters into the first occurrence of ``needle``."""
    index = text.index(needle) + offset
    line = text.count("\n", 0, index)
    return types.Position(line, index - (text.rfind("\n", 0, index) + 1))


def _end(text: str) -> types.Position:
    lines = text.split("\n")
    return types.Position(len(lines) - 1, len(lines[-1]))


TYPO = """importer ordforråd

ordning min "Min ordning"
  forløb når ydelse kontanthjælp

  pligt første_samtale "Første samtale"
    frist 1 uge efter forløbets start
    opfyldes af samtle
    hjemmel "LAB 2019 § 31, stk. 5"
"""


async def test_a_misspelt_event_is_reported_as_typed_with_a_quick_fix(
    client: LanguageClient, folder: Path
) -> None:
    uri = await _open(client, folder / "min.lov", TYPO)
    [diagnostic] = [
        d for d in client.diagnostics[uri] if d.severity == types.DiagnosticSeverity.Error
    ]
    assert diagnostic.message == "ukendt hændelsestype 'samtle'\ntip: mente du 'samtale'?"
    # line 8, »samtle« after »    opfyldes af «
    assert diagnostic.range == types.Range(types.Position(7, 16), types.Position(7, 22))
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diagnostic.range,
            context=types.CodeActionContext(diagnostics=[diagnostic]),
        )
    )
    assert actions is not None
    [action] = actions
    assert isinstance(action, types.CodeAction) and action.edit is not None
    assert action.edit.changes is not None
    assert list(action.edit.changes[uri]) == [types.TextEdit(diagnostic.range, "samtale")]

    # the author fixes it: the diagnostics are renewed as they type
    await _change(client, uri, TYPO.replace("samtle", "samtale"), 2)
    errors = [d for d in client.diagnostics[uri] if d.severity == types.DiagnosticSeverity.Error]
    assert errors == []


async def test_a_misspelt_keyword_gets_a_quick_fix(client: LanguageClient, folder: Path) -> None:
    text = TYPO.replace("frist 1 uge", "fristt 1 uge").replace("samtle", "samtale")
    uri = await _open(client, folder / "stavefejl.lov", text)
    [diagnostic] = client.diagnostics[uri]
    assert diagnostic.message == "»fristt« kan ikke stå her\ntip: mente du »frist«?"
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diagnostic.range,
            context=types.CodeActionContext(diagnostics=[diagnostic]),
        )
    )
    assert actions is not None and len(actions) == 1
    edit = actions[0].edit  # type: ignore[union-attr]
    assert edit is not None and edit.changes is not None
    assert [e.new_text for e in edit.changes[uri]] == ["frist"]


async def test_warnings_come_with_their_hint(client: LanguageClient, folder: Path) -> None:
    uri = await _open(client, folder / "uden.lov", TYPO.replace("samtle", "samtale"))
    [warning] = client.diagnostics[uri]
    assert warning.severity == types.DiagnosticSeverity.Warning
    assert warning.message.startswith("ordningen 'min' har ingen eksempler\ntip: ")


async def test_hover_on_a_rule_gives_its_sentence_citation_and_law_text(
    client: LanguageClient, folder: Path
) -> None:
    text = KONTANTHJÆLP.read_text("utf-8")
    uri = await _open(client, folder / KONTANTHJÆLP.name, text)
    result = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=_position(text, "pligt første_samtale", 8),
        )
    )
    assert result is not None and isinstance(result.contents, types.MarkupContent)
    shown = result.contents.value
    assert (
        "Jobcentret skal holde en samtale med borgeren senest 1 uge efter forløbets start." in shown
    )
    # the citation and law text are the rule's own (read here, not copied: the law work edits them)
    rule = parse_file(KONTANTHJÆLP).rulesets[0].versions[0].rules[0]
    assert rule.id == "første_samtale" and rule.docs.citation and rule.docs.excerpts
    assert f"*Hjemmel:* {rule.docs.citation}" in shown
    assert f"> {rule.docs.excerpts[0].text}" in shown


async def test_hover_on_an_event_and_a_pattern_gives_their_declarations(
    client: LanguageClient, folder: Path
) -> None:
    text = KONTANTHJÆLP.read_text("utf-8")
    uri = await _open(client, folder / KONTANTHJÆLP.name, text)
    doc = types.TextDocumentIdentifier(uri=uri)
    event = await client.text_document_hover_async(
        types.HoverParams(text_document=doc, position=_position(text, "opfyldes af samtale", 13))
    )
    assert event is not None and isinstance(event.contents, types.MarkupContent)
    assert (
        'hændelse samtale "en samtale holdt af jobcentret"\n'
        '  kaldet "en samtale" / "samtaler" handling "holde {np} med borgeren" {'
    ) in event.contents.value
    pattern = await client.text_document_hover_async(
        types.HoverParams(
            text_document=doc, position=_position(text, "opfyldes af kvalificerende_tilbud", 14)
        )
    )
    assert pattern is not None and isinstance(pattern.contents, types.MarkupContent)
    assert "mønster kvalificerende_tilbud = tilbud_start hvor" in pattern.contents.value


async def test_completion_after_opfyldes_af_and_inside_braces(
    client: LanguageClient, folder: Path
) -> None:
    good = KONTANTHJÆLP.read_text("utf-8")
    uri = await _open(client, folder / KONTANTHJÆLP.name, good)
    head = good[: good.index('  eksempel "Samtale og tilbud')]
    typing = head + '  pligt ny "Ny"\n    opfyldes af '
    await _change(client, uri, typing, 2)
    end = _end(typing)
    found = await client.text_document_completion_async(
        types.CompletionParams(text_document=types.TextDocumentIdentifier(uri=uri), position=end)
    )
    assert isinstance(found, types.CompletionList)
    labels = {i.label for i in found.items}
    assert {"samtale", "tilbud_start", "kvalificerende_tilbud"} <= labels
    assert "frist" not in labels

    typing = head + '  pligt ny "Ny"\n    opfyldes af tilbud_start{tilbud = '
    await _change(client, uri, typing, 3)
    found = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=_end(typing),
        )
    )
    assert isinstance(found, types.CompletionList)
    assert {"virksomhedspraktik", "løntilskud"} <= {i.label for i in found.items}


async def test_completion_of_keywords_in_the_files_language(
    client: LanguageClient, folder: Path
) -> None:
    text = 'ruleset a "A"\n  obligation p "P"\n    '
    uri = await _open(client, folder / "english.lov", text)
    found = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(2, 4),
        )
    )
    assert isinstance(found, types.CompletionList)
    labels = {i.label for i in found.items}
    assert {"due", "met by", "citation"} <= labels
    assert not {"frist", "opfyldes af"} & labels


async def test_go_to_definition_of_a_pattern_and_an_event(
    client: LanguageClient, folder: Path
) -> None:
    text = KONTANTHJÆLP.read_text("utf-8")
    uri = await _open(client, folder / KONTANTHJÆLP.name, text)
    doc = types.TextDocumentIdentifier(uri=uri)
    pattern = await client.text_document_definition_async(
        types.DefinitionParams(
            text_document=doc, position=_position(text, "opfyldes af kvalificerende_tilbud", 14)
        )
    )
    assert isinstance(pattern, types.Location)
    assert pattern.uri == uri
    assert pattern.range.start == _position(text, "mønster kvalificerende_tilbud =")
    event = await client.text_document_definition_async(
        types.DefinitionParams(
            text_document=doc, position=_position(text, "opfyldes af samtale", 13)
        )
    )
    assert isinstance(event, types.Location)
    vocabulary = (folder / "ordforråd.lov").read_text("utf-8")
    assert event.uri == (folder / "ordforråd.lov").resolve().as_uri()
    assert event.range.start == _position(vocabulary, 'hændelse samtale "')


async def test_go_to_definition_of_an_overriding_rule_opens_the_base_rule(
    client: LanguageClient, folder: Path
) -> None:
    text = (
        "importer ordforråd\n\n"
        'ordning kbh "Københavns regler" udvider kontanthjælp_aktivitetsparat\n\n'
        '  pligt første_samtale "Første samtale"\n    erstatter\n'
        "    frist 3 dage efter forløbets start\n    opfyldes af samtale\n"
    )
    uri = await _open(client, folder / "kbh.lov", text)
    found = await client.text_document_definition_async(
        types.DefinitionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=_position(text, "første_samtale", 2),
        )
    )
    assert isinstance(found, types.Location)
    base = (folder / KONTANTHJÆLP.name).read_text("utf-8")
    assert found.uri == (folder / KONTANTHJÆLP.name).resolve().as_uri()
    assert found.range.start == _position(base, "pligt første_samtale")


async def test_document_symbols_outline_the_ruleset(client: LanguageClient, folder: Path) -> None:
    text = KONTANTHJÆLP.read_text("utf-8")
    uri = await _open(client, folder / KONTANTHJÆLP.name, text)
    found = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    assert found is not None
    [ruleset] = found
    assert isinstance(ruleset, types.DocumentSymbol)
    assert ruleset.name == "kontanthjælp_aktivitetsparat"
    children = {c.name: c for c in ruleset.children or []}
    assert {"lab2015", "lab2019", "Samtale og tilbud til tiden"} <= set(children)
    rules = [c.name for c in children["lab2019"].children or []]
    assert rules[:2] == ["første_samtale", "fire_samtaler_første_halvår"]


async def test_formatting_gives_the_canonical_layout(client: LanguageClient, folder: Path) -> None:
    text = 'ordning a "A"\npligt p "P"  frist 1 uge efter forløbets start\n'
    uri = await _open(client, folder / "rodet.lov", text)
    edits = await client.text_document_formatting_async(
        types.DocumentFormattingParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            options=types.FormattingOptions(tab_size=2, insert_spaces=True),
        )
    )
    assert edits is not None and len(edits) == 1
    assert edits[0].new_text == (
        'ordning a "A"\n\n  pligt p "P"\n    frist 1 uge efter forløbets start\n'
    )


async def test_ranges_count_utf16_code_units_after_a_character_outside_the_bmp(
    client: LanguageClient, folder: Path
) -> None:
    line = '  pligt p "Samtale 🗓" frist 1 uge efter forløbets start opfyldes af samtle'
    text = f'importer ordforråd\nordning emoji "E"\n  forløb når ydelse kontanthjælp\n{line}\n'
    uri = await _open(client, folder / "emoji.lov", text)
    [error] = [d for d in client.diagnostics[uri] if d.severity == types.DiagnosticSeverity.Error]
    # 🗓 is one code point but two UTF-16 code units: the range starts one unit later
    start = len(line[: line.index("samtle")].encode("utf-16-le")) // 2
    assert start == line.index("samtle") + 1
    assert error.range == types.Range(types.Position(3, start), types.Position(3, start + 6))
