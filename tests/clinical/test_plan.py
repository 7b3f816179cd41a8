from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backcare.clinical.phase import phase
from backcare.clinical.plan import Plan, build_plan
from backcare.clinical.triage import triage
from backcare.errors import InputError
from backcare.knowledge import load, source_registry
from backcare.knowledge.clinical import (
    ClaimsDocument,
    PreventionDocument,
    RecommendationsDocument,
)
from tests.clinical.answer_sets import TRIAGE_IDS, all_no

RECS = {r.id: r for r in load("clinical/recommendations.yaml", RecommendationsDocument).lines}
PREVS = {p.id: p for p in load("clinical/prevention.yaml", PreventionDocument).items}
UNSAFE_BEFORE_ASSESSMENT = {i for i, r in {**RECS, **PREVS}.items() if not r.safe_before_assessment}


def plan_for(region="low_back", weeks=2.0, recurrent=False, risk=None, **overrides):
    answers = all_no(pain__region=region, pain__duration_weeks=weeks, **overrides)
    return build_plan(triage(answers), phase(weeks, recurrent), region, risk)


def ids(lines):
    return [ln.id for ln in lines]


def check_invariants(plan: Plan, region: str) -> None:
    registry = source_registry()
    if plan.urgency == "emergency":
        assert plan.status == "emergency"
        assert plan.emergency is not None
        assert plan.emergency.flags
        assert plan.recommended == plan.not_recommended == plan.prevention == ()
        assert plan.held_back == ()
        assert plan.practitioner is None
        return
    assert plan.emergency is None
    for ln in (*plan.recommended, *plan.prevention):
        assert ln.verdict != "dont", ln.id
        assert ln.verdict_label != "Not recommended"
    for ln in plan.not_recommended:
        assert ln.verdict == "dont", ln.id
        assert ln.why, ln.id
    for ln in (*plan.recommended, *plan.not_recommended, *plan.prevention):
        assert ln.sources, ln.id
        assert set(ln.sources) <= set(registry), ln.id
        assert ln.grading
        assert ln.certainty
        wanted = {"low_back", "neck"} if region == "both" else {region}
        assert not ln.regions or wanted & set(ln.regions), ln.id
    shown = set(ids(plan.recommended)) | set(ids(plan.not_recommended)) | set(ids(plan.prevention))
    assert not shown & set(ids(plan.held_back))
    if plan.urgency in ("same_day", "within_week"):
        assert plan.status == "see_clinician_first"
        assert plan.first_step
        assert plan.until_visit
        assert plan.watch_for
        assert not plan.recommended
        assert not plan.prevention
        assert not shown & UNSAFE_BEFORE_ASSESSMENT
    else:
        assert plan.status == "self_management"
        assert not plan.held_back


def test_self_care_low_back_acute_plan():
    plan = plan_for()
    check_invariants(plan, "low_back")
    assert plan.first_step is None
    rec = ids(plan.recommended)
    assert rec[:2] == ["lbp.education", "lbp.stay_active"]
    for line in (
        "lbp.heat",
        "lbp.nsaids",
        "lbp.exercise.early",
        "lbp.manual_therapy",
        "lbp.massage",
    ):
        assert line in rec
    dont = ids(plan.not_recommended)
    for line in (
        "lbp.bed_rest",
        "lbp.belts_corsets",
        "lbp.traction",
        "lbp.tens",
        "lbp.routine_imaging",
        "lbp.paracetamol_alone",
        "lbp.opioids.acute",
    ):
        assert line in dont
    assert plan.practitioner is not None
    assert plan.practitioner.look_for
    assert ids(plan.prevention)[0] == "prev.exercise"


def test_article_methods_are_covered_with_medication_split_by_class():
    plan = plan_for(weeks=20)
    topics_rec = {ln.topic for ln in plan.recommended}
    topics_dont = {ln.topic for ln in plan.not_recommended}
    assert {
        "medication_nsaids",
        "manual_therapy",
        "massage",
        "exercise_therapy",
        "water_exercise",
    } <= topics_rec
    assert {"medication_paracetamol", "medication_opioids"} <= topics_dont
    acute = plan_for(weeks=1)
    assert "medication_muscle_relaxants" in {ln.topic for ln in acute.recommended}


