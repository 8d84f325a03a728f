"""The history model the evaluators read, and the periods of a history."""

from __future__ import annotations

import bisect
import datetime
import functools
from collections.abc import Mapping, Sequence
from typing import Any

import msgspec

from ..errors import HistoryError
from ..semantics.vocabulary import PeriodDecl, Vocabulary
from .checking import _Loader
from .columns import citizen_object, rows_of
from .event import (
    INF,
    Event,
    OwnPeriods,
    Period,
    Segment,
    _day_of_event,
    _iso,
    build_periods,
    period_key,
)
from .fast import FastLoaded, _FastLoader, fast_loader
from .json_text import parse_json
from .schema import _nfc, _nfc_period, _schema

__all__ = ["History", "periods_of", "segments_of"]


def _index_by_type(events: tuple[Event, ...]) -> dict[str, tuple[list[int], list[Event]]]:
    """``(days, events)`` per event type, in history order (one pass; a type's lists are
    made with its first event, not looked up and discarded per event as setdefault would)."""
    table: dict[str, tuple[list[int], list[Event]]] = {}
    get = table.get
    for e in events:
        entry = get(e.type)
        if entry is None:
            table[e.type] = ([e.day], [e])
        else:
            entry[0].append(e.day)
            entry[1].append(e)
    return table


