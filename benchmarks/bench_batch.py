"""Cohort throughput on Dask: worker-days per minute with one and with two worker processes.

1. ``--days`` simulated worker-days (default 8) are written into a temporary folder: per day a
   thigh and an upper-back AX3 ``.cwa`` file at ``--rate`` Hz (default 100) covering ``--hours``
   (default 24), named by the batch folder convention; each day is a different subject and
   weekday of the simulator's week script.
2. **Baseline**: the same per-recording task (read, pipeline, exposure, outputs) called one after
   the other in this process, with no Dask at all.
3. **1 worker** and **2 workers**: ``run_cohort`` on a new LocalCluster of worker processes (one
   thread each, ``--memory-limit`` per worker), every recording analysed (``force``).

For each: wall time, worker-days per minute, the time to start and stop the cluster (measured
apart with an empty cluster of the same size) and the throughput without it; the speed-up of two
workers over one; the tasks' CPU time (how many cores were kept busy); the peak resident memory
of each worker process. The machine's load average is printed beside them: other work on the
same cores lowers every figure, and one analysis already keeps more than one core busy (the
reader decodes ahead on a thread), so two workers gain little on a two-core machine.

Run: ``.venv/bin/python benchmarks/bench_batch.py [--days 8] [--hours 24] [--rate 100]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from backcare.batch import ClusterOptions, load_cohort, run_cohort
from backcare.batch.runner import open_client
from backcare.batch.task import AnalysisOptions, analyze_recording, fingerprint
from backcare.wearable.simulator import simulate_cwa


def generate(folder: Path, days: int, hours: float, rate_hz: float) -> float:
    """Worker-days of thigh + upper-back files; returns the seconds it took."""
    t0 = time.perf_counter()
    for i in range(days):
        start = datetime(2024, 1, 1) + timedelta(days=i)
        for placement, word in (("thigh", "thigh"), ("trunk_back", "back")):
            simulate_cwa(
                folder / f"w{i + 1:03d}_{word}.cwa",
                days=hours / 24.0,
                rate_hz=rate_hz,
                placement=placement,
                seed=100 + i,
                start=start,
            )
        for truth in folder.glob("*.truth.parquet"):
            truth.unlink()  # the simulator's truth files are not part of the cohort
    return time.perf_counter() - t0


def baseline(folder: Path, out: Path) -> tuple[float, float]:
    """The per-recording task run sequentially in this process (no Dask): wall and CPU [s]."""
    cohort = load_cohort(folder)
    options = AnalysisOptions()
    t0, c0 = time.perf_counter(), time.process_time()
    for rec in cohort.recordings:
        outcome = analyze_recording(rec, out, options, fingerprint(rec, options))
        if outcome.status != "done":
            raise SystemExit(f"baseline failed: {outcome.message}")
    return time.perf_counter() - t0, time.process_time() - c0


def cluster_overhead(workers: int, memory: str) -> float:
    """Seconds to start and stop an empty local cluster of this size."""
    t0 = time.perf_counter()
    with open_client(ClusterOptions(workers=workers, memory_limit=memory), workers) as client:
        client.wait_for_workers(workers)
    return time.perf_counter() - t0


def dask_run(
    folder: Path, out: Path, workers: int, memory: str
) -> tuple[float, float, dict[str, float]]:
    """Wall time of a forced cohort run, the CPU time of its tasks [s] and the peak RSS [MiB]
    of each worker process."""
    cohort = load_cohort(folder)
    t0 = time.perf_counter()
    result = run_cohort(
        cohort,
        out,
        cluster=ClusterOptions(workers=workers, memory_limit=memory),
        force=True,
        min_wear_h=0.0,
    )
    wall = time.perf_counter() - t0
    if not result.complete:
        raise SystemExit(f"{result.count('failed')} recording(s) failed: {result.failures}")
    peaks: dict[str, float] = {}
    for o in result.outcomes.values():
        if o.worker_peak_rss_mib is not None:
            peaks[o.worker] = max(peaks.get(o.worker, 0.0), o.worker_peak_rss_mib)
    cpu = sum(o.cpu_s for o in result.outcomes.values())
    return wall, cpu, peaks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=8, help="simulated worker-days")
    parser.add_argument("--hours", type=float, default=24.0, help="hours per worker-day")
    parser.add_argument("--rate", type=float, default=100.0, help="sample rate [Hz]")
    parser.add_argument("--memory-limit", default="2GiB", help="memory per worker")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="backcare-bench-batch-"))
    try:
        data = tmp / "data"
        data.mkdir()
        gen_s = generate(data, args.days, args.hours, args.rate)
        size_mb = sum(p.stat().st_size for p in data.iterdir()) / 1e6
        print(
            f"{args.days} worker-days of thigh + trunk at {args.rate:g} Hz, {args.hours:g} h "
            f"each: {size_mb:.0f} MB of .cwa, generated in {gen_s:.1f} s"
        )
        print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPU(s)")
        n = args.days
        base_s, base_cpu = baseline(data, tmp / "out-base")
        base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
        print(
            f"baseline, sequential in this process: {base_s:6.1f} s  "
            f"{60 * n / base_s:6.2f} worker-days/min  CPU {base_cpu / n:.1f} s per worker-day "
            f"({base_cpu / base_s:.2f} cores busy; process peak {base_rss:.0f} MiB)"
        )
        rates: dict[int, float] = {}
        for workers in (1, 2):
            overhead = cluster_overhead(workers, args.memory_limit)
            wall, cpu, peaks = dask_run(data, tmp / f"out-{workers}", workers, args.memory_limit)
            net = max(wall - overhead, 1e-9)
            rates[workers] = 60 * n / wall
            peak_text = ", ".join(f"{v:.0f}" for v in sorted(peaks.values()))
            print(
                f"{workers} worker(s): {wall:6.1f} s  {rates[workers]:6.2f} worker-days/min  "
                f"(cluster start/stop {overhead:.1f} s; without it {60 * n / net:.2f}/min)  "
                f"tasks' CPU {cpu / n:.1f} s per worker-day, {cpu / net:.2f} cores busy  "
                f"peak RSS per worker [MiB]: {peak_text}"
            )
        print(f"speed-up, 2 workers over 1: {rates[2] / rates[1]:.2f}x")
        print(f"1 worker vs sequential baseline: {base_s / (60 * n / rates[1]):.2f}x")
        print(f"load average after: {os.getloadavg()[0]:.2f}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
