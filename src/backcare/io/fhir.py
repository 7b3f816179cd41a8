"""A person's assessments as a FHIR R4 Bundle: QuestionnaireResponse plus score Observations.

Mapping (pure: no clock, no randomness; the caller passes the time and the bundle's UUID):

* **Bundle** ``type: collection`` with ``timestamp`` and an ``urn:uuid`` identifier. Entries are
  addressed by ``urn:uuid`` full URLs derived from the bundle UUID (UUID v5), so one export is
  reproducible and two exports never share ids.
* **Patient**: the bundle carries one Patient resource and every resource's ``subject`` points to
  it. Decision: a Patient with only what the person entered in their profile (``gender`` from
  the profile sex, ``birthDate`` as the birth year), and no name, identifier or contact, so the
  file identifies nobody by itself; a receiving system links it to its own patient record.
* **QuestionnaireResponse**, one per assessment, ``status: completed``, ``authored`` = when it
  was stored. Items are grouped by answer prefix (``triage``, ``profile``, ``pain``, then one
  group per questionnaire); each answer's ``linkId`` is backcare's answer id (``odi.3``).
  Yes/no answers are ``valueBoolean``, item scores and whole numbers ``valueInteger``, other
  numbers ``valueDecimal``, choices (``pain.region``, ``odi.variant``) ``valueCoding`` in a
  local CodeSystem. Unknown answers (``null``) are left out. Item text is backcare's own label
  (the question for triage items, the construct topic for questionnaire items): no licensed
  questionnaire wording is exported unless the instrument's licence lets it ship.
* **Observation** per score, ``status: final``, category ``survey``, ``derivedFrom`` the
  QuestionnaireResponse, ``valueQuantity`` the headline total (ODI in ``%``, others as the UCUM
  annotation ``{score}``), the band as ``interpretation``, subscales as ``component`` and the
  instrument's copyright notice as ``note``. The code carries the LOINC code of the total only
  where the instrument's knowledge file marks it ``verified`` (today: ODI 97909-6), always
  followed by a coding in backcare's local CodeSystem. Where a verified LOINC *panel* code
  exists (ODI 97908-8) a panel Observation groups the score with ``hasMember``.

The Python package ships FHIR R5, R4B and STU3 models but no R4 module; R4B (4.3) is used for
validation because QuestionnaireResponse, Observation, Patient and Bundle are unchanged from R4
in every element this mapping writes.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fhir.resources.R4B.bundle import Bundle

from backcare.clinical.answers import triage_knowledge
from backcare.clinical.assessment import AssessmentResult
from backcare.clinical.instruments import InstrumentResult, instrument, instrument_ids
from backcare.knowledge.instruments import InstrumentDocument

__all__ = [
    "FHIR_VERSION",
    "LOCAL_SYSTEM",
    "LOINC_SYSTEM",
    "AssessmentRecord",
    "PatientInfo",
    "assessments_bundle",
    "references",
    "validate_bundle",
]

#: The FHIR release the output conforms to (validated with the library's R4B models).
FHIR_VERSION = "4.0.1"
LOINC_SYSTEM = "http://loinc.org"
UCUM_SYSTEM = "http://unitsofmeasure.org"
CATEGORY_SYSTEM = "http://terminology.hl7.org/CodeSystem/observation-category"
#: Base of backcare's local code systems (``.invalid`` is reserved: never resolvable).
LOCAL_SYSTEM = "https://backcare.invalid/fhir/CodeSystem"
SCORE_SYSTEM = f"{LOCAL_SYSTEM}/instrument-score"
BAND_SYSTEM = f"{LOCAL_SYSTEM}/score-band"
CHOICE_SYSTEM = f"{LOCAL_SYSTEM}/answer-choice"
ASSESSMENT_ID_SYSTEM = "https://backcare.invalid/fhir/assessment-id"

_GROUP_LABELS = {
    "triage": "Warning signs",
    "profile": "About you",
    "pain": "About the pain",
}


@dataclass(frozen=True)
class PatientInfo:
    """What the profile holds about the person (all optional)."""

    birth_year: int | None = None
    #: ``"male"`` or ``"female"`` (the profile's values); anything else is left out.
    sex: str | None = None


@dataclass(frozen=True)
class AssessmentRecord:
    """One stored assessment: its id, when it was stored, the answers and the result."""

    id: int
    created_at: datetime
    answers: Mapping[str, Any]
    result: AssessmentResult


def _utc(moment: datetime) -> str:
    """ISO 8601 with a zone (a naive datetime from SQLite is UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat()


def _urn(base: uuid.UUID, name: str) -> str:
    return f"urn:uuid:{uuid.uuid5(base, name)}"


def _item_text(key: str) -> str:
    prefix = key.split(".", 1)[0]
    if prefix in _GROUP_LABELS:
        for item in triage_knowledge().answers:
            if item.id == key:
                return item.text
        return key
    if prefix in instrument_ids():
        doc = instrument(prefix)
        if key == doc.variant_key:
            return f"{doc.short_name}: version of the form"
        try:
            spec = doc.item(key)
        except KeyError:
            return key
        if doc.licence.wording_shipped and spec.text:
            return spec.text
        number = doc.item_ids.index(key) + 1
        return f"{doc.short_name} item {number} ({spec.topic}): item score"
    return key


def _answer(value: object) -> dict[str, Any] | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return {"valueBoolean": value}
    if isinstance(value, int):
        return {"valueInteger": value}
    if isinstance(value, float):
        return {"valueDecimal": value}
    text = str(value)
    return {
        "valueCoding": {
            "system": CHOICE_SYSTEM,
            "code": text,
            "display": text.replace("_", " "),
        }
    }


def _group_order(prefix: str) -> tuple[int, int, str]:
    fixed = list(_GROUP_LABELS)
    if prefix in fixed:
        return (0, fixed.index(prefix), prefix)
    ids = list(instrument_ids())
    return (1, ids.index(prefix) if prefix in ids else len(ids), prefix)


def _group_label(prefix: str) -> str:
    if prefix in _GROUP_LABELS:
        return _GROUP_LABELS[prefix]
    if prefix in instrument_ids():
        return instrument(prefix).name
    return prefix


def _item_order(prefix: str, key: str) -> tuple[int, str]:
    if prefix in instrument_ids():
        doc = instrument(prefix)
        ids = doc.item_ids
        if key == doc.variant_key:
            return (-1, key)
        return (ids.index(key) if key in ids else len(ids), key)
    order = [item.id for item in triage_knowledge().answers]
    return (order.index(key) if key in order else len(order), key)


def _response_items(answers: Mapping[str, Any]) -> list[dict[str, Any]]:
    groups: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for key, value in answers.items():
        answer = _answer(value)
        if answer is None:
            continue
        prefix = key.split(".", 1)[0]
        groups.setdefault(prefix, []).append((key, answer))
    out: list[dict[str, Any]] = []
    for prefix in sorted(groups, key=_group_order):
        members = sorted(groups[prefix], key=lambda kv: _item_order(prefix, kv[0]))
        out.append(
            {
                "linkId": prefix,
                "text": _group_label(prefix),
                "item": [
                    {"linkId": key, "text": _item_text(key), "answer": [answer]}
                    for key, answer in members
                ],
            }
        )
    return out


def _loinc(doc: InstrumentDocument, role: str) -> str | None:
    """The instrument's LOINC code for ``role`` if the knowledge file marks it verified."""
    for code in doc.loinc:
        if code.role == role and code.verified:
            return code.code
    return None


def _quantity(doc: InstrumentDocument, value: float) -> dict[str, Any]:
    if doc.total_kind == "percent_of_max":
        return {"value": value, "unit": "%", "system": UCUM_SYSTEM, "code": "%"}
    return {"value": value, "unit": "score", "system": UCUM_SYSTEM, "code": "{score}"}


def _score_observations(
    res: InstrumentResult,
    *,
    base: uuid.UUID,
    assessment_id: int,
    subject: str,
    response: str,
    when: str,
) -> list[tuple[str, dict[str, Any]]]:
    doc = instrument(res.instrument)
    codings: list[dict[str, Any]] = []
    total_code = _loinc(doc, "total")
    if total_code:
        codings.append({"system": LOINC_SYSTEM, "code": total_code, "display": f"{doc.name} score"})
    codings.append({"system": SCORE_SYSTEM, "code": doc.id, "display": f"{doc.name} score"})
    observation: dict[str, Any] = {
        "resourceType": "Observation",
        "status": "final",
        "category": [
            {"coding": [{"system": CATEGORY_SYSTEM, "code": "survey", "display": "Survey"}]}
        ],
        "code": {"coding": codings, "text": f"{doc.name} ({doc.short_name}) score"},
        "subject": {"reference": subject},
        "effectiveDateTime": when,
        "issued": when,
        "valueQuantity": _quantity(doc, res.total),
        "derivedFrom": [{"reference": response}],
        "note": [{"text": res.copyright}],
    }
    if res.category:
        label = res.category_label or res.category
        observation["interpretation"] = [
            {
                "coding": [
                    {"system": BAND_SYSTEM, "code": f"{doc.id}.{res.category}", "display": label}
                ],
                "text": label,
            }
        ]
    if res.subscales and doc.algorithm != "single_item":
        observation["component"] = [
            {
                "code": {
                    "coding": [{"system": SCORE_SYSTEM, "code": f"{doc.id}.{name}"}],
                    "text": f"{doc.short_name} {name.replace('_', ' ')} subscale",
                },
                "valueQuantity": {
                    "value": value,
                    "unit": "score",
                    "system": UCUM_SYSTEM,
                    "code": "{score}",
                },
            }
            for name, value in res.subscales.items()
        ]
    score_url = _urn(base, f"assessment/{assessment_id}/score/{doc.id}")
    out = [(score_url, observation)]
    panel_code = _loinc(doc, "panel")
    if panel_code:
        panel = {
            "resourceType": "Observation",
            "status": "final",
            "category": observation["category"],
            "code": {
                "coding": [{"system": LOINC_SYSTEM, "code": panel_code, "display": doc.name}],
                "text": doc.name,
            },
            "subject": {"reference": subject},
            "effectiveDateTime": when,
            "issued": when,
            "hasMember": [{"reference": score_url}],
            "derivedFrom": [{"reference": response}],
        }
        out.append((_urn(base, f"assessment/{assessment_id}/panel/{doc.id}"), panel))
    return out


def _patient(info: PatientInfo) -> dict[str, Any]:
    patient: dict[str, Any] = {"resourceType": "Patient"}
    if info.sex in ("male", "female"):
        patient["gender"] = info.sex
    if info.birth_year is not None:
        patient["birthDate"] = f"{info.birth_year:04d}"
    return patient


def assessments_bundle(
    patient: PatientInfo,
    assessments: Iterable[AssessmentRecord],
    *,
    bundle_id: uuid.UUID,
    generated_at: datetime,
) -> dict[str, Any]:
    """The FHIR R4 collection Bundle of a person's assessments, validated.

    Parameters
    ----------
    patient
        Profile facts for the Patient resource.
    assessments
        The assessments to export (any order; exported oldest first).
    bundle_id
        A fresh UUID per export (the caller draws it); entry ids derive from it.
    generated_at
        The export time (``Bundle.timestamp``).

    Returns
    -------
    dict
        The Bundle as JSON-ready data, after validation by the FHIR models.
    """
    subject = _urn(bundle_id, "patient")
    entries: list[dict[str, Any]] = [{"fullUrl": subject, "resource": _patient(patient)}]
    for record in sorted(assessments, key=lambda r: (_utc(r.created_at), r.id)):
        when = _utc(record.created_at)
        response_url = _urn(bundle_id, f"assessment/{record.id}/response")
        response: dict[str, Any] = {
            "resourceType": "QuestionnaireResponse",
            "identifier": {"system": ASSESSMENT_ID_SYSTEM, "value": str(record.id)},
            "status": "completed",
            "subject": {"reference": subject},
            "authored": when,
            "item": _response_items(record.answers),
        }
        if not response["item"]:
            del response["item"]
        entries.append({"fullUrl": response_url, "resource": response})
        for res in record.result.scores.values():
            for url, resource in _score_observations(
                res,
                base=bundle_id,
                assessment_id=record.id,
                subject=subject,
                response=response_url,
                when=when,
            ):
                entries.append({"fullUrl": url, "resource": resource})
    bundle = {
        "resourceType": "Bundle",
        "identifier": {"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{bundle_id}"},
        "type": "collection",
        "timestamp": _utc(generated_at),
        "entry": entries,
    }
    return validate_bundle(bundle)


def validate_bundle(data: Mapping[str, Any]) -> dict[str, Any]:
    """Validate ``data`` as a FHIR Bundle (R4B models) and return it as JSON-ready data.

    Raises
    ------
    pydantic.ValidationError
        When an element is missing, misspelt or of the wrong type.
    """
    model = Bundle.model_validate(dict(data))
    out: dict[str, Any] = model.model_dump(mode="json", by_alias=True, exclude_none=True)
    return out


def references(bundle: Mapping[str, Any]) -> Sequence[str]:
    """Every ``reference`` string in ``bundle`` (for checks that each one resolves)."""
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, Mapping):
            for key, value in node.items():
                if key == "reference" and isinstance(value, str):
                    found.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(bundle)
    return found
