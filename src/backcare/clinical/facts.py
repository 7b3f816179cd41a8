"""Fact-checks of the seed article's claims, with verdicts, evidence and full citations.

The claims, in our own words, live in ``knowledge/data/clinical/claims.yaml``; each cites sources
from the registry. ``claims()`` returns them with the citations resolved, ready to print or to
serialise as JSON.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from backcare.errors import InputError
from backcare.knowledge import load, source
from backcare.knowledge.clinical import ClaimsDocument, ClaimVerdict

__all__ = ["VERDICT_LABELS", "Citation", "ClaimCheck", "claim", "claims"]

VERDICT_LABELS: dict[ClaimVerdict, str] = {
    "roughly_right": "Roughly right, but over-interpreted",
    "misleading": "Misleading",
    "unproven": "Unproven",
    "unsupported": "Not supported by evidence",
    "no_evidence_found": "No evidence found either way",
    "against_one_trial": "One trial points the other way",
    "contradicted": "Contradicted by evidence",
    "false": "False",
}


class Citation(BaseModel):
    """A resolved source."""

    model_config = ConfigDict(frozen=True)

    id: str
    citation: str
    year: int
    doi: str | None = None
    url: str | None = None
    #: ``https://doi.org/<doi>`` when there is a DOI, else the URL.
    link: str


class ClaimCheck(BaseModel):
    """One checked claim. JSON-serialisable."""

    model_config = ConfigDict(frozen=True)

    id: str
    claim: str
    said_by: str
    verdict: ClaimVerdict
    verdict_label: str
    summary: str
    evidence: str
    sources: tuple[Citation, ...]


def _citation(source_id: str) -> Citation:
    src = source(source_id)
    link = f"https://doi.org/{src.doi}" if src.doi else str(src.url)
    return Citation(
        id=src.id, citation=src.citation, year=src.year, doi=src.doi, url=src.url, link=link
    )


def claims() -> tuple[ClaimCheck, ...]:
    """Every checked claim, in the order of the knowledge file."""
    doc: ClaimsDocument = load("clinical/claims.yaml", ClaimsDocument)
    return tuple(
        ClaimCheck(
            id=c.id,
            claim=c.claim,
            said_by=c.said_by,
            verdict=c.verdict,
            verdict_label=VERDICT_LABELS[c.verdict],
            summary=c.summary,
            evidence=c.evidence,
            sources=tuple(_citation(s) for s in c.sources),
        )
        for c in doc.claims
    )


def claim(claim_id: str) -> ClaimCheck:
    """One claim by id; an unknown id is an :class:`InputError`."""
    for c in claims():
        if c.id == claim_id:
            return c
    known = ", ".join(c.id for c in claims())
    raise InputError(f"unknown claim id; known: {known}", where=claim_id)
