"""Side by side with OpenFisca: the peer harness of ``../shared/peers/openfisca_refusion/``.

The harness (read its README) builds OpenFisca in its own virtual environment (``VENV``,
default ``/tmp/ofvenv``), checks both of its implementations, then times OpenFisca (day and
week input), plain Python and lovregler on the same synthetic histories, each in a fresh
process, from history dicts to refusion runs, and stops if their output digests differ.

The harness folder is read-only in CI and writes ``results/`` into its own folder, so it
runs from a copy in a temporary folder. When OpenFisca's environment cannot be built (no
package index, no harness), the case is skipped with the reason.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import attrs

HARNESS = Path(__file__).resolve().parents[1] / ".." / "shared" / "peers" / "openfisca_refusion"
OPENFISCA = ("openfisca", "openfisca-weekinput")


@attrs.frozen
class PeerRow:
    """One implementation at one caseload size, as the harness reports it (median)."""

    n: int
    implementation: str
    citizens_per_s: float
    peak_rss_mib: float
    digest: str


@attrs.frozen
class PeerRun:
    """The harness's rows, or why it did not run."""

    rows: tuple[PeerRow, ...] = ()
    skipped: str = ""


def harness_dir() -> Path | None:
    """The harness folder (``LOVREGLER_PEER_HARNESS`` overrides), if present."""
    path = Path(os.environ.get("LOVREGLER_PEER_HARNESS", HARNESS)).resolve()
    return path if (path / "run.sh").exists() else None


def run_peer(sizes: str, repetitions: int) -> PeerRun:
    """Run the harness from a scratch copy with lovregler as the fourth contender."""
    source = harness_dir()
    if source is None:
        return PeerRun(skipped=f"no harness at {HARNESS}")
    with tempfile.TemporaryDirectory(prefix="lovregler-peer-") as tmp:
        copy = Path(tmp) / "openfisca_refusion"
        shutil.copytree(source, copy, ignore=shutil.ignore_patterns("results", "__pycache__"))
        env = {
            **os.environ,
            "LOVREGLER_PY": sys.executable,
            "BENCH_ARGS": f"--sizes {sizes} --repetitions {repetitions}",
        }
        done = subprocess.run(
            ["bash", str(copy / "run.sh")], env=env, capture_output=True, text=True, check=False
        )
        results = copy / "results" / "results.json"
        if done.returncode != 0 or not results.exists():
            tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
            return PeerRun(skipped="the harness did not finish: " + " | ".join(tail))
        rows = json.loads(results.read_text(encoding="utf-8"))["rows"]
    return PeerRun(
        tuple(
            PeerRow(
                r["n"],
                r["implementation"],
                r["citizens_per_s"],
                r["peak_rss_mib"],
                ",".join(r["digests"]),
            )
            for r in rows
        )
    )


def ratios(run: PeerRun) -> tuple[int, float, float] | None:
    """At the largest size: (n, lovregler's throughput over the faster OpenFisca's, its peak
    RSS over the smaller OpenFisca peak); None without both."""
    if not run.rows:
        return None
    n = max(r.n for r in run.rows)
    at_n = [r for r in run.rows if r.n == n]
    ours = [r for r in at_n if r.implementation == "lovregler"]
    theirs = [r for r in at_n if r.implementation in OPENFISCA]
    if not ours or not theirs:
        return None
    speed = ours[0].citizens_per_s / max(r.citizens_per_s for r in theirs)
    memory = ours[0].peak_rss_mib / min(r.peak_rss_mib for r in theirs)
    return n, speed, memory
