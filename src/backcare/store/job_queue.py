"""Guarded job transitions for the background worker, next to :mod:`backcare.store.jobs`.

:mod:`backcare.store.jobs` creates, claims and recovers jobs. The worker's own writes go through
here: each is one conditional ``UPDATE ... WHERE id = :id AND status = 'running'``, so a worker
whose job was taken from it (re-queued after its heartbeat went stale, then claimed by another
worker) cannot overwrite what the other one does: its writes match no row and it learns that it
lost the job. :func:`complete` marks the job done and adds its ``posture_sessions`` row in one
transaction, so a finished job always has its session and a session always a finished job.

Times are passed in (``now``), never read here, so tests control the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from backcare.store.db import Database
from backcare.store.models import Job, Person, PostureSession

__all__ = [
    "SessionInput",
    "complete",
    "fail",
    "heartbeat",
    "profile_values",
    "release",
    "report_progress",
]


@dataclass(frozen=True)
class SessionInput:
    """The ``posture_sessions`` row a finished job adds."""

    source: str
    started_at: datetime
    duration_s: float
    series_path: str | None
    summary: dict[str, Any]


def _transition(session: Session, job_id: int, expected: str, **values: Any) -> bool:
    result = session.execute(
        update(Job).where(Job.id == job_id, Job.status == expected).values(**values)
    )
    return bool(getattr(result, "rowcount", 0))


def report_progress(
    db: Database, job_id: int, *, progress: float, message: str, now: datetime
) -> bool:
    """Record progress (and a heartbeat); false when the job is no longer running here."""
    with db.session() as session:
        return _transition(
            session,
            job_id,
            "running",
            progress=min(1.0, max(0.0, float(progress))),
            message=message[:2000],
            heartbeat_at=now,
        )


def heartbeat(db: Database, job_id: int, *, now: datetime) -> bool:
    """Mark the running job alive; false when it is no longer running."""
    with db.session() as session:
        return _transition(session, job_id, "running", heartbeat_at=now)


def complete(
    db: Database, job_id: int, *, now: datetime, message: str, session_row: SessionInput | None
) -> bool:
    """Mark a running job done and add its posture session, in one transaction."""
    with db.session() as session:
        row = session.get(Job, job_id)
        if row is None:
            return False
        done = _transition(
            session,
            job_id,
            "running",
            status="done",
            progress=1.0,
            message=message[:2000],
            finished_at=now,
            heartbeat_at=now,
            error=None,
        )
        if done and session_row is not None:
            session.add(
                PostureSession(
                    person_id=row.person_id,
                    source=session_row.source,
                    started_at=session_row.started_at,
                    duration_s=session_row.duration_s,
                    series_path=session_row.series_path,
                    summary=session_row.summary,
                    job_id=job_id,
                    created_at=now,
                )
            )
        return done


def fail(
    db: Database, job_id: int, *, reason: str, now: datetime, expected: str = "running"
) -> bool:
    """Mark a job failed with ``reason`` (from status ``expected``)."""
    with db.session() as session:
        return _transition(
            session,
            job_id,
            expected,
            status="failed",
            error=reason[:4000],
            message="failed",
            finished_at=now,
        )


def release(db: Database, job_id: int, *, now: datetime, message: str) -> bool:
    """Put a running job back in the queue because its worker is stopping on purpose; the
    attempt it used is given back (only interruptions by a dead worker count)."""
    with db.session() as session:
        return _transition(
            session,
            job_id,
            "running",
            status="queued",
            message=message[:2000],
            heartbeat_at=now,
            attempts=Job.attempts - 1,
        )


def profile_values(db: Database, person_id: int) -> tuple[float | None, float | None, str | None]:
    """``(mass_kg, height_cm, sex)`` of a person's profile (``None`` where not given)."""
    with db.session() as session:
        person = session.get(Person, person_id)
        if person is None:
            return None, None, None
        return person.mass_kg, person.height_cm, person.sex
