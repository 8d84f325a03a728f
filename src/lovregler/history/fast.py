"""The loading fast path: a plainly valid citizen checked by msgspec, or None."""

from __future__ import annotations

import datetime
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import msgspec

from ..semantics.vocabulary import AttrDecl, PeriodDecl
from .event import INF, Event, OwnPeriods, _day_of_event
from .json_text import _colons, _decode, valid_id
from .schema import _DATE_RE, _EVENT_FIELDS, _Schema, _schema, per_vocabulary
from .typed import citizen_type, facts_type, rows_type

_convert = msgspec.convert
# A seq the fast path takes: any JSON decoder reads these exactly; others are for the
# checking loader (and json.loads) to judge.
_SEQ_LOW, _SEQ_HIGH = -(2**63), 2**63 - 1
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


#: For each event type, its roles in period kinds: (period kind index, is a start, key name).
_Roles = Mapping[str, tuple[tuple[int, bool, str | None], ...]]

#: What the fast loader gives for a plainly valid citizen: the arguments of ``History``
#: but the warnings (it gives none), then the history's own periods (:meth:`_FastLoader.periods`;
#: None where it made none).
FastLoaded = tuple[str, int, dict[str, object], tuple[Event, ...], OwnPeriods | None]


def _period_roles(periods: tuple[PeriodDecl, ...]) -> _Roles:
    """The roles of the kinds whose start and end types differ. A kind whose one event type
    starts and ends its periods has no role: :func:`.event.build_periods` reads every such
    event as a start, so it can never make an end without a period."""
    roles: dict[str, list[tuple[int, bool, str | None]]] = {}
    for number, decl in enumerate(periods):
        if decl.end != decl.start:
            roles.setdefault(decl.start, []).append((number, True, decl.key))
            roles.setdefault(decl.end, []).append((number, False, decl.key))
    return {kind: tuple(r) for kind, r in roles.items()}


def _period_kinds(periods: tuple[PeriodDecl, ...]) -> dict[tuple[str, str, str | None], int]:
    """The number of each kind that has roles, by what :func:`.event.build_periods` reads
    of it (its start and end types and its key): how an evaluator finds a kind among a
    history's own periods."""
    kinds: dict[tuple[str, str, str | None], int] = {}
    for number, decl in enumerate(periods):
        if decl.end != decl.start:
            kinds.setdefault((decl.start, decl.end, decl.key), number)
    return kinds


