"""The analyses a background job runs, through the facade (:func:`backcare.analyze_wearable`,
:func:`backcare.analyze_media`), with progress and the plots of the result page.

The worker (:mod:`backcare.web.worker`) calls :func:`run_analysis` with a job's kind, its
options and its input files; this module knows nothing about the database. Each run writes into
the job's output folder what the command line writes (Parquet, CSV, JSON, the self-contained HTML
report, the annotated video or image) plus the plots the result page shows (``plot_*.png``), and
returns an :class:`AnalysisOutcome` with the file list and the exposure summary for the
``posture_sessions`` row.

Progress is reported as ``progress(fraction, message)`` with a fraction in 0..1 that never goes
back. The pipelines report frames (camera) or seconds read per sensor (wearable); a wearable
file's length is not known before it is read, so the reading share of a sensor advances with
``seconds read / seconds expected``, the expectation coming from the file size and the format's
typical bytes per sample (:data:`BYTES_PER_SAMPLE`); it is capped below the stage's end, and the
message always says how much was read.

The person's profile goes to the load models: body mass, height and sex to the camera's L5/S1
estimate (and its ranges are checked there), and to an L5/S1 summary of a wearable recording with
a trunk sensor.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from backcare.api import SensorFile, WearableOptions
from backcare.api._wearable import BYTES_PER_SAMPLE
from backcare.errors import BackcareError, InputError, redact_paths
from backcare.jsonable import dumps, json_ready

if TYPE_CHECKING:
    from backcare.posture.exposure import ExposureSummary

__all__ = [
    "BYTES_PER_SAMPLE",
    "AnalysisOutcome",
    "CameraJobOptions",
    "Profile",
    "Progress",
    "SensorFile",
    "WearableJobOptions",
    "describe_error",
    "input_paths",
    "json_ready",
    "run_analysis",
    "run_camera",
    "run_wearable",
    "session_summary",
]

Progress = Callable[[float, str], None]
JobKind = Literal["wearable", "camera"]


@dataclass(frozen=True)
class Profile:
    """What the load models need to know about the person (``None`` where not given)."""

    mass_kg: float | None = None
    height_cm: float | None = None
    sex: Literal["male", "female"] | None = None

    @classmethod
    def from_values(
        cls, mass_kg: float | None, height_cm: float | None, sex: str | None
    ) -> Profile:
        """A profile from stored values; a sex other than male/female is left out."""
        return cls(
            mass_kg=mass_kg,
            height_cm=height_cm,
            sex="male" if sex == "male" else "female" if sex == "female" else None,
        )


#: A wearable job's options are the facade's (JSON round trip: ``to_json``/``from_json``).
WearableJobOptions = WearableOptions


@dataclass(frozen=True)
class CameraJobOptions:
    """Options of a camera job: the file, load held [kg] and camera pitch [deg, + looking down]."""

    path: Path
    load_kg: float = 0.0
    camera_pitch_deg: float | None = None
    person: int | None = None  # the person chosen on the results page (None: automatic)

    def to_json(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "load_kg": self.load_kg,
            "camera_pitch_deg": self.camera_pitch_deg,
            "person": self.person,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CameraJobOptions:
        pitch = data.get("camera_pitch_deg")
        person = data.get("person")
        return cls(
            path=Path(data["path"]),
            load_kg=float(data.get("load_kg") or 0.0),
            camera_pitch_deg=None if pitch is None else float(pitch),
            person=None if person is None else int(person),
        )


@dataclass
class AnalysisOutcome:
    """What a finished analysis left in its output folder.

    Attributes
    ----------
    files
        ``{role: file name}`` inside the output folder; roles: ``series`` (Parquet), ``csv``,
        ``summary`` (JSON), ``report`` (HTML), ``annotated`` (video or PNG), ``plot_*`` (PNG), and
        the wearable tables (``daily``, ``hourly``, ``bouts``).
    summary
        The exposure summary for the ``posture_sessions`` row (:func:`session_summary`), or
        ``None`` when the input has no duration (a photo).
    started_at
        Wall-clock start of the recording, where the file says it.
    duration_s
        Duration of the analysed series [s].
    notes
        What the pipeline wants the person to know (assumptions, data problems).
    """

    files: dict[str, str]
    summary: dict[str, Any] | None
    started_at: datetime | None
    duration_s: float
    notes: list[str] = field(default_factory=list)


def session_summary(
    source: str, exposure_summary: ExposureSummary | Mapping[str, Any]
) -> dict[str, Any]:
    """The ``posture_sessions.summary`` of an analysis: the exposure totals in their one JSON
    form (:meth:`backcare.posture.exposure.ExposureSummary.to_dict`) plus ``source``.

    Keys (from :class:`backcare.posture.exposure.ExposureSummary`): ``measured_time_s``,
    ``sit_time_s``, ``upright_time_s``, ``lying_time_s``, ``trunk_time_s``,
    ``trunk_fwd_time_s`` / ``trunk_fwd_pct`` keyed by band threshold in degrees (``"20"``,
    ``"30"``, ``"60"``, ``"90"``), ``trunk_fwd_longest_s``, ``iso`` (ISO 11226 verdicts),
    ``holds``, sedentary bouts and breaks, ``disc_dose_mpa_h_per_day``, REBA/RULA medians; plus
    ``source``. Values that were not measured are ``None``.
    """
    if isinstance(exposure_summary, Mapping):
        out: dict[str, Any] = json_ready(dict(exposure_summary))
    else:
        out = exposure_summary.to_dict()
    out["source"] = source
    return out


class _Stages:
    """Maps stage-local progress onto 0..1, monotonically."""

    def __init__(self, progress: Progress | None) -> None:
        self._progress = progress
        self._last = 0.0

    def report(self, fraction: float, message: str) -> None:
        value = min(1.0, max(self._last, fraction))
        self._last = value
        if self._progress is not None:
            self._progress(value, message)


def _write_png(out_dir: Path, name: str, png_base64: str | None, files: dict[str, str]) -> None:
    if not png_base64:
        return
    (out_dir / f"{name}.png").write_bytes(base64.b64decode(png_base64))
    files[name] = f"{name}.png"


def run_wearable(
    options: WearableJobOptions,
    out_dir: Path,
    profile: Profile,
    progress: Progress | None = None,
) -> AnalysisOutcome:
    """Analyse worn sensors like ``backcare wearable analyze`` and write the outputs.

    Raises :class:`~backcare.errors.InputError` for files the readers or the pipeline reject.
    """
    from backcare.api import analyze_wearable
    from backcare.report.wearable import day_timeline_png, inclination_histogram_png

    if not options.sensors:
        raise InputError("give at least one sensor file", where="sensors")
    stages = _Stages(progress)
    stages.report(0.0, "opening the sensor files")
    n = len(options.sensors)
    read_share = 0.7
    order = {s.placement: i for i, s in enumerate(options.sensors)}

    def tick(placement: str, seconds: float, expected: float | None) -> None:
        i = order.get(placement, 0)
        within = min(0.95, seconds / expected) if expected else 0.5
        stages.report(
            read_share * (i + within) / n,
            f"reading the {placement.replace('_', ' ')} sensor: "
            f"{seconds / 3600.0:.2f} h of data read",
        )

    result = analyze_wearable(options=options, progress=tick)
    series, report = result.series, result.exposure
    stages.report(0.75, "computing the exposure summary")
    stages.report(0.85, "writing tables and the report")
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = result.save(out_dir)
    roles = {"seconds": "series", "report": "report"}
    files = {roles.get(k, k): p.name for k, p in paths.items()}
    notes = list(series.meta.notes) + list(report.notes)
    stages.report(0.9, "drawing the plots")
    for i, (start_s, label) in enumerate(_day_starts(series, report.per_day)[:7]):
        _write_png(out_dir, f"plot_day{i + 1}", day_timeline_png(series, start_s, label), files)
    _write_png(out_dir, "plot_inclination", inclination_histogram_png(series), files)
    summary = session_summary("wearable", report.summary)
    if series.get("trunk_flexion") is not None:
        if profile.mass_kg is None or profile.height_cm is None:
            notes.append("L5/S1 compression not estimated: the profile has no body mass and height")
        elif (load := _l5s1_summary(series, profile)) is not None:
            summary["l5s1_compression_n"] = load
        else:
            notes.append(
                "L5/S1 compression not estimated: no second with a trunk angle the model covers"
            )
    summary["activities"] = json_ready(result.activities())
    (out_dir / "session.json").write_text(dumps(summary), encoding="utf-8")
    files["session"] = "session.json"
    stages.report(1.0, "done")
    return AnalysisOutcome(
        files=files,
        summary=summary,
        started_at=series.meta.start,
        duration_s=float(len(series)),
        notes=notes,
    )


def _day_starts(series: Any, per_day: Any) -> list[tuple[float, str]]:
    """``(start [s], label)`` of each local day of the recording."""
    if len(per_day) and "start_s" in per_day.columns and "label" in per_day.columns:
        rows = zip(per_day["start_s"].tolist(), per_day["label"].astype(str).tolist(), strict=True)
        return [(float(t), label) for t, label in rows if math.isfinite(float(t))]
    t0 = float(series.time[0]) if len(series) else 0.0
    days = max(1, math.ceil(series.duration_s / 86400.0))
    return [(t0 + 86400.0 * d, f"day {d + 1}") for d in range(days)]


def _l5s1_summary(series: Any, profile: Profile) -> dict[str, Any] | None:
    """Percentiles of the L5/S1 compression [N] over the recording, when it can be estimated."""
    from backcare.posture.load import l5s1_series

    if profile.mass_kg is None or profile.height_cm is None:
        return None
    res = l5s1_series(series, profile.mass_kg, profile.height_cm / 100.0, sex=profile.sex or "male")
    values = np.asarray(res.compression_n, dtype=np.float64)
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return None
    p50, p90, p99 = np.percentile(finite, [50, 90, 99]).tolist()
    return {
        "p50": round(p50),
        "p90": round(p90),
        "p99": round(p99),
        "max": round(float(finite.max())),
        "seconds": int(finite.size),
        "mass_kg": profile.mass_kg,
        "height_cm": profile.height_cm,
        "sex": profile.sex or "male",
    }


def run_camera(
    options: CameraJobOptions,
    out_dir: Path,
    profile: Profile,
    progress: Progress | None = None,
) -> AnalysisOutcome:
    """Analyse an image or video like ``backcare camera analyze`` and write the outputs.

    Raises :class:`~backcare.errors.InputError` when the file cannot be analysed (unreadable,
    nobody in it) with the pipeline's message.
    """
    import pandas as pd

    from backcare.api import analyze_media, camera_options
    from backcare.camera.video import media_kind
    from backcare.report.camera import angle_timeline_png, level_time_png, load_timeline_png

    stages = _Stages(progress)
    stages.report(0.0, "starting the pose model")
    cam = camera_options(
        mass_kg=profile.mass_kg,
        height_cm=profile.height_cm,
        sex=profile.sex,
        load_kg=options.load_kg,
        camera_pitch_deg=options.camera_pitch_deg,
        person=options.person,
    )
    kind = media_kind(options.path)
    shares = {"analyse": (0.02, 0.75), "annotate": (0.75, 0.92)}

    def tick(stage: str, done: int, total: int | None) -> None:
        lo, hi = shares.get(stage, (0.0, 0.92))
        within = done / total if total else 0.5
        verb = "finding the pose in" if stage == "analyse" else "drawing"
        of = f" of {total}" if total else ""
        stages.report(lo + (hi - lo) * min(1.0, within), f"{verb} frame {done}{of}")

    out_dir.mkdir(parents=True, exist_ok=True)
    media = analyze_media(options.path, options=cam, progress=tick)
    written = media.save(out_dir, progress=lambda done, total: tick("annotate", done, total))
    roles = {"parquet": "series", "html": "report"}
    files = {roles.get(k, k): p.name for k, p in written.items()}
    stages.report(0.94, "drawing the plots")
    summary_json: dict[str, Any] = json.loads(
        (out_dir / files["summary"]).read_text(encoding="utf-8")
    )
    if kind == "video" and "csv" in files:
        table = pd.read_csv(out_dir / files["csv"])
        _write_png(out_dir, "plot_angles", angle_timeline_png(table), files)
        _write_png(out_dir, "plot_levels", level_time_png(summary_json), files)
        _write_png(out_dir, "plot_load", load_timeline_png(table), files)
    exposure = summary_json.get("exposure")
    session: dict[str, Any] | None = None
    if exposure:
        session = session_summary("camera", exposure.get("summary", {}))
        for method in ("reba", "rula"):
            if isinstance(summary_json.get(method), Mapping):
                session[f"{method}_summary"] = json_ready(summary_json[method])
        (out_dir / "session.json").write_text(dumps(session), encoding="utf-8")
        files["session"] = "session.json"
    stages.report(1.0, "done")
    duration = summary_json.get("duration_s")
    return AnalysisOutcome(
        files=files,
        summary=session,
        started_at=None,
        duration_s=float(duration) if isinstance(duration, (int, float)) else 0.0,
        notes=media.notes,
    )


def run_analysis(
    kind: str,
    options: Mapping[str, Any],
    out_dir: Path,
    profile: Profile,
    progress: Progress | None = None,
) -> AnalysisOutcome:
    """Run the analysis of a job of ``kind`` (``"wearable"`` or ``"camera"``)."""
    if kind == "wearable":
        return run_wearable(WearableJobOptions.from_json(options), out_dir, profile, progress)
    if kind == "camera":
        return run_camera(CameraJobOptions.from_json(options), out_dir, profile, progress)
    raise InputError(f"unknown job kind {kind!r}", where="job")


def input_paths(kind: str, options: Mapping[str, Any]) -> list[Path]:
    """The input files a job of ``kind`` reads."""
    if kind == "wearable":
        return [s.path for s in WearableJobOptions.from_json(options).sensors]
    if kind == "camera":
        return [CameraJobOptions.from_json(options).path]
    return []


def describe_error(exc: BaseException) -> str:
    """A one-line reason for a failed job: the message of errors a user can cause, otherwise the
    exception's type and message (the traceback goes to the log, not to the page)."""
    if isinstance(exc, BackcareError):
        return redact_paths(str(exc))
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return redact_paths(f"internal error ({type(exc).__name__}{': ' + text if text else ''})")
