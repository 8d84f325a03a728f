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
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TypeVar

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
    if isinstance(values, ast.SetRef):
        found = ctx.lookup(values.name, ast.SetDef)
        if not isinstance(found, ast.SetDef):
            return f"en af værdierne i »{values.name}«"
        values = found.values
    if not isinstance(values, ast.SetLit):
        raise TypeError(f"no prose for the set {values!r}")
    return join_or(literal_phrase(v, ctx) for v in values.values)


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
    if isinstance(op, ast.NameRef):
        words = ctx.attribute_words(op.name, subject)
        return words.text if words is not None and words.negated is None else f"»{op.name}«"
    if isinstance(op, ast.AgeAt):
        return f"borgerens alder på {date_phrase(op.date, ctx)}"
    return literal_phrase(op, ctx)


def bool_phrase(
    expr: ast.BoolExpr, ctx: ProseContext = DEFAULT_CONTEXT, *, subject: str | None = None
) -> str:
    """A condition as a Danish subordinate clause (it follows ``hvis``, ``hvor``, ``når``).

    ``subject`` is the event type whose attributes the condition tests, if any.
    """
    if isinstance(expr, ast.BoolNot):
        return _negated(expr.operand, ctx, subject)
    if isinstance(expr, ast.BoolAnd | ast.BoolOr):
        return _junction(expr, ctx, subject)
    return _atom(expr, ctx, subject, negated=False)


def _junction(expr: ast.BoolAnd | ast.BoolOr, ctx: ProseContext, subject: str | None) -> str:
    sides: list[ast.BoolExpr] = _flatten(expr, type(expr))  # type: ignore[assignment]
    texts = [bool_phrase(side, ctx, subject=subject) for side in sides]
    return join_clauses(texts, isinstance(expr, ast.BoolAnd))


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


def _negated(expr: ast.BoolExpr, ctx: ProseContext, subject: str | None) -> str:
    if isinstance(expr, ast.BoolNot):
        return bool_phrase(expr.operand, ctx, subject=subject)
    if isinstance(expr, ast.BoolAnd | ast.BoolOr):
        return f"det ikke gælder, at {bool_phrase(expr, ctx, subject=subject)}"
    return _atom(expr, ctx, subject, negated=True)


def _atom(expr: ast.BoolExpr, ctx: ProseContext, subject: str | None, *, negated: bool) -> str:
    if isinstance(expr, ast.BoolCompare):
        return _compare(expr, ctx, subject, negated)
    if isinstance(expr, ast.BoolIn):
        verb = "ikke er" if expr.negated != negated else "er"
        left = operand_phrase(expr.operand, ctx, subject)
        return f"{left} {verb} {value_set_phrase(expr.values, ctx)}"
    if isinstance(expr, ast.BoolTruthy):
        return _truthy(expr.operand, ctx, subject, negated)
    if isinstance(expr, ast.BoolShorter):
        return _shorter(expr, ctx, subject, negated)
    if isinstance(expr, ast.BoolContinues):
        return _continues(expr, ctx, negated)
    if isinstance(expr, ast.BoolExists):
        return _exists(expr, ctx, negated)
    raise TypeError(f"no prose for condition {type(expr).__name__}")


def _compare(expr: ast.BoolCompare, ctx: ProseContext, subject: str | None, negated: bool) -> str:
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


def _shorter(expr: ast.BoolShorter, ctx: ProseContext, subject: str | None, negated: bool) -> str:
    words = ctx.event_words(subject) if subject is not None else None
    owner = words.subject if words is not None else "perioden"
    verb = "det ikke er vist" if negated else "det er vist"
    # The docstring of BoolShorter: known from an end event on or before the evaluation date.
    return f"{verb}, at {owner} varede kortere end {duration_phrase(expr.duration)}"


def _continues(expr: ast.BoolContinues, ctx: ProseContext, negated: bool) -> str:
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


