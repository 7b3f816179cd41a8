"""Read-only sharing of a person's data with a clinician, and its revocation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from backcare.errors import InputError
from backcare.store.db import Database
from backcare.store.models import Person, Share, User

__all__ = [
    "ShareRecord",
    "SharedPerson",
    "grant_share",
    "list_shared_people",
    "list_shares",
    "revoke_share",
    "shared_person_ids",
]


@dataclass(frozen=True)
class ShareRecord:
    """A grant from a person to a clinician (as the person sees it)."""

    id: int
    person_id: int
    clinician_user_id: int
    clinician_email: str
    created_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True)
class SharedPerson:
    """A person who shares with a clinician (as the clinician sees it)."""

    share_id: int
    person_id: int
    display_name: str
    email: str | None
    since: datetime


def grant_share(db: Database, *, person_id: int, clinician_user_id: int) -> ShareRecord:
    """Share ``person_id`` read-only with a clinician; an existing live grant is returned as is."""
    with db.session() as session:
        clinician = session.get(User, clinician_user_id)
        if clinician is None or clinician.role != "clinician":
            raise InputError("no clinician account with this e-mail address", where="email")
        if clinician.person_id == person_id:
            raise InputError("you cannot share your data with yourself", where="email")
        row = session.scalars(
            select(Share).where(
                Share.person_id == person_id,
                Share.clinician_user_id == clinician_user_id,
                Share.revoked_at.is_(None),
            )
        ).first()
        if row is None:
            row = Share(person_id=person_id, clinician_user_id=clinician_user_id)
            session.add(row)
            session.flush()
        return ShareRecord(
            row.id, row.person_id, row.clinician_user_id, clinician.email, row.created_at, None
        )


def revoke_share(db: Database, *, share_id: int, person_id: int, now: datetime) -> bool:
    """Revoke a live grant of ``person_id``; false when there is no such grant of theirs."""
    with db.session() as session:
        result = session.execute(
            update(Share)
            .where(Share.id == share_id, Share.person_id == person_id, Share.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        return bool(getattr(result, "rowcount", 0))


def list_shares(
    db: Database, person_id: int, *, include_revoked: bool = False
) -> list[ShareRecord]:
    """A person's grants, newest first."""
    with db.session() as session:
        stmt = (
            select(Share, User.email)
            .join(User, User.id == Share.clinician_user_id)
            .where(Share.person_id == person_id)
            .order_by(Share.created_at.desc(), Share.id.desc())
        )
        if not include_revoked:
            stmt = stmt.where(Share.revoked_at.is_(None))
        return [
            ShareRecord(s.id, s.person_id, s.clinician_user_id, email, s.created_at, s.revoked_at)
            for s, email in session.execute(stmt)
        ]


def list_shared_people(db: Database, clinician_user_id: int) -> list[SharedPerson]:
    """The people with a live grant to this clinician, by name."""
    with db.session() as session:
        rows = session.execute(
            select(Share, Person.display_name, User.email)
            .join(Person, Person.id == Share.person_id)
            .outerjoin(User, User.person_id == Share.person_id)
            .where(Share.clinician_user_id == clinician_user_id, Share.revoked_at.is_(None))
            .order_by(Person.display_name, Share.id)
        )
        seen: dict[int, SharedPerson] = {}
        for share, name, email in rows:
            seen.setdefault(
                share.person_id,
                SharedPerson(share.id, share.person_id, name, email, share.created_at),
            )
        return list(seen.values())


def shared_person_ids(db: Database, clinician_user_id: int) -> frozenset[int]:
    """Ids of the people with a live grant to this clinician."""
    with db.session() as session:
        return frozenset(
            session.scalars(
                select(Share.person_id).where(
                    Share.clinician_user_id == clinician_user_id, Share.revoked_at.is_(None)
                )
            )
        )
