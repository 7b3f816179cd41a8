"""Input checks shared by the spinal-load models: numeric arrays, NaN for missing, ranges."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from backcare.errors import InputError

__all__ = ["F64", "_as_float", "_check_range"]

F64 = NDArray[np.float64]


def _as_float(values: ArrayLike, where: str) -> F64:
    arr = np.asarray(values)
    if arr.dtype.kind not in "fiub":
        raise InputError(f"must be numeric, got dtype {arr.dtype}", where=where)
    out = arr.astype(np.float64, copy=False)
    if np.isinf(out).any():
        raise InputError("contains infinity; use NaN for missing", where=where)
    return out


def _check_range(values: F64, low: float, high: float, where: str, unit: str) -> None:
    finite = values[~np.isnan(values)]
    if finite.size and (finite.min() < low or finite.max() > high):
        bad = finite[(finite < low) | (finite > high)][0]
        raise InputError(
            f"{float(bad):g} {unit} is outside the accepted range [{low:g}, {high:g}] {unit}",
            where=where,
        )
