"""The words of the prose: months, holders and operators, the :class:`ProseContext` that
carries the vocabulary's Danish words, and the small phrases (dates, durations, values).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import attrs

from ..semantics.resolve import Names, bundled_names
from ..semantics.vocabulary import Vocabulary
from ..semantics.vocabulary import from_ast as vocabulary_from_ast
from ..syntax import ast

_D = TypeVar("_D", ast.SetDef, ast.PatternDef, ast.TimelineDef, ast.DateDef)

# ───────────────────────────── words ─────────────────────────────
MONTHS = (
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
)

HOLDERS = {
    "jobcenter": "jobcentret",
    "kommune": "kommunen",
    "borger": "borgeren",
    "arbejdsgiver": "arbejdsgiveren",
    "a_kasse": "a-kassen",
}


Noun = ast.Noun
EventWords = ast.EventWords

OPS = {
    "=": "er",
    "!=": "ikke er",
    "<": "er under",
    "<=": "er højst",
    ">": "er over",
    ">=": "er mindst",
}


# ───────────────────────────── context ─────────────────────────────
@attrs.frozen(kw_only=True)
class ProseContext:
    """What phrases need from around a rule.

    ``names`` resolves the names of the ruleset (over the ruleset it extends) and its
    vocabulary (:mod:`lovregler.semantics`), so prose can spell definitions out and find event
    titles, periods and facts; ``per_citizen`` says whether "the first samtale" means in the
    forløb or ever.
    """

    names: Names = attrs.field(factory=bundled_names)
    per_citizen: bool = False
    trigger_word: str = "udløsningsdagen"
    seen: frozenset[str] = frozenset()

    @classmethod
    def for_ruleset(
        cls,
        ruleset: ast.Ruleset | None = None,
        *,
        base: ast.Ruleset | None = None,
        vocabulary: ast.VocabularyNode | Vocabulary | None = None,
    ) -> ProseContext:
        """A context with the definitions of ``ruleset`` (over those of ``base``) and the words
        of ``vocabulary`` (the bundled one if none is given)."""
        if isinstance(vocabulary, ast.VocabularyNode):
            vocabulary = vocabulary_from_ast(vocabulary)
        return cls(names=Names(ruleset, base, vocabulary or bundled_names().vocabulary))

    def for_rule(self, rule: ast.Rule) -> ProseContext:
        """This context as seen from inside ``rule``.

        In a right, the trigger date is the right's first day; in an obligation, the day the
        obligation is triggered.
        """
        word = "rettens første dag" if isinstance(rule, ast.RightRule) else "udløsningsdagen"
        if isinstance(rule, ast.RightRule) and isinstance(rule.trigger, ast.EachEvent):
            word = "udløsningsdagen"  # the day of the event that triggered the right
        return attrs.evolve(self, per_citizen=rule.per_citizen, trigger_word=word)

    def expanding(self, name: str) -> ProseContext:
        """This context while spelling out definition ``name`` (guards against cycles)."""
        return attrs.evolve(self, seen=self.seen | {name})

    def lookup(self, name: str, kind: type[_D]) -> _D | None:
        """The definition of ``name`` if it is of ``kind`` and not being spelled out already."""
        return None if name in self.seen else self.names.definition(name, kind)

    def event_words(self, name: str) -> ast.EventWords | None:
        """The vocabulary's words for event type ``name`` (``kaldet … handling …``)."""
        event = self.names.event(name)
        return event.words if event is not None else None

    def attribute_words(self, name: str, subject: str | None = None) -> ast.Words | None:
        """The words of ``name`` in a condition on ``subject`` (an event type, or a period,
        whose start event it is): its attribute's, else the fact's, else those of any event
        type's attribute so called (a condition outside an event)."""
        period = self.names.period(subject) if subject is not None else None
        event = self.names.event(period.start if period is not None else subject or "")
        if event is not None and name in event.attrs and event.attrs[name].words is not None:
            return event.attrs[name].words
        fact = self.names.fact(name)
        if fact is not None and fact.words is not None:
            return fact.words
        vocabulary = self.names.vocabulary
        found = (e.attrs[name].words for e in vocabulary.events.values() if name in e.attrs)
        return next((w for w in found if w is not None), None)

    def clauses(self, name: str, subject: str | None = None) -> tuple[str, str] | None:
        """For a true/false attribute or fact: the clauses that say it holds, and not."""
        words = self.attribute_words(name, subject)
        if words is None or words.negated is None:
            return None
        return words.text, words.negated

    def period_words(self, name: str) -> ast.PeriodWords | None:
        """The vocabulary's words for period kind ``name`` (``kaldet … læses …``)."""
        period = self.names.period(name)
        return period.words if period is not None else None

    def value_words(self, value: str) -> str:
        """An enum value (or other identifier) as words: the vocabulary's, else with spaces."""
        return self.names.vocabulary.value_words.get(value, value.replace("_", " "))

    def event_title(self, name: str) -> str | None:
        """The vocabulary's title of event type ``name``."""
        event = self.names.event(name)
        return event.title if event is not None else None

    def is_period(self, name: str) -> bool:
        """Whether ``name`` is a period kind of the vocabulary."""
        return self.names.period(name) is not None

    def is_fact(self, name: str) -> bool:
        """Whether ``name`` is a fact of the vocabulary."""
        return self.names.fact(name) is not None


