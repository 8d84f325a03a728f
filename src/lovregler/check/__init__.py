"""Check a parsed rule file against the vocabulary: every mistake of a file in one run.

The checker reads the AST of :mod:`lovregler.syntax.ast` and the :class:`~lovregler.semantics.vocabulary.Vocabulary`
and returns a list of :class:`~lovregler.errors.Diagnostic` — it never raises on a bad rule
file, so an editor or ``lovregler check`` can show all problems at once. Each pass is a small
plain function that appends to a shared :class:`CheckContext`; the two entry points run them in
the order of :data:`VOCABULARY_PASSES` and :data:`RULESET_PASSES`.

Names are resolved by :mod:`lovregler.semantics` (a :class:`~lovregler.semantics.Names` in the
context), the one resolver the compiler, the interpreter and the prose use too; the checker
reports the names that resolve to nothing or to the wrong kind of thing.
"""

from __future__ import annotations

import datetime
import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import attrs

from ..errors import Diagnostic, SourcePos, did_you_mean, source_lines
from ..semantics.resolve import Names, find_definition
from ..semantics.vocabulary import AttrType, EventType, PeriodDecl, Vocabulary
from ..syntax import ast

HOLDERS = ("jobcenter", "kommune")
"""Who can hold an obligation (``ansvarlig``)."""

# Danish words for the kinds of definition, used in messages ("mængden 'x' bruges ikke").
_DEF_WORDS: dict[type, tuple[str, str]] = {
    ast.SetDef: ("mængde", "mængden"),
    ast.PatternDef: ("mønster", "mønstret"),
    ast.TimelineDef: ("tidslinje", "tidslinjen"),
    ast.DateDef: ("dato", "datoen"),
}


# ───────────────────────────── walking the AST ─────────────────────────────
def walk(node: object) -> Iterator[Any]:
    """Every AST node in ``node`` (itself first), depth first, in field order.

    >>> [type(n).__name__ for n in walk(ast.BoolNot(operand=ast.BoolShorter(duration=ast.Duration(days=3))))]
    ['BoolNot', 'BoolShorter', 'Duration']
    """
    yield node
    for child in _children(node):
        yield from walk(child)


def _children(node: object) -> Iterator[object]:
    cls = type(node)
    if not attrs.has(cls):
        return
    for field in attrs.fields(cls):
        if field.name != "pos":
            yield from _nodes_in(getattr(node, field.name))


def _nodes_in(value: object) -> Iterator[object]:
    if isinstance(value, tuple):
        for item in value:
            yield from _nodes_in(item)
    elif attrs.has(type(value)) and not isinstance(value, SourcePos):
        yield value


def all_rules(ruleset: ast.Ruleset | None) -> Iterator[ast.Rule]:
    """The rules of a ruleset: its ruleset-level rules, then each version's, in source order."""
    if ruleset is None:
        return
    yield from ruleset.rules
    for version in ruleset.versions:
        yield from version.rules


# ───────────────────────────── context ─────────────────────────────
@attrs.define
class CheckContext:
    """What every ruleset pass reads, and the diagnostics it appends to.

    ``used`` collects the names of definitions referenced so far (for the unused-definition
    warnings of the last pass).
    """

    ruleset: ast.Ruleset
    vocab: Vocabulary
    base: ast.Ruleset | None
    imports: tuple[str, ...]
    source: str
    diagnostics: list[Diagnostic] = attrs.Factory(list)
    used: set[str] = attrs.Factory(set)
    features: dict[str, frozenset[str]] = attrs.Factory(dict)
    names: Names = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self.names = Names(self.ruleset, self.base, self.vocab)

    def error(self, pos: SourcePos, message: str, hint: str | None = None) -> None:
        """Record an error at ``pos``."""
        self.diagnostics.append(Diagnostic(pos, message, hint, "error", self.source))

    def warning(self, pos: SourcePos, message: str, hint: str | None = None) -> None:
        """Record a warning at ``pos``."""
        self.diagnostics.append(Diagnostic(pos, message, hint, "warning", self.source))

    def at(self, pos: SourcePos, word: str) -> SourcePos:
        """``pos`` narrowed to ``word`` (see :func:`narrow`): nodes span whole clauses, but
        the caret should sit under the offending name only."""
        return narrow(pos, word, self.source)

    def has_course(self) -> bool:
        """Whether the ruleset (or its base) defines a forløb."""
        return self.ruleset.course is not None or (
            self.base is not None and self.base.course is not None
        )


def narrow(pos: SourcePos, word: str, source: str) -> SourcePos:
    """``pos`` narrowed to the first whole ``word`` in its span, at or after its column.

    >>> narrow(SourcePos("f", 1, 1), "samtle", "opfyldes af samtle")
    SourcePos(file='f', line=1, column=13, end_line=1, end_column=19)
    """
    lines = _lines(source)
    pattern = re.compile(rf"(?<!\w){re.escape(word)}(?!\w)")
    # a clause may span lines (a rule, a ruleset head): look through the node's whole span
    for line in range(max(pos.line, 1), min(max(pos.end_line, pos.line), len(lines)) + 1):
        text = lines[line - 1]
        start = max(pos.column - 1, 0) if line == pos.line else 0
        for found in pattern.finditer(text, start):
            # a title may hold the same word; the name is the one outside quotes
            if text[: found.start()].count('"') % 2 == 0:
                return SourcePos(pos.file, line, found.start() + 1, line, found.end() + 1)
    return pos


@functools.lru_cache(maxsize=8)
def _lines(source: str) -> tuple[str, ...]:
    # carets are placed for every rule and expectation: split each file once, not per message
    return tuple(source_lines(source))


def _suggest(word: str, candidates: Iterable[str], fallback: str | None = None) -> str | None:
    match = did_you_mean(word, candidates)
    return f"mente du '{match}'?" if match else fallback


def _listing(values: Iterable[str]) -> str:
    return ", ".join(values)


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
        ("perioden", node.periods),
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
        attr = next((a for a in start.attrs if a.name == key), None)
        if attr is None:
            ctx.error(
                pos,
                f"nøglen '{key}' er ikke en attribut af starthændelsen '{period.start}'",
                _suggest(key, [a.name for a in start.attrs]),
            )
        elif attr.type.kind != "enum":
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
    for period in ctx.node.periods:
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


def _check_period_words(ctx: VocabularyContext, period: ast.PeriodDeclNode) -> None:
    words = period.words
    if words is None:
        ctx.error(
            narrow(period.pos, period.name, ctx.source),
            f"perioden '{period.name}' mangler sine danske ord",
            'skriv fx kaldet "en sygeperiode" / "sygeperioder" læses "borgeren er sygemeldt"',
        )
        return
    _check_noun(ctx, words.noun)
    if period.key is not None and (words.reads_keyed is None or "{key}" not in words.reads_keyed):
        ctx.error(
            words.pos,
            f"perioden '{period.name}' har en nøgle: læses skal have en form med {{key}} først",
            'fx læses "borgeren modtager {key}" / "borgeren modtager en ydelse"',
        )
    elif period.key is None and (words.reads_keyed is not None or "{key}" in words.reads):
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


