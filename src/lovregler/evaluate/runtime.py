"""Runtime support for compiled evaluators: the per-citizen context and the instance drivers.

Generated code (``compile.py``) resolves every name at compile time and calls these helpers
with constants and small predicate functions. Everything here works on int day numbers and
interval tuples (:mod:`lovregler.evaluate.periods`); events are looked up per type with binary search.
The reference interpreter (``interpret.py``) implements the same semantics independently,
with day sets and linear scans; the property tests hold the two together.
"""

from __future__ import annotations

import bisect
import operator
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from ..history import Event, History
from ..prose.explanations import (
    PREVIOUS_DUE_SUSPENDED,
    PREVIOUS_MET,
    TAKEN_OVER,
    course_note,
    window_note,
)
from ..results import (
    FULFILLED,
    FULFILLED_LATE,
    OVERDUE,
    PENDING,
    Obligation,
    Result,
    Right,
    RuleInfo,
    iso,
    status_of,
)
from ..semantics.vocabulary import PeriodDecl, Vocabulary
from ..timecalc import INF, _shift_months, add_duration, birthday, hverdag
from . import periods as P
from .weeks import week_values

# Every name generated code may use (it does ``from lovregler.evaluate.runtime import *``): the
# compiler emits calls of these and nothing else, so this list is the generated code's API.
__all__ = [
    "Ctx",
    "Scope",
    "Span",
    "INF",
    "P",
    "Result",
    "events",
    "event_day",
    "event_on",
    "event_at",
    "shorter",
    "continues",
    "exists",
    "shift",
    "age",
    "end_of_month",
    "negate",
    "fact_tl",
    "age_tl",
    "since_tl",
    "between_tl",
    "period_tl",
    "latest_tl",
    "from_day",
    "after_lasting",
    "threshold",
    "threshold_triggers",
    "floor_from",
    "single",
    "chain",
    "windows",
    "due_after",
    "met_events",
    "met_earlier",
    "keep_rights",
    "when_periods",
    "right_until",
    "week_values",
    "started_courses",
    "period_keys_tl",
    "attr_until",
    "chain_events",
    "single_events",
    "first_per_day",
    "held_once",
    "next_after",
    "hverdag",
    "birthday",
    "compare",
    "taken_over",
    "TAKEN_OVER",
    "period_start",
]

Pred = Callable[["Ctx", Event], bool] | None
Timeline = P.Timeline


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


class Ctx:
    """One citizen as of one day: the events that exist, indexed by type."""

    __slots__ = (
        "history",
        "as_of",
        "birth",
        "facts",
        "vocab",
        "_by_type",
        "_periods",
        "own",
        "memo",
        "courses",
    )

    def __init__(self, history: History, as_of: int, vocab: Vocabulary):
        self.history = history
        self.as_of = as_of
        self.birth = history.birth_day
        self.facts = history.facts
        self.vocab = vocab
        # every evaluation asks for it; shared by every ruleset that reads this history
        self._by_type = history.by_type(as_of)
        self._periods: dict[str, dict[object, list[tuple[int, int, int]]]] = {}
        # each period kind's own periods (touching ones not joined), built when first asked
        self.own: dict[str, OwnPeriods] = {}
        # what a driver computed once for this citizen and may ask again (keyed by the driver)
        self.memo: dict[tuple[object, ...], Any] = {}
        # the ruleset's forløb, set by the generated evaluate (a threshold that a new version
        # takes over asks whether one is running on the version's first day)
        self.courses: list[tuple[int, int]] = []

    def of_type(self, etype: str) -> tuple[list[int], list[Event]]:
        """(days, events) of one type, in history order."""
        return self._by_type.get(etype, _NONE)

    def periods(self, name: str) -> dict[object, list[tuple[int, int, int]]]:
        """The periods of a declared kind, per key (cached): catalogue §0 merging, from the
        start and end events alone."""
        found = self._periods.get(name)
        if found is None:
            found = _build_periods(self, self.vocab.periods[name])
            self._periods[name] = found
        return found


