"""Values (catalogue §8): a value per ISO week by benefit-week number, reported as runs of
equal values."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...results import Value
from ...syntax import ast
from ...timecalc import from_date, iso_week_monday
from ..plan import RuleSpan
from .scope import Instance, Scope

if TYPE_CHECKING:
    from .citizen import Citizen


def _value(span: RuleSpan) -> ast.ValueRule:
    """The value a span evaluates."""
    rule = span.rule
    if not isinstance(rule, ast.ValueRule):
        raise TypeError(f"{rule.id} er ikke en værdi")
    return rule


def values(c: Citizen, span: RuleSpan, scope: Scope) -> list[Value]:
    """A value per ISO week by benefit-week number, reported as runs of equal values."""
    wv = _value(span).week_value
    assert wv is not None
    days = c.timeline(wv.timeline, Instance(scope))
    selfs = None if wv.self_support is None else c.timeline(wv.self_support, Instance(scope))
    # days before the first day that exists for the count (regnet fra, else the span's
    # first day) do not exist; week 0 is the week that holds it
    first_day = max(span.start if wv.counted_from is None else from_date(wv.counted_from), c.lo)
    monday = iso_week_monday(first_day)
    weeks = []
    while monday <= c.as_of:
        existing = [d for d in range(monday, monday + 7) if d >= first_day]
        benefit = any(d in days for d in existing)
        if selfs is None:
            restarting = not benefit
        else:
            restarting = not benefit and all(d in selfs for d in existing)
        weeks.append((monday, benefit, restarting))
        monday += 7
    shown = [(m, r) for m, r in _numbered(weeks, wv) if m + 6 >= span.start]
    return _runs(span, shown)


def _numbered(weeks: list[tuple[int, bool, bool]], wv: ast.WeekValue) -> list[tuple[int, int]]:
    """(monday, rate) for each benefit week, numbered as refusion § 6 says: week 1 is the
    first benefit week, and the first after a restart; the count restarts at the end of
    the first week e, after the latest week 1, at which the restarting weeks after that
    week 1 among the ``lookback`` weeks ending with e number ``gap``."""
    out = []
    last_one: int | None = None
    number = 0
    restarted = False
    for i, (monday, benefit, _restarting) in enumerate(weeks):
        if benefit:
            number = 1 if last_one is None or restarted else number + 1
            if number == 1:
                last_one, restarted = i, False
            rate = next(r.value for r in wv.rates if r.up_to is None or number <= r.up_to)
            out.append((monday, rate))
        if last_one is not None and not restarted:
            window = range(max(last_one + 1, i - wv.lookback + 1), i + 1)
            restarted = sum(1 for j in window if weeks[j][2]) >= wv.gap
    return out


def _runs(span: RuleSpan, numbered: list[tuple[int, int]]) -> list[Value]:
    out: list[Value] = []
    for monday, rate in numbered:
        if out and out[-1].value == rate and out[-1].until_day == monday - 1:
            prev = out[-1]
            out[-1] = Value(prev.rule, prev.version, prev.start_day, monday + 6, rate)
        else:
            version = span.version_on(max(monday, span.start))
            if version is not None:
                out.append(Value(span.info, version, monday, monday + 6, rate))
    return out
