"""The passes over a ruleset's structure: the definition graph (references, cycles), imports,
duplicates, ``udvider``/``erstatter``, versions, definitions and the course.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from ..semantics.resolve import find_definition
from ..syntax import ast
from .context import _DEF_WORDS, CheckContext, _listing, _suggest, all_rules, walk
from .expressions import (
    _TRIGGER_ONLY,
    Scope,
    _attr_listing,
    _require_length,
    _visit,
    _visit_children,
)
from .vocabulary_passes import _duplicates

# ───────────────────────────── definition graph ─────────────────────────────
_REF_KINDS: dict[type, type] = {
    ast.DateRef: ast.DateDef,
    ast.TlName: ast.TimelineDef,
    ast.Pattern: ast.PatternDef,
    ast.SetRef: ast.SetDef,
}


def definition_references(
    node: object, ruleset: ast.Ruleset, base: ast.Ruleset | None
) -> Iterator[ast.Definition]:
    """The definitions ``node`` refers to directly (dates, timelines, patterns, sets)."""
    for inner in walk(node):
        kind = _REF_KINDS.get(type(inner))
        if kind is not None:
            found = find_definition(inner.name, kind, ruleset, base)
            if found is not None:
                yield found


def _definition_body(definition: ast.Definition) -> object:
    if isinstance(definition, ast.SetDef):
        return definition.values
    if isinstance(definition, ast.PatternDef):
        return definition.pattern
    if isinstance(definition, ast.TimelineDef):
        return definition.timeline
    return definition.date


def _direct_features(node: object) -> set[str]:
    found = set()
    for inner in walk(node):
        if isinstance(inner, ast.CourseStart | ast.CourseEnd | ast.TlCourse):
            found.add("course")
        elif isinstance(inner, ast.TriggerDate):
            found.add("trigger")
    return found


def definition_features(
    ruleset: ast.Ruleset, base: ast.Ruleset | None
) -> dict[str, frozenset[str]]:
    """For each definition, whether it uses the forløb (``"course"``) or the trigger date
    (``"trigger"``), directly or through other definitions. Safe on cycles."""
    result: dict[str, frozenset[str]] = {}
    for owner in (base, ruleset):
        for definition in owner.definitions if owner else ():
            found: set[str] = set()
            stack: list[ast.Definition] = [definition]
            seen: set[int] = set()
            while stack:
                current = stack.pop()
                if id(current) not in seen:
                    seen.add(id(current))
                    body = _definition_body(current)
                    found |= _direct_features(body)
                    stack.extend(definition_references(body, ruleset, base))
            result[definition.name] = frozenset(found)
    return result


def check_cycles(ctx: CheckContext) -> None:
    """No definition depends on itself, directly or through others (reported once per cycle)."""
    reported: set[frozenset[str]] = set()
    for definition in ctx.ruleset.definitions:
        cycle = _cycle_from(ctx, definition)
        if cycle is not None and frozenset(cycle) not in reported:
            reported.add(frozenset(cycle))
            word = _DEF_WORDS[type(definition)][1]
            path = " → ".join([*cycle, cycle[0]])
            ctx.error(
                ctx.at(definition.pos, definition.name),
                f"{word} '{definition.name}' afhænger af sig selv: {path}",
                "en definition kan ikke bygge på sig selv; bryd kredsen",
            )


def _cycle_from(ctx: CheckContext, start: ast.Definition) -> list[str] | None:
    """The names on a path from ``start`` back to itself, or None (depth-first search)."""
    stack: list[tuple[ast.Definition, list[str]]] = [(start, [start.name])]
    seen: set[int] = set()
    while stack:
        current, path = stack.pop()
        for nxt in definition_references(_definition_body(current), ctx.ruleset, ctx.base):
            if nxt is start:
                return path
            if id(nxt) not in seen:
                seen.add(id(nxt))
                stack.append((nxt, [*path, nxt.name]))
    return None


# ───────────────────────────── ruleset passes ─────────────────────────────
def check_import(ctx: CheckContext) -> None:
    """The file imports the vocabulary the ruleset is checked against."""
    if ctx.vocab.name not in ctx.imports:
        ctx.error(
            ctx.at(ctx.ruleset.pos, ctx.ruleset.name),
            f"ordningen '{ctx.ruleset.name}' importerer ikke ordforrådet '{ctx.vocab.name}'",
            f"skriv »importer {ctx.vocab.name}« øverst i filen",
        )


def check_duplicate_definitions(ctx: CheckContext) -> None:
    """Definitions have distinct names, and do not hide a base definition or a vocabulary name."""
    for later, first in _duplicates(ctx.ruleset.definitions):
        ctx.error(
            ctx.at(later.pos, later.name),
            f"'{later.name}' er allerede defineret (linje {first.pos.line})",
            "giv den et andet navn, eller slet den ene definition",
        )
    for definition in ctx.ruleset.definitions:
        clash = _clash(ctx, definition)
        if clash is not None:
            ctx.error(
                ctx.at(definition.pos, definition.name),
                f"'{definition.name}' findes allerede {clash}",
                "giv definitionen et andet navn",
            )


def _clash(ctx: CheckContext, definition: ast.Definition) -> str | None:
    if ctx.base is not None and any(d.name == definition.name for d in ctx.base.definitions):
        return f"i grundordningen '{ctx.base.name}'"
    if isinstance(definition, ast.PatternDef) and definition.name in ctx.vocab.events:
        return "som hændelsestype i ordforrådet"
    if isinstance(definition, ast.TimelineDef) and (
        definition.name in ctx.vocab.periods or definition.name in ctx.vocab.facts
    ):
        return "som periode eller faktum i ordforrådet"
    return None


def check_duplicate_rules(ctx: CheckContext) -> None:
    """Rule ids are unique within each version; ruleset-level rules count in every version."""
    groups: list[tuple[str | None, tuple[ast.Rule, ...]]] = [
        (v.name, (*ctx.ruleset.rules, *v.rules)) for v in ctx.ruleset.versions
    ]
    groups = groups or [(None, ctx.ruleset.rules)]
    reported: set[int] = set()
    for version, rules in groups:
        for later, first in _duplicates(rules, key=lambda rule: rule.id):
            if id(later) not in reported:
                reported.add(id(later))
                where = f"i version {version}" if version else "i ordningen"
                ctx.error(
                    ctx.at(later.pos, later.id),
                    f"reglen '{later.id}' findes allerede {where} (linje {first.pos.line})",
                    "giv reglen et andet id, eller slet den ene",
                )


def check_extends(ctx: CheckContext) -> None:
    """The ruleset named after ``udvider`` exists and is another ruleset."""
    extends, name = ctx.ruleset.extends, ctx.ruleset.name
    if extends == name:
        ctx.error(ctx.at(ctx.ruleset.pos, name), f"ordningen '{name}' udvider sig selv")
    elif extends is not None and (ctx.base is None or ctx.base.name != extends):
        ctx.error(ctx.at(ctx.ruleset.pos, extends), f"grundordningen '{extends}' findes ikke")


def check_overrides(ctx: CheckContext) -> None:
    """An extension says ``erstatter`` exactly on the rules that replace a base rule."""
    base_ids = sorted({r.id for r in all_rules(ctx.base)})
    for rule in all_rules(ctx.ruleset):
        if rule.id in base_ids and not rule.overrides:
            ctx.error(
                ctx.at(rule.pos, rule.id),
                f"reglen '{rule.id}' findes allerede i '{ctx.base.name if ctx.base else ''}'",
                "skriv »erstatter« i reglen, hvis den skal afløse grundordningens regel, "
                "eller giv den et andet id",
            )
        elif rule.overrides and rule.id not in base_ids:
            ctx.error(
                ctx.at(rule.pos, rule.id),
                f"reglen '{rule.id}' erstatter intet: {_no_base_rule(ctx, rule)}",
                _suggest(rule.id, base_ids, "slet »erstatter«"),
            )


def _no_base_rule(ctx: CheckContext, rule: ast.Rule) -> str:
    if ctx.base is None:
        return "ordningen udvider ingen anden"
    return f"'{ctx.base.name}' har ingen regel '{rule.id}'"


def check_versions(ctx: CheckContext) -> None:
    """Versions have distinct names, follow each other without overlap or gap, and lie within
    the ruleset's validity; every validity starts before it ends."""
    for later, first in _duplicates(ctx.ruleset.versions):
        ctx.error(
            ctx.at(later.pos, later.name),
            f"version '{later.name}' findes allerede (linje {first.pos.line})",
        )
    validities = [ctx.ruleset.validity, *(v.validity for v in ctx.ruleset.versions)]
    validities += [r.validity for r in all_rules(ctx.ruleset)]
    for validity in validities:
        if validity and validity.start and validity.end and validity.start > validity.end:
            ctx.error(
                validity.pos,
                f"perioden slutter ({validity.end}) før den begynder ({validity.start})",
            )
    ordered = sorted(ctx.ruleset.versions, key=lambda v: v.validity.start or datetime.date.min)
    for earlier, later in zip(ordered, ordered[1:], strict=False):
        _check_succession(ctx, earlier, later)
    for version in ctx.ruleset.versions:
        _check_within(ctx, version)
        _check_base_version(ctx, version)