DEFAULT_CONTEXT = ProseContext()
"""The context of a phrase said outside any ruleset: the bundled vocabulary's words."""


# ───────────────────────────── small phrases ─────────────────────────────
def format_date(d: datetime.date) -> str:
    """A date as Danish legal prose writes it.

    >>> format_date(datetime.date(2014, 4, 1))
    '1. april 2014'
    """
    return f"{d.day}. {MONTHS[d.month - 1]} {d.year}"


def human(name: str, ctx: ProseContext = DEFAULT_CONTEXT) -> str:
    """An identifier as words: a value's words in the vocabulary, else underscores as spaces.

    >>> human("vejledning_opkvalificering"), human("ret_og_pligt")
    ('vejledning og opkvalificering', 'ret og pligt')
    """
    return ctx.value_words(name)


def join_or(words: Iterable[str], conj: str = "eller") -> str:
    """``a, b eller c``."""
    items = list(words)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conj} {items[-1]}"


def duration_phrase(d: ast.Duration) -> str:
    """``3 måneder``, ``2 år og 6 måneder``, ``1 uge``.

    >>> duration_phrase(ast.Duration(months=30, unit_text="2 år 6 måneder"))
    '2 år og 6 måneder'
    """
    parts = _duration_parts(d)
    return join_or(parts, "og")


def _duration_parts(d: ast.Duration) -> list[str]:
    words = d.unit_text.split()
    if words:
        return [f"{words[i]} {words[i + 1]}" for i in range(0, len(words) - 1, 2)]
    parts = []
    years, months = divmod(d.months, 12)
    for n, one, many in (
        (years, "år", "år"),
        (months, "måned", "måneder"),
        (d.days, "dag", "dage"),
    ):
        if n:
            parts.append(f"{n} {one if n == 1 else many}")
    return parts or ["0 dage"]


def length_phrase(
    length: ast.Duration | ast.AttrLength, ctx: ProseContext = DEFAULT_CONTEXT
) -> str:
    """A fixed length (``26 uger``) or one read from the starting event (``varighed_år år``)."""
    if isinstance(length, ast.Duration):
        return duration_phrase(length)
    unit = {"days": "dage", "weeks": "uger", "months": "måneder", "years": "år"}[length.unit]
    words = ctx.attribute_words(length.attr)
    return f"det antal {unit}, som {words.text if words else f'»{length.attr}«'} angiver"


def holder_phrase(holder: str, capital: bool = True) -> str:
    """``Jobcentret``, ``Kommunen``; an unknown holder as written."""
    word = HOLDERS.get(holder, holder.replace("_", " "))
    return _cap(word) if capital else word


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def literal_phrase(lit: ast.Literal, ctx: ProseContext = DEFAULT_CONTEXT) -> str:
    """A literal value in prose: enum values as words, booleans as ja/nej, text in »«."""
    if lit.kind == "bool":
        return "ja" if lit.value else "nej"
    if lit.kind == "text":
        return f"»{lit.value}«"
    if lit.kind == "enum":
        return human(str(lit.value), ctx)
    return str(lit.value)


def value_set_phrase(values: ast.ValueSet, ctx: ProseContext = DEFAULT_CONTEXT) -> str:
    """The members of a set, ``a, b eller c`` (a named set is spelled out)."""
    return VALUE_SETS[type(values)](ctx, values)


def _set_ref(ctx: ProseContext, values: ast.SetRef) -> str:
    found = ctx.lookup(values.name, ast.SetDef)
    if not isinstance(found, ast.SetDef):
        return f"en af værdierne i »{values.name}«"
    return value_set_phrase(found.values, ctx)


def _set_lit(ctx: ProseContext, values: ast.SetLit) -> str:
    return join_or(literal_phrase(v, ctx) for v in values.values)


VALUE_SETS: dict[type, Callable[[ProseContext, Any], str]] = {
    ast.SetRef: _set_ref,
    ast.SetLit: _set_lit,
}
"""A set's members, by its class (handler: context, set)."""
