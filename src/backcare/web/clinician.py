"""The clinician's views: the patient list by what needs attention, and a one-page summary.

Reads only (the person's assessments, check-ins, exercise sessions, diary and posture results);
the one thing a clinician writes is their own note (:mod:`backcare.store.notes`). The attention
rules themselves are pure (:mod:`backcare.care.attention`); this module gathers their inputs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pydantic import ValidationError

from backcare.care.attention import (
    AttentionReason,
    PatientFacts,
    ScoreChange,
    attention,
    sort_patients,
)
from backcare.care.rules import CheckIn
from backcare.clinical.assessment import AssessmentResult
from backcare.clinical.instruments import instrument
from backcare.errors import InputError
from backcare.knowledge.care import care_knowledge
from backcare.knowledge.clinical import UrgencyDocument
from backcare.knowledge.loader import load
from backcare.report.progress import PainPoint, pain_chart
from backcare.store import care as care_store
from backcare.store import diary as diary_store
from backcare.store import notes as note_store
from backcare.store import posture_sessions
from backcare.store.assessments import StoredAssessment, list_assessments
from backcare.store.db import Database
from backcare.store.shares import SharedPerson, list_shared_people
from backcare.web.care_view import person_zone
from backcare.web.demo import DemoContext, seeder
from backcare.web.progress_data import OWN_MEASURES, score_rows

__all__ = [
    "HistoryRow",
    "PatientRow",
    "PatientSummary",
    "ScoreLine",
    "assessment_history",
    "patient_list",
    "patient_summary",
]

#: Days of check-ins the adherence line and the pain chart cover.
ADHERENCE_DAYS = 14
PAIN_DAYS = 90

_MEANING = {
    "improved": "Improved",
    "worsened": "Worse",
    "no_meaningful_change": "No important change",
    "not_applicable": "Not classified (no agreed threshold)",
}


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _day(moment: date) -> str:
    return f"{moment.day} {moment.strftime('%b %Y')}"


def _duration(seconds: float) -> str:
    minutes = round(seconds / 60)
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours} h {rest} min"
    return f"{hours} h" if hours else f"{rest} min"


def _urgency_label(latest: StoredAssessment) -> str:
    """The words the person was shown for the urgency (they say when unchecked warning signs
    raised it), else the level's label."""
    try:
        return AssessmentResult.model_validate(latest.result).triage.urgency_label
    except ValidationError:
        levels: UrgencyDocument = load("clinical/urgency.yaml", UrgencyDocument)
        found = next((lvl.label for lvl in levels.levels if lvl.id == latest.urgency), None)
        return found if found is not None else "not known"


def _checkins(db: Database, person_id: int) -> list[CheckIn]:
    return [
        CheckIn(
            c.day,
            _aware(c.recorded_at),
            c.pain,
            c.limits,
            c.sleep,
            c.did_plan,
            c.warning if c.warning in ("no", "yes", "unsure") else "unsure",  # type: ignore[arg-type]
        )
        for c in care_store.list_checkins(db, person_id)
    ]


#: The phase of the episode in words (``clinical/phase.yaml`` defines the boundaries).
_PHASE_WORDS = {
    "acute": "recent (acute)",
    "subacute": "lasting for weeks (subacute)",
    "chronic": "long-lasting (chronic)",
}


@dataclass(frozen=True)
class HistoryRow:
    """One assessment as a reader sees it in a list: when, the urgency and phase in words, and
    its scores with their names."""

    assessment_id: int
    when: str
    urgency: str
    phase: str
    scores: str


