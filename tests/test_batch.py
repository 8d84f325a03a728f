"""Batch evaluation: nothing lost, bad records in ``errors``, local == Dask, a killed worker.

The engine tests use :class:`FirstTalk`, a one-rule ruleset written here in Python, so that
every expected number can be worked out by hand; ``test_bundled_*`` runs the real rulesets.
"""

from __future__ import annotations

import collections
import datetime
import json
import os
import signal
import threading
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from lovregler.caseload.batch import TABLES, BatchConfig, evaluate_chunk, main_batch, run_batch
from lovregler.caseload.synth import synth, write_jsonl, write_tables
from lovregler.caseload.tables import RawRecord
from vocab_fixture import VOCABULARY

AS_OF = datetime.date(2018, 12, 31)


class _Result:
    def __init__(self, data: dict):
        self.data = data

    def to_dict(self) -> dict:
        return self.data


class FirstTalk:
    """One obligation per ``ydelse_start``: a ``samtale`` within 7 days after it."""

    name = "test_første_samtale"
    vocabulary = VOCABULARY
    delay = 0.0  # seconds per citizen, to make a run last long enough to kill a worker

    def evaluate(self, history, as_of: datetime.date) -> _Result:
        time.sleep(self.delay)
        events = history.until(as_of.toordinal())
        obligations = [
            self.instance(e.day, events, as_of) for e in events if e.type == "ydelse_start"
        ]
        return _Result({"citizen": history.id, "ruleset": self.name, "obligations": obligations})

    @staticmethod
    def instance(start: int, events, as_of: datetime.date) -> dict:
        due = start + 7
        met = next((e.day for e in events if e.type == "samtale" and e.day >= start), None)
        if met is not None:
            status = "fulfilled" if met <= due else "fulfilled_late"
        else:
            status = "pending" if as_of.toordinal() <= due else "overdue"
        iso = lambda d: None if d is None else datetime.date.fromordinal(d).isoformat()  # noqa: E731
        return {
            "rule": "første_samtale",
            "title": "Første samtale",
            "holder": "jobcenter",
            "version": "test",
            "trigger": iso(start),
            "due": iso(due),
            "status": status,
            "fulfilled_on": iso(met),
            "citation": "test",
            "explanation": [],
        }


class SlowFirstTalk(FirstTalk):
    """FirstTalk taking 10 ms a citizen: the run lasts long enough to kill a worker in."""

    delay = 0.01


FIRST_TALK = FirstTalk()
SLOW_FIRST_TALK = SlowFirstTalk()


def _citizen(cid: str, *events: tuple[str, str]) -> dict:
    evs = [{"type": "ydelse_start", "date": "2015-03-02", "ydelse": "kontanthjælp"}]
    evs += [{"type": t, "date": d} for t, d in events]
    return {"id": cid, "birth_date": "1975-04-12", "events": evs}


# ---------------------------------------------------------------- one chunk, by hand


def test_evaluate_chunk_rows_worked_by_hand() -> None:
    records = [
        RawRecord("a", obj=_citizen("a", ("samtale", "2015-03-06"))),  # met on day 4 of 7
        RawRecord("b", obj=_citizen("b", ("samtale", "2015-03-12"))),  # due 03-09: 3 days late
        RawRecord("c", obj=_citizen("c")),  # as_of 04-01 − due 03-09 = 23 days overdue
        RawRecord("linje 4", text="{not json"),
    ]
    config = BatchConfig((FIRST_TALK,), datetime.date(2015, 4, 1))
    tables = evaluate_chunk(records, config)
    obligations = tables["obligations"].to_pylist()
    assert [(o["citizen_id"], o["status"], o["days_late"]) for o in obligations] == [
        ("a", "fulfilled", None),
        ("b", "fulfilled_late", 3),
        ("c", "overdue", 23),
    ]
    assert obligations[0]["due"] == datetime.date(2015, 3, 9)
    citizens = tables["citizens"].to_pylist()
    assert [(c["citizen_id"], c["status"]) for c in citizens] == [
        ("a", "ok"),
        ("b", "ok"),
        ("c", "ok"),
        ("linje 4", "error"),
    ]
    assert [c["n_overdue"] for c in citizens] == [0, 0, 1, 0]
    (error,) = tables["errors"].to_pylist()
    assert error["citizen_id"] == "linje 4" and "ikke gyldig JSON" in error["message"]


