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

import datetime
import os
import re
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import attrs
from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from .. import api, prose
from ..errors import LovreglerError
from ..syntax import ast
from ..syntax.keywords import keyword_pairs
from ..syntax.parse import parse_text
from . import sitesearch
from . import timeline_svg as tsvg

logger = logging.getLogger(__name__)

KIND_DA = {"obligation": "Pligt", "right": "Ret", "value": "Værdi"}
DEFINITION_KIND_DA: dict[type, str] = {
    ast.SetDef: "mængde",
    ast.PatternDef: "mønster",
    ast.TimelineDef: "tidslinje",
    ast.DateDef: "dato",
}
PAGE_MARK = ".. Genereret af lovregler.site.sphinxext ud fra rulesets/ — redigér ikke."


# ───────────────────────────── finding and loading ─────────────────────────────
def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def ruleset_files(dirs: Sequence[str | Path] = ()) -> dict[str, Path]:
    """Rule files by ruleset name: the extra ``dirs`` first, then the bundled rulesets."""
    found: dict[str, Path] = {}
    for folder in [*map(Path, dirs), api.bundled_dir()]:
        for path in sorted(folder.glob("*.lov")):
            name = _nfc(path.stem)
            if name != api.VOCABULARY_NAME:
                found.setdefault(name, path)
    return found


# The docs load rulesets through the API: parsing and checking reject bad input, and the
# compiler only runs when something evaluates (the docs never do).
DocRuleset = api.Ruleset


def load(name: str, dirs: Sequence[str | Path] = ()) -> DocRuleset:
    """Parse and check a ruleset by name (extra ``dirs`` first); LovreglerError on bad input."""
    path = ruleset_files(dirs).get(_nfc(name))
    if path is None:
        api.load_ruleset(name)  # raises RulesetNotFound with a did-you-mean
        path = ruleset_files(dirs)[_nfc(name)]  # pragma: no cover - found after all
    return load_path(path)


def load_path(path: Path) -> DocRuleset:
    """Parse and check one rule file and the ruleset it extends (found beside it or bundled)."""
    return api.load_ruleset(path)


def _vocabulary_node(near: Path) -> ast.VocabularyNode | None:
    for folder in (near, api.bundled_dir()):
        path = folder / f"{api.VOCABULARY_NAME}.lov"
        if path.is_file():
            module = api.parse_cached(path)
            return module.vocabularies[0] if module.vocabularies else None
    return None


@attrs.frozen
class Loaded:
    """A checked ruleset with what its page needs: base ruleset, vocabulary, prose context."""

    ruleset: DocRuleset
    base: DocRuleset | None
    ctx: prose.ProseContext

    @classmethod
    def of(cls, name: str, dirs: Sequence[str | Path]) -> Loaded:
        """Load ``name`` and the ruleset it extends."""
        ruleset = load(name, dirs)
        folder = Path(ruleset.module.file).parent
        base = load(ruleset.node.extends, [folder]) if ruleset.node.extends else None
        ctx = prose.ProseContext.for_ruleset(
            ruleset.node, base=base.node if base else None, vocabulary=_vocabulary_node(folder)
        )
        return cls(ruleset, base, ctx)

    @property
    def versions(self) -> tuple[ast.Version, ...]:
        """The versions in force, as the plan evaluates them (those of the ruleset extended)."""
        return self.ruleset.plan.versions


# ───────────────────────────── citations → paragraphs ─────────────────────────────
@attrs.frozen(order=True)
class Paragraph:
    """One ``§`` reference in a citation: the law, the paragraph number (and letter), stk."""

    law: str
    number: int
    letter: str = ""
    stk: str = ""

    def label(self) -> str:
        """``LAB 2019 § 31, stk. 5``."""
        text = f"{self.law} § {self.number}{' ' + self.letter if self.letter else ''}".strip()
        return f"{text}, stk. {self.stk}" if self.stk else text


_PARAGRAPH = re.compile(
    r"§\s*(?P<num>\d+)(?:\s?(?P<letter>[a-zæøå])\b)?"
    r"(?:,\s*stk\.\s*(?P<stk>\d+(?:\s*[–-]\s*\d+)?(?:(?:\s*,\s*|\s+og\s+)\d+(?:\s*[–-]\s*\d+)?)*))?"
)


