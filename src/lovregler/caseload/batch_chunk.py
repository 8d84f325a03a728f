"""Evaluating one chunk of citizens against every ruleset, in a worker.

Each citizen is loaded, validated once per vocabulary and evaluated under every ruleset;
whatever goes wrong becomes an ``errors`` row for that citizen, and every citizen ends as
exactly one ``citizens`` row (:func:`evaluate_chunk`).
"""

from __future__ import annotations

import contextlib
import datetime
import gc
import importlib
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol

import attrs
import pyarrow as pa

from ..errors import HistoryError, LovreglerError
from ..evaluate.context import share_derived
from ..history import valid_id
from .batch_rows import _Rows
from .table_columns import ColumnCitizen, read_part
from .tables import MAX_RECORD_BYTES, RawRecord, TablePart


class RulesetLike(Protocol):
    """What batch needs of a ruleset (``lovregler.api.Ruleset`` is one)."""

    name: str
    vocabulary: Any

    def evaluate(self, history: Any, as_of: datetime.date) -> Any:
        """The result for one history on ``as_of``; has ``to_dict()`` (contract §2)."""


#: Citizens per task, unless a batch says otherwise. A Dask cluster's own work per task
#: (scheduling it, fetching its result: ≈ 8 ms of the main process) is shared by twice
#: the citizens it was at 500 (``benchmarks/README.md``, *coded*).
CHUNK_SIZE = 1000


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
    chunk_size: int = CHUNK_SIZE
    explain: bool = False
    time_limit: float | None = 60.0
    max_record_bytes: int = MAX_RECORD_BYTES


# ---------------------------------------------------------------- evaluating one chunk

_LOADED: dict[str, RulesetLike] = {}  # per process: compile each ruleset once
_FROZEN: list[bool] = []  # whether this process has frozen its long-lived objects (gc)


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
    rows = _Rows(config.explain, config.as_of.toordinal())
    records = read_part(chunk).citizens_of_part() if isinstance(chunk, TablePart) else chunk
    with _alarm_handler() if config.time_limit else contextlib.nullcontext():
        plan = _ChunkPlan(config)
        with _watch(plan.time_limit) if plan.armed else contextlib.nullcontext():
            for record in records:
                _Citizen(record, rows, plan).evaluate()
    return rows.tables()


class _ChunkPlan:
    """What every citizen of a chunk shares: the rulesets, their vocabularies, the date and
    whether each evaluation arms the time limit (worked out once, not per citizen)."""

    def __init__(self, config: BatchConfig):
        loaded = len(_LOADED)
        self.rulesets = [_ruleset(spec) for spec in config.rulesets]
        if len(_LOADED) > loaded and not _FROZEN:
            # The compiled rulesets and everything imported stay for the life of a worker:
            # moved out of the collector's sight (once per process), its full passes no
            # longer scan them again and again while a chunk's short-lived objects come and
            # go (≈ 10 % of a chunk's time).
            gc.freeze()
            _FROZEN.append(True)
        self.keys = [_vocab_key(ruleset) for ruleset in self.rulesets]
        # One history per vocabulary, built in the order the rulesets first need them; a
        # history error names its ruleset unless every ruleset shares the vocabulary.
        first = dict(zip(reversed(self.keys), reversed(self.rulesets), strict=True))
        self.vocabularies = [(key, first[key]) for key in dict.fromkeys(self.keys)]
        self.shared = len(self.vocabularies) == 1
        self.as_of = config.as_of
        self.day = config.as_of.toordinal()
        self.time_limit = config.time_limit
        # Each evaluation is timed by the chunk's one watch (_watch) where a signal can
        # stop it: in the main thread, with the handler evaluate_chunk installs there.
        # Elsewhere (a Dask task's thread) no limit applies, and nothing is entered per
        # evaluation: a timer context that did nothing there cost ≈ 2 µs an evaluation,
        # ≈ 8 % of a Dask chunk.
        self.armed = bool(self.time_limit) and _ALARM.installed and _in_main_thread()
        self.evaluators = [_evaluator(ruleset, config.as_of) for ruleset in self.rulesets]


