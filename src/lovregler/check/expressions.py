"""The checks of expressions: values against their declared types, and one handler per AST
expression class (:data:`_HANDLERS`), or the class listed in :data:`VISITED_THROUGH`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

from ..errors import SourcePos
from ..semantics.vocabulary import AttrType, EventType, PeriodDecl
from ..syntax import ast
from .context import CheckContext, _children, _listing, _suggest

# ───────────────────────────── values and types ─────────────────────────────
_KIND_WORDS = {"enum": "et navn", "int": "et tal", "bool": "sand/falsk", "text": "en tekst"}


def _show(lit: ast.Literal) -> str:
    if lit.kind == "bool":
        return "sand" if lit.value else "falsk"
    if lit.kind == "text":
        return f'"{lit.value}"'
    return f"'{lit.value}'" if lit.kind == "enum" else str(lit.value)


def _in_range(value: object, low: int | None, high: int | None) -> bool:
    number = value if isinstance(value, int) else 0
    return (low is None or number >= low) and (high is None or number <= high)


def _check_value(
    ctx: CheckContext, name: str, atype: AttrType, lit: ast.Literal, via: ast.SetRef | None = None
) -> None:
    """A literal compared with (or assigned to) attribute or fact ``name`` fits its type.

    ``via``: the literal comes from a named set; report at the reference, not in the set.
    """
    pos = via.pos if via is not None else lit.pos
    prefix = f"mængden '{via.name}': " if via is not None else ""
    if lit.kind != atype.kind:
        ctx.error(
            pos,
            f"{prefix}{name} er {atype.describe()}, men {_show(lit)} er {_KIND_WORDS[lit.kind]}",
            _type_hint(ctx, name, atype),
        )
    elif atype.kind == "enum":
        values = ctx.vocab.enums.get(atype.enum or "", ())
        if lit.value not in values:
            ctx.error(
                pos,
                f"{prefix}{_show(lit)} er ikke en mulig værdi af {name}",
                _suggest(str(lit.value), values, f"{name} kan være: {_listing(values)}"),
            )
    elif atype.kind == "int" and not _in_range(lit.value, atype.minimum, atype.maximum):
        ctx.error(pos, f"{prefix}{name} er {atype.describe()}, ikke {lit.value}", atype.limit_text)


def _type_hint(ctx: CheckContext, name: str, atype: AttrType) -> str:
    if atype.kind == "enum":
        return f"{name} kan være: {_listing(ctx.vocab.enums.get(atype.enum or '', ()))}"
    if atype.kind == "int":
        return f"skriv et tal, fx {name} = {atype.minimum if atype.minimum is not None else 1}"
    if atype.kind == "bool":
        return f"skriv {name} = sand eller {name} = falsk"
    return "skriv teksten i anførselstegn"


def _check_op(ctx: CheckContext, name: str, atype: AttrType, op: str, pos: SourcePos) -> None:
    if op not in ("=", "!=") and atype.kind != "int":
        ctx.error(
            pos,
            f"'{op}' kan kun bruges på tal; {name} er {atype.describe()}",
            "brug = eller !=, eller »i {…}« for flere værdier",
        )


# ───────────────────────────── expressions ─────────────────────────────
_UNKNOWN_EVENT = "\0"  # an event type already reported unknown: don't report its attributes


@attrs.frozen
class Scope:
    """Where an expression stands: the event its conditions talk about, and what is allowed.

    ``no_course`` / ``no_trigger``: why ``forløbet`` / ``udløsningsdagen`` cannot be used here
    (None when they can).
    """

    event: str | None = None
    no_course: str | None = None
    no_trigger: str | None = None


_TRIGGER_ONLY = "udløsningsdagen kan kun bruges i en frist eller en betingelse (hvis)"


def _visit(ctx: CheckContext, node: object, scope: Scope) -> None:
    handler = _HANDLERS.get(type(node))
    if handler is not None:
        handler(ctx, node, scope)
    else:
        _visit_children(ctx, node, scope)


def _visit_children(ctx: CheckContext, node: object, scope: Scope) -> None:
    for child in _children(node):
        _visit(ctx, child, scope)


def _pattern(ctx: CheckContext, node: ast.Pattern, scope: Scope) -> None:
    definition = ctx.names.definition(node.name, ast.PatternDef)
    if definition is not None:
        _use_definition(ctx, node.name, node.pos, scope)
        event = ctx.names.pattern(node.name).event
        event = event if event in ctx.vocab.events else _UNKNOWN_EVENT
    elif node.name in ctx.vocab.events:
        event = node.name
    else:
        event = _UNKNOWN_EVENT
        candidates = [*ctx.vocab.events, *_def_names(ctx, ast.PatternDef)]
        ctx.error(
            ctx.at(node.pos, node.name),
            f"ukendt hændelsestype '{node.name}'",
            _suggest(
                node.name, candidates, f"hændelsestyperne står i ordforrådet '{ctx.vocab.name}'"
            ),
        )
    if node.where is not None:
        _visit(ctx, node.where, attrs.evolve(scope, event=event))


def _def_names(ctx: CheckContext, kind: type) -> list[str]:
    owners = [ctx.ruleset, ctx.base] if ctx.base else [ctx.ruleset]
    return [d.name for owner in owners for d in owner.definitions if isinstance(d, kind)]


def _name_type(ctx: CheckContext, ref: ast.NameRef, scope: Scope) -> AttrType | None:
    """The type of an attribute of the scope's event, else of a fact; None if unknown."""
    event = ctx.vocab.events.get(scope.event or "")
    if event is not None and ref.name in event.attrs:
        return event.attrs[ref.name].type
    if ref.name in ctx.vocab.facts:
        return ctx.vocab.facts[ref.name].type
    if scope.event == _UNKNOWN_EVENT:
        return None
    if event is not None:
        ctx.error(
            ref.pos,
            f"hændelsen '{event.name}' har ingen attribut '{ref.name}', og intet faktum hedder sådan",
            _suggest(ref.name, [*event.attrs, *ctx.vocab.facts], _attr_listing(event)),
        )
    else:
        ctx.error(
            ref.pos,
            f"ukendt faktum '{ref.name}'",
            _suggest(ref.name, ctx.vocab.facts, f"fakta: {_listing(ctx.vocab.facts)}"),
        )
    return None


