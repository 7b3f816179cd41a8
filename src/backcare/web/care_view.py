"""The care programme as the web pages need it: the person's clock and time zone, the latest
assessment read for the plan, check-ins and sessions turned into the core's types, the plan, the
14-day pain trend and adherence.

The clock: ``request.app.state.clock`` (a callable returning an aware UTC datetime) when set, else
the real time. ``BACKCARE_CLOCK_FILE`` (read by the care routes' lifespan) points to a file holding
an ISO datetime; the end-to-end tests use it to simulate days. "Today" is always the person's local
date in their time zone; storage stays UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from starlette.requests import HTTPConnection

from backcare.care.figure import render_poses_svg
from backcare.care.plan import (
    AssessmentView,
    CarePlan,
    build_plan,
    next_session_day,
    start_level,
)
from backcare.care.rules import Adaptation, CheckIn, SessionLog, WarningAnswer, adapt
from backcare.errors import InputError
from backcare.knowledge.care import CareKnowledge, Exercise, care_knowledge
from backcare.knowledge.loader import load
from backcare.knowledge.schedule import ScheduleDefaultsDocument
from backcare.store import care as care_store
from backcare.store.assessments import StoredAssessment, list_assessments
from backcare.store.db import Database
from backcare.store.schedule import get_schedule
from backcare.web.security import now_utc

__all__ = [
    "CareContext",
    "care_context",
    "exercise_svg",
    "local_today",
    "now",
    "pain_trend_svg",
    "person_zone",
    "valid_timezone",
]


def now(conn: HTTPConnection) -> datetime:
    """The current instant (aware UTC), from the app's injected clock when there is one."""
    clock = getattr(conn.app.state, "clock", None)
    if callable(clock):
        value = clock()
        if isinstance(value, datetime):
            return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return now_utc()


def valid_timezone(name: str) -> str:
    """``name`` if it is an IANA time zone, else :class:`InputError`."""
    name = name.strip()
    if name not in available_timezones():
        raise InputError("choose a time zone from the list, e.g. Europe/Berlin", where="timezone")
    return name


