"""Batch evaluation of a whole caseload: ``lovregler batch``.

The caseload is read as a stream (:mod:`lovregler.caseload.tables`), cut into chunks of citizens, and
each chunk is evaluated against every chosen ruleset by :func:`evaluate_chunk`, on local
processes (``engine="local"``) or on a Dask cluster (``engine="dask"``). Both engines write
the chunks' rows in chunk order, so they produce the same tables, row for row:

- ``citizens``: exactly one row per input citizen (id, ok/error, counts);
- ``obligations``, ``rights``, ``values``: one row per result entry (contract §2);
- ``errors``: one row per problem, with the citizen id and the message.

A bad citizen never stops the batch: its problem becomes an ``errors`` row. Memory is
bounded by the number of chunks in flight, not by the size of the caseload.

For an event log the main process only groups the log and hands out row ranges
(:class:`~lovregler.caseload.tables.TablePart`): each worker reads its own rows from disk and builds
the histories, so that the main process, which also hosts a local Dask scheduler and writes
the output, does no per-citizen work.
"""

from __future__ import annotations

import argparse
import collections
import concurrent.futures
import contextlib
import datetime
import errno
import fcntl
import importlib
import json
import math
import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

import attrs
import pyarrow as pa
import pyarrow.parquet as pq

from ..errors import HistoryError, LovreglerError
from ..history import valid_id
from .tables import (
    MAX_RECORD_BYTES,
    RawRecord,
    TablePart,
    chunked,
    count_citizens,
    read_caseload_chunks,
)

__all__ = [
    "COMPLETE_MARKER",
    "TABLES",
    "BatchConfig",
    "BatchFailed",
    "BatchSummary",
    "evaluate_chunk",
    "main_batch",
    "run_batch",
    "schemas",
]

#: The output tables, in the order they are written.
TABLES = ("citizens", "obligations", "rights", "values", "errors")
#: Written last into the output folder, when every table and ``batch.json`` are in place;
#: removed first when a new run puts its tables there. Without it, the folder is not a
#: complete batch.
COMPLETE_MARKER = "_SUCCESS"
_LOCK = ".lovregler-batch.lock"
_STAGING_PREFIX = ".lovregler-staging-"


class BatchFailed(LovreglerError):
    """The batch as a whole could not finish (a worker kept dying, the output folder is
    busy); nothing of it was put in the output folder."""


_STATUSES = ("fulfilled", "fulfilled_late", "overdue", "pending", "suspended")


class RulesetLike(Protocol):
    """What batch needs of a ruleset (``lovregler.api.Ruleset`` is one)."""

    name: str
    vocabulary: Any

    def evaluate(self, history: Any, as_of: datetime.date) -> Any:
        """The result for one history on ``as_of``; has ``to_dict()`` (contract §2)."""


@attrs.frozen
class BatchConfig:
    """What to evaluate: ruleset names (or ruleset objects), the date, and the chunking.

    A ruleset given as a name is loaded once per worker process with
    ``lovregler.api.load_ruleset``; ``"module:attribute"`` names a ruleset object in Python.
    ``time_limit`` (seconds) stops one ruleset's evaluation of one citizen that runs away,
    and records it as an error, where the evaluation runs in a process's main thread (the
    local engine); None for no limit. ``max_record_bytes`` is the longest input record (a
    JSON line) that is read; a longer one is an error row for its line.
    """

    rulesets: tuple[Any, ...]
    as_of: datetime.date
    chunk_size: int = 500
    explain: bool = False
    time_limit: float | None = 60.0
    max_record_bytes: int = MAX_RECORD_BYTES


@attrs.frozen
class BatchSummary:
    """What a batch did: citizens in, how many evaluated cleanly, how many with errors."""

    citizens: int
    ok: int
    errors: int
    seconds: float
    outdir: str


# ---------------------------------------------------------------- output schemas


def schemas(explain: bool = False) -> dict[str, pa.Schema]:
    """The schema of every output table (``explanation`` columns only when ``explain``)."""
    text, date = pa.string(), pa.date32()
    entry = [
        ("citizen_id", text),
        ("ruleset", text),
        ("version", text),
        ("rule", text),
        ("title", text),
    ]
    tail = [("citation", text)] + ([("explanation", pa.list_(text))] if explain else [])
    counts = [(f"n_{name}", pa.int32()) for name in ("obligations", "rights", "values", "errors")]
    counts += [(f"n_{status}", pa.int32()) for status in _STATUSES]
    return {
        "citizens": pa.schema([("citizen_id", text), ("status", text), *counts]),
        "obligations": pa.schema(
            [
                *entry,
                ("holder", text),
                ("trigger", date),
                ("due", date),
                ("status", text),
                ("fulfilled_on", date),
                ("days_late", pa.int32()),
                ("as_of", date),
                # created by a declared transition (catalogue §0 Versions): counted apart
                ("transition", pa.bool_()),
                *tail,
            ]
        ),
        "rights": pa.schema([*entry, ("from", date), ("until", date), *tail]),
        "values": pa.schema(
            [
                *entry,
                ("from", date),
                ("until", date),
                ("value", pa.float64()),
                ("value_json", text),
                *tail,
            ]
        ),
        "errors": pa.schema(
            [
                ("citizen_id", text),
                ("ruleset", text),
                ("stage", text),
                ("event", pa.int32()),
                ("field", text),
                ("message", text),
            ]
        ),
    }


