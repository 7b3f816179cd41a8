"""What needs a clinician's attention for one person who shares with them (pure, no I/O).

:func:`attention` turns the facts about one person (their latest assessment's urgency, the change
of each score against the instrument's minimal important change, their daily check-ins) into
reasons in plain words, most urgent first; :func:`sort_patients` orders a clinician's list by them.

The reasons and their order (lowest rank first):

0. the latest assessment says *emergency*;
1. the latest assessment says *see a doctor today* (also when unchecked warning signs raised it
   there: "don't know" is never "no"), or a check-in after it reports a warning sign or "not sure";
2. the latest assessment says *see a doctor within a week*;
3. a score of the latest assessment is worse than the previous one by at least the instrument's
   minimal important change;
4. a flare (see :func:`backcare.care.rules.is_flare`) on one of the last ``flare_within_days``;
5. no check-in for ``no_checkin_days`` or more, or none ever;
6. no assessment yet (the urgency is not known).

Thresholds come from ``care/programme.yaml`` (``clinician_attention``, ``flare``) and from the
instruments' knowledge files (the MIC); the caller classifies the score changes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal, TypeVar

from backcare.care.rules import CheckIn, is_flare
from backcare.knowledge.care import ClinicianAttention, FlarePlan

__all__ = [
    "AttentionReason",
    "PatientFacts",
    "ReasonKind",
    "ScoreChange",
    "attention",
    "sort_patients",
]

ReasonKind = Literal[
    "emergency",
    "same_day",
    "warning_sign",
    "within_week",
    "worse_score",
    "flare",
    "no_checkin",
    "no_assessment",
]

_RANK: dict[ReasonKind, int] = {
    "emergency": 0,
    "same_day": 1,
    "warning_sign": 1,
    "within_week": 2,
    "worse_score": 3,
    "flare": 4,
    "no_checkin": 5,
    "no_assessment": 6,
}


@dataclass(frozen=True)
class ScoreChange:
    """One score of the latest assessment against the previous assessment with that score.

    ``classification`` is ``classify_change``'s class (``improved``, ``worsened``,
    ``no_meaningful_change``, ``not_applicable``); ``mic`` the minimal important change in the
    unit of ``before``/``after`` (``None`` where the instrument has none).
    """

    label: str
    before: float
    after: float
    unit: str
    classification: str
    mic: float | None


@dataclass(frozen=True)
class PatientFacts:
    """What is known about one person (``None``/empty where nothing is known)."""

    urgency: str | None
    assessed_at: datetime | None
    raised_by_unchecked: bool
    score_changes: tuple[ScoreChange, ...]
    checkins: tuple[CheckIn, ...]


@dataclass(frozen=True)
class AttentionReason:
    kind: ReasonKind
    text: str

    @property
    def rank(self) -> int:
        return _RANK[self.kind]


def _number(value: float, unit: str) -> str:
    return f"{value:g}%" if unit == "%" else f"{value:g}"


def _points(value: float, unit: str) -> str:
    return f"{value:g} percentage points" if unit == "%" else f"{value:g} points"


def _day(moment: date) -> str:
    return f"{moment.day} {moment.strftime('%b %Y')}"


def _urgency_reason(facts: PatientFacts) -> AttentionReason | None:
    when = f" ({_day(facts.assessed_at.date())})" if facts.assessed_at is not None else ""
    if facts.urgency == "emergency":
        return AttentionReason(
            "emergency", f"Latest assessment{when} pointed to an emergency: get in touch today."
        )
    if facts.urgency == "same_day":
        if facts.raised_by_unchecked:
            text = (
                f"Latest assessment{when}: some serious warning signs were answered "
                '"don\'t know", so a same-day check is advised until they are checked.'
            )
        else:
            text = f"Latest assessment{when} advised seeing a doctor the same day."
        return AttentionReason("same_day", text)
    if facts.urgency == "within_week":
        return AttentionReason(
            "within_week", f"Latest assessment{when} advised seeing a doctor within a week."
        )
    return None


def _warning_reason(facts: PatientFacts) -> AttentionReason | None:
    after = [
        c
        for c in facts.checkins
        if c.warning != "no" and (facts.assessed_at is None or c.recorded_at > facts.assessed_at)
    ]
    if not after:
        return None
    latest = max(after, key=lambda c: c.day)
    said = (
        "was not sure about a warning sign"
        if latest.warning == "unsure"
        else ("reported a warning sign")
    )
    return AttentionReason(
        "warning_sign",
        f"In the check-in of {_day(latest.day)} they {said}; not yet followed by a new assessment.",
    )


def _score_reasons(facts: PatientFacts) -> list[AttentionReason]:
    out = []
    for change in facts.score_changes:
        if change.classification != "worsened":
            continue
        delta = abs(change.after - change.before)
        mic = (
            f", at least the minimal important change of {_points(change.mic, change.unit)}"
            if change.mic is not None
            else ""
        )
        out.append(
            AttentionReason(
                "worse_score",
                f"{change.label} got worse by {_points(delta, change.unit)} (from "
                f"{_number(change.before, change.unit)} to {_number(change.after, change.unit)})"
                f"{mic}.",
            )
        )
    return out


def _flare_reason(
    facts: PatientFacts, today: date, flare: FlarePlan, within: int
) -> AttentionReason | None:
    first = today - timedelta(days=within - 1)
    days = sorted({c.day for c in facts.checkins if first <= c.day <= today and c.pain is not None})
    flares = [d for d in days if is_flare(facts.checkins, d, flare)]
    if not flares:
        return None
    last = flares[-1]
    pain = next(c.pain for c in facts.checkins if c.day == last and c.pain is not None)
    return AttentionReason(
        "flare",
        f"Flare-up on {_day(last)}: pain {pain}/10, well above their usual level that week.",
    )


def _checkin_reason(facts: PatientFacts, today: date, days: int) -> AttentionReason | None:
    past = [c.day for c in facts.checkins if c.day <= today]
    if not past:
        return AttentionReason(
            "no_checkin", "No daily check-in yet, so pain and flares are unknown."
        )
    gap = (today - max(past)).days
    if gap < days:
        return None
    return AttentionReason("no_checkin", f"No check-in for {gap} days (last on {_day(max(past))}).")


def attention(
    facts: PatientFacts, *, today: date, rules: ClinicianAttention, flare: FlarePlan
) -> tuple[AttentionReason, ...]:
    """The reasons ``facts`` need attention on ``today`` (the person's local date), most urgent
    first (see the module docstring); empty when nothing does."""
    reasons: list[AttentionReason] = []
    found = _urgency_reason(facts)
    if found is not None:
        reasons.append(found)
    found = _warning_reason(facts)
    if found is not None:
        reasons.append(found)
    reasons.extend(_score_reasons(facts))
    found = _flare_reason(facts, today, flare, rules.flare_within_days)
    if found is not None:
        reasons.append(found)
    found = _checkin_reason(facts, today, rules.no_checkin_days)
    if found is not None:
        reasons.append(found)
    if facts.urgency is None:
        reasons.append(
            AttentionReason(
                "no_assessment", "No assessment yet, so the urgency of their complaint is unknown."
            )
        )
    return tuple(sorted(reasons, key=lambda r: r.rank))


T = TypeVar("T")


def sort_patients(
    patients: Sequence[T],
    reasons_of: Callable[[T], Sequence[AttentionReason]],
    name_of: Callable[[T], str],
) -> list[T]:
    """``patients`` ordered by their most urgent reason, then by how many reasons they have (more
    first), then by name; people with no reason come last."""

    def key(p: T) -> tuple[int, int, str]:
        reasons = reasons_of(p)
        top = min((r.rank for r in reasons), default=len(_RANK) + 1)
        return top, -len(reasons), name_of(p).casefold()

    return sorted(patients, key=key)
