"""The ``lovregler`` command's entry point: starts a batch's workers' fork server before
anything heavy is imported, then hands over to :mod:`lovregler.cli`.

``lovregler batch`` on worker processes of its own (the local engine's pool, a local Dask
cluster) starts them from a fork server that imports what they need
(:mod:`~lovregler.caseload.batch_server`). Started from here, ≈ 0.02 s into the process,
the server's imports run beside the whole of this process's own start-up (the rule
pipeline, rich, pyarrow: ≈ 0.3 s) instead of after most of it, so that the workers are
ready sooner. Nothing but the standard library is imported before that.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``lovregler`` script: :func:`lovregler.cli.main`, after starting
    the fork server when the arguments ask for a batch on worker processes."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "batch":
        from .caseload.batch_server import start_batch_workers

        start_batch_workers(argv[1:])
    from .cli import main as cli_main

    return cli_main(argv)
