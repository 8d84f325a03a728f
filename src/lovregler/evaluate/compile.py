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
>>> "def evaluate(history, as_of):" in src
True
"""

from __future__ import annotations

import datetime
import hashlib
import marshal
import re
import sys
import traceback
from collections.abc import Callable, Mapping
from types import CodeType
from typing import Any

from .. import cache
from ..errors import CheckError, Diagnostic, EvaluationError, SourcePos
from ..history import History
from ..results import Result, RuleInfo
from ..syntax import ast
from ..timecalc import INF, from_date
from . import gates
from . import runtime as R
from .compile_expressions import (
    CONDITIONS,
    DATES,
    OPERANDS,
    TIMELINES,
    VALUE_SETS,
    checked,
    dates_comment,
    day_code,
)
from .compile_rules import RULES, TRIGGERS, RuleWriter
from .plan import Plan, RuleSpan, factor_base

DISPATCH: Mapping[object, Mapping[type, Callable[..., Any]]] = {
    ast.BoolExpr: CONDITIONS,
    ast.Operand: OPERANDS,
    ast.ValueSet: VALUE_SETS,
    ast.DateExpr: DATES,
    ast.Timeline: TIMELINES,
    ast.Trigger: TRIGGERS,
    ast.Rule: RULES,
}
"""Each union of :mod:`lovregler.syntax.ast` → the compiler's table for its classes
(:mod:`~lovregler.evaluate.compile_expressions`, :mod:`~lovregler.evaluate.compile_rules`)."""


class Gen(RuleWriter):
    """Writes the source of one compiled ruleset, with a line map: the rule functions
    (:class:`~lovregler.evaluate.compile_rules.RuleWriter`), then ``evaluate``."""

    # the rule functions read events through periods only (set once they are written)
    index_free_rules = False
    # the base whose entries this extension takes from the base's own evaluation (BASE):
    # the plan then holds the extension's other spans only (plan.factor_base); such a
    # module is the batch part of an extension, called only where the store is shared
    base: Plan | None = None
    # the whole extension, which hands over to its batch part (PART) where the store is
    # shared, and otherwise evaluates every rule itself
    has_part = False
    # evaluate's locals naming the values events carry in an attribute (:meth:`present`)
    present_names: dict[tuple[str, str], str]
    gated = False  # evaluate has read the index into ``ix`` for its gate

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
        inlined = [line for body, _ in self.inline.values() for line in body]
        self.index_free_rules = _runtime_names("\n".join(rules + inlined)) <= R.INDEX_FREE
        body_map = self.line_map
        self.line_map = {}
        self.evaluate_fn()
        evaluate = self.lines
        if _CTX in evaluate and _runtime_names("\n".join(rules + evaluate)) <= R.INDEX_FREE:
            # every event it reads comes through periods: no per-type index unless asked
            # (a gated evaluator has read the index already: ``_CTX_GATED``)
            evaluate[evaluate.index(_CTX)] = _CTX_NO_INDEX
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
            f"S{s.index} = Span({day_code(s.start)}, {day_code(s.end)}, {_versions(s)!r}, INFOS[{s.index}])"
            f"{dates_comment(s.start, s.end)}"
            for s in self.plan.spans
        ]
        first = f"FIRST_DAY = {self.plan.first_day}{dates_comment(self.plan.first_day)}"
        groups = ", ".join(f"INFOS[{i}]: {g}" for i, g in self.plan.right_groups.items())
        # rights of one rule across versions, held once (:func:`runtime.held_once`)
        out = header + consts + [""] + spans + [first, f"RIGHT_GROUPS = {{{groups}}}", ""]
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
        self.present_names, self.gated = {}, False
        if self.base is None:
            # a ruleset evaluated already for this history and day (an extension asked for
            # its base's entries, or the base for an extension's): where a batch shares the store
            self.emit("    known = known_result(history, as_of, RESULT_KEY)")
            self.emit("    if known is not None:")
            self.emit("        return known")
        if self.has_part:
            # in a batch the base's entries come from the base's own evaluation: only this
            # extension's own rules are left (on its own, the extension evaluates them all:
            # no second context, forløb or sort)
            self.emit("    if shares(history, as_of):")
            self.emit(
                "        return keep_result(history, as_of, RESULT_KEY, PART(history, as_of))"
            )
        ruleset_needs = self.ruleset_gate()
        if self.base is not None:
            self.emit("    base = BASE(history, as_of)  # the base's entries, unchanged")
        self.emit(_CTX if ruleset_needs is None else _CTX_GATED)
        courses = self.courses()
        if re.search(r"\bsc\b", courses):  # the forløb's own definition reads the scope
            self.emit(
                "    sc = Scope(0, INF, 0, as_of, False)  # course start and end, lo, hi, per citizen"
            )
        self.emit(f"    courses = c.courses = {courses}", pos)
        self.emit("    ob, ri, va = [], [], []")
        per_course = [s for s in self.plan.spans if self.per_course(s)]
        per_citizen = [s for s in self.plan.spans if s not in per_course]
        if per_citizen:
            self.emit(
                "    everyone = Scope(c.birth, INF, c.birth, as_of, True)  # per citizen: positional"
            )
        for s in per_citizen:
            # an obligation's triggers lie in the span, on or before as_of; a right or value
            # may be determined before it begins
            call = [f"{self.rule_call(s)}c, everyone, ob, ri, va)"]
            if s.rule.kind == "right":
                # most citizens hold no such right: nothing to keep, no call to keep it
                local = f"P{s.index}"
                call = [
                    f"{local} = {call[0]}",
                    f"if {local}:",
                    f"    ri.extend(keep_rights((S{s.index},), {local}, FIRST_DAY))",
                ]
            tests = [f"as_of >= {s.start}"] if s.rule.kind == "obligation" else []
            gate = self.rule_gate(s, ruleset_needs)
            if gate is not None:
                tests.append(gate)
            indent = "    "
            if tests:
                comment = dates_comment(s.start) if s.rule.kind == "obligation" else ""
                self.emit(f"    if {' and '.join(tests)}:{comment}", s.rule.pos)
                indent = "        "
            for line in call:
                self.emit(f"{indent}{line}", s.rule.pos)
        if per_course:
            self.emit(f"    first = max({self.plan.first_day}, c.birth)")
            self.emit("    for cs, ce in courses:")
            self.emit("        hi = ce if ce < as_of else as_of")
            # the two scopes every span of this forløb sees (built once, not per rule call;
            # drivers only read them): from the forløb's start, and from the ruleset's first
            # day or the citizen's birth if later
            self.emit("        whole = Scope(cs, ce, cs, hi, False)")
            # (the same as ``whole`` for a forløb that starts on or after that day)
            self.emit(
                "        from_first = whole if cs >= first else Scope(cs, ce, first, hi, False)"
            )
        # a right's spans that share one rule function (the rule unchanged across versions)
        # keep its periods in one call, where the first of them is computed
        sharing: dict[str, list[RuleSpan]] = {}
        for s in per_course:
            if s.rule.kind == "right":
                sharing.setdefault(self.function_of[s.index], []).append(s)
        # consecutive spans under the same guard share one ``if`` (guards only read the
        # forløb's bounds, which no rule body assigns)
        previous = ""
        for s in per_course:
            r = s.rule
            if r.kind == "right" and sharing[self.function_of[s.index]][0] is not s:
                continue  # its rights were kept with the first span of its function
            scope = "whole"
            if r.kind == "obligation":
                # listed triggers lie in [max(cs, span start), min(ce, as_of, span end)]; the
                # forløb keeps its real start (C1) unless the rule declares a transition
                ends = f"cs <= {s.end} and " if s.end < INF else ""
                guard = f"{ends}{s.start} <= hi"
                if self.guarded_at_start(r, s):
                    # its one trigger is the forløb's start: only a start inside the span counts
                    guard = f"{s.start} <= cs{f' <= {s.end}' if s.end < INF else ''} and cs <= hi"
                guard = f"        if {guard}:{dates_comment(s.start, s.end)}"
                if s.transition:
                    lo = f"cs if cs > {s.start} else {s.start}"
                    scope = f"Scope(cs, ce, {lo}, hi, False)"
            else:
                guard = "        if first <= hi:"
                scope = "from_first"
            if guard != previous:
                self.emit(guard, r.pos)
            previous = guard
            if r.kind == "right":
                self.per_course_right(s, scope, sharing[self.function_of[s.index]])
                continue
            if s.index in self.inline:
                self.inline_body(s, scope)
                continue
            self.emit(f"            {self.rule_call(s)}c, {scope}, ob, ri, va)", r.pos)
        if self.plan.right_groups:
            self.emit("    if len(ri) > 1:")
            self.emit("        ri = held_once(ri, RIGHT_GROUPS)")
        if self.base is not None:
            entries = "[*base.obligations, *ob], [*base.rights, *ri], [*base.values, *va]"
            self.emit(f"    return Result.build(history.id, {self.plan.name!r}, as_of, {entries})")
            return
        # one value span, run once per citizen: its driver (week_values) lists its values by
        # their first day, which is the contract's order already (rule, then from)
        values = [t for t in self.plan.spans if t.rule.kind == "value"]
        in_order = len(values) == 1 and not self.per_course(values[0])
        va = "va, values_in_order=True" if in_order else "va"
        result = f"Result.build(history.id, {self.plan.name!r}, as_of, ob, ri, {va})"
        self.emit(f"    return keep_result(history, as_of, RESULT_KEY, {result})")

    def ruleset_gate(self) -> gates.Needs | None:
        """Emit the test that any rule can give anything at all (:mod:`~.gates`): a
        citizen without the events every rule needs gets the empty result at once, before
        any context is built. None where there is no such test: nothing is needed, or the
        rules read their events through periods only and the per-type index that the test
        reads would be built for it alone (refusion)."""
        if self.index_free_rules:
            return None
        needs = gates.ruleset_needs(self.plan, self.per_course)
        if self.base is not None:  # nothing from the base's rules either
            base = RuleWriter(self.base)
            needs = gates.either(needs, gates.ruleset_needs(self.base, base.per_course))
        if not needs:
            return None
        self.emit("    ix = history.by_type(as_of)")
        self.gated = True
        code = gates.gate_code(needs, "ix", self.const, self.present)
        assert code is not None  # something is needed
        single = code.startswith("not ") and " and " not in code and " or " not in code
        self.emit(f"    if {code[4:]}:" if single else f"    if not ({code}):")
        self.emit(f"        return Result.build(history.id, {self.plan.name!r}, as_of, (), (), ())")
        return needs

    def rule_gate(self, s: RuleSpan, ruleset_needs: gates.Needs | None) -> str | None:
        """The test that a rule run once per citizen can give anything, unless the
        ruleset's own test already says as much."""
        if self.index_free_rules:
            return None
        needs = gates.span_needs(self.plan, s, per_course=False)
        if needs == ruleset_needs:
            return None
        return gates.gate_code(needs, "c.index", self.const, self.present)

    def present(self, etype: str, attr: str) -> str:
        """The local holding the values the events of ``etype`` carry in ``attr``, its
        assignment emitted where first asked (at the top level of ``evaluate``, before the
        test that reads it); shared by the rulesets evaluating the same history and day."""
        name = self.present_names.get((etype, attr))
        if name is None:
            name = self.present_names[etype, attr] = f"vals{len(self.present_names)}"
            index = "ix" if self.gated else "c.index"
            self.emit(f"    {name} = present_values(history, as_of, {index}, {etype!r}, {attr!r})")
        return name

    def inline_body(self, s: RuleSpan, scope: str) -> None:
        """A rule's body in the loop over the forløb, with ``S`` and ``sc`` bound as its
        function's parameters would be (:meth:`RuleWriter.inlined`)."""
        body, body_map = self.inline[s.index]
        self.emit(f"            S, sc = S{s.index}, {scope}  # {s.rule.id!r}", s.rule.pos)
        for number, line in enumerate(body, 1):
            self.emit(f"        {line}", body_map.get(number))

    def per_course_right(self, s: RuleSpan, scope: str, spans: list[RuleSpan]) -> None:
        """A right's periods, computed once per forløb for ``spans`` — every span whose rule
        function is the first's (the same rule in later versions: they run under the same
        guard and scope) — and kept for each of them in one pass (:func:`runtime.keep_rights`)."""
        local = f"P{s.index}"
        self.emit(f"            {local} = {self.rule_call(s)}c, {scope}, ob, ri, va)", s.rule.pos)
        self.emit(f"            if {local}:", s.rule.pos)
        names = ", ".join(f"S{t.index}" for t in spans) + ("," if len(spans) == 1 else "")
        self.emit(
            f"                ri.extend(keep_rights(({names}), {local}, FIRST_DAY))", s.rule.pos
        )


