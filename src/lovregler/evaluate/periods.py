"""Interval-set algebra on timelines — the periods a citizen was in some state.

A **timeline** is a tuple of inclusive ``(start, end)`` day-number pairs (see
:mod:`lovregler.timecalc`), sorted, disjoint and non-adjacent: ``(1, 3), (4, 5)`` is written
``(1, 5)``, because catalogue §0 makes touching benefit periods one continuous period. ``end``
may be ``INF`` (an open period). The normal form makes equality of timelines equality of
sets, and lets every operation work per interval instead of per day: a five-year history is
a handful of pairs, not 1,800 days.

Accumulations (catalogue §3, §7; contract §3.7) are answered with prefix sums over the
intervals (:func:`day_counter`), so a count over any range costs one bisect.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from datetime import date
from functools import lru_cache
from itertools import accumulate
from operator import itemgetter

from ..timecalc import INF, add_duration

__all__ = [
    "Timeline",
    "EMPTY",
    "normalize",
    "union",
    "intersect",
    "complement",
    "difference",
    "clip",
    "contains",
    "first_day",
    "last_day",
    "total_days",
    "trim_start",
    "shift",
    "from_each_start",
    "extend_last",
    "nth_day",
    "day_counter",
    "window_count",
    "first_window_reach",
    "first_window_exceeds",
]

Timeline = tuple[tuple[int, int], ...]
EMPTY: Timeline = ()

_end = itemgetter(1)
_AFTER_ALL = INF + 1  # sorts after every end, so (day, _AFTER_ALL) bisects past (day, e)


def normalize(pairs: Iterable[tuple[int, int]]) -> Timeline:
    """The timeline of the days covered by ``pairs``: sorted, overlaps and touches merged.

    Empty pairs (start > end) are dropped; ends past ``INF`` are read as ``INF``.

    >>> normalize([(4, 5), (1, 3), (9, 8), (7, 7)])
    ((1, 5), (7, 7))
    """
    # the open interval in locals (first, last), appended when the next one is apart: no
    # out[-1] read and rebuilt per pair (every ruleset's timelines come through here)
    out: list[tuple[int, int]] = []
    first: int = 0
    last: int | None = None  # no open interval yet (first is set with last)
    for s, e in sorted(pairs):
        if s > e:
            continue
        if e > INF:
            e = INF
        if last is not None and s <= last + 1:  # overlapping or touching the open one
            if e > last:
                last = e
        else:
            if last is not None:
                out.append((first, last))
            first, last = s, e
    if last is not None:
        out.append((first, last))
    return tuple(out)


def union(a: Timeline, b: Timeline) -> Timeline:
    """Days in ``a`` or ``b``.

    >>> union(((1, 3),), ((4, 6), (10, INF)))
    ((1, 6), (10, 1000000000))
    """
    if not a or not b:
        return a or b
    return normalize(a + b)  # two sorted runs: timsort merges them in linear time


def intersect(a: Timeline, b: Timeline) -> Timeline:
    """Days in both ``a`` and ``b`` (two-pointer sweep, O(len a + len b)).

    The pieces are already normal: two adjacent days of a ∩ b lie in one interval of each.

    >>> intersect(((1, 10), (20, 30)), ((5, 25),))
    ((5, 10), (20, 25))
    """
    out = []
    i = j = 0
    while i < len(a) and j < len(b):
        (s1, e1), (s2, e2) = a[i], b[j]
        s, e = max(s1, s2), min(e1, e2)
        if s <= e:
            out.append((s, e))
        if e1 < e2:
            i += 1
        else:
            j += 1
    return tuple(out)


def complement(a: Timeline, lo: int = 1, hi: int = INF) -> Timeline:
    """Days of the universe ``[lo, hi]`` not in ``a``.

    The default universe is every day from 0001-01-01 on, open-ended: the complement of a
    closed history ends open.

    >>> complement(((3, 5), (8, 9)), 1, 10)
    ((1, 2), (6, 7), (10, 10))
    >>> complement(((3, 5),))
    ((1, 2), (6, 1000000000))
    """
    out = []
    cur = lo  # first day not yet known to be covered
    for s, e in a[bisect_left(a, lo, key=_end) :]:
        if s > hi:
            break
        if s > cur:
            out.append((cur, min(s - 1, hi)))
        cur = e + 1
    if cur <= hi:
        out.append((cur, hi))
    return tuple(out)


def difference(a: Timeline, b: Timeline) -> Timeline:
    """Days in ``a`` and not in ``b``.

    >>> difference(((1, 10),), ((3, 4), (8, INF)))
    ((1, 2), (5, 7))
    """
    if not a or not b:
        return a
    return intersect(a, complement(b, a[0][0], INF))


def clip(a: Timeline, lo: int, hi: int = INF) -> Timeline:
    """The days of ``a`` within ``[lo, hi]`` (bisects to the first piece, then walks).

    >>> clip(((1, 10), (20, INF)), 5, 25)
    ((5, 10), (20, 25))
    """
    if lo > hi:
        return EMPTY
    out = []
    for s, e in a[bisect_left(a, lo, key=_end) :]:
        if s > hi:
            break
        out.append((max(s, lo), min(e, hi)))
    return tuple(out)


def contains(a: Timeline, day: int) -> bool:
    """Is ``day`` in ``a``? O(log n).

    >>> contains(((1, 3), (7, INF)), 5), contains(((1, 3), (7, INF)), 70)
    (False, True)
    """
    i = bisect_right(a, (day, _AFTER_ALL))  # number of intervals starting on or before day
    return i > 0 and a[i - 1][1] >= day


def first_day(a: Timeline) -> int | None:
    """The first day of ``a``, or None if empty.

    >>> first_day(((4, 9),)), first_day(EMPTY)
    (4, None)
    """
    return a[0][0] if a else None


def last_day(a: Timeline) -> int | None:
    """The last day of ``a`` (``INF`` if open), or None if empty.

    >>> last_day(((4, 9), (12, 14)))
    14
    """
    return a[-1][1] if a else None


def total_days(a: Timeline, lo: int = 1, hi: int = INF) -> int:
    """Number of days of ``a`` within ``[lo, hi]``; ``INF`` if an open period reaches ``hi=INF``.

    >>> total_days(((1, 10), (20, 30)), 5, 25)  # 5..10 is 6 days, 20..25 is 6 days
    12
    """
    n = 0
    for s, e in clip(a, lo, hi):
        if e >= INF:
            return INF
        n += e - s + 1
    return n


def trim_start(a: Timeline, n: int) -> Timeline:
    """Each interval without its first ``n`` days; intervals of ``n`` days or fewer vanish.

    "From day 31 of each spell" is ``trim_start(spells, 30)`` (catalogue §7). Because the
    intervals are not adjacent, what remains needs no re-normalising.

    >>> trim_start(((1, 40), (50, 60), (70, INF)), 30)
    ((31, 40), (100, 1000000000))
    """
    if n < 0:
        raise ValueError(f"trim_start needs n >= 0, got {n}")
    return tuple((s + n, e) for s, e in a if s + n <= e)


def shift(a: Timeline, n: int) -> Timeline:
    """Every interval moved by ``n`` days; an open end stays open.

    >>> shift(((1, 3), (7, INF)), 10)
    ((11, 13), (17, 1000000000))
    """
    return tuple((s + n, e + n if e < INF else INF) for s, e in a)


def from_each_start(a: Timeline, months: int, days: int) -> Timeline:
    """Each interval from its start + (``months``, ``days``) on; intervals too short vanish.

    "A continuous period that has lasted 5 år: from its start + 5 år" (catalogue §9) is
    ``from_each_start(periods, 60, 0)``; the arithmetic is contract §3.2/§3.8.

    >>> from lovregler.timecalc import parse_iso as d, fmt
    >>> [(fmt(s), fmt(e)) for s, e in from_each_start(((d("2010-03-01"), INF),), 60, 0)]
    [('2015-03-01', 'åben')]
    >>> from_each_start(((d("2014-01-01"), d("2018-12-31")),), 60, 0)  # lasted under 5 år
    ()
    """
    out = []
    for s, e in a:
        start = add_duration(s, months, days)
        if start <= e:
            out.append((start, e))
    return tuple(out)


def extend_last(a: Timeline) -> Timeline:
    """``a`` with its last interval made open: "had the last period continued" (catalogue §0).

    >>> extend_last(((1, 3), (7, 9)))
    ((1, 3), (7, 1000000000))
    """
    return a[:-1] + ((a[-1][0], INF),) if a else a


def nth_day(a: Timeline, n: int, lo: int = 1) -> int | None:
    """The day on which the days of ``a`` on or after ``lo`` number ``n``; None if they never do.

    O(number of intervals): one walk, subtracting whole intervals. ``n <= 0`` is reached at
    once, on ``lo``. An open interval always gets there.

    >>> nth_day(((1, 10), (21, 30)), 15, 3)  # 3..10 is 8 days, then 21..27 is 7 more
    27
    """
    if n <= 0:
        return lo
    for s, e in a[bisect_left(a, lo, key=_end) :]:
        s = max(s, lo)
        if n <= e - s + 1:
            return s + n - 1
        n -= e - s + 1
    return None


def day_counter(a: Timeline) -> Callable[[int], int]:
    """A function ``t -> number of days of a on or before t``, O(log n) per call.

    Build it once per timeline when asking many counts (prefix sums over the intervals).

    >>> through = day_counter(((1, 10), (21, INF)))
    >>> through(0), through(5), through(15), through(25)
    (0, 5, 10, 15)
    """
    starts = [s for s, _ in a]
    before = list(accumulate((e - s + 1 for s, e in a), initial=0))  # days of a[:i]

    def through(t: int) -> int:
        i = bisect_right(starts, t)
        if i == 0:
            return 0
        s, e = a[i - 1]
        return before[i - 1] + min(e, t) - s + 1

    return through


def _window_floor(t: int, months: int, days: int, reset_after: int | None) -> int:
    # Days counted from t are those d with floor < d <= t (contract §3.7, §3.8).
    floor = add_duration(t, months, days, sign=-1)
    return floor if reset_after is None or reset_after < floor else reset_after


def window_count(
    a: Timeline, t: int, months: int, days: int, reset_after: int | None = None
) -> int:
    """Days d of ``a`` with max(t − window, reset_after) < d <= t (contract §3.7).

    The window is (``months``, ``days``) subtracted with contract §3.8. This is the number an
    explanation quotes for the day a threshold is reached.

    >>> from lovregler.timecalc import parse_iso as d
    >>> window_count(((d("2015-01-01"), INF),), d("2016-08-30"), 18, 0)  # (2015-02-28, t]
    549
    """
    return total_days(a, _window_floor(t, months, days, reset_after) + 1, t)


@lru_cache(maxsize=256)
def _widest_window(months: int, days: int) -> int:
    """Most days a window of (``months``, ``days``) can span, over all t.

    The span t − (t − months − days) depends on month lengths only. Scanning one 4-year leap
    cycle inside 1901–2099, where every 4th year is a leap year, finds the maximum: no other
    era packs more leap days into a window, and a leap day never shortens one.
    """
    first, last = date(2001, 1, 1).toordinal(), date(2004, 12, 31).toordinal()
    return max(t - add_duration(t, months, days, sign=-1) for t in range(first, last + 1))


def first_window_reach(
    a: Timeline,
    n: int,
    window_months: int,
    window_days: int,
    lo: int = 1,
    reset_after: int | None = None,
) -> int | None:
    """First day t >= ``lo`` on which :func:`window_count` reaches ``n``; None if never.

    The window is (t − window, t] (contract §3.7, §3.8), further cut to days after
    ``reset_after`` when given ("counting only days after the last revurdering", catalogue §3).
    Days before ``lo`` still count inside a window; ``lo`` only bounds t.

    Algorithm: count(t) = days of ``a`` in (L(t), t], one bisect with prefix sums. Start at
    the day the un-windowed count reaches n (count(t) can't be higher before it). If
    count(t) = c < n, then no t' < t + (n − c) can reach n, because L is non-decreasing in t
    (month subtraction is monotone), so count(t') <= c + (t' − t). Jump there, and on to the
    next interval start if that day is outside ``a``: after a day outside ``a`` the count
    cannot have risen. Termination: every step moves t forward by at least one day. With a
    closed last interval t passes its end and we return None. With an open one starting at S,
    once L(t) >= S − 1 the count is the window's span t − L(t); we first returned None if
    ``n`` exceeds the widest span, so a span >= n recurs within a leap cycle and t reaches it.

    >>> from lovregler.timecalc import parse_iso as d, fmt
    >>> spells = ((d("2015-01-01"), d("2015-04-30")), (d("2015-10-01"), INF))
    >>> fmt(first_window_reach(spells, 155, 9, 0))  # the first spell falls out of the window
    '2016-03-03'
    """
    if n <= 0:
        return lo
    if n > _widest_window(window_months, window_days):
        return None
    if reset_after is not None:
        a = clip(a, reset_after + 1)
    t = nth_day(a, n)
    if t is None:
        return None
    t = max(t, lo)
    through = day_counter(a)
    while (c := through(t) - through(add_duration(t, window_months, window_days, sign=-1))) < n:
        t += n - c
        i = bisect_right(a, (t, _AFTER_ALL))
        if a[i - 1][1] < t:  # t fell in a gap (i >= 1 as t is past a's first start)
            if i == len(a):
                return None
            t = a[i][0]
    return t


def first_window_exceeds(
    a: Timeline,
    n: int,
    window_months: int,
    window_days: int,
    lo: int = 1,
    reset_after: int | None = None,
) -> int | None:
    """First day t >= ``lo`` on which the window count exceeds ``n`` (reaches ``n + 1``).

    "Exceed 154 (22 uger) in (t − 9 måneder, t]" (catalogue §7) is
    ``first_window_exceeds(days, 154, 9, 0)``.

    >>> first_window_exceeds(((1, INF),), 5, 0, 10)
    6
    """
    return first_window_reach(a, n + 1, window_months, window_days, lo, reset_after)
