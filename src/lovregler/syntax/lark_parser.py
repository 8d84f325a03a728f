"""The grammar and its Lark parser: loaded once per process, the parse tables cached.

The syntax stage's first step, on its own so that everything that reads the grammar (the
parser in :mod:`lovregler.syntax.parse`, the keyword table of :mod:`lovregler.syntax.keywords`, the
formatter, the highlighters) can do so without importing the parser's error handling.
"""

from __future__ import annotations

import functools
import hashlib
import io
from importlib import resources

import lark
from lark import Lark

from .. import cache

__all__ = ["GRAMMAR_FILE", "grammar_text", "parser"]

GRAMMAR_FILE = "lovregler.lark"


@functools.cache
def grammar_text() -> str:
    """The grammar source, from the installed package data."""
    return resources.files("lovregler.grammar").joinpath(GRAMMAR_FILE).read_text("utf-8")


_PARSER_OPTIONS: dict[str, object] = {
    "parser": "lalr",
    "lexer": "contextual",
    "strict": True,
    "propagate_positions": True,
    "maybe_placeholders": True,
}


@functools.cache
def parser() -> Lark:
    """The one Lark parser of this process (LALR, contextual lexer, strict, cached).

    Lark's own file cache is a pickle under a predictable name; instead the parse tables are
    kept in this user's authenticated cache (:mod:`lovregler.cache`), so a planted file is
    never unpickled.
    """
    name = hashlib.sha256(
        f"{lark.__version__}\0{sorted(_PARSER_OPTIONS.items())}\0{grammar_text()}".encode()
    ).hexdigest()
    data = cache.load("grammar", f"{name}.lark")
    if data is not None:
        try:
            return Lark.load(io.BytesIO(data))
        except Exception:  # a stale entry (another Lark) is rebuilt below
            pass
    built = Lark(grammar_text(), **_PARSER_OPTIONS)  # type: ignore[arg-type]
    buffer = io.BytesIO()
    built.save(buffer)
    cache.store("grammar", f"{name}.lark", buffer.getvalue())
    return built