class History(msgspec.Struct, frozen=True, dict=True):
    """A validated citizen history (immutable).

    ``facts`` has every declared fact (absent ones take their declared default); ``events``
    is sorted by day, and same-day events keep their ``seq`` order, else their input order.
    ``warnings`` lists what lenient loading dropped; it is not part of equality. Build one
    with :meth:`from_dict`, :meth:`from_json` or :meth:`from_columns`; the constructor
    trusts its arguments.

    >>> History("b", 1, {}, ()) == History("b", 1, {}, (), warnings=("w",))
    True
    """

    # A msgspec Struct, not an attrs class: built in C for every citizen loaded (≈ 0.2 µs
    # against ≈ 1 µs). dict=True gives each history a __dict__ for the two indexes below,
    # filled on first use: they are no fields, so never compared, printed or pickled.
    id: str
    birth_day: int
    facts: Mapping[str, object]
    events: tuple[Event, ...]
    warnings: tuple[str, ...] = ()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, History):  # a history whose events are made on demand too
            return NotImplemented
        return (
            self.id == other.id
            and self.birth_day == other.birth_day
            and self.facts == other.facts
            and self.events == other.events
        )

    __hash__ = None  # type: ignore[assignment]  # facts is a dict

    @functools.cached_property
    def _days(self) -> tuple[int, ...]:
        # Computed once so until() is a bisect, not a scan, on the evaluator hot path.
        return tuple(map(_day_of_event, self.events))

    @property
    def birth_date(self) -> datetime.date:
        """The citizen's birth date."""
        return datetime.date.fromordinal(self.birth_day)

    def until(self, day: int) -> tuple[Event, ...]:
        """The events on or before ``day``, in history order.

        >>> h = History("b", 1, {}, (Event("a", 5, {}, 0), Event("b", 7, {}, 1)))
        >>> [e.type for e in h.until(6)], [e.type for e in h.until(7)]
        (['a'], ['a', 'b'])
        """
        return self.events[: bisect.bisect_right(self._days, day)]

    def by_type(self, day: int) -> Mapping[str, tuple[list[int], list[Event]]]:
        """``(days, events)`` per event type of the events on or before ``day``, in history
        order. The index of every event is built once and shared (a batch evaluates one
        history under every ruleset); an earlier ``day`` cuts each type's lists by bisection,
        and the cut for the latest such day is kept too: callers must not change them.

        >>> h = History("b", 1, {}, (Event("a", 5, {}, 0), Event("b", 7, {}, 1)))
        >>> h.by_type(6)["a"][0], "b" in h.by_type(6), h.by_type(9) is h.by_type(10)
        ([5], False, True)
        """
        table = self.__dict__.get("_by_type")
        if table is None:
            table = _index_by_type(self.events)
            self.__dict__["_by_type"] = table
        events = self.events
        # events are sorted by day: the last one's day is the latest (no day tuple needed)
        if not events or day >= events[-1].day:
            return table  # type: ignore[no-any-return]
        cut = self.__dict__.get("_by_type_cut")
        if cut is not None and cut[0] == day:
            return cut[1]  # type: ignore[no-any-return]
        part: dict[str, tuple[list[int], list[Event]]] = {}
        for etype, (days, evs) in table.items():
            if days[-1] <= day:
                part[etype] = (days, evs)
            else:
                n = bisect.bisect_right(days, day)
                if n:
                    part[etype] = (days[:n], evs[:n])
        self.__dict__["_by_type_cut"] = (day, part)
        return part

    def indexed(self) -> bool:
        """Whether :meth:`by_type` has built the per-type index already (an evaluator that
        reads events through periods only then builds them from it, not by a pass over
        every event).

        >>> h = History("b", 1, {}, (Event("a", 5, {}, 0),))
        >>> h.indexed(), bool(h.by_type(9)), h.indexed()
        (False, True, True)
        """
        return "_by_type" in self.__dict__

    @classmethod
    def from_dict(cls, obj: object, vocabulary: Vocabulary, *, lenient: bool = False) -> History:
        """Validate a decoded JSON citizen object (``contract.md`` §1) and build the history.

        With ``lenient=True`` an attribute its event type does not declare is dropped and
        recorded in :attr:`warnings` instead of raising. Attribute and fact values of
        ``None`` count as absent (a table export writes empty cells that way), and ``date``
        values may also be :class:`datetime.date` objects (Parquet date columns).

        Raises :class:`HistoryError` on the first breach of the contract.
        """
        fast = fast_loader(vocabulary)
        # The fast path takes only plainly valid citizens; anything else (and so every error)
        # goes through the checking loader, which says exactly what is wrong.
        loaded = fast.load(obj)
        if loaded is not None:
            return cls.of_fast(loaded)
        return cls(*_Loader(fast.schema, lenient).load(obj))

    @classmethod
    def of_fast(cls, loaded: FastLoaded) -> History:
        """The history the fast loader gave, with the own periods it made on its way kept
        beside it (:meth:`own_periods`)."""
        cid, birth_day, facts, events, own = loaded
        history = cls(cid, birth_day, facts, events)
        if own is not None:
            history.__dict__["_own"] = own
        return history

    @classmethod
    def of_periods_first(
        cls,
        head: tuple[str, int, dict[str, object]],
        own: OwnPeriods,
        raw_events: list[Any],
        loader: _FastLoader,
    ) -> History:
        """A history for an evaluator that reads a citizen through its periods only: the
        id, birth day and facts and the own periods the fast loader checked and made
        (:meth:`~.fast._FastLoader.own_periods`), with its events made from
        ``raw_events`` only if something reads them (:class:`_EventsOnDemand`).

        For :meth:`lovregler.api.Ruleset.evaluate`, which evaluates it and lets it go:
        ``raw_events`` is the caller's list, read again if the events are made."""
        history = _EventsOnDemand(*head, ())
        history.__dict__.update(_own=own, _raw_events=raw_events, _loader=loader)
        return history

    def own_periods(self) -> OwnPeriods | None:
        """The periods the fast loader made while it checked this history (every end event
        has its period), for :func:`.event.cut_periods`; None for a history that did not
        come that way (then :func:`.event.build_periods` makes them from the events).

        >>> from lovregler import load_vocabulary
        >>> h = History.from_dict({"id": "b1", "birth_date": "1975-04-12", "events": [
        ...     {"type": "ydelse_start", "date": "2015-03-02", "ydelse": "kontanthjælp"}]},
        ...     load_vocabulary())
        >>> kinds, own = h.own_periods()
        >>> own == [(kinds["ydelse_start", "ydelse_slut", "ydelse"], "kontanthjælp", 735659, INF, 0)]
        True
        """
        return self.__dict__.get("_own")  # type: ignore[no-any-return]

    @classmethod
    def from_columns(
        cls,
        columns: Mapping[str, Sequence[Any]] | Any,
        vocabulary: Vocabulary,
        *,
        citizen_id: object,
        birth_date: object,
        facts: Mapping[str, object] | None = None,
        lenient: bool = False,
    ) -> History:
        """One citizen from its rows of an event log (``contract.md`` §1, tables).

        ``columns`` maps each event-log column (``type``, ``date``, optional ``seq``, one
        per attribute) to this citizen's values in input order, None for an empty cell: a
        dict of lists (an Arrow record batch's ``to_pylist`` per column, sliced to the
        citizen's rows) or a ``pyarrow.RecordBatch``/``Table`` of just those rows.
        ``birth_date`` and ``facts`` come from the citizens table (None: absent). Validated
        as :meth:`from_dict` validates the same citizen as JSON, with the same errors; the
        event index is the row's place among the citizen's rows.

        >>> from lovregler import load_vocabulary
        >>> h = History.from_columns({"type": ["samtale", "ydelse_start"],
        ...     "date": ["2015-03-06", "2015-03-02"], "ydelse": [None, "kontanthjælp"]},
        ...     load_vocabulary(), citizen_id="b1", birth_date="1975-04-12")
        >>> [(e.type, e.index) for e in h.events]
        [('ydelse_start', 1), ('samtale', 0)]
        """
        table = rows_of(columns)
        loaded = fast_loader(vocabulary).load_columns(citizen_id, birth_date, facts, table)
        if loaded is not None:
            return cls.of_fast(loaded)
        obj = citizen_object(citizen_id, birth_date, facts, table)
        return cls.from_dict(obj, vocabulary, lenient=lenient)

    @classmethod
    def from_json(
        cls, text: str | bytes, vocabulary: Vocabulary, *, lenient: bool = False
    ) -> History:
        """Parse one JSON citizen object and validate it as :meth:`from_dict` does."""
        history = cls._plain_json(text, vocabulary)
        if history is not None:
            return history
        try:
            obj = parse_json(text)
        except HistoryError as exc:
            raise HistoryError(None, exc.message) from None
        return cls.from_dict(obj, vocabulary, lenient=lenient)

    @classmethod
    def _plain_json(cls, text: str | bytes, vocabulary: Vocabulary) -> History | None:
        """The history of a plainly valid JSON citizen (decoded and checked by msgspec, no
        intermediate checks in Python), else None: then :func:`parse_json` and
        :meth:`from_dict` give the history or the exact error."""
        loaded = fast_loader(vocabulary).load_json(text)
        return None if loaded is None else cls.of_fast(loaded)

    def to_dict(self) -> dict[str, object]:
        """The contract's JSON form; :meth:`from_dict` of it gives an equal history.

        Events come in input order with their ``seq``, so reloading keeps the indices too.
        """
        return {
            "id": self.id,
            "birth_date": _iso(self.birth_day),
            "facts": dict(self.facts),
            "events": [_event_dict(e) for e in sorted(self.events, key=lambda e: e.index)],
        }


