"""History loading: the data contract (contract.md §1) and periods (catalogue.md §0)."""

from __future__ import annotations

import datetime
import io
import json
import random
import unicodedata
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lovregler.errors import HistoryError
from lovregler.history import INF, Event, History, iter_jsonl, periods_of, segments_of
from vocab_fixture import VOCABULARY

YDELSE = VOCABULARY.periods["ydelse"]
TILBUD = VOCABULARY.periods["tilbud"]
FLEKSJOB = VOCABULARY.periods["fleksjob"]
SYGDOM = VOCABULARY.periods["sygdom"]


def day(iso: str) -> int:
    return datetime.date.fromisoformat(iso).toordinal()


def citizen(*events: dict[str, Any], **top: Any) -> dict[str, Any]:
    obj: dict[str, Any] = {"id": "borger-0001", "birth_date": "1975-04-12", "events": list(events)}
    obj.update(top)
    return obj


def ev(type_: str, date: object, **attrs: Any) -> dict[str, Any]:
    return {"type": type_, "date": date, **attrs}


def load(obj: Any, **kw: Any) -> History:
    return History.from_dict(obj, VOCABULARY, **kw)


def error_of(obj: Any, **kw: Any) -> HistoryError:
    with pytest.raises(HistoryError) as info:
        load(obj, **kw)
    return info.value


CONTRACT_EXAMPLE = {
    "id": "borger-0001",
    "birth_date": "1975-04-12",
    "facts": {"uddannelse": "grundskole", "psykisk_lidelse": False},
    "events": [
        ev("ydelse_start", "2015-03-02", ydelse="kontanthjælp", målgruppe="aktivitetsparat"),
        ev("samtale", "2015-03-06"),
        ev("tilbud_start", "2015-08-17", tilbud="virksomhedspraktik"),
        ev("tilbud_slut", "2015-10-09", tilbud="virksomhedspraktik"),
    ],
}


# ---------------------------------------------------------------- the model


def test_contract_example_loads() -> None:
    h = load(CONTRACT_EXAMPLE)
    assert h.id == "borger-0001"
    assert h.birth_date == datetime.date(1975, 4, 12)
    assert h.birth_day == day("1975-04-12")
    assert [e.type for e in h.events] == ["ydelse_start", "samtale", "tilbud_start", "tilbud_slut"]
    first = h.events[0]
    assert first.day == day("2015-03-02") and first.date == datetime.date(2015, 3, 2)
    assert first.attrs == {"ydelse": "kontanthjælp", "målgruppe": "aktivitetsparat"}
    assert first.index == 0
    assert h.warnings == ()


def test_absent_facts_take_defaults() -> None:
    h = load(citizen())
    assert h.facts == {
        "uddannelse": "uoplyst",
        "psykisk_lidelse": False,
        "misbrug": "ingen",
        "i_job_eller_uddannelse": False,
    }


def test_given_facts_are_kept_and_null_is_absent() -> None:
    h = load(citizen(facts={"psykisk_lidelse": True, "uddannelse": None}))
    assert h.facts["psykisk_lidelse"] is True
    assert h.facts["uddannelse"] == "uoplyst"


def test_facts_may_be_left_out_or_null() -> None:
    assert load(citizen(facts=None)).facts == load(citizen()).facts


def test_optional_attribute_absent_is_not_in_attrs() -> None:
    h = load(citizen(ev("samtale", "2015-03-06")))
    assert h.events[0].attrs == {}


def test_null_attribute_counts_as_absent() -> None:
    # Table exports have one column per attribute, empty (None) where the type has none.
    h = load(citizen(ev("samtale", "2015-03-06", form=None, gruppe=None)))
    assert h.events[0].attrs == {}


def test_all_value_kinds() -> None:
    h = load(
        citizen(
            ev("vurdering", "2015-01-01", klar_til_tilbud=True),
            ev("matchvurdering", "2015-01-02", gruppe=5),
            ev("visitation", "2015-01-03", ordning="ressourceforløb", varighed_år=1),
            ev("tilbud_start", "2015-01-04", tilbud="løntilskud", pakke="Pakke A"),
        )
    )
    assert [dict(e.attrs) for e in h.events] == [
        {"klar_til_tilbud": True},
        {"gruppe": 5},
        {"ordning": "ressourceforløb", "varighed_år": 1},
        {"tilbud": "løntilskud", "pakke": "Pakke A"},
    ]


