"""Per-frame REBA and RULA on 1 M frames (about 9 h at 30 Hz) with every channel present.

Prints seconds and frames/s for the timing rules, REBA and RULA (each with and without the
timing rules), and the ratio against a baseline run in the same process: the straightforward
per-frame Python loop over the manual calculators on a 10 k subset, extrapolated to 1 M frames.
The subset's loop results are also compared with the vectorised ones; a mismatch is an error.

Target: REBA and RULA per frame for 1 M frames < 2 s. Run::

    python benchmarks/bench_ergonomics.py [--frames 1000000] [--subset 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from backcare.posture import Activity, PostureSeries, SeriesMeta
from backcare.posture.ergo_common import READ_CHANNELS, TaskInputs
from backcare.posture.ergo_timing import timing_flags
from backcare.posture.reba import RebaFrames, RebaInputs, reba, reba_series
from backcare.posture.rula import RulaFrames, RulaInputs, rula, rula_series

RATE_HZ = 30.0
RANGES = {
    "trunk_flexion": (-20, 90),
    "neck_flexion": (-20, 50),
    "upper_arm_flexion_left": (-30, 150),
    "upper_arm_flexion_right": (-30, 150),
    "elbow_flexion_left": (10, 150),
    "elbow_flexion_right": (10, 150),
    "wrist_flexion_left": (-40, 40),
    "wrist_flexion_right": (-40, 40),
    "knee_flexion_left": (0, 110),
    "knee_flexion_right": (0, 110),
    "trunk_lateral": (-20, 20),
    "trunk_twist": (-30, 30),
    "neck_lateral": (-20, 20),
    "neck_twist": (-40, 40),
    "upper_arm_abduction_left": (-10, 90),
    "upper_arm_abduction_right": (-10, 90),
    "shoulder_asymmetry": (-15, 15),
    "hand_load": (0, 15),
}


def synthetic(n: int, seed: int = 3) -> PostureSeries:
    """Smooth random postures (1 s random walk), some NaN, activity in 1-min blocks."""
    rng = np.random.default_rng(seed)
    seconds = n // int(RATE_HZ) + 2
    values: dict[str, np.ndarray] = {}
    for name in READ_CHANNELS:
        low, high = RANGES[name]
        walk = np.cumsum(rng.normal(0, (high - low) / 20, seconds))
        per_s = low + np.mod(walk, high - low)
        x = np.interp(np.arange(n) / RATE_HZ, np.arange(seconds), per_s).astype(np.float32)
        x += rng.normal(0, 1, n).astype(np.float32)
        np.clip(x, low, high, out=x)
        x[rng.random(n) < 0.01] = np.nan
        values[name] = x
    minutes = n // int(60 * RATE_HZ) + 1
    acts = np.array([Activity.SIT, Activity.STAND, Activity.WALK], dtype=np.int8)
    activity = np.repeat(rng.choice(acts, minutes), int(60 * RATE_HZ))[:n]
    meta = SeriesMeta(source="simulated", rate_hz=RATE_HZ)
    return PostureSeries(np.arange(n) / RATE_HZ, values, activity=activity, meta=meta)


def best_of(repeat: int, fn: Callable[[], Any]) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def _v(series: PostureSeries, name: str, i: int) -> float:
    x = float(series[name][i])
    return 0.0 if np.isnan(x) else x


def _side_ok(series: PostureSeries, side: str, i: int) -> bool:
    names = (f"upper_arm_flexion_{side}", f"elbow_flexion_{side}")
    return not any(np.isnan(series[name][i]) for name in names)


def loop_reba(series: PostureSeries, task: TaskInputs, frames: RebaFrames) -> list[int]:
    """Baseline: one manual REBA per frame and side in Python (timing flags taken as given)."""
    scores = []
    for i in range(len(series)):
        tilt = _v(series, "shoulder_asymmetry", i)
        best = None
        for side, raised in (("left", tilt < -10), ("right", tilt > 10)):
            if not _side_ok(series, side, i):
                continue
            r = reba(
                RebaInputs(
                    trunk_flexion_deg=_v(series, "trunk_flexion", i),
                    trunk_twisted=abs(_v(series, "trunk_twist", i)) > 10,
                    trunk_side_bent=abs(_v(series, "trunk_lateral", i)) > 10,
                    neck_flexion_deg=_v(series, "neck_flexion", i),
                    neck_twisted=abs(_v(series, "neck_twist", i)) > 10,
                    neck_side_bent=abs(_v(series, "neck_lateral", i)) > 10,
                    legs=task.legs,
                    sitting=series.activity[i] == Activity.SIT,
                    knee_flexion_deg=max(
                        _v(series, "knee_flexion_left", i), _v(series, "knee_flexion_right", i)
                    ),
                    upper_arm_flexion_deg=_v(series, f"upper_arm_flexion_{side}", i),
                    upper_arm_abducted=_v(series, f"upper_arm_abduction_{side}", i) > 20,
                    shoulder_raised=raised,
                    lower_arm_flexion_deg=_v(series, f"elbow_flexion_{side}", i),
                    wrist_flexion_deg=_v(series, f"wrist_flexion_{side}", i),
                    load_kg=task.load_kg or 0.0,
                    coupling=task.coupling,
                    static=bool(frames.static[i]),
                    repeated=bool(frames.repeated[i]),
                    rapid_or_unstable=bool(frames.rapid[i]),
                )
            )
            if best is None or r.table_b >= best.table_b:
                best = r
        scores.append(0 if best is None else best.score)
    return scores


def loop_rula(series: PostureSeries, task: TaskInputs, frames: RulaFrames) -> list[int]:
    """Baseline: one manual RULA per frame and side in Python (muscle use taken as given)."""
    scores = []
    for i in range(len(series)):
        tilt = _v(series, "shoulder_asymmetry", i)
        best = None
        for side, raised in (("left", tilt < -10), ("right", tilt > 10)):
            if not _side_ok(series, side, i):
                continue
            r = rula(
                RulaInputs(
                    upper_arm_flexion_deg=_v(series, f"upper_arm_flexion_{side}", i),
                    shoulder_raised=raised,
                    upper_arm_abducted=_v(series, f"upper_arm_abduction_{side}", i) > 20,
                    lower_arm_flexion_deg=_v(series, f"elbow_flexion_{side}", i),
                    wrist_flexion_deg=_v(series, f"wrist_flexion_{side}", i),
                    neck_flexion_deg=_v(series, "neck_flexion", i),
                    neck_twisted=abs(_v(series, "neck_twist", i)) > 10,
                    neck_side_bent=abs(_v(series, "neck_lateral", i)) > 10,
                    trunk_flexion_deg=_v(series, "trunk_flexion", i),
                    trunk_twisted=abs(_v(series, "trunk_twist", i)) > 10,
                    trunk_side_bent=abs(_v(series, "trunk_lateral", i)) > 10,
                    static_arm=bool(frames.muscle_use_a[i]),
                    static_body=bool(frames.muscle_use_b[i]),
                    load_kg=task.load_kg or 0.0,
                    load_pattern=task.load_pattern,
                )
            )
            if best is None or r.score_c >= best.score_c:
                best = r
        scores.append(0 if best is None else best.score)
    return scores


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=1_000_000)
    parser.add_argument("--subset", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    series = synthetic(args.frames)
    task = TaskInputs(coupling="fair", load_kg=6.0, assume_neutral={"hand_load"})
    n = len(series)
    print(
        f"{n:,} frames ({n / RATE_HZ / 3600:.1f} h at {RATE_HZ:g} Hz), "
        f"{len(series.channels)} channels"
    )

    t_timing, timing = best_of(args.repeat, lambda: timing_flags(series))
    t_reba, reba_frames = best_of(args.repeat, lambda: reba_series(series, task, timing=timing))
    t_rula, rula_frames = best_of(args.repeat, lambda: rula_series(series, task, timing=timing))
    t_reba_all, _ = best_of(args.repeat, lambda: reba_series(series, task))
    t_rula_all, _ = best_of(args.repeat, lambda: rula_series(series, task))

    def line(label: str, seconds: float) -> None:
        print(f"  {label:<38} {seconds:8.3f} s  {n / seconds:14,.0f} frames/s")

    line("timing rules (static/repeated/rapid)", t_timing)
    line("REBA scoring (timing shared)", t_reba)
    line("RULA scoring (timing shared)", t_rula)
    line("REBA incl. timing rules", t_reba_all)
    line("RULA incl. timing rules", t_rula_all)
    line("REBA + RULA, timing computed once", t_timing + t_reba + t_rula)
    target = t_timing + t_reba + t_rula
    verdict = "met" if target < 2 * n / 1e6 else "NOT met"
    print(f"  target: REBA + RULA for 1 M frames < 2 s -> {verdict}")

    sub = series.take(slice(0, args.subset))
    sub_task_frames = reba_series(sub, task)
    sub_rula_frames = rula_series(sub, task)
    t0 = time.perf_counter()
    loop_reba_scores = loop_reba(sub, task, sub_task_frames)
    t_loop_reba = (time.perf_counter() - t0) * n / args.subset
    t0 = time.perf_counter()
    loop_rula_scores = loop_rula(sub, task, sub_rula_frames)
    t_loop_rula = (time.perf_counter() - t0) * n / args.subset
    print(f"baseline: per-frame Python loop over the manual calculators, {args.subset:,} frames")
    print(
        f"  REBA loop extrapolated to {n:,}: {t_loop_reba:8.1f} s  -> vectorised "
        f"{t_loop_reba / t_reba_all:,.0f}x faster"
    )
    print(
        f"  RULA loop extrapolated to {n:,}: {t_loop_rula:8.1f} s  -> vectorised "
        f"{t_loop_rula / t_rula_all:,.0f}x faster"
    )

    ok_frames = sub_task_frames.status != 2
    if not np.array_equal(
        np.asarray(loop_reba_scores)[ok_frames], sub_task_frames.score[ok_frames]
    ):
        print("ERROR: REBA loop and vectorised scores differ on the subset")
        return 1
    ok_frames = sub_rula_frames.status != 2
    if not np.array_equal(
        np.asarray(loop_rula_scores)[ok_frames], sub_rula_frames.score[ok_frames]
    ):
        print("ERROR: RULA loop and vectorised scores differ on the subset")
        return 1
    print("  loop and vectorised scores agree on the subset (computable frames)")
    mean_reba = reba_frames.score[reba_frames.score > 0].mean()
    mean_rula = rula_frames.score[rula_frames.score > 0].mean()
    print(f"  frame status (REBA): {reba_frames.counts()}")
    print(f"  mean REBA {mean_reba:.2f}, mean RULA {mean_rula:.2f} (computable frames)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
