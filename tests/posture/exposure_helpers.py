"""Builders of synthetic posture series with known exposure (shared by exposure/alert tests)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import numpy as np

from backcare.posture import Activity, PostureSeries, SeriesMeta


def segments(
    parts: Sequence[tuple[float, float]], rate_hz: float = 25.0
) -> tuple[np.ndarray, np.ndarray]:
    """Time and a piecewise-constant angle from ``(duration_s, angle_deg)`` parts."""
    values = [np.full(round(d * rate_hz), a, dtype=np.float64) for d, a in parts]
    angle = np.concatenate(values)
    time = np.arange(angle.shape[0]) / rate_hz
    return time, angle


def series(
    time: np.ndarray,
    *,
    start: datetime | None = None,
    rate_hz: float | None = 25.0,
    activity: np.ndarray | int = Activity.STAND,
    **channels: np.ndarray,
) -> PostureSeries:
    act = (
        np.full(time.shape[0], activity, dtype=np.int8)
        if isinstance(activity, int)
        else np.asarray(activity, dtype=np.int8)
    )
    return PostureSeries(
        time,
        channels,
        activity=act,
        meta=SeriesMeta(source="simulated", start=start, rate_hz=rate_hz),
    )


def trunk(
    parts: Sequence[tuple[float, float]],
    *,
    rate_hz: float = 25.0,
    start: datetime | None = None,
    activity: np.ndarray | int = Activity.STAND,
) -> PostureSeries:
    """A series with forward trunk inclination from ``parts`` (flexion = inclination)."""
    t, a = segments(parts, rate_hz)
    return series(
        t,
        start=start,
        rate_hz=rate_hz,
        activity=activity,
        trunk_inclination=a,
        trunk_flexion=a,
    )
