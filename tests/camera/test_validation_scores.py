"""The validation's REBA agreement: the range a person sees and the stricter one-number reading."""

from __future__ import annotations

import math
from types import ModuleType, SimpleNamespace

import numpy as np


def _row(low: float, high: float, reference: int, point: int | None) -> dict[str, object]:
    return {
        "group": "side",
        "source": "test",
        "reba": {"reference": reference, "low": low, "high": high, "point": point},
    }


def test_a_wide_range_agrees_but_the_point_reading_shows_the_miss(vc: ModuleType) -> None:
    # backcare's range 2..6 holds the reference 5, but its own angles scored without the
    # unknown adjustments give 2: three points low, another action level
    entry = vc.figures([_row(2, 6, 5, 2)])
    assert entry["reba_within_1"] == 1.0
    assert entry["reba_point_within_1"] == 0.0
    assert entry["reba_point_same_level"] == 0.0
    assert entry["reba_point_mean_difference"] == 3.0
    assert entry["reba_point_bias"] == -3.0


def test_point_figures_count_only_rows_that_have_both(vc: ModuleType) -> None:
    rows = [_row(4, 4, 4, 4), _row(3, 5, 4, 5), _row(3, 5, 4, None), _row(math.nan, math.nan, 4, 4)]
    entry = vc.figures(rows)
    assert entry["reba_n"] == 3  # the unscored row is not counted
    assert entry["reba_point_n"] == 2
    assert entry["reba_point_exact"] == 0.5
    assert entry["reba_point_within_1"] == 1.0
    assert entry["reba_point_bias"] == 0.5


def test_measured_angles_are_scored_the_way_the_reference_is(vc: ModuleType) -> None:
    angles = {
        "trunk_flexion": 70.0,
        "neck_flexion": 10.0,
        "upper_arm_flexion": 80.0,
        "elbow_flexion": 20.0,
        "knee_flexion": 40.0,
    }
    bent = vc.reference_scores(angles)
    upright = vc.reference_scores({**angles, "trunk_flexion": 5.0})
    assert bent[0] > upright[0]  # REBA: trunk band 4 against 2
    assert bent[1] > upright[1]  # RULA likewise
    assert vc.reference_scores({**angles, "elbow_flexion": math.nan}) == (None, None)


def _side_view(elbow: tuple[float, float]) -> dict[str, np.ndarray]:
    """A person facing right (+x), upright, seen from the side, in pixels (y down)."""
    pts = {
        "nose": (130, 40),
        "left_shoulder": (100, 100),
        "right_shoulder": (102, 100),
        "left_hip": (100, 300),
        "right_hip": (102, 300),
        "left_elbow": elbow,
        "left_knee": (130, 400),
        "left_ankle": (100, 500),
    }
    return {k: np.array(v, dtype=float) for k, v in pts.items()}


def test_swapped_points_tell_a_misplaced_elbow_from_a_misplaced_trunk(vc: ModuleType) -> None:
    from backcare.camera.backend import landmark_index

    ref = vc.Reference("handplaced", "x.jpg", 0, "image_px", _side_view((200, 100)))  # arm 90 deg
    width, height = 400, 600
    image = np.full((33, 3), np.nan)
    seen = np.zeros(33)
    model = {**_side_view((100, 200)), "right_elbow": np.array([100.0, 200.0])}  # arm hanging
    for name, xy in model.items():
        image[landmark_index(name)] = [xy[0] / width, xy[1] / height, 0.0]
        seen[landmark_index(name)] = 1.0
    analysis = SimpleNamespace(track=SimpleNamespace(image=[image], visibility=[seen]))
    out = vc.swapped_points(ref, analysis, width, height)
    assert round(out["model_elbow_left"]) == 0  # the model's elbow carries the whole error
    assert round(out["model_trunk_left"]) == 90  # its trunk and shoulders agree
    rows = [
        {
            "reference": {"upper_arm_flexion_left": 90.0},
            "measured": {"upper_arm_flexion_left": 0.0},
            "swapped": out,
        }
    ]
    source = vc.upper_arm_error_source(rows)
    assert source["arms"] == 1
    assert source["model_elbow_mae_deg"] == 90.0
    assert source["model_trunk_mae_deg"] == 0.0
