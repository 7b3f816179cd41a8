"""Static holds of a body-part angle.

Rule (``thresholds.yaml`` ``static_hold``): the angle is averaged over epochs of ``epoch_s``
(time-weighted, missing samples left out; an epoch without a value is missing), median filtered
over ``filter_epochs`` epochs (missing epochs left out of the median, a missing epoch stays
missing), and a stretch of ``min_duration_s`` whose epochs all have a value and vary by no more
than ``2 x tolerance_deg``
(max - min): such a stretch is *steady*. A hold runs from the first to the last epoch of
consecutive steady stretches (each starting one epoch after the previous), so every hold lasts at
least ``min_duration_s`` and it may drift slowly (by less than ``2 x tolerance_deg`` per
``min_duration_s``); a hold starts no earlier than the previous one ends. A hold's duration is
the credited time of its samples (gaps not credited).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.ndimage import maximum_filter1d, minimum_filter1d

from backcare.posture._engine import Block, Runs

__all__ = ["EpochAccumulator", "find_holds"]

F64 = NDArray[np.float64]


@dataclass
class EpochAccumulator:
    """Sums of value x duration, valid duration and credited time per epoch."""

    t0: float
    epoch_s: float
    n_epochs: int

    def __post_init__(self) -> None:
        self.sum_vd: F64 = np.zeros(self.n_epochs)
        self.sum_d: F64 = np.zeros(self.n_epochs)
        # credited nanoseconds before each epoch's first sample (filled as epochs are seen)
        self.c_start: F64 = np.full(self.n_epochs + 1, np.nan)

    def add(self, block: Block, filled: NDArray[np.float32], d_ok: F64) -> None:
        """Add a block: ``filled`` is the signal with 0 where missing, ``d_ok`` the sample
        durations with 0 where the signal is missing [s]."""
        time = block.time
        k = time.shape[0]
        e_first = int((time[0] - self.t0) // self.epoch_s)
        e_last = int((time[-1] - self.t0) // self.epoch_s)
        e_first = min(max(e_first, 0), self.n_epochs - 1)
        e_last = min(max(e_last, 0), self.n_epochs - 1)
        edges = self.t0 + np.arange(e_first + 1, e_last + 1) * self.epoch_s
        pos = np.concatenate(([0], np.searchsorted(time, edges, side="left"), [k]))
        starts = pos[:-1]
        has = starts < pos[1:]
        idx = np.arange(e_first, e_last + 1)
        seen = idx[has]
        first_seen = np.isnan(self.c_start[seen])
        at = starts[has][first_seen]
        self.c_start[seen[first_seen]] = block.c_after[at] - block.dur_ns[at]
        self.c_start[-1] = float(block.c_after[-1])  # end of the data so far
        vd = filled * d_ok
        head = np.minimum(starts, k - 1)
        sum_d = np.add.reduceat(d_ok, head)
        sum_vd = np.add.reduceat(vd, head)
        sum_d[~has] = 0.0
        sum_vd[~has] = 0.0
        self.sum_d[e_first : e_last + 1] += sum_d
        self.sum_vd[e_first : e_last + 1] += sum_vd

    def cum_ns(self) -> F64:
        """Credited nanoseconds before each epoch boundary (epochs without samples inherit)."""
        c = self.c_start.copy()
        c[0] = 0.0 if np.isnan(c[0]) else c[0]
        c[-1] = np.nanmax(c)
        # an epoch never seen starts where the next seen one starts
        for_back = np.flatnonzero(~np.isnan(c))
        idx = np.searchsorted(for_back, np.arange(c.shape[0]), side="left")
        idx = np.minimum(idx, for_back.shape[0] - 1)
        out: F64 = np.asarray(c[for_back[idx]], dtype=np.float64)
        return out


def _median_epochs(a: F64, size: int) -> F64:
    if size <= 1:
        return a.copy()
    h = size // 2
    pad = np.concatenate((np.full(h, np.nan), a, np.full(h, np.nan)))
    view = np.lib.stride_tricks.sliding_window_view(pad, size)
    s = np.sort(view, axis=1)  # NaN last
    k = np.sum(~np.isnan(view), axis=1)
    rows = np.arange(a.shape[0])
    out: F64 = np.asarray(s[rows, np.maximum(k - 1, 0) // 2], dtype=np.float64)
    out[np.isnan(a)] = np.nan
    return out


def find_holds(
    acc: EpochAccumulator,
    *,
    filter_epochs: int,
    tolerance_deg: float,
    min_duration_s: float,
) -> Runs:
    """The static holds found in ``acc`` (see the module docstring)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        a = np.where(acc.sum_d > 0, acc.sum_vd / np.where(acc.sum_d > 0, acc.sum_d, 1.0), np.nan)
    f = _median_epochs(a, filter_epochs)
    n = f.shape[0]
    length = max(1, round(min_duration_s / acc.epoch_s))
    empty = Runs.empty()
    if n < length:
        return empty
    hi = np.where(np.isnan(f), np.inf, f)
    lo = np.where(np.isnan(f), -np.inf, f)
    h = length // 2
    # scipy's window for output i is [i - length // 2, i - length // 2 + length): window
    # [e, e + length) is output e + h
    wmax = maximum_filter1d(hi, length, mode="nearest")
    wmin = minimum_filter1d(lo, length, mode="nearest")
    starts_ok = np.zeros(n, dtype=bool)
    rng = wmax[h : h + n - length + 1] - wmin[h : h + n - length + 1]
    starts_ok[: n - length + 1] = rng <= 2.0 * tolerance_deg
    edges = np.diff(np.concatenate(([0], starts_ok.astype(np.int8), [0])))
    first_ok = np.flatnonzero(edges == 1)
    if first_ok.size == 0:
        return empty
    last_ok = np.flatnonzero(edges == -1) - 1
    s_ep = first_ok
    e_ep = last_ok + length
    if s_ep.size > 1:  # a hold starts no earlier than the previous one ends
        s_ep[1:] = np.maximum(s_ep[1:], e_ep[:-1])
    cum = acc.cum_ns()
    start_c = cum[s_ep].astype(np.int64)
    end_c = cum[e_ep].astype(np.int64)
    vd = np.concatenate(([0.0], np.cumsum(np.where(np.isnan(f), 0.0, f) * acc.sum_d)))
    dd = np.concatenate(([0.0], np.cumsum(np.where(np.isnan(f), 0.0, acc.sum_d))))
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (vd[e_ep] - vd[s_ep]) / (dd[e_ep] - dd[s_ep])
    return Runs(
        start_index=s_ep.astype(np.int64),
        end_index=e_ep.astype(np.int64),
        start_s=(acc.t0 + s_ep * acc.epoch_s).astype(np.float64),
        end_s=(acc.t0 + e_ep * acc.epoch_s).astype(np.float64),
        start_c=start_c,
        end_c=end_c,
        mean=mean,
        next_activity=np.full(s_ep.shape[0], -1, dtype=np.int8),
    )
