"""Web app under load on loopback: browsing users, diary writes and live-coach WebSockets.

Starts ``backcare serve`` (one uvicorn process, as shipped) on a free port of 127.0.0.1 with a
temporary data directory and SQLite, and, when ``BACKCARE_TEST_POSTGRES_URL`` is set, once more on
a fresh PostgreSQL schema. For each backend:

1. registers ``--users`` accounts through the real forms;
2. **baseline**: the same users call ``/healthz`` (no database, no template) for a few seconds,
   the floor of the server and the load generator;
3. **browsing**: ``--users`` concurrent clients (``httpx.AsyncClient``), each looping over home,
   diary, progress, schedule, facts and coach pages and saving a diary entry every few
   requests, with a think time between requests, for ``--duration`` seconds;
4. **coach**: ``--coach-clients`` WebSockets on ``/ws/coach``, each sending a synthetic seated
   pose (33 landmarks with sway) at ``--coach-rate`` frames/s for ``--coach-duration`` seconds;
   the server's own processing time of each frame comes back in its reply (``proc_ms``, arrival
   to reply, batch wait included) and the round trip is measured here. Each session is stopped
   and stored at the end.

Prints requests, errors, throughput and p50/p95/p99 latencies, the ratio of the page latency to
the baseline's, and whether the targets hold: 0 errors and p95 < 100 ms for the pages on SQLite,
p95 processing < 10 ms for the coach. Every request goes to 127.0.0.1 only; every phase is
bounded in time.

Usage: python benchmarks/bench_web.py [--duration 60] [--users 50] [--coach-clients 20]
       [--coach-rate 30] [--coach-duration 20] [--think-s 1.0] [--backend sqlite|postgresql|all]
       [--strict]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import httpx
import numpy as np
import websockets
from sqlalchemy import create_engine, text

HOST = "127.0.0.1"
PASSWORD = "bench password 12345"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PAGES = ("/", "/diary", "/progress", "/schedule", "/facts", "/coach")
WRITE_EVERY = 4  # one diary save per this many requests (on average)
CALIBRATE_AT_S = 3.0  # each coach client calibrates its neutral after this long


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process [s] (Linux ``/proc``; NaN elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return math.nan


def load() -> str:
    try:
        return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "load average unknown"


# -- the server -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path


def start_server(data_dir: Path, database_url: str | None) -> Server:
    port = free_port()
    env = {
        **os.environ,
        "BACKCARE_DATA_DIR": str(data_dir),
        "BACKCARE_SECRET_KEY": uuid.uuid4().hex + uuid.uuid4().hex,
        "BACKCARE_REGISTRATIONS_PER_IP": "100000",  # every bench user registers from 127.0.0.1
    }
    env.pop("BACKCARE_DATABASE_URL", None)
    if database_url:
        env["BACKCARE_DATABASE_URL"] = database_url
    exe = Path(sys.executable).with_name("backcare")
    cmd = [str(exe)] if exe.is_file() else [sys.executable, "-m", "backcare.cli.main"]
    log = data_dir / "server.log"
    data_dir.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [*cmd, "serve", "--host", HOST, "--port", str(port), "--log-level", "warning"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://{HOST}:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                return Server(url, proc, log)
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    proc.kill()
    raise SystemExit("the server did not start within 90 s")


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


# -- figures --------------------------------------------------------------------------------------


@dataclass
class Stats:
    name: str
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    error_kinds: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    by_key: dict[str, list[float]] = field(default_factory=dict)

    def error(self, kind: str) -> None:
        self.errors += 1
        self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1

    def pct(self, q: float) -> float:
        return float(np.percentile(self.latencies_ms, q)) if self.latencies_ms else math.nan

    def line(self) -> str:
        n = len(self.latencies_ms)
        rate = n / self.seconds if self.seconds else math.nan
        kinds = f" {self.error_kinds}" if self.error_kinds else ""
        return (
            f"{self.name:<22} n={n:>7}  errors={self.errors}{kinds}  {rate:7.1f}/s  "
            f"p50={self.pct(50):7.2f} ms  p95={self.pct(95):7.2f} ms  p99={self.pct(99):7.2f} ms"
        )


# -- users ----------------------------------------------------------------------------------------


@dataclass
class User:
    email: str
    client: httpx.AsyncClient
    csrf: str = ""


async def register(url: str, index: int) -> User:
    client = httpx.AsyncClient(base_url=url, timeout=30.0, follow_redirects=False)
    page = await client.get("/register")
    token = CSRF.search(page.text)
    if token is None:
        raise SystemExit("no CSRF token on /register")
    email = f"bench-{index}-{uuid.uuid4().hex[:6]}@example.org"
    response = await client.post(
        "/register",
        data={
            "email": email,
            "display_name": f"Bench {index}",
            "password": PASSWORD,
            "password_again": PASSWORD,
            "role": "person",
            "csrf_token": token.group(1),
        },
    )
    if response.status_code != 303:
        raise SystemExit(f"registration failed ({response.status_code}): {response.text[:300]}")
    diary = await client.get("/diary")
    found = CSRF.search(diary.text)
    if found is None:
        raise SystemExit("no CSRF token on /diary")
    return User(email, client, found.group(1))


async def timed(stats: Stats, call, key: str = "") -> None:
    t0 = time.perf_counter()
    try:
        response = await call()
    except httpx.HTTPError as exc:
        stats.error(type(exc).__name__)
        return
    ms = (time.perf_counter() - t0) * 1000.0
    if response.status_code >= 400:
        stats.error(str(response.status_code))
        return
    stats.latencies_ms.append(ms)
    if key:
        stats.by_key.setdefault(key, []).append(ms)


async def browse(users: list[User], seconds: float, think_s: float, stats: Stats) -> None:
    start = time.perf_counter()
    end = start + seconds
    rng = random.Random(7)

    async def one(user: User, seed: int) -> None:
        own = random.Random(seed)
        await asyncio.sleep(own.uniform(0, think_s))  # spread the start
        while time.perf_counter() < end:
            if own.random() < 1.0 / WRITE_EVERY:
                day = date.today() - timedelta(days=own.randrange(0, 60))
                data = {
                    "csrf_token": user.csrf,
                    "day": day.isoformat(),
                    "pain_nrs": str(own.randrange(0, 11)),
                    "breaks_taken": str(own.randrange(0, 10)),
                    "notes": "benchmark entry",
                }
                await timed(stats, lambda d=data: user.client.post("/diary", data=d), "POST /diary")
            else:
                path = own.choice(PAGES)
                await timed(stats, lambda p=path: user.client.get(p), f"GET {path}")
            await asyncio.sleep(own.uniform(0.5 * think_s, 1.5 * think_s))

    await asyncio.gather(*(one(u, rng.randrange(1 << 30)) for u in users))
    stats.seconds = time.perf_counter() - start


async def baseline(users: list[User], seconds: float, think_s: float, stats: Stats) -> None:
    start = time.perf_counter()
    end = start + seconds

    async def one(user: User, seed: int) -> None:
        own = random.Random(seed)
        await asyncio.sleep(own.uniform(0, think_s))
        while time.perf_counter() < end:
            await timed(stats, lambda: user.client.get("/healthz"))
            await asyncio.sleep(own.uniform(0.5 * think_s, 1.5 * think_s))

    await asyncio.gather(*(one(u, i) for i, u in enumerate(users)))
    stats.seconds = time.perf_counter() - start


# -- the coach ------------------------------------------------------------------------------------

# A person sitting upright facing a level camera: MediaPipe world landmarks [m] (camera axes: x
# right in the image, y down, z away from the camera; origin between the hips), 33 in model order.
_SEATED = np.array(
    [
        [0.00, -0.62, -0.10],
        [0.02, -0.65, -0.09],
        [0.03, -0.65, -0.09],
        [0.04, -0.65, -0.09],
        [-0.02, -0.65, -0.09],
        [-0.03, -0.65, -0.09],
        [-0.04, -0.65, -0.09],
        [0.08, -0.63, -0.02],
        [-0.08, -0.63, -0.02],
        [0.02, -0.58, -0.09],
        [-0.02, -0.58, -0.09],
        [0.18, -0.45, 0.00],
        [-0.18, -0.45, 0.00],
        [0.22, -0.20, -0.05],
        [-0.22, -0.20, -0.05],
        [0.18, -0.05, -0.25],
        [-0.18, -0.05, -0.25],
        [0.18, -0.03, -0.30],
        [-0.18, -0.03, -0.30],
        [0.17, -0.03, -0.32],
        [-0.17, -0.03, -0.32],
        [0.16, -0.04, -0.29],
        [-0.16, -0.04, -0.29],
        [0.10, 0.00, 0.00],
        [-0.10, 0.00, 0.00],
        [0.11, 0.02, -0.42],
        [-0.11, 0.02, -0.42],
        [0.11, 0.43, -0.42],
        [-0.11, 0.43, -0.42],
        [0.11, 0.47, -0.38],
        [-0.11, 0.47, -0.38],
        [0.11, 0.47, -0.52],
        [-0.11, 0.47, -0.52],
    ]
)


def coach_frame(seq: int, t_ms: float, rng: np.random.Generator) -> str:
    sway = 0.01 * math.sin(seq / 15.0)
    world = _SEATED + rng.normal(0.0, 0.004, _SEATED.shape)
    world[:13, 2] += sway  # the head and shoulders lean a little forward and back
    vis = np.full(33, 0.97)
    vis[25:] = 0.2  # legs under the desk: out of view
    lm = np.column_stack([world, vis]).ravel()
    return json.dumps(
        {"type": "frame", "seq": seq, "t": round(t_ms, 2), "lm": lm.round(4).tolist()}
    )


@dataclass
class CoachStats:
    proc: Stats
    rtt: Stats
    compute: Stats
    batch_sizes: list[int] = field(default_factory=list)
    calibrated: int = 0
    sent: int = 0
    replies: int = 0
    saved: int = 0


async def coach_client(
    url: str, user: User, seconds: float, rate_hz: float, out: CoachStats, seed: int
) -> None:
    ws_url = url.replace("http://", "ws://") + "/ws/coach"
    cookie = "; ".join(f"{k}={v}" for k, v in user.client.cookies.items())
    headers = {"Cookie": cookie}
    rng = np.random.default_rng(seed)
    sent_at: dict[int, float] = {}
    try:
        async with websockets.connect(
            ws_url, origin=url, additional_headers=headers, max_size=2**20
        ) as ws:

            async def receive() -> None:
                async for message in ws:
                    now = time.perf_counter()
                    reply = json.loads(message)
                    if reply.get("type") == "frame":
                        out.replies += 1
                        t0 = sent_at.pop(int(reply["seq"]), None)
                        if t0 is not None:
                            out.rtt.latencies_ms.append((now - t0) * 1000.0)
                        out.proc.latencies_ms.append(float(reply["proc_ms"]))
                        out.compute.latencies_ms.append(float(reply["compute_ms"]))
                        out.batch_sizes.append(int(reply["batch"]))
                        if not reply["accepted"]:
                            out.proc.error("not accepted")
                    elif reply.get("type") == "saved":
                        if reply.get("session_id"):
                            out.saved += 1
                        return
                    elif reply.get("type") == "calibrated":
                        out.calibrated += 1
                    elif reply.get("type") == "error":
                        out.proc.error(reply.get("message", "error")[:40])

            receiver = asyncio.create_task(receive())
            start = time.perf_counter()
            await asyncio.sleep(rng.uniform(0, 1.0 / rate_hz))
            seq = 0
            while True:
                due = start + seq / rate_hz
                now = time.perf_counter()
                if due - start >= seconds:
                    break
                if due > now:
                    await asyncio.sleep(due - now)
                sent_at[seq] = time.perf_counter()
                await ws.send(coach_frame(seq, 1000.0 * (due - start), rng))
                out.sent += 1
                seq += 1
                if seq == int(CALIBRATE_AT_S * rate_hz):  # as a person would, once settled
                    await ws.send(json.dumps({"type": "calibrate"}))
            await asyncio.sleep(0.5)  # let the last replies arrive
            await ws.send(json.dumps({"type": "stop"}))
            await asyncio.wait_for(receiver, timeout=60)
    except (OSError, websockets.WebSocketException, TimeoutError) as exc:
        out.proc.error(type(exc).__name__)
    out.rtt.errors += len(sent_at)  # frames never answered


async def coach(url: str, users: list[User], clients: int, seconds: float, rate_hz: float):
    out = CoachStats(
        Stats("coach processing"), Stats("coach round trip"), Stats("coach batch compute")
    )
    start = time.perf_counter()
    await asyncio.gather(
        *(
            coach_client(url, users[i % len(users)], seconds, rate_hz, out, seed=i)
            for i in range(clients)
        )
    )
    out.proc.seconds = out.rtt.seconds = out.compute.seconds = time.perf_counter() - start
    return out


def in_process_frame_ms(repeats: int = 300) -> float:
    """Median time of one frame through the coach's processing in this process [ms]."""
    from backcare.camera.stream import LiveSession, _Item, parse_message, process_batch

    rng = np.random.default_rng(0)
    session = LiveSession(break_after_s=1800)
    times = []
    for i in range(repeats):
        frame = parse_message(json.loads(coach_frame(i, i * 1000.0 / 30.0, rng)))
        t0 = time.perf_counter()
        process_batch([_Item(session, frame, t0)])  # type: ignore[arg-type]
        times.append((time.perf_counter() - t0) * 1000.0)
    return float(np.median(times))


