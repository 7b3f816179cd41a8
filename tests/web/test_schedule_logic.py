"""Pure logic of the profile, diary and schedule forms: ranges from knowledge, defaults from the
plan, when the next break is due and weekly adherence."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from backcare.clinical.assessment import assess
from backcare.errors import InputError
from backcare.knowledge import load
from backcare.knowledge.clinical import PreventionDocument
from backcare.web.forms import (
    next_break_due,
    parse_diary,
    parse_profile,
    parse_schedule,
    profile_limits,
    schedule_defaults,
    schedule_proposal,
    week_start,
    weekly_adherence,
)
from tests.clinical.answer_sets import all_no

TODAY = date(2026, 6, 15)  # a Monday


def test_profile_limits_come_from_knowledge():
    lim = profile_limits(TODAY)
    assert (lim.birth_year_min, lim.birth_year_max) == (2026 - 120, 2026 - 16)
    assert (lim.height_cm_min, lim.height_cm_max) == (120.0, 230.0)
    assert (lim.mass_kg_min, lim.mass_kg_max) == (30.0, 250.0)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("birth_year", "2015"),
        ("birth_year", "1900"),
        ("birth_year", "1980.5"),
        ("height_cm", "95"),
        ("height_cm", "tall"),
        ("mass_kg", "251"),
        ("mass_kg", "nan"),
        ("sex", "other"),
    ],
)
def test_profile_rejects_values_outside_the_rules(field, value):
    form = {
        "birth_year": "1980",
        "sex": "female",
        "height_cm": "170",
        "mass_kg": "65",
        field: value,
    }
    with pytest.raises(InputError) as info:
        parse_profile(form, today=TODAY)
    assert info.value.where == field


def test_profile_accepts_edges_commas_and_empty():
    got = parse_profile(
        {"birth_year": "2010", "sex": "", "height_cm": "120", "mass_kg": "72,5"}, today=TODAY
    )
    assert (got.birth_year, got.sex, got.height_cm, got.mass_kg) == (2010, None, 120.0, 72.5)
    empty = parse_profile({}, today=TODAY)
    assert empty.birth_year is None
    assert empty.mass_kg is None


def test_diary_parsing_and_rules():
    got = parse_diary(
        {"day": "2026-06-14", "pain_nrs": "4", "exercise_minutes": "20", "breaks_taken": "3"},
        today=TODAY,
    )
    assert got.day == date(2026, 6, 14)
    assert got.pain_nrs == 4
    assert got.exercise_done is True  # minutes imply exercise
    assert parse_diary({}, today=TODAY).day == TODAY
    for form, where in [
        ({"pain_nrs": "11"}, "pain_nrs"),
        ({"pain_nrs": "-1"}, "pain_nrs"),
        ({"pain_nrs": "2.5"}, "pain_nrs"),
        ({"day": "2026-06-16"}, "day"),
        ({"day": "15/06/2026"}, "day"),
        ({"breaks_taken": "-2"}, "breaks_taken"),
        ({"notes": "x" * 4001}, "notes"),
    ]:
        with pytest.raises(InputError) as info:
            parse_diary(form, today=TODAY)
        assert info.value.where == where, form


def _plan(answers):
    return assess(answers).plan


def test_schedule_defaults_follow_the_plan_and_cite_it():
    doc = schedule_defaults()
    prevention = {i.id for i in load("clinical/prevention.yaml", PreventionDocument).items}
    for rule in (doc.break_every_min, doc.exercise_days_per_week, doc.break_length_min):
        assert rule.prevention_line in prevention
    none = schedule_proposal(None)
    assert none.break_every_min == doc.break_every_min.default
    assert none.exercise_days_per_week == doc.exercise_days_per_week.default
    assert {line.id for line in none.lines} == {"prev.breaks", "prev.exercise"}
    assert {"steffens-2016", "actipass-docs"} <= {r.id for r in none.references}
    self_care = schedule_proposal(_plan(all_no()))
    assert self_care.exercise_held_back is None
    assert self_care.exercise_days_per_week == doc.exercise_days_per_week.default


def test_schedule_holds_exercise_back_when_the_plan_does():
    plan = _plan(all_no(triage__fever=True))
    assert plan.status == "see_clinician_first"
    held = schedule_proposal(plan)
    assert held.exercise_held_back
    assert held.exercise_days_per_week == 0
    assert held.breaks_held_back is None  # breaks are safe before assessment
    emergency = schedule_proposal(_plan({"triage.saddle_numbness": True}))
    assert emergency.exercise_held_back
    assert emergency.breaks_held_back


def test_schedule_settings_ranges():
    doc = schedule_defaults()
    ok = parse_schedule({"break_every_min": "45", "exercise_days_per_week": "3", "reminders": "on"})
    assert (ok.break_every_min, ok.exercise_days_per_week, ok.reminders) == (45, 3, True)
    for form, where in [
        ({"break_every_min": str(doc.break_every_min.maximum + 1)}, "break_every_min"),
        ({"break_every_min": "7.5"}, "break_every_min"),
        ({"break_every_min": ""}, "break_every_min"),
        ({"exercise_days_per_week": "8"}, "exercise_days_per_week"),
    ]:
        full = {"break_every_min": "30", "exercise_days_per_week": "2", **form}
        with pytest.raises(InputError) as info:
            parse_schedule(full)
        assert info.value.where == where


def test_next_break_due():
    opened = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)
    assert next_break_due(None, opened, 30) == opened + timedelta(minutes=30)
    recent = opened - timedelta(minutes=10)
    assert next_break_due(recent, opened, 30) == recent + timedelta(minutes=30)
    old = opened - timedelta(hours=3)
    assert next_break_due(old, opened, 30) == opened + timedelta(minutes=30)


@dataclass(frozen=True)
class Ev:
    kind: str
    due_at: datetime
    done_at: datetime | None


@dataclass(frozen=True)
class Day:
    day: date
    exercise_done: bool
    breaks_taken: int


def at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def test_weekly_adherence_counts_exercise_days_and_breaks():
    mon = week_start(TODAY)
    assert mon == TODAY
    events = [
        Ev("exercise", at(mon, 8), at(mon, 8)),
        Ev("exercise", at(mon, 18), at(mon, 18)),  # same day: one exercise day
        Ev("break", at(mon, 9), at(mon, 9)),
        Ev("break", at(mon, 10), None),  # fell due, not done
        Ev("break", at(mon + timedelta(days=1), 9), at(mon + timedelta(days=1), 9)),
        Ev("break", at(mon - timedelta(days=1), 9), at(mon - timedelta(days=1), 9)),  # last week
    ]
    diary = [
        Day(mon + timedelta(days=2), True, 4),  # diary exercise on another day, breaks counted
        Day(mon, False, 9),  # ignored: breaks were marked on the schedule that day
    ]
    (week,) = weekly_adherence(events, diary, exercise_target=3, weeks=[mon])
    assert week.exercise_days == 2
    assert week.exercise_pct == pytest.approx(200 / 3)
    assert (week.breaks_done, week.breaks_due) == (2 + 4, 3 + 4)
    assert week.breaks_pct == pytest.approx(600 / 7)
    (empty,) = weekly_adherence([], [], exercise_target=0, weeks=[mon + timedelta(weeks=1)])
    assert empty.exercise_pct is None
    assert empty.breaks_pct is None
    (capped,) = weekly_adherence(events, diary, exercise_target=1, weeks=[mon])
    assert capped.exercise_pct == 100.0
