"""The checker: golden diagnostics for bad rule files, clean good files, and one test per pass.

Every ``tests/fixtures/bad/NAME.lov`` has a ``NAME.expected`` holding, written by hand, the
diagnostics exactly as ``Diagnostic.format()`` prints them (separated by a blank line). Every
``tests/fixtures/good/*.lov`` must check without errors or warnings.
"""

from __future__ import annotations

import datetime
import random
import re
from pathlib import Path

import pytest

from lovregler.check import (
    RULESET_PASSES,
    VOCABULARY_PASSES,
    all_rules,
    check_module,
    check_ruleset,
    check_sources,
    check_vocabulary,
    check_vocabulary_words,
    definition_features,
    narrow,
    walk,
)
from lovregler.errors import Diagnostic, RuleSyntaxError, SourcePos
from lovregler.semantics import find_definition, resolve_pattern, resolve_timeline_name
from lovregler.semantics.vocabulary import from_ast
from lovregler.syntax import ast
from lovregler.syntax.parse import decode, parse_file, parse_text

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
RULESETS = ROOT / "rulesets"
VOCAB = from_ast(parse_file(RULESETS / "ordforråd.lov").vocabularies[0])


def bundled(name: str) -> ast.Ruleset | None:
    """A bundled ruleset by name (the base of an extension), or None."""
    path = RULESETS / f"{name}.lov"
    rulesets = parse_file(path).rulesets if path.exists() else ()
    return rulesets[0] if rulesets else None


def diagnostics_of(path: Path) -> list[Diagnostic]:
    """Parse and check one rule file, named by its path relative to the repository."""
    relative = path.relative_to(ROOT).as_posix()
    try:
        module = parse_text(decode(path.read_bytes(), relative), relative)
    except RuleSyntaxError as err:
        return err.diagnostics
    vocab = None if module.vocabularies else VOCAB
    return check_module(module, vocab, bundled, available=[p.stem for p in RULESETS.glob("*.lov")])


def rendered(diagnostics: list[Diagnostic]) -> str:
    return "\n\n".join(d.format() for d in diagnostics) + "\n"


# ───────────────────────────── golden files ─────────────────────────────
BAD = sorted((FIXTURES / "bad").glob("*.lov"))
GOOD = sorted((FIXTURES / "good").glob("*.lov"))

# The expected text is what the author should read; where the parser does not say it yet, the
# fixture is marked here (strict: the mark must go when the parser is fixed).
PARSER_GAPS: dict[str, str] = {}


def _bad_params() -> list[object]:
    return [
        pytest.param(p, marks=pytest.mark.xfail(reason=PARSER_GAPS[p.stem], strict=True))
        if p.stem in PARSER_GAPS
        else p
        for p in BAD
    ]


@pytest.mark.parametrize("path", _bad_params(), ids=lambda p: p.stem)
def test_bad_fixture_gives_expected_diagnostics(path: Path) -> None:
    expected = path.with_suffix(".expected").read_text("utf-8")
    assert rendered(diagnostics_of(path)) == expected


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.stem)
def test_good_fixture_checks_clean(path: Path) -> None:
    assert [d.format() for d in diagnostics_of(path)] == []


def test_there_are_golden_fixtures() -> None:
    assert len(BAD) >= 13 and len(GOOD) >= 3


@pytest.mark.parametrize(
    "name", ["ordforråd", "kontanthjælp_aktivitetsparat", "kbh_kontanthjælp_aktivitetsparat"]
)
def test_bundled_rulesets_check_clean(name: str) -> None:
    assert [d.format() for d in diagnostics_of(RULESETS / f"{name}.lov")] == []


@pytest.mark.parametrize("path", sorted(RULESETS.glob("*.lov")), ids=lambda p: p.stem)
def test_every_bundled_rule_file_checks_without_errors(path: Path) -> None:
    errors = [d.format() for d in diagnostics_of(path) if d.severity == "error"]
    assert errors == []


def test_danish_and_english_keywords_give_equal_trees() -> None:
    danish = parse_file(FIXTURES / "good" / "dansk.lov")
    english = parse_file(FIXTURES / "good" / "english.lov")
    assert danish.rulesets == english.rulesets
    assert danish.imports == english.imports


# ───────────────────────────── helpers for unit tests ─────────────────────────────
# The inline rules of the unit tests below carry no hjemmel: they test the other passes, and
# check_sources has tests of its own (test_sources_*).
OTHER_PASSES = tuple(p for p in RULESET_PASSES if p is not check_sources)


