from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backcare.errors import InputError
from backcare.posture import PostureSeries
from backcare.posture.angles import (
    SensorAxes,
    apply_offsets,
    gravity_angles,
    joint_angles,
    reference_offsets,
    series_from_landmarks,
)
from tests.posture.skeleton import pose, transform

ATOL = 1e-6


def one(angles, name):
    return float(angles[name][0])


def test_neutral_pose_is_zero():
    a = joint_angles(pose())
    for name in (
        "trunk_flexion",
        "trunk_lateral",
        "trunk_twist",
        "trunk_inclination",
        "neck_flexion",
        "neck_lateral",
        "neck_twist",
        "shoulder_asymmetry",
        "upper_arm_elevation_left",
        "upper_arm_flexion_right",
        "upper_arm_abduction_left",
        "elbow_flexion_left",
        "knee_flexion_right",
        "wrist_flexion_left",
    ):
        assert one(a, name) == pytest.approx(0.0, abs=ATOL), name


@pytest.mark.parametrize(("placed", "read"), [(150.0, 150.0), (-60.0, -60.0), (-170.0, 180.0)])
def test_an_arm_over_the_head_tipped_back_is_flexion_not_extension(placed, read):
    # -170 deg "behind the trunk" is an arm raised over the head and 10 deg past vertical: a
    # shoulder cannot extend that far, so it is full flexion (REBA's top band), not extension
    p = pose()  # upright: x forward, z up
    rad = np.radians(placed)
    p["left_elbow"] = p["left_shoulder"] + 0.3 * np.array([np.sin(rad), 0.0, -np.cos(rad)])
    a = joint_angles(p)
    assert one(a, "upper_arm_flexion_left") == pytest.approx(read, abs=ATOL)


@pytest.mark.parametrize("flex", [-20.0, 10.0, 30.0, 45.0, 60.0, 85.0])
def test_trunk_flexion_known(flex):
    a = joint_angles(pose(trunk_flexion=flex))
    assert one(a, "trunk_flexion") == pytest.approx(flex, abs=ATOL)
    assert one(a, "trunk_inclination") == pytest.approx(abs(flex), abs=ATOL)
    assert one(a, "trunk_lateral") == pytest.approx(0.0, abs=ATOL)


def test_lateral_twist_neck_arms_elbow_knee_known():
    a = joint_angles(
        pose(
            trunk_lateral=15,
            trunk_twist=25,
            neck_flexion=30,
            neck_lateral=-10,
            arm_flexion=(70, -30),
            arm_abduction=(20, 40),
            elbow=(90, 45),
            knee=(60, 10),
        )
    )
    assert one(a, "trunk_lateral") == pytest.approx(15, abs=ATOL)
    assert one(a, "trunk_twist") == pytest.approx(25, abs=ATOL)
    assert one(a, "neck_flexion") == pytest.approx(30, abs=ATOL)
    assert one(a, "neck_lateral") == pytest.approx(-10, abs=ATOL)
    assert one(a, "upper_arm_flexion_left") == pytest.approx(70, abs=ATOL)
    assert one(a, "upper_arm_flexion_right") == pytest.approx(-30, abs=ATOL)
    assert one(a, "upper_arm_abduction_left") == pytest.approx(20, abs=ATOL)
    assert one(a, "upper_arm_abduction_right") == pytest.approx(40, abs=ATOL)
    assert one(a, "elbow_flexion_left") == pytest.approx(90, abs=ATOL)
    assert one(a, "elbow_flexion_right") == pytest.approx(45, abs=ATOL)
    assert one(a, "knee_flexion_left") == pytest.approx(60, abs=ATOL)
    assert one(a, "knee_flexion_right") == pytest.approx(10, abs=ATOL)


def test_arm_raised_forward_elevation():
    a = joint_angles(pose(arm_flexion=(80, 0)))
    assert one(a, "upper_arm_elevation_left") == pytest.approx(80, abs=ATOL)
    assert one(a, "upper_arm_elevation_right") == pytest.approx(0, abs=ATOL)


def test_shoulder_asymmetry_sign():
    a = joint_angles(pose(shoulder_drop_right=0.05))
    assert one(a, "shoulder_asymmetry") < -5  # right shoulder lower
    b = joint_angles(transform(pose(shoulder_drop_right=0.05), mirror=True))
    assert one(b, "shoulder_asymmetry") == pytest.approx(-one(a, "shoulder_asymmetry"))


