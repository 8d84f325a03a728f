"""A part of a grouped event log read once, and its citizens' histories built straight from
the event log's columns, without a dict per event, when every cell is plainly valid.

:func:`read_part` reads a :class:`~lovregler.caseload.tables.TablePart` as a :class:`PartRows`.
Its :meth:`~PartRows.records` are the records the batch always read (one contract dict per
citizen, events as dicts). Its :meth:`~PartRows.citizens_of_part` give the same citizens,
each as a :class:`ColumnCitizen` where the part's event columns are plain (text types, Arrow
dates without gaps, integer ``seq``, no cell that was not UTF-8). What a history needs is
worked out a whole part at a time, in C where NumPy or Arrow can do it:

- day numbers from the Arrow dates, and which rows sort before the row above them;
- the rows' attributes: the distinct combinations of attribute cells are found by NumPy,
  one dict is built per combination and shared by its rows (events are immutable, and
  nothing changes an event's attributes);
- the check: every distinct (type, attributes) of the part is checked once by ``msgspec``
  and the checks msgspec cannot make, and a row that fails marks its citizen alone;
- the orphan check (an end event with no open period of its kind and key), over the rows
  of every citizen whose rows are in history order;
- the ``Event``\\ s of every row, in one ``map``; a citizen's are a slice of them;
- a citizen's loaded facts, once per distinct row of fact cells.

Whatever that path does not take as plainly valid (a row msgspec refuses, text not NFC, an
orphaned end event, an odd birth date) makes the citizen a record again
(:meth:`ColumnCitizen.record`, the very record :meth:`~PartRows.records` gives), loaded as
before: so this decides speed only, never a history or an error.
"""

from __future__ import annotations

import bisect
import functools
import operator
import os
from collections.abc import Callable, Iterator, Sequence
from itertools import repeat
from pathlib import Path
from typing import Any

import msgspec
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from ..history import Event, History, valid_id
from ..history.event import _day_of_event
from ..history.fast import _FastLoader, _plain_day, _seq_order, fast_loader
from .table_grouping import (
    TablePart,
    _citizen_record,
    _date_text,
    _event_column,
    _event_dicts,
    _flat,
    _rows,
    _slices,
    row_facts,
)
from .table_records import _BAD_UTF8, RawRecord

_EPOCH = 719_163  # datetime.date(1970, 1, 1).toordinal(): Arrow's day 0
_LAST_DAY = 3_652_059  # datetime.date(9999, 12, 31).toordinal(): the last ISO date
_NOT_ATTRIBUTES = frozenset({"citizen_id", "file_row_number", "type", "date", "seq", _BAD_UTF8})
# a combined code of attribute cells stays below this (NumPy int64, with room to multiply)
_CODE_LIMIT = 2**62

# The footer of the Parquet files a worker reads, per version of a file: a part reads a
# few row groups of the same two files, and parsing the footer of a file of many row groups
# took longer than reading a part's citizens rows.
_FOOTERS: dict[tuple[str, int, int, int], tuple[Any, list[int]]] = {}
_FOOTERS_LIMIT = 8


def read_part(part: TablePart) -> PartRows:
    """A part's rows, read once: the citizens rows, and the event log rows as one table."""
    people = _part_rows(Path(part.citizens), *part.citizen_rows)
    citizens = [] if people is None else list(_rows(people.to_batches()))
    return PartRows(citizens, _part_rows(Path(part.events), *part.event_rows))


def _part_rows(path: Path, start: int, stop: int) -> pa.Table | None:
    """Rows ``start`` to ``stop`` of a Parquet file as one table (None: no rows), reading only
    the row groups that hold them, in one call and on this thread (a worker is one of as
    many processes as there are cores)."""
    file, firsts = _parquet(path)
    groups = [g for g in range(len(firsts) - 1) if firsts[g] < stop and firsts[g + 1] > start]
    if not groups:
        return None
    table = file.read_row_groups(groups, use_threads=False)
    first = max(start, firsts[groups[0]])
    table = table.slice(first - firsts[groups[0]], min(stop, firsts[groups[-1] + 1]) - first)
    return table.combine_chunks() if table.num_rows else None


