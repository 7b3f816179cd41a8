from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from backcare.errors import InputError
from backcare.posture.conventions import Activity
from backcare.wearable.features import extract_features
from backcare.wearable.recording import Recording
from backcare.wearable.synthetic import Bout, SimulatedSensor, simulate

from .sim import THIGH


def _source(fs: float = 50.0, jitter: float = 0.0):
    bouts = [
        Bout(Activity.STAND, 30),
        Bout(Activity.WALK, 60),
        Bout(Activity.SIT, 30),
        Bout(Activity.RUN, 30),
    ]
    src, truth = simulate(bouts, [THIGH], fs_hz=fs, jitter_s=jitter)
    return src["thigh"], truth


@pytest.mark.parametrize("chunk", [997, 4096, 1 << 20])
def test_chunk_size_does_not_change_the_features(chunk):
    src, _ = _source()
    whole = extract_features([src.read()], src.info)
    parts = extract_features(src.chunks(max_samples=chunk), src.info)
    assert len(whole) == len(parts) == 150
    for name in ("raw_mean", "raw_var", "angle_mean", "act_mean", "act_var"):
        np.testing.assert_allclose(getattr(parts, name), getattr(whole, name), atol=1e-6)
    np.testing.assert_array_equal(parts.crossings, whole.crossings)
    np.testing.assert_array_equal(parts.count, whole.count)


@pytest.mark.parametrize("fs", [25.0, 50.0, 100.0, 128.0])
def test_standing_gravity_and_sample_counts_at_any_rate(fs):
    src, _ = _source(fs)
    f = extract_features(src.chunks(max_samples=5000), src.info)
    assert f.valid[:-1].all()
    assert abs(int(np.median(f.count)) - fs) <= 1
    # standing: the down axis (+x) reads -1 g
    # (within the simulated body sway of 15 mg)
    np.testing.assert_allclose(f.angle_mean[5:25, 0], -np.cos(np.radians(3)), atol=0.02)
    assert (np.sqrt(f.act_var[5:25]) < 0.03).all()


def test_step_band_crossings_follow_the_simulated_cadence():
    src, _ = _source(100.0)
    f = extract_features(src.chunks(max_samples=3000), src.info)
    # two zero crossings per step: walking 1.9 steps/s, running 2.9 steps/s
    walk = f.crossings[40:85].mean() / 2
    run = f.crossings[125:145].mean() / 2
    assert walk == pytest.approx(1.9, abs=0.1)
    assert run == pytest.approx(2.9, abs=0.15)


def test_irregular_time_stamps_are_binned_by_time():
    src, _ = _source(100.0, jitter=0.004)
    f = extract_features(src.chunks(max_samples=3333), src.info)
    assert (f.count[1:-1] > 90).all()
    assert (f.count[1:-1] < 110).all()


def test_gaps_are_empty_invalid_seconds_and_the_grid_is_absolute():
    src, _ = _source()
    rec = src.read()
    keep = (rec.time < 40) | (rec.time >= 100)
    gap = Recording(time=rec.time[keep], accel=rec.accel[keep], info=rec.info)
    f = extract_features([gap], rec.info)
    assert len(f) == 150
    assert not f.valid[40:100].any()
    assert f.valid[:40].all()
    assert np.isnan(f.angle_mean[50]).all()
    later = rec.info.start + timedelta(seconds=7)
    g = extract_features([gap], rec.info, origin=later - timedelta(seconds=10))
    assert g.first_second == 3


def test_time_going_backwards_is_an_input_error():
    src, _ = _source()
    rec = src.read()
    first = Recording(time=rec.time[2000:4000], accel=rec.accel[2000:4000], info=rec.info)
    back = Recording(time=rec.time[:1000], accel=rec.accel[:1000], info=rec.info)
    with pytest.raises(InputError, match="backwards"):
        extract_features([first, back], rec.info)


def test_calibrated_features_scale_variance_with_gain_squared():
    src, _ = _source()
    f = extract_features(src.chunks(), src.info)
    c = f.calibrated(np.array([0.1, 0.0, -0.1]), np.array([2.0, 1.0, 0.5]), {})
    np.testing.assert_allclose(c.act_var[:, 0], 4 * f.act_var[:, 0], rtol=1e-5)
    np.testing.assert_allclose(c.raw_mean[:, 2], -0.1 + 0.5 * f.raw_mean[:, 2], atol=1e-6)


def test_no_samples_is_an_input_error():
    sensor = SimulatedSensor("thigh")
    src, _ = simulate([Bout(Activity.STAND, 5)], [sensor], start=datetime(2026, 1, 1, tzinfo=UTC))
    with pytest.raises(InputError, match="no samples"):
        extract_features([], src["thigh"].info)


def test_a_long_gap_inside_a_chunk_costs_memory_of_the_samples_not_of_the_span():
    """A 0.9-day timestamp jump inside one chunk: rows for the gap, no per-sample-slot arrays."""
    import tracemalloc

    src, _ = _source(fs=100.0)
    rec = src.read()
    jump = 0.9 * 86_400
    half = len(rec) // 2
    time = rec.time.copy()
    time[half:] += jump
    gapped = Recording(time, rec.accel, rec.info)
    tracemalloc.start()
    try:
        feats = extract_features([gapped], rec.info)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(feats) == 150 + int(jump)
    assert int((feats.count > 0).sum()) == 150
    assert np.isnan(feats.raw_mean[160:1000]).all()  # the gap is empty rows
    # 77,760 empty seconds: a few MB of rows; per-sample-slot work arrays would be ~1 GB
    assert peak < 60e6, peak
    # the same gap between two chunks gives the same features
    parts = extract_features(
        [
            Recording(time[:half], rec.accel[:half], rec.info),
            Recording(time[half:], rec.accel[half:], rec.info),
        ],
        rec.info,
    )
    np.testing.assert_array_equal(parts.count, feats.count)
    np.testing.assert_allclose(parts.raw_mean, feats.raw_mean, atol=1e-6)
