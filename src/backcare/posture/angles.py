"""Joint angles from 3D landmarks and segment angles from a body-worn sensor's gravity vector.

Frames and signs follow :mod:`backcare.posture.conventions`. All functions are vectorised over
samples: landmark arrays have shape ``(n, 3)`` (or ``(3,)`` for one pose), in metres, in a
gravity-aligned frame whose ``+z`` points up; the horizontal heading is arbitrary because the
body's own axes are derived from the landmarks:

* **pelvis frame** -- ``y`` = left hip minus right hip, made horizontal; ``z`` = up;
  ``x = y x z`` (forward). Trunk flexion and lateral bend are measured in this frame, as the
  hip-mid to shoulder-mid vector's angle from vertical in the pelvis's sagittal and frontal planes.
* **trunk frame** -- ``z`` = hip-mid to shoulder-mid; ``y`` = the shoulder line made
  perpendicular to it; ``x = y x z``. Neck and upper-arm angles are relative to the trunk.
* **head inclination** -- the shoulder-mid to ear-mid line's sagittal angle from vertical, in the
  plane normal to the horizontal shoulder line. It needs no hips, so it is available from an
  upper-body view (a desk webcam) where trunk and neck flexion are not.

Angles that need a missing landmark (a NaN row) are NaN: never guessed. The neutral posture of a
particular person is not exactly zero for every angle (for example the ear sits slightly in front
of the shoulder), which is what :func:`reference_offsets` and :func:`apply_offsets` correct.

Camera-derived wrist angles are unsigned (the landmarks do not tell flexion from extension); the
value is the deviation of the hand from the forearm line.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from backcare.errors import InputError
from backcare.posture.series import PostureSeries, SeriesMeta

__all__ = [
    "LANDMARKS",
    "SIGNED_CHANNELS",
    "SegmentAngles",
    "SensorAxes",
    "apply_offsets",
    "channel_landmarks",
    "gravity_angles",
    "joint_angles",
    "reference_offsets",
    "series_from_landmarks",
]

F64 = NDArray[np.float64]

LANDMARKS: tuple[str, ...] = (
    "nose",
    "left_eye",
    "right_eye",
    "left_ear",
    "right_ear",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_index",
    "right_index",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
    "left_heel",
    "right_heel",
    "left_foot_index",
    "right_foot_index",
)

_TRUNK = ("left_hip", "right_hip", "left_shoulder", "right_shoulder")
_HEAD = (*_TRUNK, "left_ear", "right_ear")


def _arm(side: str) -> tuple[str, ...]:
    return (*_TRUNK, f"{side}_elbow")


_NEEDS: dict[str, tuple[str, ...]] = {
    "trunk_flexion": _TRUNK,
    "trunk_lateral": _TRUNK,
    "trunk_twist": _TRUNK,
    "trunk_inclination": _TRUNK,
    "neck_flexion": _HEAD,
    "neck_lateral": _HEAD,
    "neck_twist": _HEAD,
    "shoulder_asymmetry": ("left_shoulder", "right_shoulder"),
    "head_inclination": ("left_shoulder", "right_shoulder", "left_ear", "right_ear"),
}
for _side in ("left", "right"):
    _NEEDS[f"upper_arm_elevation_{_side}"] = _arm(_side)
    _NEEDS[f"upper_arm_flexion_{_side}"] = _arm(_side)
    _NEEDS[f"upper_arm_abduction_{_side}"] = _arm(_side)
    _NEEDS[f"elbow_flexion_{_side}"] = (f"{_side}_shoulder", f"{_side}_elbow", f"{_side}_wrist")
    _NEEDS[f"wrist_flexion_{_side}"] = (f"{_side}_elbow", f"{_side}_wrist", f"{_side}_index")
    _NEEDS[f"knee_flexion_{_side}"] = (f"{_side}_hip", f"{_side}_knee", f"{_side}_ankle")

#: Channels whose zero is a calibratable neutral (signed angles). Unsigned magnitudes
#: (inclination, elevation, elbow/knee flexion) are not shifted by a neutral offset.
SIGNED_CHANNELS: tuple[str, ...] = (
    "trunk_flexion",
    "trunk_lateral",
    "trunk_twist",
    "neck_flexion",
    "neck_lateral",
    "neck_twist",
    "head_inclination",
    "upper_arm_flexion_left",
    "upper_arm_flexion_right",
    "upper_arm_abduction_left",
    "upper_arm_abduction_right",
    "shoulder_asymmetry",
)


def channel_landmarks(channel: str) -> tuple[str, ...]:
    """The landmarks a channel is computed from (used for confidence and reliability notes)."""
    try:
        return _NEEDS[channel]
    except KeyError:
        raise InputError("not computed from landmarks", where=f"channel {channel!r}") from None


# -- vector helpers ------------------------------------------------------------------------------
def _dot(a: F64, b: F64) -> F64:
    out: F64 = np.einsum("ij,ij->i", a, b)
    return out


def _norm(a: F64) -> F64:
    return np.sqrt(_dot(a, a))


def _unit(a: F64) -> F64:
    n = _norm(a)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = a / n[:, None]
    out[n < 1e-12] = np.nan
    return out


def _deg_atan2(y: F64, x: F64) -> F64:
    return np.degrees(np.arctan2(y, x))


#: A shoulder extends to about 60 deg (AAOS normal range); an arm more than this far behind the
#: trunk line has gone up over the head and tipped back, not backwards. Read as flexion.
_MAX_ARM_EXTENSION_DEG = 90.0


def _overhead_as_flexion(flexion: F64) -> F64:
    """Sagittal upper-arm angle [deg] from ``atan2`` (-180..180] with an arm raised over the head
    and tipped back read as full flexion (180 deg) instead of extension past 90 deg."""
    return np.where(flexion < -_MAX_ARM_EXTENSION_DEG, 180.0, flexion)


def _angle_between(a: F64, b: F64) -> F64:
    """Unsigned angle between vectors [deg], robust near 0 and 180."""
    return _deg_atan2(_norm(np.cross(a, b)), _dot(a, b))


def _signed_angle_about(a: F64, b: F64, axis: F64) -> F64:
    """Angle from ``a`` to ``b`` about unit ``axis`` (counter-clockwise positive) [deg]."""
    a_p = a - _dot(a, axis)[:, None] * axis
    b_p = b - _dot(b, axis)[:, None] * axis
    return _deg_atan2(_dot(np.cross(a_p, b_p), axis), _dot(a_p, b_p))


def _points(points: Mapping[str, ArrayLike]) -> tuple[dict[str, F64], int, bool]:
    out: dict[str, F64] = {}
    n: int | None = None
    single = False
    for name, value in points.items():
        if name not in LANDMARKS:
            raise InputError(f"unknown landmark; known: {', '.join(LANDMARKS)}", where=name)
        arr = np.asarray(value, dtype=np.float64)
        if arr.shape == (3,):
            arr = arr[None, :]
            single = True
        if arr.ndim != 2 or arr.shape[1] != 3:
            raise InputError(f"expected shape (n, 3), got {arr.shape}", where=f"landmark {name}")
        if n is None:
            n = arr.shape[0]
        elif arr.shape[0] != n:
            raise InputError(f"has {arr.shape[0]} samples, others {n}", where=f"landmark {name}")
        out[name] = arr
    return out, n or 0, single


# -- landmarks -> angles -------------------------------------------------------------------------
def joint_angles(points: Mapping[str, ArrayLike]) -> dict[str, F64]:
    """Posture channels from 3D landmarks.

    Parameters
    ----------
    points
        Landmark name (from :data:`LANDMARKS`) to positions ``(n, 3)`` or ``(3,)`` [m] in a
        gravity-aligned frame with ``+z`` up. Absent landmarks or NaN rows are missing.

    Returns
    -------
    dict
        Channel name to angle [deg], shape ``(n,)`` (or ``(1,)`` for a single pose). Channels whose
        landmarks are all absent are left out; NaN marks samples where a landmark is missing.
    """
    p, n, _ = _points(points)
    up = np.broadcast_to(np.array([0.0, 0.0, 1.0]), (n, 3))
    out: dict[str, F64] = {}

    def has(*names: str) -> bool:
        return all(name in p for name in names)

    if has(*_TRUNK):
        hip_mid = 0.5 * (p["left_hip"] + p["right_hip"])
        sh_mid = 0.5 * (p["left_shoulder"] + p["right_shoulder"])
        trunk = sh_mid - hip_mid
        hip_line = p["left_hip"] - p["right_hip"]
        shoulder_line = p["left_shoulder"] - p["right_shoulder"]
        # pelvis frame
        y_p = _unit(hip_line * np.array([1.0, 1.0, 0.0]))
        x_p = np.cross(y_p, up)
        out["trunk_flexion"] = _deg_atan2(_dot(trunk, x_p), _dot(trunk, up))
        out["trunk_lateral"] = _deg_atan2(-_dot(trunk, y_p), _dot(trunk, up))
        out["trunk_inclination"] = _angle_between(trunk, up)
        z_t = _unit(trunk)
        out["trunk_twist"] = _signed_angle_about(hip_line, shoulder_line, z_t)
        # trunk frame
        y_t = _unit(shoulder_line - _dot(shoulder_line, z_t)[:, None] * z_t)
        x_t = np.cross(y_t, z_t)
        if has("left_ear", "right_ear"):
            head = 0.5 * (p["left_ear"] + p["right_ear"]) - sh_mid
            out["neck_flexion"] = _deg_atan2(_dot(head, x_t), _dot(head, z_t))
            out["neck_lateral"] = _deg_atan2(-_dot(head, y_t), _dot(head, z_t))
            ear_line = p["left_ear"] - p["right_ear"]
            out["neck_twist"] = _signed_angle_about(shoulder_line, ear_line, z_t)
        for side, sign in (("left", 1.0), ("right", -1.0)):
            if not has(f"{side}_elbow"):
                continue
            arm = p[f"{side}_elbow"] - p[f"{side}_shoulder"]
            down_t = -z_t
            out[f"upper_arm_elevation_{side}"] = _angle_between(arm, down_t)
            out[f"upper_arm_flexion_{side}"] = _overhead_as_flexion(
                _deg_atan2(_dot(arm, x_t), _dot(arm, down_t))
            )
            out[f"upper_arm_abduction_{side}"] = _deg_atan2(
                sign * _dot(arm, y_t), _dot(arm, down_t)
            )
    if has("left_shoulder", "right_shoulder", "left_ear", "right_ear"):
        # Head inclination needs no hips (a desk webcam often sees none): the sagittal angle of
        # the shoulder-mid to ear-mid line from vertical, in the plane normal to the horizontal
        # shoulder line.
        sh_line = p["left_shoulder"] - p["right_shoulder"]
        y_s = _unit(sh_line * np.array([1.0, 1.0, 0.0]))
        x_s = np.cross(y_s, up)
        head_line = 0.5 * (p["left_ear"] + p["right_ear"]) - 0.5 * (
            p["left_shoulder"] + p["right_shoulder"]
        )
        out["head_inclination"] = _deg_atan2(_dot(head_line, x_s), _dot(head_line, up))
    if has("left_shoulder", "right_shoulder"):
        line = p["left_shoulder"] - p["right_shoulder"]
        # + when the right shoulder is higher: right minus left height over the line length
        out["shoulder_asymmetry"] = np.degrees(
            np.arcsin(np.clip(-line[:, 2] / _norm(line), -1.0, 1.0))
        )
    for side in ("left", "right"):
        if has(f"{side}_shoulder", f"{side}_elbow", f"{side}_wrist"):
            out[f"elbow_flexion_{side}"] = _angle_between(
                p[f"{side}_elbow"] - p[f"{side}_shoulder"],
                p[f"{side}_wrist"] - p[f"{side}_elbow"],
            )
        if has(f"{side}_elbow", f"{side}_wrist", f"{side}_index"):
            out[f"wrist_flexion_{side}"] = _angle_between(
                p[f"{side}_wrist"] - p[f"{side}_elbow"],
                p[f"{side}_index"] - p[f"{side}_wrist"],
            )
        if has(f"{side}_hip", f"{side}_knee", f"{side}_ankle"):
            out[f"knee_flexion_{side}"] = _angle_between(
                p[f"{side}_knee"] - p[f"{side}_hip"],
                p[f"{side}_ankle"] - p[f"{side}_knee"],
            )
    return out


def series_from_landmarks(
    time: ArrayLike,
    points: Mapping[str, ArrayLike],
    *,
    visibility: Mapping[str, ArrayLike] | None = None,
    min_visibility: float = 0.5,
    meta: SeriesMeta | None = None,
    activity: ArrayLike | None = None,
) -> PostureSeries:
    """A :class:`PostureSeries` from landmark trajectories.

    Landmarks whose visibility is below ``min_visibility`` are treated as missing, so the angles
    that need them are NaN. Each channel's confidence is the smallest visibility among the
    landmarks it needs (1 where no visibility is given).
    """
    if not 0.0 <= min_visibility <= 1.0:
        raise InputError("must be within [0, 1]", where="min_visibility")
    p, n, _ = _points(points)
    vis: dict[str, F64] = {}
    for name, v in (visibility or {}).items():
        arr = np.asarray(v, dtype=np.float64).reshape(-1)
        if arr.shape != (n,):
            raise InputError(f"expected ({n},), got {arr.shape}", where=f"visibility {name}")
        vis[name] = arr
    masked = {}
    for name, arr in p.items():
        if name in vis:
            arr = arr.copy()
            arr[~(vis[name] >= min_visibility)] = np.nan
        masked[name] = arr
    angles = joint_angles(masked)
    confidence: dict[str, F64] = {}
    for channel, values in angles.items():
        needed = [vis[name] for name in _NEEDS[channel] if name in vis]
        conf = np.minimum.reduce(needed) if needed else np.ones(n)
        conf = np.where(np.isnan(values), 0.0, np.clip(np.nan_to_num(conf), 0.0, 1.0))
        confidence[channel] = conf
    return PostureSeries(
        time,
        angles,
        confidence=confidence,
        activity=activity,
        meta=meta or SeriesMeta(source="camera"),
    )


# -- body-worn sensor ----------------------------------------------------------------------------
AxisName = Literal["+x", "-x", "+y", "-y", "+z", "-z"]
_AXES: dict[str, tuple[int, float]] = {
    "+x": (0, 1.0),
    "-x": (0, -1.0),
    "+y": (1, 1.0),
    "-y": (1, -1.0),
    "+z": (2, 1.0),
    "-z": (2, -1.0),
}


@dataclass(frozen=True)
class SensorAxes:
    """How a sensor is mounted: which signed device axis points DOWN along the segment and which
    points FORWARD (anterior) when the person stands upright in neutral."""

    down: AxisName = "+x"
    forward: AxisName = "-z"

    def __post_init__(self) -> None:
        for field, value in (("down", self.down), ("forward", self.forward)):
            if value not in _AXES:
                raise InputError(f"must be one of {', '.join(_AXES)}, got {value!r}", where=field)
        if self.down[1] == self.forward[1]:
            raise InputError(
                f"down ({self.down}) and forward ({self.forward}) must be different axes",
                where="sensor axes",
            )

    @classmethod
    def parse(cls, text: str) -> SensorAxes:
        """From ``"down=+x,forward=-z"``."""
        fields: dict[str, Any] = {}
        for part in text.split(","):
            key, _, value = part.partition("=")
            key = key.strip()
            if key not in {"down", "forward"} or not value:
                raise InputError("expected 'down=<axis>,forward=<axis>'", where=f"axes {text!r}")
            fields[key] = value.strip()
        return cls(**fields)

    def vectors(self) -> tuple[F64, F64, F64]:
        """Unit vectors (device coordinates) of the segment's up, forward and left directions."""
        up = np.zeros(3)
        fwd = np.zeros(3)
        i, s = _AXES[self.down]
        up[i] = -s
        j, t = _AXES[self.forward]
        fwd[j] = t
        left = np.cross(up, fwd)
        return up, fwd, left


