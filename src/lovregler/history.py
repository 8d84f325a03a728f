"""Citizen histories: the model the evaluators read, and loading with validation.

A history is loaded once and read many times, so the model is cheap to read: dates are int
day numbers (``datetime.date.toordinal()``), events are sorted by day once at load time, and
every declared fact is present. Loading checks the whole data contract (``contract.md`` §1)
against a :class:`~lovregler.semantics.vocabulary.Vocabulary` and raises a
:class:`~lovregler.errors.HistoryError` naming the citizen, the event index and the field.

For example (``vocabulary`` is the project's declaration)::

    h = History.from_dict({"id": "b1", "birth_date": "1975-04-12", "events": [
        {"type": "samtale", "date": "2015-03-06"},
        {"type": "ydelse_start", "date": "2015-03-02", "ydelse": "kontanthjælp"}]}, vocabulary)
    [e.type for e in h.events]  # ['ydelse_start', 'samtale']

Periods (``ydelse``, ``tilbud``, ...) are built from start and end events by
:func:`periods_of`; :func:`segments_of` splits them where an attribute of the start event
(the ``målgruppe``) changes.
"""

from __future__ import annotations

import bisect
import datetime
import json
import os
import re
import unicodedata
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import IO, Any

import attrs
from attrs import field as _field  # Event.attrs shadows the module name in its body

from .errors import HistoryError, did_you_mean
from .semantics.vocabulary import AttrDecl, AttrType, FactDecl, PeriodDecl, Vocabulary
from .timecalc import INF  # one "open end" day number for the whole runtime (periods.py too)

__all__ = [
    "INF",
    "Event",
    "History",
    "Period",
    "Segment",
    "iter_jsonl",
    "leading_id",
    "parse_json",
    "periods_of",
    "segments_of",
    "valid_id",
]

#: ``(start_day, end_day, start_event_index)``; ``end_day`` is :data:`INF` for an open period.
Period = tuple[int, int, int]
#: ``(start_day, end_day, attribute_value)``.
Segment = tuple[int, int, object]

_TOP_REQUIRED = ("id", "birth_date", "events")
_TOP_FIELDS = (*_TOP_REQUIRED, "facts")
_EVENT_FIELDS = ("type", "date", "seq")
# ASCII digits only: \d would accept other scripts' digits, and date.fromisoformat accepts
# forms (20150302, 2015-W10) the contract does not allow.
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _iso(day: int) -> str:
    return datetime.date.fromordinal(day).isoformat()


# --------------------------------------------------------------------------- model


@attrs.frozen
class Event:
    """One event of a history.

    ``attrs`` holds validated values (enum values as NFC strings, bools, ints, text); absent
    optional attributes are not in it. ``index`` is the event's position in the input list
    and ``seq`` its optional same-date order; neither takes part in equality, because the
    order they decide is already the order of :attr:`History.events`.

    >>> Event("samtale", 735663, {}, 0).date
    datetime.date(2015, 3, 6)
    """

    type: str
    day: int
    attrs: Mapping[str, object]
    index: int = _field(eq=False)
    seq: int | None = _field(default=None, eq=False)

    @property
    def date(self) -> datetime.date:
        """The event's calendar date."""
        return datetime.date.fromordinal(self.day)


