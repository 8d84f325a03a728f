"""The output tables of a batch: their schemas, and a chunk's results as their columns.

A result's obligations, rights and values become rows (contract §2). :class:`_Rows` keeps
the result entries of a whole chunk as they are and builds each output column in one go at
the end: a rule's id, title, holder and citation are taken from a small table of the
chunk's rules by index, dates are shifted and typed as whole Arrow arrays, and the per-
citizen counts are summed by NumPy. Nothing is built per row that a column can build once.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..results import Result, Status

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
    """The output rows of one chunk: citizens, result entries and errors, as columns.

    A citizen's entries and errors are added first (:meth:`result`, :meth:`error`), then
    its ``citizens`` row (:meth:`citizen`), whose position (the *owner* of those entries)
    is the number of citizens added before it.
    """

    def __init__(self, explain: bool, as_of: int):
        self.explain, self.as_of = explain, as_of
        self.schemas = schemas(explain)
        self.citizen_ids: list[str] = []
        self.errors: list[dict[str, Any]] = []
        self.error_owners: list[int] = []
        self.entries = {name: _Entries() for name in ("obligations", "rights", "values")}

    @property
    def owner(self) -> int:
        """The position of the citizen whose rows are being added."""
        return len(self.citizen_ids)

    def result(self, ruleset: str, result: Any) -> None:
        """Every obligation, right and value of one result, for the current citizen.

        A :class:`lovregler.results.Result` is kept as it is (its entries are read when the
        columns are built, skipping the ISO text and Danish explanations of ``to_dict()``
        unless ``explain``); any other result object is read through its ``to_dict()``
        (contract §2).
        """
        name = getattr(result, "ruleset", None) or ruleset
        if isinstance(result, Result):
            parts: Iterable[tuple[str, Sequence[Any]]] = (
                ("obligations", result.obligations),
                ("rights", result.rights),
                ("values", result.values),
            )
        else:
            parts = _from_dict(result.to_dict())
        for table, items in parts:
            if items:
                self.entries[table].add(self.owner, name, items, self.explain)

    def error(self, row: dict[str, Any]) -> None:
        """An ``errors`` row for the current citizen."""
        self.errors.append(row)
        self.error_owners.append(self.owner)

    def citizen(self, citizen_id: str) -> None:
        """The current citizen's ``citizens`` row (its counts are summed in :meth:`tables`)."""
        self.citizen_ids.append(citizen_id)

    def tables(self) -> dict[str, pa.Table]:
        """The chunk's rows as one Arrow table per output table."""
        ids = _array(self.citizen_ids, pa.string())
        columns = {
            "citizens": self.citizen_columns(ids),
            "obligations": self.entries["obligations"].obligation_columns(ids, self.as_of),
            "rights": self.entries["rights"].period_columns(ids),
            "values": self.entries["values"].value_columns(ids),
            "errors": {
                name: [row.get(name) for row in self.errors]
                for name in self.schemas["errors"].names
            },
        }
        if self.explain:
            for table in ("obligations", "rights", "values"):
                columns[table]["explanation"] = self.entries[table].explanations
        return {
            table: pa.Table.from_arrays(
                [_as_array(columns[table][f.name], f.type) for f in schema], schema=schema
            )
            for table, schema in self.schemas.items()
        }

    def citizen_columns(self, ids: pa.Array) -> dict[str, Any]:
        """``citizens``: id, ok/error, and how many entries, errors and statuses each has."""
        n = len(self.citizen_ids)
        errors = np.bincount(np.asarray(self.error_owners, np.int64), minlength=n)
        columns: dict[str, Any] = {
            "citizen_id": ids,
            "status": pa.array(np.where(errors > 0, "error", "ok").tolist(), pa.string()),
            "n_errors": errors,
        }
        for table, entries in self.entries.items():
            columns[f"n_{table}"] = np.bincount(entries.owner_array(), minlength=n)
        obligations = self.entries["obligations"]
        codes = obligations.status_codes()
        owners = obligations.owner_array()
        for code, status in enumerate(STATUSES):
            columns[f"n_{status}"] = np.bincount(owners[codes == code], minlength=n)
        return columns


