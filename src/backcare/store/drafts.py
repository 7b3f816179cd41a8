"""Repository for the assessment wizard's draft: one in-progress answer set per person.

The wizard keeps its state here between pages, so a reload or a new tab loses nothing; the row
is deleted when the assessment is stored or restarted, and with the person (ON DELETE CASCADE).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from backcare.store.db import Database
from backcare.store.models import Base, utcnow

__all__ = ["AssessmentDraft", "clear_draft", "load_draft", "save_draft"]


class AssessmentDraft(Base):
    """The wizard state of one person (migration 0003)."""

    __tablename__ = "assessment_drafts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("persons.id", ondelete="CASCADE"), unique=True
    )
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def load_draft(db: Database, person_id: int) -> dict[str, Any] | None:
    """The person's draft state, or ``None``."""
    with db.session() as session:
        row = session.scalars(
            select(AssessmentDraft).where(AssessmentDraft.person_id == person_id)
        ).first()
        return dict(row.state) if row is not None else None


def save_draft(db: Database, person_id: int, state: dict[str, Any]) -> None:
    """Create or replace the person's draft."""
    with db.session() as session:
        row = session.scalars(
            select(AssessmentDraft).where(AssessmentDraft.person_id == person_id)
        ).first()
        if row is None:
            row = AssessmentDraft(person_id=person_id, state=state)
            session.add(row)
        else:
            row.state = dict(state)
        row.updated_at = utcnow()


def clear_draft(db: Database, person_id: int) -> None:
    """Delete the person's draft (no error when there is none)."""
    with db.session() as session:
        session.execute(delete(AssessmentDraft).where(AssessmentDraft.person_id == person_id))