def _parquet(path: Path) -> tuple[pq.ParquetFile, list[int]]:
    """The file, and the first row of each row group (and the row count at the end); the
    footer is parsed once per version of the file (path, inode, size, modification time)."""
    stat = os.stat(path)
    key = (str(path), stat.st_ino, stat.st_size, stat.st_mtime_ns)
    known = _FOOTERS.get(key)
    if known is not None:
        return pq.ParquetFile(path, metadata=known[0]), known[1]
    file = pq.ParquetFile(path)
    meta = file.metadata
    firsts = [0]
    for group in range(meta.num_row_groups):
        firsts.append(firsts[-1] + meta.row_group(group).num_rows)
    if len(_FOOTERS) >= _FOOTERS_LIMIT:
        _FOOTERS.clear()
    _FOOTERS[key] = (meta, firsts)
    return file, firsts


class PartRows:
    """The citizens rows and the event log rows of one part, read once."""

    def __init__(self, citizens: list[dict[str, Any]], table: pa.Table | None):
        self.citizens = citizens
        self.table = table
        rows = 0 if table is None else table.num_rows
        self.flagged = (
            table is not None
            and _BAD_UTF8 in table.schema.names
            and table[_BAD_UTF8].null_count < rows
        )
        self.columns = None if table is None or self.flagged else _EventColumns.of(table, citizens)
        self.checked: dict[object, _Checked] = {}  # per vocabulary key

    @functools.cached_property
    def ids(self) -> list[object]:
        """Each event log row's citizen id (ids compare as text: a warehouse may export them
        as integers in one table only)."""
        if self.table is None:
            return []
        return _flat(self.table.column("citizen_id")).cast(pa.string()).to_pylist()  # type: ignore[no-any-return]

    def records(self) -> Iterator[RawRecord]:
        """One :class:`RawRecord` per citizens row, events as dicts (contract §1)."""
        if self.table is None:
            return _slices(iter(self.citizens), [], [], flagged=False)
        _, events = _event_dicts(self.table)
        return _slices(iter(self.citizens), self.ids, events, flagged=self.flagged)

    def citizens_of_part(self) -> Iterator[RawRecord | ColumnCitizen]:
        """The citizens of :meth:`records`, in the same order: a :class:`ColumnCitizen`
        where its rows may be read from the columns, else the record itself."""
        columns = self.columns
        if columns is None:
            yield from self.records()
            return
        for row, span in zip(self.citizens, columns.spans, strict=True):
            if span is None:  # listed again in the citizens table: the record says so
                yield from _slices(iter([row]), [], [], flagged=False)
                continue
            start, end = span
            if row["_id"] is None or not row["_known"] or row.get(_BAD_UTF8):
                yield _citizen_record(row, self.event_dicts(start, end), flagged=False)
            else:
                yield ColumnCitizen(self, row, start, end)

    def event_dicts(self, start: int, end: int) -> list[dict[str, Any]]:
        """The event dicts of rows ``start``–``end``, as :meth:`records` builds them."""
        if self.table is None or start == end:
            return []
        return _event_dicts(self.table.slice(start, end - start))[1]

    def checks(self, key: object, loader: _FastLoader) -> _Checked:
        """What the part's rows are for one vocabulary (its fast loader), worked out once."""
        found = self.checked.get(key)
        if found is None:
            assert self.columns is not None
            found = self.checked[key] = _Checked(self.columns, self.citizens, loader)
        return found


def _spans(citizens: list[dict[str, Any]]) -> tuple[list[tuple[int, int] | None], int]:
    """Each citizens row's event log rows (None for a row listed again, which has none),
    as :func:`~.table_grouping._slices` hands them out; and the rows handed out in all."""
    spans: list[tuple[int, int] | None] = []
    position = 0
    for row in citizens:
        if row["_dup"] is not None and row["_dup"] > 1:
            spans.append(None)
            continue
        end = position + (row["_n"] or 0)
        spans.append((position, end))
        position = end
    return spans, position


