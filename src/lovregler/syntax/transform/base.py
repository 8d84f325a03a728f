"""What every part of the transformer shares: positions, and texts, names, dates and
durations read from tokens, within the limits a rule file must keep."""

from __future__ import annotations

import datetime
import unicodedata
from typing import NoReturn

from lark import Token, Transformer
from lark.tree import Meta

from ...errors import Diagnostic, RuleSyntaxError, SourcePos
from .. import ast

#: The years a date in a rule file may have; see :data:`MAX_DURATION_YEARS` for why.
YEARS = (1800, 2199)
#: The longest duration (frist, varer, gentages, ...) in a rule file, and the oldest age.
MAX_DURATION_YEARS = 100
MAX_AGE = 150
#: The most shifts (``+ 3 måneder``) in one date expression.
MAX_SHIFTS = 10


class NodeBuilder(Transformer):  # type: ignore[type-arg]
    """The base of every part of :class:`~lovregler.syntax.transform.ToAst`: the file being
    read, and the position and checked values every part needs.

    It has no ``@v_args`` of its own: Lark applies a class's ``@v_args`` only to the methods
    that class itself defines, so each part carries the decorator (and these two methods,
    which are no grammar rules, stay plain methods)."""

    def __init__(self, file: str):
        super().__init__()
        self.file = file

    def p(self, meta: Meta) -> SourcePos:
        """The source position of a tree node."""
        return pos_of(self.file, meta)

    def age(self, years: Token) -> int:
        """An age in years (a birthday, an age limit), at most :data:`MAX_AGE`."""
        if int(years) > MAX_AGE:
            too_big(
                pos_of(self.file, years),
                f"alderen {years} år er for høj (højst {MAX_AGE})",
                "skriv en alder, et menneske kan have",
            )
        return int(years)


def pos_of(file: str, meta: Meta | Token) -> SourcePos:
    """The source position of a tree node or a token (0 where Lark knows none)."""
    line = getattr(meta, "line", 0) or 0
    column = getattr(meta, "column", 0) or 0
    return SourcePos(
        file,
        line,
        column,
        getattr(meta, "end_line", line) or line,
        getattr(meta, "end_column", column) or column,
    )


def too_big(pos: SourcePos, message: str, hint: str) -> NoReturn:
    """Refuse a value beyond a limit of the language, at its position."""
    raise RuleSyntaxError([Diagnostic(pos, message, hint)])


def to_date(tok: Token, file: str) -> datetime.date:
    """The date a ``ÅÅÅÅ-MM-DD`` token names: a real day within :data:`YEARS`."""
    try:
        day = datetime.date.fromisoformat(str(tok))
    except ValueError:
        diag = Diagnostic(
            pos_of(file, tok),
            f"{tok} er ikke en gyldig dato",
            "skriv datoen som ÅÅÅÅ-MM-DD med en dag, der findes i måneden",
        )
        raise RuleSyntaxError([diag]) from None
    if not YEARS[0] <= day.year <= YEARS[1]:
        # far from the calendar's ends (year 1 and 9999), so that date arithmetic on it
        # (a frist, a shift of up to 100 years) never falls off the calendar
        too_big(
            pos_of(file, tok),
            f"datoen {tok} ligger uden for årene {YEARS[0]}–{YEARS[1]}",
            "regler og eksempler handler om nutidige datoer",
        )
    return day


def unquote(tok: Token) -> str:
    """The text of a string token, without its quotes (``"…"`` or ``\"\"\"…\"\"\"``)."""
    text = str(tok)
    if text.startswith('"""'):
        return text[3:-3]
    body = text[1:-1]
    # Only \" and \\ are escapes; other backslashes stay as written (legal text may hold them).
    return body.replace('\\"', '"').replace("\\\\", "\\")


def nfc(tok: object) -> str:
    """A name in Unicode's composed form (NFC), so ``ø`` typed two ways is one name."""
    return unicodedata.normalize("NFC", str(tok))


_UNIT_TO_DURATION = {"days": (0, 1), "weeks": (0, 7), "months": (1, 0), "years": (12, 0)}

_UNIT_WORDS = {
    "days": ("dag", "dage"),
    "weeks": ("uge", "uger"),
    "months": ("måned", "måneder"),
    "years": ("år", "år"),
}


def make_duration(parts: list[tuple[int, str]], pos: SourcePos) -> ast.Duration:
    """A :class:`~lovregler.syntax.ast.Duration` from (count, unit) parts, with the words
    the author wrote, at most :data:`MAX_DURATION_YEARS` long."""
    months = days = 0
    words = []
    for n, unit in parts:
        m, d = _UNIT_TO_DURATION[unit]
        months += n * m
        days += n * d
        words.append(f"{n} {_UNIT_WORDS[unit][n != 1]}")
    if months > 12 * MAX_DURATION_YEARS or days > 366 * MAX_DURATION_YEARS:
        too_big(
            pos,
            f"varigheden {' '.join(words)} er for lang (højst {MAX_DURATION_YEARS} år)",
            "en frist eller periode i en regel er højst et menneskeliv lang",
        )
    return ast.Duration(months=months, days=days, unit_text=" ".join(words), pos=pos)
