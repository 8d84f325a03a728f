"""Timelines and thresholds for compiled evaluators: the interval lists a rule's »når«,
»suspenderes når« and counts are made of, and the first day a count reaches its threshold.

Part of the runtime (:mod:`lovregler.evaluate.runtime` re-exports what generated code uses).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Container, Iterator, Sequence
from typing import Any

import attrs

from ..history import Event
from ..semantics.vocabulary import PeriodDecl
from ..timecalc import INF, add_duration, birthday
from . import periods as P
from .context import NO_EVENTS, Ctx, Pred, Timeline
from .lookups import start_event


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
    decl = c.vocab.periods[name]
    own = c.history.__dict__.get("_own")
    if own is not None and (kind := own[0].get((decl.start, decl.end, decl.key))) is not None:
        return _own_days(own[1], kind, keys, c.as_of)
    return P.normalize(
        [(s, e) for k, spans in c.periods(name).items() if k in keys for s, e, _ in spans]
    )


def _own_days(
    own: list[tuple[int, object, int, int, int]],
    kind: int,
    keys: Container[object] | None,
    as_of: int,
) -> Timeline:
    """The days in periods of ``kind`` whose key is one of ``keys`` (None: any), from a
    history's own periods (:data:`~lovregler.history.event.OwnPeriods`) on or before
    ``as_of``: the days of :func:`~lovregler.history.event.cut_periods`' periods, without
    their joining, which only joins touching periods that the timeline joins anyway."""
    pairs = []
    for number, k, s, e, _ in own:
        if number == kind and s <= as_of and (keys is None or k in keys):
            pairs.append((s, e if e <= as_of else INF))
    if len(pairs) < 2:  # none, or one period (most citizens): a timeline already
        return tuple(pairs)
    # P.normalize, for pairs that are never empty and end by INF: sorted, and overlapping
    # or touching pairs joined, with the open pair in locals
    pairs.sort()
    out = []
    first, last = pairs[0]
    for s, e in pairs:
        if s <= last + 1:
            if e > last:
                last = e
        else:
            out.append((first, last))
            first, last = s, e
    out.append((first, last))
    return tuple(out)


def period_tl(c: Ctx, name: str, key: object, pred: Pred, first: bool = False) -> Timeline:
    """Days in periods of a kind; with ``pred``, only the stretches whose latest start event
    satisfies it (a new start event inside a period may change the attribute); with
    ``first``, the whole periods whose first start event satisfies it.

    Remembered: without a predicate for every ruleset evaluating this history on this day
    (:func:`~.context.shared_derived`), with one for this evaluation (a rule asks again per
    forløb and per version; the predicate reads only the citizen and the event)."""
    decl = c.vocab.periods[name]
    store: dict[Any, Any]
    memo: tuple[object, ...]
    if pred is None:
        store, memo = c.shared, ("tl", decl.start, decl.end, decl.key, key)
    else:
        store, memo = c.memo, ("tl", name, key, pred, first)
    found = store.get(memo)
    if found is None:
        found = store[memo] = _period_tl(c, decl, name, key, pred, first)
    return found  # type: ignore[no-any-return]


def _period_tl(
    c: Ctx, decl: PeriodDecl, name: str, key: object, pred: Pred, first: bool
) -> Timeline:
    if pred is None:
        own = c.history.__dict__.get("_own")
        if own is not None and (kind := own[0].get((decl.start, decl.end, decl.key))) is not None:
            return _own_days(own[1], kind, None if key is None else (key,), c.as_of)
    pairs: list[tuple[int, int]] = []
    for k, spans in c.periods(name).items():
        if key is not None and k != key:
            continue
        if pred is None:
            pairs += [(s, e) for s, e, _ in spans]
            continue
        if first:
            pairs += [(s, e) for s, e, idx in spans if pred(c, start_event(c, decl.start, idx))]
            continue
        days, starts = c.index.get(decl.start, NO_EVENTS)
        for s, e, _ in spans:
            inside = starts[bisect.bisect_left(days, s) : bisect.bisect_right(days, e)]
            if decl.key is not None:
                inside = [ev for ev in inside if ev.attrs.get(decl.key) == k]
            _segments(c, inside, e, pred, pairs)
    if len(pairs) == 1:  # one stretch (most forløb): nothing to merge
        s, e = pairs[0]
        return ((s, min(e, INF)),) if s <= e else P.EMPTY
    return P.normalize(pairs)


def _segments(
    c: Ctx,
    inside: list[Event],
    e: int,
    pred: Callable[[Ctx, Event], bool],
    out: list[tuple[int, int]],
) -> None:
    """Each start event's stretch of a period ending on ``e``: up to the day before the next
    start inside it; kept when the start event satisfies ``pred``."""
    last = len(inside) - 1
    for i, ev in enumerate(inside):
        end = inside[i + 1].day - 1 if i < last else e
        if ev.day <= end and pred(c, ev):
            out.append((ev.day, end))


def latest_tl(c: Ctx, etype: str, test: Callable[[object], bool]) -> Timeline:
    """Days on which the latest event of the type passes ``test`` on its attribute value."""
    days, evs = c.of_type(etype)
    pairs = []
    for i, ev in enumerate(evs):
        end = days[i + 1] - 1 if i + 1 < len(evs) else INF
        if ev.day <= end and test(ev):
            pairs.append((ev.day, end))
    return P.normalize(pairs)


def suspended_on(build: Callable[[], Timeline]) -> Callable[[int], bool]:
    """Whether an instance is suspended on a day: the suspension's timeline holds then. The
    timeline is built by ``build`` once, on the first day asked about (a chain asks for
    every link; a rule with no instance never builds it)."""
    built: list[Timeline] = []

    def on(day: int) -> bool:
        if not built:
            built.append(build())
        return P.contains(built[0], day)

    return on


def from_day(a: Timeline, n: int) -> Timeline:
    """Each interval from its n-th day on."""
    return P.trim_start(a, n - 1)


def after_lasting(a: Timeline, months: int, days: int) -> Timeline:
    """Each interval from its start + duration on."""
    return P.from_each_start(a, months, days)


# ───────────────────────────── thresholds ─────────────────────────────
@attrs.frozen
class Count:
    """A count of days toward a threshold: the days counted for a day t reach ``need``.

    Counted for t: days d <= t of the timeline with d > ``floor`` (None: from birth), d >
    the latest of ``resets`` on or before t, and (with a ``window`` of (months, days))
    d > t − window. ``need`` and ``window`` come from the rule file, so generated code
    builds them once as a module constant; ``floor`` and ``resets`` depend on the citizen
    and are added per evaluation with :meth:`counted`.
    """

    need: int
    window: tuple[int, int] | None
    floor: int | None = None
    resets: Sequence[int] = ()

    def counted(self, floor: int | None = None, resets: Sequence[int] = ()) -> Count:
        """This count from ``floor`` on and restarted on each of ``resets``."""
        return Count(self.need, self.window, floor, resets)

    def low(self, c: Ctx) -> int:
        """The last day not counted (besides resets and window): the floor or the day
        before birth."""
        return c.birth - 1 if self.floor is None else self.floor


def threshold(c: Ctx, a: Timeline, count: Count, extend: bool, lo: int | None = None) -> int | None:
    """The first day t (>= lo) on which the days of ``a`` counted for t reach the need.

    In a deadline (``extend``) an unreached count continues the last period.
    """
    found = _threshold(c, a, count, lo)
    if found is None and extend and a and a[-1][1] < INF:
        found = _threshold(c, P.extend_last(a), count, lo)
    return found


def _threshold(c: Ctx, a: Timeline, count: Count, lo: int | None) -> int | None:
    start = c.birth if lo is None else max(lo, c.birth)
    return next(_segment_reaches(c, a, count, start), None)


def _segments_of(c: Ctx, count: Count) -> Iterator[tuple[int, int]]:
    """(last day before, first day after) of each reset segment: a reset on day r
    restarts the count, so only days after r count until the next reset."""
    bounds = [c.birth - 1, *count.resets, INF]
    return zip(bounds, bounds[1:], strict=False)


def _segment_reaches(c: Ctx, a: Timeline, count: Count, start: int) -> Iterator[int]:
    """The first reaching day (>= start) of each reset segment, in order."""
    floor = count.low(c)
    for seg_lo, seg_hi in _segments_of(c, count):
        if seg_hi <= start and seg_hi != INF:
            continue
        t = _reach(a, count, max(floor, seg_lo), max(start, seg_lo + 1))
        if t is not None and t < seg_hi:
            yield t


def _reach(a: Timeline, count: Count, floor: int, lo: int) -> int | None:
    need, window = count.need, count.window
    if window is None:
        t = P.nth_day(a, need, floor + 1)
        return None if t is None else max(t, lo) if _count(a, floor, max(t, lo)) >= need else None
    return P.first_window_reach(a, need, window[0], window[1], lo, floor)


def _count(a: Timeline, floor: int, t: int) -> int:
    return P.total_days(a, floor + 1, t)


def threshold_triggers(c: Ctx, a: Timeline, count: Count, recurring: bool = False) -> list[int]:
    """As a trigger: the first reaching day of each reset segment; ``recurring`` (»hver dag
    hvor«): every day, up to as_of, on which the count reaches the need after a day on
    which it did not (a windowed count can fall back below it and come back)."""
    if recurring and count.window is not None:
        return sorted(set(_segment_crossings(c, a, count)))
    return sorted(set(_segment_reaches(c, a, count, c.birth)))


def _segment_crossings(c: Ctx, a: Timeline, count: Count) -> Iterator[int]:
    floor = count.low(c)
    for seg_lo, seg_hi in _segments_of(c, count):
        low = max(floor, seg_lo)
        t = _reach(a, count, low, seg_lo + 1)
        while t is not None and t < seg_hi and t <= c.as_of:
            yield t
            below = _falls_below(a, count, low, t, min(seg_hi - 1, c.as_of))
            t = None if below is None else _reach(a, count, low, below)


def _falls_below(a: Timeline, count: Count, floor: int, t: int, last: int) -> int | None:
    """The first day after ``t`` (up to ``last``) on which the window count is under the need.

    From one day to the next the window's first day moves at most 3 days (31 − 28), so a
    count n >= need cannot fall under ``need`` for (n − need) // 3 more days: jump that far.
    """
    assert count.window is not None  # only a windowed count falls back
    need = count.need
    counted = P.clip(a, floor + 1)
    through = P.day_counter(counted)
    months, days = count.window
    x = t + 1
    while x <= last:
        n = through(x) - through(add_duration(x, months, days, sign=-1))
        if n < need:
            return x
        x += (n - need) // 3 + 1
    return None


def threshold_passed(c: Ctx, a: Timeline, count: Count, day: int) -> bool:
    """Has the count for ``day`` reached the need (the days of ``a`` counted for it)?"""
    low = max([count.low(c), c.birth - 1, *(r for r in count.resets if r <= day)])
    if count.window is not None:
        low = max(low, add_duration(day, count.window[0], count.window[1], sign=-1))
    return P.total_days(a, low + 1, day) >= count.need


def taken_over(
    c: Ctx, a: Timeline, count: Count, day: int, found: list[int], by_course: bool
) -> list[int]:
    """Catalogue C5, thresholds across a version change: a version that replaces an earlier
    one and has this rule triggers on its first day ``day`` when the count has already
    passed the threshold then and the counted condition holds (a forløb is running; without
    a forløb, the counted timeline holds). ``found``: the triggers without it."""
    if day > c.as_of or day in found:
        return found
    holds = any(s <= day <= e for s, e in c.courses) if by_course else P.contains(a, day)
    if holds and threshold_passed(c, a, count, day):
        return sorted([*found, day])
    return found
