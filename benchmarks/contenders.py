"""What one benchmark process measures: one contender of one case, in a fresh interpreter.

``python -m benchmarks.contenders CASE NAME --sizes JSON --inputs DIR`` prepares its inputs
(untimed), times the contender in a few rounds (the best kept, as :func:`.timing.measure`
does) and prints one line of JSON: the items, the best round's CPU and wall seconds, and what
the case needs besides (a count for the note, answers to compare; only when ``details`` is
set in the sizes, i.e. in a contender's first process). :mod:`benchmarks.isolated`
starts these processes in interleaved rounds.

Why a process each: what ran before in the same interpreter changes the speed of what runs
after it (the kbh case first made the fast loaders 20–25 % slower, its caches and heap left
behind; issue 14). A fresh process per contender gives every contender the same start.

The seeded inputs are generated once per run and kept as pickles in ``DIR`` (the first
process that needs them writes them, outside its timing), so each process reads the same
citizens without paying for their generation.
"""

from __future__ import annotations

import argparse
import json
import pickle
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lovregler import _native

from . import data
from .isolated import FROM_SOURCE
from .timing import Rate, measure

KBH = "kbh_kontanthjælp_aktivitetsparat"

#: What a contender returns: its rate and any extra numbers its case reports.
Measured = tuple[Rate, dict[str, Any]]


def cached(inputs: Path, name: str, n: int, make: Callable[[int], Any]) -> Any:
    """The seeded input ``name`` of size ``n``: read from ``inputs``, or made and kept there."""
    path = inputs / f"{name}-{n}.pickle"
    if path.exists():
        return pickle.loads(path.read_bytes())
    value = make(n)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    tmp.replace(path)  # whole or absent, for the next process
    return value


# ───────────────────────────── kbh ─────────────────────────────
def _kbh(sizes: dict[str, int], inputs: Path, n: int | None = None) -> tuple[Any, list[Any]]:
    from lovregler import load_ruleset

    rs = load_ruleset(KBH)
    objs = cached(inputs, "kontanthjaelp", sizes["citizens"], data.kontanthjaelp_citizens)
    histories = [rs.history(o) for o in objs[:n]]
    rs.evaluate(histories[0], data.KONTANTHJAELP_AS_OF)  # compiles on first use: not timed
    return rs, histories


def kbh_compiled(sizes: dict[str, int], inputs: Path) -> Measured:
    """The compiled evaluator (``Ruleset.evaluate``) on loaded histories."""
    rs, histories = _kbh(sizes, inputs)
    as_of = data.KONTANTHJAELP_AS_OF
    rate = measure("compiled", lambda h: rs.evaluate(h, as_of), histories, sizes["rounds"])
    if not sizes["details"]:
        return rate, {}
    results = [rs.evaluate(h, as_of) for h in histories]
    instances = sum(len(r.obligations) + len(r.rights) for r in results) / len(results)
    return rate, {"instances": instances}


def kbh_handwritten(sizes: dict[str, int], inputs: Path) -> Measured:
    """The hand-written evaluator (:mod:`benchmarks.handwritten`) on the same histories."""
    from .handwritten import Handwritten

    rs, histories = _kbh(sizes, inputs)
    hand, as_of = Handwritten(rs), data.KONTANTHJAELP_AS_OF.toordinal()
    return measure("hand", lambda h: hand.evaluate(h, as_of), histories, sizes["rounds"]), {}


def kbh_interpreter(sizes: dict[str, int], inputs: Path) -> Measured:
    """The reference interpreter on the first few histories, and the compiled evaluator on
    the same few (the speed-up is taken on the same citizens)."""
    rs, few = _kbh(sizes, inputs, sizes["interpreted"])
    as_of = data.KONTANTHJAELP_AS_OF
    interp = measure("interp", lambda h: rs.interpret(h, as_of), few, 1)
    compiled = measure("compiled", lambda h: rs.evaluate(h, as_of), few, sizes["rounds"])
    return interp, {"compiled_micros": compiled.micros}


