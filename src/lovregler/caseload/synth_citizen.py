"""One synthetic citizen's generator state, and the small drawing helpers.

:class:`_Citizen` holds the citizen's own random stream and the events drawn so far; the
schemes (:mod:`~lovregler.caseload.synth_schemes`) draw its history through it.
"""

from __future__ import annotations

import datetime
import math
import random
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .synth_figures import (
    _SNAP,
    _YEAR,
    AGE_GROUPS,
    CADENCE,
    EDUCATION,
    ELAPSED_YEARS,
    FIRST_OFFER_ON_TIME,
    FIRST_TALK,
    IN_JOB_OR_EDUCATION_SHARE,
    MENTOR_DAYS,
    MENTOR_EXTENDED_SHARE,
    MISBRUG,
    OFFER_DAYS,
    OFFER_MIX,
    P_LATE,
    P_ON_TIME,
    PACKAGES,
    PSYCH_SHARE,
    SCHEME_WEIGHTS,
    SHORT_OFFER_SHARE,
    UNDER_30_SCHEMES,
    UNDER_30_SHARE,
)

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


# ---------------------------------------------------------------- one citizen


class _Citizen:
    """The generator state of one citizen: its random stream and the events so far."""

    def __init__(self, index: int, seed: int, horizon: int):
        self.index = index
        # A string seed is hashed with SHA-512 by random.Random: stable across runs.
        self.rng = random.Random(f"lovregler-synth:{seed}:{index}")
        self.horizon = horizon
        self.events: list[_Event] = []

    def build(self, schemes: Mapping[str, Callable[[_Citizen], None]]) -> dict[str, Any]:
        """Draw the citizen's scheme, person and history (``schemes`` draws the history of
        each scheme), and return the contract dict."""
        young, scheme = self.profile()
        self.birth = self.birth_date("under_30" if young else scheme)
        self.facts = self.person(scheme)
        schemes[scheme](self)
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
