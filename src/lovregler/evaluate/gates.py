"""Which events a rule needs before it can give anything: a compile-time pass.

Most citizens of a caseload have nothing to do with most rulesets: a batch evaluates every
citizen under all nine, and a citizen who never had ledighedsydelse gets nothing from the
ledighedsydelse rules. Whether a rule *can* give an entry often depends only on whether the
history holds events of some types at all: a right »fra første fleksjob_start …« needs a
``fleksjob_start``; a threshold over »ydelse ledighedsydelse« needs a ``ydelse_start`` whose
``ydelse`` is ``ledighedsydelse``. This pass works that out from the rule's AST, so the
compiled evaluator can test it on the history's per-type index (a dict lookup or two) and
skip the work — the whole evaluation, when no rule of the ruleset can give anything.

The answer, :data:`Needs`, is a conjunction of clauses, each a set of :data:`Atom` of which
at least one must be present (an empty conjunction: nothing known, the rule always runs). It
is only ever a *necessary* condition: every handler below answers with what the runtime's
code for that node (:mod:`~lovregler.evaluate.compile_expressions`) cannot do without —
``None`` dates, empty timelines, no triggers — and answers "nothing" wherever it is not sure
(a fact, an age, a negation, a literal date). A gate that is too weak costs time; one that
were too strong would lose entries, which ``tests/test_gates.py`` checks against the ungated
evaluator and the reference interpreter (which has no gates) over synthetic caseloads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ..syntax import ast
from .plan import Plan, RuleSpan

Atom = tuple[str, str | None, frozenset[object] | None]
"""An event of a type is present (on or before as_of): ``(type, None, None)``; or one whose
attribute ``attr`` has one of ``values``: ``(type, attr, values)``."""

Needs = tuple[frozenset[Atom], ...]
"""All of these clauses hold, each by at least one of its atoms; ``()`` needs nothing."""

NOTHING: Needs = ()


def both(a: Needs, b: Needs) -> Needs:
    """What ``a`` and ``b`` together need (both must be met)."""
    return simplified(a + b)


def either(a: Needs, b: Needs) -> Needs:
    """What ``a`` or ``b`` needs (one of them): a clause from each side, joined — every
    pair, since either side being met meets each joined clause."""
    if not a or not b:
        return NOTHING
    return simplified(tuple(x | y for x in a for y in b))


def simplified(needs: Needs) -> Needs:
    """The same needs with each clause's atoms of one type and attribute joined, and no
    clause that another clause implies (``a og (a eller b)`` is ``a``).

    >>> t, v = ("t", None, None), ("t", "x", frozenset({1}))
    >>> simplified((frozenset({t, v}), frozenset({("u", None, None)}), frozenset({v})))
    (frozenset({('t', 'x', frozenset({1}))}), frozenset({('u', None, None)}))
    """
    clauses = list(dict.fromkeys(_joined(c) for c in needs))
    kept = [
        c
        for i, c in enumerate(clauses)
        if not any(j != i and _implies(d, c) for j, d in enumerate(clauses))
    ]
    return tuple(sorted(kept, key=_sort_key))


def _joined(clause: frozenset[Atom]) -> frozenset[Atom]:
    """One atom per event type and attribute (their values together); none with an
    attribute where any event of the type will do."""
    whole = {etype for etype, attr, _ in clause if attr is None}
    values: dict[tuple[str, str], set[object]] = {}
    for etype, attr, found in clause:
        if attr is not None and etype not in whole:
            values.setdefault((etype, attr), set()).update(found or ())
    atoms: set[Atom] = {(etype, None, None) for etype in whole}
    atoms |= {(etype, attr, frozenset(v)) for (etype, attr), v in values.items()}
    return frozenset(atoms)


def _implies(stronger: frozenset[Atom], weaker: frozenset[Atom]) -> bool:
    """Every way of meeting ``stronger`` meets ``weaker`` (each atom of it implies one of
    ``weaker``'s)."""
    return all(any(_atom_implies(x, y) for y in weaker) for x in stronger)


def _atom_implies(x: Atom, y: Atom) -> bool:
    if x[0] != y[0]:
        return False
    if y[1] is None:
        return True  # any event of the type will do
    return x[1] == y[1] and (x[2] or frozenset()) <= (y[2] or frozenset())


def any_of(options: Iterable[Needs]) -> Needs:
    """What at least one of ``options`` needs (nothing if there are none to choose from)."""
    out: Needs | None = None
    for needs in options:
        out = needs if out is None else either(out, needs)
    return out or NOTHING


class _Reader:
    """The needs of the nodes of one plan (names resolved through the plan's)."""

    def __init__(self, plan: Plan):
        self.plan = plan
        self.names = plan.names
        self.seen: set[str] = set()  # definitions being read (a cycle needs nothing more)

    def date(self, x: ast.DateExpr | None) -> Needs:
        return NOTHING if x is None else DATES[type(x)](self, x)

    def timeline(self, x: ast.Timeline) -> Needs:
        return TIMELINES[type(x)](self, x)

    def pattern(self, pattern: ast.Pattern) -> Needs:
        """A matching event: of the pattern's type, with a value a condition asks for."""
        ref = self.names.pattern(pattern)
        return _one_clause(_event_atoms(self, ref.event, ref.conditions))

    def defined(self, name: str, read: Callable[[], Needs]) -> Needs:
        if name in self.seen:
            return NOTHING
        self.seen.add(name)
        try:
            return read()
        finally:
            self.seen.discard(name)


def _one_clause(atoms: frozenset[Atom]) -> Needs:
    return (atoms,)


def _event_atoms(r: _Reader, etype: str, conditions: Iterable[ast.BoolExpr]) -> frozenset[Atom]:
    """The atoms of an event of ``etype`` meeting ``conditions`` (all of them): one per value
    that a condition on an attribute admits, or just the type."""
    for condition in conditions:
        found = _attribute_values(r, condition, etype)
        if found is not None:
            attr, values = found
            return frozenset({(etype, attr, values)})
    return frozenset({(etype, None, None)})


def _attribute_values(
    r: _Reader, x: ast.BoolExpr, etype: str
) -> tuple[str, frozenset[object]] | None:
    """(attribute, values) when ``x`` holds only for an event whose attribute has one of
    the values (``ordning = fleksjob``, ``tilbud i {…}``, either side of an ``og``)."""
    if isinstance(x, ast.BoolAnd):
        return _attribute_values(r, x.left, etype) or _attribute_values(r, x.right, etype)
    if (
        isinstance(x, ast.BoolCompare)
        and x.op == "="
        and isinstance(x.left, ast.NameRef)
        and isinstance(x.right, ast.Literal)
        and r.names.is_attribute(x.left.name, etype)
    ):
        return x.left.name, frozenset({x.right.value})
    if (
        isinstance(x, ast.BoolIn)
        and not x.negated
        and isinstance(x.operand, ast.NameRef)
        and r.names.is_attribute(x.operand.name, etype)
    ):
        if isinstance(x.values, ast.SetRef):
            return x.operand.name, r.names.set_values(x.values.name)
        return x.operand.name, frozenset(v.value for v in x.values.values)
    return None


# ───────────────────────────── dates: needed for the date to exist ─────────────────────────
def _no_needs(r: _Reader, x: Any) -> Needs:
    """A node that exists (or holds) whatever events there are."""
    return NOTHING


def _event_date(r: _Reader, x: ast.EventDate) -> Needs:
    # no matching event, or a bound whose own date is missing (``bounded``): no date
    bound = r.date(x.bound_date) if x.bound is not None else NOTHING
    return both(r.pattern(x.pattern), bound)


def _shifted(r: _Reader, x: ast.DateShift | ast.EndOfMonth) -> Needs:
    return r.date(x.base)  # None stays None


def _threshold(r: _Reader, x: ast.Threshold) -> Needs:
    # a count of at least one day is never reached on a timeline that never holds (nor
    # extended in a deadline: ``extend`` continues only a last period that exists)
    need = x.amount.days + (1 if x.more_than else 0)
    return r.timeline(x.timeline) if need >= 1 else NOTHING


def _period_start(r: _Reader, x: ast.PeriodStart) -> Needs:
    return both(r.timeline(x.timeline), r.date(x.date))


def _date_ref(r: _Reader, x: ast.DateRef) -> Needs:
    return r.defined(f"dato {x.name}", lambda: r.date(r.names.date(x.name)))


DATES: dict[type, Callable[[_Reader, Any], Needs]] = {
    ast.DateLit: _no_needs,
    ast.CourseStart: _no_needs,  # per citizen: the citizen's birth; per forløb: its start
    ast.CourseEnd: _no_needs,
    ast.TriggerDate: _no_needs,
    ast.Birthday: _no_needs,
    ast.EventDate: _event_date,
    ast.DateShift: _shifted,
    ast.EndOfMonth: _shifted,
    ast.Threshold: _threshold,
    ast.PeriodStart: _period_start,
    ast.DateRef: _date_ref,
}
"""The needs of a date expression: what must be present for it to be a day, not None."""


# ───────────────────────────── timelines: needed to hold on any day ────────────────────────
def _tl_name(r: _Reader, x: ast.TlName) -> Needs:
    ref = r.names.timeline(x.name)
    if ref.definition is not None:
        definition = ref.definition
        return r.defined(f"tidslinje {x.name}", lambda: r.timeline(definition.timeline))
    if ref.kind != "period" or ref.period is None:
        return NOTHING  # a boolean fact
    decl = ref.period
    # a period is opened by its start event; one of a key by a start event with that key
    if x.key is not None and decl.key is not None:
        return _one_clause(frozenset({(decl.start, decl.key, frozenset({x.key}))}))
    return _one_clause(frozenset({(decl.start, None, None)}))


def _tl_latest(r: _Reader, x: ast.TlLatest) -> Needs:
    return _one_clause(frozenset({(x.event, None, None)}))  # no event: no latest value


def _tl_since(r: _Reader, x: ast.TlSince) -> Needs:
    return r.date(x.date)  # »fra <dato>« with no date is empty


def _tl_inner(r: _Reader, x: ast.TlFromDay | ast.TlAfterLasting) -> Needs:
    return r.timeline(x.timeline)  # a part of the inner timeline


def _tl_and(r: _Reader, x: ast.TlAnd) -> Needs:
    return both(r.timeline(x.left), r.timeline(x.right))


def _tl_or(r: _Reader, x: ast.TlOr) -> Needs:
    return either(r.timeline(x.left), r.timeline(x.right))


TIMELINES: dict[type, Callable[[_Reader, Any], Needs]] = {
    ast.TlName: _tl_name,
    ast.TlCourse: _no_needs,  # per citizen: from birth on
    ast.TlAge: _no_needs,
    ast.TlFact: _no_needs,
    ast.TlBetween: _no_needs,
    ast.TlNot: _no_needs,
    ast.TlLatest: _tl_latest,
    ast.TlSince: _tl_since,
    ast.TlFromDay: _tl_inner,
    ast.TlAfterLasting: _tl_inner,
    ast.TlAnd: _tl_and,
    ast.TlOr: _tl_or,
}
"""The needs of a timeline: what must be present for it to hold on any day."""


# ───────────────────────────── triggers and rules ─────────────────────────────
def _at_date(r: _Reader, x: ast.AtDate) -> Needs:
    return r.date(x.date)  # no date, no trigger


def _each_event(r: _Reader, x: ast.EachEvent) -> Needs:
    return r.pattern(x.pattern)


def _count_windows(r: _Reader, x: ast.CountWindows) -> Needs:
    return r.date(x.anchor)  # no anchor, no windows


TRIGGERS: dict[type, Callable[[_Reader, Any], Needs]] = {
    ast.AtDate: _at_date,
    ast.EachEvent: _each_event,
    ast.CountWindows: _count_windows,
}
"""The needs of a trigger: what must be present for it to give a trigger day."""


def _trigger(r: _Reader, x: ast.Trigger | None) -> Needs:
    return NOTHING if x is None else TRIGGERS[type(x)](r, x)


def _obligation(r: _Reader, x: ast.ObligationRule) -> Needs:
    return _trigger(r, x.trigger)  # every instance has a trigger day


def _right(r: _Reader, x: ast.RightRule) -> Needs:
    if x.right_when is not None:
        return r.timeline(x.right_when)  # its days are the timeline's
    # each right starts on a »fra« day, found per triggering event when there is a trigger
    return both(_trigger(r, x.trigger), _trigger(r, x.right_from))


def _value(r: _Reader, x: ast.ValueRule) -> Needs:
    # values are listed for benefit weeks only: weeks the timeline meets
    return r.timeline(x.week_value.timeline) if x.week_value is not None else NOTHING


RULES: dict[type, Callable[[_Reader, Any], Needs]] = {
    ast.ObligationRule: _obligation,
    ast.RightRule: _right,
    ast.ValueRule: _value,
}
"""The needs of a rule run once per citizen: what must be present for any entry."""


def course_needs(plan: Plan) -> Needs:
    """What must be present for the ruleset to have a forløb."""
    course = plan.course
    if course is None:
        return NOTHING
    r = _Reader(plan)
    if course.timeline is not None:
        return r.timeline(course.timeline)
    return r.pattern(course.start) if course.start is not None else NOTHING


def span_needs(plan: Plan, span: RuleSpan, per_course: bool) -> Needs:
    """What must be present for the span's rule to give any entry (``per_course``: it runs
    inside the forløb, so at least the forløb's needs)."""
    if per_course:
        return course_needs(plan)
    return RULES[type(span.rule)](_Reader(plan), span.rule)


def ruleset_needs(plan: Plan, per_course: Callable[[RuleSpan], bool]) -> Needs:
    """What must be present for any rule of the ruleset to give anything."""
    return any_of(span_needs(plan, s, per_course(s)) for s in plan.spans)


def met(needs: Needs, index: Mapping[str, tuple[list[int], list[Any]]]) -> bool:
    """Whether a per-type index (:meth:`History.by_type <lovregler.history.History.by_type>`)
    meets ``needs``: what :func:`gate_code`'s test computes, written plainly.

    >>> met(((("a", None, None), ("b", "x", frozenset({1}))),), {"a": ([], [])})
    True
    """
    return all(any(_present(atom, index) for atom in clause) for clause in needs)


def _present(atom: Atom, index: Mapping[str, tuple[list[int], list[Any]]]) -> bool:
    etype, attr, values = atom
    found = index.get(etype)
    if found is None or attr is None:
        return found is not None
    return any(e.attrs.get(attr) in (values or ()) for e in found[1])


def gate_code(
    needs: Needs,
    index: str,
    const: Callable[[str], str],
    present: Callable[[str, str], str],
) -> str | None:
    """A Python test of ``needs`` on the per-type index named ``index``, or None when
    nothing is needed. Types, attributes and values come from the rule file: only their
    ``repr`` appears (values as a module constant made by ``const``); ``present(type,
    attr)`` names the set of values that the events of a type carry in an attribute
    (computed once per evaluation, however many atoms ask)."""
    if not needs:
        return None
    clauses = []
    for clause in sorted(needs, key=_sort_key):
        tests = []
        for etype, attr, values in sorted(clause, key=_atom_key):
            if attr is None:
                tests.append(f"{etype!r} in {index}")
            else:
                members = const(f"frozenset({sorted(values or (), key=repr)!r})")
                tests.append(f"not {present(etype, attr)}.isdisjoint({members})")
        clauses.append(" or ".join(tests))
    if len(clauses) == 1:
        return clauses[0]
    return " and ".join(c if " or " not in c else f"({c})" for c in clauses)


def _atom_key(atom: Atom) -> tuple[str, str, str]:
    etype, attr, values = atom
    return etype, attr or "", repr(sorted(values or (), key=repr))


def _sort_key(clause: frozenset[Atom]) -> list[tuple[str, str, str]]:
    return sorted(map(_atom_key, clause))


__all__ = [
    "DATES",
    "NOTHING",
    "RULES",
    "TIMELINES",
    "TRIGGERS",
    "Atom",
    "Needs",
    "any_of",
    "both",
    "course_needs",
    "either",
    "gate_code",
    "met",
    "ruleset_needs",
    "simplified",
    "span_needs",
]
