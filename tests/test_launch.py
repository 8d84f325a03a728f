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
