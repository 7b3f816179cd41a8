"""The live coach's server side without the web framework: parsing, angles, REBA, alerts,
calibration, batching and the stored series (synthetic skeletons with known angles)."""

from __future__ import annotations

import asyncio
import json
import math
import time

import numpy as np
import pytest

from backcare.camera.stream import (
    BREAK_RULE_ID,
    GRID_S,
    LiveFrame,
    LiveHub,
    LiveSession,
    _Item,
    parse_message,
    process_batch,
)
from backcare.errors import InputError
from backcare.posture.conventions import Activity
from backcare.web.routes.coach import exposure_summary
from tests.camera.skeleton import pose_result

THIGHS_HIDDEN = {"left_knee": 0.1, "right_knee": 0.1, "left_ankle": 0.1, "right_ankle": 0.1}


def landmarks(visibility: dict[str, float] | None = None, **angles: float) -> list[float]:
    """The 132 numbers a browser sends for a person facing the camera with these angles."""
    res = pose_result(heading_deg=180.0, visibility=visibility, **angles)
    return np.column_stack([res.world, res.visibility]).ravel().tolist()


def frame(t_ms: float, lm: list[float] | None, seq: int | None = None) -> LiveFrame:
    parsed = parse_message({"type": "frame", "t": t_ms, "seq": seq, "lm": lm})
    assert isinstance(parsed, LiveFrame)
    return parsed


def run(session: LiveSession, frames: list[LiveFrame]):
    now = time.perf_counter()
    return process_batch([_Item(session, f, now) for f in frames])


