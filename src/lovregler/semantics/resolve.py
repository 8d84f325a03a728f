"""Name resolution, written once: what every name in a rule file refers to.

A rule file names patterns, sets, timelines, dates, periods, facts, event types and their
attributes. :class:`Names` answers, for one ruleset (over the ruleset it extends) and its
vocabulary, what each name means, with the source position of its definition. The checker
reports a name that resolves to nothing; the plan hands the same :class:`Names` to the
compiler, the reference interpreter and the prose, so none of them decides again.

The rules:

* a definition (``mønster``, ``mængde``, ``tidslinje``, ``dato``) is the ruleset's own, else
  its base's;
* a pattern names a ``mønster`` (spelled out, with its conditions, down to an event type) or
  an event type;
* in a condition on an event, a bare name is an attribute of that event, otherwise a fact;
* a timeline name is a ``tidslinje`` definition, else a vocabulary period, else a fact.

>>> defs = (ast.PatternDef(name="personlig_samtale", pattern=ast.Pattern(name="samtale",
...     where=ast.BoolCompare(left=ast.NameRef(name="form"), op="=",
...                           right=ast.Literal(value="personlig", kind="enum")))),)
>>> names = Names(ast.Ruleset(name="a", title="A", definitions=defs))
>>> ref = names.pattern(ast.Pattern(name="personlig_samtale"))
>>> ref.event, len(ref.conditions), [d.name for d in ref.via]
('samtale', 1, ['personlig_samtale'])
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path
from typing import Literal, TypeVar

import attrs

from ..errors import UNKNOWN_POS, SourcePos
from ..syntax import ast
from ..syntax.parse import parse_file
from .vocabulary import EventType, FactDecl, PeriodDecl, Vocabulary
from .vocabulary import from_ast as vocabulary_from_ast

_D = TypeVar("_D", ast.SetDef, ast.PatternDef, ast.TimelineDef, ast.DateDef)

TimelineKind = Literal["timeline", "period", "fact"]
"""What a timeline name refers to."""


@attrs.frozen
class PatternRef:
    """A pattern with its name resolved.

    ``event`` is the event type matched; ``conditions`` every condition on it, innermost
    definition first and the use's own ``where`` last; ``via`` the ``mønster`` definitions
    spelled out, outermost first; ``pos`` the position of the use.
    """

    event: str
    conditions: tuple[ast.BoolExpr, ...] = ()
    via: tuple[ast.PatternDef, ...] = ()
    pos: SourcePos = attrs.field(default=UNKNOWN_POS, eq=False)

    @property
    def where(self) -> ast.BoolExpr | None:
        """All conditions as one (``a og b og c``), or None without any."""
        out: ast.BoolExpr | None = None
        for condition in self.conditions:
            out = condition if out is None else ast.BoolAnd(left=out, right=condition)
        return out


@attrs.frozen
class TimelineRef:
    """A timeline name resolved: a ``tidslinje`` definition, a period or a fact (or nothing)."""

    name: str
    kind: TimelineKind | None
    definition: ast.TimelineDef | None = None
    period: PeriodDecl | None = None
    fact: FactDecl | None = None

    @property
    def pos(self) -> SourcePos:
        """Where the name is defined or declared (unknown for an unknown name)."""
        found = self.definition or self.period or self.fact
        return found.pos if found is not None else UNKNOWN_POS


_EMPTY_VOCABULARY = Vocabulary("", {}, {}, {}, {})


class Names:
    """Every name of a ruleset (over its base) and its vocabulary, resolved on request.

    Results are memoised, so a name is resolved once however many stages ask.
    """

    def __init__(
        self,
        ruleset: ast.Ruleset | None = None,
        base: ast.Ruleset | None = None,
        vocabulary: Vocabulary | None = None,
    ) -> None:
        self.ruleset = ruleset
        self.base = base
        self._vocabulary = vocabulary
        self._patterns: dict[object, tuple[ast.Pattern | str, PatternRef]] = {}

    @property
    def vocabulary(self) -> Vocabulary:
        """The vocabulary the names are checked against (empty if none was given)."""
        if self._vocabulary is None:
            self._vocabulary = self._load_vocabulary()
        return self._vocabulary

    def _load_vocabulary(self) -> Vocabulary:
        return _EMPTY_VOCABULARY

    # ── definitions ──
    def definition(self, name: str, kind: type[_D]) -> _D | None:
        """The definition of ``kind`` called ``name``: the ruleset's own first, then its base's."""
        return find_definition(name, kind, self.ruleset, self.base)

    def set_values(self, name: str) -> frozenset[object]:
        """The values of the ``mængde`` called ``name`` (empty if there is none)."""
        found = self.definition(name, ast.SetDef)
        return frozenset(v.value for v in found.values.values) if found else frozenset()

    def date(self, name: str) -> ast.DateExpr | None:
        """The date expression of the ``dato`` called ``name``."""
        found = self.definition(name, ast.DateDef)
        return found.date if found else None

    # ── patterns and events ──
    def pattern(self, pattern: ast.Pattern | str) -> PatternRef:
        """What a pattern matches: its event type and all conditions (``mønstre`` spelled out).

        A name that is no ``mønster`` is the event type (the checker reports it if the
        vocabulary lacks it); on a cycle the resolution stops at the name that repeats.
        """
        # keyed by identity: hashing a condition tree on every call would cost more than
        # resolving; the node is kept with its answer so its id stays its own
        key = pattern if isinstance(pattern, str) else id(pattern)
        found = self._patterns.get(key)
        if found is None or found[0] is not pattern:
            found = (pattern, self._resolve_pattern(pattern))
            self._patterns[key] = found
        return found[1]

    def _resolve_pattern(self, pattern: ast.Pattern | str) -> PatternRef:
        name = pattern if isinstance(pattern, str) else pattern.name
        via: list[ast.PatternDef] = []
        seen: set[str] = set()
        while name not in seen:
            seen.add(name)
            definition = self.definition(name, ast.PatternDef)
            if definition is None:
                break
            via.append(definition)
            name = definition.pattern.name
        # the outer definition was met first; its conditions come on top of the inner ones
        conditions = [d.pattern.where for d in reversed(via) if d.pattern.where is not None]
        pos = UNKNOWN_POS
        if isinstance(pattern, ast.Pattern):
            pos = pattern.pos
            if pattern.where is not None:
                conditions.append(pattern.where)
        return PatternRef(name, tuple(conditions), tuple(via), pos)

    def event(self, name: str) -> EventType | None:
        """The vocabulary's event type called ``name``."""
        return self.vocabulary.events.get(name)

    def is_attribute(self, name: str, event: str | None) -> bool:
        """In a condition on an ``event``, does ``name`` name its attribute (else a fact)?"""
        found = self.vocabulary.events.get(event) if event is not None else None
        return found is not None and name in found.attrs

    # ── timelines, periods and facts ──
    def timeline(self, name: str) -> TimelineRef:
        """What a timeline name means: a ``tidslinje``, else a period, else a fact."""
        definition = self.definition(name, ast.TimelineDef)
        if definition is not None:
            return TimelineRef(name, "timeline", definition=definition)
        if name in self.vocabulary.periods:
            return TimelineRef(name, "period", period=self.vocabulary.periods[name])
        if name in self.vocabulary.facts:
            return TimelineRef(name, "fact", fact=self.vocabulary.facts[name])
        return TimelineRef(name, None)

    def period(self, name: str) -> PeriodDecl | None:
        """The vocabulary's period called ``name``."""
        return self.vocabulary.periods.get(name)

    def fact(self, name: str) -> FactDecl | None:
        """The vocabulary's fact called ``name``."""
        return self.vocabulary.facts.get(name)


