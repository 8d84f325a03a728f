"""The naive way to find the day an accumulation window first reaches a count.

:func:`lovregler.evaluate.periods.first_window_reach` jumps from day to day with prefix sums over the
intervals. The obvious alternative, here as the baseline, walks t one day at a time and
recounts the window (t − window, t] over every interval each day.
"""

from __future__ import annotations

from lovregler.evaluate.periods import Timeline
from lovregler.timecalc import add_duration


def naive_first_window_reach(
    a: Timeline, n: int, window_months: int, window_days: int
) -> int | None:
    """First day t on which the days of ``a`` in (t − window, t] number ``n``; None if never.

    ``a`` must end closed (the walk stops at its last day).
    """
    if not a:
        return None
    for t in range(a[0][0], a[-1][1] + 1):
        floor = add_duration(t, window_months, window_days, sign=-1)
        count = sum(max(0, min(e, t) - max(s, floor + 1) + 1) for s, e in a)
        if count >= n:
            return t
    return None
