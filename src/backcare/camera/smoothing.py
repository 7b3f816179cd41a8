"""Temporal smoothing of landmark tracks: the One Euro filter (Casiez, Roussel & Vogel 2012).

A first-order low-pass filter whose cutoff rises with the signal's speed: slow movements (holding
a posture) are smoothed strongly, which removes the frame-to-frame jitter of a pose model, while
fast movements pass with little lag. For each scalar track ``x`` sampled at times ``t``:

* ``alpha(fc, dt) = r / (1 + r)`` with ``r = 2 pi fc dt`` (the exact discretisation of a
  first-order low-pass with cutoff ``fc`` for a step ``dt``);
* the speed ``dx = (x_i - x^_{i-1}) / dt`` is itself low-passed with ``d_cutoff_hz``;
* the cutoff is ``fc = min_cutoff_hz + beta * |dx^|`` and ``x^_i = x^_{i-1} + alpha(fc, dt)
  (x_i - x^_{i-1})``.

Steps use the **real** frame timestamps (variable frame rate, skipped frames). A missing value
(NaN: landmark not found or occluded) stays missing and the filter restarts at the next value, so
nothing is carried across a gap. All landmarks and coordinates are filtered at once (the loop is
over time only). The parameters come from the camera knowledge file.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from backcare.errors import InputError

__all__ = ["one_euro"]


def _alpha(cutoff_hz: NDArray[np.float64] | float, dt: float) -> NDArray[np.float64]:
    r = 2.0 * np.pi * np.asarray(cutoff_hz, dtype=np.float64) * dt
    return np.asarray(r / (1.0 + r), dtype=np.float64)


def one_euro(
    values: ArrayLike,
    time: ArrayLike,
    *,
    min_cutoff_hz: float,
    beta: float,
    d_cutoff_hz: float = 1.0,
) -> NDArray[np.float64]:
    """Smooth ``values`` of shape ``(n, ...)`` over time ``(n,)`` [s].

    Parameters
    ----------
    values
        Samples along the first axis; any trailing shape (e.g. ``(n, 33, 3)`` landmarks [m]).
        NaN = missing.
    time
        Timestamps [s], non-decreasing.
    min_cutoff_hz
        Cutoff [Hz] at zero speed (lower: less jitter, more lag).
    beta
        Cutoff increase per unit of speed [Hz per (unit/s)] (higher: less lag when moving fast).
    d_cutoff_hz
        Cutoff [Hz] for the speed estimate.

    Returns
    -------
    The filtered values, same shape, NaN where the input is NaN.
    """
    x = np.asarray(values, dtype=np.float64)
    t = np.asarray(time, dtype=np.float64)
    if x.ndim == 0 or t.ndim != 1 or t.shape[0] != x.shape[0]:
        raise InputError(
            f"values {x.shape} and time {t.shape} must share their first axis", where="one_euro"
        )
    if min_cutoff_hz <= 0 or d_cutoff_hz <= 0 or beta < 0:
        raise InputError("cutoffs must be > 0 and beta >= 0", where="one_euro")
    n = x.shape[0]
    if n == 0:
        return x.copy()
    if n > 1 and (np.diff(t) < 0).any():
        raise InputError("time goes backwards", where="one_euro")
    flat = x.reshape(n, -1)
    out = np.empty_like(flat)
    prev = flat[0].copy()
    prev_dx = np.zeros_like(prev)
    out[0] = prev
    for i in range(1, n):
        dt = float(t[i] - t[i - 1])
        xi = flat[i]
        if dt > 0:
            dx = (xi - prev) / dt
            dx_hat = prev_dx + _alpha(d_cutoff_hz, dt) * (dx - prev_dx)
            a = _alpha(min_cutoff_hz + beta * np.abs(dx_hat), dt)
            x_hat = prev + a * (xi - prev)
        else:  # a repeated timestamp carries no new time: keep the previous estimate
            dx_hat = prev_dx
            x_hat = prev.copy()
        restart = np.isnan(prev)
        x_hat[restart] = xi[restart]
        dx_hat = np.where(restart | np.isnan(xi), 0.0, dx_hat)
        x_hat[np.isnan(xi)] = np.nan
        out[i] = x_hat
        prev = x_hat
        prev_dx = dx_hat
    return out.reshape(x.shape)