def _build_periods(
    c: Ctx, decl: PeriodDecl, join: bool = True
) -> dict[object, list[tuple[int, int, int]]]:
    """Periods per key: a start while open continues; a start on or before the day after
    the last end reopens that period (only when ``join``); open periods end at INF
    (validated histories only)."""
    key, start_type, end_type = decl.key, decl.start, decl.end
    starts = c.of_type(start_type)[1]
    if not starts:
        return {}  # no start event: no period (an end event alone fails validation)
    # history order (an event of a kind whose start and end type are one opens, then ends)
    marks = starts + c.of_type(end_type)[1] if end_type != start_type else starts[:]
    marks.sort(key=_event_order)
    open_: dict[object, tuple[int, int]] = {}
    done: dict[object, list[tuple[int, int, int]]] = {}
    for e in marks:
        k = e.attrs.get(key) if key else None
        if e.type == start_type and k not in open_:
            closed = done.setdefault(k, [])
            if join and closed and e.day <= closed[-1][1] + 1:
                first, _, idx = closed.pop()
                open_[k] = (first, idx)
            else:
                open_[k] = (e.day, e.index)
        if e.type == end_type and k in open_:
            start, idx = open_.pop(k)
            done[k].append((start, e.day, idx))
    for k, (start, idx) in open_.items():
        done[k].append((start, INF, idx))
    return done


def _event_order(e: Event) -> tuple[int, int, int]:
    # Same-day events keep the history's order (as History sorts them: seq, then input).
    return (e.day, e.seq or 0, e.index)


_NONE: tuple[list[int], list[Event]] = ([], [])


# ───────────────────────────── events ─────────────────────────────
def events(c: Ctx, etype: str, pred: Pred, lo: int, hi: int) -> list[Event]:
    """Events of a type with lo <= day <= hi that satisfy ``pred``, in order."""
    days, evs = c.of_type(etype)
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
    days, evs = c.of_type(etype)
    for k in range(bisect.bisect_left(days, lo), bisect.bisect_right(days, hi)):
        if pred is None or pred(c, evs[k]):
            return days[k]
    return None


def nth_day(c: Ctx, etype: str, pred: Pred, lo: int, hi: int, n: int) -> int | None:
    """The ``n``-th matching event's day in [lo, hi]."""
    days, evs = c.of_type(etype)
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
    days, evs = c.of_type(etype)
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
    days, evs = c.of_type(etype)
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
    memo = ("shorter", ev.type, months, days)
    short = c.memo.get(memo)
    if short is None:  # every short period's events of this kind, found once
        short = c.memo[memo] = _short_events(c, ev.type, months, days)
    return ev.index in short


def _short_events(c: Ctx, etype: str, months: int, days: int) -> frozenset[int]:
    """The indexes of the start and end events whose own period is shorter than the duration."""
    found = c.vocab.period_for_event(etype)
    if found is None:
        return frozenset()
    return frozenset(
        e.index
        for start, end, _key, members in _own(c, found[0]).periods
        if end < INF and end < add_duration(start, months, days) - 1
        for e in members
    )


class OwnPeriods:
    """The periods of one kind as their own start and end events give them (catalogue C5: an
    offer is judged on its own ``tilbud_start`` and ``tilbud_slut``; two offers that touch
    are not joined), each with its key and its events (the first is its start event)."""

    __slots__ = ("periods",)

    def __init__(self) -> None:
        self.periods: list[tuple[int, int, object, list[Event]]] = []

    def close(self, start: int, end: int, key: object, members: list[Event]) -> None:
        """Record a period and the events that belong to it."""
        self.periods.append((start, end, key, members))


def _own(c: Ctx, decl: PeriodDecl) -> OwnPeriods:
    """The own periods of a kind, built in one pass when first asked (cached per citizen)."""
    own = c.own.get(decl.name)
    if own is None:
        own = c.own[decl.name] = _own_periods(c, decl)
    return own


def _own_periods(c: Ctx, decl: PeriodDecl) -> OwnPeriods:
    """A start opens a period of its key unless one is running; an end closes the running
    one; one still running at the end is open (INF)."""
    marks = c.of_type(decl.start)[1] + c.of_type(decl.end)[1]
    marks.sort(key=_event_order)
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


