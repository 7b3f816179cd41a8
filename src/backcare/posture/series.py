"""PostureSeries: the one data model every strain measurement ends in.

Camera frames, wearable sensor files, manual entries and live webcam landmarks all become a
:class:`PostureSeries`: columnar NumPy arrays over time, with angle channels named and signed as in
:mod:`backcare.posture.conventions`, an activity label per sample, optional per-value confidence,
and source metadata. The series is immutable (its arrays are read-only); operations return new
series that share memory where they can.

Parquet round-trips live in the adapter :mod:`backcare.io.parquet`; the core does no I/O.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from pydantic import BaseModel, ConfigDict, Field

from backcare.errors import InputError
from backcare.posture.conventions import CHANNELS, Activity

__all__ = ["PostureSeries", "SeriesMeta", "SourceKind"]

SourceKind = Literal["camera", "wearable", "manual", "live", "simulated"]
FloatArray = NDArray[np.floating[Any]]


class SeriesMeta(BaseModel):
    """Where a series came from and how it was processed (JSON-serialisable)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: SourceKind
    start: datetime | None = Field(
        default=None, description="timezone-aware wall-clock time at time == 0"
    )
    rate_hz: float | None = Field(default=None, gt=0)
    subject: str | None = None
    device: str | None = None
    placements: tuple[str, ...] = ()
    calibration: dict[str, float] = Field(
        default_factory=dict, description="per-channel zero offsets already subtracted [deg]"
    )
    notes: tuple[str, ...] = ()
    extra: dict[str, Any] = Field(default_factory=dict)


