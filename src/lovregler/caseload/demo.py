"""``lovregler demo``: synthesise a caseload, batch every bundled ruleset, write the report.

The three steps are the ``synth``, ``batch`` and ``report`` commands with the demo's
defaults: 30,000 citizens (seed 2015), every bundled ruleset, as of the caseload's horizon.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from ..errors import LovreglerError

__all__ = ["main_demo"]


def build_parser(parser: argparse.ArgumentParser | None = None) -> argparse.ArgumentParser:
    """The ``lovregler demo`` arguments (on ``parser`` when given, e.g. a subparser)."""
    p = parser or argparse.ArgumentParser(
        prog="lovregler demo", description="Hele kæden på syntetiske data."
    )
    p.add_argument("-o", "--output", default="demo-output", help="mappe (standard: demo-output)")
    p.add_argument("--citizens", type=int, default=30_000, help="antal borgere (standard 30.000)")
    p.add_argument("--seed", type=int, default=2015, help="frø til sagsmængden")
    p.add_argument("--engine", choices=("local", "dask"), default="local")
    p.add_argument("--workers", type=int, default=None, help="processer (standard: alle kerner)")
    return p


def main_demo(argv: Sequence[str] | None = None) -> int:
    """``lovregler demo``: returns the exit code."""
    return run_demo_args(build_parser().parse_args(argv))


def run_demo_args(args: argparse.Namespace) -> int:
    """Run synth → batch → report from parsed arguments and print where the report is."""
    from ..api import bundled_rulesets
    from .batch import BatchConfig, run_batch
    from .report import write_report
    from .synth import HORIZON, synth_parallel, write_caseload

    out = Path(args.output)
    started = time.perf_counter()
    try:
        citizens = synth_parallel(args.citizens, args.seed, workers=args.workers)
        count = write_caseload(citizens, out / "caseload", ("parquet",))
        _step(f"{count} syntetiske borgere → {out / 'caseload'}", started)
        config = BatchConfig(tuple(bundled_rulesets()), HORIZON)
        summary = run_batch(
            out / "caseload", out / "resultater", config, engine=args.engine, workers=args.workers
        )
        _step(f"{summary.ok} ok, {summary.errors} med fejl → {out / 'resultater'}", started)
        report = write_report(out / "resultater", out / "rapport.html", out / "rapport.json")
    except LovreglerError as exc:
        print(f"lovregler demo: {exc}", file=sys.stderr)
        return 2
    _step(f"rapport → {report.resolve()} (tallene i {out / 'rapport.json'})", started)
    return 0


def _step(message: str, started: float) -> None:
    print(f"[{time.perf_counter() - started:5.1f} s] {message}", flush=True)
