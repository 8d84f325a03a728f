"""The abstract syntax tree of the rule language.

Every node is a frozen attrs class with a ``pos`` (:class:`~lovregler.errors.SourcePos`) that
is excluded from equality and hashing, so two rules that say the same thing compare equal
wherever they stand. ``parse.py`` builds these nodes; ``check.py``, ``compile.py``,
``interpret.py`` and the docs generator read them.

Three kinds of expression appear inside rules:

* **conditions** (``Bool*``): true or false for one event (its attributes), one citizen (facts)
  or one rule instance (``BoolContinues``, ``BoolExists``);
* **dates** (``Date*``): a day, computed from the course, events, thresholds and durations;
* **timelines** (``Tl*``): the set of days on which something holds (a benefit, an age, a
  fact), evaluated as sorted interval lists.
"""

from __future__ import annotations

import datetime
from typing import ClassVar

import attrs

from ..errors import UNKNOWN_POS, SourcePos


def _pos() -> SourcePos:
    return attrs.field(default=UNKNOWN_POS, eq=False, repr=False)  # type: ignore[no-any-return]


# ───────────────────────────── durations ─────────────────────────────
@attrs.frozen(kw_only=True)
class Duration:
    """A length of time: ``months`` (years are 12 months) and ``days`` (weeks are 7 days).

    ``unit_text`` keeps how the author wrote it ("3 måneder"), for prose and explanations.
    """

    months: int = 0
    days: int = 0
    unit_text: str = ""
    pos: SourcePos = _pos()


@attrs.frozen(kw_only=True)
class AttrLength:
    """A length read from an attribute of the starting event (``varighed_år år``): of the
    forløb's start event, or of the event that started a right."""

    attr: str
    unit: str  # "days" | "weeks" | "months" | "years"
    pos: SourcePos = _pos()


# ───────────────────────────── literals and conditions ─────────────────────────────
@attrs.frozen(kw_only=True)
class Literal:
    """An enum value (``kind="enum"``), int, bool or string literal."""

    value: object
    kind: str  # "enum" | "int" | "bool" | "text"
    pos: SourcePos = _pos()


@attrs.frozen(kw_only=True)
class NameRef:
    """A name in a condition: an event attribute or a fact (:meth:`lovregler.semantics.Names.is_attribute`)."""

    name: str
    pos: SourcePos = _pos()


@attrs.frozen(kw_only=True)
class AgeAt:
    """The citizen's age (completed years) on a date."""

    date: DateExpr
    pos: SourcePos = _pos()


@attrs.frozen(kw_only=True)
class SetLit:
    """A literal set of values ``{a, b}``."""

    values: tuple[Literal, ...]
    pos: SourcePos = _pos()


@attrs.frozen(kw_only=True)
class SetRef:
    """A reference to a named set (``mængde``)."""

    name: str
    pos: SourcePos = _pos()


Operand = NameRef | Literal | AgeAt
ValueSet = SetLit | SetRef


@attrs.frozen(kw_only=True)
class BoolCompare:
    """``left op right`` with op one of = != < <= > >=."""

    left: Operand
    op: str
    right: Operand
    pos: SourcePos = _pos()


@attrs.frozen(kw_only=True)
class BoolIn:
    """``operand i {…}`` (``negated`` for ``ikke i``)."""

    operand: Operand
    values: ValueSet
    negated: bool = False
    pos: SourcePos = _pos()


@attrs.frozen(kw_only=True)
class BoolShorter:
    """True when the event's period is known to have lasted less than ``duration``.

    On a start event: its period closed (by an end event on or before the evaluation date)
    with fewer days; on an end event: the period it ends. Start and end days both count.
    """

    duration: Duration
    pos: SourcePos = _pos()


@attrs.frozen(kw_only=True)
class BoolTruthy:
    """A boolean attribute or fact used on its own (``ansat``, ``psykisk_lidelse``)."""

    operand: Operand
    pos: SourcePos = _pos()


@attrs.frozen(kw_only=True)
class BoolNot:
    """Negation."""

    operand: BoolExpr
    pos: SourcePos = _pos()


