"""Streaming camera posture: live landmarks in, angles, REBA and alerts out, frame by frame.

The pipeline of the live posture coach. The browser runs MediaPipe Pose on the webcam and sends
**only landmarks** over the WebSocket ``/ws/coach`` (the route, :mod:`backcare.web.routes.coach`,
only carries messages and stores the finished session); video frames never leave the browser.
This module is the processing side of that conversation, the streaming sibling of the file
pipeline (:mod:`backcare.camera.pipeline`), written without the web framework so that it can be
tested and benchmarked on its own.

Protocol (JSON text messages)
-----------------------------
Client to server:

``{"type": "frame", "seq": 12, "t": 4012.5, "lm": [x, y, z, visibility, ...]}``
    One pose: ``t`` is the client's monotonic clock [ms]; ``lm`` holds the 33 BlazePose *world*
    landmarks (MediaPipe's camera axes, metres around the hip centre) with their visibility, 132
    numbers, or ``null`` when no person was found in that video frame.
``{"type": "calibrate"}``
    The person sits (or stands) upright looking ahead: the last :data:`CALIBRATION_WINDOW_S`
    seconds level the camera and zero the person's neutral (see :meth:`LiveSession.calibrate`).
``{"type": "stop"}``
    End the session; the server stores it and answers ``{"type": "saved", ...}``.

Server to client, one reply per frame (:meth:`LiveReply.as_json`): the frame's trunk and neck
angles, its REBA score and action level, the activity label, the alert events that became
certain, the number of frames the server received, ``proc_ms``, the server's processing time of
that frame from its arrival to its reply (waiting for a running batch included), and
``compute_ms`` and ``batch``, the time and size of the batch that computed it.

Processing
----------
Each frame goes through the same steps as the camera pipeline (:mod:`backcare.camera`):
:func:`~backcare.camera.geometry.to_gravity` with the session's camera tilt (level until
calibrated), :func:`~backcare.camera.geometry.angle_points` and
:func:`~backcare.posture.angles.series_from_landmarks` with the camera knowledge file's minimum
visibility, the camera's thigh rule for sitting and standing, then the person's neutral offsets
(:func:`~backcare.posture.angles.reference_offsets`), REBA per frame
(:func:`~backcare.posture.reba.reba_series`) and the streaming
:class:`~backcare.posture.alerts.AlertEvaluator`.

To keep the cost per frame low with many people connected, :class:`LiveHub` gathers the frames
that arrive while a batch is being computed and processes them together: the geometry, angles and
REBA of every waiting frame of every session are one vectorised call each.

Rules the coach adds (its own choices, documented here and on the page):

* **Activity.** Where the thighs are seen, the camera's rule labels a frame sitting or standing.
  The coach is meant for desk work, where a webcam rarely sees the thighs: a frame with a person
  whose thighs are out of view is labelled sitting. When the person is not found, the last label
  is kept for the median-filter window of the exposure rules (5 s: a shorter dropout of the pose
  model is noise, as for the angle signals); after that the person is away, which ends a sitting
  bout (a break).
* **Break reminder.** A sitting bout as long as the person's schedule says (``break_every_min``;
  without a schedule the app's ``break_after_s``, by default the packaged 30 min
  ``sitting.micro_break`` rule) fires the ``live.break`` rule, and again each time it lasts as
  long again; it replaces ``sitting.micro_break`` in the coach. The other packaged alert rules
  (ISO 11226 trunk, head and arm, flexed neck) apply unchanged.
* **REBA timing items** (static, repeated, rapid) come from the posture core's timing rules
  (:func:`~backcare.posture.ergo_timing.timing_flags`) on the session's last minute, refreshed
  every second. Desk work is scored without a load (0 kg) and with a good coupling.
* **Stored series.** Alerts and the stored :class:`~backcare.posture.series.PostureSeries` use
  one sample every :data:`GRID_S` seconds (the latest frame), so a long session stays small and
  the alert rules see a steady rate whatever the browser's frame rate.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from array import array
from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
from numpy.typing import NDArray

from backcare.camera.backend import BLAZEPOSE_LANDMARKS
from backcare.camera.geometry import (
    CameraTilt,
    angle_points,
    pitch_rotation,
    tilt_from_neutral,
    to_gravity,
)
from backcare.camera.pipeline import activity_from_thighs, camera_rules
from backcare.errors import InputError
from backcare.knowledge.exposure import sitting_break_s, thresholds
from backcare.posture.alerts import (
    AlertEvaluator,
    AlertEvent,
    AlertRule,
    SittingBoutRule,
    default_rules,
)
from backcare.posture.angles import reference_offsets, series_from_landmarks
from backcare.posture.conventions import Activity
from backcare.posture.ergo_common import TaskInputs, reba_tables, series_rules
from backcare.posture.ergo_timing import TimingFlags, timing_flags
from backcare.posture.exposure import ExposureReport, analyze_exposure
from backcare.posture.reba import reba_series
from backcare.posture.series import PostureSeries, SeriesMeta

__all__ = [
    "BREAK_RULE_ID",
    "CALIBRATION_WINDOW_S",
    "GRID_S",
    "MAX_RATE_HZ",
    "LiveFrame",
    "LiveHub",
    "LiveReply",
    "LiveSession",
    "parse_message",
    "parse_text",
    "process_batch",
    "session_exposure",
]

F64 = NDArray[np.float64]

#: Most frames per second a client may send (faster frames are answered but not used).
MAX_RATE_HZ = 30.0
#: Seconds of the most recent frames that a calibration uses.
CALIBRATION_WINDOW_S = 3.0
#: Fewest frames a calibration uses; a device slower than that per window uses its last frames
#: within :data:`CALIBRATION_MAX_WINDOW_S`.
CALIBRATION_MIN_FRAMES = 3
CALIBRATION_MAX_WINDOW_S = 10.0
#: Channels a calibration zeroes (each when seen in at least half of the window's frames).
CALIBRATED = ("trunk_flexion", "trunk_lateral", "neck_flexion", "head_inclination")
CALIBRATION_MIN_VALID = 0.5
#: Interval [s] of the samples fed to the alert rules and stored.
GRID_S = 0.1
#: How often [s] the REBA timing items are re-evaluated.
TIMING_REFRESH_S = 1.0
#: Longest session [s]; the server stores and ends it then.
MAX_SESSION_S = 12 * 3600.0
#: Id of the coach's break-reminder rule.
BREAK_RULE_ID = "live.break"
#: Channels shown on the page.
SHOWN = ("trunk_flexion", "trunk_lateral", "neck_flexion", "head_inclination", "shoulder_asymmetry")

_N_LM = len(BLAZEPOSE_LANDMARKS)
_MIN_STEP_S = 0.75 / MAX_RATE_HZ  # 25 % tolerance on the client's clock
_MAX_ABS_M = 10.0  # no world landmark lies 10 m from the hips
_DESK_TASK = TaskInputs(coupling="good", load_kg=0.0)


# -- messages -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LiveFrame:
    """One parsed frame: client time [s], world landmarks ``(33, 3)`` [m, camera axes] and
    visibilities ``(33,)``, or ``None`` for both when no person was found."""

    t_s: float
    seq: int | None
    world: F64 | None
    visibility: F64 | None


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError("must be a number", where=where)
    try:
        out = float(value)
    except OverflowError:  # an integer with hundreds of digits
        raise InputError("must be a number of reasonable size", where=where) from None
    if not math.isfinite(out):
        raise InputError("must be finite", where=where)
    return out


#: JSON nesting deeper than this is refused before it is decoded (a frame nests two levels).
MAX_JSON_DEPTH = 8


def parse_text(text: str) -> LiveFrame | str:
    """Decode and validate one text message (see :func:`parse_message`).

    Raises :class:`InputError` for anything that is not a well-formed message, including JSON
    nested deeper than :data:`MAX_JSON_DEPTH` (checked on the raw text, before decoding) and
    numbers too large for a float.
    """
    depth = 0
    deepest = 0
    in_string = False
    escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_JSON_DEPTH:
                raise InputError(f"nested deeper than {MAX_JSON_DEPTH} levels", where="message")
        elif ch in "]}":
            depth -= 1
    try:
        decoded = json.loads(text)
    except (ValueError, RecursionError):
        raise InputError("not valid JSON", where="message") from None
    try:
        return parse_message(decoded)
    except (OverflowError, RecursionError, TypeError):
        raise InputError("holds values out of range", where="message") from None


def parse_message(message: Mapping[str, Any]) -> LiveFrame | str:
    """Validate a decoded client message: a :class:`LiveFrame`, or the command name
    (``"calibrate"``, ``"stop"``).

    Raises
    ------
    InputError
        Naming the field that breaks the protocol (see the module docstring).
    """
    if not isinstance(message, Mapping):
        raise InputError("expected a JSON object", where="message")
    kind = message.get("type")
    if kind in ("calibrate", "stop"):
        return str(kind)
    if kind != "frame":
        raise InputError(f"unknown message type {kind!r}", where="type")
    t_ms = _number(message.get("t"), "t")
    if t_ms < 0:
        raise InputError("must be >= 0 ms", where="t")
    seq_raw = message.get("seq")
    seq = None if seq_raw is None else int(_number(seq_raw, "seq"))
    lm = message.get("lm")
    if lm is None:
        return LiveFrame(t_ms / 1000.0, seq, None, None)
    if not isinstance(lm, list) or len(lm) != 4 * _N_LM:
        raise InputError(f"expected {4 * _N_LM} numbers (33 x, y, z, visibility)", where="lm")
    try:
        arr = np.asarray(lm, dtype=np.float64).reshape(_N_LM, 4)
    except (TypeError, ValueError):
        raise InputError("must hold numbers only", where="lm") from None
    if not np.isfinite(arr).all():
        raise InputError("must hold finite numbers", where="lm")
    if np.abs(arr[:, :3]).max() > _MAX_ABS_M:
        raise InputError(f"a landmark lies more than {_MAX_ABS_M:g} m from the hips", where="lm")
    vis = arr[:, 3]
    if vis.min() < 0.0 or vis.max() > 1.0:
        raise InputError("visibility must be within [0, 1]", where="lm")
    return LiveFrame(t_ms / 1000.0, seq, arr[:, :3].copy(), vis.copy())


def _num(x: float) -> float | None:
    return round(float(x), 1) if math.isfinite(x) else None


def _event(e: AlertEvent) -> dict[str, Any]:
    # the one JSON form of an alert, plus whether it is the coach's break reminder
    return {**e.to_dict(), "break": e.rule_id == BREAK_RULE_ID}


@dataclass
class LiveReply:
    """The server's answer to one frame."""

    seq: int | None
    t_s: float
    frames: int
    accepted: bool
    pose: bool
    angles: dict[str, float | None] = field(default_factory=dict)
    reba_score: int | None = None
    reba_level: int | None = None
    reba_risk: str | None = None
    reba_partial: bool = False
    activity: str = "unknown"
    alerts: list[dict[str, Any]] = field(default_factory=list)
    calibrated: bool = False
    proc_ms: float = 0.0
    compute_ms: float = 0.0
    batch: int = 1

    def as_json(self) -> dict[str, Any]:
        """The JSON message sent to the browser."""
        return {
            "type": "frame",
            "seq": self.seq,
            "t": round(self.t_s * 1000.0, 1),
            "frames": self.frames,
            "accepted": self.accepted,
            "pose": self.pose,
            "angles": self.angles,
            "reba": {
                "score": self.reba_score,
                "level": self.reba_level,
                "risk": self.reba_risk,
                "partial": self.reba_partial,
            },
            "activity": self.activity,
            "alerts": self.alerts,
            "calibrated": self.calibrated,
            "proc_ms": round(self.proc_ms, 3),
            "compute_ms": round(self.compute_ms, 3),
            "batch": self.batch,
        }


