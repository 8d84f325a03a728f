"""Tests for lovregler.timecalc: contract §3 worked by hand, then properties against pendulum."""

from __future__ import annotations

import datetime as dt

import holidays
import pendulum
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from lovregler.timecalc import (
    INF,
    add_days,
    add_duration,
    add_months,
    add_months_ultimo,
    add_years,
    age_on,
    birthday,
    end_of_month,
    fmt,
    from_date,
    hverdag,
    is_closed_day,
    iso_week_monday,
    parse_iso,
    period_index,
    period_start,
    to_date,
)


def D(s: str) -> int:
    return parse_iso(s)


# --- contract §3, by hand --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        ("2015-12-30", 3, "2016-01-02"),  # 30, 31 Dec, then 1, 2 Jan
        ("2016-02-27", 3, "2016-03-01"),  # 28, 29 Feb (leap), 1 Mar
        ("2015-03-01", -1, "2015-02-28"),
        ("2015-01-01", 7 * 3, "2015-01-22"),  # 3 uger = 21 days: 1 + 21 = 22
    ],
)
def test_add_days(start: str, n: int, expected: str) -> None:
    assert fmt(add_days(D(start), n)) == expected


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        ("2015-01-31", 1, "2015-02-28"),  # §3.2: 31 Feb does not exist -> last day of Feb 2015
        ("2015-08-31", 6, "2016-02-29"),  # §3.2: Aug + 6 = Feb 2016 (leap), 31 -> 29
        ("2016-02-29", 12, "2017-02-28"),  # §3.2: + 1 år; 29 Feb 2017 does not exist -> 28
        ("2016-08-30", -18, "2015-02-28"),  # §3.8: Aug 2016 - 18 = Feb 2015; 30 -> 28
        ("2015-03-15", 1, "2015-04-15"),  # plain case, same day-of-month
        ("2015-12-15", 1, "2016-01-15"),  # year roll-over: month 12 + 1 = month 1 next year
        ("2015-01-15", -1, "2014-12-15"),  # year roll-back
        ("2015-02-28", 1, "2015-03-28"),  # standard: last of Feb is NOT mapped to 31 Mar
    ],
)
def test_add_months_contract_examples(start: str, n: int, expected: str) -> None:
    assert fmt(add_months(D(start), n)) == expected


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        ("2015-02-28", 1, "2015-03-31"),  # §3.3: 28 Feb 2015 is ultimo -> ultimo March
        ("2015-02-27", 1, "2015-03-27"),  # not the last day -> as standard
        ("2016-02-28", 1, "2016-03-28"),  # 2016 is leap: 28 Feb is not ultimo
        ("2015-04-30", 10, "2016-02-29"),  # ultimo Apr + 10 = ultimo Feb 2016
        ("2015-03-31", -1, "2015-02-28"),  # subtraction, ultimo Mar - 1 = ultimo Feb
        ("2015-09-30", -1, "2015-08-31"),  # ultimo Sep - 1 = ultimo Aug (standard would give 30)
    ],
)
def test_add_months_ultimo(start: str, n: int, expected: str) -> None:
    assert fmt(add_months_ultimo(D(start), n)) == expected


def test_add_years() -> None:
    assert fmt(add_years(D("2016-02-29"), 1)) == "2017-02-28"  # §3.2
    assert fmt(add_years(D("2016-02-29"), 4)) == "2020-02-29"  # 48 months at once, leap again
    assert fmt(add_years(D("2016-02-29"), -1)) == "2015-02-28"


