"""Synthetic skeletons posed at known angles (test helper)."""

from __future__ import annotations

import numpy as np


def _unit(v):
    return v / np.linalg.norm(v)


def _rotate(v, axis, angle_deg):
    """Rodrigues rotation of v about unit axis."""
    k = _unit(axis)
    a = np.radians(angle_deg)
    return v * np.cos(a) + np.cross(k, v) * np.sin(a) + k * np.dot(k, v) * (1 - np.cos(a))


def pose(
    trunk_flexion=0.0,
    trunk_lateral=0.0,
    trunk_twist=0.0,
    neck_flexion=0.0,
    neck_lateral=0.0,
    arm_flexion=(0.0, 0.0),
    arm_abduction=(0.0, 0.0),
    elbow=(0.0, 0.0),
    knee=(0.0, 0.0),
    shoulder_drop_right=0.0,
):
    """Landmarks (x forward, y left, z up) for a person posed at the given angles [deg]."""
    p = {}
    hip_mid = np.array([0.0, 0.0, 1.0])
    p["left_hip"] = hip_mid + np.array([0, 0.1, 0])
    p["right_hip"] = hip_mid - np.array([0, 0.1, 0])
    t = _unit(
        np.array([np.tan(np.radians(trunk_flexion)), -np.tan(np.radians(trunk_lateral)), 1.0])
    )
    sh_mid = hip_mid + 0.5 * t
    y0 = np.array([0.0, 1.0, 0.0])
    y0 = _unit(y0 - np.dot(y0, t) * t)
    y_t = _rotate(y0, t, trunk_twist)
    x_t = np.cross(y_t, t)
    p["left_shoulder"] = sh_mid + 0.18 * y_t
    p["right_shoulder"] = sh_mid - 0.18 * y_t
    head = 0.25 * _unit(
        np.tan(np.radians(neck_flexion)) * x_t - np.tan(np.radians(neck_lateral)) * y_t + t
    )
    p["left_ear"] = sh_mid + head + 0.07 * y_t
    p["right_ear"] = sh_mid + head - 0.07 * y_t
    p["nose"] = sh_mid + head + 0.1 * x_t
    for i, (side, s) in enumerate((("left", 1.0), ("right", -1.0))):
        u = _unit(
            np.tan(np.radians(arm_flexion[i])) * x_t
            + s * np.tan(np.radians(arm_abduction[i])) * y_t
            - t
        )
        shoulder = p[f"{side}_shoulder"]
        elbow_pt = shoulder + 0.3 * u
        perp = _unit(x_t - np.dot(x_t, u) * u)
        f = np.cos(np.radians(elbow[i])) * u + np.sin(np.radians(elbow[i])) * perp
        wrist = elbow_pt + 0.25 * f
        p[f"{side}_elbow"] = elbow_pt
        p[f"{side}_wrist"] = wrist
        p[f"{side}_index"] = wrist + 0.08 * f
        hip = p[f"{side}_hip"]
        knee_pt = hip + np.array([0, 0, -0.45])
        shank = np.cos(np.radians(knee[i])) * np.array([0, 0, -1.0]) + np.sin(
            np.radians(knee[i])
        ) * np.array([-1.0, 0, 0])
        p[f"{side}_knee"] = knee_pt
        p[f"{side}_ankle"] = knee_pt + 0.42 * shank
    # drop the right shoulder straight down (a bag on the left pulls nothing; test asymmetry)
    p["right_shoulder"] = p["right_shoulder"] - np.array([0, 0, shoulder_drop_right])
    return p


def transform(points, yaw_deg=0.0, scale=1.0, shift=(0.0, 0.0, 0.0), mirror=False):
    """Rotate about vertical, scale, translate; mirror swaps the person's left and right."""
    out = {}
    for name, v in points.items():
        v = np.asarray(v, dtype=float)
        if mirror:
            v = v * [1, -1, 1]
            name = name.replace("left", "@").replace("right", "left").replace("@", "right")
        v = _rotate(v, np.array([0, 0, 1.0]), yaw_deg) * scale + np.asarray(shift)
        out[name] = v
    return out
