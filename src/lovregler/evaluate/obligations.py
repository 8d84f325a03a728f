"""The instance drivers of compiled evaluators: one-off obligations, recurring chains and
count windows, each instance with its due date, the day it was met and its status.

Part of the runtime (:mod:`lovregler.evaluate.runtime` re-exports what generated code uses).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator

from ..history import Event
from ..prose.explanations import (
    PREVIOUS_DUE_SUSPENDED,
    PREVIOUS_MET,
    course_note,
    window_note,
)
from ..results import (
    FULFILLED,
    FULFILLED_LATE,
    OVERDUE,
    PENDING,
    Obligation,
    iso,
    status_of,
)
from ..timecalc import add_duration, hverdag
from .context import NO_EVENTS, Ctx, DueFn, MetFn, Pred, Scope, Span, SuspFn, month_shift
from .lookups import first_day, last_day, nth_day


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
    days, evs = c.index.get(etype, NO_EVENTS)
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
    as_of, info, course_end, hi = c.as_of, span.info, sc.course_end, sc.hi
    ev_days = c.index.get(etype, NO_EVENTS)[0]
    top = bisect.bisect_right(ev_days, hi)  # events after the scope's last day do not count
    k, following = 0, anchor  # window k + 1 runs from ``start`` to the day before ``following``
    while True:
        start = following
        if start > last:
            return out
        k += 1
        # from the anchor, not chained; the anchor is a real day (add_duration's checks)
        following = (month_shift(months * k)[anchor] if months else anchor) + days * k
        end = following - 1
        if start < span.start:
            continue
        if pred is None:  # every event counts: the count-th from the window's start
            i = bisect.bisect_left(ev_days, start) + count - 1
            met = ev_days[i] if i < top and ev_days[i] <= end else None
        else:
            met = nth_day(c, etype, pred, start, min(end, hi), count)
        if course_end < end and met is None:
            continue
        version = span.version_on(start)
        if version is None:
            continue
        if susp is not None:
            status = status_of(met, end, as_of, susp(end))
        elif met is None:
            status = OVERDUE if as_of > end else PENDING
        else:
            status = FULFILLED if met <= end else FULFILLED_LATE
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
    days, evs = c.index.get(etype, NO_EVENTS)
    top = bisect.bisect_right(days, sc.hi)
    stop = min(c.as_of, span.end, sc.course_end)
    as_of, info, end, lapses = c.as_of, span.info, sc.course_end, not sc.per_citizen
    (months, extra), note = first, ""
    transition = sc.lo > sc.course_start  # a declared transition: the first link is its own
    # links come in day order, so the version in force only moves on: keep the current one
    versions, v, start = span.versions, 0, span.start
    version, v_lo, v_hi = versions[0]
    # names bound once: about eleven links per chain, each a handful of calls
    after, on_or_after = bisect.bisect_right, bisect.bisect_left
    shifted = month_shift(months)  # t + the first link's months, then the following's
    following_due = False
    out: list[Obligation] = []
    add = out.append
    while t <= stop:
        # t <= as_of is a real day: add_duration without its open-end and convention checks
        due = (shifted[t] if months else t) + extra
        k = after(days, t) if strict else on_or_after(days, t)
        if pred is not None:
            while k < top and not pred(c, evs[k]):
                k += 1
        met = days[k] if k < top else None
        if met is None and due > end and lapses:
            break  # lapsed with the forløb
        if t >= start:  # a link before the span carries the chain, unlisted (C1, C5)
            while t > v_hi and v + 1 < len(versions):
                v += 1
                version, v_lo, v_hi = versions[v]
            if not v_lo <= t <= v_hi:
                break  # no version in force on t
            if met is None:
                status = OVERDUE if as_of > due else PENDING
            else:
                status = FULFILLED if met <= due else FULFILLED_LATE
            if transition:
                note = course_note(sc.course_start, sc.lo, info.transition_citation)
            add(Obligation(info, version, t, due, status, met, as_of, note, transition))
        transition = False
        if met is None:
            break
        t, strict, note = met, True, PREVIOUS_MET
        if not following_due:  # the links after the first are due ``following`` after
            following_due = True
            months, extra = following
            shifted = month_shift(months)
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
    days, evs = c.index.get(etype, NO_EVENTS)
    top = bisect.bisect_right(days, sc.hi)
    as_of, info, lapses = c.as_of, span.info, not sc.per_citizen
    months, extra = due
    shifted = month_shift(months)
    transition = sc.lo > sc.course_start  # created by a declared transition
    for t, ev in trig:
        # t <= as_of is a real day: add_duration without its open-end and convention checks
        due_day = (shifted[t] if months else t) + extra
        met, seen = None, 0
        if pred is None and ev is None:  # every event counts: the count-th one is met
            k = bisect.bisect_left(days, t) + count - 1
            if k < top:
                met = days[k]
        else:
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