def _attr_listing(event: EventType) -> str:
    if not event.attrs:
        return f"'{event.name}' har ingen attributter"
    return f"'{event.name}' har attributterne: {_listing(event.attrs)}"


def _operand_type(ctx: CheckContext, operand: ast.Operand, scope: Scope) -> AttrType | None:
    if isinstance(operand, ast.NameRef):
        return _name_type(ctx, operand, scope)
    if isinstance(operand, ast.AgeAt):
        _visit(ctx, operand.date, scope)
        return AttrType("int")
    return None


def _operand_name(operand: ast.Operand) -> str:
    return operand.name if isinstance(operand, ast.NameRef) else "alderen"


def _bool_compare(ctx: CheckContext, node: ast.BoolCompare, scope: Scope) -> None:
    left, right = node.left, node.right
    if isinstance(left, ast.Literal) and isinstance(right, ast.Literal):
        ctx.error(
            node.pos,
            "en sammenligning skal have en attribut, et faktum eller en alder på den ene side",
            f"skriv navnet først, fx {right.value} {node.op} {_show(left)}",
        )
        return
    typed, other = (left, right) if isinstance(right, ast.Literal) else (right, left)
    atype = _operand_type(ctx, typed, scope)
    if isinstance(other, ast.Literal):
        if atype is not None:
            _check_op(ctx, _operand_name(typed), atype, node.op, node.pos)
            _check_value(ctx, _operand_name(typed), atype, other)
        return
    other_type = _operand_type(ctx, other, scope)
    if atype is not None and other_type is not None and atype.kind != other_type.kind:
        ctx.error(
            node.pos, f"{_operand_name(left)} og {_operand_name(right)} har forskellige typer"
        )


def _bool_in(ctx: CheckContext, node: ast.BoolIn, scope: Scope) -> None:
    atype = _operand_type(ctx, node.operand, scope)
    if isinstance(node.operand, ast.Literal):
        ctx.error(node.pos, "»i {…}« skal stå efter en attribut eller et faktum")
    _check_set(ctx, _operand_name(node.operand), atype, node.values, scope)