class _FastLoader:
    """Loads a plainly valid citizen, or gives None.

    Plainly valid: the citizen passes :func:`.typed.citizen_type` (checked by msgspec in C:
    keys, types, enum values, ranges, required attributes), its dates are well formed, its
    text is NFC, ``seq`` is on all or none of a day's events, and no end event lacks its
    period. None sends the citizen to :class:`~.checking._Loader`, which gives the same
    history for valid input and the precise error otherwise; so this path decides speed
    only, never a result or an error.
    """

    def __init__(self, schema: _Schema):
        self.schema = schema
        self.citizen = citizen_type(schema)
        self.facts_type = facts_type(schema)
        self.rows_type = rows_type(schema)
        self.defaults = {k: f.default for k, f in schema.facts.items()}
        self.text_facts = tuple(k for k, f in schema.facts.items() if f.type.kind == "text")
        self.extra = {k: check for k, d in schema.events.items() if (check := _extra_check(d))}
        self.roles = _period_roles(schema.periods)
        self.kinds = _period_kinds(schema.periods)
        # own_periods reads a period's key from the input's event dict, where an attribute
        # named like an event field (never read as an attribute) would be that field
        self.keys_plain = all(d.key not in _EVENT_FIELDS for d in schema.periods)

    def load(self, obj: object) -> FastLoaded | None:
        """The history's arguments for a plainly valid citizen object, else None."""
        head = self.load_head(obj)
        if head is None:
            return None
        loaded = self.load_events(obj["events"])  # type: ignore[index]
        if loaded is None:
            return None
        return *head, loaded[0], loaded[1]

    def load_head(self, obj: object) -> tuple[str, int, dict[str, object]] | None:
        """The id, birth day and facts of a citizen object whose every part msgspec finds
        plainly valid (its events too: only what msgspec cannot check of them is left to
        :meth:`load_events` or :meth:`own_periods`), else None."""
        if type(obj) is not dict:
            return None
        try:
            _convert(obj, self.citizen, strict=True)
        except (msgspec.MsgspecError, ValueError, TypeError, RecursionError):
            return None  # ValueError: text msgspec cannot encode (a lone surrogate)
        cid, birth_day = obj["id"], _plain_day(obj["birth_date"])
        if birth_day is None or not (cid.isascii() or valid_id(cid) is not None):
            return None
        facts = self.load_facts(obj.get("facts"))
        return None if facts is None else (cid, birth_day, facts)

    def own_periods(self, raw_events: list[Any]) -> OwnPeriods | None:
        """The own periods of a citizen's events (:meth:`periods`), checked as
        :meth:`load_events` checks them but without making an event: for an evaluator
        that reads a history through its periods only. None where :meth:`load_events`
        would give None, and where an event has a ``seq`` (its order and its check are
        :meth:`load_events`' to make).

        What is made instead is one mark per event that starts or ends a period:
        ≈ 2.4 against 5 µs for the harness's citizen of five events."""
        if not self.keys_plain:
            return None
        days, extra, roles = _DAYS, self.extra, self.roles
        marks: list[_Mark] = []
        last = -1  # the day of the event before: in order while days never go down
        in_order = True
        for index, raw in enumerate(raw_events):
            if type(raw) is not dict:
                return None
            date = raw["date"]
            day = days.get(date) if type(date) is str else None
            if day is None and (day := _plain_day(date)) is None:
                return None
            if day < last:
                in_order = False
            last = day
            if raw.get("seq") is not None:
                return None
            kind = raw["type"]
            check = extra.get(kind)
            if check is not None and not check(_attributes(raw)):
                return None
            mine = roles.get(kind)
            if mine is not None:
                marks.append((day, index, mine, raw))
        if not in_order:  # stable: same-day events keep their input order, as in History
            marks.sort(key=_day_of_mark)
        return self.marked_periods(marks)

    def load_json(self, text: str | bytes) -> FastLoaded | None:
        """As :meth:`load`, for one JSON citizen object; None also for anything that is not
        plainly valid JSON, for :func:`.json_text.parse_json` to judge."""
        try:
            obj = _decode(text)
        except (msgspec.DecodeError, RecursionError):
            return None
        loaded = self.load(obj)
        # msgspec keeps the last of a key given twice (parse_json refuses it): every key is
        # followed by a colon, so a text with no more colons than the keys decoded has no
        # key twice. A colon inside a text value only sends the citizen the slow way.
        if loaded is None or _colons(text) != _keys_of_citizen(obj):
            return None
        return loaded

    def load_facts(self, raw: object) -> dict[str, object] | None:
        if not raw:
            return dict(self.defaults) if raw is None or type(raw) is dict else None
        if type(raw) is not dict:
            return None
        given = {name: value for name, value in raw.items() if value is not None}
        for name in self.text_facts:
            if name in given and not unicodedata.is_normalized("NFC", given[name]):
                return None
        return {**self.defaults, **given}

    def load_events(self, raw_events: list[Any]) -> tuple[tuple[Event, ...], OwnPeriods] | None:
        """The events in history order and their own periods (:meth:`periods`), or None.

        When the input is in history order (days never go down, no ``seq``: what a caller
        usually sends), the periods are made in the same pass; else from the sorted events."""
        events = []
        days, extra, roles = _DAYS, self.extra, self.roles
        ordered = False  # whether some event has a seq
        last = -1  # the day of the event before: in_order while days never go down
        in_order = True
        orphan = False  # an end event with no open period, while the input was in order
        open_: dict[tuple[int, object], tuple[int, int]] = {}
        done: list[tuple[int, object, int, int, int]] = []
        for index, raw in enumerate(raw_events):
            if type(raw) is not dict:
                return None
            values = raw.copy()
            kind, date, seq = values["type"], values["date"], values.get("seq")
            del values["type"], values["date"]
            day = days.get(date) if type(date) is str else None
            if day is None and (day := _plain_day(date)) is None:
                return None
            if day < last:
                in_order = False
            last = day
            if "seq" in values:
                del values["seq"]
                if seq is not None:
                    if not _SEQ_LOW <= seq <= _SEQ_HIGH:
                        return None
                    ordered = True
            if (
                None in values.values()
            ):  # an empty table cell: absent, as the checking loader reads it
                values = {name: value for name, value in values.items() if value is not None}
            check = extra.get(kind)
            if check is not None and not check(values):
                return None
            events.append(Event(kind, day, values, index, seq))
            mine = roles.get(kind)
            if mine is None or not in_order or orphan:
                continue
            for number, is_start, key in mine:  # as periods() does, while in order
                k = values.get(key) if key else None
                which = (number, k)
                if is_start:
                    if which not in open_:
                        open_[which] = (day, index)
                else:
                    begun = open_.pop(which, None)
                    if begun is None:
                        orphan = True
                        break
                    done.append((number, k, begun[0], day, begun[1]))
        if not in_order or ordered:  # sorted, the events may close periods in another order
            in_history_order = _in_history_order(events, ordered, in_order)
            if in_history_order is None:
                return None
            own = self.periods(in_history_order)
            return None if own is None else (in_history_order, own)
        if orphan:
            return None
        for (number, k), (start, index) in open_.items():
            done.append((number, k, start, INF, index))
        return tuple(events), (self.kinds, done)

    def load_columns(
        self,
        cid: object,
        birth_date: object,
        facts: object,
        columns: Mapping[str, Sequence[Any]],
    ) -> FastLoaded | None:
        """As :meth:`load`, for one citizen's event-log columns (:mod:`.columns`): each row's
        attributes are checked by msgspec as its own object, with no dict for the row's
        type and date to copy out again."""
        types, dates = columns.get("type"), columns.get("date")
        if type(cid) is not str or not (cid.isascii() or valid_id(cid) is not None):
            return None
        birth_day = _plain_day(birth_date)
        if types is None or dates is None or birth_day is None:
            return None
        try:
            if facts is not None:
                _convert(facts, self.facts_type, strict=True)
        except (msgspec.MsgspecError, ValueError, TypeError):
            return None
        loaded_facts = self.load_facts(facts)
        if loaded_facts is None:
            return None
        events = self.column_events(types, dates, columns) if types else ()
        # only the check here, not the periods (the orphan pass costs less): loading from
        # columns is timed on its own, and an evaluation builds them from the events
        if events is None or self.orphan(events):
            return None
        return cid, birth_day, loaded_facts, events, None

    def column_events(
        self, types: Sequence[Any], dates: Sequence[Any], columns: Mapping[str, Sequence[Any]]
    ) -> tuple[Event, ...] | None:
        rows = len(types)
        seqs = columns.get("seq") or (None,) * rows
        # An event log has a column per attribute of every type; a citizen uses a few, so
        # the columns empty for all its rows are left out before the rows are built.
        used = [
            (name, values)
            for name, values in columns.items()
            if name not in _EVENT_FIELDS and (values[0] is not None or values.count(None) != rows)
        ]
        events, checked = [], []
        days, extra = _DAYS, self.extra
        ordered, in_order, last = False, True, -1
        for index in range(rows):
            kind, date, seq = types[index], dates[index], seqs[index]
            values = {name: value for name, col in used if (value := col[index]) is not None}
            checked.append((kind, values))
            day = days.get(date) if type(date) is str else None
            if day is None and (day := _plain_day(date)) is None:
                return None
            if day < last:
                in_order = False
            last = day
            if seq is not None:
                if type(seq) is not int or not _SEQ_LOW <= seq <= _SEQ_HIGH:
                    return None
                ordered = True
            events.append(Event(kind, day, values, index, seq))
        try:  # every row's type and attributes in one call
            _convert({"rows": checked}, self.rows_type, strict=True)
        except (msgspec.MsgspecError, ValueError, TypeError, RecursionError):
            return None
        for kind, values in checked:
            check = extra.get(kind)
            if check is not None and not check(values):
                return None
        return _in_history_order(events, ordered, in_order)

    def orphan(self, events: tuple[Event, ...]) -> bool:
        """Whether an end event has no open period of its kind and key (as in
        :func:`.event.build_periods`, for every period kind in one pass; what
        :meth:`periods` checks, without making the periods)."""
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

    def periods(self, events: tuple[Event, ...]) -> OwnPeriods | None:
        """The history's own periods (:data:`.event.OwnPeriods`), or None when an end event
        has no open period of its kind and key (as in :func:`.event.build_periods`): the
        check every loaded citizen needs, and the periods on the way, for every kind in
        one pass over events already in history order."""
        roles = self.roles
        return self.marked_periods(
            [(e.day, e.index, mine, e.attrs) for e in events if (mine := roles.get(e.type))]
        )

    def marked_periods(self, marks: list[_Mark]) -> OwnPeriods | None:
        """:meth:`periods` of the marks of the events that start or end a period, in
        history order."""
        open_: dict[tuple[int, object], tuple[int, int]] = {}
        done: list[tuple[int, object, int, int, int]] = []
        for day, index, mine, attrs in marks:
            for number, is_start, key in mine:
                k = attrs.get(key) if key else None  # an attribute given as null is absent
                which = (number, k)
                if is_start:
                    if which not in open_:  # a start while open only continues the period
                        open_[which] = (day, index)
                else:
                    begun = open_.pop(which, None)
                    if begun is None:
                        return None
                    done.append((number, k, begun[0], day, begun[1]))
        for (number, k), (start, index) in open_.items():
            done.append((number, k, start, INF, index))
        return self.kinds, done


