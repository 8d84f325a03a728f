"""Compile a plan to Python source, and that source to an evaluator.

Everything that can be decided without a citizen is decided here: names are resolved to event
types, conditions become inline Python expressions, sets become frozenset constants, and each
rule becomes one function that calls the drivers of :mod:`lovregler.evaluate.runtime`. The evaluator
does no parsing, no lookups by rule name and no date-object churn.

**Rule files are untrusted text.** Every name and string taken from a rule file enters the
generated source only through :func:`repr` of a ``str`` (a quoted literal); generated
identifiers are numbered (``r3``, ``p7``, ``S2``), never derived from rule text.

The generator records a line map: each generated line knows the rule-file position it came
from, so a failure inside generated code is reported at the rule's line
(:class:`~lovregler.errors.EvaluationError`). Compiled code objects are cached in memory and
on disk (this user's authenticated cache, :mod:`lovregler.cache`), keyed by a checksum of
the generated source.

>>> from lovregler.api import load_ruleset
>>> src = compile_plan(load_ruleset("kontanthjælp_aktivitetsparat").plan).source
>>> "def r0(S, c, sc, ob, ri, va):" in src
True
"""

from __future__ import annotations

import datetime
import hashlib
import marshal
import sys
import traceback
from collections.abc import Callable, Iterable
from types import CodeType
from typing import TypeVar

from .. import cache
from ..errors import CheckError, Diagnostic, EvaluationError, LovreglerError, SourcePos
from ..history import History
from ..results import Result
from ..syntax import ast
from ..timecalc import INF, from_date, to_date
from . import runtime as R
from .plan import Plan, RuleSpan