def paragraphs(citation: str) -> list[Paragraph]:
    """The ``§`` references of a citation, each with the law it belongs to.

    >>> [p.label() for p in paragraphs("LAB 2015 § 92 og § 96, stk. 3")]
    ['LAB 2015 § 92', 'LAB 2015 § 96, stk. 3']
    >>> [p.label() for p in paragraphs("LAS § 74 c; LAB 2019 § 102, stk. 1–2 og 5")]
    ['LAS § 74 c', 'LAB 2019 § 102, stk. 1–2 og 5']
    """
    found = []
    for segment in citation.split(";"):
        law, end = "", 0
        for m in _PARAGRAPH.finditer(segment):
            # Text between two § marks names a new law unless it is only "og" or a comma.
            between = re.sub(r"^[\s,]*(og\s+)?|[\s,]*$", "", segment[end : m.start()])
            if between:
                law = between
            found.append(Paragraph(law, int(m["num"]), m["letter"] or "", m["stk"] or ""))
            end = m.end()
    return found


# ───────────────────────────── small node helpers ─────────────────────────────
_FOLD = {ord("æ"): "ae", ord("ø"): "oe", ord("å"): "aa"}


def _slug(text: str) -> str:
    folded = _nfc(text).lower().translate(_FOLD)
    return nodes.make_id(folded)


def _para(*parts: nodes.Node | str, classes: Sequence[str] = ()) -> nodes.paragraph:
    p = nodes.paragraph(classes=list(classes))
    for part in parts:
        p += nodes.Text(part) if isinstance(part, str) else part
    return p


def _strong(text: str) -> nodes.strong:
    return nodes.strong(text=text)


def _section(title: str, ident: str) -> nodes.section:
    sec = nodes.section(ids=[ident], names=[ident])
    sec += nodes.title(text=title)
    return sec


def _table(
    headers: Sequence[str], rows: Iterable[Sequence[str | nodes.Node]], cls: str
) -> nodes.table:
    table = nodes.table(classes=[cls])
    group = nodes.tgroup(cols=len(headers))
    table += group
    group.extend(nodes.colspec(colwidth=1) for _ in headers)
    head = nodes.thead()
    head += _row(headers)
    body = nodes.tbody()
    for row in rows:
        body += _row(row)
    group += head
    group += body
    return table


def _row(cells: Sequence[str | nodes.Node]) -> nodes.row:
    row = nodes.row()
    for cell in cells:
        entry = nodes.entry()
        entry += cell if isinstance(cell, nodes.paragraph) else _para(cell)
        row += entry
    return row


def _ref(label: str, text: str) -> addnodes.pending_xref:
    xref = addnodes.pending_xref(
        "", refdomain="std", reftype="ref", reftarget=label, refexplicit=True, refwarn=True
    )
    xref += nodes.inline(text=text)
    return xref


def _date(d: datetime.date | None) -> str:
    return prose.format_date(d) if d else "åben"


def validity_text(v: ast.Validity | None) -> str:
    """``fra 1. januar 2014 til og med 31. december 2019``."""
    return prose.validity_phrase(v) if v else "uden tidsbegrænsning"


# ───────────────────────────── the ruleset page ─────────────────────────────
def rule_label(ruleset: str, rule: api.RuleDoc) -> str:
    """The cross-reference label of a rule span on its ruleset's page."""
    return _slug(f"lovregel-{ruleset}-{rule.id}-{'-'.join(rule.versions)}")


