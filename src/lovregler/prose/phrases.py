"""Phrases for the parts of a rule: events and patterns, conditions, dates and timelines.

Each kind of AST node has a table from node class to its handler (:data:`OPERANDS`,
:data:`CONDITIONS`, :data:`DATES`, :data:`TIMELINES`); a handler takes the
:class:`ProseContext` first, then the node. ``tests/test_architecture.py`` checks that each
table covers every class of its union.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..syntax import ast
from .words import (
    DEFAULT_CONTEXT,
    OPS,
    EventWords,
    Noun,
    ProseContext,
    duration_phrase,
    format_date,
    human,
    join_or,
    literal_phrase,
    value_set_phrase,
)


# ───────────────────────────── events and patterns ─────────────────────────────
def event_words(name: str, ctx: ProseContext = DEFAULT_CONTEXT) -> EventWords:
    """How to speak of event type ``name``: the vocabulary's words, else its title."""
    words = ctx.event_words(name)
    if words is not None:
        return words
    title = ctx.event_title(name)
    label = f"en hændelse »{name}«" + (f" ({title})" if title else "")
    noun = Noun(written=label, plural=f"hændelser »{name}«")
    return EventWords(noun=noun, action="sørge for {np}", object=noun)


def _resolve_pattern(pattern: ast.Pattern, ctx: ProseContext) -> tuple[ast.Pattern, ProseContext]:
    # A named pattern (mønster) is spelled out; its own condition and the use's are both kept.
    if pattern.name in ctx.seen:
        return pattern, ctx
    ref = ctx.names.pattern(pattern)
    for definition in ref.via:
        ctx = ctx.expanding(definition.name)
    return ast.Pattern(name=ref.event, where=ref.where, pos=pattern.pos), ctx


def _with_where(np: str, pattern: ast.Pattern, ctx: ProseContext) -> str:
    if pattern.where is None:
        return np
    return f"{np}, hvor {bool_phrase(pattern.where, ctx, subject=pattern.name)},"


def pattern_phrase(
    pattern: ast.Pattern,
    ctx: ProseContext = DEFAULT_CONTEXT,
    *,
    form: str = "indefinite",
    scope: str = "",
    suffix: str = "",
) -> str:
    """An event pattern as a noun phrase: ``en samtale``, ``hver start på et tilbud, hvor …``.

    ``form`` is ``indefinite``, ``each``, ``first`` or ``latest``; ``scope`` goes right after
    the noun ("i forløbet"), ``suffix`` after the condition ("før den 1. januar 2020"). A
    phrase with a condition ends in a comma that :func:`tidy` removes before a full stop or
    another comma.
    """
    pattern, ctx = _resolve_pattern(pattern, ctx)
    noun = event_words(pattern.name, ctx).noun
    if form == "each":
        np = noun.each()
    elif form in ("first", "latest"):
        np = noun.ordinal("første" if form == "first" else "seneste")
    else:
        np = noun.indefinite()
    return _with_where(np + scope, pattern, ctx) + suffix


def action_phrase(met_by: ast.MetBy, ctx: ProseContext = DEFAULT_CONTEXT) -> str:
    """What the holder must do: ``holde mindst 4 samtaler med borgeren``."""
    pattern, ctx = _resolve_pattern(met_by.pattern, ctx)
    words = event_words(pattern.name, ctx)
    count = words.object.counted(met_by.count)
    np = _with_where(count if met_by.count == 1 else f"mindst {count}", pattern, ctx)
    if "{np}" in words.action:
        return words.action.format(np=np)
    # An action without an object ("henvise borgeren til en anden aktør") takes the count and
    # the condition after it.
    extra = "" if met_by.count == 1 else f" mindst {met_by.count} gange"
    if pattern.where is not None:
        extra += f", hvor {bool_phrase(pattern.where, ctx, subject=pattern.name)},"
    return words.action + extra


# ───────────────────────────── conditions ─────────────────────────────
def operand_phrase(op: ast.Operand, ctx: ProseContext, subject: str | None = None) -> str:
    """An operand: an attribute or fact by its Danish name, a literal, an age."""
    return OPERANDS[type(op)](ctx, op, subject)


