"""The fork server that batch workers are started from, with what they need preloaded.

A batch's workers (the local engine's process pool, a local Dask cluster's workers) are
started with Python's ``forkserver`` method. :func:`start_fork_server` launches that
server as early as possible, naming a module for it to import before it forks anything
(:mod:`~lovregler.caseload.batch_worker_preload` for the local engine,
:mod:`~lovregler.caseload.batch_preload` for Dask): the server does those imports once,
in its own process, while the main process is still starting up and grouping the event
log; every worker forked from it then begins ready for its first chunk, instead of each
spending half a second of a fresh interpreter on the same imports.

This module imports nothing heavy: the CLI calls it before the batch stack is imported.
"""

from __future__ import annotations

import importlib.util
import multiprocessing
import os
from collections.abc import Sequence

#: What the local engine's workers need (no Dask).
LOCAL_PRELOAD = "lovregler.caseload.batch_worker_preload"
#: What a local Dask cluster's workers need: the same and distributed.
DASK_PRELOAD = "lovregler.caseload.batch_preload"


def start_fork_server(preload: str) -> bool:
    """Start Python's fork server, preloading ``__main__`` (as the server does by default)
    and then ``preload``, unless a server runs already; returns whether the platform has
    one.

    Returns at once: the server imports in its own process, and the first worker to be
    started waits for it. A server already running (started by an earlier batch of this
    process, perhaps with the other engine's preload) is used as it is: its workers then
    import what that preload left out on their first chunk.
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return False
    from multiprocessing import forkserver

    multiprocessing.get_context("forkserver").set_forkserver_preload(["__main__", preload])
    forkserver.ensure_running()
    return True


def start_dask_server() -> bool:
    """Start the fork server with the Dask batch preload; returns whether workers can be
    started from it (not on platforms without ``forkserver``, nor without Dask)."""
    if importlib.util.find_spec("distributed") is None:
        return False  # the batch will say that Dask is missing
    return start_fork_server(DASK_PRELOAD)


def start_batch_workers(argv: Sequence[str]) -> None:
    """For ``batch`` on worker processes of its own (the local engine's pool, a local Dask
    cluster): start the workers' fork server now, so that its imports run beside this
    process's own (the batch stack's ≈ 0.3 s) and the event log's grouping. ``demo`` takes
    the same options and starts it too: its synth pool forks from the same server, and
    would otherwise start it without the batch's preload."""
    workers = _batch_workers(argv)
    if workers == "dask":
        start_dask_server()
    elif workers == "local":
        start_fork_server(LOCAL_PRELOAD)


def _batch_workers(argv: Sequence[str]) -> str | None:
    """Which worker processes ``lovregler batch`` arguments start on this machine: a local
    Dask cluster (``"dask"``), the local engine's pool (``"local"``), or none (a cluster
    given by address, or the local engine on one process)."""
    engine = _option(argv, "--engine") or "local"
    if engine == "dask":
        return "dask" if _option(argv, "--scheduler") is None else None
    if engine == "local" and _pool_wanted(_option(argv, "--workers")):
        return "local"
    return None


def _option(argv: Sequence[str], name: str) -> str | None:
    """The last value given for an option (``--name value`` or ``--name=value``)."""
    args = list(argv)
    values = [b for a, b in zip(args, args[1:], strict=False) if a == name]
    values += [a.partition("=")[2] for a in args if a.startswith(f"{name}=")]
    return values[-1] if values else None


def _pool_wanted(workers: str | None) -> bool:
    """Whether the local engine will run a process pool (more than one worker)."""
    if workers is None:
        return (os.cpu_count() or 1) > 1
    try:
        return int(workers) > 1
    except ValueError:
        return False  # the argument parser reports it
