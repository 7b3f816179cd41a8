"""Scoring a camera PostureSeries with the posture core.

Each step is one call into :mod:`backcare.posture`:

* REBA and RULA per frame (:func:`~backcare.posture.reba.reba_series`,
  :func:`~backcare.posture.rula.rula_series`) with the series' static-hold, repetition and
  rapid-change rules computed once (:func:`~backcare.posture.ergo_timing.timing_flags`) and shared.
  A single photo has no timing: its static/repeated/rapid items are scored absent, and the
  report says so.
* relative disc pressure (:func:`~backcare.posture.load.disc_pressure_series`, Wilke 1999,
  as a multiple of relaxed standing) and L5/S1 compression
  (:func:`~backcare.posture.load.l5s1_series`, which needs body mass and height);
* ISO 11226 exposure (:func:`~backcare.posture.exposure.exposure`) and the posture alerts
  (:func:`~backcare.posture.alerts.evaluate_batch` with the packaged default rules), for videos.

The results are gathered in :class:`Scores` as plain arrays and JSON-ready dictionaries, which
the outputs and the report read. A step whose inputs are missing (no trunk angle, no body mass)
leaves its field empty and adds a note; it never invents an input.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from backcare.errors import InputError
from backcare.jsonable import json_ready
from backcare.posture.alerts import default_rules, evaluate_batch
from backcare.posture.ergo_common import TaskInputs, reba_tables, rula_tables
from backcare.posture.ergo_timing import timing_flags
from backcare.posture.exposure import ExposureReport, exposure
from backcare.posture.load import disc_pressure_series, l5s1_series, relative_to
from backcare.posture.reba import reba_series
from backcare.posture.rula import rula_series
from backcare.posture.series import PostureSeries

if TYPE_CHECKING:
    from backcare.camera.pipeline import CameraOptions

__all__ = ["FrameScores", "Scores", "score_series"]

F64 = NDArray[np.float64]


@dataclass(frozen=True)
class FrameScores:
    """A method's score per frame (NaN where it cannot be computed) and its action level."""

    method: str
    score: F64
    level: NDArray[np.str_]
    levels: tuple[str, ...]
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class Scores:
    """All scores of one series."""

    reba: FrameScores | None = None
    rula: FrameScores | None = None
    disc_pressure: F64 | None = None
    disc_pressure_unit: str = ""
    l5s1_compression_n: F64 | None = None
    l5s1_limits_n: tuple[float, float] | None = None
    exposure: dict[str, Any] | None = None
    exposure_report: ExposureReport | None = None
    alerts: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unavailable: list[str] = field(default_factory=list)


def _frames(method: str, frames: Any, levels: Any) -> FrameScores:
    risk = {lv.level: lv.risk for lv in levels.levels}
    computable = frames.action_level >= 0
    score = np.where(computable, frames.score.astype(np.float64), np.nan)
    names = np.array([risk.get(int(a), "") for a in frames.action_level], dtype=object)
    counts = frames.counts()
    detail: dict[str, Any] = {"frames": counts}
    if counts.get("partial"):
        detail["partial_note"] = (
            "frames marked partial miss an optional channel: their score is a lower bound"
        )
    return FrameScores(
        method=method,
        score=score,
        level=names.astype(str),
        levels=tuple(lv.risk for lv in levels.levels),
        detail=detail,
    )


def _frames_text(k: int) -> str:
    return f"{k} frame" + ("" if k == 1 else "s")


def task_inputs(series: PostureSeries, options: CameraOptions, *, single_image: bool) -> TaskInputs:
    """What a camera cannot see, from the options: load, coupling; a photo has no timing."""
    timing: dict[str, Any] = (
        {"static": False, "repeated": False, "rapid": False} if single_image else {}
    )
    return TaskInputs(
        coupling=options.coupling,
        load_kg=options.load_kg,
        **timing,
    )


