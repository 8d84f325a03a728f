"""The passes over a vocabulary (``ordforråd``): duplicates, types, ``påkrævet når``, fact
defaults, periods and the Danish words every declaration must carry.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import attrs

from ..errors import Diagnostic, SourcePos
from ..syntax import ast
from .context import _listing, _suggest, narrow
from .expressions import _KIND_WORDS, _in_range, _show


# ───────────────────────────── vocabulary passes ─────────────────────────────
@attrs.define
class VocabularyContext:
    """What every vocabulary pass reads, and the diagnostics it appends to."""

    node: ast.VocabularyNode
    source: str
    diagnostics: list[Diagnostic] = attrs.Factory(list)

    def error(self, pos: SourcePos, message: str, hint: str | None = None) -> None:
        """Record an error at ``pos``."""
        self.diagnostics.append(Diagnostic(pos, message, hint, "error", self.source))

    def enum_values(self, enum: str | None) -> tuple[str, ...] | None:
        """The values of a declared enum, or None."""
        return next((e.values for e in self.node.enums if e.name == enum), None)


def _duplicates(
    items: Iterable[Any], key: Callable[[Any], str] = lambda item: item.name
) -> Iterator[tuple[Any, Any]]:
    """(later, first) for every item whose ``key`` was seen before."""
    first: dict[str, Any] = {}
    for item in items:
        first.setdefault(key(item), item)
        if first[key(item)] is not item:
            yield item, first[key(item)]


def check_vocabulary_duplicates(ctx: VocabularyContext) -> None:
    """Enums, events, facts, periods and attributes are declared once each."""
    node = ctx.node
    groups: list[tuple[str, Iterable[Any]]] = [
        ("opregningen", node.enums),
        ("hændelsen", node.events),
        ("faktummet", node.facts),
        ("perioden", (*node.periods, *node.lasting_periods)),
        # a period and a fact can both be named as a timeline: one name, one meaning
        ("navnet", (*node.facts, *node.periods)),
    ]
    groups += [(f"{ev.name}: attributten", ev.attrs) for ev in node.events]
    for word, items in groups:
        for later, first in _duplicates(items):
            if word == "navnet" and type(later) is type(first):
                continue  # already reported in its own group
            ctx.error(
                narrow(later.pos, later.name, ctx.source),
                f"{word} '{later.name}' er allerede erklæret (linje {first.pos.line})",
                "giv den et andet navn, eller slet den ene erklæring",
            )
    for enum in node.enums:
        for value in sorted({v for v in enum.values if enum.values.count(v) > 1}):
            pos = narrow(enum.pos, value, ctx.source)
            ctx.error(pos, f"værdien '{value}' står flere gange i opregningen '{enum.name}'")


def check_vocabulary_types(ctx: VocabularyContext) -> None:
    """Every enum an attribute or fact names exists, and every int range has min <= max."""
    refs = [(a.name, a.type) for ev in ctx.node.events for a in ev.attrs]
    refs += [(f.name, f.type) for f in ctx.node.facts]
    enums = [e.name for e in ctx.node.enums]
    for name, ref in refs:
        if ref.kind == "enum" and ctx.enum_values(ref.enum) is None:
            ctx.error(
                ref.pos,
                f"ukendt opregning '{ref.enum}' for '{name}'",
                _suggest(ref.enum or "", enums, "erklær den med »opregning navn: a, b«"),
            )
        low, high = ref.minimum, ref.maximum
        if ref.kind == "int" and low is not None and high is not None and low > high:
            ctx.error(
                ref.pos,
                f"'{name}': mindste værdi {ref.minimum} er større end største værdi {ref.maximum}",
                f"skriv fx heltal {ref.maximum}..{ref.minimum}",
            )


def check_vocabulary_required_when(ctx: VocabularyContext) -> None:
    """``kræves når a = v`` names an enum attribute of the same event and one of its values."""
    for event in ctx.node.events:
        attrs_by_name = {a.name: a for a in event.attrs}
        for attr in event.attrs:
            if attr.required_when is not None:
                _check_required_when(ctx, event, attr, attrs_by_name)


def _check_required_when(
    ctx: VocabularyContext,
    event: ast.EventDeclNode,
    attr: ast.AttrDeclNode,
    attrs_by_name: dict[str, ast.AttrDeclNode],
) -> None:
    other, value = attr.required_when or ("", "")
    target = attrs_by_name.get(other)
    if target is None or target is attr:
        ctx.error(
            narrow(attr.pos, other, ctx.source) if target is None else attr.pos,
            f"»kræves når« nævner '{other}', som ikke er en anden attribut af '{event.name}'",
            _suggest(other, [a for a in attrs_by_name if a != attr.name]),
        )
        return
    values = ctx.enum_values(target.type.enum) if target.type.kind == "enum" else None
    if values is not None and value not in values:
        ctx.error(
            narrow(attr.pos, value, ctx.source),
            f"'{value}' er ikke en mulig værdi af '{other}'",
            _suggest(value, values, f"{other} kan være: {_listing(values)}"),
        )
    elif values is None and target.type.kind == "enum":
        return  # the unknown enum is reported by check_vocabulary_types
    elif values is None:
        ctx.error(attr.pos, f"»kræves når« skal nævne en opregnings-attribut; '{other}' er ikke en")


def check_vocabulary_fact_defaults(ctx: VocabularyContext) -> None:
    """Every fact's default has the fact's type."""
    for fact in ctx.node.facts:
        problem = _literal_problem(fact.type, fact.default, ctx.enum_values(fact.type.enum))
        if problem is not None:
            ctx.error(fact.default.pos, f"standardværdien for '{fact.name}' passer ikke: {problem}")


def _literal_problem(
    ref: ast.TypeRef, lit: ast.Literal, values: tuple[str, ...] | None
) -> str | None:
    if ref.kind == "enum":
        if values is None:
            return None  # unknown enum: reported once, by check_vocabulary_types
        if lit.kind != "enum" or lit.value not in values:
            return f"{_show(lit)} er ikke en værdi af {ref.enum} ({_listing(values)})"
        return None
    if lit.kind != ref.kind:
        return f"{_show(lit)} er {_KIND_WORDS[lit.kind]}, men typen er {_KIND_WORDS[ref.kind]}"
    if ref.kind == "int" and not _in_range(lit.value, ref.minimum, ref.maximum):
        return f"{lit.value} ligger uden for {ref.minimum}..{ref.maximum}"
    return None


def check_vocabulary_periods(ctx: VocabularyContext) -> None:
    """A period's start and end events exist, and its key is an enum attribute of both."""
    events = {e.name: e for e in ctx.node.events}
    for period in ctx.node.periods:
        for role, name in (("start", period.start), ("slut", period.end)):
            if name not in events:
                ctx.error(
                    narrow(period.pos, name, ctx.source),
                    f"perioden '{period.name}' har ukendt {role}hændelse '{name}'",
                    _suggest(name, events, f"hændelserne er: {_listing(events)}"),
                )
        if period.key is not None:
            _check_period_key(ctx, period, events)


