"""Counting instructions with callgrind (``python -m benchmarks --instructions``).

No count is asserted as a speed: these check that callgrind's total is read, that a count
repeats exactly, and that the passes a contender runs are what the difference of two
counts measures.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the benchmarks package

from benchmarks.instructions import collected, counted, missing_tools  # noqa: E402
from benchmarks.timing import PASSES_ENV  # noqa: E402

LOG = """==4711== Callgrind, a call-graph generating cache profiler
==4711== Events    : Ir
==4711== Collected : 863442203
==4711==
==4711== I   refs:      863,442,203
"""

#: A contender in miniature: a fixed amount of work per item, run through measure().
_PROGRAM = """
from benchmarks.timing import measure
def work(n):
    return sum(i * i for i in range(n))
measure("w", work, [200] * 50, rounds=7)
"""


def test_the_total_is_read_from_callgrinds_closing_lines() -> None:
    assert collected(LOG) == 863_442_203


def test_a_log_without_one_total_is_an_error_not_a_zero() -> None:
    with pytest.raises(RuntimeError, match="0 totals"):
        collected("==1== Events    : Ir\n")


needs_valgrind = pytest.mark.skipif(missing_tools() is not None, reason=str(missing_tools()))


def _count(passes: int) -> int:
    env = {**os.environ, PASSES_ENV: str(passes), "PYTHONHASHSEED": "0"}
    total, _ = counted([sys.executable, "-c", _PROGRAM], env)
    return total


@needs_valgrind
def test_a_count_repeats_and_two_counts_differ_by_the_passes_work() -> None:
    one, again, three, five = _count(1), _count(1), _count(3), _count(5)
    assert one == again  # to the instruction: the hash seed is fixed
    two_passes = three - one
    # 50 items of 200 squares each: far more than nothing, and the same for every pass
    assert two_passes > 50 * 200 * 10
    assert five - one == pytest.approx(2 * two_passes, rel=1e-3)


def test_a_timed_contender_never_inherits_the_counted_passes(monkeypatch) -> None:
    from benchmarks.isolated import FROM_SOURCE, contender_command

    from lovregler._native import PURE_ENV

    monkeypatch.setenv(PASSES_ENV, "3")
    argv, env = contender_command("kbh", "compiled" + FROM_SOURCE, {"rounds": 5}, Path("/tmp"))
    assert PASSES_ENV not in env  # else measure() would run untimed passes and report 0 s
    assert env[PURE_ENV] == "1"
    assert argv[-4:] == ["--sizes", '{"rounds": 5}', "--inputs", "/tmp"]
