"""Peak resident memory of a refusion run, measured in a fresh child process.

``python -m benchmarks.memory N`` loads the refusion ruleset, streams ``N`` generated citizens
through ``History`` loading and evaluation (nothing kept), and prints its own peak RSS in MiB:
what a nightly run of that size needs, without the benchmark process's other inputs.
:func:`child_peak_rss_mib` runs it from the benchmark.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .timing import max_rss_mib


def _peak_rss_mib() -> float:
    """This process's peak RSS. ``VmHWM`` belongs to the process's own address space, while
    Linux carries ``ru_maxrss`` over from the parent across fork and exec."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:  # not Linux
        pass
    return max_rss_mib()


def run(n: int) -> float:
    """Evaluate ``n`` refusion citizens one at a time; return this process's peak RSS."""
    from lovregler import load_ruleset

    from . import data

    rs = load_ruleset("refusion")
    for obj in data.iter_refusion_citizens(n):
        rs.evaluate(rs.history(obj), data.REFUSION_AS_OF)
    return _peak_rss_mib()


def child_peak_rss_mib(n: int) -> float:
    """Peak RSS (MiB) of a fresh interpreter that streams ``n`` refusion citizens."""
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.memory", str(n)],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(out.stdout.strip())


if __name__ == "__main__":
    print(f"{run(int(sys.argv[1])):.1f}")
