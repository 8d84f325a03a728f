"""The ``lovregler`` script's entry point starts a batch's fork server before the rule
pipeline is imported; the package's public names are imported on first use."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

import pytest

import lovregler

# In a fresh interpreter: what has been imported when the entry point has started the
# server is what this test is about, and the server is one per process.
_PROBE = """
import json, sys
from multiprocessing import forkserver
from lovregler.caseload.batch_server import start_batch_workers

start_batch_workers(["caseload", "-r", "all", "--workers", "2", "-o", "out"])
heavy = [m for m in ("lovregler.api", "lovregler.cli", "pyarrow", "rich") if m in sys.modules]
print(json.dumps({"heavy": heavy, "server": forkserver._forkserver._forkserver_pid}))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="no fork server")
def test_the_fork_server_starts_before_the_pipeline_is_imported() -> None:
    probe = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True, timeout=120
    )
    state = json.loads(probe.stdout)
    assert state["server"] is not None
    assert state["heavy"] == []


def test_every_public_name_is_its_modules_object() -> None:
    for name in lovregler.__all__:
        if name == "__version__":
            assert isinstance(lovregler.__version__, str) and lovregler.__version__
            continue
        found = [
            getattr(importlib.import_module(f"lovregler.{m}"), name)
            for m in ("api", "errors", "history", "results")
            if hasattr(importlib.import_module(f"lovregler.{m}"), name)
        ]
        assert found and getattr(lovregler, name) is found[0]
        assert name in dir(lovregler)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        lovregler.no_such_name  # type: ignore[attr-defined]  # noqa: B018


# A batch through the script's entry point, in a fresh interpreter: an exit handler and a
# global whose finaliser would speak at the interpreter's teardown.
_BATCH = """
import atexit, pathlib, sys
sys.path.insert(0, sys.argv[1])
marks = pathlib.Path(sys.argv[2])
atexit.register(lambda: (marks / "exit-handler").write_text("ran"))

class Teardown:
    def __del__(self):
        (marks / "teardown").write_text("ran")

kept = Teardown()
from lovregler.launch import main
sys.exit(main(sys.argv[3:]))
"""


@pytest.mark.parametrize(("as_of", "code"), [("2018-12-31", 0), ("2018-13-45", 2)])
def test_a_batch_ends_at_once_after_its_exit_handlers(tmp_path, as_of: str, code: int) -> None:
    from pathlib import Path

    from lovregler.caseload.synth import synth, write_jsonl

    caseload = tmp_path / "c.jsonl"
    write_jsonl(list(synth(20, seed=3)), caseload)
    out, marks = tmp_path / "out", tmp_path / "marks"
    marks.mkdir()
    args = [str(caseload), "-r", "test_batch:FIRST_TALK", "--as-of", as_of, "-o", str(out)]
    tests = str(Path(__file__).parent)
    done = subprocess.run(
        [sys.executable, "-c", _BATCH, tests, str(marks), "batch", *args, "--workers", "1"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == code, done.stderr
    assert (marks / "exit-handler").read_text() == "ran"  # exit handlers ran
    if code == 0:  # everything written and said before the process ended, at once
        assert "20 borgere" in done.stdout
        assert (out / "_SUCCESS").exists() and (out / "citizens.parquet").exists()
        assert not (marks / "teardown").exists()  # the interpreter's teardown did not run
    else:  # refused by the argument parser: a usage error ends the usual way
        assert "2018-13-45" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("argv", "started"),
    [
        (["batch", "caseload", "--workers", "2"], ["caseload", "--workers", "2"]),
        # the demo's synth pool and batch share the server: started with the batch preload
        (["demo", "--engine", "dask"], ["--engine", "dask"]),
        (["check", "rulesets"], None),
    ],
)
def test_the_entry_point_starts_the_server_for_batch_and_demo(monkeypatch, argv, started):
    from lovregler import cli, launch
    from lovregler.caseload import batch_server

    seen: list[list[str]] = []
    monkeypatch.setattr(batch_server, "start_batch_workers", lambda args: seen.append(list(args)))
    monkeypatch.setattr(cli, "main", lambda args: 0)
    monkeypatch.setattr(launch, "end_now", lambda code: None)
    assert launch.main(argv) == 0
    assert seen == ([] if started is None else [started])
