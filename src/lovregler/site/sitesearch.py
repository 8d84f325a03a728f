"""Search on the docs site for legal reviewers: paragraph numbers, Danish words, and rules.

Sphinx's own search drops numbers (``92`` is never indexed or looked up) and splits ``§ 92``
into nothing at all, so a reviewer who searches for the paragraph finds no page. This module,
set up by :mod:`lovregler.site.sphinxext`:

* registers a Danish search language (Danish stemming and stop words, as Sphinx's) that also
  indexes every paragraph reference as a token — ``§ 92`` → ``§92``, ``§ 74 c`` → ``§74`` and
  ``§74c``, ``stk. 3`` → ``stk.3`` — and a query splitter in the browser that turns the same
  forms, and a bare number (``92``), into those tokens;
* writes ``_static/lovregler-search.js`` and, for the search page only,
  ``_static/lovregler-regler.js``: every rule's title, id, ruleset, hjemmel and prose, and a
  short text per page. On the search page the script lists the rules that cite or mention
  what was searched (with the count), adds the short text under each of Sphinx's page
  results (read from the script file, so it works opened from disk, where the browser
  forbids the fetch Sphinx uses for its summaries), and gives Sphinx's result count its
  Danish plural (Sphinx's Danish catalogue has empty strings there, and its ``n != 1``
  plural is a boolean that indexes no array: the "reading 'replace'" error).
"""

from __future__ import annotations

import json
import re
import urllib.parse
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.search.da import SearchDanish

__all__ = ["DanishLegalSearch", "legal_tokens", "setup"]

_PARAGRAPH = re.compile(r"§\s*(\d+)(?:\s*([a-zæøå])(?![\w]))?", re.IGNORECASE)
_STK = re.compile(r"stk\.?\s*(\d+)(?:\s*[–-]\s*(\d+))?", re.IGNORECASE)


def legal_tokens(text: str) -> list[str]:
    """The paragraph and stk. references in ``text`` as search tokens.

    >>> legal_tokens("LAB § 92, stk. 1–2 og LAS § 74 c")
    ['§92', '§74', '§74c', 'stk.1', 'stk.2']
    """
    tokens: list[str] = []
    for number, letter in _PARAGRAPH.findall(text):
        tokens.append(f"§{number}")
        if letter:
            tokens.append(f"§{number}{letter.lower()}")
    for first, last in _STK.findall(text):
        end = int(last) if last and int(last) - int(first) < 20 else int(first)
        tokens += [f"stk.{n}" for n in range(int(first), end + 1)]
    return tokens


# The browser side of legal_tokens, plus a bare number read as a paragraph number; the rest
# of the query is split as Sphinx's default splitter does.
_JS_SPLITTER = r"""
var splitQuery = (query) => {
  const tokens = [];
  let rest = query.replace(/§\s*(\d+)(?:\s*([a-zæøå])(?![\p{Letter}\p{Number}_]))?/giu,
    (_m, number, letter) => {
      tokens.push("§" + number);
      if (letter) tokens.push("§" + number + letter.toLowerCase());
      return " ";
    });
  rest = rest.replace(/stk\.?\s*(\d+)/giu, (_m, number) => { tokens.push("stk." + number); return " "; });
  rest = rest.replace(/(^|[^\p{Letter}\p{Number}_.])(\d+)(?![\p{Letter}\p{Number}_])/gu,
    (_m, before, number) => { tokens.push("§" + number); return before + " "; });
  return tokens.concat(
    rest.split(/[^\p{Letter}\p{Number}_\p{Emoji_Presentation}]+/gu).filter((term) => term));
};
"""


class DanishLegalSearch(SearchDanish):
    """Sphinx's Danish search, with paragraph references indexed as tokens."""

    js_splitter_code = _JS_SPLITTER

    def split(self, input: str) -> list[str]:  # noqa: A002 - Sphinx's name for it
        """The words of ``input`` and its paragraph references (:func:`legal_tokens`)."""
        return [*super().split(input), *legal_tokens(input)]

    def word_filter(self, word: str) -> bool:
        """Keep the reference tokens (the stemmer leaves them as they are)."""
        return word.startswith(("§", "stk.")) or super().word_filter(word)


