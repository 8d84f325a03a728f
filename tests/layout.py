"""Browser checks shared by the report and the docs site tests: Playwright drives Debian's
chromium (``make browser`` installs it), and the checks read bounding boxes from the page.

Each check returns a list of human-readable findings; an empty list is a pass, so an
assertion failure shows what overlaps or overflows.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@contextlib.contextmanager
def open_page() -> Iterator[tuple[Callable[[int], Any], list[str]]]:
    """``(new_page(width), console_errors)``: pages of one chromium, and every console error
    and uncaught exception of any of them."""
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: run `make browser` (make test does)")
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)

        def new_page(width: int) -> Any:
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.on(
                "console",
                lambda m: errors.append(f"{m.type}: {m.text}") if m.type == "error" else None,
            )
            page.on("pageerror", lambda exc: errors.append(f"exception: {exc}"))
            return page

        try:
            yield new_page, errors
        finally:
            browser.close()


# Two boxes overlap when they share more than half a pixel each way (anti-aliasing and
# rounding make touching boxes share a fraction of a pixel).
_OVERLAP_JS = """
const overlap = (a, b) =>
  Math.min(a.right, b.right) - Math.max(a.left, b.left) > 0.5 &&
  Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 0.5;
const boxes = (root, selector) => [...root.querySelectorAll(selector)]
  .map(el => ({el, text: (el.textContent || el.tagName).trim(), box: el.getBoundingClientRect()}))
  .filter(x => x.box.width > 0 && x.box.height > 0);
"""

_TEXT_OVERLAPS = (
    "(selector) => {"
    + _OVERLAP_JS
    + """
  const found = [];
  document.querySelectorAll(selector).forEach((svg, i) => {
    const texts = boxes(svg, 'text').filter(t => t.text);
    for (let a = 0; a < texts.length; a++)
      for (let b = a + 1; b < texts.length; b++)
        if (overlap(texts[a].box, texts[b].box))
          found.push(`chart ${i}: "${texts[a].text}" overlaps "${texts[b].text}"`);
  });
  return found;
}"""
)

_TEXT_OVER_SHAPES = (
    "([selector, shapes]) => {"
    + _OVERLAP_JS
    + """
  const found = [];
  document.querySelectorAll(selector).forEach((svg, i) => {
    const texts = boxes(svg, 'text').filter(t => t.text);
    const bars = boxes(svg, shapes);
    for (const t of texts) for (const s of bars)
      if (overlap(t.box, s.box)) found.push(`chart ${i}: label "${t.text}" over a ${s.el.tagName}`);
  });
  return found;
}"""
)

_OVERFLOWS = """() => {
  const width = document.documentElement.clientWidth;
  const found = [];
  if (document.documentElement.scrollWidth > width + 1)
    found.push(`the page scrolls sideways: ${document.documentElement.scrollWidth} > ${width}`);
  document.querySelectorAll('table, svg').forEach((el, i) => {
    let box = el.getBoundingClientRect();
    for (let up = el.parentElement; up; up = up.parentElement) {
      const style = getComputedStyle(up).overflowX;
      if (style === 'auto' || style === 'scroll') { box = up.getBoundingClientRect(); break; }
    }
    if (box.width > 0 && (box.right > width + 1 || box.left < -1))
      found.push(`${el.tagName} ${i} (${(el.textContent || '').trim().slice(0, 40)}) ` +
                 `reaches ${Math.round(box.left)}..${Math.round(box.right)} of ${width}`);
  });
  return found;
}"""

_WRAPPED = """() => {
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const match of node.textContent.matchAll(/\\d+(,\\d+)?[\\s\\u00a0]%/g)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
      if (tops.size > 1) found.push(`"${match[0]}" wraps`);
    }
  }
  return found;
}"""


def chart_text_overlaps(page: Any, selector: str = "svg") -> list[str]:
    """Pairs of text elements in one SVG chart whose boxes overlap."""
    return list(page.evaluate(_TEXT_OVERLAPS, selector))


def text_over_shapes(page: Any, selector: str, shapes: str) -> list[str]:
    """Text in the charts ``selector`` whose box overlaps a shape (e.g. ``rect``)."""
    return list(page.evaluate(_TEXT_OVER_SHAPES, [selector, shapes]))


def table_overflows(page: Any) -> list[str]:
    """Tables and charts that reach past the page's width (or the page scrolls sideways);
    one inside a box that scrolls sideways counts by that box."""
    return list(page.evaluate(_OVERFLOWS))


def wrapped_figures(page: Any) -> list[str]:
    """Percentages ("40,3 %") broken over two lines."""
    return list(page.evaluate(_WRAPPED))