class Gen:
    """Writes the source of one compiled ruleset, with a line map."""

    def __init__(self, plan: Plan):
        self.plan = plan
        self.lines: list[str] = []
        self.line_map: dict[int, SourcePos] = {}
        self.consts: list[str] = []
        self.const_ids: dict[str, str] = {}
        self.preds: dict[str, str] = {}
        self.functions: dict[str, str] = {}  # rule body -> the function that runs it
        self.function_of: dict[int, str] = {}  # span index -> its rule function
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

    # ── conditions ──
    def operand(self, op: ast.Operand, ev: str | None, etype: str | None) -> str:
        """Code for an operand: an attribute of the event, a fact, an age or a literal."""
        if isinstance(op, ast.Literal):
            return repr(op.value)
        if isinstance(op, ast.AgeAt):
            return f"age(c, {self.date(op.date)})"
        if isinstance(op, ast.NameRef):  # an attribute of the event, else a fact
            if ev is not None and self.plan.names.is_attribute(op.name, etype):
                return f"{ev}.attrs.get({op.name!r})"
            return f"c.facts.get({op.name!r})"
        raise TypeError(f"ukendt operand {op!r}")

    def members(self, values: ast.ValueSet) -> str:
        """A frozenset constant for a set literal or a named set."""
        if isinstance(values, ast.SetRef):
            items: Iterable[object] = self.plan.names.set_values(values.name)
        elif isinstance(values, ast.SetLit):
            items = [v.value for v in values.values]
        else:
            raise TypeError(f"ukendt mængde {values!r}")
        return self.const(f"frozenset({sorted(items, key=repr)!r})")

    def cond(self, expr: ast.BoolExpr, ev: str | None = None, etype: str | None = None) -> str:
        """Code for a condition (None-safe comparisons, as the interpreter)."""
        if isinstance(expr, ast.BoolAnd):
            return f"({self.cond(expr.left, ev, etype)} and {self.cond(expr.right, ev, etype)})"
        if isinstance(expr, ast.BoolOr):
            return f"({self.cond(expr.left, ev, etype)} or {self.cond(expr.right, ev, etype)})"
        if isinstance(expr, ast.BoolNot):
            return f"(not {self.cond(expr.operand, ev, etype)})"
        if isinstance(expr, ast.BoolCompare):
            left, right = self.operand(expr.left, ev, etype), self.operand(expr.right, ev, etype)
            return compare(left, expr.op, right, isinstance(expr.right, ast.Literal))
        if isinstance(expr, ast.BoolIn):
            op = "not in" if expr.negated else "in"
            return f"({self.operand(expr.operand, ev, etype)} {op} {self.members(expr.values)})"
        if isinstance(expr, ast.BoolTruthy):
            return f"bool({self.operand(expr.operand, ev, etype)})"
        if isinstance(expr, ast.BoolShorter):
            d = expr.duration
            return f"shorter(c, {ev}, {d.months}, {d.days})" if ev else "False"
        if isinstance(expr, ast.BoolContinues):
            _, pred = self.period_pred(expr.period, expr.where)
            return f"continues(c, period={expr.period!r}, key={expr.key!r}, pred={pred}, day={self.date(expr.date)})"
        if isinstance(expr, ast.BoolExists):
            etype2, pred = self.pred(expr.pattern)
            return f"exists(c, etype={etype2}, pred={pred}, lo={self.date(expr.start)}, hi={self.date(expr.end)})"
        raise TypeError(f"ukendt betingelse {expr!r}")

    def period_pred(self, period: str, where: ast.BoolExpr | None) -> tuple[str, str]:
        """A predicate on a period's start event."""
        start = self.plan.vocabulary.periods[period].start  # checked: the period exists
        return self.pred(ast.Pattern(name=start, where=where))

    # ── dates ──
    def date(self, expr: ast.DateExpr | None, deadline: bool = False) -> str:
        """Code for a date expression (an int day or None)."""
        if expr is None:
            return "None"
        if isinstance(expr, ast.DateLit):
            return str(from_date(expr.value))
        if isinstance(expr, ast.CourseStart):
            return "sc.lo"
        if isinstance(expr, ast.CourseEnd):
            return "sc.course_end"
        if isinstance(expr, ast.TriggerDate):
            return "t"
        if isinstance(expr, ast.EventDate):
            etype, pred = self.pred(expr.pattern)
            ref = self.date(expr.bound_date, deadline)
            return f"event_day(c, which={expr.which!r}, etype={etype}, pred={pred}, lo=sc.lo, hi=sc.hi, bound={expr.bound!r}, ref={ref})"
        if isinstance(expr, ast.DateShift):
            d = expr.duration
            return f"shift({self.date(expr.base, deadline)}, {d.months}, {d.days}, {expr.sign})"
        if isinstance(expr, ast.EndOfMonth):
            return f"end_of_month({self.date(expr.base, deadline)})"
        if isinstance(expr, ast.Birthday):
            return f"birthday(c.birth, {expr.years})"
        if isinstance(expr, ast.Threshold):
            args = self.threshold_args(expr, deadline)
            return f"threshold(c, {args}, {deadline})"
        if isinstance(expr, ast.PeriodStart):
            return f"period_start({self.timeline(expr.timeline)}, {self.date(expr.date, deadline)})"
        if isinstance(expr, ast.DateRef):
            return self.date(self.plan.names.date(expr.name), deadline)
        raise TypeError(f"ukendt datoudtryk {expr!r}")

    def threshold_args(self, expr: ast.Threshold, deadline: bool = False) -> str:
        """``tl, need, window, floor, resets`` for the runtime threshold helpers."""
        need = expr.amount.days + (1 if expr.more_than else 0)
        window = f"({expr.window.months}, {expr.window.days})" if expr.window else "None"
        if expr.counted_from is not None:
            floor = f"floor_from(c, {self.date(expr.counted_from, deadline)}, True)"
        elif expr.counted_after is not None:
            floor = f"floor_from(c, {self.date(expr.counted_after, deadline)}, False)"
        else:
            floor = "c.birth - 1"
        resets = "()"
        if expr.reset_by is not None:
            etype, pred = self.pred(expr.reset_by)
            resets = f"[e.day for e in events(c, {etype}, {pred}, 0, c.as_of)]"
        return f"{self.timeline(expr.timeline)}, {need}, {window}, {floor}, {resets}"

    # ── timelines ──
    def timeline(self, expr: ast.Timeline) -> str:
        """Code for a timeline (an interval tuple)."""
        local = self.bound.get(expr)
        if local is not None:
            return local
        if isinstance(expr, ast.TlAnd):
            return f"P.intersect({self.timeline(expr.left)}, {self.timeline(expr.right)})"
        if isinstance(expr, ast.TlOr):
            keyed = self.keyed_union(expr)
            if keyed is not None:
                name, keys = keyed
                return f"period_keys_tl(c, {name!r}, {self.const(f'frozenset({sorted(keys)!r})')})"
            return f"P.union({self.timeline(expr.left)}, {self.timeline(expr.right)})"
        if isinstance(expr, ast.TlNot):
            return f"negate(c, {self.timeline(expr.timeline)})"
        if isinstance(expr, ast.TlName):
            return self.named_timeline(expr)
        if isinstance(expr, ast.TlCourse):
            return "((sc.course_start, sc.course_end),)"
        if isinstance(expr, ast.TlAge):
            return f"age_tl(c, {expr.op!r}, {expr.years})"
        if isinstance(expr, ast.TlLatest):
            return f"latest_tl(c, {expr.event!r}, lambda e: {self.latest_test(expr)})"
        if isinstance(expr, ast.TlFact):
            return f"fact_tl(c, {self.fact_test(expr)})"
        if isinstance(expr, ast.TlSince):
            return f"since_tl(c, {self.date(expr.date)})"
        if isinstance(expr, ast.TlBetween):
            return f"between_tl(c, {from_date(expr.start)}, {from_date(expr.end)})"
        if isinstance(expr, ast.TlFromDay):
            return f"from_day({self.timeline(expr.timeline)}, {expr.day})"
        if isinstance(expr, ast.TlAfterLasting):
            d = expr.duration
            return f"after_lasting({self.timeline(expr.timeline)}, {d.months}, {d.days})"
        raise TypeError(f"ukendt tidslinje {expr!r}")

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

    def named_timeline(self, expr: ast.TlName) -> str:
        """A named timeline, a period kind or a boolean fact (resolved by the plan's names)."""
        ref = self.plan.names.timeline(expr.name)
        if ref.definition is not None:
            return self.timeline(ref.definition.timeline)
        if ref.kind == "period":
            _, pred = self.period_pred(expr.name, expr.where) if expr.where else ("", "None")
            return f"period_tl(c, {expr.name!r}, {expr.key!r}, {pred}, {expr.first})"
        return f"fact_tl(c, bool(c.facts.get({expr.name!r})))"

    def latest_test(self, expr: ast.TlLatest) -> str:
        value = f"e.attrs.get({expr.attr!r})"
        if expr.values is not None:
            return f"{value} in {self.members(expr.values)}"
        return compare(value, expr.op or "=", repr(expr.value.value), True)  # type: ignore[union-attr]

    def fact_test(self, expr: ast.TlFact) -> str:
        value = f"c.facts.get({expr.fact!r})"
        if expr.values is not None:
            return f"({value} in {self.members(expr.values)})"
        return compare(value, expr.op or "=", repr(expr.value.value), True)  # type: ignore[union-attr]

    # ── rules ──
    def rule(self, span: RuleSpan) -> None:
        """One function per distinct rule body: ``r{i}(S, c, sc, ob, ri, va)`` appends the
        entries of span ``S``; spans whose bodies are identical (a rule unchanged but for its
        documentation across versions) share the function of the first."""
        r = span.rule
        outer_lines, outer_map = self.lines, self.line_map
        self.lines, self.line_map = [], {}
        if isinstance(r, ast.ObligationRule):
            self.obligation(r, span)
        elif isinstance(r, ast.RightRule):
            self.right(r, span)
        else:
            self.value(r, span)
        body, body_map = self.lines, self.line_map
        self.lines, self.line_map = outer_lines, outer_map
        key = "\n".join(body)
        if key not in self.functions:
            self.functions[key] = f"r{span.index}"
            self.emit(f"def r{span.index}(S, c, sc, ob, ri, va):  # {r.id!r}", r.pos)
            for number, line in enumerate(body, 1):
                self.emit(line, body_map.get(number))
            self.emit("")
        self.function_of[span.index] = self.functions[key]

    def rule_call(self, span: RuleSpan) -> str:
        """The call of a span's rule function, up to its other arguments: ``r3(S5, ``."""
        return f"{self.function_of[span.index]}(S{span.index}, "

    def body(self, line: str, pos: SourcePos | None) -> None:
        self.emit(f"    {line}", pos)

    def obligation(self, r: ast.ObligationRule, span: RuleSpan) -> None:
        met = checked(r.met_by)
        etype, pred = self.pred(met.pattern)
        susp = f"lambda t: P.contains({self.timeline(r.suspend)}, t)" if r.suspend else "None"
        self.body(f"susp = {susp}", r.suspend.pos if r.suspend else r.pos)
        if isinstance(r.trigger, ast.CountWindows):
            w = r.trigger
            self.body(
                f"ob.extend(windows(c, S, sc, anchor={self.date(w.anchor)}, months={w.length.months}, "
                f"days={w.length.days}, etype={etype}, pred={pred}, count={met.count}, susp=susp))",
                w.pos,
            )
            return
        if met.also_earlier:
            self.body(
                f"met = lambda t, due, strict, ev: met_earlier(c, etype={etype}, pred={pred}, sc=sc, due=due)",
                met.pos,
            )
        elif met.since is not None:
            # an event on or after that day meets it, also before the trigger; inside the scope
            self.body(
                f"met = lambda t, due, strict, ev: met_events(c, {etype}, {pred}, sc, "
                f"max(sc.lo, t if (s := {self.date(met.since)}) is None else s), {met.count}, False, ev)",
                met.pos,
            )
        else:
            self.body(
                f"met = lambda t, due, strict, ev: met_events(c, etype={etype}, pred={pred}, sc=sc, t=t, count={met.count}, strict=strict, exclude=ev)",
                met.pos,
            )
        due = self.due_fn(r)
        if due.startswith("due_after("):
            due = self.const(due)  # no per-citizen state: build it once
        self.body(f"due = {due}", r.deadline.pos if r.deadline else r.pos)
        self.triggers(r, span)
        plain = _plain_chain(r)
        if r.repeat is not None and plain is not None:
            d, rp = plain, r.repeat
            self.body("if trig:", r.pos)
            self.body("    t, ev = trig[0]", r.pos)
            self.body(
                f"    ob.extend(chain_events(c, S, sc, t, strict=ev is not None, first=({d.months}, {d.days}), "
                f"following=({rp.months}, {rp.days}), etype={etype}, pred={pred}))",
                r.pos,
            )
            return
        if r.repeat is not None:
            rp, conv = r.repeat, r.deadline.convention if r.deadline else "standard"
            nxt = f"due_after(months={rp.months}, days={rp.days}, convention={conv!r})"
            self.body(f"nxt = {self.const(nxt)}", rp.pos)
            self.body("if trig:", r.pos)
            self.body("    t, ev = trig[0]", r.pos)
            self.body(
                "    ob.extend(chain(c, S, sc, t, strict=ev is not None, first_due=due, "
                "next_due=nxt, met_fn=met, susp=susp))",
                r.pos,
            )
            return
        self.body("for t, ev in trig:", r.pos)
        if (
            span.takes_over
            and isinstance(r.trigger, ast.AtDate)
            and isinstance(r.trigger.date, ast.Threshold)
        ):
            note = "TAKEN_OVER if t not in crossed else ''"
            self.body(
                f"    o = single(c, S, sc, t, ev, due_fn=due, met_fn=met, susp=susp, note={note})",
                r.pos,
            )
        else:
            self.body("    o = single(c, S, sc, t, ev, due_fn=due, met_fn=met, susp=susp)", r.pos)
        self.body("    if o is not None:", r.pos)
        self.body("        ob.append(o)", r.pos)

    def due_fn(self, r: ast.ObligationRule) -> str:
        d = checked(r.deadline)
        if d.after is not None:
            return f"due_after(months={d.after.months}, days={d.after.days}, convention={d.convention!r})"
        code = self.date(d.at, deadline=True)
        if d.convention == "hverdag":
            code = f"(lambda x: None if x is None else hverdag(x))({code})"
        return f"lambda t: {code}"

    def triggers(self, r: ast.ObligationRule, span: RuleSpan) -> None:
        """``trig``: the (day, event) triggers inside the span, the scope and as_of."""
        trig = r.trigger
        pos = trig.pos if trig else r.pos
        if isinstance(trig, ast.EachEvent):
            etype, pred = self.pred(trig.pattern)
            # one instance per distinct trigger date (catalogue C5)
            self.body(f"found = first_per_day(events(c, {etype}, {pred}, sc.lo, sc.hi))", pos)
        elif isinstance(trig, ast.AtDate) and isinstance(trig.date, ast.Threshold):
            args = self.threshold_args(trig.date)
            self.body(f"crossed = days = threshold_triggers(c, {args}, {trig.date.recurring})", pos)
            if span.takes_over:
                # catalogue C5: a count already past the threshold on the version's first day
                by_course = self.plan.course is not None
                self.body(f"days = taken_over(c, {args}, {span.start}, days, {by_course})", pos)
            self.body("found = [(x, None) for x in days]", pos)
        elif not isinstance(trig, ast.AtDate):  # as the interpreter: no trigger, no instance
            self.body("found = []", pos)
        else:
            self.body(f"d = {self.date(trig.date)}", pos)
            ev = "None"
            if isinstance(trig.date, ast.EventDate):
                etype, pred = self.pred(trig.date.pattern)
                ev = f"event_on(c, etype={etype}, pred={pred}, day=d, lo=sc.lo, hi=sc.hi, latest={trig.date.which == 'latest'})"
            self.body(f"found = [] if d is None else [(d, {ev})]", pos)
        cond = f" and {self.cond(r.condition)}" if r.condition is not None else ""
        # a chain starts from its first trigger even before the span (its links there carry
        # the chain unlisted); any other instance needs its trigger inside the span (C1)
        inside = "t <= S.end" if r.repeat is not None else "S.start <= t <= S.end"
        self.body(
            f"trig = [(t, ev) for t, ev in found if {inside} and t <= c.as_of "
            f"and sc.lo <= t <= sc.course_end{cond}]",
            r.condition.pos if r.condition else pos,
        )

    def right(self, r: ast.RightRule, span: RuleSpan) -> None:
        """A right's function returns its periods (start, until); the caller keeps those
        whose first day lies in its span (:meth:`right_call`), so spans of one unchanged
        rule in consecutive versions can share one computation per forløb."""
        lo, hi = _bounds(r.validity)
        if r.right_when is not None:
            self.body(
                f"return when_periods(c, sc, {self.timeline(r.right_when)}, {lo}, {hi})",
                r.right_when.pos,
            )
            return
        trig = r.right_from
        cond = f" and {self.cond(r.condition)}" if r.condition is not None else ""
        if isinstance(r.trigger, ast.EachEvent):
            self.triggered_starts(r)
            cond = ""  # tested per triggering event
        elif isinstance(trig, ast.EachEvent):
            etype, pred = self.pred(trig.pattern)
            self.body(
                f"starts = [(e.day, e) for e in events(c, {etype}, {pred}, sc.lo, sc.hi)]", trig.pos
            )
        elif isinstance(trig, ast.AtDate) and isinstance(trig.date, ast.Threshold):
            args = self.threshold_args(trig.date)
            self.body(
                f"starts = [(x, None) for x in threshold_triggers(c, {args}, {trig.date.recurring}) if x <= c.as_of]",
                trig.pos,
            )
        elif isinstance(trig, ast.AtDate):
            self.body("t = None", trig.pos)
            self.body(f"d = {self.date(trig.date)}", trig.pos)
            ev = "None"
            if isinstance(trig.date, ast.EventDate):
                etype, pred = self.pred(trig.date.pattern)
                ev = f"event_on(c, etype={etype}, pred={pred}, day=d, lo=sc.lo, hi=sc.hi, latest={trig.date.which == 'latest'})"
            # an open end (a forløb still running) is no day a right can start on
            self.body(f"starts = [] if d is None or d >= INF else [(d, {ev})]", trig.pos)
        else:
            checked(None)  # a right's »fra« is a date or »hver <mønster>« (checked)
        nxt = "None"
        if r.right_until_next is not None:
            etype, pred = self.pred(r.right_until_next)
            nxt = f"next_after(c, etype={etype}, pred={pred}, t=t, after=ev, hi=sc.hi)"
        self.body("periods = []", r.pos)
        self.body("for t, ev in starts:", r.pos)
        self.body(
            f"    if {_day(lo)} <= t <= {_day(hi)} and (sc.per_citizen or sc.lo <= t <= sc.course_end){cond}:{_dates(lo, hi)}",
            r.pos,
        )
        if isinstance(r.right_for, ast.AttrLength):
            a = r.right_for
            self.body(
                f"        periods.append((t, attr_until(sc, ev, {a.attr!r}, {a.unit!r})))", r.pos
            )
        else:
            length = f"({r.right_for.months}, {r.right_for.days})" if r.right_for else "None"
            self.body(
                # an »indtil« threshold not reached by as_of is extrapolated, as a due date (C5)
                f"        periods.append((t, right_until(sc, t, length={length}, end={self.date(r.right_until, True)}, next_day={nxt}, has_end="
                f"{r.right_until is not None})))",
                r.pos,
            )
        self.body("return periods", r.pos)

    def triggered_starts(self, r: ast.RightRule) -> None:
        """``starts`` of a right »udløst af hver <mønster>«: for each triggering event (one
        per day), if the condition holds on its day ``t``, the »fra« date found from ``t``;
        a threshold only once it is reached by as_of (catalogue C5)."""
        assert isinstance(r.trigger, ast.EachEvent) and isinstance(r.right_from, ast.AtDate)
        etype, pred = self.pred(r.trigger.pattern)
        date = r.right_from.date
        reached = " and d <= c.as_of" if isinstance(date, ast.Threshold) else ""
        self.body("starts = []", r.trigger.pos)
        self.body(
            f"for t, ev in first_per_day(events(c, {etype}, {pred}, sc.lo, sc.hi)):",
            r.trigger.pos,
        )
        if r.condition is None:
            self.body(f"    d = {self.date(date)}", r.right_from.pos)
        else:
            cond = self.cond(r.condition)
            self.body(f"    d = {self.date(date)} if {cond} else None", r.right_from.pos)
        self.body(f"    if d is not None{reached}:", r.right_from.pos)
        self.body("        starts.append((d, ev))", r.right_from.pos)

    def value(self, r: ast.ValueRule, span: RuleSpan) -> None:
        wv = checked(r.week_value)
        rates = tuple((x.value, x.up_to) for x in wv.rates)
        self.body(f"a = {self.timeline(wv.timeline)}", wv.pos)
        self.bound = {wv.timeline: "a"}  # the self-support timeline often repeats it
        # the days on which self-support does not hold: »ikke X« is X, computed once
        inner = self.negated(wv.self_support) if wv.self_support is not None else None
        # a function: week_values asks for it only when the count could restart
        if inner is not None:
            others = f"lambda: {self.timeline(inner)}"
        elif wv.self_support is not None:
            others = f"lambda: negate(c, {self.timeline(wv.self_support)})"
        else:
            others = "None"
        self.bound = {}
        counted = "None" if wv.counted_from is None else str(from_date(wv.counted_from))
        self.body(
            f"va.extend(week_values(c, S, a, not_self={others}, counted_from={counted}, "
            f"gap={wv.gap}, lookback={wv.lookback}, rates={rates!r}))",
            wv.pos,
        )

    def negated(self, expr: ast.Timeline) -> ast.Timeline | None:
        """X, when ``expr`` is »ikke X« (through named timelines), else None."""
        named = self.plan.names.timeline(expr.name) if isinstance(expr, ast.TlName) else None
        if named is not None and named.definition is not None:
            return self.negated(named.definition.timeline)
        return expr.timeline if isinstance(expr, ast.TlNot) else None

    # ── the module ──
    def courses(self) -> str:
        course = self.plan.course
        if course is None:
            return "[]"
        if course.timeline is not None:
            return f"list({self.timeline(course.timeline)})"
        etype, pred = self.pred(checked(course.start))
        length = "None"
        if isinstance(course.length, ast.Duration):
            length = f"('fixed', {course.length.months}, {course.length.days})"
        elif isinstance(course.length, ast.AttrLength):
            length = f"('attr', {course.length.attr!r}, {course.length.unit!r})"
        end_type, end_pred = self.pred(course.end) if course.end else ("None", "None")
        return (
            f"started_courses(c, etype={etype}, pred={pred}, length={length}, "
            f"end_type={end_type}, end_pred={end_pred})"
        )

    def module(self) -> str:
        """The whole generated module."""
        for span in self.plan.spans:
            self.rule(span)
        rules = self.lines
        self.lines = []
        body_map = self.line_map
        self.line_map = {}
        self.evaluate_fn()
        evaluate = self.lines
        evaluate_map = self.line_map
        header = [
            f"# Generated by lovregler from ruleset {self.plan.name!r}. Do not edit.",
            "# Names and texts from the rule file appear only as quoted literals; day numbers",
            "# count from 0001-01-01 = 1 (the date is in a comment beside each).",
            "# Every other name is lovregler.evaluate.runtime's (its __all__): this code only calls.",
            "from lovregler.evaluate.runtime import *  # noqa: F403",
            "",
        ]
        consts = "\n".join(self.consts).splitlines()
        spans = [
            f"S{s.index} = Span({_day(s.start)}, {_day(s.end)}, {_versions(s)!r}, INFOS[{s.index}])"
            f"{_dates(s.start, s.end)}"
            for s in self.plan.spans
        ]
        first = f"FIRST_DAY = {self.plan.first_day}{_dates(self.plan.first_day)}"
        out = header + consts + [""] + spans + [first, ""]
        offset = len(out)
        self.line_map = {offset + k: v for k, v in body_map.items()}
        out += rules
        offset = len(out)
        self.line_map.update({offset + k: v for k, v in evaluate_map.items()})
        out += evaluate
        return "\n".join(out) + "\n"

    def evaluate_fn(self) -> None:
        """``evaluate``: the forløb once, then every rule span per forløb. Span bounds are
        constants here, so a span that cannot apply costs one comparison."""
        pos = self.plan.course.pos if self.plan.course else None
        self.emit("def evaluate(history, as_of):")
        self.emit("    c = Ctx(history, as_of, VOCAB)")
        self.emit(
            "    sc = Scope(course_start=0, course_end=INF, lo=0, hi=as_of, per_citizen=False)"
            "  # courses may read the scope"
        )
        self.emit(f"    courses = c.courses = {self.courses()}", pos)
        self.emit("    ob, ri, va = [], [], []")
        per_course = [
            s for s in self.plan.spans if not (s.rule.per_citizen or self.plan.course is None)
        ]
        per_citizen = [s for s in self.plan.spans if s not in per_course]
        if per_citizen:
            self.emit(
                "    everyone = Scope(course_start=c.birth, course_end=INF, lo=c.birth, hi=as_of, "
                "per_citizen=True)"
            )
        for s in per_citizen:
            # an obligation's triggers lie in the span, on or before as_of; a right or value
            # may be determined before it begins
            call = f"{self.rule_call(s)}c, everyone, ob, ri, va)"
            if s.rule.kind == "right":
                call = f"ri.extend(keep_rights(S{s.index}, {call}, FIRST_DAY))"
            if s.rule.kind == "obligation":
                self.emit(f"    if as_of >= {s.start}:{_dates(s.start)}", s.rule.pos)
                self.emit(f"        {call}", s.rule.pos)
            else:
                self.emit(f"    {call}", s.rule.pos)
        if per_course:
            self.emit(f"    first = max({self.plan.first_day}, c.birth)")
            self.emit("    for cs, ce in courses:")
            self.emit("        hi = ce if ce < as_of else as_of")
            # the two scopes every span of this forløb sees (built once, not per rule call;
            # drivers only read them): from the forløb's start, and from the ruleset's first
            # day or the citizen's birth if later
            self.emit("        whole = Scope(cs, ce, cs, hi, False)")
            self.emit("        from_first = Scope(cs, ce, cs if cs > first else first, hi, False)")
        computed: dict[str, str] = {}  # rule function -> the local holding its periods
        for s in per_course:
            r = s.rule
            scope = "whole"
            if r.kind == "obligation":
                # listed triggers lie in [max(cs, span start), min(ce, as_of, span end)]; the
                # forløb keeps its real start (C1) unless the rule declares a transition
                ends = f"cs <= {s.end} and " if s.end < INF else ""
                self.emit(f"        if {ends}{s.start} <= hi:{_dates(s.start, s.end)}", r.pos)
                if s.transition:
                    lo = f"cs if cs > {s.start} else {s.start}"
                    scope = f"Scope(cs, ce, {lo}, hi, False)"
            else:
                self.emit("        if first <= hi:", r.pos)
                scope = "from_first"
            if r.kind == "right":
                self.per_course_right(s, scope, computed)
                continue
            self.emit(f"            {self.rule_call(s)}c, {scope}, ob, ri, va)", r.pos)
        if self.plan.right_groups:
            groups = ", ".join(f"INFOS[{i}]: {g}" for i, g in self.plan.right_groups.items())
            self.emit(f"    ri = held_once(ri, {{{groups}}})")
        self.emit(f"    return Result.build(history.id, {self.plan.name!r}, as_of, ob, ri, va)")

    def per_course_right(self, s: RuleSpan, scope: str, computed: dict[str, str]) -> None:
        """Keep a right's periods for span ``s``. Every per-forløb right runs under the same
        guard and scope, so a rule function already called in this forløb (the same rule in
        an earlier version) is not called again: its periods are reused."""
        fn = self.function_of[s.index]
        local = computed.get(fn)
        if local is None:
            local = computed[fn] = f"P{len(computed)}"
            self.emit(
                f"            {local} = {self.rule_call(s)}c, {scope}, ob, ri, va)",
                s.rule.pos,
            )
        self.emit(f"            ri.extend(keep_rights(S{s.index}, {local}, FIRST_DAY))", s.rule.pos)


