"""The transformer's parts for the expressions inside rules: conditions (with patterns,
operands, sets and literals), dates and durations, and timelines."""

from __future__ import annotations

import attrs
from lark import Token, v_args
from lark.tree import Meta

from .. import ast
from .base import MAX_SHIFTS, NodeBuilder, make_duration, nfc, to_date, too_big, unquote


@v_args(inline=True, meta=True)
class ConditionsToAst(NodeBuilder):
    """Conditions, event patterns, operands, sets and literals."""

    def b_or(self, meta: Meta, a: ast.BoolExpr, b: ast.BoolExpr) -> ast.BoolOr:
        return ast.BoolOr(left=a, right=b, pos=self.p(meta))

    def b_and(self, meta: Meta, a: ast.BoolExpr, b: ast.BoolExpr) -> ast.BoolAnd:
        return ast.BoolAnd(left=a, right=b, pos=self.p(meta))

    def b_not(self, meta: Meta, a: ast.BoolExpr) -> ast.BoolNot:
        return ast.BoolNot(operand=a, pos=self.p(meta))

    def b_compare(
        self, meta: Meta, left: ast.Operand, op: str, right: ast.Operand
    ) -> ast.BoolCompare:
        # A bare name on the right of a comparison is a value (målgruppe = aktivitetsparat).
        if isinstance(right, ast.NameRef):
            right = ast.Literal(value=right.name, kind="enum", pos=right.pos)
        return ast.BoolCompare(left=left, op=op, right=right, pos=self.p(meta))

    def b_in(self, meta: Meta, operand: ast.Operand, values: ast.ValueSet) -> ast.BoolIn:
        return ast.BoolIn(operand=operand, values=values, pos=self.p(meta))

    def b_not_in(self, meta: Meta, operand: ast.Operand, values: ast.ValueSet) -> ast.BoolIn:
        return ast.BoolIn(operand=operand, values=values, negated=True, pos=self.p(meta))

    def b_shorter(self, meta: Meta, duration: ast.Duration) -> ast.BoolShorter:
        return ast.BoolShorter(duration=duration, pos=self.p(meta))

    def b_exists(
        self, meta: Meta, pattern: ast.Pattern, start: ast.DateExpr, end: ast.DateExpr
    ) -> ast.BoolExists:
        return ast.BoolExists(pattern=pattern, start=start, end=end, pos=self.p(meta))

    def b_continues(
        self,
        meta: Meta,
        period: Token,
        key: Token | None,
        where: ast.BoolExpr | None,
        date: ast.DateExpr,
    ) -> ast.BoolContinues:
        return ast.BoolContinues(
            period=nfc(period),
            key=nfc(key) if key else None,
            where=where,
            date=date,
            pos=self.p(meta),
        )

    def b_truthy(self, meta: Meta, operand: ast.Operand) -> ast.BoolTruthy:
        return ast.BoolTruthy(operand=operand, pos=self.p(meta))

    def name_ref(self, meta: Meta, name: Token) -> ast.NameRef:
        return ast.NameRef(name=nfc(name), pos=self.p(meta))

    def age_at(self, meta: Meta, date: ast.DateExpr) -> ast.AgeAt:
        return ast.AgeAt(date=date, pos=self.p(meta))

    def compare_op(self, meta: Meta, tok: Token) -> str:
        return str(tok)

    def cmp_lt(self, meta: Meta) -> str:
        return "<"

    def cmp_gt(self, meta: Meta) -> str:
        return ">"

    def cmp_le(self, meta: Meta) -> str:
        return "<="

    def cmp_ge(self, meta: Meta) -> str:
        return ">="

    @v_args(meta=True)
    def set_lit(self, meta: Meta, values: list[ast.Literal]) -> ast.SetLit:
        return ast.SetLit(values=tuple(values), pos=self.p(meta))

    def set_ref(self, meta: Meta, name: Token) -> ast.SetRef:
        return ast.SetRef(name=nfc(name), pos=self.p(meta))

    def literal(self, meta: Meta, lit: ast.Literal) -> ast.Literal:
        return lit

    def enum_lit(self, meta: Meta, tok: Token) -> ast.Literal:
        return ast.Literal(value=nfc(tok), kind="enum", pos=self.p(meta))

    def int_lit(self, meta: Meta, tok: Token) -> ast.Literal:
        return ast.Literal(value=int(tok), kind="int", pos=self.p(meta))

    def true_lit(self, meta: Meta) -> ast.Literal:
        return ast.Literal(value=True, kind="bool", pos=self.p(meta))

    def false_lit(self, meta: Meta) -> ast.Literal:
        return ast.Literal(value=False, kind="bool", pos=self.p(meta))

    def str_lit(self, meta: Meta, tok: Token) -> ast.Literal:
        return ast.Literal(value=unquote(tok), kind="text", pos=self.p(meta))

    # ── patterns ──
    def pattern(self, meta: Meta, name: Token, where: ast.BoolExpr | None = None) -> ast.Pattern:
        return ast.Pattern(name=nfc(name), where=where, pos=self.p(meta))

    inline_pattern = pattern


