"""Finding events and answering conditions for compiled evaluators: events of a type in a
window (binary search on the per-type day lists), the first, n-th or latest one, »kortere
end« and »fortsætter« on a period's own events, and the small date helpers of conditions.

Part of the runtime (:mod:`lovregler.evaluate.runtime` re-exports what generated code uses).
"""

from __future__ import annotations

import bisect
import operator
from collections.abc import Callable, Mapping
from typing import Any

from ..history import Event, History
from ..semantics.vocabulary import PeriodDecl
from ..timecalc import INF, add_duration
from .context import NO_EVENTS, Ctx, OwnPeriods, Pred, Timeline, history_order


def compare(a: object, op: str, b: object) -> bool:
    """``a op b`` for two values of a rule's condition, false when either is absent (None),
    as in the reference interpreter.

    >>> compare(3, "<", 5), compare(None, "=", None), compare("a", "!=", "b")
    (True, False, True)
    """
    if a is None or b is None:
        return False
    return _COMPARE[op](a, b)


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def events(c: Ctx, etype: str, pred: Pred, lo: int, hi: int) -> list[Event]:
    """Events of a type with lo <= day <= hi that satisfy ``pred``, in order."""
    days, evs = c.index.get(etype, NO_EVENTS)
    i, j = bisect.bisect_left(days, lo), bisect.bisect_right(days, hi)
    if pred is None:
        return evs[i:j]
    return [e for e in evs[i:j] if pred(c, e)]


def first_per_day(evs: list[Event]) -> list[tuple[int, Event]]:
    """(day, event) for the first event of each day, in order: an obligation "after each"
    event has one instance per distinct trigger date (catalogue C5)."""
    out: list[tuple[int, Event]] = []
    for e in evs:
        if not out or out[-1][0] != e.day:
            out.append((e.day, e))
    return out


def first_day(c: Ctx, etype: str, pred: Pred, lo: int, hi: int) -> int | None:
    """The first matching event's day in [lo, hi]."""
    days, evs = c.index.get(etype, NO_EVENTS)
    for k in range(bisect.bisect_left(days, lo), bisect.bisect_right(days, hi)):
        if pred is None or pred(c, evs[k]):
            return days[k]
    return None


def nth_day(c: Ctx, etype: str, pred: Pred, lo: int, hi: int, n: int) -> int | None:
    """The ``n``-th matching event's day in [lo, hi]."""
    days, evs = c.index.get(etype, NO_EVENTS)
    i, j = bisect.bisect_left(days, lo), bisect.bisect_right(days, hi)
    if pred is None:
        return days[i + n - 1] if i + n - 1 < j else None
    for k in range(i, j):
        if pred(c, evs[k]):
            n -= 1
            if n == 0:
                return days[k]
    return None


def last_day(c: Ctx, etype: str, pred: Pred, lo: int, hi: int) -> int | None:
    """The latest matching event's day in [lo, hi]."""
    days, evs = c.index.get(etype, NO_EVENTS)
    for k in range(bisect.bisect_right(days, hi) - 1, bisect.bisect_left(days, lo) - 1, -1):
        if pred is None or pred(c, evs[k]):
            return days[k]
    return None


def next_after(c: Ctx, etype: str, pred: Pred, t: int, after: Event | None, hi: int) -> int | None:
    """The day of the next matching event after ``after`` in history order (catalogue C5:
    a same-day event later in the history is "the next"); with no event, the first on a
    day after ``t``."""
    if after is None:
        return first_day(c, etype, pred, t + 1, hi)
    days, evs = c.index.get(etype, NO_EVENTS)
    here = (after.day, after.seq or 0, after.index)
    for k in range(bisect.bisect_left(days, t), bisect.bisect_right(days, hi)):
        e = evs[k]
        if (e.day, e.seq or 0, e.index) > here and (pred is None or pred(c, e)):
            return days[k]
    return None


