"""The validation's comparison with REBA scored by human raters (no photos needed)."""

from __future__ import annotations

import csv
import math
from pathlib import Path
from types import ModuleType

import pytest


def _photo(moment: str, rater: str, reference: int, low: float, high: float, view: str = "side"):
    return {
        "image": f"{moment}-{rater}.png",
        "moment": moment,
        "rater": rater,
        "reference": reference,
        "activity": 0,
        "motion_capture": None,
        "view": view,
        "low": low,
        "high": high,
    }


def test_a_score_lies_as_far_from_a_range_as_its_gap(vc: ModuleType) -> None:
    assert vc.reba_gap(3, 6, 5, 5) == 0.0
    assert vc.reba_gap(3, 6, 8, 8) == 2.0
    assert vc.reba_gap(3, 6, 1, 1) == 2.0


def test_agreement_reads_the_range_and_its_lowest_end(vc: ModuleType) -> None:
    rows = [
        _photo("a", "x", 7, 4, 9),  # inside the range, lowest end 3 below
        _photo("b", "x", 3, 5, 8),  # 2 below the range
        _photo("c", "x", 5, math.nan, math.nan, view="front"),  # withheld
    ]
    out = vc.rater_agreement(rows)
    assert out["photos"] == 3
    assert out["scored"] == 2
    assert out["within_1"] == 0.5
    assert out["low_bias"] == -0.5  # (4 - 7 + 5 - 3) / 2
    assert out["low_mean_abs_difference"] == 2.5
    assert out["mean_range_width"] == 4.0


def test_two_phones_compare_only_moments_both_score_from_the_side(vc: ModuleType) -> None:
    rows = [
        _photo("m1", "Cem", 7, 4, 7),
        _photo("m1", "Jessica", 8, 8, 9),  # ranges touch: gap 1, lowest ends 4 apart
        _photo("m2", "Cem", 5, 3, 5),
        _photo("m2", "Jessica", 5, math.nan, math.nan, view="front"),
        _photo("m3", "Cem", 6, 6, 6),  # filmed once
    ]
    out = vc.two_phones(rows)
    assert out["moments_filmed_twice"] == 2
    assert out["raters_mean_difference"] == 0.5
    assert out["both_scored_side_or_oblique"] == 1
    assert out["range_gap_mean"] == 1.0
    assert out["low_mean_difference"] == 4.0
    assert out["raters_mean_difference_on_these"] == 1.0


def test_the_committed_rater_file_loads_with_its_two_phones(vc: ModuleType) -> None:
    scores = vc.load_rater_scores(vc.RATER_SCORES)
    assert len(scores) == 72
    assert {s.rater for s in scores} == {"Cem", "Jessica"}
    assert all(1 <= s.reba <= 15 for s in scores)
    assert all(s.force_load in vc.LOAD_FOR_FORCE_SCORE for s in scores)
    assert all(s.coupling in vc.COUPLING_FOR_SCORE for s in scores)
    moments = [s.moment for s in scores]
    assert sum(moments.count(m) == 2 for m in set(moments)) == 34


def test_a_rater_file_without_its_columns_is_refused(vc: ModuleType, tmp_path: Path) -> None:
    path = tmp_path / "scores.csv"
    with path.open("w", newline="") as fh:
        csv.writer(fh).writerows([["repository", "path", "reba"], ["a/b", "x.png", "5"]])
    with pytest.raises(ValueError, match="missing columns"):
        vc.load_rater_scores(path)
