"""A deterministic synthetic Copenhagen caseload.

``synth(n, seed)`` yields ``n`` citizen histories as contract §1 dicts. The citizens are a
stock on :data:`SNAPSHOT` (1st quarter 2015, the date of the figures in seed 004) whose
histories run from the start of their current course up to :data:`HORIZON`. Every figure
used is a named constant below with its source; ``docs/caseload.md`` lists them all, and
marks the ones the seeds do not give as *Antagelse* (assumption).

Citizen ``i`` is generated from its own random stream seeded by ``(seed, i)``, so a citizen
does not depend on how many others are generated, and chunks can be generated in parallel.

>>> first = next(synth(1, seed=7))
>>> first["id"], sorted(first)
('kbh-000000', ['birth_date', 'events', 'facts', 'id'])
>>> next(synth(1, seed=7)) == first
True
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import random
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

__all__ = [
    "HORIZON",
    "SNAPSHOT",
    "main_synth",
    "profile",
    "synth",
    "synth_parallel",
    "write_caseload",
    "write_jsonl",
    "write_tables",
]

#: The stock date: seed 004 counts helårspersoner in 1st quarter 2015.
SNAPSHOT = datetime.date(2015, 3, 31)
#: Histories run up to and including this day; the demo evaluates on it.
HORIZON = datetime.date(2018, 12, 31)

_SNAP = SNAPSHOT.toordinal()
_HORIZON = HORIZON.toordinal()
_YEAR = 365.25

# ---------------------------------------------------------------- population (seed 004 §5)

#: Citizens aged 30+ by scheme, helårspersoner 1st quarter 2015 (seed 004 Boks 1–4).
#: fleksjob: 900 ledige are "knap 32 pct. af alle fleksjobvisiterede" → ~2,800 visiterede,
#: of whom ~1,900 are in a flex job. sygedagpenge has no figure in the seeds (Antagelse).
SCHEME_WEIGHTS: dict[str, int] = {
    "kontanthjælp": 14_800,
    "sygedagpenge": 4_000,
    "fleksjob": 1_900,
    "ledighedsydelse": 900,
    "ressourceforløb": 600,
    "revalidering": 430,
}
#: Share of citizens under 30 (Antagelse: the seeds look at 30+ only; the youth rules need
#: some), and the schemes they are on (uddannelseshjælp is outside the vocabulary, so the
#: young are on kontanthjælp; Antagelse).
UNDER_30_SHARE = 0.15
UNDER_30_SCHEMES: dict[str, int] = {"kontanthjælp": 80, "sygedagpenge": 15, "revalidering": 5}

#: Age groups (lo, hi, weight) at the snapshot. The largest group of each is from seed 004
#: Boks 1–4; the rest of each shape is Antagelse. fleksjob is taken like ledighedsydelse.
AGE_GROUPS: dict[str, Sequence[tuple[int, int, float]]] = {
    "kontanthjælp": ((30, 39, 0.30), (40, 49, 0.36), (50, 59, 0.26), (60, 64, 0.08)),
    "ledighedsydelse": ((30, 39, 0.12), (40, 49, 0.28), (50, 59, 0.42), (60, 64, 0.18)),
    "fleksjob": ((30, 39, 0.12), (40, 49, 0.28), (50, 59, 0.42), (60, 64, 0.18)),
    "revalidering": ((30, 39, 0.45), (40, 49, 0.35), (50, 59, 0.17), (60, 64, 0.03)),
    "ressourceforløb": ((30, 44, 0.30), (45, 54, 0.45), (55, 64, 0.25)),
    "sygedagpenge": ((30, 39, 0.25), (40, 49, 0.30), (50, 59, 0.30), (60, 64, 0.15)),
    "under_30": ((18, 24, 0.45), (25, 29, 0.55)),
}

#: Highest completed education (seed 004 §5.1, Figur 11: 48 % grundskole, 57 % with
#: uoplyst). The split of the other 43 % is Antagelse. Used for every scheme.
EDUCATION: dict[str, float] = {
    "grundskole": 0.48,
    "uoplyst": 0.09,
    "erhvervsfaglig": 0.25,
    "gymnasial": 0.10,
    "videregående": 0.08,
}
#: Complex problems (seed 004 §5.2 names them, gives no shares: Antagelse). "Heavy" schemes
#: are kontanthjælp and ressourceforløb (more than 35 % in F/G groups, §5.3).
PSYCH_SHARE = {"heavy": 0.35, "light": 0.15}
MISBRUG = {
    "heavy": {"ingen": 0.70, "lettere": 0.12, "periodisk": 0.10, "svært": 0.08},
    "light": {"ingen": 0.90, "lettere": 0.05, "periodisk": 0.03, "svært": 0.02},
}
IN_JOB_OR_EDUCATION_SHARE = 0.05  # Antagelse

# ---------------------------------------------------------------- durations (seed 004 §5.3–5.6)

#: Time on the benefit at the snapshot: (lo, hi, share) in years. kontanthjælp: Figur 12
#: ("godt 40 pct. ... over 3 år", "knap 77 pct. ... over 1 år"); ledighedsydelse: Figur 14
#: ("en tredjedel ... over 3 år", "knap 70 pct. ... over 1 år"); revalidering: Figur 15
#: (20 % over 3 år, 63 % over 1 år). The 8-year cap and fleksjob/sygedagpenge are Antagelse.
ELAPSED_YEARS: dict[str, Sequence[tuple[float, float, float]]] = {
    "kontanthjælp": ((0.04, 1, 0.23), (1, 3, 0.37), (3, 8, 0.40)),
    "ledighedsydelse": ((0.04, 1, 0.30), (1, 3, 0.37), (3, 8, 0.33)),
    "revalidering": ((0.04, 1, 0.37), (1, 3, 0.43), (3, 6, 0.20)),
    "fleksjob": ((0.1, 2, 0.35), (2, 5, 0.40), (5, 10, 0.25)),
    "sygedagpenge": ((0.02, 0.15, 0.40), (0.15, 0.42, 0.30), (0.42, 1, 0.25), (1, 1.5, 0.05)),
}
#: Ressourceforløb: year of visitation (Antagelse: the scheme began 2013-01-01 and grew), and
#: the granted length by year (seed 004 Tabel 7: indstillet 1–2 / 2–3 / over 3 år), read as
#: varighed_år {1, 2} / {2, 3} / {4, 5}, equally within a bucket (Fortolkning).
RESSOURCE_YEAR = {2013: 0.25, 2014: 0.50, 2015: 0.25}
RESSOURCE_LENGTH = {
    2013: (0.64, 0.29, 0.07),
    2014: (0.34, 0.44, 0.22),
    2015: (0.31, 0.49, 0.20),
}
RESSOURCE_BUCKETS = ((1, 2), (2, 3), (4, 5))

# ---------------------------------------------------------------- offers (Tabel 2, 4, 5, 6)

#: Offer mix per scheme, from the "Antal forløb 2015" columns. Aktiveringstilbud is
#: vejledning_opkvalificering; Uddannelse is ordinær_uddannelse; private + public praktik and
#: løntilskud are summed. Tabel 4's "Øvrige/Fleksjob" row is the exit to a flex job, not an
#: offer (see LEDIG_TO_FLEKSJOB).
OFFER_MIX: dict[str, dict[str, float]] = {
    "kontanthjælp": {  # Tabel 2
        "fastholdelsesmentor": 984,
        "helhedsorienteret_mentor": 8_048,
        "vejledning_opkvalificering": 11_526,
        "ordinær_uddannelse": 856,
        "virksomhedspraktik": 1_874 + 678,
        "løntilskud": 42 + 200,
    },
    "ledighedsydelse": {  # Tabel 4
        "fastholdelsesmentor": 102,
        "helhedsorienteret_mentor": 18,
        "vejledning_opkvalificering": 1_004,
        "virksomhedspraktik": 388 + 158,
    },
    "revalidering": {  # Tabel 5
        "fastholdelsesmentor": 314,
        "helhedsorienteret_mentor": 28,
        "vejledning_opkvalificering": 200,
        "ordinær_uddannelse": 100,
        "virksomhedspraktik": 86 + 44,
    },
    "ressourceforløb": {  # Tabel 6
        "fastholdelsesmentor": 210,
        "helhedsorienteret_mentor": 250,
        "vejledning_opkvalificering": 578,
        "virksomhedspraktik": 64 + 40,
    },
}
#: Tabel 3: the named packages within vejledning og opkvalificering (shares of activation;
#: the rest is unnamed and gets no ``pakke``).
PACKAGES = {
    "Basis- og kombinationsforløb": 0.24,
    "Særlig intensiv pakke": 0.13,
    "Inklusionspakke": 0.10,
    "Udviklingspakke": 0.05,
    "Jobklub": 0.04,
    "": 0.44,
}
#: Tabel 4: 580 of 2,250 courses (25.8 %) are "Fleksjob": that share of ledighedsydelse
#: periods that end go on to a flex job.
LEDIG_TO_FLEKSJOB = 580 / 2_250
#: Offer length: "den gennemsnitlige aktivering er på lidt over 11 uger", minimum 2 weeks
#: (§4.1.2.2); mentor "i op til 26 uger" and may be extended (§4.1.2.1). Days.
OFFER_DAYS = (14, 140)
SHORT_OFFER_SHARE = 0.04  # Antagelse: offers cut short under the 2-week minimum
MENTOR_DAYS = 26 * 7
MENTOR_EXTENDED_SHARE = 0.30  # Antagelse
#: "Det første tilbud ... vil ligge inden for det første halve år" (§4.1.2.2): 85 % within
#: 6 months (Antagelse for the exact share), the rest 6–10 months.
FIRST_OFFER_ON_TIME = 0.85

# ---------------------------------------------------------------- timeliness

#: Each expected conversation is on time, late or missed (then the next one comes about a
#: cycle later). Seed 004 Figur 3 and 8 show rettidighed as pictures only, so the shares are
#: Antagelse, chosen to land rettidighed around 80 %.
P_ON_TIME, P_LATE = 0.82, 0.13
#: (on-time gap range, late gap range) in days, per cadence. 3 måneder is at least 89 days.
CADENCE: dict[str, tuple[tuple[int, int], tuple[int, int]]] = {
    "3 måneder": ((45, 89), (95, 140)),
    "2 måneder": ((30, 58), (65, 100)),  # ressourceforløb: 6 a year (§4.4.1)
    "4 uger": ((18, 28), (29, 45)),  # sygedagpenge
    "2½ år": ((700, 900), (920, 1_100)),  # fleksjob (§4.2.1)
}
#: First conversation after the start: (on-time offsets, late offsets) in days.
FIRST_TALK: dict[str, tuple[tuple[int, int], tuple[int, int]]] = {
    "1 uge": ((0, 7), (8, 30)),  # kontanthjælp (§4.1.1)
    "3 uger": ((2, 21), (22, 45)),  # ledighedsydelse CV-samtale (§4.2.2)
    "3 måneder": ((20, 89), (95, 140)),  # revalidering (§4.3.1)
    "8 uger": ((7, 55), (56, 90)),  # sygedagpenge (by the end of week 8)
    "2 måneder": ((10, 58), (65, 100)),  # ressourceforløb
}

_Event = tuple[int, str, dict[str, Any]]

# Same-day order: a scheme is granted before the benefit starts, a period starts before
# anything happens in it, and ends come last, so a one-day period closes what it opened.
_PRIORITY = {
    t: i
    for i, t in enumerate(
        (
            "rehabiliteringsteam",
            "koordinerende_sagsbehandler",
            "visitation",
            "sygemelding",
            "ydelse_start",
            "fleksjob_start",
            "vurdering",
            "matchvurdering",
            "visitationskategori",
            "samtale",
            "test_lsr",
            "tilbud_start",
            "tilbud_slut",
            "revurdering",
            "henvisning_anden_aktør",
            "afslag",
            "raskmelding",
            "ydelse_slut",
            "fleksjob_slut",
        )
    )
}


def synth(
    n_citizens: int, seed: int = 0, *, start: int = 0, horizon: datetime.date = HORIZON
) -> Iterator[dict[str, Any]]:
    """Yield ``n_citizens`` synthetic histories (contract §1 dicts), deterministically.

    ``start`` is the index of the first citizen: ``synth(10, s, start=5)`` yields citizens
    5..14 of the same caseload, so parallel writers can share the work.
    """
    for index in range(start, start + n_citizens):
        yield _Citizen(index, seed, horizon.toordinal()).build()


def profile(index: int, seed: int = 0) -> tuple[bool, str]:
    """Whether citizen ``index`` of caseload ``seed`` is under 30, and its scheme.

    >>> profile(0, seed=7) == profile(0, seed=7)
    True
    """
    return _Citizen(index, seed, _HORIZON).profile()


# ---------------------------------------------------------------- one citizen


class _Citizen:
    """The generator state of one citizen: its random stream and the events so far."""

    def __init__(self, index: int, seed: int, horizon: int):
        self.index = index
        # A string seed is hashed with SHA-512 by random.Random: stable across runs.
        self.rng = random.Random(f"lovregler-synth:{seed}:{index}")
        self.horizon = horizon
        self.events: list[_Event] = []

    def build(self) -> dict[str, Any]:
        """Draw the citizen's scheme, person and history, and return the contract dict."""
        young, scheme = self.profile()
        self.birth = self.birth_date("under_30" if young else scheme)
        self.facts = self.person(scheme)
        _SCHEME_BUILDERS[scheme](self)
        return {
            "id": f"kbh-{self.index:06d}",
            "birth_date": _iso(self.birth),
            "facts": self.facts,
            "events": self.sorted_events(),
        }

    def profile(self) -> tuple[bool, str]:
        """The first draws: under 30 or not, and the scheme."""
        young = self.rng.random() < UNDER_30_SHARE
        return young, _pick(self.rng, UNDER_30_SCHEMES if young else SCHEME_WEIGHTS)

    # -- helpers

    def add(self, day: int, kind: str, **attrs: Any) -> None:
        """Record an event, unless it lies after the horizon (it has not happened yet)."""
        if day <= self.horizon:
            self.events.append((day, kind, attrs))

    def between(self, lo: float, hi: float) -> int:
        """A uniform whole number of days in [lo, hi]."""
        return self.rng.randint(math.ceil(lo), math.floor(hi))

    def chance(self, p: float) -> bool:
        """True with probability ``p``."""
        return self.rng.random() < p

    def sorted_events(self) -> list[dict[str, Any]]:
        """The events in date order (same-day order by :data:`_PRIORITY`)."""
        self.events.sort(key=lambda e: (e[0], _PRIORITY[e[1]]))
        return [{"type": kind, "date": _iso(day), **attrs} for day, kind, attrs in self.events]

    def birth_date(self, group: str) -> int:
        """A birth date giving an age from ``AGE_GROUPS[group]`` on the snapshot."""
        lo, hi, _ = _pick_row(self.rng, AGE_GROUPS[group])
        age_days = self.between(lo * _YEAR, (hi + 1) * _YEAR - 1)
        return _SNAP - age_days

    def person(self, scheme: str) -> dict[str, Any]:
        """The facts: education, psychiatric illness, substance abuse, job or education."""
        load = "heavy" if scheme in ("kontanthjælp", "ressourceforløb") else "light"
        return {
            "uddannelse": _pick(self.rng, EDUCATION),
            "psykisk_lidelse": self.chance(PSYCH_SHARE[load]),
            "misbrug": _pick(self.rng, MISBRUG[load]),
            "i_job_eller_uddannelse": self.chance(IN_JOB_OR_EDUCATION_SHARE),
        }

    def course(self, scheme: str) -> tuple[int, int | None]:
        """Start and last day (None while open at the horizon) of the current course.

        Time before the snapshot is drawn from ELAPSED_YEARS. Time after it is drawn from
        the same distribution: in a steady state the age of a running course and its
        remaining life have the same distribution (renewal theory).
        """
        start = _SNAP - self.years(ELAPSED_YEARS[scheme])
        start = max(start, self.adult_day())
        end = _SNAP + self.years(ELAPSED_YEARS[scheme])
        return start, (end if end <= self.horizon else None)

    def years(self, table: Sequence[tuple[float, float, float]]) -> int:
        """A number of days drawn from a (lo, hi, share) table in years."""
        lo, hi, _ = _pick_row(self.rng, table)
        return self.between(lo * _YEAR, hi * _YEAR)

    def adult_day(self) -> int:
        """The citizen's 18th birthday (approximately; only used as a lower bound)."""
        return self.birth + int(18 * _YEAR) + 1

    def last(self, end: int | None) -> int:
        """The last day events can fall on: the course end or the horizon."""
        return min(end, self.horizon) if end is not None else self.horizon

    # -- recurring conversations

    def talks(self, start: int, end: int | None, first: str, cadence: str) -> None:
        """Conversations from ``start`` to ``end``: a first one, then one per cadence."""
        last = self.last(end)
        day = start + self.gap(FIRST_TALK[first])
        while day <= last:
            self.add(day, "samtale", **self.talk_form())
            day += self.gap(CADENCE[cadence])

    def gap(self, ranges: tuple[tuple[int, int], tuple[int, int]]) -> int:
        """Days to the next conversation: on time, late, or missed (about a cycle more)."""
        on_time, late = ranges
        roll = self.rng.random()
        if roll < P_ON_TIME:
            return self.between(*on_time)
        if roll < P_ON_TIME + P_LATE:
            return self.between(*late)
        return on_time[1] + self.between(*late)

    def talk_form(self) -> dict[str, str]:
        """Most conversations are personal; some by phone or digital (Antagelse)."""
        roll = self.rng.random()
        if roll < 0.70:
            return {"form": "personlig"}
        return {"form": "telefonisk"} if roll < 0.90 else {"form": "digital"}

    # -- offers

    def offers(self, scheme: str, start: int, end: int | None) -> None:
        """Offers one after another from ``start``, drawn from the scheme's offer mix."""
        last = self.last(end)
        on_time = self.chance(FIRST_OFFER_ON_TIME)
        day = start + (self.between(14, 180) if on_time else self.between(185, 300))
        while day <= last:
            offer = _pick(self.rng, OFFER_MIX[scheme])
            finish = self.offer(offer, day, end, scheme)
            if finish is None:
                return
            # Next offer: mostly within the year after the last one ended (LAB § 96).
            day = finish + (self.between(7, 330) if self.chance(0.85) else self.between(370, 500))

    def offer(self, offer: str, day: int, end: int | None, scheme: str) -> int | None:
        """One offer from ``day``; returns its last day, or None when still running."""
        if offer == "helhedsorienteret_mentor":
            self.add(max(day - self.between(1, 10), 0), "vurdering", klar_til_tilbud=False)
            length = MENTOR_DAYS * (2 if self.chance(MENTOR_EXTENDED_SHARE) else 1)
        elif self.chance(SHORT_OFFER_SHARE):
            length = self.between(3, 13)
        else:
            length = self.between(*OFFER_DAYS)
        attrs: dict[str, Any] = {"tilbud": offer}
        package = _pick(self.rng, PACKAGES)
        if offer == "vejledning_opkvalificering" and scheme == "kontanthjælp" and package:
            attrs["pakke"] = package
        return self.period(day, day + length - 1, end, "tilbud_start", "tilbud_slut", attrs)

    def period(
        self, first: int, last: int, end: int | None, start_t: str, end_t: str, attrs: dict
    ) -> int | None:
        """A start and end event, the end cut at the course end; None when left open."""
        self.add(first, start_t, **attrs)
        if end is not None:
            last = min(last, end)
        if last > self.horizon:
            return None
        key = {k: v for k, v in attrs.items() if k != "pakke"}
        self.add(last, end_t, **key)
        return last

    def literacy(self, start: int, end: int | None) -> None:
        """A reading/writing/maths test for the low-educated, and sometimes the course."""
        if self.facts["uddannelse"] not in ("grundskole", "uoplyst") or not self.chance(0.2):
            return
        day = start + self.between(14, 365)
        if day > self.last(end):
            return
        need = self.chance(0.5)
        self.add(day, "test_lsr", behov=need)
        if need and self.chance(0.5):
            attrs = {"tilbud": "læse_skrive_regne_kursus"}
            course = day + self.between(7, 60)
            if course <= self.last(end):
                self.period(
                    course, course + self.between(42, 70), end, "tilbud_start", "tilbud_slut", attrs
                )

    # -- ydelse

    def benefit(self, ydelse: str, start: int, end: int | None, **attrs: Any) -> None:
        """A benefit period from ``start`` through ``end`` (open when None)."""
        self.add(start, "ydelse_start", ydelse=ydelse, **attrs)
        if end is not None:
            self.add(end, "ydelse_slut", ydelse=ydelse)


