"""The passes over rules: the clauses each kind of rule needs, transitions, and the expressions
inside each rule.
"""

from __future__ import annotations

from collections.abc import Iterator

import attrs

from ..syntax import ast
from .context import HOLDERS, CheckContext, _lines, _suggest, all_rules
from .expressions import _TRIGGER_ONLY, Scope, _require_length, _visit


def check_rules(ctx: CheckContext) -> None:
    """Each rule has the clauses its kind needs, a known holder, and valid expressions."""
    for rule in all_rules(ctx.ruleset):
        _check_rule_shape(ctx, rule)
        _check_rule_exprs(ctx, rule)


def check_transitions(ctx: CheckContext) -> None:
    """A declared transition (catalogue §0 *Versions*, C1) needs its own hjemmel and makes
    sense only on an obligation of a forløb that is triggered by the forløb's start."""
    for rule in all_rules(ctx.ruleset):
        if rule.transition is None:
            continue
        pos = rule.transition.pos
        line = _lines(ctx.source)[pos.line - 1] if 0 < pos.line <= len(_lines(ctx.source)) else ""
        words = line[max(pos.column - 1, 0) :].split()
        keyword = words[0] if words else ""  # »overgang« / »transition«: the caret goes there
        for message, hint in _transition_problems(ctx, rule):
            ctx.error(ctx.at(pos, keyword) if keyword else pos, message, hint)


def _transition_problems(ctx: CheckContext, rule: ast.Rule) -> Iterator[tuple[str, str]]:
    assert rule.transition is not None
    if not rule.transition.citation.strip():
        yield (
            f"overgangen i '{rule.id}' har ingen hjemmel",
            "skriv lovens overgangsbestemmelse efter »hjemmel«, fx »Lov nr. … af … § …, stk. …«",
        )
    if not isinstance(rule, ast.ObligationRule):
        yield (
            f"en overgang hører til en pligt, ikke til {_KIND_WORDS_RULE[rule.kind]} '{rule.id}'",
            "en ret, der løber, når versionen træder i kraft, beholder sin rigtige startdag",
        )
        return
    if rule.per_citizen or not ctx.has_course():
        yield (
            f"pligten '{rule.id}' har intet forløb, som kan regnes begyndt ved ikrafttræden",
            "en overgang gælder en pligt per forløb; fjern »per borger« eller overgangen",
        )
    elif not _triggered_by_course_start(rule):
        yield (
            f"pligten '{rule.id}' udløses ikke af forløbets start, så overgangen har intet at flytte",
            "brug overgangen med »frist … efter forløbets start« eller "
            "»udløses af hver periode på … regnet fra forløbets start«",
        )


def _triggered_by_course_start(rule: ast.ObligationRule) -> bool:
    """The trigger is the forløb's start itself, or count periods counted from it."""
    trigger = rule.trigger
    if isinstance(trigger, ast.CountWindows):
        return isinstance(trigger.anchor, ast.CourseStart)
    return isinstance(trigger, ast.AtDate) and isinstance(trigger.date, ast.CourseStart)


_OBLIGATION_ONLY = ("trigger", "deadline", "met_by", "repeat", "suspend")
_RIGHT_ONLY = ("right_from", "right_until", "right_until_next", "right_for", "right_when")
_KIND_WORDS_RULE = {"obligation": "pligten", "right": "retten", "value": "værdien"}


def _check_rule_shape(ctx: CheckContext, rule: ast.Rule) -> None:
    pos = ctx.at(rule.pos, rule.id)
    word = _KIND_WORDS_RULE[rule.kind]
    if rule.holder not in HOLDERS:
        ctx.error(
            ctx.at(rule.pos, rule.holder),
            f"ukendt ansvarlig '{rule.holder}'",
            _suggest(rule.holder, HOLDERS, "ansvarlig er jobcenter eller kommune"),
        )
    stray = set(rule.stray)  # clauses of another kind of rule, left out by the parser
    if isinstance(rule, ast.RightRule) and rule.trigger is not None and not _triggered_right(rule):
        stray.add("trigger")  # only »udløses af hver …« belongs to a right: »fra« per event
    for field in (*_OBLIGATION_ONLY, *_RIGHT_ONLY, "week_value"):
        if field in stray:
            ctx.error(
                pos,
                f"{word} '{rule.id}' har en klausul, der ikke hører til en {_RULE_NOUNS[rule.kind]}",
                _CLAUSE_HINTS[field],
            )
    for message, hint in _missing_clauses(rule):
        ctx.error(pos, f"{word} '{rule.id}' {message}", hint)


_RULE_NOUNS = {"obligation": "pligt", "right": "ret", "value": "værdi"}
_CLAUSE_HINTS = {
    "trigger": "»udløses af« hører til en pligt",
    "deadline": "»frist« hører til en pligt",
    "met_by": "»opfyldes af« hører til en pligt",
    "repeat": "»gentages« hører til en pligt",
    "suspend": "»suspenderes når« hører til en pligt",
    "right_from": "»fra« hører til en ret",
    "right_until": "»indtil« hører til en ret",
    "right_until_next": "»indtil dagen før næste« hører til en ret",
    "right_for": "»varer« hører til en ret",
    "right_when": "»når« hører til en ret",
    "week_value": "»ugenummer for uger med« hører til en værdi",
}


