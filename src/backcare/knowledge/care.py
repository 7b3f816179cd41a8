"""Schemas of the care-programme knowledge: exercises, their poses, lessons and programme rules.

Four kinds of file, registered in :mod:`backcare.knowledge.catalog`:

``care-exercises`` (``exercises/*.yaml``)
    Exercises in the project's own words: goal, start position, 3-6 steps, dosage, what it should
    feel like, when to stop, an easier and a harder variant, and the pose keys of its drawing.
``care-poses`` (``care/poses.yaml``)
    Joint angles of a small side-view stick figure (see :mod:`backcare.care.figure`), one entry
    per pose key; every exercise's poses must exist here (:func:`check_care_knowledge`).
``care-lesson`` (``lessons/*.yaml``)
    One short lesson (2-3 minutes of reading) with its sources and the answers that move it up.
``care-programme`` (``care/programme.yaml``)
    Sessions by region and phase, the urgency gate, the pain-monitoring rule, the flare plan, the
    adaptation rules from check-ins and the weekly activity targets.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, ClassVar, Literal

from pydantic import Field, StringConstraints, model_validator

from backcare.errors import KnowledgeError
from backcare.knowledge.clinical import Phase, Region, Urgency
from backcare.knowledge.loader import data_files, load
from backcare.knowledge.schema import Cited, Document, KnowledgeModel

__all__ = [
    "CATEGORIES",
    "ActivityTarget",
    "AdaptationRules",
    "CareKnowledge",
    "Category",
    "ClinicianAttention",
    "Dosage",
    "EasyStart",
    "Exercise",
    "ExercisesDocument",
    "FlarePlan",
    "Lesson",
    "LessonDocument",
    "LessonPriority",
    "PainMonitoring",
    "Pose",
    "PosesDocument",
    "Principle",
    "ProgrammeDocument",
    "SessionTemplate",
    "UrgencyGate",
    "Variant",
    "WarningSignQuestion",
    "WeeklyAction",
    "care_knowledge",
    "check_care_knowledge",
    "lesson_words",
]

Category = Literal["mobility", "motor_control", "strength", "stretch", "walking", "water"]
CATEGORIES: tuple[Category, ...] = (
    "mobility",
    "motor_control",
    "strength",
    "stretch",
    "walking",
    "water",
)

Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
Text = Annotated[str, StringConstraints(min_length=3, strip_whitespace=True)]
#: backcare's own answers (``self.<name>``) the care programme reads from an assessment.
SelfAnswerId = Annotated[str, StringConstraints(pattern=r"^self\.[a-z][a-z0-9_]*$")]


# -- exercises ---------------------------------------------------------------------------------


class Dosage(KnowledgeModel):
    """How much: sets of repetitions, of a held position, or minutes of continuous activity."""

    sets: int = Field(ge=1, le=6)
    reps: int | None = Field(default=None, ge=1, le=30)
    hold_s: int | None = Field(default=None, ge=5, le=120)
    minutes: int | None = Field(default=None, ge=1, le=60)
    per_side: bool = False
    rest_s: int = Field(default=30, ge=0, le=180)

    @model_validator(mode="after")
    def _one_measure(self) -> Dosage:
        given = [m for m in (self.reps, self.hold_s, self.minutes) if m is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of reps, hold_s or minutes")
        return self

    def describe(self) -> str:
        """Plain words, e.g. "2 sets of 10, each side"."""
        side = ", each side" if self.per_side else ""
        if self.minutes is not None:
            return f"{self.minutes} minutes" + (f", {self.sets} times" if self.sets > 1 else "")
        if self.hold_s is not None:
            times = "once" if self.sets == 1 else f"{self.sets} times"
            return f"hold {self.hold_s} seconds, {times}{side}"
        sets = "1 set" if self.sets == 1 else f"{self.sets} sets"
        return f"{sets} of {self.reps}{side}"


class Variant(KnowledgeModel):
    """An easier or harder version of an exercise."""

    name: Text
    how: Text
    dosage: Dosage | None = None


class Principle(Cited):
    """Why an exercise belongs in the programme, in one sentence, with its sources."""

    text: Text


class Exercise(KnowledgeModel):
    """One exercise, in the project's own words."""

    id: Key
    name: Text
    regions: tuple[Region, ...] = Field(min_length=1)
    category: Category
    phases: tuple[Phase, ...] = Field(min_length=1)
    goal: Text
    start_position: Text
    steps: tuple[Text, ...] = Field(min_length=3, max_length=6)
    dosage: Dosage
    feel: Text
    stop_if: Text
    easier: Variant
    harder: Variant
    #: Pose keys (``care/poses.yaml``): the drawing shows them in order, start to end.
    poses: tuple[Key, ...] = Field(min_length=1, max_length=3)
    #: Why this exercise belongs in the programme (the principle behind it and its sources).
    principle: Principle


