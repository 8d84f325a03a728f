"""A part of a grouped event log read once, and its citizens' histories built straight from
the event log's columns, without a dict per event, when every cell is plainly valid.

:func:`read_part` reads a :class:`~lovregler.caseload.tables.TablePart` as a :class:`PartRows`.
Its :meth:`~PartRows.records` are the records the batch always read (one contract dict per
citizen, events as dicts). Its :meth:`~PartRows.citizens` give the same citizens, each as a
:class:`ColumnCitizen` where the part's event columns are plain (text types, Arrow dates
without gaps, integer ``seq``, no cell that was not UTF-8): its history is built from whole
columns converted once per part — day numbers by NumPy, each row's attributes a dict of
the attribute columns only, every row of the part checked by one ``msgspec`` call per
vocabulary. Whatever that path does not take as plainly valid (a row msgspec refuses, text
not NFC, an orphaned end event, an odd birth date) makes the citizen a record again
(:meth:`ColumnCitizen.record`, the very record :meth:`~PartRows.records` gives), loaded as
before: so this decides speed only, never a history or an error.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Sequence
from itertools import repeat
from pathlib import Path
from typing import Any

import msgspec
import numpy as np
import pyarrow as pa

from ..history import Event, History, valid_id
from ..history.event import _day_of_event
from ..history.fast import _FastLoader, _plain_day, _seq_order, fast_loader
from .table_grouping import (
    TablePart,
    _citizen_record,
    _date_text,
    _event_dicts,
    _flat,
    _read_rows,
    _rows,
    _slices,
    fill_cells,
    row_facts,
)
from .table_records import _BAD_UTF8, RawRecord

_EPOCH = 719_163  # datetime.date(1970, 1, 1).toordinal(): Arrow's day 0
_LAST_DAY = 3_652_059  # datetime.date(9999, 12, 31).toordinal(): the last ISO date
_NOT_ATTRIBUTES = frozenset({"citizen_id", "file_row_number", "type", "date", "seq", _BAD_UTF8})


def read_part(part: TablePart) -> PartRows:
    """A part's rows, read once: the citizens rows, and the event log rows as one table."""
    citizens = list(_rows(_read_rows(Path(part.citizens), *part.citizen_rows)))
    batches = list(_read_rows(Path(part.events), *part.event_rows))
    table = pa.Table.from_batches(batches).combine_chunks() if batches else None
    return PartRows(citizens, table)


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
        # Ids compare as text: a warehouse may export them as integers in one table only.
        self.ids: list[object] = (
            [] if table is None else _flat(table.column("citizen_id")).cast(pa.string()).to_pylist()
        )
        self.columns = None if table is None or self.flagged else _EventColumns.of(table)
        self.checked: dict[object, bool] = {}  # per vocabulary key: every row plainly valid

    def records(self) -> Iterator[RawRecord]:
        """One :class:`RawRecord` per citizens row, events as dicts (contract §1)."""
        if self.table is None:
            return _slices(iter(self.citizens), [], [], flagged=False)
        _, events = _event_dicts(self.table)
        return _slices(iter(self.citizens), self.ids, events, flagged=self.flagged)

    def citizens_of_part(self) -> Iterator[RawRecord | ColumnCitizen]:
        """The citizens of :meth:`records`, in the same order: a :class:`ColumnCitizen`
        where its rows may be read from the columns, else the record itself."""
        if self.columns is None:
            yield from self.records()
            return
        position = 0
        for row in self.citizens:
            cid = row["_id"]
            if row["_dup"] is not None and row["_dup"] > 1:
                yield from _slices(iter([row]), [], [], flagged=False)
                continue
            end = position + (row["_n"] or 0)
            if self.ids[position:end] != [cid] * (end - position):
                raise RuntimeError(f"hændelsesloggen er ude af trit ved {cid!r}")  # a bug
            if cid is None or not row["_known"] or row.get(_BAD_UTF8):
                yield _citizen_record(row, self.event_dicts(position, end), flagged=False)
            else:
                yield ColumnCitizen(self, row, position, end)
            position = end

    def event_dicts(self, start: int, end: int) -> list[dict[str, Any]]:
        """The event dicts of rows ``start``–``end``, as :meth:`records` builds them."""
        if self.table is None or start == end:
            return []
        return _event_dicts(self.table.slice(start, end - start))[1]

    def plain(self, key: object, loader: _FastLoader) -> bool:
        """Whether every row of the part is plainly valid for a vocabulary (its fast loader):
        each row's type and attributes as msgspec checks them, and the checks it cannot
        make (text in NFC, an attribute required when another has a value)."""
        found = self.checked.get(key)
        if found is None:
            found = self.checked[key] = self.columns is not None and self.columns.valid(loader)
        return found


