"""The one helper every page uses to show a REBA/RULA score or range in words."""

from __future__ import annotations

import math

import numpy as np

from backcare.camera.scoring import score_text


def test_range_names_both_levels() -> None:
    assert score_text("reba", 3, 6, "low", "medium") == "REBA 3-6 (low to medium risk)"


def test_exact_score() -> None:
    assert score_text("rula", 4.0, 4.0, "medium", "medium") == "RULA 4 (medium risk)"


def test_range_within_one_level() -> None:
    assert score_text("reba", 4, 7, "medium", "medium") == "REBA 4-7 (medium risk)"


def test_not_scored_is_words_not_nan() -> None:
    assert score_text("reba", math.nan, math.nan) == "REBA not scored"
    assert score_text("reba", None) == "REBA not scored"


def test_range_note_names_what_was_not_seen() -> None:
    from backcare.camera.pipeline import CameraOptions
    from backcare.camera.scoring import score_series
    from backcare.posture.series import PostureSeries

    values = {
        "trunk_flexion": 10.0,
        "neck_flexion": 10.0,
        "upper_arm_flexion_left": 10.0,
        "elbow_flexion_left": 80.0,
        "trunk_twist": 9.0,
    }
    series = PostureSeries(np.array([0.0]), {k: np.array([v]) for k, v in values.items()})
    scores = score_series(series, CameraOptions())
    note = next(n for n in scores.notes if "ranges" in n)
    # the right arm was not seen at all: the left one is scored, as a rater scores the side the
    # camera sees, and the unseen arm does not widen the range
    assert "right upper arm" not in note
    assert "trunk twist" in note
    assert "_" not in note
    assert scores.reba is not None
    assert scores.reba.text(0).startswith("REBA ")
    assert "-" in scores.reba.text(0)