def _exists(expr: ast.BoolExists, ctx: ProseContext, negated: bool) -> str:
    verb = "der ikke findes" if negated else "der findes"
    np = pattern_phrase(expr.pattern, ctx)
    start, end = date_phrase(expr.start, ctx), date_phrase(expr.end, ctx)
    return f"{verb} {np} fra og med {start} til og med {end}"


# ───────────────────────────── dates ─────────────────────────────
def date_phrase(expr: ast.DateExpr, ctx: ProseContext = DEFAULT_CONTEXT) -> str:
    """A date expression as a noun phrase: ``forløbets start``, ``den første samtale i forløbet``."""
    if isinstance(expr, ast.DateLit):
        return f"den {format_date(expr.value)}"
    if isinstance(expr, ast.CourseStart):
        return "forløbets start"
    if isinstance(expr, ast.CourseEnd):
        return "forløbets sidste dag"
    if isinstance(expr, ast.TriggerDate):
        return ctx.trigger_word
    if isinstance(expr, ast.EventDate):
        return _event_date(expr, ctx)
    if isinstance(expr, ast.DateShift):
        return _shift(expr, ctx)
    if isinstance(expr, ast.EndOfMonth):
        return f"den sidste dag i kalendermåneden for {date_phrase(expr.base, ctx)}"
    if isinstance(expr, ast.Birthday):
        return f"borgerens {expr.years}-årsdag"
    if isinstance(expr, ast.Threshold):
        return threshold_phrase(expr, ctx)
    if isinstance(expr, ast.PeriodStart):
        return (
            f"den første dag i den sammenhængende periode, hvor {timeline_phrase(expr.timeline, ctx)}, "
            f"og som omfatter {day_ref(expr.date, ctx)}"
        )
    if isinstance(expr, ast.DateRef):
        found = ctx.lookup(expr.name, ast.DateDef)
        if isinstance(found, ast.DateDef):
            return date_phrase(found.date, ctx.expanding(expr.name))
        return f"datoen »{expr.name}«"
    raise TypeError(f"no prose for date {type(expr).__name__}")


_BOUNDS = {
    "after": "efter",
    "on_or_after": "på eller efter",
    "before": "før",
    "on_or_before": "på eller før",
}


def _event_date(expr: ast.EventDate, ctx: ProseContext) -> str:
    if expr.bound is not None and expr.bound_date is not None:
        suffix = f" {_BOUNDS[expr.bound]} {date_phrase(expr.bound_date, ctx)}"
        return pattern_phrase(expr.pattern, ctx, form=expr.which, suffix=suffix)
    # Per-forløb rules see only the forløb's events (catalogue §0, Forløb).
    scope = "" if ctx.per_citizen else " i forløbet"
    return pattern_phrase(expr.pattern, ctx, form=expr.which, scope=scope)


def _shift(expr: ast.DateShift, ctx: ProseContext) -> str:
    base = date_phrase(expr.base, ctx)
    d = expr.duration
    if expr.sign < 0 and d.months == 0 and d.days == 1:
        return f"dagen før {base}"
    word = "efter" if expr.sign > 0 else "før"
    return f"{duration_phrase(d)} {word} {base}"


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
    if isinstance(tl, ast.TlAnd | ast.TlOr):
        return _tl_junction(tl, ctx)
    if isinstance(tl, ast.TlNot):
        return _tl_not(tl.timeline, ctx)
    if isinstance(tl, ast.TlName):
        return _tl_name(tl, ctx)
    if isinstance(tl, ast.TlCourse):
        return "borgeren er i forløbet"
    if isinstance(tl, ast.TlAge):
        return _tl_age(tl)
    if isinstance(tl, ast.TlLatest):
        return _tl_latest(tl, ctx)
    if isinstance(tl, ast.TlFact):
        return _tl_fact(tl, ctx)
    return _tl_calendar(tl, ctx)