def _name_ref(ctx: ProseContext, op: ast.NameRef, subject: str | None) -> str:
    words = ctx.attribute_words(op.name, subject)
    return words.text if words is not None and words.negated is None else f"»{op.name}«"


def _age_at(ctx: ProseContext, op: ast.AgeAt, subject: str | None) -> str:
    return f"borgerens alder på {date_phrase(op.date, ctx)}"


def _literal(ctx: ProseContext, op: ast.Literal, subject: str | None) -> str:
    return literal_phrase(op, ctx)


OPERANDS: dict[type, Callable[[ProseContext, Any, str | None], str]] = {
    ast.NameRef: _name_ref,
    ast.AgeAt: _age_at,
    ast.Literal: _literal,
}
"""An operand's phrase, by its class (handler: context, operand, subject)."""


def bool_phrase(
    expr: ast.BoolExpr, ctx: ProseContext = DEFAULT_CONTEXT, *, subject: str | None = None
) -> str:
    """A condition as a Danish subordinate clause (it follows ``hvis``, ``hvor``, ``når``).

    ``subject`` is the event type whose attributes the condition tests, if any.
    """
    return _condition(ctx, expr, subject, negated=False)


def _condition(ctx: ProseContext, expr: ast.BoolExpr, subject: str | None, negated: bool) -> str:
    # ``negated``: the clause that says the condition does not hold
    return CONDITIONS[type(expr)](ctx, expr, subject, negated)


def _not(ctx: ProseContext, expr: ast.BoolNot, subject: str | None, negated: bool) -> str:
    return _condition(ctx, expr.operand, subject, not negated)


def _junction(
    ctx: ProseContext, expr: ast.BoolAnd | ast.BoolOr, subject: str | None, negated: bool
) -> str:
    sides: list[ast.BoolExpr] = _flatten(expr, type(expr))  # type: ignore[assignment]
    texts = [bool_phrase(side, ctx, subject=subject) for side in sides]
    text = join_clauses(texts, isinstance(expr, ast.BoolAnd))
    return f"det ikke gælder, at {text}" if negated else text


def _flatten(node: object, kind: type) -> list[object]:
    # a og b og c is one list of three, not a tree of two.
    if isinstance(node, kind):
        return _flatten(node.left, kind) + _flatten(node.right, kind)  # type: ignore[attr-defined]
    return [node]


_COMPLEX = (", og ", ", eller ", ", hvor ", " (hvor ", "[")


def join_clauses(texts: list[str], conjunction: bool) -> str:
    """Clauses joined by ``og``/``eller``; as a numbered list when one holds commas itself.

    Danish prose has no precedence rule a reader trusts, so a clause that contains its own
    ``og``, ``eller`` or ``hvor`` is never run together with others: the reader gets
    "alle disse betingelser er opfyldt: 1) …; 2) …".
    """
    texts = [t.rstrip(",") for t in texts]
    if any(marker in t for t in texts for marker in _COMPLEX):
        which = "alle" if conjunction else "mindst én af"
        items = "; ".join(f"{i}) {t}" for i, t in enumerate(texts, 1))
        # Square brackets show where the list ends when the sentence goes on after it.
        return f"[{which} disse betingelser er opfyldt: {items}]"
    word = "og" if conjunction else "eller"
    return f"{', '.join(texts[:-1])}, {word} {texts[-1]}"


def _in(ctx: ProseContext, expr: ast.BoolIn, subject: str | None, negated: bool) -> str:
    verb = "ikke er" if expr.negated != negated else "er"
    left = operand_phrase(expr.operand, ctx, subject)
    return f"{left} {verb} {value_set_phrase(expr.values, ctx)}"


def _bool_truthy(
    ctx: ProseContext, expr: ast.BoolTruthy, subject: str | None, negated: bool
) -> str:
    return _truthy(expr.operand, ctx, subject, negated)


def _compare(ctx: ProseContext, expr: ast.BoolCompare, subject: str | None, negated: bool) -> str:
    left, right = expr.left, expr.right
    if isinstance(left, ast.NameRef) and isinstance(right, ast.Literal) and right.kind == "bool":
        holds = bool(right.value) == (expr.op == "=")
        return _truthy(left, ctx, subject, negated=not holds if not negated else holds)
    verb = OPS[expr.op]
    if negated:
        verb = _negate_verb(verb)
    right_text = operand_phrase(right, ctx, subject)
    if isinstance(left, ast.AgeAt) and isinstance(right, ast.Literal):
        right_text += " år"
    return f"{operand_phrase(left, ctx, subject)} {verb} {right_text}"


