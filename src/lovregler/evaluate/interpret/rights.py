"""Rights (catalogue §0): the periods of a right in one scope — while a timeline holds
(»når«), or from a start day (»fra«) for a length, until a date, until the next event, or
to the forløb's end; one »udløst af hver <mønster>« starts per triggering event."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ...history import Event
from ...results import Right
from ...syntax import ast
from ...timecalc import INF, add_duration, from_date
from ..plan import RuleSpan
from .obligations import event_at
from .scope import Instance, Scope, intervals, order
from .thresholds import threshold_triggers

if TYPE_CHECKING:
    from .citizen import Citizen


def _right(span: RuleSpan) -> ast.RightRule:
    """The right a span evaluates."""
    rule = span.rule
    if not isinstance(rule, ast.RightRule):
        raise TypeError(f"{rule.id} er ikke en ret")
    return rule


def rights(c: Citizen, span: RuleSpan, scope: Scope) -> list[Right]:
    """The periods of a right in one scope. A right belongs to the version in force on its
    first day; one that began before the ruleset's first version belongs to that version
    (the law in force takes over a right already running), keeping its real start."""
    rule = _right(span)
    if rule.right_when is not None:
        periods = when_periods(c, span, scope)
    else:
        periods = from_periods(c, span, scope)
    out: list[Right] = []
    for start, last in periods:
        if last < start:
            continue  # the next event came later the same day: no right (C5)
        day = max(start, c.plan.first_day)
        if not span.start <= day <= span.end:
            continue
        version = span.version_on(day)
        if version is None or any(r.start_day <= start and last <= r.until_day for r in out):
            continue
        out.append(Right(span.info, version, start, last))
    return out


def _rule_bounds(rule: ast.Rule) -> tuple[int, int]:
    v = rule.validity
    lo = from_date(v.start) if v and v.start else 1
    hi = from_date(v.end) if v and v.end else INF
    return lo, hi


def when_periods(c: Citizen, span: RuleSpan, scope: Scope) -> list[tuple[int, int]]:
    """Maximal periods on which the condition holds, within the forløb and the rule's
    period of force; per citizen, built only up to as_of (until open if it holds then)."""
    rule = _right(span)
    assert rule.right_when is not None
    days = c.timeline(rule.right_when, Instance(scope))
    lo, hi = _rule_bounds(rule)
    days = {d for d in days if lo <= d <= hi}
    if scope.per_citizen:
        days = {d for d in days if d <= c.as_of}
    else:
        days = {d for d in days if scope.lo <= d <= scope.course_end}
    out = []
    for s, e in intervals(days, c.horizon):
        if scope.per_citizen and e >= c.as_of and hi >= INF:
            e = INF
        elif scope.per_citizen and e >= c.as_of and hi >= c.as_of:
            e = INF if hi > c.as_of else e
        elif not scope.per_citizen and e >= scope.course_end:
            e = scope.course_end
        if True:  # which span a period belongs to is decided in rights()
            out.append((s, e))
    return out


def from_periods(c: Citizen, span: RuleSpan, scope: Scope) -> list[tuple[int, int]]:
    """Periods starting on trigger days: for a length, until a date, until the day before
    the next matching event, else to the forløb's end (per citizen: open). A right that
    starts on a threshold day starts only once the threshold is reached by as_of."""
    rule = _right(span)
    if isinstance(rule.trigger, ast.EachEvent):
        return triggered_periods(c, span, scope)
    trig = rule.right_from
    starts = [] if trig is None else _STARTS[type(trig)](c, trig, Instance(scope))
    lo, hi = _rule_bounds(rule)
    out = []
    for s, ev in starts:
        inst = Instance(scope, s)
        if not (lo <= s <= hi) or (
            rule.condition is not None and not c.truth(rule.condition, None, inst)
        ):
            continue
        if not scope.per_citizen and not (scope.lo <= s <= scope.course_end):
            continue
        out.append((s, until(c, rule, scope, s, ev)))
    return out


def _event_starts(
    c: Citizen, trig: ast.EachEvent, base: Instance
) -> list[tuple[int, Event | None]]:
    return [(e.day, e) for e in c.scoped(trig.pattern, base)]


def _date_starts(c: Citizen, trig: ast.AtDate, base: Instance) -> list[tuple[int, Event | None]]:
    if isinstance(trig.date, ast.Threshold):
        # as for an obligation's trigger: a threshold starts a right once it is reached
        # (on or before as_of), once per reset segment
        return [(t, None) for t in threshold_triggers(c, trig.date, base) if t <= c.as_of]
    t = c.date(trig.date, base)
    # an open end (the end of a forløb still running) is no day a right can start on
    return [] if t is None or t >= INF else [(t, event_at(c, trig.date, t, base))]


# The days a right starts on, by the class of its »fra« (the grammar gives a right no count
# windows: »fra« takes a date or »hver <mønster>«).
_STARTS: dict[type, Callable[[Citizen, Any, Instance], list[tuple[int, Event | None]]]] = {
    ast.EachEvent: _event_starts,
    ast.AtDate: _date_starts,
}


def triggered_periods(c: Citizen, span: RuleSpan, scope: Scope) -> list[tuple[int, int]]:
    """A right »udløst af hver <mønster>«: for each such event E (the first of its day),
    if the condition holds with udløsningsdagen = E's day, the right runs from the »fra«
    date found from that day (a threshold only once reached by as_of)."""
    rule = _right(span)
    assert isinstance(rule.trigger, ast.EachEvent) and isinstance(rule.right_from, ast.AtDate)
    date = rule.right_from.date
    lo, hi = _rule_bounds(rule)
    seen: set[int] = set()
    out = []
    for e in c.scoped(rule.trigger.pattern, Instance(scope)):
        if e.day in seen:
            continue
        seen.add(e.day)
        inst = Instance(scope, e.day)
        if rule.condition is not None and not c.truth(rule.condition, None, inst):
            continue
        s = c.date(date, inst)
        if s is None or (isinstance(date, ast.Threshold) and s > c.as_of):
            continue
        if not (lo <= s <= hi):
            continue
        if not scope.per_citizen and not (scope.lo <= s <= scope.course_end):
            continue
        out.append((s, until(c, rule, scope, s, e)))
    return out


def until(
    c: Citizen, rule: ast.RightRule, scope: Scope, start: int, ev: Event | None = None
) -> int:
    """The last day of a right that began on ``start`` (INF when open). A length read from
    an attribute (``varer varighed_år år``) is that of the event ``ev`` that started it."""
    cap = INF if scope.per_citizen else scope.course_end
    if isinstance(rule.right_for, ast.AttrLength):
        if ev is None or ev.attrs.get(rule.right_for.attr) is None:
            return cap
        return c.length_end(ev, rule.right_for)
    if rule.right_for is not None:
        d = rule.right_for
        return add_duration(start, d.months, d.days) - 1
    if rule.right_until is not None:
        # a threshold not reached by as_of: as if the last period continued (C5)
        end = c.date(rule.right_until, Instance(scope, start, in_deadline=True))
        return cap if end is None else min(end, cap)
    if rule.right_until_next is not None:
        # "the next" in history order: a same-day event after ``ev`` is the next one (C5)
        later = list(c.scoped(rule.right_until_next, Instance(scope, start)))
        if ev is not None:
            later = [e for e in later if order(e) > order(ev)]
        nxt = [e.day for e in later if e.day >= start and (ev is not None or e.day > start)]
        return min(nxt[0] - 1, cap) if nxt else cap
    return cap


# ── values ──