def person_zone(db: Database, person_id: int) -> ZoneInfo:
    try:
        return ZoneInfo(care_store.get_settings(db, person_id).timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_today(conn: HTTPConnection, db: Database, person_id: int) -> date:
    return now(conn).astimezone(person_zone(db, person_id)).date()


def exercise_svg(knowledge: CareKnowledge, exercise: Exercise) -> str:
    poses = [knowledge.poses.pose(key) for key in exercise.poses]
    return render_poses_svg(poses, exercise.name)


def _view(stored: StoredAssessment) -> AssessmentView:
    triage = stored.result.get("triage") or {}
    region = stored.result.get("region") or stored.answers.get("pain.region")
    interim = (stored.result.get("plan") or {}).get("until_visit") or ()
    return AssessmentView(
        urgency=stored.urgency,
        urgency_label=str(triage.get("urgency_label") or ""),
        what_to_do=str(triage.get("what_to_do") or ""),
        phase=stored.phase,
        region=str(region) if region else None,
        answers=dict(stored.answers),
        until_visit=tuple(str(p.get("text", "")) for p in interim if isinstance(p, dict)),
    )


@dataclass(frozen=True)
class CareContext:
    """Everything the plan, player and home pages show for one person today."""

    today: date
    zone: ZoneInfo
    assessment: StoredAssessment | None
    plan: CarePlan | None
    adaptation: Adaptation | None
    checkins: list[care_store.CheckInRecord]
    sessions: list[care_store.SessionRecord]
    programme_start: date | None
    break_every_min: int
    break_length_min: int

    @property
    def checked_in_today(self) -> care_store.CheckInRecord | None:
        return next((c for c in self.checkins if c.day == self.today), None)

    def sessions_this_week(self) -> int:
        monday = self.today - timedelta(days=self.today.weekday())
        return sum(1 for s in self.sessions if monday <= s.day <= self.today and s.completed)

    def planned_this_week(self) -> int:
        if self.plan is None:
            return 0
        return sum(len(s.weekdays) for s in self.plan.sessions)

    def streak(self) -> int:
        """Days in a row with a check-in, ending today (or yesterday if not yet today)."""
        days = {c.day for c in self.checkins}
        cursor = self.today if self.today in days else self.today - timedelta(days=1)
        count = 0
        while cursor in days:
            count += 1
            cursor -= timedelta(days=1)
        return count

    def next_session(self) -> tuple[date, str, str] | None:
        """``(day, template id, title)`` of the next session day, today included."""
        if self.plan is None:
            return None
        found = next_session_day(self.plan, self.today)
        if found is None:
            return None
        return found[0], found[1].template.id, found[1].template.title

    def session_done_today(self) -> bool:
        return any(s.day == self.today for s in self.sessions)


def care_context(conn: HTTPConnection, db: Database, person_id: int) -> CareContext:
    knowledge = care_knowledge()
    zone = person_zone(db, person_id)
    current = now(conn)
    today = current.astimezone(zone).date()
    defaults = load("schedule/defaults.yaml", ScheduleDefaultsDocument)
    schedule = get_schedule(db, person_id)
    every = schedule.break_every_min if schedule else defaults.break_every_min.default
    length = defaults.break_length_min.default
    assessments = list_assessments(db, person_id)
    checkins = care_store.list_checkins(db, person_id, end=today)
    sessions = care_store.list_sessions(db, person_id, end=today)
    if not assessments:
        return CareContext(today, zone, None, None, None, checkins, sessions, None, every, length)
    latest = assessments[-1]
    view = _view(latest)
    assessed_at = _aware(latest.created_at)
    start = assessed_at.astimezone(zone).date()
    adaptation = adapt(
        today=today,
        programme_start=start,
        assessed_at=assessed_at,
        start_level=start_level(knowledge, view),
        checkins=[
            CheckIn(c.day, c.recorded_at, c.pain, c.limits, c.sleep, c.did_plan, _warning(c))
            for c in checkins
        ],
        sessions=[
            SessionLog(s.day, s.pain_during, s.difficulty, s.completed)
            for s in sessions
            if s.day >= start
        ],
        rule=knowledge.programme.pain_monitoring,
        flare=knowledge.programme.flare,
        rules=knowledge.programme.adaptation,
    )
    plan = build_plan(
        knowledge=knowledge,
        view=view,
        adaptation=adaptation,
        lessons_done=care_store.lessons_done(db, person_id),
        programme_start=start,
        today=today,
        break_every_min=every,
        break_length_min=length,
    )
    return CareContext(
        today, zone, latest, plan, adaptation, checkins, sessions, start, every, length
    )


def _aware(moment: datetime) -> datetime:
    """Assessments' times come back without a zone on SQLite; they were stored as UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _warning(record: care_store.CheckInRecord) -> WarningAnswer:
    """The stored answer; anything unexpected counts as "not sure" (never as "no")."""
    if record.warning == "no":
        return "no"
    return "yes" if record.warning == "yes" else "unsure"


def pain_trend_svg(checkins: list[care_store.CheckInRecord], today: date, days: int = 14) -> str:
    """A small bar chart of the last ``days`` days' pain (0-10); days without a check-in are
    drawn as a dot on the baseline, labelled "no check-in"."""
    width, height, pad = 280.0, 90.0, 14.0
    step = (width - 2 * pad) / days
    by_day = {c.day: c.pain for c in checkins}
    parts: list[str] = []
    for i in range(days):
        day = today - timedelta(days=days - 1 - i)
        x = pad + i * step
        pain = by_day.get(day)
        label = day.strftime("%a %d %b")
        if pain is None:
            parts.append(
                f'<circle cx="{x + step / 2:.1f}" cy="{height - pad:.1f}" r="2" class="none">'
                f"<title>{label}: no check-in</title></circle>"
            )
            continue
        bar = (height - 2 * pad) * pain / 10
        parts.append(
            f'<rect x="{x + 2:.1f}" y="{height - pad - bar:.1f}" width="{step - 4:.1f}" '
            f'height="{max(bar, 1.5):.1f}" class="bar"><title>{label}: pain {pain} of 10</title>'
            "</rect>"
        )
    axis = (
        f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" '
        'class="axis"/>'
        f'<text x="{pad}" y="10" class="lbl">10</text>'
        f'<text x="{pad}" y="{height - 2}" class="lbl">{days - 1} days ago</text>'
        f'<text x="{width - pad}" y="{height - 2}" class="lbl" text-anchor="end">today</text>'
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'role="img" aria-label="Pain over the last {days} days" class="trend">'
        f"{axis}{''.join(parts)}</svg>"
    )
