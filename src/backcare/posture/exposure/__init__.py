"""Exposure summaries of posture series: time in trunk-inclination bands per hour, day and window,
percentiles, the longest forward bend, static holds, ISO 11226 verdicts, sedentary bouts and
breaks, REBA/RULA distributions and the daily disc-load dose.

``exposure(series, ...)`` works on precomputed score and pressure arrays;
``analyze_exposure(series, task=...)`` computes them first. Every column is described by
``glossary()``; the rules live in ``knowledge/data/exposure``.
"""

from backcare.posture._engine import DERIVED_SIGNALS, HEAD_INCLINATION, TRUNK_FORWARD, UPPER_ARM
from backcare.posture.exposure.facade import analyze_exposure
from backcare.posture.exposure.glossary import GlossaryEntry, glossary
from backcare.posture.exposure.holds import find_holds
from backcare.posture.exposure.periods import Period, build_periods
from backcare.posture.exposure.report import exposure
from backcare.posture.exposure.summary import (
    ExposureReport,
    ExposureSummary,
    HoldStats,
    IsoVerdict,
    ScoredFrames,
    Verdict,
)

__all__ = [
    "DERIVED_SIGNALS",
    "HEAD_INCLINATION",
    "TRUNK_FORWARD",
    "UPPER_ARM",
    "ExposureReport",
    "ExposureSummary",
    "GlossaryEntry",
    "HoldStats",
    "IsoVerdict",
    "Period",
    "ScoredFrames",
    "Verdict",
    "analyze_exposure",
    "build_periods",
    "exposure",
    "find_holds",
    "glossary",
]