def _check_base_version(ctx: CheckContext, version: ast.Version) -> None:
    # an extension's version adds rules to the base version of the same name; there is no other
    names = [v.name for v in ctx.base.versions] if ctx.base else []
    if ctx.base is not None and version.name not in names:
        ctx.error(
            ctx.at(version.pos, version.name),
            f"grundordningen '{ctx.base.name}' har ingen version '{version.name}'",
            _suggest(version.name, names, f"versionerne er: {_listing(names) or 'ingen'}"),
        )


def _check_succession(ctx: CheckContext, earlier: ast.Version, later: ast.Version) -> None:
    end, start = earlier.validity.end, later.validity.start
    pos = ctx.at(later.pos, later.name)
    if end is None or start is None or start <= end:
        until = f"til {end}" if end else "uden slutdato"
        ctx.error(
            pos,
            f"version {later.name} (fra {start or 'altid'}) overlapper version {earlier.name} ({until})",
            _succession_hint(earlier, later),
        )
    elif start - end > datetime.timedelta(days=1):
        ctx.error(
            pos,
            f"der er et hul mellem version {earlier.name} (til {end}) og version {later.name} (fra {start})",
            _succession_hint(earlier, later),
        )


def _succession_hint(earlier: ast.Version, later: ast.Version) -> str:
    if earlier.validity.end is None:
        return f"giv version {earlier.name} en slutdato: »til« dagen før {later.name} begynder"
    day_after = earlier.validity.end + datetime.timedelta(days=1)
    return f"lad version {later.name} begynde {day_after}, dagen efter {earlier.name} slutter"


