"""REBA and RULA as ranges where inputs are unknown, and adjustments that need a clear signal.

Each test builds the channels of one measured posture (as a camera gives them, with per-channel
confidences) and checks the lowest and highest possible scores against the published tables
applied by hand (:func:`backcare.posture.reba.reba` and :func:`backcare.posture.rula.rula`).
"""

from __future__ import annotations

import numpy as np
import pytest

from backcare.posture.ergo_common import TaskInputs
from backcare.posture.reba import RebaInputs, reba, reba_series
from backcare.posture.rula import RulaInputs, rula, rula_series
from backcare.posture.series import PostureSeries

BASE = {
    "trunk_flexion": 10.0,
    "trunk_twist": 2.0,
    "trunk_lateral": 1.0,
    "neck_flexion": 10.0,
    "neck_twist": 1.0,
    "neck_lateral": 1.0,
    "shoulder_asymmetry": 1.0,
    "knee_flexion_left": 5.0,
    "knee_flexion_right": 5.0,
}
ARM = {"upper_arm_flexion": 10.0, "upper_arm_abduction": 5.0, "elbow_flexion": 80.0}

CAMERA_TASK = TaskInputs(
    coupling="good",
    load_kg=0.0,
    static=False,
    repeated=False,
    rapid=False,
    margin_deg=5.0,
    min_confidence=0.8,
)


def series(values: dict[str, float], confidence: dict[str, float] | None = None) -> PostureSeries:
    conf = {k: np.array([confidence.get(k, 0.99)]) for k in values} if confidence else None
    return PostureSeries(
        np.array([0.0]), {k: np.array([v]) for k, v in values.items()}, confidence=conf
    )


def both_arms(wrist: float = 5.0) -> dict[str, float]:
    out = dict(BASE)
    for side in ("left", "right"):
        out.update({f"{k}_{side}": v for k, v in ARM.items()})
        out[f"wrist_flexion_{side}"] = wrist
    return out


def manual_reba(**kw: object) -> int:
    args: dict[str, object] = {
        "trunk_flexion_deg": 10.0,
        "neck_flexion_deg": 10.0,
        "upper_arm_flexion_deg": 10.0,
        "lower_arm_flexion_deg": 80.0,
        "wrist_flexion_deg": 5.0,
    }
    args.update(kw)
    return reba(RebaInputs.model_validate(args)).score


def test_clear_measurement_gives_one_score() -> None:
    frames = reba_series(series(both_arms(), {}), CAMERA_TASK)
    assert frames.score[0] == frames.score_max[0] == manual_reba()
    assert frames.status[0] == 0


@pytest.mark.parametrize("wrist", [12.0, 18.0])
def test_wrist_near_its_threshold_is_unknown_not_a_point(wrist: float) -> None:
    # 12 and 18 deg lie within 5 deg of REBA's 15 deg wrist edge: old code gave 1 and 2 points
    frames = reba_series(series(both_arms(wrist), {}), CAMERA_TASK)
    assert frames.score[0] == manual_reba(wrist_flexion_deg=0.0)
    assert frames.score_max[0] == manual_reba(wrist_flexion_deg=90.0)
    assert frames.wrist[0] == 1
    assert "wrist_flexion_left" in frames.missing_channels(0)


def test_clear_wrist_bend_counts() -> None:
    frames = reba_series(series(both_arms(40.0), {}), CAMERA_TASK)
    assert frames.score[0] == frames.score_max[0] == manual_reba(wrist_flexion_deg=40.0)


def test_low_confidence_twist_widens_the_range_instead_of_adding_a_point() -> None:
    values = both_arms() | {"trunk_twist": 25.0}
    unsure = reba_series(series(values, {"trunk_twist": 0.6}), CAMERA_TASK)
    assert unsure.score[0] == manual_reba()
    assert unsure.score_max[0] == manual_reba(trunk_twisted=True)
    sure = reba_series(series(values, {"trunk_twist": 0.95}), CAMERA_TASK)
    assert sure.score[0] == sure.score_max[0] == manual_reba(trunk_twisted=True)


def test_unsure_channels_never_add_a_point_but_can_rule_it_out() -> None:
    task = CAMERA_TASK.model_copy(update={"unsure_channels": frozenset({"shoulder_asymmetry"})})
    values = both_arms() | {"shoulder_asymmetry": 30.0}
    frames = reba_series(series(values, {}), task)
    assert frames.score[0] == manual_reba()
    assert frames.score_max[0] == manual_reba(shoulder_raised=True)
    level = reba_series(series(both_arms() | {"shoulder_asymmetry": 2.0}, {}), task)
    assert level.score[0] == level.score_max[0] == manual_reba()


def test_unseen_raised_arm_gives_a_range_up_to_a_raised_arm() -> None:
    values = dict(BASE)
    values.update({f"{k}_left": v for k, v in ARM.items()} | {"wrist_flexion_left": 5.0})
    frames = reba_series(series(values, {}), CAMERA_TASK)
    assert frames.score[0] == manual_reba()
    worst = manual_reba(
        upper_arm_flexion_deg=170.0,
        upper_arm_abducted=True,
        lower_arm_flexion_deg=0.0,
        wrist_flexion_deg=90.0,
    )
    assert frames.score_max[0] == worst > frames.score[0]
    assert frames.action_level_max[0] > frames.action_level[0]


def test_rula_range_for_an_unseen_arm_and_unsure_wrist() -> None:
    values = dict(BASE)
    values.update({f"{k}_left": v for k, v in ARM.items()} | {"wrist_flexion_left": 14.0})
    frames = rula_series(series(values, {}), CAMERA_TASK)
    args = {
        "upper_arm_flexion_deg": 10.0,
        "lower_arm_flexion_deg": 80.0,
        "wrist_flexion_deg": 0.0,
        "neck_flexion_deg": 10.0,
        "trunk_flexion_deg": 10.0,
    }
    low = rula(RulaInputs.model_validate(args)).score
    high = rula(
        RulaInputs.model_validate(
            args
            | {
                "upper_arm_flexion_deg": 170.0,
                "upper_arm_abducted": True,
                "lower_arm_flexion_deg": 0.0,
                "wrist_flexion_deg": 90.0,
            }
        )
    ).score
    assert frames.score[0] == low
    assert frames.score_max[0] == high > low


def test_defaults_keep_measured_values_at_face_value() -> None:
    # a sensor series (no margin, no confidence rule): 12 deg wrist is a clean 1 point
    task = TaskInputs(coupling="good", load_kg=0.0, static=False, repeated=False, rapid=False)
    frames = reba_series(series(both_arms(18.0)), task)
    assert frames.score[0] == frames.score_max[0] == manual_reba(wrist_flexion_deg=18.0)
