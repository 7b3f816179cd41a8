"""Pure helpers of the camera validation script that read Leeds Sports Pose annotations.

The script itself needs photos the project does not ship; these tests give it small poses
written here instead."""

from __future__ import annotations

import csv
import math
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest


def _lsp(points: dict[str, tuple[float, float]], names: tuple[str, ...]) -> np.ndarray:
    """A 14 x 3 LSP annotation with the given joints visible and the rest flagged hidden."""
    frame = np.zeros((14, 3))
    frame[:, :2] = -5.0  # where LSPET puts joints outside the picture
    for name, (x, y) in points.items():
        i = names.index(name)
        frame[i] = (x, y, 1.0)
    return frame


# A person seen from their left, facing +x, bent forward 45 deg at the hips, legs straight,
# upper arm hanging straight down, head in line with the trunk (pixels, y down).
BENT = {
    "right_ankle": (100.0, 300.0),
    "left_ankle": (102.0, 300.0),
    "right_knee": (100.0, 250.0),
    "left_knee": (102.0, 250.0),
    "right_hip": (100.0, 200.0),
    "left_hip": (101.0, 200.0),
    "right_shoulder": (135.0, 165.0),
    "left_shoulder": (137.0, 164.0),
    "left_elbow": (137.0, 204.0),
    "left_wrist": (137.0, 240.0),
    "neck": (143.0, 158.0),
    "head": (156.0, 145.0),
}


def test_lsp_joints_names_visible_points_and_drops_hidden_ones(vc: ModuleType) -> None:
    frame = _lsp({"right_ankle": (10.0, 20.0), "head": (30.0, 5.0)}, vc.LSP_JOINTS)
    joints = vc.lsp_joints(frame)
    assert set(joints) == {"right_ankle", "head"}
    np.testing.assert_allclose(joints["head"], [30.0, 5.0])


def test_lsp_joints_refuses_another_layout(vc: ModuleType) -> None:
    with pytest.raises(ValueError, match="14 x 3"):
        vc.lsp_joints(np.zeros((3, 14)))


def test_lsp_head_top_gives_the_sagittal_angles_of_a_side_view(vc: ModuleType) -> None:
    joints = vc.lsp_joints(_lsp(BENT, vc.LSP_JOINTS))
    ref = vc.Reference("lspet", "im.jpg", 0, "image_px", joints)
    assert vc.reference_view(ref) == "side"
    angles = vc.reference_angles_2d(ref)
    assert angles["trunk_flexion"] == pytest.approx(45.0, abs=2.0)
    # head top in line with the trunk: little neck flexion
    assert abs(angles["neck_flexion"]) < 5.0
    # arm hanging straight down while the trunk leans 45 deg forward
    assert angles["upper_arm_flexion"] == pytest.approx(45.0, abs=3.0)
    assert angles["knee_flexion"] == pytest.approx(0.0, abs=3.0)


def test_lspet_posture_keeps_a_side_view_bend(vc: ModuleType) -> None:
    ref = vc.Reference("lspet", "im.jpg", 0, "image_px", vc.lsp_joints(_lsp(BENT, vc.LSP_JOINTS)))
    assert vc.lspet_posture(ref)


def test_lspet_posture_drops_a_handstand_and_a_front_view(vc: ModuleType) -> None:
    # the bent pose turned upside down: ankles above the hips
    upside_down = {k: (x, 400.0 - y) for k, (x, y) in BENT.items()}
    ref = vc.Reference(
        "lspet", "im.jpg", 0, "image_px", vc.lsp_joints(_lsp(upside_down, vc.LSP_JOINTS))
    )
    assert not vc.lspet_posture(ref)
    front = dict(BENT)
    front["right_shoulder"], front["left_shoulder"] = (70.0, 150.0), (130.0, 150.0)
    front["right_hip"], front["left_hip"] = (80.0, 200.0), (120.0, 200.0)
    ref = vc.Reference("lspet", "im.jpg", 0, "image_px", vc.lsp_joints(_lsp(front, vc.LSP_JOINTS)))
    assert not vc.lspet_posture(ref)


def test_lspet_posture_needs_both_shoulders(vc: ModuleType) -> None:
    points = {k: v for k, v in BENT.items() if k != "right_shoulder"}
    ref = vc.Reference("lspet", "im.jpg", 0, "image_px", vc.lsp_joints(_lsp(points, vc.LSP_JOINTS)))
    assert not vc.lspet_posture(ref)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [(10.0, -5.0, 15.0), (175.0, -175.0, 10.0), (-170.0, 170.0, 20.0), (90.0, -90.0, 180.0)],
)
def test_angle_error_goes_the_short_way_round(
    vc: ModuleType, a: float, b: float, expected: float
) -> None:
    assert vc.angle_error(a, b) == pytest.approx(expected)
    assert math.isnan(vc.angle_error(math.nan, 0.0))