def test_manual_therapy_and_massage_only_with_exercise():
    plan = plan_for(weeks=20)
    by_id = {ln.id: ln for ln in plan.recommended}
    for line in ("lbp.manual_therapy", "lbp.massage"):
        assert by_id[line].verdict == "only_with_exercise"
        assert by_id[line].verdict_label == "Only together with exercise"


def test_chronic_plan_uses_chronic_lines():
    plan = plan_for(weeks=30)
    rec = {ln.id: ln for ln in plan.recommended}
    assert rec["lbp.exercise.chronic"].verdict == "do"
    assert "lbp.exercise.early" not in rec
    assert "lbp.heat" not in rec
    assert "lbp.opioids.chronic" in ids(plan.not_recommended)


def test_acupuncture_disagreement_is_stated():
    plan = plan_for(weeks=20)
    assert "acupuncture" not in {ln.topic for ln in plan.recommended}
    acu = next(ln for ln in plan.disputed if ln.topic == "acupuncture")
    assert acu.verdict_label == "Guidelines disagree"
    assert acu.disagreement
    assert "NICE" in acu.disagreement
    assert "American College of Physicians" in acu.disagreement
    assert {"nice-ng59", "acp-2017"} <= set(acu.sources)


def test_emergency_replaces_the_plan():
    plan = plan_for(triage__bladder_bowel_new=True, risk="high")
    check_invariants(plan, "low_back")
    assert plan.status == "emergency"
    assert plan.emergency is not None
    assert "cauda equina" in " ".join(plan.emergency.actions)
    assert plan.first_step == plan.emergency.what_to_do
    assert plan.corrected_claims == ()


@pytest.mark.parametrize("overrides", [{"triage__fever": True}, {"triage__cancer_history": True}])
def test_urgent_flags_put_clinician_first_and_hold_back_active_treatment(overrides):
    plan = plan_for(weeks=20, **overrides)
    check_invariants(plan, "low_back")
    held = ids(plan.held_back)
    for line in (
        "lbp.manual_therapy",
        "lbp.massage",
        "lbp.exercise.chronic",
        "lbp.nsaids",
        "lbp.water_exercise",
        "prev.exercise",
    ):
        assert line in held
    assert "lbp.stay_active" not in ids(plan.recommended)
    # Only what is safe until the visit: no self-management advice, no "don't" list.
    assert plan.recommended == ()
    assert plan.not_recommended == ()
    assert plan.prevention == ()
    assert plan.until_visit
    assert plan.watch_for
    assert plan.tell_the_doctor
    assert "bending" not in " ".join(p.text for p in plan.until_visit)


def test_routine_flag_adds_a_first_step_but_keeps_the_plan():
    plan = plan_for(profile__age=62)
    assert plan.urgency == "routine"
    assert plan.status == "self_management"
    assert plan.first_step
    assert "routine" in plan.first_step
    assert "lbp.manual_therapy" in ids(plan.recommended)


def test_neck_gets_neck_lines():
    plan = plan_for(region="neck", weeks=8)
    check_invariants(plan, "neck")
    rec = ids(plan.recommended)
    assert "neck.education" in rec
    assert "neck.exercise.later" in rec
    assert all(not i.startswith("lbp.") or "neck" in RECS[i].regions for i in rec)
    assert "neck.collar" in ids(plan.not_recommended)
    assert "neck.routine_imaging" in ids(plan.not_recommended)
    assert "lbp.routine_imaging" not in ids(plan.not_recommended)
    assert not any("STarT" in n for n in plan.notes)


def test_both_regions_get_both_sets():
    plan = plan_for(region="both", weeks=8)
    rec = ids(plan.recommended)
    assert "neck.education" in rec
    assert "lbp.education" in rec


