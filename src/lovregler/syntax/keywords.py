"""The keyword table of the rule language, read from the grammar itself.

Every keyword of ``grammar/lovregler.lark`` has a Danish and an English spelling, written as
alternatives of one rule (``_due: "frist" | "due"``, ``_met_by: _MET_BY_0 | _MET_BY_1``,
``days: "dag" | "dage" | "day" | "days"``). This module turns the compiled grammar into a
table from terminal name to the words an author writes, per language, so that error messages,
the formatter, the language server and the highlighters all speak of ``»opfyldes af«`` and
never of ``_MET_BY_0`` — and a clause added to the grammar is known to all of them at once.

The language of an alternative follows the grammar's convention: in a group of alternatives
the first half are Danish and the rest English (one alternative: both); a terminal named
``…_0`` is Danish and ``…_1`` English; a regular expression with ``|`` lists Danish first.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

import attrs

DANISH = "da"
ENGLISH = "en"

# Terminals that are not keywords, with the Danish words an author knows for them.
TERMINAL_WORDS: dict[str, str] = {
    "NAME": "et navn",
    "STRING": 'en tekst i anførselstegn ("…")',
    "DATE": "en dato (ÅÅÅÅ-MM-DD)",
    "INT": "et tal",
    "COMPARE": "en sammenligning (=, <, >, …)",
    "PLUS": "»+«",
    "MINUS": "»-«",
    "$END": "slutningen af filen",
}


@attrs.frozen
class Keyword:
    """One keyword terminal: its spellings per language."""

    terminal: str
    danish: tuple[str, ...]
    english: tuple[str, ...]

    def words(self, language: str | None = None) -> tuple[str, ...]:
        """The spellings in ``language`` (both languages when None)."""
        if language == DANISH:
            return self.danish
        if language == ENGLISH:
            return self.english
        return (*self.danish, *self.english)


def regex_words(pattern: str) -> list[str]:
    r"""The words a keyword regular expression matches, one per ``|`` alternative.

    >>> regex_words(r"opfyldes\s+af\b")
    ['opfyldes af']
    >>> regex_words(r"(?:regnet\s+efter\b|counted\s+after\b)")
    ['regnet efter', 'counted after']
    >>> regex_words(r"after\s+each\s+fulfil(l)?ment\b"), regex_words(r"pr\.\s*")
    (['after each fulfilment'], ['pr.'])
    >>> regex_words(r"\(\s*omskrevet\s*\)")
    ['(omskrevet)']
    """
    text = pattern
    if text.startswith("(?:") and text.endswith(")"):
        text = text[3:-1]
    words = []
    for alternative in text.split("|"):
        word = alternative.replace(r"\b", "")
        word = re.sub(r"\(\w\)\?", "", word)  # an optional letter: fulfil(l)?ment
        word = re.sub(r"\\s[+*]", " ", word)
        word = re.sub(r"\\([.()])\?", r"\1", word)
        word = re.sub(r"\\([.()])", r"\1", word)
        word = re.sub(r"\s*([()])\s*", r"\1", word).strip()
        words.append(re.sub(r"\s+", " ", word))
    return words


def _is_word(text: str) -> bool:
    return any(ch.isalpha() for ch in text)


@functools.cache
def keyword_table() -> dict[str, Keyword]:
    """Every keyword terminal of the grammar, by terminal name."""
    from .lark_parser import parser

    lark = parser()
    spelled: dict[str, list[str]] = {}
    for term in lark.terminals:
        if term.name in TERMINAL_WORDS or term.name in ("COMMENT", "WS"):
            continue
        value = term.pattern.value
        words = [value] if term.pattern.type == "str" else regex_words(value)
        if len(words) > 1:  # Lark reorders an alternation; the grammar's order says the language
            words = _written_alternatives(term.name) or words
        if all(_is_word(w) for w in words):
            spelled[term.name] = words
    languages = _languages(lark.rules, spelled)
    table = {}
    for name, words in spelled.items():
        danish: tuple[str, ...]
        english: tuple[str, ...]
        if len(words) > 1:  # a regex alternation: Danish first
            danish, english = (words[0],), tuple(words[1:])
        else:
            lang = languages.get(name) or _suffix_language(name)
            danish = tuple(words) if lang in (DANISH, None) else ()
            english = tuple(words) if lang in (ENGLISH, None) else ()
        table[name] = Keyword(name, danish, english)
    return table


def _written_alternatives(terminal: str) -> list[str]:
    """The words of a terminal's ``/…/ | /…/`` alternatives in the order the grammar writes them."""
    from .lark_parser import grammar_text

    line = re.search(rf"^{re.escape(terminal)}(?:\.\d+)?:(.*)$", grammar_text(), re.MULTILINE)
    if line is None:
        return []
    return [w for rx in re.findall(r"/((?:[^/\\]|\\.)+)/", line.group(1)) for w in regex_words(rx)]


