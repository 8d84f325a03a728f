"""Timeline pictures (SVG) of a rule example, for the docs site.

One picture per expectation block (``pr. DATO forventes``): the forløb and benefit bars drawn
from the example's start and end events, a marker per event, and per expected obligation the
span from its trigger to its due date, coloured by status, with the day it was met; rights and
values as bars; a dashed line at the as-of date.

The SVG is built as a plain string. Every piece of text comes from a rule file, which is
untrusted, so all of it passes through :func:`html.escape`. Output is deterministic: the same
example gives byte-identical SVG, so the docs build is reproducible.

>>> import datetime as dt
>>> data = TimelineData(title="Eksempel", as_of=dt.date(2015, 4, 1),
...     markers=(Marker(dt.date(2015, 3, 6), "samtale"),))
>>> render_svg(data).startswith("<svg")
True
"""

from __future__ import annotations

import datetime
import html
from collections.abc import Iterable, Mapping

import attrs

from .. import prose, timecalc
from ..results import STATUS_DA
from ..semantics.vocabulary import LastingPeriodDecl, PeriodDecl
from ..syntax import ast

STATUS_COLOURS = {
    "fulfilled": "#2e7d32",
    "fulfilled_late": "#f9a825",
    "overdue": "#c62828",
    "pending": "#1565c0",
    "suspended": "#757575",
}

WIDTH = 960
LABEL_W = 250
ROW_H = 24
AXIS_H = 46
MARKER_ROW_H = 18


# ───────────────────────────── data ─────────────────────────────
@attrs.frozen
class Bar:
    """A period: a benefit, a forløb, a right. ``end`` None means open (drawn to the edge)."""

    label: str
    start: datetime.date
    end: datetime.date | None
    kind: str = "period"  # "period" | "right" | "value"


@attrs.frozen
class Marker:
    """An event on a day, with its label."""

    date: datetime.date
    label: str


@attrs.frozen
class ObligationSpan:
    """An expected obligation instance: trigger → due, status, the day it was met."""

    label: str
    due: datetime.date
    status: str
    trigger: datetime.date | None = None
    fulfilled_on: datetime.date | None = None


@attrs.frozen(kw_only=True)
class TimelineData:
    """Everything one picture shows."""

    title: str
    as_of: datetime.date
    bars: tuple[Bar, ...] = ()
    markers: tuple[Marker, ...] = ()
    obligations: tuple[ObligationSpan, ...] = ()
    rights: tuple[Bar, ...] = ()


# ───────────────────────────── from an example ─────────────────────────────
def _attr(event: ast.ExampleEvent, name: str) -> object:
    return next((lit.value for key, lit in event.attrs if key == name), None)


def example_bars(
    events: Iterable[ast.ExampleEvent], ctx: prose.ProseContext = prose.DEFAULT_CONTEXT
) -> tuple[Bar, ...]:
    """A bar per period of the vocabulary: from its start to its end event, or, for a period
    that lasts what its start event says (``periode … varer varighed_år år``), from that event
    for that long."""
    periods = ctx.names.vocabulary.periods.values()
    lasting = ctx.names.vocabulary.lasting_periods.values()
    starts = {p.start: p for p in periods}
    ends = {p.end: p for p in periods}
    open_: dict[tuple[str, object], tuple[datetime.date, str]] = {}
    bars: list[Bar] = []
    for ev in events:
        if ev.type in starts:
            _open_period(ev, starts[ev.type], open_, bars, ctx)
        elif ev.type in ends:
            period = ends[ev.type]
            key = (period.name, _attr(ev, period.key) if period.key else None)
            if key in open_:
                start, label = open_.pop(key)
                bars.append(Bar(label, start, ev.date))
        values = {name: lit.value for name, lit in ev.attrs}
        bars += [_lasting_bar(ev, p) for p in lasting if p.opened_by(ev.type, values)]
    bars += [Bar(label, start, None) for (start, label) in open_.values()]
    return tuple(bars)


def _open_period(
    ev: ast.ExampleEvent,
    period: PeriodDecl,
    open_: dict[tuple[str, object], tuple[datetime.date, str]],
    bars: list[Bar],
    ctx: prose.ProseContext,
) -> None:
    key = (period.name, _attr(ev, period.key) if period.key else None)
    label = _period_label(ev, period, ctx)
    if key in open_:
        # A new start while open continues the period (it may change målgruppe): a new segment.
        start, old = open_.pop(key)
        if ev.date > start:
            bars.append(Bar(old, start, ev.date - datetime.timedelta(days=1)))
        else:
            label = label or old
    open_[key] = (ev.date, label)


