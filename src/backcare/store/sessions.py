"""Server-side login sessions. The table holds the token's digest, never the token itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update

from backcare.store.db import Database
from backcare.store.models import User, WebSession
from backcare.store.users import UserRecord, user_record

__all__ = [
    "SessionRecord",
    "create_session",
    "find_session",
    "purge_sessions",
    "revoke_session",
    "revoke_user_sessions",
]


@dataclass(frozen=True)
class SessionRecord:
    id: int
    user_id: int
    csrf_token: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None


def _session_record(row: WebSession) -> SessionRecord:
    return SessionRecord(
        id=row.id,
        user_id=row.user_id,
        csrf_token=row.csrf_token,
        created_at=row.created_at,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
    )


def create_session(
    db: Database, *, user_id: int, token_digest: str, csrf_token: str, expires_at: datetime
) -> SessionRecord:
    with db.session() as session:
        row = WebSession(
            user_id=user_id,
            token_digest=token_digest,
            csrf_token=csrf_token,
            expires_at=expires_at,
        )
        session.add(row)
        session.flush()
        return _session_record(row)


def find_session(
    db: Database, token_digest: str, *, now: datetime
) -> tuple[SessionRecord, UserRecord] | None:
    """The live (not revoked, not expired) session with this digest and its user, or None."""
    with db.session() as session:
        found = session.execute(
            select(WebSession, User)
            .join(User, User.id == WebSession.user_id)
            .where(
                WebSession.token_digest == token_digest,
                WebSession.revoked_at.is_(None),
                WebSession.expires_at > now,
            )
        ).first()
        if found is None:
            return None
        return _session_record(found[0]), user_record(found[1])


def revoke_session(db: Database, token_digest: str, *, now: datetime) -> bool:
    with db.session() as session:
        result = session.execute(
            update(WebSession)
            .where(WebSession.token_digest == token_digest, WebSession.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        return bool(getattr(result, "rowcount", 0))


def revoke_user_sessions(
    db: Database, user_id: int, *, now: datetime, keep_digest: str | None = None
) -> int:
    """Revoke every live session of a user (except ``keep_digest``); returns how many."""
    with db.session() as session:
        stmt = update(WebSession).where(
            WebSession.user_id == user_id, WebSession.revoked_at.is_(None)
        )
        if keep_digest is not None:
            stmt = stmt.where(WebSession.token_digest != keep_digest)
        result = session.execute(stmt.values(revoked_at=now))
        return int(getattr(result, "rowcount", 0) or 0)


def purge_sessions(db: Database, *, now: datetime) -> int:
    """Delete expired sessions (revoked ones expire too); returns how many."""
    with db.session() as session:
        result = session.execute(delete(WebSession).where(WebSession.expires_at <= now))
        return int(getattr(result, "rowcount", 0) or 0)
