"""The compiler's expressions: code for the operands, sets, conditions, dates and timelines of
a rule, one handler per AST class in one table per union of :mod:`lovregler.syntax.ast`
(``OPERANDS``, ``VALUE_SETS``, ``CONDITIONS``, ``DATES``, ``TIMELINES``; listed in
``lovregler.evaluate.compile.DISPATCH``, and ``tests/test_architecture.py`` checks that each
holds exactly its union's classes).

Every handler returns Python source that calls :mod:`lovregler.evaluate.runtime` (names in
its ``__all__``); names and values from the rule file appear only as ``repr`` literals.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from ..errors import LovreglerError, SourcePos
from ..syntax import ast
from ..timecalc import INF, from_date, to_date
from .plan import Plan


class ExpressionWriter:
    """The state of one generated module (lines, line map, constants, predicates) and the
    code of expressions; :class:`~lovregler.evaluate.compile_rules.RuleWriter` adds rules."""

    def __init__(self, plan: Plan):
        self.plan = plan
        self.lines: list[str] = []
        self.line_map: dict[int, SourcePos] = {}
        self.consts: list[str] = []
        self.const_ids: dict[str, str] = {}
        self.preds: dict[str, str] = {}
        self.functions: dict[str, str] = {}  # rule body -> the function that runs it
        self.function_of: dict[int, str] = {}  # span index -> its rule function
        # span index -> the body lines (and their positions) that evaluate runs in place
        self.inline: dict[int, tuple[list[str], dict[int, SourcePos]]] = {}
        # timelines already computed into a local variable of the rule function
        self.bound: dict[object, str] = {}

    # ── output ──
    def emit(self, line: str, pos: SourcePos | None = None) -> None:
        """Append a line; remember the rule-file position it implements."""
        self.lines.append(line)
        if pos is not None and pos.line:
            self.line_map[len(self.lines)] = pos

    def const(self, code: str) -> str:
        """A module-level constant (deduplicated), returning its name."""
        if code not in self.const_ids:
            name = f"K{len(self.consts)}"
            self.consts.append(f"{name} = {code}")
            self.const_ids[code] = name
        return self.const_ids[code]

    # ── patterns ──
    def pred(self, pattern: ast.Pattern) -> tuple[str, str]:
        """(quoted event type, predicate name or 'None') for a pattern."""
        ref = self.plan.names.pattern(pattern)
        etype, conds = ref.event, ref.conditions
        if not conds:
            return repr(etype), "None"
        body = " and ".join(f"({self.cond(x, 'e', etype)})" for x in conds)
        if body not in self.preds:  # one function per condition, whatever event it tests
            name = f"p{len(self.preds)}"
            self.preds[body] = name
            self.consts.append(f"def {name}(c, e):\n    return {body}")
        return repr(etype), self.preds[body]

    def period_pred(self, period: str, where: ast.BoolExpr | None) -> tuple[str, str]:
        """A predicate on a period's start event."""
        start = self.plan.vocabulary.periods[period].start  # checked: the period exists
        return self.pred(ast.Pattern(name=start, where=where))

    # ── the kinds of expression: each dispatches on the node's class ──
    def operand(self, op: ast.Operand, ev: str | None, etype: str | None) -> str:
        """Code for an operand: an attribute of the event, a fact, an age or a literal."""
        return OPERANDS[type(op)](self, op, ev, etype)

    def members(self, values: ast.ValueSet) -> str:
        """A frozenset constant for a set literal or a named set."""
        items = VALUE_SETS[type(values)](self, values)
        return self.const(f"frozenset({sorted(items, key=repr)!r})")

    def cond(self, expr: ast.BoolExpr, ev: str | None = None, etype: str | None = None) -> str:
        """Code for a condition (None-safe comparisons, as the interpreter); ``ev`` names the
        event the condition talks about (of type ``etype``), if any."""
        return CONDITIONS[type(expr)](self, expr, ev, etype)

    def date(self, expr: ast.DateExpr | None, deadline: bool = False) -> str:
        """Code for a date expression (an int day or None); in a ``deadline`` an unreached
        threshold is extrapolated."""
        if expr is None:
            return "None"
        return DATES[type(expr)](self, expr, deadline)

    def timeline(self, expr: ast.Timeline) -> str:
        """Code for a timeline (an interval tuple)."""
        local = self.bound.get(expr)
        if local is not None:
            return local
        return TIMELINES[type(expr)](self, expr)

    # ── helpers of several handlers ──
    def threshold_args(self, expr: ast.Threshold, deadline: bool = False) -> str:
        """``tl, count`` for the runtime threshold helpers: the counted timeline and its
        :class:`~lovregler.evaluate.timelines.Count` — the need and window a module
        constant, with a floor and resets only where the rule counts from a date or
        restarts on events (they depend on the citizen)."""
        need = expr.amount.days + (1 if expr.more_than else 0)
        window = (expr.window.months, expr.window.days) if expr.window else None
        count = self.const(f"Count(need={need!r}, window={window!r})")
        per_citizen = []
        since = expr.counted_from if expr.counted_from is not None else expr.counted_after
        if since is not None:  # »regnet fra« counts the day itself, »regnet efter« not
            inclusive = expr.counted_from is not None
            per_citizen.append(f"floor=floor_from(c, {self.date(since, deadline)}, {inclusive})")
        if expr.reset_by is not None:
            etype, pred = self.pred(expr.reset_by)
            per_citizen.append(f"resets=[e.day for e in events(c, {etype}, {pred}, 0, c.as_of)]")
        if per_citizen:
            count = f"{count}.counted({', '.join(per_citizen)})"
        return f"{self.timeline(expr.timeline)}, {count}"

    def event_at(self, date: ast.EventDate) -> str:
        """``[(day, event)]`` of the first (or latest) matching event in the scope, or ``[]``:
        a trigger »første/seneste <mønster>« found in one search."""
        etype, pred = self.pred(date.pattern)
        return f"event_at(c, etype={etype}, pred={pred}, lo=sc.lo, hi=sc.hi, latest={date.which == 'latest'})"

    def keyed_union(self, expr: ast.Timeline) -> tuple[str, set[str]] | None:
        """``ydelse a eller ydelse b eller …`` (one period kind, keys, no conditions, through
        named timelines): the kind and its keys, so one pass over the periods serves."""
        if isinstance(expr, ast.TlOr):
            left, right = self.keyed_union(expr.left), self.keyed_union(expr.right)
            if left is None or right is None or left[0] != right[0]:
                return None
            return left[0], left[1] | right[1]
        if not isinstance(expr, ast.TlName):
            return None
        ref = self.plan.names.timeline(expr.name)
        if ref.definition is not None:
            return self.keyed_union(ref.definition.timeline)
        if ref.kind == "period" and expr.key is not None and expr.where is None:
            return expr.name, {expr.key}
        return None

    def fact_holds(self, expr: ast.Timeline) -> str | None:
        """The test of a fact timeline (»uddannelse i …«, a boolean fact), else None."""
        if isinstance(expr, ast.TlFact):
            return self.fact_test(expr)
        if not isinstance(expr, ast.TlName):
            return None
        ref = self.plan.names.timeline(expr.name)
        if ref.definition is not None:
            return self.fact_holds(ref.definition.timeline)
        return None if ref.kind == "period" else f"bool(c.facts.get({expr.name!r}))"

    def fact_test(self, expr: ast.TlFact) -> str:
        """The test of a fact's value (``uddannelse i {…}``, ``alder >= 30``)."""
        value = f"c.facts.get({expr.fact!r})"
        if expr.values is not None:
            return f"({value} in {self.members(expr.values)})"
        return compare(value, expr.op or "=", repr(expr.value.value), True)  # type: ignore[union-attr]

    def latest_test(self, expr: ast.TlLatest) -> str:
        """The test of the latest event's attribute value (``e``)."""
        value = f"e.attrs.get({expr.attr!r})"
        if expr.values is not None:
            return f"{value} in {self.members(expr.values)}"
        return compare(value, expr.op or "=", repr(expr.value.value), True)  # type: ignore[union-attr]


