"""The Dask engine of ``lovregler batch``: chunks as tasks on a cluster, results written in
chunk order.

Without a scheduler address the batch starts a :class:`distributed.LocalCluster` of one
single-threaded worker process per requested worker, bound to 127.0.0.1. Its workers are
started from Python's fork server, which :func:`start_worker_server` launches as early as
possible: it imports what a worker needs (:mod:`~lovregler.caseload.batch_preload`) while
the main process is still starting up, so that each worker is forked ready to evaluate.
The fork server has a single thread; nothing here forks the main process, which runs the
client's and the scheduler's threads.
"""

from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import itertools
import uuid
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .batch_server import DASK_PRELOAD, start_dask_server

if TYPE_CHECKING:  # imported where used: the CLI imports this module to start the server
    import pyarrow as pa

    from .batch_chunk import BatchConfig, Chunk

#: The module the fork server imports before it forks any worker.
PRELOAD = DASK_PRELOAD


def start_worker_server() -> bool:
    """Start Python's fork server with the Dask batch preload, unless it runs already.

    Returns whether workers can be started from it (not on platforms without
    ``forkserver``, nor without Dask installed). Returns at once: the server imports in
    its own process, and the first worker to be started waits for it
    (:func:`~lovregler.caseload.batch_server.start_fork_server`).
    """
    return start_dask_server()


def _run_dask(
    chunks: Callable[[bool], Iterable[Chunk]],
    config: BatchConfig,
    sink: Callable[[dict[str, pa.Table]], None],
    workers: int,
    scheduler: str | None,
    on_client: Callable[[Any], None] | None = None,
    staging: Path | None = None,
) -> None:
    """Chunks as Dask tasks; results written in chunk order whatever order they finish in.

    ``chunks(workers_see_files)`` gives the chunks: a local cluster's workers, and those of
    a cluster given by address that can all read a probe file put in ``staging``, read
    their parts of an event log from this machine's disk; other clusters are sent records.
    A task whose worker dies is run again by the scheduler on another worker, and a chunk
    is written only when its one result arrives, so no citizen is lost or written twice.
    """
    from distributed import Client

    local = scheduler is None
    with contextlib.ExitStack() as stack:
        first = _first_made_beside(chunks, stack) if local else None
        with _cluster_settings(local):
            cluster = _local_cluster(workers) if local else None
            client = Client(cluster) if cluster is not None else Client(scheduler)
            try:
                if on_client is not None:
                    on_client(client)
                if first is not None:
                    ready = first.result()
                else:
                    see = staging is not None and _workers_see(client, staging)
                    ready = chunks(see)
                _submit_in_order(client, ready, config, sink, workers)
            finally:
                client.close()
                if cluster is not None:
                    cluster.close()


def _first_made_beside(
    chunks: Callable[[bool], Iterable[Chunk]], stack: contextlib.ExitStack
) -> concurrent.futures.Future[Iterable[Chunk]]:
    """The chunks of a local cluster, their first made on a thread of its own while this
    one starts the cluster (imports distributed, starts the scheduler and the workers).

    Making the first chunk groups the event log in DuckDB, which lets go of the
    interpreter while it works: ≈ 0.2 s for 30,000 citizens, 1.4 s for 300,000, that the
    cluster's start-up no longer waits for. An error in it (a table without its columns)
    is raised where the result is asked for.
    """
    pool = stack.enter_context(concurrent.futures.ThreadPoolExecutor(1, "lovregler-group"))
    return pool.submit(lambda: _first_made(chunks(True)))


def _first_made(chunks: Iterable[Chunk]) -> Iterator[Chunk]:
    """The same chunks, the first of them made now."""
    iterator = iter(chunks)
    first = next(iterator, None)
    return iterator if first is None else itertools.chain([first], iterator)


def _workers_see(client: Any, folder: Path) -> bool:
    """Whether every worker of the cluster reads the same file at ``folder`` as this
    process (a cluster started on this machine, or sharing its disk)."""
    token = uuid.uuid4().hex
    probe = folder / f"probe-{token}"
    probe.write_text(token, encoding="ascii")
    try:
        answers = client.run(_read_probe, str(probe))
    finally:
        probe.unlink(missing_ok=True)
    return bool(answers) and all(answer == token for answer in answers.values())


def _read_probe(path: str) -> str | None:
    """A probe file's text, on a worker; None where the worker cannot read it."""
    try:
        return Path(path).read_text(encoding="ascii")
    except OSError:
        return None


def _submit_in_order(
    client: Any,
    chunks: Iterable[Chunk],
    config: BatchConfig,
    sink: Callable[[dict[str, pa.Table]], None],
    workers: int,
) -> None:
    """At most two chunks per worker in flight (bounded memory); results in chunk order."""
    window = 2 * max(1, len(client.scheduler_info().get("workers", {})) or workers)
    run = uuid.uuid4().hex[:8]  # keys unique per run: a shared scheduler may hold old ones
    pending: collections.deque[_Task] = collections.deque()
    for index, chunk in enumerate(chunks):
        pending.append(_Task(client, f"lovregler-{run}-{index}", chunk, config))
        if len(pending) >= window:
            sink(pending.popleft().result())
    while pending:
        sink(pending.popleft().result())


#: Settings of a local cluster. The statistical profiler samples the running task's stack
#: every 10 ms, taking the GIL from it, for a dashboard that nobody looks at here. The
#: housekeeping of the scheduler, nannies and workers (an event-loop tick every 20 ms, a
#: system monitor every 0.5 s, a nanny's memory check every 0.1 s) wakes the main process
#: some 500 times a second; on a machine with one core per worker that time is taken
#: from the workers. Less often is enough for a batch, and work stealing is not needed:
#: the scheduler hands out a queued chunk whenever a worker is free.
_WORKER_CONFIG: dict[str, object] = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.system-monitor.gil.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.scheduler.work-stealing": False,
}


@contextlib.contextmanager
def _cluster_settings(local: bool) -> Iterator[None]:
    """Dask's settings for the whole run, so that a worker the nanny replaces after a
    death starts the same way as the first ones (from the fork server)."""
    import dask

    settings = dict(_WORKER_CONFIG)
    if local and start_worker_server():
        settings["distributed.worker.multiprocessing-method"] = "forkserver"
        _skip_dask_forkserver_preload()
    with dask.config.set(settings):
        yield


def _skip_dask_forkserver_preload() -> None:
    """Dask, on its first use of the fork server, imports in *this* process every package
    it would have the server preload (pandas among them: ≈ 0.6 s) and sets that list as
    the server's preload, which does nothing once our server runs. Its flag says it has
    done so already; if a later version drops the flag, this costs only that import."""
    from distributed import utils

    if hasattr(utils, "_forkserver_preload_set"):
        utils._forkserver_preload_set = True


def _local_cluster(workers: int) -> Any:
    """A cluster of ``workers`` processes of one thread each on this machine, reachable on
    127.0.0.1 only, without a dashboard."""
    from distributed import LocalCluster

    return LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        # The scheduler's HTTP server (health, metrics) runs even without a dashboard: on
        # a free port of 127.0.0.1, not on 8787, which another cluster may hold.
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
    )


class _Task:
    """One chunk on the Dask cluster; submitted again if its workers keep dying."""

    def __init__(self, client: Any, key: str, chunk: Chunk, config: BatchConfig):
        self.client, self.key, self.chunk, self.config = client, key, chunk, config
        self.future = self.submit(0)

    def submit(self, attempt: int) -> Any:
        from .batch_chunk import evaluate_chunk

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
