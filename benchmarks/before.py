"""The code of before issue 14, for the whole-caseload comparison in the same run.

Issue 14 asks that ``lovregler batch --ruleset all`` on the 30,000-citizen demo caseload be at
least 3× faster than it was when the issue was filed (commit :data:`BEFORE`). A ratio is only
worth quoting when both sides are measured in one run, so ``python -m benchmarks --batch``
runs that commit's own ``lovregler`` beside this one, taking turns, on the same caseload.

The old code is taken from this repository's history (``git archive``, so the repository's
worktrees are not touched) into a cache folder, with its own virtual environment built by its
own ``make .venv/.installed``; both are kept for the next run. Where that cannot be done (no
``git``, a shallow clone without the commit, no network for its packages), the comparison is
skipped with the reason.
"""

from __future__ import annotations

import io
import os
import subprocess
import tarfile
from pathlib import Path

#: The commit issue 14 was measured on.
BEFORE = "21979162d70d0cc398b0bf31dea0ad6aab4a07f5"

ROOT = Path(__file__).resolve().parent.parent


def cache_dir() -> Path:
    """Where the old code and its virtual environment are kept between runs."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "lovregler-bench" / f"before-{BEFORE[:12]}"


def before_cli() -> tuple[str | None, str]:
    """The old code's ``lovregler`` command, built on first use; else None and why not."""
    folder = cache_dir()
    cli = folder / ".venv" / "bin" / "lovregler"
    if cli.exists():
        _bytecode(folder)
        return str(cli), "kept from an earlier run"
    try:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", "--format=tar", BEFORE],
            capture_output=True,
            check=True,
            timeout=120,
        ).stdout
    except (OSError, subprocess.SubprocessError) as err:
        return None, f"commit {BEFORE[:7]} is not in this clone's history ({type(err).__name__})"
    folder.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    try:
        subprocess.run(
            ["make", ".venv/.installed"],
            cwd=folder,
            capture_output=True,
            check=True,
            timeout=900,
        )
    except (OSError, subprocess.SubprocessError) as err:
        return None, f"the old code's environment could not be built ({type(err).__name__})"
    if not cli.exists():
        return None, "the old code has no lovregler command"
    _bytecode(folder)
    return str(cli), "built"


def _bytecode(folder: Path) -> None:
    """The old package's bytecode written, as ``make bench`` writes this one's (``make
    bytecode``): neither side compiles its modules again in every process."""
    python = folder / ".venv" / "bin" / "python"
    subprocess.run([str(python), "-m", "compileall", "-q", "src"], cwd=folder, check=False)