def test_until_is_inclusive() -> None:
    h = load(
        citizen(
            ev("samtale", "2015-03-06"),
            ev("samtale", "2015-03-02"),
            ev("samtale", "2015-03-06"),
            ev("samtale", "2015-03-09"),
        )
    )
    assert [e.index for e in h.until(day("2015-03-06"))] == [1, 0, 2]
    assert h.until(day("2015-03-01")) == ()
    assert h.until(INF) == h.events


def test_date_objects_are_accepted() -> None:
    obj = citizen(ev("samtale", datetime.date(2015, 3, 6)), birth_date=datetime.date(1975, 4, 12))
    assert load(obj) == load(citizen(ev("samtale", "2015-03-06")))


# ---------------------------------------------------------------- ordering


def test_same_date_events_keep_input_order() -> None:
    h = load(
        citizen(
            ev("samtale", "2015-03-06", form="digital"),
            ev("samtale", "2015-03-02"),
            ev("samtale", "2015-03-06", form="personlig"),
            ev("samtale", "2015-03-06", form="telefonisk"),
        )
    )
    assert [e.attrs.get("form") for e in h.events] == [None, "digital", "personlig", "telefonisk"]
    assert [e.index for e in h.events] == [1, 0, 2, 3]


def test_seq_orders_same_date_events() -> None:
    h = load(
        citizen(
            ev("samtale", "2015-03-06", form="digital", seq=3),
            ev("samtale", "2015-03-06", form="personlig", seq=1),
            ev("samtale", "2015-03-02", seq=9),
            ev("samtale", "2015-03-06", form="telefonisk", seq=2),
        )
    )
    assert [e.attrs.get("form") for e in h.events] == [None, "personlig", "telefonisk", "digital"]
    assert [e.seq for e in h.events] == [9, 1, 2, 3]


def test_equal_seq_falls_back_to_input_order() -> None:
    h = load(
        citizen(
            ev("samtale", "2015-03-06", form="digital", seq=1),
            ev("samtale", "2015-03-06", form="personlig", seq=1),
        )
    )
    assert [e.attrs["form"] for e in h.events] == ["digital", "personlig"]


def test_seq_on_some_same_date_events_is_an_error() -> None:
    err = error_of(
        citizen(
            ev("samtale", "2015-03-06", seq=1),
            ev("samtale", "2015-03-06"),
            ev("samtale", "2015-03-07"),
        )
    )
    assert (err.citizen, err.event, err.field) == ("borger-0001", 1, "seq")


def test_seq_on_some_dates_only_is_fine() -> None:
    h = load(citizen(ev("samtale", "2015-03-06", seq=1), ev("samtale", "2015-03-07")))
    assert len(h.events) == 2


def test_seq_must_be_an_integer() -> None:
    err = error_of(citizen(ev("samtale", "2015-03-06", seq="1")))
    assert (err.event, err.field) == (0, "seq")
    assert error_of(citizen(ev("samtale", "2015-03-06", seq=True))).field == "seq"


# ---------------------------------------------------------------- round trip


def test_round_trip() -> None:
    obj = citizen(
        ev("samtale", "2015-03-06", form="digital", seq=2),
        ev("ydelse_start", "2015-03-02", ydelse="kontanthjælp", målgruppe="jobparat"),
        ev("samtale", "2015-03-06", seq=1),
        ev("visitation", "2015-04-01", ordning="ressourceforløb", varighed_år=3),
        facts={"misbrug": "lettere"},
    )
    h = load(obj)
    again = load(h.to_dict())
    assert again == h
    assert [e.index for e in again.events] == [e.index for e in h.events]
    assert json.loads(json.dumps(h.to_dict())) == h.to_dict()


def test_from_json_matches_from_dict() -> None:
    text = json.dumps(CONTRACT_EXAMPLE, ensure_ascii=False)
    assert History.from_json(text, VOCABULARY) == load(CONTRACT_EXAMPLE)
    assert History.from_json(text.encode(), VOCABULARY) == load(CONTRACT_EXAMPLE)


def test_from_json_bad_json() -> None:
    with pytest.raises(HistoryError) as info:
        History.from_json('{"id": "x",', VOCABULARY)
    assert info.value.citizen is None
    assert "JSON" in info.value.message


