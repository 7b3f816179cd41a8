"""From camera-aligned pose landmarks to backcare's gravity-aligned frame, angles and view.

Frames
------
MediaPipe's world landmarks are metres around the hip centre in **camera** axes: ``X`` to the
right of the image, ``Y`` down the image, ``Z`` away from the camera. backcare's frame
(:mod:`backcare.posture.conventions`) has ``+z`` up against gravity; its horizontal heading is
free because the posture core derives the body's own axes. With a **level** camera (optical axis
horizontal, image rows horizontal) the camera's ``-Y`` is up, so

``x = Z`` (away from the camera), ``y = -X``, ``z = -Y``

a proper rotation (right-handed to right-handed), so left and right keep their sign.

A camera that looks down (or up) is corrected by its **pitch** [deg], positive when the camera
is tilted down towards the floor (:func:`pitch_rotation`). Without a stated pitch, a neutral
standing or sitting-upright window can give the camera's tilt: the body's long axis in that
window is taken as vertical (:func:`tilt_from_neutral`); its pitch and roll are reported. With
neither, the camera is assumed level, and the result says so.

View
----
:func:`classify_view` measures how far the shoulder line (and the hip line) turns out of the
image plane about the vertical: about 0 deg is a front (or back) view, about 90 deg a side view.
Which angles each view measures well comes from the camera knowledge file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from backcare.camera.backend import BLAZEPOSE_LANDMARKS, landmark_index
from backcare.errors import InputError
from backcare.knowledge.camera import ViewThresholds
from backcare.posture.angles import LANDMARKS

__all__ = [
    "CAMERA_TO_GRAVITY",
    "CameraTilt",
    "View",
    "ViewEstimate",
    "angle_points",
    "classify_view",
    "pitch_rotation",
    "tilt_from_neutral",
    "to_gravity",
]

F64 = NDArray[np.float64]
View = Literal["front", "side", "oblique", "unknown"]

#: Rows: backcare x, y, z in camera coordinates (level camera).
CAMERA_TO_GRAVITY: F64 = np.array([[0.0, 0.0, 1.0], [-1.0, 0.0, 0.0], [0.0, -1.0, 0.0]])

_ANGLE_INDEX = np.array([landmark_index(name) for name in LANDMARKS])
_L_SH, _R_SH = landmark_index("left_shoulder"), landmark_index("right_shoulder")
_L_HIP, _R_HIP = landmark_index("left_hip"), landmark_index("right_hip")
_L_ANK, _R_ANK = landmark_index("left_ankle"), landmark_index("right_ankle")


@dataclass(frozen=True)
class CameraTilt:
    """How the camera was tilted: ``rotation`` maps camera coordinates to level-camera ones.

    ``pitch_deg`` is positive when the camera looks down; ``roll_deg`` is the angle of the true
    vertical from the image's vertical, positive when it leans to the image's right; ``source``
    says where the tilt came from.
    """

    rotation: F64
    pitch_deg: float
    roll_deg: float
    source: Literal["level", "stated", "neutral"]


def pitch_rotation(pitch_deg: float) -> CameraTilt:
    """Tilt of a camera pitched down by ``pitch_deg`` [deg] (negative: looking up), no roll."""
    if not np.isfinite(pitch_deg) or abs(pitch_deg) >= 90:
        raise InputError("must be between -90 and 90 degrees", where="camera_pitch_deg")
    a = np.radians(pitch_deg)
    c, s = np.cos(a), np.sin(a)
    # columns: the camera's X, Y, Z axes seen from a level camera
    rot = np.array([[1.0, 0.0, 0.0], [0.0, c, s], [0.0, -s, c]])
    source: Literal["level", "stated"] = "stated" if pitch_deg else "level"
    return CameraTilt(rot, float(pitch_deg), 0.0, source)


def _rotation_onto(a: F64, b: F64) -> F64:
    """The smallest rotation taking unit vector ``a`` onto unit vector ``b``."""
    v = np.cross(a, b)
    c = float(np.dot(a, b))
    if c < -1.0 + 1e-9:
        raise InputError("the neutral posture is upside down in the image", where="neutral_s")
    vx = np.array([[0.0, -v[2], v[1]], [v[2], 0.0, -v[0]], [-v[1], v[0], 0.0]])
    rot: F64 = np.eye(3) + vx + vx @ vx / (1.0 + c)
    return rot


def _mid(world: F64, vis: F64, a: int, b: int, min_vis: float) -> F64:
    out = 0.5 * (world[:, a] + world[:, b])
    out[(vis[:, a] < min_vis) | (vis[:, b] < min_vis)] = np.nan
    return out


def tilt_from_neutral(
    world: ArrayLike, visibility: ArrayLike, *, min_visibility: float
) -> CameraTilt:
    """The camera tilt that makes the body's long axis vertical in a neutral window.

    Parameters
    ----------
    world
        ``(n, 33, 3)`` camera-axis world landmarks [m] of frames where the person stands or sits
        upright.
    visibility
        ``(n, 33)``.
    min_visibility
        Landmarks below this visibility are ignored.

    The long axis is ankle-mid to shoulder-mid when the ankles are seen in most frames (standing),
    else hip-mid to shoulder-mid; its median direction over the window is the vertical.
    """
    w = np.asarray(world, dtype=np.float64)
    v = np.asarray(visibility, dtype=np.float64)
    if w.ndim != 3 or w.shape[1:] != (33, 3) or v.shape != w.shape[:2]:
        raise InputError(f"expected (n, 33, 3) landmarks, got {w.shape}", where="neutral_s")
    shoulders = _mid(w, v, _L_SH, _R_SH, min_visibility)
    ankles = _mid(w, v, _L_ANK, _R_ANK, min_visibility)
    hips = _mid(w, v, _L_HIP, _R_HIP, min_visibility)
    base = ankles if np.isfinite(ankles[:, 0]).mean() >= 0.5 else hips
    axis = shoulders - base
    ok = np.isfinite(axis).all(axis=1)
    if not ok.any():
        raise InputError(
            "no frame in the neutral window shows the shoulders and hips clearly enough",
            where="neutral_s",
        )
    unit = axis[ok] / np.linalg.norm(axis[ok], axis=1, keepdims=True)
    up = np.median(unit, axis=0)
    up /= np.linalg.norm(up)
    rot = _rotation_onto(up, np.array([0.0, -1.0, 0.0]))
    # pitch: the up axis leaning towards the camera (-Z) means the camera looks down
    pitch = float(np.degrees(np.arctan2(-up[2], -up[1])))
    roll = float(np.degrees(np.arctan2(up[0], -up[1])))
    return CameraTilt(rot, pitch, roll, "neutral")


def to_gravity(world: ArrayLike, tilt: CameraTilt | None = None) -> F64:
    """Camera-axis landmarks ``(..., 3)`` [m] in backcare's gravity-aligned frame (+z up)."""
    w = np.asarray(world, dtype=np.float64)
    rot = CAMERA_TO_GRAVITY if tilt is None else CAMERA_TO_GRAVITY @ tilt.rotation
    out: F64 = w @ rot.T
    return out


