"""Evaluation results: obligations, rights and values, exactly as the data contract says.

The public surface is in dates: ``Obligation.due``, ``Right.start``, ``Value.until`` … are
:class:`datetime.date` objects and ``status`` is a :class:`Status`. Evaluators (compiled and
interpreted) run millions of times in a batch, so they store int day numbers
(``date.toordinal()``) in the ``*_day`` slots and the dates are made only when read; the
explanation sentences a caseworker reads are likewise built only when asked for
(:meth:`Result.to_dict` or ``entry.explanation``), so the hot path does no string or date work.
"""

from __future__ import annotations

import datetime
import enum
import operator
from collections.abc import Iterable
from typing import Annotated, Any, NotRequired

import attrs
import msgspec
from typing_extensions import TypedDict  # pydantic reads only this TypedDict on Python 3.11

from .prose import explanations as say
from .timecalc import INF, iso, to_date
from .timecalc import iso_day as _iso


class Status(enum.StrEnum):
    """The status of an obligation instance, a string. ``pending``: not yet met, and the
    due date has not passed (as_of <= due). ``fulfilled``: met on or before the due date.
    ``fulfilled_late``: met after it. ``overdue``: not met, and the due date has passed.
    ``suspended``: the rule says it does not run in this period (due is the date it would
    have had)."""

    PENDING = "pending"
    FULFILLED = "fulfilled"
    FULFILLED_LATE = "fulfilled_late"
    OVERDUE = "overdue"
    SUSPENDED = "suspended"

    @property
    def danish(self) -> str:
        """The Danish word a caseworker reads.

        >>> Status.FULFILLED == "fulfilled", Status("overdue").danish
        (True, 'overskredet')
        """
        return STATUS_DA[self.value]


# Module constants: the evaluators' hot path reads a global, not an enum class attribute.
PENDING = Status.PENDING
FULFILLED = Status.FULFILLED
FULFILLED_LATE = Status.FULFILLED_LATE
OVERDUE = Status.OVERDUE
SUSPENDED = Status.SUSPENDED

_fromordinal = datetime.date.fromordinal

STATUS_DA = {
    "pending": "afventer",
    "fulfilled": "opfyldt",
    "fulfilled_late": "opfyldt for sent",
    "overdue": "overskredet",
    "suspended": "suspenderet",
}


def status_of(met: int | None, due: int, as_of: int, suspended: bool) -> Status:
    """The contract's status (§2): met wins over suspended; unmet is pending while as_of <= due.

    >>> [str(s) for s in (status_of(None, 10, 10, False), status_of(None, 10, 11, False),
    ...                   status_of(12, 10, 20, True))]
    ['pending', 'overdue', 'fulfilled_late']
    """
    if met is not None:
        return FULFILLED if met <= due else FULFILLED_LATE
    if suspended:
        return SUSPENDED
    return OVERDUE if as_of > due else PENDING


class _IsoText(dict[int, str]):
    """The ISO text of the days seen lately (a plain dict hit costs about half a call of
    :func:`~lovregler.timecalc.iso_day`'s cache, and :meth:`Value.to_dict` asks twice per
    value); bounded, so a long-running service cannot grow it without end."""

    LIMIT = 1 << 16

    def __missing__(self, day: int) -> str:
        if len(self) >= self.LIMIT:
            self.clear()
        text = self[day] = _iso(day)
        return text


_ISO_TEXT = _IsoText()


def _date_or_none(day: int | None) -> datetime.date | None:
    return None if day is None or day >= INF else _fromordinal(day)


class Doc:
    """``Annotated`` metadata: JSON Schema keywords (a description, a format …) for one field
    of the published contract. :mod:`lovregler.schema` turns the ``*Dict`` types below into
    JSON Schema with pydantic, which calls this hook; nothing here imports pydantic."""

    def __init__(self, description: str, **keywords: object):
        self.description = description
        self.keywords = keywords

    def __get_pydantic_json_schema__(self, core_schema: Any, handler: Any) -> Any:
        """Add the keywords to the schema pydantic generated for the annotated type (to its
        non-null branch, when the field may be null)."""
        schema = handler(core_schema)
        branches = [b for b in schema.get("anyOf", [schema]) if b.get("type") != "null"]
        for branch in branches:
            branch.update(self.keywords)
        schema["description"] = self.description
        schema.pop("title", None)
        return schema