class ExercisesDocument(Document):
    """``exercises/*.yaml``."""

    KIND: ClassVar[str] = "care-exercises"
    exercises: tuple[Exercise, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> ExercisesDocument:
        ids = [e.id for e in self.exercises]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"exercise ids used twice: {dup}")
        return self


# -- poses -------------------------------------------------------------------------------------

Prop = Literal["none", "chair", "wall", "mat", "water", "table"]


class Pose(KnowledgeModel):
    """Absolute segment directions of the side-view figure, in degrees.

    0 points forward (to the right of the drawing), 90 straight up, 180 backward, 270 (or -90)
    straight down. Segments: trunk (pelvis to shoulders), head (neck to crown), the near and far
    upper arm, forearm, thigh and shank, and the foot.
    """

    key: Key
    label: Text
    prop: Prop = "none"
    trunk: float = Field(ge=-360, le=360)
    head: float = Field(ge=-360, le=360)
    upper_arm: float = Field(ge=-360, le=360)
    forearm: float = Field(ge=-360, le=360)
    far_upper_arm: float | None = Field(default=None, ge=-360, le=360)
    far_forearm: float | None = Field(default=None, ge=-360, le=360)
    thigh: float = Field(ge=-360, le=360)
    shank: float = Field(ge=-360, le=360)
    far_thigh: float | None = Field(default=None, ge=-360, le=360)
    far_shank: float | None = Field(default=None, ge=-360, le=360)
    foot: float = Field(default=0.0, ge=-360, le=360)
    far_foot: float | None = Field(default=None, ge=-360, le=360)
    #: Bend of the back: positive rounds it (flexion), negative arches it (extension).
    spine_curve: float = Field(default=0.0, ge=-12, le=12)