class _EventColumns:
    """The event log columns of a part as Python lists, converted a whole column at a time."""

    def __init__(
        self,
        types: list[str],
        days: list[int],
        seqs: list[int] | None,
        attributes: list[dict[str, Any]],
        unordered: list[int],
    ):
        self.types, self.days, self.seqs, self.attributes = types, days, seqs, attributes
        # rows i whose next row sorts before it (by day, then seq when there is one)
        self.unordered = unordered

    @classmethod
    def of(cls, table: pa.Table) -> _EventColumns | None:
        """The part's columns, or None when one is not plain (then every citizen of the part
        is read as a record)."""
        names = table.schema.names
        if "type" not in names or "date" not in names:
            return None
        kinds, dates = _flat(table.column("type")), _flat(table.column("date"))
        if kinds.null_count or dates.null_count or not pa.types.is_string(kinds.type):
            return None
        if not pa.types.is_date32(dates.type):
            return None
        days = dates.cast(pa.int32()).to_numpy().astype(np.int64) + _EPOCH
        if len(days) and (days.min() < 1 or days.max() > _LAST_DAY):
            return None
        seqs = None
        day_step = days[1:] < days[:-1]
        if "seq" in names:
            column = _flat(table.column("seq"))
            if column.null_count == 0 and _plain_int(column.type):
                seq = column.to_numpy().astype(np.int64)
                same = days[1:] == days[:-1]
                day_step |= same & (seq[1:] < seq[:-1])
                seqs = seq.tolist()
            elif column.null_count != len(column):
                return None  # seq on some rows only, or not integers: the records judge it
        # one text object per event type, not one per row (a type compares by identity first)
        coded = kinds.dictionary_encode()
        names = np.array(coded.dictionary.to_pylist() + [None], dtype=object)
        return cls(
            names[coded.indices.to_numpy()].tolist(),
            days.tolist(),
            seqs,
            _attribute_dicts(table),
            np.flatnonzero(day_step).tolist(),
        )

    def valid(self, loader: _FastLoader) -> bool:
        """Every row plainly valid for the loader's vocabulary."""
        rows = list(zip(self.types, self.attributes, strict=True))
        try:
            msgspec.convert({"rows": rows}, loader.rows_type, strict=True)
        except (msgspec.MsgspecError, ValueError, TypeError, RecursionError):
            return False
        extra = loader.extra
        if not extra:
            return True
        return all(check(values) for kind, values in rows if (check := extra.get(kind)) is not None)

    def events(self, start: int, end: int) -> tuple[Event, ...]:
        """The events of rows ``start``–``end`` (one citizen), in history order."""
        seqs: Sequence[int | None] | repeat[None] = (
            repeat(None) if self.seqs is None else self.seqs[start:end]
        )
        events = list(
            map(
                Event,
                self.types[start:end],
                self.days[start:end],
                self.attributes[start:end],
                range(end - start),
                seqs,
            )
        )
        # a row out of order among this citizen's rows (the last row's step is the next
        # citizen's): sort as the loaders do, by day and seq, else by day alone (stable)
        first = bisect.bisect_left(self.unordered, start)
        if first < len(self.unordered) and self.unordered[first] < end - 1:
            events.sort(key=_day_of_event if self.seqs is None else _seq_order)
        return tuple(events)


def _plain_int(kind: pa.DataType) -> bool:
    """An integer type whose every value a loader takes as a seq (a signed 64-bit int)."""
    return pa.types.is_signed_integer(kind) or kind in (pa.uint8(), pa.uint16(), pa.uint32())


def _attribute_dicts(table: pa.Table) -> list[dict[str, Any]]:
    """Each row's attributes (its filled cells of the attribute columns), in column order,
    converted a column at a time (:func:`~.table_grouping.fill_cells`)."""
    rows = table.num_rows
    out: list[dict[str, Any]] = [{} for _ in range(rows)]
    for name, column in zip(table.schema.names, table.columns, strict=True):
        if name in _NOT_ATTRIBUTES or name.startswith("_"):
            continue
        fill_cells(out, name, column)
    return out


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
        part, row = self.part, self.row
        cid = row["_id"]
        if type(cid) is not str or not (cid.isascii() or valid_id(cid) is not None):
            return None
        birth_day = _plain_day(_date_text(row.get("birth_date")))
        if birth_day is None:
            return None
        facts = row_facts(row)
        assert part.columns is not None
        events: tuple[Event, ...] | None = None
        out: dict[object, History] = {}
        for key, holder in vocabularies:
            loader = fast_loader(holder.vocabulary)
            if not part.plain(key, loader):
                return None
            try:
                if facts:
                    msgspec.convert(facts, loader.facts_type, strict=True)
            except (msgspec.MsgspecError, ValueError, TypeError):
                return None
            loaded_facts = loader.load_facts(facts or None)
            if events is None:
                events = part.columns.events(self.start, self.end)
            if loaded_facts is None or loader.orphan(events):
                return None
            out[key] = History(cid, birth_day, loaded_facts, events, ())
        return out
