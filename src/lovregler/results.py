"""Evaluation results: obligations, rights and values, exactly as ``contract.md`` §2.

Evaluators (compiled and interpreted) produce small records of numbers (int day numbers);
the explanation sentences a caseworker reads are built only when asked for
(:meth:`Result.to_dict` or ``entry.explanation``), so the hot path does no string work.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

import attrs

from .timecalc import INF, to_date

STATUSES = ("pending", "fulfilled", "fulfilled_late", "overdue", "suspended")

STATUS_DA = {
    "pending": "afventer",
    "fulfilled": "opfyldt",
    "fulfilled_late": "opfyldt for sent",
    "overdue": "overskredet",
    "suspended": "suspenderet",
}


def iso(day: int | None) -> str | None:
    """ISO text of a day number; None for None or an open end.

    >>> iso(735659)
    '2015-03-02'
    """
    if day is None or day >= INF:
        return None
    return to_date(day).isoformat()


def status_of(met: int | None, due: int, as_of: int, suspended: bool) -> str:
    """The contract's status (§2): met wins over suspended; unmet is pending while as_of <= due.

    >>> status_of(None, 10, 10, False), status_of(None, 10, 11, False), status_of(12, 10, 20, True)
    ('pending', 'overdue', 'fulfilled_late')
    """
    if met is not None:
        return "fulfilled" if met <= due else "fulfilled_late"
    if suspended:
        return "suspended"
    return "overdue" if as_of > due else "pending"


@attrs.frozen
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


def course_note(course_start: int, transition_day: int, citation: str) -> str:
    """The opening of an explanation for an instance of a declared transition: the forløb's
    real start, then the day it is treated as begun (the caller appends the trigger date).

    >>> course_note(734869, 735234, "Lov nr. 1 § 9")
    'Forløbet begyndte 2013-01-01 og løb, da reglen trådte i kraft 2014-01-01; efter overgangsreglen (Lov nr. 1 § 9) regnes det som begyndt'
    """
    return (
        f"Forløbet begyndte {iso(course_start)} og løb, da reglen trådte i kraft "
        f"{iso(transition_day)}; efter overgangsreglen ({citation}) regnes det som begyndt"
    )


def window_note(k: int, anchor: str | None, transition: str = "") -> str:
    """The opening of an explanation for count period ``k`` (1-based) counted from ``anchor``
    (ISO text; e.g. the forløb's real start; after ``transition``, the day it is treated as
    begun). The caller turns the anchor into text once for all its periods.

    >>> window_note(3, "2013-05-01")
    'Periode 3 regnet fra 2013-05-01 begyndte'
    """
    if transition:
        return f"{transition} {anchor}. Periode {k} regnet derfra begyndte"
    return f"Periode {k} regnet fra {anchor} begyndte"


# Not frozen: a frozen attrs __init__ costs one object.__setattr__ per field, and an
# evaluation builds many of these (see benchmarks/README.md). Treat them as values.
@attrs.define
class Obligation:
    """One instance of an obligation."""

    rule: RuleInfo
    version: str
    trigger: int
    due: int
    status: str
    fulfilled_on: int | None
    as_of: int
    note: str = ""  # what set the trigger, when the rule's trigger text is not enough
    # created by a declared transition: the forløb ran when the rule came into force and is
    # treated as begun that day (catalogue §0 *Versions*, C1)
    transition: bool = False

    @property
    def explanation(self) -> list[str]:
        """Danish sentences: the trigger, the arithmetic, the outcome."""
        r = self.rule
        first = f"{self.note or r.trigger_text} {iso(self.trigger)}."
        if r.deadline_text:
            second = f"Fristen er {r.deadline_text}: {iso(self.due)}."
        else:
            second = f"Fristen er {iso(self.due)}."
        return [first, second, self._outcome()]

    def _outcome(self) -> str:
        r = self.rule
        what = (
            f"{r.count}. {r.met_word}" if r.count > 1 else r.met_word[:1].upper() + r.met_word[1:]
        )
        if self.fulfilled_on is not None:
            late = self.fulfilled_on - self.due
            tail = "opfyldt" if late <= 0 else f"opfyldt for sent ({late} dage efter fristen)"
            return f"{what} {iso(self.fulfilled_on)}: {tail}."
        if self.status == "suspended":
            return "Pligten er suspenderet på fristdagen efter reglen."
        state = "fristen er overskredet" if self.status == "overdue" else "afventer"
        return f"Ingen {r.met_word} pr. {iso(self.as_of)}: {state}."

    def to_dict(self) -> dict[str, object]:
        """The contract's JSON form; ``"transition": true`` is added (only) to an instance
        created by a declared transition (an addition to contract §2, docs/api.rst)."""
        out: dict[str, object] = {
            "rule": self.rule.id,
            "title": self.rule.title,
            "holder": self.rule.holder,
            "version": self.version,
            "trigger": iso(self.trigger),
            "due": iso(self.due),
            "status": self.status,
            "fulfilled_on": iso(self.fulfilled_on),
            "citation": self.rule.citation,
            "explanation": self.explanation,
        }
        if self.transition:
            out["transition"] = True
        return out


# Not frozen: a frozen attrs __init__ costs one object.__setattr__ per field, and an
# evaluation builds many of these (see benchmarks/README.md). Treat them as values.
@attrs.define
class Right:
    """One period of a right; ``until`` is INF when open-ended."""

    rule: RuleInfo
    version: str
    start: int
    until: int
    note: str = ""

    @property
    def explanation(self) -> list[str]:
        """Danish sentences: why the right starts and how long it runs."""
        end = "indtil videre" if self.until >= INF else f"til og med {iso(self.until)}"
        reason = f"{self.note} " if self.note else ""
        if not reason and self.rule.trigger_text.startswith("Udløst af "):
            # the event, in Danish with its condition, that starts this kind of right
            reason = f"{self.rule.trigger_text}. "
        return [f"{reason}Retten gælder fra {iso(self.start)} {end}."]

    def to_dict(self) -> dict[str, object]:
        """The contract's JSON form."""
        return {
            "rule": self.rule.id,
            "title": self.rule.title,
            "version": self.version,
            "from": iso(self.start),
            "until": iso(self.until),
            "citation": self.rule.citation,
            "explanation": self.explanation,
        }