def _starter(c: Ctx, etype: str, index: int) -> Event:
    for e in c.of_type(etype)[1]:
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


# ───────────────────────────── timelines ─────────────────────────────
def everything(c: Ctx) -> Timeline:
    """Every day of the citizen's life (the universe of ``ikke``)."""
    return ((c.birth, INF),)


def negate(c: Ctx, a: Timeline) -> Timeline:
    """The days of the citizen's life on which ``a`` does not hold."""
    return P.complement(a, c.birth, INF)


def fact_tl(c: Ctx, holds: bool) -> Timeline:
    """All days if the fact test holds, else none."""
    return everything(c) if holds else P.EMPTY


def age_tl(c: Ctx, op: str, years: int) -> Timeline:
    """Days on which the age compares to ``years`` (birthdays from timecalc.birthday)."""
    if op in (">", "<="):
        op, years = (">=" if op == ">" else "<"), years + 1
    at = birthday(c.birth, years)
    if op == ">=":
        return ((max(at, c.birth), INF),)
    if op == "<":
        return ((c.birth, at - 1),) if at > c.birth else P.EMPTY
    nxt = birthday(c.birth, years + 1)
    exact = ((at, nxt - 1),) if at <= nxt - 1 else P.EMPTY
    return exact if op == "=" else negate(c, exact)


def since_tl(c: Ctx, day: int | None) -> Timeline:
    """Days on and after ``day``."""
    return P.EMPTY if day is None else ((max(day, c.birth), INF),)


def between_tl(c: Ctx, lo: int, hi: int) -> Timeline:
    """A fixed calendar period."""
    lo = max(lo, c.birth)
    return ((lo, hi),) if lo <= hi else P.EMPTY


def period_keys_tl(c: Ctx, name: str, keys: frozenset[object]) -> Timeline:
    """Days in periods of a kind whose key is one of ``keys`` (one pass, one normalise)."""
    return P.normalize(
        [(s, e) for k, spans in c.periods(name).items() if k in keys for s, e, _ in spans]
    )


def period_tl(c: Ctx, name: str, key: object, pred: Pred, first: bool = False) -> Timeline:
    """Days in periods of a kind; with ``pred``, only the stretches whose latest start event
    satisfies it (a new start event inside a period may change the attribute); with
    ``first``, the whole periods whose first start event satisfies it."""
    decl = c.vocab.periods[name]
    pairs: list[tuple[int, int]] = []
    for k, spans in c.periods(name).items():
        if key is not None and k != key:
            continue
        if pred is None:
            pairs += [(s, e) for s, e, _ in spans]
            continue
        if first:
            pairs += [(s, e) for s, e, idx in spans if pred(c, _starter(c, decl.start, idx))]
            continue
        starts = [
            ev for ev in c.of_type(decl.start)[1] if decl.key is None or ev.attrs.get(decl.key) == k
        ]
        for s, e, _ in spans:
            pairs += _segments(c, starts, s, e, pred)
    return P.normalize(pairs)


def _segments(
    c: Ctx, starts: list[Event], s: int, e: int, pred: Callable[[Ctx, Event], bool]
) -> list[tuple[int, int]]:
    inside = [ev for ev in starts if s <= ev.day <= e]
    out = []
    for i, ev in enumerate(inside):
        end = inside[i + 1].day - 1 if i + 1 < len(inside) else e
        if ev.day <= end and pred(c, ev):
            out.append((ev.day, end))
    return out


def latest_tl(c: Ctx, etype: str, test: Callable[[object], bool]) -> Timeline:
    """Days on which the latest event of the type passes ``test`` on its attribute value."""
    days, evs = c.of_type(etype)
    pairs = []
    for i, ev in enumerate(evs):
        end = days[i + 1] - 1 if i + 1 < len(evs) else INF
        if ev.day <= end and test(ev):
            pairs.append((ev.day, end))
    return P.normalize(pairs)


def from_day(a: Timeline, n: int) -> Timeline:
    """Each interval from its n-th day on."""
    return P.trim_start(a, n - 1)


def after_lasting(a: Timeline, months: int, days: int) -> Timeline:
    """Each interval from its start + duration on."""
    return P.from_each_start(a, months, days)


