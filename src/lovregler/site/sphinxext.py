"""A Sphinx extension that renders rulesets straight from their rule files.

In ``conf.py``: ``extensions = ["lovregler.site.sphinxext"]``. Then

* ``.. lovregel:: kontanthjælp_aktivitetsparat`` renders a whole ruleset: its purpose, legal
  source, validity and versions, the forløb; per rule the Danish title, the generated prose
  (:mod:`lovregler.prose`), the citation, the interpretation notes and the law excerpt side by
  side, and the version(s) the rule belongs to; rules an extending ruleset inherits or
  overrides, shown as such; each example as a timeline picture (:mod:`lovregler.site.timeline_svg`)
  with its history and expected results in tables;
* ``.. lovregel-paragraffer::`` renders an index of every rule by paragraph (§) of the law;
* ``.. lovregel-oversigt::`` lists the bundled rulesets.

At ``builder-inited`` the extension writes one page per rule file into ``regelsaet/`` of the
source folder (``lovregler_pages_dir``), so a ruleset added to ``rulesets/`` gets its page
without anyone touching ``docs/``. ``lovregler_ruleset_dirs`` names extra folders searched
before the bundled rulesets.

Broken input — an unknown ruleset, a rule file with syntax or check errors — fails the build
with the rule author's message (``file:line:col``, the source line and a caret), logged as a
Sphinx error at the directive's line, and a non-zero exit status; never a Python traceback
(Sphinx prints one for any exception an extension raises, so none is raised).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from .. import api, prose
from ..errors import LovreglerError
from ..syntax import ast
from ..syntax.keywords import keyword_pairs
from ..syntax.parse import parse_text
from . import sitesearch
from .paragraph_index import (
    IndexedRule,
    _index_docs,
    _merge,
    _purge,
    _resolve_index,
    citation_node,
    excerpt_node,
    paragraph_index,
    source_node,
)
from .rulefiles import (
    DEFINITION_KIND_DA,
    KIND_DA,
    PAGE_MARK,
    DocRuleset,
    Loaded,
    Paragraph,
    _dirs,
    _nfc,
    _para,
    _ref,
    _slug,
    _strong,
    _table,
    _vocabulary_node,
    load,
    load_path,
    paragraphs,
    ruleset_files,
    validity_text,
)
from .ruleset_page import RulesetPage, rule_label

logger = logging.getLogger(__name__)


# ───────────────────────────── directives ─────────────────────────────
class LovregelDirective(SphinxDirective):
    """``.. lovregel:: NAME`` — render the ruleset ``NAME`` from its rule file."""

    required_arguments = 1
    has_content = False

    def run(self) -> list[nodes.Node]:
        """Load, check and render; a broken rule file stops the build with its message."""
        name = self.arguments[0]
        dirs = self._dirs()
        self.env.__dict__.setdefault("lovregler_pages", set()).add(self.env.docname)
        try:
            loaded = Loaded.of(name, dirs)
        except LovreglerError as err:
            # Logged, not raised: Sphinx prints a traceback for any exception, and the rule
            # author should read only their own message. _fail_on_errors sets the exit status.
            logger.error("lovregel %r kan ikke vises:\n%s", name, err, location=self.get_location())
            self.env.__dict__.setdefault("lovregler_errors", []).append(self.env.docname)
            return []
        for path in _files_of(loaded):
            self.env.note_dependency(path)
        return RulesetPage(loaded, self).build()

    def _dirs(self) -> list[Path]:
        return [Path(self.env.srcdir, d) for d in self.config.lovregler_ruleset_dirs]


def _files_of(loaded: Loaded) -> list[str]:
    files = [loaded.ruleset.module.file]
    if loaded.base is not None:
        files.append(loaded.base.module.file)
    return files


class ParagraphIndexDirective(SphinxDirective):
    """``.. lovregel-paragraffer::`` — every rule on the site, by paragraph of the law."""

    def run(self) -> list[nodes.Node]:
        """A placeholder, filled in when all pages have been read."""
        self.env.__dict__.setdefault("lovregler_index_docs", set()).add(self.env.docname)
        return [paragraph_index()]


class OverviewDirective(SphinxDirective):
    """``.. lovregel-oversigt::`` — a table of the rulesets with links to their pages."""

    def run(self) -> list[nodes.Node]:
        """One row per rule file: title (linked), name, purpose."""
        rows = []
        dirs = [Path(self.env.srcdir, d) for d in self.config.lovregler_ruleset_dirs]
        for name in ruleset_files(dirs):
            title, purpose = _title_purpose(name, dirs)
            link = _para(_ref(_slug(f"regelsaet-{name}"), title))
            rows.append((link, nodes.literal(text=name), purpose))
        return [_table(("Regelsæt", "Navn", "Formål"), rows, "lovregel-oversigt")]


def _title_purpose(name: str, dirs: Sequence[Path]) -> tuple[str, str]:
    try:
        node = load(name, dirs).node
    except LovreglerError:
        return name, ""  # the ruleset's own page reports the error
    return node.title, node.docs.purpose or ""


# ───────────────────────────── examples in prose pages ─────────────────────────────
class ExampleDirective(SphinxDirective):
    """``.. lovregel-eksempel::`` — a piece of rule text, and what each rule in it says.

    The content is parsed as a rule file (``importer ordforråd`` is added when missing), shown
    as code, and followed by the generated sentence of every rule and forløb in it, so the
    language reference can never show an example that does not parse or a sentence the
    generator would not write.
    """

    has_content = True

    def run(self) -> list[nodes.Node]:
        """The code, then "Læses som: …" per forløb and rule."""
        text = "\n".join(self.content)
        code = nodes.literal_block(text, text, classes=["lovregel-kode"], language="lovregler")
        source = text if text.lstrip().startswith("importer") else f"importer ordforråd\n{text}"
        try:
            module = parse_text(source, f"{self.env.docname}:{self.lineno}")
        except LovreglerError as err:
            logger.error("eksemplet kan ikke læses:\n%s", err, location=self.get_location())
            self.env.__dict__.setdefault("lovregler_errors", []).append(self.env.docname)
            return [code]
        return [code, *self._sentences(module)]

    def _sentences(self, module: ast.Module) -> list[nodes.Node]:
        out: list[nodes.Node] = []
        vocabulary = _vocabulary_node(api.bundled_dir())
        for rs in module.rulesets:
            ctx = prose.ProseContext.for_ruleset(rs, vocabulary=vocabulary)
            said = [prose.describe_course(rs.course, ctx)] if rs.course else []
            rules = [*rs.rules, *(r for v in rs.versions for r in v.rules)]
            said += [prose.describe_rule(r, ctx) for r in rules]
            out += [_para(_strong("Læses som: "), nodes.emphasis(text=t)) for t in said]
        return out


# ───────────────────────────── keywords, from the grammar ─────────────────────────────
class KeywordsDirective(SphinxDirective):
    """``.. lovregel-noegleord::`` — a table of every keyword, Danish and English."""

    def run(self) -> list[nodes.Node]:
        """One row per keyword, from the keyword table of the compiled grammar
        (:func:`lovregler.syntax.keywords.keyword_pairs`), the one the parser and the editor use."""
        return [_table(("Dansk", "English"), keyword_pairs(), "lovregel-noegleord")]


# ───────────────────────────── generated pages, CSS, setup ─────────────────────────────
def generate_pages(app: Sphinx) -> None:
    """Write ``<pages_dir>/<name>.rst`` for every rule file (only when the text changes)."""
    if not app.config.lovregler_generate_pages:
        return
    folder = Path(app.srcdir, app.config.lovregler_pages_dir)
    folder.mkdir(parents=True, exist_ok=True)
    names = set(ruleset_files(_dirs(app)))
    for name in names:
        _write_if_changed(folder / f"{name}.rst", f"{PAGE_MARK}\n\n.. lovregel:: {name}\n")
    for stale in folder.glob("*.rst"):
        if _nfc(stale.stem) not in names and stale.read_text("utf-8").startswith(PAGE_MARK):
            stale.unlink()


def _write_if_changed(path: Path, text: str) -> None:
    if path.is_file() and path.read_text("utf-8") == text:
        return  # an unchanged mtime keeps Sphinx from re-reading the page
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(text, "utf-8")
    os.replace(tmp, path)  # atomic: two builds at once never see a half-written page


CSS = """
.lovregel-prosa { background: #eef4fb; border-left: 4px solid #1565c0; padding: .6em 1em;
  font-size: 1.08em; line-height: 1.5; }