# -- one backend ----------------------------------------------------------------------------------


async def run_backend(name: str, database_url: str | None, args: argparse.Namespace) -> bool:
    with tempfile.TemporaryDirectory(prefix="backcare-bench-") as tmp:
        server = start_server(Path(tmp) / "data", database_url)
        try:
            t0 = time.perf_counter()
            users = [await register(server.url, i) for i in range(args.users)]
            print(f"[{name}] {len(users)} users registered in {time.perf_counter() - t0:.1f} s")
            base = Stats("baseline /healthz")
            await baseline(users, min(10.0, args.duration), args.think_s, base)
            pages = Stats("pages + diary writes")
            cpu0 = cpu_seconds(server.process.pid)
            await browse(users, args.duration, args.think_s, pages)
            cpu_pages = (cpu_seconds(server.process.pid) - cpu0) / pages.seconds
            print(base.line())
            print(pages.line())
            print(f"  server CPU {cpu_pages:.2f} s/s during browsing; {load()}")
            for key, values in sorted(pages.by_key.items()):
                arr = np.asarray(values)
                print(
                    f"    {key:<16} n={arr.size:>5}  p50={np.percentile(arr, 50):7.2f} ms  "
                    f"p95={np.percentile(arr, 95):7.2f} ms"
                )
            ratio = pages.pct(95) / base.pct(95) if base.latencies_ms else math.nan
            print(f"  p95 pages / p95 baseline = {ratio:.1f}x")
            cpu0 = cpu_seconds(server.process.pid)
            result = await coach(
                server.url, users, args.coach_clients, args.coach_duration, args.coach_rate
            )
            cpu_coach = (cpu_seconds(server.process.pid) - cpu0) / result.proc.seconds
            print(result.proc.line())
            print(result.compute.line())
            print(result.rtt.line())
            sizes = np.asarray(result.batch_sizes or [0])
            print(f"  frames per batch: mean {sizes.mean():.1f}, max {sizes.max()}")
            print(
                f"  server CPU {cpu_coach:.2f} s/s during the coach phase; {load()}; "
                f"calibrated {result.calibrated} of {args.coach_clients}"
            )
            print(
                f"  coach: {args.coach_clients} clients x {args.coach_rate:g} frames/s for "
                f"{args.coach_duration:g} s: sent {result.sent}, replies {result.replies}, "
                f"sessions stored {result.saved}"
            )
            for user in users:
                await user.client.aclose()
        finally:
            stop_server(server)
    pages_ok = pages.errors == 0 and pages.pct(95) < 100.0
    coach_ok = result.proc.errors == 0 and result.proc.pct(95) < 10.0
    coach_ok &= result.replies == result.sent and result.saved == args.coach_clients
    if name == "sqlite":
        print(f"  target pages (0 errors, p95 < 100 ms): {'met' if pages_ok else 'NOT met'}")
    print(
        f"  target coach (p95 processing < 10 ms, every frame answered): "
        f"{'met' if coach_ok else 'NOT met'}"
    )
    return (pages_ok or name != "sqlite") and coach_ok