# ---------------------------------------------------------------- the schemes


def _kontanthjaelp(c: _Citizen) -> None:
    """An aktivitetsparat kontanthjælp course (seed 004 §4.1)."""
    start, end = c.course("kontanthjælp")
    forløb = start
    if c.chance(0.15):  # Antagelse: started as jobparat, re-visited as aktivitetsparat
        forløb = start + c.between(30, 270)
        c.add(start, "ydelse_start", ydelse="kontanthjælp", målgruppe="jobparat")
        c.add(start + c.between(0, 7), "samtale", form="personlig")
        if end is not None and forløb > end:
            c.add(end, "ydelse_slut", ydelse="kontanthjælp")
            return
        c.add(forløb, "ydelse_start", ydelse="kontanthjælp", målgruppe="aktivitetsparat")
        if end is not None:
            c.add(end, "ydelse_slut", ydelse="kontanthjælp")
    else:
        c.benefit("kontanthjælp", start, end, målgruppe="aktivitetsparat")
    _match(c, forløb, end)
    c.talks(forløb, end, "1 uge", "3 måneder")
    c.offers("kontanthjælp", forløb, end)
    c.literacy(forløb, end)
    _extras(c, forløb, end)


def _match(c: _Citizen, start: int, end: int | None) -> None:
    """Match assessments: category 4–5 before 2010, group 2–3 from 2010 until 2014."""
    reform_2010 = datetime.date(2010, 1, 1).toordinal()
    reform_2014 = datetime.date(2014, 1, 1).toordinal()
    if start < reform_2010:
        c.add(start, "matchvurdering", gruppe=c.rng.choice((4, 5)))
        if c.last(end) >= reform_2010:
            c.add(reform_2010 + c.between(0, 60), "matchvurdering", gruppe=c.rng.choice((2, 3)))
    elif start < reform_2014:
        c.add(start, "matchvurdering", gruppe=c.rng.choice((2, 3)))


