"""The evidence-graded plan: what to do (and what not to) for this region, phase and urgency.

``build_plan(triage, phase, region, startback_risk=None)`` selects lines from
``knowledge/data/clinical/recommendations.yaml`` and ``prevention.yaml``. Rules:

* **Red flags always win.** If triage says ``emergency``, the plan is replaced by the emergency
  instructions only (no advice, no prevention). If it says ``same_day`` or ``within_week`` (which
  includes serious signs left unchecked), the plan shows only what is safe until the visit
  (``until_visit``), what to act on at once (``watch_for``) and what to tell the doctor; every
  other line waits in ``held_back``. ``routine`` adds a first step to mention the findings at a
  routine visit; unanswered checks keep the plan from saying it is safe to follow.
* **"Don't" is never advice.** Lines with verdict ``dont`` appear only in ``not_recommended``, each
  with its reason; where guidelines disagree (``disputed``) both positions are shown apart from
  the advice; ``recommended`` and ``prevention`` hold only do / consider / only-with-exercise.
* **Region, phase, sciatica and flags.** ``low_back``, ``upper_back`` (low back lines, with a
  note), ``neck`` or ``both``; lines for the episode's phase, or, when the phase is unknown, only
  advice that holds in every phase (and every "don't"). Sciatica lines only with leg pain below
  the knee. A line lists the flags it must be avoided with (``avoid_with``): neck manipulation is
  never shown with dizziness or vascular warning signs, answered "yes" or not checked.
* **STarT Back.** An optional risk group (``"low"``, ``"medium"``, ``"high"``) adds the matched
  line (Hill 2011); without it those lines are left out.
* Lines that correct a claim of the seed article name it; the claims are attached in
  ``corrected_claims``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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
    UrgencyDocument,
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
    "SafePoint",
    "build_plan",
    "parse_region",
    "parse_startback_risk",
]

PlanRegion = Literal["low_back", "upper_back", "neck", "both"]
#: Which guideline region's lines a plan region uses.
_GUIDANCE: dict[str, Region] = {"low_back": "low_back", "upper_back": "low_back", "neck": "neck"}

VERDICT_LABELS: dict[Verdict, str] = {
    "do": "Recommended",
    "consider": "Worth considering",
    "only_with_exercise": "Only together with exercise",
    "disputed": "Guidelines disagree",
    "dont": "Not recommended",
}
_VERDICT_ORDER: tuple[Verdict, ...] = ("do", "consider", "only_with_exercise", "disputed")


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


class SafePoint(BaseModel):
    """One cited point of what is safe while waiting for a visit, or what to watch for."""

    model_config = ConfigDict(frozen=True)

    text: str
    sources: tuple[str, ...]


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
    #: Never advice either: where guidelines disagree, with both positions.
    disputed: tuple[PlanLine, ...] = ()
    prevention: tuple[PlanLine, ...] = ()
    #: While a visit is due: what is safe until then, what to act on at once, what to tell.
    until_visit: tuple[SafePoint, ...] = ()
    watch_for: tuple[SafePoint, ...] = ()
    tell_the_doctor: tuple[str, ...] = ()
    held_back: tuple[HeldBack, ...] = ()
    practitioner: PracticeAdvice | None = None
    corrected_claims: tuple[ClaimRef, ...] = ()
    notes: tuple[str, ...] = ()
    disclaimer: str = DISCLAIMER


def parse_region(region: object) -> PlanRegion:
    """Validate a region (``pain.region``): ``low_back``, ``upper_back``, ``neck``, ``both``."""
    if region == "low_back":
        return "low_back"
    if region == "upper_back":
        return "upper_back"
    if region == "neck":
        return "neck"
    if region == "both":
        return "both"
    raise InputError(
        f"expected 'low_back', 'upper_back', 'neck' or 'both', got {region!r}", where="pain.region"
    )


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


_HOLD_REASON = "Ask at your visit whether this is right for you."


def _see_clinician_plan(
    triage: TriageResult,
    phase: PhaseResult,
    where: PlanRegion,
    risk: StartBackRisk | None,
    lines: Iterable[Recommendation | PreventionItem],
) -> Plan:
    """Only what is safe until the visit: no self-management advice, no "don't" list."""
    levels: UrgencyDocument = load("clinical/urgency.yaml", UrgencyDocument)
    # Active treatments wait for the visit; harmless everyday lines (understanding the pain,
    # breaks from sitting) are simply not the focus now and are not "held back".
    held = tuple(
        HeldBack(id=ln.id, title=ln.title, reason=_HOLD_REASON)
        for ln in lines
        if ln.verdict not in ("dont", "disputed") and not ln.safe_before_assessment
    )
    tell = [f.label for f in triage.fired if f.urgency != "self_care"]
    tell += [f"Not checked: {u.sign}" for u in triage.unchecked_signs]
    return Plan(
        status="see_clinician_first",
        urgency=triage.urgency,
        first_step=triage.what_to_do,
        region=where,
        phase=phase.phase,
        startback_risk=risk,
        until_visit=tuple(SafePoint(text=u.text, sources=u.sources) for u in levels.until_visit),
        watch_for=tuple(SafePoint(text=u.text, sources=u.sources) for u in levels.watch_for),
        tell_the_doctor=tuple(tell),
        held_back=held,
        corrected_claims=_claims(c for f in triage.fired for c in f.corrects),
        notes=("Your plan for everyday self-care will be ready once a clinician has seen you.",),
    )


def build_plan(
    triage: TriageResult,
    phase: PhaseResult,
    region: PlanRegion | str,
    startback_risk: str | None = None,
    *,
    sciatica: bool | None = None,
    concerns: Mapping[str, bool | None] | None = None,
) -> Plan:
    """Build the plan.

    Parameters
    ----------
    triage
        Result of :func:`backcare.clinical.triage.triage`.
    phase
        Result of :func:`backcare.clinical.phase.phase`.
    region
        ``"low_back"``, ``"upper_back"``, ``"neck"`` or ``"both"`` (the ``pain.region``
        answer). Upper-back pain gets the low back lines (guidelines for it are few), with a note.
    startback_risk
        Optional STarT Back risk group ``"low"``, ``"medium"`` or ``"high"`` (case-insensitive).
    sciatica
        Leg pain spreading below the knee (``pain.leg_below_knee``): adds the sciatica lines.
    concerns
        backcare's own yes/no answers (``self.*``); lines that answer a worry come first.

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

    regions: set[Region] = {"low_back", "neck"} if where == "both" else {_GUIDANCE[where]}
    avoid = {f.id for f in triage.fired} | {u.id for u in triage.unknown}
    notes: list[str] = []

    def wanted(rec: Recommendation) -> bool:
        if not regions.intersection(rec.regions):
            return False
        if rec.sciatica is True and sciatica is not True:
            return False
        if rec.sciatica is False and sciatica is True:
            return False
        if avoid.intersection(rec.avoid_with):
            return False
        if phase.phase == "unknown":
            # A "don't" is safe to show at any stage; advice only when it holds at every stage.
            if rec.verdict != "dont" and set(rec.phases) != set(PHASES):
                return False
        elif phase.phase not in rec.phases:
            return False
        return rec.startback is None or (risk is not None and risk in rec.startback)

    recs: RecommendationsDocument = load("clinical/recommendations.yaml", RecommendationsDocument)
    prevs: PreventionDocument = load("clinical/prevention.yaml", PreventionDocument)
    chosen = [rec for rec in recs.lines if wanted(rec)]
    if triage.urgency in ("same_day", "within_week"):
        return _see_clinician_plan(triage, phase, where, risk, [*chosen, *prevs.items])

    facts = concerns or {}
    recommended: list[PlanLine] = []
    not_recommended: list[PlanLine] = []
    disputed: list[PlanLine] = []
    prevention: list[PlanLine] = []
    first: list[str] = []
    for rec in chosen:
        if rec.verdict == "dont":
            not_recommended.append(_line(rec))
        elif rec.verdict == "disputed":
            disputed.append(_line(rec))
        else:
            recommended.append(_line(rec))
            if any(facts.get(f) is True for f in rec.first_if):
                first.append(rec.id)
    for item in prevs.items:
        (not_recommended if item.verdict == "dont" else prevention).append(_line(item))

    status: Literal["see_clinician_first", "self_management"] = "self_management"
    first_step = triage.what_to_do if (triage.urgency == "routine" or not triage.complete) else None
    if not triage.complete:
        n = len(triage.unknown)
        notes.append(
            f"{n} warning-sign check{'s were' if n > 1 else ' was'} not done because questions "
            "were not answered. They are not counted as 'no'; answer them for a complete check."
        )
    if where == "upper_back":
        notes.append(
            "Guidelines for upper-back pain are few; this plan follows the advice for low back "
            "pain. A doctor or physiotherapist can tailor it."
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
    for ln in (*recommended, *not_recommended, *disputed, *prevention):
        claim_ids.extend(ln.corrects)
    claim_ids.extend(practitioner.corrects)
    for flag in triage.fired:
        claim_ids.extend(flag.corrects)
    ordered = _ordered(recommended)
    ordered = (
        *(ln for ln in ordered if ln.id in first),
        *(ln for ln in ordered if ln.id not in first),
    )
    return Plan(
        status=status,
        urgency=triage.urgency,
        first_step=first_step,
        region=where,
        phase=phase.phase,
        startback_risk=risk,
        recommended=ordered,
        not_recommended=tuple(not_recommended),
        disputed=tuple(disputed),
        prevention=_ordered(prevention),
        practitioner=practitioner,
        corrected_claims=_claims(claim_ids),
        notes=tuple(notes),
    )
