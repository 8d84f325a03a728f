"""``python -m benchmarks`` (``make bench``): every benchmark in one run, one table.

Cases (inputs from :mod:`benchmarks.data`, seeded, so every run times the same work):

1. **kbh_kontanthjælp_aktivitetsparat**: a validated history in memory → its result objects,
   by the compiled evaluator, the hand-written one (:mod:`benchmarks.handwritten`) and the
   reference interpreter (on fewer citizens: it is slow). Ratios are taken in this run.
2. **accumulation window**: :func:`lovregler.evaluate.periods.first_window_reach` (154 kommune-paid days
   exceeded in 9 måneder, catalogue §7) on five-year sick-spell timelines, against a naive
   per-day rescan (:mod:`benchmarks.windows`).
3. **refusion** (if ``rulesets/refusion.lov`` is bundled): citizens with benefit periods across
   2015–2018, as_of 2018-12-31; citizens/s, peak traced memory with every history held, and
   peak RSS of a fresh process streaming them (:mod:`benchmarks.memory`).

4. **OpenFisca side by side** (unless ``--no-peer``): the peer harness of
   ``../shared/peers/openfisca_refusion/`` (:mod:`benchmarks.peer`) on 30,000 histories,
   from history dicts to refusion runs, each implementation in a fresh process; skipped with
   the reason when OpenFisca's environment cannot be built.

5. **batch** (only with ``--batch``, about 80 s more): ``lovregler batch --engine dask`` on
   30,000 synthetic citizens with one and with two workers, and ``lovregler demo`` (the chain
   of ``make demo``), each a fresh process timed from outside (:mod:`benchmarks.batch`).

Rates are per CPU second of this one process (= per core) from the best of a few rounds; wall
time is shown beside them. ``--quick`` shrinks everything for a smoke test.
"""

from __future__ import annotations

import argparse
import datetime
import json
import tracemalloc
from collections.abc import Callable
from typing import Any

import attrs
from rich.console import Console
from rich.table import Table

from lovregler import load_ruleset
from lovregler.api import bundled_rulesets
from lovregler.caseload.table_records import ATTRIBUTE_TYPES
from lovregler.evaluate.periods import first_window_reach
from lovregler.history import History

from . import data
from .batch import batch_steps
from .handwritten import Handwritten
from .memory import child_peak_rss_mib
from .peer import PeerRun, ratios, run_peer
from .timing import Rate, load_average, max_rss_mib, measure
from .windows import naive_first_window_reach

KBH = "kbh_kontanthjælp_aktivitetsparat"


@attrs.frozen
class Sizes:
    """How many items each case uses, and how many rounds each measurement takes."""

    citizens: int = 5000
    interpreted: int = 40
    timelines: int = 3000
    naive_timelines: int = 60
    refusion: int = 30_000
    rounds: int = 5
    batch: int = 30_000

    @classmethod
    def quick(cls) -> Sizes:
        """Small enough for a smoke test."""
        return cls(200, 4, 200, 5, 1000, 1, 1000)


@attrs.frozen
class Row:
    """One line of the output table."""

    case: str
    what: str
    rate: Rate
    note: str = ""


@attrs.frozen
class Target:
    """A performance target of issues 5 and 14 and what this run measured for it."""

    name: str
    wanted: str
    measured: str
    met: bool


