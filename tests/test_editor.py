"""What the editor is told about a rule file (the functions behind ``lovregler lsp``)."""

from __future__ import annotations

from pathlib import Path

from lovregler.editor import analyse, complete, definition, hover, symbols

ROOT = Path(__file__).resolve().parent.parent
KONTANTHJÆLP = ROOT / "rulesets" / "kontanthjælp_aktivitetsparat.lov"
VOCABULARY = ROOT / "rulesets" / "ordforråd.lov"
TEXT = KONTANTHJÆLP.read_text("utf-8")
DOC = analyse(TEXT, KONTANTHJÆLP)
HEAD = TEXT[: TEXT.index('  eksempel "Samtale og tilbud')]


def _at(text: str, needle: str, offset: int) -> tuple[int, int]:
    index = text.index(needle) + offset
    return text.count("\n", 0, index), index - (text.rfind("\n", 0, index) + 1)


def _labels(text: str) -> list[str]:
    """The completions at the end of ``text``, typed into the bundled ruleset."""
    doc = analyse(text, KONTANTHJÆLP, DOC)
    lines = text.split("\n")
    return [c.label for c in complete(doc, len(lines) - 1, len(lines[-1]))]


def test_a_bundled_ruleset_has_no_diagnostics() -> None:
    assert DOC.diagnostics == ()


def test_hover_on_an_attribute_in_a_condition_shows_that_events_attribute() -> None:
    shown = hover(DOC, *_at(TEXT, "vurdering{klar_til_tilbud = falsk}", 12))
    assert shown == (
        "```lovregler\nvurdering { klar_til_tilbud: sandhedsværdi kaldet "
        '"borgeren er klar til tilbud" / "borgeren ikke er klar til tilbud" }\n```'
    )


def test_hover_on_an_attribute_of_an_example_event_is_not_the_period_of_that_name() -> None:
    shown = hover(DOC, *_at(TEXT, "ydelse_start ydelse=kontanthjælp", 14))
    assert shown == '```lovregler\nydelse_start { ydelse: ydelse kaldet "ydelsen" }\n```'


def test_hover_on_a_value_shows_its_enum() -> None:
    shown = hover(DOC, *_at(TEXT, "tilbud=virksomhedspraktik", 9))
    assert shown is not None and "opregning tilbud: virksomhedspraktik, løntilskud" in shown


def test_completion_in_an_example() -> None:
    example = HEAD + '  eksempel "x"\n    født 1980-01-01\n'
    assert "samtale" in _labels(example + "    2015-03-02 ")
    assert _labels(example + "    2015-03-02 samtale ") == ["form"]
    assert _labels(example + "    2015-03-02 samtale form=") == [
        "personlig",
        "telefonisk",
        "digital",
    ]
    block = example + "    2015-03-02 samtale\n    pr. 2015-04-01 forventes\n"
    assert "første_samtale" in _labels(block + "      ")
    assert "første_samtale" in _labels(block + "      ingen ")
    assert _labels(block + "      første_samtale ")[:2] == ["opfyldt", "opfyldt for sent"]


def test_completion_of_a_period_key_and_a_set() -> None:
    rule = HEAD + '  ret ny "Ny"\n'
    # ydelse is a period keyed by ydelse: inside the braces, ydelse_start's attributes
    assert _labels(rule + "    når ydelse kontanthjælp{") == ["ydelse", "målgruppe"]
    assert _labels(rule + "    når uddannelse i ") == [
        "ret_og_pligt_tilbud",
        "uden_erhvervskompetence",
    ]


def test_definition_of_a_set_and_of_a_rule_named_in_an_expectation() -> None:
    found = definition(DOC, *_at(TEXT, "tilbud i ret_og_pligt_tilbud og", 10))
    assert found is not None and (found.line, found.column) == (
        _at(TEXT, "mængde ret_og_pligt_tilbud", 0)[0] + 1,
        3,
    )
    rule = definition(DOC, *_at(TEXT, "      første_samtale opfyldt 2015-03-06", 8))
    assert rule is not None and rule.line == _at(TEXT, "pligt første_samtale", 0)[0] + 1


def test_a_vocabulary_file_has_its_declarations_as_symbols() -> None:
    doc = analyse(VOCABULARY.read_text("utf-8"), VOCABULARY)
    [vocabulary] = symbols(doc)
    names = [s.name for s in vocabulary.children]
    assert vocabulary.name == "ordforråd" and {"samtale", "ydelse", "sygdom"} <= set(names)


def test_a_file_being_typed_keeps_the_outline_of_its_last_good_version() -> None:
    typing = analyse(TEXT + "\n  pligt halv", KONTANTHJÆLP, DOC)
    assert typing.module is None and typing.diagnostics
    assert [s.name for s in symbols(typing)] == ["kontanthjælp_aktivitetsparat"]
