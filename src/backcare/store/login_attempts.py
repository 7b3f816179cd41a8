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
]


def record_failure(db: Database, *, email: str, ip: str, at: datetime) -> None:
    with db.session() as session:
        session.add(LoginAttempt(email=email.strip().lower()[:320], ip=ip[:64], at=at))


def count_failures(db: Database, *, email: str, ip: str, since: datetime) -> tuple[int, int]:
    """Failures since ``since``: ``(for this e-mail address, from this client address)``."""
    with db.session() as session:
        by_email = session.scalar(
            select(func.count())
            .select_from(LoginAttempt)
            .where(LoginAttempt.email == email.strip().lower(), LoginAttempt.at >= since)
        )
        by_ip = session.scalar(
            select(func.count())
            .select_from(LoginAttempt)
            .where(LoginAttempt.ip == ip, LoginAttempt.at >= since)
        )
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