def _check_set(
    ctx: CheckContext, name: str, atype: AttrType | None, values: ast.ValueSet, scope: Scope
) -> None:
    via = values if isinstance(values, ast.SetRef) else None
    if isinstance(values, ast.SetRef):
        definition = ctx.names.definition(values.name, ast.SetDef)
        if definition is None:
            ctx.error(
                values.pos,
                f"ukendt mængde '{values.name}'",
                _suggest(
                    values.name,
                    _def_names(ctx, ast.SetDef),
                    "definér den med »mængde navn = {a, b}«",
                ),
            )
            return
        ctx.used.add(values.name)
        values = definition.values
    for lit in values.values:
        if atype is not None:
            _check_value(ctx, name, atype, lit, via)


def _bool_truthy(ctx: CheckContext, node: ast.BoolTruthy, scope: Scope) -> None:
    atype = _operand_type(ctx, node.operand, scope)
    if isinstance(node.operand, ast.Literal) or (atype is not None and atype.kind != "bool"):
        what = (
            _operand_name(node.operand)
            if not isinstance(node.operand, ast.Literal)
            else _show(node.operand)
        )
        ctx.error(
            node.pos,
            f"{what} er ikke sand/falsk og kan ikke stå alene som betingelse",
            "sammenlign den med en værdi, fx navn = værdi",
        )


def _bool_shorter(ctx: CheckContext, node: ast.BoolShorter, scope: Scope) -> None:
    if scope.event == _UNKNOWN_EVENT:
        return
    if scope.event is None or ctx.vocab.period_for_event(scope.event) is None:
        what = f"'{scope.event}' gør ikke" if scope.event else "her er ingen hændelse"
        periods = ", ".join(f"{p.start}/{p.end}" for p in ctx.vocab.periods.values())
        ctx.error(
            node.pos,
            f"»kortere end« kræver en hændelse, der starter eller slutter en periode; {what}",
            f"brug det på en af: {periods}",
        )


def _check_period_ref(
    ctx: CheckContext,
    period: PeriodDecl,
    key: str | None,
    where: ast.BoolExpr | None,
    pos: SourcePos,
    scope: Scope,
) -> None:
    """A period named with a key and a condition on its start event's attributes."""
    if key is not None:
        values = _period_key_values(ctx, period)
        if values is None:
            ctx.error(
                ctx.at(pos, key),
                f"perioden '{period.name}' har ingen nøgle, så '{key}' kan ikke angives",
                f"skriv bare '{period.name}', evt. med en betingelse i {{…}}",
            )
        elif key not in values:
            ctx.error(
                ctx.at(pos, key),
                f"'{key}' er ikke en mulig værdi af {period.key}",
                _suggest(key, values, f"{period.key} kan være: {_listing(values)}"),
            )
    if where is not None:
        _visit(ctx, where, attrs.evolve(scope, event=period.start))


def _period_key_values(ctx: CheckContext, period: PeriodDecl) -> tuple[str, ...] | None:
    start = ctx.vocab.events.get(period.start)
    if period.key is None or start is None or period.key not in start.attrs:
        return None
    return ctx.vocab.enums.get(start.attrs[period.key].type.enum or "", ())


def _bool_continues(ctx: CheckContext, node: ast.BoolContinues, scope: Scope) -> None:
    period = ctx.vocab.periods.get(node.period)
    if period is None:
        ctx.error(
            ctx.at(node.pos, node.period),
            f"ukendt periode '{node.period}'",
            _suggest(
                node.period, ctx.vocab.periods, f"perioderne er: {_listing(ctx.vocab.periods)}"
            ),
        )
        if node.where is not None:
            _visit(ctx, node.where, attrs.evolve(scope, event=_UNKNOWN_EVENT))
    else:
        _check_period_ref(ctx, period, node.key, node.where, node.pos, scope)
    _visit(ctx, node.date, scope)


def _use_definition(ctx: CheckContext, name: str, pos: SourcePos, scope: Scope) -> None:
    """Mark a definition used, and check it may be used where it stands."""
    ctx.used.add(name)
    features = ctx.features.get(name, frozenset())
    if "trigger" in features and scope.no_trigger:
        ctx.error(ctx.at(pos, name), f"'{name}' bruger udløsningsdagen; {scope.no_trigger}")
    if "course" in features and scope.no_course:
        ctx.error(ctx.at(pos, name), f"'{name}' bruger forløbet; {scope.no_course}")