# ───────────────────────────── values and types ─────────────────────────────
_KIND_WORDS = {"enum": "et navn", "int": "et tal", "bool": "sand/falsk", "text": "en tekst"}


def _show(lit: ast.Literal) -> str:
    if lit.kind == "bool":
        return "sand" if lit.value else "falsk"
    if lit.kind == "text":
        return f'"{lit.value}"'
    return f"'{lit.value}'" if lit.kind == "enum" else str(lit.value)


def _in_range(value: object, low: int | None, high: int | None) -> bool:
    number = value if isinstance(value, int) else 0
    return (low is None or number >= low) and (high is None or number <= high)


def _check_value(
    ctx: CheckContext, name: str, atype: AttrType, lit: ast.Literal, via: ast.SetRef | None = None
) -> None:
    """A literal compared with (or assigned to) attribute or fact ``name`` fits its type.

    ``via``: the literal comes from a named set; report at the reference, not in the set.
    """
    pos = via.pos if via is not None else lit.pos
    prefix = f"mængden '{via.name}': " if via is not None else ""
    if lit.kind != atype.kind:
        ctx.error(
            pos,
            f"{prefix}{name} er {atype.describe()}, men {_show(lit)} er {_KIND_WORDS[lit.kind]}",
            _type_hint(ctx, name, atype),
        )
    elif atype.kind == "enum":
        values = ctx.vocab.enums.get(atype.enum or "", ())
        if lit.value not in values:
            ctx.error(
                pos,
                f"{prefix}{_show(lit)} er ikke en mulig værdi af {name}",
                _suggest(str(lit.value), values, f"{name} kan være: {_listing(values)}"),
            )
    elif atype.kind == "int" and not _in_range(lit.value, atype.minimum, atype.maximum):
        ctx.error(pos, f"{prefix}{name} er {atype.describe()}, ikke {lit.value}", atype.limit_text)


def _type_hint(ctx: CheckContext, name: str, atype: AttrType) -> str:
    if atype.kind == "enum":
        return f"{name} kan være: {_listing(ctx.vocab.enums.get(atype.enum or '', ()))}"
    if atype.kind == "int":
        return f"skriv et tal, fx {name} = {atype.minimum if atype.minimum is not None else 1}"
    if atype.kind == "bool":
        return f"skriv {name} = sand eller {name} = falsk"
    return "skriv teksten i anførselstegn"


def _check_op(ctx: CheckContext, name: str, atype: AttrType, op: str, pos: SourcePos) -> None:
    if op not in ("=", "!=") and atype.kind != "int":
        ctx.error(
            pos,
            f"'{op}' kan kun bruges på tal; {name} er {atype.describe()}",
            "brug = eller !=, eller »i {…}« for flere værdier",
        )


# ───────────────────────────── expressions ─────────────────────────────
_UNKNOWN_EVENT = "\0"  # an event type already reported unknown: don't report its attributes


@attrs.frozen
class Scope:
    """Where an expression stands: the event its conditions talk about, and what is allowed.

    ``no_course`` / ``no_trigger``: why ``forløbet`` / ``udløsningsdagen`` cannot be used here
    (None when they can).
    """

    event: str | None = None
    no_course: str | None = None
    no_trigger: str | None = None


_TRIGGER_ONLY = "udløsningsdagen kan kun bruges i en frist eller en betingelse (hvis)"


def _visit(ctx: CheckContext, node: object, scope: Scope) -> None:
    handler = _HANDLERS.get(type(node))
    if handler is not None:
        handler(ctx, node, scope)
    else:
        _visit_children(ctx, node, scope)


def _visit_children(ctx: CheckContext, node: object, scope: Scope) -> None:
    for child in _children(node):
        _visit(ctx, child, scope)


def _pattern(ctx: CheckContext, node: ast.Pattern, scope: Scope) -> None:
    definition = ctx.names.definition(node.name, ast.PatternDef)
    if definition is not None:
        _use_definition(ctx, node.name, node.pos, scope)
        event = ctx.names.pattern(node.name).event
        event = event if event in ctx.vocab.events else _UNKNOWN_EVENT
    elif node.name in ctx.vocab.events:
        event = node.name
    else:
        event = _UNKNOWN_EVENT
        candidates = [*ctx.vocab.events, *_def_names(ctx, ast.PatternDef)]
        ctx.error(
            ctx.at(node.pos, node.name),
            f"ukendt hændelsestype '{node.name}'",
            _suggest(
                node.name, candidates, f"hændelsestyperne står i ordforrådet '{ctx.vocab.name}'"
            ),
        )
    if node.where is not None:
        _visit(ctx, node.where, attrs.evolve(scope, event=event))


def _def_names(ctx: CheckContext, kind: type) -> list[str]:
    owners = [ctx.ruleset, ctx.base] if ctx.base else [ctx.ruleset]
    return [d.name for owner in owners for d in owner.definitions if isinstance(d, kind)]


def _name_type(ctx: CheckContext, ref: ast.NameRef, scope: Scope) -> AttrType | None:
    """The type of an attribute of the scope's event, else of a fact; None if unknown."""
    event = ctx.vocab.events.get(scope.event or "")
    if event is not None and ref.name in event.attrs:
        return event.attrs[ref.name].type
    if ref.name in ctx.vocab.facts:
        return ctx.vocab.facts[ref.name].type
    if scope.event == _UNKNOWN_EVENT:
        return None
    if event is not None:
        ctx.error(
            ref.pos,
            f"hændelsen '{event.name}' har ingen attribut '{ref.name}', og intet faktum hedder sådan",
            _suggest(ref.name, [*event.attrs, *ctx.vocab.facts], _attr_listing(event)),
        )
    else:
        ctx.error(
            ref.pos,
            f"ukendt faktum '{ref.name}'",
            _suggest(ref.name, ctx.vocab.facts, f"fakta: {_listing(ctx.vocab.facts)}"),
        )
    return None


def _attr_listing(event: EventType) -> str:
    if not event.attrs:
        return f"'{event.name}' har ingen attributter"
    return f"'{event.name}' har attributterne: {_listing(event.attrs)}"


def _operand_type(ctx: CheckContext, operand: ast.Operand, scope: Scope) -> AttrType | None:
    if isinstance(operand, ast.NameRef):
        return _name_type(ctx, operand, scope)
    if isinstance(operand, ast.AgeAt):
        _visit(ctx, operand.date, scope)
        return AttrType("int")
    return None


def _operand_name(operand: ast.Operand) -> str:
    return operand.name if isinstance(operand, ast.NameRef) else "alderen"


