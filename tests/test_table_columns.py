"""Histories straight from an event log's columns (``caseload.table_columns``): the same
histories, result rows and error rows as loading each citizen's record, for plainly valid
citizens and for citizens with one breach each."""

from __future__ import annotations

import datetime
import unicodedata

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from lovregler.caseload.batch_chunk import BatchConfig, _ChunkPlan, evaluate_chunk
from lovregler.caseload.synth import synth
from lovregler.caseload.table_columns import ColumnCitizen, read_part
from lovregler.caseload.tables import read_caseload_chunks, write_tables
from lovregler.history import History

RULESETS = ("kontanthjælp_aktivitetsparat", "fleksjob", "sygedagpenge")
AS_OF = datetime.date(2018, 12, 31)


def _same_tables(part, config: BatchConfig) -> dict[str, pa.Table]:
    """The tables of a part by its columns, asserted equal to those of its records."""
    by_columns = evaluate_chunk(part, config)
    by_records = evaluate_chunk(list(part.records()), config)
    for name, table in by_records.items():
        assert by_columns[name].equals(table), name
    return by_columns


def test_synthetic_caseload_loads_from_the_columns_as_from_its_records(tmp_path) -> None:
    write_tables(synth(120, seed=11), tmp_path)
    config = BatchConfig(RULESETS, AS_OF)
    plan = _ChunkPlan(config)
    ((key, holder),) = plan.vocabularies
    parts = list(read_caseload_chunks(tmp_path, 50, tmp_path / "scratch"))
    for part in parts:
        rows = read_part(part)
        citizens = list(rows.citizens_of_part())
        assert all(isinstance(c, ColumnCitizen) for c in citizens)  # the path is taken
        for citizen, record in zip(citizens, rows.records(), strict=True):
            history = citizen.histories(plan.vocabularies)[key]
            expected = History.from_dict(record.load(), holder.vocabulary)
            assert history == expected
            # what equality leaves out: the input position, seq and the attributes' order
            assert [(e.index, e.seq, list(e.attrs)) for e in history.events] == [
                (e.index, e.seq, list(e.attrs)) for e in expected.events
            ]
        tables = _same_tables(part, config)
        assert tables["obligations"].num_rows > 0


def _row(cid, date, kind, seq=None, **attrs):
    return {
        "citizen_id": cid,
        "date": datetime.date.fromisoformat(date),
        "type": kind,
        "seq": seq,
        **attrs,
    }


# One breach (or one unusual but valid thing) per citizen; dates as Arrow dates.
ROWS = [
    _row("ok", "2015-03-02", "ydelse_start", 0, ydelse="kontanthjælp", målgruppe="aktivitetsparat"),
    _row("ok", "2015-03-20", "samtale", 0),
    # valid, out of order: sorted by day, and on one day by seq
    _row("order", "2016-05-02", "samtale", 0),
    _row(
        "order", "2016-01-04", "ydelse_start", 1, ydelse="kontanthjælp", målgruppe="aktivitetsparat"
    ),
    _row("order", "2016-01-04", "samtale", 0),
    _row("enum", "2015-03-02", "ydelse_start", 0, ydelse="kontanthjaelp"),  # no such ydelse
    _row("orphan", "2015-03-02", "ydelse_slut", 0, ydelse="kontanthjælp"),  # no period to end
    _row("type", "2015-03-02", "samtalee", 0),  # no such event type
    _row(
        "nfc",
        "2015-03-02",
        "tilbud_start",
        0,
        tilbud="virksomhedspraktik",
        pakke=unicodedata.normalize("NFD", "pakke ø"),
    ),  # text not in NFC
    _row("when", "2015-03-02", "visitation", 0, ordning="fleksjob", varighed_år=2),  # not wanted
    _row("foreign", "2015-03-02", "samtale", 0, ydelse="kontanthjælp"),  # another type's attribute
    _row("unborn", "2015-03-02", "samtale", 0),  # no birth date in the citizens table
    _row("ghost", "2015-03-02", "samtale", 0),  # not in the citizens table
    _row("twice", "2015-03-02", "samtale", 0),
    _row("old", "0999-05-06", "samtale", 0),  # a date before year 1000, still an ISO date
    _row("fact", "2015-03-02", "samtale", 0),
]
PEOPLE = [
    {"citizen_id": cid, "birth_date": datetime.date(1980, 6, 30), "uddannelse": None}
    for cid in ("ok", "order", "enum", "orphan", "type", "nfc", "when", "foreign", "twice", "old")
]
PEOPLE += [
    {"citizen_id": "unborn", "birth_date": None, "uddannelse": None},
    {"citizen_id": "twice", "birth_date": datetime.date(1980, 6, 30), "uddannelse": None},
    {
        "citizen_id": "fact",
        "birth_date": datetime.date(1980, 6, 30),
        "uddannelse": "phd",
    },  # no such
]


