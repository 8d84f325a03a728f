"""The figures a synthetic caseload is drawn from, each with its source.

Seed 004 (Copenhagen's caseload, 1st quarter 2015) gives most of them; the ones the seeds do
not give are marked *Antagelse* (assumption), here and in ``docs/caseload.md``.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

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
