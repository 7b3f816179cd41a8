"""The coach page and its WebSocket through the app: login, origin, replies, storage."""

from __future__ import annotations

import json

import numpy as np
import pytest
from starlette.websockets import WebSocketDisconnect

from backcare.io.parquet import read_series
from backcare.store import posture_sessions
from backcare.store import schedule as schedule_store
from tests.camera.skeleton import pose_result

ORIGIN = {"origin": "http://testserver"}
HIDDEN = {"left_knee": 0.1, "right_knee": 0.1, "left_ankle": 0.1, "right_ankle": 0.1}


def lm(**angles: float) -> list[float]:
    res = pose_result(heading_deg=180.0, visibility=HIDDEN, **angles)
    return np.column_stack([res.world, res.visibility]).ravel().tolist()


def test_page_needs_a_login(client):
    response = client.get("/coach", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_page_renders_for_a_person(person):
    response = person.client.get("/coach")
    assert response.status_code == 200
    html = response.text
    assert 'id="coach"' in html
    assert "/static/js/coach.js" in html
    assert 'data-break-after-s="1800.0"' in html
    # no inline script: every script tag has a src (the CSP allows only this origin's files)
    assert html.count("<script") == html.count("<script src=")


def test_break_time_follows_the_schedule(person, app_db):
    schedule_store.save_schedule(
        app_db, person.person_id, break_every_min=45, exercise_days_per_week=2, reminders=True
    )
    assert 'data-break-after-s="2700.0"' in person.client.get("/coach").text


def _refused(client, headers) -> int:
    with (
        pytest.raises(WebSocketDisconnect) as info,
        client.websocket_connect("/ws/coach", headers=headers) as ws,
    ):
        ws.receive_text()
    return info.value.code


def test_socket_refuses_anonymous_and_cross_origin(client, person):
    assert _refused(client, ORIGIN) == 1008
    assert _refused(person.client, {"origin": "http://evil.example"}) == 1008
    assert _refused(person.client, {}) == 1008  # no Origin at all


def test_frames_get_angles_and_stop_stores_the_session(person, app_db, web_settings):
    with person.client.websocket_connect("/ws/coach", headers=ORIGIN) as ws:
        for i in range(40):
            ws.send_text(
                json.dumps(
                    {
                        "type": "frame",
                        "seq": i,
                        "t": 1000 + 100.0 * i,
                        "lm": lm(trunk=25.0, neck=15.0),
                    }
                )
            )
            reply = ws.receive_json()
            assert reply["type"] == "frame"
            assert reply["seq"] == i
            assert reply["frames"] == i + 1
        assert reply["angles"]["trunk_flexion"] == pytest.approx(25.0, abs=0.2)
        assert reply["angles"]["neck_flexion"] == pytest.approx(15.0, abs=0.2)
        assert reply["reba"]["score"] >= 1
        assert reply["activity"] == "sit"
        assert reply["proc_ms"] > 0
        ws.send_text(json.dumps({"type": "calibrate"}))
        calibrated = ws.receive_json()
        assert calibrated["type"] == "calibrated"
        assert calibrated["offsets"]["neck_flexion"] == pytest.approx(15.0, abs=0.5)
        ws.send_text(json.dumps({"type": "frame", "t": 6000, "lm": lm(trunk=25.0, neck=35.0)}))
        after = ws.receive_json()
        assert after["calibrated"] is True
        assert after["angles"]["neck_flexion"] == pytest.approx(20.0, abs=0.5)
        ws.send_text(json.dumps({"type": "stop"}))
        saved = ws.receive_json()
    assert saved["type"] == "saved"
    assert saved["frames"] == 41
    assert saved["headline"].startswith(("In this recording", "On ")), saved["headline"]
    assert "_" not in saved["headline"]
    rows = posture_sessions.list_posture_sessions(app_db, person.person_id)
    assert [r.id for r in rows] == [saved["session_id"]]
    row = rows[0]
    assert row.source == "live"
    assert row.duration_s == pytest.approx(5.0, abs=0.2)
    assert row.summary["source"] == "live"
    assert row.summary["samples"] == saved["samples"]
    series = read_series(row.series_path)
    assert series.meta.source == "live"
    assert len(series) == saved["samples"]
    # the series lives in the person's own folder of the data directory
    assert str(web_settings.data_dir / "people" / str(person.person_id)) in row.series_path
    assert series.meta.calibration["neck_flexion"] == pytest.approx(15.0, abs=0.5)
    # the session counts in the progress page's exposure
    # sitting all along; the 1 s pause before the last frame is a gap, not credited
    assert row.summary["sit_time_s"] == pytest.approx(4.1, abs=0.05)
    assert "No measured posture sessions yet" not in person.client.get("/progress").text


def test_closing_the_socket_also_stores_and_only_for_its_owner(person, other_person, app_db):
    with person.client.websocket_connect("/ws/coach", headers=ORIGIN) as ws:
        for i in range(20):
            ws.send_text(json.dumps({"type": "frame", "t": 100.0 * i, "lm": lm()}))
            ws.receive_json()
    mine = posture_sessions.list_posture_sessions(app_db, person.person_id)
    assert len(mine) == 1
    assert posture_sessions.list_posture_sessions(app_db, other_person.person_id) == []


def test_bad_messages_are_answered_with_the_rule(person):
    with person.client.websocket_connect("/ws/coach", headers=ORIGIN) as ws:
        ws.send_text("not json")
        assert ws.receive_json()["type"] == "error"
        ws.send_text(json.dumps({"type": "frame", "t": 1, "lm": [0.0] * 5}))
        error = ws.receive_json()
        assert error["type"] == "error"
        assert "132" in error["message"]
        ws.send_text(json.dumps({"type": "calibrate"}))
        assert "no person" in ws.receive_json()["message"]
        ws.send_text(json.dumps({"type": "stop"}))
        saved = ws.receive_json()
    assert saved["session_id"] is None
