"""Poses in pixels shared by the validation tests."""

from __future__ import annotations

# One worker seen from the left, facing +x, trunk bent 45 deg forward, legs straight (pixels).
BENT = {
    "left_ankle": (100.0, 300.0),
    "left_knee": (100.0, 250.0),
    "left_hip": (100.0, 200.0),
    "right_hip": (102.0, 199.0),
    "left_shoulder": (135.0, 165.0),
    "right_shoulder": (137.0, 164.0),
    "left_elbow": (135.0, 205.0),
    "left_wrist": (135.0, 240.0),
    "left_ear": (152.0, 148.0),
    "nose": (162.0, 150.0),
}