_DATE = {"format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}


# The contract (§2) as types: ``to_dict`` returns these (mypy holds the two together) and
# the published JSON Schema is generated from them (one source of truth).
class ObligationDict(TypedDict):
    """One obligation instance in the contract's JSON."""

    rule: Annotated[str, Doc("The rule's id in its rule file.")]
    title: Annotated[str, Doc("The rule's title.")]
    holder: Annotated[str, Doc("Who must act: jobcenter or kommune.")]
    version: Annotated[str, Doc("The ruleset version that governs this instance.")]
    trigger: Annotated[str, Doc("The day that started the instance.", **_DATE)]
    due: Annotated[str, Doc("The deadline, inclusive.", **_DATE)]
    status: Annotated[Status, Doc("pending, fulfilled, fulfilled_late, overdue, suspended.")]
    fulfilled_on: Annotated[
        str | None, Doc("The date of the event that met it; null unless met.", **_DATE)
    ]
    citation: Annotated[str, Doc("The legal source (hjemmel).")]
    explanation: Annotated[list[str], Doc("Danish sentences a caseworker can follow.")]
    transition: NotRequired[
        Annotated[
            bool,
            Doc(
                "Present (true) only on an instance created by a declared transition: the "
                "forløb ran when the rule came into force and is treated as begun that day. "
                "An addition to the contract."
            ),
        ]
    ]


RightDict = TypedDict(
    "RightDict",
    {
        "rule": Annotated[str, Doc("The rule's id in its rule file.")],
        "title": Annotated[str, Doc("The rule's title.")],
        "version": Annotated[str, Doc("The ruleset version the right belongs to.")],
        "from": Annotated[str, Doc("The first day of the right, inclusive.", **_DATE)],
        "until": Annotated[
            str | None, Doc("The last day, inclusive; null for an open-ended right.", **_DATE)
        ],
        "citation": Annotated[str, Doc("The legal source (hjemmel).")],
        "explanation": Annotated[list[str], Doc("Danish sentences a caseworker can follow.")],
    },
)
"""One period of a right in the contract's JSON."""

ValueDict = TypedDict(
    "ValueDict",
    {
        "rule": Annotated[str, Doc("The rule's id in its rule file.")],
        "title": Annotated[str, Doc("The rule's title.")],
        "version": Annotated[str, Doc("The ruleset version that gave the value.")],
        "from": Annotated[str, Doc("The first day the value holds, inclusive.", **_DATE)],
        "until": Annotated[str | None, Doc("The last day it holds, inclusive.", **_DATE)],
        "value": Annotated[int, Doc("The value (a refusion rate in per cent, …).")],
        "citation": Annotated[str, Doc("The legal source (hjemmel).")],
        "explanation": Annotated[list[str], Doc("Danish sentences a caseworker can follow.")],
    },
)
"""One value over a period in the contract's JSON."""


class ResultDict(TypedDict):
    """What one ruleset says about one citizen as of one date (data contract §2)."""

    citizen: Annotated[str, Doc("The citizen's id, as in the history.")]
    ruleset: Annotated[str, Doc("The ruleset's name.")]
    as_of: Annotated[str, Doc("The evaluation date: events after it are ignored.", **_DATE)]
    obligations: Annotated[
        list[ObligationDict], Doc("Obligation instances in order of due date, then rule.")
    ]
    rights: Annotated[list[RightDict], Doc("Rights in order of rule, then from.")]
    values: Annotated[list[ValueDict], Doc("Values in order of rule, then from.")]


# cache_hash: evaluators key dicts by RuleInfo (rights held once per group), and hashing its
# nine fields on every lookup showed in the kbh profile.
@attrs.frozen(cache_hash=True)
class RuleInfo:
    """What an entry needs to know about its rule: identity, documentation, and the words
    used in explanations (computed once per ruleset, not per citizen)."""

    id: str
    kind: str
    title: str
    holder: str
    citation: str
    interpretations: tuple[str, ...]
    met_word: str = "hændelse"  # "samtale", "kvalificerende_tilbud", ...
    deadline_text: str = ""  # "1 uge efter", "" when the due date is a date expression
    trigger_text: str = "Udløst"  # "Forløbet startede", "Første samtale", ...
    count: int = 1
    file: str = ""
    line: int = 0
    transition_citation: str = ""  # the hjemmel of a declared transition, "" when none
    # The contract JSON of this rule's values (Value.to_dict copies it and fills in the
    # rest), in the contract's key order; computed once per rule, not per value. No part of
    # the rule's identity: not compared, hashed or shown.
    value_fields: dict[str, object] = attrs.field(init=False, eq=False, hash=False, repr=False)

    def __attrs_post_init__(self) -> None:
        fields = {"rule": self.id, "title": self.title, "version": None, "from": None}
        fields |= {"until": None, "value": None, "citation": self.citation, "explanation": None}
        object.__setattr__(self, "value_fields", fields)


# A msgspec Struct, built in C (an attrs class runs a generated Python __init__), and an
# evaluation builds many of these (see benchmarks/README.md). Not frozen, but treat them as
# values. gc=False: an entry holds only its RuleInfo, texts and numbers, never a cycle.
# The evaluators fill the ``*_day`` slots with int day numbers; the dates are properties.
class Obligation(msgspec.Struct, gc=False):
    """One instance of an obligation: what had to be done by when, and whether it was.

    ``trigger``, ``due`` and ``fulfilled_on`` are dates (``fulfilled_on`` is None unless
    met); ``status`` is a :class:`Status`; ``version`` names the ruleset version that
    governs the instance; ``rule`` carries the rule's id, title, holder and citation.
    """

    rule: RuleInfo
    version: str
    trigger_day: int
    due_day: int
    status: Status
    fulfilled_day: int | None
    as_of_day: int
    note: str = ""  # what set the trigger, when the rule's trigger text is not enough
    # created by a declared transition: the forløb ran when the rule came into force and is
    # treated as begun that day (catalogue §0 *Versions*, C1)
    transition: bool = False

    @property
    def trigger(self) -> datetime.date:
        """The day that started this instance (forløb start, previous meeting, …)."""
        return _fromordinal(self.trigger_day)

    @property
    def due(self) -> datetime.date:
        """The deadline, inclusive — an event on this day still meets the obligation."""
        return _fromordinal(self.due_day)

    @property
    def fulfilled_on(self) -> datetime.date | None:
        """The date of the event that met the obligation, or None."""
        day = self.fulfilled_day
        return None if day is None else _fromordinal(day)

    @property
    def explanation(self) -> list[str]:
        """The Danish sentences a caseworker reads — the trigger, the arithmetic, the outcome
        (the words are :mod:`lovregler.prose.explanations`')."""
        r = self.rule
        return [
            say.trigger_sentence(self.note or r.trigger_text, self.trigger_day),
            say.deadline_sentence(r.deadline_text, self.due_day),
            say.outcome_sentence(
                r.count,
                r.met_word,
                self.fulfilled_day,
                self.due_day,
                self.as_of_day,
                suspended=self.status == SUSPENDED,
                overdue=self.status == OVERDUE,
            ),
        ]

    def to_dict(self) -> ObligationDict:
        """The contract's JSON form; ``"transition": true`` is added (only) to an instance
        created by a declared transition (an addition to the contract, see its docs page)."""
        out: ObligationDict = {
            "rule": self.rule.id,
            "title": self.rule.title,
            "holder": self.rule.holder,
            "version": self.version,
            "trigger": _iso(self.trigger_day),
            "due": _iso(self.due_day),
            "status": self.status,
            "fulfilled_on": iso(self.fulfilled_day),
            "citation": self.rule.citation,
            "explanation": self.explanation,
        }
        if self.transition:
            out["transition"] = True
        return out


# A msgspec Struct, built in C (an attrs class runs a generated Python __init__), and an
# evaluation builds many of these (see benchmarks/README.md). Not frozen, but treat them as
# values. gc=False: an entry holds only its RuleInfo, texts and numbers, never a cycle.
class Right(msgspec.Struct, gc=False):
    """One period of a right: the citizen may claim it from ``start`` to ``until``.

    Both ends are inclusive dates; ``until`` is None for an open-ended right (the internal
    ``until_day`` is then :data:`~lovregler.timecalc.INF`).
    """

    rule: RuleInfo
    version: str
    start_day: int
    until_day: int
    note: str = ""

    @property
    def start(self) -> datetime.date:
        """The first day of the right (the contract's ``from``)."""
        return _fromordinal(self.start_day)

    @property
    def until(self) -> datetime.date | None:
        """The last day of the right, or None while it runs without end."""
        return _date_or_none(self.until_day)

    @property
    def explanation(self) -> list[str]:
        """The Danish sentences of why the right starts and how long it runs."""
        return [
            say.right_sentence(self.note, self.rule.trigger_text, self.start_day, self.until_day)
        ]

    def to_dict(self) -> RightDict:
        """The contract's JSON form."""
        return {
            "rule": self.rule.id,
            "title": self.rule.title,
            "version": self.version,
            "from": _iso(self.start_day),
            "until": iso(self.until_day),
            "citation": self.rule.citation,
            "explanation": self.explanation,
        }


# A msgspec Struct, built in C (an attrs class runs a generated Python __init__), and an
# evaluation builds many of these (see benchmarks/README.md). Not frozen, but treat them as
# values. gc=False: an entry holds only its RuleInfo, texts and numbers, never a cycle.
class Value(msgspec.Struct, gc=False):
    """A value (a refusion rate, …) over a period, ``start`` to ``until`` inclusive."""

    rule: RuleInfo
    version: str
    start_day: int
    until_day: int
    value: int
    note: str = ""

    @property
    def start(self) -> datetime.date:
        """The first day the value holds (the contract's ``from``)."""
        return _fromordinal(self.start_day)

    @property
    def until(self) -> datetime.date | None:
        """The last day the value holds (None only for an open end)."""
        return _date_or_none(self.until_day)

    @property
    def explanation(self) -> list[str]:
        """The Danish sentences of which weeks and which value."""
        return [say.value_sentence(self.note, self.value, iso(self.start_day), iso(self.until_day))]

    def to_dict(self) -> ValueDict:
        """The contract's JSON form."""
        # the dates once, for their fields and the sentence (a refusion caseload has millions);
        # the sentence is prose.explanations.value_sentence's, written out here to save a
        # call per value (a test holds the two to the same words)
        # the rule's own fields copied from its RuleInfo (a dict copy and five stores cost
        # less than an eight-key dict display)
        value, day, end = self.value, self.start_day, self.until_day
        start = _ISO_TEXT[day]
        if end < INF:
            until: str | None = _ISO_TEXT[end]
            sentence = f"Værdien er {value} fra {start} til {until}."
        else:
            until = None
            sentence = f"Værdien er {value} fra {start}."
        note = self.note
        out = self.rule.value_fields.copy()
        out["version"] = self.version
        out["from"] = start
        out["until"] = until
        out["value"] = value
        out["explanation"] = [f"{note} {sentence}" if note else sentence]
        return out  # type: ignore[return-value]  # the keys of ValueDict, filled in


Entry = Obligation | Right | Value
"""Any entry of a :class:`Result`."""


# Sort keys as C-level getters: an evaluation sorts about twenty entries, and a Python lambda
# per entry showed in the kbh profile.
_OBLIGATION_ORDER = operator.attrgetter("due_day", "rule.id", "trigger_day")
_RIGHT_ORDER = operator.attrgetter("rule.id", "start_day", "until_day")
_VALUE_ORDER = operator.attrgetter("rule.id", "start_day")


# A frozen msgspec Struct: one per evaluation, built in C (a frozen attrs __init__ costs an
# object.__setattr__ per field); it holds only texts, a date and tuples of entries.
class Result(msgspec.Struct, frozen=True, gc=False):
    """Everything one ruleset says about one citizen as of one date.

    ``obligations`` are in order of due date, then rule; ``rights`` and ``values`` in order
    of rule, then start. :meth:`to_dict` is the contract's JSON (the ``result`` schema).
    """

    citizen: str
    ruleset: str
    as_of: datetime.date
    obligations: tuple[Obligation, ...]
    rights: tuple[Right, ...]
    values: tuple[Value, ...]

    @classmethod
    def build(
        cls,
        citizen: str,
        ruleset: str,
        as_of: int,
        obligations: Iterable[Obligation],
        rights: Iterable[Right],
        values: Iterable[Value],
        values_in_order: bool = False,
    ) -> Result:
        """Sort entries as the contract says: obligations by due then rule; rights and values
        by rule then from. ``values_in_order``: the values are in that order already (the
        compiler knows it of a ruleset whose one value rule lists its values by day)."""
        # positional, and no sort for an empty kind: once per evaluation, most results
        # have entries of one or two kinds only
        return cls(
            citizen,
            ruleset,
            to_date(as_of),
            tuple(sorted(obligations, key=_OBLIGATION_ORDER)) if obligations else (),
            tuple(sorted(rights, key=_RIGHT_ORDER)) if rights else (),
            (tuple(values) if values_in_order else tuple(sorted(values, key=_VALUE_ORDER)))
            if values
            else (),
        )

    def entries(self, rule: str | None = None) -> list[Entry]:
        """Every obligation, right and value — or only those of one rule id."""
        every: list[Entry] = [*self.obligations, *self.rights, *self.values]
        return every if rule is None else [e for e in every if e.rule.id == rule]

    def to_dict(self) -> ResultDict:
        """The contract's JSON form (§2)."""
        # Per citizen of a caseload: the cached ISO text, and no comprehension for an empty
        # kind (most results have entries of one kind only).
        obligations, rights, values = self.obligations, self.rights, self.values
        return {
            "citizen": self.citizen,
            "ruleset": self.ruleset,
            "as_of": _ISO_TEXT[self.as_of.toordinal()],
            "obligations": [o.to_dict() for o in obligations] if obligations else [],
            "rights": [r.to_dict() for r in rights] if rights else [],
            "values": [v.to_dict() for v in values] if values else [],
        }

    def key(self) -> tuple[object, ...]:
        """A comparable form without explanations (for comparing two evaluators)."""
        return (
            tuple(
                (
                    o.rule.id,
                    o.version,
                    o.trigger_day,
                    o.due_day,
                    str(o.status),
                    o.fulfilled_day,
                    o.transition,
                )
                for o in self.obligations
            ),
            tuple((r.rule.id, r.version, r.start_day, r.until_day) for r in self.rights),
            tuple((v.rule.id, v.version, v.start_day, v.until_day, v.value) for v in self.values),
        )