def _bool_compare(ctx: CheckContext, node: ast.BoolCompare, scope: Scope) -> None:
    left, right = node.left, node.right
    if isinstance(left, ast.Literal) and isinstance(right, ast.Literal):
        ctx.error(
            node.pos,
            "en sammenligning skal have en attribut, et faktum eller en alder på den ene side",
            f"skriv navnet først, fx {right.value} {node.op} {_show(left)}",
        )
        return
    typed, other = (left, right) if isinstance(right, ast.Literal) else (right, left)
    atype = _operand_type(ctx, typed, scope)
    if isinstance(other, ast.Literal):
        if atype is not None:
            _check_op(ctx, _operand_name(typed), atype, node.op, node.pos)
            _check_value(ctx, _operand_name(typed), atype, other)
        return
    other_type = _operand_type(ctx, other, scope)
    if atype is not None and other_type is not None and atype.kind != other_type.kind:
        ctx.error(
            node.pos, f"{_operand_name(left)} og {_operand_name(right)} har forskellige typer"
        )


def _bool_in(ctx: CheckContext, node: ast.BoolIn, scope: Scope) -> None:
    atype = _operand_type(ctx, node.operand, scope)
    if isinstance(node.operand, ast.Literal):
        ctx.error(node.pos, "»i {…}« skal stå efter en attribut eller et faktum")
    _check_set(ctx, _operand_name(node.operand), atype, node.values, scope)


def _check_set(
    ctx: CheckContext, name: str, atype: AttrType | None, values: ast.ValueSet, scope: Scope
) -> None:
    via = values if isinstance(values, ast.SetRef) else None
    if isinstance(values, ast.SetRef):
        definition = ctx.names.definition(values.name, ast.SetDef)
        if definition is None:
            ctx.error(
                values.pos,
                f"ukendt mængde '{values.name}'",
                _suggest(
                    values.name,
                    _def_names(ctx, ast.SetDef),
                    "definér den med »mængde navn = {a, b}«",
                ),
            )
            return
        ctx.used.add(values.name)
        values = definition.values
    for lit in values.values:
        if atype is not None:
            _check_value(ctx, name, atype, lit, via)


def _bool_truthy(ctx: CheckContext, node: ast.BoolTruthy, scope: Scope) -> None:
    atype = _operand_type(ctx, node.operand, scope)
    if isinstance(node.operand, ast.Literal) or (atype is not None and atype.kind != "bool"):
        what = (
            _operand_name(node.operand)
            if not isinstance(node.operand, ast.Literal)
            else _show(node.operand)
        )
        ctx.error(
            node.pos,
            f"{what} er ikke sand/falsk og kan ikke stå alene som betingelse",
            "sammenlign den med en værdi, fx navn = værdi",
        )


def _bool_shorter(ctx: CheckContext, node: ast.BoolShorter, scope: Scope) -> None:
    if scope.event == _UNKNOWN_EVENT:
        return
    if scope.event is None or ctx.vocab.period_for_event(scope.event) is None:
        what = f"'{scope.event}' gør ikke" if scope.event else "her er ingen hændelse"
        periods = ", ".join(f"{p.start}/{p.end}" for p in ctx.vocab.periods.values())
        ctx.error(
            node.pos,
            f"»kortere end« kræver en hændelse, der starter eller slutter en periode; {what}",
            f"brug det på en af: {periods}",
        )


def _check_period_ref(
    ctx: CheckContext,
    period: PeriodDecl,
    key: str | None,
    where: ast.BoolExpr | None,
    pos: SourcePos,
    scope: Scope,
) -> None:
    """A period named with a key and a condition on its start event's attributes."""
    if key is not None:
        values = _period_key_values(ctx, period)
        if values is None:
            ctx.error(
                ctx.at(pos, key),
                f"perioden '{period.name}' har ingen nøgle, så '{key}' kan ikke angives",
                f"skriv bare '{period.name}', evt. med en betingelse i {{…}}",
            )
        elif key not in values:
            ctx.error(
                ctx.at(pos, key),
                f"'{key}' er ikke en mulig værdi af {period.key}",
                _suggest(key, values, f"{period.key} kan være: {_listing(values)}"),
            )
    if where is not None:
        _visit(ctx, where, attrs.evolve(scope, event=period.start))


def _period_key_values(ctx: CheckContext, period: PeriodDecl) -> tuple[str, ...] | None:
    start = ctx.vocab.events.get(period.start)
    if period.key is None or start is None or period.key not in start.attrs:
        return None
    return ctx.vocab.enums.get(start.attrs[period.key].type.enum or "", ())


def _bool_continues(ctx: CheckContext, node: ast.BoolContinues, scope: Scope) -> None:
    period = ctx.vocab.periods.get(node.period)
    if period is None:
        ctx.error(
            ctx.at(node.pos, node.period),
            f"ukendt periode '{node.period}'",
            _suggest(
                node.period, ctx.vocab.periods, f"perioderne er: {_listing(ctx.vocab.periods)}"
            ),
        )
        if node.where is not None:
            _visit(ctx, node.where, attrs.evolve(scope, event=_UNKNOWN_EVENT))
    else:
        _check_period_ref(ctx, period, node.key, node.where, node.pos, scope)
    _visit(ctx, node.date, scope)


def _use_definition(ctx: CheckContext, name: str, pos: SourcePos, scope: Scope) -> None:
    """Mark a definition used, and check it may be used where it stands."""
    ctx.used.add(name)
    features = ctx.features.get(name, frozenset())
    if "trigger" in features and scope.no_trigger:
        ctx.error(ctx.at(pos, name), f"'{name}' bruger udløsningsdagen; {scope.no_trigger}")
    if "course" in features and scope.no_course:
        ctx.error(ctx.at(pos, name), f"'{name}' bruger forløbet; {scope.no_course}")


def _date_ref(ctx: CheckContext, node: ast.DateRef, scope: Scope) -> None:
    if ctx.names.definition(node.name, ast.DateDef) is None:
        ctx.error(
            node.pos,
            f"ukendt dato '{node.name}'",
            _suggest(node.name, _def_names(ctx, ast.DateDef), "definér den med »dato navn = …«"),
        )
    else:
        _use_definition(ctx, node.name, node.pos, scope)


def _course_ref(
    ctx: CheckContext, node: ast.CourseStart | ast.CourseEnd | ast.TlCourse, scope: Scope
) -> None:
    word = {ast.CourseStart: "forløbets start", ast.CourseEnd: "forløbets slut"}.get(
        type(node), "forløbet"
    )
    pos = node.pos
    if scope.no_course:
        ctx.error(pos, f"»{word}« kan ikke bruges her: {scope.no_course}")
    elif not ctx.has_course():
        ctx.error(
            pos,
            f"ordningen har intet forløb, så »{word}« kan ikke bruges",
            "tilføj »forløb når …« eller »forløb fra …«, eller skriv reglen »per borger« uden forløbet",
        )


def _trigger_date(ctx: CheckContext, node: ast.TriggerDate, scope: Scope) -> None:
    if scope.no_trigger:
        ctx.error(
            node.pos, scope.no_trigger, "skriv fx »frist udgangen af måneden for udløsningsdagen«"
        )


