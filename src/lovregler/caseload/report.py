"""The rettidighed report: ``lovregler report OUTDIR -o report.html [--json figures.json]``.

Rettidighed (seed 004 §4.1, Figur 3) is the share of obligations met on time among those
whose time has come: ``fulfilled / (fulfilled + fulfilled_late + overdue)``. ``pending``
(not yet due) and ``suspended`` (the rule did not run) are left out. The report reads the
``obligations`` table that ``lovregler batch`` writes; DuckDB sums it up straight from the
Parquet file into :func:`figures`, one nested dict that is both the JSON file (``--json``)
and the only source of every table and chart in the HTML, so a program can check what a
reader sees. Per ruleset and rule it gives the counts per status, rettidighed, and the same
per month of the due date; a month whose count is far from its neighbours is marked, with
the rules that make the difference (:func:`odd_months`). Instances that a declared
transition created (column ``transition``, when the table has it) are counted apart.
"""

from __future__ import annotations

import argparse
import datetime
import functools
import html
import io
import json
import math
import statistics
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

__all__ = [
    "LATE_BINS",
    "STATUSES",
    "Obligations",
    "days_late_distribution",
    "figures",
    "load_obligations",
    "main_report",
    "odd_months",
    "rettidighed",
    "render_report",
    "write_figures",
    "write_report",
]

#: Every status an obligation instance can have, in the report's order.
STATUSES = ("fulfilled", "fulfilled_late", "overdue", "pending", "suspended")
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
#: A month is odd when its count is more than ODD_FACTOR times, or less than 1/ODD_FACTOR
#: of, the median of the ODD_WINDOW months on either side, and differs by at least ODD_MIN.
ODD_FACTOR = 1.5
ODD_WINDOW = 2
ODD_MIN = 20

Counts = dict[str, int]


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

    @property
    def transition(self) -> str:
        """SQL for "this instance comes from a declared transition" (false without the column)."""
        return "coalesce(transition, false)" if "transition" in self.columns else "false"

    def query(self, sql: str) -> pd.DataFrame:
        """A query over the table, read ``FROM obligations`` in ``sql``."""
        return self.db.execute(sql.replace("FROM obligations", f"FROM {self.source}")).df()

    def count(self) -> int:
        """How many obligations there are."""
        return int(pq.ParquetFile(self.path).metadata.num_rows)


def load_obligations(outdir: str | Path) -> Obligations:
    """The obligations table of a batch output folder."""
    return Obligations(outdir)


def rettidighed(counts: Mapping[str, int]) -> float | None:
    """``fulfilled / (fulfilled + fulfilled_late + overdue)``; None when nothing is decided."""
    decided = counts.get("fulfilled", 0) + counts.get("fulfilled_late", 0)
    decided += counts.get("overdue", 0)
    return counts.get("fulfilled", 0) / decided if decided else None


def _zero() -> Counts:
    return dict.fromkeys(STATUSES, 0)


def _entry(counts: Counts, transition: Counts) -> dict[str, Any]:
    return {
        "counts": counts,
        "rettidighed": rettidighed(counts),
        "transition": {"counts": transition, "rettidighed": rettidighed(transition)},
    }


def figures(obligations: Obligations) -> dict[str, Any]:
    """Every figure of the report, as the JSON file holds it.

    ``{"as_of", "rulesets": {NAME: {"title", "counts", "rettidighed", "months", "odd_months",
    "rules": {RULE: {"title", "counts", "rettidighed", "transition", "months": {"YYYY-MM":
    {"counts", "rettidighed", "transition"}}}}}}}``. Counts are of obligation instances per
    status (all five statuses, zeros included), months are months of the due date;
    ``transition`` holds the counts of the instances a declared transition created (also
    included in ``counts``).
    """
    grouped = obligations.query(
        f"""SELECT ruleset, rule, strftime(due, '%Y-%m') AS month, status,
                   {obligations.transition} AS transition, count(*) AS n
            FROM obligations GROUP BY ALL"""
    )
    titles = obligations.query(
        "SELECT ruleset, rule, min(title) AS title FROM obligations GROUP BY ALL"
    )
    as_of = obligations.query("SELECT max(as_of) AS as_of FROM obligations")["as_of"].iloc[0]
    out: dict[str, Any] = {"as_of": None if pd.isna(as_of) else str(as_of)[:10], "rulesets": {}}
    tree: dict[str, dict[str, dict[str | None, tuple[Counts, Counts]]]] = {}
    for row in grouped.itertuples(index=False):
        month = None if pd.isna(row.month) else str(row.month)
        rule = tree.setdefault(str(row.ruleset), {}).setdefault(str(row.rule), {})
        counts, transition = rule.setdefault(month, (_zero(), _zero()))
        counts[str(row.status)] += int(row.n)
        if bool(row.transition):
            transition[str(row.status)] += int(row.n)
    title_of = {(r.ruleset, r.rule): r.title for r in titles.itertuples(index=False)}
    for name in sorted(tree):
        out["rulesets"][name] = _ruleset_figures(name, tree[name], title_of, out["as_of"])
    return out


