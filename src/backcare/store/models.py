"""Relational schema (SQLAlchemy 2 declarative). Change it only together with a new migration."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

__all__ = [
    "Assessment",
    "Base",
    "DiaryEntry",
    "InstrumentScore",
    "Job",
    "LoginAttempt",
    "Person",
    "PostureSession",
    "Schedule",
    "ScheduleEvent",
    "Share",
    "UTCDateTime",
    "Upload",
    "User",
    "WebSession",
]


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON}


class Person(Base):
    """The person whose data this is (the local user of the CLI, or a web account's person)."""

    __tablename__ = "persons"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    display_name: Mapped[str] = mapped_column(String(120), default="me")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    birth_year: Mapped[int | None] = mapped_column(Integer)
    sex: Mapped[str | None] = mapped_column(String(16))
    height_cm: Mapped[float | None] = mapped_column(Float)
    mass_kg: Mapped[float | None] = mapped_column(Float)

    assessments: Mapped[list[Assessment]] = relationship(
        back_populates="person", cascade="all, delete-orphan", passive_deletes=True
    )


class Assessment(Base):
    """One completed assessment: the answers as given and the full result as computed."""

    __tablename__ = "assessments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    urgency: Mapped[str] = mapped_column(String(32))
    phase: Mapped[str | None] = mapped_column(String(32))
    knowledge_version: Mapped[str] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)

    person: Mapped[Person] = relationship(back_populates="assessments")
    scores: Mapped[list[InstrumentScore]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", passive_deletes=True
    )


class InstrumentScore(Base):
    """One instrument's score within an assessment (queryable for progress charts)."""

    __tablename__ = "instrument_scores"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), index=True
    )
    instrument: Mapped[str] = mapped_column(String(32), index=True)
    total: Mapped[float] = mapped_column(Float)
    category: Mapped[str | None] = mapped_column(String(32))

    assessment: Mapped[Assessment] = relationship(back_populates="scores")


# -- web app tables (migration 0002) -------------------------------------------------------------
# Every row that belongs to a person references ``persons.id`` with ON DELETE CASCADE, so deleting
# the person removes everything in the database; files are removed by
# :func:`backcare.store.files.remove_person_files`.


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC ``datetime`` on every backend.

    Values are converted to UTC on the way in (naive ones are taken as UTC) and come back aware
    (SQLite keeps no zone; PostgreSQL's ``timestamptz`` does). Same DDL as
    ``DateTime(timezone=True)``.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _person_fk() -> Mapped[int]:
    return mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)


class User(Base):
    """A web account. Every user (clinicians too) has its own person row."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('person', 'clinician')", name="ck_users_role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)  # stored lower-cased
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    person_id: Mapped[int] = mapped_column(
        ForeignKey("persons.id", ondelete="CASCADE"), unique=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login: Mapped[datetime | None] = mapped_column(UTCDateTime())


class WebSession(Base):
    """A server-side login session; the cookie holds a random token, the table its HMAC digest."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class LoginAttempt(Base):
    """One failed login (for rate limiting by e-mail address and by client address)."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), index=True)
    ip: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


class Share(Base):
    """A person's read-only grant to a clinician; revoked grants keep their row for the record."""

    __tablename__ = "shares"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = _person_fk()
    clinician_user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class DiaryEntry(Base):
    """One day of a person's diary (at most one entry per person and day)."""

    __tablename__ = "diary_entries"
    __table_args__ = (
        UniqueConstraint("person_id", "day", name="uq_diary_entries_person_day"),
        CheckConstraint("pain_nrs >= 0 AND pain_nrs <= 10", name="ck_diary_entries_pain_nrs"),
        CheckConstraint("breaks_taken >= 0", name="ck_diary_entries_breaks_taken"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = _person_fk()
    day: Mapped[date] = mapped_column(Date)
    pain_nrs: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str | None] = mapped_column(Text)
    exercise_done: Mapped[bool] = mapped_column(Boolean, default=False)
    exercise_minutes: Mapped[int | None] = mapped_column(Integer)
    breaks_taken: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Schedule(Base):
    """A person's prevention schedule (one per person)."""

    __tablename__ = "schedules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("persons.id", ondelete="CASCADE"), unique=True
    )
    break_every_min: Mapped[int] = mapped_column(Integer)
    exercise_days_per_week: Mapped[int] = mapped_column(Integer)
    reminders: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ScheduleEvent(Base):
    """A due break or exercise session and when (if ever) it was done."""

    __tablename__ = "schedule_events"
    __table_args__ = (
        CheckConstraint("kind IN ('break', 'exercise')", name="ck_schedule_events_kind"),
        Index("ix_schedule_events_person_due", "person_id", "due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Job(Base):
    """A background analysis (wearable file or camera video/images) and its progress."""

    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint("kind IN ('wearable', 'camera')", name="ck_jobs_kind"),
        CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="ck_jobs_status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = _person_fk()
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    message: Mapped[str | None] = mapped_column(Text)
    inputs: Mapped[list[str]] = mapped_column(JSON, default=list)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    output_dir: Mapped[str | None] = mapped_column(String(1024))
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Upload(Base):
    """A file a person uploaded (stored under the person's folder in the data directory)."""

    __tablename__ = "uploads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = _person_fk()
    kind: Mapped[str] = mapped_column(String(16))  # wearable | video | image
    original_name: Mapped[str] = mapped_column(String(255))
    stored_path: Mapped[str] = mapped_column(String(1024))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str] = mapped_column(String(128))
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PostureSession(Base):
    """A measured posture session: its series on disk (Parquet) and its exposure summary."""

    __tablename__ = "posture_sessions"
    __table_args__ = (
        CheckConstraint(
            "source IN ('live', 'camera', 'wearable')", name="ck_posture_sessions_source"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = _person_fk()
    source: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    duration_s: Mapped[float] = mapped_column(Float)
    series_path: Mapped[str | None] = mapped_column(String(1024))
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    job_id: Mapped[int | None] = mapped_column(
        ForeignKey("jobs.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
