"""Synthetic BlazePose skeletons with known joint angles, as MediaPipe would report them.

A body is built in its own frame (forward, left, up), turned to a heading, put in backcare's
gravity-aligned frame and then into camera axes (x right, y down, z away), optionally for a
pitched camera. Image coordinates are an orthographic projection.
"""

from __future__ import annotations

import numpy as np

from backcare.camera.backend import BLAZEPOSE_LANDMARKS, PoseResult
from backcare.camera.geometry import CAMERA_TO_GRAVITY, pitch_rotation


def _dir(angle_deg: float, down: np.ndarray, fwd: np.ndarray) -> np.ndarray:
    a = np.radians(angle_deg)
    return np.cos(a) * down + np.sin(a) * fwd


def body_points(
    *,
    trunk: float = 0.0,
    neck: float = 0.0,
    arm: float = 0.0,
    elbow: float = 0.0,
    knee: float = 0.0,
    lateral: float = 0.0,
) -> dict[str, np.ndarray]:
    """Landmarks [m] in the body frame (x forward, y left, z up), hips centred at the origin.

    ``trunk`` forward flexion, ``neck`` flexion relative to the trunk, ``arm`` shoulder flexion
    (both arms), ``elbow`` and ``knee`` flexion [deg]; ``lateral`` trunk side bend to the right.
    """
    th, lat = np.radians(trunk), np.radians(lateral)
    up = np.array([np.sin(th) * np.cos(lat), -np.sin(lat), np.cos(th) * np.cos(lat)])
    z_t = up / np.linalg.norm(up)
    y_t = np.array([0.0, 1.0, 0.0]) - z_t[1] * z_t
    y_t /= np.linalg.norm(y_t)
    x_t = np.cross(y_t, z_t)
    p: dict[str, np.ndarray] = {}
    p["left_hip"] = np.array([0.0, 0.1, 0.0])
    p["right_hip"] = np.array([0.0, -0.1, 0.0])
    sh_mid = 0.5 * z_t
    p["left_shoulder"] = sh_mid + 0.18 * y_t
    p["right_shoulder"] = sh_mid - 0.18 * y_t
    head_up = _dir(neck, z_t, x_t)
    head_fwd = np.cross(y_t, head_up)
    ear_mid = sh_mid + 0.2 * head_up
    p["left_ear"] = ear_mid + 0.07 * y_t
    p["right_ear"] = ear_mid - 0.07 * y_t
    p["nose"] = ear_mid + 0.1 * head_fwd
    for side, s in (("left", 1.0), ("right", -1.0)):
        p[f"{side}_eye_inner"] = p["nose"] + 0.02 * head_up + s * 0.015 * y_t
        p[f"{side}_eye"] = p["nose"] + 0.025 * head_up + s * 0.03 * y_t - 0.01 * head_fwd
        p[f"{side}_eye_outer"] = p["nose"] + 0.025 * head_up + s * 0.045 * y_t - 0.02 * head_fwd
        p[f"mouth_{side}"] = p["nose"] - 0.04 * head_up + s * 0.02 * y_t
        upper = _dir(arm, -z_t, x_t)
        fore = _dir(arm + elbow, -z_t, x_t)
        p[f"{side}_elbow"] = p[f"{side}_shoulder"] + 0.3 * upper
        p[f"{side}_wrist"] = p[f"{side}_elbow"] + 0.25 * fore
        p[f"{side}_index"] = p[f"{side}_wrist"] + 0.08 * fore
        p[f"{side}_pinky"] = p[f"{side}_wrist"] + 0.07 * fore - s * 0.02 * y_t
        p[f"{side}_thumb"] = p[f"{side}_wrist"] + 0.04 * fore + s * 0.02 * y_t
        hip = p[f"{side}_hip"]
        p[f"{side}_knee"] = hip + np.array([0.0, 0.0, -0.45])
        shank = np.array([-np.sin(np.radians(knee)), 0.0, -np.cos(np.radians(knee))])
        p[f"{side}_ankle"] = p[f"{side}_knee"] + 0.45 * shank
        p[f"{side}_heel"] = p[f"{side}_ankle"] + np.array([-0.05, 0.0, -0.05])
        p[f"{side}_foot_index"] = p[f"{side}_ankle"] + np.array([0.15, 0.0, -0.05])
    return p


def pose_result(
    *,
    heading_deg: float = 90.0,
    pitch_deg: float = 0.0,
    visibility: dict[str, float] | None = None,
    offset: tuple[float, float] = (0.5, 0.5),
    scale: float = 0.4,
    **angles: float,
) -> PoseResult:
    """A :class:`PoseResult` of :func:`body_points` seen by a camera.

    ``heading_deg``: direction the person faces, counter-clockwise from the camera's viewing
    direction seen from above (180 = facing the camera, 90 = side view facing the image's left,
    -90 = facing the image's right). ``pitch_deg``: camera tilted down. ``visibility`` overrides
    per landmark (default 0.99).
    """
    pts = body_points(**angles)
    h = np.radians(heading_deg)
    rot = np.array([[np.cos(h), -np.sin(h), 0.0], [np.sin(h), np.cos(h), 0.0], [0.0, 0.0, 1.0]])
    g = np.array([rot @ pts[name] for name in BLAZEPOSE_LANDMARKS])
    tilt = pitch_rotation(pitch_deg).rotation
    cam = g @ CAMERA_TO_GRAVITY @ tilt  # inverse of gravity = C @ T @ cam, for row vectors
    image = np.column_stack([offset[0] + scale * cam[:, 0], offset[1] + scale * cam[:, 1]])
    vis = np.full(len(BLAZEPOSE_LANDMARKS), 0.99)
    for name, v in (visibility or {}).items():
        vis[BLAZEPOSE_LANDMARKS.index(name)] = v
    return PoseResult(world=cam, image=image, visibility=vis)