class _Entries:
    """The result entries of one kind (obligations, rights or values) of a chunk, with the
    citizen (owner) and ruleset of each."""

    def __init__(self) -> None:
        self.items: list[Any] = []
        self.owners: list[int] = []
        self.rulesets: list[str] = []
        self.explanations: list[list[str]] = []

    def add(self, owner: int, ruleset: str, items: Sequence[Any], explain: bool) -> None:
        n = len(items)
        self.items.extend(items)
        self.owners.extend([owner] * n)
        self.rulesets.extend([ruleset] * n)
        if explain:  # here, where a failing explanation is the citizen's error
            self.explanations.extend([list(item.explanation) for item in items])

    def owner_array(self) -> np.ndarray:
        return np.asarray(self.owners, np.int64)

    def status_codes(self) -> np.ndarray:
        """Each obligation's status as its index in :data:`STATUSES` (another: -1)."""
        statuses = _Interned([o.status for o in self.items])
        code = {status: i for i, status in enumerate(STATUSES)}
        table = np.asarray([code.get(s, -1) for s in statuses.distinct] + [-1], np.int64)
        return table[np.asarray(statuses.indices, np.int64)]

    def common_columns(self, ids: pa.Array, rules: _Interned) -> dict[str, Any]:
        """Citizen, ruleset, version and the rule's id, title and citation."""
        owners = pa.array(self.owners, pa.int64())
        return {
            "citizen_id": ids.take(owners),
            "ruleset": self.rulesets,
            "version": [item.version for item in self.items],
            "rule": rules.column(_rule_id),
            "title": rules.column(_rule_title),
            "citation": rules.column(_rule_citation),
        }

    def obligation_columns(self, ids: pa.Array, as_of: int) -> dict[str, Any]:
        items = self.items
        rules = _Interned([o.rule for o in items], by_identity=True)
        columns = self.common_columns(ids, rules)
        columns["holder"] = rules.column(_rule_holder)
        due = _days([o.due_day for o in items])
        fulfilled = _days([o.fulfilled_day for o in items])
        status = _Interned([o.status for o in items]).column()
        late = pc.if_else(
            pc.equal(status, "fulfilled_late"),
            pc.subtract(fulfilled, due),
            pc.if_else(
                pc.equal(status, "overdue"),
                pc.subtract(pa.scalar(as_of, pa.int64()), due),
                pa.scalar(None, pa.int64()),
            ),
        )
        columns.update(
            trigger=_dates(_days([o.trigger_day for o in items])),
            due=_dates(due),
            status=status,
            fulfilled_on=_dates(fulfilled),
            days_late=late.cast(pa.int32()),
            as_of=_dates(pa.array([as_of] * len(items), pa.int64())),
            transition=[bool(o.transition) for o in items],
        )
        return columns

    def period_columns(self, ids: pa.Array) -> dict[str, Any]:
        rules = _Interned([item.rule for item in self.items], by_identity=True)
        columns = self.common_columns(ids, rules)
        until = _days([item.until_day for item in self.items])
        open_end = pc.greater_equal(until, pa.scalar(_NO_END, pa.int64()))
        columns.update(
            {
                "from": _dates(_days([item.start_day for item in self.items])),
                "until": _dates(pc.if_else(open_end, pa.scalar(None, pa.int64()), until)),
            }
        )
        return columns

    def value_columns(self, ids: pa.Array) -> dict[str, Any]:
        columns = self.period_columns(ids)
        values = [item.value for item in self.items]
        columns["value"] = [_number(v) for v in values]
        columns["value_json"] = [json.dumps(v, ensure_ascii=False) for v in values]
        return columns


