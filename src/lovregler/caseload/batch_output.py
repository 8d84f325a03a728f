"""Where a batch writes: Parquet writers into a staging folder, published into the output
folder only when complete, under a lock that refuses a second batch into the same folder.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..errors import LovreglerError
from .batch_rows import REPEATED_TEXT, chunk_schemas

#: complete batch.
COMPLETE_MARKER = "_SUCCESS"
#: An output table's rows are held, whole chunks at a time, until they reach this many rows
#: (or :data:`ROW_GROUP_BYTES` of Arrow data), and written as one Parquet row group; the
#: main process holds no more than that of each table beyond the chunk in hand.
ROW_GROUP_ROWS = 65_536
ROW_GROUP_BYTES = 32 * 1024 * 1024
_LOCK = ".lovregler-batch.lock"
_STAGING_PREFIX = ".lovregler-staging-"


class BatchFailed(LovreglerError):
    """The batch as a whole could not finish (a worker kept dying, the output folder is
    busy); nothing of it was put in the output folder."""


class _Output:
    """The Parquet writers of one batch, writing into a staging folder.

    The tables appear in the output folder only when complete (:meth:`publish`); a batch
    that fails leaves the output folder as it was, with nothing half-written beside it.
    """

    def __init__(self, staging: Path, explain: bool):
        self.staging = staging
        self.schemas = chunk_schemas(explain)
        self.writers: dict[str, pq.ParquetWriter] = {}
        for table, schema in self.schemas.items():
            # Without the Arrow schema (whose coded columns a reader would get as
            # dictionaries): a reader sees the Parquet types, batch_rows.schemas().
            self.writers[table] = pq.ParquetWriter(
                self.staged(table),
                schema,
                compression="zstd",
                store_schema=False,
                write_statistics=_statistics(schema),
            )
        self.pending: dict[str, list[pa.Table]] = {table: [] for table in self.schemas}
        self.held = dict.fromkeys(self.schemas, (0, 0))  # rows, bytes pending per table
        self.citizens = self.ok = 0

    def staged(self, table: str) -> Path:
        return self.staging / f"{table}.parquet"

    def write(self, tables: dict[str, pa.Table]) -> int:
        """Append one chunk's tables; returns how many citizens it held.

        A table's rows are held until they reach :data:`ROW_GROUP_ROWS` rows (or
        :data:`ROW_GROUP_BYTES`), then written as one row group: a chunk's rows as
        a row group of their own cost the writer ≈ 35 % more time (the statistics, the
        dictionary and the compressor's start for every column of every group).
        """
        for name, table in tables.items():
            if table.num_rows:
                self.pending[name].append(table)
                rows, size = self.held[name]
                # the buffers' sizes as they are (``nbytes`` would look for shared ones)
                size += table.get_total_buffer_size()
                self.held[name] = (rows + table.num_rows, size)
                if rows + table.num_rows >= ROW_GROUP_ROWS or size >= ROW_GROUP_BYTES:
                    self.flush(name)
        people = tables["citizens"]
        self.citizens += people.num_rows
        # counted by Arrow, without a Python string per citizen
        self.ok += pc.sum(pc.equal(people.column("status"), "ok")).as_py() or 0
        return int(people.num_rows)

    def flush(self, name: str) -> None:
        """Write the rows held for one table as one row group."""
        held = self.pending[name]
        if held:
            # One dictionary per coded column for the whole row group, which the writer
            # then takes as its Parquet dictionary, codes and all, without rehashing.
            table = pa.concat_tables(held).unify_dictionaries()
            self.writers[name].write_table(table, row_group_size=table.num_rows)
            held.clear()
            self.held[name] = (0, 0)

    def close(self) -> None:
        """Finish every file (raises if the disk is full)."""
        for name in self.writers:
            self.flush(name)
        for writer in self.writers.values():
            writer.close()

    def abandon(self) -> None:
        """Close every writer quietly: the staging folder is about to be removed."""
        for held in self.pending.values():
            held.clear()
        for writer in self.writers.values():
            try:
                writer.close()
            except Exception:
                # A writer whose close failed (a full disk) would try again, and print a
                # traceback, when garbage-collected: it has nothing left worth writing.
                writer.is_open = False

    def publish(self, outdir: Path, manifest: dict[str, Any]) -> None:
        """Move the finished tables into ``outdir``, then ``batch.json``, then the marker.

        The old marker goes first, so that at no moment does a folder holding a mix of two
        runs' tables look complete.
        """
        (outdir / COMPLETE_MARKER).unlink(missing_ok=True)
        text = json.dumps(manifest, ensure_ascii=False, indent=2)
        (self.staging / "batch.json").write_text(text, encoding="utf-8")
        (self.staging / COMPLETE_MARKER).write_text(f"{manifest['finished']}\n", encoding="utf-8")
        for name in self.schemas:
            os.replace(self.staged(name), outdir / f"{name}.parquet")
        os.replace(self.staging / "batch.json", outdir / "batch.json")
        os.replace(self.staging / COMPLETE_MARKER, outdir / COMPLETE_MARKER)


def _statistics(schema: pa.Schema) -> list[str]:
    """The columns whose row groups get minimum and maximum statistics: not the text a
    few values repeat over every row group (a ruleset, a rule, its citation), where they
    would let a reader skip nothing and cost the writer a fifth of its time."""
    return [name for name in schema.names if name not in REPEATED_TEXT]


@contextlib.contextmanager
def _locked(outdir: Path) -> Iterator[None]:
    """Hold the output folder's lock; refuse when another batch holds it.

    ``flock`` is released by the kernel when the holder dies, so a killed batch never
    leaves the folder locked.
    """
    handle = open(outdir / _LOCK, "a+")  # noqa: SIM115 - held for the whole block
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BatchFailed(
                f"{outdir}: en anden kørsel af lovregler batch skriver allerede til denne "
                "mappe; vent på den, eller vælg en anden outputmappe"
            ) from None
        _remove_stale_staging(outdir)  # safe: no other batch writes here now
        yield
    finally:
        handle.close()


def _remove_stale_staging(outdir: Path) -> None:
    """Staging folders left by a batch that was killed (no ``finally`` ran)."""
    for stale in outdir.glob(f"{_STAGING_PREFIX}*"):
        shutil.rmtree(stale, ignore_errors=True)
