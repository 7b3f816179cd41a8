"""Browsing latency while an analysis runs away, against the same browsing without it.

Starts ``backcare serve`` (as shipped: analyses in child processes, two worker slots) on a free
loopback port with a temporary data directory and SQLite, registers ``--users`` accounts through
the real forms, then:

1. **quiet**: after a short warm-up, the users browse (pages and diary saves, as ``bench_web``)
   for ``--duration`` s;
2. **runaway**: one more account uploads a simulated ``--days``-day thigh recording through the
   real upload form; while its analysis keeps a core busy in its child process, the same users
   browse for ``--duration`` s again; then the owner cancels the job with the cancel button.

Prints both runs' p50/p95/p99 and the ratio of the p95 with the runaway job to the p95 without
it, whether the job was running through the whole second phase, and how long the cancel took to
end it. The server's own CPU time is shown too: the analysis must not count against it.

Usage: python benchmarks/bench_isolation.py [--duration 20] [--users 50] [--think-s 1.0]
       [--days 7]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_web import (
    CSRF,
    Stats,
    browse,
    cpu_seconds,
    register,
    start_server,
    stop_server,
)

from backcare.wearable.simulator import simulate_cwa

JOB = re.compile(r"/jobs/(\d+)")


async def upload(url: str, path: Path) -> tuple[httpx.AsyncClient, int]:
    owner = await register(url, 9999)
    page = await owner.client.get("/uploads")
    found = CSRF.search(page.text)
    if found is None:
        raise SystemExit("no CSRF token on /uploads")
    with path.open("rb") as fh:
        response = await owner.client.post(
            "/uploads",
            data={"csrf_token": found.group(1)},
            files={"thigh_file": (path.name, fh, "application/octet-stream")},
        )
    match = JOB.search(response.headers.get("location", ""))
    if response.status_code != 303 or match is None:
        raise SystemExit(f"upload failed ({response.status_code}): {response.text[:400]}")
    return owner.client, int(match.group(1))


async def job_status(client: httpx.AsyncClient, job_id: int) -> str:
    text = (await client.get(f"/jobs/{job_id}/status")).text
    found = re.search(r'class="status status-(\w+)"', text)
    return found.group(1) if found else "?"


async def run(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="bench-isolation-") as tmp:
        recording = Path(tmp) / "thigh.cwa"
        t0 = time.perf_counter()
        simulate_cwa(recording, days=args.days, placement="thigh")
        print(
            f"simulated {args.days} day(s): {recording.stat().st_size / 1e6:.1f} MB in "
            f"{time.perf_counter() - t0:.1f} s"
        )
        server = start_server(Path(tmp) / "data", None)
        try:
            users = [await register(server.url, i) for i in range(args.users)]
            await browse(users, min(5.0, args.duration), args.think_s, Stats("warm-up"))
            quiet = Stats("browse, quiet")
            cpu0 = cpu_seconds(server.process.pid)
            await browse(users, args.duration, args.think_s, quiet)
            cpu_quiet = cpu_seconds(server.process.pid) - cpu0

            owner, job_id = await upload(server.url, recording)
            deadline = time.perf_counter() + 120
            while await job_status(owner, job_id) != "running":
                if time.perf_counter() > deadline:
                    raise SystemExit("the job did not start within 120 s")
                await asyncio.sleep(0.5)
            busy = Stats("browse, runaway job")
            cpu0 = cpu_seconds(server.process.pid)
            await browse(users, args.duration, args.think_s, busy)
            cpu_busy = cpu_seconds(server.process.pid) - cpu0
            status_after = await job_status(owner, job_id)

            page = await owner.get(f"/jobs/{job_id}")
            token = CSRF.search(page.text)
            t_cancel = time.perf_counter()
            if token is not None and status_after == "running":
                await owner.post(f"/jobs/{job_id}/cancel", data={"csrf_token": token.group(1)})
            final = await job_status(owner, job_id)
            cancel_s = time.perf_counter() - t_cancel
            for user in users:
                await user.client.aclose()
            await owner.aclose()
        finally:
            stop_server(server)
    print(quiet.line())
    print(busy.line())
    ratio = busy.pct(95) / quiet.pct(95) if quiet.pct(95) else float("nan")
    print(f"p95 with the runaway job / without: {ratio:.2f}")
    print(f"server CPU time: quiet {cpu_quiet:.1f} s, with the job {cpu_busy:.1f} s")
    print(f"job status after the second phase: {status_after}; after cancel: {final}")
    print(f"cancel answered in {cancel_s:.2f} s")
    return 0 if quiet.errors == 0 and busy.errors == 0 else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--think-s", type=float, default=1.0)
    parser.add_argument("--days", type=float, default=7.0)
    args = parser.parse_args(argv)
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
