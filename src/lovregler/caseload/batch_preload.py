"""What a Dask batch worker needs before its first chunk, loaded once into the fork server.

A Dask batch on a local cluster starts its workers from Python's fork server
(:mod:`multiprocessing.forkserver`), which imports this module as it starts, in parallel
with the main process's own start-up. Every worker forked from the server then begins
with what a local engine's worker has (:mod:`~lovregler.caseload.batch_worker_preload`:
pyarrow, pandas, lovregler's batch modules, the bundled rulesets compiled) and with
distributed, instead of spending a second or two of a fresh interpreter on them before
its first chunk (time that does not shrink with more workers). ``dask worker --preload``
takes it too, for a cluster started by hand.

The fork server must have a single thread; the worker preload, imported first, keeps
numpy's and pyarrow's thread pools from starting (``tests/test_batch_dask.py`` checks).
"""

from __future__ import annotations

import contextlib

from . import batch_worker_preload  # noqa: F401 - first: its settings precede numpy's import


def _preload() -> None:
    """Import the Dask worker's own modules, then freeze them with the rest."""
    import gc

    import distributed  # noqa: F401 - the worker process's own start-up

    from . import batch_dask, table_grouping  # noqa: F401 - what a task runs

    gc.freeze()


# The fork server must start even if something here fails: workers then import lazily.
with contextlib.suppress(Exception):
    _preload()
