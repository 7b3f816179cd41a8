"""Repository for a person's profile (birth year, sex, height, mass) and single assessments."""

from __future__ import annotations

from dataclasses import dataclass

from backcare.errors import InputError
from backcare.store.assessments import StoredAssessment, _to_record
from backcare.store.db import Database
from backcare.store.models import Assessment, Person

__all__ = ["ProfileRecord", "get_assessment", "get_profile", "save_profile"]


@dataclass(frozen=True)
class ProfileRecord:
    """The profile fields of a person (``None`` where not given)."""

    person_id: int
    display_name: str
    birth_year: int | None
    sex: str | None
    height_cm: float | None
    mass_kg: float | None


def get_profile(db: Database, person_id: int) -> ProfileRecord:
    """The profile of ``person_id`` (:class:`InputError` if there is no such person)."""
    with db.session() as session:
        person = session.get(Person, person_id)
        if person is None:
            raise InputError("no such person", where=f"person {person_id}")
        return ProfileRecord(
            person.id,
            person.display_name,
            person.birth_year,
            person.sex,
            person.height_cm,
            person.mass_kg,
        )


def save_profile(
    db: Database,
    person_id: int,
    *,
    birth_year: int | None,
    sex: str | None,
    height_cm: float | None,
    mass_kg: float | None,
) -> ProfileRecord:
    """Store the profile fields (already validated by the caller)."""
    with db.session() as session:
        person = session.get(Person, person_id)
        if person is None:
            raise InputError("no such person", where=f"person {person_id}")
        person.birth_year = birth_year
        person.sex = sex
        person.height_cm = height_cm
        person.mass_kg = mass_kg
    return get_profile(db, person_id)


def get_assessment(db: Database, assessment_id: int) -> StoredAssessment | None:
    """One assessment by id (check the owner with the web layer's ``viewable_person``)."""
    with db.session() as session:
        row = session.get(Assessment, assessment_id)
        return _to_record(row) if row is not None else None
