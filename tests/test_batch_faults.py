"""Batch under faults and hostile records (issue 10): a dead worker, a full disk, a second
batch into the same folder, and records whose bytes would break the bookkeeping.

Every test ends by checking the output folder: complete (all tables, ``batch.json`` and the
completion marker) or exactly as it was before, and never a staging folder left behind.
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from lovregler.caseload.batch import COMPLETE_MARKER, TABLES, BatchConfig, BatchFailed, run_batch
from lovregler.caseload.synth import synth, write_jsonl
from test_batch import FirstTalk, _citizen

AS_OF = datetime.date(2015, 4, 1)


class KillsItsWorker(FirstTalk):
    """FirstTalk whose evaluation of citizen ``victim`` SIGKILLs the process running it
    (as the kernel's out-of-memory killer would): the first ``times`` times only."""

    def __init__(self, victim: str, times: int, tally: Path):
        self.victim, self.times, self.tally = victim, times, tally

    def evaluate(self, history, as_of):
        if history.id == self.victim:
            with open(self.tally, "a") as tally:
                tally.write("x")
            if self.tally.stat().st_size <= self.times:
                os.kill(os.getpid(), signal.SIGKILL)
        return super().evaluate(history, as_of)


@contextlib.contextmanager
def _deadline(seconds: int) -> Iterator[None]:
    """Fail the test instead of hanging it (the old local engine waited forever)."""

    def hung(signum, frame):
        raise AssertionError(f"the batch hung for more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _caseload(tmp_path: Path, ids: str = "abcdefgh") -> Path:
    path = tmp_path / "c.jsonl"
    write_jsonl([_citizen(cid, ("samtale", "2015-03-06")) for cid in ids], path)
    return path


def _ids(outdir: Path, table: str = "citizens") -> list[str]:
    return pq.read_table(outdir / f"{table}.parquet").column("citizen_id").to_pylist()


def _leftovers(outdir: Path) -> list[str]:
    """Anything a batch must not leave behind: staging/scratch folders, partial files."""
    return sorted(
        p.name
        for p in outdir.iterdir()
        if p.name.startswith((".lovregler-staging-", "lovregler-")) or p.suffix == ".partial"
    )


def _complete(outdir: Path) -> bool:
    names = {p.name for p in outdir.iterdir()}
    return {f"{t}.parquet" for t in TABLES} | {"batch.json", COMPLETE_MARKER} <= names


# ---------------------------------------------------------------- a worker dies


def test_a_worker_killed_once_is_replaced_and_nothing_is_lost(tmp_path: Path) -> None:
    ruleset = KillsItsWorker("c", 1, tmp_path / "tally")
    config = BatchConfig((ruleset,), AS_OF, chunk_size=2)
    with _deadline(120):
        summary = run_batch(_caseload(tmp_path), tmp_path / "out", config, workers=2)
    # 8 citizens, every one once, in input order; c's chunk ran twice (killed, then retried)
    assert (summary.citizens, summary.ok) == (8, 8)
    assert _ids(tmp_path / "out") == list("abcdefgh")
    assert _ids(tmp_path / "out", "obligations") == list("abcdefgh")
    assert (tmp_path / "tally").read_text() == "xx"
    assert _complete(tmp_path / "out") and _leftovers(tmp_path / "out") == []


def test_a_worker_that_dies_again_fails_the_batch_cleanly(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = run_batch(_caseload(tmp_path), out, BatchConfig((FirstTalk(),), AS_OF), workers=1)
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    ruleset = KillsItsWorker("c", 99, tmp_path / "tally")
    with _deadline(120), pytest.raises(BatchFailed, match="døde igen .* del nr. 2 .*c … d"):
        run_batch(_caseload(tmp_path), out, BatchConfig((ruleset,), AS_OF, chunk_size=2), workers=2)
    assert (tmp_path / "tally").read_text() == "xx"  # tried, retried once, then given up
    # the previous run's output is untouched and still the complete one
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    assert json.loads((out / "batch.json").read_text())["citizens"] == first.citizens
    assert _leftovers(out) == []


# ---------------------------------------------------------------- the output folder


def test_a_second_batch_into_a_busy_folder_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    # Another batch holds the lock (flock conflicts between open files, even in one process).
    with open(out / ".lovregler-batch.lock", "a") as other:
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(BatchFailed, match="en anden kørsel .* skriver allerede"):
            run_batch(_caseload(tmp_path), out, BatchConfig((FirstTalk(),), AS_OF), workers=1)
        assert not _complete(out) and _leftovers(out) == []
    run_batch(_caseload(tmp_path), out, BatchConfig((FirstTalk(),), AS_OF), workers=1)
    assert _complete(out)


def test_a_failed_rerun_leaves_the_previous_output_as_it_was(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_batch(_caseload(tmp_path), out, BatchConfig((FirstTalk(),), AS_OF), workers=1)
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}

    def records():  # a source that fails half-way (a network drive going away)
        yield from [
            r
            for r in __import__("lovregler.caseload.tables").caseload.tables.read_caseload(
                _caseload(tmp_path)
            )
        ][:3]
        raise OSError("input gone")

    with pytest.raises(OSError, match="input gone"):
        run_batch(records(), out, BatchConfig((FirstTalk(),), AS_OF, chunk_size=1), workers=1)
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    assert _leftovers(out) == []


def test_staging_left_by_a_killed_batch_is_removed_by_the_next(tmp_path: Path) -> None:
    out = tmp_path / "out"
    stale = out / ".lovregler-staging-dead1234"
    (stale / "scratch").mkdir(parents=True)
    (stale / "citizens.parquet").write_bytes(b"half")
    run_batch(_caseload(tmp_path), out, BatchConfig((FirstTalk(),), AS_OF), workers=1)
    assert _complete(out) and _leftovers(out) == []


# ---------------------------------------------------------------- a full disk

_FULL_DISK_SCRIPT = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
limit = int(sys.argv[1])
if limit:
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
sys.path.insert(0, sys.argv[2])
from lovregler.caseload import batch_output
from lovregler.caseload.batch import main_batch
if int(sys.argv[3]):  # rows per row group: 1 writes every chunk as it comes
    batch_output.ROW_GROUP_ROWS = int(sys.argv[3])
sys.exit(main_batch(sys.argv[4:]))
"""


def _batch_process(
    args: list[str], limit: int = 0, group_rows: int = 1
) -> subprocess.CompletedProcess[str]:
    """A batch in its own process, its files limited to ``limit`` bytes (0: no limit), each
    chunk written as it comes (``group_rows=1``: the disk fills in the middle of the run)
    or ``group_rows`` rows at a time (0: the batch's own row groups)."""
    tests = str(Path(__file__).parent)
    return subprocess.run(
        [sys.executable, "-c", _FULL_DISK_SCRIPT, str(limit), tests, str(group_rows), *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def big_caseload(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("big") / "c.jsonl"
    write_jsonl(list(synth(600, seed=5)), path)
    return path


def _args(caseload: Path, out: Path) -> list[str]:
    return [
        str(caseload),
        "-r",
        "test_batch:FIRST_TALK",
        "--as-of",
        "2018-12-31",
        "-o",
        str(out),
        "--workers",
        "1",
        "--chunk-size",
        "50",
    ]


def _one_clean_message(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr  # no ParquetWriter.__del__ tracebacks
    assert lines[0].startswith("lovregler batch: ikke plads nok på disken")
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr


@pytest.mark.parametrize(
    ("group_rows", "limit"),
    # The 600 citizens' obligations take ≈ 43 KB written chunk by chunk, ≈ 12 KB in the
    # batch's own row groups, all written when the files are closed.
    [(1, 20_000), (0, 4_000)],
)
def test_a_file_size_limit_stops_the_batch_with_one_message(
    big_caseload: Path, tmp_path: Path, group_rows: int, limit: int
) -> None:
    out = tmp_path / "out"
    result = _batch_process(_args(big_caseload, out), limit, group_rows)  # like `ulimit -f`
    _one_clean_message(result)
    assert sorted(p.name for p in out.iterdir()) == [".lovregler-batch.lock"]


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 48 KB tmpfs (root only): smaller than the output of the big caseload."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=48k", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_a_full_disk_leaves_nothing_behind(big_caseload: Path, small_disk: Path) -> None:
    out = small_disk / "out"
    _one_clean_message(_batch_process(_args(big_caseload, out)))
    assert sorted(p.name for p in out.iterdir()) == [".lovregler-batch.lock"]
    free = os.statvfs(small_disk)
    assert free.f_bfree == free.f_blocks or free.f_bfree >= free.f_blocks - 2  # all freed


# ---------------------------------------------------------------- hostile records


def test_every_line_is_one_citizens_row_under_its_own_id(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    good = json.dumps(_citizen("kbh-000000"))
    lines = [
        good,
        # a lone surrogate in the id: before, it stopped both engines at the table step
        json.dumps({**_citizen("x"), "id": "x\ud800"}),
        # no top-level id, but an "id" inside an event: before, booked under kbh-000000
        json.dumps(
            {"birth_date": "1975-04-12", "events": [{"type": "samtale", "id": "kbh-000000"}]}
        ),
        json.dumps({**_citizen("x"), "id": 17, "events": [{"id": "kbh-000000"}]}),
        # a surrogate in a value that ends up quoted in an error message
        json.dumps({**_citizen("y"), "events": [{"type": "samt\udcffale", "date": "2015-01-01"}]}),
        '{"id": "dup", "id": "dup2", "birth_date": "1975-04-12", "events": []}',
        "[" * 100_000,
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", errors="surrogatepass")
    for workers in (1, 2):
        out = tmp_path / f"out{workers}"
        summary = run_batch(path, out, BatchConfig((FirstTalk(),), AS_OF), workers=workers)
        assert summary.citizens == len(lines)
        people = pq.read_table(out / "citizens.parquet").to_pylist()
        assert [p["citizen_id"] for p in people] == [
            "kbh-000000",
            "linje 2",
            "linje 3",
            "linje 4",
            "y",
            "dup",
            "linje 7",
        ]
        assert [p["status"] for p in people] == ["ok"] + ["error"] * 6
        errors = {
            e["citizen_id"]: e["message"] for e in pq.read_table(out / "errors.parquet").to_pylist()
        }
        assert "ikke gyldig Unicode" in errors["linje 2"]
        assert "nøglen 'id' står to gange" in errors["dup"]
        assert "for dybt indlejret" in errors["linje 7"]
        assert _complete(out)


def test_a_huge_id_costs_its_size_not_gigabytes(tmp_path: Path) -> None:
    # Before: the id regex ran over the whole line, and a 50 MB id took 6.8 GB. Now a line
    # over --max-record-size (16 MB) is skipped unread, and one under it costs about its size.
    path = tmp_path / "c.jsonl"
    with open(path, "w", encoding="utf-8") as out:
        out.write(json.dumps(_citizen("a")) + "\n")
        out.write(json.dumps({**_citizen("x"), "id": "x" * 50_000_000}) + "\n")
        out.write(json.dumps({**_citizen("x"), "id": "y" * 10_000_000}) + "\n")
    # The peak is read from VmHWM, which belongs to the new process's own address space:
    # Linux carries ``ru_maxrss`` across fork and exec, so it would report the pytest
    # worker's size (600 MB late in a CI run) rather than the batch's.
    script = """
import sys
sys.path.insert(0, sys.argv[1])
from lovregler.caseload.batch import main_batch
code = main_batch(sys.argv[2:])
with open("/proc/self/status", encoding="ascii") as status:
    print(next(int(l.split()[1]) for l in status if l.startswith("VmHWM:")) // 1024)
sys.exit(code)
"""
    out = tmp_path / "out"
    args = [str(path), "-r", "test_batch:FIRST_TALK", "--as-of", "2015-04-01", "-o", str(out)]
    result = subprocess.run(
        [sys.executable, "-c", script, str(Path(__file__).parent), *args, "--workers", "1"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    peak_mb = int(result.stdout.strip().splitlines()[-1])
    assert peak_mb < 400, peak_mb  # the 10 MB id is parsed, copied a few times; never GBs
    people = pq.read_table(out / "citizens.parquet").to_pylist()
    assert [p["citizen_id"][:3] for p in people] == ["a", "lin", "yyy"]
    (error,) = [
        e for e in pq.read_table(out / "errors.parquet").to_pylist() if e["citizen_id"] == "linje 2"
    ]
    assert "linje 2 er for lang (50,000," in error["message"]
