"""Pure functions of the camera validation script that compare two cameras filming one moment.

The script itself needs videos the project does not ship; these tests build cameras, people
and backcare readings here instead."""

from __future__ import annotations

import math
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest


def _look_at(vc: ModuleType, position: tuple[float, float, float], target: np.ndarray) -> Any:
    """A lab camera at ``position`` [m] aimed at ``target``, picture y down, 1000 px focal."""
    pos = np.asarray(position, dtype=np.float64)
    back = pos - target
    back /= np.linalg.norm(back)  # the camera's third axis points back from the scene
    right = np.cross([0.0, 0.0, 1.0], back)
    right /= np.linalg.norm(right)
    up = np.cross(back, right)
    rotation = np.vstack([right, up, back])
    return vc.LabCamera(rotation, pos, (1000.0, 1000.0), (540.0, 960.0))


def _pixel(cam: Any, point: np.ndarray) -> list[float]:
    """Where ``point`` [m] lands in ``cam``'s picture (the inverse of ``LabCamera.ray``)."""
    p = cam.rotation @ (np.asarray(point) - cam.position)
    return [cam.focal[0] * p[0] / -p[2] + cam.centre[0], cam.focal[1] * p[1] / p[2] + cam.centre[1]]


def _person(lean_forward_deg: float) -> dict[str, np.ndarray]:
    """Hips and shoulders of someone facing +x in the lab, bent forward at the hips."""
    t = math.radians(lean_forward_deg)
    trunk = 0.5 * np.array([math.sin(t), 0.0, math.cos(t)])
    hip = np.array([0.0, 0.0, 1.0])
    left = np.array([0.0, 0.15, 0.0])  # facing +x, the person's left is +y
    return {
        "left_hip": hip + left,
        "right_hip": hip - left,
        "left_shoulder": hip + trunk + 1.3 * left,
        "right_shoulder": hip + trunk - 1.3 * left,
    }


def _seen(vc: ModuleType, cam: Any, joints: dict[str, np.ndarray], **reading: Any) -> dict:
    """A view sample of ``joints`` through ``cam`` with backcare's ``reading``."""
    px = {name: _pixel(cam, xyz) for name, xyz in joints.items()}
    hip = list(np.mean([px["left_hip"], px["right_hip"]], axis=0))
    return {"joints_px": px, "hip_px": hip, **reading}


def test_reba_gap_is_zero_when_the_ranges_share_a_score(vc: ModuleType) -> None:
    assert vc.reba_gap(2, 7, 4, 9) == 0.0
    assert vc.reba_gap(4, 4, 4, 4) == 0.0
    assert vc.reba_gap(2, 3, 5, 7) == 2.0
    assert vc.reba_gap(8, 9, 3, 5) == 3.0


def test_pair_difference_drops_and_measures(vc: ModuleType) -> None:
    side = {"view": "side", "reba_low": 2.0, "reba_high": 4.0, "trunk_flexion": 170.0}
    other = {"view": "oblique", "reba_low": 6.0, "reba_high": 6.0, "trunk_flexion": -170.0}
    diff = vc.pair_difference(side, other)
    assert diff["reba_gap"] == 2.0
    assert diff["reba_midpoint_difference"] == 3.0
    assert diff["trunk_flexion"] == pytest.approx(20.0)  # the short way round
    assert "upper_arm_flexion" not in diff  # neither view measured it
    assert vc.pair_difference(side, {**other, "view": "front"}) == {"dropped": "front view"}
    assert vc.pair_difference({"dropped": "no person"}, side) == {"dropped": "no person"}
    # someone else comes before the view: the pair says nothing about the person either way
    wrong = {**other, "view": "front", "other_person": True}
    assert vc.pair_difference(side, wrong) == {"dropped": "different people"}
    # withheld REBA (an oblique view): the angles are still compared
    unscored = vc.pair_difference(side, {**other, "reba_low": math.nan})
    assert "reba_gap" not in unscored
    assert unscored["trunk_flexion"] == pytest.approx(20.0)


def test_pair_figures(vc: ModuleType) -> None:
    diffs = [
        {"reba_gap": 0.0, "reba_midpoint_difference": 1.0, "trunk_flexion": 10.0},
        {"reba_gap": 2.0, "reba_midpoint_difference": 3.0, "trunk_flexion": 30.0},
        {"knee_flexion": 5.0},
        {"dropped": "front view"},
        {"dropped": "front view"},
        {"dropped": "no person"},
    ]
    out = vc.pair_figures(diffs)
    assert out["pairs"] == 3
    assert out["scored_pairs"] == 2
    assert out["reba_mean_gap"] == 1.0
    assert out["reba_within_1"] == 0.5
    assert out["reba_mean_midpoint_difference"] == 2.0
    assert out["trunk_flexion_mean_difference_deg"] == 20.0
    assert out["knee_flexion_n"] == 1
    assert out["upper_arm_flexion_mean_difference_deg"] is None
    assert out["dropped"] == {"front view": 2, "no person": 1}


