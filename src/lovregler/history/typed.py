"""The data contract as msgspec types, built from a vocabulary: what a plainly valid citizen
looks like, so that msgspec can check a whole citizen in C (``msgspec.convert``).

One Struct per event type, tagged by ``type`` (a tagged union: an unknown type fails); every
attribute typed by its declaration (an enum as a ``Literal`` of its values, an int with its
range, a bool, text); unknown fields refused; an optional attribute may be null (a table
export writes empty cells that way). What the types cannot say is left to the fast loader
(:mod:`.fast`): dates are checked there through a cache, text must already be NFC, and an
attribute required only when another has a value (``varighed_år``) is checked in Python.

A failed check only sends the citizen to the checking loader, which gives the exact error;
so these types decide speed, never an outcome.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Literal, Union

import msgspec

from ..semantics.vocabulary import AttrDecl, AttrType
from .schema import _EVENT_FIELDS, _Schema

#: A text that matches nothing: the type of an enum that declares no values.
_NOTHING: Any = Annotated[str, msgspec.Meta(pattern="(?!)")]


def value_type(atype: AttrType, enums: Mapping[str, tuple[str, ...]]) -> Any:
    """The msgspec type of a valid value of ``atype`` (text: any string; NFC is checked apart)."""
    if atype.kind == "bool":
        return bool
    if atype.kind == "int":
        meta = msgspec.Meta(ge=atype.minimum, le=atype.maximum)
        return Annotated[int, meta]
    if atype.kind == "enum":
        legal = enums.get(atype.enum or "", ())
        return Literal[legal] if legal else _NOTHING  # Literal[("a", "b")] is Literal["a", "b"]
    return str


def _fields(
    decls: Mapping[str, AttrDecl],
    enums: Mapping[str, tuple[str, ...]],
    others: Iterable[str],
    date_and_seq: bool = True,
) -> list[Any]:
    # Fields get plain Python names and are renamed to the contract's: a vocabulary name
    # need not be a Python identifier.
    # The date is checked by the fast loader (its cache of day numbers also takes the
    # date objects of a Parquet date column).
    fields: list[Any] = []
    if date_and_seq:
        fields += [("f_date", Any), ("f_seq", Union[int, None], None)]  # noqa: UP007
    for number, (name, decl) in enumerate(decls.items()):
        if name in _EVENT_FIELDS:  # the checking loader never reads such an attribute
            continue
        kind = value_type(decl.type, enums)
        if decl.optional or decl.required_when is not None:
            fields.append((f"f{number}", Union[kind, None], None))  # noqa: UP007
        else:
            fields.append((f"f{number}", kind))
    # Another type's attribute may be there as null (an event log's empty cell): absent, as
    # the checking loader reads it. With a value it is an error, for that loader to name.
    fields += [(f"u{number}", None, None) for number, _ in enumerate(others)]
    return fields


def _renames(decls: Mapping[str, AttrDecl], others: Iterable[str]) -> dict[str, str]:
    names = {"f_date": "date", "f_seq": "seq"}  # unused names are no harm
    names.update({f"f{number}": name for number, name in enumerate(decls)})
    names.update({f"u{number}": name for number, name in enumerate(others)})
    return names


def event_type(kind: str, schema: _Schema) -> Any:
    """The Struct of one event type, tagged ``"type": kind``."""
    decls = schema.events[kind]
    every = dict.fromkeys(name for attrs in schema.events.values() for name in attrs)
    others = [name for name in every if name not in decls and name not in _EVENT_FIELDS]
    return msgspec.defstruct(
        "Event_" + kind.encode("ascii", "backslashreplace").decode(),
        _fields(decls, schema.enums, others),
        tag_field="type",
        tag=kind,
        rename=_renames(decls, others),
        kw_only=True,  # required attributes after the optional seq
        forbid_unknown_fields=True,
        gc=False,
    )


def rows_type(schema: _Schema) -> Any:
    """The Struct of ``{"rows": [(type, attributes), ...]}``: one citizen's event-log rows,
    each its type and a dict of its attributes (empty cells left out; the date and seq are
    checked apart). A row is an array-like Struct tagged by its first item."""
    rows = tuple(_row_type(kind, schema) for kind in schema.events)
    any_row: Any = Union[rows] if rows else _NOTHING  # noqa: UP007
    return msgspec.defstruct("Rows", [("rows", list.__class_getitem__(any_row))], gc=False)


def _row_type(kind: str, schema: _Schema) -> Any:
    decls = schema.events[kind]
    name = kind.encode("ascii", "backslashreplace").decode()
    attributes = msgspec.defstruct(
        "Attributes_" + name,
        _fields(decls, schema.enums, (), date_and_seq=False),
        rename=_renames(decls, ()),
        kw_only=True,
        forbid_unknown_fields=True,
        gc=False,
    )
    return msgspec.defstruct(
        "Row_" + name, [("attributes", attributes)], tag=kind, array_like=True, gc=False
    )


def facts_type(schema: _Schema) -> Any:
    """The Struct of a citizen's facts (each optional; null is absent)."""
    return msgspec.defstruct(
        "Facts",
        [
            (f"f{n}", Union[value_type(f.type, schema.enums), None], None)  # noqa: UP007
            for n, f in enumerate(schema.facts.values())
        ],
        rename={f"f{n}": name for n, name in enumerate(schema.facts)},
        forbid_unknown_fields=True,
        gc=False,
    )


def _any_event(schema: _Schema) -> Any:
    events = tuple(event_type(kind, schema) for kind in schema.events)
    return Union[events] if events else _NOTHING  # noqa: UP007


def citizen_type(schema: _Schema) -> Any:
    """The Struct of a plainly valid citizen of ``schema``'s vocabulary."""
    any_event = _any_event(schema)
    facts = facts_type(schema)
    return msgspec.defstruct(
        "Citizen",
        [
            ("id", str),
            ("birth_date", Any),
            ("events", list.__class_getitem__(any_event)),
            ("facts", Union[facts, None], None),  # noqa: UP007
        ],
        forbid_unknown_fields=True,
    )
