"""Reading caseloads: JSON Lines, Parquet and CSV event logs, grouping and same-date order."""

from __future__ import annotations

import datetime
import random

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

import lovregler.caseload.table_grouping as table_grouping
from lovregler.caseload.synth import synth, write_jsonl
from lovregler.caseload.tables import (
    count_citizens,
    read_caseload,
    read_caseload_chunks,
    write_tables,
)
from lovregler.errors import HistoryError
from lovregler.history import History
from vocab_fixture import VOCABULARY


def _without_seq(obj: dict) -> dict:
    return {**obj, "events": [{k: v for k, v in e.items() if k != "seq"} for e in obj["events"]]}


@pytest.mark.parametrize("fmt", ["parquet", "csv", "jsonl"])
def test_round_trip(fmt: str, tmp_path) -> None:
    citizens = list(synth(150, seed=9))
    if fmt == "jsonl":
        write_jsonl(citizens, tmp_path / "c.jsonl")
        source = tmp_path / "c.jsonl"
    else:
        write_tables(citizens, tmp_path, fmt=fmt)
        source = tmp_path
    records = list(read_caseload(source))
    assert [_without_seq(r.load()) for r in records] == citizens
    assert count_citizens(source) == (None if fmt == "csv" else 150)


def _log(tmp_path, rows: list[dict], people: list[dict], fmt: str = "parquet"):
    """Write a hand-made event log and citizens table (columns from the rows' keys)."""
    events = pa.Table.from_pylist(rows)
    citizens = pa.Table.from_pylist(people)
    if fmt == "parquet":
        pq.write_table(events, tmp_path / "events.parquet")
        pq.write_table(citizens, tmp_path / "citizens.parquet")
    else:
        pacsv.write_csv(events, tmp_path / "events.csv")
        pacsv.write_csv(citizens, tmp_path / "citizens.csv")
    return {r.citizen_id: r for r in read_caseload(tmp_path)}, list(read_caseload(tmp_path))


PEOPLE = [
    {"citizen_id": "b", "birth_date": "1970-01-01", "uddannelse": "grundskole"},
    {"citizen_id": "a", "birth_date": "1980-06-30", "uddannelse": None},
]


def test_scattered_log_is_grouped_in_order_of_first_appearance(tmp_path) -> None:
    rows = [
        {"citizen_id": "a", "date": "2015-03-02", "type": "ydelse_start", "ydelse": "kontanthjælp"},
        {"citizen_id": "b", "date": "2015-01-05", "type": "samtale", "ydelse": None},
        {"citizen_id": "a", "date": "2015-03-06", "type": "samtale", "ydelse": None},
        {"citizen_id": "b", "date": "2015-01-01", "type": "ydelse_start", "ydelse": "kontanthjælp"},
    ]
    by_id, records = _log(tmp_path, rows, PEOPLE)
    assert [r.citizen_id for r in records] == ["a", "b"]  # a's first event comes first
    a, b = by_id["a"].load(), by_id["b"].load()
    assert [e["date"] for e in a["events"]] == ["2015-03-02", "2015-03-06"]
    assert [e["type"] for e in b["events"]] == ["samtale", "ydelse_start"]  # input order
    assert a["birth_date"] == "1980-06-30" and "facts" not in a  # empty cell = absent fact
    assert b["facts"] == {"uddannelse": "grundskole"}


def test_same_date_order_follows_seq_else_input(tmp_path) -> None:
    rows = [
        {"citizen_id": "a", "date": "2015-03-02", "type": "samtale", "form": "digital", "seq": 2},
        {
            "citizen_id": "b",
            "date": "2015-03-02",
            "type": "samtale",
            "form": "digital",
            "seq": None,
        },
        {"citizen_id": "a", "date": "2015-03-02", "type": "samtale", "form": "personlig", "seq": 1},
        {
            "citizen_id": "b",
            "date": "2015-03-02",
            "type": "samtale",
            "form": "personlig",
            "seq": None,
        },
    ]
    by_id, _ = _log(tmp_path, rows, PEOPLE)
    a = History.from_dict(by_id["a"].load(), VOCABULARY)
    b = History.from_dict(by_id["b"].load(), VOCABULARY)
    assert [e.attrs["form"] for e in a.events] == ["personlig", "digital"]  # by seq
    assert [e.attrs["form"] for e in b.events] == ["digital", "personlig"]  # by position


