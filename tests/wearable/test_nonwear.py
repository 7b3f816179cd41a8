from __future__ import annotations

import numpy as np

from backcare.posture.conventions import Activity
from backcare.wearable.features import extract_features
from backcare.wearable.nonwear import detect_nonwear, runs, window_sd
from backcare.wearable.synthetic import Bout, SimulatedSensor, simulate


def _features(bouts):
    src, truth = simulate(bouts, [SimulatedSensor("thigh")], fs_hz=25)
    return extract_features(src["thigh"].chunks(), src["thigh"].info), truth


def test_long_still_period_is_nonwear_and_sitting_is_not():
    feats, _ = _features(
        [
            Bout(Activity.WALK, 120),
            Bout(Activity.NONWEAR, 5500),
            Bout(Activity.WALK, 120),
            Bout(Activity.SIT, 6000),
        ]
    )
    nw = detect_nonwear(feats)
    assert nw.mask[125:5615].all()
    assert not nw.mask[:118].any()
    assert not nw.mask[5745:-1].any()
    assert len(nw.periods) == 1


def test_short_flat_period_after_movement_is_nonwear_but_tilted_is_not():
    flat = [Bout(Activity.RUN, 120), Bout(Activity.NONWEAR, 900), Bout(Activity.WALK, 120)]
    feats, _ = _features(flat)
    assert detect_nonwear(feats).mask[125:1015].all()
    tilted = [
        Bout(Activity.RUN, 120),
        Bout(Activity.NONWEAR, 900, device_up=(0.0, 0.5, 0.8)),
        Bout(Activity.WALK, 120),
    ]
    feats, _ = _features(tilted)
    assert not detect_nonwear(feats).mask[125:1015].any()


def test_short_still_periods_are_worn():
    feats, _ = _features(
        [Bout(Activity.RUN, 120), Bout(Activity.NONWEAR, 300), Bout(Activity.WALK, 120)]
    )
    assert not detect_nonwear(feats).mask.any()


def test_runs_and_window_sd():
    s, e = runs(np.array([0, 1, 1, 0, 1], dtype=bool))
    assert s.tolist() == [1, 4]
    assert e.tolist() == [3, 5]
    mean = np.array([[0.0], [1.0], [0.0], [1.0]]).repeat(3, axis=1)
    var = np.zeros((4, 3))
    sd = window_sd(mean, var, 2)
    np.testing.assert_allclose(sd[1:, 0], 0.5)
    np.testing.assert_allclose(sd[0, 0], 0.0)
