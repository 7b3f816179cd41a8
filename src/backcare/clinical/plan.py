"""The evidence-graded plan: what to do (and what not to) for this region, phase and urgency.

``build_plan(triage, phase, region, startback_risk=None)`` selects lines from
``knowledge/data/clinical/recommendations.yaml`` and ``prevention.yaml``. Rules:

* **Red flags always win.** If triage says ``emergency``, the plan is replaced by the emergency
  instructions only (no advice, no prevention). If it says ``same_day`` or ``within_week``, the
  plan starts with "see a clinician first" and holds back every line marked
  ``safe_before_assessment: false`` (medication choices, hands-on treatment, structured and water
  exercise, acupuncture, return-to-work programmes); the held-back lines are listed with the
  reason. ``routine`` adds a first step to mention the findings at a routine visit.
* **"Don't" is never advice.** Lines with verdict ``dont`` appear only in ``not_recommended``, each
  with its reason; ``recommended`` and ``prevention`` hold only do / consider / only-with-exercise.
* **Region and phase.** ``low_back``, ``neck`` or ``both``; lines for the episode's phase, or, when
  the phase is unknown, only lines that hold in every phase.
* **STarT Back.** An optional risk group (``"low"``, ``"medium"``, ``"high"``) adds the matched
  line (Hill 2011); without it those lines are left out.
* Lines that correct a claim of the seed article name it; the claims are attached in
  ``corrected_claims``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, ConfigDict

from backcare.clinical.phase import PhaseResult
from backcare.clinical.triage import DISCLAIMER, FiredFlag, TriageResult
from backcare.errors import InputError, KnowledgeError
from backcare.knowledge import load
from backcare.knowledge.clinical import (
    PHASES,
    STARTBACK_RISKS,
    Certainty,
    ClaimsDocument,
    ClaimVerdict,
    PractitionerDocument,
    PreventionDocument,
    PreventionItem,
    Recommendation,
    RecommendationsDocument,
    Region,
    StartBackRisk,
    Urgency,
    Verdict,
)

__all__ = [
    "VERDICT_LABELS",
    "ClaimRef",
    "EmergencyInstructions",
    "HeldBack",
    "Plan",
    "PlanLine",
    "PracticeAdvice",
    "PracticePointOut",
    "build_plan",
    "parse_region",
    "parse_startback_risk",
]

PlanRegion = Literal["low_back", "neck", "both"]

VERDICT_LABELS: dict[Verdict, str] = {
    "do": "Recommended",
    "consider": "Worth considering",
    "only_with_exercise": "Only together with exercise",
    "dont": "Not recommended",
}
_VERDICT_ORDER: tuple[Verdict, ...] = ("do", "consider", "only_with_exercise")


class PlanLine(BaseModel):
    """One line of the plan (treatment or prevention)."""

    model_config = ConfigDict(frozen=True)

    id: str
    topic: str
    title: str
    text: str
    verdict: Verdict
    verdict_label: str
    certainty: Certainty
    grading: str
    #: For "not recommended" lines: why.
    why: str | None = None
    #: Where guidelines disagree.
    disagreement: str | None = None
    #: Ids of the article's claims this line corrects.
    corrects: tuple[str, ...] = ()
    regions: tuple[Region, ...] = ()
    sources: tuple[str, ...]


class HeldBack(BaseModel):
    """A line held back until a clinician has assessed the red flags."""

    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    reason: str


class ClaimRef(BaseModel):
    """An article claim that the plan corrects."""

    model_config = ConfigDict(frozen=True)

    id: str
    claim: str
    verdict: ClaimVerdict
    summary: str
    sources: tuple[str, ...]


class PracticePointOut(BaseModel):
    """A point of practitioner guidance."""

    model_config = ConfigDict(frozen=True)

    text: str
    sources: tuple[str, ...]


class PracticeAdvice(BaseModel):
    """How to choose a practitioner."""

    model_config = ConfigDict(frozen=True)

    title: str
    intro: str
    look_for: tuple[PracticePointOut, ...]
    be_wary_of: tuple[PracticePointOut, ...]
    corrects: tuple[str, ...]


class EmergencyInstructions(BaseModel):
    """The only content of an emergency plan."""

    model_config = ConfigDict(frozen=True)

    what_to_do: str
    #: Specific actions of the emergency flags (deduplicated, most specific first).
    actions: tuple[str, ...]
    flags: tuple[FiredFlag, ...]


class Plan(BaseModel):
    """The plan for one assessment. JSON-serialisable (``model_dump(mode="json")``)."""

    model_config = ConfigDict(frozen=True)

    status: Literal["emergency", "see_clinician_first", "self_management"]
    urgency: Urgency
    #: Shown above everything else (e.g. "see a clinician first"); ``None`` for plain self-care.
    first_step: str | None
    #: Set only for an emergency; everything else is then empty.
    emergency: EmergencyInstructions | None = None
    region: PlanRegion
    phase: str
    startback_risk: StartBackRisk | None = None
    recommended: tuple[PlanLine, ...] = ()
    #: Never advice: what not to do, each with its reason.
    not_recommended: tuple[PlanLine, ...] = ()
    prevention: tuple[PlanLine, ...] = ()
    held_back: tuple[HeldBack, ...] = ()
    practitioner: PracticeAdvice | None = None
    corrected_claims: tuple[ClaimRef, ...] = ()
    notes: tuple[str, ...] = ()
    disclaimer: str = DISCLAIMER


def parse_region(region: object) -> PlanRegion:
    """Validate a region (``pain.region``): ``"low_back"``, ``"neck"`` or ``"both"``."""
    if region == "low_back":
        return "low_back"
    if region == "neck":
        return "neck"
    if region == "both":
        return "both"
    raise InputError(f"expected 'low_back', 'neck' or 'both', got {region!r}", where="pain.region")


def parse_startback_risk(risk: object) -> StartBackRisk | None:
    """Validate an optional STarT Back risk group (case-insensitive ``low/medium/high``)."""
    if risk is None:
        return None
    if isinstance(risk, str):
        norm = risk.strip().lower()
        for known in STARTBACK_RISKS:
            if norm == known:
                return known
    raise InputError(
        f"expected one of {list(STARTBACK_RISKS)} or null, got {risk!r}", where="startback_risk"
    )


def _line(rec: Recommendation | PreventionItem) -> PlanLine:
    regions = rec.regions if isinstance(rec, Recommendation) else ()
    disagreement = rec.disagreement if isinstance(rec, Recommendation) else None
    return PlanLine(
        id=rec.id,
        topic=rec.topic if isinstance(rec, Recommendation) else "prevention",
        title=rec.title,
        text=rec.text,
        verdict=rec.verdict,
        verdict_label=VERDICT_LABELS[rec.verdict],
        certainty=rec.certainty,
        grading=rec.grading,
        why=rec.why,
        disagreement=disagreement,
        corrects=rec.corrects,
        regions=regions,
        sources=rec.sources,
    )


def _ordered(lines: Iterable[PlanLine]) -> tuple[PlanLine, ...]:
    items = list(lines)
    return tuple(sorted(items, key=lambda ln: _VERDICT_ORDER.index(ln.verdict)))


def _claims(ids: Iterable[str]) -> tuple[ClaimRef, ...]:
    doc: ClaimsDocument = load("clinical/claims.yaml", ClaimsDocument)
    by_id = {c.id: c for c in doc.claims}
    out: list[ClaimRef] = []
    for cid in dict.fromkeys(ids):
        c = by_id.get(cid)
        if c is None:
            raise KnowledgeError(f"clinical knowledge refers to unknown claim {cid!r}")
        out.append(
            ClaimRef(
                id=c.id, claim=c.claim, verdict=c.verdict, summary=c.summary, sources=c.sources
            )
        )
    return tuple(out)


def _practitioner() -> PracticeAdvice:
    doc: PractitionerDocument = load("clinical/practitioner.yaml", PractitionerDocument)
    return PracticeAdvice(
        title=doc.title,
        intro=doc.intro,
        look_for=tuple(PracticePointOut(text=p.text, sources=p.sources) for p in doc.look_for),
        be_wary_of=tuple(PracticePointOut(text=p.text, sources=p.sources) for p in doc.be_wary_of),
        corrects=doc.corrects,
    )


_HOLD_REASON = (
    "Held back until a clinician has assessed the warning signs in your answers; "
    "ask them whether it is right for you."
)


def build_plan(
    triage: TriageResult,
    phase: PhaseResult,
    region: PlanRegion | str,
    startback_risk: str | None = None,
) -> Plan:
    """Build the plan.

    Parameters
    ----------
    triage
        Result of :func:`backcare.clinical.triage.triage`.
    phase
        Result of :func:`backcare.clinical.phase.phase`.
    region
        ``"low_back"``, ``"neck"`` or ``"both"`` (the ``pain.region`` answer).
    startback_risk
        Optional STarT Back risk group ``"low"``, ``"medium"`` or ``"high"`` (case-insensitive).

    Raises
    ------
    InputError
        For an unknown region or risk group.
    """
    where = parse_region(region)
    risk = parse_startback_risk(startback_risk)
    if triage.urgency == "emergency":
        flags = tuple(f for f in triage.fired if f.urgency == "emergency")
        return Plan(
            status="emergency",
            urgency="emergency",
            first_step=triage.what_to_do,
            emergency=EmergencyInstructions(
                what_to_do=triage.what_to_do,
                actions=tuple(dict.fromkeys(f.action for f in flags)),
                flags=flags,
            ),
            region=where,
            phase=phase.phase,
            startback_risk=risk,
        )

    regions: set[Region] = {"low_back", "neck"} if where == "both" else {where}
    before_assessment = triage.urgency in ("same_day", "within_week")
    notes: list[str] = []

    def wanted(rec: Recommendation) -> bool:
        if not regions.intersection(rec.regions):
            return False
        if phase.phase == "unknown":
            if set(rec.phases) != set(PHASES):
                return False
        elif phase.phase not in rec.phases:
            return False
        return rec.startback is None or (risk is not None and risk in rec.startback)

    recommended: list[PlanLine] = []
    not_recommended: list[PlanLine] = []
    prevention: list[PlanLine] = []
    held: list[HeldBack] = []
    recs: RecommendationsDocument = load("clinical/recommendations.yaml", RecommendationsDocument)
    prevs: PreventionDocument = load("clinical/prevention.yaml", PreventionDocument)
    for rec in recs.lines:
        if not wanted(rec):
            continue
        if before_assessment and not rec.safe_before_assessment:
            held.append(HeldBack(id=rec.id, title=rec.title, reason=_HOLD_REASON))
            continue
        (not_recommended if rec.verdict == "dont" else recommended).append(_line(rec))
    for item in prevs.items:
        if before_assessment and not item.safe_before_assessment:
            held.append(HeldBack(id=item.id, title=item.title, reason=_HOLD_REASON))
            continue
        (not_recommended if item.verdict == "dont" else prevention).append(_line(item))

    if triage.urgency in ("same_day", "within_week"):
        status: Literal["see_clinician_first", "self_management"] = "see_clinician_first"
        first_step: str | None = (
            f"See a clinician first ({triage.urgency_label.lower()}). {triage.what_to_do}"
        )
    else:
        status = "self_management"
        first_step = triage.what_to_do if triage.urgency == "routine" else None
    if not triage.complete:
        notes.append(
            f"{len(triage.unknown)} warning-sign check(s) were not done because questions were "
            "not answered. They are not counted as 'no'; answer them for a complete check."
        )
    if phase.phase == "unknown":
        notes.append(
            "The length of this episode was not given, so only advice that applies at any stage "
            "is shown."
        )
    notes.extend(phase.notes)
    if risk is None and "low_back" in regions:
        notes.append(
            "A STarT Back result (low, medium or high risk) would add the matched treatment line."
        )

    practitioner = _practitioner()
    claim_ids: list[str] = []
    for ln in (*recommended, *not_recommended, *prevention):
        claim_ids.extend(ln.corrects)
    claim_ids.extend(practitioner.corrects)
    for flag in triage.fired:
        claim_ids.extend(flag.corrects)
    return Plan(
        status=status,
        urgency=triage.urgency,
        first_step=first_step,
        region=where,
        phase=phase.phase,
        startback_risk=risk,
        recommended=_ordered(recommended),
        not_recommended=tuple(not_recommended),
        prevention=_ordered(prevention),
        held_back=tuple(held),
        practitioner=practitioner,
        corrected_claims=_claims(claim_ids),
        notes=tuple(notes),
    )