class _Rows:
    """Column lists for every output table of one chunk."""

    def __init__(self, explain: bool):
        self.schemas = schemas(explain)
        self.cols: dict[str, dict[str, list[Any]]] = {
            t: {name: [] for name in s.names} for t, s in self.schemas.items()
        }
        # (column name, its list's append) per table: add() runs for every output row
        self.appends = {
            t: [(name, values.append) for name, values in cols.items()]
            for t, cols in self.cols.items()
        }

    def add(self, table: str, row: dict[str, Any]) -> None:
        get = row.get
        for name, append in self.appends[table]:
            append(get(name))

    def tables(self) -> dict[str, pa.Table]:
        out = {}
        for table, schema in self.schemas.items():
            arrays = [_array(self.cols[table][f.name], f.type) for f in schema]
            out[table] = pa.Table.from_arrays(arrays, schema=schema)
        return out


_EPOCH = datetime.date(1970, 1, 1).toordinal()


def _array(values: list[Any], type_: pa.DataType) -> pa.Array:
    if pa.types.is_date32(type_):  # rows hold day numbers (date.toordinal())
        days = [None if v is None else v - _EPOCH for v in values]
        return pa.array(days, pa.int32()).cast(pa.date32())
    try:
        return pa.array(values, type_)
    except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeEncodeError):
        # Text from a history (a message quoting a value) may hold a lone surrogate, which
        # no UTF-8 column can: escape it rather than lose the chunk.
        return pa.array(_escaped(values), type_)