class _EventColumns:
    """The event log columns of a part as Python lists, converted a whole column at a time."""

    def __init__(self, spans: list[tuple[int, int] | None]):
        self.spans = spans  # each citizens row's event rows (None: a row listed again)
        self.types: list[str] = []
        self.type_names: list[str] = []  # the part's event types, by their code
        self.type_codes = np.zeros(0, np.int64)
        self.days: list[int] = []
        self.seqs: list[int] | None = None
        # rows i whose next row sorts before it (by day, then seq when there is one)
        self.unordered: list[int] = []
        self.index: list[int] = []  # each row's place among its citizen's rows
        self.owner = np.zeros(0, np.int64)  # each row's citizen (its span's number)
        self.attributes: list[dict[str, Any]] = []  # shared by rows with the same cells
        self.combos: list[dict[str, Any]] = []  # the distinct attribute dicts
        self.combo_codes = np.zeros(0, np.int64)  # each row's attribute dict among them
        self._events: list[Event] | None = None

    @classmethod
    def of(cls, table: pa.Table, citizens: list[dict[str, Any]]) -> _EventColumns | None:
        """The part's columns, or None when one is not plain or the rows are not those of
        the citizens rows (then every citizen of the part is read as a record, which says
        what is wrong)."""
        names = table.schema.names
        if "type" not in names or "date" not in names or len(set(names)) != len(names):
            return None
        kinds, dates = _flat(table.column("type")), _flat(table.column("date"))
        if kinds.null_count or dates.null_count or not pa.types.is_string(kinds.type):
            return None
        if not pa.types.is_date32(dates.type):
            return None
        days = dates.cast(pa.int32()).to_numpy().astype(np.int64) + _EPOCH
        if len(days) and (days.min() < 1 or days.max() > _LAST_DAY):
            return None
        spans, covered = _spans(citizens)
        if not _in_step(table, citizens, spans, covered):
            return None
        columns = cls(spans)
        day_step = days[1:] < days[:-1]
        if "seq" in names:
            seq_column = _flat(table.column("seq"))
            if seq_column.null_count == 0 and _plain_int(seq_column.type):
                seq = seq_column.to_numpy().astype(np.int64)
                same = days[1:] == days[:-1]
                day_step |= same & (seq[1:] < seq[:-1])
                columns.seqs = seq.tolist()
            elif seq_column.null_count != len(seq_column):
                return None  # seq on some rows only, or not integers: the records judge it
        if not columns.read_attributes(table):
            return None
        # one text object per event type, not one per row (a type compares by identity first)
        coded = kinds.dictionary_encode()
        columns.type_codes = coded.indices.to_numpy().astype(np.int64)
        columns.type_names = coded.dictionary.to_pylist()
        type_names = np.array(columns.type_names + [None], dtype=object)
        columns.types = type_names[columns.type_codes].tolist()
        columns.days = days.tolist()
        columns.unordered = np.flatnonzero(day_step).tolist()
        lengths = [s[1] - s[0] for s in spans if s is not None]
        starts = np.repeat(np.asarray([s[0] for s in spans if s is not None], np.int64), lengths)
        owner = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
        rest = table.num_rows - covered  # rows no citizen takes (never read)
        columns.index = np.concatenate(
            [np.arange(covered, dtype=np.int64) - starts, np.zeros(rest, np.int64)]
        ).tolist()
        columns.owner = np.concatenate([owner, np.full(rest, -1, np.int64)])
        return columns

    def read_attributes(self, table: pa.Table) -> bool:
        """Each row's attributes (its filled cells of the attribute columns, in column order,
        as :func:`~.table_grouping.fill_cells` puts them in a row's dict); False when a
        column cannot be dictionary-encoded by Arrow."""
        code = np.zeros(table.num_rows, np.int64)
        width = 1  # how many codes ``code`` can hold
        filled: list[tuple[str, list[Any], np.ndarray]] = []
        for name, column in zip(table.schema.names, table.columns, strict=True):
            column = _flat(column)
            if name in _NOT_ATTRIBUTES or name.startswith("_") or column.null_count == len(column):
                continue
            try:
                encoded = column.dictionary_encode()
            except (pa.ArrowNotImplementedError, pa.ArrowInvalid, pa.ArrowTypeError):
                return False
            # 0 for an empty cell, else 1 + the value's place in the dictionary
            cells = encoded.indices.fill_null(-1).to_numpy().astype(np.int64) + 1
            size = len(encoded.dictionary) + 1
            if width * size >= _CODE_LIMIT:  # renumber the combinations so far, densely
                _, code = np.unique(code, return_inverse=True)
                width = int(code.max()) + 1 if len(code) else 1
            code = code * size + cells
            width *= size
            if pa.types.is_dictionary(column.type):
                # a dictionary column of the file: its values as they are, as the records
                # path reads a column that is not text (no "2" → 2 as for CSV text)
                values = encoded.dictionary.to_pylist()
            else:
                values = _event_column(name, encoded.dictionary)
            filled.append((name, values, cells))
        _, first, inverse = np.unique(code, return_index=True, return_inverse=True)
        self.combos = [
            {name: values[cells[row] - 1] for name, values, cells in filled if cells[row]}
            for row in first.tolist()
        ]
        self.combo_codes = inverse.astype(np.int64).reshape(-1)
        shared = np.empty(len(self.combos), dtype=object)
        for number, combo in enumerate(self.combos):
            shared[number] = combo
        self.attributes = shared[self.combo_codes].tolist()
        return True

    def events(self, start: int, end: int) -> tuple[Event, ...]:
        """The events of rows ``start``–``end`` (one citizen), in history order."""
        if self._events is None:
            seqs: Sequence[int | None] | repeat[None] = (
                repeat(None) if self.seqs is None else self.seqs
            )
            # every row's Event in one map: a citizen's are a slice of them
            self._events = list(
                map(Event, self.types, self.days, self.attributes, self.index, seqs)
            )
        events = self._events[start:end]
        # a row out of order among this citizen's rows (the last row's step is the next
        # citizen's): sort as the loaders do, by day and seq, else by day alone (stable)
        if self.out_of_order(start, end):
            events.sort(key=_day_of_event if self.seqs is None else _seq_order)
        return tuple(events)

    def out_of_order(self, start: int, end: int) -> bool:
        """Whether some row of ``start``–``end`` sorts before the row above it."""
        first = bisect.bisect_left(self.unordered, start)
        return first < len(self.unordered) and self.unordered[first] < end - 1


