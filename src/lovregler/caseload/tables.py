"""Caseloads on disk: JSON Lines, and the contract's event log + citizens table.

Reading yields one :class:`RawRecord` per input citizen, in a stable order, in bounded
memory: JSON Lines are read line by line; a Parquet or CSV event log is streamed in record
batches. An event log that is not grouped by citizen is first grouped with an out-of-core
sort in DuckDB (spilling to a scratch directory), keeping each citizen's events in input
order so that same-date events keep their ``seq`` / input order (contract §1, Caseloads).

Records are not validated here: that is :meth:`lovregler.history.History.from_dict`'s job,
done where the record is evaluated (in a worker). A record that cannot even be read (a line
that is not JSON, a citizen listed twice) carries its problem, and
:meth:`RawRecord.load` raises it as a :class:`~lovregler.errors.HistoryError`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from .table_grouping import TablePart
from .table_reading import (
    chunked,
    count_citizens,
    find_tables,
    iter_event_log,
    iter_jsonl_records,
    read_caseload,
    read_caseload_chunks,
)
from .table_records import (
    _ARROW,
    _BATCH_ROWS,
    ATTRIBUTE_TYPES,
    DUCKDB_MEMORY,
    FACT_TYPES,
    MAX_RECORD_BYTES,
    RawRecord,
)

# ---------------------------------------------------------------- writing


def event_schema() -> pa.Schema:
    """The event log's columns: citizen_id, date, type, seq and one per attribute."""
    fields = [
        pa.field("citizen_id", pa.string(), nullable=False),
        pa.field("date", pa.date32(), nullable=False),
        pa.field("type", pa.string(), nullable=False),
        pa.field("seq", pa.int32()),
    ]
    fields += [pa.field(name, _ARROW[kind]) for name, kind in ATTRIBUTE_TYPES.items()]
    return pa.schema(fields)


def citizens_schema() -> pa.Schema:
    """The citizens table's columns: citizen_id, birth_date and one per fact."""
    fields = [
        pa.field("citizen_id", pa.string(), nullable=False),
        pa.field("birth_date", pa.date32()),
    ]
    fields += [pa.field(name, _ARROW[kind]) for name, kind in FACT_TYPES.items()]
    return pa.schema(fields)


class _TableWriter:
    """Buffers rows column-wise and writes a record batch every ``_BATCH_ROWS`` rows."""

    def __init__(self, path: Path, schema: pa.Schema, fmt: str):
        if fmt == "csv":
            # CSV is text: dates stay as written, so a bad one reaches validation unchanged.
            schema = pa.schema(
                [f.with_type(pa.string()) if pa.types.is_date(f.type) else f for f in schema]
            )
        self.schema = schema
        self.columns: dict[str, list[Any]] = {name: [] for name in schema.names}
        if fmt == "parquet":
            self.writer: Any = pq.ParquetWriter(path, schema, compression="zstd")
        else:
            self.writer = pacsv.CSVWriter(path, schema)

    def add(self, row: dict[str, Any]) -> None:
        unknown = row.keys() - self.columns.keys()
        if unknown:
            raise ValueError(f"ukendte felter uden kolonne i tabellen: {sorted(unknown)}")
        for name, values in self.columns.items():
            values.append(row.get(name))
        if len(self.columns["citizen_id"]) >= _BATCH_ROWS:
            self.flush()

    def flush(self) -> None:
        if not self.columns["citizen_id"]:
            return
        arrays = [_array(self.columns[f.name], f.type) for f in self.schema]
        self.writer.write_batch(pa.RecordBatch.from_arrays(arrays, schema=self.schema))
        for values in self.columns.values():
            values.clear()

    def close(self) -> None:
        self.flush()
        self.writer.close()


def _array(values: list[Any], type_: pa.DataType) -> pa.Array:
    if pa.types.is_date32(type_):
        # Arrow parses ISO text itself, much faster than date.fromisoformat per cell.
        return pa.array(values, pa.string()).cast(pa.date32())
    return pa.array(values, type_)


class CaseloadWriter:
    """Writes citizens, in one pass, as any of ``caseload.jsonl``, ``events`` + ``citizens``
    Parquet tables and the same as CSV, in ``directory``.

    Every event gets ``seq`` = its index among the citizen's events, so same-date order
    survives any later re-sorting of the event log.
    """

    def __init__(self, directory: str | os.PathLike[str], formats: Iterable[str] = ("parquet",)):
        formats = list(formats)
        unknown = set(formats) - {"jsonl", "parquet", "csv"}
        if unknown:
            raise ValueError(f"ukendt format {sorted(unknown)} (jsonl, parquet eller csv)")
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        self.count = 0
        self.jsonl: IO[str] | None = None
        if "jsonl" in formats:  # closed in close()
            self.jsonl = open(out / "caseload.jsonl", "w", encoding="utf-8")  # noqa: SIM115
        self.tables = [
            (
                _TableWriter(out / f"events.{fmt}", event_schema(), fmt),
                _TableWriter(out / f"citizens.{fmt}", citizens_schema(), fmt),
            )
            for fmt in ("parquet", "csv")
            if fmt in formats
        ]

    def add(self, citizen: dict[str, Any]) -> None:
        """Write one citizen (a contract §1 dict) to every output."""
        if self.jsonl is not None:
            self.jsonl.write(json.dumps(citizen, ensure_ascii=False, separators=(",", ":")) + "\n")
        cid = citizen["id"]
        for events, people in self.tables:
            people.add(
                {"citizen_id": cid, "birth_date": citizen["birth_date"], **citizen.get("facts", {})}
            )
            for seq, event in enumerate(citizen["events"]):
                events.add({"citizen_id": cid, "seq": seq, **event})
        self.count += 1

    def close(self) -> None:
        """Flush and close every output."""
        if self.jsonl is not None:
            self.jsonl.close()
        for events, people in self.tables:
            events.close()
            people.close()

    def __enter__(self) -> CaseloadWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def write_tables(
    citizens: Iterable[dict[str, Any]], directory: str | os.PathLike[str], *, fmt: str = "parquet"
) -> int:
    """Write ``events.<fmt>`` and ``citizens.<fmt>`` (parquet or csv); returns the count."""
    if fmt not in ("parquet", "csv"):
        raise ValueError(f"ukendt format {fmt!r} (parquet eller csv)")
    with CaseloadWriter(directory, (fmt,)) as writer:
        for citizen in citizens:
            writer.add(citizen)
    return writer.count


__all__ = [
    "ATTRIBUTE_TYPES",
    "CaseloadWriter",
    "DUCKDB_MEMORY",
    "FACT_TYPES",
    "MAX_RECORD_BYTES",
    "RawRecord",
    "TablePart",
    "chunked",
    "citizens_schema",
    "count_citizens",
    "event_schema",
    "find_tables",
    "iter_event_log",
    "iter_jsonl_records",
    "read_caseload",
    "read_caseload_chunks",
    "write_tables",
]
