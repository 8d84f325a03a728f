"""What an editor needs to know about a rule file, without any editor protocol.

:func:`analyse` reads the text of an open file (not yet saved) with the parser and the checker,
against the vocabulary and base ruleset found beside it on disk, exactly as ``lovregler
check`` would. The other functions answer the questions of a language server from that
:class:`Document`: what is at a position (:func:`hover`), what may be written there
(:func:`complete`), where a name is declared (:func:`definition`) and what the file contains
(:func:`symbols`). :mod:`lovregler.lsp` speaks the protocol around them.

Names are resolved by :class:`~lovregler.semantics.Names` (:attr:`Document.names`), the one
resolver the checker, the evaluators and the prose use, so the editor and the checker never
disagree about what a name means.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import attrs
from lark.exceptions import UnexpectedInput

from .api import available_rule_files, find_rule_file, load_vocabulary, parse_cached
from .check import all_rules, check_module, check_ruleset_names
from .errors import Diagnostic, LovreglerError, RuleSyntaxError, SourcePos
from .prose import ProseContext, describe_rule
from .semantics.resolve import Names
from .semantics.vocabulary import Vocabulary
from .syntax import ast
from .syntax.keywords import DANISH, ENGLISH, file_language, keyword_table
from .syntax.lark_parser import parser
from .syntax.parse import parse_text

_WORD = re.compile(r"[^\W\d]\w*")
_STATUSES = {
    DANISH: ("opfyldt", "opfyldt for sent", "overskredet", "afventer", "suspenderet"),
    ENGLISH: ("fulfilled", "fulfilled_late", "overdue", "pending", "suspended"),
}
# keywords after which a pattern (an event type or a »mønster«) is written
_PATTERN_KEYWORDS = (
    "opfyldes af",
    "met by",
    "hver",
    "each",
    "første",
    "first",
    "seneste",
    "latest",
    "nulstillet af",
    "reset by",
    "dagen før næste",
    "the day before next",
    "findes",
    "exists",
    "mindst",
    "at least",
    "slutter ved",
    "ends at",
)
_SET_KEYWORDS = ("i", "in", "ikke i", "not in")


@attrs.frozen
class Document:
    """An open rule file, read and checked."""

    source: str
    file: str
    module: ast.Module | None
    diagnostics: tuple[Diagnostic, ...]
    vocabulary: Vocabulary | None = None
    vocabulary_node: ast.VocabularyNode | None = None
    bases: tuple[ast.Ruleset, ...] = ()
    language: str = DANISH
    last_good: ast.Module | None = None

    @property
    def known(self) -> ast.Module | None:
        """The file as last parsed: while the author is typing, the text often does not
        parse; names are then completed and explained from the last version that did."""
        return self.module or self.last_good

    @property
    def ruleset(self) -> ast.Ruleset | None:
        """The (first) ruleset of the file."""
        known = self.known
        return known.rulesets[0] if known and known.rulesets else None

    @property
    def base(self) -> ast.Ruleset | None:
        """The ruleset the file's ruleset extends, if found."""
        rs = self.ruleset
        return next((b for b in self.bases if rs is not None and b.name == rs.extends), None)

    @property
    def names(self) -> Names:
        """The names of the file's ruleset (over its base) and vocabulary, resolved."""
        return Names(self.ruleset, self.base, self.vocabulary)


# ───────────────────────────── analysis ─────────────────────────────
def analyse(source: str, path: Path | None = None, previous: Document | None = None) -> Document:
    """Parse and check the text of a rule file (at ``path``, which need not be saved);
    ``previous`` is the last analysis of the same file (see :attr:`Document.known`)."""
    file = str(path) if path is not None else "<tekst>"
    near = path.parent if path is not None else None
    language = file_language(source)
    vocabulary, vocabulary_node = _vocabulary(near)
    try:
        module = parse_text(source, file)
    except RuleSyntaxError as err:
        last_good = previous.known if previous is not None else None
        return Document(
            source,
            file,
            None,
            tuple(err.diagnostics),
            vocabulary,
            vocabulary_node,
            previous.bases if previous is not None else (),
            language,
            last_good,
        )
    bases: list[ast.Ruleset] = []

    def find_base(name: str) -> ast.Ruleset | None:
        base = _ruleset_named(name, near)
        if base is not None:
            bases.append(base)
        return base

    own = None if module.vocabularies else vocabulary
    found = check_module(module, own, find_base, available_rule_files(near))
    if own is None and module.rulesets and not module.vocabularies:
        found.append(
            Diagnostic(
                SourcePos(file, 1, 1),
                "ordforrådet kan ikke indlæses, så reglerne er ikke tjekket",
                "kør »lovregler check« på ordforråd.lov, og ret fejlene dér",
                "warning",
                source,
            )
        )
    found += [d for d in check_ruleset_names([*_neighbours(path), module]) if d.pos.file == file]
    return Document(
        source,
        file,
        module,
        tuple(found),
        vocabulary,
        vocabulary_node,
        tuple(bases),
        language,
    )


