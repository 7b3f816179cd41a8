"""Streaming posture alerts: rules, edge cases, and streaming == batch for any chunking."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backcare.errors import InputError
from backcare.posture import Activity
from backcare.posture.alerts import (
    AlertEvaluator,
    AngleRule,
    SittingBoutRule,
    default_rules,
    evaluate_batch,
    iso_rules,
)
from tests.posture.exposure_helpers import segments, series

NECK = AngleRule(id="neck", signal="neck_flexion", above_deg=20, duration_s=10)


def stream(s, rules, chunks, **kw):
    ev = AlertEvaluator.for_series(s, rules, **kw)
    out = []
    i = 0
    for c in chunks:
        sl = slice(i, i + c)
        out += ev.feed(s.time[sl], {k: s[k][sl] for k in s.channels}, s.activity[sl])
        i += c
    return out + ev.close()


def test_neck_flexed_beyond_x_for_y_seconds():
    t, a = segments([(20, 5.0), (9.8, 30.0), (20, 5.0), (25, 30.0), (20, 5.0)])
    ev = evaluate_batch(series(t, neck_flexion=a), [NECK])
    assert len(ev) == 1
    e = ev[0]
    assert e.rule_id == "neck"
    assert e.started_s == pytest.approx(49.8)
    assert e.held_s == pytest.approx(10.0)
    assert e.time_s == pytest.approx(49.8 + 10 - 0.04)
    assert e.repeat == 1


def test_repeat_fires_while_the_condition_lasts():
    rule = AngleRule(id="neck", signal="neck_flexion", above_deg=20, duration_s=10, repeat_s=5)
    t, a = segments([(5, 5.0), (27, 30.0), (5, 5.0)])
    ev = evaluate_batch(series(t, neck_flexion=a), [rule])
    assert [e.repeat for e in ev] == [1, 2, 3, 4]
    assert [e.held_s for e in ev] == pytest.approx([10, 15, 20, 25])


def test_below_threshold_rule():
    rule = AngleRule(id="ext", signal="neck_flexion", below_deg=-10, duration_s=3)
    t, a = segments([(5, 0.0), (4, -20.0), (5, 0.0)])
    assert len(evaluate_batch(series(t, neck_flexion=a), [rule])) == 1


def test_sitting_bout_resets_when_standing_up():
    rate = 1.0
    act = np.concatenate(
        [
            np.full(29 * 60, Activity.SIT),
            np.full(60, Activity.STAND),
            np.full(31 * 60, Activity.SIT),
        ]
    ).astype(np.int8)
    t = np.arange(act.shape[0]) / rate
    rule = SittingBoutRule(id="sit", duration_s=1800, repeat_s=600)
    ev = evaluate_batch(series(t, rate_hz=rate, activity=act), [rule])
    assert len(ev) == 1
    assert ev[0].started_s == pytest.approx(30 * 60)
    assert ev[0].held_s == pytest.approx(1800)
    assert ev[0].signal is None


def test_events_arrive_before_close_once_context_is_known():
    t, a = segments([(15, 30.0), (10, 5.0)])
    s = series(t, neck_flexion=a)
    ev = AlertEvaluator.for_series(s, [NECK])
    early = ev.feed(s.time, {"neck_flexion": s["neck_flexion"]})
    assert len(early) == 1
    assert ev.close() == []
    assert ev.latency_samples == 62


def test_one_sample_at_a_time_equals_batch():
    t, a = segments([(3, 5.0), (12, 30.0), (1, 5.0), (12, 30.0), (2, 40.0)], rate_hz=10.0)
    s = series(t, rate_hz=10.0, neck_flexion=a)
    assert stream(s, [NECK], [1] * len(s)) == evaluate_batch(s, [NECK])


def test_missing_channel_means_no_events_not_an_error():
    t, a = segments([(100, 70.0)])
    s = series(t, trunk_flexion=a)
    assert evaluate_batch(s, [NECK]) == []
    assert any(e.kind == "iso_not_recommended" for e in evaluate_batch(s))


def test_default_rules_come_from_the_knowledge_data():
    rules = default_rules()
    ids = {r.id for r in rules}
    assert "iso.trunk_inclination.holding" in ids
    assert "iso.trunk_inclination.not_recommended" in ids
    assert "sitting.micro_break" in ids
    assert "neck.flexed" in ids
    assert all(r.message for r in rules)


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: AngleRule(id="x", signal="neck_flexion", duration_s=5), "above_deg or below_deg"),
        (lambda: AngleRule(id="x", signal="nose", above_deg=1, duration_s=5), "unknown signal"),
        (lambda: AngleRule(id="x", signal="neck_flexion", above_deg=1, duration_s=0), "> 0"),
        (lambda: SittingBoutRule(id="x", duration_s=10, activities=("sofa",)), "unknown activity"),
        (lambda: iso_rules("elbow"), "unknown ISO 11226 measure"),
        (lambda: AlertEvaluator([NECK, NECK], sample_interval_s=0.04), "unique"),
        (lambda: AlertEvaluator([NECK], sample_interval_s=-1), "sample_interval_s"),
    ],
)
def test_rule_errors_name_the_rule(make, match):
    with pytest.raises(InputError, match=match):
        make()


def test_stream_errors():
    ev = AlertEvaluator([NECK], sample_interval_s=0.04)
    ev.feed(np.array([0.0, 0.04]), {"neck_flexion": np.array([1.0, 2.0])})
    with pytest.raises(InputError, match="backwards"):
        ev.feed(np.array([0.02]), {"neck_flexion": np.array([1.0])})
    with pytest.raises(InputError, match="shape"):
        ev.feed(np.array([1.0, 2.0]), {"neck_flexion": np.array([1.0])})
    ev.close()
    with pytest.raises(InputError, match="closed"):
        ev.feed(np.array([5.0]), {"neck_flexion": np.array([1.0])})


@st.composite
def recordings(draw):
    rate = draw(st.sampled_from([5.0, 10.0]))
    n = draw(st.integers(20, 1500))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    steps = np.full(n, 1 / rate)
    gaps = rng.random(n) < 0.003
    steps[gaps] = rng.uniform(2, 30, gaps.sum())
    t = np.cumsum(steps) - steps[0]
    neck = np.clip(np.cumsum(rng.normal(0, 4, n)) + 15, -60, 80)
    neck[rng.random(n) < 0.02] = np.nan
    flex = np.clip(np.cumsum(rng.normal(0, 5, n)) + 20, -30, 120)
    act = np.repeat(rng.choice([3, 4, 6, 2], size=n // 40 + 1), 40)[:n]
    s = series(t, rate_hz=rate, activity=act, neck_flexion=neck, trunk_flexion=flex)
    cuts = draw(st.lists(st.integers(1, 200), min_size=1, max_size=60))
    chunks, left = [], n
    for c in cuts:
        if left <= 0:
            break
        chunks.append(min(c, left))
        left -= chunks[-1]
    if left > 0:
        chunks.append(left)
    return s, chunks


RULES = [
    AngleRule(id="neck", signal="neck_flexion", above_deg=20, duration_s=4, repeat_s=3),
    AngleRule(id="neck_ext", signal="neck_flexion", below_deg=-5, duration_s=2),
    AngleRule(id="head", signal="head_inclination", above_deg=30, duration_s=6),
    SittingBoutRule(id="sit", duration_s=5, repeat_s=4),
    *iso_rules("trunk_inclination"),
]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(recordings())
def test_streaming_in_random_chunks_equals_batch(rec):
    s, chunks = rec
    batch = evaluate_batch(s, RULES, filter_s=2.0)
    assert stream(s, RULES, chunks, filter_s=2.0) == batch
