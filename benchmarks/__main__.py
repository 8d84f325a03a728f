"""``python -m benchmarks`` (``make bench``): every benchmark, one table.

Cases (inputs from :mod:`benchmarks.data`, seeded, so every run times the same work):

1. **kbh_kontanthjælp_aktivitetsparat**: a validated history in memory → its result objects,
   by the compiled evaluator, the hand-written one (:mod:`benchmarks.handwritten`) and the
   reference interpreter (on fewer citizens: it is slow); loading timed apart.
2. **loading**: a history from a dict, a JSON Lines line and event-log columns, each against
   the checking loader of before issue 14.
3. **accumulation window**: :func:`lovregler.evaluate.periods.first_window_reach` (154
   kommune-paid days exceeded in 9 måneder, catalogue §7) on five-year sick-spell timelines,
   against a naive per-day rescan (:mod:`benchmarks.windows`).
4. **refusion** (if ``rulesets/refusion.lov`` is bundled): citizens with benefit periods
   across 2015–2018, as_of 2018-12-31; citizens/s, peak traced memory with every history
   held, and peak RSS of a fresh process streaming them (:mod:`benchmarks.memory`).
5. **OpenFisca side by side** (unless ``--no-peer``): the peer harness of
   ``../shared/peers/openfisca_refusion/`` (:mod:`benchmarks.peer`) on 30,000 histories,
   from history dicts to refusion runs, each implementation in a fresh process; skipped with
   the reason when OpenFisca's environment cannot be built.
6. **batch** (only with ``--batch``, about 3 minutes more): ``lovregler batch`` on 30,000
   synthetic citizens, the local engine and Dask with one and with two workers, and
   ``lovregler demo`` (the chain of ``make demo``), each a fresh process timed from outside
   (:mod:`benchmarks.batch`); and the code of before issue 14 beside this code, two rounds
   each, taking turns (:mod:`benchmarks.before`).
7. **large batch** (only with ``--large``, about 4 minutes more): the local engine and Dask
   with one and two workers on 300,000 synthetic citizens (:func:`benchmarks.batch.large_steps`):
   the largest process at ten times the demo, and Dask's second worker where the cluster's
   start-up weighs little.

Cases 1–4 run each contender in its own fresh process (:mod:`benchmarks.contenders`), the
contenders of a case taking turns for ``--rounds`` rounds (:mod:`benchmarks.isolated`): what
one case leaves behind in an interpreter does not slow the next. Rates are per CPU second of
the contender's process (= per core), the median over its processes of each one's best
round, with the slowest and fastest process beside it; wall time is shown too.
``--quick`` shrinks everything for a smoke test.

With ``--instructions``, the kbh, loading and refusion contenders are also counted in machine
instructions by callgrind (:mod:`benchmarks.instructions`, about 5 minutes more): a count
that the machine's other load and speed do not move, beside the timed ratios.
"""

from __future__ import annotations

import argparse
import datetime
import json
import tempfile
from collections.abc import Callable
from pathlib import Path

import attrs
from rich.console import Console
from rich.table import Table

from lovregler._native import PURE_ENV
from lovregler.api import bundled_rulesets

from .batch import (
    AFTER_LABEL,
    BEFORE_LABEL,
    BEFORE_SKIPPED,
    Step,
    batch_steps,
    dask_label,
    large_steps,
)
from .instructions import Count, count_all, missing_tools
from .isolated import (
    FROM_SOURCE,
    Runner,
    Sample,
    Samples,
    interleaved,
    process_runner,
    ratio_spread,
)
from .memory import child_peak_rss_mib
from .peer import PeerRun, ratios, run_peer
from .timing import Rate, load_average

KBH = "kbh_kontanthjælp_aktivitetsparat"


@attrs.frozen
class Sizes:
    """How many items each case uses, how many rounds each process takes (its best is
    kept), and how many processes each contender gets (``processes``, interleaved)."""

    citizens: int = 5000
    interpreted: int = 40
    timelines: int = 3000
    naive_timelines: int = 60
    refusion: int = 30_000
    rounds: int = 5
    batch: int = 30_000
    processes: int = 3
    large: int = 300_000

    @classmethod
    def quick(cls) -> Sizes:
        """Small enough for a smoke test."""
        return cls(200, 4, 200, 5, 1000, 1, 1000, 1, 2000)

    def for_processes(self) -> dict[str, int]:
        """What a contender's process needs to know (its inputs' sizes and its rounds)."""
        return attrs.asdict(self)


