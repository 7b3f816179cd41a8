"""Repository for background analysis jobs: queued -> running -> done | failed.

A worker claims the oldest queued job atomically (:func:`claim_next`), reports progress (which
also beats the heartbeat) and finishes or fails it. After a restart, :func:`recover_stale` puts
running jobs whose heartbeat stopped back in the queue, or fails them with a reason once they
used up their attempts: nothing is lost silently.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update

from backcare.errors import InputError
from backcare.store.db import Database
from backcare.store.models import Job

__all__ = [
    "JOB_KINDS",
    "JOB_STATUSES",
    "JobRecord",
    "claim_next",
    "create_job",
    "fail_job",
    "finish_job",
    "get_job",
    "list_jobs",
    "recover_stale",
    "report_progress",
]

JOB_KINDS = ("wearable", "camera")
JOB_STATUSES = ("queued", "running", "done", "failed")


@dataclass(frozen=True)
class JobRecord:
    id: int
    person_id: int
    kind: str
    status: str
    progress: float
    message: str | None
    inputs: tuple[str, ...]
    params: dict[str, Any]
    output_dir: str | None
    error: str | None
    attempts: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    heartbeat_at: datetime | None


def _record(row: Job) -> JobRecord:
    return JobRecord(
        id=row.id,
        person_id=row.person_id,
        kind=row.kind,
        status=row.status,
        progress=row.progress,
        message=row.message,
        inputs=tuple(row.inputs or ()),
        params=dict(row.params or {}),
        output_dir=row.output_dir,
        error=row.error,
        attempts=row.attempts,
        created_at=row.created_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
        heartbeat_at=row.heartbeat_at,
    )


def create_job(
    db: Database,
    person_id: int,
    *,
    kind: str,
    inputs: Sequence[str],
    params: Mapping[str, Any] | None = None,
    output_dir: str | None = None,
) -> JobRecord:
    """Queue a job for ``person_id``."""
    if kind not in JOB_KINDS:
        raise InputError(f"job kind must be one of {', '.join(JOB_KINDS)}", where="kind")
    with db.session() as session:
        row = Job(
            person_id=person_id,
            kind=kind,
            status="queued",
            progress=0.0,
            inputs=[str(p) for p in inputs],
            params=dict(params or {}),
            output_dir=output_dir,
            attempts=0,
        )
        session.add(row)
        session.flush()
        return _record(row)


def get_job(db: Database, job_id: int) -> JobRecord | None:
    """A job by id (check the owner with the web layer's ``viewable_person``)."""
    with db.session() as session:
        row = session.get(Job, job_id)
        return _record(row) if row is not None else None


def list_jobs(db: Database, person_id: int) -> list[JobRecord]:
    """A person's jobs, newest first."""
    with db.session() as session:
        rows = session.scalars(
            select(Job).where(Job.person_id == person_id).order_by(Job.id.desc())
        )
        return [_record(r) for r in rows]


def _fair_next(session: Any) -> int | None:
    """The oldest queued job of the person with the fewest running jobs (ties: oldest job)."""
    running = dict(
        session.execute(
            select(Job.person_id, func.count())
            .where(Job.status == "running")
            .group_by(Job.person_id)
        ).all()
    )
    # the oldest queued job of each person
    firsts = session.execute(
        select(Job.person_id, func.min(Job.id))
        .where(Job.status == "queued")
        .group_by(Job.person_id)
    ).all()
    if not firsts:
        return None
    _, job_id = min(firsts, key=lambda row: (running.get(row[0], 0), row[1]))
    return int(job_id)


def claim_next(db: Database, *, now: datetime) -> JobRecord | None:
    """Atomically move the next queued job to running (attempts + 1) and return it.

    Fair per person: the next job is the oldest queued job of the person with the fewest jobs
    running, so one person's many uploads do not hold back everyone else's.
    """
    while True:
        with db.session() as session:
            job_id = _fair_next(session)
            if job_id is None:
                return None
            result = session.execute(
                update(Job)
                .where(Job.id == job_id, Job.status == "queued")
                .values(
                    status="running",
                    attempts=Job.attempts + 1,
                    started_at=now,
                    heartbeat_at=now,
                    error=None,
                )
            )
            if getattr(result, "rowcount", 0):
                row = session.get(Job, job_id)
                assert row is not None
                session.refresh(row)
                return _record(row)
        # another worker took it first: look again


def report_progress(
    db: Database, job_id: int, *, progress: float, message: str | None, now: datetime
) -> None:
    """Progress 0..1 (clamped) and a message; beats the heartbeat."""
    value = min(1.0, max(0.0, float(progress)))
    with db.session() as session:
        session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(progress=value, message=message, heartbeat_at=now)
        )


def finish_job(db: Database, job_id: int, *, now: datetime, message: str | None = None) -> None:
    with db.session() as session:
        session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(status="done", progress=1.0, message=message, finished_at=now, heartbeat_at=now)
        )


def fail_job(db: Database, job_id: int, *, error: str, now: datetime) -> None:
    """Mark a job failed with a reason a person can read."""
    with db.session() as session:
        session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(status="failed", error=error, finished_at=now, heartbeat_at=now)
        )


def recover_stale(
    db: Database, *, stale_before: datetime, max_attempts: int, now: datetime
) -> tuple[list[int], list[int]]:
    """Requeue running jobs whose heartbeat is older than ``stale_before``.

    Jobs that already used ``max_attempts`` fail with a reason instead. Returns
    ``(requeued ids, failed ids)``.
    """
    requeued: list[int] = []
    failed: list[int] = []
    with db.session() as session:
        rows = session.scalars(
            select(Job).where(
                Job.status == "running",
                (Job.heartbeat_at.is_(None)) | (Job.heartbeat_at < stale_before),
            )
        ).all()
        for row in rows:
            if row.attempts >= max_attempts:
                row.status = "failed"
                row.error = (
                    f"interrupted {row.attempts} times: the analysis stopped without finishing "
                    "(the server restarted or the worker stopped); upload the file again "
                    "or report the problem"
                )
                row.finished_at = now
                failed.append(row.id)
            else:
                row.status = "queued"
                row.message = "restarted after an interruption"
                row.progress = 0.0
                requeued.append(row.id)
    return requeued, failed
