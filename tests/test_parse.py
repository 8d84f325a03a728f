"""The parser: both keyword languages, positions, NFC, friendly syntax errors."""

from __future__ import annotations

import unicodedata

import pytest
from lark import v_args

from lovregler.errors import RuleSyntaxError
from lovregler.syntax import ast
from lovregler.syntax.lark_parser import parser
from lovregler.syntax.parse import parse_text
from lovregler.syntax.transform import ToAst

DANSK = """
importer ordforråd
ordning a "Titel"
  forløb når ydelse kontanthjælp{målgruppe = aktivitetsparat}
  version v "V" gælder fra 2014-01-01 til 2019-12-31
    pligt p "P"
      ansvarlig jobcenter
      frist 3 måneder efter første samtale
      gentages 3 måneder efter hver opfyldelse
      opfyldes af mindst 2 samtale hvor form i {personlig, digital}
    ret r "R"
      fra hver vurdering{klar_til_tilbud = falsk}
      indtil dagen før næste vurdering{klar_til_tilbud = sand}
      hjemmel "Lov § 1"
      kilde "https://example.org/lov/1"
      lovtekst "Første citat."
      lovtekst (omskrevet) "Med andre ord."
"""

ENGLISH = """
import ordforråd
ruleset a "Titel"
  course when ydelse kontanthjælp{målgruppe = aktivitetsparat}
  version v "V" valid from 2014-01-01 to 2019-12-31
    obligation p "P"
      holder jobcenter
      due 3 months after first samtale
      repeats 3 months after each fulfilment
      met by at least 2 samtale where form in {personlig, digital}
    right r "R"
      from each vurdering{klar_til_tilbud = false}
      until the day before next vurdering{klar_til_tilbud = true}
      citation "Lov § 1"
      source "https://example.org/lov/1"
      excerpt "Første citat."
      excerpt ( paraphrase ) "Med andre ord."
"""


def test_danish_and_english_keywords_give_the_same_tree() -> None:
    assert parse_text(DANSK).rulesets == parse_text(ENGLISH).rulesets


def test_positions_are_kept_but_do_not_count_for_equality() -> None:
    shifted = parse_text("\n\n" + DANSK)
    rule = shifted.rulesets[0].versions[0].rules[0]
    assert rule.pos.line == 8 and rule.pos.column == 5
    assert shifted.rulesets == parse_text(DANSK).rulesets


def test_source_and_paraphrase_clauses() -> None:
    docs = parse_text(DANSK).rulesets[0].versions[0].rules[1].docs
    source = ast.Source(address="https://example.org/lov/1")
    assert docs.sources == (source,)
    assert docs.excerpts == (
        ast.Excerpt(text="Første citat.", source=source),
        ast.Excerpt(text="Med andre ord.", paraphrase=True, source=source),
    )
    # DANSK begins with an empty line: kilde is line 15, the paraphrase line 17
    assert docs.excerpts[1].pos.line == 17 and docs.sources[0].pos.line == 15


def test_a_quote_is_from_the_nearest_source_before_it_else_the_first_after_it() -> None:
    docs = (
        parse_text(
            'ordning a "t" pligt p "P" frist 1 uge efter forløbets start opfyldes af samtale\n'
            'lovtekst "a" kilde "https://x/1" lovtekst "b" kilde "https://x/2" lovtekst "c"\n'
            'lovtekst (omskrevet) "d"'
        )
        .rulesets[0]
        .rules[0]
        .docs
    )
    assert [(e.text, e.source and e.source.address) for e in docs.excerpts] == [
        ("a", "https://x/1"),
        ("b", "https://x/1"),
        ("c", "https://x/2"),
        ("d", "https://x/2"),
    ]
    bare = parse_text('ordning a "t" lovtekst "a" lovtekst (omskrevet) "b"').rulesets[0].docs
    assert [(e.source, e.paraphrase) for e in bare.excerpts] == [(None, False), (None, True)]


def test_identifiers_are_nfc_normalised() -> None:
    decomposed = unicodedata.normalize("NFD", DANSK)
    assert decomposed != DANSK
    assert parse_text(decomposed).rulesets == parse_text(DANSK).rulesets


TRANSITION_DA = """
ordning a "T"
  pligt p "P"
    frist 1 uge efter forløbets start
    opfyldes af samtale
    overgang løbende forløb regnes begyndt ved ikrafttræden hjemmel "Lov nr. 1 § 9"
"""

