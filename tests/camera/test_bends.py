"""Side views from a raised camera, deep forward bends, misfitted skeletons, the near arm.

All on the rendered skeletons of :mod:`tests.camera.skeleton` (an orthographic camera whose
pitch and the person's heading are known), changed the way the pose model errs.
"""

from __future__ import annotations

import numpy as np
import pytest

from backcare.camera.backend import FakeBackend, PoseResult, landmark_index
from backcare.camera.geometry import image_view_labels, limb_asymmetry
from backcare.camera.pipeline import CameraOptions, build_series, camera_rules, track_frames
from backcare.camera.video import Frame

from .skeleton import pose_result

#: The rendered skeletons' picture coordinates share one scale across and down: a square frame
SQUARE = np.zeros((480, 480, 3), dtype=np.uint8)


def _series(results, options=None):
    frames = [Frame(index=i, time_s=i / 30, rgb=SQUARE) for i in range(len(results))]
    track, _ = track_frames(frames, FakeBackend(list(results)), where="synthetic")
    return build_series(track, options or CameraOptions(), kind="video", backend="fake")


def _labels(res: PoseResult, roll_deg: float = 0.0) -> str:
    rules = camera_rules()
    out = image_view_labels(
        res.image[None], res.visibility[None], 480, 480, rules.view_width, 0.5, roll_deg=roll_deg
    )
    return str(out[0])


# -- the view of a raised camera -----------------------------------------------------------------
@pytest.mark.parametrize("pitch", [20.0, 35.0, 50.0])
@pytest.mark.parametrize("trunk", [0.0, 45.0, 90.0])
@pytest.mark.parametrize("heading", [90.0, -90.0])
def test_side_view_from_a_raised_camera_stays_side_on(pitch, trunk, heading):
    # the camera looks down: the shoulder line, running away from it, shows up and down the
    # picture; only its width across the picture tells a front view
    res = pose_result(heading_deg=heading, pitch_deg=pitch, trunk=trunk)
    assert _labels(res) == "side"
    series, _, view, _ = _series([res], CameraOptions(camera_pitch_deg=pitch))
    assert view.view == "side"
    assert series["trunk_flexion"][0] == pytest.approx(trunk, abs=1e-6)


@pytest.mark.parametrize("pitch", [0.0, 20.0, 35.0, 50.0])
@pytest.mark.parametrize("trunk", [0.0, 45.0, 90.0])
def test_front_view_from_a_raised_camera_stays_front_even_when_depth_says_side(pitch, trunk):
    side = pose_result(heading_deg=90.0, pitch_deg=pitch, trunk=trunk)
    front = pose_result(heading_deg=180.0, pitch_deg=pitch, trunk=trunk)
    fooled = PoseResult(side.world, front.image, side.visibility)
    series, _, view, _ = _series([fooled], CameraOptions(camera_pitch_deg=pitch))
    assert view.view == "front"
    assert np.isnan(series["trunk_flexion"][0])


@pytest.mark.parametrize("pitch", [20.0, 35.0])
def test_turned_half_way_from_a_raised_camera_is_not_side_on(pitch):
    # 60 deg from facing the camera (30 deg from side-on): never side, at any trunk angle
    for trunk in (0.0, 45.0, 90.0):
        res = pose_result(heading_deg=120.0, pitch_deg=pitch, trunk=trunk)
        assert _labels(res) in ("oblique", "front")


def test_a_rolled_camera_is_measured_along_the_true_horizontal():
    res = pose_result(heading_deg=90.0, pitch_deg=35.0, trunk=60.0)
    roll = np.radians(25.0)
    # the picture turned so that the true vertical leans 25 deg to the image's right
    turn = np.array([[np.cos(roll), -np.sin(roll)], [np.sin(roll), np.cos(roll)]])
    image = (res.image - 0.5) @ turn.T + 0.5
    rolled = PoseResult(res.world, image, res.visibility)
    assert _labels(rolled, roll_deg=25.0) == "side"
    assert _labels(rolled, roll_deg=-25.0) != "side"


# -- a skeleton laid onto the wrong body parts ---------------------------------------------------
def _misfit(res: PoseResult) -> PoseResult:
    """One arm read as a leg and that leg as an arm, as the model did on a deep bend."""
    world, image = res.world.copy(), res.image.copy()
    for arm, leg in (("shoulder", "hip"), ("elbow", "knee"), ("wrist", "ankle")):
        a, b = landmark_index(f"left_{arm}"), landmark_index(f"left_{leg}")
        world[[a, b]] = world[[b, a]]
        image[[a, b]] = image[[b, a]]
    return PoseResult(world, image, res.visibility)