def _vocabulary(near: Path | None) -> tuple[Vocabulary | None, ast.VocabularyNode | None]:
    try:
        vocabulary = load_vocabulary(near)
        module = parse_cached(find_rule_file(vocabulary.name, near))
    except (LovreglerError, OSError):  # the file's own diagnostics say what is wrong
        return None, None
    return vocabulary, module.vocabularies[0] if module.vocabularies else None


def _ruleset_named(name: str, near: Path | None) -> ast.Ruleset | None:
    try:
        module = parse_cached(find_rule_file(name, near))
    except (LovreglerError, OSError):
        return None
    return module.rulesets[0] if module.rulesets else None


def _neighbours(path: Path | None) -> list[ast.Module]:
    """The other rule files beside ``path`` (for an »ordning« defined twice)."""
    if path is None:
        return []
    found = []
    for other in sorted(path.parent.glob("*.lov")):
        if other.resolve() != path.resolve():
            try:
                found.append(parse_cached(other))
            except (LovreglerError, OSError):
                continue
    return found


# ───────────────────────────── positions ─────────────────────────────
def offset_of(source: str, line: int, column: int) -> int:
    """The offset of a 0-based line and column."""
    lines = source.split("\n")
    line = min(max(line, 0), len(lines) - 1)
    return sum(len(text) + 1 for text in lines[:line]) + min(max(column, 0), len(lines[line]))


def word_at(source: str, line: int, column: int) -> tuple[str, int, int] | None:
    """The name under a 0-based position: (word, start offset, end offset)."""
    offset = offset_of(source, line, column)
    for match in _WORD.finditer(source, max(0, source.rfind("\n", 0, offset) + 1)):
        if match.start() > offset:
            break
        if match.start() <= offset <= match.end():
            return match.group(), match.start(), match.end()
    return None


def _contains(pos: SourcePos, line: int) -> bool:
    """Whether the 1-based ``line`` lies in the node's span."""
    return pos.line <= line <= max(pos.end_line, pos.line)


# ───────────────────────────── hover ─────────────────────────────
def hover(doc: Document, line: int, column: int) -> str | None:
    """Markdown about the name at a 0-based position: a rule's Danish sentence, citation and
    law text; the declaration of an event type, attribute, value, fact, period, pattern or set."""
    found = word_at(doc.source, line, column)
    if found is None or doc.known is None:
        return None
    word = found[0]
    rule = _rule_named(doc, word, line + 1)
    if rule is not None:
        return _rule_hover(doc, rule)
    definition = _definition_named(doc, word)
    if definition is not None:
        return _code(_source_of(definition.pos, doc))
    declaration = _declaration(doc, word, _line_before(doc.source, line, column))
    return _code(declaration) if declaration else None


def _rule_named(doc: Document, name: str, line: int) -> ast.Rule | None:
    rules = [r for r in all_rules(doc.ruleset) if r.id == name]
    here = [r for r in rules if _contains(r.pos, line)]
    base = [r for r in all_rules(doc.base) if r.id == name]
    return next(iter(here + rules + base), None)


def _rule_hover(doc: Document, rule: ast.Rule) -> str:
    context = ProseContext.for_ruleset(doc.ruleset, base=doc.base, vocabulary=doc.vocabulary_node)
    words = {"obligation": "pligt", "right": "ret", "value": "værdi"}
    parts = [f"**{words[rule.kind]} {rule.id}** — {rule.title}", describe_rule(rule, context)]
    if rule.docs.citation:
        parts.append(f"*Hjemmel:* {rule.docs.citation}")
    for text in rule.docs.interpretations:
        parts.append(f"*Fortolkning:* {text}")
    for excerpt in rule.docs.excerpts:
        mark = " *(omskrevet)*" if excerpt.paraphrase else ""
        source = f" — kilde: {excerpt.source.address}" if excerpt.source else ""
        parts.append(f"> {excerpt.text}{mark}{source}")
    return "\n\n".join(parts)