def _extras(c: _Citizen, start: int, end: int | None) -> None:
    """Rarer events: refusals (seed 001 theme 5) and realkompetencevurdering (Antagelse)."""
    last = c.last(end)
    if c.chance(0.05):
        day = start + c.between(30, 900)
        if day <= last:
            c.add(day, "afslag", ordning=c.rng.choice(("førtidspension", "fleksjob")))
    if c.facts["uddannelse"] in ("grundskole", "uoplyst") and c.chance(0.05):
        day = start + c.between(30, 400)
        if day <= last:
            attrs = {"tilbud": "realkompetencevurdering"}
            c.period(day, day + c.between(5, 20), end, "tilbud_start", "tilbud_slut", attrs)


def _ledighedsydelse(c: _Citizen) -> None:
    """A ledig fleksjobvisiteret on ledighedsydelse (seed 004 §4.2.2)."""
    start, end = c.course("ledighedsydelse")
    c.add(start - c.between(0, 30), "visitation", ordning="fleksjob")
    c.benefit("ledighedsydelse", start, end)
    c.talks(start, end, "3 uger", "3 måneder")
    c.offers("ledighedsydelse", start, end)
    _reassessments(c, start, end)
    c.literacy(start, end)
    if end is not None and c.chance(LEDIG_TO_FLEKSJOB):
        _flexjob_period(c, end + 1, None)


