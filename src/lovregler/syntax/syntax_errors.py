"""Syntax errors that say what to do.

When Lark cannot read a rule file, :func:`syntax_diagnostic` turns its exception into one
:class:`~lovregler.errors.Diagnostic` in the author's words, trying in turn:

1. typographic quotes (``»…«``, ``“…”``) where a text should stand;
2. a text without its closing quote;
3. a hyphen in a name (``mentor-forløb``);
4. a misspelled keyword: the words at and just before the error are compared (by edit
   distance) with the keywords of the file's language, and a candidate is suggested only if
   the file, with it in place, parses past the error — so the suggestion is valid *there*;
5. a known mistake from the table of examples in :mod:`lovregler.syntax.parse`;
6. otherwise a list of what may come next, in keywords of the file's language and Danish
   words (»frist«, et navn, en dato), never the grammar's internal token names.

Each did-you-mean carries a :class:`~lovregler.errors.Fix` the language server offers as a
quick fix.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from ..errors import Diagnostic, Fix, SourcePos
from .keywords import DANISH, describe_terminal, file_language, keyword_table

TYPOGRAPHIC_QUOTES = {"»": "«", "«": "»", "“": "”", "”": "”", "„": "“", "‘": "’", "’": "’"}

# Words rule authors reach for that the language spells otherwise (checked like any candidate:
# a replacement is only suggested where the file then parses).
SYNONYMS = {
    "er": "=",
    "is": "=",
    "lig": "=",
    "begyndelse": "start",
    "begynd": "start",
    "slutning": "slut",
    "afslutning": "slut",
    "ophør": "slut",
    "ved": "af",
    "en": "1",
    "et": "1",
    "én": "1",
    "ét": "1",
    "tre": "3",
    "fire": "4",
    "seks": "6",
}

_TOKENS = re.compile(r'"""(?:.|\n)*?"""|"(?:[^"\\\n]|\\.)*"|#[^\n]*|[^\W\d]\w*')
_MAX_REPARSES = 24


def error_offset(err: UnexpectedInput, source: str) -> int:
    """Where in ``source`` the parser stopped."""
    if isinstance(err, UnexpectedEOF):
        return len(source)
    if isinstance(err, UnexpectedToken):
        if err.token.type == "$END":
            return len(source)
        start = getattr(err.token, "start_pos", None)
        if start is not None:
            return int(start)
    return int(getattr(err, "pos_in_stream", None) or 0)


def position(file: str, source: str, start: int, end: int | None = None) -> SourcePos:
    """The :class:`SourcePos` of a character range of ``source`` (1-based line and column)."""
    end = start if end is None else end

    def line_col(offset: int) -> tuple[int, int]:
        line = source.count("\n", 0, offset) + 1
        return line, offset - (source.rfind("\n", 0, offset) + 1) + 1

    line, column = line_col(start)
    end_line, end_column = line_col(end)
    return SourcePos(file, line, column, end_line, end_column)


def syntax_diagnostic(
    err: UnexpectedInput,
    file: str,
    source: str,
    parse: Callable[[str], object],
    match_label: Callable[[UnexpectedInput], str | None],
    label_hints: dict[str, str],
) -> Diagnostic:
    """The friendliest true message for a syntax error (see the module docstring)."""
    offset = error_offset(err, source)
    for explain in (_typographic_quote, _unterminated_string, _hyphen_in_name):
        found = explain(err, file, source, offset)
        if found is not None:
            return found
    for explain_with_parse in (_date_format, _word_twice, _word_order):
        found = explain_with_parse(file, source, offset, parse)
        if found is not None:
            return found
    language = file_language(source)
    found = _did_you_mean(file, source, offset, language, parse)
    if found is not None:
        return found
    pos = _error_pos(err, file, source, offset)
    message = _unexpected(err, source, offset)
    label = match_label(err)
    if label:
        return Diagnostic(pos, f"{label} ({message})", label_hints.get(label), source=source)
    return Diagnostic(pos, message, _what_may_come(err, language), source=source)


def _error_pos(err: UnexpectedInput, file: str, source: str, offset: int) -> SourcePos:
    if isinstance(err, UnexpectedEOF) or offset >= len(source):
        lines = source.removesuffix("\n").split("\n")
        return SourcePos(file, len(lines), len(lines[-1]) + 1)
    end = offset + 1
    if isinstance(err, UnexpectedToken):
        end = offset + max(1, len(str(err.token)))
        end = min(end, source.find("\n", offset) if "\n" in source[offset:] else len(source))
    return position(file, source, offset, max(end, offset + 1))


def _unexpected(err: UnexpectedInput, source: str, offset: int) -> str:
    if isinstance(err, UnexpectedCharacters):
        return f"uventet tegn {source[offset]!r}" if offset < len(source) else "uventet tegn"
    if isinstance(err, UnexpectedToken) and err.token.type != "$END":
        return f"uventet {str(err.token)!r}"
    return "filen slutter for tidligt"


def _accepted(err: UnexpectedInput) -> set[str]:
    if isinstance(err, UnexpectedToken):
        try:
            return set(err.accepts)
        except Exception:  # accepts replays the parser; fall back to the table's lookahead
            return set(err.expected)
    return set(getattr(err, "allowed", None) or getattr(err, "expected", None) or ())


def what_may_come(terminals: set[str], language: str = DANISH, limit: int = 12) -> list[str]:
    """The terminals as words an author knows, keywords of ``language`` only, sorted.

    >>> what_may_come({"_MET_BY_0", "_MET_BY_1", "FRIST", "DUE", "NAME"})
    ['et navn', '»frist«', '»opfyldes af«']
    """
    words = {describe_terminal(t, language) for t in terminals}
    ordered = sorted((w for w in words if w), key=lambda w: (w.startswith("»"), w.lower()))
    return ordered[:limit] + ([f"og {len(ordered) - limit} flere"] if len(ordered) > limit else [])


def _what_may_come(err: UnexpectedInput, language: str) -> str | None:
    words = what_may_come(_accepted(err), language)
    return f"her kan stå: {', '.join(words)}" if words else None


# ───────────────────────────── texts and names ─────────────────────────────
def _typographic_quote(
    err: UnexpectedInput, file: str, source: str, offset: int
) -> Diagnostic | None:
    char = source[offset] if offset < len(source) else ""
    if char not in TYPOGRAPHIC_QUOTES:
        return None
    line_end = source.find("\n", offset)
    line_end = len(source) if line_end < 0 else line_end
    close = source.find(TYPOGRAPHIC_QUOTES[char], offset + 1, line_end)
    if close < 0:
        close = next(
            (i for i in range(offset + 1, line_end) if source[i] in TYPOGRAPHIC_QUOTES), -1
        )
    if close < 0:
        fix = Fix(position(file, source, offset, offset + 1), '"', 'brug "')
        hint = 'en tekst står i lige anførselstegn: "…"'
    else:
        inner = source[offset + 1 : close]
        fix = Fix(position(file, source, offset, close + 1), f'"{inner}"', f'skriv "{inner}"')
        hint = f'skriv teksten i lige anførselstegn: "{inner}"'
    message = f"typografiske anførselstegn ({char}) kan ikke omgive en tekst"
    return Diagnostic(fix.pos, message, hint, source=source, fixes=(fix,))


def _unterminated_string(
    err: UnexpectedInput, file: str, source: str, offset: int
) -> Diagnostic | None:
    if not isinstance(err, UnexpectedCharacters) or source[offset : offset + 1] != '"':
        return None
    line_end = source.find("\n", offset)
    line_end = len(source) if line_end < 0 else line_end
    text = source[offset:line_end].rstrip()
    triple = text.startswith('"""')
    fix = None
    if not triple:
        end = offset + len(text)
        fix = Fix(position(file, source, end, end), '"', 'afslut teksten med "')
    pos = position(file, source, offset, offset + len(text))
    hint = (
        'afslut teksten med """'
        if triple
        else 'afslut teksten med " på samme linje (en tekst over flere linjer skrives """…""")'
    )
    return Diagnostic(
        pos,
        "teksten, der begynder her, mangler sit afsluttende anførselstegn",
        hint,
        source=source,
        fixes=(fix,) if fix else (),
    )


