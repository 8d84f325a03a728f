"""The Python API as a service developer meets it: dates, a string status, Danish errors for
every bad argument, a version, the README's example, and a CLI that a pipe may cut short.

The first-conversation dates are worked out by hand from the catalogue (§1,
``første_samtale``: a samtale within 1 uge after the forløb starts).
"""

from __future__ import annotations

import datetime
import importlib.metadata
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import lovregler
from lovregler import (
    ArgumentError,
    History,
    HistoryError,
    LovreglerError,
    RuleNotFound,
    RulesetNotFound,
    Status,
    load_ruleset,
)

ROOT = Path(__file__).resolve().parents[1]
BORGER = json.loads((ROOT / "examples" / "borger-0001.json").read_text("utf-8"))
KH = "kontanthjælp_aktivitetsparat"


def test_results_are_in_dates_and_statuses() -> None:
    rs = load_ruleset(KH)
    result = rs.evaluate(BORGER, as_of=datetime.date(2015, 9, 1))
    first = result.obligations[0]
    # Forløb start 2015-03-02 (ydelse_start, aktivitetsparat); due + 7 days = 2015-03-09;
    # the samtale of 2015-03-06 meets it in time.
    assert (first.rule.id, first.trigger, first.due, first.fulfilled_on) == (
        "første_samtale",
        datetime.date(2015, 3, 2),
        datetime.date(2015, 3, 9),
        datetime.date(2015, 3, 6),
    )
    assert first.status is Status.FULFILLED and first.status == "fulfilled"
    assert f"{first.status}" == "fulfilled" and json.dumps(first.status) == '"fulfilled"'
    # realkompetencevurdering (uddannelse = grundskole): from the forløb start, since the
    # citizen turned 30 on 2005-04-12; the forløb is still open, so the right has no end.
    right = next(r for r in result.rights if r.rule.id == "realkompetencevurdering")
    assert (right.start, right.until) == (datetime.date(2015, 3, 2), None)


def test_a_history_object_and_a_dict_give_the_same_result() -> None:
    rs = load_ruleset(KH)
    loaded = rs.history(BORGER)
    assert isinstance(loaded, History)
    assert rs.evaluate(loaded, "2015-09-01") == rs.evaluate(BORGER, "2015-09-01")


@pytest.mark.parametrize(
    ("as_of", "message"),
    [
        ("2015-13-01", "as_of: datoen '2015-13-01' findes ikke"),
        ("2015-02-29", "as_of: datoen '2015-02-29' findes ikke"),
        ("20150901", "as_of: '20150901' er ikke en dato på formen ÅÅÅÅ-MM-DD"),
        ("2015-W36", "as_of: '2015-W36' er ikke en dato på formen ÅÅÅÅ-MM-DD"),
        ("٢٠١٥-09-01", "er ikke en dato på formen ÅÅÅÅ-MM-DD"),  # Arabic-Indic digits
        (None, "as_of: skal være en dato eller tekst ÅÅÅÅ-MM-DD, ikke NoneType None"),
        (20150901, "ikke int 20150901"),
        (datetime.datetime(2015, 9, 1, 12), "as_of: skal være en dato uden klokkeslæt"),
    ],
)
def test_a_bad_as_of_is_an_argument_error(as_of: object, message: str) -> None:
    rs = load_ruleset(KH)
    for method in (rs.evaluate, rs.interpret):
        with pytest.raises(ArgumentError) as err:
            method(BORGER, as_of)  # type: ignore[arg-type]
        assert message in str(err.value)
        assert err.value.field == "as_of"
        assert isinstance(err.value, LovreglerError) and isinstance(err.value, ValueError)


@pytest.mark.parametrize("history", [None, [], "borger", 7, {"id": "x"}])
def test_a_bad_history_is_a_history_error(history: object) -> None:
    with pytest.raises(HistoryError):
        load_ruleset(KH).evaluate(history, "2015-09-01")  # type: ignore[arg-type]


def test_unknown_names_are_lovregler_errors() -> None:
    with pytest.raises(RulesetNotFound, match="mente du 'kontanthjælp_aktivitetsparat'"):
        load_ruleset("kontanthjaelp_aktivitetsparat")
    with pytest.raises(ArgumentError):
        load_ruleset(None)  # type: ignore[arg-type]
    with pytest.raises(RuleNotFound, match="mente du 'første_samtale'"):
        load_ruleset(KH).explain(BORGER, "2015-09-01", "forste_samtale")
    assert RulesetNotFound("x").to_dict()["field"] == "ruleset"


def test_explain_gives_the_entries_of_one_rule() -> None:
    entries = load_ruleset(KH).explain(BORGER, "2015-09-01", "første_samtale")
    assert [e.rule.id for e in entries] == ["første_samtale"]
    assert entries[0].explanation[1] == "Fristen er 1 uge efter: 2015-03-09."


def test_the_version_is_the_installed_one() -> None:
    assert lovregler.__version__ == importlib.metadata.version("lovregler")


def test_the_readme_python_example_prints_iso_dates() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    code = re.search(r"## Python\n\n```python\n(.*?)```", readme, re.S)
    assert code is not None
    run = subprocess.run(
        [sys.executable, "-c", code.group(1)], cwd=ROOT, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == "første_samtale 2015-03-09 fulfilled 2015-03-06"
    date = r"\d{4}-\d{2}-\d{2}"
    assert all(re.fullmatch(rf"\S+ {date} [a-z_]+ ({date}|None)", line) for line in lines)


def test_a_closed_pipe_is_no_error_message() -> None:
    # As `lovregler evaluate … | head -0`: the reader is gone before anything is written.
    read, write = os.pipe()
    os.close(read)
    try:
        run = subprocess.run(
            [sys.executable, "-m", "lovregler.cli", "evaluate", "--ruleset", KH]
            + ["--as-of", "2015-09-01", "--format", "json", "examples/borger-0001.json"],
            cwd=ROOT,
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
        )
    finally:
        os.close(write)
    assert "Broken pipe" not in run.stderr and "Traceback" not in run.stderr, run.stderr
    assert run.returncode == 141


def test_a_value_is_explained_in_one_sentence_without_a_leading_space() -> None:
    # Kontanthjælp from Monday 2016-01-04: that week is ydelse week 1 (no ydelse since
    # 2014-07-01, § 30), weeks 1–4 take 80 pct. (§ 5 stk. 2), and the four weeks end on
    # Sunday 2016-01-31 = as_of, so one run 2016-01-04..2016-01-31.
    history = {
        "id": "v1",
        "birth_date": "1985-10-10",
        "events": [
            {
                "date": "2016-01-04",
                "type": "ydelse_start",
                "ydelse": "kontanthjælp",
                "målgruppe": "jobparat",
            },
        ],
    }
    result = lovregler.load_ruleset("refusion").evaluate(history, "2016-01-31")
    values = result.to_dict()["values"]
    assert [v["explanation"] for v in values] == [["Værdien er 80 fra 2016-01-04 til 2016-01-31."]]
    assert [v.explanation for v in result.values] == [values[0]["explanation"]]