# ───────────────────────────── thresholds ─────────────────────────────
def threshold(
    c: Ctx,
    a: Timeline,
    need: int,
    window: tuple[int, int] | None,
    floor: int,
    resets: Sequence[int],
    extend: bool,
    lo: int | None = None,
) -> int | None:
    """The first day t (>= lo) on which the days of ``a`` counted for t reach ``need``.

    Counted: d <= t, d > floor, d > the latest reset on or before t, and (with a window)
    d > t − window. In a deadline (``extend``) an unreached count continues the last period.
    """
    found = _threshold(c, a, need, window, floor, resets, lo)
    if found is None and extend and a and a[-1][1] < INF:
        found = _threshold(c, P.extend_last(a), need, window, floor, resets, lo)
    return found


def _threshold(
    c: Ctx,
    a: Timeline,
    need: int,
    window: tuple[int, int] | None,
    floor: int,
    resets: Sequence[int],
    lo: int | None,
) -> int | None:
    start = c.birth if lo is None else max(lo, c.birth)
    return next(_segment_reaches(c, a, need, window, floor, resets, start), None)


def _segment_reaches(
    c: Ctx,
    a: Timeline,
    need: int,
    window: tuple[int, int] | None,
    floor: int,
    resets: Sequence[int],
    start: int,
) -> Iterator[int]:
    """The first reaching day (>= start) of each reset segment, in order: a reset on day r
    restarts the count, so only days after r count until the next reset."""
    bounds = [c.birth - 1, *resets, INF]
    for seg_lo, seg_hi in zip(bounds, bounds[1:], strict=False):
        if seg_hi <= start and seg_hi != INF:
            continue
        t = _reach(a, need, window, max(floor, seg_lo), max(start, seg_lo + 1))
        if t is not None and t < seg_hi:
            yield t


def _reach(
    a: Timeline, need: int, window: tuple[int, int] | None, floor: int, lo: int
) -> int | None:
    if window is None:
        t = P.nth_day(a, need, floor + 1)
        return None if t is None else max(t, lo) if _count(a, floor, max(t, lo)) >= need else None
    return P.first_window_reach(a, need, window[0], window[1], lo, floor)


def _count(a: Timeline, floor: int, t: int) -> int:
    return P.total_days(a, floor + 1, t)


def threshold_triggers(
    c: Ctx,
    a: Timeline,
    need: int,
    window: tuple[int, int] | None,
    floor: int,
    resets: Sequence[int],
    recurring: bool = False,
) -> list[int]:
    """As a trigger: the first reaching day of each reset segment; ``recurring`` (»hver dag
    hvor«): every day, up to as_of, on which the count reaches ``need`` after a day on which
    it did not (a windowed count can fall back below it and come back)."""
    if recurring and window is not None:
        return sorted(set(_segment_crossings(c, a, need, window, floor, resets)))
    return sorted(set(_segment_reaches(c, a, need, window, floor, resets, c.birth)))


def _segment_crossings(
    c: Ctx,
    a: Timeline,
    need: int,
    window: tuple[int, int],
    floor: int,
    resets: Sequence[int],
) -> Iterator[int]:
    bounds = [c.birth - 1, *resets, INF]
    for seg_lo, seg_hi in zip(bounds, bounds[1:], strict=False):
        low = max(floor, seg_lo)
        t = _reach(a, need, window, low, seg_lo + 1)
        while t is not None and t < seg_hi and t <= c.as_of:
            yield t
            below = _falls_below(a, need, window, low, t, min(seg_hi - 1, c.as_of))
            t = None if below is None else _reach(a, need, window, low, below)


def _falls_below(
    a: Timeline, need: int, window: tuple[int, int], floor: int, t: int, last: int
) -> int | None:
    """The first day after ``t`` (up to ``last``) on which the window count is under ``need``.

    From one day to the next the window's first day moves at most 3 days (31 − 28), so a
    count c >= need cannot fall under ``need`` for (c − need) // 3 more days: jump that far.
    """
    counted = P.clip(a, floor + 1)
    through = P.day_counter(counted)
    months, days = window
    x = t + 1
    while x <= last:
        count = through(x) - through(add_duration(x, months, days, sign=-1))
        if count < need:
            return x
        x += (count - need) // 3 + 1
    return None


