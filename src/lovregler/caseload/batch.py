"""Batch evaluation of a whole caseload: ``lovregler batch``.

The caseload is read as a stream (:mod:`lovregler.caseload.tables`), cut into chunks of
citizens, and each chunk is evaluated against every chosen ruleset by :func:`evaluate_chunk`
(:mod:`~lovregler.caseload.batch_chunk`, with the rows of
:mod:`~lovregler.caseload.batch_rows`), on local processes (``engine="local"``) or on a Dask
cluster (``engine="dask"``, both in :mod:`~lovregler.caseload.batch_engines`); the tables are
written and published by :mod:`~lovregler.caseload.batch_output`. Both engines write
the chunks' rows in chunk order, so they produce the same tables, row for row:

- ``citizens``: exactly one row per input citizen (id, ok/error, counts);
- ``obligations``, ``rights``, ``values``: one row per result entry (contract §2);
- ``errors``: one row per problem, with the citizen id and the message.

A bad citizen never stops the batch: its problem becomes an ``errors`` row. Memory is
bounded by the number of chunks in flight, not by the size of the caseload.

For an event log the main process only groups the log and hands out row ranges
(:class:`~lovregler.caseload.tables.TablePart`): each worker reads its own rows from disk and builds
the histories, so that the main process, which also hosts a local Dask scheduler and writes
the output, does no per-citizen work.
"""

from __future__ import annotations

import argparse
import datetime
import errno
import math
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs
import pyarrow as pa

from ..errors import LovreglerError
from .batch_chunk import CHUNK_SIZE, BatchConfig, Chunk, RulesetLike, _ruleset, evaluate_chunk
from .batch_dask import start_worker_server
from .batch_engines import Progress, _run_dask, _run_local
from .batch_output import _STAGING_PREFIX, COMPLETE_MARKER, BatchFailed, _locked, _Output
from .batch_rows import TABLES, schemas
from .batch_server import LOCAL_PRELOAD, start_fork_server
from .tables import (
    MAX_RECORD_BYTES,
    RawRecord,
    TablePart,
    chunked,
    count_citizens,
    read_caseload_chunks,
)

__all__ = [
    "COMPLETE_MARKER",
    "TABLES",
    "BatchConfig",
    "BatchFailed",
    "BatchSummary",
    "RulesetLike",
    "evaluate_chunk",
    "main_batch",
    "run_batch",
    "schemas",
]


@attrs.frozen
class BatchSummary:
    """What a batch did: citizens in, how many evaluated cleanly, how many with errors."""

    citizens: int
    ok: int
    errors: int
    seconds: float
    outdir: str


def run_batch(
    source: str | os.PathLike[str] | Iterable[RawRecord],
    outdir: str | os.PathLike[str],
    config: BatchConfig,
    *,
    engine: str = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool | None = None,
    on_client: Callable[[Any], None] | None = None,
) -> BatchSummary:
    """Evaluate a caseload and write the five output tables to ``outdir``.

    ``source`` is a caseload path (see :func:`lovregler.caseload.tables.read_caseload`) or records.
    ``workers`` defaults to every local core; the worker processes start fresh (forkserver
    or spawn), so a script that calls this must do so under ``if __name__ == "__main__":``.
    ``progress`` shows a rich progress bar
    (default: only when stderr is a terminal). ``on_client`` receives the Dask client once
    it is connected (tests use it to kill a worker mid-run).

    The tables are written to a staging folder inside ``outdir`` and moved into place, with
    ``batch.json`` and the :data:`COMPLETE_MARKER` last, only when the whole batch is done;
    a batch that fails (or is killed) leaves ``outdir`` as it found it. A lock refuses a
    second batch into the same folder while one runs (:class:`BatchFailed`).
    """
    started = time.perf_counter()
    if engine not in ("local", "dask"):
        raise ValueError(f"ukendt motor {engine!r} (local eller dask)")
    workers = workers or os.cpu_count() or 1
    # The workers' fork server imports for them while this process counts and groups.
    if engine == "dask" and scheduler is None:
        start_worker_server()
    elif engine == "local" and workers > 1:
        start_fork_server(LOCAL_PRELOAD)
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    total = count_citizens(source) if isinstance(source, str | os.PathLike) else None
    with _locked(out):
        # The staging folder also holds the grouped tables that workers read their parts
        # from: it must outlive the last result. It is removed on every way out.
        staging = Path(tempfile.mkdtemp(prefix=_STAGING_PREFIX, dir=out))
        try:
            with _progress_bar(progress, total) as advance:
                output = _Output(staging, config.explain)
                try:
                    _run_engine(
                        source,
                        config,
                        output,
                        advance,
                        staging,
                        engine,
                        workers,
                        scheduler,
                        on_client,
                    )
                    output.close()
                except BaseException:
                    output.abandon()
                    raise
            summary = BatchSummary(
                output.citizens,
                output.ok,
                output.citizens - output.ok,
                time.perf_counter() - started,
                str(out),
            )
            output.publish(out, _manifest(config, engine, summary))
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return summary