@attrs.frozen
class Row:
    """One line of the output table: a contender's median process and the spread."""

    case: str
    what: str
    samples: Samples
    note: str = ""

    @property
    def rate(self) -> Rate:
        """The median process's rate."""
        return self.samples.median


@attrs.frozen
class Target:
    """A performance target of issues 5 and 14 and what this run measured for it."""

    name: str
    wanted: str
    measured: str
    met: bool


# ───────────────────────────── cases ─────────────────────────────
def _ratio_text(slow: Samples, fast: Samples) -> tuple[float, str]:
    """A time ratio and its text, with the range of the round-by-round ratios."""
    mid, lo, hi = ratio_spread(slow, fast)
    rounds = f" (rounds {lo:.2f}–{hi:.2f}×)" if len(slow.runs) > 1 else ""
    return mid, f"{mid:.2f}×{rounds}"


def kbh_case(run: Runner, sizes: Sizes) -> tuple[list[Row], list[Target]]:
    """Compiled vs hand-written vs interpreter on the same histories, each in its own
    processes, taking turns."""
    names = ("compiled", "compiled" + FROM_SOURCE, "hand-written", "interpreter", "loading")
    got = interleaved(run, "kbh", names, sizes.processes, once=("interpreter",))
    compiled, hand, interp = got["compiled"], got["hand-written"], got["interpreter"]
    source = got["compiled" + FROM_SOURCE]
    vs_hand, vs_hand_text = _ratio_text(compiled, hand)
    vs_interp = interp.median.micros / interp.extra["compiled_micros"]
    few = interp.median.items
    rows = [
        Row(
            KBH,
            "compiled (Ruleset.evaluate)",
            compiled,
            f"{compiled.extra['instances']:.1f} obligations+rights per citizen",
        ),
        _source_row(KBH, compiled, source),
        Row(
            KBH,
            "hand-written (benchmarks/handwritten.py)",
            hand,
            f"compiled takes {vs_hand_text} its time",
        ),
        Row(
            KBH,
            "reference interpreter (Ruleset.interpret)",
            interp,
            f"compiled is {vs_interp:.0f}× faster (same {few} citizens)",
        ),
        Row(KBH, "loading: History.from_dict (not in the above)", got["loading"]),
    ]
    slowest, fastest = compiled.spread
    spread = f" (processes {slowest:,.0f}–{fastest:,.0f})" if len(compiled.runs) > 1 else ""
    targets = [
        Target(
            "kbh compiled, evaluations/s/core",
            "≥ 20,000",
            f"{compiled.median.per_second:,.0f}{spread}",
            compiled.median.per_second >= 20_000,
        ),
        Target("compiled vs interpreter", "≥ 5×", f"{vs_interp:.0f}×", vs_interp >= 5),
        Target("compiled vs hand-written (time)", "≤ 1.2×", vs_hand_text, vs_hand <= 1.2),
    ]
    return rows, targets


def _source_row(case: str, compiled: Samples, source: Samples) -> Row:
    """The compiled evaluator with the hot path run from its Python sources, against the
    same with the hot path compiled by mypyc (what the other rows run)."""
    if not compiled.extra["native"] or source.extra["native"]:
        raise RuntimeError(
            f"{case}: the hot path was not compiled in one contender and "
            "from source in the other (make native builds it)"
        )
    _, text = _ratio_text(source, compiled)
    return Row(
        case,
        f"   the same, hot path from source ({PURE_ENV}=1)",
        source,
        f"compiled by mypyc: {text} faster",
    )


#: The loading forms: (contender, the checking loader's contender, what the row says).
LOADING_FORMS = (
    ("dict", "dict, before", "dict → History (History.from_dict)"),
    ("JSON Lines", "JSON Lines, before", "JSON Lines line → History (History.from_json)"),
    ("columns", "columns, before", "event-log columns → History (History.from_columns)"),
)


