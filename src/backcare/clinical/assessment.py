"""One assessment: triage first, then phase, questionnaire scores and the plan.

:func:`assess` is the pure facade the CLI and the web app call with everything a person
answered (one mapping of answer ids: ``triage.*``, ``profile.*``, ``pain.*`` and questionnaire
items such as ``odi.3``). Red flags always win: an emergency returns the emergency instructions
and nothing else, without scoring anything.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict

from backcare.clinical.answers import answers_json_schema as triage_answers_schema
from backcare.clinical.answers import validate_answers
from backcare.clinical.instruments import (
    ChangeResult,
    InstrumentResult,
    classify_change,
    instrument,
    instrument_ids,
    score_all,
)
from backcare.clinical.instruments import answers_json_schema as instrument_answers_schema
from backcare.clinical.phase import PhaseCutoffs, PhaseResult, phase
from backcare.clinical.plan import Plan, build_plan
from backcare.clinical.triage import TriageResult, triage
from backcare.errors import InputError
from backcare.knowledge import fingerprint
from backcare.knowledge.clinical import ANSWER_PREFIXES

__all__ = [
    "AssessmentResult",
    "answers_schema",
    "assess",
    "compare",
    "offered_instruments",
    "region_for",
]

_DEFAULT_REGION = "low_back"
_NECK_INSTRUMENTS = frozenset({"ndi"})


class AssessmentResult(BaseModel):
    """Everything one assessment produced. JSON-serialisable (``model_dump(mode="json")``)."""

    model_config = ConfigDict(frozen=True)

    triage: TriageResult
    phase: PhaseResult | None
    region: str
    scores: dict[str, InstrumentResult]
    plan: Plan
    notes: tuple[str, ...] = ()
    #: backcare's own everyday answers (``self.*``: limits, work, sleep, worries), kept as they
    #: were given. They are not a validated questionnaire score; they choose plan lines and
    #: lessons and are tracked as backcare's own measures.
    own_measures: dict[str, bool | int | str | None] = {}
    knowledge_version: str

    @property
    def urgency(self) -> str:
        return self.triage.urgency


def _check_prefixes(answers: Mapping[str, object]) -> None:
    known = set(ANSWER_PREFIXES) | set(instrument_ids())
    variant_keys = {instrument(i).variant_key for i in instrument_ids()} - {None}
    for key in answers:
        if not isinstance(key, str) or "." not in key:
            raise InputError(
                "answer ids look like '<part>.<item>' (e.g. 'odi.3', 'triage.fever')",
                where=repr(key),
            )
        if key in variant_keys:
            continue
        prefix = key.split(".", 1)[0]
        if prefix not in known:
            raise InputError(
                f"unknown answer prefix {prefix!r}; known: {', '.join(sorted(known))}",
                where=key,
            )


def region_for(
    answers: Mapping[str, object], scores: Mapping[str, object]
) -> tuple[str, str | None]:
    """The pain region for the plan and a note when it had to be inferred."""
    region = answers.get("pain.region")
    if isinstance(region, str):
        return region, None
    if scores and set(scores) & _NECK_INSTRUMENTS and not set(scores) - _NECK_INSTRUMENTS - {"nrs"}:
        return "neck", "You did not say where the pain is; the plan is for neck pain."
    return _DEFAULT_REGION, "You did not say where the pain is; the plan assumes low back pain."


def offered_instruments(region: object, packs: Collection[str] = ()) -> list[tuple[str, bool]]:
    """(instrument id, asked by default) in asking order for a pain region.

    Only instruments a person can read: those whose wording backcare ships (the pain rating
    scale) and those whose licensed wording is installed (``packs``: instrument ids). Never
    "copy the score from a paper form".
    """
    neck = region in ("neck", "both")
    back = region in ("low_back", "upper_back", "both", None)
    out = [("nrs", True)]
    if back:
        out += [("startback", True), ("odi", True), ("rmdq", False), ("orebro", False)]
    if neck:
        out.append(("ndi", True))
    return [(i, d) for i, d in out if instrument(i).licence.wording_shipped or i in packs]


def assess(
    answers: Mapping[str, object], *, cutoffs: PhaseCutoffs | None = None
) -> AssessmentResult:
    """Triage, phase, scores and plan for one set of answers.

    Raises
    ------
    InputError
        For an unknown answer id, a wrong type or an out-of-range value, naming the id.
    """
    _check_prefixes(answers)
    values = validate_answers(answers)
    tri = triage(answers)
    version = fingerprint()
    if tri.stop:
        region, note = region_for(answers, {})
        return AssessmentResult(
            triage=tri,
            phase=None,
            region=region,
            scores={},
            plan=build_plan(tri, phase(None), region),
            notes=("Emergency: nothing else was assessed. Get help now.",),
            knowledge_version=version,
        )
    duration = values.get("pain.duration_weeks")
    recurrent = values.get("pain.recurrent")
    ph = phase(
        float(duration)
        if isinstance(duration, int | float) and not isinstance(duration, bool)
        else None,
        recurrent if isinstance(recurrent, bool) else None,
        cutoffs,
    )
    scores = score_all(answers)
    region, note = region_for(answers, scores)
    startback = scores.get("startback")
    own = {k: v for k, v in values.items() if k.startswith("self.")}
    leg = values.get("pain.leg_below_knee")
    plan = build_plan(
        tri,
        ph,
        region,
        startback.category if startback else None,
        sciatica=leg if isinstance(leg, bool) else None,
        concerns={k: v for k, v in own.items() if isinstance(v, bool)},
    )
    return AssessmentResult(
        triage=tri,
        phase=ph,
        region=region,
        scores=scores,
        plan=plan,
        notes=(note,) if note else (),
        own_measures=own,
        knowledge_version=version,
    )


def compare(before: AssessmentResult, after: AssessmentResult) -> dict[str, ChangeResult]:
    """Meaningful change, per instrument scored in both assessments (MIC rules from knowledge)."""
    out: dict[str, ChangeResult] = {}
    for name, result in after.scores.items():
        prior = before.scores.get(name)
        if prior is not None:
            out[name] = classify_change(name, prior, result)
    return out


def answers_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of the whole answers object: triage, profile, pain, items."""
    tri = triage_answers_schema()
    inst = instrument_answers_schema()
    props: dict[str, Any] = {**tri.get("properties", {}), **inst.get("properties", {})}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://backcare.invalid/schema/answers.json",
        "title": "backcare assessment answers",
        "description": (
            "One JSON object of answer ids to values; null or absent means 'not asked / unknown' "
            "(never 'no'). Questionnaire items are item scores from the published forms."
        ),
        "type": "object",
        "properties": props,
        "additionalProperties": False,
    }
