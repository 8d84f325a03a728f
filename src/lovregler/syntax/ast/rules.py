"""The three kinds of rule (obligation, right, value) and the clauses only rules have."""

from __future__ import annotations

import datetime
from typing import ClassVar

import attrs

from ...errors import SourcePos
from .base import AttrLength, Duration, pos_field
from .docs import Docs
from .expressions import BoolExpr, DateExpr, Pattern, Timeline, Trigger


@attrs.frozen(kw_only=True)
class Validity:
    """A period of force, both ends inclusive; None for unbounded."""

    start: datetime.date | None = None
    end: datetime.date | None = None
    pos: SourcePos = pos_field()


@attrs.frozen(kw_only=True)
class Deadline:
    """The due date: ``after`` (a Duration after the trigger) or ``at`` (a date expression that
    may use the trigger date); ``convention`` is ``standard``, ``ultimo`` or ``hverdag``."""

    after: Duration | None = None
    at: DateExpr | None = None
    convention: str = "standard"
    pos: SourcePos = pos_field()


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
    pos: SourcePos = pos_field()


@attrs.frozen(kw_only=True)
class Rate:
    """One step of a week-numbered value: ``value`` up to week ``up_to`` (None: thereafter)."""

    value: int
    up_to: int | None
    pos: SourcePos = pos_field()


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
    pos: SourcePos = pos_field()


@attrs.frozen(kw_only=True)
class Transition:
    """A declared transition (``overgang løbende forløb regnes begyndt ved ikrafttræden``):
    a forløb running on the rule's first day in force is treated as begun that day, instead
    of keeping only the instances its real history triggers inside the version (catalogue
    §0 *Versions*, C1). ``citation`` is the law's transition provision, the clause's own
    hjemmel."""

    citation: str
    pos: SourcePos = pos_field()


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
    pos: SourcePos = pos_field()


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
