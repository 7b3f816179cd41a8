"""Recording: raw samples of one body-worn sensor, as every reader returns them.

Readers stream a file as a sequence of :class:`Recording` chunks (bounded memory) and can also
return the whole file as one. Units: acceleration in g (standard gravity, 9.80665 m/s^2),
angular velocity in deg/s, temperature in degrees Celsius, time in seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["Issue", "Recording", "RecordingInfo"]


@dataclass(frozen=True)
class Issue:
    """A problem found while reading: where it is and what was done about it."""

    where: str  # e.g. "block 1234 (offset 632320)"
    problem: str  # e.g. "bad checksum; block skipped (120 samples)"
    start_s: float | None = None  # time span affected, seconds since the recording's start
    end_s: float | None = None


@dataclass(frozen=True)
class RecordingInfo:
    """What the file says about the device and the session."""

    path: str
    device: str  # "AX3", "AX6", "GENEActiv", "APDM Opal", "ActiGraph", "CSV"
    fs_hz: float  # nominal sample rate
    start: datetime | None  # wall-clock time of the first sample (timezone-aware where known)
    serial: str | None = None
    range_g: float | None = None
    sensor_label: str | None = None  # e.g. APDM "Lumbar"
    placement: str | None = None  # what the file says about placement, if anything
    extra: dict[str, Any] = field(default_factory=dict)
    issues: tuple[Issue, ...] = ()


@dataclass(frozen=True)
class Recording:
    """Samples of one sensor.

    ``time`` [s] is relative to ``info.start`` (float64, non-decreasing); ``accel`` [g] has shape
    ``(n, 3)`` in the device's own axes (float32); ``gyro`` [deg/s] and ``temperature`` [degC]
    are optional.
    """

    time: NDArray[np.float64]
    accel: NDArray[np.float32]
    info: RecordingInfo
    gyro: NDArray[np.float32] | None = None
    temperature: NDArray[np.float32] | None = None

    def __len__(self) -> int:
        return int(self.time.shape[0])

    @property
    def duration_s(self) -> float:
        return float(self.time[-1] - self.time[0]) if len(self) > 1 else 0.0

    def with_issues(self, *issues: Issue) -> Recording:
        return replace(self, info=replace(self.info, issues=self.info.issues + tuple(issues)))