@attrs.frozen
class History:
    """A validated citizen history.

    ``facts`` has every declared fact (absent ones take their declared default); ``events``
    is sorted by day, and same-day events keep their ``seq`` order, else their input order.
    ``warnings`` lists what lenient loading dropped; it is not part of equality. Build one
    with :meth:`from_dict` or :meth:`from_json`; the constructor trusts its arguments.
    """

    id: str
    birth_day: int
    facts: Mapping[str, object]
    events: tuple[Event, ...]
    warnings: tuple[str, ...] = attrs.field(default=(), eq=False)
    _days: tuple[int, ...] = attrs.field(init=False, eq=False, repr=False)
    _by_type: dict[str, tuple[list[int], list[Event]]] | None = attrs.field(
        init=False, eq=False, repr=False
    )

    def __attrs_post_init__(self) -> None:
        # Precomputed once so until() is a bisect, not a scan, on the evaluator hot path.
        object.__setattr__(self, "_days", tuple(map(_day_of_event, self.events)))
        object.__setattr__(self, "_by_type", None)

    @property
    def birth_date(self) -> datetime.date:
        """The citizen's birth date."""
        return datetime.date.fromordinal(self.birth_day)

    def until(self, day: int) -> tuple[Event, ...]:
        """The events on or before ``day``, in history order.

        >>> h = History("b", 1, {}, (Event("a", 5, {}, 0), Event("b", 7, {}, 1)))
        >>> [e.type for e in h.until(6)], [e.type for e in h.until(7)]
        (['a'], ['a', 'b'])
        """
        return self.events[: bisect.bisect_right(self._days, day)]

    def by_type(self, day: int) -> Mapping[str, tuple[list[int], list[Event]]]:
        """``(days, events)`` per event type of the events on or before ``day``, in history
        order. When ``day`` is on or after the last event the index is built once and shared
        (a batch evaluates one history under every ruleset): callers must not change it.

        >>> h = History("b", 1, {}, (Event("a", 5, {}, 0), Event("b", 7, {}, 1)))
        >>> h.by_type(6)["a"][0], "b" in h.by_type(6), h.by_type(9) is h.by_type(10)
        ([5], False, True)
        """
        whole = not self._days or day >= self._days[-1]
        if whole and self._by_type is not None:
            return self._by_type
        table: dict[str, tuple[list[int], list[Event]]] = {}
        for e in self.events if whole else self.until(day):
            days, evs = table.setdefault(e.type, ([], []))
            days.append(e.day)
            evs.append(e)
        if whole:
            object.__setattr__(self, "_by_type", table)
        return table

    @classmethod
    def from_dict(cls, obj: object, vocabulary: Vocabulary, *, lenient: bool = False) -> History:
        """Validate a decoded JSON citizen object (``contract.md`` §1) and build the history.

        With ``lenient=True`` an attribute its event type does not declare is dropped and
        recorded in :attr:`warnings` instead of raising. Attribute and fact values of
        ``None`` count as absent (a table export writes empty cells that way), and ``date``
        values may also be :class:`datetime.date` objects (Parquet date columns).

        Raises :class:`HistoryError` on the first breach of the contract.
        """
        schema = _schema(vocabulary)
        # The fast path takes only plainly valid citizens; anything else (and so every error)
        # goes through the checking loader, which says exactly what is wrong.
        history = schema.fast.load(obj)
        return history if history is not None else _Loader(schema, lenient).load(obj)

    @classmethod
    def from_json(
        cls, text: str | bytes, vocabulary: Vocabulary, *, lenient: bool = False
    ) -> History:
        """Parse one JSON citizen object and validate it as :meth:`from_dict` does."""
        try:
            obj = parse_json(text)
        except HistoryError as exc:
            raise HistoryError(None, exc.message) from None
        return cls.from_dict(obj, vocabulary, lenient=lenient)

    def to_dict(self) -> dict[str, object]:
        """The contract's JSON form; :meth:`from_dict` of it gives an equal history.

        Events come in input order with their ``seq``, so reloading keeps the indices too.
        """
        return {
            "id": self.id,
            "birth_date": _iso(self.birth_day),
            "facts": dict(self.facts),
            "events": [_event_dict(e) for e in sorted(self.events, key=lambda e: e.index)],
        }


def _event_dict(event: Event) -> dict[str, object]:
    out: dict[str, object] = {"type": event.type, "date": _iso(event.day)}
    if event.seq is not None:
        out["seq"] = event.seq
    out.update(event.attrs)
    return out


# --------------------------------------------------------------------------- schema


@attrs.frozen
class _Schema:
    """A vocabulary with every name NFC-normalised, built once per vocabulary object."""

    enums: Mapping[str, tuple[str, ...]]
    events: Mapping[str, Mapping[str, AttrDecl]]
    facts: Mapping[str, FactDecl]
    periods: tuple[PeriodDecl, ...]
    fast: _FastLoader = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "fast", _FastLoader(self))

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


# Keyed by id() with a weakref guard: a Vocabulary holds dicts, so it is not hashable, and a
# batch loads millions of citizens against one vocabulary.
_SCHEMAS: dict[int, tuple[weakref.ref[Vocabulary], _Schema]] = {}


def _schema(vocab: Vocabulary) -> _Schema:
    key = id(vocab)
    hit = _SCHEMAS.get(key)
    if hit is not None and hit[0]() is vocab:
        return hit[1]
    schema = _Schema.build(vocab)
    _SCHEMAS[key] = (weakref.ref(vocab, lambda _: _SCHEMAS.pop(key, None)), schema)
    return schema


