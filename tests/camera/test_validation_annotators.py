"""The camera validation script's comparison of two hand placements of the same photos.

Synthetic keypoints only: a worker bent forward, placed twice with known offsets."""

from __future__ import annotations

import math
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from tests.camera._poses import BENT

IMAGE = "handplaced/someone/work-photos/lift.jpg"


def _ref(vc: ModuleType, joints: dict[str, tuple[float, float]], image: str = IMAGE) -> Any:
    pts = {k: np.asarray(v, dtype=np.float64) for k, v in joints.items()}
    return vc.Reference("handplaced", image, 0, "image_px", pts)


def _moved(**shift: tuple[float, float]) -> dict[str, tuple[float, float]]:
    return {
        k: (x + shift.get(k, (0, 0))[0], y + shift.get(k, (0, 0))[1]) for k, (x, y) in BENT.items()
    }


def test_same_placement_agrees_fully(vc: ModuleType) -> None:
    out = vc.annotator_agreement([_ref(vc, BENT)], [_ref(vc, BENT)])
    assert out["photos"] == 1
    assert out["trunk_flexion_mean_abs_diff_deg"] == 0.0
    assert out["trunk_flexion_n"] == 1
    assert out["reba_exact"] == 1.0
    assert out["joints"]["left_hip"]["mean_distance_torso"] == 0.0


def test_hips_placed_lower_and_further_back_tilt_the_trunk_forward(vc: ModuleType) -> None:
    # the second annotator puts both hips 10 px lower and 5 px behind the first one's
    second = _moved(left_hip=(-5.0, 10.0), right_hip=(-5.0, 10.0))
    out = vc.annotator_agreement([_ref(vc, BENT)], [_ref(vc, second)])
    first_trunk = vc.annotator_angles(_ref(vc, BENT))["trunk_flexion"]
    second_trunk = vc.annotator_angles(_ref(vc, second))["trunk_flexion"]
    assert out["trunk_flexion_mean_abs_diff_deg"] == pytest.approx(
        abs(second_trunk - first_trunk), abs=0.05
    )
    assert out["trunk_flexion_mean_signed_diff_deg"] == pytest.approx(
        second_trunk - first_trunk, abs=0.05
    )
    hip = out["joints"]["left_hip"]
    torso = math.dist((101.0, 199.5), (136.0, 164.5))
    assert hip["mean_distance_torso"] == pytest.approx(math.hypot(5, 10) / torso, abs=1e-3)
    assert hip["mean_ahead_torso"] == pytest.approx(-5 / torso, abs=1e-3)  # behind: facing +x
    assert hip["mean_up_torso"] == pytest.approx(-10 / torso, abs=1e-3)  # lower
    assert out["joints"]["nose"]["mean_distance_torso"] == 0.0


def test_a_placement_on_another_person_is_set_aside(vc: ModuleType) -> None:
    far = {k: (x + 300.0, y) for k, (x, y) in BENT.items()}
    out = vc.annotator_agreement([_ref(vc, BENT)], [_ref(vc, far)])
    assert out["photos"] == 0
    assert out["different_person"] == [IMAGE]
    assert out["trunk_flexion_n"] == 0
    assert out["trunk_flexion_mean_abs_diff_deg"] is None


def test_mean_angle_goes_the_short_way_round(vc: ModuleType) -> None:
    assert vc.mean_angle(10.0, 30.0) == pytest.approx(20.0)
    assert vc.angle_error(vc.mean_angle(170.0, -170.0), 180.0) == pytest.approx(0.0)
    assert math.isnan(vc.mean_angle(10.0, math.nan))


def test_backcare_error_against_each_annotator_and_their_mean(vc: ModuleType) -> None:
    nan = math.nan
    row = {
        "measured": {"trunk_flexion": 50.0, "neck_flexion": nan, "upper_arm_flexion": 20.0},
        "reference": {"trunk_flexion": 40.0, "neck_flexion": 10.0, "upper_arm_flexion": nan},
        "reba": {"reference": 5, "low": 6.0, "high": 7.0},
        "second": {
            "reference": {"trunk_flexion": 46.0, "neck_flexion": 12.0, "upper_arm_flexion": 25.0},
            "reba": 3,
            "rula": 3,
            "reba_mean": 4,
            "rula_mean": 3,
        },
    }
    out = vc.backcare_vs_annotators([row])
    trunk = out["trunk_flexion"]
    assert (trunk["n"], trunk["first_deg"], trunk["second_deg"]) == (1, 10.0, 4.0)
    assert (trunk["mean_deg"], trunk["between_deg"]) == (7.0, 6.0)
    # backcare gives no neck, the first annotator no arm: neither angle is compared
    assert out["neck_flexion"]["n"] == 0
    assert out["upper_arm_flexion"]["n"] == 0
    assert out["reba_n"] == 1
    assert out["reba_within_1_vs_first"] == 1.0
    assert out["reba_within_1_vs_second"] == 0.0
    assert out["reba_within_1_vs_mean"] == 0.0
    assert out["rula_n"] == 0


def test_second_annotator_text_names_the_figures(vc: ModuleType) -> None:
    between = vc.annotator_agreement([_ref(vc, BENT)], [_ref(vc, BENT)])
    text = vc.second_annotator_text(
        {"between_annotators": between, "backcare_vs": vc.backcare_vs_annotators([])}
    )
    assert "trunk_flexion: annotators differ by 0.0 deg" in text
    assert "REBA between annotators: exact 100%" in text
