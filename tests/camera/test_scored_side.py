"""Side views: REBA and RULA score the side of the body that faces the camera.

A rater scores one side of the body: the one the camera sees, or the worse one when both arms
are seen. The rendered side views below hide the far arm the way the pose model does (low
visibility behind the body).
"""

from __future__ import annotations

import numpy as np
import pytest

from backcare.camera.backend import FakeBackend
from backcare.camera.pipeline import CameraOptions, build_series, track_frames
from backcare.camera.scoring import score_series
from backcare.camera.video import Frame

from .skeleton import pose_result

SQUARE = np.zeros((480, 480, 3), dtype=np.uint8)
HAND = ("elbow", "wrist", "pinky", "index", "thumb")


def _scores(results, options=None):
    options = options or CameraOptions()
    frames = [Frame(index=i, time_s=i / 30, rgb=SQUARE) for i in range(len(results))]
    track, _ = track_frames(frames, FakeBackend(list(results)), where="synthetic")
    series, *_ = build_series(
        track, options, kind="image" if len(results) == 1 else "video", backend="fake"
    )
    return series, score_series(series, options)


@pytest.mark.parametrize("far", ["left", "right"])
def test_hidden_far_arm_gives_the_near_side_score_not_a_range(far):
    near = "right" if far == "left" else "left"
    hidden = {f"{far}_{part}": 0.05 for part in HAND}
    res = pose_result(heading_deg=90.0, trunk=30.0, arm=50.0, elbow=60.0, visibility=hidden)
    series, scores = _scores([res])
    assert np.isnan(series[f"upper_arm_flexion_{far}"][0])
    assert series[f"upper_arm_flexion_{near}"][0] == pytest.approx(50.0, abs=1.0)
    for fs in (scores.reba, scores.rula):
        assert fs is not None
        # trunk 30 deg, arm 50 deg, elbow 60 deg, neck and knees straight: one score, no range
        assert fs.high[0] == fs.score[0]
        assert fs.detail["scored_side"][near]["facing_camera"] == 1
    assert scores.reba.score[0] == 3
    assert any(
        f"score the {near} side of the body, the side facing the camera" in note
        for note in scores.notes
    )
    assert not any("given as ranges" in note for note in scores.notes)


def test_what_is_unknown_on_the_near_side_still_widens_the_range():
    hidden = {f"left_{part}": 0.05 for part in HAND}
    hidden.update({f"right_{part}": 0.05 for part in ("pinky", "index", "thumb")})
    res = pose_result(heading_deg=90.0, trunk=30.0, arm=50.0, elbow=60.0, visibility=hidden)
    _, scores = _scores([res])
    assert scores.reba is not None
    assert scores.reba.high[0] > scores.reba.score[0]
    note = next(n for n in scores.notes if "given as ranges" in n)
    assert note.endswith("right wrist")


def test_both_arms_seen_scores_the_worse_arm_and_says_so():
    res = pose_result(heading_deg=90.0, trunk=30.0, arm=50.0, elbow=60.0)
    _, scores = _scores([res])
    assert any("the worse of the two arms seen" in note for note in scores.notes)


def test_a_clip_says_which_side_was_scored_where_an_arm_was_hidden():
    hidden = {f"left_{part}": 0.05 for part in HAND}
    seen = pose_result(heading_deg=90.0, trunk=30.0, arm=50.0, elbow=60.0)
    far = pose_result(heading_deg=90.0, trunk=30.0, arm=50.0, elbow=60.0, visibility=hidden)
    _, scores = _scores([seen, far, far, seen], CameraOptions(smooth=False))
    assert scores.reba is not None
    assert (scores.reba.high == scores.reba.score).all()
    assert any("the right side in 2 frames" in note for note in scores.notes)