Handler = Callable[..., Any]
"""A handler: the code writer first, then the node, then what its kind needs."""


# ───────────────────────────── operands and sets ─────────────────────────────
def _literal(w: ExpressionWriter, op: ast.Literal, ev: str | None, etype: str | None) -> str:
    return repr(op.value)


def _age_at(w: ExpressionWriter, op: ast.AgeAt, ev: str | None, etype: str | None) -> str:
    return f"age(c, {w.date(op.date)})"


def _name_ref(w: ExpressionWriter, op: ast.NameRef, ev: str | None, etype: str | None) -> str:
    if ev is not None and w.plan.names.is_attribute(op.name, etype):  # the event's attribute
        return f"{ev}.attrs.get({op.name!r})"
    return f"c.facts.get({op.name!r})"  # else a fact


def _set_ref(w: ExpressionWriter, values: ast.SetRef) -> Iterable[object]:
    return w.plan.names.set_values(values.name)


def _set_lit(w: ExpressionWriter, values: ast.SetLit) -> Iterable[object]:
    return [v.value for v in values.values]


OPERANDS: dict[type, Handler] = {ast.Literal: _literal, ast.AgeAt: _age_at, ast.NameRef: _name_ref}
VALUE_SETS: dict[type, Handler] = {ast.SetRef: _set_ref, ast.SetLit: _set_lit}


