"""The command line: the contract's JSON, readable errors, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lovregler.cli import main

ROOT = Path(__file__).resolve().parents[1]
HISTORY = ROOT / "examples" / "borger-0001.json"


def test_evaluate_prints_contract_json(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "evaluate",
            "--ruleset",
            "kontanthjælp_aktivitetsparat",
            "--as-of",
            "2015-09-01",
            "--format",
            "json",
            str(HISTORY),
        ]
    )
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["citizen"] == "borger-0001" and out["as_of"] == "2015-09-01"
    first = out["obligations"][0]
    # 2015-03-02 + 7 dage = 2015-03-09; samtale 2015-03-06
    assert first["rule"] == "første_samtale" and first["due"] == "2015-03-09"
    assert first["status"] == "fulfilled" and first["fulfilled_on"] == "2015-03-06"
    assert set(first) == {
        "rule",
        "title",
        "holder",
        "version",
        "trigger",
        "due",
        "status",
        "fulfilled_on",
        "citation",
        "explanation",
    }
    # grundskole and 40 years old: realkompetencevurdering from the forløb's start, open
    (right,) = [r for r in out["rights"] if r["rule"] == "realkompetencevurdering"]
    assert right["from"] == "2015-03-02" and right["until"] is None


def test_evaluate_table_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "evaluate",
                "--ruleset",
                "kontanthjælp_aktivitetsparat",
                "--as-of",
                "2015-09-01",
                str(HISTORY),
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "Pligter" in out and "første_samtale" in out and "opfyldt" in out


def test_explain_names_events_dates_and_arithmetic(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "explain",
                "--ruleset",
                "kontanthjælp_aktivitetsparat",
                "--rule",
                "første_samtale",
                "--as-of",
                "2015-09-01",
                str(HISTORY),
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "Forløbet startede 2015-03-02." in out
    assert "Fristen er 1 uge efter: 2015-03-09." in out
    assert "Samtale 2015-03-06: opfyldt." in out
    # the rule's source (LAB 2015: the analysenotat, whose wording is marked as a paraphrase)
    assert "Kilde: Københavns Kommune, Bilag til analyse af udsatte borgere" in out


def test_bad_history_is_a_message_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "id": "b7",
                "birth_date": "1975-04-12",
                "events": [{"type": "samtle", "date": "2015-01-01"}],
            }
        )
    )
    assert (
        main(
            [
                "evaluate",
                "--ruleset",
                "kontanthjælp_aktivitetsparat",
                "--as-of",
                "2015-09-01",
                str(bad),
            ]
        )
        == 1
    )
    err = capsys.readouterr().err
    assert "'b7'" in err and "hændelse nr. 0" in err and "samtale" in err and "Traceback" not in err


def test_unknown_ruleset_suggests_a_name(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "evaluate",
                "--ruleset",
                "kontanthjælp_aktivitetparat",
                "--as-of",
                "2015-09-01",
                str(HISTORY),
            ]
        )
        == 1
    )
    assert "kontanthjælp_aktivitetsparat" in capsys.readouterr().err


def test_check_reports_errors_with_position(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "brudt.lov"
    broken.write_text(
        'importer ordforråd\nordning brudt "B"\n  pligt p "P"\n    opfyldes samtale\n', "utf-8"
    )
    assert main(["check", str(broken)]) == 1
    err = capsys.readouterr().err
    assert f"{broken}:4:5" in err and "^" in err


SANS_HJEMMEL = (
    'importer ordforråd\nordning u "U"\n  forløb når ydelse kontanthjælp\n'
    '  pligt p "P"\n    frist 1 uge efter forløbets start\n    opfyldes af samtale\n'
)


# without an example the ruleset would also be warned that it has none
AN_EXAMPLE = (
    '  eksempel "E"\n    født 1980-01-01\n    2015-03-02 ydelse_start ydelse=kontanthjælp\n'
    "    pr. 2015-03-04 forventes\n      # 2015-03-02 + 7 dage = 2015-03-09\n"
    "      p afventer frist 2015-03-09\n"
)


@pytest.mark.parametrize("flag", ["--strict", "--advarsler-som-fejl"])
def test_strict_check_fails_on_warnings(
    flag: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    draft = tmp_path / "udkast.lov"
    draft.write_text(SANS_HJEMMEL + AN_EXAMPLE, "utf-8")
    assert main(["check", str(draft)]) == 0  # a warning alone does not fail a plain check
    assert "advarsel: reglen 'p' har ingen hjemmel" in capsys.readouterr().err
    assert main(["check", flag, str(draft)]) == 1
    assert "1 advarsel, som --strict regner for fejl" in capsys.readouterr().err
    draft.write_text(
        SANS_HJEMMEL + '    hjemmel "Lov § 1"\n    kilde "https://example.org/lov/1"\n'
        '    lovtekst "Samtalen holdes senest efter en uge."\n' + AN_EXAMPLE,
        "utf-8",
    )
    assert main(["check", flag, str(draft)]) == 0
    assert "advarsel" not in capsys.readouterr().err


def test_rule_examples_run_as_tests(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["test", str(ROOT / "rulesets" / "kontanthjælp_aktivitetsparat.lov")]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[-1].startswith("I alt 1 fil: ") and out.endswith(": ok\n")


COUNTED = """importer ordforråd

