"""Repository for the prevention schedule and its events (breaks and exercise, due and done)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from backcare.errors import InputError
from backcare.store.db import Database
from backcare.store.models import Schedule, ScheduleEvent, utcnow

__all__ = [
    "EVENT_KINDS",
    "EventRecord",
    "ScheduleRecord",
    "add_event",
    "get_event",
    "get_schedule",
    "list_events",
    "mark_done",
    "save_schedule",
]

EVENT_KINDS = ("break", "exercise")


@dataclass(frozen=True)
class ScheduleRecord:
    person_id: int
    break_every_min: int
    exercise_days_per_week: int
    reminders: bool
    updated_at: datetime


@dataclass(frozen=True)
class EventRecord:
    id: int
    person_id: int
    kind: str
    due_at: datetime
    done_at: datetime | None


def _event(row: ScheduleEvent) -> EventRecord:
    return EventRecord(row.id, row.person_id, row.kind, row.due_at, row.done_at)


def get_schedule(db: Database, person_id: int) -> ScheduleRecord | None:
    with db.session() as session:
        row = session.scalars(select(Schedule).where(Schedule.person_id == person_id)).first()
        if row is None:
            return None
        return ScheduleRecord(
            row.person_id,
            row.break_every_min,
            row.exercise_days_per_week,
            row.reminders,
            row.updated_at,
        )


def save_schedule(
    db: Database,
    person_id: int,
    *,
    break_every_min: int,
    exercise_days_per_week: int,
    reminders: bool,
) -> ScheduleRecord:
    """Create or replace a person's schedule (ranges checked: 5-240 min, 0-7 days)."""
    if not 5 <= break_every_min <= 240:
        raise InputError("break interval must be 5 to 240 minutes", where="break_every_min")
    if not 0 <= exercise_days_per_week <= 7:
        raise InputError("exercise days must be 0 to 7 a week", where="exercise_days_per_week")
    with db.session() as session:
        row = session.scalars(select(Schedule).where(Schedule.person_id == person_id)).first()
        if row is None:
            row = Schedule(person_id=person_id)
            session.add(row)
        row.break_every_min = break_every_min
        row.exercise_days_per_week = exercise_days_per_week
        row.reminders = reminders
        row.updated_at = utcnow()
        session.flush()
        return ScheduleRecord(
            person_id, break_every_min, exercise_days_per_week, reminders, row.updated_at
        )


def add_event(db: Database, person_id: int, *, kind: str, due_at: datetime) -> EventRecord:
    if kind not in EVENT_KINDS:
        raise InputError(f"kind must be one of {', '.join(EVENT_KINDS)}", where="kind")
    with db.session() as session:
        row = ScheduleEvent(person_id=person_id, kind=kind, due_at=due_at)
        session.add(row)
        session.flush()
        return _event(row)


def get_event(db: Database, event_id: int) -> EventRecord | None:
    """An event by id (check the owner with the web layer's ``viewable_person``)."""
    with db.session() as session:
        row = session.get(ScheduleEvent, event_id)
        return _event(row) if row is not None else None


def mark_done(db: Database, event_id: int, *, person_id: int, done_at: datetime) -> bool:
    """Record an event of ``person_id`` as done; false if it is not theirs or already done."""
    with db.session() as session:
        result = session.execute(
            update(ScheduleEvent)
            .where(
                ScheduleEvent.id == event_id,
                ScheduleEvent.person_id == person_id,
                ScheduleEvent.done_at.is_(None),
            )
            .values(done_at=done_at)
        )
        return bool(getattr(result, "rowcount", 0))


def list_events(
    db: Database,
    person_id: int,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    kind: str | None = None,
) -> list[EventRecord]:
    """A person's events due in ``[since, until)``, by due time."""
    with db.session() as session:
        stmt = select(ScheduleEvent).where(ScheduleEvent.person_id == person_id)
        if since is not None:
            stmt = stmt.where(ScheduleEvent.due_at >= since)
        if until is not None:
            stmt = stmt.where(ScheduleEvent.due_at < until)
        if kind is not None:
            stmt = stmt.where(ScheduleEvent.kind == kind)
        return [_event(r) for r in session.scalars(stmt.order_by(ScheduleEvent.due_at))]
