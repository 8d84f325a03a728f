"""One error hierarchy for every stage.

``LovreglerError`` is the root. Errors about rule files carry a :class:`SourcePos` and render
as ``file:line:col: message``, the source line, a caret under the column and a hint, the way a
compiler reports. Errors about citizen histories carry the citizen id, the event index and the
field. No Python traceback is meant to reach a rule author or a caseworker: the CLI prints
``str(error)`` and exits non-zero.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

import attrs
from typing_extensions import TypedDict  # pydantic reads only this TypedDict on Python 3.11


@attrs.frozen
class SourcePos:
    """A span in a rule file: 1-based line and column, inclusive start, exclusive end column."""

    file: str
    line: int
    column: int
    end_line: int = 0
    end_column: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


UNKNOWN_POS = SourcePos("<ukendt>", 0, 0)


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """The closest candidate to ``word``, or None when nothing is close.

    >>> did_you_mean("samtle", ["samtale", "tilbud_start"])
    'samtale'
    """
    matches = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return matches[0] if matches else None


def source_lines(source: str) -> list[str]:
    """The lines of a rule file as the parser counts them: split at ``\\n`` only.

    ``str.splitlines`` also splits at U+2028, U+0085, form feeds and more, which Lark does
    not count as line ends: a caret under such a file would point at the wrong line.

    >>> source_lines("a\\u2028b\\nc\\r\\n")
    ['a\\u2028b', 'c']
    """
    lines = [line.removesuffix("\r") for line in source.split("\n")]
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()  # the newline that ends the last line does not start another
    return lines


def render_caret(pos: SourcePos, source: str | None) -> str:
    """The offending source line with a caret under the column (empty when no source)."""
    if not source or pos.line <= 0:
        return ""
    lines = source_lines(source)
    if pos.line > len(lines):
        return ""
    text = lines[pos.line - 1]
    width = 1
    if pos.end_line == pos.line and pos.end_column > pos.column:
        width = pos.end_column - pos.column
    return f"    {text}\n    {' ' * (pos.column - 1)}{'^' * width}"


class ErrorDict(TypedDict):
    """A bad citizen or a bad argument, in JSON: the HTTP service's 4xx bodies, a batch
    item's error and the batch error tables."""

    citizen: str | None
    """The citizen's id, when known."""
    event: int | None
    """The index of the bad event in the history's ``events``, or null."""
    field: str | None
    """The field (or argument: ``as_of``, ``ruleset``, ``rule``) that is wrong, or null."""
    message: str
    """What is wrong and what was expected, in Danish."""


@attrs.frozen
class Fix:
    """A replacement that mends a diagnostic: put ``text`` where ``pos`` spans (a quick fix)."""

    pos: SourcePos
    text: str
    title: str


class LovreglerError(Exception):
    """Root of every error lovregler raises on purpose; its message is Danish.

    :meth:`to_dict` gives the fields the HTTP service and the batch error tables report
    (``citizen``, ``event``, ``field``, ``message``); subclasses fill in what they know.
    """

    citizen: str | None = None
    event: int | None = None
    field: str | None = None

    def to_dict(self) -> ErrorDict:
        """A JSON-ready form: the same fields for every error."""
        return {
            "citizen": self.citizen,
            "event": self.event,
            "field": self.field,
            "message": str(self),
        }


@attrs.define(eq=False)
class Diagnostic:
    """One message about a rule file: where, what, and how to fix it."""

    pos: SourcePos
    message: str
    hint: str | None = None
    severity: str = "error"  # "error" or "warning"
    source: str | None = None
    fixes: tuple[Fix, ...] = ()

    def format(self) -> str:
        """Render as ``file:line:col: fejl: message`` + source line + caret + hint."""
        label = "fejl" if self.severity == "error" else "advarsel"
        parts = [f"{self.pos}: {label}: {self.message}"]
        caret = render_caret(self.pos, self.source)
        if caret:
            parts.append(caret)
        if self.hint:
            parts.append(f"    tip: {self.hint}")
        return "\n".join(parts)


class RuleFileError(LovreglerError):
    """A rule file cannot be used: one or more diagnostics, all reported at once."""

    def __init__(self, diagnostics: Sequence[Diagnostic]):
        self.diagnostics = list(diagnostics)
        super().__init__("\n".join(d.format() for d in self.diagnostics))

    @property
    def errors(self) -> list[Diagnostic]:
        """Only the diagnostics of severity error."""
        return [d for d in self.diagnostics if d.severity == "error"]


class RuleSyntaxError(RuleFileError):
    """The parser could not read the rule file."""


class CheckError(RuleFileError):
    """The rule file parses but says something impossible (unknown names, wrong types, ...)."""


class RulesetNotFound(LovreglerError):
    """No bundled ruleset and no file by that name (``field`` is ``"ruleset"``)."""

    field = "ruleset"


class RuleNotFound(LovreglerError):
    """The ruleset has no rule by that id (``field`` is ``"rule"``)."""

    field = "rule"


class ArgumentError(LovreglerError, ValueError):
    """An argument to the Python API is not what it must be: an ``as_of`` that is not a
    date or an ISO ``ÅÅÅÅ-MM-DD`` text, … ``field`` names the argument.

    It is also a :class:`ValueError`, so code that guards calls with ``except ValueError``
    keeps working.
    """

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(f"{field}: {message}")


class HistoryError(LovreglerError):
    """A citizen history breaks the data contract.

    Names the citizen, the event index (None for top-level fields), the field, what was
    expected and, for near-miss names, a did-you-mean suggestion.
    """

    def __init__(
        self,
        citizen: str | None,
        message: str,
        *,
        event: int | None = None,
        field: str | None = None,
        expected: str | None = None,
        suggestion: str | None = None,
    ):
        self.citizen = citizen
        self.event = event
        self.field = field
        self.expected = expected
        self.suggestion = suggestion
        self.message = message
        super().__init__(self._render())

    def _render(self) -> str:
        where = [f"borger {self.citizen!r}" if self.citizen is not None else "borger <uden id>"]
        if self.event is not None:
            where.append(f"hændelse nr. {self.event}")
        if self.field is not None:
            where.append(f"felt {self.field!r}")
        text = f"{', '.join(where)}: {self.message}"
        if self.expected:
            text += f" (forventet: {self.expected})"
        if self.suggestion:
            text += f" — mente du {self.suggestion!r}?"
        return text


class EvaluationError(LovreglerError):
    """A failure while evaluating a rule, pointing back at the rule file line."""

    def __init__(self, message: str, pos: SourcePos | None = None, citizen: str | None = None):
        self.pos = pos
        self.citizen = citizen
        where = f"{pos}: " if pos else ""
        who = f" (borger {citizen!r})" if citizen else ""
        super().__init__(f"{where}{message}{who}")
