"""Date expressions (catalogue §0): one handler per AST class, in the table :data:`DATES`
that :meth:`.Citizen.date` dispatches on. A date that has no value (no such event) is None."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ...syntax import ast
from ...timecalc import add_duration, birthday, end_of_month, from_date
from .scope import Instance
from .thresholds import threshold

if TYPE_CHECKING:
    from .citizen import Citizen


def _date_lit(c: Citizen, expr: ast.DateLit, inst: Instance | None) -> int | None:
    return from_date(expr.value)


def _course_start(c: Citizen, expr: ast.CourseStart, inst: Instance | None) -> int | None:
    return inst.scope.lo if inst else None


def _course_end(c: Citizen, expr: ast.CourseEnd, inst: Instance | None) -> int | None:
    return inst.scope.course_end if inst else None


def _trigger_date(c: Citizen, expr: ast.TriggerDate, inst: Instance | None) -> int | None:
    return inst.trigger if inst else None


def _shift(c: Citizen, expr: ast.DateShift, inst: Instance | None) -> int | None:
    base = c.date(expr.base, inst)
    d = expr.duration
    return None if base is None else add_duration(base, d.months, d.days, sign=expr.sign)


def _end_of_month(c: Citizen, expr: ast.EndOfMonth, inst: Instance | None) -> int | None:
    base = c.date(expr.base, inst)
    return None if base is None else end_of_month(base)


def _birthday(c: Citizen, expr: ast.Birthday, inst: Instance | None) -> int | None:
    return birthday(c.birth, expr.years)


def _threshold(c: Citizen, expr: ast.Threshold, inst: Instance | None) -> int | None:
    return threshold(c, expr, inst, lo=None)


def _date_ref(c: Citizen, expr: ast.DateRef, inst: Instance | None) -> int | None:
    return c.date(c.plan.names.date(expr.name), inst)


def _period_start(c: Citizen, expr: ast.PeriodStart, inst: Instance | None) -> int | None:
    """The first day of the run of the timeline's days that holds the date."""
    day = c.date(expr.date, inst)
    days = c.timeline(expr.timeline, inst)
    if day is None or day not in days:
        return None
    while day - 1 in days:
        day -= 1
    return day


def _event_date(c: Citizen, expr: ast.EventDate, inst: Instance | None) -> int | None:
    """The first or latest matching event's date, within the bound if one is given."""
    days = [e.day for e in c.scoped(expr.pattern, inst)]
    if expr.bound is not None:
        ref = c.date(expr.bound_date, inst)
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


DATES: dict[type, Callable[[Citizen, Any, Instance | None], int | None]] = {
    ast.DateLit: _date_lit,
    ast.CourseStart: _course_start,
    ast.CourseEnd: _course_end,
    ast.TriggerDate: _trigger_date,
    ast.EventDate: _event_date,
    ast.DateShift: _shift,
    ast.EndOfMonth: _end_of_month,
    ast.Birthday: _birthday,
    ast.Threshold: _threshold,
    ast.PeriodStart: _period_start,
    ast.DateRef: _date_ref,
}
"""A date expression's day, for one citizen and maybe one rule instance."""
