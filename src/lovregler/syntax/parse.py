"""Parse rule files into the AST.

The grammar (``grammar/lovregler.lark``) is loaded once per process with Lark's LALR parser,
the contextual lexer, ``strict=True`` (a conflict in the grammar is an error, not a silent
choice) and a grammar cache (:mod:`lovregler.cache`). The transformer
:class:`~lovregler.syntax.transform.ToAst` turns the parse tree into the frozen nodes of
:mod:`lovregler.syntax.ast`, each with its source position.

Syntax errors become :class:`~lovregler.errors.RuleSyntaxError` with file:line:col, the
source line, a caret and a hint. The hint comes from Lark's ``match_examples``: a table of
known mistakes (``KNOWN_MISTAKES``), each a friendly Danish message with the snippets that
make it and a hint.
"""

from __future__ import annotations

import hashlib
import unicodedata
from pathlib import Path

import attrs
import lark
from lark import Token
from lark.exceptions import UnexpectedInput, VisitError

from ..errors import Diagnostic, RuleSyntaxError, SourcePos
from . import ast
from .lark_parser import parser
from .syntax_errors import position, syntax_diagnostic
from .transform import ToAst
from .transform.base import pos_of


# ───────────────────────────── friendly syntax errors ─────────────────────────────
@attrs.frozen
class KnownMistake:
    """A mistake rule authors make: snippets that make it, and what to write instead."""

    examples: tuple[str, ...]
    hint: str


# Lark's match_examples finds the message whose examples fail in the same parser state as
# the author's file; the message and its hint then explain the error.
KNOWN_MISTAKES: dict[str, KnownMistake] = {
    "En pligt mangler sin titel i anførselstegn efter navnet": KnownMistake(
        (
            'ordning a "t" pligt p frist',
            'ordning a "t" version v gælder fra 2014-01-01 pligt p ansvarlig',
        ),
        'skriv fx: pligt første_samtale "Første samtale"',
    ),
    "Et regelsæt (ordning) mangler sin titel i anførselstegn": KnownMistake(
        ("ordning a pligt",), 'skriv fx: ordning navn "Titel"'
    ),
    "»opfyldes« skal følges af »af« og en hændelsestype": KnownMistake(
        ('ordning a "t" pligt p "t" opfyldes samtale',), "skriv fx: opfyldes af samtale"
    ),
    "En frist skal have en længde og en enhed (dage, uger, måneder, år)": KnownMistake(
        (
            'ordning a "t" pligt p "t" frist 3 efter forløbets start',
            'ordning a "t" pligt p "t" frist 3 måned før',
        ),
        "skriv fx: frist 1 uge efter forløbets start",
    ),
    "En dato skal skrives ÅÅÅÅ-MM-DD": KnownMistake(
        ('ordning a "t" gælder fra 2014-1-1', 'ordning a "t" gælder fra 1.1.2014'),
        "skriv fx: 2014-01-01",
    ),
    "En tekst mangler sit afsluttende anførselstegn": KnownMistake(
        ('ordning a "t',), 'afslut teksten med "'
    ),
    "En overgangsregel skal have sin egen hjemmel: lovens overgangsbestemmelse": KnownMistake(
        (
            'ordning a "t" pligt p "t" overgang løbende forløb regnes begyndt ved ikrafttræden frist',
            'ordning a "t" pligt p "t" transition running courses count as begun at entry into force due',
        ),
        'skriv fx: overgang løbende forløb regnes begyndt ved ikrafttræden hjemmel "Lov nr. … § …"',
    ),
    "Et eksempel skal have »født ÅÅÅÅ-MM-DD« og mindst én »pr. DATO forventes«": KnownMistake(
        (
            'ordning a "t" eksempel "e" 2015-01-01 samtale',
            'ordning a "t" eksempel "e" født 1970-01-01 2015-01-01 samtale',
        ),
        "se et eksempel i rulesets/kontanthjælp_aktivitetsparat.lov",
    ),
}


def _syntax_diagnostic(err: UnexpectedInput, file: str, source: str) -> Diagnostic:
    hints = {label: mistake.hint for label, mistake in KNOWN_MISTAKES.items()}
    return syntax_diagnostic(
        err, file, source, parser().parse, lambda e: _match_label(e, source), hints
    )


def _with_imports(mistakes: dict[str, KnownMistake]) -> dict[str, list[str]]:
    """Each example also after an import line: Lark compares the parser's whole stack, and
    every real rule file starts with ``importer ordforråd``."""
    return {
        label: [*m.examples, *(f"importer ordforråd\n{s}" for s in m.examples)]
        for label, m in mistakes.items()
    }


def _match_label(err: UnexpectedInput, source: str) -> str | None:
    try:
        return err.match_examples(parser().parse, _with_imports(KNOWN_MISTAKES), use_accepts=True)  # type: ignore[return-value]
    except Exception:  # match_examples is best effort: a miss must never hide the real error
        return None


