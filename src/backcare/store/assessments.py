"""Repository for people and their assessments (no SQL outside the store package)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backcare.errors import InputError
from backcare.store.db import Database
from backcare.store.models import Assessment, InstrumentScore, Person

__all__ = [
    "LOCAL_PERSON",
    "ScoreRow",
    "StoredAssessment",
    "delete_person",
    "list_assessments",
    "local_person_id",
    "save_assessment",
]

#: The display name of the single local person the CLI works for.
LOCAL_PERSON = "me"


@dataclass(frozen=True)
class ScoreRow:
    instrument: str
    total: float
    category: str | None


@dataclass(frozen=True)
class StoredAssessment:
    """An assessment as read back from the database (detached from any session)."""

    id: int
    person_id: int
    created_at: datetime
    answers: dict[str, Any]
    result: dict[str, Any]
    urgency: str
    phase: str | None
    knowledge_version: str
    scores: tuple[ScoreRow, ...]


def _to_record(row: Assessment) -> StoredAssessment:
    return StoredAssessment(
        id=row.id,
        person_id=row.person_id,
        created_at=row.created_at,
        answers=dict(row.answers),
        result=dict(row.result),
        urgency=row.urgency,
        phase=row.phase,
        knowledge_version=row.knowledge_version,
        scores=tuple(ScoreRow(s.instrument, s.total, s.category) for s in row.scores),
    )


def _person(session: Session, person_id: int) -> Person:
    person = session.get(Person, person_id)
    if person is None:
        raise InputError("no such person", where=f"person {person_id}")
    return person


def local_person_id(db: Database) -> int:
    """The id of the local CLI user, created on first use."""
    with db.session() as session:
        person = session.scalars(
            select(Person).where(Person.display_name == LOCAL_PERSON).order_by(Person.id)
        ).first()
        if person is None:
            person = Person(display_name=LOCAL_PERSON)
            session.add(person)
            session.flush()
        return person.id


def save_assessment(
    db: Database,
    person_id: int,
    *,
    answers: Mapping[str, Any],
    result: Mapping[str, Any],
    urgency: str,
    phase: str | None,
    scores: Iterable[ScoreRow],
    knowledge_version: str,
    note: str | None = None,
) -> StoredAssessment:
    """Store one assessment atomically (all or nothing) and return it as stored."""
    with db.session() as session:
        person = _person(session, person_id)
        row = Assessment(
            person=person,
            answers=dict(answers),
            result=dict(result),
            urgency=urgency,
            phase=phase,
            knowledge_version=knowledge_version,
            note=note,
        )
        row.scores = [
            InstrumentScore(instrument=s.instrument, total=s.total, category=s.category)
            for s in scores
        ]
        session.add(row)
        session.flush()
        return _to_record(row)


def list_assessments(db: Database, person_id: int) -> list[StoredAssessment]:
    """A person's assessments, oldest first."""
    with db.session() as session:
        rows = session.scalars(
            select(Assessment)
            .where(Assessment.person_id == person_id)
            .order_by(Assessment.created_at, Assessment.id)
        ).all()
        return [_to_record(r) for r in rows]


def delete_person(db: Database, person_id: int) -> None:
    """Remove a person and everything stored about them."""
    with db.session() as session:
        session.delete(_person(session, person_id))
