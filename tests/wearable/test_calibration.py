from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from backcare.posture.conventions import Activity
from backcare.wearable.calibration import calibrate, fit_calibration, still_epochs
from backcare.wearable.features import extract_features, preprocessing_rules
from backcare.wearable.synthetic import Bout, SimulatedSensor, simulate

RULES = preprocessing_rules().calibration


def _orientations() -> list[tuple[float, float, float]]:
    dirs = [v for v in itertools.product((-1.0, 0.0, 1.0), repeat=3) if any(v)]
    return [tuple(np.asarray(v) / np.linalg.norm(v)) for v in dirs]


def _still_device(offset, gain):
    bouts = [Bout(Activity.NONWEAR, 30, device_up=d) for d in _orientations()]
    bouts.insert(0, Bout(Activity.WALK, 60))
    sensor = SimulatedSensor("thigh", offset_g=offset, gain=gain)
    src, _ = simulate(bouts, [sensor], fs_hz=50)
    return extract_features(src["thigh"].chunks(max_samples=20_000), src["thigh"].info)


def test_calibration_recovers_a_known_offset_and_gain():
    offset, gain = (0.04, -0.03, 0.02), (1.03, 0.97, 1.01)
    feats = _still_device(offset, gain)
    cal_feats, result = calibrate(feats)
    assert result.applied, result.reason
    # the device reads (true - offset) / gain, so the correction is c = offset + gain * raw
    np.testing.assert_allclose(result.offset_g, offset, atol=0.003)
    np.testing.assert_allclose(result.gain, gain, atol=0.003)
    assert result.error_before_g > 0.02
    assert result.error_after_g < 0.003
    pts = still_epochs(cal_feats, RULES)
    assert np.abs(np.linalg.norm(pts, axis=1) - 1).max() < 0.01
    assert cal_feats.calibration["applied"] is True


def test_calibration_is_skipped_when_the_sphere_is_not_covered():
    bouts = [Bout(Activity.STAND, 300), Bout(Activity.SIT, 300)]
    src, _ = simulate(bouts, [SimulatedSensor("thigh", offset_g=(0.05, 0, 0))], fs_hz=25)
    feats = extract_features(src["thigh"].chunks(), src["thigh"].info)
    out, result = calibrate(feats)
    assert not result.applied
    assert "sphere" in result.reason
    np.testing.assert_array_equal(out.raw_mean, feats.raw_mean)


def test_too_few_still_epochs_refuse_the_fit():
    pts = np.eye(3)[:2]
    result = fit_calibration(pts, RULES)
    assert not result.applied
    assert "still epochs" in result.reason


@settings(max_examples=25, deadline=None)
@given(
    offset=st.tuples(*[st.floats(-0.1, 0.1)] * 3),
    gain=st.tuples(*[st.floats(0.9, 1.1)] * 3),
)
def test_fit_inverts_any_moderate_affine_error(offset, gain):
    rng = np.random.default_rng(1)
    true = rng.normal(size=(200, 3))
    true /= np.linalg.norm(true, axis=1, keepdims=True)
    raw = (true - np.asarray(offset)) / np.asarray(gain)
    result = fit_calibration(raw, RULES)
    assert result.applied
    np.testing.assert_allclose(result.offset_g, offset, atol=1e-4)
    np.testing.assert_allclose(result.gain, gain, atol=1e-4)


def test_an_implausible_gain_is_rejected():
    rng = np.random.default_rng(2)
    true = rng.normal(size=(100, 3))
    true /= np.linalg.norm(true, axis=1, keepdims=True)
    result = fit_calibration(true / 1.5, RULES)
    assert not result.applied
    assert "implausible" in result.reason
