"""Periods of an exposure summary: local hours, local days, windows and the whole recording.

With ``series.meta.start`` (timezone-aware), hours and days follow the wall clock of that start's
timezone: a day runs from local midnight to local midnight (23 or 25 h across a DST change) and an
hour from one local hour to the next. Without a start, days are counted from the first sample
(day 1 is the first 24 h) and hours from the first sample too. Periods are half-open
``[start, end)`` in series seconds; a sample belongs to the period its time falls in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

import numpy as np
import pandas as pd

from backcare.errors import InputError

__all__ = ["Period", "PeriodKind", "build_periods"]

PeriodKind = Literal["hour", "day", "window", "total"]
_DAY_S = 86_400.0
_HOUR_S = 3_600.0


@dataclass(frozen=True)
class Period:
    """One row of an exposure table (times in series seconds, wall clock when known)."""

    kind: PeriodKind
    label: str
    start_s: float
    end_s: float
    start: pd.Timestamp | None
    end: pd.Timestamp | None
    day: int
    hour: int | None


def _wall(start: datetime | None, seconds: float) -> pd.Timestamp | None:
    if start is None:
        return None
    return pd.Timestamp(start) + pd.Timedelta(seconds=seconds)


def _local_midnight(day: pd.Timestamp) -> pd.Timestamp:
    naive = pd.Timestamp(day.date())
    return naive.tz_localize(day.tz, ambiguous=True, nonexistent="shift_forward")


def _days_and_hours(
    start: datetime | None, t_first: float, t_last: float
) -> tuple[list[Period], list[Period]]:
    days: list[Period] = []
    hours: list[Period] = []
    if start is None:
        n_days = int(np.floor((t_last - t_first) / _DAY_S)) + 1
        for d in range(n_days):
            d0 = t_first + d * _DAY_S
            days.append(Period("day", f"day {d + 1}", d0, d0 + _DAY_S, None, None, d + 1, None))
            for h in range(24):
                h0 = d0 + h * _HOUR_S
                if h0 > t_last:
                    break
                hours.append(
                    Period("hour", f"day {d + 1} h{h:02d}", h0, h0 + _HOUR_S, None, None, d + 1, h)
                )
        return days, hours
    origin = pd.Timestamp(start)
    first = origin + pd.Timedelta(seconds=t_first)
    last = origin + pd.Timedelta(seconds=t_last)
    midnight = _local_midnight(first)
    d = 0
    while midnight <= last:
        nxt = _local_midnight(midnight + pd.Timedelta(hours=36))
        d0 = (midnight - origin).total_seconds()
        d1 = (nxt - origin).total_seconds()
        label = midnight.strftime("%Y-%m-%d")
        days.append(Period("day", label, d0, d1, midnight, nxt, d + 1, None))
        for h0_ts in pd.date_range(midnight, nxt, freq="h", inclusive="left"):
            if h0_ts > last:
                break
            h1_ts = h0_ts + pd.Timedelta(hours=1)
            if h1_ts <= first:
                continue
            h0 = (h0_ts - origin).total_seconds()
            hours.append(
                Period(
                    "hour",
                    h0_ts.strftime("%Y-%m-%dT%H:%M%z"),
                    h0,
                    h0 + _HOUR_S,
                    h0_ts,
                    h1_ts,
                    d + 1,
                    int(h0_ts.hour),
                )
            )
        midnight = nxt
        d += 1
    return days, hours


def _work_windows(
    days: list[Period], work_hours: tuple[float, float], start: datetime | None
) -> list[Period]:
    a, b = work_hours
    if not (0 <= a < b <= 24):
        raise InputError(
            f"work hours must satisfy 0 <= start < end <= 24, got {work_hours}",
            where="work_hours",
        )
    out: list[Period] = []
    for day in days:
        if start is None or day.start is None:
            w0 = day.start_s + a * _HOUR_S
            w1 = day.start_s + b * _HOUR_S
            s_ts = e_ts = None
        else:
            base = pd.Timestamp(day.start.date())
            s_ts = (base + pd.Timedelta(hours=a)).tz_localize(
                day.start.tz, ambiguous=True, nonexistent="shift_forward"
            )
            e_ts = (base + pd.Timedelta(hours=b)).tz_localize(
                day.start.tz, ambiguous=True, nonexistent="shift_forward"
            )
            origin = pd.Timestamp(start)
            w0 = (s_ts - origin).total_seconds()
            w1 = (e_ts - origin).total_seconds()
        label = f"{day.label} {a:g}-{b:g}h"
        out.append(Period("window", label, w0, w1, s_ts, e_ts, day.day, None))
    return out


def _to_seconds(value: float | datetime, start: datetime | None, where: str) -> float:
    if isinstance(value, datetime):
        if start is None:
            raise InputError(
                "a wall-clock window needs series.meta.start; give seconds instead", where=where
            )
        if value.tzinfo is None:
            raise InputError("window times must be timezone-aware", where=where)
        return float((value - start) / timedelta(seconds=1))
    v = float(value)
    if not np.isfinite(v):
        raise InputError(f"window time must be finite, got {value}", where=where)
    return v


def _explicit_windows(
    windows: Sequence[tuple[float | datetime, float | datetime]], start: datetime | None
) -> list[Period]:
    out: list[Period] = []
    for i, pair in enumerate(windows):
        where = f"windows[{i}]"
        if len(pair) != 2:
            raise InputError("each window is a (start, end) pair", where=where)
        w0 = _to_seconds(pair[0], start, where)
        w1 = _to_seconds(pair[1], start, where)
        if not w1 > w0:
            raise InputError(f"window end must be after its start ({w0} -> {w1} s)", where=where)
        s_ts = _wall(start, w0)
        e_ts = _wall(start, w1)
        label = (
            f"{s_ts.isoformat()} - {e_ts.isoformat()}"
            if s_ts is not None and e_ts is not None
            else f"{w0:g}-{w1:g} s"
        )
        out.append(Period("window", label, w0, w1, s_ts, e_ts, 0, None))
    return out


def build_periods(
    start: datetime | None,
    t_first: float,
    t_last: float,
    *,
    work_hours: tuple[float, float] | None = None,
    windows: Sequence[tuple[float | datetime, float | datetime]] | None = None,
) -> tuple[list[Period], list[Period], list[Period], Period]:
    """Hours, days, windows and the whole recording for samples in ``[t_first, t_last]`` [s].

    ``work_hours=(8, 16)`` adds a window per day from 08:00 to 16:00 local time (or 8 h to
    16 h after the day's start without ``start``); ``windows`` adds explicit ``(t0, t1)`` windows
    in series seconds or as timezone-aware datetimes.
    """
    if start is not None and start.tzinfo is None:
        raise InputError(
            "series.meta.start must be timezone-aware to split by wall-clock hours and days",
            where="meta.start",
        )
    days, hours = _days_and_hours(start, t_first, t_last)
    wins: list[Period] = []
    if work_hours is not None:
        wins += _work_windows(days, work_hours, start)
    if windows:
        wins += _explicit_windows(windows, start)
    t_end = days[-1].end_s
    total = Period(
        "total", "total", t_first, t_end, _wall(start, t_first), _wall(start, t_end), 0, None
    )
    return hours, days, wins, total
