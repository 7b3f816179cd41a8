"""The Leeds Sports Pose Extended photos: their annotation and the side views kept."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from ._references import Reference, _row, reference_view

#: Leeds Sports Pose's 14 joints in the order of ``joints.mat`` (its "head top" is read as the
#: head; its "neck" point lies between the shoulders and the chin and is kept but not used).
LSP_JOINTS = (
    "right_ankle",
    "right_knee",
    "right_hip",
    "left_hip",
    "left_knee",
    "left_ankle",
    "right_wrist",
    "right_elbow",
    "right_shoulder",
    "left_shoulder",
    "left_elbow",
    "left_wrist",
    "neck",
    "head",
)
#: Source name and image folder of the LSPET photos under ``--data``.
LSPET = ("lspet", "lspet/images")


def lsp_joints(frame: np.ndarray) -> dict[str, np.ndarray]:
    """Named pixel positions of one LSPET annotation, a 14 x 3 array (x, y, visible).

    Joints flagged 0 (not visible; their position is often outside the picture) are dropped."""
    frame = np.asarray(frame, dtype=np.float64)
    if frame.shape != (len(LSP_JOINTS), 3):
        raise ValueError(f"an LSP annotation is 14 x 3, got {frame.shape}")
    return {name: frame[i, :2].copy() for i, name in enumerate(LSP_JOINTS) if frame[i, 2] > 0.5}


def lspet_posture(ref: Reference) -> bool:
    """Whether a hand-placed pose is a side view of someone on their feet or seated.

    Side view: the reference's own shoulder width against its torso length (``reference_view``).
    On their feet or seated: an ankle lies at least a quarter torso length below the hip
    midpoint in the picture, and the trunk leans at most 120 deg from upright either way; this
    keeps stooping and squatting but drops handstands, flips, back bends and people lying down
    (postures outside what REBA and RULA describe)."""
    if reference_view(ref) != "side":
        return False
    hip = ref.mid("left_hip", "right_hip")
    top = ref.mid("left_shoulder", "right_shoulder")
    if hip is None or top is None:
        return False
    trunk = top - hip
    torso = float(np.linalg.norm(trunk))
    lean = math.degrees(math.atan2(abs(float(trunk[0])), -float(trunk[1])))  # image y is down
    ankles = [ref.joints[a] for a in ("left_ankle", "right_ankle") if a in ref.joints]
    return lean <= 120.0 and any(a[1] - hip[1] >= 0.25 * torso for a in ankles)


def build_lspet(lspet: Path) -> list[dict[str, Any]]:
    """Rows of ``keypoints.csv`` for the LSPET photos that pass ``lspet_posture``."""
    from scipy.io import loadmat

    joints = np.asarray(loadmat(str(lspet / "joints.mat"))["joints"], dtype=np.float64)
    if joints.shape[:2] != (len(LSP_JOINTS), 3):
        raise ValueError(f"expected LSPET's 14 x 3 x N joints.mat, got {joints.shape}")
    source, folder = LSPET
    rows: list[dict[str, Any]] = []
    for n in range(joints.shape[2]):
        image = f"{folder}/im{n + 1:05d}.jpg"
        ref = Reference(source, image, 0, "image_px", lsp_joints(joints[:, :, n]))
        if not lspet_posture(ref):
            continue
        for joint, (x, y) in ref.joints.items():
            rows.append(_row(source, image, 0, joint, x, y, math.nan, space="image_px"))
    return rows
