"""The synthetic caseload: deterministic, valid per contract §1, and shaped like seed 004.

The expected shares are computed by hand from the seed's figures (comments give the sums);
tolerances are about four standard deviations of a proportion at the sample size.
"""

from __future__ import annotations

import collections
import datetime
import json

import pytest

from lovregler.caseload.synth import (
    HORIZON,
    SNAPSHOT,
    main_synth,
    profile,
    synth,
    synth_parallel,
    write_jsonl,
)
from lovregler.history import History
from vocab_fixture import VOCABULARY

SEED = 2015
N = 4000


@pytest.fixture(scope="module")
def caseload() -> list[dict]:
    return list(synth(N, SEED))


@pytest.fixture(scope="module")
def profiles() -> list[tuple[bool, str]]:
    return [profile(i, SEED) for i in range(N)]


def test_deterministic_and_independent_of_size() -> None:
    assert list(synth(20, seed=3)) == list(synth(20, seed=3))
    assert list(synth(5, seed=3, start=15)) == list(synth(20, seed=3))[15:]
    assert list(synth(5, seed=3)) != list(synth(5, seed=4))


def test_every_history_is_valid(caseload: list[dict]) -> None:
    for citizen in caseload:
        History.from_dict(citizen, VOCABULARY)  # raises HistoryError on any breach


def test_contract_details(caseload: list[dict]) -> None:
    for citizen in caseload:
        born = citizen["birth_date"]
        for event in citizen["events"]:
            assert born < event["date"] <= HORIZON.isoformat()
            if event["type"] == "visitation" and event["ordning"] == "ressourceforløb":
                assert 1 <= event["varighed_år"] <= 5
            else:
                assert "varighed_år" not in event
        dates = [e["date"] for e in citizen["events"]]
        assert dates == sorted(dates)


def test_scheme_mix(profiles: list[tuple[bool, str]]) -> None:
    # 30+: 14,800 kontanthjælp of 22,630 = 0.654; with 15 % young of whom 80 % are on
    # kontanthjælp: 0.85 × 0.654 + 0.15 × 0.80 = 0.676.
    # ressourceforløb: 0.85 × 600 / 22,630 = 0.0225; ledighedsydelse 0.85 × 900 / 22,630 = 0.0338.
    schemes = collections.Counter(scheme for _, scheme in profiles)
    assert schemes["kontanthjælp"] / N == pytest.approx(0.676, abs=0.03)
    assert schemes["ressourceforløb"] / N == pytest.approx(0.0225, abs=0.01)
    assert schemes["ledighedsydelse"] / N == pytest.approx(0.0338, abs=0.012)
    assert sum(young for young, _ in profiles) / N == pytest.approx(0.15, abs=0.025)


def test_ages(caseload: list[dict], profiles: list[tuple[bool, str]]) -> None:
    for citizen, (young, _) in zip(caseload, profiles, strict=True):
        born = datetime.date.fromisoformat(citizen["birth_date"])
        age = (SNAPSHOT - born).days / 365.25
        assert (18 <= age < 30) if young else (30 <= age < 65)


def _kontanthjaelp(caseload, profiles) -> list[dict]:
    """30+ kontanthjælp citizens who started as aktivitetsparat (no jobparat prelude)."""
    out = []
    for citizen, (young, scheme) in zip(caseload, profiles, strict=True):
        starts = [e for e in citizen["events"] if e["type"] == "ydelse_start"]
        if not young and scheme == "kontanthjælp" and starts[0]["målgruppe"] == "aktivitetsparat":
            out.append(citizen)
    return out


def test_kontanthjaelp_durations(caseload, profiles) -> None:
    # Seed 004 Figur 12: "godt 40 pct." over 3 years, "knap 77 pct." over 1 year.
    elapsed = []
    for citizen in _kontanthjaelp(caseload, profiles):
        start = datetime.date.fromisoformat(citizen["events"][0]["date"])
        elapsed.append((SNAPSHOT - start).days / 365.25)
    assert sum(e > 3 for e in elapsed) / len(elapsed) == pytest.approx(0.40, abs=0.04)
    assert sum(e > 1 for e in elapsed) / len(elapsed) == pytest.approx(0.77, abs=0.04)


def test_offer_mix_follows_tabel_2(caseload, profiles) -> None:
    # Tabel 2: helhedsorienteret mentor 8,048 / 24,208 = 0.332; aktiveringstilbud
    # 11,526 / 24,208 = 0.476; virksomhedspraktik (1,874 + 678) / 24,208 = 0.105.
    offers = collections.Counter(
        e["tilbud"]
        for c in _kontanthjaelp(caseload, profiles)
        for e in c["events"]
        if e["type"] == "tilbud_start"
        and e["tilbud"] not in ("læse_skrive_regne_kursus", "realkompetencevurdering")
    )
    total = sum(offers.values())
    assert offers["helhedsorienteret_mentor"] / total == pytest.approx(0.332, abs=0.03)
    assert offers["vejledning_opkvalificering"] / total == pytest.approx(0.476, abs=0.03)
    assert offers["virksomhedspraktik"] / total == pytest.approx(0.105, abs=0.02)


def test_timeliness_of_conversations(caseload, profiles) -> None:
    # Each gap between conversations is on time (≤ 89 days, always within 3 måneder) with
    # probability 0.82; late and missed gaps are at least 95 days.
    gaps = []
    for citizen in _kontanthjaelp(caseload, profiles):
        days = [
            datetime.date.fromisoformat(e["date"])
            for e in citizen["events"]
            if e["type"] == "samtale"
        ]
        gaps += [(b - a).days for a, b in zip(days, days[1:], strict=False)]
    assert not any(89 < g < 95 for g in gaps)
    assert sum(g <= 89 for g in gaps) / len(gaps) == pytest.approx(0.82, abs=0.015)


def test_education_mix(caseload) -> None:
    # Seed 004 Figur 11: 48 % grundskole; 57 % with uoplyst.
    education = collections.Counter(c["facts"]["uddannelse"] for c in caseload)
    assert education["grundskole"] / N == pytest.approx(0.48, abs=0.035)
    assert (education["grundskole"] + education["uoplyst"]) / N == pytest.approx(0.57, abs=0.035)


def test_write_jsonl_round_trips(tmp_path) -> None:
    citizens = list(synth(10, seed=1))
    assert write_jsonl(citizens, tmp_path / "c.jsonl") == 10
    lines = (tmp_path / "c.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == citizens
    assert "kontanthjælp" in lines[0] or "ydelse" in lines[0]  # UTF-8, not \\u escapes


def test_parallel_generation_gives_the_same_citizens() -> None:
    assert list(synth_parallel(2500, seed=4, workers=2)) == list(synth(2500, seed=4))


def test_cli_writes_every_format(tmp_path, capsys) -> None:
    assert (
        main_synth(
            [
                "--citizens",
                "30",
                "--seed",
                "2",
                "-o",
                str(tmp_path),
                "--format",
                "jsonl,parquet,csv",
            ]
        )
        == 0
    )
    assert "30 borgere (frø 2)" in capsys.readouterr().out
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [
        "caseload.jsonl",
        "citizens.csv",
        "citizens.parquet",
        "events.csv",
        "events.parquet",
    ]
    lines = (tmp_path / "caseload.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == list(synth(30, seed=2))
    assert main_synth(["-o", str(tmp_path), "--format", "xml"]) == 2
