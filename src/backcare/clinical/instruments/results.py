"""Results of questionnaire scoring and of comparing two assessments (JSON-serialisable)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ChangeClass", "ChangeResult", "InstrumentResult"]

ChangeClass = Literal["improved", "worsened", "no_meaningful_change", "not_applicable"]


class _Result(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class InstrumentResult(_Result):
    """One scored questionnaire.

    ``total`` is the instrument's headline score on its own scale (ODI: the percentage 0-100; NDI:
    the raw 0-50 total; Pain NRS: the average-week rating), ``percent`` is the same score as a
    percentage of its range where the instrument reports one. ``category`` is the lower-case band
    (``low``/``medium``/``high`` for STarT Back) or ``None`` where the instrument has no bands.
    ``rule_notes`` says which rules produced the numbers; ``missing`` lists unanswered items.
    """

    instrument: str
    name: str
    instrument_version: str
    variant: str | None = None
    total: float
    total_range: tuple[float, float]
    percent: float | None = None
    category: str | None = None
    category_label: str | None = None
    subscales: dict[str, float] = Field(default_factory=dict)
    item_scores: dict[str, int] = Field(default_factory=dict)
    answered: int
    missing: list[str] = Field(default_factory=list)
    rule_notes: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    copyright: str
    knowledge_version: str


class ChangeResult(_Result):
    """The change between two results of one instrument, classified by its minimal important
    change (MIC). ``change`` is ``after - before`` on ``scale``; ``rule`` states the rule applied
    and what decided the class."""

    instrument: str
    scale: Literal["total", "percent"]
    before: float
    after: float
    change: float
    percent_change: float | None
    classification: ChangeClass
    rule: str
    notes: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
