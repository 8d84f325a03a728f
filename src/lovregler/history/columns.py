"""One citizen from the columns of an event log (contract §1, "Caseloads": tables).

An event log has the columns ``citizen_id``, ``date``, ``type``, an optional ``seq`` and one
column per attribute, empty where an event type does not use it. A batch reads a run of rows
at a time and converts it column by column (``pyarrow.Array.to_pylist``); this turns one
citizen's share of those columns into the contract's citizen object, which
:meth:`~lovregler.history.History.from_dict` then validates — so a bad row gets exactly the
error its JSON form would get (the citizen, the event index = the row's place among the
citizen's rows, the field, the did-you-mean).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

#: Columns of an event log that are not event fields (the grouping columns, and the row
#: number DuckDB adds).
_NOT_EVENT_FIELDS = frozenset({"citizen_id", "file_row_number"})


def rows_of(columns: Mapping[str, Sequence[Any]] | Any) -> dict[str, Sequence[Any]]:
    """``columns`` as a dict of equal-length sequences: a mapping as it is, a
    ``pyarrow.RecordBatch`` or ``Table`` (anything with ``to_pydict``) converted."""
    if type(columns) is not dict:
        columns = columns.to_pydict() if hasattr(columns, "to_pydict") else dict(columns)
    out = columns
    if not _NOT_EVENT_FIELDS.isdisjoint(out):  # the caller's dict is left as it is
        out = {name: values for name, values in out.items() if name not in _NOT_EVENT_FIELDS}
    lengths = set(map(len, out.values()))
    if len(lengths) > 1:
        raise ValueError(f"kolonnerne har forskellig længde: {sorted(lengths)}")
    return out


def citizen_object(
    citizen_id: object,
    birth_date: object,
    facts: Mapping[str, object] | None,
    columns: Mapping[str, Sequence[Any]] | Any,
) -> dict[str, Any]:
    """The contract's citizen object for one citizen's event-log rows (empty cells left out).

    Columns empty for all of this citizen's rows are skipped before the rows are built:
    an event log has a column per attribute of every event type, and a citizen uses few.

    >>> citizen_object("b1", "1975-04-12", None, {
    ...     "type": ["ydelse_start", "samtale"], "date": ["2015-03-02", "2015-03-06"],
    ...     "ydelse": ["kontanthjælp", None], "form": [None, None]})["events"]
    [{'type': 'ydelse_start', 'date': '2015-03-02', 'ydelse': 'kontanthjælp'}, {'type': 'samtale', 'date': '2015-03-06'}]
    """
    table = rows_of(columns)
    rows = len(next(iter(table.values()), ()))
    used = [(name, values) for name, values in table.items() if values.count(None) != rows]
    events = [
        {name: value for name, values in used if (value := values[row]) is not None}
        for row in range(rows)
    ]
    obj: dict[str, Any] = {"id": citizen_id, "events": events}
    if birth_date is not None:  # an empty cell is absent: "mangler", as in JSON
        obj["birth_date"] = birth_date
    if facts:
        obj["facts"] = dict(facts)
    return obj