ordning tæl "Tælling"
  forløb når ydelse kontanthjælp
  pligt første_samtale "Første samtale"
    frist 1 uge efter forløbets start
    opfyldes af samtale

  eksempel "Til tiden"
    født 1980-01-01
    2015-03-02 ydelse_start ydelse=kontanthjælp
    2015-03-05 samtale
    pr. 2015-03-20 forventes
      # 2015-03-02 + 7 dage = 2015-03-09; samtalen 2015-03-05 er før
      første_samtale opfyldt 2015-03-05 frist 2015-03-09

  eksempel "Forkert frist"
    født 1980-01-01
    2015-03-02 ydelse_start ydelse=kontanthjælp
    pr. 2015-03-05 forventes
      # forkert med vilje: fristen er 2015-03-02 + 7 dage = 2015-03-09, ikke 2015-03-10
      første_samtale afventer frist 2015-03-10
    pr. 2015-03-20 forventes
      # 2015-03-09 er passeret uden samtale
      første_samtale overskredet frist 2015-03-09
"""


def test_test_counts_examples_and_expectation_lines_in_danish(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "tæl.lov"
    path.write_text(COUNTED, "utf-8")
    assert main(["test", str(path)]) == 1
    captured = capsys.readouterr()
    # 2 examples with 1 + 2 expectation lines; only the second example's first line fails
    assert captured.out.splitlines() == [
        f"{path}: 2 eksempler, 3 forventninger: 1 af 2 fejlede (1 af 3 forventninger)",
        "I alt 1 fil: 2 eksempler, 3 forventninger: 1 af 2 fejlede (1 af 3 forventninger)",
    ]
    assert f'{path}:22:7: eksempel "Forkert frist": første_samtale pr. 2015-03-05' in captured.err


def test_test_fails_a_file_without_examples(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "tom.lov"
    path.write_text(COUNTED[: COUNTED.index('  eksempel "Til tiden"')], "utf-8")
    assert main(["test", str(path)]) == 1
    captured = capsys.readouterr()
    assert f"{path}: ingen eksempler at køre" in captured.err
    assert captured.out.splitlines()[-1] == (
        "I alt 1 fil (1 uden eksempler): 0 eksempler, 0 forventninger: intet at teste"
    )


def test_check_says_1_regel_in_the_singular(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "tæl.lov"
    path.write_text(COUNTED, "utf-8")
    assert main(["check", str(path)]) == 0
    assert capsys.readouterr().out == f"{path}: ok (1 regel)\n"


def test_check_warns_of_an_ordning_defined_in_two_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.lov").write_text(COUNTED, "utf-8")
    (tmp_path / "b.lov").write_text(COUNTED, "utf-8")
    assert main(["check", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    assert f"{tmp_path / 'b.lov'}:3:9: advarsel: ordningen 'tæl' er også defineret i " in err
    assert f"{tmp_path / 'a.lov'}:3" in err


def test_ruleset_option_says_it_takes_a_name_or_a_path(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["evaluate", "--help"])
    assert "stien til en .lov-fil" in capsys.readouterr().out


def test_compile_show_prints_python(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compile", "--ruleset", "kontanthjælp_aktivitetsparat", "--show"]) == 0
    assert "def evaluate(history, as_of):" in capsys.readouterr().out


def test_explain_names_the_event_and_its_condition(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A mentor that lasted 6 days (2015-08-10 to 2015-08-15, both counted) is no ret og
    # pligt-tilbud (under 14 days, LAB § 92, stk. 3): the deadline 2015-03-02 + 6 måneder =
    # 2015-09-02 has passed unmet on 2015-09-03. The explanation names the event in Danish and
    # the condition it did not meet, not the pattern's id (kvalificerende_tilbud, tilbud_start).
    history = {
        "id": "mentor-1",
        "birth_date": "1975-05-01",
        "events": [
            {
                "type": "ydelse_start",
                "date": "2015-03-02",
                "ydelse": "kontanthjælp",
                "målgruppe": "aktivitetsparat",
            },
            {"type": "tilbud_start", "date": "2015-08-10", "tilbud": "helhedsorienteret_mentor"},
            {"type": "tilbud_slut", "date": "2015-08-15", "tilbud": "helhedsorienteret_mentor"},
        ],
    }
    path = tmp_path / "mentor.json"
    path.write_text(json.dumps(history), "utf-8")
    args = ["explain", "--ruleset", "kontanthjælp_aktivitetsparat", "--as-of", "2015-09-03"]
    assert main([*args, "--rule", "første_ret_og_pligt_tilbud", str(path)]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "Fristen er 6 måneder efter: 2015-09-02." in out
    assert "Ingen start på et tilbud (hvor tilbuddet er virksomhedspraktik," in out
    assert (
        "helhedsorienteret mentor, og det ikke er vist, at tilbuddet varede kortere end 14 dage) pr. 2015-09-03: fristen er overskredet."
        in out
    )
    assert "tilbud start" not in out and "kvalificerende tilbud" not in out
    # the right it did start: triggered by the mentor's start, named in Danish
    assert main([*args, "--rule", "mentorforløb", str(path)]) == 0
    said = " ".join(capsys.readouterr().out.split())
    assert "Udløst af start på et tilbud (hvor tilbuddet er helhedsorienteret mentor)." in said
    # 2015-08-10 + 26 uger (182 dage) = 2016-02-08; sidste dag 2016-02-07
    assert "Retten gælder fra 2015-08-10 til og med 2016-02-07." in said


def test_no_explanation_of_a_bundled_example_shows_an_id() -> None:
    import re

    from lovregler.api import bundled_rulesets, load_ruleset
    from lovregler.examples import example_history

    ids = re.compile(r"\b[a-zæøå]+_[a-zæøå_]+\b")
    seen = 0
    for name in bundled_rulesets():
        ruleset = load_ruleset(name)
        for i, example in enumerate(ruleset.node.examples):
            history = ruleset.history(example_history(example, i))
            for block in example.expectations:
                result = ruleset.evaluate(history, block.as_of).to_dict()
                for entry in [*result["obligations"], *result["rights"]]:
                    for sentence in entry["explanation"]:
                        assert not ids.search(sentence), (name, entry["rule"], sentence)
                        seen += 1
    assert seen > 100


def test_an_over_long_history_is_refused_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``evaluate`` reads at most MAX_HISTORY_BYTES of a history (one citizen), from a file
    or standard input; a longer one is one line naming the file, not a traceback."""
    import io

    from lovregler import cli

    text = HISTORY.read_text("utf-8")
    monkeypatch.setattr(cli, "MAX_HISTORY_BYTES", len(text.encode("utf-8")))
    args = ["evaluate", "--ruleset", "kontanthjælp_aktivitetsparat", "--as-of", "2015-09-01"]
    assert main([*args, str(HISTORY)]) == 0  # exactly at the limit: read
    capsys.readouterr()
    longer = tmp_path / "lang, historik.json"
    longer.write_text(text + " " * 10, encoding="utf-8")
    assert main([*args, str(longer)]) == 1
    err = capsys.readouterr().err
    assert "lang, historik.json: historikken er over" in err and "Traceback" not in err
    monkeypatch.setattr("sys.stdin", io.StringIO(text + "\n\n"))
    assert main([*args, "-"]) == 1
    assert "standardinput: historikken er over" in capsys.readouterr().err
