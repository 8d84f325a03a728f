"""Each contender in its own fresh process, in interleaved rounds (A B A B …).

:func:`interleaved` starts ``python -m benchmarks.contenders CASE NAME`` once per contender
per round, the contenders of a case taking turns, so that every contender sees the same
neighbours on this shared machine as often as the others and none runs after another's
leftovers. Each process reports its best round (:mod:`benchmarks.contenders`);
:class:`Samples` holds one contender's processes and gives their median (what the tables
and targets use) and the spread from the slowest process to the fastest.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import attrs

from lovregler._native import PURE_ENV

from .timing import PASSES_ENV, Rate

ROOT = Path(__file__).resolve().parents[1]


@attrs.frozen
class Sample:
    """What one process measured: its best round, and the extra numbers of its case."""

    rate: Rate
    extra: dict[str, Any] = attrs.field(factory=dict)


@attrs.frozen
class Samples:
    """One contender's processes, in the order they ran."""

    label: str
    runs: tuple[Sample, ...]

    @property
    def median(self) -> Rate:
        """The median process (by CPU time; wall time is the median of wall times)."""
        cpu = statistics.median(s.rate.cpu for s in self.runs)
        wall = statistics.median(s.rate.wall for s in self.runs)
        return Rate(self.label, self.runs[0].rate.items, cpu, wall)

    @property
    def spread(self) -> tuple[float, float]:
        """Items per CPU second of the slowest and of the fastest process."""
        rates = [s.rate.per_second for s in self.runs]
        return min(rates), max(rates)

    @property
    def extra(self) -> dict[str, Any]:
        """The first process's extra numbers (the answers and counts that the others would
        only compute again)."""
        return self.runs[0].extra


def ratio_spread(slow: Samples, fast: Samples) -> tuple[float, float, float]:
    """``slow``'s time over ``fast``'s: of the medians, and the lowest and highest of the
    rounds taken pairwise (round i of one against round i of the other)."""
    pairs = [a.rate.cpu / b.rate.cpu for a, b in zip(slow.runs, fast.runs, strict=False)]
    return slow.median.cpu / fast.median.cpu, min(pairs), max(pairs)


#: Runs one contender's process: (case, name, first); only the first process of a contender
#: computes the extra numbers that do not change between processes (``details``).
Runner = Callable[[str, str, bool], Sample]


#: A contender whose name ends so runs its case with the hot path from its Python sources
#: (``LOVREGLER_PURE``), the others with the modules compiled by mypyc (lovregler._native).
FROM_SOURCE = ", from source"


def contender_command(
    case: str, name: str, sizes: dict[str, Any], inputs: Path
) -> tuple[list[str], dict[str, str]]:
    """The command and environment of one contender's process: the hot path from source
    for a contender named so (:data:`FROM_SOURCE`), timed rounds (never the counted passes
    of :mod:`benchmarks.instructions`, which add their own setting)."""
    argv = [sys.executable, "-m", "benchmarks.contenders", case, name]
    argv += ["--sizes", json.dumps(sizes), "--inputs", str(inputs)]
    env = {key: value for key, value in os.environ.items() if key != PASSES_ENV}
    env[PURE_ENV] = "1" if name.endswith(FROM_SOURCE) else ""
    return argv, env


def run_checked(argv: Sequence[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run a benchmark process from the project's root; raise with its error output if it
    fails."""
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=False, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[:8])} … failed:\n{done.stderr[-4000:]}")
    return done


def process_runner(sizes: dict[str, int], inputs: Path) -> Runner:
    """Run a contender in a fresh interpreter of this environment and read its JSON line."""

    def run(case: str, name: str, first: bool) -> Sample:
        done = run_checked(*contender_command(case, name, {**sizes, "details": first}, inputs))
        got = json.loads(done.stdout.strip().splitlines()[-1])
        rate = Rate(f"{case}/{name}", got["items"], got["cpu"], got["wall"])
        return Sample(rate, got["extra"])

    return run


def interleaved(
    run: Runner, case: str, names: Sequence[str], rounds: int, once: Sequence[str] = ()
) -> dict[str, Samples]:
    """``rounds`` rounds of ``case``'s contenders in turn (A B A B …), one process each;
    a contender named in ``once`` runs in the first round only (it is slow, and its target
    is far from its measurement)."""
    runs: dict[str, list[Sample]] = {name: [] for name in names}
    for k in range(rounds):
        for name in names:
            if k == 0 or name not in once:
                runs[name].append(run(case, name, k == 0))
    return {name: Samples(name, tuple(got)) for name, got in runs.items()}