# ---------------------------------------------------------------- NFC


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def test_nfc_equivalence_of_values_and_keys() -> None:
    composed = citizen(
        ev("ydelse_start", "2015-03-02", ydelse="kontanthjælp", målgruppe="jobparat"),
        ev("henvisning_anden_aktør", "2015-03-03"),
        ev("visitation", "2015-03-04", ordning="ressourceforløb", varighed_år=2),
        facts={"uddannelse": "videregående", "misbrug": "svært"},
    )
    decomposed = json.loads(nfd(json.dumps(composed, ensure_ascii=False)))
    assert decomposed != composed  # the test really feeds other code points
    h = load(decomposed)
    assert h == load(composed)
    assert h.events[0].attrs["ydelse"] == "kontanthjælp"
    assert "målgruppe" in h.events[0].attrs
    assert h.events[1].type == "henvisning_anden_aktør"
    assert h.facts["uddannelse"] == "videregående"


def test_combining_ring_kontanthjaelp() -> None:
    # "kontanthjælp" has no ring; the contract's example is å typed as a + combining ring.
    h = load(citizen(ev("ydelse_start", "2015-03-02", ydelse="sygedagpenge"), facts={}))
    assert h.events[0].attrs["ydelse"] == "sygedagpenge"
    h = load(
        citizen(
            ev("visitation", "2015-03-02", ordning="ressourceforløb", **{"varighed_a\u030ar": 2})
        )
    )
    assert h.events[0].attrs == {"ordning": "ressourceforløb", "varighed_år": 2}


def test_same_key_in_two_normal_forms_is_an_error() -> None:
    obj = citizen(ev("ydelse_start", "2015-03-02", ydelse="kontanthjælp", målgruppe="jobparat"))
    obj["events"][0][nfd("målgruppe")] = "aktivitetsparat"
    err = error_of(obj)
    assert (err.event, err.field) == (0, "målgruppe")


def test_vocabulary_in_nfd_is_normalised_too() -> None:
    import attrs as attrs_mod

    vocab = attrs_mod.evolve(
        VOCABULARY, enums={**VOCABULARY.enums, "målgruppe": (nfd("aktivitetsparat"), "jobparat")}
    )
    h = History.from_dict(
        citizen(ev("ydelse_start", "2015-03-02", ydelse="kontanthjælp", målgruppe="jobparat")),
        vocab,
    )
    assert h.events[0].attrs["målgruppe"] == "jobparat"


# ---------------------------------------------------------------- top-level errors


def test_not_an_object() -> None:
    err = error_of([1, 2])
    assert err.citizen is None


@pytest.mark.parametrize("name", ["id", "birth_date", "events"])
def test_missing_top_level_field(name: str) -> None:
    obj = citizen()
    del obj[name]
    err = error_of(obj)
    assert err.field == name and err.event is None
    assert err.citizen == (None if name == "id" else "borger-0001")


def test_extra_top_level_field_with_suggestion() -> None:
    err = error_of(citizen(fakta={}))
    assert (err.citizen, err.event, err.field, err.suggestion) == (
        "borger-0001",
        None,
        "fakta",
        "facts",
    )
    assert "mente du 'facts'" in str(err)


def test_extra_top_level_field_is_an_error_even_when_lenient() -> None:
    assert error_of(citizen(note="x"), lenient=True).field == "note"


@pytest.mark.parametrize("bad", [17, None, ["a"]])
def test_id_not_a_string(bad: object) -> None:
    err = error_of(citizen(id=bad))
    assert (err.citizen, err.field) == (None, "id")


def test_events_not_a_list() -> None:
    err = error_of(citizen(events={"type": "samtale"}))
    assert (err.citizen, err.field) == ("borger-0001", "events")


def test_facts_not_an_object() -> None:
    assert error_of(citizen(facts=["uddannelse"])).field == "facts"


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize(
    "bad",
    ["2015-02-30", "2015-13-01", "2015-3-2", "20150302", "2015-03-02T00:00", "02-03-2015",
     " 2015-03-02", "2015-03-0\u0662", "0000-01-01", "", 20150302, None],
)  # fmt: skip
def test_bad_event_date(bad: object) -> None:
    err = error_of(citizen(ev("samtale", "2015-03-01"), ev("samtale", bad)))
    assert (err.citizen, err.event, err.field) == ("borger-0001", 1, "date")
    assert err.expected


def test_february_30_message() -> None:
    err = error_of(citizen(ev("samtale", "2015-02-30")))
    assert "2015-02-30 findes ikke" in err.message


