from __future__ import annotations

import pytest

from backcare.errors import KnowledgeError
from backcare.knowledge import KINDS, load_all, source_registry
from backcare.knowledge.loader import check_citations, data_files, parse
from backcare.knowledge.schema import Cited, Document, SourcesDocument


def test_every_knowledge_file_loads_and_every_citation_resolves():
    docs = load_all()
    assert set(docs) == set(data_files())
    assert {d.kind for d in docs.values()} <= set(KINDS)


def test_every_registered_source_is_locatable():
    for src in source_registry().values():
        assert src.doi or src.url


def test_malformed_file_names_file_and_field():
    bad = """
kind: sources
schema_version: 1
version: "2026-11-25"
sources:
  - id: ok-source
    citation: "A perfectly fine citation string"
    year: 3000
    type: paper
    doi: 10.1000/xyz
"""
    with pytest.raises(KnowledgeError, match=r"bad\.yaml: field sources\[0\]\.year"):
        parse(bad, SourcesDocument, name="bad.yaml")


def test_not_yaml_and_wrong_kind_are_reported():
    with pytest.raises(KnowledgeError, match="x.yaml: not valid YAML"):
        parse("kind: [unclosed", SourcesDocument, name="x.yaml")
    with pytest.raises(KnowledgeError, match="kind is 'claims'"):
        parse('kind: claims\nversion: "2026-01-01"\nsources: []', SourcesDocument, name="y.yaml")


class _Rec(Cited):
    text: str


class _Doc(Document):
    items: tuple[_Rec, ...]


def test_dangling_source_id_fails():
    doc = _Doc(kind="x", version="2026-01-01", items=(_Rec(text="t", sources=("nope-404",)),))
    with pytest.raises(KnowledgeError, match=r"items\[0\]\.sources -> 'nope-404'"):
        check_citations(doc, name="t.yaml")


def test_unsourced_statement_is_rejected():
    with pytest.raises(ValueError, match="at least 1"):
        _Rec(text="t", sources=())