# ───────────────────────────── entry points ─────────────────────────────
def parse_text(source: str, file: str = "<tekst>") -> ast.Module:
    """Parse the text of a rule file into an :class:`ast.Module`.

    >>> m = parse_text('ordning a "Titel" pligt p "P" frist 1 uge efter forløbets start')
    >>> m.rulesets[0].rules[0].deadline.after.days
    7
    """
    # a byte order mark is how some Windows editors start a UTF-8 file; it is no character
    text = unicodedata.normalize("NFC", source.removeprefix("\ufeff"))
    try:
        tree = parser().parse(text)
    except UnexpectedInput as err:
        raise RuleSyntaxError([_syntax_diagnostic(err, file, text)]) from None
    _check_limits(tree, file, text)
    try:
        module = ToAst(file).transform(tree)
    except VisitError as err:
        if isinstance(err.orig_exc, RuleSyntaxError):
            raise RuleSyntaxError(
                [_with_source(d, text) for d in err.orig_exc.diagnostics]
            ) from None
        raise
    return ast.Module(
        file=file,
        imports=module.imports,
        vocabularies=module.vocabularies,
        rulesets=module.rulesets,
        source=text,
        pos=module.pos,
    )


#: The deepest parse tree accepted. Every »og«, »eller«, »ikke« and parenthesis is a level;
#: the passes that follow (check, compiler, interpreter, prose) recurse once per level, and
#: the generated Python nests one parenthesis per level (Python allows 200).
MAX_NESTING = 100
#: The most digits a number in a rule file may have (numbers are days, weeks, ages, counts
#: and rates: 6 digits is 999.999, far beyond any of them).
MAX_DIGITS = 6


def _check_limits(tree: lark.Tree, file: str, text: str) -> None:
    """Refuse, with file:line:col, a rule file nested too deep or with a number too long,
    before any recursive pass (or int()) sees it. The walk itself is iterative."""
    stack: list[tuple[lark.Tree | Token, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, Token):
            if node.type == "INT" and len(node.lstrip("+-")) > MAX_DIGITS:
                _limit_error(
                    file,
                    text,
                    node,
                    f"tallet er for langt ({len(node)} cifre; højst {MAX_DIGITS})",
                    "tal i regler er dage, uger, aldre, antal og satser: skriv et mindre tal",
                )
            continue
        if depth > MAX_NESTING:
            _limit_error(
                file,
                text,
                _first_token(node),
                f"udtrykket er indlejret for dybt (mere end {MAX_NESTING} niveauer)",
                "del udtrykket op med navngivne tidslinjer, mønstre eller mængder",
            )
        stack.extend((child, depth + 1) for child in node.children if child is not None)


def _first_token(node: lark.Tree) -> Token | lark.Tree:
    """The first token under ``node`` (for its position), found without recursion."""
    while isinstance(node, lark.Tree):
        children = [c for c in node.children if c is not None]
        if not children:
            return node
        node = children[0]
    return node


def _limit_error(file: str, text: str, at: Token | lark.Tree, message: str, hint: str) -> None:
    meta = at if isinstance(at, Token) else at.meta
    diag = Diagnostic(pos_of(file, meta), message, hint, source=text)
    raise RuleSyntaxError([diag])


def _with_source(diag: Diagnostic, source: str) -> Diagnostic:
    return Diagnostic(diag.pos, diag.message, diag.hint, diag.severity, source)


def parse_file(path: str | Path) -> ast.Module:
    """Read and parse one rule file (UTF-8)."""
    path = Path(path)
    try:
        return parse_text(decode(path.read_bytes(), str(path)), str(path))
    except OSError as err:
        diag = Diagnostic(SourcePos(str(path), 0, 0), f"kan ikke læse filen: {err.strerror}")
        raise RuleSyntaxError([diag]) from None


def decode(data: bytes, file: str) -> str:
    """The text of a rule file; bytes that are not UTF-8 are reported at their line and column.

    >>> decode("gælder".encode("latin-1"), "f.lov")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    lovregler.errors.RuleSyntaxError: f.lov:1:2: fejl: filen er ikke gyldig UTF-8: byte 0xe6 ...
    """
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        shown = data.decode("utf-8", errors="replace")
        before = data[: err.start].decode("utf-8", errors="replace")
        pos = position(file, shown, len(before), len(before) + 1)
        diag = Diagnostic(
            pos,
            f"filen er ikke gyldig UTF-8: byte 0x{data[err.start]:02x} kan ikke læses",
            "gem filen som UTF-8 (i editoren: »Gem som« med tegnsættet UTF-8)",
            source=shown,
        )
        raise RuleSyntaxError([diag]) from None


def source_digest() -> str:
    """A checksum of the code that decides what a rule file parses to: this module, the
    transformer and the AST classes (the grammar is keyed on its own). A cached AST is used
    only while it matches, so a changed node class is never read from an old pickle."""
    here = Path(__file__).parent
    files = [Path(__file__), *sorted((here / "ast").glob("*.py"))]
    files += sorted((here / "transform").glob("*.py"))
    return hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()
