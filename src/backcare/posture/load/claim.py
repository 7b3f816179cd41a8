"""The article's claim 'bent forward = 2.5x standing, 10x lying' against the measured anchors.

A check of one sentence, not a model: it reads the anchors of every disc-pressure model
(:mod:`backcare.posture.load.disc_pressure`) and the assessment written in the knowledge data.
"""

from __future__ import annotations

from dataclasses import dataclass

from backcare.posture.load.disc_pressure import _disc_doc

__all__ = ["ArticleClaimComparison", "ModelRatios", "article_claim_comparison"]


@dataclass(frozen=True)
class ModelRatios:
    """Bent-forward pressure of one model relative to its standing and lying anchors."""

    model: str
    name: str
    bent_forward_mpa: float
    standing_mpa: float
    lying_mpa: float
    bent_to_standing: float
    bent_to_lying: float
    sources: tuple[str, ...]


@dataclass(frozen=True)
class ArticleClaimComparison:
    """The article's 'bent forward = 2.5x standing, 10x lying' against the measured anchors."""

    claim: str
    claim_bent_to_standing: float
    claim_bent_to_lying: float
    models: tuple[ModelRatios, ...]
    assessment: str
    sources: tuple[str, ...]

    def ratios(self, model: str) -> ModelRatios:
        """The ratios of one model."""
        for r in self.models:
            if r.model == model:
                return r
        raise KeyError(model)


def article_claim_comparison() -> ArticleClaimComparison:
    """Where the claim 'bent forward = 2.5x standing, 10x lying' sits against the sources.

    Returns the claim with, for every disc-pressure model, the ratios of its bent-forward anchor
    to its standing and lying (supine) anchors (Wilke: 2.2x and 11x; Nachemson: 1.5x and 6x)
    and the assessment from the knowledge data, for reports and fact pages.
    """
    doc = _disc_doc()
    rows = []
    for m in doc.models:
        bent = m.anchor(m.comparison.bent_forward).value
        standing = m.anchor(m.comparison.standing).value
        lying = m.anchor(m.comparison.lying).value
        rows.append(
            ModelRatios(
                model=m.id,
                name=m.name,
                bent_forward_mpa=bent * m.mpa_per_unit,
                standing_mpa=standing * m.mpa_per_unit,
                lying_mpa=lying * m.mpa_per_unit,
                bent_to_standing=bent / standing,
                bent_to_lying=bent / lying,
                sources=m.sources,
            )
        )
    claim = doc.article_claim
    return ArticleClaimComparison(
        claim=claim.text.strip(),
        claim_bent_to_standing=claim.bent_to_standing,
        claim_bent_to_lying=claim.bent_to_lying,
        models=tuple(rows),
        assessment=claim.assessment.strip(),
        sources=claim.sources,
    )