.lovregel-meta { color: #555; font-size: .92em; margin-bottom: .4em; }
.lovregel-side { display: flex; gap: 1.5em; align-items: flex-start; margin: .6em 0 1.4em; }
.lovregel-side > div { flex: 1 1 0; min-width: 0; }
.lovregel-lovtekst { background: #f7f3e3; border-left: 4px solid #a68a1c; padding: .3em 1em; }
.lovregel-lovtekst blockquote { margin: .3em 0; font-style: italic; }
.lovregel-lovtekst blockquote.lovregel-omskrevet { font-style: normal; }
.lovregel-kildeangivelse { font-size: .85em; font-style: normal; }
.lovregel-fortolkning { background: #fff6e0; padding: .3em .6em; }
.lovregel-timeline { overflow-x: auto; margin: 1em 0 .5em; }
code.lovregel-id, .lovregel-id code { font-size: .8em; color: #666; }
.lovregel-timeline svg { max-width: 100%; height: auto; }
table.lovregel-historik, table.lovregel-forventet, table.lovregel-versioner,
table.lovregel-arvede, table.lovregel-paragraffer, table.lovregel-oversigt { width: 100%; }
@media (max-width: 800px) { .lovregel-side { display: block; } }
"""


def _fail_on_errors(app: Sphinx, exception: Exception | None) -> None:
    # A broken rule file was reported with its own message; the build must still fail.
    failed = sorted(set(app.env.__dict__.get("lovregler_errors", [])))
    if exception is None and failed:
        logger.error("regelsider med fejl: %s", ", ".join(failed))
        app.statuscode = 1


def _write_css(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    static = Path(app.outdir, "_static")
    static.mkdir(parents=True, exist_ok=True)
    (static / "lovregler.css").write_text(CSS, "utf-8")


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the directives, the generated pages and the stylesheet."""
    app.add_config_value("lovregler_ruleset_dirs", [], "env")
    app.add_config_value("lovregler_pages_dir", "regelsaet", "env")
    app.add_config_value("lovregler_generate_pages", True, "env")
    app.add_directive("lovregel", LovregelDirective)
    app.add_directive("lovregel-paragraffer", ParagraphIndexDirective)
    app.add_directive("lovregel-oversigt", OverviewDirective)
    app.add_directive("lovregel-noegleord", KeywordsDirective)
    app.add_directive("lovregel-eksempel", ExampleDirective)
    app.add_node(paragraph_index)
    app.add_css_file("lovregler.css")
    sitesearch.setup(app)
    app.connect("builder-inited", generate_pages)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("env-get-outdated", _index_docs)
    app.connect("doctree-resolved", _resolve_index)
    app.connect("build-finished", _write_css)
    app.connect("build-finished", _fail_on_errors)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}


__all__ = [
    "CSS",
    "DEFINITION_KIND_DA",
    "DocRuleset",
    "ExampleDirective",
    "IndexedRule",
    "KIND_DA",
    "KeywordsDirective",
    "Loaded",
    "LovregelDirective",
    "OverviewDirective",
    "PAGE_MARK",
    "Paragraph",
    "ParagraphIndexDirective",
    "RulesetPage",
    "citation_node",
    "excerpt_node",
    "generate_pages",
    "load",
    "load_path",
    "logger",
    "paragraph_index",
    "paragraphs",
    "rule_label",
    "ruleset_files",
    "setup",
    "source_node",
    "validity_text",
]