def _reassessments(c: _Citizen, start: int, end: int | None) -> None:
    """revurdering after 12 of 18 months, then a referral to another actor (LAS § 74 c)."""
    last, base = c.last(end), start
    while True:
        roll = c.rng.random()
        if roll > P_ON_TIME + P_LATE:
            return  # missed: no revurdering at all
        day = base + (c.between(365, 548) if roll < P_ON_TIME else c.between(549, 700))
        if day > last:
            return
        c.add(day, "revurdering", ordning="fleksjob")
        if c.rng.random() < P_ON_TIME + P_LATE:
            late = c.rng.random() >= P_ON_TIME
            c.add(day + (c.between(32, 90) if late else c.between(1, 28)), "henvisning_anden_aktør")
        base = day


def _fleksjob(c: _Citizen) -> None:
    """A citizen in a flex job (seed 004 §4.2.1), sometimes after ledighedsydelse."""
    start, end = c.course("fleksjob")
    visitation = start - c.between(14, 120)
    c.add(visitation, "visitation", ordning="fleksjob")
    if c.chance(0.3):  # Antagelse: some wait on ledighedsydelse for the flex job
        c.benefit("ledighedsydelse", visitation + 1, start - 1)
        c.add(
            visitation + c.between(2, min(21, start - 1 - visitation)), "samtale", form="personlig"
        )
    _flexjob_period(c, start, end)


