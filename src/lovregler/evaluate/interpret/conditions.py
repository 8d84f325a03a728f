"""Conditions, operands and sets (catalogue §0): one handler per AST class, in the tables
:data:`OPERANDS`, :data:`VALUE_SETS` and :data:`CONDITIONS` that :class:`.Citizen`
dispatches on."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ...history import Event
from ...semantics.vocabulary import PeriodDecl
from ...syntax import ast
from ...timecalc import INF, add_duration, age_on
from .scope import OPS, Instance

if TYPE_CHECKING:
    from .citizen import Citizen


# ───────────────────────────── operands and sets ─────────────────────────────
def _literal(c: Citizen, op: ast.Literal, ev: Event | None, inst: Instance | None) -> object:
    return op.value


def _age_at(c: Citizen, op: ast.AgeAt, ev: Event | None, inst: Instance | None) -> object:
    day = c.date(op.date, inst)
    return None if day is None else age_on(c.birth, day)


def _name_ref(c: Citizen, op: ast.NameRef, ev: Event | None, inst: Instance | None) -> object:
    # an attribute of the event, else a fact
    if ev is not None and c.plan.names.is_attribute(op.name, ev.type):
        return ev.attrs.get(op.name)
    return c.history.facts.get(op.name)


OPERANDS: dict[type, Callable[[Citizen, Any, Event | None, Instance | None], object]] = {
    ast.Literal: _literal,
    ast.AgeAt: _age_at,
    ast.NameRef: _name_ref,
}
"""The value of an operand: an event attribute, else a fact, else a literal."""


def _set_ref(c: Citizen, values: ast.SetRef) -> frozenset[object]:
    return c.plan.names.set_values(values.name)


def _set_lit(c: Citizen, values: ast.SetLit) -> frozenset[object]:
    return frozenset(v.value for v in values.values)


VALUE_SETS: dict[type, Callable[[Citizen, Any], frozenset[object]]] = {
    ast.SetRef: _set_ref,
    ast.SetLit: _set_lit,
}
"""The values of a set literal or a named set."""


# ───────────────────────────── conditions ─────────────────────────────
def _and(c: Citizen, expr: ast.BoolAnd, ev: Event | None, inst: Instance | None) -> bool:
    return c.truth(expr.left, ev, inst) and c.truth(expr.right, ev, inst)


def _or(c: Citizen, expr: ast.BoolOr, ev: Event | None, inst: Instance | None) -> bool:
    return c.truth(expr.left, ev, inst) or c.truth(expr.right, ev, inst)


def _not(c: Citizen, expr: ast.BoolNot, ev: Event | None, inst: Instance | None) -> bool:
    return not c.truth(expr.operand, ev, inst)


def _compare(c: Citizen, expr: ast.BoolCompare, ev: Event | None, inst: Instance | None) -> bool:
    a, b = c.value(expr.left, ev, inst), c.value(expr.right, ev, inst)
    return a is not None and b is not None and OPS[expr.op](a, b)


def _in(c: Citizen, expr: ast.BoolIn, ev: Event | None, inst: Instance | None) -> bool:
    inside = c.value(expr.operand, ev, inst) in c.members(expr.values)
    return inside != expr.negated


def _truthy(c: Citizen, expr: ast.BoolTruthy, ev: Event | None, inst: Instance | None) -> bool:
    return bool(c.value(expr.operand, ev, inst))


def _shorter(c: Citizen, expr: ast.BoolShorter, ev: Event | None, inst: Instance | None) -> bool:
    """The event's period is known (closed) to have lasted less than the duration."""
    if ev is None:
        return False
    span = _period_of_event(c, ev)
    if span is None or span[1] >= INF:
        return False
    start, end = span
    return end < add_duration(start, expr.duration.months, expr.duration.days) - 1


def _continues(
    c: Citizen, expr: ast.BoolContinues, ev: Event | None, inst: Instance | None
) -> bool:
    """Some period of the kind (its own, not joined: catalogue C5) runs on the date and
    on the day after, having started on or before the date."""
    day = c.date(expr.date, inst)
    if day is None:
        return False
    decl = c.plan.vocabulary.periods[expr.period]
    for start, end, members in own_periods(c, decl):
        starter = members[0]
        key = starter.attrs.get(decl.key) if decl.key else None
        if expr.key is not None and key != expr.key:
            continue
        if expr.where is not None and not c.truth(expr.where, starter, inst):
            continue
        if start <= day and end >= day + 1:
            return True
    return False


def _exists(c: Citizen, expr: ast.BoolExists, ev: Event | None, inst: Instance | None) -> bool:
    """An event matching the pattern lies between the two dates (inclusive)."""
    lo, hi = c.date(expr.start, inst), c.date(expr.end, inst)
    if lo is None or hi is None:
        return False
    return any(lo <= e.day <= hi and c.matches(expr.pattern, e, inst) for e in c.events)


CONDITIONS: dict[type, Callable[[Citizen, Any, Event | None, Instance | None], bool]] = {
    ast.BoolAnd: _and,
    ast.BoolOr: _or,
    ast.BoolNot: _not,
    ast.BoolCompare: _compare,
    ast.BoolIn: _in,
    ast.BoolTruthy: _truthy,
    ast.BoolShorter: _shorter,
    ast.BoolContinues: _continues,
    ast.BoolExists: _exists,
}
"""A condition on an event (``ev``) and/or a rule instance."""


# ───────────────────────────── a period's own events ─────────────────────────────
def _period_of_event(c: Citizen, ev: Event) -> tuple[int, int] | None:
    """The event's own period (catalogue C5: each offer is judged on its own start and
    end events, never joined with an offer that touches it)."""
    found = c.plan.vocabulary.period_for_event(ev.type)
    if found is None:
        return None
    for start, end, members in own_periods(c, found[0]):
        if ev in members:
            return start, end
    return None


def own_periods(c: Citizen, decl: PeriodDecl) -> list[tuple[int, int, list[Event]]]:
    """Periods of a kind read off their own start and end events in history order: a
    start opens one (or, while one of its key is open, belongs to it); an end closes the
    open one. Unlike catalogue §0's benefit periods, touching periods stay apart."""
    out: list[tuple[int, int, list[Event]]] = []
    open_: dict[object, tuple[int, list[Event]]] = {}
    for e in c.events:
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
