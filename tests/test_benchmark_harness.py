"""The benchmark harness (``python -m benchmarks``) runs each contender in its own process,
in interleaved rounds, and reports the median process with the spread.

No timing is asserted here (speed is measured in ``benchmarks/``, never in tests): these
check the order the processes run in, the arithmetic of median, spread and ratios, and that
a contender's process runs at small sizes and gives its answers back.
"""

from __future__ import annotations

import sys
from pathlib import Path

from rich.console import Console

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the benchmarks package

from benchmarks.__main__ import Sizes, Target, targets_table, window_case  # noqa: E402
from benchmarks.isolated import (  # noqa: E402
    Sample,
    Samples,
    interleaved,
    process_runner,
    ratio_spread,
)
from benchmarks.timing import Rate  # noqa: E402


def _sample(cpu: float, items: int = 100) -> Sample:
    return Sample(Rate("x", items, cpu, 2 * cpu))


def test_contenders_take_turns_and_a_slow_one_runs_once() -> None:
    calls: list[tuple[str, str, bool]] = []

    def fake(case: str, name: str, first: bool) -> Sample:
        calls.append((case, name, first))
        return _sample(1.0)

    got = interleaved(fake, "kbh", ("a", "b", "slow"), 3, once=("slow",))
    assert [name for _, name, _ in calls] == ["a", "b", "slow", "a", "b", "a", "b"]
    assert [first for *_, first in calls] == [True, True, True, False, False, False, False]
    assert {name: len(s.runs) for name, s in got.items()} == {"a": 3, "b": 3, "slow": 1}


def test_median_spread_and_ratio_of_the_processes() -> None:
    # a: 0.5, 0.4, 0.8 s for 100 items → median 0.5 s = 200/s; slowest 125/s, fastest 250/s
    a = Samples("a", (_sample(0.5), _sample(0.4), _sample(0.8)))
    b = Samples("b", (_sample(0.25), _sample(0.4), _sample(0.4)))
    assert a.median.cpu == 0.5 and a.median.wall == 1.0
    assert a.median.per_second == 200
    assert a.spread == (125, 250)
    # a over b: medians 0.5 / 0.4 = 1.25; pairwise 2.0, 1.0, 2.0
    assert ratio_spread(a, b) == (1.25, 1.0, 2.0)


def test_the_window_case_runs_in_fresh_processes_at_small_sizes(tmp_path: Path) -> None:
    sizes = Sizes.quick()
    rows = window_case(process_runner(sizes.for_processes(), tmp_path), sizes)
    fast, naive = rows
    assert fast.rate.items == sizes.timelines and naive.rate.items == sizes.naive_timelines
    assert naive.note == "same answers"  # the naive walk's answers came back and agree
    assert (tmp_path / f"spells-{sizes.timelines}.pickle").exists()  # the inputs are shared


def test_targets_print_met_or_not() -> None:
    console = Console(record=True, width=120)
    console.print(
        targets_table([Target("t1", "≥ 2×", "3×", True), Target("t2", "≤ 1", "2", False)])
    )
    text = console.export_text()
    assert "t1" in text and "yes" in text and "t2" in text and "no" in text


def test_the_before_target_is_the_ratio_of_the_rounds_measured_together() -> None:
    from benchmarks.__main__ import before_target
    from benchmarks.batch import AFTER_LABEL, BEFORE_LABEL, BEFORE_SKIPPED, Step

    def step(label: str, wall: float) -> Step:
        return Step(label, (), Rate(label, 30_000, wall, wall))

    steps = {
        s.label: s
        for s in (
            step(f"{BEFORE_LABEL}, round 1", 14.0),
            step(f"{AFTER_LABEL}, round 1", 5.0),
            step(f"{BEFORE_LABEL}, round 2", 16.0),
            step(f"{AFTER_LABEL}, round 2", 5.0),
        )
    }
    target = before_target(steps)
    # (14 + 16) / (5 + 5) = 3.00
    assert target.measured.startswith("3.00×") and target.met
    BEFORE_SKIPPED[:] = ["commit 2197916 is not in this clone's history"]
    skipped = before_target({})
    assert not skipped.met and "not in this clone's history" in skipped.measured
    BEFORE_SKIPPED.clear()


def test_the_large_case_runs_the_commands_and_compares_dask_by_wall_time(monkeypatch) -> None:
    import benchmarks.__main__ as bench
    from benchmarks.batch import Step, large_steps

    # The real commands, on a caseload small enough for a test.
    labels = [step.label for step in large_steps(300)]
    dask = [f"dask, {w} worker(s), round {k}" for k in (1, 2) for w in (1, 2)]
    assert labels == ["synth", "local, 2 processes", *dask]

    def step(label: str, wall: float, rss: float) -> Step:
        return Step(label, (), Rate(label, 300_000, wall, wall), rss)

    fake = [
        step("synth", 50.0, 900.0),  # not a batch: its memory is not the target's
        step("local, 2 processes", 40.0, 310.0),
        step("dask, 1 worker(s), round 1", 72.0, 290.0),
        step("dask, 2 worker(s), round 1", 40.0, 330.0),
        step("dask, 1 worker(s), round 2", 70.0, 290.0),
        step("dask, 2 worker(s), round 2", 41.0, 320.0),
    ]
    monkeypatch.setattr(bench, "large_steps", lambda citizens: fake)
    rows, (memory, target) = bench.large_case(Sizes.quick())
    assert len(rows) == 6
    assert memory.measured == "330 MiB" and memory.met
    # (72 + 70) / (40 + 41) = 142 / 81 = 1.753…: the rounds together, not the better one
    assert target.measured.startswith("1.75×") and not target.met
    assert "72.0 against 40.0 s, 70.0 against 41.0 s" in target.measured