def _add(into: Counts, counts: Mapping[str, int]) -> None:
    for status, n in counts.items():
        into[status] = into.get(status, 0) + n


def _ruleset_figures(
    name: str,
    rules: dict[str, dict[str | None, tuple[Counts, Counts]]],
    title_of: Mapping[tuple[str, str], Any],
    as_of: str | None,
) -> dict[str, Any]:
    total, total_tr = _zero(), _zero()
    months: dict[str, tuple[Counts, Counts]] = {}
    figures_of_rules: dict[str, Any] = {}
    for rule in sorted(rules):
        counts, transition = _zero(), _zero()
        per_month: dict[str, Any] = {}
        for month, (c, t) in sorted(rules[rule].items(), key=lambda kv: kv[0] or ""):
            _add(counts, c)
            _add(transition, t)
            if month is not None:
                per_month[month] = _entry(c, t)
                mc, mt = months.setdefault(month, (_zero(), _zero()))
                _add(mc, c)
                _add(mt, t)
        _add(total, counts)
        _add(total_tr, transition)
        title = title_of.get((name, rule))
        figures_of_rules[rule] = {
            "title": rule if title is None or pd.isna(title) else str(title),
            **_entry(counts, transition),
            "months": per_month,
        }
    month_totals = {m: sum(c.values()) for m, (c, _) in months.items()}
    rule_month_totals = {
        rule: {m: sum(e["counts"].values()) for m, e in f["months"].items()}
        for rule, f in figures_of_rules.items()
    }
    last = as_of[:7] if as_of else None
    return {
        "title": _ruleset_title(name),
        **_entry(total, total_tr),
        "months": {m: _entry(*months[m]) for m in sorted(months)},
        "odd_months": odd_months(month_totals, rule_month_totals, until=last),
        "rules": figures_of_rules,
    }


@functools.cache
def _ruleset_title(name: str) -> str:
    """The Danish title of a bundled ruleset (its name when it is not bundled)."""
    from .. import api
    from ..errors import LovreglerError

    try:
        return api.load_ruleset(name).title or name
    except (LovreglerError, OSError):
        return name


def _month_range(first: str, last: str) -> list[str]:
    start, end = pd.Period(first, freq="M"), pd.Period(last, freq="M")
    return [str(p) for p in pd.period_range(start, end, freq="M")]


def odd_months(
    totals: Mapping[str, int],
    per_rule: Mapping[str, Mapping[str, int]],
    *,
    until: str | None = None,
) -> dict[str, Any]:
    """Months whose count is far from their neighbours', and the rules that make the difference.

    ``totals`` is the count per month ("YYYY-MM"), ``per_rule`` the same per rule. A month
    missing between the first and the last counts as 0; months after ``until`` (the month of
    the evaluation date) are left out, for only the next, pending, instance is known there.
    The baseline of a month is the median of the ``2 × ODD_WINDOW`` nearest months (those on
    either side, or at an edge the nearest on the one side; at least three, for the median of
    two, one of them odd, would make its neighbour look odd too); a month is odd when its count exceeds ``ODD_FACTOR × baseline``
    or is below ``baseline / ODD_FACTOR``, by at least :data:`ODD_MIN`. The rules named are
    those whose own change (count − the median of their own neighbours) goes the same way,
    largest first, until they account for 80 % of the month's difference (at most three).
    Result: ``{month: {"count", "baseline", "rules": {rule: change}}}``.
    """
    months = [m for m in totals if until is None or m <= until]
    if not months:
        return {}
    axis = _month_range(min(months), max(months))
    odd: dict[str, Any] = {}
    for i, month in enumerate(axis):
        # at an edge the nearest months come from the one side (see the docstring)
        nearest = sorted((j for j in range(len(axis)) if j != i), key=lambda j: (abs(j - i), j))
        neighbours = [axis[j] for j in nearest[: 2 * ODD_WINDOW]]
        if len(neighbours) < 3:
            continue
        count = totals.get(month, 0)
        baseline = statistics.median(totals.get(m, 0) for m in neighbours)
        diff = count - baseline
        if abs(diff) < ODD_MIN or baseline / ODD_FACTOR <= count <= baseline * ODD_FACTOR:
            continue
        changes = {
            rule: counts.get(month, 0) - statistics.median(counts.get(m, 0) for m in neighbours)
            for rule, counts in per_rule.items()
        }
        same_way = sorted(
            (r for r, c in changes.items() if c * diff > 0), key=lambda r: -abs(changes[r])
        )
        named: dict[str, float] = {}
        for rule in same_way[:3]:
            named[rule] = _number(changes[rule])
            if abs(sum(named.values())) >= 0.8 * abs(diff):
                break
        odd[month] = {"count": count, "baseline": _number(baseline), "rules": named}
    return odd