def _negate_verb(verb: str) -> str:
    if verb.startswith("ikke "):
        return verb[len("ikke ") :]
    return f"ikke {verb}"


def _truthy(op: ast.Operand, ctx: ProseContext, subject: str | None, negated: bool) -> str:
    clauses = ctx.clauses(op.name, subject) if isinstance(op, ast.NameRef) else None
    if clauses is not None:
        return clauses[1 if negated else 0]
    return f"{operand_phrase(op, ctx, subject)} {'ikke er' if negated else 'er'} sand"


def _shorter(ctx: ProseContext, expr: ast.BoolShorter, subject: str | None, negated: bool) -> str:
    words = ctx.event_words(subject) if subject is not None else None
    owner = words.subject if words is not None else "perioden"
    verb = "det ikke er vist" if negated else "det er vist"
    # The docstring of BoolShorter: known from an end event on or before the evaluation date.
    return f"{verb}, at {owner} varede kortere end {duration_phrase(expr.duration)}"


def _continues(
    ctx: ProseContext, expr: ast.BoolContinues, subject: str | None, negated: bool
) -> str:
    words = ctx.period_words(expr.period)
    noun = words.noun if words else Noun(written=f"en periode »{expr.period}«", plural="perioder")
    np = noun.indefinite()
    if expr.key:
        np += f" med {human(expr.key, ctx)}"
    if expr.where is not None:
        np += f", hvor {bool_phrase(expr.where, ctx, subject=expr.period)},"
    when = date_phrase(expr.date, ctx)
    verb = "der ikke er" if negated else "der er"
    return f"{verb} {np}, som løber på {when} og fortsætter dagen efter"


def _exists(ctx: ProseContext, expr: ast.BoolExists, subject: str | None, negated: bool) -> str:
    verb = "der ikke findes" if negated else "der findes"
    np = pattern_phrase(expr.pattern, ctx)
    start, end = date_phrase(expr.start, ctx), date_phrase(expr.end, ctx)
    return f"{verb} {np} fra og med {start} til og med {end}"


CONDITIONS: dict[type, Callable[[ProseContext, Any, str | None, bool], str]] = {
    ast.BoolNot: _not,
    ast.BoolAnd: _junction,
    ast.BoolOr: _junction,
    ast.BoolCompare: _compare,
    ast.BoolIn: _in,
    ast.BoolTruthy: _bool_truthy,
    ast.BoolShorter: _shorter,
    ast.BoolContinues: _continues,
    ast.BoolExists: _exists,
}
"""A condition's clause, by its class (handler: context, condition, subject, negated)."""


# ───────────────────────────── dates ─────────────────────────────
def date_phrase(expr: ast.DateExpr, ctx: ProseContext = DEFAULT_CONTEXT) -> str:
    """A date expression as a noun phrase: ``forløbets start``, ``den første samtale i forløbet``."""
    return DATES[type(expr)](ctx, expr)


def _date_lit(ctx: ProseContext, expr: ast.DateLit) -> str:
    return f"den {format_date(expr.value)}"


def _course_start(ctx: ProseContext, expr: ast.CourseStart) -> str:
    return "forløbets start"


def _course_end(ctx: ProseContext, expr: ast.CourseEnd) -> str:
    return "forløbets sidste dag"


def _trigger_date(ctx: ProseContext, expr: ast.TriggerDate) -> str:
    return ctx.trigger_word


def _end_of_month(ctx: ProseContext, expr: ast.EndOfMonth) -> str:
    return f"den sidste dag i kalendermåneden for {date_phrase(expr.base, ctx)}"


def _birthday(ctx: ProseContext, expr: ast.Birthday) -> str:
    return f"borgerens {expr.years}-årsdag"


def _threshold(ctx: ProseContext, expr: ast.Threshold) -> str:
    return threshold_phrase(expr, ctx)


def _period_start(ctx: ProseContext, expr: ast.PeriodStart) -> str:
    return (
        f"den første dag i den sammenhængende periode, hvor {timeline_phrase(expr.timeline, ctx)}, "
        f"og som omfatter {day_ref(expr.date, ctx)}"
    )


