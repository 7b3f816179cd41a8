"""The FHIR R4 mapping: validated by the library, LOINC codes only where verified, references."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
from pydantic import ValidationError

from backcare.clinical.assessment import assess
from backcare.clinical.instruments import instrument, instrument_ids
from backcare.io.fhir import (
    LOINC_SYSTEM,
    SCORE_SYSTEM,
    AssessmentRecord,
    PatientInfo,
    assessments_bundle,
    references,
    validate_bundle,
)

ANSWERS: dict[str, object] = {
    "pain.region": "both",
    "pain.duration_weeks": 8.5,
    "pain.recurrent": True,
    "profile.age": 44,
    "triage.fever": False,
    "triage.saddle_numbness": None,
    "nrs.average_week": 6,
    "nrs.now": 4,
    "odi.variant": "employment",
    **{f"odi.{i}": i % 6 for i in range(1, 11)},
    **{f"ndi.{i}": (i + 1) % 6 for i in range(1, 11)},
    **{f"startback.{i}": 1 for i in range(1, 9)},
    "startback.9": 4,
    **{f"rmdq.{i}": i % 2 for i in range(1, 25)},
}


def _bundle(answers=ANSWERS, *, n: int = 1, patient=PatientInfo(1981, "female")):
    result = assess(answers)
    records = [
        AssessmentRecord(i, datetime(2026, 3, i, 9, 30), answers, result) for i in range(1, n + 1)
    ]
    return assessments_bundle(
        patient,
        records,
        bundle_id=uuid.UUID("12345678-1234-5678-1234-567812345678"),
        generated_at=datetime(2026, 3, 9, tzinfo=UTC),
    )


def _resources(bundle, kind):
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def test_bundle_validates_and_round_trips():
    bundle = _bundle(n=2)
    model = Bundle.model_validate(bundle)
    assert model.type == "collection"
    assert len(_resources(bundle, "Patient")) == 1
    assert len(_resources(bundle, "QuestionnaireResponse")) == 2
    for qr in _resources(bundle, "QuestionnaireResponse"):
        QuestionnaireResponse.model_validate(qr)
    for obs in _resources(bundle, "Observation"):
        Observation.model_validate(obs)


def test_every_reference_resolves_inside_the_bundle():
    bundle = _bundle(n=2)
    urls = [e["fullUrl"] for e in bundle["entry"]]
    assert len(urls) == len(set(urls))
    refs = references(bundle)
    assert refs
    assert set(refs) <= set(urls)


def test_answers_map_to_typed_values_without_unknowns():
    bundle = _bundle()
    qr = _resources(bundle, "QuestionnaireResponse")[0]
    items = {i["linkId"]: i for g in qr["item"] for i in g["item"]}
    assert items["triage.fever"]["answer"] == [{"valueBoolean": False}]
    assert items["odi.3"]["answer"] == [{"valueInteger": 3}]
    assert items["pain.duration_weeks"]["answer"][0]["valueDecimal"] == 8.5
    assert items["pain.region"]["answer"][0]["valueCoding"]["code"] == "both"
    assert items["odi.variant"]["answer"][0]["valueCoding"]["code"] == "employment"
    assert "triage.saddle_numbness" not in items  # unknown is left out, never "no"
    # group order: triage, about, then questionnaires
    assert [g["linkId"] for g in qr["item"]][:3] == ["triage", "profile", "pain"]


def test_no_unlicensed_wording_is_exported():
    bundle = _bundle()
    qr = _resources(bundle, "QuestionnaireResponse")[0]
    texts = {i["linkId"]: i["text"] for g in qr["item"] for i in g["item"]}
    odi = instrument("odi")
    assert not odi.licence.wording_shipped
    assert texts["odi.1"].startswith("ODI item 1 (")
    nrs = instrument("nrs")
    assert texts["nrs.average_week"] == nrs.item("nrs.average_week").text


def _observation_for(bundle, instrument_id):
    for obs in _resources(bundle, "Observation"):
        if any(
            c["system"] == SCORE_SYSTEM and c["code"] == instrument_id
            for c in obs["code"]["coding"]
        ):
            return obs
    raise AssertionError(f"no observation for {instrument_id}")


@pytest.mark.parametrize("instrument_id", ["odi", "ndi", "nrs", "startback", "rmdq"])
def test_loinc_codes_exactly_where_the_knowledge_marks_them_verified(instrument_id):
    bundle = _bundle()
    obs = _observation_for(bundle, instrument_id)
    loinc = [c["code"] for c in obs["code"]["coding"] if c["system"] == LOINC_SYSTEM]
    verified = [c.code for c in instrument(instrument_id).loinc if c.role == "total" and c.verified]
    assert loinc == verified
    assert obs["category"][0]["coding"][0]["code"] == "survey"


def test_odi_has_its_verified_codes_and_panel():
    bundle = _bundle()
    obs = _observation_for(bundle, "odi")
    assert {"system": LOINC_SYSTEM, "code": "97909-6"}.items() <= obs["code"]["coding"][0].items()
    assert obs["valueQuantity"]["code"] == "%"
    panels = [
        o
        for o in _resources(bundle, "Observation")
        if o["code"]["coding"][0].get("code") == "97908-8"
    ]
    assert len(panels) == 1
    score_url = next(e["fullUrl"] for e in bundle["entry"] if e["resource"] is obs)
    assert panels[0]["hasMember"] == [{"reference": score_url}]


def test_observations_derive_from_their_response_and_carry_scores():
    bundle = _bundle()
    qr_url = next(
        e["fullUrl"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "QuestionnaireResponse"
    )
    result = assess(ANSWERS)
    for name, res in result.scores.items():
        obs = _observation_for(bundle, name)
        assert obs["derivedFrom"] == [{"reference": qr_url}]
        assert obs["valueQuantity"]["value"] == pytest.approx(res.total)
        assert obs["note"][0]["text"] == res.copyright
    sb = _observation_for(bundle, "startback")
    assert sb["interpretation"][0]["coding"][0]["code"].startswith("startback.")
    assert {c["code"]["coding"][0]["code"] for c in sb["component"]} == {
        f"startback.{s.name}" for s in instrument("startback").subscales
    }


def test_patient_holds_only_profile_facts():
    bundle = _bundle(patient=PatientInfo(1990, "male"))
    patient = _resources(bundle, "Patient")[0]
    assert patient == {"resourceType": "Patient", "gender": "male", "birthDate": "1990"}
    empty = _bundle(patient=PatientInfo())
    assert _resources(empty, "Patient")[0] == {"resourceType": "Patient"}


def test_emergency_assessment_exports_answers_without_scores():
    answers = {"triage.saddle_numbness": True, "pain.region": "low_back"}
    bundle = _bundle(answers)
    assert _resources(bundle, "Observation") == []
    assert len(_resources(bundle, "QuestionnaireResponse")) == 1


def test_ids_are_reproducible_per_bundle_and_differ_between_bundles():
    first = _bundle()
    assert _bundle() == first
    other = assessments_bundle(
        PatientInfo(),
        [AssessmentRecord(1, datetime(2026, 3, 1), ANSWERS, assess(ANSWERS))],
        bundle_id=uuid.uuid4(),
        generated_at=datetime(2026, 3, 9, tzinfo=UTC),
    )
    assert {e["fullUrl"] for e in other["entry"]}.isdisjoint({e["fullUrl"] for e in first["entry"]})


def test_validation_rejects_a_broken_bundle():
    bundle = _bundle()
    obs = _resources(bundle, "Observation")[0]
    obs["valueQuantity"]["value"] = "six"
    with pytest.raises(ValidationError):
        validate_bundle(bundle)
    obs["valueQuantity"]["value"] = 6
    obs["derivedFromm"] = []
    with pytest.raises(ValidationError):
        validate_bundle(bundle)
    del obs["derivedFromm"]
    validate_bundle(bundle)
    del bundle["type"]
    with pytest.raises(ValidationError):
        validate_bundle(bundle)


def test_every_instrument_maps():
    assert set(instrument_ids()) >= {"odi", "ndi", "nrs", "startback", "rmdq", "orebro"}
