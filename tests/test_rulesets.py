"""The bundled rulesets: every catalogue rule id is produced, every example passes.

The reference interpreter (``Ruleset.interpret``) is the oracle here; the property tests check
that the compiled evaluator agrees with it.
"""

from __future__ import annotations

import datetime

import pytest

from lovregler.api import bundled_rulesets, load_ruleset
from lovregler.errors import HistoryError
from lovregler.examples import run_examples

# Every rule id of catalogue.md §1–9, by ruleset, written out literally.
CATALOGUE: dict[str, tuple[str, ...]] = {
    "kontanthjælp_aktivitetsparat": (
        "første_samtale",
        "fire_samtaler_årligt",
        "første_ret_og_pligt_tilbud",
        "gentaget_ret_og_pligt_tilbud",
        "helhedsorienteret_mentor",
        "mentorforløb",
        "realkompetencevurdering",
        "læse_skrive_regne_kursus",
        "fire_samtaler_første_halvår",
    ),
    "kbh_kontanthjælp_aktivitetsparat": ("samtale_hver_tredje_måned",),
    "ledighedsydelse": (
        "cv_samtale",
        "samtale_hver_tredje_måned",
        "revurdering_12_af_18",
        "henvisning_efter_revurdering",
        "henvisning_anden_aktør_ret",
        "jobrettet_uddannelse",
    ),
    "fleksjob": (
        "opfølgning_fleksjob",
        "midlertidigt_fleksjob",
        "status_midlertidigt_fleksjob",
        "permanent_fleksjob",
    ),
    "revalidering": ("samtale_hver_tredje_måned", "revalideringsydelse_højst_5_år"),
    "ressourceforløb": (
        "ressourceforløb_periode",
        "seks_samtaler_årligt",
        "koordinerende_sagsbehandler",
        "rehabiliteringsteam_indstilling",
    ),
    "sygedagpenge": (
        "første_opfølgningssamtale",
        "opfølgning_hver_4_uger",
        "varighedsbegrænsning_52_uger",
        "revurdering_22_uger",
    ),
    "refusion": ("refusionssats",),
    "kbh_målgrupper": (
        "flere_skal_med",
        "mup2011_psykisk_syge_unge",
        "mup2011_misbrug",
        "mup2011_virksomhedsplacering",
        "mup2011_afslag",
        "tilbudspakker_2008",
        "tilbudspakker_udbud_2009",
    ),
}


def _ev(date: str, type_: str, **attrs: object) -> dict[str, object]:
    return {"type": type_, "date": date, **attrs}


# One history per ruleset that triggers every one of its rules, and the day to evaluate it.
_AKTIVITETSPARAT = {
    "id": "borger-kh",
    "birth_date": "1975-04-12",
    "facts": {"uddannelse": "grundskole"},
    "events": [
        _ev("2015-03-02", "ydelse_start", ydelse="kontanthjælp", målgruppe="aktivitetsparat"),
        _ev("2015-03-06", "samtale"),
        _ev("2015-04-01", "vurdering", klar_til_tilbud=False),
        _ev("2015-04-10", "tilbud_start", tilbud="helhedsorienteret_mentor"),
        _ev("2015-06-15", "test_lsr", behov=True),
        _ev("2015-07-10", "tilbud_slut", tilbud="helhedsorienteret_mentor"),
        _ev("2015-08-17", "tilbud_start", tilbud="virksomhedspraktik"),
        _ev("2015-10-09", "tilbud_slut", tilbud="virksomhedspraktik"),
        _ev("2015-11-02", "samtale"),
        # a second forløb begun under LAB 2019: a forløb running on 2020-01-01 gets no LAB 2019
        # obligations from its start (catalogue C1)
        _ev("2019-06-28", "ydelse_slut", ydelse="kontanthjælp"),
        _ev("2020-01-06", "ydelse_start", ydelse="kontanthjælp", målgruppe="aktivitetsparat"),
    ],
}

TRIGGERING: dict[str, tuple[dict[str, object], str]] = {
    "kontanthjælp_aktivitetsparat": (_AKTIVITETSPARAT, "2020-03-01"),
    "kbh_kontanthjælp_aktivitetsparat": (_AKTIVITETSPARAT, "2015-12-01"),
    "ledighedsydelse": (
        {
            "id": "borger-ly",
            "birth_date": "1970-05-10",
            "facts": {"uddannelse": "grundskole"},
            "events": [
                _ev("2015-01-15", "visitation", ordning="fleksjob"),
                _ev("2015-02-01", "ydelse_start", ydelse="ledighedsydelse"),
                _ev("2015-02-10", "samtale"),
                _ev("2016-03-01", "revurdering", ordning="fleksjob"),
                _ev("2016-03-15", "henvisning_anden_aktør"),
            ],
        },
        "2016-06-01",
    ),
    "fleksjob": (
        {
            "id": "borger-fj",
            "birth_date": "1970-03-15",
            "events": [
                _ev("2015-02-02", "visitation", ordning="fleksjob"),
                _ev("2015-03-02", "fleksjob_start"),
                _ev("2017-08-01", "samtale"),
                _ev("2019-06-03", "revurdering", ordning="fleksjob"),
            ],
        },
        "2019-07-01",
    ),
    "revalidering": (
        {
            "id": "borger-rv",
            "birth_date": "1982-04-04",
            "events": [_ev("2015-03-02", "ydelse_start", ydelse="revalideringsydelse")],
        },
        "2015-04-01",
    ),
    "ressourceforløb": (
        {
            "id": "borger-rf",
            "birth_date": "1978-09-12",
            "events": [
                _ev("2015-03-02", "visitation", ordning="ressourceforløb", varighed_år=2),
                _ev("2015-03-05", "samtale"),
            ],
        },
        "2015-04-01",
    ),
    "sygedagpenge": (
        {
            "id": "borger-sd",
            "birth_date": "1975-01-20",
            "events": [
                # SDL 2013: 365 kommune-paid days from 2013-02-06 (day 31) on 2014-02-05;
                # SDL 2014: a second spell from 2015-03-02 passes 154 days on 2015-09-02
                _ev("2013-01-07", "sygemelding", ansat=True),
                _ev("2014-03-31", "raskmelding"),
                _ev("2015-03-02", "sygemelding", ansat=True),
                _ev("2015-04-20", "samtale"),
            ],
        },
        "2015-09-02",
    ),
    "refusion": (
        {
            "id": "borger-rf2016",
            "birth_date": "1985-10-10",
            "events": [_ev("2016-01-04", "ydelse_start", ydelse="kontanthjælp")],
        },
        "2016-02-01",
    ),
    "kbh_målgrupper": (
        {
            "id": "borger-kbh",
            "birth_date": "1985-04-10",
            "facts": {"psykisk_lidelse": True, "misbrug": "lettere"},
            "events": [
                _ev("2009-06-01", "ydelse_start", ydelse="kontanthjælp"),
                _ev("2009-06-05", "matchvurdering", gruppe=4),
                _ev("2010-02-01", "matchvurdering", gruppe=3),
                _ev("2011-02-01", "afslag", ordning="fleksjob"),
            ],
        },
        "2017-06-01",
    ),
}


