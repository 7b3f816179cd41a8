"""Wearable pipeline on a simulated 7-day, 100 Hz, +-8 g AX3 ``.cwa`` file, against actipy.

What is timed, each in its own child process (wall time and that child's peak RSS from
``os.wait4``):

* **backcare**: read the file, auto-calibrate, non-wear, orientation, per-second activity and the
  exposure tables (``backcare.wearable.pipeline.analyze`` + ``posture.exposure``); the child also
  reports the time of the pipeline itself, without interpreter start and imports;
* **actipy** (baseline): ``actipy.read_device(path)`` with its default preprocessing (low-pass,
  gravity calibration, non-wear, resampling). actipy is not a backcare dependency: it is installed
  into a throwaway virtual environment under the work folder, and it needs Java. Without Java or
  without network access to the package index the baseline is skipped with a message.

* **the whole command** (``backcare wearable analyze``: the same plus the tables, summary, QC and
  the HTML report), with its CPU time (user + system, from the same ``os.wait4``): on a machine
  shared with other work the wall time says more about the neighbours than about the program,
  the CPU time does not.

Targets (from the issue): backcare <= 5 s wall and <= 500 MB peak on a 2-core machine;
>= 4x faster and >= 6x less memory than actipy.

Usage: ``python benchmarks/bench_wearable.py [--workdir DIR] [--days 7] [--skip-actipy]``
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _throwaway import throwaway_python

TARGET_WALL_S = 5.0
TARGET_RSS_MB = 500.0
TARGET_SPEEDUP = 4.0
TARGET_MEMORY_RATIO = 6.0

BACKCARE_CHILD = """
import json, sys, time
t0 = time.perf_counter()
from backcare.posture.exposure import analyze_exposure
from backcare.wearable.pipeline import SensorInput, analyze
from backcare.wearable.readers import open_recording
t1 = time.perf_counter()
src = open_recording(sys.argv[1])
result = analyze([SensorInput("thigh", src)])
report = analyze_exposure(result.series, scores=False)
t2 = time.perf_counter()
print(json.dumps({
    "import_s": t1 - t0,
    "pipeline_s": t2 - t1,
    "seconds": len(result.series),
    "days": int(len(report.per_day)),
}))
"""

ACTIPY_CHILD = """
import json, sys, time
t0 = time.perf_counter()
import actipy
t1 = time.perf_counter()
data, info = actipy.read_device(sys.argv[1])
t2 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "pipeline_s": t2 - t1, "rows": int(len(data))}))
"""


LAST_CPU_S = [0.0]  # CPU time (user + system) of the last child, set by run_child


def run_child(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Run ``cmd``; return (wall [s], peak RSS of that child [MB], stdout); its CPU time
    [s] is left in ``LAST_CPU_S[0]``."""
    with tempfile.TemporaryFile() as out_f, tempfile.TemporaryFile() as err_f:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out_f, stderr=err_f, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        LAST_CPU_S[0] = usage.ru_utime + usage.ru_stime
        proc.returncode = os.waitstatus_to_exitcode(status)
        out_f.seek(0)
        err_f.seek(0)
        out, err = out_f.read().decode(), err_f.read().decode()
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed ({proc.returncode}):\n{err[-3000:]}")
    return wall, usage.ru_maxrss / 1024.0, out


def last_json(text: str) -> dict[str, float]:
    for line in reversed(text.strip().splitlines()):
        if line.startswith("{"):
            loaded: dict[str, float] = json.loads(line)
            return loaded
    raise RuntimeError(f"no result line in the child's output:\n{text[-2000:]}")


def make_file(workdir: Path, days: float) -> Path:
    path = workdir / f"week_{days:g}d_100hz.cwa"
    if path.exists() and path.stat().st_size > 0:
        print(f"using {path} ({path.stat().st_size / 1e6:.0f} MB)")
        return path
    print(f"simulating {days:g} days at 100 Hz into {path} ...", flush=True)
    cmd = [sys.executable, "-c", "from backcare.cli.main import run; run()"]
    cmd += ["wearable", "simulate", "--out", str(path), "--days", str(days), "--rate", "100"]
    cmd += ["--range", "8"]
    subprocess.run(cmd, check=True)
    return path