def _escaped(value: Any) -> Any:
    """``value`` with every string made encodable (lone surrogates as ``\\udXXX``)."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, list):
        return [_escaped(v) for v in value]
    return value


# ---------------------------------------------------------------- evaluating one chunk

_LOADED: dict[str, RulesetLike] = {}  # per process: compile each ruleset once


def _ruleset(spec: Any) -> RulesetLike:
    """A ruleset from its name, a ``module:attribute`` path, or the object itself."""
    if not isinstance(spec, str):
        return spec  # type: ignore[no-any-return]
    if spec not in _LOADED:
        if ":" in spec and not os.path.exists(spec):
            module, _, attribute = spec.partition(":")
            _LOADED[spec] = getattr(importlib.import_module(module), attribute)
        else:
            from ..api import load_ruleset

            _LOADED[spec] = load_ruleset(spec)
    return _LOADED[spec]


Chunk = Sequence[RawRecord] | TablePart


def evaluate_chunk(chunk: Chunk, config: BatchConfig) -> dict[str, pa.Table]:
    """Evaluate a chunk of citizens against every ruleset: one table per output.

    A :class:`~lovregler.caseload.tables.TablePart` is turned into records here, in the worker.
    Never raises for a bad citizen: its problems become ``errors`` rows.
    """
    rulesets = [_ruleset(spec) for spec in config.rulesets]
    rows = _Rows(config.explain)
    records = chunk.records() if isinstance(chunk, TablePart) else chunk
    with _alarm_handler() if config.time_limit else contextlib.nullcontext():
        for record in records:
            _Citizen(record, rows, config).evaluate(rulesets)
    return rows.tables()


class _Citizen:
    """The evaluation of one input citizen against every ruleset, and its output rows."""

    def __init__(self, record: RawRecord, rows: _Rows, config: BatchConfig):
        self.record, self.rows, self.config = record, rows, config
        self.cid = record.citizen_id
        self.counts: collections.Counter[str] = collections.Counter()

    def evaluate(self, rulesets: Sequence[RulesetLike]) -> None:
        """Load, validate and evaluate; always ends with exactly one ``citizens`` row."""
        try:
            obj = self.record.load()
            self.cid = _citizen_id(obj, self.record.label)
            histories = self.histories(obj, rulesets)
            for ruleset in rulesets:
                history = histories.get(_vocab_key(ruleset))
                if history is not None:
                    self.run(ruleset, history)
        except HistoryError as exc:
            self.error(None, "indlæsning", exc)
        except Exception as exc:  # a bug must neither lose this citizen nor stop the batch
            self.error(None, "intern", RuntimeError(f"intern fejl: {type(exc).__name__}: {exc}"))
        status = "error" if self.counts["errors"] else "ok"
        self.rows.add(
            "citizens", {"citizen_id": self.cid, "status": status, **self.count_columns()}
        )

    def histories(self, obj: object, rulesets: Sequence[RulesetLike]) -> dict[object, Any]:
        """The validated history per vocabulary (rulesets usually share one)."""
        from ..history import History

        out: dict[object, Any] = {}
        failed: set[object] = set()
        for ruleset in rulesets:
            key = _vocab_key(ruleset)
            if key in out or key in failed:
                continue
            try:
                out[key] = History.from_dict(obj, ruleset.vocabulary)
            except HistoryError as exc:
                failed.add(key)
                shared = len({_vocab_key(r) for r in rulesets}) == 1
                self.error(None if shared else ruleset.name, "historik", exc)
        return out

    def run(self, ruleset: RulesetLike, history: Any) -> None:
        """Evaluate one ruleset; an evaluation failure is an error row for this ruleset."""
        try:
            with _time_limit(self.config.time_limit):
                result = ruleset.evaluate(history, self.config.as_of)
        except _TimeUp:
            message = f"evalueringen blev afbrudt efter {self.config.time_limit:g} s"
            self.error(ruleset.name, "evaluering", RuntimeError(message))
            return
        except LovreglerError as exc:
            self.error(ruleset.name, "evaluering", exc)
            return
        except Exception as exc:  # a bug in a ruleset must not stop the other citizens
            self.error(
                ruleset.name,
                "evaluering",
                RuntimeError(f"intern fejl: {type(exc).__name__}: {exc}"),
            )
            return
        self.entries(ruleset.name, result)

    def entries(self, ruleset: str, result: Any) -> None:
        """One output row per obligation, right and value (dates as day numbers)."""
        obligations, rights, values = _entries(result, self.config.explain)
        base = {"citizen_id": self.cid, "ruleset": getattr(result, "ruleset", None) or ruleset}
        as_of = self.config.as_of.toordinal()
        for entry in obligations:
            self.counts["obligations"] += 1
            self.counts[entry["status"]] += 1
            late = _days_late(entry, as_of)
            self.rows.add("obligations", {**base, **entry, "days_late": late, "as_of": as_of})
        for entry in rights:
            self.counts["rights"] += 1
            self.rows.add("rights", {**base, **entry})
        for entry in values:
            self.counts["values"] += 1
            self.rows.add("values", {**base, **entry})

    def error(self, ruleset: str | None, stage: str, exc: Exception) -> None:
        """An ``errors`` row for this citizen."""
        self.counts["errors"] += 1
        where = exc if isinstance(exc, HistoryError) else None
        self.rows.add(
            "errors",
            {
                "citizen_id": self.cid,
                "ruleset": ruleset,
                "stage": stage,
                "event": where.event if where is not None else None,
                "field": where.field if where is not None else None,
                "message": str(exc),
            },
        )

    def count_columns(self) -> dict[str, int]:
        names = ("obligations", "rights", "values", "errors", *_STATUSES)
        return {f"n_{name}": self.counts[name] for name in names}


class _TimeUp(Exception):
    """An evaluation ran past the batch's time limit."""


@contextlib.contextmanager
def _time_limit(seconds: float | None) -> Iterator[None]:
    """Raise :class:`_TimeUp` in the block after ``seconds`` (main thread only: signals).

    Inside :func:`_alarm_handler` only the timer is set (one system call each way);
    outside it the handler is installed for this block alone.
    """
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return
    with contextlib.ExitStack() as stack:
        if not _ALARM.installed:
            stack.enter_context(_alarm_handler())
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)


class _AlarmState:
    installed = False


_ALARM = _AlarmState()


def _time_up(signum: int, frame: Any) -> None:
    raise _TimeUp


@contextlib.contextmanager
def _alarm_handler() -> Iterator[None]:
    """Install the SIGALRM handler once for many :func:`_time_limit` blocks: installing it
    per evaluation cost more than some evaluations (``signal.signal`` converts enums)."""
    if _ALARM.installed or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGALRM, _time_up)
    _ALARM.installed = True
    try:
        yield
    finally:
        _ALARM.installed = False
        signal.signal(signal.SIGALRM, previous)


def _citizen_id(obj: object, fallback: str) -> str:
    """The record's own top-level id when it is text that any output can hold; otherwise
    its position (``linje 17``): never an id found elsewhere in the record."""
    found = valid_id(obj.get("id")) if isinstance(obj, dict) else None
    return found if found is not None else fallback


def _vocab_key(ruleset: RulesetLike) -> object:
    vocabulary = ruleset.vocabulary
    return getattr(vocabulary, "name", None) or id(vocabulary)


