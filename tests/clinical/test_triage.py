from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backcare.clinical.answers import describe, triage_knowledge, triage_questions
from backcare.clinical.triage import TriageResult, triage, urgency_rank
from backcare.errors import InputError
from backcare.knowledge import source_registry
from tests.clinical.answer_sets import TRIAGE_IDS, all_no


def fired_ids(result: TriageResult) -> set[str]:
    return {f.id for f in result.fired}


def test_all_no_is_self_care_and_complete():
    result = triage(all_no())
    assert result.urgency == "self_care"
    assert result.fired == ()
    assert result.unknown == ()
    assert result.complete
    assert not result.stop


# One vignette per flag: (answers overriding all-"no", flag expected to fire, overall urgency).
VIGNETTES = [
    ({"triage.saddle_numbness": True}, "cauda_equina", "emergency"),
    ({"triage.bladder_bowel_new": True}, "cauda_equina", "emergency"),
    ({"triage.bilateral_leg_symptoms": True}, "cauda_equina", "emergency"),
    ({"triage.sexual_dysfunction_new": True}, "cauda_equina", "emergency"),
    ({"triage.cancer_history": True, "triage.new_neuro_symptoms": True}, "mscc", "emergency"),
    ({"triage.cancer_history": True, "triage.progressive_weakness": True}, "mscc", "emergency"),
    ({"triage.major_trauma": True}, "major_trauma", "emergency"),
    ({"pain.region": "neck", "triage.neck_trauma": True}, "neck_trauma", "emergency"),
    ({"triage.sudden_severe_headache": True}, "vascular_warning", "emergency"),
    ({"triage.vision_speech_swallow": True}, "vascular_warning", "emergency"),
    (
        {"triage.dizziness": True, "triage.vision_speech_swallow": True},
        "vascular_warning",
        "emergency",
    ),
    (
        {"triage.chest_pain": True, "triage.chest_breathless": True},
        "chest_pain_emergency",
        "emergency",
    ),
    (
        {"triage.chest_pain": True, "triage.chest_sweating": True},
        "chest_pain_emergency",
        "emergency",
    ),
    (
        {"triage.chest_pain": True, "triage.chest_spreading": True},
        "chest_pain_emergency",
        "emergency",
    ),
    ({"triage.chest_pain": True}, "chest_pain_new", "same_day"),
    ({"triage.fever": True}, "infection_fever", "same_day"),
    ({"triage.progressive_weakness": True}, "progressive_deficit", "same_day"),
    (
        {"triage.cancer_history": True, "triage.weight_loss": True},
        "cancer_history_plus",
        "same_day",
    ),
    ({"triage.cancer_history": True, "profile.age": 60}, "cancer_history_plus", "same_day"),
    ({"triage.cancer_history": True}, "cancer_history", "within_week"),
    (
        {"triage.weight_loss": True, "triage.night_pain": True},
        "cancer_features_combined",
        "within_week",
    ),
    ({"profile.age": 60, "triage.night_pain": True}, "cancer_features_combined", "within_week"),
    ({"triage.iv_drug_use": True}, "infection_risk", "within_week"),
    ({"triage.immunosuppressed": True}, "infection_risk", "within_week"),
    (
        {"triage.minor_trauma": True, "triage.osteoporosis": True},
        "fragility_fracture",
        "within_week",
    ),
    (
        {"triage.minor_trauma": True, "triage.long_term_steroids": True},
        "fragility_fracture",
        "within_week",
    ),
    ({"triage.new_neuro_symptoms": True}, "neuro_symptoms_new", "within_week"),
    ({"pain.region": "neck", "triage.hand_clumsiness": True}, "myelopathy_signs", "within_week"),
    ({"pain.region": "neck", "triage.unsteady_walking": True}, "myelopathy_signs", "within_week"),
    ({"pain.region": "neck", "triage.electric_shocks": True}, "myelopathy_signs", "within_week"),
    ({"profile.age": 60}, "cancer_single_feature", "routine"),
    ({"profile.age": 17}, "cancer_single_feature", "routine"),
    ({"triage.night_pain": True}, "cancer_single_feature", "routine"),
    (
        {
            "pain.onset_age": 25,
            "pain.duration_weeks": 20,
            "triage.axspa_night_waking": True,
            "triage.axspa_better_moving": True,
        },
        "inflammatory_back_pain",
        "routine",
    ),
    ({"triage.sudden_central_pain": True}, "sudden_central_pain", "within_week"),
    (
        {
            "profile.age": 28,
            "pain.onset_age": None,
            "pain.duration_weeks": 17,
            "triage.axspa_morning_stiffness": True,
            "triage.axspa_better_moving": True,
        },
        "inflammatory_back_pain_berlin",
        "routine",
    ),
    ({"triage.dizziness": True}, "dizziness", "routine"),
    ({"triage.tinnitus": True}, "tinnitus", "routine"),
    ({"triage.nausea": True}, "nausea", "routine"),
    ({"triage.numbness_heaviness": True}, "muscle_numbness_heaviness", "self_care"),
    ({"triage.goose_bumps": True}, "skin_creeping", "self_care"),
    ({"triage.lumbago": True}, "sudden_sharp_pain", "self_care"),
    ({"triage.neck_arm_pain": True}, "neck_arm_ache", "self_care"),
    ({"triage.pain_arms_raised": True}, "pain_arms_overhead", "self_care"),
    ({"triage.pain_head_movement": True}, "pain_on_head_movement", "self_care"),
]


