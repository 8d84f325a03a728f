"""The canonical layout of a rule file (``lovregler fmt``).

The formatter reads the file with the same grammar as the parser, keeping every token, and
lays it out again from the parse tree alone, so it knows no clause by name:

* a *block* (a ruleset, a version, a rule, an example, …: :data:`BLOCKS`) keeps its head on
  one line; every sub-tree of a block is a clause and begins a line of its own, indented one
  step (two spaces) deeper — a clause added to the grammar is laid out without a change here;
* inside a clause, tokens are separated by one space, with the few exceptions of
  :func:`_spaced` (``a, b``, ``navn{…}``, ``x.y``, ``1..5``, ``attribut=værdi``); a line
  break the author put inside a clause is kept, as a continuation line one step deeper;
* comments are kept where they stand (on their own line, or after a clause), blank lines
  between clauses are kept (at most one), and every ruleset, version, rule and example is
  preceded by one;
* every keyword is kept as written (Danish or English), and every text (``"…"``) exactly as
  written.

The result parses to the same AST as the input (positions aside), and formatting it again
changes nothing; the tests check both on every bundled ruleset, every fixture and generated
files.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections.abc import Iterator

import attrs
from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedInput

from .errors import LovreglerError
from .syntax.keywords import keyword_table
from .syntax.lark_parser import grammar_text
from .syntax.parse import parse_text

BLOCKS = frozenset(
    {
        "start",
        "vocabulary",
        "event_decl",
        "ruleset",
        "version",
        "obligation",
        "right",
        "value",
        "example",
        "expectation",
    }
)
"""Parse-tree nodes whose sub-trees each begin a line of their own."""

INLINE_CHILDREN = {"version": frozenset({"validity"})}
"""Sub-trees that stay on their block's head line (``version v1 "…" gælder fra …``)."""

LINE_KEYWORDS = {"example": frozenset({"født", "born"})}
"""Keywords that begin a line of their own inside a block (``født`` under ``eksempel``)."""

BLANK_BEFORE = frozenset(
    {"vocabulary", "ruleset", "version", "obligation", "right", "value", "example"}
)
"""Blocks that always have a blank line before them."""

NOT_INDENTED = frozenset({"vocabulary", "start"})
"""Blocks whose clauses stand at the block's own depth (the vocabulary's declarations)."""

INDENT = "  "

_NO_SPACE_BEFORE = frozenset({"COMMA", "RPAR", "DOT", "COLON", "__RANGE"})
_NO_SPACE_AFTER = frozenset({"LPAR", "DOT", "__RANGE"})
_TIGHT = frozenset({"attr_assign"})  # example events: ydelse=kontanthjælp
_COMMENTS = re.compile(r'"""(?:.|\n)*?"""|"(?:[^"\\\n]|\\.)*"|#[^\n]*')


class FormatError(LovreglerError):
    """A file the formatter cannot lay out (it should never happen for a file that parses)."""


@functools.cache
def _parser() -> Lark:
    # the same grammar as the parser, keeping the keywords and punctuation it filters out
    return Lark(
        grammar_text(),
        parser="lalr",
        lexer="contextual",
        propagate_positions=True,
        maybe_placeholders=True,
        keep_all_tokens=True,
    )


@attrs.define
class _Row:
    """One output line: its depth, text pieces, and the source lines it came from."""

    depth: int
    first: int
    last: int
    blank: bool = False
    tokens: list[Token] = attrs.Factory(list)
    parents: list[str] = attrs.Factory(list)
    comment: str | None = None
    trailing: str | None = None


@attrs.frozen
class _Comment:
    offset: int
    line: int
    text: str
    own_line: bool


@attrs.frozen
class _LineStart:
    depth: int
    blank: bool


def _events(tree: Tree, depth: int) -> Iterator[_LineStart | tuple[Token, str]]:
    """Line starts and (token, parent node) pairs, in source order."""
    block = tree.data in BLOCKS
    step = 0 if tree.data in NOT_INDENTED else 1
    inline = INLINE_CHILDREN.get(str(tree.data), frozenset())
    line_words = LINE_KEYWORDS.get(str(tree.data), frozenset())
    had_lines = False
    for child in tree.children:
        if child is None:
            continue
        if isinstance(child, Tree):
            if block and child.data not in inline:
                had_lines = True
                yield _LineStart(depth + step, child.data in BLANK_BEFORE)
            yield from _events(child, depth + step if block and child.data not in inline else depth)
        else:
            if block and had_lines and child.type == "RBRACE":
                yield _LineStart(depth, False)
            elif _normal(child) in line_words:
                yield _LineStart(depth + 1, False)
            yield child, str(tree.data)


def _normal(token: Token) -> str:
    """A token's text in the canonical form: keywords with single spaces, the rest as written."""
    text = str(token)
    keyword = keyword_table().get(token.type)
    if keyword is None:
        return text
    squeezed = "".join(text.split())
    # the table's spelling when only the spaces differ: "( omskrevet )" → "(omskrevet)"
    spelled = [w for w in keyword.words() if "".join(w.split()) == squeezed]
    return spelled[0] if spelled else " ".join(text.split())