def test_a_skeleton_with_unlike_left_and_right_limbs_gives_no_angles():
    good = pose_result(heading_deg=90.0, trunk=70.0, arm=80.0)
    rule = camera_rules().skeleton
    both = np.stack([good.world, _misfit(good).world])
    asym, usable = limb_asymmetry(both, np.full(both.shape[:2], 0.99), rule, 0.5)
    assert asym[0] == pytest.approx(0.0, abs=1e-9)
    assert asym[1] > rule.max_limb_asymmetry
    assert usable.tolist() == [True, False]
    series, *_ = _series([good, _misfit(good)])
    assert series["trunk_flexion"][0] == pytest.approx(70.0, abs=1e-6)
    for name in ("trunk_flexion", "upper_arm_flexion_left", "knee_flexion_right"):
        assert np.isnan(series[name][1])
    assert any("wrong body parts" in c for c in series.meta.extra["caveats"])


def test_limbs_the_model_only_guesses_are_left_out():
    res = pose_result(heading_deg=90.0, trunk=30.0)
    world = res.world.copy()
    knee, ankle = landmark_index("left_knee"), landmark_index("left_ankle")
    world[ankle] = world[knee] + 6.0 * (world[ankle] - world[knee])
    rule = camera_rules().skeleton
    assert not limb_asymmetry(world[None], res.visibility[None], rule, 0.5)[1][0]
    vis = res.visibility.copy()
    vis[[ankle, landmark_index("right_ankle")]] = 0.1  # legs under a desk: guessed
    assert limb_asymmetry(world[None], vis[None], rule, 0.5)[1][0]


def test_ordinary_left_right_differences_are_kept():
    # a shank 15 % longer on one side (beyond what people show) still counts as one body
    res = pose_result(heading_deg=90.0, trunk=30.0)
    world = res.world.copy()
    knee, ankle = landmark_index("left_knee"), landmark_index("left_ankle")
    world[ankle] = world[knee] + 1.15 * (world[ankle] - world[knee])
    _, usable = limb_asymmetry(world[None], res.visibility[None], camera_rules().skeleton, 0.5)
    assert usable[0]
    series, *_ = _series([PoseResult(world, res.image, res.visibility)])
    assert series["trunk_flexion"][0] == pytest.approx(30.0, abs=1e-6)


# -- the near arm side-on ------------------------------------------------------------------------
def _near_side(res: PoseResult) -> tuple[str, str]:
    z = res.world[:, 2]
    left = z[landmark_index("left_shoulder")] < z[landmark_index("right_shoulder")]
    return ("left", "right") if left else ("right", "left")


def _metric(world: np.ndarray, vis: np.ndarray, channel: str) -> float:
    from backcare.camera.geometry import angle_points, to_gravity
    from backcare.posture.angles import joint_angles

    pts, _ = angle_points(to_gravity(world[None]), vis[None])
    return float(joint_angles(pts)[channel][0])


@pytest.mark.parametrize("heading", [90.0, -90.0])
@pytest.mark.parametrize(("trunk", "arm"), [(0.0, 60.0), (80.0, 100.0), (90.0, -20.0)])
def test_near_arm_side_on_is_read_in_the_picture_despite_depth_error(heading, trunk, arm):
    res = pose_result(heading_deg=heading, trunk=trunk, arm=arm, elbow=30.0)
    near, far = _near_side(res)
    # the metric landmarks turn the shoulder line 25 deg off side-on (the far shoulder ahead)
    # and put both elbows 0.1 m off in depth; the picture is exact
    world = res.world.copy()
    w = {n: res.world[landmark_index(n)] for n in ("left_shoulder", "right_shoulder")}
    w.update({n: res.world[landmark_index(n)] for n in ("left_hip", "right_hip")})
    z_t = 0.5 * (w["left_shoulder"] + w["right_shoulder"] - w["left_hip"] - w["right_hip"])
    z_t /= np.linalg.norm(z_t)
    line = w["left_shoulder"] - w["right_shoulder"]
    forward = np.cross(line / np.linalg.norm(line), z_t)  # the trunk's forward, camera axes
    shift = np.tan(np.radians(25.0)) * np.linalg.norm(line) * forward
    world[landmark_index(f"{far}_shoulder")] += shift
    for name in (f"{near}_elbow", f"{far}_elbow"):
        world[landmark_index(name), 2] -= 0.1
    seen = PoseResult(world, res.image, res.visibility)
    series, _, view, _ = _series([seen])
    assert view.view == "side"
    channel = f"upper_arm_flexion_{near}"
    assert abs(_metric(world, res.visibility, channel) - arm) > 5  # what depth would give
    assert series[channel][0] == pytest.approx(arm, abs=1e-6)
    # the far arm, partly hidden side-on, keeps the metric estimate
    far_channel = f"upper_arm_flexion_{far}"
    assert series[far_channel][0] == pytest.approx(
        _metric(world, res.visibility, far_channel), abs=1e-6
    )


