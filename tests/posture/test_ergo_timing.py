"""Timing rules (static, repeated, rapid) on synthetic series."""

from __future__ import annotations

import numpy as np
import pytest

from backcare.posture import Activity, PostureSeries, SeriesMeta
from backcare.posture.ergo_common import series_rules
from backcare.posture.ergo_timing import _trailing, timing_flags

RATE = 10.0  # Hz


def series(values: dict[str, np.ndarray], *, activity=None, time=None) -> PostureSeries:
    n = len(next(iter(values.values())))
    t = np.arange(n) / RATE if time is None else time
    return PostureSeries(
        t, values, activity=activity, meta=SeriesMeta(source="simulated", rate_hz=RATE)
    )


def test_rules_are_the_documented_ones():
    rules = series_rules()
    assert rules.static.window_s == 60
    assert rules.repeated.window_s == 60
    assert rules.repeated.more_than == 4
    assert rules.rapid.window_s == 1
    assert rules.rapid.min_change_deg == 30


@pytest.mark.parametrize("k", [1, 2, 5, 10, 31])
def test_trailing_window_matches_a_naive_loop(k):
    rng = np.random.default_rng(k)
    x = rng.normal(size=200)
    hi = _trailing(x, k, -np.inf, maximum=True)
    lo = _trailing(x, k, np.inf, maximum=False)
    for i in range(200):
        window = x[max(0, i - k + 1) : i + 1]
        assert hi[i] == window.max()
        assert lo[i] == window.min()


def test_a_posture_held_longer_than_a_minute_becomes_static_after_the_minute():
    n = int(120 * RATE)
    rng = np.random.default_rng(0)
    trunk = 40 + rng.uniform(-4, 4, n)  # within a 10 deg range
    flags = timing_flags(series({"trunk_flexion": trunk}))
    static = flags.static["trunk_flexion"]
    t = np.arange(n) / RATE
    assert not static[t <= 60].any()
    assert static[t > 60.2].all()


def test_a_posture_that_wanders_more_than_the_band_is_not_static():
    n = int(120 * RATE)
    t = np.arange(n) / RATE
    trunk = 40 + 8 * np.sin(2 * np.pi * t / 40)  # 16 deg peak to peak, slow
    assert not timing_flags(series({"trunk_flexion": trunk})).any_static().any()


def test_missing_samples_and_gaps_break_a_hold():
    n = int(150 * RATE)
    trunk = np.full(n, 30.0)
    trunk[int(70 * RATE)] = np.nan
    static = timing_flags(series({"trunk_flexion": trunk})).static["trunk_flexion"]
    t = np.arange(n) / RATE
    assert static[(t > 61) & (t < 70)].all()
    assert not static[(t >= 70) & (t < 130)].any()
    assert static[t > 131].all()

    time = np.arange(n) / RATE
    time[int(70 * RATE) :] += 10.0  # a 10 s hole in the recording
    gapped = timing_flags(series({"trunk_flexion": np.full(n, 30.0)}, time=time))
    static = gapped.static["trunk_flexion"]
    assert not static[(time >= 80) & (time < 140)].any()
    assert static[time > 141].all()


def swings(per_min: float, amplitude: float, seconds: float = 150) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return 20 + amplitude * np.sin(2 * np.pi * per_min / 60 * t)


def test_more_than_four_movements_a_minute_are_repeated():
    flags = timing_flags(series({"elbow_flexion_right": swings(6, 20)}))
    rep = flags.repeated["elbow_flexion_right"]
    t = np.arange(rep.size) / RATE
    assert not rep[t < 60].any()  # the first window is never complete
    assert rep[t > 70].all()


@pytest.mark.parametrize(("per_min", "amplitude"), [(3, 20), (4, 20), (10, 3)])
def test_few_or_tiny_movements_are_not_repeated(per_min, amplitude):
    flags = timing_flags(series({"upper_arm_flexion_left": swings(per_min, amplitude)}))
    assert not flags.any_repeated().any()


def test_walking_is_never_repeated():
    trunk = swings(40, 10)
    walk = np.full(trunk.size, Activity.WALK, dtype=np.int8)
    assert not timing_flags(series({"trunk_flexion": trunk}, activity=walk)).any_repeated().any()
    stand = np.full(trunk.size, Activity.STAND, dtype=np.int8)
    assert timing_flags(series({"trunk_flexion": trunk}, activity=stand)).any_repeated().any()


def test_a_fast_large_trunk_change_is_rapid_and_a_slow_one_is_not():
    n = int(20 * RATE)
    t = np.arange(n) / RATE
    fast = np.where(t < 10, 0.0, 45.0)  # 45 deg step between two samples
    rapid = timing_flags(series({"trunk_flexion": fast})).rapid["trunk_flexion"]
    assert rapid[(t >= 10) & (t <= 10.9)].all()
    assert not rapid[(t < 10) | (t > 11.05)].any()
    slow = np.clip((t - 5) * 8, 0, 45)  # 8 deg/s
    assert not timing_flags(series({"trunk_flexion": slow})).any_rapid().any()


def test_rapid_ignores_missing_samples_and_covers_twist_and_side_bend():
    n = int(10 * RATE)
    t = np.arange(n) / RATE
    twist = np.where(t < 5, -20.0, 20.0)
    twist[::3] = np.nan
    flags = timing_flags(series({"trunk_twist": twist, "trunk_lateral": np.zeros(n)}))
    assert flags.rapid["trunk_twist"][(t >= 5.1) & (t <= 5.9)].all()
    assert not flags.rapid["trunk_lateral"].any()


def test_channels_not_in_the_series_give_no_flags():
    flags = timing_flags(series({"trunk_flexion": np.zeros(50)}))
    assert set(flags.static) == {"trunk_flexion"}
    assert not flags.any_static(["neck_flexion"]).any()


def test_too_short_series_has_no_flags():
    one = PostureSeries([0.0], {"trunk_flexion": [10.0]})
    assert timing_flags(one).any_static().shape == (1,)
    assert not timing_flags(one).any_rapid().any()