def test_csv_cells_are_typed_and_bad_ones_reach_validation(tmp_path) -> None:
    rows = [
        {
            "citizen_id": "a",
            "date": "2015-03-02",
            "type": "vurdering",
            "klar_til_tilbud": "false",
            "varighed_år": None,
            "ordning": None,
        },
        {
            "citizen_id": "a",
            "date": "2015-03-03",
            "type": "visitation",
            "klar_til_tilbud": None,
            "varighed_år": "9",
            "ordning": "ressourceforløb",
        },
        {
            "citizen_id": "b",
            "date": "2015-02-30",
            "type": "samtale",
            "klar_til_tilbud": None,
            "varighed_år": None,
            "ordning": None,
        },
    ]
    people = [{**p, "psykisk_lidelse": "true"} for p in PEOPLE]
    by_id, _ = _log(tmp_path, rows, people, fmt="csv")
    a = by_id["a"].load()
    assert a["events"][0] == {"date": "2015-03-02", "type": "vurdering", "klar_til_tilbud": False}
    assert a["events"][1]["varighed_år"] == 9 and a["facts"]["psykisk_lidelse"] is True
    with pytest.raises(HistoryError, match="1–5"):
        History.from_dict(a, VOCABULARY)
    with pytest.raises(HistoryError, match="2015-02-30"):
        History.from_dict(by_id["b"].load(), VOCABULARY)


def test_every_citizen_of_either_table_gives_one_record(tmp_path) -> None:
    rows = [
        {"citizen_id": "a", "date": "2015-03-02", "type": "samtale"},
        {"citizen_id": "ghost", "date": "2015-03-02", "type": "samtale"},
        {"citizen_id": None, "date": "2015-03-02", "type": "samtale"},
    ]
    people = [*PEOPLE, {"citizen_id": "a", "birth_date": "1990-01-01", "uddannelse": None}]
    _, records = _log(tmp_path, rows, people)
    labels = [r.citizen_id for r in records]
    # Order: by first event (a, ghost, no id), then citizens without events (b), then the
    # duplicate row of a.
    assert labels == ["a", "ghost", "<uden citizen_id>", "b", "a"]
    with pytest.raises(HistoryError, match="birth_date"):
        History.from_dict(records[1].load(), VOCABULARY)  # no row in the citizens table
    with pytest.raises(HistoryError, match="uden citizen_id"):
        records[2].load()
    assert records[3].load()["events"] == []
    with pytest.raises(HistoryError, match="mere end én gang"):
        records[4].load()


def _parts_records(source, size: int, scratch) -> list:
    parts = list(read_caseload_chunks(source, size, scratch))
    assert all(len(part) <= size for part in parts)
    return [record for part in parts for record in part.records()]


def test_parts_read_by_row_range_give_the_same_records(tmp_path, monkeypatch) -> None:
    rows = [
        {"citizen_id": "a", "date": "2015-03-02", "type": "samtale"},
        {"citizen_id": "ghost", "date": "2015-03-02", "type": "samtale"},
        {"citizen_id": None, "date": "2015-03-02", "type": "samtale"},
        {"citizen_id": "a", "date": "2015-04-02", "type": "samtale"},
    ]
    people = [*PEOPLE, {"citizen_id": "a", "birth_date": "1990-01-01", "uddannelse": None}]
    _, records = _log(tmp_path, rows, people)
    assert _parts_records(tmp_path, 2, tmp_path / "s1") == records
    # A grouped log in row groups of 100 rows: parts start and end inside row groups.
    (tmp_path / "g").mkdir()
    write_tables(synth(60, seed=4), tmp_path / "g")
    events = pq.read_table(tmp_path / "g" / "events.parquet")
    pq.write_table(events, tmp_path / "g" / "events.parquet", row_group_size=100)
    expected = list(read_caseload(tmp_path / "g"))
    for size in (1, 7, 60):
        assert _parts_records(tmp_path / "g", size, tmp_path / f"s{size}") == expected
    # The event counts read 4 citizens at a time: parts begin and end inside those batches.
    monkeypatch.setattr(table_grouping, "_BATCH_ROWS", 4)
    for size in (1, 7, 60):
        assert _parts_records(tmp_path / "g", size, tmp_path / f"b{size}") == expected
    monkeypatch.undo()
    # The last 2 × size citizens go in parts of size / 4: 60 citizens ≤ 2 × 60, so all of
    # them, in parts of 15; with 7, six parts of 7 leave 18 > 14, a seventh leaves 11,
    # which go one at a time (7 // 4 = 1).
    sizes = [len(p) for p in read_caseload_chunks(tmp_path / "g", 60, tmp_path / "q60")]
    assert sizes == [15, 15, 15, 15]
    sizes = [len(p) for p in read_caseload_chunks(tmp_path / "g", 7, tmp_path / "q7")]
    assert sizes == [7] * 7 + [1] * 11
    # Row groups too large to read a part of: the log is rewritten in the scratch folder.
    monkeypatch.setattr(table_grouping, "_MAX_GROUP_ROWS", 99)
    (tmp_path / "big").mkdir()
    parts = list(read_caseload_chunks(tmp_path / "g", 7, tmp_path / "big"))
    assert parts[0].events.startswith(str(tmp_path / "big"))
    assert [r for part in parts for r in part.records()] == expected