@attrs.frozen(kw_only=True)
class BoolAnd:
    """Conjunction."""

    left: BoolExpr
    right: BoolExpr
    pos: SourcePos = _pos()


@attrs.frozen(kw_only=True)
class BoolOr:
    """Disjunction."""

    left: BoolExpr
    right: BoolExpr
    pos: SourcePos = _pos()


@attrs.frozen(kw_only=True)
class BoolContinues:
    """A period of kind ``period`` (with ``key`` and ``where``) runs on ``date`` and the day after.

    Used for "no instance while another qualifying offer is still running on that day".
    """

    period: str
    key: str | None
    where: BoolExpr | None
    date: DateExpr
    pos: SourcePos = _pos()


@attrs.frozen(kw_only=True)
class BoolExists:
    """An event matching ``pattern`` lies between two dates (inclusive)."""

    pattern: Pattern
    start: DateExpr
    end: DateExpr
    pos: SourcePos = _pos()


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
    pos: SourcePos = _pos()


# ───────────────────────────── dates ─────────────────────────────
@attrs.frozen(kw_only=True)
class DateLit:
    """A literal calendar date."""

    value: datetime.date
    pos: SourcePos = _pos()


@attrs.frozen(kw_only=True)
class CourseStart:
    """The first day of the forløb, as the governing version sees it."""

    pos: SourcePos = _pos()


@attrs.frozen(kw_only=True)
class CourseEnd:
    """The last day of the forløb (open forløb: no end)."""

    pos: SourcePos = _pos()


@attrs.frozen(kw_only=True)
class TriggerDate:
    """The trigger date of the rule instance being evaluated (``udløsningsdagen``)."""

    pos: SourcePos = _pos()


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
    pos: SourcePos = _pos()


@attrs.frozen(kw_only=True)
class DateShift:
    """``base + duration`` or ``base - duration`` (``sign`` is +1 or −1)."""

    base: DateExpr
    duration: Duration
    sign: int = 1
    pos: SourcePos = _pos()


@attrs.frozen(kw_only=True)
class EndOfMonth:
    """The last day of the calendar month of ``base``."""

    base: DateExpr
    pos: SourcePos = _pos()


@attrs.frozen(kw_only=True)
class Birthday:
    """The day the citizen turns ``years`` (born 29 February: 1 March in other years)."""

    years: int
    pos: SourcePos = _pos()


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
    pos: SourcePos = _pos()


@attrs.frozen(kw_only=True)
class PeriodStart:
    """``starten af <tidslinje> der omfatter <dato>``: the first day of the period of the
    timeline (a maximal run of days) that contains the date; no value if it holds not then."""

    timeline: Timeline
    date: DateExpr
    pos: SourcePos = _pos()


@attrs.frozen(kw_only=True)
class DateRef:
    """A reference to a named date (``dato``)."""

    name: str
    pos: SourcePos = _pos()


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
    pos: SourcePos = _pos()


@attrs.frozen(kw_only=True)
class TlCourse:
    """The forløb itself."""

    pos: SourcePos = _pos()


@attrs.frozen(kw_only=True)
class TlAge:
    """The days on which the citizen's age compares to ``years``."""

    op: str
    years: int
    pos: SourcePos = _pos()


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
    pos: SourcePos = _pos()


@attrs.frozen(kw_only=True)
class TlFact:
    """A fact test: all days if it holds for the citizen, none otherwise."""

    fact: str
    op: str | None = None
    value: Literal | None = None
    values: ValueSet | None = None
    pos: SourcePos = _pos()


@attrs.frozen(kw_only=True)
class TlSince:
    """The days on and after a date."""

    date: DateExpr
    pos: SourcePos = _pos()


@attrs.frozen(kw_only=True)
class TlBetween:
    """The days of a fixed calendar period (inclusive)."""

    start: datetime.date
    end: datetime.date
    pos: SourcePos = _pos()


