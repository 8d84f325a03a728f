"""The rettidighed report: ``lovregler report OUTDIR -o report.html``.

Rettidighed (seed 004 §4.1, Figur 3) is the share of obligations met on time among those
whose time has come: ``fulfilled / (fulfilled + fulfilled_late + overdue)``. ``pending``
(not yet due) and ``suspended`` (the rule did not run) are left out. The report reads the
``obligations`` table that ``lovregler batch`` writes, and gives per ruleset and rule the
counts, rettidighed and the shares late and overdue; the distribution of days late; the
trend by month of the due date; and SVG plots, all with Danish labels, in one HTML file
with nothing to fetch.
"""

from __future__ import annotations

import argparse
import datetime
import html
import io
import json
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

__all__ = [
    "LATE_BINS",
    "Obligations",
    "days_late_distribution",
    "load_obligations",
    "main_report",
    "monthly_trend",
    "render_report",
    "rettidighed_table",
    "write_report",
]

_DECIDED = ("fulfilled", "fulfilled_late", "overdue")
_STATUS_LABELS = {
    "fulfilled": "Rettidigt",
    "fulfilled_late": "For sent",
    "overdue": "Overskredet",
    "pending": "Afventer",
    "suspended": "Suspenderet",
}
#: Days-late bins (inclusive bounds) for the distribution.
LATE_BINS: tuple[tuple[int, int, str], ...] = (
    (1, 7, "1–7 dage"),
    (8, 14, "8–14 dage"),
    (15, 30, "15–30 dage"),
    (31, 60, "31–60 dage"),
    (61, 90, "61–90 dage"),
    (91, 180, "91–180 dage"),
    (181, 10**9, "over 180 dage"),
)


# ---------------------------------------------------------------- figures


class Obligations:
    """``OUTDIR/obligations.parquet``, summed up by DuckDB straight from the file.

    Only the small summaries are held in memory, so the report's memory does not grow with
    the caseload.
    """

    def __init__(self, outdir: str | Path):
        import duckdb

        self.path = Path(outdir) / "obligations.parquet"
        self.columns = set(pq.read_schema(self.path).names)
        self.db = duckdb.connect()
        self.db.execute("SET memory_limit = '256MB'")
        self.db.execute("SET threads = 2")
        self.source = "read_parquet('" + str(self.path).replace("'", "''") + "')"

    def query(self, sql: str) -> pd.DataFrame:
        """A query over the table, read ``FROM obligations`` in ``sql``."""
        return self.db.execute(sql.replace("FROM obligations", f"FROM {self.source}")).df()

    def count(self) -> int:
        """How many obligations there are."""
        return int(pq.ParquetFile(self.path).metadata.num_rows)


def load_obligations(outdir: str | Path) -> Obligations:
    """The obligations table of a batch output folder."""
    return Obligations(outdir)


def _rate(part: float, whole: float) -> float:
    return part / whole if whole else math.nan


_STATUS_COUNTS = ", ".join(
    f"count(*) FILTER (WHERE status = '{status}') AS {status}" for status in _STATUS_LABELS
)


def rettidighed_table(obligations: Obligations) -> pd.DataFrame:
    """Per ruleset and rule: counts by status, rettidighed and the shares late / overdue.

    The three shares are of the decided obligations (fulfilled + fulfilled_late + overdue)
    and add up to 1; a rule with none decided has NaN shares.
    """
    # instances created by a declared transition are counted apart (older tables lack the column)
    transition = "transition" if "transition" in obligations.columns else "false"
    table = obligations.query(
        f"""SELECT ruleset, rule, min(title) AS title, {_STATUS_COUNTS}, count(*) AS total,
                   count(*) FILTER (WHERE {transition}) AS transition,
                   median(days_late) FILTER (WHERE status = 'fulfilled_late') AS median_days_late
            FROM obligations GROUP BY ruleset, rule ORDER BY ruleset, rule"""
    )
    decided = table["fulfilled"] + table["fulfilled_late"] + table["overdue"]
    table["decided"] = decided
    for column, part in (
        ("rettidighed", "fulfilled"),
        ("share_late", "fulfilled_late"),
        ("share_overdue", "overdue"),
    ):
        table[column] = [_rate(a, b) for a, b in zip(table[part], decided, strict=True)]
    table["median_days_late"] = table["median_days_late"].astype(float)
    return table