def test_a_camera_on_someone_else_is_found(vc: ModuleType) -> None:
    target = np.array([0.0, 0.0, 1.0])
    cams = {
        f"cam0{i}": _look_at(vc, (3 * math.cos(a), 3 * math.sin(a), 1.8), target)
        for i, a in enumerate((0.3, 1.9, 3.5, 5.0), start=1)
    }
    elsewhere = target + np.array([0.0, 1.0, 0.0])  # a second person a metre away
    rays = {
        name: cam.ray(*_pixel(cam, elsewhere if name == "cam03" else target))
        for name, cam in cams.items()
    }
    assert vc.other_person(rays) == {"cam03"}
    del rays["cam03"]
    assert vc.other_person(rays) == set()
    # two cameras that saw two people: either could be wrong. Two lines of sight only miss each
    # other when the second person stands off the plane through both cameras and the first
    # person (someone within that plane cannot be told apart with two cameras)
    c1, c2 = cams["cam01"].position, cams["cam02"].position
    off_plane = np.cross(c2 - c1, target - c1)
    second = target + off_plane / np.linalg.norm(off_plane)
    two = {
        "cam01": cams["cam01"].ray(*_pixel(cams["cam01"], target)),
        "cam02": cams["cam02"].ray(*_pixel(cams["cam02"], second)),
    }
    assert vc.other_person(two) == {"cam01", "cam02"}


def test_lab_trunk_and_pairs_of_one_moment(vc: ModuleType) -> None:
    """A person bent 30 deg forward, facing +x, seen from their left side (+y), from the front
    (+x) and from 45 deg; the front camera analysed someone else."""
    joints = _person(30.0)
    centre = np.array([0.0, 0.0, 1.2])
    cams = {
        "cam01": _look_at(vc, (0.0, 3.0, 1.2), centre),
        "cam02": _look_at(vc, (2.2, 2.2, 1.2), centre),
        "cam03": _look_at(vc, (3.0, 0.0, 1.2), centre),
    }
    away = {n: p + np.array([0.0, -1.5, 0.0]) for n, p in joints.items()}
    reading = {"reba_low": 3.0, "reba_high": 5.0, "trunk_flexion": 28.0}
    samples = {
        "cam01": {0: _seen(vc, cams["cam01"], joints, view="side", **reading)},
        "cam02": {0: _seen(vc, cams["cam02"], joints, view="oblique", knee_flexion=10.0)},
        "cam03": {0: _seen(vc, cams["cam03"], away, view="side", **reading)},
    }
    lab = vc.lab_trunk({c: samples[c][0] for c in ("cam01", "cam02")}, cams)
    assert lab is not None
    assert lab["trunk_flexion"] == pytest.approx(30.0, abs=0.5)
    assert lab["trunk_side_bend"] == pytest.approx(0.0, abs=0.5)
    assert lab["facing_deg"] == 0
    pairs = vc.pair_moments(samples, cams)
    assert samples["cam03"][0]["other_person"] is True
    by_cams = {tuple(p["cameras"]): p for p in pairs}
    assert by_cams[("cam01", "cam03")]["dropped"] == "different people"
    assert by_cams[("cam01", "cam02")]["views"] == ["side", "oblique"]
    assert "reba_gap" not in by_cams[("cam01", "cam02")]  # cam02 has no REBA
    left_side = samples["cam01"][0]["lab"]
    assert left_side["view"] == "side"
    assert left_side["from_front_deg"] == pytest.approx(90.0, abs=1.0)
    assert left_side["trunk_flexion"] == pytest.approx(30.0, abs=0.5)
    assert samples["cam02"][0]["lab"]["view"] == "oblique"
    assert "lab" not in samples["cam03"][0]
    figures = vc.lab_figures([s[0] for s in samples.values()])
    assert figures["views"] == {"oblique": {"oblique": 1}, "side": {"side": 1}}
    assert figures["trunk_flexion_error_deg"] == pytest.approx(2.0, abs=0.5)


@pytest.mark.parametrize(
    ("from_front", "view"),
    [(0, "front"), (180, "front"), (-175, "front"), (90, "side"), (-61, "side"), (45, "oblique")],
)
def test_lab_view(vc: ModuleType, from_front: float, view: str) -> None:
    assert vc.lab_view(from_front) == view


def test_lab_cameras_read_a_qualisys_calibration(vc: ModuleType, tmp_path: Path) -> None:
    # a camera 3 m out along +x, 2 m up, its third axis tilted 20 deg up from +x (so it looks
    # 20 deg down towards the origin); serials like "cam_01" name it cam01
    t = math.radians(20.0)
    back = (math.cos(t), 0.0, math.sin(t))
    right = (0.0, 1.0, 0.0)
    up = np.cross(back, right)
    rows = {"1": right, "2": tuple(up), "3": back}
    attrs = " ".join(f'r{i}{j + 1}="{rows[i][j]}"' for i in "123" for j in range(3))
    (tmp_path / "Calib.qca.txt").write_text(
        '<?xml version="1.0"?><calibration><cameras><camera serial="cam_01">'
        f'<transform x="3000" y="0" z="2000" {attrs}/>'
        '<intrinsic focalLengthU="64000" focalLengthV="64000" centerPointU="34560"'
        ' centerPointV="61440"/></camera></cameras></calibration>'
    )
    cams = vc.lab_cameras(tmp_path / "Calib.qca.txt")
    assert list(cams) == ["cam01"]
    assert cams["cam01"].focal == (1000.0, 1000.0)
    assert cams["cam01"].centre == (540.0, 960.0)
    layout = vc.camera_layout(cams)["cam01"]
    assert layout == {"bearing_deg": 0, "distance_m": 3.0, "height_m": 2.0, "looks_down_deg": 20}
    _, direction = cams["cam01"].ray(540.0, 960.0)  # the picture's centre
    assert direction == pytest.approx(-np.array(back))