def threshold_passed(
    c: Ctx,
    a: Timeline,
    need: int,
    window: tuple[int, int] | None,
    floor: int,
    resets: Sequence[int],
    day: int,
) -> bool:
    """Has the count for ``day`` reached ``need`` (the days of ``a`` counted for it)?"""
    low = max([floor, c.birth - 1, *(r for r in resets if r <= day)])
    if window is not None:
        low = max(low, add_duration(day, window[0], window[1], sign=-1))
    return P.total_days(a, low + 1, day) >= need


def taken_over(
    c: Ctx,
    a: Timeline,
    need: int,
    window: tuple[int, int] | None,
    floor: int,
    resets: Sequence[int],
    day: int,
    found: list[int],
    by_course: bool,
) -> list[int]:
    """Catalogue C5, thresholds across a version change: a version that replaces an earlier
    one and has this rule triggers on its first day ``day`` when the count has already
    passed the threshold then and the counted condition holds (a forløb is running; without
    a forløb, the counted timeline holds). ``found``: the triggers without it."""
    if day > c.as_of or day in found:
        return found
    holds = any(s <= day <= e for s, e in c.courses) if by_course else P.contains(a, day)
    if holds and threshold_passed(c, a, need, window, floor, resets, day):
        return sorted([*found, day])
    return found


# ───────────────────────────── obligations ─────────────────────────────
class Scope:
    """A forløb seen by a rule span (or the whole citizen): see interpret.Scope."""

    __slots__ = ("course_start", "course_end", "lo", "hi", "per_citizen")

    def __init__(self, course_start: int, course_end: int, lo: int, hi: int, per_citizen: bool):
        self.course_start = course_start
        self.course_end = course_end
        self.lo = lo
        self.hi = hi
        self.per_citizen = per_citizen


class Span:
    """What the drivers need of a rule span: its bounds, versions and result info."""

    __slots__ = ("start", "end", "versions", "info")

    def __init__(
        self, start: int, end: int, versions: tuple[tuple[str, int, int], ...], info: RuleInfo
    ):
        self.start = start
        self.end = end
        self.versions = versions
        self.info = info

    def version_on(self, day: int) -> str | None:
        """The version in force on ``day``."""
        for name, lo, hi in self.versions:
            if lo <= day <= hi:
                return name
        return None


DueFn = Callable[[int], int | None]
MetFn = Callable[[int, int, bool, Event | None], int | None]
SuspFn = Callable[[int], bool] | None


def make(
    c: Ctx,
    span: Span,
    sc: Scope,
    t: int,
    due: int,
    met: int | None,
    susp: SuspFn,
    note: str = "",
    transition: bool = False,
) -> Obligation | None:
    """An instance with its status, or None when it lapsed with its forløb. ``transition``:
    created by a declared transition (the forløb is seen as begun on ``sc.lo``)."""
    if not sc.per_citizen and due > sc.course_end and met is None:
        return None
    version = span.version_on(t)
    if version is None:
        return None
    status = status_of(met, due, c.as_of, susp is not None and susp(due))
    if transition:
        note = course_note(sc.course_start, sc.lo, span.info.transition_citation)
    return Obligation(span.info, version, t, due, status, met, c.as_of, note, transition)


def met_events(
    c: Ctx,
    etype: str,
    pred: Pred,
    sc: Scope,
    t: int,
    count: int,
    strict: bool,
    exclude: Event | None,
) -> int | None:
    """The count-th qualifying event on or after t (after t when strict) in the scope."""
    days, evs = c.of_type(etype)
    k = bisect.bisect_right(days, t) if strict else bisect.bisect_left(days, t)
    hi = bisect.bisect_right(days, sc.hi)
    seen = 0
    for i in range(k, hi):
        ev = evs[i]
        if ev is exclude or (pred is not None and not pred(c, ev)):
            continue
        seen += 1
        if seen == count:
            return days[i]
    return None


