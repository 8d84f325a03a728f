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
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from .batch_output import COMPLETE_MARKER
from .report_figures import (
    _STATUS_LABELS,
    LATE_BINS,
    ODD_FACTOR,
    ODD_MIN,
    ODD_WINDOW,
    STATUSES,
    Counts,
    Obligations,
    _median_days_late,
    days_late_distribution,
    figures,
    load_obligations,
    odd_months,
    rettidighed,
)
from .report_plots import (
    NBSP,
    _days,
    _decided,
    _esc,
    _int,
    _month_da,
    _name,
    _pct,
    _shown_months,
    _signed,
    plot_days_late,
    plot_rettidighed,
    plot_rule_trends,
    plot_trend,
)

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
    """Write the report from parsed arguments; a missing folder is a message, not a traceback.

    A folder without the batch's completion marker is refused: a batch moves its tables into
    place one at a time before it writes the marker, so such a folder may hold tables of
    two runs.
    """
    if not (Path(args.outdir) / "obligations.parquet").exists():
        print(
            f"lovregler report: {args.outdir}: ingen obligations.parquet (kør lovregler batch først)",
            file=sys.stderr,
        )
        return 2
    if not (Path(args.outdir) / COMPLETE_MARKER).exists():
        print(
            f"lovregler report: {args.outdir}: kørslen er ikke afsluttet (ingen {COMPLETE_MARKER}):"
            " en kørsel skriver stadig her, eller den stoppede, mens tabellerne blev lagt på"
            " plads; vent på den, eller kør lovregler batch igen",
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


__all__ = [
    "Counts",
    "LATE_BINS",
    "NBSP",
    "ODD_FACTOR",
    "ODD_MIN",
    "ODD_WINDOW",
    "Obligations",
    "STATUSES",
    "build_parser",
    "days_late_distribution",
    "figures",
    "load_obligations",
    "main_report",
    "odd_months",
    "plot_days_late",
    "plot_rettidighed",
    "plot_rule_trends",
    "plot_trend",
    "render_report",
    "rettidighed",
    "run_report_args",
    "write_figures",
    "write_report",
]