def test_leap_day_is_a_real_date() -> None:
    assert load(citizen(ev("samtale", "2016-02-29"))).events[0].date == datetime.date(2016, 2, 29)


def test_bad_birth_date() -> None:
    err = error_of(citizen(birth_date="1975-02-29"))
    assert (err.citizen, err.event, err.field) == ("borger-0001", None, "birth_date")


def test_datetime_is_not_a_date() -> None:
    err = error_of(citizen(ev("samtale", datetime.datetime(2015, 3, 6))))
    assert (err.event, err.field) == (0, "date")


# ---------------------------------------------------------------- event errors


def test_event_not_an_object() -> None:
    err = error_of(citizen(ev("samtale", "2015-03-01"), "samtale"))  # type: ignore[arg-type]
    assert (err.event, err.field) == (1, None)


def test_missing_event_type() -> None:
    err = error_of(citizen({"date": "2015-03-01"}))
    assert (err.citizen, err.event, err.field) == ("borger-0001", 0, "type")


def test_unknown_event_type_with_suggestion() -> None:
    err = error_of(citizen(ev("samtale", "2015-03-01"), ev("samtle", "2015-03-02")))
    assert (err.citizen, err.event, err.field, err.suggestion) == (
        "borger-0001",
        1,
        "type",
        "samtale",
    )


def test_unknown_event_type_without_suggestion() -> None:
    err = error_of(citizen(ev("zzzz", "2015-03-02")))
    assert err.field == "type" and err.suggestion is None


def test_missing_required_attribute() -> None:
    err = error_of(citizen(ev("ydelse_start", "2015-03-02", målgruppe="jobparat")))
    assert (err.citizen, err.event, err.field) == ("borger-0001", 0, "ydelse")
    assert err.expected == "en værdi af ydelse"


def test_undeclared_attribute_with_suggestion() -> None:
    err = error_of(
        citizen(ev("ydelse_start", "2015-03-02", ydelse="kontanthjælp", malgruppe="jobparat"))
    )
    assert (err.citizen, err.event, err.field, err.suggestion) == (
        "borger-0001",
        0,
        "malgruppe",
        "målgruppe",
    )


def test_attribute_on_type_without_attributes() -> None:
    err = error_of(citizen(ev("raskmelding", "2015-03-02", ansat=True)))
    assert (err.event, err.field, err.suggestion) == (0, "ansat", None)


def test_lenient_drops_undeclared_attribute_with_warning() -> None:
    obj = citizen(
        ev("samtale", "2015-03-01"),
        ev("ydelse_start", "2015-03-02", ydelse="kontanthjælp", malgruppe="jobparat", note="x"),
    )
    h = load(obj, lenient=True)
    assert h.events[1].attrs == {"ydelse": "kontanthjælp"}
    assert len(h.warnings) == 2
    assert "hændelse nr. 1" in h.warnings[0] and "'malgruppe'" in h.warnings[0]
    assert "målgruppe" in h.warnings[0]
    assert "'note'" in h.warnings[1]
    assert h == load(h.to_dict())  # warnings are not part of equality


def test_lenient_still_checks_declared_attributes() -> None:
    err = error_of(citizen(ev("matchvurdering", "2015-03-02", gruppe=9, x=1)), lenient=True)
    assert err.field == "gruppe"


@pytest.mark.parametrize(
    ("event", "field"),
    [
        (ev("vurdering", "2015-03-02", klar_til_tilbud="true"), "klar_til_tilbud"),
        (ev("vurdering", "2015-03-02", klar_til_tilbud=1), "klar_til_tilbud"),
        (ev("matchvurdering", "2015-03-02", gruppe="3"), "gruppe"),
        (ev("matchvurdering", "2015-03-02", gruppe=3.0), "gruppe"),
        (ev("matchvurdering", "2015-03-02", gruppe=True), "gruppe"),
        (ev("samtale", "2015-03-02", form=1), "form"),
        (ev("tilbud_start", "2015-03-02", tilbud="løntilskud", pakke=7), "pakke"),
    ],
)
def test_wrong_value_type(event: dict[str, Any], field: str) -> None:
    err = error_of(citizen(event))
    assert (err.citizen, err.event, err.field) == ("borger-0001", 0, field)
    assert err.expected


def test_enum_value_not_in_enum() -> None:
    err = error_of(citizen(ev("ydelse_start", "2015-03-02", ydelse="kontanthjaelp")))
    assert (err.citizen, err.event, err.field, err.suggestion) == (
        "borger-0001",
        0,
        "ydelse",
        "kontanthjælp",
    )
    assert "sygedagpenge" in (err.expected or "")


