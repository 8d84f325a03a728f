"""What every part of the interpreter shares: where an instance lives (:class:`Scope`,
:class:`Instance`), the comparison operators, and runs of days."""

from __future__ import annotations

import attrs

from ...history import Event
from ...timecalc import INF

HORIZON_DAYS = 6000  # how far past as_of an open period is followed (about 16 years)

OPS = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}
"""The comparison operators of the language, on Python values."""


@attrs.frozen
class Scope:
    """Where a rule instance lives: a forløb (start, end) or the whole citizen.

    ``lo`` is the first day events count and the forløb's start as the rule sees it: the
    real start, or, under a declared transition, the rule's first day in force; ``hi`` the
    last (the forløb's end; events after ``as_of`` do not exist anyway).
    """

    course_start: int
    course_end: int
    lo: int
    hi: int
    per_citizen: bool

    @property
    def transitional(self) -> bool:
        """The forløb is seen as begun later than it really began (a declared transition)."""
        return self.lo > self.course_start


@attrs.frozen
class Instance:
    """Context for evaluating expressions inside one rule instance."""

    scope: Scope
    trigger: int | None = None
    in_deadline: bool = False


def order(e: Event) -> tuple[int, int, int]:
    """An event's place in the history: date, then ``seq``, then input position."""
    return (e.day, e.seq or 0, e.index)


def intervals(days: set[int], horizon: int) -> list[tuple[int, int]]:
    """Maximal runs of consecutive days; a run reaching the horizon is open (INF).

    >>> intervals({1, 2, 3, 7, 9, 10}, horizon=10)
    [(1, 3), (7, 7), (9, 1000000000)]
    """
    out: list[tuple[int, int]] = []
    for d in sorted(days):
        if out and out[-1][1] == d - 1:
            out[-1] = (out[-1][0], d)
        else:
            out.append((d, d))
    return [(s, INF if e >= horizon else e) for s, e in out]