def _number(x: float) -> float:
    """A median as an int when it is whole (JSON reads better), else as it is."""
    return int(x) if float(x).is_integer() else float(x)


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


def _median_days_late(obligations: Obligations) -> dict[tuple[str, str], float]:
    rows = obligations.query(
        """SELECT ruleset, rule, median(days_late) AS m FROM obligations
           WHERE status = 'fulfilled_late' GROUP BY ALL"""
    )
    return {(r.ruleset, r.rule): float(r.m) for r in rows.itertuples(index=False)}


# ---------------------------------------------------------------- formatting (Danish)

NBSP = "\u00a0"


def _pct(x: float | None) -> str:
    """``0.6`` → ``'60,0 %'`` with a non-breaking space; None/NaN → ``'–'``."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{100 * x:.1f}{NBSP}%".replace(".", ",")


def _int(n: Any) -> str:
    """``12345`` → ``'12.345'`` (Danish thousands separator)."""
    return f"{int(n):,}".replace(",", ".")


def _signed(n: float) -> str:
    """``1234.5`` → ``'+1.234'`` (rounded half to even), ``-3`` → ``'−3'``."""
    return ("+" if n > 0 else "−") + _int(round(abs(n)))


def _days(x: float | None) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{x:.0f}" if float(x).is_integer() else f"{x:.1f}".replace(".", ",")


def _esc(text: Any) -> str:
    return html.escape(str(text))


_MONTHS_DA = (
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
)


def _month_da(month: str) -> str:
    """``'2017-12'`` → ``'december 2017'``."""
    year, number = month.split("-")
    return f"{_MONTHS_DA[int(number) - 1]}{NBSP}{year}"


def _name(title: str, ident: str) -> str:
    """A Danish title with its id as a tooltip and a small code label."""
    return f'<span title="{_esc(ident)}">{_esc(title)}</span> <code class="id">{_esc(ident)}</code>'


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
    return '<div class="chart">' + markup[markup.index("<svg") :] + "</div>"


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")  # no display: the report is written, not shown
    import matplotlib.pyplot as plt

    plt.rcParams.update(
        {
            "svg.fonttype": "none",
            "font.size": 9,
            "font.family": "DejaVu Sans",
            "svg.hashsalt": "lovregler",
            "axes.formatter.use_locale": False,
        }
    )
    return plt


def _legend_beside(ax: Any) -> None:
    """The legend right of the axes: it never covers a line, a bar or an axis label."""
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=8, frameon=False)


def plot_rettidighed(ruleset: Mapping[str, Any]) -> str:
    """Horizontal bars: rettidighed, late and overdue shares per rule of one ruleset."""
    plt = _pyplot()
    rules = [r for r in ruleset["rules"].values() if r["rettidighed"] is not None]
    fig, ax = plt.subplots(figsize=(7, 0.45 * max(len(rules), 2) + 0.8))
    left = [0.0] * len(rules)
    names = [r["title"] for r in rules]
    for status, label, colour in (
        ("fulfilled", "Rettidigt", "#2e7d32"),
        ("fulfilled_late", "For sent", "#f9a825"),
        ("overdue", "Overskredet", "#c62828"),
    ):
        values = [100 * r["counts"][status] / _decided(r["counts"]) for r in rules]
        ax.barh(names, values, left=left, label=label, color=colour)
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.set_xlim(0, 100)
    ax.set_xlabel("Andel af afgjorte forpligtelser (%)")
    ax.set_title("Rettidighed pr. regel")
    ax.invert_yaxis()
    _legend_beside(ax)
    return _svg(fig)


def _decided(counts: Mapping[str, int]) -> int:
    return counts["fulfilled"] + counts["fulfilled_late"] + counts["overdue"]


def plot_days_late(dist: pd.DataFrame, ruleset: str) -> str:
    """Horizontal bars: how many days late, for obligations met late and those overdue."""
    plt = _pyplot()
    rows = dist[dist["ruleset"] == ruleset]
    fig, ax = plt.subplots(figsize=(7, 2.8))
    y = list(range(len(rows)))
    ax.barh(
        [i - 0.2 for i in y],
        rows["fulfilled_late"],
        height=0.4,
        label="Opfyldt for sent",
        color="#f9a825",
    )
    ax.barh([i + 0.2 for i in y], rows["overdue"], height=0.4, label="Overskredet", color="#c62828")
    ax.set_yticks(y, list(rows["bin"]))
    ax.invert_yaxis()
    ax.set_xlabel("Antal forpligtelser")
    ax.set_title("Dage for sent")
    _legend_beside(ax)
    return _svg(fig)


def _shown_months(months: Mapping[str, Any], until: str | None) -> list[str]:
    return [m for m in sorted(months) if until is None or m <= until]


def plot_rule_trends(ruleset: Mapping[str, Any], until: str | None) -> str:
    """Lines: rettidighed by month of the due date, one line per rule with decided instances."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 3.2))
    for rule in ruleset["rules"].values():
        months = [
            m
            for m in _shown_months(rule["months"], until)
            if rule["months"][m]["rettidighed"] is not None
        ]
        if not months:
            continue
        dates = pd.PeriodIndex(months, freq="M").to_timestamp()
        values = [100 * rule["months"][m]["rettidighed"] for m in months]
        ax.plot(
            dates,
            values,
            label=rule["title"],
            linewidth=1.2,
            marker="." if len(months) < 4 else None,
        )
    ax.set_ylim(0, 100)
    ax.margins(x=0.04)  # the first date label clear of the y axis's "0"
    ax.tick_params(axis="x", pad=6)
    ax.set_ylabel("Rettidighed (%)")
    ax.set_xlabel("Måned for fristen")
    ax.set_title("Rettidighed pr. regel og måned")
    _legend_beside(ax)
    return _svg(fig)


