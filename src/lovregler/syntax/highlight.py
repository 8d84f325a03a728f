"""Syntax highlighting of rule files: a Pygments lexer and a TextMate grammar.

Both are built from the one keyword table of :mod:`lovregler.syntax.keywords` (itself read from the
grammar), so a keyword added to the language is highlighted everywhere at once:

* :class:`LovreglerLexer` is registered as the Pygments lexer ``lovregler`` (entry point
  ``pygments.lexers``); the docs site's rule examples (``.. lovregel-eksempel::``) and
  ``.. code-block:: lovregler`` blocks use it;
* :func:`textmate_grammar` is the VS Code grammar in ``editors/vscode/syntaxes/``, written by
  ``python -m lovregler.syntax.highlight > editors/vscode/syntaxes/lovregler.tmLanguage.json`` (a test
  keeps the file equal to it).
"""

from __future__ import annotations

import functools
import json
import re
import sys

from pygments.lexer import RegexLexer, words
from pygments.token import Comment, Keyword, Name, Number, Operator, Punctuation, String, Text

from .keywords import keyword_table

CONSTANTS = ("sand", "falsk", "true", "false", "åben", "open")
"""Keywords that are values rather than clauses."""

STATUSES = (
    "opfyldt for sent",
    "opfyldt",
    "overskredet",
    "afventer",
    "suspenderet",
    "fulfilled_late",
    "fulfilled",
    "overdue",
    "pending",
    "suspended",
)
"""The statuses an example expects."""


def _pattern(word: str) -> str:
    """A keyword as a regular expression: any run of spaces between its words.

    >>> _pattern("opfyldes af"), _pattern("pr."), _pattern("(omskrevet)")
    ('opfyldes\\\\s+af', 'pr\\\\.', '\\\\(\\\\s*omskrevet\\\\s*\\\\)')
    """
    if word.startswith("(") and word.endswith(")"):
        return r"\(\s*" + re.escape(word[1:-1]) + r"\s*\)"
    return r"\s+".join(re.escape(part) for part in word.split())


@functools.cache
def keyword_patterns() -> tuple[str, str, str]:
    """Regular expressions for (clause keywords, constants, statuses), longest words first."""
    spelled = {w for kw in keyword_table().values() for w in kw.words()}
    ordered = sorted(spelled, key=lambda w: (-len(w), w))

    def alternation(chosen: list[str]) -> str:
        # a keyword is a whole word: not part of a longer name (»fristen«, »pligter«)
        return r"(?<![\w.])(?:" + "|".join(_pattern(w) for w in chosen) + r")(?![\w])"

    constants = [w for w in ordered if w in CONSTANTS]
    statuses = [w for w in ordered if w in STATUSES]
    clauses = [w for w in ordered if w not in CONSTANTS and w not in STATUSES]
    return alternation(clauses), alternation(constants), alternation(statuses)


class LovreglerLexer(RegexLexer):
    """Pygments lexer for lovregler rule files (``.lov``), Danish and English keywords."""

    name = "lovregler"
    aliases = ["lovregler", "lov"]
    filenames = ["*.lov"]
    mimetypes = ["text/x-lovregler"]
    flags = re.MULTILINE | re.UNICODE

    tokens = {
        "root": [
            (r"\s+", Text),
            (r"#.*?$", Comment.Single),
            (r'"""(?:.|\n)*?"""', String),
            (r'"(?:[^"\\\n]|\\.)*"', String),
            (r"\d{4}-\d{2}-\d{2}", Number.Other),
            (r"\d+", Number.Integer),
            (keyword_patterns()[2], Keyword.Type),
            (keyword_patterns()[1], Keyword.Constant),
            (keyword_patterns()[0], Keyword),
            (r"[^\W\d]\w*", Name),
            (words(("!=", "<=", ">=", "<", ">", "=", "+", "-", ".."), suffix=""), Operator),
            (r"[{}(),.:]", Punctuation),
            (r".", Text),
        ]
    }


def textmate_grammar() -> dict[str, object]:
    """The TextMate grammar for VS Code, from the same keyword table as the lexer."""
    clauses, constants, statuses = keyword_patterns()
    return {
        "$schema": "https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json",
        "name": "lovregler",
        "scopeName": "source.lovregler",
        "fileTypes": ["lov"],
        "patterns": [
            {"name": "comment.line.number-sign.lovregler", "match": "#.*$"},
            {"name": "string.quoted.triple.lovregler", "begin": '"""', "end": '"""'},
            {
                "name": "string.quoted.double.lovregler",
                "begin": '"',
                "end": '"|$',
                "patterns": [{"name": "constant.character.escape.lovregler", "match": r"\\."}],
            },
            {"name": "constant.numeric.date.lovregler", "match": r"\b\d{4}-\d{2}-\d{2}\b"},
            {"name": "constant.numeric.integer.lovregler", "match": r"\b\d+\b"},
            {"name": "support.type.status.lovregler", "match": statuses},
            {"name": "constant.language.lovregler", "match": constants},
            {"name": "keyword.control.lovregler", "match": clauses},
            {"name": "keyword.operator.lovregler", "match": r"!=|<=|>=|<|>|=|\+|-|\.\."},
        ],
    }


def main() -> int:
    """Print the TextMate grammar (JSON) on standard output."""
    json.dump(textmate_grammar(), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