def _date_ref(ctx: ProseContext, expr: ast.DateRef) -> str:
    found = ctx.lookup(expr.name, ast.DateDef)
    if isinstance(found, ast.DateDef):
        return date_phrase(found.date, ctx.expanding(expr.name))
    return f"datoen »{expr.name}«"


_BOUNDS = {
    "after": "efter",
    "on_or_after": "på eller efter",
    "before": "før",
    "on_or_before": "på eller før",
}


def _event_date(ctx: ProseContext, expr: ast.EventDate) -> str:
    if expr.bound is not None and expr.bound_date is not None:
        suffix = f" {_BOUNDS[expr.bound]} {date_phrase(expr.bound_date, ctx)}"
        return pattern_phrase(expr.pattern, ctx, form=expr.which, suffix=suffix)
    # Per-forløb rules see only the forløb's events (catalogue §0, Forløb).
    scope = "" if ctx.per_citizen else " i forløbet"
    return pattern_phrase(expr.pattern, ctx, form=expr.which, scope=scope)


def _shift(ctx: ProseContext, expr: ast.DateShift) -> str:
    base = date_phrase(expr.base, ctx)
    d = expr.duration
    if expr.sign < 0 and d.months == 0 and d.days == 1:
        return f"dagen før {base}"
    word = "efter" if expr.sign > 0 else "før"
    return f"{duration_phrase(d)} {word} {base}"


DATES: dict[type, Callable[[ProseContext, Any], str]] = {
    ast.DateLit: _date_lit,
    ast.CourseStart: _course_start,
    ast.CourseEnd: _course_end,
    ast.TriggerDate: _trigger_date,
    ast.EventDate: _event_date,
    ast.DateShift: _shift,
    ast.EndOfMonth: _end_of_month,
    ast.Birthday: _birthday,
    ast.Threshold: _threshold,
    ast.PeriodStart: _period_start,
    ast.DateRef: _date_ref,
}
"""A date's noun phrase, by its class (handler: context, date)."""


def threshold_phrase(expr: ast.Threshold, ctx: ProseContext = DEFAULT_CONTEXT) -> str:
    """``den første dag, hvor der i alt har været 365 dage, hvor …``."""
    amount = duration_phrase(expr.amount)
    if expr.more_than:
        amount = f"mere end {amount}"
    held = timeline_phrase(expr.timeline, ctx)
    text = f"den første dag, hvor der i alt har været {amount}, hvor {held},"
    if expr.recurring:
        # »hver dag hvor«: each day the count comes over the amount (and was not the day before)
        text = f"hver dag, hvor der i alt har været {amount}, hvor {held},"
    if expr.window is not None:
        text += f", regnet over de seneste {duration_phrase(expr.window)} til og med dagen"
    if expr.counted_from is not None:
        text += (
            f", regnet fra og med {day_ref(expr.counted_from, ctx)}{_if_absent(expr.counted_from)}"
        )
    if expr.counted_after is not None:
        text += f", regnet efter {day_ref(expr.counted_after, ctx)}{_if_absent(expr.counted_after)}"
    if expr.reset_by is not None:
        latest = pattern_phrase(expr.reset_by, ctx, form="latest")
        each = pattern_phrase(expr.reset_by, ctx, form="each")
        text += f", regnet efter {latest} ({each} begynder optællingen forfra)"
    if expr.recurring:
        text += " og ikke havde været det dagen før"
    return text


def _if_absent(expr: ast.DateExpr) -> str:
    # An event date may not exist (no revurdering yet): then every day counts (ast.Threshold).
    if isinstance(expr, ast.EventDate | ast.DateRef):
        return " (findes den ikke, tæller alle dage)"
    return ""


def _on_day(expr: ast.DateExpr, ctx: ProseContext) -> str:
    # "senest på forløbets første dag" reads better than "senest forløbets start".
    if isinstance(expr, ast.DateLit):
        return date_phrase(expr, ctx)
    if isinstance(expr, ast.CourseStart):
        return "på forløbets første dag"
    if isinstance(expr, ast.DateShift):
        return date_phrase(expr, ctx)
    ref = day_ref(expr, ctx)
    # A shifted date ("2 uger efter …") is said without "på".
    return ref if ref[:1].isdigit() else f"på {ref}"