_CTX = "    c = Ctx(history, as_of, VOCAB)"
_CTX_GATED = "    c = Ctx(history, as_of, VOCAB, built=ix)"
_CTX_NO_INDEX = "    c = Ctx(history, as_of, VOCAB, index=False)"


def _runtime_names(source: str) -> set[str]:
    """The names of :mod:`~lovregler.evaluate.runtime` that generated source uses (a rule
    file's names and texts are in quoted literals: one that looks like such a name only
    makes the evaluator take the general way)."""
    return set(re.findall(r"[A-Za-z_]\w*", source)) & _RUNTIME


_RUNTIME = frozenset(R.__all__)


def _versions(span: RuleSpan) -> tuple[tuple[str, int, int], ...]:
    return tuple((v.name, v.start, v.end) for v in span.versions)


class Compiled:
    """A compiled ruleset: its source, its line map and its evaluate function."""

    def __init__(
        self,
        plan: Plan,
        source: str,
        line_map: dict[int, SourcePos],
        code: CodeType,
        part: Compiled | None = None,
        base: Compiled | None = None,
    ):
        self.plan = plan
        self.source = source
        self.line_map = line_map
        self.filename = code.co_filename
        self.part = part
        #: Whether the evaluator reads a citizen's events through their periods only (its
        #: context has no per-type index): a caller may then hand it a history whose events
        #: are made only if read (:meth:`~lovregler.history.History.of_periods_first`).
        self.periods_first = _CTX_NO_INDEX in source.split("\n")
        infos = [s.info for s in plan.spans]
        namespace: dict[str, object] = {
            "INFOS": infos,
            "VOCAB": plan.vocabulary,
            # an extension's batch part (own spans, base's entries from BASE): plan.factor_base
            "PART": part._evaluate if part is not None else None,
            "BASE": base.evaluate if base is not None else None,
            # what this evaluator's result is kept under for a history and day: the code
            # (its file name holds the source's checksum) and the rule documentation its
            # entries carry, so another ruleset's evaluator finds it only if it would give
            # the very same result
            "RESULT_KEY": ("result", self.filename, _digest(infos)),
            "__name__": "lovregler_compiled",
        }
        exec(code, namespace)  # the code is ours: generated above, with rule text only in literals
        self._evaluate: Callable[[History, int], Result] = namespace["evaluate"]  # type: ignore[assignment]

    @property
    def whole_source(self) -> str:
        """The generated Python a reader needs: an extension's batch part after its own."""
        if self.part is None:
            return self.source
        return f"{self.source}\n# ── PART: the same extension where a batch shares its base's result ──\n{self.part.source}"

    def evaluate(self, history: History, as_of: int | datetime.date) -> Result:
        """Evaluate one citizen; a failure is reported at the rule file line it came from."""
        day = as_of if isinstance(as_of, int) else from_date(as_of)
        try:
            return self._evaluate(history, day)
        except EvaluationError:
            raise  # located already (in the base's rules)
        except Exception as err:
            raise self._located(err, history.id) from err

    def _located(self, err: Exception, citizen: str) -> EvaluationError:
        maps = {self.filename: self.line_map}
        if self.part is not None:
            maps[self.part.filename] = self.part.line_map
        pos = None
        for frame, line in traceback.walk_tb(sys.exc_info()[2]):
            line_map = maps.get(frame.f_code.co_filename)
            if line_map is not None:
                pos = line_map.get(line, pos)
        return EvaluationError(f"fejl under evaluering: {type(err).__name__}: {err}", pos, citizen)