def _plain_chain(r: ast.ObligationRule) -> ast.Duration | None:
    """The "N efter" of a recurring obligation :func:`runtime.chain_events` can run (met by
    the first matching event, due dates in the standard convention, never suspended), else
    None."""
    d, met = r.deadline, r.met_by
    plain = (
        d is not None
        and d.convention == "standard"
        and r.suspend is None
        and met is not None
        and met.count == 1
        and not met.also_earlier
    )
    return d.after if plain and d is not None else None


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


def _day(day: int) -> str:
    """A day number as code: ``INF`` for the open end."""
    return "INF" if day >= INF else str(day)


def _dates(*days: int) -> str:
    """A comment with the dates of day numbers, for the reader of generated code.

    >>> _dates(735234, INF)
    '  # 2014-01-01 – (åben)'
    """
    shown = [to_date(d).isoformat() if 1 <= d < INF else "(åben)" for d in days]
    return f"  # {' – '.join(shown)}"


def _bounds(v: ast.Validity | None) -> tuple[int, int]:
    lo = from_date(v.start) if v and v.start else 1
    hi = from_date(v.end) if v and v.end else INF
    return lo, hi


def _versions(span: RuleSpan) -> tuple[tuple[str, int, int], ...]:
    return tuple((v.name, v.start, v.end) for v in span.versions)


