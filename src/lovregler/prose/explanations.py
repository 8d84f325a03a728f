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

from ..syntax import ast
from ..timecalc import INF, iso
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


# ---------------------------------------------------------------- an entry's sentences
# What Obligation, Right and Value (lovregler.results) say about themselves, from their
# numbers: one place for the words, whichever evaluator built the entry.


def trigger_sentence(opening: str, trigger_day: int) -> str:
    """An obligation's first sentence: what started it (note or trigger words), and when.

    >>> trigger_sentence("Forløbet startede", 735659)
    'Forløbet startede 2015-03-02.'
    """
    return f"{opening} {iso(trigger_day)}."


def deadline_sentence(deadline_text: str, due_day: int) -> str:
    """An obligation's second sentence: the deadline, with its arithmetic when it has one.

    >>> deadline_sentence("3 måneder efter", 735659)
    'Fristen er 3 måneder efter: 2015-03-02.'
    >>> deadline_sentence("", 735659)
    'Fristen er 2015-03-02.'
    """
    if deadline_text:
        return f"Fristen er {deadline_text}: {iso(due_day)}."
    return f"Fristen er {iso(due_day)}."


def outcome_sentence(
    count: int,
    met_word: str,
    fulfilled_day: int | None,
    due_day: int,
    as_of_day: int,
    *,
    suspended: bool,
    overdue: bool,
) -> str:
    """An obligation's last sentence: met on time or late, suspended, overdue or pending.

    >>> outcome_sentence(1, "samtale", 735660, 735659, 735700, suspended=False, overdue=False)
    'Samtale 2015-03-03: opfyldt for sent (1 dage efter fristen).'
    >>> outcome_sentence(2, "samtale", None, 735659, 735700, suspended=False, overdue=True)
    'Ingen samtale pr. 2015-04-12: fristen er overskredet.'
    """
    what = f"{count}. {met_word}" if count > 1 else met_word[:1].upper() + met_word[1:]
    if fulfilled_day is not None:
        late = fulfilled_day - due_day
        tail = "opfyldt" if late <= 0 else f"opfyldt for sent ({late} dage efter fristen)"
        return f"{what} {iso(fulfilled_day)}: {tail}."
    if suspended:
        return "Pligten er suspenderet på fristdagen efter reglen."
    state = "fristen er overskredet" if overdue else "afventer"
    return f"Ingen {met_word} pr. {iso(as_of_day)}: {state}."


def right_sentence(note: str, trigger_text: str, start_day: int, until_day: int) -> str:
    """A right's sentence: why it starts (its note, or the event that starts this kind of
    right) and how long it runs.

    >>> right_sentence("", "Udløst af visitation", 735659, INF)
    'Udløst af visitation. Retten gælder fra 2015-03-02 indtil videre.'
    """
    end = "indtil videre" if until_day >= INF else f"til og med {iso(until_day)}"
    reason = f"{note} " if note else ""
    if not reason and trigger_text.startswith("Udløst af "):
        reason = f"{trigger_text}. "
    return f"{reason}Retten gælder fra {iso(start_day)} {end}."


def value_sentence(note: str, value: int, start: str | None, until: str | None) -> str:
    """A value's sentence, »Værdien er V fra A til B.«, after the note when there is one; an
    open run has no »til«.

    >>> value_sentence("", 80, "2016-01-04", None)
    'Værdien er 80 fra 2016-01-04.'
    """
    sentence = f"Værdien er {value} fra {start}" + (f" til {until}." if until else ".")
    return f"{note} {sentence}" if note else sentence