# Not frozen: a frozen attrs __init__ costs one object.__setattr__ per field, and an
# evaluation builds many of these (see benchmarks/README.md). Treat them as values.
@attrs.define
class Value:
    """A value over a period (``from``..``until`` inclusive)."""

    rule: RuleInfo
    version: str
    start: int
    until: int
    value: int
    note: str = ""

    @property
    def explanation(self) -> list[str]:
        """Danish sentences: which weeks and which value."""
        return [f"{self.note} Værdien er {self.value} fra {iso(self.start)} til {iso(self.until)}."]

    def to_dict(self) -> dict[str, object]:
        """The contract's JSON form."""
        return {
            "rule": self.rule.id,
            "title": self.rule.title,
            "version": self.version,
            "from": iso(self.start),
            "until": iso(self.until),
            "value": self.value,
            "citation": self.rule.citation,
            "explanation": self.explanation,
        }


@attrs.frozen
class Result:
    """Everything one ruleset says about one citizen as of one date."""

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
    ) -> Result:
        """Sort entries as the contract says: obligations by due then rule; rights and values
        by rule then from."""
        return cls(
            citizen=citizen,
            ruleset=ruleset,
            as_of=to_date(as_of),
            obligations=tuple(sorted(obligations, key=lambda o: (o.due, o.rule.id, o.trigger))),
            rights=tuple(sorted(rights, key=lambda r: (r.rule.id, r.start, r.until))),
            values=tuple(sorted(values, key=lambda v: (v.rule.id, v.start))),
        )

    def to_dict(self) -> dict[str, object]:
        """The contract's JSON form (§2)."""
        return {
            "citizen": self.citizen,
            "ruleset": self.ruleset,
            "as_of": self.as_of.isoformat(),
            "obligations": [o.to_dict() for o in self.obligations],
            "rights": [r.to_dict() for r in self.rights],
            "values": [v.to_dict() for v in self.values],
        }

    def key(self) -> tuple[object, ...]:
        """A comparable form without explanations (for comparing two evaluators)."""
        return (
            tuple(
                (o.rule.id, o.version, o.trigger, o.due, o.status, o.fulfilled_on, o.transition)
                for o in self.obligations
            ),
            tuple((r.rule.id, r.version, r.start, r.until) for r in self.rights),
            tuple((v.rule.id, v.version, v.start, v.until, v.value) for v in self.values),
        )