@attrs.frozen(kw_only=True)
class TlFromDay:
    """Each interval of ``timeline`` from its ``day``-th day on (day 31 = drop the first 30)."""

    timeline: Timeline
    day: int
    pos: SourcePos = _pos()


@attrs.frozen(kw_only=True)
class TlAfterLasting:
    """Each continuous interval of ``timeline`` from its start + ``duration`` on."""

    timeline: Timeline
    duration: Duration
    pos: SourcePos = _pos()


@attrs.frozen(kw_only=True)
class TlNot:
    """The days on which ``timeline`` does not hold."""

    timeline: Timeline
    pos: SourcePos = _pos()


@attrs.frozen(kw_only=True)
class TlAnd:
    """Intersection."""

    left: Timeline
    right: Timeline
    pos: SourcePos = _pos()


@attrs.frozen(kw_only=True)
class TlOr:
    """Union."""

    left: Timeline
    right: Timeline
    pos: SourcePos = _pos()


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
    pos: SourcePos = _pos()


@attrs.frozen(kw_only=True)
class EachEvent:
    """One instance per matching event, triggered on its date."""

    pattern: Pattern
    pos: SourcePos = _pos()


@attrs.frozen(kw_only=True)
class CountWindows:
    """Consecutive periods of ``length`` counted from ``anchor``; one instance per period,
    due on the period's last day (contract §3.6, §3.8: period k starts at anchor + k·length)."""

    length: Duration
    anchor: DateExpr
    pos: SourcePos = _pos()


Trigger = AtDate | EachEvent | CountWindows


@attrs.frozen(kw_only=True)
class Deadline:
    """The due date: ``after`` (a Duration after the trigger) or ``at`` (a date expression that
    may use the trigger date); ``convention`` is ``standard``, ``ultimo`` or ``hverdag``."""

    after: Duration | None = None
    at: DateExpr | None = None
    convention: str = "standard"
    pos: SourcePos = _pos()


@attrs.frozen(kw_only=True)
class MetBy:
    """What meets an obligation: ``count`` events matching ``pattern``.

    ``also_earlier``: an event on any earlier date counts too ("on or before"): the latest
    such event on or before the due date, else the first after it (late). ``since``
    (``på eller efter <dato>``): events on or after that day count, also before the
    trigger (the date is evaluated for the instance; with no value, the trigger counts).
    """

    pattern: Pattern
    count: int = 1
    also_earlier: bool = False
    since: DateExpr | None = None
    pos: SourcePos = _pos()


@attrs.frozen(kw_only=True)
class Validity:
    """A period of force, both ends inclusive; None for unbounded."""

    start: datetime.date | None = None
    end: datetime.date | None = None
    pos: SourcePos = _pos()


@attrs.frozen(kw_only=True)
class Source:
    """``kilde "…"``: the address of a legal source (a page on retsinformation.dk, …)."""

    address: str
    pos: SourcePos = _pos()

    @property
    def is_link(self) -> bool:
        """Whether the address is a web address (the docs site makes it a link)."""
        return self.address.startswith(("https://", "http://"))


@attrs.frozen(kw_only=True)
class Excerpt:
    """``lovtekst "…"``: a piece of the law's text, quoted verbatim from ``source``.

    ``paraphrase`` (``lovtekst (omskrevet) "…"``) marks a text that says what the law says in
    other words: it is shown as such, and needs no source. ``source`` is the nearest ``kilde``
    before the excerpt in the same block, else the first after it, else None.
    """

    text: str
    paraphrase: bool = False
    source: Source | None = None
    pos: SourcePos = _pos()


@attrs.frozen(kw_only=True)
class Docs:
    """The legal documentation carried by a rule, version or ruleset.

    ``sources`` are its ``kilde`` clauses in order: where the ``citation`` (``hjemmel``) and
    the ``excerpts`` can be read.
    """

    citation: str | None = None
    purpose: str | None = None
    interpretations: tuple[str, ...] = ()
    excerpts: tuple[Excerpt, ...] = ()
    sources: tuple[Source, ...] = ()


