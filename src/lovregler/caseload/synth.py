"""A deterministic synthetic Copenhagen caseload.

``synth(n, seed)`` yields ``n`` citizen histories as contract §1 dicts. The citizens are a
stock on :data:`SNAPSHOT` (1st quarter 2015, the date of the figures in seed 004) whose
histories run from the start of their current course up to :data:`HORIZON`. Every figure
used is a named constant with its source in :mod:`~lovregler.caseload.synth_figures`;
``docs/caseload.md`` lists them all, and marks the ones the seeds do not give as *Antagelse*
(assumption). One citizen's drawing state is in :mod:`~lovregler.caseload.synth_citizen`,
each scheme's history in :mod:`~lovregler.caseload.synth_schemes`.

Citizen ``i`` is generated from its own random stream seeded by ``(seed, i)``, so a citizen
does not depend on how many others are generated, and chunks can be generated in parallel.

>>> first = next(synth(1, seed=7))
>>> first["id"], sorted(first)
('kbh-000000', ['birth_date', 'events', 'facts', 'id'])
>>> next(synth(1, seed=7)) == first
True
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from .synth_citizen import _Citizen
from .synth_figures import _HORIZON, HORIZON, SNAPSHOT
from .synth_schemes import SCHEME_BUILDERS

__all__ = [
    "HORIZON",
    "SNAPSHOT",
    "main_synth",
    "profile",
    "synth",
    "synth_parallel",
    "write_caseload",
    "write_jsonl",
    "write_tables",
]


def synth(
    n_citizens: int, seed: int = 0, *, start: int = 0, horizon: datetime.date = HORIZON
) -> Iterator[dict[str, Any]]:
    """Yield ``n_citizens`` synthetic histories (contract §1 dicts), deterministically.

    ``start`` is the index of the first citizen: ``synth(10, s, start=5)`` yields citizens
    5..14 of the same caseload, so parallel writers can share the work.
    """
    for index in range(start, start + n_citizens):
        yield _Citizen(index, seed, horizon.toordinal()).build(SCHEME_BUILDERS)


def profile(index: int, seed: int = 0) -> tuple[bool, str]:
    """Whether citizen ``index`` of caseload ``seed`` is under 30, and its scheme.

    >>> profile(0, seed=7) == profile(0, seed=7)
    True
    """
    return _Citizen(index, seed, _HORIZON).profile()


# ---------------------------------------------------------------- writers


def write_jsonl(citizens: Iterable[dict[str, Any]], path: str | os.PathLike[str]) -> int:
    """Write citizens as JSON Lines (UTF-8, one object per line); returns the count."""
    count = 0
    with open(path, "w", encoding="utf-8") as out:
        for citizen in citizens:
            out.write(json.dumps(citizen, ensure_ascii=False, separators=(",", ":")))
            out.write("\n")
            count += 1
    return count


def write_tables(
    citizens: Iterable[dict[str, Any]], directory: str | os.PathLike[str], *, fmt: str = "parquet"
) -> int:
    """Write citizens as the contract's event log + citizens table (``fmt`` parquet or csv)."""
    from .tables import write_tables as _write

    return _write(citizens, directory, fmt=fmt)


# ---------------------------------------------------------------- parallel generation

_CHUNK = 1_000


def _chunk(args: tuple[int, int, int, int]) -> list[dict[str, Any]]:
    start, n, seed, horizon = args
    return list(synth(n, seed, start=start, horizon=datetime.date.fromordinal(horizon)))


def synth_parallel(
    n_citizens: int, seed: int = 0, *, horizon: datetime.date = HORIZON, workers: int | None = None
) -> Iterator[dict[str, Any]]:
    """The same citizens as :func:`synth`, generated on ``workers`` processes, in order."""
    workers = workers or os.cpu_count() or 1
    if workers <= 1 or n_citizens <= _CHUNK:
        yield from synth(n_citizens, seed, horizon=horizon)
        return
    import multiprocessing

    jobs = [
        (start, min(_CHUNK, n_citizens - start), seed, horizon.toordinal())
        for start in range(0, n_citizens, _CHUNK)
    ]
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    with multiprocessing.get_context(method).Pool(workers) as pool:
        # imap keeps the order; chunks of 1,000 citizens keep memory small.
        for citizens in pool.imap(_chunk, jobs):
            yield from citizens


# ---------------------------------------------------------------- command line


def write_caseload(
    citizens: Iterable[dict[str, Any]], directory: str | os.PathLike[str], formats: Sequence[str]
) -> int:
    """Write one pass of ``citizens`` in every format asked for (jsonl, parquet, csv)."""
    from .tables import CaseloadWriter

    with CaseloadWriter(directory, formats) as writer:
        for citizen in citizens:
            writer.add(citizen)
    return writer.count


def build_parser(parser: argparse.ArgumentParser | None = None) -> argparse.ArgumentParser:
    """The ``lovregler synth`` arguments (on ``parser`` when given, e.g. a subparser)."""
    p = parser or argparse.ArgumentParser(
        prog="lovregler synth", description="Dan en syntetisk københavnsk sagsmængde."
    )
    p.add_argument("--citizens", type=int, default=30_000, help="antal borgere (standard 30.000)")
    p.add_argument("--seed", type=int, default=0, help="frø: samme frø giver samme borgere")
    p.add_argument("-o", "--output", required=True, help="mappe til filerne")
    p.add_argument(
        "--format",
        default="jsonl,parquet",
        help="kommasepareret: jsonl, parquet, csv (standard jsonl,parquet)",
    )
    p.add_argument("--horizon", default=HORIZON.isoformat(), help="sidste dag i historikkerne")
    p.add_argument("--workers", type=int, default=None, help="processer (standard: alle kerner)")
    return p


def main_synth(argv: Sequence[str] | None = None) -> int:
    """``lovregler synth``: returns the exit code."""
    return run_synth_args(build_parser().parse_args(argv))


def run_synth_args(args: argparse.Namespace) -> int:
    """Generate and write a caseload from parsed arguments."""
    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    unknown = set(formats) - {"jsonl", "parquet", "csv"}
    try:
        horizon = datetime.date.fromisoformat(args.horizon)
    except ValueError:
        unknown.add(f"--horizon {args.horizon}")
    if unknown or args.citizens < 0:
        print(
            f"lovregler synth: ukendt: {', '.join(sorted(unknown)) or '--citizens'}",
            file=sys.stderr,
        )
        return 2
    citizens = synth_parallel(args.citizens, args.seed, horizon=horizon, workers=args.workers)
    try:
        count = write_caseload(citizens, args.output, formats)
    except OSError as exc:
        print(f"lovregler synth: {exc}", file=sys.stderr)
        return 2
    print(f"{count} borgere (frø {args.seed}) → {args.output} ({', '.join(formats)})")
    return 0