def java_available() -> str | None:
    java = shutil.which("java")
    if java is None:
        return None
    probe = subprocess.run([java, "-version"], capture_output=True, text=True)
    return (probe.stderr or probe.stdout).splitlines()[0] if probe.returncode == 0 else None


def actipy_python(workdir: Path) -> Path | None:
    return throwaway_python(workdir, "actipy", "actipy")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--days", type=float, default=7.0)
    parser.add_argument("--skip-actipy", action="store_true")
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.gettempdir()) / "backcare-bench-wearable"
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"cores: {os.cpu_count()}; python {sys.version.split()[0]}")
    path = make_file(workdir, args.days)

    wall, rss, out = run_child([sys.executable, "-c", BACKCARE_CHILD, str(path)])
    ours = last_json(out)
    print(
        f"backcare: {wall:.2f} s wall (pipeline {ours['pipeline_s']:.2f} s after "
        f"{ours['import_s']:.2f} s of imports), peak {rss:.0f} MB, "
        f"{ours['seconds']:.0f} s classified over {ours['days']:.0f} days"
    )
    print(
        f"  targets: <= {TARGET_WALL_S:g} s wall: "
        f"{'met' if ours['pipeline_s'] <= TARGET_WALL_S else 'NOT met'} (pipeline), "
        f"{'met' if wall <= TARGET_WALL_S else 'not met'} (whole process); "
        f"<= {TARGET_RSS_MB:g} MB: {'met' if rss <= TARGET_RSS_MB else 'NOT met'}"
    )
    out_dir = workdir / "analyze-out"
    shutil.rmtree(out_dir, ignore_errors=True)
    cmd = [sys.executable, "-c", "from backcare.cli.main import run; run()", "wearable", "analyze"]
    w_wall, w_rss, _ = run_child([*cmd, "--thigh", str(path), "--out", str(out_dir)])
    w_cpu = LAST_CPU_S[0]
    print(
        f"whole command (tables, QC and report): {w_wall:.2f} s wall, {w_cpu:.2f} s CPU, "
        f"peak {w_rss:.0f} MB; targets <= {TARGET_WALL_S:g} s: "
        f"{'met' if w_wall <= TARGET_WALL_S else 'not met'} (wall), "
        f"{'met' if w_cpu <= TARGET_WALL_S else 'not met'} (CPU); <= {TARGET_RSS_MB:g} MB: "
        f"{'met' if w_rss <= TARGET_RSS_MB else 'NOT met'}"
    )
    if args.skip_actipy:
        print("actipy: skipped (--skip-actipy)")
        return 0
    java = java_available()
    if java is None:
        print("actipy: skipped: it needs Java and no working `java` was found "
              "(install a JRE, e.g. Debian's default-jre)")  # fmt: skip
        return 0
    print(f"java: {java}")
    python = actipy_python(workdir)
    if python is None:
        print("actipy: skipped")
        return 0
    a_wall, a_rss, a_out = run_child([str(python), "-c", ACTIPY_CHILD, str(path)])
    theirs = last_json(a_out)
    print(
        f"actipy:   {a_wall:.2f} s wall (read_device {theirs['pipeline_s']:.2f} s after "
        f"{theirs['import_s']:.2f} s of imports), peak {a_rss:.0f} MB"
    )
    speed = a_wall / wall
    speed_pipeline = theirs["pipeline_s"] / ours["pipeline_s"]
    memory = a_rss / rss
    print(
        f"ratios: {speed:.1f}x faster (whole process; {speed_pipeline:.1f}x pipeline only), "
        f"{memory:.1f}x less memory"
    )
    print(
        f"  targets: >= {TARGET_SPEEDUP:g}x faster: "
        f"{'met' if speed >= TARGET_SPEEDUP else 'NOT met'}; "
        f">= {TARGET_MEMORY_RATIO:g}x less memory: "
        f"{'met' if memory >= TARGET_MEMORY_RATIO else 'NOT met'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
