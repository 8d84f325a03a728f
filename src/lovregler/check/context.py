"""The checker's shared context: the AST walk, the :class:`CheckContext` that passes append
to, and the small helpers every pass uses (narrowing a position to a word, suggestions).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from typing import Any

import attrs

from ..errors import Diagnostic, SourcePos, did_you_mean, source_lines
from ..semantics.resolve import Names
from ..semantics.vocabulary import Vocabulary
from ..syntax import ast

HOLDERS = ("jobcenter", "kommune")
"""Who can hold an obligation (``ansvarlig``)."""

# Danish words for the kinds of definition, used in messages ("mængden 'x' bruges ikke").
_DEF_WORDS: dict[type, tuple[str, str]] = {
    ast.SetDef: ("mængde", "mængden"),
    ast.PatternDef: ("mønster", "mønstret"),
    ast.TimelineDef: ("tidslinje", "tidslinjen"),
    ast.DateDef: ("dato", "datoen"),
}


# ───────────────────────────── walking the AST ─────────────────────────────
def walk(node: object) -> Iterator[Any]:
    """Every AST node in ``node`` (itself first), depth first, in field order.

    >>> [type(n).__name__ for n in walk(ast.BoolNot(operand=ast.BoolShorter(duration=ast.Duration(days=3))))]
    ['BoolNot', 'BoolShorter', 'Duration']
    """
    yield node
    for child in _children(node):
        yield from walk(child)


def _children(node: object) -> Iterator[object]:
    cls = type(node)
    if not attrs.has(cls):
        return
    for field in attrs.fields(cls):
        if field.name != "pos":
            yield from _nodes_in(getattr(node, field.name))


def _nodes_in(value: object) -> Iterator[object]:
    if isinstance(value, tuple):
        for item in value:
            yield from _nodes_in(item)
    elif attrs.has(type(value)) and not isinstance(value, SourcePos):
        yield value


def all_rules(ruleset: ast.Ruleset | None) -> Iterator[ast.Rule]:
    """The rules of a ruleset: its ruleset-level rules, then each version's, in source order."""
    if ruleset is None:
        return
    yield from ruleset.rules
    for version in ruleset.versions:
        yield from version.rules


# ───────────────────────────── context ─────────────────────────────
@attrs.define
class CheckContext:
    """What every ruleset pass reads, and the diagnostics it appends to.

    ``used`` collects the names of definitions referenced so far (for the unused-definition
    warnings of the last pass).
    """

    ruleset: ast.Ruleset
    vocab: Vocabulary
    base: ast.Ruleset | None
    imports: tuple[str, ...]
    source: str
    diagnostics: list[Diagnostic] = attrs.Factory(list)
    used: set[str] = attrs.Factory(set)
    features: dict[str, frozenset[str]] = attrs.Factory(dict)
    names: Names = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        self.names = Names(self.ruleset, self.base, self.vocab)

    def error(self, pos: SourcePos, message: str, hint: str | None = None) -> None:
        """Record an error at ``pos``."""
        self.diagnostics.append(Diagnostic(pos, message, hint, "error", self.source))

    def warning(self, pos: SourcePos, message: str, hint: str | None = None) -> None:
        """Record a warning at ``pos``."""
        self.diagnostics.append(Diagnostic(pos, message, hint, "warning", self.source))

    def at(self, pos: SourcePos, word: str) -> SourcePos:
        """``pos`` narrowed to ``word`` (see :func:`narrow`): nodes span whole clauses, but
        the caret should sit under the offending name only."""
        return narrow(pos, word, self.source)

    def has_course(self) -> bool:
        """Whether the ruleset (or its base) defines a forløb."""
        return self.ruleset.course is not None or (
            self.base is not None and self.base.course is not None
        )


def narrow(pos: SourcePos, word: str, source: str) -> SourcePos:
    """``pos`` narrowed to the first whole ``word`` in its span, at or after its column.

    >>> narrow(SourcePos("f", 1, 1), "samtle", "opfyldes af samtle")
    SourcePos(file='f', line=1, column=13, end_line=1, end_column=19)
    """
    lines = _lines(source)
    pattern = re.compile(rf"(?<!\w){re.escape(word)}(?!\w)")
    # a clause may span lines (a rule, a ruleset head): look through the node's whole span
    for line in range(max(pos.line, 1), min(max(pos.end_line, pos.line), len(lines)) + 1):
        text = lines[line - 1]
        start = max(pos.column - 1, 0) if line == pos.line else 0
        for found in pattern.finditer(text, start):
            # a title may hold the same word; the name is the one outside quotes
            if text[: found.start()].count('"') % 2 == 0:
                return SourcePos(pos.file, line, found.start() + 1, line, found.end() + 1)
    return pos


@functools.lru_cache(maxsize=8)
def _lines(source: str) -> tuple[str, ...]:
    # carets are placed for every rule and expectation: split each file once, not per message
    return tuple(source_lines(source))


def _suggest(word: str, candidates: Iterable[str], fallback: str | None = None) -> str | None:
    match = did_you_mean(word, candidates)
    return f"mente du '{match}'?" if match else fallback


def _listing(values: Iterable[str]) -> str:
    return ", ".join(values)
