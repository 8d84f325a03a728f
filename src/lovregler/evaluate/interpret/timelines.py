"""Timelines (catalogue §0): the set of days on which a timeline holds, one handler per AST
class, in the table :data:`TIMELINES` that :meth:`.Citizen.timeline` dispatches on. A
timeline is a Python ``set`` of day numbers within the citizen's universe of days."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ...history import periods_of
from ...syntax import ast
from ...timecalc import add_duration, age_on, from_date
from .scope import OPS, Instance, intervals

if TYPE_CHECKING:
    from .citizen import Citizen


def _and(c: Citizen, expr: ast.TlAnd, inst: Instance | None) -> set[int]:
    return c.timeline(expr.left, inst) & c.timeline(expr.right, inst)


def _or(c: Citizen, expr: ast.TlOr, inst: Instance | None) -> set[int]:
    return c.timeline(expr.left, inst) | c.timeline(expr.right, inst)


def _not(c: Citizen, expr: ast.TlNot, inst: Instance | None) -> set[int]:
    return c.universe - c.timeline(expr.timeline, inst)


def _course(c: Citizen, expr: ast.TlCourse, inst: Instance | None) -> set[int]:
    if inst is None:
        return set()
    end = min(inst.scope.course_end, c.horizon)
    return set(range(inst.scope.course_start, end + 1))


def _age(c: Citizen, expr: ast.TlAge, inst: Instance | None) -> set[int]:
    return {d for d in c.universe if OPS[expr.op](age_on(c.birth, d), expr.years)}


def _fact(c: Citizen, expr: ast.TlFact, inst: Instance | None) -> set[int]:
    """A fact test on the citizen: every day or none."""
    v = c.history.facts.get(expr.fact)
    if expr.values is not None:
        holds = v in c.members(expr.values)
    else:
        holds = v is not None and OPS[expr.op or "="](v, expr.value.value)  # type: ignore[union-attr]
    return c.universe if holds else set()


def _since(c: Citizen, expr: ast.TlSince, inst: Instance | None) -> set[int]:
    day = c.date(expr.date, inst)
    return set() if day is None else {d for d in c.universe if d >= day}


def _between(c: Citizen, expr: ast.TlBetween, inst: Instance | None) -> set[int]:
    lo, hi = from_date(expr.start), from_date(expr.end)
    return {d for d in c.universe if lo <= d <= hi}


def _from_day(c: Citizen, expr: ast.TlFromDay, inst: Instance | None) -> set[int]:
    """Each run from its n-th day on."""
    out: set[int] = set()
    for s, e in intervals(c.timeline(expr.timeline, inst), c.horizon):
        out |= {d for d in range(s + expr.day - 1, min(e, c.horizon) + 1)}
    return out


def _after_lasting(c: Citizen, expr: ast.TlAfterLasting, inst: Instance | None) -> set[int]:
    """Each run from its start + duration on."""
    duration = expr.duration
    out: set[int] = set()
    for s, e in intervals(c.timeline(expr.timeline, inst), c.horizon):
        begin = add_duration(s, duration.months, duration.days)
        out |= {d for d in range(begin, min(e, c.horizon) + 1)}
    return out


def _name(c: Citizen, expr: ast.TlName, inst: Instance | None) -> set[int]:
    """A named timeline, a period kind (with key and condition), or a boolean fact."""
    ref = c.plan.names.timeline(expr.name)
    if ref.definition is not None:
        return c.timeline(ref.definition.timeline, inst)
    if ref.kind == "period":
        return _period_days(c, expr, inst)
    return c.universe if c.history.facts.get(expr.name) else set()


def _period_days(c: Citizen, expr: ast.TlName, inst: Instance | None) -> set[int]:
    """Days inside periods of the kind; with a condition, only days on which the latest
    start event of that period (on or before the day) satisfies it."""
    decl = c.plan.vocabulary.periods[expr.name]
    out: set[int] = set()
    for key, periods in periods_of(c.history, decl, c.as_of).items():
        if expr.key is not None and key != expr.key:
            continue
        starts = [
            e
            for e in c.events
            if e.type == decl.start and (decl.key is None or e.attrs.get(decl.key) == key)
        ]
        for start, end, idx in periods:
            if expr.first and expr.where is not None:
                # the condition on the period's first start event: all of it or none
                first = next(e for e in c.history.events if e.index == idx)
                if c.truth(expr.where, first, inst):
                    out.update(range(start, min(end, c.horizon) + 1))
                continue
            for d in range(start, min(end, c.horizon) + 1):
                if expr.where is None:
                    out.add(d)
                    continue
                latest = [e for e in starts if start <= e.day <= d][-1]
                if c.truth(expr.where, latest, inst):
                    out.add(d)
    return out


def _latest(c: Citizen, expr: ast.TlLatest, inst: Instance | None) -> set[int]:
    """Days on which the latest event of the type (on or before the day) passes the test."""
    evs = [e for e in c.events if e.type == expr.event]
    out = set()
    for d in c.universe:
        before = [e for e in evs if e.day <= d]
        if not before:
            continue
        v = before[-1].attrs.get(expr.attr)
        if expr.values is not None:
            ok = v in c.members(expr.values)
        else:
            ok = v is not None and OPS[expr.op or "="](v, expr.value.value)  # type: ignore[union-attr]
        if ok:
            out.add(d)
    return out


TIMELINES: dict[type, Callable[[Citizen, Any, Instance | None], set[int]]] = {
    ast.TlAnd: _and,
    ast.TlOr: _or,
    ast.TlNot: _not,
    ast.TlName: _name,
    ast.TlCourse: _course,
    ast.TlAge: _age,
    ast.TlLatest: _latest,
    ast.TlFact: _fact,
    ast.TlSince: _since,
    ast.TlBetween: _between,
    ast.TlFromDay: _from_day,
    ast.TlAfterLasting: _after_lasting,
}
"""The days (within the universe) on which a timeline holds."""