def _comments(source: str) -> list[_Comment]:
    found = []
    for match in _COMMENTS.finditer(source):
        if match.group().startswith("#"):
            start = match.start()
            line_start = source.rfind("\n", 0, start) + 1
            own = source[line_start:start].strip() == ""
            line = source.count("\n", 0, start) + 1
            found.append(_Comment(start, line, match.group().rstrip(), own))
    return found


def _rows(tree: Tree, source: str) -> list[_Row]:
    """The output lines: clause lines, continuation lines and comment lines."""
    comments = _comments(source)
    rows: list[_Row] = []
    pending: list[_Comment] = []
    current: _Row | None = None
    start: _LineStart | None = None
    force_break = False
    clause_depth = 0
    for event in _events(tree, 0):
        if isinstance(event, _LineStart):
            start = event
            continue
        token, parent = event
        while comments and comments[0].offset < (token.start_pos or 0):
            comment = comments.pop(0)
            if not comment.own_line and current is not None and current.trailing is None:
                current.trailing = comment.text
                force_break = True
            else:
                pending.append(comment)
        new_line = start is not None or current is None
        if not new_line and current is not None:
            previous = current.tokens[-1]
            new_line = force_break or bool(pending) or (token.line or 0) > (previous.end_line or 0)
        if new_line:
            if start is not None:
                clause_depth = depth = max(start.depth, 0)
                blank = start.blank
            else:  # a continuation of the clause on the line above
                depth, blank = clause_depth + 1, False
            for index, comment in enumerate(pending):
                first_blank = blank and index == 0
                rows.append(
                    _Row(depth, comment.line, comment.line, first_blank, comment=comment.text)
                )
            current = _Row(depth, token.line or 0, token.end_line or 0, blank and not pending)
            rows.append(current)
            pending, start, force_break = [], None, False
        assert current is not None
        current.tokens.append(token)
        current.parents.append(parent)
        current.last = token.end_line or current.last
    depth = rows[-1].depth if rows else 0
    for comment in [*pending, *comments]:
        if not comment.own_line and rows and rows[-1].trailing is None and rows[-1].comment is None:
            rows[-1].trailing = comment.text
        else:
            rows.append(_Row(depth, comment.line, comment.line, comment=comment.text))
    return rows


def _spaced(previous: Token, token: Token, parent: str, previous_parent: str) -> bool:
    """Whether one space goes between two tokens of a line."""
    kind, before = _kind(token), _kind(previous)
    if kind in _NO_SPACE_BEFORE or before in _NO_SPACE_AFTER:
        return False
    if "EQUAL" in (kind, before) and (parent in _TIGHT or previous_parent in _TIGHT):
        return False
    if kind == "LBRACE":
        return before != "NAME"  # a condition on a name: ydelse{…}; a set or a block: … {
    return before != "LBRACE" and kind != "RBRACE"


def _kind(token: Token) -> str:
    return "__RANGE" if str(token) == ".." else token.type


def _render(rows: list[_Row]) -> str:
    out: list[str] = []
    previous: _Row | None = None
    for row in rows:
        gap = previous is not None and row.first - previous.last > 1
        if out and (row.blank or gap):
            out.append("")
        out.append(INDENT * row.depth + _row_text(row))
        previous = row
    return "\n".join(out).rstrip("\n") + "\n"


def _row_text(row: _Row) -> str:
    if row.comment is not None:
        return row.comment
    text = ""
    for index, token in enumerate(row.tokens):
        if index and _spaced(
            row.tokens[index - 1], token, row.parents[index], row.parents[index - 1]
        ):
            text += " "
        text += _normal(token)
    if row.trailing is not None:
        text += "  " + row.trailing
    return text


def format_text(source: str, file: str = "<tekst>") -> str:
    """The canonical layout of a rule file's text; a file that does not parse raises the
    parser's :class:`~lovregler.errors.RuleSyntaxError`.

    >>> print(format_text('ordning a "A" pligt p "P"   frist 1  uge efter forløbets start'), end="")
    ordning a "A"
    <BLANKLINE>
      pligt p "P"
        frist 1 uge efter forløbets start
    """
    text = unicodedata.normalize("NFC", source.removeprefix("\ufeff"))
    try:
        tree = _parser().parse(text)
    except UnexpectedInput:
        parse_text(source, file)  # raises the parser's own, friendly error
        raise FormatError(f"{file}: kan ikke formatere filen") from None
    return _render(_rows(tree, text))


def diff(source: str, formatted: str, file: str) -> str:
    """A unified diff from a file to its canonical layout (empty when it is canonical)."""
    return "".join(
        difflib.unified_diff(
            source.splitlines(keepends=True),
            formatted.splitlines(keepends=True),
            f"{file} (nu)",
            f"{file} (formateret)",
        )
    )