def plot_trend(data: Mapping[str, Any], until: str | None) -> str:
    """Lines: rettidighed by month of the due date, one line per ruleset."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 3.2))
    for ruleset in data["rulesets"].values():
        months = [
            m
            for m in _shown_months(ruleset["months"], until)
            if ruleset["months"][m]["rettidighed"] is not None
        ]
        if not months:
            continue
        dates = pd.PeriodIndex(months, freq="M").to_timestamp()
        values = [100 * ruleset["months"][m]["rettidighed"] for m in months]
        ax.plot(dates, values, label=ruleset["title"], linewidth=1.2)
    ax.set_ylim(0, 100)
    ax.margins(x=0.04)  # the first date label clear of the y axis's "0"
    ax.tick_params(axis="x", pad=6)
    ax.set_ylabel("Rettidighed (%)")
    ax.set_xlabel("Måned for fristen")
    ax.set_title("Rettidighed over tid pr. regelsæt")
    _legend_beside(ax)
    return _svg(fig)


# ---------------------------------------------------------------- HTML

_CSS = """
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1100px;padding:0 1em;color:#222}
.scroll{overflow-x:auto;max-width:100%;margin:1em 0}
table{border-collapse:collapse;font-size:0.85em}
th,td{border:1px solid #ccc;padding:0.3em 0.45em;text-align:right;white-space:nowrap}
th{background:#f0f0f0;vertical-align:bottom;white-space:normal;min-width:4.5em} td.t{text-align:left;white-space:normal;min-width:9em}
tr.odd td{background:#fff3cd}
code.id{font-size:0.75em;color:#666}
td code.id{display:block}
h2{border-bottom:2px solid #2e7d32;padding-bottom:0.2em}
.note{color:#555;font-size:0.9em}
.odd-note{background:#fff3cd;border-left:4px solid #f9a825;padding:0.4em 0.8em}
.chart svg{max-width:100%;height:auto}
"""


def _html_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    text_cols: int = 1,
    row_classes: Sequence[str] = (),
) -> str:
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = "".join(
        f"<tr{f' class={cls}' if cls else ''}>"
        + "".join(f"<td{' class=t' if i < text_cols else ''}>{c}</td>" for i, c in enumerate(row))
        + "</tr>"
        for row, cls in zip(rows, [*row_classes, *[""] * len(rows)], strict=False)
    )
    return f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


_RULE_HEADERS = (
    "Regel",
    "I alt",
    *_STATUS_LABELS.values(),
    "Rettidighed",
    "Andel for sent",
    "Andel overskredet",
    "Median dage for sent",
)


def _share(counts: Mapping[str, int], status: str) -> float | None:
    decided = _decided(counts)
    return counts[status] / decided if decided else None


def _rule_rows(
    ruleset: str, rules: Mapping[str, Any], medians: Mapping[tuple[str, str], float]
) -> list[list[str]]:
    return [
        [
            _name(rule["title"], ident),
            _int(sum(rule["counts"].values())),
            *(_int(rule["counts"][status]) for status in STATUSES),
            f"<b>{_pct(rule['rettidighed'])}</b>",
            _pct(_share(rule["counts"], "fulfilled_late")),
            _pct(_share(rule["counts"], "overdue")),
            _days(medians.get((ruleset, ident))),
        ]
        for ident, rule in rules.items()
    ]


def _transition_section(rules: Mapping[str, Any]) -> str:
    """The instances a declared transition created, per rule, apart from the rest."""
    rows = [
        [
            _name(rule["title"], ident),
            _int(sum(rule["transition"]["counts"].values())),
            *(_int(rule["transition"]["counts"][status]) for status in STATUSES),
            f"<b>{_pct(rule['transition']['rettidighed'])}</b>",
        ]
        for ident, rule in rules.items()
        if sum(rule["transition"]["counts"].values())
    ]
    if not rows:
        return ""
    return (
        "<h3>Forekomster fra en overgangsregel</h3>"
        '<p class="note">Forekomster, som en erklæret overgangsregel har skabt (forløb, der var '
        "i gang, da reglen trådte i kraft). De er talt med ovenfor og vises her for sig.</p>"
        + _html_table(("Regel", "I alt", *_STATUS_LABELS.values(), "Rettidighed"), rows)
    )


def _odd_notes(ruleset: Mapping[str, Any]) -> str:
    notes = []
    for month, odd in ruleset["odd_months"].items():
        more = odd["count"] > odd["baseline"]
        causes = ", ".join(
            f"{_esc(ruleset['rules'][r]['title'])} ({_signed(change)})"
            for r, change in odd["rules"].items()
        )
        notes.append(
            f"<li><b>{_month_da(month)}</b>: {_int(odd['count'])} forpligtelser mod ca. "
            f"{_int(round(odd['baseline']))} i nabomånederne ({'flere' if more else 'færre'}). "
            f"Forskellen kommer især fra: {causes or 'ingen enkelt regel'}.</li>"
        )
    if not notes:
        return ""
    return (
        '<div class="odd-note"><p><b>Usædvanlige måneder.</b> Antallet af forpligtelser med frist '
        f"i disse måneder afviger meget fra nabomånederne:</p><ul>{''.join(notes)}</ul></div>"
    )


def _month_table(ruleset: Mapping[str, Any], until: str | None) -> str:
    months = _shown_months(ruleset["months"], until)
    rules = [(ident, r) for ident, r in ruleset["rules"].items() if r["rettidighed"] is not None]
    headers = [
        "Måned",
        "Forpligtelser",
        "Rettidighed",
        *(f'<span title="{_esc(i)}">{_esc(r["title"])}</span>' for i, r in rules),
    ]
    rows, classes = [], []
    for month in months:
        entry = ruleset["months"][month]
        cells = [
            month + (" ⚠" if month in ruleset["odd_months"] else ""),
            _int(sum(entry["counts"].values())),
            f"<b>{_pct(entry['rettidighed'])}</b>",
        ]
        for _, rule in rules:
            hit = rule["months"].get(month)
            if hit is None or hit["rettidighed"] is None:
                cells.append("–")
            else:
                cells.append(f"{_pct(hit['rettidighed'])} ({_int(_decided(hit['counts']))})")
        rows.append(cells)
        classes.append("odd" if month in ruleset["odd_months"] else "")
    note = (
        '<p class="note">Alle forpligtelser med frist i måneden; rettidighed pr. regel med antal '
        "afgjorte i parentes. ⚠ markerer en usædvanlig måned.</p>"
    )
    return "<h3>Pr. måned</h3>" + note + _html_table(headers, rows, row_classes=classes)


def _ruleset_section(
    name: str, ruleset: Mapping[str, Any], dist: pd.DataFrame, medians: Any, until: str | None
) -> str:
    months = _shown_months(ruleset["months"], until)
    span = (
        f"Frister fra {_month_da(months[0])} til {_month_da(months[-1])}."
        if months
        else "Ingen frister før opgørelsesdatoen."
    )
    parts = [
        f'<h2 id="{_esc(name)}">{_name(ruleset["title"], name)}</h2>',
        f'<p class="note">{span} Rettidighed i alt: <b>{_pct(ruleset["rettidighed"])}</b>.</p>',
        _odd_notes(ruleset),
        _html_table(_RULE_HEADERS, _rule_rows(name, ruleset["rules"], medians)),
        _transition_section(ruleset["rules"]),
    ]
    if _decided(ruleset["counts"]):
        parts.append(plot_rettidighed(ruleset))
        parts.append(plot_days_late(dist, name))
        parts.append(_distribution_table(dist, name))
        parts.append(plot_rule_trends(ruleset, until))
    if months:
        parts.append(_month_table(ruleset, until))
    return "\n".join(p for p in parts if p)


def render_report(outdir: str | Path, data: Mapping[str, Any] | None = None) -> str:
    """The whole report for a batch output folder, as one HTML document.

    ``data`` is :func:`figures` of the folder when the caller has it already.
    """
    obligations = load_obligations(outdir)
    data = figures(obligations) if data is None else data
    manifest = _manifest(Path(outdir))
    dist = days_late_distribution(obligations)
    medians = _median_days_late(obligations)
    until = data["as_of"][:7] if data.get("as_of") else None
    parts = [_header(manifest, obligations.count())]
    for name, ruleset in data["rulesets"].items():
        parts.append(_ruleset_section(name, ruleset, dist, medians, until))
    if any(_decided(r["counts"]) for r in data["rulesets"].values()):
        parts.append("<h2>Udvikling pr. måned</h2>")
        parts.append('<p class="note">Rettidighed for forpligtelser med frist i måneden.</p>')
        parts.append(plot_trend(data, until))
    parts.append(_errors_section(Path(outdir)))
    body = "\n".join(parts)
    return (
        '<!DOCTYPE html>\n<html lang="da"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
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
        "tælles ikke med. Måneder er måneden for fristen; diagrammer og månedstabeller går til "
        "opgørelsesdatoen, JSON-filen (--json) har alle måneder.</p>"
    )


def _distribution_table(dist: pd.DataFrame, ruleset: str) -> str:
    rows = dist[dist["ruleset"] == ruleset]
    body = [[_esc(r.bin), _int(r.fulfilled_late), _int(r.overdue)] for r in rows.itertuples()]
    return _html_table(("Dage for sent", "Opfyldt for sent", "Overskredet"), body)


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


def write_report(
    outdir: str | Path, output: str | Path, figures_path: str | Path | None = None
) -> Path:
    """Render the report for ``outdir`` to ``output`` (and its figures to ``figures_path``)."""
    data = figures(load_obligations(outdir))
    out = Path(output)
    out.write_text(render_report(outdir, data), encoding="utf-8")
    if figures_path is not None:
        write_figures(data, figures_path)
    return out


def write_figures(data: Mapping[str, Any], path: str | Path) -> Path:
    """The figures as JSON (UTF-8, Danish letters kept, null where nothing is decided)."""
    out = Path(path)
    out.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return out


# ---------------------------------------------------------------- command line


def build_parser(parser: argparse.ArgumentParser | None = None) -> argparse.ArgumentParser:
    """The ``lovregler report`` arguments (on ``parser`` when given, e.g. a subparser)."""
    p = parser or argparse.ArgumentParser(
        prog="lovregler report", description="Rettidighedsrapport."
    )
    p.add_argument("outdir", help="mappen som lovregler batch skrev")
    p.add_argument("-o", "--output", default="report.html", help="HTML-fil (standard: report.html)")
    p.add_argument(
        "--json", dest="figures", default=None, help="skriv tallene bag rapporten hertil"
    )
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
        path = write_report(args.outdir, args.output, getattr(args, "figures", None))
    except (OSError, ValueError, KeyError) as exc:  # an unreadable or foreign table
        print(f"lovregler report: {args.outdir}: {exc}", file=sys.stderr)
        return 2
    seconds = (datetime.datetime.now() - started).total_seconds()
    extra = f" og {args.figures}" if getattr(args, "figures", None) else ""
    print(f"Rapport: {path}{extra} ({seconds:.1f} s)")
    return 0
