"""The declarations of a vocabulary (``ordforråd``): enums, event types with their
attributes, facts and period kinds, each with the Danish words prose uses for it."""

from __future__ import annotations

import attrs

from ...errors import SourcePos
from .base import AttrLength, Literal, pos_field


# ── the Danish words of a vocabulary (``kaldet``, ``handling``, ``læses``) ──
@attrs.frozen(kw_only=True)
class Noun:
    """A Danish noun as the vocabulary writes it: ``"en samtale" / "samtaler"``.

    ``written`` is the singular with its article (``en`` or ``et``), which gives the gender.
    """

    written: str
    plural: str
    pos: SourcePos = pos_field()

    @property
    def article(self) -> str:
        """``en`` or ``et`` (anything else is reported by the checker)."""
        return self.written.split(" ", 1)[0]

    @property
    def singular(self) -> str:
        """The singular without its article: ``samtale``."""
        return self.written.split(" ", 1)[1] if " " in self.written else self.written

    @property
    def gender(self) -> str:
        """``c`` (en-ord) or ``n`` (et-ord)."""
        return "n" if self.article == "et" else "c"

    def indefinite(self) -> str:
        """``en samtale`` / ``et tilbud``."""
        return f"{'et' if self.gender == 'n' else 'en'} {self.singular}"

    def each(self) -> str:
        """``hver samtale`` / ``hvert tilbud``."""
        return f"{'hvert' if self.gender == 'n' else 'hver'} {self.singular}"

    def ordinal(self, word: str) -> str:
        """``den første samtale`` / ``det seneste tilbud``."""
        return f"{'det' if self.gender == 'n' else 'den'} {word} {self.singular}"

    def counted(self, n: int) -> str:
        """``en samtale`` for 1, else ``4 samtaler``."""
        return self.indefinite() if n == 1 else f"{n} {self.plural}"


@attrs.frozen(kw_only=True)
class EventWords:
    """How prose speaks of an event type (``kaldet … handling … [omtalt som …]``).

    ``noun`` names the event as something that happens on a day ("en samtale", "en start på
    et tilbud"); ``action`` is what the holder of an obligation does to make it happen, with
    ``{np}`` standing for ``object`` with its article or count ("holde {np} med borgeren");
    ``object`` is ``noun`` unless written; ``subject`` is how the owner of its attributes is
    named in a condition ("tilbuddet").
    """

    noun: Noun
    action: str
    object: Noun
    subject: str = "hændelsen"
    pos: SourcePos = pos_field()


@attrs.frozen(kw_only=True)
class Words:
    """How prose names an attribute, a fact or an enum value (``kaldet "…"``).

    For a true/false attribute or fact, ``text`` is the clause that says it holds and
    ``negated`` the one that says it does not ("borgeren er ansat" / "borgeren ikke er ansat");
    for others ``text`` is a noun phrase ("samtaleformen") and ``negated`` is None.
    """

    text: str
    negated: str | None = None
    pos: SourcePos = pos_field()


@attrs.frozen(kw_only=True)
class PeriodWords:
    """How prose speaks of a period kind (``kaldet … læses …``).

    ``noun`` names one period ("et tilbud"); ``reads`` is the clause that holds on its days
    ("borgeren er i fleksjob"); ``reads_keyed`` the clause for one key, with ``{key}`` where
    the key goes ("borgeren modtager {key}"), None for a period without key.
    """

    noun: Noun
    reads: str
    reads_keyed: str | None = None
    pos: SourcePos = pos_field()


@attrs.frozen(kw_only=True)
class EnumDeclNode:
    """``opregning navn: a, b "b som ord", c``; ``words`` maps a value to its Danish words
    where the name is not already the word."""

    name: str
    values: tuple[str, ...]
    words: tuple[tuple[str, Words], ...] = ()
    pos: SourcePos = pos_field()


@attrs.frozen(kw_only=True)
class TypeRef:
    """An attribute or fact type as written."""

    kind: str  # "bool" | "int" | "text" | "enum"
    enum: str | None = None
    minimum: int | None = None
    maximum: int | None = None
    pos: SourcePos = pos_field()


@attrs.frozen(kw_only=True)
class AttrDeclNode:
    """An attribute line of an event declaration."""

    name: str
    type: TypeRef
    optional: bool = False
    limit_text: str | None = None
    required_when: tuple[str, str] | None = None
    words: Words | None = None
    pos: SourcePos = pos_field()


@attrs.frozen(kw_only=True)
class EventDeclNode:
    """``hændelse navn "titel" { … }``."""

    name: str
    title: str
    attrs: tuple[AttrDeclNode, ...] = ()
    words: EventWords | None = None
    pos: SourcePos = pos_field()


@attrs.frozen(kw_only=True)
class FactDeclNode:
    """``faktum navn: type standard værdi``."""

    name: str
    type: TypeRef
    default: Literal
    words: Words | None = None
    pos: SourcePos = pos_field()


@attrs.frozen(kw_only=True)
class PeriodDeclNode:
    """``periode navn fra start til slut [nøgle attribut]``."""

    name: str
    start: str
    end: str
    key: str | None = None
    words: PeriodWords | None = None
    pos: SourcePos = pos_field()


@attrs.frozen(kw_only=True)
class AttrEquals:
    """``attribut = værdi`` on a declaration's event: ``pos`` is the attribute's, ``value_pos``
    the value's."""

    attr: str
    value: str
    pos: SourcePos = pos_field()
    value_pos: SourcePos = pos_field()


@attrs.frozen(kw_only=True)
class LastingPeriodDeclNode:
    """``periode navn fra start{attribut = værdi} varer attribut enhed``: a period opened by a
    matching start event, lasting as many units as the event's int attribute says."""

    name: str
    start: str
    condition: AttrEquals | None
    length: AttrLength
    words: PeriodWords | None = None
    pos: SourcePos = pos_field()


@attrs.frozen(kw_only=True)
class VocabularyNode:
    """An ``ordforråd`` declaration."""

    name: str
    title: str
    enums: tuple[EnumDeclNode, ...] = ()
    events: tuple[EventDeclNode, ...] = ()
    facts: tuple[FactDeclNode, ...] = ()
    periods: tuple[PeriodDeclNode, ...] = ()
    lasting_periods: tuple[LastingPeriodDeclNode, ...] = ()
    pos: SourcePos = pos_field()