def checked_history(obj: object, vocabulary: Vocabulary, *, lenient: bool = False) -> History:
    """The checking loader alone, without the fast paths: how every citizen was loaded
    before issue 14. The tests hold every fast path to its outcome, and the benchmark times
    the fast paths against it."""
    return History(*_Loader(_schema(vocabulary), lenient).load(obj))


def _event_dict(event: Event) -> dict[str, object]:
    out: dict[str, object] = {"type": event.type, "date": _iso(event.day)}
    if event.seq is not None:
        out["seq"] = event.seq
    out.update(event.attrs)
    return out


def _nfc_decl(decl: PeriodDecl) -> PeriodDecl:
    names = (decl.start, decl.end, decl.key or "")
    return decl if all(n == _nfc(n) for n in names) else _nfc_period(decl)


def periods_of(
    history: History, decl: PeriodDecl, as_of_day: int = INF
) -> dict[object, list[Period]]:
    """The periods of one kind, per key value, from the events on or before ``as_of_day``.

    Each period is ``(start_day, end_day, start_event_index)``, ``end_day`` inclusive and
    :data:`INF` while open; ``start_event_index`` is the :attr:`Event.index` of its first
    start. Periods of a key are sorted and merged as catalogue §0 says. Keyless kinds use
    the key ``None``. The history is assumed valid (no end without an open period).
    """
    return build_periods(history.events, _nfc_decl(decl), as_of_day)[0]