# --------------------------------------------------------------------------- fast loading

_TOP_FIELD_SET = frozenset(_TOP_FIELDS)
# Day numbers of the ISO dates seen lately: a caseload repeats a few thousand dates, and a
# dict lookup is much cheaper than a regex and a date object per date. Bounded, so a
# caseload of scattered dates cannot grow it without end.
_DAYS: dict[str, int] = {}
_DAYS_LIMIT = 100_000


def _plain_day(raw: object) -> int | None:
    """The day number of a well-formed date (ISO text or date object), else None."""
    if type(raw) is str:
        day = _DAYS.get(raw)
        if day is not None:
            return day
        if not _DATE_RE.fullmatch(raw):
            return None
        try:
            day = datetime.date(int(raw[:4]), int(raw[5:7]), int(raw[8:])).toordinal()
        except ValueError:
            return None
        if len(_DAYS) >= _DAYS_LIMIT:
            _DAYS.clear()
        _DAYS[raw] = day
        return day
    if type(raw) is datetime.date:
        return raw.toordinal()
    return None


def _value_check(atype: AttrType, enums: Mapping[str, tuple[str, ...]]) -> Callable[[object], bool]:
    """Whether a value is valid as it stands (right type, in range, a legal enum value, NFC
    text); anything else is for the checking loader to judge or normalise."""
    if atype.kind == "bool":
        return lambda raw: type(raw) is bool
    if atype.kind == "int":
        low = atype.minimum if atype.minimum is not None else -(10**100)
        high = atype.maximum if atype.maximum is not None else 10**100
        return lambda raw: type(raw) is int and low <= raw <= high
    if atype.kind == "enum":
        legal = frozenset(enums.get(atype.enum or "", ()))
        return lambda raw: type(raw) is str and raw in legal
    return lambda raw: type(raw) is str and unicodedata.is_normalized("NFC", raw)


@attrs.frozen
class _EventShape:
    """What the fast path checks for one event type, prepared once per vocabulary."""

    checks: Mapping[str, Callable[[object], bool]]
    required: frozenset[str]
    required_when: tuple[tuple[str, str, str], ...]

    @classmethod
    def build(
        cls, decls: Mapping[str, AttrDecl], enums: Mapping[str, tuple[str, ...]]
    ) -> _EventShape:
        checks = {name: _value_check(d.type, enums) for name, d in decls.items()}
        required = frozenset(
            n for n, d in decls.items() if not d.optional and d.required_when is None
        )
        when = tuple((n, *d.required_when) for n, d in decls.items() if d.required_when)
        return cls(checks, required, when)  # type: ignore[arg-type]


#: For each event type, its roles in period kinds: (period kind index, is a start, key name).
_Roles = Mapping[str, tuple[tuple[int, bool, str | None], ...]]


def _period_roles(periods: tuple[PeriodDecl, ...]) -> _Roles:
    roles: dict[str, list[tuple[int, bool, str | None]]] = {}
    for number, decl in enumerate(periods):
        roles.setdefault(decl.start, []).append((number, True, decl.key))
        if decl.end != decl.start:  # _build_periods reads such an event as a start
            roles.setdefault(decl.end, []).append((number, False, decl.key))
    return {kind: tuple(r) for kind, r in roles.items()}


