"""Loading for an evaluator that reads a citizen through its periods only
(``Ruleset.evaluate`` of a contract dict, when the compiled evaluator has no per-type index:
refusion). The loader checks every event as it always does and makes the periods, but no
event (``_FastLoader.own_periods``); the history makes its events only if something reads
them (``History.of_periods_first``). Nothing of this may change a result or an error."""

from __future__ import annotations

import copy
import pickle
import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lovregler import load_ruleset, load_vocabulary
from lovregler.caseload.synth import synth
from lovregler.errors import HistoryError
from lovregler.history import History
from lovregler.history.fast import fast_loader
from lovregler.timecalc import parse_iso
from strategies import any_histories, refusion_histories, sick_histories

VOCAB = load_vocabulary()
FAST = fast_loader(VOCAB)
REFUSION = load_ruleset("refusion")
DAYS = ("2015-06-30", "2016-12-31", "2018-12-31")


def _variants(obj: dict[str, Any], rng: random.Random) -> list[dict[str, Any]]:
    """The citizen as given, in date order, shuffled, and with every optional attribute
    that its events leave out given as null (an event log's empty cell: absent)."""
    events = obj["events"]
    nulls = [{**e, "målgruppe": None} if e["type"] == "ydelse_start" else e for e in events]
    return [
        obj,
        {**obj, "events": sorted(events, key=lambda e: e["date"])},
        {**obj, "events": rng.sample(events, len(events))},
        {**obj, "events": nulls},
    ]


def _same_periods_or_refused_alike(obj: dict[str, Any]) -> None:
    raw = obj["events"]
    full = FAST.load_events(raw)
    own = FAST.own_periods(raw)
    if full is None:  # what load_events refuses, own_periods refuses too
        assert own is None
    else:  # and the periods are the ones load_events made, in the same order
        assert own == full[1]


@settings(max_examples=200, deadline=None)
@given(st.one_of(any_histories(), refusion_histories(), sick_histories()), st.randoms())
def test_own_periods_are_load_events_periods_without_the_events(
    obj: dict[str, Any], rng: random.Random
) -> None:
    for variant in _variants(obj, rng):
        _same_periods_or_refused_alike(variant)


def test_own_periods_of_synthetic_citizens_and_where_they_leave_it_to_load_events() -> None:
    rng = random.Random(7)
    for obj in synth(300, seed=7):
        for variant in _variants(obj, rng):
            _same_periods_or_refused_alike(variant)
        with_seq = [{**e, "seq": 1} for e in obj["events"]]
        assert FAST.own_periods(with_seq) is None  # a seq's order is load_events' to make
        assert FAST.load_events(with_seq) is not None


def test_a_text_or_required_attribute_is_checked_as_load_events_checks_it() -> None:
    # not NFC ("a" and a combining ring instead of "å"), and varighed_år required exactly
    # when ordning is ressourceforløb: the checks msgspec cannot make
    bad = [
        [
            {
                "type": "tilbud_start",
                "date": "2016-01-04",
                "tilbud": "løntilskud",
                "pakke": "a\u030a",
            }
        ],
        [{"type": "visitation", "date": "2016-01-04", "ordning": "ressourceforløb"}],
        [{"type": "visitation", "date": "2016-01-04", "ordning": "fleksjob", "varighed_år": 2}],
        [{"type": "ydelse_slut", "date": "2016-01-04", "ydelse": "kontanthjælp"}],
    ]
    for events in bad:
        assert FAST.load_events(events) is None and FAST.own_periods(events) is None
    fine = [
        {"type": "visitation", "date": "2016-01-04", "ordning": "fleksjob", "varighed_år": None}
    ]
    assert FAST.own_periods(fine) == FAST.load_events(fine)[1]  # type: ignore[index]


def _citizen() -> dict[str, Any]:
    return {
        "id": "b1",
        "birth_date": "1975-04-12",
        "events": [
            {"type": "samtale", "date": "2016-02-01", "form": "personlig"},
            {"type": "ydelse_start", "date": "2016-01-06", "ydelse": "kontanthjælp"},
            {"type": "ydelse_slut", "date": "2016-03-31", "ydelse": "kontanthjælp"},
        ],
    }


def test_the_history_makes_its_events_when_read_and_is_then_the_loaded_one() -> None:
    obj = _citizen()
    h = REFUSION._loaded(obj)
    assert h.own_periods() == History.from_dict(obj, VOCAB).own_periods()
    assert "_events" not in h.__dict__
    want = History.from_dict(obj, VOCAB)
    assert h == want and want == h  # reads the events: made now, sorted by date
    assert [e.type for e in h.events] == ["ydelse_start", "samtale", "ydelse_slut"]
    assert h.events is h.events  # made once
    for other in (copy.copy(h), copy.deepcopy(h), pickle.loads(pickle.dumps(h))):
        assert type(other) is History and other == want  # not the caller's list
    assert repr(h) == repr(want)


@settings(max_examples=150, deadline=None)
@given(st.one_of(refusion_histories(), any_histories()), st.sampled_from(DAYS))
def test_refusion_from_a_dict_reads_no_event_and_gives_the_same_result(
    obj: dict[str, Any], as_of: str
) -> None:
    try:
        want = REFUSION.evaluate(History.from_dict(obj, VOCAB), as_of).to_dict()
    except HistoryError as err:
        with pytest.raises(HistoryError) as got:
            REFUSION.evaluate(obj, as_of)
        assert str(got.value) == str(err)
        return
    assert REFUSION.evaluate(obj, as_of).to_dict() == want
    h = REFUSION._loaded(obj)
    assert REFUSION.compiled()(h, parse_iso(as_of)).to_dict() == want
    assert "_events" not in h.__dict__  # the evaluator read the periods only


def test_only_an_evaluator_without_an_event_index_is_given_periods_first() -> None:
    REFUSION.compiled()
    assert REFUSION._periods_first
    other = load_ruleset("kontanthjælp_aktivitetsparat")
    other.compiled()
    assert not other._periods_first
    assert type(other._loaded(_citizen())) is History  # its events made while loading


def test_a_broken_citizen_gets_the_same_error_by_either_loading() -> None:
    obj = _citizen()
    broken = [
        {
            **obj,
            "events": [
                *obj["events"],
                {"type": "ydelse_slut", "date": "2016-05-01", "ydelse": "kontanthjælp"},
            ],
        },
        {**obj, "events": [*obj["events"], {"type": "samtale", "date": "2016-02-30"}]},
        {**obj, "events": [*obj["events"], {"type": "samtal", "date": "2016-02-03"}]},
        {**obj, "birth_date": "1975-13-12"},
    ]
    for citizen in broken:
        with pytest.raises(HistoryError) as want:
            History.from_dict(citizen, VOCAB)
        with pytest.raises(HistoryError) as got:
            REFUSION.evaluate(citizen, "2018-12-31")
        assert str(got.value) == str(want.value)