def test_enum_of_another_type_is_rejected() -> None:
    # sygedagpenge is an ordning for revurdering, not for visitation.
    err = error_of(citizen(ev("visitation", "2015-03-02", ordning="sygedagpenge")))
    assert (err.field, err.suggestion) == ("ordning", None)


@pytest.mark.parametrize(
    ("event", "field", "limit"),
    [
        (ev("visitation", "2015-03-02", ordning="ressourceforløb", varighed_år=7), "varighed_år", "ressourceforløb varer 1–5 år"),
        (ev("visitation", "2015-03-02", ordning="ressourceforløb", varighed_år=0), "varighed_år", "ressourceforløb varer 1–5 år"),
        (ev("matchvurdering", "2015-03-02", gruppe=6), "gruppe", "matchgruppen er 1–5"),
        (ev("visitationskategori", "2015-03-02", kategori=0), "kategori", "visitationskategorien er 1–3"),
    ],
)  # fmt: skip
def test_int_out_of_range_names_the_legal_limit(
    event: dict[str, Any], field: str, limit: str
) -> None:
    err = error_of(citizen(ev("samtale", "2015-03-01"), event))
    assert (err.citizen, err.event, err.field) == ("borger-0001", 1, field)
    assert limit in err.message and limit in str(err)


def test_int_range_bounds_are_inclusive() -> None:
    for kategori in (1, 3):
        load(citizen(ev("visitationskategori", "2015-03-02", kategori=kategori)))


def test_required_when_missing() -> None:
    err = error_of(citizen(ev("visitation", "2015-03-02", ordning="ressourceforløb")))
    assert (err.citizen, err.event, err.field) == ("borger-0001", 0, "varighed_år")


def test_required_when_present_otherwise() -> None:
    err = error_of(citizen(ev("visitation", "2015-03-02", ordning="fleksjob", varighed_år=2)))
    assert (err.citizen, err.event, err.field) == ("borger-0001", 0, "varighed_år")
    assert "ressourceforløb" in err.message


def test_required_when_absent_otherwise_is_fine() -> None:
    h = load(citizen(ev("visitation", "2015-03-02", ordning="fleksjob")))
    assert h.events[0].attrs == {"ordning": "fleksjob"}


def test_unknown_fact_with_suggestion() -> None:
    err = error_of(citizen(facts={"uddanelse": "grundskole"}))
    assert (err.citizen, err.event, err.field, err.suggestion) == (
        "borger-0001",
        None,
        "facts.uddanelse",
        "uddannelse",
    )


@pytest.mark.parametrize(
    ("facts", "field", "suggestion"),
    [
        ({"psykisk_lidelse": "ja"}, "facts.psykisk_lidelse", None),
        ({"uddannelse": "gymnasium"}, "facts.uddannelse", "gymnasial"),
        ({"misbrug": 2}, "facts.misbrug", None),
    ],
)
def test_wrong_fact_value(facts: dict[str, Any], field: str, suggestion: str | None) -> None:
    err = error_of(citizen(facts=facts))
    assert (err.citizen, err.event, err.field, err.suggestion) == (
        "borger-0001",
        None,
        field,
        suggestion,
    )


def test_error_renders_citizen_event_and_field() -> None:
    err = error_of(citizen(ev("samtle", "2015-03-02")))
    text = str(err)
    assert "'borger-0001'" in text and "hændelse nr. 0" in text and "'type'" in text


# ---------------------------------------------------------------- periods


def test_end_without_open_period_is_an_error() -> None:
    err = error_of(
        citizen(
            ev("ydelse_start", "2015-03-02", ydelse="kontanthjælp"),
            ev("ydelse_slut", "2015-03-31", ydelse="sygedagpenge"),
        )
    )
    assert (err.citizen, err.event, err.field) == ("borger-0001", 1, "ydelse")
    assert "ydelse_start" in (err.expected or "")


def test_second_end_is_an_error() -> None:
    err = error_of(
        citizen(
            ev("fleksjob_start", "2015-03-02"),
            ev("fleksjob_slut", "2015-03-31"),
            ev("fleksjob_slut", "2015-04-30"),
        )
    )
    assert (err.event, err.field) == (2, "type")


