"""The live posture coach: the page (``/coach``) and its WebSocket (``/ws/coach``).

The page runs MediaPipe Pose in the browser (``static/js/coach.js``) and sends only landmarks;
the socket hands them to the streaming pipeline (:mod:`backcare.camera.stream`) and answers
every frame with angles, REBA and alerts. The app-level guard (:func:`backcare.web.deps.guard`)
already refuses a cross-origin socket and one without a login session (close 1008) before this
code runs.

When the socket closes (the Stop button, or the page going away), the session is stored: the
:class:`~backcare.posture.series.PostureSeries` as Parquet under the person's folder
(``live/<start>-<id>.parquet``) and a ``posture_sessions`` row with its exposure summary, which
the progress page lists.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.status import WS_1003_UNSUPPORTED_DATA, WS_1009_MESSAGE_TOO_BIG

from backcare.errors import InputError
from backcare.report.headline import wearable_headline
from backcare.store import posture_sessions
from backcare.store import schedule as schedule_store
from backcare.store.db import Database
from backcare.store.files import person_dir
from backcare.web.deps import CurrentUser, DbDep, SettingsDep
from backcare.web.settings import WebSettings
from backcare.web.templating import VENDOR_DIR, render

if TYPE_CHECKING:  # the streaming pipeline (NumPy, pandas, SciPy) loads on first use, not at start
    from backcare.camera.stream import LiveHub, LiveSession
    from backcare.posture.alerts import AlertEvent
    from backcare.posture.series import PostureSeries

__all__ = [
    "MAX_MESSAGE_BYTES",
    "POSE_VENDOR",
    "SavedSession",
    "exposure_summary",
    "live_hub",
    "router",
    "save_session",
]

router = APIRouter()

#: Where the build copies the npm package ``@mediapipe/pose`` (under ``static/vendor``).
POSE_VENDOR = "mediapipe/pose"
#: Largest client message [bytes]; a frame is about 3 kB.
MAX_MESSAGE_BYTES = 64 * 1024
#: Bad messages tolerated on one socket before it is closed.
MAX_BAD_MESSAGES = 50
#: Model complexities the page offers: the package ships lite, full and heavy; the build copies
#: lite and full into static/vendor (heavy, 27 MB, is slower than a live coach can use).
MODELS = (("lite", 0, "pose_landmark_lite.tflite"), ("full", 1, "pose_landmark_full.tflite"))


def _pipeline() -> Any:
    """The streaming pipeline module, loaded on first use so that the server starts at once."""
    from backcare.camera import stream

    return stream


def live_hub(app: Any) -> LiveHub:
    """The app's frame batcher (one per app)."""
    from backcare.camera.stream import LiveHub

    hub = getattr(app.state, "live_hub", None)
    if not isinstance(hub, LiveHub):
        hub = LiveHub()
        app.state.live_hub = hub
    return hub


def _break_after_s(db: Database, person_id: int, settings: WebSettings) -> float:
    """The person's schedule (minutes between breaks), else the app's default."""
    record = schedule_store.get_schedule(db, person_id)
    if record is not None and record.break_every_min:
        return float(record.break_every_min) * 60.0
    return float(settings.break_after_s)


@router.get("/coach")
def coach_page(request: Request, user: CurrentUser, db: DbDep, settings: SettingsDep) -> Response:
    from backcare.camera.stream import CALIBRATION_WINDOW_S, MAX_RATE_HZ

    vendor = VENDOR_DIR / POSE_VENDOR
    pose_ready = (vendor / "pose.js").is_file()
    models = [(name, level) for name, level, model in MODELS if (vendor / model).is_file()]
    break_s = _break_after_s(db, user.person_id, settings)
    return render(
        request,
        "coach/coach.html",
        {
            "pose_ready": pose_ready,
            "pose_base": f"/static/vendor/{POSE_VENDOR}/",
            "break_after_s": break_s,
            "break_after_min": break_s / 60.0,
            "max_rate_hz": MAX_RATE_HZ,
            "calibration_s": CALIBRATION_WINDOW_S,
            "models": models,
        },
    )


def exposure_summary(series: PostureSeries, events: Iterable[AlertEvent] = ()) -> dict[str, Any]:
    """The JSON summary stored with a live session (``posture_sessions.summary``).

    The same flat shape as the uploads' analyses
    (:func:`backcare.web.analysis.session_summary`: the exposure totals of
    :func:`~backcare.camera.stream.session_exposure`, REBA included, which the progress page
    reads), plus ``duration_s``, ``samples``, ``alerts`` (events per rule), ``breaks_due``
    (break reminders fired) and ``notes``.
    """
    from backcare.camera.stream import BREAK_RULE_ID, session_exposure
    from backcare.web.analysis import session_summary

    report = session_exposure(series)
    out = session_summary("live", asdict(report.summary))
    counts: dict[str, int] = {}
    for e in events:
        counts[e.rule_id] = counts.get(e.rule_id, 0) + 1
    out.update(
        {
            "duration_s": round(series.duration_s, 1),
            "samples": len(series),
            "alerts": counts,
            "breaks_due": counts.get(BREAK_RULE_ID, 0),
            "notes": [*series.meta.notes, *report.notes],
        }
    )
    return out