def bounded(kind: str | None, ref: int | None, lo: int, hi: int) -> tuple[int, int] | None:
    """Narrow [lo, hi] by a bound (after / on_or_after / before / on_or_before a day)."""
    if kind is None:
        return lo, hi
    if ref is None:
        return None
    if kind == "after":
        return max(lo, ref + 1), hi
    if kind == "on_or_after":
        return max(lo, ref), hi
    if kind == "before":
        return lo, min(hi, ref - 1)
    return lo, min(hi, ref)


def event_day(
    c: Ctx, which: str, etype: str, pred: Pred, lo: int, hi: int, bound: str | None, ref: int | None
) -> int | None:
    """``første``/``seneste`` matching event in [lo, hi], narrowed by a bound."""
    window = bounded(bound, ref, lo, hi)
    if window is None:
        return None
    find = first_day if which == "first" else last_day
    return find(c, etype, pred, window[0], window[1])


def shorter(c: Ctx, ev: Event, months: int, days: int) -> bool:
    """The event's period is closed and lasted less than the duration (both ends count)."""
    short = c.memo.get(("shorter", ev.type, months, days))
    if short is None:  # every short period's events of this kind, found once
        short = _short_events(c, ev.type, months, days)
    return ev.index in short


def _short_events(c: Ctx, etype: str, months: int, days: int) -> frozenset[int]:
    """The indexes of the start and end events whose own period is shorter than the duration;
    remembered for both event types of the period kind (an offer's start and its end)."""
    found = c.vocab.period_for_event(etype)
    if found is None:
        short: frozenset[int] = frozenset()
        c.memo["shorter", etype, months, days] = short
        return short
    decl = found[0]
    shared_key = ("shorter", decl.start, decl.end, decl.key, months, days)  # every ruleset's
    known = c.shared.get(shared_key)
    if known is not None:
        short = known
    else:
        short = c.shared[shared_key] = frozenset(
            e.index
            for start, end, _key, members in _own(c, decl).periods
            if end < INF and end < add_duration(start, months, days) - 1
            for e in members
        )
    for kind in (decl.start, decl.end):
        other = c.vocab.period_for_event(kind)
        if other is not None and other[0] is decl:
            c.memo["shorter", kind, months, days] = short
    return short


def _own(c: Ctx, decl: PeriodDecl) -> OwnPeriods:
    """The own periods of a kind, built in one pass when first asked (cached per citizen and
    shared by the rulesets evaluating it: :func:`~.context.shared_derived`)."""
    own = c.own.get(decl.name)
    if own is None:
        shared_key = ("own", decl.start, decl.end, decl.key)  # shared by every ruleset
        own = c.shared.get(shared_key)
        if own is None:
            own = c.shared[shared_key] = _own_periods(c, decl)
        c.own[decl.name] = own
    return own


def _own_periods(c: Ctx, decl: PeriodDecl) -> OwnPeriods:
    """A start opens a period of its key unless one is running; an end closes the running
    one; one still running at the end is open (INF)."""
    marks = c.index.get(decl.start, NO_EVENTS)[1] + c.index.get(decl.end, NO_EVENTS)[1]
    marks.sort(key=history_order)
    out = OwnPeriods()
    running: dict[object, tuple[int, list[Event]]] = {}  # key -> (start, member events)
    for e in marks:
        key = e.attrs.get(decl.key) if decl.key else None
        current = running.get(key)
        if current is None and e.type == decl.start:
            current = running[key] = (e.day, [])
        if current is None:
            continue
        current[1].append(e)
        if e.type == decl.end:
            del running[key]
            out.close(current[0], e.day, key, current[1])
    for key, (start, members) in running.items():
        out.close(start, INF, key, members)
    return out


def continues(c: Ctx, period: str, key: object, pred: Pred, day: int | None) -> bool:
    """A period of the kind runs on ``day`` and the day after, started on or before ``day``."""
    if day is None:
        return False
    memo = ("continues", period, key, pred)
    found = c.memo.get(memo)
    if found is None:  # the own periods whose first start event passes ``pred``, once
        found = c.memo[memo] = [
            (start, end)
            for start, end, k, members in _own(c, c.vocab.periods[period]).periods
            if (key is None or k == key) and (pred is None or pred(c, members[0]))
        ]
    return any(start <= day < end for start, end in found)


