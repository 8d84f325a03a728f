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
from collections.abc import Callable, Sequence
from itertools import chain, repeat
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
    """The schema of every output table (``explanation`` columns only when ``explain``),
    as a reader of the Parquet files sees it."""
    text, date = pa.string(), pa.date32()
    entry = [
        ("citizen_id", text),
        ("ruleset", text),
        ("version", text),
        ("rule", text),
        ("title", text),
    ]
    # A list's item is named "element", as Parquet names it: the files carry no Arrow
    # schema of their own (see chunk_schemas), so a reader sees the name Parquet gives.
    explanation = pa.list_(pa.field("element", text))
    tail = [("citation", text)] + ([("explanation", explanation)] if explain else [])
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


#: The text columns that repeat a few values over many rows: a chunk holds them coded
#: (:func:`chunk_schemas`).
CODED_COLUMNS = frozenset(
    ("citizen_id", "ruleset", "version", "rule", "title", "holder", "status", "citation")
)
#: The coded columns that repeat the same few values in every part of a table (all but
#: the citizen).
REPEATED_TEXT = CODED_COLUMNS - {"citizen_id"}
#: A coded text column's type: each row an index into the column's distinct values.
CODED = pa.dictionary(pa.int32(), pa.string())


def chunk_schemas(explain: bool = False) -> dict[str, pa.Schema]:
    """The schema of every table of a chunk's results (:meth:`_Rows.tables`): that of
    :func:`schemas`, with the :data:`CODED_COLUMNS` of the obligations, rights and values
    dictionary-encoded.

    An obligation's rule, title, holder and citation repeat over hundreds of thousands of
    rows: coded, a chunk's tables are a quarter of the size to build, send to the process
    that writes them and read there, and the Parquet writer takes the codes as they are
    instead of hashing every row's text (it dictionary-encodes text columns anyway). The
    files are written without an Arrow schema (``store_schema=False``), so that a reader
    sees plain text columns, as :func:`schemas` says.
    """
    coded = {}
    for table, schema in schemas(explain).items():
        if table in _KINDS:
            fields = [pa.field(f.name, CODED) if f.name in CODED_COLUMNS else f for f in schema]
            schema = pa.schema(fields)
        coded[table] = schema
    return coded