@attrs.frozen(kw_only=True)
class Rate:
    """One step of a week-numbered value: ``value`` up to week ``up_to`` (None: thereafter)."""

    value: int
    up_to: int | None
    pos: SourcePos = _pos()


@attrs.frozen(kw_only=True)
class WeekValue:
    """A value per ISO week, by the number of the benefit week (``refusion``).

    A week is a benefit week when ``timeline`` holds on at least one of its days. The count
    restarts at the end of the first week e, after the latest week numbered 1, at which the
    restarting weeks that lie after that week 1 and among the ``lookback`` weeks ending with
    e number ``gap``; the next benefit week is then week 1 again (refusion § 6). A
    restarting week is one on whose every day ``self_support`` holds (``hele uger med``),
    or, without it, a week that is not a benefit week. ``counted_from`` (``regnet fra``):
    days before it do not exist for the count (refusion § 30), else the days before the
    rule's first day in force do not.
    """

    timeline: Timeline
    gap: int
    lookback: int
    rates: tuple[Rate, ...]
    counted_from: datetime.date | None = None
    self_support: Timeline | None = None
    pos: SourcePos = _pos()


@attrs.frozen(kw_only=True)
class Transition:
    """A declared transition (``overgang løbende forløb regnes begyndt ved ikrafttræden``):
    a forløb running on the rule's first day in force is treated as begun that day, instead
    of keeping only the instances its real history triggers inside the version (catalogue
    §0 *Versions*, C1). ``citation`` is the law's transition provision, the clause's own
    hjemmel."""

    citation: str
    pos: SourcePos = _pos()


@attrs.frozen(kw_only=True)
class _RuleBase:
    """What every rule has: an id and title, who holds it, when it is in force, a condition
    (``hvis``), its documentation, and a declared transition (``overgang …``; the checker
    accepts one on an obligation of a forløb only). ``per_citizen`` rules ignore the forløb.

    ``stray`` names the clauses written in the rule that belong to another kind of rule
    (``opfyldes af`` in a right): the parser keeps the rule, the checker reports them.
    """

    id: str
    title: str
    holder: str = "jobcenter"
    per_citizen: bool = False
    overrides: bool = False
    validity: Validity | None = None
    condition: BoolExpr | None = None
    transition: Transition | None = None
    stray: tuple[str, ...] = ()
    docs: Docs = Docs()
    pos: SourcePos = _pos()


@attrs.frozen(kw_only=True)
class ObligationRule(_RuleBase):
    """An obligation (``pligt``): triggered (``udløses af``), due (``frist``), met by events
    (``opfyldes af``), perhaps recurring (``gentages``) and suspended (``suspenderes når``).
    The checker makes sure ``met_by`` is there, and ``deadline`` unless counted in windows."""

    kind: ClassVar[str] = "obligation"
    trigger: Trigger | None = None
    deadline: Deadline | None = None
    met_by: MetBy | None = None
    repeat: Duration | None = None
    suspend: Timeline | None = None


@attrs.frozen(kw_only=True)
class RightRule(_RuleBase):
    """A right (``ret``): a period from ``right_from`` to ``right_until`` (or the day before
    the next ``right_until_next`` event, or for ``right_for``), or the days ``right_when``
    holds. ``trigger`` (``udløst af hver <mønster>``): ``right_from`` is found per event.
    ``right_for`` may be an :class:`AttrLength` (``varer varighed_år år``): the length is read
    from the event that started the right."""

    kind: ClassVar[str] = "right"
    trigger: Trigger | None = None
    right_from: Trigger | None = None
    right_until: DateExpr | None = None
    right_until_next: Pattern | None = None
    right_for: Duration | AttrLength | None = None
    right_when: Timeline | None = None


@attrs.frozen(kw_only=True)
class ValueRule(_RuleBase):
    """A value over time (``værdi``): a number per ISO week (``week_value``, the checker
    makes sure it is there)."""

    kind: ClassVar[str] = "value"
    week_value: WeekValue | None = None


Rule = ObligationRule | RightRule | ValueRule
"""A rule of a ruleset: an obligation, a right or a value, each its own node class."""

