"""Work counted in machine instructions (callgrind), which other processes do not move.

Time on a shared or throttled 2-core VM swings from one process to the next: in the ninth
session the same loop took 1.2–1.7 s, and kbh against hand-written came out 0.68× in one
run and 1.03× in the next. valgrind's callgrind counts the instructions a process executes
instead; the count does not depend on the neighbours or the clock, and two runs of the same
program on the same input give the same count, to the instruction, once Python's hash seed
is fixed (valgrind lays the process out the same way every time). Whole benchmark runs, each
with its own scratch folder for the inputs, differed by less than 0.1 %.

A count is not a time (a cache miss costs more than an addition, and NumPy's vector
instructions do more per instruction), so the issue's targets stay timed. Between two
implementations in plain Python — or Python and mypyc's C, which run the same kind of
instructions — the ratio of counts is a steady yardstick for the timed ratio, and tells a
change in the code from a change in the machine.

Each contender runs as in :mod:`benchmarks.contenders`, under callgrind, twice: once with
one pass over its items and once with three (:data:`PASSES_ENV`, read by
:func:`benchmarks.timing.measure`). Everything before the passes — interpreter start,
imports, inputs, the first evaluation that compiles — is the same in both runs, so the
difference is exactly two passes' work.
"""

from __future__ import annotations

import concurrent.futures
import json
import re
import shutil
from collections.abc import Sequence
from pathlib import Path

import attrs

from .isolated import contender_command, run_checked
from .timing import PASSES_ENV

_COLLECTED = re.compile(r"^==\d+== Collected : (\d+)$", re.MULTILINE)


@attrs.frozen
class Count:
    """Instructions per item of one contender: two passes' count over twice the items."""

    case: str
    name: str
    items: int
    per_item: float


def missing_tools() -> str | None:
    """Why counting cannot run here (no valgrind), or None."""
    return None if shutil.which("valgrind") else "valgrind is not installed"


def collected(log: str) -> int:
    """The total instruction count from callgrind's closing lines."""
    found = _COLLECTED.findall(log)
    if len(found) != 1:
        raise RuntimeError(f"callgrind printed {len(found)} totals, not one:\n{log[-2000:]}")
    return int(found[0])


def _command(
    case: str, name: str, sizes: dict[str, int], inputs: Path, passes: int
) -> tuple[list[str], dict[str, str]]:
    """A contender's process for counting: ``passes`` passes, its hash seed fixed."""
    argv, env = contender_command(case, name, {**sizes, "details": False, "rounds": 1}, inputs)
    # the hash seed fixed: the same dict and set layouts, so the same count, in every run
    return argv, {**env, PASSES_ENV: str(passes), "PYTHONHASHSEED": "0"}


def counted(argv: Sequence[str], env: dict[str, str]) -> tuple[int, str]:
    """Run ``argv`` under callgrind; its count and its standard output."""
    grind = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"]
    done = run_checked([*grind, *argv], env)
    return collected(done.stderr), done.stdout


def count_all(
    contenders: Sequence[tuple[str, str]], sizes: dict[str, int], inputs: Path, jobs: int
) -> dict[tuple[str, str], Count]:
    """Instructions per item of each (case, name) contender.

    Each contender first runs once without callgrind, one after another: that run writes
    the seeded inputs and the compiled rulesets' cache, which the counted runs then only
    read, all alike. The counted runs then go ``jobs`` at a time: a count does not depend
    on what runs beside it.
    """
    for case, name in contenders:
        run_checked(*_command(case, name, sizes, inputs, 1))
    with concurrent.futures.ThreadPoolExecutor(max(1, jobs)) as pool:
        counts = pool.map(lambda c: _count(c[0], c[1], sizes, inputs), contenders)
        return {(c.case, c.name): c for c in counts}


def _count(case: str, name: str, sizes: dict[str, int], inputs: Path) -> Count:
    """One contender's count: one pass and three, the difference over twice the items."""
    one, out = counted(*_command(case, name, sizes, inputs, 1))
    three, _ = counted(*_command(case, name, sizes, inputs, 3))
    items = int(json.loads(out.strip().splitlines()[-1])["items"])
    return Count(case, name, items, (three - one) / (2 * items))