# -- one person's session -------------------------------------------------------------------------


class _Store:
    """Grid samples of a session in compact columns (float32 angles and confidences)."""

    def __init__(self) -> None:
        self.time = array("d")
        self.activity = array("b")
        self.values: dict[str, array[float]] = {}
        self.confidence: dict[str, array[float]] = {}

    def __len__(self) -> int:
        return len(self.time)

    def append(
        self, t: float, values: Mapping[str, float], conf: Mapping[str, float], act: int
    ) -> None:
        n = len(self.time)
        for name in values:
            if name not in self.values:
                self.values[name] = array("f", [math.nan] * n)
                self.confidence[name] = array("f", [0.0] * n)
        for name, col in self.values.items():
            col.append(values.get(name, math.nan))
            self.confidence[name].append(conf.get(name, 0.0))
        self.time.append(t)
        self.activity.append(act)

    def series(self, meta: SeriesMeta, start: int = 0) -> PostureSeries:
        return PostureSeries(
            np.frombuffer(self.time, dtype=np.float64)[start:],
            {k: np.frombuffer(v, dtype=np.float32)[start:] for k, v in self.values.items()},
            confidence={
                k: np.frombuffer(v, dtype=np.float32)[start:] for k, v in self.confidence.items()
            },
            activity=np.frombuffer(self.activity, dtype=np.int8)[start:],
            meta=meta,
        )