def loading_case(run: Runner, sizes: Sizes) -> tuple[list[Row], list[Target]]:
    """A history from each input form against how it was loaded before issue 14, on the
    same citizens: a dict (the checking loader alone), a JSON Lines line (``json.loads``
    with the duplicate-key hook, then the checking loader) and one citizen's event-log
    columns (rows built as dicts, then the checking loader); each in its own processes, the
    new and the old way of a form taking turns."""
    case = f"loading, {sizes.citizens:,} refusion histories"
    rows, targets = [], []
    for fast_name, before_name, what in LOADING_FORMS:
        got = interleaved(run, "loading", (fast_name, before_name), sizes.processes)
        fast, before = got[fast_name], got[before_name]
        ratio, text = _ratio_text(before, fast)
        rows.append(Row(case, what, fast, f"{text} faster than before issue 14"))
        rows.append(Row(case, "   the same, as before issue 14 (checking loader)", before))
        form = what.split(" → ")[0]
        targets.append(Target(f"loading {form} → History vs before", "≥ 3×", text, ratio >= 3))
    return rows, targets


def window_case(run: Runner, sizes: Sizes) -> list[Row]:
    """first_window_reach vs a per-day rescan, on the same five-year timelines."""
    got = interleaved(run, "window", ("fast", "naive"), sizes.processes, once=("naive",))
    fast, naive = got["fast"], got["naive"]
    few = naive.median.items
    same = fast.extra["answers"][:few] == naive.extra["answers"]
    speedup = naive.median.micros / fast.median.micros
    case = "window: > 154 days in 9 måneder, 5-year spells"
    return [
        Row(
            case,
            "periods.first_window_reach",
            fast,
            f"{fast.extra['reached']:.0%} reach it; {speedup:.0f}× the naive walk",
        ),
        Row(case, "naive per-day rescan", naive, "same answers" if same else "ANSWERS DIFFER"),
    ]


def refusion_case(run: Runner, sizes: Sizes) -> tuple[list[Row], list[Target]]:
    """Refusion rates per ISO week for citizens with benefit periods across 2015–2018."""
    names = ("compiled", "compiled" + FROM_SOURCE, "traced")
    got = interleaved(run, "refusion", names, sizes.processes, once=("traced",))
    rate = got["compiled"]
    peak = got["traced"].extra["peak_mib"]
    rss = child_peak_rss_mib(sizes.refusion)
    case = f"refusion, {sizes.refusion:,} citizens, as_of 2018-12-31"
    note = f"peak traced {peak:.0f} MiB (all histories held); streamed in a fresh process: {rss:.0f} MiB RSS"
    per_second = rate.median.per_second
    rows = [
        Row(case, "compiled (Ruleset.evaluate)", rate, note),
        _source_row(case, rate, got["compiled" + FROM_SOURCE]),
    ]
    targets = [
        Target("refusion citizens/s", "≥ 50,000", f"{per_second:,.0f}", per_second >= 50_000),
        Target(
            "refusion peak memory",
            "≤ 150 MiB",
            f"{peak:.0f} MiB traced, {rss:.0f} MiB RSS",
            max(peak, rss) <= 150,
        ),
    ]
    return rows, targets


def before_target(steps: dict[str, Step]) -> Target:
    """The whole caseload against the code of before issue 14, both measured in this run
    (two rounds each, taking turns: :func:`benchmarks.batch.before_and_after`)."""
    before = [s.rate.wall for label, s in steps.items() if label.startswith(BEFORE_LABEL)]
    after = [s.rate.wall for label, s in steps.items() if label.startswith(AFTER_LABEL)]
    if not before or not after:
        why = BEFORE_SKIPPED[0] if BEFORE_SKIPPED else "not run"
        return Target("batch vs before issue 14", "≥ 3×", f"not measured: {why}", False)
    speedup = sum(before) / sum(after)
    rounds = ", ".join(f"{b:.1f}/{a:.1f} s" for b, a in zip(before, after, strict=True))
    return Target(
        "batch vs before issue 14 (wall, 2 processes)",
        "≥ 3×",
        f"{speedup:.2f}× (before/now per round: {rounds})",
        speedup >= 3,
    )