class PosesDocument(Document):
    """``care/poses.yaml``."""

    KIND: ClassVar[str] = "care-poses"
    poses: tuple[Pose, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> PosesDocument:
        keys = [p.key for p in self.poses]
        dup = sorted({k for k in keys if keys.count(k) > 1})
        if dup:
            raise ValueError(f"pose keys used twice: {dup}")
        return self

    def pose(self, key: str) -> Pose:
        for p in self.poses:
            if p.key == key:
                return p
        raise KeyError(key)


# -- lessons -----------------------------------------------------------------------------------

#: Words a person reads in a minute in a plain-language text (a slow, careful reading pace).
WORDS_PER_MINUTE = 150


class LessonPriority(KnowledgeModel):
    """Move the lesson up when an answer of the assessment is true (or unknown, where set)."""

    answer: SelfAnswerId
    #: Also when the person did not know or did not answer ("don't know" is never "no").
    when_unknown: bool = False
    #: Lower goes first among the lessons an answer moved up.
    rank: int = Field(ge=1, le=100)


class Lesson(Cited):
    """One lesson: a title, a one-sentence summary, a few short sections and key points."""

    id: Key
    order: int = Field(ge=1, le=50)
    title: Text
    summary: Text
    sections: tuple[Text, ...] = Field(min_length=2, max_length=8)
    key_points: tuple[Text, ...] = Field(min_length=2, max_length=5)
    priorities: tuple[LessonPriority, ...] = ()
    regions: tuple[Region, ...] = ("low_back", "neck")


def lesson_words(lesson: Lesson) -> int:
    """Words a person reads in the lesson."""
    texts = (lesson.summary, *lesson.sections, *lesson.key_points)
    return sum(len(t.split()) for t in texts)


class LessonDocument(Document):
    """``lessons/*.yaml``: one lesson per file."""

    KIND: ClassVar[str] = "care-lesson"
    lesson: Lesson

    @model_validator(mode="after")
    def _two_to_three_minutes(self) -> LessonDocument:
        words = lesson_words(self.lesson)
        low, high = 2 * WORDS_PER_MINUTE * 0.8, 3 * WORDS_PER_MINUTE * 1.2
        if not low <= words <= high:
            raise ValueError(
                f"lesson {self.lesson.id!r} has {words} words; 2-3 minutes of reading is "
                f"{low:.0f}-{high:.0f}"
            )
        return self


# -- the programme -----------------------------------------------------------------------------


class SessionTemplate(Cited):
    """An exercise session for a region and the phases it suits."""

    id: Key
    title: Text
    region: Region
    phases: tuple[Phase, ...] = Field(min_length=1)
    exercises: tuple[Key, ...] = Field(min_length=3, max_length=8)
    sessions_per_week: int = Field(ge=1, le=7)
    minutes: int = Field(ge=5, le=45)
    #: Level to start at: 1 = each exercise's easier variant, 2 = as written, 3 = harder variant.
    start_level: int = Field(ge=1, le=3)


class UrgencyGate(Cited):
    """Urgencies at which the exercise programme is shown; above them only interim advice."""

    programme_urgencies: tuple[Urgency, ...] = Field(min_length=1)
    headline: Text
    interim_advice: tuple[Text, ...] = Field(min_length=2)


class PainMonitoring(Cited):
    """The pain-monitoring model for exercise sessions."""

    max_pain_during: int = Field(ge=0, le=10)
    #: The next check-in's pain may be at most this much above the check-in before the session.
    max_rise_next_day: int = Field(ge=0, le=10)
    good_sessions_to_progress: int = Field(ge=1, le=6)
    max_level: int = Field(ge=1, le=3)
    explanation: Text


class FlarePlan(Cited):
    """What to do in the first days of a flare-up, and when to see someone."""

    #: Pain today at least this many points above the person's recent usual pain...
    rise_points: int = Field(ge=1, le=10)
    #: ...and at least this high.
    min_pain: int = Field(ge=0, le=10)
    #: Check-ins of the previous days the "usual pain" (median) needs.
    baseline_days: int = Field(ge=2, le=14)
    min_baseline_checkins: int = Field(ge=1, le=14)
    title: Text
    first_days: tuple[Text, ...] = Field(min_length=3)
    see_someone: tuple[Text, ...] = Field(min_length=1)


class AdaptationRules(Cited):
    """How the plan changes with check-ins over weeks."""

    #: A change of pain (0-10) of at least this many points, or this share of the start...
    meaningful_points: float = Field(gt=0, le=10)
    meaningful_fraction: float = Field(gt=0, lt=1)
    #: ...judged after this many days in the programme (4-6 weeks).
    review_after_days: int = Field(ge=28, le=42)
    #: Days averaged at the start and at the end of a comparison.
    window_days: int = Field(ge=3, le=14)
    min_checkins_per_window: int = Field(ge=1, le=14)
    rules: tuple[Text, ...] = Field(min_length=4)


class ClinicianAttention(Cited):
    """When the clinician's patient list raises a person for attention (besides urgency and
    scores, whose thresholds come from the urgency levels and the instruments' MIC)."""

    #: Days without a check-in after which the list says so.
    no_checkin_days: int = Field(ge=2, le=28)
    #: A flare on any of this many most recent days (today included) is shown.
    flare_within_days: int = Field(ge=1, le=28)
    #: Why these numbers (shown to clinicians next to the list).
    reason: Text


class ActivityTarget(Cited):
    """A graded activity (walking, water exercise) with weekly targets."""

    id: Key
    activity: Literal["walking", "water"]
    phases: tuple[Phase, ...] = Field(min_length=1)
    #: Minutes a day (walking) or minutes a session (water) for week 1, 2, ...; the last repeats.
    weekly_minutes: tuple[int, ...] = Field(min_length=2)
    days_per_week: int = Field(ge=1, le=7)
    honest_note: Text


class WeeklyAction(Cited):
    """One kind of action the plan can put in a week (text with ``{placeholders}``)."""

    id: Key
    text: Text
    why: Text


class EasyStart(Cited):
    """Start at the easiest level when the assessment says pain limits daily life a lot."""

    #: ``self.limits`` (0-4) at or above which the programme starts at level 1.
    limits_at_least: int = Field(ge=0, le=4)
    statement: Text


class WarningSignQuestion(Cited):
    """The check-in's question about new warning signs (any "yes" or "not sure" triages)."""

    question: Text
    signs: tuple[Text, ...] = Field(min_length=3)
    action: Text


class ProgrammeDocument(Document):
    """``care/programme.yaml``."""

    KIND: ClassVar[str] = "care-programme"
    gate: UrgencyGate
    sessions: tuple[SessionTemplate, ...] = Field(min_length=3)
    pain_monitoring: PainMonitoring
    flare: FlarePlan
    adaptation: AdaptationRules
    activities: tuple[ActivityTarget, ...] = Field(min_length=2)
    actions: tuple[WeeklyAction, ...] = Field(min_length=4)
    warning_sign_question: WarningSignQuestion
    easy_start: EasyStart
    clinician_attention: ClinicianAttention

    @model_validator(mode="after")
    def _every_region_and_phase(self) -> ProgrammeDocument:
        for region in ("low_back", "neck"):
            for phase in ("acute", "subacute", "chronic"):
                if not any(s.region == region and phase in s.phases for s in self.sessions):
                    raise ValueError(f"no session for region {region!r} in phase {phase!r}")
        if "self_care" not in self.gate.programme_urgencies:
            raise ValueError("the programme must at least be open at urgency self_care")
        urgent = set(self.gate.programme_urgencies) & {"within_week", "same_day", "emergency"}
        if urgent:
            raise ValueError(
                f"the programme must stay closed while a visit is due: {sorted(urgent)}"
            )
        return self

    def action(self, action_id: str) -> WeeklyAction:
        for a in self.actions:
            if a.id == action_id:
                return a
        raise KeyError(action_id)


def check_care_knowledge(
    exercises: tuple[Exercise, ...],
    poses: PosesDocument,
    lessons: tuple[Lesson, ...],
    programme: ProgrammeDocument,
) -> list[str]:
    """Cross-file problems: a missing pose, a session naming an unknown exercise, a lesson order
    used twice, too few exercises or lessons. Empty when everything fits."""
    problems: list[str] = []
    pose_keys = {p.key for p in poses.poses}
    ids = [e.id for e in exercises]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(f"exercise id {dup!r} is defined in more than one file")
    for ex in exercises:
        for key in ex.poses:
            if key not in pose_keys:
                problems.append(f"exercise {ex.id!r}: no illustration pose {key!r}")
    known = set(ids)
    for session in programme.sessions:
        for ex_id in session.exercises:
            if ex_id not in known:
                problems.append(f"session {session.id!r}: unknown exercise {ex_id!r}")
        by_id = {e.id: e for e in exercises}
        for ex_id in session.exercises:
            found = by_id.get(ex_id)
            if found is not None and session.region not in found.regions:
                problems.append(f"session {session.id!r}: {ex_id!r} is not for {session.region}")
            if found is not None and not set(session.phases) <= set(found.phases):
                problems.append(f"session {session.id!r}: {ex_id!r} does not suit its phases")
    if len(exercises) < 24:
        problems.append(f"{len(exercises)} exercises; the library needs at least 24")
    if not 8 <= len(lessons) <= 12:
        problems.append(f"{len(lessons)} lessons; the course has 8-12")
    orders = [lesson.order for lesson in lessons]
    for order in sorted({o for o in orders if orders.count(o) > 1}):
        problems.append(f"lesson order {order} is used twice")
    lesson_ids = [lesson.id for lesson in lessons]
    for dup in sorted({i for i in lesson_ids if lesson_ids.count(i) > 1}):
        problems.append(f"lesson id {dup!r} is used twice")
    return problems


# -- loading -----------------------------------------------------------------------------------


class CareKnowledge(KnowledgeModel):
    """Every care-programme file, loaded and cross-checked."""

    exercises: tuple[Exercise, ...]
    poses: PosesDocument
    lessons: tuple[Lesson, ...]
    programme: ProgrammeDocument

    def exercise(self, exercise_id: str) -> Exercise:
        for ex in self.exercises:
            if ex.id == exercise_id:
                return ex
        raise KeyError(exercise_id)

    def lesson(self, lesson_id: str) -> Lesson:
        for lesson in self.lessons:
            if lesson.id == lesson_id:
                return lesson
        raise KeyError(lesson_id)


@cache
def care_knowledge() -> CareKnowledge:
    """Load ``exercises/*``, ``care/poses.yaml``, ``lessons/*`` and ``care/programme.yaml``.

    Raises :class:`~backcare.errors.KnowledgeError` when a file is invalid or the files do not fit
    together (see :func:`check_care_knowledge`).
    """
    files = data_files()
    exercises = tuple(
        ex
        for rel in files
        if rel.startswith("exercises/")
        for ex in load(rel, ExercisesDocument).exercises
    )
    lessons = tuple(
        sorted(
            (load(rel, LessonDocument).lesson for rel in files if rel.startswith("lessons/")),
            key=lambda lesson: lesson.order,
        )
    )
    poses = load("care/poses.yaml", PosesDocument)
    programme = load("care/programme.yaml", ProgrammeDocument)
    problems = check_care_knowledge(exercises, poses, lessons, programme)
    if problems:
        raise KnowledgeError("care knowledge does not fit together:\n  " + "\n  ".join(problems))
    return CareKnowledge(exercises=exercises, poses=poses, lessons=lessons, programme=programme)