# ───────────────────────────── cases ─────────────────────────────
def kbh_case(sizes: Sizes) -> tuple[list[Row], list[Target]]:
    """Compiled vs hand-written vs interpreter on the same histories."""
    rs = load_ruleset(KBH)
    hand = Handwritten(rs)
    objs = data.kontanthjaelp_citizens(sizes.citizens)
    load = measure("load", rs.history, objs, 1)
    histories = [rs.history(o) for o in objs]
    rs.evaluate(histories[0], data.KONTANTHJAELP_AS_OF)  # compiles on first use: not timed
    as_of = data.KONTANTHJAELP_AS_OF.toordinal()
    compiled = measure(
        "compiled", lambda h: rs.evaluate(h, data.KONTANTHJAELP_AS_OF), histories, sizes.rounds
    )
    handwritten = measure("hand", lambda h: hand.evaluate(h, as_of), histories, sizes.rounds)
    few = histories[: sizes.interpreted]
    interp = measure("interp", lambda h: rs.interpret(h, data.KONTANTHJAELP_AS_OF), few, 1)
    compiled_few = measure(
        "compiled", lambda h: rs.evaluate(h, data.KONTANTHJAELP_AS_OF), few, sizes.rounds
    )
    vs_interp = interp.cpu / interp.items / (compiled_few.cpu / compiled_few.items)
    vs_hand = compiled.micros / handwritten.micros
    per = f"{_instances(rs, histories):.1f} obligations+rights per citizen"
    rows = [
        Row(KBH, "compiled (Ruleset.evaluate)", compiled, per),
        Row(
            KBH,
            "hand-written (benchmarks/handwritten.py)",
            handwritten,
            f"compiled takes {vs_hand:.2f}× its time",
        ),
        Row(
            KBH,
            "reference interpreter (Ruleset.interpret)",
            interp,
            f"compiled is {vs_interp:.0f}× faster (same {len(few)} citizens)",
        ),
        Row(KBH, "loading: History.from_dict (not in the above)", load),
    ]
    targets = [
        Target(
            "kbh compiled, evaluations/s/core",
            "≥ 20,000",
            f"{compiled.per_second:,.0f}",
            compiled.per_second >= 20_000,
        ),
        Target("compiled vs interpreter", "≥ 5×", f"{vs_interp:.0f}×", vs_interp >= 5),
        Target("compiled vs hand-written (time)", "≤ 1.2×", f"{vs_hand:.2f}×", vs_hand <= 1.2),
    ]
    return rows, targets


def loading_case(sizes: Sizes) -> tuple[list[Row], list[Target]]:
    """A history from each input form against how it was loaded before issue 14, on the
    same citizens in one run: a dict (the checking loader alone), a JSON Lines line
    (``json.loads`` with the duplicate-key hook, then the checking loader) and one citizen's
    event-log columns (rows built as dicts, then the checking loader)."""
    from lovregler.history import checked_history
    from lovregler.history.json_text import _checked_decode

    rs = load_ruleset("refusion" if "refusion" in bundled_rulesets() else KBH)
    vocabulary = rs.vocabulary
    objs = list(data.refusion_citizens(sizes.citizens))
    lines = [json.dumps(o, ensure_ascii=False).encode() for o in objs]
    tables = [_event_columns(o) for o in objs]
    rounds = sizes.rounds
    forms: list[tuple[str, Callable[[Any], object], Callable[[Any], object], list[Any]]] = [
        (
            "dict → History (History.from_dict)",
            rs.history,
            lambda o: checked_history(o, vocabulary),
            objs,
        ),
        (
            "JSON Lines line → History (iter_jsonl, History.from_json)",
            lambda line: History.from_json(line, vocabulary),
            lambda line: checked_history(_checked_decode(line), vocabulary),
            lines,
        ),
        (
            "event-log columns → History (History.from_columns)",
            lambda t: History.from_columns(t[2], vocabulary, citizen_id=t[0], birth_date=t[1]),
            lambda t: checked_history(_rows_as_before(*t), vocabulary),
            tables,
        ),
    ]
    case = f"loading, {len(objs):,} refusion histories"
    rows, targets = [], []
    for what, fast_fn, before_fn, items in forms:
        fast, before = _alternating(fast_fn, before_fn, items, rounds)
        ratio = before.micros / fast.micros
        rows.append(Row(case, what, fast, f"{ratio:.2f}× before issue 14"))
        rows.append(Row(case, "   the same, as before issue 14 (checking loader)", before))
        form = what.split(" → ")[0]
        targets.append(
            Target(f"loading {form} → History vs before", "≥ 3×", f"{ratio:.2f}×", ratio >= 3)
        )
    return rows, targets


def _alternating(
    fast_fn: Callable[[Any], object],
    before_fn: Callable[[Any], object],
    items: list[Any],
    rounds: int,
) -> tuple[Rate, Rate]:
    """The best round of each, the rounds taken in turn: on a shared machine the load moves
    during a run, and a ratio of rounds taken minutes apart measures the neighbours."""
    fast: list[Rate] = []
    before: list[Rate] = []
    for _ in range(max(rounds, 3)):
        fast.append(measure("fast", fast_fn, items, 1))
        before.append(measure("before", before_fn, items, 1))
    return min(fast, key=lambda r: r.cpu), min(before, key=lambda r: r.cpu)


def _event_columns(citizen: dict[str, Any]) -> tuple[str, str, dict[str, list[Any]]]:
    """A citizen as its share of an event log: one column per field, None where unused."""
    names = ["type", "date", "seq", *ATTRIBUTE_TYPES]
    columns = {name: [e.get(name) for e in citizen["events"]] for name in names}
    return citizen["id"], citizen["birth_date"], columns


