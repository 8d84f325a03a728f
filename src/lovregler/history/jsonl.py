"""JSON Lines caseloads: one history or one error per line."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import IO

from ..errors import HistoryError
from ..semantics.vocabulary import Vocabulary
from .json_text import leading_id, parse_json
from .model import History


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
    plain = History._plain_json
    for number, raw in enumerate(lines, start=1):
        history = plain(raw, vocabulary)
        if history is not None:
            yield history
            continue
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