def check(
    text: str, base: ast.Ruleset | None = None, *, passes: object = OTHER_PASSES
) -> list[str]:
    """Messages (with severity) of a ruleset written inline; ``importer ordforråd`` is added."""
    module = parse_text("importer ordforråd\n" + text, "t.lov")
    found = check_ruleset(
        module.rulesets[0],
        VOCAB,
        base=base,
        imports=module.imports,
        source=module.source,
        passes=passes,  # type: ignore[arg-type]
    )
    # the unit tests below write rulesets without examples; that warning has its own tests
    found = [d for d in found if "har ingen eksempler" not in d.message]
    return [d.message if d.severity == "error" else f"advarsel: {d.message}" for d in found]


def vocab_messages(text: str, words: bool = False) -> list[str]:
    """The messages for a vocabulary written inline; the pass that asks for Danish words
    only with ``words`` (the other passes' tests declare none)."""
    module = parse_text(text, "v.lov")
    passes = [p for p in VOCABULARY_PASSES if words or p is not check_vocabulary_words]
    found = check_vocabulary(module.vocabularies[0], module.source, passes)
    return [d.message for d in found]


HEAD = 'ordning t "T"\n  forløb når ydelse kontanthjælp\n'


def obligation(body: str) -> str:
    return HEAD + f'  pligt p "P"\n    frist 1 uge efter forløbets start\n    {body}\n'


# ───────────────────────────── vocabulary passes ─────────────────────────────
def test_vocabulary_duplicates() -> None:
    messages = vocab_messages(
        'ordforråd v "V"\nopregning e: a, b, a\nopregning e: c\n'
        'hændelse s "s" { x: e\n x: e }\nfaktum p: sandhedsværdi standard falsk\n'
        "periode p fra s til s"
    )
    assert "opregningen 'e' er allerede erklæret (linje 2)" in messages
    assert "værdien 'a' står flere gange i opregningen 'e'" in messages
    assert "s: attributten 'x' er allerede erklæret (linje 4)" in messages
    assert "navnet 'p' er allerede erklæret (linje 6)" in messages


def test_vocabulary_int_range_and_defaults() -> None:
    messages = vocab_messages(
        'ordforråd v "V"\nopregning e: a\nhændelse s "s" { n: heltal 5..1 }\n'
        "faktum f: e standard b\nfaktum g: heltal 1..3 standard 7\n"
        "faktum h: sandhedsværdi standard a"
    )
    assert messages == [
        "'n': mindste værdi 5 er større end største værdi 1",
        "standardværdien for 'f' passer ikke: 'b' er ikke en værdi af e (a)",
        "standardværdien for 'g' passer ikke: 7 ligger uden for 1..3",
        "standardværdien for 'h' passer ikke: 'a' er et navn, men typen er sand/falsk",
    ]


def test_vocabulary_required_when() -> None:
    messages = vocab_messages(
        'ordforråd v "V"\nopregning e: a, b\n'
        'hændelse s "s" { k: e\n n: heltal kræves når k = c\n m: heltal kræves når q = a }'
    )
    assert messages == [
        "'c' er ikke en mulig værdi af 'k'",
        "»kræves når« nævner 'q', som ikke er en anden attribut af 's'",
    ]


def test_vocabulary_period_events_and_key() -> None:
    messages = vocab_messages(
        'ordforråd v "V"\nopregning e: a\nhændelse s "s" { t: tekst }\nhændelse u "u"\n'
        "periode p fra s til u nøgle t\nperiode q fra x til u nøgle k"
    )
    assert messages == [
        "nøglen 't' skal være en opregning, ikke en tekst",
        "nøglen 't' er ikke en attribut af sluthændelsen 'u'",
        "perioden 'q' har ukendt starthændelse 'x'",
        "nøglen 'k' er ikke en attribut af sluthændelsen 'u'",
    ]


def test_vocabulary_period_key_missing_from_its_start_event() -> None:
    # the key »k« names no attribute of the start event »s« (its one attribute is »t«)
    messages = vocab_messages(
        'ordforråd v "V"\nhændelse s "s" { t: tekst }\nhændelse u "u" { k: tekst }\n'
        "periode p fra s til u nøgle k"
    )
    assert messages == ["nøglen 'k' er ikke en attribut af starthændelsen 's'"]