def _flexjob_period(c: _Citizen, start: int, end: int | None) -> None:
    """A flex job from ``start``: follow-ups every 2½ years, status before 4½ years."""
    c.add(start, "fleksjob_start")
    _flex_talks(c, start, end)
    if c.chance(0.85):
        status = start + c.between(int(3.5 * _YEAR), int(4.5 * _YEAR) - 1)
        if status <= c.last(end):
            c.add(status, "revurdering", ordning="fleksjob")
    if end is not None:
        c.add(end, "fleksjob_slut")


def _flex_talks(c: _Citizen, start: int, end: int | None) -> None:
    """Follow-up conversations 2½ years apart (LAB § 70 d)."""
    last, day = c.last(end), start
    while True:
        day += c.gap(CADENCE["2½ år"])
        if day > last:
            return
        c.add(day, "samtale", **c.talk_form())


def _revalidering(c: _Citizen) -> None:
    """A revalidend, sometimes through forrevalidering first (seed 004 §4.3)."""
    start, end = c.course("revalidering")
    if c.chance(0.25):  # Antagelse: a forrevalidering of 2–6 months first
        c.add(start, "visitation", ordning="forrevalidering")
        switch = start + c.between(60, 180)
        if end is not None and switch > end:
            c.benefit("forrevalideringsydelse", start, end)
        else:
            c.benefit("forrevalideringsydelse", start, switch - 1)
            c.add(switch, "visitation", ordning="revalidering")
            c.benefit("revalideringsydelse", switch, end)
    else:
        c.add(start, "visitation", ordning="revalidering")
        c.benefit("revalideringsydelse", start, end)
    c.talks(start, end, "3 måneder", "3 måneder")
    c.offers("revalidering", start, end)
    if c.chance(0.5):
        day = start + c.between(300, 500)
        if day <= c.last(end):
            c.add(day, "revurdering", ordning="revalidering")