def days_late_distribution(obligations: Obligations) -> pd.DataFrame:
    """Counts of late and overdue obligations per days-late bin and ruleset.

    Days late is ``fulfilled_on − due`` for one met late, ``as_of − due`` for one overdue.
    Columns: ruleset, bin (label), fulfilled_late, overdue; every bin is listed.
    """
    cases = " ".join(
        f"WHEN days_late BETWEEN {lo} AND {hi} THEN {i}" for i, (lo, hi, _) in enumerate(LATE_BINS)
    )
    counts = obligations.query(
        f"""SELECT ruleset, CASE {cases} END AS bin,
                   count(*) FILTER (WHERE status = 'fulfilled_late') AS fulfilled_late,
                   count(*) FILTER (WHERE status = 'overdue') AS overdue
            FROM obligations WHERE status IN ('fulfilled_late', 'overdue')
            GROUP BY ALL"""
    )
    rulesets = obligations.query("SELECT DISTINCT ruleset FROM obligations ORDER BY 1")["ruleset"]
    found = {(r.ruleset, r.bin): r for r in counts.itertuples() if not pd.isna(r.bin)}
    rows = []
    for ruleset in rulesets:
        for i, (_, _, label) in enumerate(LATE_BINS):
            hit = found.get((ruleset, i))
            late, overdue = (
                (int(hit.fulfilled_late), int(hit.overdue)) if hit is not None else (0, 0)
            )
            rows.append(
                {"ruleset": ruleset, "bin": label, "fulfilled_late": late, "overdue": overdue}
            )
    return pd.DataFrame(rows, columns=["ruleset", "bin", "fulfilled_late", "overdue"])


def monthly_trend(obligations: Obligations) -> pd.DataFrame:
    """Rettidighed per ruleset and month of the due date (decided obligations only).

    Only due dates up to the evaluation date count: after it, only the obligations met early
    are decided, which would make the last months look better than they are.
    """
    until = "AND due <= as_of" if "as_of" in obligations.columns else ""
    trend = obligations.query(
        f"""SELECT ruleset, strftime(due, '%Y-%m') AS month, count(*) AS decided,
                   count(*) FILTER (WHERE status = 'fulfilled') AS fulfilled
            FROM obligations
            WHERE status IN ('fulfilled', 'fulfilled_late', 'overdue') {until}
            GROUP BY ALL ORDER BY ruleset, month"""
    )
    trend["rettidighed"] = trend["fulfilled"] / trend["decided"]
    return trend


# ---------------------------------------------------------------- formatting (Danish)


def _pct(x: float) -> str:
    """``0.6`` → ``'60,0 %'``; NaN → ``'–'``."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{100 * x:.1f} %".replace(".", ",")


def _int(n: Any) -> str:
    """``12345`` → ``'12.345'`` (Danish thousands separator)."""
    return f"{int(n):,}".replace(",", ".")


def _days(x: float) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{x:.0f}" if float(x).is_integer() else f"{x:.1f}".replace(".", ",")


def _esc(text: Any) -> str:
    return html.escape(str(text))


# ---------------------------------------------------------------- plots


def _svg(fig: Any) -> str:
    """A matplotlib figure as inline SVG markup (text kept as text)."""
    import matplotlib.pyplot as plt

    buffer = io.StringIO()
    # No metadata: it carries the time of day, and the report should be reproducible.
    none = {"Date": None, "Creator": None, "Format": None, "Type": None}
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata=none)
    plt.close(fig)
    markup = buffer.getvalue()
    return markup[markup.index("<svg") :]


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")  # no display: the report is written, not shown
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.fonttype": "none", "font.size": 9, "svg.hashsalt": "lovregler"})
    return plt


def plot_rettidighed(rows: pd.DataFrame, ruleset: str) -> str:
    """Horizontal bars: rettidighed, late and overdue shares per rule of one ruleset."""
    plt = _pyplot()
    rows = rows[rows["decided"] > 0]
    fig, ax = plt.subplots(figsize=(7, 0.45 * max(len(rows), 2) + 0.8))
    left = [0.0] * len(rows)
    for column, label, colour in (
        ("rettidighed", "Rettidigt", "#2e7d32"),
        ("share_late", "For sent", "#f9a825"),
        ("share_overdue", "Overskredet", "#c62828"),
    ):
        values = [100 * v for v in rows[column]]
        ax.barh(list(rows["rule"]), values, left=left, label=label, color=colour)
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.set_xlim(0, 100)
    ax.set_xlabel("Andel af afgjorte forpligtelser (%)")
    ax.set_title(f"Rettidighed pr. regel — {ruleset}")
    ax.invert_yaxis()
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=3, fontsize=8, frameon=False)
    return _svg(fig)


def plot_days_late(dist: pd.DataFrame, ruleset: str) -> str:
    """Bars: how many days late, for obligations met late and those overdue."""
    plt = _pyplot()
    rows = dist[dist["ruleset"] == ruleset]
    fig, ax = plt.subplots(figsize=(7, 2.8))
    x = range(len(rows))
    ax.bar(
        [i - 0.2 for i in x],
        rows["fulfilled_late"],
        width=0.4,
        label="Opfyldt for sent",
        color="#f9a825",
    )
    ax.bar([i + 0.2 for i in x], rows["overdue"], width=0.4, label="Overskredet", color="#c62828")
    ax.set_xticks(list(x), list(rows["bin"]), rotation=30, ha="right")
    ax.set_ylabel("Antal forpligtelser")
    ax.set_title(f"Dage for sent — {ruleset}")
    ax.legend(fontsize=8)
    return _svg(fig)


def plot_trend(trend: pd.DataFrame) -> str:
    """Lines: rettidighed by month of the due date, one line per ruleset."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 3.2))
    for ruleset, rows in trend.groupby("ruleset"):
        dates = pd.PeriodIndex(rows["month"], freq="M").to_timestamp()
        ax.plot(dates, 100 * rows["rettidighed"], label=str(ruleset), linewidth=1.2)
    ax.set_ylim(0, 100)
    ax.set_ylabel("Rettidighed (%)")
    ax.set_xlabel("Måned for fristen")
    ax.set_title("Rettidighed over tid")
    ax.legend(fontsize=7)
    return _svg(fig)


