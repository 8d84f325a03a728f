"""The report's Danish number formatting and its plots (SVG through matplotlib): rettidighed
per ruleset, days late, and the monthly trends.
"""

from __future__ import annotations

import html
import io
import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from ..prose.words import MONTHS

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


def _month_da(month: str) -> str:
    """``'2017-12'`` → ``'december 2017'``."""
    year, number = month.split("-")
    return f"{MONTHS[int(number) - 1]}{NBSP}{year}"


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
