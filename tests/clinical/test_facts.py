from __future__ import annotations

import pytest

from backcare.clinical.facts import ClaimCheck, claim, claims
from backcare.errors import InputError

REQUIRED = {
    "spasm_real_cause": "unsupported",
    "eighty_percent": "misleading",
    "disc_pressure": "roughly_right",
    "no_tomogram_charlatan": "false",
    "rest_and_corset": "false",
    "dizziness_osteochondrosis": "unsupported",
    "neck_tension_eyesight": "no_evidence_found",
    "hard_mattress": "against_one_trial",
    "backpack_vs_bag": "unproven",
    "reader_causes": "unsupported",
    "chest_pain_same_nerves": "false",
}


def test_every_required_claim_is_checked_with_its_verdict():
    got = {c.id: c.verdict for c in claims()}
    assert got == REQUIRED


def test_every_claim_has_evidence_and_resolved_citations():
    for c in claims():
        assert c.summary
        assert c.evidence
        assert c.verdict_label
        assert c.sources
        for src in c.sources:
            assert src.citation
            assert src.link.startswith("https://")


def test_disc_pressure_uses_the_measured_ratios():
    c = claim("disc_pressure")
    assert "2.2" in c.summary
    assert "11" in c.summary
    assert [s.id for s in c.sources] == ["wilke-1999"]


def test_mattress_claim_cites_kovacs():
    c = claim("hard_mattress")
    assert "kovacs-2003" in {s.id for s in c.sources}
    assert "2.10" in c.evidence
    assert "2.36" in c.evidence


def test_verdicts_are_no_stronger_than_the_evidence():
    mattress = claim("hard_mattress")
    assert "single trial" in mattress.summary  # one trial is said to be one trial
    assert mattress.verdict_label == "One trial points the other way"
    eyes = claim("neck_tension_eyesight")
    assert eyes.verdict_label == "No evidence found either way"
    # the vertigo position is not the evidence for ear noises or nausea
    dizzy = {s.id for s in claim("dizziness_osteochondrosis").sources}
    assert {"barany-2022", "nice-ng155", "msd-nausea"} <= dizzy
    assert claim("backpack_vs_bag").verdict == "unproven"  # unproven is not contradicted


def test_reader_comments_are_labelled_as_such():
    assert claim("rest_and_corset").said_by == "reader comment"
    assert claim("spasm_real_cause").said_by == "article"


def test_unknown_claim_is_an_input_error():
    with pytest.raises(InputError) as info:
        claim("no-such-claim")
    assert info.value.where == "no-such-claim"


def test_claims_round_trip_as_json():
    for c in claims():
        assert ClaimCheck.model_validate_json(c.model_dump_json()) == c
