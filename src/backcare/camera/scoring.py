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

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from backcare.errors import InputError
from backcare.jsonable import json_ready
from backcare.knowledge import load
from backcare.knowledge.camera import CameraPoseDocument
from backcare.posture.alerts import default_rules, evaluate_batch
from backcare.posture.ergo_common import (
    ASSUMABLE_CHANNELS,
    TaskInputs,
    decode_missing,
    reba_tables,
    rula_tables,
)
from backcare.posture.ergo_timing import timing_flags
from backcare.posture.exposure import ExposureReport, exposure
from backcare.posture.load import disc_pressure_series, l5s1_series, relative_to
from backcare.posture.reba import reba_series
from backcare.posture.rula import rula_series
from backcare.posture.series import PostureSeries

if TYPE_CHECKING:
    from backcare.camera.pipeline import CameraOptions

__all__ = ["FrameScores", "Scores", "score_series", "score_text"]

F64 = NDArray[np.float64]


@dataclass(frozen=True)
class FrameScores:
    """A method's score per frame (NaN where it cannot be computed) and its action level.

    Where some inputs are unknown the score is a range: ``score`` (and ``level``) is the lowest
    possible, ``score_max`` (and ``level_max``) the highest possible; they are equal where
    every input was measured with confidence.
    """

    method: str
    score: F64
    level: NDArray[np.str_]
    levels: tuple[str, ...]
    detail: dict[str, Any] = field(default_factory=dict)
    score_max: F64 | None = None
    level_max: NDArray[np.str_] | None = None

    @property
    def high(self) -> F64:
        """The highest possible score per frame (``score`` where no range is known)."""
        return self.score if self.score_max is None else self.score_max

    @property
    def high_level(self) -> NDArray[np.str_]:
        """The action level of :attr:`high`."""
        return self.level if self.level_max is None else self.level_max

    def text(self, i: int) -> str:
        """Frame ``i`` for people: ``"REBA 3-6 (low to medium risk)"``."""
        return score_text(
            self.method, self.score[i], self.high[i], str(self.level[i]), str(self.high_level[i])
        )


def score_text(
    method: str,
    low: float | None,
    high: float | None = None,
    low_risk: str = "",
    high_risk: str = "",
) -> str:
    """A score or a range in plain words.

    ``score_text("reba", 3, 6, "low", "medium")`` gives ``"REBA 3-6 (low to medium risk)"``;
    equal ends give ``"REBA 4 (medium risk)"``; no score gives ``"REBA not scored"``.
    """
    name = method.upper()
    if low is None or not math.isfinite(float(low)):
        return f"{name} not scored"
    lo = round(float(low))
    hi = lo if high is None or not math.isfinite(float(high)) else round(float(high))
    high_risk = high_risk or low_risk
    value = f"{lo}" if hi <= lo else f"{lo}-{hi}"
    if not low_risk:
        return f"{name} {value}"
    risk = low_risk if high_risk == low_risk or hi <= lo else f"{low_risk} to {high_risk}"
    return f"{name} {value} ({risk} risk)"


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
    score_max = np.where(computable, frames.score_max.astype(np.float64), np.nan)
    names = np.array([risk.get(int(a), "") for a in frames.action_level], dtype=object)
    names_max = np.array([risk.get(int(a), "") for a in frames.action_level_max], dtype=object)
    counts = frames.counts()
    detail: dict[str, Any] = {"frames": counts}
    ranged = int((computable & (score_max > score)).sum())
    if ranged:
        detail["range_frames"] = ranged
        detail["range_note"] = (
            f"{_frames_text(ranged)} could not be scored exactly because some body parts or "
            "adjustments were not seen clearly: the score is given as a range from the lowest "
            "to the highest possible"
        )
    return FrameScores(
        method=method,
        score=score,
        level=names.astype(str),
        levels=tuple(lv.risk for lv in levels.levels),
        detail=detail,
        score_max=score_max,
        level_max=names_max.astype(str),
    )


