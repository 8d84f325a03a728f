"""A project that depends on lovregler sees its typed surface with mypy (``py.typed``).

Both ways a service installs it: from the wheel (``test_wheel.py`` reuses :data:`USE`) and
editable, as ``make`` installs this checkout (a setuptools import-hook finder would be
invisible to mypy: "Cannot find implementation or library stub"). mypy runs in a temporary
folder, so it can only find lovregler where an installed project would.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

# Wrong on purpose in the last line: mypy must know that ``due`` is a date to report it.
USE = """\
import datetime
from lovregler import HistoryError, Status, load_ruleset

rs = load_ruleset("kontanthjælp_aktivitetsparat")
result = rs.evaluate({"id": "b", "birth_date": "1975-01-01", "events": []}, as_of="2015-09-01")
for o in result.obligations:
    due: datetime.date = o.due
    done: bool = o.status == Status.FULFILLED
    error: type[Exception] = HistoryError
    days: int = o.due
"""


def mypy_on(use: str, folder: Path, python: str | Path = sys.executable) -> str:
    """mypy's report on ``use`` as a module of a project in ``folder``."""
    (folder / "use.py").write_text(use, "utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--python-executable", str(python), "--no-incremental"]
        + ["use.py"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return run.stdout + run.stderr


def assert_typed(report: str) -> None:
    """lovregler was found and typed: only the deliberate error, and it names the types."""
    assert "Cannot find implementation" not in report, report
    assert (
        'Incompatible types in assignment (expression has type "date", variable has type "int")'
        in report
    ), report
    assert "Found 1 error" in report, report


def test_mypy_sees_the_installed_package(tmp_path: Path) -> None:
    assert_typed(mypy_on(USE, tmp_path))