def _definition_named(doc: Document, name: str) -> ast.Definition | None:
    if doc.ruleset is None:
        return None
    names = doc.names
    return (
        names.definition(name, ast.PatternDef)
        or names.definition(name, ast.SetDef)
        or names.definition(name, ast.TimelineDef)
        or names.definition(name, ast.DateDef)
    )


def _source_of(pos: SourcePos, doc: Document) -> str:
    """The text of a node's lines, from this file, its base's or the vocabulary's."""
    text = doc.source if pos.file == doc.file else _file_text(pos.file)
    lines = text.split("\n")  # lines as the parser counts them (only a newline ends one)
    return "\n".join(lines[pos.line - 1 : max(pos.end_line, pos.line)]).strip()


def _file_text(file: str) -> str:
    try:
        return parse_cached(Path(file)).source
    except (LovreglerError, OSError):
        return ""


def _code(text: str) -> str:
    return f"```lovregler\n{text}\n```"


def _line_before(source: str, line: int, column: int) -> str:
    offset = offset_of(source, line, column)
    return source[source.rfind("\n", 0, offset) + 1 : offset]


def _declaration(doc: Document, word: str, before: str) -> str | None:
    """The vocabulary's declaration of an event type, fact, period, attribute or value."""
    node = doc.vocabulary_node
    if node is None:
        return None
    attributes = _attributes_named(doc, word, before)
    in_event = [(e, a) for e, a in attributes if e.name == _event_before(doc, before)]
    if in_event:  # an attribute of the event being written, though a period has its name
        return "\n".join(f"{e.name} {{ {_source_of(a.pos, doc)} }}" for e, a in in_event)
    for decl in _vocabulary_declarations(node):
        if decl.name == word:
            return _source_of(decl.pos, doc)
    if attributes:
        return "\n".join(
            f"{event.name} {{ {_source_of(attr.pos, doc)} }}" for event, attr in attributes
        )
    enums = [e for e in node.enums if word in e.values]
    return "\n".join(_source_of(e.pos, doc) for e in enums) or None


def _attributes_named(
    doc: Document, name: str, before: str
) -> list[tuple[ast.EventDeclNode, ast.AttrDeclNode]]:
    """The attributes called ``name``: of the event written before it on the line when there
    is one, else of every event that has one."""
    node = doc.vocabulary_node
    if node is None:
        return []
    pairs = [(e, a) for e in node.events for a in e.attrs if a.name == name]
    event = _event_before(doc, before)
    return [(e, a) for e, a in pairs if e.name == event] or pairs


def _event_before(doc: Document, before: str) -> str | None:
    """The event type whose condition ``{…`` is open at the end of ``before``, or the event
    of an example line (``2015-03-02 samtale form=…``)."""
    brace = re.search(r"(?:([^\W\d]\w*)\s+)?([^\W\d]\w*)\{[^{}]*$", before)
    if brace and doc.ruleset is not None and doc.vocabulary is not None:
        # »tilbud_start{…«: a pattern; »ydelse kontanthjælp{…«: a period and its key
        return _event_of(doc, brace.group(2)) or (
            _event_of(doc, brace.group(1)) if brace.group(1) else None
        )
    example = re.match(r"\s*\d{4}-\d{2}-\d{2}\s+([^\W\d]\w*)\s", before)
    return example.group(1) if example else None


def _event_of(doc: Document, name: str) -> str | None:
    """The event type a pattern name, or a period's name, stands for (the checker's way)."""
    names = doc.names
    timeline = names.timeline(name)
    if timeline.period is not None:
        return timeline.period.start
    event = names.pattern(name).event
    return event if names.event(event) is not None else None


# ───────────────────────────── completion ─────────────────────────────
@attrs.frozen
class Completion:
    """One thing that may be written at a position."""

    label: str
    kind: str  # keyword | event | pattern | set | attribute | value | rule | status
    detail: str = ""


def complete(doc: Document, line: int, column: int) -> list[Completion]:
    """What may be written at a 0-based position: names that fit the place, else the
    keywords the grammar accepts there, in the file's language."""
    before = _line_before(doc.source, line, column)
    typed = re.search(r"[^\W\d]\w*$", before)
    before = before[: typed.start()] if typed else before
    names = _names_for(doc, before, line)
    if names is not None:
        return names
    start = offset_of(doc.source, line, column) - (len(typed.group()) if typed else 0)
    return _keywords(doc, doc.source[:start])


