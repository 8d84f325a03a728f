"""From checked ASTs to an evaluation plan, shared by the compiler and the interpreter.

A plan flattens a ruleset, its versions and the ruleset it extends into **rule spans**: a
rule together with the consecutive versions in which it is identical (same AST, positions
ignored). A span is evaluated once over its whole period of force, and every instance is
labelled with the version in force on its trigger (rights: on their ``from``). So a recurring
chain or a right that the law did not change runs on across a version boundary. A rule that
did change gets, under the new version, only the instances whose triggers lie inside it
(catalogue §0, *Versions*, C1): a forløb keeps its real start, its count periods stay
anchored on it, and a chain is carried by its links before the span, unlisted. Only a rule
that declares a transition (``overgang …``) sees a running forløb as begun on its first day.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from .. import prose
from ..errors import LovreglerError
from ..prose.explanations import deadline_words, explained_event, trigger_words
from ..results import RuleInfo
from ..semantics import Names
from ..semantics.vocabulary import Vocabulary
from ..syntax import ast
from ..timecalc import INF, from_date

# Far past: a validity with no start. Day 1 is 0001-01-01.
MIN_DAY = 1


@attrs.frozen
class VersionInfo:
    """A version's name and period of force as day numbers (inclusive; end INF if open)."""

    name: str
    start: int
    end: int


@attrs.frozen
class RuleSpan:
    """One rule evaluated over the versions it is identical in.

    ``start``/``end`` bound the triggers (rule validity ∩ version validity); ``versions`` label
    instances; ``info`` is the documentation shown in results. ``takes_over``: the span
    begins with a version that replaces an earlier version of the ruleset, in which the rule
    did not exist (catalogue C5, thresholds across a version change).
    """

    index: int
    rule: ast.Rule
    versions: tuple[VersionInfo, ...]
    start: int
    end: int
    info: RuleInfo
    takes_over: bool = False

    @property
    def transition(self) -> bool:
        """The rule declares a transition: a forløb running on ``start`` is treated as begun
        that day (catalogue §0 *Versions*); without one, only triggers inside count (C1)."""
        return self.rule.transition is not None

    def version_on(self, day: int) -> str | None:
        """The name of the version in force on ``day`` (None outside the span)."""
        for v in self.versions:
            if v.start <= day <= v.end:
                return v.name
        return None


@attrs.frozen
class Plan:
    """Everything an evaluator needs; ``names`` resolves every name of the rules (the one
    resolver of :mod:`lovregler.semantics`, shared by compiler, interpreter and prose)."""

    name: str
    title: str
    names: Names = attrs.field(eq=False)
    course: ast.Course | None
    spans: tuple[RuleSpan, ...]
    first_day: int
    # the version declarations in force, by start: the ruleset's, or the base's it extends
    versions: tuple[ast.Version, ...] = ()
    # span index -> group: right spans of one rule, consecutive and alike but for their
    # documentation, hold a running right once (catalogue C5, *one right across versions*)
    right_groups: Mapping[int, int] = attrs.field(factory=dict)

    @property
    def vocabulary(self) -> Vocabulary:
        """The vocabulary the rules are checked against."""
        return self.names.vocabulary


def _day(d: object, default: int) -> int:
    return from_date(d) if d is not None else default  # type: ignore[arg-type]


def _validity(v: ast.Validity | None) -> tuple[int, int]:
    if v is None:
        return (MIN_DAY, INF)
    return (_day(v.start, MIN_DAY), _day(v.end, INF))


def _versions(ruleset: ast.Ruleset) -> list[tuple[VersionInfo, ast.Version | None]]:
    if not ruleset.versions:
        lo, hi = _validity(ruleset.validity)
        return [(VersionInfo(ruleset.name, lo, hi), None)]
    return [
        (VersionInfo(v.name, *_validity(v.validity)), v)
        for v in sorted(ruleset.versions, key=lambda v: _validity(v.validity)[0])
    ]


