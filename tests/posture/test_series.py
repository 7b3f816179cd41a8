from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from backcare.errors import InputError
from backcare.posture import Activity, PostureSeries, SeriesMeta


def make(n: int = 5) -> PostureSeries:
    t = np.arange(n, dtype=float)
    flex = np.linspace(0, 40, n)
    flex[2] = np.nan
    return PostureSeries(
        t,
        {"trunk_flexion": flex, "neck_flexion": np.full(n, 10.0)},
        activity=np.full(n, Activity.SIT, dtype=np.int8),
        confidence={"trunk_flexion": np.full(n, 0.9)},
        meta=SeriesMeta(source="manual", start=datetime(2026, 1, 1, tzinfo=UTC), rate_hz=1.0),
    )


def test_missing_is_nan_with_mask_not_zero():
    s = make()
    assert np.isnan(s["trunk_flexion"][2])
    assert s.valid("trunk_flexion").tolist() == [True, True, False, True, True]
    assert not s.valid("knee_flexion_left").any()
    assert s.get("knee_flexion_left") is None
    with pytest.raises(KeyError, match="was not measured"):
        s["knee_flexion_left"]


def test_arrays_are_read_only():
    s = make()
    with pytest.raises(ValueError, match="read-only"):
        s["trunk_flexion"][0] = 1.0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"values": {"trunk_flexion": [0, 1]}}, "shape"),
        ({"values": {"spine_wobble": [0, 1, 2]}}, "unknown channel"),
        ({"values": {"trunk_flexion": [0, 1, 400]}}, "outside"),
        ({"activity": [0, 1, 99]}, "not Activity values"),
    ],
)
def test_bad_input_names_the_channel(kwargs, match):
    with pytest.raises(InputError, match=match):
        PostureSeries([0.0, 1.0, 2.0], **kwargs)


def test_time_must_not_go_backwards():
    with pytest.raises(InputError, match="backwards at sample 2"):
        PostureSeries([0.0, 1.0, 0.5])


def test_take_between_replace():
    s = make(10)
    sub = s.between(2.0, 5.0)
    assert sub.time.tolist() == [2.0, 3.0, 4.0]
    r = s.replace(values={"knee_flexion_left": np.zeros(10)}, drop=("neck_flexion",))
    assert set(r.channels) == {"trunk_flexion", "knee_flexion_left"}
    assert r.confidence("trunk_flexion") is not None


def test_sample_durations_do_not_credit_gaps():
    s = PostureSeries([0.0, 1.0, 2.0, 100.0, 101.0], meta=SeriesMeta(source="manual", rate_hz=1))
    assert s.sample_durations().tolist() == [1.0, 1.0, 1.0, 1.0, 1.0]


def test_frame_round_trip():
    s = make()
    back = PostureSeries.from_frame(s.to_frame(), meta=s.meta)
    assert back.equals(s)


@given(arrays(np.float64, st.integers(0, 50), elements=st.floats(-180, 180)))
def test_frame_round_trip_property(values):
    s = PostureSeries(np.arange(values.size, dtype=float), {"trunk_flexion": values})
    assert PostureSeries.from_frame(s.to_frame()).equals(s)