def test_end_before_start_in_time_is_an_error() -> None:
    err = error_of(
        citizen(ev("sygemelding", "2015-03-10", ansat=True), ev("raskmelding", "2015-03-05"))
    )
    assert err.event == 1


def test_same_date_end_before_start_in_input_order_is_an_error() -> None:
    err = error_of(
        citizen(
            ev("tilbud_slut", "2015-03-02", tilbud="løntilskud"),
            ev("tilbud_start", "2015-03-02", tilbud="løntilskud"),
        )
    )
    assert (err.event, err.field) == (0, "tilbud")


def test_one_day_period() -> None:
    h = load(
        citizen(
            ev("tilbud_start", "2015-03-02", tilbud="løntilskud"),
            ev("tilbud_slut", "2015-03-02", tilbud="løntilskud"),
        )
    )
    assert periods_of(h, TILBUD) == {"løntilskud": [(day("2015-03-02"), day("2015-03-02"), 0)]}


def kh(type_: str, date: str, **attrs: Any) -> dict[str, Any]:
    return ev(type_, date, ydelse="kontanthjælp", **attrs)


def test_adjacent_periods_merge() -> None:
    h = load(
        citizen(
            kh("ydelse_start", "2015-03-02"),
            kh("ydelse_slut", "2015-03-31"),
            kh("ydelse_start", "2015-04-01"),
            kh("ydelse_slut", "2015-05-31"),
        )
    )
    assert periods_of(h, YDELSE) == {"kontanthjælp": [(day("2015-03-02"), day("2015-05-31"), 0)]}


def test_gap_of_one_day_gives_two_periods() -> None:
    h = load(
        citizen(
            kh("ydelse_start", "2015-03-02"),
            kh("ydelse_slut", "2015-03-31"),
            kh("ydelse_start", "2015-04-02"),
        )
    )
    assert periods_of(h, YDELSE) == {
        "kontanthjælp": [(day("2015-03-02"), day("2015-03-31"), 0), (day("2015-04-02"), INF, 2)]
    }


def test_start_while_open_continues_the_period() -> None:
    h = load(
        citizen(
            kh("ydelse_start", "2015-03-02"),
            kh("ydelse_start", "2015-04-15"),
            kh("ydelse_slut", "2015-05-31"),
        )
    )
    assert periods_of(h, YDELSE) == {"kontanthjælp": [(day("2015-03-02"), day("2015-05-31"), 0)]}


def test_keys_keep_parallel_periods_apart() -> None:
    h = load(
        citizen(
            kh("ydelse_start", "2015-03-02"),
            ev("ydelse_start", "2015-03-10", ydelse="sygedagpenge"),
            kh("ydelse_slut", "2015-03-31"),
        )
    )
    assert periods_of(h, YDELSE) == {
        "kontanthjælp": [(day("2015-03-02"), day("2015-03-31"), 0)],
        "sygedagpenge": [(day("2015-03-10"), INF, 1)],
    }


def test_keyless_period_uses_key_none() -> None:
    h = load(citizen(ev("sygemelding", "2015-03-02", ansat=False), ev("raskmelding", "2015-03-20")))
    assert periods_of(h, SYGDOM) == {None: [(day("2015-03-02"), day("2015-03-20"), 0)]}
    assert periods_of(h, FLEKSJOB) == {}


def test_as_of_ignores_later_events() -> None:
    h = load(
        citizen(
            kh("ydelse_start", "2015-03-02"),
            kh("ydelse_slut", "2015-03-31"),
            kh("ydelse_start", "2015-06-01"),
        )
    )
    assert periods_of(h, YDELSE, day("2015-03-30")) == {
        "kontanthjælp": [(day("2015-03-02"), INF, 0)]
    }
    assert periods_of(h, YDELSE, day("2015-03-01")) == {}
    assert len(periods_of(h, YDELSE, day("2015-06-01"))["kontanthjælp"]) == 2


# ---------------------------------------------------------------- målgruppe segments


