"""The person's care plan for this week, from the latest assessment and the check-ins.

:func:`build_plan` is pure: it takes what the assessment says (urgency, phase, region and the
person's own answers), the state from :func:`backcare.care.rules.adapt`, the lessons already read
and the break settings, and returns the week's 3-5 actions with a one-line why each, the session
with each exercise at its level, the next lesson and, where it applies, the flare plan. Above
self-care urgency it returns only the "see a clinician first" gate with interim advice: no
exercise programme (the rule lives in ``care/programme.yaml``).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from backcare.care.rules import Adaptation
from backcare.knowledge.care import (
    CareKnowledge,
    Dosage,
    Exercise,
    Lesson,
    SessionTemplate,
)

__all__ = [
    "PHASE_FALLBACK",
    "Action",
    "AssessmentView",
    "CarePlan",
    "PlannedExercise",
    "PlannedSession",
    "build_plan",
    "lesson_order",
    "next_session_day",
    "session_days",
    "start_level",
]

#: Phase used when the assessment did not establish one (the gentlest programme).
PHASE_FALLBACK = "acute"

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
#: Weekdays (0 = Monday) of the sessions for 1-7 sessions a week, spread out with rest days.
SESSION_PATTERNS: dict[int, tuple[int, ...]] = {
    1: (2,),
    2: (1, 4),
    3: (0, 2, 4),
    4: (0, 1, 3, 5),
    5: (0, 1, 2, 4, 5),
    6: (0, 1, 2, 3, 4, 5),
    7: (0, 1, 2, 3, 4, 5, 6),
}


@dataclass(frozen=True)
class AssessmentView:
    """What the care plan needs from the latest stored assessment."""

    urgency: str
    urgency_label: str
    what_to_do: str
    phase: str | None
    region: str | None  # low_back | upper_back | neck | both
    answers: Mapping[str, object]
    #: The assessment plan's "until you are seen" points (the one place that text lives).
    until_visit: tuple[str, ...] = ()


#: Upper-back pain follows the low back programme (as the assessment plan does).
_GUIDE = {"low_back": "low_back", "upper_back": "low_back", "neck": "neck"}


@dataclass(frozen=True)
class Action:
    key: str
    text: str
    why: str
    sources: tuple[str, ...]
    href: str | None = None


@dataclass(frozen=True)
class PlannedExercise:
    exercise: Exercise
    level: int
    version: str  # the name shown: easier variant, the exercise, or the harder variant
    how: str | None  # the variant's instruction (None at level 2)
    dosage: Dosage


@dataclass(frozen=True)
class PlannedSession:
    template: SessionTemplate
    exercises: tuple[PlannedExercise, ...]
    weekdays: tuple[int, ...]

    @property
    def day_names(self) -> str:
        names = [WEEKDAYS[d][:3] for d in self.weekdays]
        return "/".join(names)


@dataclass(frozen=True)
class CarePlan:
    gated: bool
    headline: str
    state: str
    reasons: tuple[str, ...]
    actions: tuple[Action, ...]
    interim_advice: tuple[str, ...]
    sessions: tuple[PlannedSession, ...]
    level: int
    walking_minutes: int
    next_lesson: Lesson | None
    lessons: tuple[Lesson, ...]
    flare_first_days: tuple[str, ...]
    flare_see_someone: tuple[str, ...]


def session_days(per_week: int) -> tuple[int, ...]:
    return SESSION_PATTERNS[max(1, min(7, per_week))]


def _answer_state(answers: Mapping[str, object], key: str) -> bool | None:
    value = answers.get(key)
    return value if isinstance(value, bool) else None


def lesson_order(
    lessons: Sequence[Lesson], answers: Mapping[str, object], region: str | None
) -> tuple[Lesson, ...]:
    """Lessons in reading order: those the person's answers move up first (by rank), then the
    rest in course order. An answer that is missing or unknown moves a lesson up only where the
    lesson says so (``when_unknown``); "no" never does."""
    regions = {"low_back", "neck"} if region in (None, "both") else {_GUIDE.get(region, region)}
    shown = [lesson for lesson in lessons if regions & set(lesson.regions)]

    def rank(lesson: Lesson) -> int | None:
        ranks = [
            p.rank
            for p in lesson.priorities
            if _answer_state(answers, p.answer) is True
            or (p.when_unknown and _answer_state(answers, p.answer) is None)
        ]
        return min(ranks) if ranks else None

    moved = sorted(
        (lesson for lesson in shown if rank(lesson) is not None),
        key=lambda lesson: (rank(lesson) or 0, lesson.order),
    )
    rest = [lesson for lesson in shown if rank(lesson) is None]
    return (*moved, *rest)


def _planned(exercise: Exercise, level: int) -> PlannedExercise:
    if level <= 1:
        variant = exercise.easier
        return PlannedExercise(
            exercise, 1, variant.name, variant.how, variant.dosage or exercise.dosage
        )
    if level >= 3:
        variant = exercise.harder
        return PlannedExercise(
            exercise, 3, variant.name, variant.how, variant.dosage or exercise.dosage
        )
    return PlannedExercise(exercise, 2, exercise.name, None, exercise.dosage)


def _templates(knowledge: CareKnowledge, region: str | None, phase: str) -> list[SessionTemplate]:
    regions = ["low_back", "neck"] if region == "both" else [_GUIDE.get(region or "", "low_back")]
    out: list[SessionTemplate] = []
    for reg in regions:
        out.append(
            next(s for s in knowledge.programme.sessions if s.region == reg and phase in s.phases)
        )
    return out


def start_level(knowledge: CareKnowledge, view: AssessmentView) -> int:
    """The level a person starts at: the session's start level for their region and phase, or
    level 1 when their answer says pain limits daily activities a lot (``self.limits``)."""
    phase = view.phase or PHASE_FALLBACK
    level = min(t.start_level for t in _templates(knowledge, view.region, phase))
    limits = view.answers.get("self.limits")
    easy = knowledge.programme.easy_start
    if isinstance(limits, bool) or not isinstance(limits, int | float):
        return level  # not answered (or not asked in an older assessment)
    return 1 if limits >= easy.limits_at_least else level


def build_plan(
    *,
    knowledge: CareKnowledge,
    view: AssessmentView,
    adaptation: Adaptation,
    lessons_done: Collection[str],
    programme_start: date,
    today: date,
    break_every_min: int,
    break_length_min: int,
) -> CarePlan:
    """This week's plan (see the module docstring)."""
    programme = knowledge.programme
    ordered = lesson_order(knowledge.lessons, view.answers, view.region)
    next_lesson = next((lesson for lesson in ordered if lesson.id not in lessons_done), None)
    if view.urgency not in programme.gate.programme_urgencies:
        return CarePlan(
            gated=True,
            headline=programme.gate.headline,
            state="gated",
            reasons=(view.what_to_do,),
            actions=(),
            interim_advice=view.until_visit or programme.gate.interim_advice,
            sessions=(),
            level=0,
            walking_minutes=0,
            next_lesson=next_lesson,
            lessons=ordered,
            flare_first_days=(),
            flare_see_someone=(),
        )
    if adaptation.state == "triage":
        question = programme.warning_sign_question
        action = Action(
            "triage", question.action, adaptation.reasons[0], question.sources, href="/assess"
        )
        return CarePlan(
            gated=True,
            headline="Answer the warning-sign questions now.",
            state="triage",
            reasons=adaptation.reasons,
            actions=(action,),
            interim_advice=(),
            sessions=(),
            level=adaptation.level,
            walking_minutes=0,
            next_lesson=next_lesson,
            lessons=ordered,
            flare_first_days=(),
            flare_see_someone=programme.flare.see_someone,
        )

    phase = view.phase or PHASE_FALLBACK
    flare = adaptation.state == "flare"
    level = 1 if flare else adaptation.level
    templates = _templates(knowledge, view.region, "acute" if flare else phase)
    sessions: list[PlannedSession] = []
    for i, template in enumerate(templates):
        days = session_days(template.sessions_per_week)
        if len(templates) > 1:  # two regions: alternate them over the week's session days
            days = tuple(d for j, d in enumerate(session_days(3 * len(templates))) if j % 2 == i)
        exercises = tuple(_planned(knowledge.exercise(e), level) for e in template.exercises)
        sessions.append(PlannedSession(template, exercises, days))

    week = max(0, (today - programme_start).days // 7)
    walking = next(a for a in programme.activities if a.activity == "walking")
    steps = walking.weekly_minutes
    walk_minutes = steps[0 if flare else min(week, len(steps) - 1)]

    actions: list[Action] = []

    def add(key: str, href: str | None = None, **values: object) -> None:
        template = programme.action(key)
        actions.append(
            Action(key, template.text.format(**values), template.why, template.sources, href)
        )

    if flare:
        add("flare", href="/plan#flare")
    if adaptation.state == "review":
        add("review", href="/assess")
    for session in sessions:
        add(
            "session",
            href=f"/plan/session/{session.template.id}",
            session=session.template.title,
            days=session.day_names,
            minutes=session.template.minutes,
        )
    add("walk", minutes=walk_minutes, days_per_week=walking.days_per_week)
    desk = _answer_state(view.answers, "self.desk_work")
    if desk is not False and len(actions) < 5:
        add("breaks", href="/schedule", length=break_length_min, every=break_every_min)
    if next_lesson is not None and len(actions) < 5:
        add("lesson", href=f"/lessons/{next_lesson.id}", title=next_lesson.title)
    water = next(a for a in programme.activities if a.activity == "water")
    if not flare and phase in water.phases and len(actions) < 5:
        add("water", href="/exercises/swimming", minutes=water.weekly_minutes[min(week, 3)])
    if len(actions) < 3:
        add("checkin", href="/#checkin")

    headline = {
        "flare": "Your pain has flared up: this week, follow the flare-up plan and go gently.",
        "review": "Your pain is not improving as hoped: see a clinician and repeat the assessment.",
        "progress": "Your sessions went well: your exercises move up a step this week.",
        "keep": "This week: exercise, walk, and keep your everyday activities going.",
    }[adaptation.state]
    return CarePlan(
        gated=False,
        headline=headline,
        state=adaptation.state,
        reasons=adaptation.reasons,
        actions=tuple(actions[:5]),
        interim_advice=(),
        sessions=tuple(sessions),
        level=level,
        walking_minutes=walk_minutes,
        next_lesson=next_lesson,
        lessons=ordered,
        flare_first_days=programme.flare.first_days if flare else (),
        flare_see_someone=programme.flare.see_someone,
    )


def next_session_day(plan: CarePlan, today: date) -> tuple[date, PlannedSession] | None:
    """The next day (today included) with a session, and which one."""
    for offset in range(8):
        day = today + timedelta(days=offset)
        for session in plan.sessions:
            if day.weekday() in session.weekdays:
                return day, session
    return None