def kbh_loading(sizes: dict[str, int], inputs: Path) -> Measured:
    """Loading the kbh citizens (``History.from_dict``)."""
    from lovregler import load_ruleset

    rs = load_ruleset(KBH)
    objs = cached(inputs, "kontanthjaelp", sizes["citizens"], data.kontanthjaelp_citizens)
    return measure("load", rs.history, objs, sizes["rounds"]), {}


# ───────────────────────────── loading ─────────────────────────────
def _loading_inputs(sizes: dict[str, int], inputs: Path) -> tuple[Any, list[Any]]:
    from lovregler import load_ruleset
    from lovregler.api import bundled_rulesets

    rs = load_ruleset("refusion" if "refusion" in bundled_rulesets() else KBH)
    objs = cached(inputs, "refusion", sizes["citizens"], data.refusion_citizens)
    return rs, objs


def _loading(sizes: dict[str, int], fn: Callable[[Any], object], items: list[Any]) -> Measured:
    # at least three rounds (also with --quick): loading is quick, and one round is at the
    # mercy of the neighbours
    return measure("load", fn, items, max(sizes["rounds"], 3)), {}


def loading_dict(sizes: dict[str, int], inputs: Path) -> Measured:
    """A contract dict → ``History`` (``History.from_dict``)."""
    rs, objs = _loading_inputs(sizes, inputs)
    return _loading(sizes, rs.history, objs)


def loading_dict_before(sizes: dict[str, int], inputs: Path) -> Measured:
    """The same by the checking loader alone, as before issue 14."""
    from lovregler.history import checked_history

    rs, objs = _loading_inputs(sizes, inputs)
    vocabulary = rs.vocabulary
    return _loading(sizes, lambda o: checked_history(o, vocabulary), objs)


def _lines(objs: list[Any]) -> list[bytes]:
    return [json.dumps(o, ensure_ascii=False).encode() for o in objs]


def loading_jsonl(sizes: dict[str, int], inputs: Path) -> Measured:
    """A JSON Lines line → ``History`` (``History.from_json``)."""
    from lovregler.history import History

    rs, objs = _loading_inputs(sizes, inputs)
    vocabulary = rs.vocabulary
    return _loading(sizes, lambda line: History.from_json(line, vocabulary), _lines(objs))


def loading_jsonl_before(sizes: dict[str, int], inputs: Path) -> Measured:
    """The same as before issue 14: ``json.loads`` with the duplicate-key hook, then the
    checking loader."""
    from lovregler.history import checked_history
    from lovregler.history.json_text import _checked_decode

    rs, objs = _loading_inputs(sizes, inputs)
    vocabulary = rs.vocabulary
    return _loading(
        sizes, lambda line: checked_history(_checked_decode(line), vocabulary), _lines(objs)
    )


def _event_columns(citizen: dict[str, Any]) -> tuple[str, str, dict[str, list[Any]]]:
    """A citizen as its share of an event log: one column per field, None where unused."""
    from lovregler.caseload.table_records import ATTRIBUTE_TYPES

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


def loading_columns(sizes: dict[str, int], inputs: Path) -> Measured:
    """One citizen's event-log columns → ``History`` (``History.from_columns``)."""
    from lovregler.history import History

    rs, objs = _loading_inputs(sizes, inputs)
    vocabulary = rs.vocabulary
    return _loading(
        sizes,
        lambda t: History.from_columns(t[2], vocabulary, citizen_id=t[0], birth_date=t[1]),
        [_event_columns(o) for o in objs],
    )


def loading_columns_before(sizes: dict[str, int], inputs: Path) -> Measured:
    """The same as before issue 14: a dict per row, then the checking loader."""
    from lovregler.history import checked_history

    rs, objs = _loading_inputs(sizes, inputs)
    vocabulary = rs.vocabulary
    return _loading(
        sizes,
        lambda t: checked_history(_rows_as_before(*t), vocabulary),
        [_event_columns(o) for o in objs],
    )


# ───────────────────────────── window ─────────────────────────────
def window_fast(sizes: dict[str, int], inputs: Path) -> Measured:
    """``periods.first_window_reach`` (more than 154 days in 9 måneder) on five-year spells."""
    from lovregler.evaluate.periods import first_window_reach

    spells = cached(inputs, "spells", sizes["timelines"], data.sick_spells)
    rate = measure("fast", lambda a: first_window_reach(a, 155, 9, 0), spells, sizes["rounds"])
    if not sizes["details"]:
        return rate, {}
    answers = [first_window_reach(a, 155, 9, 0) for a in spells]
    reached = sum(t is not None for t in answers) / len(answers)
    return rate, {"reached": reached, "answers": answers[: sizes["naive_timelines"]]}