def _in_step(
    table: pa.Table,
    citizens: list[dict[str, Any]],
    spans: list[tuple[int, int] | None],
    covered: int,
) -> bool:
    """Whether each citizens row's span of event rows holds its id and no other (as
    :func:`~.table_grouping._slices` asserts row by row), compared as whole columns."""
    if covered > table.num_rows:
        return False
    cids = [row["_id"] for row, span in zip(citizens, spans, strict=True) if span is not None]
    if not all(cid is None or type(cid) is str for cid in cids):
        return False
    lengths = [s[1] - s[0] for s in spans if s is not None]
    wanted = pa.array(cids, pa.string()).take(
        np.repeat(np.arange(len(cids), dtype=np.int64), lengths)
    )
    ids = _flat(table.column("citizen_id")).cast(pa.string()).slice(0, covered)
    return bool(ids.equals(wanted))


class _Checked:
    """What the rows of a part are for one vocabulary: the rows that are not plainly valid,
    the end events with no open period, and the citizens' loaded facts."""

    def __init__(self, columns: _EventColumns, citizens: list[dict[str, Any]], loader: _FastLoader):
        self.columns, self.loader = columns, loader
        self.bad = _bad_rows(columns, loader)
        self.orphans = _orphan_rows(columns, loader)
        fact_names = [
            name
            for name in (citizens[0] if citizens else {})
            if not name.startswith("_") and name not in ("citizen_id", "birth_date")
        ]
        self.fact_cells: Callable[[dict[str, Any]], object] = (
            operator.itemgetter(*fact_names) if fact_names else _no_facts
        )
        self.facts_of: dict[object, dict[str, object] | None] = {}

    def plain(self, start: int, end: int) -> bool:
        """Whether every row of ``start``–``end`` is plainly valid."""
        return not _any_in(self.bad, start, end)

    def orphan(self, start: int, end: int, events: tuple[Event, ...]) -> bool:
        """Whether an end event of these rows has no open period of its kind and key."""
        if self.orphans is None or self.columns.out_of_order(start, end):
            return self.loader.orphan(events)  # in history order, one citizen at a time
        return _any_in(self.orphans, start, end)

    def facts(self, row: dict[str, Any]) -> dict[str, object] | None:
        """The loaded facts of a citizens row, or None when they are not plainly valid;
        one dict for every row with the same fact cells."""
        cells = self.fact_cells(row)
        try:
            found = self.facts_of.get(cells, _UNSEEN)
        except TypeError:  # a cell that is no dict key (a list): no sharing
            return _load_facts(self.loader, row)
        if found is _UNSEEN:
            found = self.facts_of[cells] = _load_facts(self.loader, row)
        return found


