"""One citizen as of one day, and the dispatch of expressions on their class.

:class:`Citizen` holds what every expression needs (the plan, the events that exist, the
universe of days) and dispatches each kind of expression on its AST class through the
tables of :mod:`.conditions`, :mod:`.dates` and :mod:`.timelines` (the tables
``tests/test_architecture.py`` reads to find a class no handler covers).
"""

from __future__ import annotations

from ...history import Event, History
from ...syntax import ast
from ...timecalc import INF, add_duration
from ..plan import Plan
from .conditions import CONDITIONS, OPERANDS, VALUE_SETS
from .dates import DATES
from .scope import HORIZON_DAYS, Instance, intervals
from .timelines import TIMELINES


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

    # ── the expressions, dispatched on their class ──
    def value(self, op: ast.Operand, ev: Event | None, inst: Instance | None) -> object:
        """The value of an operand: an event attribute, else a fact, else a literal."""
        return OPERANDS[type(op)](self, op, ev, inst)

    def members(self, values: ast.ValueSet) -> frozenset[object]:
        """The values of a set literal or a named set."""
        return VALUE_SETS[type(values)](self, values)

    def truth(self, expr: ast.BoolExpr, ev: Event | None, inst: Instance | None) -> bool:
        """Evaluate a condition on an event (``ev``) and/or a rule instance."""
        return CONDITIONS[type(expr)](self, expr, ev, inst)

    def date(self, expr: ast.DateExpr | None, inst: Instance | None) -> int | None:
        """Evaluate a date expression (None when it has no value, e.g. no such event)."""
        return None if expr is None else DATES[type(expr)](self, expr, inst)

    def timeline(self, expr: ast.Timeline, inst: Instance | None) -> set[int]:
        """The days (within the universe) on which the timeline holds."""
        return TIMELINES[type(expr)](self, expr, inst)

    # ── events ──
    def matches(self, pattern: ast.Pattern, ev: Event, inst: Instance | None) -> bool:
        """Does ``ev`` match the pattern (a named pattern is expanded)?"""
        ref = self.plan.names.pattern(pattern)
        return ev.type == ref.event and all(self.truth(c, ev, inst) for c in ref.conditions)

    def scoped(self, pattern: ast.Pattern, inst: Instance | None) -> list[Event]:
        """Events matching the pattern on days the instance's scope can see."""
        lo, hi = (inst.scope.lo, inst.scope.hi) if inst else (self.lo, self.as_of)
        return [e for e in self.events if lo <= e.day <= hi and self.matches(pattern, e, inst)]

    # ── forløb ──
    def courses(self) -> list[tuple[int, int]]:
        """The forløb of the ruleset as (start, end) pairs; end INF while open."""
        course = self.plan.course
        if course is None:
            return []
        if course.timeline is not None:
            return intervals(self.timeline(course.timeline, None), self.horizon)
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
