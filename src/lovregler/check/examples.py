"""The passes over what surrounds the rules: examples and their expectations, unused
definitions, sources (``kilde``), example titles and version indentation.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..errors import SourcePos
from ..semantics.vocabulary import EventType
from ..syntax import ast
from .context import _DEF_WORDS, CheckContext, _lines, _listing, _suggest, all_rules
from .expressions import _attr_listing, _check_value
from .rules import _RULE_NOUNS
from .vocabulary_passes import _duplicates


def check_examples(ctx: CheckContext) -> None:
    """Example histories use known events, attributes, values and facts, and expect known rules."""
    rules = {r.id: r for r in (*all_rules(ctx.base), *all_rules(ctx.ruleset))}
    for example in ctx.ruleset.examples:
        for name, lit in example.facts:
            _check_example_fact(ctx, example, name, lit)
        for event in example.events:
            _check_example_event(ctx, event)
        for expectation in example.expectations:
            for item in expectation.items:
                _check_expect(ctx, item, rules)


def _check_example_fact(
    ctx: CheckContext, example: ast.Example, name: str, lit: ast.Literal
) -> None:
    fact = ctx.vocab.facts.get(name)
    if fact is None:
        ctx.error(
            _back_to(ctx, lit.pos, name) or example.pos,
            f"ukendt faktum '{name}'",
            _suggest(name, ctx.vocab.facts, f"fakta: {_listing(ctx.vocab.facts)}"),
        )
    else:
        _check_value(ctx, name, fact.type, lit)


def _back_to(ctx: CheckContext, pos: SourcePos, word: str) -> SourcePos | None:
    """The last whole ``word`` on ``pos``'s line before its column (the name of ``name=value``)."""
    lines = _lines(ctx.source)
    if not 0 < pos.line <= len(lines):
        return None
    found = list(
        re.finditer(rf"(?<!\w){re.escape(word)}(?!\w)", lines[pos.line - 1][: pos.column - 1])
    )
    if not found:
        return None
    return SourcePos(pos.file, pos.line, found[-1].start() + 1, pos.line, found[-1].end() + 1)


def _check_example_event(ctx: CheckContext, event: ast.ExampleEvent) -> None:
    declared = ctx.vocab.events.get(event.type)
    if declared is None:
        ctx.error(
            ctx.at(event.pos, event.type),
            f"ukendt hændelsestype '{event.type}'",
            _suggest(
                event.type,
                ctx.vocab.events,
                f"hændelsestyperne står i ordforrådet '{ctx.vocab.name}'",
            ),
        )
        return
    for name, lit in event.attrs:
        if name not in declared.attrs:
            ctx.error(
                _back_to(ctx, lit.pos, name) or event.pos,
                f"hændelsen '{event.type}' har ingen attribut '{name}'",
                _suggest(name, declared.attrs, _attr_listing(declared)),
            )
        else:
            _check_value(ctx, name, declared.attrs[name].type, lit)
    _check_required_attrs(ctx, event, declared)


def _check_required_attrs(ctx: CheckContext, event: ast.ExampleEvent, declared: EventType) -> None:
    given = {name: lit.value for name, lit in event.attrs}
    for attr in declared.attrs.values():
        if attr.required_when is not None:
            other, value = attr.required_when
            required = given.get(other) == value
        else:
            required = not attr.optional
        if required and attr.name not in given:
            ctx.error(
                ctx.at(event.pos, event.type),
                f"hændelsen '{event.type}' mangler attributten '{attr.name}'",
                f"skriv fx {attr.name}=… efter {event.type}",
            )
        elif attr.required_when is not None and not required and attr.name in given:
            other, value = attr.required_when
            ctx.error(
                ctx.at(event.pos, attr.name), f"'{attr.name}' må kun angives, når {other}={value}"
            )


_FULFILLED = ("fulfilled", "fulfilled_late")


def _check_expect(ctx: CheckContext, item: ast.Expect, rules: dict[str, ast.Rule]) -> None:
    pos = ctx.at(item.pos, item.rule)
    rule = rules.get(item.rule)
    if rule is None:
        ctx.error(
            pos,
            f"eksemplet forventer en ukendt regel '{item.rule}'",
            _suggest(item.rule, rules, "skriv id'et på en regel i ordningen"),
        )
    elif item.kind != "none" and rule.kind != item.kind:
        ctx.error(
            pos,
            f"'{item.rule}' er en {_RULE_NOUNS[rule.kind]}, men forventes som en {_RULE_NOUNS[item.kind]}",
        )
    if item.kind == "obligation" and (item.status in _FULFILLED) != (item.fulfilled_on is not None):
        if item.fulfilled_on is None:
            ctx.error(
                pos,
                "en opfyldt pligt skal have datoen, den blev opfyldt",
                "skriv fx »opfyldt 2015-03-06 frist 2015-03-09«",
            )
        else:
            ctx.error(pos, "kun en opfyldt pligt har en opfyldelsesdato", "slet datoen før »frist«")


