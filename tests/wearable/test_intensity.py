"""Walking pace from the step rate and intensity classes (MET bands), end to end."""

from __future__ import annotations

import numpy as np
import pytest

from backcare.posture.conventions import Activity
from backcare.wearable.activity import activity_rules
from backcare.wearable.intensity import intensity_classes, walking_pace
from backcare.wearable.pipeline import SensorInput, analyze
from backcare.wearable.synthetic import Bout, simulate

from .sim import THIGH


@pytest.mark.parametrize(
    ("step_hz", "pace", "intensity"),
    [
        (1.5, "slow", "light"),  # 90 steps/min
        (1.9, "moderate", "moderate"),  # 114 steps/min
        (2.3, "fast", "vigorous"),  # 138 steps/min
    ],
)
def test_walking_pace_and_intensity_follow_the_step_rate(step_hz, pace, intensity):
    bouts = [Bout(Activity.STAND, 60), Bout(Activity.WALK, 300, step_hz=step_hz)]
    bouts.append(Bout(Activity.SIT, 120))
    sources, _ = simulate(bouts, [THIGH], fs_hz=50.0, seed=1)
    details = analyze([SensorInput("thigh", sources["thigh"])]).series.meta.extra["classification"]
    walked = details["walking_pace_s"]
    assert walked[pace] >= 0.95 * 300
    assert sum(walked.values()) <= 310
    spent = details["intensity_s"]
    assert spent["sedentary"] >= 0.95 * 120
    assert spent[intensity] >= 0.95 * 300


def test_every_activity_has_an_intensity_class():
    rules = activity_rules().intensity
    codes = np.array([int(a) for a in Activity], dtype=np.int8)
    pace = np.where(codes == Activity.WALK, 2, 0).astype(np.int8)
    got = dict(zip([a.label for a in Activity], intensity_classes(codes, pace, rules), strict=True))
    assert got["unknown"] == 0
    assert got["nonwear"] == 0
    assert all(v > 0 for k, v in got.items() if k not in ("unknown", "nonwear")), got


def test_pace_needs_walking_around_it():
    rules = activity_rules().intensity
    act = np.full(200, int(Activity.STAND), dtype=np.int8)
    act[50:150] = int(Activity.WALK)
    steps = np.full(200, 2.4)  # a fast step rate where nobody walks does not count
    steps[50:150] = 1.8
    pace = walking_pace(act, steps, rules)
    assert np.all(pace[:50] == 0)
    assert np.all(pace[50:150] == 2)
