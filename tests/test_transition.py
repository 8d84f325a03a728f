"""Catalogue version 2, C1: instances only where their triggers lie inside a version, and the
declared transition (``overgang løbende forløb regnes begyndt ved ikrafttræden``).

Every expected date is worked out by hand (contract §3; the arithmetic is in the comment).
``tests/fixtures/good/overgang.lov`` is the only ruleset that declares a transition: no
bundled rule does (catalogue §0 *Versions*).
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings

from lovregler import load_ruleset
from lovregler.caseload.batch import BatchConfig, run_batch
from lovregler.examples import run_examples
from lovregler.results import Result
from strategies import as_of_dates, kontanthjælp_histories

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "good" / "overgang.lov"
EVALUATORS = ["evaluate", "interpret"]


def _ev(date: str, type_: str, **attrs: object) -> dict[str, object]:
    return {"type": type_, "date": date, **attrs}


def _kh(date: str) -> dict[str, object]:
    return _ev(date, "ydelse_start", ydelse="kontanthjælp", målgruppe="aktivitetsparat")


def _rows(result: Result) -> set[tuple[str, str, str, str, bool]]:
    return {
        (o.rule.id, o.version, o.to_dict()["trigger"], o.to_dict()["due"], o.transition)  # type: ignore[misc]
        for o in result.obligations
    }


# A forløb begun 2019-06-03 that runs into the new law; samtaler 2020-01-06 and 2020-03-16.
RUNNING = {
    "id": "borger-overgang",
    "birth_date": "1975-04-12",
    "events": [_kh("2019-06-03"), _ev("2020-01-06", "samtale"), _ev("2020-03-16", "samtale")],
}


@pytest.mark.parametrize("evaluator", EVALUATORS)
def test_fixture_examples_pass_with_both_evaluators(evaluator: str) -> None:
    rs = load_ruleset(FIXTURE)
    blocks, failures = run_examples(rs, getattr(rs, evaluator))
    assert blocks == 3
    assert not failures, "\n".join(f.format() for f in failures)


@pytest.mark.parametrize("evaluator", EVALUATORS)
def test_declared_transition_marks_exactly_its_instances(evaluator: str) -> None:
    rs = load_ruleset(FIXTURE)
    result = getattr(rs, evaluator)(rs.history(RUNNING), "2020-07-01")
    assert _rows(result) == {
        # gammel, no transition: 2019-06-03 + 7 dage = 2019-06-10
        ("første_samtale", "gammel", "2019-06-03", "2019-06-10", False),
        # gammel: period 1 [2019-06-03, 2020-06-02]; period 2 would begin in the new law
        ("fire_samtaler_årligt", "gammel", "2019-06-03", "2020-06-02", False),
        # ny, transition: the forløb is treated as begun 2020-01-01; + 7 dage = 2020-01-08
        ("første_samtale", "ny", "2020-01-01", "2020-01-08", True),
        # ny, transition: periods from 2020-01-01, the first [2020-01-01, 2020-12-31]
        ("fire_samtaler_årligt", "ny", "2020-01-01", "2020-12-31", True),
        # ny, transition chain: link 1 from 2020-01-01 (+ 3 måneder = 2020-04-01) is the
        # transition's; link 2 from the samtale 2020-01-06 (due 2020-04-06) and link 3 from
        # 2020-03-16 (due 2020-06-16) are triggered by real samtaler
        ("samtale_hver_tredje_måned", "ny", "2020-01-01", "2020-04-01", True),
        ("samtale_hver_tredje_måned", "ny", "2020-01-06", "2020-04-06", False),
        ("samtale_hver_tredje_måned", "ny", "2020-03-16", "2020-06-16", False),
        # første_tilbud declares no transition: its trigger 2019-06-03 lies before the new law
    }


def test_a_forløb_begun_under_the_new_law_is_no_transition() -> None:
    rs = load_ruleset(FIXTURE)
    history = rs.history({"id": "b", "birth_date": "1980-10-31", "events": [_kh("2020-02-03")]})
    result = rs.evaluate(history, "2020-03-01")
    assert result.obligations and not any(o.transition for o in result.obligations)


def test_transition_explanation_names_the_real_start_and_the_hjemmel() -> None:
    rs = load_ruleset(FIXTURE)
    result = rs.evaluate(rs.history(RUNNING), "2020-07-01")
    first = next(o for o in result.obligations if o.rule.id == "første_samtale" and o.transition)
    opening = first.explanation[0]
    assert "2019-06-03" in opening and "2020-01-01" in opening
    assert "Testlov 2020 § 9, stk. 2" in opening
    interpreted = rs.interpret(rs.history(RUNNING), "2020-07-01").obligations
    same = next(o for o in interpreted if o.rule.id == "første_samtale" and o.transition)
    assert same.explanation == first.explanation


def test_to_dict_says_transition_only_where_there_is_one() -> None:
    rs = load_ruleset(FIXTURE)
    entries = rs.evaluate(rs.history(RUNNING), "2020-07-01").to_dict()["obligations"]
    marked = {(e["rule"], e["trigger"]) for e in entries if "transition" in e}  # type: ignore[index, operator]
    assert marked == {
        ("første_samtale", "2020-01-01"),
        ("fire_samtaler_årligt", "2020-01-01"),
        ("samtale_hver_tredje_måned", "2020-01-01"),
    }
    assert all(e["transition"] is True for e in entries if "transition" in e)  # type: ignore[index, operator]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(obj=kontanthjælp_histories(), as_of=as_of_dates)
def test_compiled_agrees_with_interpreter_on_a_declared_transition(
    obj: dict[str, object], as_of: datetime.date
) -> None:
    rs = load_ruleset(FIXTURE)
    h = rs.history(obj)
    assert rs.evaluate(h, as_of).key() == rs.interpret(h, as_of).key()


def test_batch_obligations_table_has_the_transition_column(tmp_path: Path) -> None:
    caseload = tmp_path / "caseload.jsonl"
    caseload.write_text(json.dumps(RUNNING, ensure_ascii=False) + "\n", "utf-8")
    config = BatchConfig((str(FIXTURE),), datetime.date(2020, 7, 1))
    run_batch(caseload, tmp_path / "out", config, engine="local", workers=1)
    table = pq.read_table(tmp_path / "out" / "obligations.parquet").to_pylist()
    assert {(r["rule"], r["trigger"].isoformat()) for r in table if r["transition"]} == {
        ("første_samtale", "2020-01-01"),
        ("fire_samtaler_årligt", "2020-01-01"),
        ("samtale_hver_tredje_måned", "2020-01-01"),
    }
    assert sum(1 for r in table if r["transition"] is False) == 4  # the other four instances


# ───────────────────────────── C1 on the bundled rulesets ─────────────────────────────
# An aktivitetsparat forløb from 2007-03-05 with samtaler in 2014.
FROM_2007 = {
    "id": "borger-2007",
    "birth_date": "1970-06-01",
    "facts": {"uddannelse": "erhvervsfaglig"},
    "events": [_kh("2007-03-05"), _ev("2014-01-06", "samtale"), _ev("2014-03-10", "samtale")],
}


@pytest.mark.parametrize("evaluator", EVALUATORS)
def test_a_forløb_from_2007_gets_no_phantom_first_deadline(evaluator: str) -> None:
    rs = load_ruleset("kontanthjælp_aktivitetsparat")
    result = getattr(rs, evaluator)(rs.history(FROM_2007), "2014-06-01")
    # periods from 2007-03-05: period 7 [2013-03-05, 2014-03-04] began before LAB 2015;
    # period 8 begins 2007-03-05 + 84 måneder = 2014-03-05, ends 2015-03-04; no første_samtale,
    # no første_ret_og_pligt_tilbud (their trigger 2007-03-05 lies before 2014-01-01)
    assert _rows(result) == {("fire_samtaler_årligt", "lab2015", "2014-03-05", "2015-03-04", False)}
    assert all(o.trigger != datetime.date(2014, 1, 1) for o in result.obligations)


def test_explanation_names_the_real_start_of_a_forløb_from_2007() -> None:
    rs = load_ruleset("kontanthjælp_aktivitetsparat")
    (period,) = rs.evaluate(rs.history(FROM_2007), "2014-06-01").obligations
    text = " ".join(period.explanation)
    assert "Periode 8 regnet fra 2007-03-05 begyndte 2014-03-05." in text
    assert "2014-01-01" not in text