def _command_rows(citizens: int, steps: dict[str, Step]) -> list[Row]:
    """One row per command timed from outside, with its wall time and largest process."""
    case = f"batch, {citizens:,} citizens, all rulesets"
    return [
        Row(
            case,
            label,
            Samples(label, (Sample(step.rate),)),
            f"{step.rate.wall:.1f} s wall; largest process {step.largest_rss_mib:.0f} MiB",
        )
        for label, step in steps.items()
    ]


def _largest_target(citizens: int, steps: dict[str, Step]) -> Target:
    """The memory target: the largest process of any batch command (synth is none)."""
    largest = max(step.largest_rss_mib for label, step in steps.items() if label != "synth")
    return Target(
        f"batch, {citizens:,}: largest process", "< 400 MiB", f"{largest:.0f} MiB", largest < 400
    )


def batch_case(sizes: Sizes) -> tuple[list[Row], list[Target]]:
    """The local engine on 2 processes, Dask with 1 and 2 workers, and the demo chain."""
    steps = {step.label: step for step in batch_steps(sizes.batch)}
    one, two = steps["dask, 1 worker(s)"].rate, steps["dask, 2 worker(s)"].rate
    speedup = one.wall / two.wall
    rows = _command_rows(sizes.batch, steps)
    started = (
        steps["dask, 1 worker(s), started cluster"].rate.wall
        / steps["dask, 2 worker(s), started cluster"].rate.wall
    )
    targets = [
        Target("dask 2 workers vs 1 (wall)", "≥ 1.8×", f"{speedup:.2f}×", speedup >= 1.8),
        # Not the target's figure (that one counts the cluster's start-up): shown beside it.
        Target(
            "dask 2 vs 1 on a started cluster (wall)",
            "(≥ 1.8×)",
            f"{started:.2f}×",
            started >= 1.8,
        ),
        _largest_target(sizes.batch, steps),
    ]
    targets.append(before_target(steps))
    if "demo (make demo)" in steps:
        wall = steps["demo (make demo)"].rate.wall
        targets.append(Target("lovregler demo end to end", "< 60 s", f"{wall:.1f} s", wall < 60))
    return rows, targets


def large_case(sizes: Sizes) -> tuple[list[Row], list[Target]]:
    """The local engine and Dask with 1 and 2 workers on a caseload ten times the demo's."""
    steps = {step.label: step for step in large_steps(sizes.large)}
    one = [s.rate.wall for label, s in steps.items() if label.startswith(dask_label(1))]
    two = [s.rate.wall for label, s in steps.items() if label.startswith(dask_label(2))]
    speedup = sum(one) / sum(two)
    rounds = ", ".join(f"{a:.1f} against {b:.1f} s" for a, b in zip(one, two, strict=True))
    return _command_rows(sizes.large, steps), [
        _largest_target(sizes.large, steps),
        Target(
            f"dask 2 workers vs 1, {sizes.large:,} citizens (wall, two rounds)",
            "≥ 1.8×",
            f"{speedup:.2f}× ({rounds})",
            speedup >= 1.8,
        ),
    ]


def peer_case(sizes: Sizes) -> tuple[PeerRun, list[Target]]:
    """OpenFisca, plain Python and lovregler on the harness's histories, in one run."""
    run = run_peer(str(sizes.refusion), sizes.processes)  # the median of as many processes
    found = ratios(run)
    if found is None:
        return run, []
    n, speed, memory = found
    return run, [
        Target(
            f"refusion vs OpenFisca, {n:,} histories: throughput",
            "≥ 2×",
            f"{speed:.2f}×",
            speed >= 2,
        ),
        Target(
            f"refusion vs OpenFisca, {n:,} histories: peak RSS",
            "≤ 0.33×",
            f"{memory:.2f}×",
            memory <= 1 / 3,
        ),
    ]