#: An event that starts or ends a period, as :meth:`_FastLoader.marked_periods` reads it:
#: its day, its index in the input, its roles and its attributes (or the input's dict).
_Mark = tuple[int, int, tuple[tuple[int, bool, "str | None"], ...], Mapping[str, Any]]


def _day_of_mark(mark: _Mark) -> int:
    return mark[0]


def _attributes(raw: dict[str, Any]) -> dict[str, Any]:
    """An input event's attributes as :meth:`_FastLoader.load_events` gives them to the
    checks: without its type, date and seq, and without those given as null."""
    return {k: v for k, v in raw.items() if v is not None and k not in _EVENT_FIELDS}


def _in_history_order(
    events: list[Event], ordered: bool, in_order: bool
) -> tuple[Event, ...] | None:
    """The events sorted by day (and seq, when ``ordered``), or None when a day has events
    with and without seq."""
    if ordered:
        if _mixed_seq(events):
            return None
        events.sort(key=_seq_order)
    elif not in_order:
        events.sort(key=_day_of_event)  # stable: same-day events keep their input order
    return tuple(events)


def _keys_of_citizen(obj: dict[str, Any]) -> int:
    """The keys of a citizen that :meth:`_FastLoader.load` took (so its only objects are
    itself, its facts and its events)."""
    return len(obj) + len(obj.get("facts") or ()) + sum(map(len, obj["events"]))


def _extra_check(decls: Mapping[str, AttrDecl]) -> Callable[[dict[str, Any]], bool] | None:
    """What the msgspec types cannot check for one event type: text already NFC, and an
    attribute required exactly when another has a given value. None when there is nothing."""
    texts = tuple(n for n, d in decls.items() if d.type.kind == "text")
    when = tuple((n, *d.required_when) for n, d in decls.items() if d.required_when)
    if not texts and not when:
        return None

    def check(values: dict[str, Any]) -> bool:
        for name in texts:
            if name in values and not unicodedata.is_normalized("NFC", values[name]):
                return False
        return all(
            (values.get(other) == wanted) == (name in values) for name, other, wanted in when
        )

    return check


def _seq_order(event: Event) -> tuple[int, int, int]:
    return event.day, event.seq or 0, event.index


def _mixed_seq(events: list[Event]) -> bool:
    """Whether a day has events with and without seq (the checking loader refuses it)."""
    with_seq = {e.day for e in events if e.seq is not None}
    return any(e.seq is None and e.day in with_seq for e in events)


#: The fast loader of a vocabulary, built once per vocabulary object.
fast_loader = per_vocabulary(lambda vocab: _FastLoader(_schema(vocab)))
