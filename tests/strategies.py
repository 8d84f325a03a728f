"""Hypothesis strategies for citizen histories that exercise the rules' edges.

Histories are valid by construction (every ``*_slut`` closes an open period) and aim at the
boundaries that matter: month ends, 29 February, periods interrupted and resumed, a change of
målgruppe, events on the same day, and the 2020-01-01 version transition.
"""

from __future__ import annotations

import datetime
import os

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

BASE = datetime.date(2010, 6, 1)
SPAN_DAYS = 11 * 365  # to mid-2021: from the 2011 projects across LAB 2015 → LAB 2019

TILBUD = [
    "virksomhedspraktik",
    "løntilskud",
    "vejledning_opkvalificering",
    "helhedsorienteret_mentor",
    "læse_skrive_regne_kursus",
    "realkompetencevurdering",
]


@st.composite
def days(draw: st.DrawFn, lo: int = 0, hi: int = SPAN_DAYS) -> datetime.date:
    """A day, often snapped to a month end or 28/29 February."""
    d = BASE + datetime.timedelta(days=draw(st.integers(lo, hi)))
    snap = draw(st.sampled_from(["none", "none", "month_end", "feb"]))
    if snap == "month_end":
        nxt = (d.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
        d = nxt - datetime.timedelta(days=1)
    elif snap == "feb":
        leap = d.year % 4 == 0
        d = datetime.date(d.year, 2, 29 if leap else 28)
    return d


def _iso(d: datetime.date) -> str:
    return d.isoformat()


@st.composite
def benefit_periods(draw: st.DrawFn, ydelse: str) -> list[dict[str, object]]:
    """One to three non-overlapping periods of a benefit; the last may stay open; målgruppe
    may change inside a period."""
    events: list[dict[str, object]] = []
    cursor = draw(st.sampled_from([0, 300, 1200, 1900, 2600, 3300, 3450, 3480]))
    for _ in range(draw(st.integers(1, 3))):
        start = BASE + datetime.timedelta(days=cursor)
        target = draw(st.sampled_from(["aktivitetsparat", "aktivitetsparat", "jobparat"]))
        ev: dict[str, object] = {"type": "ydelse_start", "date": _iso(start), "ydelse": ydelse}
        if ydelse == "kontanthjælp":
            ev["målgruppe"] = target
        events.append(ev)
        length = draw(st.integers(20, 1400))
        if ydelse == "kontanthjælp" and draw(st.booleans()):
            change = start + datetime.timedelta(days=draw(st.integers(1, length)))
            other = "jobparat" if target == "aktivitetsparat" else "aktivitetsparat"
            events.append(
                {"type": "ydelse_start", "date": _iso(change), "ydelse": ydelse, "målgruppe": other}
            )
        if draw(st.integers(0, 3)) == 0:
            return events  # open period
        end = start + datetime.timedelta(days=length)
        events.append({"type": "ydelse_slut", "date": _iso(end), "ydelse": ydelse})
        cursor += length + draw(st.sampled_from([1, 2, 30, 200]))  # 1: continuous, merges
        if cursor > SPAN_DAYS:
            break
    return events


@st.composite
def offers(draw: st.DrawFn) -> list[dict[str, object]]:
    """Offers, some shorter than 14 days, some open; at most one of each kind at a time."""
    events: list[dict[str, object]] = []
    for tilbud in draw(st.lists(st.sampled_from(TILBUD), max_size=3, unique=True)):
        start = draw(days())
        events.append({"type": "tilbud_start", "date": _iso(start), "tilbud": tilbud})
        if draw(st.booleans()):
            end = start + datetime.timedelta(days=draw(st.sampled_from([5, 12, 13, 14, 40, 90])))
            events.append({"type": "tilbud_slut", "date": _iso(end), "tilbud": tilbud})
    return events


@st.composite
def point_events(draw: st.DrawFn) -> list[dict[str, object]]:
    """Conversations, assessments and tests, some on the same day."""
    events: list[dict[str, object]] = []
    for d in draw(st.lists(days(), max_size=4)):
        events.append({"type": "samtale", "date": _iso(d)})
    for d in draw(st.lists(days(), max_size=3)):
        events.append(
            {"type": "vurdering", "date": _iso(d), "klar_til_tilbud": draw(st.booleans())}
        )
    for d in draw(st.lists(days(), max_size=2)):
        events.append({"type": "test_lsr", "date": _iso(d), "behov": draw(st.booleans())})
    return events


# Gaps between conversations around the deadlines: 7 days, 3 months (90–92), one day late.
GAPS = [0, 3, 7, 8, 30, 60, 85, 89, 90, 91, 92, 93, 120, 200]


@st.composite
def conversations_from(draw: st.DrawFn, start: datetime.date) -> list[dict[str, object]]:
    """A run of conversations from a period's start, most close to the deadlines."""
    events: list[dict[str, object]] = []
    d = start + datetime.timedelta(days=draw(st.sampled_from([0, 2, 6, 7, 8, 15])))
    for _ in range(draw(st.integers(0, 12))):
        events.append({"type": "samtale", "date": _iso(d)})
        d += datetime.timedelta(days=draw(st.sampled_from(GAPS)))
    return events


@st.composite
def offers_from(draw: st.DrawFn, start: datetime.date) -> list[dict[str, object]]:
    """Offers around the 6-month deadline and 12 months after an offer ends."""
    events: list[dict[str, object]] = []
    d = start + datetime.timedelta(days=draw(st.sampled_from([30, 150, 181, 182, 183, 184, 250])))
    for _ in range(draw(st.integers(0, 3))):
        tilbud = draw(st.sampled_from(TILBUD))
        events.append({"type": "tilbud_start", "date": _iso(d), "tilbud": tilbud})
        length = draw(st.sampled_from([5, 12, 13, 14, 40, 90, None]))
        if length is None:
            return events
        end = d + datetime.timedelta(days=length)
        events.append({"type": "tilbud_slut", "date": _iso(end), "tilbud": tilbud})
        d = end + datetime.timedelta(days=draw(st.sampled_from([1, 2, 200, 365, 366, 367])))
    return events


@st.composite
def kontanthjælp_histories(draw: st.DrawFn) -> dict[str, object]:
    """A kontanthjælp citizen: benefit periods, offers, conversations, facts."""
    periods = draw(benefit_periods("kontanthjælp"))
    events = periods + draw(point_events())
    starts = [
        datetime.date.fromisoformat(str(e["date"])) for e in periods if e["type"] == "ydelse_start"
    ]
    for start in starts:
        events += draw(conversations_from(start))
    events += draw(offers_from(starts[0]))  # one sequence: offers of a kind never overlap
    born = datetime.date(
        draw(st.integers(1955, 1994)), draw(st.integers(1, 12)), draw(st.integers(1, 28))
    )
    if draw(st.integers(0, 8)) == 0:
        born = datetime.date(1988, 2, 29)
    facts = {
        "uddannelse": draw(
            st.sampled_from(["grundskole", "erhvervsfaglig", "uoplyst", "gymnasial"])
        )
    }
    return {
        "id": "h",
        "birth_date": _iso(born),
        "facts": facts,
        "events": draw(st.permutations(events)),
    }


as_of_dates = days(200, SPAN_DAYS + 200)


ALL_BENEFITS = [
    "uddannelseshjælp",
    "a_dagpenge",
    "kontanthjælp",
    "ledighedsydelse",
    "revalideringsydelse",
    "forrevalideringsydelse",
    "ressourceforløbsydelse",
    "sygedagpenge",
]


@st.composite
def spells(
    draw: st.DrawFn, start_type: str, end_type: str, attrs: dict[str, object]
) -> list[dict[str, object]]:
    """Non-overlapping spells of a keyless period kind (fleksjob, sygdom)."""
    events: list[dict[str, object]] = []
    cursor = draw(st.sampled_from([0, 400, 1200, 2200, 3300]))
    for _ in range(draw(st.integers(0, 3))):
        start = BASE + datetime.timedelta(days=cursor)
        extra = {k: draw(v) if isinstance(v, st.SearchStrategy) else v for k, v in attrs.items()}
        events.append({"type": start_type, "date": _iso(start), **extra})
        length = draw(st.sampled_from([10, 29, 30, 31, 60, 200, 400, 700, 1900]))
        if draw(st.integers(0, 3)) == 0:
            return events
        events.append({"type": end_type, "date": _iso(start + datetime.timedelta(days=length))})
        cursor += length + draw(st.sampled_from([1, 2, 60, 300]))
    return events


@st.composite
def scheme_events(draw: st.DrawFn) -> list[dict[str, object]]:
    """Visitations, reassessments, referrals and the other scheme events, anywhere."""
    events: list[dict[str, object]] = []
    for d in draw(st.lists(days(), max_size=3)):
        ordning = draw(st.sampled_from(["fleksjob", "fleksjob", "ressourceforløb", "revalidering"]))
        ev: dict[str, object] = {"type": "visitation", "date": _iso(d), "ordning": ordning}
        if ordning == "ressourceforløb":
            ev["varighed_år"] = draw(st.integers(1, 5))
        events.append(ev)
    simple = {
        "revurdering": {
            "ordning": st.sampled_from(["fleksjob", "sygedagpenge", "ressourceforløb"])
        },
        "matchvurdering": {"gruppe": st.integers(1, 5)},
        "afslag": {"ordning": st.sampled_from(["førtidspension", "fleksjob"])},
        "visitationskategori": {"kategori": st.integers(1, 3)},
        "rehabiliteringsteam": {"indstilling": st.sampled_from(["ressourceforløb", "andet"])},
        "koordinerende_sagsbehandler": {},
        "henvisning_anden_aktør": {},
    }
    for etype, attrs in simple.items():
        for d in draw(st.lists(days(), max_size=2)):
            events.append(
                {"type": etype, "date": _iso(d), **{k: draw(v) for k, v in attrs.items()}}
            )
    return events


@st.composite
def any_histories(draw: st.DrawFn) -> dict[str, object]:
    """A citizen of any scheme: several benefits, flex jobs, sick spells and scheme events."""
    events: list[dict[str, object]] = []
    for ydelse in draw(
        st.lists(st.sampled_from(ALL_BENEFITS), min_size=1, max_size=3, unique=True)
    ):
        periods = draw(benefit_periods(ydelse))
        events += periods
        starts = [
            datetime.date.fromisoformat(str(e["date"]))
            for e in periods
            if e["type"] == "ydelse_start"
        ]
        events += draw(conversations_from(starts[0]))
    events += draw(spells("fleksjob_start", "fleksjob_slut", {}))
    events += draw(spells("sygemelding", "raskmelding", {"ansat": st.booleans()}))
    events += draw(scheme_events()) + draw(point_events())
    born = datetime.date(
        draw(st.integers(1950, 1996)), draw(st.integers(1, 12)), draw(st.integers(1, 28))
    )
    facts = {
        "uddannelse": draw(st.sampled_from(["grundskole", "erhvervsfaglig", "uoplyst"])),
        "psykisk_lidelse": draw(st.booleans()),
        "misbrug": draw(st.sampled_from(["ingen", "lettere", "periodisk"])),
        "i_job_eller_uddannelse": draw(st.booleans()),
    }
    return {
        "id": "h",
        "birth_date": _iso(born),
        "facts": facts,
        "events": draw(st.permutations(events)),
    }


REFUSION_BENEFITS = [*ALL_BENEFITS, "uddannelseshjælp", "a_dagpenge"]
REFUSION_BASE = datetime.date(2014, 3, 3)


@st.composite
def refusion_histories(draw: st.DrawFn) -> dict[str, object]:
    """Benefit periods of several ydelser from 2014 on, with gaps near 52 weeks, fleksjob and
    løntilskud in the gaps (catalogue §8: the § 6 restart, § 30 from 2014-07-01)."""
    events: list[dict[str, object]] = []
    cursor = draw(st.integers(0, 700))
    for _ in range(draw(st.integers(1, 4))):
        ydelse = draw(st.sampled_from(REFUSION_BENEFITS))
        start = REFUSION_BASE + datetime.timedelta(days=cursor)
        events.append({"type": "ydelse_start", "date": _iso(start), "ydelse": ydelse})
        length = draw(st.sampled_from([0, 3, 20, 60, 200, 400]))
        if draw(st.integers(0, 4)) == 0:
            break  # open period
        end = start + datetime.timedelta(days=length)
        events.append({"type": "ydelse_slut", "date": _iso(end), "ydelse": ydelse})
        gap = draw(st.sampled_from([1, 2, 30, 357, 363, 364, 365, 371, 380, 800]))
        filler = draw(st.sampled_from(["none", "none", "fleksjob", "løntilskud"]))
        if filler != "none" and gap > 20:
            lo = end + datetime.timedelta(days=draw(st.integers(1, 10)))
            hi = lo + datetime.timedelta(days=draw(st.sampled_from([6, 13, 60, gap - 12])))
            # inside the gap, so fillers never overlap (the next period starts at end + gap)
            hi = min(hi, end + datetime.timedelta(days=gap - 1))
            kind = ("fleksjob_start", "fleksjob_slut") if filler == "fleksjob" else None
            if kind:
                events += [{"type": kind[0], "date": _iso(lo)}, {"type": kind[1], "date": _iso(hi)}]
            else:
                events += [
                    {"type": "tilbud_start", "date": _iso(lo), "tilbud": "løntilskud"},
                    {"type": "tilbud_slut", "date": _iso(hi), "tilbud": "løntilskud"},
                ]
        cursor += length + gap
    return {"id": "h", "birth_date": "1980-05-05", "events": events}


@st.composite
def sick_histories(draw: st.DrawFn) -> dict[str, object]:
    """Sick spells around the 2014-07-01 reform, some touching, with revurderinger before
    and after the thresholds (catalogue §7)."""
    events: list[dict[str, object]] = []
    cursor = draw(st.sampled_from([0, 200, 330, 500, 900]))
    base = datetime.date(2012, 10, 1)
    for _ in range(draw(st.integers(1, 3))):
        start = base + datetime.timedelta(days=cursor)
        events.append({"type": "sygemelding", "date": _iso(start), "ansat": draw(st.booleans())})
        length = draw(st.sampled_from([20, 100, 170, 190, 300, 420, 700]))
        for extra in draw(st.lists(st.integers(0, length + 40), max_size=2)):
            day = start + datetime.timedelta(days=extra)
            events.append({"type": "revurdering", "date": _iso(day), "ordning": "sygedagpenge"})
        if draw(st.integers(0, 3)) == 0:
            break
        end = start + datetime.timedelta(days=length)
        events.append({"type": "raskmelding", "date": _iso(end)})
        cursor += length + draw(st.sampled_from([1, 2, 40, 200, 600]))
    return {"id": "h", "birth_date": "1977-03-03", "events": events}


# Shrinking through the slow reference interpreter can take many minutes; CI reports the
# first failing example instead (run locally to get a shrunk one).
PHASES = [Phase.explicit, Phase.reuse, Phase.generate] if os.environ.get("CI") else list(Phase)


def against_interpreter(max_examples: int) -> settings:
    """Hypothesis settings for a test that runs the reference interpreter (slow)."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        phases=PHASES,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