_HYPHENATED = re.compile(r"[^\W\d]\w*(?:-\w+)+")


def _hyphen_in_name(err: UnexpectedInput, file: str, source: str, offset: int) -> Diagnostic | None:
    line_start = source.rfind("\n", 0, offset) + 1
    line_end = source.find("\n", offset)
    line_end = len(source) if line_end < 0 else line_end
    for match in _HYPHENATED.finditer(source, line_start, line_end):
        if match.start() <= offset <= match.end() and not re.fullmatch(r"[\d-]+", match.group()):
            name = match.group()
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", name):
                continue
            fixed = name.replace("-", "_")
            fix = Fix(position(file, source, match.start(), match.end()), fixed, f"skriv {fixed}")
            return Diagnostic(
                fix.pos,
                f"et navn kan ikke indeholde bindestreg: »{name}«",
                f"skriv {fixed} (understregning i stedet for bindestreg)",
                source=source,
                fixes=(fix,),
            )
    return None


_LOOSE_DATE = re.compile(r"(\d{1,4})([-./])(\d{1,2})\2(\d{1,4})")


def _date_format(
    file: str, source: str, offset: int, parse: Callable[[str], object]
) -> Diagnostic | None:
    """A date not written ÅÅÅÅ-MM-DD (``2015-3-2``, ``2.3.2015``), with the fix when the date
    is clear."""
    line_start = source.rfind("\n", 0, offset) + 1
    line_end = source.find("\n", offset)
    line_end = len(source) if line_end < 0 else line_end
    for match in _LOOSE_DATE.finditer(source, line_start, line_end):
        if not match.start() <= offset < match.end() or re.fullmatch(
            r"\d{4}-\d{2}-\d{2}", match.group()
        ):
            continue
        first, _, middle, last = match.groups()
        year, day = (first, last) if len(first) == 4 else (last, first)
        iso = f"{int(year):04d}-{int(middle):02d}-{int(day):02d}" if len(year) == 4 else None
        pos = position(file, source, match.start(), match.end())
        fixes = (Fix(pos, iso, f"skriv {iso}"),) if iso else ()
        hint = f"skriv {iso}" if iso else "skriv fx 2015-03-02"
        message = f"en dato skrives ÅÅÅÅ-MM-DD, ikke »{match.group()}«"
        return Diagnostic(pos, message, hint, source=source, fixes=fixes)
    return None