def assessment_history(assessments: list[StoredAssessment]) -> list[HistoryRow]:
    """Every assessment, newest first, in words (never the stored codes)."""
    by_assessment: dict[int, list[str]] = {}
    for row in score_rows(assessments):
        value = _fmt(row.total, row.unit)
        by_assessment.setdefault(row.assessment_id, []).append(f"{row.label} {value}")
    rows = []
    for a in sorted(assessments, key=lambda a: (_aware(a.created_at), a.id), reverse=True):
        rows.append(
            HistoryRow(
                assessment_id=a.id,
                when=f"{_day(_aware(a.created_at).date())}, {a.created_at.strftime('%H:%M')}",
                urgency=_urgency_label(a),
                phase=_PHASE_WORDS.get(a.phase or "", "not known"),
                scores="; ".join(by_assessment.get(a.id, [])) or "none",
            )
        )
    return rows


@dataclass(frozen=True)
class ScoreLine:
    """One score of the latest assessment, with its change and what the change means."""

    label: str
    value: str
    previous: str | None
    change: str | None
    meaning: str
    rule: str
    classification: str | None


def _fmt(value: float, unit: str) -> str:
    return f"{value:g}%" if unit == "%" else f"{value:g}"


def _score_lines(assessments: list[StoredAssessment]) -> tuple[list[ScoreLine], list[ScoreChange]]:
    if not assessments:
        return [], []
    latest = max(assessments, key=lambda a: (_aware(a.created_at), a.id))
    lines: list[ScoreLine] = []
    changes: list[ScoreChange] = []
    for row in score_rows(assessments):
        if row.assessment_id != latest.id or row.instrument in OWN_MEASURES:
            continue
        change = row.change
        if change is None:
            lines.append(
                ScoreLine(
                    row.label,
                    _fmt(row.total, row.unit),
                    None,
                    None,
                    "First score: nothing to compare with yet",
                    "",
                    None,
                )
            )
            continue
        unit = "%" if change.scale == "percent" else "points"
        mic = instrument(row.instrument).mic
        mic_points = mic.points if mic is not None else None
        changes.append(
            ScoreChange(
                row.label, change.before, change.after, unit, change.classification, mic_points
            )
        )
        if mic is None:
            threshold = "no minimal important change is defined"
        else:
            scale = " on the 0-100 scale" if unit == "%" else ""
            relative = (
                f", or a {mic.percent_of_baseline:g}% improvement"
                if mic.percent_of_baseline
                else ""
            )
            threshold = f"minimal important change: {mic.points:g} points{scale}{relative}"
        lines.append(
            ScoreLine(
                label=row.label,
                value=_fmt(change.after, unit),
                previous=_fmt(change.before, unit),
                change=f"{change.change:+g} points",
                meaning=_MEANING.get(change.classification, "Not classified"),
                rule=threshold,
                classification=change.classification,
            )
        )
    return lines, changes


def _facts(db: Database, person_id: int) -> tuple[PatientFacts, list[StoredAssessment]]:
    assessments = list_assessments(db, person_id)
    latest = max(assessments, key=lambda a: (_aware(a.created_at), a.id), default=None)
    unchecked = False
    if latest is not None:
        try:
            unchecked = AssessmentResult.model_validate(latest.result).triage.raised_by_unchecked
        except ValidationError:
            unchecked = False
    _lines, changes = _score_lines(assessments)
    facts = PatientFacts(
        urgency=latest.urgency if latest is not None else None,
        assessed_at=_aware(latest.created_at) if latest is not None else None,
        raised_by_unchecked=unchecked,
        score_changes=tuple(changes),
        checkins=tuple(_checkins(db, person_id)),
    )
    return facts, assessments


def _reasons(facts: PatientFacts, today: date) -> tuple[AttentionReason, ...]:
    programme = care_knowledge().programme
    return attention(facts, today=today, rules=programme.clinician_attention, flare=programme.flare)


@dataclass(frozen=True)
class PatientRow:
    person: SharedPerson
    reasons: tuple[AttentionReason, ...]
    last_assessed: datetime | None
    last_checkin: date | None