def _period_label(ev: ast.ExampleEvent, period: PeriodDecl, ctx: prose.ProseContext) -> str:
    """A keyed period by its key and the start event's other enum values (``kontanthjælp
    (jobparat)``); one without key by the vocabulary's noun (``fleksjob``)."""
    if period.key is None:
        return period.words.noun.singular if period.words else period.name
    event = ctx.names.event(ev.type)
    kinds = {name: a.type.kind for name, a in event.attrs.items()} if event else {}
    others = [
        prose.human(str(lit.value), ctx)
        for name, lit in ev.attrs
        if name != period.key and kinds.get(name) == "enum"
    ]
    label = prose.human(str(_attr(ev, period.key)), ctx)
    return label + (f" ({', '.join(others)})" if others else "")


def _lasting_bar(ev: ast.ExampleEvent, period: LastingPeriodDecl) -> Bar:
    """The bar of a period its start event opens for N units: to the day before start + N
    units (contract §3.2, by the evaluators' own arithmetic), open when N is not given."""
    label = period.words.noun.singular if period.words else period.name
    n = _attr(ev, period.length.attr)
    if not isinstance(n, int):
        return Bar(label, ev.date, None)
    length = period.length.times(n)
    end = timecalc.add_duration(timecalc.from_date(ev.date), length.months, length.days) - 1
    return Bar(f"{label} ({prose.duration_phrase(length)})", ev.date, timecalc.to_date(end))


def event_label(
    ev: ast.ExampleEvent,
    names: Mapping[str, str] | None = None,
    ctx: prose.ProseContext = prose.DEFAULT_CONTEXT,
) -> str:
    """``samtale``, ``starter på en ydelse (kontanthjælp, aktivitetsparat)``, ``test_lsr (behov=sand)``.

    ``names`` gives the Danish name of an event type (else its id is shown). Enum and number
    values stand alone (they name themselves, in words); a boolean keeps its name.
    """
    values = []
    for key, lit in ev.attrs:
        if lit.kind == "bool":
            values.append(f"{key}={'sand' if lit.value else 'falsk'}")
        else:
            values.append(prose.human(str(lit.value), ctx))
    name = (names or {}).get(ev.type, ev.type)
    return f"{name} ({', '.join(values)})" if values else name


def _obligation_span(
    item: ast.Expect,
    titles: Mapping[str, str],
    triggers: Mapping[tuple[str, datetime.date], datetime.date],
) -> ObligationSpan:
    assert item.due is not None
    return ObligationSpan(
        label=titles.get(item.rule, item.rule),
        due=item.due,
        status=item.status or "pending",
        trigger=triggers.get((item.rule, item.due)),
        fulfilled_on=item.fulfilled_on,
    )


def _right_bar(item: ast.Expect, titles: Mapping[str, str]) -> Bar:
    assert item.start is not None
    label = titles.get(item.rule, item.rule)
    shown = label if item.value is None else f"{label}: {item.value}"
    return Bar(shown, item.start, item.until, item.kind)


def timeline_from_example(
    example: ast.Example,
    expectation: ast.Expectation,
    titles: Mapping[str, str],
    triggers: Mapping[tuple[str, datetime.date], datetime.date] | None = None,
    event_names: Mapping[str, str] | None = None,
    ctx: prose.ProseContext = prose.DEFAULT_CONTEXT,
) -> TimelineData:
    """The picture of one expectation block of an example.

    ``titles`` maps rule ids to their Danish titles; ``triggers`` maps (rule, due) to the
    trigger date an evaluation found (the example itself states only the due date);
    ``event_names`` maps event types to their Danish names; ``ctx`` gives the vocabulary's
    periods and words.
    """
    triggers = triggers or {}
    # Events after the as-of date do not exist for that evaluation (contract §2).
    events = [ev for ev in example.events if ev.date <= expectation.as_of]
    obligations = [
        _obligation_span(item, titles, triggers)
        for item in expectation.items
        if item.kind == "obligation" and item.due is not None
    ]
    rights = [
        _right_bar(item, titles)
        for item in expectation.items
        if item.kind in ("right", "value") and item.start is not None
    ]
    return TimelineData(
        title=f"{example.title} — pr. {expectation.as_of.isoformat()}",
        as_of=expectation.as_of,
        bars=example_bars(events, ctx),
        markers=tuple(Marker(ev.date, event_label(ev, event_names, ctx)) for ev in events),
        obligations=tuple(obligations),
        rights=tuple(rights),
    )


