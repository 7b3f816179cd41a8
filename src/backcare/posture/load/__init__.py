"""Spinal load: intradiscal pressure by posture and L5/S1 forces from a static sagittal model.

Two independent estimates, both vectorised over samples and both driven by knowledge data, one
module each, and a check of the seed article's claim against them:

* :mod:`~backcare.posture.load.disc_pressure` -- :func:`disc_pressure`, the intradiscal pressure
  of a posture interpolated between measured anchors (Wilke et al. 1999; Nachemson 1981);
* :mod:`~backcare.posture.load.l5s1` -- :func:`l5s1_forces`, compression, shear and moment at
  L5/S1 for a person of given mass and height, to be set against NIOSH's limits;
* :mod:`~backcare.posture.load.claim` -- :func:`article_claim_comparison`, where 'bent forward =
  2.5x standing, 10x lying' sits against the anchors.

Angles follow :mod:`backcare.posture.conventions`: trunk flexion is the trunk's inclination from
vertical [deg], + forward; upper-arm flexion is relative to the trunk, elbow flexion 0 = straight.
Missing values are NaN in and NaN out.
"""

from __future__ import annotations

from backcare.posture.load.claim import (
    ArticleClaimComparison,
    ModelRatios,
    article_claim_comparison,
)
from backcare.posture.load.disc_pressure import (
    DiscModel,
    disc_pressure,
    disc_pressure_model,
    disc_pressure_series,
    relative_to,
)
from backcare.posture.load.l5s1 import L5S1Result, compression_limits, l5s1_forces, l5s1_series

__all__ = [
    "ArticleClaimComparison",
    "DiscModel",
    "L5S1Result",
    "ModelRatios",
    "article_claim_comparison",
    "compression_limits",
    "disc_pressure",
    "disc_pressure_model",
    "disc_pressure_series",
    "l5s1_forces",
    "l5s1_series",
    "relative_to",
]