@v_args(inline=True, meta=True)
class DatesToAst(NodeBuilder):
    """Dates (the forløb's start and end, events, shifts, birthdays, thresholds, named
    dates) and durations."""

    def date_lit(self, meta: Meta, tok: Token) -> ast.DateLit:
        return ast.DateLit(value=to_date(tok, self.file), pos=self.p(meta))

    def course_start(self, meta: Meta) -> ast.CourseStart:
        return ast.CourseStart(pos=self.p(meta))

    def course_end(self, meta: Meta) -> ast.CourseEnd:
        return ast.CourseEnd(pos=self.p(meta))

    def trigger_date(self, meta: Meta) -> ast.TriggerDate:
        return ast.TriggerDate(pos=self.p(meta))

    def first_event(
        self, meta: Meta, pattern: ast.Pattern, bound: tuple[str | None, ast.DateExpr | None]
    ) -> ast.EventDate:
        return self._event_date("first", meta, pattern, bound)

    def latest_event(
        self, meta: Meta, pattern: ast.Pattern, bound: tuple[str | None, ast.DateExpr | None]
    ) -> ast.EventDate:
        return self._event_date("latest", meta, pattern, bound)

    def _event_date(
        self,
        which: str,
        meta: Meta,
        pattern: ast.Pattern,
        bound: tuple[str | None, ast.DateExpr | None],
    ) -> ast.EventDate:
        op, date = bound
        return ast.EventDate(
            which=which, pattern=pattern, bound=op, bound_date=date, pos=self.p(meta)
        )

    def bound(
        self, meta: Meta, op: str | None, date: ast.DateExpr | None
    ) -> tuple[str | None, ast.DateExpr | None]:
        return (op, date)

    def after(self, meta: Meta) -> str:
        return "after"

    def on_or_after(self, meta: Meta) -> str:
        return "on_or_after"

    def before(self, meta: Meta) -> str:
        return "before"

    def on_or_before(self, meta: Meta) -> str:
        return "on_or_before"

    def date_shift(
        self, meta: Meta, base: ast.DateExpr, sign: Token, duration: ast.Duration
    ) -> ast.DateShift:
        shifts, inner = 1, base
        while isinstance(inner, ast.DateShift):
            shifts, inner = shifts + 1, inner.base
        if shifts > MAX_SHIFTS:
            too_big(
                self.p(meta),
                f"datoen flyttes {shifts} gange (højst {MAX_SHIFTS})",
                "læg flytningerne sammen til én varighed, fx »+ 2 år 3 måneder«",
            )
        return ast.DateShift(
            base=base, duration=duration, sign=1 if sign == "+" else -1, pos=self.p(meta)
        )

    def end_of_month(self, meta: Meta, base: ast.DateExpr) -> ast.EndOfMonth:
        return ast.EndOfMonth(base=base, pos=self.p(meta))

    def birthday(self, meta: Meta, years: Token) -> ast.Birthday:
        return ast.Birthday(years=self.age(years), pos=self.p(meta))

    def date_ref(self, meta: Meta, name: Token) -> ast.DateRef:
        return ast.DateRef(name=nfc(name), pos=self.p(meta))

    def threshold(
        self,
        meta: Meta,
        tl: ast.Timeline,
        more: Token | None,
        amount: ast.Duration,
        window: ast.Duration | None,
        counted: tuple[str, object] | None,
    ) -> ast.Threshold:
        kind, target = counted if counted else ("", None)
        counted_from = target if kind == "from" else None
        counted_after = target if kind == "after" else None
        reset_by = target if kind == "reset" else None
        return ast.Threshold(
            timeline=tl,
            amount=amount,
            more_than=more is not None,
            window=window,
            counted_from=counted_from,  # type: ignore[arg-type]
            counted_after=counted_after,  # type: ignore[arg-type]
            reset_by=reset_by,  # type: ignore[arg-type]
            pos=self.p(meta),
        )

    def each_threshold(
        self,
        meta: Meta,
        tl: ast.Timeline,
        more: Token | None,
        amount: ast.Duration,
        window: ast.Duration | None,
        counted: tuple[str, object] | None,
    ) -> ast.Threshold:
        found = self.threshold(meta, tl, more, amount, window, counted)
        return attrs.evolve(found, recurring=True)

    def period_start(self, meta: Meta, tl: ast.Timeline, date: ast.DateExpr) -> ast.PeriodStart:
        return ast.PeriodStart(timeline=tl, date=date, pos=self.p(meta))

    def amount(self, meta: Meta, n: Token, unit: str) -> ast.Duration:
        return make_duration([(int(n), unit)], self.p(meta))

    def counted_from(self, meta: Meta, date: ast.DateExpr) -> tuple[str, ast.DateExpr]:
        return ("from", date)

    def counted_after(self, meta: Meta, date: ast.DateExpr) -> tuple[str, ast.DateExpr]:
        return ("after", date)

    def reset_by(self, meta: Meta, pattern: ast.Pattern) -> tuple[str, ast.Pattern]:
        return ("reset", pattern)

    @v_args(meta=True)
    def duration(self, meta: Meta, parts: list[tuple[int, str]]) -> ast.Duration:
        return make_duration(parts, self.p(meta))

    def duration_part(self, meta: Meta, n: Token, unit: str) -> tuple[int, str]:
        return (int(n), unit)

    def days(self, meta: Meta) -> str:
        return "days"

    def weeks(self, meta: Meta) -> str:
        return "weeks"

    def months(self, meta: Meta) -> str:
        return "months"

    def years(self, meta: Meta) -> str:
        return "years"