# ───────────────────────────── triggers ─────────────────────────────
def estimate_triggers(
    example: ast.Example,
    expectation: ast.Expectation,
    rules: Iterable[ast.Rule],
    anchors: Iterable[datetime.date] = (),
    ctx: prose.ProseContext = prose.DEFAULT_CONTEXT,
) -> dict[tuple[str, datetime.date], datetime.date]:
    """The trigger of each expected obligation, found by working back from its due date.

    An example states only due dates. The trigger is the candidate day (an event of the
    example, a period start, or one of ``anchors`` such as version starts) from which the
    rule's own arithmetic (:mod:`lovregler.timecalc`) gives exactly that due date; the latest
    such day wins. A rule whose due date is not a fixed distance from its trigger (a threshold,
    a date expression) gets none, and the picture shows its due date alone.
    """
    days = {ev.date for ev in example.events if ev.date <= expectation.as_of}
    days |= {bar.start for bar in example_bars(example.events, ctx)} | set(anchors)
    candidates = sorted(days, reverse=True)
    by_id: dict[str, list[ast.Rule]] = {}
    for rule in rules:
        by_id.setdefault(rule.id, []).append(rule)
    found = {}
    for item in expectation.items:
        if item.kind != "obligation" or item.due is None:
            continue
        for rule in by_id.get(item.rule, []):
            trigger = _trigger_of(rule, item.due, candidates)
            if trigger is not None:
                found[(item.rule, item.due)] = trigger
                break
    return found


def _trigger_of(
    rule: ast.Rule, due: datetime.date, candidates: list[datetime.date]
) -> datetime.date | None:
    if not isinstance(rule, ast.ObligationRule):
        return None  # only an obligation has a due date
    if isinstance(rule.trigger, ast.CountWindows):
        return _window_start(rule.trigger.length, due, candidates)
    convention = rule.deadline.convention if rule.deadline else "standard"
    lengths = [d for d in (rule.deadline.after if rule.deadline else None, rule.repeat) if d]
    target = timecalc.from_date(due)
    for day in candidates:
        if day > due:
            continue
        for d in lengths:
            if _shifted(timecalc.from_date(day), d, convention) == target:
                return day
    return None


def _shifted(day: int, d: ast.Duration, convention: str) -> int:
    if convention == "hverdag":
        return timecalc.hverdag(timecalc.add_duration(day, d.months, d.days))
    return timecalc.add_duration(day, d.months, d.days, convention)


def _window_start(
    length: ast.Duration, due: datetime.date, candidates: list[datetime.date]
) -> datetime.date | None:
    # Period k of a count window runs [A + k·N, A + (k+1)·N − 1 day] (contract §3.6, §3.8).
    target = timecalc.from_date(due)
    for anchor in candidates:
        a = timecalc.from_date(anchor)
        if a > target:
            continue
        k = timecalc.period_index(a, target, length.months, length.days)
        if timecalc.period_start(a, k + 1, length.months, length.days) - 1 == target:
            return timecalc.to_date(timecalc.period_start(a, k, length.months, length.days))
    return None


# ───────────────────────────── drawing ─────────────────────────────
@attrs.frozen
class _Scale:
    first: datetime.date
    last: datetime.date

    def x(self, d: datetime.date) -> float:
        """The horizontal position of a day."""
        span = max((self.last - self.first).days, 1)
        return round(LABEL_W + (WIDTH - LABEL_W - 20) * (d - self.first).days / span, 1)