def test_vocabulary_words_are_required_for_every_declaration() -> None:
    messages = vocab_messages(
        'ordforråd v "V"\nopregning e: a, b_c\nhændelse s "s" { k: e\n j: sandhedsværdi }\n'
        "faktum f: e standard a\nperiode p fra s til s",
        words=True,
    )
    assert messages == [
        "værdien 'b_c' mangler sine danske ord",
        "hændelsen 's' mangler sine danske ord",
        "attributten 'k' mangler sine danske ord",
        "attributten 'j' mangler sine danske ord",
        "faktummet 'f' mangler sine danske ord",
        "perioden 'p' mangler sine danske ord",
    ]


def test_vocabulary_words_have_the_right_shape() -> None:
    messages = vocab_messages(
        'ordforråd v "V"\nopregning e: a, b_c "b og c"\n'
        'hændelse s "s" kaldet "samtale" / "samtaler" handling "holde {x}" {\n'
        ' k: e kaldet "k" / "ikke k"\n j: sandhedsværdi kaldet "j"\n}\n'
        'periode p fra s til s nøgle k kaldet "en p" / "p\'er" læses "p løber"\n'
        'periode q fra s til s kaldet "et q" / "q" læses "q {key}" / "q"',
        words=True,
    )
    assert messages == [
        "handlingen for 's' må kun have {np} i krøllede parenteser",
        "»samtale« skal skrives med sin artikel, »en« eller »et«",
        "attributten 'k' er ikke sand/falsk og har kun én form",
        "attributten 'j' er sand/falsk: skriv både, hvad det siger, og det modsatte",
        "perioden 'p' har en nøgle: læses skal have en form med {key} først",
        "perioden 'q' har ingen nøgle: læses har én form, uden {key}",
    ]


# ───────────────────────────── resolution helpers ─────────────────────────────
def test_resolve_pattern_stacks_conditions_of_nested_definitions() -> None:
    module = parse_text(
        'ordning t "T"\n  mønster a = samtale hvor form = personlig\n'
        "  mønster b = a hvor form != digital\n"
    )
    ruleset = module.rulesets[0]
    outer = ast.Pattern(name="b", where=ast.BoolTruthy(operand=ast.NameRef(name="x")))
    event, conditions = resolve_pattern(outer, ruleset, None)
    assert event == "samtale"
    assert [type(c).__name__ for c in conditions] == ["BoolCompare", "BoolCompare", "BoolTruthy"]
    assert conditions[0].op == "="  # the innermost definition's condition comes first


def test_resolve_pattern_stops_on_a_cycle() -> None:
    ruleset = parse_text('ordning t "T"\n mønster a = b\n mønster b = a').rulesets[0]
    assert resolve_pattern("a", ruleset, None) == ("a", [])


def test_definitions_of_the_ruleset_win_over_the_base() -> None:
    base = parse_text('ordning b "B"\n dato d = 2015-01-01\n dato e = 2015-01-02').rulesets[0]
    ruleset = parse_text('ordning t "T" udvider b\n dato d = 2016-01-01').rulesets[0]
    own = find_definition("d", ast.DateDef, ruleset, base)
    assert own is not None and own.date == ast.DateLit(value=datetime.date(2016, 1, 1))
    assert find_definition("e", ast.DateDef, ruleset, base) is not None


def test_resolve_timeline_name_order() -> None:
    ruleset = parse_text('ordning t "T"\n tidslinje ydelse = alder over 30').rulesets[0]
    assert resolve_timeline_name("ydelse", ruleset, None, VOCAB) == "timeline"
    assert resolve_timeline_name("tilbud", ruleset, None, VOCAB) == "period"
    assert resolve_timeline_name("psykisk_lidelse", ruleset, None, VOCAB) == "fact"
    assert resolve_timeline_name("intet", ruleset, None, VOCAB) is None


def test_definition_features_follow_references() -> None:
    ruleset = parse_text(
        'ordning t "T"\n dato a = forløbets start + 1 uge\n dato b = a\n'
        " dato c = udløsningsdagen\n dato d = 2015-01-01"
    ).rulesets[0]
    features = definition_features(ruleset, None)
    assert features == {
        "a": frozenset({"course"}),
        "b": frozenset({"course"}),
        "c": frozenset({"trigger"}),
        "d": frozenset(),
    }


