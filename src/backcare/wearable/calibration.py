"""Auto-calibration to local gravity (van Hees et al. 2014), on per-second features.

Rule (numbers in ``knowledge/data/wearable/preprocessing.yaml``)
-----------------------------------------------------------------
1. The record is cut into non-overlapping epochs of ``epoch_s`` (10 s) on the second grid. An
   epoch is *still* when all its seconds are valid, the SD of every axis over the epoch is below
   ``stationary_sd_g`` (13 mg) and its mean vector is shorter than ``max_epoch_norm_g``. The SD is
   that of the common-rate block averages (see :mod:`backcare.wearable.features`), slightly lower
   than the raw-rate SD of the paper, so the rule is a little more permissive.
2. The still epochs must populate the sphere: on every axis at least one epoch mean below
   ``-sphere_g`` and one above ``+sphere_g`` (0.3 g), and at least ``min_epochs`` of them.
   Otherwise the fit is **skipped** (the report says why) and the data stay as recorded.
3. Iterative closest-point fit of ``c = offset + gain * a`` per axis: project the calibrated epoch
   means onto the unit sphere, regress each axis of those targets on the raw means (weighted,
   outliers down-weighted by ``1 / residual`` capped at 100), repeat until the mean error changes
   less than ``tolerance_g`` or ``max_iterations`` is reached.
4. The fit is **rejected** (data stay as recorded, the report says why) when the final RMS
   distance of the still epochs from 1 g exceeds ``max_error_g`` (10 mg), when it does not improve
   on the uncalibrated error, or when a gain or offset is outside the sanity bounds.

Temperature terms of the paper are not fitted (no reader gives temperature per second yet).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from backcare.knowledge.wearable import CalibrationRules
from backcare.wearable.features import SecondFeatures, preprocessing_rules

__all__ = ["CalibrationResult", "calibrate", "fit_calibration", "still_epochs"]

F64 = NDArray[np.float64]


@dataclass(frozen=True)
class CalibrationResult:
    """Outcome of the auto-calibration.

    ``applied`` is false when the fit was skipped or rejected; ``reason`` then says why and
    ``offset``/``gain`` are the identity. Errors are RMS distances of the still epochs from 1 g.
    """

    applied: bool
    offset_g: tuple[float, float, float]
    gain: tuple[float, float, float]
    n_epochs: int
    error_before_g: float | None
    error_after_g: float | None
    iterations: int
    reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "applied": self.applied,
            "offset_g": list(self.offset_g),
            "gain": list(self.gain),
            "still_epochs": self.n_epochs,
            "error_before_g": self.error_before_g,
            "error_after_g": self.error_after_g,
            "iterations": self.iterations,
            "reason": self.reason,
        }


def still_epochs(features: SecondFeatures, rules: CalibrationRules) -> F64:
    """Mean acceleration ``(m, 3)`` [g] of every still epoch (rule 1 of the module docstring)."""
    e = rules.epoch_s
    n = (len(features) // e) * e
    if n == 0:
        return np.zeros((0, 3))
    mean = features.raw_mean[:n].astype(np.float64).reshape(-1, e, 3)
    var = features.raw_var[:n].astype(np.float64).reshape(-1, e, 3)
    ok = features.valid[:n].reshape(-1, e).all(axis=1)
    with np.errstate(invalid="ignore"):
        epoch_mean = mean.mean(axis=1)
        epoch_sd = np.sqrt(var.mean(axis=1) + mean.var(axis=1))
        norm = np.linalg.norm(epoch_mean, axis=1)
        still = ok & (epoch_sd < rules.stationary_sd_g).all(axis=1)
        still &= (norm < rules.max_epoch_norm_g) & (norm > 0)
    result: F64 = epoch_mean[still]
    return result


def _rms_error(points: F64) -> float:
    return float(np.sqrt(np.mean((np.linalg.norm(points, axis=1) - 1.0) ** 2)))


def fit_calibration(points: F64, rules: CalibrationRules) -> CalibrationResult:
    """Fit offset and gain to still-epoch means ``points`` ``(m, 3)`` [g] (rules 2-4)."""
    identity = ((0.0, 0.0, 0.0), (1.0, 1.0, 1.0))
    m = int(points.shape[0])
    before = _rms_error(points) if m else None

    def refuse(reason: str, after: float | None = None, it: int = 0) -> CalibrationResult:
        return CalibrationResult(False, *identity, m, before, after, it, reason)

    if m < rules.min_epochs:
        return refuse(f"only {m} still epochs of {rules.epoch_s} s (needs {rules.min_epochs})")
    lo, hi = points.min(axis=0), points.max(axis=0)
    missing = [
        f"{'xyz'[k]}{sign}"
        for k in range(3)
        for sign, ok in (("-", lo[k] < -rules.sphere_g), ("+", hi[k] > rules.sphere_g))
        if not ok
    ]
    if missing:
        return refuse(
            f"still epochs do not cover the sphere beyond +-{rules.sphere_g} g "
            f"(nothing towards {', '.join(missing)})"
        )
    offset = np.zeros(3)
    gain = np.ones(3)
    weights = np.ones(m)
    last = np.inf
    it = 0
    for it in range(1, rules.max_iterations + 1):
        cal = offset + gain * points
        norm = np.linalg.norm(cal, axis=1)
        target = cal / norm[:, None]
        w = weights / weights.sum()
        for k in range(3):
            x, y = points[:, k], target[:, k]
            mx, my = w @ x, w @ y
            vx = w @ ((x - mx) ** 2)
            if vx <= 0:
                return refuse(f"axis {'xyz'[k]} does not vary across still epochs", it=it)
            gain[k] = (w @ ((x - mx) * (y - my))) / vx
            offset[k] = my - gain[k] * mx
        cal = offset + gain * points
        residual = np.abs(np.linalg.norm(cal, axis=1) - 1.0)
        weights = np.minimum(1.0 / np.maximum(residual, 1e-12), 100.0)
        err = float(residual.mean())
        if abs(last - err) < rules.tolerance_g:
            break
        last = err
    after = _rms_error(offset + gain * points)
    if after > rules.max_error_g:
        return refuse(f"fit error {after * 1000:.1f} mg exceeds {rules.max_error_g * 1000:g} mg")
    if before is not None and after >= before:
        return refuse("the fit does not reduce the error", after, it)
    if np.abs(gain - 1).max() > rules.max_gain_deviation or np.abs(offset).max() > (
        rules.max_offset_g
    ):
        return refuse(
            f"implausible fit (gain {np.round(gain, 3).tolist()}, "
            f"offset {np.round(offset, 3).tolist()} g)",
            after,
            it,
        )
    return CalibrationResult(
        True,
        (float(offset[0]), float(offset[1]), float(offset[2])),
        (float(gain[0]), float(gain[1]), float(gain[2])),
        m,
        before,
        after,
        it,
    )


def calibrate(
    features: SecondFeatures, rules: CalibrationRules | None = None
) -> tuple[SecondFeatures, CalibrationResult]:
    """Fit the calibration on ``features`` and apply it (identity when skipped or rejected)."""
    rules = rules or preprocessing_rules().calibration
    result = fit_calibration(still_epochs(features, rules), rules)
    if not result.applied:
        return features.calibrated(np.zeros(3), np.ones(3), result.as_dict()), result
    return (
        features.calibrated(np.asarray(result.offset_g), np.asarray(result.gain), result.as_dict()),
        result,
    )
