"""The compiler's gates (``evaluate/gates.py``): what a rule needs before it can give anything.

A gate lets the compiled evaluator skip a rule — or a whole ruleset — for a citizen whose
history lacks the events the rule cannot do without. It must only ever skip what would give
nothing: each test below holds a gate against the reference interpreter, which has none.
"""

from __future__ import annotations

import datetime
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given

from lovregler import load_ruleset
from lovregler.api import Ruleset, bundled_dir, bundled_rulesets
from lovregler.caseload.synth import synth
from lovregler.evaluate import gates
from lovregler.evaluate.compile import Gen, compile_plan
from lovregler.evaluate.compile_rules import RuleWriter
from lovregler.evaluate.plan import RuleSpan
from lovregler.history import History
from lovregler.results import Result
from lovregler.timecalc import INF
from strategies import against_interpreter, any_histories, as_of_dates

KH = ("ydelse_start", "ydelse", frozenset({"kontanthjælp"}))
LY = ("ydelse_start", "ydelse", frozenset({"ledighedsydelse"}))
FLEKS_VISITATION = ("visitation", "ordning", frozenset({"fleksjob"}))
FLEKS_REVURDERING = ("revurdering", "ordning", frozenset({"fleksjob"}))


def _span(rs: Ruleset, rule_id: str) -> RuleSpan:
    return next(s for s in rs.plan.spans if s.rule.id == rule_id)


def _needs(name: str, rule_id: str) -> gates.Needs:
    rs = load_ruleset(name)
    return gates.span_needs(rs.plan, _span(rs, rule_id), per_course=False)


def _per_course(rs: Ruleset) -> RuleWriter:
    return RuleWriter(rs.plan)


def _ruleset_needs(name: str) -> gates.Needs:
    rs = load_ruleset(name)
    return gates.ruleset_needs(rs.plan, _per_course(rs).per_course)


# ── what the bundled rules need, read from their rule files by hand ──
def test_a_threshold_over_a_keyed_benefit_needs_that_benefit() -> None:
    # »udløses af dagen hvor ydelse ledighedsydelse har varet 365 dage …«: no ledighedsydelse
    # ever, no day on which 365 days are reached
    assert _needs("ledighedsydelse", "revurdering_12_af_18") == (frozenset({LY}),)


def test_a_date_after_an_event_needs_the_event() -> None:
    # »frist 1 måned efter første revurdering{ordning = fleksjob}« (no other trigger)
    assert _needs("ledighedsydelse", "henvisning_efter_revurdering") == (
        frozenset({FLEKS_REVURDERING}),
    )


def test_a_trigger_and_its_from_date_are_both_needed() -> None:
    # »udløses af hver visitation{ordning = fleksjob}« and »fra dagen hvor (ydelse
    # ledighedsydelse og …) har varet 182 dage«: each right needs both
    assert set(_needs("ledighedsydelse", "henvisning_anden_aktør_ret")) == {
        frozenset({FLEKS_VISITATION}),
        frozenset({LY}),
    }


def test_either_side_of_eller_may_meet_a_timeline() -> None:
    # »(ydelse kontanthjælp og seneste matchvurdering.gruppe i {2, 3}) eller ydelse
    # ledighedsydelse«: one clause per side joined: (kh or ly) and (matchvurdering or ly)
    assert set(_needs("kbh_målgrupper", "mup2011_virksomhedsplacering")) == {
        frozenset({("ydelse_start", "ydelse", frozenset({"kontanthjælp", "ledighedsydelse"}))}),
        frozenset({("matchvurdering", None, None), LY}),
    }


def test_a_fact_or_a_negation_needs_nothing() -> None:
    # mup2011_psykisk_syge_unge: »alder under 30 og ydelse kontanthjælp og seneste
    # matchvurdering … og psykisk_lidelse og ikke i_job_eller_uddannelse«: the age, the fact
    # and the negation add nothing; the benefit and the matchvurdering are needed
    assert set(_needs("kbh_målgrupper", "mup2011_psykisk_syge_unge")) == {
        frozenset({KH}),
        frozenset({("matchvurdering", None, None)}),
    }


def test_a_ruleset_needs_what_one_of_its_rules_needs() -> None:
    # ledighedsydelse: its forløb (ydelse ledighedsydelse) or one of the rules per citizen;
    # every rule per citizen needs ledighedsydelse too, except the henvisning after a
    # revurdering, which needs the revurdering
    assert _ruleset_needs("ledighedsydelse") == (frozenset({FLEKS_REVURDERING, LY}),)
    # fleksjob: the forløb needs a fleksjob_start, and so does every right per citizen
    assert _ruleset_needs("fleksjob") == (frozenset({("fleksjob_start", None, None)}),)
    assert _ruleset_needs("sygedagpenge") == (frozenset({("sygemelding", None, None)}),)


def test_simplified_keeps_the_strongest_clauses() -> None:
    a, b = ("a", None, None), ("b", None, None)
    a1 = ("a", "x", frozenset({1}))
    assert gates.both(((frozenset({a, b})),), (frozenset({a}),)) == (frozenset({a}),)
    assert gates.either((frozenset({a1}),), (frozenset({a}),)) == (frozenset({a}),)
    assert gates.either((frozenset({a}),), gates.NOTHING) == gates.NOTHING


