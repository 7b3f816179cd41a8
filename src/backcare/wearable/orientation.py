"""Sensor placement, mounting checks, reference calibration and segment angles.

Mounting
--------
Each placement has default axes (``knowledge/data/wearable/placements.yaml``); the user may give
others (``down=+x,forward=-z``). Two common mistakes are detected and corrected, and reported:

* **upside down** (turned 180 deg about the face normal: the long axis points up). Rule: among the
  worn seconds (for the thigh: the *moving* seconds) in which the segment's long axis is within
  45 deg of the vertical either way, the segment is upright (not inverted) most of the time; if
  most of them read inverted with the given axes, the down axis is flipped. Still thigh seconds
  are left out: lying on the back with the knees bent holds the thigh steeply knee-up, which
  reads as inverted, and a short file of it would otherwise be taken for an upside-down sensor.
  With fewer than 30 moving upright thigh seconds (60 upright seconds for other placements) the
  check is inconclusive and the axes are kept.
* **inside out** (face against the other side: forward and left flip). Thigh rule: in still
  seconds with the thigh near horizontal (sitting), the front of the thigh faces up; if most read
  facing down, the forward axis is flipped. Trunk rule: with a sensor tilt of at least 15 deg
  assumed for the placement (upper back 27 deg), upright seconds lean the sensor that way; if the
  median tilt has the opposite sign beyond half the assumed tilt, the forward axis is flipped.
  Otherwise the check is reported as inconclusive and the given axes are kept.

When the user states the axes explicitly, the checks still run and are reported, but nothing is
corrected: the user's axes are used as given.

Reference
---------
Angles are measured from a reference orientation, found in this order:

1. a **user-given window** of upright standing: the median gravity direction in it is taken as
   neutral (0 deg) for every sensor;
2. otherwise **walking** (at least 30 s of it): the median gravity direction while walking is
   taken to be the segment tilted forward by the angle assumed for the placement (ActiPASS:
   thigh 11 deg of hip flexion, trunk 6 deg of flexion);
3. otherwise the placement's **default sensor tilt** (ActiPASS: upper back 27 deg, chest 10 deg).

The reference is applied as the smallest rotation of the sensor frame that maps the measured
reference direction onto the expected one (so inclination, forward and sideways angles are all
measured from the reference, as Acti4 does), then the posture core's
:func:`~backcare.posture.angles.gravity_angles` gives the angles.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from backcare.errors import InputError
from backcare.knowledge import load
from backcare.knowledge.wearable import PlacementRule, PlacementsDocument
from backcare.posture.angles import AxisName, SegmentAngles, SensorAxes, gravity_angles
from backcare.wearable.placements import PLACEMENTS, TRUNK_PLACEMENTS

__all__ = [
    "PLACEMENTS",
    "TRUNK_PLACEMENTS",
    "MountingReport",
    "Reference",
    "check_mounting",
    "components",
    "default_axes",
    "estimate_reference",
    "placement_rule",
    "rotated",
    "segment_angles",
]

F64 = NDArray[np.float64]
_MIN_SECONDS = 60
_MIN_WALK_S = 30
_MIN_MOVING_S = 30


def placement_rule(placement: str) -> PlacementRule:
    """The knowledge-data defaults for ``placement``."""
    doc = load("wearable/placements.yaml", PlacementsDocument)
    try:
        rule: PlacementRule = doc.get(placement)
        return rule
    except KeyError as exc:
        raise InputError(str(exc.args[0]), where="placement") from None


def default_axes(placement: str) -> SensorAxes:
    rule = placement_rule(placement)
    return SensorAxes(down=rule.down, forward=rule.forward)


def components(vectors: F64, axes: SensorAxes) -> tuple[F64, F64, F64]:
    """Projections of device vectors ``(n, 3)`` on the segment's up, forward and left axes."""
    up, fwd, left = axes.vectors()
    v = np.asarray(vectors, dtype=np.float64)
    basis = np.stack([up, fwd, left])
    c = np.einsum("ij,kj->ki", v, basis)
    return c[0], c[1], c[2]


_FLIP: dict[AxisName, AxisName] = {
    "+x": "-x", "-x": "+x", "+y": "-y", "-y": "+y", "+z": "-z", "-z": "+z"
}  # fmt: skip