def patient_list(db: Database, clinician_user_id: int, now: datetime) -> list[PatientRow]:
    """The people who share with this clinician, most in need of attention first."""
    rows = []
    for person in list_shared_people(db, clinician_user_id):
        today = now.astimezone(person_zone(db, person.person_id)).date()
        facts, _ = _facts(db, person.person_id)
        rows.append(
            PatientRow(
                person,
                _reasons(facts, today),
                facts.assessed_at,
                max((c.day for c in facts.checkins), default=None),
            )
        )
    return sort_patients(rows, lambda r: r.reasons, lambda r: r.person.display_name)


@dataclass(frozen=True)
class PatientSummary:
    person_id: int
    name: str
    today: date
    headline: str
    reasons: tuple[AttentionReason, ...]
    urgency: str | None
    assessed_at: datetime | None
    scores: list[ScoreLine]
    pain_svg: str | None
    pain_sentence: str
    adherence: str
    adherence_details: list[str]
    exposure: str
    notes: list[note_store.NoteRecord]
    attention_reason: str


def _pain_points(
    db: Database, person_id: int, checkins: list[CheckIn], today: date
) -> list[PainPoint]:
    first = today - timedelta(days=PAIN_DAYS - 1)
    by_day: dict[date, float] = {}
    for entry in diary_store.list_entries(db, person_id, start=first, end=today):
        if entry.pain_nrs is not None:
            by_day[entry.day] = float(entry.pain_nrs)
    for c in checkins:  # the programme's check-in wins over a diary entry of the same day
        if c.pain is not None and first <= c.day <= today:
            by_day[c.day] = float(c.pain)
    return [PainPoint(d, v) for d, v in sorted(by_day.items())]


def _pain_sentence(points: list[PainPoint]) -> str:
    if not points:
        return f"No pain ratings in the last {PAIN_DAYS} days."
    if len(points) == 1:
        return f"One pain rating so far: {points[0].nrs:g} of 10 on {_day(points[0].day)}."
    recent = [p.nrs for p in points[-7:]]
    early = [p.nrs for p in points[:7]]
    now_mean = sum(recent) / len(recent)
    then_mean = sum(early) / len(early)
    drift = now_mean - then_mean
    trend = "lower than" if drift <= -2 else "higher than" if drift >= 2 else "about the same as"
    return (
        f"Pain lately averages {now_mean:.1f} of 10, {trend} at the start of the chart "
        f"({then_mean:.1f}); {len(points)} rated days since {_day(points[0].day)}."
    )


def _adherence(
    db: Database, person_id: int, checkins: list[CheckIn], today: date
) -> tuple[str, list[str]]:
    first = today - timedelta(days=ADHERENCE_DAYS - 1)
    window = [c for c in checkins if first <= c.day <= today]
    sessions = [
        s for s in care_store.list_sessions(db, person_id, start=first, end=today) if s.completed
    ]
    counts = {
        answer: sum(1 for c in window if c.did_plan == answer) for answer in ("yes", "partly", "no")
    }
    unanswered = sum(1 for c in window if c.did_plan is None)
    missing = ADHERENCE_DAYS - len({c.day for c in window})
    if not window and not sessions:
        return (
            f"Not known: no check-ins or exercise sessions in the last {ADHERENCE_DAYS} days.",
            [],
        )
    headline = (
        f"In the last {ADHERENCE_DAYS} days they followed the plan fully on {counts['yes']} "
        f"day{'s' if counts['yes'] != 1 else ''} and partly on {counts['partly']}, and logged "
        f"{len(sessions)} exercise session{'s' if len(sessions) != 1 else ''}."
    )
    details = [
        f"Did not follow the plan: {counts['no']} day{'s' if counts['no'] != 1 else ''}.",
        f"No check-in: {missing} day{'s' if missing != 1 else ''}"
        + (
            f"; {unanswered} check-in{'s' if unanswered != 1 else ''} did not say."
            if unanswered
            else "."
        ),
    ]
    return headline, details


_SOURCES = {"wearable": "worn sensors", "live": "the live coach", "camera": "the camera"}


