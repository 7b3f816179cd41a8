from __future__ import annotations

import numpy as np
import pytest

from backcare.camera.smoothing import one_euro
from backcare.errors import InputError


def test_constant_track_is_unchanged_and_shape_kept():
    x = np.ones((50, 33, 3)) * 0.3
    out = one_euro(x, np.arange(50) / 30, min_cutoff_hz=1.0, beta=2.0)
    assert out.shape == x.shape
    assert np.allclose(out, x)


def test_jitter_is_reduced_on_a_held_posture():
    rng = np.random.default_rng(1)
    t = np.arange(300) / 30
    x = 0.5 + rng.normal(0, 0.01, size=(300, 4))
    out = one_euro(x, t, min_cutoff_hz=1.0, beta=2.0)
    assert out[30:].std() < 0.5 * x[30:].std()


def test_fast_movement_lags_less_with_beta():
    t = np.arange(120) / 30
    x = np.where(t < 2, 0.0, 1.0)[:, None]  # a 1 m step
    slow = one_euro(x, t, min_cutoff_hz=0.5, beta=0.0)
    fast = one_euro(x, t, min_cutoff_hz=0.5, beta=20.0)
    i = int(np.searchsorted(t, 2.2))
    assert fast[i, 0] > slow[i, 0] + 0.1


def test_missing_values_stay_missing_and_the_filter_restarts():
    t = np.arange(10) / 10
    x = np.array([0.0, 0.0, 0.0, np.nan, np.nan, 5.0, 5.0, 5.0, 5.0, 5.0])
    out = one_euro(x, t, min_cutoff_hz=1.0, beta=0.0)
    assert np.isnan(out[3:5]).all()
    assert out[5] == 5.0  # restarted on the first value after the gap, nothing carried over
    assert np.allclose(out[5:], 5.0)


def test_real_timestamps_set_the_amount_of_smoothing():
    # the same step sampled with a long gap passes almost fully after the gap
    x = np.array([0.0, 1.0])
    near = one_euro(x, np.array([0.0, 0.01]), min_cutoff_hz=1.0, beta=0.0)
    far = one_euro(x, np.array([0.0, 5.0]), min_cutoff_hz=1.0, beta=0.0)
    assert near[1] < 0.1 < 0.9 < far[1]


def test_bad_arguments():
    with pytest.raises(InputError):
        one_euro(np.zeros(3), np.zeros(4), min_cutoff_hz=1.0, beta=0.0)
    with pytest.raises(InputError):
        one_euro(np.zeros(3), np.array([0.0, 2.0, 1.0]), min_cutoff_hz=1.0, beta=0.0)
    with pytest.raises(InputError):
        one_euro(np.zeros(3), np.arange(3.0), min_cutoff_hz=0.0, beta=0.0)