def met_earlier(c: Ctx, etype: str, pred: Pred, sc: Scope, due: int) -> int | None:
    """On or before: the latest qualifying event on or before ``due``, else the first after."""
    before = last_day(c, etype, pred, c.birth, min(due, sc.hi))
    return before if before is not None else first_day(c, etype, pred, due + 1, sc.hi)


def single(
    c: Ctx,
    span: Span,
    sc: Scope,
    t: int,
    ev: Event | None,
    due_fn: DueFn,
    met_fn: MetFn,
    susp: SuspFn,
    note: str = "",
) -> Obligation | None:
    """One instance triggered on ``t`` (by ``ev``, which cannot meet it)."""
    due = due_fn(t)
    if due is None:
        return None
    met = on_time_if_suspended(met_fn(t, due, False, ev), due, susp)
    return make(c, span, sc, t, due, met, susp, note, sc.lo > sc.course_start)


def on_time_if_suspended(met: int | None, due: int, susp: SuspFn) -> int | None:
    """Met wins over suspended only on or before the due date: a later event does not meet a
    suspended instance (catalogue C5, *suspended and late*)."""
    if met is not None and met > due and susp is not None and susp(due):
        return None
    return met


def chain(
    c: Ctx,
    span: Span,
    sc: Scope,
    t: int,
    strict: bool,
    first_due: DueFn,
    next_due: DueFn,
    met_fn: MetFn,
    susp: SuspFn,
) -> Iterator[Obligation]:
    """A recurring obligation (see interpret.Interpreter.chain): links triggered before the
    span carry the chain unlisted."""
    due_fn, note, first = first_due, "", sc.lo > sc.course_start
    while t <= min(c.as_of, span.end, sc.course_end):
        due = due_fn(t)
        if due is None:
            return
        met = on_time_if_suspended(met_fn(t, due, strict, None), due, susp)
        if not sc.per_citizen and due > sc.course_end and met is None:
            return  # lapsed with the forløb
        suspended = met is None and susp is not None and susp(due)
        if t >= span.start:
            inst = make(c, span, sc, t, due, met, susp, note, first)
            if inst is None:
                return
            yield inst
        first = False
        if met is not None:
            t, strict, note = met, True, PREVIOUS_MET
        elif suspended and due <= c.as_of:
            t, strict, note = due, False, PREVIOUS_DUE_SUSPENDED
        else:
            return
        due_fn = next_due


def windows(
    c: Ctx,
    span: Span,
    sc: Scope,
    anchor: int | None,
    months: int,
    days: int,
    etype: str,
    pred: Pred,
    count: int,
    susp: SuspFn,
) -> list[Obligation]:
    """Count windows from ``anchor`` (contract §3.6, §3.8), listed as catalogue §1 says."""
    out: list[Obligation] = []
    if anchor is None:
        return out
    transition, origin = "", iso(anchor)  # the anchor as text once, not per period
    if sc.lo > sc.course_start:  # a declared transition: anchored on the day it is seen begun
        transition = course_note(sc.course_start, sc.lo, span.info.transition_citation)
    last = min(c.as_of, sc.course_end, span.end)
    as_of, info = c.as_of, span.info
    k, following = 0, anchor  # window k + 1 runs from ``start`` to the day before ``following``
    while True:
        start = following
        if start > last:
            return out
        k += 1
        following = add_duration(anchor, months * k, days * k)  # from the anchor, not chained
        end = following - 1
        if start < span.start:
            continue
        met = nth_day(c, etype, pred, start, min(end, sc.hi), count)
        if sc.course_end < end and met is None:
            continue
        version = span.version_on(start)
        if version is not None:
            status = status_of(met, end, as_of, susp is not None and susp(end))
            note = window_note(k, origin, transition)
            out.append(
                Obligation(info, version, start, end, status, met, as_of, note, bool(transition))
            )


def due_after(months: int, days: int, convention: str) -> DueFn:
    """A due-date function: ``months``/``days`` after the trigger, with a convention."""
    if convention == "hverdag":
        return lambda t: hverdag(add_duration(t, months, days))
    if convention == "ultimo":
        return lambda t: add_duration(t, months, days, "ultimo")
    return lambda t: add_duration(t, months, days)