def test_walk_and_all_rules() -> None:
    ruleset = parse_file(RULESETS / "kontanthjælp_aktivitetsparat.lov").rulesets[0]
    assert len(list(all_rules(ruleset))) == 15
    assert sum(isinstance(n, ast.CourseStart) for n in walk(ruleset)) == 6


def test_narrow_looks_through_a_multi_line_span() -> None:
    pos = SourcePos("f", 1, 3, 2, 9)
    assert narrow(pos, "kommune", "  pligt p\n  ansvarlig kommune") == SourcePos("f", 2, 13, 2, 20)
    assert narrow(pos, "ingen", "  pligt p\n") == pos


# ───────────────────────────── ruleset passes ─────────────────────────────
def test_missing_import() -> None:
    module = parse_text(HEAD, "t.lov")
    found = check_ruleset(module.rulesets[0], VOCAB, base=None, imports=(), source=module.source)
    assert [d.message for d in found] == ["ordningen 't' importerer ikke ordforrådet 'ordforråd'"]
    assert found[0].hint == "skriv »importer ordforråd« øverst i filen"


def test_duplicate_and_shadowing_definitions() -> None:
    messages = check(
        HEAD + "  dato d = 2015-01-01\n  dato d = 2016-01-01\n  mønster samtale = samtale\n"
        "  tidslinje ydelse = alder over 30\n"
    )
    assert "'d' er allerede defineret (linje 4)" in messages
    assert "'samtale' findes allerede som hændelsestype i ordforrådet" in messages
    assert "'ydelse' findes allerede som periode eller faktum i ordforrådet" in messages


def test_ruleset_level_rules_count_in_every_version() -> None:
    text = (
        HEAD + '  pligt p "P"\n    frist 1 uge efter forløbets start\n    opfyldes af samtale\n'
        "  version a gælder fra 2014-01-01 til 2014-12-31\n"
        '    pligt p "P"\n    frist 1 uge efter forløbets start\n    opfyldes af samtale\n'
        "  version b gælder fra 2015-01-01\n"
    )
    assert check(text) == ["reglen 'p' findes allerede i version a (linje 4)"]


def test_overrides_without_a_base_rule_gets_did_you_mean() -> None:
    base = bundled("kontanthjælp_aktivitetsparat")
    text = (
        'ordning k "K" udvider kontanthjælp_aktivitetsparat\n'
        '  pligt første_samtal "P"\n    erstatter\n    frist 3 dage efter forløbets start\n'
        "    opfyldes af samtale\n"
    )
    module = parse_text("importer ordforråd\n" + text, "t.lov")
    found = check_ruleset(
        module.rulesets[0],
        VOCAB,
        base=base,
        imports=module.imports,
        source=module.source,
        passes=OTHER_PASSES,
    )
    assert [(d.message, d.hint) for d in found] == [
        (
            "reglen 'første_samtal' erstatter intet: "
            "'kontanthjælp_aktivitetsparat' har ingen regel 'første_samtal'",
            "mente du 'første_samtale'?",
        )
    ]


def test_overrides_in_a_ruleset_that_extends_nothing() -> None:
    text = obligation("opfyldes af samtale\n    erstatter")
    assert check(text) == ["reglen 'p' erstatter intet: ordningen udvider ingen anden"]


def test_extends_an_unknown_ruleset_or_itself() -> None:
    assert check('ordning t "T" udvider ukendt\n') == ["grundordningen 'ukendt' findes ikke"]
    module = parse_text('importer ordforråd\nordning t "T" udvider t\n', "t.lov")
    assert [d.message for d in check_module(module, VOCAB)] == ["ordningen 't' udvider sig selv"]


def test_versions_outside_the_ruleset_and_open_ended_overlap() -> None:
    text = (
        'ordning t "T"\n  gælder fra 2015-01-01 til 2020-12-31\n'
        "  version a gælder fra 2014-01-01\n  version b gælder fra 2016-01-01 til 2016-12-31\n"
        "  version c gælder fra 2017-01-01 til 2016-06-30\n"
    )
    messages = check(text)
    assert "perioden slutter (2016-06-30) før den begynder (2017-01-01)" in messages
    assert "version b (fra 2016-01-01) overlapper version a (uden slutdato)" in messages
    assert "version a ligger uden for ordningens gyldighed (2015-01-01 til 2020-12-31)" in messages


