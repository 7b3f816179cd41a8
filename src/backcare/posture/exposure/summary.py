"""The results of an exposure analysis: one typed summary and the report that carries it.

:class:`ExposureSummary` is the one shape of an exposure result. Its
:meth:`~ExposureSummary.to_dict` form (JSON-ready, keys as in the dataclass: ``iso``,
``holds``, ``trunk_fwd_pct`` keyed by the band threshold in degrees as text...) is what the
camera and wearable outputs, the database rows, reports and exports hold;
:meth:`~ExposureSummary.from_dict` reads it back, also from rows stored before this form existed
(``iso11226`` for ``iso``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Literal, Protocol, cast

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from backcare.jsonable import json_ready
from backcare.posture.alerts import AlertEvent

__all__ = [
    "ExposureReport",
    "ExposureSummary",
    "HoldStats",
    "IsoVerdict",
    "ScoredFrames",
    "Verdict",
]

Verdict = Literal["acceptable", "acceptable_within_holding_time", "not_recommended", "not_measured"]
_VERDICTS = ("acceptable", "acceptable_within_holding_time", "not_recommended", "not_measured")


class ScoredFrames(Protocol):
    """What exposure reads from ``RebaFrames`` / ``RulaFrames``: per-frame ``score`` (0 = not
    computable) and ``action_level`` (< 0 = not computable)."""

    @property
    def score(self) -> NDArray[np.int8]: ...

    @property
    def action_level(self) -> NDArray[np.int8]: ...


@dataclass(frozen=True)
class IsoVerdict:
    """ISO 11226 verdict of one body part over the whole recording."""

    part: str
    verdict: Verdict
    violations: int
    holding_zone_time_s: float
    not_recommended_time_s: float


@dataclass(frozen=True)
class HoldStats:
    """Static holds of one body part."""

    count: int
    longest_s: float
    time_s: float


@dataclass(frozen=True)
class ExposureSummary:
    """The whole recording in typed form (the ``total`` row of the tables).

    Times in seconds; ``*_pct`` in percent; angles in degrees; ``None``/NaN where not measured.
    ``trunk_fwd_time_s`` maps each band threshold [deg] to the time at or above it.
    """

    days: int
    measured_time_s: float
    sit_time_s: float
    upright_time_s: float
    lying_time_s: float
    trunk_time_s: float
    trunk_fwd_time_s: dict[float, float]
    trunk_fwd_pct: dict[float, float]
    trunk_fwd_sit_time_s: dict[float, float]
    trunk_fwd_upright_time_s: dict[float, float]
    trunk_fwd_percentiles_deg: dict[int, float]
    trunk_fwd_longest_s: float
    iso: dict[str, IsoVerdict]
    holds: dict[str, HoldStats]
    long_sedentary_bouts: int
    long_sedentary_time_s: float
    sedentary_breaks: int
    disc_dose_mpa_h_per_day: float | None
    disc_rel_standing: float | None
    reba_median_score: float | None
    rula_median_score: float | None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: every field by name, NaN as ``None``, band keys as text (``"20"``)."""
        out: dict[str, Any] = json_ready(self)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ExposureSummary:
        """The summary from its JSON form (unknown keys are ignored; ``iso11226`` is read as
        ``iso`` and a missing value as not measured, so rows stored by older versions load)."""
        iso_raw = data.get("iso", data.get("iso11226")) or {}
        iso = {
            str(part): IsoVerdict(
                part=str(v.get("part", part)),
                verdict=_verdict(v.get("verdict")),
                violations=int(v.get("violations") or 0),
                holding_zone_time_s=_num(v.get("holding_zone_time_s"), 0.0),
                not_recommended_time_s=_num(v.get("not_recommended_time_s"), 0.0),
            )
            for part, v in _mapping(iso_raw).items()
            if isinstance(v, Mapping)
        }
        holds = {
            str(part): HoldStats(
                count=int(v.get("count") or 0),
                longest_s=_num(v.get("longest_s")),
                time_s=_num(v.get("time_s")),
            )
            for part, v in _mapping(data.get("holds")).items()
            if isinstance(v, Mapping)
        }
        return cls(
            days=int(data.get("days") or 0),
            measured_time_s=_num(data.get("measured_time_s")),
            sit_time_s=_num(data.get("sit_time_s")),
            upright_time_s=_num(data.get("upright_time_s")),
            lying_time_s=_num(data.get("lying_time_s")),
            trunk_time_s=_num(data.get("trunk_time_s")),
            trunk_fwd_time_s=_bands(data.get("trunk_fwd_time_s")),
            trunk_fwd_pct=_bands(data.get("trunk_fwd_pct")),
            trunk_fwd_sit_time_s=_bands(data.get("trunk_fwd_sit_time_s")),
            trunk_fwd_upright_time_s=_bands(data.get("trunk_fwd_upright_time_s")),
            trunk_fwd_percentiles_deg={
                int(float(k)): v for k, v in _bands(data.get("trunk_fwd_percentiles_deg")).items()
            },
            trunk_fwd_longest_s=_num(data.get("trunk_fwd_longest_s")),
            iso=iso,
            holds=holds,
            long_sedentary_bouts=int(data.get("long_sedentary_bouts") or 0),
            long_sedentary_time_s=_num(data.get("long_sedentary_time_s")),
            sedentary_breaks=int(data.get("sedentary_breaks") or 0),
            disc_dose_mpa_h_per_day=_optional(data.get("disc_dose_mpa_h_per_day")),
            disc_rel_standing=_optional(data.get("disc_rel_standing")),
            reba_median_score=_optional(data.get("reba_median_score")),
            rula_median_score=_optional(data.get("rula_median_score")),
        )


#: The field names of the JSON form, in order.
SUMMARY_KEYS: tuple[str, ...] = tuple(f.name for f in fields(ExposureSummary))


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _num(value: Any, default: float = math.nan) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return default
    return float(value)


def _optional(value: Any) -> float | None:
    v = _num(value)
    return v if math.isfinite(v) else None


def _bands(value: Any) -> dict[float, float]:
    return {float(k): _num(v) for k, v in _mapping(value).items()}


def _verdict(value: Any) -> Verdict:
    return cast(Verdict, value) if value in _VERDICTS else "not_measured"


@dataclass(frozen=True)
class ExposureReport:
    """Result of :func:`exposure`.

    Attributes
    ----------
    summary
        Typed totals.
    per_hour, per_day, per_window
        One row per local hour, local day, window (same metric columns; see the glossary).
    total
        One row for the whole recording.
    bouts
        One row per bout: forward inclination above the longest-period threshold, sedentary
        bouts, static holds.
    scores
        REBA/RULA time per score and action level, per period (tidy; empty when not given).
    events
        ISO 11226 violations (identical to the alert events of the ISO rules).
    notes
        How the data were read (missing channels, assumptions).
    """

    summary: ExposureSummary
    per_hour: pd.DataFrame
    per_day: pd.DataFrame
    per_window: pd.DataFrame
    total: pd.DataFrame
    bouts: pd.DataFrame
    scores: pd.DataFrame
    events: tuple[AlertEvent, ...]
    notes: tuple[str, ...] = field(default=())

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by name."""
        return {
            "per_hour": self.per_hour,
            "per_day": self.per_day,
            "per_window": self.per_window,
            "total": self.total,
            "bouts": self.bouts,
            "scores": self.scores,
        }