class _FastLoader:
    """Loads a plainly valid citizen with dict lookups only, or gives None.

    Plainly valid: every key and value already NFC and declared, dates well formed, ``seq``
    on all or none of a day's events, no end event without its period. None sends the citizen to :class:`_Loader`,
    which gives the same history for valid input and the precise error otherwise; so this
    path decides speed only, never a result or an error.
    """

    def __init__(self, schema: _Schema):
        self.shapes = {k: _EventShape.build(d, schema.enums) for k, d in schema.events.items()}
        self.facts = {k: _value_check(f.type, schema.enums) for k, f in schema.facts.items()}
        self.defaults = {k: f.default for k, f in schema.facts.items()}
        self.roles = _period_roles(schema.periods)

    def load(self, obj: object) -> History | None:
        if type(obj) is not dict or not obj.keys() <= _TOP_FIELD_SET:
            return None
        cid, birth_day = obj.get("id"), _plain_day(obj.get("birth_date"))
        raw_events = obj.get("events")
        if type(cid) is not str or not cid.isascii() or birth_day is None:
            return None
        if type(raw_events) is not list:
            return None
        facts = self.load_facts(obj.get("facts"))
        events = self.load_events(raw_events)
        if facts is None or events is None or self.orphan(events):
            return None
        return History(cid, birth_day, facts, events)

    def load_facts(self, raw: object) -> dict[str, object] | None:
        if not raw:
            return dict(self.defaults) if raw is None or type(raw) is dict else None
        if type(raw) is not dict:
            return None
        for name, value in raw.items():
            check = self.facts.get(name)
            if check is None or (value is not None and not check(value)):
                return None
        given = {name: value for name, value in raw.items() if value is not None}
        return {**self.defaults, **given}

    def load_events(self, raw_events: list[object]) -> tuple[Event, ...] | None:
        events = []
        shapes, days = self.shapes, _DAYS
        ordered = False  # whether some event has a seq
        for index, raw in enumerate(raw_events):
            if type(raw) is not dict:
                return None
            values = raw.copy()
            kind = values.pop("type", None)
            date = values.pop("date", None)
            seq = values.pop("seq", None)
            day = days.get(date) if type(date) is str else None
            if day is None:
                day = _plain_day(date)
            shape = shapes.get(kind) if type(kind) is str else None
            if shape is None or day is None:
                return None
            if seq is not None:
                if type(seq) is not int:
                    return None
                ordered = True
            checks = shape.checks
            for name, value in values.items():
                check = checks.get(name)
                if check is None or not check(value):
                    if value is None:  # an absent value: dropped, as the checking loader does
                        return self.without_none(raw_events)
                    return None
            if not shape.required <= values.keys():
                return None
            for name, other, wanted in shape.required_when:
                if (values.get(other) == wanted) != (name in values):
                    return None
            events.append(Event(kind, day, values, index, seq))  # type: ignore[arg-type]
        if not ordered:
            events.sort(key=_day_of_event)  # stable: same-day events keep their input order
        elif _mixed_seq(events):
            return None
        else:
            events.sort(key=_seq_order)
        return tuple(events)

    def without_none(self, raw_events: list[object]) -> tuple[Event, ...] | None:
        """The events with attributes of value None left out (a table export writes them)."""
        cleaned: list[object] = []
        for raw in raw_events:
            if type(raw) is not dict:
                return None
            cleaned.append({k: v for k, v in raw.items() if v is not None or k in _EVENT_FIELDS})
        return self.load_events(cleaned)

    def orphan(self, events: tuple[Event, ...]) -> bool:
        """Whether an end event has no open period of its kind and key (as in
        :func:`_build_periods`, for every period kind in one pass)."""
        roles = self.roles
        open_: set[tuple[int, object]] = set()
        for e in events:
            for number, is_start, key in roles.get(e.type, ()):
                which = (number, e.attrs.get(key) if key else None)
                if is_start:
                    open_.add(which)
                elif which in open_:
                    open_.remove(which)
                else:
                    return True
        return False


def _day_of_event(event: Event) -> int:
    return event.day


def _seq_order(event: Event) -> tuple[int, int, int]:
    return event.day, event.seq or 0, event.index


def _mixed_seq(events: list[Event]) -> bool:
    """Whether a day has events with and without seq (the checking loader refuses it)."""
    with_seq = {e.day for e in events if e.seq is not None}
    return any(e.seq is None and e.day in with_seq for e in events)


# --------------------------------------------------------------------------- loading


