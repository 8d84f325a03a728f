"""The periods the fast loader makes while it checks a history (``History.own_periods``), and
what the evaluators read from them: a kind's periods cut at as_of (``cut_periods``) and a
period timeline (``timelines._own_days``). They must be exactly what a pass over the events
gives (``build_periods``, the reference interpreter's reading), for every kind and day."""

from __future__ import annotations

import datetime
import random
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from lovregler import load_vocabulary
from lovregler.caseload.synth import synth
from lovregler.errors import HistoryError
from lovregler.evaluate import periods as P
from lovregler.evaluate.context import Ctx, _build_periods
from lovregler.evaluate.timelines import _own_days, period_keys_tl, period_tl
from lovregler.history import History, checked_history
from lovregler.history.event import build_periods, cut_periods
from lovregler.history.fast import fast_loader
from lovregler.timecalc import INF, parse_iso
from strategies import any_histories, refusion_histories, sick_histories

VOCAB = load_vocabulary()
FAST = fast_loader(VOCAB)
DAYS = [
    parse_iso(d) for d in ("2013-06-30", "2015-01-31", "2016-06-30", "2018-12-31", "2030-01-01")
]


def D(s: str) -> int:
    return parse_iso(s)


def _kinds() -> list[tuple[str, Any, int]]:
    """Every declared kind the loader numbers (its start and end types differ)."""
    out = []
    for name, decl in VOCAB.periods.items():
        number = FAST.kinds.get((decl.start, decl.end, decl.key))
        if number is not None:
            out.append((name, decl, number))
    return out


def _agrees(h: History) -> None:
    kinds, own = h.own_periods()  # type: ignore[misc]
    # the periods made in the loader's pass over the input are its separate pass's
    assert FAST.periods(h.events) == (kinds, own)
    for _name, decl, number in _kinds():
        for day in (*DAYS, *(e.day for e in h.events), *(e.day - 1 for e in h.events)):
            want, orphan = build_periods(h.events, decl, day)
            assert orphan is None
            assert cut_periods(own, number, day) == want
            pairs = [(s, e) for spans in want.values() for s, e, _ in spans]
            assert _own_days(own, number, None, day) == P.normalize(pairs)
            for key in {*want, "sygedagpenge"}:
                keyed = [(s, e) for s, e, _ in want.get(key, [])]
                assert _own_days(own, number, (key,), day) == P.normalize(keyed)


def _in_input_order(obj: dict[str, Any]) -> dict[str, Any]:
    """The citizen with its events in date order (the loader's one-pass route)."""
    return {**obj, "events": sorted(obj["events"], key=lambda e: e["date"])}


@settings(max_examples=200, deadline=None)
@given(st.one_of(any_histories(), refusion_histories(), sick_histories()))
def test_own_periods_cut_at_any_day_are_the_periods_of_the_events(obj: dict[str, Any]) -> None:
    for variant in (obj, _in_input_order(obj)):
        try:
            want = checked_history(variant, VOCAB)
        except HistoryError:  # same-day events sorted with an end first: not plain either
            assert FAST.load(variant) is None
            continue
        h = History.from_dict(variant, VOCAB)
        assert h == want
        _agrees(h)


def test_own_periods_of_synthetic_citizens_with_seq_and_shuffled_events() -> None:
    rng = random.Random(6)
    for obj in synth(300, seed=6):
        events = [dict(e) for e in obj["events"]]
        shuffled = rng.sample(events, len(events))
        with_seq = [{**e, "seq": rng.randrange(3)} for e in events]
        for variant in (events, shuffled, with_seq):
            citizen = {**obj, "events": variant}
            try:
                want = checked_history(citizen, VOCAB)
            except HistoryError:  # a shuffle that puts an end before its start: not plain
                assert FAST.load(citizen) is None
                continue
            h = History.from_dict(citizen, VOCAB)
            assert h == want and h.own_periods() is not None
            _agrees(h)