def _date_ref(ctx: CheckContext, node: ast.DateRef, scope: Scope) -> None:
    if ctx.names.definition(node.name, ast.DateDef) is None:
        ctx.error(
            node.pos,
            f"ukendt dato '{node.name}'",
            _suggest(node.name, _def_names(ctx, ast.DateDef), "definér den med »dato navn = …«"),
        )
    else:
        _use_definition(ctx, node.name, node.pos, scope)


def _course_ref(
    ctx: CheckContext, node: ast.CourseStart | ast.CourseEnd | ast.TlCourse, scope: Scope
) -> None:
    word = {ast.CourseStart: "forløbets start", ast.CourseEnd: "forløbets slut"}.get(
        type(node), "forløbet"
    )
    pos = node.pos
    if scope.no_course:
        ctx.error(pos, f"»{word}« kan ikke bruges her: {scope.no_course}")
    elif not ctx.has_course():
        ctx.error(
            pos,
            f"ordningen har intet forløb, så »{word}« kan ikke bruges",
            "tilføj »forløb når …« eller »forløb fra …«, eller skriv reglen »per borger« uden forløbet",
        )


def _trigger_date(ctx: CheckContext, node: ast.TriggerDate, scope: Scope) -> None:
    if scope.no_trigger:
        ctx.error(
            node.pos, scope.no_trigger, "skriv fx »frist udgangen af måneden for udløsningsdagen«"
        )


def _require_length(ctx: CheckContext, duration: object, what: str) -> None:
    """A length that must be positive (a zero repeat or window would never move on)."""
    if isinstance(duration, ast.Duration) and duration.months == 0 and duration.days == 0:
        ctx.error(duration.pos, f"{what} kan ikke være 0", "skriv fx »3 måneder« eller »14 dage«")


def _count_windows(ctx: CheckContext, node: ast.CountWindows, scope: Scope) -> None:
    _require_length(ctx, node.length, "en periode")
    _visit(ctx, node.anchor, scope)


def _threshold(ctx: CheckContext, node: ast.Threshold, scope: Scope) -> None:
    _require_length(ctx, node.amount, "den akkumulerede tid")
    _require_length(ctx, node.window, "vinduet")
    if node.amount.months > 0:
        # contract §3.7: an accumulated amount needs a fixed length; a month has none
        ctx.error(
            node.amount.pos,
            f"»{node.amount.unit_text}« kan ikke bruges som akkumuleret tid: "
            "måneder og år har ingen fast længde",
            "skriv tiden i dage eller uger, fx »365 dage« for 12 måneder",
        )
    _visit_children(ctx, node, scope)


def _tl_name(ctx: CheckContext, node: ast.TlName, scope: Scope) -> None:
    kind = ctx.names.timeline(node.name).kind
    if kind == "period":
        _check_period_ref(ctx, ctx.vocab.periods[node.name], node.key, node.where, node.pos, scope)
        return
    if kind is None:
        candidates = [*_def_names(ctx, ast.TimelineDef), *ctx.vocab.periods, *ctx.vocab.facts]
        ctx.error(
            ctx.at(node.pos, node.name),
            f"ukendt tidslinje, periode eller faktum '{node.name}'",
            _suggest(node.name, candidates, f"perioderne er: {_listing(ctx.vocab.periods)}"),
        )
    elif kind == "timeline":
        _use_definition(ctx, node.name, node.pos, scope)
    elif ctx.vocab.facts[node.name].type.kind != "bool":
        ctx.error(
            ctx.at(node.pos, node.name),
            f"faktummet '{node.name}' er ikke sand/falsk og kan ikke stå alene",
            f"sammenlign det med en værdi, fx {node.name} = …",
        )
    if kind is not None and (node.key is not None or node.where is not None):
        ctx.error(
            node.pos,
            f"'{node.name}' er ikke en periode og kan ikke have en nøgle eller en betingelse",
        )


