"""The figures of the rettidighed report: the obligations summed up by DuckDB, rettidighed per
ruleset, rule and month, odd months and the days-late distribution.
"""

from __future__ import annotations

import functools
import statistics
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

from .batch_rows import STATUSES

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