def test_obligation_needs_met_by_and_deadline() -> None:
    messages = check(HEAD + '  pligt p "P"\n    ansvarlig kommune\n')
    assert messages == [
        "pligten 'p' siger ikke, hvad der opfylder den",
        "pligten 'p' har ingen frist",
    ]


def test_count_windows_need_no_deadline_but_repeat_does() -> None:
    windows = "udløses af hver periode på 12 måneder regnet fra forløbets start"
    assert check(HEAD + f'  pligt p "P"\n    {windows}\n    opfyldes af mindst 4 samtale\n') == []
    repeat = check(
        HEAD + '  pligt p "P"\n    gentages 3 måneder efter hver opfyldelse\n'
        "    opfyldes af samtale\n"
    )
    assert "pligten 'p' gentages, men har ingen frist" in repeat


def test_right_needs_a_start_and_clauses_belong_to_their_kind() -> None:
    messages = check(HEAD + '  ret r "R"\n    varer 26 uger\n    opfyldes af samtale\n')
    assert messages == [
        "retten 'r' har en klausul, der ikke hører til en ret",
        "retten 'r' siger ikke, hvornår den gælder",
    ]


def test_trigger_date_only_in_deadline_or_condition() -> None:
    ok = obligation("opfyldes af samtale\n    hvis alder på udløsningsdagen mindst 30")
    assert check(ok) == []
    bad = HEAD + '  ret r "R"\n    fra udløsningsdagen\n'
    assert check(bad) == ["udløsningsdagen kan kun bruges i en frist eller en betingelse (hvis)"]


def test_a_right_triggered_by_each_event() -> None:
    """»udløses af hver …« on a right: its »fra« may use udløsningsdagen (catalogue C5)."""
    right = (
        HEAD + '  ret r "R"\n    per borger\n    udløses af hver visitation{ordning = fleksjob}\n'
    )
    fra = "fra dagen hvor (ydelse ledighedsydelse og fra udløsningsdagen) har varet 182 dage"
    assert check(right + f"    {fra}\n") == []
    assert check(right + "    når alder mindst 30\n") == [
        "retten 'r' udløses af en hændelse, men siger ikke, fra hvilken dag den gælder"
    ]
    windows = (
        HEAD + '  ret r "R"\n    udløses af hver periode på 12 måneder regnet fra forløbets start\n'
    )
    assert check(windows + "    fra forløbets start\n") == [
        "retten 'r' har en klausul, der ikke hører til en ret"
    ]


def test_met_from_a_date_may_use_the_trigger_date_but_not_in_a_chain() -> None:
    since = "opfyldes af samtale fra og med starten af forløbet der omfatter udløsningsdagen"
    assert check(obligation(since)) == []
    chain = HEAD + (
        '  pligt p "P"\n    frist 1 uge efter forløbets start\n'
        f"    gentages 3 måneder efter hver opfyldelse\n    {since}\n"
    )
    assert check(chain) == [
        "pligten 'p' gentages, så »fra og med …« kan ikke bruges i »opfyldes af«"
    ]


def test_deadline_after_the_trigger_date_itself() -> None:
    text = HEAD + '  pligt p "P"\n    frist 1 uge efter udløsningsdagen\n    opfyldes af samtale\n'
    assert check(text) == [
        "pligten 'p' regner fristen fra udløsningsdagen, men intet »udløses af« siger, hvad der udløser den"
    ]


def test_course_in_a_per_citizen_rule_directly_and_through_a_definition() -> None:
    text = (
        HEAD + "  dato start = forløbets start\n"
        '  pligt p "P"\n    per borger\n    frist 1 uge efter start\n    opfyldes af samtale\n'
        '  ret r "R"\n    per borger\n    når forløbet\n'
    )
    assert check(text) == [
        "'start' bruger forløbet; reglen gælder per borger",
        "»forløbet« kan ikke bruges her: reglen gælder per borger",
    ]


def test_course_in_a_ruleset_without_one() -> None:
    text = 'ordning t "T"\n  pligt p "P"\n    frist 1 uge efter forløbets start\n    opfyldes af samtale\n'
    assert check(text) == ["ordningen har intet forløb, så »forløbets start« kan ikke bruges"]


def test_shorter_than_needs_a_period_event() -> None:
    assert check(obligation("opfyldes af tilbud_slut hvor ikke kortere end 14 dage")) == []
    messages = check(obligation("opfyldes af samtale hvor ikke kortere end 14 dage"))
    assert messages == [
        "»kortere end« kræver en hændelse, der starter eller slutter en periode; 'samtale' gør ikke"
    ]