class RulesetPage:
    """Builds the docutils nodes of one ruleset's page."""

    def __init__(self, loaded: Loaded, directive: SphinxDirective):
        self.loaded = loaded
        self.directive = directive
        self.node = loaded.ruleset.node
        self.own_file = loaded.ruleset.module.file
        self.version_titles = {v.name: v.title or v.name for v in loaded.versions}

    def build(self) -> list[nodes.Node]:
        """The page: one top-level section."""
        label = _slug(f"regelsaet-{self.node.name}")
        top = _section(self.node.title, label)
        env = self.directive.env
        env.get_domain("std").note_hyperlink_target(label, env.docname, label, self.node.title)  # type: ignore[attr-defined]
        top += self._header()
        top += self._course()
        top += self._definitions()
        top += self._versions()
        top += self._rules()
        top += self._inherited()
        top += self._examples()
        return [top]

    # ── header ──
    def _header(self) -> list[nodes.Node]:
        fields = nodes.field_list(classes=["lovregel-fakta"])
        docs = self.node.docs
        items = [("Regelsæt", self.node.name)]
        if docs.purpose:
            items.append(("Formål", docs.purpose))
        items.append(("Gyldighed", self._validity()))
        for name, text in items:
            fields += self._field(name, _para(text))
        if docs.citation or docs.sources:
            fields.insert(len(fields) - 1, self._field("Hjemmel", citation_node(docs)))
        if self.node.extends and self.loaded.base is not None:
            base = self.loaded.base.node
            link = _ref(_slug(f"regelsaet-{base.name}"), base.title)
            fields += self._field("Udvider", _para(link, f" ({base.name}) med alle dens regler"))
        return [fields]

    def _validity(self) -> str:
        # A ruleset without a period of its own is in force as long as its versions are.
        if self.node.validity is not None or not self.loaded.versions:
            return validity_text(self.node.validity)
        periods = [v.validity for v in self.loaded.versions]
        starts = [p.start for p in periods]
        ends = [p.end for p in periods]
        start = None if None in starts else min(d for d in starts if d)
        end = None if None in ends else max(d for d in ends if d)
        return validity_text(ast.Validity(start=start, end=end)) + " (versionerne nedenfor)"

    @staticmethod
    def _field(name: str, body: nodes.Node) -> nodes.field:
        field = nodes.field()
        field += nodes.field_name(text=name)
        fb = nodes.field_body()
        fb += body
        field += fb
        return field

    def _course(self) -> list[nodes.Node]:
        course = self.loaded.ruleset.plan.course  # its own, else the base's
        if course is None:
            return []
        sec = _section("Forløb", _slug(f"forloeb-{self.node.name}"))
        if course.title:
            sec += _para(_strong(_cap(course.title)))
        sec += _para(prose.describe_course(course, self.loaded.ctx), classes=["lovregel-prosa"])
        return [sec]

    def _definitions(self) -> list[nodes.Node]:
        if not self.node.definitions:
            return []
        sec = _section("Begreber", _slug(f"begreber-{self.node.name}"))
        dl = nodes.definition_list()
        for d in self.node.definitions:
            item = nodes.definition_list_item()
            term = nodes.term()
            term += nodes.Text(_cap(prose.human(d.name)) + f" ({DEFINITION_KIND_DA[type(d)]}) ")
            term += nodes.literal(text=d.name, classes=["lovregel-id"])
            item += term
            body = nodes.definition()
            body += _para(prose.describe_definition(d, self.loaded.ctx))
            item += body
            dl += item
        sec += dl
        return [sec]

    def _versions(self) -> list[nodes.Node]:
        versions = self.loaded.versions
        if not versions:
            return []
        sec = _section("Versioner", _slug(f"versioner-{self.node.name}"))
        if self.node.extends:
            sec += _para("Versionerne er dem i det regelsæt, der udvides.")
        rows = [
            (v.title or v.name, v.name, validity_text(v.validity), citation_node(v.docs))
            for v in versions
        ]
        sec += _table(("Version", "Navn", "Gælder", "Hjemmel"), rows, "lovregel-versioner")
        return [sec]

    # ── rules ──
    def _own_rules(self) -> list[api.RuleDoc]:
        return [r for r in self.loaded.ruleset.rules if r.pos.file == self.own_file]

    def _rules(self) -> list[nodes.Node]:
        sec = _section("Regler", _slug(f"regler-{self.node.name}"))
        groups: dict[tuple[str, ...], list[api.RuleDoc]] = {}
        for rule in self._own_rules():
            groups.setdefault(rule.versions, []).append(rule)
        if len(groups) == 1:
            for rule in next(iter(groups.values())):
                sec += self._rule(rule)
            return [sec]
        # A reviewer reads one version of the law at a time: a subsection per version.
        for versions, rules in groups.items():
            title = ", ".join(self.version_titles.get(v, v) for v in versions) or "Alle versioner"
            sub = _section(
                f"Regler i {title}", _slug(f"regler-{self.node.name}-{'-'.join(versions)}")
            )
            for rule in rules:
                sub += self._rule(rule)
            sec += sub
        return [sec]

    def _rule(self, rule: api.RuleDoc) -> nodes.section:
        label = rule_label(self.node.name, rule)
        sec = _section(rule.title, label)
        std = self.directive.env.get_domain("std")
        std.note_hyperlink_target(label, self.directive.env.docname, label, rule.title)  # type: ignore[attr-defined]
        said = prose.describe_rule(rule.node, self.loaded.ctx)
        _note_rule(self.directive.env, self.node, rule, label, said)
        sec += self._rule_meta(rule)
        sec += _para(said, classes=["lovregel-prosa"])
        sec += self._law_beside(rule.node)
        return sec

    def _rule_meta(self, rule: api.RuleDoc) -> nodes.paragraph:
        versions = ", ".join(self.version_titles.get(v, v) for v in rule.versions)
        p = _para(
            _strong(KIND_DA.get(rule.kind, rule.kind)),
            " · ",
            nodes.literal(text=rule.id),
            f" · Version: {versions or 'alle'}",
            f" · {Path(rule.pos.file).name}, linje {rule.pos.line}",
            classes=["lovregel-meta"],
        )
        if rule.node.per_citizen:
            p += nodes.Text(" · per borger")
        if rule.node.overrides:
            p += nodes.Text(" · ")
            p += nodes.emphasis(text="Erstatter den arvede regel")
            base_rule = self._base_rule(rule.id)
            if base_rule is not None and self.loaded.base is not None:
                p += nodes.Text(" ")
                p += _ref(rule_label(self.loaded.base.node.name, base_rule), base_rule.title)
        return p

    def _base_rule(self, rule_id: str) -> api.RuleDoc | None:
        if self.loaded.base is None:
            return None
        return next((r for r in self.loaded.base.rules if r.id == rule_id), None)

    def _law_beside(self, rule: ast.Rule) -> nodes.container:
        side = nodes.container(classes=["lovregel-side"])
        left = nodes.container(classes=["lovregel-hjemmel"])
        hjemmel = citation_node(rule.docs, "(ingen angivet)")
        hjemmel.insert(0, _strong("Hjemmel: "))
        left += hjemmel
        if rule.transition is not None:  # a declared transition has its own hjemmel
            text = rule.transition.citation
            left += _para(_strong("Overgangsregel: "), text, classes=["lovregel-overgang"])
        for note in rule.docs.interpretations:
            left += _para(_strong("Fortolkning: "), note, classes=["lovregel-fortolkning"])
        side += left
        right = nodes.container(classes=["lovregel-lovtekst"])
        if rule.docs.excerpts:
            right += _para(_strong("Lovtekst"))
            for excerpt in rule.docs.excerpts:
                right += excerpt_node(excerpt)
        else:
            right += _para(nodes.emphasis(text="Ingen lovtekst citeret i reglen."))
        side += right
        return side

    def _inherited(self) -> list[nodes.Node]:
        base = self.loaded.base
        if base is None:
            return []
        own = {r.id for r in self._own_rules() if r.node.overrides}
        sec = _section(f"Arvede regler fra {base.node.title}", _slug(f"arvede-{self.node.name}"))
        sec += _para(
            "Disse regler gælder uændret, som de står i det udvidede regelsæt"
            + (" (bortset fra de regler, der erstattes ovenfor)." if own else ".")
        )
        rows = []
        for rule in base.rules:
            if rule.id in own:
                continue
            link = _para(_ref(rule_label(base.node.name, rule), rule.title))
            versions = ", ".join(self.version_titles.get(v, v) for v in rule.versions)
            rows.append((link, rule.id, versions, rule.citation))
        sec += _table(("Regel", "Id", "Version", "Hjemmel"), rows, "lovregel-arvede")
        return [sec]

    # ── examples ──
    def _examples(self) -> list[nodes.Node]:
        if not self.node.examples:
            return []
        sec = _section("Eksempler", _slug(f"eksempler-{self.node.name}"))
        sec += nodes.raw("", tsvg.legend_svg(), format="html")
        titles = {r.id: r.title for r in self.loaded.ruleset.rules}
        for index, example in enumerate(self.node.examples):
            sec += self._example(index, example, titles)
        return [sec]

    def _example(self, index: int, example: ast.Example, titles: dict[str, str]) -> nodes.section:
        sec = _section(example.title, _slug(f"eksempel-{self.node.name}-{index + 1}"))
        facts = ", ".join(f"{k} = {prose.literal_phrase(v)}" for k, v in example.facts)
        sec += _para(f"Født {_date(example.born)}." + (f" Fakta: {facts}." if facts else ""))
        rows = [
            (e.date.isoformat(), self._event_name(e.type), _attrs_text(e)) for e in example.events
        ]
        sec += _para(_strong("Historik"))
        sec += _table(("Dato", "Hændelse", "Oplysninger"), rows, "lovregel-historik")
        for block in example.expectations:
            triggers = self._triggers(example, block)
            names = {e.type: self._event_title(e.type) for e in example.events}
            data = tsvg.timeline_from_example(
                example, block, titles, triggers, names, self.loaded.ctx
            )
            box = nodes.container(classes=["lovregel-timeline"])
            box += nodes.raw("", tsvg.render_svg(data), format="html")
            sec += box
            sec += _para(_strong(f"Forventet pr. {_date(block.as_of)}"))
            expected = [_expect_row(item, titles) for item in block.items]
            sec += _table(
                ("Regel", "Resultat", "Opfyldt", "Frist / periode"), expected, "lovregel-forventet"
            )
        return sec

    def _event_title(self, name: str) -> str:
        # The vocabulary's Danish title of the event type (the prose's noun without one).
        ctx = self.loaded.ctx
        return ctx.event_title(name) or prose.event_words(name, ctx).noun.singular

    def _event_name(self, name: str) -> nodes.paragraph:
        # The Danish title, the id as a small code label.
        title = _cap(self._event_title(name))
        return _para(title, " ", nodes.literal(text=name, classes=["lovregel-id"]))

    def _triggers(
        self, example: ast.Example, block: ast.Expectation
    ) -> dict[tuple[str, datetime.date], datetime.date]:
        # Worked back from the rules' own arithmetic, not by running the evaluator: the docs
        # must build (and show the law) even while an evaluator is broken.
        rules = [r.node for r in self.loaded.ruleset.rules]
        anchors = [v.validity.start for v in self.loaded.versions if v.validity.start]
        anchors += [r.validity.start for r in rules if r.validity and r.validity.start]
        return tsvg.estimate_triggers(example, block, rules, anchors, self.loaded.ctx)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _attrs_text(event: ast.ExampleEvent) -> str:
    return ", ".join(f"{k} = {prose.literal_phrase(v)}" for k, v in event.attrs)


def _expect_row(item: ast.Expect, titles: dict[str, str]) -> Sequence[str]:
    title = f"{titles.get(item.rule, item.rule)} ({item.rule})"
    if item.kind == "obligation":
        status = tsvg.STATUS_DA.get(item.status or "", item.status or "")
        met = item.fulfilled_on.isoformat() if item.fulfilled_on else ""
        return (title, status, met, f"frist {item.due.isoformat() if item.due else ''}")
    if item.kind == "none":
        return (title, "ingen", "", "")
    span = f"{item.start.isoformat() if item.start else ''} – {item.until.isoformat() if item.until else 'åben'}"
    if item.kind == "value":
        return (title, f"værdi {item.value}", "", span)
    return (title, "ret", "", span)


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
def _dirs(app: Sphinx) -> list[Path]:
    return [Path(app.srcdir, d) for d in app.config.lovregler_ruleset_dirs]


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
