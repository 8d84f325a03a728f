"""The Dask engine's local cluster: workers come from a single-threaded fork server that
has loaded what they need, never from a fork of the (threaded) main process.

``tests/test_batch.py`` checks the engine's output (equal to the local engine's, also with
a worker killed mid-run); these tests check how its workers are made.
"""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lovregler.api import bundled_rulesets
from lovregler.caseload.batch import TABLES, BatchConfig, run_batch
from lovregler.caseload.batch_dask import _read_probe
from lovregler.caseload.synth import synth, write_tables
from lovregler.caseload.tables import TablePart

HERE = Path(__file__).parent

# Run in a fresh interpreter: the fork server is one per process, and an earlier test may
# have started it with the other engine's preload, or without one.
_PROBE = """
import json, multiprocessing, os, sys
from multiprocessing import forkserver
sys.path.insert(0, {tests!r})
from lovregler.caseload.batch_dask import start_worker_server
from lovregler.caseload.batch_engines import _LocalPool
from lovregler.caseload.batch_server import LOCAL_PRELOAD, start_fork_server
from test_batch_dask import child_state

if {engine!r} == "dask":
    assert start_worker_server()
    context = multiprocessing.get_context("forkserver")
    with context.Pool(1) as pool:  # answered once the server has finished its preload
        child = pool.apply(child_state)
else:
    assert start_fork_server(LOCAL_PRELOAD)
    with _LocalPool(2, None) as pool:  # the local engine's pool, as a batch starts it
        child = pool.executor.submit(child_state).result()
server = forkserver._forkserver._forkserver_pid
print(json.dumps({{"server": server, "threads": len(os.listdir(f"/proc/{{server}}/task")),
                   "child": child, "main": os.getpid()}}))
"""