def test_startback_risk_adds_the_matched_line():
    none = plan_for(weeks=8)
    assert not [ln for ln in none.recommended if ln.topic == "stratified_care"]
    high = plan_for(weeks=8, risk=" High ")
    assert high.startback_risk == "high"
    line = next(ln for ln in high.recommended if ln.topic == "stratified_care")
    assert line.id == "lbp.startback.high"
    assert "psychologically informed" in line.text
    assert "hill-2011" in line.sources
    low = plan_for(weeks=8, risk="low")
    assert [ln.id for ln in low.recommended if ln.topic == "stratified_care"] == [
        "lbp.startback.low"
    ]


def test_unknown_phase_keeps_only_all_phase_lines():
    answers = all_no()
    plan = build_plan(triage(answers), phase(None), "low_back")
    rec = ids(plan.recommended)
    assert "lbp.education" in rec
    assert "lbp.heat" not in rec
    assert "lbp.exercise.chronic" not in rec
    assert any("was not given" in n for n in plan.notes)


def test_corrected_claims_are_shown_where_relevant():
    plan = plan_for()
    claims = {c.id for c in plan.corrected_claims}
    assert {
        "no_tomogram_charlatan",
        "rest_and_corset",
        "hard_mattress",
        "backpack_vs_bag",
        "spasm_real_cause",
    } <= claims
    known = {c.id for c in load("clinical/claims.yaml", ClaimsDocument).claims}
    assert claims <= known
    imaging = next(ln for ln in plan.not_recommended if ln.id == "lbp.routine_imaging")
    assert "no_tomogram_charlatan" in imaging.corrects
    chest = plan_for(triage__chest_pain=True)
    assert "chest_pain_same_nerves" in {c.id for c in chest.corrected_claims}


def test_incomplete_triage_is_noted_in_the_plan():
    plan = build_plan(triage({}), phase(2), "low_back")
    assert plan.status == "see_clinician_first"
    assert any("Not checked:" in t for t in plan.tell_the_doctor)
    lower = build_plan(triage(all_no(triage__tinnitus=None)), phase(2), "low_back")
    assert lower.status == "self_management"
    assert any("not counted as 'no'" in n for n in lower.notes)
    assert "safe to follow" not in (lower.first_step or "")


@pytest.mark.parametrize(
    ("region", "risk", "where"),
    [
        ("back", None, "pain.region"),
        ("low_back", "severe", "startback_risk"),
        ("low_back", 3, "startback_risk"),
    ],
)
def test_bad_region_or_risk(region, risk, where):
    with pytest.raises(InputError) as info:
        build_plan(triage(all_no()), phase(2), region, risk)
    assert info.value.where == where


def test_plan_is_json_serialisable():
    plan = plan_for(weeks=20, risk="medium", triage__dizziness=True)
    assert Plan.model_validate_json(json.dumps(plan.model_dump(mode="json"))) == plan
    emergency = plan_for(triage__major_trauma=True)
    assert Plan.model_validate_json(emergency.model_dump_json()) == emergency


@settings(max_examples=60, deadline=None)
@given(
    partial=st.dictionaries(
        st.sampled_from(TRIAGE_IDS), st.sampled_from([True, False, None]), max_size=12
    ),
    region=st.sampled_from(["low_back", "neck", "both"]),
    weeks=st.one_of(st.none(), st.floats(min_value=0, max_value=600)),
    recurrent=st.sampled_from([True, False, None]),
    age=st.one_of(st.none(), st.integers(min_value=16, max_value=100)),
    risk=st.sampled_from([None, "low", "medium", "high"]),
)
def test_every_generated_plan_keeps_the_rules(partial, region, weeks, recurrent, age, risk):
    answers = {
        **partial,
        "pain.region": region,
        "pain.duration_weeks": weeks,
        "pain.recurrent": recurrent,
        "profile.age": age,
    }
    result = triage(answers)
    plan = build_plan(result, phase(weeks, recurrent), region, risk)
    check_invariants(plan, region)
    assert plan.urgency == result.urgency