_UNSEEN: Any = object()


def _no_facts(row: dict[str, Any]) -> object:
    return ()


def _load_facts(loader: _FastLoader, row: dict[str, Any]) -> dict[str, object] | None:
    facts = row_facts(row)
    try:
        if facts:
            msgspec.convert(facts, loader.facts_type, strict=True)
    except (msgspec.MsgspecError, ValueError, TypeError):
        return None
    return loader.load_facts(facts or None)


def _any_in(rows: list[int], start: int, end: int) -> bool:
    """Whether a sorted list of row numbers has one in ``start``–``end``."""
    first = bisect.bisect_left(rows, start)
    return first < len(rows) and rows[first] < end


def _bad_rows(columns: _EventColumns, loader: _FastLoader) -> list[int]:
    """The rows (sorted) whose type and attributes are not plainly valid for the loader's
    vocabulary: each distinct (type, attributes) of the part checked once by msgspec, and
    by the checks msgspec cannot make (text in NFC, an attribute required when another has
    a value)."""
    width = max(len(columns.combos), 1)
    pairs = columns.type_codes * width + columns.combo_codes
    _, first, inverse = np.unique(pairs, return_index=True, return_inverse=True)
    rows = [(columns.types[row], columns.attributes[row]) for row in first.tolist()]
    if _plain_rows(loader, rows):
        return []
    ok = np.fromiter((_plain_rows(loader, [row]) for row in rows), bool, len(rows))
    return np.flatnonzero(~ok[inverse.reshape(-1)]).tolist()  # type: ignore[no-any-return]


def _plain_rows(loader: _FastLoader, rows: list[tuple[str, dict[str, Any]]]) -> bool:
    try:
        msgspec.convert({"rows": rows}, loader.rows_type, strict=True)
    except (msgspec.MsgspecError, ValueError, TypeError, RecursionError):
        return False
    extra = loader.extra
    return all(check(values) for kind, values in rows if (check := extra.get(kind)) is not None)


