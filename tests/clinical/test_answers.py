from __future__ import annotations

from backcare.clinical.answers import answers_json_schema, triage_knowledge, triage_questions
from backcare.knowledge import source_registry


def test_questions_cover_every_answer_id_in_order_emergency_first():
    questions = triage_questions()
    assert [q.id for q in questions] == [a.id for a in triage_knowledge().answers]
    triage_qs = [q for q in questions if q.id.startswith("triage.")]
    sections = [q.section for q in triage_qs]
    first_other = next(i for i, s in enumerate(sections) if s != "emergency")
    assert all(s != "emergency" for s in sections[first_other:])
    for q in triage_qs[:first_other]:
        assert any(m.urgency == "emergency" for m in q.maps_to), q.id


def test_every_triage_question_maps_to_a_sourced_flag_and_reads_as_a_question():
    registry = set(source_registry())
    texts = set()
    for q in triage_questions():
        assert q.text not in texts
        texts.add(q.text)
        if q.id.startswith("triage."):
            assert q.type == "boolean"
            assert q.text.endswith("?"), q.id
            assert q.maps_to, q.id
            for m in q.maps_to:
                assert m.sources
                assert set(m.sources) <= registry


def test_numeric_answers_map_through_derived_facts():
    by_id = {q.id: q for q in triage_questions()}
    assert {m.flag for m in by_id["profile.age"].maps_to} >= {
        "cancer_single_feature",
        "cancer_features_combined",
    }
    assert "inflammatory_back_pain" in {m.flag for m in by_id["pain.onset_age"].maps_to}


def test_ask_if_filters_by_answers():
    all_ids = {q.id for q in triage_questions()}
    low_back = {q.id for q in triage_questions({"pain.region": "low_back"})}
    neck = {q.id for q in triage_questions({"pain.region": "neck"})}
    neck_only = {
        "triage.hand_clumsiness",
        "triage.unsteady_walking",
        "triage.electric_shocks",
        "triage.neck_trauma",
    }
    assert neck_only <= all_ids
    assert neck_only <= neck
    assert not neck_only & low_back
    assert "pain.onset_age" in low_back
    assert "pain.onset_age" not in neck
    no_chest = {q.id for q in triage_questions({"triage.chest_pain": False})}
    assert "triage.chest_breathless" not in no_chest
    assert "triage.chest_breathless" in {q.id for q in triage_questions({})}
    late_onset = {q.id for q in triage_questions({"pain.onset_age": 60, "profile.age": 62})}
    assert "triage.axspa_night_waking" not in late_onset


def test_json_schema_fragment():
    schema = answers_json_schema()
    props = schema["properties"]
    assert set(props) == {a.id for a in triage_knowledge().answers}
    assert props["triage.saddle_numbness"]["type"] == ["boolean", "null"]
    assert props["pain.region"]["enum"] == ["low_back", "upper_back", "neck", "both", None]
    assert props["profile.age"]["type"] == ["integer", "null"]
    assert props["profile.age"]["minimum"] == 16
    assert props["pain.duration_weeks"]["type"] == ["number", "null"]
    assert props["pain.duration_weeks"]["x-unit"] == "weeks"
    assert schema["additionalProperties"] is True
    assert all(p["description"] for p in props.values())
