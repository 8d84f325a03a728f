"""The rettidighed report: figures worked by hand on tiny tables, recomputed independently
with DuckDB on a real batch, the odd-month marker, and the HTML in chromium.

Rule ``x`` of ruleset ``r``: 3 fulfilled, 1 fulfilled_late (10 days), 1 overdue (40 days),
2 pending → rettidighed 3 / (3 + 1 + 1) = 60 %, late 1/5 = 20 %, overdue 1/5 = 20 %.
Rule ``y``: 2 fulfilled, 1 suspended → 2/2 = 100 % (suspended left out).
Rule ``z``: 1 pending only → nothing decided, rettidighed null.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from lovregler.caseload.batch import schemas
from lovregler.caseload.report import (
    STATUSES,
    days_late_distribution,
    figures,
    load_obligations,
    main_report,
    odd_months,
    render_report,
)

D = datetime.date
AS_OF = D(2015, 3, 31)

# (rule, due, status, fulfilled_on, days_late)
ROWS = [
    ("x", D(2015, 1, 10), "fulfilled", D(2015, 1, 9), None),
    ("x", D(2015, 1, 20), "fulfilled", D(2015, 1, 20), None),
    ("x", D(2015, 1, 25), "fulfilled_late", D(2015, 2, 4), 10),
    ("x", D(2015, 2, 10), "fulfilled", D(2015, 2, 1), None),
    ("x", D(2015, 2, 19), "overdue", None, 40),
    ("x", D(2015, 4, 5), "pending", None, None),
    ("x", D(2015, 4, 9), "pending", None, None),
    ("y", D(2015, 2, 1), "fulfilled", D(2015, 1, 30), None),
    ("y", D(2015, 3, 1), "suspended", None, None),
    ("y", D(2015, 4, 20), "fulfilled", D(2015, 3, 30), None),  # met early, due after as_of
    ("z", D(2015, 5, 1), "pending", None, None),
]


def _write(
    folder: Path,
    rows: list[tuple],
    transition: list[bool] | None = None,
    as_of: datetime.date = AS_OF,
) -> Path:
    records = [
        {
            "citizen_id": f"c{i}",
            "ruleset": "r",
            "version": "v",
            "rule": rule,
            "title": f"Regel {rule.upper()}",
            "holder": "jobcenter",
            "trigger": due - datetime.timedelta(days=7),
            "due": due,
            "status": status,
            "fulfilled_on": met,
            "days_late": late,
            "as_of": as_of,
            "citation": "LAB § 1",
        }
        for i, (rule, due, status, met, late) in enumerate(rows)
    ]
    table = pa.Table.from_pylist(records, schema=schemas()["obligations"])
    # the batch table has a transition column; without flags the fixture is an older table
    # that lacks it (the report must read both)
    table = table.drop_columns(["transition"])
    if transition is not None:
        table = table.append_column("transition", pa.array(transition, pa.bool_()))
    pq.write_table(table, folder / "obligations.parquet")
    return folder


@pytest.fixture
def outdir(tmp_path: Path) -> Path:
    _write(tmp_path, ROWS)
    errors = [
        {
            "citizen_id": "bad-1",
            "ruleset": None,
            "stage": "historik",
            "event": 2,
            "field": "date",
            "message": "borger 'bad-1': ugyldig dato",
        }
    ]
    pq.write_table(
        pa.Table.from_pylist(errors, schema=schemas()["errors"]), tmp_path / "errors.parquet"
    )
    manifest = {"as_of": "2015-03-31", "citizens": 12, "errors": 1}
    (tmp_path / "batch.json").write_text(json.dumps(manifest), encoding="utf-8")
    (tmp_path / "_SUCCESS").write_text("2015-04-01T00:00:00+00:00\n", encoding="utf-8")
    return tmp_path


def _counts(**given: int) -> dict[str, int]:
    return {status: given.get(status, 0) for status in STATUSES}


def test_figures_worked_by_hand(outdir: Path) -> None:
    data = figures(load_obligations(outdir))
    assert data["as_of"] == "2015-03-31"
    rules = data["rulesets"]["r"]["rules"]
    x, y, z = rules["x"], rules["y"], rules["z"]
    assert x["title"] == "Regel X"
    assert x["counts"] == _counts(fulfilled=3, fulfilled_late=1, overdue=1, pending=2)
    assert x["rettidighed"] == pytest.approx(0.6)  # 3 / (3 + 1 + 1)
    # By month of the due date. January: 2 on time + 1 late → 2/3. February: 1 on time +
    # 1 overdue → 1/2. April: 2 pending → nothing decided, null.
    assert x["months"]["2015-01"]["counts"] == _counts(fulfilled=2, fulfilled_late=1)
    assert x["months"]["2015-01"]["rettidighed"] == pytest.approx(2 / 3)
    assert x["months"]["2015-02"]["rettidighed"] == pytest.approx(1 / 2)
    assert x["months"]["2015-04"] == {
        "counts": _counts(pending=2),
        "rettidighed": None,
        "transition": {"counts": _counts(), "rettidighed": None},
    }
    assert sorted(x["months"]) == ["2015-01", "2015-02", "2015-04"]
    # y: 2 fulfilled, the suspended one left out → 2/2; March holds only the suspended one.
    assert y["counts"] == _counts(fulfilled=2, suspended=1) and y["rettidighed"] == 1.0
    assert y["months"]["2015-03"]["rettidighed"] is None
    assert z["rettidighed"] is None and z["counts"] == _counts(pending=1)
    # The ruleset: 5 fulfilled of 5 + 1 + 1 decided; February: x 1 + 1 overdue, y 1 → 2/3.
    ruleset = data["rulesets"]["r"]
    assert ruleset["rettidighed"] == pytest.approx(5 / 7)
    assert ruleset["months"]["2015-02"]["rettidighed"] == pytest.approx(2 / 3)
    # No transition column: no instance counts as one.
    assert ruleset["transition"]["counts"] == _counts()


def test_transition_instances_are_counted_apart(tmp_path: Path) -> None:
    # The first three rows of x (January) come from a declared transition: 2 fulfilled and
    # 1 late → 2/3; the rule's own figures still count every instance (3/5).
    flags = [i < 3 for i in range(len(ROWS))]
    data = figures(load_obligations(_write(tmp_path, ROWS, flags)))
    x = data["rulesets"]["r"]["rules"]["x"]
    assert x["transition"]["counts"] == _counts(fulfilled=2, fulfilled_late=1)
    assert x["transition"]["rettidighed"] == pytest.approx(2 / 3)
    assert x["rettidighed"] == pytest.approx(0.6)
    assert x["months"]["2015-01"]["transition"]["counts"] == _counts(fulfilled=2, fulfilled_late=1)
    assert x["months"]["2015-02"]["transition"]["counts"] == _counts()
    assert data["rulesets"]["r"]["rules"]["y"]["transition"]["counts"] == _counts()
    page = render_report(tmp_path)
    assert "Forekomster fra en overgangsregel" in page
    assert page.count("Regel X") >= 2  # in the rules table and apart in the transition table


def test_odd_month_with_the_rules_that_make_it() -> None:
    # Rule a runs at 10 a month; in March rule b adds 40 → 50 against the median of its
    # neighbours (Jan, Feb, Apr, May: 10, 10, 10, 10) = 10; 50 > 1.5 × 10 and 40 ≥ 20.
    # b's own change: 40 − median(0, 0, 0, 0) = 40, all of the difference.
    a = {m: 10 for m in ("2015-01", "2015-02", "2015-03", "2015-04", "2015-05")}
    b = {"2015-03": 40}
    totals = {m: a[m] + b.get(m, 0) for m in a}
    assert odd_months(totals, {"a": a, "b": b}) == {
        "2015-03": {"count": 50, "baseline": 10, "rules": {"b": 40}}
    }
    # A month missing between the first and the last counts as 0: June between May, July and
    # August (30 each) has 0 against a baseline of median(30, 30, 30) = 30, 30 below → odd.
    # May itself: neighbours June (0) and July (30), median 15; 30 − 15 = 15 < 20, not odd.
    gap = {"2015-05": 30, "2015-07": 30, "2015-08": 30}
    assert odd_months(gap, {"a": gap}) == {
        "2015-06": {"count": 0, "baseline": 30, "rules": {"a": -30}}
    }
    # Months after the evaluation month are left out; a month needs three neighbours.
    assert odd_months(totals, {"a": a, "b": b}, until="2015-03") == {}


def test_odd_month_in_the_figures_and_the_page(tmp_path: Path) -> None:
    # Rule x: 30 instances due in each of Jan–May 2015, fulfilled; rule y: 60 more in March.
    # March: 90 against a baseline of 30 (median of 30, 30, 30, 30) → odd, by y (+60).
    rows = [
        ("x", D(2015, month, 10), "fulfilled", D(2015, month, 1), None)
        for month in range(1, 6)
        for _ in range(30)
    ]
    rows += [("y", D(2015, 3, 5), "fulfilled", D(2015, 3, 1), None)] * 60
    data = figures(load_obligations(_write(tmp_path, rows, as_of=D(2015, 5, 31))))
    assert data["rulesets"]["r"]["odd_months"] == {
        "2015-03": {"count": 90, "baseline": 30, "rules": {"y": 60}}
    }
    page = render_report(tmp_path, data)
    assert "Usædvanlige måneder" in page
    assert "marts\u00a02015</b>: 90 forpligtelser mod ca. 30" in page
    assert "Regel Y (+60)" in page


def test_days_late_distribution(outdir: Path) -> None:
    dist = days_late_distribution(load_obligations(outdir)).set_index("bin")
    assert dist.loc["8–14 dage", "fulfilled_late"] == 1  # 10 days
    assert dist.loc["31–60 dage", "overdue"] == 1  # 40 days
    assert dist[["fulfilled_late", "overdue"]].to_numpy().sum() == 2
    assert len(dist) == 7  # every bin listed, empty ones as 0


def test_html_report(outdir: Path) -> None:
    page = render_report(outdir)
    assert page.startswith("<!DOCTYPE html>") and '<html lang="da">' in page
    assert "<b>60,0\u00a0%</b>" in page and "<b>100,0\u00a0%</b>" in page  # never wraps
    assert "20,0\u00a0%" in page  # late and overdue shares
    # rules, days late and per-rule trend for the ruleset; the trend over rulesets
    assert page.count("<svg") == 4
    assert "Rettidighed pr. regel og måned" in page and "Dage for sent" in page
    assert "Opgjort pr. 2015-03-31" in page and "12 borgere, heraf 1 med fejl" in page
    assert "ugyldig dato" in page  # the errors table
    # Danish titles with the id only as tooltip or small code label
    assert '<span title="x">Regel X</span> <code class="id">x</code>' in page
    assert 'src="http' not in page and 'href="http' not in page  # nothing fetched
    assert "2026-" not in page and page == render_report(outdir)  # reproducible


def test_cli_writes_the_report_and_the_figures(outdir: Path, tmp_path: Path, capsys) -> None:
    target, numbers = tmp_path / "rapport.html", tmp_path / "tal.json"
    assert main_report([str(outdir), "-o", str(target), "--json", str(numbers)]) == 0
    assert target.read_text(encoding="utf-8").count("<svg") == 4
    data = json.loads(numbers.read_text(encoding="utf-8"))
    assert data["rulesets"]["r"]["rules"]["x"]["counts"]["overdue"] == 1
    assert data["rulesets"]["r"]["rules"]["z"]["rettidighed"] is None
    assert main_report([str(tmp_path / "nothing"), "-o", str(target)]) == 2
    assert "ingen obligations.parquet" in capsys.readouterr().err


def test_a_folder_without_the_completion_marker_is_refused(outdir: Path, capsys) -> None:
    """A batch moves its tables into place one by one and writes _SUCCESS last: without
    it the folder may hold tables of two runs, and no report is written from it."""
    (outdir / "_SUCCESS").unlink()
    target = outdir / "rapport.html"
    assert main_report([str(outdir), "-o", str(target)]) == 2
    err = capsys.readouterr().err
    assert "ikke afsluttet (ingen _SUCCESS)" in err and "Traceback" not in err
    assert not target.exists()


# ---------------------------------------------------------------- a real batch


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every bundled ruleset over 150 synthetic citizens, evaluated at the caseload's horizon."""
    from lovregler.api import bundled_rulesets
    from lovregler.caseload.batch import BatchConfig, run_batch
    from lovregler.caseload.synth import HORIZON, synth, write_jsonl

    folder = tmp_path_factory.mktemp("batch")
    write_jsonl(list(synth(150, seed=13)), folder / "caseload.jsonl")
    config = BatchConfig(tuple(bundled_rulesets()), HORIZON)
    run_batch(folder / "caseload.jsonl", folder / "out", config, workers=1)
    return folder / "out"