def peer_table(run: PeerRun) -> Table:
    """The harness's side-by-side table (medians; each row a fresh process)."""
    table = Table(title="refusion side by side (peer harness: history dicts → runs, wall time)")
    for name in ("N", "implementation", "citizens/s", "peak RSS, MiB", "output digest"):
        table.add_column(name)
    for r in run.rows:
        table.add_row(
            f"{r.n:,}",
            r.implementation,
            f"{r.citizens_per_s:,.0f}",
            f"{r.peak_rss_mib:.0f}",
            r.digest,
        )
    return table


#: The contenders counted in instructions (their inputs smaller: a count needs no repeats).
COUNTED = (
    ("kbh", "compiled"),
    ("kbh", "compiled" + FROM_SOURCE),
    ("kbh", "hand-written"),
    *[("loading", name) for fast, before, _ in LOADING_FORMS for name in (fast, before)],
    ("refusion", "compiled"),
    ("refusion", "compiled" + FROM_SOURCE),
)


def instructions_case(sizes: Sizes, inputs: Path) -> tuple[list[Count], list[Target]]:
    """Instructions per item of the kbh, loading and refusion contenders, and the timed
    targets' ratios taken in instructions beside them (wanted in brackets: the targets are
    timed)."""
    small = attrs.evolve(
        sizes, citizens=min(sizes.citizens, 1000), refusion=min(sizes.refusion, 2000)
    )
    contenders = [c for c in COUNTED if c[0] != "refusion" or "refusion" in bundled_rulesets()]
    counts = count_all(contenders, small.for_processes(), inputs, jobs=2)

    def ratio(case: str, slow: str, fast: str) -> float:
        return counts[case, slow].per_item / counts[case, fast].per_item

    vs_hand = ratio("kbh", "compiled", "hand-written")
    targets = [
        Target(
            "compiled vs hand-written (instructions)",
            "(≤ 1.2×)",
            f"{vs_hand:.2f}×",
            vs_hand <= 1.2,
        )
    ]
    for fast, before, what in LOADING_FORMS:
        speedup = ratio("loading", before, fast)
        form = what.split(" → ")[0]
        targets.append(
            Target(
                f"loading {form} → History vs before (instructions)",
                "(≥ 3×)",
                f"{speedup:.2f}×",
                speedup >= 3,
            )
        )
    return list(counts.values()), targets


# ───────────────────────────── output ─────────────────────────────
def _table(title: str, columns: list[str]) -> Table:
    """An empty table; a column whose name ends in " >" is a number, right-justified."""
    table = Table(title=title)
    for column in columns:
        name = column.removesuffix(" >")
        table.add_column(name, justify="right" if name != column else "left")
    return table


def rows_table(rows: list[Row], processes: int) -> Table:
    """The measurements."""
    title = (
        "lovregler benchmarks: each contender in its own processes, "
        f"{processes} interleaved round(s); rates per CPU second of one core, the median "
        "process's best round, and the slowest–fastest process"
    )
    columns = ["case", "implementation", "items >", "µs/item >", "items/s/core >"]
    columns += ["processes: slowest–fastest >", "items/s wall >", "note"]
    table = _table(title, columns)
    for r in rows:
        slowest, fastest = r.samples.spread
        spread = f"{slowest:,.0f}–{fastest:,.0f}" if len(r.samples.runs) > 1 else "(one)"
        table.add_row(
            r.case,
            r.what,
            f"{r.rate.items:,}",
            f"{r.rate.micros:,.1f}",
            f"{r.rate.per_second:,.0f}",
            spread,
            f"{r.rate.per_second_wall:,.0f}",
            r.note,
        )
    return table


def counts_table(counts: list[Count]) -> Table:
    """Instructions per item, counted by callgrind."""
    table = _table(
        "instructions per item (callgrind: two passes' count over twice the items)",
        ["case", "implementation", "items >", "instructions/item >"],
    )
    for c in counts:
        table.add_row(c.case, c.name, f"{c.items:,}", f"{c.per_item:,.0f}")
    return table