class _Loader:
    """Validates one citizen; holds the citizen id so every error can name it."""

    def __init__(self, schema: _Schema, lenient: bool):
        self.schema = schema
        self.lenient = lenient
        self.citizen: str | None = None
        self.warnings: list[str] = []

    def error(self, message: str, **where: Any) -> HistoryError:
        return HistoryError(self.citizen, message, **where)

    def load(self, obj: object) -> History:
        top = self.top_level(obj)
        birth_day = self.date(top["birth_date"], field="birth_date")
        facts = self.facts(top.get("facts"))
        events = self.sort([self.event(i, raw) for i, raw in enumerate(self.event_list(top))])
        self.check_periods(events)
        return History(self.citizen or "", birth_day, facts, events, tuple(self.warnings))

    def top_level(self, obj: object) -> dict[str, object]:
        if not isinstance(obj, dict):
            raise self.error("en borger skal være et JSON-objekt", expected="{...}")
        top = self.nfc_keys(obj, event=None)
        cid = top.get("id")
        if isinstance(cid, str) and valid_id(cid) is None:
            raise self.error(f"id {cid!r} er ikke gyldig Unicode (en enlig surrogat)", field="id")
        if isinstance(cid, str):
            self.citizen = cid  # set first, so every later error names the citizen
        elif "id" in top:
            raise self.error("id skal være en tekststreng", field="id", expected="tekst")
        self.check_fields(top)
        return top

    def check_fields(self, top: dict[str, object]) -> None:
        for name in _TOP_REQUIRED:
            if name not in top:
                raise self.error("mangler", field=name, expected=", ".join(_TOP_REQUIRED))
        for name in top:
            if name not in _TOP_FIELDS:
                raise self.error(
                    "ukendt felt",
                    field=name,
                    expected=", ".join(_TOP_FIELDS),
                    suggestion=did_you_mean(name, _TOP_FIELDS),
                )

    def nfc_keys(self, obj: dict[Any, object], event: int | None) -> dict[str, object]:
        out: dict[str, object] = {}
        for key, value in obj.items():
            name = _nfc(key) if isinstance(key, str) else str(key)
            if name in out:  # two spellings of one name (composed and decomposed)
                raise self.error("feltet er angivet to gange", event=event, field=name)
            out[name] = value
        return out

    def date(self, raw: object, *, field: str, event: int | None = None) -> int:
        if isinstance(raw, datetime.date) and not isinstance(raw, datetime.datetime):
            return raw.toordinal()
        if not isinstance(raw, str) or not _DATE_RE.fullmatch(raw):
            raise self.error(
                f"ugyldig dato {raw!r}", event=event, field=field, expected="ÅÅÅÅ-MM-DD"
            )
        try:
            return datetime.date(int(raw[:4]), int(raw[5:7]), int(raw[8:])).toordinal()
        except ValueError:
            raise self.error(
                f"datoen {raw} findes ikke", event=event, field=field, expected="en gyldig dato"
            ) from None

    def facts(self, raw: object) -> dict[str, object]:
        if raw is None:
            raw = {}
        if not isinstance(raw, dict):
            raise self.error("facts skal være et JSON-objekt", field="facts", expected="{...}")
        given = self.nfc_keys(raw, event=None)
        for name in given:
            if name not in self.schema.facts:
                raise self.error(
                    "ukendt faktum",
                    field=f"facts.{name}",
                    expected=", ".join(self.schema.facts),
                    suggestion=did_you_mean(name, self.schema.facts),
                )
        return {name: self.fact(decl, given.get(name)) for name, decl in self.schema.facts.items()}

    def fact(self, decl: FactDecl, raw: object) -> object:
        if raw is None:
            return decl.default
        return self.value(decl.type, raw, event=None, field=f"facts.{decl.name}")

    def event_list(self, top: dict[str, object]) -> list[object]:
        raw = top["events"]
        if not isinstance(raw, list):
            raise self.error("events skal være en JSON-liste", field="events", expected="[...]")
        return raw

    def event(self, index: int, raw: object) -> Event:
        if not isinstance(raw, dict):
            raise self.error("en hændelse skal være et JSON-objekt", event=index, expected="{...}")
        fields = self.nfc_keys(raw, event=index)
        kind = self.event_type(index, fields)
        day = self.date(fields.get("date"), field="date", event=index)
        seq = self.seq(index, fields.get("seq"))
        values = self.attributes(index, kind, fields)
        return Event(kind, day, values, index, seq)

    def event_type(self, index: int, fields: dict[str, object]) -> str:
        kind = fields.get("type")
        if not isinstance(kind, str):
            what = "mangler" if kind is None else "type skal være en tekststreng"
            raise self.error(what, event=index, field="type", expected="en hændelsestype")
        kind = _nfc(kind)
        if kind not in self.schema.events:
            raise self.error(
                f"ukendt hændelsestype {kind!r}",
                event=index,
                field="type",
                expected="en hændelsestype fra ordforrådet",
                suggestion=did_you_mean(kind, self.schema.events),
            )
        return kind

    def seq(self, index: int, raw: object) -> int | None:
        if raw is None or (isinstance(raw, int) and not isinstance(raw, bool)):
            return raw
        raise self.error("seq skal være et heltal", event=index, field="seq", expected="et heltal")

    def attributes(self, index: int, kind: str, fields: dict[str, object]) -> dict[str, object]:
        decls = self.schema.events[kind]
        values: dict[str, object] = {}
        for name, raw in fields.items():
            if name in _EVENT_FIELDS or raw is None:
                continue
            decl = decls.get(name)
            if decl is None:
                self.undeclared(index, kind, name, decls)
                continue
            values[name] = self.value(decl.type, raw, event=index, field=name)
        for decl in decls.values():
            self.check_presence(index, kind, decl, values)
        return values

    def undeclared(self, index: int, kind: str, name: str, decls: Mapping[str, AttrDecl]) -> None:
        hint = did_you_mean(name, decls)
        if not self.lenient:
            expected = ", ".join(decls) or "ingen attributter"
            raise self.error(
                f"{kind} har ingen attribut {name!r}",
                event=index,
                field=name,
                expected=expected,
                suggestion=hint,
            )
        # Lenient loading drops the attribute, but the caller should still hear about it.
        tail = f" (mente du {hint!r}?)" if hint else ""
        self.warnings.append(
            f"borger {self.citizen!r}, hændelse nr. {index}: ukendt attribut {name!r} "
            f"på {kind} ignoreret{tail}"
        )

    def check_presence(
        self, index: int, kind: str, decl: AttrDecl, values: dict[str, object]
    ) -> None:
        if decl.required_when is not None:
            self.check_required_when(index, decl, values)
        elif not decl.optional and decl.name not in values:
            raise self.error(
                f"{kind} mangler attributten",
                event=index,
                field=decl.name,
                expected=decl.type.describe(),
            )

    def check_required_when(self, index: int, decl: AttrDecl, values: dict[str, object]) -> None:
        other, wanted = decl.required_when or ("", "")
        needed = values.get(other) == wanted
        if needed == (decl.name in values):
            return
        verb = "skal angives" if needed else "må kun angives"
        raise self.error(
            f"{verb} når {other} = {wanted}",
            event=index,
            field=decl.name,
            expected=decl.type.describe() if needed else "ingen værdi",
        )

    def value(self, atype: AttrType, raw: object, *, event: int | None, field: str) -> object:
        if atype.kind == "bool":
            if isinstance(raw, bool):
                return raw
        elif atype.kind == "int":
            if isinstance(raw, int) and not isinstance(raw, bool):
                return self.in_range(atype, raw, event=event, field=field)
        elif isinstance(raw, str):
            text = _nfc(raw)
            return self.enum_value(atype, text, event, field) if atype.kind == "enum" else text
        raise self.error(
            f"forkert værditype {type(raw).__name__} ({raw!r})",
            event=event,
            field=field,
            expected=atype.describe(),
        )

    def in_range(self, atype: AttrType, raw: int, *, event: int | None, field: str) -> int:
        low = atype.minimum if atype.minimum is not None else raw
        high = atype.maximum if atype.maximum is not None else raw
        if low <= raw <= high:
            return raw
        limit = atype.limit_text or f"{field} skal være {atype.describe()}"
        raise self.error(
            f"{field}={raw} er uden for det lovlige: {limit}",
            event=event,
            field=field,
            expected=atype.describe(),
        )

    def enum_value(self, atype: AttrType, text: str, event: int | None, field: str) -> str:
        legal = self.schema.enums.get(atype.enum or "", ())
        if text in legal:
            return text
        raise self.error(
            f"{text!r} er ikke en værdi af {atype.enum}",
            event=event,
            field=field,
            expected=", ".join(legal),
            suggestion=did_you_mean(text, legal),
        )

    def sort(self, events: list[Event]) -> tuple[Event, ...]:
        # seq orders only same-day events; a day where some have seq and some not is
        # ambiguous, so it is refused rather than guessed.
        mixed: dict[int, Event] = {}
        with_seq = {e.day for e in events if e.seq is not None}
        for e in events:
            if e.seq is None and e.day in with_seq:
                mixed.setdefault(e.day, e)
        if mixed:
            first = min(mixed.values(), key=lambda e: e.index)
            raise self.error(
                f"hændelser den {first.date} har seq på nogle, ikke alle",
                event=first.index,
                field="seq",
                expected="seq på alle eller ingen samme dag",
            )
        return tuple(sorted(events, key=lambda e: (e.day, e.seq or 0, e.index)))

    def check_periods(self, events: tuple[Event, ...]) -> None:
        for decl in self.schema.periods:
            orphan = _build_periods(events, decl, INF)[1]
            if orphan is not None:
                raise self.orphan_error(decl, orphan)

    def orphan_error(self, decl: PeriodDecl, end: Event) -> HistoryError:
        of = f" med {decl.key} = {_key(end, decl)}" if decl.key else ""
        return self.error(
            f"{end.type} den {end.date} uden en åben {decl.name}-periode{of}",
            event=end.index,
            field=decl.key or "type",
            expected=f"en forudgående {decl.start}{of}",
        )


