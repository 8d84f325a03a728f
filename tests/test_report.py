"""The rettidighed report on a tiny hand-made obligations table; every number by hand.

Rule ``x`` of ruleset ``r``: 3 fulfilled, 1 fulfilled_late (10 days), 1 overdue (40 days),
2 pending → rettidighed 3 / (3 + 1 + 1) = 60 %, late 1/5 = 20 %, overdue 1/5 = 20 %.
Rule ``y``: 2 fulfilled, 1 suspended → 2/2 = 100 % (suspended left out); one of them is
due after as_of, so it is left out of the monthly trend.
Rule ``z``: 1 pending only → nothing decided, no rettidighed.
"""

from __future__ import annotations

import datetime
import json
import math

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from lovregler.batch import schemas
from lovregler.report import (
    days_late_distribution,
    load_obligations,
    main_report,
    monthly_trend,
    render_report,
    rettidighed_table,
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


@pytest.fixture
def outdir(tmp_path):
    rows = [
        {
            "citizen_id": f"c{i}",
            "ruleset": "r",
            "version": "v",
            "rule": rule,
            "title": f"Regel {rule}",
            "holder": "jobcenter",
            "trigger": due - datetime.timedelta(days=7),
            "due": due,
            "status": status,
            "fulfilled_on": met,
            "days_late": late,
            "as_of": AS_OF,
            "citation": "LAB § 1",
        }
        for i, (rule, due, status, met, late) in enumerate(ROWS)
    ]
    pq.write_table(
        pa.Table.from_pylist(rows, schema=schemas()["obligations"]),
        tmp_path / "obligations.parquet",
    )
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
    return tmp_path


def test_rettidighed_table(outdir) -> None:
    table = rettidighed_table(load_obligations(outdir)).set_index("rule")
    x = table.loc["x"]
    assert (x.fulfilled, x.fulfilled_late, x.overdue, x.pending, x.total) == (3, 1, 1, 2, 7)
    assert x.rettidighed == pytest.approx(0.6)
    assert (x.share_late, x.share_overdue) == (pytest.approx(0.2), pytest.approx(0.2))
    assert x.median_days_late == 10
    assert table.loc["y"].rettidighed == 1.0 and table.loc["y"].suspended == 1
    assert table.loc["y"].fulfilled == 2
    assert math.isnan(table.loc["z"].rettidighed)


def test_days_late_distribution(outdir) -> None:
    dist = days_late_distribution(load_obligations(outdir)).set_index("bin")
    assert dist.loc["8–14 dage", "fulfilled_late"] == 1  # 10 days
    assert dist.loc["31–60 dage", "overdue"] == 1  # 40 days
    assert dist[["fulfilled_late", "overdue"]].to_numpy().sum() == 2
    assert len(dist) == 7  # every bin listed, empty ones as 0


def test_monthly_trend(outdir) -> None:
    # By month of due: January x: 2 on time + 1 late → 2/3; February: x fulfilled, x
    # overdue, y fulfilled → 2/3; March: only a suspended one, so no row; April: due after
    # as_of, so no row.
    trend = monthly_trend(load_obligations(outdir)).set_index("month")
    assert list(trend.index) == ["2015-01", "2015-02"]
    assert trend.loc["2015-01", "rettidighed"] == pytest.approx(2 / 3)
    assert trend.loc["2015-02", "decided"] == 3
    assert trend.loc["2015-02", "rettidighed"] == pytest.approx(2 / 3)


def test_html_report(outdir, tmp_path) -> None:
    page = render_report(outdir)
    assert page.startswith("<!DOCTYPE html>") and '<html lang="da">' in page
    assert "<b>60,0 %</b>" in page and "<b>100,0 %</b>" in page
    assert "20,0 %" in page  # late and overdue shares
    assert page.count("<svg") == 3  # rules, days late, trend
    assert "Rettidighed pr. regel" in page and "Dage for sent" in page and "Overskredet" in page
    assert "Opgjort pr. 2015-03-31" in page and "12 borgere, heraf 1 med fejl" in page
    assert "ugyldig dato" in page  # the errors table
    assert 'src="http' not in page and 'href="http' not in page  # nothing fetched
    assert "2026-" not in page and page == render_report(outdir)  # reproducible


def test_cli(outdir, tmp_path, capsys) -> None:
    target = tmp_path / "rapport.html"
    assert main_report([str(outdir), "-o", str(target)]) == 0
    assert target.read_text(encoding="utf-8").count("<svg") == 3
    assert main_report([str(tmp_path / "nothing"), "-o", str(target)]) == 2
    assert "ingen obligations.parquet" in capsys.readouterr().err


@pytest.mark.slow
def test_demo_end_to_end(tmp_path, capsys) -> None:
    from lovregler.demo import main_demo

    assert main_demo(["-o", str(tmp_path), "--citizens", "60", "--workers", "1"]) == 0
    assert "rapport →" in capsys.readouterr().out
    assert pq.read_table(tmp_path / "resultater" / "citizens.parquet").num_rows == 60
    page = (tmp_path / "rapport.html").read_text(encoding="utf-8")
    assert "Rettidighed pr. regel" in page and "<svg" in page