def test_near_arm_reaching_towards_the_camera_keeps_the_metric_value():
    res = pose_result(heading_deg=90.0, trunk=30.0, arm=40.0)
    near, _ = _near_side(res)
    world, image = res.world.copy(), res.image.copy()
    sh, elbow = landmark_index(f"{near}_shoulder"), landmark_index(f"{near}_elbow")
    # the upper arm points at the camera and a little down: short in the picture
    world[elbow] = world[sh] + np.array([0.0, 0.08, -0.29])
    image[elbow] = image[sh] + 0.4 * np.array([0.0, 0.08])
    series, *_ = _series([PoseResult(world, image, res.visibility)])
    channel = f"upper_arm_flexion_{near}"
    assert series[channel][0] == pytest.approx(_metric(world, res.visibility, channel), abs=1e-6)


def test_near_arm_forward_is_where_the_feet_point_when_the_head_hangs():
    # a deep bend with the face turned back towards the feet: the nose is behind the ears
    res = pose_result(heading_deg=-90.0, trunk=90.0, neck=80.0, arm=100.0)
    near, _ = _near_side(res)
    image = res.image.copy()
    ears = [landmark_index("left_ear"), landmark_index("right_ear")]
    nose = landmark_index("nose")
    image[nose, 0] = image[ears, 0].mean() - (image[nose, 0] - image[ears, 0].mean())
    series, *_ = _series([PoseResult(res.world, image, res.visibility)])
    assert series[f"upper_arm_flexion_{near}"][0] == pytest.approx(100.0, abs=1e-6)


# -- the neck side-on ----------------------------------------------------------------------------
@pytest.mark.parametrize("heading", [90.0, -90.0])
@pytest.mark.parametrize("neck", [0.0, 15.0, 35.0])
def test_neck_side_on_uses_the_near_ear_not_the_guessed_far_one(heading, neck):
    res = pose_result(heading_deg=heading, trunk=20.0, neck=neck)
    _, far = _near_side(res)
    image = res.image.copy()
    # the model guesses the hidden far ear 0.06 m further forward than it is (picture only)
    nose, ear = landmark_index("nose"), landmark_index(f"{far}_ear")
    image[ear, 0] += 0.4 * 0.06 * np.sign(image[nose, 0] - image[ear, 0])
    series, _, view, _ = _series([PoseResult(res.world, image, res.visibility)])
    assert view.view == "side"
    assert series["neck_flexion"][0] == pytest.approx(neck, abs=1e-6)


def test_neck_side_on_falls_back_to_the_far_ear_when_the_near_one_is_unseen():
    res = pose_result(heading_deg=90.0, trunk=20.0, neck=25.0)
    near, _ = _near_side(res)
    series, *_ = _series(
        [pose_result(heading_deg=90.0, trunk=20.0, neck=25.0, visibility={f"{near}_ear": 0.1})]
    )
    assert series["neck_flexion"][0] == pytest.approx(25.0, abs=1e-6)


# -- a misread deep bend read again turned -------------------------------------------------------
def _as_seen_turned(res: PoseResult, k: int) -> PoseResult:
    """What the model reports on ``np.rot90(picture, k)`` for the pose ``res`` of the picture."""
    x, y = res.image[:, 0], res.image[:, 1]
    wx, wy, wz = res.world[:, 0], res.world[:, 1], res.world[:, 2]
    if k == 1:
        image, world = np.column_stack([y, 1.0 - x]), np.column_stack([wy, -wx, wz])
    else:
        image, world = np.column_stack([1.0 - y, x]), np.column_stack([-wy, wx, wz])
    return PoseResult(world, image, res.visibility)