RULE_CLASSES: dict[str, type[ObligationRule] | type[RightRule] | type[ValueRule]] = {
    "obligation": ObligationRule,
    "right": RightRule,
    "value": ValueRule,
}
"""The node class of each kind of rule, by the name results use (``RuleInfo.kind``)."""


# ───────────────────────────── definitions, course, versions ─────────────────────────────
@attrs.frozen(kw_only=True)
class SetDef:
    """``mængde navn = {…}``."""

    name: str
    values: SetLit
    pos: SourcePos = _pos()


@attrs.frozen(kw_only=True)
class PatternDef:
    """``mønster navn = hændelse hvor …``."""

    name: str
    pattern: Pattern
    pos: SourcePos = _pos()


@attrs.frozen(kw_only=True)
class TimelineDef:
    """``tidslinje navn = …``."""

    name: str
    timeline: Timeline
    pos: SourcePos = _pos()


@attrs.frozen(kw_only=True)
class DateDef:
    """``dato navn = …``."""

    name: str
    date: DateExpr
    pos: SourcePos = _pos()


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
    pos: SourcePos = _pos()


@attrs.frozen(kw_only=True)
class Version:
    """A version of a ruleset, in force in ``validity``, with its own rules."""

    name: str
    title: str | None
    validity: Validity
    docs: Docs = Docs()
    rules: tuple[Rule, ...] = ()
    pos: SourcePos = _pos()


# ───────────────────────────── examples ─────────────────────────────
@attrs.frozen(kw_only=True)
class ExampleEvent:
    """One event line of an example history."""

    date: datetime.date
    type: str
    attrs: tuple[tuple[str, Literal], ...] = ()
    pos: SourcePos = _pos()


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
    pos: SourcePos = _pos()


@attrs.frozen(kw_only=True)
class Expectation:
    """The expected results as of a date."""

    as_of: datetime.date
    items: tuple[Expect, ...]
    pos: SourcePos = _pos()


@attrs.frozen(kw_only=True)
class Example:
    """A small history with expected results: runs as a test and is shown in the docs."""

    title: str
    born: datetime.date
    facts: tuple[tuple[str, Literal], ...] = ()
    events: tuple[ExampleEvent, ...] = ()
    expectations: tuple[Expectation, ...] = ()
    pos: SourcePos = _pos()


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
    pos: SourcePos = _pos()


# ── the Danish words of a vocabulary (``kaldet``, ``handling``, ``læses``) ──
@attrs.frozen(kw_only=True)
class Noun:
    """A Danish noun as the vocabulary writes it: ``"en samtale" / "samtaler"``.

    ``written`` is the singular with its article (``en`` or ``et``), which gives the gender.
    """

    written: str
    plural: str
    pos: SourcePos = _pos()

    @property
    def article(self) -> str:
        """``en`` or ``et`` (anything else is reported by the checker)."""
        return self.written.split(" ", 1)[0]

    @property
    def singular(self) -> str:
        """The singular without its article: ``samtale``."""
        return self.written.split(" ", 1)[1] if " " in self.written else self.written

    @property
    def gender(self) -> str:
        """``c`` (en-ord) or ``n`` (et-ord)."""
        return "n" if self.article == "et" else "c"

    def indefinite(self) -> str:
        """``en samtale`` / ``et tilbud``."""
        return f"{'et' if self.gender == 'n' else 'en'} {self.singular}"

    def each(self) -> str:
        """``hver samtale`` / ``hvert tilbud``."""
        return f"{'hvert' if self.gender == 'n' else 'hver'} {self.singular}"

    def ordinal(self, word: str) -> str:
        """``den første samtale`` / ``det seneste tilbud``."""
        return f"{'det' if self.gender == 'n' else 'den'} {word} {self.singular}"

    def counted(self, n: int) -> str:
        """``en samtale`` for 1, else ``4 samtaler``."""
        return self.indefinite() if n == 1 else f"{n} {self.plural}"


