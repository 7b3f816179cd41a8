"""Repository for measured posture sessions (live coach, camera or wearable analyses).

The series itself is a Parquet file (``series_path``, written with ``backcare.io.parquet``) under
the person's folder; ``summary`` is the JSON exposure summary the progress charts read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select

from backcare.errors import InputError
from backcare.store.db import Database
from backcare.store.models import PostureSession

__all__ = [
    "SOURCES",
    "PostureSessionRecord",
    "add_posture_session",
    "delete_posture_session",
    "get_posture_session",
    "list_posture_sessions",
]

SOURCES = ("live", "camera", "wearable")


@dataclass(frozen=True)
class PostureSessionRecord:
    id: int
    person_id: int
    source: str
    started_at: datetime
    duration_s: float
    series_path: str | None
    summary: dict[str, Any]
    job_id: int | None
    created_at: datetime


def _record(row: PostureSession) -> PostureSessionRecord:
    return PostureSessionRecord(
        id=row.id,
        person_id=row.person_id,
        source=row.source,
        started_at=row.started_at,
        duration_s=row.duration_s,
        series_path=row.series_path,
        summary=dict(row.summary or {}),
        job_id=row.job_id,
        created_at=row.created_at,
    )


def add_posture_session(
    db: Database,
    person_id: int,
    *,
    source: str,
    started_at: datetime,
    duration_s: float,
    series_path: str | None,
    summary: Mapping[str, Any],
    job_id: int | None = None,
) -> PostureSessionRecord:
    if source not in SOURCES:
        raise InputError(f"source must be one of {', '.join(SOURCES)}", where="source")
    if not duration_s >= 0:
        raise InputError("duration must be zero or more seconds", where="duration_s")
    with db.session() as session:
        row = PostureSession(
            person_id=person_id,
            source=source,
            started_at=started_at,
            duration_s=float(duration_s),
            series_path=series_path,
            summary=dict(summary),
            job_id=job_id,
        )
        session.add(row)
        session.flush()
        return _record(row)


def get_posture_session(db: Database, session_id: int) -> PostureSessionRecord | None:
    """A session by id (check the owner with the web layer's ``viewable_person``)."""
    with db.session() as session:
        row = session.get(PostureSession, session_id)
        return _record(row) if row is not None else None


def list_posture_sessions(
    db: Database, person_id: int, *, source: str | None = None
) -> list[PostureSessionRecord]:
    """A person's sessions, oldest first."""
    with db.session() as session:
        stmt = select(PostureSession).where(PostureSession.person_id == person_id)
        if source is not None:
            stmt = stmt.where(PostureSession.source == source)
        rows = session.scalars(stmt.order_by(PostureSession.started_at, PostureSession.id))
        return [_record(r) for r in rows]


def delete_posture_session(db: Database, session_id: int, *, person_id: int) -> bool:
    """Delete the row (the caller removes the series file)."""
    with db.session() as session:
        result = session.execute(
            delete(PostureSession).where(
                PostureSession.id == session_id, PostureSession.person_id == person_id
            )
        )
        return bool(getattr(result, "rowcount", 0))
