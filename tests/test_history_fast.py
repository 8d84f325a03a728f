"""History loading's fast path: it may decide speed only, never an outcome.

History.from_dict first tries a fast path that takes only plainly valid citizens and hands
everything else to the checking loader. The fast path must never change an outcome: the same
history (facts, events, order, indices, warnings) or the same error message.
"""

from __future__ import annotations

import datetime
import json
import random
import unicodedata
from typing import Any

from lovregler.api import load_vocabulary
from lovregler.caseload.synth import synth
from lovregler.errors import HistoryError
from lovregler.history import History, checked_history


def _checked(obj: Any, vocabulary: Any, lenient: bool = False) -> History | str:
    try:
        return checked_history(obj, vocabulary, lenient=lenient)
    except HistoryError as exc:
        return str(exc)


def _loaded(obj: Any, vocabulary: Any, lenient: bool = False) -> History | str:
    try:
        return History.from_dict(obj, vocabulary, lenient=lenient)
    except HistoryError as exc:
        return str(exc)


def _same_outcome(obj: Any, vocabulary: Any, lenient: bool = False) -> None:
    fast, checked = _loaded(obj, vocabulary, lenient), _checked(obj, vocabulary, lenient)
    assert fast == checked
    if isinstance(fast, History) and isinstance(checked, History):
        assert [e.index for e in fast.events] == [e.index for e in checked.events]
        assert [e.seq for e in fast.events] == [e.seq for e in checked.events]
        assert fast.warnings == checked.warnings


def _variants(obj: dict[str, Any], rng: random.Random) -> list[dict[str, Any]]:
    """The citizen as it is and with one plausible oddity or breach each."""
    out = [obj]
    events = obj["events"]
    if not events:
        return out
    i = rng.randrange(len(events))

    def with_event(**change: Any) -> dict[str, Any]:
        copy = json.loads(json.dumps(obj))
        copy["events"][i].update(change)
        return copy

    e = events[i]
    out += [
        with_event(målgruppe=None),  # an empty table cell
        with_event(date=datetime.date.fromisoformat(e["date"])),  # a Parquet date column
        with_event(date=e["date"].replace("-0", "-")),  # a malformed date
        with_event(type=e["type"] + "x"),  # a misspelt type (did-you-mean)
        with_event(type=unicodedata.normalize("NFD", e["type"])),
        with_event(ukendt=1),  # an undeclared attribute (a warning when lenient)
        with_event(seq=1),
        with_event(seq=True),
        {**obj, "events": [{**x, "seq": len(events) - n} for n, x in enumerate(events)]},
        {**obj, "events": [*({**x, "seq": 0} for x in events), dict(e)]},  # seq on some only
        {**obj, "events": [*({**x, "seq": 0} for x in events), {**e, "seq": 0}]},
        {**obj, "facts": None},
        {**obj, "events": list(reversed(events))},  # an end before its start
        {**obj, "events": [*events, dict(e)]},  # the same event twice
    ]
    for name, value in e.items():
        if name not in ("type", "date") and isinstance(value, str):
            out.append(with_event(**{name: unicodedata.normalize("NFD", value)}))
            out.append(with_event(**{name: value[:-1]}))
        if isinstance(value, bool):
            out.append(with_event(**{name: int(value)}))
        if isinstance(value, int) and not isinstance(value, bool):
            out.append(with_event(**{name: value + 10_000}))
    return out


def test_fast_path_gives_the_checking_loaders_outcome() -> None:
    vocabulary = load_vocabulary()
    rng = random.Random(14)
    for obj in synth(150, seed=14):
        for variant in _variants(obj, rng):
            _same_outcome(variant, vocabulary)
            _same_outcome(variant, vocabulary, lenient=True)


def test_fast_path_facts_and_none_values_as_the_checking_loader() -> None:
    vocabulary = load_vocabulary()
    base = {"id": "b-1", "birth_date": "1975-04-12", "events": []}
    for facts in (
        {},
        None,
        [],
        {"ukendt": 1},
        {"ukendt": None},
        {n: None for n in vocabulary.facts},
    ):
        _same_outcome({**base, "facts": facts}, vocabulary)
    for top in ({"id": "b-ø"}, {"id": 7}, {"extra": 1}, {"birth_date": "1975-02-30"}):
        _same_outcome({**base, **top}, vocabulary)