class _Citizen:
    """The evaluation of one input citizen against every ruleset, and its output rows."""

    def __init__(self, record: RawRecord | ColumnCitizen, rows: _Rows, plan: _ChunkPlan):
        self.record, self.rows, self.plan = record, rows, plan
        self.cid = record.citizen_id

    def evaluate(self) -> None:
        """Load, validate and evaluate; always ends with exactly one ``citizens`` row."""
        try:
            histories = self.column_histories()
            if histories is None:
                record = self.record
                if isinstance(record, ColumnCitizen):
                    record = self.record = record.record()
                obj = record.load()
                self.cid = _citizen_id(obj, record.label)
                histories = self.histories(obj)
            plan = self.plan
            for history in histories.values():
                # the rulesets below share what each derives from the history alone
                share_derived(history, plan.day)
            for ruleset, key, evaluate in zip(
                plan.rulesets, plan.keys, plan.evaluators, strict=True
            ):
                history = histories.get(key)
                if history is not None:
                    self.run(ruleset, evaluate, history)
        except HistoryError as exc:
            self.error(None, "indlæsning", exc)
        except Exception as exc:  # a bug must neither lose this citizen nor stop the batch
            self.error(None, "intern", RuntimeError(f"intern fejl: {type(exc).__name__}: {exc}"))
        self.rows.citizen(self.cid)

    def column_histories(self) -> dict[object, Any] | None:
        """The histories built straight from an event log's columns, when the citizen came
        from one and is plainly valid (:mod:`~.table_columns`); else None."""
        if type(self.record) is not ColumnCitizen:
            return None
        return self.record.histories(self.plan.vocabularies)

    def histories(self, obj: object) -> dict[object, Any]:
        """The validated history per vocabulary (rulesets usually share one)."""
        from ..history import History

        out: dict[object, Any] = {}
        for key, ruleset in self.plan.vocabularies:
            try:
                out[key] = History.from_dict(obj, ruleset.vocabulary)
            except HistoryError as exc:
                self.error(None if self.plan.shared else ruleset.name, "historik", exc)
        return out

    def run(self, ruleset: RulesetLike, evaluate: _Evaluate, history: Any) -> None:
        """Evaluate one ruleset; an evaluation failure is an error row for this ruleset."""
        plan = self.plan
        try:
            if plan.armed:
                # the chunk's watch (_watch) times this evaluation from here
                _ALARM.started = time.monotonic()
                try:
                    result = evaluate(history)
                finally:
                    _ALARM.started = None
            else:
                result = evaluate(history)
        except _TimeUp:
            message = f"evalueringen blev afbrudt efter {plan.time_limit:g} s"
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
        self.rows.result(ruleset.name, result)

    def error(self, ruleset: str | None, stage: str, exc: Exception) -> None:
        """An ``errors`` row for this citizen."""
        where = exc if isinstance(exc, HistoryError) else None
        self.rows.error(
            {
                "citizen_id": self.cid,
                "ruleset": ruleset,
                "stage": stage,
                "event": where.event if where is not None else None,
                "field": where.field if where is not None else None,
                "message": str(exc),
            }
        )


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


class _TimeUp(Exception):
    """An evaluation ran past the batch's time limit."""


class _AlarmState:
    installed = False
    # While a chunk is watched (_watch): the limit, and when the evaluation now running
    # started (time.monotonic), or None between evaluations.
    watching: float | None = None
    started: float | None = None


_ALARM = _AlarmState()


def _time_up(signum: int, frame: Any) -> None:
    limit = _ALARM.watching
    if limit is None:  # no chunk is watched (only _watch sets our timer): stop what runs
        raise _TimeUp
    started = _ALARM.started
    left = limit if started is None else started + limit - time.monotonic()
    if left > 0:  # no evaluation has run for the whole limit: look again when one could
        signal.setitimer(signal.ITIMER_REAL, left)
        return
    _ALARM.started = None
    signal.setitimer(signal.ITIMER_REAL, limit)  # watching the chunk's next evaluations
    raise _TimeUp


@contextlib.contextmanager
def _watch(limit: float | None) -> Iterator[None]:
    """Time every evaluation of a chunk with one timer (inside :func:`_alarm_handler`).

    The limit still applies to each ruleset's evaluation of each citizen on its own: an
    evaluation records when it starts (:attr:`_AlarmState.started`), and when the timer
    goes off the handler raises :class:`_TimeUp` only in an evaluation that has run for
    the whole limit; otherwise it sets the timer for the earliest moment the evaluation
    now running could reach it. Arming and disarming a timer around every evaluation took
    two system calls each, about as long as a small ruleset's evaluation.
    """
    assert limit
    _ALARM.watching, _ALARM.started = limit, None
    signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        _ALARM.watching = _ALARM.started = None


@contextlib.contextmanager
def _alarm_handler() -> Iterator[None]:
    """Install the SIGALRM handler once for a chunk's evaluations (:func:`_watch`):
    installing it per evaluation cost more than some evaluations (``signal.signal``
    converts enums)."""
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


_Evaluate = Callable[[Any], Any]


def _evaluator(ruleset: RulesetLike, as_of: datetime.date) -> _Evaluate:
    """How one history is evaluated under ``ruleset`` on ``as_of``.

    A bundled or loaded :class:`lovregler.api.Ruleset` is evaluated by its compiled
    evaluator on the day number at once: ``Ruleset.evaluate`` would check the date and the
    history's type again for every citizen, and give the same result or error. Anything
    else (and a date ``Ruleset.evaluate`` refuses, which it then refuses for every
    citizen) goes through ``evaluate``.
    """
    from ..api import Ruleset, parse_as_of

    if type(ruleset) is Ruleset:
        try:
            day = parse_as_of(as_of).toordinal()
            compiled = ruleset.compiled()
        except Exception:  # noqa: BLE001  # evaluate raises it again, as an error row per citizen
            pass
        else:
            return lambda history: compiled(history, day)
    evaluate = ruleset.evaluate
    return lambda history: evaluate(history, as_of)


def _vocab_key(ruleset: RulesetLike) -> object:
    vocabulary = ruleset.vocabulary
    return getattr(vocabulary, "name", None) or id(vocabulary)