def test_missing_landmark_gives_nan_not_guess():
    pts = pose(trunk_flexion=30)
    pts["left_hip"] = np.array([[np.nan, np.nan, np.nan]])
    a = joint_angles(pts)
    assert np.isnan(a["trunk_flexion"]).all()
    assert np.isnan(a["neck_flexion"]).all()
    assert not np.isnan(a["elbow_flexion_left"]).any()
    del pts["left_ear"]
    assert "neck_flexion" not in joint_angles(pts)


angle = st.floats(-60, 60)


@settings(max_examples=60, deadline=None)
@given(
    flex=st.floats(-30, 80),
    lat=angle,
    twist=angle,
    neck=angle,
    arm=st.tuples(angle, angle),
    yaw=st.floats(-180, 180),
    scale=st.floats(0.3, 3),
)
def test_invariant_to_heading_and_scale(flex, lat, twist, neck, arm, yaw, scale):
    p = pose(
        trunk_flexion=flex, trunk_lateral=lat, trunk_twist=twist, neck_flexion=neck, arm_flexion=arm
    )
    base = joint_angles(p)
    moved = joint_angles(transform(p, yaw_deg=yaw, scale=scale, shift=(3.0, -2.0, 0.5)))
    for name, values in base.items():
        np.testing.assert_allclose(moved[name], values, atol=1e-6, err_msg=name)


@settings(max_examples=60, deadline=None)
@given(
    flex=st.floats(-30, 80),
    lat=angle,
    twist=angle,
    arm=st.tuples(angle, angle),
    abd=st.tuples(st.floats(0, 60), st.floats(0, 60)),
    knee=st.tuples(st.floats(0, 120), st.floats(0, 120)),
)
def test_mirroring_swaps_left_and_right(flex, lat, twist, arm, abd, knee):
    p = pose(
        trunk_flexion=flex,
        trunk_lateral=lat,
        trunk_twist=twist,
        arm_flexion=arm,
        arm_abduction=abd,
        knee=knee,
    )
    a = joint_angles(p)
    m = joint_angles(transform(p, mirror=True))
    np.testing.assert_allclose(m["trunk_flexion"], a["trunk_flexion"], atol=1e-6)
    np.testing.assert_allclose(m["trunk_lateral"], -a["trunk_lateral"], atol=1e-6)
    np.testing.assert_allclose(m["trunk_twist"], -a["trunk_twist"], atol=1e-6)
    for stem in (
        "upper_arm_flexion",
        "upper_arm_abduction",
        "upper_arm_elevation",
        "elbow_flexion",
        "knee_flexion",
    ):
        np.testing.assert_allclose(m[f"{stem}_left"], a[f"{stem}_right"], atol=1e-6)
        np.testing.assert_allclose(m[f"{stem}_right"], a[f"{stem}_left"], atol=1e-6)


def test_series_from_landmarks_visibility_masks_and_confidence():
    frames = [pose(trunk_flexion=f) for f in (0.0, 20.0, 40.0)]
    pts = {k: np.stack([f[k] for f in frames]) for k in frames[0]}
    vis = {k: np.ones(3) for k in pts}
    vis["left_hip"] = np.array([1.0, 0.2, 0.9])
    s = series_from_landmarks([0.0, 0.1, 0.2], pts, visibility=vis)
    assert isinstance(s, PostureSeries)
    assert s["trunk_flexion"][0] == pytest.approx(0.0, abs=ATOL)
    assert np.isnan(s["trunk_flexion"][1])
    assert s["trunk_flexion"][2] == pytest.approx(40.0, abs=ATOL)
    conf = s.confidence("trunk_flexion")
    assert conf is not None
    assert conf.tolist() == [1.0, 0.0, 0.9]
    assert not np.isnan(s["elbow_flexion_left"]).any()


def test_unknown_landmark_and_bad_shape():
    with pytest.raises(InputError, match="unknown landmark"):
        joint_angles({"tail": [0, 0, 0]})
    with pytest.raises(InputError, match="shape"):
        joint_angles({"nose": [0, 0]})