@pytest.mark.parametrize("size", [1, 4, 100])
def test_broken_citizens_give_the_errors_of_their_records(tmp_path, size: int) -> None:
    pq.write_table(pa.Table.from_pylist(ROWS), tmp_path / "events.parquet")
    pq.write_table(pa.Table.from_pylist(PEOPLE), tmp_path / "citizens.parquet")
    config = BatchConfig(RULESETS, AS_OF, chunk_size=size)
    errors: dict[str, str] = {}
    ok: list[str] = []
    plan = _ChunkPlan(config)
    by_columns = set()
    for part in read_caseload_chunks(tmp_path, size, tmp_path / "scratch"):
        for citizen in read_part(part).citizens_of_part():
            if isinstance(citizen, ColumnCitizen) and citizen.histories(plan.vocabularies):
                by_columns.add(citizen.citizen_id)
        tables = _same_tables(part, config)
        for row in tables["errors"].to_pylist():
            errors.setdefault(row["citizen_id"], row["message"])
        ok += [r["citizen_id"] for r in tables["citizens"].to_pylist() if r["status"] == "ok"]
    # twice: its first citizens row is evaluated, the second is an error
    assert sorted(ok) == ["ok", "old", "order", "twice"]
    assert set(errors) == {
        "enum",
        "orphan",
        "type",
        "nfc",
        "when",
        "foreign",
        "unborn",
        "ghost",
        "twice",
        "fact",
    }
    # a bad row sends only its own citizen to the record path: the valid ones come by the
    # columns, whatever else is in their part
    assert by_columns == {"ok", "order", "old", "twice"}
    assert "samtale" in errors["type"]  # the checking loader's did-you-mean, as for a record


def test_seq_on_some_rows_only_is_read_as_records(tmp_path) -> None:
    rows = [
        _row("a", "2015-03-02", "samtale", 0),
        _row("a", "2015-03-02", "samtale"),  # a day with and without seq: an error
        _row("b", "2015-03-02", "samtale"),
    ]
    people = [{"citizen_id": c, "birth_date": datetime.date(1980, 6, 30)} for c in "ab"]
    pq.write_table(pa.Table.from_pylist(rows), tmp_path / "events.parquet")
    pq.write_table(pa.Table.from_pylist(people), tmp_path / "citizens.parquet")
    (part,) = read_caseload_chunks(tmp_path, 10, tmp_path / "scratch")
    assert not any(isinstance(c, ColumnCitizen) for c in read_part(part).citizens_of_part())
    tables = _same_tables(part, BatchConfig(RULESETS, AS_OF))
    assert tables["errors"].column("citizen_id").to_pylist() == ["a"]


def _ydelse(cid, date, kind, seq=0, ydelse="kontanthjælp"):
    return _row(cid, date, kind, seq, ydelse=ydelse)


# Each citizen's rows in file order; the orphan check reads them in history order.
PERIOD_ROWS = [
    # a start while open only continues the period: valid
    _ydelse("sse", "2015-01-05", "ydelse_start"),
    _ydelse("sse", "2015-02-02", "ydelse_start"),
    _ydelse("sse", "2015-03-02", "ydelse_slut"),
    # the second end has no open period
    _ydelse("see", "2015-01-05", "ydelse_start"),
    _ydelse("see", "2015-02-02", "ydelse_slut"),
    _ydelse("see", "2015-03-02", "ydelse_slut"),
    # the end's key is another ydelse than the start's
    _ydelse("key", "2015-01-05", "ydelse_start"),
    _ydelse("key", "2015-02-02", "ydelse_slut", ydelse="sygedagpenge"),
    # two keys open at once, closed in the other order: valid
    _ydelse("keys", "2015-01-05", "ydelse_start"),
    _ydelse("keys", "2015-01-12", "ydelse_start", ydelse="sygedagpenge"),
    _ydelse("keys", "2015-02-02", "ydelse_slut", ydelse="sygedagpenge"),
    _ydelse("keys", "2015-03-02", "ydelse_slut"),
    # a kind without a key, opened and closed twice: valid; then closed once more
    _row("sick", "2015-01-05", "sygemelding", 0, ansat=True),
    _row("sick", "2015-01-09", "raskmelding", 0),
    _row("sick", "2015-02-02", "sygemelding", 0, ansat=False),
    _row("sick", "2015-02-06", "raskmelding", 0),
    _row("well", "2015-01-05", "sygemelding", 0, ansat=True),
    _row("well", "2015-01-09", "raskmelding", 0),
    _row("well", "2015-02-06", "raskmelding", 0),
    # another kind's start opens nothing for this kind
    _row("other", "2015-01-05", "tilbud_start", 0, tilbud="virksomhedspraktik"),
    _ydelse("other", "2015-02-02", "ydelse_slut"),
    # the end comes first in the file, the start first in history: valid
    _ydelse("late", "2015-03-02", "ydelse_slut"),
    _ydelse("late", "2015-01-05", "ydelse_start"),
    # the start comes first in the file, the end first in history: an orphan
    _ydelse("early", "2015-03-02", "ydelse_start"),
    _ydelse("early", "2015-01-05", "ydelse_slut"),
    # one day, the end first in the file but second by seq: valid
    _ydelse("seq", "2015-01-05", "ydelse_slut", seq=1),
    _ydelse("seq", "2015-01-05", "ydelse_start", seq=0),
    # the start above is another citizen's: an orphan
    _ydelse("mine", "2015-01-05", "ydelse_start"),
    _ydelse("yours", "2015-02-02", "ydelse_slut"),
]
PERIOD_CITIZENS = list(dict.fromkeys(row["citizen_id"] for row in PERIOD_ROWS))
ORPHANS = {"see", "key", "well", "other", "early", "yours"}