def test_malgruppe_segments() -> None:
    h = load(
        citizen(
            kh("ydelse_start", "2015-03-02", målgruppe="jobparat"),
            kh("ydelse_start", "2015-05-01", målgruppe="aktivitetsparat"),
            kh("ydelse_start", "2015-06-01", målgruppe="aktivitetsparat"),
            kh("ydelse_slut", "2015-06-30"),
            kh("ydelse_start", "2015-07-01", målgruppe="jobparat"),
            kh("ydelse_slut", "2015-08-31"),
            kh("ydelse_start", "2015-10-01", målgruppe="aktivitetsparat"),
            ev("ydelse_start", "2015-03-01", ydelse="sygedagpenge", målgruppe="aktivitetsparat"),
        )
    )
    assert segments_of(h, YDELSE, "kontanthjælp", "målgruppe") == [
        (day("2015-03-02"), day("2015-04-30"), "jobparat"),
        (day("2015-05-01"), day("2015-06-30"), "aktivitetsparat"),
        (day("2015-07-01"), day("2015-08-31"), "jobparat"),
        (day("2015-10-01"), INF, "aktivitetsparat"),
    ]
    assert segments_of(h, YDELSE, "kontanthjælp", "målgruppe", day("2015-05-15")) == [
        (day("2015-03-02"), day("2015-04-30"), "jobparat"),
        (day("2015-05-01"), INF, "aktivitetsparat"),
    ]


def test_segments_same_day_latest_start_is_in_force() -> None:
    h = load(
        citizen(
            kh("ydelse_start", "2015-03-02", målgruppe="aktivitetsparat"),
            kh("ydelse_start", "2015-04-01", målgruppe="jobparat"),
            kh("ydelse_start", "2015-04-01", målgruppe="aktivitetsparat"),
        )
    )
    assert segments_of(h, YDELSE, "kontanthjælp", "målgruppe") == [
        (day("2015-03-02"), INF, "aktivitetsparat")
    ]


def test_segments_absent_attribute_is_none_and_other_keys_are_empty() -> None:
    h = load(citizen(kh("ydelse_start", "2015-03-02")))
    assert segments_of(h, YDELSE, "kontanthjælp", "målgruppe") == [(day("2015-03-02"), INF, None)]
    assert segments_of(h, YDELSE, "sygedagpenge", "målgruppe") == []


def test_segments_accept_nfd_attribute_name() -> None:
    h = load(citizen(kh("ydelse_start", "2015-03-02", målgruppe="jobparat")))
    assert segments_of(h, YDELSE, "kontanthjælp", nfd("målgruppe"))[0][2] == "jobparat"


# ---------------------------------------------------------------- JSON Lines


def test_iter_jsonl_keeps_going(tmp_path: Any) -> None:
    good = json.dumps(CONTRACT_EXAMPLE, ensure_ascii=False)
    bad_event = json.dumps(citizen(ev("samtle", "2015-03-02"), id="b2"))
    lines = [good, "", '{"id": "b3", "birth_date": ', bad_event, "not json", "   "]
    path = tmp_path / "caseload.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = list(iter_jsonl(path, VOCABULARY))
    assert len(out) == 4
    assert isinstance(out[0], History)
    assert isinstance(out[1], HistoryError) and out[1].citizen == "b3"
    assert "linje 3" in out[1].message
    assert isinstance(out[2], HistoryError) and (out[2].citizen, out[2].event) == ("b2", 0)
    assert isinstance(out[3], HistoryError) and out[3].citizen is None
    assert "linje 5" in out[3].message
    assert [type(x) for x in iter_jsonl(str(path), VOCABULARY)] == [type(x) for x in out]


def test_iter_jsonl_from_open_files() -> None:
    text = "\ufeff" + json.dumps(CONTRACT_EXAMPLE, ensure_ascii=False) + "\n"
    (h,) = iter_jsonl(io.StringIO(text), VOCABULARY)
    assert h == load(CONTRACT_EXAMPLE)
    raw = text.encode("utf-8") + b'{"id": "b\xff"}\n'
    first, second = iter_jsonl(io.BytesIO(raw), VOCABULARY)
    assert first == h
    assert isinstance(second, HistoryError) and "linje 2" in second.message
    assert "UTF-8" in second.message


def test_iter_jsonl_lenient() -> None:
    line = json.dumps(citizen(ev("samtale", "2015-03-02", note="x")))
    (h,) = iter_jsonl([line], VOCABULARY, lenient=True)
    assert isinstance(h, History) and h.warnings
    (err,) = iter_jsonl([line], VOCABULARY)
    assert isinstance(err, HistoryError) and err.field == "note"


# ---------------------------------------------------------------- properties

EVENT_MAKERS = [
    lambda d: ev("samtale", d, form="digital"),
    lambda d: ev("matchvurdering", d, gruppe=2),
    lambda d: ev("vurdering", d, klar_til_tilbud=False),
    lambda d: ev("visitation", d, ordning="ressourceforløb", varighed_år=4),
    lambda d: ev("henvisning_anden_aktør", d),
]


