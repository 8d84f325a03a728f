"""The event: one dated fact of a citizen's history, and the periods its start and end
events make (catalogue §0)."""

from __future__ import annotations

import datetime
import operator
from collections.abc import Callable, Iterable, Mapping

import msgspec

from ..semantics.vocabulary import PeriodDecl
from ..timecalc import INF  # one "open end" day number for the whole runtime (periods.py too)

__all__ = [
    "INF",
    "Event",
    "OwnPeriods",
    "Period",
    "Segment",
    "build_periods",
    "cut_periods",
    "period_key",
]

#: ``(start_day, end_day, start_event_index)``; ``end_day`` is :data:`INF` for an open period.
Period = tuple[int, int, int]
#: ``(start_day, end_day, attribute_value)``.
Segment = tuple[int, int, object]
#: A whole history's periods as its own start and end events make them, not yet joined:
#: ``(kind, key value, start day, end day, start event index)`` in the order they end (the
#: open ones, ending at :data:`INF`, last), and the kind number of each kind's start type,
#: end type and key name. The fast loader makes them in its check that every end event has
#: its period (``_FastLoader.periods``); :func:`cut_periods` gives a kind's periods from them.
OwnPeriods = tuple[
    Mapping[tuple[str, str, "str | None"], int], list[tuple[int, object, int, int, int]]
]


def _iso(day: int) -> str:
    return datetime.date.fromordinal(day).isoformat()


class Event(msgspec.Struct, frozen=True, gc=False):
    """One event of a history (immutable).

    ``attrs`` holds validated values (enum values as NFC strings, bools, ints, text); absent
    optional attributes are not in it. ``index`` is the event's position in the input list
    and ``seq`` its optional same-date order; neither takes part in equality, because the
    order they decide is already the order of :attr:`History.events`.

    >>> Event("samtale", 735663, {}, 0).date
    datetime.date(2015, 3, 6)
    >>> Event("samtale", 735663, {}, 0) == Event("samtale", 735663, {}, 7, seq=2)
    True
    """

    # A msgspec Struct, not an attrs class: a history of many events is built for every
    # citizen loaded, and a frozen attrs instance costs one object.__setattr__ per field
    # (≈ 0.55 µs an event against ≈ 0.09 µs). gc=False because an event can never be part of
    # a reference cycle (its attrs dict holds only text, ints and bools), so the garbage
    # collector need not track the millions of them a batch holds.
    type: str
    day: int
    attrs: Mapping[str, object]
    index: int
    seq: int | None = None

    def __eq__(self, other: object) -> bool:
        if type(other) is not Event:
            return NotImplemented
        return self.type == other.type and self.day == other.day and self.attrs == other.attrs

    __hash__ = None  # type: ignore[assignment]  # equal events may differ in index; attrs is a dict

    @property
    def date(self) -> datetime.date:
        """The event's calendar date."""
        return datetime.date.fromordinal(self.day)


#: An event's day (a sort key; attrgetter runs in C).
_day_of_event: Callable[[Event], int] = operator.attrgetter("day")


def build_periods(
    events: Iterable[Event], decl: PeriodDecl, as_of_day: int
) -> tuple[dict[object, list[Period]], Event | None]:
    """The periods of ``decl`` and the first end event with no open period (or None).

    ``decl`` must have NFC names (the loaders' schema and :func:`periods_of` see to it).
    """
    open_: dict[object, tuple[int, int]] = {}
    done: dict[object, list[Period]] = {}
    for e in events:
        if e.day > as_of_day:
            break
        if e.type != decl.start and e.type != decl.end:
            continue
        key = period_key(e, decl)
        if e.type == decl.start:
            if key not in open_:  # a start while open only continues the period
                open_[key] = _reopen(done.setdefault(key, []), e)
        elif key in open_:
            start, index = open_.pop(key)
            done[key].append((start, e.day, index))
        else:
            return done, e
    for key, (start, index) in open_.items():
        done[key].append((start, INF, index))
    return done, None


def cut_periods(
    own: list[tuple[int, object, int, int, int]], kind: int, as_of_day: int
) -> dict[object, list[Period]]:
    """The periods of ``kind`` from a history's own periods (:data:`OwnPeriods`), as
    :func:`build_periods` gives them from the events on or before ``as_of_day``.

    The events after ``as_of_day`` only end periods or begin later ones: so a period
    begun after it does not exist, one that ends after it is still open, and the rest are
    as the whole history has them. Catalogue §0's joining (a start on or before the day
    after the key's last end continues that period) then reads the kept periods in order,
    as :func:`build_periods` reads their start events; a key's periods come in order,
    because one key's periods never overlap.
    """
    found: dict[object, list[Period]] = {}
    for number, key, start, end, index in own:
        if number != kind or start > as_of_day:
            continue
        if end > as_of_day:
            end = INF
        spans = found.get(key)
        if spans is None:
            found[key] = [(start, end, index)]
        elif start <= spans[-1][1] + 1:
            first, _, first_index = spans[-1]
            spans[-1] = (first, end, first_index)
        else:
            spans.append((start, end, index))
    return found


def period_key(event: Event, decl: PeriodDecl) -> object:
    """The value of the period kind's key attribute on ``event`` (None for keyless kinds)."""
    return event.attrs.get(decl.key) if decl.key else None


def _reopen(closed: list[Period], start: Event) -> tuple[int, int]:
    # Catalogue §0: a start on or before the day after the last end continues that period.
    if closed and start.day <= closed[-1][1] + 1:
        first, _, index = closed.pop()
        return first, index
    return start.day, start.index