class _Interned:
    """The distinct values of a column with few of them (a rule, a status), and each row's
    index among them: the column is built from the distinct values, then taken by index."""

    def __init__(self, values: Sequence[Any], by_identity: bool = False):
        keys = list(map(id, values)) if by_identity else values
        index: dict[Any, int] = {}
        setdefault = index.setdefault
        self.indices = [setdefault(key, len(index)) for key in keys]
        # first appearance order, as in ``index``; by identity, the values are kept alive
        # by the caller's rows, so an id is not reused meanwhile
        self.distinct = list(dict(zip(keys, values, strict=True)).values())
        self.positions = pa.array(self.indices, pa.int64())

    def column(self, field: Callable[[Any], Any] | None = None) -> pa.Array:
        """A text column: each row's value, or ``field`` of it."""
        if field is None:
            return _array(self.distinct, pa.string()).take(self.positions)
        return _array([field(value) for value in self.distinct], pa.string()).take(self.positions)


def _rule_id(rule: Any) -> Any:
    return rule.id


def _rule_title(rule: Any) -> Any:
    return rule.title


def _rule_citation(rule: Any) -> Any:
    return rule.citation


def _rule_holder(rule: Any) -> Any:
    return rule.holder


_EPOCH = datetime.date(1970, 1, 1).toordinal()
_NO_END = 10**9  # results use a far-future day number for an open end (timecalc.INF)


def _days(values: list[int | None]) -> pa.Array:
    """Day numbers (``date.toordinal()``, None for none) as an Arrow array."""
    return pa.array(values, pa.int64())


def _dates(days: pa.Array) -> pa.Array:
    """Day numbers as an Arrow date column."""
    return pc.subtract(days, pa.scalar(_EPOCH, pa.int64())).cast(pa.int32()).cast(pa.date32())


def _number(value: Any) -> float | None:
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    return float(value) if numeric else None


def _as_array(values: Any, type_: pa.DataType) -> pa.Array:
    if isinstance(values, pa.Array):
        return values
    if isinstance(values, np.ndarray):  # counts
        return pa.array(values.astype(np.int32), pa.int32())
    return _array(values, type_)


def _array(values: list[Any], type_: pa.DataType) -> pa.Array:
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


# ---------------------------------------------------------------- results read through to_dict()


class _DictRule(NamedTuple):
    id: Any
    title: Any
    holder: Any
    citation: Any


class _DictEntry(NamedTuple):
    """An entry of a ``to_dict()`` result, with the fields a :class:`Result`'s entries have."""

    rule: _DictRule
    version: Any
    trigger_day: int | None = None
    due_day: int | None = None
    status: Any = None
    fulfilled_day: int | None = None
    transition: bool = False
    start_day: int | None = None
    until_day: int | None = None
    value: Any = None
    explanation: list[str] = []


def _from_dict(data: dict[str, Any]) -> list[tuple[str, list[_DictEntry]]]:
    """A contract §2 result dict's entries, dates as day numbers."""
    return [
        (table, [_dict_entry(e) for e in data.get(table, ())])
        for table in ("obligations", "rights", "values")
    ]


def _dict_entry(entry: dict[str, Any]) -> _DictEntry:
    def day(name: str) -> int | None:
        text = entry.get(name)
        return datetime.date.fromisoformat(text).toordinal() if text else None

    until = day("until")
    return _DictEntry(
        _DictRule(
            entry.get("rule"), entry.get("title"), entry.get("holder"), entry.get("citation")
        ),
        entry.get("version"),
        trigger_day=day("trigger"),
        due_day=day("due"),
        status=entry.get("status"),
        fulfilled_day=day("fulfilled_on"),
        transition=bool(entry.get("transition", False)),  # obligations only; absent = false
        start_day=day("from"),
        until_day=_NO_END if until is None else until,
        value=entry.get("value"),
        explanation=list(entry.get("explanation") or ()),
    )