def _tl_not(inner: ast.Timeline, ctx: ProseContext) -> str:
    # A boolean fact has a natural negative ("borgeren ikke er i job eller uddannelse").
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


def _tl_calendar(tl: ast.Timeline, ctx: ProseContext) -> str:
    if isinstance(tl, ast.TlSince):
        return f"det er {day_ref(tl.date, ctx)} eller senere"
    if isinstance(tl, ast.TlBetween):
        return f"det er i perioden {format_date(tl.start)} til og med {format_date(tl.end)}"
    if isinstance(tl, ast.TlFromDay):
        inner = timeline_phrase(tl.timeline, ctx)
        return f"det er dag {tl.day} eller senere i en sammenhængende periode, hvor {inner}"
    if isinstance(tl, ast.TlAfterLasting):
        inner = timeline_phrase(tl.timeline, ctx)
        return (
            f"der er gået mindst {duration_phrase(tl.duration)}, siden en sammenhængende "
            f"periode, hvor {inner}, begyndte, og perioden stadig løber"
        )
    raise TypeError(f"no prose for timeline {type(tl).__name__}")


def _tl_junction(tl: ast.TlAnd | ast.TlOr, ctx: ProseContext) -> str:
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


def _tl_name(tl: ast.TlName, ctx: ProseContext) -> str:
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


def _tl_age(tl: ast.TlAge) -> str:
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


def _tl_latest(tl: ast.TlLatest, ctx: ProseContext) -> str:
    noun = event_words(tl.event, ctx).noun.ordinal("seneste")
    attr = operand_phrase(ast.NameRef(name=tl.attr), ctx, subject=tl.event)
    if tl.values is not None:
        test = f"{attr} er {value_set_phrase(tl.values, ctx)}"
    else:
        value = literal_phrase(tl.value, ctx) if tl.value is not None else "?"
        test = f"{attr} {OPS.get(tl.op or '=', tl.op or '=')} {value}"
    return f"{test} ifølge {noun} på eller før dagen"


def _tl_fact(tl: ast.TlFact, ctx: ProseContext) -> str:
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


# ───────────────────────────── rules ─────────────────────────────
def describe_rule(rule: ast.Rule, ctx: ProseContext = DEFAULT_CONTEXT) -> str:
    """The Danish prose for a rule: what it computes, in one or a few sentences."""
    ctx = ctx.for_rule(rule)
    if isinstance(rule, ast.ObligationRule):
        sentences = _obligation(rule, ctx)
    elif isinstance(rule, ast.RightRule):
        sentences = _right(rule, ctx)
    else:
        sentences = _value(rule, ctx)
    sentences += _common_tail(rule)
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


def _obligation(rule: ast.ObligationRule, ctx: ProseContext) -> list[str]:
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
    if trigger is None:
        return "forløbets start"
    if isinstance(trigger, ast.EachEvent):
        return pattern_phrase(trigger.pattern, ctx, form="each")
    if isinstance(trigger, ast.AtDate):
        if _is_simple_anchor(trigger.date):
            return date_phrase(trigger.date, ctx)
        return "udløsningsdagen"
    return f"starten af hver periode på {duration_phrase(trigger.length)}"


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


def _right(rule: ast.RightRule, ctx: ProseContext) -> list[str]:
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


def _right_from(trigger: ast.Trigger, ctx: ProseContext) -> str:
    if isinstance(trigger, ast.EachEvent):
        return f"fra {pattern_phrase(trigger.pattern, ctx, form='each')}"
    if isinstance(trigger, ast.AtDate):
        return f"fra {date_phrase(trigger.date, ctx)}"
    length = duration_phrase(trigger.length)
    return f"i hver periode på {length} regnet fra {date_phrase(trigger.anchor, ctx)}"


def _right_span(rule: ast.RightRule, ctx: ProseContext) -> str:
    start = _right_from(rule.right_from, ctx) if rule.right_from else ""
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


def _value(rule: ast.ValueRule, ctx: ProseContext) -> list[str]:
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
