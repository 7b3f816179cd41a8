"""Exposure summary on a 7-day, 25 Hz posture series (15.1 M samples).

Prints the wall time and the peak memory traced during the call (tracemalloc: NumPy and pandas
allocations), the size of the input arrays and the ratio, next to a naive pandas groupby baseline
(per-hour band times and percentiles only) run in the same process on the same data.

Targets: exposure < 1 s and peak < 2x the input arrays. Run::

    python benchmarks/bench_exposure.py [--days 7] [--rate 25] [--repeat 3]
"""

from __future__ import annotations

import argparse
import gc
import os
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from backcare.posture import Activity, PostureSeries, SeriesMeta
from backcare.posture.exposure import exposure


def synthetic(days: int, rate_hz: float, seed: int = 7) -> PostureSeries:
    """A week of trunk inclination with nights lying, sitting bouts, standing and bending."""
    rng = np.random.default_rng(seed)
    n = int(days * 86_400 * rate_hz)
    t = np.arange(n, dtype=np.float64) / rate_hz
    # activity in 1-minute blocks
    minutes = n // int(60 * rate_hz) + 1
    hour_of_day = (np.arange(minutes) // 60) % 24
    act_min = rng.choice(
        np.array([Activity.SIT, Activity.STAND, Activity.WALK, Activity.MOVE], dtype=np.int8),
        size=minutes,
        p=[0.5, 0.25, 0.15, 0.1],
    )
    act_min[(hour_of_day >= 23) | (hour_of_day < 7)] = Activity.LIE
    activity = np.repeat(act_min, int(60 * rate_hz))[:n]
    # trunk angle: a slow random walk per second plus bends
    seconds = n // int(rate_hz) + 1
    base = np.clip(10 + np.cumsum(rng.normal(0, 1.5, seconds)) % 40, 0, 90)
    bends = rng.random(seconds) < 0.01
    base[bends] += rng.uniform(20, 70, bends.sum())
    inc = np.repeat(base.astype(np.float32), int(rate_hz))[:n]
    inc += rng.normal(0, 1.0, n).astype(np.float32)
    np.clip(inc, 0, 180, out=inc)
    flex = inc.copy()
    back = rng.random(seconds) < 0.05
    flex[np.repeat(back, int(rate_hz))[:n]] *= -1
    meta = SeriesMeta(
        source="simulated", start=datetime(2026, 3, 2, 6, 0, tzinfo=UTC), rate_hz=rate_hz
    )
    return PostureSeries(
        t, {"trunk_inclination": inc, "trunk_flexion": flex}, activity=activity, meta=meta
    )


def naive_pandas(series: PostureSeries) -> pd.DataFrame:
    """Per-hour band times and percentiles the obvious way (pandas groupby)."""
    df = pd.DataFrame(
        {
            "time": series.time,
            "inc": series["trunk_inclination"],
            "flex": series["trunk_flexion"],
            "act": series.activity,
        }
    )
    assert series.meta.start is not None
    df["ts"] = pd.Timestamp(series.meta.start) + pd.to_timedelta(df["time"], unit="s")
    df["dur"] = series.sample_durations()
    df["fwd"] = np.where(df["flex"] > 0, df["inc"], 0.0)
    df = df[~df["act"].isin([a.value for a in (Activity.LIE, Activity.NONWEAR)])]
    df["hour"] = df["ts"].dt.floor("h")
    for thr in (20, 30, 60, 90):
        df[f"ge{thr}"] = np.where(df["fwd"] >= thr, df["dur"], 0.0)
    g = df.groupby("hour")
    out = g[[f"ge{t}" for t in (20, 30, 60, 90)]].sum()
    q = g["fwd"].quantile([0.1, 0.5, 0.9]).unstack()
    return out.join(q)


def measure(fn: Callable[[], Any], repeat: int) -> tuple[float, float, float]:
    """(best wall time [s], best CPU time of this process [s], peak traced memory [bytes]).

    On a shared machine the wall time includes waiting for a core; the CPU time does not.
    """
    times = []
    cpu = []
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        c0 = time.process_time()
        fn()
        cpu.append(time.process_time() - c0)
        times.append(time.perf_counter() - t0)
    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    base, _ = tracemalloc.get_traced_memory()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return min(times), min(cpu), float(peak - base)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=7)
    ap.add_argument("--rate", type=float, default=25.0)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    series = synthetic(args.days, args.rate)
    n = len(series)
    input_bytes = (
        series.time.nbytes + series.activity.nbytes + sum(series[c].nbytes for c in series.channels)
    )
    print(f"series: {n:,} samples ({args.days} days at {args.rate:g} Hz)")
    print(f"input arrays: {input_bytes / 1e6:,.1f} MB")

    report = exposure(series, work_hours=(8, 16))
    print(f"per_hour rows: {len(report.per_hour)}, per_day rows: {len(report.per_day)}")
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    t_exp, c_exp, m_exp = measure(lambda: exposure(series, work_hours=(8, 16)), args.repeat)
    print(
        f"exposure:      {t_exp:6.3f} s wall, {c_exp:6.3f} s CPU   peak {m_exp / 1e6:8.1f} MB "
        f"({m_exp / input_bytes:4.2f}x input)"
    )
    t_pd, c_pd, m_pd = measure(lambda: naive_pandas(series), 1)
    print(
        f"naive pandas:  {t_pd:6.3f} s wall, {c_pd:6.3f} s CPU   peak {m_pd / 1e6:8.1f} MB "
        f"({m_pd / input_bytes:4.2f}x input)"
    )
    print(f"speed-up vs pandas: {t_pd / t_exp:5.1f}x; memory ratio: {m_pd / max(m_exp, 1):5.1f}x")
    print(
        f"targets: time < 1 s -> {'met' if t_exp < 1 else 'NOT met'} (wall), "
        f"{'met' if c_exp < 1 else 'NOT met'} (CPU); "
        f"peak < 2x input -> {'met' if m_exp < 2 * input_bytes else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
