"""Refusion week numbering (catalogue §8): benefit weeks numbered as § 6 of lov nr. 994 af
30/08/2015 says, reported as runs of equal rates.

Generated code calls :func:`week_values` through :mod:`lovregler.evaluate.runtime` (it is in
``runtime.__all__``); it works on the interval timelines of :mod:`lovregler.evaluate.periods`.

Everything here is counted in *week indexes*: week 0 is the ISO week (Monday–Sunday) that
holds the first day that exists for the count, and a set of weeks is a sorted list of runs
``(w0, w1)`` of consecutive weeks, inclusive, with a gap of at least one week between runs.
A history is a handful of periods, so the work is a few runs per citizen, never a loop over
weeks or days, and no object is made per week.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..results import Value
from . import periods as P

if TYPE_CHECKING:
    from .context import Ctx, Span

Timeline = P.Timeline
Runs = list[tuple[int, int]]
Rates = tuple[tuple[int, int | None], ...]


def week_values(
    c: Ctx,
    span: Span,
    a: Timeline,
    not_self: Callable[[], Timeline] | None,
    counted_from: int | None,
    gap: int,
    lookback: int,
    rates: Rates,
) -> list[Value]:
    """Benefit weeks numbered as refusion § 6 says, reported as runs of equal rates.

    Week 0 is the week (Monday–Sunday) that holds the first day that exists for the count
    (``counted_from``, else the span's first day, and never before birth; days before it do
    not exist). A week is a benefit week when ``a`` meets it; a restarting week is any other
    week on whose every existing day self-support holds: that ``not_self()`` (the days on
    which it does not) meets none of them (without it: any other week). Runs of equal rates are
    listed for the weeks from the week of the span's first day that begin on or before as_of.
    """
    first_day = span.start if counted_from is None else counted_from
    if c.birth > first_day:
        first_day = c.birth
    first = first_day - (first_day - 1) % 7  # its week's Monday (timecalc.iso_week_monday)
    as_of = c.as_of
    if as_of < first_day:
        return []
    benefit = _week_runs(a, first_day, as_of, first)
    if not benefit:
        return []
    # Weeks that are not restarting weeks. Only weeks before the last benefit week matter, so
    # both sets stop at as_of's week (whatever not_self says of its days after as_of). The
    # restarting weeks lie between benefit runs: when those weeks number fewer than ``gap``
    # the count cannot restart, and ``not_self`` is not even computed.
    if len(benefit) == 1:  # one run: nothing between runs, week 1 is its first week
        numbers = [0]
    else:
        other = benefit
        if not_self is not None and _between(benefit) >= gap:
            more = _week_runs(not_self(), first_day, as_of, first)
            if more:
                other = _merge(benefit + more)
        numbers = _numbers(benefit, other, gap, lookback)
    start = span.start
    show = (start - (start - 1) % 7 - first) // 7  # the first week listed: that of span.start
    return _values(span, first, benefit, numbers, show, rates)


def _week_runs(a: Timeline, lo: int, hi: int, first: int) -> Runs:
    """The runs of weeks (indexes from the Monday ``first``) that hold a day of ``a`` in
    [lo, hi]; ``a`` is a timeline, so its pieces come in order."""
    runs: Runs = []
    r0 = 0
    r1: int | None = None  # the open run (r0, r1), appended when the next is apart
    for s, e in a:
        if e < lo:
            continue
        if s > hi:
            break
        w0 = ((s if s > lo else lo) - first) // 7
        w1 = ((e if e < hi else hi) - first) // 7
        if r1 is not None and r1 + 1 >= w0:  # the same week or the next: one run
            if w1 > r1:
                r1 = w1
        else:
            if r1 is not None:
                runs.append((r0, r1))
            r0, r1 = w0, w1
    if r1 is not None:
        runs.append((r0, r1))
    return runs


def _between(runs: Runs) -> int:
    """The weeks between the first run and the last that are in no run."""
    return runs[-1][0] - runs[0][1] - 1 - sum(w1 - w0 + 1 for w0, w1 in runs[1:-1])


def _merge(runs: Runs) -> Runs:
    """Runs in any order as sorted runs, overlapping and adjacent ones joined."""
    out: Runs = []
    for w0, w1 in sorted(runs):
        if out and w0 <= out[-1][1] + 1:
            if w1 > out[-1][1]:
                out[-1] = (out[-1][0], w1)
        else:
            out.append((w0, w1))
    return out


def _numbers(benefit: Runs, other: Runs, gap: int, lookback: int) -> list[int]:
    """For each benefit run, the number of the benefit week before its first week (0 when it
    starts the count: the first run, or the first after a restart).

    The restarting weeks are the gaps between the ``other`` runs (every benefit run lies
    inside one of them). The count restarts at the end of the first week e after the latest
    week numbered 1 at which the restarting weeks after that week and among the
    ``lookback`` weeks ending with e number ``gap``; within a gap that number never falls, so
    only the ends of gaps need a look, and only when all the restarting weeks since the
    latest week 1 (``since``) reach ``gap`` at all."""
    numbers: list[int] = []
    number = since = k = 0
    gaps: Runs = []  # the restarting weeks after the latest week numbered 1
    for b0, b1 in benefit:
        if not numbers:  # the first benefit week is week 1; earlier gaps do not count
            while other[k][1] < b0:
                k += 1
        else:
            fresh = len(gaps)
            while other[k][1] < b0:  # the gaps between here and the run holding b0
                g0, g1 = other[k][1] + 1, other[k + 1][0] - 1
                gaps.append((g0, g1))
                since += g1 - g0 + 1
                k += 1
            if since >= gap and _restarted(gaps, fresh, gap, lookback):
                number = since = 0
                gaps = []
        numbers.append(number)
        number += b1 - b0 + 1
    return numbers


def _restarted(gaps: Runs, fresh: int, gap: int, lookback: int) -> bool:
    """Do the restarting weeks ``gaps`` among the ``lookback`` weeks ending with the end e of
    one of the gaps from index ``fresh`` on (those since the previous benefit week) reach
    ``gap``?"""
    for _, e in gaps[fresh:]:
        lo = e - lookback + 1
        count = 0
        for g0, g1 in gaps:
            if g1 >= lo and g0 <= e:
                count += (g1 if g1 < e else e) - (g0 if g0 > lo else lo) + 1
        if count >= gap:
            return True
    return False


def _values(
    span: Span, first: int, benefit: Runs, numbers: list[int], show: int, rates: Rates
) -> list[Value]:
    """The runs of equal rates of the benefit weeks from week ``show`` on: week w of a
    benefit run (w0, w1) is benefit week ``number`` + 1 + w − w0. A run of one rate that
    continues the previous one (the same rate from the next day) extends it."""
    out: list[Value] = []
    info, versions, start = span.info, span.versions, span.start
    prev: Value | None = None  # the last value listed
    for (w, w1), number in zip(benefit, numbers, strict=True):
        if w1 < show:
            continue
        if w < show:
            number += show - w
            w = show
        n = number + 1  # the number of week w
        for rate, upto in rates:  # in increasing order; the last has no upper bound
            if upto is not None and n > upto:
                continue
            stop = w1 if upto is None or w1 - w <= upto - n else w + upto - n
            monday, sunday = first + 7 * w, first + 7 * stop + 6
            if prev is not None and prev.value == rate and prev.until_day == monday - 1:
                prev.until_day = sunday
            else:
                day = monday if monday > start else start
                for version, lo, hi in versions:  # the version in force on its first day
                    if lo <= day <= hi:
                        prev = Value(info, version, monday, sunday, rate)
                        out.append(prev)
                        break
            if stop == w1:
                break
            n += stop - w + 1
            w = stop + 1
    return out