def _require_length(ctx: CheckContext, duration: object, what: str) -> None:
    """A length that must be positive (a zero repeat or window would never move on)."""
    if isinstance(duration, ast.Duration) and duration.months == 0 and duration.days == 0:
        ctx.error(duration.pos, f"{what} kan ikke være 0", "skriv fx »3 måneder« eller »14 dage«")


def _count_windows(ctx: CheckContext, node: ast.CountWindows, scope: Scope) -> None:
    _require_length(ctx, node.length, "en periode")
    _visit(ctx, node.anchor, scope)


def _threshold(ctx: CheckContext, node: ast.Threshold, scope: Scope) -> None:
    _require_length(ctx, node.amount, "den akkumulerede tid")
    _require_length(ctx, node.window, "vinduet")
    if node.amount.months > 0:
        # contract §3.7: an accumulated amount needs a fixed length; a month has none
        ctx.error(
            node.amount.pos,
            f"»{node.amount.unit_text}« kan ikke bruges som akkumuleret tid: "
            "måneder og år har ingen fast længde",
            "skriv tiden i dage eller uger, fx »365 dage« for 12 måneder",
        )
    _visit_children(ctx, node, scope)


def _tl_name(ctx: CheckContext, node: ast.TlName, scope: Scope) -> None:
    kind = ctx.names.timeline(node.name).kind
    if kind == "period":
        _check_period_ref(ctx, ctx.vocab.periods[node.name], node.key, node.where, node.pos, scope)
        return
    if kind is None:
        candidates = [*_def_names(ctx, ast.TimelineDef), *ctx.vocab.periods, *ctx.vocab.facts]
        ctx.error(
            ctx.at(node.pos, node.name),
            f"ukendt tidslinje, periode eller faktum '{node.name}'",
            _suggest(node.name, candidates, f"perioderne er: {_listing(ctx.vocab.periods)}"),
        )
    elif kind == "timeline":
        _use_definition(ctx, node.name, node.pos, scope)
    elif ctx.vocab.facts[node.name].type.kind != "bool":
        ctx.error(
            ctx.at(node.pos, node.name),
            f"faktummet '{node.name}' er ikke sand/falsk og kan ikke stå alene",
            f"sammenlign det med en værdi, fx {node.name} = …",
        )
    if kind is not None and (node.key is not None or node.where is not None):
        ctx.error(
            node.pos,
            f"'{node.name}' er ikke en periode og kan ikke have en nøgle eller en betingelse",
        )


def _tl_fact(ctx: CheckContext, node: ast.TlFact, scope: Scope) -> None:
    fact = ctx.vocab.facts.get(node.fact)
    if fact is None:
        hint = _suggest(node.fact, ctx.vocab.facts, f"fakta: {_listing(ctx.vocab.facts)}")
        if node.fact in ctx.vocab.periods:
            hint = f"en periode skrives uden sammenligning, fx »{node.fact} <værdi>«"
        ctx.error(ctx.at(node.pos, node.fact), f"ukendt faktum '{node.fact}'", hint)
        return
    _check_test(ctx, node.fact, fact.type, node.op, node.value, node.values, node.pos, scope)


def _check_test(
    ctx: CheckContext,
    name: str,
    atype: AttrType,
    op: str | None,
    value: ast.Literal | None,
    values: ast.ValueSet | None,
    pos: SourcePos,
    scope: Scope,
) -> None:
    if op is not None and value is not None:
        _check_op(ctx, name, atype, op, pos)
        _check_value(ctx, name, atype, value)
    if values is not None:
        _check_set(ctx, name, atype, values, scope)


def _tl_latest(ctx: CheckContext, node: ast.TlLatest, scope: Scope) -> None:
    event = ctx.vocab.events.get(node.event)
    if event is None:
        ctx.error(
            ctx.at(node.pos, node.event),
            f"ukendt hændelsestype '{node.event}'",
            _suggest(node.event, ctx.vocab.events),
        )
    elif node.attr not in event.attrs:
        ctx.error(
            ctx.at(node.pos, node.attr),
            f"hændelsen '{node.event}' har ingen attribut '{node.attr}'",
            _suggest(node.attr, event.attrs, _attr_listing(event)),
        )
    else:
        atype = event.attrs[node.attr].type
        _check_test(ctx, node.attr, atype, node.op, node.value, node.values, node.pos, scope)


def _tl_between(ctx: CheckContext, node: ast.TlBetween, scope: Scope) -> None:
    if node.start > node.end:
        ctx.error(node.pos, f"perioden {node.start}..{node.end} slutter før den begynder")


def _tl_from_day(ctx: CheckContext, node: ast.TlFromDay, scope: Scope) -> None:
    if node.day < 1:
        ctx.error(node.pos, "dagene tælles fra 1", "skriv fx »fra dag 31«")
    _visit(ctx, node.timeline, scope)


def _deadline(ctx: CheckContext, node: ast.Deadline, scope: Scope) -> None:
    _visit_children(ctx, node, attrs.evolve(scope, no_trigger=None))


_HANDLERS: dict[type, Callable[[CheckContext, Any, Scope], None]] = {
    ast.Pattern: _pattern,
    ast.BoolCompare: _bool_compare,
    ast.BoolIn: _bool_in,
    ast.BoolTruthy: _bool_truthy,
    ast.BoolShorter: _bool_shorter,
    ast.BoolContinues: _bool_continues,
    ast.DateRef: _date_ref,
    ast.CourseStart: _course_ref,
    ast.CourseEnd: _course_ref,
    ast.TlCourse: _course_ref,
    ast.TriggerDate: _trigger_date,
    ast.Threshold: _threshold,
    ast.TlName: _tl_name,
    ast.TlFact: _tl_fact,
    ast.TlLatest: _tl_latest,
    ast.TlBetween: _tl_between,
    ast.TlFromDay: _tl_from_day,
    ast.Deadline: _deadline,
    ast.CountWindows: _count_windows,
}


# The expression and rule nodes the checker has no handler for: it visits their children
# (an »og«, a date shift) and has nothing to say about the node itself; an operand or a set
# is checked by the handler of the condition it stands in (_bool_compare, _bool_in); a rule
# by the rule passes (_check_rule_shape). Every node class is here or in _HANDLERS.
VISITED_THROUGH: tuple[type, ...] = (
    ast.EachEvent,
    ast.AtDate,
    ast.NameRef,
    ast.Literal,
    ast.AgeAt,
    ast.SetRef,
    ast.BoolAnd,
    ast.BoolOr,
    ast.BoolNot,
    ast.BoolExists,
    ast.DateLit,
    ast.DateShift,
    ast.EndOfMonth,
    ast.Birthday,
    ast.EventDate,
    ast.PeriodStart,
    ast.SetLit,
    ast.TlAnd,
    ast.TlOr,
    ast.TlNot,
    ast.TlSince,
    ast.TlAge,
    ast.TlAfterLasting,
    ast.ObligationRule,
    ast.RightRule,
    ast.ValueRule,
)


