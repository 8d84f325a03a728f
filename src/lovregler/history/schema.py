"""The vocabulary as loading reads it: every name NFC-normalised, built once per vocabulary."""

from __future__ import annotations

import re
import unicodedata
import weakref
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, TypeVar

import attrs

from ..semantics.vocabulary import AttrDecl, AttrType, FactDecl, PeriodDecl, Vocabulary

if TYPE_CHECKING:
    from .event import Event

_TOP_REQUIRED = ("id", "birth_date", "events")
_TOP_FIELDS = (*_TOP_REQUIRED, "facts")
_EVENT_FIELDS = ("type", "date", "seq")
# ASCII digits only: \d would accept other scripts' digits, and date.fromisoformat accepts
# forms (20150302, 2015-W10) the contract does not allow.
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


#: What a loader gives for one valid citizen: the arguments of ``History``
#: (id, birth day, facts, events in history order, warnings).
Loaded = tuple[str, int, dict[str, object], tuple["Event", ...], tuple[str, ...]]


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@attrs.frozen
class _Schema:
    """A vocabulary with every name NFC-normalised, built once per vocabulary object."""

    enums: Mapping[str, tuple[str, ...]]
    events: Mapping[str, Mapping[str, AttrDecl]]
    facts: Mapping[str, FactDecl]
    periods: tuple[PeriodDecl, ...]

    @classmethod
    def build(cls, vocab: Vocabulary) -> _Schema:
        enums = {_nfc(k): tuple(_nfc(v) for v in vs) for k, vs in vocab.enums.items()}
        events = {
            _nfc(name): {_nfc(a): _nfc_attr(d) for a, d in et.attrs.items()}
            for name, et in vocab.events.items()
        }
        facts = {_nfc(k): _nfc_fact(f) for k, f in vocab.facts.items()}
        return cls(enums, events, facts, tuple(_nfc_period(p) for p in vocab.periods.values()))


def _nfc_type(t: AttrType) -> AttrType:
    return attrs.evolve(t, enum=_nfc(t.enum)) if t.enum else t


def _nfc_attr(d: AttrDecl) -> AttrDecl:
    when = (_nfc(d.required_when[0]), _nfc(d.required_when[1])) if d.required_when else None
    return attrs.evolve(d, name=_nfc(d.name), type=_nfc_type(d.type), required_when=when)


def _nfc_fact(f: FactDecl) -> FactDecl:
    default = _nfc(f.default) if isinstance(f.default, str) else f.default
    return attrs.evolve(f, name=_nfc(f.name), type=_nfc_type(f.type), default=default)


def _nfc_period(p: PeriodDecl) -> PeriodDecl:
    key = _nfc(p.key) if p.key else None
    return attrs.evolve(p, name=_nfc(p.name), start=_nfc(p.start), end=_nfc(p.end), key=key)


_T = TypeVar("_T")


def per_vocabulary(build: Callable[[Vocabulary], _T]) -> Callable[[Vocabulary], _T]:
    """``build`` cached per vocabulary object, for as long as that object lives.

    Keyed by id() with a weakref guard: a Vocabulary holds dicts, so it is not hashable, and
    a batch loads millions of citizens against one vocabulary.
    """
    cache: dict[int, tuple[weakref.ref[Vocabulary], _T]] = {}
    last: list[tuple[weakref.ref[Vocabulary], _T]] = []  # the last one asked for: one lookup

    def cached(vocab: Vocabulary) -> _T:
        if last and last[0][0]() is vocab:
            return last[0][1]
        key = id(vocab)
        hit = cache.get(key)
        if hit is None or hit[0]() is not vocab:
            hit = (weakref.ref(vocab, lambda _: cache.pop(key, None)), build(vocab))
            cache[key] = hit
        last[:] = [hit]
        return hit[1]

    return cached


_schema = per_vocabulary(_Schema.build)