# --------------------------------------------------------------------------- periods


def _build_periods(
    events: Iterable[Event], decl: PeriodDecl, as_of_day: int
) -> tuple[dict[object, list[Period]], Event | None]:
    """The periods of ``decl`` and the first end event with no open period (or None)."""
    open_: dict[object, tuple[int, int]] = {}
    done: dict[object, list[Period]] = {}
    for e in events:
        if e.day > as_of_day:
            break
        if e.type != decl.start and e.type != decl.end:
            continue
        key = _key(e, decl)
        if e.type == decl.start:
            if key not in open_:  # a start while open only continues the period
                open_[key] = _reopen(done.setdefault(key, []), e)
        elif key in open_:
            start, index = open_.pop(key)
            done[key].append((start, e.day, index))
        else:
            return done, e
    for key, (start, index) in open_.items():
        done[key].append((start, INF, index))
    return done, None


def _key(event: Event, decl: PeriodDecl) -> object:
    return event.attrs.get(decl.key) if decl.key else None


def _reopen(closed: list[Period], start: Event) -> tuple[int, int]:
    # Catalogue §0: a start on or before the day after the last end continues that period.
    if closed and start.day <= closed[-1][1] + 1:
        first, _, index = closed.pop()
        return first, index
    return start.day, start.index


