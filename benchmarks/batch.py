"""The whole-caseload benchmarks (``python -m benchmarks --batch``): the CLI in fresh processes.

1. ``lovregler synth`` writes 30,000 citizens (seed 2015) as Parquet tables;
2. ``lovregler batch`` (the local engine, 2 processes) and ``lovregler batch --engine dask``
   evaluate every bundled ruleset on them with one and with
   two workers (as_of 2019-06-30), each in a fresh process that starts its own cluster;
3. ``lovregler demo``, the chain behind ``make demo`` (synth → batch → report of 30,000
   citizens, into ``demo-output/`` of a scratch folder); left out for smaller caseloads.

Every step is the command a user types, timed from outside (wall clock; CPU is that of the
finished child processes together).
"""

from __future__ import annotations

import contextlib
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import attrs

from .timing import Rate

CITIZENS = 30_000
AS_OF = "2019-06-30"


@attrs.frozen
class Step:
    """One command, how long it took and the largest RSS of any one of its processes."""

    label: str
    argv: tuple[str, ...]
    rate: Rate
    largest_rss_mib: float = 0.0


def _cli() -> str:
    """The ``lovregler`` command of this environment."""
    return str(Path(sys.executable).with_name("lovregler"))


def run_step(label: str, argv: list[str], items: int, cwd: str | None = None) -> Step:
    """Run one command to completion; its wall time, its children's CPU time, and the
    largest resident set of the command or any process it started (sampled every 0.2 s)."""
    import psutil  # with dask's distributed

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, cwd=cwd)
    largest = 0
    while child.poll() is None:
        largest = max(largest, _largest_rss(psutil.Process(child.pid)))
        time.sleep(0.2)
    if child.returncode != 0:
        raise subprocess.CalledProcessError(child.returncode, argv)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return Step(label, tuple(argv), Rate(label, items, cpu, wall), largest / 2**20)


def _largest_rss(root: object) -> int:
    import psutil

    largest = 0
    try:
        processes = [root, *root.children(recursive=True)]  # type: ignore[attr-defined]
    except psutil.Error:
        return 0
    for process in processes:
        with contextlib.suppress(psutil.Error):  # it may have ended meanwhile
            largest = max(largest, process.memory_info().rss)
    return largest


def batch_steps(citizens: int = CITIZENS) -> list[Step]:
    """synth, then dask with 1 and 2 workers, then the demo chain, in a scratch folder."""
    cli = _cli()
    with tempfile.TemporaryDirectory(prefix="lovregler-bench-") as tmp:
        caseload = f"{tmp}/cl"
        steps = [
            run_step(
                "synth",
                [cli, "synth", "--citizens", str(citizens), "--seed", "2015", "-o", caseload],
                citizens,
            )
        ]
        argv = [cli, "batch", "--workers", "2", "--ruleset", "all", "--as-of", AS_OF, caseload]
        steps.append(run_step("local, 2 processes", [*argv, "-o", f"{tmp}/l2"], citizens))
        for workers in (1, 2):
            argv = [cli, "batch", "--engine", "dask", "--workers", str(workers)]
            argv += ["--ruleset", "all", "--as-of", AS_OF, caseload, "-o", f"{tmp}/d{workers}"]
            steps.append(run_step(f"dask, {workers} worker(s)", argv, citizens))
        if citizens == CITIZENS:  # the demo's own size
            steps.append(run_step("demo (make demo)", [cli, "demo"], citizens, cwd=tmp))
    return steps
