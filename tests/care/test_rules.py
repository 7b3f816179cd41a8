"""Progression (pain-monitoring rule) and adaptation from check-ins, with property tests: a flare
never progresses; a warning sign always triages."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backcare.care.rules import (
    CheckIn,
    SessionLog,
    adapt,
    flare_days,
    is_flare,
    judge_session,
    replay_levels,
)
from backcare.knowledge.care import care_knowledge

START = date(2026, 11, 2)  # a Monday
ASSESSED = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
PROGRAMME = care_knowledge().programme
RULE, FLARE, RULES = PROGRAMME.pain_monitoring, PROGRAMME.flare, PROGRAMME.adaptation


def day(n: int) -> date:
    return START + timedelta(days=n)


def checkin(n: int, pain: int | None, warning: str = "no") -> CheckIn:
    at = datetime.combine(day(n), datetime.min.time(), tzinfo=UTC) + timedelta(hours=20)
    return CheckIn(day(n), at, pain, warning=warning)  # type: ignore[arg-type]


def run(checkins, sessions, today: int, start_level: int = 2):
    return adapt(
        today=day(today),
        programme_start=START,
        assessed_at=ASSESSED,
        start_level=start_level,
        checkins=checkins,
        sessions=sessions,
        rule=RULE,
        flare=FLARE,
        rules=RULES,
    )


# -- the pain-monitoring rule ------------------------------------------------------------------


def test_a_session_within_the_rule_and_settled_next_day_is_good():
    checkins = [checkin(0, 4), checkin(1, 4)]
    assert judge_session(SessionLog(day(0), 5), checkins, RULE) == "good"


def test_pain_above_five_during_a_session_is_bad():
    checkins = [checkin(0, 3), checkin(1, 3)]
    assert judge_session(SessionLog(day(0), 6), checkins, RULE) == "bad"


def test_pain_clearly_higher_next_morning_is_bad():
    checkins = [checkin(0, 3), checkin(1, 5)]
    assert judge_session(SessionLog(day(0), 4), checkins, RULE) == "bad"


def test_without_a_next_day_check_in_the_session_is_pending_not_good():
    assert judge_session(SessionLog(day(0), 2), [checkin(0, 3)], RULE) == "pending"
    assert judge_session(SessionLog(day(0), None), [checkin(0, 3), checkin(1, 3)], RULE) == (
        "pending"
    )


def test_two_good_sessions_move_up_one_level_and_a_bad_one_steps_back():
    checkins = [checkin(n, 4) for n in range(8)]
    sessions = [SessionLog(day(0), 3), SessionLog(day(2), 3)]
    level, streak, changes = replay_levels(1, sessions, checkins, RULE, FLARE)
    assert (level, streak) == (2, 0)
    assert [c.reason for c in changes] == ["progress"]
    level, _, changes = replay_levels(1, [*sessions, SessionLog(day(4), 8)], checkins, RULE, FLARE)
    assert level == 1
    assert changes[-1].reason == "pain"


def test_the_level_stays_within_one_to_three():
    checkins = [checkin(n, 3) for n in range(30)]
    sessions = [SessionLog(day(n), 2) for n in range(0, 28, 2)]
    level, _, _ = replay_levels(2, sessions, checkins, RULE, FLARE)
    assert level == RULE.max_level == 3
    bad = [SessionLog(day(n), 9) for n in range(0, 28, 2)]
    assert replay_levels(2, bad, checkins, RULE, FLARE)[0] == 1


# -- flares --------------------------------------------------------------------------------------


def test_a_jump_of_two_points_to_five_or_more_is_a_flare():
    checkins = [checkin(0, 3), checkin(1, 3), checkin(2, 4), checkin(3, 6)]
    assert is_flare(checkins, day(3), FLARE)
    assert not is_flare(checkins, day(2), FLARE)
    # a rise to 4 is below the flare floor of 5
    assert not is_flare([checkin(0, 1), checkin(1, 2), checkin(2, 2), checkin(3, 4)], day(3), FLARE)
    # too few earlier check-ins: no baseline, no flare
    assert not is_flare([checkin(0, 2), checkin(1, 7)], day(1), FLARE)


def test_a_flare_switches_the_plan_to_the_flare_plan_at_the_easiest_level():
    checkins = [checkin(n, 3) for n in range(6)] + [checkin(6, 7)]
    result = run(checkins, [SessionLog(day(1), 3), SessionLog(day(3), 3)], today=6)
    assert result.state == "flare"
    assert result.level == 1


# -- adaptation over weeks ---------------------------------------------------------------------


def test_steady_good_sessions_progress():
    checkins = [checkin(n, 5 - n // 4) for n in range(10)]
    sessions = [SessionLog(day(n), 3) for n in (0, 2, 4, 7)]
    result = run(checkins, sessions, today=9, start_level=1)
    assert result.state == "progress"
    assert result.level == 3


def test_no_meaningful_improvement_after_six_weeks_suggests_a_review():
    checkins = [checkin(n, 5) for n in range(45)]
    result = run(checkins, [], today=44)
    assert result.state == "review"
    assert "6 weeks" in result.reasons[0]
    # the same history after four weeks is still "keep going"
    assert run(checkins, [], today=30).state == "keep"


def test_meaningful_improvement_by_six_weeks_needs_no_review():
    checkins = [checkin(n, 6 if n < 7 else 4) for n in range(45)]
    assert run(checkins, [], today=44).state == "keep"


def test_worsening_by_two_points_suggests_a_review_early():
    checkins = [checkin(n, 3) for n in range(7)] + [checkin(n, 5) for n in range(7, 14)]
    # day 7 is a flare; by day 13 the person's usual pain has risen (no longer a flare)
    result = run(checkins, [], today=13)
    assert result.state == "review"


def test_a_warning_sign_triages_but_one_before_the_assessment_does_not():
    checkins = [checkin(0, 3), checkin(1, 3, warning="unsure")]
    assert run(checkins, [], today=1).state == "triage"
    before = CheckIn(day(0), ASSESSED - timedelta(hours=1), 3, warning="yes")
    assert run([before, checkin(1, 3)], [], today=1).state == "keep"


# -- properties ----------------------------------------------------------------------------------

pains = st.lists(st.one_of(st.none(), st.integers(0, 10)), min_size=1, max_size=40)
session_pains = st.lists(
    st.tuples(st.integers(0, 39), st.one_of(st.none(), st.integers(0, 10))), max_size=20
)


def _history(pain_list, session_list):
    checkins = [checkin(n, p) for n, p in enumerate(pain_list)]
    sessions = [SessionLog(day(n), p) for n, p in session_list if n < len(pain_list)]
    return checkins, sessions


@settings(max_examples=300, deadline=None)
@given(pains, session_pains, st.integers(1, 3))
def test_property_a_flare_never_progresses(pain_list, session_list, start):
    checkins, sessions = _history(pain_list, session_list)
    today = len(pain_list) - 1
    flares = set(flare_days(checkins, FLARE))
    _, _, changes = replay_levels(start, sessions, checkins, RULE, FLARE)
    assert not any(c.reason == "progress" and c.day in flares for c in changes)
    result = run(checkins, sessions, today=today, start_level=start)
    if is_flare(checkins, day(today), FLARE):
        assert result.state in ("flare", "triage")
        assert result.state != "progress"
        assert result.level == 1


@settings(max_examples=300, deadline=None)
@given(pains, session_pains, st.integers(0, 39), st.sampled_from(["yes", "unsure"]))
def test_property_a_warning_sign_always_triages(pain_list, session_list, when, answer):
    checkins, sessions = _history(pain_list, session_list)
    when = min(when, len(checkins) - 1)
    warned = checkins[when]
    checkins[when] = CheckIn(warned.day, warned.recorded_at, warned.pain, warning=answer)
    result = run(checkins, sessions, today=len(pain_list) - 1)
    assert result.state == "triage"


@pytest.mark.parametrize("start", [1, 2, 3])
def test_property_like_no_history_keeps_the_start_level(start):
    result = run([], [], today=0, start_level=start)
    assert (result.state, result.level) == ("keep", start)