def test_types_of_attributes_and_facts() -> None:
    messages = check(
        obligation(
            "opfyldes af matchvurdering hvor gruppe = 7 og gruppe > 1 "
            "og psykisk_lidelse og misbrug < lettere og uddannelse = sand"
        )
    )
    assert messages == [
        "gruppe er et heltal 1–5, ikke 7",
        "'<' kan kun bruges på tal; misbrug er en værdi af misbrug",
        "uddannelse er en værdi af uddannelse, men sand er sand/falsk",
    ]


def test_truthy_needs_a_boolean() -> None:
    assert check(obligation("opfyldes af samtale hvor form")) == [
        "form er ikke sand/falsk og kan ikke stå alene som betingelse"
    ]


def test_set_values_must_belong_to_the_attribute_enum() -> None:
    text = (
        HEAD
        + "  mængde s = {virksomhedspraktik, grundskole}\n"
        + obligation("opfyldes af tilbud_start hvor tilbud i s").removeprefix(HEAD)
    )
    assert check(text) == ["mængden 's': 'grundskole' er ikke en mulig værdi af tilbud"]


def test_timeline_names_keys_and_conditions() -> None:
    text = HEAD + (
        '  ret r "R"\n    når ydelse kontanthjelp og fleksjob x og sygdom{ansat = sand}'
        " og psykisk_lidelse{ansat} og uddannelse og ukendt\n"
    )
    messages = check(text)
    assert messages == [
        "'kontanthjelp' er ikke en mulig værdi af ydelse",
        "perioden 'fleksjob' har ingen nøgle, så 'x' kan ikke angives",
        "'psykisk_lidelse' er ikke en periode og kan ikke have en nøgle eller en betingelse",
        "faktummet 'uddannelse' er ikke sand/falsk og kan ikke stå alene",
        "ukendt tidslinje, periode eller faktum 'ukendt'",
    ]


def test_fact_and_latest_timelines() -> None:
    text = HEAD + (
        '  ret r "R"\n    når uddannelse = ph_d og seneste matchvurdering.gruppe i {2, 9}'
        " og seneste samtale.farve = rød og ydelse = kontanthjælp\n"
    )
    assert check(text) == [
        "'ph_d' er ikke en mulig værdi af uddannelse",
        "gruppe er et heltal 1–5, ikke 9",
        "hændelsen 'samtale' har ingen attribut 'farve'",
        "ukendt faktum 'ydelse'",
    ]


def test_continues_needs_a_vocabulary_period() -> None:
    text = obligation("opfyldes af samtale\n    hvis ikke tilbu fortsætter efter udløsningsdagen")
    assert check(text) == ["ukendt periode 'tilbu'"]


def test_unknown_date_and_unused_definitions() -> None:
    text = HEAD + (
        "  dato brugt = 2015-01-01\n  mønster ubrugt = samtale\n  tidslinje tl = alder over 30\n"
        '  pligt p "P"\n    frist brugt_ikke\n    opfyldes af samtale\n'
    )
    assert check(text) == [
        "advarsel: datoen 'brugt' bruges ikke",
        "advarsel: mønstret 'ubrugt' bruges ikke",
        "advarsel: tidslinjen 'tl' bruges ikke",
        "ukendt dato 'brugt_ikke'",
    ]


def test_month_in_an_accumulated_amount_but_not_in_a_window() -> None:
    ok = "dagen hvor ydelse ledighedsydelse har varet 365 dage inden for 18 måneder"
    assert (
        check(
            HEAD + f'  pligt p "P"\n    per borger\n    frist 1 uge efter {ok}\n'
            "    opfyldes af samtale\n"
        )
        == []
    )
    bad = "dagen hvor ydelse ledighedsydelse har varet 1 år"
    messages = check(
        HEAD + f'  pligt p "P"\n    frist 1 uge efter {bad}\n    opfyldes af samtale\n'
    )
    assert messages == [
        "»1 år« kan ikke bruges som akkumuleret tid: måneder og år har ingen fast længde"
    ]