# ───────────────────────────── rights and values ─────────────────────────────
def keep_rights(span: Span, periods: list[tuple[int, int]], first_day: int) -> list[Right]:
    """Rights whose first day lies in the span (before the ruleset's first version: in the
    first version), dropping one that lies inside an earlier one."""
    out: list[Right] = []
    for start, until in periods:
        if until < start:
            continue  # ended before it began (a same-day end later in the history)
        day = start if start > first_day else first_day
        if not span.start <= day <= span.end:
            continue
        version = span.version_on(day)
        if version is None or any(r.start_day <= start and until <= r.until_day for r in out):
            continue
        out.append(Right(span.info, version, start, until))
    return out


def held_once(rights: list[Right], groups: dict[RuleInfo, int]) -> list[Right]:
    """Drop a right that lies inside an earlier right of its group: a right whose rule is the
    same in consecutive versions is one entry, with the earlier version (catalogue C5)."""
    kept: dict[int, list[Right]] = {}
    out: list[Right] = []
    for r in sorted(rights, key=lambda r: r.start_day):
        group = groups.get(r.rule)
        if group is not None:
            held = kept.setdefault(group, [])
            if any(k.start_day <= r.start_day and r.until_day <= k.until_day for k in held):
                continue
            held.append(r)
        out.append(r)
    return out


def when_periods(c: Ctx, sc: Scope, a: Timeline, lo: int, hi: int) -> list[tuple[int, int]]:
    """Maximal periods of ``a`` in the rule's force; per citizen up to as_of (open if it
    holds then), per forløb inside the forløb."""
    if not a:
        return []
    a = P.clip(a, lo, hi)
    if sc.per_citizen:
        a = P.clip(a, c.birth, c.as_of)
        return [(s, INF if e >= c.as_of else e) for s, e in a]
    return list(P.clip(a, sc.lo, sc.course_end))


def right_until(
    sc: Scope,
    start: int,
    length: tuple[int, int] | None,
    end: int | None,
    next_day: int | None,
    has_end: bool,
) -> int:
    """The last day of a right that began on ``start``."""
    if length is not None:
        return add_duration(start, length[0], length[1]) - 1
    cap = INF if sc.per_citizen else sc.course_end
    if has_end:
        if end is None:
            return cap
        return min(end, cap)
    if next_day is not None:
        return min(next_day - 1, cap)
    return cap


def started_courses(
    c: Ctx,
    etype: str,
    pred: Pred,
    length: tuple[str, object, object] | None,
    end_type: str | None,
    end_pred: Pred,
) -> list[tuple[int, int]]:
    """Courses started by events: a length, an end event (its day is the last) or the next
    start ends each one."""
    starts = events(c, etype, pred, 0, c.as_of)
    out = []
    for i, ev in enumerate(starts):
        ends = [INF]
        if length is not None:
            ends.append(_length_end(ev, length))
        if end_type is not None:
            found = first_day(c, end_type, end_pred, ev.day, c.as_of)
            if found is not None:
                ends.append(found)
        if i + 1 < len(starts):
            ends.append(starts[i + 1].day - 1)
        out.append((ev.day, min(ends)))
    return out


_UNIT = {"days": (0, 1), "weeks": (0, 7), "months": (1, 0), "years": (12, 0)}


def _length_end(ev: Event, length: tuple[str, object, object]) -> int:
    kind, a, b = length
    if kind == "fixed":
        return add_duration(ev.day, a, b) - 1  # type: ignore[arg-type]
    n = int(ev.attrs.get(a) or 0)  # type: ignore[arg-type, call-overload]
    m, d = _UNIT[b]  # type: ignore[index]
    return add_duration(ev.day, m * n, d * n) - 1


def event_at(
    c: Ctx, etype: str, pred: Pred, lo: int, hi: int, latest: bool
) -> list[tuple[int, Event]]:
    """``[(day, event)]`` of the first matching event in [lo, hi] (``latest``: the last), or
    ``[]``: :func:`event_day` and :func:`event_on` of an unbounded date in one search."""
    days, evs = c.of_type(etype)
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