def _check_period_key(
    ctx: VocabularyContext, period: ast.PeriodDeclNode, events: dict[str, ast.EventDeclNode]
) -> None:
    key = period.key or ""
    pos = narrow(period.pos, key, ctx.source)
    start = events.get(period.start)
    if start is not None:
        attr = _start_attr(ctx, start, key, pos, label="nøglen ")
        if attr is not None and attr.type.kind != "enum":
            ctx.error(
                pos, f"nøglen '{key}' skal være en opregning, ikke {_KIND_WORDS[attr.type.kind]}"
            )
    end = events.get(period.end)
    if end is not None and all(a.name != key for a in end.attrs):
        ctx.error(
            pos,
            f"nøglen '{key}' er ikke en attribut af sluthændelsen '{period.end}'",
            "sluthændelsen skal sige, hvilken periode den slutter",
        )


def check_vocabulary_lasting_periods(ctx: VocabularyContext) -> None:
    """A lasting period's start event exists, its condition names an enum attribute of it and
    one of that enum's values, and its length is an int attribute of it."""
    events = {e.name: e for e in ctx.node.events}
    for period in ctx.node.lasting_periods:
        start = events.get(period.start)
        if start is None:
            ctx.error(
                narrow(period.pos, period.start, ctx.source),
                f"perioden '{period.name}' har ukendt starthændelse '{period.start}'",
                _suggest(period.start, events, f"hændelserne er: {_listing(events)}"),
            )
            continue
        if period.condition is not None:
            _check_lasting_condition(ctx, period.condition, start)
        _check_lasting_length(ctx, period.length, start)


