"""Measuring: best of a few rounds, in CPU seconds of this process (one core) and wall time.

The 2-core benchmark machine is shared, so wall time moves with whatever else runs; the CPU
time this process spends is what "per core" means and moves much less. Every rate is reported
from the fastest of ``rounds`` rounds (as :mod:`timeit` does): the slower rounds measure the
neighbours, not the code.
"""

from __future__ import annotations

import gc
import os
import resource
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

import attrs

T = TypeVar("T")

#: Set by :mod:`benchmarks.instructions` in a contender's environment: :func:`measure` then
#: runs that many untimed passes instead of its timed rounds.
PASSES_ENV = "LOVREGLER_BENCH_PASSES"


@attrs.frozen
class Rate:
    """How fast one thing ran: ``items`` per round, best CPU and wall seconds per round."""

    label: str
    items: int
    cpu: float
    wall: float

    @property
    def per_second(self) -> float:
        """Items per CPU second of one core."""
        return self.items / self.cpu if self.cpu > 0 else float("inf")

    @property
    def per_second_wall(self) -> float:
        """Items per wall-clock second."""
        return self.items / self.wall if self.wall > 0 else float("inf")

    @property
    def micros(self) -> float:
        """CPU microseconds per item."""
        return 1e6 * self.cpu / self.items


def measure(label: str, fn: Callable[[T], object], items: Sequence[T], rounds: int) -> Rate:
    """Call ``fn`` on every item, ``rounds`` times; keep the fastest round.

    The garbage collector is run before and paused during each round, so one round does not
    pay for another's garbage. With :data:`PASSES_ENV` set (:mod:`benchmarks.instructions`)
    ``fn`` runs over the items that many times instead, untimed and with nothing collected
    between the passes, so that two counted runs differ by the passes' work alone.
    """
    passes = os.environ.get(PASSES_ENV)
    if passes:
        _passes(fn, items, int(passes))
        return Rate(label, len(items), 0.0, 0.0)
    best_cpu = best_wall = float("inf")
    for _ in range(rounds):
        gc.collect()
        gc.disable()
        try:
            cpu, wall = time.process_time(), time.perf_counter()
            for item in items:
                fn(item)
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        finally:
            gc.enable()
        best_cpu, best_wall = min(best_cpu, cpu), min(best_wall, wall)
    return Rate(label, len(items), best_cpu, best_wall)


def _passes(fn: Callable[[T], object], items: Sequence[T], passes: int) -> None:
    """Call ``fn`` on every item ``passes`` times, the garbage collector paused."""
    gc.collect()
    gc.disable()
    try:
        for _ in range(passes):
            for item in items:
                fn(item)
    finally:
        gc.enable()


def load_average() -> str:
    """The 1-minute load average and the number of cores, e.g. ``"1.9 on 2 cores"``."""
    try:
        one = os.getloadavg()[0]
    except OSError:  # pragma: no cover - not on every platform
        return "unknown"
    return f"{one:.1f} on {os.cpu_count()} cores"


def max_rss_mib() -> float:
    """The process's peak resident set size so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
