"""Simulated body-worn accelerometer recordings with a known truth per second.

Used by the tests (activities, angles, calibration, mounting and non-wear recovered within stated
tolerances) and by the benchmark when no simulated device file is at hand. A schedule of
:class:`Bout` s sets, second by second, the activity and the orientation of the thigh, trunk and
upper arm; each sensor's samples are generated lazily, chunk by chunk, so a week at 100 Hz never
sits in memory.

Segment orientation is given as an inclination ``theta`` from vertical and a tilt direction
``alpha`` around the vertical (0 = the segment's upper end tilts forward, 90 = to the person's
right, 180 = backward). The world's up direction, in the segment's (up, forward, left) axes, is
``(cos theta, -sin theta cos alpha, sin theta sin alpha)``, which is what
:func:`backcare.posture.angles.gravity_angles` inverts.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
from numpy.typing import NDArray

from backcare.posture.angles import SensorAxes
from backcare.posture.conventions import Activity
from backcare.wearable.recording import Recording, RecordingInfo

__all__ = ["Bout", "SimulatedSensor", "SimulatedSource", "Truth", "posture_of", "simulate"]


@dataclass(frozen=True)
class Bout:
    """A stretch of one activity.

    ``trunk_flexion_deg``/``trunk_lateral_deg`` apply to upright and sitting activities; lying
    activities set the trunk from the lying kind. ``arm_elevation_deg`` is the upper arm's
    inclination from vertical. ``device_up`` is, for ``NONWEAR`` bouts, the direction (device
    axes) that points up while the device lies still off the body (default: face up).
    """

    activity: Activity
    duration_s: int
    trunk_flexion_deg: float = 0.0
    trunk_lateral_deg: float = 0.0
    arm_elevation_deg: float = 15.0
    device_up: tuple[float, float, float] = (0.0, 0.0, 1.0)
    thigh_inclination_deg: float | None = None
    intensity: float = 1.0
    step_hz: float | None = None


@dataclass(frozen=True)
class SimulatedSensor:
    """One simulated device: where it sits and how it is mounted.

    ``axes`` is the true mounting (which device axis points down and forward); ``tilt_deg`` is the
    sensor's forward tilt on the segment (e.g. the upper back's slope); ``offset_g``/``gain`` the
    calibration error, the device reads ``(true - offset) / gain``; ``noise_g`` is white sensor
    noise and ``sway_g`` the amplitude of slow body sway added while worn.
    """

    placement: str
    axes: SensorAxes = field(default_factory=SensorAxes)
    tilt_deg: float = 0.0
    offset_g: tuple[float, float, float] = (0.0, 0.0, 0.0)
    gain: tuple[float, float, float] = (1.0, 1.0, 1.0)
    noise_g: float = 0.003
    sway_g: float = 0.015


# Per activity: thigh (theta, alpha), dynamic long-axis amplitude [g], stride frequency [Hz],
# thigh swing amplitude [deg], lateral/forward jitter amplitude [g]
_THIGH: dict[Activity, tuple[float, float, float, float, float, float]] = {
    Activity.SIT: (88.0, 180.0, 0.0, 0.0, 0.0, 0.0),
    Activity.STAND: (3.0, 180.0, 0.0, 0.0, 0.0, 0.0),
    Activity.MOVE: (4.0, 180.0, 0.03, 0.35, 0.0, 0.25),
    Activity.WALK: (11.0, 180.0, 0.45, 0.95, 12.0, 0.0),
    Activity.RUN: (14.0, 180.0, 1.5, 1.45, 20.0, 0.0),
    Activity.STAIRS: (28.0, 180.0, 0.4, 0.8, 8.0, 0.0),
    Activity.CYCLE: (62.0, 180.0, 0.3, 1.0, -15.0, 0.0),
    Activity.LIE_SUPINE: (88.0, 180.0, 0.0, 0.0, 0.0, 0.0),
    Activity.LIE_PRONE: (88.0, 0.0, 0.0, 0.0, 0.0, 0.0),
    Activity.LIE_SIDE: (88.0, 100.0, 0.0, 0.0, 0.0, 0.0),
    Activity.LIE: (88.0, 100.0, 0.0, 0.0, 0.0, 0.0),
}
# trunk (theta, alpha) for lying kinds
_TRUNK_LYING = {
    Activity.LIE_SUPINE: (88.0, 180.0),
    Activity.LIE_PRONE: (88.0, 0.0),
    Activity.LIE_SIDE: (88.0, 90.0),
    Activity.LIE: (88.0, 90.0),
}


@dataclass(frozen=True)
class Truth:
    """What was simulated, per second."""

    activity: NDArray[np.int8]
    trunk_inclination: NDArray[np.float64]
    trunk_flexion: NDArray[np.float64]
    trunk_lateral: NDArray[np.float64]
    arm_elevation: NDArray[np.float64]


def posture_of(bouts: Sequence[Bout]) -> tuple[Truth, dict[str, NDArray[np.float64]]]:
    """Per-second truth and the per-second generator parameters of a schedule."""
    n = sum(b.duration_s for b in bouts)
    act = np.zeros(n, dtype=np.int8)
    p = {
        k: np.zeros(n)
        for k in (
            "th_theta",
            "th_alpha",
            "amp",
            "freq",
            "swing",
            "jitter",
            "tr_theta",
            "tr_alpha",
            "arm",
            "worn",
            "off_x",
            "off_y",
            "off_z",
        )
    }
    i = 0
    for b in bouts:
        s = slice(i, i + b.duration_s)
        act[s] = int(b.activity)
        p["arm"][s] = b.arm_elevation_deg
        if b.activity == Activity.NONWEAR:
            p["worn"][s] = 0.0
            up = np.asarray(b.device_up, dtype=np.float64)
            up = up / np.linalg.norm(up)
            p["off_x"][s], p["off_y"][s], p["off_z"][s] = up
        else:
            p["worn"][s] = 1.0
            th = _THIGH[b.activity]
            for key, value in zip(
                ("th_theta", "th_alpha", "amp", "freq", "swing", "jitter"), th, strict=False
            ):
                p[key][s] = value
            if b.thigh_inclination_deg is not None:
                p["th_theta"][s] = b.thigh_inclination_deg
            p["amp"][s] *= b.intensity
            p["jitter"][s] *= b.intensity
            if b.step_hz is not None:
                p["freq"][s] = b.step_hz / 2.0
            if b.activity in _TRUNK_LYING:
                p["tr_theta"][s], p["tr_alpha"][s] = _TRUNK_LYING[b.activity]
            else:
                fl, la = b.trunk_flexion_deg, b.trunk_lateral_deg
                # inclination and direction of a tilt with these sagittal/frontal components
                tf, tl = np.tan(np.radians(fl)), np.tan(np.radians(la))
                p["tr_theta"][s] = np.degrees(np.arctan(np.hypot(tf, tl)))
                p["tr_alpha"][s] = np.degrees(np.arctan2(tl, tf))
        i += b.duration_s
    upright = p["worn"] > 0
    lying = np.isin(act, [int(a) for a in _TRUNK_LYING])
    tr, al = np.radians(p["tr_theta"]), np.radians(p["tr_alpha"])
    v_up, v_fwd, v_left = np.cos(tr), -np.sin(tr) * np.cos(al), np.sin(tr) * np.sin(al)
    fwd = np.degrees(np.arctan2(-v_fwd, v_up))
    side = np.degrees(np.arctan2(v_left, v_up))
    nan = np.full(n, np.nan)
    truth = Truth(
        activity=act,
        trunk_inclination=np.where(upright, p["tr_theta"], nan),
        trunk_flexion=np.where(upright & ~lying, fwd, nan),
        trunk_lateral=np.where(upright & ~lying, side, nan),
        arm_elevation=np.where(upright, p["arm"], nan),
    )
    return truth, p


class SimulatedSource:
    """A lazily generated recording with the reader interface (``info``, ``chunks``, ``read``)."""

    def __init__(
        self,
        sensor: SimulatedSensor,
        params: dict[str, NDArray[np.float64]],
        *,
        fs_hz: float,
        start: datetime,
        seed: int,
        jitter_s: float = 0.0,
    ) -> None:
        self.sensor = sensor
        self._p = params
        self._n_seconds = int(params["worn"].shape[0])
        self._seed = seed
        self._jitter = jitter_s
        self.info = RecordingInfo(
            path=f"simulated:{sensor.placement}",
            device="simulated",
            fs_hz=fs_hz,
            start=start,
            range_g=8.0,
            placement=sensor.placement,
        )

    def __len__(self) -> int:
        return int(self._n_seconds * self.info.fs_hz)

    def chunks(self, max_samples: int = 1 << 20) -> Iterator[Recording]:
        n = len(self)
        rng = np.random.default_rng(self._seed)
        for i0 in range(0, n, max_samples):
            i1 = min(n, i0 + max_samples)
            yield self._make(i0, i1, rng)

    def read(self) -> Recording:
        return self._make(0, len(self), np.random.default_rng(self._seed))

    def _make(self, i0: int, i1: int, rng: np.random.Generator) -> Recording:
        fs = self.info.fs_hz
        t = np.arange(i0, i1, dtype=np.float64) / fs
        if self._jitter:
            t += rng.uniform(0, self._jitter, t.size)
            t.sort()
        sec = np.minimum(t.astype(np.int64), self._n_seconds - 1)
        p = {k: v[sec] for k, v in self._p.items()}
        acc = self._segment_acc(t, p, rng)
        s = self.sensor
        # sensor tilt on the segment (forward tilt in the up/forward plane)
        d = np.radians(s.tilt_deg)
        up, fw = acc[:, 0].copy(), acc[:, 1].copy()
        acc[:, 0] = np.cos(d) * up + np.sin(d) * fw
        acc[:, 1] = -np.sin(d) * up + np.cos(d) * fw
        e_up, e_fwd, e_left = s.axes.vectors()
        device = acc[:, :1] * e_up + acc[:, 1:2] * e_fwd + acc[:, 2:3] * e_left
        worn = p["worn"] > 0
        # a worn sensor is never perfectly still (breathing, postural sway)
        sway = s.sway_g * (np.sin(2 * np.pi * 1.3 * t) + 0.7 * np.sin(2 * np.pi * 0.45 * t + 1.0))
        device += sway[:, None] * np.array([1.0, 0.8, 0.6])
        if not worn.all():  # off the body, perfectly still
            off = ~worn
            device[off] = np.stack([p["off_x"][off], p["off_y"][off], p["off_z"][off]], axis=1)
        device += rng.normal(0.0, s.noise_g, device.shape)
        raw = (device - np.asarray(s.offset_g)) / np.asarray(s.gain)
        return Recording(time=t, accel=raw.astype(np.float32), info=self.info)

    def _segment_acc(
        self, t: NDArray[np.float64], p: dict[str, NDArray[np.float64]], rng: np.random.Generator
    ) -> NDArray[np.float64]:
        """Acceleration [g] in the segment's (up, forward, left) axes."""
        placement = self.sensor.placement
        phase = 2 * np.pi * p["freq"] * t
        if placement == "thigh":
            theta = np.radians(p["th_theta"] + p["swing"] * np.sin(phase))
            alpha = np.radians(p["th_alpha"])
        elif placement in ("trunk_back", "trunk_lumbar", "trunk_chest"):
            theta = np.radians(p["tr_theta"])
            alpha = np.radians(p["tr_alpha"])
        else:
            theta = np.radians(p["arm"])
            alpha = np.zeros_like(theta)
        acc = np.empty((t.size, 3))
        acc[:, 0] = np.cos(theta)
        acc[:, 1] = -np.sin(theta) * np.cos(alpha)
        acc[:, 2] = np.sin(theta) * np.sin(alpha)
        if placement == "thigh":
            # vertical bounce at the step frequency (twice the stride), as the thigh's long axis
            # shows it most (Acti4), with a smaller stride component
            acc[:, 0] += p["amp"] * (np.sin(2 * phase + 0.5) + 0.3 * np.sin(phase))
            jit = p["jitter"]
            if jit.any():
                acc[:, 1] += jit * np.sin(2 * np.pi * 3.1 * t) * np.sin(2 * np.pi * 0.23 * t)
                acc[:, 2] += jit * np.sin(2 * np.pi * 2.3 * t + 1.0)
        else:
            acc[:, 0] += 0.3 * p["amp"] * np.sin(2 * phase)
        return acc


def simulate(
    bouts: Sequence[Bout],
    sensors: Sequence[SimulatedSensor],
    *,
    fs_hz: float = 50.0,
    start: datetime | None = None,
    seed: int = 0,
    jitter_s: float = 0.0,
) -> tuple[dict[str, SimulatedSource], Truth]:
    """Simulated sources (by placement) and the per-second truth of a schedule."""
    truth, params = posture_of(bouts)
    t0 = start or datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
    out: dict[str, SimulatedSource] = {}
    for i, s in enumerate(sensors):
        out[s.placement] = SimulatedSource(
            s, params, fs_hz=fs_hz, start=t0, seed=seed + i, jitter_s=jitter_s
        )
    return out, truth
