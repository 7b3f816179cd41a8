"""Pydantic schema shared by every knowledge document.

A knowledge file is YAML with a header::

    kind: sources            # which schema validates it (see :mod:`backcare.knowledge.catalog`)
    schema_version: 1        # bumped when the schema of this kind changes incompatibly
    version: "2026-11-25"    # the content's own version (date of the last clinical review)

Anything that states a clinical fact, a threshold or a recommendation derives from :class:`Cited`
and must name at least one source id from the source registry.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

__all__ = [
    "Cited",
    "Document",
    "KnowledgeModel",
    "Source",
    "SourceId",
    "SourceScope",
    "SourcesDocument",
]

SourceId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]*$")]


class KnowledgeModel(BaseModel):
    """Base for knowledge objects: immutable, unknown fields are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Cited(KnowledgeModel):
    """Something that must be backed by at least one registered source."""

    sources: tuple[SourceId, ...] = Field(min_length=1)


class Document(KnowledgeModel):
    """Header of every knowledge file. Subclasses set ``KIND`` and add their body fields."""

    KIND: ClassVar[str] = ""
    kind: str
    schema_version: Literal[1] = 1
    version: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")

    @model_validator(mode="after")
    def _kind_matches(self) -> Document:
        if self.KIND and self.kind != self.KIND:
            raise ValueError(f"kind is {self.kind!r} but this file is read as {self.KIND!r}")
        return self


class SourceScope(KnowledgeModel):
    """The pain regions and phases a source's evidence covers (clinical sources)."""

    regions: tuple[Literal["low_back", "neck"], ...] = Field(min_length=1)
    phases: tuple[Literal["acute", "subacute", "chronic"], ...] = (
        "acute",
        "subacute",
        "chronic",
    )


class Source(KnowledgeModel):
    """One reference: a guideline, paper, standard or data set."""

    id: SourceId
    citation: str = Field(min_length=10)
    year: int = Field(ge=1900, le=2100)
    type: Literal["guideline", "paper", "review", "standard", "book", "dataset", "website"]
    doi: str | None = Field(default=None, pattern=r"^10\.\d{4,9}/\S+$")
    url: str | None = Field(default=None, pattern=r"^https?://\S+$")
    note: str | None = None
    #: What the source covers; a plan line may cite it only within this scope.
    scope: SourceScope | None = None

    @model_validator(mode="after")
    def _locatable(self) -> Source:
        if self.doi is None and self.url is None:
            raise ValueError("a source needs a doi or a url")
        return self


class SourcesDocument(Document):
    """A file of the source registry (``data/sources/*.yaml``)."""

    KIND: ClassVar[str] = "sources"
    sources: tuple[Source, ...]