def _names_for(doc: Document, before: str, line: int) -> list[Completion] | None:
    """Names that fit after ``before`` (the line up to the word being typed), or None."""
    stripped = before.rstrip()
    if doc.vocabulary is None:
        return None
    brace = _in_braces(doc, before)
    if brace is not None:
        return brace
    if re.fullmatch(r"\s*\d{4}-\d{2}-\d{2}", stripped):
        return _events(doc)
    example = re.match(r"\s*\d{4}-\d{2}-\d{2}\s+([^\W\d]\w*)\s(.*)$", before)
    if example:
        return _attribute_values(doc, example.group(1), example.group(2))
    if _in_expectation(doc, line) and stripped.split()[:1] in ([], ["ingen"], ["none"]):
        return _rules(doc) if len(stripped.split()) <= 1 else None
    if _in_expectation(doc, line) and len(stripped.split()) == 1:
        return [Completion(s, "status") for s in _STATUSES[doc.language]]
    if any(stripped.endswith(" " + k) or stripped == k for k in _PATTERN_KEYWORDS):
        return _events(doc) + _definitions(doc, ast.PatternDef, "pattern")
    if any(stripped.endswith(" " + k) for k in _SET_KEYWORDS):
        return _definitions(doc, ast.SetDef, "set")
    return None


def _in_braces(doc: Document, before: str) -> list[Completion] | None:
    if "{" not in before or before.rfind("{") < before.rfind("}"):
        return None
    event = _event_before(doc, before)
    if event is None or doc.vocabulary is None or event not in doc.vocabulary.events:
        return None
    inside = before[before.rfind("{") + 1 :]
    return _attribute_values(doc, event, inside, separator=r"\s*(?:=|!=|i|in)\s*")


def _attribute_values(
    doc: Document, event: str, text: str, separator: str = r"="
) -> list[Completion]:
    """After ``attr=`` the attribute's values; otherwise the event's attributes."""
    assert doc.vocabulary is not None
    declared = doc.vocabulary.events.get(event)
    if declared is None:
        return []
    value = re.search(rf"([^\W\d]\w*){separator}\{{?[^=]*$", text)
    if value and value.group(1) in declared.attrs:
        attr = declared.attrs[value.group(1)]
        return [Completion(v, "value", attr.type.describe()) for v in _values(doc, attr.type)]
    return [
        Completion(name, "attribute", attr.type.describe()) for name, attr in declared.attrs.items()
    ]


def _values(doc: Document, attr_type: object) -> list[str]:
    assert doc.vocabulary is not None
    kind = getattr(attr_type, "kind", None)
    if kind == "enum":
        return list(doc.vocabulary.enums.get(getattr(attr_type, "enum", ""), ()))
    if kind == "bool":
        return ["sand", "falsk"] if doc.language == DANISH else ["true", "false"]
    return []


def _events(doc: Document) -> list[Completion]:
    assert doc.vocabulary is not None
    return [Completion(e.name, "event", e.title) for e in doc.vocabulary.events.values()]


def _definitions(doc: Document, kind: type, label: str) -> list[Completion]:
    found = []
    for owner in (doc.ruleset, doc.base):
        for definition in owner.definitions if owner else ():
            if isinstance(definition, kind):
                found.append(Completion(definition.name, label, _source_of(definition.pos, doc)))
    return found


def _rules(doc: Document) -> list[Completion]:
    rules = {r.id: r for r in (*all_rules(doc.base), *all_rules(doc.ruleset))}
    return [Completion(r.id, "rule", r.title) for r in rules.values()]


def _in_expectation(doc: Document, line: int) -> bool:
    """Whether the 0-based ``line`` lies under a ``pr. DATO forventes`` line of an example."""
    lines = doc.source.split("\n")[: line + 1]
    indent = len(lines[-1]) - len(lines[-1].lstrip())
    for text in reversed(lines[:-1]):
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        if re.match(r"\s*(pr\.|as\s+of)\s", text):
            return len(text) - len(text.lstrip()) < indent
        if len(text) - len(text.lstrip()) < indent:
            return False
    return False


