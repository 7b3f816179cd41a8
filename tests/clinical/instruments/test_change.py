"""Minimal important change: improved / worsened / no meaningful change, with the rule stated."""

from __future__ import annotations

import pytest

from backcare.clinical.instruments import classify_change, score
from backcare.errors import InputError

from .helpers import ndi_with_sum, numbered, odi_with_sum


def _odi(percent: int):
    return score("odi", odi_with_sum(percent // 2))


def _nrs(value: int):
    return score("nrs", {"nrs.average_week": value})


def _rmdq(count: int):
    return score("rmdq", numbered("rmdq", [1] * count + [0] * (24 - count)))


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (50, 40, "improved"),  # 10 points = MIC
        (50, 42, "no_meaningful_change"),  # 8 points, 16 %
        (20, 14, "improved"),  # 6 points but 30 % of baseline
        (20, 16, "no_meaningful_change"),  # 4 points, 20 %
        (40, 50, "worsened"),  # +10 points
        (10, 18, "no_meaningful_change"),  # +8 points (80 % but relative counts for improvement)
        (0, 0, "no_meaningful_change"),
        (0, 10, "worsened"),
    ],
)
def test_odi_change(before, after, expected):
    change = classify_change("odi", _odi(before), _odi(after))
    assert change.classification == expected
    assert change.scale == "percent"
    assert change.change == after - before
    assert "Ostelo" in change.rule
    assert change.sources == ["ostelo-2008"]


def test_relative_rule_is_named_when_it_decides():
    change = classify_change("odi", _odi(20), _odi(14))
    assert "30% of the baseline" in change.rule or "relative MIC" in change.rule
    assert change.percent_change == pytest.approx(-30.0)


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (6, 4, "improved"),
        (6, 5, "no_meaningful_change"),
        (3, 2, "improved"),
        (2, 4, "worsened"),
        (2, 3, "no_meaningful_change"),
    ],
)
def test_nrs_change(before, after, expected):
    assert classify_change("nrs", _nrs(before), _nrs(after)).classification == expected


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (12, 7, "improved"),
        (15, 11, "no_meaningful_change"),
        (10, 7, "improved"),
        (7, 12, "worsened"),
        (7, 11, "no_meaningful_change"),
    ],
)
def test_rmdq_change(before, after, expected):
    assert classify_change("rmdq", _rmdq(before), _rmdq(after)).classification == expected


def test_ndi_uses_points_only():
    assert (
        classify_change(
            "ndi", score("ndi", ndi_with_sum(10)), score("ndi", ndi_with_sum(6))
        ).classification
        == "no_meaningful_change"  # 40 % but NDI's MIC is 5 points only
    )
    assert (
        classify_change(
            "ndi", score("ndi", ndi_with_sum(10)), score("ndi", ndi_with_sum(5))
        ).classification
        == "improved"
    )


def test_prorated_scores_exactly_one_mic_apart_count_as_meaningful():
    before = score("ndi", ndi_with_sum(9, answered=9))  # 9 x 10 / 9 = 10
    after = score("ndi", ndi_with_sum(12, answered=8))  # 12 x 10 / 8 = 15
    assert (before.total, after.total) == (10.0, 15.0)
    assert classify_change("ndi", before, after).classification == "worsened"
    nearly = score("ndi", ndi_with_sum(13, answered=9))  # 14.44
    assert classify_change("ndi", before, nearly).classification == "no_meaningful_change"


def test_instruments_without_mic_are_not_classified():
    low = score("startback", numbered("startback", [0] * 9))
    high = score("startback", numbered("startback", [1] * 8 + [4]))
    change = classify_change("startback", low, high)
    assert change.classification == "not_applicable"
    assert change.change == 9
    assert "no minimal important change" in change.rule


def test_mismatched_results_are_refused():
    with pytest.raises(InputError, match="expected 'odi'") as err:
        classify_change("odi", _nrs(3), _odi(20))
    assert err.value.where == "before"


def test_variant_mismatch_is_noted():
    before = score("odi", odi_with_sum(20))
    after = score("odi", {**odi_with_sum(10), "odi.variant": "employment"})
    change = classify_change("odi", before, after)
    assert change.classification == "improved"
    assert any("not strictly comparable" in note for note in change.notes)