# ───────────────────────────── definition graph ─────────────────────────────
_REF_KINDS: dict[type, type] = {
    ast.DateRef: ast.DateDef,
    ast.TlName: ast.TimelineDef,
    ast.Pattern: ast.PatternDef,
    ast.SetRef: ast.SetDef,
}


def definition_references(
    node: object, ruleset: ast.Ruleset, base: ast.Ruleset | None
) -> Iterator[ast.Definition]:
    """The definitions ``node`` refers to directly (dates, timelines, patterns, sets)."""
    for inner in walk(node):
        kind = _REF_KINDS.get(type(inner))
        if kind is not None:
            found = find_definition(inner.name, kind, ruleset, base)
            if found is not None:
                yield found


def _definition_body(definition: ast.Definition) -> object:
    if isinstance(definition, ast.SetDef):
        return definition.values
    if isinstance(definition, ast.PatternDef):
        return definition.pattern
    if isinstance(definition, ast.TimelineDef):
        return definition.timeline
    return definition.date


def _direct_features(node: object) -> set[str]:
    found = set()
    for inner in walk(node):
        if isinstance(inner, ast.CourseStart | ast.CourseEnd | ast.TlCourse):
            found.add("course")
        elif isinstance(inner, ast.TriggerDate):
            found.add("trigger")
    return found


def definition_features(
    ruleset: ast.Ruleset, base: ast.Ruleset | None
) -> dict[str, frozenset[str]]:
    """For each definition, whether it uses the forløb (``"course"``) or the trigger date
    (``"trigger"``), directly or through other definitions. Safe on cycles."""
    result: dict[str, frozenset[str]] = {}
    for owner in (base, ruleset):
        for definition in owner.definitions if owner else ():
            found: set[str] = set()
            stack: list[ast.Definition] = [definition]
            seen: set[int] = set()
            while stack:
                current = stack.pop()
                if id(current) not in seen:
                    seen.add(id(current))
                    body = _definition_body(current)
                    found |= _direct_features(body)
                    stack.extend(definition_references(body, ruleset, base))
            result[definition.name] = frozenset(found)
    return result


def check_cycles(ctx: CheckContext) -> None:
    """No definition depends on itself, directly or through others (reported once per cycle)."""
    reported: set[frozenset[str]] = set()
    for definition in ctx.ruleset.definitions:
        cycle = _cycle_from(ctx, definition)
        if cycle is not None and frozenset(cycle) not in reported:
            reported.add(frozenset(cycle))
            word = _DEF_WORDS[type(definition)][1]
            path = " → ".join([*cycle, cycle[0]])
            ctx.error(
                ctx.at(definition.pos, definition.name),
                f"{word} '{definition.name}' afhænger af sig selv: {path}",
                "en definition kan ikke bygge på sig selv; bryd kredsen",
            )


def _cycle_from(ctx: CheckContext, start: ast.Definition) -> list[str] | None:
    """The names on a path from ``start`` back to itself, or None (depth-first search)."""
    stack: list[tuple[ast.Definition, list[str]]] = [(start, [start.name])]
    seen: set[int] = set()
    while stack:
        current, path = stack.pop()
        for nxt in definition_references(_definition_body(current), ctx.ruleset, ctx.base):
            if nxt is start:
                return path
            if id(nxt) not in seen:
                seen.add(id(nxt))
                stack.append((nxt, [*path, nxt.name]))
    return None


# ───────────────────────────── ruleset passes ─────────────────────────────
def check_import(ctx: CheckContext) -> None:
    """The file imports the vocabulary the ruleset is checked against."""
    if ctx.vocab.name not in ctx.imports:
        ctx.error(
            ctx.at(ctx.ruleset.pos, ctx.ruleset.name),
            f"ordningen '{ctx.ruleset.name}' importerer ikke ordforrådet '{ctx.vocab.name}'",
            f"skriv »importer {ctx.vocab.name}« øverst i filen",
        )


def check_duplicate_definitions(ctx: CheckContext) -> None:
    """Definitions have distinct names, and do not hide a base definition or a vocabulary name."""
    for later, first in _duplicates(ctx.ruleset.definitions):
        ctx.error(
            ctx.at(later.pos, later.name),
            f"'{later.name}' er allerede defineret (linje {first.pos.line})",
            "giv den et andet navn, eller slet den ene definition",
        )
    for definition in ctx.ruleset.definitions:
        clash = _clash(ctx, definition)
        if clash is not None:
            ctx.error(
                ctx.at(definition.pos, definition.name),
                f"'{definition.name}' findes allerede {clash}",
                "giv definitionen et andet navn",
            )


def _clash(ctx: CheckContext, definition: ast.Definition) -> str | None:
    if ctx.base is not None and any(d.name == definition.name for d in ctx.base.definitions):
        return f"i grundordningen '{ctx.base.name}'"
    if isinstance(definition, ast.PatternDef) and definition.name in ctx.vocab.events:
        return "som hændelsestype i ordforrådet"
    if isinstance(definition, ast.TimelineDef) and (
        definition.name in ctx.vocab.periods or definition.name in ctx.vocab.facts
    ):
        return "som periode eller faktum i ordforrådet"
    return None


def check_duplicate_rules(ctx: CheckContext) -> None:
    """Rule ids are unique within each version; ruleset-level rules count in every version."""
    groups: list[tuple[str | None, tuple[ast.Rule, ...]]] = [
        (v.name, (*ctx.ruleset.rules, *v.rules)) for v in ctx.ruleset.versions
    ]
    groups = groups or [(None, ctx.ruleset.rules)]
    reported: set[int] = set()
    for version, rules in groups:
        for later, first in _duplicates(rules, key=lambda rule: rule.id):
            if id(later) not in reported:
                reported.add(id(later))
                where = f"i version {version}" if version else "i ordningen"
                ctx.error(
                    ctx.at(later.pos, later.id),
                    f"reglen '{later.id}' findes allerede {where} (linje {first.pos.line})",
                    "giv reglen et andet id, eller slet den ene",
                )


def check_extends(ctx: CheckContext) -> None:
    """The ruleset named after ``udvider`` exists and is another ruleset."""
    extends, name = ctx.ruleset.extends, ctx.ruleset.name
    if extends == name:
        ctx.error(ctx.at(ctx.ruleset.pos, name), f"ordningen '{name}' udvider sig selv")
    elif extends is not None and (ctx.base is None or ctx.base.name != extends):
        ctx.error(ctx.at(ctx.ruleset.pos, extends), f"grundordningen '{extends}' findes ikke")


