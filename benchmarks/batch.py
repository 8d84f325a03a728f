"""The whole-caseload benchmarks (``python -m benchmarks --batch``): the CLI in fresh processes.

1. ``lovregler synth`` writes 30,000 citizens (seed 2015) as Parquet tables;
2. ``lovregler batch`` (the local engine, 2 processes) and ``lovregler batch --engine dask``
   evaluate every bundled ruleset on them with one and with
   two workers (as_of 2019-06-30), each in a fresh process that starts its own cluster;
3. the same Dask command given a started cluster (``--scheduler``: a ``dask scheduler`` and
   ``dask worker --nworkers 1|2`` on 127.0.0.1, started before the clock starts, as a
   long-lived deployment would be), so that the cluster's start-up is not timed;
4. ``lovregler demo``, the chain behind ``make demo`` (synth → batch → report of 30,000
   citizens, into ``demo-output/`` of a scratch folder); left out for smaller caseloads;
5. with ``--large``, :func:`large_steps`: the local engine and Dask with 1 and 2 workers on
   300,000 citizens.

Every step is the command a user types, timed from outside (wall clock; CPU is that of the
finished child processes together).
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import attrs

from .before import before_cli
from .timing import Rate

CITIZENS = 30_000
#: The caseload of ``--large``: ten times the demo's.
LARGE = 300_000
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
        argv = ["batch", "--workers", "2", "--ruleset", "all", "--as-of", AS_OF, caseload]
        steps.append(run_step("local, 2 processes", [cli, *argv, "-o", f"{tmp}/l2"], citizens))
        steps += before_and_after(argv, citizens, tmp)
        for workers in (1, 2):
            argv = [cli, "batch", "--engine", "dask", "--workers", str(workers)]
            argv += ["--ruleset", "all", "--as-of", AS_OF, caseload, "-o", f"{tmp}/d{workers}"]
            steps.append(run_step(f"dask, {workers} worker(s)", argv, citizens))
        for workers in (1, 2):
            with started_cluster(workers, tmp) as address:
                argv = [cli, "batch", "--engine", "dask", "--scheduler", address]
                argv += ["--ruleset", "all", "--as-of", AS_OF, caseload, "-o", f"{tmp}/s{workers}"]
                label = f"dask, {workers} worker(s), started cluster"
                steps.append(run_step(label, argv, citizens))
        if citizens == CITIZENS:  # the demo's own size
            steps.append(run_step("demo (make demo)", [cli, "demo"], citizens, cwd=tmp))
    return steps


def large_steps(citizens: int = LARGE) -> list[Step]:
    """A caseload ten times the demo's (written as Parquet only): the local engine on 2
    processes, then Dask with 1 and with 2 workers, each in a fresh process, in two rounds
    taking turns.

    What a municipality's whole caseload asks of a batch: its largest process (the
    memory target is for 30,000 and 300,000 citizens), and how Dask's second worker pays
    once the cluster's start-up (≈ 1 s that no worker shares) is small beside the work.
    """
    cli = _cli()
    with tempfile.TemporaryDirectory(prefix="lovregler-bench-large-") as tmp:
        caseload = f"{tmp}/cl"
        synth = [cli, "synth", "--citizens", str(citizens), "--seed", "2015"]
        steps = [run_step("synth", [*synth, "--format", "parquet", "-o", caseload], citizens)]
        argv = ["batch", "--ruleset", "all", "--as-of", AS_OF, caseload]
        local = [cli, *argv, "--workers", "2", "-o", f"{tmp}/l2"]
        steps.append(run_step("local, 2 processes", local, citizens))
        for k in (1, 2):  # two rounds, taking turns: the ratio is near 1.8×, runs vary ± 3 %
            for workers in (1, 2):
                dask = [cli, *argv, "--engine", "dask", "--workers", str(workers)]
                label = f"{dask_label(workers)}, round {k}"
                steps.append(run_step(label, [*dask, "-o", f"{tmp}/d"], citizens))
                shutil.rmtree(f"{tmp}/d")  # ≈ 50 MB of tables: not two copies at once
    return steps


def dask_label(workers: int) -> str:
    """The label of a Dask step with ``workers`` workers (a round is added in the large case)."""
    return f"dask, {workers} worker(s)"


def before_and_after(argv: list[str], citizens: int, tmp: str) -> list[Step]:
    """The code of before issue 14 (:mod:`benchmarks.before`) and this code, taking turns
    for two rounds, on the same caseload and command; none where the old code cannot be
    had (its reason is in :data:`BEFORE_SKIPPED`)."""
    BEFORE_SKIPPED.clear()
    if citizens != CITIZENS:
        BEFORE_SKIPPED.append("only at the demo's own size")
        return []
    old, why = before_cli()
    if old is None:
        BEFORE_SKIPPED.append(why)
        return []
    steps = []
    for k in (1, 2):
        for label, cli in ((BEFORE_LABEL, old), (AFTER_LABEL, _cli())):
            out = f"{tmp}/{'before' if cli == old else 'after'}{k}"
            steps.append(run_step(f"{label}, round {k}", [cli, *argv, "-o", out], citizens))
    return steps


#: Labels of the before-and-after rounds (:func:`before_and_after`).
BEFORE_LABEL = "before issue 14 (2197916), local, 2 processes"
AFTER_LABEL = "this code, local, 2 processes"
#: Why the before-and-after rounds were left out of the last run, if they were.
BEFORE_SKIPPED: list[str] = []


@contextlib.contextmanager
def started_cluster(workers: int, tmp: str) -> Iterator[str]:
    """A Dask scheduler and ``workers`` single-threaded workers on 127.0.0.1, with the
    local cluster's settings and the batch preload, ready; yields the scheduler address."""
    from distributed import Client

    from lovregler.caseload.batch_dask import _WORKER_CONFIG, PRELOAD

    dask_cli = str(Path(sys.executable).with_name("dask"))
    env = {**os.environ, **{_env_name(key): str(value) for key, value in _WORKER_CONFIG.items()}}
    address_file = Path(tmp, f"scheduler-{workers}.json")
    address_file.unlink(missing_ok=True)
    common = ["--host", "127.0.0.1", "--no-dashboard"]
    scheduler = [dask_cli, "scheduler", *common, "--port", "0"]
    processes = [_quiet([*scheduler, "--scheduler-file", str(address_file)], env)]
    try:
        address = _read_address(address_file)
        worker = [dask_cli, "worker", address, *common, "--nworkers", str(workers)]
        processes.append(_quiet([*worker, "--nthreads", "1", "--preload", PRELOAD], env))
        with Client(address) as client:
            client.wait_for_workers(workers, timeout=120)
        yield address
    finally:
        for process in reversed(processes):
            process.terminate()
            process.wait(timeout=60)


def _env_name(key: str) -> str:
    """A Dask setting's environment variable (``distributed.admin.tick.interval`` →
    ``DASK_DISTRIBUTED__ADMIN__TICK__INTERVAL``)."""
    return "DASK_" + key.upper().replace(".", "__").replace("-", "_")


def _quiet(argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _read_address(path: Path, timeout: float = 60.0) -> str:
    """The scheduler's address from its scheduler file, once it has written it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError, ValueError):
            return str(json.loads(path.read_text(encoding="utf-8"))["address"])
        time.sleep(0.05)
    raise TimeoutError(f"the Dask scheduler wrote no {path} in {timeout:g} s")
