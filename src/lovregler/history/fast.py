"""The loading fast path: a plainly valid citizen with dict lookups only, or None."""

from __future__ import annotations

import datetime
import unicodedata
from collections.abc import Callable, Mapping

import attrs

from ..semantics.vocabulary import AttrDecl, AttrType, PeriodDecl
from .event import Event, _day_of_event
from .schema import _DATE_RE, _EVENT_FIELDS, _TOP_FIELDS, Loaded, _Schema, _schema, per_vocabulary

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
        self.schema = schema
        self.shapes = {k: _EventShape.build(d, schema.enums) for k, d in schema.events.items()}
        self.facts = {k: _value_check(f.type, schema.enums) for k, f in schema.facts.items()}
        self.defaults = {k: f.default for k, f in schema.facts.items()}
        self.roles = _period_roles(schema.periods)

    def load(self, obj: object) -> Loaded | None:
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
        return cid, birth_day, facts, events, ()

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


def _seq_order(event: Event) -> tuple[int, int, int]:
    return event.day, event.seq or 0, event.index


def _mixed_seq(events: list[Event]) -> bool:
    """Whether a day has events with and without seq (the checking loader refuses it)."""
    with_seq = {e.day for e in events if e.seq is not None}
    return any(e.seq is None and e.day in with_seq for e in events)


#: The fast loader of a vocabulary, built once per vocabulary object.
fast_loader = per_vocabulary(lambda vocab: _FastLoader(_schema(vocab)))