def attr_until(sc: Scope, ev: Event | None, attr: str, unit: str) -> int:
    """The last day of a right lasting the starting event's attribute (``varer varighed_år år``);
    open (the forløb's end) when there is no such event or attribute."""
    cap = INF if sc.per_citizen else sc.course_end
    if ev is None or ev.attrs.get(attr) is None:
        return cap
    return _length_end(ev, ("attr", attr, unit))


def chain_events(
    c: Ctx,
    span: Span,
    sc: Scope,
    t: int,
    strict: bool,
    first: tuple[int, int],
    following: tuple[int, int],
    etype: str,
    pred: Pred,
) -> list[Obligation]:
    """:func:`chain` for the common case, without per-instance lambdas: each instance is met
    by the first matching event on or after its trigger (after it, when ``strict``), due
    ``first`` (months, days) after the first trigger and ``following`` after each later one;
    never suspended."""
    days, evs = c.of_type(etype)
    top = bisect.bisect_right(days, sc.hi)
    stop = min(c.as_of, span.end, sc.course_end)
    as_of, info, end, lapses = c.as_of, span.info, sc.course_end, not sc.per_citizen
    (months, extra), note = first, ""
    transition = sc.lo > sc.course_start  # a declared transition: the first link is its own
    versions, v = span.versions, 0  # links come in day order: the version only moves on
    out: list[Obligation] = []
    while t <= stop:
        # t <= as_of is a real day: add_duration without its open-end and convention checks
        due = (_shift_months(t, months, False) if months else t) + extra
        k = bisect.bisect_right(days, t) if strict else bisect.bisect_left(days, t)
        if pred is not None:
            while k < top and not pred(c, evs[k]):
                k += 1
        met = days[k] if k < top else None
        if met is None and due > end and lapses:
            break  # lapsed with the forløb
        if t >= span.start:  # a link before the span carries the chain, unlisted (C1, C5)
            while v < len(versions) and versions[v][2] < t:
                v += 1
            if v == len(versions) or versions[v][1] > t:
                break  # no version in force on t
            if met is None:
                status = OVERDUE if as_of > due else PENDING
            else:
                status = FULFILLED if met <= due else FULFILLED_LATE
            if transition:
                note = course_note(sc.course_start, sc.lo, info.transition_citation)
            out.append(
                Obligation(info, versions[v][0], t, due, status, met, as_of, note, transition)
            )
        transition = False
        if met is None:
            break
        t, strict, note = met, True, PREVIOUS_MET
        months, extra = following
    return out


def single_events(
    c: Ctx,
    span: Span,
    sc: Scope,
    trig: list[tuple[int, Event | None]],
    due: tuple[int, int],
    etype: str,
    pred: Pred,
    count: int,
) -> list[Obligation]:
    """:func:`single` for the common case, without per-instance lambdas: one instance per
    trigger ``(t, ev)``, due ``due`` (months, days) after ``t``, met by the ``count``-th
    matching event on or after ``t`` in the scope (never the triggering event ``ev``);
    never suspended."""
    out: list[Obligation] = []
    if not trig:
        return out
    days, evs = c.of_type(etype)
    top = bisect.bisect_right(days, sc.hi)
    as_of, info, lapses = c.as_of, span.info, not sc.per_citizen
    months, extra = due
    transition = sc.lo > sc.course_start  # created by a declared transition
    for t, ev in trig:
        due_day = add_duration(t, months, extra)
        met, seen = None, 0
        for k in range(bisect.bisect_left(days, t), top):
            e = evs[k]
            if e is not ev and (pred is None or pred(c, e)):
                seen += 1
                if seen == count:
                    met = days[k]
                    break
        if met is None and lapses and due_day > sc.course_end:
            continue  # lapsed with the forløb
        version = span.version_on(t)
        if version is None:
            continue
        if met is None:
            status = OVERDUE if as_of > due_day else PENDING
        else:
            status = FULFILLED if met <= due_day else FULFILLED_LATE
        note = course_note(sc.course_start, sc.lo, info.transition_citation) if transition else ""
        out.append(Obligation(info, version, t, due_day, status, met, as_of, note, transition))
    return out