def test_add_duration() -> None:
    # §3.8: 2 år 6 måneder = 30 months at once: Feb 2016 + 30 = Aug 2018, day 29 exists
    assert fmt(add_duration(D("2016-02-29"), 2 * 12 + 6, 0)) == "2018-08-29"
    # chained it would differ: 2016-02-29 + 2 år = 2018-02-28, + 6 måneder = 2018-08-28
    assert fmt(add_months(add_years(D("2016-02-29"), 2), 6)) == "2018-08-28"
    # months first, then days: 2016-01-31 + 1 måned = 2016-02-29, + 1 dag = 2016-03-01
    assert fmt(add_duration(D("2016-01-31"), 1, 1)) == "2016-03-01"
    # subtraction mirrors it: 2016-03-31 - 1 måned = 2016-02-29, - 1 dag = 2016-02-28
    assert fmt(add_duration(D("2016-03-31"), 1, 1, sign=-1)) == "2016-02-28"
    # §3.8: 2016-08-30 - 18 måneder = 2015-02-28
    assert fmt(add_duration(D("2016-08-30"), 18, 0, sign=-1)) == "2015-02-28"
    # ultimo: 2015-02-28 + 1 måned ultimo = 2015-03-31, + 7 dage = 2015-04-07
    assert fmt(add_duration(D("2015-02-28"), 1, 7, "ultimo")) == "2015-04-07"
    # 26 uger - 1 dag (mentorforløb): 2015-01-05 + 182 - 1 = 2015-07-05
    assert fmt(add_duration(D("2015-01-05"), 0, 26 * 7 - 1)) == "2015-07-05"
    assert add_duration(INF, 5, 5) == INF
    with pytest.raises(ValueError, match="unknown time convention"):
        add_duration(D("2015-01-01"), 1, 0, "primo")


def test_count_periods_from_anchor() -> None:
    a = D("2016-02-29")
    # §3.8: period k starts at A + k·12 måneder, computed from A (not chained):
    # k=1: Feb 2017 has no 29th -> 2017-02-28; k=4: Feb 2020 is leap -> 2020-02-29
    assert fmt(period_start(a, 1, 12, 0)) == "2017-02-28"
    assert fmt(period_start(a, 4, 12, 0)) == "2020-02-29"
    # chaining would have lost the 29th for good: 2017-02-28 + 3 × 12 = 2020-02-28
    assert fmt(add_months(period_start(a, 1, 12, 0), 36)) == "2020-02-28"
    # §3.6: period 0 is [A, A + N - 1 dag] = [2016-02-29, 2017-02-27]; due = its last day
    assert period_index(a, D("2017-02-27"), 12, 0) == 0
    assert period_index(a, D("2017-02-28"), 12, 0) == 1
    assert period_index(a, D("2020-02-28"), 12, 0) == 3  # period 3 = [2019-02-28, 2020-02-28]
    assert period_index(a, D("2020-02-29"), 12, 0) == 4
    assert period_index(a, a, 12, 0) == 0


# --- hverdag (§3.4), worked from a calendar ----------------------------------------------------


@pytest.mark.parametrize(
    ("deadline", "expected"),
    [
        ("2015-03-09", "2015-03-09"),  # Monday, an ordinary working day
        ("2015-03-07", "2015-03-09"),  # Sat 7 -> Sun 8 -> Mon 9
        ("2015-03-08", "2015-03-09"),  # Sun 8 -> Mon 9
        ("2015-12-24", "2015-12-28"),  # Thu 24 (juleaften) -> 25, 26 (jul, Sat) -> 27 Sun -> Mon 28
        ("2015-06-05", "2015-06-08"),  # Fri 5 June (grundlovsdag) -> Sat 6 -> Sun 7 -> Mon 8
        ("2016-03-24", "2016-03-29"),  # skærtorsdag 24 -> langfredag 25 -> Sat 26 -> påskedag 27
        #                                -> 2. påskedag Mon 28 -> Tue 29
        ("2015-12-31", "2016-01-04"),  # Thu 31 Dec -> nytårsdag Fri 1 -> Sat 2 -> Sun 3 -> Mon 4
        ("2016-05-05", "2016-05-06"),  # Kristi himmelfart Thu -> Fri 6 is a working day
        ("2015-05-24", "2015-05-26"),  # pinsedag (Sun) -> 2. pinsedag Mon 25 -> Tue 26
        ("2016-04-22", "2016-04-25"),  # store bededag Fri 22 -> Sat 23 -> Sun 24 -> Mon 25
        ("2023-05-05", "2023-05-08"),  # store bededag 2023 (its last year), Fri -> Mon 8
        ("2024-04-26", "2024-04-26"),  # would-be store bededag 2024: abolished, working day
        ("2021-12-24", "2021-12-27"),  # Fri 24 -> Sat 25 -> Sun 26 -> Mon 27
    ],
)
def test_hverdag(deadline: str, expected: str) -> None:
    assert fmt(hverdag(D(deadline))) == expected


