"""An entry's explanation sentences come from :mod:`lovregler.prose.explanations`.

The expected sentences are written out by hand from the contract's wording (§2: status,
deadline, outcome); the day numbers are ``date.toordinal()`` of the dates named beside them.
"""

from __future__ import annotations

import datetime

import attrs
import pytest

from lovregler.results import OVERDUE, PENDING, SUSPENDED, Obligation, RuleInfo, Value
from lovregler.timecalc import INF

MARCH_2 = datetime.date(2015, 3, 2).toordinal()
MARCH_9 = datetime.date(2015, 3, 9).toordinal()
MARCH_11 = datetime.date(2015, 3, 11).toordinal()
APRIL_1 = datetime.date(2015, 4, 1).toordinal()

TALK = RuleInfo(
    id="første_samtale",
    kind="obligation",
    title="Første samtale",
    holder="jobcenter",
    citation="LAB § 31",
    interpretations=(),
    met_word="samtale",
    deadline_text="1 uge efter",
    trigger_text="Forløbet startede",
)


def _obligation(status: str, fulfilled: int | None, count: int = 1) -> Obligation:
    rule = TALK if count == 1 else attrs.evolve(TALK, count=count)
    return Obligation(rule, "v1", MARCH_2, MARCH_9, status, fulfilled, APRIL_1)  # type: ignore[arg-type]


def test_an_obligation_met_late_counts_the_days_after_the_deadline() -> None:
    # due Monday 2015-03-09, the samtale on Wednesday 2015-03-11: two days late
    sentences = _obligation("fulfilled_late", MARCH_11).explanation
    assert sentences == [
        "Forløbet startede 2015-03-02.",
        "Fristen er 1 uge efter: 2015-03-09.",
        "Samtale 2015-03-11: opfyldt for sent (2 dage efter fristen).",
    ]


@pytest.mark.parametrize(
    ("status", "last"),
    [
        (OVERDUE, "Ingen samtale pr. 2015-04-01: fristen er overskredet."),
        (PENDING, "Ingen samtale pr. 2015-04-01: afventer."),
        (SUSPENDED, "Pligten er suspenderet på fristdagen efter reglen."),
    ],
)
def test_an_unmet_obligation_says_why(status: str, last: str) -> None:
    assert _obligation(status, None).explanation[-1] == last


def test_a_counted_obligation_names_its_number() -> None:
    assert _obligation("fulfilled", MARCH_9, count=2).explanation[-1] == (
        "2. samtale 2015-03-09: opfyldt."
    )


@pytest.mark.parametrize(
    ("note", "until", "expected"),
    [
        ("", MARCH_9, "Værdien er 80 fra 2015-03-02 til 2015-03-09."),
        ("", INF, "Værdien er 80 fra 2015-03-02."),
        ("Uge 1–4.", MARCH_9, "Uge 1–4. Værdien er 80 fra 2015-03-02 til 2015-03-09."),
    ],
)
def test_a_values_json_says_what_its_explanation_says(note: str, until: int, expected: str) -> None:
    # Value.to_dict writes the sentence out for speed; it must not drift from prose's words
    value = Value(TALK, "v1", MARCH_2, until, 80, note)
    assert value.explanation == [expected]
    assert value.to_dict()["explanation"] == [expected]


def test_a_values_json_is_the_contracts_in_its_order_and_its_own_dict() -> None:
    # Value.to_dict copies its rule's static fields (RuleInfo.value_fields): each value gets
    # a dict of its own, in the contract's key order (§2), and the rule's copy is untouched
    first = Value(TALK, "v1", MARCH_2, MARCH_9, 80).to_dict()
    second = Value(TALK, "v2", MARCH_9 + 1, INF, 40, "Uge 5.").to_dict()
    assert list(first) == [
        "rule",
        "title",
        "version",
        "from",
        "until",
        "value",
        "citation",
        "explanation",
    ]
    assert first == {
        "rule": TALK.id,
        "title": TALK.title,
        "version": "v1",
        "from": "2015-03-02",
        "until": "2015-03-09",
        "value": 80,
        "citation": TALK.citation,
        "explanation": ["Værdien er 80 fra 2015-03-02 til 2015-03-09."],
    }
    # 2015-03-09 + 1 = Tuesday 2015-03-10; an open end has no until
    assert (second["version"], second["from"], second["until"], second["value"]) == (
        "v2",
        "2015-03-10",
        None,
        40,
    )
    assert second["explanation"] == ["Uge 5. Værdien er 40 fra 2015-03-10."]
    first["value"] = 0
    assert second["value"] == 40 and TALK.value_fields["value"] is None
    # the static part is no part of the rule's identity (nor shown)
    again = attrs.evolve(TALK)
    assert again == TALK and hash(again) == hash(TALK) and "value_fields" not in repr(TALK)
