"""Deterministic benchmark inputs, generated with a seeded :class:`random.Random`.

No hypothesis at benchmark time: the same seed gives the same citizens on every run, so two
runs (or two machines) time the same work. The histories follow the contract's JSON form
(``contract.md`` §1) and are realistic rather than adversarial:

* **kontanthjælp** (:func:`kontanthjaelp_citizens`): one or two kontanthjælp periods starting
  2014–2020, about 80 % aktivitetsparat from the start and the rest re-visited from jobparat
  after a few months; durations after seed 004 (about 77 % over a year, 40 % over three);
  a samtale about every three months (most on time, about one in six late, a few missed);
  ret og pligt-offers of mixed kinds and lengths; some vurderinger and læse-skrive-regne
  tests. Histories run to the end of 2021, past the benchmark's ``as_of`` (2021-06-30).
* **refusion** (:func:`refusion_citizens`): one to four benefit periods of mixed ydelser
  between 2015 and 2018 (as_of 2018-12-31).
* **spells** (:func:`sick_spells`): five-year timelines of sick spells as interval tuples, for
  the accumulation-window case.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterator

KONTANTHJAELP_AS_OF = datetime.date(2021, 6, 30)
REFUSION_AS_OF = datetime.date(2018, 12, 31)

_D = datetime.date.fromordinal
_FIRST = datetime.date(2014, 1, 1).toordinal()
_LAST_START = datetime.date(2020, 12, 31).toordinal()
_HORIZON = datetime.date(2021, 12, 31).toordinal()
_NEVER = 10**7  # no further offer

_OFFERS = (
    ("virksomhedspraktik", 30),
    ("løntilskud", 15),
    ("vejledning_opkvalificering", 25),
    ("ordinær_uddannelse", 5),
    ("danskundervisning", 8),
    ("helhedsorienteret_mentor", 7),
    ("læse_skrive_regne_kursus", 5),
    ("realkompetencevurdering", 5),
)
_EDUCATION = (
    ("grundskole", 45),
    ("gymnasial", 10),
    ("erhvervsfaglig", 22),
    ("videregående", 5),
    ("uoplyst", 18),
)
_BENEFITS = (
    ("kontanthjælp", 45),
    ("sygedagpenge", 30),
    ("ledighedsydelse", 10),
    ("ressourceforløbsydelse", 8),
    ("revalideringsydelse", 4),
    ("forrevalideringsydelse", 3),
)


def _pick(rng: random.Random, table: tuple[tuple[str, int], ...]) -> str:
    names, weights = zip(*table, strict=True)
    return rng.choices(names, weights)[0]


def _ev(kind: str, day: int, **attrs: object) -> dict[str, object]:
    return {"type": kind, "date": _D(day).isoformat(), **attrs}


def _duration(rng: random.Random) -> int:
    """Days on kontanthjælp: 23 % under a year, 37 % one to three years, 40 % longer."""
    r = rng.random()
    if r < 0.23:
        return rng.randint(40, 364)
    if r < 0.60:
        return rng.randint(365, 1095)
    return rng.randint(1096, 2600)


def _conversations(rng: random.Random, start: int, end: int) -> list[dict[str, object]]:
    """A samtale soon after the start, then one about every three months."""
    out = []
    day = start + (rng.randint(0, 7) if rng.random() < 0.9 else rng.randint(8, 25))
    while day <= end:
        out.append(_ev("samtale", day, form=rng.choice(("personlig", "telefonisk", "digital"))))
        r = rng.random()
        if r < 0.78:
            day += rng.randint(55, 91)  # on time
        elif r < 0.95:
            day += rng.randint(93, 130)  # late
        else:
            day += rng.randint(150, 260)  # missed one
    return out


def _offers(rng: random.Random, start: int, end: int, free: int) -> tuple[list, int]:
    """Offers one after the other from day ``free`` on (never two at a time, so every
    tilbud_slut closes an open offer); the last may stay open. Returns the events and the
    first day a next offer may start."""
    out: list[dict[str, object]] = []
    day = max(start + rng.randint(20, 240), free)
    while day <= end:
        kind = _pick(rng, _OFFERS)
        out.append(_ev("tilbud_start", day, tilbud=kind))
        length = rng.choice((7, 10, 13, 14, 30, 60, 91, 120, 182))
        if rng.random() < 0.15:
            return out, _NEVER  # still running
        out.append(_ev("tilbud_slut", day + length - 1, tilbud=kind))
        day += length + rng.randint(30, 420)
    return out, day


def _assessments(rng: random.Random, start: int, end: int) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    if start > end:
        return out
    if rng.random() < 0.25:
        day = rng.randint(start, end)
        out.append(_ev("vurdering", day, klar_til_tilbud=False))
        if rng.random() < 0.6:
            out.append(_ev("vurdering", day + rng.randint(30, 300), klar_til_tilbud=True))
    if rng.random() < 0.15:
        out.append(_ev("test_lsr", rng.randint(start, end), behov=rng.random() < 0.6))
    return out


def _period(rng: random.Random, start: int, end: int, free: int) -> tuple[list, int]:
    """One kontanthjælp period with its events (open when it ends after the horizon), and
    the first day a next offer may start."""
    mg = "aktivitetsparat" if rng.random() < 0.8 else "jobparat"
    events = [_ev("ydelse_start", start, ydelse="kontanthjælp", målgruppe=mg)]
    active = start
    if mg == "jobparat":
        active = start + rng.randint(30, 240)
        if active <= end:
            events.append(
                _ev("ydelse_start", active, ydelse="kontanthjælp", målgruppe="aktivitetsparat")
            )
    if end <= _HORIZON:
        events.append(_ev("ydelse_slut", end, ydelse="kontanthjælp"))
    last = min(end, _HORIZON)
    events += _conversations(rng, active, last)
    offers, free = _offers(rng, active, last, free)
    events += offers
    events += _assessments(rng, active, last)
    return events, free


def kontanthjaelp_citizen(rng: random.Random, number: int) -> dict[str, object]:
    """One aktivitetsparat kontanthjælp citizen (contract JSON)."""
    born = _D(
        rng.randint(datetime.date(1956, 1, 1).toordinal(), datetime.date(1999, 12, 31).toordinal())
    )
    start = rng.randint(_FIRST, _LAST_START)
    events: list[dict[str, object]] = []
    free = 0
    for _ in range(2 if rng.random() < 0.3 else 1):
        end = start + _duration(rng)
        period, free = _period(rng, start, end, free)
        events += period
        start = end + rng.randint(30, 400)
        if start > _HORIZON:
            break
    rng.shuffle(events)  # input order is not date order; loading sorts
    return {
        "id": f"kh{number:06d}",
        "birth_date": born.isoformat(),
        "facts": {"uddannelse": _pick(rng, _EDUCATION)},
        "events": events,
    }


def kontanthjaelp_citizens(n: int, seed: int = 2015) -> list[dict[str, object]]:
    """``n`` kontanthjælp citizens, the same for the same seed."""
    rng = random.Random(seed)
    return [kontanthjaelp_citizen(rng, i) for i in range(n)]


def refusion_citizen(rng: random.Random, number: int) -> dict[str, object]:
    """A citizen with one to four benefit periods between 2015 and 2018."""
    day = datetime.date(2015, 1, 1).toordinal() + rng.randint(0, 700)
    last = REFUSION_AS_OF.toordinal()
    events: list[dict[str, object]] = []
    for _ in range(rng.randint(1, 4)):
        if day > last:
            break
        ydelse = _pick(rng, _BENEFITS)
        start: dict[str, object] = {"ydelse": ydelse}
        if ydelse == "kontanthjælp":
            start["målgruppe"] = rng.choice(("aktivitetsparat", "jobparat"))
        events.append(_ev("ydelse_start", day, **start))
        length = rng.choice((6, 20, 60, 150, 300, 500, 900))
        if day + length > last:
            break  # still open on as_of
        events.append(_ev("ydelse_slut", day + length, ydelse=ydelse))
        day += length + rng.choice((2, 10, 40, 120, 300, 380, 500))
    return {
        "id": f"rf{number:06d}",
        "birth_date": _D(rng.randint(700000, 730000)).isoformat(),
        "events": events,
    }


def iter_refusion_citizens(n: int, seed: int = 2016) -> Iterator[dict[str, object]]:
    """``n`` refusion citizens one at a time (for measuring memory while streaming)."""
    rng = random.Random(seed)
    for i in range(n):
        yield refusion_citizen(rng, i)


def refusion_citizens(n: int, seed: int = 2016) -> list[dict[str, object]]:
    """``n`` refusion citizens, the same for the same seed."""
    return list(iter_refusion_citizens(n, seed))


def sick_spells(n: int, seed: int = 2017) -> list[tuple[tuple[int, int], ...]]:
    """``n`` five-year timelines (2014–2018) of sick spells: normalised interval tuples."""
    rng = random.Random(seed)
    first, last = datetime.date(2014, 1, 1).toordinal(), datetime.date(2018, 12, 31).toordinal()
    out = []
    for _ in range(n):
        spells = []
        day = first + rng.randint(0, 200)
        while day <= last:
            end = min(day + rng.choice((3, 10, 25, 45, 80, 120, 200)), last)
            spells.append((day, end))
            day = end + rng.choice((5, 20, 60, 120, 250, 400))
        out.append(tuple(spells))
    return out