def check_unused(ctx: CheckContext) -> None:
    """Definitions that nothing uses are warnings: probably a typo or a leftover."""
    for definition in ctx.ruleset.definitions:
        if definition.name not in ctx.used:
            word = _DEF_WORDS[type(definition)][1]
            ctx.warning(
                ctx.at(definition.pos, definition.name),
                f"{word} '{definition.name}' bruges ikke",
                "slet definitionen, eller brug den i en regel",
            )


def _documented(ruleset: ast.Ruleset) -> Iterator[ast.Docs]:
    """The documentation blocks of a ruleset: its head, each version's and each rule's."""
    yield ruleset.docs
    for version in ruleset.versions:
        yield version.docs
    for rule in all_rules(ruleset):
        yield rule.docs


def check_sources(ctx: CheckContext) -> None:
    """The law behind the rules: every rule names its hjemmel, and every lovtekst is either a
    quote with the address it was quoted from (``kilde``) or marked as a paraphrase.

    Warnings, not errors: a draft may lack them; ``lovregler check --strict`` (and ``make
    test`` for the bundled rulesets) treats them as errors.
    """
    for rule in all_rules(ctx.ruleset):
        if rule.docs.citation is None:
            ctx.warning(
                ctx.at(rule.pos, rule.id),
                f"reglen '{rule.id}' har ingen hjemmel",
                'skriv »hjemmel "…"« med den paragraf, reglen bygger på, og »kilde "https://…"« '
                "med adressen, hvor loven kan læses",
            )
    for docs in _documented(ctx.ruleset):
        for source in docs.sources:
            if not source.address.strip():
                ctx.error(
                    source.pos,
                    "kilden er tom",
                    "skriv adressen på den side, loven er citeret fra, fx "
                    '»kilde "https://www.retsinformation.dk/eli/lta/2015/994"«',
                )
        for excerpt in docs.excerpts:
            if excerpt.source is None and not excerpt.paraphrase:
                ctx.warning(
                    excerpt.pos,
                    "lovteksten har ingen kilde",
                    'skriv »kilde "https://…"« med adressen, teksten er citeret fra, eller '
                    'markér den som omskrevet: »lovtekst (omskrevet) "…"«',
                )


def check_example_titles(ctx: CheckContext) -> None:
    """A ruleset has examples (``lovregler test`` has nothing to try without them), and each
    has its own title (a failure names its example by title). A ruleset with errors cannot be
    tested anyway: there the missing examples would only hide the errors."""
    has_errors = any(d.severity == "error" for d in ctx.diagnostics)
    if not ctx.ruleset.examples and not has_errors:
        ctx.warning(
            ctx.at(ctx.ruleset.pos, ctx.ruleset.name),
            f"ordningen '{ctx.ruleset.name}' har ingen eksempler",
            "tilføj et »eksempel« med en historik og »pr. DATO forventes«, "
            "så »lovregler test« kan prøve reglerne",
        )
    for later, first in _duplicates(ctx.ruleset.examples, key=lambda example: example.title):
        ctx.warning(
            _title_pos(ctx, later.pos, later.title),
            f'eksemplet "{later.title}" har samme titel som eksemplet på linje {first.pos.line}',
            "giv eksemplet sin egen titel, så en fejl peger på det rigtige eksempel",
        )


def _title_pos(ctx: CheckContext, pos: SourcePos, title: str) -> SourcePos:
    """The span of ``"title"`` on the first line of ``pos`` (the node's own line if not found)."""
    lines = _lines(ctx.source)
    text = lines[pos.line - 1] if 0 < pos.line <= len(lines) else ""
    start = text.find(f'"{title}"', max(pos.column - 1, 0))
    if start < 0:
        return pos
    return SourcePos(pos.file, pos.line, start + 1, pos.line, start + len(title) + 3)


def check_version_indentation(ctx: CheckContext) -> None:
    """A rule written no further in than its ``version`` line still belongs to that version
    (layout is free): say so, for the author probably meant it to stand on its own."""
    for version in ctx.ruleset.versions:
        for rule in version.rules:
            if rule.pos.column <= version.pos.column:
                ctx.warning(
                    ctx.at(rule.pos, rule.id),
                    f"reglen '{rule.id}' står ikke indrykket, men hører til version "
                    f"{version.name} (linje {version.pos.line})",
                    f"indryk reglen under version {version.name}; skal den gælde i alle "
                    "versioner, så flyt den op før den første version",
                )
