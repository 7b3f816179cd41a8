"""The care programme's knowledge: exercises, poses, lessons and rules load, fit together, and a
file missing an illustration, a dosage, a variant or a source fails validation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from backcare.errors import KnowledgeError
from backcare.knowledge.care import (
    ExercisesDocument,
    LessonDocument,
    ProgrammeDocument,
    care_knowledge,
    check_care_knowledge,
    lesson_words,
)
from backcare.knowledge.clinical import PHASES, REGIONS
from backcare.knowledge.loader import check_citations, load_text, parse, source_registry


@pytest.fixture(scope="module")
def knowledge():
    return care_knowledge()


def _exercise_file() -> dict:
    return yaml.safe_load(load_text("exercises/low-back.yaml"))


def _parse_exercises(raw: dict) -> ExercisesDocument:
    return parse(yaml.safe_dump(raw), ExercisesDocument, name="exercises/test.yaml")


def test_library_size_regions_and_categories(knowledge):
    assert len(knowledge.exercises) >= 24
    assert 8 <= len(knowledge.lessons) <= 12
    for region in REGIONS:
        assert sum(region in e.regions for e in knowledge.exercises) >= 8, region
    categories = {e.category for e in knowledge.exercises}
    assert {"mobility", "motor_control", "strength", "stretch", "walking", "water"} <= categories


def test_every_exercise_is_complete_and_drawn(knowledge):
    poses = {p.key for p in knowledge.poses.poses}
    registry = source_registry()
    for ex in knowledge.exercises:
        assert 3 <= len(ex.steps) <= 6, ex.id
        assert ex.dosage.describe(), ex.id
        assert ex.easier.how, ex.id
        assert ex.harder.how, ex.id
        assert ex.easier.name != ex.harder.name, ex.id
        assert set(ex.poses) <= poses, ex.id
        assert ex.principle.sources, ex.id
        assert set(ex.principle.sources) <= set(registry), ex.id


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("dosage", r"exercises\[0\]\.dosage: Field required"),
        ("easier", r"exercises\[0\]\.easier: Field required"),
        ("harder", r"exercises\[0\]\.harder: Field required"),
        ("poses", r"exercises\[0\]\.poses: Field required"),
        ("principle", r"exercises\[0\]\.principle: Field required"),
    ],
)
def test_an_exercise_without_a_required_part_fails(field, message):
    raw = _exercise_file()
    del raw["exercises"][0][field]
    with pytest.raises(KnowledgeError, match=message):
        _parse_exercises(raw)


def test_an_exercise_without_sources_or_with_a_dosage_of_two_kinds_fails():
    raw = _exercise_file()
    raw["exercises"][0]["principle"]["sources"] = []
    with pytest.raises(KnowledgeError, match=r"principle\.sources"):
        _parse_exercises(raw)
    raw = _exercise_file()
    raw["exercises"][0]["dosage"] = {"sets": 2, "reps": 10, "hold_s": 10}
    with pytest.raises(KnowledgeError, match="exactly one of reps, hold_s or minutes"):
        _parse_exercises(raw)
    raw = _exercise_file()
    raw["exercises"][0]["steps"] = ["Only one step."]
    with pytest.raises(KnowledgeError, match=r"steps"):
        _parse_exercises(raw)


def test_a_dangling_source_in_an_exercise_fails():
    raw = _exercise_file()
    raw["exercises"][0]["principle"]["sources"] = ["no-such-source-2099"]
    doc = _parse_exercises(raw)
    with pytest.raises(KnowledgeError, match="no-such-source-2099"):
        check_citations(doc, name="exercises/test.yaml")


def test_a_missing_illustration_pose_is_reported(knowledge):
    raw = _exercise_file()
    raw["exercises"][0]["poses"] = ["no_such_pose"]
    doc = _parse_exercises(raw)
    problems = check_care_knowledge(
        doc.exercises, knowledge.poses, knowledge.lessons, knowledge.programme
    )
    assert any("no illustration pose 'no_such_pose'" in p for p in problems)


def test_a_session_naming_an_unknown_exercise_is_reported(knowledge):
    raw = yaml.safe_load(load_text("care/programme.yaml"))
    raw["sessions"][0]["exercises"][0] = "levitation"
    programme = parse(yaml.safe_dump(raw), ProgrammeDocument, name="care/programme.yaml")
    problems = check_care_knowledge(
        knowledge.exercises, knowledge.poses, knowledge.lessons, programme
    )
    assert any("unknown exercise 'levitation'" in p for p in problems)


def test_the_programme_covers_every_region_and_phase(knowledge):
    sessions = knowledge.programme.sessions
    for region in REGIONS:
        for phase in PHASES:
            matching = [s for s in sessions if s.region == region and phase in s.phases]
            assert matching, (region, phase)
            for session in matching:
                assert 2 <= session.sessions_per_week <= 3
                assert 10 <= session.minutes <= 20


def test_the_programme_is_closed_while_a_visit_is_due(knowledge):
    """Red flags win: a visit within a week, today or now shows no exercise programme."""
    assert knowledge.programme.gate.programme_urgencies == ("self_care", "routine")
    raw = yaml.safe_load(load_text("care/programme.yaml"))
    raw["gate"]["programme_urgencies"] = ["routine"]
    with pytest.raises(KnowledgeError, match="at least be open at urgency self_care"):
        parse(yaml.safe_dump(raw), ProgrammeDocument, name="care/programme.yaml")


def test_the_pain_monitoring_rule_is_the_published_one(knowledge):
    rule = knowledge.programme.pain_monitoring
    assert rule.max_pain_during == 5
    assert "silbernagel-2007" in rule.sources
    assert knowledge.programme.adaptation.review_after_days in range(28, 43)


def test_lessons_are_two_to_three_minutes_sourced_and_ordered(knowledge):
    orders = [lesson.order for lesson in knowledge.lessons]
    assert orders == sorted(orders)
    for lesson in knowledge.lessons:
        assert 240 <= lesson_words(lesson) <= 540, lesson.id
        assert lesson.sources
    raw = yaml.safe_load(load_text("lessons/05-sleep.yaml"))
    raw["lesson"]["sections"] = ["Too short.", "Far too short."]
    with pytest.raises(KnowledgeError, match="2-3 minutes of reading"):
        parse(yaml.safe_dump(raw), LessonDocument, name="lessons/x.yaml")
    raw = yaml.safe_load(load_text("lessons/05-sleep.yaml"))
    del raw["lesson"]["sources"]
    with pytest.raises(KnowledgeError, match=r"lesson\.sources: Field required"):
        parse(yaml.safe_dump(raw), LessonDocument, name="lessons/x.yaml")


def test_lessons_named_by_the_issue_exist(knowledge):
    ids = {lesson.id for lesson in knowledge.lessons}
    assert {
        "hurt_is_not_harm",
        "staying_active",
        "sleep",
        "stress_and_mood",
        "work_and_sitting",
        "lifting_and_bending",
        "medicines",
        "when_to_see_a_doctor",
        "what_the_article_got_wrong",
    } <= ids


def test_swimming_caution_is_stated_honestly(knowledge):
    swim = knowledge.exercise("swimming")
    assert "no stroke" in " ".join(swim.steps).lower()
    water = next(a for a in knowledge.programme.activities if a.activity == "water")
    assert "low certainty" in water.honest_note


def test_texts_show_no_internal_ids(knowledge):
    """A person never sees an internal id: no snake_case words in what is shown."""
    snake = re.compile(r"\b[a-z]+_[a-z_]+\b")
    for ex in knowledge.exercises:
        for text in (ex.name, ex.goal, ex.start_position, *ex.steps, ex.feel, ex.stop_if):
            assert not snake.search(text), (ex.id, text)
    for lesson in knowledge.lessons:
        for text in (lesson.title, lesson.summary, *lesson.sections, *lesson.key_points):
            assert not snake.search(text), (lesson.id, text)


def test_the_care_tables_in_the_docs_are_up_to_date():
    import runpy

    root = Path(__file__).resolve().parents[2]
    tables = runpy.run_path(str(root / "scripts" / "care_doc.py"))["tables"]
    written = (root / "docs" / "care-tables.md").read_text(encoding="utf-8")
    assert written == tables(), "run: python scripts/care_doc.py > docs/care-tables.md"


def test_the_programme_cannot_open_while_a_visit_is_due():
    raw = yaml.safe_load(load_text("care/programme.yaml"))
    raw["gate"]["programme_urgencies"] = ["self_care", "within_week"]
    with pytest.raises(KnowledgeError, match="closed while a visit is due"):
        parse(yaml.safe_dump(raw), ProgrammeDocument, name="care/programme.yaml")
