"""The legal documentation carried by a rule, a version or a ruleset: ``hjemmel``,
``formål``, ``fortolkning``, ``lovtekst`` and ``kilde``."""

from __future__ import annotations

import attrs

from ...errors import SourcePos
from .base import pos_field


@attrs.frozen(kw_only=True)
class Source:
    """``kilde "…"``: the address of a legal source (a page on retsinformation.dk, …)."""

    address: str
    pos: SourcePos = pos_field()

    @property
    def is_link(self) -> bool:
        """Whether the address is a web address (the docs site makes it a link)."""
        return self.address.startswith(("https://", "http://"))


@attrs.frozen(kw_only=True)
class Excerpt:
    """``lovtekst "…"``: a piece of the law's text, quoted verbatim from ``source``.

    ``paraphrase`` (``lovtekst (omskrevet) "…"``) marks a text that says what the law says in
    other words: it is shown as such, and needs no source. ``source`` is the nearest ``kilde``
    before the excerpt in the same block, else the first after it, else None.
    """

    text: str
    paraphrase: bool = False
    source: Source | None = None
    pos: SourcePos = pos_field()


@attrs.frozen(kw_only=True)
class Docs:
    """The legal documentation carried by a rule, version or ruleset.

    ``sources`` are its ``kilde`` clauses in order: where the ``citation`` (``hjemmel``) and
    the ``excerpts`` can be read.
    """

    citation: str | None = None
    purpose: str | None = None
    interpretations: tuple[str, ...] = ()
    excerpts: tuple[Excerpt, ...] = ()
    sources: tuple[Source, ...] = ()
