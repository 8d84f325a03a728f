"""Loading through msgspec (issue 14): JSON text, event-log columns and the Event type.

The typed fast path (msgspec checks a citizen in C, JSON is decoded by msgspec) may decide
speed only: for every input the outcome must be the checking loader's after the checking
JSON decoder (``json.loads`` refusing a key given twice) — the same history, or the same
error naming the same citizen, event, field and did-you-mean.
"""

from __future__ import annotations

import datetime
import json
import pickle
import random
from typing import Any

import msgspec
import pyarrow as pa
import pytest

from lovregler.api import load_vocabulary
from lovregler.caseload.synth import synth
from lovregler.errors import HistoryError
from lovregler.history import Event, History, checked_history, iter_jsonl, json_text, parse_json
from lovregler.history.fast import _FastLoader, fast_loader
from test_history_fast import _variants

VOCABULARY = load_vocabulary()
CITIZEN = {
    "id": "b-1",
    "birth_date": "1975-04-12",
    "facts": {"uddannelse": "grundskole"},
    "events": [
        {"type": "ydelse_start", "date": "2015-03-02", "ydelse": "kontanthjælp"},
        {"type": "tilbud_start", "date": "2015-04-01", "tilbud": "løntilskud", "pakke": "p"},
        {"type": "samtale", "date": "2015-03-06", "form": "personlig"},
    ],
}


def _outcomes(text: str | bytes) -> tuple[History | str, list[History | str]]:
    """``History.from_json`` and ``iter_jsonl`` of one text: a history or an error message."""
    try:
        one: History | str = History.from_json(text, VOCABULARY)
    except HistoryError as exc:
        one = str(exc)
    lines = [
        got if isinstance(got, History) else str(got) for got in iter_jsonl([text], VOCABULARY)
    ]
    return one, lines


def _checking_only() -> pytest.MonkeyPatch:
    """The typed paths switched off: JSON by json.loads with the duplicate-key hook, every
    citizen by the checking loader — how they were loaded before issue 14."""

    def undecodable(text: object) -> object:
        raise msgspec.DecodeError("switched off")

    patch = pytest.MonkeyPatch()
    patch.setattr(_FastLoader, "load", lambda self, obj: None)
    patch.setattr(json_text, "_decode", undecodable)
    return patch


def _same(text: str | bytes) -> None:
    now = _outcomes(text)
    patch = _checking_only()
    try:
        before = _outcomes(text)
    finally:
        patch.undo()
    assert now == before, text
    for a, b in zip((now[0], *now[1]), (before[0], *before[1]), strict=True):
        if isinstance(a, History) and isinstance(b, History):
            assert [(e.index, e.seq) for e in a.events] == [(e.index, e.seq) for e in b.events]


# ------------------------------------------------------------------ keys given twice


@pytest.mark.parametrize(
    "text, key",
    [
        ('{"id": "a", "id": "b", "birth_date": "1975-04-12", "events": []}', "id"),
        # the same value twice: nothing would be lost, but the contract refuses it all the same
        ('{"id": "a", "birth_date": "1975-04-12", "events": [], "events": []}', "events"),
        ('{"id": "a", "birth_date": "1975-04-12", "facts": {"misbrug": "ingen", '
         '"misbrug": "svært"}, "events": []}', "misbrug"),
        ('{"id": "a", "birth_date": "1975-04-12", "events": [{"type": "samtale", '
         '"date": "2015-03-06", "date": "2015-03-07"}]}', "date"),
        ('{"id": "a", "birth_date": "1975-04-12", "events": [{"type": "ydelse_start", '
         '"date": "2015-03-02", "ydelse": "kontanthjælp", "ydelse": "sygedagpenge"}]}', "ydelse"),
        # the same key spelt with an escape: one key to JSON, two in the text
        ('{"id": "a", "\\u0069d": "b", "birth_date": "1975-04-12", "events": []}', "id"),
        # whitespace before the colon
        ('{"id" : "a", "id"\t:"b", "birth_date": "1975-04-12", "events": []}', "id"),
    ],
)  # fmt: skip
def test_a_key_given_twice_is_refused_on_every_path(text: str, key: str) -> None:
    # msgspec alone keeps the last value silently (msgspec issue #648): the guard is needed.
    assert isinstance(msgspec.json.decode(text), dict)
    message = f"nøglen '{key}' står to gange i samme objekt"
    with pytest.raises(HistoryError, match=message):
        parse_json(text)
    with pytest.raises(HistoryError, match=message):
        History.from_json(text, VOCABULARY)
    with pytest.raises(HistoryError, match=message):
        History.from_json(text.encode(), VOCABULARY)
    (error,) = iter_jsonl([text.encode()], VOCABULARY)
    assert isinstance(error, HistoryError) and message in str(error) and "linje 1" in str(error)
    assert fast_loader(VOCABULARY).load_json(text) is None