class Compiled:
    """A compiled ruleset: its source, its line map and its evaluate function."""

    def __init__(self, plan: Plan, source: str, line_map: dict[int, SourcePos], code: CodeType):
        self.plan = plan
        self.source = source
        self.line_map = line_map
        self.filename = code.co_filename
        namespace: dict[str, object] = {
            "INFOS": [s.info for s in plan.spans],
            "VOCAB": plan.vocabulary,
            "__name__": "lovregler_compiled",
        }
        exec(code, namespace)  # the code is ours: generated above, with rule text only in literals
        self._evaluate: Callable[[History, int], Result] = namespace["evaluate"]  # type: ignore[assignment]

    def evaluate(self, history: History, as_of: int | datetime.date) -> Result:
        """Evaluate one citizen; a failure is reported at the rule file line it came from."""
        day = as_of if isinstance(as_of, int) else from_date(as_of)
        try:
            return self._evaluate(history, day)
        except Exception as err:
            raise self._located(err, history.id) from err

    def _located(self, err: Exception, citizen: str) -> EvaluationError:
        pos = None
        for frame, line in traceback.walk_tb(sys.exc_info()[2]):
            if frame.f_code.co_filename == self.filename:
                pos = self.line_map.get(line, pos)
        return EvaluationError(f"fejl under evaluering: {type(err).__name__}: {err}", pos, citizen)