def _ressourceforloeb(c: _Citizen) -> None:
    """A ressourceforløb of 1–5 years (seed 004 §4.4), often after kontanthjælp or sickness."""
    year = _pick(c.rng, RESSOURCE_YEAR)
    first = datetime.date(year, 1, 1).toordinal()
    last = min(datetime.date(year, 12, 31).toordinal(), _SNAP)
    v = max(c.between(first, last), c.adult_day() + 400)
    bucket = RESSOURCE_BUCKETS[_index(c.rng, RESSOURCE_LENGTH[year])]
    years = c.rng.choice(bucket)
    granted_end = _add_years(v, years) - 1
    end: int | None = granted_end if c.rng.random() > 0.15 else v + c.between(90, granted_end - v)
    if end is not None and end > c.horizon:
        end = None
    _before_ressource(c, v)
    c.add(v, "visitation", ordning="ressourceforløb", varighed_år=years)
    c.benefit("ressourceforløbsydelse", v, end)
    c.talks(v, end, "2 måneder", "2 måneder")
    c.offers("ressourceforløb", v, end)


def _before_ressource(c: _Citizen, v: int) -> None:
    """What comes before a ressourceforløb: the team, the caseworker, the previous benefit."""
    roll = c.rng.random()
    if roll < P_ON_TIME:
        c.add(v - c.between(7, 60), "rehabiliteringsteam", indstilling="ressourceforløb")
    elif roll < P_ON_TIME + P_LATE:
        c.add(v + c.between(1, 45), "rehabiliteringsteam", indstilling="ressourceforløb")
    roll = c.rng.random()
    if roll < P_ON_TIME:
        c.add(v - c.between(0, 30), "koordinerende_sagsbehandler")
    elif roll < P_ON_TIME + P_LATE:
        c.add(v + c.between(1, 60), "koordinerende_sagsbehandler")
    # "som oftest ... sygedagpenge eller kontanthjælp som aktivitetsparat" (§4.4); shares
    # are Antagelse.
    roll = c.rng.random()
    before = max(v - c.between(180, 900), c.adult_day())
    if roll < 0.5:
        c.benefit("kontanthjælp", before, v - 1, målgruppe="aktivitetsparat")
        c.talks(before, v - 1, "1 uge", "3 måneder")
    elif roll < 0.75:
        c.add(before, "sygemelding", ansat=False)
        c.benefit("sygedagpenge", before, v - 1)
        c.add(v - 1, "raskmelding")
        c.talks(before, v - 1, "8 uger", "4 uger")