# ───────────────────────────── conditions ─────────────────────────────
def _bool_and(w: ExpressionWriter, x: ast.BoolAnd, ev: str | None, etype: str | None) -> str:
    return f"({w.cond(x.left, ev, etype)} and {w.cond(x.right, ev, etype)})"


def _bool_or(w: ExpressionWriter, x: ast.BoolOr, ev: str | None, etype: str | None) -> str:
    return f"({w.cond(x.left, ev, etype)} or {w.cond(x.right, ev, etype)})"


def _bool_not(w: ExpressionWriter, x: ast.BoolNot, ev: str | None, etype: str | None) -> str:
    return f"(not {w.cond(x.operand, ev, etype)})"


def _bool_compare(
    w: ExpressionWriter, x: ast.BoolCompare, ev: str | None, etype: str | None
) -> str:
    left, right = w.operand(x.left, ev, etype), w.operand(x.right, ev, etype)
    return compare(left, x.op, right, isinstance(x.right, ast.Literal))


def _bool_in(w: ExpressionWriter, x: ast.BoolIn, ev: str | None, etype: str | None) -> str:
    op = "not in" if x.negated else "in"
    return f"({w.operand(x.operand, ev, etype)} {op} {w.members(x.values)})"


def _bool_truthy(w: ExpressionWriter, x: ast.BoolTruthy, ev: str | None, etype: str | None) -> str:
    return f"bool({w.operand(x.operand, ev, etype)})"


def _bool_shorter(
    w: ExpressionWriter, x: ast.BoolShorter, ev: str | None, etype: str | None
) -> str:
    d = x.duration
    return f"shorter(c, {ev}, {d.months}, {d.days})" if ev else "False"


def _bool_continues(
    w: ExpressionWriter, x: ast.BoolContinues, ev: str | None, etype: str | None
) -> str:
    _, pred = w.period_pred(x.period, x.where)
    return f"continues(c, period={x.period!r}, key={x.key!r}, pred={pred}, day={w.date(x.date)})"


def _bool_exists(w: ExpressionWriter, x: ast.BoolExists, ev: str | None, etype: str | None) -> str:
    etype2, pred = w.pred(x.pattern)
    return f"exists(c, etype={etype2}, pred={pred}, lo={w.date(x.start)}, hi={w.date(x.end)})"