def test_the_generated_gate_quotes_the_rule_file() -> None:
    consts: list[str] = []

    def const(code: str) -> str:
        consts.append(code)
        return f"K{len(consts) - 1}"

    asked: list[tuple[str, str]] = []

    def present(etype: str, attr: str) -> str:
        asked.append((etype, attr))
        return "vals0"

    evil = 'x"); __import__("os")._exit(3); ("'
    valued: gates.Atom = ("t" + evil, evil, frozenset({evil}))
    typed: gates.Atom = ("u" + evil, None, None)
    code = gates.gate_code((frozenset({valued}), frozenset({typed})), "ix", const, present)
    assert code == f"not vals0.isdisjoint(K0) and {'u' + evil!r} in ix"
    assert consts == [f"frozenset({[evil]!r})"]
    assert asked == [("t" + evil, evil)]  # quoted by the compiler's present (below)
    gen = Gen(load_ruleset("fleksjob").plan)
    gen.present_names, gen.gated = {}, True
    assert gen.present("t" + evil, evil) == "vals0"
    assert gen.lines[-1] == (
        f"    vals0 = present_values(history, as_of, ix, {'t' + evil!r}, {evil!r})"
    )


def test_a_gate_is_emitted_where_it_can_skip_work() -> None:
    source = compile_plan(load_ruleset("fleksjob").plan).source
    assert "    if not ('fleksjob_start' in ix):" in source
    # refusion reads its events through periods only: no per-type index built for a gate
    assert "ix = history.by_type" not in compile_plan(load_ruleset("refusion").plan).source


# ── a closed gate never hides an entry: held against the interpreter ──
def _closed(rs: Ruleset, history: History, as_of: datetime.date) -> Iterator[str | None]:
    """None when the whole ruleset's gate is closed, and the id of each rule whose gate is."""
    index = history.by_type(as_of.toordinal())
    writer = _per_course(rs)
    if not gates.met(gates.ruleset_needs(rs.plan, writer.per_course), index):
        yield None
    for span in rs.plan.spans:
        needs = gates.span_needs(rs.plan, span, writer.per_course(span))
        if not gates.met(needs, index):
            yield span.rule.id


def _check(rs: Ruleset, history: History, as_of: datetime.date) -> int:
    """Compiled equals interpreted, and nothing the gates shut out is in the interpreter's
    result; how many gates were closed."""
    reference: Result = rs.interpret(history, as_of)
    assert rs.evaluate(history, as_of).key() == reference.key()
    closed = list(_closed(rs, history, as_of))
    if None in closed:
        assert reference.entries() == [], f"{rs.name}: the ruleset's gate hid entries"
    for rule_id in filter(None, closed):
        assert reference.entries(rule_id) == [], f"{rs.name}: the gate of {rule_id} hid entries"
    return len(closed)


@pytest.mark.parametrize("name", bundled_rulesets())
def test_closed_gates_hide_nothing_on_synthetic_citizens(name: str) -> None:
    rs = load_ruleset(name)
    closed = 0
    for obj in synth(60, seed=7):
        history = rs.history(obj)
        for as_of in (datetime.date(2016, 6, 30), datetime.date(2018, 12, 31)):
            closed += _check(rs, history, as_of)
    # not vacuous: synthetic citizens of other schemes close gates of this ruleset
    assert closed > 0 or name == "refusion"


@pytest.mark.parametrize("name", bundled_rulesets())
@against_interpreter(max_examples=20)
@given(obj=any_histories(), as_of=as_of_dates)
def test_closed_gates_hide_nothing_on_any_history(
    name: str, obj: dict[str, object], as_of: datetime.date
) -> None:
    rs = load_ruleset(name)
    _check(rs, rs.history(obj), as_of)


# ── what needs nothing keeps its rule running (a gate may not guess) ──
NEEDS_NOTHING = """importer ordforråd

ordning porte "Porte"
  hjemmel "Test"

  version v "V" gælder fra 2008-01-01
    hjemmel "Test"

    ret uden_kontanthjælp "Uden kontanthjælp"
      per borger
      når ikke ydelse kontanthjælp
      hjemmel "Test"

    ret fra_fyrre "Fra fødselsdag nr. 40"
      per borger
      fra fødselsdag nr. 40
      hjemmel "Test"

    ret under_tredive "Under 30"
      per borger
      når alder under 30
      hjemmel "Test"

    ret efter_samtale "Fra første samtale"
      per borger
      fra første samtale
      hjemmel "Test"
"""


def test_a_negation_a_birthday_and_an_age_need_no_event(tmp_path: Path) -> None:
    shutil.copy(bundled_dir() / "ordforråd.lov", tmp_path / "ordforråd.lov")
    (tmp_path / "porte.lov").write_text(NEEDS_NOTHING, "utf-8")
    rs = load_ruleset(tmp_path / "porte.lov")
    source = compile_plan(rs.plan).source
    assert "ix = history.by_type" not in source  # three rules need nothing: no ruleset gate
    assert "    if 'samtale' in c.index:" in source
    history = rs.history({"id": "a", "birth_date": "1970-05-01", "events": []})
    result = rs.evaluate(history, "2018-12-31")
    assert result.key() == rs.interpret(history, "2018-12-31").key()
    rights = {(r.rule.id, r.start_day, r.until_day) for r in result.rights}
    born = datetime.date(1970, 5, 1).toordinal()
    assert rights == {
        # no kontanthjælp ever: from birth, still on the date
        ("uden_kontanthjælp", born, INF),
        # 1970-05-01 + 40 år = 2010-05-01
        ("fra_fyrre", datetime.date(2010, 5, 1).toordinal(), INF),
        # under 30 until the day before the 30th birthday (2000-05-01)
        ("under_tredive", born, datetime.date(2000, 4, 30).toordinal()),
    }
    talk = rs.history(
        {
            "id": "b",
            "birth_date": "1970-05-01",
            "events": [{"type": "samtale", "date": "2015-03-02"}],
        }
    )
    assert "efter_samtale" in {r.rule.id for r in rs.evaluate(talk, "2018-12-31").rights}
