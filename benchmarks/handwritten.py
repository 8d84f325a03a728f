"""A hand-written evaluator of catalogue §1–2, the yardstick for the compiled one.

This is how a Python programmer would write the aktivitetsparat rules without a rule
language: one pass groups the citizen's events, the forløb are found from the kontanthjælp
periods, and each rule is a short function over sorted day lists with :mod:`bisect`. It
produces the same :class:`~lovregler.results.Result` objects as the compiled evaluator (the
:class:`~lovregler.results.RuleInfo` records are taken from the loaded ruleset, so explanations
read the same), and ``tests/test_handwritten.py`` checks that both agree on every generated
history.

Days are ``date.toordinal()`` numbers, as in the library; month arithmetic is written out
here (contract §3.2: same day of month, clamped to the target month's last day).
"""

from __future__ import annotations

import calendar
import datetime
from bisect import bisect_left, bisect_right
from collections.abc import Iterable

from lovregler.api import Ruleset
from lovregler.history import Event, History
from lovregler.prose.explanations import PREVIOUS_MET, window_note
from lovregler.results import (
    FULFILLED,
    FULFILLED_LATE,
    INF,
    OVERDUE,
    PENDING,
    Obligation,
    Result,
    Right,
    RuleInfo,
    Status,
    iso,
)

LAB2015 = (
    "lab2015",
    datetime.date(2014, 1, 1).toordinal(),
    datetime.date(2019, 12, 31).toordinal(),
)
LAB2019 = ("lab2019", datetime.date(2020, 1, 1).toordinal(), INF)
KBH_FROM = datetime.date(2014, 4, 1).toordinal()  # samtale_hver_tredje_måned in force

RET_OG_PLIGT = frozenset(
    {
        "virksomhedspraktik",
        "løntilskud",
        "vejledning_opkvalificering",
        "ordinær_uddannelse",
        "danskundervisning",
        "helhedsorienteret_mentor",
    }
)
UDEN_ERHVERVSKOMPETENCE = frozenset({"grundskole", "gymnasial", "uoplyst"})