def _readonly(a: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    a.setflags(write=False)
    return a


def _as_float(name: str, values: ArrayLike, n: int) -> FloatArray:
    arr = np.asarray(values)
    if arr.dtype.kind not in "fiub":
        raise InputError(f"must be numeric, got dtype {arr.dtype}", where=f"channel {name!r}")
    if arr.dtype != np.float32:
        arr = arr.astype(np.float64, copy=False)
    if arr.ndim != 1 or arr.shape[0] != n:
        raise InputError(
            f"has shape {arr.shape}, expected ({n},) like time", where=f"channel {name!r}"
        )
    return arr


class PostureSeries:
    """Posture over time.

    Parameters
    ----------
    time
        Seconds since ``meta.start`` (or since an arbitrary origin), shape ``(n,)``, finite and
        non-decreasing.
    values
        Angle (and load) channels by name, each shape ``(n,)``; names and units from
        :data:`~backcare.posture.conventions.CHANNELS`. NaN marks a missing value.
    activity
        :class:`~backcare.posture.conventions.Activity` code per sample (int8); default UNKNOWN.
    confidence
        Optional per-channel confidence in [0, 1], shape ``(n,)``.
    meta
        Source metadata; default ``SeriesMeta(source="manual")``.
    """

    __slots__ = ("_confidence", "_values", "activity", "meta", "time")

    time: NDArray[np.float64]
    activity: NDArray[np.int8]
    meta: SeriesMeta

    def __init__(
        self,
        time: ArrayLike,
        values: Mapping[str, ArrayLike] | None = None,
        *,
        activity: ArrayLike | None = None,
        confidence: Mapping[str, ArrayLike] | None = None,
        meta: SeriesMeta | None = None,
    ) -> None:
        t = np.asarray(time, dtype=np.float64)
        if t.ndim != 1:
            raise InputError(f"time must be 1-D, got shape {t.shape}", where="time")
        n = t.shape[0]
        if n and not np.isfinite(t).all():
            bad = int(np.flatnonzero(~np.isfinite(t))[0])
            raise InputError(f"time is not finite at sample {bad}", where="time")
        if n > 1:
            steps = np.diff(t)
            if (steps < 0).any():
                bad = int(np.flatnonzero(steps < 0)[0]) + 1
                raise InputError(
                    f"time goes backwards at sample {bad} ({t[bad - 1]} -> {t[bad]} s)",
                    where="time",
                )
        vals: dict[str, FloatArray] = {}
        for name, v in (values or {}).items():
            spec = CHANNELS.get(name)
            if spec is None:
                raise InputError(
                    f"unknown channel; known channels: {', '.join(CHANNELS)}",
                    where=f"channel {name!r}",
                )
            arr = _as_float(name, v, n)
            finite = arr[~np.isnan(arr)]
            if finite.size and (finite.min() < spec.low or finite.max() > spec.high):
                idx = int(np.flatnonzero((arr < spec.low) | (arr > spec.high))[0])
                raise InputError(
                    f"value {float(arr[idx]):g} {spec.unit} at sample {idx} is outside "
                    f"[{spec.low:g}, {spec.high:g}] (wrong unit? radians instead of degrees?)",
                    where=f"channel {name!r}",
                )
            if np.isinf(arr).any():
                raise InputError(
                    "contains infinity; use NaN for missing", where=f"channel {name!r}"
                )
            vals[name] = _readonly(arr)
        conf: dict[str, FloatArray] = {}
        for name, c in (confidence or {}).items():
            if name not in vals:
                raise InputError("confidence given for a channel not in values", where=name)
            carr = _as_float(f"confidence of {name}", c, n)
            if ((carr < 0) | (carr > 1)).any():
                raise InputError("confidence must be within [0, 1]", where=f"confidence {name!r}")
            conf[name] = _readonly(carr)
        if activity is None:
            act = np.zeros(n, dtype=np.int8)
        else:
            act = np.asarray(activity)
            if act.shape != (n,):
                raise InputError(
                    f"activity has shape {act.shape}, expected ({n},)", where="activity"
                )
            if act.dtype.kind not in "iu":
                raise InputError("activity must hold integer Activity codes", where="activity")
            valid_codes = np.array([a.value for a in Activity])
            if not np.isin(act, valid_codes).all():
                raise InputError(
                    "activity holds codes that are not Activity values", where="activity"
                )
            act = act.astype(np.int8, copy=False)
        self.time = _readonly(t)
        self._values = vals
        self._confidence = conf
        self.activity = _readonly(act)
        self.meta = meta or SeriesMeta(source="manual")

    # -- access -------------------------------------------------------------------------------
    def __len__(self) -> int:
        return int(self.time.shape[0])

    def __contains__(self, name: object) -> bool:
        return name in self._values

    def __getitem__(self, name: str) -> FloatArray:
        try:
            return self._values[name]
        except KeyError:
            raise KeyError(
                f"channel {name!r} was not measured in this series; it has: "
                f"{', '.join(self._values) or 'no channels'}"
            ) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __repr__(self) -> str:
        return (
            f"PostureSeries(n={len(self)}, duration={self.duration_s:.1f} s, "
            f"channels={list(self._values)}, source={self.meta.source!r})"
        )

    @property
    def channels(self) -> tuple[str, ...]:
        return tuple(self._values)

    @property
    def values(self) -> Mapping[str, FloatArray]:
        return dict(self._values)

    def get(self, name: str) -> FloatArray | None:
        """The channel, or ``None`` when it was not measured."""
        return self._values.get(name)

    def valid(self, name: str) -> NDArray[np.bool_]:
        """Mask of samples where ``name`` has a value (all false when not measured)."""
        arr = self._values.get(name)
        if arr is None:
            return np.zeros(len(self), dtype=bool)
        return ~np.isnan(arr)

    def confidence(self, name: str) -> FloatArray | None:
        return self._confidence.get(name)

    @property
    def confidences(self) -> Mapping[str, FloatArray]:
        return dict(self._confidence)

    @property
    def duration_s(self) -> float:
        return float(self.time[-1] - self.time[0]) if len(self) > 1 else 0.0

    def sample_interval_s(self) -> float:
        """Nominal sample interval: ``1/rate_hz`` if known, else the median time step."""
        if self.meta.rate_hz:
            return 1.0 / self.meta.rate_hz
        if len(self) < 2:
            return 0.0
        return float(np.median(np.diff(self.time)))

    def sample_durations(self, max_gap_s: float | None = None) -> NDArray[np.float64]:
        """Time each sample stands for [s]: the step to the next sample (the last gets the nominal
        interval). Steps longer than ``max_gap_s`` (default 5 x nominal) count as the nominal
        interval, so a gap in a recording is not credited to the sample before it."""
        n = len(self)
        nominal = self.sample_interval_s()
        if n == 0:
            return np.zeros(0)
        d = np.empty(n, dtype=np.float64)
        d[:-1] = np.diff(self.time)
        d[-1] = nominal
        cap = max_gap_s if max_gap_s is not None else 5.0 * nominal
        if nominal > 0:
            d[d > cap] = nominal
        return d

    def activity_labels(self) -> NDArray[np.str_]:
        """Activity names per sample (``"sit"``, ``"walk"``...)."""
        names = np.array([a.label for a in Activity])
        lookup = np.empty(max(a.value for a in Activity) + 1, dtype=names.dtype)
        for a in Activity:
            lookup[a.value] = a.label
        return lookup[self.activity]

    # -- derivation ---------------------------------------------------------------------------
    def replace(
        self,
        *,
        values: Mapping[str, ArrayLike] | None = None,
        confidence: Mapping[str, ArrayLike] | None = None,
        activity: ArrayLike | None = None,
        meta: SeriesMeta | None = None,
        drop: tuple[str, ...] = (),
    ) -> PostureSeries:
        """A new series with channels added or replaced (``values``), dropped, or new activity."""
        vals: dict[str, ArrayLike] = {k: v for k, v in self._values.items() if k not in drop}
        conf: dict[str, ArrayLike] = {k: v for k, v in self._confidence.items() if k not in drop}
        if values:
            for k, v in values.items():
                vals[k] = v
                conf.pop(k, None)
        if confidence:
            conf.update(confidence)
        return PostureSeries(
            self.time,
            vals,
            activity=self.activity if activity is None else activity,
            confidence=conf,
            meta=meta or self.meta,
        )

    def take(self, index: slice | NDArray[np.bool_] | NDArray[np.integer[Any]]) -> PostureSeries:
        """Samples selected by a slice, a boolean mask or sorted integer indices."""
        return PostureSeries(
            self.time[index],
            {k: v[index] for k, v in self._values.items()},
            activity=self.activity[index],
            confidence={k: v[index] for k, v in self._confidence.items()},
            meta=self.meta,
        )

    def between(self, t0: float, t1: float) -> PostureSeries:
        """Samples with ``t0 <= time < t1`` [s]."""
        lo, hi = np.searchsorted(self.time, [t0, t1], side="left")
        return self.take(slice(int(lo), int(hi)))

    # -- tables ---------------------------------------------------------------------------------
    def to_frame(self) -> pd.DataFrame:
        """A tidy table: ``time``, one column per channel, ``activity`` (label), ``conf_<name>``."""
        cols: dict[str, Any] = {"time": self.time}
        cols.update(self._values)
        cols["activity"] = pd.Categorical(
            self.activity_labels(), categories=[a.label for a in Activity]
        )
        cols.update({f"conf_{k}": v for k, v in self._confidence.items()})
        return pd.DataFrame(cols)

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, meta: SeriesMeta | None = None) -> PostureSeries:
        """Inverse of :meth:`to_frame` (unknown columns are an error, not silently dropped)."""
        if "time" not in frame.columns:
            raise InputError("a posture table needs a 'time' column", where="columns")
        values: dict[str, ArrayLike] = {}
        conf: dict[str, ArrayLike] = {}
        activity: ArrayLike | None = None
        by_label = {a.label: a.value for a in Activity}
        for col in frame.columns:
            if col == "time":
                continue
            if col == "activity":
                labels = frame[col].astype(str)
                unknown = set(labels.unique()) - set(by_label)
                if unknown:
                    raise InputError(f"unknown activity labels {sorted(unknown)}", where="activity")
                activity = labels.map(by_label).to_numpy(dtype=np.int8)
            elif col.startswith("conf_"):
                conf[col[5:]] = frame[col].to_numpy()
            else:
                values[col] = frame[col].to_numpy()
        return cls(frame["time"].to_numpy(), values, activity=activity, confidence=conf, meta=meta)

    def equals(self, other: PostureSeries) -> bool:
        """Same samples, channels (NaN equal to NaN), activity, confidence and metadata."""
        if not isinstance(other, PostureSeries) or len(self) != len(other):
            return False
        if set(self._values) != set(other._values) or set(self._confidence) != set(
            other._confidence
        ):
            return False
        return (
            bool(np.array_equal(self.time, other.time))
            and bool(np.array_equal(self.activity, other.activity))
            and all(
                np.array_equal(v, other._values[k], equal_nan=True) for k, v in self._values.items()
            )
            and all(
                np.array_equal(v, other._confidence[k], equal_nan=True)
                for k, v in self._confidence.items()
            )
            and self.meta == other.meta
        )