class LiveSession:
    """The state of one person's coach session.

    Parameters
    ----------
    break_after_s
        Seconds of sitting before the break reminder (the person's schedule; default the
        packaged ``sitting.micro_break`` rule).
    subject
        Label stored in the series metadata.
    started_at
        Wall-clock time of the session start (timezone-aware; default now).
    """

    def __init__(
        self,
        *,
        break_after_s: float | None = None,
        subject: str | None = None,
        started_at: datetime | None = None,
    ) -> None:
        seconds = sitting_break_s() if break_after_s is None else float(break_after_s)
        if not (math.isfinite(seconds) and seconds > 0):
            raise InputError(f"must be > 0 s, got {seconds}", where="break_after_s")
        self.break_after_s = seconds
        minutes = seconds / 60.0
        self.subject = subject
        self.started_at = started_at or datetime.now(UTC)
        rules: list[AlertRule] = [r for r in default_rules() if not isinstance(r, SittingBoutRule)]
        rules.append(
            SittingBoutRule(
                id=BREAK_RULE_ID,
                duration_s=self.break_after_s,
                repeat_s=self.break_after_s,
                message=(
                    f"You have been sitting for {minutes:.0f} minutes: stand up and move "
                    "for a minute."
                ),
            )
        )
        self.evaluator = AlertEvaluator(rules, sample_interval_s=GRID_S)
        cam = camera_rules()
        self.min_visibility = cam.landmarks.min_visibility
        self.dropout_s = thresholds().median_filter.window_s
        self.tilt: CameraTilt | None = None
        self.offsets: dict[str, float] = {}
        self.calibrated_at_s: float | None = None
        self.frames_received = 0
        self.frames_used = 0
        self.events: list[AlertEvent] = []
        self.closed = False
        self._t0: float | None = None
        self._last_t: float | None = None
        self._next_grid = 0.0
        self._last_pose_t = -math.inf
        self._last_label = Activity.UNKNOWN.value
        self._recent: deque[tuple[float, F64, F64]] = deque(
            maxlen=math.ceil(CALIBRATION_WINDOW_S * MAX_RATE_HZ * 1.5)
        )
        self._store = _Store()
        self._flags = (False, False, False)
        self._next_timing = TIMING_REFRESH_S
        rules_doc = reba_tables()
        self._risk = {lv.level: lv.risk for lv in rules_doc.action_levels.levels}

    # -- time ------------------------------------------------------------------------------------
    @property
    def duration_s(self) -> float:
        """Client time from the first to the last used frame [s]."""
        return 0.0 if self._last_t is None else self._last_t

    def accept(self, frame: LiveFrame) -> float | None:
        """Count ``frame`` and return its session time [s], or ``None`` when it is not used
        (it goes back in time, comes faster than :data:`MAX_RATE_HZ`, or the session is over)."""
        self.frames_received += 1
        if self.closed:
            return None
        if self._t0 is None:
            self._t0 = frame.t_s
        t = frame.t_s - self._t0
        if self._last_t is not None and (t < self._last_t + _MIN_STEP_S):
            return None
        if t > MAX_SESSION_S:
            return None
        self._last_t = t
        self.frames_used += 1
        if frame.world is not None and frame.visibility is not None:
            self._recent.append((t, frame.world, frame.visibility))
        return t

    def label(self, t: float, thigh_label: int | None) -> int:
        """Activity code of a frame at ``t`` (see the module docstring)."""
        if thigh_label is not None:
            self._last_pose_t = t
            code = Activity.SIT.value if thigh_label == Activity.UNKNOWN.value else thigh_label
            self._last_label = code
            return code
        if t - self._last_pose_t <= self.dropout_s:
            return self._last_label
        return Activity.UNKNOWN.value

    # -- per frame, after the batch computed angles ----------------------------------------------
    def record(
        self, t: float, values: Mapping[str, float], conf: Mapping[str, float], act: int
    ) -> list[AlertEvent]:
        """Feed one frame's (calibrated) angles to the grid: alerts and storage."""
        if t + 1e-9 < self._next_grid:
            return []
        self._next_grid = (math.floor(t / GRID_S + 1e-9) + 1) * GRID_S
        self._store.append(t, values, conf, act)
        arrays = {k: np.array([v]) for k, v in values.items()}
        events = self.evaluator.feed(np.array([t]), arrays, np.array([act], dtype=np.int8))
        self.events += events
        if t >= self._next_timing:
            self._next_timing = t + TIMING_REFRESH_S
            self._refresh_timing()
        return events

    def _refresh_timing(self) -> None:
        sr = series_rules()
        window = max(sr.static.window_s, sr.repeated.window_s) + 2 * GRID_S
        n = len(self._store)
        start = max(0, n - math.ceil(window / GRID_S) - 1)
        buffer = self._store.series(SeriesMeta(source="live", rate_hz=1 / GRID_S), start)
        if len(buffer) < 2:
            return
        flags = timing_flags(buffer, sr)
        self._flags = (
            bool(flags.any_static()[-1]),
            bool(flags.any_repeated()[-1]),
            bool(flags.any_rapid()[-1]),
        )

    @property
    def timing(self) -> tuple[bool, bool, bool]:
        """REBA's static, repeated and rapid items for the next frames."""
        return self._flags

    def risk(self, level: int) -> str:
        return self._risk.get(level, "")

    # -- calibration -----------------------------------------------------------------------------
    def calibrate(self) -> dict[str, Any]:
        """Level the camera and zero the neutral from the last :data:`CALIBRATION_WINDOW_S`
        (at least :data:`CALIBRATION_MIN_FRAMES` frames, going back at most
        :data:`CALIBRATION_MAX_WINDOW_S` on a slow device).

        The person's long axis in the window is taken as vertical
        (:func:`~backcare.camera.geometry.tilt_from_neutral`; with the hips out of view the
        camera is left as it was), then the median over the window of each of :data:`CALIBRATED`
        seen in at least half of its frames (:func:`~backcare.posture.angles.reference_offsets`)
        becomes its zero.
        Applies to every later frame; returns the offsets and the camera tilt.

        Raises
        ------
        InputError
            When the window has too few frames with a person, or an angle is missing in it.
        """
        if not self._recent:
            raise InputError("no person seen yet: sit upright in view first", where="calibrate")
        last = self._recent[-1][0]
        window = [r for r in self._recent if r[0] >= last - CALIBRATION_WINDOW_S]
        if len(window) < CALIBRATION_MIN_FRAMES:  # a slow device: its last frames, if recent
            recent = list(self._recent)[-CALIBRATION_MIN_FRAMES:]
            window = [r for r in recent if r[0] >= last - CALIBRATION_MAX_WINDOW_S]
        if len(window) < CALIBRATION_MIN_FRAMES:
            raise InputError(
                f"only {len(window)} frames with a person in the last "
                f"{CALIBRATION_MAX_WINDOW_S:g} s (needs {CALIBRATION_MIN_FRAMES}): hold still in "
                "view and try again",
                where="calibrate",
            )
        times = np.array([r[0] for r in window])
        world = np.stack([r[1] for r in window])
        vis = np.stack([r[2] for r in window])
        levelled = True
        try:
            tilt = tilt_from_neutral(world, vis, min_visibility=self.min_visibility)
        except InputError:  # the hips are out of view (desk webcam): keep the camera as it is
            tilt = self.tilt or pitch_rotation(0.0)
            levelled = False
        pts, v = angle_points(to_gravity(world, tilt), vis)
        series = series_from_landmarks(times, pts, visibility=v, min_visibility=self.min_visibility)
        channels = [
            c
            for c in CALIBRATED
            if c in series and np.isfinite(series[c]).mean() >= CALIBRATION_MIN_VALID
        ]
        if not channels:
            raise InputError(
                "neither trunk nor head seen clearly in the last frames: sit upright in view "
                "and try again",
                where="calibrate",
            )
        offsets = reference_offsets(
            series,
            float(times[0]),
            float(times[-1]) + 1e-6,
            channels,
            min_valid_fraction=CALIBRATION_MIN_VALID,
        )
        self.tilt = tilt
        self.offsets = offsets
        self.calibrated_at_s = last
        return {
            "type": "calibrated",
            "offsets": {k: round(v, 1) for k, v in offsets.items()},
            "levelled": levelled,
            "pitch_deg": round(tilt.pitch_deg, 1),
            "roll_deg": round(tilt.roll_deg, 1),
        }

    # -- end -------------------------------------------------------------------------------------
    def finish(self) -> tuple[PostureSeries | None, list[AlertEvent]]:
        """Close the session: the stored series (``None`` when shorter than two samples) and
        the alert events still waiting for context."""
        if self.closed:
            return None, []
        self.closed = True
        tail = self.evaluator.close()
        self.events += tail
        if len(self._store) < 2:
            return None, tail
        notes = [
            "live webcam coach: landmarks from MediaPipe Pose in the browser",
            f"one sample every {GRID_S:g} s (the latest frame)",
            "activity: sitting where a person is seen but the thighs are out of view (desk "
            "webcam); unknown after "
            f"{self.dropout_s:g} s without a person",
        ]
        if self.calibrated_at_s is not None:
            notes.append(
                f"neutral calibration applied from {self.calibrated_at_s:.1f} s; earlier samples "
                "assume a level camera and no personal offsets"
            )
        else:
            notes.append("not calibrated: a level camera is assumed")
        meta = SeriesMeta(
            source="live",
            start=self.started_at,
            rate_hz=1 / GRID_S,
            subject=self.subject,
            device="webcam",
            calibration=dict(self.offsets),
            notes=tuple(notes),
            extra={
                "frames_received": self.frames_received,
                "frames_used": self.frames_used,
                "calibrated_at_s": self.calibrated_at_s,
                "camera_tilt": None
                if self.tilt is None
                else {
                    "source": self.tilt.source,
                    "pitch_deg": round(self.tilt.pitch_deg, 2),
                    "roll_deg": round(self.tilt.roll_deg, 2),
                },
                "break_after_s": self.break_after_s,
                "alerts": [_event(e) for e in self.events],
            },
        )
        return self._store.series(meta), tail


