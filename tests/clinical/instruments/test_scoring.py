"""Scoring rules, band boundaries and missing-item rules of every instrument."""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest

from backcare.clinical.instruments import instrument, instrument_ids, score, score_all
from backcare.errors import InputError

from .helpers import ndi_with_sum, numbered, odi_with_sum


def test_the_six_instruments_are_registered():
    assert set(instrument_ids()) == {"startback", "odi", "rmdq", "ndi", "nrs", "orebro"}


# -- STarT Back ----------------------------------------------------------------------------------
def _startback_reference(binary: tuple[int, ...], bother: int) -> tuple[int, int, str]:
    """Keele's rule written out independently: total, psychosocial subscale, risk group."""
    item9 = 1 if bother in (3, 4) else 0  # "very much" or "extremely"
    total = sum(binary) + item9
    psychosocial = binary[4] + binary[5] + binary[6] + binary[7] + item9  # items 5-9
    if total <= 3:
        group = "low"
    elif psychosocial <= 3:
        group = "medium"
    else:
        group = "high"
    return total, psychosocial, group


def test_startback_every_answer_combination_matches_the_reference():
    seen = set()
    for binary in itertools.product((0, 1), repeat=8):
        for bother in range(5):
            result = score("startback", numbered("startback", [*binary, bother]))
            total, psychosocial, group = _startback_reference(binary, bother)
            assert result.total == total
            assert result.subscales == {"psychosocial": psychosocial}
            assert result.category == group, (binary, bother)
            seen.add(group)
    assert seen == {"low", "medium", "high"}


def test_startback_boundaries():
    # total 3 -> low; total 4 with subscale 3 -> medium; subscale 4 -> high
    assert score("startback", numbered("startback", [1, 1, 1, 0, 0, 0, 0, 0, 0])).category == "low"
    assert (
        score("startback", numbered("startback", [1, 0, 0, 0, 1, 1, 1, 0, 0])).category == "medium"
    )
    assert score("startback", numbered("startback", [0, 0, 0, 0, 1, 1, 1, 1, 0])).category == "high"
    # item 9: "moderately" (2) does not count, "very much" (3) does
    assert score("startback", numbered("startback", [0, 0, 0, 0, 1, 1, 1, 0, 2])).category == "low"
    assert score("startback", numbered("startback", [0, 0, 0, 0, 1, 1, 1, 0, 3])).category == "high"


def test_startback_refuses_any_missing_item():
    answers = numbered("startback", [1, 1, 1, 1, 1, 1, 1, 1, None])
    with pytest.raises(InputError, match="no unanswered items") as err:
        score("startback", answers)
    assert err.value.where == "startback.9"


# -- ODI -----------------------------------------------------------------------------------------
ODI_BANDS = [  # published bands (Fairbank & Pynsent 2000)
    ("minimal", 0, 20),
    ("moderate", 21, 40),
    ("severe", 41, 60),
    ("crippled", 61, 80),
    ("bed-bound", 81, 100),
]


def test_odi_bands_match_the_published_ones():
    banding = instrument("odi").banding
    assert banding is not None
    assert [(b.name, b.low, b.high) for b in banding.bands] == ODI_BANDS


