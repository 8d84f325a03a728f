"""``python -m benchmarks.service``: load on the HTTP service (``lovregler serve``).

Starts ``lovregler serve`` — one uvicorn worker, on 127.0.0.1 only, on a free port — and
drives it from this process with a closed-loop load generator (aiohttp's client,
``--connections`` requests in flight, each connection sending the next request when its
answer is in):

1. **single-citizen requests**: ``POST /rulesets/kbh_kontanthjælp_aktivitetsparat/evaluate``
   with one history each, from :func:`benchmarks.data.kontanthjaelp_citizens` (seed 2015,
   as_of 2021-06-30), after a warm-up; bounded by ``--requests`` and ``--seconds``. Sustained
   throughput (answers per wall second) and p50/p99 latency (request sent → answer read).
2. **batch**: the same endpoint with one array of 1,000 of those histories, ``--rounds``
   times: wall time per request and citizens per second.

Every answer must be a 200 with a result per citizen; the run fails otherwise. The server's
own CPU time (from ``/proc``) is reported too: the machine is shared, and CPU seconds of the
server move less with the neighbours than wall time does. Targets (issue 12): ≥ 500
single-citizen evaluations/s with p99 under 50 ms on 2 cores.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import aiohttp
import attrs
import httpx
from rich.console import Console
from rich.table import Table

from . import data
from .timing import load_average

RULESET = "kbh_kontanthjælp_aktivitetsparat"
AS_OF = data.KONTANTHJAELP_AS_OF.isoformat()
PATH = f"/rulesets/{quote(RULESET)}/evaluate?as_of={AS_OF}"
JSON = {"content-type": "application/json"}


@attrs.frozen
class LoadResult:
    """What one load phase measured."""

    answers: int
    seconds: float
    latencies_ms: list[float]
    server_cpu_s: float
    client_cpu_s: float

    @property
    def per_second(self) -> float:
        """Answers per wall second."""
        return self.answers / self.seconds

    def percentile(self, p: float) -> float:
        """The p-th percentile latency in ms (nearest rank)."""
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux ``/proc``), 0 where there is none."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_server(port: int) -> subprocess.Popen[bytes]:
    """``lovregler serve`` on 127.0.0.1:port without access log, once it answers /health."""
    server = subprocess.Popen(
        [sys.executable, "-m", "lovregler.cli", "serve", "--host", "127.0.0.1"]
        + ["--port", str(port), "--no-access-log"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("lovregler serve stopped before it answered")
        try:
            httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).raise_for_status()
            return server
        except httpx.HTTPError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("lovregler serve did not answer /health within 120 s")


async def single_load(
    base: str, bodies: list[bytes], connections: int, requests: int, seconds: float, pid: int
) -> LoadResult:
    """Closed-loop single-citizen requests: ``connections`` in flight until ``requests`` are
    answered or ``seconds`` have passed. aiohttp's client, because it costs the generator
    about a fifth of the CPU per request that httpx's async client does (measured: ~2 ms
    with httpx, so on 2 cores the generator, not the service, set the pace)."""
    latencies: list[float] = []
    sent = 0
    connector = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(base, connector=connector) as session:
        stop = time.perf_counter() + seconds
        cpu0, mine0, start = _cpu_seconds(pid), time.process_time(), time.perf_counter()

        async def worker() -> None:
            nonlocal sent
            while sent < requests and time.perf_counter() < stop:
                body = bodies[sent % len(bodies)]
                sent += 1
                t0 = time.perf_counter()
                async with session.post(PATH, data=body, headers=JSON) as answer:
                    text = await answer.read()
                latencies.append((time.perf_counter() - t0) * 1000)
                if answer.status != 200 or b'"obligations"' not in text:
                    raise SystemExit(f"unexpected answer {answer.status}: {text[:200]!r}")

        await asyncio.gather(*(worker() for _ in range(connections)))
        elapsed = time.perf_counter() - start
        server_cpu, client_cpu = _cpu_seconds(pid) - cpu0, time.process_time() - mine0
        return LoadResult(len(latencies), elapsed, latencies, server_cpu, client_cpu)


def batch_load(base: str, histories: list[dict[str, object]], rounds: int, pid: int) -> LoadResult:
    """One request with all ``histories`` (1,000), ``rounds`` times."""
    body = json.dumps(histories, ensure_ascii=False).encode()
    latencies = []
    with httpx.Client(base_url=base, timeout=300) as client:
        cpu0, mine0, start = _cpu_seconds(pid), time.process_time(), time.perf_counter()
        for _ in range(rounds):
            t0 = time.perf_counter()
            answer = client.post(PATH, content=body, headers=JSON)
            latencies.append((time.perf_counter() - t0) * 1000)
            results = answer.json()
            if answer.status_code != 200 or len(results) != len(histories):
                raise SystemExit(f"unexpected batch answer {answer.status_code}")
            if any("obligations" not in r for r in results):
                raise SystemExit("a benchmark citizen was answered with an error")
        elapsed = time.perf_counter() - start
    server_cpu, client_cpu = _cpu_seconds(pid) - cpu0, time.process_time() - mine0
    return LoadResult(rounds * len(histories), elapsed, latencies, server_cpu, client_cpu)


def main(argv: list[str] | None = None) -> int:
    """Run both phases against a fresh ``lovregler serve`` and print one table."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.service", description=__doc__)
    parser.add_argument("--requests", type=int, default=20_000, help="most single requests")
    parser.add_argument("--seconds", type=float, default=30.0, help="most seconds of load")
    parser.add_argument("--connections", type=int, default=8, help="requests in flight")
    parser.add_argument("--warmup", type=int, default=500, help="requests before measuring")
    parser.add_argument("--rounds", type=int, default=3, help="1,000-citizen batch requests")
    parser.add_argument("--json", metavar="PATH", help="also write the numbers as JSON")
    args = parser.parse_args(argv)

    console = Console(highlight=False, width=130)
    histories = data.kontanthjaelp_citizens(2000)
    bodies = [json.dumps(h, ensure_ascii=False).encode() for h in histories]
    console.print(f"load average at start: {load_average()}")
    port = _free_port()
    server = start_server(port)
    base = f"http://127.0.0.1:{port}"
    try:
        asyncio.run(single_load(base, bodies, args.connections, args.warmup, 60, server.pid))
        single = asyncio.run(
            single_load(base, bodies, args.connections, args.requests, args.seconds, server.pid)
        )
        batch = batch_load(base, histories[:1000], args.rounds, server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    console.print(f"load average at end: {load_average()}")
    console.print(_table(single, batch, args.connections))
    if args.json:
        Path(args.json).write_text(json.dumps(_numbers(single, batch), indent=2) + "\n")
    return 0


def _numbers(single: LoadResult, batch: LoadResult) -> dict[str, float]:
    return {
        "single_requests": single.answers,
        "single_per_second": round(single.per_second, 1),
        "single_p50_ms": round(single.percentile(50), 2),
        "single_p99_ms": round(single.percentile(99), 2),
        "single_per_server_cpu_second": round(single.answers / single.server_cpu_s, 1),
        "single_server_cpu_s": round(single.server_cpu_s, 2),
        "single_client_cpu_s": round(single.client_cpu_s, 2),
        "batch_ms_best": round(min(batch.latencies_ms), 1),
        "batch_citizens_per_second": round(batch.per_second, 1),
    }


def _table(single: LoadResult, batch: LoadResult, connections: int) -> Table:
    table = Table(
        "phase",
        "answers",
        "wall s",
        "answers/s",
        "p50 ms",
        "p99 ms",
        "per server CPU s",
        "CPU s server / client",
    )
    table.add_row(
        f"single citizen, {connections} in flight",
        f"{single.answers:,}",
        f"{single.seconds:.1f}",
        f"{single.per_second:,.0f}",
        f"{single.percentile(50):.1f}",
        f"{single.percentile(99):.1f}",
        f"{single.answers / max(single.server_cpu_s, 1e-9):,.0f}",
        f"{single.server_cpu_s:.1f} / {single.client_cpu_s:.1f}",
    )
    table.add_row(
        f"1,000-citizen batch × {len(batch.latencies_ms)}",
        f"{batch.answers:,} citizens",
        f"{batch.seconds:.1f}",
        f"{batch.per_second:,.0f} citizens",
        f"{sorted(batch.latencies_ms)[len(batch.latencies_ms) // 2]:.0f} (median)",
        f"{max(batch.latencies_ms):.0f} (max)",
        f"{batch.answers / max(batch.server_cpu_s, 1e-9):,.0f} citizens",
        f"{batch.server_cpu_s:.1f} / {batch.client_cpu_s:.1f}",
    )
    return table


if __name__ == "__main__":
    raise SystemExit(main())