def _suffix_language(name: str) -> str | None:
    if name.endswith("_0") or name.endswith("_DA"):
        return DANISH
    if name.endswith("_1"):
        return ENGLISH
    return None


def _languages(rules: Iterable[object], spelled: dict[str, list[str]]) -> dict[str, str]:
    """The language of each keyword terminal, from its place among a rule's alternatives."""
    groups: dict[tuple[str, object], list[str]] = {}
    for rule in rules:
        expansion = rule.expansion  # type: ignore[attr-defined]
        if len(expansion) == 1 and expansion[0].is_term and expansion[0].name in spelled:
            key = (rule.origin.name, rule.alias)  # type: ignore[attr-defined]
            groups.setdefault(key, []).append(expansion[0].name)
    found: dict[str, str] = {}
    for names in groups.values():
        if len(names) < 2:
            continue
        half = len(names) // 2
        for index, name in enumerate(names):
            lang = _suffix_language(name) or (DANISH if index < half else ENGLISH)
            found.setdefault(name, lang)
    return found


def keyword_words(language: str | None = None) -> list[str]:
    """Every keyword spelling of a language (both when None), longest first, no repeats."""
    words = {w for kw in keyword_table().values() for w in kw.words(language)}
    return sorted(words, key=lambda w: (-len(w), w))


def describe_terminal(name: str, language: str = DANISH) -> str | None:
    """How to tell an author about a terminal: »frist«, »opfyldes af«, et navn …; None for a
    keyword of the other language only.

    >>> describe_terminal("_MET_BY_0"), describe_terminal("_MET_BY_1"), describe_terminal("NAME")
    ('»opfyldes af«', None, 'et navn')
    """
    if name in TERMINAL_WORDS:
        return TERMINAL_WORDS[name]
    keyword = keyword_table().get(name)
    if keyword is not None:
        words = keyword.words(language)
        return f"»{words[0]}«" if words else None
    from .lark_parser import parser

    term = next((t for t in parser().terminals if t.name == name), None)
    if term is not None and term.pattern.type == "str":
        return f"»{term.pattern.value}«"
    return None


_WORD = re.compile(r'"""(?:.|\n)*?"""|"(?:[^"\\\n]|\\.)*"|#[^\n]*|[^\W\d]\w*')


def file_language(source: str) -> str:
    """The language a rule file is written in: the one most of its keywords belong to
    (Danish when in doubt).

    >>> file_language('ruleset a "A" obligation p "P" due 1 week after course start')
    'en'
    >>> file_language('ordning a "A" pligt p "P"')
    'da'
    """
    danish = {w.split()[0] for w in keyword_words(DANISH)}
    english = {w.split()[0] for w in keyword_words(ENGLISH)}
    score = 0
    for match in _WORD.finditer(source):
        word = match.group()
        if word in danish and word not in english:
            score += 1
        elif word in english and word not in danish:
            score -= 1
    return ENGLISH if score < 0 else DANISH


def keyword_pairs() -> list[tuple[str, str]]:
    """(Danish, English) for every keyword of the grammar, as its rules pair them, sorted by
    the Danish words: what the language reference's table of keywords shows.

    >>> ("forløbets start", "course start") in keyword_pairs()
    True
    >>> ("hændelse", "event") in keyword_pairs()
    True
    """
    from .lark_parser import parser

    table = keyword_table()
    groups: dict[tuple[str, object], list[str]] = {}
    for rule in parser().rules:
        expansion = rule.expansion
        if len(expansion) == 1 and expansion[0].is_term and expansion[0].name in table:
            groups.setdefault((rule.origin.name, rule.alias), []).append(expansion[0].name)
    rows: set[tuple[str, str]] = set()
    paired: set[str] = set()
    for names in groups.values():
        danish = [w for n in names for w in table[n].danish]
        english = [w for n in names for w in table[n].english]
        if danish and english:
            paired.update(names)
            rows.add((", ".join(dict.fromkeys(danish)), ", ".join(dict.fromkeys(english))))
    for name, keyword in table.items():  # one terminal spelled both ways (a regex alternation)
        if name not in paired and keyword.danish and keyword.english:
            rows.add((", ".join(keyword.danish), ", ".join(keyword.english)))
    return sorted(rows, key=lambda row: row[0].casefold())
