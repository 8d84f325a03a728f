"""JSON text of one citizen: decoding that refuses what plain JSON leaves ambiguous, and the
citizen id of a line that cannot be decoded."""

from __future__ import annotations

import json
import re
from typing import Any

import msgspec

from ..errors import HistoryError

_decode = msgspec.json.Decoder().decode

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
        obj = _decode(text)
    except (msgspec.DecodeError, RecursionError):
        pass  # json.loads below says what is wrong, as before
    else:
        if _colons(text) == _keys(obj):
            return obj
    # Possibly a key twice, or not JSON: decoded again by json.loads, which names the key.
    return _checked_decode(text)


def _checked_decode(text: str | bytes) -> object:
    """:func:`parse_json` by ``json.loads`` alone (as before issue 14): slower, and it says
    what is wrong with a text that is not plain JSON."""
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


def _colons(text: str | bytes) -> int:
    """The colons of a JSON text: one after every key, and any inside text values."""
    return text.count(":") if isinstance(text, str) else text.count(b":")


def _keys(obj: Any) -> int:
    """The keys of every object in a decoded JSON value.

    Compared with :func:`_colons` of its text: msgspec keeps the last of a key given twice
    (https://github.com/msgspec/msgspec/issues/648), and each key dropped so leaves one
    colon more in the text than keys decoded. More colons only mean "decode it the slow way".
    """
    count, stack = 0, [obj]
    while stack:
        item = stack.pop()
        if type(item) is dict:
            count += len(item)
            stack += [v for v in item.values() if type(v) is dict or type(v) is list]
        elif type(item) is list:
            stack += [v for v in item if type(v) is dict or type(v) is list]
    return count


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
