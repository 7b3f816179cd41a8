"""The one helper every page uses to show a REBA/RULA score or range in words."""

from __future__ import annotations

import math

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