def day_ref(expr: ast.DateExpr, ctx: ProseContext = DEFAULT_CONTEXT) -> str:
    """A date as a day one can be on: ``den 1. januar 2017``, ``dagen for den første samtale``."""
    while isinstance(expr, ast.DateRef):
        found = ctx.lookup(expr.name, ast.DateDef)
        if not isinstance(found, ast.DateDef):
            break
        ctx = ctx.expanding(expr.name)
        expr = found.date
    phrase = date_phrase(expr, ctx)
    if isinstance(expr, ast.EventDate):
        return f"dagen for {phrase}"
    if isinstance(expr, ast.DateShift | ast.DateLit) or phrase.startswith(_DAY_WORDS):
        return phrase
    return f"dagen for {phrase}"


_DAY_WORDS = ("den ", "dagen", "udløsningsdagen", "rettens første dag", "forløbets", "borgerens")


# ───────────────────────────── timelines ─────────────────────────────
def timeline_phrase(tl: ast.Timeline, ctx: ProseContext = DEFAULT_CONTEXT) -> str:
    """A timeline as a clause true on its days: ``borgeren modtager kontanthjælp``."""
    return TIMELINES[type(tl)](ctx, tl)


def _tl_course(ctx: ProseContext, tl: ast.TlCourse) -> str:
    return "borgeren er i forløbet"


def _tl_not(ctx: ProseContext, tl: ast.TlNot) -> str:
    # A boolean fact has a natural negative ("borgeren ikke er i job eller uddannelse").
    inner = tl.timeline
    if isinstance(inner, ast.TlSince):
        date = inner.date
        # "not from X + 1 dag" is "up to and including X": say it that way.
        if isinstance(date, ast.DateShift) and date.sign > 0 and _is_one_day(date.duration):
            return f"det er senest {day_ref(date.base, ctx)}"
        return f"det er før {day_ref(date, ctx)}"
    clauses = ctx.clauses(inner.name) if isinstance(inner, ast.TlName) else None
    if (
        isinstance(inner, ast.TlName)
        and clauses is not None
        and inner.key is None
        and ctx.lookup(inner.name, ast.TimelineDef) is None
    ):
        return clauses[1]
    return f"det ikke er tilfældet, at {timeline_phrase(inner, ctx)}"


def _is_one_day(d: ast.Duration) -> bool:
    return d.months == 0 and d.days == 1


def _tl_since(ctx: ProseContext, tl: ast.TlSince) -> str:
    return f"det er {day_ref(tl.date, ctx)} eller senere"


def _tl_between(ctx: ProseContext, tl: ast.TlBetween) -> str:
    return f"det er i perioden {format_date(tl.start)} til og med {format_date(tl.end)}"


def _tl_from_day(ctx: ProseContext, tl: ast.TlFromDay) -> str:
    inner = timeline_phrase(tl.timeline, ctx)
    return f"det er dag {tl.day} eller senere i en sammenhængende periode, hvor {inner}"


def _tl_after_lasting(ctx: ProseContext, tl: ast.TlAfterLasting) -> str:
    inner = timeline_phrase(tl.timeline, ctx)
    return (
        f"der er gået mindst {duration_phrase(tl.duration)}, siden en sammenhængende "
        f"periode, hvor {inner}, begyndte, og perioden stadig løber"
    )


def _tl_junction(ctx: ProseContext, tl: ast.TlAnd | ast.TlOr) -> str:
    sides: list[ast.Timeline] = _flatten(tl, type(tl))  # type: ignore[assignment]
    merged = _same_period(sides, ctx) if isinstance(tl, ast.TlOr) else None
    if merged is not None:
        return merged
    return join_clauses([timeline_phrase(side, ctx) for side in sides], isinstance(tl, ast.TlAnd))