def angle_points(
    world_g: ArrayLike, visibility: ArrayLike
) -> tuple[dict[str, F64], dict[str, F64]]:
    """The posture core's landmarks (:data:`backcare.posture.angles.LANDMARKS`) from BlazePose's
    33: positions ``(n, 3)`` and visibilities ``(n,)`` by name. Frames without a pose are NaN
    (positions) and 0 (visibility)."""
    w = np.asarray(world_g, dtype=np.float64)
    v = np.asarray(visibility, dtype=np.float64)
    if w.ndim != 3 or w.shape[1] != len(BLAZEPOSE_LANDMARKS) or w.shape[2] != 3:
        raise InputError(f"expected (n, 33, 3) landmarks, got {w.shape}", where="landmarks")
    pts = {name: w[:, i] for name, i in zip(LANDMARKS, _ANGLE_INDEX, strict=True)}
    vis = {name: np.nan_to_num(v[:, i]) for name, i in zip(LANDMARKS, _ANGLE_INDEX, strict=True)}
    return pts, vis


@dataclass(frozen=True)
class ViewEstimate:
    """Per-frame and overall camera view of the person."""

    yaw_deg: F64
    per_frame: NDArray[np.str_]
    view: View
    fractions: dict[str, float]
    median_yaw_deg: float | None