def _days_late(entry: dict[str, Any], as_of: int) -> int | None:
    """fulfilled_on − due when met late, as_of − due when overdue, else None."""
    if entry["status"] == "fulfilled_late" and entry["fulfilled_on"] is not None:
        return int(entry["fulfilled_on"] - entry["due"])
    if entry["status"] == "overdue":
        return as_of - int(entry["due"])
    return None


# ---------------------------------------------------------------- result entries as rows

_NO_END = 10**9  # results use a far-future day number for an open end (timecalc.INF)


def _entries(result: Any, explain: bool) -> tuple[list[dict], list[dict], list[dict]]:
    """A result's obligations, rights and values as row dicts with day-number dates.

    A :class:`lovregler.results.Result` is read field by field, which skips the ISO text
    and the Danish explanations that ``to_dict()`` builds (unless ``explain``); any other
    result object is read through its ``to_dict()`` (contract §2).
    """
    from ..results import Result

    if isinstance(result, Result):
        return (
            [_obligation(o, explain) for o in result.obligations],
            [_period(r, explain) for r in result.rights],
            [{**_period(v, explain), **_value(v.value)} for v in result.values],
        )
    data = result.to_dict()
    return (
        [
            _from_dict(e, ("trigger", "due", "fulfilled_on"), explain)
            for e in data.get("obligations", ())
        ],
        [_from_dict(e, ("from", "until"), explain) for e in data.get("rights", ())],
        [
            {**_from_dict(e, ("from", "until"), explain), **_value(e.get("value"))}
            for e in data.get("values", ())
        ],
    )


def _obligation(o: Any, explain: bool) -> dict[str, Any]:
    rule = o.rule
    return {
        "rule": rule.id,
        "title": rule.title,
        "holder": rule.holder,
        "version": o.version,
        "trigger": o.trigger_day,
        "due": o.due_day,
        "status": o.status,
        "fulfilled_on": o.fulfilled_day,
        "transition": o.transition,
        "citation": rule.citation,
        "explanation": list(o.explanation) if explain else None,
    }


def _period(entry: Any, explain: bool) -> dict[str, Any]:
    rule = entry.rule
    return {
        "rule": rule.id,
        "title": rule.title,
        "version": entry.version,
        "from": entry.start_day,
        "until": entry.until_day if entry.until_day < _NO_END else None,
        "citation": rule.citation,
        "explanation": list(entry.explanation) if explain else None,
    }


def _value(value: Any) -> dict[str, Any]:
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    return {
        "value": float(value) if numeric else None,
        "value_json": json.dumps(value, ensure_ascii=False),
    }


def _from_dict(entry: dict[str, Any], dates: Sequence[str], explain: bool) -> dict[str, Any]:
    row = {**entry, "explanation": list(entry.get("explanation") or ()) if explain else None}
    row["transition"] = bool(entry.get("transition", False))  # obligations only; absent = false
    for name in dates:
        text = entry.get(name)
        row[name] = datetime.date.fromisoformat(text).toordinal() if text else None
    return row


# ---------------------------------------------------------------- output


class _Output:
    """The Parquet writers of one batch, writing into a staging folder.

    The tables appear in the output folder only when complete (:meth:`publish`); a batch
    that fails leaves the output folder as it was, with nothing half-written beside it.
    """

    def __init__(self, staging: Path, explain: bool):
        self.staging = staging
        self.schemas = schemas(explain)
        self.writers: dict[str, pq.ParquetWriter] = {}
        for table, schema in self.schemas.items():
            self.writers[table] = pq.ParquetWriter(self.staged(table), schema, compression="zstd")
        self.citizens = self.ok = 0

    def staged(self, table: str) -> Path:
        return self.staging / f"{table}.parquet"

    def write(self, tables: dict[str, pa.Table]) -> int:
        """Append one chunk's tables; returns how many citizens it held."""
        for name, table in tables.items():
            if table.num_rows:
                self.writers[name].write_table(table)
        people = tables["citizens"]
        self.citizens += people.num_rows
        self.ok += sum(1 for s in people.column("status").to_pylist() if s == "ok")
        return int(people.num_rows)

    def close(self) -> None:
        """Finish every file (raises if the disk is full)."""
        for writer in self.writers.values():
            writer.close()

    def abandon(self) -> None:
        """Close every writer quietly: the staging folder is about to be removed."""
        for writer in self.writers.values():
            try:
                writer.close()
            except Exception:
                # A writer whose close failed (a full disk) would try again, and print a
                # traceback, when garbage-collected: it has nothing left worth writing.
                writer.is_open = False

    def publish(self, outdir: Path, manifest: dict[str, Any]) -> None:
        """Move the finished tables into ``outdir``, then ``batch.json``, then the marker.

        The old marker goes first, so that at no moment does a folder holding a mix of two
        runs' tables look complete.
        """
        (outdir / COMPLETE_MARKER).unlink(missing_ok=True)
        text = json.dumps(manifest, ensure_ascii=False, indent=2)
        (self.staging / "batch.json").write_text(text, encoding="utf-8")
        (self.staging / COMPLETE_MARKER).write_text(f"{manifest['finished']}\n", encoding="utf-8")
        for name in self.schemas:
            os.replace(self.staged(name), outdir / f"{name}.parquet")
        os.replace(self.staging / "batch.json", outdir / "batch.json")
        os.replace(self.staging / COMPLETE_MARKER, outdir / COMPLETE_MARKER)