class _Rows:
    """The output rows of one chunk: citizens, result entries and errors, as columns.

    A citizen's entries and errors are added first (:meth:`result`, :meth:`error`), then
    its ``citizens`` row (:meth:`citizen`), whose position (the *owner* of those entries)
    is the number of citizens added before it.
    """

    def __init__(self, explain: bool, as_of: int):
        self.explain, self.as_of = explain, as_of
        self.schemas = chunk_schemas(explain)
        self.citizen_ids: list[str] = []
        self.errors: list[dict[str, Any]] = []
        self.error_owners: list[int] = []
        # One item per result: (owner, ruleset, result). The entries are kept as the result
        # holds them and flattened a whole chunk at a time (:meth:`entries`).
        self.kept: list[tuple[int, str, Any]] = []
        self.explanations: dict[str, list[list[str]]] = {name: [] for name in _KINDS}

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
        if not isinstance(result, Result):  # read here, where a failure is the citizen's
            result = _DictResult(getattr(result, "ruleset", None), *_from_dict(result.to_dict()))
        if self.explain:  # here, where a failing explanation is the citizen's error
            for table, items in zip(_KINDS, _parts(result), strict=True):
                self.explanations[table].extend([list(item.explanation) for item in items])
        if result.obligations or result.rights or result.values:  # most results have none
            self.kept.append((len(self.citizen_ids), ruleset, result))

    def error(self, row: dict[str, Any]) -> None:
        """An ``errors`` row for the current citizen."""
        self.errors.append(row)
        self.error_owners.append(self.owner)

    def citizen(self, citizen_id: str) -> None:
        """The current citizen's ``citizens`` row (its counts are summed in :meth:`tables`)."""
        self.citizen_ids.append(citizen_id)

    def entries(self) -> dict[str, _Entries]:
        """The kept results' entries of each kind, flattened in citizen and result order."""
        kept = self.kept
        owners = np.fromiter((k[0] for k in kept), np.int64, len(kept))
        rulesets = _Interned([result.ruleset or name for _, name, result in kept])
        return {
            "obligations": _Entries.of([k[2].obligations for k in kept], owners, rulesets),
            "rights": _Entries.of([k[2].rights for k in kept], owners, rulesets),
            "values": _Entries.of([k[2].values for k in kept], owners, rulesets),
        }

    def tables(self) -> dict[str, pa.Table]:
        """The chunk's rows as one Arrow table per output table."""
        ids = _array(self.citizen_ids, pa.string())
        entries = self.entries()
        obligations = entries["obligations"]
        statuses = _StatusCodes([o.status for o in obligations.items])
        columns = {
            "citizens": self.citizen_columns(ids, entries, statuses),
            "obligations": obligations.obligation_columns(ids, self.as_of, statuses),
            "rights": entries["rights"].period_columns(ids),
            "values": entries["values"].value_columns(ids),
            "errors": {
                name: [row.get(name) for row in self.errors]
                for name in self.schemas["errors"].names
            },
        }
        if self.explain:
            for table in _KINDS:
                columns[table]["explanation"] = self.explanations[table]
        return {
            table: pa.Table.from_arrays(
                [_as_array(columns[table][f.name], f.type) for f in schema], schema=schema
            )
            for table, schema in self.schemas.items()
        }

    def citizen_columns(
        self, ids: pa.Array, entries: dict[str, _Entries], statuses: _StatusCodes
    ) -> dict[str, Any]:
        """``citizens``: id, ok/error, and how many entries, errors and statuses each has."""
        n = len(self.citizen_ids)
        errors = np.bincount(np.asarray(self.error_owners, np.int64), minlength=n)
        columns: dict[str, Any] = {
            "citizen_id": ids,
            "status": pa.array(np.where(errors > 0, "error", "ok").tolist(), pa.string()),
            "n_errors": errors,
        }
        for table, found in entries.items():
            columns[f"n_{table}"] = np.bincount(found.owners, minlength=n)
        codes = statuses.codes
        owners = entries["obligations"].owners
        for code, status in enumerate(STATUSES):
            columns[f"n_{status}"] = np.bincount(owners[codes == code], minlength=n)
        return columns


_KINDS = ("obligations", "rights", "values")


#: A status's index in :data:`STATUSES`; the keys are the enum's members, which a lookup
#: finds by identity first (text equal to a status's value finds it too).
_STATUS_CODE = {Status(status): code for code, status in enumerate(STATUSES)}
_STATUS_TEXT = pa.array(STATUSES, pa.string())


class _StatusCodes:
    """Each obligation's status as its index in :data:`STATUSES` (another: -1), found by a
    dict lookup in C (a status is text: its hash is cached); and the status column."""

    def __init__(self, statuses: list[Any]):
        self.statuses = statuses
        self.codes = np.fromiter(
            map(_STATUS_CODE.get, statuses, repeat(-1)), np.int64, len(statuses)
        )

    def column(self) -> pa.Array:
        """The statuses as a coded text column."""
        if (self.codes < 0).any():  # a status of no known kind (a result's own dict)
            return _Interned(self.statuses, by_identity=True).column()
        return _coded(self.codes, _STATUS_TEXT)


def _parts(result: Any) -> tuple[Sequence[Any], Sequence[Any], Sequence[Any]]:
    return result.obligations, result.rights, result.values


class _DictResult(NamedTuple):
    """A result read through its ``to_dict()``, with the fields a :class:`Result` has."""

    ruleset: Any
    obligations: list[_DictEntry]
    rights: list[_DictEntry]
    values: list[_DictEntry]


