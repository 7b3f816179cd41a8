"""The clinician list's attention rules: each rule, their order, and missing data ("don't know")."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from backcare.care.attention import (
    AttentionReason,
    PatientFacts,
    ScoreChange,
    attention,
    sort_patients,
)
from backcare.care.rules import CheckIn
from backcare.knowledge.care import care_knowledge

PROGRAMME = care_knowledge().programme
RULES, FLARE = PROGRAMME.clinician_attention, PROGRAMME.flare
TODAY = date(2026, 11, 30)
ASSESSED = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)


def day(n: int) -> date:
    """``n`` days before today."""
    return TODAY - timedelta(days=n)


def checkin(n: int, pain: int | None, warning: str = "no") -> CheckIn:
    at = datetime.combine(day(n), datetime.min.time(), tzinfo=UTC) + timedelta(hours=20)
    return CheckIn(day(n), at, pain, warning=warning)  # type: ignore[arg-type]


def steady(pain: int = 3, days: int = 10) -> tuple[CheckIn, ...]:
    return tuple(checkin(n, pain) for n in range(days, -1, -1))


def facts(
    urgency: str | None = "self_care",
    *,
    unchecked: bool = False,
    scores: tuple[ScoreChange, ...] = (),
    checkins: tuple[CheckIn, ...] | None = None,
) -> PatientFacts:
    return PatientFacts(
        urgency=urgency,
        assessed_at=ASSESSED if urgency is not None else None,
        raised_by_unchecked=unchecked,
        score_changes=scores,
        checkins=steady() if checkins is None else checkins,
    )


def kinds(f: PatientFacts) -> list[str]:
    return [r.kind for r in attention(f, today=TODAY, rules=RULES, flare=FLARE)]


def texts(f: PatientFacts) -> list[str]:
    return [r.text for r in attention(f, today=TODAY, rules=RULES, flare=FLARE)]


ODI_WORSE = ScoreChange("ODI", 24.0, 36.0, "%", "worsened", 10.0)
ODI_SAME = ScoreChange("ODI", 24.0, 30.0, "%", "no_meaningful_change", 10.0)
NRS_BETTER = ScoreChange("Pain NRS", 7.0, 4.0, "points", "improved", 2.0)


def test_knowledge_gives_the_thresholds_with_a_reason_and_sources() -> None:
    assert RULES.no_checkin_days == 7
    assert RULES.flare_within_days == 7
    assert "7 days" in RULES.reason
    assert RULES.sources


def test_a_person_doing_well_needs_nothing() -> None:
    assert kinds(facts(scores=(ODI_SAME, NRS_BETTER))) == []


def test_emergency_and_same_day_urgency() -> None:
    assert kinds(facts("emergency")) == ["emergency"]
    assert "emergency" in texts(facts("emergency"))[0]
    assert kinds(facts("same_day")) == ["same_day"]
    assert "10 Nov 2026" in texts(facts("same_day"))[0]
    assert kinds(facts("within_week")) == ["within_week"]
    assert kinds(facts("routine")) == []


def test_unknown_warning_signs_are_never_read_as_no() -> None:
    (text,) = texts(facts("same_day", unchecked=True))
    assert "don't know" in text


def test_warning_sign_or_not_sure_in_a_checkin_after_the_assessment() -> None:
    for answer, words in (("yes", "reported a warning sign"), ("unsure", "not sure")):
        history = (*steady(days=5)[:-1], checkin(0, 3, warning=answer))
        f = facts(checkins=history)
        assert kinds(f) == ["warning_sign"]
        assert words in texts(f)[0]
    # one before the latest assessment has been dealt with by that assessment
    old = CheckIn(day(25), ASSESSED - timedelta(days=5), 3, warning="yes")
    assert kinds(facts(checkins=(old, *steady()))) == []


def test_worse_score_past_the_mic_names_the_change_and_the_mic() -> None:
    f = facts(scores=(ODI_WORSE, NRS_BETTER))
    assert kinds(f) == ["worse_score"]
    (text,) = texts(f)
    assert "ODI got worse by 12 percentage points (from 24% to 36%)" in text
    assert "minimal important change of 10 percentage points" in text
    nrs = ScoreChange("Pain NRS", 3.0, 6.0, "points", "worsened", 2.0)
    assert "by 3 points (from 3 to 6)" in texts(facts(scores=(nrs,)))[0]


def test_flare_in_the_last_week_but_not_an_older_one() -> None:
    history = (*steady(3, days=12)[:-2], checkin(1, 8), checkin(0, 4))
    f = facts(checkins=history)
    assert kinds(f) == ["flare"]
    assert "8/10" in texts(f)[0]
    older = tuple(checkin(n, 8 if n == 9 else 3) for n in range(20, -1, -1))
    assert kinds(facts(checkins=older)) == []


def test_a_flare_needs_enough_baseline_checkins() -> None:
    # pain 8 after only two earlier check-ins: not enough to call it a flare
    assert kinds(facts(checkins=(checkin(3, 3), checkin(2, 3), checkin(1, 8)))) == []


def test_no_checkin_for_n_days_and_none_ever() -> None:
    recent = tuple(checkin(n, 3) for n in range(12, RULES.no_checkin_days - 1, -1))
    f = facts(checkins=recent)
    assert kinds(f) == ["no_checkin"]
    assert f"No check-in for {RULES.no_checkin_days} days" in texts(f)[0]
    just_inside = tuple(checkin(n, 3) for n in range(12, RULES.no_checkin_days - 2, -1))
    assert kinds(facts(checkins=just_inside)) == []
    assert kinds(facts(checkins=())) == ["no_checkin"]
    assert "No daily check-in yet" in texts(facts(checkins=()))[0]


def test_checkins_without_a_pain_rating_still_count_as_checkins() -> None:
    assert kinds(facts(checkins=tuple(checkin(n, None) for n in range(5, -1, -1)))) == []


def test_no_assessment_means_the_urgency_is_unknown() -> None:
    assert kinds(facts(None)) == ["no_assessment"]
    assert "unknown" in texts(facts(None))[0]


def test_reasons_come_most_urgent_first() -> None:
    history = (*steady(3, days=12)[:-2], checkin(1, 8, warning="unsure"))
    f = facts("within_week", scores=(ODI_WORSE,), checkins=history)
    assert kinds(f) == ["warning_sign", "within_week", "worse_score", "flare"]
    everything = facts("emergency", scores=(ODI_WORSE,), checkins=())
    assert kinds(everything) == ["emergency", "worse_score", "no_checkin"]


def test_patients_sorted_by_most_urgent_reason_then_count_then_name() -> None:
    def reasons(*kinds_: str) -> tuple[AttentionReason, ...]:
        return tuple(AttentionReason(k, k) for k in kinds_)  # type: ignore[arg-type]

    people = {
        "Zoe": reasons(),
        "Ann": reasons("no_checkin"),
        "Bob": reasons("emergency"),
        "Cid": reasons("worse_score", "no_checkin"),
        "Dee": reasons("worse_score"),
        "eve": reasons("same_day"),
        "Fay": reasons("no_assessment"),
    }
    order = sort_patients(list(people), lambda p: people[p], lambda p: p)
    assert order == ["Bob", "eve", "Cid", "Dee", "Ann", "Fay", "Zoe"]