def test_cycle_through_timelines_is_reported_once() -> None:
    text = HEAD + "  tidslinje a = b og alder over 30\n  tidslinje b = ikke a\n  tidslinje c = c\n"
    text += '  ret r "R"\n    når a og c\n'
    assert check(text) == [
        "tidslinjen 'a' afhænger af sig selv: a → b → a",
        "tidslinjen 'c' afhænger af sig selv: c → c",
    ]


def test_example_events_facts_and_expectations() -> None:
    text = (
        HEAD
        + obligation("opfyldes af samtale").removeprefix(HEAD)
        + (
            '  eksempel "E"\n    født 1970-01-01\n    fakta uddannelse = ph_d, farve = rød\n'
            "    2015-01-01 ydelse_start ydelse=kontanthjælp farve=rød\n"
            "    2015-01-02 samtle\n"
            "    2015-01-03 visitation ordning=fleksjob varighed_år=2\n"
            "    2015-01-04 visitation ordning=ressourceforløb\n"
            "    pr. 2015-02-01 forventes\n"
            "      pp opfyldt frist 2015-01-08\n"
            "      p fra 2015-01-01 til åben\n"
        )
    )
    assert check(text) == [
        "'ph_d' er ikke en mulig værdi af uddannelse",
        "ukendt faktum 'farve'",
        "hændelsen 'ydelse_start' har ingen attribut 'farve'",
        "ukendt hændelsestype 'samtle'",
        "'varighed_år' må kun angives, når ordning=ressourceforløb",
        "hændelsen 'visitation' mangler attributten 'varighed_år'",
        "eksemplet forventer en ukendt regel 'pp'",
        "en opfyldt pligt skal have datoen, den blev opfyldt",
        "'p' er en pligt, men forventes som en ret",
    ]


def test_unknown_expected_rule_gets_did_you_mean() -> None:
    text = obligation("opfyldes af samtale").replace('pligt p "P"', 'pligt første_samtale "P"') + (
        '  eksempel "E"\n    født 1970-01-01\n    pr. 2015-02-01 forventes\n'
        "      ingen første_samtal\n"
    )
    assert check(text) == ["eksemplet forventer en ukendt regel 'første_samtal'"]
    module = parse_text("importer ordforråd\n" + text, "t.lov")
    found = check_ruleset(
        module.rulesets[0],
        VOCAB,
        base=None,
        imports=module.imports,
        source=module.source,
        passes=OTHER_PASSES,
    )
    assert [d.hint for d in found] == ["mente du 'første_samtale'?"]


def test_rates_must_increase_and_end_with_thereafter() -> None:
    text = HEAD + (
        '  værdi v "V"\n    per borger\n    ugenummer for uger med ydelse begynder forfra efter 52 '
        "uger uden inden for 156 uger satser 80 til og med uge 26, 40 til og med uge 4\n"
    )
    assert check(text) == ["satserne skal stå i stigende ugeorden, med »derefter« til sidst"]


def test_check_module_finds_the_base_in_the_same_file() -> None:
    module = parse_text(
        'importer ordforråd\nordning b "B"\n  forløb når ydelse kontanthjælp\n'
        '  pligt p "P"\n    frist 1 uge efter forløbets start\n    opfyldes af samtale\n'
        '    hjemmel "Lov § 1"\n'
        'ordning k "K" udvider b\n'
        '  pligt p "P"\n    frist 3 dage efter forløbets start\n    opfyldes af samtale\n'
        '    hjemmel "Lov § 1"\n',
        "t.lov",
    )
    errors = [d.message for d in check_module(module, VOCAB) if d.severity == "error"]
    assert errors == ["reglen 'p' findes allerede i 'b'"]


def test_a_diagnostic_names_its_file_line_and_column() -> None:
    text = obligation('opfyldes af samtle\n    hjemmel "Lov § 1"')
    module = parse_text("importer ordforråd\n" + text, "x/y.lov")
    found = check_module(module, VOCAB)
    assert str(found[0].pos) == "x/y.lov:6:17"
    assert found[0].source == module.source and found[0].severity == "error"


def test_zero_lengths_are_rejected() -> None:
    text = HEAD + (
        '  pligt p "P"\n    udløses af hver periode på 0 måneder regnet fra forløbets start\n'
        "    opfyldes af samtale\n"
        '  ret r "R"\n    fra forløbets start\n    varer 0 dage\n'
    )
    assert check(text) == ["en periode kan ikke være 0", "rettens længde kan ikke være 0"]