def _line_yaw(world_g: F64, vis: F64, a: int, b: int, min_vis: float) -> F64:
    line = world_g[:, a] - world_g[:, b]
    # out-of-image-plane angle about the vertical: x is along the camera axis, y across the image
    yaw = np.degrees(np.arctan2(np.abs(line[:, 0]), np.abs(line[:, 1])))
    yaw[(vis[:, a] < min_vis) | (vis[:, b] < min_vis)] = np.nan
    return yaw


def classify_view(
    world_g: ArrayLike, visibility: ArrayLike, thresholds: ViewThresholds
) -> ViewEstimate:
    """Front, side or oblique view per frame, and the view of the whole clip.

    Parameters
    ----------
    world_g
        ``(n, 33, 3)`` landmarks in the gravity-aligned frame of :func:`to_gravity` (its ``x`` is
        the camera's viewing direction made horizontal).
    visibility
        ``(n, 33)``.
    thresholds
        From the camera knowledge file.

    The yaw of the shoulder line out of the image plane (and of the hip line, averaged when both
    are seen) is 0 deg for a front or back view and 90 deg for a side view. A frame is ``front``
    below ``thresholds.front_max_deg``, ``side`` above ``thresholds.side_min_deg``, ``oblique``
    between, ``unknown`` without a usable line. The clip's view is the most frequent known view
    when it covers at least ``thresholds.dominant_fraction`` of the known frames, else oblique.
    A single visible shoulder (the other hidden behind the body) counts as a side view.
    """
    w = np.asarray(world_g, dtype=np.float64)
    v = np.nan_to_num(np.asarray(visibility, dtype=np.float64))
    mv = thresholds.min_visibility
    lines = np.stack([_line_yaw(w, v, _L_SH, _R_SH, mv), _line_yaw(w, v, _L_HIP, _R_HIP, mv)])
    seen = np.isfinite(lines)
    count = seen.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        yaw = np.where(count > 0, np.where(seen, lines, 0.0).sum(axis=0) / count, np.nan)
    labels = np.full(len(w), "unknown", dtype="<U7")
    labels[yaw < thresholds.front_max_deg] = "front"
    labels[yaw > thresholds.side_min_deg] = "side"
    labels[(yaw >= thresholds.front_max_deg) & (yaw <= thresholds.side_min_deg)] = "oblique"
    one_shoulder = (v[:, _L_SH] >= mv) ^ (v[:, _R_SH] >= mv)
    labels[np.isnan(yaw) & one_shoulder] = "side"
    known = labels != "unknown"
    fractions = {
        name: float((labels == name).sum() / known.sum()) if known.any() else 0.0
        for name in ("front", "side", "oblique")
    }
    view: View = "unknown"
    if known.any():
        best = max(fractions, key=lambda k: fractions[k])
        view = best if fractions[best] >= thresholds.dominant_fraction else "oblique"  # type: ignore[assignment]
    finite = yaw[np.isfinite(yaw)]
    return ViewEstimate(
        yaw_deg=yaw,
        per_frame=labels,
        view=view,
        fractions=fractions,
        median_yaw_deg=float(np.median(finite)) if finite.size else None,
    )
