"""Putting a citizens table and an events table in the same order with DuckDB, and turning
their rows back into records (typed, with encoding problems reported per record).
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from .table_records import (
    _BAD_UTF8,
    _BATCH_ROWS,
    _INT_RE,
    _MAX_GROUP_ROWS,
    ATTRIBUTE_TYPES,
    DUCKDB_MEMORY,
    FACT_TYPES,
    RawRecord,
)


class _GroupingPlan:
    """DuckDB steps that put a citizens stream and an events stream in the same order."""

    def __init__(self, events: Path, citizens: Path, scratch: Path):
        import duckdb

        self.scratch = scratch
        self._first: str | None = None
        self.events = _as_parquet(events, scratch / "events_in.parquet")
        self.citizens = _as_parquet(citizens, scratch / "citizens_in.parquet")
        _require_columns(events, self.events, ("citizen_id", "date", "type"))
        _require_columns(citizens, self.citizens, ("citizen_id",))
        self.db = duckdb.connect(str(scratch / "grouping.duckdb"))
        # Bounded memory: DuckDB spills to the scratch directory beyond this limit.
        limit = os.environ.get("LOVREGLER_DUCKDB_MEMORY", DUCKDB_MEMORY)
        self.db.execute(f"SET memory_limit = '{_sql_text(limit)}'")
        self.db.execute(f"SET temp_directory = '{_sql_path(scratch / 'spill')}'")
        # Every query orders its output explicitly, so insertion order need not be kept
        # (keeping it costs memory); one thread keeps the hash tables to one set.
        self.db.execute("SET preserve_insertion_order = false")
        self.db.execute("SET threads = 1")

    def ordered(self) -> tuple[Path, Path]:
        """The ordered citizens table and the grouped event log, as Parquet files."""
        try:
            return self.order_citizens(), self.group_events()
        finally:
            self.db.close()  # release DuckDB's buffer pool before the long streaming part

    def records(self) -> Iterator[RawRecord]:
        """Merge the ordered citizens stream with the grouped events stream."""
        citizens, events = self.ordered()
        yield from _merge(_rows(_batches(citizens)), _event_groups(_batches(events)))

    def parts(self, size: int) -> Iterator[TablePart]:
        """The same citizens as :meth:`records`, ``size`` at a time, as row ranges.

        Only the citizens' event counts are read here, a batch at a time; the rows
        themselves are read where the part is evaluated.
        """
        citizens, events = self.ordered()
        total = pq.ParquetFile(citizens).metadata.num_rows
        ends = _EventEnds(citizens)
        person = first_event = 0
        for cut in part_sizes(total, size):
            upto = person + cut
            last_event = ends.before(upto)
            yield TablePart(str(citizens), (person, upto), str(events), (first_event, last_event))
            person, first_event = upto, last_event

    def step(self, name: str, select: str, row_group_rows: int = 16_384) -> str:
        """Materialise one query in the scratch folder; returns a ``read_parquet`` of it.

        One blocking operator (aggregate, window, join or sort) per step: DuckDB can spill
        each on its own, but several in one query must share the memory limit at once.
        """
        import duckdb

        out = self.scratch / f"{name}.parquet"
        try:
            self.db.execute(
                f"COPY ({select}) TO '{_sql_path(out)}' "
                f"(FORMAT parquet, ROW_GROUP_SIZE {row_group_rows})"
            )
        except duckdb.IOException as exc:  # a full disk, mostly: one message, as for Parquet
            raise OSError(f"DuckDB: {exc}") from None
        return f"read_parquet('{_sql_path(out)}')"

    def source(self, path: Path) -> str:
        return f"read_parquet('{_sql_path(path)}', file_row_number = true)"

    def first_positions(self) -> str:
        """Per citizen id (as text): first and last row of its events, and how many."""
        if self._first is None:
            self._first = self.step(
                "first",
                f"""SELECT CAST(citizen_id AS VARCHAR) AS citizen_id, {_KEY} AS _key,
                           min(file_row_number) AS _first, max(file_row_number) AS _last,
                           count(*) AS _n
                    FROM {self.source(self.events)} GROUP BY 1, 2""",
            )
        return self._first

    def order_citizens(self) -> Path:
        """Citizens in order of their first event; those without events last.

        Every citizens-table row and every event-log id gives one row; ``_dup`` > 1 marks a
        second row of the same id, which gets no events.
        """
        first = self.first_positions()
        ranked = self.step(
            "ranked",
            f"""SELECT * EXCLUDE (file_row_number) REPLACE (CAST(citizen_id AS VARCHAR) AS citizen_id),
                       {_KEY} AS _key, file_row_number AS _cpos,
                       row_number() OVER (PARTITION BY {_KEY} ORDER BY file_row_number) AS _dup
                FROM {self.source(self.citizens)}""",
        )
        # A plain equality join on one key, so that DuckDB can run it out of core; second
        # rows of an id are added after it, without events.
        joined = self.step(
            "joined",
            f"""SELECT coalesce(ci.citizen_id, f.citizen_id) AS _id, ci._cpos IS NOT NULL AS _known,
                       f._first, f._n, ci.* EXCLUDE (_key)
                FROM (SELECT * FROM {ranked} WHERE _dup = 1) ci FULL OUTER JOIN {first} f
                  ON ci._key = f._key
                UNION ALL BY NAME
                SELECT citizen_id AS _id, true AS _known, * EXCLUDE (_key)
                FROM {ranked} WHERE _dup > 1""",
        )
        # Small row groups: a worker reads a part's few hundred rows, and a row group is
        # the least it can read.
        self.step(
            "citizens_sorted",
            f"SELECT * FROM {joined} ORDER BY _first NULLS LAST, _cpos",
            row_group_rows=_PART_GROUP_ROWS,
        )
        return self.scratch / "citizens_sorted.parquet"

    def group_events(self) -> Path:
        """The event log grouped by citizen (first appearance), input order within."""
        first = self.first_positions()
        scattered = self.db.execute(
            f"SELECT count(*) FROM {first} WHERE _last - _first + 1 <> _n"
        ).fetchone()
        if scattered is not None and scattered[0] == 0 and _small_row_groups(self.events):
            return self.events  # already grouped: read it as it is
        tagged = self.step(
            "tagged",
            f"""SELECT ev.* EXCLUDE (file_row_number), ev.file_row_number AS _pos, f._first AS _group
                FROM {self.source(self.events)} ev JOIN {first} f ON {_KEY.replace("citizen_id", "ev.citizen_id")} = f._key""",
        )
        self.step(
            "events_sorted", f"SELECT * EXCLUDE (_pos, _group) FROM {tagged} ORDER BY _group, _pos"
        )
        return self.scratch / "events_sorted.parquet"


class _EventEnds:
    """The event rows before each citizen of the ordered citizens table: the running total
    of their event counts (``_n``), read a batch at a time, for citizens asked in increasing
    order. The main process keeps one batch of counts, whatever the caseload's size."""

    def __init__(self, citizens: Path):
        self.batches = pq.ParquetFile(citizens).iter_batches(batch_size=_BATCH_ROWS, columns=["_n"])
        self.first = 0  # the citizen the batch below begins with
        self.base = 0  # the events before that citizen
        self.totals = np.zeros(0, dtype=np.int64)  # the running total within the batch

    def before(self, citizen: int) -> int:
        """How many event rows the citizens before ``citizen`` have."""
        while citizen > self.first + len(self.totals):
            self.first += len(self.totals)
            self.base += int(self.totals[-1]) if len(self.totals) else 0
            counts = next(self.batches).column(0).fill_null(0).to_numpy()
            self.totals = np.cumsum(counts, dtype=np.int64)
        at = citizen - self.first
        return self.base + (int(self.totals[at - 1]) if at else 0)


