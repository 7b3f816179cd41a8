from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backcare.camera.backend import FakeBackend
from backcare.camera.geometry import (
    CAMERA_TO_GRAVITY,
    angle_points,
    classify_view,
    pitch_rotation,
    tilt_from_neutral,
    to_gravity,
)
from backcare.camera.pipeline import CameraOptions, build_series, camera_rules, track_frames
from backcare.camera.video import Frame
from backcare.errors import InputError
from backcare.posture.angles import joint_angles
from backcare.posture.conventions import CHANNELS, Activity

from .skeleton import pose_result

RGB = np.zeros((480, 640, 3), dtype=np.uint8)


def _series(results, options=None, times=None):
    frames = [
        Frame(index=i, time_s=(times[i] if times is not None else i / 30), rgb=RGB)
        for i in range(len(results))
    ]
    track, _notes = track_frames(frames, FakeBackend(list(results)), where="synthetic")
    return build_series(track, options or CameraOptions(), kind="video", backend="fake")


def test_camera_to_gravity_is_a_proper_rotation():
    assert np.allclose(CAMERA_TO_GRAVITY @ CAMERA_TO_GRAVITY.T, np.eye(3))
    assert np.linalg.det(CAMERA_TO_GRAVITY) == pytest.approx(1.0)
    # image "up" (-y in camera axes) is gravity up
    assert np.allclose(to_gravity(np.array([0.0, -1.0, 0.0])), [0.0, 0.0, 1.0])


@settings(max_examples=25, deadline=None)
@given(
    trunk=st.floats(-20, 80),
    neck=st.floats(-20, 50),
    arm=st.floats(-30, 120),
    elbow=st.floats(5, 140),
    knee=st.floats(0, 100),
    heading=st.sampled_from([90.0, -90.0, 180.0, 0.0, 135.0]),
)
def test_known_angles_come_back_through_the_camera_frame(trunk, neck, arm, elbow, knee, heading):
    res = pose_result(heading_deg=heading, trunk=trunk, neck=neck, arm=arm, elbow=elbow, knee=knee)
    pts, _ = angle_points(to_gravity(res.world[None]), res.visibility[None])
    got = joint_angles(pts)
    assert got["trunk_flexion"][0] == pytest.approx(trunk, abs=1e-6)
    assert got["neck_flexion"][0] == pytest.approx(neck, abs=1e-6)
    assert got["upper_arm_flexion_left"][0] == pytest.approx(arm, abs=1e-6)
    assert got["upper_arm_flexion_right"][0] == pytest.approx(arm, abs=1e-6)
    assert got["elbow_flexion_right"][0] == pytest.approx(elbow, abs=1e-6)
    assert got["knee_flexion_left"][0] == pytest.approx(knee, abs=1e-6)
    assert got["trunk_lateral"][0] == pytest.approx(0.0, abs=1e-6)


def test_side_bend_sign_survives_the_camera_conversion():
    # bending to the person's right is positive whatever way they face the camera
    for heading in (180.0, 0.0, 90.0):
        res = pose_result(heading_deg=heading, lateral=15.0)
        pts, _ = angle_points(to_gravity(res.world[None]), res.visibility[None])
        assert joint_angles(pts)["trunk_lateral"][0] == pytest.approx(15.0, abs=1e-6)


def test_a_pitched_camera_is_corrected_by_the_stated_pitch():
    # facing the camera, a camera looking down sees the head closer than the hips: the trunk
    # looks bent forward by the camera's tilt
    seen = pose_result(heading_deg=180.0, pitch_deg=25.0, trunk=30.0)

    def trunk(tilt):
        pts, _ = angle_points(to_gravity(seen.world[None], tilt), seen.visibility[None])
        return joint_angles(pts)["trunk_flexion"][0]

    assert trunk(None) == pytest.approx(55.0, abs=1e-6)
    assert trunk(pitch_rotation(25.0)) == pytest.approx(30.0, abs=1e-6)
    # from the front, the series withholds forward bending (depth only) rather than guess it
    stated = _series([seen], CameraOptions(camera_pitch_deg=25.0))[0]
    assert np.isnan(stated["trunk_flexion"][0])
    assert any("film from the side" in c for c in stated.meta.extra["caveats"])
    # side-on, the same tilt shows up as a side bend
    side = pose_result(heading_deg=90.0, pitch_deg=25.0, trunk=30.0)
    assert abs(_series([side])[0]["trunk_lateral"][0]) > 10
    fixed = _series([side], CameraOptions(camera_pitch_deg=25.0))[0]
    assert fixed["trunk_lateral"][0] == pytest.approx(0.0, abs=1e-6)
    assert stated.meta.extra["camera_tilt"] == {
        "source": "stated",
        "pitch_deg": 25.0,
        "roll_deg": 0.0,
    }


