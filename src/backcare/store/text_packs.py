"""Repository for licensed questionnaire wording (text packs) installed by a clinic.

backcare ships no wording for ODI, RMDQ, NDI, the Orebro short form or STarT Back. A clinic
that holds a licence installs a pack (``docs/text-packs.md``) from the web app or the command
line; the pack is validated against the instrument before it is stored. Every install is a new
version (the previous one for the same instrument stops being used but is kept for the record),
with who installed it and when.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, select, update
from sqlalchemy.orm import Mapped, mapped_column

from backcare.knowledge.instruments import TextPack
from backcare.store.db import Database
from backcare.store.models import Base, UTCDateTime, utcnow

__all__ = [
    "InstalledPack",
    "TextPackRow",
    "active_packs",
    "install_pack",
    "list_packs",
    "withdraw_pack",
]


class TextPackRow(Base):
    """One installed version of a text pack (migration 0004)."""

    __tablename__ = "text_packs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instrument: Mapped[str] = mapped_column(String(32), index=True)
    version: Mapped[int] = mapped_column(Integer)
    language: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    licence_holder: Mapped[str] = mapped_column(String(200))
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    sha256: Mapped[str] = mapped_column(String(64))
    installed_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    #: Who installed it, as shown in the list (an e-mail address, or "command line").
    installed_by: Mapped[str] = mapped_column(String(320))
    installed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str | None] = mapped_column(Text)


@dataclass(frozen=True)
class InstalledPack:
    """An installed pack version, for lists."""

    id: int
    instrument: str
    version: int
    language: str
    title: str
    licence_holder: str
    sha256: str
    installed_by: str
    installed_at: datetime
    active: bool


def _view(row: TextPackRow) -> InstalledPack:
    return InstalledPack(
        id=row.id,
        instrument=row.instrument,
        version=row.version,
        language=row.language,
        title=row.title,
        licence_holder=row.licence_holder,
        sha256=row.sha256,
        installed_by=row.installed_by,
        installed_at=row.installed_at,
        active=row.active,
    )


def install_pack(
    db: Database, pack: TextPack, *, installed_by: str, user_id: int | None = None
) -> InstalledPack:
    """Store a validated pack as the instrument's new active version."""
    content = pack.model_dump(mode="json")
    digest = hashlib.sha256(repr(sorted(content.items())).encode()).hexdigest()
    with db.session() as session:
        last = session.scalars(
            select(TextPackRow.version)
            .where(TextPackRow.instrument == pack.instrument)
            .order_by(TextPackRow.version.desc())
        ).first()
        session.execute(
            update(TextPackRow)
            .where(TextPackRow.instrument == pack.instrument)
            .values(active=False)
        )
        row = TextPackRow(
            instrument=pack.instrument,
            version=(last or 0) + 1,
            language=pack.language,
            title=pack.title,
            licence_holder=pack.licence_holder,
            content=content,
            sha256=digest,
            installed_by_user_id=user_id,
            installed_by=installed_by,
            active=True,
        )
        session.add(row)
        session.flush()
        return _view(row)


def withdraw_pack(db: Database, instrument: str) -> bool:
    """Stop using the instrument's active pack (kept for the record). False if none was active."""
    with db.session() as session:
        done = session.execute(
            update(TextPackRow)
            .where(TextPackRow.instrument == instrument, TextPackRow.active.is_(True))
            .values(active=False)
        )
        return bool(getattr(done, "rowcount", 0))


def active_packs(db: Database) -> dict[str, TextPack]:
    """The active pack of every instrument that has one."""
    with db.session() as session:
        rows = session.scalars(select(TextPackRow).where(TextPackRow.active.is_(True))).all()
        return {row.instrument: TextPack.model_validate(row.content) for row in rows}


def list_packs(db: Database) -> list[InstalledPack]:
    """Every installed version, newest first."""
    with db.session() as session:
        rows = session.scalars(
            select(TextPackRow).order_by(TextPackRow.installed_at.desc(), TextPackRow.id.desc())
        ).all()
        return [_view(r) for r in rows]