def _two_periods() -> History:
    return History.from_dict(
        {
            "id": "b1",
            "birth_date": "1980-01-01",
            "events": [
                {"type": "ydelse_start", "date": "2015-01-05", "ydelse": "sygedagpenge"},
                {"type": "ydelse_slut", "date": "2015-03-01", "ydelse": "sygedagpenge"},
                {"type": "ydelse_start", "date": "2015-03-02", "ydelse": "sygedagpenge"},
                {"type": "ydelse_slut", "date": "2015-04-30", "ydelse": "sygedagpenge"},
                {"type": "fleksjob_start", "date": "2015-06-01"},
            ],
        },
        VOCAB,
    )


def test_a_period_that_continues_after_as_of_is_cut_there_not_joined() -> None:
    h = _two_periods()
    kinds, own = h.own_periods()  # type: ignore[misc]
    ydelse = kinds["ydelse_start", "ydelse_slut", "ydelse"]
    # as of Sunday 2015-03-01 the first period has ended that day; the start on 2015-03-02
    # (the day after: catalogue §0 joins it) does not exist yet, so nothing is joined
    assert cut_periods(own, ydelse, D("2015-03-01")) == {
        "sygedagpenge": [(D("2015-01-05"), D("2015-03-01"), 0)]
    }
    # as of 2015-03-02 the second start continues the first period, still open (its end is
    # on 2015-04-30); the start event index stays the first start's (0)
    assert cut_periods(own, ydelse, D("2015-03-02")) == {
        "sygedagpenge": [(D("2015-01-05"), INF, 0)]
    }
    assert cut_periods(own, ydelse, D("2015-12-31")) == {
        "sygedagpenge": [(D("2015-01-05"), D("2015-04-30"), 0)]
    }
    assert cut_periods(own, ydelse, D("2015-01-04")) == {}  # before the first start


def test_an_evaluation_reads_the_own_periods_and_a_history_without_them_its_events() -> None:
    loaded = _two_periods()
    built = History(loaded.id, loaded.birth_day, loaded.facts, loaded.events)
    assert built.own_periods() is None and loaded.own_periods() is not None
    for day in (D("2015-03-01"), D("2015-03-02"), D("2015-12-31")):
        for h in (loaded, built):
            c = Ctx(h, day, VOCAB, index=False)
            assert c.periods("ydelse") == _build_periods(
                Ctx(h, day, VOCAB), VOCAB.periods["ydelse"]
            )
        # the timelines: sygedagpenge from 2015-01-05 (to 2015-04-30 once that end is past),
        # fleksjob from 2015-06-01 (open)
        a, b = Ctx(loaded, day, VOCAB, index=False), Ctx(built, day, VOCAB, index=False)
        assert period_keys_tl(a, "ydelse", frozenset({"sygedagpenge"})) == period_keys_tl(
            b, "ydelse", frozenset({"sygedagpenge"})
        )
        assert period_tl(a, "fleksjob", None, None) == period_tl(b, "fleksjob", None, None)
    fresh = _two_periods()
    c = Ctx(fresh, D("2015-12-31"), VOCAB, index=False)
    assert period_keys_tl(c, "ydelse", frozenset({"sygedagpenge"})) == (
        (D("2015-01-05"), D("2015-04-30")),
    )
    assert period_tl(c, "fleksjob", None, None) == ((D("2015-06-01"), INF),)
    assert "_by_type" not in fresh.__dict__  # no index was built for either


def test_an_end_with_no_open_period_is_not_plain_in_either_route() -> None:
    obj = {
        "id": "b1",
        "birth_date": "1980-01-01",
        "events": [
            {"type": "ydelse_start", "date": "2015-01-05", "ydelse": "sygedagpenge"},
            {"type": "ydelse_slut", "date": "2015-03-01", "ydelse": "kontanthjælp"},
        ],
    }
    assert FAST.load(obj) is None  # in input order: found in the one pass
    shuffled = {**obj, "events": obj["events"][::-1]}
    assert FAST.load(shuffled) is None  # out of order: found in the pass after sorting
    assert datetime.date(2015, 1, 5).toordinal() == D("2015-01-05")
