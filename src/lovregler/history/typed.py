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

from collections.abc import Mapping
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


def _fields(decls: Mapping[str, AttrDecl], enums: Mapping[str, tuple[str, ...]]) -> list[Any]:
    # Fields get plain Python names and are renamed to the contract's: a vocabulary name
    # need not be a Python identifier.
    # The date is checked by the fast loader (its cache of day numbers also takes the
    # date objects of a Parquet date column).
    fields: list[Any] = [("f_date", Any), ("f_seq", Union[int, None], None)]  # noqa: UP007
    for number, (name, decl) in enumerate(decls.items()):
        if name in _EVENT_FIELDS:  # the checking loader never reads such an attribute
            continue
        kind = value_type(decl.type, enums)
        if decl.optional or decl.required_when is not None:
            fields.append((f"f{number}", Union[kind, None], None))  # noqa: UP007
        else:
            fields.append((f"f{number}", kind))
    return fields


def _renames(decls: Mapping[str, AttrDecl]) -> dict[str, str]:
    names = {"f_date": "date", "f_seq": "seq"}
    names.update({f"f{number}": name for number, name in enumerate(decls)})
    return names


def event_type(kind: str, decls: Mapping[str, AttrDecl], enums: Mapping[str, Any]) -> Any:
    """The Struct of one event type, tagged ``"type": kind``."""
    return msgspec.defstruct(
        "Event_" + kind.encode("ascii", "backslashreplace").decode(),
        _fields(decls, enums),
        tag_field="type",
        tag=kind,
        rename=_renames(decls),
        kw_only=True,  # required attributes after the optional seq
        forbid_unknown_fields=True,
        gc=False,
    )


def citizen_type(schema: _Schema) -> Any:
    """The Struct of a plainly valid citizen of ``schema``'s vocabulary."""
    events = tuple(event_type(k, d, schema.enums) for k, d in schema.events.items())
    facts = msgspec.defstruct(
        "Facts",
        [
            (f"f{n}", Union[value_type(f.type, schema.enums), None], None)  # noqa: UP007
            for n, f in enumerate(schema.facts.values())
        ],
        rename={f"f{n}": name for n, name in enumerate(schema.facts)},
        forbid_unknown_fields=True,
        gc=False,
    )
    any_event: Any = Union[events] if events else _NOTHING  # noqa: UP007
    return msgspec.defstruct(
        "Citizen",
        [
            ("id", str),
            ("birth_date", Any),
            ("events", list[any_event]),
            ("facts", Union[facts, None], None),  # noqa: UP007
        ],
        forbid_unknown_fields=True,
    )
