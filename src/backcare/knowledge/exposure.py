"""Schema of the exposure and posture-alert rules (``data/exposure/*.yaml``).

Three files, one kind each:

* ``exposure-thresholds`` (``thresholds.yaml``): inclination bands, the median filter, the
  longest-period rule, sedentary bouts, static holds, percentile resolution and the disc-pressure
  reference used by :func:`backcare.posture.exposure.exposure`;
* ``iso11226`` (``iso11226.yaml``): the ISO 11226 angle zones per body-part measure, the holding
  time used for the middle zone, and what was verified;
* ``exposure-alerts`` (``alerts.yaml``): the default rules of
  :class:`backcare.posture.alerts.AlertEvaluator`.

Every block is :class:`~backcare.knowledge.schema.Cited`; the numbers live in the YAML files and
are never written in code.
"""

from __future__ import annotations

from functools import cache
from itertools import pairwise
from typing import ClassVar, Literal

from pydantic import Field, model_validator

from backcare.knowledge.loader import load
from backcare.knowledge.schema import Cited, Document

__all__ = [
    "AlertRuleSpec",
    "AlertsDocument",
    "AngleBands",
    "DiscReference",
    "IsoDocument",
    "IsoMeasure",
    "LongestPeriodRule",
    "MedianFilterRule",
    "PercentileRule",
    "SedentaryRule",
    "StaticHoldRule",
    "SustainedRule",
    "ThresholdsDocument",
    "alert_rules",
    "iso11226",
    "sitting_break_s",
    "thresholds",
]

IsoPart = Literal["trunk", "neck", "upper_arm"]