@dataclass(frozen=True)
class SavedSession:
    """What was stored when a session ended."""

    id: int
    path: Path
    duration_s: float
    samples: int
    #: One sentence on the session for the person (see :mod:`backcare.report.headline`).
    headline: str = ""


def save_session(
    db: Database, data_dir: Path, person_id: int, session: LiveSession
) -> SavedSession | None:
    """Close ``session`` and store it (Parquet + ``posture_sessions`` row); ``None`` when it
    holds no usable sample (shorter than two samples, or nobody was ever seen)."""
    from backcare.io.parquet import write_series

    series, _tail = session.finish()
    if series is None or not series.channels:
        return None
    folder = person_dir(data_dir, person_id, create=True) / "live"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = session.started_at.strftime("%Y%m%dT%H%M%SZ")
    path = write_series(series, folder / f"{stamp}-{secrets.token_hex(4)}.parquet")
    try:
        summary = exposure_summary(series, session.events)
    except InputError as exc:
        summary = {"source": "live", "duration_s": round(series.duration_s, 1), "error": str(exc)}
    record = posture_sessions.add_posture_session(
        db,
        person_id,
        source="live",
        started_at=session.started_at,
        duration_s=series.duration_s,
        series_path=str(path),
        summary=summary,
    )
    headline = wearable_headline(summary).sentence if "error" not in summary else ""
    return SavedSession(record.id, path, series.duration_s, len(series), headline)


async def _save(ws: WebSocket, person_id: int, session: LiveSession) -> dict[str, Any]:
    db: Database = ws.app.state.db
    settings: WebSettings = ws.app.state.settings
    saved = await run_in_threadpool(save_session, db, settings.data_dir, person_id, session)
    if saved is None:
        return {"type": "saved", "session_id": None, "reason": "too short or nobody in view"}
    return {
        "type": "saved",
        "session_id": saved.id,
        "duration_s": round(saved.duration_s, 1),
        "samples": saved.samples,
        "frames": session.frames_received,
        "headline": saved.headline,
    }


def _error(message: str) -> dict[str, Any]:
    return {"type": "error", "message": message}


@router.websocket("/ws/coach")
async def coach_socket(websocket: WebSocket, user: CurrentUser) -> None:
    db: Database = websocket.app.state.db
    settings: WebSettings = websocket.app.state.settings
    person_id = user.person_id
    break_s = await run_in_threadpool(_break_after_s, db, person_id, settings)
    stream = await run_in_threadpool(_pipeline)  # off the event loop: the first use imports it
    await websocket.accept()
    session = stream.LiveSession(break_after_s=break_s, subject=f"user {user.id}")
    hub = live_hub(websocket.app)
    bad = 0
    try:
        while True:
            message = await websocket.receive()
            arrived = time.perf_counter()
            if message["type"] == "websocket.disconnect":
                raise WebSocketDisconnect(int(message.get("code") or 1000))
            text = message.get("text")
            if text is None:  # a binary frame
                await websocket.close(WS_1003_UNSUPPORTED_DATA, "send JSON text, not binary data")
                return
            if len(text) > MAX_MESSAGE_BYTES:
                await websocket.close(WS_1009_MESSAGE_TOO_BIG, "message too big")
                return
            try:
                parsed = stream.parse_text(text)
            except InputError as exc:
                bad += 1
                await websocket.send_json(_error(str(exc)))
                if bad > MAX_BAD_MESSAGES:
                    await websocket.close(1008, "too many malformed messages")
                    return
                continue
            if parsed == "stop":
                await websocket.send_json(await _save(websocket, person_id, session))
                await websocket.close()
                return
            if parsed == "calibrate":
                try:
                    await websocket.send_json(session.calibrate())
                except InputError as exc:
                    await websocket.send_json(_error(str(exc)))
                continue
            assert not isinstance(parsed, str)
            reply = await hub.submit(session, parsed, arrived)
            await websocket.send_json(reply.as_json())
    except WebSocketDisconnect:
        pass
    finally:
        if not session.closed:
            await run_in_threadpool(save_session, db, settings.data_dir, person_id, session)