# -- the batch ------------------------------------------------------------------------------------


@dataclass
class _Item:
    session: LiveSession
    frame: LiveFrame
    arrived: float
    future: asyncio.Future[LiveReply] | None = None


def _wrap(values: F64) -> F64:
    """Angles into [-180, 180) [deg], as :func:`~backcare.posture.angles.apply_offsets`."""
    out: F64 = (values + 180.0) % 360.0 - 180.0
    return out


def process_batch(items: Sequence[_Item]) -> list[LiveReply]:
    """Angles, REBA and alerts for frames of any sessions, in arrival order per session.

    The geometry, angles and REBA of all frames with a person are computed in one vectorised
    call each; each session's offsets, timing items and alert state are applied to its rows.
    """
    replies: list[LiveReply] = []
    times: list[float | None] = []
    pose_rows: list[int] = []
    worlds: list[F64] = []
    vises: list[F64] = []
    for i, item in enumerate(items):
        s, f = item.session, item.frame
        t = s.accept(f)
        times.append(t)
        replies.append(
            LiveReply(
                seq=f.seq,
                t_s=f.t_s,
                frames=s.frames_received,
                accepted=t is not None,
                pose=f.world is not None,
                calibrated=bool(s.offsets),
            )
        )
        if t is not None and f.world is not None and f.visibility is not None:
            pose_rows.append(i)
            worlds.append(to_gravity(f.world, s.tilt))
            vises.append(f.visibility)
    n = len(pose_rows)
    values: dict[str, F64] = {}
    conf: dict[str, F64] = {}
    labels: NDArray[np.int8] = np.zeros(0, dtype=np.int8)
    if n:
        world_g = np.stack(worlds)
        vis = np.stack(vises)
        rules = camera_rules()
        thighs = activity_from_thighs(world_g, vis, rules)
        labels = np.array(
            [
                items[row].session.label(times[row] or 0.0, int(code))
                for row, code in zip(pose_rows, thighs, strict=True)
            ],
            dtype=np.int8,
        )
        pts, v = angle_points(world_g, vis)
        first = items[pose_rows[0]].session
        series = series_from_landmarks(
            np.zeros(n),
            pts,
            visibility=v,
            min_visibility=first.min_visibility,
            activity=labels,
            meta=SeriesMeta(source="live"),
        )
        # each session's neutral offsets on its own rows (subtract and wrap, as apply_offsets)
        shifted: dict[str, F64] = {}
        for j, row in enumerate(pose_rows):
            for name, off in items[row].session.offsets.items():
                if name in series:
                    col = shifted.setdefault(
                        name, np.asarray(series[name], dtype=np.float64).copy()
                    )
                    col[j] = _wrap(np.array([col[j] - off]))[0]
        if shifted:
            conf_kept = {k: c for k in shifted if (c := series.confidence(k)) is not None}
            series = series.replace(values=shifted, confidence=conf_kept)
        values = {k: np.asarray(series[k], dtype=np.float64) for k in series.channels}
        conf = {k: np.asarray(c, dtype=np.float64) for k, c in series.confidences.items()}
        flags = np.array([items[row].session.timing for row in pose_rows], dtype=bool)
        timing = TimingFlags(
            n,
            static={"live": flags[:, 0]},
            repeated={"live": flags[:, 1]},
            rapid={"live": flags[:, 2]},
        )
        reba = reba_series(series, _DESK_TASK, timing=timing)
        for j, row in enumerate(pose_rows):
            rep = replies[row]
            s = items[row].session
            level = int(reba.action_level[j])
            if level >= 0:
                rep.reba_score = int(reba.score[j])
                rep.reba_level = level
                rep.reba_risk = s.risk(level)
                rep.reba_partial = int(reba.status[j]) == 1
    by_row = {row: j for j, row in enumerate(pose_rows)}
    for i, item in enumerate(items):
        t = times[i]
        rep = replies[i]
        if t is None:
            continue
        s = item.session
        k = by_row.get(i)
        if k is None:
            act = s.label(t, None)
            frame_values: dict[str, float] = {}
            frame_conf: dict[str, float] = {}
        else:
            act = int(labels[k])
            frame_values = {name: float(a[k]) for name, a in values.items()}
            frame_conf = {name: float(a[k]) for name, a in conf.items()}
        rep.angles = {name: _num(frame_values.get(name, math.nan)) for name in SHOWN}
        rep.activity = Activity(act).label
        rep.alerts = [_event(e) for e in s.record(t, frame_values, frame_conf, act)]
    return replies


