"""Schema of the cohort summary rules (``data/batch/cohort.yaml``, kind ``cohort-rules``).

The batch layer (:mod:`backcare.batch`) only schedules the single-recording analysis and collects
its daily tables; the two decisions it adds when summarising a cohort live here:

* which days count (a minimum worn time per calendar day), and
* which percentiles describe each variable per group.
"""

from __future__ import annotations

from functools import cache
from typing import ClassVar

from pydantic import Field, field_validator

from backcare.knowledge.loader import load
from backcare.knowledge.schema import Cited, Document

__all__ = ["CohortRulesDocument", "SummaryRule", "ValidDayRule", "cohort_rules"]


class ValidDayRule(Cited):
    """A calendar day enters the cohort summary when the sensors were worn at least this long."""

    min_wear_h: float = Field(ge=0, le=24)


class SummaryRule(Cited):
    """Percentiles reported per group and variable (besides the mean and the median)."""

    percentiles: tuple[int, ...] = Field(min_length=1)

    @field_validator("percentiles")
    @classmethod
    def _range(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if any(not 0 < p < 100 for p in value) or list(value) != sorted(set(value)):
            raise ValueError("percentiles must be strictly increasing and within 1..99")
        return value


class CohortRulesDocument(Document):
    """``data/batch/cohort.yaml``."""

    KIND: ClassVar[str] = "cohort-rules"
    valid_day: ValidDayRule
    summary: SummaryRule


@cache
def cohort_rules() -> CohortRulesDocument:
    """The packaged cohort summary rules."""
    doc: CohortRulesDocument = load("batch/cohort.yaml", CohortRulesDocument)
    return doc