def window_naive(sizes: dict[str, int], inputs: Path) -> Measured:
    """A per-day rescan (:mod:`benchmarks.windows`) on the first few of the same spells."""
    from .windows import naive_first_window_reach

    spells = cached(inputs, "spells", sizes["timelines"], data.sick_spells)
    few = spells[: sizes["naive_timelines"]]
    rate = measure("naive", lambda a: naive_first_window_reach(a, 155, 9, 0), few, 1)
    return rate, {"answers": [naive_first_window_reach(a, 155, 9, 0) for a in few]}


# ───────────────────────────── refusion ─────────────────────────────
def refusion_compiled(sizes: dict[str, int], inputs: Path) -> Measured:
    """Refusion (``Ruleset.evaluate``) on loaded histories, as_of 2018-12-31."""
    from lovregler import load_ruleset

    rs = load_ruleset("refusion")
    objs = cached(inputs, "refusion", sizes["refusion"], data.refusion_citizens)
    histories = [rs.history(o) for o in objs]
    del objs
    as_of = data.REFUSION_AS_OF
    rs.evaluate(histories[0], as_of)  # compiles on first use: not timed
    return measure("refusion", lambda h: rs.evaluate(h, as_of), histories, sizes["rounds"]), {}


def refusion_traced(sizes: dict[str, int], inputs: Path) -> Measured:
    """Peak Python memory (``tracemalloc``) while loading every citizen and evaluating them
    all, the histories held (not a rate: one pass, traced)."""
    from lovregler import load_ruleset

    rs = load_ruleset("refusion")
    rs.evaluate(rs.history(next(data.iter_refusion_citizens(1))), data.REFUSION_AS_OF)
    tracemalloc.start()
    try:
        histories = [rs.history(o) for o in data.iter_refusion_citizens(sizes["refusion"])]
        for h in histories:
            rs.evaluate(h, data.REFUSION_AS_OF)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()
    return Rate("traced", len(histories), 0.0, 0.0), {"peak_mib": peak}


#: Every contender by (case, name): the function its process runs.
CONTENDERS: dict[tuple[str, str], Callable[[dict[str, int], Path], Measured]] = {
    ("kbh", "compiled"): kbh_compiled,
    ("kbh", "compiled" + FROM_SOURCE): kbh_compiled,
    ("kbh", "hand-written"): kbh_handwritten,
    ("kbh", "interpreter"): kbh_interpreter,
    ("kbh", "loading"): kbh_loading,
    ("loading", "dict"): loading_dict,
    ("loading", "dict, before"): loading_dict_before,
    ("loading", "JSON Lines"): loading_jsonl,
    ("loading", "JSON Lines, before"): loading_jsonl_before,
    ("loading", "columns"): loading_columns,
    ("loading", "columns, before"): loading_columns_before,
    ("window", "fast"): window_fast,
    ("window", "naive"): window_naive,
    ("refusion", "compiled"): refusion_compiled,
    ("refusion", "compiled" + FROM_SOURCE): refusion_compiled,
    ("refusion", "traced"): refusion_traced,
}


def main(argv: list[str] | None = None) -> int:
    """Run one contender and print its measurement as one line of JSON."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.contenders")
    parser.add_argument("case")
    parser.add_argument("name")
    parser.add_argument("--sizes", required=True, help="the run's sizes as a JSON object")
    parser.add_argument("--inputs", required=True, help="a folder for the seeded inputs")
    args = parser.parse_args(argv)
    rate, extra = CONTENDERS[args.case, args.name](json.loads(args.sizes), Path(args.inputs))
    # which hot path ran: a build that fell back to the sources must not pass for compiled
    extra = {**extra, "native": _native.active()}
    print(json.dumps({"items": rate.items, "cpu": rate.cpu, "wall": rate.wall, "extra": extra}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
