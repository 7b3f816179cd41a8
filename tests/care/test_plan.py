"""The weekly plan: the urgency gate, actions, levels, lesson order from the person's answers."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backcare.care.plan import AssessmentView, build_plan, lesson_order, next_session_day
from backcare.care.rules import Adaptation
from backcare.knowledge.care import care_knowledge
from backcare.knowledge.clinical import URGENCY_ORDER

K = care_knowledge()
TODAY = date(2026, 12, 2)  # a Wednesday


def view(urgency="self_care", phase="subacute", region="low_back", **answers) -> AssessmentView:
    return AssessmentView(
        urgency=urgency,
        urgency_label="Self-care",
        what_to_do="Look after it yourself.",
        phase=phase,
        region=region,
        answers={f"self.{k}": v for k, v in answers.items()},
    )


def plan_for(v: AssessmentView, state="keep", level=2, done=()):
    return build_plan(
        knowledge=K,
        view=v,
        adaptation=Adaptation(state, level, ("why",) if state != "keep" else ()),  # type: ignore[arg-type]
        lessons_done=set(done),
        programme_start=date(2026, 11, 18),
        today=TODAY,
        break_every_min=30,
        break_length_min=1,
    )


OPEN = ("self_care", "routine")  # a routine visit does not stop self-management


@pytest.mark.parametrize("urgency", [u for u in URGENCY_ORDER if u not in OPEN])
def test_while_a_visit_is_due_there_is_no_exercise_programme(urgency):
    plan = plan_for(view(urgency=urgency))
    assert plan.gated
    assert plan.sessions == ()
    assert plan.actions == ()
    assert "clinician first" in plan.headline
    assert len(plan.interim_advice) >= 2


@given(
    st.sampled_from(URGENCY_ORDER),
    st.sampled_from(["acute", "subacute", "chronic", None]),
    st.sampled_from(["low_back", "neck", "both", None]),
    st.sampled_from(["keep", "progress", "flare", "review"]),
)
def test_property_no_exercise_while_a_visit_is_due(urgency, phase, region, state):
    plan = plan_for(view(urgency=urgency, phase=phase, region=region), state=state)
    if urgency not in OPEN:
        assert not plan.sessions
    else:
        assert plan.sessions
        assert 3 <= len(plan.actions) <= 5
        for action in plan.actions:
            assert "{" not in action.text
            assert action.why
            assert action.sources


def test_a_normal_week_has_sessions_walking_breaks_and_a_lesson():
    plan = plan_for(view(desk_work=True))
    keys = [a.key for a in plan.actions]
    assert keys[:4] == ["session", "walk", "breaks", "lesson"]
    session = plan.sessions[0]
    assert session.template.id == "back_build"
    assert session.day_names == "Mon/Wed/Fri"
    assert "Mon/Wed/Fri" in plan.actions[0].text
    assert plan.walking_minutes == 20  # third week of the programme (10, 15, 20, ...)


def test_levels_pick_the_easier_or_harder_variant():
    easy = plan_for(view(), level=1).sessions[0].exercises[0]
    hard = plan_for(view(), level=3).sessions[0].exercises[0]
    assert easy.version == easy.exercise.easier.name
    assert hard.version == hard.exercise.harder.name
    assert plan_for(view(), level=2).sessions[0].exercises[0].how is None


def test_a_flare_shows_the_flare_plan_and_the_gentle_session():
    plan = plan_for(view(phase="chronic"), state="flare", level=1)
    assert plan.actions[0].key == "flare"
    assert plan.sessions[0].template.id == "back_gentle"
    assert plan.level == 1
    assert len(plan.flare_first_days) >= 3
    assert "water" not in [a.key for a in plan.actions]


def test_review_suggests_a_clinician_and_a_new_assessment():
    plan = plan_for(view(), state="review")
    assert plan.actions[0].key == "review"
    assert plan.actions[0].href == "/assess"


def test_a_warning_sign_shows_only_the_way_to_the_questions():
    plan = plan_for(view(), state="triage")
    assert plan.gated
    assert [a.href for a in plan.actions] == ["/assess"]
    assert plan.sessions == ()


def test_both_regions_alternate_two_sessions():
    plan = plan_for(view(region="both"))
    assert {s.template.region for s in plan.sessions} == {"low_back", "neck"}
    days = [set(s.weekdays) for s in plan.sessions]
    assert not days[0] & days[1]


def test_lessons_follow_the_persons_answers():
    ordered = lesson_order(K.lessons, {"self.worry_damage": True}, "low_back")
    assert ordered[0].id == "hurt_is_not_harm"
    ordered = lesson_order(
        K.lessons,
        {"self.worry_damage": False, "self.low_mood": True, "self.worry_never_better": False},
        "low_back",
    )
    assert ordered[0].id == "stress_and_mood"
    # "don't know" is never "no": an unknown worry still puts "hurt is not harm" first
    assert lesson_order(K.lessons, {}, "low_back")[0].id == "hurt_is_not_harm"
    sleep_first = lesson_order(
        K.lessons,
        {
            "self.sleep_poor": True,
            "self.worry_damage": False,
            "self.worry_never_better": False,
            "self.low_mood": False,
        },
        "neck",
    )
    assert sleep_first[0].id == "sleep"
    assert "medicines" not in [lesson.id for lesson in sleep_first]  # a low-back lesson


def test_no_desk_work_means_no_break_action_and_unknown_keeps_it():
    assert "breaks" not in [a.key for a in plan_for(view(desk_work=False)).actions]
    assert "breaks" in [a.key for a in plan_for(view()).actions]


def test_next_lesson_skips_done_ones_and_next_session_is_found():
    plan = plan_for(view(worry_damage=True), done={"hurt_is_not_harm"})
    assert plan.next_lesson is not None
    assert plan.next_lesson.id != "hurt_is_not_harm"
    found = next_session_day(plan, TODAY)
    assert found is not None
    assert found[0] == TODAY  # Wednesday is a session day


def test_pain_that_limits_a_lot_starts_at_the_easiest_level():
    from backcare.care.plan import start_level

    chronic = view(phase="chronic")
    assert start_level(K, chronic) == 2
    limited = AssessmentView(**{**chronic.__dict__, "answers": {"self.limits": 3}})
    assert start_level(K, limited) == 1
    little = AssessmentView(**{**chronic.__dict__, "answers": {"self.limits": 1}})
    assert start_level(K, little) == 2
