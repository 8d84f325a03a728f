"""Reading a caseload: find its tables, count the citizens, and stream the records of a JSONL
file, an event log or a pair of Parquet/CSV tables in chunks.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

import pyarrow.parquet as pq

from .table_grouping import TablePart, _GroupingPlan
from .table_records import MAX_RECORD_BYTES, RawRecord

# ---------------------------------------------------------------- reading


def read_caseload(
    path: str | os.PathLike[str],
    *,
    workdir: str | None = None,
    max_record_bytes: int = MAX_RECORD_BYTES,
) -> Iterator[RawRecord]:
    """Every citizen of a caseload: a JSON Lines file, or an event log + citizens table.

    ``path`` is a ``.jsonl`` file, a directory holding ``events`` and ``citizens`` tables
    (``.parquet`` or ``.csv``), or the event log file itself (the citizens table next to it).
    ``workdir`` is where DuckDB may spill (a temporary directory when None).
    """
    p = Path(path)
    if p.is_file() and p.suffix.lower() in (".jsonl", ".ndjson", ".json"):
        yield from iter_jsonl_records(p, max_bytes=max_record_bytes)
        return
    events, citizens = find_tables(p)
    yield from iter_event_log(events, citizens, workdir=workdir)


def find_tables(path: Path) -> tuple[Path, Path]:
    """The event log and citizens table for a directory or an event log path."""
    folder = path if path.is_dir() else path.parent
    events = path if path.is_file() else _one_of(folder, "events")
    return events, _one_of(folder, "citizens")


def _one_of(folder: Path, stem: str) -> Path:
    for suffix in (".parquet", ".csv"):
        candidate = folder / f"{stem}{suffix}"
        if candidate.exists():
            return candidate
    raise FileNotFoundError(f"{folder}: ingen {stem}.parquet eller {stem}.csv")


def count_citizens(path: str | os.PathLike[str]) -> int | None:
    """The number of input citizens when cheap to know (for a progress bar), else None."""
    p = Path(path)
    if p.is_file() and p.suffix.lower() in (".jsonl", ".ndjson", ".json"):
        with open(p, "rb") as handle:  # never a whole over-long line in memory
            return sum(
                1 for _, line, _ in _lines(handle, MAX_RECORD_BYTES) if line is None or line.strip()
            )
    with contextlib.suppress(FileNotFoundError):
        citizens = find_tables(p)[1]
        if citizens.suffix == ".parquet":
            return int(pq.ParquetFile(citizens).metadata.num_rows)
    return None


def iter_jsonl_records(
    path: str | os.PathLike[str], *, max_bytes: int = MAX_RECORD_BYTES
) -> Iterator[RawRecord]:
    """One record per non-blank line; parsing is left to :meth:`RawRecord.load`.

    A line longer than ``max_bytes`` is skipped over without being held in memory and
    becomes a record with its problem; so does a line that is not UTF-8.
    """
    with open(path, "rb") as handle:
        for number, raw, size in _lines(handle, max_bytes):
            label = f"linje {number}"
            if raw is None:
                problem = (
                    f"{label} er for lang ({size:,} byte; grænsen er {max_bytes:,} byte, "
                    "se --max-record-size)"
                )
                yield RawRecord(label, problem=problem)
                continue
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                where = f"byte {exc.start + 1}"
                yield RawRecord(
                    label, problem=f"{label} er ikke gyldig UTF-8 ({exc.reason}, {where})"
                )
                continue
            if number == 1:
                text = text.removeprefix("\ufeff")  # a byte-order mark some exports write
            if text.strip():
                yield RawRecord(label, text=text)


def _lines(handle: IO[bytes], max_bytes: int) -> Iterator[tuple[int, bytes | None, int]]:
    """``(number, line, size)`` per line; ``line`` is None for one over ``max_bytes``,
    which is read past in pieces rather than held whole."""
    number = 0
    while True:
        raw = handle.readline(max_bytes + 1)
        if not raw:
            return
        number += 1
        if len(raw) <= max_bytes or raw.endswith(b"\n") and len(raw) == max_bytes + 1:
            yield number, raw, len(raw)
            continue
        size = len(raw)
        while not raw.endswith(b"\n"):
            raw = handle.readline(1 << 20)
            if not raw:
                break
            size += len(raw)
        yield number, None, size


def iter_event_log(
    events: str | os.PathLike[str],
    citizens: str | os.PathLike[str],
    *,
    workdir: str | None = None,
) -> Iterator[RawRecord]:
    """Citizens of an event log + citizens table, grouped, in order of first appearance.

    Every row of the citizens table and every citizen id of the event log gives exactly one
    record. A citizen with events but no row in the citizens table has no ``birth_date``
    (validation names it); a second row for the same id is a record with a problem.
    """
    with tempfile.TemporaryDirectory(prefix="lovregler-", dir=workdir) as scratch:
        plan = _GroupingPlan(Path(events), Path(citizens), Path(scratch))
        yield from plan.records()


def read_caseload_chunks(
    path: str | os.PathLike[str],
    size: int,
    scratch: str | os.PathLike[str],
    *,
    max_record_bytes: int = MAX_RECORD_BYTES,
) -> Iterator[list[RawRecord] | TablePart]:
    """The citizens of :func:`read_caseload`, in the same order, ``size`` at a time.

    An event log caseload comes as :class:`TablePart` row ranges of files in ``scratch``
    (or of the input), which the caller keeps until every part has been read; a JSON Lines
    file as lists of records.
    """
    p = Path(path)
    if p.is_file() and p.suffix.lower() in (".jsonl", ".ndjson", ".json"):
        yield from chunked(iter_jsonl_records(p, max_bytes=max_record_bytes), size)
        return
    events, citizens = find_tables(p)
    Path(scratch).mkdir(parents=True, exist_ok=True)
    yield from _GroupingPlan(events, citizens, Path(scratch)).parts(size)


def chunked(records: Iterable[RawRecord], size: int) -> Iterator[list[RawRecord]]:
    """Records in lists of ``size`` (the last one shorter)."""
    chunk: list[RawRecord] = []
    for record in records:
        chunk.append(record)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