def segments_of(
    history: History, decl: PeriodDecl, key: object, attr: str, as_of_day: int = INF
) -> list[Segment]:
    """The periods of ``key`` split where ``attr`` of the start event in force changes.

    The value in force on a day is that of the latest start event of the period kind and key
    on or before it (catalogue §0: the ``målgruppe`` of the latest ``ydelse_start``), or None
    when that event leaves ``attr`` out. Neighbouring segments with equal values are joined,
    so the segments whose value is ``aktivitetsparat`` are the aktivitetsparat forløb.
    """
    decl, attr = _nfc_decl(decl), _nfc(attr)
    starts = [
        e for e in history.until(as_of_day) if e.type == decl.start and period_key(e, decl) == key
    ]
    out: list[Segment] = []
    for start, end, _ in periods_of(history, decl, as_of_day).get(key, []):
        changes = [(e.day, e.attrs.get(attr)) for e in starts if start <= e.day <= end]
        out.extend(_split(start, end, changes))
    return out


def _split(start: int, end: int, changes: list[tuple[int, object]]) -> list[Segment]:
    """The segments of [start, end] given its start events' (day, value), in day order."""
    in_force: dict[int, object] = {}
    for day, value in changes:
        in_force[day] = value  # of several same-day starts, the last one is in force
    segments: list[Segment] = []
    for day, value in in_force.items():
        if segments and segments[-1][2] == value:
            continue
        if segments:
            segments[-1] = (segments[-1][0], day - 1, segments[-1][2])
        segments.append((max(day, start), end, value))
    return segments


class _EventsOnDemand(History, frozen=True, dict=True):
    """A history whose events are made when first read (:meth:`History.of_periods_first`),
    from an event list the fast loader has checked already: they are the events
    :meth:`History.from_dict` would have held. An evaluator that reads its events through
    periods only never reads them; one that does gets them all the same, so which
    evaluator is given such a history decides its speed, never its result."""

    @property  # type: ignore[misc]  # a field of History, made on demand here
    def events(self) -> tuple[Event, ...]:  # type: ignore[override]
        """The history's events, made from the checked event list on first read."""
        made = self.__dict__.get("_events")
        if made is None:
            loaded = self.__dict__["_loader"].load_events(self.__dict__["_raw_events"])
            if loaded is None:  # own_periods took what load_events refuses: a bug of ours
                raise RuntimeError(f"borger {self.id!r}: hændelserne kunne ikke indlæses igen")
            made = self.__dict__["_events"] = loaded[0]
        return made  # type: ignore[no-any-return]

    def plain(self) -> History:
        """The same history as a plain :class:`History` (its events made)."""
        return History(*self._fields())

    def _fields(self) -> tuple[str, int, Mapping[str, object], tuple[Event, ...], tuple[str, ...]]:
        return self.id, self.birth_day, self.facts, self.events, self.warnings

    # A copy or pickle is a plain history with its events: the caller's list is not ours.
    def __reduce__(self) -> tuple[type[History], tuple[object, ...]]:
        return History, self._fields()

    def __copy__(self) -> History:
        return self.plain()

    def __repr__(self) -> str:
        return repr(self.plain())