def test_a_large_caseload_is_cut_in_about_a_hundred_larger_parts_first() -> None:
    # 300,000 citizens at 1,000: parts of 300,000 / 100 = 3,000 (at most 4 × 1,000) while
    # more than 6,000 are left: 98 of them leave 6,000; then 1,000 while more than 2,000
    # are left (four), and the last 2,000 in parts of 250
    assert list(table_grouping.part_sizes(300_000, 1000)) == [3000] * 98 + [1000] * 4 + [250] * 8
    # 1,000,000 citizens: never more than 4 × 1,000; 248 parts leave 8,000
    sizes = list(table_grouping.part_sizes(1_000_000, 1000))
    assert sizes == [4000] * 248 + [1000] * 6 + [250] * 8
    # up to 100 × 1,000 citizens: parts as before
    assert set(table_grouping.part_sizes(100_000, 1000)) == {1000, 250}


def test_large_shuffled_log_groups_like_the_sorted_one(tmp_path) -> None:
    citizens = list(synth(400, seed=5))
    write_tables(citizens, tmp_path / "sorted")
    table = pq.read_table(tmp_path / "sorted" / "events.parquet")
    order = list(range(table.num_rows))
    random.Random(1).shuffle(order)
    (tmp_path / "shuffled").mkdir()
    pq.write_table(table.take(order), tmp_path / "shuffled" / "events.parquet")
    pq.write_table(
        pq.read_table(tmp_path / "sorted" / "citizens.parquet"),
        tmp_path / "shuffled" / "citizens.parquet",
    )
    shuffled = {
        r.citizen_id: History.from_dict(r.load(), VOCABULARY)
        for r in read_caseload(tmp_path / "shuffled")
    }
    assert len(shuffled) == 400
    for citizen in citizens:
        assert shuffled[citizen["id"]] == History.from_dict(citizen, VOCABULARY)


