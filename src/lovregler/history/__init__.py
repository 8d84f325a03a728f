"""Citizen histories: the model the evaluators read, and loading with validation.

A history is loaded once and read many times, so the model is cheap to read: dates are int
day numbers (``datetime.date.toordinal()``), events are sorted by day once at load time, and
every declared fact is present. Loading checks the whole data contract (``contract.md`` §1)
against a :class:`~lovregler.semantics.vocabulary.Vocabulary` and raises a
:class:`~lovregler.errors.HistoryError` naming the citizen, the event index and the field.

For example (``vocabulary`` is the project's declaration)::

    h = History.from_dict({"id": "b1", "birth_date": "1975-04-12", "events": [
        {"type": "samtale", "date": "2015-03-06"},
        {"type": "ydelse_start", "date": "2015-03-02", "ydelse": "kontanthjælp"}]}, vocabulary)
    [e.type for e in h.events]  # ['ydelse_start', 'samtale']

Periods (``ydelse``, ``tilbud``, ...) are built from start and end events by
:func:`periods_of`; :func:`segments_of` splits them where an attribute of the start event
(the ``målgruppe``) changes.

The modules: :mod:`.event` (the event and its periods), :mod:`.model` (:class:`History`),
:mod:`.schema` (the vocabulary as loading reads it), :mod:`.checking` (the checking loader,
which gives every error), :mod:`.typed` and :mod:`.fast` (the fast path: msgspec checks a
plainly valid citizen in C; anything else goes to the checking loader), :mod:`.json_text`
and :mod:`.jsonl` (JSON text and JSON Lines), :mod:`.columns` (event-log rows).
"""

from .event import INF, Event, Period, Segment
from .json_text import leading_id, parse_json, valid_id
from .jsonl import iter_jsonl
from .model import History, checked_history, periods_of, segments_of

# The contract's field names, for lovregler.schema's published JSON Schemas.
from .schema import _EVENT_FIELDS as _EVENT_FIELDS
from .schema import _TOP_REQUIRED as _TOP_REQUIRED

__all__ = [
    "INF",
    "Event",
    "History",
    "Period",
    "Segment",
    "checked_history",
    "iter_jsonl",
    "leading_id",
    "parse_json",
    "periods_of",
    "segments_of",
    "valid_id",
]
