"""What a local batch worker needs before its first chunk, loaded once into the fork server.

The local engine's process pool and a local Dask cluster start their workers from
Python's fork server (:mod:`~lovregler.caseload.batch_server`), which imports this module
as it starts, in parallel with the main process's own start-up. Every worker forked from
the server then begins with pyarrow, pandas, lovregler's batch modules and the bundled
rulesets loaded and compiled in memory, instead of spending half a second of a fresh
interpreter on them before its first chunk (time that does not shrink with more workers).

The fork server forks itself, so it must have a single thread: this module keeps the two
libraries that would start one at import from doing so (OpenBLAS's thread pool under
numpy, the jemalloc background thread inside pyarrow), and ``tests/test_batch_dask.py``
checks that the server runs one thread. Only bundled rulesets are loaded here: they
cannot change while the server lives, where a rule file given by path could be edited
between two batches of one long-lived process.
"""

from __future__ import annotations

import contextlib
import os

# Before numpy and pyarrow are imported: read by their native libraries when they load.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
os.environ.setdefault("JE_ARROW_MALLOC_CONF", "background_thread:false")


def preload() -> None:
    """Import the worker's modules, load and compile the bundled rulesets into the chunk
    cache, then freeze what is loaded out of the collector's sight."""
    import gc

    import holidays  # noqa: F401 - timecalc imports it when a rule first counts hverdage
    import pandas  # noqa: F401 - pyarrow imports it on the first pa.array of a list (≈ 0.15 s)
    import pyarrow.parquet  # noqa: F401 - a part is read from Parquet

    # Not lovregler.cli (rich, the example runner): the `lovregler` script that a worker
    # runs as its __main__ imports only lovregler.launch, the server's first preload.
    from ..api import Ruleset, bundled_rulesets
    from . import batch_chunk, batch_engines  # noqa: F401 - what a task runs

    for name in bundled_rulesets():
        try:
            ruleset = batch_chunk._ruleset(name)
            if isinstance(ruleset, Ruleset):
                ruleset.compiled()  # else built on the first evaluation, in every worker
        except Exception:  # noqa: S112 - a worker loads it again and reports the error
            continue
    # Long-lived objects out of the collector's sight before forking: the workers share
    # these pages, and a full collection would otherwise touch (and copy) every one.
    gc.freeze()
    # The workers (processes of ours alone) collect their young objects every 20,000
    # allocations instead of 700: a chunk's short-lived objects are freed by reference
    # counting (evaluation makes no cycles), so the frequent collections found nothing and
    # cost ≈ 3 % of a chunk (benchmarks/README.md, gates5).
    gc.set_threshold(20_000, 20, 20)


# The fork server must start even if something here fails: workers then import lazily.
with contextlib.suppress(Exception):
    preload()