_PART_GROUP_ROWS = 2_048  # rows per row group of the ordered citizens table


def _small_row_groups(path: Path) -> bool:
    """Whether a part of the file can be read without decoding much more than it."""
    meta = pq.ParquetFile(path).metadata
    return all(meta.row_group(i).num_rows <= _MAX_GROUP_ROWS for i in range(meta.num_row_groups))


# The join key of a citizen id: "v" + its text, and "n" for a missing id (so that the events
# without an id form one group instead of vanishing from an equality join). No id's key can
# equal the missing one's: an id of NUL is "v\0", not a missing id.
_KEY = "CASE WHEN citizen_id IS NULL THEN 'n' ELSE 'v' || CAST(citizen_id AS VARCHAR) END"


def _require_columns(shown: Path, path: Path, names: Iterable[str]) -> None:
    """A table without a column the contract requires cannot be read at all: say which."""
    have = set(pq.read_schema(path).names)
    missing = [name for name in names if name not in have]
    if missing:
        raise ValueError(
            f"{shown}: mangler kolonne(r) {', '.join(missing)} (har {', '.join(sorted(have))})"
        )


def _sql_text(text: str) -> str:
    return text.replace("'", "''")


def _sql_path(path: Path) -> str:
    return _sql_text(str(path))


def _as_parquet(path: Path, out: Path) -> Path:
    """A Parquet file with the table's rows in input order (CSV is converted, streamed).

    Every CSV column is read as text, never inferred: an id ``0101801234`` keeps its 0 and
    ``007`` stays apart from ``7``; values are typed per column later, so that a bad value
    becomes a validation error for its citizen instead of failing the whole file. A cell
    that is not UTF-8 is kept with its bad bytes escaped (``\\xff``) and its column named
    in ``_bad_utf8``, which makes its citizen a record with a problem.
    """
    if path.suffix.lower() != ".csv":
        _require_text_ids(path)
        return path
    names = _csv_header(path)
    options = pacsv.ConvertOptions(
        strings_can_be_null=True, column_types={name: pa.binary() for name in names}
    )
    reader = pacsv.open_csv(path, convert_options=options)
    schema = pa.schema([(name, pa.string()) for name in names] + [("_bad_utf8", pa.string())])
    with pq.ParquetWriter(out, schema) as writer:
        for batch in reader:
            writer.write_batch(_decoded(batch, schema))
    return out