def test_catalogue_covers_every_bundled_ruleset() -> None:
    assert sorted(CATALOGUE) == sorted(bundled_rulesets())


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_ruleset_has_exactly_the_catalogue_rules(name: str) -> None:
    rs = load_ruleset(name)
    own = {r.id for r in rs.rules}
    if rs.node.extends:
        own -= {r.id for r in load_ruleset(rs.node.extends).rules}
    assert own == set(CATALOGUE[name])


@pytest.mark.parametrize("evaluator", ["interpret", "evaluate"])
@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_every_catalogue_rule_is_produced(name: str, evaluator: str) -> None:
    rs = load_ruleset(name)
    history, as_of = TRIGGERING[name]
    result = getattr(rs, evaluator)(rs.history(history), as_of)
    produced = (
        {o.rule.id for o in result.obligations}
        | {r.rule.id for r in result.rights}
        | {v.rule.id for v in result.values}
    )
    missing = set(CATALOGUE[name]) - produced
    assert not missing, f"{name}: ingen resultater for {sorted(missing)}"


@pytest.mark.parametrize("evaluator", ["interpret", "evaluate"])
@pytest.mark.parametrize("name", bundled_rulesets())
def test_examples_pass(name: str, evaluator: str) -> None:
    rs = load_ruleset(name)
    blocks, failures = run_examples(rs, getattr(rs, evaluator))
    assert blocks > 0, f"{name} har ingen eksempler"
    assert not failures, "\n".join(f.format() for f in failures)


@pytest.mark.parametrize("years", [0, 6, 7, -1])
def test_ressourceforløb_length_outside_1_to_5_is_a_history_error(years: int) -> None:
    rs = load_ruleset("ressourceforløb")
    bad = {
        "id": "borger-0042",
        "birth_date": "1978-09-12",
        "events": [
            _ev("2015-02-20", "rehabiliteringsteam", indstilling="ressourceforløb"),
            _ev("2015-03-02", "visitation", ordning="ressourceforløb", varighed_år=years),
        ],
    }
    with pytest.raises(HistoryError) as info:
        rs.history(bad)
    err = info.value
    assert err.citizen == "borger-0042"
    assert err.event == 1
    assert err.field == "varighed_år"
    text = str(err)
    assert "borger-0042" in text
    assert "ressourceforløb varer 1–5 år" in text


def test_ressourceforløb_length_inside_1_to_5_is_accepted() -> None:
    rs = load_ruleset("ressourceforløb")
    for years in range(1, 6):
        history = rs.history(
            {
                "id": "borger-0043",
                "birth_date": "1978-09-12",
                "events": [
                    _ev("2015-03-02", "visitation", ordning="ressourceforløb", varighed_år=years)
                ],
            }
        )
        result = rs.interpret(history, datetime.date(2015, 4, 1))
        (period,) = [r for r in result.rights if r.rule.id == "ressourceforløb_periode"]
        assert period.until is not None


@pytest.mark.parametrize("evaluator", ["interpret", "evaluate"])
def test_a_right_alike_in_two_versions_is_one_entry_with_its_first_version(evaluator: str) -> None:
    """Catalogue C5 (one right across versions): KH from 2019-10-01, vurdering »ikke klar«
    2019-11-01 and again 2020-02-03: one helhedsorienteret_mentor from 2019-11-01, labelled
    LAB 2015 (the version in force on 2019-11-01), not a second one from LAB 2019."""
    rs = load_ruleset("kontanthjælp_aktivitetsparat")
    history = {
        "id": "c5-mentor",
        "birth_date": "1975-04-12",
        "events": [
            _ev("2019-10-01", "ydelse_start", ydelse="kontanthjælp", målgruppe="aktivitetsparat"),
            _ev("2019-11-01", "vurdering", klar_til_tilbud=False),
            _ev("2020-02-03", "vurdering", klar_til_tilbud=False),
        ],
    }
    result = getattr(rs, evaluator)(rs.history(history), datetime.date(2020, 3, 1))
    mentor = [r for r in result.rights if r.rule.id == "helhedsorienteret_mentor"]
    assert [(r.version, r.start, r.until) for r in mentor] == [
        ("lab2015", datetime.date(2019, 11, 1), None)  # open: no »klar« since
    ]