def postgres_schema(base: str) -> tuple[str, str]:
    schema = f"bc_bench_{uuid.uuid4().hex[:10]}"
    engine = create_engine(base)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}", schema


def drop_schema(base: str, schema: str) -> None:
    engine = create_engine(base)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=60.0, help="browsing phase [s]")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--think-s", type=float, default=1.0, help="mean pause between requests")
    parser.add_argument("--coach-clients", type=int, default=20)
    parser.add_argument("--coach-rate", type=float, default=30.0, help="frames/s per client")
    parser.add_argument("--coach-duration", type=float, default=20.0, help="coach phase [s]")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "all"), default="all")
    parser.add_argument(
        "--strict", action="store_true", help="exit with status 1 when a target is not met"
    )
    args = parser.parse_args(argv)
    for name in ("duration", "coach_duration"):
        if not 1.0 <= getattr(args, name) <= 600.0:
            parser.error(f"--{name.replace('_', '-')} must be 1-600 s")
    print(
        f"load: {args.users} users, think time {args.think_s:g} s (mean), {args.duration:g} s; "
        f"coach {args.coach_clients} x {args.coach_rate:g} frames/s for {args.coach_duration:g} s"
    )
    print(f"coach frame in this process (no network, no batching): {in_process_frame_ms():.2f} ms")
    ok = True
    if args.backend in ("sqlite", "all"):
        ok &= asyncio.run(run_backend("sqlite", None, args))
    pg = os.environ.get("BACKCARE_TEST_POSTGRES_URL")
    if args.backend in ("postgresql", "all"):
        if not pg:
            print("[postgresql] skipped: BACKCARE_TEST_POSTGRES_URL is not set")
        else:
            url, schema = postgres_schema(pg)
            try:
                ok &= asyncio.run(run_backend("postgresql", url, args))
            finally:
                drop_schema(pg, schema)
    return 0 if ok or not args.strict else 1


if __name__ == "__main__":
    sys.exit(main())