def _run_engine(
    source: str | os.PathLike[str] | Iterable[RawRecord],
    config: BatchConfig,
    output: _Output,
    advance: Progress,
    staging: Path,
    engine: str,
    workers: int,
    scheduler: str | None,
    on_client: Callable[[Any], None] | None,
) -> None:
    scratch = staging / "scratch"

    def chunks(workers_see_files: bool) -> Iterator[Chunk]:
        return _source_chunks(source, config, str(scratch), remote=not workers_see_files)

    def sink(tables: dict[str, pa.Table]) -> None:
        advance(output.write(tables))

    if engine == "dask":
        _run_dask(chunks, config, sink, workers, scheduler, on_client, staging)
    else:
        _run_local(chunks(True), config, sink, workers)


def _source_chunks(
    source: str | os.PathLike[str] | Iterable[RawRecord],
    config: BatchConfig,
    scratch: str,
    remote: bool,
) -> Iterator[Chunk]:
    """The caseload in chunks of ``config.chunk_size`` citizens.

    An event log caseload comes as row ranges (:class:`~lovregler.caseload.tables.TablePart`) that
    the workers read themselves; for a cluster whose workers do not see this machine's
    files (``remote``), the records are built here and sent instead.
    """
    size = config.chunk_size
    if not isinstance(source, str | os.PathLike):
        yield from chunked(source, size)
        return
    parts = read_caseload_chunks(source, size, scratch, max_record_bytes=config.max_record_bytes)
    for chunk in parts:
        yield list(chunk.records()) if remote and isinstance(chunk, TablePart) else chunk


def _manifest(config: BatchConfig, engine: str, summary: BatchSummary) -> dict[str, Any]:
    """``batch.json``: what was run, for the report and for people reading the folder."""
    return {
        "as_of": config.as_of.isoformat(),
        "rulesets": [spec if isinstance(spec, str) else spec.name for spec in config.rulesets],
        "engine": engine,
        "finished": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        **attrs.asdict(summary),
    }


class _progress_bar:  # noqa: N801 - used as a context manager like a function
    """A rich progress bar on a terminal; a no-op otherwise."""

    def __init__(self, show: bool | None, total: int | None):
        self.show = sys.stderr.isatty() if show is None else show
        self.total = total
        self.bar: Any = None

    def __enter__(self) -> Callable[[int], None]:
        if not self.show:
            return lambda n: None
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

        self.bar = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self.bar.start()
        task = self.bar.add_task("Borgere", total=self.total)
        return lambda n: self.bar.advance(task, n)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


# ---------------------------------------------------------------- command line


def _parse_date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} er ikke en dato (ÅÅÅÅ-MM-DD)") from None


def _ruleset_names(values: Sequence[str]) -> tuple[str, ...]:
    names = [name.strip() for value in values for name in value.split(",") if name.strip()]
    if "all" in names:
        from ..api import bundled_rulesets

        return tuple(bundled_rulesets())
    return tuple(names)