def targets_table(targets: list[Target]) -> Table:
    """The targets of issues 5 and 14 that this run measures."""
    table = Table(title="targets (issues 5 and 14)")
    for name in ("target", "wanted", "measured", "met"):
        table.add_column(name)
    for t in targets:
        table.add_row(t.name, t.wanted, t.measured, "[green]yes[/]" if t.met else "[red]no[/]")
    return table


def _json(
    rows: list[Row], targets: list[Target], peer: PeerRun, counts: list[Count]
) -> dict[str, object]:
    return {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "rows": [
            {
                "case": r.case,
                "what": r.what,
                "items": r.rate.items,
                "cpu_s": r.rate.cpu,
                "wall_s": r.rate.wall,
                "processes_cpu_s": [s.rate.cpu for s in r.samples.runs],
                "processes_wall_s": [s.rate.wall for s in r.samples.runs],
                "note": r.note,
            }
            for r in rows
        ],
        "peer": [attrs.asdict(p) for p in peer.rows] or peer.skipped,
        "targets": [attrs.asdict(t) for t in targets],
        "instructions": [attrs.asdict(c) for c in counts],
    }


def main(argv: list[str] | None = None) -> int:
    """Run every benchmark, print the tables; ``--json PATH`` also writes the numbers."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--quick", action="store_true", help="tiny sizes (a smoke test)")
    parser.add_argument("--json", metavar="PATH", help="also write the numbers as JSON")
    parser.add_argument(
        "--rounds",
        type=int,
        metavar="N",
        help="processes per contender, interleaved (default 3; 1 with --quick)",
    )
    parser.add_argument(
        "--batch", action="store_true", help="also time the whole-caseload commands (~80 s)"
    )
    parser.add_argument(
        "--large",
        action="store_true",
        help="also time the batch on 300,000 citizens: local, Dask 1 and 2 workers (~4 min)",
    )
    parser.add_argument(
        "--no-peer", action="store_true", help="leave out the OpenFisca side-by-side run"
    )
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="also count kbh, loading and refusion in instructions with callgrind (~5 min)",
    )
    args = parser.parse_args(argv)
    sizes = Sizes.quick() if args.quick else Sizes()
    if args.rounds:
        sizes = attrs.evolve(sizes, processes=args.rounds)
    console = Console(width=max(150, Console().width))
    console.print(f"load average at start: {load_average()}")
    rows: list[Row] = []
    targets: list[Target] = []
    with tempfile.TemporaryDirectory(prefix="lovregler-bench-inputs-") as inputs:
        run = process_runner(sizes.for_processes(), Path(inputs))
        steps: list[tuple[str, Callable[[], object]]] = [
            ("kbh", lambda: kbh_case(run, sizes)),
            ("loading", lambda: loading_case(run, sizes)),
            ("window", lambda: window_case(run, sizes)),
        ]
        if "refusion" in bundled_rulesets():
            steps.append(("refusion", lambda: refusion_case(run, sizes)))
        if args.batch:
            steps.append(("batch", lambda: batch_case(sizes)))
        if args.large:
            steps.append(("batch, large", lambda: large_case(sizes)))
        for name, step in steps:
            with console.status(f"running {name} …"):
                got = step()
            new_rows, new_targets = got if isinstance(got, tuple) else (got, [])
            rows += new_rows
            targets += new_targets
        counts: list[Count] = []
        if args.instructions:
            why_not = missing_tools()
            if why_not:
                console.print(f"instructions: skipped ({why_not})")
            else:
                with console.status("counting instructions (callgrind) …"):
                    counts, counted_targets = instructions_case(sizes, Path(inputs))
                targets += counted_targets
    peer = PeerRun(skipped="--no-peer")
    if not args.no_peer:
        with console.status("running the OpenFisca side-by-side harness …"):
            peer, peer_targets = peer_case(sizes)
        targets += peer_targets
    console.print(rows_table(rows, sizes.processes))
    if peer.rows:
        console.print(peer_table(peer))
    else:
        console.print(f"OpenFisca side by side: skipped ({peer.skipped})")
    if counts:
        console.print(counts_table(counts))
    console.print(targets_table(targets))
    console.print(f"load average at end: {load_average()}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(_json(rows, targets, peer, counts), out, ensure_ascii=False, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