@st.composite
def shuffled_history(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    days = draw(st.lists(st.integers(0, 3000), unique=True, max_size=15))
    base = datetime.date(2014, 1, 1).toordinal()
    events = [
        draw(st.sampled_from(EVENT_MAKERS))(datetime.date.fromordinal(base + d).isoformat())
        for d in days
    ]
    shuffled = list(events)
    random.Random(draw(st.integers())).shuffle(shuffled)
    return citizen(*events), citizen(*shuffled)


@settings(max_examples=100, deadline=None)
@given(shuffled_history())
def test_shuffling_distinct_dates_does_not_change_history(
    pair: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    ordered, shuffled = pair
    a, b = load(ordered), load(shuffled)
    assert a == b
    assert [e.day for e in a.events] == sorted(e.day for e in a.events)


@st.composite
def ydelse_events(draw: st.DrawFn) -> list[dict[str, Any]]:
    """A valid sequence of kontanthjælp start/slut events with random gaps and restarts."""
    base = datetime.date(2015, 1, 1).toordinal()
    t, out, open_ = base, [], False
    for _ in range(draw(st.integers(0, 8))):
        t += draw(st.integers(0, 3))
        iso = datetime.date.fromordinal(t).isoformat()
        if open_ and draw(st.booleans()):
            out.append(kh("ydelse_slut", iso))
            open_ = False
            t += 1
        else:
            out.append(
                kh(
                    "ydelse_start",
                    iso,
                    målgruppe=draw(st.sampled_from(["jobparat", "aktivitetsparat"])),
                )
            )
            open_ = True
    return out


@settings(max_examples=200, deadline=None)
@given(ydelse_events(), st.integers(0, 40))
def test_periods_and_segments_agree_with_day_by_day_model(
    events: list[dict[str, Any]], horizon: int
) -> None:
    h = load(citizen(*events))
    as_of = datetime.date(2015, 1, 1).toordinal() + horizon
    periods = periods_of(h, YDELSE, as_of).get("kontanthjælp", [])
    segments = segments_of(h, YDELSE, "kontanthjælp", "målgruppe", as_of)
    # Disjoint, sorted, separated by a gap of at least one day (else they would be merged).
    for (_, end, _), (start, _, _) in zip(periods, periods[1:], strict=False):
        assert start > end + 1
    for d in range(as_of - 45, as_of + 1):
        on, value = _naive_state(h, d)
        assert on == any(s <= d <= e for s, e, _ in periods)
        assert [v for s, e, v in segments if s <= d <= e] == ([value] if on else [])


def _naive_state(h: History, d: int) -> tuple[bool, object]:
    """Whether kontanthjælp runs on day d and the målgruppe in force, by scanning events."""
    on, value = False, None
    for e in h.until(d):
        if e.type == "ydelse_start":
            on, value = True, e.attrs.get("målgruppe")
        elif e.type == "ydelse_slut" and e.day < d:
            on = False
    return on, value


def test_event_is_slotted_and_frozen() -> None:
    e = Event("samtale", 1, {}, 0)
    assert not hasattr(e, "__dict__")
    with pytest.raises(AttributeError):
        e.day = 2  # type: ignore[misc]


@pytest.mark.parametrize("ydelse", ["uddannelseshjælp", "a_dagpenge"])
def test_the_version_2_ydelser_validate_in_the_bundled_vocabulary(ydelse: str) -> None:
    # contract §1, version 2: the vocabulary gains uddannelseshjælp and a_dagpenge (catalogue C2)
    from lovregler import load_ruleset

    rs = load_ruleset("refusion")
    history = rs.history(
        {
            "id": "b",
            "birth_date": "1990-01-01",
            "events": [
                {"type": "ydelse_start", "date": "2016-01-04", "ydelse": ydelse},
                {"type": "ydelse_slut", "date": "2016-01-10", "ydelse": ydelse},
            ],
        }
    )
    # one ydelse week from Monday 2016-01-04: week 1 at 80 pct. (§ 5, stk. 2, nr. 1)
    values = rs.evaluate(history, "2016-01-10").to_dict()["values"]
    assert [(v["from"], v["until"], v["value"]) for v in values] == [
        ("2016-01-04", "2016-01-10", 80)
    ]