TRANSITION_EN = """
ruleset a "T"
  obligation p "P"
    due 1 week after course start
    met by samtale
    transition running courses count as begun at entry into force citation "Lov nr. 1 § 9"
"""


def test_a_declared_transition_has_its_own_hjemmel_and_position() -> None:
    da, en = parse_text(TRANSITION_DA, "x.lov"), parse_text(TRANSITION_EN)
    assert da.rulesets == en.rulesets
    rule = da.rulesets[0].rules[0]
    assert rule.transition == ast.Transition(citation="Lov nr. 1 § 9")
    assert (rule.transition.pos.line, rule.transition.pos.column) == (6, 5)
    # the transition's hjemmel is its own, not the rule's
    assert rule.docs.citation is None


def test_a_rule_with_a_transition_differs_from_one_without() -> None:
    plain = TRANSITION_DA.replace(
        '    overgang løbende forløb regnes begyndt ved ikrafttræden hjemmel "Lov nr. 1 § 9"\n', ""
    )
    assert parse_text(plain).rulesets != parse_text(TRANSITION_DA).rulesets


def test_durations_in_years_and_months_are_months() -> None:
    m = parse_text(
        'ordning a "t" pligt p "P" frist 2 år 6 måneder efter forløbets start opfyldes af samtale'
    )
    deadline = m.rulesets[0].rules[0].deadline
    assert deadline is not None and deadline.after == ast.Duration(
        months=30, days=0, unit_text="2 år 6 måneder"
    )


@pytest.mark.parametrize(
    ("text", "where", "says"),
    [
        (
            'ordning a "t" pligt p "P" opfyldes samtale',
            "x.lov:1:27",
            "»opfyldes« skal følges af »af«",
        ),
        ("ordning a pligt", "x.lov:1:11", "mangler sin titel"),
        ('ordning a "t" gælder fra 2014-1-1', "x.lov:1:26", "ÅÅÅÅ-MM-DD"),
        ('ordning a "t" gælder fra 2014-02-30', "x.lov:1:26", "ikke en gyldig dato"),
        (
            'ordning a "t" pligt p "P" frist 3 efter forløbets start',
            "x.lov:1:35",
            "længde og en enhed",
        ),
        (
            'ordning a "t" pligt p "P" frist 1 uge efter forløbets start\n'
            "  overgang løbende forløb regnes begyndt ved ikrafttræden\n"
            "  opfyldes af samtale",
            "x.lov:3:3",
            "sin egen hjemmel",
        ),
    ],
)
def test_syntax_errors_say_what_and_where(text: str, where: str, says: str) -> None:
    with pytest.raises(RuleSyntaxError) as err:
        parse_text(text, "x.lov")
    message = str(err.value)
    assert message.startswith(where)
    assert says in message
    assert "^" in message and "Traceback" not in message


# ───────────────────────────── the transformer's parts ─────────────────────────────
def _node_rules() -> set[str]:
    """The grammar rules and aliases that become a node (not inlined: no leading ``_``, and
    not a ``?rule`` that passes its one child on)."""
    return {
        str(rule.alias or rule.origin.name)
        for rule in parser().rules
        if not str(rule.alias or rule.origin.name).startswith("_")
        and (rule.alias or not rule.options.expand1)
    }


# The two ways a ToAst method takes its children, as Lark's public v_args makes them.
_INLINE = v_args(inline=True, meta=True)(lambda: None).visit_wrapper
_AS_LIST = v_args(meta=True)(lambda: None).visit_wrapper


def test_every_node_rule_has_a_method_with_its_v_args() -> None:
    # ToAst is put together from parts, and Lark applies a class's @v_args only to the
    # methods that class defines: a part without its own would get its children as one list
    rules = _node_rules()
    assert {"start", "obligation", "tl_name", "b_compare", "date_shift"} <= rules
    missing = {name for name in rules if not hasattr(ToAst, name)}
    assert missing == set()
    wrappers = {name: getattr(getattr(ToAst, name), "visit_wrapper", None) for name in rules}
    assert {name for name, w in wrappers.items() if w not in (_INLINE, _AS_LIST)} == set()
    assert {name for name, w in wrappers.items() if w is _AS_LIST} >= {"start", "ruleset"}
