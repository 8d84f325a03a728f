"""Sentences for whole rules: obligations, rights and values, with their deadlines,
repetitions, transitions and notes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

from ..syntax import ast
from .phrases import (
    _on_day,
    _resolve_pattern,
    action_phrase,
    bool_phrase,
    date_phrase,
    day_ref,
    event_words,
    pattern_phrase,
    timeline_phrase,
)
from .words import (
    DEFAULT_CONTEXT,
    ProseContext,
    _cap,
    duration_phrase,
    format_date,
    holder_phrase,
    human,
    join_or,
    length_phrase,
)


# ───────────────────────────── rules ─────────────────────────────
def describe_rule(rule: ast.Rule, ctx: ProseContext = DEFAULT_CONTEXT) -> str:
    """The Danish prose for a rule: what it computes, in one or a few sentences."""
    ctx = ctx.for_rule(rule)
    sentences = RULES[type(rule)](ctx, rule) + _common_tail(rule)
    return " ".join(tidy(s) for s in sentences)


def tidy(sentence: str) -> str:
    """Drop the comma a relative clause leaves before a full stop or another comma."""
    previous = None
    while previous != sentence:
        previous = sentence
        sentence = _tidy_once(sentence)
    return sentence


def _tidy_once(sentence: str) -> str:
    for bad, good in (
        (",.", "."),
        (",,", ","),
        (", ,", ","),
        (",;", ";"),
        (",)", ")"),
        (", (", " ("),
    ):
        sentence = sentence.replace(bad, good)
    return sentence


def _common_tail(rule: ast.Rule) -> list[str]:
    tail = []
    if rule.validity is not None:
        tail.append(f"Reglen gælder {validity_phrase(rule.validity)}.")
    if rule.per_citizen:
        tail.append("Reglen gælder for borgeren som helhed, uanset forløb.")
    return tail


def validity_phrase(v: ast.Validity) -> str:
    """``fra 1. april 2014``, ``fra … til og med …``, ``til og med …``."""
    if v.start and v.end:
        return f"fra {format_date(v.start)} til og med {format_date(v.end)}"
    if v.start:
        return f"fra {format_date(v.start)}"
    if v.end:
        return f"til og med {format_date(v.end)}"
    return "uden tidsbegrænsning"


_SIMPLE_ANCHORS = (ast.CourseStart, ast.CourseEnd, ast.DateLit, ast.EventDate, ast.Birthday)


def _obligation(ctx: ProseContext, rule: ast.ObligationRule) -> list[str]:
    action = action_phrase(rule.met_by, ctx) if rule.met_by else "opfylde pligten"
    holder = rule.holder
    sentences: list[str] = []
    trigger = rule.trigger
    # A deadline written as a date ("udløsningsdagen + …") needs the trigger said first.
    at_date = rule.deadline is not None and _mentions_trigger(rule.deadline.at)
    if _recurring(trigger):
        assert isinstance(trigger, ast.AtDate)
        sentences.append(f"Pligten udløses {date_phrase(trigger.date, ctx)}.")
    elif isinstance(trigger, ast.AtDate) and (at_date or not _is_simple_anchor(trigger.date)):
        sentences.append(f"Pligten udløses på {day_ref(trigger.date, ctx)}.")
    if isinstance(trigger, ast.CountWindows):
        sentences.append(_windows_sentence(rule, trigger, action, ctx))
    else:
        when = _deadline_phrase(rule, ctx)
        sentences.append(f"{holder_phrase(holder)} skal {action} {when}{_repeat(rule, ctx)}.")
    sentences += _obligation_notes(rule, ctx)
    return sentences


def _mentions_trigger(node: object) -> bool:
    # Whether a date expression uses "udløsningsdagen" anywhere inside it.
    if isinstance(node, ast.TriggerDate):
        return True
    if isinstance(node, tuple):
        return any(_mentions_trigger(n) for n in node)
    if attrs.has(type(node)):
        fields = attrs.fields(type(node))  # type: ignore[arg-type]
        return any(_mentions_trigger(getattr(node, f.name)) for f in fields)
    return False


def _is_simple_anchor(expr: ast.DateExpr) -> bool:
    if isinstance(expr, ast.DateShift):
        return _is_simple_anchor(expr.base)
    return isinstance(expr, _SIMPLE_ANCHORS)


def _windows_sentence(
    rule: ast.ObligationRule, trigger: ast.CountWindows, action: str, ctx: ProseContext
) -> str:
    length = duration_phrase(trigger.length)
    anchor = date_phrase(trigger.anchor, ctx)
    holder = holder_phrase(rule.holder, capital=False)
    text = f"I hver periode på {length} regnet fra {anchor} skal {holder} {action}"
    deadline = rule.deadline
    if deadline is not None and deadline.after is not None:
        text += f" senest {duration_phrase(deadline.after)} efter periodens første dag"
    elif deadline is not None and deadline.at is not None:
        text += f" senest {_on_day(deadline.at, ctx)}"
    return text + "."


def _trigger_anchor(trigger: ast.Trigger | None, ctx: ProseContext) -> str:
    # what a deadline counts from (»senest 3 måneder efter …«)
    return "forløbets start" if trigger is None else _ANCHORS[type(trigger)](ctx, trigger)


def _each_event_anchor(ctx: ProseContext, trigger: ast.EachEvent) -> str:
    return pattern_phrase(trigger.pattern, ctx, form="each")


def _date_anchor(ctx: ProseContext, trigger: ast.AtDate) -> str:
    return date_phrase(trigger.date, ctx) if _is_simple_anchor(trigger.date) else "udløsningsdagen"


def _window_anchor(ctx: ProseContext, trigger: ast.CountWindows) -> str:
    return f"starten af hver periode på {duration_phrase(trigger.length)}"


# A second table of the Trigger union: what a deadline counts from (TRIGGERS says when a
# right starts).
_ANCHORS: dict[type, Callable[[ProseContext, Any], str]] = {
    ast.EachEvent: _each_event_anchor,
    ast.AtDate: _date_anchor,
    ast.CountWindows: _window_anchor,
}


def _deadline_phrase(rule: ast.ObligationRule, ctx: ProseContext) -> str:
    deadline = rule.deadline
    if deadline is None:
        anchor = _trigger_anchor(rule.trigger, ctx)
        return f"fra {anchor}"
    if deadline.after is not None:
        text = (
            f"senest {duration_phrase(deadline.after)} efter {_trigger_anchor(rule.trigger, ctx)}"
        )
    elif deadline.at is not None:
        text = f"senest {_on_day(deadline.at, ctx)}"
    else:
        text = ""
    return text


def _repeat(rule: ast.ObligationRule, ctx: ProseContext) -> str:
    if rule.repeat is None:
        return ""
    if rule.met_by is not None:
        pattern, inner = _resolve_pattern(rule.met_by.pattern, ctx)
        noun = event_words(pattern.name, inner).noun
        article = "det" if noun.gender == "n" else "den"
        what, following = f"{article} {noun.singular}", f"{article} næste {noun.singular}"
    else:
        what, following = "den hændelse", "den næste"
    # the next one must be a new one: on a later date than the one that met the last deadline
    return (
        f" og derefter senest {duration_phrase(rule.repeat)} efter {what}, "
        f"der opfyldte den forrige frist; {following} skal ligge på en senere dato"
    )


def _obligation_notes(rule: ast.ObligationRule, ctx: ProseContext) -> list[str]:
    notes = []
    deadline = rule.deadline
    if deadline is not None and deadline.convention != "standard":
        notes.append(CONVENTION_SENTENCES[deadline.convention])
    if rule.met_by is not None and rule.met_by.also_earlier:
        np = pattern_phrase(rule.met_by.pattern, ctx)
        notes.append(
            f"{_cap(np)} tæller også, hvis den ligger før pligten udløses (uanset hvor længe "
            "før): den seneste på eller før fristen opfylder pligten; findes ingen, opfyldes "
            "den for sent af den første efter fristen."
        )
    if rule.met_by is not None and rule.met_by.since is not None:
        np = pattern_phrase(rule.met_by.pattern, ctx)
        notes.append(
            f"{_cap(np)} opfylder pligten, hvis den ligger på eller efter "
            f"{day_ref(rule.met_by.since, ctx)}, også før pligten udløses."
        )
    if rule.trigger is not None and _recurring(rule.trigger):
        notes.append(
            "Pligten udløses igen, hver gang optællingen når over grænsen efter en dag, hvor "
            "den ikke var over (når gamle dage falder ud af perioden og nye kommer til)."
        )
    if rule.repeat is not None and rule.suspend is not None:
        notes.append("Er en frist suspenderet, regnes den næste frist fra den suspenderede frist.")
    if rule.suspend is not None:
        notes.append(
            "Pligten er suspenderet, hvis fristen falder på en dag, hvor "
            f"{timeline_phrase(rule.suspend, ctx)}."
        )
    if rule.condition is not None:
        notes.append(f"Pligten gælder kun, hvis {bool_phrase(rule.condition, ctx)}.")
    if rule.transition is not None:
        notes.append(transition_sentence(rule.transition))
    return notes


def transition_sentence(transition: ast.Transition) -> str:
    """The prose of a declared transition (catalogue §0 *Versions*).

    >>> transition_sentence(ast.Transition(citation="Lov nr. 1 § 9"))
    'Overgang (Lov nr. 1 § 9): et forløb, der allerede løber den dag, reglen træder i kraft, regnes som begyndt den dag, og pligten regnes fra den dag.'
    """
    return (
        f"Overgang ({transition.citation}): et forløb, der allerede løber den dag, reglen "
        "træder i kraft, regnes som begyndt den dag, og pligten regnes fra den dag."
    )


def _recurring(trigger: ast.Trigger | None) -> bool:
    return (
        isinstance(trigger, ast.AtDate)
        and isinstance(trigger.date, ast.Threshold)
        and trigger.date.recurring
    )


CONVENTION_SENTENCES = {
    "ultimo": (
        "Fristen regnes efter ultimo-reglen: er startdagen den sidste dag i en måned, er "
        "fristen den sidste dag i fristens måned."
    ),
    "hverdag": (
        "Falder fristen på en lørdag, søndag, helligdag, grundlovsdag (5. juni), juleaftensdag "
        "eller nytårsaftensdag, flyttes den til den næste dag, der ikke er nogen af disse."
    ),
}


def _right_name(rule: ast.Rule) -> str:
    # The title is a name, not grammar ("Midlertidigt fleksjob i fem år"), so it is quoted;
    # a title that itself begins "Ret til" would say it twice.
    title = rule.title
    for prefix in ("Ret til ", "ret til "):
        if title.startswith(prefix) and len(title) > len(prefix):
            title = _cap(title[len(prefix) :])
    return f"»{title}«"


def _right(ctx: ProseContext, rule: ast.RightRule) -> list[str]:
    if isinstance(rule.trigger, ast.EachEvent):
        return _triggered_right(rule, rule.trigger, ctx)
    text = f"Borgeren har ret til {_right_name(rule)}"
    if rule.right_from is not None:
        text += f" {_right_span(rule, ctx)}"
    if rule.right_when is not None:
        where = "så længe" if rule.right_from is None else "på de dage, hvor"
        scope = " i forløbet" if not rule.per_citizen and rule.right_from is None else ""
        text += f"{scope}, {where} {timeline_phrase(rule.right_when, ctx)}"
    sentences = [text + "."]
    if rule.condition is not None:
        sentences.append(f"Retten gælder kun, hvis {bool_phrase(rule.condition, ctx)}.")
    return sentences


def _triggered_right(rule: ast.RightRule, trigger: ast.EachEvent, ctx: ProseContext) -> list[str]:
    """A right »udløst af hver <mønster>«: each such event may start it; one that is running
    is not started again (catalogue C5)."""
    each = pattern_phrase(trigger.pattern, ctx, form="each")
    sentences = [f"Retten udløses af {each}; udløsningsdagen er dens dato."]
    if rule.condition is not None:
        sentences.append(f"Den udløses kun, hvis {bool_phrase(rule.condition, ctx)}.")
    sentences.append(f"Borgeren har ret til {_right_name(rule)} {_right_span(rule, ctx)}.")
    sentences.append("En ret, der allerede løber, begynder ikke igen ved en senere udløsning.")
    return sentences


def _from_each_event(ctx: ProseContext, trigger: ast.EachEvent) -> str:
    return f"fra {pattern_phrase(trigger.pattern, ctx, form='each')}"


def _from_date(ctx: ProseContext, trigger: ast.AtDate) -> str:
    return f"fra {date_phrase(trigger.date, ctx)}"


def _in_each_window(ctx: ProseContext, trigger: ast.CountWindows) -> str:
    length = duration_phrase(trigger.length)
    return f"i hver periode på {length} regnet fra {date_phrase(trigger.anchor, ctx)}"


TRIGGERS: dict[type, Callable[[ProseContext, Any], str]] = {
    ast.EachEvent: _from_each_event,
    ast.AtDate: _from_date,
    ast.CountWindows: _in_each_window,
}
"""When a trigger starts something (a right's »fra«), by its class (handler: context,
trigger)."""


def _right_span(rule: ast.RightRule, ctx: ProseContext) -> str:
    trigger = rule.right_from
    start = TRIGGERS[type(trigger)](ctx, trigger) if trigger is not None else ""
    cap = "" if rule.per_citizen else " (dog højst til forløbets sidste dag)"
    if rule.right_for is not None:
        if isinstance(rule.right_for, ast.AttrLength):
            return f"{start}, i {length_phrase(rule.right_for, ctx)}"
        return f"i {length_phrase(rule.right_for, ctx)} {start}"
    if rule.right_until is not None:
        return f"{start} til og med {date_phrase(rule.right_until, ctx)}{cap}"
    if rule.right_until_next is not None:
        nxt = pattern_phrase(rule.right_until_next, ctx)
        return f"{start} til dagen før {_next(nxt)}{cap}"
    if rule.per_citizen:
        return f"{start} og uden slutdato"
    return f"{start} og forløbet ud"


def _next(np: str) -> str:
    # "en vurdering, hvor …" → "den næste vurdering, hvor …"
    for article, definite in (("en ", "den næste "), ("et ", "det næste ")):
        if np.startswith(article):
            return definite + np[len(article) :]
    return f"næste {np}"


def _value(ctx: ProseContext, rule: ast.ValueRule) -> list[str]:
    wv = rule.week_value
    if wv is None:
        return [f"Værdien »{rule.title}« har ingen beregning."]
    held = timeline_phrase(wv.timeline, ctx)
    rates = join_or(_rate(r) for r in wv.rates).replace(" eller ", " og ")
    if wv.self_support is None:
        restarting = "uger uden ydelse"
    else:
        name = (
            wv.self_support.name if isinstance(wv.self_support, ast.TlName) else "selvforsørgelse"
        )
        restarting = (
            f"hele uger med {human(name, ctx)} (uger, der ikke er ydelsesuger, og hvor det på alle "
            f"ugens dage gælder, at {timeline_phrase(wv.self_support, ctx)})"
        )
    sentences = [
        "En kalenderuge (mandag til søndag) er en ydelsesuge, hvis der på mindst én af ugens "
        f"dage gælder, at {held}.",
        f"Ydelsesugerne nummereres, og {_right_name(rule)} for en ydelsesuge er {rates}.",
        f"Optællingen begynder forfra ved udgangen af den første uge efter den seneste uge "
        f"nr. 1, hvor der efter uge nr. 1 og blandt de {wv.lookback} uger, der slutter med "
        f"ugen, er {wv.gap} {restarting}; den næste ydelsesuge er da uge nr. 1 igen.",
    ]
    if wv.counted_from is not None:
        sentences.append(
            f"Uger med ydelse og uger, der begynder optællingen forfra, tælles fra "
            f"{format_date(wv.counted_from)}: dage før findes ikke for optællingen, men "
            "værdien vises kun for uger fra reglens første dag."
        )
    return sentences


def _rate(rate: ast.Rate) -> str:
    if rate.up_to is None:
        return f"derefter {rate.value}"
    return f"{rate.value} til og med uge {rate.up_to}"


RULES: dict[type, Callable[[ProseContext, Any], list[str]]] = {
    ast.ObligationRule: _obligation,
    ast.RightRule: _right,
    ast.ValueRule: _value,
}
"""The sentences of a rule, by its class (handler: context, rule); :func:`describe_rule`
adds the sentences every rule has."""