def _sygedagpenge(c: _Citizen) -> None:
    """A sick spell with sygedagpenge (sygedagpengeloven; all figures Antagelse)."""
    start, end = c.course("sygedagpenge")
    employed = c.chance(0.7)
    if not employed and c.chance(0.5):
        # Antagelse: half of those not employed are ledige a-kasse members, on a-dagpenge
        # until they fall ill (the refusion count runs across both ydelser, catalogue §8)
        c.benefit("a_dagpenge", start - c.between(30, 400), start - 1)
    c.add(start, "sygemelding", ansat=employed)
    c.benefit("sygedagpenge", start, end)
    if end is not None:
        c.add(end, "raskmelding")
    kategori = _pick(c.rng, {1: 0.3, 2: 0.5, 3: 0.2})
    c.add(start + c.between(7, 40), "visitationskategori", kategori=kategori)
    if kategori == 1:
        _sparse_talks(c, start, end)
    else:
        c.talks(start, end, "8 uger", "4 uger")
    _sick_reassessment(c, start, end, employed)


def _sparse_talks(c: _Citizen, start: int, end: int | None) -> None:
    """Kategori 1: the first conversation as for everyone, then rarely (SDL § 13 suspends
    the 4-week deadlines)."""
    day = start + c.gap(FIRST_TALK["8 uger"])
    while day <= c.last(end):
        c.add(day, "samtale", **c.talk_form())
        day += c.between(60, 120)


def _sick_reassessment(c: _Citizen, start: int, end: int | None, employed: bool) -> None:
    """revurdering once kommune-paid days pass 22 weeks (SDL § 24 from 2014-07-01; 52 weeks
    before), due by the end of the month in which they do; on time it often comes a little
    before that day (catalogue C3)."""
    # Kommune-paid days run from day 31 for the employed (the arbejdsgiverperiode), from
    # day 15 otherwise (C3); the 155th (365th before the reform) is the first day over.
    paid = start + (30 if employed else 14)
    reform = datetime.date(2014, 7, 1).toordinal()
    if paid + 154 >= reform:
        trigger = paid + 154
    elif paid + 364 < reform:
        trigger = paid + 364
    else:  # past 22 weeks when the reform comes in (catalogue C5)
        trigger = reform
    if trigger > c.last(end):
        return
    month_end = _month_end(trigger)
    roll = c.rng.random()
    if roll < P_ON_TIME:
        day = c.between(max(start, trigger - 30), month_end)
    elif roll < P_ON_TIME + P_LATE:
        day = month_end + c.between(1, 60)
    else:
        return
    if day <= c.last(end):
        c.add(day, "revurdering", ordning="sygedagpenge")


_SCHEME_BUILDERS: dict[str, Callable[[_Citizen], None]] = {
    "kontanthjælp": _kontanthjaelp,
    "ledighedsydelse": _ledighedsydelse,
    "fleksjob": _fleksjob,
    "revalidering": _revalidering,
    "ressourceforløb": _ressourceforloeb,
    "sygedagpenge": _sygedagpenge,
}


# ---------------------------------------------------------------- small pure helpers


def _iso(day: int) -> str:
    return datetime.date.fromordinal(day).isoformat()


def _pick(rng: random.Random, weights: dict[Any, float] | dict[Any, int]) -> Any:
    """A key of ``weights`` drawn in proportion to its weight."""
    keys = list(weights)
    return keys[_index(rng, [weights[k] for k in keys])]


def _pick_row(rng: random.Random, rows: Sequence[tuple[float, float, float]]) -> tuple:
    """A (lo, hi, weight) row drawn in proportion to its weight."""
    return rows[_index(rng, [row[2] for row in rows])]


def _index(rng: random.Random, weights: Sequence[float]) -> int:
    """An index drawn in proportion to ``weights``."""
    roll = rng.random() * sum(weights)
    for i, w in enumerate(weights):
        roll -= w
        if roll < 0:
            return i
    return len(weights) - 1