_SEARCH_JS = r"""
(() => {
  "use strict";
  // Sphinx's Danish catalogue: an empty plural pair and a boolean plural expression.
  const fixCatalogue = () => {
    // doctools.js declares Documentation with const: not a property of window
    if (typeof Documentation === "undefined") return;
    const plural = Documentation.PLURAL_EXPR;
    Documentation.PLURAL_EXPR = (n) => Number(plural(n));
    const key = "Search finished, found one page matching the search query.";
    const found = Documentation.TRANSLATIONS[key];
    if (!Array.isArray(found) || !found[0] || !found[1])
      Documentation.TRANSLATIONS[key] = [
        "Søgningen er færdig: én side matcher søgningen.",
        "Søgningen er færdig: ${resultCount} sider matcher søgningen.",
      ];
  };
  fixCatalogue();

  const data = () => window.LOVREGLER_SEARCH || { rules: [], pages: {} };
  const stemmer = () => (typeof Stemmer === "function" ? new Stemmer() : { stemWord: (w) => w });
  const words = (text) => text.toLowerCase().split(/[^\p{Letter}\p{Number}_]+/u).filter((w) => w);
  const esc = (text) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

  // A query: the paragraph/stk. tokens (by the same splitter as Sphinx's index) and words.
  const parse = (query) => {
    const split = typeof splitQuery === "function" ? splitQuery(query) : words(query);
    const refs = split.filter((t) => t.startsWith("§") || t.startsWith("stk."));
    const stem = stemmer();
    const terms = split
      .filter((t) => !refs.includes(t))
      .map((t) => t.toLowerCase())
      .filter((t) => t.length > 1 && !(typeof stopwords !== "undefined" && stopwords.has(t)))
      .map((t) => stem.stemWord(t));
    return { refs: refs.map((r) => r.toLowerCase()), terms };
  };

  const matches = (rule, query, stem) => {
    if (!query.refs.every((r) => rule.refs.includes(r))) return false;
    if (!query.terms.length) return query.refs.length > 0;
    if (!rule.stems) rule.stems = new Set(words(rule.haystack).map((w) => stem.stemWord(w)));
    return query.terms.every((t) => [...rule.stems].some((s) => s.startsWith(t)));
  };

  const showRules = (query) => {
    const container = document.getElementById("search-results");
    if (!container || !query.trim()) return;
    const parsed = parse(query);
    const stem = stemmer();
    const hits = data().rules.filter((rule) => matches(rule, parsed, stem));
    const box = document.createElement("div");
    box.id = "lovregler-regler";
    const count = hits.length === 1 ? "1 regel" : `${hits.length} regler`;
    box.innerHTML =
      `<h2>Regler</h2><p class="lovregler-antal">${count} citerer eller nævner søgningen.</p>` +
      `<ul class="search">` +
      hits.map((r) =>
        `<li><a href="${esc(r.url)}">${esc(r.title)}</a> <code title="regel-id">${esc(r.id)}</code>` +
        ` <span class="lovregler-regelsaet">· ${esc(r.ruleset)}</span>` +
        `<p class="context"><b>Hjemmel:</b> ${esc(r.citation || "ingen")}<br>${esc(r.summary)}</p></li>`,
      ).join("") + "</ul>";
    container.parentNode.insertBefore(box, container);
  };

  // Sphinx's page results get the page's short text (no fetch: it works opened from disk).
  const addSummaries = (list) => {
    for (const item of list.querySelectorAll("li")) {
      if (item.querySelector("p.context")) continue;
      const link = item.querySelector("a");
      if (!link) continue;
      const href = link.getAttribute("href");
      const pages = data().pages;
      const text = pages[href] || pages[decodeURI(href)] || pages[href.split("#")[0]];
      if (!text) continue;
      const p = document.createElement("p");
      p.className = "context";
      p.textContent = text;
      item.appendChild(p);
    }
  };

  document.addEventListener("DOMContentLoaded", () => {
    fixCatalogue();
    const query = new URLSearchParams(window.location.search).get("q") || "";
    const results = document.getElementById("search-results");
    if (!results) return;
    showRules(query);
    new MutationObserver(() => {
      const list = results.querySelector("ul");
      if (list) addSummaries(list);
    }).observe(results, { childList: true, subtree: true });
  });
})();
"""


def _rule_entry(app: Sphinx, rule: Any) -> dict[str, Any]:
    url = _uri(app, rule.docname) + "#" + rule.anchor
    summary = getattr(rule, "summary", "")
    haystack = " ".join([rule.title, rule.rule_id, rule.ruleset, rule.citation, summary])
    return {
        "id": rule.rule_id,
        "title": rule.title,
        "ruleset": rule.ruleset,
        "citation": rule.citation,
        "summary": summary,
        "url": url,
        "refs": sorted(set(legal_tokens(rule.citation + " " + summary))),
        "haystack": haystack,
    }


def _uri(app: Sphinx, docname: str) -> str:
    # unquoted, as Sphinx's search links are (the browser quotes them when followed)
    return urllib.parse.unquote(app.builder.get_target_uri(docname))


def _note_page_text(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """The first paragraph of a page: its short text in the search results."""
    texts: dict[str, str] = app.__dict__.setdefault("lovregler_page_texts", {})
    for para in doctree.findall(nodes.paragraph):
        text = " ".join(para.astext().split())
        if len(text) > 40:
            texts[docname] = text[:240] + ("…" if len(text) > 240 else "")
            return


def _page_context(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any
) -> None:
    if pagename == "search":
        app.add_js_file("lovregler-regler.js")


def _write_files(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    static = Path(app.outdir, "_static")
    static.mkdir(parents=True, exist_ok=True)
    (static / "lovregler-search.js").write_text(_SEARCH_JS, "utf-8")
    rules = [_rule_entry(app, r) for r in app.env.__dict__.get("lovregler_rules", [])]
    pages = {
        _uri(app, doc): text for doc, text in app.__dict__.get("lovregler_page_texts", {}).items()
    }
    for rule in rules:
        pages.setdefault(rule["url"], rule["summary"])
    payload = json.dumps({"rules": rules, "pages": pages}, ensure_ascii=False, sort_keys=True)
    (static / "lovregler-regler.js").write_text(f"window.LOVREGLER_SEARCH = {payload};\n", "utf-8")


def setup(app: Sphinx) -> None:
    """Register the search language and the search page's script and data."""
    app.add_search_language(DanishLegalSearch)
    app.add_js_file("lovregler-search.js")
    app.connect("doctree-resolved", _note_page_text)
    app.connect("html-page-context", _page_context)
    app.connect("build-finished", _write_files)