@dataclass(frozen=True)
class SegmentAngles:
    """Orientation of a body segment from gravity [deg].

    ``inclination`` is the unsigned angle of the segment's long axis from vertical (0..180);
    ``forward`` the tilt of the segment's up axis (from its lower to its upper end) in the
    sagittal plane (+ when the upper end moves forward, -180..180) and ``sideways`` in the frontal
    plane (+ when the upper end moves to the person's right). For the trunk, flexion is positive
    ``forward``; for the thigh, hip flexion (knee forward, as in sitting) is negative.
    """

    inclination: F64
    forward: F64
    sideways: F64


def gravity_angles(acc_g: ArrayLike, axes: SensorAxes | None = None) -> SegmentAngles:
    """Segment angles from accelerometer samples dominated by gravity.

    Parameters
    ----------
    acc_g
        Acceleration ``(n, 3)`` [g] in device axes, ideally low-pass filtered (orientation). An
        accelerometer at rest reads +1 g along the direction pointing UP.
    axes
        The mounting; default ``SensorAxes()`` (x down, -z forward).
    """
    a = np.asarray(acc_g, dtype=np.float64)
    if a.ndim == 1 and a.shape == (3,):
        a = a[None, :]
    if a.ndim != 2 or a.shape[1] != 3:
        raise InputError(f"expected shape (n, 3), got {a.shape}", where="acceleration")
    up, fwd, left = (axes or SensorAxes()).vectors()
    a_up = a @ up
    a_fwd = a @ fwd
    a_left = a @ left
    mag = np.sqrt(np.einsum("ij,ij->i", a, a))
    with np.errstate(invalid="ignore", divide="ignore"):
        inclination = np.degrees(np.arccos(np.clip(a_up / mag, -1.0, 1.0)))
    inclination[mag < 1e-9] = np.nan
    return SegmentAngles(
        inclination=inclination,
        forward=np.degrees(np.arctan2(-a_fwd, a_up)),
        sideways=np.degrees(np.arctan2(a_left, a_up)),
    )