def check_overrides(ctx: CheckContext) -> None:
    """An extension says ``erstatter`` exactly on the rules that replace a base rule."""
    base_ids = sorted({r.id for r in all_rules(ctx.base)})
    for rule in all_rules(ctx.ruleset):
        if rule.id in base_ids and not rule.overrides:
            ctx.error(
                ctx.at(rule.pos, rule.id),
                f"reglen '{rule.id}' findes allerede i '{ctx.base.name if ctx.base else ''}'",
                "skriv »erstatter« i reglen, hvis den skal afløse grundordningens regel, "
                "eller giv den et andet id",
            )
        elif rule.overrides and rule.id not in base_ids:
            ctx.error(
                ctx.at(rule.pos, rule.id),
                f"reglen '{rule.id}' erstatter intet: {_no_base_rule(ctx, rule)}",
                _suggest(rule.id, base_ids, "slet »erstatter«"),
            )


def _no_base_rule(ctx: CheckContext, rule: ast.Rule) -> str:
    if ctx.base is None:
        return "ordningen udvider ingen anden"
    return f"'{ctx.base.name}' har ingen regel '{rule.id}'"


def check_versions(ctx: CheckContext) -> None:
    """Versions have distinct names, follow each other without overlap or gap, and lie within
    the ruleset's validity; every validity starts before it ends."""
    for later, first in _duplicates(ctx.ruleset.versions):
        ctx.error(
            ctx.at(later.pos, later.name),
            f"version '{later.name}' findes allerede (linje {first.pos.line})",
        )
    validities = [ctx.ruleset.validity, *(v.validity for v in ctx.ruleset.versions)]
    validities += [r.validity for r in all_rules(ctx.ruleset)]
    for validity in validities:
        if validity and validity.start and validity.end and validity.start > validity.end:
            ctx.error(
                validity.pos,
                f"perioden slutter ({validity.end}) før den begynder ({validity.start})",
            )
    ordered = sorted(ctx.ruleset.versions, key=lambda v: v.validity.start or datetime.date.min)
    for earlier, later in zip(ordered, ordered[1:], strict=False):
        _check_succession(ctx, earlier, later)
    for version in ctx.ruleset.versions:
        _check_within(ctx, version)
        _check_base_version(ctx, version)


def _check_base_version(ctx: CheckContext, version: ast.Version) -> None:
    # an extension's version adds rules to the base version of the same name; there is no other
    names = [v.name for v in ctx.base.versions] if ctx.base else []
    if ctx.base is not None and version.name not in names:
        ctx.error(
            ctx.at(version.pos, version.name),
            f"grundordningen '{ctx.base.name}' har ingen version '{version.name}'",
            _suggest(version.name, names, f"versionerne er: {_listing(names) or 'ingen'}"),
        )


def _check_succession(ctx: CheckContext, earlier: ast.Version, later: ast.Version) -> None:
    end, start = earlier.validity.end, later.validity.start
    pos = ctx.at(later.pos, later.name)
    if end is None or start is None or start <= end:
        until = f"til {end}" if end else "uden slutdato"
        ctx.error(
            pos,
            f"version {later.name} (fra {start or 'altid'}) overlapper version {earlier.name} ({until})",
            _succession_hint(earlier, later),
        )
    elif start - end > datetime.timedelta(days=1):
        ctx.error(
            pos,
            f"der er et hul mellem version {earlier.name} (til {end}) og version {later.name} (fra {start})",
            _succession_hint(earlier, later),
        )


def _succession_hint(earlier: ast.Version, later: ast.Version) -> str:
    if earlier.validity.end is None:
        return f"giv version {earlier.name} en slutdato: »til« dagen før {later.name} begynder"
    day_after = earlier.validity.end + datetime.timedelta(days=1)
    return f"lad version {later.name} begynde {day_after}, dagen efter {earlier.name} slutter"


def _check_within(ctx: CheckContext, version: ast.Version) -> None:
    outer = ctx.ruleset.validity
    if outer is None:
        return
    start, end = version.validity.start, version.validity.end
    early = outer.start is not None and (start is None or start < outer.start)
    late = outer.end is not None and (end is None or end > outer.end)
    if early or late:
        span = f"{outer.start or '…'} til {outer.end or '…'}"
        ctx.error(
            ctx.at(version.pos, version.name),
            f"version {version.name} ligger uden for ordningens gyldighed ({span})",
            "ret versionens »gælder« eller ordningens",
        )


def check_definitions(ctx: CheckContext) -> None:
    """The bodies of sets, patterns, timelines and dates name only things that exist."""
    # udløsningsdagen and forløbet are checked where a definition is used (ctx.features)
    scope = Scope()
    for definition in ctx.ruleset.definitions:
        if isinstance(definition, ast.SetDef):
            _check_set_literal(ctx, definition)
        else:
            _visit(ctx, _definition_body(definition), scope)


def _check_set_literal(ctx: CheckContext, definition: ast.SetDef) -> None:
    kinds = {lit.kind for lit in definition.values.values}
    if len(kinds) > 1:
        ctx.error(
            definition.values.pos, f"mængden '{definition.name}' blander forskellige slags værdier"
        )


def check_course(ctx: CheckContext) -> None:
    """The forløb names existing periods, events and attributes, and not itself."""
    course = ctx.ruleset.course
    if course is None:
        return
    scope = Scope(no_course="forløbet kan ikke defineres ud fra sig selv", no_trigger=_TRIGGER_ONLY)
    _visit_children(ctx, course, scope)
    _require_length(ctx, course.length, "forløbets længde")
    if isinstance(course.length, ast.AttrLength) and course.start is not None:
        _check_length_attr(ctx, course.length, course.start)


def _check_length_attr(ctx: CheckContext, length: ast.AttrLength, start: ast.Pattern) -> None:
    event_name = ctx.names.pattern(start).event
    event = ctx.vocab.events.get(event_name)
    if event is None:
        return  # reported by the pattern check
    attr = event.attrs.get(length.attr)
    if attr is None:
        ctx.error(
            ctx.at(length.pos, length.attr),
            f"hændelsen '{event_name}' har ingen attribut '{length.attr}'",
            _suggest(length.attr, event.attrs, _attr_listing(event)),
        )
    elif attr.type.kind != "int":
        ctx.error(
            ctx.at(length.pos, length.attr),
            f"'{length.attr}' er {attr.type.describe()}, ikke et tal",
        )


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


def check_examples(ctx: CheckContext) -> None:
    """Example histories use known events, attributes, values and facts, and expect known rules."""
    rules = {r.id: r for r in (*all_rules(ctx.base), *all_rules(ctx.ruleset))}
    for example in ctx.ruleset.examples:
        for name, lit in example.facts:
            _check_example_fact(ctx, example, name, lit)
        for event in example.events:
            _check_example_event(ctx, event)
        for expectation in example.expectations:
            for item in expectation.items:
                _check_expect(ctx, item, rules)