def _word_twice(
    file: str, source: str, offset: int, parse: Callable[[str], object]
) -> Diagnostic | None:
    """The same word written twice in a row (``opfyldes af af samtale``)."""
    spans = [span for span in _words(source) if span[1] <= offset + 1][-3:]
    for (s1, e1), (s2, e2) in zip(spans, spans[1:], strict=False):
        word = source[s1:e1]
        if word == source[s2:e2] and source[e1:s2].strip() == "":
            line_end = source.find("\n", offset)
            reach = _reach(source, e1, e2, "", parse)
            if reach > (len(source) if line_end < 0 else line_end):
                fix = Fix(position(file, source, e1, e2), "", f"slet det ene »{word}«")
                pos = position(file, source, s1, e2)
                return Diagnostic(
                    pos,
                    f"»{word}« står to gange",
                    f"slet det ene »{word}«",
                    source=source,
                    fixes=(fix,),
                )
    return None


def _word_order(
    file: str, source: str, offset: int, parse: Callable[[str], object]
) -> Diagnostic | None:
    """A keyword written after the word it should stand before (``første_samtale ingen``)."""
    spans = _words(source)
    at = [i for i, (s, e) in enumerate(spans) if s <= offset < e]
    if not at or at[0] == 0:
        return None
    (start, _), (word_start, end) = spans[at[0] - 1], spans[at[0]]
    word, before = source[word_start:end], source[start : spans[at[0] - 1][1]]
    keywords = {w for kw in keyword_table().values() for w in kw.words()}
    if word not in keywords or before in keywords or "\n" in source[start:end]:
        return None
    swapped = f"{word} {before}"
    line_end = source.find("\n", offset)
    if _reach(source, start, end, swapped, parse) <= (len(source) if line_end < 0 else line_end):
        return None
    fix = Fix(position(file, source, start, end), swapped, f"skriv »{swapped}«")
    return Diagnostic(
        fix.pos,
        f"»{word}« skal stå før »{before}«",
        f"skriv »{swapped}«",
        source=source,
        fixes=(fix,),
    )


# ───────────────────────────── did you mean ─────────────────────────────
def edit_distance(a: str, b: str) -> int:
    """The optimal-string-alignment distance (insert, delete, substitute, swap neighbours).

    >>> edit_distance("fristt", "frist"), edit_distance("pligt", "plgit"), edit_distance("af", "ved")
    (1, 1, 3)
    """
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, previous2[j - 2] + 1)
            current.append(cost)
        previous2, previous = previous, current
    return previous[-1]