def test_neutral_window_recovers_the_camera_tilt():
    upright = [pose_result(pitch_deg=18.0) for _ in range(30)]
    bent = [pose_result(pitch_deg=18.0, trunk=45.0) for _ in range(30)]
    world = np.stack([r.world for r in upright])
    vis = np.stack([r.visibility for r in upright])
    tilt = tilt_from_neutral(world, vis, min_visibility=0.5)
    assert tilt.pitch_deg == pytest.approx(18.0, abs=1e-6)
    assert tilt.roll_deg == pytest.approx(0.0, abs=1e-6)
    series, *_ = _series(upright + bent, CameraOptions(neutral_s=(0.0, 0.9)))
    assert np.nanmedian(series["trunk_flexion"][30:]) == pytest.approx(45.0, abs=0.5)
    assert "trunk_flexion" in series.meta.calibration


def test_pitch_outside_range_is_an_input_error():
    with pytest.raises(InputError, match="camera_pitch_deg"):
        pitch_rotation(95.0)
    with pytest.raises(InputError, match="either"):
        CameraOptions(camera_pitch_deg=10.0, neutral_s=(0.0, 1.0))


@pytest.mark.parametrize(
    ("heading", "view"),
    [(180.0, "front"), (0.0, "front"), (90.0, "side"), (-90.0, "side"), (135.0, "oblique")],
)
def test_view_from_shoulder_line(heading, view):
    res = pose_result(heading_deg=heading, trunk=10.0)
    est = classify_view(to_gravity(res.world[None]), res.visibility[None], camera_rules().view)
    assert est.view == view
    assert est.per_frame[0] == view


def test_view_is_recorded_with_its_reliable_channels():
    series, _, view, _ = _series([pose_result(heading_deg=90.0, trunk=30.0)] * 3)
    assert view.view == "side"
    assert series.meta.extra["view"] == "side"
    assert "trunk_flexion" in series.meta.extra["reliable_channels"]
    assert "trunk_lateral" in series.meta.extra["unreliable_channels"]


def test_reliability_channels_are_real_channels():
    for block in camera_rules().reliability:
        assert set(block.reliable) | set(block.unreliable) <= set(CHANNELS)


def test_occluded_joint_gives_missing_angles_not_guesses():
    hidden = pose_result(trunk=20.0, elbow=60.0, visibility={"left_elbow": 0.2})
    series, *_ = _series([hidden])
    assert np.isnan(series["elbow_flexion_left"][0])
    assert np.isnan(series["upper_arm_flexion_left"][0])
    assert series.confidence("elbow_flexion_left")[0] == 0.0
    assert series["elbow_flexion_right"][0] == pytest.approx(60.0, abs=1e-6)
    assert series["trunk_flexion"][0] == pytest.approx(20.0, abs=1e-6)


def test_frames_without_a_person_are_missing_and_named():
    good = pose_result(trunk=10.0)
    frames = [Frame(index=i, time_s=i / 10, rgb=RGB) for i in range(5)]
    track, _notes = track_frames(frames, FakeBackend([good, None, None, good, good]), where="x.mp4")
    assert track.found.tolist() == [True, False, False, True, True]
    series, *_ = build_series(track, CameraOptions(), kind="video", backend="fake")
    assert np.isnan(series["trunk_flexion"][1:3]).all()
    assert np.isfinite(series["trunk_flexion"][[0, 3, 4]]).all()


def test_activity_from_thighs():
    sitting = pose_result(trunk=5.0)
    # thighs horizontal: move the knees forward of the hips
    w = sitting.world.copy()
    from backcare.camera.backend import landmark_index

    for side in ("left", "right"):
        hip, knee = landmark_index(f"{side}_hip"), landmark_index(f"{side}_knee")
        thigh = w[knee] - w[hip]
        # the side view faces image-left: forward is -x in camera axes; rotate the thigh forward
        moved = w[hip] + np.array([-np.linalg.norm(thigh), 0.0, 0.0])
        ankle = landmark_index(f"{side}_ankle")
        w[ankle] = w[ankle] + (moved - w[knee])  # the shank goes with the knee
        w[knee] = moved
    seated = type(sitting)(world=w, image=sitting.image, visibility=sitting.visibility)
    series, *_ = _series([sitting, seated])
    assert series.activity.tolist() == [Activity.STAND, Activity.SIT]
