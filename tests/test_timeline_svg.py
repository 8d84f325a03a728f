"""Timeline SVGs: well-formed, deterministic, show due dates and statuses, escape all text."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path

from lovregler.site import timeline_svg as T
from lovregler.syntax.parse import parse_file, parse_text

RULESETS = Path(__file__).resolve().parent.parent / "rulesets"
SVG = "{http://www.w3.org/2000/svg}"


def _texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    return ["".join(t.itertext()) for t in root.iter() if t.tag in (f"{SVG}text", f"{SVG}title")]


def test_bundled_examples_render_well_formed_with_due_dates_and_statuses() -> None:
    rs = parse_file(RULESETS / "kontanthjælp_aktivitetsparat.lov").rulesets[0]
    titles = {r.id: r.title for v in rs.versions for r in v.rules}
    for example in rs.examples:
        for block in example.expectations:
            svg = T.render_svg(T.timeline_from_example(example, block, titles))
            text = "\n".join(_texts(svg))
            for item in block.items:
                if item.kind == "obligation":
                    assert item.due is not None
                    assert f"frist {item.due.isoformat()}" in text
                    assert T.STATUS_DA[item.status or ""] in text
                    assert T.STATUS_COLOURS[item.status or ""] in svg
                elif item.kind == "right":
                    assert item.start is not None
                    until = item.until.isoformat() if item.until else "åben"
                    assert f"{item.start.isoformat()} – {until}" in text


def test_statuses_are_coloured_and_triggers_drawn() -> None:
    data = T.TimelineData(
        title="t",
        as_of=dt.date(2015, 6, 1),
        obligations=tuple(
            T.ObligationSpan(
                label=status,
                due=dt.date(2015, 5, 1),
                status=status,
                trigger=dt.date(2015, 3, 1),
                fulfilled_on=dt.date(2015, 4, 1) if status.startswith("fulfilled") else None,
            )
            for status in T.STATUS_COLOURS
        ),
    )
    svg = T.render_svg(data)
    root = ET.fromstring(svg)
    spans = [e for e in root.iter(f"{SVG}line") if e.get("class") == "span"]
    assert {e.get("stroke") for e in spans} == set(T.STATUS_COLOURS.values())
    assert "opfyldt 2015-04-01" in "\n".join(_texts(svg))


def test_bars_from_start_and_end_events() -> None:
    module = parse_text(
        'ordning a "A" eksempel "e" født 1970-01-01 '
        "2015-01-05 ydelse_start ydelse=kontanthjælp målgruppe=jobparat "
        "2015-04-13 ydelse_start ydelse=kontanthjælp målgruppe=aktivitetsparat "
        "2015-06-30 ydelse_slut ydelse=kontanthjælp "
        "2015-02-01 sygemelding ansat=sand 2015-02-20 raskmelding "
        "2016-01-01 fleksjob_start "
        "2016-02-01 visitation ordning=ressourceforløb varighed_år=2 "
        "pr. 2016-03-01 forventes ingen x"
    )
    events = module.rulesets[0].examples[0].events
    bars = T.example_bars(events)
    assert T.Bar("kontanthjælp (jobparat)", dt.date(2015, 1, 5), dt.date(2015, 4, 12)) in bars
    assert (
        T.Bar("kontanthjælp (aktivitetsparat)", dt.date(2015, 4, 13), dt.date(2015, 6, 30)) in bars
    )
    # a period without key is named by its noun in the vocabulary ("en sygeperiode")
    assert T.Bar("sygeperiode", dt.date(2015, 2, 1), dt.date(2015, 2, 20)) in bars
    assert T.Bar("fleksjob", dt.date(2016, 1, 1), None) in bars
    # the bundled vocabulary's »periode ressourceforløb … varer varighed_år år«:
    # 2016-02-01 + 2 år = 2018-02-01, the day before is 2018-01-31
    assert T.Bar("ressourceforløb (2 år)", dt.date(2016, 2, 1), dt.date(2018, 1, 31)) in bars


LASTING = """
ordforråd egen "Et ordforråd med en periode, der varer, hvad starthændelsen siger"
opregning art: afklaring, praktik
hændelse bevilling "en bevilling" kaldet "en bevilling" / "bevillinger" handling "give {np}" {
  art: art kaldet "arten"
  måneder: heltal 1..24 "1–24 måneder" kaldet "antallet af måneder"
}
periode afklaringsforløb fra bevilling{art = afklaring} varer måneder måneder
  kaldet "et afklaringsforløb" / "afklaringsforløb" læses "borgeren er i et afklaringsforløb"