def _table(rows: list[dict[str, object]]) -> pa.Table:
    """Rows as a table with a column for every key of any row (``from_pylist`` takes the
    first row's keys only)."""
    names = list(dict.fromkeys(name for row in rows for name in row))
    return pa.Table.from_pylist([{name: row.get(name) for name in names} for row in rows])


@pytest.mark.parametrize("size", [1, 3, 100])
def test_end_events_without_a_period_are_found_over_whole_columns(tmp_path, size: int) -> None:
    pq.write_table(_table(PERIOD_ROWS), tmp_path / "events.parquet")
    people = [{"citizen_id": c, "birth_date": datetime.date(1980, 6, 30)} for c in PERIOD_CITIZENS]
    pq.write_table(pa.Table.from_pylist(people), tmp_path / "citizens.parquet")
    config = BatchConfig(RULESETS, AS_OF, chunk_size=size)
    plan = _ChunkPlan(config)
    by_columns: set[str] = set()
    errors: dict[str, str] = {}
    for part in read_caseload_chunks(tmp_path, size, tmp_path / "scratch"):
        for citizen in read_part(part).citizens_of_part():
            if isinstance(citizen, ColumnCitizen) and citizen.histories(plan.vocabularies):
                by_columns.add(citizen.citizen_id)
        tables = _same_tables(part, config)
        errors.update((r["citizen_id"], r["message"]) for r in tables["errors"].to_pylist())
    assert set(errors) == ORPHANS
    # the valid ones come by the columns, whatever else is in their part
    assert by_columns == set(PERIOD_CITIZENS) - ORPHANS
    assert "ydelse_slut" in errors["see"] and "raskmelding" in errors["well"]


def test_a_rewritten_event_log_is_read_anew(tmp_path) -> None:
    """The Parquet footer is kept per file version: a file written again is read again."""
    people = [{"citizen_id": c, "birth_date": datetime.date(1980, 6, 30)} for c in "ab"]
    pq.write_table(pa.Table.from_pylist(people), tmp_path / "citizens.parquet")
    seen = []
    for kinds in (["samtale", "samtale"], ["samtale", "samtale", "samtale"]):
        rows = [_row(c, "2015-03-02", kind, 0) for c in "ab" for kind in kinds]
        pq.write_table(pa.Table.from_pylist(rows), tmp_path / "events.parquet", row_group_size=3)
        (part,) = read_caseload_chunks(tmp_path, 10, tmp_path / "scratch")
        seen.append([len(c.record().obj["events"]) for c in read_part(part).citizens_of_part()])
    assert seen == [[2, 2], [3, 3]]


def test_a_dictionary_column_of_the_file_is_read_as_the_records_read_it(tmp_path) -> None:
    """A text cell of an int attribute is typed (``"2"`` → 2) only in a text column (CSV);
    a dictionary column keeps its text, and the checking loader refuses it."""
    rows = [
        _row("plain", "2015-03-02", "visitationskategori", 0, kategori="2"),
        _row("coded", "2015-03-02", "visitationskategori", 0, kategori="2"),
    ]
    table = _table(rows)
    for cid in ("plain", "coded"):
        part = table.filter(pc.equal(table["citizen_id"], cid))
        if cid == "coded":
            part = part.set_column(
                part.schema.get_field_index("kategori"),
                "kategori",
                part["kategori"].dictionary_encode(),
            )
        directory = tmp_path / cid
        directory.mkdir()
        pq.write_table(part, directory / "events.parquet")
        people = [{"citizen_id": cid, "birth_date": datetime.date(1980, 6, 30)}]
        pq.write_table(pa.Table.from_pylist(people), directory / "citizens.parquet")
        (chunk,) = read_caseload_chunks(directory, 10, directory / "scratch")
        tables = _same_tables(chunk, BatchConfig(("sygedagpenge",), AS_OF))
        errors = tables["errors"].column("field").to_pylist()
        assert errors == ([] if cid == "plain" else ["kategori"])
