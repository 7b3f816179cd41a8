"""Relational schema (SQLAlchemy 2 declarative). Change it only together with a new migration."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

__all__ = ["Assessment", "Base", "InstrumentScore", "Person"]


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON}


class Person(Base):
    """The person whose data this is (the local user of the CLI, or a web account's person)."""

    __tablename__ = "persons"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    display_name: Mapped[str] = mapped_column(String(120), default="me")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    birth_year: Mapped[int | None] = mapped_column(Integer)
    sex: Mapped[str | None] = mapped_column(String(16))
    height_cm: Mapped[float | None] = mapped_column(Float)
    mass_kg: Mapped[float | None] = mapped_column(Float)

    assessments: Mapped[list[Assessment]] = relationship(
        back_populates="person", cascade="all, delete-orphan", passive_deletes=True
    )


class Assessment(Base):
    """One completed assessment: the answers as given and the full result as computed."""

    __tablename__ = "assessments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    urgency: Mapped[str] = mapped_column(String(32))
    phase: Mapped[str | None] = mapped_column(String(32))
    knowledge_version: Mapped[str] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)

    person: Mapped[Person] = relationship(back_populates="assessments")
    scores: Mapped[list[InstrumentScore]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", passive_deletes=True
    )


class InstrumentScore(Base):
    """One instrument's score within an assessment (queryable for progress charts)."""

    __tablename__ = "instrument_scores"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), index=True
    )
    instrument: Mapped[str] = mapped_column(String(32), index=True)
    total: Mapped[float] = mapped_column(Float)
    category: Mapped[str | None] = mapped_column(String(32))

    assessment: Mapped[Assessment] = relationship(back_populates="scores")
