"""Tests for lovregler.evaluate.periods: hand-worked examples, then every function against a naive
day-set model (a timeline is the set of its days up to a horizon H)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lovregler.evaluate.periods import (
    EMPTY,
    Timeline,
    _widest_window,
    clip,
    complement,
    contains,
    day_counter,
    difference,
    extend_last,
    first_day,
    first_window_exceeds,
    first_window_reach,
    from_each_start,
    intersect,
    last_day,
    normalize,
    nth_day,
    shift,
    total_days,
    trim_start,
    union,
    window_count,
)
from lovregler.timecalc import INF, add_duration, add_months, fmt, parse_iso


def D(s: str) -> int:
    return parse_iso(s)


def F(day: int | None) -> str | None:
    return None if day is None else fmt(day)


# --- hand-worked examples ----------------------------------------------------------------------


def test_normalize_merges_touching_and_overlapping() -> None:
    assert normalize([(1, 3), (4, 5)]) == ((1, 5),)  # 3 and 4 touch: one period (catalogue §0)
    assert normalize([(1, 3), (5, 6)]) == ((1, 3), (5, 6))  # day 4 missing: two periods
    assert normalize([(5, 9), (1, 6), (2, 3)]) == ((1, 9),)
    assert normalize([(1, 3), (2, INF), (10, 12)]) == ((1, INF),)
    assert normalize([(5, 4)]) == EMPTY
    assert normalize([]) == EMPTY


def test_set_operations() -> None:
    a = ((1, 10), (20, 30))
    b = ((5, 25), (40, INF))
    assert union(a, b) == ((1, 30), (40, INF))
    assert intersect(a, b) == ((5, 10), (20, 25))
    assert difference(a, b) == ((1, 4), (26, 30))
    assert difference(b, a) == ((11, 19), (40, INF))
    assert complement(a) == ((11, 19), (31, INF))  # universe: day 1 on, open
    assert complement(b, 1, 50) == ((1, 4), (26, 39))
    assert complement(EMPTY, 3, 7) == ((3, 7),)
    assert complement(((1, INF),)) == EMPTY


def test_queries() -> None:
    a = ((1, 10), (20, INF))
    assert clip(a, 5, 25) == ((5, 10), (20, 25))
    assert clip(a, 11, 19) == EMPTY
    assert [contains(a, d) for d in (0, 1, 10, 11, 19, 20, 10**6)] == [
        False,
        True,
        True,
        False,
        False,
        True,
        True,
    ]
    assert first_day(a) == 1 and last_day(a) == INF
    assert total_days(a, 5, 25) == 12  # 5..10 = 6 days, 20..25 = 6 days
    assert total_days(a) == INF  # open
    assert total_days(((1, 10),)) == 10


def test_sygedagpenge_from_day_31() -> None:
    # catalogue §7, ansat=true: kommune pays from day 31 of each spell.
    spells = ((D("2015-01-01"), D("2015-03-31")), (D("2015-05-01"), D("2015-05-20")))
    paid = trim_start(spells, 30)
    # day 1 = 1 Jan, day 31 = 1 Jan + 30 = 31 Jan; the 20-day May spell never reaches day 31
    assert paid == ((D("2015-01-31"), D("2015-03-31")),)


def test_shift_and_extend_last() -> None:
    assert shift(((1, 3), (7, INF)), -1) == ((0, 2), (6, INF))
    assert extend_last(((1, 3), (7, 9))) == ((1, 3), (7, INF))
    assert extend_last(EMPTY) == EMPTY


def test_flere_skal_med_lasted_5_years() -> None:
    # catalogue §9: a kontanthjælp period that has lasted 5 år, from start + 5 år.
    periods = (
        (D("2010-03-01"), INF),  # 2010-03-01 + 5 år = 2015-03-01
    )
    assert from_each_start(periods, 60, 0) == ((D("2015-03-01"), INF),)
    short = ((D("2011-02-28"), D("2016-02-27")),)  # + 5 år = 2016-02-28 > end: vanishes
    assert from_each_start(short, 60, 0) == EMPTY
    leap = ((D("2012-02-29"), D("2017-02-28")),)  # + 60 måneder = 2017-02-28 (clamped) = end
    assert from_each_start(leap, 60, 0) == ((D("2017-02-28"), D("2017-02-28")),)


def test_nth_day_jobrettet_uddannelse() -> None:
    # catalogue §3: "until the day on which ledighedsydelse days since then reach 273".
    ly = ((D("2015-01-01"), INF),)
    # cumulative: Jan 31, Feb 59, Mar 90, Apr 120, May 151, Jun 181, Jul 212, Aug 243, Sep 273
    assert F(nth_day(ly, 273, D("2015-01-01"))) == "2015-09-30"
    # with a gap: 2015-01-01..2015-01-31 is 31 days, so 242 more are needed from 2015-03-01;
    # cumulative from 1 Mar: Mar 31, Apr 61, May 92, Jun 122, Jul 153, Aug 184, Sep 214,
    # then 214 + 28 = 242 on 28 Oct
    gap = ((D("2015-01-01"), D("2015-01-31")), (D("2015-03-01"), INF))
    assert F(nth_day(gap, 273, D("2015-01-01"))) == "2015-10-28"
    assert nth_day(((1, 5),), 6, 1) is None
    assert nth_day(((1, 5),), 0, 3) == 3


def test_first_window_single_open_spell() -> None:
    # catalogue §7, ansat=false: paid from day 1 of a spell from 2015-01-01.
    # exceed 154 in (t − 9 måneder, t]: day 155 = Jan 31, Feb 59, Mar 90, Apr 120, May 151,
    # + 4 = 2015-06-04; t − 9 måneder = 2014-09-04, so the whole spell is in the window.
    paid = ((D("2015-01-01"), INF),)
    assert F(first_window_exceeds(paid, 154, 9, 0)) == "2015-06-04"


def test_first_window_first_spell_drops_out() -> None:
    # Spell 1: 2015-01-01..2015-04-30 (120 days); spell 2 from 2015-10-01, open.
    # Un-windowed, 155 days are reached on 2015-10-01 + 34 = 2015-11-04, but the 9-month
    # window then holds only ~120: e.g. t = 2015-12-31, L = 2015-03-31: 30 (Apr) + 92 = 122.
    # Once L >= 2015-04-30 (t = 2016-01-30) spell 1 is out; spell 2 alone reaches 155 on
    # Oct 31, Nov 61, Dec 92, Jan 123, Feb 152 (2016 is leap), + 3 = 2016-03-03.
    spells = ((D("2015-01-01"), D("2015-04-30")), (D("2015-10-01"), INF))
    assert F(first_window_reach(spells, 155, 9, 0)) == "2016-03-03"
    assert window_count(spells, D("2015-12-31"), 9, 0) == 122
    assert window_count(spells, D("2016-03-03"), 9, 0) == 155
    # closed second spell ending 2016-03-02 never gets there
    closed = ((D("2015-01-01"), D("2015-04-30")), (D("2015-10-01"), D("2016-03-02")))
    assert first_window_reach(closed, 155, 9, 0) is None


def test_first_window_with_reset() -> None:
    # catalogue §3 revurdering_12_af_18: ledighedsydelse from 2015-01-01, revurdering
    # 2015-06-30: count only days from 2015-07-01. 2015-07-01..2016-06-30 is 366 days (leap
    # Feb 2016), so the 365th day is 2016-06-29; its window (2014-12-29, t] holds them all.
    ly = ((D("2015-01-01"), INF),)
    t = first_window_reach(ly, 365, 18, 0, reset_after=D("2015-06-30"))
    assert F(t) == "2016-06-29"
    # without the reset: day 365 since 2015-01-01 = 2015-12-31
    assert F(first_window_reach(ly, 365, 18, 0)) == "2015-12-31"


def test_first_window_lo_bounds_t_only() -> None:
    # 10 days long ago still count if lo lies inside their window
    a = ((1000, 1009),)
    assert first_window_reach(a, 5, 0, 30, lo=1015) == 1015  # window (985, 1015] holds all 10
    assert first_window_reach(a, 5, 0, 30, lo=1036) is None  # window (1006, 1036]: 3 days
    assert first_window_reach(a, 0, 0, 30, lo=5000) == 5000


def test_first_window_too_narrow() -> None:
    open_spell = ((D("2015-01-01"), INF),)
    assert first_window_reach(open_spell, 31, 0, 30) is None  # 30-day window holds 30 days
    assert first_window_reach(open_spell, 30, 0, 30) == D("2015-01-30")
    # 12 months span 366 days only around a leap day: reached, on 2016-02-29
    # (window (2015-02-28, 2016-02-29] = 366 days); 367 never.
    assert F(first_window_reach(open_spell, 366, 12, 0)) == "2016-02-29"
    assert first_window_reach(open_spell, 367, 12, 0) is None


def test_widest_window() -> None:
    assert _widest_window(0, 10) == 10
    assert _widest_window(1, 0) == 31
    assert _widest_window(12, 0) == 366
    # e.g. (2015-02-28, 2016-08-31]: Mar 2015..Feb 2016 = 366, Mar..Aug 2016 = 184
    assert _widest_window(18, 0) == 550
    # brute force over 1990-2030 agrees (covers leap and non-leap years)
    lo, hi = D("1990-01-01"), D("2030-12-31")
    for months, days in [(1, 0), (9, 0), (18, 0), (3, 5), (48, 0)]:
        span = max(t - add_duration(t, months, days, sign=-1) for t in range(lo, hi))
        assert _widest_window(months, days) == span


def test_first_window_steps_at_most_once_per_day_on_a_fragmented_history(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Five years of one-day-on, one-day-off: the worst case for the jump (the count hovers
    # just under n). A per-day rescan would count ~1800 windows of ~270 days each; the jump
    # tests one window per step (two lookups in the prefix-sum counter) and every step moves
    # t on by at least a day, so the 1,799 days of the history bound each call's steps.
    # Counted, not timed. On the module's source: compiled, first_window_reach would call
    # day_counter directly, past the replacement.
    from lovregler import _native

    periods_module = _native.pure_copy("lovregler.evaluate.periods")
    reach = periods_module.first_window_reach

    lookups = 0
    real = periods_module.day_counter

    def counting_day_counter(a: Timeline) -> Callable[[int], int]:
        through = real(a)

        def counted(t: int) -> int:
            nonlocal lookups
            lookups += 1
            return through(t)

        return counted

    monkeypatch.setattr(periods_module, "day_counter", counting_day_counter)
    start = D("2015-01-01")
    a = tuple((start + 2 * i, start + 2 * i) for i in range(900))
    assert reach(a, 276, 18, 0) is None  # 18 months hold at most 275 such days
    assert reach(a, 270, 18, 0) is not None
    assert 0 < lookups <= 2 * 2 * 1_799


# --- the naive model ----------------------------------------------------------------------------

B = D("2015-01-01")  # spans the 2016 leap day; month arithmetic needs real dates
SPAN = 400
H = B + SPAN + 5 * 366 + 600  # horizon: open intervals are read as ending here


def days_of(a: Timeline) -> set[int]:
    return {d for s, e in a for d in range(s, min(e, H) + 1)}


def runs(days: set[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for d in sorted(days):
        if out and d == out[-1][1] + 1:
            out[-1] = (out[-1][0], d)
        else:
            out.append((d, d))
    return out


def assert_normal(a: Timeline) -> None:
    assert isinstance(a, tuple)
    for s, e in a:
        assert s <= e
        assert e <= B + SPAN * 3 or e == INF  # no stray huge finite end
    for (_, e1), (s2, _) in zip(a, a[1:], strict=False):
        assert s2 > e1 + 1  # sorted, disjoint, not touching


@st.composite
def raw_pairs(draw: st.DrawFn) -> list[tuple[int, int]]:
    n = draw(st.integers(min_value=0, max_value=6))
    pairs: list[tuple[int, int]] = []
    for _ in range(n):
        s = draw(st.integers(min_value=B, max_value=B + SPAN))
        pairs.append((s, s + draw(st.integers(min_value=-1, max_value=60))))
    if draw(st.booleans()) and pairs:  # sometimes end with an open period
        pairs.append((draw(st.integers(min_value=B, max_value=B + SPAN)), INF))
    return pairs


timelines = raw_pairs().map(normalize)
day = st.integers(min_value=B - 5, max_value=B + SPAN + 5)


@given(raw_pairs())
def test_normalize_naive(pairs: list[tuple[int, int]]) -> None:
    a = normalize(pairs)
    assert_normal(a)
    assert days_of(a) == {d for s, e in pairs for d in range(s, min(e, H) + 1)}
    assert (a[-1][1] == INF if a else False) == any(e == INF for _, e in pairs)


@given(timelines, timelines)
def test_set_ops_naive(a: Timeline, b: Timeline) -> None:
    for got, want in [
        (union(a, b), days_of(a) | days_of(b)),
        (intersect(a, b), days_of(a) & days_of(b)),
        (difference(a, b), days_of(a) - days_of(b)),
    ]:
        assert_normal(got)
        assert days_of(got) == want
    assert union(a, b) == normalize(list(a) + list(b))


@given(timelines, day, day)
def test_complement_and_clip_naive(a: Timeline, lo: int, hi: int) -> None:
    universe = set(range(lo, hi + 1))
    c = complement(a, lo, hi)
    assert_normal(c)
    assert days_of(c) == universe - days_of(a)
    k = clip(a, lo, hi)
    assert_normal(k)
    assert days_of(k) == universe & days_of(a)
    assert total_days(a, lo, hi) == len(universe & days_of(a))
    open_c = complement(a, lo)
    assert days_of(open_c) == set(range(lo, H + 1)) - days_of(a)


@given(timelines, day)
def test_contains_naive(a: Timeline, d: int) -> None:
    assert contains(a, d) == (d in days_of(a))
    assert first_day(a) == (min(days_of(a)) if a else None)


@given(timelines, st.integers(min_value=0, max_value=40), st.integers(min_value=-30, max_value=30))
def test_trim_shift_extend_naive(a: Timeline, n: int, k: int) -> None:
    s = days_of(a)
    trimmed = trim_start(a, n)
    assert_normal(trimmed)
    # a day survives if it and the n days before it are all in a (it is day n+1 or later of its run)
    assert days_of(trimmed) == {d for d in s if all(d - i in s for i in range(n + 1))}
    # compared below H - 30 only: a shifted open interval reaches H, the shifted set doesn't
    assert {d for d in days_of(shift(a, k)) if d <= H - 30} == {d + k for d in s if d + k <= H - 30}
    extended = extend_last(a)
    assert_normal(extended)
    if a:
        last_start = runs(s)[-1][0]
        assert days_of(extended) == s | set(range(last_start, H + 1))


@given(timelines, st.integers(min_value=0, max_value=14), st.integers(min_value=0, max_value=40))
def test_from_each_start_naive(a: Timeline, months: int, days: int) -> None:
    got = from_each_start(a, months, days)
    assert_normal(got)
    want = set()
    for s, e in runs(days_of(a)):
        want |= set(range(add_duration(s, months, days), e + 1))
    assert days_of(got) == want


@given(timelines, st.integers(min_value=-2, max_value=500), day)
def test_nth_day_naive(a: Timeline, n: int, lo: int) -> None:
    s = days_of(a)
    want: int | None = lo if n <= 0 else None
    count = 0
    for d in range(lo, H + 1):
        if n > 0 and d in s:
            count += 1
            if count == n:
                want = d
                break
    assert nth_day(a, n, lo) == want


@given(timelines, st.integers(min_value=B - 10, max_value=H))
def test_day_counter_naive(a: Timeline, t: int) -> None:
    assert day_counter(a)(t) == sum(1 for d in days_of(a) if d <= t)


def naive_first_window_reach(
    a: Timeline, n: int, months: int, days: int, lo: int, reset_after: int | None
) -> int | None:
    """Per-day scan with a per-day running count: obviously right, too slow for production."""
    s = days_of(a)
    first = B - 2000  # far enough back for every window that ends in [lo, H]
    upto = {first - 1: 0}  # upto[x] = #{d in s : d <= x}
    for x in range(first, H + 1):
        upto[x] = upto[x - 1] + (x in s)
    for t in range(lo, H + 1):
        floor = add_months(t, -months) - days
        if reset_after is not None:
            floor = max(floor, reset_after)
        # a reset after t leaves the window empty
        count = 0 if floor >= t else upto[t] - upto[max(floor, first - 1)]
        if count >= n:
            return t
    return None


@settings(max_examples=300, deadline=None)
@given(
    timelines,
    st.integers(min_value=0, max_value=200),
    st.integers(min_value=0, max_value=14),
    st.integers(min_value=0, max_value=40),
    day,
    st.one_of(st.none(), day),
)
def test_first_window_reach_naive(
    a: Timeline, n: int, months: int, days: int, lo: int, reset_after: int | None
) -> None:
    if months == 0 and days == 0:
        days = 1
    want = naive_first_window_reach(a, n, months, days, lo, reset_after)
    assert first_window_reach(a, n, months, days, lo, reset_after) == want
    if want is not None and n > 0:
        assert window_count(a, want, months, days, reset_after) >= n
    assert first_window_exceeds(a, n, months, days, lo, reset_after) == naive_first_window_reach(
        a, n + 1, months, days, lo, reset_after
    )


@settings(max_examples=50, deadline=None)
@given(
    st.integers(min_value=B, max_value=B + SPAN),
    st.integers(min_value=1, max_value=14),
    st.integers(min_value=0, max_value=5),
)
def test_first_window_near_widest_span(start: int, months: int, slack: int) -> None:
    # n near the widest span: the open-period case that needs the leap-cycle argument
    a = ((start, INF),)
    n = _widest_window(months, 0) - slack
    want = naive_first_window_reach(a, n, months, 0, B, None)
    assert want is not None
    assert first_window_reach(a, n, months, 0, B) == want
    assert first_window_reach(a, n + slack + 1, months, 0, B) is None


def test_month_window_uses_contract_subtraction() -> None:
    # (t − 18 måneder, t] with t = 2016-08-30: 2016-08-30 − 18 måneder = 2015-02-28 (§3.8),
    # so 2015-02-28 is out and 2015-03-01 is in.
    t = D("2016-08-30")
    assert window_count(((D("2015-02-28"), D("2015-02-28")),), t, 18, 0) == 0
    assert window_count(((D("2015-03-01"), D("2015-03-01")),), t, 18, 0) == 1
    assert dt.date.fromordinal(add_months(t, -18)) == dt.date(2015, 2, 28)


@pytest.mark.parametrize("n", [-1])
def test_trim_start_rejects_negative(n: int) -> None:
    with pytest.raises(ValueError):
        trim_start(((1, 5),), n)