def _exposure(db: Database, person_id: int) -> str:
    """The latest posture measurement in one sentence (what was measured, or why nothing)."""
    sessions = posture_sessions.list_posture_sessions(db, person_id)
    if not sessions:
        return "No posture measurement yet (camera, live coach or worn sensors)."
    latest = max(sessions, key=lambda s: _aware(s.started_at))
    summary: dict[str, Any] = latest.summary or {}
    source = _SOURCES.get(latest.source, "a measurement")
    when = _day(_aware(latest.started_at).date())
    table = summary.get("trunk_fwd_time_s")
    bands: dict[float, float] = {}
    if isinstance(table, dict):
        for key, value in table.items():
            try:
                bands[float(key)] = float(value)
            except (TypeError, ValueError):
                continue
    if 20.0 not in bands:
        return (
            f"The latest posture session ({source}, {when}) measured no trunk posture: the "
            "trunk was not in view or no trunk sensor was worn."
        )
    measured = summary.get("measured_time_s")
    length = float(measured) if isinstance(measured, int | float) else float(latest.duration_s)
    words = [f"trunk bent forward 20° or more for {_duration(bands[20.0])}"]
    if 60.0 in bands:
        far = bands[60.0]
        words.append(f"60° or more for {_duration(far)}" if far >= 30 else "never 60° or more")
    sit = summary.get("sit_time_s")
    if isinstance(sit, int | float) and sit > 0:
        words.append(f"sitting {_duration(float(sit))}")
    return (
        f"Latest posture measurement ({source}, {when}, {_duration(length)} measured): "
        + ", ".join(words)
        + "."
    )


def patient_summary(
    db: Database, person_id: int, *, name: str, now: datetime, author_user_id: int | None
) -> PatientSummary:
    """The one-page summary of one person (the caller checks access)."""
    today = now.astimezone(person_zone(db, person_id)).date()
    facts, assessments = _facts(db, person_id)
    reasons = _reasons(facts, today)
    lines, _changes = _score_lines(assessments)
    checkins = list(facts.checkins)
    points = _pain_points(db, person_id, checkins, today)
    svg = None
    if points:
        try:
            svg = pain_chart(points, chart_id="summary-pain")
        except InputError:
            svg = None
    adherence, details = _adherence(db, person_id, checkins, today)
    if reasons:
        more = f" (and {len(reasons) - 1} more below)" if len(reasons) > 1 else ""
        headline = f"Needs attention: {reasons[0].text}{more}"
    else:
        headline = (
            f"Nothing needs attention now for {name}: no warning signs, no worse scores, "
            "no flare and regular check-ins."
        )
    return PatientSummary(
        person_id=person_id,
        name=name,
        today=today,
        headline=headline,
        reasons=reasons,
        urgency=(
            _urgency_label(max(assessments, key=lambda a: (_aware(a.created_at), a.id)))
            if assessments
            else None
        ),
        assessed_at=facts.assessed_at,
        scores=lines,
        pain_svg=svg,
        pain_sentence=_pain_sentence(points),
        adherence=adherence,
        adherence_details=details,
        exposure=_exposure(db, person_id),
        notes=(
            note_store.list_notes(db, person_id=person_id, author_user_id=author_user_id)
            if author_user_id is not None
            else []
        ),
        attention_reason=care_knowledge().programme.clinician_attention.reason,
    )


@seeder
def _demo_checkins(ctx: DemoContext) -> None:
    """Two weeks of daily check-ins for the demo person, with a few days missed."""
    today = ctx.now.date()
    for back in range(13, 0, -1):
        if back in (9, 5):
            continue
        pain = max(1, 6 - (13 - back) // 3)
        care_store.save_checkin(
            ctx.db,
            ctx.person_id,
            today - timedelta(days=back),
            pain=pain,
            limits=2 if back > 7 else 1,
            sleep="ok",
            did_plan="yes" if back % 4 else "partly",
            recorded_at=ctx.now - timedelta(days=back),
        )
