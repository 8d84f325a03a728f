"""What every node has, and the leaves used throughout: durations, lengths, literals."""

from __future__ import annotations

import attrs

from ...errors import UNKNOWN_POS, SourcePos


def pos_field() -> SourcePos:
    """The ``pos`` field of every node: its source position, left out of equality and
    hashing, so two nodes that say the same thing compare equal wherever they stand."""
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
    pos: SourcePos = pos_field()


@attrs.frozen(kw_only=True)
class AttrLength:
    """A length read from an attribute of the starting event (``varighed_år år``): of the
    forløb's start event, or of the event that started a right."""

    attr: str
    unit: str  # "days" | "weeks" | "months" | "years"
    pos: SourcePos = pos_field()

    def times(self, n: int) -> Duration:
        """The length when the attribute says ``n``: ``varighed_år år`` with 2 is 24 months.

        >>> AttrLength(attr="varighed_år", unit="years").times(2)
        Duration(months=24, days=0, unit_text='')
        """
        months, days = UNIT_LENGTHS[self.unit]
        return Duration(months=n * months, days=n * days)


UNIT_LENGTHS = {"days": (0, 1), "weeks": (0, 7), "months": (1, 0), "years": (12, 0)}
"""A unit of the language as (months, days): a year is 12 months, a week 7 days."""


# ───────────────────────────── literals ─────────────────────────────
@attrs.frozen(kw_only=True)
class Literal:
    """An enum value (``kind="enum"``), int, bool or string literal."""

    value: object
    kind: str  # "enum" | "int" | "bool" | "text"
    pos: SourcePos = pos_field()