@attrs.frozen(kw_only=True)
class EventWords:
    """How prose speaks of an event type (``kaldet … handling … [omtalt som …]``).

    ``noun`` names the event as something that happens on a day ("en samtale", "en start på
    et tilbud"); ``action`` is what the holder of an obligation does to make it happen, with
    ``{np}`` standing for ``object`` with its article or count ("holde {np} med borgeren");
    ``object`` is ``noun`` unless written; ``subject`` is how the owner of its attributes is
    named in a condition ("tilbuddet").
    """

    noun: Noun
    action: str
    object: Noun
    subject: str = "hændelsen"
    pos: SourcePos = _pos()


@attrs.frozen(kw_only=True)
class Words:
    """How prose names an attribute, a fact or an enum value (``kaldet "…"``).

    For a true/false attribute or fact, ``text`` is the clause that says it holds and
    ``negated`` the one that says it does not ("borgeren er ansat" / "borgeren ikke er ansat");
    for others ``text`` is a noun phrase ("samtaleformen") and ``negated`` is None.
    """

    text: str
    negated: str | None = None
    pos: SourcePos = _pos()


@attrs.frozen(kw_only=True)
class PeriodWords:
    """How prose speaks of a period kind (``kaldet … læses …``).

    ``noun`` names one period ("et tilbud"); ``reads`` is the clause that holds on its days
    ("borgeren er i fleksjob"); ``reads_keyed`` the clause for one key, with ``{key}`` where
    the key goes ("borgeren modtager {key}"), None for a period without key.
    """

    noun: Noun
    reads: str
    reads_keyed: str | None = None
    pos: SourcePos = _pos()


@attrs.frozen(kw_only=True)
class EnumDeclNode:
    """``opregning navn: a, b "b som ord", c``; ``words`` maps a value to its Danish words
    where the name is not already the word."""

    name: str
    values: tuple[str, ...]
    words: tuple[tuple[str, Words], ...] = ()
    pos: SourcePos = _pos()


@attrs.frozen(kw_only=True)
class TypeRef:
    """An attribute or fact type as written."""

    kind: str  # "bool" | "int" | "text" | "enum"
    enum: str | None = None
    minimum: int | None = None
    maximum: int | None = None
    pos: SourcePos = _pos()


@attrs.frozen(kw_only=True)
class AttrDeclNode:
    """An attribute line of an event declaration."""

    name: str
    type: TypeRef
    optional: bool = False
    limit_text: str | None = None
    required_when: tuple[str, str] | None = None
    words: Words | None = None
    pos: SourcePos = _pos()


@attrs.frozen(kw_only=True)
class EventDeclNode:
    """``hændelse navn "titel" { … }``."""

    name: str
    title: str
    attrs: tuple[AttrDeclNode, ...] = ()
    words: EventWords | None = None
    pos: SourcePos = _pos()


@attrs.frozen(kw_only=True)
class FactDeclNode:
    """``faktum navn: type standard værdi``."""

    name: str
    type: TypeRef
    default: Literal
    words: Words | None = None
    pos: SourcePos = _pos()


@attrs.frozen(kw_only=True)
class PeriodDeclNode:
    """``periode navn fra start til slut [nøgle attribut]``."""

    name: str
    start: str
    end: str
    key: str | None = None
    words: PeriodWords | None = None
    pos: SourcePos = _pos()


@attrs.frozen(kw_only=True)
class VocabularyNode:
    """An ``ordforråd`` declaration."""

    name: str
    title: str
    enums: tuple[EnumDeclNode, ...] = ()
    events: tuple[EventDeclNode, ...] = ()
    facts: tuple[FactDeclNode, ...] = ()
    periods: tuple[PeriodDeclNode, ...] = ()
    pos: SourcePos = _pos()


@attrs.frozen(kw_only=True)
class Module:
    """One rule file: its imports, and a vocabulary or rulesets."""

    file: str
    imports: tuple[str, ...] = ()
    vocabularies: tuple[VocabularyNode, ...] = ()
    rulesets: tuple[Ruleset, ...] = ()
    source: str = attrs.field(default="", eq=False, repr=False)
    pos: SourcePos = _pos()