@pytest.mark.parametrize(("overrides", "flag", "urgency"), VIGNETTES)
def test_vignette(overrides, flag, urgency):
    result = triage(all_no(**{k.replace(".", "__"): v for k, v in overrides.items()}))
    assert flag in fired_ids(result)
    assert result.urgency == urgency
    assert result.stop == (urgency == "emergency")
    fired = next(f for f in result.fired if f.id == flag)
    assert fired.sources
    assert set(fired.sources) <= set(source_registry())
    assert fired.action
    assert fired.explanation
    assert fired.triggered_by
    assert all(t in overrides or t.startswith("derived.") for t in fired.triggered_by)


def test_every_rule_has_a_vignette():
    covered = {flag for _, flag, _ in VIGNETTES}
    assert covered == {r.id for r in triage_knowledge().rules}


@pytest.mark.parametrize(
    "overrides",
    [
        {"triage.minor_trauma": True},
        {"triage.osteoporosis": True},
        {"triage.long_term_steroids": True},
        # NG65: 40 is not "before 35", so only 2 features -> no flag
        {
            "pain.onset_age": 40,
            "pain.duration_weeks": 20,
            "triage.axspa_night_waking": True,
            "triage.axspa_buttock_pain": True,
        },
        # lasting under 3 months -> no flag, however many features
        {
            "pain.onset_age": 25,
            "pain.duration_weeks": 8,
            "triage.axspa_night_waking": True,
            "triage.axspa_buttock_pain": True,
            "triage.axspa_psoriasis": True,
        },
        # onset at 50 -> not inflammatory back pain by NG65's entry criterion
        {
            "pain.onset_age": 50,
            "profile.age": 50,
            "pain.duration_weeks": 30,
            "triage.axspa_night_waking": True,
            "triage.axspa_buttock_pain": True,
            "triage.axspa_psoriasis": True,
            "triage.axspa_family": True,
        },
    ],
)
def test_single_weak_features_do_not_raise_urgency(overrides):
    result = triage(all_no(**{k.replace(".", "__"): v for k, v in overrides.items()}))
    assert result.urgency == "self_care", [f.id for f in result.fired]


# -- combinations ---------------------------------------------------------------------------------


def test_emergency_outranks_everything_and_fired_are_sorted():
    result = triage(
        all_no(
            triage__saddle_numbness=True,
            triage__fever=True,
            triage__cancer_history=True,
            triage__dizziness=True,
            profile__age=70,
        )
    )
    assert result.urgency == "emergency"
    assert result.stop
    ranks = [urgency_rank(f.urgency) for f in result.fired]
    assert ranks == sorted(ranks, reverse=True)
    assert {"cauda_equina", "mscc", "infection_fever", "cancer_history_plus", "dizziness"} <= (
        fired_ids(result)
    )
    assert "Stop here" in result.what_to_do
    assert result.summary.startswith("Emergency")


def test_highest_urgency_wins():
    result = triage(all_no(triage__fever=True, triage__cancer_history=True, triage__tinnitus=True))
    assert result.urgency == "same_day"


