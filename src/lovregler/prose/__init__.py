"""Danish prose from the rule AST: one plain sentence (or a few) per rule.

The docs site puts this prose beside the law text so legal staff can check, rule by rule, that
the rule says what the law says. The prose is therefore generated from exactly the nodes the
evaluator runs — never from the rule's title or notes — and must say what the rule computes:
the deadline, the recurrence, the count window, the condition, the suspension.

>>> from lovregler.syntax.parse import parse_text
>>> m = parse_text('ordning a "A" pligt p "P" frist 1 uge efter forløbets start opfyldes af samtale')
>>> describe_rule(m.rulesets[0].rules[0])
'Jobcentret skal holde en samtale med borgeren senest 1 uge efter forløbets start.'

Entry points: :func:`describe_rule`, :func:`describe_course`, :func:`describe_definition`,
and the phrase builders :func:`date_phrase`, :func:`timeline_phrase`, :func:`bool_phrase`,
:func:`duration_phrase` and :func:`format_date`. A :class:`ProseContext` carries what the
phrases need from around the rule: named sets, patterns, timelines and dates, the vocabulary
(event titles, periods, facts) and whether the rule is per forløb or per borger.

The modules: :mod:`.words` (the context and the small phrases), :mod:`.phrases` (events,
conditions, dates, timelines: one handler per AST class, in a table per kind of node),
:mod:`.sentences` (whole rules), :mod:`.explanations` (the words of an evaluation's
explanations, for both evaluators); this module describes the forløb and the definitions,
re-exports the entry points, and lists the dispatch tables (:data:`DISPATCH`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..syntax import ast
from . import phrases, sentences, words
from .explanations import explained_event
from .phrases import (
    action_phrase,
    bool_phrase,
    date_phrase,
    day_ref,
    event_words,
    join_clauses,
    operand_phrase,
    pattern_phrase,
    threshold_phrase,
    timeline_phrase,
)
from .sentences import (
    CONVENTION_SENTENCES,
    describe_rule,
    tidy,
    transition_sentence,
    validity_phrase,
)
from .words import (
    DEFAULT_CONTEXT,
    HOLDERS,
    MONTHS,
    OPS,
    EventWords,
    Noun,
    ProseContext,
    _cap,
    duration_phrase,
    format_date,
    holder_phrase,
    human,
    join_or,
    length_phrase,
    literal_phrase,
    value_set_phrase,
)


# ───────────────────────────── forløb and definitions ─────────────────────────────
def describe_course(course: ast.Course, ctx: ProseContext = DEFAULT_CONTEXT) -> str:
    """The forløb in prose: the periods the rules of a ruleset apply to."""
    if course.timeline is not None:
        return tidy(
            f"Et forløb er en sammenhængende periode, hvor {timeline_phrase(course.timeline, ctx)}."
        )
    assert course.start is not None
    text = f"Et forløb begynder ved {pattern_phrase(course.start, ctx, form='each')}"
    if course.length is not None:
        text += f" og varer {length_phrase(course.length, ctx)}"
    text += "; det slutter tidligere"
    if course.end is not None:
        text += f" ved {pattern_phrase(course.end, ctx)} (den dag er forløbets sidste)"
        text += " eller"
    return tidy(f"{text} dagen før det næste forløb begynder.")


def describe_definition(definition: ast.Definition, ctx: ProseContext = DEFAULT_CONTEXT) -> str:
    """A named set, pattern, timeline or date in prose."""
    inner = ctx.expanding(definition.name)
    if isinstance(definition, ast.SetDef):
        return value_set_phrase(definition.values, inner) + "."
    if isinstance(definition, ast.PatternDef):
        return _cap(tidy(pattern_phrase(definition.pattern, inner) + "."))
    if isinstance(definition, ast.TimelineDef):
        return tidy(f"De dage, hvor {timeline_phrase(definition.timeline, inner)}.")
    return _cap(tidy(date_phrase(definition.date, inner) + "."))


DISPATCH: Mapping[object, Mapping[type, Callable[..., Any]]] = {
    ast.BoolExpr: phrases.CONDITIONS,
    ast.Operand: phrases.OPERANDS,
    ast.ValueSet: words.VALUE_SETS,
    ast.DateExpr: phrases.DATES,
    ast.Timeline: phrases.TIMELINES,
    ast.Trigger: sentences.TRIGGERS,
    ast.Rule: sentences.RULES,
}
"""Each union of :mod:`lovregler.syntax.ast` → the prose's table for its classes."""


__all__ = [
    "CONVENTION_SENTENCES",
    "DEFAULT_CONTEXT",
    "DISPATCH",
    "EventWords",
    "HOLDERS",
    "MONTHS",
    "Noun",
    "OPS",
    "ProseContext",
    "action_phrase",
    "bool_phrase",
    "date_phrase",
    "day_ref",
    "describe_course",
    "describe_definition",
    "describe_rule",
    "duration_phrase",
    "event_words",
    "explained_event",
    "format_date",
    "holder_phrase",
    "human",
    "join_clauses",
    "join_or",
    "length_phrase",
    "literal_phrase",
    "operand_phrase",
    "pattern_phrase",
    "threshold_phrase",
    "tidy",
    "timeline_phrase",
    "transition_sentence",
    "validity_phrase",
    "value_set_phrase",
]
