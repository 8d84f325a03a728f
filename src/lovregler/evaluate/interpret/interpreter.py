"""The interpreter's entry point: every rule span of a plan, in every scope it sees (a
forløb, or the whole citizen), evaluated by the class of its rule (:data:`RULES`)."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from typing import Any

import attrs

from ...history import History
from ...results import Obligation, Result, Right, Value
from ...syntax import ast
from ...timecalc import INF, from_date
from ..plan import Plan, RuleSpan
from .citizen import Citizen
from .obligations import obligations
from .rights import rights
from .scope import Scope
from .values import values


@attrs.define
class Found:
    """What the rule spans found for one citizen so far."""

    obligations: list[Obligation] = attrs.Factory(list)
    rights: list[Right] = attrs.Factory(list)
    values: list[Value] = attrs.Factory(list)


def _obligation(
    c: Citizen, rule: ast.ObligationRule, span: RuleSpan, scope: Scope, out: Found
) -> None:
    out.obligations += obligations(c, span, scope)


def _right(c: Citizen, rule: ast.RightRule, span: RuleSpan, scope: Scope, out: Found) -> None:
    out.rights += rights(c, span, scope)


def _value(c: Citizen, rule: ast.ValueRule, span: RuleSpan, scope: Scope, out: Found) -> None:
    out.values += values(c, span, scope)


RULES: dict[type, Callable[[Citizen, Any, RuleSpan, Scope, Found], None]] = {
    ast.ObligationRule: _obligation,
    ast.RightRule: _right,
    ast.ValueRule: _value,
}
"""What a rule span finds in one scope, by the class of its rule."""


class Interpreter:
    """Evaluate a plan by walking its AST (slow, simple, the oracle)."""

    def __init__(self, plan: Plan):
        self.plan = plan

    def evaluate(self, history: History, as_of: datetime.date | int) -> Result:
        """All obligations, rights and values for one citizen as of a date."""
        day = as_of if isinstance(as_of, int) else from_date(as_of)
        c = Citizen(self.plan, history, day)
        courses = c.courses()
        out = Found()
        for span in self.plan.spans:
            for scope in self.scopes(c, span, courses):
                RULES[type(span.rule)](c, span.rule, span, scope, out)
        held = self.held_once(out.rights)
        return Result.build(history.id, self.plan.name, day, out.obligations, held, out.values)

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
