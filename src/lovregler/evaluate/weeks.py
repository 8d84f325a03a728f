"""Refusion week numbering (catalogue §8): benefit weeks numbered as § 6 of lov nr. 994 af
30/08/2015 says, reported as runs of equal rates.

Generated code calls :func:`week_values` through :mod:`lovregler.evaluate.runtime` (it is in
``runtime.__all__``); it works on the interval timelines of :mod:`lovregler.evaluate.periods`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..results import Value
from ..timecalc import iso_week_monday
from . import periods as P

if TYPE_CHECKING:
    from .runtime import Ctx, Span

Timeline = P.Timeline


def week_values(
    c: Ctx,
    span: Span,
    a: Timeline,
    not_self: Timeline | None,
    counted_from: int | None,
    gap: int,
    lookback: int,
    rates: tuple[tuple[int, int | None], ...],
) -> list[Value]:
    """Benefit weeks numbered as refusion § 6 says, reported as runs of equal rates.

    Works per run of weeks, not per day. Week 0 is the week (Monday–Sunday) that holds the
    first day that exists for the count (``counted_from``, else the span's first day; days
    before it do not exist). A week is a benefit week when ``a`` meets it; a restarting week
    is any other week on whose every existing day self-support holds: that ``not_self``
    (the days on which it does not) meets none of them (without it: any other week). Runs of
    equal rates are listed for the weeks from the week of the span's first day that begin on
    or before as_of.
    """
    first_day = max(span.start if counted_from is None else counted_from, c.birth)
    first = iso_week_monday(first_day)
    last = (c.as_of - first) // 7  # the week that holds as_of
    if last < 0:
        return []
    benefit = _week_runs(P.clip(a, first_day, c.as_of), first, c.as_of)
    if not_self is None:
        other = benefit
    else:  # a week with a day on which self-support does not hold, or a benefit day
        gaps = P.clip(not_self, first_day, first + 7 * last + 6)
        other = _merge_runs(benefit + _week_runs(gaps, first, c.as_of)) if gaps else benefit
    counter = _RestartCounter(other, last)
    show = (iso_week_monday(span.start) - first) // 7  # the first week that is listed
    out: list[Value] = []
    number, last_one, previous = 0, -1, -1
    for w0, w1 in benefit:  # week indexes (0 = the week of first_day), inclusive
        if last_one < 0 or counter.restarted(last_one, previous, w0, gap, lookback):
            number, last_one = 0, w0
        number = _emit_run(out, span, first, w0, w1, number, rates, show)
        previous = w1
    return out


def _merge_runs(runs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for w0, w1 in sorted(runs):
        if out and w0 <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], w1))
        else:
            out.append((w0, w1))
    return out


class _RestartCounter:
    """Weeks that restart the count: every week 0..last outside the ``other`` runs."""

    def __init__(self, other: list[tuple[int, int]], last: int):
        self.other = other
        self.selfs = [
            (lo, hi)
            for lo, hi in zip(
                [0, *(w1 + 1 for _, w1 in other)], [*(w0 - 1 for w0, _ in other), last], strict=True
            )
            if lo <= hi
        ]

    def count(self, lo: int, hi: int) -> int:
        """Restarting weeks in [lo, hi]."""
        return sum(max(0, min(w1, hi) - max(w0, lo) + 1) for w0, w1 in self.selfs)

    def restarted(self, last_one: int, previous: int, nxt: int, gap: int, lookback: int) -> bool:
        """Did the count restart at the end of a week e in (previous, nxt), e > last_one: do the
        restarting weeks after week ``last_one`` among the ``lookback`` weeks ending with e
        reach ``gap``? Within a run of restarting weeks that count never falls, so the ends of
        those runs (cut at nxt − 1) are the only weeks to look at."""
        for w0, w1 in self.selfs:
            e = min(w1, nxt - 1)
            if e <= previous or w0 >= nxt:
                continue
            if self.count(max(last_one + 1, e - lookback + 1), e) >= gap:
                return True
        return False


def _week_runs(a: Timeline, first: int, as_of: int) -> list[tuple[int, int]]:
    """Runs of consecutive weeks (week index from ``first``) that ``a`` meets, up to as_of."""
    weeks: list[tuple[int, int]] = []
    for s, e in a:
        w0 = (s - first) // 7
        w1 = (min(e, as_of + 6) - first) // 7
        w1 = min(w1, (as_of - first) // 7)
        if w0 > w1:
            continue
        if weeks and weeks[-1][1] >= w0 - 1:
            weeks[-1] = (weeks[-1][0], max(weeks[-1][1], w1))
        else:
            weeks.append((w0, w1))
    return weeks


def _emit_run(
    out: list[Value],
    span: Span,
    first: int,
    w0: int,
    w1: int,
    number: int,
    rates: tuple[tuple[int, int | None], ...],
    show: int,
) -> int:
    """Number the weeks w0..w1 onwards from ``number``; append runs of equal rates for the
    weeks from ``show`` on."""
    w = w0
    while w <= w1:
        n = number + 1
        rate, upto = next((v, u) for v, u in rates if u is None or n <= u)
        stop = w1 if upto is None else min(w1, w + (upto - n))
        number += stop - w + 1
        lo = max(w, show)
        if lo <= stop:
            monday, sunday = first + 7 * lo, first + 7 * stop + 6
            if out and out[-1].value == rate and out[-1].until_day == monday - 1:
                prev = out[-1]
                out[-1] = Value(prev.rule, prev.version, prev.start_day, sunday, rate)
            else:
                version = span.version_on(max(monday, span.start))
                if version is not None:
                    out.append(Value(span.info, version, monday, sunday, rate))
        w = stop + 1
    return number