def build_parser(parser: argparse.ArgumentParser | None = None) -> argparse.ArgumentParser:
    """The ``lovregler batch`` arguments (on ``parser`` when given, e.g. a subparser)."""
    p = parser or argparse.ArgumentParser(
        prog="lovregler batch", description="Evaluér en hel sagsmængde."
    )
    p.add_argument(
        "input", help="JSON Lines-fil, eller mappe/fil med events + citizens (Parquet/CSV)"
    )
    p.add_argument(
        "-r", "--ruleset", action="append", required=True, help="regelsæt (navn, sti eller 'all')"
    )
    p.add_argument("--as-of", required=True, type=_parse_date, help="evalueringsdato ÅÅÅÅ-MM-DD")
    p.add_argument("-o", "--output", required=True, help="mappe til Parquet-tabellerne")
    p.add_argument("--engine", choices=("local", "dask"), default="local")
    p.add_argument("--scheduler", help="Dask-scheduler (adresse); uden: en LocalCluster")
    p.add_argument(
        "--workers", type=int, default=None, help="antal processer (standard: alle kerner)"
    )
    p.add_argument(
        "--chunk-size",
        type=int,
        default=CHUNK_SIZE,
        help=(
            "borgere pr. opgave (fra en hændelseslog får de sidste opgaver en fjerdedel, "
            "så processerne slutter samtidig; en log med over 100 gange så mange borgere "
            "deles først i ca. 100 opgaver på højst 4 gange så mange)"
        ),
    )
    p.add_argument("--explain", action="store_true", help="tag forklaringerne med i tabellerne")
    p.add_argument(
        "--time-limit", type=float, default=60.0, help="sekunder pr. borger og regelsæt (0: ingen)"
    )
    p.add_argument(
        "--max-record-size",
        type=_byte_size,
        default=MAX_RECORD_BYTES,
        help="største input-post (en JSON-linje) i byte, fx 16M (standard: 16M)",
    )
    return p


def _byte_size(text: str) -> int:
    units = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3}
    number, unit = text.strip().upper().rstrip("B"), ""
    if number and number[-1] in units:
        number, unit = number[:-1], number[-1]
    try:
        value = int(float(number) * units[unit])
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} er ikke en størrelse (fx 16M)") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: størrelsen skal være positiv")
    return value


def main_batch(argv: Sequence[str] | None = None) -> int:
    """``lovregler batch``: returns the exit code (0 when the batch completed)."""
    args = build_parser().parse_args(argv)
    return run_batch_args(args)


def run_batch_args(args: argparse.Namespace) -> int:
    """Run a batch from parsed arguments; user errors are printed, not raised."""
    if not Path(args.input).exists():
        print(f"lovregler batch: {args.input}: findes ikke", file=sys.stderr)
        return 2
    if args.engine == "dask" and not args.scheduler:
        start_worker_server()  # its imports overlap with this process's checks below
    try:
        config = BatchConfig(
            _ruleset_names(args.ruleset),
            args.as_of,
            max(1, args.chunk_size),
            args.explain,
            args.time_limit if args.time_limit > 0 else None,
            args.max_record_size,
        )
        for spec in config.rulesets:
            _ruleset(spec)  # fail fast on a bad ruleset name, before any work
        summary = run_batch(
            args.input,
            args.output,
            config,
            engine=args.engine,
            workers=args.workers,
            scheduler=args.scheduler,
        )
    except OSError as exc:
        print(f"lovregler batch: {_os_error_text(exc)}", file=sys.stderr)
        return 2
    except (LovreglerError, TimeoutError, ValueError) as exc:
        print(f"lovregler batch: {exc}", file=sys.stderr)
        return 2
    rate = summary.citizens / summary.seconds if summary.seconds else math.inf
    print(
        f"{summary.citizens} borgere: {summary.ok} ok, {summary.errors} med fejl "
        f"({summary.seconds:.1f} s, {rate:,.0f} borgere/s) → {summary.outdir}"
    )
    return 0


def _os_error_text(exc: OSError) -> str:
    """One line for a failed read or write; a full disk says so, and that nothing was left."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG) or "No space left" in str(exc):
        return (
            f"ikke plads nok på disken ({exc.strerror or exc}); kørslen er stoppet, og "
            "intet halvt resultat er efterladt i outputmappen"
        )
    return str(exc)