def _reba_rula(series: PostureSeries, options: CameraOptions, scores: Scores) -> tuple[Any, Any]:
    single = len(series) == 1
    task = task_inputs(series, options, single_image=single)
    timing = None if single else timing_flags(series)
    reba = reba_series(series, task, timing=timing)
    rula = rula_series(series, task, timing=timing)
    scores.reba = _frames("reba", reba, reba_tables().action_levels)
    scores.rula = _frames("rula", rula, rula_tables().action_levels)
    if single:
        scores.notes.append(
            "a single photo shows no timing: REBA's and RULA's static, repeated and rapid-change "
            "items are scored as absent"
        )
    for fs in (scores.reba, scores.rula):
        if not np.isfinite(fs.score).any():
            scores.notes.append(
                f"{fs.method.upper()} could not be scored in any frame: it needs trunk, neck, "
                "upper-arm and elbow angles, and some of their landmarks were not seen"
            )
    return reba, rula


def _load(series: PostureSeries, options: CameraOptions, scores: Scores) -> F64:
    pressure = disc_pressure_series(series, model="wilke1999")
    scores.disc_pressure = relative_to(pressure, "standing", model="wilke1999")
    scores.disc_pressure_unit = "x_standing"
    if not np.isfinite(scores.disc_pressure).any():
        scores.notes.append(
            "disc pressure needs the trunk angle and whether the person sits or stands (from "
            "the thighs): not available in any frame"
        )
    if options.mass_kg is None or options.height_cm is None:
        scores.unavailable.append("l5s1")
        scores.notes.append(
            "L5/S1 compression needs body mass and height: give them, or store them in your profile"
        )
        return pressure
    if "trunk_flexion" not in series or not np.isfinite(series["trunk_flexion"]).any():
        scores.notes.append("L5/S1 compression needs the trunk angle, which was never seen")
        scores.l5s1_compression_n = np.full(len(series), np.nan)
        return pressure
    sex = options.sex or "male"
    result = l5s1_series(series, options.mass_kg, options.height_cm / 100.0, sex=sex)
    scores.l5s1_compression_n = result.compression_n
    scores.l5s1_limits_n = (result.action_limit_n, result.maximum_permissible_n)
    if options.sex is None:
        scores.notes.append(
            "L5/S1 segment masses from the male table (sex not given; set it to female to use "
            "the female table)"
        )
    if result.out_of_range.any():
        scores.notes.append(
            f"L5/S1 model: {_frames_text(int(result.out_of_range.sum()))} outside the model's "
            "angle range, left out"
        )
    return pressure


def _alerts(series: PostureSeries, scores: Scores) -> None:
    events = evaluate_batch(series, default_rules())
    scores.alerts = [e.to_dict() for e in events]


def _exposure(
    series: PostureSeries, frames: tuple[Any, Any] | None, pressure: F64, scores: Scores
) -> None:
    reba, rula = frames if frames is not None else (None, None)
    report = exposure(series, reba=reba, rula=rula, disc_pressure_mpa=pressure)
    scores.exposure_report = report
    scores.exposure = {
        "summary": json_ready(report.summary.to_dict(), digits=3),
        "iso_events": len(report.events),
        "notes": list(report.notes),
    }


def score_series(series: PostureSeries, options: CameraOptions) -> Scores:
    """Score ``series`` with the posture core (see the module docstring)."""
    scores = Scores()
    frames: tuple[Any, Any] | None = None
    try:
        frames = _reba_rula(series, options, scores)
    except InputError as exc:
        scores.unavailable += ["reba", "rula"]
        scores.notes.append(f"REBA/RULA not scored: {exc}")
    pressure = _load(series, options, scores)
    if len(series) > 1:
        _exposure(series, frames, pressure, scores)
        _alerts(series, scores)
    else:
        scores.unavailable += ["exposure", "alerts"]
        scores.notes.append("ISO 11226 exposure and alerts need a video: a photo has no duration")
    return scores