def _check_example_fact(
    ctx: CheckContext, example: ast.Example, name: str, lit: ast.Literal
) -> None:
    fact = ctx.vocab.facts.get(name)
    if fact is None:
        ctx.error(
            _back_to(ctx, lit.pos, name) or example.pos,
            f"ukendt faktum '{name}'",
            _suggest(name, ctx.vocab.facts, f"fakta: {_listing(ctx.vocab.facts)}"),
        )
    else:
        _check_value(ctx, name, fact.type, lit)


def _back_to(ctx: CheckContext, pos: SourcePos, word: str) -> SourcePos | None:
    """The last whole ``word`` on ``pos``'s line before its column (the name of ``name=value``)."""
    lines = _lines(ctx.source)
    if not 0 < pos.line <= len(lines):
        return None
    found = list(
        re.finditer(rf"(?<!\w){re.escape(word)}(?!\w)", lines[pos.line - 1][: pos.column - 1])
    )
    if not found:
        return None
    return SourcePos(pos.file, pos.line, found[-1].start() + 1, pos.line, found[-1].end() + 1)


def _check_example_event(ctx: CheckContext, event: ast.ExampleEvent) -> None:
    declared = ctx.vocab.events.get(event.type)
    if declared is None:
        ctx.error(
            ctx.at(event.pos, event.type),
            f"ukendt hændelsestype '{event.type}'",
            _suggest(
                event.type,
                ctx.vocab.events,
                f"hændelsestyperne står i ordforrådet '{ctx.vocab.name}'",
            ),
        )
        return
    for name, lit in event.attrs:
        if name not in declared.attrs:
            ctx.error(
                _back_to(ctx, lit.pos, name) or event.pos,
                f"hændelsen '{event.type}' har ingen attribut '{name}'",
                _suggest(name, declared.attrs, _attr_listing(declared)),
            )
        else:
            _check_value(ctx, name, declared.attrs[name].type, lit)
    _check_required_attrs(ctx, event, declared)


def _check_required_attrs(ctx: CheckContext, event: ast.ExampleEvent, declared: EventType) -> None:
    given = {name: lit.value for name, lit in event.attrs}
    for attr in declared.attrs.values():
        if attr.required_when is not None:
            other, value = attr.required_when
            required = given.get(other) == value
        else:
            required = not attr.optional
        if required and attr.name not in given:
            ctx.error(
                ctx.at(event.pos, event.type),
                f"hændelsen '{event.type}' mangler attributten '{attr.name}'",
                f"skriv fx {attr.name}=… efter {event.type}",
            )
        elif attr.required_when is not None and not required and attr.name in given:
            other, value = attr.required_when
            ctx.error(
                ctx.at(event.pos, attr.name), f"'{attr.name}' må kun angives, når {other}={value}"
            )


_FULFILLED = ("fulfilled", "fulfilled_late")


def _check_expect(ctx: CheckContext, item: ast.Expect, rules: dict[str, ast.Rule]) -> None:
    pos = ctx.at(item.pos, item.rule)
    rule = rules.get(item.rule)
    if rule is None:
        ctx.error(
            pos,
            f"eksemplet forventer en ukendt regel '{item.rule}'",
            _suggest(item.rule, rules, "skriv id'et på en regel i ordningen"),
        )
    elif item.kind != "none" and rule.kind != item.kind:
        ctx.error(
            pos,
            f"'{item.rule}' er en {_RULE_NOUNS[rule.kind]}, men forventes som en {_RULE_NOUNS[item.kind]}",
        )
    if item.kind == "obligation" and (item.status in _FULFILLED) != (item.fulfilled_on is not None):
        if item.fulfilled_on is None:
            ctx.error(
                pos,
                "en opfyldt pligt skal have datoen, den blev opfyldt",
                "skriv fx »opfyldt 2015-03-06 frist 2015-03-09«",
            )
        else:
            ctx.error(pos, "kun en opfyldt pligt har en opfyldelsesdato", "slet datoen før »frist«")


def check_unused(ctx: CheckContext) -> None:
    """Definitions that nothing uses are warnings: probably a typo or a leftover."""
    for definition in ctx.ruleset.definitions:
        if definition.name not in ctx.used:
            word = _DEF_WORDS[type(definition)][1]
            ctx.warning(
                ctx.at(definition.pos, definition.name),
                f"{word} '{definition.name}' bruges ikke",
                "slet definitionen, eller brug den i en regel",
            )


def _documented(ruleset: ast.Ruleset) -> Iterator[ast.Docs]:
    """The documentation blocks of a ruleset: its head, each version's and each rule's."""
    yield ruleset.docs
    for version in ruleset.versions:
        yield version.docs
    for rule in all_rules(ruleset):
        yield rule.docs


def check_sources(ctx: CheckContext) -> None:
    """The law behind the rules: every rule names its hjemmel, and every lovtekst is either a
    quote with the address it was quoted from (``kilde``) or marked as a paraphrase.

    Warnings, not errors: a draft may lack them; ``lovregler check --strict`` (and ``make
    test`` for the bundled rulesets) treats them as errors.
    """
    for rule in all_rules(ctx.ruleset):
        if rule.docs.citation is None:
            ctx.warning(
                ctx.at(rule.pos, rule.id),
                f"reglen '{rule.id}' har ingen hjemmel",
                'skriv »hjemmel "…"« med den paragraf, reglen bygger på, og »kilde "https://…"« '
                "med adressen, hvor loven kan læses",
            )
    for docs in _documented(ctx.ruleset):
        for source in docs.sources:
            if not source.address.strip():
                ctx.error(
                    source.pos,
                    "kilden er tom",
                    "skriv adressen på den side, loven er citeret fra, fx "
                    '»kilde "https://www.retsinformation.dk/eli/lta/2015/994"«',
                )
        for excerpt in docs.excerpts:
            if excerpt.source is None and not excerpt.paraphrase:
                ctx.warning(
                    excerpt.pos,
                    "lovteksten har ingen kilde",
                    'skriv »kilde "https://…"« med adressen, teksten er citeret fra, eller '
                    'markér den som omskrevet: »lovtekst (omskrevet) "…"«',
                )


def check_example_titles(ctx: CheckContext) -> None:
    """A ruleset has examples (``lovregler test`` has nothing to try without them), and each
    has its own title (a failure names its example by title). A ruleset with errors cannot be
    tested anyway: there the missing examples would only hide the errors."""
    has_errors = any(d.severity == "error" for d in ctx.diagnostics)
    if not ctx.ruleset.examples and not has_errors:
        ctx.warning(
            ctx.at(ctx.ruleset.pos, ctx.ruleset.name),
            f"ordningen '{ctx.ruleset.name}' har ingen eksempler",
            "tilføj et »eksempel« med en historik og »pr. DATO forventes«, "
            "så »lovregler test« kan prøve reglerne",
        )
    for later, first in _duplicates(ctx.ruleset.examples, key=lambda example: example.title):
        ctx.warning(
            _title_pos(ctx, later.pos, later.title),
            f'eksemplet "{later.title}" har samme titel som eksemplet på linje {first.pos.line}',
            "giv eksemplet sin egen titel, så en fejl peger på det rigtige eksempel",
        )


