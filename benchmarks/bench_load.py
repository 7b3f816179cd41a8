"""Spinal load on a long posture series: disc pressure and L5/S1 forces per sample.

Prints the wall time of :func:`disc_pressure_series` (Wilke and Nachemson) and of
:func:`l5s1_forces` on a synthetic 7-day, 25 Hz series (15.1 M samples), the peak memory traced
during each call, and the ratio to a baseline measured in the same process on the same data: one
``numpy.interp`` of the trunk angle over the standing anchors (the irreducible core of the
disc-pressure model) and one ``sin`` + ``cos`` of the trunk angle (the core of the L5/S1 model).

Run::

    python benchmarks/bench_load.py [--days 7] [--rate 25] [--repeat 3]
"""

from __future__ import annotations

import argparse
import gc
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np

from backcare.posture import Activity, PostureSeries
from backcare.posture.load import disc_pressure_series, l5s1_forces


def synthetic(days: float, rate_hz: float, seed: int = 11) -> PostureSeries:
    """Minutes of lying, sitting, standing and walking with a wandering trunk angle."""
    rng = np.random.default_rng(seed)
    n = int(days * 86_400 * rate_hz)
    per_min = int(60 * rate_hz)
    minutes = n // per_min + 1
    codes = np.array([Activity.LIE, Activity.SIT, Activity.STAND, Activity.WALK], dtype=np.int8)
    activity = np.repeat(rng.choice(codes, size=minutes, p=[0.3, 0.4, 0.2, 0.1]), per_min)[:n]
    seconds = n // int(rate_hz) + 1
    base = np.clip(np.cumsum(rng.normal(0, 2.0, seconds)) % 70 - 10, -20, 90)
    flexion = np.repeat(base, int(rate_hz))[:n] + rng.normal(0, 1.0, n)
    np.clip(flexion, -30, 120, out=flexion)
    t = np.arange(n, dtype=np.float64) / rate_hz
    return PostureSeries(t, {"trunk_flexion": flexion}, activity=activity)


def measure(fn: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """Best wall time [s] over ``repeat`` runs and the peak traced memory [MB] of one run."""
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    gc.collect()
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return best, peak / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=float, default=7.0)
    parser.add_argument("--rate", type=float, default=25.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    series = synthetic(args.days, args.rate)
    n = len(series)
    flexion = np.asarray(series["trunk_flexion"])
    input_mb = (flexion.nbytes + series.activity.nbytes) / 1e6
    print(f"samples: {n:,} ({args.days:g} days at {args.rate:g} Hz), input {input_mb:.0f} MB")

    xs, ys = np.array([0.0, 90.0]), np.array([0.5, 1.1])
    base_interp, _ = measure(lambda: np.interp(flexion, xs, ys), args.repeat)
    base_trig, _ = measure(lambda: (np.sin(np.deg2rad(flexion)), np.cos(flexion)), args.repeat)
    print(f"baseline np.interp:        {base_interp * 1e3:8.1f} ms")
    print(f"baseline sin + cos:        {base_trig * 1e3:8.1f} ms")

    for model in ("wilke1999", "nachemson1981"):
        wall, peak = measure(lambda m=model: disc_pressure_series(series, model=m), args.repeat)
        print(
            f"disc_pressure_series {model:14s} {wall * 1e3:8.1f} ms  "
            f"{wall / base_interp:5.1f}x interp  {n / wall / 1e6:6.1f} M samples/s  "
            f"peak {peak:6.0f} MB ({peak / input_mb:4.1f}x input)"
        )
    wall, peak = measure(
        lambda: l5s1_forces(75.0, 1.75, np.clip(flexion, -45, 135), hand_load_kg=5.0),
        args.repeat,
    )
    print(
        f"l5s1_forces                       {wall * 1e3:8.1f} ms  "
        f"{wall / base_trig:5.1f}x sin+cos  {n / wall / 1e6:6.1f} M samples/s  "
        f"peak {peak:6.0f} MB ({peak / input_mb:4.1f}x input)"
    )


if __name__ == "__main__":
    main()
