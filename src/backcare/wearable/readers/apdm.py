"""APDM Opal ``.h5`` reader (HDF5, file format version 5, through h5py).

Layout used: ``/Sensors/<sensor id>/`` holds ``Time`` (uint64, microseconds since 1970 UTC),
``Accelerometer`` (n, 3) [m/s^2], ``Gyroscope`` (n, 3) [rad/s] and ``Temperature`` [degC]; its
``Configuration`` attributes give ``Label 0`` (the body location typed at set-up, e.g.
``Lumbar`` or ``Sternum``) and ``Sample Rate`` [Hz]. Sensor errors (``Errors/Message`` and
``Errors/Time``, e.g. "Skipped sample") are reported as issues.

Acceleration is converted to g with standard gravity (9.80665 m/s^2) and angular velocity to
deg/s. ``info.start`` is the first sample's time (UTC). Rows are read a chunk at a time (h5py
slices), so memory is bounded by the chunk size. Samples whose time goes backwards and samples
that are not finite are excluded and reported; gaps (more than two sample periods) are reported.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from backcare.errors import InputError
from backcare.wearable.readers._base import DEFAULT_CHUNK_SAMPLES, RecordingSource
from backcare.wearable.recording import Issue, Recording, RecordingInfo

__all__ = ["STANDARD_GRAVITY", "ApdmSource", "list_sensors"]

#: Standard gravity [m/s^2] (CGPM 1901), used for m/s^2 -> g.
STANDARD_GRAVITY = 9.80665
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# what h5py raises on damaged files (its errors derive from these built-ins)
_H5_ERRORS = (OSError, KeyError, ValueError, RuntimeError, TypeError, IndexError, OverflowError)
_MAX_ISSUES = 200
_F32_MAX = float(np.finfo(np.float32).max)
_MAX_RATIO = 200  # declared bytes per stored byte (HDF5 compression of sensor data is far lower)
_RATIO_FROM_BYTES = 1 << 20


def _text(value: Any) -> str:
    if isinstance(value, bytes | np.bytes_):
        return bytes(value).decode("utf-8", errors="replace").strip()
    return str(value).strip()


def _open(path: Path) -> Any:
    import h5py

    try:
        return h5py.File(path, "r")
    except OSError as exc:
        raise InputError(f"not a readable HDF5 file ({exc})", where=str(path)) from None


def list_sensors(path: str | Path) -> list[tuple[str, str]]:
    """``(sensor id, label)`` of every sensor in an APDM file."""
    path = Path(path)
    with _open(path) as f:
        return _sensors(f, path)


def _sensors(f: Any, path: Path) -> list[tuple[str, str]]:
    if "Sensors" not in f:
        raise InputError(
            "not an APDM Opal file of format version 5 (no /Sensors group)", where=str(path)
        )
    out = []
    for sid in f["Sensors"]:
        group = f["Sensors"][sid]
        label = ""
        if "Configuration" in group:
            label = _text(group["Configuration"].attrs.get("Label 0", ""))
        out.append((str(sid), label))
    return out


class ApdmSource(RecordingSource):
    """One sensor of an APDM Opal ``.h5`` file, chosen by label or id."""

    def __init__(self, path: Path, *, sensor: str | None = None) -> None:
        super().__init__(path)
        self._where = str(path)
        try:
            self._init(path, sensor)
        except _H5_ERRORS as exc:
            raise InputError(
                f"damaged or unexpected HDF5 content: {exc}", where=self._where
            ) from None

    def _init(self, path: Path, sensor: str | None) -> None:
        with _open(path) as f:
            sensors = _sensors(f, path)
            if not sensors:
                raise InputError("the file holds no sensors", where=self._where)
            choices = ", ".join(f"{label or '?'} ({sid})" for sid, label in sensors)
            if sensor is None:
                if len(sensors) > 1:
                    raise InputError(
                        f"the file holds {len(sensors)} sensors: {choices}; choose one by label "
                        "or id (sensor)",
                        where=self._where,
                    )
                self._sid, self._label = sensors[0]
            else:
                key = sensor.strip().lower()
                match = [s for s in sensors if key in (s[0].lower(), s[1].lower())]
                if not match:
                    raise InputError(
                        f"no sensor {sensor!r} in the file; it holds {choices}", where="sensor"
                    )
                self._sid, self._label = match[0]
            group = f["Sensors"][self._sid]
            for name in ("Time", "Accelerometer"):
                if name not in group:
                    raise InputError(f"sensor {self._sid} has no {name} dataset", where=self._where)
            self._n = int(group["Time"].shape[0])
            if group["Accelerometer"].shape != (self._n, 3):
                raise InputError(
                    f"sensor {self._sid}: Accelerometer has shape {group['Accelerometer'].shape}, "
                    f"expected ({self._n}, 3)",
                    where=self._where,
                )
            self._check_storage(group)
            self._has_gyro = "Gyroscope" in group and group["Gyroscope"].shape == (self._n, 3)
            self._has_temp = "Temperature" in group and group["Temperature"].shape == (self._n,)
            conf = group["Configuration"].attrs if "Configuration" in group else {}
            self._fs = float(conf.get("Sample Rate", 0) or 0)
            self._tzname = _text(conf.get("Timezone", ""))
            self._t_first = int(group["Time"][0]) if self._n else None
            self._errors = self._read_errors(group)
        if self._n == 0 or self._t_first is None:
            raise InputError(f"sensor {self._sid} holds no samples", where=self._where)
        if self._fs <= 0:
            with _open(path) as f:
                t = np.asarray(f["Sensors"][self._sid]["Time"][: min(self._n, 1000)])
            step = np.median(np.diff(t)) if t.size > 1 else 0
            self._fs = 1e6 / float(step) if step > 0 else 0.0
        self._info: RecordingInfo | None = None

    def _read_errors(self, group: Any) -> list[Issue]:
        if "Errors" not in group or "Message" not in group["Errors"]:
            return []
        msgs = group["Errors"]["Message"][:_MAX_ISSUES]
        times = group["Errors"]["Time"][:_MAX_ISSUES] if "Time" in group["Errors"] else []
        out = []
        for i, msg in enumerate(msgs):
            t = (float(times[i]) - float(group["Time"][0])) / 1e6 if i < len(times) else None
            out.append(
                Issue(
                    f"{self.path.name}: sensor {self._label or '?'} errors[{i}]",
                    f"device reported: {_text(msg)}",
                    t,
                    t,
                )
            )
        return out

    @property
    def info(self) -> RecordingInfo:
        if self._info is None:
            assert self._t_first is not None
            self._info = RecordingInfo(
                path=str(self.path),
                device="APDM Opal",
                fs_hz=self._fs,
                start=_EPOCH + timedelta(microseconds=self._t_first),
                serial=self._sid,
                sensor_label=self._label or None,
                placement=self._label or None,
                extra={
                    "n_samples_max": self._n,
                    "sensors": ["accelerometer"] + (["gyroscope"] if self._has_gyro else []),
                    "time_zone": self._tzname or None,
                },
                issues=tuple(self._errors),
            )
        return self._info

    def _check_storage(self, group: Any) -> None:
        """Refuse datasets that declare far more samples than the file stores bytes for."""
        declared = 0
        stored = 0
        for name in ("Time", "Accelerometer"):
            ds = group[name]
            declared += int(np.prod(ds.shape, dtype=np.int64)) * ds.dtype.itemsize
            stored += int(ds.id.get_storage_size())
        if declared > max(_MAX_RATIO * stored, _RATIO_FROM_BYTES):
            raise InputError(
                f"sensor {self._sid} declares {self._n:,} samples ({declared:,} bytes) but the "
                f"file stores only {stored:,} bytes for them; the file is damaged",
                where=self._where,
            )

    def sample_capacity(self) -> int:
        return self._n

    def chunks(self, max_samples: int = DEFAULT_CHUNK_SAMPLES) -> Iterator[Recording]:
        try:
            yield from self.bounded(self._chunks(max_samples))
        except _H5_ERRORS as exc:
            raise InputError(f"damaged HDF5 data: {exc}", where=self._where) from None

    def _chunks(self, max_samples: int) -> Iterator[Recording]:
        if max_samples < 1:
            raise InputError("max_samples must be at least 1", where="chunks(max_samples)")
        info = self.info
        assert self._t_first is not None
        t_first = self._t_first
        last = -np.inf
        period = 1.0 / self._fs if self._fs > 0 else 0.0
        with _open(self.path) as f:
            group = f["Sensors"][self._sid]
            for a in range(0, self._n, int(max_samples)):
                b = min(self._n, a + int(max_samples))
                t_us = np.asarray(group["Time"][a:b]).astype(np.int64)
                time = (t_us - t_first) / 1e6
                accel = np.asarray(group["Accelerometer"][a:b], dtype=np.float64)
                gyro = np.asarray(group["Gyroscope"][a:b], np.float64) if self._has_gyro else None
                temp = np.asarray(group["Temperature"][a:b], np.float64) if self._has_temp else None
                issues: list[Issue] = []
                # finite, and still finite once stored as float32 (in g and deg/s)
                finite = (np.abs(accel / STANDARD_GRAVITY) < _F32_MAX).all(axis=1)
                if gyro is not None:
                    finite &= (np.abs(np.degrees(gyro)) < _F32_MAX).all(axis=1)
                prev = np.maximum.accumulate(np.concatenate([[last], time[:-1]]))
                forward = time >= prev
                keep = finite & forward
                for mask, what in (
                    (~finite, "values that are not finite"),
                    (~forward, "time going backwards"),
                ):
                    bad = np.flatnonzero(mask)
                    if bad.size:
                        issues.append(
                            Issue(
                                f"{self.path.name}: sensor {self._label or self._sid} rows "
                                f"{a + bad[0]}-{a + bad[-1]}",
                                f"{bad.size} samples with {what} excluded",
                                float(time[bad[0]]),
                                float(time[bad[-1]]),
                            )
                        )
                time = time[keep]
                if time.size and period:
                    steps = (
                        np.diff(np.concatenate([[last], time]))
                        if np.isfinite(last)
                        else np.diff(time, prepend=time[0])
                    )
                    gaps = np.flatnonzero(steps > 2.0 * period)
                    for g in gaps[:_MAX_ISSUES]:
                        start = float(time[g] - steps[g])
                        issues.append(
                            Issue(
                                f"{self.path.name}: sensor {self._label or self._sid} row {a + g}",
                                f"gap of {float(steps[g]):.3f} s in time; no samples there",
                                start,
                                float(time[g]),
                            )
                        )
                if time.size:
                    last = float(time[-1])
                yield Recording(
                    time=time,
                    accel=(accel[keep] / STANDARD_GRAVITY).astype(np.float32),
                    info=dataclasses.replace(info, issues=tuple(issues)),
                    gyro=None if gyro is None else np.degrees(gyro[keep]).astype(np.float32),
                    temperature=None if temp is None else temp[keep].astype(np.float32),
                )
