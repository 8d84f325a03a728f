"""Thresholds (catalogue §0 and C5): the first day a count of a timeline's days reaches an
amount, the days it crosses it again, and the trigger days of one (one per reset segment)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...syntax import ast
from ...timecalc import add_duration
from .scope import Instance, intervals

if TYPE_CHECKING:
    from .citizen import Citizen


def threshold(c: Citizen, expr: ast.Threshold, inst: Instance | None, lo: int | None) -> int | None:
    """The first day t (>= lo) on which the counted days of the timeline reach the amount.

    Days counted for t: days d of the timeline with d <= t, d > t − window (if a window),
    d >= counted_from / d > counted_after (if given), d > the latest reset event on or
    before t (if reset_by). In a deadline, a count the periods never reach is reached as
    if the last period had continued.
    """
    days = c.timeline(expr.timeline, inst)
    if inst is not None and inst.in_deadline and days:
        last_run = intervals(days, c.horizon)[-1]
        days = days | set(range(last_run[0], c.horizon + 1))
    need = _needed(expr)
    floor = _count_floor(c, expr, inst)
    resets = _reset_days(c, expr)
    start = max(c.lo, lo if lo is not None else c.lo)
    if need > 0:
        # no day of the timeline on or before t: the count is 0 (skip the empty years)
        start = max(start, min(days, default=c.horizon + 1))
    # upto[i] = number of timeline days d with c.lo <= d < c.lo + i, so the days in
    # (bottom, t] number upto[t + 1 − lo] − upto[bottom + 1 − lo]
    upto = [0]
    for d in range(c.lo, c.horizon + 1):
        upto.append(upto[-1] + (d in days))
    for t in range(start, c.horizon + 1):
        bottom = _last_uncounted(c, expr, floor, resets, t)
        count = upto[t + 1 - c.lo] - upto[bottom + 1 - c.lo]
        if count >= need:
            return t
    return None


def _needed(expr: ast.Threshold) -> int:
    """The days the count must reach: the amount, one more for »mere end«."""
    return expr.amount.days + (1 if expr.more_than else 0)


def _last_uncounted(c: Citizen, expr: ast.Threshold, floor: int, resets: list[int], t: int) -> int:
    """The last day not counted for t: the floor, the latest reset on or before t, or
    (with a window) the day the window starts after; never before c.lo − 1 nor after t."""
    bottom = max(floor, _latest_below(c, resets, t))
    if expr.window is not None:
        w = expr.window
        bottom = max(bottom, add_duration(t, w.months, w.days, sign=-1))
    return min(max(bottom, c.lo - 1), t)


def _count_floor(c: Citizen, expr: ast.Threshold, inst: Instance | None) -> int:
    """Days on or below the returned day are not counted."""
    if expr.counted_from is not None:
        day = c.date(expr.counted_from, inst)
        return c.lo - 1 if day is None else day - 1
    if expr.counted_after is not None:
        day = c.date(expr.counted_after, inst)
        return c.lo - 1 if day is None else day
    return c.lo - 1


def _reset_days(c: Citizen, expr: ast.Threshold) -> list[int]:
    if expr.reset_by is None:
        return []
    return [e.day for e in c.events if c.matches(expr.reset_by, e, None)]


def _latest_below(c: Citizen, resets: list[int], t: int) -> int:
    earlier = [r for r in resets if r <= t]
    return max(earlier) if earlier else c.lo - 1


def counts(c: Citizen, expr: ast.Threshold, inst: Instance | None, last: int) -> dict[int, int]:
    """The count for every day t from the citizen's first day through ``last`` (the days
    of the timeline counted for t, as :func:`threshold` counts them)."""
    days = c.timeline(expr.timeline, inst)
    floor = _count_floor(c, expr, inst)
    resets = _reset_days(c, expr)
    # upto[i]: timeline days d with lo <= d < lo + i (as in threshold)
    upto = [0]
    for d in range(c.lo, last + 1):
        upto.append(upto[-1] + (d in days))
    out = {}
    for t in range(c.lo, last + 1):
        bottom = _last_uncounted(c, expr, floor, resets, t)
        out[t] = upto[t + 1 - c.lo] - upto[bottom + 1 - c.lo]
    return out


def crossings(c: Citizen, expr: ast.Threshold, inst: Instance) -> list[int]:
    """»hver dag hvor«: every day t up to as_of on which the count reaches the amount
    after a day on which it did not (catalogue C5, §7 thresholds recur)."""
    need = _needed(expr)
    count = counts(c, expr, inst, c.as_of)
    return [
        t
        for t in range(c.lo, c.as_of + 1)
        if count[t] >= need and (t == c.lo or count[t - 1] < need)
    ]


def passed_on(c: Citizen, expr: ast.Threshold, inst: Instance, day: int) -> bool:
    """Has the count reached the amount on ``day``?"""
    need = _needed(expr)
    return day >= c.lo and counts(c, expr, inst, day)[day] >= need


def threshold_triggers(c: Citizen, expr: ast.Threshold, inst: Instance) -> list[int]:
    """As a trigger: one day per reset segment (the count restarts after each reset);
    a recurring one (»hver dag hvor«) with a window: every crossing."""
    if expr.recurring and expr.window is not None:
        return crossings(c, expr, inst)
    if expr.reset_by is None:
        t = threshold(c, expr, inst, lo=None)
        return [] if t is None else [t]
    bounds = [c.lo - 1, *_reset_days(c, expr), c.horizon]
    out = []
    for lo, hi in zip(bounds, bounds[1:], strict=False):
        t = threshold(c, expr, inst, lo=lo + 1)
        if t is not None and t < hi:
            out.append(t)
    return sorted(set(out))
