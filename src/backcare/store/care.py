"""Repository for the care programme (migration 0005): daily check-ins, exercise sessions from the
player, lessons read, and per-person settings (time zone, calendar feed token).

Every row belongs to a person (ON DELETE CASCADE). Days are the person's local dates; instants
are aware UTC datetimes on every backend (:class:`~backcare.store.models.UTCDateTime`). The
calendar feed token is stored only as an HMAC digest, like login sessions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    delete,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column

from backcare.errors import InputError
from backcare.store.db import Database
from backcare.store.models import Base, UTCDateTime, utcnow

__all__ = [
    "CareCheckIn",
    "CareLessonDone",
    "CareSession",
    "CareSettings",
    "CheckInRecord",
    "SessionRecord",
    "SettingsRecord",
    "add_session",
    "get_checkin",
    "get_session",
    "get_settings",
    "lessons_done",
    "list_checkins",
    "list_sessions",
    "mark_lesson_done",
    "person_for_feed_digest",
    "save_checkin",
    "save_settings",
    "set_feed_digest",
]

SLEEP = ("good", "ok", "poor")
DID_PLAN = ("yes", "partly", "no")
WARNING = ("no", "yes", "unsure")
DIFFICULTY = ("easy", "ok", "hard")
MAX_NOTE = 2000


class CareCheckIn(Base):
    """One day's check-in (at most one per person and local day)."""

    __tablename__ = "care_checkins"
    __table_args__ = (
        UniqueConstraint("person_id", "day", name="uq_care_checkins_person_day"),
        CheckConstraint("pain >= 0 AND pain <= 10", name="ck_care_checkins_pain"),
        CheckConstraint("limits >= 0 AND limits <= 4", name="ck_care_checkins_limits"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date)
    pain: Mapped[int | None] = mapped_column(Integer)
    limits: Mapped[int | None] = mapped_column(Integer)
    sleep: Mapped[str | None] = mapped_column(String(16))
    did_plan: Mapped[str | None] = mapped_column(String(16))
    warning: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CareSession(Base):
    """One exercise session from the player and how it went."""

    __tablename__ = "care_sessions"
    __table_args__ = (
        CheckConstraint("pain_during >= 0 AND pain_during <= 10", name="ck_care_sessions_pain"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date)
    template: Mapped[str] = mapped_column(String(64))
    level: Mapped[int] = mapped_column(Integer)
    done: Mapped[list[str]] = mapped_column(JSON, default=list)
    skipped: Mapped[list[str]] = mapped_column(JSON, default=list)
    pain_during: Mapped[int | None] = mapped_column(Integer)
    difficulty: Mapped[str | None] = mapped_column(String(16))
    completed: Mapped[bool] = mapped_column(Boolean, default=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CareLessonDone(Base):
    """A lesson a person marked as read."""

    __tablename__ = "care_lessons_done"
    __table_args__ = (UniqueConstraint("person_id", "lesson", name="uq_care_lessons_person"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    lesson: Mapped[str] = mapped_column(String(64))
    done_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CareSettings(Base):
    """A person's time zone and calendar feed (one row per person)."""

    __tablename__ = "care_settings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("persons.id", ondelete="CASCADE"), unique=True
    )
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    feed_digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    feed_created_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    programme_start: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


# -- records -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckInRecord:
    id: int
    person_id: int
    day: date
    pain: int | None
    limits: int | None
    sleep: str | None
    did_plan: str | None
    warning: str
    note: str | None
    recorded_at: datetime


@dataclass(frozen=True)
class SessionRecord:
    id: int
    person_id: int
    day: date
    template: str
    level: int
    done: tuple[str, ...]
    skipped: tuple[str, ...]
    pain_during: int | None
    difficulty: str | None
    completed: bool
    recorded_at: datetime


@dataclass(frozen=True)
class SettingsRecord:
    person_id: int
    timezone: str
    has_feed: bool
    feed_created_at: datetime | None
    programme_start: date | None


def _checkin(row: CareCheckIn) -> CheckInRecord:
    return CheckInRecord(
        row.id,
        row.person_id,
        row.day,
        row.pain,
        row.limits,
        row.sleep,
        row.did_plan,
        row.warning,
        row.note,
        row.recorded_at,
    )


def _session(row: CareSession) -> SessionRecord:
    return SessionRecord(
        row.id,
        row.person_id,
        row.day,
        row.template,
        row.level,
        tuple(row.done or ()),
        tuple(row.skipped or ()),
        row.pain_during,
        row.difficulty,
        row.completed,
        row.recorded_at,
    )


def _choice(value: str | None, allowed: tuple[str, ...], where: str) -> None:
    if value is not None and value not in allowed:
        raise InputError(f"choose one of: {', '.join(allowed)}", where=where)


def _range(value: int | None, low: int, high: int, where: str) -> None:
    if value is not None and not low <= value <= high:
        raise InputError(f"must be {low} to {high}", where=where)


# -- check-ins ---------------------------------------------------------------------------------


def save_checkin(
    db: Database,
    person_id: int,
    day: date,
    *,
    pain: int | None,
    limits: int | None = None,
    sleep: str | None = None,
    did_plan: str | None = None,
    warning: str = "no",
    note: str | None = None,
    recorded_at: datetime | None = None,
) -> CheckInRecord:
    """Create or replace the check-in of ``day`` (validated; errors name the field)."""
    _range(pain, 0, 10, "pain")
    _range(limits, 0, 4, "limits")
    _choice(sleep, SLEEP, "sleep")
    _choice(did_plan, DID_PLAN, "did_plan")
    _choice(warning, WARNING, "warning")
    if note is not None and len(note) > MAX_NOTE:
        raise InputError(f"at most {MAX_NOTE} characters", where="note")
    with db.session() as session:
        row = session.scalars(
            select(CareCheckIn).where(CareCheckIn.person_id == person_id, CareCheckIn.day == day)
        ).first()
        if row is None:
            row = CareCheckIn(person_id=person_id, day=day)
            session.add(row)
        row.pain, row.limits, row.sleep, row.did_plan = pain, limits, sleep, did_plan
        row.warning = warning
        row.note = note or None
        row.recorded_at = recorded_at or utcnow()
        session.flush()
        return _checkin(row)


def get_checkin(db: Database, person_id: int, day: date) -> CheckInRecord | None:
    with db.session() as session:
        row = session.scalars(
            select(CareCheckIn).where(CareCheckIn.person_id == person_id, CareCheckIn.day == day)
        ).first()
        return _checkin(row) if row is not None else None


def list_checkins(
    db: Database, person_id: int, *, start: date | None = None, end: date | None = None
) -> list[CheckInRecord]:
    """A person's check-ins from ``start`` to ``end`` (inclusive), oldest first."""
    with db.session() as session:
        stmt = select(CareCheckIn).where(CareCheckIn.person_id == person_id)
        if start is not None:
            stmt = stmt.where(CareCheckIn.day >= start)
        if end is not None:
            stmt = stmt.where(CareCheckIn.day <= end)
        return [_checkin(r) for r in session.scalars(stmt.order_by(CareCheckIn.day))]


# -- sessions ----------------------------------------------------------------------------------


def add_session(
    db: Database,
    person_id: int,
    day: date,
    *,
    template: str,
    level: int,
    done: list[str],
    skipped: list[str],
    pain_during: int | None,
    difficulty: str | None,
    recorded_at: datetime | None = None,
) -> SessionRecord:
    """Log one session (validated)."""
    _range(pain_during, 0, 10, "pain_during")
    _range(level, 1, 3, "level")
    _choice(difficulty, DIFFICULTY, "difficulty")
    total = len(done) + len(skipped)
    with db.session() as session:
        row = CareSession(
            person_id=person_id,
            day=day,
            template=template,
            level=level,
            done=list(done),
            skipped=list(skipped),
            pain_during=pain_during,
            difficulty=difficulty,
            completed=total > 0 and 2 * len(done) >= total,
            recorded_at=recorded_at or utcnow(),
        )
        session.add(row)
        session.flush()
        return _session(row)


def get_session(db: Database, session_id: int) -> SessionRecord | None:
    """A session by id (check the owner with the web layer's ``viewable_person``)."""
    with db.session() as session:
        row = session.get(CareSession, session_id)
        return _session(row) if row is not None else None


def list_sessions(
    db: Database, person_id: int, *, start: date | None = None, end: date | None = None
) -> list[SessionRecord]:
    with db.session() as session:
        stmt = select(CareSession).where(CareSession.person_id == person_id)
        if start is not None:
            stmt = stmt.where(CareSession.day >= start)
        if end is not None:
            stmt = stmt.where(CareSession.day <= end)
        rows = session.scalars(stmt.order_by(CareSession.day, CareSession.id))
        return [_session(r) for r in rows]


# -- lessons -----------------------------------------------------------------------------------


def mark_lesson_done(db: Database, person_id: int, lesson: str) -> None:
    """Record that ``lesson`` was read (idempotent)."""
    with db.session() as session:
        exists = session.scalars(
            select(CareLessonDone).where(
                CareLessonDone.person_id == person_id, CareLessonDone.lesson == lesson
            )
        ).first()
        if exists is None:
            session.add(CareLessonDone(person_id=person_id, lesson=lesson))


def lessons_done(db: Database, person_id: int) -> set[str]:
    with db.session() as session:
        rows = session.scalars(
            select(CareLessonDone.lesson).where(CareLessonDone.person_id == person_id)
        )
        return set(rows)


# -- settings and the calendar feed ------------------------------------------------------------


def _settings_row(session: Any, person_id: int) -> CareSettings | None:
    row: CareSettings | None = session.scalars(
        select(CareSettings).where(CareSettings.person_id == person_id)
    ).first()
    return row


def get_settings(db: Database, person_id: int) -> SettingsRecord:
    """The person's care settings (defaults when none are stored)."""
    with db.session() as session:
        row = _settings_row(session, person_id)
        if row is None:
            return SettingsRecord(person_id, "UTC", False, None, None)
        return SettingsRecord(
            person_id,
            row.timezone,
            row.feed_digest is not None,
            row.feed_created_at,
            row.programme_start,
        )


def save_settings(
    db: Database,
    person_id: int,
    *,
    timezone: str | None = None,
    programme_start: date | None = None,
) -> SettingsRecord:
    """Store the time zone (already validated by the caller) and/or the programme start."""
    with db.session() as session:
        row = _settings_row(session, person_id)
        if row is None:
            row = CareSettings(person_id=person_id, timezone="UTC")
            session.add(row)
        if timezone is not None:
            row.timezone = timezone
        if programme_start is not None:
            row.programme_start = programme_start
        row.updated_at = utcnow()
    return get_settings(db, person_id)


def set_feed_digest(db: Database, person_id: int, digest: str | None) -> None:
    """Store a new feed token digest (the old URL stops working) or ``None`` to revoke it."""
    with db.session() as session:
        row = _settings_row(session, person_id)
        if row is None:
            row = CareSettings(person_id=person_id, timezone="UTC")
            session.add(row)
        row.feed_digest = digest
        row.feed_created_at = utcnow() if digest is not None else None
        row.updated_at = utcnow()


def person_for_feed_digest(db: Database, digest: str) -> int | None:
    """The person whose live feed token has this digest."""
    with db.session() as session:
        row = session.scalars(
            select(CareSettings).where(CareSettings.feed_digest == digest)
        ).first()
        return row.person_id if row is not None else None


def delete_care_data(db: Database, person_id: int) -> None:
    """Remove a person's care rows (the person's deletion does this by cascade too)."""
    with db.session() as session:
        for model in (CareCheckIn, CareSession, CareLessonDone, CareSettings):
            session.execute(delete(model).where(model.person_id == person_id))
