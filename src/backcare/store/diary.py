"""Repository for the daily diary (pain NRS, notes, exercise, breaks): one entry per day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, select

from backcare.errors import InputError
from backcare.store.db import Database
from backcare.store.models import DiaryEntry, utcnow

__all__ = [
    "DiaryRecord",
    "delete_entry",
    "get_entry",
    "get_entry_by_id",
    "list_entries",
    "save_entry",
]

#: Pain numeric rating scale bounds (0 = no pain, 10 = worst imaginable).
NRS_MIN, NRS_MAX = 0, 10


@dataclass(frozen=True)
class DiaryRecord:
    id: int
    person_id: int
    day: date
    pain_nrs: int | None
    notes: str | None
    exercise_done: bool
    exercise_minutes: int | None
    breaks_taken: int
    updated_at: datetime


def _record(row: DiaryEntry) -> DiaryRecord:
    return DiaryRecord(
        id=row.id,
        person_id=row.person_id,
        day=row.day,
        pain_nrs=row.pain_nrs,
        notes=row.notes,
        exercise_done=row.exercise_done,
        exercise_minutes=row.exercise_minutes,
        breaks_taken=row.breaks_taken,
        updated_at=row.updated_at,
    )


def _check(pain_nrs: int | None, exercise_minutes: int | None, breaks_taken: int) -> None:
    if pain_nrs is not None and not NRS_MIN <= pain_nrs <= NRS_MAX:
        raise InputError(f"pain must be {NRS_MIN} to {NRS_MAX} (NRS)", where="pain_nrs")
    if exercise_minutes is not None and not 0 <= exercise_minutes <= 24 * 60:
        raise InputError("exercise minutes must be 0 to 1440", where="exercise_minutes")
    if not 0 <= breaks_taken <= 1000:
        raise InputError("breaks taken must be 0 to 1000", where="breaks_taken")


def save_entry(
    db: Database,
    person_id: int,
    day: date,
    *,
    pain_nrs: int | None,
    notes: str | None = None,
    exercise_done: bool = False,
    exercise_minutes: int | None = None,
    breaks_taken: int = 0,
) -> DiaryRecord:
    """Create or replace the entry of ``day`` (validated; :class:`InputError` names the field)."""
    _check(pain_nrs, exercise_minutes, breaks_taken)
    with db.session() as session:
        row = session.scalars(
            select(DiaryEntry).where(DiaryEntry.person_id == person_id, DiaryEntry.day == day)
        ).first()
        if row is None:
            row = DiaryEntry(person_id=person_id, day=day)
            session.add(row)
        row.pain_nrs = pain_nrs
        row.notes = notes or None
        row.exercise_done = exercise_done
        row.exercise_minutes = exercise_minutes
        row.breaks_taken = breaks_taken
        row.updated_at = utcnow()
        session.flush()
        return _record(row)


def get_entry(db: Database, person_id: int, day: date) -> DiaryRecord | None:
    with db.session() as session:
        row = session.scalars(
            select(DiaryEntry).where(DiaryEntry.person_id == person_id, DiaryEntry.day == day)
        ).first()
        return _record(row) if row is not None else None


def get_entry_by_id(db: Database, entry_id: int) -> DiaryRecord | None:
    """An entry by id (check the owner with the web layer's ``viewable_person``)."""
    with db.session() as session:
        row = session.get(DiaryEntry, entry_id)
        return _record(row) if row is not None else None


def list_entries(
    db: Database, person_id: int, *, start: date | None = None, end: date | None = None
) -> list[DiaryRecord]:
    """A person's entries from ``start`` to ``end`` (inclusive), oldest first."""
    with db.session() as session:
        stmt = select(DiaryEntry).where(DiaryEntry.person_id == person_id)
        if start is not None:
            stmt = stmt.where(DiaryEntry.day >= start)
        if end is not None:
            stmt = stmt.where(DiaryEntry.day <= end)
        return [_record(r) for r in session.scalars(stmt.order_by(DiaryEntry.day))]


def delete_entry(db: Database, person_id: int, day: date) -> bool:
    with db.session() as session:
        result = session.execute(
            delete(DiaryEntry).where(DiaryEntry.person_id == person_id, DiaryEntry.day == day)
        )
        return bool(getattr(result, "rowcount", 0))