@contextlib.contextmanager
def _locked(outdir: Path) -> Iterator[None]:
    """Hold the output folder's lock; refuse when another batch holds it.

    ``flock`` is released by the kernel when the holder dies, so a killed batch never
    leaves the folder locked.
    """
    handle = open(outdir / _LOCK, "a+")  # noqa: SIM115 - held for the whole block
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BatchFailed(
                f"{outdir}: en anden kørsel af lovregler batch skriver allerede til denne "
                "mappe; vent på den, eller vælg en anden outputmappe"
            ) from None
        _remove_stale_staging(outdir)  # safe: no other batch writes here now
        yield
    finally:
        handle.close()


def _remove_stale_staging(outdir: Path) -> None:
    """Staging folders left by a batch that was killed (no ``finally`` ran)."""
    for stale in outdir.glob(f"{_STAGING_PREFIX}*"):
        shutil.rmtree(stale, ignore_errors=True)


# ---------------------------------------------------------------- engines


Progress = Callable[[int], None]


def _run_serial(chunks: Iterable[Chunk], config: BatchConfig, sink: Callable) -> None:
    for chunk in chunks:
        sink(evaluate_chunk(chunk, config))


def _init_worker() -> None:
    """Workers leave Ctrl-C to the parent, which stops the pool."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run_local(chunks: Iterable[Chunk], config: BatchConfig, sink: Callable, workers: int) -> None:
    """Chunks over a process pool; at most two chunks per worker in flight (bounded memory).

    A worker that dies (``kill -9``, the kernel's out-of-memory killer) breaks the pool: it
    is replaced by a fresh one and the chunks that had not finished are run again; the
    chunk the dead worker was running may die once more, and the second time the batch
    fails with :class:`BatchFailed`. It never waits for a result that cannot come.
    """
    if workers <= 1:
        _run_serial(chunks, config, sink)
        return
    with _LocalPool(workers, config) as pool:
        pending: collections.deque[_LocalTask] = collections.deque()
        for index, chunk in enumerate(chunks):
            pending.append(pool.submit(index, chunk))
            if len(pending) >= 2 * workers:
                sink(pool.result(pending.popleft(), pending))
        while pending:
            sink(pool.result(pending.popleft(), pending))


@attrs.define
class _LocalTask:
    """One chunk in the local pool: its number, its rows, its future, and how many times a
    worker died running it."""

    index: int
    chunk: Chunk
    future: concurrent.futures.Future[dict[str, pa.Table]]
    deaths: int = 0

    def describe(self) -> str:
        if isinstance(self.chunk, TablePart):
            first, last = self.chunk.citizen_rows
            return f"del nr. {self.index + 1} (borgertabellens rækker {first + 1}–{last})"
        ids = [record.citizen_id for record in self.chunk]
        span = f"{ids[0]} … {ids[-1]}" if len(ids) > 1 else ids[0] if ids else ""
        return f"del nr. {self.index + 1} ({len(ids)} borgere: {span})"


def _evaluate_in_worker(
    chunk: Chunk, config: BatchConfig, index: int, notes: str
) -> dict[str, pa.Table]:
    """:func:`evaluate_chunk`, after noting which chunk this process runs: if the process
    is killed, the parent reads the note to know which chunk to blame."""
    Path(notes, str(os.getpid())).write_text(str(index), encoding="ascii")
    return evaluate_chunk(chunk, config)


class _LocalPool:
    """A process pool that is replaced when one of its workers dies."""

    def __init__(self, workers: int, config: BatchConfig):
        self.workers, self.config = workers, config
        self.notes = tempfile.mkdtemp(prefix="lovregler-pool-")
        self.executor = self.start()

    def start(self) -> concurrent.futures.ProcessPoolExecutor:
        methods = multiprocessing.get_all_start_methods()
        method = "forkserver" if "forkserver" in methods else "spawn"
        return concurrent.futures.ProcessPoolExecutor(
            self.workers, mp_context=multiprocessing.get_context(method), initializer=_init_worker
        )

    def run(self, index: int, chunk: Chunk) -> concurrent.futures.Future[dict[str, pa.Table]]:
        return self.executor.submit(_evaluate_in_worker, chunk, self.config, index, self.notes)

    def submit(self, index: int, chunk: Chunk) -> _LocalTask:
        return _LocalTask(index, chunk, self.run(index, chunk))

    def result(self, task: _LocalTask, others: Iterable[_LocalTask]) -> dict[str, pa.Table]:
        """The task's tables; after a worker died, the unfinished chunks run again."""
        from concurrent.futures.process import BrokenProcessPool

        while True:
            try:
                return task.future.result()
            except BrokenProcessPool:
                self.restart([task, *others])

    def restart(self, tasks: list[_LocalTask]) -> None:
        """A fresh pool; every task the broken pool did not finish is submitted to it."""
        workers = dict(getattr(self.executor, "_processes", None) or {})
        self.executor.shutdown(wait=True)  # joins the workers: their exit codes are known
        blamed = self.killed_chunks(workers)
        lost = [t for t in tasks if not _finished(t.future)]
        if blamed is not None and not any(t.index in blamed for t in lost):
            blamed = None  # died between chunks? then every lost chunk is suspect
        for t in lost:
            # Each restart counts a death against at least one chunk, so workers that keep
            # dying end the batch after at most two restarts per chunk.
            if blamed is None or t.index in blamed:
                t.deaths += 1
        twice = [t for t in lost if t.deaths >= 2]
        if twice:
            raise BatchFailed(
                "en arbejdsproces døde igen (dræbt, eller løbet tør for hukommelse?) under "
                f"{twice[0].describe()}, som allerede var kørt om én gang; kørslen er stoppet"
            )
        self.executor = self.start()
        for t in lost:
            t.future = self.run(t.index, t.chunk)

    def killed_chunks(self, workers: dict[int, Any]) -> set[int] | None:
        """The chunks that workers (pid → process) were running when they died (not when
        the broken pool stopped them with SIGTERM), from their notes; None when unknown."""
        dead = [pid for pid, p in workers.items() if p.exitcode not in (None, -signal.SIGTERM)]
        blamed = set()
        for pid in dead:
            note = Path(self.notes, str(pid))
            with contextlib.suppress(OSError, ValueError):
                blamed.add(int(note.read_text(encoding="ascii")))
        return blamed or None

    def __enter__(self) -> _LocalPool:
        return self

    def __exit__(self, kind: object, *exc: object) -> None:
        """Stop the pool: at once when the batch failed, its workers killed, not awaited."""
        if kind is not None:
            for process in list((getattr(self.executor, "_processes", None) or {}).values()):
                with contextlib.suppress(Exception):
                    process.terminate()
        self.executor.shutdown(wait=True, cancel_futures=kind is not None)
        shutil.rmtree(self.notes, ignore_errors=True)


def _finished(future: concurrent.futures.Future[Any]) -> bool:
    """Whether a future holds a result (not an error such as a broken pool)."""
    return future.done() and not future.cancelled() and future.exception() is None


def _run_dask(
    chunks: Iterable[Chunk],
    config: BatchConfig,
    sink: Callable,
    workers: int,
    scheduler: str | None,
    on_client: Callable[[Any], None] | None = None,
) -> None:
    """Chunks as Dask tasks; results written in chunk order whatever order they finish in.

    A task whose worker dies is run again by the scheduler on another worker, and a chunk
    is written only when its one result arrives, so no citizen is lost or written twice.
    """
    from distributed import Client

    cluster = _local_cluster(workers) if scheduler is None else None
    client = Client(cluster if cluster is not None else scheduler)
    try:
        if on_client is not None:
            on_client(client)
        window = 2 * max(1, len(client.scheduler_info().get("workers", {})) or workers)
        run = uuid.uuid4().hex[:8]  # keys unique per run: a shared scheduler may hold old ones
        pending: collections.deque[_Task] = collections.deque()
        for index, chunk in enumerate(chunks):
            pending.append(_Task(client, f"lovregler-{run}-{index}", chunk, config))
            if len(pending) >= window:
                sink(pending.popleft().result())
        while pending:
            sink(pending.popleft().result())
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


#: Worker settings of a local cluster: the statistical profiler samples the running task's
#: stack every 10 ms, taking the GIL from it, for a dashboard that nobody looks at here.
_WORKER_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.system-monitor.gil.enabled": False,
}