def _csv_header(path: Path) -> list[str]:
    """The column names of a CSV file, as Arrow reads them."""
    reader = pacsv.open_csv(path, read_options=pacsv.ReadOptions(block_size=1 << 20))
    try:
        return list(reader.schema.names)
    finally:
        reader.close()


def _decoded(batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
    """A CSV batch of binary columns as text; cells that are not UTF-8 escaped and flagged."""
    bad: list[list[str]] = [[] for _ in range(batch.num_rows)]
    columns = []
    for name, column in zip(batch.schema.names, batch.columns, strict=True):
        try:
            columns.append(column.cast(pa.string()))  # validates UTF-8 in one pass
            continue
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            pass
        values = []
        for row, cell in enumerate(column.to_pylist()):
            try:
                values.append(None if cell is None else cell.decode("utf-8"))
            except UnicodeDecodeError:
                values.append(cell.decode("utf-8", "backslashreplace"))
                bad[row].append(name)
        columns.append(pa.array(values, pa.string()))
    flags = [", ".join(names) if names else None for names in bad]
    return pa.RecordBatch.from_arrays([*columns, pa.array(flags, pa.string())], schema=schema)


def _require_text_ids(path: Path) -> None:
    """Refuse a Parquet table whose ``citizen_id`` is not text: a number has already lost
    an id's leading zeros (``0101801234`` → ``101801234``, ``007`` = ``7``), so it cannot
    be converted back; quietly reading it would merge or rename citizens."""
    schema = pq.read_schema(path)
    if "citizen_id" not in schema.names:
        return  # _require_columns names the missing column
    kind = schema.field("citizen_id").type
    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
        raise ValueError(
            f"{path}: kolonnen citizen_id har typen {kind}, men id'er skal være tekst "
            "(som tal mister et CPR-nummer sit foranstillede 0, og 007 bliver til 7); "
            "gem kolonnen som tekst (string)"
        )


def _batches(path: Path) -> Iterator[pa.RecordBatch]:
    """A Parquet file's rows, one record batch in memory at a time."""
    return pq.ParquetFile(path).iter_batches(batch_size=_BATCH_ROWS)  # type: ignore[no-any-return]


def part_sizes(citizens: int, size: int) -> Iterator[int]:
    """How many citizens each part of a batch gets: ``size`` at a time, and the last
    ``2 * size`` in parts of a quarter of it, so that the workers finish close together
    (a part is the least a worker takes; the last large one would keep one worker busy
    while the others wait).

    A caseload of more than 100 × ``size`` citizens is cut in about 100 parts of up to
    4 × ``size`` first, until ``2 *`` such a part is left: every part costs the process that
    hands them out and writes their results some milliseconds, time taken from the
    workers on a machine with one core per worker.

    >>> list(part_sizes(5000, 1000))
    [1000, 1000, 1000, 250, 250, 250, 250, 250, 250, 250, 250]
    >>> list(part_sizes(1100, 1000)), list(part_sizes(0, 1000))
    ([250, 250, 250, 250, 100], [])
    >>> list(part_sizes(15_000, 100))  # parts of 150 while more than 300 are left
    ... # doctest: +ELLIPSIS
    [150, 150, ..., 150, 100, 25, 25, 25, 25, 25, 25, 25, 25]
    """
    large = min(4 * size, max(size, citizens // 100))
    small = max(1, size // 4)
    left = citizens
    while left > 0:
        # large parts while more than two are left, then size, then the quarter parts
        cut = large if left > 2 * large else min(size if left > 2 * size else small, left)
        yield cut
        left -= cut


@attrs.frozen
class TablePart:
    """A run of whole citizens of a grouped event log caseload, as row ranges of two files.

    ``citizens`` is the ordered citizens table (with the grouping columns ``_id``,
    ``_known``, ``_n``, ``_dup``) and ``events`` the grouped event log, both Parquet files
    in the batch's scratch folder (or the input itself). A part is a few numbers to send to
    a worker, which reads its rows and builds the records itself (:meth:`records`).
    """

    citizens: str
    citizen_rows: tuple[int, int]
    events: str
    event_rows: tuple[int, int]

    def __len__(self) -> int:
        return self.citizen_rows[1] - self.citizen_rows[0]

    def records(self) -> Iterator[RawRecord]:
        """One :class:`RawRecord` per citizens row, exactly as :func:`read_caseload` gives.

        The part's events are few enough to hold (a chunk's worth): they are converted a
        column at a time and handed out to their citizens as slices.
        """
        citizens = _read_rows(Path(self.citizens), *self.citizen_rows)
        batches = list(_read_rows(Path(self.events), *self.event_rows))
        table = pa.Table.from_batches(batches).combine_chunks() if batches else None
        if table is None:
            return _slices(_rows(citizens), [], [], flagged=False)
        ids, events = _event_dicts(table)
        flagged = _BAD_UTF8 in table.schema.names and table[_BAD_UTF8].null_count < len(ids)
        return _slices(_rows(citizens), ids, events, flagged=flagged)


def _read_rows(path: Path, start: int, stop: int) -> Iterator[pa.RecordBatch]:
    """Rows ``start`` to ``stop`` of a Parquet file, reading only the row groups holding them."""
    file = pq.ParquetFile(path)
    first = 0
    for index in range(file.num_row_groups):
        rows = file.metadata.row_group(index).num_rows
        low, high = max(start, first), min(stop, first + rows)
        if low < high:
            table = file.read_row_group(index)
            yield from table.slice(low - first, high - low).to_batches(max_chunksize=_BATCH_ROWS)
        first += rows
        if first >= stop:
            return


def _rows(batches: Iterable[pa.RecordBatch]) -> Iterator[dict[str, Any]]:
    """The rows of record batches as dicts, one batch converted at a time."""
    for batch in batches:
        columns = batch.schema.names
        values = [col.to_pylist() for col in batch.columns]
        for row in zip(*values, strict=True):
            yield dict(zip(columns, row, strict=True))


def _event_groups(batches: Iterable[pa.RecordBatch]) -> Iterator[tuple[object, dict[str, Any]]]:
    """``(citizen_id, event dict)`` per event log row, converted a column at a time."""
    for batch in batches:
        ids, events = _event_dicts(batch)
        yield from zip(ids, events, strict=True)


def _event_dicts(batch: pa.RecordBatch | pa.Table) -> tuple[list[object], list[dict[str, Any]]]:
    """The citizen id and the event dict of every event log row.

    Built a column at a time: a column's values go into the dicts of the rows where it has
    one (an attribute column is empty in most rows), in column order, so every dict has the
    keys a row-by-row reading would give, in the same order.
    """
    # Ids compare as text: a warehouse may export them as integers in one table only.
    ids = _flat(batch.column("citizen_id")).cast(pa.string()).to_pylist()
    events: list[dict[str, Any]] = [{} for _ in ids]
    for name, column in zip(batch.schema.names, batch.columns, strict=True):
        if name != _BAD_UTF8 and (
            name == "citizen_id" or name.startswith("_") or name == "file_row_number"
        ):
            continue
        fill_cells(events, name, column)
    return ids, events


def fill_cells(rows: list[dict[str, Any]], name: str, column: pa.Array | pa.ChunkedArray) -> None:
    """Put a column's filled cells into the rows' dicts under ``name``, converted a column at
    a time (:func:`_event_column`); an empty cell leaves its row without the key."""
    column = _flat(column)
    if column.null_count == len(column):
        return
    values = _event_column(name, column)
    if column.null_count == 0:
        for row, value in zip(rows, values, strict=True):
            row[name] = value
    else:
        for index in pc.indices_nonzero(column.is_valid()).to_pylist():
            rows[index][name] = values[index]


def _flat(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    """A table's column as one array (a record batch's already is one)."""
    if isinstance(column, pa.ChunkedArray):
        return column.combine_chunks()
    return column


def _event_column(name: str, column: pa.Array) -> list[Any]:
    """One event log column as Python values of the contract's types."""
    if name == "date":
        if pa.types.is_date(column.type):
            return column.cast(pa.string()).to_pylist()  # Arrow writes ISO dates
        return [_date_text(v) for v in column.to_pylist()]
    kind = "int" if name == "seq" else ATTRIBUTE_TYPES.get(name)
    values = column.to_pylist()
    text = pa.types.is_string(column.type) or pa.types.is_large_string(column.type)
    if text and kind in ("int", "bool"):  # text cells (CSV) of a typed attribute
        return [_typed(kind, v) for v in values]
    return values


def _merge(
    citizens: Iterator[dict[str, Any]], events: Iterator[tuple[object, dict[str, Any]]]
) -> Iterator[RawRecord]:
    """Give each citizen row its events: both streams are in the same citizen order."""
    pending = next(events, None)
    for row in citizens:
        cid = row["_id"]
        if row["_dup"] is not None and row["_dup"] > 1:
            yield RawRecord(str(cid), problem="citizen_id står mere end én gang i borgertabellen")
            continue
        evs: list[dict[str, Any]] = []
        for _ in range(row["_n"] or 0):
            if pending is None or pending[0] != cid:
                raise RuntimeError(
                    f"hændelsesloggen er ude af trit ved {cid!r}"
                )  # a bug, not input
            evs.append(pending[1])
            pending = next(events, None)
        yield _citizen_record(row, evs)


def _slices(
    citizens: Iterator[dict[str, Any]],
    ids: list[object],
    events: list[dict[str, Any]],
    *,
    flagged: bool,
) -> Iterator[RawRecord]:
    """As :func:`_merge`, for events held in lists: each citizen takes the next ``_n``.

    ``flagged``: whether some event has a cell that was not UTF-8 (CSV input); when none
    has, the events need not be looked through for one.
    """
    position = 0
    for row in citizens:
        cid = row["_id"]
        if row["_dup"] is not None and row["_dup"] > 1:
            yield RawRecord(str(cid), problem="citizen_id står mere end én gang i borgertabellen")
            continue
        end = position + (row["_n"] or 0)
        if ids[position:end] != [cid] * (end - position):
            raise RuntimeError(f"hændelsesloggen er ude af trit ved {cid!r}")  # a bug, not input
        yield _citizen_record(row, events[position:end], flagged=flagged)
        position = end


def _citizen_record(
    row: dict[str, Any], events: list[dict[str, Any]], *, flagged: bool = True
) -> RawRecord:
    cid = row["_id"]
    if cid is None:
        problem = f"{len(events)} hændelse(r) uden citizen_id i hændelsesloggen"
        return RawRecord("<uden citizen_id>", problem=problem)
    undecodable = _encoding_problem(row, events if flagged else [])
    if undecodable is not None:
        return RawRecord(str(cid), problem=undecodable)
    obj: dict[str, Any] = {"id": _text(cid), "events": events}
    if row["_known"]:
        obj["birth_date"] = _date_text(row.get("birth_date"))
        facts = row_facts(row)
        if facts:
            obj["facts"] = facts
    return RawRecord(str(obj["id"]), obj=obj)


def row_facts(row: dict[str, Any]) -> dict[str, Any]:
    """A citizens-table row's filled fact cells (not the id, birth date or helper columns),
    each typed as the contract's fact."""
    return {
        name: _typed(FACT_TYPES.get(name), value)
        for name, value in row.items()
        if not name.startswith("_")
        and name not in ("citizen_id", "birth_date")
        and value is not None
    }


def _encoding_problem(row: dict[str, Any], events: list[dict[str, Any]]) -> str | None:
    """Which cells of this citizen were not UTF-8 (CSV input), or None."""
    if row.get(_BAD_UTF8):
        return f"borgertabellens kolonne(r) {row[_BAD_UTF8]} er ikke gyldig UTF-8"
    for index, event in enumerate(events):
        if event.get(_BAD_UTF8):
            return f"hændelse nr. {index}: kolonne(r) {event[_BAD_UTF8]} er ikke gyldig UTF-8"
    return None


def _text(value: object) -> object:
    return value if not isinstance(value, bytes) else value.decode("utf-8", "replace")


def _date_text(value: object) -> object:
    """ISO text for a date cell; anything else is passed on for validation to judge."""
    if isinstance(value, datetime.datetime):
        return value  # a timestamp is not a calendar date: let validation say so
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _typed(kind: str | None, value: object) -> object:
    """A text cell as the contract type (CSV): ``"9"`` → 9, ``"true"`` → True.

    A cell that does not read as its type is passed on unchanged, so that validation names
    the citizen, the event and the field instead of the whole file failing here.
    """
    if not isinstance(value, str):
        return value
    if kind == "int" and _INT_RE.fullmatch(value.strip()):
        return int(value)
    if kind == "bool" and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return value