class LiveHub:
    """Batches the frames of all connected sessions.

    :meth:`submit` is called by each connection with its frame and returns that frame's reply.
    The first caller that finds no batch running becomes the batch's leader: it lets the other
    connections add their waiting frames (one turn of the event loop), computes them all with
    :func:`process_batch`, and hands every caller its reply. No background task is left running.
    """

    def __init__(self) -> None:
        self._pending: list[_Item] = []
        self._busy = False
        self.batches = 0
        self.batched_frames = 0

    async def submit(
        self, session: LiveSession, frame: LiveFrame, arrived: float | None = None
    ) -> LiveReply:
        """The reply to ``frame`` of ``session``; ``arrived`` is the :func:`time.perf_counter`
        at which the message was received (default now)."""
        loop = asyncio.get_running_loop()
        item = _Item(session, frame, time.perf_counter() if arrived is None else arrived)
        item.future = loop.create_future()
        self._pending.append(item)
        if not self._busy:
            self._busy = True
            try:
                await asyncio.sleep(0)
                while self._pending:
                    batch, self._pending = self._pending, []
                    self._run(batch)
            finally:
                self._busy = False
        return await item.future

    def _run(self, batch: list[_Item]) -> None:
        self.batches += 1
        self.batched_frames += len(batch)
        start = time.perf_counter()
        try:
            replies = process_batch(batch)
        except Exception as exc:  # one bad batch must not leave connections waiting forever
            for item in batch:
                if item.future is not None and not item.future.done():
                    item.future.set_exception(exc)
            return
        done = time.perf_counter()
        for item, reply in zip(batch, replies, strict=True):
            reply.proc_ms = (done - item.arrived) * 1000.0
            reply.compute_ms = (done - start) * 1000.0
            reply.batch = len(batch)
            if item.future is not None and not item.future.done():
                item.future.set_result(reply)


# -- exposure of a finished session ---------------------------------------------------------------


def session_exposure(series: PostureSeries) -> ExposureReport:
    """The exposure of a finished live session: the posture core's analysis of its stored series
    with the coach's desk task (no load, good coupling) and the disc-pressure dose."""
    return analyze_exposure(series, task=_DESK_TASK, disc=True)