# -- neutral calibration -------------------------------------------------------------------------
def reference_offsets(
    series: PostureSeries,
    t0: float,
    t1: float,
    channels: Iterable[str] | None = None,
    *,
    min_valid_fraction: float = 0.5,
) -> dict[str, float]:
    """Per-person zero offsets: the median of each signed channel over a neutral window.

    Parameters
    ----------
    series
        The posture series.
    t0, t1
        The reference window [s] in ``series.time`` (standing or sitting upright, looking ahead).
    channels
        Channels to calibrate; default every signed channel present (:data:`SIGNED_CHANNELS`).
    min_valid_fraction
        Fraction of the window's samples that must have a value, else the channel is an error.
    """
    window = series.between(t0, t1)
    if len(window) == 0:
        raise InputError(f"no samples between {t0:g} s and {t1:g} s", where="reference window")
    names = list(channels) if channels is not None else [c for c in SIGNED_CHANNELS if c in series]
    offsets: dict[str, float] = {}
    for name in names:
        if name not in SIGNED_CHANNELS:
            raise InputError("only signed angles can be calibrated", where=f"channel {name!r}")
        values = window.get(name)
        if values is None:
            raise InputError("not in the series", where=f"channel {name!r}")
        valid = ~np.isnan(values)
        if valid.mean() < min_valid_fraction:
            raise InputError(
                f"only {valid.mean():.0%} of the reference window has a value "
                f"(needs {min_valid_fraction:.0%})",
                where=f"channel {name!r}",
            )
        offsets[name] = float(np.median(values[valid]))
    return offsets


def apply_offsets(series: PostureSeries, offsets: Mapping[str, float]) -> PostureSeries:
    """Subtract neutral offsets [deg]; they are recorded (added up) in ``meta.calibration``."""
    values: dict[str, F64] = {}
    for name, offset in offsets.items():
        if name not in SIGNED_CHANNELS:
            raise InputError("only signed angles can be calibrated", where=f"channel {name!r}")
        shifted = series[name].astype(np.float64) - offset
        values[name] = (shifted + 180.0) % 360.0 - 180.0  # wrap into [-180, 180)
    calibration = dict(series.meta.calibration)
    for name, offset in offsets.items():
        calibration[name] = calibration.get(name, 0.0) + float(offset)
    meta = series.meta.model_copy(update={"calibration": calibration})
    kept = {k: c for k in values if (c := series.confidence(k)) is not None}
    return series.replace(values=values, confidence=kept, meta=meta)