def generate(plan: Plan) -> tuple[str, dict[int, SourcePos]]:
    """The Python source of a plan and its line map (generated line → rule file position)."""
    gen = Gen(plan)
    source = gen.module()
    return source, gen.line_map


def _code_for(source: str, filename: str) -> CodeType:
    """Compile ``source``, reusing a marshalled code object from this user's disk cache.

    Only an entry this user wrote is unmarshalled (HMAC, see :mod:`lovregler.cache`), and
    it is used only if it is a code object for this very source file name.
    """
    name = hashlib.sha256(f"{sys.version}\0{filename}\0{source}".encode()).hexdigest() + ".bin"
    data = cache.load("compiled", name)
    if data is not None:
        try:
            code = marshal.loads(data)
            if isinstance(code, CodeType) and code.co_filename == filename:
                return code
        except (ValueError, EOFError, TypeError):
            pass  # a damaged entry is rebuilt below
    code = compile(source, filename, "exec")
    cache.store("compiled", name, marshal.dumps(code))
    return code


def compile_plan(plan: Plan) -> Compiled:
    """Compile a plan. The code object is cached on disk by the source's checksum; the
    loaded :class:`~lovregler.api.Ruleset` keeps the result in memory."""
    try:
        source, line_map = generate(plan)
        filename = f"<lovregler:{plan.name}:{hashlib.sha256(source.encode()).hexdigest()[:12]}>"
        code = _code_for(source, filename)
    except (RecursionError, SyntaxError, MemoryError) as err:
        # The parser's limits (parse.MAX_NESTING) keep every checked rule file below
        # Python's; should one still slip through, the author gets a message, not a crash.
        pos = plan.spans[0].rule.pos if plan.spans else SourcePos(f"<{plan.name}>", 1, 1)
        message = f"regelsættet er for indviklet til at oversætte ({type(err).__name__})"
        hint = "del lange eller dybt indlejrede udtryk op med navngivne tidslinjer og mønstre"
        raise CheckError([Diagnostic(pos, message, hint)]) from None
    return Compiled(plan, source, line_map, code)


__all__ = ["Compiled", "compile_plan", "generate", "R"]