def _start_attr(
    ctx: VocabularyContext,
    start: ast.EventDeclNode,
    name: str,
    pos: SourcePos,
    label: str = "",
) -> ast.AttrDeclNode | None:
    """The start event's attribute ``name``, or None after reporting it unknown at ``pos``
    (the message names it after ``label``, e.g. »nøglen «)."""
    attr = next((a for a in start.attrs if a.name == name), None)
    if attr is None:
        ctx.error(
            pos,
            f"{label}'{name}' er ikke en attribut af starthændelsen '{start.name}'",
            _suggest(name, [a.name for a in start.attrs]),
        )
    return attr


def _check_lasting_condition(
    ctx: VocabularyContext, condition: ast.AttrEquals, start: ast.EventDeclNode
) -> None:
    attr = _start_attr(ctx, start, condition.attr, condition.pos)
    if attr is None:
        return
    if attr.type.kind != "enum":
        kind = _KIND_WORDS[attr.type.kind]
        ctx.error(
            condition.pos, f"betingelsen på '{attr.name}' skal gælde en opregning, ikke {kind}"
        )
        return
    values = ctx.enum_values(attr.type.enum) or ()
    if condition.value not in values:
        ctx.error(
            condition.value_pos,
            f"ukendt værdi '{condition.value}' for '{attr.name}'",
            _suggest(condition.value, values, f"værdierne er: {_listing(values)}"),
        )


def _check_lasting_length(
    ctx: VocabularyContext, length: ast.AttrLength, start: ast.EventDeclNode
) -> None:
    attr = _start_attr(ctx, start, length.attr, length.pos)
    if attr is not None and attr.type.kind != "int":
        ctx.error(
            length.pos,
            f"længden '{attr.name}' skal være et heltal, ikke {_KIND_WORDS[attr.type.kind]}",
            "perioden varer så mange år (måneder, uger, dage), som attributten siger",
        )


# ── the Danish words (kaldet, handling, læses): prose, timelines and the site read them ──
_EVENT_WORDS_HINT = (
    'skriv efter titlen fx kaldet "en samtale" / "samtaler" handling "holde {np} med borgeren"'
)


def check_vocabulary_words(ctx: VocabularyContext) -> None:
    """Every event type, attribute, fact and period carries its Danish words, and every enum
    value whose name is not a word (it has a ``_``) carries its own; nouns have an article."""
    for event in ctx.node.events:
        _check_event_words(ctx, event)
        for attr in event.attrs:
            _check_words(ctx, attr.name, attr.type, attr.words, attr.pos, "attributten")
    for fact in ctx.node.facts:
        _check_words(ctx, fact.name, fact.type, fact.words, fact.pos, "faktummet")
    periods: list[ast.PeriodDeclNode | ast.LastingPeriodDeclNode] = [*ctx.node.periods]
    for period in [*periods, *ctx.node.lasting_periods]:
        _check_period_words(ctx, period)
    for enum in ctx.node.enums:
        worded = {value for value, _ in enum.words}
        for value in enum.values:
            if "_" in value and value not in worded:
                ctx.error(
                    narrow(enum.pos, value, ctx.source),
                    f"værdien '{value}' mangler sine danske ord",
                    f'skriv fx {value} "{value.replace("_", " ")}"',
                )


def _check_event_words(ctx: VocabularyContext, event: ast.EventDeclNode) -> None:
    if event.words is None:
        ctx.error(
            narrow(event.pos, event.name, ctx.source),
            f"hændelsen '{event.name}' mangler sine danske ord",
            _EVENT_WORDS_HINT,
        )
        return
    for noun in {event.words.noun, event.words.object}:
        _check_noun(ctx, noun)
    if re.search(r"\{(?!np\})", event.words.action):
        ctx.error(
            event.words.pos,
            f"handlingen for '{event.name}' må kun have {{np}} i krøllede parenteser",
            "{np} står for det, handlingen gælder (med antal), fx »holde {np} med borgeren«",
        )