def feed(session: LiveSession, lm: list[float] | None, t0_s: float, t1_s: float, rate_hz=10.0):
    """Frames from t0 to t1 [s] at ``rate_hz``; returns every reply."""
    out = []
    times = np.arange(t0_s, t1_s, 1.0 / rate_hz)
    for chunk in np.array_split(times, max(1, len(times) // 200)):
        out += run(session, [frame(t * 1000.0, lm) for t in chunk])
    return out


# -- the protocol -------------------------------------------------------------------------------


def test_commands_and_a_frame_are_parsed():
    assert parse_message({"type": "calibrate"}) == "calibrate"
    assert parse_message({"type": "stop"}) == "stop"
    f = frame(1500.0, landmarks(), seq=3)
    assert f.t_s == pytest.approx(1.5)
    assert f.seq == 3
    assert f.world is not None
    assert f.world.shape == (33, 3)
    assert f.visibility is not None
    assert f.visibility.shape == (33,)
    empty = frame(10.0, None)
    assert empty.world is None
    assert empty.visibility is None


@pytest.mark.parametrize(
    ("message", "where"),
    [
        ({"type": "dance"}, "type"),
        ({"type": "frame", "lm": None}, "t"),
        ({"type": "frame", "t": "soon", "lm": None}, "t"),
        ({"type": "frame", "t": -5, "lm": None}, "t"),
        ({"type": "frame", "t": 1, "lm": [0.0] * 131}, "lm"),
        ({"type": "frame", "t": 1, "lm": ["x"] * 132}, "lm"),
        ({"type": "frame", "t": 1, "lm": [0.0] * 131 + [1.5]}, "lm"),
        ({"type": "frame", "t": 1, "lm": [50.0] * 132}, "lm"),
        ({"type": "frame", "t": 1, "lm": [math.nan] * 132}, "lm"),
    ],
)
def test_malformed_messages_name_the_field(message, where):
    with pytest.raises(InputError) as info:
        parse_message(message)
    assert info.value.where == where


def test_a_non_object_is_refused():
    with pytest.raises(InputError):
        parse_message([1, 2, 3])  # type: ignore[arg-type]


# -- angles, REBA, activity ---------------------------------------------------------------------


@pytest.mark.parametrize(("trunk", "neck"), [(0.0, 0.0), (25.0, 10.0), (50.0, 30.0)])
def test_known_angles_come_back(trunk, neck):
    session = LiveSession(break_after_s=600)
    reply = run(session, [frame(0.0, landmarks(trunk=trunk, neck=neck, elbow=60.0))])[0]
    assert reply.accepted
    assert reply.pose
    assert reply.angles["trunk_flexion"] == pytest.approx(trunk, abs=0.1)
    assert reply.angles["neck_flexion"] == pytest.approx(neck, abs=0.1)
    assert reply.frames == 1
    assert reply.reba_score is not None
    assert reply.reba_level is not None
    assert reply.as_json()["reba"]["score"] == reply.reba_score


def test_reba_grows_with_trunk_flexion():
    scores = []
    for trunk in (0.0, 30.0, 70.0):
        session = LiveSession(break_after_s=600)
        lm = landmarks(trunk=trunk, elbow=80.0)
        scores.append(run(session, [frame(0.0, lm)])[0].reba_score)
    assert scores[0] <= scores[1] <= scores[2]
    assert scores[0] < scores[2]


def test_activity_desk_default_thighs_and_dropout():
    session = LiveSession(break_after_s=600)
    hidden = landmarks(visibility=THIGHS_HIDDEN)
    standing = landmarks()  # the synthetic body stands: thighs vertical and in view
    assert run(session, [frame(0.0, hidden)])[0].activity == "sit"
    assert run(session, [frame(100.0, standing)])[0].activity == "stand"
    # nobody in view: the last label holds for the median-filter window, then unknown
    replies = feed(session, None, 0.2, 8.0)
    hold = session.dropout_s
    for rep in replies:
        away = rep.t_s - 0.1  # since the last frame with a person
        if abs(away - hold) > 0.05:
            assert rep.activity == ("stand" if away < hold else "unknown"), rep.t_s
        assert not rep.pose
        assert all(v is None for v in rep.angles.values())


def test_frames_faster_than_the_limit_or_backwards_are_counted_not_used():
    session = LiveSession(break_after_s=600)
    lm = landmarks()
    replies = run(session, [frame(0.0, lm), frame(10.0, lm), frame(5.0, lm), frame(40.0, lm)])
    assert [r.accepted for r in replies] == [True, False, False, True]
    assert [r.frames for r in replies] == [1, 2, 3, 4]
    assert session.frames_used == 2


# -- alerts ---------------------------------------------------------------------------------------


def test_break_reminder_after_the_configured_sitting_time():
    session = LiveSession(break_after_s=600)
    hidden = landmarks(visibility=THIGHS_HIDDEN)
    replies = feed(session, hidden, 0.0, 700.0)
    fired = [(r.t_s, a) for r in replies for a in r.alerts if a["rule_id"] == BREAK_RULE_ID]
    assert len(fired) == 1
    t, alert = fired[0]
    assert alert["break"] is True
    assert alert["held_s"] == pytest.approx(600.0, abs=GRID_S)
    # reported once the rule's median-filter context has arrived
    assert 600.0 <= t <= 600.0 + session.dropout_s
    assert "10 minutes" in alert["message"]


def test_standing_up_resets_the_sitting_bout():
    session = LiveSession(break_after_s=600)
    hidden = landmarks(visibility=THIGHS_HIDDEN)
    replies = feed(session, hidden, 0.0, 400.0)
    replies += feed(session, landmarks(), 400.0, 460.0)  # stands up for a minute
    replies += feed(session, hidden, 460.0, 900.0)
    assert not any(a["rule_id"] == BREAK_RULE_ID for r in replies for a in r.alerts)


def test_a_flexed_neck_held_for_a_minute_is_reported_and_a_brief_one_is_not():
    brief = LiveSession(break_after_s=3600)
    replies = feed(brief, landmarks(neck=40.0, visibility=THIGHS_HIDDEN), 0.0, 30.0)
    replies += feed(brief, landmarks(visibility=THIGHS_HIDDEN), 30.0, 100.0)
    assert not any(a["rule_id"] == "neck.flexed" for r in replies for a in r.alerts)
    held = LiveSession(break_after_s=3600)
    replies = feed(held, landmarks(neck=40.0, visibility=THIGHS_HIDDEN), 0.0, 80.0)
    assert any(a["rule_id"] == "neck.flexed" for r in replies for a in r.alerts)


def test_static_posture_raises_the_reba_activity_item():
    session = LiveSession(break_after_s=3600)
    lm = landmarks(trunk=10.0, elbow=80.0, visibility=THIGHS_HIDDEN)
    first = feed(session, lm, 0.0, 1.0)[0].reba_score
    feed(session, lm, 1.0, 75.0)
    assert session.timing[0] is True  # static: held within 10 deg for over a minute
    later = run(session, [frame(75_000.0, lm)])[0].reba_score
    assert later == first + 1


# -- calibration ----------------------------------------------------------------------------------


def test_calibration_zeroes_the_neutral_and_applies_from_then_on():
    session = LiveSession(break_after_s=600)
    with pytest.raises(InputError):
        session.calibrate()
    neutral = landmarks(trunk=8.0, neck=12.0, visibility=THIGHS_HIDDEN)
    feed(session, neutral, 0.0, 4.0, rate_hz=30.0)
    out = session.calibrate()
    assert out["type"] == "calibrated"
    assert out["offsets"]["trunk_flexion"] == pytest.approx(0.0, abs=0.5)  # the camera level
    # a person leaning 8 deg in every frame: the lean is read as camera pitch (the body's long
    # axis becomes vertical), the neck's own 12 deg as the neutral neck
    assert out["offsets"]["neck_flexion"] == pytest.approx(12.0, abs=0.5)
    bent = run(session, [frame(5000.0, landmarks(trunk=38.0, neck=32.0))])[0]
    assert bent.calibrated
    assert bent.angles["trunk_flexion"] == pytest.approx(30.0, abs=0.5)
    assert bent.angles["neck_flexion"] == pytest.approx(20.0, abs=0.5)


def test_calibration_needs_a_person_in_the_last_seconds():
    session = LiveSession(break_after_s=600)
    feed(session, landmarks(), 0.0, 0.2, rate_hz=10.0)  # two frames
    with pytest.raises(InputError) as info:
        session.calibrate()
    assert info.value.where == "calibrate"
    # frames from long ago do not count
    feed(session, None, 0.2, 30.0, rate_hz=10.0)
    run(session, [frame(30_000.0, landmarks())])
    with pytest.raises(InputError):
        session.calibrate()


def test_calibration_without_hips_zeroes_the_head_only():
    session = LiveSession(break_after_s=600)
    no_hips = {**THIGHS_HIDDEN, "left_hip": 0.05, "right_hip": 0.05}
    feed(session, landmarks(neck=15.0, visibility=no_hips), 0.0, 4.0, rate_hz=30.0)
    out = session.calibrate()
    assert out["levelled"] is False
    assert set(out["offsets"]) == {"head_inclination"}
    assert out["offsets"]["head_inclination"] == pytest.approx(15.0, abs=0.5)
    later = run(session, [frame(5000.0, landmarks(neck=35.0, visibility=no_hips))])[0]
    assert later.angles["head_inclination"] == pytest.approx(20.0, abs=0.5)
    assert later.angles["trunk_flexion"] is None


def test_a_slow_device_calibrates_on_its_last_frames():
    session = LiveSession(break_after_s=600)
    feed(session, landmarks(neck=10.0, visibility=THIGHS_HIDDEN), 0.0, 6.0, rate_hz=0.8)
    out = session.calibrate()
    assert out["offsets"]["neck_flexion"] == pytest.approx(10.0, abs=0.5)


# -- batching -------------------------------------------------------------------------------------


def test_a_mixed_batch_equals_each_session_alone():
    poses = [landmarks(trunk=5.0 * k, neck=3.0 * k, elbow=60.0) for k in range(6)]
    alone = []
    for lm in poses:
        s = LiveSession(break_after_s=600)
        alone.append([r.as_json() for r in run(s, [frame(0.0, lm), frame(100.0, None)])])
    sessions = [LiveSession(break_after_s=600) for _ in poses]
    items = []
    for s, lm in zip(sessions, poses, strict=True):
        items.append(_Item(s, frame(0.0, lm), 0.0))
    for s in sessions:
        items.append(_Item(s, frame(100.0, None), 0.0))
    mixed = process_batch(items)
    for k in range(len(poses)):
        got = [mixed[k].as_json(), mixed[len(poses) + k].as_json()]
        for a, b in zip(got, alone[k], strict=True):
            a.pop("proc_ms"), b.pop("proc_ms")
            assert a == b


def test_the_hub_batches_concurrent_submissions_and_times_them():
    hub = LiveHub()
    sessions = [LiveSession(break_after_s=600) for _ in range(8)]
    lm = landmarks(trunk=20.0)

    async def main():
        return await asyncio.gather(*(hub.submit(s, frame(0.0, lm)) for s in sessions))

    replies = asyncio.run(main())
    assert len(replies) == 8
    assert all(r.angles["trunk_flexion"] == pytest.approx(20.0, abs=0.1) for r in replies)
    assert all(r.proc_ms > 0 for r in replies)
    assert hub.batches < 8  # they were gathered, not computed one by one
    assert hub.batched_frames == 8


# -- the stored series ----------------------------------------------------------------------------


def test_finish_gives_the_grid_series_and_its_summary():
    session = LiveSession(break_after_s=600)
    feed(session, landmarks(trunk=30.0, visibility=THIGHS_HIDDEN), 0.0, 90.0, rate_hz=30.0)
    series, _ = session.finish()
    assert series is not None
    assert series.meta.source == "live"
    assert series.meta.rate_hz == pytest.approx(1 / GRID_S)
    assert len(series) == pytest.approx(90.0 / GRID_S, abs=2)
    assert np.nanmedian(series["trunk_flexion"]) == pytest.approx(30.0, abs=0.1)
    assert (series.activity == Activity.SIT).all()
    summary = exposure_summary(series, session.events)
    assert summary["source"] == "live"
    assert summary["duration_s"] == pytest.approx(90.0, abs=0.2)
    assert summary["sit_time_s"] == pytest.approx(90.0, abs=0.5)
    assert summary["trunk_fwd_pct"]["20"] == pytest.approx(100.0)
    assert summary["iso"]["trunk"]["verdict"] != "acceptable"
    json.dumps(summary, allow_nan=False)  # stored as JSON: no NaN
    assert summary["alerts"].get("iso.trunk_inclination.holding", 0) >= 1
    assert session.closed
    assert session.finish() == (None, [])


def test_a_session_without_samples_stores_nothing():
    session = LiveSession(break_after_s=600)
    run(session, [frame(0.0, landmarks())])
    assert session.finish()[0] is None


def test_break_time_must_be_positive():
    with pytest.raises(InputError):
        LiveSession(break_after_s=0)