def _flip(axis: AxisName) -> AxisName:
    return _FLIP[axis]


@dataclass(frozen=True)
class MountingReport:
    """What the mounting check found for one sensor."""

    placement: str
    given: SensorAxes
    used: SensorAxes
    upside_down: bool | None
    inside_out: bool | None
    notes: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "placement": self.placement,
            "axes_given": f"down={self.given.down},forward={self.given.forward}",
            "axes_used": f"down={self.used.down},forward={self.used.forward}",
            "upside_down": self.upside_down,
            "inside_out": self.inside_out,
            "notes": list(self.notes),
        }


def check_mounting(
    placement: str,
    axes: SensorAxes,
    gravity: F64,
    worn: NDArray[np.bool_],
    still: NDArray[np.bool_],
    *,
    correct: bool = True,
) -> MountingReport:
    """Detect upside-down and inside-out mounting (see the module docstring).

    Parameters
    ----------
    placement
        Body placement name.
    axes
        The axes the user gave (or the placement's defaults).
    gravity
        Per-second mean acceleration ``(n, 3)`` [g] in device axes (orientation low-pass).
    worn, still
        Per-second masks: the sensor is worn; the sensor is still (SD below the movement
        threshold).
    correct
        Apply the corrections found (``False`` when the user gave the axes explicitly: the
        findings are reported, the given axes kept).
    """
    notes: list[str] = []
    down, forward = axes.down, axes.forward
    ok = worn & ~np.isnan(gravity).any(axis=1)
    norm = np.linalg.norm(np.where(ok[:, None], gravity, 0.0), axis=1)
    norm[norm == 0] = np.nan
    a_up, a_fwd, a_left = components(np.where(ok[:, None], gravity, 0.0), axes)
    with np.errstate(invalid="ignore"):
        cos_up = a_up / norm
    vertical = ok & (np.abs(np.nan_to_num(cos_up)) > np.cos(np.radians(45)))
    needed = _MIN_SECONDS
    if placement == "thigh":  # a still thigh may be knee-up (lying, knees bent)
        vertical &= ~still
        needed = _MIN_MOVING_S
    upside: bool | None = None
    if vertical.sum() >= needed:
        inverted = float(np.mean(cos_up[vertical] < 0))
        upside = inverted > 0.5
        notes.append(
            f"long axis inverted in {inverted:.0%} of {int(vertical.sum())} s upright and moving"
        )
        if upside and correct:
            down = _flip(down)
            a_up, a_left = -a_up, -a_left
    else:
        notes.append("upside-down check inconclusive (too little upright movement)")
    inside: bool | None = None
    if placement == "thigh":
        with np.errstate(invalid="ignore"):
            horizontal = ok & still & (np.abs(np.nan_to_num(a_up / norm)) < np.sin(np.radians(30)))
        if horizontal.sum() >= _MIN_SECONDS:
            facing_down = float(np.mean(a_fwd[horizontal] < 0))
            inside = facing_down > 0.5
            notes.append(
                f"thigh front facing down in {facing_down:.0%} of {int(horizontal.sum())} s sitting"
            )
        else:
            notes.append("inside-out check inconclusive (too little sitting time)")
    elif placement in TRUNK_PLACEMENTS:
        tilt = placement_rule(placement).default_forward_offset_deg
        upright = ok & (np.nan_to_num(a_up / norm) > np.cos(np.radians(60)))
        if abs(tilt) >= 15 and upright.sum() >= _MIN_SECONDS:
            fwd_deg = np.degrees(np.arctan2(-a_fwd[upright], a_up[upright]))
            med = float(np.median(fwd_deg))
            inside = bool(np.sign(med) == -np.sign(tilt) and abs(med) > abs(tilt) / 2)
            notes.append(f"median sensor tilt while upright {med:.0f} deg (expected ~{tilt:g})")
        else:
            notes.append("inside-out check inconclusive for this placement")
    if inside and correct:
        forward = _flip(forward)
    used = SensorAxes(down=down, forward=forward)
    if not correct and (upside or inside):
        notes.append("axes given explicitly: kept as given, not corrected")
    if used != axes:
        notes.append(f"axes corrected to down={used.down},forward={used.forward}")
    return MountingReport(placement, axes, used, upside, inside, tuple(notes))


