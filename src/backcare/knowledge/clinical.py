"""Schemas of the clinical knowledge files (``knowledge/data/clinical/*.yaml``).

Seven kinds of file, each validated here and registered in :mod:`backcare.knowledge.catalog`:

``clinical-urgency``
    The five urgency levels, their order and the plain-language "what to do now" text.
``clinical-triage``
    The answer ids (questions), the facts derived from numeric answers, and the red-flag rules
    that map facts to an urgency. Conditions use three-valued logic (see :class:`AnyOf`).
``clinical-phase``
    Default duration cut-offs for acute / subacute / chronic pain and what each phase means.
``clinical-recommendations``
    Plan lines: verdict (do / consider / only with exercise / don't), certainty, sources.
``clinical-prevention``
    Prevention advice with an honest evidence verdict.
``clinical-claims``
    The seed article's claims with verdicts, evidence and sources.
``clinical-practitioner``
    How to choose a practitioner.

Answer ids
----------
``<prefix>.<name>`` with prefix ``triage`` (red-flag and warning-sign questions, answered
``true`` / ``false`` / ``null``), ``profile`` (facts about the person, e.g. ``profile.age``) or
``pain`` (the current episode: ``pain.region``, ``pain.duration_weeks``, ``pain.recurrent``,
``pain.onset_age``). Derived facts (``derived.<name>``) are computed from numeric or choice answers
and never entered by the user.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field, StringConstraints, model_validator

from backcare.knowledge.schema import Cited, Document, KnowledgeModel, Source

__all__ = [
    "ANSWER_PREFIXES",
    "PHASES",
    "REGIONS",
    "STARTBACK_RISKS",
    "URGENCY_ORDER",
    "AllOf",
    "AnswerItem",
    "AnyOf",
    "AtLeast",
    "Certainty",
    "Checklist",
    "Claim",
    "ClaimVerdict",
    "ClaimsDocument",
    "Condition",
    "DerivedFact",
    "Maybe",
    "Phase",
    "PhaseCutoffSpec",
    "PhaseDocument",
    "PhaseInfo",
    "PhaseNote",
    "PracticePoint",
    "PractitionerDocument",
    "PreventionDocument",
    "PreventionItem",
    "Recommendation",
    "RecommendationsDocument",
    "RedFlagRule",
    "Region",
    "Section",
    "StartBackRisk",
    "TriageDocument",
    "UncheckedAdvice",
    "UntilVisit",
    "Urgency",
    "UrgencyDocument",
    "UrgencyLevel",
    "Verdict",
    "citation_scope_problems",
    "condition_facts",
]

Urgency = Literal["emergency", "same_day", "within_week", "routine", "self_care"]
#: Lowest to highest. The highest urgency among fired rules wins.
URGENCY_ORDER: tuple[Urgency, ...] = (
    "self_care",
    "routine",
    "within_week",
    "same_day",
    "emergency",
)

Phase = Literal["acute", "subacute", "chronic"]
PHASES: tuple[Phase, ...] = ("acute", "subacute", "chronic")

Region = Literal["low_back", "neck"]
REGIONS: tuple[Region, ...] = ("low_back", "neck")

StartBackRisk = Literal["low", "medium", "high"]
STARTBACK_RISKS: tuple[StartBackRisk, ...] = ("low", "medium", "high")

#: ``disputed``: guidelines disagree; shown apart from advice, with both positions.
Verdict = Literal["do", "consider", "only_with_exercise", "disputed", "dont"]
#: Certainty of the evidence behind a line (GRADE wording), or ``consensus`` where a guideline
#: recommends without a graded evidence base.
Certainty = Literal["high", "moderate", "low", "very_low", "consensus"]
ClaimVerdict = Literal[
    "roughly_right",
    "misleading",
    "unproven",
    "unsupported",
    "no_evidence_found",
    "against_one_trial",
    "contradicted",
    "false",
]

#: ``self``: backcare's own everyday questions (not a validated questionnaire).
ANSWER_PREFIXES: tuple[str, ...] = ("triage", "profile", "pain", "self")

AnswerId = Annotated[
    str, StringConstraints(pattern=r"^(triage|profile|pain|self)\.[a-z][a-z0-9_]*$")
]
DerivedId = Annotated[str, StringConstraints(pattern=r"^derived\.[a-z][a-z0-9_]*$")]
FactId = Annotated[
    str, StringConstraints(pattern=r"^(triage|profile|pain|self|derived)\.[a-z][a-z0-9_]*$")
]
ItemId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")]
Text = Annotated[str, StringConstraints(min_length=3, strip_whitespace=True)]


# -- conditions (three-valued logic) ---------------------------------------------------------------


class AnyOf(KnowledgeModel):
    """True if any part is true; false only if every part is false; otherwise unknown."""

    any_of: tuple[Condition, ...] = Field(min_length=1)


class AllOf(KnowledgeModel):
    """True if every part is true; false if any part is false; otherwise unknown."""

    all_of: tuple[Condition, ...] = Field(min_length=1)


class AtLeast(KnowledgeModel):
    """True if at least ``at_least`` parts are true; false once that can no longer happen."""

    at_least: int = Field(ge=1)
    of: tuple[Condition, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _reachable(self) -> AtLeast:
        if self.at_least > len(self.of):
            raise ValueError(f"at_least={self.at_least} but only {len(self.of)} parts")
        return self


class Maybe(KnowledgeModel):
    """True when the fact is true *or unknown* ("yes" or "don't know"); false only for "no".

    For follow-up rules that must not wait for a "yes": chest pain answered "don't know" with
    breathlessness is still an emergency.
    """

    maybe: FactId


#: A fact id (a yes/no answer or a derived fact) or a combination of conditions.
Condition = FactId | AnyOf | AllOf | AtLeast | Maybe

AnyOf.model_rebuild()
AllOf.model_rebuild()
AtLeast.model_rebuild()


def condition_facts(cond: Condition) -> list[str]:
    """Every fact id a condition refers to, in order of appearance (duplicates removed)."""
    out: list[str] = []

    def walk(c: Condition) -> None:
        if isinstance(c, str):
            if c not in out:
                out.append(c)
        elif isinstance(c, Maybe):
            if c.maybe not in out:
                out.append(c.maybe)
        elif isinstance(c, AnyOf):
            for part in c.any_of:
                walk(part)
        elif isinstance(c, AllOf):
            for part in c.all_of:
                walk(part)
        else:
            for part in c.of:
                walk(part)

    walk(cond)
    return out


# -- urgency ---------------------------------------------------------------------------------------


class UrgencyLevel(Cited):
    """One urgency level with the plain-language action for the person."""

    id: Urgency
    label: Text
    what_to_do: Text
    #: Replaces ``what_to_do`` when some lower-urgency checks were left unanswered (it must not
    #: say that the plan is safe to follow, or that nothing needs a doctor).
    if_not_all_checked: str | None = None


class UncheckedAdvice(Cited):
    """What to say when a sign that would need a doctor today or sooner was not checked."""

    label: Text
    what_to_do: Text


class UntilVisit(Cited):
    """One thing that is safe to do while waiting to be examined."""

    text: Text


class UrgencyDocument(Document):
    """``clinical/urgency.yaml``."""

    KIND: ClassVar[str] = "clinical-urgency"
    levels: tuple[UrgencyLevel, ...]
    #: Serious signs left unchecked raise the urgency to at least this level, with this text.
    unchecked: UncheckedAdvice
    unchecked_raises_to: Urgency = "same_day"
    #: Shown instead of a self-management plan while a visit is due (same day / within a week).
    until_visit: tuple[UntilVisit, ...] = Field(min_length=1)
    #: Signs to act on at once while waiting for the visit.
    watch_for: tuple[UntilVisit, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _all_levels_once(self) -> UrgencyDocument:
        ids = [lvl.id for lvl in self.levels]
        if sorted(ids) != sorted(URGENCY_ORDER):
            raise ValueError(f"levels must be exactly {list(URGENCY_ORDER)}, got {ids}")
        return self

    def level(self, urgency: Urgency) -> UrgencyLevel:
        return next(lvl for lvl in self.levels if lvl.id == urgency)

    @model_validator(mode="after")
    def _lower_levels_hedged(self) -> UrgencyDocument:
        for lvl in self.levels:
            if lvl.id in ("self_care", "routine") and not lvl.if_not_all_checked:
                raise ValueError(f"level {lvl.id} needs if_not_all_checked")
        return self


# -- triage ----------------------------------------------------------------------------------------


class AnswerItem(KnowledgeModel):
    """One answer id: its type, allowed values, question text and when to ask it."""

    id: AnswerId
    #: ``duration``: a length of time the person gives in days, weeks, months or years; stored
    #: in weeks.
    type: Literal["boolean", "integer", "number", "choice", "duration"]
    section: ItemId
    text: Text
    help: str | None = None
    unit: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] | None = None
    #: What a person reads for each choice (plain words; never the choice id).
    labels: tuple[Text, ...] | None = None
    #: Ask only when this condition is not false (unknown still asks).
    ask_if: Condition | None = None
    #: For warning-sign questions: the sign in a few plain words ("numbness around your bottom").
    sign: str | None = None
    #: For warning-sign questions: how a person can check it at home, in plain words.
    how_to_check: str | None = None
    #: Asked together with the other yes/no questions of this checklist in the terminal.
    checklist: ItemId | None = None
    #: The question as a checklist line.
    short: str | None = None
    #: ``False``: accepted in answer files but not asked in the interview (it cannot change the
    #: urgency or the plan).
    interactive: bool = True

    @model_validator(mode="after")
    def _type_fields(self) -> AnswerItem:
        if self.type == "choice" and not self.choices:
            raise ValueError(f"{self.id}: a choice item needs choices")
        if self.type == "choice" and len(self.labels or ()) != len(self.choices or ()):
            raise ValueError(f"{self.id}: a choice item needs one label per choice")
        if self.type != "choice" and self.choices:
            raise ValueError(f"{self.id}: only choice items have choices")
        if self.type == "integer" and self.labels is not None:
            lo, hi = self.minimum, self.maximum
            if lo is None or hi is None or len(self.labels) != int(hi - lo) + 1:
                raise ValueError(f"{self.id}: a labelled scale needs one label per value")
        if self.type in ("boolean", "number", "duration") and self.labels is not None:
            raise ValueError(f"{self.id}: only choices and small scales have labels")
        if self.type == "boolean" and (self.minimum is not None or self.maximum is not None):
            raise ValueError(f"{self.id}: a boolean item has no range")
        if self.id.startswith("triage.") and self.type != "boolean":
            raise ValueError(f"{self.id}: triage.* items are yes/no questions")
        return self


class DerivedFact(Cited):
    """A yes/no fact computed from a numeric or choice answer, e.g. ``profile.age > 50``."""

    id: DerivedId
    answer: AnswerId
    op: Literal["gt", "ge", "lt", "le", "in"]
    value: float | None = None
    values: tuple[str, ...] | None = None
    description: Text

    @model_validator(mode="after")
    def _operand(self) -> DerivedFact:
        if self.op == "in" and not self.values:
            raise ValueError(f"{self.id}: op 'in' needs values")
        if self.op != "in" and self.value is None:
            raise ValueError(f"{self.id}: op {self.op!r} needs a numeric value")
        return self


class RedFlagRule(Cited):
    """A red flag (or warning sign) and the urgency it calls for when its condition is true."""

    id: ItemId
    label: Text
    group: ItemId
    urgency: Urgency
    when: Condition
    #: Why this matters, in plain words (shown when the rule fires).
    explanation: Text
    #: A specific action for this flag (overrides the generic urgency text where given).
    action: str | None = None
    #: Ids of article claims this rule corrects.
    corrects: tuple[ItemId, ...] = ()


class Section(KnowledgeModel):
    """A group of questions with the heading a person sees."""

    id: ItemId
    title: Text


class Checklist(KnowledgeModel):
    """Yes/no questions asked as one list in the terminal, with its lead-in."""

    id: ItemId
    text: Text


class TriageDocument(Document):
    """``clinical/triage.yaml``: answer ids, derived facts and red-flag rules."""

    KIND: ClassVar[str] = "clinical-triage"
    sections: tuple[Section, ...] = Field(min_length=1)
    checklists: tuple[Checklist, ...] = ()
    answers: tuple[AnswerItem, ...]
    derived: tuple[DerivedFact, ...]
    rules: tuple[RedFlagRule, ...]

    @model_validator(mode="after")
    def _references(self) -> TriageDocument:
        items = {a.id: a for a in self.answers}
        if len(items) != len(self.answers):
            raise ValueError("duplicate answer id")
        derived = {d.id: d for d in self.derived}
        if len(derived) != len(self.derived):
            raise ValueError("duplicate derived fact id")
        if len({r.id for r in self.rules}) != len(self.rules):
            raise ValueError("duplicate rule id")
        for d in self.derived:
            src = items.get(d.answer)
            if src is None:
                raise ValueError(f"{d.id}: unknown answer {d.answer!r}")
            wanted = ("choice",) if d.op == "in" else ("integer", "number", "duration")
            if src.type not in wanted:
                raise ValueError(f"{d.id}: {d.answer} is {src.type}, op {d.op!r} needs {wanted}")
            if d.op == "in" and src.choices and not set(d.values or ()) <= set(src.choices):
                raise ValueError(f"{d.id}: values not among the choices of {d.answer}")

        def check(cond: Condition, where: str) -> None:
            for fact in condition_facts(cond):
                if fact in derived:
                    continue
                item = items.get(fact)
                if item is None:
                    raise ValueError(f"{where}: unknown fact {fact!r}")
                if item.type != "boolean":
                    raise ValueError(f"{where}: {fact} is not a yes/no answer; derive a fact")

        used: set[str] = set()
        serious: set[str] = set()
        for rule in self.rules:
            check(rule.when, f"rule {rule.id}")
            used.update(condition_facts(rule.when))
            if URGENCY_ORDER.index(rule.urgency) >= URGENCY_ORDER.index("same_day"):
                serious.update(condition_facts(rule.when))
        sections = {s.id for s in self.sections}
        for item in self.answers:
            if item.section not in sections:
                raise ValueError(f"{item.id}: section {item.section!r} is not declared")
            if item.ask_if is not None:
                check(item.ask_if, f"ask_if of {item.id}")
            if item.id.startswith("triage.") and item.id not in used:
                raise ValueError(f"{item.id} is asked but no rule uses it")
            if item.checklist is not None:
                if item.checklist not in {c.id for c in self.checklists}:
                    raise ValueError(f"{item.id}: checklist {item.checklist!r} is not declared")
                if item.type != "boolean" or not item.short:
                    raise ValueError(f"{item.id}: checklist items are yes/no with a 'short' line")
                if item.id in serious:
                    raise ValueError(
                        f"{item.id} feeds a same-day or emergency rule: ask it on its own"
                    )
            needs_check = item.id in serious and item.type == "boolean"
            if needs_check and (not item.sign or not item.how_to_check):
                raise ValueError(
                    f"{item.id} feeds a same-day or emergency rule: it needs 'sign' and "
                    "'how_to_check' (what to tell a person who answered \"don't know\")"
                )
        return self

    def section_title(self, section: str) -> str:
        return next(s.title for s in self.sections if s.id == section)


# -- phase -----------------------------------------------------------------------------------------


class PhaseCutoffSpec(Cited):
    """Default duration cut-offs in weeks: acute below the first, chronic above the second."""

    acute_below_weeks: float = Field(gt=0)
    chronic_above_weeks: float = Field(gt=0)
    note: Text

    @model_validator(mode="after")
    def _ordered(self) -> PhaseCutoffSpec:
        if not self.acute_below_weeks < self.chronic_above_weeks:
            raise ValueError("acute_below_weeks must be below chronic_above_weeks")
        return self


class PhaseInfo(Cited):
    """What a phase means for the person."""

    id: Phase
    label: Text
    description: Text


class PhaseNote(Cited):
    """A cited note shown with the phase (e.g. what a recurrent episode means)."""

    text: Text


class PhaseDocument(Document):
    """``clinical/phase.yaml``."""

    KIND: ClassVar[str] = "clinical-phase"
    cutoffs: PhaseCutoffSpec
    phases: tuple[PhaseInfo, ...]
    recurrent_note: PhaseNote

    @model_validator(mode="after")
    def _all_phases(self) -> PhaseDocument:
        if sorted(p.id for p in self.phases) != sorted(PHASES):
            raise ValueError(f"phases must be exactly {list(PHASES)}")
        return self


# -- plan ------------------------------------------------------------------------------------------


class Recommendation(Cited):
    """One plan line: an intervention, for which regions and phases, with its verdict."""

    id: ItemId
    topic: ItemId
    title: Text
    text: Text
    verdict: Verdict
    certainty: Certainty
    #: The source's own grading, in words (e.g. "ACP 2017: strong recommendation, moderate-quality
    #: evidence").
    grading: Text
    regions: tuple[Region, ...] = Field(min_length=1)
    phases: tuple[Phase, ...] = Field(min_length=1)
    #: Required for "dont" lines: why it is not recommended.
    why: str | None = None
    #: Where guidelines disagree, say so.
    disagreement: str | None = None
    corrects: tuple[ItemId, ...] = ()
    #: False for active treatments that should wait until a clinician has assessed red flags.
    safe_before_assessment: bool
    #: Shown only for these STarT Back risk groups (``None``: shown regardless of risk).
    startback: tuple[StartBackRisk, ...] | None = None
    #: ``True``: only for leg pain spreading below the knee (sciatica); ``False``: only without
    #: it; ``None``: either.
    sciatica: bool | None = None
    #: Red-flag rule ids or groups: the line is left out when one of them fired or could not be
    #: checked (e.g. neck manipulation with dizziness or vascular warning signs).
    avoid_with: tuple[ItemId, ...] = ()
    #: Shown first when one of these answers (``self.*`` ids) is "yes", e.g. the education line
    #: for a person who fears that movement causes damage.
    first_if: tuple[FactId, ...] = ()

    @model_validator(mode="after")
    def _dont_has_reason(self) -> Recommendation:
        if self.verdict == "dont" and not self.why:
            raise ValueError(f"{self.id}: a 'dont' line must say why")
        if self.verdict == "disputed" and not self.disagreement:
            raise ValueError(f"{self.id}: a 'disputed' line must give both positions")
        return self


class RecommendationsDocument(Document):
    """``clinical/recommendations.yaml``."""

    KIND: ClassVar[str] = "clinical-recommendations"
    lines: tuple[Recommendation, ...]

    @model_validator(mode="after")
    def _unique(self) -> RecommendationsDocument:
        if len({r.id for r in self.lines}) != len(self.lines):
            raise ValueError("duplicate recommendation id")
        return self


class PreventionItem(Cited):
    """One piece of prevention advice with an honest evidence verdict."""

    id: ItemId
    title: Text
    text: Text
    verdict: Verdict
    certainty: Certainty
    grading: Text
    why: str | None = None
    corrects: tuple[ItemId, ...] = ()
    safe_before_assessment: bool

    @model_validator(mode="after")
    def _dont_has_reason(self) -> PreventionItem:
        if self.verdict == "dont" and not self.why:
            raise ValueError(f"{self.id}: a 'dont' item must say why")
        return self


class PreventionDocument(Document):
    """``clinical/prevention.yaml``."""

    KIND: ClassVar[str] = "clinical-prevention"
    items: tuple[PreventionItem, ...]


class PracticePoint(Cited):
    """One thing to look for (or be wary of) in a practitioner."""

    text: Text


class PractitionerDocument(Document):
    """``clinical/practitioner.yaml``: how to choose a practitioner."""

    KIND: ClassVar[str] = "clinical-practitioner"
    title: Text
    intro: Text
    look_for: tuple[PracticePoint, ...] = Field(min_length=1)
    be_wary_of: tuple[PracticePoint, ...] = Field(min_length=1)
    corrects: tuple[ItemId, ...] = ()


# -- fact-checks -----------------------------------------------------------------------------------


class Claim(Cited):
    """A claim from the seed article (or a reader comment under it), checked against evidence."""

    id: ItemId
    #: The claim in our own words (not a quotation).
    claim: Text
    said_by: Literal["article", "reader comment"]
    verdict: ClaimVerdict
    summary: Text
    evidence: Text


class ClaimsDocument(Document):
    """``clinical/claims.yaml``."""

    KIND: ClassVar[str] = "clinical-claims"
    claims: tuple[Claim, ...]

    @model_validator(mode="after")
    def _unique(self) -> ClaimsDocument:
        if len({c.id for c in self.claims}) != len(self.claims):
            raise ValueError("duplicate claim id")
        return self


def citation_scope_problems(
    lines: tuple[Recommendation, ...], registry: dict[str, Source]
) -> list[str]:
    """Every plan line that cites a source outside the source's declared scope.

    A source cited by a plan line must declare what it covers (``scope``: regions, phases);
    the line's regions and phases must lie within it. Returns one message per problem.
    """
    problems: list[str] = []
    for rec in lines:
        for sid in rec.sources:
            src = registry.get(sid)
            if src is None:
                continue  # dangling ids are reported by the loader
            if src.scope is None:
                problems.append(f"{rec.id}: source {sid} declares no scope (regions, phases)")
                continue
            regions = set(rec.regions) - set(src.scope.regions)
            phases = set(rec.phases) - set(src.scope.phases)
            if regions or phases:
                outside = ", ".join(sorted(regions | phases))
                problems.append(f"{rec.id}: cites {sid} outside its scope ({outside})")
    return problems