def _tl_fact(ctx: CheckContext, node: ast.TlFact, scope: Scope) -> None:
    fact = ctx.vocab.facts.get(node.fact)
    if fact is None:
        hint = _suggest(node.fact, ctx.vocab.facts, f"fakta: {_listing(ctx.vocab.facts)}")
        if node.fact in ctx.vocab.periods:
            hint = f"en periode skrives uden sammenligning, fx »{node.fact} <værdi>«"
        ctx.error(ctx.at(node.pos, node.fact), f"ukendt faktum '{node.fact}'", hint)
        return
    _check_test(ctx, node.fact, fact.type, node.op, node.value, node.values, node.pos, scope)


def _check_test(
    ctx: CheckContext,
    name: str,
    atype: AttrType,
    op: str | None,
    value: ast.Literal | None,
    values: ast.ValueSet | None,
    pos: SourcePos,
    scope: Scope,
) -> None:
    if op is not None and value is not None:
        _check_op(ctx, name, atype, op, pos)
        _check_value(ctx, name, atype, value)
    if values is not None:
        _check_set(ctx, name, atype, values, scope)


def _tl_latest(ctx: CheckContext, node: ast.TlLatest, scope: Scope) -> None:
    event = ctx.vocab.events.get(node.event)
    if event is None:
        ctx.error(
            ctx.at(node.pos, node.event),
            f"ukendt hændelsestype '{node.event}'",
            _suggest(node.event, ctx.vocab.events),
        )
    elif node.attr not in event.attrs:
        ctx.error(
            ctx.at(node.pos, node.attr),
            f"hændelsen '{node.event}' har ingen attribut '{node.attr}'",
            _suggest(node.attr, event.attrs, _attr_listing(event)),
        )
    else:
        atype = event.attrs[node.attr].type
        _check_test(ctx, node.attr, atype, node.op, node.value, node.values, node.pos, scope)


def _tl_between(ctx: CheckContext, node: ast.TlBetween, scope: Scope) -> None:
    if node.start > node.end:
        ctx.error(node.pos, f"perioden {node.start}..{node.end} slutter før den begynder")


def _tl_from_day(ctx: CheckContext, node: ast.TlFromDay, scope: Scope) -> None:
    if node.day < 1:
        ctx.error(node.pos, "dagene tælles fra 1", "skriv fx »fra dag 31«")
    _visit(ctx, node.timeline, scope)


def _deadline(ctx: CheckContext, node: ast.Deadline, scope: Scope) -> None:
    _visit_children(ctx, node, attrs.evolve(scope, no_trigger=None))


_HANDLERS: dict[type, Callable[[CheckContext, Any, Scope], None]] = {
    ast.Pattern: _pattern,
    ast.BoolCompare: _bool_compare,
    ast.BoolIn: _bool_in,
    ast.BoolTruthy: _bool_truthy,
    ast.BoolShorter: _bool_shorter,
    ast.BoolContinues: _bool_continues,
    ast.DateRef: _date_ref,
    ast.CourseStart: _course_ref,
    ast.CourseEnd: _course_ref,
    ast.TlCourse: _course_ref,
    ast.TriggerDate: _trigger_date,
    ast.Threshold: _threshold,
    ast.TlName: _tl_name,
    ast.TlFact: _tl_fact,
    ast.TlLatest: _tl_latest,
    ast.TlBetween: _tl_between,
    ast.TlFromDay: _tl_from_day,
    ast.Deadline: _deadline,
    ast.CountWindows: _count_windows,
}


# The expression and rule nodes the checker has no handler for: it visits their children
# (an »og«, a date shift) and has nothing to say about the node itself; an operand or a set
# is checked by the handler of the condition it stands in (_bool_compare, _bool_in); a rule
# by the rule passes (_check_rule_shape). Every node class is here or in _HANDLERS.
VISITED_THROUGH: tuple[type, ...] = (
    ast.EachEvent,
    ast.AtDate,
    ast.NameRef,
    ast.Literal,
    ast.AgeAt,
    ast.SetRef,
    ast.BoolAnd,
    ast.BoolOr,
    ast.BoolNot,
    ast.BoolExists,
    ast.DateLit,
    ast.DateShift,
    ast.EndOfMonth,
    ast.Birthday,
    ast.EventDate,
    ast.PeriodStart,
    ast.SetLit,
    ast.TlAnd,
    ast.TlOr,
    ast.TlNot,
    ast.TlSince,
    ast.TlAge,
    ast.TlAfterLasting,
    ast.ObligationRule,
    ast.RightRule,
    ast.ValueRule,
)
