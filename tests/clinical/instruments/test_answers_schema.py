"""The JSON Schema of answers covers every instrument and agrees with the scorer."""

from __future__ import annotations

import json

from backcare.clinical.instruments import answers_json_schema, instrument, instrument_ids, score

from .helpers import odi_with_sum


def test_schema_covers_every_item_of_every_instrument():
    schema = answers_json_schema()
    json.dumps(schema)  # serialisable
    assert schema["$schema"].endswith("2020-12/schema")
    assert schema["type"] == "object"
    props = schema["properties"]
    for iid in instrument_ids():
        doc = instrument(iid)
        assert iid in schema["x-backcare-copyright"]
        for item in doc.items:
            prop = props[item.id]
            assert prop["type"] == ["integer", "null"]
            assert (prop["minimum"], prop["maximum"]) == (item.min, item.max)
    assert props["odi.variant"]["enum"] == ["sex_life", "employment", None]
    expected = {i.id for iid in instrument_ids() for i in instrument(iid).items} | {"odi.variant"}
    assert set(props) == expected


def test_single_instrument_schema_has_only_its_items():
    schema = answers_json_schema("rmdq")
    assert set(schema["properties"]) == {f"rmdq.{n}" for n in range(1, 25)}
    assert "Roland" in schema["title"]


def test_every_value_the_schema_allows_is_scored():
    # each item's minimum and maximum (the schema's bounds) are accepted by the scorer
    props = answers_json_schema("odi")["properties"]
    for bound in ("minimum", "maximum"):
        answers = {**odi_with_sum(10), **{k: p[bound] for k, p in props.items() if "minimum" in p}}
        assert score("odi", answers).answered == 10


def test_shipped_wording_appears_only_for_nrs():
    props = answers_json_schema()["properties"]
    assert props["nrs.now"]["title"].startswith("How strong")
    assert "x-backcare-option-labels" in props["nrs.now"]
    assert "x-backcare-option-labels" not in props["odi.1"]