# -- sensors -------------------------------------------------------------------------------------
def sensor_reading(axes: SensorAxes, forward_deg: float, sideways_deg: float = 0.0):
    """Accelerometer reading of a segment tilted forward then sideways, 1 g."""
    up, fwd, left = axes.vectors()
    f, s = np.radians(forward_deg), np.radians(sideways_deg)
    world_up_in_segment = np.array([np.cos(f) * np.cos(s), -np.sin(f), np.cos(f) * np.sin(s)])
    # components along segment up, forward, left
    return (
        world_up_in_segment[0] * up + world_up_in_segment[1] * fwd + world_up_in_segment[2] * left
    )


@pytest.mark.parametrize(
    "axes", [SensorAxes(), SensorAxes(down="-y", forward="+z"), SensorAxes(down="+z", forward="+x")]
)
@pytest.mark.parametrize("forward", [-30.0, 0.0, 20.0, 45.0, 90.0])
def test_gravity_angles_forward(axes, forward):
    r = gravity_angles(sensor_reading(axes, forward), axes)
    assert r.forward[0] == pytest.approx(forward, abs=1e-9)
    assert r.inclination[0] == pytest.approx(abs(forward), abs=1e-9)
    assert r.sideways[0] == pytest.approx(0.0, abs=1e-9)


def test_gravity_angles_physical_thigh_standing_and_sitting():
    axes = SensorAxes(down="+x", forward="-z")
    # standing: x points down, so the gravity reaction (+1 g up) reads on -x
    standing = gravity_angles(np.array([-1.0, 0.0, 0.0]), axes)
    assert standing.inclination[0] == pytest.approx(0.0)
    # sitting: the knee goes forward and the sensor's forward axis (-z) now points up, so the
    # segment's up axis (knee -> hip) tilts backward: inclination 90, forward -90
    sitting = gravity_angles(np.array([0.0, 0.0, -1.0]), axes)
    assert sitting.inclination[0] == pytest.approx(90.0)
    assert sitting.forward[0] == pytest.approx(-90.0)


def test_sensor_axes_validation_and_parse():
    assert SensorAxes.parse("down=-y,forward=+z") == SensorAxes(down="-y", forward="+z")
    with pytest.raises(InputError, match="different axes"):
        SensorAxes(down="+x", forward="-x")
    with pytest.raises(InputError, match="expected"):
        SensorAxes.parse("up=+x")


# -- calibration ---------------------------------------------------------------------------------
def test_reference_offsets_and_apply():
    t = np.arange(100, dtype=float)
    flex = np.r_[np.full(10, 7.0), np.linspace(7, 67, 90)]
    s = PostureSeries(
        t,
        {"trunk_flexion": flex, "trunk_inclination": np.abs(flex)},
        confidence={"trunk_flexion": np.ones(100)},
    )
    off = reference_offsets(s, 0, 10)
    assert off == {"trunk_flexion": 7.0}
    c = apply_offsets(s, off)
    assert c["trunk_flexion"][0] == 0.0
    assert c["trunk_flexion"][-1] == pytest.approx(60.0)
    assert c.meta.calibration == {"trunk_flexion": 7.0}
    assert c.confidence("trunk_flexion") is not None
    assert np.array_equal(c["trunk_inclination"], s["trunk_inclination"])
    with pytest.raises(InputError, match="no samples"):
        reference_offsets(s, 500, 600)
    with pytest.raises(InputError, match="only signed"):
        reference_offsets(s, 0, 10, ["trunk_inclination"])


@pytest.mark.parametrize(("trunk", "neck"), [(0.0, 0.0), (0.0, 30.0), (20.0, 25.0), (40.0, -10.0)])
def test_head_inclination_needs_no_hips(trunk, neck):
    pts = pose(trunk_flexion=trunk, neck_flexion=neck)
    full = joint_angles(pts)
    assert one(full, "head_inclination") == pytest.approx(trunk + neck, abs=1e-6)
    upper_body = {k: v for k, v in pts.items() if "hip" not in k and "knee" not in k}
    partial = joint_angles(upper_body)
    assert "neck_flexion" not in partial
    assert one(partial, "head_inclination") == pytest.approx(trunk + neck, abs=1e-6)