def _month_end(day: int) -> int:
    """The last day of ``day``'s calendar month."""
    d = datetime.date.fromordinal(day)
    first_next = datetime.date(d.year + d.month // 12, d.month % 12 + 1, 1)
    return first_next.toordinal() - 1


def _add_years(day: int, years: int) -> int:
    """``day`` + ``years`` years, 29 February clamped to the 28th (contract §3 rule 2)."""
    d = datetime.date.fromordinal(day)
    try:
        return d.replace(year=d.year + years).toordinal()
    except ValueError:
        return d.replace(year=d.year + years, day=28).toordinal()


# ---------------------------------------------------------------- writers


def write_jsonl(citizens: Iterable[dict[str, Any]], path: str | os.PathLike[str]) -> int:
    """Write citizens as JSON Lines (UTF-8, one object per line); returns the count."""
    count = 0
    with open(path, "w", encoding="utf-8") as out:
        for citizen in citizens:
            out.write(json.dumps(citizen, ensure_ascii=False, separators=(",", ":")))
            out.write("\n")
            count += 1
    return count


def write_tables(
    citizens: Iterable[dict[str, Any]], directory: str | os.PathLike[str], *, fmt: str = "parquet"
) -> int:
    """Write citizens as the contract's event log + citizens table (``fmt`` parquet or csv)."""
    from .tables import write_tables as _write

    return _write(citizens, directory, fmt=fmt)


# ---------------------------------------------------------------- parallel generation

_CHUNK = 1_000


def _chunk(args: tuple[int, int, int, int]) -> list[dict[str, Any]]:
    start, n, seed, horizon = args
    return list(synth(n, seed, start=start, horizon=datetime.date.fromordinal(horizon)))


def synth_parallel(
    n_citizens: int, seed: int = 0, *, horizon: datetime.date = HORIZON, workers: int | None = None
) -> Iterator[dict[str, Any]]:
    """The same citizens as :func:`synth`, generated on ``workers`` processes, in order."""
    workers = workers or os.cpu_count() or 1
    if workers <= 1 or n_citizens <= _CHUNK:
        yield from synth(n_citizens, seed, horizon=horizon)
        return
    import multiprocessing

    jobs = [
        (start, min(_CHUNK, n_citizens - start), seed, horizon.toordinal())
        for start in range(0, n_citizens, _CHUNK)
    ]
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    with multiprocessing.get_context(method).Pool(workers) as pool:
        # imap keeps the order; chunks of 1,000 citizens keep memory small.
        for citizens in pool.imap(_chunk, jobs):
            yield from citizens


# ---------------------------------------------------------------- command line


def write_caseload(
    citizens: Iterable[dict[str, Any]], directory: str | os.PathLike[str], formats: Sequence[str]
) -> int:
    """Write one pass of ``citizens`` in every format asked for (jsonl, parquet, csv)."""
    from .tables import CaseloadWriter

    with CaseloadWriter(directory, formats) as writer:
        for citizen in citizens:
            writer.add(citizen)
    return writer.count


def build_parser(parser: argparse.ArgumentParser | None = None) -> argparse.ArgumentParser:
    """The ``lovregler synth`` arguments (on ``parser`` when given, e.g. a subparser)."""
    p = parser or argparse.ArgumentParser(
        prog="lovregler synth", description="Dan en syntetisk københavnsk sagsmængde."
    )
    p.add_argument("--citizens", type=int, default=30_000, help="antal borgere (standard 30.000)")
    p.add_argument("--seed", type=int, default=0, help="frø: samme frø giver samme borgere")
    p.add_argument("-o", "--output", required=True, help="mappe til filerne")
    p.add_argument(
        "--format",
        default="jsonl,parquet",
        help="kommasepareret: jsonl, parquet, csv (standard jsonl,parquet)",
    )
    p.add_argument("--horizon", default=HORIZON.isoformat(), help="sidste dag i historikkerne")
    p.add_argument("--workers", type=int, default=None, help="processer (standard: alle kerner)")
    return p


def main_synth(argv: Sequence[str] | None = None) -> int:
    """``lovregler synth``: returns the exit code."""
    return run_synth_args(build_parser().parse_args(argv))


def run_synth_args(args: argparse.Namespace) -> int:
    """Generate and write a caseload from parsed arguments."""
    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    unknown = set(formats) - {"jsonl", "parquet", "csv"}
    try:
        horizon = datetime.date.fromisoformat(args.horizon)
    except ValueError:
        unknown.add(f"--horizon {args.horizon}")
    if unknown or args.citizens < 0:
        print(
            f"lovregler synth: ukendt: {', '.join(sorted(unknown)) or '--citizens'}",
            file=sys.stderr,
        )
        return 2
    citizens = synth_parallel(args.citizens, args.seed, horizon=horizon, workers=args.workers)
    try:
        count = write_caseload(citizens, args.output, formats)
    except OSError as exc:
        print(f"lovregler synth: {exc}", file=sys.stderr)
        return 2
    print(f"{count} borgere (frø {args.seed}) → {args.output} ({', '.join(formats)})")
    return 0
