"""Non-wear detection on per-second features (the Acti4/ActiPASS not-worn rule).

Rule (numbers in ``knowledge/data/wearable/preprocessing.yaml``)
-----------------------------------------------------------------
* A second is **still** when the mean over the three axes of the acceleration SD in a 2 s window
  is below ``still_sd_g`` (0.01 g); seconds without data are treated as not worn.
* A still run of at least ``always_s`` (90 min) is non-wear.
* A still run of ``short_s`` (10 min) up to 90 min is non-wear only when (a) some movement (sum of
  the three SDs above ``movement_sum_sd_g``) occurs ``movement_before_s`` (11-15 s) before it,
  i.e. the device was taken off, and (b) it lies flat: its z axis (perpendicular to the face)
  within ``flat_tolerance_deg`` of vertical.
* Wear gaps shorter than ``bridge_wear_s`` between two non-wear periods are non-wear too. Only
  periods found by the rules above count: seconds without data (the partial first and last
  seconds of a file, gaps shorter than ``short_s``) never start a bridge, so a short recording
  or a short worn stretch between data gaps stays worn.
* Seconds without data are reported in the mask (they are not worn time) but are not non-wear
  periods.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from backcare.knowledge.wearable import NonwearRules
from backcare.wearable.features import SecondFeatures, preprocessing_rules

__all__ = ["NonwearResult", "detect_nonwear", "runs", "window_sd"]


@dataclass(frozen=True)
class NonwearResult:
    """Non-wear per second and the periods found (second indices, end exclusive)."""

    mask: NDArray[np.bool_]
    periods: tuple[tuple[int, int], ...]

    @property
    def seconds(self) -> int:
        return int(self.mask.sum())


def runs(mask: NDArray[np.bool_]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Start and end (exclusive) indices of the runs of ``True`` in ``mask``."""
    m = np.concatenate([[False], np.asarray(mask, dtype=bool), [False]])
    d = np.diff(m.astype(np.int8))
    return np.flatnonzero(d == 1), np.flatnonzero(d == -1)


def window_sd(
    mean: NDArray[np.floating], var: NDArray[np.floating], window_s: int
) -> NDArray[np.float64]:
    """SD over a moving window of ``window_s`` seconds from per-second means and variances.

    The window for row ``i`` covers rows ``i - window_s // 2 ... i + (window_s - 1) // 2``
    (for 2 s: the second before and this one); rows outside the record are ignored.
    """
    m = np.asarray(mean, dtype=np.float64)
    v = np.asarray(var, dtype=np.float64)
    if window_s == 1:
        out: NDArray[np.float64] = np.sqrt(np.maximum(v, 0))
        return out
    if window_s == 2:  # the common case, without padding or cumulative sums
        pm = np.concatenate([m[:1], m[:-1]])
        pv = np.concatenate([v[:1], v[:-1]])
        missing = np.isnan(pm)
        pm[missing] = m[missing]
        pv[missing] = v[missing]
        half = (m - pm) * 0.5
        two: NDArray[np.float64] = np.sqrt(np.maximum((v + pv) * 0.5 + half * half, 0.0))
        return two
    lo, hi = window_s // 2, (window_s - 1) // 2
    n = m.shape[0]
    pad = ((lo, hi), (0, 0))
    ok = ~np.isnan(m[:, 0])
    ones = np.pad(ok.astype(np.float64), (lo, hi))
    mm = np.pad(np.where(ok[:, None], m, 0.0), pad)
    m2 = np.pad(np.where(ok[:, None], m * m + v, 0.0), pad)

    def moving_sum(a: NDArray[np.float64]) -> NDArray[np.float64]:
        c = np.cumsum(a, axis=0)
        c = np.concatenate([np.zeros((1, *a.shape[1:])), c])
        result: NDArray[np.float64] = c[window_s : window_s + n] - c[:n]
        return result

    k = moving_sum(ones[:, None])
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_w = moving_sum(mm) / k
        var_w = moving_sum(m2) / k - mean_w * mean_w
    sd: NDArray[np.float64] = np.sqrt(np.maximum(var_w, 0.0))
    sd[~ok] = np.nan
    return sd


def detect_nonwear(features: SecondFeatures, rules: NonwearRules | None = None) -> NonwearResult:
    """Non-wear seconds of one sensor (see the module docstring for the rule)."""
    rules = rules or preprocessing_rules().nonwear
    sd = window_sd(features.raw_mean, features.raw_var, 2)
    valid = features.valid & ~np.isnan(sd).any(axis=1)
    mean_sd = np.where(valid, np.nan_to_num(sd).mean(axis=1), 0.0)
    sum_sd = np.where(valid, np.nan_to_num(sd).sum(axis=1), 0.0)
    still = ~valid | (mean_sd < rules.still_sd_g)
    starts, ends = runs(still)
    mask = np.zeros(len(features), dtype=bool)
    cos_flat = np.cos(np.radians(rules.flat_tolerance_deg))
    b0, b1 = rules.movement_before_s
    for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
        length = e - s
        if length >= rules.always_s:
            mask[s:e] = True
        elif length >= rules.short_s:
            before = sum_sd[max(s - b1, 0) : max(s - b0 + 1, 0)]
            moved = before.size > 0 and float(before.max()) > rules.movement_sum_sd_g
            seg = features.raw_mean[s:e].astype(np.float64)
            seg = seg[valid[s:e]]
            if moved and seg.size:
                v = seg.mean(axis=0)
                flat = abs(v[2]) / max(float(np.linalg.norm(v)), 1e-9) >= cos_flat
                mask[s:e] = flat
    # bridge short wear gaps between non-wear periods found by the rule (never data gaps)
    ws, we = runs(~mask)
    for s, e in zip(ws.tolist(), we.tolist(), strict=True):
        if s > 0 and e < mask.size and e - s < rules.bridge_wear_s:
            mask[s:e] = True
    ps, pe = runs(mask)
    mask |= ~features.valid
    return NonwearResult(mask=mask, periods=tuple(zip(ps.tolist(), pe.tolist(), strict=True)))
