"""The chunk-invariant engine: median vote, time weights, runs and derived signals."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.ndimage import median_filter

from backcare.errors import InputError
from backcare.posture import Activity
from backcare.posture._engine import (
    HEAD_INCLINATION,
    NS_PER_S,
    TRUNK_FORWARD,
    UPPER_ARM,
    RunDetector,
    Stream,
    Trigger,
    derive_signal,
    half_window,
    vote,
)
from tests.posture.exposure_helpers import series


@settings(max_examples=50, deadline=None)
@given(
    st.integers(0, 2**31 - 1),
    st.integers(1, 400),
    st.integers(0, 20),
    st.floats(0, 90),
)
def test_vote_is_a_median_filter_of_the_threshold(seed, n, h, thr):
    x = np.random.default_rng(seed).uniform(0, 90, n).astype(np.float32)
    ext = np.concatenate((np.full(h, x[0]), x, np.full(h, x[-1]))).astype(np.float32)
    expected = median_filter(x, size=2 * h + 1, mode="nearest") > np.float32(thr)
    assert np.array_equal(vote(ext, h, above=thr), expected)


def test_half_window():
    assert half_window(5.0, 1 / 25) == 62
    assert half_window(5.0, 1 / 30) == 75
    assert half_window(0.0, 1 / 25) == 0
    assert half_window(5.0, 0.0) == 0


def _collect(s, chunks, h=3):
    st_ = Stream(("neck_flexion",), h=h, nominal_s=s.sample_interval_s())
    det = RunDetector(trigger=Trigger(2 * NS_PER_S, NS_PER_S), collect=True)
    durations, fired = [], []

    def use(block):
        if block is None:
            return
        durations.append(block.dur_s)
        m = vote(block.ext["neck_flexion"], block.h, above=10)
        f = det.process(block, m, block.center("neck_flexion"))
        if f is not None:
            fired.extend(zip(f.index.tolist(), f.held_ns.tolist(), f.level.tolist(), strict=True))

    i = 0
    for c in chunks:
        use(st_.push(s.time[i : i + c], {"neck_flexion": s["neck_flexion"][i : i + c]}))
        i += c
    use(st_.close())
    det.finish()
    return np.concatenate(durations), fired, det.runs(len(s))


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**31 - 1), st.lists(st.integers(1, 50), min_size=1, max_size=40))
def test_durations_runs_and_triggers_do_not_depend_on_chunks(seed, cuts):
    rng = np.random.default_rng(seed)
    n = 600
    steps = np.where(rng.random(n) < 0.01, 3.0, 0.1)
    t = np.cumsum(steps)
    x = np.clip(np.cumsum(rng.normal(0, 3, n)), -80, 80)
    x[rng.random(n) < 0.03] = np.nan
    s = series(t, rate_hz=10.0, neck_flexion=x)
    chunks = [c for c in cuts if c > 0]
    chunks.append(max(n - sum(chunks), 0))
    d1, f1, r1 = _collect(s, [n])
    d2, f2, r2 = _collect(s, [c for c in chunks if c])
    # the time weight is exactly PostureSeries.sample_durations()
    np.testing.assert_array_equal(d1, s.sample_durations())
    np.testing.assert_array_equal(d1, d2)
    assert f1 == f2
    for name in ("start_index", "end_index", "start_c", "end_c", "start_s", "end_s"):
        np.testing.assert_array_equal(getattr(r1, name), getattr(r2, name))
    np.testing.assert_allclose(r1.mean, r2.mean, rtol=1e-9, equal_nan=True)


def test_runs_break_at_gaps_and_report_mean_and_follower():
    t = np.concatenate((np.arange(50) * 0.1, 100 + np.arange(50) * 0.1))
    x = np.full(100, 30.0)
    act = np.full(100, Activity.SIT, dtype=np.int8)
    s = series(t, rate_hz=10.0, activity=act, neck_flexion=x)
    _, _, runs = _collect(s, [100], h=0)
    assert len(runs) == 2
    assert runs.duration_s.tolist() == pytest.approx([5.0, 5.0])
    assert runs.mean.tolist() == pytest.approx([30.0, 30.0])
    assert runs.next_activity.tolist() == [-1, -1]  # a gap, then the end


def test_derived_signals():
    act = np.array([Activity.STAND, Activity.STAND, Activity.LIE, Activity.STAND], dtype=np.int8)
    inc = np.array([30.0, 30.0, 30.0, 30.0])
    flex = np.array([30.0, -30.0, 30.0, np.nan])
    fwd = derive_signal(TRUNK_FORWARD, {"trunk_inclination": inc, "trunk_flexion": flex}, act)
    assert fwd is not None
    np.testing.assert_array_equal(fwd, [30.0, 0.0, np.nan, np.nan])
    head = derive_signal(HEAD_INCLINATION, {"trunk_flexion": flex, "neck_flexion": inc}, act)
    assert head is not None
    np.testing.assert_array_equal(head, [60.0, 0.0, np.nan, np.nan])
    arm = derive_signal(
        UPPER_ARM,
        {
            "upper_arm_elevation_left": np.array([10.0, np.nan, 50.0, np.nan]),
            "upper_arm_elevation_right": np.array([20.0, 5.0, 40.0, np.nan]),
        },
        act,
    )
    assert arm is not None
    np.testing.assert_array_equal(arm, [20.0, 5.0, 50.0, np.nan])
    assert derive_signal(HEAD_INCLINATION, {"trunk_flexion": flex}, act) is None
    with pytest.raises(InputError, match="unknown signal"):
        derive_signal("nose_angle", {}, act)