def child_state() -> dict[str, object]:
    """What a process started from the fork server has in memory, and who its parent is."""
    from lovregler.caseload import batch_chunk

    return {
        "parent": os.getppid(),
        "rulesets": sorted(batch_chunk._LOADED),
        "compiled": sorted(n for n, r in batch_chunk._LOADED.items() if r._evaluate is not None),
        "modules": [
            m for m in ("distributed", "pyarrow", "pandas", "holidays") if m in sys.modules
        ],
    }


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize(
    ("engine", "modules"),
    [
        ("dask", ["distributed", "pyarrow", "pandas", "holidays"]),
        ("local", ["pyarrow", "pandas", "holidays"]),
    ],
)
def test_fork_server_runs_one_thread_and_preloads_the_workers(
    engine: str, modules: list[str]
) -> None:
    probe = subprocess.run(
        [sys.executable, "-c", _PROBE.format(tests=str(HERE), engine=engine)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    state = json.loads(probe.stdout)
    # Forking a process that runs other threads may copy a lock one of them holds; the
    # server has imported numpy and pyarrow, whose thread pools are kept from starting.
    assert state["threads"] == 1
    child = state["child"]
    assert child["parent"] == state["server"] != state["main"]
    # Every bundled ruleset loaded and compiled before the worker's first chunk; the local
    # engine's workers do without Dask (its import alone is ≈ 0.4 s of the server's time).
    assert child["rulesets"] == child["compiled"] == sorted(bundled_rulesets())
    assert child["modules"] == modules


def _parents(client) -> None:
    _parents.seen = client.run(os.getppid)  # type: ignore[attr-defined]
    _parents.listening = {  # type: ignore[attr-defined]
        "main": _listening(),
        **client.run(_listening),
    }


def _listening() -> list[str]:
    """The addresses this process listens on."""
    import psutil

    found = psutil.Process().net_connections(kind="inet")
    return sorted({c.laddr.ip for c in found if c.status == psutil.CONN_LISTEN})


@pytest.mark.slow
def test_local_cluster_workers_are_not_forks_of_the_main_process(tmp_path: Path) -> None:
    write_tables(synth(40, seed=3), tmp_path / "in")
    config = BatchConfig(("kbh_målgrupper",), datetime.date(2019, 6, 30), chunk_size=10)
    summary = run_batch(
        tmp_path / "in", tmp_path / "out", config, engine="dask", workers=2, on_client=_parents
    )
    assert summary.citizens == 40 and summary.errors == 0
    parents = set(_parents.seen.values())  # type: ignore[attr-defined]
    assert len(_parents.seen) == 2  # type: ignore[attr-defined]
    # Every worker's parent is the fork server: one process, not this one.
    assert len(parents) == 1 and os.getpid() not in parents
    # The scheduler, its HTTP server, the nannies and the workers: loopback only.
    listening = _parents.listening  # type: ignore[attr-defined]
    assert listening["main"] and all(ips == ["127.0.0.1"] for ips in listening.values())


def _tables(folder: Path) -> dict:
    import pyarrow.parquet as pq

    return {name: pq.read_table(folder / f"{name}.parquet") for name in TABLES}


@pytest.mark.slow
def test_a_started_cluster_on_this_machine_reads_its_parts_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given by address, a cluster whose workers can read this machine's files gets row
    ranges, as a local cluster does; this process builds no records for it."""
    from distributed import LocalCluster

    write_tables(synth(60, seed=5), tmp_path / "in")
    config = BatchConfig(("kbh_målgrupper", "sygedagpenge"), datetime.date(2019, 6, 30), 25)
    run_batch(tmp_path / "in", tmp_path / "local", config, workers=1)
    monkeypatch.setattr(TablePart, "records", _not_here)  # in this process only
    with LocalCluster(
        n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        summary = run_batch(
            tmp_path / "in",
            tmp_path / "dask",
            config,
            engine="dask",
            scheduler=cluster.scheduler_address,
        )
    assert summary.citizens == 60
    local, dask = _tables(tmp_path / "local"), _tables(tmp_path / "dask")
    for name in TABLES:
        assert dask[name].equals(local[name]), name


def _not_here(self: TablePart) -> None:
    raise AssertionError("the main process read a part that a worker should read")


def test_a_worker_that_cannot_read_the_probe_says_so(tmp_path: Path) -> None:
    probe = tmp_path / "probe"
    assert _read_probe(str(probe)) is None
    probe.write_text("abc", encoding="ascii")
    assert _read_probe(str(probe)) == "abc"


@pytest.mark.parametrize(
    ("argv", "workers"),
    [
        (["in", "-r", "all", "--engine", "dask", "-o", "out"], "dask"),
        (["in", "--engine=dask", "--as-of", "2019-06-30"], "dask"),
        (["in", "--engine", "dask", "--scheduler", "tcp://127.0.0.1:8786"], None),
        (["in", "--engine=dask", "--scheduler=tcp://127.0.0.1:8786"], None),
        (["in", "--engine", "local", "--workers", "2"], "local"),
        (["in", "--workers=3", "-o", "dask"], "local"),
        (["in", "--engine", "local", "--workers", "1"], None),
        (["in", "--workers", "1", "--workers", "2"], "local"),
        (["in", "--workers", "two"], None),
    ],
)
def test_the_cli_starts_the_fork_server_for_worker_processes_of_its_own(
    argv: list[str], workers: str | None
) -> None:
    from lovregler.caseload.batch_server import _batch_workers

    assert _batch_workers(argv) == workers


def test_a_grouping_error_beside_the_cluster_start_is_the_batchs_error(tmp_path: Path) -> None:
    """A local cluster starts while the event log is grouped on a thread of its own
    (``batch_dask._first_made_beside``): a table without a required column is still the
    batch's one error, and nothing is left in the output folder."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    events = [{"id": "a", "date": datetime.date(2015, 1, 1), "type": "samtale"}]
    pq.write_table(pa.Table.from_pylist(events), tmp_path / "events.parquet")
    people = [{"citizen_id": "a", "birth_date": datetime.date(1980, 1, 1)}]
    pq.write_table(pa.Table.from_pylist(people), tmp_path / "citizens.parquet")
    out = tmp_path / "out"
    config = BatchConfig(("kontanthjælp_aktivitetsparat",), datetime.date(2016, 1, 1))
    with pytest.raises(ValueError, match="events.parquet: mangler kolonne.* citizen_id"):
        run_batch(tmp_path, out, config, engine="dask", workers=1)
    assert sorted(p.name for p in out.iterdir()) == [".lovregler-batch.lock"]