def _scale(data: TimelineData) -> _Scale:
    days = [data.as_of]
    days += [m.date for m in data.markers]
    for bar in data.bars + data.rights:
        days += [bar.start] + ([bar.end] if bar.end else [])
    for ob in data.obligations:
        days += [ob.due] + [d for d in (ob.trigger, ob.fulfilled_on) if d]
    first, last = min(days), max(days)
    pad = datetime.timedelta(days=max(7, (last - first).days // 20))
    return _Scale(first - pad, last + pad)


def _text_width(text: str) -> float:
    # About 7 px per character at 11 px (digits are wide): keeps labels inside the picture.
    return 7.0 * len(text) + 8


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _text(x: float, y: float, text: str, cls: str, anchor: str = "start") -> str:
    return f'<text x="{x}" y="{y}" class="{cls}" text-anchor="{anchor}">{_esc(text)}</text>'


def _ticks(scale: _Scale, height: int) -> list[str]:
    # Month ticks, thinned so that at most about twelve carry a label.
    months = []
    d = datetime.date(scale.first.year, scale.first.month, 1)
    while d <= scale.last:
        if d >= scale.first:
            months.append(d)
        d = datetime.date(d.year + d.month // 12, d.month % 12 + 1, 1)
    step = max(1, -(-len(months) // 12))
    out = []
    for i, m in enumerate(months):
        x = scale.x(m)
        out.append(f'<line x1="{x}" y1="{AXIS_H - 6}" x2="{x}" y2="{height}" class="grid"/>')
        if i % step == 0 and x < WIDTH - 48:  # a label cut by the edge helps no one
            out.append(_text(x + 2, AXIS_H - 10, f"{m.month:02d}/{m.year}", "tick"))
    return out


def _label(y: int, text: str) -> str:
    # The row's name in the left column; one too long for it is cut, whole in its tooltip,
    # so that it never runs into the bars (the tables under the picture name it in full).
    room = LABEL_W - 16
    shown = text
    while len(shown) > 1 and _text_width(shown + "…") > room:
        shown = shown[:-1].rstrip()
    if shown != text:
        shown += "…"
    return (
        f'<text x="8" y="{y + 16}" class="label" text-anchor="start">'
        f"<title>{_esc(text)}</title>{_esc(shown)}</text>"
    )


NOTE_LINE_H = 14


def _note(note: str, y: int, right: float, left: float) -> tuple[str, int]:
    """A note beside a mark: right of ``right`` if it fits, else left of ``left`` if it keeps
    clear of the label column, else on a line of its own under the row (returns the extra
    height used)."""
    width = _text_width(note)
    if right + 6 + width <= WIDTH:
        return _text(right + 6, y + 16, note, "note"), 0
    if left - 6 - width >= LABEL_W:
        return _text(left - 6, y + 16, note, "note", "end"), 0
    x = max(LABEL_W, min(left, WIDTH - width))
    return _text(x, y + ROW_H + NOTE_LINE_H - 6, note, "note"), NOTE_LINE_H


def _bar_row(bar: Bar, y: int, scale: _Scale, as_of: datetime.date) -> tuple[list[str], int]:
    end = bar.end or max(as_of, scale.last - datetime.timedelta(days=1))
    x1, x2 = scale.x(bar.start), scale.x(end + datetime.timedelta(days=1))
    until = bar.end.isoformat() if bar.end else "åben"
    label = f"{bar.label} ({bar.start.isoformat()} – {until})"
    out = [
        _label(y, bar.label),
        f'<rect x="{x1}" y="{y + 5}" width="{max(x2 - x1, 2)}" height="{ROW_H - 10}" '
        f'class="bar {bar.kind}{" open" if bar.end is None else ""}"><title>{_esc(label)}</title></rect>',
    ]
    extra = 0
    if bar.kind != "period":
        # Rights and values are what a reviewer checks: write their dates on the picture.
        text, extra = _note(f"{bar.start.isoformat()} – {until}", y, x2, x1)
        out.append(text)
    return out, ROW_H + extra


def _obligation_row(ob: ObligationSpan, y: int, scale: _Scale) -> tuple[list[str], int]:
    colour = STATUS_COLOURS.get(ob.status, "#000000")
    xd = scale.x(ob.due)
    status = STATUS_DA.get(ob.status, ob.status)
    out = [_label(y, ob.label)]
    if ob.trigger is not None:
        xt = scale.x(ob.trigger)
        out.append(
            f'<line x1="{xt}" y1="{y + 12}" x2="{xd}" y2="{y + 12}" stroke="{colour}" '
            'stroke-width="4" stroke-linecap="round" class="span"/>'
        )
        out.append(f'<circle cx="{xt}" cy="{y + 12}" r="4" fill="#ffffff" stroke="{colour}"/>')
    out.append(
        f'<path d="M{xd} {y + 4} l6 8 l-6 8 l-6 -8 z" fill="{colour}" class="due">'
        f"<title>{_esc(f'frist {ob.due.isoformat()}: {status}')}</title></path>"
    )
    if ob.fulfilled_on is not None:
        xf = scale.x(ob.fulfilled_on)
        out.append(
            f'<path d="M{xf - 5} {y + 12} l4 5 l7 -10" fill="none" stroke="{colour}" '
            f'stroke-width="2.5" class="met"><title>opfyldt {ob.fulfilled_on.isoformat()}</title></path>'
        )
    note = f"frist {ob.due.isoformat()} · {status}"
    if ob.fulfilled_on is not None:
        note += f" {ob.fulfilled_on.isoformat()}"
    # A note that would run off the right edge is written to the left of the due mark.
    text, extra = _note(note, y, xd + 4, xd - 4)
    out.append(text)
    return out, ROW_H + extra


def _marker_rows(markers: tuple[Marker, ...], y: int, scale: _Scale) -> tuple[list[str], int]:
    out = [_text(8, y + 14, "Hændelser", "label")]
    taken: list[list[tuple[float, float]]] = []
    for m in sorted(markers, key=lambda m: (m.date, m.label)):
        x = scale.x(m.date)
        text = f"{m.date.isoformat()} {m.label}"
        width = _text_width(text)
        # Near the right edge the label goes to the left of its dot.
        left = x + width > WIDTH - 4
        span = (x - width, x + 4) if left else (x - 4, x + width)
        row = _free_row(taken, span)
        yy = y + row * MARKER_ROW_H
        out.append(f'<circle cx="{x}" cy="{yy + 10}" r="4" class="event"/>')
        tx, anchor = (x - 7, "end") if left else (x + 7, "start")
        out.append(_text(tx, yy + 14, text, "event-label", anchor))
    return out, max(len(taken), 1) * MARKER_ROW_H + 6


def _free_row(taken: list[list[tuple[float, float]]], span: tuple[float, float]) -> int:
    # Stack labels in rows so that close events do not write over each other.
    for i, row in enumerate(taken):
        if all(span[1] < a or span[0] > b for a, b in row):
            row.append(span)
            return i
    taken.append([span])
    return len(taken) - 1


STYLE = (
    "<style>"
    "text{font-family:system-ui,sans-serif;font-size:12px;fill:#222}"
    ".title{font-size:14px;font-weight:bold}.tick{font-size:11px;fill:#555}"
    ".note{font-size:11px;paint-order:stroke;stroke:#fff;stroke-width:4px}.event-label{font-size:11px;fill:#333}"
    ".grid{stroke:#e0e0e0;stroke-width:1}.asof{stroke:#6a1b9a;stroke-width:2;stroke-dasharray:6 4}"
    ".bar.period{fill:#90a4ae}.bar.right{fill:#80cbc4}.bar.value{fill:#ce93d8}"
    ".bar.open{opacity:.75}.event{fill:#37474f}"
    "</style>"
)


def _rows(data: TimelineData, scale: _Scale) -> tuple[list[str], int]:
    # Top to bottom: periods, events, obligations, rights; returns the drawing and its end.
    body: list[str] = []
    y = AXIS_H + 4
    for bar in data.bars:
        drawn, used = _bar_row(bar, y, scale, data.as_of)
        body += drawn
        y += used
    markers, used = _marker_rows(data.markers, y, scale)
    body += markers
    y += used
    for ob in data.obligations:
        drawn, used = _obligation_row(ob, y, scale)
        body += drawn
        y += used
    for bar in data.rights:
        drawn, used = _bar_row(bar, y, scale, data.as_of)
        body += drawn
        y += used
    return body, y


def render_svg(data: TimelineData) -> str:
    """The SVG document (as text) for one timeline."""
    scale = _scale(data)
    body, y = _rows(data, scale)
    height = y + 24
    xa = scale.x(data.as_of)
    head = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="lovregler-timeline" '
        f'width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{_esc(data.title)}">',
        f"<title>{_esc(data.title)}</title>",
        STYLE,
        f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>',
        _text(8, 16, data.title, "title"),
    ]
    tail = [
        f'<line x1="{xa}" y1="{AXIS_H - 6}" x2="{xa}" y2="{height - 14}" class="asof"/>',
        _text(xa, height - 2, f"pr. {data.as_of.isoformat()}", "tick", "middle"),
        "</svg>",
    ]
    return "\n".join(head + _ticks(scale, height - 14) + body + tail)


def legend_svg() -> str:
    """A small legend of the status colours."""
    items = []
    for i, (status, colour) in enumerate(STATUS_COLOURS.items()):
        x = 10 + i * 150
        items.append(f'<path d="M{x} 6 l6 8 l-6 8 l-6 -8 z" fill="{colour}"/>')
        items.append(_text(x + 12, 18, STATUS_DA[status], "note"))
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" class="lovregler-legend" width="760" '
        'height="26" viewBox="0 0 760 26" role="img" aria-label="Farveforklaring">'
        + STYLE
        + "".join(items)
        + "</svg>"
    )
