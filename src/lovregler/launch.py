"""The ``lovregler`` command's entry point: starts a batch's workers' fork server before
anything heavy is imported, then hands over to :mod:`lovregler.cli`.

``lovregler batch`` on worker processes of its own (the local engine's pool, a local Dask
cluster) starts them from a fork server that imports what they need
(:mod:`~lovregler.caseload.batch_server`). Started from here, ≈ 0.02 s into the process,
the server's imports run beside the whole of this process's own start-up (the rule
pipeline, rich, pyarrow: ≈ 0.3 s) instead of after most of it, so that the workers are
ready sooner. Nothing but the standard library is imported before that.

When a batch (or the demo's chain) has finished, this process ends without the
interpreter's teardown (:func:`end_now`).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

#: The commands whose process ends at once when they return (:func:`end_now`).
ENDS_AT_ONCE = frozenset(("batch", "demo"))


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``lovregler`` script: :func:`lovregler.cli.main`, after starting
    the fork server when the arguments ask for a batch on worker processes."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in ("batch", "demo"):
        # The demo's synth pool forks from the same server, so it must be started here,
        # with the batch's preload, before synth starts it without.
        from .caseload.batch_server import start_batch_workers

        start_batch_workers(argv[1:])
    from .cli import main as cli_main

    code = cli_main(argv)
    if argv and argv[0] in ENDS_AT_ONCE:
        end_now(code)
    return code


def end_now(code: int) -> NoReturn:
    """End the process with ``code`` once the exit handlers have run and the standard
    streams are flushed, skipping the interpreter's teardown.

    A batch leaves pyarrow, pandas, DuckDB, Dask and a few hundred thousand objects of
    theirs loaded; freeing them one by one on the way out took ≈ 0.2 s of a 4–5 s batch
    after its tables were published (``benchmarks/README.md``, *coded*). Nothing is lost:
    every file of the batch is closed and moved into place before the command returns,
    and the exit handlers (logging's flush, multiprocessing's and Dask's clean-up) run
    here as at a normal exit. Called only after the command returned: an exception still
    ends the process the usual way, with its traceback.
    """
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing to reach
            stream.flush()
    os._exit(code)