class _Entries:
    """The result entries of one kind (obligations, rights or values) of a chunk, with the
    citizen (owner) and ruleset of each."""

    def __init__(self, items: list[Any], owners: np.ndarray, rulesets: pa.Array):
        self.items, self.owners, self.rulesets = items, owners, rulesets

    @classmethod
    def of(
        cls, per_result: list[Sequence[Any]], owners: np.ndarray, rulesets: _Interned
    ) -> _Entries:
        """The entries of every result in turn; ``owners`` and ``rulesets`` per result."""
        counts = np.fromiter(map(len, per_result), np.int64, len(per_result))
        items = list(chain.from_iterable(per_result))
        return cls(
            items,
            np.repeat(owners, counts),
            rulesets.column(rows=np.repeat(rulesets.indices, counts)),
        )

    def common_columns(self, ids: pa.Array, rules: _Interned) -> dict[str, Any]:
        """Citizen, ruleset, version and the rule's id, title and citation."""
        return {
            "citizen_id": _coded(self.owners, ids),
            "ruleset": self.rulesets,
            "version": _Interned([item.version for item in self.items]).column(),
            "rule": rules.column(_rule_id),
            "title": rules.column(_rule_title),
            "citation": rules.column(_rule_citation),
        }

    def obligation_columns(
        self, ids: pa.Array, as_of: int, statuses: _StatusCodes
    ) -> dict[str, Any]:
        items = self.items
        rules = _Interned([o.rule for o in items], by_identity=True)
        columns = self.common_columns(ids, rules)
        columns["holder"] = rules.column(_rule_holder)
        due = _days([o.due_day for o in items])
        fulfilled = _days([o.fulfilled_day for o in items])
        status = statuses.column()
        late = pc.if_else(
            pa.array(statuses.codes == _STATUS_CODE[Status.FULFILLED_LATE]),
            pc.subtract(fulfilled, due),
            pc.if_else(
                pa.array(statuses.codes == _STATUS_CODE[Status.OVERDUE]),
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
            as_of=_dates(pa.array(np.full(len(items), as_of, np.int64))),
            transition=list(map(bool, [o.transition for o in items])),
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
        if by_identity:
            # the values are kept alive by the caller's rows, so an id is not reused
            # meanwhile; NumPy sorts the ids, in C, rather than a dict per row in Python
            ids = np.fromiter(map(id, values), np.int64, len(values))
            _, first, self.indices = np.unique(ids, return_index=True, return_inverse=True)
            self.distinct = [values[i] for i in first.tolist()]
        else:
            index: dict[Any, int] = {}
            setdefault = index.setdefault
            self.indices = np.asarray([setdefault(v, len(index)) for v in values], np.int64)
            self.distinct = list(index)

    def column(
        self, field: Callable[[Any], Any] | None = None, rows: np.ndarray | None = None
    ) -> pa.Array:
        """A coded text column: each row's value, or ``field`` of it (``rows``: the rows'
        indices among the distinct values, when not one row per value given)."""
        distinct = self.distinct if field is None else [field(value) for value in self.distinct]
        return _coded(self.indices if rows is None else rows, _array(distinct, pa.string()))


def _coded(indices: np.ndarray, distinct: pa.Array) -> pa.Array:
    """A dictionary-encoded column (:data:`CODED`): row *i* is ``distinct[indices[i]]``."""
    return pa.DictionaryArray.from_arrays(pa.array(indices.astype(np.int32)), distinct)


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
    try:  # NumPy reads a list of ints faster than Arrow does
        return pa.array(np.fromiter(values, np.int64, len(values)))
    except (TypeError, ValueError, OverflowError):  # a None among them
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


def _from_dict(
    data: dict[str, Any],
) -> tuple[list[_DictEntry], list[_DictEntry], list[_DictEntry]]:
    """A contract §2 result dict's obligations, rights and values, dates as day numbers."""
    obligations, rights, values = ([_dict_entry(e) for e in data.get(t, ())] for t in _KINDS)
    return obligations, rights, values


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