def start_event(c: Ctx, etype: str, index: int) -> Event:
    """The event of a type with the history index ``index`` (a period's first start event)."""
    for e in c.index.get(etype, NO_EVENTS)[1]:
        if e.index == index:
            return e
    raise LookupError(index)


def exists(c: Ctx, etype: str, pred: Pred, lo: int | None, hi: int | None) -> bool:
    """A matching event lies in [lo, hi]."""
    return lo is not None and hi is not None and first_day(c, etype, pred, lo, hi) is not None


def shift(day: int | None, months: int, days: int, sign: int = 1) -> int | None:
    """``day ± duration`` (None stays None)."""
    return None if day is None else add_duration(day, months, days, sign=sign)


def age(c: Ctx, day: int | None) -> int | None:
    """Completed years on ``day``."""
    from ..timecalc import age_on

    return None if day is None else age_on(c.birth, day)


def period_start(a: Timeline, day: int | None) -> int | None:
    """The first day of the period of ``a`` that contains ``day`` (None if ``a`` does not
    hold on it): »starten af sygdom der omfatter udløsningsdagen«."""
    if day is None:
        return None
    i = bisect.bisect_right(a, (day, INF + 1))
    return a[i - 1][0] if i and a[i - 1][1] >= day else None


def end_of_month(day: int | None) -> int | None:
    """The last day of the calendar month (None stays None)."""
    from ..timecalc import end_of_month as eom

    return None if day is None else eom(day)


def present_values(
    history: History,
    as_of: int,
    index: Mapping[str, tuple[list[int], list[Event]]],
    etype: str,
    attr: str,
) -> frozenset[object]:
    """The values the events of ``etype`` in the per-type index carry in ``attr`` (None for
    an event without it): what a compiled gate tests (:mod:`~lovregler.evaluate.gates`).
    Kept for the other rulesets where the caller shares the history's store (a batch)."""
    store = history.__dict__.get("_derived")
    if store is None or store[0] != as_of:
        return _values(index, etype, attr)
    key = ("values", etype, attr)
    found: frozenset[object] | None = store[1].get(key)
    if found is None:
        found = store[1][key] = _values(index, etype, attr)
    return found


def _values(
    index: Mapping[str, tuple[list[int], list[Event]]], etype: str, attr: str
) -> frozenset[object]:
    found = index.get(etype)
    return frozenset(e.attrs.get(attr) for e in found[1]) if found is not None else frozenset()


def event_at(
    c: Ctx, etype: str, pred: Pred, lo: int, hi: int, latest: bool
) -> list[tuple[int, Event]]:
    """``[(day, event)]`` of the first matching event in [lo, hi] (``latest``: the last), or
    ``[]``: :func:`event_day` and :func:`event_on` of an unbounded date in one search."""
    days, evs = c.index.get(etype, NO_EVENTS)
    i, j = bisect.bisect_left(days, lo), bisect.bisect_right(days, hi)
    for k in range(j - 1, i - 1, -1) if latest else range(i, j):
        e = evs[k]
        if pred is None or pred(c, e):
            return [(days[k], e)]
    return []


def event_on(
    c: Ctx, etype: str, pred: Pred, day: int | None, lo: int, hi: int, latest: bool = False
) -> Event | None:
    """The matching event on ``day`` within [lo, hi] that a date expression picked: the first
    of the day, or for ``seneste`` the last, in history order (catalogue C5)."""
    if day is None or not lo <= day <= hi:
        return None
    got = events(c, etype, pred, day, day)
    return (got[-1] if latest else got[0]) if got else None


def floor_from(c: Ctx, day: int | None, inclusive: bool) -> int:
    """The last day not counted by ``regnet fra`` (inclusive) / ``regnet efter``."""
    if day is None:
        return c.birth - 1
    return day - 1 if inclusive else day