def test_the_caret_skips_a_title_holding_the_same_word() -> None:
    source = 'pligt p "ansvarlig kommunen"\n  ansvarlig kommunen'
    assert narrow(SourcePos("f", 1, 1, 2, 20), "kommunen", source) == SourcePos("f", 2, 13, 2, 21)


# ───────────────────────────── robustness ─────────────────────────────
def _mutants(text: str, rng: random.Random, count: int) -> list[str]:
    """Copies of ``text`` with one word replaced by another word of the file, or a line dropped."""
    words = sorted(set(re.findall(r"\w+", text)))
    lines = text.splitlines()
    found = []
    for _ in range(count):
        if rng.random() < 0.2:
            drop = rng.randrange(len(lines))
            found.append("\n".join(lines[:drop] + lines[drop + 1 :]))
            continue
        spots = list(re.finditer(r"\w+", text))
        spot = spots[rng.randrange(len(spots))]
        found.append(text[: spot.start()] + rng.choice(words) + text[spot.end() :])
    return found


@pytest.mark.parametrize("path", [*GOOD, RULESETS / "kbh_kontanthjælp_aktivitetsparat.lov"])
def test_no_mutated_rule_file_makes_the_checker_raise(path: Path) -> None:
    rng = random.Random(path.name)
    for text in _mutants(path.read_text("utf-8"), rng, 40):
        try:
            module = parse_text(text, "m.lov")
        except RuleSyntaxError:
            continue
        for diagnostic in check_module(module, VOCAB, bundled):
            assert diagnostic.pos.line > 0 and diagnostic.message


def test_an_impossible_date_is_a_syntax_error_not_a_traceback() -> None:
    with pytest.raises(RuleSyntaxError):
        parse_text('ordning t "T"\n  gælder fra 2017-18-01\n', "t.lov")


def test_an_extension_version_names_a_base_version() -> None:
    text = (
        'ordning k "K" udvider kontanthjælp_aktivitetsparat\n'
        "  version lab2015 gælder fra 2014-01-01 til 2019-12-31\n"
        "  version lab2091 gælder fra 2020-01-01\n"
    )
    assert check(text, base=bundled("kontanthjælp_aktivitetsparat")) == [
        "grundordningen 'kontanthjælp_aktivitetsparat' har ingen version 'lab2091'"
    ]


# ───────────────────────────── hjemmel and kilde (check_sources) ─────────────────────────────
def sources(text: str) -> list[str]:
    """Messages of the check_sources pass alone."""
    return check(text, passes=(check_sources,))


def test_sources_a_rule_needs_its_own_hjemmel() -> None:
    # the ruleset's hjemmel names the act; a rule must name its own paragraph
    text = 'ordning t "T"\n  hjemmel "Lov"\n' + obligation("opfyldes af samtale")[len(HEAD) :]
    assert sources(text) == ["advarsel: reglen 'p' har ingen hjemmel"]
    assert sources(obligation('opfyldes af samtale\n    hjemmel "Lov § 1"')) == []


def test_sources_a_quote_needs_a_kilde_before_or_after_it_or_a_paraphrase_mark() -> None:
    rule = obligation('opfyldes af samtale\n    hjemmel "Lov § 1"\n    {}')
    assert sources(rule.format('lovtekst "Citat."')) == ["advarsel: lovteksten har ingen kilde"]
    assert sources(rule.format('lovtekst (omskrevet) "Med andre ord."')) == []
    assert sources(rule.format('lovtekst "Citat."\n    kilde "https://example.org/1"')) == []
    assert sources(rule.format('kilde "https://example.org/1"\n    lovtekst "Citat."')) == []


def test_sources_a_version_quote_needs_a_kilde_in_the_version() -> None:
    text = (
        HEAD + '  version v "V" gælder fra 2014-01-01\n    lovtekst "Citat."\n'
        '  pligt p "P"\n    hjemmel "Lov § 1"\n    frist 1 uge efter forløbets start\n'
        "    opfyldes af samtale\n"
    )
    assert sources(text) == ["advarsel: lovteksten har ingen kilde"]
    assert sources(text.replace('lovtekst "Citat."', 'lovtekst "Citat." kilde "Lov"')) == []


def test_sources_an_empty_kilde_is_an_error() -> None:
    rule = obligation('opfyldes af samtale\n    hjemmel "Lov § 1"\n    kilde " "')
    assert sources(rule) == ["kilden er tom"]
