"""Highlighting: the Pygments lexer and the TextMate grammar come from the keyword table."""

from __future__ import annotations

import json
import re
from pathlib import Path

from pygments import lex
from pygments.lexers import get_lexer_by_name, get_lexer_for_filename
from pygments.token import Comment, Keyword, Name, Number, String

from lovregler.syntax.highlight import LovreglerLexer, textmate_grammar

ROOT = Path(__file__).resolve().parent.parent


def _tokens(text: str) -> list[tuple[object, str]]:
    return [(t, v) for t, v in lex(text, LovreglerLexer()) if v.strip()]


def test_the_lexer_is_registered_for_lov_files() -> None:
    assert isinstance(get_lexer_by_name("lovregler"), LovreglerLexer)
    assert isinstance(get_lexer_for_filename("fleksjob.lov"), LovreglerLexer)


def test_keywords_of_both_languages_texts_dates_names_and_comments() -> None:
    text = (
        'pligt første_samtale "Første samtale"  # en kommentar\n'
        "  frist 1 uge efter forløbets start\n"
        "  met by samtale\n"
        "  pr. 2015-03-09 forventes\n"
    )
    assert _tokens(text) == [
        (Keyword, "pligt"),
        (Name, "første_samtale"),
        (String, '"Første samtale"'),
        (Comment.Single, "# en kommentar"),
        (Keyword, "frist"),
        (Number.Integer, "1"),
        (Keyword, "uge"),
        (Keyword, "efter"),
        (Keyword, "forløbets start"),
        (Keyword, "met by"),
        (Name, "samtale"),
        (Keyword, "pr."),
        (Number.Other, "2015-03-09"),
        (Keyword, "forventes"),
    ]


def test_a_keyword_inside_a_longer_name_is_a_name() -> None:
    # »fristen« and »pligter« contain keywords but are names
    assert _tokens("fristen pligter") == [(Name, "fristen"), (Name, "pligter")]


def test_statuses_and_constants_have_their_own_kinds() -> None:
    tokens = dict((v, t) for t, v in _tokens("opfyldt for sent afventer sand falsk"))
    assert tokens == {
        "opfyldt for sent": Keyword.Type,
        "afventer": Keyword.Type,
        "sand": Keyword.Constant,
        "falsk": Keyword.Constant,
    }


def test_the_vscode_grammar_is_the_generated_one() -> None:
    path = ROOT / "editors" / "vscode" / "syntaxes" / "lovregler.tmLanguage.json"
    # after a change of keywords in the grammar:
    # python -m lovregler.syntax.highlight > editors/vscode/syntaxes/lovregler.tmLanguage.json
    assert json.loads(path.read_text("utf-8")) == textmate_grammar(), "regenerate the grammar"


def test_the_vscode_grammar_matches_keywords_as_whole_words() -> None:
    patterns = {p["name"]: p.get("match") for p in textmate_grammar()["patterns"]}  # type: ignore[union-attr]
    keywords = re.compile(patterns["keyword.control.lovregler"])
    assert keywords.search("    opfyldes   af samtale").group() == "opfyldes   af"  # type: ignore[union-attr]
    assert keywords.search("fristen") is None


def test_the_vscode_extension_starts_the_language_server() -> None:
    folder = ROOT / "editors" / "vscode"
    package = json.loads((folder / "package.json").read_text("utf-8"))
    assert package["contributes"]["languages"][0]["extensions"] == [".lov"]
    assert package["contributes"]["configuration"]["properties"]["lovregler.command"][
        "default"
    ] == ["lovregler", "lsp"]
    assert "LanguageClient" in (folder / "extension.js").read_text("utf-8")
