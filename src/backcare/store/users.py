"""Repository for web accounts. Every user owns a person row (clinicians too)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from backcare.errors import InputError
from backcare.store.db import Database
from backcare.store.files import delete_person_data
from backcare.store.models import Person, User

__all__ = [
    "ROLES",
    "UserRecord",
    "create_user",
    "delete_user",
    "get_user",
    "get_user_by_email",
    "normalize_email",
    "set_last_login",
    "set_password_hash",
    "user_record",
]

#: The roles an account can have.
ROLES = ("person", "clinician")

# Deliberately permissive (one "@", something on both sides, a dot in the domain): the address
# is an account name here, never mailed to.
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class UserRecord:
    """An account as read back from the database."""

    id: int
    email: str
    role: str
    person_id: int
    password_hash: str
    created_at: datetime
    last_login: datetime | None

    @property
    def is_clinician(self) -> bool:
        return self.role == "clinician"


def user_record(row: User) -> UserRecord:
    return UserRecord(
        id=row.id,
        email=row.email,
        role=row.role,
        person_id=row.person_id,
        password_hash=row.password_hash,
        created_at=row.created_at,
        last_login=row.last_login,
    )


def normalize_email(email: str) -> str:
    """Trimmed, lower-cased address; :class:`InputError` if it is not an e-mail address."""
    value = email.strip().lower()
    if len(value) > 320 or not _EMAIL.match(value):
        raise InputError("enter a valid e-mail address (name@example.org)", where="email")
    return value


def create_user(
    db: Database,
    *,
    email: str,
    password_hash: str,
    role: str,
    display_name: str | None = None,
) -> UserRecord:
    """Create an account and its person row in one transaction.

    Raises :class:`InputError` for an unknown role or an address that is already registered.
    """
    address = normalize_email(email)
    if role not in ROLES:
        raise InputError(f"role must be one of {', '.join(ROLES)}", where="role")
    try:
        with db.session() as session:
            person = Person(display_name=(display_name or address.split("@")[0])[:120])
            session.add(person)
            session.flush()
            row = User(email=address, password_hash=password_hash, role=role, person_id=person.id)
            session.add(row)
            session.flush()
            return user_record(row)
    except IntegrityError as exc:
        raise InputError(
            "an account with this e-mail address already exists", where="email"
        ) from exc


def get_user(db: Database, user_id: int) -> UserRecord | None:
    with db.session() as session:
        row = session.get(User, user_id)
        return user_record(row) if row is not None else None


def get_user_by_email(db: Database, email: str) -> UserRecord | None:
    """The account for ``email`` (compared lower-cased), or None."""
    with db.session() as session:
        row = session.scalars(select(User).where(User.email == email.strip().lower())).first()
        return user_record(row) if row is not None else None


def set_password_hash(db: Database, user_id: int, password_hash: str) -> None:
    with db.session() as session:
        session.execute(update(User).where(User.id == user_id).values(password_hash=password_hash))


def set_last_login(db: Database, user_id: int, at: datetime) -> None:
    with db.session() as session:
        session.execute(update(User).where(User.id == user_id).values(last_login=at))


def delete_user(db: Database, user_id: int, data_dir: Path) -> bool:
    """Delete an account with its person, every row about them and their files."""
    user = get_user(db, user_id)
    if user is None:
        return False
    return delete_person_data(db, user.person_id, data_dir)
