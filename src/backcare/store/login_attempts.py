"""Failed logins, kept in the database so that the limit holds across restarts and workers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select

from backcare.store.db import Database
from backcare.store.models import LoginAttempt

__all__ = [
    "clear_failures",
    "count_failures",
    "oldest_failure",
    "prune_failures",
    "record_failure",
    "release",
]


def record_failure(db: Database, *, email: str, ip: str, at: datetime) -> int:
    """Record an attempt (committed at once); returns its id (see :func:`count_failures`)."""
    with db.session() as session:
        row = LoginAttempt(email=email.strip().lower()[:320], ip=ip[:64], at=at)
        session.add(row)
        session.flush()
        return int(row.id)


def release(db: Database, attempt_id: int) -> None:
    """Forget one recorded attempt (a reservation that turned out not to be a failure)."""
    with db.session() as session:
        session.execute(delete(LoginAttempt).where(LoginAttempt.id == attempt_id))


def count_failures(
    db: Database, *, email: str, ip: str, since: datetime, up_to_id: int | None = None
) -> tuple[int, int]:
    """Failures since ``since``: ``(for this e-mail address, from this client address)``.

    With ``up_to_id`` only attempts recorded up to that one count (their order of arrival).
    """
    email_q = [LoginAttempt.email == email.strip().lower(), LoginAttempt.at >= since]
    ip_q = [LoginAttempt.ip == ip[:64], LoginAttempt.at >= since]
    if up_to_id is not None:
        email_q.append(LoginAttempt.id <= up_to_id)
        ip_q.append(LoginAttempt.id <= up_to_id)
    with db.session() as session:
        by_email = session.scalar(select(func.count()).select_from(LoginAttempt).where(*email_q))
        by_ip = session.scalar(select(func.count()).select_from(LoginAttempt).where(*ip_q))
    return int(by_email or 0), int(by_ip or 0)


def oldest_failure(db: Database, *, email: str, ip: str, since: datetime) -> datetime | None:
    """The oldest failure since ``since`` for this address or client (when the limit lifts)."""
    with db.session() as session:
        return session.scalar(
            select(func.min(LoginAttempt.at)).where(
                LoginAttempt.at >= since,
                (LoginAttempt.email == email.strip().lower()) | (LoginAttempt.ip == ip),
            )
        )


def clear_failures(db: Database, *, email: str) -> None:
    """Forget an address's failures (after a successful login)."""
    with db.session() as session:
        session.execute(delete(LoginAttempt).where(LoginAttempt.email == email.strip().lower()))


def prune_failures(db: Database, *, before: datetime) -> int:
    """Drop failures older than ``before``; returns how many."""
    with db.session() as session:
        result = session.execute(delete(LoginAttempt).where(LoginAttempt.at < before))
        return int(getattr(result, "rowcount", 0) or 0)