class _BundledNames(Names):
    """The names of the bundled vocabulary (``rulesets/ordforråd.lov``), read when first asked."""

    def _load_vocabulary(self) -> Vocabulary:
        folder = Path(str(resources.files("lovregler.rulesets"))).resolve()
        module = parse_file(folder / "ordforråd.lov")
        return vocabulary_from_ast(module.vocabularies[0])


@functools.cache
def bundled_names() -> Names:
    """Names with the bundled vocabulary and no ruleset: the words of a phrase said outside
    any ruleset (prose's default context), read from the vocabulary file when first needed.

    >>> bundled_names().event("samtale").words.noun.plural
    'samtaler'
    """
    return _BundledNames()


def find_definition(
    name: str, kind: type[_D], ruleset: ast.Ruleset | None, base: ast.Ruleset | None
) -> _D | None:
    """The definition of ``kind`` called ``name``: the ruleset's own first, then its base's.

    >>> rs = ast.Ruleset(name="a", title="A", definitions=(ast.DateDef(name="d", date=ast.CourseStart()),))
    >>> find_definition("d", ast.DateDef, rs, None).name
    'd'
    >>> find_definition("d", ast.SetDef, rs, None) is None
    True
    """
    for owner in (ruleset, base):
        for definition in owner.definitions if owner else ():
            if isinstance(definition, kind) and definition.name == name:
                return definition
    return None


def resolve_pattern(
    pattern: ast.Pattern | str, ruleset: ast.Ruleset, base: ast.Ruleset | None
) -> tuple[str, list[ast.BoolExpr]]:
    """The event type a pattern matches and all conditions on it, innermost definition first.

    A shorthand for :meth:`Names.pattern` without a vocabulary.
    """
    ref = Names(ruleset, base).pattern(pattern)
    return ref.event, list(ref.conditions)


def resolve_timeline_name(
    name: str, ruleset: ast.Ruleset, base: ast.Ruleset | None, vocabulary: Vocabulary
) -> TimelineKind | None:
    """What a timeline name means: ``"timeline"``, ``"period"``, ``"fact"``, or None if unknown.

    >>> vocab = Vocabulary("v", {}, {}, {}, {"ydelse": PeriodDecl("ydelse", "s", "e", None)})
    >>> resolve_timeline_name("ydelse", ast.Ruleset(name="a", title="A"), None, vocab)
    'period'
    """
    return Names(ruleset, base, vocabulary).timeline(name).kind