class AngleBands(Cited):
    """Thresholds [deg]: time with the angle at or above each one is reported."""

    thresholds_deg: tuple[float, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _increasing(self) -> AngleBands:
        t = self.thresholds_deg
        if any(b <= a for a, b in pairwise(t)):
            raise ValueError("thresholds_deg must be strictly increasing")
        return self


class MedianFilterRule(Cited):
    """Median filter applied before any duration rule (longest period, ISO runs, alerts)."""

    window_s: float = Field(ge=0, description="filter length [s]; 0 switches it off")


class LongestPeriodRule(Cited):
    """The longest continuous period with forward trunk inclination above a threshold."""

    above_deg: float


class SedentaryRule(Cited):
    """Sedentary bouts: uninterrupted runs of the listed activities."""

    activities: tuple[str, ...] = Field(min_length=1, description="Activity labels that count")
    break_activities: tuple[str, ...] = Field(
        min_length=1, description="a bout ending in one of these counts as a break"
    )
    long_bout_s: float = Field(gt=0, description="a long bout lasts at least this long [s]")


class StaticHoldRule(Cited):
    """Static holds of a body-part angle on 1 s epochs."""

    epoch_s: float = Field(gt=0, description="epoch length the angle is averaged over [s]")
    filter_epochs: int = Field(ge=1, description="median filter length in epochs (odd)")
    tolerance_deg: float = Field(gt=0, description="half-width of the band the angle stays in")
    min_duration_s: float = Field(gt=0, description="shortest hold that counts [s]")

    @model_validator(mode="after")
    def _odd(self) -> StaticHoldRule:
        if self.filter_epochs % 2 == 0:
            raise ValueError("filter_epochs must be odd")
        return self


class PercentileRule(Cited):
    """Which percentiles of the angle are reported and how finely they are resolved."""

    percentiles: tuple[int, ...] = Field(min_length=1)
    resolution_deg: float = Field(gt=0, le=1)


class DiscReference(Cited):
    """Reference intradiscal pressure for the relative disc-load dose."""

    standing_mpa: float = Field(gt=0, description="pressure while standing relaxed [MPa]")


class ThresholdsDocument(Document):
    """``data/exposure/thresholds.yaml``."""

    KIND: ClassVar[str] = "exposure-thresholds"
    trunk_forward: AngleBands
    upper_arm: AngleBands
    neck: AngleBands
    median_filter: MedianFilterRule
    longest: LongestPeriodRule
    sedentary: SedentaryRule
    static_hold: StaticHoldRule
    percentiles: PercentileRule
    disc: DiscReference


class IsoMeasure(Cited):
    """One ISO 11226 measure: zones of an angle signal.

    Zone 0 (acceptable): ``not_recommended_below_deg <= angle <= acceptable_max_deg``;
    zone 1 (acceptable within the maximum holding time): ``acceptable_max_deg < angle <=
    not_recommended_above_deg``; zone 2 (not recommended): beyond either limit.
    """

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    part: IsoPart
    signal: str = Field(description="channel or derived signal the zones apply to")
    acceptable_max_deg: float
    not_recommended_above_deg: float
    not_recommended_below_deg: float | None = None
    max_holding_time_s: float | None = Field(
        default=None, gt=0, description="longest acceptable stay in zone 1 [s]"
    )
    verified: str = Field(min_length=10, description="what was checked, against what")

    @model_validator(mode="after")
    def _ordered(self) -> IsoMeasure:
        if self.not_recommended_above_deg < self.acceptable_max_deg:
            raise ValueError("not_recommended_above_deg must be >= acceptable_max_deg")
        holding = self.not_recommended_above_deg > self.acceptable_max_deg
        if holding and self.max_holding_time_s is None:
            raise ValueError("a measure with a holding zone needs max_holding_time_s")
        if (
            self.not_recommended_below_deg is not None
            and self.not_recommended_below_deg > self.acceptable_max_deg
        ):
            raise ValueError("not_recommended_below_deg must be <= acceptable_max_deg")
        return self


class SustainedRule(Cited):
    """How long a posture must persist in the not-recommended zone before it counts."""

    min_s: float = Field(gt=0)


class IsoDocument(Document):
    """``data/exposure/iso11226.yaml``."""

    KIND: ClassVar[str] = "iso11226"
    measures: tuple[IsoMeasure, ...] = Field(min_length=1)
    not_recommended_sustained: SustainedRule
    verdict_rule: str = Field(min_length=20, description="how a period's verdict is decided")

    @model_validator(mode="after")
    def _unique(self) -> IsoDocument:
        ids = [m.id for m in self.measures]
        if len(set(ids)) != len(ids):
            raise ValueError("measure ids must be unique")
        return self


class AlertRuleSpec(Cited):
    """A default alert rule.

    ``kind`` ``iso11226`` expands into the two rules of the named ISO measure (``measure``);
    ``sustained_angle`` fires when ``signal`` stays beyond ``threshold_deg`` (``direction``) for
    ``duration_s``; ``sitting_bout`` fires when an uninterrupted sitting bout reaches
    ``duration_s``. ``repeat_s`` repeats the alert while the condition lasts.
    """

    id: str = Field(pattern=r"^[a-z][a-z0-9_.-]*$")
    kind: Literal["iso11226", "sustained_angle", "sitting_bout"]
    measure: str | None = None
    signal: str | None = None
    threshold_deg: float | None = None
    direction: Literal["above", "below"] = "above"
    duration_s: float | None = Field(default=None, gt=0)
    repeat_s: float | None = Field(default=None, gt=0)
    message: str = Field(min_length=5)

    @model_validator(mode="after")
    def _complete(self) -> AlertRuleSpec:
        need: dict[str, tuple[str, ...]] = {
            "iso11226": ("measure",),
            "sustained_angle": ("signal", "threshold_deg", "duration_s"),
            "sitting_bout": ("duration_s",),
        }
        missing = [f for f in need[self.kind] if getattr(self, f) is None]
        if missing:
            raise ValueError(f"a {self.kind} rule needs {', '.join(missing)}")
        return self


class AlertsDocument(Document):
    """``data/exposure/alerts.yaml``."""

    KIND: ClassVar[str] = "exposure-alerts"
    rules: tuple[AlertRuleSpec, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> AlertsDocument:
        ids = [r.id for r in self.rules]
        if len(set(ids)) != len(ids):
            raise ValueError("rule ids must be unique")
        return self


@cache
def thresholds() -> ThresholdsDocument:
    """The packaged exposure thresholds."""
    doc: ThresholdsDocument = load("exposure/thresholds.yaml", ThresholdsDocument)
    return doc


@cache
def iso11226() -> IsoDocument:
    """The packaged ISO 11226 zones."""
    doc: IsoDocument = load("exposure/iso11226.yaml", IsoDocument)
    return doc


@cache
def alert_rules() -> AlertsDocument:
    """The packaged default alert rules."""
    doc: AlertsDocument = load("exposure/alerts.yaml", AlertsDocument)
    return doc


def sitting_break_s() -> float:
    """How long [s] sitting may last before a break is due: the packaged sitting-bout rule's
    duration (30 min when no such rule is packaged)."""
    for rule in alert_rules().rules:
        if rule.kind == "sitting_bout" and rule.duration_s is not None:
            return float(rule.duration_s)
    return 1800.0
