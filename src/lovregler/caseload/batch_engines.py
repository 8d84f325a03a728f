"""The engines that run a batch's chunks: in this process, on a local process pool that
replaces a worker that dies, or on a Dask cluster. Every engine hands the chunks' tables to
its sink in chunk order.
"""

from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import multiprocessing
import os
import shutil
import signal
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import attrs
import pyarrow as pa

from .batch_chunk import BatchConfig, Chunk, evaluate_chunk
from .batch_dask import _run_dask
from .batch_output import BatchFailed
from .batch_server import LOCAL_PRELOAD, start_fork_server
from .tables import TablePart

Progress = Callable[[int], None]

__all__ = ["Progress", "_run_dask", "_run_local"]


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
        """Workers forked from the fork server (started here if the CLI has not already
        done so), which has imported what they need; spawned where there is none."""
        method = "forkserver" if start_fork_server(LOCAL_PRELOAD) else "spawn"
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
