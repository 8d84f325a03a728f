"""The published JSON Schemas (``lovregler schema``) hold for every bundled example and say
what history loading says: a history the schema refuses is one the loader refuses."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from lovregler import HistoryError, bundled_rulesets, load_ruleset
from lovregler.cli import main
from lovregler.examples import example_history
from lovregler.schema import DOCUMENTS, document

ROOT = Path(__file__).resolve().parents[1]
CHECKER = Draft202012Validator.FORMAT_CHECKER
HISTORY = Draft202012Validator(document("history"), format_checker=CHECKER)
RESULT = Draft202012Validator(document("result"), format_checker=CHECKER)
BORGER = json.loads((ROOT / "examples" / "borger-0001.json").read_text("utf-8"))


@pytest.mark.parametrize("name", DOCUMENTS)
def test_every_schema_is_a_valid_draft_2020_12_schema(name: str) -> None:
    Draft202012Validator.check_schema(document(name))


@pytest.mark.parametrize("name", DOCUMENTS)
def test_lovregler_schema_prints_it(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", name]) == 0
    assert json.loads(capsys.readouterr().out) == document(name)


@pytest.mark.parametrize("path", sorted((ROOT / "examples").glob("*.json")), ids=lambda p: p.name)
def test_bundled_example_files_keep_the_contract(path: Path) -> None:
    history = json.loads(path.read_text("utf-8"))
    HISTORY.validate(history)
    for name in bundled_rulesets():
        rs = load_ruleset(name)
        RESULT.validate(json.loads(json.dumps(rs.evaluate(history, "2019-06-30").to_dict())))


@pytest.mark.parametrize("name", bundled_rulesets())
def test_rule_file_examples_keep_the_contract(name: str) -> None:
    rs = load_ruleset(name)
    assert rs.node.examples or name == "kbh_målgrupper", "a ruleset without examples"
    for index, example in enumerate(rs.node.examples):
        history = json.loads(json.dumps(example_history(example, index), default=str))
        HISTORY.validate(history)
        for expectation in example.expectations:
            result = rs.evaluate(history, expectation.as_of).to_dict()
            RESULT.validate(json.loads(json.dumps(result)))


def _with_event(event: dict[str, Any]) -> dict[str, Any]:
    history = copy.deepcopy(BORGER)
    history["events"].append(event)
    return history


REFUSED = {
    "unknown event type": _with_event({"type": "samtle", "date": "2015-03-06"}),
    "unknown attribute": _with_event({"type": "samtale", "date": "2015-03-06", "sted": "x"}),
    "enum value": _with_event({"type": "samtale", "date": "2015-03-06", "form": "brev"}),
    "int out of range": _with_event(
        {"type": "visitation", "date": "2015-05-01", "ordning": "ressourceforløb", "varighed_år": 7}
    ),
    "required when": _with_event(
        {"type": "visitation", "date": "2015-05-01", "ordning": "ressourceforløb"}
    ),
    "only when": _with_event(
        {"type": "visitation", "date": "2015-05-01", "ordning": "fleksjob", "varighed_år": 2}
    ),
    "missing attribute": _with_event({"type": "vurdering", "date": "2015-05-01"}),
    "bool as text": _with_event({"type": "test_lsr", "date": "2015-05-01", "behov": "ja"}),
    "date format": _with_event({"type": "samtale", "date": "06-03-2015"}),
    "no birth date": {k: v for k, v in BORGER.items() if k != "birth_date"},
    "unknown fact": dict(BORGER, facts={"alder": 40}),
    "unknown top field": dict(BORGER, navn="x"),
    "events not a list": dict(BORGER, events={}),
}

ACCEPTED = {
    "the example": BORGER,
    "null facts": dict(BORGER, facts=None),
    "null fact": dict(BORGER, facts={"uddannelse": None}),
    "null optional attribute": _with_event({"type": "samtale", "date": "2015-03-06", "form": None}),
    "seq": _with_event({"type": "samtale", "date": "2015-04-01", "seq": 2}),
    "required when given": _with_event(
        {"type": "visitation", "date": "2015-05-01", "ordning": "ressourceforløb", "varighed_år": 5}
    ),
}


@pytest.mark.parametrize("case", REFUSED)
def test_the_schema_refuses_what_the_loader_refuses(case: str) -> None:
    history = REFUSED[case]
    assert not HISTORY.is_valid(history)
    with pytest.raises(HistoryError):
        load_ruleset("kontanthjælp_aktivitetsparat").history(history)


@pytest.mark.parametrize("case", ACCEPTED)
def test_the_schema_accepts_what_the_loader_accepts(case: str) -> None:
    history = ACCEPTED[case]
    HISTORY.validate(history)
    load_ruleset("kontanthjælp_aktivitetsparat").history(history)


def test_the_result_schema_refuses_a_changed_result() -> None:
    result = load_ruleset("kontanthjælp_aktivitetsparat").evaluate(BORGER, "2015-09-01").to_dict()
    data = json.loads(json.dumps(result))
    RESULT.validate(data)
    for change in (
        lambda d: d["obligations"][0].update(status="done"),
        lambda d: d["obligations"][0].update(due="9 March"),
        lambda d: d["obligations"][0].pop("citation"),
        lambda d: d["rights"][0].update(extra=1),
    ):
        broken = copy.deepcopy(data)
        change(broken)
        assert not RESULT.is_valid(broken)


def test_an_obligation_of_a_declared_transition_keeps_the_contract() -> None:
    # tests/fixtures/good/overgang.lov declares a transition (no bundled rule does): a forløb
    # begun 2019-06-03 and running on 2020-01-01 gets instances marked "transition": true.
    rs = load_ruleset(ROOT / "tests" / "fixtures" / "good" / "overgang.lov")
    history = {
        "id": "borger-overgang",
        "birth_date": "1975-04-12",
        "events": [
            {"type": "ydelse_start", "date": "2019-06-03", "ydelse": "kontanthjælp"}
            | {"målgruppe": "aktivitetsparat"},
            {"type": "samtale", "date": "2020-01-06"},
        ],
    }
    HISTORY.validate(history)
    result = json.loads(json.dumps(rs.evaluate(history, "2020-07-01").to_dict()))
    RESULT.validate(result)
    assert any(o.get("transition") is True for o in result["obligations"])
    broken = copy.deepcopy(result)
    next(o for o in broken["obligations"] if "transition" in o)["transition"] = "ja"
    assert not RESULT.is_valid(broken)
