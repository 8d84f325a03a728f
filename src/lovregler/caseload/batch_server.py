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

import multiprocessing

#: What the local engine's workers need (no Dask).
LOCAL_PRELOAD = "lovregler.caseload.batch_worker_preload"


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
