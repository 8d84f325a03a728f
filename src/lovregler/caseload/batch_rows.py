"""The output tables of a batch: their schemas, and a chunk's result entries as their columns.

A result's obligations, rights and values become rows (contract §2) with day numbers for
dates; :class:`_Rows` holds them column by column until the chunk is turned into Arrow
tables.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Sequence
from typing import Any

import pyarrow as pa

from ..results import Status

#: The output tables, in the order they are written.
TABLES = ("citizens", "obligations", "rights", "values", "errors")
#: Every status of an obligation instance, from the one :class:`~lovregler.results.Status`
#: enum, in alphabetical order: the order of the ``n_<status>`` columns of ``citizens`` and
#: of the report's status columns.
STATUSES: tuple[str, ...] = tuple(sorted(status.value for status in Status))


# ---------------------------------------------------------------- output schemas


def schemas(explain: bool = False) -> dict[str, pa.Schema]:
    """The schema of every output table (``explanation`` columns only when ``explain``)."""
    text, date = pa.string(), pa.date32()
    entry = [
        ("citizen_id", text),
        ("ruleset", text),
        ("version", text),
        ("rule", text),
        ("title", text),
    ]
    tail = [("citation", text)] + ([("explanation", pa.list_(text))] if explain else [])
    counts = [(f"n_{name}", pa.int32()) for name in ("obligations", "rights", "values", "errors")]
    counts += [(f"n_{status}", pa.int32()) for status in STATUSES]
    return {
        "citizens": pa.schema([("citizen_id", text), ("status", text), *counts]),
        "obligations": pa.schema(
            [
                *entry,
                ("holder", text),
                ("trigger", date),
                ("due", date),
                ("status", text),
                ("fulfilled_on", date),
                ("days_late", pa.int32()),
                ("as_of", date),
                # created by a declared transition (catalogue §0 Versions): counted apart
                ("transition", pa.bool_()),
                *tail,
            ]
        ),
        "rights": pa.schema([*entry, ("from", date), ("until", date), *tail]),
        "values": pa.schema(
            [
                *entry,
                ("from", date),
                ("until", date),
                ("value", pa.float64()),
                ("value_json", text),
                *tail,
            ]
        ),
        "errors": pa.schema(
            [
                ("citizen_id", text),
                ("ruleset", text),
                ("stage", text),
                ("event", pa.int32()),
                ("field", text),
                ("message", text),
            ]
        ),
    }


class _Rows:
    """Column lists for every output table of one chunk."""

    def __init__(self, explain: bool):
        self.schemas = schemas(explain)
        self.cols: dict[str, dict[str, list[Any]]] = {
            t: {name: [] for name in s.names} for t, s in self.schemas.items()
        }
        # (column name, its list's append) per table: add() runs for every output row
        self.appends = {
            t: [(name, values.append) for name, values in cols.items()]
            for t, cols in self.cols.items()
        }

    def add(self, table: str, row: dict[str, Any]) -> None:
        get = row.get
        for name, append in self.appends[table]:
            append(get(name))

    def tables(self) -> dict[str, pa.Table]:
        out = {}
        for table, schema in self.schemas.items():
            arrays = [_array(self.cols[table][f.name], f.type) for f in schema]
            out[table] = pa.Table.from_arrays(arrays, schema=schema)
        return out


_EPOCH = datetime.date(1970, 1, 1).toordinal()


def _array(values: list[Any], type_: pa.DataType) -> pa.Array:
    if pa.types.is_date32(type_):  # rows hold day numbers (date.toordinal())
        days = [None if v is None else v - _EPOCH for v in values]
        return pa.array(days, pa.int32()).cast(pa.date32())
    try:
        return pa.array(values, type_)
    except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeEncodeError):
        # Text from a history (a message quoting a value) may hold a lone surrogate, which
        # no UTF-8 column can: escape it rather than lose the chunk.
        return pa.array(_escaped(values), type_)


def _escaped(value: Any) -> Any:
    """``value`` with every string made encodable (lone surrogates as ``\\udXXX``)."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, list):
        return [_escaped(v) for v in value]
    return value


def _days_late(entry: dict[str, Any], as_of: int) -> int | None:
    """fulfilled_on − due when met late, as_of − due when overdue, else None."""
    if entry["status"] == "fulfilled_late" and entry["fulfilled_on"] is not None:
        return int(entry["fulfilled_on"] - entry["due"])
    if entry["status"] == "overdue":
        return as_of - int(entry["due"])
    return None


# ---------------------------------------------------------------- result entries as rows

_NO_END = 10**9  # results use a far-future day number for an open end (timecalc.INF)


def _entries(result: Any, explain: bool) -> tuple[list[dict], list[dict], list[dict]]:
    """A result's obligations, rights and values as row dicts with day-number dates.

    A :class:`lovregler.results.Result` is read field by field, which skips the ISO text
    and the Danish explanations that ``to_dict()`` builds (unless ``explain``); any other
    result object is read through its ``to_dict()`` (contract §2).
    """
    from ..results import Result

    if isinstance(result, Result):
        return (
            [_obligation(o, explain) for o in result.obligations],
            [_period(r, explain) for r in result.rights],
            [{**_period(v, explain), **_value(v.value)} for v in result.values],
        )
    data = result.to_dict()
    return (
        [
            _from_dict(e, ("trigger", "due", "fulfilled_on"), explain)
            for e in data.get("obligations", ())
        ],
        [_from_dict(e, ("from", "until"), explain) for e in data.get("rights", ())],
        [
            {**_from_dict(e, ("from", "until"), explain), **_value(e.get("value"))}
            for e in data.get("values", ())
        ],
    )


def _obligation(o: Any, explain: bool) -> dict[str, Any]:
    rule = o.rule
    return {
        "rule": rule.id,
        "title": rule.title,
        "holder": rule.holder,
        "version": o.version,
        "trigger": o.trigger_day,
        "due": o.due_day,
        "status": o.status,
        "fulfilled_on": o.fulfilled_day,
        "transition": o.transition,
        "citation": rule.citation,
        "explanation": list(o.explanation) if explain else None,
    }


def _period(entry: Any, explain: bool) -> dict[str, Any]:
    rule = entry.rule
    return {
        "rule": rule.id,
        "title": rule.title,
        "version": entry.version,
        "from": entry.start_day,
        "until": entry.until_day if entry.until_day < _NO_END else None,
        "citation": rule.citation,
        "explanation": list(entry.explanation) if explain else None,
    }


def _value(value: Any) -> dict[str, Any]:
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    return {
        "value": float(value) if numeric else None,
        "value_json": json.dumps(value, ensure_ascii=False),
    }


def _from_dict(entry: dict[str, Any], dates: Sequence[str], explain: bool) -> dict[str, Any]:
    row = {**entry, "explanation": list(entry.get("explanation") or ()) if explain else None}
    row["transition"] = bool(entry.get("transition", False))  # obligations only; absent = false
    for name in dates:
        text = entry.get(name)
        row[name] = datetime.date.fromisoformat(text).toordinal() if text else None
    return row