def test_age_over_50_alone_is_weaker_than_several_cancer_features():
    alone = triage(all_no(profile__age=62))
    several = triage(all_no(profile__age=62, triage__weight_loss=True, triage__night_pain=True))
    with_history = triage(all_no(profile__age=62, triage__cancer_history=True))
    assert alone.urgency == "routine"
    assert several.urgency == "within_week"
    assert with_history.urgency == "same_day"
    assert urgency_rank(alone.urgency) < urgency_rank(several.urgency)
    assert urgency_rank(several.urgency) < urgency_rank(with_history.urgency)


def test_known_cancer_plus_new_neurology_is_emergency_but_neurology_alone_is_not():
    assert triage(all_no(triage__new_neuro_symptoms=True)).urgency == "within_week"
    mscc = triage(all_no(triage__cancer_history=True, triage__new_neuro_symptoms=True))
    assert mscc.urgency == "emergency"
    assert "oncology" in next(f for f in mscc.fired if f.id == "mscc").action


# -- chest pain and the article's signs ------------------------------------------------------------


def test_chest_pain_is_never_put_down_to_the_spine():
    plain = triage(all_no(triage__chest_pain=True))
    assert plain.urgency == "same_day"
    flag = next(f for f in plain.fired if f.id == "chest_pain_new")
    assert "chest_pain_same_nerves" in flag.corrects
    # even with typical "back" answers the chest rule still fires
    with_back = triage(
        all_no(triage__chest_pain=True, triage__lumbago=True, triage__neck_arm_pain=True)
    )
    assert with_back.urgency == "same_day"
    arm = triage(all_no(triage__chest_pain=True, triage__chest_spreading=True))
    assert arm.urgency == "emergency"


def test_chest_pain_with_unanswered_companions_reports_the_emergency_check_as_unknown():
    answers = all_no(triage__chest_pain=True)
    for key in ("triage.chest_breathless", "triage.chest_sweating", "triage.chest_spreading"):
        answers[key] = None
    result = triage(answers)
    assert result.urgency == "same_day"
    unknown = {u.id: u for u in result.unknown}
    assert "chest_pain_emergency" in unknown
    assert set(unknown["chest_pain_emergency"].missing) == {
        "triage.chest_breathless",
        "triage.chest_sweating",
        "triage.chest_spreading",
    }
    assert not result.complete


@pytest.mark.parametrize("sign", ["triage.dizziness", "triage.tinnitus", "triage.nausea"])
def test_dizziness_tinnitus_nausea_route_to_medical_assessment(sign):
    result = triage(all_no(**{sign.replace(".", "__"): True}))
    assert result.urgency == "routine"
    flag = result.fired[0]
    assert flag.group == "other_symptoms"
    assert "dizziness_osteochondrosis" in flag.corrects
    assert "spine" in flag.explanation


# -- unknowns are never "no" -----------------------------------------------------------------------


def test_no_answers_at_all_is_a_same_day_visit_not_self_care():
    result = triage({})
    assert result.urgency == "same_day"
    assert result.raised_by_unchecked
    assert not result.complete
    assert "nothing in your answers needs a doctor urgently" not in result.what_to_do.lower()
    unknown = {u.id for u in result.unknown}
    emergency_rules = {r.id for r in triage_knowledge().rules if r.urgency == "emergency"}
    assert emergency_rules <= unknown | set(result.not_applicable)
    assert "cauda_equina" in unknown
    assert "not checked" in result.summary
    assert "No warning sign was found among the questions answered" in result.summary
    assert "triage.saddle_numbness" in result.not_asked
    signs = {u.id: u for u in result.unchecked_signs}
    assert "triage.saddle_numbness" in signs
    assert "bottom" in signs["triage.saddle_numbness"].sign
    assert signs["triage.saddle_numbness"].how_to_check


def test_none_is_the_same_as_not_asked():
    answers = all_no()
    answers["triage.saddle_numbness"] = None
    with_none = triage(answers)
    del answers["triage.saddle_numbness"]
    missing = triage(answers)
    assert with_none == missing
    assert {u.id for u in missing.unknown} == {"cauda_equina"}
    assert missing.unknown[0].missing == ("triage.saddle_numbness",)


