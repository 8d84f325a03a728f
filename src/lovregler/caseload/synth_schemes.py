"""The history of each scheme: what a citizen on kontanthjælp, ledighedsydelse, fleksjob,
revalidering, ressourceforløb or sygedagpenge goes through (seed 004 §4), drawn through the
citizen's :class:`~lovregler.caseload.synth_citizen._Citizen`.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from .synth_citizen import _add_years, _Citizen, _index, _month_end, _pick
from .synth_figures import (
    _SNAP,
    _YEAR,
    CADENCE,
    FIRST_TALK,
    LEDIG_TO_FLEKSJOB,
    P_LATE,
    P_ON_TIME,
    RESSOURCE_BUCKETS,
    RESSOURCE_LENGTH,
    RESSOURCE_YEAR,
)

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


SCHEME_BUILDERS: dict[str, Callable[[_Citizen], None]] = {
    "kontanthjælp": _kontanthjaelp,
    "ledighedsydelse": _ledighedsydelse,
    "fleksjob": _fleksjob,
    "revalidering": _revalidering,
    "ressourceforløb": _ressourceforloeb,
    "sygedagpenge": _sygedagpenge,
}
