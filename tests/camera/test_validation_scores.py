"""The validation's REBA agreement: the range a person sees and the stricter one-number reading."""

from __future__ import annotations

import math
from types import ModuleType


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
