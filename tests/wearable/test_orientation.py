from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backcare.errors import InputError
from backcare.posture.angles import SensorAxes, gravity_angles
from backcare.wearable.orientation import (
    _rotation,
    default_axes,
    estimate_reference,
    placement_rule,
    segment_angles,
)

AXES = st.sampled_from(
    [
        SensorAxes(d, f)
        for d in ("+x", "-x", "+y", "-y", "+z", "-z")
        for f in ("+x", "-x", "+y", "-y", "+z", "-z")
        if d[1] != f[1]
    ]
)


def world_up(axes: SensorAxes, theta_deg: float, alpha_deg: float) -> np.ndarray:
    """Device-frame gravity reading of a segment inclined ``theta`` towards ``alpha``."""
    up, fwd, left = axes.vectors()
    th, al = np.radians(theta_deg), np.radians(alpha_deg)
    return np.cos(th) * up - np.sin(th) * np.cos(al) * fwd + np.sin(th) * np.sin(al) * left


@settings(max_examples=60, deadline=None)
@given(
    a=st.lists(st.floats(-1, 1), min_size=3, max_size=3),
    b=st.lists(st.floats(-1, 1), min_size=3, max_size=3),
)
def test_rotation_maps_a_onto_b_and_is_proper(a, b):
    a, b = np.asarray(a), np.asarray(b)
    if np.linalg.norm(a) < 1e-3 or np.linalg.norm(b) < 1e-3:
        return
    r = _rotation(a, b)
    np.testing.assert_allclose(r @ (a / np.linalg.norm(a)), b / np.linalg.norm(b), atol=1e-9)
    np.testing.assert_allclose(r @ r.T, np.eye(3), atol=1e-9)
    assert np.linalg.det(r) == pytest.approx(1.0)


@settings(max_examples=60, deadline=None)
@given(axes=AXES, theta=st.floats(0, 80), alpha=st.floats(-180, 180))
def test_inclination_is_recovered_for_any_mounting(axes, theta, alpha):
    ang = gravity_angles(world_up(axes, theta, alpha)[None, :], axes)
    assert ang.inclination[0] == pytest.approx(theta, abs=1e-6)


@settings(max_examples=40, deadline=None)
@given(
    axes=AXES,
    tilt=st.floats(-40, 40),
    roll=st.floats(-30, 30),
    flexion=st.floats(-60, 60),
)
def test_reference_window_removes_any_sensor_tilt(axes, tilt, roll, flexion):
    """A sensor tilted on the segment reads the neutral posture as tilted; after a reference
    window of upright standing, a pure flexion reads as that flexion, whatever the tilt."""
    # sensor tilt: rotate readings by a fixed rotation (tilt about left, roll about forward)
    _up, fwd, left = axes.vectors()

    def rot(axis: np.ndarray, deg: float) -> np.ndarray:
        k = axis / np.linalg.norm(axis)
        kx = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
        t = np.radians(deg)
        return np.eye(3) + np.sin(t) * kx + (1 - np.cos(t)) * kx @ kx

    mount = rot(left, tilt) @ rot(fwd, roll)
    standing = np.repeat((mount @ world_up(axes, 0, 0))[None, :], 20, axis=0)
    bending = np.repeat(
        (mount @ world_up(axes, abs(flexion), 0 if flexion >= 0 else 180))[None, :], 5, axis=0
    )
    gravity = np.vstack([standing, bending])
    window = np.zeros(25, dtype=bool)
    window[:20] = True
    ref = estimate_reference("trunk_back", axes, gravity, window=window)
    ang = segment_angles(gravity, axes, ref)
    np.testing.assert_allclose(ang.forward[:20], 0.0, atol=1e-6)
    # a tilt with roll is not a pure rotation about the lateral axis: allow a small cross-talk
    np.testing.assert_allclose(ang.inclination[20:], abs(flexion), atol=0.5 + abs(roll) * 0.2)


def test_walking_reference_assumes_the_published_angles():
    axes = default_axes("thigh")
    # thigh walks with 11 deg hip flexion (forward angle -11 in the core's sign) + 5 deg tilt
    gravity = np.repeat(world_up(axes, 16, 180)[None, :], 60, axis=0)
    ref = estimate_reference("thigh", axes, gravity, walking=np.ones(60, dtype=bool))
    assert ref.method == "walking"
    ang = segment_angles(gravity, axes, ref)
    np.testing.assert_allclose(ang.forward, -11.0, atol=1e-6)


def test_default_reference_uses_the_placement_tilt():
    axes = default_axes("trunk_back")
    rule = placement_rule("trunk_back")
    gravity = np.repeat(world_up(axes, rule.default_forward_offset_deg, 0)[None, :], 10, axis=0)
    ref = estimate_reference("trunk_back", axes, gravity)
    assert ref.method == "default"
    np.testing.assert_allclose(segment_angles(gravity, axes, ref).inclination, 0.0, atol=1e-6)


def test_unknown_placement_is_an_input_error():
    with pytest.raises(InputError, match="placement"):
        placement_rule("ankle")
