"""The structure around the rules: definitions, the forløb, versions, examples, rulesets
and the file itself."""

from __future__ import annotations

import datetime

import attrs

from ...errors import SourcePos
from .base import AttrLength, Duration, Literal, pos_field
from .declarations import VocabularyNode
from .docs import Docs
from .expressions import DateExpr, Pattern, SetLit, Timeline
from .rules import Rule, Validity


# ───────────────────────────── definitions, course, versions ─────────────────────────────
@attrs.frozen(kw_only=True)
class SetDef:
    """``mængde navn = {…}``."""

    name: str
    values: SetLit
    pos: SourcePos = pos_field()


@attrs.frozen(kw_only=True)
class PatternDef:
    """``mønster navn = hændelse hvor …``."""

    name: str
    pattern: Pattern
    pos: SourcePos = pos_field()


@attrs.frozen(kw_only=True)
class TimelineDef:
    """``tidslinje navn = …``."""

    name: str
    timeline: Timeline
    pos: SourcePos = pos_field()


@attrs.frozen(kw_only=True)
class DateDef:
    """``dato navn = …``."""

    name: str
    date: DateExpr
    pos: SourcePos = pos_field()


Definition = SetDef | PatternDef | TimelineDef | DateDef


@attrs.frozen(kw_only=True)
class Course:
    """The forløb: maximal periods of ``timeline``; or periods started by ``start`` events,
    lasting ``length`` (if given), ended early by an ``end`` event (its day is the last) or by
    the day before the next start."""

    title: str | None = None
    timeline: Timeline | None = None
    start: Pattern | None = None
    length: Duration | AttrLength | None = None
    end: Pattern | None = None
    pos: SourcePos = pos_field()


@attrs.frozen(kw_only=True)
class Version:
    """A version of a ruleset, in force in ``validity``, with its own rules."""

    name: str
    title: str | None
    validity: Validity
    docs: Docs = Docs()
    rules: tuple[Rule, ...] = ()
    pos: SourcePos = pos_field()


# ───────────────────────────── examples ─────────────────────────────
@attrs.frozen(kw_only=True)
class ExampleEvent:
    """One event line of an example history."""

    date: datetime.date
    type: str
    attrs: tuple[tuple[str, Literal], ...] = ()
    pos: SourcePos = pos_field()


@attrs.frozen(kw_only=True)
class Expect:
    """One expected result entry.

    ``kind`` is ``obligation`` (status, fulfilled_on, due), ``right`` (start, until),
    ``value`` (value, start, until) or ``none`` (no entry for the rule).
    """

    kind: str
    rule: str
    status: str | None = None
    fulfilled_on: datetime.date | None = None
    due: datetime.date | None = None
    start: datetime.date | None = None
    until: datetime.date | None = None
    value: int | None = None
    pos: SourcePos = pos_field()


@attrs.frozen(kw_only=True)
class Expectation:
    """The expected results as of a date."""

    as_of: datetime.date
    items: tuple[Expect, ...]
    pos: SourcePos = pos_field()


@attrs.frozen(kw_only=True)
class Example:
    """A small history with expected results: runs as a test and is shown in the docs."""

    title: str
    born: datetime.date
    facts: tuple[tuple[str, Literal], ...] = ()
    events: tuple[ExampleEvent, ...] = ()
    expectations: tuple[Expectation, ...] = ()
    pos: SourcePos = pos_field()


# ───────────────────────────── files ─────────────────────────────
@attrs.frozen(kw_only=True)
class Ruleset:
    """A ruleset (``ordning``): documentation, definitions, forløb, rules and versions.

    Rules at ruleset level belong to every version (an extension adds them to each version
    of its base).
    """

    name: str
    title: str
    extends: str | None = None
    docs: Docs = Docs()
    validity: Validity | None = None
    definitions: tuple[Definition, ...] = ()
    course: Course | None = None
    rules: tuple[Rule, ...] = ()
    versions: tuple[Version, ...] = ()
    examples: tuple[Example, ...] = ()
    pos: SourcePos = pos_field()


@attrs.frozen(kw_only=True)
class Module:
    """One rule file: its imports, and a vocabulary or rulesets."""

    file: str
    imports: tuple[str, ...] = ()
    vocabularies: tuple[VocabularyNode, ...] = ()
    rulesets: tuple[Ruleset, ...] = ()
    source: str = attrs.field(default="", eq=False, repr=False)
    pos: SourcePos = pos_field()
