"""Where a person's files live in the data directory, and removing them with the person.

Every file the web app stores for a person (uploads, job outputs, posture series, reports) lives
under :func:`person_dir`; deleting a person removes that folder and any recorded path inside the
data directory (paths outside it are never touched).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import select

from backcare.store.db import Database
from backcare.store.models import Job, Person, PostureSession, Upload

__all__ = ["delete_person_data", "person_dir", "person_paths"]


def person_dir(data_dir: Path, person_id: int, *, create: bool = False) -> Path:
    """The folder that holds every file of ``person_id`` (``<data dir>/people/<id>``)."""
    path = Path(data_dir) / "people" / str(int(person_id))
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path


def person_paths(db: Database, person_id: int) -> list[Path]:
    """Every file or folder path recorded in the database for ``person_id``."""
    with db.session() as session:
        paths: list[str | None] = [
            *session.scalars(select(Upload.stored_path).where(Upload.person_id == person_id)),
            *session.scalars(select(Job.output_dir).where(Job.person_id == person_id)),
            *session.scalars(
                select(PostureSession.series_path).where(PostureSession.person_id == person_id)
            ),
        ]
    return [Path(p) for p in paths if p]


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists() or path.is_symlink():
        path.unlink(missing_ok=True)


def delete_person_data(db: Database, person_id: int, data_dir: Path) -> bool:
    """Delete a person, every row that refers to them (cascade) and their files.

    Returns false when no such person exists. Rows go first (one transaction), then files: a file
    left behind by a crash is unreachable and removed on the next call for the same id.
    """
    data_dir = Path(data_dir)
    recorded = person_paths(db, person_id)
    with db.session() as session:
        person = session.get(Person, person_id)
        if person is not None:
            session.delete(person)
    for path in [*recorded, person_dir(data_dir, person_id)]:
        if _inside(path, data_dir):
            _remove(path)
    return person is not None
