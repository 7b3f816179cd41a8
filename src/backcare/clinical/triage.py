"""Red-flag triage: which warning signs are present and how urgently to seek help.

``triage(answers)`` evaluates every rule in ``knowledge/data/clinical/triage.yaml`` with
three-valued logic. A rule *fires* when its condition is true; the result's urgency is the highest
among fired rules (``self_care`` when none fired). A rule whose condition cannot be decided because
answers are missing is reported in ``unknown`` ("not asked / unknown"), never as "no".

Unknown is never "no", and it is never "nothing urgent" either: when a rule that would call for a
same-day visit or an emergency cannot be decided, the urgency is raised to at least a same-day
visit (``clinical/urgency.yaml``: ``unchecked_raises_to``), and ``unchecked_signs`` names each
unanswered sign with how to check it at home. Lower checks left unknown keep the self-care and
routine texts from saying that everything was checked. When the urgency is ``emergency`` the
result says so in ``stop``: the caller should end the assessment and show ``what_to_do`` only.

backcare informs and triages; it never diagnoses. Flag labels describe what a sign *may* mean and
the action to take.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict

from backcare.clinical.answers import (
    answers_json_schema,
    derive_facts,
    evaluate,
    triage_knowledge,
    triage_questions,
    validate_answers,
)
from backcare.knowledge import load
from backcare.knowledge.clinical import (
    URGENCY_ORDER,
    AnswerItem,
    Condition,
    RedFlagRule,
    Urgency,
    UrgencyDocument,
    condition_facts,
)

__all__ = [
    "DISCLAIMER",
    "FiredFlag",
    "TriageResult",
    "UncheckedSign",
    "UnknownFlag",
    "answers_json_schema",
    "triage",
    "triage_questions",
    "urgency_rank",
]

DISCLAIMER = (
    "backcare gives information and suggests how urgently to seek care. It does not diagnose and "
    "does not replace an examination by a clinician. If you are worried, seek medical help."
)


def urgency_rank(urgency: Urgency) -> int:
    """0 for ``self_care`` up to 4 for ``emergency``."""
    return URGENCY_ORDER.index(urgency)


class FiredFlag(BaseModel):
    """A red flag or warning sign that is present."""

    model_config = ConfigDict(frozen=True)

    id: str
    label: str
    group: str
    urgency: Urgency
    explanation: str
    #: What to do for this flag (the flag's own action, else the urgency level's text).
    action: str
    #: Answer ids (and derived facts) that made the condition true.
    triggered_by: tuple[str, ...]
    corrects: tuple[str, ...] = ()
    sources: tuple[str, ...]


class UnknownFlag(BaseModel):
    """A check that could not be done because answers are missing ("not asked / unknown")."""

    model_config = ConfigDict(frozen=True)

    id: str
    label: str
    group: str = ""
    #: The urgency this flag would call for if present.
    urgency: Urgency
    #: Answer ids still needed to decide it.
    missing: tuple[str, ...]
    sources: tuple[str, ...]


class UncheckedSign(BaseModel):
    """A serious warning sign that was not checked, with how a person can check it."""

    model_config = ConfigDict(frozen=True)

    #: The answer id to ask again.
    id: str
    #: The sign in plain words.
    sign: str
    #: How to check it at home, in plain words.
    how_to_check: str
    #: The most urgent level a "yes" could lead to.
    could_mean: Urgency


class TriageResult(BaseModel):
    """Outcome of red-flag triage. JSON-serialisable (``model_dump(mode="json")``)."""

    model_config = ConfigDict(frozen=True)

    urgency: Urgency
    urgency_label: str
    #: What to do now, for the overall urgency (for an emergency: the only thing to show).
    what_to_do: str
    #: True for an emergency: stop the assessment and show ``what_to_do`` and ``fired`` only.
    stop: bool
    #: Present flags, most urgent first.
    fired: tuple[FiredFlag, ...]
    #: Checks not done because answers are missing, most urgent first. Never read these as "no".
    unknown: tuple[UnknownFlag, ...]
    #: Checks that do not apply to these answers (e.g. neck questions for low back pain only).
    not_applicable: tuple[str, ...]
    #: Question ids that were not answered (and apply to these answers).
    not_asked: tuple[str, ...]
    #: True when every check could be decided.
    complete: bool
    #: Serious signs (same-day or emergency if "yes") left unknown, most urgent first.
    unchecked_signs: tuple[UncheckedSign, ...] = ()
    #: True when ``urgency`` was raised because serious signs were not checked.
    raised_by_unchecked: bool = False
    summary: str
    disclaimer: str = DISCLAIMER


def _answer_of(fact: str, doc_derived: Mapping[str, str]) -> str:
    return doc_derived.get(fact, fact)


def _true_leaves(cond: Condition, facts: Mapping[str, bool | None]) -> list[str]:
    return [f for f in condition_facts(cond) if facts.get(f) is True]


def _applicable(item: AnswerItem, facts: Mapping[str, bool | None]) -> bool:
    return item.ask_if is None or evaluate(item.ask_if, facts) is not False


def _fired(
    rule: RedFlagRule, facts: Mapping[str, bool | None], levels: UrgencyDocument
) -> FiredFlag:
    return FiredFlag(
        id=rule.id,
        label=rule.label,
        group=rule.group,
        urgency=rule.urgency,
        explanation=rule.explanation,
        action=rule.action or levels.level(rule.urgency).what_to_do,
        triggered_by=tuple(_true_leaves(rule.when, facts)),
        corrects=rule.corrects,
        sources=rule.sources,
    )


def _summary(
    urgency: Urgency,
    fired: list[FiredFlag],
    unknown: list[UnknownFlag],
    unchecked: list[UncheckedSign],
) -> str:
    if urgency == "emergency":
        return "Emergency: " + "; ".join(f.label for f in fired if f.urgency == "emergency") + "."
    flagged = [f for f in fired if f.urgency != "self_care"]
    if flagged:
        n = len(flagged)
        text = f"{n} warning sign{'s' if n > 1 else ''} found; the most urgent: {flagged[0].label}."
    else:
        text = "No warning sign was found among the questions answered."
    if unchecked:
        n = len(unchecked)
        text += (
            f" {n} serious warning sign{'s were' if n > 1 else ' was'} not checked: "
            + "; ".join(u.sign for u in unchecked)
            + "."
        )
    elif unknown:
        n = len(unknown)
        text += (
            f" {n} check{'s' if n > 1 else ''} could not be done because questions were not"
            " answered; they are not counted as 'no'."
        )
    return text


def _unchecked_signs(
    unknown: list[UnknownFlag], items: Mapping[str, AnswerItem], floor: Urgency
) -> list[UncheckedSign]:
    out: dict[str, UncheckedSign] = {}
    for flag in unknown:
        if urgency_rank(flag.urgency) < urgency_rank(floor):
            continue
        for answer_id in flag.missing:
            if answer_id in out:
                continue
            item = items.get(answer_id)
            if item is None:
                continue
            out[answer_id] = UncheckedSign(
                id=answer_id,
                sign=item.sign or item.text,
                how_to_check=item.how_to_check or f"Answer this question: {item.text}",
                could_mean=flag.urgency,
            )
    return sorted(out.values(), key=lambda u: -urgency_rank(u.could_mean))


def triage(answers: Mapping[str, object]) -> TriageResult:
    """Evaluate the red-flag rules for one set of answers.

    Parameters
    ----------
    answers
        Answer id to value (see :mod:`backcare.clinical.answers`); ids of other modules are
        ignored. Missing or ``None`` answers are "not asked / unknown".

    Returns
    -------
    TriageResult
        Urgency (highest among fired flags), the fired flags with sources, the checks left
        undecided, and what to do now.

    Raises
    ------
    InputError
        For an unknown ``triage.*`` / ``profile.*`` / ``pain.*`` id or a value of the wrong type.
    """
    values = validate_answers(answers)
    facts = derive_facts(values)
    doc = triage_knowledge()
    levels: UrgencyDocument = load("clinical/urgency.yaml", UrgencyDocument)
    derived_answer = {d.id: d.answer for d in doc.derived}
    items = {i.id: i for i in doc.answers}

    fired: list[FiredFlag] = []
    unknown: list[UnknownFlag] = []
    not_applicable: list[str] = []
    for rule in doc.rules:
        state = evaluate(rule.when, facts)
        if state is True:
            fired.append(_fired(rule, facts, levels))
        elif state is None:
            missing = [
                _answer_of(f, derived_answer)
                for f in condition_facts(rule.when)
                if facts.get(f) is None
            ]
            missing = list(dict.fromkeys(missing))
            relevant = [m for m in missing if m not in items or _applicable(items[m], facts)]
            # A self-care note left unanswered cannot change the urgency or the plan.
            if relevant and rule.urgency != "self_care":
                unknown.append(
                    UnknownFlag(
                        id=rule.id,
                        label=rule.label,
                        group=rule.group,
                        urgency=rule.urgency,
                        missing=tuple(relevant),
                        sources=rule.sources,
                    )
                )
            else:
                not_applicable.append(rule.id)

    fired.sort(key=lambda f: -urgency_rank(f.urgency))
    unknown.sort(key=lambda u: -urgency_rank(u.urgency))
    urgency: Urgency = fired[0].urgency if fired else "self_care"
    floor = levels.unchecked_raises_to
    unchecked = _unchecked_signs(unknown, items, floor)
    raised = bool(unchecked) and urgency_rank(urgency) < urgency_rank(floor)
    level = levels.level(floor if raised else urgency)
    if raised:
        urgency = floor
        label, what_to_do = levels.unchecked.label, levels.unchecked.what_to_do
    elif unknown and level.if_not_all_checked:
        label, what_to_do = level.label, level.if_not_all_checked
    else:
        label, what_to_do = level.label, level.what_to_do
    not_asked = tuple(
        i.id for i in doc.answers if values.get(i.id) is None and _applicable(i, facts)
    )
    return TriageResult(
        urgency=urgency,
        urgency_label=label,
        what_to_do=what_to_do,
        stop=urgency == "emergency",
        fired=tuple(fired),
        unknown=tuple(unknown),
        not_applicable=tuple(not_applicable),
        not_asked=not_asked,
        complete=not unknown,
        unchecked_signs=tuple(unchecked),
        raised_by_unchecked=raised,
        summary=_summary(urgency, fired, unknown, unchecked),
    )