def _independent(path: Path, where: str = "") -> dict[tuple[str, str, str | None], dict[str, int]]:
    """Counts per (ruleset, rule, month) and status, by hand-written SQL over the Parquet file.

    Month None is the whole rule. Only this test's SQL, not the report's code, is used.
    """
    import duckdb

    db = duckdb.connect()
    src = f"read_parquet('{path}')"
    found: dict[tuple[str, str, str | None], dict[str, int]] = {}
    per_month = db.execute(
        f"SELECT ruleset, rule, strftime(due, '%Y-%m'), status, count(*) FROM {src} {where} "
        "GROUP BY 1, 2, 3, 4"
    ).fetchall()
    whole = db.execute(
        f"SELECT ruleset, rule, NULL, status, count(*) FROM {src} {where} GROUP BY 1, 2, 4"
    ).fetchall()
    for ruleset, rule, month, status, n in [*per_month, *whole]:
        found.setdefault((ruleset, rule, month), dict.fromkeys(STATUSES, 0))[status] = n
    return found


def _rate(counts: dict[str, int]) -> float | None:
    decided = counts["fulfilled"] + counts["fulfilled_late"] + counts["overdue"]
    return counts["fulfilled"] / decided if decided else None


@pytest.mark.slow
def test_figures_match_the_parquet_table(batch: Path, tmp_path: Path) -> None:
    assert (
        main_report(
            [str(batch), "-o", str(tmp_path / "r.html"), "--json", str(tmp_path / "f.json")]
        )
        == 0
    )
    data = json.loads((tmp_path / "f.json").read_text(encoding="utf-8"))
    expected = _independent(batch / "obligations.parquet")
    seen: dict[tuple[str, str, str | None], dict[str, int]] = {}
    for name, ruleset in data["rulesets"].items():
        for rule, figures_ in ruleset["rules"].items():
            seen[(name, rule, None)] = figures_["counts"]
            assert figures_["rettidighed"] == pytest.approx(_rate(figures_["counts"]))
            for month, entry in figures_["months"].items():
                seen[(name, rule, month)] = entry["counts"]
                assert entry["rettidighed"] == _rate_or_none(expected[(name, rule, month)])
    assert seen == expected
    # with law C1's transition column (batch tables from then on): those rows apart
    if "transition" in pq.read_schema(batch / "obligations.parquet").names:
        marked = _independent(batch / "obligations.parquet", "WHERE transition")
        for (name, rule, month), counts in marked.items():
            if month is None:
                assert data["rulesets"][name]["rules"][rule]["transition"]["counts"] == counts
    assert "sygedagpenge" in data["rulesets"]
    sick = data["rulesets"]["sygedagpenge"]
    assert sum(sick["counts"].values()) > 0 and sick["rettidighed"] is not None
    # the page shows sygedagpenge's months (they end in 2016: the caseload is a stock)
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    section = page.split('<h2 id="sygedagpenge">')[1].split("<h2")[0]
    assert "Pr. måned" in section and section.count("<tr") > 12