def _nfc_decl(decl: PeriodDecl) -> PeriodDecl:
    names = (decl.start, decl.end, decl.key or "")
    return decl if all(n == _nfc(n) for n in names) else _nfc_period(decl)


def periods_of(
    history: History, decl: PeriodDecl, as_of_day: int = INF
) -> dict[object, list[Period]]:
    """The periods of one kind, per key value, from the events on or before ``as_of_day``.

    Each period is ``(start_day, end_day, start_event_index)``, ``end_day`` inclusive and
    :data:`INF` while open; ``start_event_index`` is the :attr:`Event.index` of its first
    start. Periods of a key are sorted and merged as catalogue §0 says. Keyless kinds use
    the key ``None``. The history is assumed valid (no end without an open period).
    """
    return _build_periods(history.events, _nfc_decl(decl), as_of_day)[0]


def segments_of(
    history: History, decl: PeriodDecl, key: object, attr: str, as_of_day: int = INF
) -> list[Segment]:
    """The periods of ``key`` split where ``attr`` of the start event in force changes.

    The value in force on a day is that of the latest start event of the period kind and key
    on or before it (catalogue §0: the ``målgruppe`` of the latest ``ydelse_start``), or None
    when that event leaves ``attr`` out. Neighbouring segments with equal values are joined,
    so the segments whose value is ``aktivitetsparat`` are the aktivitetsparat forløb.
    """
    decl, attr = _nfc_decl(decl), _nfc(attr)
    starts = [e for e in history.until(as_of_day) if e.type == decl.start and _key(e, decl) == key]
    out: list[Segment] = []
    for start, end, _ in periods_of(history, decl, as_of_day).get(key, []):
        changes = [(e.day, e.attrs.get(attr)) for e in starts if start <= e.day <= end]
        out.extend(_split(start, end, changes))
    return out


def _split(start: int, end: int, changes: list[tuple[int, object]]) -> list[Segment]:
    """The segments of [start, end] given its start events' (day, value), in day order."""
    in_force: dict[int, object] = {}
    for day, value in changes:
        in_force[day] = value  # of several same-day starts, the last one is in force
    segments: list[Segment] = []
    for day, value in in_force.items():
        if segments and segments[-1][2] == value:
            continue
        if segments:
            segments[-1] = (segments[-1][0], day - 1, segments[-1][2])
        segments.append((max(day, start), end, value))
    return segments