# ---------------------------------------------------------------- whole batches

N = 300
#: Corrupted citizens mixed in: (line to insert before, id, expected words in the message).
CORRUPT = {
    "bad-type": "samtael",  # unknown event type, with a did-you-mean
    "bad-date": "2015-02-30",  # not a calendar date
    "bad-varighed": "1–5",  # varighed_år 9: the legal limit is named
}


def _corrupt(citizens: list[dict]) -> list[dict]:
    """Three corrupted copies of synthetic citizens, spread through the caseload."""
    base = citizens[5]
    bad_type = {
        **base,
        "id": "bad-type",
        "events": [*base["events"], {"type": "samtael", "date": "2015-06-01"}],
    }
    bad_date = {
        **base,
        "id": "bad-date",
        "events": [*base["events"], {"type": "samtale", "date": "2015-02-30"}],
    }
    visit = {
        "type": "visitation",
        "date": "2015-06-01",
        "ordning": "ressourceforløb",
        "varighed_år": 9,
    }
    bad_len = {**base, "id": "bad-varighed", "events": [*base["events"], visit]}
    out = list(citizens)
    for position, bad in ((17, bad_type), (150, bad_date), (280, bad_len)):
        out.insert(position, bad)
    return out


@pytest.fixture(scope="module")
def caseload(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A JSON Lines caseload: N synthetic citizens, 3 corrupted ones and a non-JSON line."""
    path = tmp_path_factory.mktemp("caseload") / "caseload.jsonl"
    write_jsonl(_corrupt(list(synth(N, seed=11))), path)
    with open(path, "a", encoding="utf-8") as out:
        out.write('{"id": "broken", "birth_date": \n')
    return path


def _tables(outdir: Path) -> dict:
    return {name: pq.read_table(outdir / f"{name}.parquet") for name in TABLES}


def _check_nothing_lost(tables: dict) -> None:
    citizens = tables["citizens"].to_pylist()
    ids = [c["citizen_id"] for c in citizens]
    assert len(ids) == N + 3 + 1 == len(set(ids))
    bad = {c["citizen_id"] for c in citizens if c["status"] == "error"}
    assert bad == {*CORRUPT, "broken"}
    errors = {e["citizen_id"]: e["message"] for e in tables["errors"].to_pylist()}
    assert errors.keys() == bad
    for cid, words in CORRUPT.items():
        assert words in errors[cid], errors[cid]
    assert "ikke gyldig JSON" in errors["broken"]


@pytest.fixture(scope="module")
def local_out(caseload: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("local")
    config = BatchConfig((FIRST_TALK,), AS_OF, chunk_size=40)
    summary = run_batch(caseload, out, config, engine="local", workers=2)
    assert (summary.citizens, summary.errors) == (N + 4, 4)
    return out


def test_local_engine_loses_nothing(local_out: Path) -> None:
    _check_nothing_lost(_tables(local_out))


def test_local_serial_and_parallel_agree(caseload: Path, local_out: Path, tmp_path: Path) -> None:
    run_batch(caseload, tmp_path, BatchConfig((FIRST_TALK,), AS_OF, chunk_size=40), workers=1)
    for name, table in _tables(tmp_path).items():
        assert table.equals(_tables(local_out)[name]), name


def test_chunks_are_written_together_as_row_groups(
    caseload: Path, local_out: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The main process writes whole chunks together as one row group once they reach
    ROW_GROUP_ROWS rows; the tables are the same, row for row."""
    from lovregler.caseload import batch_output

    monkeypatch.setattr(batch_output, "ROW_GROUP_ROWS", 100)
    run_batch(caseload, tmp_path, BatchConfig((FIRST_TALK,), AS_OF, chunk_size=40), workers=1)
    for name, table in _tables(tmp_path).items():
        assert table.equals(_tables(local_out)[name]), name
    # N + 4 = 304 citizens in chunks of 40: groups of 120, 120 (three chunks each reach
    # 100 rows) and the last 64 (two chunks, written when the file is closed).
    groups = pq.ParquetFile(tmp_path / "citizens.parquet").metadata
    assert [groups.row_group(i).num_rows for i in range(groups.num_row_groups)] == [120, 120, 64]


@pytest.mark.parametrize("explain", [False, True])
def test_files_show_plain_text_though_chunks_carry_it_coded(
    caseload: Path, tmp_path: Path, explain: bool
) -> None:
    """A chunk's repeated text (rule, title, citation...) travels dictionary-encoded
    (``chunk_schemas``); the files a reader opens have the plain ``schemas`` and the same
    rows as the chunk."""
    from lovregler.caseload.batch_rows import CODED, CODED_COLUMNS, chunk_schemas, schemas

    lines = caseload.read_text(encoding="utf-8").splitlines()[:-1]  # the JSON ones
    records = [RawRecord(c["id"], obj=c) for c in map(json.loads, lines)]
    config = BatchConfig((FIRST_TALK,), AS_OF, chunk_size=len(records) + 1, explain=explain)
    chunk = evaluate_chunk(records, config)
    run_batch(records, tmp_path, config, workers=1)
    for name, table in _tables(tmp_path).items():
        assert table.schema.equals(schemas(explain)[name]), name
        assert chunk[name].schema.equals(chunk_schemas(explain)[name]), name
        assert chunk[name].to_pylist() == table.to_pylist(), name
    obligations = chunk["obligations"]
    assert obligations.num_rows > 0
    assert {f.name for f in obligations.schema if f.type == CODED} == (
        CODED_COLUMNS & set(obligations.column_names)
    )
    # Statistics where a reader can skip row groups by them (a citizen, a date), not on
    # the text every row group repeats (a rule and its citation).
    group = pq.ParquetFile(tmp_path / "obligations.parquet").metadata.row_group(0)
    stats = {group.column(i).path_in_schema: group.column(i).statistics for i in range(14)}
    assert stats["citizen_id"].has_min_max and stats["due"].has_min_max
    assert stats["rule"] is None and stats["citation"] is None


def test_event_log_input_gives_the_same_tables(
    caseload: Path, local_out: Path, tmp_path: Path
) -> None:
    citizens = [json.loads(line) for line in caseload.read_text(encoding="utf-8").splitlines()[:-1]]
    # CSV, because a Parquet date column cannot hold the bad date; the non-JSON line
    # has no table form.
    write_tables(citizens, tmp_path / "in", fmt="csv")
    run_batch(
        tmp_path / "in",
        tmp_path / "out",
        BatchConfig((FIRST_TALK,), AS_OF, chunk_size=40),
        workers=2,
    )
    from_log, from_jsonl = _tables(tmp_path / "out"), _tables(local_out)
    assert from_log["obligations"].equals(from_jsonl["obligations"])
    assert from_log["citizens"].num_rows == N + 3


@pytest.mark.slow
def test_dask_engine_equals_local(caseload: Path, local_out: Path, tmp_path: Path) -> None:
    config = BatchConfig((FIRST_TALK,), AS_OF, chunk_size=40)
    run_batch(caseload, tmp_path, config, engine="dask", workers=2)
    dask_tables = _tables(tmp_path)
    _check_nothing_lost(dask_tables)
    for name, table in _tables(local_out).items():
        assert dask_tables[name].equals(table), name


def _worker_killer(killed: dict[str, object]):
    """An ``on_client`` hook that SIGKILLs a busy worker once some chunks are done."""

    def kill_one_worker(client) -> None:
        def kill() -> None:
            # Wait until the cluster has finished some chunks but not all, then SIGKILL
            # the process of a worker that is busy.
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                done = sum(
                    1
                    for state in client.run_on_scheduler(_task_states).values()
                    if state == "memory"
                )
                busy = {w: n for w, n in client.processing().items() if n}
                if done >= 1 and busy:
                    worker = sorted(busy)[0]
                    pid = client.run(os.getpid, workers=[worker])[worker]
                    os.kill(pid, signal.SIGKILL)
                    killed.update(pid=pid, done=done)
                    return
                time.sleep(0.02)

        threading.Thread(target=kill, daemon=True).start()

    return kill_one_worker


@pytest.mark.slow
def test_dask_worker_killed_mid_run_loses_and_duplicates_nothing(
    caseload: Path, local_out: Path, tmp_path: Path
) -> None:
    killed: dict[str, object] = {}
    config = BatchConfig((SLOW_FIRST_TALK,), AS_OF, chunk_size=10)
    summary = run_batch(
        caseload, tmp_path, config, engine="dask", workers=2, on_client=_worker_killer(killed)
    )
    assert killed, "no worker was killed"
    assert killed["done"] < (N + 4) / 10, "the worker was killed after the last chunk"
    assert summary.citizens == N + 4
    tables = _tables(tmp_path)
    _check_nothing_lost(tables)
    for name, table in _tables(local_out).items():
        assert tables[name].equals(table), name


@pytest.mark.slow
def test_dask_on_an_event_log_with_a_killed_worker_equals_local(
    caseload: Path, tmp_path: Path
) -> None:
    """Workers read their parts of the grouped event log themselves; a rerun reads it again."""
    citizens = [json.loads(line) for line in caseload.read_text(encoding="utf-8").splitlines()[:-1]]
    write_tables(citizens, tmp_path / "in", fmt="csv")
    config = BatchConfig((SLOW_FIRST_TALK,), AS_OF, chunk_size=10)
    run_batch(tmp_path / "in", tmp_path / "local", config, workers=1)
    killed: dict[str, object] = {}
    summary = run_batch(
        tmp_path / "in",
        tmp_path / "dask",
        config,
        engine="dask",
        workers=2,
        on_client=_worker_killer(killed),
    )
    assert killed and summary.citizens == N + 3
    local, dask = _tables(tmp_path / "local"), _tables(tmp_path / "dask")
    for name in TABLES:
        assert dask[name].equals(local[name]), name
    assert not [p for p in (tmp_path / "dask").iterdir() if p.name.startswith("lovregler-")]


def _task_states(dask_scheduler) -> dict:
    return {key: task.state for key, task in dask_scheduler.tasks.items()}


# ---------------------------------------------------------------- command line


def test_cli_writes_tables_and_reports_bad_date(caseload: Path, tmp_path: Path, capsys) -> None:
    args = [
        str(caseload),
        "-r",
        "test_batch:FIRST_TALK",
        "--as-of",
        "2018-12-31",
        "-o",
        str(tmp_path),
    ]
    assert main_batch([*args, "--workers", "1"]) == 0
    assert f"{N + 4} borgere: {N} ok, 4 med fejl" in capsys.readouterr().out
    assert all((tmp_path / f"{name}.parquet").exists() for name in TABLES)
    assert json.loads((tmp_path / "batch.json").read_text())["as_of"] == "2018-12-31"
    with pytest.raises(SystemExit):
        main_batch([str(caseload), "-r", "x", "--as-of", "2018-02-30", "-o", str(tmp_path)])
    assert "ikke en dato" in capsys.readouterr().err
    assert (
        main_batch([str(tmp_path / "nope.jsonl"), "-r", "x", "--as-of", "2018-01-01", "-o", "x"])
        == 2
    )


# ---------------------------------------------------------------- the bundled rulesets


@pytest.fixture(scope="module")
def small_caseload(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """40 synthetic citizens with the three corrupted ones mixed in."""
    path = tmp_path_factory.mktemp("small") / "caseload.jsonl"
    citizens = list(synth(40, seed=12))
    base = citizens[5]
    visit = {
        "type": "visitation",
        "date": "2015-06-01",
        "ordning": "ressourceforløb",
        "varighed_år": 9,
    }
    citizens.insert(
        3,
        {
            **base,
            "id": "bad-type",
            "events": [*base["events"], {"type": "samtael", "date": "2015-06-01"}],
        },
    )
    citizens.insert(
        20,
        {
            **base,
            "id": "bad-date",
            "events": [*base["events"], {"type": "samtale", "date": "2015-02-30"}],
        },
    )
    citizens.insert(41, {**base, "id": "bad-varighed", "events": [*base["events"], visit]})
    write_jsonl(citizens, path)
    return path


@pytest.mark.slow
def test_bundled_rulesets_on_both_engines(small_caseload: Path, tmp_path: Path) -> None:
    from lovregler.api import bundled_rulesets, load_ruleset

    names = tuple(bundled_rulesets())
    config = BatchConfig(names, AS_OF, chunk_size=8)
    run_batch(small_caseload, tmp_path / "local", config, workers=2)
    run_batch(small_caseload, tmp_path / "dask", config, engine="dask", workers=2)
    local, dask = _tables(tmp_path / "local"), _tables(tmp_path / "dask")
    for name in TABLES:
        assert local[name].equals(dask[name]), name
    citizens = local["citizens"].to_pylist()
    assert len(citizens) == 43 == len({c["citizen_id"] for c in citizens})
    assert {c["citizen_id"] for c in citizens if c["status"] == "error"} == set(CORRUPT)
    errors = {e["citizen_id"]: e["message"] for e in local["errors"].to_pylist()}
    for cid, words in CORRUPT.items():
        assert words in errors[cid]
    # The rows are the API's results: compare the citizen and ruleset with the most
    # obligations with to_dict().
    pairs = collections.Counter(
        (r["citizen_id"], r["ruleset"]) for r in local["obligations"].to_pylist()
    )
    (busiest, name), _ = pairs.most_common(1)[0]
    lines = small_caseload.read_text(encoding="utf-8").splitlines()
    first = next(c for c in map(json.loads, lines) if c["id"] == busiest)
    ruleset = load_ruleset(name)
    expected = ruleset.evaluate(ruleset.history(first), AS_OF).to_dict()["obligations"]
    rows = [
        r
        for r in local["obligations"].to_pylist()
        if r["citizen_id"] == first["id"] and r["ruleset"] == ruleset.name
    ]
    iso = lambda d: d.isoformat() if d else None  # noqa: E731
    assert rows and [
        (r["rule"], iso(r["due"]), r["status"], iso(r["fulfilled_on"])) for r in rows
    ] == [(e["rule"], e["due"], e["status"], e["fulfilled_on"]) for e in expected]
    assert sum(c["n_obligations"] for c in citizens) == local["obligations"].num_rows


def test_explain_adds_the_results_explanations() -> None:
    from lovregler.api import load_ruleset

    ruleset = load_ruleset("kontanthjælp_aktivitetsparat")
    citizens = [
        c for c in synth(30, seed=3) if any(e.get("ydelse") == "kontanthjælp" for e in c["events"])
    ][:3]
    records = [RawRecord(c["id"], obj=c) for c in citizens]
    plain = evaluate_chunk(records, BatchConfig((ruleset.name,), AS_OF))["obligations"]
    explained = evaluate_chunk(records, BatchConfig((ruleset.name,), AS_OF, explain=True))[
        "obligations"
    ]
    assert "explanation" not in plain.column_names
    expected = [
        e["explanation"]
        for c in citizens
        for e in ruleset.evaluate(ruleset.history(c), AS_OF).to_dict()["obligations"]
    ]
    assert expected and explained.column("explanation").to_pylist() == expected
    assert explained.drop(["explanation"]).equals(plain)


class Stuck(FirstTalk):
    """FirstTalk that never finishes for citizen ``b`` (a runaway rule)."""

    def evaluate(self, history, as_of):
        if history.id == "b":
            time.sleep(60)
        return super().evaluate(history, as_of)


STUCK = Stuck()


@pytest.mark.parametrize("workers", [1, 2])
def test_a_runaway_evaluation_is_an_error_and_the_batch_completes(
    workers: int, tmp_path: Path
) -> None:
    path = tmp_path / "c.jsonl"
    write_jsonl([_citizen(cid, ("samtale", "2015-03-06")) for cid in "abc"], path)
    config = BatchConfig((STUCK,), datetime.date(2015, 4, 1), chunk_size=2, time_limit=0.5)
    started = time.monotonic()
    summary = run_batch(path, tmp_path / "out", config, workers=workers)
    assert time.monotonic() - started < 30
    assert (summary.citizens, summary.errors) == (3, 1)
    (error,) = pq.read_table(tmp_path / "out" / "errors.parquet").to_pylist()
    assert error["citizen_id"] == "b" and "afbrudt efter 0.5 s" in error["message"]
    assert pq.read_table(tmp_path / "out" / "obligations.parquet").column(
        "citizen_id"
    ).to_pylist() == ["a", "c"]


class Slow(FirstTalk):
    """FirstTalk that takes 0.2 s for every citizen, and runs away for citizen ``x``."""

    def evaluate(self, history, as_of):
        time.sleep(60 if history.id == "x" else 0.2)
        return super().evaluate(history, as_of)


def test_the_time_limit_is_per_evaluation_not_per_chunk() -> None:
    # One timer watches the whole chunk, but the limit is each evaluation's own: five
    # evaluations of 0.2 s (1.0 s together, twice the limit of 0.5 s) all finish, and only
    # the one that runs away is stopped, after about the limit.
    records = [RawRecord(c["id"], obj=c) for c in map(_citizen, "abcxde")]
    config = BatchConfig((Slow(),), datetime.date(2015, 4, 1), time_limit=0.5)
    started = time.monotonic()
    tables = evaluate_chunk(records, config)
    assert time.monotonic() - started < 10
    assert tables["citizens"].column("status").to_pylist() == ["ok"] * 3 + ["error"] + ["ok"] * 2
    (error,) = tables["errors"].to_pylist()
    assert error["citizen_id"] == "x" and "afbrudt efter 0.5 s" in error["message"]
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)  # nothing left armed


def test_off_the_main_thread_no_timer_is_set_and_the_tables_are_the_same(monkeypatch) -> None:
    # No signal reaches a thread other than the main one (a Dask task runs in one): no
    # limit can stop an evaluation there, so no timer is set, per chunk or per evaluation
    records = [RawRecord(c["id"], obj=c) for c in map(_citizen, "abc")]
    config = BatchConfig((FirstTalk(),), datetime.date(2015, 4, 1), time_limit=0.5)
    want = evaluate_chunk(records, config)
    timers: list[object] = []
    monkeypatch.setattr(signal, "setitimer", lambda *args: timers.append(args))
    got: list[dict] = []
    thread = threading.Thread(target=lambda: got.append(evaluate_chunk(records, config)))
    thread.start()
    thread.join()
    assert timers == []
    # (as rows: a coded column's dictionary may hold more texts than its rows use)
    assert got and all(got[0][name].to_pylist() == want[name].to_pylist() for name in want)


class Broken(FirstTalk):
    """FirstTalk with a bug for citizen ``b``."""

    def evaluate(self, history, as_of):
        if history.id == "b":
            raise ZeroDivisionError("division by zero")
        return super().evaluate(history, as_of)


def test_a_bug_in_a_ruleset_is_an_error_row_for_that_citizen() -> None:
    records = [RawRecord(c, obj=_citizen(c)) for c in "abc"]
    records.append(RawRecord("linje 4", text="[1, 2]"))  # JSON, but not an object
    tables = evaluate_chunk(records, BatchConfig((Broken(),), datetime.date(2015, 4, 1)))
    assert [(c["citizen_id"], c["status"]) for c in tables["citizens"].to_pylist()] == [
        ("a", "ok"),
        ("b", "error"),
        ("c", "ok"),
        ("linje 4", "error"),
    ]
    errors = tables["errors"].to_pylist()
    assert errors[0]["message"] == "intern fejl: ZeroDivisionError: division by zero"
    assert errors[0]["ruleset"] == "test_første_samtale" and errors[1]["citizen_id"] == "linje 4"
