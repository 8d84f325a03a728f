"""The index of law paragraphs: which rule cites which paragraph, collected across documents
and resolved into links, and the nodes for sources, citations and excerpts.
"""

from __future__ import annotations

import attrs
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

from .. import api
from ..syntax import ast
from .rulefiles import Paragraph, _dirs, _nfc, _para, _table, paragraphs, ruleset_files


# ───────────────────────────── the paragraph index ─────────────────────────────
@attrs.frozen
class IndexedRule:
    """A rule as the paragraph index lists it."""

    docname: str
    anchor: str
    ruleset: str
    title: str
    rule_id: str
    citation: str
    versions: str
    summary: str = ""  # the rule's prose, shown by the site search


def _note_rule(
    env: BuildEnvironment, ruleset: ast.Ruleset, rule: api.RuleDoc, label: str, summary: str = ""
) -> None:
    store: list[IndexedRule] = env.__dict__.setdefault("lovregler_rules", [])
    store.append(
        IndexedRule(
            env.docname,
            label,
            ruleset.title,
            rule.title,
            rule.id,
            rule.citation,
            ", ".join(rule.versions),
            summary,
        )
    )


class paragraph_index(nodes.General, nodes.Element):  # noqa: N801 - docutils node naming
    """Placeholder replaced by the paragraph index once every page has been read."""


def _purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    store = env.__dict__.get("lovregler_rules", [])
    env.__dict__["lovregler_rules"] = [r for r in store if r.docname != docname]
    errors = env.__dict__.get("lovregler_errors", [])
    env.__dict__["lovregler_errors"] = [d for d in errors if d != docname]


def _merge(app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment) -> None:
    # Parallel reads (sphinx-build -j) each collect their own; the main process joins them.
    for key in ("lovregler_rules", "lovregler_errors"):
        env.__dict__.setdefault(key, []).extend(other.__dict__.get(key, []))
    for key in ("lovregler_index_docs", "lovregler_pages"):
        env.__dict__.setdefault(key, set()).update(other.__dict__.get(key, set()))


def _index_docs(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    # Ruleset pages depend on the prose and timeline code as much as on the rule files, and
    # the index shows every ruleset page: re-read them all on every build (a few seconds).
    generated = {f"{app.config.lovregler_pages_dir}/{name}" for name in ruleset_files(_dirs(app))}
    docs = set(env.__dict__.get("lovregler_index_docs", set()))
    docs |= env.__dict__.get("lovregler_pages", set())
    docs |= {d for d in env.found_docs if _nfc(d) in generated}
    return sorted(d for d in docs if d in env.found_docs)


def _resolve_index(app: Sphinx, doctree: nodes.document, fromdocname: str) -> None:
    rules = app.env.__dict__.get("lovregler_rules", [])
    for placeholder in list(doctree.findall(paragraph_index)):
        placeholder.replace_self(_index_nodes(app, rules, fromdocname))


def _index_nodes(app: Sphinx, rules: list[IndexedRule], fromdocname: str) -> list[nodes.Node]:
    by_law: dict[str, list[tuple[Paragraph, IndexedRule]]] = {}
    without: list[IndexedRule] = []
    for rule in rules:
        found = paragraphs(rule.citation)
        if not found:
            without.append(rule)
        for par in dict.fromkeys(found):
            by_law.setdefault(par.law or "Uden lovnavn", []).append((par, rule))
    out: list[nodes.Node] = []
    for law in sorted(by_law):
        out.append(nodes.rubric(text=law))
        rows = [
            (par.label(), _link(app, fromdocname, rule), rule.ruleset, rule.versions)
            for par, rule in sorted(by_law[law], key=lambda pr: (pr[0], pr[1].title))
        ]
        out.append(
            _table(("Paragraf", "Regel", "Regelsæt", "Version"), rows, "lovregel-paragraffer")
        )
    if without:
        out.append(nodes.rubric(text="Regler uden paragrafhenvisning"))
        rows = [
            (r.citation, _link(app, fromdocname, r), r.ruleset, r.versions)
            for r in sorted(without, key=lambda r: (r.ruleset, r.title))
        ]
        out.append(
            _table(("Hjemmel", "Regel", "Regelsæt", "Version"), rows, "lovregel-paragraffer")
        )
    return out


def source_node(source: ast.Source) -> nodes.Node:
    """A ``kilde``: a link to its address (opens the legal source), or the plain reference
    when it is not a web address (a municipal decision that is not online)."""
    if source.is_link:
        return nodes.reference(
            "", source.address, refuri=source.address, classes=["lovregel-kilde"]
        )
    return nodes.inline(text=source.address, classes=["lovregel-kilde"])


def citation_node(docs: ast.Docs, missing: str = "") -> nodes.paragraph:
    """A ``hjemmel`` with a link to each of its sources (``kilde``) beside it."""
    para = _para(docs.citation or missing)
    for source in docs.sources:
        para += nodes.Text(" — kilde: " if source is docs.sources[0] else ", ")
        para += source_node(source)
    return para


def excerpt_node(excerpt: ast.Excerpt) -> nodes.block_quote:
    """A ``lovtekst``: the quote with its source beneath it; a paraphrase says it is one (and
    is not set as a quote of the law's own words)."""
    quote = nodes.block_quote(classes=["lovregel-omskrevet"] if excerpt.paraphrase else [])
    if excerpt.paraphrase:
        quote += _para(nodes.emphasis(text="Omskrevet, ikke lovens ordlyd: "), excerpt.text)
    else:
        quote += _para(f"»{excerpt.text}«")
    if excerpt.source is not None:
        quote += _para("Kilde: ", source_node(excerpt.source), classes=["lovregel-kildeangivelse"])
    return quote


def _link(app: Sphinx, fromdocname: str, rule: IndexedRule) -> nodes.paragraph:
    uri = app.builder.get_relative_uri(fromdocname, rule.docname) + "#" + rule.anchor
    return _para(nodes.reference("", rule.title, refuri=uri, internal=True))
