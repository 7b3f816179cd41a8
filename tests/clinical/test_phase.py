from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backcare.clinical.phase import PhaseCutoffs, PhaseResult, default_cutoffs, make_cutoffs, phase
from backcare.errors import InputError
from backcare.knowledge import load
from backcare.knowledge.clinical import PhaseDocument


def test_default_cutoffs_come_from_knowledge():
    spec = load("clinical/phase.yaml", PhaseDocument).cutoffs
    cut = default_cutoffs()
    assert (cut.acute_below_weeks, cut.chronic_above_weeks) == (
        spec.acute_below_weeks,
        spec.chronic_above_weeks,
    )
    assert (cut.acute_below_weeks, cut.chronic_above_weeks) == (6, 12)


@pytest.mark.parametrize(
    ("weeks", "expected"),
    [
        (0, "acute"),
        (5.99, "acute"),
        (6, "subacute"),
        (9, "subacute"),
        (12, "subacute"),
        (12.01, "chronic"),
        (520, "chronic"),
    ],
)
def test_default_boundaries(weeks, expected):
    result = phase(weeks)
    assert result.phase == expected
    assert result.duration_weeks == weeks
    assert result.sources


@pytest.mark.parametrize(
    ("weeks", "cutoffs", "expected"),
    [
        (3.9, (4, 12), "acute"),
        (4, (4, 12), "subacute"),
        (5, (4, 12), "subacute"),
        (20, (6, 26), "subacute"),
        (26.5, (6, 26), "chronic"),
        (1.5, (1, 2), "subacute"),
    ],
)
def test_custom_cutoffs(weeks, cutoffs, expected):
    result = phase(weeks, cutoffs=make_cutoffs(*cutoffs))
    assert result.phase == expected
    assert (result.cutoffs.acute_below_weeks, result.cutoffs.chronic_above_weeks) == cutoffs


def test_recurrence():
    first = phase(3, recurrent=False)
    again = phase(3, recurrent=True)
    unknown = phase(3)
    assert (first.episode, again.episode, unknown.episode) == ("first", "recurrent", "unknown")
    assert again.notes
    assert not first.notes
    assert "steffens-2016" in again.sources


def test_unknown_duration():
    result = phase(None, recurrent=True)
    assert result.phase == "unknown"
    assert result.duration_weeks is None
    assert result.episode == "recurrent"


@pytest.mark.parametrize("bad", [-1, -0.001, float("nan"), float("inf"), "6", True])
def test_bad_duration_is_an_input_error(bad):
    with pytest.raises(InputError) as info:
        phase(bad)
    assert info.value.where == "pain.duration_weeks"


def test_bad_recurrent_is_an_input_error():
    with pytest.raises(InputError) as info:
        phase(3, recurrent="yes")  # type: ignore[arg-type]
    assert info.value.where == "pain.recurrent"


@pytest.mark.parametrize(
    "cut", [(12, 6), (6, 6), (0, 12), (-1, 12), (float("nan"), 12), (6, float("inf"))]
)
def test_bad_cutoffs(cut):
    with pytest.raises(InputError) as info:
        make_cutoffs(*cut)
    assert info.value.where == "cutoffs"


@settings(max_examples=80, deadline=None)
@given(
    st.floats(min_value=0, max_value=1000, allow_nan=False),
    st.floats(min_value=0.1, max_value=50),
    st.floats(min_value=0.1, max_value=50),
)
def test_phase_matches_its_definition(weeks, a, gap):
    cut = PhaseCutoffs(acute_below_weeks=a, chronic_above_weeks=a + gap)
    result = phase(weeks, cutoffs=cut)
    if weeks < a:
        assert result.phase == "acute"
    elif weeks > a + gap:
        assert result.phase == "chronic"
    else:
        assert result.phase == "subacute"


def test_result_is_json_serialisable():
    result = phase(8, recurrent=True)
    assert PhaseResult.model_validate_json(json.dumps(result.model_dump(mode="json"))) == result