def _rate_or_none(counts: dict[str, int]) -> Any:
    rate = _rate(counts)
    return None if rate is None else pytest.approx(rate)


# ---------------------------------------------------------------- layout in chromium


@pytest.mark.browser
@pytest.mark.slow
def test_report_layout_in_chromium(batch: Path, tmp_path: Path) -> None:
    from layout import chart_text_overlaps, open_page, table_overflows, wrapped_figures

    report = tmp_path / "rapport.html"
    assert main_report([str(batch), "-o", str(report)]) == 0
    with open_page() as (new_page, console_errors):
        for width in (1280, 800):
            page = new_page(width)
            page.goto(report.as_uri())
            assert page.locator("svg").count() > 10
            assert chart_text_overlaps(page) == []
            assert table_overflows(page) == []
            assert wrapped_figures(page) == []
            page.screenshot(path=str(tmp_path / f"rapport-{width}.png"), full_page=True)
    assert console_errors == []


_BAD_LAYOUT = (
    """<!DOCTYPE html><html><body style="margin:0">
<svg width="300" height="100"><text x="10" y="50">Rettidigt</text><text x="20" y="52">For sent</text>
<rect x="100" y="0" width="50" height="100"/><text x="110" y="40">over</text></svg>
<table><tr><td style="white-space:nowrap">"""
    + "bred " * 200
    + """</td></tr></table>
<p style="width:3.2em">ca. 40,3 % i alt</p></body></html>"""
)


@pytest.mark.browser
def test_layout_checks_find_what_is_wrong(tmp_path: Path) -> None:
    from layout import (
        chart_text_overlaps,
        open_page,
        table_overflows,
        text_over_shapes,
        wrapped_figures,
    )

    bad = tmp_path / "bad.html"
    bad.write_text(_BAD_LAYOUT, encoding="utf-8")
    with open_page() as (new_page, console_errors):
        page = new_page(800)
        page.goto(bad.as_uri())
        assert chart_text_overlaps(page) == ['chart 0: "Rettidigt" overlaps "For sent"']
        assert text_over_shapes(page, "svg", "rect") == ['chart 0: label "over" over a rect']
        assert any("the page scrolls sideways" in f for f in table_overflows(page))
        assert wrapped_figures(page) == ['"40,3 %" wraps']
        page.evaluate("() => console.error('boom')")
    assert console_errors == ["error: boom"]