def _rows_as_before(cid: str, birth_date: str, columns: dict[str, list[Any]]) -> dict[str, Any]:
    """The citizen object as the batch built it from event-log rows before issue 14."""
    names = list(columns)
    events = [
        {n: v for n, v in zip(names, row, strict=True) if v is not None}
        for row in zip(*columns.values(), strict=True)
    ]
    return {"id": cid, "birth_date": birth_date, "events": events}


def _instances(rs: object, histories: list) -> float:
    results = [rs.evaluate(h, data.KONTANTHJAELP_AS_OF) for h in histories]  # type: ignore[attr-defined]
    return sum(len(r.obligations) + len(r.rights) for r in results) / max(1, len(results))


def window_case(sizes: Sizes) -> list[Row]:
    """first_window_reach vs a per-day rescan, on the same five-year timelines."""
    spells = data.sick_spells(sizes.timelines)
    fast = measure("fast", lambda a: first_window_reach(a, 155, 9, 0), spells, sizes.rounds)
    few = spells[: sizes.naive_timelines]
    naive = measure("naive", lambda a: naive_first_window_reach(a, 155, 9, 0), few, 1)
    same = all(
        first_window_reach(a, 155, 9, 0) == naive_first_window_reach(a, 155, 9, 0) for a in few
    )
    reached = sum(first_window_reach(a, 155, 9, 0) is not None for a in spells) / len(spells)
    speedup = naive.micros / fast.micros
    case = "window: > 154 days in 9 måneder, 5-year spells"
    return [
        Row(
            case,
            "periods.first_window_reach",
            fast,
            f"{reached:.0%} reach it; {speedup:.0f}× the naive walk",
        ),
        Row(case, "naive per-day rescan", naive, "same answers" if same else "ANSWERS DIFFER"),
    ]


def refusion_case(sizes: Sizes) -> tuple[list[Row], list[Target]]:
    """Refusion rates per ISO week for citizens with benefit periods across 2015–2018."""
    rs = load_ruleset("refusion")
    histories = [rs.history(o) for o in data.refusion_citizens(sizes.refusion)]
    as_of = data.REFUSION_AS_OF
    rs.evaluate(histories[0], as_of)  # compiles on first use: not timed
    rate = measure("refusion", lambda h: rs.evaluate(h, as_of), histories, sizes.rounds)
    del histories
    peak = _refusion_peak_mib(rs, sizes.refusion)
    rss = child_peak_rss_mib(sizes.refusion)
    case = f"refusion, {sizes.refusion:,} citizens, as_of {as_of}"
    note = f"peak traced {peak:.0f} MiB (all histories held); streamed in a fresh process: {rss:.0f} MiB RSS"
    rows = [Row(case, "compiled (Ruleset.evaluate)", rate, note)]
    targets = [
        Target(
            "refusion citizens/s", "≥ 50,000", f"{rate.per_second:,.0f}", rate.per_second >= 50_000
        ),
        Target(
            "refusion peak memory",
            "≤ 150 MiB",
            f"{peak:.0f} MiB traced, {rss:.0f} MiB RSS",
            max(peak, rss) <= 150,
        ),
    ]
    return rows, targets


def _refusion_peak_mib(rs: object, n: int) -> float:
    """Peak Python memory while loading ``n`` citizens and evaluating them all."""
    tracemalloc.start()
    try:
        histories = [rs.history(o) for o in data.iter_refusion_citizens(n)]  # type: ignore[attr-defined]
        for h in histories:
            rs.evaluate(h, data.REFUSION_AS_OF)  # type: ignore[attr-defined]
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


#: Batch speed against the code before issue 14 needs that code, so this run cannot measure
#: it; benchmarks/README.md has the alternating one-process CPU measurement.
BATCH_BEFORE = "not in this run; README: ≈ 1.7× (wall, 2 processes, against 2197916)"


def batch_case(sizes: Sizes) -> tuple[list[Row], list[Target]]:
    """The local engine on 2 processes, Dask with 1 and 2 workers, and the demo chain."""
    steps = {step.label: step for step in batch_steps(sizes.batch)}
    one, two = steps["dask, 1 worker(s)"].rate, steps["dask, 2 worker(s)"].rate
    speedup = one.wall / two.wall
    case = f"batch, {sizes.batch:,} citizens, all rulesets"
    rows = [
        Row(
            case,
            label,
            step.rate,
            f"{step.rate.wall:.1f} s wall; largest process {step.largest_rss_mib:.0f} MiB",
        )
        for label, step in steps.items()
    ]
    largest = max(step.largest_rss_mib for label, step in steps.items() if label != "synth")
    targets = [
        Target("dask 2 workers vs 1 (wall)", "≥ 1.8×", f"{speedup:.2f}×", speedup >= 1.8),
        Target(
            f"batch, {sizes.batch:,}: largest process",
            "< 400 MiB",
            f"{largest:.0f} MiB",
            largest < 400,
        ),
    ]
    targets.append(Target("batch vs before issue 14", "≥ 3×", BATCH_BEFORE, False))
    if "demo (make demo)" in steps:
        wall = steps["demo (make demo)"].rate.wall
        targets.append(Target("lovregler demo end to end", "< 60 s", f"{wall:.1f} s", wall < 60))
    return rows, targets