def _keywords(doc: Document, prefix: str) -> list[Completion]:
    """The keywords the grammar accepts after ``prefix``, in the file's language."""
    accepted = _accepted_after(prefix)
    table = keyword_table()
    found: dict[str, Completion] = {}
    for terminal, keyword in table.items():
        if accepted is not None and terminal not in accepted:
            continue
        for word in keyword.words(doc.language):
            found.setdefault(word, Completion(word, "keyword"))
    return sorted(found.values(), key=lambda c: c.label)


def _accepted_after(prefix: str) -> set[str] | None:
    """The terminals the parser accepts after ``prefix`` (None if the prefix does not parse)."""
    try:
        interactive = parser().parse_interactive(prefix)
        interactive.exhaust_lexer()
        return set(interactive.accepts())
    except (UnexpectedInput, LovreglerError):
        return None


# ───────────────────────────── definition ─────────────────────────────
def definition(doc: Document, line: int, column: int) -> SourcePos | None:
    """Where the name at a 0-based position is declared: a pattern, set, timeline or date
    definition; an event type, attribute, fact, period or enum of the vocabulary; the base
    ruleset's rule for a rule that ``erstatter`` it, or the rule an expectation names."""
    found = word_at(doc.source, line, column)
    if found is None or doc.known is None:
        return None
    word = found[0]
    own = [r for r in all_rules(doc.ruleset) if r.id == word]
    if any(_contains(r.pos, line + 1) and r.overrides for r in own) or not own:
        base = [r for r in all_rules(doc.base) if r.id == word]
        if base:
            return base[0].pos
    if own and not any(_contains(r.pos, line + 1) for r in own):
        return own[0].pos
    defined = _definition_named(doc, word)
    if defined is not None:
        return defined.pos
    return _declared(doc, word, _line_before(doc.source, line, column))


def _declared(doc: Document, word: str, before: str) -> SourcePos | None:
    node = doc.vocabulary_node
    if node is None:
        return None
    attributes = _attributes_named(doc, word, before)
    if attributes and attributes[0][0].name == _event_before(doc, before):
        return attributes[0][1].pos
    for decl in _vocabulary_declarations(node):
        if decl.name == word:
            return decl.pos
    return attributes[0][1].pos if attributes else None


# ───────────────────────────── symbols ─────────────────────────────
@attrs.frozen
class Symbol:
    """An outline entry: a ruleset, version, rule, definition or example."""

    name: str
    kind: str  # ruleset | vocabulary | version | rule | definition | example | course
    detail: str
    pos: SourcePos
    children: tuple[Symbol, ...] = ()


def symbols(doc: Document) -> list[Symbol]:
    """The outline of the file (as last parsed)."""
    known = doc.known
    if known is None:
        return []
    found = [
        Symbol(v.name, "vocabulary", v.title, v.pos, tuple(_vocabulary_symbols(v)))
        for v in known.vocabularies
    ]
    for rs in known.rulesets:
        children = [*_definition_symbols(rs), *map(_rule_symbol, rs.rules)]
        children += [
            Symbol(v.name, "version", v.title or "", v.pos, tuple(map(_rule_symbol, v.rules)))
            for v in rs.versions
        ]
        children += [Symbol(e.title, "example", "eksempel", e.pos) for e in rs.examples]
        found.append(Symbol(rs.name, "ruleset", rs.title, rs.pos, tuple(children)))
    return found


def _rule_symbol(rule: ast.Rule) -> Symbol:
    return Symbol(rule.id, "rule", rule.title, rule.pos)


def _definition_symbols(rs: ast.Ruleset) -> Iterator[Symbol]:
    for definition in rs.definitions:
        yield Symbol(definition.name, "definition", type(definition).__name__, definition.pos)
    if rs.course is not None:
        yield Symbol("forløb", "course", rs.course.title or "", rs.course.pos)


Declaration = (
    ast.EventDeclNode
    | ast.FactDeclNode
    | ast.PeriodDeclNode
    | ast.LastingPeriodDeclNode
    | ast.EnumDeclNode
)


def _vocabulary_declarations(node: ast.VocabularyNode) -> list[Declaration]:
    # a lasting period is not a name a rule can use (``ressourceforløb`` there is the value)
    return [*node.events, *node.facts, *node.periods, *node.enums]


def _vocabulary_symbols(node: ast.VocabularyNode) -> Iterator[Symbol]:
    for decl in [*_vocabulary_declarations(node), *node.lasting_periods]:
        yield Symbol(decl.name, "definition", type(decl).__name__, decl.pos)