def test_store_bededag_abolished_in_installed_holidays() -> None:
    # §3.4 requires a holidays version where Store Bededag stops in 2024.
    assert is_closed_day(D("2023-05-05"))  # Friday, store bededag 2023
    assert not is_closed_day(D("2024-04-26"))  # Friday, 4th Friday after Easter 2024
    public_2024 = holidays.country_holidays("DK", categories=("public",), years=2024)
    assert dt.date(2024, 4, 26) not in public_2024


def test_hverdag_open_end() -> None:
    assert hverdag(INF) == INF


# --- age (§3.9) ----------------------------------------------------------------------------


def test_age_on() -> None:
    b = D("1985-06-15")
    assert age_on(b, D("2015-06-14")) == 29  # the day before the 30th birthday
    assert age_on(b, D("2015-06-15")) == 30  # on the birthday
    assert age_on(b, b) == 0
    leap = D("2000-02-29")
    assert age_on(leap, D("2016-02-28")) == 15  # leap year: birthday is 29 Feb
    assert age_on(leap, D("2016-02-29")) == 16
    assert age_on(leap, D("2017-02-28")) == 16  # non-leap: not yet on 28 Feb ...
    assert age_on(leap, D("2017-03-01")) == 17  # ... but on 1 March


def test_birthday() -> None:
    assert fmt(birthday(D("1985-06-15"), 30)) == "2015-06-15"
    assert fmt(birthday(D("1988-02-29"), 30)) == "2018-03-01"  # 2018 not leap -> 1 March
    assert fmt(birthday(D("1988-02-29"), 28)) == "2016-02-29"  # 2016 leap -> 29 Feb
    # not add_years: that clamps to 28 Feb, the day before age 30 is reached
    assert fmt(add_years(D("1988-02-29"), 30)) == "2018-02-28"


# --- other helpers ------------------------------------------------------------------------------


def test_end_of_month_and_iso_week() -> None:
    assert fmt(end_of_month(D("2015-02-01"))) == "2015-02-28"
    assert fmt(end_of_month(D("2016-02-29"))) == "2016-02-29"
    assert fmt(end_of_month(D("2015-12-05"))) == "2015-12-31"
    assert end_of_month(INF) == INF
    assert fmt(iso_week_monday(D("2016-01-04"))) == "2016-01-04"  # Monday of ISO week 2016-W01
    assert fmt(iso_week_monday(D("2016-01-03"))) == "2015-12-28"  # Sunday of 2015-W53


def test_conversions() -> None:
    assert to_date(from_date(dt.date(2015, 3, 7))) == dt.date(2015, 3, 7)
    assert fmt(INF) == "åben"


@pytest.mark.parametrize(
    "bad",
    ["2015-2-01", "20150201", "2015-W01-1", "2015-02-30", " 2015-02-01", "2015-02-01T00:00", ""],
)
def test_parse_iso_rejects(bad: str) -> None:
    with pytest.raises(ValueError, match="invalid date"):
        parse_iso(bad)


def test_parse_iso_rejects_non_ascii_digits() -> None:
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        parse_iso("２０１５-01-01")


# --- properties against pendulum (the oracle) ----------------------------------------------------

dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))
month_counts = st.integers(min_value=-240, max_value=240)


def P(d: dt.date) -> pendulum.Date:
    return pendulum.Date(d.year, d.month, d.day)