def _orphan_rows(columns: _EventColumns, loader: _FastLoader) -> list[int] | None:
    """The end events (rows, sorted) with no open period of their kind and key, each
    citizen's rows read in the order they come (right for a citizen whose rows are in
    history order; :meth:`_Checked.orphan` reads the others one at a time); None when a
    key's values cannot be told apart as dict keys.

    As :meth:`~lovregler.history.fast._FastLoader.orphan`: a start opens its (kind, key)
    (again: no change), an end closes it; an end whose (kind, key) is not open is an
    orphan. So an end is an orphan exactly when the row before it of the same citizen,
    kind and key is not a start (or there is none)."""
    kinds: dict[int, tuple[list[str], list[str], str | None]] = {}
    for kind, roles in loader.roles.items():
        for number, starting, key in roles:
            starts, ends, _ = kinds.setdefault(number, ([], [], key))
            (starts if starting else ends).append(kind)
    code_of = {kind: code for code, kind in enumerate(columns.type_names)}
    found = np.zeros(len(columns.days), bool)
    for starts, ends, key in kinds.values():
        start_codes = [code_of[kind] for kind in starts if kind in code_of]
        end_codes = [code_of[kind] for kind in ends if kind in code_of]
        if not end_codes:
            continue
        is_start = np.isin(columns.type_codes, start_codes)
        rows = np.flatnonzero(is_start | np.isin(columns.type_codes, end_codes))
        keys = _key_codes(columns, key)
        if keys is None:
            return None
        owner, value = columns.owner[rows], keys[rows]
        rows = rows[np.lexsort((rows, value, owner))]
        owner, value, opens = columns.owner[rows], keys[rows], is_start[rows]
        new_group = np.ones(len(rows), bool)
        new_group[1:] = (owner[1:] != owner[:-1]) | (value[1:] != value[:-1])
        after_start = np.zeros(len(rows), bool)
        after_start[1:] = opens[:-1]
        found[rows[~opens & (new_group | ~after_start)]] = True
    return np.flatnonzero(found).tolist()  # type: ignore[no-any-return]


def _key_codes(columns: _EventColumns, key: str | None) -> np.ndarray | None:
    """Each row's value of a period kind's key attribute as a number (equal values, as dict
    keys, get equal numbers; absent is a value too), or None when a value is no dict key."""
    if key is None:
        return np.zeros(len(columns.days), np.int64)
    number: dict[object, int] = {}
    try:
        per_combo = [number.setdefault(combo.get(key), len(number)) for combo in columns.combos]
    except TypeError:
        return None
    return np.asarray(per_combo + [0], np.int64)[columns.combo_codes]


def _plain_int(kind: pa.DataType) -> bool:
    """An integer type whose every value a loader takes as a seq (a signed 64-bit int)."""
    return pa.types.is_signed_integer(kind) or kind in (pa.uint8(), pa.uint16(), pa.uint32())


class ColumnCitizen:
    """One citizen of a :class:`PartRows` whose history may be built from the columns."""

    __slots__ = ("part", "row", "start", "end")

    def __init__(self, part: PartRows, row: dict[str, Any], start: int, end: int):
        self.part, self.row, self.start, self.end = part, row, start, end

    @property
    def citizen_id(self) -> str:
        """The citizen's id (text: the grouping casts every id to text)."""
        return str(self.row["_id"])

    def record(self) -> RawRecord:
        """The citizen as :meth:`PartRows.records` gives it."""
        return _citizen_record(self.row, self.part.event_dicts(self.start, self.end), flagged=False)

    def histories(self, vocabularies: Sequence[tuple[object, Any]]) -> dict[object, History] | None:
        """The history per vocabulary (``(key, anything with .vocabulary)``), or None when
        one is not plainly valid: then :meth:`record` is loaded the usual way."""
        part, row, start, end = self.part, self.row, self.start, self.end
        cid = row["_id"]
        if type(cid) is not str or not (cid.isascii() or valid_id(cid) is not None):
            return None
        birth_day = _plain_day(_date_text(row.get("birth_date")))
        if birth_day is None:
            return None
        assert part.columns is not None
        events: tuple[Event, ...] | None = None
        out: dict[object, History] = {}
        for key, holder in vocabularies:
            checked = part.checks(key, fast_loader(holder.vocabulary))
            if not checked.plain(start, end):
                return None
            facts = checked.facts(row)
            if facts is None:
                return None
            if events is None:
                events = part.columns.events(start, end)
            if checked.orphan(start, end, events):
                return None
            out[key] = History(cid, birth_day, facts, events, ())
        return out
