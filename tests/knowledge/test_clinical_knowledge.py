from __future__ import annotations

import pytest

from backcare.errors import KnowledgeError
from backcare.knowledge import load
from backcare.knowledge.clinical import (
    PHASES,
    ClaimsDocument,
    PractitionerDocument,
    PreventionDocument,
    RecommendationsDocument,
    TriageDocument,
)
from backcare.knowledge.loader import parse
from backcare.knowledge.schema import SourcesDocument


def _docs():
    return (
        load("clinical/triage.yaml", TriageDocument),
        load("clinical/recommendations.yaml", RecommendationsDocument),
        load("clinical/prevention.yaml", PreventionDocument),
        load("clinical/practitioner.yaml", PractitionerDocument),
        load("clinical/claims.yaml", ClaimsDocument),
    )


def test_every_corrected_claim_exists_and_every_claim_is_shown_somewhere():
    tri, recs, prev, prac, cl = _docs()
    known = {c.id for c in cl.claims}
    referenced = set(prac.corrects)
    for rule in tri.rules:
        referenced.update(rule.corrects)
    for item in (*recs.lines, *prev.items):
        referenced.update(item.corrects)
    assert referenced <= known
    assert known == referenced


def test_plan_covers_the_required_topics():
    _, recs, _, _, _ = _docs()
    topics = {r.topic for r in recs.lines}
    required = {
        "education",
        "staying_active",
        "heat",
        "return_to_work",
        "psychological",
        "acupuncture",
        "bed_rest",
        "belts_corsets",
        "traction",
        "electrotherapy",
        "imaging",
        "medication_nsaids",
        "medication_paracetamol",
        "medication_muscle_relaxants",
        "medication_opioids",
        "manual_therapy",
        "massage",
        "exercise_therapy",
        "water_exercise",
    }
    assert required <= topics
    neck = [r for r in recs.lines if r.regions == ("neck",)]
    assert len(neck) >= 6


def test_line_ids_are_unique_across_plan_and_prevention():
    _, recs, prev, _, _ = _docs()
    ids = [r.id for r in recs.lines] + [p.id for p in prev.items]
    assert len(ids) == len(set(ids))


def test_each_low_back_topic_has_a_line_in_every_phase_where_it_applies():
    _, recs, _, _, _ = _docs()
    for topic in (
        "education",
        "staying_active",
        "medication_nsaids",
        "exercise_therapy",
        "medication_opioids",
        "imaging",
    ):
        phases = set()
        for r in recs.lines:
            if r.topic == topic and "low_back" in r.regions:
                phases.update(r.phases)
        assert phases == set(PHASES), topic


def test_every_clinical_source_says_what_was_verified():
    doc = load("sources/clinical-guidelines.yaml", SourcesDocument)
    for src in doc.sources:
        assert src.note, src.id


BASE = """
kind: clinical-triage
version: "2026-01-01"
sections:
  - {id: s, title: "Section"}
answers:
  - {id: triage.a, type: boolean, section: s, text: "Question a?", sign: "sign a",
     how_to_check: "Check a"}
  - {id: profile.age, type: integer, section: s, text: "Age?"}
derived: []
rules:
"""


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        (
            "  - {id: r, label: Lbl, group: g, urgency: emergency, when: triage.b, "
            "explanation: Why it matters, sources: [nice-ng59]}",
            "unknown fact 'triage.b'",
        ),
        (
            "  - {id: r, label: Lbl, group: g, urgency: emergency, when: profile.age, "
            "explanation: Why it matters, sources: [nice-ng59]}",
            "not a yes/no answer",
        ),
        (
            "  - {id: r, label: Lbl, group: g, urgency: emergency, "
            "when: {at_least: 2, of: [triage.a]}, explanation: Why it matters, "
            "sources: [nice-ng59]}",
            "at_least=2",
        ),
        (
            "  - {id: r, label: Lbl, group: g, urgency: soon, when: triage.a, "
            "explanation: Why it matters, sources: [nice-ng59]}",
            "urgency",
        ),
        (
            "  - {id: r, label: Lbl, group: g, urgency: emergency, when: triage.a, "
            "explanation: Why it matters, sources: []}",
            "at least 1",
        ),
        ("  []", "asked but no rule uses it"),
    ],
)
def test_malformed_triage_rules_are_rejected(rules, message):
    text = (
        BASE + rules
        if not rules.strip().startswith("[]")
        else BASE.replace("rules:\n", "rules: []\n")
    )
    with pytest.raises(KnowledgeError, match=message):
        parse(text, TriageDocument, name="t.yaml")


def test_dont_line_without_reason_is_rejected():
    text = """
kind: clinical-recommendations
version: "2026-01-01"
lines:
  - id: x.y
    topic: t
    title: Title
    text: Some text
    verdict: dont
    certainty: low
    grading: Some grading
    regions: [low_back]
    phases: [acute]
    safe_before_assessment: true
    sources: [nice-ng59]
"""
    with pytest.raises(KnowledgeError, match="must say why"):
        parse(text, RecommendationsDocument, name="r.yaml")


def test_a_serious_sign_without_how_to_check_is_rejected():
    text = BASE.replace(', sign: "sign a",\n     how_to_check: "Check a"', "") + (
        "  - {id: r, label: Lbl, group: g, urgency: same_day, when: triage.a, "
        "explanation: Why it matters, sources: [nice-ng59]}"
    )
    with pytest.raises(KnowledgeError, match="how_to_check"):
        parse(text, TriageDocument, name="t.yaml")


def test_every_choice_has_plain_labels_and_every_section_a_title():
    doc = load("clinical/triage.yaml", TriageDocument)
    titles = {s.id: s.title for s in doc.sections}
    for item in doc.answers:
        assert item.section in titles
        if item.type == "choice":
            assert item.labels
            assert len(item.labels) == len(item.choices or ())
            assert all("_" not in label for label in item.labels)


def test_plan_lines_cite_sources_only_within_their_scope():
    from backcare.knowledge import source_registry
    from backcare.knowledge.clinical import RecommendationsDocument, citation_scope_problems

    doc = load("clinical/recommendations.yaml", RecommendationsDocument)
    assert citation_scope_problems(doc.lines, source_registry()) == []


def test_a_low_back_source_cited_for_neck_pain_is_reported():
    from backcare.knowledge import source_registry
    from backcare.knowledge.clinical import RecommendationsDocument, citation_scope_problems

    doc = load("clinical/recommendations.yaml", RecommendationsDocument)
    line = next(r for r in doc.lines if r.id == "neck.collar")
    wrong = line.model_copy(update={"sources": ("nice-ng59",)})
    problems = citation_scope_problems((wrong,), source_registry())
    assert problems == ["neck.collar: cites nice-ng59 outside its scope (neck)"]
    acute_only = line.model_copy(
        update={"regions": ("low_back",), "phases": ("chronic",), "sources": ("dahm-2010",)}
    )
    assert (
        "outside its scope (chronic)"
        in citation_scope_problems((acute_only,), source_registry())[0]
    )
