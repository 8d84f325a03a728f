"""The compiler's rules: the body of each rule's generated function — an obligation's
instances, a right's periods, a value's weeks — written by :class:`RuleWriter` on top of the
expressions of :mod:`lovregler.evaluate.compile_expressions`.
"""

from __future__ import annotations

import ast as pyast
import re
import textwrap
from collections.abc import Callable
from typing import Any

from ..errors import SourcePos
from ..syntax import ast
from ..timecalc import INF, from_date
from .compile_expressions import ExpressionWriter, checked, dates_comment, day_code
from .plan import RuleSpan

#: The names ``evaluate`` itself binds (:meth:`~lovregler.evaluate.compile.Gen.evaluate_fn`),
#: besides ``P0``, ``P1``, … for a right's periods: a rule body written into it must not
#: assign them. ``S`` and ``sc`` are bound for each inlined body, as its function's
#: parameters would be.
EVALUATE_LOCALS = frozenset(
    ["history", "as_of", "known", "ix", "base", "c", "courses", "ob", "ri", "va", "everyone"]
    + ["first"]
    + ["cs", "ce", "hi", "whole", "from_first"]
)


class RuleWriter(ExpressionWriter):
    """Writes one function per distinct rule body (:meth:`rule`)."""

    def rule(self, span: RuleSpan) -> None:
        """One function per distinct rule body: ``r{i}(S, c, sc, ob, ri, va)`` appends the
        entries of span ``S``; spans whose bodies are identical (a rule unchanged but for its
        documentation across versions) share the function of the first."""
        r = span.rule
        outer_lines, outer_map = self.lines, self.line_map
        self.lines, self.line_map = [], {}
        RULES[type(r)](self, r, span)
        body, body_map = self.lines, self.line_map
        self.lines, self.line_map = outer_lines, outer_map
        if self.inlined(span, body):
            self.inline[span.index] = body, body_map
            return
        key = "\n".join(body)
        if key not in self.functions:
            self.functions[key] = f"r{span.index}"
            self.emit(f"def r{span.index}(S, c, sc, ob, ri, va):  # {r.id!r}", r.pos)
            for number, line in enumerate(body, 1):
                self.emit(line, body_map.get(number))
            self.emit("")
        self.function_of[span.index] = self.functions[key]

    def inlined(self, span: RuleSpan, body: list[str]) -> bool:
        """An obligation run once per forløb is written into ``evaluate``'s loop over the
        forløb instead of a function of its own (one call fewer per rule and forløb: the
        spans of a forløb run as one function). Only a body that ends by falling through
        (no ``return``), defines no closure (evaluate's locals stay plain) and assigns none
        of evaluate's own names."""
        if span.rule.kind != "obligation" or not self.per_course(span):
            return False
        tree = pyast.parse(textwrap.dedent("\n".join(body)))
        for node in pyast.walk(tree):
            if isinstance(node, pyast.Return | pyast.Lambda | pyast.FunctionDef):
                return False
            if not (isinstance(node, pyast.Name) and isinstance(node.ctx, pyast.Store)):
                continue
            if node.id in EVALUATE_LOCALS or re.fullmatch(r"P\d+|vals\d+", node.id):
                return False
        return True

    def rule_call(self, span: RuleSpan) -> str:
        """The call of a span's rule function, up to its other arguments: ``r3(S5, ``."""
        return f"{self.function_of[span.index]}(S{span.index}, "

    def body(self, line: str, pos: SourcePos | None) -> None:
        """A line of the rule function's body."""
        self.emit(f"    {line}", pos)

    def obligation(self, r: ast.ObligationRule, span: RuleSpan) -> None:
        """An obligation's instances, written by the class of its trigger (:data:`TRIGGERS`)."""
        if r.trigger is None:  # as the interpreter: no trigger, no instance (finds none)
            self.triggered(None, r, span)
        else:
            TRIGGERS[type(r.trigger)](self, r.trigger, r, span)

    def triggered(
        self, trigger: ast.EachEvent | ast.AtDate | None, r: ast.ObligationRule, span: RuleSpan
    ) -> None:
        """Instances triggered by events or on a date: one per trigger, or a recurring chain."""
        met = checked(r.met_by)
        etype, pred = self.pred(met.pattern)
        single = None if _taken_over_threshold(r, span) else _plain_single(r)
        chain = _plain_chain(r) if r.repeat is not None else None
        if single is not None:  # the common shapes run without per-instance lambdas
            self.triggers(r, span)
            self.body(
                f"ob.extend(single_events(c, S, sc, trig, due=({single.months}, {single.days}), "
                f"etype={etype}, pred={pred}, count={met.count}))",
                r.pos,
            )
            return
        if chain is not None and r.repeat is not None:
            self.triggers(r, span)
            rp = r.repeat
            self.body("if trig:", r.pos)
            self.body("    t, ev = trig[0]", r.pos)
            self.body(
                f"    ob.extend(chain_events(c, S, sc, t, strict=ev is not None, first=({chain.months}, {chain.days}), "
                f"following=({rp.months}, {rp.days}), etype={etype}, pred={pred}))",
                r.pos,
            )
            return
        self.body(f"susp = {self.suspension(r)}", r.suspend.pos if r.suspend else r.pos)
        self.met_fn(met, etype, pred)
        due = self.due_fn(r)
        if due.startswith("due_after("):
            due = self.const(due)  # no per-citizen state: build it once
        self.body(f"due = {due}", r.deadline.pos if r.deadline else r.pos)
        self.triggers(r, span)
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
        if _taken_over_threshold(r, span):
            note = "TAKEN_OVER if t not in crossed else ''"
            self.body(
                f"    o = single(c, S, sc, t, ev, due_fn=due, met_fn=met, susp=susp, note={note})",
                r.pos,
            )
        else:
            self.body("    o = single(c, S, sc, t, ev, due_fn=due, met_fn=met, susp=susp)", r.pos)
        self.body("    if o is not None:", r.pos)
        self.body("        ob.append(o)", r.pos)

    def suspension(self, r: ast.ObligationRule) -> str:
        """``susp``: whether an instance is suspended on its due date, or None."""
        if r.suspend is None:
            return "None"
        timeline = self.timeline(r.suspend)
        if re.search(r"\bt\b", timeline):  # it reads the day asked about: built per day
            return f"lambda t: P.contains({timeline}, t)"
        # the same timeline for every instance: built once, when the first is asked about
        return f"suspended_on(lambda: {timeline})"

    def windows(self, w: ast.CountWindows, r: ast.ObligationRule, span: RuleSpan) -> None:
        """Count windows from an anchor (contract §3.6)."""
        met = checked(r.met_by)
        etype, pred = self.pred(met.pattern)
        susp = self.suspension(r)
        self.body(
            f"ob.extend(windows(c, S, sc, anchor={self.date(w.anchor)}, months={w.length.months}, "
            f"days={w.length.days}, etype={etype}, pred={pred}, count={met.count}, susp={susp}))",
            w.pos,
        )

    def met_fn(self, met: ast.MetBy, etype: str, pred: str) -> None:
        """``met``: the day an instance triggered on ``t`` is met, or None."""
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

    def due_fn(self, r: ast.ObligationRule) -> str:
        d = checked(r.deadline)
        if d.after is not None:
            return f"due_after(months={d.after.months}, days={d.after.days}, convention={d.convention!r})"
        code = self.date(d.at, deadline=True)
        if d.convention == "hverdag":
            code = f"(lambda x: None if x is None else hverdag(x))({code})"
        return f"lambda t: {code}"

    def per_course(self, span: RuleSpan) -> bool:
        """The span runs once per forløb (else once per citizen)."""
        return not (span.rule.per_citizen or self.plan.course is None)

    def guarded_at_start(self, r: ast.Rule, span: RuleSpan) -> bool:
        """A per-forløb one-off obligation triggered on the forløb's start, with no declared
        transition: evaluate calls it only when that start lies in the span and by as_of."""
        return _at_course_start(r) and not span.transition and self.per_course(span)

    def triggers(self, r: ast.ObligationRule, span: RuleSpan) -> None:
        """``trig``: the (day, event) triggers inside the span, the scope and as_of."""
        trig = r.trigger
        pos = trig.pos if trig else r.pos
        if self.guarded_at_start(r, span) and r.condition is None:
            # evaluate calls it only for a forløb that starts inside the span, by as_of
            self.body("trig = [(sc.lo, None)]", pos)
            return
        # events found in [sc.lo, sc.hi] lie in the scope and by as_of already
        in_scope = isinstance(trig, ast.EachEvent) or (
            isinstance(trig, ast.AtDate)
            and isinstance(trig.date, ast.EventDate)
            and trig.date.bound is None
        )
        if isinstance(trig, ast.EachEvent):
            etype, pred = self.pred(trig.pattern)
            # one instance per distinct trigger date (catalogue C5)
            self.body(f"found = first_per_day(events(c, {etype}, {pred}, sc.lo, sc.hi))", pos)
        elif isinstance(trig, ast.AtDate) and isinstance(trig.date, ast.Threshold):
            args = self.threshold_args(trig.date)
            self.body(
                f"crossed = days = threshold_triggers(c, {args}, recurring={trig.date.recurring})",
                pos,
            )
            if span.takes_over:
                # catalogue C5: a count already past the threshold on the version's first day
                by_course = self.plan.course is not None
                self.body(f"days = taken_over(c, {args}, {span.start}, days, {by_course})", pos)
            self.body("found = [(x, None) for x in days]", pos)
        elif not isinstance(trig, ast.AtDate):  # as the interpreter: no trigger, no instance
            self.body("found = []", pos)
        elif isinstance(trig.date, ast.CourseStart):  # a day, never None
            self.body("found = [(sc.lo, None)]", pos)
        elif isinstance(trig.date, ast.EventDate) and trig.date.bound is None:
            self.body(f"found = {self.event_at(trig.date)}", pos)
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
        scope = "" if in_scope else " and t <= c.as_of and sc.lo <= t <= sc.course_end"
        self.body(
            f"trig = [(t, ev) for t, ev in found if {inside}{scope}{cond}]",
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
        cond = self.cond(r.condition) if r.condition is not None else None
        # starts found as events in [sc.lo, sc.hi] lie in the scope already
        in_scope = r.trigger is None and (
            isinstance(trig, ast.EachEvent)
            or (
                isinstance(trig, ast.AtDate)
                and isinstance(trig.date, ast.EventDate)
                and trig.date.bound is None
            )
        )
        if isinstance(r.trigger, ast.EachEvent):
            self.triggered_starts(r)
            cond = None  # tested per triggering event
        elif isinstance(trig, ast.EachEvent):
            etype, pred = self.pred(trig.pattern)
            self.body(
                f"starts = [(e.day, e) for e in events(c, {etype}, {pred}, sc.lo, sc.hi)]", trig.pos
            )
        elif isinstance(trig, ast.AtDate) and isinstance(trig.date, ast.Threshold):
            args = self.threshold_args(trig.date)
            self.body(
                f"starts = [(x, None) for x in threshold_triggers(c, {args}, recurring={trig.date.recurring}) if x <= c.as_of]",
                trig.pos,
            )
        elif (
            isinstance(trig, ast.AtDate)
            and isinstance(trig.date, ast.EventDate)
            and trig.date.bound is None
        ):
            self.body(f"starts = {self.event_at(trig.date)}", trig.pos)
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
        tests, comment = [], ""
        if lo > 1 or hi < INF:  # the rule's own »gælder fra … til …«
            tests.append(f"{day_code(lo)} <= t <= {day_code(hi)}")
            comment = dates_comment(lo, hi)
        if not in_scope:
            tests.append("(sc.per_citizen or sc.lo <= t <= sc.course_end)")
        if cond is not None:
            tests.append(cond)
        indent = "    "
        if tests:
            self.body(f"    if {' and '.join(tests)}:{comment}", r.pos)
            indent = "        "
        if isinstance(r.right_for, ast.AttrLength):
            a = r.right_for
            self.body(
                f"{indent}periods.append((t, attr_until(sc, ev, {a.attr!r}, {a.unit!r})))", r.pos
            )
        else:
            length = f"({r.right_for.months}, {r.right_for.days})" if r.right_for else "None"
            self.body(
                # an »indtil« threshold not reached by as_of is extrapolated, as a due date (C5)
                f"{indent}periods.append((t, right_until(sc, t, length={length}, end={self.date(r.right_until, True)}, next_day={nxt}, has_end="
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
        # positional (a call with keywords costs more, once per citizen): not_self,
        # counted_from, gap, lookback, rates
        self.body(
            f"va.extend(week_values(c, S, a, {others}, {counted}, "
            f"{wv.gap}, {wv.lookback}, {rates!r}))",
            wv.pos,
        )

    def negated(self, expr: ast.Timeline) -> ast.Timeline | None:
        """X, when ``expr`` is »ikke X« (through named timelines), else None."""
        named = self.plan.names.timeline(expr.name) if isinstance(expr, ast.TlName) else None
        if named is not None and named.definition is not None:
            return self.negated(named.definition.timeline)
        return expr.timeline if isinstance(expr, ast.TlNot) else None


RULES: dict[type, Callable[[RuleWriter, Any, RuleSpan], None]] = {
    ast.ObligationRule: RuleWriter.obligation,
    ast.RightRule: RuleWriter.right,
    ast.ValueRule: RuleWriter.value,
}
"""The body of a rule's function, by the class of the rule."""

TRIGGERS: dict[type, Callable[[RuleWriter, Any, ast.ObligationRule, RuleSpan], None]] = {
    ast.EachEvent: RuleWriter.triggered,
    ast.AtDate: RuleWriter.triggered,
    ast.CountWindows: RuleWriter.windows,
}
"""An obligation's instances, by the class of its trigger (the days a trigger gives are
found in :meth:`RuleWriter.triggers`)."""


def _at_course_start(r: ast.Rule) -> bool:
    """A one-off obligation triggered on the forløb's start (»frist … efter forløbets
    start«): its only possible trigger day is ``sc.lo``."""
    return (
        isinstance(r, ast.ObligationRule)
        and r.repeat is None
        and isinstance(r.trigger, ast.AtDate)
        and isinstance(r.trigger.date, ast.CourseStart)
    )


def _taken_over_threshold(r: ast.ObligationRule, span: RuleSpan) -> bool:
    """A threshold trigger of a span that takes over from an earlier version: an instance it
    takes over says so in its explanation (catalogue C5)."""
    return (
        span.takes_over
        and isinstance(r.trigger, ast.AtDate)
        and isinstance(r.trigger.date, ast.Threshold)
    )


def _plain_single(r: ast.ObligationRule) -> ast.Duration | None:
    """The "N efter" of a one-off obligation :func:`runtime.single_events` can run (met by
    the count-th matching event from the trigger on, due dates in the standard convention,
    never suspended), else None."""
    d, met = r.deadline, r.met_by
    plain = (
        r.repeat is None
        and not isinstance(r.trigger, ast.CountWindows)
        and d is not None
        and d.after is not None
        and d.convention == "standard"
        and r.suspend is None
        and met is not None
        and met.since is None
        and not met.also_earlier
    )
    return d.after if plain and d is not None else None


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


def _bounds(v: ast.Validity | None) -> tuple[int, int]:
    lo = from_date(v.start) if v and v.start else 1
    hi = from_date(v.end) if v and v.end else INF
    return lo, hi