CONDITIONS: dict[type, Handler] = {
    ast.BoolAnd: _bool_and,
    ast.BoolOr: _bool_or,
    ast.BoolNot: _bool_not,
    ast.BoolCompare: _bool_compare,
    ast.BoolIn: _bool_in,
    ast.BoolTruthy: _bool_truthy,
    ast.BoolShorter: _bool_shorter,
    ast.BoolContinues: _bool_continues,
    ast.BoolExists: _bool_exists,
}


# ───────────────────────────── dates ─────────────────────────────
def _date_lit(w: ExpressionWriter, x: ast.DateLit, deadline: bool) -> str:
    return str(from_date(x.value))


def _course_start(w: ExpressionWriter, x: ast.CourseStart, deadline: bool) -> str:
    return "sc.lo"


def _course_end(w: ExpressionWriter, x: ast.CourseEnd, deadline: bool) -> str:
    return "sc.course_end"


def _trigger_date(w: ExpressionWriter, x: ast.TriggerDate, deadline: bool) -> str:
    return "t"


def _event_date(w: ExpressionWriter, x: ast.EventDate, deadline: bool) -> str:
    etype, pred = w.pred(x.pattern)
    ref = w.date(x.bound_date, deadline)
    return f"event_day(c, which={x.which!r}, etype={etype}, pred={pred}, lo=sc.lo, hi=sc.hi, bound={x.bound!r}, ref={ref})"


def _date_shift(w: ExpressionWriter, x: ast.DateShift, deadline: bool) -> str:
    d = x.duration
    return f"shift({w.date(x.base, deadline)}, {d.months}, {d.days}, {x.sign})"


def _end_of_month(w: ExpressionWriter, x: ast.EndOfMonth, deadline: bool) -> str:
    return f"end_of_month({w.date(x.base, deadline)})"


def _birthday(w: ExpressionWriter, x: ast.Birthday, deadline: bool) -> str:
    return f"birthday(c.birth, {x.years})"


def _threshold(w: ExpressionWriter, x: ast.Threshold, deadline: bool) -> str:
    return f"threshold(c, {w.threshold_args(x, deadline)}, extend={deadline})"


def _period_start(w: ExpressionWriter, x: ast.PeriodStart, deadline: bool) -> str:
    return f"period_start({w.timeline(x.timeline)}, {w.date(x.date, deadline)})"


def _date_ref(w: ExpressionWriter, x: ast.DateRef, deadline: bool) -> str:
    return w.date(w.plan.names.date(x.name), deadline)


DATES: dict[type, Handler] = {
    ast.DateLit: _date_lit,
    ast.CourseStart: _course_start,
    ast.CourseEnd: _course_end,
    ast.TriggerDate: _trigger_date,
    ast.EventDate: _event_date,
    ast.DateShift: _date_shift,
    ast.EndOfMonth: _end_of_month,
    ast.Birthday: _birthday,
    ast.Threshold: _threshold,
    ast.PeriodStart: _period_start,
    ast.DateRef: _date_ref,
}


# ───────────────────────────── timelines ─────────────────────────────
def _tl_and(w: ExpressionWriter, x: ast.TlAnd) -> str:
    both = f"P.intersect({w.timeline(x.left)}, {w.timeline(x.right)})"
    test = w.fact_holds(x.left)
    # a fact that does not hold makes the whole empty: the right side is not computed
    return both if test is None else f"({both} if {test} else P.EMPTY)"


def _tl_or(w: ExpressionWriter, x: ast.TlOr) -> str:
    keyed = w.keyed_union(x)
    if keyed is not None:
        name, keys = keyed
        return f"period_keys_tl(c, {name!r}, {w.const(f'frozenset({sorted(keys)!r})')})"
    return f"P.union({w.timeline(x.left)}, {w.timeline(x.right)})"


def _tl_not(w: ExpressionWriter, x: ast.TlNot) -> str:
    return f"negate(c, {w.timeline(x.timeline)})"