# --------------------------------------------------------------------------- JSON Lines

#: A JSON line that starts with its id: ``{"id": "..."``. Matched only at the start of the
#: line and over its first bytes, so that a broken line keeps its id without a search of the
#: whole line, and an ``"id"`` inside an event is never taken for the citizen's.
_LEADING_ID_RE = re.compile(r'\s*\{\s*"id"\s*:\s*"((?:[^"\\]|\\.){0,200})"')
_LEADING_ID_CHARS = 1024


def parse_json(text: str | bytes) -> object:
    """Decode one JSON citizen; raises :class:`HistoryError` for anything that is not
    plain JSON: bad syntax, a key given twice in one object (which would otherwise be
    resolved silently, the last one winning), or nesting too deep to decode.

    >>> parse_json('{"id": "a", "id": "b"}')
    Traceback (most recent call last):
    ...
    lovregler.errors.HistoryError: borger <uden id>: ikke gyldig JSON: nøglen 'id' står to gange i samme objekt
    """
    try:
        return json.loads(text, object_pairs_hook=_unique_keys)
    except _DuplicateKey as exc:
        raise HistoryError(
            None, f"ikke gyldig JSON: nøglen {exc.key!r} står to gange i samme objekt"
        ) from None
    except RecursionError:
        raise HistoryError(None, "ikke gyldig JSON: for dybt indlejret") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise HistoryError(None, f"ikke gyldig JSON: {exc}") from None


class _DuplicateKey(ValueError):
    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def _unique_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return out


def valid_id(value: object) -> str | None:
    """``value`` when it can be a citizen id in any output (text that is valid Unicode).

    >>> valid_id("kbh-1"), valid_id("x\\ud800"), valid_id(7)
    ('kbh-1', None, None)
    """
    if not isinstance(value, str):
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate ("\\ud800"): no UTF-8 text can hold it
        return None
    return value


def leading_id(text: str) -> str | None:
    """The id of a JSON line that begins with it (``{"id": "kbh-1", ...``), else None.

    >>> leading_id('{"id": "kbh-1", oops')
    'kbh-1'
    >>> leading_id('{"events": [{"id": "kbh-2"}]}') is None
    True
    """
    found = _LEADING_ID_RE.match(text[:_LEADING_ID_CHARS])
    if not found:
        return None
    try:
        return valid_id(json.loads(f'"{found.group(1)}"'))
    except ValueError:
        return None


def iter_jsonl(
    source: str | os.PathLike[str] | IO[str] | IO[bytes] | Iterable[str | bytes],
    vocabulary: Vocabulary,
    *,
    lenient: bool = False,
) -> Iterator[History | HistoryError]:
    """Load a JSON Lines caseload: one :class:`History` or :class:`HistoryError` per line.

    A bad line becomes an error value instead of stopping the batch, so that citizens in
    equals results plus errors. Blank lines are skipped. A line that is not JSON (or not
    UTF-8) gives an error naming the line number, and the citizen id when one can be seen.
    ``source`` is a path or an open text or binary file (or any iterable of lines).
    """
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as handle:
            yield from _iter_lines(handle, vocabulary, lenient)
    else:
        yield from _iter_lines(source, vocabulary, lenient)


def _iter_lines(
    lines: Iterable[str | bytes], vocabulary: Vocabulary, lenient: bool
) -> Iterator[History | HistoryError]:
    for number, raw in enumerate(lines, start=1):
        try:
            text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        except UnicodeDecodeError as exc:
            bad = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
            yield _line_error(number, bad, f"er ikke gyldig UTF-8 ({exc.reason})")
            continue
        if number == 1:
            text = text.removeprefix("\ufeff")  # the byte-order mark some exports write
        if text.strip():
            yield _load_line(number, text, vocabulary, lenient)


def _load_line(
    number: int, text: str, vocabulary: Vocabulary, lenient: bool
) -> History | HistoryError:
    try:
        obj = parse_json(text)
    except HistoryError as exc:
        return _line_error(number, text, f"er {exc.message}")
    try:
        return History.from_dict(obj, vocabulary, lenient=lenient)
    except HistoryError as exc:
        return exc


def _line_error(number: int, text: str, problem: str) -> HistoryError:
    # The batch errors output wants a citizen id; a broken line often still begins with one.
    return HistoryError(leading_id(text), f"linje {number} {problem}")