@pytest.mark.parametrize(("name", "low", "high"), ODI_BANDS)
def test_odi_every_band_boundary_from_both_sides(name, low, high):
    # with all 10 sections answered the percentage is 2 x sum: even numbers only
    inside_low = low if low % 2 == 0 else low + 1
    inside_high = high if high % 2 == 0 else high - 1
    for pct in (inside_low, inside_high):
        result = score("odi", odi_with_sum(pct // 2))
        assert result.total == pct
        assert result.category == name
    if high < 100:
        above = score("odi", odi_with_sum(high // 2 + 1))
        assert above.total > high
        assert above.category != name
    if low > 0:
        below = score("odi", odi_with_sum((low - 1) // 2))
        assert below.total < low
        assert below.category != name


def test_odi_formula_over_answered_sections():
    full = score("odi", odi_with_sum(17))
    assert full.total == 34.0
    assert full.percent == 34.0
    nine = score("odi", odi_with_sum(9, answered=9))
    assert nine.total == 20.0  # 9 / 45 x 100, exactly on the boundary
    assert nine.category == "minimal"
    assert nine.missing == ["odi.10"]
    ten = score("odi", odi_with_sum(10, answered=9))
    assert ten.total == pytest.approx(100 * 10 / 45)
    assert ten.category == "moderate"
    eight = score("odi", odi_with_sum(9, answered=8))
    assert eight.total == 22.5  # 9 / 40 x 100
    assert eight.category == "moderate"


def test_odi_missing_rule_allows_two_blank_sections():
    assert score("odi", odi_with_sum(10, answered=8)).answered == 8
    with pytest.raises(InputError, match=r"3 of 10 items unanswered.*at most 2") as err:
        score("odi", odi_with_sum(10, answered=7))
    assert err.value.where == "odi"
    assert "odi.8, odi.9, odi.10" in str(err.value)


def test_odi_variant_recorded_from_answers_or_option():
    answers = odi_with_sum(10)
    assert score("odi", answers).variant == "sex_life"
    assert score("odi", {**answers, "odi.variant": "employment"}).variant == "employment"
    assert score("odi", answers, variant="employment").variant == "employment"
    result = score("odi", {**answers, "odi.variant": "employment"})
    assert any("employment" in note for note in result.rule_notes)
    with pytest.raises(InputError, match="variant must be one of") as err:
        score("odi", {**answers, "odi.variant": "work"})
    assert err.value.where == "odi.variant"
    with pytest.raises(InputError, match="give one"):
        score("odi", {**answers, "odi.variant": "sex_life"}, variant="employment")
    with pytest.raises(InputError, match="no variants"):
        score("ndi", ndi_with_sum(5), variant="employment")


# -- band rounding -------------------------------------------------------------------------------
def test_non_integer_scores_are_rounded_half_up_before_banding():
    banding = instrument("odi").banding
    assert banding is not None
    assert banding.band_for(Fraction(204, 10)).name == "minimal"
    assert banding.band_for(Fraction(205, 10)).name == "moderate"
    assert banding.band_for(Fraction(4049, 100)).name == "moderate"
    assert banding.band_for(Fraction(405, 10)).name == "severe"


# -- RMDQ ----------------------------------------------------------------------------------------
def test_rmdq_counts_ticked_statements():
    assert score("rmdq", numbered("rmdq", [0] * 24)).total == 0
    assert score("rmdq", numbered("rmdq", [1] * 24)).total == 24
    result = score("rmdq", numbered("rmdq", [1] * 7 + [0] * 17))
    assert result.total == 7
    assert result.category is None
    assert result.percent is None


def test_rmdq_prorates_up_to_two_unanswered_statements():
    one = score("rmdq", numbered("rmdq", [1] * 11 + [0] * 12 + [None]))
    assert one.total == pytest.approx(11 * 24 / 23)
    assert one.missing == ["rmdq.24"]
    two = score("rmdq", numbered("rmdq", [1] * 11 + [0] * 11 + [None, None]))
    assert two.total == 12.0
    with pytest.raises(InputError, match="3 of 24 items unanswered"):
        score("rmdq", numbered("rmdq", [1] * 11 + [0] * 10 + [None] * 3))


# -- NDI -----------------------------------------------------------------------------------------
NDI_BANDS = [
    ("none", 0, 4),
    ("mild", 5, 14),
    ("moderate", 15, 24),
    ("severe", 25, 34),
    ("complete", 35, 50),
]  # Vernon & Mior 1991, raw 0-50


def test_ndi_bands_match_vernon():
    banding = instrument("ndi").banding
    assert banding is not None
    assert banding.scale == "total"
    assert [(b.name, b.low, b.high) for b in banding.bands] == NDI_BANDS


@pytest.mark.parametrize(("name", "low", "high"), NDI_BANDS)
def test_ndi_every_band_boundary_from_both_sides(name, low, high):
    assert score("ndi", ndi_with_sum(low)).category == name
    assert score("ndi", ndi_with_sum(high)).category == name
    if low > 0:
        assert score("ndi", ndi_with_sum(low - 1)).category != name
    if high < 50:
        assert score("ndi", ndi_with_sum(high + 1)).category != name


def test_ndi_total_percent_and_mean_substitution():
    full = score("ndi", ndi_with_sum(23))
    assert (full.total, full.percent) == (23.0, 46.0)
    # one item missing: it adds the mean of the nine answered items
    nine = score("ndi", ndi_with_sum(13, answered=9))
    assert nine.total == pytest.approx(13 + 13 / 9)
    assert nine.category == "mild"  # 14.4 rounds to 14
    nine_up = score("ndi", ndi_with_sum(14, answered=9))
    assert nine_up.total == pytest.approx(14 + 14 / 9)
    assert nine_up.category == "moderate"  # 15.6
    assert nine_up.percent == pytest.approx(2 * nine_up.total)
    with pytest.raises(InputError, match=r"3 of 10 items unanswered.*at most 2"):
        score("ndi", ndi_with_sum(10, answered=7))


# -- pain NRS ------------------------------------------------------------------------------------
def test_nrs_scores_the_average_week_rating():
    result = score("nrs", {"nrs.now": 3, "nrs.average_week": 5, "nrs.worst_week": 8})
    assert result.total == 5
    assert result.subscales == {"now": 3, "average_week": 5, "worst_week": 8}
    assert result.category is None
    only = score("nrs", {"nrs.average_week": 0})
    assert only.total == 0
    assert only.missing == ["nrs.now", "nrs.worst_week"]
    assert only.subscales == {"average_week": 0}


def test_nrs_needs_the_average_rating():
    with pytest.raises(InputError, match="is required") as err:
        score("nrs", {"nrs.now": 4})
    assert err.value.where == "nrs.average_week"
    with pytest.raises(InputError, match="out of range"):
        score("nrs", {"nrs.average_week": 11})


def test_nrs_ships_its_own_wording_and_the_others_ship_none():
    for iid in instrument_ids():
        doc = instrument(iid)
        worded = [item.id for item in doc.items if item.text]
        if iid == "nrs":
            assert doc.licence.wording_shipped
            assert len(worded) == 3
        else:
            assert not doc.licence.wording_shipped
            assert worded == []


# -- OMPSQ-10 ------------------------------------------------------------------------------------
def _orebro_reference(values: list[int]) -> int:
    """Linton 2011 short form: items 3, 4 and 8 scored 10 - answer; the rest as answered."""
    return sum(10 - v if n in (3, 4, 8) else v for n, v in enumerate(values, start=1))


def test_orebro_reversed_items_and_range():
    doc = instrument("orebro")
    assert [item.id for item in doc.items if item.reversed] == ["orebro.3", "orebro.4", "orebro.8"]
    assert (doc.item("orebro.1").min, doc.item("orebro.1").max) == (1, 10)
    lowest = score("orebro", numbered("orebro", [1, 0, 10, 10, 0, 0, 0, 10, 0, 0]))
    assert lowest.total == 1
    highest = score("orebro", numbered("orebro", [10, 10, 0, 0, 10, 10, 10, 0, 10, 10]))
    assert highest.total == 100
    assert highest.total_range == (1.0, 100.0)
    answers = [4, 6, 7, 3, 5, 2, 6, 8, 5, 4]
    result = score("orebro", numbered("orebro", answers))
    assert result.total == _orebro_reference(answers)
    assert result.item_scores["orebro.3"] == 3
    assert any("orebro.3, orebro.4, orebro.8" in note for note in result.rule_notes)


def test_orebro_cut_off_of_50_from_both_sides():
    base = [1, 0, 10, 10, 0, 0, 0, 10, 0, 0]  # total 1
    at_49 = [*base]
    at_49[1] = 10  # item 2
    at_49[4] = 10  # item 5
    at_49[5] = 10  # item 6
    at_49[6] = 8  # item 7
    at_49[8] = 10  # item 9: 1 + 10 + 10 + 10 + 8 + 10 = 49
    assert _orebro_reference(at_49) == 49
    assert score("orebro", numbered("orebro", at_49)).category == "low"
    at_50 = [*at_49]
    at_50[6] = 9
    assert score("orebro", numbered("orebro", at_50)).category == "high"


def test_orebro_refuses_missing_items():
    with pytest.raises(InputError, match="no unanswered items"):
        score("orebro", numbered("orebro", [5] * 9 + [None]))


# -- score_all -----------------------------------------------------------------------------------
def test_score_all_scores_answered_instruments_and_ignores_other_keys():
    answers = {
        **odi_with_sum(12),
        "nrs.average_week": 4,
        **{k: None for k in numbered("rmdq", [0] * 24)},  # all null: skipped
        "triage.fever": True,
        "redflags.3": 1,
        "person.age": 40,
    }
    results = score_all(answers)
    assert set(results) == {"odi", "nrs"}
    assert results["odi"].total == 24.0


@pytest.mark.parametrize("key", ["oswestry.1", "rmq.2", "startbak.3", "orebo.1", "nprs.1"])
def test_score_all_reports_keys_that_look_like_misspelt_instruments(key):
    with pytest.raises(InputError, match="unknown instrument prefix") as err:
        score_all({**odi_with_sum(12), key: 1})
    assert err.value.where == key


@pytest.mark.parametrize("key", ["triage.1", "profile.2", "pain.3", "plan.4"])
def test_score_all_leaves_the_other_assessment_parts_alone(key):
    # the assessment keeps triage.*, profile.* and pain.* answers in the same mapping
    assert set(score_all({**odi_with_sum(12), key: 1})) == {"odi"}


def test_score_all_passes_errors_of_an_instrument_through():
    with pytest.raises(InputError) as err:
        score_all({"odi.1": 9})
    assert err.value.where == "odi.1"