def _tl_name(w: ExpressionWriter, x: ast.TlName) -> str:
    """A named timeline, a period kind or a boolean fact (resolved by the plan's names)."""
    ref = w.plan.names.timeline(x.name)
    if ref.definition is not None:
        return w.timeline(ref.definition.timeline)
    if ref.kind == "period":
        _, pred = w.period_pred(x.name, x.where) if x.where else ("", "None")
        return f"period_tl(c, {x.name!r}, {x.key!r}, {pred}, {x.first})"
    return f"fact_tl(c, bool(c.facts.get({x.name!r})))"


def _tl_course(w: ExpressionWriter, x: ast.TlCourse) -> str:
    return "((sc.course_start, sc.course_end),)"


def _tl_age(w: ExpressionWriter, x: ast.TlAge) -> str:
    return f"age_tl(c, {x.op!r}, {x.years})"


def _tl_latest(w: ExpressionWriter, x: ast.TlLatest) -> str:
    return f"latest_tl(c, {x.event!r}, lambda e: {w.latest_test(x)})"


def _tl_fact(w: ExpressionWriter, x: ast.TlFact) -> str:
    return f"fact_tl(c, {w.fact_test(x)})"


def _tl_since(w: ExpressionWriter, x: ast.TlSince) -> str:
    return f"since_tl(c, {w.date(x.date)})"


def _tl_between(w: ExpressionWriter, x: ast.TlBetween) -> str:
    return f"between_tl(c, {from_date(x.start)}, {from_date(x.end)})"


def _tl_from_day(w: ExpressionWriter, x: ast.TlFromDay) -> str:
    return f"from_day({w.timeline(x.timeline)}, {x.day})"


def _tl_after_lasting(w: ExpressionWriter, x: ast.TlAfterLasting) -> str:
    d = x.duration
    return f"after_lasting({w.timeline(x.timeline)}, {d.months}, {d.days})"


TIMELINES: dict[type, Handler] = {
    ast.TlAnd: _tl_and,
    ast.TlOr: _tl_or,
    ast.TlNot: _tl_not,
    ast.TlName: _tl_name,
    ast.TlCourse: _tl_course,
    ast.TlAge: _tl_age,
    ast.TlLatest: _tl_latest,
    ast.TlFact: _tl_fact,
    ast.TlSince: _tl_since,
    ast.TlBetween: _tl_between,
    ast.TlFromDay: _tl_from_day,
    ast.TlAfterLasting: _tl_after_lasting,
}

# ───────────────────────────── small code helpers ─────────────────────────────
_T = TypeVar("_T")


def checked(value: _T | None) -> _T:
    """A clause the checker has made sure of (a pligt's »opfyldes af«, …): here it is there,
    and a plan built from an unchecked ruleset fails loudly instead of compiling nonsense."""
    if value is None:
        raise LovreglerError("regelsættet er ikke kontrolleret: en regel mangler en klausul")
    return value


def compare(left: str, op: str, right: str, right_is_literal: bool) -> str:
    """None-safe comparison code: an absent value compares false, as in the interpreter.

    Against a literal (never None) ``==`` is already None-safe; other operators bind the left
    value once with a walrus so it is evaluated only once.

    >>> compare("e.attrs.get('x')", "=", "'a'", True)
    "(e.attrs.get('x') == 'a')"
    >>> compare("c.facts.get('n')", "<", "3", True)
    "((_v := c.facts.get('n')) is not None and _v < 3)"
    """
    if right_is_literal and op == "=":
        return f"({left} == {right})"
    if right_is_literal:
        return f"((_v := {left}) is not None and _v {op} {right})"
    return f"compare({left}, {op!r}, {right})"


def day_code(day: int) -> str:
    """A day number as code: ``INF`` for the open end."""
    return "INF" if day >= INF else str(day)


def dates_comment(*days: int) -> str:
    """A comment with the dates of day numbers, for the reader of generated code.

    >>> dates_comment(735234, INF)
    '  # 2014-01-01 – (åben)'
    """
    shown = [to_date(d).isoformat() if 1 <= d < INF else "(åben)" for d in days]
    return f"  # {' – '.join(shown)}"