def _allowed_distance(word: str) -> int:
    return 1 if len(word) <= 4 else 2 if len(word) <= 8 else 3


def _words(source: str) -> list[tuple[int, int]]:
    """The spans of the words of ``source`` outside texts and comments."""
    return [
        (m.start(), m.end())
        for m in _TOKENS.finditer(source)
        if not m.group().startswith(('"', "#"))
    ]


def _suspects(source: str, offset: int) -> list[int]:
    """Indexes (into :func:`_words`) of the word at the error and the two before it."""
    spans = _words(source)
    at = [i for i, (s, e) in enumerate(spans) if s <= offset < e or e <= offset]
    if not at:
        return []
    last = at[-1]
    return [i for i in (last, last - 1, last - 2) if i >= 0]


def _candidates(
    source: str, spans: list[tuple[int, int]], index: int, language: str
) -> Iterator[tuple[int, int, int, str]]:
    """(distance, start, end, replacement) for the word ``index`` and the words after it."""
    start = spans[index][0]
    word = source[spans[index][0] : spans[index][1]]
    keywords = {w for kw in keyword_table().values() for w in kw.words(language)}
    for keyword in keywords:
        parts = keyword.split()
        # the same number of words as the keyword, on one line
        if index + len(parts) <= len(spans):
            end = spans[index + len(parts) - 1][1]
            written = " ".join(source[s:e] for s, e in spans[index : index + len(parts)])
            if "\n" not in source[start:end] and written != keyword:
                distance = edit_distance(written, keyword)
                if distance <= _allowed_distance(keyword):
                    yield distance, start, end, keyword
                elif len(parts) > 1 and written.split()[0] == parts[0]:
                    yield 3, start, end, keyword  # the first word is right, the rest is not
        # a keyword one word longer than the word written (a word left out)
        if len(parts) > 1 and word != keyword:
            distance = edit_distance(word, keyword)
            if distance <= _allowed_distance(keyword) and word == parts[0]:
                yield distance, start, spans[index][1], keyword
    if word in SYNONYMS:
        yield 2, start, spans[index][1], SYNONYMS[word]


def _did_you_mean(
    file: str, source: str, offset: int, language: str, parse: Callable[[str], object]
) -> Diagnostic | None:
    spans = _words(source)
    line_end = source.find("\n", offset)
    line_end = len(source) if line_end < 0 else line_end
    # (distance, -reach, rank, start, end, replacement) of every replacement that parses on
    found: list[tuple[int, float, int, int, int, str]] = []
    tried = 0
    for rank, index in enumerate(_suspects(source, offset)):
        for distance, start, end, keyword in sorted(
            set(_candidates(source, spans, index, language))
        ):
            if tried >= _MAX_REPARSES or (found and distance > min(f[0] for f in found)):
                break
            tried += 1
            reach = _reach(source, start, end, keyword, parse)
            # the file must parse past the line of the error, not merely one word further
            if reach > max(line_end, start + len(keyword)):
                found.append((distance, -reach, rank, start, end, keyword))
    if not found:
        return None
    found.sort()
    best = [f for f in found if f[:3] == found[0][:3]]
    start, end = best[0][3], best[0][4]
    written = source[start:end]
    choices = list(dict.fromkeys(f[5] for f in best if (f[3], f[4]) == (start, end)))
    fixes = tuple(
        Fix(position(file, source, start, end), choice, f"skriv »{choice}«") for choice in choices
    )
    shown = " eller ".join(f"»{c}«" for c in choices)
    message, hint = f"»{written}« kan ikke stå her", f"mente du {shown}?"
    if len(choices) == 1 and choices[0].startswith(written + " "):  # a word left out
        message = f"»{written}« skal følges af »{choices[0][len(written) + 1 :]}«"
        hint = f"skriv »{choices[0]}«"
    return Diagnostic(fixes[0].pos, message, hint, source=source, fixes=fixes)


def _reach(
    source: str, start: int, end: int, keyword: str, parse: Callable[[str], object]
) -> float:
    """How far (in the original text) the file parses with ``keyword`` in place of start:end."""
    text = source[:start] + keyword + source[end:]
    try:
        parse(text)
    except UnexpectedInput as err:
        return error_offset(err, text) - (len(keyword) - (end - start))
    return float("inf")