class _ByOrientation:
    """Answers by which way the marked picture is turned (k of ``np.rot90``): a scripted model."""

    name = "scripted"

    def __init__(self, marked: np.ndarray, answers: dict[int, PoseResult | None]) -> None:
        self.corner = {
            k: tuple(np.argwhere(np.rot90(marked, k)[..., 0] == 255)[0]) for k in (0, 1, 2, 3)
        }
        self.answers = answers
        self.calls: list[int] = []

    def process(self, rgb: np.ndarray) -> PoseResult | None:
        spot = tuple(np.argwhere(rgb[..., 0] == 255)[0])
        k = next(k for k, c in self.corner.items() if c == spot)
        self.calls.append(k)
        return self.answers.get(k)

    def close(self) -> None:
        return None


def _marked_square() -> np.ndarray:
    rgb = np.zeros((480, 480, 3), dtype=np.uint8)
    rgb[5, 9] = 255  # tells the four orientations apart
    return rgb


def test_a_misread_deep_bend_is_read_again_on_the_turned_picture(tmp_path):
    from PIL import Image

    from backcare.camera.pipeline import analyze_image

    bend = pose_result(heading_deg=-90.0, trunk=90.0, arm=100.0, knee=10.0, scale=0.3)
    misread = _misfit(bend)
    rgb = _marked_square()
    path = tmp_path / "bend.png"
    Image.fromarray(rgb).save(path)
    # the picture as given is misread; turned so the trunk stands up it is read right, and the
    # other way round it is misread again
    backend = _ByOrientation(
        rgb, {0: misread, 1: _as_seen_turned(bend, 1), 3: _misfit(_as_seen_turned(bend, 3))}
    )
    out = analyze_image(path, backend, find_people=False)
    assert {1, 3} <= set(backend.calls)
    assert np.allclose(out.track.image[0], bend.image)
    assert np.allclose(out.track.world[0], bend.world)
    assert out.view.view == "side"
    assert out.series["trunk_flexion"][0] == pytest.approx(90.0, abs=1e-6)
    near, _ = _near_side(bend)
    assert out.series[f"upper_arm_flexion_{near}"][0] == pytest.approx(100.0, abs=1e-6)
    assert any("read again on the picture turned 90 deg anticlockwise" in n for n in out.issues)


def test_a_well_read_bend_is_not_read_again(tmp_path):
    from PIL import Image

    from backcare.camera.pipeline import analyze_image

    bend = pose_result(heading_deg=90.0, trunk=90.0, arm=100.0, scale=0.3)
    rgb = _marked_square()
    path = tmp_path / "bend.png"
    Image.fromarray(rgb).save(path)
    backend = _ByOrientation(rgb, {0: bend, 1: _misfit(bend), 3: _misfit(bend)})
    out = analyze_image(path, backend, find_people=False)
    assert backend.calls.count(1) == backend.calls.count(3) == 0
    assert out.series["trunk_flexion"][0] == pytest.approx(90.0, abs=1e-6)


def test_a_misread_bend_without_a_better_reading_gives_no_angles(tmp_path):
    from PIL import Image

    from backcare.camera.pipeline import analyze_image

    bend = pose_result(heading_deg=90.0, trunk=90.0, arm=100.0, scale=0.3)
    rgb = _marked_square()
    path = tmp_path / "bend.png"
    Image.fromarray(rgb).save(path)
    backend = _ByOrientation(rgb, {0: _misfit(bend), 1: None, 3: _misfit(bend)})
    out = analyze_image(path, backend, find_people=False)
    assert np.isnan(out.series["trunk_flexion"][0])
    assert any("wrong body parts" in n for n in out.issues)


def test_neck_side_on_passes_over_an_ear_placed_ahead_of_the_eyes():
    res = pose_result(heading_deg=-90.0, trunk=10.0, neck=20.0)
    near, _ = _near_side(res)
    image = res.image.copy()
    nose, ear = landmark_index("nose"), landmark_index(f"{near}_ear")
    image[ear, 0] = image[nose, 0] + 0.01 * np.sign(image[nose, 0] - image[ear, 0])
    series, *_ = _series([PoseResult(res.world, image, res.visibility)])
    assert series["neck_flexion"][0] == pytest.approx(20.0, abs=1e-6)
