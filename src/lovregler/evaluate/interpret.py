"""The reference interpreter: the executable definition of what a rule means.

It walks the AST and follows the words of ``catalogue.md`` §0 and ``contract.md`` §3 as
literally as it can: a timeline is a Python ``set`` of day numbers, a threshold is found by
looking at one day after the other, an event search is a linear scan. It is slow on purpose
and small enough to read; the compiled evaluator (``compile.py``) must agree with it on every
history (the property tests check that), and users run the compiled one.

Semantics in brief (each function below says which part it implements):

* The **forløb** of a ruleset are the maximal periods of its timeline, or the periods started
  by its start events (``course_from``).
* A **rule span** (``plan.py``) is evaluated once per forløb (or once per citizen); an
  instance is listed only when its trigger lies within the span's period of force (C1). The
  forløb keeps its real start: count periods are anchored on it, and a recurring chain is
  built from it, its links before the span carrying the chain unlisted. Only a rule with a
  declared transition sees a forløb running on the span's first day as begun that day.
* An **obligation instance** has a trigger, a due date, and maybe the date it was met; its
  status follows :func:`lovregler.results.status_of`. An instance due after its forløb ended
  is listed only if it was met inside the forløb.
* Open periods are taken to continue: the timeline sets run to a horizon well past
  ``as_of``, and a set that reaches the horizon is open-ended.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import attrs

from ..history import Event, History, periods_of
from ..results import Obligation, Result, Right, Value, course_note, iso, status_of, window_note
from ..semantics.vocabulary import PeriodDecl
from ..syntax import ast
from ..timecalc import (
    INF,
    add_duration,
    age_on,
    birthday,
    end_of_month,
    from_date,
    hverdag,
    iso_week_monday,
)
from .plan import Plan, RuleSpan

HORIZON_DAYS = 6000  # how far past as_of an open period is followed (about 16 years)

_OPS = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


@attrs.frozen
class Scope:
    """Where a rule instance lives: a forløb (start, end) or the whole citizen.

    ``lo`` is the first day events count and the forløb's start as the rule sees it: the
    real start, or, under a declared transition, the rule's first day in force; ``hi`` the
    last (the forløb's end; events after ``as_of`` do not exist anyway).
    """

    course_start: int
    course_end: int
    lo: int
    hi: int
    per_citizen: bool

    @property
    def transitional(self) -> bool:
        """The forløb is seen as begun later than it really began (a declared transition)."""
        return self.lo > self.course_start


@attrs.frozen
class Instance:
    """Context for evaluating expressions inside one rule instance."""

    scope: Scope
    trigger: int | None = None
    in_deadline: bool = False


def _order(e: Event) -> tuple[int, int, int]:
    """An event's place in the history: date, then ``seq``, then input position."""
    return (e.day, e.seq or 0, e.index)


def _intervals(days: set[int], horizon: int) -> list[tuple[int, int]]:
    """Maximal runs of consecutive days; a run reaching the horizon is open (INF)."""
    out: list[tuple[int, int]] = []
    for d in sorted(days):
        if out and out[-1][1] == d - 1:
            out[-1] = (out[-1][0], d)
        else:
            out.append((d, d))
    return [(s, INF if e >= horizon else e) for s, e in out]


class Citizen:
    """One citizen as of one day: the events that exist, and the day universe."""

    def __init__(self, plan: Plan, history: History, as_of: int):
        self.plan = plan
        self.history = history
        self.as_of = as_of
        self.events: tuple[Event, ...] = history.until(as_of)
        self.birth = history.birth_day
        self.lo = self.birth
        self.horizon = as_of + HORIZON_DAYS
        self.universe = set(range(self.lo, self.horizon + 1))

    # ── patterns and conditions ──
    def matches(self, pattern: ast.Pattern, ev: Event, inst: Instance | None) -> bool:
        """Does ``ev`` match the pattern (a named pattern is expanded)?"""
        ref = self.plan.names.pattern(pattern)
        return ev.type == ref.event and all(self.truth(c, ev, inst) for c in ref.conditions)

    def value(self, op: ast.Operand, ev: Event | None, inst: Instance | None) -> object:
        """The value of an operand: an event attribute, else a fact, else a literal."""
        if isinstance(op, ast.Literal):
            return op.value
        if isinstance(op, ast.AgeAt):
            day = self.date(op.date, inst)
            return None if day is None else age_on(self.birth, day)
        if isinstance(op, ast.NameRef):  # an attribute of the event, else a fact
            if ev is not None and self.plan.names.is_attribute(op.name, ev.type):
                return ev.attrs.get(op.name)
            return self.history.facts.get(op.name)
        raise TypeError(f"ukendt operand {op!r}")

    def members(self, values: ast.ValueSet) -> frozenset[object]:
        """The values of a set literal or a named set."""
        if isinstance(values, ast.SetRef):
            return self.plan.names.set_values(values.name)
        if isinstance(values, ast.SetLit):
            return frozenset(v.value for v in values.values)
        raise TypeError(f"ukendt mængde {values!r}")

    def truth(self, expr: ast.BoolExpr, ev: Event | None, inst: Instance | None) -> bool:
        """Evaluate a condition on an event (``ev``) and/or a rule instance."""
        if isinstance(expr, ast.BoolAnd):
            return self.truth(expr.left, ev, inst) and self.truth(expr.right, ev, inst)
        if isinstance(expr, ast.BoolOr):
            return self.truth(expr.left, ev, inst) or self.truth(expr.right, ev, inst)
        if isinstance(expr, ast.BoolNot):
            return not self.truth(expr.operand, ev, inst)
        if isinstance(expr, ast.BoolCompare):
            a, b = self.value(expr.left, ev, inst), self.value(expr.right, ev, inst)
            return a is not None and b is not None and _OPS[expr.op](a, b)
        if isinstance(expr, ast.BoolIn):
            inside = self.value(expr.operand, ev, inst) in self.members(expr.values)
            return inside != expr.negated
        if isinstance(expr, ast.BoolTruthy):
            return bool(self.value(expr.operand, ev, inst))
        if isinstance(expr, ast.BoolShorter):
            return self.shorter(ev, expr.duration)
        if isinstance(expr, ast.BoolContinues):
            return self.continues(expr, inst)
        if isinstance(expr, ast.BoolExists):
            return self.exists(expr, inst)
        raise TypeError(f"ukendt betingelse {expr!r}")

    def _period_of_event(self, ev: Event) -> tuple[int, int] | None:
        """The event's own period (catalogue C5: each offer is judged on its own start and
        end events, never joined with an offer that touches it)."""
        found = self.plan.vocabulary.period_for_event(ev.type)
        if found is None:
            return None
        for start, end, members in self.own_periods(found[0]):
            if ev in members:
                return start, end
        return None

    def own_periods(self, decl: PeriodDecl) -> list[tuple[int, int, list[Event]]]:
        """Periods of a kind read off their own start and end events in history order: a
        start opens one (or, while one of its key is open, belongs to it); an end closes the
        open one. Unlike catalogue §0's benefit periods, touching periods stay apart."""
        out: list[tuple[int, int, list[Event]]] = []
        open_: dict[object, tuple[int, list[Event]]] = {}
        for e in self.events:
            if e.type not in (decl.start, decl.end):
                continue
            key = e.attrs.get(decl.key) if decl.key else None
            if e.type == decl.start:
                open_.setdefault(key, (e.day, []))[1].append(e)
            elif key in open_:
                start, members = open_.pop(key)
                out.append((start, e.day, [*members, e]))
        out += [(start, INF, members) for start, members in open_.values()]
        return out

    def shorter(self, ev: Event | None, duration: ast.Duration) -> bool:
        """The event's period is known (closed) to have lasted less than ``duration``."""
        if ev is None:
            return False
        span = self._period_of_event(ev)
        if span is None or span[1] >= INF:
            return False
        start, end = span
        return end < add_duration(start, duration.months, duration.days) - 1

    def continues(self, expr: ast.BoolContinues, inst: Instance | None) -> bool:
        """Some period of the kind (its own, not joined: catalogue C5) runs on the date and
        on the day after, having started on or before the date."""
        day = self.date(expr.date, inst)
        if day is None:
            return False
        decl = self.plan.vocabulary.periods[expr.period]
        for start, end, members in self.own_periods(decl):
            starter = members[0]
            key = starter.attrs.get(decl.key) if decl.key else None
            if expr.key is not None and key != expr.key:
                continue
            if expr.where is not None and not self.truth(expr.where, starter, inst):
                continue
            if start <= day and end >= day + 1:
                return True
        return False

    def exists(self, expr: ast.BoolExists, inst: Instance | None) -> bool:
        """An event matching the pattern lies between the two dates (inclusive)."""
        lo, hi = self.date(expr.start, inst), self.date(expr.end, inst)
        if lo is None or hi is None:
            return False
        return any(lo <= e.day <= hi and self.matches(expr.pattern, e, inst) for e in self.events)

    # ── events in scope ──
    def scoped(self, pattern: ast.Pattern, inst: Instance | None) -> list[Event]:
        """Events matching the pattern on days the instance's scope can see."""
        lo, hi = (inst.scope.lo, inst.scope.hi) if inst else (self.lo, self.as_of)
        return [e for e in self.events if lo <= e.day <= hi and self.matches(pattern, e, inst)]

    # ── dates ──
    def date(self, expr: ast.DateExpr | None, inst: Instance | None) -> int | None:
        """Evaluate a date expression (None when it has no value, e.g. no such event)."""
        if expr is None:
            return None
        if isinstance(expr, ast.DateLit):
            return from_date(expr.value)
        if isinstance(expr, ast.CourseStart):
            return inst.scope.lo if inst else None
        if isinstance(expr, ast.CourseEnd):
            return inst.scope.course_end if inst else None
        if isinstance(expr, ast.TriggerDate):
            return inst.trigger if inst else None
        if isinstance(expr, ast.EventDate):
            return self.event_date(expr, inst)
        if isinstance(expr, ast.DateShift):
            base = self.date(expr.base, inst)
            d = expr.duration
            return None if base is None else add_duration(base, d.months, d.days, sign=expr.sign)
        if isinstance(expr, ast.EndOfMonth):
            base = self.date(expr.base, inst)
            return None if base is None else end_of_month(base)
        if isinstance(expr, ast.Birthday):
            return birthday(self.birth, expr.years)
        if isinstance(expr, ast.Threshold):
            return self.threshold(expr, inst, lo=None)
        if isinstance(expr, ast.PeriodStart):
            return self.period_start(expr, inst)
        if isinstance(expr, ast.DateRef):
            return self.date(self.plan.names.date(expr.name), inst)
        raise TypeError(f"ukendt datoudtryk {expr!r}")

    def period_start(self, expr: ast.PeriodStart, inst: Instance | None) -> int | None:
        """The first day of the run of the timeline's days that holds the date."""
        day = self.date(expr.date, inst)
        days = self.timeline(expr.timeline, inst)
        if day is None or day not in days:
            return None
        while day - 1 in days:
            day -= 1
        return day

    def event_date(self, expr: ast.EventDate, inst: Instance | None) -> int | None:
        """The first or latest matching event's date, within the bound if one is given."""
        days = [e.day for e in self.scoped(expr.pattern, inst)]
        if expr.bound is not None:
            ref = self.date(expr.bound_date, inst)
            if ref is None:
                return None
            keep = {
                "after": lambda d: d > ref,
                "on_or_after": lambda d: d >= ref,
                "before": lambda d: d < ref,
                "on_or_before": lambda d: d <= ref,
            }[expr.bound]
            days = [d for d in days if keep(d)]
        if not days:
            return None
        return min(days) if expr.which == "first" else max(days)

    # ── thresholds ──
    def threshold(self, expr: ast.Threshold, inst: Instance | None, lo: int | None) -> int | None:
        """The first day t (>= lo) on which the counted days of the timeline reach the amount.

        Days counted for t: days d of the timeline with d <= t, d > t − window (if a window),
        d >= counted_from / d > counted_after (if given), d > the latest reset event on or
        before t (if reset_by). In a deadline, a count the periods never reach is reached as
        if the last period had continued.
        """
        days = self.timeline(expr.timeline, inst)
        if inst is not None and inst.in_deadline and days:
            last_run = _intervals(days, self.horizon)[-1]
            days = days | set(range(last_run[0], self.horizon + 1))
        need = expr.amount.days + (1 if expr.more_than else 0)
        floor = self._count_floor(expr, inst)
        resets = self._reset_days(expr)
        start = max(self.lo, lo if lo is not None else self.lo)
        if need > 0:
            # no day of the timeline on or before t: the count is 0 (skip the empty years)
            start = max(start, min(days, default=self.horizon + 1))
        # upto[i] = number of timeline days d with self.lo <= d < self.lo + i, so the days in
        # (bottom, t] number upto[t + 1 − lo] − upto[bottom + 1 − lo]
        upto = [0]
        for d in range(self.lo, self.horizon + 1):
            upto.append(upto[-1] + (d in days))
        for t in range(start, self.horizon + 1):
            bottom = max(floor, self._latest_below(resets, t))
            if expr.window is not None:
                w = expr.window
                bottom = max(bottom, add_duration(t, w.months, w.days, sign=-1))
            bottom = min(max(bottom, self.lo - 1), t)
            count = upto[t + 1 - self.lo] - upto[bottom + 1 - self.lo]
            if count >= need:
                return t
        return None

    def _count_floor(self, expr: ast.Threshold, inst: Instance | None) -> int:
        """Days on or below the returned day are not counted."""
        if expr.counted_from is not None:
            day = self.date(expr.counted_from, inst)
            return self.lo - 1 if day is None else day - 1
        if expr.counted_after is not None:
            day = self.date(expr.counted_after, inst)
            return self.lo - 1 if day is None else day
        return self.lo - 1

    def _reset_days(self, expr: ast.Threshold) -> list[int]:
        if expr.reset_by is None:
            return []
        return [e.day for e in self.events if self.matches(expr.reset_by, e, None)]

    def _latest_below(self, resets: list[int], t: int) -> int:
        earlier = [r for r in resets if r <= t]
        return max(earlier) if earlier else self.lo - 1

    def counts(self, expr: ast.Threshold, inst: Instance | None, last: int) -> dict[int, int]:
        """The count for every day t from the citizen's first day through ``last`` (the days
        of the timeline counted for t, as :meth:`threshold` counts them)."""
        days = self.timeline(expr.timeline, inst)
        floor = self._count_floor(expr, inst)
        resets = self._reset_days(expr)
        # upto[i]: timeline days d with lo <= d < lo + i (as in threshold)
        upto = [0]
        for d in range(self.lo, last + 1):
            upto.append(upto[-1] + (d in days))
        out = {}
        for t in range(self.lo, last + 1):
            bottom = max(floor, self._latest_below(resets, t))
            if expr.window is not None:
                w = expr.window
                bottom = max(bottom, add_duration(t, w.months, w.days, sign=-1))
            bottom = min(max(bottom, self.lo - 1), t)
            out[t] = upto[t + 1 - self.lo] - upto[bottom + 1 - self.lo]
        return out

    def crossings(self, expr: ast.Threshold, inst: Instance) -> list[int]:
        """»hver dag hvor«: every day t up to as_of on which the count reaches the amount
        after a day on which it did not (catalogue C5, §7 thresholds recur)."""
        need = expr.amount.days + (1 if expr.more_than else 0)
        count = self.counts(expr, inst, self.as_of)
        return [
            t
            for t in range(self.lo, self.as_of + 1)
            if count[t] >= need and (t == self.lo or count[t - 1] < need)
        ]

    def passed_on(self, expr: ast.Threshold, inst: Instance, day: int) -> bool:
        """Has the count reached the amount on ``day``?"""
        need = expr.amount.days + (1 if expr.more_than else 0)
        return day >= self.lo and self.counts(expr, inst, day)[day] >= need

    def threshold_triggers(self, expr: ast.Threshold, inst: Instance) -> list[int]:
        """As a trigger: one day per reset segment (the count restarts after each reset);
        a recurring one (»hver dag hvor«) with a window: every crossing."""
        if expr.recurring and expr.window is not None:
            return self.crossings(expr, inst)
        if expr.reset_by is None:
            t = self.threshold(expr, inst, lo=None)
            return [] if t is None else [t]
        bounds = [self.lo - 1, *self._reset_days(expr), self.horizon]
        out = []
        for lo, hi in zip(bounds, bounds[1:], strict=False):
            t = self.threshold(expr, inst, lo=lo + 1)
            if t is not None and t < hi:
                out.append(t)
        return sorted(set(out))

    # ── timelines ──
    def timeline(self, expr: ast.Timeline, inst: Instance | None) -> set[int]:
        """The days (within the universe) on which the timeline holds."""
        if isinstance(expr, ast.TlAnd):
            return self.timeline(expr.left, inst) & self.timeline(expr.right, inst)
        if isinstance(expr, ast.TlOr):
            return self.timeline(expr.left, inst) | self.timeline(expr.right, inst)
        if isinstance(expr, ast.TlNot):
            return self.universe - self.timeline(expr.timeline, inst)
        if isinstance(expr, ast.TlName):
            return self.named_timeline(expr, inst)
        if isinstance(expr, ast.TlCourse):
            if inst is None:
                return set()
            end = min(inst.scope.course_end, self.horizon)
            return set(range(inst.scope.course_start, end + 1))
        if isinstance(expr, ast.TlAge):
            return {d for d in self.universe if _OPS[expr.op](age_on(self.birth, d), expr.years)}
        if isinstance(expr, ast.TlLatest):
            return self.latest_timeline(expr)
        if isinstance(expr, ast.TlFact):
            return self.universe if self.fact_holds(expr) else set()
        if isinstance(expr, ast.TlSince):
            day = self.date(expr.date, inst)
            return set() if day is None else {d for d in self.universe if d >= day}
        if isinstance(expr, ast.TlBetween):
            lo, hi = from_date(expr.start), from_date(expr.end)
            return {d for d in self.universe if lo <= d <= hi}
        if isinstance(expr, ast.TlFromDay):
            return self.from_day(self.timeline(expr.timeline, inst), expr.day)
        if isinstance(expr, ast.TlAfterLasting):
            return self.after_lasting(self.timeline(expr.timeline, inst), expr.duration)
        raise TypeError(f"ukendt tidslinje {expr!r}")

    def named_timeline(self, expr: ast.TlName, inst: Instance | None) -> set[int]:
        """A named timeline, a period kind (with key and condition), or a boolean fact."""
        ref = self.plan.names.timeline(expr.name)
        if ref.definition is not None:
            return self.timeline(ref.definition.timeline, inst)
        if ref.kind == "period":
            return self.period_days(expr, inst)
        return self.universe if self.history.facts.get(expr.name) else set()

    def period_days(self, expr: ast.TlName, inst: Instance | None) -> set[int]:
        """Days inside periods of the kind; with a condition, only days on which the latest
        start event of that period (on or before the day) satisfies it."""
        decl = self.plan.vocabulary.periods[expr.name]
        out: set[int] = set()
        for key, periods in periods_of(self.history, decl, self.as_of).items():
            if expr.key is not None and key != expr.key:
                continue
            starts = [
                e
                for e in self.events
                if e.type == decl.start and (decl.key is None or e.attrs.get(decl.key) == key)
            ]
            for start, end, idx in periods:
                if expr.first and expr.where is not None:
                    # the condition on the period's first start event: all of it or none
                    first = next(e for e in self.history.events if e.index == idx)
                    if self.truth(expr.where, first, inst):
                        out.update(range(start, min(end, self.horizon) + 1))
                    continue
                for d in range(start, min(end, self.horizon) + 1):
                    if expr.where is None:
                        out.add(d)
                        continue
                    latest = [e for e in starts if start <= e.day <= d][-1]
                    if self.truth(expr.where, latest, inst):
                        out.add(d)
        return out

    def latest_timeline(self, expr: ast.TlLatest) -> set[int]:
        """Days on which the latest event of the type (on or before the day) passes the test."""
        evs = [e for e in self.events if e.type == expr.event]
        out = set()
        for d in self.universe:
            before = [e for e in evs if e.day <= d]
            if not before:
                continue
            v = before[-1].attrs.get(expr.attr)
            if expr.values is not None:
                ok = v in self.members(expr.values)
            else:
                ok = v is not None and _OPS[expr.op or "="](v, expr.value.value)  # type: ignore[union-attr]
            if ok:
                out.add(d)
        return out

    def fact_holds(self, expr: ast.TlFact) -> bool:
        """A fact test on the citizen."""
        v = self.history.facts.get(expr.fact)
        if expr.values is not None:
            return v in self.members(expr.values)
        return v is not None and _OPS[expr.op or "="](v, expr.value.value)  # type: ignore[union-attr]

    def from_day(self, days: set[int], n: int) -> set[int]:
        """Each run from its n-th day on."""
        out: set[int] = set()
        for s, e in _intervals(days, self.horizon):
            out |= {d for d in range(s + n - 1, min(e, self.horizon) + 1)}
        return out

    def after_lasting(self, days: set[int], duration: ast.Duration) -> set[int]:
        """Each run from its start + duration on."""
        out: set[int] = set()
        for s, e in _intervals(days, self.horizon):
            begin = add_duration(s, duration.months, duration.days)
            out |= {d for d in range(begin, min(e, self.horizon) + 1)}
        return out

    # ── forløb ──
    def courses(self) -> list[tuple[int, int]]:
        """The forløb of the ruleset as (start, end) pairs; end INF while open."""
        course = self.plan.course
        if course is None:
            return []
        if course.timeline is not None:
            return _intervals(self.timeline(course.timeline, None), self.horizon)
        return self.started_courses(course)

    def started_courses(self, course: ast.Course) -> list[tuple[int, int]]:
        """Courses from start events: a length, an end event, or the next start ends them."""
        assert course.start is not None
        starts = [e for e in self.events if self.matches(course.start, e, None)]
        out = []
        for i, ev in enumerate(starts):
            ends = [INF]
            if course.length is not None:
                ends.append(self.length_end(ev, course.length))
            if course.end is not None:
                ends += [
                    e.day
                    for e in self.events
                    if e.day >= ev.day and self.matches(course.end, e, None)
                ][:1]
            if i + 1 < len(starts):
                ends.append(starts[i + 1].day - 1)
            out.append((ev.day, min(ends)))
        return out

    def length_end(self, ev: Event, length: ast.Duration | ast.AttrLength) -> int:
        """The last day of a period that starts on ``ev``'s day and lasts ``length`` (read
        from ``ev``'s attribute for an :class:`ast.AttrLength`)."""
        if isinstance(length, ast.Duration):
            return add_duration(ev.day, length.months, length.days) - 1
        n = int(ev.attrs.get(length.attr) or 0)  # type: ignore[call-overload]
        months, days = {
            "days": (0, n),
            "weeks": (0, 7 * n),
            "months": (n, 0),
            "years": (12 * n, 0),
        }[length.unit]
        return add_duration(ev.day, months, days) - 1


# ───────────────────────────── rules ─────────────────────────────
def _obligation(span: RuleSpan) -> ast.ObligationRule:
    """The obligation a span evaluates (the evaluator dispatched on the rule's class)."""
    rule = span.rule
    if not isinstance(rule, ast.ObligationRule):
        raise TypeError(f"{rule.id} er ikke en pligt")
    return rule


def _right(span: RuleSpan) -> ast.RightRule:
    """The right a span evaluates."""
    rule = span.rule
    if not isinstance(rule, ast.RightRule):
        raise TypeError(f"{rule.id} er ikke en ret")
    return rule


def _value(span: RuleSpan) -> ast.ValueRule:
    """The value a span evaluates."""
    rule = span.rule
    if not isinstance(rule, ast.ValueRule):
        raise TypeError(f"{rule.id} er ikke en værdi")
    return rule


class Interpreter:
    """Evaluate a plan by walking its AST (slow, simple, the oracle)."""

    def __init__(self, plan: Plan):
        self.plan = plan

    def evaluate(self, history: History, as_of: datetime.date | int) -> Result:
        """All obligations, rights and values for one citizen as of a date."""
        day = as_of if isinstance(as_of, int) else from_date(as_of)
        c = Citizen(self.plan, history, day)
        courses = c.courses()
        obligations: list[Obligation] = []
        rights: list[Right] = []
        values: list[Value] = []
        for span in self.plan.spans:
            for scope in self.scopes(c, span, courses):
                if isinstance(span.rule, ast.ObligationRule):
                    obligations += self.obligations(c, span, scope)
                elif isinstance(span.rule, ast.RightRule):
                    rights += self.rights(c, span, scope)
                else:
                    values += self.values(c, span, scope)
        rights = self.held_once(rights)
        return Result.build(history.id, self.plan.name, day, obligations, rights, values)

    def held_once(self, rights: list[Right]) -> list[Right]:
        """A right whose rule is the same in consecutive versions is one entry: one that lies
        inside an earlier right of such a rule (from an earlier version) is not listed again
        (catalogue C5, *one right across versions*, *a running right is held once*)."""
        group_of = {
            span.info: self.plan.right_groups[span.index]
            for span in self.plan.spans
            if span.index in self.plan.right_groups
        }
        out: list[Right] = []
        for r in sorted(rights, key=lambda r: r.start_day):
            if r.rule in group_of and any(
                group_of.get(k.rule) == group_of[r.rule]
                and k.start_day <= r.start_day
                and r.until_day <= k.until_day
                for k in out
            ):
                continue
            out.append(r)
        return out

    def scopes(self, c: Citizen, span: RuleSpan, courses: list[tuple[int, int]]) -> Iterator[Scope]:
        """One scope per forløb, or one for the citizen. An obligation sees the forløb from
        its real start (C1), or under a declared transition from the span's first day; a
        right from the ruleset's first day."""
        if span.rule.per_citizen or self.plan.course is None:
            yield Scope(c.lo, INF, c.lo, c.as_of, True)
            return
        for start, end in courses:
            if not isinstance(span.rule, ast.ObligationRule):
                lo = max(start, self.plan.first_day, c.lo)
            elif end < span.start or start > span.end or span.start > c.as_of:
                continue  # no trigger of this forløb can lie in the span
            else:
                lo = max(start, span.start) if span.transition else start
            if lo <= end and lo <= c.as_of:
                yield Scope(start, end, lo, min(end, c.as_of), False)

    # ── obligations ──
    def obligations(self, c: Citizen, span: RuleSpan, scope: Scope) -> list[Obligation]:
        """The instances of one obligation in one scope."""
        rule = _obligation(span)
        if isinstance(rule.trigger, ast.CountWindows):
            return list(self.windows(c, span, scope, rule.trigger))
        if rule.repeat is not None:
            return list(self.chain(c, span, scope))
        out = []
        for t, ev in self.triggers(c, span, scope):
            inst = self.single(c, span, scope, t, ev, self._taken_note(c, span, scope, t))
            if inst is not None:
                out.append(inst)
        return out

    def _taken_note(self, c: Citizen, span: RuleSpan, scope: Scope, t: int) -> str:
        """The explanation's first words when a new version took the instance over (C5)."""
        trig = _obligation(span).trigger
        if not span.takes_over or t != span.start or not isinstance(trig, ast.AtDate):
            return ""
        if not isinstance(trig.date, ast.Threshold):
            return ""
        crossed = c.threshold_triggers(trig.date, Instance(scope))
        return "" if t in crossed else "Tærsklen var allerede passeret, da versionen trådte i kraft"

    def triggers(
        self, c: Citizen, span: RuleSpan, scope: Scope, listed: bool = True
    ) -> list[tuple[int, Event | None]]:
        """Trigger days (with the triggering event, if any) inside the span and the scope;
        with ``listed=False`` also those before the span (a chain's unlisted links)."""
        rule = _obligation(span)
        base = Instance(scope)
        trig = rule.trigger
        found: list[tuple[int, Event | None]] = []
        if isinstance(trig, ast.EachEvent):
            # several triggering events on one day give one instance (catalogue C5)
            for e in c.scoped(trig.pattern, base):
                if e.day not in [d for d, _ in found]:
                    found.append((e.day, e))
        elif isinstance(trig, ast.AtDate) and isinstance(trig.date, ast.Threshold):
            found = [(t, None) for t in c.threshold_triggers(trig.date, base)]
            if span.takes_over and self._taken_over(c, span, trig.date, base):
                found = sorted({*found, (span.start, None)}, key=lambda x: x[0])
        elif isinstance(trig, ast.AtDate):
            t = c.date(trig.date, base)
            ev = self._event_at(c, trig.date, t, base)
            found = [] if t is None else [(t, ev)]
        return [
            (t, ev)
            for t, ev in found
            if (span.start <= t or not listed)
            and t <= span.end
            and t <= c.as_of
            and scope.lo <= t <= scope.course_end
            and (rule.condition is None or c.truth(rule.condition, None, Instance(scope, t)))
        ]

    def _taken_over(self, c: Citizen, span: RuleSpan, expr: ast.Threshold, inst: Instance) -> bool:
        """Catalogue C5, thresholds across a version change: on the first day of a version
        that replaces an earlier one, a count already past the threshold triggers, if the
        counted condition holds that day (a forløb runs; without a forløb, the timeline)."""
        day = span.start
        if day > c.as_of:
            return False
        if self.plan.course is not None:
            holds = any(s <= day <= e for s, e in c.courses())
        else:
            holds = day in c.timeline(expr.timeline, inst)
        return holds and c.passed_on(expr, inst, day)

    def _event_at(
        self, c: Citizen, expr: ast.DateExpr, day: int | None, inst: Instance
    ) -> Event | None:
        """The event a date expression picked (so it cannot also meet the rule)."""
        if not isinstance(expr, ast.EventDate) or day is None:
            return None
        same_day = [e for e in c.scoped(expr.pattern, inst) if e.day == day]
        if not same_day:
            return None
        # of several on the day, »seneste« is the last in history order (catalogue C5)
        return same_day[-1] if expr.which == "latest" else same_day[0]

    def due(
        self, c: Citizen, rule: ast.ObligationRule, t: int, scope: Scope, first: bool = True
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

    def met(
        self,
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
                e
                for e in c.events
                if lo <= e.day <= scope.hi and c.matches(met_by.pattern, e, inst)
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

    def suspended(self, c: Citizen, rule: ast.ObligationRule, scope: Scope, due: int) -> bool:
        """The rule says it does not run on the due date."""
        return rule.suspend is not None and due in c.timeline(rule.suspend, Instance(scope, due))

    def make(
        self,
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
        status = status_of(met, due, c.as_of, self.suspended(c, _obligation(span), scope, due))
        if transition:
            note = course_note(scope.course_start, scope.lo, span.info.transition_citation)
        return Obligation(span.info, version, t, due, status, met, c.as_of, note, transition)

    def single(
        self, c: Citizen, span: RuleSpan, scope: Scope, t: int, ev: Event | None, note: str = ""
    ) -> Obligation | None:
        """One instance triggered on ``t`` (by ``ev``, which cannot meet it)."""
        due = self.due(c, _obligation(span), t, scope)
        if due is None:
            return None
        met = self.on_time_if_suspended(
            c, span, scope, self.met(c, _obligation(span), scope, t, due, False, ev), due
        )
        return self.make(c, span, scope, t, due, met, note, transition=scope.transitional)

    def on_time_if_suspended(
        self, c: Citizen, span: RuleSpan, scope: Scope, met: int | None, due: int
    ) -> int | None:
        """A suspended instance is met only by an event on or before its due date (C5)."""
        late = met is not None and met > due
        return None if late and self.suspended(c, _obligation(span), scope, due) else met

    def chain(self, c: Citizen, span: RuleSpan, scope: Scope) -> Iterator[Obligation]:
        """A recurring obligation: each instance is triggered by the event that met the
        previous one (or by its due date, when it was suspended); an overdue instance ends
        the chain, and so does a pending one. The chain is built from the forløb's real
        history; a link whose trigger lies before the span is not listed but carries the
        chain, met or not as the history says (catalogue C5, a rule's own start date)."""
        first = self.triggers(c, span, scope, listed=False)[:1]
        if not first:
            return
        t, ev = first[0]
        strict, is_first, note = ev is not None, True, ""
        while t <= min(c.as_of, span.end, scope.course_end):
            due = self.due(c, _obligation(span), t, scope, is_first)
            if due is None:
                return
            met = self.met(c, _obligation(span), scope, t, due, strict, None)
            met = self.on_time_if_suspended(c, span, scope, met, due)
            if not scope.per_citizen and due > scope.course_end and met is None:
                return  # lapsed with the forløb
            suspended = self.suspended(c, _obligation(span), scope, due)
            if t >= span.start:
                inst = self.make(c, span, scope, t, due, met, note, scope.transitional and is_first)
                if inst is None:
                    return
                yield inst
            if met is not None:
                t, strict, note = met, True, "Forrige opfyldelse"
            elif status_of(met, due, c.as_of, suspended) == "suspended" and due <= c.as_of:
                t, strict, note = due, False, "Forrige frist (suspenderet)"
            else:
                return
            is_first = False

    def windows(
        self, c: Citizen, span: RuleSpan, scope: Scope, trig: ast.CountWindows
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
            met = self._count_in(c, _obligation(span), scope, start, end)
            if scope.course_end < end and met is None:
                continue
            version = span.version_on(start)
            if version is None:
                continue
            status = status_of(met, end, c.as_of, self.suspended(c, _obligation(span), scope, end))
            note = window_note(k, origin, transition)
            yield Obligation(
                span.info, version, start, end, status, met, c.as_of, note, bool(transition)
            )

    def _count_in(
        self, c: Citizen, rule: ast.ObligationRule, scope: Scope, start: int, end: int
    ) -> int | None:
        assert rule.met_by is not None
        inst = Instance(scope, start)
        days = [e.day for e in c.scoped(rule.met_by.pattern, inst) if start <= e.day <= end]
        return days[rule.met_by.count - 1] if len(days) >= rule.met_by.count else None

    # ── rights ──
    def rights(self, c: Citizen, span: RuleSpan, scope: Scope) -> list[Right]:
        """The periods of a right in one scope. A right belongs to the version in force on its
        first day; one that began before the ruleset's first version belongs to that version
        (the law in force takes over a right already running), keeping its real start."""
        rule = _right(span)
        if rule.right_when is not None:
            periods = self.when_periods(c, span, scope)
        else:
            periods = self.from_periods(c, span, scope)
        out: list[Right] = []
        for start, until in periods:
            if until < start:
                continue  # the next event came later the same day: no right (C5)
            day = max(start, self.plan.first_day)
            if not span.start <= day <= span.end:
                continue
            version = span.version_on(day)
            if version is None or any(r.start_day <= start and until <= r.until_day for r in out):
                continue
            out.append(Right(span.info, version, start, until))
        return out

    def _rule_bounds(self, rule: ast.Rule) -> tuple[int, int]:
        v = rule.validity
        lo = from_date(v.start) if v and v.start else 1
        hi = from_date(v.end) if v and v.end else INF
        return lo, hi

    def when_periods(self, c: Citizen, span: RuleSpan, scope: Scope) -> list[tuple[int, int]]:
        """Maximal periods on which the condition holds, within the forløb and the rule's
        period of force; per citizen, built only up to as_of (until open if it holds then)."""
        rule = _right(span)
        assert rule.right_when is not None
        days = c.timeline(rule.right_when, Instance(scope))
        lo, hi = self._rule_bounds(rule)
        days = {d for d in days if lo <= d <= hi}
        if scope.per_citizen:
            days = {d for d in days if d <= c.as_of}
        else:
            days = {d for d in days if scope.lo <= d <= scope.course_end}
        out = []
        for s, e in _intervals(days, c.horizon):
            if scope.per_citizen and e >= c.as_of and hi >= INF:
                e = INF
            elif scope.per_citizen and e >= c.as_of and hi >= c.as_of:
                e = INF if hi > c.as_of else e
            elif not scope.per_citizen and e >= scope.course_end:
                e = scope.course_end
            if True:  # which span a period belongs to is decided in rights()
                out.append((s, e))
        return out

    def from_periods(self, c: Citizen, span: RuleSpan, scope: Scope) -> list[tuple[int, int]]:
        """Periods starting on trigger days: for a length, until a date, until the day before
        the next matching event, else to the forløb's end (per citizen: open). A right that
        starts on a threshold day starts only once the threshold is reached by as_of."""
        rule = _right(span)
        trig = rule.right_from
        base = Instance(scope)
        starts: list[tuple[int, Event | None]]
        if isinstance(rule.trigger, ast.EachEvent):
            return self.triggered_periods(c, span, scope)
        if isinstance(trig, ast.EachEvent):
            starts = [(e.day, e) for e in c.scoped(trig.pattern, base)]
        elif isinstance(trig, ast.AtDate) and isinstance(trig.date, ast.Threshold):
            # as for an obligation's trigger: a threshold starts a right once it is reached
            # (on or before as_of), once per reset segment
            starts = [(t, None) for t in c.threshold_triggers(trig.date, base) if t <= c.as_of]
        else:
            assert isinstance(trig, ast.AtDate)
            t = c.date(trig.date, base)
            # an open end (the end of a forløb still running) is no day a right can start on
            starts = [] if t is None or t >= INF else [(t, self._event_at(c, trig.date, t, base))]
        lo, hi = self._rule_bounds(rule)
        out = []
        for s, ev in starts:
            inst = Instance(scope, s)
            if not (lo <= s <= hi) or (
                rule.condition is not None and not c.truth(rule.condition, None, inst)
            ):
                continue
            if not scope.per_citizen and not (scope.lo <= s <= scope.course_end):
                continue
            out.append((s, self.until(c, rule, scope, s, ev)))
        return out

    def triggered_periods(self, c: Citizen, span: RuleSpan, scope: Scope) -> list[tuple[int, int]]:
        """A right »udløst af hver <mønster>«: for each such event E (the first of its day),
        if the condition holds with udløsningsdagen = E's day, the right runs from the »fra«
        date found from that day (a threshold only once reached by as_of)."""
        rule = _right(span)
        assert isinstance(rule.trigger, ast.EachEvent) and isinstance(rule.right_from, ast.AtDate)
        date = rule.right_from.date
        lo, hi = self._rule_bounds(rule)
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
            out.append((s, self.until(c, rule, scope, s, e)))
        return out

    def until(
        self, c: Citizen, rule: ast.RightRule, scope: Scope, start: int, ev: Event | None = None
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
                later = [e for e in later if _order(e) > _order(ev)]
            nxt = [e.day for e in later if e.day >= start and (ev is not None or e.day > start)]
            return min(nxt[0] - 1, cap) if nxt else cap
        return cap

    # ── values ──
    def values(self, c: Citizen, span: RuleSpan, scope: Scope) -> list[Value]:
        """A value per ISO week by benefit-week number, reported as runs of equal values."""
        wv = _value(span).week_value
        assert wv is not None
        days = c.timeline(wv.timeline, Instance(scope))
        selfs = None if wv.self_support is None else c.timeline(wv.self_support, Instance(scope))
        # days before the first day that exists for the count (regnet fra, else the span's
        # first day) do not exist; week 0 is the week that holds it
        first_day = max(span.start if wv.counted_from is None else from_date(wv.counted_from), c.lo)
        monday = iso_week_monday(first_day)
        weeks = []
        while monday <= c.as_of:
            existing = [d for d in range(monday, monday + 7) if d >= first_day]
            benefit = any(d in days for d in existing)
            if selfs is None:
                restarting = not benefit
            else:
                restarting = not benefit and all(d in selfs for d in existing)
            weeks.append((monday, benefit, restarting))
            monday += 7
        shown = [(m, r) for m, r in self._numbered(weeks, wv) if m + 6 >= span.start]
        return self._runs(span, shown)

    def _numbered(
        self, weeks: list[tuple[int, bool, bool]], wv: ast.WeekValue
    ) -> list[tuple[int, int]]:
        """(monday, rate) for each benefit week, numbered as refusion § 6 says: week 1 is the
        first benefit week, and the first after a restart; the count restarts at the end of
        the first week e, after the latest week 1, at which the restarting weeks after that
        week 1 among the ``lookback`` weeks ending with e number ``gap``."""
        out = []
        last_one: int | None = None
        number = 0
        restarted = False
        for i, (monday, benefit, _restarting) in enumerate(weeks):
            if benefit:
                number = 1 if last_one is None or restarted else number + 1
                if number == 1:
                    last_one, restarted = i, False
                rate = next(r.value for r in wv.rates if r.up_to is None or number <= r.up_to)
                out.append((monday, rate))
            if last_one is not None and not restarted:
                window = range(max(last_one + 1, i - wv.lookback + 1), i + 1)
                restarted = sum(1 for j in window if weeks[j][2]) >= wv.gap
        return out

    def _runs(self, span: RuleSpan, numbered: list[tuple[int, int]]) -> list[Value]:
        out: list[Value] = []
        for monday, rate in numbered:
            if out and out[-1].value == rate and out[-1].until_day == monday - 1:
                prev = out[-1]
                out[-1] = Value(prev.rule, prev.version, prev.start_day, monday + 6, rate)
            else:
                version = span.version_on(max(monday, span.start))
                if version is not None:
                    out.append(Value(span.info, version, monday, monday + 6, rate))
        return out
