"""The expressions inside rules: conditions (with their operands, sets and event patterns),
dates, timelines and triggers.

They refer to one another (a condition holds on a date, a date counts the days of a
timeline, a timeline is tested with a condition), so they live in one module.
"""

from __future__ import annotations

import datetime

import attrs

from ...errors import SourcePos
from .base import Duration, Literal, pos_field


# ───────────────────────────── operands, sets and conditions ─────────────────────────────
@attrs.frozen(kw_only=True)
class NameRef:
    """A name in a condition: an event attribute or a fact (:meth:`lovregler.semantics.Names.is_attribute`)."""

    name: str
    pos: SourcePos = pos_field()


@attrs.frozen(kw_only=True)
class AgeAt:
    """The citizen's age (completed years) on a date."""

    date: DateExpr
    pos: SourcePos = pos_field()


@attrs.frozen(kw_only=True)
class SetLit:
    """A literal set of values ``{a, b}``."""

    values: tuple[Literal, ...]
    pos: SourcePos = pos_field()


@attrs.frozen(kw_only=True)
class SetRef:
    """A reference to a named set (``mængde``)."""

    name: str
    pos: SourcePos = pos_field()


Operand = NameRef | Literal | AgeAt
ValueSet = SetLit | SetRef


@attrs.frozen(kw_only=True)
class BoolCompare:
    """``left op right`` with op one of = != < <= > >=."""

    left: Operand
    op: str
    right: Operand
    pos: SourcePos = pos_field()


@attrs.frozen(kw_only=True)
class BoolIn:
    """``operand i {…}`` (``negated`` for ``ikke i``)."""

    operand: Operand
    values: ValueSet
    negated: bool = False
    pos: SourcePos = pos_field()


@attrs.frozen(kw_only=True)
class BoolShorter:
    """True when the event's period is known to have lasted less than ``duration``.

    On a start event: its period closed (by an end event on or before the evaluation date)
    with fewer days; on an end event: the period it ends. Start and end days both count.
    """

    duration: Duration
    pos: SourcePos = pos_field()


@attrs.frozen(kw_only=True)
class BoolTruthy:
    """A boolean attribute or fact used on its own (``ansat``, ``psykisk_lidelse``)."""

    operand: Operand
    pos: SourcePos = pos_field()


@attrs.frozen(kw_only=True)
class BoolNot:
    """Negation."""

    operand: BoolExpr
    pos: SourcePos = pos_field()


@attrs.frozen(kw_only=True)
class BoolAnd:
    """Conjunction."""

    left: BoolExpr
    right: BoolExpr
    pos: SourcePos = pos_field()


@attrs.frozen(kw_only=True)
class BoolOr:
    """Disjunction."""

    left: BoolExpr
    right: BoolExpr
    pos: SourcePos = pos_field()


@attrs.frozen(kw_only=True)
class BoolContinues:
    """A period of kind ``period`` (with ``key`` and ``where``) runs on ``date`` and the day after.

    Used for "no instance while another qualifying offer is still running on that day".
    """

    period: str
    key: str | None
    where: BoolExpr | None
    date: DateExpr
    pos: SourcePos = pos_field()


@attrs.frozen(kw_only=True)
class BoolExists:
    """An event matching ``pattern`` lies between two dates (inclusive)."""

    pattern: Pattern
    start: DateExpr
    end: DateExpr
    pos: SourcePos = pos_field()


BoolExpr = (
    BoolCompare
    | BoolIn
    | BoolShorter
    | BoolTruthy
    | BoolNot
    | BoolAnd
    | BoolOr
    | BoolContinues
    | BoolExists
)


@attrs.frozen(kw_only=True)
class Pattern:
    """An event type (or a named pattern) with an optional condition on its attributes."""

    name: str
    where: BoolExpr | None = None
    pos: SourcePos = pos_field()


# ───────────────────────────── dates ─────────────────────────────
@attrs.frozen(kw_only=True)
class DateLit:
    """A literal calendar date."""

    value: datetime.date
    pos: SourcePos = pos_field()


@attrs.frozen(kw_only=True)
class CourseStart:
    """The first day of the forløb, as the governing version sees it."""

    pos: SourcePos = pos_field()


@attrs.frozen(kw_only=True)
class CourseEnd:
    """The last day of the forløb (open forløb: no end)."""

    pos: SourcePos = pos_field()


@attrs.frozen(kw_only=True)
class TriggerDate:
    """The trigger date of the rule instance being evaluated (``udløsningsdagen``)."""

    pos: SourcePos = pos_field()


@attrs.frozen(kw_only=True)
class EventDate:
    """The date of the ``first``/``latest`` event matching ``pattern``, optionally bounded.

    ``bound`` is one of ``after``, ``on_or_after``, ``before``, ``on_or_before`` with
    ``bound_date``.
    """

    which: str  # "first" | "latest"
    pattern: Pattern
    bound: str | None = None
    bound_date: DateExpr | None = None
    pos: SourcePos = pos_field()


@attrs.frozen(kw_only=True)
class DateShift:
    """``base + duration`` or ``base - duration`` (``sign`` is +1 or −1)."""

    base: DateExpr
    duration: Duration
    sign: int = 1
    pos: SourcePos = pos_field()


@attrs.frozen(kw_only=True)
class EndOfMonth:
    """The last day of the calendar month of ``base``."""

    base: DateExpr
    pos: SourcePos = pos_field()


@attrs.frozen(kw_only=True)
class Birthday:
    """The day the citizen turns ``years`` (born 29 February: 1 March in other years)."""

    years: int
    pos: SourcePos = pos_field()


