"""Small statistics of the exposure tables: run time clipped to a segment, shares, percentiles
of a histogram."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from backcare.posture._engine import (
    NS_PER_S,
    Runs,
)
from backcare.posture.exposure._common import (
    F64,
)


def clipped(runs: Runs, c0: int, c1: int) -> tuple[float, float]:
    """(total, longest) credited seconds of ``runs`` inside credit range ``[c0, c1)``."""
    if len(runs) == 0 or c1 <= c0:
        return 0.0, 0.0
    lo = int(np.searchsorted(runs.end_c, c0, side="right"))
    hi = int(np.searchsorted(runs.start_c, c1, side="left"))
    if hi <= lo:
        return 0.0, 0.0
    s = np.maximum(runs.start_c[lo:hi], c0)
    e = np.minimum(runs.end_c[lo:hi], c1)
    d = np.maximum(e - s, 0)
    return float(d.sum()) / NS_PER_S, float(d.max()) / NS_PER_S


def count_in(times: F64, t0: float, t1: float) -> int:
    return int(np.searchsorted(times, t1, side="left") - np.searchsorted(times, t0, side="left"))


def pct(num: float, den: float) -> float:
    return 100.0 * num / den if den > 0 else float("nan")


def percentiles(hist: F64, ps: Sequence[int], res: float) -> list[float]:
    total = float(hist.sum())
    if total <= 0:
        return [float("nan")] * len(ps)
    cum = np.cumsum(hist)
    out = []
    for p in ps:
        target = total * p / 100.0
        i = int(np.searchsorted(cum, target, side="left"))
        out.append(min(i, hist.shape[0] - 1) * res)
    return out


def weighted_median(dist: F64) -> float:
    total = float(dist.sum())
    if total <= 0:
        return float("nan")
    return float(np.searchsorted(np.cumsum(dist), total / 2.0, side="left"))