def _triggered_by_itself(rule: ast.ObligationRule) -> bool:
    """A frist counted from the trigger date, with nothing that says what the trigger is."""
    deadline_from_trigger = rule.deadline is not None and rule.deadline.after is not None
    return deadline_from_trigger and rule.trigger is None


def _missing_clauses(rule: ast.Rule) -> Iterator[tuple[str, str]]:
    if isinstance(rule, ast.ObligationRule):
        yield from _obligation_gaps(rule)
    elif isinstance(rule, ast.RightRule):
        yield from _right_gaps(rule)
    elif rule.week_value is None:
        yield "siger ikke, hvordan værdien findes", "tilføj »ugenummer for uger med … satser …«"


def _obligation_gaps(rule: ast.ObligationRule) -> Iterator[tuple[str, str]]:
    if rule.met_by is None:
        yield "siger ikke, hvad der opfylder den", "tilføj fx »opfyldes af samtale«"
    elif rule.met_by.count < 1:
        yield "skal opfyldes af mindst 1 hændelse", "skriv fx »opfyldes af mindst 4 samtale«"
    # count windows are due on each window's last day; every other obligation needs a frist
    if rule.deadline is None and not isinstance(rule.trigger, ast.CountWindows):
        yield "har ingen frist", "tilføj fx »frist 1 uge efter forløbets start«"
    if _triggered_by_itself(rule):
        # »frist N efter udløsningsdagen« needs an »udløses af« that says what the trigger is
        yield (
            "regner fristen fra udløsningsdagen, men intet »udløses af« siger, hvad der udløser den",
            "tilføj fx »udløses af første samtale«, eller skriv »frist N efter forløbets start«",
        )
    if rule.repeat is not None and rule.deadline is None:
        yield "gentages, men har ingen frist", "tilføj fx »frist 3 måneder efter første samtale«"
    if rule.repeat is not None and rule.met_by is not None and rule.met_by.since is not None:
        # a chain's next link is met only after the event that met the previous one
        yield (
            "gentages, så »fra og med …« kan ikke bruges i »opfyldes af«",
            "hver forekomst opfyldes af en hændelse efter den forrige opfyldelse",
        )


def _triggered_right(rule: ast.Rule) -> bool:
    """A right »udløst af hver <mønster>«: its »fra« is a date found for each such event."""
    return isinstance(rule, ast.RightRule) and isinstance(rule.trigger, ast.EachEvent)


def _right_gaps(rule: ast.RightRule) -> Iterator[tuple[str, str]]:
    if rule.right_from is None and rule.right_when is None:
        yield "siger ikke, hvornår den gælder", "tilføj »fra …« eller »når …«"
    if _triggered_right(rule) and (
        not isinstance(rule.right_from, ast.AtDate) or rule.right_when is not None
    ):
        yield (
            "udløses af en hændelse, men siger ikke, fra hvilken dag den gælder",
            "skriv »fra <dato>«, fx »fra dagen hvor … har varet 182 dage«, med udløsningsdagen",
        )
    ends = [rule.right_until, rule.right_until_next, rule.right_for]
    if sum(e is not None for e in ends) > 1:
        yield (
            "har flere slutninger",
            "brug én af »indtil …«, »indtil dagen før næste …« og »varer …«",
        )


def _check_rule_exprs(ctx: CheckContext, rule: ast.Rule) -> None:
    no_course = "reglen gælder per borger" if rule.per_citizen else None
    scope = Scope(no_course=no_course, no_trigger=_TRIGGER_ONLY)
    for field in attrs.fields(type(rule)):
        value = getattr(rule, field.name)
        if field.name in ("docs", "pos") or not attrs.has(type(value)):
            continue
        # udløsningsdagen means something only where an instance exists: its deadline and
        # condition, the »fra« of a right triggered by an event, and the day from which an
        # event meets it (»opfyldes af … fra og med …«)
        lifted = field.name in ("condition", "met_by") or (
            field.name == "right_from" and _triggered_right(rule)
        )
        inner = attrs.evolve(scope, no_trigger=None) if lifted else scope
        _visit(ctx, value, inner)
    if isinstance(rule, ast.ObligationRule):
        _require_length(ctx, rule.repeat, "gentagelsen")
    elif isinstance(rule, ast.RightRule):
        _require_length(ctx, rule.right_for, "rettens længde")
    elif rule.week_value is not None and rule.week_value.rates:
        _check_rates(ctx, rule.week_value)


def _check_rates(ctx: CheckContext, week_value: ast.WeekValue) -> None:
    *steps, last = week_value.rates
    bounds = [r.up_to for r in steps if r.up_to is not None]
    # every week needs a rate: increasing steps, and "derefter" for all the weeks after them
    if len(bounds) != len(steps) or bounds != sorted(set(bounds)) or last.up_to is not None:
        ctx.error(week_value.pos, "satserne skal stå i stigende ugeorden, med »derefter« til sidst")
