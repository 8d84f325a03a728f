"""The wheel carries the grammar and the bundled rulesets.

Builds a real (non-editable) wheel, installs it into a fresh virtual environment and runs
``lovregler check`` there. The dependencies come from the development environment through a
``.pth`` file, so the test needs no network; lovregler itself comes only from the wheel.
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=600
    )


def test_wheel_installs_and_checks_bundled_rulesets(tmp_path: Path) -> None:
    built = _run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        ROOT,
        "--no-deps",
        "--no-build-isolation",
        "-w",
        tmp_path / "dist",
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("lovregler-*.whl")

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    site = Path(
        _run(
            python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"
        ).stdout.strip()
    )
    installed = _run(sys.executable, "-m", "pip", "install", "--no-deps", "--target", site, wheel)
    assert installed.returncode == 0, installed.stderr
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    where = _run(python, "-c", "import lovregler; print(lovregler.__file__)", cwd=tmp_path)
    assert where.stdout.strip().startswith(str(site)), where
    checked = _run(python, "-m", "lovregler.cli", "check", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "kontanthjælp_aktivitetsparat.lov: ok" in checked.stdout
    tested = _run(python, "-m", "lovregler.cli", "test", cwd=tmp_path)
    assert tested.returncode == 0, tested.stdout + tested.stderr

    from test_typing import USE, assert_typed, mypy_on

    assert_typed(mypy_on(USE, tmp_path, python))