def _merge_rules(base: list[ast.Rule], extra: tuple[ast.Rule, ...]) -> list[ast.Rule]:
    """Add ``extra`` to ``base``; a rule with the id of a base rule replaces it (erstatter)."""
    ids = {r.id for r in extra}
    return [r for r in base if r.id not in ids] + list(extra)


def _version_rules(
    ruleset: ast.Ruleset, base: ast.Ruleset | None
) -> list[tuple[VersionInfo, list[ast.Rule], ast.Version | None]]:
    """The effective rules of each version, the extension's on top of its base's."""
    if base is None:
        return [
            (info, _merge_rules(list(ruleset.rules), v.rules if v else ()), v)
            for info, v in _versions(ruleset)
        ]
    own = {v.name: v for v in ruleset.versions}
    out = []
    for info, bv in _versions(base):
        rules = _merge_rules(list(base.rules), bv.rules if bv else ())
        rules = _merge_rules(rules, ruleset.rules)
        ext = own.get(info.name)
        rules = _merge_rules(rules, ext.rules if ext else ())
        out.append((info, rules, bv))
    return out


def prose_context(names: Names) -> prose.ProseContext:
    """The prose context of a ruleset, for the words of its explanations (compile time)."""
    return prose.ProseContext(names=names)


def _info(rule: ast.Rule, citation: str, file: str, ctx: prose.ProseContext) -> RuleInfo:
    deadline = rule.deadline if isinstance(rule, ast.ObligationRule) else None
    met_by = rule.met_by if isinstance(rule, ast.ObligationRule) else None
    trigger: ast.Trigger | None = None
    if isinstance(rule, ast.ObligationRule):
        trigger = rule.trigger
    elif isinstance(rule, ast.RightRule):
        trigger = rule.trigger or rule.right_from
    return RuleInfo(
        id=rule.id,
        kind=rule.kind,
        title=rule.title,
        holder=rule.holder,
        citation=citation,
        interpretations=rule.docs.interpretations,
        met_word=explained_event(met_by.pattern, ctx) if met_by else "hændelse",
        deadline_text=deadline_words(deadline, trigger),
        trigger_text=trigger_words(trigger, ctx),
        count=met_by.count if met_by else 1,
        file=file,
        line=rule.pos.line,
        transition_citation=rule.transition.citation if rule.transition else "",
    )


def _spans(
    versions: list[tuple[VersionInfo, list[ast.Rule], ast.Version | None]],
    ruleset: ast.Ruleset,
    base: ast.Ruleset | None,
    ctx: prose.ProseContext = prose.DEFAULT_CONTEXT,
) -> list[RuleSpan]:
    """Group each rule id's consecutive identical occurrences into spans."""
    lo, hi = _validity(ruleset.validity)
    open_spans: dict[str, tuple[ast.Rule, list[VersionInfo], ast.Version | None]] = {}
    done: list[tuple[ast.Rule, list[VersionInfo], ast.Version | None]] = []
    takes_over: set[tuple[str, str]] = set()  # (rule id, version) begun where it was absent
    before: tuple[VersionInfo, set[str]] | None = None
    for info, rules, version in versions:
        present = {r.id: r for r in rules}
        if before is not None and before[0].end + 1 == info.start:
            takes_over |= {(rid, info.name) for rid in present if rid not in before[1]}
        before = (info, set(present))
        for rid in list(open_spans):
            if rid not in present or present[rid] != open_spans[rid][0]:
                done.append(open_spans.pop(rid))
        for rid, rule in present.items():
            if rid in open_spans:
                open_spans[rid][1].append(info)
            else:
                open_spans[rid] = (rule, [info], version)
    done.extend(open_spans.values())
    spans = []
    for index, (rule, infos, version) in enumerate(done):
        rlo, rhi = _validity(rule.validity)
        start = max(infos[0].start, rlo, lo)
        end = min(infos[-1].end, rhi, hi)
        citation = (
            rule.docs.citation
            or (version.docs.citation if version else None)
            or ruleset.docs.citation
            or (base.docs.citation if base else None)
            or ""
        )
        spans.append(
            RuleSpan(
                index,
                rule,
                tuple(infos),
                start,
                end,
                _info(rule, citation, rule.pos.file, ctx),
                takes_over=(rule.id, infos[0].name) in takes_over and start == infos[0].start,
            )
        )
    return spans