def _digest(infos: list[RuleInfo]) -> str:
    return hashlib.sha256(repr(infos).encode()).hexdigest()


def generate(
    plan: Plan, base: Plan | None = None, has_part: bool = False
) -> tuple[str, dict[int, SourcePos]]:
    """The Python source of a plan and its line map (generated line → rule file position).

    With ``base``: the batch part of an extension, its own spans only, the base's entries
    taken from ``BASE``; with ``has_part``: the whole extension, which hands over to that
    part (``PART``) where a batch shares the store.
    """
    gen = Gen(plan)
    gen.base, gen.has_part = base, has_part
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
    factored = factor_base(plan)
    part = None
    if factored is not None:
        base_plan, own = factored
        part = Compiled(*_generated(own, base_plan, False), base=compile_plan(base_plan))
    return Compiled(*_generated(plan, None, part is not None), part)


def _generated(
    plan: Plan, base: Plan | None, has_part: bool
) -> tuple[Plan, str, dict[int, SourcePos], CodeType]:
    """:func:`generate` and its code object; a plan too deep for Python's compiler is a
    check error."""
    try:
        source, line_map = generate(plan, base, has_part)
        filename = f"<lovregler:{plan.name}:{hashlib.sha256(source.encode()).hexdigest()[:12]}>"
        code = _code_for(source, filename)
    except (RecursionError, SyntaxError, MemoryError) as err:
        # The parser's limits (parse.MAX_NESTING) keep every checked rule file below
        # Python's; should one still slip through, the author gets a message, not a crash.
        pos = plan.spans[0].rule.pos if plan.spans else SourcePos(f"<{plan.name}>", 1, 1)
        message = f"regelsættet er for indviklet til at oversætte ({type(err).__name__})"
        hint = "del lange eller dybt indlejrede udtryk op med navngivne tidslinjer og mønstre"
        raise CheckError([Diagnostic(pos, message, hint)]) from None
    return plan, source, line_map, code


__all__ = ["DISPATCH", "Compiled", "compile_plan", "generate", "R"]
