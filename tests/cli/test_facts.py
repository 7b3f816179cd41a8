from __future__ import annotations

import json

from backcare.clinical.facts import claims


def test_facts_lists_claims_with_verdicts_and_citations(cli):
    rc, out, _ = cli("facts")
    assert rc == 0
    for c in claims():
        assert c.verdict_label in out
    assert "Kovacs FM" in out
    assert "https://doi.org/10.1016/S0140-6736(03)14792-7" in out
    assert "(reader comment)" in out


def test_facts_json(cli):
    rc, out, _ = cli("facts", "--json")
    assert rc == 0
    data = json.loads(out)
    assert [c["id"] for c in data["claims"]] == [c.id for c in claims()]
    mattress = next(c for c in data["claims"] if c["id"] == "hard_mattress")
    assert mattress["verdict"] == "against_one_trial"
    assert mattress["sources"][0]["doi"] == "10.1016/S0140-6736(03)14792-7"