@v_args(inline=True, meta=True)
class TimelinesToAst(NodeBuilder):
    """Timelines: period kinds and named timelines, the forløb, ages, latest values, facts,
    calendar periods, and what is made of them (from a day on, not, and, or)."""

    def tl_or(self, meta: Meta, a: ast.Timeline, b: ast.Timeline) -> ast.TlOr:
        return ast.TlOr(left=a, right=b, pos=self.p(meta))

    def tl_and(self, meta: Meta, a: ast.Timeline, b: ast.Timeline) -> ast.TlAnd:
        return ast.TlAnd(left=a, right=b, pos=self.p(meta))

    def tl_not(self, meta: Meta, a: ast.Timeline) -> ast.TlNot:
        return ast.TlNot(timeline=a, pos=self.p(meta))

    def tl_from_day(self, meta: Meta, tl: ast.Timeline, day: Token) -> ast.TlFromDay:
        return ast.TlFromDay(timeline=tl, day=int(day), pos=self.p(meta))

    def tl_after_lasting(
        self, meta: Meta, tl: ast.Timeline, duration: ast.Duration
    ) -> ast.TlAfterLasting:
        return ast.TlAfterLasting(timeline=tl, duration=duration, pos=self.p(meta))

    def tl_name(
        self, meta: Meta, name: Token, key: Token | None, where: ast.BoolExpr | None
    ) -> ast.TlName:
        return ast.TlName(
            name=nfc(name), key=nfc(key) if key else None, where=where, pos=self.p(meta)
        )

    def tl_started(
        self, meta: Meta, name: Token, key: Token | None, where: ast.BoolExpr
    ) -> ast.TlName:
        # »sygdom begyndt med {ansat}«: the condition holds for the period's first start event
        found = self.tl_name(meta, name, key, where)
        return attrs.evolve(found, first=True)

    def tl_course(self, meta: Meta) -> ast.TlCourse:
        return ast.TlCourse(pos=self.p(meta))

    def tl_age(self, meta: Meta, op: str, years: Token) -> ast.TlAge:
        return ast.TlAge(op=op, years=self.age(years), pos=self.p(meta))

    def tl_latest_compare(
        self, meta: Meta, event: Token, attr: Token, op: str, value: ast.Literal
    ) -> ast.TlLatest:
        return ast.TlLatest(event=nfc(event), attr=nfc(attr), op=op, value=value, pos=self.p(meta))

    def tl_latest_in(
        self, meta: Meta, event: Token, attr: Token, values: ast.ValueSet
    ) -> ast.TlLatest:
        return ast.TlLatest(event=nfc(event), attr=nfc(attr), values=values, pos=self.p(meta))

    def tl_fact_compare(self, meta: Meta, fact: Token, op: str, value: ast.Literal) -> ast.TlFact:
        return ast.TlFact(fact=nfc(fact), op=op, value=value, pos=self.p(meta))

    def tl_fact_in(self, meta: Meta, fact: Token, values: ast.ValueSet) -> ast.TlFact:
        return ast.TlFact(fact=nfc(fact), values=values, pos=self.p(meta))

    def tl_since(self, meta: Meta, date: ast.DateExpr) -> ast.TlSince:
        return ast.TlSince(date=date, pos=self.p(meta))

    def tl_between(self, meta: Meta, start: Token, end: Token) -> ast.TlBetween:
        return ast.TlBetween(
            start=to_date(start, self.file), end=to_date(end, self.file), pos=self.p(meta)
        )