def test_one_no_does_not_clear_a_flag_with_other_features_unanswered():
    result = triage({"triage.saddle_numbness": False, "pain.region": "low_back"})
    cauda = next(u for u in result.unknown if u.id == "cauda_equina")
    assert "triage.saddle_numbness" not in cauda.missing
    assert "triage.bladder_bowel_new" in cauda.missing


def test_neck_questions_do_not_apply_to_low_back_pain():
    answers = all_no()
    for key in (
        "triage.hand_clumsiness",
        "triage.unsteady_walking",
        "triage.electric_shocks",
        "triage.neck_trauma",
    ):
        del answers[key]
    result = triage(answers)
    assert result.complete
    # a neck question that does not apply cannot be "yes": its checks are decided, not open
    assert not {"myelopathy_signs", "neck_trauma"} & {u.id for u in result.unknown}
    assert not {"myelopathy_signs", "neck_trauma"} & fired_ids(result)
    as_neck = triage({**answers, "pain.region": "neck"})
    assert {"myelopathy_signs", "neck_trauma"} <= {u.id for u in as_neck.unknown}


def test_missing_age_leaves_age_based_checks_open():
    answers = all_no()
    del answers["profile.age"]
    result = triage(answers)
    unknown = {u.id: u for u in result.unknown}
    assert "profile.age" in unknown["cancer_single_feature"].missing


triage_values = st.sampled_from([True, False, None])


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(st.sampled_from(TRIAGE_IDS), triage_values),
    st.sampled_from(["low_back", "neck", "both"]),
)
def test_three_valued_logic_is_consistent_with_every_completion(partial, region):
    base = {
        "pain.region": region,
        "pain.duration_weeks": 20,
        "profile.age": 55,
        "pain.onset_age": 30,
    }
    answers = {**base, **partial}
    result = triage(answers)
    # complete the questions that apply to these answers (others cannot be "yes")
    open_ids = [q.id for q in triage_questions(answers) if q.id in TRIAGE_IDS]
    low = triage({**answers, **{t: partial.get(t) or False for t in open_ids}})
    high = triage(
        {**answers, **{t: (True if partial.get(t) is None else partial[t]) for t in open_ids}}
    )
    # Rules with a "maybe" part fire on "yes or don't know", so they are left out of the
    # monotone comparison with the all-"no" completion.
    maybe = {r.id for r in triage_knowledge().rules if "maybe" in describe(r.when)}
    fired = fired_ids(result)
    assert fired - maybe <= fired_ids(low)
    assert fired <= fired_ids(high)
    undecided = {u.id for u in result.unknown} | set(result.not_applicable)
    assert undecided - maybe == (fired_ids(high) - fired_ids(low)) - maybe
    assert urgency_rank(low.urgency) <= urgency_rank(result.urgency) <= urgency_rank(high.urgency)


def test_result_is_json_serialisable():
    result = triage(all_no(triage__fever=True))
    text = json.dumps(result.model_dump(mode="json"))
    assert TriageResult.model_validate_json(text) == result


# -- input validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "where"),
    [
        ({"triage.no_such_question": True}, "triage.no_such_question"),
        ({"profile.shoe_size": 42}, "profile.shoe_size"),
        ({"pain.where": "back"}, "pain.where"),
        ({"derived.age_over_50": True}, "derived.age_over_50"),
        ({"triage.fever": "yes"}, "triage.fever"),
        ({"triage.fever": 1}, "triage.fever"),
        ({"profile.age": 15}, "profile.age"),
        ({"profile.age": 40.5}, "profile.age"),
        ({"profile.age": True}, "profile.age"),
        ({"profile.age": "40"}, "profile.age"),
        ({"pain.duration_weeks": -1}, "pain.duration_weeks"),
        ({"pain.duration_weeks": float("nan")}, "pain.duration_weeks"),
        ({"pain.duration_weeks": float("inf")}, "pain.duration_weeks"),
        ({"pain.region": "back"}, "pain.region"),
        ({"pain.recurrent": "no"}, "pain.recurrent"),
        ({3: True}, "3"),
    ],
)
def test_bad_answers_raise_input_error_naming_the_item(answers, where):
    with pytest.raises(InputError) as info:
        triage(answers)
    assert info.value.where == where


def test_other_modules_ids_are_ignored_and_whole_numbers_accepted():
    result = triage({**all_no(), "odi.3": 2, "startback.item9": "extremely", "profile.age": 40.0})
    assert result.urgency == "self_care"
