"""Repository for clinicians' notes on the people who share with them (migration 0006).

A note is dated (the day it is about, chosen by the clinician) and private to its author: other
clinicians the person shares with do not see it, and neither does the person (it is the
clinician's working record, not the person's data). A note's row goes with the person
(ON DELETE CASCADE) and with the author's account.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, Text, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from backcare.errors import InputError
from backcare.store.db import Database
from backcare.store.models import Base, UTCDateTime, utcnow

__all__ = ["MAX_NOTE", "ClinicianNote", "NoteRecord", "add_note", "delete_note", "list_notes"]

MAX_NOTE = 4000


class ClinicianNote(Base):
    """One dated note of a clinician on a person."""

    __tablename__ = "clinician_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    author_user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    day: Mapped[date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


@dataclass(frozen=True)
class NoteRecord:
    id: int
    person_id: int
    author_user_id: int
    day: date
    text: str
    created_at: datetime


def _record(row: ClinicianNote) -> NoteRecord:
    return NoteRecord(row.id, row.person_id, row.author_user_id, row.day, row.text, row.created_at)


def add_note(
    db: Database,
    *,
    person_id: int,
    author_user_id: int,
    day: date,
    text: str,
    created_at: datetime | None = None,
) -> NoteRecord:
    """Store a note (the text is stripped; empty or longer than :data:`MAX_NOTE` is refused)."""
    text = text.strip()
    if not text:
        raise InputError("write something first", where="note")
    if len(text) > MAX_NOTE:
        raise InputError(f"at most {MAX_NOTE} characters", where="note")
    with db.session() as session:
        row = ClinicianNote(
            person_id=person_id,
            author_user_id=author_user_id,
            day=day,
            text=text,
            created_at=created_at or utcnow(),
        )
        session.add(row)
        session.flush()
        return _record(row)


def list_notes(db: Database, *, person_id: int, author_user_id: int) -> list[NoteRecord]:
    """The author's notes on a person, newest day first."""
    with db.session() as session:
        rows = session.scalars(
            select(ClinicianNote)
            .where(
                ClinicianNote.person_id == person_id,
                ClinicianNote.author_user_id == author_user_id,
            )
            .order_by(ClinicianNote.day.desc(), ClinicianNote.id.desc())
        )
        return [_record(r) for r in rows]


def delete_note(db: Database, *, note_id: int, author_user_id: int) -> bool:
    """Delete one of the author's notes; false when they have no such note."""
    with db.session() as session:
        result = session.execute(
            delete(ClinicianNote).where(
                ClinicianNote.id == note_id, ClinicianNote.author_user_id == author_user_id
            )
        )
        return bool(getattr(result, "rowcount", 0))
