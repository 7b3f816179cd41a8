"""Timing rules of REBA and RULA evaluated from a posture series (vectorised over time).

Both methods add points for a posture that is *static* (held longer than 1 min) or an action
that is *repeated* (more than 4 times per minute); REBA also for *rapid* large changes of
posture. The numbers that turn those words into rules are in
``knowledge/data/ergonomics/series-rules.yaml`` with their rationale:

static
    The channel's range (max - min) over the trailing window (> 60 s) is at most
    ``max_range_deg``; any NaN in the window breaks the hold.
repeated
    More than ``more_than`` swings in the trailing 60 s, a swing being a crossing from below
    ``mean - hysteresis_deg`` to above ``mean + hysteresis_deg`` (Schmitt trigger around the
    trailing 60 s mean). Frames whose activity is in ``excluded_activities`` are never repeated.
rapid
    The channel's range over the trailing 1 s exceeds ``min_change_deg`` (NaN samples ignored).

All rules are causal (a frame is judged by the window that ends at it), use the series' nominal
sample interval to size windows, and never reach across a gap (a time step longer than
``gap.factor`` x the nominal interval). Every step is a NumPy/SciPy array operation: sliding
minima/maxima by :func:`scipy.ndimage.maximum_filter1d`, counts and means by cumulative sums.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from math import floor
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.ndimage import maximum_filter1d, minimum_filter1d

from backcare.knowledge.ergonomics import SeriesRules
from backcare.posture.conventions import Activity
from backcare.posture.ergo_common import series_rules
from backcare.posture.series import PostureSeries

__all__ = ["TimingFlags", "timing_flags"]

BoolArray = NDArray[np.bool_]
FloatArray = NDArray[np.floating[Any]]


@dataclass(frozen=True)
class TimingFlags:
    """Per-frame timing judgements, by channel (only channels present in the series)."""

    n: int
    static: dict[str, BoolArray]
    repeated: dict[str, BoolArray]
    rapid: dict[str, BoolArray]

    def _any(self, flags: dict[str, BoolArray], channels: Iterable[str] | None) -> BoolArray:
        out = np.zeros(self.n, dtype=bool)
        for name, arr in flags.items():
            if channels is None or name in channels:
                out |= arr
        return out

    def any_static(self, channels: Iterable[str] | None = None) -> BoolArray:
        """Frames where any of ``channels`` (default: all) is static."""
        return self._any(self.static, None if channels is None else set(channels))

    def any_repeated(self, channels: Iterable[str] | None = None) -> BoolArray:
        """Frames where any of ``channels`` (default: all) is repeated."""
        return self._any(self.repeated, None if channels is None else set(channels))

    def any_rapid(self, channels: Iterable[str] | None = None) -> BoolArray:
        """Frames where any of ``channels`` (default: all) changed rapidly."""
        return self._any(self.rapid, None if channels is None else set(channels))


def _trailing(x: FloatArray, k: int, pad: float, *, maximum: bool) -> FloatArray:
    """Max (or min) over the trailing ``k`` samples ``[i-k+1, i]``; before the start is ``pad``."""
    n = x.shape[0]
    padded = np.concatenate([np.full(k - 1, pad, dtype=x.dtype), x])
    filt = maximum_filter1d if maximum else minimum_filter1d
    centred = filt(padded, size=k, mode="nearest")
    # a centred filter of size k at j covers [j - k//2, j + (k-1)//2]; the trailing window of
    # original sample i is [i, i+k-1] in padded indices, centred at j = i + k-1 - (k-1)//2.
    start = k - 1 - (k - 1) // 2
    out: FloatArray = centred[start : start + n]
    return out


def _trailing_diff(c: NDArray[Any], k: int) -> NDArray[Any]:
    """``c[i+1] - c[max(i-k+1, 0)]`` for a cumulative sum ``c`` with ``c[0] == 0``.

    That is the sum over the trailing ``k`` samples of the series ``c`` accumulates (partial at
    the start), by slicing rather than gathering.
    """
    n = c.shape[0] - 1
    out = c[1:].copy()
    if k < n:
        out[k:] -= c[1 : n - k + 1]
    return out


def _steps(window_s: float, dt: float) -> int:
    """Whole sample intervals in ``window_s`` (robust to rounding of ``window_s / dt``)."""
    return floor(window_s / dt + 1e-9)


def _segments(series: PostureSeries, rules: SeriesRules, dt: float) -> NDArray[np.int64]:
    """Segment id per sample; a new segment starts after each gap."""
    steps = np.diff(series.time)
    gaps = steps > rules.gap.factor * dt
    return np.concatenate([[0], np.cumsum(gaps, dtype=np.int64)])


def _full_window(seg: NDArray[np.int64], k: int) -> BoolArray:
    """Frames whose trailing ``k``-sample window lies inside the series and one segment."""
    n = seg.shape[0]
    out = np.zeros(n, dtype=bool)
    if k <= n:
        out[k - 1 :] = seg[k - 1 :] == seg[: n - k + 1]
    return out


def _same_segment(seg: NDArray[np.int64], k: int) -> BoolArray:
    """Frames whose trailing window (clipped at the start) lies inside one segment."""
    n = seg.shape[0]
    same = np.ones(n, dtype=bool)
    if n and seg[-1] != 0:
        same[: min(k - 1, n)] = seg[: min(k - 1, n)] == 0
        if k <= n:
            same[k - 1 :] = seg[k - 1 :] == seg[: n - k + 1]
    return same


def _static(x: FloatArray, k: int, full: BoolArray, max_range: float) -> BoolArray:
    if not full.any():
        return full.copy()
    nan = np.isnan(x)
    has_nan = bool(nan.any())
    hi = _trailing(np.where(nan, np.inf, x) if has_nan else x, k, np.inf, maximum=True)
    lo = _trailing(np.where(nan, -np.inf, x) if has_nan else x, k, -np.inf, maximum=False)
    with np.errstate(invalid="ignore"):
        return full & ((hi - lo) <= max_range)


def _repeated(
    x: FloatArray, k: int, full: BoolArray, hysteresis: float, more_than: int
) -> BoolArray:
    if not full.any():
        return full.copy()
    n = x.shape[0]
    valid = ~np.isnan(x)
    csum = np.zeros(n + 1)
    np.cumsum(np.where(valid, x, 0.0), out=csum[1:])
    ccount = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(valid, out=ccount[1:])
    with np.errstate(invalid="ignore", divide="ignore"):
        centre = _trailing_diff(csum, k) / _trailing_diff(ccount, k)
        dev = x - centre
    state = np.zeros(n, dtype=np.int8)
    with np.errstate(invalid="ignore"):
        state[dev > hysteresis] = 1
        state[dev < -hysteresis] = -1
    # forward-fill the last decided state through the band between the thresholds (and NaN)
    decided = np.where(state != 0, np.arange(n), 0)
    np.maximum.accumulate(decided, out=decided)
    held = state[decided]
    rises = np.zeros(n + 1, dtype=np.int32)
    np.cumsum((held[1:] == 1) & (held[:-1] == -1), out=rises[2:])
    # rises[j+1] counts swings completed at steps up to sample j (a step j-1 -> j); a window of
    # k samples holds k-1 steps
    swings = _trailing_diff(rises, k - 1)
    return full & (swings > more_than)


def _rapid(x: FloatArray, k: int, same: BoolArray, min_change: float) -> BoolArray:
    nan = np.isnan(x)
    has_nan = bool(nan.any())
    hi = _trailing(np.where(nan, -np.inf, x) if has_nan else x, k, -np.inf, maximum=True)
    lo = _trailing(np.where(nan, np.inf, x) if has_nan else x, k, np.inf, maximum=False)
    with np.errstate(invalid="ignore"):
        return same & ((hi - lo) > min_change)


def timing_flags(series: PostureSeries, rules: SeriesRules | None = None) -> TimingFlags:
    """Evaluate the static, repeated and rapid-change rules on every frame of ``series``.

    Parameters
    ----------
    series
        The posture series; windows are sized from its nominal sample interval [s].
    rules
        The rules (default: ``series-rules.yaml``).

    Returns
    -------
    TimingFlags
        Boolean arrays per channel for each rule, only for channels the series has.
    """
    rules = rules or series_rules()
    n = len(series)
    dt = series.sample_interval_s()
    empty = TimingFlags(n, {}, {}, {})
    if n < 2 or dt <= 0:
        return empty
    seg = _segments(series, rules, dt)

    k_static = _steps(rules.static.window_s, dt) + 2  # spans (k-1)*dt > window
    full_static = _full_window(seg, k_static)
    static = {
        name: _static(series[name], k_static, full_static, rules.static.max_range_deg)
        for name in rules.static.channels
        if name in series
    }

    k_rep = _steps(rules.repeated.window_s, dt) + 1  # spans (k-1)*dt <= window
    full_rep = _full_window(seg, k_rep)
    excluded = {Activity[a.upper()].value for a in rules.repeated.excluded_activities}
    allowed = ~np.isin(series.activity, list(excluded))
    repeated = {
        name: allowed
        & _repeated(
            series[name],
            k_rep,
            full_rep,
            rules.repeated.hysteresis_deg,
            rules.repeated.more_than,
        )
        for name in rules.repeated.channels
        if name in series
    }

    k_rapid = _steps(rules.rapid.window_s, dt) + 1
    same = _same_segment(seg, k_rapid)
    rapid = {
        name: _rapid(series[name], k_rapid, same, rules.rapid.min_change_deg)
        for name in rules.rapid.channels
        if name in series
    }
    return TimingFlags(n, static, repeated, rapid)