def _check_noun(ctx: VocabularyContext, noun: ast.Noun) -> None:
    if noun.article not in ("en", "et") or " " not in noun.written:
        ctx.error(
            noun.pos,
            f"»{noun.written}« skal skrives med sin artikel, »en« eller »et«",
            'fx "en samtale" / "samtaler" eller "et tilbud" / "tilbud"',
        )


def _check_words(
    ctx: VocabularyContext,
    name: str,
    type_ref: ast.TypeRef,
    words: ast.Words | None,
    pos: SourcePos,
    word: str,
) -> None:
    boolean = type_ref.kind == "bool"
    if words is None:
        example = '"borgeren er ansat" / "borgeren ikke er ansat"' if boolean else '"ydelsen"'
        ctx.error(
            narrow(pos, name, ctx.source),
            f"{word} '{name}' mangler sine danske ord",
            f"skriv fx kaldet {example}",
        )
    elif boolean and words.negated is None:
        ctx.error(
            words.pos,
            f"{word} '{name}' er sand/falsk: skriv både, hvad det siger, og det modsatte",
            'fx kaldet "borgeren er ansat" / "borgeren ikke er ansat"',
        )
    elif not boolean and words.negated is not None:
        ctx.error(words.pos, f"{word} '{name}' er ikke sand/falsk og har kun én form")


def _check_period_words(
    ctx: VocabularyContext, period: ast.PeriodDeclNode | ast.LastingPeriodDeclNode
) -> None:
    words = period.words
    key = period.key if isinstance(period, ast.PeriodDeclNode) else None
    if words is None:
        ctx.error(
            narrow(period.pos, period.name, ctx.source),
            f"perioden '{period.name}' mangler sine danske ord",
            'skriv fx kaldet "en sygeperiode" / "sygeperioder" læses "borgeren er sygemeldt"',
        )
        return
    _check_noun(ctx, words.noun)
    if key is not None and (words.reads_keyed is None or "{key}" not in words.reads_keyed):
        ctx.error(
            words.pos,
            f"perioden '{period.name}' har en nøgle: læses skal have en form med {{key}} først",
            'fx læses "borgeren modtager {key}" / "borgeren modtager en ydelse"',
        )
    elif key is None and (words.reads_keyed is not None or "{key}" in words.reads):
        ctx.error(
            words.pos,
            f"perioden '{period.name}' har ingen nøgle: læses har én form, uden {{key}}",
        )


VOCABULARY_PASSES: tuple[Callable[[VocabularyContext], None], ...] = (
    check_vocabulary_duplicates,
    check_vocabulary_types,
    check_vocabulary_required_when,
    check_vocabulary_fact_defaults,
    check_vocabulary_periods,
    check_vocabulary_lasting_periods,
    check_vocabulary_words,
)
"""The vocabulary passes, in the order :func:`check_vocabulary` runs them."""


def check_vocabulary(
    node: ast.VocabularyNode,
    source: str,
    passes: Iterable[Callable[[VocabularyContext], None]] = VOCABULARY_PASSES,
) -> list[Diagnostic]:
    """All problems of an ``ordforråd`` declaration, sorted by position.

    >>> from lovregler.syntax.parse import parse_text
    >>> m = parse_text('ordforråd o "O" hændelse samtale "s" { form: samtaleform }')
    >>> [d.message for d in check_vocabulary(m.vocabularies[0], m.source)]
    ["hændelsen 'samtale' mangler sine danske ord", "attributten 'form' mangler sine danske ord", "ukendt opregning 'samtaleform' for 'form'"]
    """
    ctx = VocabularyContext(node, source)
    for check in passes:
        check(ctx)
    return _sorted(ctx.diagnostics)


def _sorted(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    return sorted(diagnostics, key=lambda d: (d.pos.file, d.pos.line, d.pos.column))