def test_jsonl_bad_lines_are_records_with_their_line(tmp_path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_bytes(
        b'\xef\xbb\xbf{"id": "a", "birth_date": "1970-01-01", "events": []}\n\n{"id": "b", oops\n\xff\n'
    )
    records = list(read_caseload(path))
    assert [r.citizen_id for r in records] == ["a", "b", "linje 4"]
    assert records[0].load()["id"] == "a"  # byte-order mark dropped
    with pytest.raises(HistoryError, match="linje 3 er ikke gyldig JSON"):
        records[1].load()
    with pytest.raises(HistoryError, match="linje 4 er ikke gyldig UTF-8"):
        records[2].load()


def test_date_objects_and_missing_tables(tmp_path) -> None:
    rows = [{"citizen_id": "a", "date": datetime.date(2015, 3, 2), "type": "samtale"}]
    people = [{"citizen_id": "a", "birth_date": datetime.date(1970, 1, 1)}]
    by_id, _ = _log(tmp_path, rows, people)
    assert by_id["a"].load() == {
        "id": "a",
        "birth_date": "1970-01-01",
        "events": [{"date": "2015-03-02", "type": "samtale"}],
    }
    (tmp_path / "citizens.parquet").unlink()
    with pytest.raises(FileNotFoundError, match="citizens"):
        list(read_caseload(tmp_path))


def test_a_table_without_a_required_column_is_named(tmp_path) -> None:
    pq.write_table(
        pa.Table.from_pylist([{"id": "a", "date": "2015-01-01", "type": "samtale"}]),
        tmp_path / "events.parquet",
    )
    pq.write_table(pa.Table.from_pylist(PEOPLE), tmp_path / "citizens.parquet")
    with pytest.raises(ValueError, match="events.parquet: mangler kolonne.* citizen_id"):
        list(read_caseload(tmp_path))


@pytest.mark.parametrize("kind", [pa.int64(), pa.float64()])
def test_parquet_ids_that_are_not_text_are_refused(tmp_path, kind) -> None:
    # A number has already lost an id's leading zero: 0101801234 would be 101801234, and
    # 007 and 7 one citizen. Issue 10: refused with a clear error, never read silently
    # (before: read as "7", and float ids aborted with "ude af trit ved '0.0'").
    rows = pa.table({"citizen_id": pa.array([7], kind), "date": ["2015-03-02"], "type": ["x"]})
    pq.write_table(rows, tmp_path / "events.parquet")
    pq.write_table(pa.Table.from_pylist([{"citizen_id": "7"}]), tmp_path / "citizens.parquet")
    with pytest.raises(ValueError, match=f"citizen_id har typen {kind}.*skal være tekst"):
        list(read_caseload(tmp_path))


def test_csv_ids_are_text_with_their_leading_zeros(tmp_path) -> None:
    # Before issue 10 Arrow inferred an integer column: 0101801234 became 101801234 and 007
    # and 7 merged into one citizen with both events.
    (tmp_path / "citizens.csv").write_text(
        "citizen_id,birth_date\n0101801234,1980-01-01\n007,1990-01-01\n7,1991-01-01\n"
    )
    (tmp_path / "events.csv").write_text(
        "citizen_id,date,type\n0101801234,2020-01-01,samtale\n"
        "007,2020-01-02,samtale\n7,2020-01-03,samtale\n"
    )
    records = list(read_caseload(tmp_path))
    assert [r.citizen_id for r in records] == ["0101801234", "007", "7"]
    assert [[e["date"] for e in r.load()["events"]] for r in records] == [
        ["2020-01-01"],
        ["2020-01-02"],
        ["2020-01-03"],
    ]


def test_a_csv_cell_that_is_not_utf8_fails_only_its_citizen(tmp_path) -> None:
    # Before: one bad byte made the whole type column binary and failed every citizen.
    (tmp_path / "citizens.csv").write_bytes(
        b"citizen_id,birth_date\na,1980-01-01\nb,1990-01-01\nc\xfe,1990-01-01\n"
    )
    (tmp_path / "events.csv").write_bytes(
        b"citizen_id,date,type\na,2020-01-01,samtale\nb,2020-01-02,sam\xfftale\n"
        b"b,2020-01-03,samtale\n"
    )
    by_id = {r.citizen_id: r for r in read_caseload(tmp_path)}
    assert sorted(by_id) == ["a", "b", "c\\xfe"]
    assert by_id["a"].load()["events"] == [{"date": "2020-01-01", "type": "samtale"}]
    with pytest.raises(HistoryError, match="hændelse nr. 0: kolonne.* type er ikke gyldig UTF-8"):
        by_id["b"].load()
    with pytest.raises(HistoryError, match="kolonne.* citizen_id er ikke gyldig UTF-8"):
        by_id["c\\xfe"].load()


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_a_nul_id_is_not_a_missing_id(tmp_path, fmt) -> None:
    # Before: the key of a missing id was NUL, so an id of NUL joined the id-less events and
    # the batch aborted with "hændelsesloggen er ude af trit".
    rows = [
        {"citizen_id": "a", "date": "2020-01-03", "type": "samtale"},
        {"citizen_id": None, "date": "2020-01-02", "type": "samtale"},
        {"citizen_id": "\x00", "date": "2020-01-01", "type": "samtale"},
        {"citizen_id": None, "date": "2020-01-04", "type": "samtale"},
    ]
    people = [{"citizen_id": "a", "birth_date": "1980-01-01"}]
    people.append({"citizen_id": "\x00", "birth_date": "1980-01-01"})
    _, records = _log(tmp_path, rows, people, fmt)
    assert [r.citizen_id for r in records] == ["a", "<uden citizen_id>", "\x00"]
    nul = next(r for r in records if r.citizen_id == "\x00").load()
    assert nul["events"] == [{"date": "2020-01-01", "type": "samtale"}]


def test_jsonl_id_comes_only_from_the_start_of_the_line(tmp_path) -> None:
    # Before: a regex over the whole line found "kbh-000000" inside an event and booked this
    # line's errors under that real citizen.
    path = tmp_path / "c.jsonl"
    path.write_text(
        '{"birth_date": "1970-01-01", "events": [{"type": "x", "id": "kbh-000000"}]}\n'
        '{"id": 17, "events": [{"id": "kbh-000000"}]}\n'
        '{"id": "x\\ud800", "birth_date": "1970-01-01", "events": []}\n'
    )
    assert [r.citizen_id for r in read_caseload(path)] == ["linje 1", "linje 2", "linje 3"]


def test_a_line_over_the_size_limit_is_a_record_with_its_problem(tmp_path) -> None:
    path = tmp_path / "c.jsonl"
    big = '{"id": "' + "x" * 5000 + '"}'
    path.write_text(f'{{"id": "a"}}\n{big}\n{{"id": "c"}}\n')
    records = list(read_caseload(path, max_record_bytes=1000))
    assert [r.citizen_id for r in records] == ["a", "linje 2", "c"]
    with pytest.raises(HistoryError, match="linje 2 er for lang .5,011 byte; grænsen er 1,000"):
        records[1].load()
    # exactly at the limit (the newline not counted) is read
    assert next(iter(read_caseload(path, max_record_bytes=len(big)))).problem is None
    assert list(read_caseload(path, max_record_bytes=len(big)))[1].load() == {"id": "x" * 5000}
    assert records[2].load() == {"id": "c"}
