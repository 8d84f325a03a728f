"""The Danish words of an evaluation's explanations, in one place for both evaluators.

An obligation's explanation (``Obligation.explanation`` in :mod:`lovregler.results`) opens
with a *note* when the instance has a story of its own — the previous link of a chain, a
count period, a declared transition, a threshold passed before its version — and else with
the rule's *trigger words*, found once per rule at compile time (:func:`trigger_words`).
The compiled runtime and the reference interpreter take the same texts from here, so the
two cannot drift apart; the notes are constants or built only for an instance that needs
one, never per evaluation.
"""

from __future__ import annotations

from ..results import iso
from ..syntax import ast
from .phrases import _resolve_pattern, bool_phrase
from .sentences import tidy
from .words import DEFAULT_CONTEXT, ProseContext, human

PREVIOUS_MET = "Forrige opfyldelse"
"""The note of a chain's link triggered by the event that met the previous link."""

PREVIOUS_DUE_SUSPENDED = "Forrige frist (suspenderet)"
"""The note of a chain's link triggered by the due date of a suspended previous link."""

TAKEN_OVER = "Tærsklen var allerede passeret, da versionen trådte i kraft"
"""The note of an instance a new version took over: its threshold was passed before the
version came into force (catalogue C5, thresholds across a version change)."""


def course_note(course_start: int, transition_day: int, citation: str) -> str:
    """The opening of an explanation for an instance of a declared transition: the forløb's
    real start, then the day it is treated as begun (the caller appends the trigger date).

    >>> course_note(734869, 735234, "Lov nr. 1 § 9")
    'Forløbet begyndte 2013-01-01 og løb, da reglen trådte i kraft 2014-01-01; efter overgangsreglen (Lov nr. 1 § 9) regnes det som begyndt'
    """
    return (
        f"Forløbet begyndte {iso(course_start)} og løb, da reglen trådte i kraft "
        f"{iso(transition_day)}; efter overgangsreglen ({citation}) regnes det som begyndt"
    )


def window_note(k: int, anchor: str | None, transition: str = "") -> str:
    """The opening of an explanation for count period ``k`` (1-based) counted from ``anchor``
    (ISO text; e.g. the forløb's real start; after ``transition``, the day it is treated as
    begun). The caller turns the anchor into text once for all its periods.

    >>> window_note(3, "2013-05-01")
    'Periode 3 regnet fra 2013-05-01 begyndte'
    """
    if transition:
        return f"{transition} {anchor}. Periode {k} regnet derfra begyndte"
    return f"Periode {k} regnet fra {anchor} begyndte"


def explained_event(pattern: ast.Pattern, ctx: ProseContext = DEFAULT_CONTEXT) -> str:
    """An event pattern as an explanation names it: the event in Danish, then the condition
    that qualifies it, in parentheses (a named pattern spelled out).

    >>> explained_event(ast.Pattern(name="samtale"))
    'samtale'
    """
    resolved, inner = _resolve_pattern(pattern, ctx)
    words = ctx.event_words(resolved.name)
    if words is not None:
        noun = words.noun.singular
    else:
        noun = ctx.event_title(resolved.name) or human(resolved.name, ctx)
    if resolved.where is None:
        return noun
    return f"{noun} (hvor {tidy(bool_phrase(resolved.where, inner, subject=resolved.name))})"


def trigger_words(trigger: ast.Trigger | None, ctx: ProseContext = DEFAULT_CONTEXT) -> str:
    """The opening words of an explanation for an instance's trigger.

    >>> trigger_words(ast.AtDate(date=ast.CourseStart()))
    'Forløbet startede'
    """
    if isinstance(trigger, ast.EachEvent):
        return f"Udløst af {explained_event(trigger.pattern, ctx)}"
    if isinstance(trigger, ast.CountWindows):
        return f"Periode på {trigger.length.unit_text} begyndte"
    if isinstance(trigger, ast.AtDate):
        date = trigger.date
        if isinstance(date, ast.CourseStart):
            return "Forløbet startede"
        if isinstance(date, ast.EventDate):
            word = "Første" if date.which == "first" else "Seneste"
            return f"{word} {explained_event(date.pattern, ctx)}"
        if isinstance(date, ast.Threshold):
            return "Tærsklen blev nået"
    return "Udløst"


def deadline_words(deadline: ast.Deadline | None, trigger: ast.Trigger | None) -> str:
    """How an explanation names a deadline's arithmetic (``Fristen er 3 måneder efter: …``);
    empty when the deadline is a date of its own.

    >>> deadline_words(ast.Deadline(after=ast.Duration(months=3, unit_text="3 måneder")), None)
    '3 måneder efter'
    """
    if deadline is not None and deadline.after is not None:
        text = f"{deadline.after.unit_text} efter"
        if deadline.convention == "hverdag":
            text += " (flyttet til næste hverdag)"
        return text
    if isinstance(trigger, ast.CountWindows):
        return "periodens sidste dag"
    return ""
