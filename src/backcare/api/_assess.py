"""Assessment through the facade: triage, phase, scores and plan for one set of answers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from backcare.clinical.assessment import AssessmentResult

__all__ = ["assess"]


def assess(answers: Mapping[str, object]) -> AssessmentResult:
    """Red-flag triage, pain phase, questionnaire scores and a graded plan for one set of answers.

    Parameters
    ----------
    answers
        Answer ids to values, e.g. ``{"pain.duration_weeks": 3, "odi.1": 2, ...}`` (durations in
        weeks, pain ratings 0-10); see ``backcare assess --help`` for the questions.

    Returns
    -------
    AssessmentResult
        ``triage`` (red flags win: an emergency stops everything else), ``phase``, ``scores``
        per questionnaire, ``plan`` and ``notes``. backcare informs and triages; it never
        diagnoses.

    Raises
    ------
    InputError
        An unknown answer id, a wrong type or an out-of-range value, naming the id.
    """
    from backcare.clinical.assessment import assess as _assess

    return _assess(answers)
