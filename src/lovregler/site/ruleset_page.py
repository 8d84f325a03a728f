"""The generated page of one ruleset (:class:`RulesetPage`): its versions, rules with prose
beside the law text, definitions, timelines and examples.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from pathlib import Path

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

from .. import api, prose
from ..syntax import ast
from . import timeline_svg as tsvg
from .paragraph_index import _note_rule, citation_node, excerpt_node
from .rulefiles import (
    DEFINITION_KIND_DA,
    KIND_DA,
    Loaded,
    _date,
    _para,
    _ref,
    _section,
    _slug,
    _strong,
    _table,
    validity_text,
)


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