@given(dates, month_counts)
def test_add_months_matches_pendulum(d: dt.date, n: int) -> None:
    assert to_date(add_months(from_date(d), n)) == P(d).add(months=n)


@given(dates, st.integers(min_value=-20, max_value=20))
def test_add_years_matches_pendulum(d: dt.date, n: int) -> None:
    assert to_date(add_years(from_date(d), n)) == P(d).add(years=n)


@given(dates, month_counts)
def test_add_months_ultimo_matches_pendulum(d: dt.date, n: int) -> None:
    p = P(d)
    shifted = p.add(months=n)
    expected = shifted.end_of("month") if p == p.end_of("month") else shifted
    assert to_date(add_months_ultimo(from_date(d), n)) == expected


@given(
    dates,
    st.integers(min_value=0, max_value=120),
    st.integers(min_value=0, max_value=400),
    st.sampled_from([1, -1]),
)
def test_add_duration_matches_pendulum(d: dt.date, months: int, days: int, sign: int) -> None:
    p = P(d)
    expected = (
        p.add(months=months, days=days) if sign == 1 else p.subtract(months=months, days=days)
    )
    assert to_date(add_duration(from_date(d), months, days, sign=sign)) == expected


def birthday_age(birth: dt.date, day: dt.date) -> int:
    """Completed years by the calendar: this year's birthday (1 March for a 29 February birth
    in a common year, contract §3.9) has come or not. Pendulum is no oracle here: 3.3 counts
    1999-02-03 → 2000-02-01 as one year."""
    try:
        this_year = birth.replace(year=day.year)
    except ValueError:  # 29 February in a common year
        this_year = dt.date(day.year, 3, 1)
    return day.year - birth.year - (day < this_year)


@given(dates, dates)
@example(dt.date(1999, 2, 3), dt.date(2000, 2, 1))  # 0 years; pendulum 3.3 says 1
@example(dt.date(2000, 2, 29), dt.date(2017, 2, 28))  # 16: the birthday is 1 March
def test_age_on_counts_completed_years(a: dt.date, b: dt.date) -> None:
    birth, day = min(a, b), max(a, b)
    assert age_on(from_date(birth), from_date(day)) == birthday_age(birth, day)


@given(dates, st.integers(min_value=0, max_value=100))
def test_birthday_is_first_day_of_age(d: dt.date, years: int) -> None:
    b = from_date(d)
    day = birthday(b, years)
    assert age_on(b, day) >= years
    assert age_on(b, day - 1) < years


@given(dates)
def test_calendar_helpers_match_pendulum(d: dt.date) -> None:
    p = P(d)
    assert to_date(end_of_month(from_date(d))) == p.end_of("month")
    assert to_date(iso_week_monday(from_date(d))) == p.start_of("week")
    assert parse_iso(fmt(from_date(d))) == from_date(d)


_DK = holidays.country_holidays("DK", categories=("public",), years=range(1990, 2041))


def _naive_closed(d: dt.date) -> bool:
    # independent restatement of §3.4, straight from the holidays object
    return d.weekday() >= 5 or d in _DK or (d.month, d.day) in {(6, 5), (12, 24), (12, 31)}


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2040, 12, 20)))
def test_hverdag_is_next_open_day(d: dt.date) -> None:
    result = to_date(hverdag(from_date(d)))
    assert result >= d
    assert not _naive_closed(result)
    # every day skipped was closed
    assert all(_naive_closed(d + dt.timedelta(days=i)) for i in range((result - d).days))


@given(
    dates,
    st.integers(min_value=0, max_value=3000),
    st.integers(min_value=0, max_value=24),
    st.integers(min_value=0, max_value=40),
)
def test_period_index_consistent(a: dt.date, offset: int, months: int, days: int) -> None:
    if months == 0 and days == 0:
        days = 1
    anchor = from_date(a)
    day = anchor + offset
    k = period_index(anchor, day, months, days)
    assert period_start(anchor, k, months, days) <= day < period_start(anchor, k + 1, months, days)