def _local_cluster(workers: int) -> Any:
    """A cluster of ``workers`` processes of one thread each on this machine."""
    import dask
    from distributed import LocalCluster

    with dask.config.set(_WORKER_CONFIG):
        # ":0": a free port for the dashboard, so that two clusters never clash on 8787
        return LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0"
        )


class _Task:
    """One chunk on the Dask cluster; submitted again if its workers keep dying."""

    def __init__(self, client: Any, key: str, chunk: Chunk, config: BatchConfig):
        self.client, self.key, self.chunk, self.config = client, key, chunk, config
        self.future = self.submit(0)

    def submit(self, attempt: int) -> Any:
        key = self.key if attempt == 0 else f"{self.key}-{attempt}"
        return self.client.submit(evaluate_chunk, self.chunk, self.config, pure=False, key=key)

    def result(self, retries: int = 3) -> dict[str, pa.Table]:
        """The chunk's tables. The scheduler already reruns a task whose worker died; this
        covers a chunk that used up the scheduler's allowed failures."""
        from distributed import KilledWorker

        for attempt in range(1, retries + 1):
            try:
                return self.future.result()  # type: ignore[no-any-return]
            except KilledWorker:
                self.future = self.submit(attempt)
        return self.future.result()  # type: ignore[no-any-return]


