"""Calendar arithmetic on int day numbers — the hot path of every compiled evaluator.

A day is ``datetime.date.toordinal()`` (day 1 = 0001-01-01, a Monday); ``INF`` stands for
"open / no end" and passes through every function unchanged. Plain ints keep the evaluators
free of object allocation; ``datetime`` is only touched where the calendar matters (months,
years, weekdays). Each function cites the convention of ``contract.md`` §3 it implements.
The test suite checks the month arithmetic against pendulum, which we use as an oracle only:
a pendulum object per citizen per rule would cost more than the rule itself.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache, lru_cache

__all__ = [
    "INF",
    "add_days",
    "add_months",
    "add_months_ultimo",
    "add_years",
    "add_duration",
    "period_start",
    "period_index",
    "hverdag",
    "is_closed_day",
    "end_of_month",
    "age_on",
    "birthday",
    "iso_week_monday",
    "to_date",
    "from_date",
    "parse_iso",
    "fmt",
]

INF = 10**9
"""Open end. Larger than any real day number (``date.max`` is 3652059)."""

CONVENTIONS = ("standard", "ultimo")

_DAYS_IN_MONTH = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_ISO_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
_fromordinal = date.fromordinal


def _month_length(year: int, month: int) -> int:
    # Inlined leap test: calendar.monthrange builds a tuple and computes a weekday we don't need.
    if month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0):
        return 29
    return _DAYS_IN_MONTH[month]


def add_days(day: int, n: int) -> int:
    """``day`` + ``n`` days (contract §3.1; weeks are ``7 * n``). An open end stays open.

    >>> fmt(add_days(parse_iso("2015-12-30"), 3))
    '2016-01-02'
    >>> add_days(INF, 3) == INF
    True
    """
    return day + n if day < INF else INF


@lru_cache(maxsize=1 << 16)
def shift_months(day: int, n: int, ultimo: bool) -> int:
    """``day`` + ``n`` months for a finite ``day`` (the caller has ruled out ``INF``); ``ultimo``
    maps a month's last day to the target month's last day (:func:`add_months_ultimo`).

    >>> fmt(shift_months(parse_iso("2015-01-31"), 1, False))
    '2015-02-28'
    """
    # Cached because evaluators ask for the same few anchors (forløb starts, samtale dates)
    # over and over; a hit costs ~0.1 µs against ~0.6 µs for the date round-trip.
    d = _fromordinal(day)
    year, month0 = divmod(d.year * 12 + d.month - 1 + n, 12)
    last = _month_length(year, month0 + 1)
    if ultimo and d.day == _month_length(d.year, d.month):
        return date(year, month0 + 1, last).toordinal()
    return date(year, month0 + 1, min(d.day, last)).toordinal()


def add_months(day: int, n: int) -> int:
    """``day`` + ``n`` months: same day-of-month, clamped to the target month's last day.

    Contract §3.2 (forældelsesloven § 27); a negative ``n`` is the subtraction of §3.8.

    >>> fmt(add_months(parse_iso("2015-01-31"), 1))
    '2015-02-28'
    >>> fmt(add_months(parse_iso("2016-08-30"), -18))
    '2015-02-28'
    """
    return shift_months(day, n, False) if day < INF else INF


def add_months_ultimo(day: int, n: int) -> int:
    """``day`` + ``n`` months, **ultimo** convention (contract §3.3, restaurationsloven § 36 a).

    The last day of a month maps to the last day of the target month; any other day as
    :func:`add_months`.

    >>> fmt(add_months_ultimo(parse_iso("2015-02-28"), 1))
    '2015-03-31'
    >>> fmt(add_months_ultimo(parse_iso("2015-02-27"), 1))
    '2015-03-27'
    """
    return shift_months(day, n, True) if day < INF else INF


def add_years(day: int, n: int) -> int:
    """``day`` + ``n`` years = ``add_months(day, 12 * n)`` (contract §3.2, §3.8).

    >>> fmt(add_years(parse_iso("2016-02-29"), 1))
    '2017-02-28'
    """
    return add_months(day, 12 * n)


def add_duration(
    day: int, months: int, days: int, convention: str = "standard", sign: int = 1
) -> int:
    """``day`` ± a duration of (``months``, ``days``) (contract §3.1, §3.2, §3.3, §3.8).

    "N år M måneder" is passed as ``months = 12 * N + M`` and added at once (§3.8), weeks as
    ``days = 7 * W``. The months part is applied first, then the days; ``sign=-1`` subtracts
    both. ``convention`` is ``"standard"`` (§3.2) or ``"ultimo"`` (§3.3).

    >>> fmt(add_duration(parse_iso("2016-02-29"), 2 * 12 + 6, 0))
    '2018-08-29'
    >>> fmt(add_duration(parse_iso("2016-03-31"), 1, 1, sign=-1))  # 2016-02-29, then - 1 day
    '2016-02-28'
    """
    if day >= INF:
        return INF
    if months:
        if convention == "standard":
            day = shift_months(day, sign * months, False)
        elif convention == "ultimo":
            day = shift_months(day, sign * months, True)
        else:
            raise ValueError(
                f"unknown time convention {convention!r}; expected one of {CONVENTIONS}"
            )
    return day + sign * days


def period_start(anchor: int, k: int, months: int, days: int, convention: str = "standard") -> int:
    """First day of count period ``k`` (0-based) of length (``months``, ``days``) from ``anchor``.

    Contract §3.6 and §3.8: periods are computed from the anchor, not chained, so period k
    starts at ``anchor + k·N``; it ends the day before period ``k + 1`` starts.

    >>> fmt(period_start(parse_iso("2016-02-29"), 4, 12, 0))
    '2020-02-29'
    """
    return add_duration(anchor, k * months, k * days, convention)


def period_index(
    anchor: int, day: int, months: int, days: int, convention: str = "standard"
) -> int:
    """The ``k`` with ``period_start(k) <= day < period_start(k + 1)`` (contract §3.6).

    ``day`` must be on or after ``anchor`` and the period length positive. A guess from the
    average month length is corrected by at most a step or two, so this costs O(1).

    >>> a = parse_iso("2016-02-29")
    >>> period_index(a, parse_iso("2017-02-27"), 12, 0), period_index(a, parse_iso("2017-02-28"), 12, 0)
    (0, 1)
    """
    k = max(0, int((day - anchor) / (months * 30.436875 + days)))
    while k > 0 and period_start(anchor, k, months, days, convention) > day:
        k -= 1
    while period_start(anchor, k + 1, months, days, convention) <= day:
        k += 1
    return k


# --- hverdag (contract §3.4) -----------------------------------------------------------------

# Days that are not hverdage although the public calendar has them as working days.
_EXTRA_CLOSED = ((6, 5), (12, 24), (12, 31))


@cache
def _closed_in_year(year: int) -> frozenset[int]:
    # One holidays object per year, ever; the `public` category excludes the optional days
    # (5 June, 24 and 31 December), which §3.4 adds by name below. Imported here, when a
    # rule first counts hverdage: with what it imports (dateutil, email, zipfile, ...) the
    # package adds ≈ 6,000 objects that the garbage collector walks in every full
    # collection of the caller's process, whether or not a rule ever needs a holiday.
    import holidays

    public = holidays.country_holidays("DK", categories=("public",), years=year)
    first, last = date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal()
    weekend = {d for d in range(first, last + 1) if (d - 1) % 7 >= 5}  # ordinal 1 is a Monday
    named = {date(year, m, d).toordinal() for m, d in _EXTRA_CLOSED}
    return frozenset(weekend | named | {d.toordinal() for d in public})


# (first covered day, last covered day, closed days): replaced as a whole when widened so a
# concurrent reader never sees a half-built set.
_closed_cover: tuple[int, int, frozenset[int]] = (INF, -INF, frozenset())


def _closed_days_around(day: int) -> frozenset[int]:
    global _closed_cover
    lo, hi, closed = _closed_cover
    if lo <= day and day + 14 <= hi:  # a run of closed days is at most ~5 long
        return closed
    year = _fromordinal(day).year
    y0 = min(year - 1, _fromordinal(lo).year if lo < INF else year - 1)
    y1 = max(year + 1, _fromordinal(hi).year if hi > 0 else year + 1)
    closed = frozenset().union(*(_closed_in_year(y) for y in range(y0, y1 + 1)))
    _closed_cover = (date(y0, 1, 1).toordinal(), date(y1, 12, 31).toordinal(), closed)
    return closed


def is_closed_day(day: int) -> bool:
    """True when ``day`` is not a hverdag in the sense of contract §3.4.

    Closed: Saturday, Sunday, a Danish public holiday (``holidays`` DK, public category —
    Store Bededag up to 2023 only), 5 June, 24 December and 31 December.

    >>> is_closed_day(parse_iso("2015-06-05")), is_closed_day(parse_iso("2015-06-04"))
    (True, False)
    """
    return day in _closed_days_around(day)


def hverdag(day: int) -> int:
    """``day`` if it is a hverdag, else the next day that is (contract §3.4).

    >>> fmt(hverdag(parse_iso("2015-03-07")))  # Saturday -> Monday
    '2015-03-09'
    >>> fmt(hverdag(parse_iso("2015-03-09")))
    '2015-03-09'
    """
    if day >= INF:
        return INF
    closed = _closed_days_around(day)
    while day in closed:
        day += 1
    return day


# --- calendar helpers ------------------------------------------------------------------------


def end_of_month(day: int) -> int:
    """The last day of ``day``'s calendar month.

    >>> fmt(end_of_month(parse_iso("2016-02-10")))
    '2016-02-29'
    """
    if day >= INF:
        return INF
    d = _fromordinal(day)
    return day + _month_length(d.year, d.month) - d.day


def age_on(birth: int, day: int) -> int:
    """Completed years from ``birth`` to ``day`` (contract §3.9).

    Someone born 29 February turns a year older on 1 March in non-leap years: comparing
    (month, day) pairs gives exactly that, since (2, 28) < (2, 29) < (3, 1).

    >>> b = parse_iso("2000-02-29")
    >>> age_on(b, parse_iso("2017-02-28")), age_on(b, parse_iso("2017-03-01"))
    (16, 17)
    """
    b, d = _fromordinal(birth), _fromordinal(day)
    return d.year - b.year - ((d.month, d.day) < (b.month, b.day))


def birthday(birth: int, years: int) -> int:
    """The first day on which :func:`age_on` reaches ``years`` (contract §3.9).

    Not ``add_years``: a 29 February birth gives 1 March in a non-leap year, not 28 February.

    >>> fmt(birthday(parse_iso("1987-02-28"), 30)), fmt(birthday(parse_iso("1988-02-29"), 30))
    ('2017-02-28', '2018-03-01')
    """
    b = _fromordinal(birth)
    year = b.year + years
    if b.month == 2 and b.day == 29 and _month_length(year, 2) == 28:
        return date(year, 3, 1).toordinal()
    return date(year, b.month, b.day).toordinal()


def iso_week_monday(day: int) -> int:
    """The Monday of ``day``'s ISO week (weeks run Monday–Sunday, catalogue §8).

    >>> fmt(iso_week_monday(parse_iso("2016-01-10")))  # a Sunday
    '2016-01-04'
    """
    return day - (day - 1) % 7  # ordinal 1 (0001-01-01) is a Monday


# --- conversion ------------------------------------------------------------------------------


def to_date(day: int) -> date:
    """The ``datetime.date`` of a day number.

    >>> to_date(735967)
    datetime.date(2016, 1, 4)
    """
    return _fromordinal(day)


def from_date(d: date) -> int:
    """The day number of a ``datetime.date``.

    >>> from_date(date(2016, 1, 4))
    735967
    """
    return d.toordinal()


def parse_iso(s: str) -> int:
    """Parse a strict ``YYYY-MM-DD`` date into a day number.

    ``date.fromisoformat`` alone would also take ``20150101`` or ``2015-W01-1``; the contract
    allows only the extended calendar form.

    >>> parse_iso("2016-01-04")
    735967
    >>> parse_iso("2015-02-29")
    Traceback (most recent call last):
    ...
    ValueError: invalid date '2015-02-29': day is out of range for month
    """
    if not isinstance(s, str) or not _ISO_RE.fullmatch(s):
        raise ValueError(f"invalid date {s!r}: expected YYYY-MM-DD, e.g. 2015-03-07")
    try:
        return date.fromisoformat(s).toordinal()
    except ValueError as e:
        raise ValueError(f"invalid date {s!r}: {e}") from None


def iso(day: int | None) -> str | None:
    """ISO text of a day number; None for None or an open end.

    >>> iso(735659), iso(INF), iso(None)
    ('2015-03-02', None, None)
    """
    if day is None or day >= INF:
        return None
    return iso_day(day)


@lru_cache(maxsize=1 << 16)
def iso_day(day: int) -> str:
    """ISO text of a finite day number.

    >>> iso_day(735659)
    '2015-03-02'
    """
    # Cached: the JSON of a caseload names the same few thousand days over and over, and a
    # hit costs a dict lookup instead of a date object and its formatting.
    return _fromordinal(day).isoformat()


def fmt(day: int) -> str:
    """ISO form of a day number; ``INF`` is ``'åben'`` (open).

    >>> fmt(735967), fmt(INF)
    ('2016-01-04', 'åben')
    """
    return "åben" if day >= INF else _fromordinal(day).isoformat()