def peer_case(sizes: Sizes) -> tuple[PeerRun, list[Target]]:
    """OpenFisca, plain Python and lovregler on the harness's histories, in one run."""
    run = run_peer(str(sizes.refusion), 1)
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


# ───────────────────────────── output ─────────────────────────────
def rows_table(rows: list[Row]) -> Table:
    """The measurements."""
    table = Table(title="lovregler benchmarks (rates per CPU second of one core, best round)")
    for name, justify in [
        ("case", "left"),
        ("implementation", "left"),
        ("items", "right"),
        ("µs/item", "right"),
        ("items/s/core", "right"),
        ("items/s wall", "right"),
        ("note", "left"),
    ]:
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for r in rows:
        table.add_row(
            r.case,
            r.what,
            f"{r.rate.items:,}",
            f"{r.rate.micros:,.1f}",
            f"{r.rate.per_second:,.0f}",
            f"{r.rate.per_second_wall:,.0f}",
            r.note,
        )
    return table


def targets_table(targets: list[Target]) -> Table:
    """The targets of issues 5 and 14 that this run measures."""
    table = Table(title="targets (issues 5 and 14)")
    for name in ("target", "wanted", "measured", "met"):
        table.add_column(name)
    for t in targets:
        table.add_row(t.name, t.wanted, t.measured, "[green]yes[/]" if t.met else "[red]no[/]")
    return table


def _json(rows: list[Row], targets: list[Target]) -> dict[str, object]:
    return {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "rows": [
            {
                "case": r.case,
                "what": r.what,
                "items": r.rate.items,
                "cpu_s": r.rate.cpu,
                "wall_s": r.rate.wall,
                "note": r.note,
            }
            for r in rows
        ],
        "targets": [attrs.asdict(t) for t in targets],
    }


def main(argv: list[str] | None = None) -> int:
    """Run every benchmark, print the tables; ``--json PATH`` also writes the numbers."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--quick", action="store_true", help="tiny sizes (a smoke test)")
    parser.add_argument("--json", metavar="PATH", help="also write the numbers as JSON")
    parser.add_argument(
        "--batch", action="store_true", help="also time dask 1 vs 2 workers and the demo (~80 s)"
    )
    parser.add_argument(
        "--no-peer", action="store_true", help="leave out the OpenFisca side-by-side run"
    )
    args = parser.parse_args(argv)
    sizes = Sizes.quick() if args.quick else Sizes()
    console = Console(width=max(150, Console().width))
    console.print(f"load average at start: {load_average()}")
    rows: list[Row] = []
    targets: list[Target] = []
    steps: list[tuple[str, Callable[[], object]]] = [
        ("kbh", lambda: kbh_case(sizes)),
        ("loading", lambda: loading_case(sizes)),
        ("window", lambda: window_case(sizes)),
    ]
    if "refusion" in bundled_rulesets():
        steps.append(("refusion", lambda: refusion_case(sizes)))
    if args.batch:
        steps.append(("batch", lambda: batch_case(sizes)))
    for name, step in steps:
        with console.status(f"running {name} …"):
            got = step()
        new_rows, new_targets = got if isinstance(got, tuple) else (got, [])
        rows += new_rows
        targets += new_targets
    peer = PeerRun(skipped="--no-peer")
    if not args.no_peer:
        with console.status("running the OpenFisca side-by-side harness …"):
            peer, peer_targets = peer_case(sizes)
        targets += peer_targets
    console.print(rows_table(rows))
    if peer.rows:
        console.print(peer_table(peer))
    else:
        console.print(f"OpenFisca side by side: skipped ({peer.skipped})")
    console.print(targets_table(targets))
    console.print(
        f"load average at end: {load_average()}; peak RSS of this run {max_rss_mib():.0f} MiB"
    )
    if args.json:
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(_json(rows, targets), out, ensure_ascii=False, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