# ───────────────────────────── calendar ─────────────────────────────
def add_months(day: int, n: int) -> int:
    """``day`` + ``n`` months, clamped to the end of the target month (contract §3.2)."""
    d = datetime.date.fromordinal(day)
    year, month0 = divmod(d.year * 12 + d.month - 1 + n, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return datetime.date(year, month0 + 1, min(d.day, last)).toordinal()


def thirtieth_birthday(birth: int) -> int:
    """The day one turns 30 (a 29 February birth turns 30 on 1 March in a common year)."""
    b = datetime.date.fromordinal(birth)
    year = b.year + 30
    if b.month == 2 and b.day == 29 and not calendar.isleap(year):
        return datetime.date(year, 3, 1).toordinal()
    return datetime.date(year, b.month, b.day).toordinal()


def version_of(day: int) -> str:
    """The LAB version in force on ``day`` (on or after 2014-01-01)."""
    return LAB2015[0] if day <= LAB2015[2] else LAB2019[0]


def first_in(days: list[int], lo: int, hi: int) -> int | None:
    """The first day in the sorted list with lo <= day <= hi."""
    i = bisect_left(days, lo)
    return days[i] if i < len(days) and days[i] <= hi else None


def nth_in(days: list[int], n: int, lo: int, hi: int) -> int | None:
    """The n-th day (1-based) in the sorted list with lo <= day <= hi."""
    i = bisect_left(days, lo) + n - 1
    return days[i] if i < len(days) and days[i] <= hi else None


def status(met: int | None, due: int, as_of: int) -> Status:
    """The contract's status of an obligation instance (§2)."""
    if met is not None:
        return FULFILLED if met <= due else FULFILLED_LATE
    return OVERDUE if as_of > due else PENDING


# ───────────────────────────── the citizen ─────────────────────────────
class Citizen:
    """The events of one citizen on or before ``as_of``, grouped for the rules."""

    def __init__(self, history: History, as_of: int):
        self.as_of = as_of
        self.birth = history.birth_day
        self.uddannelse = history.facts.get("uddannelse")
        self.samtaler: list[int] = []
        self.tilbud_starts: list[Event] = []
        self.tilbud_sluts: list[Event] = []
        self.vurderinger: list[tuple[int, object]] = []  # (day, klar_til_tilbud), history order
        self.lsr_behov: list[int] = []
        self.ydelse: list[Event] = []
        self.offer_events: list[Event] = []
        for e in history.until(as_of):
            self._sort_in(e)
        self.offers, self.offer_of = offer_periods(self.offer_events)
        self.qualifying_starts = [e.day for e in self.tilbud_starts if self.qualifies(e)]
        self.mentor_starts = [
            e.day for e in self.tilbud_starts if e.attrs["tilbud"] == "helhedsorienteret_mentor"
        ]

    def _sort_in(self, e: Event) -> None:
        kind = e.type
        if kind == "samtale":
            self.samtaler.append(e.day)
        elif kind == "tilbud_start":
            self.tilbud_starts.append(e)
            self.offer_events.append(e)
        elif kind == "tilbud_slut":
            self.tilbud_sluts.append(e)
            self.offer_events.append(e)
        elif kind == "vurdering":
            self.vurderinger.append((e.day, e.attrs.get("klar_til_tilbud")))
        elif kind == "test_lsr":
            if e.attrs.get("behov") is True:
                self.lsr_behov.append(e.day)
        elif kind in ("ydelse_start", "ydelse_slut") and e.attrs.get("ydelse") == "kontanthjælp":
            self.ydelse.append(e)

    def qualifies(self, e: Event) -> bool:
        """A ret og pligt-offer not shown by its own end to have lasted under 14 days."""
        if e.attrs["tilbud"] not in RET_OG_PLIGT:
            return False
        period = self.offer_of.get(e.index)
        return period is None or long_enough(period)

    def offer_runs_on(self, day: int) -> bool:
        """A qualifying ret og pligt-offer runs on ``day`` and on the day after."""
        return any(
            start <= day < end and long_enough((start, end))
            for kind, periods in self.offers.items()
            if kind in RET_OG_PLIGT
            for start, end in periods
        )

    def mentor_periods(self, lo: int, f: Forløb) -> list[tuple[int, int]]:
        """From each vurdering »ikke klar« to the day before the next »klar« in history
        order (a »klar« later the same day: no right), else the forløb's end."""
        out = []
        for i, (day, ready) in enumerate(self.vurderinger):
            if ready is not False or not lo <= day <= f.hi:
                continue
            nxt = next((d for d, r in self.vurderinger[i + 1 :] if r is True and d <= f.hi), None)
            until = f.end if nxt is None else nxt - 1
            if until >= day:
                out.append((day, until))
        return out

    def courses(self) -> list[tuple[int, int]]:
        """The aktivitetsparat forløb: days of kontanthjælp with målgruppe aktivitetsparat."""
        out: list[tuple[int, int]] = []
        for _start, end, starts in benefit_periods(self.ydelse):
            for i, (day, group) in enumerate(starts):
                last = starts[i + 1][0] - 1 if i + 1 < len(starts) else end
                if group != "aktivitetsparat" or day > last:
                    continue
                if out and day <= out[-1][1] + 1:
                    out[-1] = (out[-1][0], last)
                else:
                    out.append((day, last))
        return out


def benefit_periods(events: Iterable[Event]) -> list[tuple[int, int, list[tuple[int, object]]]]:
    """Kontanthjælp periods (start, end, [(day, målgruppe) of each start]); catalogue §0:
    a start on or before the day after the last end continues that period."""
    periods: list[tuple[int, int, list[tuple[int, object]]]] = []
    open_start: int | None = None
    starts: list[tuple[int, object]] = []
    for e in events:
        if e.type == "ydelse_start":
            if open_start is None:
                if periods and e.day <= periods[-1][1] + 1:
                    open_start, _, starts = periods.pop()
                else:
                    open_start, starts = e.day, []
            starts.append((e.day, e.attrs.get("målgruppe")))
        elif open_start is not None:
            periods.append((open_start, e.day, starts))
            open_start = None
    if open_start is not None:
        periods.append((open_start, INF, starts))
    return periods


def long_enough(period: tuple[int, int]) -> bool:
    """Not shown to have lasted under 14 days (start and end inclusive; open counts)."""
    return period[1] >= INF or period[1] - period[0] + 1 >= 14


def offer_periods(
    events: Iterable[Event],
) -> tuple[dict[str, list[tuple[int, int]]], dict[int, tuple[int, int]]]:
    """Each offer from its own start and end events (in history order; catalogue C5: offers
    that touch are not joined), INF while open; and the offer of each event (by index)."""
    open_: dict[str, tuple[int, list[int]]] = {}
    done: dict[str, list[tuple[int, int]]] = {}
    of: dict[int, tuple[int, int]] = {}
    for e in events:
        kind = e.attrs["tilbud"]
        closed = done.setdefault(kind, [])
        if e.type == "tilbud_start":
            open_.setdefault(kind, (e.day, []))[1].append(e.index)
        elif kind in open_:
            start, members = open_.pop(kind)
            closed.append((start, e.day))
            of.update(dict.fromkeys([*members, e.index], (start, e.day)))
    for kind, (start, members) in open_.items():
        done[kind].append((start, INF))
        of.update(dict.fromkeys(members, (start, INF)))
    return done, of


# ───────────────────────────── the rules ─────────────────────────────
class Forløb:
    """One aktivitetsparat forløb; ``hi`` is the last day whose events exist."""

    __slots__ = ("start", "end", "hi")

    def __init__(self, start: int, end: int, as_of: int):
        self.start = start
        self.end = end
        self.hi = min(end, as_of)


class Handwritten:
    """Catalogue §1 (and §2 when the ruleset has Copenhagen's rule), written by hand."""

    def __init__(self, ruleset: Ruleset):
        self.name = ruleset.name
        self.infos: dict[tuple[str, str], RuleInfo] = {
            (s.info.id, v.name): s.info for s in ruleset.plan.spans for v in s.versions
        }
        self.kbh = any(s.info.id == "samtale_hver_tredje_måned" for s in ruleset.plan.spans)

    def evaluate(self, history: History, as_of: datetime.date | int) -> Result:
        """The same result as ``Ruleset.evaluate`` for the aktivitetsparat rulesets."""
        day = as_of if isinstance(as_of, int) else as_of.toordinal()
        c = Citizen(history, day)
        obligations: list[Obligation] = []
        rights: list[Right] = []
        for start, end in c.courses():
            f = Forløb(start, end, day)
            self.obligations(c, f, obligations)
            self.rights(c, f, rights)
        return Result.build(history.id, self.name, day, obligations, rights, ())

    # ── obligations ──
    def obligations(self, c: Citizen, f: Forløb, out: list[Obligation]) -> None:
        """Every obligation instance of one forløb."""
        for version in (LAB2015, LAB2019):
            self.første_samtale(c, f, version, out)
            self.første_ret_og_pligt_tilbud(c, f, version, out)
        self.fire_samtaler_årligt(c, f, out)
        self.gentaget_ret_og_pligt_tilbud(c, f, out)
        self.fire_samtaler_første_halvår(c, f, out)
        if self.kbh:
            self.samtale_hver_tredje_måned(c, f, out)

    def instance(
        self, c: Citizen, f: Forløb, rule: str, t: int, due: int, met: int | None, note: str = ""
    ) -> Obligation | None:
        """An instance triggered on ``t``, or None when it lapsed with the forløb."""
        if met is None and due > f.end:
            return None
        version = version_of(t)
        info = self.infos[rule, version]
        return Obligation(info, version, t, due, status(met, due, c.as_of), met, c.as_of, note)

    def første_samtale(
        self, c: Citizen, f: Forløb, version: tuple[str, int, int], out: list[Obligation]
    ) -> None:
        """A samtale within 1 uge after the forløb starts, if it starts in the version (C1)."""
        _, first, last = version
        t = f.start
        if first <= t <= min(last, f.hi):
            met = first_in(c.samtaler, t, f.hi)
            if (o := self.instance(c, f, "første_samtale", t, t + 7, met)) is not None:
                out.append(o)

    def første_ret_og_pligt_tilbud(
        self, c: Citizen, f: Forløb, version: tuple[str, int, int], out: list[Obligation]
    ) -> None:
        """A qualifying offer within 6 måneder after the forløb starts (in the version)."""
        _, first, last = version
        t = f.start
        if first <= t <= min(last, f.hi):
            met = first_in(c.qualifying_starts, t, f.hi)
            due = add_months(t, 6)
            if (o := self.instance(c, f, "første_ret_og_pligt_tilbud", t, due, met)) is not None:
                out.append(o)

    def fire_samtaler_årligt(self, c: Citizen, f: Forløb, out: list[Obligation]) -> None:
        """LAB 2015: 4 samtaler in each 12-month period counted from the forløb's real start;
        only periods that begin inside LAB 2015 are listed (C1)."""
        anchor = f.start
        last = min(f.hi, LAB2015[2])
        info = self.infos["fire_samtaler_årligt", "lab2015"]
        start, k = anchor, 0
        while start <= last:
            k += 1
            following = add_months(anchor, 12 * k)
            end = following - 1
            met = nth_in(c.samtaler, 4, start, min(end, f.hi))
            if start >= LAB2015[1] and (met is not None or end <= f.end):
                state = status(met, end, c.as_of)
                note = window_note(k, iso(anchor))
                out.append(Obligation(info, "lab2015", start, end, state, met, c.as_of, note))
            start = following

    def gentaget_ret_og_pligt_tilbud(self, c: Citizen, f: Forløb, out: list[Obligation]) -> None:
        """LAB 2015: the next qualifying offer within 12 måneder after one ends."""
        lo, top = max(f.start, LAB2015[1]), min(f.hi, LAB2015[2])
        seen: set[int] = set()  # one instance per distinct trigger date (catalogue C5)
        for e in c.tilbud_sluts:
            t = e.day
            if t in seen:
                continue
            if lo <= t <= top and c.qualifies(e) and not c.offer_runs_on(t):
                seen.add(t)
                met = first_in(c.qualifying_starts, t, f.hi)
                o = self.instance(c, f, "gentaget_ret_og_pligt_tilbud", t, add_months(t, 12), met)
                if o is not None:
                    out.append(o)

    def fire_samtaler_første_halvår(self, c: Citizen, f: Forløb, out: list[Obligation]) -> None:
        """LAB 2019: 4 samtaler within 6 måneder after a forløb that starts under LAB 2019."""
        t = f.start
        if LAB2019[1] <= t <= f.hi:
            met = nth_in(c.samtaler, 4, t, f.hi)
            due = add_months(t, 6)
            if (o := self.instance(c, f, "fire_samtaler_første_halvår", t, due, met)) is not None:
                out.append(o)

    def samtale_hver_tredje_måned(self, c: Citizen, f: Forløb, out: list[Obligation]) -> None:
        """Copenhagen: after each samtale the next within 3 måneder, from the forløb's first
        one; links triggered before 2014-04-01 carry the chain but are not listed (C5)."""
        t = first_in(c.samtaler, f.start, f.hi)
        note = ""
        while t is not None:
            met = first_in(c.samtaler, t + 1, f.hi)
            due = add_months(t, 3)
            if met is None and due > f.end:
                return  # lapsed with the forløb
            if t >= KBH_FROM:
                o = self.instance(c, f, "samtale_hver_tredje_måned", t, due, met, note)
                assert o is not None
                out.append(o)
            t, note = met, PREVIOUS_MET

    # ── rights ──
    def rights(self, c: Citizen, f: Forløb, out: list[Right]) -> None:
        """Every right of one forløb (seen from 2014-01-01 and the citizen's birth)."""
        lo = max(f.start, LAB2015[1], c.birth)
        if lo > f.hi:
            return
        self.add_rights(out, "helhedsorienteret_mentor", c.mentor_periods(lo, f))
        starts = c.mentor_starts[
            bisect_left(c.mentor_starts, lo) : bisect_right(c.mentor_starts, f.hi)
        ]
        self.add_rights(out, "mentorforløb", [(d, d + 26 * 7 - 1) for d in starts])
        if c.uddannelse in UDEN_ERHVERVSKOMPETENCE:
            start = max(thirtieth_birthday(c.birth), lo)
            if start <= f.end:
                self.add_rights(out, "realkompetencevurdering", [(start, f.end)])
        test = first_in(c.lsr_behov, lo, f.hi)
        if test is not None:
            self.add_rights(out, "læse_skrive_regne_kursus", [(test, f.end)])

    def add_rights(self, out: list[Right], rule: str, periods: list[tuple[int, int]]) -> None:
        """Rights labelled by the version on their first day; a period inside an earlier one
        of the same forløb is left out, also across versions (the rules are the same in both:
        catalogue C5, one right across versions)."""
        seen: list[tuple[int, int]] = []
        for start, until in periods:
            version = version_of(start)
            if any(s <= start and until <= u for s, u in seen):
                continue
            seen.append((start, until))
            out.append(Right(self.infos[rule, version], version, start, until))
