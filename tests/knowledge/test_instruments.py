"""Instrument definitions: load, cite, and refuse inconsistent data."""

from __future__ import annotations

import pytest
import yaml
from pydantic import ValidationError

from backcare.knowledge import KINDS, source_registry
from backcare.knowledge.instruments import InstrumentDocument, instrument_definitions
from backcare.knowledge.loader import cited_ids, data_files, load_text


def test_every_instrument_loads_and_cites_registered_sources():
    defs = instrument_definitions()
    assert set(defs) == {"startback", "odi", "rmdq", "ndi", "nrs", "orebro"}
    registry = source_registry()
    for doc in defs.values():
        assert all(sid in registry for _, sid in cited_ids(doc))
        assert doc.licence.copyright
        assert doc.verification, f"{doc.id}: record what was verified"


def test_instrument_files_are_read_through_the_catalog():
    assert KINDS[InstrumentDocument.KIND] is InstrumentDocument
    files = [rel for rel in data_files() if rel.startswith("instruments/")]
    assert len(files) == 6
    for rel in files:
        assert yaml.safe_load(load_text(rel))["kind"] == InstrumentDocument.KIND


def test_unverified_loinc_codes_are_marked():
    ndi = instrument_definitions()["ndi"]
    assert {c.code: c.verified for c in ndi.loinc} == {"82226-2": False, "82237-9": False}
    odi = instrument_definitions()["odi"]
    assert {c.code: c.verified for c in odi.loinc} == {"97908-8": True, "97909-6": True}


def _raw(name: str) -> dict:
    return yaml.safe_load(load_text(f"instruments/{name}.yaml"))


def test_gapped_bands_are_refused():
    raw = _raw("ndi")
    raw["banding"]["bands"][1]["low"] = 6
    with pytest.raises(ValidationError, match="contiguous"):
        InstrumentDocument.model_validate(raw)


def test_wording_for_an_unlicensed_instrument_is_refused():
    raw = _raw("odi")
    raw["items"][0]["text"] = "any wording"
    with pytest.raises(ValidationError, match="not licensed for shipping"):
        InstrumentDocument.model_validate(raw)


def test_item_ids_must_carry_the_instrument_prefix():
    raw = _raw("rmdq")
    raw["items"][0]["id"] = "odi.1"
    with pytest.raises(ValidationError, match="must start with 'rmdq.'"):
        InstrumentDocument.model_validate(raw)


def test_score_map_must_cover_every_answer():
    raw = _raw("startback")
    raw["items"][8]["score_map"] = {0: 0, 1: 0, 2: 0, 3: 1}
    with pytest.raises(ValidationError, match="score_map must map every answer"):
        InstrumentDocument.model_validate(raw)


def test_bands_must_cover_the_scale():
    raw = _raw("odi")
    raw["banding"]["bands"] = raw["banding"]["bands"][:-1]
    with pytest.raises(ValidationError, match="bands cover 0-80"):
        InstrumentDocument.model_validate(raw)