def test_a_colon_inside_a_text_only_takes_the_slow_path() -> None:
    # A colon in a value makes more colons than keys: the checking decoder runs, and the
    # citizen still loads (no key is given twice).
    citizen = json.loads(json.dumps(CITIZEN))
    citizen["id"] = "kbh:0101801234"
    citizen["events"][1]["pakke"] = "pakke: 2"
    text = json.dumps(citizen, ensure_ascii=False)
    assert fast_loader(VOCABULARY).load_json(text) is None
    history = History.from_json(text, VOCABULARY)
    assert history.id == "kbh:0101801234"
    assert history == checked_history(citizen, VOCABULARY)
    assert parse_json(text) == citizen


def test_the_typed_path_takes_plain_citizens() -> None:
    # Not dead code: a plain citizen is loaded by msgspec (as dict and as JSON text).
    fast = fast_loader(VOCABULARY)
    text = json.dumps(CITIZEN, ensure_ascii=False)
    assert fast.load(CITIZEN) is not None
    assert fast.load_json(text) is not None and fast.load_json(text.encode()) is not None
    assert History.from_json(text, VOCABULARY) == checked_history(CITIZEN, VOCABULARY)
    assert parse_json(text) == CITIZEN


# ------------------------------------------------------------------ JSON text, every variant


def test_json_text_gives_the_checking_outcome_for_every_variant() -> None:
    rng = random.Random(1414)
    for obj in synth(120, seed=1414):
        for variant in _variants(obj, rng):
            _same(json.dumps(variant, ensure_ascii=rng.random() < 0.5, default=str))


@pytest.mark.parametrize(
    "text",
    [
        '{"id": "x\\ud800", "birth_date": "1975-04-12", "events": []}',  # a lone surrogate
        '{"id": "a", "birth_date": "1975-04-12", "events": [{"type": "tilbud_start", '
        '"date": "2015-03-02", "tilbud": "løntilskud", "pakke": "\\udc80"}]}',
        '{"id": "a", "birth_date": "1975-04-12", "events": [{"type": "samtale", '
        '"date": "2015-03-02", "seq": ' + "9" * 30 + "}]}",  # beyond 64 bits
        '{"id": "a", "birth_date": "1975-04-12", "events": [{"type": "samtale", '
        '"date": "2015-03-02", "seq": ' + "9" * 5000 + "}]}",  # beyond json's 4300 digits
        '{"id": "a", "birth_date": "1975-04-12", "events": [{"type": "matchvurdering", '
        '"date": "2015-03-02", "gruppe": NaN}]}',
        '{"id": "a", "birth_date": "1975-04-12", "events": [{"type": "matchvurdering", '
        '"date": "2015-03-02", "gruppe": 2.0}]}',
        '{"id": "a", "birth_date": "1975-04-12", "events": [{"type": "matchvurdering", '
        '"date": "2015-03-02", "gruppe": 1e400}]}',
        '\ufeff{"id": "a", "birth_date": "1975-04-12", "events": []}',  # a byte-order mark
        '{"id": "a", "birth_date": "1975-04-12", "events": []} {"id": "b"}',
        '{"id": "a", "birth_date": "1975-04-12", "events": []',
        '{"id": "a", "birth_date": "1975-04-12", "events": [' + "[" * 5000 + "]" * 5000 + "]}",
        '{"\\u0069d": "a", "birth_date": "1975-04-12", "events": []}',  # an escaped key
        '{"id": "a\\tb", "birth_date": "1975-04-12", "events": []}',  # an escaped tab
        '{"id": "a", "birth_date": "1975-04-12", "events": [], "facts": {"misbrug": null}}',
        '{"id": "a", "birth_date": "2015-02-29", "events": []}',
        '{"id": "a", "birth_date": "1975-4-12", "events": []}',
        '{"id": "a", "birth_date": "1975-04-12", "events": [{"type": "samtale", '
        '"date": "2015-03-02", "seq": true}]}',
        '{"id": "a", "birth_date": "1975-04-12", "events": [{"type": "visitation", '
        '"date": "2015-03-02", "ordning": "ressourceforløb"}]}',  # varighed_år required
        '{"id": "a", "birth_date": "1975-04-12", "events": [{"type": "visitation", '
        '"date": "2015-03-02", "ordning": "fleksjob", "varighed_år": 2}]}',  # and only there
        '{"id": "a", "birth_date": "1975-04-12", "events": [{"type": "ydelse_slut", '
        '"date": "2015-03-02", "ydelse": "kontanthjælp"}]}',  # an end with no start
        "[]",
        "",
    ],
)
def test_json_text_edge_cases_give_the_checking_outcome(text: str) -> None:
    _same(text)
    _same(text.encode("utf-8", "surrogatepass"))


