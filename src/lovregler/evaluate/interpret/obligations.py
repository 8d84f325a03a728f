"""Obligations (catalogue §0, contract §3): the instances of an obligation in one scope,
by the class of its trigger (:data:`TRIGGERS`): single instances, a recurring chain, or
count windows; each with its due date, the day it was met, and its status."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from ...history import Event
from ...prose.explanations import (
    PREVIOUS_DUE_SUSPENDED,
    PREVIOUS_MET,
    TAKEN_OVER,
    course_note,
    window_note,
)
from ...results import Obligation, iso, status_of
from ...syntax import ast
from ...timecalc import add_duration, hverdag
from ..plan import RuleSpan
from .scope import Instance, Scope
from .thresholds import passed_on, threshold_triggers

if TYPE_CHECKING:
    from .citizen import Citizen


def _obligation(span: RuleSpan) -> ast.ObligationRule:
    """The obligation a span evaluates (the evaluator dispatched on the rule's class)."""
    rule = span.rule
    if not isinstance(rule, ast.ObligationRule):
        raise TypeError(f"{rule.id} er ikke en pligt")
    return rule


def obligations(c: Citizen, span: RuleSpan, scope: Scope) -> list[Obligation]:
    """The instances of one obligation in one scope, found by the class of its trigger."""
    trigger = _obligation(span).trigger
    return [] if trigger is None else list(TRIGGERS[type(trigger)](c, trigger, span, scope))


def _triggered(
    c: Citizen, trigger: ast.EachEvent | ast.AtDate, span: RuleSpan, scope: Scope
) -> Iterator[Obligation]:
    """Instances triggered by events or on a date: a recurring chain, or one per trigger."""
    if _obligation(span).repeat is not None:
        yield from chain(c, span, scope)
        return
    for t, ev in triggers(c, span, scope):
        inst = single_instance(c, span, scope, t, ev, _taken_note(c, span, scope, t))
        if inst is not None:
            yield inst


def _windows(
    c: Citizen, trigger: ast.CountWindows, span: RuleSpan, scope: Scope
) -> Iterator[Obligation]:
    return windows(c, span, scope, trigger)


TRIGGERS: dict[type, Callable[[Citizen, Any, RuleSpan, Scope], Iterator[Obligation]]] = {
    ast.EachEvent: _triggered,
    ast.AtDate: _triggered,
    ast.CountWindows: _windows,
}
"""The instances of an obligation in one scope, by the class of its trigger."""


def _taken_note(c: Citizen, span: RuleSpan, scope: Scope, t: int) -> str:
    """The explanation's first words when a new version took the instance over (C5)."""
    trig = _obligation(span).trigger
    if not span.takes_over or t != span.start or not isinstance(trig, ast.AtDate):
        return ""
    if not isinstance(trig.date, ast.Threshold):
        return ""
    crossed = threshold_triggers(c, trig.date, Instance(scope))
    return "" if t in crossed else TAKEN_OVER


# ───────────────────────────── trigger days ─────────────────────────────
def _event_days(
    c: Citizen, trig: ast.EachEvent, span: RuleSpan, base: Instance
) -> list[tuple[int, Event | None]]:
    # several triggering events on one day give one instance (catalogue C5)
    found: list[tuple[int, Event | None]] = []
    for e in c.scoped(trig.pattern, base):
        if e.day not in [d for d, _ in found]:
            found.append((e.day, e))
    return found


def _date_days(
    c: Citizen, trig: ast.AtDate, span: RuleSpan, base: Instance
) -> list[tuple[int, Event | None]]:
    if isinstance(trig.date, ast.Threshold):
        found: list[tuple[int, Event | None]]
        found = [(t, None) for t in threshold_triggers(c, trig.date, base)]
        if span.takes_over and _taken_over(c, span, trig.date, base):
            found = sorted({*found, (span.start, None)}, key=lambda x: x[0])
        return found
    t = c.date(trig.date, base)
    ev = event_at(c, trig.date, t, base)
    return [] if t is None else [(t, ev)]


# Count windows have no trigger days: their periods are their instances (see windows).
_TRIGGER_DAYS: dict[
    type, Callable[[Citizen, Any, RuleSpan, Instance], list[tuple[int, Event | None]]]
] = {
    ast.EachEvent: _event_days,
    ast.AtDate: _date_days,
}


def triggers(
    c: Citizen, span: RuleSpan, scope: Scope, listed: bool = True
) -> list[tuple[int, Event | None]]:
    """Trigger days (with the triggering event, if any) inside the span and the scope;
    with ``listed=False`` also those before the span (a chain's unlisted links)."""
    rule = _obligation(span)
    trig = rule.trigger
    found = [] if trig is None else _TRIGGER_DAYS[type(trig)](c, trig, span, Instance(scope))
    return [
        (t, ev)
        for t, ev in found
        if (span.start <= t or not listed)
        and t <= span.end
        and t <= c.as_of
        and scope.lo <= t <= scope.course_end
        and (rule.condition is None or c.truth(rule.condition, None, Instance(scope, t)))
    ]


def _taken_over(c: Citizen, span: RuleSpan, expr: ast.Threshold, inst: Instance) -> bool:
    """Catalogue C5, thresholds across a version change: on the first day of a version
    that replaces an earlier one, a count already past the threshold triggers, if the
    counted condition holds that day (a forløb runs; without a forløb, the timeline)."""
    day = span.start
    if day > c.as_of:
        return False
    if c.plan.course is not None:
        holds = any(s <= day <= e for s, e in c.courses())
    else:
        holds = day in c.timeline(expr.timeline, inst)
    return holds and passed_on(c, expr, inst, day)


def event_at(c: Citizen, expr: ast.DateExpr, day: int | None, inst: Instance) -> Event | None:
    """The event a date expression picked (so it cannot also meet the rule)."""
    if not isinstance(expr, ast.EventDate) or day is None:
        return None
    same_day = [e for e in c.scoped(expr.pattern, inst) if e.day == day]
    if not same_day:
        return None
    # of several on the day, »seneste« is the last in history order (catalogue C5)
    return same_day[-1] if expr.which == "latest" else same_day[0]


def due_date(
    c: Citizen, rule: ast.ObligationRule, t: int, scope: Scope, first: bool = True
) -> int | None:
    """The due date of an instance triggered on ``t``."""
    deadline = rule.deadline
    assert deadline is not None
    after = deadline.after if first else rule.repeat
    if after is not None:
        ultimo = deadline.convention == "ultimo"
        day: int | None = add_duration(
            t, after.months, after.days, "ultimo" if ultimo else "standard"
        )
    else:
        day = c.date(deadline.at, Instance(scope, t, in_deadline=True))
    if day is not None and deadline.convention == "hverdag":
        day = hverdag(day)
    return day


def met_on(
    c: Citizen,
    rule: ast.ObligationRule,
    scope: Scope,
    t: int,
    due: int,
    strict: bool,
    exclude: Event | None,
) -> int | None:
    """The date the instance was met: the count-th qualifying event on or after the trigger
    (after it, when ``strict``); "also earlier": the latest on or before the due date,
    else the first after."""
    met_by = rule.met_by
    assert met_by is not None
    inst = Instance(scope, t)
    if met_by.also_earlier:
        lo = c.lo
        cands = [
            e for e in c.events if lo <= e.day <= scope.hi and c.matches(met_by.pattern, e, inst)
        ]
        before = [e.day for e in cands if e.day <= due]
        after = [e.day for e in cands if e.day > due]
        return max(before) if before else (min(after) if after else None)
    lo = t
    if met_by.since is not None:
        # »fra og med <dato>«: from that day (inside the scope), also before the trigger
        since = c.date(met_by.since, inst)
        lo, strict = max(scope.lo, t if since is None else since), False
    cands = [
        e
        for e in c.scoped(met_by.pattern, inst)
        if (e.day > lo if strict else e.day >= lo) and e is not exclude
    ]
    return cands[met_by.count - 1].day if len(cands) >= met_by.count else None


def is_suspended(c: Citizen, rule: ast.ObligationRule, scope: Scope, due: int) -> bool:
    """The rule says it does not run on the due date."""
    return rule.suspend is not None and due in c.timeline(rule.suspend, Instance(scope, due))


def instance(
    c: Citizen,
    span: RuleSpan,
    scope: Scope,
    t: int,
    due: int,
    met: int | None,
    note: str = "",
    transition: bool = False,
) -> Obligation | None:
    """An instance, or None when it lapsed with its forløb."""
    if not scope.per_citizen and due > scope.course_end and met is None:
        return None
    version = span.version_on(t)
    if version is None:
        return None
    status = status_of(met, due, c.as_of, is_suspended(c, _obligation(span), scope, due))
    if transition:
        note = course_note(scope.course_start, scope.lo, span.info.transition_citation)
    return Obligation(span.info, version, t, due, status, met, c.as_of, note, transition)


def single_instance(
    c: Citizen, span: RuleSpan, scope: Scope, t: int, ev: Event | None, note: str = ""
) -> Obligation | None:
    """One instance triggered on ``t`` (by ``ev``, which cannot meet it)."""
    due = due_date(c, _obligation(span), t, scope)
    if due is None:
        return None
    met = on_time_if_suspended(
        c, span, scope, met_on(c, _obligation(span), scope, t, due, False, ev), due
    )
    return instance(c, span, scope, t, due, met, note, transition=scope.transitional)


def on_time_if_suspended(
    c: Citizen, span: RuleSpan, scope: Scope, met: int | None, due: int
) -> int | None:
    """A suspended instance is met only by an event on or before its due date (C5)."""
    late = met is not None and met > due
    return None if late and is_suspended(c, _obligation(span), scope, due) else met


def chain(c: Citizen, span: RuleSpan, scope: Scope) -> Iterator[Obligation]:
    """A recurring obligation: each instance is triggered by the event that met the
    previous one (or by its due date, when it was suspended); an overdue instance ends
    the chain, and so does a pending one. The chain is built from the forløb's real
    history; a link whose trigger lies before the span is not listed but carries the
    chain, met or not as the history says (catalogue C5, a rule's own start date)."""
    first = triggers(c, span, scope, listed=False)[:1]
    if not first:
        return
    t, ev = first[0]
    strict, is_first, note = ev is not None, True, ""
    while t <= min(c.as_of, span.end, scope.course_end):
        due = due_date(c, _obligation(span), t, scope, is_first)
        if due is None:
            return
        met = met_on(c, _obligation(span), scope, t, due, strict, None)
        met = on_time_if_suspended(c, span, scope, met, due)
        if not scope.per_citizen and due > scope.course_end and met is None:
            return  # lapsed with the forløb
        suspended = is_suspended(c, _obligation(span), scope, due)
        if t >= span.start:
            inst = instance(c, span, scope, t, due, met, note, scope.transitional and is_first)
            if inst is None:
                return
            yield inst
        if met is not None:
            t, strict, note = met, True, PREVIOUS_MET
        elif status_of(met, due, c.as_of, suspended) == "suspended" and due <= c.as_of:
            t, strict, note = due, False, PREVIOUS_DUE_SUSPENDED
        else:
            return
        is_first = False


def windows(
    c: Citizen, span: RuleSpan, scope: Scope, trig: ast.CountWindows
) -> Iterator[Obligation]:
    """Count windows: period k is [A + k·N, A + (k+1)·N − 1 dag], due its last day; listed
    when begun by as_of, and, if the forløb ended before its last day, only if met."""
    anchor = c.date(trig.anchor, Instance(scope))
    if anchor is None:
        return
    transition, origin = "", iso(anchor)  # the anchor as text once, not per period
    if scope.transitional:
        transition = course_note(scope.course_start, scope.lo, span.info.transition_citation)
    n = trig.length
    k = 0
    while True:
        start = add_duration(anchor, n.months * k, n.days * k)
        end = add_duration(anchor, n.months * (k + 1), n.days * (k + 1)) - 1
        k += 1
        if start > min(c.as_of, scope.course_end, span.end):
            return
        if start < span.start:
            continue
        met = _count_in(c, _obligation(span), scope, start, end)
        if scope.course_end < end and met is None:
            continue
        version = span.version_on(start)
        if version is None:
            continue
        status = status_of(met, end, c.as_of, is_suspended(c, _obligation(span), scope, end))
        note = window_note(k, origin, transition)
        yield Obligation(
            span.info, version, start, end, status, met, c.as_of, note, bool(transition)
        )


def _count_in(
    c: Citizen, rule: ast.ObligationRule, scope: Scope, start: int, end: int
) -> int | None:
    assert rule.met_by is not None
    inst = Instance(scope, start)
    days = [e.day for e in c.scoped(rule.met_by.pattern, inst) if start <= e.day <= end]
    return days[rule.met_by.count - 1] if len(days) >= rule.met_by.count else None