def test_write_references_replaces_one_source_and_keeps_the_order(
    vc: ModuleType, tmp_path: Path
) -> None:
    path = tmp_path / "keypoints.csv"

    def row(source: str, joint: str) -> dict[str, object]:
        return vc._row(source, f"{source}.jpg", 0, joint, 1.0, 2.0, math.nan, space="image_px")

    vc.write_references(path, [row("a", "head"), row("b", "head")])
    vc.write_references(path, [row("c", "neck")])
    vc.write_references(path, [row("a", "neck"), row("a", "head")])
    with path.open(newline="") as fh:
        got = [(r["source"], r["joint"]) for r in csv.DictReader(fh)]
    assert got == [("a", "neck"), ("a", "head"), ("b", "head"), ("c", "neck")]


def test_knee_facing_reads_the_way_a_bent_knee_points(vc: ModuleType) -> None:
    squat_facing_right = {
        "left_hip": np.array([0.0, 0.0]),
        "left_knee": np.array([40.0, 20.0]),
        "left_ankle": np.array([5.0, 60.0]),
    }
    assert vc.knee_facing(squat_facing_right) == 1.0
    mirrored = {k: np.array([-v[0], v[1]]) for k, v in squat_facing_right.items()}
    assert vc.knee_facing(mirrored) == -1.0
    straight = {**squat_facing_right, "left_knee": np.array([1.0, 30.0])}
    assert vc.knee_facing(straight) is None


def test_a_back_arch_over_a_bar_reads_as_extension(vc: ModuleType) -> None:
    # face up, hips highest, head and shoulders hanging to the left, thighs to the right with
    # the shins hanging down (knees bent): the trunk leans back, it is not a forward bend
    arch = {
        "left_hip": (200.0, 100.0),
        "right_hip": (200.0, 102.0),
        "left_shoulder": (150.0, 117.0),
        "right_shoulder": (150.0, 115.0),
        "head": (128.0, 135.0),
        "left_knee": (240.0, 120.0),
        "right_knee": (240.0, 121.0),
        "left_ankle": (240.0, 170.0),
        "right_ankle": (241.0, 170.0),
        "left_elbow": (140.0, 140.0),
    }
    ref = vc.Reference("lspet", "im.jpg", 0, "image_px", vc.lsp_joints(_lsp(arch, vc.LSP_JOINTS)))
    assert vc.reference_view(ref) == "side"
    assert vc.reference_angles_2d(ref)["trunk_flexion"] == pytest.approx(-107.0, abs=3.0)


def test_an_arm_overhead_tipped_back_is_flexion_beyond_180(vc: ModuleType) -> None:
    # upright, facing +x (knee bent forward), left arm straight up and a little behind the head
    points = {
        **{k: v for k, v in BENT.items() if not k.startswith("left_") or "ankle" in k},
        "right_hip": (100.0, 200.0),
        "left_hip": (101.0, 200.0),
        "right_shoulder": (100.0, 150.0),
        "left_shoulder": (101.0, 150.0),
        "right_knee": (115.0, 250.0),
        "left_knee": (116.0, 250.0),
        "left_elbow": (96.0, 115.0),
        "left_wrist": (92.0, 80.0),
        "head": (104.0, 125.0),
    }
    ref = vc.Reference("lspet", "im.jpg", 0, "image_px", vc.lsp_joints(_lsp(points, vc.LSP_JOINTS)))
    assert vc.knee_facing(ref.joints) == 1.0
    assert vc.reference_angles_2d(ref)["upper_arm_flexion_left"] == pytest.approx(187.0, abs=2.0)


def test_reference_score_takes_flexion_past_180_as_the_top_band(vc: ModuleType) -> None:
    base = {
        "trunk_flexion": 5.0,
        "neck_flexion": 10.0,
        "elbow_flexion": 80.0,
        "knee_flexion": 10.0,
    }
    past = vc.reference_scores({**base, "upper_arm_flexion": 200.0})
    raised = vc.reference_scores({**base, "upper_arm_flexion": 170.0})
    down = vc.reference_scores({**base, "upper_arm_flexion": 0.0})
    assert past == raised
    assert past[0] is not None
    assert down[0] is not None
    assert past[0] > down[0]


def test_an_upper_arm_pointing_at_the_camera_gives_no_angle(vc: ModuleType) -> None:
    # BENT's left upper arm is 40 px against a 50 px torso; drawn 15 px it points at the lens
    short = {**BENT, "left_elbow": (137.0, 179.0), "left_wrist": (150.0, 185.0)}
    joints = vc.lsp_joints(_lsp(short, vc.LSP_JOINTS))
    angles = vc.reference_angles_2d(vc.Reference("lspet", "im.jpg", 0, "image_px", joints))
    assert math.isnan(angles["upper_arm_flexion"])
    assert angles["trunk_flexion"] == pytest.approx(45.0, abs=2.0)