def _title_pos(ctx: CheckContext, pos: SourcePos, title: str) -> SourcePos:
    """The span of ``"title"`` on the first line of ``pos`` (the node's own line if not found)."""
    lines = _lines(ctx.source)
    text = lines[pos.line - 1] if 0 < pos.line <= len(lines) else ""
    start = text.find(f'"{title}"', max(pos.column - 1, 0))
    if start < 0:
        return pos
    return SourcePos(pos.file, pos.line, start + 1, pos.line, start + len(title) + 3)


def check_version_indentation(ctx: CheckContext) -> None:
    """A rule written no further in than its ``version`` line still belongs to that version
    (layout is free): say so, for the author probably meant it to stand on its own."""
    for version in ctx.ruleset.versions:
        for rule in version.rules:
            if rule.pos.column <= version.pos.column:
                ctx.warning(
                    ctx.at(rule.pos, rule.id),
                    f"reglen '{rule.id}' står ikke indrykket, men hører til version "
                    f"{version.name} (linje {version.pos.line})",
                    f"indryk reglen under version {version.name}; skal den gælde i alle "
                    "versioner, så flyt den op før den første version",
                )


RULESET_PASSES: tuple[Callable[[CheckContext], None], ...] = (
    check_import,
    check_duplicate_definitions,
    check_cycles,
    check_duplicate_rules,
    check_extends,
    check_overrides,
    check_versions,
    check_definitions,
    check_course,
    check_rules,
    check_transitions,
    check_examples,
    check_sources,
    check_example_titles,
    check_version_indentation,
    check_unused,
)
"""The ruleset passes, in the order :func:`check_ruleset` runs them (unused comes last: it
reads what the others marked as used)."""


def check_ruleset(
    ruleset: ast.Ruleset,
    vocabulary: Vocabulary,
    *,
    base: ast.Ruleset | None,
    imports: tuple[str, ...],
    source: str,
    passes: Iterable[Callable[[CheckContext], None]] = RULESET_PASSES,
) -> list[Diagnostic]:
    """All problems of a ruleset, sorted by position; ``base`` is the ruleset it extends.

    ``passes`` are the passes to run (all of :data:`RULESET_PASSES` unless a caller, such as
    a unit test of one pass, wants fewer).

    >>> from lovregler.syntax.parse import parse_text
    >>> from lovregler.semantics.vocabulary import from_ast
    >>> vocab = from_ast(parse_text('ordforråd o "O" hændelse samtale "s"').vocabularies[0])
    >>> m = parse_text('importer o  ordning a "A"  pligt p "P" frist 1 uge efter første samtle '
    ...                'opfyldes af samtale hjemmel "Lov § 1"')
    >>> for d in check_ruleset(m.rulesets[0], vocab, base=None, imports=m.imports, source=m.source):
    ...     print(d.message, "-", d.hint)
    ukendt hændelsestype 'samtle' - mente du 'samtale'?
    """
    base = None if base is ruleset else base  # »udvider sig selv« is reported, not followed
    ctx = CheckContext(ruleset, vocabulary, base, imports, source)
    try:
        ctx.features = definition_features(ruleset, base)
        for check in passes:
            check(ctx)
    except RecursionError:
        # the passes recurse over expressions; an absurdly deep one must not become a traceback
        ctx.error(
            ruleset.pos,
            "ordningen indeholder et udtryk, der er for dybt indlejret",
            "del udtrykket op i navngivne tidslinjer, datoer eller mønstre",
        )
    return _sorted(ctx.diagnostics)


def check_imports(module: ast.Module, available: Iterable[str]) -> list[Diagnostic]:
    """Every ``importer NAME`` names a rule file that exists (``available``: the names of the
    ``.lov`` files beside the file and the bundled ones).

    >>> from lovregler.syntax.parse import parse_text
    >>> m = parse_text("importer ordforraad", "f.lov")
    >>> [(str(d.pos), d.message, d.hint) for d in check_imports(m, ["ordforråd", "fleksjob"])]
    [('f.lov:1:10', "der findes ingen regelfil 'ordforraad.lov'", "mente du 'ordforråd'?")]
    """
    names = sorted(set(available))
    found = []
    for match in re.finditer(r"(?m)^[ \t]*(?:importer|import)[ \t]+([^\W\d]\w*)", module.source):
        name = unicodedata.normalize("NFC", match.group(1))
        if name not in names:
            line = module.source.count("\n", 0, match.start(1)) + 1
            column = match.start(1) - module.source.rfind("\n", 0, match.start(1))
            pos = SourcePos(module.file, line, column, line, column + len(match.group(1)))
            hint = _suggest(name, names, f"filerne er: {_listing(names) or 'ingen'}")
            message = f"der findes ingen regelfil '{name}.lov'"
            found.append(Diagnostic(pos, message, hint, "error", module.source))
    return found


def check_ruleset_names(modules: Iterable[ast.Module]) -> list[Diagnostic]:
    """An ``ordning`` defined in more than one place (another file, or twice in one file): a
    warning at each later definition, for only one of them can be loaded by its name."""
    first: dict[str, ast.Ruleset] = {}
    found = []
    for module in modules:
        for ruleset in module.rulesets:
            earlier = first.setdefault(ruleset.name, ruleset)
            if earlier is not ruleset:
                found.append(
                    Diagnostic(
                        narrow(ruleset.pos, ruleset.name, module.source),
                        f"ordningen '{ruleset.name}' er også defineret i "
                        f"{earlier.pos.file}:{earlier.pos.line}",
                        "giv den ene ordning et andet navn",
                        "warning",
                        module.source,
                    )
                )
    return found


def check_module(
    module: ast.Module,
    vocabulary: Vocabulary | None,
    find_base: Callable[[str], ast.Ruleset | None] = lambda name: None,
    available: Iterable[str] | None = None,
) -> list[Diagnostic]:
    """All problems of a parsed rule file: its imports, its vocabularies and its rulesets.

    ``vocabulary`` is the imported vocabulary (None when the file only declares one);
    ``find_base`` finds a ruleset by name when one in the file extends another. A base in the
    same file is found there first. ``available`` (the rule files that can be imported), when
    given, has every import checked against it.
    """
    found = check_imports(module, available) if available is not None else []
    imports = module.imports
    if found and vocabulary is not None:
        imports = (*imports, vocabulary.name)  # the unknown import is reported once, above
    for node in module.vocabularies:
        found += check_vocabulary(node, module.source)
    local = {r.name: r for r in module.rulesets}
    if vocabulary is None:
        return found
    for ruleset in module.rulesets:
        base = None
        if ruleset.extends not in (None, ruleset.name):
            base = local.get(ruleset.extends) or find_base(ruleset.extends)
        found += check_ruleset(
            ruleset, vocabulary, base=base, imports=imports, source=module.source
        )
    return found