def _check_within(ctx: CheckContext, version: ast.Version) -> None:
    outer = ctx.ruleset.validity
    if outer is None:
        return
    start, end = version.validity.start, version.validity.end
    early = outer.start is not None and (start is None or start < outer.start)
    late = outer.end is not None and (end is None or end > outer.end)
    if early or late:
        span = f"{outer.start or '…'} til {outer.end or '…'}"
        ctx.error(
            ctx.at(version.pos, version.name),
            f"version {version.name} ligger uden for ordningens gyldighed ({span})",
            "ret versionens »gælder« eller ordningens",
        )


def check_definitions(ctx: CheckContext) -> None:
    """The bodies of sets, patterns, timelines and dates name only things that exist."""
    # udløsningsdagen and forløbet are checked where a definition is used (ctx.features)
    scope = Scope()
    for definition in ctx.ruleset.definitions:
        if isinstance(definition, ast.SetDef):
            _check_set_literal(ctx, definition)
        else:
            _visit(ctx, _definition_body(definition), scope)


def _check_set_literal(ctx: CheckContext, definition: ast.SetDef) -> None:
    kinds = {lit.kind for lit in definition.values.values}
    if len(kinds) > 1:
        ctx.error(
            definition.values.pos, f"mængden '{definition.name}' blander forskellige slags værdier"
        )


def check_course(ctx: CheckContext) -> None:
    """The forløb names existing periods, events and attributes, and not itself."""
    course = ctx.ruleset.course
    if course is None:
        return
    scope = Scope(no_course="forløbet kan ikke defineres ud fra sig selv", no_trigger=_TRIGGER_ONLY)
    _visit_children(ctx, course, scope)
    _require_length(ctx, course.length, "forløbets længde")
    if isinstance(course.length, ast.AttrLength) and course.start is not None:
        _check_length_attr(ctx, course.length, course.start)


def _check_length_attr(ctx: CheckContext, length: ast.AttrLength, start: ast.Pattern) -> None:
    event_name = ctx.names.pattern(start).event
    event = ctx.vocab.events.get(event_name)
    if event is None:
        return  # reported by the pattern check
    attr = event.attrs.get(length.attr)
    if attr is None:
        ctx.error(
            ctx.at(length.pos, length.attr),
            f"hændelsen '{event_name}' har ingen attribut '{length.attr}'",
            _suggest(length.attr, event.attrs, _attr_listing(event)),
        )
    elif attr.type.kind != "int":
        ctx.error(
            ctx.at(length.pos, length.attr),
            f"'{length.attr}' er {attr.type.describe()}, ikke et tal",
        )
