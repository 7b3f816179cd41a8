"""The exposure knowledge files: loaded, cited, and their schemas reject inconsistent rules."""

from __future__ import annotations

import pytest

from backcare.errors import KnowledgeError
from backcare.knowledge.exposure import (
    AlertsDocument,
    IsoDocument,
    ThresholdsDocument,
    alert_rules,
    iso11226,
    thresholds,
)
from backcare.knowledge.loader import load_text, parse


def test_files_load_with_their_sources():
    assert thresholds().trunk_forward.thresholds_deg == (20, 30, 60, 90)
    assert thresholds().median_filter.window_s == 5
    assert {m.part for m in iso11226().measures} == {"trunk", "neck", "upper_arm"}
    assert all(m.verified for m in iso11226().measures)
    assert len(alert_rules().rules) >= 3


def _swap(rel: str, old: str, new: str) -> str:
    text = load_text(rel)
    assert old in text
    return text.replace(old, new, 1)


def test_bands_must_increase():
    bad = _swap("exposure/thresholds.yaml", "[20, 30, 60, 90]", "[20, 60, 30, 90]")
    with pytest.raises(KnowledgeError, match="strictly increasing"):
        parse(bad, ThresholdsDocument, name="thresholds.yaml")


def test_a_holding_zone_needs_a_holding_time():
    bad = _swap("exposure/iso11226.yaml", "    max_holding_time_s: 60\n", "")
    with pytest.raises(KnowledgeError, match="max_holding_time_s"):
        parse(bad, IsoDocument, name="iso11226.yaml")


def test_an_alert_rule_needs_its_fields():
    bad = _swap("exposure/alerts.yaml", "    duration_s: 1800\n", "")
    with pytest.raises(KnowledgeError, match="needs duration_s"):
        parse(bad, AlertsDocument, name="alerts.yaml")
