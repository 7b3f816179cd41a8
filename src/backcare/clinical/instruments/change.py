"""Classify the change between two assessments by the instrument's minimal important change."""

from __future__ import annotations

from backcare.errors import InputError

from .results import ChangeClass, ChangeResult, InstrumentResult
from .scoring import instrument

__all__ = ["classify_change"]

# Scores are rebuilt from floats; a difference that is a whole number of points may carry ~1e-14.
_EPS = 1e-9


def classify_change(
    instrument_id: str, before: InstrumentResult, after: InstrumentResult
) -> ChangeResult:
    """Classify ``after`` against ``before`` as improved, worsened or no meaningful change.

    The rule comes from the instrument's knowledge file (Ostelo 2008 for ODI, RMDQ and the pain
    NRS; Vernon for the NDI). Improvement: a decrease of at least the MIC in points or, where a
    relative threshold exists and the baseline is above zero, of at least that percentage of the
    baseline (Ostelo's 30 %). Worsening: an increase of at least the MIC in points (the relative
    threshold is defined for improvement; applied to worsening it would flag tiny changes from a
    low baseline). Instruments without a MIC (STarT Back, OMPSQ-10) give ``not_applicable``.

    Raises
    ------
    InputError
        When either result belongs to another instrument.
    """
    doc = instrument(instrument_id)
    for label, result in (("before", before), ("after", after)):
        if result.instrument != doc.id:
            raise InputError(f"is a {result.instrument!r} result; expected {doc.id!r}", where=label)
    notes: list[str] = []
    if before.variant != after.variant:
        notes.append(
            f"The variants differ ({before.variant} before, {after.variant} after): "
            "the scores are not strictly comparable."
        )
    mic = doc.mic
    scale = mic.scale if mic is not None else "total"
    b = before.percent if scale == "percent" else before.total
    a = after.percent if scale == "percent" else after.total
    if a is None or b is None:  # excluded by the schema checks (percent MIC needs a percent)
        raise AssertionError("a percent MIC needs results with a percentage")
    change = a - b
    percent_change = change / b * 100 if b != 0 else None
    if mic is None:
        return ChangeResult(
            instrument=doc.id,
            scale=scale,
            before=b,
            after=a,
            change=change,
            percent_change=percent_change,
            classification="not_applicable",
            rule=f"{doc.short_name} has no minimal important change: the change is not classified.",
            notes=notes,
            sources=list(doc.sources),
        )
    better = -change if doc.higher_is_worse else change
    relative = better / abs(b) * 100 if b != 0 else None
    by_points = f"{abs(change):g} points against the MIC of {mic.points:g}"
    classification: ChangeClass
    if better >= mic.points - _EPS:
        classification = "improved"
        decided = f"improved by {by_points}"
    elif (
        mic.percent_of_baseline is not None
        and relative is not None
        and relative >= mic.percent_of_baseline - _EPS
    ):
        classification = "improved"
        decided = (
            f"improved by {relative:.1f}% of the baseline {b:g} against the relative MIC of "
            f"{mic.percent_of_baseline:g}% ({abs(change):g} points, below the "
            f"{mic.points:g}-point MIC)"
        )
    elif -better >= mic.points - _EPS:
        classification = "worsened"
        decided = f"worsened by {by_points}"
    else:
        classification = "no_meaningful_change"
        decided = f"change of {change:+g} points is within the MIC of {mic.points:g}" + (
            f" and {mic.percent_of_baseline:g}% of baseline" if mic.percent_of_baseline else ""
        )
    return ChangeResult(
        instrument=doc.id,
        scale=scale,
        before=b,
        after=a,
        change=change,
        percent_change=percent_change,
        classification=classification,
        rule=f"{decided}. Rule: {mic.statement}"
        + (" Worsening counts the points threshold only." if mic.percent_of_baseline else ""),
        notes=notes,
        sources=list(mic.sources),
    )