def _behaviour(rule: ast.Rule) -> ast.Rule:
    """The rule without its title and documentation: what decides its entries."""
    return attrs.evolve(rule, title="", docs=ast.Docs())


def right_groups(spans: list[RuleSpan]) -> dict[int, int]:
    """Group the spans of a right whose rule is the same in consecutive versions, only its
    documentation (hjemmel, fortolkning) differing: such a right is one entry, also when a
    later event of the same kind falls inside it (catalogue C5)."""
    rights = sorted((s for s in spans if s.rule.kind == "right"), key=lambda s: s.start)
    groups: dict[int, int] = {}
    for i, later in enumerate(rights):
        for earlier in rights[:i]:
            if (
                earlier.rule.id == later.rule.id
                and earlier.versions[-1].end + 1 == later.versions[0].start
                and _behaviour(earlier.rule) == _behaviour(later.rule)
            ):
                group = groups.setdefault(earlier.index, earlier.index)
                groups[later.index] = group
    return groups


def build_plan(ruleset: ast.Ruleset, vocabulary: Vocabulary, base: ast.Ruleset | None) -> Plan:
    """Flatten a checked ruleset (and the ruleset it extends) into a :class:`Plan`."""
    if ruleset.extends and base is None:
        raise LovreglerError(f"{ruleset.name} udvider {ruleset.extends}, som ikke er indlæst")
    versions = _version_rules(ruleset, base)
    names = Names(ruleset, base, vocabulary)
    course = ruleset.course or (base.course if base else None)
    in_force = [v for _, v in _versions(base or ruleset) if v is not None]
    spans = _spans(versions, ruleset, base, prose_context(names))
    return Plan(
        name=ruleset.name,
        title=ruleset.title,
        names=names,
        course=course,
        versions=tuple(in_force),
        spans=tuple(spans),
        first_day=min((v.start for v, _, _ in versions), default=MIN_DAY),
        right_groups=right_groups(spans),
    )


def _span_value(s: RuleSpan) -> tuple[object, ...]:
    """What a span is apart from its place in the plan (its index)."""
    return (s.rule, s.versions, s.start, s.end, s.info, s.takes_over)


def factor_base(plan: Plan) -> tuple[Plan, Plan] | None:
    """(the base's own plan, the extension's other spans as a plan) when an extension
    (``udvider``) keeps every rule span of its base unchanged: then the extension's entries
    are the base's and those of its own spans, and an evaluator can take the base's from the
    base's own evaluation of the same history (a batch evaluates both). None when anything
    could make the base's rules mean something else inside the extension: a definition the
    extension gives again, another forløb or first day, a changed span (``erstatter``, a
    narrower validity), or a right held once across a base span and one of its own.
    """
    base = plan.names.base
    ruleset = plan.names.ruleset
    if base is None or ruleset is None or base.extends:
        return None
    if {d.name for d in ruleset.definitions} & {d.name for d in base.definitions}:
        return None
    base_plan = build_plan(base, plan.vocabulary, None)
    if base_plan.course != plan.course or base_plan.first_day != plan.first_day:
        return None
    wanted = [_span_value(s) for s in base_plan.spans]
    own = [s for s in plan.spans if _span_value(s) not in wanted]
    if sorted(map(repr, (_span_value(s) for s in plan.spans if s not in own))) != sorted(
        map(repr, wanted)
    ):
        return None  # a base span missing, or found twice
    own_index = {s.index for s in own}
    if any((i in own_index) != (g in own_index) for i, g in plan.right_groups.items()):
        return None
    renumber = {s.index: n for n, s in enumerate(own)}
    own_plan = attrs.evolve(
        plan,
        spans=tuple(attrs.evolve(s, index=renumber[s.index]) for s in own),
        right_groups={
            renumber[i]: renumber[g] for i, g in plan.right_groups.items() if i in own_index
        },
    )
    return base_plan, own_plan