def _plain_channel(name: str) -> str:
    """``upper_arm_flexion_right`` -> ``right upper arm``; ``trunk_twist`` -> ``trunk twist``."""
    words = name.replace("_flexion", "").replace("_asymmetry", " height").split("_")
    if words[-1] in ("left", "right"):
        words = [words[-1], *words[:-1]]
    return " ".join(words).replace("lateral", "side bend").replace("hand load", "load")


def _frames_text(k: int) -> str:
    return f"{k} frame" + ("" if k == 1 else "s")


def camera_rules() -> CameraPoseDocument:
    """The camera knowledge file."""
    doc: CameraPoseDocument = load("camera/pose.yaml", CameraPoseDocument)
    return doc


def task_inputs(series: PostureSeries, options: CameraOptions, *, single_image: bool) -> TaskInputs:
    """What a camera cannot see, from the options: load, coupling; a photo has no timing."""
    timing: dict[str, Any] = (
        {"static": False, "repeated": False, "rapid": False} if single_image else {}
    )
    rule = camera_rules().adjustments
    unsure = series.meta.extra.get("unreliable_channels", []) if series.meta.extra else []
    return TaskInputs(
        coupling=options.coupling,
        load_kg=options.load_kg,
        min_confidence=rule.min_confidence,
        margin_deg=rule.margin_deg,
        unsure_channels=frozenset(unsure) & ASSUMABLE_CHANNELS,
        # a rater scores the side facing the camera: a far arm hidden behind the body is left
        # out instead of widening the range (front and oblique frames are not scored at all)
        score_side=rule.score_side,
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
    _scored_side(series, reba, scores, single=single)
    ranged = (reba.score_max > reba.score) & (reba.action_level >= 0)
    if ranged.any():
        unknown = np.bitwise_or.reduce(reba.missing[ranged])
        words = sorted({_plain_channel(c) for c in decode_missing(int(unknown))})
        where = "" if single else f" in {_frames_text(int(ranged.sum()))}"
        scores.notes.append(
            f"REBA and RULA are given as ranges{where} because these were not seen clearly "
            f"enough to score: {', '.join(words)}"
        )
    for fs in (scores.reba, scores.rula):
        if not np.isfinite(fs.score).any():
            scores.notes.append(
                f"{fs.method.upper()} could not be scored in any frame: it needs trunk, neck, "
                "upper-arm and elbow angles, and some of their landmarks were not seen"
            )
    return reba, rula


def _arm_seen(series: PostureSeries, arm: str) -> NDArray[np.bool_]:
    seen = np.ones(len(series), dtype=bool)
    for part in ("upper_arm_flexion", "elbow_flexion"):
        values = series.get(f"{part}_{arm}")
        seen &= np.isfinite(values) if values is not None else False
    return seen


def _scored_side(series: PostureSeries, reba: Any, scores: Scores, *, single: bool) -> None:
    """Say which side of the body REBA and RULA scored, and why, in the details and notes."""
    scored = reba.action_level >= 0
    if not scored.any():
        return
    both = _arm_seen(series, "left") & _arm_seen(series, "right")
    names = np.where(reba.side == 1, "right", "left")
    near = scored & ~both
    counts = {
        side: {
            "facing_camera": int((near & (names == side)).sum()),
            "worse_of_both": int((scored & both & (names == side)).sum()),
        }
        for side in ("left", "right")
    }
    for fs in (scores.reba, scores.rula):
        if fs is not None:
            fs.detail["scored_side"] = counts
    if single:
        side = str(names[0])
        other = "right" if side == "left" else "left"
        if near[0]:
            scores.notes.append(
                f"REBA and RULA score the {side} side of the body, the side facing the camera: "
                f"the {other} arm was hidden, so it is left out as a rater would"
            )
        else:
            scores.notes.append(
                f"REBA and RULA score the {side} arm, the worse of the two arms seen"
            )
        return
    if near.any():
        parts = [
            f"the {side} side in {_frames_text(counts[side]['facing_camera'])}"
            for side in ("left", "right")
            if counts[side]["facing_camera"]
        ]
        scores.notes.append(
            "where one arm was hidden, REBA and RULA score the side facing the camera, as a rater "
            f"would: {' and '.join(parts)}; elsewhere the worse of the two arms"
        )


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