@attrs.frozen(kw_only=True)
class Threshold:
    """The first day on which the days of ``timeline`` reach ``amount`` (or exceed it).

    ``window``: only days in (t − window, t] count. ``counted_from``: only days on or after
    that date count; ``counted_after``: only days after it (either date may be absent, e.g.
    no earlier revurdering: then all days count). ``reset_by``: only days after the latest
    matching event on or before t count; used as a trigger, each reset starts a new count,
    so the rule can trigger again (one instance per reset segment). Used in a deadline, a
    threshold the periods never reach is reached as if the last period had continued.

    ``recurring`` (``udløses af hver dag hvor …``, a trigger only): every day t on which the
    count reaches the amount after a day on which it did not, so a count that falls back
    below it (old days leave the window) and comes back triggers again (catalogue §7, C5).
    """

    timeline: Timeline
    amount: Duration
    more_than: bool = False
    window: Duration | None = None
    counted_from: DateExpr | None = None
    counted_after: DateExpr | None = None
    reset_by: Pattern | None = None
    recurring: bool = False
    pos: SourcePos = pos_field()


@attrs.frozen(kw_only=True)
class PeriodStart:
    """``starten af <tidslinje> der omfatter <dato>``: the first day of the period of the
    timeline (a maximal run of days) that contains the date; no value if it holds not then."""

    timeline: Timeline
    date: DateExpr
    pos: SourcePos = pos_field()


@attrs.frozen(kw_only=True)
class DateRef:
    """A reference to a named date (``dato``)."""

    name: str
    pos: SourcePos = pos_field()


DateExpr = (
    DateLit
    | CourseStart
    | CourseEnd
    | TriggerDate
    | EventDate
    | DateShift
    | EndOfMonth
    | Birthday
    | Threshold
    | PeriodStart
    | DateRef
)


# ───────────────────────────── timelines ─────────────────────────────
@attrs.frozen(kw_only=True)
class TlName:
    """A period kind (``ydelse kontanthjælp{målgruppe = aktivitetsparat}``), a named
    timeline, or a boolean fact — which one, :meth:`lovregler.semantics.Names.timeline`
    says (every stage asks it). ``where`` is tested on the latest start event on or before the day; with ``first`` (``sygdom begyndt
    med {ansat}``) on the period's first start event, so the whole period holds or none of it
    (catalogue C5: touching sick spells are one spell, with the ``ansat`` of its first
    ``sygemelding``).
    """

    name: str
    key: str | None = None
    where: BoolExpr | None = None
    first: bool = False
    pos: SourcePos = pos_field()


@attrs.frozen(kw_only=True)
class TlCourse:
    """The forløb itself."""

    pos: SourcePos = pos_field()


@attrs.frozen(kw_only=True)
class TlAge:
    """The days on which the citizen's age compares to ``years``."""

    op: str
    years: int
    pos: SourcePos = pos_field()


@attrs.frozen(kw_only=True)
class TlLatest:
    """The days on which the latest ``event``'s ``attr`` (on or before the day) satisfies the test.

    Either ``op``/``value`` (a comparison) or ``values`` (membership).
    """

    event: str
    attr: str
    op: str | None = None
    value: Literal | None = None
    values: ValueSet | None = None
    pos: SourcePos = pos_field()


@attrs.frozen(kw_only=True)
class TlFact:
    """A fact test: all days if it holds for the citizen, none otherwise."""

    fact: str
    op: str | None = None
    value: Literal | None = None
    values: ValueSet | None = None
    pos: SourcePos = pos_field()


@attrs.frozen(kw_only=True)
class TlSince:
    """The days on and after a date."""

    date: DateExpr
    pos: SourcePos = pos_field()


@attrs.frozen(kw_only=True)
class TlBetween:
    """The days of a fixed calendar period (inclusive)."""

    start: datetime.date
    end: datetime.date
    pos: SourcePos = pos_field()


@attrs.frozen(kw_only=True)
class TlFromDay:
    """Each interval of ``timeline`` from its ``day``-th day on (day 31 = drop the first 30)."""

    timeline: Timeline
    day: int
    pos: SourcePos = pos_field()


@attrs.frozen(kw_only=True)
class TlAfterLasting:
    """Each continuous interval of ``timeline`` from its start + ``duration`` on."""

    timeline: Timeline
    duration: Duration
    pos: SourcePos = pos_field()


@attrs.frozen(kw_only=True)
class TlNot:
    """The days on which ``timeline`` does not hold."""

    timeline: Timeline
    pos: SourcePos = pos_field()


@attrs.frozen(kw_only=True)
class TlAnd:
    """Intersection."""

    left: Timeline
    right: Timeline
    pos: SourcePos = pos_field()


@attrs.frozen(kw_only=True)
class TlOr:
    """Union."""

    left: Timeline
    right: Timeline
    pos: SourcePos = pos_field()


Timeline = (
    TlName
    | TlCourse
    | TlAge
    | TlLatest
    | TlFact
    | TlSince
    | TlBetween
    | TlFromDay
    | TlAfterLasting
    | TlNot
    | TlAnd
    | TlOr
)


# ───────────────────────────── triggers ─────────────────────────────
@attrs.frozen(kw_only=True)
class AtDate:
    """One instance, triggered on a date (``forløbets start``, ``første samtale``, a threshold)."""

    date: DateExpr
    pos: SourcePos = pos_field()


@attrs.frozen(kw_only=True)
class EachEvent:
    """One instance per matching event, triggered on its date."""

    pattern: Pattern
    pos: SourcePos = pos_field()


@attrs.frozen(kw_only=True)
class CountWindows:
    """Consecutive periods of ``length`` counted from ``anchor``; one instance per period,
    due on the period's last day (contract §3.6, §3.8: period k starts at anchor + k·length)."""

    length: Duration
    anchor: DateExpr
    pos: SourcePos = pos_field()


Trigger = AtDate | EachEvent | CountWindows