# ---------------------------------------------------------------- HTML

_CSS = """
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:0.9em}
th,td{border:1px solid #ccc;padding:0.3em 0.6em;text-align:right}
th{background:#f0f0f0} td.t{text-align:left}
h2{border-bottom:2px solid #2e7d32;padding-bottom:0.2em}
.note{color:#555;font-size:0.9em}
"""


def _html_table(headers: Sequence[str], rows: Sequence[Sequence[str]], text_cols: int = 1) -> str:
    head = "".join(f"<th>{_esc(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(f"<td{' class=t' if i < text_cols else ''}>{c}</td>" for i, c in enumerate(row))
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _rule_rows(table: pd.DataFrame) -> list[list[str]]:
    return [
        [
            f"{_esc(r.rule)}<br><small>{_esc(r.title)}</small>",
            _int(r.total),
            *(_int(getattr(r, status)) for status in _STATUS_LABELS),
            f"<b>{_pct(r.rettidighed)}</b>",
            _pct(r.share_late),
            _pct(r.share_overdue),
            _days(r.median_days_late),
        ]
        for r in table.itertuples()
    ]


def _transition_note(rows: pd.DataFrame) -> str:
    """How many instances a declared transition created, per rule (they are in the counts)."""
    shown = [
        f"{_esc(r.rule)}: {_int(r.transition)} af {_int(r.total)}"
        for r in rows.itertuples()
        if r.transition
    ]
    return (
        '<p class="note">Heraf skabt af en erklæret overgangsregel (forløb, der løb, da reglen '
        f"trådte i kraft, regnet som begyndt den dag): {'; '.join(shown)}.</p>"
    )


_RULE_HEADERS = (
    "Regel",
    "I alt",
    *_STATUS_LABELS.values(),
    "Rettidighed",
    "Andel for sent",
    "Andel overskredet",
    "Median dage for sent",
)


def render_report(outdir: str | Path) -> str:
    """The whole report for a batch output folder, as one HTML document."""
    obligations = load_obligations(outdir)
    manifest = _manifest(Path(outdir))
    table = rettidighed_table(obligations)
    dist = days_late_distribution(obligations)
    trend = monthly_trend(obligations)
    parts = [_header(manifest, obligations.count())]
    for ruleset, rows in table.groupby("ruleset", sort=True):
        parts.append(f"<h2>{_esc(ruleset)}</h2>")
        parts.append(_html_table(_RULE_HEADERS, _rule_rows(rows)))
        if rows["transition"].sum():
            parts.append(_transition_note(rows))
        if rows["decided"].sum():
            parts.append(plot_rettidighed(rows, str(ruleset)))
            parts.append(plot_days_late(dist, str(ruleset)))
        parts.append(_distribution_table(dist, str(ruleset)))
    if not trend.empty:
        parts.append("<h2>Udvikling pr. måned</h2>")
        parts.append('<p class="note">Rettidighed for forpligtelser med frist i måneden.</p>')
        parts.append(plot_trend(trend))
        parts.append(_trend_table(trend))
    parts.append(_errors_section(Path(outdir)))
    body = "\n".join(parts)
    return (
        '<!DOCTYPE html>\n<html lang="da"><head><meta charset="utf-8">'
        f"<title>Rettidighed</title><style>{_CSS}</style></head><body>\n{body}\n</body></html>\n"
    )


def _manifest(outdir: Path) -> dict[str, Any]:
    path = outdir / "batch.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _header(manifest: dict[str, Any], count: int) -> str:
    facts = [f"Opgjort pr. {_esc(manifest['as_of'])}" if "as_of" in manifest else ""]
    if "citizens" in manifest:
        facts.append(
            f"{_int(manifest['citizens'])} borgere, heraf {_int(manifest['errors'])} med fejl i data"
        )
    facts.append(f"{_int(count)} forpligtelser")
    return (
        "<h1>Rettidighed i sagsbehandlingen</h1>"
        f"<p>{' · '.join(f for f in facts if f)}</p>"
        '<p class="note">Rettidighed = rettidigt opfyldte / (rettidigt + for sent opfyldte + '
        "overskredne). Forpligtelser, der afventer (fristen er ikke nået) eller er suspenderet, "
        "tælles ikke med.</p>"
    )


def _distribution_table(dist: pd.DataFrame, ruleset: str) -> str:
    rows = dist[dist["ruleset"] == ruleset]
    body = [[_esc(r.bin), _int(r.fulfilled_late), _int(r.overdue)] for r in rows.itertuples()]
    return "<h3>Dage for sent</h3>" + _html_table(
        ("Dage for sent", "Opfyldt for sent", "Overskredet"), body
    )


def _trend_table(trend: pd.DataFrame, months: int = 24) -> str:
    recent = sorted(trend["month"].unique())[-months:]
    rulesets = sorted(trend["ruleset"].unique())
    lookup = {(r.ruleset, r.month): r for r in trend.itertuples()}
    rows = []
    for month in recent:
        cells = [_esc(month)]
        for ruleset in rulesets:
            r = lookup.get((ruleset, month))
            cells.append(f"{_pct(r.rettidighed)} ({_int(r.decided)})" if r is not None else "–")
        rows.append(cells)
    note = f"<p class='note'>De seneste {len(recent)} måneder; antal afgjorte i parentes.</p>"
    return note + _html_table(("Måned", *rulesets), rows)


def _errors_section(outdir: Path) -> str:
    path = outdir / "errors.parquet"
    if not path.exists():
        return ""
    errors = pd.read_parquet(path, columns=["citizen_id", "stage", "message"])
    if errors.empty:
        return "<h2>Fejl i data</h2><p>Ingen.</p>"
    shown = errors.head(20)
    rows = [[_esc(r.citizen_id), _esc(r.stage), _esc(r.message)] for r in shown.itertuples()]
    more = f"<p class='note'>Viser 20 af {_int(len(errors))}.</p>" if len(errors) > 20 else ""
    return (
        f"<h2>Fejl i data ({_int(len(errors))})</h2>"
        + _html_table(("Borger", "Trin", "Fejl"), rows, text_cols=3)
        + more
    )


def write_report(outdir: str | Path, output: str | Path) -> Path:
    """Render the report for ``outdir`` and write it to ``output``."""
    out = Path(output)
    out.write_text(render_report(outdir), encoding="utf-8")
    return out


# ---------------------------------------------------------------- command line


def build_parser(parser: argparse.ArgumentParser | None = None) -> argparse.ArgumentParser:
    """The ``lovregler report`` arguments (on ``parser`` when given, e.g. a subparser)."""
    p = parser or argparse.ArgumentParser(
        prog="lovregler report", description="Rettidighedsrapport."
    )
    p.add_argument("outdir", help="mappen som lovregler batch skrev")
    p.add_argument("-o", "--output", default="report.html", help="HTML-fil (standard: report.html)")
    return p


def main_report(argv: Sequence[str] | None = None) -> int:
    """``lovregler report``: returns the exit code."""
    return run_report_args(build_parser().parse_args(argv))


def run_report_args(args: argparse.Namespace) -> int:
    """Write the report from parsed arguments; a missing folder is a message, not a traceback."""
    if not (Path(args.outdir) / "obligations.parquet").exists():
        print(
            f"lovregler report: {args.outdir}: ingen obligations.parquet (kør lovregler batch først)",
            file=sys.stderr,
        )
        return 2
    started = datetime.datetime.now()
    try:
        path = write_report(args.outdir, args.output)
    except (OSError, ValueError, KeyError) as exc:  # an unreadable or foreign table
        print(f"lovregler report: {args.outdir}: {exc}", file=sys.stderr)
        return 2
    seconds = (datetime.datetime.now() - started).total_seconds()
    print(f"Rapport: {path} ({seconds:.1f} s)")
    return 0
