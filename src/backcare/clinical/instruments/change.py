"""Classify the change between two assessments by the instrument's minimal important change."""

from __future__ import annotations

from backcare.errors import InputError
from backcare.knowledge.instruments import MinimalImportantChange

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
    if mic is None:
        classification: ChangeClass = "not_applicable"
        rule = f"{doc.short_name} has no minimal important change: the change is not classified."
        sources = list(doc.sources)
    else:
        classification, decided = _classify(mic, b, change, higher_is_worse=doc.higher_is_worse)
        rule = f"{decided}. Rule: {mic.statement}" + (
            " Worsening counts the points threshold only." if mic.percent_of_baseline else ""
        )
        sources = list(mic.sources)
    return ChangeResult(
        instrument=doc.id,
        scale=scale,
        before=b,
        after=a,
        change=change,
        percent_change=change / b * 100 if b != 0 else None,
        classification=classification,
        rule=rule,
        notes=notes,
        sources=sources,
    )


def _classify(
    mic: MinimalImportantChange, b: float, change: float, *, higher_is_worse: bool
) -> tuple[ChangeClass, str]:
    """The class of ``change`` from baseline ``b`` and the sentence that says why."""
    better = -change if higher_is_worse else change
    relative = better / abs(b) * 100 if b != 0 else None
    by_points = f"{abs(change):g} points against the MIC of {mic.points:g}"
    if better >= mic.points - _EPS:
        return "improved", f"improved by {by_points}"
    if (
        mic.percent_of_baseline is not None
        and relative is not None
        and relative >= mic.percent_of_baseline - _EPS
    ):
        return "improved", (
            f"improved by {relative:.1f}% of the baseline {b:g} against the relative MIC of "
            f"{mic.percent_of_baseline:g}% ({abs(change):g} points, below the "
            f"{mic.points:g}-point MIC)"
        )
    if -better >= mic.points - _EPS:
        return "worsened", f"worsened by {by_points}"
    within = f"change of {change:+g} points is within the MIC of {mic.points:g}"
    if mic.percent_of_baseline:
        within += f" and {mic.percent_of_baseline:g}% of baseline"
    return "no_meaningful_change", within
