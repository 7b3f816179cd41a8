"""How fast the command line and the web server start, as a person gets them.

Whole processes, measured from outside:

- ``backcare --version`` and ``backcare --help``: CPU time (user + system) of the process, the
  median of ``--repeat`` runs, shown next to ``python -c pass`` of the same interpreter in the same
  run (so the ratio says how much backcare adds to a bare interpreter on this machine today);
- in two bytecode states: **cached** (bytecode written on a first run and read afterwards: an
  ordinary install) and **no cache** (``PYTHONDONTWRITEBYTECODE=1`` and an empty
  ``PYTHONPYCACHEPREFIX``, so every module is compiled from source on every run: a read-only
  environment installed without bytecode);
- ``backcare serve``: seconds from starting the process to its first answered request
  (``/healthz``), and the server's CPU time by then, in both states.

Targets: ``--version`` and ``--help`` under 0.3 s of CPU; ``serve`` answering within 3 s.

Usage: python benchmarks/bench_startup.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import math
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

HOST = "127.0.0.1"
CLI_TARGET_S = 0.3
SERVE_TARGET_S = 3.0


def backcare_command() -> list[str]:
    exe = Path(sys.executable).with_name("backcare")
    if exe.is_file():
        return [str(exe)]
    return [sys.executable, "-c", "from backcare.cli.main import run; run()"]


def environment(state: str, empty_prefix: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONPYCACHEPREFIX", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if state == "no cache":
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        env["PYTHONPYCACHEPREFIX"] = str(empty_prefix)
    return env


def cpu_of(cmd: list[str], env: dict[str, str]) -> float:
    """User + system CPU seconds of one whole process (and any it waited for)."""
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err[-2000:]}")
    if proc.stderr:
        proc.stderr.close()
    return usage.ru_utime + usage.ru_stime


def median_cpu(cmd: list[str], env: dict[str, str], repeat: int) -> float:
    return statistics.median(cpu_of(cmd, env) for _ in range(repeat))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def process_cpu(pid: int) -> float:
    """CPU time so far of a running process [s] (Linux ``/proc``; NaN elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return math.nan


def serve_start(env: dict[str, str], data_dir: Path, limit_s: float = 120.0) -> tuple[float, float]:
    """Seconds until ``backcare serve`` answers ``/healthz``, and its CPU seconds by then."""
    port = free_port()
    env = {
        **env,
        "BACKCARE_DATA_DIR": str(data_dir),
        "BACKCARE_SECRET_KEY": uuid.uuid4().hex + uuid.uuid4().hex,
    }
    env.pop("BACKCARE_DATABASE_URL", None)
    log = data_dir / "server.log"
    url = f"http://{HOST}:{port}/healthz"
    with log.open("wb") as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            [*backcare_command(), "serve", "--host", HOST, "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            while time.perf_counter() - t0 < limit_s:
                if proc.poll() is not None:
                    raise SystemExit(f"the server exited:\n{log.read_text()[-3000:]}")
                try:
                    with urllib.request.urlopen(url, timeout=2) as response:
                        if response.status == 200:
                            return time.perf_counter() - t0, process_cpu(proc.pid)
                except (urllib.error.URLError, ConnectionError, TimeoutError):
                    pass
                time.sleep(0.02)
            raise SystemExit(f"the server did not answer within {limit_s:.0f} s")
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def verdict(value: float, target: float) -> str:
    return "ok" if value < target else "OVER TARGET"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="Runs per figure (median).")
    args = parser.parse_args(argv)
    cli = backcare_command()
    try:
        load = "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        load = "load average unknown"
    print(f"{os.cpu_count()} CPUs, {load}; median of {args.repeat} runs")
    over = 0
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        empty = Path(tmp) / "empty-pycache"
        empty.mkdir()
        for state in ("cached", "no cache"):
            env = environment(state, empty)
            if state == "cached":  # a first run writes the bytecode the others read
                for cmd in (["--version"], ["--help"]):
                    cpu_of([*cli, *cmd], env)
            base = median_cpu([sys.executable, "-c", "pass"], env, args.repeat)
            print(f"\nbytecode {state}: python -c pass  {base:.3f} s CPU")
            for cmd in ("--version", "--help"):
                cpu = median_cpu([*cli, cmd], env, args.repeat)
                over += cpu >= CLI_TARGET_S
                print(
                    f"  backcare {cmd:<9}  {cpu:.3f} s CPU  ({cpu / base:.1f}x python -c pass)"
                    f"  target < {CLI_TARGET_S} s: {verdict(cpu, CLI_TARGET_S)}"
                )
            data = Path(tmp) / f"serve-{state.replace(' ', '-')}"
            data.mkdir()
            # the first start creates and migrates the database; later starts find it ready
            for label in ("new database", "ready database"):
                wall, cpu = serve_start(env, data)
                over += wall >= SERVE_TARGET_S
                print(
                    f"  backcare serve ({label}): first answer after {wall:.2f} s"
                    f" ({cpu:.2f} s CPU)  target < {SERVE_TARGET_S:.0f} s:"
                    f" {verdict(wall, SERVE_TARGET_S)}"
                )
    print(f"\n{over} figure(s) over target" if over else "\nall figures within target")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