def test_a_decomposed_text_value_is_normalised_as_before() -> None:
    # NFD "å" in a free text attribute: the checking loader stores it NFC; msgspec would not.
    citizen = json.loads(json.dumps(CITIZEN))
    citizen["events"][1]["pakke"] = "pa\u030akke"
    text = json.dumps(citizen, ensure_ascii=False)
    assert fast_loader(VOCABULARY).load_json(text) is None
    assert History.from_json(text, VOCABULARY).events[2].attrs["pakke"] == "p\u00e5kke"


# ------------------------------------------------------------------ event-log columns


def _columns(citizen: dict[str, Any]) -> dict[str, list[Any]]:
    """The citizen's events as event-log columns (every attribute column, None where unused)."""
    names = ["type", "date", "seq", "ydelse", "målgruppe", "form", "tilbud", "pakke", "gruppe"]
    return {n: [e.get(n) for e in citizen["events"]] for n in names}


def test_columns_give_the_dict_outcome() -> None:
    rng = random.Random(7)
    for obj in synth(80, seed=7):
        for variant in _variants(obj, rng):
            if any(set(e) - set(_columns(obj)) for e in variant["events"]):
                continue  # an attribute that has no column in this event log
            from_dict: History | str
            try:
                from_dict = History.from_dict(
                    {**variant, "facts": variant.get("facts")}, VOCABULARY
                )
            except HistoryError as exc:
                from_dict = str(exc)
            try:
                got: History | str = History.from_columns(
                    _columns(variant),
                    VOCABULARY,
                    citizen_id=variant["id"],
                    birth_date=variant["birth_date"],
                    facts=variant.get("facts"),
                )
            except HistoryError as exc:
                got = str(exc)
            assert got == from_dict


def test_columns_from_an_arrow_batch_with_a_date_column() -> None:
    columns = _columns(CITIZEN)
    batch = pa.RecordBatch.from_pydict(
        {
            **columns,
            "citizen_id": ["b-1"] * 3,
            "date": pa.array([datetime.date.fromisoformat(d) for d in columns["date"]]),
        }
    )
    history = History.from_columns(
        batch, VOCABULARY, citizen_id="b-1", birth_date="1975-04-12", facts=CITIZEN["facts"]
    )
    assert history == checked_history(CITIZEN, VOCABULARY)
    assert [e.index for e in history.events] == [0, 2, 1]  # 03-02, 03-06, 04-01


def test_a_bad_row_names_the_citizen_the_row_and_the_field() -> None:
    columns = _columns(CITIZEN)
    columns["ydelse"][0] = "kontanthjaelp"
    with pytest.raises(HistoryError) as caught:
        History.from_columns(columns, VOCABULARY, citizen_id="b-1", birth_date="1975-04-12")
    err = caught.value
    assert (err.citizen, err.event, err.field) == ("b-1", 0, "ydelse")
    assert err.suggestion == "kontanthjælp"
    with pytest.raises(HistoryError, match="felt 'birth_date': mangler"):
        History.from_columns(columns, VOCABULARY, citizen_id="b-1", birth_date=None)


# ------------------------------------------------------------------ the Event type


def test_event_keeps_the_attrs_class_behaviour() -> None:
    event = Event("samtale", 735663, {"form": "personlig"}, 3, seq=2)
    # equality leaves out index and seq: their order is already the history's order
    assert event == Event("samtale", 735663, {"form": "personlig"}, 0)
    assert event != Event("samtale", 735664, {"form": "personlig"}, 3, seq=2)
    assert event != ("samtale", 735663, {"form": "personlig"}, 3, 2)
    assert event.date == datetime.date(2015, 3, 6)
    with pytest.raises(AttributeError):
        event.day = 1  # type: ignore[misc]
    with pytest.raises(TypeError):
        hash(event)
    copy = pickle.loads(pickle.dumps(event))
    assert copy == event and (copy.index, copy.seq) == (3, 2)
    assert repr(event) == (
        "Event(type='samtale', day=735663, attrs={'form': 'personlig'}, index=3, seq=2)"
    )
