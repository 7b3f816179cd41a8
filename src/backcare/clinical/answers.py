"""Answer ids for triage, the person and the pain episode: validation, questions, JSON Schema.

Answer ids are ``<prefix>.<name>`` with prefix ``triage`` (yes/no red-flag and warning-sign
questions), ``profile`` (``profile.age``) or ``pain`` (``pain.region``, ``pain.duration_weeks``,
``pain.recurrent``, ``pain.onset_age``). The full list, with types, ranges and question text, is
data: ``knowledge/data/clinical/triage.yaml``. A missing id or ``None`` means "not asked /
unknown"; it is never read as "no".

Ids with other prefixes (for example questionnaire items such as ``odi.3``) are left alone, so one
answers mapping can hold everything an assessment collected. An unknown id with one of these
prefixes, a ``derived.*`` id, or a value of the wrong type is an
:class:`~backcare.errors.InputError` naming the id.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict

from backcare.errors import InputError
from backcare.knowledge import load
from backcare.knowledge.clinical import (
    ANSWER_PREFIXES,
    AllOf,
    AnswerItem,
    AnyOf,
    AtLeast,
    Condition,
    DerivedFact,
    Maybe,
    TriageDocument,
    Urgency,
    condition_facts,
)

__all__ = [
    "DURATION_UNITS",
    "AnswerValue",
    "QuestionMapping",
    "TriageQuestion",
    "answers_json_schema",
    "derive_facts",
    "describe",
    "evaluate",
    "parse_duration",
    "to_weeks",
    "triage_knowledge",
    "triage_questions",
    "validate_answers",
]

AnswerValue = bool | int | float | str | None
Facts = dict[str, bool | None]


#: Units a person may give a duration in, and their length [weeks] (a month is 365.25/12 days).
DURATION_UNITS: dict[str, float] = {
    "days": 1 / 7,
    "weeks": 1.0,
    "months": 365.25 / 12 / 7,
    "years": 365.25 / 7,
}
_UNIT_WORDS = {
    "d": "days", "day": "days", "days": "days",
    "w": "weeks", "wk": "weeks", "wks": "weeks", "week": "weeks", "weeks": "weeks",
    "m": "months", "mo": "months", "month": "months", "months": "months",
    "y": "years", "yr": "years", "yrs": "years", "year": "years", "years": "years",
}  # fmt: skip


def to_weeks(amount: float, unit: str) -> float:
    """A duration given in ``days``, ``weeks``, ``months`` or ``years`` -> weeks (rounded to
    a hundredth)."""
    if unit not in DURATION_UNITS:
        raise InputError(f"choose days, weeks, months or years, not {unit!r}", where="unit")
    if not math.isfinite(amount) or amount < 0:
        raise InputError("enter a number of 0 or more", where="amount")
    return round(amount * DURATION_UNITS[unit], 2)


def parse_duration(text: str) -> float:
    """``"10 days"``, ``"3 weeks"``, ``"2 months"``, ``"1.5 years"`` -> weeks.

    Raises :class:`InputError` naming what to type when the text is not a number and a unit.
    """
    parts = text.strip().lower().replace(",", ".").split()
    if len(parts) == 1:
        head = parts[0].rstrip("dwmy")
        tail = parts[0][len(head) :]
        parts = [head, tail] if head and tail else parts
    if len(parts) != 2 or parts[1] not in _UNIT_WORDS:
        raise InputError(
            "give a number and a unit, for example 10 days, 3 weeks, 2 months or 1 year",
            where="duration",
        )
    try:
        amount = float(parts[0])
    except ValueError:
        raise InputError("start with a number, for example 3 weeks", where="duration") from None
    return to_weeks(amount, _UNIT_WORDS[parts[1]])


def triage_knowledge() -> TriageDocument:
    """The validated triage knowledge file (cached by the loader)."""
    doc: TriageDocument = load("clinical/triage.yaml", TriageDocument)
    return doc


def _items() -> dict[str, AnswerItem]:
    return {item.id: item for item in triage_knowledge().answers}


def _check_value(item: AnswerItem, value: object) -> AnswerValue:
    if value is None:
        return None
    kind = item.type
    if kind == "boolean":
        if not isinstance(value, bool):
            raise InputError(f"expected true, false or null, got {value!r}", where=item.id)
        return value
    if kind == "choice":
        choices = item.choices or ()
        if not isinstance(value, str) or value not in choices:
            raise InputError(f"expected one of {list(choices)}, got {value!r}", where=item.id)
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        what = "a number of weeks" if kind == "duration" else "a number"
        raise InputError(f"expected {what}, got {value!r}", where=item.id)
    if kind == "integer" and not (isinstance(value, int) or float(value).is_integer()):
        raise InputError(f"expected a whole number, got {value!r}", where=item.id)
    number = float(value)
    if not math.isfinite(number):
        raise InputError(f"expected a finite number, got {value!r}", where=item.id)
    unit = f" {item.unit}" if item.unit else ""
    if item.minimum is not None and number < item.minimum:
        raise InputError(f"must be at least {item.minimum:g}{unit}, got {value!r}", where=item.id)
    if item.maximum is not None and number > item.maximum:
        raise InputError(f"must be at most {item.maximum:g}{unit}, got {value!r}", where=item.id)
    return int(number) if kind == "integer" else number


def validate_answers(answers: Mapping[str, object]) -> dict[str, AnswerValue]:
    """Check every ``triage.*``, ``profile.*`` and ``pain.*`` answer; return them normalised.

    Parameters
    ----------
    answers
        Answer id to value. Values: ``bool`` for yes/no questions, ``int`` for ``profile.age`` and
        ``pain.onset_age`` [years], a number for ``pain.duration_weeks`` [weeks], a string for
        ``pain.region``; ``None`` for "not asked / unknown".

    Returns
    -------
    dict
        Only the ids this module owns, with integers as ``int`` and numbers as ``float``.

    Raises
    ------
    InputError
        For an unknown id with one of these prefixes, a ``derived.*`` id, or a bad value; ``where``
        names the id.
    """
    items = _items()
    out: dict[str, AnswerValue] = {}
    for key, value in answers.items():
        if not isinstance(key, str):
            raise InputError("answer ids must be strings", where=repr(key))
        prefix = key.split(".", 1)[0]
        if prefix == "derived":
            raise InputError(
                "derived facts are computed from other answers, not answered", where=key
            )
        if prefix not in ANSWER_PREFIXES:
            continue
        item = items.get(key)
        if item is None:
            known = sorted(i for i in items if i.startswith(prefix + "."))
            raise InputError(
                f"unknown answer id; known {prefix}.* ids: {', '.join(known)}", where=key
            )
        out[key] = _check_value(item, value)
    return out


def _derive(fact: DerivedFact, value: AnswerValue) -> bool | None:
    if value is None:
        return None
    if fact.op == "in":
        return value in (fact.values or ())
    number = float(value)
    limit = float(fact.value if fact.value is not None else math.nan)
    if fact.op == "gt":
        return number > limit
    if fact.op == "ge":
        return number >= limit
    if fact.op == "lt":
        return number < limit
    return number <= limit


def derive_facts(values: Mapping[str, AnswerValue]) -> Facts:
    """Yes/no facts from validated answers: every boolean answer id and every ``derived.*`` id.

    A fact whose answer is missing is ``None`` (unknown), unless its question does not apply to
    these answers (then it cannot be "yes" and is ``False``).
    """
    doc = triage_knowledge()
    facts: Facts = {}
    for item in doc.answers:
        if item.type == "boolean":
            raw = values.get(item.id)
            facts[item.id] = raw if isinstance(raw, bool) else None
    for fact in doc.derived:
        facts[fact.id] = _derive(fact, values.get(fact.answer))
    # A question that does not apply (its ask_if is false) cannot be "yes": no improvement
    # after a month when the pain began two weeks ago, a neck injury when only the low back
    # hurts. Unanswered, it is "no" rather than unknown. Two passes for follow-ups of follow-ups.
    for _ in range(2):
        for item in doc.answers:
            if item.type != "boolean" or item.ask_if is None or facts[item.id] is not None:
                continue
            if evaluate(item.ask_if, facts) is False:
                facts[item.id] = False
    return facts


def evaluate(cond: Condition, facts: Mapping[str, bool | None]) -> bool | None:
    """Three-valued evaluation: ``True``, ``False``, or ``None`` when answers are missing."""
    if isinstance(cond, str):
        return facts.get(cond)
    if isinstance(cond, Maybe):
        return facts.get(cond.maybe) is not False
    if isinstance(cond, AnyOf):
        parts = [evaluate(c, facts) for c in cond.any_of]
        if any(p is True for p in parts):
            return True
        return False if all(p is False for p in parts) else None
    if isinstance(cond, AllOf):
        parts = [evaluate(c, facts) for c in cond.all_of]
        if any(p is False for p in parts):
            return False
        return True if all(p is True for p in parts) else None
    assert isinstance(cond, AtLeast)
    parts = [evaluate(c, facts) for c in cond.of]
    yes = sum(p is True for p in parts)
    unknown = sum(p is None for p in parts)
    if yes >= cond.at_least:
        return True
    return False if yes + unknown < cond.at_least else None


def describe(cond: Condition) -> str:
    """A compact text form of a condition, e.g. ``all_of(triage.a, any_of(triage.b, ...))``."""
    if isinstance(cond, str):
        return cond
    if isinstance(cond, Maybe):
        return f"maybe({cond.maybe})"
    if isinstance(cond, AnyOf):
        return "any_of(" + ", ".join(describe(c) for c in cond.any_of) + ")"
    if isinstance(cond, AllOf):
        return "all_of(" + ", ".join(describe(c) for c in cond.all_of) + ")"
    return f"at_least_{cond.at_least}_of(" + ", ".join(describe(c) for c in cond.of) + ")"


class QuestionMapping(BaseModel):
    """A red flag (or warning sign) a question feeds, with the urgency the flag calls for."""

    model_config = ConfigDict(frozen=True)

    flag: str
    label: str
    urgency: Urgency
    sources: tuple[str, ...]


class TriageQuestion(BaseModel):
    """One question of the interactive assessment, in asking order."""

    model_config = ConfigDict(frozen=True)

    id: str
    section: str
    #: The section's heading, in plain words.
    section_title: str
    type: str
    text: str
    help: str | None = None
    #: What a person reads for each choice (same order as ``choices``), or for each value of a
    #: small integer scale (``minimum`` to ``maximum``).
    labels: tuple[str, ...] | None = None
    #: For warning signs: the sign in plain words and how to check it at home.
    sign: str | None = None
    how_to_check: str | None = None
    #: Terminal checklist this question is asked in (with its lead-in), and its checklist line.
    checklist: str | None = None
    checklist_text: str | None = None
    short: str | None = None
    unit: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] | None = None
    #: When to ask it (a condition over other answers); ``None``: always.
    ask_if: str | None = None
    #: The flags this answer feeds (empty for ``profile.*`` / ``pain.*`` items used only by
    #: derived facts, phase or plan).
    maps_to: tuple[QuestionMapping, ...] = ()


def triage_questions(
    answers: Mapping[str, object] | None = None, *, interactive: bool = False
) -> tuple[TriageQuestion, ...]:
    """The questions in asking order (emergency signs first).

    Parameters
    ----------
    answers
        If given, questions whose ``ask_if`` condition is false for these answers are left out
        (for example the neck questions when ``pain.region`` is ``"low_back"``). Questions whose
        condition is still unknown are kept.
    interactive
        Only the questions an interview asks (leaves out those that can never change the
        urgency or the plan, which answer files may still give).
    """
    doc = triage_knowledge()
    lists = {c.id: c.text for c in doc.checklists}
    facts = derive_facts(validate_answers(answers)) if answers is not None else None
    derived_answer = {d.id: d.answer for d in doc.derived}
    out: list[TriageQuestion] = []
    for item in doc.answers:
        if interactive and not item.interactive:
            continue
        if facts is not None and item.ask_if is not None and evaluate(item.ask_if, facts) is False:
            continue
        maps: list[QuestionMapping] = []
        for rule in doc.rules:
            used = condition_facts(rule.when)
            feeds = item.id in used or any(derived_answer.get(f) == item.id for f in used)
            if feeds:
                maps.append(
                    QuestionMapping(
                        flag=rule.id, label=rule.label, urgency=rule.urgency, sources=rule.sources
                    )
                )
        out.append(
            TriageQuestion(
                id=item.id,
                section=item.section,
                section_title=doc.section_title(item.section),
                type=item.type,
                text=item.text,
                help=item.help,
                labels=item.labels,
                sign=item.sign,
                how_to_check=item.how_to_check,
                checklist=item.checklist,
                checklist_text=lists.get(item.checklist) if item.checklist else None,
                short=item.short,
                unit=item.unit,
                minimum=item.minimum,
                maximum=item.maximum,
                choices=item.choices,
                ask_if=describe(item.ask_if) if item.ask_if is not None else None,
                maps_to=tuple(maps),
            )
        )
    return tuple(out)


def answers_json_schema() -> dict[str, Any]:
    """A JSON Schema (draft 2020-12) object for the ``triage.*``, ``profile.*``, ``pain.*`` ids.

    Every property also accepts ``null`` ("not asked / unknown"). Other properties are allowed,
    so the lead can merge this with the questionnaire instruments' schema (merge ``properties``).
    """
    props: dict[str, Any] = {}
    for item in triage_knowledge().answers:
        prop: dict[str, Any] = {"description": item.text}
        if item.type == "boolean":
            prop["type"] = ["boolean", "null"]
        elif item.type == "choice":
            prop["enum"] = [*(item.choices or ()), None]
        else:
            prop["type"] = ["integer" if item.type == "integer" else "number", "null"]
            if item.type == "duration":
                prop["x-unit"] = "weeks"
            if item.minimum is not None:
                prop["minimum"] = item.minimum
            if item.maximum is not None:
                prop["maximum"] = item.maximum
        if item.unit:
            prop["x-unit"] = item.unit
        props[item.id] = prop
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "backcare triage, profile and pain answers",
        "type": "object",
        "properties": props,
        "propertyNames": {
            "not": {"pattern": r"^derived\."},
        },
        "additionalProperties": True,
    }
