"""The vocabulary: event types, their attributes, enums, facts and period declarations.

It is declared in a rule file (``rulesets/ordforråd.lov``) that rulesets import; the checker
uses it to reject unknown names and impossible values, and history loading uses the same
declaration to validate citizens (``contract.md`` §1). This module holds the data model only;
``parse.py`` builds it from the file.
"""

from __future__ import annotations

from collections.abc import Mapping

from attrs import field, frozen

from ..errors import UNKNOWN_POS, SourcePos
from ..syntax import ast


@frozen
class AttrType:
    """The type of an attribute or fact.

    ``kind`` is ``"enum"`` (``enum`` names the enum), ``"bool"``, ``"int"`` (inclusive
    ``minimum``/``maximum``; ``limit_text`` is the legal limit told to the user) or ``"text"``.
    """

    kind: str
    enum: str | None = None
    minimum: int | None = None
    maximum: int | None = None
    limit_text: str | None = None

    def describe(self) -> str:
        """A short Danish description, for error messages."""
        if self.kind == "enum":
            return f"en værdi af {self.enum}"
        if self.kind == "bool":
            return "sand/falsk (true/false)"
        if self.kind == "int":
            if self.minimum is not None and self.maximum is not None:
                return f"et heltal {self.minimum}–{self.maximum}"
            return "et heltal"
        return "tekst"


@frozen
class AttrDecl:
    """An attribute of an event type.

    ``required_when`` is ``(attribute, value)``: the attribute is required exactly when that
    other attribute has that value, and must be absent otherwise (``varighed_år`` for
    ``ordning = ressourceforløb``). ``optional`` attributes may be left out.
    """

    name: str
    type: AttrType
    optional: bool = False
    required_when: tuple[str, str] | None = None
    words: ast.Words | None = None
    pos: SourcePos = field(default=UNKNOWN_POS, eq=False)


@frozen
class EventType:
    """A declared event type with its attributes (in declaration order) and its Danish words."""

    name: str
    title: str
    attrs: Mapping[str, AttrDecl]
    words: ast.EventWords | None = None
    pos: SourcePos = field(default=UNKNOWN_POS, eq=False)


@frozen
class FactDecl:
    """A declared fact about a citizen, with the value an absent fact takes."""

    name: str
    type: AttrType
    default: object
    words: ast.Words | None = None
    pos: SourcePos = field(default=UNKNOWN_POS, eq=False)


@frozen
class PeriodDecl:
    """A kind of period built from a start and an end event (``ydelse``, ``tilbud``, ...).

    ``key`` names the attribute that tells parallel periods apart (a citizen may receive two
    benefits at once); ``None`` for one period at a time. The end event's date is the last
    day (inclusive); a period without end event is open.
    """

    name: str
    start: str
    end: str
    key: str | None
    words: ast.PeriodWords | None = None
    pos: SourcePos = field(default=UNKNOWN_POS, eq=False)


@frozen
class LastingPeriodDecl:
    """A kind of period a start event opens for a length it states itself (``ressourceforløb``:
    a visitation with ``ordning = ressourceforløb`` lasting ``varighed_år`` years).

    ``condition`` is (attribute, enum value) the start event must carry, or ``None`` for every
    event of that type; ``length`` names the start event's int attribute and its unit. The
    period runs from the event's day to the day before the day N units later (contract §3.2,
    so 29 February + 1 år − 1 dag = 27 February).

    Only the docs site's timelines read it. The evaluators do not: a ruleset states its own
    forløb and rights (``ret ressourceforløb_periode … varer varighed_år år``), and a rule
    cannot name a lasting period as a timeline.
    """

    name: str
    start: str
    condition: tuple[str, str] | None
    length: ast.AttrLength
    words: ast.PeriodWords | None = None
    pos: SourcePos = field(default=UNKNOWN_POS, eq=False)

    def opened_by(self, event_type: str, attrs: Mapping[str, object]) -> bool:
        """Whether an event of ``event_type`` with ``attrs`` starts such a period."""
        if event_type != self.start:
            return False
        return self.condition is None or attrs.get(self.condition[0]) == self.condition[1]


@frozen
class Vocabulary:
    """Everything a ruleset and a history may name, and the Danish words for it.

    ``value_words`` holds the words of the enum values whose name is not already the word
    (``vejledning_opkvalificering`` → "vejledning og opkvalificering").
    """

    name: str
    enums: Mapping[str, tuple[str, ...]]
    events: Mapping[str, EventType]
    facts: Mapping[str, FactDecl]
    periods: Mapping[str, PeriodDecl]
    value_words: Mapping[str, str] = field(factory=dict)
    lasting_periods: Mapping[str, LastingPeriodDecl] = field(factory=dict)

    def period_for_event(self, event_type: str) -> tuple[PeriodDecl, str] | None:
        """The period declaration that ``event_type`` starts or ends, with ``"start"``/``"end"``."""
        for decl in self.periods.values():
            if decl.start == event_type:
                return decl, "start"
            if decl.end == event_type:
                return decl, "end"
        return None


def from_ast(node: ast.VocabularyNode) -> Vocabulary:
    """Build the runtime :class:`Vocabulary` from a parsed ``ordforråd`` declaration.

    The checker has already validated the declaration (enums exist, ranges are sane).
    """
    events: dict[str, EventType] = {}
    for ev in node.events:
        decls: dict[str, AttrDecl] = {}
        for a in ev.attrs:
            atype = _attr_type(a.type, a.limit_text)
            decls[a.name] = AttrDecl(
                a.name,
                atype,
                optional=a.optional,
                required_when=a.required_when,
                words=a.words,
                pos=a.pos,
            )
        events[ev.name] = EventType(ev.name, ev.title, decls, words=ev.words, pos=ev.pos)
    facts = {
        f.name: FactDecl(
            f.name, _attr_type(f.type, None), f.default.value, words=f.words, pos=f.pos
        )
        for f in node.facts
    }
    periods = {
        p.name: PeriodDecl(p.name, p.start, p.end, p.key, words=p.words, pos=p.pos)
        for p in node.periods
    }
    enums = {e.name: e.values for e in node.enums}
    value_words = {value: words.text for e in node.enums for value, words in e.words}
    lasting = {
        p.name: LastingPeriodDecl(
            p.name,
            p.start,
            (p.condition.attr, p.condition.value) if p.condition else None,
            p.length,
            words=p.words,
            pos=p.pos,
        )
        for p in node.lasting_periods
    }
    return Vocabulary(
        node.name, enums, events, facts, periods, value_words, lasting_periods=lasting
    )


def _attr_type(ref: ast.TypeRef, limit_text: str | None) -> AttrType:
    return AttrType(
        ref.kind, enum=ref.enum, minimum=ref.minimum, maximum=ref.maximum, limit_text=limit_text
    )
