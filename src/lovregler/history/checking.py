"""The checking loader: validates one citizen against the data contract and says exactly what
is wrong (citizen id, event index, field, what was expected, did-you-mean)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from ..errors import HistoryError, did_you_mean
from ..semantics.vocabulary import AttrDecl, AttrType, FactDecl, PeriodDecl
from .event import INF, Event, build_periods, period_key
from .json_text import valid_id
from .schema import _DATE_RE, _EVENT_FIELDS, _TOP_FIELDS, _TOP_REQUIRED, Loaded, _nfc, _Schema


class _Loader:
    """Validates one citizen; holds the citizen id so every error can name it."""

    def __init__(self, schema: _Schema, lenient: bool):
        self.schema = schema
        self.lenient = lenient
        self.citizen: str | None = None
        self.warnings: list[str] = []

    def error(self, message: str, **where: Any) -> HistoryError:
        return HistoryError(self.citizen, message, **where)

    def load(self, obj: object) -> Loaded:
        top = self.top_level(obj)
        birth_day = self.date(top["birth_date"], field="birth_date")
        facts = self.facts(top.get("facts"))
        events = self.sort([self.event(i, raw) for i, raw in enumerate(self.event_list(top))])
        self.check_periods(events)
        return self.citizen or "", birth_day, facts, events, tuple(self.warnings)

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
            orphan = build_periods(events, decl, INF)[1]
            if orphan is not None:
                raise self.orphan_error(decl, orphan)

    def orphan_error(self, decl: PeriodDecl, end: Event) -> HistoryError:
        of = f" med {decl.key} = {period_key(end, decl)}" if decl.key else ""
        return self.error(
            f"{end.type} den {end.date} uden en åben {decl.name}-periode{of}",
            event=end.index,
            field=decl.key or "type",
            expected=f"en forudgående {decl.start}{of}",
        )