def _tilted_up(axes: SensorAxes, forward_deg: float) -> F64:
    """Device-frame direction of world-up for the segment tilted forward by ``forward_deg``."""
    up, fwd, _ = axes.vectors()
    f = np.radians(forward_deg)
    v: F64 = np.cos(f) * up - np.sin(f) * fwd
    return v


def _rotation(a: F64, b: F64) -> F64:
    """Smallest rotation matrix taking unit vector ``a`` to unit vector ``b`` (Rodrigues)."""
    a = a / np.linalg.norm(a)
    b = b / np.linalg.norm(b)
    v = np.cross(a, b)
    s = float(np.linalg.norm(v))
    c = float(a @ b)
    if s < 1e-12:
        if c > 0:
            return np.eye(3)
        perp = np.eye(3)[int(np.argmin(np.abs(a)))]
        k = np.cross(a, perp)
        k /= np.linalg.norm(k)
        return 2 * np.outer(k, k) - np.eye(3)
    k = v / s
    kx = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    theta = np.arctan2(s, c)
    r: F64 = np.eye(3) + np.sin(theta) * kx + (1 - np.cos(theta)) * (kx @ kx)
    return r


@dataclass(frozen=True)
class Reference:
    """The reference of one sensor: how it was found and the rotation that applies it."""

    method: Literal["window", "walking", "default"]
    rotation: F64
    measured_forward_deg: float
    measured_sideways_deg: float
    seconds: int

    def as_dict(self) -> dict[str, object]:
        return {
            "method": self.method,
            "forward_offset_deg": round(self.measured_forward_deg, 2),
            "sideways_offset_deg": round(self.measured_sideways_deg, 2),
            "seconds": self.seconds,
        }


def estimate_reference(
    placement: str,
    axes: SensorAxes,
    gravity: F64,
    *,
    window: NDArray[np.bool_] | None = None,
    walking: NDArray[np.bool_] | None = None,
) -> Reference:
    """The reference rotation of one sensor (see the module docstring for the order).

    Parameters
    ----------
    gravity
        Per-second mean acceleration ``(n, 3)`` [g] in device axes.
    window
        Mask of the user's upright standing seconds (``None``: not given).
    walking
        Mask of walking seconds (``None``: unknown).
    """
    rule = placement_rule(placement)
    ok = ~np.isnan(gravity).any(axis=1)

    def direction(mask: NDArray[np.bool_]) -> F64:
        g = gravity[mask & ok]
        u = g / np.linalg.norm(g, axis=1, keepdims=True)
        m: F64 = np.median(u, axis=0)
        return m / np.linalg.norm(m)

    def make(
        method: Literal["window", "walking", "default"],
        measured: F64,
        expected_fwd: float,
        seconds: int,
    ) -> Reference:
        ang = gravity_angles(measured[None, :], axes)
        return Reference(
            method,
            _rotation(measured, _tilted_up(axes, expected_fwd)),
            float(ang.forward[0]),
            float(ang.sideways[0]),
            seconds,
        )

    if window is not None:
        n = int((window & ok).sum())
        if n == 0:
            raise InputError(
                "no valid samples of this sensor in the reference window",
                where=f"reference ({placement})",
            )
        return make("window", direction(window), 0.0, n)
    if walking is not None and rule.walking_forward_deg is not None:
        n = int((walking & ok).sum())
        if n >= _MIN_WALK_S:
            return make("walking", direction(walking), rule.walking_forward_deg, n)
    tilt = _tilted_up(axes, rule.default_forward_offset_deg)
    return make("default", tilt, 0.0, 0)


def rotated(gravity: F64, reference: Reference) -> F64:
    """Device vectors ``(n, 3)`` after the reference rotation."""
    out: F64 = np.einsum("ij,kj->ik", np.asarray(gravity, dtype=np.float64), reference.rotation)
    return out


def segment_angles(gravity: F64, axes: SensorAxes, reference: Reference) -> SegmentAngles:
    """Per-second segment angles [deg] after the reference rotation, via the posture core."""
    return gravity_angles(rotated(gravity, reference), axes)
