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

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from backcare.camera.backend import BLAZEPOSE_LANDMARKS, landmark_index
from backcare.errors import InputError
from backcare.knowledge.camera import HipRule, SkeletonRule, ViewThresholds, ViewWidthRule
from backcare.posture.angles import LANDMARKS

__all__ = [
    "CAMERA_TO_GRAVITY",
    "CameraTilt",
    "View",
    "ViewEstimate",
    "angle_points",
    "body_axis_tilt",
    "classify_view",
    "hips_trusted",
    "image_plane_angles",
    "image_view_labels",
    "limb_asymmetry",
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
_L_KNEE, _R_KNEE = landmark_index("left_knee"), landmark_index("right_knee")
_NOSE = landmark_index("nose")
_VIEW_ORDER = {"front": 0, "oblique": 1, "side": 2}


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


def _view_rank(labels: NDArray[np.str_]) -> NDArray[np.int8]:
    """0 front, 1 oblique, 2 side, 9 unknown (lower is more frontal)."""
    rank = np.full(labels.shape, 9, dtype=np.int8)
    for name, value in _VIEW_ORDER.items():
        rank[labels == name] = value
    return rank


def image_view_labels(
    image: ArrayLike,
    visibility: ArrayLike,
    width: int,
    height: int,
    rule: ViewWidthRule,
    min_visibility: float,
    roll_deg: float = 0.0,
) -> NDArray[np.str_]:
    """Front / oblique / side per frame from the image alone (no depth).

    The shoulder width (or, without both shoulders, the hip width) across the picture in pixels
    over the torso length (hip-mid to shoulder-mid) in pixels: at or above
    ``rule.front_min_ratio`` the frame is ``front``, at or below ``rule.side_max_ratio`` it is
    ``side``, between ``oblique``; ``unknown`` without both shoulders (or hips) and both hips
    seen.

    Only the width along the true horizontal counts (the image rows, turned by ``roll_deg``
    [deg], the camera's roll as :class:`CameraTilt` gives it). A shoulder line facing the camera
    lies along it whatever the camera's pitch; side-on the shoulder line runs along the viewing
    direction, which a camera looking down projects up and down the picture, not across it.
    Measured as a plain distance, that vertical offset made a side view from a raised camera
    look oblique or frontal, the more so in a forward bend, where the torso is not foreshortened
    by the pitch as an upright one is.
    """
    xy = np.asarray(image, dtype=np.float64) * np.array([float(width), float(height)])
    v = np.nan_to_num(np.asarray(visibility, dtype=np.float64))
    roll = np.radians(roll_deg)
    across = np.array([np.cos(roll), np.sin(roll)])  # the true horizontal in the picture

    def seen(*idx: int) -> NDArray[np.bool_]:
        return np.asarray(np.all([v[:, i] >= min_visibility for i in idx], axis=0))

    torso = np.linalg.norm(
        0.5 * (xy[:, _L_SH] + xy[:, _R_SH]) - 0.5 * (xy[:, _L_HIP] + xy[:, _R_HIP]), axis=1
    )
    sh = np.abs((xy[:, _L_SH] - xy[:, _R_SH]) @ across)
    hip = np.abs((xy[:, _L_HIP] - xy[:, _R_HIP]) @ across)
    width_px = np.where(seen(_L_SH, _R_SH), sh, np.where(seen(_L_HIP, _R_HIP), hip, np.nan))
    ok = seen(_L_HIP, _R_HIP) & (seen(_L_SH) | seen(_R_SH))
    with np.errstate(invalid="ignore", divide="ignore"):
        # a trunk bent straight at the camera has no length in the picture: wide shoulders
        # then read infinitely frontal (0 / 0 stays unknown)
        ratio = np.where(ok, width_px / torso, np.nan)
    labels = np.full(len(xy), "unknown", dtype="<U7")
    labels[ratio >= rule.front_min_ratio] = "front"
    labels[ratio <= rule.side_max_ratio] = "side"
    labels[(ratio > rule.side_max_ratio) & (ratio < rule.front_min_ratio)] = "oblique"
    return labels


def classify_view(
    world_g: ArrayLike,
    visibility: ArrayLike,
    thresholds: ViewThresholds,
    image_labels: NDArray[np.str_] | None = None,
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
    ``image_labels`` (from :func:`image_view_labels`) cap each frame: the more frontal of the
    two labels is kept, so a depth estimate cannot call a front view side-on.
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
    if image_labels is not None:
        other = np.asarray(image_labels)
        more_frontal = _view_rank(other) < _view_rank(labels)
        labels[more_frontal] = other[more_frontal]
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


def hips_trusted(
    world: ArrayLike,
    image: ArrayLike,
    visibility: ArrayLike,
    rule: HipRule,
    min_visibility: float,
) -> tuple[NDArray[np.bool_], NDArray[np.str_]]:
    """Frames whose hip landmarks may be used for trunk angles, and why not.

    Parameters
    ----------
    world
        ``(n, 33, 3)`` metric landmarks (any frame: only lengths are used).
    image
        ``(n, 33, 2)`` normalised image positions.
    visibility
        ``(n, 33)``.
    rule
        From the camera knowledge file.
    min_visibility
        A landmark below it counts as not seen.

    Returns
    -------
    trusted, reason
        ``trusted`` per frame; ``reason`` ``"edge"`` (a hip outside the image or within the
        margin of its border), ``"no_knee"`` (no knee seen to anchor the hips), ``"proportions"``
        (thigh or shank out of proportion with the torso), ``"unseen"`` (hips not seen at all)
        or ``""``.
    """
    w = np.asarray(world, dtype=np.float64)
    xy = np.asarray(image, dtype=np.float64)
    v = np.nan_to_num(np.asarray(visibility, dtype=np.float64))
    n = w.shape[0]
    reason = np.full(n, "", dtype="<U11")
    hips_seen = (v[:, _L_HIP] >= min_visibility) & (v[:, _R_HIP] >= min_visibility)
    m = rule.edge_margin
    hip_xy = xy[:, [_L_HIP, _R_HIP]]
    with np.errstate(invalid="ignore"):
        inside = np.all((hip_xy >= m) & (hip_xy <= 1.0 - m), axis=(1, 2))
    torso = np.linalg.norm(
        0.5 * (w[:, _L_SH] + w[:, _R_SH]) - 0.5 * (w[:, _L_HIP] + w[:, _R_HIP]), axis=1
    )
    knee_seen = np.zeros(n, dtype=bool)
    in_proportion = np.ones(n, dtype=bool)
    for hip, knee, ankle in ((_L_HIP, _L_KNEE, _L_ANK), (_R_HIP, _R_KNEE, _R_ANK)):
        k_ok = v[:, knee] >= min_visibility
        knee_seen |= k_ok
        with np.errstate(invalid="ignore", divide="ignore"):
            thigh = np.linalg.norm(w[:, knee] - w[:, hip], axis=1) / torso
            shank = np.linalg.norm(w[:, ankle] - w[:, knee], axis=1) / torso
        lo, hi = rule.thigh_to_torso
        in_proportion &= ~k_ok | ((thigh >= lo) & (thigh <= hi))
        a_ok = k_ok & (v[:, ankle] >= min_visibility)
        lo, hi = rule.shank_to_torso
        in_proportion &= ~a_ok | ((shank >= lo) & (shank <= hi))
    reason[~in_proportion] = "proportions"
    reason[~knee_seen] = "no_knee"
    reason[~inside] = "edge"
    reason[~hips_seen] = "unseen"
    return reason == "", reason


#: Paired limbs, each as (proximal, distal) landmark names without the side.
_LIMBS = (("hip", "knee"), ("knee", "ankle"), ("shoulder", "elbow"), ("elbow", "wrist"))


def limb_asymmetry(
    world: ArrayLike, visibility: ArrayLike, rule: SkeletonRule, min_visibility: float
) -> tuple[F64, NDArray[np.bool_]]:
    """How far a skeleton's left and right limbs disagree in length, and which frames to use.

    Parameters
    ----------
    world
        ``(n, 33, 3)`` metric landmarks [m] (any frame: only lengths are used).
    visibility
        ``(n, 33)``.
    rule
        From the camera knowledge file.
    min_visibility
        A landmark below it counts as not seen.

    Returns
    -------
    asymmetry, usable
        The mean of ``|ln(left / right)|`` over the limb pairs (thigh, shank, upper arm,
        forearm) whose four ends are all seen, per frame (NaN without such a pair), and whether
        it is at most ``rule.max_limb_asymmetry`` (a frame without a seen pair is usable).
        People's paired segments differ by a few per cent; a skeleton laid onto the wrong body
        parts (the pelvis read as the head, the arms as legs) pairs unlike limbs. Limbs the
        model only guesses (legs under a desk, out of the picture) are left out.
    """
    w = np.asarray(world, dtype=np.float64)
    v = np.nan_to_num(np.asarray(visibility, dtype=np.float64))
    logs = []
    for a, b in _LIMBS:
        ends = [landmark_index(f"{side}_{p}") for side in ("left", "right") for p in (a, b)]
        seen = np.all(v[:, ends] >= min_visibility, axis=1)
        left = np.linalg.norm(w[:, ends[1]] - w[:, ends[0]], axis=1)
        right = np.linalg.norm(w[:, ends[3]] - w[:, ends[2]], axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            logs.append(np.where(seen, np.abs(np.log(left / right)), np.nan))
    stacked = np.stack(logs)
    count = np.isfinite(stacked).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        asym: F64 = np.where(count > 0, np.nansum(stacked, axis=0) / count, np.nan)
        usable = ~(asym > rule.max_limb_asymmetry)
    return asym, usable


def body_axis_tilt(
    image: ArrayLike,
    visibility: ArrayLike,
    width: int,
    height: int,
    min_visibility: float,
    *,
    worst: bool = False,
) -> float | None:
    """Angle [deg, 0..180] between one pose's body axes in the image and the image's up.

    The axes are the legs (ankle-mid to hip-mid; with one ankle hidden, as side-on, the seen
    leg's ankle to its hip), the torso (hip-mid to shoulder-mid) and the head (shoulder-mid to
    nose), each where both ends are seen. The most upright of them is
    returned (``worst``: the least upright), so a deep forward bend, whose legs stay upright,
    is not mistaken for a turned picture. ``None`` when no axis is seen.
    """
    xy = np.asarray(image, dtype=np.float64).reshape(-1, 2) * np.array([width, height])
    v = np.nan_to_num(np.asarray(visibility, dtype=np.float64)).reshape(-1)

    def mid(a: int, b: int) -> F64 | None:
        if v[a] >= min_visibility and v[b] >= min_visibility:
            out: F64 = 0.5 * (xy[a] + xy[b])
            return out
        return None

    ankles, hips, shoulders = mid(_L_ANK, _R_ANK), mid(_L_HIP, _R_HIP), mid(_L_SH, _R_SH)
    nose = xy[_NOSE] if v[_NOSE] >= min_visibility else None
    axes = [(ankles, hips), (hips, shoulders), (shoulders, nose)]
    if ankles is None:
        # side-on the far leg is hidden behind the near one: the near leg alone is the legs'
        # axis (without it a stoop to the floor, trunk and head level, looked like a turned
        # picture and was read turned by 90 deg)
        for ankle, hip in ((_L_ANK, _L_HIP), (_R_ANK, _R_HIP)):
            if v[ankle] >= min_visibility and v[hip] >= min_visibility:
                axes.append((xy[ankle], xy[hip]))
    tilts: list[float] = []
    for low, high in axes:
        if low is not None and high is not None:
            d = high - low
            length = float(np.hypot(*d))
            if length < 1e-6:
                continue
            # image y grows downwards: "up" is (0, -1)
            tilts.append(float(np.degrees(np.arccos(np.clip(-d[1] / length, -1.0, 1.0)))))
    if not tilts:
        return None
    return max(tilts) if worst else min(tilts)


def _plane_angle(a: F64, b: F64) -> F64:
    """Unsigned angle [deg] between 2D vectors ``(n, 2)``."""
    cross = a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]
    out: F64 = np.degrees(np.arctan2(np.abs(cross), np.einsum("ij,ij->i", a, b)))
    return out


def _facing(xy: F64, v: F64, min_visibility: float) -> F64:
    """+1 where the person faces the picture's +x, -1 towards -x, 0 unknown, per frame.

    The feet (heel to toe) decide where seen; else the nose's side of the ears."""
    votes = np.zeros(len(xy))
    for side in ("left", "right"):
        heel, toe = landmark_index(f"{side}_heel"), landmark_index(f"{side}_foot_index")
        ok = (v[:, heel] >= min_visibility) & (v[:, toe] >= min_visibility)
        votes += np.where(ok, np.sign(xy[:, toe, 0] - xy[:, heel, 0]), 0.0)
    l_ear, r_ear = landmark_index("left_ear"), landmark_index("right_ear")
    ear_l_ok, ear_r_ok = v[:, l_ear] >= min_visibility, v[:, r_ear] >= min_visibility
    ear = np.where(
        (ear_l_ok & ear_r_ok)[:, None],
        0.5 * (xy[:, l_ear] + xy[:, r_ear]),
        np.where(ear_l_ok[:, None], xy[:, l_ear], xy[:, r_ear]),
    )
    head_ok = (v[:, _NOSE] >= min_visibility) & (ear_l_ok | ear_r_ok)
    by_head = np.where(head_ok, np.sign(xy[:, _NOSE, 0] - ear[:, 0]), 0.0)
    out: F64 = np.where(votes != 0, np.sign(votes), by_head)
    return out


def _signed_plane_angle(a: F64, b: F64, facing: F64) -> F64:
    """Angle [deg] from 2D vectors ``a`` to ``b`` (y up), positive towards ``facing``.

    Facing +x, turning from straight down towards +x is anticlockwise (positive cross)."""
    cross = a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]
    out: F64 = facing * np.degrees(np.arctan2(cross, np.einsum("ij,ij->i", a, b)))
    return out


def image_plane_angles(
    image: ArrayLike,
    visibility: ArrayLike,
    width: int,
    height: int,
    side_frames: NDArray[np.bool_],
    min_visibility: float,
    world: ArrayLike | None = None,
    arm_min_in_plane: float = 0.7,
) -> dict[str, F64]:
    """Sagittal joint angles measured in the picture itself, for side-view frames.

    Side-on, the body's sagittal plane is the image plane, where the pose model's image
    landmarks are its most accurate output; its metric landmarks add a depth estimate whose
    noise bends straight limbs (straight standing knees read 17-23 deg from them). Knee
    flexion is the angle between thigh and shank in pixels (the elbow is left to the metric
    landmarks: a forearm reaching towards the camera is foreshortened side-on); neck flexion
    is the angle from the torso axis (hip-mid to shoulder-mid) to the shoulder-mid to ear line,
    positive towards the side the nose points to. The ear is the midpoint of both ears, or with
    ``world`` the ear nearer the camera (the far one is hidden behind the head side-on and only
    guessed).

    With the camera-axis metric landmarks ``world`` ``(n, 33, 3)``, the flexion of the upper
    arm nearer the camera (``upper_arm_flexion_left`` or ``_right``) is measured too: the angle
    from the torso axis pointing down (shoulder-mid to hip-mid) to the shoulder-to-elbow line,
    positive forward (the way the feet point, else the nose), as the posture core defines it in
    the trunk's sagittal plane. The near arm is the side whose shoulder and hip the metric
    landmarks put nearer the camera; it is measured only where its length in the picture,
    relative to the torso's, is at least ``arm_min_in_plane`` of its metric length relative to
    the torso's (an arm reaching towards the camera keeps its metric value). Frames that are not
    side views, or lack a landmark, are NaN.
    """
    xy = np.asarray(image, dtype=np.float64) * np.array([float(width), float(height)])
    xy = xy * np.array([1.0, -1.0])  # y up
    v = np.nan_to_num(np.asarray(visibility, dtype=np.float64))
    side = np.asarray(side_frames, dtype=bool)

    def seen(*idx: int) -> NDArray[np.bool_]:
        return np.asarray(side & np.all([v[:, i] >= min_visibility for i in idx], axis=0))

    out: dict[str, F64] = {}
    for name in ("left", "right"):
        hip, knee, ankle = (landmark_index(f"{name}_{p}") for p in ("hip", "knee", "ankle"))
        k = _plane_angle(xy[:, knee] - xy[:, hip], xy[:, ankle] - xy[:, knee])
        out[f"knee_flexion_{name}"] = np.where(seen(hip, knee, ankle), k, np.nan)
    l_ear, r_ear = landmark_index("left_ear"), landmark_index("right_ear")
    ear_l_ok, ear_r_ok = v[:, l_ear] >= min_visibility, v[:, r_ear] >= min_visibility
    ear = np.where(
        (ear_l_ok & ear_r_ok)[:, None],
        0.5 * (xy[:, l_ear] + xy[:, r_ear]),
        np.where(ear_l_ok[:, None], xy[:, l_ear], xy[:, r_ear]),
    )
    if world is not None:
        # side-on the far ear is hidden behind the head and only guessed: the near one (by the
        # ears' own depth, the head may be turned from the body), as a rater sees it; an ear
        # placed level with or ahead of the eyes is a guess too and is passed over
        w = np.asarray(world, dtype=np.float64)
        eyes = 0.5 * (xy[:, landmark_index("left_eye"), 0] + xy[:, landmark_index("right_eye"), 0])
        ahead = np.sign(xy[:, _NOSE, 0] - ear[:, 0])  # the nose lies well ahead of the ears
        l_ok = ear_l_ok & ((eyes - xy[:, l_ear, 0]) * ahead > 0)
        r_ok = ear_r_ok & ((eyes - xy[:, r_ear, 0]) * ahead > 0)
        left_near = w[:, l_ear, 2] < w[:, r_ear, 2]
        use_left = l_ok & (left_near | ~r_ok)
        ear = np.where(use_left[:, None], xy[:, l_ear], np.where(r_ok[:, None], xy[:, r_ear], ear))
    sh_mid = 0.5 * (xy[:, _L_SH] + xy[:, _R_SH])
    trunk = sh_mid - 0.5 * (xy[:, _L_HIP] + xy[:, _R_HIP])
    head = ear - sh_mid
    facing = np.sign(xy[:, _NOSE, 0] - ear[:, 0])
    cross = trunk[:, 0] * head[:, 1] - trunk[:, 1] * head[:, 0]
    # a head tipped towards the facing side turns clockwise (negative cross) when facing +x
    neck = -facing * np.degrees(np.arctan2(cross, np.einsum("ij,ij->i", trunk, head)))
    ok = seen(_L_HIP, _R_HIP, _L_SH, _R_SH, _NOSE) & (ear_l_ok | ear_r_ok) & (facing != 0)
    out["neck_flexion"] = np.where(ok, neck, np.nan)
    if world is not None:
        near = _near_arm(
            xy,
            v,
            np.asarray(world, dtype=np.float64),
            trunk,
            seen,
            min_visibility=min_visibility,
            arm_min_in_plane=arm_min_in_plane,
        )
        out.update(near)
    return out


def _left_nearer(world: F64) -> NDArray[np.bool_]:
    """Frames where the body's left side is nearer the camera (camera-axis metric landmarks:
    ``z`` grows away from the camera), from the shoulders' and hips' depths together."""
    depth = (world[:, _L_SH, 2] - world[:, _R_SH, 2]) + (world[:, _L_HIP, 2] - world[:, _R_HIP, 2])
    out: NDArray[np.bool_] = depth < 0.0
    return out


def _near_arm(
    xy: F64,
    v: F64,
    world: F64,
    trunk: F64,
    seen: Callable[..., NDArray[np.bool_]],
    *,
    min_visibility: float,
    arm_min_in_plane: float,
) -> dict[str, F64]:
    """Upper-arm flexion of the arm nearer the camera, in the picture (see
    :func:`image_plane_angles`)."""
    left_nearer = _left_nearer(world)
    facing = _facing(xy, v, min_visibility)
    torso_px = np.linalg.norm(trunk, axis=1)
    torso_m = np.linalg.norm(
        0.5 * (world[:, _L_SH] + world[:, _R_SH]) - 0.5 * (world[:, _L_HIP] + world[:, _R_HIP]),
        axis=1,
    )
    out: dict[str, F64] = {}
    for name, near in (("left", left_nearer), ("right", ~left_nearer)):
        sh, elbow = landmark_index(f"{name}_shoulder"), landmark_index(f"{name}_elbow")
        arm = xy[:, elbow] - xy[:, sh]
        with np.errstate(invalid="ignore", divide="ignore"):
            in_plane = (np.linalg.norm(arm, axis=1) / torso_px) / (
                np.linalg.norm(world[:, elbow] - world[:, sh], axis=1) / torso_m
            )
        flex = _signed_plane_angle(-trunk, arm, facing)
        ok = (
            seen(_L_HIP, _R_HIP, _L_SH, _R_SH, elbow)
            & near
            & (facing != 0)
            & (in_plane >= arm_min_in_plane)
        )
        out[f"upper_arm_flexion_{name}"] = np.where(ok, flex, np.nan)
    return out