def run_batch(
    source: str | os.PathLike[str] | Iterable[RawRecord],
    outdir: str | os.PathLike[str],
    config: BatchConfig,
    *,
    engine: str = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool | None = None,
    on_client: Callable[[Any], None] | None = None,
) -> BatchSummary:
    """Evaluate a caseload and write the five output tables to ``outdir``.

    ``source`` is a caseload path (see :func:`lovregler.caseload.tables.read_caseload`) or records.
    ``workers`` defaults to every local core; the worker processes start fresh (forkserver
    or spawn), so a script that calls this must do so under ``if __name__ == "__main__":``.
    ``progress`` shows a rich progress bar
    (default: only when stderr is a terminal). ``on_client`` receives the Dask client once
    it is connected (tests use it to kill a worker mid-run).

    The tables are written to a staging folder inside ``outdir`` and moved into place, with
    ``batch.json`` and the :data:`COMPLETE_MARKER` last, only when the whole batch is done;
    a batch that fails (or is killed) leaves ``outdir`` as it found it. A lock refuses a
    second batch into the same folder while one runs (:class:`BatchFailed`).
    """
    started = time.perf_counter()
    if engine not in ("local", "dask"):
        raise ValueError(f"ukendt motor {engine!r} (local eller dask)")
    workers = workers or os.cpu_count() or 1
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    total = count_citizens(source) if isinstance(source, str | os.PathLike) else None
    with _locked(out):
        # The staging folder also holds the grouped tables that workers read their parts
        # from: it must outlive the last result. It is removed on every way out.
        staging = Path(tempfile.mkdtemp(prefix=_STAGING_PREFIX, dir=out))
        try:
            with _progress_bar(progress, total) as advance:
                output = _Output(staging, config.explain)
                try:
                    _run_engine(
                        source,
                        config,
                        output,
                        advance,
                        staging,
                        engine,
                        workers,
                        scheduler,
                        on_client,
                    )
                    output.close()
                except BaseException:
                    output.abandon()
                    raise
            summary = BatchSummary(
                output.citizens,
                output.ok,
                output.citizens - output.ok,
                time.perf_counter() - started,
                str(out),
            )
            output.publish(out, _manifest(config, engine, summary))
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return summary


def _run_engine(
    source: str | os.PathLike[str] | Iterable[RawRecord],
    config: BatchConfig,
    output: _Output,
    advance: Progress,
    staging: Path,
    engine: str,
    workers: int,
    scheduler: str | None,
    on_client: Callable[[Any], None] | None,
) -> None:
    remote = engine == "dask" and scheduler is not None
    scratch = staging / "scratch"
    chunks = _source_chunks(source, config, str(scratch), remote)

    def sink(tables: dict[str, pa.Table]) -> None:
        advance(output.write(tables))

    if engine == "dask":
        _run_dask(chunks, config, sink, workers, scheduler, on_client)
    else:
        _run_local(chunks, config, sink, workers)


def _source_chunks(
    source: str | os.PathLike[str] | Iterable[RawRecord],
    config: BatchConfig,
    scratch: str,
    remote: bool,
) -> Iterator[Chunk]:
    """The caseload in chunks of ``config.chunk_size`` citizens.

    An event log caseload comes as row ranges (:class:`~lovregler.caseload.tables.TablePart`) that
    the workers read themselves; for a remote cluster (``remote``), which may not see this
    machine's files, the records are built here and sent instead.
    """
    size = config.chunk_size
    if not isinstance(source, str | os.PathLike):
        yield from chunked(source, size)
        return
    parts = read_caseload_chunks(source, size, scratch, max_record_bytes=config.max_record_bytes)
    for chunk in parts:
        yield list(chunk.records()) if remote and isinstance(chunk, TablePart) else chunk


def _manifest(config: BatchConfig, engine: str, summary: BatchSummary) -> dict[str, Any]:
    """``batch.json``: what was run, for the report and for people reading the folder."""
    return {
        "as_of": config.as_of.isoformat(),
        "rulesets": [spec if isinstance(spec, str) else spec.name for spec in config.rulesets],
        "engine": engine,
        "finished": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        **attrs.asdict(summary),
    }