def _same_period(sides: list[ast.Timeline], ctx: ProseContext) -> str | None:
    # "ydelse kontanthjælp eller ydelse sygedagpenge" → "borgeren modtager kontanthjælp eller
    # sygedagpenge": one verb for several keys of the same period kind.
    names = {s.name for s in sides if isinstance(s, ast.TlName)}
    if len(names) != 1 or len(sides) < 2:
        return None
    name = names.pop()
    words = ctx.period_words(name)
    plain = (
        all(isinstance(s, ast.TlName) and s.key and s.where is None for s in sides)
        and words is not None
        and words.reads_keyed is not None
        and ctx.lookup(name, ast.TimelineDef) is None
    )
    if not plain or words is None or words.reads_keyed is None:
        return None
    keys = join_or(human(s.key or "", ctx) for s in sides if isinstance(s, ast.TlName))
    return words.reads_keyed.format(key=keys)


def _tl_name(ctx: ProseContext, tl: ast.TlName) -> str:
    found = ctx.lookup(tl.name, ast.TimelineDef)
    if isinstance(found, ast.TimelineDef):
        return timeline_phrase(found.timeline, ctx.expanding(tl.name))
    clauses = ctx.clauses(tl.name)
    if clauses is not None and tl.key is None:
        return clauses[0]
    period = ctx.names.period(tl.name)
    if period is not None:
        text = _period_clause(tl, period.words, ctx)
        if tl.where is not None and tl.first:
            said = bool_phrase(tl.where, ctx, subject=period.start)
            text += f" (i en periode, der begyndte med, at {said})"
        elif tl.where is not None:
            text += f" (hvor {bool_phrase(tl.where, ctx, subject=period.start)})"
        return text
    if ctx.is_fact(tl.name):
        return f"{operand_phrase(ast.NameRef(name=tl.name), ctx)} er sand"
    return f"»{tl.name}« gælder"


def _period_clause(tl: ast.TlName, words: ast.PeriodWords | None, ctx: ProseContext) -> str:
    # "borgeren modtager kontanthjælp" (a key), "borgeren er sygemeldt" (any or none)
    if words is None:
        key = f" ({human(tl.key, ctx)})" if tl.key else ""
        return f"perioden »{tl.name}«{key} løber"
    if tl.key and words.reads_keyed is not None:
        return words.reads_keyed.format(key=human(tl.key, ctx))
    return words.reads


def _tl_age(ctx: ProseContext, tl: ast.TlAge) -> str:
    # Ages are completed years; "> 29" is said as "mindst 30" so no reader must guess whether
    # "over 29" includes the day of the 30th birthday.
    if tl.op == ">":
        return f"borgeren er fyldt {tl.years + 1} år"
    if tl.op == ">=":
        return f"borgeren er fyldt {tl.years} år"
    if tl.op == "<":
        return f"borgeren endnu ikke er fyldt {tl.years} år"
    if tl.op == "<=":
        return f"borgeren endnu ikke er fyldt {tl.years + 1} år"
    if tl.op == "=":
        return f"borgeren er {tl.years} år"
    return f"borgeren ikke er {tl.years} år"


def _tl_latest(ctx: ProseContext, tl: ast.TlLatest) -> str:
    noun = event_words(tl.event, ctx).noun.ordinal("seneste")
    attr = operand_phrase(ast.NameRef(name=tl.attr), ctx, subject=tl.event)
    if tl.values is not None:
        test = f"{attr} er {value_set_phrase(tl.values, ctx)}"
    else:
        value = literal_phrase(tl.value, ctx) if tl.value is not None else "?"
        test = f"{attr} {OPS.get(tl.op or '=', tl.op or '=')} {value}"
    return f"{test} ifølge {noun} på eller før dagen"


def _tl_fact(ctx: ProseContext, tl: ast.TlFact) -> str:
    subject = operand_phrase(ast.NameRef(name=tl.fact), ctx)
    if tl.values is not None:
        return f"{subject} er {value_set_phrase(tl.values, ctx)}"
    value = tl.value
    clauses = ctx.clauses(tl.fact)
    if value is not None and value.kind == "bool" and clauses is not None:
        holds = bool(value.value) == (tl.op == "=")
        return clauses[0 if holds else 1]
    shown = literal_phrase(value, ctx) if value is not None else "?"
    return f"{subject} {OPS.get(tl.op or '=', tl.op or '=')} {shown}"


TIMELINES: dict[type, Callable[[ProseContext, Any], str]] = {
    ast.TlAnd: _tl_junction,
    ast.TlOr: _tl_junction,
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
"""A timeline's clause, true on its days, by its class (handler: context, timeline)."""
