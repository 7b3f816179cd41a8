"""Repository for uploaded files (the bytes live under the person's folder, see ``files``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select

from backcare.errors import InputError
from backcare.store.db import Database
from backcare.store.models import Upload

__all__ = [
    "UPLOAD_KINDS",
    "UploadRecord",
    "add_upload",
    "delete_upload",
    "get_upload",
    "list_uploads",
]

UPLOAD_KINDS = ("wearable", "video", "image")


@dataclass(frozen=True)
class UploadRecord:
    id: int
    person_id: int
    kind: str
    original_name: str
    stored_path: str
    size_bytes: int
    content_type: str
    sha256: str
    created_at: datetime


def _record(row: Upload) -> UploadRecord:
    return UploadRecord(
        id=row.id,
        person_id=row.person_id,
        kind=row.kind,
        original_name=row.original_name,
        stored_path=row.stored_path,
        size_bytes=row.size_bytes,
        content_type=row.content_type,
        sha256=row.sha256,
        created_at=row.created_at,
    )


def add_upload(
    db: Database,
    person_id: int,
    *,
    kind: str,
    original_name: str,
    stored_path: str,
    size_bytes: int,
    content_type: str,
    sha256: str,
) -> UploadRecord:
    if kind not in UPLOAD_KINDS:
        raise InputError(f"upload kind must be one of {', '.join(UPLOAD_KINDS)}", where="kind")
    with db.session() as session:
        row = Upload(
            person_id=person_id,
            kind=kind,
            original_name=original_name[:255],
            stored_path=stored_path,
            size_bytes=size_bytes,
            content_type=content_type[:128],
            sha256=sha256,
        )
        session.add(row)
        session.flush()
        return _record(row)


def get_upload(db: Database, upload_id: int) -> UploadRecord | None:
    """An upload by id (check the owner with the web layer's ``viewable_person``)."""
    with db.session() as session:
        row = session.get(Upload, upload_id)
        return _record(row) if row is not None else None


def list_uploads(db: Database, person_id: int) -> list[UploadRecord]:
    """A person's uploads, newest first."""
    with db.session() as session:
        rows = session.scalars(
            select(Upload).where(Upload.person_id == person_id).order_by(Upload.id.desc())
        )
        return [_record(r) for r in rows]


def delete_upload(db: Database, upload_id: int, *, person_id: int) -> UploadRecord | None:
    """Delete the row of an upload of ``person_id`` (the caller removes the file)."""
    with db.session() as session:
        row = session.get(Upload, upload_id)
        if row is None or row.person_id != person_id:
            return None
        record = _record(row)
        session.execute(delete(Upload).where(Upload.id == upload_id))
        return record