class _progress_bar:  # noqa: N801 - used as a context manager like a function
    """A rich progress bar on a terminal; a no-op otherwise."""

    def __init__(self, show: bool | None, total: int | None):
        self.show = sys.stderr.isatty() if show is None else show
        self.total = total
        self.bar: Any = None

    def __enter__(self) -> Callable[[int], None]:
        if not self.show:
            return lambda n: None
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

        self.bar = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self.bar.start()
        task = self.bar.add_task("Borgere", total=self.total)
        return lambda n: self.bar.advance(task, n)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


# ---------------------------------------------------------------- command line


def _parse_date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} er ikke en dato (ÅÅÅÅ-MM-DD)") from None


def _ruleset_names(values: Sequence[str]) -> tuple[str, ...]:
    names = [name.strip() for value in values for name in value.split(",") if name.strip()]
    if "all" in names:
        from ..api import bundled_rulesets

        return tuple(bundled_rulesets())
    return tuple(names)


def build_parser(parser: argparse.ArgumentParser | None = None) -> argparse.ArgumentParser:
    """The ``lovregler batch`` arguments (on ``parser`` when given, e.g. a subparser)."""
    p = parser or argparse.ArgumentParser(
        prog="lovregler batch", description="Evaluér en hel sagsmængde."
    )
    p.add_argument(
        "input", help="JSON Lines-fil, eller mappe/fil med events + citizens (Parquet/CSV)"
    )
    p.add_argument(
        "-r", "--ruleset", action="append", required=True, help="regelsæt (navn, sti eller 'all')"
    )
    p.add_argument("--as-of", required=True, type=_parse_date, help="evalueringsdato ÅÅÅÅ-MM-DD")
    p.add_argument("-o", "--output", required=True, help="mappe til Parquet-tabellerne")
    p.add_argument("--engine", choices=("local", "dask"), default="local")
    p.add_argument("--scheduler", help="Dask-scheduler (adresse); uden: en LocalCluster")
    p.add_argument(
        "--workers", type=int, default=None, help="antal processer (standard: alle kerner)"
    )
    p.add_argument("--chunk-size", type=int, default=500, help="borgere pr. opgave")
    p.add_argument("--explain", action="store_true", help="tag forklaringerne med i tabellerne")
    p.add_argument(
        "--time-limit", type=float, default=60.0, help="sekunder pr. borger og regelsæt (0: ingen)"
    )
    p.add_argument(
        "--max-record-size",
        type=_byte_size,
        default=MAX_RECORD_BYTES,
        help="største input-post (en JSON-linje) i byte, fx 16M (standard: 16M)",
    )
    return p


def _byte_size(text: str) -> int:
    units = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3}
    number, unit = text.strip().upper().rstrip("B"), ""
    if number and number[-1] in units:
        number, unit = number[:-1], number[-1]
    try:
        value = int(float(number) * units[unit])
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} er ikke en størrelse (fx 16M)") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: størrelsen skal være positiv")
    return value


def main_batch(argv: Sequence[str] | None = None) -> int:
    """``lovregler batch``: returns the exit code (0 when the batch completed)."""
    args = build_parser().parse_args(argv)
    return run_batch_args(args)


def run_batch_args(args: argparse.Namespace) -> int:
    """Run a batch from parsed arguments; user errors are printed, not raised."""
    if not Path(args.input).exists():
        print(f"lovregler batch: {args.input}: findes ikke", file=sys.stderr)
        return 2
    try:
        config = BatchConfig(
            _ruleset_names(args.ruleset),
            args.as_of,
            max(1, args.chunk_size),
            args.explain,
            args.time_limit if args.time_limit > 0 else None,
            args.max_record_size,
        )
        for spec in config.rulesets:
            _ruleset(spec)  # fail fast on a bad ruleset name, before any work
        summary = run_batch(
            args.input,
            args.output,
            config,
            engine=args.engine,
            workers=args.workers,
            scheduler=args.scheduler,
        )
    except OSError as exc:
        print(f"lovregler batch: {_os_error_text(exc)}", file=sys.stderr)
        return 2
    except (LovreglerError, TimeoutError, ValueError) as exc:
        print(f"lovregler batch: {exc}", file=sys.stderr)
        return 2
    rate = summary.citizens / summary.seconds if summary.seconds else math.inf
    print(
        f"{summary.citizens} borgere: {summary.ok} ok, {summary.errors} med fejl "
        f"({summary.seconds:.1f} s, {rate:,.0f} borgere/s) → {summary.outdir}"
    )
    return 0


def _os_error_text(exc: OSError) -> str:
    """One line for a failed read or write; a full disk says so, and that nothing was left."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG) or "No space left" in str(exc):
        return (
            f"ikke plads nok på disken ({exc.strerror or exc}); kørslen er stoppet, og "
            "intet halvt resultat er efterladt i outputmappen"
        )
    return str(exc)