ordning a "A" eksempel "e" født 1970-01-01
  2016-02-29 bevilling art=afklaring måneder=12
  2016-03-10 bevilling art=praktik måneder=3
  2016-05-31 bevilling art=afklaring måneder=1
  2016-06-01 visitation ordning=ressourceforløb varighed_år=2
  pr. 2016-07-01 forventes ingen x
"""


def test_a_lasting_period_is_drawn_from_its_declaration() -> None:
    from lovregler import prose

    module = parse_text(LASTING)
    ctx = prose.ProseContext.for_ruleset(vocabulary=module.vocabularies[0])
    bars = T.example_bars(module.rulesets[0].examples[0].events, ctx)
    # 2016-02-29 + 12 måneder = 2017-02-28 (no 29 February; contract §3.2), the day before
    # is 2017-02-27; 2016-05-31 + 1 måned = 2016-06-30 (no 31 June), the day before 06-29
    assert bars == (
        T.Bar("afklaringsforløb (1 år)", dt.date(2016, 2, 29), dt.date(2017, 2, 27)),
        T.Bar("afklaringsforløb (1 måned)", dt.date(2016, 5, 31), dt.date(2016, 6, 29)),
    )  # the praktik bevilling does not match the condition; this vocabulary has no visitation


def test_untrusted_text_is_escaped() -> None:
    evil = '<script>alert("x")</script> & "quotes"'
    data = T.TimelineData(
        title=evil,
        as_of=dt.date(2015, 6, 1),
        bars=(T.Bar(evil, dt.date(2015, 1, 1), None),),
        markers=(T.Marker(dt.date(2015, 2, 1), evil),),
        obligations=(T.ObligationSpan(label=evil, due=dt.date(2015, 5, 1), status="overdue"),),
        rights=(T.Bar(evil, dt.date(2015, 3, 1), dt.date(2015, 4, 1), "right"),),
    )
    svg = T.render_svg(data)
    assert "<script" not in svg
    assert "&lt;script&gt;" in svg
    root = ET.fromstring(svg)  # still well-formed
    assert not list(root.iter(f"{SVG}script"))
    assert evil in _texts(svg)


def test_output_is_deterministic() -> None:
    rs = parse_file(RULESETS / "kbh_kontanthjælp_aktivitetsparat.lov").rulesets[0]
    example = rs.examples[0]
    one = T.render_svg(T.timeline_from_example(example, example.expectations[0], {}))
    two = T.render_svg(T.timeline_from_example(example, example.expectations[0], {}))
    assert one == two


def test_legend_is_well_formed() -> None:
    root = ET.fromstring(T.legend_svg())
    assert "overskredet" in "".join(root.itertext())


def test_long_labels_and_notes_keep_clear_of_the_bars() -> None:
    # A right from 2011 to 2015 on an axis 2011–2015 fills the drawing: its dates fit neither
    # right nor left of the bar, so they go on a line under it (the row grows by 14 px).
    long_title = "Metodeudviklingspuljen 2011: virksomhedsplacering på private virksomheder"
    right = T.Bar(long_title, dt.date(2011, 1, 1), dt.date(2015, 12, 31), kind="right")
    data = T.TimelineData(title="t", as_of=dt.date(2015, 12, 31), rights=(right,))
    root = ET.fromstring(T.render_svg(data))
    label = next(t for t in root.iter(f"{SVG}text") if t.find(f"{SVG}title") is not None)
    shown = "".join(label.itertext()).replace(long_title, "", 1)  # the tooltip holds it whole
    assert shown.endswith("…") and T._text_width(shown) <= T.LABEL_W - 16
    assert label.find(f"{SVG}title").text == long_title
    bar = next(r for r in root.iter(f"{SVG}rect") if "bar" in (r.get("class") or ""))
    note = next(t for t in root.iter(f"{SVG}text") if t.text == "2011-01-01 – 2015-12-31")
    bar_bottom = float(bar.get("y")) + float(bar.get("height"))
    assert float(note.get("y")) - 11 >= bar_bottom  # the note's top (11 px font) under the bar
    assert float(note.get("x")) >= T.LABEL_W  # and clear of the label column
